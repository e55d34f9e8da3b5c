/* cria-models-page.c: the models of every backend: install, remove, inspect
 *
 * From top to bottom: the downloads (running and finished pulls of every
 * backend, which live in the backends' model managers, so they survive
 * this page being hidden), "Download a Model" (pull by name, the server to
 * pull to when there are several, and a small catalogue), the models
 * loaded in memory (/api/ps, refreshed while the page is on screen), and
 * the installed models of each backend, filtered by name.
 *
 * What the rows offer goes through the `model.*` actions of this page,
 * with the backend id and the model name as target: `model.show`,
 * `model.remove`, `model.copy`, `model.create`, `model.unload`, and
 * `model.pull` with a name, for the catalogue.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-models-page"

#include "cria-config.h"

#include <glib/gi18n.h>

#include "cria-a11y.h"
#include "cria-create-model-dialog.h"
#include "cria-error-text.h"
#include "cria-model-catalog.h"
#include "cria-model-details-window.h"
#include "cria-model-row.h"
#include "cria-models-page.h"
#include "cria-models-page-private.h"
#include "cria-pull-row.h"

/* How often the running models are asked for while the page is shown */
#define RUNNING_REFRESH_SECONDS 5

typedef struct
{
  CriaModelsPage     *self;        /* borrowed: the page owns the groups */
  CriaBackend        *backend;
  GtkWidget          *group;
  GtkListBox         *list_box;
  GtkLabel           *placeholder;
  GtkFilterListModel *filtered;
} InstalledGroup;

struct _CriaModelsPage
{
  GtkWidget            parent_instance;

  /* Template Widgets */
  GtkScrolledWindow   *scroller;
  GtkWidget           *downloads_group;
  GtkListBox          *pulls_box;
  AdwPreferencesGroup *pull_group;
  AdwEntryRow         *pull_row;
  GtkWidget           *pull_button;
  AdwComboRow         *server_row;
  AdwExpanderRow      *catalog_row;
  GtkLabel            *pull_error_label;
  GtkWidget           *running_group;
  GtkListBox          *running_box;
  GtkSearchEntry      *search_entry;
  GtkBox              *installed_box;

  /* Owned References */
  CriaBackendRegistry *registry;
  GListModel          *pulls;            /* of CriaPull, every backend's */
  GListModel          *running;          /* of CriaRunningModel, every backend's */
  GtkStringFilter     *name_filter;
  GPtrArray           *installed_groups; /* of InstalledGroup */
  GHashTable          *watched_pulls;    /* CriaPull set */
  GPtrArray           *catalog_buttons;
  GPtrArray           *catalog_installed;
  GCancellable        *cancellable;
  char                *last_toast;       /* for the tests */

  /* Borrowed References (weak pointers), for the tests */
  GtkWidget           *remove_dialog;
  GtkWidget           *details_window;
  GtkWidget           *create_dialog;

  guint                running_timeout_id;
};

G_DEFINE_FINAL_TYPE (CriaModelsPage, cria_models_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_REGISTRY,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void update_catalog (CriaModelsPage *self);

/* Helpers --------------------------------------------------------------- */

static void
show_toast (CriaModelsPage *self,
            const char     *title)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *toast;

  g_free (self->last_toast);
  self->last_toast = g_strdup (title);

  if (overlay == NULL)
    return;

  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static GtkWindow *
get_window (CriaModelsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* Borrowed: the registry keeps its backends */
static CriaBackend *
get_backend (CriaModelsPage *self,
             guint           position)
{
  g_autoptr(CriaBackend) backend = NULL;

  if (self->registry == NULL)
    return NULL;

  backend = g_list_model_get_item (G_LIST_MODEL (self->registry), position);

  return backend;
}

static guint
get_n_backends (CriaModelsPage *self)
{
  return self->registry ? g_list_model_get_n_items (G_LIST_MODEL (self->registry)) : 0;
}

/* The backend downloads go to: the chosen server, or the only one */
static CriaBackend *
get_target_backend (CriaModelsPage *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->server_row)))
    {
      gpointer item = adw_combo_row_get_selected_item (self->server_row);

      if (item != NULL)
        return CRIA_BACKEND (item);
    }

  return get_backend (self, 0);
}

static CriaModel *
find_model (CriaModelsPage  *self,
            GVariant        *target,
            CriaBackend    **out_backend)
{
  const char *id;
  const char *name;
  CriaBackend *backend;

  g_variant_get (target, "(&s&s)", &id, &name);

  backend = self->registry ? cria_backend_registry_find (self->registry, id) : NULL;
  if (out_backend != NULL)
    *out_backend = backend;

  return backend ? cria_backend_find_model (backend, name) : NULL;
}

/* Pulling --------------------------------------------------------------- */

static void
show_pull_error (CriaModelsPage *self,
                 const char     *text)
{
  gtk_label_set_text (self->pull_error_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->pull_error_label), text != NULL);

  if (text != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->pull_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->pull_row), "error");
}

/**
 * cria_models_page_pull:
 * @self: a #CriaModelsPage
 * @backend: where to pull to
 * @name: the model
 * @error: return location for an error
 *
 * Starts pulling @name, shown among the downloads of the page.
 *
 * Returns: (transfer full) (nullable): the pull, or %NULL with @error set
 */
