/* test-chat-session.c: a conversation against the simulator
 *
 * The store tests keep their database in a temporary folder of their own
 * (G_TEST_OPTION_ISOLATE_DIRS would also hide the proxy settings schema
 * that libsoup's resolver loads).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "cria-chat-session-private.h"
#include "cria-core.h"
#include "cria-test-server.h"
#include "cria-test-utils.h"

typedef struct
{
  CriaTestServer  *server;
  SoupSession     *session;
  CriaBackend     *backend;
  CriaChatSession *chat;
  CriaChatStore   *store;
  char            *store_dir;
} Fixture;

static void
remove_folder (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      g_assert_cmpint (g_unlink (file), ==, 0);
    }
  g_assert_cmpint (g_rmdir (path), ==, 0);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(CriaClient) client = NULL;
  g_autofree char *url = NULL;

  fixture->server = cria_test_server_new ();
  cria_test_server_start (fixture->server, 0, &error);
  g_assert_no_error (error);

  url = cria_test_server_dup_url (fixture->server);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &error);
  fixture->session = soup_session_new_with_options ("timeout", 0, NULL);
  client = cria_client_new (fixture->session, uri);
  fixture->backend = cria_backend_new (client, CRIA_BACKEND_ORIGIN_CONFIGURED);

  fixture->chat = cria_chat_session_new ();
  cria_chat_session_set_backend (fixture->chat, fixture->backend);
  cria_chat_session_set_model (fixture->chat, "llama3.2");

  if (data != NULL)
    {
      g_autofree char *path = NULL;

      fixture->store_dir = g_dir_make_tmp ("cria-chat-session-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (fixture->store_dir, "cria.db", NULL);
      fixture->store = cria_chat_store_new (path);
      g_assert_true (cria_chat_store_open (fixture->store, &error));
      g_assert_no_error (error);
      cria_chat_session_set_store (fixture->chat, fixture->store, 0);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->chat);
  if (fixture->store != NULL)
    {
      cria_chat_store_close (fixture->store);
      g_assert_finalize_object (fixture->store);
      remove_folder (fixture->store_dir);
      g_clear_pointer (&fixture->store_dir, g_free);
    }
  g_assert_finalize_object (fixture->backend);
  soup_session_abort (fixture->session);
  g_clear_object (&fixture->session);
  cria_test_server_stop (fixture->server);
  g_clear_object (&fixture->server);
}

static gboolean
send_and_wait (Fixture     *fixture,
               const char  *text,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cria_chat_session_send_async (fixture->chat, text, NULL, NULL,
                                cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);

  return cria_chat_session_send_finish (fixture->chat, result, error);
}

static CriaChatMessage *
nth_message (Fixture *fixture,
             guint    position)
{
  CriaChatMessage *message = g_list_model_get_item (G_LIST_MODEL (fixture->chat), position);

  g_object_unref (message); /* the session keeps it */
  return message;
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
busy_changed_cb (CriaChatSession *chat,
                 GParamSpec      *pspec,
                 GString         *log)
{
  g_string_append (log, cria_chat_session_get_busy (chat) ? "busy;" : "idle;");
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GPtrArray  *replies)
{
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(CriaChatMessage) message = g_list_model_get_item (model, position + i);

      if (cria_chat_message_get_role (message) == CRIA_MESSAGE_ROLE_ASSISTANT)
        g_ptr_array_add (replies, g_object_ref (message));
    }
}

static void
test_reply_streams (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) busy_log = g_string_new (NULL);
  g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func (g_object_unref);
  CriaChatMessage *reply;
  guint content_notifies = 0;

  g_signal_connect (fixture->chat, "notify::busy", G_CALLBACK (busy_changed_cb), busy_log);
  g_signal_connect (fixture->chat, "items-changed", G_CALLBACK (items_changed_cb), replies);

  cria_test_server_set_reply (fixture->server, "Hi! How can I help you today?", NULL);
  cria_chat_session_send_async (fixture->chat, "Hello", NULL, NULL, NULL, NULL);

  /* The user's message and the reply are in the list at once. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->chat)), ==, 2);
  g_assert_true (cria_chat_session_get_busy (fixture->chat));
  g_assert_false (cria_chat_session_can_send (fixture->chat));
  g_assert_cmpuint (replies->len, ==, 1);
  reply = g_ptr_array_index (replies, 0);
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_STREAMING);
  g_signal_connect (reply, "notify::content", G_CALLBACK (count_notify_cb), &content_notifies);

  cria_test_wait_until (!cria_chat_session_get_busy (fixture->chat));

  g_assert_cmpstr (cria_chat_message_get_content (nth_message (fixture, 0)), ==, "Hello");
  g_assert_cmpstr (cria_chat_message_get_content (reply), ==, "Hi! How can I help you today?");
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_cmpstr (cria_chat_message_get_model (reply), ==, "llama3.2");
  g_assert_nonnull (cria_chat_message_get_metrics (reply));
  g_assert_null (cria_chat_message_get_error (reply));
  /* It grew token by token, not all at once. */
  g_assert_cmpuint (content_notifies, >, 3);
  g_assert_cmpstr (busy_log->str, ==, "busy;idle;");

  /* The next request carries the whole conversation. */
  g_assert_true (send_and_wait (fixture, "And then?", &error));
  g_assert_no_error (error);
  {
    g_autofree char *body = cria_test_server_dup_last_body (fixture->server, "/api/chat");
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonArray *messages;

    json_parser_load_from_data (parser, body, -1, &error);
    g_assert_no_error (error);
    messages = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                             "messages");
    g_assert_cmpuint (json_array_get_length (messages), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 1), "role"),
                     ==, "assistant");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 2), "content"),
                     ==, "And then?");
  }
}

