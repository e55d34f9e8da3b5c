/* test-test-server.c: the Ollama simulator's wire behaviour, seen with plain libsoup
 *
 * What CriaClient's tests rely on, checked byte for byte against
 * ollama-protocol.md: framing, omitempty, errors, cancellation as the
 * server sees it, and restarting on the same port.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "cria-test-server.h"
#include "cria-test-utils.h"

typedef struct
{
  CriaTestServer *server;
  SoupSession    *session;
  char           *url;
} Fixture;

typedef struct
{
  guint         status;
  char         *content_type;     /* the whole header */
  SoupEncoding  encoding;
  goffset       content_length;
  GByteArray   *body;
  GError       *error;            /* a read error after the headers */
} Reply;

static void
reply_free (Reply *reply)
{
  g_free (reply->content_type);
  g_byte_array_unref (reply->body);
  g_clear_error (&reply->error);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = cria_test_server_new ();
  g_assert_true (cria_test_server_start (f->server, 0, &error));
  g_assert_no_error (error);

  f->url = cria_test_server_dup_url (f->server);
  f->session = soup_session_new_with_options ("timeout", 0, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  soup_session_abort (f->session);
  g_clear_object (&f->session);
  g_assert_finalize_object (f->server);
  g_free (f->url);
}

static SoupMessage *
message_new (Fixture    *f,
             const char *method,
             const char *path,
             const char *body)
{
  g_autofree char *uri = g_strconcat (f->url, path, NULL);
  SoupMessage *msg = soup_message_new (method, uri);

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  return msg;
}

/* Sends a request and reads the whole body; a read error is kept. */
static Reply *
request (Fixture    *f,
         const char *method,
         const char *path,
         const char *body)
{
  g_autoptr(SoupMessage) msg = message_new (f, method, path, body);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  Reply *reply = g_new0 (Reply, 1);

  soup_session_send_async (f->session, msg, G_PRIORITY_DEFAULT, NULL,
                           cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  stream = soup_session_send_finish (f->session, result, &error);
  g_assert_no_error (error);

  headers = soup_message_get_response_headers (msg);
  reply->status = soup_message_get_status (msg);
  reply->content_type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));
  reply->encoding = soup_message_headers_get_encoding (headers);
  reply->content_length = soup_message_headers_get_content_length (headers);
  reply->body = g_byte_array_new ();

  for (;;)
    {
      g_autoptr(GAsyncResult) read_result = NULL;
      g_autoptr(GBytes) bytes = NULL;

      g_input_stream_read_bytes_async (stream, 65536, G_PRIORITY_DEFAULT, NULL,
                                       cria_test_store_result_cb, &read_result);
      cria_test_wait_until (read_result != NULL);
      bytes = g_input_stream_read_bytes_finish (stream, read_result, &reply->error);
      if (bytes == NULL || g_bytes_get_size (bytes) == 0)
        break;
      g_byte_array_append (reply->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }

  return reply;
}

static char *
body_text (Reply *reply)
{
  return g_strndup ((const char *) reply->body->data, reply->body->len);
}

/* The body split after every "\n"; each line keeps its newline. */
static GStrv
body_lines (Reply *reply)
{
  g_autofree char *text = body_text (reply);
  GPtrArray *lines = g_ptr_array_new ();
  const char *p = text;

  while (*p != '\0')
    {
      const char *newline = strchr (p, '\n');
      const char *end = newline != NULL ? newline + 1 : p + strlen (p);

      g_ptr_array_add (lines, g_strndup (p, end - p));
      p = end;
    }
  g_ptr_array_add (lines, NULL);

  return (GStrv) g_ptr_array_free (lines, FALSE);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static const char *
message_content (JsonObject *line)
{
  return json_object_get_string_member (json_object_get_object_member (line, "message"), "content");
}

static JsonObject *
first_tool_call (JsonObject *line)
{
  JsonObject *message = json_object_get_object_member (line, "message");

  return json_array_get_object_element (json_object_get_array_member (message, "tool_calls"), 0);
}

static const char *
chat_body (const char *model)
{
  static char buffer[256];

  g_snprintf (buffer, sizeof buffer,
              "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}", model);
  return buffer;
}

/* ------------------------------------------------------------------------ */

static void
test_plain_json (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(Reply) version = NULL;
  g_autoptr(Reply) head = NULL;
  g_autoptr(Reply) root = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autofree char *text = NULL;

  cria_test_server_set_version (f->server, "0.33.0-rc2");
  version = request (f, "GET", "/api/version", NULL);
  g_assert_cmpuint (version->status, ==, 200);
  g_assert_cmpstr (version->content_type, ==, "application/json; charset=utf-8");
  g_assert_cmpint (version->encoding, ==, SOUP_ENCODING_CONTENT_LENGTH);
  text = body_text (version);
  g_assert_cmpstr (text, ==, "{\"version\":\"0.33.0-rc2\"}");
  g_assert_false (g_str_has_suffix (text, "\n"));

  head = request (f, "HEAD", "/api/tags", NULL);
  g_assert_cmpuint (head->status, ==, 200);
  g_assert_cmpstr (head->content_type, ==, "application/json; charset=utf-8");
  g_assert_cmpint (head->content_length, >, 0);
  g_assert_cmpuint (head->body->len, ==, 0);

  root = request (f, "GET", "/", NULL);
  g_clear_pointer (&text, g_free);
  text = body_text (root);
  g_assert_cmpstr (root->content_type, ==, "text/plain; charset=utf-8");
  g_assert_cmpstr (text, ==, "Ollama is running");
}

static void
test_router_errors (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(Reply) unknown = request (f, "GET", "/api/nothing", NULL);
  g_autoptr(Reply) method = request (f, "GET", "/api/chat", NULL);
  g_autoptr(Reply) empty = request (f, "POST", "/api/chat", NULL);
  g_autofree char *unknown_text = body_text (unknown);
  g_autofree char *method_text = body_text (method);
  g_autofree char *empty_text = body_text (empty);

  g_assert_cmpuint (unknown->status, ==, 404);
  g_assert_cmpstr (unknown->content_type, ==, "text/plain");
  g_assert_cmpstr (unknown_text, ==, "404 page not found");

  g_assert_cmpuint (method->status, ==, 405);
  g_assert_cmpstr (method->content_type, ==, "text/plain");
  g_assert_cmpstr (method_text, ==, "405 method not allowed");

  g_assert_cmpuint (empty->status, ==, 400);
  g_assert_cmpstr (empty_text, ==, "{\"error\":\"missing request body\"}");
}

static void
test_tags (Fixture       *f,
           gconstpointer  data)
{
  CriaTestFaults faults = { .old_server = TRUE, .families_null = TRUE };
  g_autoptr(Reply) reply = request (f, "GET", "/api/tags", NULL);
  g_autoptr(Reply) old = NULL;
  g_autoptr(JsonObject) tags = NULL;
  g_autoptr(JsonObject) old_tags = NULL;
  g_autoptr(GRegex) local_time = g_regex_new ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d"
                                               "(\\.\\d*[1-9])?(Z|[+-]\\d\\d:\\d\\d)$",
                                               0, 0, NULL);
  g_autofree char *text = body_text (reply);
  gboolean saw_thinking = FALSE;
  JsonArray *models;

  tags = parse_object (text);
  models = json_object_get_array_member (tags, "models");
  g_assert_cmpuint (json_array_get_length (models), >=, 3);

  for (guint i = 0; i < json_array_get_length (models); i++)
    {
      JsonObject *model = json_array_get_object_element (models, i);
      JsonObject *details = json_object_get_object_member (model, "details");

      g_assert_cmpstr (json_object_get_string_member (model, "name"), ==,
                       json_object_get_string_member (model, "model"));
      g_assert_true (g_regex_match (local_time,
                                    json_object_get_string_member (model, "modified_at"),
                                    0, NULL));
      g_assert_cmpint (json_object_get_int_member (model, "size"), >, 0);
      g_assert_cmpuint (strlen (json_object_get_string_member (model, "digest")), ==, 64);
      g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (details, "families")));
      g_assert_true (json_object_has_member (model, "capabilities"));

      if (g_str_equal (json_object_get_string_member (model, "name"), "qwen3:0.6b"))
        {
          JsonArray *capabilities = json_object_get_array_member (model, "capabilities");

          for (guint j = 0; j < json_array_get_length (capabilities); j++)
            saw_thinking |= g_str_equal (json_array_get_string_element (capabilities, j),
                                         "thinking");
        }
    }
  g_assert_true (saw_thinking);

  /* Old servers: no capabilities; details.families can be null. */
  cria_test_server_set_faults (f->server, &faults);
  old = request (f, "GET", "/api/tags", NULL);
  g_clear_pointer (&text, g_free);
  text = body_text (old);
  old_tags = parse_object (text);
  models = json_object_get_array_member (old_tags, "models");
  for (guint i = 0; i < json_array_get_length (models); i++)
    {
      JsonObject *model = json_array_get_object_element (models, i);
      JsonObject *details = json_object_get_object_member (model, "details");

      g_assert_false (json_object_has_member (model, "capabilities"));
      g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (details, "families")));
    }

  /* An empty list is [], never null. */
  cria_test_server_clear_models (f->server);
  {
    g_autoptr(Reply) empty = request (f, "GET", "/api/tags", NULL);
    g_autofree char *empty_text = body_text (empty);

    g_assert_cmpstr (empty_text, ==, "{\"models\":[]}");
  }
}

