/* test-message-actions.c: copy, edit and resend, regenerate, delete
 *
 * The real window against the Ollama simulator: the actions of each
 * message row, driven as the user does, and what reaches the server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include <adwaita.h>
#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "cria-application.h"
#include "cria-message-row.h"
#include "cria-message-row-private.h"
#include "cria-settings.h"
#include "cria-test-server.h"
#include "cria-window.h"
#include "cria-window-private.h"
#include "ui-test-utils.h"

typedef struct
{
  CriaTestServer  *server;
  char            *url;
  CriaApplication *app;
  CriaWindow      *window;
} Fixture;

static const char * const completion[] = { "completion", NULL };

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSettings) settings = cria_ui_test_reset_settings ();

  f->server = cria_test_server_new ();
  cria_test_server_clear_models (f->server);
  cria_test_server_add_model (f->server, "llama3.2:latest", completion);
  f->url = cria_ui_test_start_server (f->server);
  g_setenv ("OLLAMA_HOST", f->url, TRUE);

  f->app = cria_ui_test_start_app (&f->window);

  cria_ui_test_wait_for_chat (f->window);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cria_ui_test_tear_down (&f->app, &f->window, &f->server, &f->url);
}

/* Helpers --------------------------------------------------------------- */

static CriaChatSession *
get_session (Fixture *f)
{
  return cria_window_get_session (f->window);
}

static guint
n_messages (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (get_session (f)));
}

static CriaChatMessage *
get_message (Fixture *f,
             guint    position)
{
  g_autoptr(CriaChatMessage) message = g_list_model_get_item (G_LIST_MODEL (get_session (f)), position);

  return message; /* the session keeps it */
}

static gboolean
session_idle (Fixture *f)
{
  return !cria_chat_session_get_busy (get_session (f));
}

/* Sends @text with a reply of @reply, and waits for the reply */
static void
exchange (Fixture    *f,
          const char *text,
          const char *reply)
{
  CriaComposer *composer = cria_chat_page_get_composer (f->window->chat_page);
  guint n = n_messages (f);

  cria_test_server_set_reply (f->server, reply, NULL);
  cria_composer_set_text (composer, text);
  gtk_widget_activate_action (GTK_WIDGET (f->window->chat_page), "chat.send", NULL);
  cria_test_wait_until (n_messages (f) == n + 2 && session_idle (f));
  g_assert_cmpstr (cria_chat_message_get_content (get_message (f, n + 1)), ==, reply);
}

/* The user renamed the chat: no title request comes after a first reply,
 * and the last request the server saw is the conversation's */
static void
keep_title (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  CriaChatSession *session = get_session (f);

  cria_chat_store_rename_chat (cria_chat_session_get_store (session),
                               cria_chat_session_get_chat_id (session),
                               "Mine", &error);
  g_assert_no_error (error);
}

static CriaMessageRow *
find_row (Fixture         *f,
          CriaChatMessage *message)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  cria_ui_test_collect (GTK_WIDGET (f->window->chat_page), CRIA_TYPE_MESSAGE_ROW, rows);

  for (guint i = 0; i < rows->len; i++)
    {
      CriaMessageRow *row = g_ptr_array_index (rows, i);

      if (cria_message_row_get_message (row) == message)
        return row;
    }

  return NULL;
}

static CriaMessageRow *
wait_for_row (Fixture         *f,
              CriaChatMessage *message)
{
  cria_test_wait_until (find_row (f, message) != NULL);

  return find_row (f, message);
}

/* The contents of the user messages of the last chat request */
static char *
dup_last_request_texts (Fixture *f)
{
  g_autofree char *body = cria_test_server_dup_last_body (f->server, "/api/chat");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GString *texts = g_string_new (NULL);
  JsonArray *messages;

  g_assert_nonnull (body);
  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);

  messages = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = json_array_get_object_element (messages, i);

      g_string_append_printf (texts, "%s%s: %s", i > 0 ? " | " : "",
                              json_object_get_string_member (message, "role"),
                              json_object_get_string_member (message, "content"));
    }

  return g_string_free (texts, FALSE);
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

