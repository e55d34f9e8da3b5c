/* cria-markdown-view.c: a reply's Markdown, as widgets
 *
 * Shows the block model of cria-markdown.h: a text view per paragraph,
 * heading, list item's text and table cell, with named tags for the spans
 * (one tag table for every view); a GtkSourceView per code block, with a
 * header holding its language and a Copy button; boxes for quotes, lists
 * and items, a GtkGrid per table, a separator per rule. Text from the
 * model is inserted into buffers as it is: nothing of it is markup.
 *
 * A streamed reply grows with append (): the stream says from which block
 * on its model changed. Blocks before that keep their widgets, and are
 * never touched again. From there on, a block with the same shape as the
 * one shown at its place (the same kind and attributes: usually the open
 * paragraph or code block, grown) keeps its widget too, and only what
 * differs at the end of its text is replaced; the rest is built again.
 * So an update costs what changed at the end of the reply, not its length.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-markdown-view"

#include "cria-config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "cria-core.h"
#include "cria-markdown-view.h"
#include "cria-markdown-view-private.h"

#define NO_PARENT G_MAXUINT

/* A span as applied, to see what changed */
typedef struct
{
  guint                start;
  guint                end;
  CriaMarkdownSpanKind kind;
} AppliedSpan;

/* A link in a text view, in characters */
typedef struct
{
  int   start;
  int   end;
  char *href;
} Link;

/* A block as shown */
typedef struct
{
  CriaMarkdownBlock  shape;       /* the block's attributes; no text, no spans */
  guint              parent;      /* index of the container, or NO_PARENT */

  GtkWidget         *widget;      /* what the block added to a container, if anything */
  GtkWidget         *children;    /* quotes: their box; tables and rows: the grid */
  GtkTextView       *text_view;   /* paragraphs and headings: their flow; code: its view */
  GtkLabel          *label;       /* cells */
  int                run_start;   /* flow: where the block starts in the buffer (its
                                   * separator and list marker included) */
  int                base;        /* flow: where its text starts in the buffer */
  const char        *indent_tag;  /* flow, in a list: the tag that indents it (interned) */
  const char        *gap_tag;     /* flow, after another block: the space above it */
  int                line_start;  /* flow: where its first line starts */

  /* Text blocks that may still change (not final): what is shown */
  GString           *text;
  GArray            *spans;       /* of AppliedSpan */
  glong              n_chars;

  guint              n_children;  /* containers: children shown */
  guint              ordinal;     /* item: its number in the list; row: in the table */
} Shown;

struct _CriaMarkdownView
{
  GtkWidget           parent_instance;

  /* Owned References */
  CriaMarkdownStream *stream;
  GPtrArray          *shown;        /* of Shown, the blocks in document order */

  guint               n_text_views;
  guint               n_forgotten;  /* blocks whose text copy was dropped: final */
  guint               check_from;   /* the first block changed since the last check */
  guint               check_tick_id;
  guint               n_check_ticks;

  guint               culled : 1;   /* its owner maps only the visible blocks */
};

G_DEFINE_FINAL_TYPE (CriaMarkdownView, cria_markdown_view, GTK_TYPE_WIDGET)

enum {
  ACTIVATE_LINK,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

/* Tags ------------------------------------------------------------------ */

static GtkTextTagTable *tag_table;

static void
update_link_color (AdwStyleManager *style_manager)
{
  GtkTextTag *link = gtk_text_tag_table_lookup (tag_table, "link");
  GdkRGBA color;

  /* Adwaita's link colors, light and dark */
  gdk_rgba_parse (&color, adw_style_manager_get_dark (style_manager) ? "#78aeed" : "#1c71d8");
  g_object_set (link, "foreground-rgba", &color, NULL);
}

static GtkTextTagTable *
get_tag_table (void)
{
  static const double heading_scale[] = { 1.6, 1.4, 1.2, 1.1, 1.0, 0.95 };
  GdkRGBA code_background = { 0.5, 0.5, 0.5, 0.15 };
  AdwStyleManager *style_manager;

  if (tag_table != NULL)
    return tag_table;

  tag_table = gtk_text_tag_table_new ();

#define ADD_TAG(tag) gtk_text_tag_table_add (tag_table, tag); g_object_unref (tag)
  ADD_TAG (g_object_new (GTK_TYPE_TEXT_TAG, "name", "emphasis", "style", PANGO_STYLE_ITALIC, NULL));
  ADD_TAG (g_object_new (GTK_TYPE_TEXT_TAG, "name", "strong", "weight", PANGO_WEIGHT_BOLD, NULL));
  ADD_TAG (g_object_new (GTK_TYPE_TEXT_TAG, "name", "code",
                         "family", "monospace",
                         "background-rgba", &code_background,
                         NULL));
  ADD_TAG (g_object_new (GTK_TYPE_TEXT_TAG, "name", "strikethrough", "strikethrough", TRUE, NULL));
  ADD_TAG (g_object_new (GTK_TYPE_TEXT_TAG, "name", "link", "underline", PANGO_UNDERLINE_SINGLE, NULL));
  ADD_TAG (g_object_new (GTK_TYPE_TEXT_TAG, "name", "image-alt", "style", PANGO_STYLE_ITALIC, NULL));
  ADD_TAG (g_object_new (GTK_TYPE_TEXT_TAG, "name", "header-cell", "weight", PANGO_WEIGHT_BOLD, NULL));
  for (guint i = 1; i <= 6; i++)
    {
      g_autofree char *item = g_strdup_printf ("item-%u", i);
      g_autofree char *more = g_strdup_printf ("item-more-%u", i);

      /* The marker hangs before the text, whose lines all start at the margin */
      ADD_TAG (g_object_new (GTK_TYPE_TEXT_TAG, "name", item,
                             "left-margin", 26 * i, "indent", -18, NULL));
      ADD_TAG (g_object_new (GTK_TYPE_TEXT_TAG, "name", more, "left-margin", 26 * i, NULL));
    }
  for (guint i = 0; i < G_N_ELEMENTS (heading_scale); i++)
    {
      g_autofree char *name = g_strdup_printf ("h%u", i + 1);

      ADD_TAG (g_object_new (GTK_TYPE_TEXT_TAG,
                             "name", name,
                             "weight", i < 4 ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_SEMIBOLD,
                             "scale", heading_scale[i],
                             NULL));
    }
  /* Space between blocks, over the rest */
  ADD_TAG (g_object_new (GTK_TYPE_TEXT_TAG, "name", "gap", "pixels-above-lines", 10, NULL));
  ADD_TAG (g_object_new (GTK_TYPE_TEXT_TAG, "name", "gap-heading", "pixels-above-lines", 16, NULL));
  ADD_TAG (g_object_new (GTK_TYPE_TEXT_TAG, "name", "gap-small", "pixels-above-lines", 3, NULL));
#undef ADD_TAG

  style_manager = adw_style_manager_get_default ();
  g_signal_connect (style_manager, "notify::dark", G_CALLBACK (update_link_color), NULL);
  update_link_color (style_manager);

  return tag_table;
}

static const char *
span_tag_name (CriaMarkdownSpanKind kind)
{
  switch (kind)
    {
    case CRIA_MARKDOWN_SPAN_EMPHASIS:
      return "emphasis";
    case CRIA_MARKDOWN_SPAN_STRONG:
      return "strong";
    case CRIA_MARKDOWN_SPAN_CODE:
      return "code";
    case CRIA_MARKDOWN_SPAN_LINK:
      return "link";
    case CRIA_MARKDOWN_SPAN_STRIKETHROUGH:
      return "strikethrough";
    case CRIA_MARKDOWN_SPAN_IMAGE_ALT:
      return "image-alt";
    default:
      g_return_val_if_reached (NULL);
    }
}

/* The tag over the whole text of a block, if any */
static const char *
block_tag_name (const CriaMarkdownBlock *block)
{
  static const char *headings[] = { "h1", "h2", "h3", "h4", "h5", "h6" };

  if (block->kind == CRIA_MARKDOWN_BLOCK_HEADING)
    return headings[CLAMP (block->level, 1, 6) - 1];

  if (block->kind == CRIA_MARKDOWN_BLOCK_CELL && block->header)
    return "header-cell";

  return NULL;
}

/* Links ----------------------------------------------------------------- */

static void
link_clear (gpointer data)
{
  Link *link = data;

  g_free (link->href);
}

static GArray *
get_links (GtkTextView *text_view,
           gboolean     create)
{
  GArray *links = g_object_get_data (G_OBJECT (text_view), "cria-links");

  if (links == NULL && create)
    {
      links = g_array_new (FALSE, FALSE, sizeof (Link));
      g_array_set_clear_func (links, link_clear);
      g_object_set_data_full (G_OBJECT (text_view), "cria-links", links, (GDestroyNotify) g_array_unref);
    }

  return links;
}

/**
 * _cria_markdown_view_get_link_at:
 *
 * Returns: (nullable): the address of the link at @iter in @text_view
 */
const char *
_cria_markdown_view_get_link_at (GtkTextView       *text_view,
                                 const GtkTextIter *iter)
{
  GArray *links = get_links (text_view, FALSE);
  int offset = gtk_text_iter_get_offset (iter);

  for (guint i = 0; links != NULL && i < links->len; i++)
    {
      const Link *link = &g_array_index (links, Link, i);

      if (offset >= link->start && offset < link->end)
        return link->href;
    }

  return NULL;
}

static void
activate_link (GtkTextView *text_view,
               const char  *href)
{
  GtkWidget *self = gtk_widget_get_ancestor (GTK_WIDGET (text_view), CRIA_TYPE_MARKDOWN_VIEW);
  gboolean handled = FALSE;

  if (self != NULL)
    g_signal_emit (self, signals [ACTIVATE_LINK], 0, href, &handled);
}

static gboolean
cria_markdown_view_real_activate_link (CriaMarkdownView *self,
                                       const char       *href)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  g_debug ("Opening a link");
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, href, GDK_CURRENT_TIME);

  return TRUE;
}