CriaPull *
cria_models_page_pull (CriaModelsPage  *self,
                       CriaBackend     *backend,
                       const char      *name,
                       GError         **error)
{
  g_return_val_if_fail (CRIA_IS_MODELS_PAGE (self), NULL);
  g_return_val_if_fail (CRIA_IS_BACKEND (backend), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_debug ("Pulling %s to %s", name, cria_backend_get_base_url (backend));

  return cria_model_manager_pull (cria_backend_get_model_manager (backend), name, error);
}

/* Pulls @name to the chosen server; an error goes under the name entry */
static gboolean
start_pull (CriaModelsPage *self,
            const char     *name)
{
  g_autoptr(CriaPull) pull = NULL;
  g_autoptr(GError) error = NULL;
  CriaBackend *backend;

  if (!cria_model_name_validate (name, NULL))
    {
      g_autofree char *text = NULL;

      /* Translators: %s is what the user typed as a model name */
      text = g_strdup_printf (_("“%s” is not a model name. Names look like qwen3:0.6b, "
                                "namespace/model:tag or hf.co/user/repository."),
                              name);
      show_pull_error (self, text);
      return FALSE;
    }

  backend = get_target_backend (self);
  if (backend == NULL)
    {
      show_pull_error (self, _("There is no Ollama server to download to."));
      return FALSE;
    }

  pull = cria_models_page_pull (self, backend, name, &error);
  if (pull == NULL)
    {
      g_autofree char *text = cria_error_text_describe (error, name);

      show_pull_error (self, text);
      return FALSE;
    }

  show_pull_error (self, NULL);

  return TRUE;
}

static void
pull_activated_cb (CriaModelsPage *self)
{
  g_autofree char *name = NULL;

  g_assert (CRIA_IS_MODELS_PAGE (self));

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->pull_row))));
  if (name[0] == '\0')
    return;

  if (start_pull (self, name))
    gtk_editable_set_text (GTK_EDITABLE (self->pull_row), "");
}

static void
pull_changed_cb (CriaModelsPage *self)
{
  g_autofree char *name = NULL;

  g_assert (CRIA_IS_MODELS_PAGE (self));

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->pull_row))));
  gtk_widget_set_sensitive (self->pull_button, name[0] != '\0');

  /* The error was about what was there before */
  if (gtk_widget_get_visible (GTK_WIDGET (self->pull_error_label)))
    show_pull_error (self, NULL);
}

static void
pull_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CriaModelsPage *self = CRIA_MODELS_PAGE (widget);

  start_pull (self, g_variant_get_string (param, NULL));
}

/* The downloads ---------------------------------------------------------- */

static void
send_pull_notification (CriaModelsPage *self,
                        CriaPull       *pull)
{
  GtkWindow *window = get_window (self);
  GApplication *application = window ? G_APPLICATION (gtk_window_get_application (window)) : NULL;
  const char *model = cria_pull_get_model (pull);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;

  /* The user sees it happen */
  if (window == NULL || gtk_window_is_active (window) || application == NULL)
    return;

  if (cria_pull_get_state (pull) == CRIA_PULL_STATE_SUCCEEDED)
    {
      notification = g_notification_new (_("Download Complete"));
      /* Translators: %s is a model name */
      body = g_strdup_printf (_("%s is ready to chat with."), model);
    }
  else if (cria_pull_get_state (pull) == CRIA_PULL_STATE_FAILED)
    {
      const GError *error = cria_pull_get_error (pull);

      notification = g_notification_new (_("Download Failed"));
      body = error ? cria_pull_row_describe_error (error, model) : NULL;
    }
  else
    {
      return;
    }

  if (body != NULL)
    g_notification_set_body (notification, body);
  g_notification_set_default_action (notification, "app.show-models");

  id = g_strdup_printf ("pull-%s", model);
  g_application_send_notification (application, id, notification);
}

static void
pull_state_cb (CriaModelsPage *self,
               GParamSpec     *pspec,
               CriaPull       *pull)
{
  g_assert (CRIA_IS_MODELS_PAGE (self));

  if (cria_pull_get_state (pull) == CRIA_PULL_STATE_RUNNING)
    return;

  g_debug ("The pull of %s ended in state %d", cria_pull_get_model (pull), cria_pull_get_state (pull));

  send_pull_notification (self, pull);
}

static void
pulls_changed_cb (CriaModelsPage *self,
                  guint           position,
                  guint           removed,
                  guint           added,
                  GListModel     *pulls)
{
  g_assert (CRIA_IS_MODELS_PAGE (self));

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CriaPull) pull = g_list_model_get_item (pulls, i);

      if (!g_hash_table_add (self->watched_pulls, g_object_ref (pull)))
        continue;

      g_signal_connect_object (pull, "notify::state",
                               G_CALLBACK (pull_state_cb),
                               self, G_CONNECT_SWAPPED);
    }

  gtk_widget_set_visible (self->downloads_group, g_list_model_get_n_items (pulls) > 0);
}

static void
pull_row_retry_cb (CriaModelsPage *self,
                   CriaPullRow    *row)
{
  CriaPull *pull = cria_pull_row_get_pull (row);
  g_autoptr(CriaBackend) backend = cria_pull_dup_backend (pull);
  g_autoptr(CriaPull) again = NULL;
  g_autoptr(GError) error = NULL;

  g_assert (CRIA_IS_MODELS_PAGE (self));

  if (backend == NULL)
    return;

  /* The manager replaces the finished pull with the new one */
  again = cria_models_page_pull (self, backend, cria_pull_get_model (pull), &error);
  if (again == NULL)
    {
      g_autofree char *text = cria_error_text_describe (error, cria_pull_get_model (pull));

      show_toast (self, text);
    }
}

