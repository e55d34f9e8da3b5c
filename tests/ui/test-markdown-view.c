/* test-markdown-view.c: Markdown replies as widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include <gtk/gtk.h>
#include <gtksourceview/gtksource.h>

#include "cria-markdown-view.h"
#include "cria-markdown-view-private.h"
#include "cria-test-markdown.h"
#include "ui-test-utils.h"

typedef struct
{
  GtkWindow        *window;
  CriaMarkdownView *view;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 600, 400);
  f->view = CRIA_MARKDOWN_VIEW (cria_markdown_view_new ());
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (f->view));
  gtk_window_set_child (f->window, scroller);
  gtk_window_present (f->window);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (f->view), (gpointer *) &f->view);
  gtk_window_destroy (f->window);
  cria_test_wait_until (f->view == NULL);
}

/* The tags of @buffer as "[tag,tag]text" runs, each run where the set of
 * tags changes */
static void
describe_buffer (GString       *out,
                 GtkTextBuffer *buffer)
{
  GtkTextIter iter, next;

  gtk_text_buffer_get_start_iter (buffer, &iter);
  while (!gtk_text_iter_is_end (&iter))
    {
      g_autoptr(GSList) tags = gtk_text_iter_get_tags (&iter);
      g_autofree char *text = NULL;

      next = iter;
      gtk_text_iter_forward_to_tag_toggle (&next, NULL);
      text = gtk_text_iter_get_text (&iter, &next);

      g_string_append_c (out, '[');
      for (GSList *l = tags; l != NULL; l = l->next)
        {
          g_autofree char *name = NULL;

          g_object_get (l->data, "name", &name, NULL);
          g_string_append_printf (out, "%s%s", l != tags ? "," : "", name);
        }
      g_string_append_printf (out, "]%s", text);
      iter = next;
    }
}

/* The widgets under @widget, their CSS classes and their text */
static void
describe_widget (GString   *out,
                 GtkWidget *widget,
                 guint      depth)
{
  g_auto(GStrv) classes = gtk_widget_get_css_classes (widget);
  g_autofree char *joined = g_strjoinv (".", classes);

  g_string_append_printf (out, "%*s%s.%s", depth * 2, "", G_OBJECT_TYPE_NAME (widget), joined);

  if (GTK_IS_TEXT_VIEW (widget))
    {
      g_string_append_c (out, ' ');
      describe_buffer (out, gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget)));
    }
  else if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, " “%s”", gtk_label_get_label (GTK_LABEL (widget)));
  g_string_append_c (out, '\n');

  if (GTK_IS_TEXT_VIEW (widget))
    return;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      /* The copy button's icon is not what the view shows */
      if (!GTK_IS_BUTTON (widget))
        describe_widget (out, child, depth + 1);
    }
}

static char *
describe (CriaMarkdownView *view)
{
  GString *out = g_string_new (NULL);

  describe_widget (out, GTK_WIDGET (view), 0);

  return g_string_free (out, FALSE);
}

static GPtrArray *
collect (CriaMarkdownView *view,
         GType             type)
{
  GPtrArray *found = g_ptr_array_new ();

  cria_ui_test_collect (GTK_WIDGET (view), type, found);

  return found;
}

static char *
dup_text (GtkTextView *text_view)
{
  return cria_ui_test_dup_buffer_text (text_view);
}

static gboolean
has_tag (GtkTextView *text_view,
         const char  *substring,
         const char  *tag_name)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  GtkTextTag *tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), tag_name);
  GtkTextIter start, match_start, match_end;

  g_assert_nonnull (tag);
  gtk_text_buffer_get_start_iter (buffer, &start);
  if (!gtk_text_iter_forward_search (&start, substring, 0, &match_start, &match_end, NULL))
    return FALSE;

  /* Over all of the substring */
  for (GtkTextIter i = match_start; gtk_text_iter_compare (&i, &match_end) < 0; gtk_text_iter_forward_char (&i))
    {
      if (!gtk_text_iter_has_tag (&i, tag))
        return FALSE;
    }

  return TRUE;
}

