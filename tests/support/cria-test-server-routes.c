/* cria-test-server-routes.c: the simulator's router and plain endpoints
 *
 * Request parsing with Go's error messages, the route table (404 and 405
 * from the router, as gin does), the faults that apply to every request,
 * and the endpoints that answer with one plain JSON object. Streamed
 * replies start here and continue in cria-test-server-stream.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-test-server"

#include "cria-config.h"

#include <math.h>
#include <string.h>

#include "cria-test-server-private.h"

typedef void (*RouteFunc) (CriaTestServer    *self,
                           SoupServerMessage *msg);

typedef struct
{
  const char *path;
  const char *methods;            /* space-separated */
  RouteFunc   func;
} Route;

/* ------------------------------------------------------------------------ */
/* Replies                                                                  */

/* Takes @body. */
void
_cria_test_server_reply_json (SoupServerMessage *msg,
                              guint              status,
                              const char        *content_type,
                              GString           *body)
{
  gsize length = body->len;

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE,
                                    g_string_free (body, FALSE), length);
}

void
_cria_test_server_reply_error (SoupServerMessage *msg,
                               guint              status,
                               const char        *message)
{
  GString *body = g_string_new ("{\"error\":");

  _cria_json_append_string (body, message);
  g_string_append_c (body, '}');
  _cria_test_server_reply_json (msg, status, CRIA_TEST_JSON_TYPE, body);
}

static void
reply_text (SoupServerMessage *msg,
            guint              status,
            const char        *content_type,
            const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, text, strlen (text));
}

/* 200 with no body at all, like DELETE and copy. */
static void
reply_empty (SoupServerMessage *msg)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
reply_error_printf (SoupServerMessage *msg,
                    guint              status,
                    const char        *format,
                    ...) G_GNUC_PRINTF (3, 4);

static void
reply_error_printf (SoupServerMessage *msg,
                    guint              status,
                    const char        *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  _cria_test_server_reply_error (msg, status, message);
}

static const char *
status_error_text (guint status)
{
  switch (status)
    {
    case 400: return "bad request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not found";
    case 429: return "too many requests";
    case 500: return "an error was encountered while running the model";
    case 502: return "bad gateway";
    case 503: return CRIA_TEST_BUSY_ERROR;
    case 504: return "gateway timeout";
    default:  return NULL;
    }
}

/* ------------------------------------------------------------------------ */
/* Request bodies                                                           */

static GBytes *
dup_request_body (SoupServerMessage *msg)
{
  return soup_message_body_flatten (soup_server_message_get_request_body (msg));
}

/* The request body as a JSON object, or NULL once an error was sent. */
static JsonObject *
parse_body (SoupServerMessage *msg,
            const char        *go_type)
{
  g_autoptr(GBytes) bytes = dup_request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *data;
  gsize length;
  JsonNode *root;

  data = g_bytes_get_data (bytes, &length);
  if (length == 0)
    {
      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "missing request body");
      return NULL;
    }

  if (!json_parser_load_from_data (parser, data, length, NULL))
    {
      g_autofree char *message = _cria_test_json_syntax_error (data, length);

      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || JSON_NODE_HOLDS_NULL (root))
    return json_object_new ();

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      reply_error_printf (msg, SOUP_STATUS_BAD_REQUEST,
                          "json: cannot unmarshal %s into Go value of type api.%s",
                          JSON_NODE_HOLDS_ARRAY (root) ? "array" : "number", go_type);
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

static gboolean
get_string (SoupServerMessage  *msg,
            JsonObject         *object,
            const char         *member,
            const char         *go_struct,
            const char        **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *message = _cria_test_json_type_error (node, go_struct, member, "string");

      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      return FALSE;
    }

  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_bool (SoupServerMessage *msg,
          JsonObject        *object,
          const char        *member,
          const char        *go_struct,
          gboolean           fallback,
          gboolean          *out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = fallback;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_autofree char *message = _cria_test_json_type_error (node, go_struct, member, "bool");

      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      return FALSE;
    }

  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
get_array (SoupServerMessage  *msg,
           JsonObject         *object,
           const char         *member,
           const char         *go_struct,
           const char         *go_type,
           JsonArray         **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autofree char *message = _cria_test_json_type_error (node, go_struct, member, go_type);

      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      return FALSE;
    }

  *out = json_node_get_array (node);
  return TRUE;
}

/* `model`, or the deprecated `name` (pull, delete, show, create). */
static gboolean
get_model_or_name (SoupServerMessage  *msg,
                   JsonObject         *object,
                   const char         *go_struct,
                   const char        **out)
{
  const char *model;
  const char *name;

  if (!get_string (msg, object, "model", go_struct, &model) ||
      !get_string (msg, object, "name", go_struct, &name))
    return FALSE;

  *out = model != NULL && model[0] != '\0' ? model : name;
  if (*out == NULL)
    *out = "";

  return TRUE;
}

