/* cria-message-row.c: one message of the conversation
 *
 * Rows are recycled by the list view: set_message() disconnects from the
 * previous message (a GSignalGroup) and resets the reply and the thinking
 * section.
 *
 * A streamed reply grows by appending: each notify::content only schedules
 * a frame-clock tick, and the tick hands the bytes not shown yet to the
 * reply's CriaMarkdownView, which parses and shows the new end of the
 * Markdown (cria-markdown-view.c). So the UI is updated at most once per
 * frame. A finished reply is parsed once, when the row is bound to it.
 *
 * The thinking section is plain text, shown in segments: a column of
 * text views, not one. A text view is as tall as its text here (the list
 * view scrolls, not the text view), so it snapshots and draws all of its
 * text whenever it changes, and one view for a long text made every token
 * cost more than the one before. The tick appends to the last segment
 * only, and once that one holds CRIA_MESSAGE_ROW_SEGMENT_SIZE bytes
 * (2 KB), the next line break starts a new segment. Earlier segments are
 * never touched again and GTK reuses their render nodes. The line break
 * between two segments is the boundary itself, in neither buffer: a text
 * view ending in "\n" would show an empty line more. (The reply's blocks
 * play the same part for the reply.)
 *
 * And only the segments and blocks in the list view's visible part are
 * mapped (gtk_widget_set_child_visible ()): the others keep their size and
 * place but are not drawn. The Cairo renderer draws every node of the
 * window when the view scrolls, which it does at every frame while the
 * reply grows, so without this the text above made each frame longer.
 * What shows is decided after every layout of the window, when rows have
 * their final places, and before the frame is painted.
 *
 * A row of a long chat shows a finished message's text only once it is
 * mapped (cria_message_row_set_defer_text ()): GtkListView maps the rows
 * in view only. GTK 4.8's list view makes
 * some 200 rows whatever it shows, and shaping the text of all of them
 * took seconds. Until then the row is as tall as the text will be: as it
 * was when last shown at that width, else an estimate from the text's
 * length. The text is shown in the first layout of a frame, before the
 * frame is painted, so a chat opened shows whole. While the list scrolls
 * on, rows share a time budget per frame, and past it a row shows its
 * text in the next frame: a fast fling may show a row a frame late, and
 * frames keep coming.
 *
 * Each message has its actions (copy, edit, regenerate, delete): the row
 * copies by itself and emits a signal for the others, which the chat page
 * carries out on the conversation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-message-row"

#include "cria-config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "cria-cull.h"
#include "cria-error-text.h"
#include "cria-image-strip.h"
#include "cria-markdown-view.h"
#include "cria-markdown-view-private.h"
#include "cria-message-row.h"
#include "cria-message-row-private.h"

/* A text shown as a column of text views in a box: the first one comes
 * from the template, the others are made like it. */
typedef struct
{
  /* Borrowed References */
  GtkBox      *box;
  GtkTextView *first;        /* (nullable): until segments_init () */
  GtkTextView *last;
  const char  *continued_label;

  gsize        shown;        /* bytes of the text shown */
  gsize        last_start;   /* where the last segment starts in the text */
  guint        n_segments;
  guint        changed_from; /* the first segment changed since the last
                              * tick, or G_MAXUINT */
} Segments;

struct _CriaMessageRow
{
  GtkWidget        parent_instance;

  /* Template Widgets */
  GtkWidget       *user_box;
  GtkWidget       *user_bubble;
  CriaImageStrip  *user_images;   /* (nullable): made for the first images */
  GtkLabel        *user_label;
  GtkWidget       *user_editor;   /* (nullable): made when first edited */
  GtkTextView     *editor_view;   /* (nullable): in user_editor */
  GtkWidget       *user_actions;       /* (nullable): made for the first user's message */
  GtkWidget       *assistant_actions;  /* (nullable): made for the first reply */
  GtkWidget       *regenerate_button;  /* (nullable): in assistant_actions */
  GtkWidget       *assistant_box;
  GtkExpander     *thinking_expander;  /* (nullable): made for the first thinking */
  GtkBox          *thinking_box;       /* (nullable): in thinking_expander */
  GtkTextView     *thinking_view;      /* (nullable): in thinking_box */
  GtkBox          *tool_calls_box;
  CriaMarkdownView *content_view;
  GtkWidget       *status_box;
  GtkSpinner      *spinner;
  GtkImage        *status_icon;
  GtkLabel        *status_label;

  /* Owned References */
  CriaChatMessage *message;
  GSignalGroup    *message_signals;
  GSignalGroup    *session_signals;  /* borrowed: the conversation of the message */

  gsize            content_shown;   /* bytes of the content shown */
  Segments         thinking;
  guint            tick_id;
  int              allocated_width;
  GdkFrameClock   *frame_clock;
  gulong           layout_handler;
  guint            show_tick_id;

  int              char_width;      /* for estimates; 0 until measured */
  int              line_height;

  guint            defer_text : 1;
  guint            text_deferred : 1;  /* finished text not shown yet */
  guint            content_finished : 1;
  guint            thinking_toggled_by_user : 1;
  guint            editing : 1;
  guint            setting_expanded : 1;
};

