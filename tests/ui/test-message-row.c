/* test-message-row.c: a reply streams into its row, and rows recycle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "cria-core.h"
#include "cria-markdown-view-private.h"
#include "cria-message-row.h"
#include "cria-message-row-private.h"
#include "ui-test-utils.h"

typedef struct
{
  GtkWindow      *window;
  CriaMessageRow *row;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 600, 400);
  f->row = CRIA_MESSAGE_ROW (cria_message_row_new ());
  gtk_window_set_child (f->window, GTK_WIDGET (f->row));
  gtk_window_present (f->window);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (f->row), (gpointer *) &f->row);
  gtk_window_destroy (f->window);
  cria_test_wait_until (f->row == NULL);
}

static CriaChatMessage *
new_reply (void)
{
  CriaChatMessage *reply = cria_chat_message_new (CRIA_MESSAGE_ROLE_ASSISTANT, NULL);

  cria_chat_message_set_model (reply, "llama3.2");
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_STREAMING);

  return reply;
}

static void
count_changes_cb (GtkTextBuffer *buffer,
                  guint         *n_changes)
{
  (*n_changes)++;
}

/* The reply's text, block by block */
static gboolean
content_equals (CriaMessageRow *row,
                const char     *expected)
{
  g_autofree char *text = _cria_message_row_dup_content_text (row);

  return g_strcmp0 (text, expected) == 0;
}

/* What @text looks like rendered whole */
static char *
dup_rendered (const char *text)
{
  GtkWidget *view = g_object_ref_sink (cria_markdown_view_new ());
  char *rendered;

  cria_markdown_view_set_text (CRIA_MARKDOWN_VIEW (view), text, -1);
  rendered = _cria_markdown_view_dup_text (CRIA_MARKDOWN_VIEW (view));
  g_object_unref (view);

  return rendered;
}

static void
test_streams_by_appending (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(CriaChatMessage) reply = new_reply ();
  CriaMarkdownView *markdown = _cria_message_row_get_content_view (f->row);
  g_autoptr(GString) expected = g_string_new ("tok ");
  g_autofree char *trimmed = NULL;
  GtkTextBuffer *buffer;
  GtkTextView *view;
  guint n_changes = 0;

  cria_message_row_set_message (f->row, reply);
  cria_chat_message_append_content (reply, "tok ");
  cria_test_wait_until (content_equals (f->row, "tok"));
  view = _cria_markdown_view_get_first_text_view (markdown);
  buffer = gtk_text_view_get_buffer (view);
  g_signal_connect (buffer, "changed", G_CALLBACK (count_changes_cb), &n_changes);

  /* Many tokens within one frame make one update, not one each */
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *token = g_strdup_printf ("tok%u ", i);

      cria_chat_message_append_content (reply, token);
      g_string_append (expected, token);
    }

  /* (A paragraph's last spaces are not part of its text) */
  g_assert_cmpuint (n_changes, ==, 0);
  trimmed = g_strchomp (g_strdup (expected->str));
  cria_test_wait_until (cria_ui_test_buffer_equals (view, trimmed));
  g_assert_cmpuint (n_changes, <=, 2);

  /* Later tokens are appended to what is shown, in the same text view */
  cria_chat_message_append_content (reply, "é€😀");
  g_string_append (expected, "é€😀");
  cria_test_wait_until (cria_ui_test_buffer_equals (view, expected->str));
  g_assert_true (view == _cria_markdown_view_get_first_text_view (markdown));
  gtk_test_accessible_assert_property (view, GTK_ACCESSIBLE_PROPERTY_LABEL, "Reply");

  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (view)));
  g_assert_false (gtk_text_view_get_editable (view));
  g_assert_false (gtk_text_view_get_cursor_visible (view));
  g_assert_cmpint (gtk_text_view_get_wrap_mode (view), !=, GTK_WRAP_NONE);

  g_signal_handlers_disconnect_by_func (buffer, count_changes_cb, &n_changes);
}

