/* cria-chat-page.c: a conversation, with its composer
 *
 * Binds one CriaChatSession: the messages in a virtualized GtkListView of
 * CriaMessageRows, the `chat.send` and `chat.stop` actions (enabled from
 * the session's state), what the rows ask for (edit a message and send it
 * again, regenerate the last reply, delete a message), and a view that
 * sticks to the bottom while a reply streams, unless the user scrolled up
 * to read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-chat-page"

#include "cria-config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cria-chat-page.h"
#include "cria-chat-page-private.h"
#include "cria-error-text.h"
#include "cria-message-highlight.h"
#include "cria-message-row.h"
#include "cria-pull-row.h"

/* Within this many pixels of the end counts as “at the bottom”. */
#define BOTTOM_TOLERANCE 4.0

struct _CriaChatPage
{
  GtkWidget          parent_instance;

  /* Template Widgets */
  GtkWidget         *box;
  GtkStack          *stack;
  AdwStatusPage     *empty_page;
  GtkScrolledWindow *scroller;
  GtkListView       *list_view;
  GtkRevealer       *missing_revealer;
  GtkLabel          *missing_label;
  GtkProgressBar    *missing_progress;
  GtkLabel          *missing_status;
  GtkWidget         *missing_download_button;
  GtkWidget         *missing_choose_button;
  CriaComposer      *composer;

  /* Owned References */
  CriaChatSession   *session;
  GSignalGroup      *session_signals;
  GSignalGroup      *backend_signals;  /* the session's backend */
  GSignalGroup      *models_signals;   /* its installed models */
  GSignalGroup      *pulls_signals;    /* its downloads */
  GSignalGroup      *pull_signals;     /* the download of the session's model */
  GtkNoSelection    *selection;
  GCancellable      *cancellable;

  double             last_value;
  guint              scroll_tick_id;
  GdkFrameClock     *scroll_clock;     /* (nullable): while scroll_layout_id */
  gulong             scroll_layout_id;
  guint              stick_to_bottom : 1;
  guint              scrolling : 1;
  guint              upper_moved : 1;  /* since the value last changed */
};

