/* cria-window.c: the main window
 *
 * The window follows the backends: a chat page as soon as a backend that
 * answers has a model, a status page while Ollama cannot be reached (with
 * a countdown to the next probe), another while no model is installed,
 * and it goes back to chatting by itself when a backend recovers. The model
 * selector in the header bar lists every backend's models; choosing one
 * points the chat session at it and remembers it for the next start.
 *
 * Conversations are saved in the application's chat store: the window
 * opens the most recent chat that has messages, and win.new-chat starts a
 * fresh one, stored when its first message is sent. A reopened chat keeps
 * its model: selected if installed, else shown as missing. The sidebar
 * lists the chats; a reply still streaming in a chat the user leaves goes
 * on, and is saved, in the background (cria-window-chats.c has the rest).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-window"

#include "cria-config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cria-error-text.h"
#include "cria-settings.h"
#include "cria-window.h"
#include "cria-window-private.h"

G_DEFINE_FINAL_TYPE (CriaWindow, cria_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_REGISTRY,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void update_page (CriaWindow *self);

/* Models and the selector ----------------------------------------------- */

static char *
dup_model_title (CriaModel *model)
{
  char *title = cria_model_dup_display_name (model);

  if (title == NULL || title[0] == '\0')
    {
      g_free (title);
      title = g_strdup (cria_model_get_name (model));
    }

  return title;
}

/* The search of the drop-down matches what the user knows: the name */
static char *
model_search_text_cb (CriaModel *model,
                      gpointer   user_data)
{
  g_autofree char *title = NULL;

  if (model == NULL)
    return NULL;

  title = dup_model_title (model);

  return g_strdup_printf ("%s %s", cria_model_get_name (model), title);
}

static void
setup_model_button_cb (GtkSignalListItemFactory *factory,
                       GtkListItem              *item,
                       gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  gtk_widget_add_css_class (label, "heading");
  gtk_list_item_set_child (item, label);
}

static void
bind_model_button_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      gpointer                  user_data)
{
  CriaModel *model = gtk_list_item_get_item (item);
  g_autofree char *title = dup_model_title (model);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), title);
}

static void
setup_model_row_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  user_data)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  gtk_widget_set_hexpand (box, TRUE);
  /* The popover is as wide as the rows' minimum: long names ellipsize
   * only past this */
  gtk_label_set_width_chars (GTK_LABEL (title), 22);
  gtk_label_set_max_width_chars (GTK_LABEL (title), 40);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_accessible_update_state (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);

  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_box_append (GTK_BOX (row), box);
  gtk_box_append (GTK_BOX (row), check);
  gtk_list_item_set_child (item, row);
}

/* The popover marks the current model, as GtkDropDown's own rows do */
static void
update_model_row_check (GtkListItem *item,
                        GParamSpec  *pspec,
                        GtkDropDown *dropdown)
{
  GtkWidget *row = gtk_list_item_get_child (item);
  GtkWidget *check = gtk_widget_get_last_child (row);
  gpointer model = gtk_list_item_get_item (item);

  gtk_widget_set_opacity (check, model != NULL && gtk_drop_down_get_selected_item (dropdown) == model ? 1 : 0);
}

static void
bind_model_row_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   CriaWindow               *self)
{
  CriaModel *model = gtk_list_item_get_item (item);
  GtkWidget *row = gtk_list_item_get_child (item);
  GtkWidget *title = gtk_widget_get_first_child (gtk_widget_get_first_child (row));
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  g_autoptr(GPtrArray) details = g_ptr_array_new ();
  g_autoptr(CriaBackend) backend = cria_model_dup_backend (model);
  g_autofree char *title_text = dup_model_title (model);
  g_autofree char *subtitle_text = NULL;
  const char *parameter_size = cria_model_get_parameter_size (model);
  const char *quantization = cria_model_get_quantization_level (model);

  if (parameter_size != NULL && parameter_size[0] != '\0')
    g_ptr_array_add (details, (gpointer) parameter_size);
  if (quantization != NULL && quantization[0] != '\0')
    g_ptr_array_add (details, (gpointer) quantization);
  if (self->show_backend_titles && backend != NULL)
    g_ptr_array_add (details, (gpointer) cria_backend_get_title (backend));
  g_ptr_array_add (details, NULL);

  subtitle_text = g_strjoinv (" · ", (char **) details->pdata);

  gtk_label_set_text (GTK_LABEL (title), title_text);
  gtk_label_set_text (GTK_LABEL (subtitle), subtitle_text);
  gtk_widget_set_visible (subtitle, subtitle_text[0] != '\0');

  g_signal_connect_object (self->model_dropdown, "notify::selected-item",
                           G_CALLBACK (update_model_row_check), item,
                           G_CONNECT_SWAPPED);
  update_model_row_check (item, NULL, self->model_dropdown);
}

static void
unbind_model_row_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     CriaWindow               *self)
{
  if (self->model_dropdown != NULL)
    g_signal_handlers_disconnect_by_func (self->model_dropdown, update_model_row_check, item);
}