/* think: true/false or "low"/"medium"/"high"/"max". */
static gboolean
get_think (SoupServerMessage *msg,
           JsonObject        *object,
           gboolean          *set,
           gboolean          *value)
{
  JsonNode *node = json_object_get_member (object, "think");

  *set = FALSE;
  *value = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      *set = TRUE;
      *value = json_node_get_boolean (node);
      return TRUE;
    }

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *level = json_node_get_string (node);

      if (g_str_equal (level, "high") || g_str_equal (level, "medium") ||
          g_str_equal (level, "low") || g_str_equal (level, "max"))
        {
          *set = TRUE;
          *value = TRUE;
          return TRUE;
        }

      reply_error_printf (msg, SOUP_STATUS_BAD_REQUEST,
                          "invalid think value: \"%s\" (must be \"high\", \"medium\", \"low\", "
                          "\"max\", true, or false)", level);
      return FALSE;
    }

  {
    g_autofree char *text = json_to_string (node, FALSE);

    reply_error_printf (msg, SOUP_STATUS_BAD_REQUEST,
                        "invalid think value: %s (must be \"high\", \"medium\", \"low\", "
                        "\"max\", true, or false)", text);
  }
  return FALSE;
}

static gboolean
check_images (SoupServerMessage *msg,
              JsonArray         *images,
              const char        *go_struct)
{
  if (images == NULL)
    return TRUE;

  for (guint i = 0; i < json_array_get_length (images); i++)
    {
      JsonNode *node = json_array_get_element (images, i);
      gsize bad = 0;

      if (JSON_NODE_HOLDS_NULL (node))
        continue;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          g_autofree char *message = _cria_test_json_type_error (node, go_struct, "images",
                                                                 "api.ImageData");

          _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, message);
          return FALSE;
        }

      if (!_cria_test_check_base64 (json_node_get_string (node), &bad))
        {
          reply_error_printf (msg, SOUP_STATUS_BAD_REQUEST,
                              "illegal base64 data at input byte %" G_GSIZE_FORMAT, bad);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
get_keep_alive (SoupServerMessage *msg,
                JsonObject        *object,
                gboolean          *set,
                gint64            *keep_alive_us)
{
  JsonNode *node = json_object_get_member (object, "keep_alive");
  g_autofree char *error = NULL;

  *set = FALSE;
  *keep_alive_us = 5 * G_USEC_PER_SEC * 60;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || !_cria_test_parse_keep_alive (node, keep_alive_us, &error))
    {
      if (error == NULL)
        error = _cria_test_json_type_error (node, "ChatRequest", "keep_alive", "api.Duration");
      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return FALSE;
    }

  *set = TRUE;
  return TRUE;
}

/* A wrong option type is a 500 (handleScheduleError), unknown ones are ignored. */
static gboolean
check_options (SoupServerMessage *msg,
               JsonObject        *object)
{
  JsonNode *node = json_object_get_member (object, "options");
  JsonObject *options;
  JsonNode *stop;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *message = _cria_test_json_type_error (node, "ChatRequest", "options",
                                                             "map[string]interface {}");

      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, message);
      return FALSE;
    }

  options = json_node_get_object (node);
  stop = json_object_get_member (options, "stop");
  if (stop != NULL && !JSON_NODE_HOLDS_ARRAY (stop) && !JSON_NODE_HOLDS_NULL (stop))
    {
      _cria_test_server_reply_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                     "option \"stop\" must be of type array");
      return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Model JSON                                                               */

static void
append_details (GString             *out,
                const CriaTestModel *model,
                gboolean             families_null,
                gboolean             with_lengths)
{
  g_string_append (out, "{\"parent_model\":\"\",\"format\":\"gguf\",\"family\":");
  _cria_json_append_string (out, model->family);
  g_string_append (out, ",\"families\":");
  if (families_null)
    {
      g_string_append (out, "null");
    }
  else
    {
      g_string_append_c (out, '[');
      _cria_json_append_string (out, model->family);
      if (_cria_test_model_has_capability (model, "vision"))
        g_string_append (out, ",\"clip\"");
      g_string_append_c (out, ']');
    }
  g_string_append (out, ",\"parameter_size\":");
  _cria_json_append_string (out, model->parameter_size);
  g_string_append (out, ",\"quantization_level\":");
  _cria_json_append_string (out, model->quantization_level);
  if (with_lengths)
    g_string_append_printf (out, ",\"context_length\":%" G_GINT64_FORMAT
                                 ",\"embedding_length\":%" G_GINT64_FORMAT,
                            model->context_length, model->embedding_length);
  g_string_append_c (out, '}');
}

