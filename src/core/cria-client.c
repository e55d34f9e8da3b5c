/* cria-client.c
 *
 * One Ollama endpoint. Every call is a GTask on the caller's main context;
 * bodies are read asynchronously from the stream soup_session_send_async()
 * returns (libsoup's streams must stay on the thread that made them), so no
 * thread ever touches the network here.
 *
 * Timeouts are our own, by cancelling the request's private GCancellable: a
 * short one until the request has been written, then an idle one between
 * reads (which also covers the wait for the first token: Ollama sends its
 * headers only with the first token, after the model has loaded). There is
 * no total timeout: a slow model is not an error, a silent connection is.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-client"

#include "cria-config.h"

#include <string.h>

#include "cria-chat-message.h"
#include "cria-client-private.h"
#include "cria-error.h"
#include "cria-json.h"
#include "cria-model-private.h"
#include "cria-ndjson-reader.h"
#include "cria-running-model.h"

#define READ_BUFFER_SIZE   (16 * 1024)
#define MAX_PLAIN_BODY     (64 * 1024 * 1024)
#define MAX_ERROR_BODY     (64 * 1024)
#define ERROR_EXCERPT      200

struct _CriaClient
{
  GObject      parent_instance;

  SoupSession *session;
  GUri        *base_uri;
  char        *base_url;
  char        *token;

  guint        connect_timeout;
  guint        idle_timeout;
  guint        max_retries;
  guint        retry_delay;
};

G_DEFINE_FINAL_TYPE (CriaClient, cria_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_BASE_URI,
  PROP_CONNECT_TIMEOUT,
  PROP_IDLE_TIMEOUT,
  PROP_MAX_RETRIES,
  PROP_RETRY_DELAY,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* ------------------------------------------------------------------------ */
/* Metrics                                                                  */

G_DEFINE_BOXED_TYPE (CriaChatMetrics, cria_chat_metrics,
                     cria_chat_metrics_copy, cria_chat_metrics_free)

CriaChatMetrics *
cria_chat_metrics_copy (const CriaChatMetrics *self)
{
  CriaChatMetrics *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->done_reason = g_strdup (self->done_reason);

  return copy;
}

void
cria_chat_metrics_free (CriaChatMetrics *self)
{
  if (self == NULL)
    return;

  g_free (self->done_reason);
  g_free (self);
}

/**
 * cria_chat_metrics_get_tokens_per_second:
 *
 * Returns: the generation speed, or 0 when the server did not report it
 */
double
cria_chat_metrics_get_tokens_per_second (const CriaChatMetrics *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->eval_count <= 0 || self->eval_duration <= 0)
    return 0;

  return (double) self->eval_count / ((double) self->eval_duration / G_USEC_PER_SEC / 1000.0);
}

/* ------------------------------------------------------------------------ */
/* Chat request                                                             */

struct _CriaChatRequest
{
  gatomicrefcount  ref_count;
  char            *model;
  GPtrArray       *messages;
  JsonObject      *options;
  char            *keep_alive;
  CriaThinkMode    think;
};

G_DEFINE_BOXED_TYPE (CriaChatRequest, cria_chat_request,
                     cria_chat_request_ref, cria_chat_request_unref)

CriaChatRequest *
cria_chat_request_new (const char *model)
{
  CriaChatRequest *self;

  g_return_val_if_fail (model != NULL, NULL);

  self = g_new0 (CriaChatRequest, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->model = g_strdup (model);
  self->messages = g_ptr_array_new_with_free_func (g_object_unref);
  self->options = json_object_new ();

  return self;
}

CriaChatRequest *
cria_chat_request_ref (CriaChatRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
cria_chat_request_unref (CriaChatRequest *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->model);
  g_free (self->keep_alive);
  g_ptr_array_unref (self->messages);
  json_object_unref (self->options);
  g_free (self);
}

const char *
cria_chat_request_get_model (CriaChatRequest *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->model;
}

/**
 * cria_chat_request_add_message:
 *
 * Adds @message to the history sent. Its content is read when the request
 * is serialized.
 */
void
cria_chat_request_add_message (CriaChatRequest *self,
                               CriaChatMessage *message)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (CRIA_IS_CHAT_MESSAGE (message));

  g_ptr_array_add (self->messages, g_object_ref (message));
}

void
cria_chat_request_set_think (CriaChatRequest *self,
                             CriaThinkMode    think)
{
  g_return_if_fail (self != NULL);

  self->think = think;
}

/**
 * cria_chat_request_set_keep_alive:
 * @keep_alive: (nullable): a duration with a unit (`"5m"`), or `"0"`
 */
void
cria_chat_request_set_keep_alive (CriaChatRequest *self,
                                  const char      *keep_alive)
{
  g_return_if_fail (self != NULL);

  g_free (self->keep_alive);
  self->keep_alive = g_strdup (keep_alive);
}

void
cria_chat_request_set_option_double (CriaChatRequest *self,
                                     const char      *name,
                                     double           value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  json_object_set_double_member (self->options, name, value);
}

void
cria_chat_request_set_option_int (CriaChatRequest *self,
                                  const char      *name,
                                  gint64           value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  json_object_set_int_member (self->options, name, value);
}

/**
 * cria_chat_request_set_options:
 * @options: (nullable): model options (`temperature`, `num_ctx`, `seed`…)
 *
 * Sets each member of @options as an option, replacing an option of the
 * same name. The values are copied.
 */
void
cria_chat_request_set_options (CriaChatRequest *self,
                               JsonObject      *options)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  g_return_if_fail (self != NULL);

  if (options == NULL)
    return;

  json_object_iter_init (&iter, options);
  while (json_object_iter_next (&iter, &name, &value))
    json_object_set_member (self->options, name, json_node_copy (value));
}

/**
 * cria_chat_request_to_json:
 * @length: (out) (optional): the length of the result
 *
 * Returns: (transfer full): the request body. Images are sent as bare
 *   standard base64: a `data:` prefix makes Ollama answer 400.
 */