static char *
read_clipboard (GtkWidget *widget)
{
  ReadData data = { NULL, FALSE };

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, read_text_cb, &data);
  cria_test_wait_until (data.done);

  return data.text;
}

/* The button of @row for @action, as the user reaches it */
static GtkWidget *
find_button (CriaMessageRow *row,
             const char     *action)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  cria_ui_test_collect (GTK_WIDGET (row), GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), action) == 0 &&
          gtk_widget_is_visible (button))
        return button;
    }

  return NULL;
}

/* Tests ----------------------------------------------------------------- */

static void
test_copy (Fixture       *f,
           gconstpointer  data)
{
  const char *reply = "Use `ls -la`:\n\n```sh\nls -la\n```";
  CriaMessageRow *row;
  GtkWidget *button;
  g_autofree char *copied = NULL;
  g_autofree char *copied_question = NULL;

  exchange (f, "How do I list files?", reply);

  /* The reply's Copy: its text as written, Markdown and all */
  row = wait_for_row (f, get_message (f, 1));
  button = find_button (row, "message.copy");
  g_assert_nonnull (button);
  gtk_test_accessible_assert_property (button, GTK_ACCESSIBLE_PROPERTY_LABEL, "Copy Reply");
  g_assert_true (gtk_widget_get_focusable (button) || gtk_widget_get_can_focus (button));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "message.copy", NULL));
  copied = read_clipboard (GTK_WIDGET (row));
  g_assert_cmpstr (copied, ==, reply);

  /* The question's */
  row = wait_for_row (f, get_message (f, 0));
  gtk_test_accessible_assert_property (find_button (row, "message.copy"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Copy Message");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "message.copy", NULL));
  copied_question = read_clipboard (GTK_WIDGET (row));
  g_assert_cmpstr (copied_question, ==, "How do I list files?");
}

static void
test_edit_and_resend (Fixture       *f,
                      gconstpointer  data)
{
  CriaChatMessage *question;
  CriaMessageRow *row;
  GtkTextView *editor;
  g_autofree char *editing = NULL;
  g_autofree char *texts = NULL;

  exchange (f, "What is a llama?", "An animal.");
  keep_title (f);
  exchange (f, "And an alpaca?", "A smaller cousin.");
  g_assert_cmpuint (n_messages (f), ==, 4);

  /* Edit the first question: the editor shows its text, clearly editing */
  question = get_message (f, 0);
  row = wait_for_row (f, question);
  gtk_test_accessible_assert_property (find_button (row, "message.edit"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Edit Message");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "message.edit", NULL));
  g_assert_true (gtk_widget_get_visible (_cria_message_row_get_user_editor (row)));
  editor = _cria_message_row_get_editor_view (row);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (editor)));
  editing = cria_ui_test_dup_buffer_text (editor);
  g_assert_cmpstr (editing, ==, "What is a llama?");

  /* Escape: nothing changes */
  g_assert_true (cria_ui_test_press_key (GTK_WIDGET (editor), GDK_KEY_Escape, 0));
  g_assert_false (gtk_widget_get_visible (_cria_message_row_get_user_editor (row)));
  g_assert_cmpuint (n_messages (f), ==, 4);
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/chat"), ==, 3);

  /* Again, and Enter sends the new text */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "message.edit", NULL));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (editor), "What is a vicuña?", -1);
  cria_test_server_set_reply (f->server, "A wild relative.", NULL);
  g_assert_true (cria_ui_test_press_key (GTK_WIDGET (editor), GDK_KEY_Return, 0));

  /* Everything after it is replaced (the rows with it) */
  cria_test_wait_until (session_idle (f) &&
                        cria_test_server_get_request_count (f->server, "/api/chat") == 4);
  cria_test_wait_until (session_idle (f) && n_messages (f) == 2 &&
                        cria_chat_message_get_state (get_message (f, 1)) == CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_cmpstr (cria_chat_message_get_content (get_message (f, 0)), ==, "What is a vicuña?");
  g_assert_cmpstr (cria_chat_message_get_content (get_message (f, 1)), ==, "A wild relative.");

  texts = dup_last_request_texts (f);
  g_assert_cmpstr (texts, ==, "user: What is a vicuña?");

  row = wait_for_row (f, get_message (f, 0));
  g_assert_cmpstr (gtk_label_get_text (_cria_message_row_get_user_label (row)), ==, "What is a vicuña?");
  g_assert_false (gtk_widget_get_visible (_cria_message_row_get_user_editor (row)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_cria_message_row_get_user_label (row))));
}