static void
test_chat_stream (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(Reply) reply = NULL;
  g_autoptr(GRegex) utc = g_regex_new ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d"
                                       "(\\.\\d{0,8}[1-9])?Z$", 0, 0, NULL);
  g_auto(GStrv) lines = NULL;
  const char *expected[] = { "alpha", " beta", " gamma" };

  cria_test_server_set_reply (f->server, "alpha beta gamma", NULL);
  reply = request (f, "POST", "/api/chat", chat_body ("LLAMA3.2"));

  g_assert_no_error (reply->error);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (reply->content_type, ==, "application/x-ndjson");
  g_assert_cmpint (reply->encoding, ==, SOUP_ENCODING_CHUNKED);

  lines = body_lines (reply);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonObject) line = NULL;
      JsonObject *message;

      g_assert_true (g_str_has_suffix (lines[i], "}\n"));
      line = parse_object (lines[i]);

      /* The model string as sent, created_at in UTC with trimmed nanoseconds. */
      g_assert_cmpstr (json_object_get_string_member (line, "model"), ==, "LLAMA3.2");
      message = json_object_get_object_member (line, "message");
      g_assert_true (g_regex_match (utc, json_object_get_string_member (line, "created_at"),
                                    0, NULL));
      g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, "assistant");

      if (i < 3)
        {
          g_assert_cmpstr (message_content (line), ==, expected[i]);
          g_assert_false (json_object_get_boolean_member (line, "done"));
          /* omitempty */
          g_assert_false (json_object_has_member (line, "done_reason"));
          g_assert_false (json_object_has_member (line, "eval_count"));
          g_assert_false (json_object_has_member (json_object_get_object_member (line, "message"),
                                                  "thinking"));
        }
      else
        {
          g_assert_cmpstr (message_content (line), ==, "");
          g_assert_true (json_object_get_boolean_member (line, "done"));
          g_assert_cmpstr (json_object_get_string_member (line, "done_reason"), ==, "stop");
          g_assert_cmpint (json_object_get_int_member (line, "eval_count"), ==, 3);
          g_assert_cmpint (json_object_get_int_member (line, "eval_duration"), >, 0);
          g_assert_cmpint (json_object_get_int_member (line, "prompt_eval_count"), >, 0);
          g_assert_cmpint (json_object_get_int_member (line, "total_duration"), >, 0);
        }
    }

  /* What the server saw. */
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/chat"), ==, 1);
  {
    g_autofree char *body = cria_test_server_dup_last_body (f->server, "/api/chat");
    g_autofree char *type = cria_test_server_dup_last_header (f->server, "/api/chat",
                                                              "Content-Type");

    g_assert_cmpstr (body, ==, chat_body ("LLAMA3.2"));
    g_assert_cmpstr (type, ==, "application/json");
  }

  /* ps lists the model it loaded. */
  g_assert_true (cria_test_server_is_model_loaded (f->server, "llama3.2"));
  {
    g_autoptr(Reply) ps = request (f, "GET", "/api/ps", NULL);
    g_autofree char *text = body_text (ps);

    g_assert_nonnull (strstr (text, "\"name\":\"llama3.2:latest\""));
    g_assert_nonnull (strstr (text, "\"expires_at\":"));
  }
}

