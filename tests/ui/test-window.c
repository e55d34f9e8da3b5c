/* test-window.c: the real window against the Ollama simulator
 *
 * Each test starts the simulator on a free port, points $OLLAMA_HOST at it,
 * and runs a CriaApplication in-process: model selector, sending through
 * the composer, a streamed reply, Stop, errors in the stream, and the
 * offline page with its recovery.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "cria-application.h"
#include "cria-chat-list-private.h"
#include "cria-composer-private.h"
#include "cria-message-row.h"
#include "cria-markdown-view-private.h"
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
  GSettings       *settings;
} Fixture;

static const char * const completion[] = { "completion", NULL };
static const char * const thinking[] = { "completion", "thinking", NULL };

static void
start_app (Fixture *f)
{
  g_setenv ("OLLAMA_HOST", f->url, TRUE);

  f->app = cria_ui_test_start_app (&f->window);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->settings = cria_ui_test_reset_settings ();

  f->server = cria_test_server_new ();
  cria_test_server_clear_models (f->server);
  cria_test_server_add_model (f->server, "llama3.2:latest", completion);
  cria_test_server_add_model (f->server, "qwen3:8b", thinking);
  cria_test_server_add_model (f->server, "gemma3:4b", completion);
  f->url = cria_ui_test_start_server (f->server);

  /* Tests that need the app later (settings first) start it themselves */
  if (data == NULL)
    start_app (f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cria_ui_test_tear_down (&f->app, &f->window, &f->server, &f->url);
  g_clear_object (&f->settings);
}

/* Helpers --------------------------------------------------------------- */

static const char *
visible_page (Fixture *f)
{
  return gtk_stack_get_visible_child_name (f->window->stack);
}

static void
wait_for_chat (Fixture *f)
{
  cria_ui_test_wait_for_chat (f->window);
}

static CriaComposer *
get_composer (Fixture *f)
{
  return cria_chat_page_get_composer (f->window->chat_page);
}

static GtkTextView *
get_text_view (Fixture *f)
{
  return GTK_TEXT_VIEW (cria_composer_get_text_view (get_composer (f)));
}

static const char *
selected_model_name (Fixture *f)
{
  CriaModel *model = gtk_drop_down_get_selected_item (f->window->model_dropdown);

  return model ? cria_model_get_name (model) : NULL;
}

static guint
model_position (Fixture    *f,
                const char *name)
{
  GListModel *models = gtk_drop_down_get_model (f->window->model_dropdown);

  for (guint i = 0; i < g_list_model_get_n_items (models); i++)
    {
      g_autoptr(CriaModel) model = g_list_model_get_item (models, i);

      if (g_strcmp0 (cria_model_get_name (model), name) == 0)
        return i;
    }

  g_assert_not_reached ();
}

static CriaBackend *
get_backend (Fixture *f)
{
  GListModel *registry = G_LIST_MODEL (cria_application_get_registry (f->app));
  g_autoptr(CriaBackend) backend = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (registry), ==, 1);
  backend = g_list_model_get_item (registry, 0);

  return backend; /* the registry keeps it */
}

/* Types and sends with Enter, as the user does */
static void
type_and_send (Fixture    *f,
               const char *text)
{
  GtkTextView *text_view = get_text_view (f);

  gtk_widget_grab_focus (GTK_WIDGET (text_view));
  cria_composer_set_text (get_composer (f), text);
  g_assert_true (cria_ui_test_press_key (GTK_WIDGET (text_view), GDK_KEY_Return, 0));
}