static void
test_complete_shows_metrics (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CriaChatMessage) reply = new_reply ();
  GtkLabel *status = _cria_message_row_get_status_label (f->row);
  CriaChatMetrics metrics = { 0 };

  cria_message_row_set_message (f->row, reply);
  cria_chat_message_append_content (reply, "Hi!");

  metrics.eval_count = 42;
  metrics.eval_duration = G_GINT64_CONSTANT (1120000000);
  cria_chat_message_set_metrics (reply, &metrics);
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_COMPLETE);

  /* The end of a reply shows at once */
  g_assert_true (content_equals (f->row, "Hi!"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (status)));
  g_assert_cmpstr (gtk_label_get_text (status), ==, "42 tokens · 37.5 tokens/s");
}

static void
test_incomplete_keeps_text (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CriaChatMessage) reply = new_reply ();
  g_autoptr(GError) error = g_error_new_literal (CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_TRUNCATED, "no done");
  GtkLabel *status = _cria_message_row_get_status_label (f->row);

  cria_message_row_set_message (f->row, reply);
  cria_chat_message_append_content (reply, "Half a rep");
  cria_chat_message_set_error (reply, error);
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_INCOMPLETE);

  g_assert_true (content_equals (f->row, "Half a rep"));
  g_assert_cmpstr (gtk_label_get_text (status), ==,
                   "Incomplete. Ollama stopped answering in the middle of the reply.");
}

static void
test_stopped (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CriaChatMessage) reply = new_reply ();
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  GtkLabel *status = _cria_message_row_get_status_label (f->row);

  cria_message_row_set_message (f->row, reply);
  cria_chat_message_append_content (reply, "Once upon");
  cria_chat_message_set_error (reply, error);
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_INCOMPLETE);

  g_assert_true (content_equals (f->row, "Once upon"));
  g_assert_cmpstr (gtk_label_get_text (status), ==, "Stopped");
  g_assert_false (gtk_widget_has_css_class (gtk_widget_get_parent (GTK_WIDGET (status)), "error"));
}

static void
test_error (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CriaChatMessage) reply = new_reply ();
  g_autoptr(GError) error = g_error_new_literal (CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND,
                                                 "model 'llama3.2' not found");
  GtkLabel *status = _cria_message_row_get_status_label (f->row);

  cria_message_row_set_message (f->row, reply);
  cria_chat_message_set_error (reply, error);
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_ERROR);

  g_assert_cmpstr (gtk_label_get_text (status), ==,
                   "The model “llama3.2” is not installed on this server.");
  g_assert_true (gtk_widget_has_css_class (gtk_widget_get_parent (GTK_WIDGET (status)), "error"));
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (_cria_message_row_get_content_view (f->row))));
}

static void
test_thinking (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(CriaChatMessage) reply = new_reply ();
  GtkExpander *expander = _cria_message_row_get_thinking_expander (f->row);
  GtkTextView *thinking = _cria_message_row_get_thinking_view (f->row);

  cria_message_row_set_message (f->row, reply);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (expander)));

  cria_chat_message_append_thinking (reply, "Two and two ");
  cria_chat_message_append_thinking (reply, "make four.");
  cria_test_wait_until (cria_ui_test_buffer_equals (thinking, "Two and two make four."));

  /* Open while the model thinks… */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (expander)));
  g_assert_true (gtk_expander_get_expanded (expander));
  gtk_test_accessible_assert_property (thinking, GTK_ACCESSIBLE_PROPERTY_LABEL, "Thinking");

  /* …closed when the answer starts */
  cria_chat_message_append_content (reply, "4");
  cria_test_wait_until (content_equals (f->row, "4"));
  g_assert_false (gtk_expander_get_expanded (expander));
}

