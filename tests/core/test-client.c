/* test-client.c: CriaClient against the Ollama simulator, one test per fault
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include "cria-core.h"
#include "cria-test-server.h"
#include "cria-test-utils.h"

typedef struct
{
  CriaTestServer *server;
  SoupSession    *session;
  CriaClient     *client;
} Fixture;

typedef struct
{
  GString         *content;
  GString         *thinking;
  JsonArray       *tool_calls;
  guint            n_chunks;
  gboolean         saw_done;
  GCancellable    *cancel_after_first;
  GAsyncResult    *result;
} Chat;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *url = NULL;

  fixture->server = cria_test_server_new ();
  cria_test_server_start (fixture->server, 0, &error);
  g_assert_no_error (error);

  url = cria_test_server_dup_url (fixture->server);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &error);
  g_assert_no_error (error);

  fixture->session = soup_session_new_with_options ("timeout", 0, NULL);
  fixture->client = cria_client_new (fixture->session, uri);
  cria_client_set_retry_delay (fixture->client, 10);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->client);
  soup_session_abort (fixture->session);
  g_clear_object (&fixture->session);
  cria_test_server_stop (fixture->server);
  g_clear_object (&fixture->server);
}

static void
chat_chunk_cb (const CriaChatChunk *chunk,
               gpointer             user_data)
{
  Chat *chat = user_data;

  g_assert_false (chat->saw_done);

  chat->n_chunks++;
  g_string_append (chat->content, chunk->content);
  g_string_append (chat->thinking, chunk->thinking);
  chat->saw_done = chunk->done;

  if (chunk->tool_calls != NULL)
    {
      if (chat->tool_calls == NULL)
        chat->tool_calls = json_array_new ();
      for (guint i = 0; i < json_array_get_length (chunk->tool_calls); i++)
        json_array_add_element (chat->tool_calls,
                                json_node_copy (json_array_get_element (chunk->tool_calls, i)));
    }

  if (chat->cancel_after_first != NULL && chunk->content[0] != '\0')
    g_cancellable_cancel (chat->cancel_after_first);
}

/* Sends one message and waits for the end of the reply. */
static CriaChatMetrics *
run_chat (Fixture       *fixture,
          const char    *model,
          Chat          *chat,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(CriaChatRequest) request = cria_chat_request_new (model);
  g_autoptr(CriaChatMessage) message = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, "Hello");

  chat->content = g_string_new (NULL);
  chat->thinking = g_string_new (NULL);
  cria_chat_request_add_message (request, message);

  cria_client_chat_async (fixture->client, request,
                          chat_chunk_cb, chat, NULL,
                          cancellable,
                          cria_test_store_result_cb, &chat->result);
  cria_test_wait_until (chat->result != NULL);

  return cria_client_chat_finish (fixture->client, chat->result, error);
}

static void
chat_clear (Chat *chat)
{
  if (chat->content != NULL)
    g_string_free (chat->content, TRUE);
  if (chat->thinking != NULL)
    g_string_free (chat->thinking, TRUE);
  g_clear_pointer (&chat->tool_calls, json_array_unref);
  g_clear_object (&chat->result);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Chat, chat_clear)