static CriaChatMessage *
get_message (Fixture *f,
             guint    position)
{
  GListModel *session = G_LIST_MODEL (cria_window_get_session (f->window));
  g_autoptr(CriaChatMessage) message = g_list_model_get_item (session, position);

  return message; /* the session keeps it */
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

static gboolean
row_shows_content (Fixture         *f,
                   CriaChatMessage *message)
{
  CriaMessageRow *row = find_row (f, message);
  g_autoptr(GtkWidget) whole = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *expected = NULL;

  if (row == NULL)
    return FALSE;

  /* As the Markdown of the whole message shows */
  whole = g_object_ref_sink (cria_markdown_view_new ());
  cria_markdown_view_set_text (CRIA_MARKDOWN_VIEW (whole), cria_chat_message_get_content (message), -1);
  expected = _cria_markdown_view_dup_text (CRIA_MARKDOWN_VIEW (whole));
  shown = _cria_message_row_dup_content_text (row);

  return g_strcmp0 (shown, expected) == 0;
}

static const char *
row_status (Fixture         *f,
            CriaChatMessage *message)
{
  CriaMessageRow *row = find_row (f, message);

  g_assert_nonnull (row);

  return gtk_label_get_text (_cria_message_row_get_status_label (row));
}

static JsonObject *
parse_last_chat_body (Fixture *f)
{
  g_autofree char *body = cria_test_server_dup_last_body (f->server, "/api/chat");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (body);
  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gboolean
session_idle (Fixture *f)
{
  return !cria_chat_session_get_busy (cria_window_get_session (f->window));
}

/* Tests ----------------------------------------------------------------- */

static void
test_models_last_used (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *last_model = NULL;
  g_autofree char *last_backend = NULL;

  g_settings_set_string (f->settings, CRIA_SETTINGS_KEY_LAST_MODEL, "qwen3:8b");
  g_settings_set_string (f->settings, CRIA_SETTINGS_KEY_LAST_BACKEND, f->url);
  start_app (f);

  wait_for_chat (f);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (f->window->model_dropdown)), ==, 3);
  g_assert_cmpstr (selected_model_name (f), ==, "qwen3:8b");
  g_assert_cmpstr (cria_chat_session_get_model (cria_window_get_session (f->window)), ==, "qwen3:8b");
  g_assert_true (cria_chat_session_get_backend (cria_window_get_session (f->window)) == get_backend (f));

  /* The user's choice is what the session uses and what is remembered */
  gtk_drop_down_set_selected (f->window->model_dropdown, model_position (f, "gemma3:4b"));
  g_assert_cmpstr (cria_chat_session_get_model (cria_window_get_session (f->window)), ==, "gemma3:4b");

  last_model = g_settings_get_string (f->settings, CRIA_SETTINGS_KEY_LAST_MODEL);
  last_backend = g_settings_get_string (f->settings, CRIA_SETTINGS_KEY_LAST_BACKEND);
  g_assert_cmpstr (last_model, ==, "gemma3:4b");
  g_assert_cmpstr (last_backend, ==, cria_backend_get_base_url (get_backend (f)));
}

static void
test_models_first (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *last_model = NULL;

  g_settings_set_string (f->settings, CRIA_SETTINGS_KEY_LAST_MODEL, "gone:latest");
  start_app (f);

  wait_for_chat (f);
  g_assert_cmpuint (gtk_drop_down_get_selected (f->window->model_dropdown), ==, 0);
  g_assert_cmpstr (cria_chat_session_get_model (cria_window_get_session (f->window)), ==,
                   selected_model_name (f));

  /* Falling back is not a choice of the user's: the setting stays */
  last_model = g_settings_get_string (f->settings, CRIA_SETTINGS_KEY_LAST_MODEL);
  g_assert_cmpstr (last_model, ==, "gone:latest");
}

static void
test_send (Fixture       *f,
           gconstpointer  data)
{
  const char *reply_text = "Hello! How can I help you today?";
  g_autoptr(JsonObject) body = NULL;
  JsonArray *messages;
  CriaChatMessage *question;
  CriaChatMessage *reply;

  wait_for_chat (f);
  cria_test_server_set_reply (f->server, reply_text, NULL);

  type_and_send (f, "Hello");

  /* The composer is cleared and keeps the keyboard */
  g_assert_true (cria_composer_get_empty (get_composer (f)));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (get_text_view (f))));

  cria_test_wait_until (session_idle (f));

  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/chat"), ==, 1);
  body = parse_last_chat_body (f);
  messages = json_object_get_array_member (body, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "content"),
                   ==, "Hello");
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, selected_model_name (f));

  question = get_message (f, 0);
  reply = get_message (f, 1);
  g_assert_cmpint (cria_chat_message_get_role (question), ==, CRIA_MESSAGE_ROLE_USER);
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_cmpstr (cria_chat_message_get_content (reply), ==, reply_text);

  cria_test_wait_until (row_shows_content (f, reply));
  cria_test_wait_until (find_row (f, question) != NULL);
  g_assert_cmpstr (gtk_label_get_text (_cria_message_row_get_user_label (find_row (f, question))), ==, "Hello");
}

