/* cria-message-row.c: one message of the conversation
 *
 * Rows are recycled by the list view: set_message() disconnects from the
 * previous message (a GSignalGroup) and resets both text buffers.
 *
 * A streamed reply grows by appending: each notify::content only schedules
 * a frame-clock tick, and the tick inserts the bytes not shown yet at the
 * end of the buffer. So the UI is updated at most once per frame, and the
 * cost of a token does not depend on the length of the reply.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-message-row"

#include "cria-config.h"

#include <glib/gi18n.h>

#include "cria-error-text.h"
#include "cria-message-row.h"
#include "cria-message-row-private.h"

struct _CriaMessageRow
{
  GtkWidget        parent_instance;

  /* Template Widgets */
  GtkWidget       *user_bubble;
  GtkLabel        *user_label;
  GtkWidget       *assistant_box;
  GtkExpander     *thinking_expander;
  GtkTextView     *thinking_view;
  GtkTextView     *content_view;
  GtkWidget       *status_box;
  GtkSpinner      *spinner;
  GtkImage        *status_icon;
  GtkLabel        *status_label;

  /* Owned References */
  CriaChatMessage *message;
  GSignalGroup    *message_signals;

  gsize            content_shown;
  gsize            thinking_shown;
  guint            tick_id;

  guint            thinking_toggled_by_user : 1;
  guint            setting_expanded : 1;
};

G_DEFINE_FINAL_TYPE (CriaMessageRow, cria_message_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/**
 * cria_message_row_format_metrics:
 * @metrics: (nullable): what the final line of a reply reported
 *
 * Returns: (transfer full) (nullable): e.g. “42 tokens · 37.5 tokens/s”,
 *   or %NULL when nothing worth showing was reported
 */
char *
cria_message_row_format_metrics (const CriaChatMetrics *metrics)
{
  g_autofree char *count = NULL;
  g_autofree char *rate_text = NULL;
  gulong n;
  double rate;

  if (metrics == NULL || metrics->eval_count <= 0)
    return NULL;

  n = (gulong) MIN (metrics->eval_count, (gint64) G_MAXLONG);
  count = g_strdup_printf ("%" G_GINT64_FORMAT, metrics->eval_count);
  rate = cria_chat_metrics_get_tokens_per_second (metrics);

  if (rate <= 0)
    /* Translators: %s is a number of tokens */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s token", "%s tokens", n), count);

  rate_text = g_strdup_printf ("%.1f", rate);

  /* Translators: the first %s is a number of tokens, the second a rate such as 37.5 */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s token · %s tokens/s",
                                       "%s tokens · %s tokens/s",
                                       n),
                          count, rate_text);
}

/* Shows the bytes of @text after *@shown. A text shorter than what is
 * shown was replaced, not appended to: start over. */
static void
append_new_text (GtkTextBuffer *buffer,
                 const char    *text,
                 gsize          length,
                 gsize         *shown)
{
  GtkTextIter end;

  if (text == NULL)
    length = 0;

  if (length < *shown)
    {
      gtk_text_buffer_set_text (buffer, "", 0);
      *shown = 0;
    }

  if (length == *shown)
    return;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text + *shown, length - *shown);
  *shown = length;
}

static void
set_thinking_expanded (CriaMessageRow *self,
                       gboolean        expanded)
{
  if (gtk_expander_get_expanded (self->thinking_expander) == expanded)
    return;

  self->setting_expanded = TRUE;
  gtk_expander_set_expanded (self->thinking_expander, expanded);
  self->setting_expanded = FALSE;
}

static void
thinking_expanded_cb (CriaMessageRow *self,
                      GParamSpec     *pspec,
                      GtkExpander    *expander)
{
  g_assert (CRIA_IS_MESSAGE_ROW (self));

  if (!self->setting_expanded)
    self->thinking_toggled_by_user = TRUE;
}

/* The thinking section is open while the model thinks, and closes by
 * itself when the answer starts, unless the user opened or closed it. */