static void
pull_row_dismiss_cb (CriaModelsPage *self,
                     CriaPullRow    *row)
{
  CriaPull *pull = cria_pull_row_get_pull (row);
  g_autoptr(CriaBackend) backend = cria_pull_dup_backend (pull);
  gboolean had_focus = gtk_widget_get_focus_child (GTK_WIDGET (row)) != NULL;

  g_assert (CRIA_IS_MODELS_PAGE (self));

  if (backend != NULL)
    cria_model_manager_dismiss_pull (cria_backend_get_model_manager (backend), pull);

  /* The row is gone: the keyboard goes back where downloads start */
  if (had_focus)
    gtk_widget_grab_focus (GTK_WIDGET (self->pull_row));
}

static GtkWidget *
create_pull_row_cb (gpointer item,
                    gpointer user_data)
{
  CriaModelsPage *self = CRIA_MODELS_PAGE (user_data);
  GtkWidget *row = cria_pull_row_new (CRIA_PULL (item));

  g_signal_connect_object (row, "retry", G_CALLBACK (pull_row_retry_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "dismiss", G_CALLBACK (pull_row_dismiss_cb), self, G_CONNECT_SWAPPED);

  return row;
}

static gpointer
map_pulls_cb (gpointer item,
              gpointer user_data)
{
  g_autoptr(CriaBackend) backend = item;

  return g_object_ref (cria_model_manager_get_pulls (cria_backend_get_model_manager (backend)));
}

/* Running models -------------------------------------------------------- */

/**
 * cria_models_page_format_running:
 * @size: bytes the model takes in memory
 * @size_vram: bytes of that in video memory
 * @expires_at: (nullable): when the server unloads it
 * @forever: whether it stays loaded
 * @now: the current time
 *
 * Returns: (transfer full): e.g. “2.0 GB in memory · on the GPU · unloads
 *   in 4 minutes”
 */
char *
cria_models_page_format_running (gint64     size,
                                 gint64     size_vram,
                                 GDateTime *expires_at,
                                 gboolean   forever,
                                 GDateTime *now)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (size > 0)
    {
      g_autofree char *memory = g_format_size ((guint64) size);

      /* Translators: %s is a size, e.g. “2.0 GB” */
      g_ptr_array_add (parts, g_strdup_printf (_("%s in memory"), memory));

      if (size_vram >= size)
        g_ptr_array_add (parts, g_strdup (_("on the GPU")));
      else if (size_vram > 0)
        /* Translators: the share of a model in video memory, e.g. “40 % on the GPU” */
        g_ptr_array_add (parts, g_strdup_printf (_("%d %% on the GPU"),
                                                 (int) (size_vram * 100 / size)));
      else
        g_ptr_array_add (parts, g_strdup (_("on the CPU")));
    }

  if (forever)
    {
      g_ptr_array_add (parts, g_strdup (_("stays loaded")));
    }
  else if (expires_at != NULL)
    {
      GTimeSpan left = g_date_time_difference (expires_at, now);

      if (left <= 0)
        g_ptr_array_add (parts, g_strdup (_("unloading")));
      else if (left < G_TIME_SPAN_MINUTE)
        g_ptr_array_add (parts, g_strdup (_("unloads in less than a minute")));
      else if (left < 90 * G_TIME_SPAN_MINUTE)
        {
          gulong minutes = (gulong) ((left + G_TIME_SPAN_MINUTE - 1) / G_TIME_SPAN_MINUTE);

          g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "unloads in %lu minute",
                                                                "unloads in %lu minutes",
                                                                minutes),
                                                   minutes));
        }
      else
        {
          gulong hours = (gulong) ((left + G_TIME_SPAN_HOUR / 2) / G_TIME_SPAN_HOUR);

          g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "unloads in %lu hour",
                                                                "unloads in %lu hours",
                                                                hours),
                                                   hours));
        }
    }

  g_ptr_array_add (parts, NULL);

  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* The backend whose running list holds @running: the flattened list
 * does not say */
static CriaBackend *
find_running_backend (CriaModelsPage   *self,
                      CriaRunningModel *running)
{
  guint n_backends = get_n_backends (self);

  for (guint i = 0; i < n_backends; i++)
    {
      CriaBackend *backend = get_backend (self, i);
      GListModel *list = cria_model_manager_get_running (cria_backend_get_model_manager (backend));
      guint n = g_list_model_get_n_items (list);

      for (guint j = 0; j < n; j++)
        {
          g_autoptr(CriaRunningModel) item = g_list_model_get_item (list, j);

          if (item == running)
            return backend;
        }
    }

  return NULL;
}