static void
test_chat_thinking_and_tools (Fixture       *f,
                              gconstpointer  data)
{
  CriaTestFaults faults = { .tool_calls = CRIA_TEST_TOOL_CALLS_IN_CHUNK };
  g_autoptr(Reply) reply = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) tool_line = NULL;
  JsonObject *call;
  guint n;

  cria_test_server_set_reply (f->server, "391", "Seventeen times twenty-three.");
  cria_test_server_set_faults (f->server, &faults);
  reply = request (f, "POST", "/api/chat", chat_body ("qwen3:0.6b"));
  lines = body_lines (reply);
  n = g_strv_length (lines);

  /* Thinking first (content ""), then content, the tool call, done. */
  first = parse_object (lines[0]);
  g_assert_cmpstr (message_content (first), ==, "");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (first, "message"),
                                                  "thinking"), ==, "Seventeen");
  g_assert_cmpuint (n, ==, 3 + 1 + 1 + 1);

  tool_line = parse_object (lines[n - 2]);
  g_assert_false (json_object_get_boolean_member (tool_line, "done"));
  g_assert_cmpstr (message_content (tool_line), ==, "");
  call = first_tool_call (tool_line);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (call, "id"), "call_"));
  g_assert_cmpuint (strlen (json_object_get_string_member (call, "id")), ==, 13);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (call, "function"),
                                               "index"), ==, 0);

  /* think:true on a model that cannot. */
  {
    g_autoptr(Reply) refused = request (f, "POST", "/api/chat",
                                        "{\"model\":\"llama3.2\",\"think\":true,"
                                        "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    g_autofree char *text = body_text (refused);

    g_assert_cmpuint (refused->status, ==, 400);
    g_assert_cmpstr (text, ==, "{\"error\":\"\\\"llama3.2\\\" does not support thinking\"}");
  }

  /* Old servers: no id, no index. */
  faults.old_server = TRUE;
  faults.tool_calls = CRIA_TEST_TOOL_CALLS_IN_FINAL;
  cria_test_server_set_faults (f->server, &faults);
  {
    g_autoptr(Reply) old = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
    g_auto(GStrv) old_lines = body_lines (old);
    g_autoptr(JsonObject) last = parse_object (old_lines[g_strv_length (old_lines) - 1]);

    call = first_tool_call (last);
    g_assert_true (json_object_get_boolean_member (last, "done"));
    g_assert_false (json_object_has_member (call, "id"));
    g_assert_false (json_object_has_member (json_object_get_object_member (call, "function"),
                                            "index"));
  }
}