/* The text view showing @text */
static GtkTextView *
find_text_view (CriaMarkdownView *view,
                const char       *text)
{
  g_autoptr(GPtrArray) views = collect (view, GTK_TYPE_TEXT_VIEW);

  for (guint i = 0; i < views->len; i++)
    {
      g_autofree char *shown = dup_text (g_ptr_array_index (views, i));

      if (strstr (shown, text) != NULL)
        return g_ptr_array_index (views, i);
    }

  return NULL;
}

/* The cell showing @text */
static GtkLabel *
find_label (CriaMarkdownView *view,
            const char       *text)
{
  g_autoptr(GPtrArray) labels = collect (view, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    {
      if (g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, i)), text) == 0)
        return g_ptr_array_index (labels, i);
    }

  return NULL;
}

static void
test_spans (Fixture       *f,
            gconstpointer  data)
{
  GtkTextView *text_view;

  cria_markdown_view_set_text (f->view,
                               "# Title\n\n"
                               "Some *emphasis*, **strong**, `code()`, ~~gone~~ and a "
                               "[link](https://example.com/a).\n\n"
                               "### Small\n",
                               -1);

  text_view = find_text_view (f->view, "Title");
  g_assert_nonnull (text_view);
  g_assert_true (has_tag (text_view, "Title", "h1"));
  gtk_test_accessible_assert_property (text_view, GTK_ACCESSIBLE_PROPERTY_LABEL, "Reply");
  g_assert_true (has_tag (find_text_view (f->view, "Small"), "Small", "h3"));

  text_view = find_text_view (f->view, "Some");
  g_assert_true (has_tag (text_view, "emphasis", "emphasis"));
  g_assert_true (has_tag (text_view, "strong", "strong"));
  g_assert_true (has_tag (text_view, "code()", "code"));
  g_assert_true (has_tag (text_view, "gone", "strikethrough"));
  g_assert_true (has_tag (text_view, "link", "link"));
  g_assert_false (has_tag (text_view, "Some", "strong"));
  g_assert_false (gtk_text_view_get_editable (text_view));
  g_assert_false (gtk_text_view_get_cursor_visible (text_view));
}

static void
test_lists (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *shown = NULL;
  GtkTextView *flow;

  cria_markdown_view_set_text (f->view,
                               "- **Wool:** soft\n"
                               "- plain\n"
                               "  - nested\n"
                               "\n"
                               "3. three\n"
                               "4. four\n"
                               "\n"
                               "- [ ] to do\n"
                               "- [x] done\n",
                               -1);

  /* One flow of text, the items with their markers, indented */
  shown = _cria_markdown_view_dup_text (f->view);
  g_assert_cmpstr (shown, ==, "• Wool: soft\n• plain\n◦ nested\n3. three\n4. four\n☐ to do\n☑ done");
  flow = find_text_view (f->view, "Wool");
  g_assert_true (has_tag (flow, "Wool:", "strong"));
  g_assert_true (has_tag (flow, "• Wool: soft", "item-1"));
  g_assert_true (has_tag (flow, "◦ nested", "item-2"));
  g_assert_false (has_tag (flow, "nested", "item-1"));
  g_assert_true (find_text_view (f->view, "done") == flow);
  gtk_test_accessible_assert_property (flow, GTK_ACCESSIBLE_PROPERTY_LABEL, "Reply");

  /* As tall as its text */
  cria_test_wait_until (gtk_widget_get_height (GTK_WIDGET (flow)) > 7 * 10);
}