char *
cria_chat_request_to_json (CriaChatRequest *self,
                           gsize           *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, self->model);

  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->messages->len; i++)
    {
      CriaChatMessage *message = g_ptr_array_index (self->messages, i);
      GPtrArray *images = cria_chat_message_get_images (message);
      JsonArray *tool_calls = cria_chat_message_get_tool_calls (message);
      const char *thinking = cria_chat_message_get_thinking (message);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, cria_chat_message_get_role_name (message));
      json_builder_set_member_name (builder, "content");
      json_builder_add_string_value (builder, cria_chat_message_get_content (message));

      if (thinking != NULL && thinking[0] != '\0')
        {
          json_builder_set_member_name (builder, "thinking");
          json_builder_add_string_value (builder, thinking);
        }

      if (images != NULL && images->len > 0)
        {
          json_builder_set_member_name (builder, "images");
          json_builder_begin_array (builder);
          for (guint j = 0; j < images->len; j++)
            {
              GBytes *bytes = g_ptr_array_index (images, j);
              gsize size;
              const guchar *data = g_bytes_get_data (bytes, &size);
              g_autofree char *encoded = g_base64_encode (data, size);

              json_builder_add_string_value (builder, encoded);
            }
          json_builder_end_array (builder);
        }

      if (tool_calls != NULL && json_array_get_length (tool_calls) > 0)
        {
          JsonNode *node = json_node_new (JSON_NODE_ARRAY);

          json_node_set_array (node, tool_calls);
          json_builder_set_member_name (builder, "tool_calls");
          json_builder_add_value (builder, node);
        }

      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);

  if (self->think != CRIA_THINK_MODE_DEFAULT)
    {
      json_builder_set_member_name (builder, "think");
      json_builder_add_boolean_value (builder, self->think == CRIA_THINK_MODE_ON);
    }

  if (self->keep_alive != NULL)
    {
      json_builder_set_member_name (builder, "keep_alive");
      json_builder_add_string_value (builder, self->keep_alive);
    }

  if (json_object_get_size (self->options) > 0)
    {
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, self->options);
      json_builder_set_member_name (builder, "options");
      json_builder_add_value (builder, node);
    }

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, length);
}

/* ------------------------------------------------------------------------ */
/* Parse seams                                                              */

static JsonObject *
parse_object (JsonParser  *parser,
              const char  *data,
              gsize        length,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!g_utf8_validate (data, length, NULL))
    {
      g_set_error_literal (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL,
                           "The reply is not valid UTF-8");
      return NULL;
    }

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL,
                   "The reply is not valid JSON: %s", local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL,
                           "The reply is not a JSON object");
      return NULL;
    }

  return json_node_get_object (root);
}

/* An `{"error": "…"}` object where a result was expected. */
static gboolean
check_error_member (JsonObject  *object,
                    GError     **error)
{
  JsonNode *node = json_object_get_member (object, "error");
  const char *message;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  message = cria_json_get_string (object, "error", NULL);
  if (message == NULL)
    {
      JsonObject *inner = cria_json_get_object (object, "error");

      /* OpenAI-shaped errors, from proxies in front of Ollama. */
      message = cria_json_get_string (inner, "message", "unknown error");
    }

  g_set_error_literal (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_SERVER, message);
  return FALSE;
}

char *
_cria_client_parse_version (const char  *data,
                            gsize        length,
                            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;
  const char *version;

  if (!(object = parse_object (parser, data, length, error)) ||
      !check_error_member (object, error))
    return NULL;

  version = cria_json_get_string (object, "version", NULL);
  if (version == NULL)
    {
      g_set_error_literal (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL,
                           "The reply has no version");
      return NULL;
    }

  return g_strdup (version);
}

/*
 * _cria_client_parse_tags:
 *
 * Returns: (transfer full) (element-type CriaModel): the models, in the
 *   server's order (newest first)
 */
GPtrArray *
_cria_client_parse_tags (const char  *data,
                         gsize        length,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_object_unref);
  JsonObject *object;
  JsonNode *list;
  JsonArray *array;
  guint n;

  if (!(object = parse_object (parser, data, length, error)) ||
      !check_error_member (object, error))
    return NULL;

  list = json_object_get_member (object, "models");
  if (list == NULL || !(JSON_NODE_HOLDS_ARRAY (list) || JSON_NODE_HOLDS_NULL (list)))
    {
      g_set_error_literal (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL,
                           "The reply has no model list");
      return NULL;
    }

  array = JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list) : NULL;
  n = array != NULL ? json_array_get_length (array) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      CriaModel *model;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;

      if ((model = _cria_model_new_from_json (json_node_get_object (element))))
        g_ptr_array_add (models, model);
    }

  return g_steal_pointer (&models);
}

/*
 * _cria_client_parse_chat_line:
 * @parser: reused between lines; @chunk points into it until the next call
 * @chunk: (out): the deltas of this line
 * @metrics: (out): filled from a `done` line
 *
 * Returns: %FALSE with @error set for a line that is not a chat object or
 *   that carries an error
 */
gboolean
_cria_client_parse_chat_line (JsonParser       *parser,
                              const char       *line,
                              gsize             length,
                              CriaChatChunk    *chunk,
                              CriaChatMetrics  *metrics,
                              GError          **error)
{
  JsonObject *object;
  JsonObject *message;

  memset (chunk, 0, sizeof *chunk);
  chunk->content = "";
  chunk->thinking = "";

  if (!(object = parse_object (parser, line, length, error)) ||
      !check_error_member (object, error))
    return FALSE;

  message = cria_json_get_object (object, "message");
  if (message != NULL)
    {
      JsonArray *tool_calls = cria_json_get_array (message, "tool_calls");

      chunk->content = cria_json_get_string (message, "content", "");
      chunk->thinking = cria_json_get_string (message, "thinking", "");
      if (tool_calls != NULL && json_array_get_length (tool_calls) > 0)
        chunk->tool_calls = tool_calls;
    }
  else if (!json_object_has_member (object, "done"))
    {
      g_set_error_literal (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL,
                           "A line of the reply is not a chat message");
      return FALSE;
    }

  chunk->done = cria_json_get_boolean (object, "done", FALSE);

  if (chunk->done && metrics != NULL)
    {
      g_free (metrics->done_reason);
      metrics->done_reason = g_strdup (cria_json_get_string (object, "done_reason", NULL));
      metrics->total_duration = cria_json_get_int (object, "total_duration", 0);
      metrics->load_duration = cria_json_get_int (object, "load_duration", 0);
      metrics->prompt_eval_count = cria_json_get_int (object, "prompt_eval_count", 0);
      metrics->prompt_eval_duration = cria_json_get_int (object, "prompt_eval_duration", 0);
      metrics->eval_count = cria_json_get_int (object, "eval_count", 0);
      metrics->eval_duration = cria_json_get_int (object, "eval_duration", 0);
    }

  return TRUE;
}

/*
 * _cria_client_parse_progress_line:
 * @parser: reused between lines; @line points into it until the next call
 * @progress: (out): the line
 *
 * One line of a pull or create stream. `total` and `completed` are left out
 * while they are 0, and `completed` is clamped to `total`.
 *
 * Returns: %FALSE with @error set for an error line or a line that is not
 *   a progress object
 */