static void
click_released_cb (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   GtkTextView     *text_view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  GtkTextIter iter;
  const char *href;
  int bx, by;

  if (n_press != 1 || gtk_text_buffer_get_has_selection (buffer))
    return;

  gtk_text_view_window_to_buffer_coords (text_view, GTK_TEXT_WINDOW_WIDGET, x, y, &bx, &by);
  if (!gtk_text_view_get_iter_at_location (text_view, &iter, bx, by))
    return;

  href = _cria_markdown_view_get_link_at (text_view, &iter);
  if (href != NULL)
    activate_link (text_view, href);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkTextView           *text_view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  GtkTextIter iter;
  const char *href;

  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return FALSE;

  gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  href = _cria_markdown_view_get_link_at (text_view, &iter);
  if (href == NULL)
    return FALSE;

  activate_link (text_view, href);

  return TRUE;
}

static gboolean
query_tooltip_cb (GtkTextView *text_view,
                  int          x,
                  int          y,
                  gboolean     keyboard_mode,
                  GtkTooltip  *tooltip)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  GtkTextIter iter;
  const char *href;
  int bx, by;

  if (keyboard_mode)
    gtk_text_buffer_get_iter_at_mark (buffer, &iter, gtk_text_buffer_get_insert (buffer));
  else
    {
      gtk_text_view_window_to_buffer_coords (text_view, GTK_TEXT_WINDOW_WIDGET, x, y, &bx, &by);
      if (!gtk_text_view_get_iter_at_location (text_view, &iter, bx, by))
        return FALSE;
    }

  href = _cria_markdown_view_get_link_at (text_view, &iter);
  if (href == NULL)
    return FALSE;

  gtk_tooltip_set_text (tooltip, href);

  return TRUE;
}

/* With the keyboard in it, a text view shows its caret, so that one can
 * move to a link and press Enter, or select text */
static void
focus_enter_cb (GtkEventControllerFocus *controller,
                GtkTextView             *text_view)
{
  gtk_text_view_set_cursor_visible (text_view, TRUE);
}

static void
focus_leave_cb (GtkEventControllerFocus *controller,
                GtkTextView             *text_view)
{
  gtk_text_view_set_cursor_visible (text_view, FALSE);
}

/* What a text view with a link needs, added with its first link */
static void
enable_links (GtkTextView *text_view)
{
  GtkGesture *click;
  GtkEventController *key;

  if (g_object_get_data (G_OBJECT (text_view), "cria-links") != NULL)
    return;

  get_links (text_view, TRUE);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (click_released_cb), text_view);
  gtk_widget_add_controller (GTK_WIDGET (text_view), GTK_EVENT_CONTROLLER (click));

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), text_view);
  gtk_widget_add_controller (GTK_WIDGET (text_view), key);

  gtk_widget_set_has_tooltip (GTK_WIDGET (text_view), TRUE);
  g_signal_connect (text_view, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
}

/* Code blocks ----------------------------------------------------------- */

/**
 * _cria_markdown_view_map_language:
 * @language: a fence's language, as models write it
 *
 * Returns: (nullable): the id of the GtkSourceLanguage for it
 */