static GtkWidget *
create_running_row_cb (gpointer item,
                       gpointer user_data)
{
  CriaModelsPage *self = CRIA_MODELS_PAGE (user_data);
  CriaRunningModel *running = CRIA_RUNNING_MODEL (item);
  CriaBackend *backend = find_running_backend (self, running);
  const char *name = cria_running_model_get_name (running);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *subtitle = NULL;
  g_autofree char *button_label = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_label (_("Unload"));

  subtitle = cria_models_page_format_running (cria_running_model_get_size (running),
                                              cria_running_model_get_size_vram (running),
                                              cria_running_model_get_expires_at (running),
                                              cria_running_model_get_forever (running),
                                              now);
  if (backend != NULL && get_n_backends (self) > 1)
    {
      g_autofree char *with_backend = g_strdup_printf ("%s · %s", cria_backend_get_title (backend), subtitle);

      g_free (subtitle);
      subtitle = g_steal_pointer (&with_backend);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Free the memory it takes"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "model.unload");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)",
                                    backend ? cria_backend_get_id (backend) : "", name);
  /* Translators: %s is a model name; the name of a button */
  button_label = g_strdup_printf (_("Unload %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, button_label, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static gpointer
map_running_cb (gpointer item,
                gpointer user_data)
{
  g_autoptr(CriaBackend) backend = item;

  return g_object_ref (cria_model_manager_get_running (cria_backend_get_model_manager (backend)));
}

static void
running_changed_cb (CriaModelsPage *self,
                    guint           position,
                    guint           removed,
                    guint           added,
                    GListModel     *running)
{
  g_assert (CRIA_IS_MODELS_PAGE (self));

  gtk_widget_set_visible (self->running_group, g_list_model_get_n_items (running) > 0);
}

static void
refresh_running_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The list stays as it was; the backend's own status says more */
  if (!cria_model_manager_refresh_running_finish (CRIA_MODEL_MANAGER (object), result, &error))
    g_debug ("Could not list the running models: %s", error->message);
}

/**
 * cria_models_page_refresh_running:
 * @self: a #CriaModelsPage
 *
 * Asks every backend that answers which models it has loaded.
 */
void
cria_models_page_refresh_running (CriaModelsPage *self)
{
  guint n_backends;

  g_return_if_fail (CRIA_IS_MODELS_PAGE (self));

  n_backends = get_n_backends (self);
  for (guint i = 0; i < n_backends; i++)
    {
      CriaBackend *backend = get_backend (self, i);

      if (cria_backend_get_status (backend) != CRIA_BACKEND_STATUS_ONLINE)
        continue;

      cria_model_manager_refresh_running_async (cria_backend_get_model_manager (backend),
                                                self->cancellable,
                                                refresh_running_cb,
                                                NULL);
    }
}

static gboolean
running_timeout_cb (gpointer user_data)
{
  cria_models_page_refresh_running (CRIA_MODELS_PAGE (user_data));

  return G_SOURCE_CONTINUE;
}

static void
unload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CriaModelsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (cria_model_manager_unload_finish (CRIA_MODEL_MANAGER (object), result, &error))
    return;

  if (!cria_error_text_is_cancelled (error))
    {
      g_autofree char *text = cria_error_text_describe (error, NULL);

      show_toast (self, text);
    }
}

static void
unload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  CriaModelsPage *self = CRIA_MODELS_PAGE (widget);
  const char *id;
  const char *name;
  CriaBackend *backend;

  g_variant_get (param, "(&s&s)", &id, &name);
  backend = self->registry ? cria_backend_registry_find (self->registry, id) : NULL;
  if (backend == NULL)
    return;

  g_debug ("Unloading %s", name);

  cria_model_manager_unload_async (cria_backend_get_model_manager (backend),
                                   name,
                                   self->cancellable,
                                   unload_cb,
                                   g_object_ref (self));
}

/* Installed models ------------------------------------------------------ */

static void
installed_group_free (InstalledGroup *group)
{
  g_signal_handlers_disconnect_by_data (group->backend, group);
  g_signal_handlers_disconnect_by_data (cria_backend_get_models (group->backend), group);
  gtk_list_box_bind_model (group->list_box, NULL, NULL, NULL, NULL);
  g_clear_object (&group->filtered);
  g_clear_object (&group->backend);
  g_free (group);
}

static void
update_installed_group (InstalledGroup *group)
{
  CriaModelsPage *self = group->self;
  const char *search = gtk_string_filter_get_search (self->name_filter);
  g_autofree char *text = NULL;
  guint n_models = g_list_model_get_n_items (cria_backend_get_models (group->backend));

  switch (cria_backend_get_status (group->backend))
    {
    case CRIA_BACKEND_STATUS_OFFLINE:
      if (n_models == 0)
        text = g_strdup (_("Can’t reach this server"));
      break;

    case CRIA_BACKEND_STATUS_UNKNOWN:
    case CRIA_BACKEND_STATUS_CONNECTING:
      if (n_models == 0)
        text = g_strdup (_("Connecting…"));
      break;

    case CRIA_BACKEND_STATUS_ONLINE:
    default:
      break;
    }

  if (text == NULL)
    {
      if (n_models > 0 && search != NULL && search[0] != '\0')
        /* Translators: %s is what the user typed to filter the models */
        text = g_strdup_printf (_("No installed model matches “%s”"), search);
      else
        text = g_strdup (_("No models installed yet"));
    }

  gtk_label_set_text (group->placeholder, text);

  if (get_n_backends (self) > 1)
    {
      const char *description = NULL;

      if (cria_backend_get_status (group->backend) == CRIA_BACKEND_STATUS_OFFLINE)
        description = _("Can’t reach this server; its list may be out of date");

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group->group),
                                       cria_backend_get_title (group->backend));
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group->group), description);
    }
}

static void
installed_backend_notify_cb (InstalledGroup *group,
                             GParamSpec     *pspec,
                             CriaBackend    *backend)
{
  update_installed_group (group);
}

static void
installed_models_changed_cb (InstalledGroup *group,
                             guint           position,
                             guint           removed,
                             guint           added,
                             GListModel     *models)
{
  update_installed_group (group);
  update_catalog (group->self);
}