static gboolean
model_matches (CriaModel   *model,
               CriaBackend *backend,
               const char  *backend_url,
               const char  *name)
{
  g_autoptr(CriaBackend) model_backend = NULL;

  if (!cria_model_name_equal (cria_model_get_name (model), name))
    return FALSE;

  if (backend == NULL && (backend_url == NULL || backend_url[0] == '\0'))
    return TRUE;

  model_backend = cria_model_dup_backend (model);
  if (model_backend == NULL)
    return FALSE;

  if (backend != NULL)
    return model_backend == backend;

  return g_strcmp0 (cria_backend_get_base_url (model_backend), backend_url) == 0;
}

static guint
find_model (CriaWindow  *self,
            CriaBackend *backend,
            const char  *backend_url,
            const char  *name)
{
  guint n_items;

  if (name == NULL || name[0] == '\0')
    return GTK_INVALID_LIST_POSITION;

  n_items = g_list_model_get_n_items (self->models);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CriaModel) model = g_list_model_get_item (self->models, i);

      if (model_matches (model, backend, backend_url, name))
        return i;
    }

  return GTK_INVALID_LIST_POSITION;
}

/* Points the session at the selected model; @remember saves it as the
 * model to start with next time (only a choice of the user's counts). */
static void
apply_selected_model (CriaWindow *self,
                      gboolean    remember)
{
  CriaModel *model = gtk_drop_down_get_selected_item (self->model_dropdown);
  g_autoptr(CriaBackend) backend = NULL;
  const char *name;

  if (model == NULL)
    return;

  backend = cria_model_dup_backend (model);
  name = cria_model_get_name (model);

  if (cria_chat_session_get_backend (self->session) != backend)
    cria_chat_session_set_backend (self->session, backend);
  if (g_strcmp0 (cria_chat_session_get_model (self->session), name) != 0)
    cria_chat_session_set_model (self->session, name);

  if (remember)
    {
      g_debug ("Model chosen: %s", name);
      g_settings_set_string (self->settings, CRIA_SETTINGS_KEY_LAST_MODEL, name);
      g_settings_set_string (self->settings, CRIA_SETTINGS_KEY_LAST_BACKEND,
                             backend ? cria_backend_get_base_url (backend) : "");
    }
}

static void
select_position (CriaWindow *self,
                 guint       position,
                 gboolean    remember)
{
  self->selecting = TRUE;
  gtk_drop_down_set_selected (self->model_dropdown, position);
  self->selecting = FALSE;

  apply_selected_model (self, remember);
}

static GtkWidget *
find_child_of_type (GtkWidget *widget,
                    GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;

      if ((found = find_child_of_type (child, type)) != NULL)
        return found;
    }

  return NULL;
}

/* With nothing selected, GTK 4.8's drop-down says “(None)”: it says which
 * model the conversation lacks instead */
static void
show_missing_model_in_selector (CriaWindow *self)
{
  GtkWidget *stack = find_child_of_type (GTK_WIDGET (self->model_dropdown), GTK_TYPE_STACK);
  GtkWidget *label = stack ? gtk_stack_get_child_by_name (GTK_STACK (stack), "empty") : NULL;
  const char *model = cria_chat_session_get_model (self->session);
  g_autofree char *name = NULL;

  if (!GTK_IS_LABEL (label) || model == NULL)
    return;

  name = g_str_has_suffix (model, ":latest") ? g_strndup (model, strlen (model) - strlen (":latest"))
                                             : g_strdup (model);
  gtk_label_set_text (GTK_LABEL (label), name);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_add_css_class (label, "dim-label");
}

/* Whether the conversation uses a model its backend, which answers,
 * does not have (any more) */
static gboolean
session_model_was_removed (CriaWindow *self)
{
  CriaBackend *backend = cria_chat_session_get_backend (self->session);
  const char *model = cria_chat_session_get_model (self->session);

  return backend != NULL &&
         model != NULL && model[0] != '\0' &&
         g_list_model_get_n_items (G_LIST_MODEL (self->session)) > 0 &&
         cria_backend_get_status (backend) == CRIA_BACKEND_STATUS_ONLINE &&
         g_list_model_get_n_items (cria_backend_get_models (backend)) > 0 &&
         cria_backend_find_model (backend, model) == NULL;
}

/* After the list changed: keep the session's model if it is still there,
 * else the last one used, else the first. */
static void
sync_selection (CriaWindow *self)
{
  guint position;

  if (g_list_model_get_n_items (self->models) == 0)
    return;

  position = find_model (self,
                         cria_chat_session_get_backend (self->session), NULL,
                         cria_chat_session_get_model (self->session));

  /* A conversation keeps its model when the model goes away: the chat
   * page says it is not installed, and offers to download it again or to
   * choose another one. */
  if (position == GTK_INVALID_LIST_POSITION && session_model_was_removed (self))
    {
      g_debug ("The model of the conversation is not installed any more");
      select_position (self, GTK_INVALID_LIST_POSITION, FALSE);
      show_missing_model_in_selector (self);
      return;
    }

  if (position == GTK_INVALID_LIST_POSITION)
    {
      g_autofree char *last_model = g_settings_get_string (self->settings, CRIA_SETTINGS_KEY_LAST_MODEL);
      g_autofree char *last_backend = g_settings_get_string (self->settings, CRIA_SETTINGS_KEY_LAST_BACKEND);

      position = find_model (self, NULL, last_backend, last_model);
      if (position == GTK_INVALID_LIST_POSITION)
        position = find_model (self, NULL, NULL, last_model);
    }

  if (position == GTK_INVALID_LIST_POSITION)
    position = 0;

  select_position (self, position, FALSE);
}

