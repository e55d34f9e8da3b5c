/* test-client-parse.c: the client's parse seams, from fixture files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include "cria-client-private.h"
#include "cria-core.h"

static char *
load_fixture (const char *name,
              gsize      *length)
{
  g_autofree char *path = g_build_filename (FIXTURES_DIR, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);

  return contents;
}

static void
test_tags (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *data = NULL;
  g_autofree char *display = NULL;
  CriaModel *model;
  gsize length;

  data = load_fixture ("tags.json", &length);
  models = _cria_client_parse_tags (data, length, &error);
  g_assert_no_error (error);

  /* The entry without a name is dropped; the order is the server's. */
  g_assert_cmpuint (models->len, ==, 3);

  model = g_ptr_array_index (models, 0);
  g_assert_cmpstr (cria_model_get_name (model), ==, "deepseek-r1:latest");
  display = cria_model_dup_display_name (model);
  g_assert_cmpstr (display, ==, "deepseek-r1");
  g_assert_cmpint (cria_model_get_size (model), ==, G_GINT64_CONSTANT (4683075271));
  g_assert_cmpstr (cria_model_get_family (model), ==, "qwen2");
  g_assert_cmpstr (cria_model_get_parameter_size (model), ==, "7.6B");
  g_assert_cmpstr (cria_model_get_quantization_level (model), ==, "Q4_K_M");
  g_assert_cmpint (cria_model_get_context_length (model), ==, 131072);
  g_assert_true (cria_model_has_capability (model, "thinking"));
  g_assert_false (cria_model_has_capability (model, "vision"));
  g_assert_cmpint (g_date_time_get_year (cria_model_get_modified_at (model)), ==, 2025);

  /* A cloud stub: families null, empty details. */
  model = g_ptr_array_index (models, 1);
  g_assert_cmpstr (cria_model_get_remote_host (model), ==, "https://ollama.com:443");
  g_assert_null (cria_model_get_parameter_size (model));
  g_assert_cmpuint (g_strv_length ((char **) cria_model_get_capabilities (model)), ==, 0);

  model = g_ptr_array_index (models, 2);
  g_assert_true (cria_model_has_capability (model, "some-future-capability"));
  g_assert_cmpint (g_date_time_get_year (cria_model_get_modified_at (model)), ==, 1);
}

static void
test_tags_empty_and_broken (void)
{
  static const char *broken[] = {
    "",
    "not json",
    "[]",
    "{\"models\":{}}",
    "{\"error\":\"boom\"}",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) models = NULL;
  g_autofree char *data = NULL;
  gsize length;

  data = load_fixture ("tags-empty.json", &length);
  models = _cria_client_parse_tags (data, length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (models->len, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GPtrArray) none = _cria_client_parse_tags (broken[i], strlen (broken[i]), &local_error);

      g_assert_null (none);
      g_assert_nonnull (local_error);
      g_assert_true (local_error->domain == CRIA_CLIENT_ERROR);
    }
}

static void
test_version (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *version = _cria_client_parse_version ("{\"version\":\"0.33.0-rc2\"}", 24, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (version, ==, "0.33.0-rc2");
}

/* Runs every line of a fixture through the chat seam, like a stream. */
static void
test_chat_thinking (void)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *data = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) content = g_string_new (NULL);
  g_autoptr(GString) thinking = g_string_new (NULL);
  CriaChatMetrics metrics = { 0 };
  gboolean done = FALSE;

  data = load_fixture ("chat-thinking.ndjson", NULL);
  lines = g_strsplit (data, "\n", -1);

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr(GError) error = NULL;
      CriaChatChunk chunk;

      g_assert_true (_cria_client_parse_chat_line (parser, lines[i], strlen (lines[i]),
                                                   &chunk, &metrics, &error));
      g_assert_no_error (error);
      g_string_append (content, chunk.content);
      g_string_append (thinking, chunk.thinking);
      done = chunk.done;
    }

  g_assert_true (done);
  /* The final line's text is merged, and escapes are decoded. */
  g_assert_cmpstr (content->str, ==, "17 × 23 = 391 🦙");
  g_assert_cmpstr (thinking->str, ==, "Okay, the user asks <math>.");
  g_assert_cmpstr (metrics.done_reason, ==, "stop");
  g_assert_cmpint (metrics.eval_count, ==, 15);
  g_assert_cmpint (metrics.eval_duration, ==, 115959084);
  g_assert_cmpint (metrics.load_duration, ==, 41295167);
  g_assert_cmpfloat_with_epsilon (cria_chat_metrics_get_tokens_per_second (&metrics),
                                  15 / 0.115959084, 0.001);
  g_free (metrics.done_reason);
}