const char *
_cria_markdown_view_map_language (const char *language)
{
  static const struct { const char *alias; const char *id; } aliases[] = {
    { "bash", "sh" }, { "c#", "c-sharp" }, { "c++", "cpp" }, { "cc", "cpp" },
    { "console", "sh" }, { "cs", "c-sharp" }, { "csharp", "c-sharp" }, { "cxx", "cpp" },
    { "dockerfile", "docker" }, { "golang", "go" }, { "h", "c" }, { "hpp", "cpp" },
    { "js", "javascript" }, { "kt", "kotlin" }, { "make", "makefile" }, { "md", "markdown" },
    { "objective-c", "objc" }, { "py", "python3" }, { "python", "python3" }, { "rb", "ruby" },
    { "rs", "rust" }, { "shell", "sh" }, { "tex", "latex" }, { "ts", "typescript" },
    { "tsx", "typescript-jsx" }, { "yml", "yaml" }, { "zsh", "sh" },
  };
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  g_autofree char *lower = NULL;
  g_autofree char *file_name = NULL;
  GtkSourceLanguage *found;

  if (language == NULL || language[0] == '\0')
    return NULL;

  lower = g_ascii_strdown (language, -1);

  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    {
      if (g_str_equal (lower, aliases[i].alias))
        return aliases[i].id;
    }

  found = gtk_source_language_manager_get_language (manager, lower);
  if (found == NULL)
    {
      /* An extension: "rs", "kt", "toml"… */
      file_name = g_strconcat ("file.", lower, NULL);
      found = gtk_source_language_manager_guess_language (manager, file_name, NULL);
    }

  return found != NULL ? gtk_source_language_get_id (found) : NULL;
}

static void
update_style_scheme (GtkSourceBuffer *buffer,
                     GParamSpec      *pspec,
                     AdwStyleManager *style_manager)
{
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  const char *id = adw_style_manager_get_dark (style_manager) ? "Adwaita-dark" : "Adwaita";

  gtk_source_buffer_set_style_scheme (buffer, gtk_source_style_scheme_manager_get_scheme (schemes, id));
}

static void
style_dark_changed_cb (GtkSourceBuffer *buffer,
                       GParamSpec      *pspec,
                       AdwStyleManager *style_manager)
{
  update_style_scheme (buffer, pspec, style_manager);
}

static gboolean
restore_copy_icon_cb (gpointer user_data)
{
  GtkButton *button = user_data;

  gtk_button_set_icon_name (button, "edit-copy-symbolic");
  g_object_set_data (G_OBJECT (button), "cria-restore-id", NULL);

  return G_SOURCE_REMOVE;
}

static void
copy_code_cb (GtkButton   *button,
              GtkTextView *code_view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (code_view);
  g_autofree char *text = NULL;
  GtkTextIter begin, end;
  guint id;

  gtk_text_buffer_get_bounds (buffer, &begin, &end);
  text = gtk_text_buffer_get_text (buffer, &begin, &end, FALSE);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), text);

  /* Copied: a check mark for a moment */
  gtk_button_set_icon_name (button, "object-select-symbolic");
  id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "cria-restore-id"));
  if (id != 0)
    g_source_remove (id);
  id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 2, restore_copy_icon_cb,
                                   g_object_ref (button), g_object_unref);
  g_object_set_data (G_OBJECT (button), "cria-restore-id", GUINT_TO_POINTER (id));
}

static void
copy_button_destroy_cb (GtkWidget *button)
{
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "cria-restore-id"));

  if (id != 0)
    g_source_remove (id);
  g_object_set_data (G_OBJECT (button), "cria-restore-id", NULL);
}

/* A box with a header (language, Copy) and the code */
static GtkWidget *
new_code_block (const CriaMarkdownBlock  *block,
                GtkTextView             **code_view)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  const char *language_id = _cria_markdown_view_map_language (block->language);
  GtkSourceBuffer *buffer;
  GtkWidget *box;
  GtkWidget *header;
  GtkWidget *label;
  GtkWidget *button;
  GtkWidget *view;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (box, "md-code");

  header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (header, "md-code-header");
  label = gtk_label_new (block->language != NULL ? block->language : _("Code"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (header), label);

  button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Copy Code"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy Code"),
                                  -1);
  gtk_box_append (GTK_BOX (header), button);
  gtk_box_append (GTK_BOX (box), header);

  buffer = gtk_source_buffer_new (NULL);
  if (language_id != NULL)
    gtk_source_buffer_set_language (buffer,
                                    gtk_source_language_manager_get_language (gtk_source_language_manager_get_default (),
                                                                              language_id));
  gtk_source_buffer_set_highlight_matching_brackets (buffer, FALSE);
  update_style_scheme (buffer, NULL, style_manager);
  g_signal_connect_object (style_manager, "notify::dark",
                           G_CALLBACK (style_dark_changed_cb),
                           buffer, G_CONNECT_SWAPPED);

  view = g_object_new (GTK_SOURCE_TYPE_VIEW,
                       "buffer", buffer,
                       "editable", FALSE,
                       "cursor-visible", FALSE,
                       "monospace", TRUE,
                       "wrap-mode", GTK_WRAP_WORD_CHAR,
                       NULL);
  g_object_unref (buffer);
  gtk_widget_add_css_class (view, "md-code-view");
  gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Code"),
                                  -1);
  gtk_box_append (GTK_BOX (box), view);

  g_signal_connect (button, "clicked", G_CALLBACK (copy_code_cb), view);
  g_signal_connect (button, "destroy", G_CALLBACK (copy_button_destroy_cb), NULL);

  *code_view = GTK_TEXT_VIEW (view);

  return box;
}

/* Shown blocks ---------------------------------------------------------- */

static void queue_check_from (CriaMarkdownView *self,
                              guint             from);

static void
shown_free (gpointer data)
{
  Shown *shown = data;

  g_free (shown->shape.language);
  if (shown->text != NULL)
    g_string_free (shown->text, TRUE);
  g_clear_pointer (&shown->spans, g_array_unref);
  g_free (shown);
}

/* Whether @block can be shown by the widgets of @shown */
static gboolean
same_shape (const Shown             *shown,
            const CriaMarkdownBlock *block)
{
  const CriaMarkdownBlock *a = &shown->shape;

  if (a->kind != block->kind ||
      a->depth != block->depth ||
      a->level != block->level ||
      a->ordered != block->ordered ||
      a->start != block->start ||
      a->mark != block->mark ||
      a->task != block->task ||
      a->n_columns != block->n_columns ||
      a->header != block->header ||
      a->align != block->align ||
      a->fenced != block->fenced ||
      g_strcmp0 (a->language, block->language) != 0)
    return FALSE;

  /* A text block that is final has forgotten its text */
  return block->text == NULL || shown->text != NULL;
}

/* Whether the block at @index is the last one in its flow: only then can
 * its text change in place */
static gboolean
ends_its_flow (CriaMarkdownView *self,
               guint             index)
{
  Shown *shown = g_ptr_array_index (self->shown, index);
  Shown *next = index + 1 < self->shown->len ? g_ptr_array_index (self->shown, index + 1) : NULL;

  return shown->text_view == NULL || next == NULL || next->text_view != shown->text_view;
}

