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

  cria_test_server_set_reply (fixture->server, "Hi there, friend.", NULL);
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
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Hello, who are you?");
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
  g_test_add_func ("/cria/chat-session/title-for-text", test_title_for_text);

  return g_test_run ();
}