static void
test_thinking (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CriaChatMessage *reply;

  cria_chat_session_set_model (fixture->chat, "qwen3:0.6b");
  cria_chat_session_set_think (fixture->chat, CRIA_THINK_MODE_ON);
  cria_test_server_set_reply (fixture->server, "391", "Seventeen times twenty-three.");
  g_assert_true (send_and_wait (fixture, "17*23?", &error));

  reply = nth_message (fixture, 1);
  g_assert_cmpstr (cria_chat_message_get_thinking (reply), ==, "Seventeen times twenty-three.");
  g_assert_cmpstr (cria_chat_message_get_content (reply), ==, "391");

  {
    g_autofree char *body = cria_test_server_dup_last_body (fixture->server, "/api/chat");

    g_assert_nonnull (strstr (body, "\"think\":true"));
  }
}

static void
test_stop_keeps_partial (Fixture       *fixture,
                         gconstpointer  data)
{
  CriaTestFaults faults = { .inter_token_delay_ms = 40 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CriaChatMessage *reply;

  cria_test_server_set_generated_reply (fixture->server, 500);
  cria_test_server_set_faults (fixture->server, &faults);
  cria_chat_session_send_async (fixture->chat, "Tell me a long story", NULL, NULL,
                                cria_test_store_result_cb, &result);

  reply = nth_message (fixture, 1);
  cria_test_wait_until (cria_chat_message_get_content_length (reply) > 20);
  cria_chat_session_stop (fixture->chat);
  cria_test_wait_until (result != NULL);

  g_assert_false (cria_chat_session_send_finish (fixture->chat, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_INCOMPLETE);
  g_assert_cmpuint (cria_chat_message_get_content_length (reply), >, 20);
  g_assert_false (cria_chat_session_get_busy (fixture->chat));
  g_assert_true (cria_chat_session_can_send (fixture->chat));

  /* The server saw the request closed: it stops generating. */
  cria_test_wait_until (cria_test_server_get_cancellations (fixture->server) == 1);
}

static void
test_error_keeps_partial (Fixture       *fixture,
                          gconstpointer  data)
{
  CriaTestFaults faults = { .error_mid_stream_after = 2 };
  g_autoptr(GError) error = NULL;
  CriaChatMessage *reply;

  cria_test_server_set_reply (fixture->server, "one two three four", NULL);
  cria_test_server_set_faults (fixture->server, &faults);
  g_assert_false (send_and_wait (fixture, "Count", &error));
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_SERVER);

  reply = nth_message (fixture, 1);
  g_assert_cmpstr (cria_chat_message_get_content (reply), ==, "one two");
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_INCOMPLETE);
  g_assert_error (cria_chat_message_get_error (reply), CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_SERVER);

  /* The conversation goes on. */
  g_clear_error (&error);
  faults.error_mid_stream_after = 0;
  cria_test_server_set_faults (fixture->server, &faults);
  g_assert_true (send_and_wait (fixture, "Again", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->chat)), ==, 4);
}

static void
test_error_before_text (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) second = NULL;
  CriaChatMessage *reply;

  cria_chat_session_set_model (fixture->chat, "not-installed:1b");
  g_assert_false (send_and_wait (fixture, "Hello?", &error));
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND);

  reply = nth_message (fixture, 1);
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_ERROR);
  g_assert_cmpstr (cria_chat_message_get_content (reply), ==, "");

  /* A failed reply is not sent back to the model as history. */
  cria_chat_session_set_model (fixture->chat, "llama3.2");
  g_assert_true (send_and_wait (fixture, "Hello again", &second));
  {
    g_autofree char *body = cria_test_server_dup_last_body (fixture->server, "/api/chat");
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonArray *messages;

    json_parser_load_from_data (parser, body, -1, NULL);
    messages = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                             "messages");
    g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  }
}

static void
test_refuses_while_busy (Fixture       *fixture,
                         gconstpointer  data)
{
  CriaTestFaults faults = { .inter_token_delay_ms = 20 };
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;

  cria_test_server_set_generated_reply (fixture->server, 30);
  cria_test_server_set_faults (fixture->server, &faults);
  cria_chat_session_send_async (fixture->chat, "first", NULL, NULL, NULL, NULL);
  cria_chat_session_send_async (fixture->chat, "second", NULL, NULL,
                                cria_test_store_result_cb, &second);
  cria_test_wait_until (second != NULL);
  g_assert_false (cria_chat_session_send_finish (fixture->chat, second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->chat)), ==, 2);

  cria_test_wait_until (!cria_chat_session_get_busy (fixture->chat));
}

static void
test_clear (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (send_and_wait (fixture, "Hello", &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->chat)), ==, 2);
  cria_chat_session_clear (fixture->chat);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->chat)), ==, 0);
}

/* Store-bound sessions ---------------------------------------------------- */

static CriaChatSession *
reopen (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  CriaChatSession *session;

  session = cria_chat_session_new_for_chat (fixture->store,
                                            cria_chat_session_get_chat_id (fixture->chat),
                                            &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);

  return session;
}

static CriaChatMessage *
nth_of (CriaChatSession *session,
        guint            position)
{
  CriaChatMessage *message = g_list_model_get_item (G_LIST_MODEL (session), position);

  g_object_unref (message); /* the session keeps it */
  return message;
}