static void
update_thinking (CriaMessageRow *self)
{
  gboolean streaming;

  gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander), self->thinking_shown > 0);

  if (self->thinking_toggled_by_user || self->message == NULL)
    return;

  streaming = cria_chat_message_get_state (self->message) == CRIA_MESSAGE_STATE_STREAMING;
  set_thinking_expanded (self, streaming && self->content_shown == 0);
}

static void update_status (CriaMessageRow *self);

static void
flush_text (CriaMessageRow *self)
{
  CriaChatMessage *message = self->message;
  gboolean had_content = self->content_shown > 0;

  if (message == NULL)
    return;

  if (cria_chat_message_get_role (message) == CRIA_MESSAGE_ROLE_USER)
    {
      /* Sent text does not stream: shown whole */
      gtk_label_set_text (self->user_label, cria_chat_message_get_content (message));
      self->content_shown = cria_chat_message_get_content_length (message);
      return;
    }

  append_new_text (gtk_text_view_get_buffer (self->content_view),
                   cria_chat_message_get_content (message),
                   cria_chat_message_get_content_length (message),
                   &self->content_shown);
  append_new_text (gtk_text_view_get_buffer (self->thinking_view),
                   cria_chat_message_get_thinking (message),
                   cria_chat_message_get_thinking_length (message),
                   &self->thinking_shown);

  gtk_widget_set_visible (GTK_WIDGET (self->content_view), self->content_shown > 0);
  update_thinking (self);

  if (had_content != (self->content_shown > 0))
    update_status (self);
}

/* A GtkTextView learns its height when it validates its lines, which can
 * happen while the list view allocates the row: the resize it queues then
 * is lost, and the row keeps its old height. So the tick also compares
 * what the text views want with what they got. */
static gboolean
text_view_needs_resize (GtkTextView *text_view)
{
  GtkWidget *widget = GTK_WIDGET (text_view);
  int width = gtk_widget_get_width (widget);
  int min = 0;

  if (!gtk_widget_get_mapped (widget) || width <= 0)
    return FALSE;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &min, NULL, NULL, NULL);

  return min != gtk_widget_get_height (widget);
}

static gboolean
flush_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (widget);
  gsize shown = self->content_shown + self->thinking_shown;

  flush_text (self);

  if (text_view_needs_resize (self->content_view) ||
      text_view_needs_resize (self->thinking_view))
    gtk_widget_queue_resize (widget);

  /* Text was added: look again at the next frame, once it is laid out */
  if (shown != self->content_shown + self->thinking_shown)
    return G_SOURCE_CONTINUE;

  self->tick_id = 0;

  return G_SOURCE_REMOVE;
}

static void
cancel_flush (CriaMessageRow *self)
{
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

static void
queue_flush (CriaMessageRow *self)
{
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), flush_tick_cb, NULL, NULL);
}

static void
text_changed_cb (CriaMessageRow  *self,
                 GParamSpec      *pspec,
                 CriaChatMessage *message)
{
  g_assert (CRIA_IS_MESSAGE_ROW (self));

  queue_flush (self);
}

