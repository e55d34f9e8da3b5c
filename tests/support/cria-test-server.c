/* cria-test-server.c: an Ollama simulator on SoupServer
 *
 * The object: starting and stopping, its models and registry, what it
 * replies, its faults and the request bookkeeping. Requests are answered
 * by cria-test-server-routes.c and, when streamed, by
 * cria-test-server-stream.c.
 *
 * Wire behaviour follows ollama-protocol.md (§7 is the checklist).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-test-server"

#include "cria-config.h"

#include <string.h>

#include "cria-test-server-private.h"

G_DEFINE_FINAL_TYPE (CriaTestServer, cria_test_server, G_TYPE_OBJECT)

#define DEFAULT_REPLY    "Hello! I am a simulated Ollama model. Ask me anything about llamas 🦙."
#define DEFAULT_THINKING "The user says hello. I should answer briefly and kindly."

/* ------------------------------------------------------------------------ */
/* Models                                                                   */

static CriaTestModel *
find_in (GPtrArray  *models,
         const char *name,
         guint      *index)
{
  g_autofree char *key = NULL;

  if (name == NULL || name[0] == '\0')
    return NULL;

  key = _cria_test_name_key (name);
  for (guint i = 0; i < models->len; i++)
    {
      CriaTestModel *model = g_ptr_array_index (models, i);
      g_autofree char *model_key = _cria_test_name_key (model->name);

      if (g_str_equal (key, model_key))
        {
          if (index != NULL)
            *index = i;
          return model;
        }
    }

  return NULL;
}

CriaTestModel *
_cria_test_server_find_model (CriaTestServer *self,
                              const char     *name)
{
  return find_in (self->models, name, NULL);
}

CriaTestModel *
_cria_test_server_find_registry (CriaTestServer *self,
                                 const char     *name)
{
  return find_in (self->registry, name, NULL);
}

static void
put_model (GPtrArray     *models,
           CriaTestModel *model)
{
  guint index;

  if (find_in (models, model->name, &index) != NULL)
    g_ptr_array_remove_index (models, index);

  g_ptr_array_add (models, model);
}

/* Installs a copy of @from under @name (as pull, copy and create do). */
void
_cria_test_server_install (CriaTestServer      *self,
                           const CriaTestModel *from,
                           const char          *name)
{
  put_model (self->models, _cria_test_model_copy (from, name));
}

/* @keep_alive_us: < 0 forever, 0 unloads. */
void
_cria_test_server_set_loaded (CriaTestServer *self,
                              const char     *local_name,
                              gint64          keep_alive_us)
{
  gint64 *expires_at;

  if (keep_alive_us == 0)
    {
      g_hash_table_remove (self->loaded, local_name);
      return;
    }

  expires_at = g_new (gint64, 1);
  *expires_at = keep_alive_us < 0 ? G_MAXINT64 : g_get_real_time () + keep_alive_us;
  g_hash_table_replace (self->loaded, g_strdup (local_name), expires_at);
}

static gboolean
loaded_expired (CriaTestServer *self,
                const char     *name,
                gint64          expires_at)
{
  return expires_at < g_get_real_time () || _cria_test_server_find_model (self, name) == NULL;
}

static gboolean
remove_expired_cb (gpointer key,
                   gpointer value,
                   gpointer user_data)
{
  return loaded_expired (user_data, key, *(gint64 *) value);
}

void
_cria_test_server_prune_loaded (CriaTestServer *self)
{
  g_hash_table_foreach_remove (self->loaded, remove_expired_cb, self);
}

/* Removes @model, unloads it, and forgets its layers: pulling it again
 * downloads them again. */
void
_cria_test_server_remove_model (CriaTestServer *self,
                                CriaTestModel  *model)
{
  g_autoptr(GPtrArray) layers = _cria_test_model_layers (model);

  for (guint i = 0; i < layers->len; i++)
    g_hash_table_remove (self->layers, ((CriaTestLayer *) g_ptr_array_index (layers, i))->digest);

  g_hash_table_remove (self->loaded, model->name);
  g_ptr_array_remove (self->models, model);
}

static CriaTestModel *
model_with_age (const char         *name,
                const char * const *capabilities,
                int                 hours_ago)
{
  CriaTestModel *model = _cria_test_model_new (name, capabilities);
  GDateTime *then = g_date_time_add_hours (model->modified_at, -hours_ago);

  g_date_time_unref (model->modified_at);
  model->modified_at = then;

  return model;
}