static void
test_thinking_user_choice (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(CriaChatMessage) reply = new_reply ();
  GtkExpander *expander = _cria_message_row_get_thinking_expander (f->row);

  cria_message_row_set_message (f->row, reply);

  cria_chat_message_append_thinking (reply, "Hmm.");
  cria_test_wait_until (gtk_widget_get_visible (GTK_WIDGET (expander)));
  g_assert_true (gtk_expander_get_expanded (expander));

  /* The user closed it: it stays closed, and opened it stays open */
  gtk_expander_set_expanded (expander, FALSE);
  cria_chat_message_append_thinking (reply, " Still thinking.");
  cria_test_wait_until (cria_ui_test_buffer_equals (_cria_message_row_get_thinking_view (f->row),
                                                    "Hmm. Still thinking."));
  g_assert_false (gtk_expander_get_expanded (expander));

  gtk_expander_set_expanded (expander, TRUE);
  cria_chat_message_append_content (reply, "Yes.");
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_true (gtk_expander_get_expanded (expander));
}

static void
test_recycle (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CriaChatMessage) first = new_reply ();
  g_autoptr(CriaChatMessage) question = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, "What is 2 + 2?");

  cria_message_row_set_message (f->row, first);
  cria_chat_message_append_thinking (first, "Easy.");
  cria_chat_message_append_content (first, "First reply");
  cria_chat_message_set_state (first, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_true (content_equals (f->row, "First reply"));

  /* Bound to another message, nothing of the first one stays… */
  cria_message_row_set_message (f->row, question);
  g_assert_true (content_equals (f->row, ""));
  g_assert_true (cria_ui_test_buffer_equals (_cria_message_row_get_thinking_view (f->row), ""));
  g_assert_cmpstr (gtk_label_get_text (_cria_message_row_get_user_label (f->row)), ==, "What is 2 + 2?");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->row), "user"));

  /* …and the first one no longer reaches the row */
  cria_chat_message_append_content (first, " more");
  cria_test_run_for (50);
  g_assert_true (content_equals (f->row, ""));

  cria_message_row_set_message (f->row, first);
  g_assert_true (content_equals (f->row, "First reply more"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->row), "assistant"));
  g_assert_false (gtk_expander_get_expanded (_cria_message_row_get_thinking_expander (f->row)));

  cria_message_row_set_message (f->row, NULL);
  g_assert_null (cria_message_row_get_message (f->row));
}

static void
test_tool_calls (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CriaChatMessage) reply = new_reply ();
  g_autoptr(CriaChatMessage) other = new_reply ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autoptr(GPtrArray) views = g_ptr_array_new ();
  GtkBox *box = _cria_message_row_get_tool_calls_box (f->row);
  g_autofree char *arguments = NULL;

  cria_message_row_set_message (f->row, reply);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (box)));

  g_assert_true (json_parser_load_from_data (parser,
                                             "[{\"function\":{\"name\":\"get_weather\","
                                             "\"arguments\":{\"city\":\"Lima\",\"days\":3}}},"
                                             "{\"function\":{\"name\":\"<b>x</b>\",\"arguments\":\"{\\\"a\\\":1}\"}}]",
                                             -1, NULL));
  cria_chat_message_add_tool_calls (reply, json_node_get_array (json_parser_get_root (parser)));

  /* Each call: "Called <name>", then its arguments as indented JSON */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (box)));
  cria_ui_test_collect (GTK_WIDGET (box), GTK_TYPE_LABEL, labels);
  cria_ui_test_collect (GTK_WIDGET (box), GTK_TYPE_TEXT_VIEW, views);
  g_assert_cmpuint (labels->len, ==, 2);
  g_assert_cmpstr (gtk_label_get_text (g_ptr_array_index (labels, 0)), ==, "Called get_weather");
  g_assert_cmpstr (gtk_label_get_text (g_ptr_array_index (labels, 1)), ==, "Called <b>x</b>");
  g_assert_false (gtk_label_get_use_markup (g_ptr_array_index (labels, 1)));

  arguments = cria_ui_test_dup_buffer_text (g_ptr_array_index (views, 0));
  g_assert_nonnull (strstr (arguments, "\"city\" : \"Lima\""));
  g_assert_nonnull (strstr (arguments, "\n"));
  g_assert_true (gtk_text_view_get_monospace (g_ptr_array_index (views, 0)));
  g_free (arguments);
  arguments = cria_ui_test_dup_buffer_text (g_ptr_array_index (views, 1));
  g_assert_nonnull (strstr (arguments, "\"a\" : 1"));

  /* Recycled for a message without calls: none */
  cria_message_row_set_message (f->row, other);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (box)));
  g_assert_null (gtk_widget_get_first_child (GTK_WIDGET (box)));
}