G_DEFINE_FINAL_TYPE (CriaChatPage, cria_chat_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

typedef struct
{
  CriaChatPage *self;
  char         *text;
  GPtrArray    *images;
  guint         n_items_before;
} SendData;

static void
send_data_free (SendData *data)
{
  g_clear_object (&data->self);
  g_clear_pointer (&data->text, g_free);
  g_clear_pointer (&data->images, g_ptr_array_unref);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SendData, send_data_free)

static void
show_toast (CriaChatPage *self,
            const char   *title)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *toast;

  if (overlay == NULL)
    return;

  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static void
update_actions (CriaChatPage *self)
{
  gboolean busy = FALSE;
  gboolean can_send = FALSE;

  if (self->session != NULL)
    {
      busy = cria_chat_session_get_busy (self->session);
      can_send = cria_chat_session_can_send (self->session) &&
                 !cria_composer_get_empty (self->composer) &&
                 !cria_composer_get_loading (self->composer);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.send", can_send && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.stop", busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.regenerate",
                                 self->session != NULL &&
                                 cria_chat_session_can_regenerate (self->session));
  cria_composer_set_busy (self->composer, busy);
}

static void
update_empty_page (CriaChatPage *self)
{
  const char *model = NULL;
  g_autofree char *description = NULL;
  guint n_items = 0;

  if (self->session != NULL)
    {
      n_items = g_list_model_get_n_items (G_LIST_MODEL (self->session));
      model = cria_chat_session_get_model (self->session);
    }

  if (model != NULL && model[0] != '\0')
    {
      /* As the model selector shows it: no implicit tag */
      g_autofree char *name = g_str_has_suffix (model, ":latest")
                              ? g_strndup (model, strlen (model) - strlen (":latest"))
                              : g_strdup (model);

      /* Translators: %s is the name of a model, such as “llama3.2” */
      description = g_markup_printf_escaped (_("Send a message to chat with <b>%s</b>."), name);
    }
  else
    description = g_strdup (_("Send a message to begin."));

  adw_status_page_set_description (self->empty_page, description);
  gtk_stack_set_visible_child_name (self->stack, n_items > 0 ? "messages" : "empty");
}

/* A model that is not installed ------------------------------------------ */

/* The session's backend when it answers and lacks the session's model:
 * a conversation whose model was removed, or never pulled there. (A new,
 * empty one just moves on to another model: the window sees to that.) */
static CriaBackend *
get_backend_missing_model (CriaChatPage *self)
{
  CriaBackend *backend;
  const char *model;

  if (self->session == NULL)
    return NULL;

  backend = cria_chat_session_get_backend (self->session);
  model = cria_chat_session_get_model (self->session);

  /* A list still empty is a list not read yet */
  if (backend == NULL || model == NULL || model[0] == '\0' ||
      g_list_model_get_n_items (G_LIST_MODEL (self->session)) == 0 ||
      cria_backend_get_status (backend) != CRIA_BACKEND_STATUS_ONLINE ||
      g_list_model_get_n_items (cria_backend_get_models (backend)) == 0 ||
      cria_backend_find_model (backend, model) != NULL)
    return NULL;

  return backend;
}

/* The download of @model among those of @backend, running or finished */
static CriaPull *
find_pull (CriaBackend *backend,
           const char  *model)
{
  GListModel *pulls = cria_model_manager_get_pulls (cria_backend_get_model_manager (backend));
  guint n_items = g_list_model_get_n_items (pulls);

  for (guint i = n_items; i > 0; i--)
    {
      g_autoptr(CriaPull) pull = g_list_model_get_item (pulls, i - 1);

      if (cria_model_name_equal (cria_pull_get_model (pull), model))
        return pull; /* the manager keeps it */
    }

  return NULL;
}

static void
update_missing_pull (CriaChatPage *self)
{
  CriaPull *pull = g_signal_group_dup_target (self->pull_signals);
  g_autofree char *status = NULL;
  gboolean running = FALSE;
  gboolean failed = FALSE;

  if (pull != NULL)
    {
      const GError *error = cria_pull_get_error (pull);

      switch (cria_pull_get_state (pull))
        {
        case CRIA_PULL_STATE_RUNNING:
          running = TRUE;
          status = cria_pull_row_describe_status (cria_pull_get_status (pull));
          if (status == NULL)
            status = cria_pull_row_format_progress (cria_pull_get_completed (pull),
                                                    cria_pull_get_total (pull),
                                                    cria_pull_get_speed (pull),
                                                    cria_pull_get_seconds_left (pull));
          gtk_progress_bar_set_fraction (self->missing_progress,
                                         CLAMP (cria_pull_get_fraction (pull), 0, 1));
          break;

        case CRIA_PULL_STATE_SUCCEEDED:
          status = g_strdup (_("Installed"));
          break;

        case CRIA_PULL_STATE_FAILED:
          failed = TRUE;
          status = error ? cria_pull_row_describe_error (error, cria_pull_get_model (pull))
                         : g_strdup (_("The download failed."));
          break;

        case CRIA_PULL_STATE_CANCELLED:
          status = g_strdup (_("Cancelled. Ollama keeps what it downloaded: downloading again "
                               "resumes where it stopped."));
          break;

        default:
          g_assert_not_reached ();
        }

      g_object_unref (pull);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->missing_progress), running);
  gtk_label_set_text (self->missing_status, status ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->missing_status), status != NULL);
  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (self->missing_status), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->missing_status), "error");
  gtk_widget_set_sensitive (self->missing_download_button, !running);
}

static void
update_missing (CriaChatPage *self)
{
  CriaBackend *backend = get_backend_missing_model (self);
  CriaPull *pull;
  const char *model;
  g_autofree char *text = NULL;

  gtk_revealer_set_reveal_child (self->missing_revealer, backend != NULL);

  if (backend == NULL)
    {
      g_signal_group_set_target (self->pulls_signals, NULL);
      g_signal_group_set_target (self->pull_signals, NULL);
      return;
    }

  model = cria_chat_session_get_model (self->session);
  pull = find_pull (backend, model);

  if (pull != NULL && cria_pull_get_state (pull) == CRIA_PULL_STATE_RUNNING)
    /* Translators: the first %s is a model name, the second a server's name */
    text = g_strdup_printf (_("Downloading %s to %s…"), model, cria_backend_get_title (backend));
  else
    /* Translators: the first %s is a model name, the second a server's name */
    text = g_strdup_printf (_("%s is not installed on %s. Download it again, or choose "
                              "another model for this conversation."),
                            model, cria_backend_get_title (backend));
  gtk_label_set_text (self->missing_label, text);

  /* A download started here, on the models page or before */
  g_signal_group_set_target (self->pulls_signals,
                             cria_model_manager_get_pulls (cria_backend_get_model_manager (backend)));
  g_signal_group_set_target (self->pull_signals, pull);
  update_missing_pull (self);
}