/* The character offset of @byte in @text, counting from the end: the
 * cost is that of the text after it, which is what changes */
static int
char_offset (const char *text,
             gsize       length,
             glong       n_chars,
             gsize       byte)
{
  return (int) (n_chars - g_utf8_strlen (text + byte, length - byte));
}

/* Shows @block's text in @shown's text view, replacing only what differs
 * from what is shown */
static void
shown_update_text (Shown                   *shown,
                   const CriaMarkdownBlock *block)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (shown->text_view);
  const char *text = block->text != NULL ? block->text : "";
  gsize length = block->text != NULL ? block->text_length : 0;
  GString *old = shown->text;
  gsize common = 0;
  gsize max = MIN (old->len, length);
  gsize retag;
  const char *block_tag;
  GArray *links;
  GtkTextIter start, end;
  int retag_offset;

  while (common < max && old->str[common] == text[common])
    common++;
  /* Back to a character's start: the text before is then whole
   * characters in both */
  while (common > 0 && common < max && ((guchar) text[common] & 0xC0) == 0x80)
    common--;

  /* Where the spans differ */
  retag = common;
  for (guint i = 0; i < MAX (shown->spans->len, block->n_spans); i++)
    {
      const AppliedSpan *was = i < shown->spans->len ? &g_array_index (shown->spans, AppliedSpan, i) : NULL;
      const CriaMarkdownSpan *is = i < block->n_spans ? &block->spans[i] : NULL;

      if (was != NULL && is != NULL &&
          was->start == is->start && was->end == is->end && was->kind == is->kind)
        continue;

      if (was != NULL)
        retag = MIN (retag, was->start);
      if (is != NULL)
        retag = MIN (retag, is->start);
      break;
    }

  if (common == old->len && common == length && retag == common)
    return;

  /* The text */
  if (common < old->len)
    {
      gtk_text_buffer_get_iter_at_offset (buffer, &start,
                                          shown->base + char_offset (old->str, old->len, shown->n_chars, common));
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_delete (buffer, &start, &end);
      shown->n_chars -= g_utf8_strlen (old->str + common, old->len - common);
    }
  if (common < length)
    {
      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, text + common, length - common);
      shown->n_chars += g_utf8_strlen (text + common, length - common);
    }
  g_string_truncate (old, common);
  g_string_append_len (old, text + common, length - common);

  /* The tags, from where something differs */
  retag_offset = shown->base + char_offset (text, length, shown->n_chars, retag);
  gtk_text_buffer_get_iter_at_offset (buffer, &start, retag_offset);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_remove_all_tags (buffer, &start, &end);

  block_tag = block_tag_name (block);
  if (block_tag != NULL)
    gtk_text_buffer_apply_tag_by_name (buffer, block_tag, &start, &end);
  if (shown->indent_tag != NULL)
    gtk_text_buffer_apply_tag_by_name (buffer, shown->indent_tag, &start, &end);

  /* The space above its first line: the line takes it from its first
   * character */
  if (shown->gap_tag != NULL && shown->n_chars > 0)
    {
      gtk_text_buffer_get_iter_at_offset (buffer, &start, shown->line_start);
      end = start;
      gtk_text_iter_forward_char (&end);
      gtk_text_buffer_apply_tag_by_name (buffer, shown->gap_tag, &start, &end);
    }

  links = get_links (shown->text_view, FALSE);
  for (guint i = links != NULL ? links->len : 0; i > 0; i--)
    {
      if (g_array_index (links, Link, i - 1).end > retag_offset)
        g_array_remove_index (links, i - 1);
    }

  g_array_set_size (shown->spans, 0);
  for (guint i = 0; i < block->n_spans; i++)
    {
      const CriaMarkdownSpan *span = &block->spans[i];
      AppliedSpan applied = { span->start, span->end, span->kind };
      int span_start, span_end;

      g_array_append_val (shown->spans, applied);

      if (span->end <= retag || span->start >= span->end)
        continue;

      span_start = shown->base + char_offset (text, length, shown->n_chars, span->start);
      span_end = shown->base + char_offset (text, length, shown->n_chars, span->end);
      gtk_text_buffer_get_iter_at_offset (buffer, &start, span_start);
      gtk_text_buffer_get_iter_at_offset (buffer, &end, span_end);
      gtk_text_buffer_apply_tag_by_name (buffer, span_tag_name (span->kind), &start, &end);

      if (span->kind == CRIA_MARKDOWN_SPAN_LINK && span->href != NULL)
        {
          Link link = { span_start, span_end, g_strdup (span->href) };

          enable_links (shown->text_view);
          g_array_append_val (get_links (shown->text_view, FALSE), link);
        }
    }
}

static GtkTextView *
new_text_view (CriaMarkdownView *self,
               const char       *label)
{
  GtkTextBuffer *buffer = gtk_text_buffer_new (get_tag_table ());
  GtkEventController *focus;
  GtkWidget *view;

  view = g_object_new (GTK_TYPE_TEXT_VIEW,
                       "buffer", buffer,
                       "editable", FALSE,
                       "cursor-visible", FALSE,
                       "wrap-mode", GTK_WRAP_WORD_CHAR,
                       NULL);
  g_object_unref (buffer);
  gtk_widget_add_css_class (view, "message-text");
  gtk_widget_add_css_class (view, "md-flow");
  gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);

  focus = gtk_event_controller_focus_new ();
  g_signal_connect (focus, "enter", G_CALLBACK (focus_enter_cb), view);
  g_signal_connect (focus, "leave", G_CALLBACK (focus_leave_cb), view);
  gtk_widget_add_controller (view, focus);

  return GTK_TEXT_VIEW (view);
}

static const char *
bullet_for (guint nesting)
{
  static const char *bullets[] = { "•", "◦", "▪" };

  return bullets[nesting % G_N_ELEMENTS (bullets)];
}

static Shown *
get_shown (CriaMarkdownView *self,
           guint             index)
{
  return index == NO_PARENT ? NULL : g_ptr_array_index (self->shown, index);
}

/* The parent of a new block at @depth, after the blocks shown */
static guint
find_parent (CriaMarkdownView *self,
             guint             depth)
{
  guint k;

  if (depth == 0 || self->shown->len == 0)
    return NO_PARENT;

  k = self->shown->len - 1;
  while (k != NO_PARENT)
    {
      Shown *candidate = get_shown (self, k);

      if (candidate->shape.depth < depth)
        return k;
      k = candidate->parent;
    }

  return NO_PARENT;
}

/* The widget that holds the blocks under @parent: the box of the nearest
 * quote, or the view; lists and items have no widget of their own. Sets
 * @n_lists to how many lists are in between. */