gboolean
_cria_client_parse_progress_line (JsonParser        *parser,
                                  const char        *line,
                                  gsize              length,
                                  CriaProgressLine  *progress,
                                  GError           **error)
{
  JsonObject *object;

  memset (progress, 0, sizeof *progress);

  if (!(object = parse_object (parser, line, length, error)) ||
      !check_error_member (object, error))
    return FALSE;

  progress->status = cria_json_get_string (object, "status", NULL);
  if (progress->status == NULL)
    {
      g_set_error_literal (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL,
                           "A line of the reply is not a progress report");
      return FALSE;
    }

  progress->digest = cria_json_get_string (object, "digest", NULL);
  progress->total = MAX (0, cria_json_get_int (object, "total", 0));
  progress->completed = CLAMP (cria_json_get_int (object, "completed", 0), 0,
                               progress->total > 0 ? progress->total : G_MAXINT64);

  return TRUE;
}

/*
 * _cria_client_parse_running:
 *
 * Returns: (transfer full) (element-type CriaRunningModel): the loaded
 *   models of an /api/ps reply
 */
GPtrArray *
_cria_client_parse_running (const char  *data,
                            gsize        length,
                            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GPtrArray) running = g_ptr_array_new_with_free_func (g_object_unref);
  JsonObject *object;
  JsonArray *array;
  guint n;

  if (!(object = parse_object (parser, data, length, error)) ||
      !check_error_member (object, error))
    return NULL;

  array = cria_json_get_array (object, "models");
  if (array == NULL && !json_object_has_member (object, "models"))
    {
      g_set_error_literal (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL,
                           "The reply has no model list");
      return NULL;
    }

  n = array != NULL ? json_array_get_length (array) : 0;
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      CriaRunningModel *model;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;

      if ((model = cria_running_model_new_from_json (json_node_get_object (element))))
        g_ptr_array_add (running, model);
    }

  return g_steal_pointer (&running);
}

static char *
dup_excerpt (const char *body,
             gsize       length)
{
  g_autofree char *valid = NULL;
  GString *excerpt;

  if (body == NULL || length == 0)
    return NULL;

  valid = g_utf8_make_valid (body, MIN (length, ERROR_EXCERPT * 4));
  excerpt = g_string_new (NULL);

  for (const char *p = valid; *p != '\0' && g_utf8_strlen (excerpt->str, -1) < ERROR_EXCERPT;
       p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* One line, no control characters from an HTML page. */
      if (g_unichar_iscntrl (c) || c == '\n')
        c = ' ';
      if (c == ' ' && (excerpt->len == 0 || excerpt->str[excerpt->len - 1] == ' '))
        continue;
      g_string_append_unichar (excerpt, c);
    }

  g_strchomp (excerpt->str);
  if (excerpt->str[0] == '\0')
    {
      g_string_free (excerpt, TRUE);
      return NULL;
    }

  return g_string_free (excerpt, FALSE);
}

/*
 * _cria_client_error_from_response:
 *
 * Maps an unsuccessful HTTP response to a CRIA_CLIENT_ERROR. The code comes
 * from the status, never from the wording (which changes between
 * versions); the message is the server's `error` text when the body is the
 * JSON error shape, else `HTTP <code> <reason>` and an excerpt of the body.
 */
GError *
_cria_client_error_from_response (guint       status,
                                  const char *reason,
                                  const char *content_type,
                                  const char *body,
                                  gsize       length)
{
  g_autofree char *server_message = NULL;
  g_autofree char *message = NULL;
  CriaClientError code;

  if (body != NULL && length > 0 && length <= MAX_ERROR_BODY)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      g_autoptr(GError) ignored = NULL;
      JsonObject *object = parse_object (parser, body, length, NULL);

      if (object != NULL && !check_error_member (object, &ignored))
        server_message = g_strdup (ignored->message);
    }

  switch (status)
    {
    case SOUP_STATUS_BAD_REQUEST:
      code = CRIA_CLIENT_ERROR_BAD_REQUEST;
      break;

    case SOUP_STATUS_UNAUTHORIZED:
    case SOUP_STATUS_FORBIDDEN:
    case SOUP_STATUS_PROXY_AUTHENTICATION_REQUIRED:
      code = CRIA_CLIENT_ERROR_UNAUTHORIZED;
      break;

    case SOUP_STATUS_NOT_FOUND:
      /* `404 page not found` in plain text is the router: no such endpoint. */
      code = server_message != NULL ? CRIA_CLIENT_ERROR_MODEL_NOT_FOUND : CRIA_CLIENT_ERROR_HTTP;
      break;

    case SOUP_STATUS_SERVICE_UNAVAILABLE:
    case 429: /* Too Many Requests, from a proxy or a runner */
      code = CRIA_CLIENT_ERROR_BUSY;
      break;

    default:
      code = status >= 500 && server_message != NULL ? CRIA_CLIENT_ERROR_SERVER
                                                     : CRIA_CLIENT_ERROR_HTTP;
      break;
    }

  if (server_message != NULL)
    {
      message = g_steal_pointer (&server_message);
    }
  else
    {
      g_autofree char *excerpt = dup_excerpt (body, length);

      if (reason == NULL || reason[0] == '\0')
        reason = soup_status_get_phrase (status);

      if (excerpt != NULL)
        message = g_strdup_printf ("HTTP %u %s: %s", status, reason ? reason : "", excerpt);
      else
        message = g_strdup_printf ("HTTP %u %s", status, reason ? reason : "");
    }

  return g_error_new_literal (CRIA_CLIENT_ERROR, code, message);
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */

typedef enum
{
  REQUEST_PLAIN,   /* one JSON document, parsed at the end */
  REQUEST_STREAM,  /* NDJSON, parsed line by line */
} RequestKind;

typedef struct _Request Request;

/* Plain: turns the whole body into the task's result */
typedef gpointer (*RequestParseFunc) (const char  *data,
                                      gsize        length,
                                      GError     **error);

/* Stream: handles one line; sets request->done on the last one */
typedef gboolean (*RequestLineFunc)  (Request     *request,
                                      const char  *line,
                                      gsize        length,
                                      GError     **error);

struct _Request
{
  CriaClient        *client;
  RequestKind        kind;
  char              *method;
  char              *path;
  GBytes            *body;
  gboolean           idempotent;
  GTask             *task;         /* unowned: the task owns us */

  SoupMessage       *message;
  GInputStream      *stream;
  GCancellable      *cancellable;  /* ours: cancelled by the caller's or a timer */
  GCancellable      *caller_cancellable;
  gulong             caller_handler;
  GSource           *timer;
  GSource           *retry_source;
  GSource           *retry_cancel_source;
  guint              attempt;
  gboolean           wrote_body;
  gboolean           timed_out;
  gboolean           connect_timed_out;
  gboolean           done;
  guint              status;

  guint8            *buffer;
  GByteArray        *plain;
  CriaNdjsonReader  *reader;
  JsonParser        *parser;
  gsize              bytes_read;