static void
test_version (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  cria_test_server_set_version (fixture->server, "0.33.0-rc2");
  cria_client_version_async (fixture->client, NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);

  version = cria_client_version_finish (fixture->client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (version, ==, "0.33.0-rc2");
}

static void
test_tags (Fixture       *fixture,
           gconstpointer  data)
{
  static const char *vision[] = { "completion", "vision", NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  CriaModel *found = NULL;

  cria_test_server_clear_models (fixture->server);
  cria_test_server_add_model (fixture->server, "llava:7b", vision);
  cria_test_server_add_model (fixture->server, "llama3.2:latest", NULL);

  cria_client_list_models_async (fixture->client, NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  models = cria_client_list_models_finish (fixture->client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (models->len, ==, 2);

  for (guint i = 0; i < models->len; i++)
    if (g_str_equal (cria_model_get_name (g_ptr_array_index (models, i)), "llava:7b"))
      found = g_ptr_array_index (models, i);

  g_assert_nonnull (found);
  g_assert_true (cria_model_has_capability (found, "vision"));
  g_assert_cmpint (cria_model_get_size (found), >, 0);
  g_assert_nonnull (cria_model_get_modified_at (found));
}

static void
test_tags_old_server (Fixture       *fixture,
                      gconstpointer  data)
{
  CriaTestFaults faults = { .old_server = TRUE, .families_null = TRUE };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;

  cria_test_server_set_faults (fixture->server, &faults);
  cria_client_list_models_async (fixture->client, NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  models = cria_client_list_models_finish (fixture->client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (models->len, >, 0);
  g_assert_cmpuint (g_strv_length ((char **) cria_model_get_capabilities (g_ptr_array_index (models, 0))), ==, 0);
}

static void
test_show (Fixture       *fixture,
           gconstpointer  data)
{
  static const char *thinking[] = { "completion", "thinking", NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) missing_result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) show = NULL;
  g_autoptr(JsonObject) missing = NULL;
  g_autofree char *body = NULL;
  JsonArray *capabilities;

  cria_test_server_add_model (fixture->server, "qwen3:0.6b", thinking);
  cria_client_show_async (fixture->client, "qwen3:0.6b", NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  show = cria_client_show_finish (fixture->client, result, &error);
  g_assert_no_error (error);

  capabilities = json_object_get_array_member (show, "capabilities");
  g_assert_nonnull (capabilities);
  g_assert_cmpstr (json_array_get_string_element (capabilities, 1), ==, "thinking");
  g_assert_true (json_object_has_member (show, "model_info"));

  body = cria_test_server_dup_last_body (fixture->server, "/api/show");
  g_assert_nonnull (strstr (body, "\"model\""));

  cria_client_show_async (fixture->client, "nope:1b", NULL, cria_test_store_result_cb, &missing_result);
  cria_test_wait_until (missing_result != NULL);
  missing = cria_client_show_finish (fixture->client, missing_result, &error);
  g_assert_null (missing);
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "model 'nope:1b' not found");
}

static void
test_chat_streams (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(Chat) chat = { 0 };
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;

  cria_test_server_set_reply (fixture->server, "The sky is blue because of Rayleigh scattering.", NULL);
  metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (metrics);
  g_assert_cmpstr (chat.content->str, ==, "The sky is blue because of Rayleigh scattering.");
  g_assert_cmpuint (chat.n_chunks, >, 3);
  g_assert_true (chat.saw_done);
  g_assert_cmpstr (metrics->done_reason, ==, "stop");
  g_assert_cmpint (metrics->eval_count, >, 0);
  g_assert_cmpfloat (cria_chat_metrics_get_tokens_per_second (metrics), >, 0);

  body = cria_test_server_dup_last_body (fixture->server, "/api/chat");
  g_assert_nonnull (strstr (body, "\"Hello\""));
}

static void
test_chat_thinking (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(Chat) chat = { 0 };
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  cria_test_server_set_reply (fixture->server, "391", "17 times 23 is 17 times 20 plus 17 times 3.");
  metrics = run_chat (fixture, "qwen3:0.6b", &chat, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (chat.thinking->str, ==, "17 times 23 is 17 times 20 plus 17 times 3.");
  g_assert_cmpstr (chat.content->str, ==, "391");
}

/* Framing faults must not change what arrives. */
static void
test_chat_framing (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *reply = "Ça va? Привет ь 🦙 — «naïve» 日本語のテキスト ✓";
  CriaTestFaults variants[] = {
    { .split_lines_bytes = 1 },
    { .split_lines_bytes = 7 },
    { .coalesce_lines = TRUE },
    { .split_inside_utf8 = TRUE },
    { .content_in_final = TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_auto(Chat) chat = { 0 };
      g_autoptr(CriaChatMetrics) metrics = NULL;
      g_autoptr(GError) error = NULL;

      cria_test_server_set_reply (fixture->server, reply, NULL);
      cria_test_server_set_faults (fixture->server, &variants[i]);
      metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (metrics);
      g_assert_cmpstr (chat.content->str, ==, reply);
    }
}

static void
test_chat_error_mid_stream (Fixture       *fixture,
                            gconstpointer  data)
{
  CriaTestFaults faults = { .error_mid_stream_after = 3 };
  g_auto(Chat) chat = { 0 };
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  cria_test_server_set_reply (fixture->server, "one two three four five six", NULL);
  cria_test_server_set_faults (fixture->server, &faults);
  metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

  g_assert_null (metrics);
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_SERVER);
  /* What came before the error line was delivered. */
  g_assert_cmpstr (chat.content->str, ==, "one two three");
}

static void
test_chat_early_error (Fixture       *fixture,
                       gconstpointer  data)
{
  CriaTestEarlyError modes[] = { CRIA_TEST_EARLY_ERROR_STATUS, CRIA_TEST_EARLY_ERROR_LEGACY_200 };
  g_autofree char *first_message = NULL;

  /* Old and new servers report a failure before the first token
   * differently; the user must see the same error. */
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      CriaTestFaults faults = { .early_error = modes[i], .early_error_status = 500 };
      g_auto(Chat) chat = { 0 };
      g_autoptr(CriaChatMetrics) metrics = NULL;
      g_autoptr(GError) error = NULL;

      cria_test_server_set_faults (fixture->server, &faults);
      metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

      g_assert_null (metrics);
      g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_SERVER);
      g_assert_cmpstr (chat.content->str, ==, "");
      if (first_message == NULL)
        first_message = g_strdup (error->message);
      else
        g_assert_cmpstr (error->message, ==, first_message);
    }
}

static void
test_chat_truncated (Fixture       *fixture,
                     gconstpointer  data)
{
  CriaTestFaults faults = { .truncate_after = 2 };
  g_auto(Chat) chat = { 0 };
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  cria_test_server_set_reply (fixture->server, "alpha beta gamma delta", NULL);
  cria_test_server_set_faults (fixture->server, &faults);
  metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

  g_assert_null (metrics);
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_TRUNCATED);
  g_assert_cmpstr (chat.content->str, ==, "alpha beta");
}

static void
test_chat_connection_reset (Fixture       *fixture,
                            gconstpointer  data)
{
  CriaTestFaults faults = { .abort_after = 2 };
  g_auto(Chat) chat = { 0 };
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  cria_test_server_set_reply (fixture->server, "alpha beta gamma delta", NULL);
  cria_test_server_set_faults (fixture->server, &faults);
  metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

  g_assert_null (metrics);
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_CONNECTION_LOST);
  g_assert_cmpstr (chat.content->str, ==, "alpha beta");
}

static void
test_chat_stall (Fixture       *fixture,
                 gconstpointer  data)
{
  CriaTestFaults faults = { .stall_after = 2 };
  g_auto(Chat) chat = { 0 };
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  cria_client_set_idle_timeout (fixture->client, 300);
  cria_test_server_set_reply (fixture->server, "alpha beta gamma delta", NULL);
  cria_test_server_set_faults (fixture->server, &faults);
  metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

  g_assert_null (metrics);
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_TIMED_OUT);
  g_assert_cmpstr (chat.content->str, ==, "alpha beta");
}

static void
test_chat_slow_is_not_an_error (Fixture       *fixture,
                                gconstpointer  data)
{
  /* A model load before the first byte, then slow tokens: every gap is
   * under the idle timeout, the whole reply is far longer than it. */
  CriaTestFaults faults = { .delay_first_byte_ms = 400, .inter_token_delay_ms = 150 };
  g_auto(Chat) chat = { 0 };
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  cria_client_set_idle_timeout (fixture->client, 600);
  cria_test_server_set_reply (fixture->server, "a b c d e f g h", NULL);
  cria_test_server_set_faults (fixture->server, &faults);
  metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (chat.content->str, ==, "a b c d e f g h");
}

static void
test_chat_garbage_line (Fixture       *fixture,
                        gconstpointer  data)
{
  CriaTestFaults faults = { .garbage_line_at = 2 };
  g_auto(Chat) chat = { 0 };
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  cria_test_server_set_reply (fixture->server, "alpha beta gamma", NULL);
  cria_test_server_set_faults (fixture->server, &faults);
  metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

  g_assert_null (metrics);
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL);
  g_assert_cmpstr (chat.content->str, ==, "alpha");
}

