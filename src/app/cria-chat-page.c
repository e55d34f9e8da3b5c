/* cria-chat-page.c: a conversation, with its composer
 *
 * Binds one CriaChatSession: the messages in a virtualized GtkListView of
 * CriaMessageRows, the `chat.send` and `chat.stop` actions (enabled from
 * the session's state), and a view that sticks to the bottom while a reply
 * streams, unless the user scrolled up to read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-chat-page"

#include "cria-config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cria-chat-page.h"
#include "cria-error-text.h"
#include "cria-message-row.h"

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
  CriaComposer      *composer;

  /* Owned References */
  CriaChatSession   *session;
  GSignalGroup      *session_signals;
  GtkNoSelection    *selection;
  GCancellable      *cancellable;

  double             last_value;
  guint              scroll_tick_id;
  guint              stick_to_bottom : 1;
  guint              scrolling : 1;
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
  guint         n_items_before;
} SendData;

static void
send_data_free (SendData *data)
{
  g_clear_object (&data->self);
  g_clear_pointer (&data->text, g_free);
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
                 !cria_composer_get_empty (self->composer);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.send", can_send && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.stop", busy);
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

/* Sticking to the bottom ------------------------------------------------ */

static gboolean
scroll_to_bottom_tick_cb (GtkWidget     *widget,
                          GdkFrameClock *frame_clock,
                          gpointer       user_data)
{
  CriaChatPage *self = CRIA_CHAT_PAGE (widget);
  GtkAdjustment *vadj = gtk_scrolled_window_get_vadjustment (self->scroller);
  double bottom;

  self->scroll_tick_id = 0;

  if (!self->stick_to_bottom)
    return G_SOURCE_REMOVE;

  bottom = gtk_adjustment_get_upper (vadj) - gtk_adjustment_get_page_size (vadj);

  self->scrolling = TRUE;
  gtk_adjustment_set_value (vadj, bottom);
  self->scrolling = FALSE;

  self->last_value = gtk_adjustment_get_value (vadj);

  return G_SOURCE_REMOVE;
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
      else if (value < self->last_value - 1)
        self->stick_to_bottom = FALSE;
    }

  self->last_value = value;
}

static void
vadjustment_changed_cb (CriaChatPage  *self,
                        GParamSpec    *pspec,
                        GtkAdjustment *vadj)
{
  g_assert (CRIA_IS_CHAT_PAGE (self));

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

      /* Nothing was sent: give the text back, unless the user typed anew */
      if (g_list_model_get_n_items (G_LIST_MODEL (session)) == data->n_items_before &&
          cria_composer_get_empty (self->composer))
        cria_composer_set_text (self->composer, data->text);

      show_toast (self, text);
    }
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CriaChatPage *self = CRIA_CHAT_PAGE (widget);
  g_autofree char *text = NULL;
  SendData *data;

  if (self->session == NULL || !cria_chat_session_can_send (self->session))
    return;

  text = g_strstrip (cria_composer_dup_text (self->composer));
  if (text[0] == '\0')
    return;

  data = g_new0 (SendData, 1);
  data->self = g_object_ref (self);
  data->text = g_strdup (text);
  data->n_items_before = g_list_model_get_n_items (G_LIST_MODEL (self->session));

  /* Whatever was read before, the new exchange is what the user wants to see */
  self->stick_to_bottom = TRUE;
  queue_scroll_to_bottom (self);

  cria_composer_set_text (self->composer, NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));

  g_debug ("Sending a message of %zu bytes to %s",
           strlen (text), cria_chat_session_get_model (self->session));

  cria_chat_session_send_async (self->session,
                                text,
                                NULL,
                                self->cancellable,
                                send_cb,
                                data);

  update_actions (self);
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

/* List items ------------------------------------------------------------ */

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  gtk_list_item_set_child (item, cria_message_row_new ());
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  cria_message_row_set_message (CRIA_MESSAGE_ROW (gtk_list_item_get_child (item)),
                                gtk_list_item_get_item (item));
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

  if (self->scroll_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->scroll_tick_id);
      self->scroll_tick_id = 0;
    }

  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);

  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIA_TYPE_CHAT_PAGE);

  g_clear_object (&self->session_signals);
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
  gtk_widget_class_bind_template_child (widget_class, CriaChatPage, composer);

  gtk_widget_class_install_action (widget_class, "chat.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "chat.stop", NULL, stop_action);
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

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
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