static void
append_capabilities (GString             *out,
                     const CriaTestModel *model)
{
  g_string_append (out, "\"capabilities\":[");
  for (guint i = 0; model->capabilities[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      _cria_json_append_string (out, model->capabilities[i]);
    }
  g_string_append_c (out, ']');
}

static int
compare_modified (gconstpointer a,
                  gconstpointer b)
{
  const CriaTestModel *model_a = *(CriaTestModel **) a;
  const CriaTestModel *model_b = *(CriaTestModel **) b;

  return g_date_time_compare (model_b->modified_at, model_a->modified_at);
}

static gint64
parameter_count (const CriaTestModel *model)
{
  double value = g_ascii_strtod (model->parameter_size, NULL);
  char unit = model->parameter_size[strlen (model->parameter_size) - 1];

  return (gint64) (value * (unit == 'B' ? 1e9 : unit == 'M' ? 1e6 : 1));
}

/* ------------------------------------------------------------------------ */
/* Routes: plain JSON                                                       */

static void
route_root (CriaTestServer    *self,
            SoupServerMessage *msg)
{
  reply_text (msg, SOUP_STATUS_OK, "text/plain; charset=utf-8", "Ollama is running");
}

static void
route_version (CriaTestServer    *self,
               SoupServerMessage *msg)
{
  GString *body = g_string_new ("{\"version\":");

  _cria_json_append_string (body, self->version);
  g_string_append_c (body, '}');
  _cria_test_server_reply_json (msg, SOUP_STATUS_OK, CRIA_TEST_JSON_TYPE, body);
}

static void
route_tags (CriaTestServer    *self,
            SoupServerMessage *msg)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_sized_new (self->models->len);
  GString *body = g_string_new ("{\"models\":[");

  /* Not g_ptr_array_copy(): it would copy the free function too. */
  for (guint i = 0; i < self->models->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (self->models, i));
  g_ptr_array_sort (sorted, compare_modified);
  for (guint i = 0; i < sorted->len; i++)
    {
      CriaTestModel *model = g_ptr_array_index (sorted, i);

      if (i > 0)
        g_string_append_c (body, ',');
      g_string_append (body, "{\"name\":");
      _cria_json_append_string (body, model->name);
      g_string_append (body, ",\"model\":");
      _cria_json_append_string (body, model->name);
      g_string_append (body, ",\"modified_at\":");
      _cria_json_append_local_time (body, model->modified_at);
      g_string_append_printf (body, ",\"size\":%" G_GINT64_FORMAT ",\"digest\":\"%s\",\"details\":",
                              model->size, model->digest);
      append_details (body, model, self->faults.families_null, !self->faults.old_server);
      if (!self->faults.old_server)
        {
          g_string_append_c (body, ',');
          append_capabilities (body, model);
        }
      g_string_append_c (body, '}');
    }
  g_string_append (body, "]}");

  _cria_test_server_reply_json (msg, SOUP_STATUS_OK, CRIA_TEST_JSON_TYPE, body);
}

typedef struct
{
  CriaTestModel *model;
  gint64         expires_at;
} PsEntry;

static int
compare_expires (gconstpointer a,
                 gconstpointer b)
{
  const PsEntry *entry_a = a;
  const PsEntry *entry_b = b;

  return entry_a->expires_at < entry_b->expires_at ? 1
       : entry_a->expires_at > entry_b->expires_at ? -1 : 0;
}

static void
route_ps (CriaTestServer    *self,
          SoupServerMessage *msg)
{
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (PsEntry));
  GString *body = g_string_new ("{\"models\":[");
  GHashTableIter iter;
  gpointer key, value;

  _cria_test_server_prune_loaded (self);
  g_hash_table_iter_init (&iter, self->loaded);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      PsEntry entry = { _cria_test_server_find_model (self, key), *(gint64 *) value };

      g_array_append_val (entries, entry);
    }
  g_array_sort (entries, compare_expires);

  for (guint i = 0; i < entries->len; i++)
    {
      PsEntry *entry = &g_array_index (entries, PsEntry, i);

      if (i > 0)
        g_string_append_c (body, ',');
      g_string_append (body, "{\"name\":");
      _cria_json_append_string (body, entry->model->name);
      g_string_append (body, ",\"model\":");
      _cria_json_append_string (body, entry->model->name);
      g_string_append_printf (body, ",\"size\":%" G_GINT64_FORMAT ",\"digest\":\"%s\",\"details\":",
                              entry->model->size + 512 * 1024 * 1024, entry->model->digest);
      append_details (body, entry->model, self->faults.families_null, FALSE);
      g_string_append (body, ",\"expires_at\":");
      _cria_json_append_expires_at (body, entry->expires_at);
      g_string_append_printf (body, ",\"size_vram\":%" G_GINT64_FORMAT ",\"context_length\":4096}",
                              entry->model->size + 512 * 1024 * 1024);
    }
  g_string_append (body, "]}");

  _cria_test_server_reply_json (msg, SOUP_STATUS_OK, CRIA_TEST_JSON_TYPE, body);
}

