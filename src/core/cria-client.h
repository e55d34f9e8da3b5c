/* cria-client.h: one Ollama endpoint over a shared SoupSession
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cria-types.h"

G_BEGIN_DECLS

#define CRIA_TYPE_CLIENT (cria_client_get_type ())

G_DECLARE_FINAL_TYPE (CriaClient, cria_client, CRIA, CLIENT, GObject)

/**
 * CriaChatMetrics:
 *
 * What the final `done` line of a chat reported. Ollama omits zero values,
 * so a missing field reads as 0 here.
 */
typedef struct
{
  char   *done_reason;
  gint64  total_duration;       /* nanoseconds */
  gint64  load_duration;        /* nanoseconds */
  gint64  prompt_eval_count;
  gint64  prompt_eval_duration; /* nanoseconds */
  gint64  eval_count;
  gint64  eval_duration;        /* nanoseconds */
} CriaChatMetrics;

#define CRIA_TYPE_CHAT_METRICS (cria_chat_metrics_get_type ())

GType            cria_chat_metrics_get_type          (void) G_GNUC_CONST;
CriaChatMetrics *cria_chat_metrics_copy              (const CriaChatMetrics *self);
void             cria_chat_metrics_free              (CriaChatMetrics       *self);
double           cria_chat_metrics_get_tokens_per_second (const CriaChatMetrics *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CriaChatMetrics, cria_chat_metrics_free)

/**
 * CriaChatChunk:
 * @content: text to append to the reply (never %NULL, may be empty)
 * @thinking: thinking text to append (never %NULL, may be empty)
 * @tool_calls: (nullable): complete tool calls carried by this line
 * @done: whether this was the final line
 *
 * One parsed line of a streamed /api/chat reply. Only valid during the
 * callback it is passed to.
 */
typedef struct
{
  const char *content;
  const char *thinking;
  JsonArray  *tool_calls;
  gboolean    done;
} CriaChatChunk;

typedef void (*CriaChatChunkFunc) (const CriaChatChunk *chunk,
                                   gpointer             user_data);

/**
 * CriaChatRequest:
 *
 * The body of a /api/chat request, built up message by message.
 */
typedef struct _CriaChatRequest CriaChatRequest;

#define CRIA_TYPE_CHAT_REQUEST (cria_chat_request_get_type ())

GType            cria_chat_request_get_type      (void) G_GNUC_CONST;
CriaChatRequest *cria_chat_request_new           (const char       *model);
CriaChatRequest *cria_chat_request_ref           (CriaChatRequest  *self);
void             cria_chat_request_unref         (CriaChatRequest  *self);
const char      *cria_chat_request_get_model     (CriaChatRequest  *self);
void             cria_chat_request_add_message   (CriaChatRequest  *self,
                                                  CriaChatMessage  *message);
void             cria_chat_request_set_think     (CriaChatRequest  *self,
                                                  CriaThinkMode     think);
void             cria_chat_request_set_keep_alive (CriaChatRequest *self,
                                                   const char      *keep_alive);
void             cria_chat_request_set_option_double (CriaChatRequest *self,
                                                      const char      *name,
                                                      double           value);
void             cria_chat_request_set_option_int (CriaChatRequest *self,
                                                   const char      *name,
                                                   gint64           value);
void             cria_chat_request_set_options   (CriaChatRequest  *self,
                                                  JsonObject       *options);
char            *cria_chat_request_to_json       (CriaChatRequest  *self,
                                                  gsize            *length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CriaChatRequest, cria_chat_request_unref)

/**
 * CriaProgressLine:
 * @status: the status line (`pulling manifest`, `pulling 1a2b3c4d5e6f`,
 *   `verifying sha256 digest`, `success`, …)
 * @digest: (nullable): the layer the line is about
 * @total: bytes of that layer, 0 when not sent
 * @completed: bytes of it already there, 0 when not sent
 *
 * One line of a pull or create progress stream. Only valid during the
 * callback it is passed to.
 */
typedef struct
{
  const char *status;
  const char *digest;
  gint64      total;
  gint64      completed;
} CriaProgressLine;

typedef void (*CriaProgressFunc) (const CriaProgressLine *line,
                                  gpointer                user_data);

CriaClient      *cria_client_new                 (SoupSession          *session,
                                                  GUri                 *base_uri);
SoupSession     *cria_client_get_session         (CriaClient           *self);
GUri            *cria_client_get_base_uri        (CriaClient           *self);
char            *cria_client_dup_base_url        (CriaClient           *self);
guint            cria_client_get_connect_timeout (CriaClient           *self);
void             cria_client_set_connect_timeout (CriaClient           *self,
                                                  guint                 msec);
guint            cria_client_get_idle_timeout    (CriaClient           *self);
void             cria_client_set_idle_timeout    (CriaClient           *self,
                                                  guint                 msec);
guint            cria_client_get_max_retries     (CriaClient           *self);
void             cria_client_set_max_retries     (CriaClient           *self,
                                                  guint                 max_retries);
guint            cria_client_get_retry_delay     (CriaClient           *self);
void             cria_client_set_retry_delay     (CriaClient           *self,
                                                  guint                 msec);
void             cria_client_set_token           (CriaClient           *self,
                                                  const char           *token);

void             cria_client_version_async       (CriaClient           *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
char            *cria_client_version_finish      (CriaClient           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void             cria_client_list_models_async   (CriaClient           *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray       *cria_client_list_models_finish  (CriaClient           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void             cria_client_show_async          (CriaClient           *self,
                                                  const char           *model,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
JsonObject      *cria_client_show_finish         (CriaClient           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void             cria_client_chat_async          (CriaClient           *self,
                                                  CriaChatRequest      *request,
                                                  CriaChatChunkFunc     chunk_func,
                                                  gpointer              chunk_data,
                                                  GDestroyNotify        chunk_data_destroy,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CriaChatMetrics *cria_client_chat_finish         (CriaClient           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void             cria_client_pull_async          (CriaClient           *self,
                                                  const char           *model,
                                                  CriaProgressFunc      progress_func,
                                                  gpointer              progress_data,
                                                  GDestroyNotify        progress_data_destroy,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean         cria_client_pull_finish         (CriaClient           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void             cria_client_create_async        (CriaClient           *self,
                                                  const char           *model,
                                                  const char           *from,
                                                  const char           *system,
                                                  JsonObject           *parameters,
                                                  CriaProgressFunc      progress_func,
                                                  gpointer              progress_data,
                                                  GDestroyNotify        progress_data_destroy,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean         cria_client_create_finish       (CriaClient           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void             cria_client_delete_async        (CriaClient           *self,
                                                  const char           *model,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean         cria_client_delete_finish       (CriaClient           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void             cria_client_copy_async          (CriaClient           *self,
                                                  const char           *source,
                                                  const char           *destination,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean         cria_client_copy_finish         (CriaClient           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void             cria_client_list_running_async  (CriaClient           *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray       *cria_client_list_running_finish (CriaClient           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void             cria_client_unload_async        (CriaClient           *self,
                                                  const char           *model,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean         cria_client_unload_finish       (CriaClient           *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

G_END_DECLS