static GtkWidget *
find_container (CriaMarkdownView *self,
                guint             parent,
                guint            *n_lists)
{
  *n_lists = 0;

  for (guint k = parent; k != NO_PARENT; k = get_shown (self, k)->parent)
    {
      Shown *ancestor = get_shown (self, k);

      if (ancestor->shape.kind == CRIA_MARKDOWN_BLOCK_QUOTE)
        return ancestor->children;
      if (ancestor->shape.kind == CRIA_MARKDOWN_BLOCK_LIST)
        (*n_lists)++;
    }

  return GTK_WIDGET (self);
}

static GtkJustification
justification_for (CriaMarkdownAlign align)
{
  switch (align)
    {
    case CRIA_MARKDOWN_ALIGN_CENTER:
      return GTK_JUSTIFY_CENTER;
    case CRIA_MARKDOWN_ALIGN_RIGHT:
      return GTK_JUSTIFY_RIGHT;
    case CRIA_MARKDOWN_ALIGN_DEFAULT:
    case CRIA_MARKDOWN_ALIGN_LEFT:
    default:
      return GTK_JUSTIFY_LEFT;
    }
}

/* Cells ------------------------------------------------------------------ */

static void
append_escaped (GString    *out,
                const char *text,
                gsize       length)
{
  g_autofree char *escaped = g_markup_escape_text (text, length);

  g_string_append (out, escaped);
}

static const char *
span_open_markup (CriaMarkdownSpanKind kind)
{
  switch (kind)
    {
    case CRIA_MARKDOWN_SPAN_EMPHASIS:
    case CRIA_MARKDOWN_SPAN_IMAGE_ALT:
      return "<i>";
    case CRIA_MARKDOWN_SPAN_STRONG:
      return "<b>";
    case CRIA_MARKDOWN_SPAN_CODE:
      return "<tt>";
    case CRIA_MARKDOWN_SPAN_STRIKETHROUGH:
      return "<s>";
    case CRIA_MARKDOWN_SPAN_LINK:
    default:
      return "";
    }
}

static const char *
span_close_markup (CriaMarkdownSpanKind kind)
{
  switch (kind)
    {
    case CRIA_MARKDOWN_SPAN_EMPHASIS:
    case CRIA_MARKDOWN_SPAN_IMAGE_ALT:
      return "</i>";
    case CRIA_MARKDOWN_SPAN_STRONG:
      return "</b>";
    case CRIA_MARKDOWN_SPAN_CODE:
      return "</tt>";
    case CRIA_MARKDOWN_SPAN_STRIKETHROUGH:
      return "</s>";
    case CRIA_MARKDOWN_SPAN_LINK:
      return "</a>";
    default:
      return "";
    }
}

/* Pango markup for a cell: every piece of the model's text and every
 * address escaped, so nothing in them is markup */
static char *
dup_cell_markup (const CriaMarkdownBlock *block)
{
  GString *out = g_string_new (NULL);
  const char *text = block->text != NULL ? block->text : "";
  g_autoptr(GArray) open = g_array_new (FALSE, FALSE, sizeof (guint));
  guint at = 0;

  if (block->header)
    g_string_append (out, "<b>");

  for (guint i = 0; i <= block->n_spans; i++)
    {
      const CriaMarkdownSpan *span = i < block->n_spans ? &block->spans[i] : NULL;
      guint next = span != NULL ? span->start : (guint) block->text_length;

      /* Close what ends before the next span starts */
      while (open->len > 0)
        {
          const CriaMarkdownSpan *last = &block->spans[g_array_index (open, guint, open->len - 1)];

          if (span != NULL && last->end > span->start)
            break;
          append_escaped (out, text + at, last->end - at);
          at = last->end;
          g_string_append (out, span_close_markup (last->kind));
          g_array_set_size (open, open->len - 1);
        }

      append_escaped (out, text + at, next - at);
      at = next;

      if (span == NULL)
        break;

      if (span->kind == CRIA_MARKDOWN_SPAN_LINK)
        {
          g_autofree char *href = g_markup_escape_text (span->href != NULL ? span->href : "", -1);

          if (span->href != NULL)
            g_string_append_printf (out, "<a href=\"%s\">", href);
          else
            g_string_append (out, "<a href=\"\">");
        }
      else
        g_string_append (out, span_open_markup (span->kind));
      g_array_append_val (open, i);
    }

  if (block->header)
    g_string_append (out, "</b>");

  return g_string_free (out, FALSE);
}

static gboolean
cell_activate_link_cb (GtkLabel   *label,
                       const char *uri,
                       gpointer    user_data)
{
  GtkWidget *self = gtk_widget_get_ancestor (GTK_WIDGET (label), CRIA_TYPE_MARKDOWN_VIEW);
  gboolean handled = FALSE;

  /* Only the model's filtered links are links at all */
  if (self != NULL && uri != NULL && uri[0] != '\0')
    g_signal_emit (self, signals [ACTIVATE_LINK], 0, uri, &handled);

  return TRUE;
}

static GtkLabel *
new_cell (const CriaMarkdownBlock *block)
{
  GtkWidget *label = gtk_label_new (NULL);
  float xalign = block->align == CRIA_MARKDOWN_ALIGN_CENTER ? 0.5f :
                 block->align == CRIA_MARKDOWN_ALIGN_RIGHT ? 1.0f : 0.0f;

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_label_set_justify (GTK_LABEL (label), justification_for (block->align));
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "md-cell");
  g_signal_connect (label, "activate-link", G_CALLBACK (cell_activate_link_cb), NULL);

  return GTK_LABEL (label);
}

static void
shown_update_cell (Shown                   *shown,
                   const CriaMarkdownBlock *block)
{
  g_autofree char *markup = dup_cell_markup (block);

  gtk_label_set_markup (shown->label, markup);
}

/* Flows ------------------------------------------------------------------ */

/* Past this many characters, the next paragraph starts a new text view:
 * a text view draws all of its text whenever it changes */
#define FLOW_MAX_CHARS 2048

/* Adds @widget after the view's blocks. In a view whose owner culls it,
 * a finished message's blocks start out of sight, so that none is mapped
 * (and realized) before the owner knows it is visible: a realized text
 * view lays its cursor's line out again in an idle after each change of
 * its layout, and hundreds of those idles run in one main-loop dispatch. */
static void
append_top_level (CriaMarkdownView *self,
                  GtkWidget        *widget)
{
  if (self->culled && self->stream == NULL)
    gtk_widget_set_child_visible (widget, FALSE);

  gtk_widget_insert_before (widget, GTK_WIDGET (self), NULL);
}

/* The flow text view @block goes into: the last one of @container, if it
 * has room, else a new one */