G_DEFINE_FINAL_TYPE (CriaMessageRow, cria_message_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

enum {
  EDIT_MESSAGE,
  REGENERATE,
  DELETE_MESSAGE,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

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

static void
segments_init (Segments    *segments,
               GtkBox      *box,
               GtkTextView *first,
               const char  *continued_label)
{
  segments->box = box;
  segments->first = first;
  segments->last = first;
  segments->continued_label = continued_label;
  segments->shown = 0;
  segments->last_start = 0;
  segments->n_segments = 1;
  segments->changed_from = G_MAXUINT;
}

/* Back to the first segment, empty */
static void
segments_clear (Segments *segments)
{
  GtkWidget *child;

  if (segments->box == NULL)
    return;

  while ((child = gtk_widget_get_last_child (GTK_WIDGET (segments->box))) !=
         GTK_WIDGET (segments->first))
    gtk_box_remove (segments->box, child);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (segments->first), "", 0);
  gtk_widget_set_child_visible (GTK_WIDGET (segments->first), TRUE);
  segments->last = segments->first;
  segments->shown = 0;
  segments->last_start = 0;
  segments->n_segments = 1;
  segments->changed_from = G_MAXUINT;
}

/* A new last segment, made like the first one */
static void
segments_add (Segments *segments)
{
  GtkTextView *first = segments->first;
  g_auto(GStrv) css_classes = gtk_widget_get_css_classes (GTK_WIDGET (first));
  GtkWidget *view;

  view = g_object_new (GTK_TYPE_TEXT_VIEW,
                       "editable", gtk_text_view_get_editable (first),
                       "cursor-visible", gtk_text_view_get_cursor_visible (first),
                       "wrap-mode", gtk_text_view_get_wrap_mode (first),
                       "css-classes", css_classes,
                       NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, segments->continued_label,
                                  -1);
  gtk_box_append (segments->box, view);

  segments->last = GTK_TEXT_VIEW (view);
  segments->n_segments++;
}

static void
insert_at_end (GtkTextView *text_view,
               const char  *text,
               gsize        length)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  GtkTextIter end;

  if (length == 0)
    return;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text, length);
}

/* The first line break in @start … @end that can end a segment: a "\n"
 * alone, since a "\r" left at the end of a segment would show as an empty
 * line */
static const char *
find_segment_break (const char *text,
                    const char *start,
                    const char *end)
{
  const char *p = start;

  while ((p = memchr (p, '\n', end - p)) != NULL)
    {
      if (p == text || p[-1] != '\r')
        return p;
      p++;
    }

  return NULL;
}

/* Shows the bytes of @text after those shown. A text shorter than what is
 * shown was replaced, not appended to: start over. */
static void
segments_update (Segments   *segments,
                 const char *text,
                 gsize       length)
{
  if (text == NULL)
    length = 0;

  if (length < segments->shown)
    segments_clear (segments);

  if (length == segments->shown)
    return;

  segments->changed_from = MIN (segments->changed_from, segments->n_segments - 1);

  while (segments->shown < length)
    {
      const char *start = text + segments->shown;
      gsize n = length - segments->shown;
      gsize in_last = segments->shown - segments->last_start;
      gsize skip = 0;
      const char *line_end = NULL;

      if (in_last < CRIA_MESSAGE_ROW_SEGMENT_SIZE)
        skip = CRIA_MESSAGE_ROW_SEGMENT_SIZE - in_last;

      /* Once the last segment is full, the next line break ends it */
      if (skip < n)
        line_end = find_segment_break (text, start + skip, start + n);

      if (line_end == NULL)
        {
          insert_at_end (segments->last, start, n);
          segments->shown = length;
          break;
        }

      insert_at_end (segments->last, start, line_end - start);
      segments_add (segments);
      segments->shown = segments->last_start = line_end + 1 - text;
    }
}

/* The text shown: the segments, with the line breaks between them */
static char *
segments_dup_text (Segments *segments)
{
  GString *text = g_string_new (NULL);

  for (GtkWidget *child = GTK_WIDGET (segments->first);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (child));
      g_autofree char *part = NULL;
      GtkTextIter begin, end;

      gtk_text_buffer_get_bounds (buffer, &begin, &end);
      part = gtk_text_buffer_get_text (buffer, &begin, &end, TRUE);

      if (child != GTK_WIDGET (segments->first))
        g_string_append_c (text, '\n');
      g_string_append (text, part);
    }

  return g_string_free (text, FALSE);
}

/* Tool calls ------------------------------------------------------------ */

/* A call's arguments, as indented JSON: an object, or a string that holds
 * one (as some servers send them) */
static char *
format_arguments (JsonNode *arguments)
{
  g_autoptr(JsonParser) parser = NULL;

  if (arguments == NULL || JSON_NODE_HOLDS_NULL (arguments))
    return g_strdup ("{}");

  if (JSON_NODE_HOLDS_VALUE (arguments) &&
      json_node_get_value_type (arguments) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (arguments);

      parser = json_parser_new ();
      if (!json_parser_load_from_data (parser, text, -1, NULL))
        return g_strdup (text);
      arguments = json_parser_get_root (parser);
    }

  return json_to_string (arguments, TRUE);
}

static GtkWidget *
new_tool_call (JsonNode *call)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (call) ? json_node_get_object (call) : NULL;
  JsonObject *function = NULL;
  const char *name = NULL;
  JsonNode *arguments = NULL;
  g_autofree char *title = NULL;
  g_autofree char *arguments_text = NULL;
  GtkWidget *box;
  GtkWidget *label;
  GtkWidget *view;

  if (object != NULL && json_object_has_member (object, "function") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "function")))
    function = json_object_get_object_member (object, "function");

  if (function != NULL)
    {
      if (json_object_has_member (function, "name") &&
          JSON_NODE_HOLDS_VALUE (json_object_get_member (function, "name")))
        name = json_object_get_string_member (function, "name");
      arguments = json_object_get_member (function, "arguments");
    }

  /* Translators: %s is the name of a tool (a function) the model called */
  title = g_strdup_printf (_("Called %s"), name != NULL ? name : _("a tool"));
  arguments_text = format_arguments (arguments);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_add_css_class (box, "tool-call");

  label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);

  view = g_object_new (GTK_TYPE_TEXT_VIEW,
                       "editable", FALSE,
                       "cursor-visible", FALSE,
                       "monospace", TRUE,
                       "wrap-mode", GTK_WRAP_WORD_CHAR,
                       NULL);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), arguments_text, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Arguments"),
                                  -1);
  gtk_box_append (GTK_BOX (box), view);

  return box;
}