  RequestParseFunc   parse_func;
  GDestroyNotify     result_destroy;
  RequestLineFunc    line_func;

  /* Streams: chat chunks or pull/create progress */
  CriaChatChunkFunc  chunk_func;
  CriaProgressFunc   progress_func;
  gpointer           stream_data;
  GDestroyNotify     stream_data_destroy;
  CriaChatMetrics   *metrics;
};

static void request_send (GTask *task);

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
request_free (gpointer data)
{
  Request *request = data;

  clear_source (&request->timer);
  clear_source (&request->retry_source);
  clear_source (&request->retry_cancel_source);

  if (request->caller_handler != 0)
    g_cancellable_disconnect (request->caller_cancellable, request->caller_handler);

  if (request->message != NULL)
    g_signal_handlers_disconnect_by_data (request->message, request);

  if (request->stream_data_destroy != NULL)
    request->stream_data_destroy (request->stream_data);

  g_clear_object (&request->caller_cancellable);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->stream);
  g_clear_object (&request->message);
  g_clear_object (&request->parser);
  g_clear_object (&request->client);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_clear_pointer (&request->plain, g_byte_array_unref);
  g_clear_pointer (&request->reader, cria_ndjson_reader_free);
  g_clear_pointer (&request->metrics, cria_chat_metrics_free);
  g_clear_pointer (&request->buffer, g_free);
  g_clear_pointer (&request->method, g_free);
  g_clear_pointer (&request->path, g_free);
  g_free (request);
}

static void
caller_cancelled_cb (GCancellable *caller,
                     GCancellable *ours)
{
  /* May run on another thread: GCancellable is thread-safe. */
  g_cancellable_cancel (ours);
}

static gboolean
timer_fired_cb (gpointer user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  g_debug ("%s %s: no answer for %u ms, giving up",
           request->method, request->path,
           request->wrote_body ? request->client->idle_timeout
                               : request->client->connect_timeout);

  request->timed_out = TRUE;
  request->connect_timed_out = !request->wrote_body;
  g_clear_pointer (&request->timer, g_source_unref);
  g_cancellable_cancel (request->cancellable);

  return G_SOURCE_REMOVE;
}

/* (Re)arms the one timer: the connect timeout until the request is written,
 * the idle timeout after. 0 disables it. */
static void
request_arm_timer (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  guint msec = request->wrote_body ? request->client->idle_timeout
                                   : request->client->connect_timeout;

  if (request->timer != NULL && msec > 0)
    {
      g_source_set_ready_time (request->timer,
                               g_source_get_time (request->timer) + (gint64) msec * 1000);
      return;
    }

  clear_source (&request->timer);

  if (msec == 0)
    return;

  request->timer = g_timeout_source_new (msec);
  g_source_set_name (request->timer, "[cria] client timeout");
  g_source_set_callback (request->timer, timer_fired_cb, task, NULL);
  g_source_attach (request->timer, g_task_get_context (task));
}

static void
wrote_body_cb (SoupMessage *message,
               Request     *request)
{
  request->wrote_body = TRUE;
  clear_source (&request->timer);
  request_arm_timer (request->task);
}

/* Turns a transport error into what the caller sees. */
static GError *
request_map_transport_error (Request *request,
                             GError  *error)
{
  g_autofree char *url = cria_client_dup_base_url (request->client);

  if (request->timed_out)
    {
      if (request->connect_timed_out)
        return g_error_new (CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_UNREACHABLE,
                            "Could not connect to %s within %u seconds",
                            url, request->client->connect_timeout / 1000);

      return g_error_new (CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_TIMED_OUT,
                          "%s sent nothing for %u seconds",
                          url, request->client->idle_timeout / 1000);
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (!request->wrote_body && request->status == 0)
    return g_error_new (CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_UNREACHABLE,
                        "Could not connect to %s: %s", url, error->message);

  return g_error_new (CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_CONNECTION_LOST,
                      "The connection to %s was lost: %s", url, error->message);
}

static gboolean
should_retry (Request      *request,
              const GError *error)
{
  if (!request->idempotent || request->attempt >= request->client->max_retries)
    return FALSE;

  return g_error_matches (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_UNREACHABLE) ||
         g_error_matches (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_BUSY) ||
         g_error_matches (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_CONNECTION_LOST);
}

static gboolean
retry_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  clear_source (&request->retry_source);
  g_clear_pointer (&request->retry_cancel_source, g_source_unref);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  g_object_unref (task);

  return G_SOURCE_REMOVE;
}

static gboolean
retry_fired_cb (gpointer user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);

  clear_source (&request->retry_cancel_source);
  g_clear_pointer (&request->retry_source, g_source_unref);
  request_send (task);

  return G_SOURCE_REMOVE;
}

/* Ends the request: retries when allowed, else returns @error (taken). */
static void
request_fail (GTask  *task,
              GError *error)
{
  Request *request = g_task_get_task_data (task);

  clear_source (&request->timer);
  g_clear_object (&request->stream);

  if (should_retry (request, error))
    {
      guint delay = request->client->retry_delay << MIN (request->attempt, 8);

      g_debug ("%s %s failed (%s), retrying in %u ms",
               request->method, request->path, error->message, delay);
      g_error_free (error);

      request->attempt++;

      /* The task keeps its reference while the wait is on. */
      request->retry_source = g_timeout_source_new (delay);
      g_source_set_callback (request->retry_source, retry_fired_cb, task, NULL);
      g_source_attach (request->retry_source, g_task_get_context (task));

      request->retry_cancel_source = g_cancellable_source_new (request->cancellable);
      g_source_set_callback (request->retry_cancel_source,
                             G_SOURCE_FUNC (retry_cancelled_cb), task, NULL);
      g_source_attach (request->retry_cancel_source, g_task_get_context (task));
      return;
    }

  g_debug ("%s %s failed: %s", request->method, request->path, error->message);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
request_succeed (GTask *task)
{
  Request *request = g_task_get_task_data (task);

  clear_source (&request->timer);

  if (request->kind == REQUEST_PLAIN)
    {
      GError *error = NULL;
      gpointer result;

      result = request->parse_func ((const char *) request->plain->data,
                                    request->plain->len, &error);
      if (result == NULL)
        {
          request_fail (task, error);
          return;
        }

      g_task_return_pointer (task, result, request->result_destroy);
    }
  else if (request->metrics != NULL)
    {
      g_task_return_pointer (task,
                             g_steal_pointer (&request->metrics),
                             (GDestroyNotify) cria_chat_metrics_free);
    }
  else
    {
      g_task_return_pointer (task, GINT_TO_POINTER (TRUE), NULL);
    }

  /* Whatever remains of the body (normally just the terminating chunk) is
   * dropped with the stream; libsoup discards a connection left mid-body. */
  g_clear_object (&request->stream);
  g_object_unref (task);
}

static void read_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data);