static void
route_show (CriaTestServer    *self,
            SoupServerMessage *msg)
{
  g_autoptr(JsonObject) request = parse_body (msg, "ShowRequest");
  CriaTestModel *model;
  const char *name;
  gboolean verbose;
  GString *body;

  if (request == NULL ||
      !get_model_or_name (msg, request, "ShowRequest", &name) ||
      !get_bool (msg, request, "verbose", "ShowRequest", FALSE, &verbose))
    return;

  if (name[0] == '\0')
    {
      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "model is required");
      return;
    }

  model = _cria_test_server_find_model (self, name);
  if (model == NULL)
    {
      reply_error_printf (msg, SOUP_STATUS_NOT_FOUND, "model '%s' not found", name);
      return;
    }

  body = g_string_new ("{\"license\":\"Simulated license text.\\n\\nUse it for tests only.\"");
  g_string_append (body, ",\"modelfile\":");
  {
    g_autofree char *modelfile =
      g_strdup_printf ("# Modelfile generated by \"ollama show\"\n"
                       "# To build a new Modelfile based on this, replace FROM with:\n"
                       "# FROM %s\n\n"
                       "FROM /usr/share/ollama/.ollama/models/blobs/sha256-%s\n"
                       "TEMPLATE \"\"\"{{ .Prompt }}\"\"\"\n"
                       "PARAMETER stop <|eot_id|>\n",
                       model->name, model->digest);

    _cria_json_append_string (body, modelfile);
  }
  g_string_append (body, ",\"parameters\":");
  _cria_json_append_string (body, "stop                           \"<|start_header_id|>\"\n"
                                  "stop                           \"<|eot_id|>\"\n"
                                  "temperature                    0.6");
  g_string_append (body, ",\"template\":");
  _cria_json_append_string (body, "{{- range .Messages }}<|start_header_id|>{{ .Role }}"
                                  "<|end_header_id|>\n\n{{ .Content }}<|eot_id|>{{ end }}");
  g_string_append (body, ",\"details\":");
  append_details (body, model, self->faults.families_null, !self->faults.old_server);

  g_string_append (body, ",\"model_info\":{\"general.architecture\":");
  _cria_json_append_string (body, model->family);
  g_string_append_printf (body, ",\"general.file_type\":15,"
                                "\"general.parameter_count\":%" G_GINT64_FORMAT
                                ",\"general.quantization_version\":2",
                          parameter_count (model));
  {
    g_autofree char *context_key = g_strconcat (model->family, ".context_length", NULL);
    g_autofree char *embedding_key = g_strconcat (model->family, ".embedding_length", NULL);

    g_string_append_c (body, ',');
    _cria_json_append_string (body, context_key);
    g_string_append_printf (body, ":%" G_GINT64_FORMAT ",", model->context_length);
    _cria_json_append_string (body, embedding_key);
    g_string_append_printf (body, ":%" G_GINT64_FORMAT, model->embedding_length);
  }
  g_string_append (body, ",\"tokenizer.ggml.add_bos_token\":true,"
                         "\"tokenizer.ggml.model\":\"gpt2\"");
  /* Without verbose, arrays longer than 5 elements are written as []. */
  if (verbose)
    g_string_append (body, ",\"tokenizer.ggml.tokens\":"
                           "[\"!\",\"\\\"\",\"#\",\"$\",\"%\",\"\\u0026\","
                           "\"'\",\"(\"],\"tokenizer.ggml.token_type\":[1,1,1,1,1,1,1,1]}");
  else
    g_string_append (body, ",\"tokenizer.ggml.tokens\":[],\"tokenizer.ggml.token_type\":[]}");

  g_string_append_printf (body, ",\"tensors\":[{\"name\":\"token_embd.weight\",\"type\":\"Q4_K\","
                                "\"shape\":[%" G_GINT64_FORMAT ",128256]},"
                                "{\"name\":\"output_norm.weight\",\"type\":\"F32\","
                                "\"shape\":[%" G_GINT64_FORMAT "]}]",
                          model->embedding_length, model->embedding_length);

  if (!self->faults.old_server)
    {
      g_string_append_c (body, ',');
      append_capabilities (body, model);
    }
  g_string_append (body, ",\"modified_at\":");
  _cria_json_append_local_time (body, model->modified_at);
  g_string_append_c (body, '}');

  _cria_test_server_reply_json (msg, SOUP_STATUS_OK, CRIA_TEST_JSON_TYPE, body);
}

static void
route_delete (CriaTestServer    *self,
              SoupServerMessage *msg)
{
  g_autoptr(JsonObject) request = parse_body (msg, "DeleteRequest");
  CriaTestModel *model;
  const char *name;

  if (request == NULL || !get_model_or_name (msg, request, "DeleteRequest", &name))
    return;

  if (name[0] == '\0')
    {
      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "model is required");
      return;
    }

  if (!_cria_test_name_is_valid (name))
    {
      reply_error_printf (msg, SOUP_STATUS_BAD_REQUEST, "name \"%s\" is invalid", name);
      return;
    }

  model = _cria_test_server_find_model (self, name);
  if (model == NULL)
    {
      reply_error_printf (msg, SOUP_STATUS_NOT_FOUND, "model '%s' not found", name);
      return;
    }

  /* Its layers go too: pulling it again downloads them again. */
  {
    g_autoptr(GPtrArray) layers = _cria_test_model_layers (model);

    for (guint i = 0; i < layers->len; i++)
      g_hash_table_remove (self->layers, ((CriaTestLayer *) g_ptr_array_index (layers, i))->digest);
  }

  _cria_test_server_remove_model (self, model);
  reply_empty (msg);
}