static void
install_defaults (CriaTestServer *self)
{
  static const char *tools[] = { "completion", "tools", NULL };
  static const char *thinking[] = { "completion", "tools", "thinking", NULL };
  static const char *reasoning[] = { "completion", "thinking", NULL };
  static const char *vision[] = { "completion", "vision", NULL };
  static const char *vision_tools[] = { "completion", "vision", "tools", NULL };
  static const char *embedding[] = { "embedding", NULL };

  g_ptr_array_set_size (self->models, 0);
  g_ptr_array_add (self->models, model_with_age ("llama3.2:latest", tools, 26));
  g_ptr_array_add (self->models, model_with_age ("qwen3:0.6b", thinking, 50));
  g_ptr_array_add (self->models, model_with_age ("llava:7b", vision, 300));
  g_ptr_array_add (self->models, model_with_age ("nomic-embed-text:latest", embedding, 720));

  g_ptr_array_set_size (self->registry, 0);
  g_ptr_array_add (self->registry, _cria_test_model_new ("llama3.2:latest", tools));
  g_ptr_array_add (self->registry, _cria_test_model_new ("llama3.2:1b", tools));
  g_ptr_array_add (self->registry, _cria_test_model_new ("qwen3:0.6b", thinking));
  g_ptr_array_add (self->registry, _cria_test_model_new ("qwen3:8b", thinking));
  g_ptr_array_add (self->registry, _cria_test_model_new ("llava:7b", vision));
  g_ptr_array_add (self->registry, _cria_test_model_new ("gemma3:4b", vision));
  g_ptr_array_add (self->registry, _cria_test_model_new ("mistral:7b", tools));
  g_ptr_array_add (self->registry, _cria_test_model_new ("phi4:14b", NULL));
  g_ptr_array_add (self->registry, _cria_test_model_new ("deepseek-r1:7b", reasoning));
  g_ptr_array_add (self->registry, _cria_test_model_new ("gpt-oss:20b", thinking));
  g_ptr_array_add (self->registry, _cria_test_model_new ("nomic-embed-text:latest", embedding));
  g_ptr_array_add (self->registry, _cria_test_model_new ("llama4:scout", vision_tools));
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */

static void
request_record_free (gpointer data)
{
  CriaTestRequestRecord *record = data;

  g_free (record->last_body);
  g_clear_pointer (&record->last_headers, soup_message_headers_unref);
  g_free (record);
}

static void
record_request (CriaTestServer    *self,
                SoupServerMessage *msg,
                const char        *path)
{
  CriaTestRequestRecord *record = g_hash_table_lookup (self->requests, path);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  if (record == NULL)
    {
      record = g_new0 (CriaTestRequestRecord, 1);
      g_hash_table_insert (self->requests, g_strdup (path), record);
    }

  record->count++;
  g_free (record->last_body);
  record->last_body = g_strndup (data != NULL ? data : "", length);
  g_clear_pointer (&record->last_headers, soup_message_headers_unref);
  record->last_headers = soup_message_headers_ref (soup_server_message_get_request_headers (msg));
}

static void
handle_request_cb (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  CriaTestServer *self = user_data;

  g_debug ("%s %s", soup_server_message_get_method (msg), path);
  record_request (self, msg, path);
  _cria_test_server_route (self, msg, path);
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                  */

static void
cria_test_server_dispose (GObject *object)
{
  CriaTestServer *self = (CriaTestServer *)object;

  cria_test_server_stop (self);

  G_OBJECT_CLASS (cria_test_server_parent_class)->dispose (object);
}

static void
cria_test_server_finalize (GObject *object)
{
  CriaTestServer *self = (CriaTestServer *)object;

  g_clear_pointer (&self->models, g_ptr_array_unref);
  g_clear_pointer (&self->registry, g_ptr_array_unref);
  g_clear_pointer (&self->loaded, g_hash_table_unref);
  g_clear_pointer (&self->layers, g_hash_table_unref);
  g_clear_pointer (&self->requests, g_hash_table_unref);
  g_clear_pointer (&self->streams, g_ptr_array_unref);
  g_clear_pointer (&self->version, g_free);
  g_clear_pointer (&self->reply_content, g_free);
  g_clear_pointer (&self->reply_thinking, g_free);
  g_queue_clear_full (&self->reply_queue, (GDestroyNotify) _cria_test_queued_reply_free);

  G_OBJECT_CLASS (cria_test_server_parent_class)->finalize (object);
}

static void
cria_test_server_class_init (CriaTestServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cria_test_server_dispose;
  object_class->finalize = cria_test_server_finalize;
}

static void
cria_test_server_init (CriaTestServer *self)
{
  self->models = g_ptr_array_new_with_free_func ((GDestroyNotify) _cria_test_model_free);
  self->registry = g_ptr_array_new_with_free_func ((GDestroyNotify) _cria_test_model_free);
  self->loaded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->layers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, request_record_free);
  self->streams = g_ptr_array_new ();
  self->version = g_strdup (CRIA_TEST_DEFAULT_VERSION);
  self->reply_content = g_strdup (DEFAULT_REPLY);
  self->reply_thinking = g_strdup (DEFAULT_THINKING);
  self->pull_interval_ms = 60;
  self->pull_bytes_per_tick = 64 * 1024 * 1024;

  install_defaults (self);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */

/**
 * cria_test_server_new:
 *
 * A stopped simulator with the default models: `llama3.2:latest`
 * (completion, tools), `qwen3:0.6b` (completion, tools, thinking),
 * `llava:7b` (completion, vision) and `nomic-embed-text:latest`
 * (embedding). Its registry also knows `llama3.2:1b`, `qwen3:8b`,
 * `gemma3:4b`, `mistral:7b`, `phi4:14b`, `deepseek-r1:7b`, `gpt-oss:20b`
 * and `llama4:scout`.
 */
CriaTestServer *
cria_test_server_new (void)
{
  return g_object_new (CRIA_TYPE_TEST_SERVER, NULL);
}

/**
 * cria_test_server_start:
 * @port: 0 for a free port
 *
 * Listens on 127.0.0.1, on the thread-default main context. After
 * cria_test_server_stop() the same port can be taken again at once.
 */
gboolean
cria_test_server_start (CriaTestServer  *self,
                        guint            port,
                        GError         **error)
{
  g_autoptr(SoupServer) soup = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  GSList *listeners;

  g_return_val_if_fail (CRIA_IS_TEST_SERVER (self), FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);

  soup = soup_server_new ("server-header", NULL, NULL);
  soup_server_add_handler (soup, NULL, handle_request_cb, self, NULL);

  /* Not soup_server_listen_local(): it leaks an address in libsoup 3.2. */
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, (guint16) port);
  if (!soup_server_listen (soup, address, 0, error))
    return FALSE;

  /* Nor soup_server_get_uris(), for the same reason. */
  listeners = soup_server_get_listeners (soup);
  self->port = port;
  if (listeners != NULL)
    {
      g_autoptr(GSocketAddress) local = g_socket_get_local_address (listeners->data, NULL);

      if (G_IS_INET_SOCKET_ADDRESS (local))
        self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }
  g_slist_free (listeners);

  self->soup = g_steal_pointer (&soup);
  self->context = g_main_context_ref_thread_default ();

  g_debug ("Listening on 127.0.0.1:%u", self->port);

  return TRUE;
}

/**
 * cria_test_server_stop:
 *
 * Closes the listening socket and every connection, streams in progress
 * included. Those do not count as cancellations.
 */
void
cria_test_server_stop (CriaTestServer *self)
{
  g_return_if_fail (CRIA_IS_TEST_SERVER (self));

  if (self->soup == NULL)
    return;

  self->stopping = TRUE;
  _cria_test_stream_close_all (self);
  soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->stopping = FALSE;

  g_debug ("Stopped listening on 127.0.0.1:%u", self->port);
}

gboolean
cria_test_server_is_running (CriaTestServer *self)
{
  g_return_val_if_fail (CRIA_IS_TEST_SERVER (self), FALSE);

  return self->soup != NULL;
}

/* The last port listened on (kept after stop). */
guint
cria_test_server_get_port (CriaTestServer *self)
{
  g_return_val_if_fail (CRIA_IS_TEST_SERVER (self), 0);

  return self->port;
}

/* "http://127.0.0.1:PORT", without a trailing slash. */
char *
cria_test_server_dup_url (CriaTestServer *self)
{
  g_return_val_if_fail (CRIA_IS_TEST_SERVER (self), NULL);

  return g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

void
cria_test_server_clear_models (CriaTestServer *self)
{
  g_return_if_fail (CRIA_IS_TEST_SERVER (self));

  g_ptr_array_set_size (self->models, 0);
  g_hash_table_remove_all (self->loaded);
}

/**
 * cria_test_server_add_model:
 * @capabilities: (nullable): NULL for { "completion" }
 *
 * Installs a model (replacing one of the same name), modified now.
 */
void
cria_test_server_add_model (CriaTestServer     *self,
                            const char         *name,
                            const char * const *capabilities)
{
  g_return_if_fail (CRIA_IS_TEST_SERVER (self));
  g_return_if_fail (name != NULL && name[0] != '\0');

  put_model (self->models, _cria_test_model_new (name, capabilities));
}

void
cria_test_server_set_version (CriaTestServer *self,
                              const char     *version)
{
  g_return_if_fail (CRIA_IS_TEST_SERVER (self));
  g_return_if_fail (version != NULL);

  g_free (self->version);
  self->version = g_strdup (version);
}

gboolean
cria_test_server_has_model (CriaTestServer *self,
                            const char     *name)
{
  g_return_val_if_fail (CRIA_IS_TEST_SERVER (self), FALSE);

  return _cria_test_server_find_model (self, name) != NULL;
}

/* Whether /api/ps lists it: chatted with, not expired, not unloaded. */
gboolean
cria_test_server_is_model_loaded (CriaTestServer *self,
                                  const char     *name)
{
  CriaTestModel *model;

  g_return_val_if_fail (CRIA_IS_TEST_SERVER (self), FALSE);

  model = _cria_test_server_find_model (self, name);
  if (model == NULL)
    return FALSE;

  _cria_test_server_prune_loaded (self);
  return g_hash_table_contains (self->loaded, model->name);
}

void
cria_test_server_clear_registry (CriaTestServer *self)
{
  g_return_if_fail (CRIA_IS_TEST_SERVER (self));

  g_ptr_array_set_size (self->registry, 0);
}

void
cria_test_server_add_registry_model (CriaTestServer     *self,
                                     const char         *name,
                                     const char * const *capabilities)
{
  g_return_if_fail (CRIA_IS_TEST_SERVER (self));
  g_return_if_fail (name != NULL && name[0] != '\0');

  put_model (self->registry, _cria_test_model_new (name, capabilities));
}

void
cria_test_server_set_pull_timing (CriaTestServer *self,
                                  guint           interval_ms,
                                  guint64         bytes_per_tick)
{
  g_return_if_fail (CRIA_IS_TEST_SERVER (self));

  self->pull_interval_ms = interval_ms;
  self->pull_bytes_per_tick = bytes_per_tick > 0 ? bytes_per_tick : 64 * 1024 * 1024;
}

/**
 * cria_test_server_set_reply:
 * @content: the reply, streamed a word at a time
 * @thinking: (nullable): what thinking-capable models think first
 *
 * Replaces a generated reply (set_generated_reply).
 */
void
cria_test_server_set_reply (CriaTestServer *self,
                            const char     *content,
                            const char     *thinking)
{
  g_return_if_fail (CRIA_IS_TEST_SERVER (self));

  g_free (self->reply_content);
  g_free (self->reply_thinking);
  self->reply_content = g_strdup (content != NULL ? content : "");
  self->reply_thinking = g_strdup (thinking != NULL ? thinking : "");
  self->generated_reply = 0;
}

void
_cria_test_queued_reply_free (CriaTestQueuedReply *reply)
{
  g_free (reply->content);
  g_free (reply->thinking);
  g_free (reply);
}

/**
 * cria_test_server_queue_reply:
 * @content: the reply, streamed a word at a time
 * @thinking: (nullable): what thinking-capable models think first, when
 *   asked to
 *
 * Queues a reply for one request: the next chat or generate request that
 * reaches the model takes the first reply queued, and once the queue is
 * empty the replies are set_reply's again. Lets a test tell apart the
 * answers to requests it does not send itself.
 */
void
cria_test_server_queue_reply (CriaTestServer *self,
                              const char     *content,
                              const char     *thinking)
{
  CriaTestQueuedReply *reply;

  g_return_if_fail (CRIA_IS_TEST_SERVER (self));
  g_return_if_fail (content != NULL);

  reply = g_new0 (CriaTestQueuedReply, 1);
  reply->content = g_strdup (content);
  reply->thinking = g_strdup (thinking != NULL ? thinking : "");
  g_queue_push_tail (&self->reply_queue, reply);
}

/**
 * cria_test_server_queue_failure:
 * @status: an HTTP error status, such as 500
 *
 * Queues, as cria_test_server_queue_reply() does, a request that fails
 * before its first token: @status with an `{"error"}` body, as Ollama
 * from v0.12.6 reports a runner that died.
 */
void
cria_test_server_queue_failure (CriaTestServer *self,
                                guint           status)
{
  CriaTestQueuedReply *reply;

  g_return_if_fail (CRIA_IS_TEST_SERVER (self));
  g_return_if_fail (status >= 400);

  reply = g_new0 (CriaTestQueuedReply, 1);
  reply->status = status;
  g_queue_push_tail (&self->reply_queue, reply);
}

/* Returns: (transfer full) (nullable): the reply queued for this request */
CriaTestQueuedReply *
_cria_test_server_pop_reply (CriaTestServer *self)
{
  return g_queue_pop_head (&self->reply_queue);
}

void
cria_test_server_set_generated_reply (CriaTestServer *self,
                                      guint           n_tokens)
{
  g_return_if_fail (CRIA_IS_TEST_SERVER (self));

  self->generated_reply = n_tokens;
}

void
cria_test_server_set_generated_thinking (CriaTestServer *self,
                                         guint           n_tokens)
{
  g_return_if_fail (CRIA_IS_TEST_SERVER (self));

  self->generated_thinking = n_tokens;
}

/**
 * cria_test_server_set_tokens_per_second:
 * @tokens_per_second: 0 for full speed
 *
 * Paces every stream line when the faults set no inter_token_delay_ms.
 * Pacing follows the monotonic clock and catches up when late.
 */
void
cria_test_server_set_tokens_per_second (CriaTestServer *self,
                                        double          tokens_per_second)
{
  g_return_if_fail (CRIA_IS_TEST_SERVER (self));

  self->tokens_per_second = MAX (tokens_per_second, 0);
}

/* Replaces the whole fault set; counting for fail_first_requests and the
 * every_nth switches starts again. */
void
cria_test_server_set_faults (CriaTestServer       *self,
                             const CriaTestFaults *faults)
{
  g_return_if_fail (CRIA_IS_TEST_SERVER (self));

  if (faults != NULL)
    self->faults = *faults;
  else
    memset (&self->faults, 0, sizeof self->faults);

  self->requests_since_faults = 0;
  self->streams_since_faults = 0;
}

guint
cria_test_server_get_request_count (CriaTestServer *self,
                                    const char     *path)
{
  CriaTestRequestRecord *record;

  g_return_val_if_fail (CRIA_IS_TEST_SERVER (self), 0);
  g_return_val_if_fail (path != NULL, 0);

  record = g_hash_table_lookup (self->requests, path);
  return record != NULL ? record->count : 0;
}

guint
cria_test_server_get_cancellations (CriaTestServer *self)
{
  g_return_val_if_fail (CRIA_IS_TEST_SERVER (self), 0);

  return self->cancellations;
}

guint
cria_test_server_get_active_streams (CriaTestServer *self)
{
  g_return_val_if_fail (CRIA_IS_TEST_SERVER (self), 0);

  return self->streams->len;
}

char *
cria_test_server_dup_last_body (CriaTestServer *self,
                                const char     *path)
{
  CriaTestRequestRecord *record;

  g_return_val_if_fail (CRIA_IS_TEST_SERVER (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  record = g_hash_table_lookup (self->requests, path);
  return record != NULL ? g_strdup (record->last_body) : NULL;
}

char *
cria_test_server_dup_last_header (CriaTestServer *self,
                                  const char     *path,
                                  const char     *header)
{
  CriaTestRequestRecord *record;

  g_return_val_if_fail (CRIA_IS_TEST_SERVER (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (header != NULL, NULL);

  record = g_hash_table_lookup (self->requests, path);
  if (record == NULL || record->last_headers == NULL)
    return NULL;

  return g_strdup (soup_message_headers_get_one (record->last_headers, header));
}

/* Request counts, bodies, headers and cancellations back to zero. */
void
cria_test_server_reset_counters (CriaTestServer *self)
{
  g_return_if_fail (CRIA_IS_TEST_SERVER (self));

  g_hash_table_remove_all (self->requests);
  self->cancellations = 0;
}