static void
clear_tool_calls (CriaMessageRow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tool_calls_box))) != NULL)
    gtk_box_remove (self->tool_calls_box, child);
  gtk_widget_set_visible (GTK_WIDGET (self->tool_calls_box), FALSE);
}

static void
update_tool_calls (CriaMessageRow *self)
{
  JsonArray *calls = self->message ? cria_chat_message_get_tool_calls (self->message) : NULL;
  guint n = calls != NULL ? json_array_get_length (calls) : 0;

  if (self->text_deferred)
    return;

  clear_tool_calls (self);

  for (guint i = 0; i < n; i++)
    gtk_box_append (self->tool_calls_box, new_tool_call (json_array_get_element (calls, i)));

  gtk_widget_set_visible (GTK_WIDGET (self->tool_calls_box), n > 0);
}

static void
tool_calls_changed_cb (CriaMessageRow  *self,
                       GParamSpec      *pspec,
                       CriaChatMessage *message)
{
  g_assert (CRIA_IS_MESSAGE_ROW (self));

  update_tool_calls (self);
}

static void
set_thinking_expanded (CriaMessageRow *self,
                       gboolean        expanded)
{
  if (self->thinking_expander == NULL)
    return;

  if (gtk_expander_get_expanded (self->thinking_expander) == expanded)
    return;

  self->setting_expanded = TRUE;
  gtk_expander_set_expanded (self->thinking_expander, expanded);
  self->setting_expanded = FALSE;
}

static void queue_check (CriaMessageRow *self);

static void
thinking_expanded_cb (CriaMessageRow *self,
                      GParamSpec     *pspec,
                      GtkExpander    *expander)
{
  g_assert (CRIA_IS_MESSAGE_ROW (self));

  if (!self->setting_expanded)
    self->thinking_toggled_by_user = TRUE;

  /* Shown again, perhaps at another width */
  if (gtk_expander_get_expanded (expander))
    queue_check (self);
}

/* The thinking section is open while the model thinks, and closes by
 * itself when the answer starts, unless the user opened or closed it. */
static void
update_thinking (CriaMessageRow *self)
{
  gboolean streaming;

  if (self->thinking_expander == NULL)
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander), self->thinking.shown > 0);

  if (self->thinking_toggled_by_user || self->message == NULL)
    return;

  streaming = cria_chat_message_get_state (self->message) == CRIA_MESSAGE_STATE_STREAMING;
  set_thinking_expanded (self, streaming && self->content_shown == 0);
}

/* Few replies have thinking, and a text view is costly to make, so the
 * thinking section is made for the first thinking shown, and kept. */
static void
ensure_thinking (CriaMessageRow *self)
{
  const char *classes[] = { "message-text", "thinking-text", NULL };

  if (self->thinking_expander != NULL)
    return;

  self->thinking_expander = GTK_EXPANDER (gtk_expander_new (_("Thinking")));
  gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->thinking_expander), "thinking");
  g_signal_connect_object (self->thinking_expander, "notify::expanded",
                           G_CALLBACK (thinking_expanded_cb),
                           self, G_CONNECT_SWAPPED);

  /* In segments, like the reply */
  self->thinking_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  gtk_widget_set_margin_top (GTK_WIDGET (self->thinking_box), 6);
  gtk_expander_set_child (self->thinking_expander, GTK_WIDGET (self->thinking_box));

  self->thinking_view = g_object_new (GTK_TYPE_TEXT_VIEW,
                                      "editable", FALSE,
                                      "cursor-visible", FALSE,
                                      "wrap-mode", GTK_WRAP_WORD_CHAR,
                                      "css-classes", classes,
                                      NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->thinking_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Thinking"),
                                  -1);
  gtk_box_append (self->thinking_box, GTK_WIDGET (self->thinking_view));

  gtk_box_prepend (GTK_BOX (self->assistant_box), GTK_WIDGET (self->thinking_expander));

  /* Translators: the accessible name of the second and later parts of a
   * long thinking section, which is shown in parts; the first part is “Thinking” */
  segments_init (&self->thinking, self->thinking_box, self->thinking_view,
                 _("Thinking, continued"));
}

static void update_status (CriaMessageRow *self);
static void update_actions (CriaMessageRow *self);
static void show_deferred_text (CriaMessageRow *self);

/* Shows the content not shown yet: appended to the Markdown while the
 * reply streams, and parsed once when it is finished */
static void
update_content (CriaMessageRow *self)
{
  CriaChatMessage *message = self->message;
  const char *content = cria_chat_message_get_content (message);
  gsize length = cria_chat_message_get_content_length (message);

  if (cria_chat_message_get_state (message) == CRIA_MESSAGE_STATE_STREAMING)
    {
      /* Replaced, not appended to: start over */
      if (self->content_finished || length < self->content_shown)
        {
          cria_markdown_view_clear (self->content_view);
          self->content_shown = 0;
          self->content_finished = FALSE;
        }

      if (length > self->content_shown)
        {
          cria_markdown_view_append (self->content_view,
                                     content + self->content_shown,
                                     length - self->content_shown);
          self->content_shown = length;
        }

      return;
    }

  if (self->content_finished && length == self->content_shown)
    return;

  if (self->content_shown == 0 || self->content_finished || length < self->content_shown)
    {
      cria_markdown_view_set_text (self->content_view, content, length);
    }
  else
    {
      cria_markdown_view_append (self->content_view,
                                 content + self->content_shown,
                                 length - self->content_shown);
      cria_markdown_view_finish (self->content_view);
    }

  self->content_shown = length;
  self->content_finished = TRUE;
}

/* An image sent with no text gets no empty bubble */
static void
update_user_bubble (CriaMessageRow *self)
{
  gboolean has_text = self->message != NULL &&
                      cria_chat_message_get_content_length (self->message) > 0;

  gtk_widget_set_visible (self->user_bubble, has_text && !self->editing);
}