static void
route_copy (CriaTestServer    *self,
            SoupServerMessage *msg)
{
  g_autoptr(JsonObject) request = parse_body (msg, "CopyRequest");
  CriaTestModel *model;
  const char *source;
  const char *destination;

  if (request == NULL ||
      !get_string (msg, request, "source", "CopyRequest", &source) ||
      !get_string (msg, request, "destination", "CopyRequest", &destination))
    return;

  if (!_cria_test_name_is_valid (source))
    {
      reply_error_printf (msg, SOUP_STATUS_BAD_REQUEST, "source \"%s\" is invalid",
                          source != NULL ? source : "");
      return;
    }

  if (!_cria_test_name_is_valid (destination))
    {
      reply_error_printf (msg, SOUP_STATUS_BAD_REQUEST, "destination \"%s\" is invalid",
                          destination != NULL ? destination : "");
      return;
    }

  model = _cria_test_server_find_model (self, source);
  if (model == NULL)
    {
      reply_error_printf (msg, SOUP_STATUS_NOT_FOUND, "model \"%s\" not found", source);
      return;
    }

  _cria_test_server_install (self, model, destination);
  reply_empty (msg);
}

static void
append_embedding (GString    *out,
                  const char *input,
                  guint       dimensions)
{
  guint32 state = g_str_hash (input) * 2654435761u;
  g_autofree double *values = g_new (double, dimensions);
  double norm = 0;

  if (state == 0)
    state = 1;

  for (guint i = 0; i < dimensions; i++)
    {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      values[i] = ((double) state / G_MAXUINT32) * 2 - 1;
      norm += values[i] * values[i];
    }
  norm = norm > 0 ? sqrt (norm) : 1;

  g_string_append_c (out, '[');
  for (guint i = 0; i < dimensions; i++)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, "%.8g", values[i] / norm));
    }
  g_string_append_c (out, ']');
}

static void
route_embed (CriaTestServer    *self,
             SoupServerMessage *msg)
{
  g_autoptr(JsonObject) request = parse_body (msg, "EmbedRequest");
  g_autoptr(GPtrArray) inputs = g_ptr_array_new ();
  CriaTestModel *model;
  const char *name;
  JsonNode *input;
  gint64 dimensions = 0;
  GString *body;

  if (request == NULL || !get_string (msg, request, "model", "EmbedRequest", &name))
    return;

  if (name == NULL || name[0] == '\0')
    {
      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "model is required");
      return;
    }

  input = json_object_get_member (request, "input");
  if (input != NULL && JSON_NODE_HOLDS_VALUE (input) &&
      json_node_get_value_type (input) == G_TYPE_STRING)
    {
      if (json_node_get_string (input)[0] != '\0')
        g_ptr_array_add (inputs, (gpointer) json_node_get_string (input));
    }
  else if (input != NULL && JSON_NODE_HOLDS_ARRAY (input))
    {
      JsonArray *array = json_node_get_array (input);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (element) ||
              json_node_get_value_type (element) != G_TYPE_STRING)
            {
              _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid input type");
              return;
            }
          g_ptr_array_add (inputs, (gpointer) json_node_get_string (element));
        }
    }
  else if (input != NULL && !JSON_NODE_HOLDS_NULL (input))
    {
      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid input type");
      return;
    }

  model = _cria_test_server_find_model (self, name);
  if (model == NULL)
    {
      reply_error_printf (msg, SOUP_STATUS_NOT_FOUND,
                          "model \"%s\" not found, try pulling it first",
                          name);
      return;
    }

  if (json_object_has_member (request, "dimensions"))
    dimensions = json_object_get_int_member (request, "dimensions");
  if (dimensions <= 0 || dimensions > model->embedding_length)
    dimensions = model->embedding_length;

  body = g_string_new ("{\"model\":");
  _cria_json_append_string (body, name);
  g_string_append (body, ",\"embeddings\":[");
  for (guint i = 0; i < inputs->len; i++)
    {
      if (i > 0)
        g_string_append_c (body, ',');
      append_embedding (body, g_ptr_array_index (inputs, i), (guint) dimensions);
    }
  g_string_append_c (body, ']');

  if (inputs->len > 0)
    {
      guint tokens = 0;

      for (guint i = 0; i < inputs->len; i++)
        tokens += _cria_test_count_words (g_ptr_array_index (inputs, i)) + 2;
      g_string_append_printf (body, ",\"total_duration\":%u,\"load_duration\":%u,"
                                    "\"prompt_eval_count\":%u",
                              14143917 + tokens * 120000, 1019500, tokens);
      _cria_test_server_set_loaded (self, model->name, 5 * 60 * G_USEC_PER_SEC);
    }
  g_string_append_c (body, '}');

  _cria_test_server_reply_json (msg, SOUP_STATUS_OK, CRIA_TEST_JSON_TYPE, body);
}