static void
test_chat_plain_replies (Fixture       *f,
                         gconstpointer  data)
{
  CriaTestFaults faults = { .drop_metrics = TRUE };

  /* Empty messages load the model: plain JSON even when streaming. */
  {
    g_autoptr(Reply) load = request (f, "POST", "/api/chat",
                                     "{\"model\":\"llama3.2\",\"messages\":[]}");
    g_autofree char *text = body_text (load);
    g_autoptr(JsonObject) object = parse_object (text);

    g_assert_cmpstr (load->content_type, ==, "application/json; charset=utf-8");
    g_assert_false (g_str_has_suffix (text, "\n"));
    g_assert_cmpstr (json_object_get_string_member (object, "done_reason"), ==, "load");
    g_assert_true (cria_test_server_is_model_loaded (f->server, "llama3.2:latest"));
  }
  {
    g_autoptr(Reply) unload = request (f, "POST", "/api/chat",
                                       "{\"model\":\"llama3.2\",\"messages\":[],\"keep_alive\":0}");
    g_autofree char *text = body_text (unload);
    g_autoptr(JsonObject) object = parse_object (text);

    g_assert_cmpstr (json_object_get_string_member (object, "done_reason"), ==, "unload");
    g_assert_false (cria_test_server_is_model_loaded (f->server, "llama3.2:latest"));
  }

  /* stream:false: one object, everything in it; no metrics when dropped. */
  cria_test_server_set_reply (f->server, "alpha beta", NULL);
  cria_test_server_set_faults (f->server, &faults);
  {
    g_autoptr(Reply) single = request (f, "POST", "/api/chat",
                                       "{\"model\":\"llama3.2\",\"stream\":false,"
                                       "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    g_autofree char *text = body_text (single);
    g_autoptr(JsonObject) object = parse_object (text);

    g_assert_cmpstr (single->content_type, ==, "application/json; charset=utf-8");
    g_assert_cmpstr (message_content (object), ==, "alpha beta");
    g_assert_true (json_object_get_boolean_member (object, "done"));
    g_assert_false (json_object_has_member (object, "eval_count"));
    g_assert_false (json_object_has_member (object, "total_duration"));
  }

  /* Errors before streaming: real status, JSON, the name as sent. */
  {
    g_autoptr(Reply) missing = request (f, "POST", "/api/chat", chat_body ("Missing-Model:9b"));
    g_autofree char *text = body_text (missing);

    g_assert_cmpuint (missing->status, ==, 404);
    g_assert_cmpstr (missing->content_type, ==, "application/json; charset=utf-8");
    g_assert_cmpstr (text, ==, "{\"error\":\"model 'Missing-Model:9b' not found\"}");
  }
  {
    g_autoptr(Reply) no_model = request (f, "POST", "/api/chat", chat_body (""));
    g_autofree char *text = body_text (no_model);

    g_assert_cmpuint (no_model->status, ==, 400);
    g_assert_cmpstr (text, ==, "{\"error\":\"model is required\"}");
  }
  {
    g_autoptr(Reply) image = request (f, "POST", "/api/chat",
                                      "{\"model\":\"llava:7b\",\"messages\":[{\"role\":\"user\","
                                      "\"content\":\"x\","
                                      "\"images\":[\"data:image/png;base64,AAAA\"]}]}");
    g_autofree char *text = body_text (image);

    g_assert_cmpuint (image->status, ==, 400);
    g_assert_cmpstr (text, ==, "{\"error\":\"illegal base64 data at input byte 4\"}");
  }
}

static void
test_reply_queue (Fixture       *f,
                  gconstpointer  data)
{
  const char *plain = "{\"model\":\"llama3.2\",\"stream\":false,"
                      "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

  /* Queued replies go to the next requests in order, a failure too, then
   * the set reply again */
  cria_test_server_set_reply (f->server, "the usual", NULL);
  cria_test_server_queue_reply (f->server, "first queued", NULL);
  cria_test_server_queue_failure (f->server, 500);
  cria_test_server_queue_reply (f->server, "third queued", NULL);
  {
    g_autoptr(Reply) reply = request (f, "POST", "/api/chat", plain);
    g_autofree char *text = body_text (reply);
    g_autoptr(JsonObject) object = parse_object (text);

    g_assert_cmpstr (message_content (object), ==, "first queued");
  }
  {
    g_autoptr(Reply) reply = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
    g_autofree char *text = body_text (reply);

    g_assert_cmpuint (reply->status, ==, 500);
    g_assert_cmpstr (reply->content_type, ==, "application/json; charset=utf-8");
    g_assert_true (g_str_has_prefix (text, "{\"error\":\""));
  }
  {
    g_auto(GStrv) lines = NULL;
    g_autoptr(Reply) reply = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
    g_autoptr(GString) content = g_string_new (NULL);

    lines = body_lines (reply);
    for (guint i = 0; lines[i] != NULL; i++)
      {
        g_autoptr(JsonObject) line = parse_object (lines[i]);

        g_string_append (content, message_content (line));
      }
    g_assert_cmpstr (content->str, ==, "third queued");
  }
  {
    g_autoptr(Reply) reply = request (f, "POST", "/api/chat", plain);
    g_autofree char *text = body_text (reply);
    g_autoptr(JsonObject) object = parse_object (text);

    g_assert_cmpstr (message_content (object), ==, "the usual");
  }
}

static void
test_early_errors (Fixture       *f,
                   gconstpointer  data)
{
  CriaTestFaults status_faults = { .early_error = CRIA_TEST_EARLY_ERROR_STATUS,
                                   .early_error_status = 429 };
  CriaTestFaults legacy_faults = { .early_error = CRIA_TEST_EARLY_ERROR_LEGACY_200 };
  g_autoptr(Reply) status = NULL;
  g_autoptr(Reply) legacy = NULL;
  g_autofree char *status_text = NULL;
  g_autofree char *legacy_text = NULL;

  cria_test_server_set_faults (f->server, &status_faults);
  status = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
  status_text = body_text (status);

  cria_test_server_set_faults (f->server, &legacy_faults);
  legacy = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
  legacy_text = body_text (legacy);

  /* v0.12.6+: the real status, plain JSON, no newline. */
  g_assert_cmpuint (status->status, ==, 429);
  g_assert_cmpstr (status->content_type, ==, "application/json; charset=utf-8");
  g_assert_true (g_str_has_prefix (status_text, "{\"error\":\""));
  g_assert_true (g_str_has_suffix (status_text, "\"}"));

  /* Before: 200, NDJSON, the same error as one line. */
  g_assert_cmpuint (legacy->status, ==, 200);
  g_assert_cmpstr (legacy->content_type, ==, "application/x-ndjson");
  g_assert_true (g_str_has_suffix (legacy_text, "\n"));
  legacy_text[strlen (legacy_text) - 1] = '\0';
  g_assert_cmpstr (legacy_text, ==, status_text);

  /* The default status is 500. */
  status_faults.early_error_status = 0;
  cria_test_server_set_faults (f->server, &status_faults);
  {
    g_autoptr(Reply) fallback = request (f, "POST", "/api/chat", chat_body ("llama3.2"));

    g_assert_cmpuint (fallback->status, ==, 500);
  }
}

static void
test_mid_stream_faults (Fixture       *f,
                        gconstpointer  data)
{
  cria_test_server_set_reply (f->server, "one two three four five six", NULL);

  /* Regime 3: lines, then {"error"}, then a clean end without done. */
  {
    CriaTestFaults faults = { .error_mid_stream_after = 3 };
    g_autoptr(Reply) reply = NULL;
    g_auto(GStrv) lines = NULL;

    cria_test_server_set_faults (f->server, &faults);
    reply = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
    lines = body_lines (reply);

    g_assert_no_error (reply->error);
    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_cmpuint (g_strv_length (lines), ==, 4);
    g_assert_true (g_str_has_prefix (lines[3], "{\"error\":\""));
    g_assert_true (g_str_has_suffix (lines[3], "\"}\n"));
  }

  /* Truncated: a clean end after two lines. */
  {
    CriaTestFaults faults = { .truncate_after = 2 };
    g_autoptr(Reply) reply = NULL;
    g_auto(GStrv) lines = NULL;

    cria_test_server_set_faults (f->server, &faults);
    reply = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
    lines = body_lines (reply);

    g_assert_no_error (reply->error);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    g_assert_null (strstr (lines[1], "\"done\":true"));
  }

  /* Aborted: the connection ends inside the body, a read error. */
  {
    CriaTestFaults faults = { .abort_after = 2 };
    g_autoptr(Reply) reply = NULL;
    g_auto(GStrv) lines = NULL;

    cria_test_server_set_faults (f->server, &faults);
    reply = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
    lines = body_lines (reply);

    g_assert_nonnull (reply->error);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
  }

  /* A bad line replaces line 2; line 1 came before. */
  {
    CriaTestFaults faults = { .garbage_line_at = 2 };
    g_autoptr(Reply) reply = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(JsonParser) parser = json_parser_new ();

    cria_test_server_set_faults (f->server, &faults);
    reply = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
    lines = body_lines (reply);

    g_assert_nonnull (strstr (lines[0], "\"content\":\"one\""));
    g_assert_false (json_parser_load_from_data (parser, lines[1], -1, NULL));
  }
  {
    CriaTestFaults faults = { .invalid_utf8_at = 2 };
    g_autoptr(Reply) reply = NULL;
    g_auto(GStrv) lines = NULL;

    cria_test_server_set_faults (f->server, &faults);
    reply = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
    lines = body_lines (reply);

    g_assert_true (g_utf8_validate (lines[0], -1, NULL));
    g_assert_false (g_utf8_validate (lines[1], -1, NULL));
  }

  /* None of these is a cancellation: they ended on purpose. */
  cria_test_wait_until (cria_test_server_get_active_streams (f->server) == 0);
  g_assert_cmpuint (cria_test_server_get_cancellations (f->server), ==, 0);
}

static void
test_framing_faults (Fixture       *f,
                     gconstpointer  data)
{
  const char *reply_text = "Ça va? Привет ь 🦙 — «naïve» <b>&</b>";
  g_autoptr(Reply) reference = NULL;
  g_auto(GStrv) reference_lines = NULL;
  CriaTestFaults variants[] = {
    { .split_lines_bytes = 1 },
    { .split_lines_bytes = 7 },
    { .coalesce_lines = TRUE },
    { .split_inside_utf8 = TRUE },
  };

  cria_test_server_set_reply (f->server, reply_text, NULL);
  reference = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
  reference_lines = body_lines (reference);

  /* Go's encoding/json escapes <, > and & */
  g_assert_nonnull (strstr (reference_lines[g_strv_length (reference_lines) - 2],
                            "\\u003c/b\\u003e"));

  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autoptr(Reply) reply = NULL;
      g_auto(GStrv) lines = NULL;
      GString *content = g_string_new (NULL);

      cria_test_server_set_faults (f->server, &variants[i]);
      reply = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
      lines = body_lines (reply);

      g_assert_no_error (reply->error);
      g_assert_cmpuint (g_strv_length (lines), ==, g_strv_length (reference_lines));
      for (guint j = 0; lines[j] != NULL; j++)
        {
          g_autoptr(JsonObject) line = parse_object (lines[j]);

          g_string_append (content, message_content (line));
        }
      g_assert_cmpstr (content->str, ==, reply_text);
      g_string_free (content, TRUE);
    }

  /* A long first line, padded with an unknown member. */
  {
    CriaTestFaults faults = { .huge_line_bytes = 1024 * 1024 };
    g_autoptr(Reply) reply = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(JsonObject) first = NULL;

    cria_test_server_set_faults (f->server, &faults);
    reply = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
    lines = body_lines (reply);
    g_assert_cmpuint (strlen (lines[0]), ==, 1024 * 1024);
    first = parse_object (lines[0]);
    g_assert_cmpstr (message_content (first), ==, "Ça");
  }
}