static GtkTextView *
get_flow (CriaMarkdownView *self,
          GtkWidget        *container)
{
  GtkWidget *last = gtk_widget_get_last_child (container);
  GtkTextView *flow;

  if (last != NULL && g_object_get_data (G_OBJECT (last), "cria-flow") != NULL &&
      gtk_text_buffer_get_char_count (gtk_text_view_get_buffer (GTK_TEXT_VIEW (last))) < FLOW_MAX_CHARS)
    return GTK_TEXT_VIEW (last);

  flow = new_text_view (self, self->n_text_views == 0 ? _("Reply") : _("Reply, continued"));
  g_object_set_data (G_OBJECT (flow), "cria-flow", GINT_TO_POINTER (TRUE));
  self->n_text_views++;

  if (container == GTK_WIDGET (self))
    append_top_level (self, GTK_WIDGET (flow));
  else
    gtk_box_append (GTK_BOX (container), GTK_WIDGET (flow));

  return flow;
}

/* Starts @shown, a paragraph or heading, at the end of its flow: a line
 * break after what is there, and its list marker */
static void
start_flow_block (CriaMarkdownView *self,
                  Shown            *shown,
                  Shown            *parent,
                  GtkWidget        *container,
                  guint             n_lists)
{
  GtkTextView *flow = get_flow (self, container);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (flow);
  g_autofree char *marker = NULL;
  GtkTextIter start, end;
  int line_start;

  shown->text_view = flow;
  shown->run_start = gtk_text_buffer_get_char_count (buffer);
  if (shown->widget == NULL && shown->run_start == 0)
    shown->widget = GTK_WIDGET (flow);

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (shown->run_start > 0)
    gtk_text_buffer_insert (buffer, &end, "\n", 1);
  line_start = gtk_text_buffer_get_char_count (buffer);

  /* The first paragraph of an item carries its marker */
  if (parent != NULL && parent->shape.kind == CRIA_MARKDOWN_BLOCK_ITEM && parent->n_children == 0)
    {
      Shown *list = g_ptr_array_index (self->shown, parent->parent);

      if (parent->shape.task == CRIA_MARKDOWN_TASK_CHECKED)
        marker = g_strdup ("☑ ");
      else if (parent->shape.task == CRIA_MARKDOWN_TASK_UNCHECKED)
        marker = g_strdup ("☐ ");
      else if (list->shape.ordered)
        marker = g_strdup_printf ("%u%c ", list->shape.start + parent->ordinal,
                                  list->shape.mark ? list->shape.mark : '.');
      else
        marker = g_strdup_printf ("%s ", bullet_for (n_lists - 1));

      gtk_text_buffer_get_end_iter (buffer, &end);
      gtk_text_buffer_insert (buffer, &end, marker, -1);
    }

  shown->base = gtk_text_buffer_get_char_count (buffer);

  /* Apart from the block before; in a list, indented under its marker */
  gtk_text_buffer_get_iter_at_offset (buffer, &start, line_start);
  gtk_text_buffer_get_end_iter (buffer, &end);
  if (n_lists > 0)
    {
      g_autofree char *indent = g_strdup_printf ("%s-%u", marker != NULL ? "item" : "item-more",
                                                 MIN (n_lists, 6));

      shown->indent_tag = g_intern_string (indent);
      gtk_text_buffer_apply_tag_by_name (buffer, indent, &start, &end);
    }
  shown->line_start = line_start;
  if (line_start > 0)
    shown->gap_tag = shown->shape.kind == CRIA_MARKDOWN_BLOCK_HEADING ? "gap-heading" :
                     n_lists > 0 ? "gap-small" : "gap";
}

static void
remove_widget (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  if (GTK_IS_GRID (parent))
    gtk_grid_remove (GTK_GRID (parent), widget);
  else if (GTK_IS_BOX (parent))
    gtk_box_remove (GTK_BOX (parent), widget);
  else if (parent != NULL)
    gtk_widget_unparent (widget);
}

/* Builds @block after the blocks shown */
static void
show_block (CriaMarkdownView        *self,
            const CriaMarkdownBlock *block)
{
  Shown *shown = g_new0 (Shown, 1);
  Shown *parent;
  GtkWidget *container;
  GtkWidget *widget = NULL;
  guint n_lists;

  shown->shape = *block;
  shown->shape.language = g_strdup (block->language);
  shown->shape.text = NULL;
  shown->shape.text_length = 0;
  shown->shape.spans = NULL;
  shown->shape.n_spans = 0;
  shown->parent = find_parent (self, block->depth);
  parent = get_shown (self, shown->parent);
  container = find_container (self, shown->parent, &n_lists);

  g_ptr_array_add (self->shown, shown);

  if (parent != NULL)
    shown->ordinal = parent->n_children;

  switch (block->kind)
    {
    case CRIA_MARKDOWN_BLOCK_PARAGRAPH:
    case CRIA_MARKDOWN_BLOCK_HEADING:
      start_flow_block (self, shown, parent, container, n_lists);
      break;

    case CRIA_MARKDOWN_BLOCK_CELL:
      shown->label = new_cell (block);
      widget = GTK_WIDGET (shown->label);
      break;

    case CRIA_MARKDOWN_BLOCK_CODE:
      widget = new_code_block (block, &shown->text_view);
      gtk_accessible_update_property (GTK_ACCESSIBLE (shown->text_view),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      self->n_text_views == 0 ? _("Reply") : _("Code"),
                                      -1);
      self->n_text_views++;
      shown->base = 0;
      break;

    case CRIA_MARKDOWN_BLOCK_QUOTE:
      widget = shown->children = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      gtk_widget_add_css_class (widget, "md-quote");
      break;

    case CRIA_MARKDOWN_BLOCK_LIST:
    case CRIA_MARKDOWN_BLOCK_ITEM:
      /* Their paragraphs go into the flow, with markers and indents */
      break;

    case CRIA_MARKDOWN_BLOCK_TABLE:
      widget = shown->children = gtk_grid_new ();
      gtk_widget_add_css_class (widget, "md-table");
      break;

    case CRIA_MARKDOWN_BLOCK_ROW:
      /* Its cells go into the table's grid */
      if (parent != NULL)
        shown->children = parent->children;
      break;

    case CRIA_MARKDOWN_BLOCK_RULE:
      widget = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);
      gtk_widget_add_css_class (widget, "md-rule");
      break;

    default:
      g_assert_not_reached ();
    }

  if (widget != NULL)
    {
      shown->widget = widget;

      if (block->kind == CRIA_MARKDOWN_BLOCK_CELL)
        {
          if (parent != NULL && GTK_IS_GRID (parent->children))
            gtk_grid_attach (GTK_GRID (parent->children), widget,
                             parent->n_children, parent->ordinal, 1, 1);
          else
            append_top_level (self, widget);

          if (parent != NULL)
            {
              gtk_widget_add_css_class (widget, parent->ordinal % 2 == 0 ? "even" : "odd");
              if (parent->shape.header)
                gtk_widget_add_css_class (widget, "header");
            }
        }
      else
        {
          /* In a list, under its markers */
          gtk_widget_set_margin_start (widget, 26 * MIN (n_lists, 6));

          if (container == GTK_WIDGET (self))
            append_top_level (self, widget);
          else
            gtk_box_append (GTK_BOX (container), widget);
        }
    }

  if (shown->text_view != NULL)
    {
      shown->text = g_string_new (NULL);
      shown->spans = g_array_new (FALSE, FALSE, sizeof (AppliedSpan));
      shown_update_text (shown, block);
    }
  else if (shown->label != NULL)
    {
      shown->text = g_string_new (NULL);
      shown_update_cell (shown, block);
    }

  if (parent != NULL)
    parent->n_children++;
}