static void
missing_pull_notify_cb (CriaChatPage *self,
                        GParamSpec   *pspec,
                        CriaPull     *pull)
{
  g_assert (CRIA_IS_CHAT_PAGE (self));

  if (g_str_equal (g_param_spec_get_name (pspec), "state"))
    update_missing (self);
  else
    update_missing_pull (self);
}

static void
missing_changed_cb (CriaChatPage *self)
{
  g_assert (CRIA_IS_CHAT_PAGE (self));

  update_missing (self);
}

static void
missing_download_cb (CriaChatPage *self)
{
  CriaBackend *backend = get_backend_missing_model (self);
  g_autoptr(CriaPull) pull = NULL;
  g_autoptr(GError) error = NULL;
  const char *model;

  g_assert (CRIA_IS_CHAT_PAGE (self));

  if (backend == NULL)
    return;

  model = cria_chat_session_get_model (self->session);
  g_debug ("Pulling %s for the conversation", model);

  pull = cria_model_manager_pull (cria_backend_get_model_manager (backend), model, &error);
  if (pull == NULL)
    {
      g_autofree char *text = cria_error_text_describe (error, model);

      show_toast (self, text);
      return;
    }

  update_missing (self);
}

/* Sticking to the bottom ------------------------------------------------ */

/* After the window's layout: only then does the list know its height for
 * the chat it shows. Set before it, just after the chat changed, the end
 * was the previous chat's, and GTK 4.8's list view warned that it could
 * not scroll there. */
static void
scroll_to_bottom_layout_cb (CriaChatPage  *self,
                            GdkFrameClock *frame_clock)
{
  GtkAdjustment *vadj = gtk_scrolled_window_get_vadjustment (self->scroller);
  double bottom;

  g_clear_signal_handler (&self->scroll_layout_id, self->scroll_clock);
  self->scroll_clock = NULL;

  if (!self->stick_to_bottom)
    return;

  bottom = gtk_adjustment_get_upper (vadj) - gtk_adjustment_get_page_size (vadj);

  self->scrolling = TRUE;
  gtk_adjustment_set_value (vadj, bottom);
  self->scrolling = FALSE;

  self->last_value = gtk_adjustment_get_value (vadj);
}

/* In the next frame, once laid out */
static gboolean
scroll_to_bottom_tick_cb (GtkWidget     *widget,
                          GdkFrameClock *frame_clock,
                          gpointer       user_data)
{
  CriaChatPage *self = CRIA_CHAT_PAGE (widget);

  self->scroll_tick_id = 0;

  if (self->stick_to_bottom && self->scroll_layout_id == 0)
    {
      self->scroll_clock = frame_clock;
      self->scroll_layout_id = g_signal_connect_object (frame_clock, "layout",
                                                        G_CALLBACK (scroll_to_bottom_layout_cb),
                                                        self,
                                                        G_CONNECT_SWAPPED | G_CONNECT_AFTER);
      gdk_frame_clock_request_phase (frame_clock, GDK_FRAME_CLOCK_PHASE_LAYOUT);
    }

  return G_SOURCE_REMOVE;
}

static void
cancel_scroll_to_bottom (CriaChatPage *self)
{
  if (self->scroll_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->scroll_tick_id);
      self->scroll_tick_id = 0;
    }
  g_clear_signal_handler (&self->scroll_layout_id, self->scroll_clock);
  self->scroll_clock = NULL;
}

static void
queue_scroll_to_bottom (CriaChatPage *self)
{
  if (self->scroll_tick_id == 0)
    self->scroll_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self),
                                                         scroll_to_bottom_tick_cb,
                                                         NULL, NULL);
}

static void
vadjustment_value_changed_cb (CriaChatPage  *self,
                              GtkAdjustment *vadj)
{
  double value = gtk_adjustment_get_value (vadj);
  double bottom = gtk_adjustment_get_upper (vadj) - gtk_adjustment_get_page_size (vadj);

  g_assert (CRIA_IS_CHAT_PAGE (self));

  if (!self->scrolling)
    {
      /* Back at the end: follow the reply again. Moving up is the user's
       * doing (a growing reply only moves the end away, down). */
      if (value >= bottom - BOTTOM_TOLERANCE)
        self->stick_to_bottom = TRUE;
      /* (A list that measured rows it had only estimated moves its value
       * with its upper, which a user's scrolling does not change: a
       * long chat being opened would stop short of its end) */
      else if (value < self->last_value - 1 && !self->upper_moved)
        self->stick_to_bottom = FALSE;
    }

  self->last_value = value;
  self->upper_moved = FALSE;
}