static GtkWidget *
create_model_row_cb (gpointer item,
                     gpointer user_data)
{
  return cria_model_row_new (CRIA_MODEL (item));
}

static InstalledGroup *
installed_group_new (CriaModelsPage *self,
                     CriaBackend    *backend)
{
  InstalledGroup *group = g_new0 (InstalledGroup, 1);
  GListModel *models = cria_backend_get_models (backend);
  g_autofree char *list_label = NULL;

  group->self = self;
  group->backend = g_object_ref (backend);
  group->group = adw_preferences_group_new ();
  group->list_box = GTK_LIST_BOX (gtk_list_box_new ());
  group->placeholder = GTK_LABEL (gtk_label_new (NULL));
  group->filtered = gtk_filter_list_model_new (g_object_ref (models),
                                               g_object_ref (GTK_FILTER (self->name_filter)));

  gtk_label_set_wrap (group->placeholder, TRUE);
  gtk_label_set_justify (group->placeholder, GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (group->placeholder), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (group->placeholder), "models-placeholder");

  gtk_list_box_set_selection_mode (group->list_box, GTK_SELECTION_NONE);
  gtk_list_box_set_placeholder (group->list_box, GTK_WIDGET (group->placeholder));
  gtk_widget_add_css_class (GTK_WIDGET (group->list_box), "boxed-list");
  if (get_n_backends (self) > 1)
    /* Translators: %s is the name of a server; the name of a list */
    list_label = g_strdup_printf (_("Models on %s"), cria_backend_get_title (backend));
  else
    list_label = g_strdup (_("Installed Models"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (group->list_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, list_label, -1);
  gtk_list_box_bind_model (group->list_box, G_LIST_MODEL (group->filtered),
                           create_model_row_cb, NULL, NULL);

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group->group), GTK_WIDGET (group->list_box));

  g_signal_connect_swapped (backend, "notify::status",
                            G_CALLBACK (installed_backend_notify_cb), group);
  g_signal_connect_swapped (backend, "notify::title",
                            G_CALLBACK (installed_backend_notify_cb), group);
  g_signal_connect_swapped (models, "items-changed",
                            G_CALLBACK (installed_models_changed_cb), group);

  update_installed_group (group);

  return group;
}

static void
rebuild_installed (CriaModelsPage *self)
{
  GtkWidget *child;
  guint n_backends = get_n_backends (self);

  g_ptr_array_set_size (self->installed_groups, 0);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->installed_box))) != NULL)
    gtk_box_remove (self->installed_box, child);

  for (guint i = 0; i < n_backends; i++)
    {
      InstalledGroup *group = installed_group_new (self, get_backend (self, i));

      gtk_box_append (self->installed_box, group->group);
      g_ptr_array_add (self->installed_groups, group);
    }

  /* Several servers: say which one downloads go to */
  gtk_widget_set_visible (GTK_WIDGET (self->server_row), n_backends > 1);

  update_catalog (self);
}

static void
registry_changed_cb (CriaModelsPage *self,
                     guint           position,
                     guint           removed,
                     guint           added,
                     GListModel     *registry)
{
  g_assert (CRIA_IS_MODELS_PAGE (self));

  rebuild_installed (self);
}

static void
search_changed_cb (CriaModelsPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  g_assert (CRIA_IS_MODELS_PAGE (self));

  gtk_string_filter_set_search (self->name_filter, text[0] != '\0' ? text : NULL);

  for (guint i = 0; i < self->installed_groups->len; i++)
    update_installed_group (g_ptr_array_index (self->installed_groups, i));
}

static void
stop_search_cb (CriaModelsPage *self)
{
  g_assert (CRIA_IS_MODELS_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

/* The catalogue --------------------------------------------------------- */

static void
update_catalog (CriaModelsPage *self)
{
  CriaBackend *backend = get_target_backend (self);
  const CriaCatalogEntry *entries;
  guint n_entries;

  entries = cria_model_catalog_get_entries (&n_entries);

  for (guint i = 0; i < n_entries && i < self->catalog_buttons->len; i++)
    {
      gboolean installed = backend != NULL && cria_backend_find_model (backend, entries[i].name) != NULL;

      gtk_widget_set_visible (g_ptr_array_index (self->catalog_buttons, i), !installed);
      gtk_widget_set_visible (g_ptr_array_index (self->catalog_installed, i), installed);
    }
}

static void
server_selected_cb (CriaModelsPage *self)
{
  g_assert (CRIA_IS_MODELS_PAGE (self));

  update_catalog (self);
}

static void
build_catalog (CriaModelsPage *self)
{
  const CriaCatalogEntry *entries;
  guint n_entries;

  entries = cria_model_catalog_get_entries (&n_entries);

  for (guint i = 0; i < n_entries; i++)
    {
      g_autofree char *size = g_format_size (entries[i].size);
      g_autofree char *subtitle = NULL;
      g_autofree char *button_label = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *badges = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
      GtkWidget *installed = gtk_label_new (_("Installed"));
      GtkWidget *button = gtk_button_new_from_icon_name ("folder-download-symbolic");

      /* Translators: a description of a model, then its download size, e.g. “2.0 GB” */
      subtitle = g_strdup_printf (_("%s · %s"), _(entries[i].description), size);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), entries[i].name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

      gtk_widget_set_valign (badges, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (badges, "badges");
      cria_model_row_fill_badges (GTK_BOX (badges), entries[i].capabilities);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), badges);

      gtk_widget_set_visible (installed, FALSE);
      gtk_widget_set_valign (installed, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (installed, "dim-label");
      gtk_widget_add_css_class (installed, "caption");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), installed);

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, _("Download"));
      gtk_widget_add_css_class (button, "flat");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "model.pull");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", entries[i].name);
      /* Translators: %s is a model name; the name of a button */
      button_label = g_strdup_printf (_("Download %s"), entries[i].name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, button_label, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

      adw_expander_row_add_row (self->catalog_row, row);
      g_ptr_array_add (self->catalog_buttons, button);
      g_ptr_array_add (self->catalog_installed, installed);
    }

  /* The expander's own list goes unnamed in libadwaita 1.2 */
  cria_a11y_name_list_boxes (GTK_WIDGET (self->catalog_row), _("Popular Models"));
}