static void
flush_text (CriaMessageRow *self)
{
  CriaChatMessage *message = self->message;
  gboolean had_content = self->content_shown > 0;

  if (message == NULL)
    return;

  /* A message shown later, unless it streams again */
  if (self->text_deferred)
    {
      if (cria_chat_message_get_state (message) == CRIA_MESSAGE_STATE_STREAMING)
        show_deferred_text (self);
      return;
    }

  if (cria_chat_message_get_role (message) == CRIA_MESSAGE_ROLE_USER)
    {
      GPtrArray *images = cria_chat_message_get_images (message);

      /* Sent text does not stream: shown whole */
      gtk_label_set_text (self->user_label, cria_chat_message_get_content (message));
      self->content_shown = cria_chat_message_get_content_length (message);
      update_user_bubble (self);
      if (images != NULL && images->len > 0 && self->user_images == NULL)
        {
          /* Few messages carry images: their strip (a scrolled window)
           * is not made for every row of a long chat */
          self->user_images = CRIA_IMAGE_STRIP (cria_image_strip_new ());
          gtk_widget_set_halign (GTK_WIDGET (self->user_images), GTK_ALIGN_END);
          gtk_widget_set_margin_start (GTK_WIDGET (self->user_images), 64);
          gtk_box_prepend (GTK_BOX (self->user_box), GTK_WIDGET (self->user_images));
        }
      if (self->user_images != NULL)
        {
          cria_image_strip_set_images (self->user_images, images);
          gtk_widget_set_visible (GTK_WIDGET (self->user_images), images != NULL && images->len > 0);
        }
      return;
    }

  update_content (self);
  if (cria_chat_message_get_thinking_length (message) > 0)
    ensure_thinking (self);
  segments_update (&self->thinking,
                   cria_chat_message_get_thinking (message),
                   cria_chat_message_get_thinking_length (message));

  gtk_widget_set_visible (GTK_WIDGET (self->content_view),
                          !cria_markdown_view_is_empty (self->content_view));
  update_thinking (self);

  if (had_content != (self->content_shown > 0))
    update_status (self);
}

/* A GtkTextView learns its height when it validates its lines, which can
 * happen while the list view allocates the row: the resize it queues then
 * is lost, and the row keeps its old height. So the tick also compares
 * what the text views want with what they got. */
static gboolean
text_view_needs_resize (GtkWidget *widget)
{
  int width = gtk_widget_get_width (widget);
  int min = 0;

  /* A segment out of view is not mapped, but still laid out */
  if (!gtk_widget_get_mapped (gtk_widget_get_parent (widget)) || width <= 0)
    return FALSE;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &min, NULL, NULL, NULL);

  return min != gtk_widget_get_height (widget);
}

/* Looks at the last segment, and at those changed before this tick (laid
 * out since): not at every segment, so the check costs the same at the
 * end of a long reply as at its start. */
static gboolean
segments_need_resize (Segments *segments,
                      guint     changed_from)
{
  GtkWidget *child = GTK_WIDGET (segments->last);
  guint n = segments->n_segments - MIN (changed_from, segments->n_segments - 1);

  for (guint i = 0; i < n && child != NULL; i++, child = gtk_widget_get_prev_sibling (child))
    {
      if (text_view_needs_resize (child))
        return TRUE;
    }

  return FALSE;
}

static gboolean
flush_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (widget);
  gsize shown = self->content_shown + self->thinking.shown;
  guint thinking_changed_from = self->thinking.changed_from;

  self->thinking.changed_from = G_MAXUINT;

  flush_text (self);

  /* (The reply's view sees to its own text views) */
  if (segments_need_resize (&self->thinking, thinking_changed_from))
    gtk_widget_queue_resize (widget);

  /* Text was added: look again at the next frame, once it is laid out */
  if (shown != self->content_shown + self->thinking.shown)
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

/* At the next frame, compares the heights of all segments with what they
 * want: after the text was wrapped anew or shown at once, when each text
 * view learns its height while it is allocated */
static void
queue_check (CriaMessageRow *self)
{
  _cria_markdown_view_queue_check (self->content_view);
  self->thinking.changed_from = 0;
  queue_flush (self);
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

  if (self->text_deferred)
    return;

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

  if (self->text_deferred)
    {
      flush_text (self);
      return;
    }

  /* The end of a reply is shown at once, not on the next frame; the tick
   * still looks at the heights then */
  if (cria_chat_message_get_state (message) != CRIA_MESSAGE_STATE_STREAMING)
    {
      flush_text (self);
      queue_flush (self);
    }
  else
    {
      update_thinking (self);
    }

  update_status (self);
  update_actions (self);
}

static void
status_changed_cb (CriaMessageRow  *self,
                   GParamSpec      *pspec,
                   CriaChatMessage *message)
{
  g_assert (CRIA_IS_MESSAGE_ROW (self));

  update_status (self);
}

/* Actions on the message ------------------------------------------------ */

static CriaChatSession *
get_session (CriaMessageRow *self)
{
  g_autoptr(GObject) session = g_signal_group_dup_target (self->session_signals);

  /* The row is bound to a message of the session, which keeps it */
  return (CriaChatSession *) session;
}

/* Whether the message is the last one of its conversation */
static gboolean
is_last (CriaMessageRow  *self,
         CriaChatSession *session)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (session));
  g_autoptr(CriaChatMessage) last = NULL;

  if (n_items == 0)
    return FALSE;

  last = g_list_model_get_item (G_LIST_MODEL (session), n_items - 1);

  return last == self->message;
}