/* Drops the blocks shown from @from on */
static void
unshow_from (CriaMarkdownView *self,
             guint             from)
{
  for (guint i = self->shown->len; i > from; i--)
    {
      Shown *shown = g_ptr_array_index (self->shown, i - 1);

      if (shown->parent != NO_PARENT && shown->parent < from)
        get_shown (self, shown->parent)->n_children--;

      if (shown->widget != NULL)
        {
          if (shown->text_view != NULL)
            self->n_text_views--;
          remove_widget (shown->widget);
        }
      else if (shown->text_view != NULL)
        {
          /* Its part of a flow: the end of it, as the blocks after it go too */
          GtkTextBuffer *buffer = gtk_text_view_get_buffer (shown->text_view);
          GArray *links = get_links (shown->text_view, FALSE);
          GtkTextIter start, end;

          gtk_text_buffer_get_iter_at_offset (buffer, &start, shown->run_start);
          gtk_text_buffer_get_end_iter (buffer, &end);
          gtk_text_buffer_delete (buffer, &start, &end);

          for (guint k = links != NULL ? links->len : 0; k > 0; k--)
            {
              if (g_array_index (links, Link, k - 1).end > shown->run_start)
                g_array_remove_index (links, k - 1);
            }
        }
    }

  g_ptr_array_set_size (self->shown, from);
  self->n_forgotten = MIN (self->n_forgotten, from);
}

/* Shows @document from block @from on; blocks before @n_final never
 * change again */
static void
show_document (CriaMarkdownView           *self,
               const CriaMarkdownDocument *document,
               guint                       from,
               guint                       n_final)
{
  guint n_blocks = cria_markdown_document_get_n_blocks (document);
  guint i = MIN (from, self->shown->len);

  /* The same blocks, grown */
  while (i < self->shown->len && i < n_blocks)
    {
      Shown *shown = g_ptr_array_index (self->shown, i);
      const CriaMarkdownBlock *block = cria_markdown_document_get_block (document, i);

      if (!same_shape (shown, block) || !ends_its_flow (self, i))
        break;

      if (shown->text_view != NULL)
        shown_update_text (shown, block);
      else if (shown->label != NULL)
        shown_update_cell (shown, block);
      i++;
    }

  queue_check_from (self, from);

  unshow_from (self, i);
  for (; i < n_blocks; i++)
    show_block (self, cria_markdown_document_get_block (document, i));

  /* What no longer changes need not be remembered */
  for (guint k = self->n_forgotten; k < MIN (n_final, self->shown->len); k++)
    {
      Shown *shown = g_ptr_array_index (self->shown, k);

      if (shown->text != NULL)
        {
          g_string_free (shown->text, TRUE);
          shown->text = NULL;
          g_clear_pointer (&shown->spans, g_array_unref);
        }
    }
  self->n_forgotten = MAX (self->n_forgotten, MIN (n_final, self->shown->len));
}

/* GObject --------------------------------------------------------------- */

static void
cria_markdown_view_dispose (GObject *object)
{
  CriaMarkdownView *self = CRIA_MARKDOWN_VIEW (object);
  GtkWidget *child;

  if (self->check_tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->check_tick_id);
      self->check_tick_id = 0;
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_pointer (&self->shown, g_ptr_array_unref);
  g_clear_pointer (&self->stream, cria_markdown_stream_free);

  G_OBJECT_CLASS (cria_markdown_view_parent_class)->dispose (object);
}

static void
cria_markdown_view_map (GtkWidget *widget)
{
  CriaMarkdownView *self = CRIA_MARKDOWN_VIEW (widget);

  /* Mapped by the owner's cull, once it knows which blocks are visible
   * (see append_top_level ()); a streaming message shows its end */
  if (self->culled && self->stream == NULL)
    {
      for (GtkWidget *child = gtk_widget_get_first_child (widget);
           child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          if (gtk_widget_get_focus_child (widget) != child)
            gtk_widget_set_child_visible (child, FALSE);
        }
    }

  GTK_WIDGET_CLASS (cria_markdown_view_parent_class)->map (widget);

  /* Laid out while out of sight, perhaps at another width */
  _cria_markdown_view_queue_check (CRIA_MARKDOWN_VIEW (widget));
}

static void
cria_markdown_view_class_init (CriaMarkdownViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cria_markdown_view_dispose;
  widget_class->map = cria_markdown_view_map;

  /**
   * CriaMarkdownView::activate-link:
   * @uri: an http, https or mailto address
   *
   * A link was clicked, or Enter pressed on it. The default handler opens
   * it with the default application. Returns: %TRUE when handled.
   */
  signals [ACTIVATE_LINK] =
    g_signal_new_class_handler ("activate-link",
                                G_TYPE_FROM_CLASS (klass),
                                G_SIGNAL_RUN_LAST,
                                G_CALLBACK (cria_markdown_view_real_activate_link),
                                g_signal_accumulator_true_handled, NULL,
                                NULL,
                                G_TYPE_BOOLEAN, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "markdownview");
}

static void
cria_markdown_view_init (CriaMarkdownView *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 8);

  self->shown = g_ptr_array_new_with_free_func (shown_free);
  self->check_from = G_MAXUINT;
}

GtkWidget *
cria_markdown_view_new (void)
{
  return g_object_new (CRIA_TYPE_MARKDOWN_VIEW, NULL);
}

/**
 * cria_markdown_view_clear:
 * @self: a #CriaMarkdownView
 *
 * Shows nothing, and forgets the reply that was streaming.
 */
void
cria_markdown_view_clear (CriaMarkdownView *self)
{
  g_return_if_fail (CRIA_IS_MARKDOWN_VIEW (self));

  unshow_from (self, 0);
  g_clear_pointer (&self->stream, cria_markdown_stream_free);
  self->check_from = G_MAXUINT;
}