static void
update_status (CriaMessageRow *self)
{
  CriaChatMessage *message = self->message;
  const GError *error;
  g_autofree char *text = NULL;
  g_autofree char *markup = NULL;
  const char *icon_name = NULL;
  gboolean spinning = FALSE;
  gboolean is_error = FALSE;
  gboolean is_warning = FALSE;

  if (message == NULL || cria_chat_message_get_role (message) == CRIA_MESSAGE_ROLE_USER)
    {
      gtk_spinner_stop (self->spinner);
      gtk_widget_set_visible (self->status_box, FALSE);
      return;
    }

  error = cria_chat_message_get_error (message);

  switch (cria_chat_message_get_state (message))
    {
    case CRIA_MESSAGE_STATE_STREAMING:
      /* Until the answer shows; then the growing text says enough, and
       * the window need not redraw every frame for a spinner */
      spinning = self->content_shown == 0;
      break;

    case CRIA_MESSAGE_STATE_COMPLETE:
      text = cria_message_row_format_metrics (cria_chat_message_get_metrics (message));
      break;

    case CRIA_MESSAGE_STATE_INCOMPLETE:
      if (error == NULL || cria_error_text_is_cancelled (error))
        {
          icon_name = "media-playback-stop-symbolic";
          text = g_strdup (_("Stopped"));
        }
      else
        {
          g_autofree char *sentence = cria_error_text_describe (error, cria_chat_message_get_model (message));

          icon_name = "dialog-warning-symbolic";
          is_warning = TRUE;
          /* Translators: shown under a reply that was cut short, before the reason */
          markup = g_markup_printf_escaped ("<b>%s</b> %s", _("Incomplete."), sentence);
        }
      break;

    case CRIA_MESSAGE_STATE_ERROR:
      if (cria_error_text_is_cancelled (error))
        {
          icon_name = "media-playback-stop-symbolic";
          text = g_strdup (_("Stopped"));
        }
      else
        {
          icon_name = "dialog-error-symbolic";
          is_error = TRUE;
          text = cria_error_text_describe (error, cria_chat_message_get_model (message));
          if (text == NULL)
            text = g_strdup (_("The reply failed."));
        }
      break;

    default:
      g_assert_not_reached ();
    }

  if (spinning)
    gtk_spinner_start (self->spinner);
  else
    gtk_spinner_stop (self->spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), spinning);

  gtk_image_set_from_icon_name (self->status_icon, icon_name);
  gtk_widget_set_visible (GTK_WIDGET (self->status_icon), icon_name != NULL);

  if (markup != NULL)
    gtk_label_set_markup (self->status_label, markup);
  else
    gtk_label_set_text (self->status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), markup != NULL || text != NULL);

  if (is_error)
    gtk_widget_add_css_class (self->status_box, "error");
  else
    gtk_widget_remove_css_class (self->status_box, "error");

  if (is_warning)
    gtk_widget_add_css_class (self->status_box, "warning");
  else
    gtk_widget_remove_css_class (self->status_box, "warning");

  if (!is_error && !is_warning)
    gtk_widget_add_css_class (self->status_box, "dim-label");
  else
    gtk_widget_remove_css_class (self->status_box, "dim-label");

  gtk_widget_set_visible (self->status_box, spinning || icon_name != NULL || text != NULL || markup != NULL);
}

static void
state_changed_cb (CriaMessageRow  *self,
                  GParamSpec      *pspec,
                  CriaChatMessage *message)
{
  g_assert (CRIA_IS_MESSAGE_ROW (self));

  /* The end of a reply is shown at once, not on the next frame */
  if (cria_chat_message_get_state (message) != CRIA_MESSAGE_STATE_STREAMING)
    {
      cancel_flush (self);
      flush_text (self);
    }
  else
    {
      update_thinking (self);
    }

  update_status (self);
}

static void
status_changed_cb (CriaMessageRow  *self,
                   GParamSpec      *pspec,
                   CriaChatMessage *message)
{
  g_assert (CRIA_IS_MESSAGE_ROW (self));

  update_status (self);
}

static void
reset (CriaMessageRow *self)
{
  cancel_flush (self);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->content_view), "", 0);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->thinking_view), "", 0);
  gtk_label_set_text (self->user_label, "");
  self->content_shown = 0;
  self->thinking_shown = 0;
  self->thinking_toggled_by_user = FALSE;
  set_thinking_expanded (self, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->content_view), FALSE);
}

static void
cria_message_row_dispose (GObject *object)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (object);

  cancel_flush (self);

  if (self->message_signals != NULL)
    g_signal_group_set_target (self->message_signals, NULL);
  g_clear_object (&self->message_signals);
  g_clear_object (&self->message);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIA_TYPE_MESSAGE_ROW);

  G_OBJECT_CLASS (cria_message_row_parent_class)->dispose (object);
}