static void
test_shift_enter (Fixture       *f,
                  gconstpointer  data)
{
  GtkTextView *text_view = get_text_view (f);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  GtkTextIter end;

  wait_for_chat (f);

  gtk_widget_grab_focus (GTK_WIDGET (text_view));
  cria_composer_set_text (get_composer (f), "First line");
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);

  cria_ui_test_press_key (GTK_WIDGET (text_view), GDK_KEY_Return, GDK_SHIFT_MASK);
  g_assert_true (cria_ui_test_buffer_equals (text_view, "First line\n"));

  cria_test_run_for (100);
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/chat"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (cria_window_get_session (f->window))), ==, 0);

  /* Enter on blank text sends nothing */
  cria_composer_set_text (get_composer (f), "  \n ");
  g_assert_true (cria_ui_test_press_key (GTK_WIDGET (text_view), GDK_KEY_Return, 0));
  cria_test_run_for (100);
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/chat"), ==, 0);
}

static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  CriaTestFaults faults = { 0 };
  CriaComposer *composer;
  GtkWidget *stop_button;
  GtkWidget *send_button;
  CriaChatMessage *reply;

  wait_for_chat (f);
  composer = get_composer (f);
  stop_button = _cria_composer_get_stop_button (composer);
  send_button = _cria_composer_get_send_button (composer);

  faults.inter_token_delay_ms = 30;
  cria_test_server_set_faults (f->server, &faults);
  cria_test_server_set_generated_reply (f->server, 500);

  type_and_send (f, "Tell me a long story");
  reply = get_message (f, 1);

  /* Stop in the middle of the reply, once some of it is on screen */
  cria_test_wait_until (cria_chat_message_get_content_length (reply) > 10 && row_shows_content (f, reply));
  g_assert_true (gtk_widget_get_visible (stop_button));
  g_assert_false (gtk_widget_get_visible (send_button));
  gtk_widget_activate (stop_button);

  cria_test_wait_until (session_idle (f));
  cria_test_wait_until (cria_test_server_get_cancellations (f->server) == 1);
  cria_test_wait_until (cria_test_server_get_active_streams (f->server) == 0);

  /* The partial reply stays, marked as stopped */
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_INCOMPLETE);
  g_assert_cmpuint (cria_chat_message_get_content_length (reply), >, 10);
  g_assert_true (row_shows_content (f, reply));
  g_assert_cmpstr (row_status (f, reply), ==, "Stopped");

  /* The composer is usable again */
  g_assert_true (gtk_widget_get_visible (send_button));
  g_assert_false (gtk_widget_get_visible (stop_button));
  cria_composer_set_text (composer, "Another one");
  g_assert_true (gtk_widget_get_sensitive (send_button));
}

static void
test_stop_action (Fixture       *f,
                   gconstpointer  data)
{
  CriaTestFaults faults = { 0 };
  CriaChatMessage *reply;

  wait_for_chat (f);

  faults.inter_token_delay_ms = 30;
  cria_test_server_set_faults (f->server, &faults);
  cria_test_server_set_generated_reply (f->server, 500);

  type_and_send (f, "Count to a thousand");
  reply = get_message (f, 1);
  cria_test_wait_until (cria_chat_message_get_content_length (reply) > 0);

  /* What Escape is bound to */
  gtk_widget_activate_action (GTK_WIDGET (f->window->chat_page), "chat.stop", NULL);

  cria_test_wait_until (session_idle (f));
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_INCOMPLETE);
  cria_test_wait_until (cria_test_server_get_cancellations (f->server) == 1);
}