static void
test_request_faults (Fixture       *f,
                     gconstpointer  data)
{
  CriaTestFaults busy = { .fail_first_requests = 2 };
  CriaTestFaults status = { .http_status = 502, .http_status_empty_body = TRUE };

  /* The first N requests, any route, counted from set_faults. */
  cria_test_server_set_faults (f->server, &busy);
  {
    g_autoptr(Reply) first = request (f, "GET", "/api/tags", NULL);
    g_autoptr(Reply) second = request (f, "GET", "/api/version", NULL);
    g_autoptr(Reply) third = request (f, "GET", "/api/version", NULL);
    g_autofree char *text = body_text (first);

    g_assert_cmpuint (first->status, ==, 503);
    g_assert_cmpstr (text, ==, "{\"error\":\"server busy, please try again.  "
                               "maximum pending requests exceeded\"}");
    g_assert_cmpuint (second->status, ==, 503);
    g_assert_cmpuint (third->status, ==, 200);
  }
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/version"), ==, 2);
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/tags"), ==, 1);

  cria_test_server_set_faults (f->server, &status);
  {
    g_autoptr(Reply) reply = request (f, "GET", "/api/tags", NULL);

    g_assert_cmpuint (reply->status, ==, 502);
    g_assert_cmpuint (reply->body->len, ==, 0);
  }

  cria_test_server_reset_counters (f->server);
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/tags"), ==, 0);
  g_assert_null (cria_test_server_dup_last_body (f->server, "/api/tags"));
}