/* Builds @id from cria-message-actions.ui, and returns it (borrowed) */
static GtkWidget *
build_actions (GtkBuilder *builder,
               const char *id)
{
  const char *ids[] = { id, NULL };
  g_autoptr(GError) error = NULL;

  if (!gtk_builder_add_objects_from_resource (builder, "/io/github/cria/Cria/ui/cria-message-actions.ui",
                                              ids, &error))
    g_error ("Cannot build %s: %s", id, error->message);

  return GTK_WIDGET (gtk_builder_get_object (builder, id));
}

/* A row shows a user's message or a reply, and the six buttons cost much
 * of making a row, so each set is made the first time its kind of message
 * is shown, and kept. */
static void
ensure_actions (CriaMessageRow *self,
                gboolean        is_user)
{
  g_autoptr(GtkBuilder) builder = NULL;

  if (is_user && self->user_actions == NULL)
    {
      builder = gtk_builder_new ();
      self->user_actions = build_actions (builder, "user_actions");
      gtk_box_append (GTK_BOX (self->user_box), self->user_actions);
    }
  else if (!is_user && self->assistant_actions == NULL)
    {
      builder = gtk_builder_new ();
      self->assistant_actions = build_actions (builder, "assistant_actions");
      self->regenerate_button = GTK_WIDGET (gtk_builder_get_object (builder, "regenerate_button"));
      gtk_widget_insert_after (self->assistant_actions,
                               gtk_widget_get_parent (self->status_box),
                               self->status_box);
    }
}

static void
update_actions (CriaMessageRow *self)
{
  CriaChatSession *session = get_session (self);
  gboolean shown = self->message != NULL && !self->text_deferred;
  gboolean streaming = FALSE;
  gboolean idle = FALSE;
  gboolean is_user = FALSE;
  gboolean can_regenerate = FALSE;

  if (self->message != NULL)
    {
      is_user = cria_chat_message_get_role (self->message) == CRIA_MESSAGE_ROLE_USER;
      streaming = cria_chat_message_get_state (self->message) == CRIA_MESSAGE_STATE_STREAMING;
    }

  if (session != NULL)
    {
      idle = !cria_chat_session_get_busy (session);
      can_regenerate = !is_user && self->message != NULL &&
                       cria_chat_session_can_regenerate (session) && is_last (self, session);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.copy", shown);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.edit", idle && is_user && !self->editing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.send-edit", idle && self->editing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.regenerate", can_regenerate);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "message.delete", idle && !streaming);

  if (shown)
    ensure_actions (self, is_user);
  if (self->user_actions != NULL)
    gtk_widget_set_visible (self->user_actions, !self->editing);
  if (self->assistant_actions != NULL)
    {
      gtk_widget_set_visible (self->assistant_actions, self->message != NULL && !is_user && !streaming);
      gtk_widget_set_visible (self->regenerate_button, can_regenerate);
    }
}

static void
session_changed_cb (CriaMessageRow *self)
{
  g_assert (CRIA_IS_MESSAGE_ROW (self));

  update_actions (self);
}

static void
show_toast (CriaMessageRow *self,
            const char     *title)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *toast;

  if (overlay == NULL)
    return;

  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 2);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (widget);

  if (self->message == NULL)
    return;

  /* The text as written: Markdown for a reply */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                          cria_chat_message_get_content (self->message));
  show_toast (self, _("Copied"));
}

static void ensure_editor (CriaMessageRow *self);

static void
set_editing (CriaMessageRow *self,
             gboolean        editing)
{
  if (self->editing == editing)
    return;

  self->editing = editing;
  if (editing)
    ensure_editor (self);
  if (self->user_editor != NULL)
    gtk_widget_set_visible (self->user_editor, editing);
  update_user_bubble (self);

  if (editing)
    {
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->editor_view),
                                cria_chat_message_get_content (self->message), -1);
      gtk_widget_grab_focus (GTK_WIDGET (self->editor_view));
    }
  else if (self->editor_view != NULL)
    {
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->editor_view), "", 0);
    }

  update_actions (self);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (widget);

  if (self->message != NULL && cria_chat_message_get_role (self->message) == CRIA_MESSAGE_ROLE_USER)
    set_editing (self, TRUE);
}

static void
cancel_edit_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (widget);
  gboolean had_focus = self->editor_view != NULL &&
                       gtk_widget_has_focus (GTK_WIDGET (self->editor_view));

  set_editing (self, FALSE);

  /* Back on the message's own action */
  if (had_focus && self->user_actions != NULL)
    gtk_widget_grab_focus (gtk_widget_get_next_sibling (gtk_widget_get_first_child (self->user_actions)));
}

static void
send_edit_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (widget);
  GtkTextBuffer *buffer;
  g_autofree char *text = NULL;
  GtkTextIter begin, end;

  if (!self->editing)
    return;

  buffer = gtk_text_view_get_buffer (self->editor_view);
  gtk_text_buffer_get_bounds (buffer, &begin, &end);
  text = g_strstrip (gtk_text_buffer_get_text (buffer, &begin, &end, FALSE));
  if (text[0] == '\0')
    return;

  set_editing (self, FALSE);
  g_signal_emit (self, signals [EDIT_MESSAGE], 0, text);
}

static gboolean
editor_key_pressed_cb (CriaMessageRow        *self,
                       guint                  keyval,
                       guint                  keycode,
                       GdkModifierType        state,
                       GtkEventControllerKey *controller)
{
  if (keyval == GDK_KEY_Escape)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "message.cancel-edit", NULL);
      return TRUE;
    }

  /* Enter sends, as in the composer; Shift+Enter is a new line */
  if ((keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter) &&
      (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK)) == 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "message.send-edit", NULL);
      return TRUE;
    }

  return FALSE;
}

/* Few messages are ever edited, and a text view is costly to make, so
 * the editor is made when Edit is first pressed, and kept. */
