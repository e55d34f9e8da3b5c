/* cria-composer.c: where the user writes a message
 *
 * A text view that grows up to a few lines, with Send and Stop buttons.
 * Enter activates `chat.send`, Shift+Enter inserts a newline. The actions
 * themselves belong to an ancestor (CriaChatPage): the composer only finds
 * them up the widget tree, so it knows nothing about sessions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-composer"

#include "cria-config.h"

#include "cria-composer.h"
#include "cria-composer-private.h"

/* How many lines the text view shows before it scrolls. */
#define MAX_VISIBLE_LINES 6

struct _CriaComposer
{
  GtkWidget          parent_instance;

  /* Template Widgets */
  GtkWidget         *box;
  GtkScrolledWindow *scroller;
  GtkTextView       *text_view;
  GtkWidget         *placeholder;
  GtkWidget         *send_button;
  GtkWidget         *stop_button;

  guint              busy : 1;
  guint              empty : 1;
  guint              preedit : 1;
};

G_DEFINE_FINAL_TYPE (CriaComposer, cria_composer, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_EMPTY,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static gboolean
text_is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (!g_unichar_isspace (g_utf8_get_char (p)))
        return FALSE;
    }

  return TRUE;
}

static void
update_placeholder (CriaComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);

  gtk_widget_set_visible (self->placeholder,
                          gtk_text_buffer_get_char_count (buffer) == 0 && !self->preedit);
}

static void
buffer_changed_cb (CriaComposer  *self,
                   GtkTextBuffer *buffer)
{
  g_autofree char *text = NULL;
  gboolean empty;

  g_assert (CRIA_IS_COMPOSER (self));

  if (gtk_text_buffer_get_char_count (buffer) == 0)
    {
      empty = TRUE;
    }
  else
    {
      text = cria_composer_dup_text (self);
      empty = text_is_blank (text);
    }

  update_placeholder (self);

  if (empty != self->empty)
    {
      self->empty = empty;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EMPTY]);
    }
}

static void
preedit_changed_cb (CriaComposer *self,
                    const char   *preedit,
                    GtkTextView  *text_view)
{
  g_assert (CRIA_IS_COMPOSER (self));

  self->preedit = preedit != NULL && preedit[0] != '\0';
  update_placeholder (self);
}

/* Runs in the capture phase, before the text view's own handler. While an
 * input method composes text (a preedit is shown), Enter belongs to it. */
static gboolean
key_pressed_cb (CriaComposer          *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  g_assert (CRIA_IS_COMPOSER (self));

  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return GDK_EVENT_PROPAGATE;

  /* Shift+Enter (and any other modifier): the text view inserts a newline */
  if ((state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return GDK_EVENT_PROPAGATE;

  if (self->preedit)
    return GDK_EVENT_PROPAGATE;

  gtk_widget_activate_action (GTK_WIDGET (self), "chat.send", NULL);

  /* Even when sending is not possible now (busy, empty), Enter never
   * inserts a newline: the user asked to send, not to break the line. */
  return GDK_EVENT_STOP;
}

static void
update_max_height (CriaComposer *self)
{
  PangoContext *context;
  PangoFontMetrics *metrics;
  int line_height;
  int margins;

  context = gtk_widget_get_pango_context (GTK_WIDGET (self->text_view));
  metrics = pango_context_get_metrics (context, NULL, NULL);
  line_height = pango_font_metrics_get_height (metrics);
  if (line_height <= 0)
    line_height = pango_font_metrics_get_ascent (metrics) + pango_font_metrics_get_descent (metrics);
  pango_font_metrics_unref (metrics);

  margins = gtk_text_view_get_top_margin (self->text_view) +
            gtk_text_view_get_bottom_margin (self->text_view);

  gtk_scrolled_window_set_max_content_height (self->scroller,
                                              PANGO_PIXELS_CEIL (line_height * MAX_VISIBLE_LINES) + margins);
}

static void
text_view_realize_cb (CriaComposer *self,
                      GtkWidget    *text_view)
{
  update_max_height (self);
}

static void
cria_composer_system_setting_changed (GtkWidget        *widget,
                                      GtkSystemSetting  setting)
{
  CriaComposer *self = CRIA_COMPOSER (widget);

  GTK_WIDGET_CLASS (cria_composer_parent_class)->system_setting_changed (widget, setting);

  if (setting == GTK_SYSTEM_SETTING_FONT_NAME || setting == GTK_SYSTEM_SETTING_DPI)
    update_max_height (self);
}

static gboolean
cria_composer_grab_focus (GtkWidget *widget)
{
  CriaComposer *self = CRIA_COMPOSER (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
cria_composer_dispose (GObject *object)
{
  CriaComposer *self = CRIA_COMPOSER (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIA_TYPE_COMPOSER);

  G_OBJECT_CLASS (cria_composer_parent_class)->dispose (object);
}

static void
cria_composer_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CriaComposer *self = CRIA_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_EMPTY:
      g_value_set_boolean (value, self->empty);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_composer_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CriaComposer *self = CRIA_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      cria_composer_set_busy (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_composer_class_init (CriaComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cria_composer_dispose;
  object_class->get_property = cria_composer_get_property;
  object_class->set_property = cria_composer_set_property;

  widget_class->grab_focus = cria_composer_grab_focus;
  widget_class->system_setting_changed = cria_composer_system_setting_changed;

  /**
   * CriaComposer:busy:
   *
   * Whether a reply is being generated: Stop is shown instead of Send.
   */
  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaComposer:empty:
   *
   * Whether the text is empty or only white space: nothing to send.
   */
  properties [PROP_EMPTY] =
    g_param_spec_boolean ("empty", NULL, NULL,
                          TRUE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cria/Cria/ui/cria-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, box);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, scroller);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, text_view);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, placeholder);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, send_button);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, stop_button);
  gtk_widget_class_bind_template_callback (widget_class, preedit_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, text_view_realize_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "composer");
}