static gboolean
send_in (CriaChatSession  *session,
         const char       *text,
         GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cria_chat_session_send_async (session, text, NULL, NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);

  return cria_chat_session_send_finish (session, result, error);
}

static void
test_store_saves (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(CriaChatSession) again = NULL;
  g_autoptr(CriaChatSession) third = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *chats = cria_chat_store_get_chats (fixture->store);
  CriaChatInfo *info;
  guint n_chat_id = 0;

  g_signal_connect (fixture->chat, "notify::chat-id", G_CALLBACK (count_notify_cb), &n_chat_id);

  /* Nothing is stored before the first message */
  g_assert_cmpint (cria_chat_session_get_chat_id (fixture->chat), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (chats), ==, 0);
  g_assert_true (cria_chat_session_get_store (fixture->chat) == fixture->store);

  cria_test_server_queue_reply (fixture->server, "Hi there, friend.", NULL);
  cria_test_server_queue_reply (fixture->server, "Greeting a Friend", NULL);
  g_assert_true (send_and_wait (fixture, "  Hello, who are you?\nSecond line", &error));
  g_assert_no_error (error);

  g_assert_cmpint (cria_chat_session_get_chat_id (fixture->chat), >, 0);
  g_assert_cmpuint (n_chat_id, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (chats), ==, 1);

  /* The first message names the chat, which remembers its model */
  info = cria_chat_store_lookup_chat (fixture->store, cria_chat_session_get_chat_id (fixture->chat));
  g_assert_nonnull (info);
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Hello, who are you?");
  g_assert_cmpstr (cria_chat_info_get_model (info), ==, "llama3.2");
  g_assert_cmpstr (cria_chat_info_get_backend_url (info), ==,
                   cria_backend_get_base_url (fixture->backend));

  /* Then the model names it, after the first reply */
  cria_test_wait_until (g_strcmp0 (cria_chat_info_get_title (info), "Greeting a Friend") == 0);

  again = reopen (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 2);
  g_assert_cmpint (cria_chat_message_get_role (nth_of (again, 0)), ==, CRIA_MESSAGE_ROLE_USER);
  g_assert_cmpstr (cria_chat_message_get_content (nth_of (again, 0)), ==,
                   "  Hello, who are you?\nSecond line");
  g_assert_cmpint (cria_chat_message_get_role (nth_of (again, 1)), ==, CRIA_MESSAGE_ROLE_ASSISTANT);
  g_assert_cmpstr (cria_chat_message_get_content (nth_of (again, 1)), ==, "Hi there, friend.");
  g_assert_cmpint (cria_chat_message_get_state (nth_of (again, 1)), ==, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_cmpstr (cria_chat_session_get_model (again), ==, "llama3.2");
  g_assert_null (cria_chat_session_get_backend (again));
  g_assert_true (cria_chat_session_get_store (again) == fixture->store);

  /* The conversation goes on in the reopened session, in the same chat */
  cria_chat_session_set_backend (again, fixture->backend);
  g_assert_true (send_in (again, "And then?", &error));
  g_assert_no_error (error);

  third = reopen (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (third)), ==, 4);
  g_assert_cmpstr (cria_chat_message_get_content (nth_of (third, 2)), ==, "And then?");
  g_assert_cmpint (cria_chat_message_get_state (nth_of (third, 3)), ==, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_cmpuint (g_list_model_get_n_items (chats), ==, 1);

  /* Only the first reply asks for a title */
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Greeting a Friend");
  g_assert_cmpuint (cria_test_server_get_request_count (fixture->server, "/api/chat"), ==, 3);
}

static void
test_store_stopped_incomplete (Fixture       *fixture,
                               gconstpointer  data)
{
  CriaTestFaults faults = { .inter_token_delay_ms = 40 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CriaChatSession) again = NULL;
  CriaChatMessage *reply;

  cria_test_server_set_generated_reply (fixture->server, 500);
  cria_test_server_set_faults (fixture->server, &faults);
  cria_chat_session_send_async (fixture->chat, "Tell me a long story", NULL, NULL,
                                cria_test_store_result_cb, &result);

  reply = nth_message (fixture, 1);
  cria_test_wait_until (cria_chat_message_get_content_length (reply) > 20);
  cria_chat_session_stop (fixture->chat);
  cria_test_wait_until (result != NULL);
  g_assert_false (cria_chat_session_send_finish (fixture->chat, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  again = reopen (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 2);
  g_assert_cmpint (cria_chat_message_get_state (nth_of (again, 1)), ==, CRIA_MESSAGE_STATE_INCOMPLETE);
  g_assert_cmpstr (cria_chat_message_get_content (nth_of (again, 1)), ==,
                   cria_chat_message_get_content (reply));
}

static void
test_store_model_saved (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(CriaChatSession) again = NULL;
  g_autoptr(GError) error = NULL;
  CriaChatInfo *info;

  /* Before the chat exists there is nothing to save it to */
  cria_chat_session_set_model (fixture->chat, "qwen3:8b");
  cria_chat_session_set_model (fixture->chat, "llama3.2");
  g_assert_cmpuint (g_list_model_get_n_items (cria_chat_store_get_chats (fixture->store)), ==, 0);

  g_assert_true (send_and_wait (fixture, "Hello", &error));
  g_assert_no_error (error);
  info = cria_chat_store_lookup_chat (fixture->store, cria_chat_session_get_chat_id (fixture->chat));
  g_assert_cmpstr (cria_chat_info_get_model (info), ==, "llama3.2");

  cria_chat_session_set_model (fixture->chat, "gemma3:4b");
  g_assert_cmpstr (cria_chat_info_get_model (info), ==, "gemma3:4b");

  again = reopen (fixture);
  g_assert_cmpstr (cria_chat_session_get_model (again), ==, "gemma3:4b");

  /* Unbound, the session saves nothing */
  cria_chat_session_set_store (fixture->chat, NULL, 0);
  g_assert_cmpint (cria_chat_session_get_chat_id (fixture->chat), ==, 0);
  cria_chat_session_set_model (fixture->chat, "llama3.2");
  g_assert_cmpstr (cria_chat_info_get_model (info), ==, "gemma3:4b");
}

static void
test_store_missing_chat (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CriaChatSession) session = NULL;

  session = cria_chat_session_new_for_chat (fixture->store, 4242, &error);
  g_assert_null (session);
  g_assert_nonnull (error);
}


/* Requests and settings --------------------------------------------------- */

static JsonObject *
last_request (Fixture *fixture)
{
  g_autofree char *body = cria_test_server_dup_last_body (fixture->server, "/api/chat");
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (body);
  root = json_from_string (body, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_object_ref (json_node_get_object (root));
}

static JsonObject *
new_options (double temperature,
             gint64 num_ctx,
             gint64 seed)
{
  JsonObject *options = json_object_new ();

  json_object_set_double_member (options, "temperature", temperature);
  json_object_set_int_member (options, "num_ctx", num_ctx);
  json_object_set_int_member (options, "seed", seed);

  return options;
}

/* The request carries the settings: system prompt, options, think */
static void
assert_request_settings (Fixture    *fixture,
                         const char *system_prompt,
                         JsonObject *options,
                         const char *think)
{
  g_autoptr(JsonObject) request = last_request (fixture);
  JsonArray *messages = json_object_get_array_member (request, "messages");
  JsonObject *first = json_array_get_object_element (messages, 0);
  JsonNode *node;

  if (system_prompt != NULL)
    {
      g_assert_cmpstr (json_object_get_string_member (first, "role"), ==, "system");
      g_assert_cmpstr (json_object_get_string_member (first, "content"), ==, system_prompt);
    }
  else
    g_assert_cmpstr (json_object_get_string_member (first, "role"), ==, "user");

  node = json_object_get_member (request, "options");
  if (options != NULL)
    {
      g_assert_nonnull (node);
      g_assert_true (json_object_equal (json_node_get_object (node), options));
    }
  else
    g_assert_null (node);

  node = json_object_get_member (request, "think");
  if (think == NULL)
    g_assert_null (node);
  else
    g_assert_cmpint (json_node_get_boolean (node), ==, g_str_equal (think, "true"));
}

static void
test_settings_sent (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(JsonObject) options = new_options (0.25, 8192, 7);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) request = NULL;
  guint n_notifies = 0;

  /* Nothing set: the server's defaults */
  g_assert_true (send_and_wait (fixture, "Hello", &error));
  assert_request_settings (fixture, NULL, NULL, NULL);

  g_signal_connect (fixture->chat, "notify::system-prompt", G_CALLBACK (count_notify_cb), &n_notifies);
  g_signal_connect (fixture->chat, "notify::options", G_CALLBACK (count_notify_cb), &n_notifies);
  cria_chat_session_set_system_prompt (fixture->chat, "Answer like a pirate.");
  cria_chat_session_set_system_prompt (fixture->chat, "Answer like a pirate.");
  cria_chat_session_set_options (fixture->chat, options);
  cria_chat_session_set_options (fixture->chat, options);
  cria_chat_session_set_think (fixture->chat, CRIA_THINK_MODE_OFF);
  g_assert_cmpuint (n_notifies, ==, 2);
  g_assert_cmpstr (cria_chat_session_get_system_prompt (fixture->chat), ==, "Answer like a pirate.");
  g_assert_true (json_object_equal (cria_chat_session_get_options (fixture->chat), options));

  /* The options are copied: changing the caller's object changes nothing */
  json_object_set_int_member (options, "seed", 8);
  g_assert_cmpint (json_object_get_int_member (cria_chat_session_get_options (fixture->chat), "seed"),
                   ==, 7);
  json_object_set_int_member (options, "seed", 7);

  g_assert_true (send_and_wait (fixture, "And now?", &error));
  g_assert_no_error (error);
  assert_request_settings (fixture, "Answer like a pirate.", options, "false");

  /* The system prompt comes first, then the whole history */
  request = last_request (fixture);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (request, "messages")), ==, 4);

  /* Unset again */
  cria_chat_session_set_system_prompt (fixture->chat, "");
  cria_chat_session_set_options (fixture->chat, NULL);
  cria_chat_session_set_think (fixture->chat, CRIA_THINK_MODE_DEFAULT);
  g_assert_null (cria_chat_session_get_system_prompt (fixture->chat));
  g_assert_null (cria_chat_session_get_options (fixture->chat));
  g_assert_true (send_and_wait (fixture, "Plain", &error));
  assert_request_settings (fixture, NULL, NULL, NULL);
}