/* What the user wrote is shown as written: no Markdown, no markup */
static void
test_user_plain_text (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CriaChatMessage) question = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER,
                                                               "# Not a title\n**not bold** <b>x</b> `y`");
  GtkLabel *label = _cria_message_row_get_user_label (f->row);

  cria_message_row_set_message (f->row, question);
  g_assert_cmpstr (gtk_label_get_label (label), ==, "# Not a title\n**not bold** <b>x</b> `y`");
  g_assert_false (gtk_label_get_use_markup (label));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_cria_message_row_get_content_view (f->row))));
}

/* Long replies ------------------------------------------------------------ */

static guint
count_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;

  return n;
}

/* The segments' texts, one after the other, with the line break that
 * separates two segments (in neither buffer) */
static char *
dup_segments_text (GtkBox *box)
{
  GString *text = g_string_new (NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      g_autofree char *part = cria_ui_test_dup_buffer_text (GTK_TEXT_VIEW (child));

      if (child != gtk_widget_get_first_child (GTK_WIDGET (box)))
        g_string_append_c (text, '\n');
      g_string_append (text, part);
    }

  return g_string_free (text, FALSE);
}

static gboolean
segments_equal (GtkBox     *box,
                const char *expected)
{
  g_autofree char *text = dup_segments_text (box);

  return g_strcmp0 (text, expected) == 0;
}

/* Every text view as tall as it wants to be, and the view as tall as its
 * blocks: no height left over from before the text grew */
static gboolean
blocks_laid_out (GtkWidget *view)
{
  int total = 0;
  int n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (view);
       child != NULL;
       child = gtk_widget_get_next_sibling (child), n++)
    {
      int min = 0;

      gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (child),
                          &min, NULL, NULL, NULL);
      if (min != gtk_widget_get_height (child) || min <= 0)
        return FALSE;
      total += min;
    }

  /* The blocks are 8 pixels apart */
  return total + MAX (n - 1, 0) * 8 == gtk_widget_get_height (view);
}

/* Runs what the main loop has ready, low-priority idles included, and
 * says whether @view's blocks are then laid out. A text view learns its
 * true height in such idles, which a loaded machine runs late: until
 * then it measures an estimate, laid out all the same. */
static gboolean
settled (GtkWidget *view)
{
  for (guint i = 0; i < 10000 && g_main_context_iteration (NULL, FALSE); i++)
    ;

  return blocks_laid_out (view);
}

/* The blocks in the visible part of the list are drawn; *n_hidden of
 * the others are not */
static gboolean
blocks_drawn_where_visible (GtkWidget *view,
                            GtkWidget *list_view,
                            guint     *n_hidden)
{
  *n_hidden = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (view);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      graphene_rect_t bounds;

      if (!gtk_widget_compute_bounds (child, list_view, &bounds))
        return FALSE;

      if (bounds.origin.y < gtk_widget_get_height (list_view) &&
          bounds.origin.y + bounds.size.height > 0 &&
          !gtk_widget_get_mapped (child))
        return FALSE;

      if (!gtk_widget_get_child_visible (child))
        (*n_hidden)++;
    }

  return TRUE;
}

/* Line @i of a long reply: lines of different lengths, paragraphs, a
 * list, a code block, and characters of more than one byte */