static void
test_quote_table_rule (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) grids = NULL;
  g_autoptr(GPtrArray) separators = NULL;
  GtkLabel *cell;
  GtkWidget *quote;
  int column, row;

  cria_markdown_view_set_text (f->view,
                               "> quoted *words*\n\n"
                               "| Name | Value |\n"
                               "|:-----|------:|\n"
                               "| `alpha` | 1 |\n"
                               "| b | 22 |\n\n"
                               "---\n",
                               -1);

  quote = gtk_widget_get_parent (GTK_WIDGET (find_text_view (f->view, "quoted")));
  g_assert_true (gtk_widget_has_css_class (quote, "md-quote"));
  g_assert_true (has_tag (find_text_view (f->view, "quoted"), "words", "emphasis"));

  grids = collect (f->view, GTK_TYPE_GRID);
  g_assert_cmpuint (grids->len, ==, 1);
  cell = find_label (f->view, "22");
  g_assert_true (gtk_widget_get_parent (GTK_WIDGET (cell)) == g_ptr_array_index (grids, 0));
  gtk_grid_query_child (g_ptr_array_index (grids, 0), GTK_WIDGET (cell), &column, &row, NULL, NULL);
  g_assert_cmpint (column, ==, 1);
  g_assert_cmpint (row, ==, 2);
  g_assert_cmpfloat (gtk_label_get_xalign (cell), ==, 1.0);
  g_assert_cmpstr (gtk_label_get_label (find_label (f->view, "Name")), ==, "<b>Name</b>");
  g_assert_cmpstr (gtk_label_get_label (find_label (f->view, "alpha")), ==, "<tt>alpha</tt>");
  g_assert_true (gtk_label_get_selectable (cell));

  separators = collect (f->view, GTK_TYPE_SEPARATOR);
  g_assert_cmpuint (separators->len, ==, 1);
}

/* Model text is never markup, and only safe links are links */
static void
test_hostile (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) pictures = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autofree char *shown = NULL;
  GtkTextView *text_view;

  cria_markdown_view_set_text (f->view,
                               "<b>bold</b> and <span foreground=\"red\">red</span> &amp; "
                               "[bad](javascript:alert(1)) ![alt text](https://example.com/x.png)\n",
                               -1);

  shown = _cria_markdown_view_dup_text (f->view);
  g_assert_nonnull (strstr (shown, "<b>bold</b>"));
  g_assert_nonnull (strstr (shown, "<span foreground=\"red\">red</span>"));

  text_view = find_text_view (f->view, "bold");
  g_assert_false (has_tag (text_view, "bold", "strong"));
  g_assert_false (has_tag (text_view, "bad", "link"));
  g_assert_true (has_tag (text_view, "alt text", "image-alt"));
  g_assert_false (has_tag (text_view, "alt text", "link"));

  /* No image: nothing is fetched */
  pictures = collect (f->view, GTK_TYPE_PICTURE);
  images = collect (f->view, GTK_TYPE_IMAGE);
  g_assert_cmpuint (pictures->len, ==, 0);
  g_assert_cmpuint (images->len, ==, 0);
}

static void
activate_link_cb (CriaMarkdownView  *view,
                  const char        *uri,
                  char             **activated)
{
  g_free (*activated);
  *activated = g_strdup (uri);
}

static gboolean
return_true (CriaMarkdownView *view,
             const char       *uri,
             gpointer          user_data)
{
  return TRUE;
}