/* Streams are read below the priority of GTK's redraw: a server that sends
 * faster than the window can draw must not keep it from drawing (or from
 * handling input, which is at the default priority) until the reply ends. */
#define STREAM_READ_PRIORITY G_PRIORITY_DEFAULT_IDLE

static void
request_read_more (GTask *task)
{
  Request *request = g_task_get_task_data (task);

  g_input_stream_read_async (request->stream,
                             request->buffer, READ_BUFFER_SIZE,
                             request->kind == REQUEST_STREAM ? STREAM_READ_PRIORITY
                                                             : G_PRIORITY_DEFAULT,
                             request->cancellable,
                             read_cb, task);
}

/* Parses every complete line in the buffer. */
static gboolean
request_drain_lines (Request  *request,
                     gboolean  at_eof,
                     GError  **error)
{
  const char *line;
  gsize length;

  while (!request->done &&
         cria_ndjson_reader_next_line (request->reader, at_eof, &line, &length, error))
    {
      if (!request->line_func (request, line, length, error))
        return FALSE;
    }

  return error == NULL || *error == NULL;
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n_read;

  n_read = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (n_read < 0)
    {
      request_fail (task, request_map_transport_error (request, error));
      return;
    }

  if (request->status >= 300 || request->kind == REQUEST_PLAIN)
    {
      gsize limit = request->status >= 300 ? MAX_ERROR_BODY : MAX_PLAIN_BODY;

      if (n_read > 0)
        {
          request_arm_timer (task);
          if (request->plain->len < limit)
            g_byte_array_append (request->plain, request->buffer,
                                 MIN ((gsize) n_read, limit - request->plain->len));
          else if (request->status < 300)
            {
              request_fail (task, g_error_new (CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL,
                                               "The reply is larger than %u MiB",
                                               MAX_PLAIN_BODY / (1024 * 1024)));
              return;
            }

          request_read_more (task);
          return;
        }

      if (request->status >= 300)
        {
          const char *content_type;

          content_type = soup_message_headers_get_content_type (
              soup_message_get_response_headers (request->message), NULL);
          request_fail (task,
                        _cria_client_error_from_response (request->status,
                                                          soup_message_get_reason_phrase (request->message),
                                                          content_type,
                                                          (const char *) request->plain->data,
                                                          request->plain->len));
          return;
        }

      request_succeed (task);
      return;
    }

  /* Streaming */
  if (n_read > 0)
    {
      request_arm_timer (task);
      request->bytes_read += n_read;
      cria_ndjson_reader_push (request->reader, request->buffer, n_read);
    }

  if (!request_drain_lines (request, n_read == 0, &error))
    {
      request_fail (task, g_steal_pointer (&error));
      return;
    }

  if (request->done)
    {
      request_succeed (task);
      return;
    }

  if (n_read == 0)
    {
      g_autofree char *url = cria_client_dup_base_url (request->client);

      request_fail (task, g_error_new (CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_TRUNCATED,
                                       "The reply from %s ended before it was complete", url));
      return;
    }

  /* A cancelled task still finishes through the read that fails. */
  request_read_more (task);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  request->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);

  if (request->stream == NULL)
    {
      request_fail (task, request_map_transport_error (request, error));
      return;
    }

  /* Headers are in, so the request was written, even if no signal said so. */
  request->wrote_body = TRUE;
  request->status = soup_message_get_status (request->message);
  request_arm_timer (task);

  g_debug ("%s %s: HTTP %u", request->method, request->path, request->status);

  if (request->buffer == NULL)
    request->buffer = g_malloc (READ_BUFFER_SIZE);

  if (request->status >= 300 || request->kind == REQUEST_PLAIN)
    {
      g_clear_pointer (&request->plain, g_byte_array_unref);
      request->plain = g_byte_array_new ();
    }
  else
    {
      g_clear_pointer (&request->reader, cria_ndjson_reader_free);
      request->reader = cria_ndjson_reader_new (CRIA_NDJSON_DEFAULT_MAX_LINE);
    }

  request_read_more (task);
}

static void
request_send (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  CriaClient *self = request->client;
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;

  if (request->message != NULL)
    g_signal_handlers_disconnect_by_data (request->message, request);
  g_clear_object (&request->message);

  request->wrote_body = FALSE;
  request->timed_out = FALSE;
  request->connect_timed_out = FALSE;
  request->status = 0;

  url = g_strconcat (self->base_url, request->path, NULL);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &error);
  if (uri == NULL)
    {
      g_task_return_new_error (task, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_UNREACHABLE,
                               "%s is not a valid address: %s", url, error->message);
      g_object_unref (task);
      return;
    }

  request->message = soup_message_new_from_uri (request->method, uri);
  headers = soup_message_get_request_headers (request->message);
  soup_message_headers_replace (headers, "Accept",
                                request->kind == REQUEST_STREAM ? "application/x-ndjson"
                                                                : "application/json");
  if (self->token != NULL && self->token[0] != '\0')
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", self->token);

      soup_message_headers_replace (headers, "Authorization", value);
    }

  if (request->body != NULL)
    soup_message_set_request_body_from_bytes (request->message, "application/json", request->body);

  g_signal_connect (request->message, "wrote-body", G_CALLBACK (wrote_body_cb), request);

  request_arm_timer (task);

  g_debug ("%s %s (attempt %u)", request->method, request->path, request->attempt + 1);

  soup_session_send_async (self->session,
                           request->message,
                           G_PRIORITY_DEFAULT,
                           request->cancellable,
                           send_cb,
                           task);
}

static GTask *
request_new (CriaClient          *self,
             RequestKind          kind,
             const char          *method,
             const char          *path,
             GBytes              *body,
             gboolean             idempotent,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task;
  Request *request;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  request = g_new0 (Request, 1);
  request->client = g_object_ref (self);
  request->task = task;
  request->kind = kind;
  request->method = g_strdup (method);
  request->path = g_strdup (path);
  request->body = body != NULL ? g_bytes_ref (body) : NULL;
  request->idempotent = idempotent;
  request->cancellable = g_cancellable_new ();
  request->parser = json_parser_new_immutable ();
  g_task_set_task_data (task, request, request_free);

  if (cancellable != NULL)
    {
      request->caller_cancellable = g_object_ref (cancellable);
      request->caller_handler = g_cancellable_connect (cancellable,
                                                       G_CALLBACK (caller_cancelled_cb),
                                                       g_object_ref (request->cancellable),
                                                       g_object_unref);
    }

  return task;
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static void
cria_client_finalize (GObject *object)
{
  CriaClient *self = (CriaClient *)object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_uri, g_uri_unref);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->token, g_free);

  G_OBJECT_CLASS (cria_client_parent_class)->finalize (object);
}