static void
test_regenerate (Fixture       *f,
                 gconstpointer  data)
{
  CriaMessageRow *first_reply_row;
  CriaMessageRow *row;
  g_autofree char *texts = NULL;

  exchange (f, "Name a colour.", "Red.");
  keep_title (f);
  exchange (f, "Another one.", "Blue.");

  /* Only the last reply offers it */
  first_reply_row = wait_for_row (f, get_message (f, 1));
  g_assert_false (gtk_widget_get_visible (_cria_message_row_get_regenerate_button (first_reply_row)));
  row = wait_for_row (f, get_message (f, 3));
  g_assert_true (gtk_widget_get_visible (_cria_message_row_get_regenerate_button (row)));
  gtk_test_accessible_assert_property (_cria_message_row_get_regenerate_button (row),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Regenerate Reply");

  cria_test_server_set_reply (f->server, "Green.", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "message.regenerate", NULL));

  /* The same history is asked again, and the new reply takes the old one's place */
  cria_test_wait_until (cria_test_server_get_request_count (f->server, "/api/chat") == 4);
  cria_test_wait_until (session_idle (f) &&
                        cria_chat_message_get_state (get_message (f, 3)) == CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_cmpuint (n_messages (f), ==, 4);
  g_assert_cmpstr (cria_chat_message_get_content (get_message (f, 3)), ==, "Green.");
  texts = dup_last_request_texts (f);
  g_assert_cmpstr (texts, ==, "user: Name a colour. | assistant: Red. | user: Another one.");

  /* Still only on the last reply */
  row = wait_for_row (f, get_message (f, 3));
  cria_test_wait_until (gtk_widget_get_visible (_cria_message_row_get_regenerate_button (row)));
  g_assert_false (gtk_widget_get_visible (_cria_message_row_get_regenerate_button (find_row (f, get_message (f, 1)))));
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CriaChatMessage) question = NULL;
  AdwMessageDialog *dialog;
  CriaMessageRow *row;
  g_autofree char *texts = NULL;

  exchange (f, "Keep this.", "Kept.");
  keep_title (f);
  exchange (f, "Forget this.", "Forgotten.");

  question = g_object_ref (get_message (f, 2));
  row = wait_for_row (f, question);
  gtk_test_accessible_assert_property (find_button (row, "message.delete"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Delete Message");

  /* Asked first: Cancel keeps it */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "message.delete", NULL));
  cria_test_wait_until ((dialog = cria_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  cria_ui_test_click_button (GTK_WIDGET (dialog), "_Cancel");
  cria_test_wait_until (cria_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG) == NULL);
  g_assert_cmpuint (n_messages (f), ==, 4);

  /* Delete removes it */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (row), "message.delete", NULL));
  cria_test_wait_until ((dialog = cria_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  cria_ui_test_click_button (GTK_WIDGET (dialog), "_Delete");
  cria_test_wait_until (n_messages (f) == 3);
  g_assert_true (get_message (f, 2) != question);
  g_assert_cmpstr (cria_chat_message_get_content (get_message (f, 2)), ==, "Forgotten.");
  cria_test_wait_until (find_row (f, question) == NULL);

  /* The model no longer sees it */
  exchange (f, "What is left?", "Little.");
  texts = dup_last_request_texts (f);
  g_assert_cmpstr (texts, ==, "user: Keep this. | assistant: Kept. | assistant: Forgotten. | user: What is left?");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_dir = cria_ui_test_isolate_data_dir ();
  int status;

  CRIA_UI_TEST_INIT_OR_SKIP (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/cria/message-actions/copy", test_copy);
  ADD ("/cria/message-actions/edit-and-resend", test_edit_and_resend);
  ADD ("/cria/message-actions/regenerate", test_regenerate);
  ADD ("/cria/message-actions/delete", test_delete);

#undef ADD

  status = g_test_run ();
  cria_ui_test_remove_tree (data_dir);

  return status;
}