/* The flaky scenario: every Nth request busy, every Nth stream broken. */
static void
test_intermittent_faults (Fixture       *f,
                          gconstpointer  data)
{
  CriaTestFaults faults = { .fail_every_nth_request = 3,
                            .error_mid_stream_every_nth = 2,
                            .error_mid_stream_after = 1 };
  guint statuses[6];
  gboolean errors[6];

  cria_test_server_set_reply (f->server, "alpha beta gamma", NULL);
  cria_test_server_set_faults (f->server, &faults);

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(Reply) reply = request (f, "POST", "/api/chat", chat_body ("llama3.2"));
      g_autofree char *text = body_text (reply);

      statuses[i] = reply->status;
      errors[i] = reply->status == 200 && strstr (text, "{\"error\"") != NULL;
    }

  /* Requests 3 and 6 are busy; of the four streams, the 2nd and 4th fail. */
  g_assert_cmpuint (statuses[2], ==, 503);
  g_assert_cmpuint (statuses[5], ==, 503);
  g_assert_false (errors[0]);
  g_assert_true (errors[1]);
  g_assert_false (errors[3]);
  g_assert_true (errors[4]);
}

static void
test_generate (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(Reply) reply = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) last = NULL;

  cria_test_server_set_reply (f->server, "alpha beta", NULL);
  reply = request (f, "POST", "/api/generate", "{\"model\":\"llama3.2\",\"prompt\":\"Why?\"}");
  lines = body_lines (reply);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);

  first = parse_object (lines[0]);
  last = parse_object (lines[2]);
  g_assert_cmpstr (json_object_get_string_member (first, "response"), ==, "alpha");
  g_assert_false (json_object_has_member (first, "context"));
  g_assert_true (json_object_get_boolean_member (last, "done"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (last, "context")));

  /* Unlike chat, an empty model is a 404 here. */
  {
    g_autoptr(Reply) empty = request (f, "POST", "/api/generate", "{\"model\":\"\"}");
    g_autofree char *text = body_text (empty);

    g_assert_cmpuint (empty->status, ==, 404);
    g_assert_cmpstr (text, ==, "{\"error\":\"model '' not found\"}");
  }
}