static void
ensure_editor (CriaMessageRow *self)
{
  g_autoptr(GtkBuilder) builder = NULL;
  GtkEventController *controller;

  if (self->user_editor != NULL)
    return;

  builder = gtk_builder_new_from_resource ("/io/github/cria/Cria/ui/cria-message-editor.ui");
  self->user_editor = GTK_WIDGET (gtk_builder_get_object (builder, "user_editor"));
  self->editor_view = GTK_TEXT_VIEW (gtk_builder_get_object (builder, "editor_view"));
  gtk_widget_set_visible (self->user_editor, FALSE);
  gtk_box_insert_child_after (GTK_BOX (self->user_box), self->user_editor, self->user_bubble);

  controller = gtk_event_controller_key_new ();
  g_signal_connect_object (controller, "key-pressed",
                           G_CALLBACK (editor_key_pressed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->editor_view), controller);
}

static void
regenerate_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  g_signal_emit (widget, signals [REGENERATE], 0);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  g_signal_emit (widget, signals [DELETE_MESSAGE], 0);
}

static void
reset (CriaMessageRow *self)
{
  cancel_flush (self);

  cria_markdown_view_clear (self->content_view);
  self->content_shown = 0;
  self->content_finished = FALSE;
  self->text_deferred = FALSE;
  segments_clear (&self->thinking);
  gtk_label_set_text (self->user_label, "");
  if (self->user_images != NULL)
    {
      cria_image_strip_set_images (self->user_images, NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->user_images), FALSE);
    }
  self->thinking_toggled_by_user = FALSE;
  set_thinking_expanded (self, FALSE);
  if (self->thinking_expander != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->thinking_expander), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->content_view), FALSE);
  clear_tool_calls (self);
  set_editing (self, FALSE);
}

/* Maps the segments in the visible part of @viewport, and only those; a
 * single one is always shown */
static void
segments_cull (Segments  *segments,
               GtkWidget *viewport)
{
  if (segments->box != NULL)
    cria_cull_children (GTK_WIDGET (segments->box), segments->n_segments > 1 ? viewport : NULL);
}

/* Shows the message: its text, its status and its actions */
static void
show_message (CriaMessageRow *self)
{
  gboolean is_user;

  if (self->message != NULL)
    {
      is_user = cria_chat_message_get_role (self->message) == CRIA_MESSAGE_ROLE_USER;

      gtk_widget_set_visible (self->user_box, is_user);
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
      update_tool_calls (self);
      queue_check (self);
    }

  update_status (self);
  update_actions (self);
}

/* Deferred text ---------------------------------------------------------- */

static void
show_deferred_text (CriaMessageRow *self)
{
  self->text_deferred = FALSE;
  show_message (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* What showing deferred text may take of a frame. A frame after one that
 * showed none gets the larger budget, so that a chat opened, or a jump,
 * shows whole; while the list scrolls on, the smaller one keeps frames
 * coming, and rows show a frame or two late at worst. */
#define SHOW_BUDGET_FIRST_US (100 * 1000)
#define SHOW_BUDGET_NEXT_US  (12 * 1000)

static struct
{
  gint64 frame;
  gint64 start;
  gint64 budget;
} show_budget = { -1, 0, 0 };

/* Whether a row may show its text in the current frame of @frame_clock:
 * every row shown counts against one budget, as measured from the first */
static gboolean
spend_show_budget (GdkFrameClock *frame_clock)
{
  gint64 frame = gdk_frame_clock_get_frame_counter (frame_clock);
  gint64 now = g_get_monotonic_time ();

  if (frame != show_budget.frame)
    {
      show_budget.budget = frame == show_budget.frame + 1 ? SHOW_BUDGET_NEXT_US : SHOW_BUDGET_FIRST_US;
      show_budget.frame = frame;
      show_budget.start = now;
    }

  return now - show_budget.start < show_budget.budget;
}

/* The height of a message's text shown at one width, kept with the
 * message for the next row that shows it */
typedef struct
{
  int width;
  int height;
} KnownHeight;

static GQuark
known_height_quark (void)
{
  return g_quark_from_static_string ("cria-message-row-height");
}

static void
remember_height (CriaMessageRow *self,
                 int             width,
                 int             height)
{
  KnownHeight *known = g_object_get_qdata (G_OBJECT (self->message), known_height_quark ());

  if (known == NULL)
    {
      known = g_new (KnownHeight, 1);
      g_object_set_qdata_full (G_OBJECT (self->message), known_height_quark (), known, g_free);
    }

  known->width = width;
  known->height = height;
}

/* About as tall as @text will be at @width: its lines, wrapped at the
 * width of an average character */
static int
estimate_text_height (CriaMessageRow *self,
                      const char     *text,
                      int             width)
{
  int chars_per_line;
  int n_lines = 0;

  if (self->line_height == 0)
    {
      PangoFontMetrics *metrics = pango_context_get_metrics (gtk_widget_get_pango_context (GTK_WIDGET (self)),
                                                             NULL, NULL);

      self->char_width = MAX (1, pango_font_metrics_get_approximate_char_width (metrics) / PANGO_SCALE);
      self->line_height = MAX (1, pango_font_metrics_get_height (metrics) / PANGO_SCALE);
      pango_font_metrics_unref (metrics);
    }

  chars_per_line = MAX (width > 0 ? width : 600, self->char_width) / self->char_width;

  for (const char *line = text; line != NULL && *line != '\0';)
    {
      const char *end = strchr (line, '\n');
      glong n_chars = g_utf8_strlen (line, end != NULL ? end - line : -1);

      n_lines += MAX (1, (n_chars + chars_per_line - 1) / chars_per_line);
      line = end != NULL ? end + 1 : NULL;
    }

  return n_lines * self->line_height;
}

/* The height of the row once its text is shown */
static int
deferred_height (CriaMessageRow *self,
                 int             width,
                 int             height_without_text)
{
  KnownHeight *known = g_object_get_qdata (G_OBJECT (self->message), known_height_quark ());

  if (known != NULL && known->width == width)
    return known->height;

  /* The status line and the actions under the text */
  return height_without_text + self->line_height + 36 +
         estimate_text_height (self, cria_chat_message_get_content (self->message), width) +
         estimate_text_height (self, cria_chat_message_get_thinking (self->message), width);
}

/* The layouts of the window in the current frame of a frame clock */
typedef struct
{
  gint64 frame;
  guint  n_layouts;
} LayoutCount;

static void
count_layout_cb (GdkFrameClock *frame_clock,
                 LayoutCount   *count)
{
  gint64 frame = gdk_frame_clock_get_frame_counter (frame_clock);

  if (frame != count->frame)
    {
      count->frame = frame;
      count->n_layouts = 0;
    }
  count->n_layouts++;
}

/* Counts the layouts of @frame_clock's frames, before the rows look */
static void
ensure_layout_count (GdkFrameClock *frame_clock)
{
  LayoutCount *count;

  if (g_object_get_data (G_OBJECT (frame_clock), "cria-layout-count") != NULL)
    return;

  count = g_new0 (LayoutCount, 1);
  count->frame = -1;
  g_object_set_data_full (G_OBJECT (frame_clock), "cria-layout-count", count, g_free);
  g_signal_connect (frame_clock, "layout", G_CALLBACK (count_layout_cb), count);
}

/* Whether this is the first layout of the frame: one not counted yet
 * (the counter was added while the frame was laid out) is */
static gboolean
is_first_layout (GdkFrameClock *frame_clock)
{
  LayoutCount *count = g_object_get_data (G_OBJECT (frame_clock), "cria-layout-count");

  return count == NULL ||
         count->frame != gdk_frame_clock_get_frame_counter (frame_clock) ||
         count->n_layouts <= 1;
}

/* Lays the row out in the next frame, to show its text then */
static gboolean
show_tick_cb (GtkWidget     *widget,
              GdkFrameClock *frame_clock,
              gpointer       user_data)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (widget);

  self->show_tick_id = 0;
  gtk_widget_queue_allocate (widget);

  return G_SOURCE_REMOVE;
}

/* After the window's layout, before it is painted */
static void
frame_clock_layout_cb (CriaMessageRow *self,
                       GdkFrameClock  *frame_clock)
{
  GtkWidget *viewport;

  g_assert (CRIA_IS_MESSAGE_ROW (self));

  /* Shown in the first layout of a frame only: the frame clock lays the
   * window out again for the rows it resized, and gives up after four */
  if (self->text_deferred)
    {
      if (is_first_layout (frame_clock) && spend_show_budget (frame_clock))
        {
          int height;

          show_deferred_text (self);

          /* Shaped now, and counted: the window's layout asks the same */
          gtk_widget_measure (GTK_WIDGET (self), GTK_ORIENTATION_VERTICAL,
                              gtk_widget_get_width (GTK_WIDGET (self)), &height, NULL, NULL, NULL);
        }
      else if (self->show_tick_id == 0)
        {
          self->show_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), show_tick_cb, NULL, NULL);
        }
    }

  viewport = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLABLE);
  cria_cull_children (GTK_WIDGET (self->content_view), viewport);
  segments_cull (&self->thinking, viewport);
}