static void
route_embeddings (CriaTestServer    *self,
                  SoupServerMessage *msg)
{
  g_autoptr(JsonObject) request = parse_body (msg, "EmbeddingRequest");
  CriaTestModel *model;
  const char *name;
  const char *prompt;
  GString *body;

  if (request == NULL ||
      !get_string (msg, request, "model", "EmbeddingRequest", &name) ||
      !get_string (msg, request, "prompt", "EmbeddingRequest", &prompt))
    return;

  model = _cria_test_server_find_model (self, name);
  if (model == NULL)
    {
      reply_error_printf (msg, SOUP_STATUS_NOT_FOUND,
                          "model \"%s\" not found, try pulling it first",
                          name != NULL ? name : "");
      return;
    }

  body = g_string_new ("{\"embedding\":");
  if (prompt != NULL && prompt[0] != '\0')
    append_embedding (body, prompt, (guint) model->embedding_length);
  else
    g_string_append (body, "[]");
  g_string_append_c (body, '}');

  _cria_test_server_reply_json (msg, SOUP_STATUS_OK, CRIA_TEST_JSON_TYPE, body);
}

/* ------------------------------------------------------------------------ */
/* Routes: streamed                                                         */

/* Empty messages or prompt: load (or unload with keep_alive 0), plain JSON. */
static void
reply_load (CriaTestServer    *self,
            SoupServerMessage *msg,
            gboolean           generate,
            const char        *model_as_sent,
            const char        *local_name,
            gint64             keep_alive_us)
{
  GString *body = g_string_new ("{\"model\":");

  _cria_test_server_set_loaded (self, local_name, keep_alive_us);

  _cria_json_append_string (body, model_as_sent);
  g_string_append (body, ",\"created_at\":");
  _cria_json_append_created_at (body);
  if (generate)
    g_string_append (body, ",\"response\":\"\"");
  else
    g_string_append (body, ",\"message\":{\"role\":\"assistant\",\"content\":\"\"}");
  g_string_append_printf (body, ",\"done\":true,\"done_reason\":\"%s\"}",
                          keep_alive_us == 0 ? "unload" : "load");

  _cria_test_server_reply_json (msg, SOUP_STATUS_OK, CRIA_TEST_JSON_TYPE, body);
}

static guint
count_prompt_tokens (JsonArray *messages)
{
  guint tokens = 0;

  for (guint i = 0; messages != NULL && i < json_array_get_length (messages); i++)
    {
      JsonNode *node = json_array_get_element (messages, i);

      tokens += 5;
      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonNode *content = json_object_get_member (json_node_get_object (node), "content");

          if (content != NULL && JSON_NODE_HOLDS_VALUE (content) &&
              json_node_get_value_type (content) == G_TYPE_STRING)
            tokens += _cria_test_count_words (json_node_get_string (content));
        }
    }

  return tokens;
}

static gboolean
check_messages (SoupServerMessage *msg,
                JsonArray         *messages)
{
  for (guint i = 0; messages != NULL && i < json_array_get_length (messages); i++)
    {
      JsonNode *node = json_array_get_element (messages, i);
      JsonObject *message;
      const char *unused;
      JsonArray *images;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_autofree char *error = _cria_test_json_type_error (node, "ChatRequest", "messages",
                                                               "api.Message");

          _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, error);
          return FALSE;
        }

      message = json_node_get_object (node);
      if (!get_string (msg, message, "role", "Message", &unused) ||
          !get_string (msg, message, "content", "Message", &unused) ||
          !get_array (msg, message, "images", "Message", "[]api.ImageData", &images) ||
          !check_images (msg, images, "Message"))
        return FALSE;
    }

  return TRUE;
}

/* Checks shared by chat and generate, once the model is known. */
static gboolean
check_capabilities (SoupServerMessage   *msg,
                    const CriaTestModel *model,
                    const char          *model_as_sent,
                    gboolean             generate,
                    gboolean             think_set,
                    gboolean             think,
                    JsonArray           *tools)
{
  if (think_set && think && !_cria_test_model_has_capability (model, "thinking"))
    {
      reply_error_printf (msg, SOUP_STATUS_BAD_REQUEST, "\"%s\" does not support thinking",
                          model_as_sent);
      return FALSE;
    }

  if (!_cria_test_model_has_capability (model, "completion"))
    {
      reply_error_printf (msg, SOUP_STATUS_BAD_REQUEST, "\"%s\" does not support %s",
                          model_as_sent, generate ? "generate" : "chat");
      return FALSE;
    }

  if (tools != NULL && json_array_get_length (tools) > 0 &&
      !_cria_test_model_has_capability (model, "tools"))
    {
      g_autofree char *full = _cria_test_name_full (model->name);

      reply_error_printf (msg, SOUP_STATUS_BAD_REQUEST, "%s does not support tools", full);
      return FALSE;
    }

  return TRUE;
}