/* Waits until the title request (the /api/chat request number @n) is
 * over: the chat's title is then whatever it will stay. */
static void
wait_for_requests (Fixture *fixture,
                   guint    n)
{
  cria_test_wait_until (cria_test_server_get_request_count (fixture->server, "/api/chat") == n &&
                        cria_test_server_get_active_streams (fixture->server) == 0);
  /* The client's side of the request has ended too */
  cria_test_run_for (50);
}

static void
test_store_settings (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) options = new_options (0.5, 4096, 42);
  g_autoptr(JsonObject) changed = new_options (1.5, 2048, 1);
  g_autoptr(CriaChatSession) again = NULL;
  g_autoptr(GError) error = NULL;
  CriaChatInfo *info;

  /* Set before the chat exists: written when the first message creates it */
  cria_chat_session_set_model (fixture->chat, "qwen3:0.6b");
  cria_chat_session_set_system_prompt (fixture->chat, "Be brief.");
  cria_chat_session_set_options (fixture->chat, options);
  cria_chat_session_set_think (fixture->chat, CRIA_THINK_MODE_ON);
  g_assert_true (send_and_wait (fixture, "Hello", &error));
  g_assert_no_error (error);

  info = cria_chat_store_lookup_chat (fixture->store, cria_chat_session_get_chat_id (fixture->chat));
  g_assert_cmpstr (cria_chat_info_get_system_prompt (info), ==, "Be brief.");
  g_assert_true (json_object_equal (cria_chat_info_get_options (info), options));
  g_assert_cmpint (cria_chat_info_get_think (info), ==, CRIA_THINK_MODE_ON);
  wait_for_requests (fixture, 2);

  /* Changed later: saved as they change */
  cria_chat_session_set_system_prompt (fixture->chat, "Be thorough.");
  cria_chat_session_set_options (fixture->chat, changed);
  cria_chat_session_set_think (fixture->chat, CRIA_THINK_MODE_OFF);
  g_assert_cmpstr (cria_chat_info_get_system_prompt (info), ==, "Be thorough.");
  g_assert_true (json_object_equal (cria_chat_info_get_options (info), changed));
  g_assert_cmpint (cria_chat_info_get_think (info), ==, CRIA_THINK_MODE_OFF);

  /* Reopened, the chat has them and sends them */
  again = reopen (fixture);
  g_assert_cmpstr (cria_chat_session_get_system_prompt (again), ==, "Be thorough.");
  g_assert_true (json_object_equal (cria_chat_session_get_options (again), changed));
  g_assert_cmpint (cria_chat_session_get_think (again), ==, CRIA_THINK_MODE_OFF);
  cria_chat_session_set_backend (again, fixture->backend);
  g_assert_true (send_in (again, "More", &error));
  g_assert_no_error (error);
  assert_request_settings (fixture, "Be thorough.", changed, "false");
}