/**
 * cria_markdown_view_set_text:
 * @self: a #CriaMarkdownView
 * @text: a finished message
 * @length: its length, or -1
 *
 * Shows @text, parsed once.
 */
void
cria_markdown_view_set_text (CriaMarkdownView *self,
                             const char       *text,
                             gssize            length)
{
  g_autoptr(CriaMarkdownDocument) document = NULL;

  g_return_if_fail (CRIA_IS_MARKDOWN_VIEW (self));

  cria_markdown_view_clear (self);
  document = cria_markdown_parse (text != NULL ? text : "", text != NULL ? length : 0);
  g_debug ("Showing a finished message of %u blocks", cria_markdown_document_get_n_blocks (document));
  show_document (self, document, 0, cria_markdown_document_get_n_blocks (document));
}

/**
 * cria_markdown_view_append:
 * @self: a #CriaMarkdownView
 * @text: more of a streaming message
 * @length: its length, or -1
 *
 * Shows @text after what was appended before; call it once per frame at
 * most, not per token.
 */
void
cria_markdown_view_append (CriaMarkdownView *self,
                           const char       *text,
                           gssize            length)
{
  guint from;

  g_return_if_fail (CRIA_IS_MARKDOWN_VIEW (self));

  if (length == 0)
    return;

  if (self->stream == NULL)
    {
      unshow_from (self, 0);
      self->stream = cria_markdown_stream_new ();
    }

  from = cria_markdown_stream_append (self->stream, text, length);
  show_document (self, cria_markdown_stream_get_document (self->stream), from,
                 cria_markdown_stream_get_n_final (self->stream));
}

/**
 * cria_markdown_view_finish:
 * @self: a #CriaMarkdownView
 *
 * The streaming message is complete: shows it as a whole parse would.
 */
void
cria_markdown_view_finish (CriaMarkdownView *self)
{
  guint from;

  g_return_if_fail (CRIA_IS_MARKDOWN_VIEW (self));

  if (self->stream == NULL)
    return;

  from = cria_markdown_stream_finish (self->stream);
  show_document (self, cria_markdown_stream_get_document (self->stream), from,
                 cria_markdown_stream_get_n_final (self->stream));
  g_clear_pointer (&self->stream, cria_markdown_stream_free);
}

gboolean
cria_markdown_view_is_empty (CriaMarkdownView *self)
{
  g_return_val_if_fail (CRIA_IS_MARKDOWN_VIEW (self), TRUE);

  return self->shown->len == 0;
}

/* Layout ---------------------------------------------------------------- */

/* A GtkTextView learns its height when it validates its lines, which can
 * happen while it is allocated: the resize it queues then is lost, and it
 * keeps the height it had (none, when new). So at the next frame, the text
 * views changed since are compared with what they want, and those that
 * differ get their resize. */
typedef enum
{
  HEIGHT_RIGHT,
  HEIGHT_WRONG,
  HEIGHT_NOT_LAID_OUT,
} HeightCheck;

static HeightCheck
check_height (GtkWidget *widget)
{
  int width = gtk_widget_get_width (widget);
  int min = 0;

  /* Out of sight: looked at again when mapped */
  if (!gtk_widget_get_mapped (gtk_widget_get_parent (widget)))
    return HEIGHT_RIGHT;

  if (width <= 0)
    return HEIGHT_NOT_LAID_OUT;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, width, &min, NULL, NULL, NULL);

  return min != gtk_widget_get_height (widget) ? HEIGHT_WRONG : HEIGHT_RIGHT;
}

/* Frames to wait for a text view to be laid out, at most */
#define MAX_CHECK_TICKS 10

static gboolean
check_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  CriaMarkdownView *self = CRIA_MARKDOWN_VIEW (widget);
  GtkTextView *previous = NULL;
  gboolean again = FALSE;

  for (guint i = self->check_from; i < self->shown->len; i++)
    {
      Shown *shown = g_ptr_array_index (self->shown, i);

      /* A flow holds many blocks */
      if (shown->text_view == NULL || shown->text_view == previous)
        continue;
      previous = shown->text_view;

      switch (check_height (GTK_WIDGET (shown->text_view)))
        {
        case HEIGHT_WRONG:
          gtk_widget_queue_resize (GTK_WIDGET (shown->text_view));
          again = TRUE;
          break;

        case HEIGHT_NOT_LAID_OUT:
          again = TRUE;
          break;

        case HEIGHT_RIGHT:
        default:
          break;
        }
    }

  /* Look again once laid out */
  if (again && ++self->n_check_ticks < MAX_CHECK_TICKS)
    return G_SOURCE_CONTINUE;

  self->check_from = G_MAXUINT;
  self->check_tick_id = 0;

  return G_SOURCE_REMOVE;
}

static void
queue_check_from (CriaMarkdownView *self,
                                      guint             from)
{
  self->check_from = MIN (self->check_from, from);
  self->n_check_ticks = 0;

  if (self->check_tick_id == 0)
    self->check_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), check_tick_cb, NULL, NULL);
}

/* At the next frame, looks at every text view: after the view was given
 * another width */
void
_cria_markdown_view_queue_check (CriaMarkdownView *self)
{
  queue_check_from (self, 0);
}

/* @self's owner calls cria_cull_children () at every frame it is
 * mapped: blocks are then mapped by the cull only */
void
_cria_markdown_view_set_culled (CriaMarkdownView *self,
                                gboolean          culled)
{
  self->culled = !!culled;
}

/* Tests ----------------------------------------------------------------- */

char *
_cria_markdown_view_dup_text (CriaMarkdownView *self)
{
  GString *text = g_string_new (NULL);
  GtkTextView *previous = NULL;

  for (guint i = 0; i < self->shown->len; i++)
    {
      Shown *shown = g_ptr_array_index (self->shown, i);
      g_autofree char *part = NULL;

      if (shown->label != NULL)
        {
          part = g_strdup (gtk_label_get_text (shown->label));
        }
      else if (shown->text_view != NULL && shown->text_view != previous)
        {
          GtkTextBuffer *buffer = gtk_text_view_get_buffer (shown->text_view);
          GtkTextIter begin, end;

          gtk_text_buffer_get_bounds (buffer, &begin, &end);
          part = gtk_text_buffer_get_text (buffer, &begin, &end, FALSE);
          previous = shown->text_view;
        }
      else
        continue;

      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, part);
    }

  return g_string_free (text, FALSE);
}

GtkTextView *
_cria_markdown_view_get_first_text_view (CriaMarkdownView *self)
{
  for (guint i = 0; i < self->shown->len; i++)
    {
      Shown *shown = g_ptr_array_index (self->shown, i);

      if (shown->text_view != NULL)
        return shown->text_view;
    }

  return NULL;
}