static void
cria_composer_init (CriaComposer *self)
{
  GtkEventController *controller;

  self->empty = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view),
                           "changed",
                           G_CALLBACK (buffer_changed_cb),
                           self,
                           G_CONNECT_SWAPPED);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller,
                           "key-pressed",
                           G_CALLBACK (key_pressed_cb),
                           self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), controller);
}

GtkWidget *
cria_composer_new (void)
{
  return g_object_new (CRIA_TYPE_COMPOSER, NULL);
}

/**
 * cria_composer_dup_text:
 * @self: a #CriaComposer
 *
 * Returns: (transfer full): the text as typed, never %NULL
 */
char *
cria_composer_dup_text (CriaComposer *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter begin, end;

  g_return_val_if_fail (CRIA_IS_COMPOSER (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &begin, &end);

  return gtk_text_buffer_get_text (buffer, &begin, &end, FALSE);
}

void
cria_composer_set_text (CriaComposer *self,
                        const char   *text)
{
  g_return_if_fail (CRIA_IS_COMPOSER (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view),
                            text ? text : "", -1);
}

gboolean
cria_composer_get_empty (CriaComposer *self)
{
  g_return_val_if_fail (CRIA_IS_COMPOSER (self), TRUE);

  return self->empty;
}

gboolean
cria_composer_get_busy (CriaComposer *self)
{
  g_return_val_if_fail (CRIA_IS_COMPOSER (self), FALSE);

  return self->busy;
}

void
cria_composer_set_busy (CriaComposer *self,
                        gboolean      busy)
{
  gboolean had_focus;

  g_return_if_fail (CRIA_IS_COMPOSER (self));

  busy = !!busy;

  if (busy == self->busy)
    return;

  /* Swapping the buttons must not drop the keyboard focus on the floor */
  had_focus = gtk_widget_has_focus (self->send_button) || gtk_widget_has_focus (self->stop_button);

  self->busy = busy;
  gtk_widget_set_visible (self->send_button, !busy);
  gtk_widget_set_visible (self->stop_button, busy);

  if (had_focus)
    gtk_widget_grab_focus (busy ? self->stop_button : GTK_WIDGET (self->text_view));

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

/**
 * cria_composer_get_text_view:
 * @self: a #CriaComposer
 *
 * Returns: (transfer none): the text view the user types in
 */
GtkWidget *
cria_composer_get_text_view (CriaComposer *self)
{
  g_return_val_if_fail (CRIA_IS_COMPOSER (self), NULL);

  return GTK_WIDGET (self->text_view);
}

GtkWidget *
_cria_composer_get_send_button (CriaComposer *self)
{
  return self->send_button;
}

GtkWidget *
_cria_composer_get_stop_button (CriaComposer *self)
{
  return self->stop_button;
}