static void
cria_message_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_message_row_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      cria_message_row_set_message (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_message_row_class_init (CriaMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cria_message_row_dispose;
  object_class->get_property = cria_message_row_get_property;
  object_class->set_property = cria_message_row_set_property;

  /**
   * CriaMessageRow:message:
   *
   * The message shown, or %NULL for a row not bound to any.
   */
  properties [PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL,
                         CRIA_TYPE_CHAT_MESSAGE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cria/Cria/ui/cria-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, user_bubble);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, user_label);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, assistant_box);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, thinking_expander);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, thinking_view);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, content_view);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, status_box);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, status_label);
  gtk_widget_class_bind_template_callback (widget_class, thinking_expanded_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "messagerow");
}

static void
cria_message_row_init (CriaMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->message_signals = g_signal_group_new (CRIA_TYPE_CHAT_MESSAGE);
  g_signal_group_connect_object (self->message_signals,
                                 "notify::content",
                                 G_CALLBACK (text_changed_cb),
                                 self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals,
                                 "notify::thinking",
                                 G_CALLBACK (text_changed_cb),
                                 self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals,
                                 "notify::state",
                                 G_CALLBACK (state_changed_cb),
                                 self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals,
                                 "notify::error",
                                 G_CALLBACK (status_changed_cb),
                                 self,
                                 G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->message_signals,
                                 "notify::metrics",
                                 G_CALLBACK (status_changed_cb),
                                 self,
                                 G_CONNECT_SWAPPED);
}

GtkWidget *
cria_message_row_new (void)
{
  return g_object_new (CRIA_TYPE_MESSAGE_ROW, NULL);
}

/**
 * cria_message_row_get_message:
 * @self: a #CriaMessageRow
 *
 * Returns: (transfer none) (nullable): the message shown
 */
CriaChatMessage *
cria_message_row_get_message (CriaMessageRow *self)
{
  g_return_val_if_fail (CRIA_IS_MESSAGE_ROW (self), NULL);

  return self->message;
}

void
cria_message_row_set_message (CriaMessageRow  *self,
                              CriaChatMessage *message)
{
  gboolean is_user;

  g_return_if_fail (CRIA_IS_MESSAGE_ROW (self));
  g_return_if_fail (!message || CRIA_IS_CHAT_MESSAGE (message));

  if (self->message == message)
    return;

  g_signal_group_set_target (self->message_signals, NULL);
  reset (self);
  g_set_object (&self->message, message);

  if (message != NULL)
    {
      is_user = cria_chat_message_get_role (message) == CRIA_MESSAGE_ROLE_USER;

      gtk_widget_set_visible (self->user_bubble, is_user);
      gtk_widget_set_visible (self->assistant_box, !is_user);

      if (is_user)
        {
          gtk_widget_add_css_class (GTK_WIDGET (self), "user");
          gtk_widget_remove_css_class (GTK_WIDGET (self), "assistant");
        }
      else
        {
          gtk_widget_add_css_class (GTK_WIDGET (self), "assistant");
          gtk_widget_remove_css_class (GTK_WIDGET (self), "user");
        }

      /* A thinking section of a finished reply starts closed */
      flush_text (self);
      g_signal_group_set_target (self->message_signals, message);
    }

  update_status (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MESSAGE]);
}

GtkTextView *
_cria_message_row_get_content_view (CriaMessageRow *self)
{
  return self->content_view;
}

GtkTextView *
_cria_message_row_get_thinking_view (CriaMessageRow *self)
{
  return self->thinking_view;
}

GtkExpander *
_cria_message_row_get_thinking_expander (CriaMessageRow *self)
{
  return self->thinking_expander;
}

GtkLabel *
_cria_message_row_get_status_label (CriaMessageRow *self)
{
  return self->status_label;
}

GtkLabel *
_cria_message_row_get_user_label (CriaMessageRow *self)
{
  return self->user_label;
}