static void
update_backend_titles (CriaWindow *self)
{
  g_autoptr(CriaBackend) first = NULL;
  gboolean several = FALSE;
  guint n_items = g_list_model_get_n_items (self->models);

  for (guint i = 0; i < n_items && !several; i++)
    {
      g_autoptr(CriaModel) model = g_list_model_get_item (self->models, i);
      g_autoptr(CriaBackend) backend = cria_model_dup_backend (model);

      if (first == NULL)
        first = g_steal_pointer (&backend);
      else if (backend != first)
        several = TRUE;
    }

  if (several == self->show_backend_titles)
    return;

  self->show_backend_titles = several;

  /* Rebind the rows of the popover */
  gtk_drop_down_set_list_factory (self->model_dropdown, NULL);
  gtk_drop_down_set_list_factory (self->model_dropdown, self->list_factory);
}

static void
models_changing_cb (CriaWindow *self,
                    guint       position,
                    guint       removed,
                    guint       added,
                    GListModel *models)
{
  /* The drop-down moves its selection by itself while the list changes:
   * that is not the user's choice. */
  self->models_changing = TRUE;
}

static void
models_changed_cb (CriaWindow *self,
                   guint       position,
                   guint       removed,
                   guint       added,
                   GListModel *models)
{
  self->models_changing = FALSE;

  update_backend_titles (self);
  sync_selection (self);
  update_page (self);
}

static void
model_selected_cb (CriaWindow  *self,
                   GParamSpec  *pspec,
                   GtkDropDown *dropdown)
{
  g_assert (CRIA_IS_WINDOW (self));

  if (self->selecting || self->models_changing)
    return;

  apply_selected_model (self, TRUE);
}

/* Backends and the status pages ----------------------------------------- */

static gboolean
any_backend_with_status (CriaWindow        *self,
                         CriaBackendStatus  status)
{
  for (guint i = 0; i < self->backends->len; i++)
    {
      CriaBackend *backend = g_ptr_array_index (self->backends, i);

      if (cria_backend_get_status (backend) == status)
        return TRUE;
    }

  return FALSE;
}

static void
update_countdown (CriaWindow *self)
{
  guint next = 0;
  guint seconds;
  g_autofree char *text = NULL;

  for (guint i = 0; i < self->backends->len; i++)
    {
      CriaBackend *backend = g_ptr_array_index (self->backends, i);
      guint delay;

      if (cria_backend_get_status (backend) != CRIA_BACKEND_STATUS_OFFLINE)
        continue;

      delay = cria_backend_get_next_probe_delay (backend);
      if (delay > 0 && (next == 0 || delay < next))
        next = delay;
    }

  seconds = (next + 999) / 1000;

  if (seconds > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Trying again in %u second…",
                                         "Trying again in %u seconds…",
                                         seconds),
                            seconds);
  else
    text = g_strdup (_("Trying again…"));

  gtk_label_set_text (self->offline_retry_label, text);
}

static gboolean
countdown_cb (gpointer user_data)
{
  update_countdown (CRIA_WINDOW (user_data));

  return G_SOURCE_CONTINUE;
}

static void
update_offline_page (CriaWindow *self)
{
  g_autoptr(GString) urls = g_string_new (NULL);
  g_autofree char *description = NULL;
  g_autofree char *error_text = NULL;
  guint n_offline = 0;

  for (guint i = 0; i < self->backends->len; i++)
    {
      CriaBackend *backend = g_ptr_array_index (self->backends, i);
      const GError *error;
      g_autofree char *url = NULL;

      if (cria_backend_get_status (backend) != CRIA_BACKEND_STATUS_OFFLINE)
        continue;

      url = g_markup_escape_text (cria_backend_get_base_url (backend), -1);
      if (n_offline > 0)
        g_string_append (urls, ", ");
      g_string_append_printf (urls, "<b>%s</b>", url);
      n_offline++;

      error = cria_backend_get_last_error (backend);
      if (error_text == NULL && error != NULL)
        error_text = cria_error_text_describe (error, NULL);
    }

  /* Translators: %s is one address or a list of addresses, such as
   * “http://127.0.0.1:11434”; keep the <tt> markup around commands */
  description = g_strdup_printf (_("Cria tried %s.\nStart it with <tt>ollama serve</tt>, "
                                   "or point <tt>OLLAMA_HOST</tt> at your server."),
                                 urls->str);

  adw_status_page_set_description (self->offline_page, description);
  gtk_label_set_text (self->offline_error_label, error_text ? error_text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->offline_error_label), error_text != NULL);

  update_countdown (self);
}

/* The chat as soon as a backend that answers has a model. A backend that
 * stopped answering keeps its list (so the selection survives), but
 * offers nothing to chat with until it is back. */
static const char *
compute_page (CriaWindow *self)
{
  gboolean online = FALSE;

  for (guint i = 0; i < self->backends->len; i++)
    {
      CriaBackend *backend = g_ptr_array_index (self->backends, i);

      if (cria_backend_get_status (backend) != CRIA_BACKEND_STATUS_ONLINE)
        continue;

      if (g_list_model_get_n_items (cria_backend_get_models (backend)) > 0)
        return "chat";

      online = TRUE;
    }

  if (online)
    return "no-models";

  if (self->backends->len > 0 &&
      !any_backend_with_status (self, CRIA_BACKEND_STATUS_UNKNOWN) &&
      !any_backend_with_status (self, CRIA_BACKEND_STATUS_CONNECTING))
    return "offline";

  return "connecting";
}