static void
vadjustment_changed_cb (CriaChatPage  *self,
                        GParamSpec    *pspec,
                        GtkAdjustment *vadj)
{
  g_assert (CRIA_IS_CHAT_PAGE (self));

  self->upper_moved = TRUE;

  if (self->stick_to_bottom)
    queue_scroll_to_bottom (self);
}

/* Session --------------------------------------------------------------- */

static void
session_items_changed_cb (CriaChatPage    *self,
                          guint            position,
                          guint            removed,
                          guint            added,
                          CriaChatSession *session)
{
  g_assert (CRIA_IS_CHAT_PAGE (self));

  update_empty_page (self);
  update_actions (self);

  /* The first message makes it a conversation that needs its model */
  update_missing (self);

  if (self->stick_to_bottom)
    queue_scroll_to_bottom (self);
}

static void
session_notify_cb (CriaChatPage    *self,
                   GParamSpec      *pspec,
                   CriaChatSession *session)
{
  g_assert (CRIA_IS_CHAT_PAGE (self));

  update_actions (self);
  update_empty_page (self);
}

/* What the composer needs to know of the model: whether it sees images */
static void
update_composer_model (CriaChatPage *self)
{
  CriaBackend *backend = NULL;
  const char *model = NULL;

  if (self->session != NULL)
    {
      backend = cria_chat_session_get_backend (self->session);
      model = cria_chat_session_get_model (self->session);
    }

  cria_composer_set_model (self->composer,
                           backend != NULL && model != NULL
                           ? cria_backend_find_model (backend, model)
                           : NULL);
}

static void
session_model_notify_cb (CriaChatPage    *self,
                         GParamSpec      *pspec,
                         CriaChatSession *session)
{
  CriaBackend *backend = cria_chat_session_get_backend (session);

  g_assert (CRIA_IS_CHAT_PAGE (self));

  g_signal_group_set_target (self->backend_signals, backend);
  g_signal_group_set_target (self->models_signals,
                             backend ? cria_backend_get_models (backend) : NULL);
  update_missing (self);
  update_composer_model (self);
}

static void
composer_empty_changed_cb (CriaChatPage *self,
                           GParamSpec   *pspec,
                           CriaComposer *composer)
{
  g_assert (CRIA_IS_CHAT_PAGE (self));

  update_actions (self);
}

/* Sending --------------------------------------------------------------- */

static gboolean
error_is_shown_in_a_message (CriaChatPage *self,
                             guint         n_items_before)
{
  GListModel *model = G_LIST_MODEL (self->session);
  guint n_items = g_list_model_get_n_items (model);
  g_autoptr(CriaChatMessage) last = NULL;

  if (n_items <= n_items_before)
    return FALSE;

  last = g_list_model_get_item (model, n_items - 1);

  return cria_chat_message_get_role (last) != CRIA_MESSAGE_ROLE_USER &&
         cria_chat_message_get_state (last) != CRIA_MESSAGE_STATE_COMPLETE;
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  CriaChatSession *session = CRIA_CHAT_SESSION (object);
  g_autoptr(SendData) data = user_data;
  g_autoptr(GError) error = NULL;
  CriaChatPage *self = data->self;

  if (cria_chat_session_send_finish (session, result, &error))
    return;

  /* A stopped reply is simply marked in its row; nothing else to say */
  if (cria_error_text_is_cancelled (error))
    return;

  if (self->session != session)
    return;

  if (!error_is_shown_in_a_message (self, data->n_items_before))
    {
      g_autofree char *text = cria_error_text_describe (error, cria_chat_session_get_model (session));

      /* Nothing was sent: give the text and images back, unless the user
       * wrote anew */
      if (g_list_model_get_n_items (G_LIST_MODEL (session)) == data->n_items_before &&
          cria_composer_get_empty (self->composer))
        {
          cria_composer_set_text (self->composer, data->text);
          for (guint i = 0; data->images != NULL && i < data->images->len; i++)
            cria_composer_add_image_bytes (self->composer, g_ptr_array_index (data->images, i), NULL);
        }

      show_toast (self, text);
    }
}