static void
test_error_mid_stream (Fixture       *f,
                       gconstpointer  data)
{
  CriaTestFaults faults = { 0 };
  CriaChatMessage *reply;
  CriaMessageRow *row;
  const char *status;

  wait_for_chat (f);

  faults.error_mid_stream_after = 3;
  cria_test_server_set_faults (f->server, &faults);
  cria_test_server_set_reply (f->server, "One two three four five six seven eight", NULL);

  type_and_send (f, "Count");
  cria_test_wait_until (session_idle (f));

  reply = get_message (f, 1);
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_INCOMPLETE);
  g_assert_cmpuint (cria_chat_message_get_content_length (reply), >, 0);
  cria_test_wait_until (row_shows_content (f, reply));

  row = find_row (f, reply);
  status = row_status (f, reply);
  g_assert_true (g_str_has_prefix (status, "Incomplete. Ollama reported an error: "));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_cria_message_row_get_status_label (row))));

  /* The composer is usable again */
  cria_composer_set_text (get_composer (f), "Again");
  g_assert_true (gtk_widget_get_sensitive (_cria_composer_get_send_button (get_composer (f))));
}

static void
test_model_not_found (Fixture       *f,
                      gconstpointer  data)
{
  CriaChatMessage *reply;
  CriaMessageRow *row;
  GtkWidget *status_box;

  wait_for_chat (f);

  /* Removed on the server since the list was read */
  cria_chat_session_set_model (cria_window_get_session (f->window), "removed:latest");
  type_and_send (f, "Hello?");
  cria_test_wait_until (session_idle (f));

  reply = get_message (f, 1);
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_ERROR);
  cria_test_wait_until (find_row (f, reply) != NULL);

  row = find_row (f, reply);
  g_assert_cmpstr (row_status (f, reply), ==, "The model “removed:latest” is not installed on this server.");
  status_box = gtk_widget_get_parent (GTK_WIDGET (_cria_message_row_get_status_label (row)));
  g_assert_true (gtk_widget_has_css_class (status_box, "error"));
}

static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  CriaTestFaults faults = { 0 };
  CriaChatMessage *reply;

  wait_for_chat (f);

  faults.truncate_after = 3;
  cria_test_server_set_faults (f->server, &faults);
  cria_test_server_set_reply (f->server, "One two three four five six seven eight", NULL);

  type_and_send (f, "Count");
  cria_test_wait_until (session_idle (f));

  reply = get_message (f, 1);
  cria_test_wait_until (find_row (f, reply) != NULL);
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_INCOMPLETE);
  g_assert_cmpstr (row_status (f, reply), ==,
                   "Incomplete. Ollama stopped answering in the middle of the reply.");
  g_assert_true (row_shows_content (f, reply));
}

static void
test_thinking (Fixture       *f,
               gconstpointer  data)
{
  CriaTestFaults faults = { 0 };
  CriaChatMessage *reply;
  CriaMessageRow *row;
  GtkExpander *expander;

  g_settings_set_string (f->settings, CRIA_SETTINGS_KEY_LAST_MODEL, "qwen3:8b");
  start_app (f);
  wait_for_chat (f);

  faults.inter_token_delay_ms = 20;
  cria_test_server_set_faults (f->server, &faults);
  cria_test_server_set_reply (f->server,
                              "The answer is four.",
                              "The user asks for two plus two. Two plus two is four, so I answer four.");

  type_and_send (f, "What is 2 + 2?");
  reply = get_message (f, 1);

  /* The thinking text streams into its own section, open meanwhile */
  cria_test_wait_until (cria_chat_message_get_thinking_length (reply) > 0 && find_row (f, reply) != NULL);
  row = find_row (f, reply);
  expander = _cria_message_row_get_thinking_expander (row);
  cria_test_wait_until (gtk_widget_get_visible (GTK_WIDGET (expander)));
  if (cria_chat_message_get_content_length (reply) == 0)
    g_assert_true (gtk_expander_get_expanded (expander));

  cria_test_wait_until (session_idle (f));
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_cmpstr (cria_chat_message_get_thinking (reply), ==,
                   "The user asks for two plus two. Two plus two is four, so I answer four.");
  g_assert_true (cria_ui_test_buffer_equals (_cria_message_row_get_thinking_view (row),
                                             cria_chat_message_get_thinking (reply)));
  g_assert_true (row_shows_content (f, reply));
  g_assert_cmpstr (cria_chat_message_get_content (reply), ==, "The answer is four.");

  /* Closed by itself once the answer came */
  g_assert_false (gtk_expander_get_expanded (expander));
}