static gboolean
models_shown (CriaWindow *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "models") == 0;
}

static void
update_title (CriaWindow *self)
{
  const char *title = "title";

  if (models_shown (self))
    title = "models";
  else if (g_strcmp0 (compute_page (self), "chat") == 0)
    title = "model";

  gtk_stack_set_visible_child_name (self->title_stack, title);
}

static void
update_page (CriaWindow *self)
{
  const char *page = compute_page (self);
  const char *previous = gtk_stack_get_visible_child_name (self->stack);
  gboolean offline = g_str_equal (page, "offline");

  if (offline)
    update_offline_page (self);

  if (offline && self->countdown_id == 0)
    self->countdown_id = g_timeout_add (250, countdown_cb, self);
  else if (!offline)
    g_clear_handle_id (&self->countdown_id, g_source_remove);

  update_title (self);

  /* A spinner keeps the frame clock running even on a hidden page */
  gtk_spinner_set_spinning (self->connecting_spinner, g_str_equal (page, "connecting"));

  if (g_strcmp0 (previous, page) == 0)
    return;

  g_debug ("Showing the %s page", page);

  gtk_stack_set_visible_child_name (self->stack, page);

  /* Back to chatting: the keyboard goes where the user types */
  if (g_str_equal (page, "chat") && !models_shown (self))
    gtk_widget_grab_focus (GTK_WIDGET (self->chat_page));
}

static gboolean
show_backend_error_cb (gpointer user_data)
{
  CriaWindow *self = CRIA_WINDOW (user_data);

  self->toast_idle_id = 0;

  if (cria_chat_session_get_busy (self->session))
    return G_SOURCE_REMOVE;

  for (guint i = 0; i < self->backends->len; i++)
    {
      CriaBackend *backend = g_ptr_array_index (self->backends, i);
      const GError *error = cria_backend_get_last_error (backend);
      g_autofree char *text = NULL;

      /* An offline backend has its own page; this is for the rest, such
       * as a model list that could not be refreshed. */
      if (error == NULL ||
          cria_error_text_is_cancelled (error) ||
          cria_backend_get_status (backend) != CRIA_BACKEND_STATUS_ONLINE)
        continue;

      text = cria_error_text_describe (error, NULL);
      cria_window_add_toast (self, text);
    }

  return G_SOURCE_REMOVE;
}

static void
backend_notify_cb (CriaWindow  *self,
                   GParamSpec  *pspec,
                   CriaBackend *backend)
{
  g_assert (CRIA_IS_WINDOW (self));

  /* A failure while online is not worth a page of its own: a toast, once
   * it is clear the backend stays online (a failed probe sets the error
   * before it turns the backend offline). */
  if (g_str_equal (g_param_spec_get_name (pspec), "last-error") &&
      cria_backend_get_last_error (backend) != NULL &&
      cria_backend_get_status (backend) == CRIA_BACKEND_STATUS_ONLINE &&
      self->toast_idle_id == 0)
    self->toast_idle_id = g_idle_add (show_backend_error_cb, self);

  update_page (self);
}

static void
unwatch_backends (CriaWindow *self)
{
  for (guint i = 0; i < self->backends->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->backends, i),
                                          backend_notify_cb, self);

  g_ptr_array_set_size (self->backends, 0);
}

static void
backends_changed_cb (CriaWindow *self,
                     guint       position,
                     guint       removed,
                     guint       added,
                     GListModel *registry)
{
  guint n_items = g_list_model_get_n_items (registry);

  g_assert (CRIA_IS_WINDOW (self));

  unwatch_backends (self);

  for (guint i = 0; i < n_items; i++)
    {
      CriaBackend *backend = g_list_model_get_item (registry, i);

      g_signal_connect_object (backend, "notify",
                               G_CALLBACK (backend_notify_cb),
                               self, G_CONNECT_SWAPPED);
      g_ptr_array_add (self->backends, backend);
    }

  update_page (self);
}

/* Probes every backend now: “Retry Now” and “Refresh” */
void
_cria_window_probe_backends (CriaWindow *self)
{
  g_return_if_fail (CRIA_IS_WINDOW (self));

  for (guint i = 0; i < self->backends->len; i++)
    cria_backend_probe_now (g_ptr_array_index (self->backends, i));

  if (self->countdown_id != 0)
    update_countdown (self);
}

/* The models page ------------------------------------------------------- */

/* win.show-models: the models page, or back to the chat (Ctrl+M) */
/**
 * _cria_window_ensure_models_page:
 *
 * The Models page is built the first time it is shown: building and laying
 * it out costs more at start-up than the rest of the window, and most
 * starts never open it.
 *
 * Returns: (transfer none): the page
 */
CriaModelsPage *
_cria_window_ensure_models_page (CriaWindow *self)
{
  g_return_val_if_fail (CRIA_IS_WINDOW (self), NULL);

  if (self->models_page == NULL)
    {
      self->models_page = CRIA_MODELS_PAGE (cria_models_page_new ());
      cria_models_page_set_registry (self->models_page, self->registry);
      gtk_stack_add_named (self->main_stack, GTK_WIDGET (self->models_page), "models");
    }

  return self->models_page;
}