/* Remove ---------------------------------------------------------------- */

typedef struct
{
  CriaModelsPage *self;
  char           *name;
} RemoveData;

static void
remove_data_free (RemoveData *data)
{
  g_clear_object (&data->self);
  g_free (data->name);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemoveData, remove_data_free)

static void
remove_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RemoveData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (cria_model_manager_remove_finish (CRIA_MODEL_MANAGER (object), result, &error))
    /* Translators: %s is a model name */
    text = g_strdup_printf (_("Removed %s"), data->name);
  else if (cria_error_text_is_cancelled (error))
    return;
  else if (g_error_matches (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND))
    /* Translators: %s is a model name */
    text = g_strdup_printf (_("%s was removed already"), data->name);
  else
    text = cria_error_text_describe (error, data->name);

  show_toast (data->self, text);
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    CriaModelsPage   *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "backend-id");
  const char *name = g_object_get_data (G_OBJECT (dialog), "model-name");
  CriaBackend *backend;
  RemoveData *data;

  if (!g_str_equal (response, "remove"))
    return;

  backend = self->registry ? cria_backend_registry_find (self->registry, id) : NULL;
  if (backend == NULL)
    return;

  g_debug ("Removing %s from %s", name, cria_backend_get_base_url (backend));

  data = g_new0 (RemoveData, 1);
  data->self = g_object_ref (self);
  data->name = g_strdup (name);

  cria_model_manager_remove_async (cria_backend_get_model_manager (backend),
                                   name,
                                   self->cancellable,
                                   remove_cb,
                                   data);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  CriaModelsPage *self = CRIA_MODELS_PAGE (widget);
  CriaBackend *backend = NULL;
  CriaModel *model = find_model (self, param, &backend);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *size = NULL;
  const char *name;
  GtkWidget *dialog;

  if (model == NULL)
    {
      g_autofree char *text = NULL;
      const char *missing;

      g_variant_get (param, "(&s&s)", NULL, &missing);
      text = g_strdup_printf (_("%s was removed already"), missing);
      show_toast (self, text);
      return;
    }

  name = cria_model_get_name (model);
  size = g_format_size ((guint64) MAX (cria_model_get_size (model), 0));

  /* Translators: %s is a model name; the title of a dialog */
  heading = g_strdup_printf (_("Remove %s?"), name);
  /* Translators: the first %s is a model name, the second its size (“2.0 GB”), the
   * third the name of a server */
  body = g_strdup_printf (_("%s (%s) will be deleted from %s. Chats that use it will "
                            "ask for another model."),
                          name, size, cria_backend_get_title (backend));

  dialog = adw_message_dialog_new (get_window (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "backend-id",
                          g_strdup (cria_backend_get_id (backend)), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "model-name", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);

  g_set_weak_pointer (&self->remove_dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Details, copy, create -------------------------------------------------- */

static void
show_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CriaModelsPage *self = CRIA_MODELS_PAGE (widget);
  CriaModel *model = find_model (self, param, NULL);
  CriaModelDetailsWindow *window;

  if (model == NULL)
    return;

  window = cria_model_details_window_new (model);
  gtk_window_set_transient_for (GTK_WINDOW (window), get_window (self));
  g_set_weak_pointer (&self->details_window, GTK_WIDGET (window));
  gtk_window_present (GTK_WINDOW (window));
}

static void
created_cb (CriaModelsPage        *self,
            const char            *name,
            CriaCreateModelDialog *dialog)
{
  g_autofree char *text = NULL;

  g_assert (CRIA_IS_MODELS_PAGE (self));

  /* Translators: %s is a model name */
  text = g_strdup_printf (_("Created %s"), name);
  show_toast (self, text);
}

static void
open_create_dialog (CriaModelsPage      *self,
                    GVariant            *param,
                    CriaCreateModelMode  mode)
{
  CriaModel *model = find_model (self, param, NULL);
  CriaCreateModelDialog *dialog;

  if (model == NULL)
    return;

  dialog = cria_create_model_dialog_new (model, mode);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), get_window (self));
  g_signal_connect_object (dialog, "created", G_CALLBACK (created_cb), self, G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->create_dialog, GTK_WIDGET (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  open_create_dialog (CRIA_MODELS_PAGE (widget), param, CRIA_CREATE_MODEL_MODE_COPY);
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  open_create_dialog (CRIA_MODELS_PAGE (widget), param, CRIA_CREATE_MODEL_MODE_VARIANT);
}

/* GtkWidget ------------------------------------------------------------- */

static void
cria_models_page_map (GtkWidget *widget)
{
  CriaModelsPage *self = CRIA_MODELS_PAGE (widget);

  GTK_WIDGET_CLASS (cria_models_page_parent_class)->map (widget);

  /* Models pulled or removed elsewhere (`ollama pull`) show up */
  for (guint i = 0; i < get_n_backends (self); i++)
    {
      CriaBackend *backend = get_backend (self, i);

      if (cria_backend_get_status (backend) == CRIA_BACKEND_STATUS_ONLINE)
        cria_backend_refresh_models (backend);
    }

  /* Loaded models come and go with the chats: look while on screen */
  cria_models_page_refresh_running (self);
  if (self->running_timeout_id == 0)
    self->running_timeout_id = g_timeout_add_seconds (RUNNING_REFRESH_SECONDS,
                                                      running_timeout_cb, self);
}

static void
cria_models_page_unmap (GtkWidget *widget)
{
  CriaModelsPage *self = CRIA_MODELS_PAGE (widget);

  g_clear_handle_id (&self->running_timeout_id, g_source_remove);

  GTK_WIDGET_CLASS (cria_models_page_parent_class)->unmap (widget);
}

static gboolean
cria_models_page_grab_focus (GtkWidget *widget)
{
  CriaModelsPage *self = CRIA_MODELS_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->pull_row));
}