static void
test_chat_invalid_utf8 (Fixture       *fixture,
                        gconstpointer  data)
{
  CriaTestFaults faults = { .invalid_utf8_at = 2 };
  g_auto(Chat) chat = { 0 };
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  cria_test_server_set_reply (fixture->server, "alpha beta gamma", NULL);
  cria_test_server_set_faults (fixture->server, &faults);
  metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

  g_assert_null (metrics);
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL);
  g_assert_true (g_utf8_validate (chat.content->str, -1, NULL));
  g_assert_cmpstr (chat.content->str, ==, "alpha");
}

static void
test_chat_huge_line (Fixture       *fixture,
                     gconstpointer  data)
{
  /* A line over the 8 MiB limit is an error, not an allocation without end. */
  {
    CriaTestFaults faults = { .huge_line_bytes = 9 * 1024 * 1024 };
    g_auto(Chat) chat = { 0 };
    g_autoptr(CriaChatMetrics) metrics = NULL;
    g_autoptr(GError) error = NULL;

    cria_test_server_set_reply (fixture->server, "alpha beta", NULL);
    cria_test_server_set_faults (fixture->server, &faults);
    metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

    g_assert_null (metrics);
    g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL);
  }

  /* A long line under it (a final `context` array) is fine. */
  {
    CriaTestFaults faults = { .huge_line_bytes = 1024 * 1024 };
    g_auto(Chat) chat = { 0 };
    g_autoptr(CriaChatMetrics) metrics = NULL;
    g_autoptr(GError) error = NULL;

    cria_test_server_set_faults (fixture->server, &faults);
    metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (chat.content->str, ==, "alpha beta");
  }
}