/* A model asked to name a conversation answers with a title. The simulated
 * one takes the first words the user wrote, so titles are predictable: a
 * request whose only message asks for "a title" and quotes the chat after
 * "User:" gets the first line of it, cut to six words. */
static char *
dup_title_reply (JsonArray *messages)
{
  JsonObject *message;
  const char *content;
  const char *user;
  g_auto(GStrv) words = NULL;
  g_autofree char *line = NULL;

  if (json_array_get_length (messages) != 1 ||
      (message = json_array_get_object_element (messages, 0)) == NULL ||
      (content = json_object_get_string_member_with_default (message, "content", NULL)) == NULL ||
      !g_str_has_prefix (content, "Write a title") ||
      (user = strstr (content, "User:\n")) == NULL)
    return NULL;

  user += strlen ("User:\n");
  line = g_strndup (user, strcspn (user, "\n"));
  words = g_strsplit (g_strstrip (line), " ", 7);
  if (g_strv_length (words) > 6)
    g_clear_pointer (&words[6], g_free);

  return g_strjoinv (" ", words);
}

static void
route_chat (CriaTestServer    *self,
            SoupServerMessage *msg)
{
  g_autoptr(JsonObject) request = parse_body (msg, "ChatRequest");
  CriaTestChatJob job = { 0 };
  CriaTestModel *model;
  const char *name;
  JsonArray *messages;
  JsonArray *tools;
  gboolean think_set, think, keep_alive_set;

  if (request == NULL ||
      !get_string (msg, request, "model", "ChatRequest", &name) ||
      !get_array (msg, request, "messages", "ChatRequest", "[]api.Message", &messages) ||
      !check_messages (msg, messages) ||
      !get_bool (msg, request, "stream", "ChatRequest", TRUE, &job.stream) ||
      !get_think (msg, request, &think_set, &think) ||
      !get_keep_alive (msg, request, &keep_alive_set, &job.keep_alive_us) ||
      !get_array (msg, request, "tools", "ChatRequest", "api.Tools", &tools))
    return;

  if (name == NULL || name[0] == '\0')
    {
      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "model is required");
      return;
    }

  model = _cria_test_server_find_model (self, name);
  if (model == NULL)
    {
      reply_error_printf (msg, SOUP_STATUS_NOT_FOUND, "model '%s' not found", name);
      return;
    }

  if (!check_capabilities (msg, model, name, FALSE, think_set, think, tools) ||
      !check_options (msg, request))
    return;

  if (messages == NULL || json_array_get_length (messages) == 0)
    {
      reply_load (self, msg, FALSE, name, model->name, job.keep_alive_us);
      return;
    }

  job.generate = FALSE;
  job.model = name;
  job.local_name = model->name;
  job.think = _cria_test_model_has_capability (model, "thinking") && (!think_set || think);
  job.unload_after = keep_alive_set && job.keep_alive_us == 0;
  job.prompt_tokens = count_prompt_tokens (messages) + 8;
  job.title_reply = dup_title_reply (messages);
  _cria_test_stream_start_chat (self, msg, &job);
  g_free (job.title_reply);
}

static void
route_generate (CriaTestServer    *self,
                SoupServerMessage *msg)
{
  g_autoptr(JsonObject) request = parse_body (msg, "GenerateRequest");
  CriaTestChatJob job = { 0 };
  CriaTestModel *model;
  const char *name;
  const char *prompt;
  const char *suffix;
  JsonArray *images;
  gboolean think_set, think, keep_alive_set;

  if (request == NULL ||
      !get_string (msg, request, "model", "GenerateRequest", &name) ||
      !get_string (msg, request, "prompt", "GenerateRequest", &prompt) ||
      !get_string (msg, request, "suffix", "GenerateRequest", &suffix) ||
      !get_array (msg, request, "images", "GenerateRequest", "[]api.ImageData", &images) ||
      !check_images (msg, images, "GenerateRequest") ||
      !get_bool (msg, request, "stream", "GenerateRequest", TRUE, &job.stream) ||
      !get_think (msg, request, &think_set, &think) ||
      !get_keep_alive (msg, request, &keep_alive_set, &job.keep_alive_us))
    return;

  /* Unlike chat, an empty model is a 404 here. */
  model = _cria_test_server_find_model (self, name);
  if (model == NULL)
    {
      reply_error_printf (msg, SOUP_STATUS_NOT_FOUND, "model '%s' not found",
                          name != NULL ? name : "");
      return;
    }

  if (!check_capabilities (msg, model, name, TRUE, think_set, think, NULL) ||
      !check_options (msg, request))
    return;

  if (suffix != NULL && suffix[0] != '\0' && !_cria_test_model_has_capability (model, "insert"))
    {
      g_autofree char *full = _cria_test_name_full (model->name);

      reply_error_printf (msg, SOUP_STATUS_BAD_REQUEST, "%s does not support insert", full);
      return;
    }

  if ((prompt == NULL || prompt[0] == '\0') &&
      (images == NULL || json_array_get_length (images) == 0))
    {
      reply_load (self, msg, TRUE, name, model->name, job.keep_alive_us);
      return;
    }

  job.generate = TRUE;
  job.model = name;
  job.local_name = model->name;
  job.think = _cria_test_model_has_capability (model, "thinking") && (!think_set || think);
  job.unload_after = keep_alive_set && job.keep_alive_us == 0;
  job.prompt_tokens = _cria_test_count_words (prompt) + 12;
  _cria_test_stream_start_chat (self, msg, &job);
}