/* GObject --------------------------------------------------------------- */

static void
cria_models_page_dispose (GObject *object)
{
  CriaModelsPage *self = CRIA_MODELS_PAGE (object);
  GHashTableIter iter;
  gpointer pull;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->running_timeout_id, g_source_remove);

  cria_models_page_set_registry (self, NULL);

  if (self->watched_pulls != NULL)
    {
      g_hash_table_iter_init (&iter, self->watched_pulls);
      while (g_hash_table_iter_next (&iter, &pull, NULL))
        g_signal_handlers_disconnect_by_data (pull, self);
    }

  g_clear_weak_pointer (&self->remove_dialog);
  g_clear_weak_pointer (&self->details_window);
  g_clear_weak_pointer (&self->create_dialog);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIA_TYPE_MODELS_PAGE);

  g_clear_pointer (&self->watched_pulls, g_hash_table_unref);
  g_clear_pointer (&self->installed_groups, g_ptr_array_unref);
  g_clear_pointer (&self->catalog_buttons, g_ptr_array_unref);
  g_clear_pointer (&self->catalog_installed, g_ptr_array_unref);
  g_clear_object (&self->name_filter);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_toast, g_free);

  G_OBJECT_CLASS (cria_models_page_parent_class)->dispose (object);
}

static void
cria_models_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CriaModelsPage *self = CRIA_MODELS_PAGE (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_models_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CriaModelsPage *self = CRIA_MODELS_PAGE (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      cria_models_page_set_registry (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_models_page_class_init (CriaModelsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cria_models_page_dispose;
  object_class->get_property = cria_models_page_get_property;
  object_class->set_property = cria_models_page_set_property;

  widget_class->map = cria_models_page_map;
  widget_class->unmap = cria_models_page_unmap;
  widget_class->grab_focus = cria_models_page_grab_focus;

  /**
   * CriaModelsPage:registry:
   *
   * The backends whose models are shown.
   */
  properties [PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL,
                         CRIA_TYPE_BACKEND_REGISTRY,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cria/Cria/ui/cria-models-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CriaModelsPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, CriaModelsPage, downloads_group);
  gtk_widget_class_bind_template_child (widget_class, CriaModelsPage, pulls_box);
  gtk_widget_class_bind_template_child (widget_class, CriaModelsPage, pull_group);
  gtk_widget_class_bind_template_child (widget_class, CriaModelsPage, pull_row);
  gtk_widget_class_bind_template_child (widget_class, CriaModelsPage, pull_button);
  gtk_widget_class_bind_template_child (widget_class, CriaModelsPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, CriaModelsPage, catalog_row);
  gtk_widget_class_bind_template_child (widget_class, CriaModelsPage, pull_error_label);
  gtk_widget_class_bind_template_child (widget_class, CriaModelsPage, running_group);
  gtk_widget_class_bind_template_child (widget_class, CriaModelsPage, running_box);
  gtk_widget_class_bind_template_child (widget_class, CriaModelsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CriaModelsPage, installed_box);
  gtk_widget_class_bind_template_callback (widget_class, pull_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, pull_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);

  gtk_widget_class_install_action (widget_class, "model.pull", "s", pull_action);
  gtk_widget_class_install_action (widget_class, "model.show", "(ss)", show_action);
  gtk_widget_class_install_action (widget_class, "model.remove", "(ss)", remove_action);
  gtk_widget_class_install_action (widget_class, "model.copy", "(ss)", copy_action);
  gtk_widget_class_install_action (widget_class, "model.create", "(ss)", create_action);
  gtk_widget_class_install_action (widget_class, "model.unload", "(ss)", unload_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "modelspage");

  g_type_ensure (CRIA_TYPE_PULL_ROW);
  g_type_ensure (CRIA_TYPE_MODEL_ROW);
}

static void
cria_models_page_init (CriaModelsPage *self)
{
  GtkExpression *expression;

  self->cancellable = g_cancellable_new ();
  self->installed_groups = g_ptr_array_new_with_free_func ((GDestroyNotify) installed_group_free);
  self->watched_pulls = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->catalog_buttons = g_ptr_array_new ();
  self->catalog_installed = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));


  expression = gtk_property_expression_new (CRIA_TYPE_MODEL, NULL, "name");
  self->name_filter = gtk_string_filter_new (expression);
  gtk_string_filter_set_match_mode (self->name_filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  gtk_string_filter_set_ignore_case (self->name_filter, TRUE);

  expression = gtk_property_expression_new (CRIA_TYPE_BACKEND, NULL, "title");
  adw_combo_row_set_expression (self->server_row, expression);
  gtk_expression_unref (expression);
  g_signal_connect_object (self->server_row, "notify::selected",
                           G_CALLBACK (server_selected_cb), self, G_CONNECT_SWAPPED);

  build_catalog (self);
}

GtkWidget *
cria_models_page_new (void)
{
  return g_object_new (CRIA_TYPE_MODELS_PAGE, NULL);
}

/**
 * cria_models_page_get_registry:
 * @self: a #CriaModelsPage
 *
 * Returns: (transfer none) (nullable): the backends shown
 */
CriaBackendRegistry *
cria_models_page_get_registry (CriaModelsPage *self)
{
  g_return_val_if_fail (CRIA_IS_MODELS_PAGE (self), NULL);

  return self->registry;
}

void
cria_models_page_set_registry (CriaModelsPage      *self,
                               CriaBackendRegistry *registry)
{
  g_return_if_fail (CRIA_IS_MODELS_PAGE (self));
  g_return_if_fail (!registry || CRIA_IS_BACKEND_REGISTRY (registry));

  if (self->registry == registry)
    return;

  if (self->registry != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->registry, self);
      g_signal_handlers_disconnect_by_data (self->pulls, self);
      g_signal_handlers_disconnect_by_data (self->running, self);
      gtk_list_box_bind_model (self->pulls_box, NULL, NULL, NULL, NULL);
      gtk_list_box_bind_model (self->running_box, NULL, NULL, NULL, NULL);
      adw_combo_row_set_model (self->server_row, NULL);
      g_ptr_array_set_size (self->installed_groups, 0);
      g_clear_object (&self->pulls);
      g_clear_object (&self->running);
      g_clear_object (&self->registry);
    }

  if (registry != NULL)
    {
      GtkMapListModel *pulls_by_backend;
      GtkMapListModel *running_by_backend;

      self->registry = g_object_ref (registry);

      pulls_by_backend = gtk_map_list_model_new (g_object_ref (G_LIST_MODEL (registry)),
                                                 map_pulls_cb, NULL, NULL);
      self->pulls = G_LIST_MODEL (gtk_flatten_list_model_new (G_LIST_MODEL (pulls_by_backend)));
      g_signal_connect_object (self->pulls, "items-changed",
                               G_CALLBACK (pulls_changed_cb), self, G_CONNECT_SWAPPED);
      gtk_list_box_bind_model (self->pulls_box, self->pulls, create_pull_row_cb, self, NULL);
      pulls_changed_cb (self, 0, 0, g_list_model_get_n_items (self->pulls), self->pulls);

      running_by_backend = gtk_map_list_model_new (g_object_ref (G_LIST_MODEL (registry)),
                                                   map_running_cb, NULL, NULL);
      self->running = G_LIST_MODEL (gtk_flatten_list_model_new (G_LIST_MODEL (running_by_backend)));
      g_signal_connect_object (self->running, "items-changed",
                               G_CALLBACK (running_changed_cb), self, G_CONNECT_SWAPPED);
      gtk_list_box_bind_model (self->running_box, self->running, create_running_row_cb, self, NULL);
      running_changed_cb (self, 0, 0, 0, self->running);

      adw_combo_row_set_model (self->server_row, G_LIST_MODEL (registry));

      g_signal_connect_object (registry, "items-changed",
                               G_CALLBACK (registry_changed_cb), self, G_CONNECT_SWAPPED);
    }

  rebuild_installed (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_REGISTRY]);
}