static void
test_chat_http_errors (Fixture       *fixture,
                       gconstpointer  data)
{
  static const struct {
    guint status;
    gboolean empty;
    CriaClientError code;
  } cases[] = {
    { 500, FALSE, CRIA_CLIENT_ERROR_SERVER },
    { 500, TRUE, CRIA_CLIENT_ERROR_HTTP },
    { 502, TRUE, CRIA_CLIENT_ERROR_HTTP },
    { 401, TRUE, CRIA_CLIENT_ERROR_UNAUTHORIZED },
    { 503, FALSE, CRIA_CLIENT_ERROR_BUSY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CriaTestFaults faults = { .http_status = cases[i].status,
                                .http_status_empty_body = cases[i].empty };
      g_auto(Chat) chat = { 0 };
      g_autoptr(CriaChatMetrics) metrics = NULL;
      g_autoptr(GError) error = NULL;

      cria_test_server_set_faults (fixture->server, &faults);
      metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

      g_assert_null (metrics);
      g_assert_error (error, CRIA_CLIENT_ERROR, (int) cases[i].code);
      g_assert_cmpstr (error->message, !=, "");
    }
}

static void
test_chat_model_not_found (Fixture       *fixture,
                           gconstpointer  data)
{
  g_auto(Chat) chat = { 0 };
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  metrics = run_chat (fixture, "Missing-Model:9b", &chat, NULL, &error);

  g_assert_null (metrics);
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "model 'Missing-Model:9b' not found");
}

static void
test_chat_tool_calls (Fixture       *fixture,
                      gconstpointer  data)
{
  CriaTestToolCalls placements[] = { CRIA_TEST_TOOL_CALLS_IN_CHUNK, CRIA_TEST_TOOL_CALLS_IN_FINAL };

  for (guint i = 0; i < G_N_ELEMENTS (placements); i++)
    {
      CriaTestFaults faults = { .tool_calls = placements[i] };
      g_auto(Chat) chat = { 0 };
      g_autoptr(CriaChatMetrics) metrics = NULL;
      g_autoptr(GError) error = NULL;
      JsonObject *function;

      cria_test_server_set_faults (fixture->server, &faults);
      metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (chat.tool_calls);
      g_assert_cmpuint (json_array_get_length (chat.tool_calls), ==, 1);
      function = json_object_get_object_member (json_array_get_object_element (chat.tool_calls, 0),
                                                "function");
      g_assert_cmpstr (json_object_get_string_member (function, "name"), ==, "get_weather");
    }
}

static void
test_chat_without_metrics (Fixture       *fixture,
                           gconstpointer  data)
{
  CriaTestFaults faults = { .drop_metrics = TRUE };
  g_auto(Chat) chat = { 0 };
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  cria_test_server_set_reply (fixture->server, "fine", NULL);
  cria_test_server_set_faults (fixture->server, &faults);
  metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (metrics->eval_count, ==, 0);
  g_assert_cmpfloat (cria_chat_metrics_get_tokens_per_second (metrics), ==, 0);
}

static void
test_chat_cancel (Fixture       *fixture,
                  gconstpointer  data)
{
  CriaTestFaults faults = { .inter_token_delay_ms = 50 };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_auto(Chat) chat = { 0 };
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  cria_test_server_set_generated_reply (fixture->server, 200);
  cria_test_server_set_faults (fixture->server, &faults);
  chat.cancel_after_first = cancellable;
  metrics = run_chat (fixture, "llama3.2", &chat, cancellable, &error);

  g_assert_null (metrics);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (chat.n_chunks, <, 200);

  /* Closing the connection is how Ollama is told to stop: the server must
   * see the client go away before the end of the reply. */
  cria_test_wait_until (cria_test_server_get_cancellations (fixture->server) == 1);
  cria_test_wait_until (cria_test_server_get_active_streams (fixture->server) == 0);
}

static void
test_chat_never_retried (Fixture       *fixture,
                         gconstpointer  data)
{
  CriaTestFaults faults = { .fail_first_requests = 1 };
  g_auto(Chat) chat = { 0 };
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  cria_test_server_set_faults (fixture->server, &faults);
  metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);

  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_BUSY);
  g_assert_cmpuint (cria_test_server_get_request_count (fixture->server, "/api/chat"), ==, 1);
}