static void
show_models_change_state (GSimpleAction *action,
                          GVariant      *state,
                          gpointer       user_data)
{
  CriaWindow *self = CRIA_WINDOW (user_data);
  gboolean shown = g_variant_get_boolean (state);

  g_simple_action_set_state (action, state);

  if (shown)
    _cria_window_ensure_models_page (self);

  gtk_stack_set_visible_child_name (self->main_stack, shown ? "models" : "chat");
  update_title (self);

  if (shown)
    gtk_widget_grab_focus (GTK_WIDGET (self->models_page));
  else if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "chat") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->chat_page));
}

/* win.choose-model: opens the model selector, e.g. for a chat whose
 * model is not installed */
static void
choose_model_activate (GSimpleAction *action,
                       GVariant      *param,
                       gpointer       user_data)
{
  CriaWindow *self = CRIA_WINDOW (user_data);

  if (gtk_widget_get_mapped (GTK_WIDGET (self->model_dropdown)))
    g_signal_emit_by_name (self->model_dropdown, "activate");
}

/* win.show-help-overlay: the shortcuts window, made when first asked for
 * rather than with every window, as GtkApplication would (8 ms of the
 * start-up) */
static void
show_help_overlay_activate (GSimpleAction *action,
                            GVariant      *param,
                            gpointer       user_data)
{
  CriaWindow *self = CRIA_WINDOW (user_data);

  if (self->shortcuts_window == NULL)
    {
      g_autoptr(GtkBuilder) builder =
        gtk_builder_new_from_resource ("/io/github/cria/Cria/ui/cria-shortcuts-window.ui");

      self->shortcuts_window = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));
      gtk_window_set_hide_on_close (self->shortcuts_window, TRUE);
      gtk_window_set_transient_for (self->shortcuts_window, GTK_WINDOW (self));
      gtk_window_set_destroy_with_parent (self->shortcuts_window, TRUE);
      g_object_add_weak_pointer (G_OBJECT (self->shortcuts_window), (gpointer *) &self->shortcuts_window);
    }

  gtk_window_present (self->shortcuts_window);
}

static const GActionEntry models_actions[] = {
  { "show-models", NULL, NULL, "false", show_models_change_state },
  { "choose-model", choose_model_activate },
  { "show-help-overlay", show_help_overlay_activate },
};

/* Chats ----------------------------------------------------------------- */

static CriaBackend *
find_backend_by_url (CriaWindow *self,
                     const char *url)
{
  GListModel *backends = G_LIST_MODEL (self->registry);
  guint n_items = g_list_model_get_n_items (backends);

  if (url == NULL || url[0] == '\0')
    return NULL;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CriaBackend) backend = g_list_model_get_item (backends, i);

      if (g_strcmp0 (cria_backend_get_base_url (backend), url) == 0)
        return backend; /* the registry keeps it */
    }

  return NULL;
}

static void
session_busy_cb (CriaWindow      *self,
                 GParamSpec      *pspec,
                 CriaChatSession *session)
{
  g_assert (CRIA_IS_WINDOW (self));

  /* A reply stopped as the window closed needs nothing more */
  if (cria_chat_session_get_busy (session) || self->background == NULL)
    return;

  _cria_window_reply_finished (self, session);

  /* A chat left while its reply streamed is let go once it is done */
  if (session != self->session)
    {
      g_signal_handlers_disconnect_by_func (session, session_busy_cb, self);
      g_ptr_array_remove (self->background, session);
    }
}

static void
session_chat_id_cb (CriaWindow      *self,
                    GParamSpec      *pspec,
                    CriaChatSession *session)
{
  g_assert (CRIA_IS_WINDOW (self));

  /* A new chat is stored with its first message */
  cria_chat_list_set_current_chat (self->chat_list, cria_chat_session_get_chat_id (session));
}

/* Shows @session in place of the current conversation. A reply still
 * streaming in the one left goes on, and is saved, in the background. */
static void
set_session (CriaWindow      *self,
             CriaChatSession *session)
{
  g_assert (CRIA_IS_CHAT_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->session, session_chat_id_cb, self);

      if (cria_chat_session_get_busy (self->session))
        {
          g_debug ("Chat %" G_GINT64_FORMAT " goes on in the background",
                   cria_chat_session_get_chat_id (self->session));
          g_ptr_array_add (self->background, g_object_ref (self->session));
        }
      else
        {
          g_signal_handlers_disconnect_by_func (self->session, session_busy_cb, self);
        }
    }

  g_ptr_array_remove (self->background, session);

  g_set_object (&self->session, session);
  _cria_window_actions_watch_session (self);
  cria_chat_page_set_session (self->chat_page, session);

  g_signal_handlers_disconnect_by_func (session, session_busy_cb, self);
  g_signal_connect_object (session, "notify::busy",
                           G_CALLBACK (session_busy_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::chat-id",
                           G_CALLBACK (session_chat_id_cb),
                           self, G_CONNECT_SWAPPED);
  cria_chat_list_set_current_chat (self->chat_list, cria_chat_session_get_chat_id (session));
}

/* The session of a stored chat: the one still streaming in the
 * background, or a new one on the chat's backend when it is still
 * configured (else the model is looked for by name on any backend) */