static char *
long_reply_line (guint i)
{
  switch (i % 11)
    {
    case 6:
      return g_strdup ("\n");
    case 7:
      return g_strdup_printf ("- item %u with `code` and **bold**\n", i);
    case 8:
      return g_strdup ("\n```c\nint x = 0;\n```\n\n");
    default:
      return g_strdup_printf ("Line %u: %.*s llamas 🦙, *crías* é€.\n",
                              i, (int) (i * 13 % 60),
                              "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod");
    }
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              Fixture                  *f)
{
  gtk_list_item_set_child (item, cria_message_row_new ());
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             Fixture                  *f)
{
  f->row = CRIA_MESSAGE_ROW (gtk_list_item_get_child (item));
  cria_message_row_set_message (f->row, gtk_list_item_get_item (item));
}

/* @message in the row of a list view, as the chat page shows it: rows of
 * a list view learn their height differently (cria-message-row.c) */
static void
show_in_list_view (Fixture         *f,
                   CriaChatMessage *message)
{
  GListStore *store = g_list_store_new (CRIA_TYPE_CHAT_MESSAGE);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *list_view;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), f);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), f);
  g_list_store_append (store, message);
  list_view = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (store))),
                                 factory);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list_view);

  /* The row of the fixture goes */
  g_object_add_weak_pointer (G_OBJECT (f->row), (gpointer *) &f->row);
  gtk_window_set_child (f->window, scroller);
  cria_test_wait_until (f->row != NULL && cria_message_row_get_message (f->row) == message);
}

/* A block, and changes to its text */
typedef struct
{
  GtkWidget     *widget;
  GtkTextBuffer *buffer;
  guint          n_changes;
} Watch;

static void
watch_free (Watch *watch)
{
  g_signal_handlers_disconnect_by_func (watch->buffer, count_changes_cb, &watch->n_changes);
  g_object_unref (watch->buffer);
  g_object_unref (watch->widget);
  g_free (watch);
}

/* The blocks watched are still there, unchanged */
static void
assert_watches_unchanged (GPtrArray *watches,
                          GtkWidget *view)
{
  for (guint i = 0; i < watches->len; i++)
    {
      Watch *watch = g_ptr_array_index (watches, i);

      g_assert_true (gtk_widget_get_parent (watch->widget) == view);
      g_assert_cmpuint (watch->n_changes, ==, 0);
    }
}