static void
test_delete_and_show (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(Reply) show = request (f, "POST", "/api/show", "{\"name\":\"qwen3:0.6b\"}");
  g_autoptr(Reply) deleted = request (f, "DELETE", "/api/delete", "{\"model\":\"LLAMA3.2\"}");
  g_autoptr(Reply) again = request (f, "DELETE", "/api/delete", "{\"name\":\"llama3.2\"}");
  g_autofree char *show_text = body_text (show);
  g_autofree char *again_text = body_text (again);
  g_autoptr(JsonObject) show_object = parse_object (show_text);

  g_assert_cmpuint (show->status, ==, 200);
  g_assert_true (json_object_has_member (show_object, "model_info"));
  g_assert_true (json_object_has_member (show_object, "capabilities"));

  g_assert_cmpuint (deleted->status, ==, 200);
  g_assert_cmpint (deleted->content_length, ==, 0);
  g_assert_cmpuint (deleted->body->len, ==, 0);
  g_assert_false (cria_test_server_has_model (f->server, "llama3.2:latest"));

  g_assert_cmpuint (again->status, ==, 404);
  g_assert_cmpstr (again_text, ==, "{\"error\":\"model 'llama3.2' not found\"}");
}

static void
test_pull (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(Reply) unknown = NULL;
  g_autoptr(Reply) known = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) known_lines = NULL;
  g_autoptr(JsonObject) first_layer = NULL;
  const char *status;
  guint n;

  cria_test_server_set_pull_timing (f->server, 0, 0);

  /* Unknown: 200, then the error line. `name` is accepted for `model`. */
  unknown = request (f, "POST", "/api/pull", "{\"name\":\"nope:1b\"}");
  lines = body_lines (unknown);
  g_assert_cmpuint (unknown->status, ==, 200);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_cmpstr (lines[0], ==, "{\"status\":\"pulling manifest\"}\n");
  g_assert_cmpstr (lines[1], ==, "{\"error\":\"pull model manifest: file does not exist\"}\n");

  {
    g_autoptr(Reply) single = request (f, "POST", "/api/pull",
                                       "{\"model\":\"nope:1b\",\"stream\":false}");

    g_assert_cmpuint (single->status, ==, 500);
  }

  g_assert_false (cria_test_server_has_model (f->server, "qwen3:8b"));
  known = request (f, "POST", "/api/pull", "{\"model\":\"qwen3:8b\"}");
  known_lines = body_lines (known);
  n = g_strv_length (known_lines);

  /* completed is absent while 0 (omitempty). */
  first_layer = parse_object (known_lines[1]);
  status = json_object_get_string_member (first_layer, "status");
  g_assert_true (g_str_has_prefix (status, "pulling "));
  g_assert_cmpuint (strlen (status), ==, 8 + 12);
  g_assert_cmpint (json_object_get_int_member (first_layer, "total"), >, 0);
  g_assert_false (json_object_has_member (first_layer, "completed"));

  g_assert_cmpstr (known_lines[n - 3], ==, "{\"status\":\"verifying sha256 digest\"}\n");
  g_assert_cmpstr (known_lines[n - 2], ==, "{\"status\":\"writing manifest\"}\n");
  g_assert_cmpstr (known_lines[n - 1], ==, "{\"status\":\"success\"}\n");
  g_assert_true (cria_test_server_has_model (f->server, "qwen3:8b"));
}

/* Reads until @n_lines complete lines came, then cancels between reads,
 * as a client does when the user stops, and drops the stream. */