static CriaChatSession *
dup_session_for_chat (CriaWindow  *self,
                      gint64       chat_id,
                      GError     **error)
{
  g_autoptr(CriaChatSession) session = NULL;
  CriaChatInfo *info;
  CriaBackend *backend;

  for (guint i = 0; i < self->background->len; i++)
    {
      CriaChatSession *running = g_ptr_array_index (self->background, i);

      if (cria_chat_session_get_chat_id (running) == chat_id)
        return g_object_ref (running);
    }

  session = cria_chat_session_new_for_chat (self->store, chat_id, error);
  if (session == NULL)
    return NULL;

  info = cria_chat_store_lookup_chat (self->store, chat_id);
  backend = find_backend_by_url (self, info ? cria_chat_info_get_backend_url (info) : NULL);
  if (backend != NULL)
    cria_chat_session_set_backend (session, backend);

  return g_steal_pointer (&session);
}

/* Opens the most recent chat that has messages, or starts a new one */
static void
open_latest_chat (CriaWindow *self)
{
  GListModel *chats;
  guint n_items;

  cria_chat_session_set_store (self->session, self->store, 0);

  if (self->store == NULL)
    return;

  chats = cria_chat_store_get_chats (self->store);
  n_items = g_list_model_get_n_items (chats);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CriaChatInfo) info = g_list_model_get_item (chats, i);
      g_autoptr(CriaChatSession) session = NULL;
      g_autoptr(GError) error = NULL;

      session = dup_session_for_chat (self, cria_chat_info_get_id (info), &error);
      if (session == NULL)
        {
          g_warning ("Could not open chat %" G_GINT64_FORMAT ": %s",
                     cria_chat_info_get_id (info), error->message);
          continue;
        }

      if (g_list_model_get_n_items (G_LIST_MODEL (session)) == 0)
        continue;

      g_debug ("Reopening chat %" G_GINT64_FORMAT, cria_chat_info_get_id (info));
      set_session (self, session);
      return;
    }
}

static void
leave_models_page (CriaWindow *self)
{
  if (models_shown (self))
    g_action_group_change_action_state (G_ACTION_GROUP (self), "show-models",
                                        g_variant_new_boolean (FALSE));
}

/**
 * _cria_window_open_chat:
 * @chat_id: a stored chat
 *
 * Shows the chat, with its model; on a narrow window the sidebar makes
 * way for it.
 *
 * Returns: whether the chat could be opened
 */
gboolean
_cria_window_open_chat (CriaWindow *self,
                        gint64      chat_id)
{
  g_autoptr(CriaChatSession) session = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (CRIA_IS_WINDOW (self), FALSE);

  if (self->store == NULL)
    return FALSE;

  if (cria_chat_session_get_chat_id (self->session) != chat_id)
    {
      session = dup_session_for_chat (self, chat_id, &error);
      if (session == NULL)
        {
          g_warning ("Could not open chat %" G_GINT64_FORMAT ": %s", chat_id, error->message);
          cria_window_add_toast (self, _("The chat could not be opened"));
          cria_chat_list_set_current_chat (self->chat_list,
                                           cria_chat_session_get_chat_id (self->session));
          return FALSE;
        }

      g_debug ("Opening chat %" G_GINT64_FORMAT, chat_id);
      set_session (self, session);
      sync_selection (self);
      update_page (self);
    }

  leave_models_page (self);

  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "chat") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->chat_page));

  return TRUE;
}

static void
chat_activated_cb (CriaWindow   *self,
                   gint64        chat_id,
                   CriaChatList *list)
{
  _cria_window_open_chat (self, chat_id);
}

static void
result_activated_cb (CriaWindow   *self,
                     gint64        chat_id,
                     int           position,
                     CriaChatList *list)
{
  if (_cria_window_open_chat (self, chat_id) && position >= 0)
    cria_chat_page_scroll_to_message (self->chat_page, position);
}

/**
 * _cria_window_new_chat:
 *
 * Starts a fresh conversation with the selected model. It is stored when
 * its first message is sent, so empty chats are not kept.
 */
void
_cria_window_new_chat (CriaWindow *self)
{
  g_autoptr(CriaChatSession) session = NULL;

  g_return_if_fail (CRIA_IS_WINDOW (self));

  if (g_list_model_get_n_items (G_LIST_MODEL (self->session)) == 0 &&
      cria_chat_session_get_chat_id (self->session) == 0)
    {
      leave_models_page (self);
      if (adw_flap_get_folded (self->flap))
        adw_flap_set_reveal_flap (self->flap, FALSE);
      gtk_widget_grab_focus (GTK_WIDGET (self->chat_page));
      return;
    }

  g_debug ("Starting a new chat");

  session = cria_chat_session_new ();
  cria_chat_session_set_store (session, self->store, 0);
  set_session (self, session);

  apply_selected_model (self, FALSE);
  sync_selection (self);
  update_page (self);

  leave_models_page (self);
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->chat_page));
}

/* Window state ---------------------------------------------------------- */