AdwEntryRow *
_cria_models_page_get_pull_row (CriaModelsPage *self)
{
  return self->pull_row;
}

GtkWidget *
_cria_models_page_get_pull_button (CriaModelsPage *self)
{
  return self->pull_button;
}

GtkLabel *
_cria_models_page_get_pull_error_label (CriaModelsPage *self)
{
  return self->pull_error_label;
}

GtkListBox *
_cria_models_page_get_pulls_box (CriaModelsPage *self)
{
  return self->pulls_box;
}

GtkListBox *
_cria_models_page_get_running_box (CriaModelsPage *self)
{
  return self->running_box;
}

GtkSearchEntry *
_cria_models_page_get_search_entry (CriaModelsPage *self)
{
  return self->search_entry;
}

GtkWidget *
_cria_models_page_get_catalog_row (CriaModelsPage *self)
{
  return GTK_WIDGET (self->catalog_row);
}

GtkWidget *
_cria_models_page_get_installed_box (CriaModelsPage *self)
{
  return GTK_WIDGET (self->installed_box);
}

AdwMessageDialog *
_cria_models_page_get_remove_dialog (CriaModelsPage *self)
{
  return self->remove_dialog ? ADW_MESSAGE_DIALOG (self->remove_dialog) : NULL;
}

GtkWindow *
_cria_models_page_get_details_window (CriaModelsPage *self)
{
  return self->details_window ? GTK_WINDOW (self->details_window) : NULL;
}

GtkWindow *
_cria_models_page_get_create_dialog (CriaModelsPage *self)
{
  return self->create_dialog ? GTK_WINDOW (self->create_dialog) : NULL;
}

const char *
_cria_models_page_get_last_toast (CriaModelsPage *self)
{
  return self->last_toast;
}