static void
cria_message_row_map (GtkWidget *widget)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (widget);

  GTK_WIDGET_CLASS (cria_message_row_parent_class)->map (widget);

  /* After GtkRoot's handler, which lays the window out */
  self->frame_clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  ensure_layout_count (self->frame_clock);
  self->layout_handler = g_signal_connect_object (self->frame_clock, "layout",
                                                  G_CALLBACK (frame_clock_layout_cb),
                                                  self,
                                                  G_CONNECT_SWAPPED | G_CONNECT_AFTER);
}

static void
cria_message_row_unmap (GtkWidget *widget)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (widget);

  g_clear_signal_handler (&self->layout_handler, self->frame_clock);
  g_clear_object (&self->frame_clock);
  if (self->show_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, self->show_tick_id);
      self->show_tick_id = 0;
    }

  GTK_WIDGET_CLASS (cria_message_row_parent_class)->unmap (widget);
}

static GtkSizeRequestMode
cria_message_row_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
cria_message_row_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min = 0;
      int child_nat = 0;

      if (!gtk_widget_should_layout (child))
        continue;

      gtk_widget_measure (child, orientation, for_size, &child_min, &child_nat, NULL, NULL);
      *minimum = MAX (*minimum, child_min);
      *natural = MAX (*natural, child_nat);
    }

  if (self->text_deferred && orientation == GTK_ORIENTATION_VERTICAL)
    *minimum = *natural = deferred_height (self, for_size, *minimum);
}

/* Like GtkBinLayout, and a widget with a layout manager never sees its
 * size_allocate () */
static void
cria_message_row_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (gtk_widget_should_layout (child))
        gtk_widget_allocate (child, width, height, baseline, NULL);
    }

  if (self->message != NULL && !self->text_deferred &&
      cria_chat_message_get_state (self->message) != CRIA_MESSAGE_STATE_STREAMING)
    remember_height (self, width, height);

  /* The text is wrapped anew, at every segment */
  if (width != self->allocated_width)
    {
      self->allocated_width = width;
      queue_check (self);
    }
}