static void
read_then_cancel (Fixture    *f,
                  const char *path,
                  const char *body,
                  guint       n_lines)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(SoupMessage) msg = message_new (f, "POST", path, body);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  guint lines = 0;
  char buffer[1024];

  soup_session_send_async (f->session, msg, G_PRIORITY_DEFAULT, cancellable,
                           cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  stream = soup_session_send_finish (f->session, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  while (lines < n_lines)
    {
      gssize n;

      g_input_stream_read_async (stream, buffer, sizeof buffer, G_PRIORITY_DEFAULT, cancellable,
                                 cria_test_store_result_cb, &result);
      cria_test_wait_until (result != NULL);
      n = g_input_stream_read_finish (stream, result, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_clear_object (&result);

      for (gssize i = 0; i < n; i++)
        lines += buffer[i] == '\n';
    }

  g_cancellable_cancel (cancellable);
  g_input_stream_read_async (stream, buffer, sizeof buffer, G_PRIORITY_DEFAULT, cancellable,
                             cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  g_input_stream_read_finish (stream, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* The results hold the stream too. Dropping the stream and the message
   * closes the connection. */
  g_clear_object (&result);
  g_clear_object (&stream);
  g_clear_object (&msg);
}

static void
test_cancellation (Fixture       *f,
                   gconstpointer  data)
{
  CriaTestFaults faults = { .inter_token_delay_ms = 20 };

  /* A stream that ends normally is not a cancellation. */
  {
    g_autoptr(Reply) reply = request (f, "POST", "/api/chat", chat_body ("llama3.2"));

    g_assert_no_error (reply->error);
    cria_test_wait_until (cria_test_server_get_active_streams (f->server) == 0);
    g_assert_cmpuint (cria_test_server_get_cancellations (f->server), ==, 0);
  }

  cria_test_server_set_generated_reply (f->server, 200);
  cria_test_server_set_faults (f->server, &faults);
  read_then_cancel (f, "/api/chat", chat_body ("llama3.2"), 1);

  cria_test_wait_until (cria_test_server_get_cancellations (f->server) == 1);
  cria_test_wait_until (cria_test_server_get_active_streams (f->server) == 0);
}

/* A pull the client leaves stops; the next one resumes from what came. */
static void
test_pull_resumes (Fixture       *f,
                   gconstpointer  data)
{
  const char *body = "{\"model\":\"qwen3:8b\"}";
  g_autoptr(Reply) reply = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonObject) first_layer = NULL;

  cria_test_server_set_pull_timing (f->server, 10, 256 * 1024 * 1024);
  read_then_cancel (f, "/api/pull", body, 4);
  cria_test_wait_until (cria_test_server_get_cancellations (f->server) == 1);
  cria_test_wait_until (cria_test_server_get_active_streams (f->server) == 0);
  g_assert_false (cria_test_server_has_model (f->server, "qwen3:8b"));

  cria_test_server_set_pull_timing (f->server, 0, 0);
  reply = request (f, "POST", "/api/pull", body);
  lines = body_lines (reply);
  first_layer = parse_object (lines[1]);
  g_assert_cmpint (json_object_get_int_member (first_layer, "completed"), >=,
                   2 * 256 * 1024 * 1024);
  g_assert_cmpint (json_object_get_int_member (first_layer, "completed"), <,
                   json_object_get_int_member (first_layer, "total"));
  g_assert_cmpstr (lines[g_strv_length (lines) - 1], ==, "{\"status\":\"success\"}\n");
  g_assert_true (cria_test_server_has_model (f->server, "qwen3:8b"));
  g_assert_cmpuint (cria_test_server_get_cancellations (f->server), ==, 1);
}

static void
test_restart (Fixture       *f,
              gconstpointer  data)
{
  CriaTestFaults faults = { .stall_after = 1 };
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint port = cria_test_server_get_port (f->server);

  /* A stalled stream in flight: stop closes it, and it is no cancellation. */
  cria_test_server_set_faults (f->server, &faults);
  msg = message_new (f, "POST", "/api/chat", chat_body ("llama3.2"));
  soup_session_send_async (f->session, msg, G_PRIORITY_DEFAULT, NULL,
                           cria_test_store_result_cb, &result);
  cria_test_wait_until (cria_test_server_get_active_streams (f->server) == 1);

  cria_test_server_stop (f->server);
  g_assert_false (cria_test_server_is_running (f->server));
  g_assert_cmpuint (cria_test_server_get_active_streams (f->server), ==, 0);
  g_assert_cmpuint (cria_test_server_get_cancellations (f->server), ==, 0);
  cria_test_wait_until (result != NULL);
  g_clear_object (&result);
  soup_session_abort (f->session);

  /* Nobody listens now. */
  {
    g_autoptr(SoupMessage) refused = message_new (f, "GET", "/api/version", NULL);
    g_autoptr(GInputStream) stream = NULL;

    soup_session_send_async (f->session, refused, G_PRIORITY_DEFAULT, NULL,
                             cria_test_store_result_cb, &result);
    cria_test_wait_until (result != NULL);
    stream = soup_session_send_finish (f->session, result, &error);
    g_assert_null (stream);
    g_assert_nonnull (error);
    g_clear_error (&error);
    g_clear_object (&result);
  }

  /* The same port again, at once. */
  g_assert_true (cria_test_server_start (f->server, port, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cria_test_server_get_port (f->server), ==, port);
  {
    g_autoptr(Reply) reply = request (f, "GET", "/api/version", NULL);

    g_assert_cmpuint (reply->status, ==, 200);
  }

  /* Twice, for good measure. */
  cria_test_server_stop (f->server);
  g_assert_true (cria_test_server_start (f->server, port, &error));
  g_assert_no_error (error);
}

#define ADD(path, func) \
  g_test_add ("/cria/test-server/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("plain-json", test_plain_json);
  ADD ("router-errors", test_router_errors);
  ADD ("tags", test_tags);
  ADD ("chat/stream", test_chat_stream);
  ADD ("chat/thinking-and-tools", test_chat_thinking_and_tools);
  ADD ("chat/plain-replies", test_chat_plain_replies);
  ADD ("chat/reply-queue", test_reply_queue);
  ADD ("chat/early-errors", test_early_errors);
  ADD ("chat/mid-stream-faults", test_mid_stream_faults);
  ADD ("chat/framing-faults", test_framing_faults);
  ADD ("request-faults", test_request_faults);
  ADD ("intermittent-faults", test_intermittent_faults);
  ADD ("generate", test_generate);
  ADD ("delete-and-show", test_delete_and_show);
  ADD ("pull", test_pull);
  ADD ("pull-resumes", test_pull_resumes);
  ADD ("cancellation", test_cancellation);
  ADD ("restart", test_restart);

  return g_test_run ();
}