static void
test_long_reply_in_blocks (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(CriaChatMessage) reply = new_reply ();
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GPtrArray) watches = g_ptr_array_new_with_free_func ((GDestroyNotify) watch_free);
  g_autofree char *rendered = NULL;
  GtkAdjustment *vadjustment;
  GtkWidget *list_view;
  GtkWidget *view;
  guint n_blocks;
  guint n_hidden;
  int height;

  show_in_list_view (f, reply);
  view = GTK_WIDGET (_cria_message_row_get_content_view (f->row));

  /* About 20 KB of Markdown, streamed a few tokens a frame */
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *line = long_reply_line (i);
      g_auto(GStrv) words = g_strsplit (line, " ", -1);
      GtkWidget *child;
      guint k;

      for (guint j = 0; words[j] != NULL; j++)
        {
          g_autofree char *token = g_strconcat (j > 0 ? " " : "", words[j], NULL);

          cria_chat_message_append_content (reply, token);
          g_string_append (expected, token);
        }

      if (i % 10 != 9)
        continue;

      cria_test_run_for (20);

      /* From now on, nothing changes in the paragraphs before the last
       * three blocks, which a next line may still change */
      for (child = gtk_widget_get_first_child (view), k = 0;
           child != NULL && k + 3 < count_children (view);
           child = gtk_widget_get_next_sibling (child), k++)
        {
          Watch *watch;

          if (k < watches->len)
            continue;

          watch = g_new0 (Watch, 1);
          watch->widget = g_object_ref (child);
          if (GTK_IS_TEXT_VIEW (child))
            {
              watch->buffer = g_object_ref (gtk_text_view_get_buffer (GTK_TEXT_VIEW (child)));
              g_signal_connect (watch->buffer, "changed", G_CALLBACK (count_changes_cb), &watch->n_changes);
            }
          else
            {
              /* Not a paragraph: a buffer that never changes */
              watch->buffer = gtk_text_buffer_new (NULL);
            }
          g_ptr_array_add (watches, watch);
        }
    }

  g_assert_cmpstr (cria_chat_message_get_content (reply), ==, expected->str);
  rendered = dup_rendered (expected->str);
  cria_test_wait_until (content_equals (f->row, rendered));

  /* Paragraphs, lists and code blocks, as many as rendering it whole
   * makes… */
  n_blocks = count_children (view);
  g_assert_cmpuint (n_blocks, >=, 50);
  g_assert_cmpuint (watches->len, >=, n_blocks - 10);

  /* …none of them changed, or made again, once final */
  assert_watches_unchanged (watches, view);

  /* …and the row as tall as all of them */
  cria_test_wait_until (blocks_laid_out (view));

  /* Only those in view are drawn, wherever the list is scrolled to */
  list_view = gtk_widget_get_ancestor (GTK_WIDGET (f->row), GTK_TYPE_LIST_VIEW);
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list_view));
  cria_test_wait_until (blocks_drawn_where_visible (view, list_view, &n_hidden) && n_hidden > 0);
  g_assert_true (gtk_widget_get_mapped (gtk_widget_get_first_child (view)));

  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_upper (vadjustment));
  cria_test_wait_until (gtk_widget_get_mapped (gtk_widget_get_last_child (view)) &&
                        blocks_drawn_where_visible (view, list_view, &n_hidden) && n_hidden > 0);
  g_assert_false (gtk_widget_get_mapped (gtk_widget_get_first_child (view)));

  gtk_adjustment_set_value (vadjustment, 0);
  cria_test_wait_until (gtk_widget_get_mapped (gtk_widget_get_first_child (view)) &&
                        blocks_drawn_where_visible (view, list_view, &n_hidden));

  /* …and the row keeps its height when wrapped anew */
  cria_test_wait_until (settled (view));
  height = gtk_widget_get_height (view);
  gtk_widget_set_margin_end (list_view, 300);
  cria_test_wait_until (settled (view) && gtk_widget_get_height (view) > height);
  gtk_widget_set_margin_end (list_view, 0);
  cria_test_wait_until (settled (view) && gtk_widget_get_height (view) == height);

  /* The end comes at once */
  cria_chat_message_append_content (reply, "\n\nThe end.");
  g_string_append (expected, "\n\nThe end.");
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_COMPLETE);
  g_free (rendered);
  rendered = dup_rendered (expected->str);
  g_assert_true (content_equals (f->row, rendered));
  assert_watches_unchanged (watches, view);
}

static void
setup_deferring_row_cb (GtkSignalListItemFactory *factory,
                        GtkListItem              *item,
                        gpointer                  user_data)
{
  GtkWidget *row = cria_message_row_new ();

  cria_message_row_set_defer_text (CRIA_MESSAGE_ROW (row), TRUE);
  gtk_list_item_set_child (item, row);
}

static void
bind_deferring_row_cb (GtkSignalListItemFactory *factory,
                       GtkListItem              *item,
                       gpointer                  user_data)
{
  cria_message_row_set_message (CRIA_MESSAGE_ROW (gtk_list_item_get_child (item)),
                                gtk_list_item_get_item (item));
}

/* Every row in the visible part of @list_view shows its message's text;
 * *n_far of the rows made out of sight (not drawn) show none yet */