static void
cria_client_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CriaClient *self = CRIA_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_BASE_URI:
      g_value_set_boxed (value, self->base_uri);
      break;

    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout);
      break;

    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;

    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;

    case PROP_RETRY_DELAY:
      g_value_set_uint (value, self->retry_delay);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_client_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CriaClient *self = CRIA_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;

    case PROP_BASE_URI:
      {
        GUri *uri = g_value_get_boxed (value);
        gsize len;

        if (uri == NULL)
          break;

        self->base_uri = g_uri_ref (uri);
        /* Keep the password for requests; only what is shown hides it. */
        self->base_url = g_uri_to_string (uri);
        len = strlen (self->base_url);
        while (len > 0 && self->base_url[len - 1] == '/')
          self->base_url[--len] = '\0';
      }
      break;

    case PROP_CONNECT_TIMEOUT:
      cria_client_set_connect_timeout (self, g_value_get_uint (value));
      break;

    case PROP_IDLE_TIMEOUT:
      cria_client_set_idle_timeout (self, g_value_get_uint (value));
      break;

    case PROP_MAX_RETRIES:
      cria_client_set_max_retries (self, g_value_get_uint (value));
      break;

    case PROP_RETRY_DELAY:
      cria_client_set_retry_delay (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_client_class_init (CriaClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cria_client_finalize;
  object_class->get_property = cria_client_get_property;
  object_class->set_property = cria_client_set_property;

  /**
   * CriaClient:session:
   *
   * The shared session (the registry's). Its own timeout must be 0: the
   * client times requests itself.
   */
  properties [PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SOUP_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaClient:base-uri:
   *
   * The server's address, with its path prefix if a proxy adds one.
   */
  properties [PROP_BASE_URI] =
    g_param_spec_boxed ("base-uri", NULL, NULL, G_TYPE_URI,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaClient:connect-timeout:
   *
   * Milliseconds to connect and write a request; 0 for none.
   */
  properties [PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL, 0, G_MAXUINT, 10000,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaClient:idle-timeout:
   *
   * Milliseconds a reply may stay silent, the wait for the first token
   * included (a model load can take minutes); 0 for none.
   */
  properties [PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL, 0, G_MAXUINT, 300000,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaClient:max-retries:
   *
   * How often an idempotent call (version, tags, show) is tried again after
   * a connection failure or a busy server. Chat is never retried.
   */
  properties [PROP_MAX_RETRIES] =
    g_param_spec_uint ("max-retries", NULL, NULL, 0, 16, 2,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaClient:retry-delay:
   *
   * Milliseconds before the first retry; each further one waits twice as long.
   */
  properties [PROP_RETRY_DELAY] =
    g_param_spec_uint ("retry-delay", NULL, NULL, 1, 60000, 500,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cria_client_init (CriaClient *self)
{
  self->connect_timeout = 10000;
  self->idle_timeout = 300000;
  self->max_retries = 2;
  self->retry_delay = 500;
}

CriaClient *
cria_client_new (SoupSession *session,
                 GUri        *base_uri)
{
  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (base_uri != NULL, NULL);

  return g_object_new (CRIA_TYPE_CLIENT,
                       "session", session,
                       "base-uri", base_uri,
                       NULL);
}

SoupSession *
cria_client_get_session (CriaClient *self)
{
  g_return_val_if_fail (CRIA_IS_CLIENT (self), NULL);

  return self->session;
}

GUri *
cria_client_get_base_uri (CriaClient *self)
{
  g_return_val_if_fail (CRIA_IS_CLIENT (self), NULL);

  return self->base_uri;
}

/**
 * cria_client_dup_base_url:
 *
 * Returns: (transfer full): the address as a user would write it, without a
 *   password and without a trailing slash
 */
char *
cria_client_dup_base_url (CriaClient *self)
{
  char *text;
  gsize len;

  g_return_val_if_fail (CRIA_IS_CLIENT (self), NULL);

  text = g_uri_to_string_partial (self->base_uri, G_URI_HIDE_PASSWORD);
  len = strlen (text);
  while (len > 0 && text[len - 1] == '/')
    text[--len] = '\0';

  return text;
}

guint
cria_client_get_connect_timeout (CriaClient *self)
{
  g_return_val_if_fail (CRIA_IS_CLIENT (self), 0);

  return self->connect_timeout;
}

void
cria_client_set_connect_timeout (CriaClient *self,
                                 guint       msec)
{
  g_return_if_fail (CRIA_IS_CLIENT (self));

  if (self->connect_timeout != msec)
    {
      self->connect_timeout = msec;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CONNECT_TIMEOUT]);
    }
}

guint
cria_client_get_idle_timeout (CriaClient *self)
{
  g_return_val_if_fail (CRIA_IS_CLIENT (self), 0);

  return self->idle_timeout;
}

void
cria_client_set_idle_timeout (CriaClient *self,
                              guint       msec)
{
  g_return_if_fail (CRIA_IS_CLIENT (self));

  if (self->idle_timeout != msec)
    {
      self->idle_timeout = msec;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_IDLE_TIMEOUT]);
    }
}

guint
cria_client_get_max_retries (CriaClient *self)
{
  g_return_val_if_fail (CRIA_IS_CLIENT (self), 0);

  return self->max_retries;
}

void
cria_client_set_max_retries (CriaClient *self,
                             guint       max_retries)
{
  g_return_if_fail (CRIA_IS_CLIENT (self));

  if (self->max_retries != max_retries)
    {
      self->max_retries = max_retries;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MAX_RETRIES]);
    }
}

guint
cria_client_get_retry_delay (CriaClient *self)
{
  g_return_val_if_fail (CRIA_IS_CLIENT (self), 0);

  return self->retry_delay;
}

void
cria_client_set_retry_delay (CriaClient *self,
                             guint       msec)
{
  g_return_if_fail (CRIA_IS_CLIENT (self));

  msec = MAX (msec, 1);
  if (self->retry_delay != msec)
    {
      self->retry_delay = msec;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_RETRY_DELAY]);
    }
}

/**
 * cria_client_set_token:
 * @token: (nullable): a bearer token for a proxy in front of Ollama
 *
 * Sent as `Authorization: Bearer` to this endpoint only.
 */
void
cria_client_set_token (CriaClient *self,
                       const char *token)
{
  g_return_if_fail (CRIA_IS_CLIENT (self));

  g_free (self->token);
  self->token = g_strdup (token);
}

/* ------------------------------------------------------------------------ */
/* Calls                                                                    */