/* Sends what the composer holds; its images only when @with_images */
static void
send_composed (CriaChatPage *self,
               gboolean      with_images)
{
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) images = NULL;
  SendData *data;

  if (self->session == NULL || !cria_chat_session_can_send (self->session) ||
      cria_composer_get_loading (self->composer))
    return;

  text = g_strstrip (cria_composer_dup_text (self->composer));
  if (with_images)
    images = cria_composer_dup_images (self->composer);

  /* Images alone can go: Ollama takes an empty content with them */
  if (text[0] == '\0' && (images == NULL || images->len == 0))
    return;

  data = g_new0 (SendData, 1);
  data->self = g_object_ref (self);
  data->text = g_strdup (text);
  data->images = images ? g_ptr_array_ref (images) : NULL;
  data->n_items_before = g_list_model_get_n_items (G_LIST_MODEL (self->session));

  /* Whatever was read before, the new exchange is what the user wants to see */
  self->stick_to_bottom = TRUE;
  queue_scroll_to_bottom (self);

  cria_composer_set_text (self->composer, NULL);
  cria_composer_clear_images (self->composer);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));

  g_debug ("Sending a message of %zu bytes and %u images to %s",
           strlen (text), images ? images->len : 0, cria_chat_session_get_model (self->session));

  cria_chat_session_send_async (self->session,
                                text,
                                images,
                                self->cancellable,
                                send_cb,
                                data);

  update_actions (self);
}

static void
without_images_response_cb (CriaChatPage     *self,
                            const char       *response,
                            AdwMessageDialog *dialog)
{
  g_assert (CRIA_IS_CHAT_PAGE (self));

  if (g_strcmp0 (response, "send") == 0)
    send_composed (self, FALSE);
}

/* The model is known not to see images: the user says whether to send
 * the text alone (Ollama refuses images for such a model) */
static void
ask_send_without_images (CriaChatPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *name = cria_model_dup_display_name (cria_composer_get_model (self->composer));
  g_autofree char *text = g_strstrip (cria_composer_dup_text (self->composer));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Send Without Images?"), NULL);
  if (text[0] != '\0')
    /* Translators: %s is the name of a model, such as “llama3.2” */
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("%s can’t see images. Only your text will be sent; "
                                      "the images will be left out."),
                                    name);
  else
    /* Translators: %s is the name of a model, such as “llama3.2” */
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("%s can’t see images, and there is no text to send. "
                                      "Choose a model that can see images."),
                                    name);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "send", _("_Send Anyway"),
                                    NULL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "send", text[0] != '\0');
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (without_images_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CriaChatPage *self = CRIA_CHAT_PAGE (widget);

  if (self->session == NULL || !cria_chat_session_can_send (self->session))
    return;

  if (cria_composer_get_images_ignored (self->composer))
    ask_send_without_images (self);
  else
    send_composed (self, TRUE);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CriaChatPage *self = CRIA_CHAT_PAGE (widget);

  if (self->session != NULL)
    cria_chat_session_stop (self->session);
}

/* Editing messages ------------------------------------------------------ */

/* Where @message is in the session, or -1 */
static gint64
find_position (CriaChatPage    *self,
               CriaChatMessage *message)
{
  GListModel *model;
  guint n_items;

  if (self->session == NULL || message == NULL)
    return -1;

  model = G_LIST_MODEL (self->session);
  n_items = g_list_model_get_n_items (model);

  /* From the end: the messages acted on are mostly the last ones */
  for (guint i = n_items; i > 0; i--)
    {
      g_autoptr(CriaChatMessage) item = g_list_model_get_item (model, i - 1);

      if (item == message)
        return i - 1;
    }

  return -1;
}

/* A request that failed, unless the reply's row says so already */
static void
report_reply_error (CriaChatPage    *self,
                    CriaChatSession *session,
                    const GError    *error,
                    guint            n_items_before)
{
  g_autofree char *text = NULL;

  if (cria_error_text_is_cancelled (error) || self->session != session ||
      error_is_shown_in_a_message (self, n_items_before))
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    text = g_strdup (_("Wait for the reply to finish, or stop it first."));
  else
    text = cria_error_text_describe (error, cria_chat_session_get_model (session));

  show_toast (self, text);
}

static void
edit_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  CriaChatSession *session = CRIA_CHAT_SESSION (object);
  g_autoptr(SendData) data = user_data;
  g_autoptr(GError) error = NULL;

  if (!cria_chat_session_edit_finish (session, result, &error))
    report_reply_error (data->self, session, error, data->n_items_before);
}