/* Enter on a link opens it (the signal; its default handler launches) */
static void
test_link_activates (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *activated = NULL;
  GtkTextView *text_view;
  GtkTextBuffer *buffer;
  GtkTextIter iter;

  cria_markdown_view_set_text (f->view, "Read [the docs](https://example.com/docs) first.", -1);
  g_signal_connect (f->view, "activate-link", G_CALLBACK (activate_link_cb), &activated);
  g_signal_connect (f->view, "activate-link", G_CALLBACK (return_true), NULL);

  text_view = find_text_view (f->view, "docs");
  buffer = gtk_text_view_get_buffer (text_view);

  /* Not on a link: nothing */
  gtk_text_buffer_get_start_iter (buffer, &iter);
  gtk_text_buffer_place_cursor (buffer, &iter);
  g_assert_false (cria_ui_test_press_key (GTK_WIDGET (text_view), GDK_KEY_Return, 0));
  g_assert_null (activated);

  gtk_text_buffer_get_iter_at_offset (buffer, &iter, strlen ("Read th"));
  gtk_text_buffer_place_cursor (buffer, &iter);
  g_assert_true (cria_ui_test_press_key (GTK_WIDGET (text_view), GDK_KEY_Return, 0));
  g_assert_cmpstr (activated, ==, "https://example.com/docs");
  g_assert_cmpstr (_cria_markdown_view_get_link_at (text_view, &iter), ==, "https://example.com/docs");
  g_assert_true (gtk_widget_get_has_tooltip (GTK_WIDGET (text_view)));
}

typedef struct
{
  char     *text;
  gboolean  done;
} ReadData;

static void
read_text_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ReadData *data = user_data;
  g_autoptr(GError) error = NULL;

  data->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
  data->done = TRUE;
}

static void
test_code_block (Fixture       *f,
                 gconstpointer  data)
{
  static const char code[] = "def greet(name):\n    return f\"Hi, {name}! <b>\"";
  g_autofree char *markdown = g_strdup_printf ("Here:\n\n```python\n%s\n```\n\n```\nplain\n```\n", code);
  g_autoptr(GPtrArray) source_views = NULL;
  g_autoptr(GPtrArray) buttons = NULL;
  g_autofree char *shown = NULL;
  GtkSourceBuffer *buffer;
  GtkWidget *header;
  GtkWidget *label;
  GtkWidget *button;
  ReadData read = { NULL, FALSE };

  cria_markdown_view_set_text (f->view, markdown, -1);

  source_views = collect (f->view, GTK_SOURCE_TYPE_VIEW);
  g_assert_cmpuint (source_views->len, ==, 2);

  /* Highlighted as Python, read-only, monospace */
  shown = dup_text (g_ptr_array_index (source_views, 0));
  g_assert_cmpstr (shown, ==, code);
  buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (g_ptr_array_index (source_views, 0)));
  g_assert_nonnull (gtk_source_buffer_get_language (buffer));
  g_assert_cmpstr (gtk_source_language_get_id (gtk_source_buffer_get_language (buffer)), ==, "python3");
  g_assert_nonnull (gtk_source_buffer_get_style_scheme (buffer));
  g_assert_false (gtk_text_view_get_editable (g_ptr_array_index (source_views, 0)));
  g_assert_true (gtk_text_view_get_monospace (g_ptr_array_index (source_views, 0)));
  gtk_test_accessible_assert_property (g_ptr_array_index (source_views, 0),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Code");

  /* A header: the language, and a Copy button */
  header = gtk_widget_get_prev_sibling (g_ptr_array_index (source_views, 0));
  label = gtk_widget_get_first_child (header);
  button = gtk_widget_get_next_sibling (label);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (label)), ==, "python");
  g_assert_true (GTK_IS_BUTTON (button));
  gtk_test_accessible_assert_property (button, GTK_ACCESSIBLE_PROPERTY_LABEL, "Copy Code");

  /* No language: "Code" */
  header = gtk_widget_get_prev_sibling (g_ptr_array_index (source_views, 1));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (gtk_widget_get_first_child (header))), ==, "Code");

  /* Copy puts exactly the code on the clipboard, and says so */
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (button)), ==, "object-select-symbolic");
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (button), NULL, read_text_cb, &read);
  cria_test_wait_until (read.done);
  g_assert_cmpstr (read.text, ==, code);
  g_free (read.text);

  buttons = collect (f->view, GTK_TYPE_BUTTON);
  g_assert_cmpuint (buttons->len, ==, 2);
}