static void
load_window_state (CriaWindow *self)
{
  int width = g_settings_get_int (self->settings, CRIA_SETTINGS_KEY_WINDOW_WIDTH);
  int height = g_settings_get_int (self->settings, CRIA_SETTINGS_KEY_WINDOW_HEIGHT);

  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);

  if (g_settings_get_boolean (self->settings, CRIA_SETTINGS_KEY_WINDOW_MAXIMIZED))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_window_state (CriaWindow *self)
{
  int width = 0;
  int height = 0;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);

  g_settings_delay (self->settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, CRIA_SETTINGS_KEY_WINDOW_WIDTH, width);
      g_settings_set_int (self->settings, CRIA_SETTINGS_KEY_WINDOW_HEIGHT, height);
    }
  g_settings_set_boolean (self->settings, CRIA_SETTINGS_KEY_WINDOW_MAXIMIZED,
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
cria_window_close_request (GtkWindow *window)
{
  CriaWindow *self = CRIA_WINDOW (window);

  save_window_state (self);

  /* Closing the window closes its requests: Ollama stops generating */
  g_cancellable_cancel (self->cancellable);
  cria_chat_session_stop (self->session);

  return GTK_WINDOW_CLASS (cria_window_parent_class)->close_request (window);
}

/* The window's buttons go in the header bar at the window's edge: the
 * sidebar's on the left while it is beside the chat */
static void
update_title_buttons (CriaWindow *self)
{
  gboolean beside = adw_flap_get_reveal_flap (self->flap) && !adw_flap_get_folded (self->flap);

  adw_header_bar_set_show_start_title_buttons (self->header_bar, !beside);
}

/* GObject --------------------------------------------------------------- */

static void
cria_window_constructed (GObject *object)
{
  CriaWindow *self = CRIA_WINDOW (object);
  GtkListItemFactory *factory;
  GtkExpression *expression;

  G_OBJECT_CLASS (cria_window_parent_class)->constructed (object);

  g_assert (CRIA_IS_BACKEND_REGISTRY (self->registry));

  self->models = cria_backend_registry_get_models (self->registry);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_model_button_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_model_button_cb), NULL);
  gtk_drop_down_set_factory (self->model_dropdown, factory);
  g_object_unref (factory);

  self->list_factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (self->list_factory, "setup", G_CALLBACK (setup_model_row_cb), NULL);
  g_signal_connect (self->list_factory, "bind", G_CALLBACK (bind_model_row_cb), self);
  g_signal_connect (self->list_factory, "unbind", G_CALLBACK (unbind_model_row_cb), self);
  gtk_drop_down_set_list_factory (self->model_dropdown, self->list_factory);

  expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                            G_CALLBACK (model_search_text_cb),
                                            NULL, NULL);
  gtk_drop_down_set_expression (self->model_dropdown, expression);
  gtk_expression_unref (expression);

  /* Around the drop-down's own handler: see models_changing_cb () */
  g_signal_connect_object (self->models, "items-changed",
                           G_CALLBACK (models_changing_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_drop_down_set_model (self->model_dropdown, self->models);
  g_signal_connect_object (self->models, "items-changed",
                           G_CALLBACK (models_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model_dropdown, "notify::selected",
                           G_CALLBACK (model_selected_cb),
                           self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->registry, "items-changed",
                           G_CALLBACK (backends_changed_cb),
                           self, G_CONNECT_SWAPPED);
  backends_changed_cb (self, 0, 0, 0, G_LIST_MODEL (self->registry));

  _cria_window_chats_init (self);
  cria_chat_list_set_store (self->chat_list, self->store);
  g_signal_connect_object (self->chat_list, "chat-activated",
                           G_CALLBACK (chat_activated_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->chat_list, "result-activated",
                           G_CALLBACK (result_activated_cb),
                           self, G_CONNECT_SWAPPED);

  open_latest_chat (self);

  update_backend_titles (self);
  sync_selection (self);
  update_page (self);
}

static void
cria_window_dispose (GObject *object)
{
  CriaWindow *self = CRIA_WINDOW (object);

  g_cancellable_cancel (self->cancellable);

  g_clear_handle_id (&self->countdown_id, g_source_remove);
  g_clear_handle_id (&self->toast_idle_id, g_source_remove);

  if (self->shortcuts_window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->shortcuts_window), (gpointer *) &self->shortcuts_window);
      gtk_window_destroy (self->shortcuts_window);
      self->shortcuts_window = NULL;
    }

  _cria_window_chats_dispose (self);

  /* The registry outlives the window */
  if (self->models != NULL)
    g_signal_handlers_disconnect_by_data (self->models, self);
  if (self->registry != NULL)
    g_signal_handlers_disconnect_by_data (self->registry, self);
  if (self->backends != NULL)
    unwatch_backends (self);

  if (self->model_dropdown != NULL)
    gtk_drop_down_set_model (self->model_dropdown, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIA_TYPE_WINDOW);

  self->models = NULL;
  g_clear_object (&self->list_factory);
  g_clear_object (&self->session);
  _cria_window_actions_watch_session (self);
  g_clear_object (&self->registry);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_toast, g_free);
  g_clear_pointer (&self->backends, g_ptr_array_unref);
  g_clear_pointer (&self->background, g_ptr_array_unref);
  g_clear_pointer (&self->notifications, g_ptr_array_unref);

  G_OBJECT_CLASS (cria_window_parent_class)->dispose (object);
}