static gpointer
request_propagate (CriaClient    *self,
                   GAsyncResult  *result,
                   gpointer       source_tag,
                   GError       **error)
{
  g_return_val_if_fail (CRIA_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GBytes *
body_from_object (JsonObject *object)
{
  g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  char *json;

  json_node_set_object (root, object);
  json = json_to_string (root, FALSE);

  return g_bytes_new_take (json, strlen (json));
}

static void
start_plain (CriaClient          *self,
             const char          *method,
             const char          *path,
             GBytes              *body,
             gboolean             idempotent,
             RequestParseFunc     parse_func,
             GDestroyNotify       result_destroy,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task;
  Request *request;

  task = request_new (self, REQUEST_PLAIN, method, path, body, idempotent,
                      source_tag, cancellable, callback, user_data);
  request = g_task_get_task_data (task);
  request->parse_func = parse_func;
  request->result_destroy = result_destroy;

  request_send (task);
}

/**
 * cria_client_version_async:
 *
 * Asks `/api/version`; retried with backoff on connection failures.
 */
void
cria_client_version_async (CriaClient          *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (CRIA_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  start_plain (self, SOUP_METHOD_GET, "/api/version", NULL, TRUE,
               (RequestParseFunc) _cria_client_parse_version, g_free,
               cria_client_version_async, cancellable, callback, user_data);
}

/**
 * cria_client_version_finish:
 *
 * Returns: (transfer full): the server's version, such as `0.12.6`
 */
char *
cria_client_version_finish (CriaClient    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return request_propagate (self, result, cria_client_version_async, error);
}

/**
 * cria_client_list_models_async:
 *
 * Asks `/api/tags`; retried with backoff on connection failures.
 */
void
cria_client_list_models_async (CriaClient          *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (CRIA_IS_CLIENT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  start_plain (self, SOUP_METHOD_GET, "/api/tags", NULL, TRUE,
               (RequestParseFunc) _cria_client_parse_tags,
               (GDestroyNotify) g_ptr_array_unref,
               cria_client_list_models_async, cancellable, callback, user_data);
}

/**
 * cria_client_list_models_finish:
 *
 * Returns: (transfer full) (element-type CriaModel): the installed models
 */
GPtrArray *
cria_client_list_models_finish (CriaClient    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return request_propagate (self, result, cria_client_list_models_async, error);
}

static gpointer
parse_show (const char  *data,
            gsize        length,
            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  if (!(object = parse_object (parser, data, length, error)) ||
      !check_error_member (object, error))
    return NULL;

  return json_object_ref (object);
}

/**
 * cria_client_show_async:
 *
 * Asks `/api/show` for @model; retried with backoff on connection failures.
 */
void
cria_client_show_async (CriaClient          *self,
                        const char          *model,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GBytes) body = NULL;

  g_return_if_fail (CRIA_IS_CLIENT (self));
  g_return_if_fail (model != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  json_object_set_string_member (object, "model", model);
  body = body_from_object (object);

  start_plain (self, SOUP_METHOD_POST, "/api/show", body, TRUE,
               parse_show, (GDestroyNotify) json_object_unref,
               cria_client_show_async, cancellable, callback, user_data);
}

/**
 * cria_client_show_finish:
 *
 * Returns: (transfer full): the `/api/show` object, as the server sent it
 */
JsonObject *
cria_client_show_finish (CriaClient    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return request_propagate (self, result, cria_client_show_async, error);
}

static gboolean
chat_line (Request     *request,
           const char  *line,
           gsize        length,
           GError     **error)
{
  CriaChatChunk chunk;

  if (!_cria_client_parse_chat_line (request->parser, line, length,
                                     &chunk, request->metrics, error))
    return FALSE;

  /* The final line may still carry text or tool calls: always merge. */
  if (chunk.content[0] != '\0' || chunk.thinking[0] != '\0' ||
      chunk.tool_calls != NULL || chunk.done)
    request->chunk_func (&chunk, request->stream_data);

  request->done = chunk.done;

  return TRUE;
}

/**
 * cria_client_chat_async:
 * @chunk_func: called on the caller's main context for every line of the
 *   reply, the final one included
 *
 * Streams `/api/chat`. Never retried: a request that reached the server may
 * have started generating. Cancelling @cancellable closes the connection,
 * which is how Ollama is told to stop.
 */
void
cria_client_chat_async (CriaClient          *self,
                        CriaChatRequest     *chat_request,
                        CriaChatChunkFunc    chunk_func,
                        gpointer             chunk_data,
                        GDestroyNotify       stream_data_destroy,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GBytes) body = NULL;
  GTask *task;
  Request *request;
  gsize length;
  char *json;

  g_return_if_fail (CRIA_IS_CLIENT (self));
  g_return_if_fail (chat_request != NULL);
  g_return_if_fail (chunk_func != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  json = cria_chat_request_to_json (chat_request, &length);
  body = g_bytes_new_take (json, length);

  task = request_new (self, REQUEST_STREAM, SOUP_METHOD_POST, "/api/chat", body, FALSE,
                      cria_client_chat_async, cancellable, callback, user_data);
  request = g_task_get_task_data (task);
  request->line_func = chat_line;
  request->chunk_func = chunk_func;
  request->stream_data = chunk_data;
  request->stream_data_destroy = stream_data_destroy;
  request->metrics = g_new0 (CriaChatMetrics, 1);

  request_send (task);
}

/**
 * cria_client_chat_finish:
 *
 * Returns: (transfer full): the metrics of the final line
 */
CriaChatMetrics *
cria_client_chat_finish (CriaClient    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return request_propagate (self, result, cria_client_chat_async, error);
}

static gboolean
progress_line (Request     *request,
               const char  *line,
               gsize        length,
               GError     **error)
{
  CriaProgressLine progress;

  if (!_cria_client_parse_progress_line (request->parser, line, length, &progress, error))
    return FALSE;

  request->progress_func (&progress, request->stream_data);
  request->done = g_str_equal (progress.status, "success");

  return TRUE;
}

static void
start_progress (CriaClient          *self,
                const char          *path,
                JsonObject          *object,
                CriaProgressFunc     progress_func,
                gpointer             progress_data,
                GDestroyNotify       progress_data_destroy,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GBytes) body = NULL;
  GTask *task;
  Request *request;

  json_object_set_boolean_member (object, "stream", TRUE);
  body = body_from_object (object);

  task = request_new (self, REQUEST_STREAM, SOUP_METHOD_POST, path, body, FALSE,
                      source_tag, cancellable, callback, user_data);
  request = g_task_get_task_data (task);
  request->line_func = progress_line;
  request->progress_func = progress_func;
  request->stream_data = progress_data;
  request->stream_data_destroy = progress_data_destroy;

  request_send (task);
}

static gboolean
request_propagate_boolean (CriaClient    *self,
                           GAsyncResult  *result,
                           gpointer       source_tag,
                           GError       **error)
{
  return request_propagate (self, result, source_tag, error) != NULL;
}

/**
 * cria_client_pull_async:
 * @progress_func: called on the caller's main context for every progress line
 *
 * Streams `/api/pull`. Cancelling closes the connection: the server stops
 * downloading (unless another client waits for the same blobs) and keeps
 * what it has, so the next pull resumes. An unknown model is an error line
 * after 200, reported as %CRIA_CLIENT_ERROR_SERVER.
 */
void
cria_client_pull_async (CriaClient          *self,
                        const char          *model,
                        CriaProgressFunc     progress_func,
                        gpointer             progress_data,
                        GDestroyNotify       progress_data_destroy,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(JsonObject) object = json_object_new ();

  g_return_if_fail (CRIA_IS_CLIENT (self));
  g_return_if_fail (model != NULL);
  g_return_if_fail (progress_func != NULL);

  json_object_set_string_member (object, "model", model);
  start_progress (self, "/api/pull", object,
                  progress_func, progress_data, progress_data_destroy,
                  cria_client_pull_async, cancellable, callback, user_data);
}

gboolean
cria_client_pull_finish (CriaClient    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return request_propagate_boolean (self, result, cria_client_pull_async, error);
}

/**
 * cria_client_create_async:
 * @from: the installed model the new one is made from
 * @system: (nullable): its system prompt
 * @parameters: (nullable): its parameters (`temperature`, `num_ctx`, …)
 *
 * Streams `/api/create` from an existing model.
 */
void
cria_client_create_async (CriaClient          *self,
                          const char          *model,
                          const char          *from,
                          const char          *system,
                          JsonObject          *parameters,
                          CriaProgressFunc     progress_func,
                          gpointer             progress_data,
                          GDestroyNotify       progress_data_destroy,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(JsonObject) object = json_object_new ();

  g_return_if_fail (CRIA_IS_CLIENT (self));
  g_return_if_fail (model != NULL);
  g_return_if_fail (from != NULL);
  g_return_if_fail (progress_func != NULL);

  json_object_set_string_member (object, "model", model);
  json_object_set_string_member (object, "from", from);
  if (system != NULL && system[0] != '\0')
    json_object_set_string_member (object, "system", system);
  if (parameters != NULL && json_object_get_size (parameters) > 0)
    json_object_set_object_member (object, "parameters", json_object_ref (parameters));

  start_progress (self, "/api/create", object,
                  progress_func, progress_data, progress_data_destroy,
                  cria_client_create_async, cancellable, callback, user_data);
}

gboolean
cria_client_create_finish (CriaClient    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return request_propagate_boolean (self, result, cria_client_create_async, error);
}

/* Delete and copy answer 200 with an empty body. */
static gpointer
parse_nothing (const char  *data,
               gsize        length,
               GError     **error)
{
  return GINT_TO_POINTER (TRUE);
}

/**
 * cria_client_delete_async:
 *
 * Removes @model. A model that is not installed is
 * %CRIA_CLIENT_ERROR_MODEL_NOT_FOUND.
 */
void
cria_client_delete_async (CriaClient          *self,
                          const char          *model,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GBytes) body = NULL;

  g_return_if_fail (CRIA_IS_CLIENT (self));
  g_return_if_fail (model != NULL);

  json_object_set_string_member (object, "model", model);
  body = body_from_object (object);

  start_plain (self, SOUP_METHOD_DELETE, "/api/delete", body, FALSE,
               parse_nothing, NULL,
               cria_client_delete_async, cancellable, callback, user_data);
}

gboolean
cria_client_delete_finish (CriaClient    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return request_propagate_boolean (self, result, cria_client_delete_async, error);
}

/**
 * cria_client_copy_async:
 *
 * Copies @source to @destination. A missing source is
 * %CRIA_CLIENT_ERROR_MODEL_NOT_FOUND.
 */
void
cria_client_copy_async (CriaClient          *self,
                        const char          *source,
                        const char          *destination,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GBytes) body = NULL;

  g_return_if_fail (CRIA_IS_CLIENT (self));
  g_return_if_fail (source != NULL);
  g_return_if_fail (destination != NULL);

  json_object_set_string_member (object, "source", source);
  json_object_set_string_member (object, "destination", destination);
  body = body_from_object (object);

  start_plain (self, SOUP_METHOD_POST, "/api/copy", body, FALSE,
               parse_nothing, NULL,
               cria_client_copy_async, cancellable, callback, user_data);
}

gboolean
cria_client_copy_finish (CriaClient    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  return request_propagate_boolean (self, result, cria_client_copy_async, error);
}

/**
 * cria_client_list_running_async:
 *
 * Asks `/api/ps`; retried with backoff on connection failures.
 */
void
cria_client_list_running_async (CriaClient          *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (CRIA_IS_CLIENT (self));

  start_plain (self, SOUP_METHOD_GET, "/api/ps", NULL, TRUE,
               (RequestParseFunc) _cria_client_parse_running,
               (GDestroyNotify) g_ptr_array_unref,
               cria_client_list_running_async, cancellable, callback, user_data);
}

/**
 * cria_client_list_running_finish:
 *
 * Returns: (transfer full) (element-type CriaRunningModel): the loaded models
 */
GPtrArray *
cria_client_list_running_finish (CriaClient    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return request_propagate (self, result, cria_client_list_running_async, error);
}

static gpointer
parse_unload (const char  *data,
              gsize        length,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *object;

  if (!(object = parse_object (parser, data, length, error)) ||
      !check_error_member (object, error))
    return NULL;

  return GINT_TO_POINTER (TRUE);
}

/**
 * cria_client_unload_async:
 *
 * Frees the memory @model holds: a chat with no messages and a `keep_alive`
 * of 0, which the server answers with one plain JSON object.
 */
void
cria_client_unload_async (CriaClient          *self,
                          const char          *model,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GBytes) body = NULL;

  g_return_if_fail (CRIA_IS_CLIENT (self));
  g_return_if_fail (model != NULL);

  json_object_set_string_member (object, "model", model);
  json_object_set_array_member (object, "messages", json_array_new ());
  json_object_set_int_member (object, "keep_alive", 0);
  json_object_set_boolean_member (object, "stream", FALSE);
  body = body_from_object (object);

  start_plain (self, SOUP_METHOD_POST, "/api/chat", body, FALSE,
               parse_unload, NULL,
               cria_client_unload_async, cancellable, callback, user_data);
}

gboolean
cria_client_unload_finish (CriaClient    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return request_propagate_boolean (self, result, cria_client_unload_async, error);
}