static void
test_chat_tools (void)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(CriaChatMessage) message = cria_chat_message_new (CRIA_MESSAGE_ROLE_ASSISTANT, NULL);
  g_autofree char *data = NULL;
  g_auto(GStrv) lines = NULL;
  CriaChatMetrics metrics = { 0 };
  JsonArray *calls;
  JsonObject *function;

  data = load_fixture ("chat-tools.ndjson", NULL);
  lines = g_strsplit (data, "\n", -1);

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr(GError) error = NULL;
      CriaChatChunk chunk;

      g_assert_true (_cria_client_parse_chat_line (parser, lines[i], strlen (lines[i]),
                                                   &chunk, &metrics, &error));
      g_assert_nonnull (chunk.tool_calls);
      cria_chat_message_add_tool_calls (message, chunk.tool_calls);
    }

  /* Calls in a non-final and in the final line; id and index may be missing. */
  calls = cria_chat_message_get_tool_calls (message);
  g_assert_cmpuint (json_array_get_length (calls), ==, 2);
  function = json_object_get_object_member (json_array_get_object_element (calls, 1), "function");
  g_assert_cmpstr (json_object_get_string_member (function, "name"), ==, "get_time");
  g_assert_cmpint (metrics.eval_count, ==, 0);
  g_free (metrics.done_reason);
}

static void
test_chat_bad_lines (void)
{
  static const struct {
    const char *line;
    CriaClientError code;
  } cases[] = {
    { "{\"error\":\"an error was encountered while running the model\"}", CRIA_CLIENT_ERROR_SERVER },
    { "{\"error\":{\"message\":\"upstream\",\"type\":\"x\"}}", CRIA_CLIENT_ERROR_SERVER },
    { "{\"model\":\"x\",\"message\":{\"content\":\"a\"}", CRIA_CLIENT_ERROR_PROTOCOL },
    { "<html>502 Bad Gateway</html>", CRIA_CLIENT_ERROR_PROTOCOL },
    { "[1,2,3]", CRIA_CLIENT_ERROR_PROTOCOL },
    { "{\"something\":\"else\"}", CRIA_CLIENT_ERROR_PROTOCOL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      g_autoptr(GError) error = NULL;
      CriaChatChunk chunk;

      g_assert_false (_cria_client_parse_chat_line (parser, cases[i].line, strlen (cases[i].line),
                                                    &chunk, NULL, &error));
      g_assert_error (error, CRIA_CLIENT_ERROR, (int) cases[i].code);
    }
}

static void
test_pull_progress (void)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *data = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) statuses = g_ptr_array_new_with_free_func (g_free);
  gint64 last_completed = 0;
  gint64 last_total = 0;

  data = load_fixture ("pull.ndjson", NULL);
  lines = g_strsplit (data, "\n", -1);

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr(GError) error = NULL;
      CriaProgressLine progress;

      g_assert_true (_cria_client_parse_progress_line (parser, lines[i], strlen (lines[i]),
                                                       &progress, &error));
      g_assert_no_error (error);
      g_ptr_array_add (statuses, g_strdup (progress.status));

      if (i == 1)
        {
          /* `completed` is left out while 0. */
          g_assert_cmpint (progress.completed, ==, 0);
          g_assert_cmpint (progress.total, ==, G_GINT64_CONSTANT (2019377376));
          g_assert_cmpstr (progress.digest, ==,
                           "sha256:dde5aa3fc5ffc17176b5e8bdc82f587b24b2678c6c66101bf7da77af9f7ccdff");
        }
      if (progress.digest != NULL && g_str_has_prefix (progress.digest, "sha256:dde5"))
        {
          last_completed = progress.completed;
          last_total = progress.total;
        }
      if (progress.digest == NULL)
        g_assert_cmpint (progress.total, ==, 0);
    }

  /* A completed count past the total is clamped. */
  g_assert_cmpint (last_completed, ==, last_total);
  g_assert_cmpuint (statuses->len, ==, 9);
  g_assert_cmpstr (g_ptr_array_index (statuses, 0), ==, "pulling manifest");
  g_assert_cmpstr (g_ptr_array_index (statuses, 8), ==, "success");
}

static void
test_pull_error_line (void)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  const char *line = "{\"error\":\"pull model manifest: file does not exist\"}";
  CriaProgressLine progress;

  g_assert_false (_cria_client_parse_progress_line (parser, line, strlen (line), &progress, &error));
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_SERVER);
  g_assert_cmpstr (error->message, ==, "pull model manifest: file does not exist");
}