static void
row_edit_message_cb (CriaChatPage   *self,
                     const char     *text,
                     CriaMessageRow *row)
{
  CriaChatMessage *message = cria_message_row_get_message (row);
  gint64 position = find_position (self, message);
  SendData *data;

  g_assert (CRIA_IS_CHAT_PAGE (self));

  if (position < 0)
    return;

  data = g_new0 (SendData, 1);
  data->self = g_object_ref (self);
  data->text = g_strdup (text);
  data->n_items_before = (guint) position;

  self->stick_to_bottom = TRUE;
  queue_scroll_to_bottom (self);

  g_debug ("Editing message %" G_GINT64_FORMAT ": %zu bytes", position, strlen (text));

  /* The images stay with the text */
  cria_chat_session_edit_async (self->session,
                                (guint) position,
                                text,
                                cria_chat_message_get_images (message),
                                self->cancellable,
                                edit_cb,
                                data);
  update_actions (self);
}

static void
regenerate_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  CriaChatSession *session = CRIA_CHAT_SESSION (object);
  g_autoptr(SendData) data = user_data;
  g_autoptr(GError) error = NULL;

  if (!cria_chat_session_regenerate_finish (session, result, &error))
    report_reply_error (data->self, session, error, data->n_items_before);
}

static void
regenerate_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  CriaChatPage *self = CRIA_CHAT_PAGE (widget);
  SendData *data;

  if (self->session == NULL || !cria_chat_session_can_regenerate (self->session))
    return;

  data = g_new0 (SendData, 1);
  data->self = g_object_ref (self);
  data->n_items_before = g_list_model_get_n_items (G_LIST_MODEL (self->session)) - 1;

  self->stick_to_bottom = TRUE;
  queue_scroll_to_bottom (self);

  cria_chat_session_regenerate_async (self->session,
                                      self->cancellable,
                                      regenerate_cb,
                                      data);
  update_actions (self);
}

static void
row_regenerate_cb (CriaChatPage   *self,
                   CriaMessageRow *row)
{
  g_assert (CRIA_IS_CHAT_PAGE (self));

  gtk_widget_activate_action (GTK_WIDGET (self), "chat.regenerate", NULL);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    CriaChatPage     *self)
{
  CriaChatMessage *message = g_object_get_data (G_OBJECT (dialog), "cria-message");
  g_autoptr(GError) error = NULL;
  gint64 position;

  if (g_strcmp0 (response, "delete") != 0)
    return;

  position = find_position (self, message);
  if (position < 0)
    return;

  if (!cria_chat_session_delete_message (self->session, (guint) position, &error))
    report_reply_error (self, self->session, error, G_MAXUINT);
}