static void
test_idempotent_retried (Fixture       *fixture,
                         gconstpointer  data)
{
  CriaTestFaults faults = { .fail_first_requests = 2 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  cria_test_server_set_faults (fixture->server, &faults);
  cria_client_version_async (fixture->client, NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);

  version = cria_client_version_finish (fixture->client, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (version);
  g_assert_cmpuint (cria_test_server_get_request_count (fixture->server, "/api/version"), ==, 3);
}

static void
test_retries_give_up (Fixture       *fixture,
                      gconstpointer  data)
{
  CriaTestFaults faults = { .fail_first_requests = 10 };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;

  cria_client_set_max_retries (fixture->client, 2);
  cria_test_server_set_faults (fixture->server, &faults);
  cria_client_list_models_async (fixture->client, NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);

  models = cria_client_list_models_finish (fixture->client, result, &error);
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_BUSY);
  g_assert_cmpuint (cria_test_server_get_request_count (fixture->server, "/api/tags"), ==, 3);
}

static void
test_unreachable (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  cria_test_server_stop (fixture->server);
  cria_client_set_max_retries (fixture->client, 1);
  cria_client_version_async (fixture->client, NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);

  version = cria_client_version_finish (fixture->client, result, &error);
  g_assert_null (version);
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_UNREACHABLE);
}

static void
test_cancel_during_retry_wait (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;

  cria_test_server_stop (fixture->server);
  cria_client_set_retry_delay (fixture->client, 60000);
  cria_client_version_async (fixture->client, cancellable, cria_test_store_result_cb, &result);
  cria_test_run_for (200);
  g_assert_null (result);

  g_cancellable_cancel (cancellable);
  cria_test_wait_until (result != NULL);
  version = cria_client_version_finish (fixture->client, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_bearer_token (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version = NULL;
  g_autofree char *header = NULL;

  cria_client_set_token (fixture->client, "s3cret");
  cria_client_version_async (fixture->client, NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  version = cria_client_version_finish (fixture->client, result, &error);
  g_assert_no_error (error);

  header = cria_test_server_dup_last_header (fixture->server, "/api/version", "Authorization");
  g_assert_cmpstr (header, ==, "Bearer s3cret");
}

static void
test_sequential_streams (Fixture       *fixture,
                         gconstpointer  data)
{
  /* A finished stream leaves the connection usable for the next. */
  for (guint i = 0; i < 5; i++)
    {
      g_auto(Chat) chat = { 0 };
      g_autoptr(CriaChatMetrics) metrics = NULL;
      g_autoptr(GError) error = NULL;

      cria_test_server_set_reply (fixture->server, "again and again", NULL);
      metrics = run_chat (fixture, "llama3.2", &chat, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (chat.content->str, ==, "again and again");
    }
}

#define ADD(path, func) \
  g_test_add ("/cria/client/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("version", test_version);
  ADD ("tags", test_tags);
  ADD ("tags-old-server", test_tags_old_server);
  ADD ("show", test_show);
  ADD ("chat/streams-deltas", test_chat_streams);
  ADD ("chat/thinking", test_chat_thinking);
  ADD ("chat/framing", test_chat_framing);
  ADD ("chat/error-mid-stream", test_chat_error_mid_stream);
  ADD ("chat/early-error", test_chat_early_error);
  ADD ("chat/truncated", test_chat_truncated);
  ADD ("chat/connection-reset", test_chat_connection_reset);
  ADD ("chat/stall", test_chat_stall);
  ADD ("chat/slow-is-not-an-error", test_chat_slow_is_not_an_error);
  ADD ("chat/garbage-line", test_chat_garbage_line);
  ADD ("chat/invalid-utf8", test_chat_invalid_utf8);
  ADD ("chat/huge-line", test_chat_huge_line);
  ADD ("chat/http-errors", test_chat_http_errors);
  ADD ("chat/model-not-found", test_chat_model_not_found);
  ADD ("chat/tool-calls", test_chat_tool_calls);
  ADD ("chat/without-metrics", test_chat_without_metrics);
  ADD ("chat/cancel", test_chat_cancel);
  ADD ("chat/never-retried", test_chat_never_retried);
  ADD ("retry/idempotent", test_idempotent_retried);
  ADD ("retry/gives-up", test_retries_give_up);
  ADD ("retry/cancel-during-wait", test_cancel_during_retry_wait);
  ADD ("unreachable", test_unreachable);
  ADD ("bearer-token", test_bearer_token);
  ADD ("sequential-streams", test_sequential_streams);

  return g_test_run ();
}