static void
route_pull (CriaTestServer    *self,
            SoupServerMessage *msg)
{
  g_autoptr(JsonObject) request = parse_body (msg, "PullRequest");
  const char *name;
  gboolean stream;
  gboolean insecure;

  if (request == NULL ||
      !get_model_or_name (msg, request, "PullRequest", &name) ||
      !get_bool (msg, request, "stream", "PullRequest", TRUE, &stream) ||
      !get_bool (msg, request, "insecure", "PullRequest", FALSE, &insecure))
    return;

  if (!_cria_test_name_is_valid (name))
    {
      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid model name");
      return;
    }

  _cria_test_stream_start_pull (self, msg, name, stream);
}

static void
route_create (CriaTestServer    *self,
              SoupServerMessage *msg)
{
  g_autoptr(JsonObject) request = parse_body (msg, "CreateRequest");
  const char *name;
  const char *from;
  gboolean stream;

  if (request == NULL ||
      !get_model_or_name (msg, request, "CreateRequest", &name) ||
      !get_string (msg, request, "from", "CreateRequest", &from) ||
      !get_bool (msg, request, "stream", "CreateRequest", TRUE, &stream))
    return;

  if (name[0] == '\0')
    {
      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "model is required");
      return;
    }

  if (!_cria_test_name_is_valid (name))
    {
      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid model name");
      return;
    }

  if (from == NULL || from[0] == '\0')
    {
      _cria_test_server_reply_error (msg, SOUP_STATUS_BAD_REQUEST,
                                     "neither 'from' or 'files' was specified");
      return;
    }

  _cria_test_stream_start_create (self, msg, name, from, stream);
}

/* ------------------------------------------------------------------------ */
/* Router                                                                   */

static const Route routes[] = {
  { "/", "GET HEAD", route_root },
  { "/api/version", "GET HEAD", route_version },
  { "/api/tags", "GET HEAD", route_tags },
  { "/api/ps", "GET", route_ps },
  { "/api/show", "POST", route_show },
  { "/api/chat", "POST", route_chat },
  { "/api/generate", "POST", route_generate },
  { "/api/pull", "POST", route_pull },
  { "/api/delete", "DELETE", route_delete },
  { "/api/copy", "POST", route_copy },
  { "/api/create", "POST", route_create },
  { "/api/embed", "POST", route_embed },
  { "/api/embeddings", "POST", route_embeddings },
};

static gboolean
method_allowed (const char *methods,
                const char *method)
{
  g_auto(GStrv) list = g_strsplit (methods, " ", -1);

  return g_strv_contains ((const char * const *) list, method);
}

/* http_status, fail_first_requests and fail_every_nth_request apply to
 * every route. */
static gboolean
apply_request_faults (CriaTestServer    *self,
                      SoupServerMessage *msg)
{
  const CriaTestFaults *faults = &self->faults;
  guint n = ++self->requests_since_faults;

  if ((faults->fail_first_requests > 0 && n <= faults->fail_first_requests) ||
      (faults->fail_every_nth_request > 0 && n % faults->fail_every_nth_request == 0))
    {
      _cria_test_server_reply_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, CRIA_TEST_BUSY_ERROR);
      return TRUE;
    }

  if (faults->http_status > 0)
    {
      const char *text = status_error_text (faults->http_status);
      g_autofree char *fallback = NULL;

      if (faults->http_status_empty_body)
        {
          soup_server_message_set_status (msg, faults->http_status, NULL);
          return TRUE;
        }

      if (text == NULL)
        {
          const char *phrase = soup_status_get_phrase (faults->http_status);

          fallback = g_ascii_strdown (phrase != NULL ? phrase : "error", -1);
          text = fallback;
        }
      _cria_test_server_reply_error (msg, faults->http_status, text);
      return TRUE;
    }

  return FALSE;
}

/* Answers @msg: the request faults first, then the route. */
void
_cria_test_server_route (CriaTestServer    *self,
                         SoupServerMessage *msg,
                         const char        *path)
{
  const char *method = soup_server_message_get_method (msg);

  if (apply_request_faults (self, msg))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      if (!g_str_equal (routes[i].path, path))
        continue;

      if (!method_allowed (routes[i].methods, method))
        {
          reply_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain", "405 method not allowed");
          return;
        }

      routes[i].func (self, msg);
      return;
    }

  reply_text (msg, SOUP_STATUS_NOT_FOUND, "text/plain", "404 page not found");
}