static void
test_offline_and_back (Fixture       *f,
                       gconstpointer  data)
{
  CriaBackend *backend;
  guint port;
  g_autoptr(GError) error = NULL;
  const char *description;
  const char *retry;

  wait_for_chat (f);
  backend = get_backend (f);
  cria_backend_set_probe_intervals (backend, 100, 400);
  port = cria_test_server_get_port (f->server);

  /* The server goes away: the next probe notices */
  cria_test_server_stop (f->server);
  cria_backend_probe_now (backend);
  cria_test_wait_until (g_strcmp0 (visible_page (f), "offline") == 0);

  description = adw_status_page_get_description (f->window->offline_page);
  g_assert_nonnull (strstr (description, cria_backend_get_base_url (backend)));
  g_assert_nonnull (strstr (description, "ollama serve"));
  g_assert_cmpstr (adw_status_page_get_title (f->window->offline_page), ==, "Can’t Reach Ollama");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->window->offline_error_label)));
  retry = gtk_label_get_text (f->window->offline_retry_label);
  g_assert_true (g_str_has_prefix (retry, "Trying again"));

  /* Back on the same port: the window recovers by itself */
  g_assert_true (cria_test_server_start (f->server, port, &error));
  g_assert_no_error (error);
  cria_test_wait_until (g_strcmp0 (visible_page (f), "chat") == 0);
  g_assert_nonnull (selected_model_name (f));
  cria_test_wait_until (cria_chat_session_can_send (cria_window_get_session (f->window)));
}

static void
test_offline_at_start (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint port = cria_test_server_get_port (f->server);

  /* Nothing listens yet */
  cria_test_server_stop (f->server);
  start_app (f);
  cria_backend_set_probe_intervals (get_backend (f), 100, 400);

  cria_test_wait_until (g_strcmp0 (visible_page (f), "offline") == 0);
  cria_test_wait_until (g_str_has_prefix (gtk_label_get_text (f->window->offline_retry_label), "Trying again in"));

  g_assert_true (cria_test_server_start (f->server, port, &error));
  g_assert_no_error (error);
  wait_for_chat (f);
}

static void
test_no_models (Fixture       *f,
                gconstpointer  data)
{
  cria_test_server_clear_models (f->server);
  start_app (f);

  cria_test_wait_until (g_strcmp0 (visible_page (f), "no-models") == 0);
  g_assert_nonnull (strstr (adw_status_page_get_description (f->window->no_models_page), "ollama pull"));

  /* A model pulled meanwhile shows up on Refresh */
  cria_test_server_add_model (f->server, "llama3.2:latest", completion);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.refresh", NULL);
  wait_for_chat (f);
  g_assert_cmpstr (selected_model_name (f), ==, "llama3.2:latest");
}