static void
cria_message_row_dispose (GObject *object)
{
  CriaMessageRow *self = CRIA_MESSAGE_ROW (object);

  cancel_flush (self);

  if (self->message_signals != NULL)
    g_signal_group_set_target (self->message_signals, NULL);
  g_clear_object (&self->message_signals);
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
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

  widget_class->get_request_mode = cria_message_row_get_request_mode;
  widget_class->measure = cria_message_row_measure;
  widget_class->size_allocate = cria_message_row_size_allocate;
  widget_class->map = cria_message_row_map;
  widget_class->unmap = cria_message_row_unmap;

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
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, user_box);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, user_bubble);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, user_label);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, assistant_box);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, tool_calls_box);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, content_view);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, status_box);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, CriaMessageRow, status_label);

  /**
   * CriaMessageRow::edit-message:
   * @text: the new text of the user's message
   *
   * The user edited the message and sent it again.
   */
  signals [EDIT_MESSAGE] =
    g_signal_new ("edit-message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * CriaMessageRow::regenerate:
   *
   * The user asked for the reply again.
   */
  signals [REGENERATE] =
    g_signal_new ("regenerate",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * CriaMessageRow::delete-message:
   *
   * The user asked to delete the message.
   */
  signals [DELETE_MESSAGE] =
    g_signal_new ("delete-message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "message.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "message.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "message.cancel-edit", NULL, cancel_edit_action);
  gtk_widget_class_install_action (widget_class, "message.send-edit", NULL, send_edit_action);
  gtk_widget_class_install_action (widget_class, "message.regenerate", NULL, regenerate_action);
  gtk_widget_class_install_action (widget_class, "message.delete", NULL, delete_action);

  gtk_widget_class_set_css_name (widget_class, "messagerow");

  g_type_ensure (CRIA_TYPE_MARKDOWN_VIEW);
}

static void
cria_message_row_init (CriaMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Its blocks are mapped by frame_clock_layout_cb () */
  _cria_markdown_view_set_culled (self->content_view, TRUE);

  segments_init (&self->thinking, NULL, NULL, NULL);

  self->session_signals = g_signal_group_new (CRIA_TYPE_CHAT_SESSION);
  g_signal_group_connect_object (self->session_signals, "items-changed",
                                 G_CALLBACK (session_changed_cb),
                                 self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->session_signals, "notify::busy",
                                 G_CALLBACK (session_changed_cb),
                                 self, G_CONNECT_SWAPPED);

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
                                 "notify::tool-calls",
                                 G_CALLBACK (tool_calls_changed_cb),
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
  g_return_if_fail (CRIA_IS_MESSAGE_ROW (self));
  g_return_if_fail (!message || CRIA_IS_CHAT_MESSAGE (message));

  if (self->message == message)
    return;

  g_signal_group_set_target (self->message_signals, NULL);
  reset (self);
  g_set_object (&self->message, message);

  if (message != NULL &&
      self->defer_text && cria_chat_message_get_state (message) != CRIA_MESSAGE_STATE_STREAMING)
    {
      /* Shown once near the visible part; until then as tall, and empty */
      self->text_deferred = TRUE;
      gtk_widget_set_visible (self->user_box, FALSE);
      gtk_widget_set_visible (self->assistant_box, FALSE);
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  else
    {
      show_message (self);
    }

  g_signal_group_set_target (self->message_signals, message);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MESSAGE]);
}

/**
 * cria_message_row_set_session:
 * @self: a #CriaMessageRow
 * @session: (nullable): the conversation the messages shown belong to
 *
 * The row offers to regenerate the reply that is the last message of
 * @session, and to edit or delete a message while @session is not busy.
 */
void
cria_message_row_set_session (CriaMessageRow  *self,
                              CriaChatSession *session)
{
  g_return_if_fail (CRIA_IS_MESSAGE_ROW (self));
  g_return_if_fail (!session || CRIA_IS_CHAT_SESSION (session));

  g_signal_group_set_target (self->session_signals, session);
  update_actions (self);
}

/**
 * cria_message_row_set_defer_text:
 * @self: a #CriaMessageRow
 * @defer_text: whether to wait
 *
 * With @defer_text, the text of a finished message is shown only once the
 * row is mapped: for the rows of a long GtkListView, which maps the rows
 * in view only and makes many more, most of them never seen.
 */
void
cria_message_row_set_defer_text (CriaMessageRow *self,
                                 gboolean        defer_text)
{
  g_return_if_fail (CRIA_IS_MESSAGE_ROW (self));

  self->defer_text = !!defer_text;
}

/* The reply */
CriaMarkdownView *
_cria_message_row_get_content_view (CriaMessageRow *self)
{
  return self->content_view;
}

/* The text of the reply's blocks, a line break between two */
char *
_cria_message_row_dup_content_text (CriaMessageRow *self)
{
  return _cria_markdown_view_dup_text (self->content_view);
}

/* The first segment of the thinking section */
GtkTextView *
_cria_message_row_get_thinking_view (CriaMessageRow *self)
{
  ensure_thinking (self);
  return self->thinking_view;
}

GtkBox *
_cria_message_row_get_thinking_box (CriaMessageRow *self)
{
  ensure_thinking (self);
  return self->thinking_box;
}

char *
_cria_message_row_dup_thinking_text (CriaMessageRow *self)
{
  return segments_dup_text (&self->thinking);
}

GtkExpander *
_cria_message_row_get_thinking_expander (CriaMessageRow *self)
{
  ensure_thinking (self);
  return self->thinking_expander;
}

GtkLabel *
_cria_message_row_get_status_label (CriaMessageRow *self)
{
  return self->status_label;
}

GtkTextView *
_cria_message_row_get_editor_view (CriaMessageRow *self)
{
  ensure_editor (self);
  return self->editor_view;
}

GtkWidget *
_cria_message_row_get_user_editor (CriaMessageRow *self)
{
  ensure_editor (self);
  return self->user_editor;
}

GtkWidget *
_cria_message_row_get_regenerate_button (CriaMessageRow *self)
{
  ensure_actions (self, FALSE);
  update_actions (self);
  return self->regenerate_button;
}

GtkBox *
_cria_message_row_get_tool_calls_box (CriaMessageRow *self)
{
  return self->tool_calls_box;
}

CriaImageStrip *
_cria_message_row_get_user_images (CriaMessageRow *self)
{
  return self->user_images;
}

GtkLabel *
_cria_message_row_get_user_label (CriaMessageRow *self)
{
  return self->user_label;
}