static gboolean
rows_in_view_show_text (GtkWidget *list_view,
                        guint     *n_far)
{
  int height = gtk_widget_get_height (list_view);
  guint n_seen = 0;

  *n_far = 0;

  for (GtkWidget *item = gtk_widget_get_first_child (list_view);
       item != NULL;
       item = gtk_widget_get_next_sibling (item))
    {
      CriaMessageRow *row = CRIA_MESSAGE_ROW (gtk_widget_get_first_child (item));
      CriaChatMessage *message = cria_message_row_get_message (row);
      g_autofree char *text = _cria_message_row_dup_content_text (row);
      graphene_rect_t bounds;

      if (message == NULL)
        continue;

      if (!gtk_widget_get_child_visible (item))
        {
          if (*text == '\0')
            (*n_far)++;
          continue;
        }

      if (!gtk_widget_compute_bounds (GTK_WIDGET (row), list_view, &bounds))
        continue;

      if (bounds.origin.y < height && bounds.origin.y + bounds.size.height > 0)
        {
          /* Its first paragraph, to begin with */
          g_autofree char *first = g_strndup (cria_chat_message_get_content (message),
                                              strcspn (cria_chat_message_get_content (message), "\n"));

          if (!g_str_has_prefix (text, first))
            return FALSE;
          n_seen++;
        }
    }

  return n_seen > 0;
}

/* In a long chat, a finished reply's text is shown once its row comes
 * near the visible part of the list: the rows made out of sight cost
 * nothing until then, and those scrolled to show theirs */
static void
test_long_chat_text_when_seen (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GListStore) store = g_list_store_new (CRIA_TYPE_CHAT_MESSAGE);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkAdjustment *vadjustment;
  GtkWidget *list_view;
  guint n_far = 0;

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *text = g_strdup_printf ("Reply %u, its first paragraph.\n\n"
                                               "And a second one, long enough to be wrapped "
                                               "on a line or two of the row's width.", i);
      g_autoptr(CriaChatMessage) reply = cria_chat_message_new (CRIA_MESSAGE_ROLE_ASSISTANT, text);

      cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_COMPLETE);
      g_list_store_append (store, reply);
    }

  g_signal_connect (factory, "setup", G_CALLBACK (setup_deferring_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_deferring_row_cb), NULL);
  list_view = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (store)))),
                                 factory);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list_view);
  vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  g_object_add_weak_pointer (G_OBJECT (f->row), (gpointer *) &f->row);
  gtk_window_set_child (f->window, scroller);

  /* The rows in view show their text, many others none yet */
  cria_test_wait_until (rows_in_view_show_text (list_view, &n_far) && n_far >= 10);

  /* Scrolled to the end, or back to the start, the rows there show theirs */
  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_upper (vadjustment));
  cria_test_wait_until (gtk_adjustment_get_value (vadjustment) + gtk_adjustment_get_page_size (vadjustment) >=
                          gtk_adjustment_get_upper (vadjustment) - 1 &&
                        rows_in_view_show_text (list_view, &n_far) && n_far >= 10);

  gtk_adjustment_set_value (vadjustment, 0);
  cria_test_wait_until (gtk_adjustment_get_value (vadjustment) == 0 &&
                        rows_in_view_show_text (list_view, &n_far));

  /* (The fixture's row went; one of the list's goes with the window) */
  f->row = CRIA_MESSAGE_ROW (gtk_widget_get_first_child (gtk_widget_get_first_child (list_view)));
}

/* A text replaced by a shorter one is shown again from the start, and a
 * row bound to another message starts empty */