static void
log_items_changed_cb (GListModel *model,
                      guint       position,
                      guint       removed,
                      guint       added,
                      GString    *log)
{
  g_string_append_printf (log, "%u-%u+%u;", position, removed, added);
}

static char *
list_contents (CriaChatSession *session)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (session)); i++)
    {
      g_autoptr(CriaChatMessage) message = g_list_model_get_item (G_LIST_MODEL (session), i);

      g_string_append_printf (out, "%s%s", i > 0 ? "|" : "", cria_chat_message_get_content (message));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_edit (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CriaChatSession) again = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autofree char *contents = NULL;
  JsonArray *messages;

  cria_test_server_queue_reply (fixture->server, "A1", NULL);
  cria_test_server_queue_failure (fixture->server, 500); /* no title */
  cria_test_server_queue_reply (fixture->server, "A2", NULL);
  cria_test_server_queue_reply (fixture->server, "A2 edited", NULL);
  g_assert_true (send_and_wait (fixture, "Q1", &error));
  wait_for_requests (fixture, 2);
  g_assert_true (send_and_wait (fixture, "Q2", &error));
  g_assert_no_error (error);

  g_signal_connect (fixture->chat, "items-changed", G_CALLBACK (log_items_changed_cb), log);

  /* Only a user message can be edited */
  cria_chat_session_edit_async (fixture->chat, 1, "nope", NULL, NULL,
                                cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  g_assert_false (cria_chat_session_edit_finish (fixture->chat, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_cmpstr (log->str, ==, "");

  cria_chat_session_edit_async (fixture->chat, 2, "Q2 edited", NULL, NULL,
                                cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  g_assert_true (cria_chat_session_edit_finish (fixture->chat, result, &error));
  g_assert_no_error (error);

  /* The edited message and its reply were removed in one change, then
   * the new ones came */
  g_assert_cmpstr (log->str, ==, "2-2+0;2-0+1;3-0+1;");
  contents = list_contents (fixture->chat);
  g_assert_cmpstr (contents, ==, "Q1|A1|Q2 edited|A2 edited");

  /* The model saw the history before the edited message, and the new text */
  request = last_request (fixture);
  messages = json_object_get_array_member (request, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 2), "content"),
                   ==, "Q2 edited");

  /* And so does the store */
  again = reopen (fixture);
  g_clear_pointer (&contents, g_free);
  contents = list_contents (again);
  g_assert_cmpstr (contents, ==, "Q1|A1|Q2 edited|A2 edited");
}

static void
test_regenerate (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GString) busy_log = g_string_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CriaChatSession) again = NULL;
  g_autofree char *first_body = NULL;
  g_autofree char *second_body = NULL;
  g_autofree char *contents = NULL;

  g_assert_false (cria_chat_session_can_regenerate (fixture->chat));

  cria_test_server_queue_reply (fixture->server, "Q1 answer", NULL);
  cria_test_server_queue_failure (fixture->server, 500); /* no title */
  cria_test_server_queue_reply (fixture->server, "First answer", NULL);
  cria_test_server_queue_reply (fixture->server, "Second answer", NULL);
  g_assert_true (send_and_wait (fixture, "Q1", &error));
  wait_for_requests (fixture, 2);
  g_assert_true (send_and_wait (fixture, "Q2", &error));
  first_body = cria_test_server_dup_last_body (fixture->server, "/api/chat");
  g_assert_true (cria_chat_session_can_regenerate (fixture->chat));

  g_signal_connect (fixture->chat, "items-changed", G_CALLBACK (log_items_changed_cb), log);
  g_signal_connect (fixture->chat, "notify::busy", G_CALLBACK (busy_changed_cb), busy_log);

  cria_chat_session_regenerate_async (fixture->chat, NULL, cria_test_store_result_cb, &result);
  g_assert_false (cria_chat_session_can_regenerate (fixture->chat));
  cria_test_wait_until (result != NULL);
  g_assert_true (cria_chat_session_regenerate_finish (fixture->chat, result, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (log->str, ==, "3-1+0;3-0+1;");
  g_assert_cmpstr (busy_log->str, ==, "busy;idle;");
  contents = list_contents (fixture->chat);
  g_assert_cmpstr (contents, ==, "Q1|Q1 answer|Q2|Second answer");
  g_assert_cmpint (cria_chat_message_get_state (nth_message (fixture, 3)), ==, CRIA_MESSAGE_STATE_COMPLETE);

  /* Asked with the very same history */
  second_body = cria_test_server_dup_last_body (fixture->server, "/api/chat");
  g_assert_cmpstr (second_body, ==, first_body);

  again = reopen (fixture);
  g_clear_pointer (&contents, g_free);
  contents = list_contents (again);
  g_assert_cmpstr (contents, ==, "Q1|Q1 answer|Q2|Second answer");

  /* A user message last: nothing to regenerate */
  g_assert_true (cria_chat_session_delete_message (fixture->chat, 3, &error));
  g_assert_false (cria_chat_session_can_regenerate (fixture->chat));
  g_clear_object (&result);
  cria_chat_session_regenerate_async (fixture->chat, NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  g_assert_false (cria_chat_session_regenerate_finish (fixture->chat, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_regenerate_failed (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  /* A reply that failed is asked for again: that is how to retry */
  cria_test_server_queue_failure (fixture->server, 500);
  g_assert_false (send_and_wait (fixture, "Hello", &error));
  g_clear_error (&error);
  g_assert_cmpint (cria_chat_message_get_state (nth_message (fixture, 1)), ==, CRIA_MESSAGE_STATE_ERROR);
  g_assert_true (cria_chat_session_can_regenerate (fixture->chat));

  cria_test_server_set_reply (fixture->server, "Hi again", NULL);
  cria_chat_session_regenerate_async (fixture->chat, NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  g_assert_true (cria_chat_session_regenerate_finish (fixture->chat, result, &error));
  contents = list_contents (fixture->chat);
  g_assert_cmpstr (contents, ==, "Hello|Hi again");
}

static void
test_delete (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CriaChatSession) again = NULL;
  g_autofree char *contents = NULL;

  cria_test_server_queue_reply (fixture->server, "A1", NULL);
  cria_test_server_queue_failure (fixture->server, 500); /* no title */
  cria_test_server_queue_reply (fixture->server, "A2", NULL);
  g_assert_true (send_and_wait (fixture, "Q1", &error));
  wait_for_requests (fixture, 2);
  g_assert_true (send_and_wait (fixture, "Q2", &error));

  g_signal_connect (fixture->chat, "items-changed", G_CALLBACK (log_items_changed_cb), log);
  g_assert_true (cria_chat_session_delete_message (fixture->chat, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (log->str, ==, "1-1+0;");
  contents = list_contents (fixture->chat);
  g_assert_cmpstr (contents, ==, "Q1|Q2|A2");

  g_assert_false (cria_chat_session_delete_message (fixture->chat, 3, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  again = reopen (fixture);
  g_clear_pointer (&contents, g_free);
  contents = list_contents (again);
  g_assert_cmpstr (contents, ==, "Q1|Q2|A2");

  /* The chat goes on after the deletion */
  cria_test_server_set_reply (fixture->server, "A3", NULL);
  g_assert_true (send_and_wait (fixture, "Q3", &error));
  g_assert_no_error (error);
  g_clear_object (&again);
  again = reopen (fixture);
  g_clear_pointer (&contents, g_free);
  contents = list_contents (again);
  g_assert_cmpstr (contents, ==, "Q1|Q2|A2|Q3|A3");
}

static void
test_edit_while_busy (Fixture       *fixture,
                      gconstpointer  data)
{
  CriaTestFaults faults = { .inter_token_delay_ms = 20 };
  g_autoptr(GAsyncResult) edit = NULL;
  g_autoptr(GAsyncResult) regenerate = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (send_and_wait (fixture, "first", &error));

  cria_test_server_set_generated_reply (fixture->server, 30);
  cria_test_server_set_faults (fixture->server, &faults);
  cria_chat_session_send_async (fixture->chat, "second", NULL, NULL, NULL, NULL);
  g_assert_true (cria_chat_session_get_busy (fixture->chat));

  g_assert_false (cria_chat_session_can_regenerate (fixture->chat));
  g_assert_false (cria_chat_session_delete_message (fixture->chat, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);

  cria_chat_session_edit_async (fixture->chat, 0, "changed", NULL, NULL,
                                cria_test_store_result_cb, &edit);
  cria_chat_session_regenerate_async (fixture->chat, NULL, cria_test_store_result_cb, &regenerate);
  cria_test_wait_until (edit != NULL && regenerate != NULL);
  g_assert_false (cria_chat_session_edit_finish (fixture->chat, edit, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  g_assert_false (cria_chat_session_regenerate_finish (fixture->chat, regenerate, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);

  /* Nothing moved */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->chat)), ==, 4);
  g_assert_cmpstr (cria_chat_message_get_content (nth_message (fixture, 0)), ==, "first");
  cria_test_wait_until (!cria_chat_session_get_busy (fixture->chat));
}

static void
test_store_title (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GString) busy_log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonObject) options = new_options (0.5, 4096, 42);
  g_autoptr(CriaChatSession) again = NULL;
  CriaChatInfo *info;
  JsonObject *title_options;
  JsonArray *messages;
  const char *prompt;
  guint n_title = 0;

  cria_chat_session_set_options (fixture->chat, options);
  g_signal_connect (fixture->chat, "notify::busy", G_CALLBACK (busy_changed_cb), busy_log);
  cria_test_server_queue_reply (fixture->server, "Feed it twice a day with rye flour.", NULL);
  cria_test_server_queue_reply (fixture->server,
                                "<think>A title.</think>\n\n**Title:** \"Feeding a Sourdough Starter.\"\n",
                                NULL);
  g_assert_true (send_and_wait (fixture, "How often should I feed my sourdough starter?", &error));
  g_assert_no_error (error);

  info = cria_chat_store_lookup_chat (fixture->store, cria_chat_session_get_chat_id (fixture->chat));
  g_signal_connect (info, "notify::title", G_CALLBACK (count_notify_cb), &n_title);
  cria_test_wait_until (n_title == 1);
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Feeding a Sourdough Starter");
  /* The title request never made the chat busy */
  wait_for_requests (fixture, 2);
  g_assert_cmpstr (busy_log->str, ==, "busy;idle;");

  /* A short request of its own: the first exchange, no thinking, a few
   * tokens, and the chat's context length (another would reload the
   * model) */
  request = last_request (fixture);
  g_assert_cmpstr (json_object_get_string_member (request, "model"), ==, "llama3.2");
  g_assert_false (json_object_get_boolean_member (request, "think"));
  title_options = json_object_get_object_member (request, "options");
  g_assert_cmpint (json_object_get_int_member (title_options, "num_predict"), >, 0);
  g_assert_cmpint (json_object_get_int_member (title_options, "num_predict"), <=, 64);
  g_assert_cmpint (json_object_get_int_member (title_options, "num_ctx"), ==, 4096);
  messages = json_object_get_array_member (request, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
  prompt = json_object_get_string_member (json_array_get_object_element (messages, 0), "content");
  g_assert_nonnull (strstr (prompt, "How often should I feed my sourdough starter?"));
  g_assert_nonnull (strstr (prompt, "Feed it twice a day with rye flour."));

  /* Later replies ask for no title */
  g_assert_true (send_and_wait (fixture, "And in winter?", &error));
  wait_for_requests (fixture, 3);
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Feeding a Sourdough Starter");

  /* The title is stored */
  again = reopen (fixture);
  g_assert_cmpstr (cria_chat_info_get_title (cria_chat_store_lookup_chat (fixture->store,
                                                                         cria_chat_session_get_chat_id (again))),
                   ==, "Feeding a Sourdough Starter");
}

static void
test_store_title_user_wins (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CriaChatInfo *info;

  cria_test_server_set_reply (fixture->server, "A generated title", NULL);
  cria_chat_session_send_async (fixture->chat, "First line", NULL, NULL, NULL, NULL);

  /* The user renames the chat while the first reply streams */
  info = cria_chat_store_lookup_chat (fixture->store, cria_chat_session_get_chat_id (fixture->chat));
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "First line");
  g_assert_true (cria_chat_store_rename_chat (fixture->store, cria_chat_info_get_id (info),
                                              "My Own Title", &error));
  g_assert_no_error (error);

  cria_test_wait_until (!cria_chat_session_get_busy (fixture->chat));
  cria_test_run_for (100);
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "My Own Title");
  /* Not even asked */
  g_assert_cmpuint (cria_test_server_get_request_count (fixture->server, "/api/chat"), ==, 1);
}

static void
test_store_title_failure (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) busy_log = g_string_new (NULL);
  CriaChatInfo *info;
  CriaChatMessage *reply;

  g_signal_connect (fixture->chat, "notify::busy", G_CALLBACK (busy_changed_cb), busy_log);
  cria_test_server_queue_reply (fixture->server, "Sure.", NULL);
  cria_test_server_queue_failure (fixture->server, 500);
  g_assert_true (send_and_wait (fixture, "Plan a trip to Lisbon\nfor three days", &error));
  g_assert_no_error (error);
  wait_for_requests (fixture, 2);

  /* The first line stays the title; the chat shows no error */
  info = cria_chat_store_lookup_chat (fixture->store, cria_chat_session_get_chat_id (fixture->chat));
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Plan a trip to Lisbon");
  reply = nth_message (fixture, 1);
  g_assert_null (cria_chat_message_get_error (reply));
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_cmpstr (busy_log->str, ==, "busy;idle;");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->chat)), ==, 2);
}

static void
test_title_not_stored (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* A chat that is not saved has no title to ask for */
  g_assert_true (send_and_wait (fixture, "Hello", &error));
  cria_test_run_for (100);
  g_assert_cmpuint (cria_test_server_get_request_count (fixture->server, "/api/chat"), ==, 1);
}

static void
cancel_later_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Fixture *fixture = user_data;
  CriaTestFaults faults = { .delay_first_byte_ms = 20000 };

  /* The title request is on its way: make it slow */
  g_assert_true (cria_chat_session_send_finish (CRIA_CHAT_SESSION (object), result, NULL));
  cria_test_server_set_faults (fixture->server, &faults);
}

static void
test_store_title_cancelled (Fixture       *fixture,
                            gconstpointer  data)
{
  CriaChatInfo *info;
  gint64 chat_id;

  cria_chat_session_send_async (fixture->chat, "Hello there", NULL, NULL, cancel_later_cb, fixture);
  chat_id = cria_chat_session_get_chat_id (fixture->chat);
  cria_test_wait_until (cria_test_server_get_active_streams (fixture->server) == 1 &&
                        cria_test_server_get_request_count (fixture->server, "/api/chat") == 2);

  /* Gone with the session */
  g_clear_object (&fixture->chat);
  cria_test_wait_until (cria_test_server_get_cancellations (fixture->server) == 1);
  info = cria_chat_store_lookup_chat (fixture->store, chat_id);
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Hello there");
  fixture->chat = cria_chat_session_new ();
}

static void
test_title_for_reply (void)
{
  static const struct {
    const char *text;
    const char *title;
  } cases[] = {
    { "Sourdough Starter Care", "Sourdough Starter Care" },
    { "\"Sourdough Starter Care\"", "Sourdough Starter Care" },
    { "“Sourdough Starter Care.”", "Sourdough Starter Care" },
    { "**Sourdough Starter Care**", "Sourdough Starter Care" },
    { "# Sourdough Starter Care\n\nSome words after", "Sourdough Starter Care" },
    { "Title: Sourdough Starter Care", "Sourdough Starter Care" },
    { "**Title:** `Sourdough`", "Sourdough" },
    { "\n\n  Title:\n  Käse und Brot  \n", "Käse und Brot" },
    { "<think>\nThe user asks about bread.\n</think>\n\nBread Basics", "Bread Basics" },
    { "<think>Never closed, all thinking", NULL },
    { "", NULL },
    { "\"\"", NULL },
    { "A title that goes on and on and on, far longer than any title should ever be",
      "A title that goes on and on and on, far longer than any…" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *title = _cria_chat_session_dup_title_for_reply (cases[i].text);

      g_assert_cmpstr (title, ==, cases[i].title);
    }
}

static void
test_title_for_text (void)
{
  static const struct {
    const char *text;
    const char *title;
  } cases[] = {
    { "Hello", "Hello" },
    { "  Hello  \nWorld", "Hello" },
    { "\n\n   \r\n  Second  \n", "Second" },
    { "", NULL },
    { " \n\t\n", NULL },
    { "Käse und Brötchen", "Käse und Brötchen" },
    /* 60 characters fit */
    { "123456789 123456789 123456789 123456789 123456789 1234567890",
      "123456789 123456789 123456789 123456789 123456789 1234567890" },
    /* more are cut at a word */
    { "Explain the difference between a mutex and a semaphore in plain words please",
      "Explain the difference between a mutex and a semaphore in…" },
    /* or within one when there is no space late enough */
    { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…" },
    { "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé",
      "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé…" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *title = _cria_chat_session_dup_title_for_text (cases[i].text);

      g_assert_cmpstr (title, ==, cases[i].title);
      if (title != NULL)
        g_assert_cmpint (g_utf8_strlen (title, -1), <=, CRIA_CHAT_TITLE_MAX_CHARS);
    }
}

#define ADD(path, func) \
  g_test_add ("/cria/chat-session/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
#define ADD_STORE(path, func) \
  g_test_add ("/cria/chat-session/" path, Fixture, "store", fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("reply-streams", test_reply_streams);
  ADD ("thinking", test_thinking);
  ADD ("stop-keeps-partial", test_stop_keeps_partial);
  ADD ("error-keeps-partial", test_error_keeps_partial);
  ADD ("error-before-text", test_error_before_text);
  ADD ("refuses-while-busy", test_refuses_while_busy);
  ADD ("clear", test_clear);
  ADD_STORE ("store/saves-and-reopens", test_store_saves);
  ADD_STORE ("store/stopped-reply-incomplete", test_store_stopped_incomplete);
  ADD_STORE ("store/model-saved", test_store_model_saved);
  ADD_STORE ("store/missing-chat", test_store_missing_chat);
  ADD ("settings/sent", test_settings_sent);
  ADD_STORE ("store/settings", test_store_settings);
  ADD_STORE ("store/edit", test_edit);
  ADD_STORE ("store/regenerate", test_regenerate);
  ADD ("regenerate-failed", test_regenerate_failed);
  ADD_STORE ("store/delete", test_delete);
  ADD ("edit-refused-while-busy", test_edit_while_busy);
  ADD_STORE ("store/title", test_store_title);
  ADD_STORE ("store/title-user-wins", test_store_title_user_wins);
  ADD_STORE ("store/title-failure", test_store_title_failure);
  ADD_STORE ("store/title-cancelled-with-session", test_store_title_cancelled);
  ADD ("title-not-stored", test_title_not_stored);
  g_test_add_func ("/cria/chat-session/title-for-reply", test_title_for_reply);
  g_test_add_func ("/cria/chat-session/title-for-text", test_title_for_text);

  return g_test_run ();
}
