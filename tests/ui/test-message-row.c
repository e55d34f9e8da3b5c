/* test-message-row.c: a reply streams into its row, and rows recycle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <gtk/gtk.h>

#include "cria-core.h"
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

static void
test_streams_by_appending (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(CriaChatMessage) reply = new_reply ();
  GtkTextView *view = _cria_message_row_get_content_view (f->row);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  g_autoptr(GString) expected = g_string_new (NULL);
  guint n_changes = 0;

  cria_message_row_set_message (f->row, reply);
  g_signal_connect (buffer, "changed", G_CALLBACK (count_changes_cb), &n_changes);

  /* Many tokens within one frame make one update, not one each */
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *token = g_strdup_printf ("tok%u ", i);

      cria_chat_message_append_content (reply, token);
      g_string_append (expected, token);
    }

  g_assert_cmpuint (n_changes, ==, 0);
  cria_test_wait_until (cria_ui_test_buffer_equals (view, expected->str));
  g_assert_cmpuint (n_changes, <=, 2);

  /* Later tokens are appended to what is shown */
  cria_chat_message_append_content (reply, "é€😀");
  g_string_append (expected, "é€😀");
  cria_test_wait_until (cria_ui_test_buffer_equals (view, expected->str));

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (view)));
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
  g_assert_true (cria_ui_test_buffer_equals (_cria_message_row_get_content_view (f->row), "Hi!"));
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

  g_assert_true (cria_ui_test_buffer_equals (_cria_message_row_get_content_view (f->row), "Half a rep"));
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

  g_assert_true (cria_ui_test_buffer_equals (_cria_message_row_get_content_view (f->row), "Once upon"));
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
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_cria_message_row_get_content_view (f->row))));
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
  cria_test_wait_until (cria_ui_test_buffer_equals (_cria_message_row_get_content_view (f->row), "4"));
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
  GtkTextView *view = _cria_message_row_get_content_view (f->row);

  cria_message_row_set_message (f->row, first);
  cria_chat_message_append_thinking (first, "Easy.");
  cria_chat_message_append_content (first, "First reply");
  cria_chat_message_set_state (first, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_true (cria_ui_test_buffer_equals (view, "First reply"));

  /* Bound to another message, nothing of the first one stays… */
  cria_message_row_set_message (f->row, question);
  g_assert_true (cria_ui_test_buffer_equals (view, ""));
  g_assert_true (cria_ui_test_buffer_equals (_cria_message_row_get_thinking_view (f->row), ""));
  g_assert_cmpstr (gtk_label_get_text (_cria_message_row_get_user_label (f->row)), ==, "What is 2 + 2?");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->row), "user"));

  /* …and the first one no longer reaches the row */
  cria_chat_message_append_content (first, " more");
  cria_test_run_for (50);
  g_assert_true (cria_ui_test_buffer_equals (view, ""));

  cria_message_row_set_message (f->row, first);
  g_assert_true (cria_ui_test_buffer_equals (view, "First reply more"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->row), "assistant"));
  g_assert_false (gtk_expander_get_expanded (_cria_message_row_get_thinking_expander (f->row)));

  cria_message_row_set_message (f->row, NULL);
  g_assert_null (cria_message_row_get_message (f->row));
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

#undef ADD

  return g_test_run ();
}