static void
row_delete_message_cb (CriaChatPage   *self,
                       CriaMessageRow *row)
{
  CriaChatMessage *message = cria_message_row_get_message (row);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  gboolean is_user;
  GtkWidget *dialog;

  g_assert (CRIA_IS_CHAT_PAGE (self));

  if (message == NULL)
    return;

  is_user = cria_chat_message_get_role (message) == CRIA_MESSAGE_ROLE_USER;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   is_user ? _("Delete Message?") : _("Delete Reply?"),
                                   _("It is removed from the conversation for good, and the model "
                                     "no longer sees it."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "cria-message", g_object_ref (message), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* List items ------------------------------------------------------------ */

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              CriaChatPage             *self)
{
  GtkWidget *row = cria_message_row_new ();

  /* A long chat makes many rows, most of them never seen */
  cria_message_row_set_defer_text (CRIA_MESSAGE_ROW (row), TRUE);

  g_signal_connect_object (row, "edit-message", G_CALLBACK (row_edit_message_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "regenerate", G_CALLBACK (row_regenerate_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "delete-message", G_CALLBACK (row_delete_message_cb),
                           self, G_CONNECT_SWAPPED);

  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  gtk_list_item_set_child (item, row);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             CriaChatPage             *self)
{
  CriaMessageRow *row = CRIA_MESSAGE_ROW (gtk_list_item_get_child (item));

  cria_message_row_set_session (row, self->session);
  cria_message_row_set_message (row, gtk_list_item_get_item (item));
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  cria_message_row_set_message (CRIA_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL);
}

/* GObject --------------------------------------------------------------- */

static void
cria_chat_page_dispose (GObject *object)
{
  CriaChatPage *self = CRIA_CHAT_PAGE (object);

  g_cancellable_cancel (self->cancellable);

  cancel_scroll_to_bottom (self);

  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  if (self->backend_signals != NULL)
    g_signal_group_set_target (self->backend_signals, NULL);
  if (self->models_signals != NULL)
    g_signal_group_set_target (self->models_signals, NULL);
  if (self->pulls_signals != NULL)
    g_signal_group_set_target (self->pulls_signals, NULL);
  if (self->pull_signals != NULL)
    g_signal_group_set_target (self->pull_signals, NULL);

  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIA_TYPE_CHAT_PAGE);

  g_clear_object (&self->session_signals);
  g_clear_object (&self->backend_signals);
  g_clear_object (&self->models_signals);
  g_clear_object (&self->pulls_signals);
  g_clear_object (&self->pull_signals);
  g_clear_object (&self->selection);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cria_chat_page_parent_class)->dispose (object);
}

static void
cria_chat_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CriaChatPage *self = CRIA_CHAT_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_chat_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CriaChatPage *self = CRIA_CHAT_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      cria_chat_page_set_session (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
cria_chat_page_grab_focus (GtkWidget *widget)
{
  CriaChatPage *self = CRIA_CHAT_PAGE (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

static void
cria_chat_page_class_init (CriaChatPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cria_chat_page_dispose;
  object_class->get_property = cria_chat_page_get_property;
  object_class->set_property = cria_chat_page_set_property;

  widget_class->grab_focus = cria_chat_page_grab_focus;

  /**
   * CriaChatPage:session:
   *
   * The conversation shown.
   */
  properties [PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL,
                         CRIA_TYPE_CHAT_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cria/Cria/ui/cria-chat-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CriaChatPage, box);
  gtk_widget_class_bind_template_child (widget_class, CriaChatPage, stack);
  gtk_widget_class_bind_template_child (widget_class, CriaChatPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CriaChatPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, CriaChatPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, CriaChatPage, missing_revealer);
  gtk_widget_class_bind_template_child (widget_class, CriaChatPage, missing_label);
  gtk_widget_class_bind_template_child (widget_class, CriaChatPage, missing_progress);
  gtk_widget_class_bind_template_child (widget_class, CriaChatPage, missing_status);
  gtk_widget_class_bind_template_child (widget_class, CriaChatPage, missing_download_button);
  gtk_widget_class_bind_template_child (widget_class, CriaChatPage, missing_choose_button);
  gtk_widget_class_bind_template_child (widget_class, CriaChatPage, composer);
  gtk_widget_class_bind_template_callback (widget_class, missing_download_cb);

  gtk_widget_class_install_action (widget_class, "chat.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "chat.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "chat.regenerate", NULL, regenerate_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "chat.stop", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chatpage");

  g_type_ensure (CRIA_TYPE_COMPOSER);
}

static void
cria_chat_page_init (CriaChatPage *self)
{
  GtkListItemFactory *factory;
  GtkAdjustment *vadj;

  self->stick_to_bottom = TRUE;
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  /* GTK 4.8 names a button with a mnemonic label "_Download Download";
   * without the label property the name comes from the visible label. */
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->missing_download_button), GTK_ACCESSIBLE_PROPERTY_LABEL);
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->missing_choose_button), GTK_ACCESSIBLE_PROPERTY_LABEL);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  self->selection = gtk_no_selection_new (NULL);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  vadj = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (vadj, "value-changed",
                           G_CALLBACK (vadjustment_value_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (vadj, "notify::upper",
                           G_CALLBACK (vadjustment_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (vadj, "notify::page-size",
                           G_CALLBACK (vadjustment_changed_cb),
                           self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->composer, "notify::empty",
                           G_CALLBACK (composer_empty_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->composer, "notify::loading",
                           G_CALLBACK (composer_empty_changed_cb),
                           self, G_CONNECT_SWAPPED);

  self->session_signals = g_signal_group_new (CRIA_TYPE_CHAT_SESSION);
  g_signal_group_connect_object (self->session_signals, "items-changed",
                                 G_CALLBACK (session_items_changed_cb),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::busy",
                                 G_CALLBACK (session_notify_cb),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::model",
                                 G_CALLBACK (session_notify_cb),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::backend",
                                 G_CALLBACK (session_notify_cb),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::backend",
                                 G_CALLBACK (session_model_notify_cb),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::model",
                                 G_CALLBACK (session_model_notify_cb),
                                 self, G_CONNECT_SWAPPED);

  /* Whether the session's model is installed, and its download */
  self->backend_signals = g_signal_group_new (CRIA_TYPE_BACKEND);
  g_signal_group_connect_object (self->backend_signals, "notify::status",
                                 G_CALLBACK (missing_changed_cb),
                                 self, G_CONNECT_SWAPPED);
  self->models_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_object (self->models_signals, "items-changed",
                                 G_CALLBACK (missing_changed_cb),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->models_signals, "items-changed",
                                 G_CALLBACK (update_composer_model),
                                 self, G_CONNECT_SWAPPED);
  self->pulls_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_object (self->pulls_signals, "items-changed",
                                 G_CALLBACK (missing_changed_cb),
                                 self, G_CONNECT_SWAPPED);
  self->pull_signals = g_signal_group_new (CRIA_TYPE_PULL);
  g_signal_group_connect_object (self->pull_signals, "notify",
                                 G_CALLBACK (missing_pull_notify_cb),
                                 self, G_CONNECT_SWAPPED);

  update_actions (self);
  update_empty_page (self);
}

GtkWidget *
cria_chat_page_new (void)
{
  return g_object_new (CRIA_TYPE_CHAT_PAGE, NULL);
}

/**
 * cria_chat_page_get_session:
 * @self: a #CriaChatPage
 *
 * Returns: (transfer none) (nullable): the conversation shown
 */
CriaChatSession *
cria_chat_page_get_session (CriaChatPage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_PAGE (self), NULL);

  return self->session;
}

void
cria_chat_page_set_session (CriaChatPage    *self,
                            CriaChatSession *session)
{
  g_return_if_fail (CRIA_IS_CHAT_PAGE (self));
  g_return_if_fail (!session || CRIA_IS_CHAT_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;

  g_signal_group_set_target (self->session_signals, session);
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (session));
  if (session != NULL)
    session_model_notify_cb (self, NULL, session);
  else
    update_missing (self);
  update_composer_model (self);

  self->stick_to_bottom = TRUE;
  queue_scroll_to_bottom (self);

  update_actions (self);
  update_empty_page (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SESSION]);
}

/**
 * cria_chat_page_set_cancellable:
 * @self: a #CriaChatPage
 * @cancellable: (nullable): cancelled when the window closes
 *
 * Requests of this page are cancelled with @cancellable, as well as when
 * the page is disposed.
 */
void
cria_chat_page_set_cancellable (CriaChatPage *self,
                                GCancellable *cancellable)
{
  g_return_if_fail (CRIA_IS_CHAT_PAGE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  if (cancellable == NULL)
    cancellable = g_cancellable_new ();
  else
    g_object_ref (cancellable);

  g_clear_object (&self->cancellable);
  self->cancellable = cancellable;
}

/**
 * cria_chat_page_get_composer:
 * @self: a #CriaChatPage
 *
 * Returns: (transfer none): the composer
 */
CriaComposer *
cria_chat_page_get_composer (CriaChatPage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_PAGE (self), NULL);

  return self->composer;
}

/**
 * cria_chat_page_get_list_view:
 * @self: a #CriaChatPage
 *
 * Returns: (transfer none): the list of messages
 */
GtkListView *
cria_chat_page_get_list_view (CriaChatPage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_PAGE (self), NULL);

  return self->list_view;
}

GtkRevealer *
_cria_chat_page_get_missing_revealer (CriaChatPage *self)
{
  return self->missing_revealer;
}

GtkLabel *
_cria_chat_page_get_missing_label (CriaChatPage *self)
{
  return self->missing_label;
}

GtkLabel *
_cria_chat_page_get_missing_status (CriaChatPage *self)
{
  return self->missing_status;
}

GtkWidget *
_cria_chat_page_get_missing_download_button (CriaChatPage *self)
{
  return self->missing_download_button;
}

GtkWidget *
_cria_chat_page_get_missing_choose_button (CriaChatPage *self)
{
  return self->missing_choose_button;
}

/**
 * cria_chat_page_scroll_to_message:
 * @self: a #CriaChatPage
 * @position: the message's position in the session
 *
 * Brings the message at @position into view, gives it the keyboard
 * focus and highlights it for a moment, as a search result does: the page stops following the end of the
 * conversation until the user scrolls back down.
 */
void
cria_chat_page_scroll_to_message (CriaChatPage *self,
                                  guint         position)
{
  g_autoptr(CriaChatMessage) message = NULL;

  g_return_if_fail (CRIA_IS_CHAT_PAGE (self));

  if (self->session == NULL ||
      position >= g_list_model_get_n_items (G_LIST_MODEL (self->session)))
    return;

  self->stick_to_bottom = FALSE;
  cancel_scroll_to_bottom (self);

  g_debug ("Showing message %u", position);

  /* Selecting in a GtkNoSelection selects nothing, but focuses the item
   * and scrolls to it (GTK 4.8 has no gtk_list_view_scroll_to ()) */
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.select-item", "(ubb)",
                              position, FALSE, FALSE);

  /* …and shows for a moment which message it is */
  message = g_list_model_get_item (G_LIST_MODEL (self->session), position);
  cria_message_highlight (self->list_view, message);
}