static void
test_error_from_response (void)
{
  static const struct {
    guint status;
    const char *content_type;
    const char *body;
    CriaClientError code;
    const char *message;
  } cases[] = {
    { 404, "application/json; charset=utf-8", "{\"error\":\"model 'x' not found\"}",
      CRIA_CLIENT_ERROR_MODEL_NOT_FOUND, "model 'x' not found" },
    { 404, "text/plain", "404 page not found",
      CRIA_CLIENT_ERROR_HTTP, "HTTP 404 Not Found: 404 page not found" },
    { 400, "application/json", "{\"error\":\"\\\"llama3\\\" does not support thinking\"}",
      CRIA_CLIENT_ERROR_BAD_REQUEST, "\"llama3\" does not support thinking" },
    { 503, "application/json", "{\"error\":\"server busy, please try again.  maximum pending requests exceeded\"}",
      CRIA_CLIENT_ERROR_BUSY, "server busy, please try again.  maximum pending requests exceeded" },
    { 401, "text/html", "<html>\n<head><title>401 Authorization Required</title></head>\n</html>",
      CRIA_CLIENT_ERROR_UNAUTHORIZED, "HTTP 401 Unauthorized: <html> <head><title>401 Authorization Required</title></head> </html>" },
    { 403, NULL, "", CRIA_CLIENT_ERROR_UNAUTHORIZED, "HTTP 403 Forbidden" },
    { 500, NULL, "", CRIA_CLIENT_ERROR_HTTP, "HTTP 500 Internal Server Error" },
    { 500, "application/json", "{\"error\":\"model requires more system memory\"}",
      CRIA_CLIENT_ERROR_SERVER, "model requires more system memory" },
    { 502, "text/html", "\xff\xfe bad gateway", CRIA_CLIENT_ERROR_HTTP, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      error = _cria_client_error_from_response (cases[i].status, NULL, cases[i].content_type,
                                                cases[i].body, strlen (cases[i].body));
      g_assert_error (error, CRIA_CLIENT_ERROR, (int) cases[i].code);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      if (cases[i].message != NULL)
        g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_request_json (void)
{
  g_autoptr(CriaChatRequest) request = cria_chat_request_new ("llava:7b");
  g_autoptr(CriaChatMessage) user = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, "What is <this>?");
  g_autoptr(GBytes) image = g_bytes_new_static ("\x89PNG\r\n", 6);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  JsonObject *root;
  JsonObject *message;
  gsize length;

  cria_chat_message_add_image (user, image);
  cria_chat_request_add_message (request, user);
  cria_chat_request_set_think (request, CRIA_THINK_MODE_OFF);
  cria_chat_request_set_keep_alive (request, "5m");
  cria_chat_request_set_option_double (request, "temperature", 0.5);
  cria_chat_request_set_option_int (request, "num_ctx", 8192);

  json = cria_chat_request_to_json (request, &length);
  json_parser_load_from_data (parser, json, length, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));

  g_assert_cmpstr (json_object_get_string_member (root, "model"), ==, "llava:7b");
  g_assert_true (json_object_get_boolean_member (root, "stream"));
  g_assert_false (json_object_get_boolean_member (root, "think"));
  g_assert_cmpstr (json_object_get_string_member (root, "keep_alive"), ==, "5m");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "options"), "num_ctx"), ==, 8192);
  message = json_array_get_object_element (json_object_get_array_member (root, "messages"), 0);
  g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, "What is <this>?");
  /* Bare standard base64: a data: URL prefix makes Ollama answer 400. */
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (message, "images"), 0),
                   ==, "iVBORw0K");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cria/client/parse/tags", test_tags);
  g_test_add_func ("/cria/client/parse/tags-empty-and-broken", test_tags_empty_and_broken);
  g_test_add_func ("/cria/client/parse/version", test_version);
  g_test_add_func ("/cria/client/parse/chat-thinking", test_chat_thinking);
  g_test_add_func ("/cria/client/parse/chat-tools", test_chat_tools);
  g_test_add_func ("/cria/client/parse/chat-bad-lines", test_chat_bad_lines);
  g_test_add_func ("/cria/client/parse/pull-progress", test_pull_progress);
  g_test_add_func ("/cria/client/parse/pull-error-line", test_pull_error_line);
  g_test_add_func ("/cria/client/parse/error-from-response", test_error_from_response);
  g_test_add_func ("/cria/client/parse/request-json", test_request_json);

  return g_test_run ();
}