static void
cria_window_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CriaWindow *self = CRIA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;

    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_window_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CriaWindow *self = CRIA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      self->registry = g_value_dup_object (value);
      break;

    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_window_class_init (CriaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = cria_window_constructed;
  object_class->dispose = cria_window_dispose;
  object_class->get_property = cria_window_get_property;
  object_class->set_property = cria_window_set_property;

  window_class->close_request = cria_window_close_request;

  /**
   * CriaWindow:registry:
   *
   * The backends and models the window offers.
   */
  properties [PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL,
                         CRIA_TYPE_BACKEND_REGISTRY,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaWindow:store:
   *
   * Where the window's conversations are saved, or %NULL when they are not.
   */
  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CRIA_TYPE_CHAT_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cria/Cria/ui/cria-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, title_stack);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, model_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, models_button);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, sidebar_button);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, chat_list);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, connecting_spinner);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, offline_page);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, offline_error_label);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, offline_retry_label);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, browse_models_button);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, no_models_page);
  gtk_widget_class_bind_template_child (widget_class, CriaWindow, chat_page);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "win.show-models", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-chat", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-sidebar", NULL);

  g_type_ensure (CRIA_TYPE_CHAT_LIST);
  g_type_ensure (CRIA_TYPE_CHAT_PAGE);
  g_type_ensure (CRIA_TYPE_MODELS_PAGE);
}

/* GTK 4.8 leaves the parts of a GtkDropDown unnamed: a screen reader
 * announces the button that takes the focus as "GtkToggleButton", and the
 * search entry and list of its popover by their type names too. */
static void
name_drop_down_parts (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_TOGGLE_BUTTON (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Model"),
                                        -1);
      else if (GTK_IS_SEARCH_ENTRY (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Search Models"),
                                        -1);
      else if (GTK_IS_LIST_VIEW (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, _("Models"),
                                        -1);

      name_drop_down_parts (child);
    }
}

static void
cria_window_init (CriaWindow *self)
{
  g_autoptr(CriaChatSession) session = NULL;

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
  self->backends = g_ptr_array_new_with_free_func (g_object_unref);
  self->background = g_ptr_array_new_with_free_func (g_object_unref);
  self->notifications = g_ptr_array_new_with_free_func (g_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* GTK 4.8 names a button with a mnemonic label "_Retry Now Retry Now";
   * without the label property the name comes from the visible label. */
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->retry_button), GTK_ACCESSIBLE_PROPERTY_LABEL);
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->refresh_button), GTK_ACCESSIBLE_PROPERTY_LABEL);
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->browse_models_button), GTK_ACCESSIBLE_PROPERTY_LABEL);
  name_drop_down_parts (GTK_WIDGET (self->model_dropdown));

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  cria_chat_page_set_cancellable (self->chat_page, self->cancellable);
  session = cria_chat_session_new ();
  set_session (self, session);

  g_signal_connect_object (self->flap, "notify::reveal-flap",
                           G_CALLBACK (update_title_buttons),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flap, "notify::folded",
                           G_CALLBACK (update_title_buttons),
                           self, G_CONNECT_SWAPPED);
  update_title_buttons (self);

  _cria_window_actions_init (self);
  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   models_actions,
                                   G_N_ELEMENTS (models_actions),
                                   self);

  load_window_state (self);
}

/**
 * cria_window_new:
 * @application: the application
 *
 * Returns: (transfer none): a new window of @application
 */
CriaWindow *
cria_window_new (CriaApplication *application)
{
  g_return_val_if_fail (CRIA_IS_APPLICATION (application), NULL);

  return g_object_new (CRIA_TYPE_WINDOW,
                       "application", application,
                       "registry", cria_application_get_registry (application),
                       "store", cria_application_get_store (application),
                       NULL);
}

/**
 * cria_window_get_registry:
 * @self: a #CriaWindow
 *
 * Returns: (transfer none): the backends the window offers
 */
CriaBackendRegistry *
cria_window_get_registry (CriaWindow *self)
{
  g_return_val_if_fail (CRIA_IS_WINDOW (self), NULL);

  return self->registry;
}

/**
 * cria_window_get_session:
 * @self: a #CriaWindow
 *
 * Returns: (transfer none): the conversation of the window
 */
CriaChatSession *
cria_window_get_session (CriaWindow *self)
{
  g_return_val_if_fail (CRIA_IS_WINDOW (self), NULL);

  return self->session;
}

/**
 * cria_window_add_toast:
 * @self: a #CriaWindow
 * @title: plain text
 *
 * Shows @title in a toast for a few seconds.
 */
void
cria_window_add_toast (CriaWindow *self,
                       const char *title)
{
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  g_return_if_fail (CRIA_IS_WINDOW (self));
  g_return_if_fail (title != NULL);

  escaped = g_markup_escape_text (title, -1);
  g_free (self->last_toast);
  self->last_toast = g_strdup (title);

  /* libadwaita 1.2 reads a toast's title as markup */
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * _cria_window_add_notice:
 *
 * A toast that stays until it is dismissed, for what the user must not
 * miss, such as a damaged chat history.
 */
void
_cria_window_add_notice (CriaWindow *self,
                         const char *title)
{
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  g_return_if_fail (CRIA_IS_WINDOW (self));
  g_return_if_fail (title != NULL);

  escaped = g_markup_escape_text (title, -1);
  g_free (self->last_toast);
  self->last_toast = g_strdup (title);

  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

const char *
_cria_window_get_last_toast (CriaWindow *self)
{
  g_return_val_if_fail (CRIA_IS_WINDOW (self), NULL);

  return self->last_toast;
}