static void
test_accessible (Fixture       *f,
                 gconstpointer  data)
{
  CriaComposer *composer;

  wait_for_chat (f);
  composer = get_composer (f);

  gtk_test_accessible_assert_property (cria_composer_get_text_view (composer),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Message");
  gtk_test_accessible_assert_property (_cria_composer_get_send_button (composer),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Send");
  gtk_test_accessible_assert_property (_cria_composer_get_stop_button (composer),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Stop");
  gtk_test_accessible_assert_property (f->window->model_dropdown,
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Model");
  gtk_test_accessible_assert_property (_cria_chat_list_get_new_chat_button (f->window->chat_list),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "New Chat");
  gtk_test_accessible_assert_property (_cria_chat_list_get_search_button (f->window->chat_list),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Search Chats");
  gtk_test_accessible_assert_property (_cria_chat_list_get_search_entry (f->window->chat_list),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Search Chats");
  gtk_test_accessible_assert_property (_cria_chat_list_get_list_view (f->window->chat_list),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Chats");
  gtk_test_accessible_assert_property (f->window->sidebar_button,
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Show Chats");
  gtk_test_accessible_assert_property (f->window->primary_menu_button,
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Main Menu");
}

/* Ctrl+? and the main menu's Keyboard Shortcuts show the shortcuts
 * window, made only then, over the main window; closing it keeps it for
 * the next time */
static void
test_shortcuts_window (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(GStrv) accels = NULL;
  GtkWindow *shortcuts;

  wait_for_chat (f);
  g_assert_null (f->window->shortcuts_window);

  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (f->app), "win.show-help-overlay");
  g_assert_cmpstrv (accels, ((const char * const[]) { "<Control>question", NULL }));

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "shortcuts", NULL);
  shortcuts = f->window->shortcuts_window;
  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (shortcuts));
  g_assert_true (gtk_window_get_transient_for (shortcuts) == GTK_WINDOW (f->window));
  cria_test_wait_until (gtk_widget_get_mapped (GTK_WIDGET (shortcuts)));

  gtk_window_close (shortcuts);
  cria_test_wait_until (!gtk_widget_get_visible (GTK_WIDGET (shortcuts)));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-help-overlay", NULL);
  g_assert_true (f->window->shortcuts_window == shortcuts);
  cria_test_wait_until (gtk_widget_get_mapped (GTK_WIDGET (shortcuts)));
}

static void
test_window_size (Fixture       *f,
                  gconstpointer  data)
{
  int width, height;

  g_settings_set_int (f->settings, CRIA_SETTINGS_KEY_WINDOW_WIDTH, 700);
  g_settings_set_int (f->settings, CRIA_SETTINGS_KEY_WINDOW_HEIGHT, 500);
  g_settings_set_boolean (f->settings, CRIA_SETTINGS_KEY_WINDOW_MAXIMIZED, FALSE);
  start_app (f);

  gtk_window_get_default_size (GTK_WINDOW (f->window), &width, &height);
  g_assert_cmpint (width, ==, 700);
  g_assert_cmpint (height, ==, 500);

  /* Closing saves the size */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 640, 480);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  gtk_window_close (GTK_WINDOW (f->window));
  cria_test_wait_until (f->window == NULL);

  g_assert_cmpint (g_settings_get_int (f->settings, CRIA_SETTINGS_KEY_WINDOW_WIDTH), ==, 640);
  g_assert_cmpint (g_settings_get_int (f->settings, CRIA_SETTINGS_KEY_WINDOW_HEIGHT), ==, 480);

  g_settings_reset (f->settings, CRIA_SETTINGS_KEY_WINDOW_WIDTH);
  g_settings_reset (f->settings, CRIA_SETTINGS_KEY_WINDOW_HEIGHT);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_dir = cria_ui_test_isolate_data_dir ();
  int ret;

  CRIA_UI_TEST_INIT_OR_SKIP (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
#define ADD_LATE(path, func) \
  g_test_add (path, Fixture, "late", fixture_setup, func, fixture_teardown)

  ADD_LATE ("/cria/window/models/last-used", test_models_last_used);
  ADD_LATE ("/cria/window/models/first", test_models_first);
  ADD ("/cria/window/send", test_send);
  ADD ("/cria/window/shift-enter", test_shift_enter);
  ADD ("/cria/window/stop", test_stop);
  ADD ("/cria/window/stop-action", test_stop_action);
  ADD ("/cria/window/error-mid-stream", test_error_mid_stream);
  ADD ("/cria/window/model-not-found", test_model_not_found);
  ADD ("/cria/window/truncated", test_truncated);
  ADD_LATE ("/cria/window/thinking", test_thinking);
  ADD ("/cria/window/offline-and-back", test_offline_and_back);
  ADD_LATE ("/cria/window/offline-at-start", test_offline_at_start);
  ADD_LATE ("/cria/window/no-models", test_no_models);
  ADD ("/cria/window/accessible", test_accessible);
  ADD ("/cria/window/shortcuts-window", test_shortcuts_window);
  ADD_LATE ("/cria/window/size", test_window_size);

#undef ADD
#undef ADD_LATE

  ret = g_test_run ();
  cria_ui_test_remove_tree (data_dir);

  return ret;
}