static void
test_languages (void)
{
  g_assert_cmpstr (_cria_markdown_view_map_language ("py"), ==, "python3");
  g_assert_cmpstr (_cria_markdown_view_map_language ("Python"), ==, "python3");
  g_assert_cmpstr (_cria_markdown_view_map_language ("js"), ==, "javascript");
  g_assert_cmpstr (_cria_markdown_view_map_language ("ts"), ==, "typescript");
  g_assert_cmpstr (_cria_markdown_view_map_language ("sh"), ==, "sh");
  g_assert_cmpstr (_cria_markdown_view_map_language ("bash"), ==, "sh");
  g_assert_cmpstr (_cria_markdown_view_map_language ("c++"), ==, "cpp");
  g_assert_cmpstr (_cria_markdown_view_map_language ("rust"), ==, "rust");
  g_assert_cmpstr (_cria_markdown_view_map_language ("rs"), ==, "rust");
  g_assert_cmpstr (_cria_markdown_view_map_language ("json"), ==, "json");
  g_assert_null (_cria_markdown_view_map_language ("no-such-language"));
  g_assert_null (_cria_markdown_view_map_language (NULL));
}

/* Streamed in pieces of every size, a reply ends as it shows whole */
static void
test_streaming_matches_whole (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GtkWidget) whole = g_object_ref_sink (cria_markdown_view_new ());
  g_autofree char *expected = NULL;
  g_autofree char *streamed = NULL;
  g_autofree char *open_tail = NULL;
  GtkTextView *tail_view;
  gsize at = 0;

  for (guint i = 0; i < 60; i++)
    cria_test_append_markdown_section (text, rand, i % 8, i);
  g_string_append (text, "Last *words*, [a link](https://example.com) and `code`.");

  cria_markdown_view_set_text (CRIA_MARKDOWN_VIEW (whole), text->str, text->len);
  expected = describe (CRIA_MARKDOWN_VIEW (whole));

  while (at < text->len)
    {
      gsize piece = (gsize) g_rand_int_range (rand, 1, 40);
      gsize n = MIN (piece, text->len - at);

      cria_markdown_view_append (f->view, text->str + at, n);
      at += n;
    }
  cria_markdown_view_finish (f->view);

  streamed = describe (f->view);
  g_assert_cmpstr (streamed, ==, expected);

  /* A growing open block keeps its text view */
  cria_markdown_view_clear (f->view);
  cria_markdown_view_append (f->view, "```python\nx = 1\n", -1);
  tail_view = find_text_view (f->view, "x = 1");
  for (guint i = 0; i < 200; i++)
    cria_markdown_view_append (f->view, "x = x + 1\n", -1);
  g_assert_true (find_text_view (f->view, "x = x + 1") == tail_view);
  cria_markdown_view_append (f->view, "```\n\nAfter.", -1);
  cria_markdown_view_finish (f->view);
  g_assert_true (find_text_view (f->view, "x = x + 1") == tail_view);
  open_tail = dup_text (tail_view);
  g_assert_true (g_str_has_prefix (open_tail, "x = 1\nx = x + 1\n"));
  g_assert_true (g_str_has_suffix (open_tail, "x = x + 1"));
}

int
main (int   argc,
      char *argv[])
{
  CRIA_UI_TEST_INIT_OR_SKIP (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/cria/markdown-view/spans", test_spans);
  ADD ("/cria/markdown-view/lists", test_lists);
  ADD ("/cria/markdown-view/quote-table-rule", test_quote_table_rule);
  ADD ("/cria/markdown-view/hostile", test_hostile);
  ADD ("/cria/markdown-view/link-activates", test_link_activates);
  ADD ("/cria/markdown-view/code-block", test_code_block);
  ADD ("/cria/markdown-view/streaming-matches-whole", test_streaming_matches_whole);
  g_test_add_func ("/cria/markdown-view/languages", test_languages);

#undef ADD

  return g_test_run ();
}