static void
test_long_reply_replaced (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CriaChatMessage) reply = new_reply ();
  g_autoptr(CriaChatMessage) other = new_reply ();
  g_autoptr(GString) text = g_string_new (NULL);
  GtkWidget *view = GTK_WIDGET (_cria_message_row_get_content_view (f->row));
  g_autofree char *rendered = NULL;
  g_autofree char *rendered_longer = NULL;

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *line = long_reply_line (i);

      g_string_append (text, line);
    }
  rendered = dup_rendered (text->str);

  /* Shown whole when bound */
  cria_chat_message_set_content (reply, text->str);
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_COMPLETE);
  cria_message_row_set_message (f->row, reply);
  g_assert_cmpuint (count_children (view), >, 10);
  g_assert_true (content_equals (f->row, rendered));

  /* Replaced by something shorter */
  cria_message_row_set_message (f->row, NULL);
  cria_message_row_set_message (f->row, other);
  cria_chat_message_set_content (other, text->str);
  cria_test_wait_until (content_equals (f->row, rendered));
  cria_chat_message_set_content (other, "Short now.");
  cria_test_wait_until (content_equals (f->row, "Short now."));
  g_assert_cmpuint (count_children (view), ==, 1);

  /* …and longer again */
  cria_chat_message_append_content (other, "\n\n");
  cria_chat_message_append_content (other, text->str);
  rendered_longer = dup_rendered (cria_chat_message_get_content (other));
  cria_test_wait_until (content_equals (f->row, rendered_longer));
  g_assert_cmpuint (count_children (view), >, 10);

  /* Bound to nothing, empty and hidden; then the text of another */
  cria_message_row_set_message (f->row, NULL);
  g_assert_cmpuint (count_children (view), ==, 0);
  g_assert_false (gtk_widget_is_visible (view));

  cria_message_row_set_message (f->row, reply);
  g_assert_true (content_equals (f->row, rendered));
  g_assert_true (gtk_widget_is_visible (view));
}

static void
test_long_thinking_in_segments (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(CriaChatMessage) reply = new_reply ();
  g_autoptr(GString) expected = g_string_new (NULL);
  GtkBox *box = _cria_message_row_get_thinking_box (f->row);
  g_autofree char *shown = NULL;
  GtkWidget *second;

  cria_message_row_set_message (f->row, reply);

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *line = long_reply_line (i);

      cria_chat_message_append_thinking (reply, line);
      g_string_append (expected, line);
    }

  cria_test_wait_until (segments_equal (box, expected->str));
  g_assert_cmpuint (count_children (GTK_WIDGET (box)), >, 1);
  shown = _cria_message_row_dup_thinking_text (f->row);
  g_assert_cmpstr (shown, ==, expected->str);

  second = gtk_widget_get_next_sibling (gtk_widget_get_first_child (GTK_WIDGET (box)));
  gtk_test_accessible_assert_property (second, GTK_ACCESSIBLE_PROPERTY_LABEL, "Thinking, continued");
  g_assert_true (gtk_widget_has_css_class (second, "thinking-text"));

  cria_message_row_set_message (f->row, NULL);
  g_assert_cmpuint (count_children (GTK_WIDGET (box)), ==, 1);
  g_assert_true (cria_ui_test_buffer_equals (_cria_message_row_get_thinking_view (f->row), ""));
}

int
main (int   argc,
      char *argv[])
{
  CRIA_UI_TEST_INIT_OR_SKIP (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/cria/message-row/streams-by-appending", test_streams_by_appending);
  ADD ("/cria/message-row/complete-shows-metrics", test_complete_shows_metrics);
  ADD ("/cria/message-row/incomplete-keeps-text", test_incomplete_keeps_text);
  ADD ("/cria/message-row/stopped", test_stopped);
  ADD ("/cria/message-row/error", test_error);
  ADD ("/cria/message-row/thinking", test_thinking);
  ADD ("/cria/message-row/thinking-user-choice", test_thinking_user_choice);
  ADD ("/cria/message-row/recycle", test_recycle);
  ADD ("/cria/message-row/tool-calls", test_tool_calls);
  ADD ("/cria/message-row/user-plain-text", test_user_plain_text);
  ADD ("/cria/message-row/long-reply-in-blocks", test_long_reply_in_blocks);
  ADD ("/cria/message-row/long-reply-replaced", test_long_reply_replaced);
  ADD ("/cria/message-row/long-chat-text-when-seen", test_long_chat_text_when_seen);
  ADD ("/cria/message-row/long-thinking-in-segments", test_long_thinking_in_segments);

#undef ADD

  return g_test_run ();
}
