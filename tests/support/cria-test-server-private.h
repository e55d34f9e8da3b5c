/* cria-test-server-private.h: what the simulator's files share
 *
 * cria-test-server.c        the object, models, replies, faults, bookkeeping
 * cria-test-server-routes.c the router and the plain JSON endpoints
 * cria-test-server-stream.c NDJSON streams: pacing, faults, chat/generate/pull/create
 * cria-test-server-util.c   Go-style JSON output, timestamps, names, tokens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "cria-test-server.h"

G_BEGIN_DECLS

#define CRIA_TEST_DEFAULT_VERSION    "0.30.0"
#define CRIA_TEST_MID_STREAM_ERROR \
  "an error was encountered while running the model: unexpected EOF"
#define CRIA_TEST_EARLY_ERROR        "llama runner process has terminated: exit status 2"
#define CRIA_TEST_BUSY_ERROR \
  "server busy, please try again.  maximum pending requests exceeded"
#define CRIA_TEST_PULL_UNKNOWN_ERROR "pull model manifest: file does not exist"
#define CRIA_TEST_JSON_TYPE          "application/json; charset=utf-8"
#define CRIA_TEST_NDJSON_TYPE        "application/x-ndjson"

typedef struct
{
  char      *name;                /* shortest display form: "llama3.2:latest" */
  GStrv      capabilities;
  gint64     size;
  char      *digest;              /* 64 hex digits, no "sha256:" */
  char      *family;
  char      *parameter_size;
  char      *quantization_level;
  gint64     context_length;
  gint64     embedding_length;
  GDateTime *modified_at;
} CriaTestModel;

/* A blob of a model, as pull reports it. */
typedef struct
{
  char    *digest;                /* "sha256:" and 64 hex digits */
  guint64  size;
} CriaTestLayer;

/* A reply for one chat or generate request (cria_test_server_queue_reply). */
typedef struct
{
  char  *content;
  char  *thinking;
  guint  status;                  /* >0: fail before the first token instead */
} CriaTestQueuedReply;

typedef struct
{
  guint               count;
  char               *last_body;
  SoupMessageHeaders *last_headers;
} CriaTestRequestRecord;

typedef struct _CriaTestStream CriaTestStream;

struct _CriaTestServer
{
  GObject         parent_instance;

  /* Owned References */
  SoupServer     *soup;
  GMainContext   *context;
  GPtrArray      *models;          /* CriaTestModel: installed */
  GPtrArray      *registry;        /* CriaTestModel: what pull can fetch */
  GHashTable     *loaded;          /* display name → gint64 *expires_at (real µs) */
  GHashTable     *layers;          /* "sha256:…" → guint64 *bytes downloaded */
  GHashTable     *requests;        /* path → CriaTestRequestRecord */
  GPtrArray      *streams;         /* CriaTestStream: responses in progress */
  char           *version;
  char           *reply_content;
  char           *reply_thinking;
  GQueue          reply_queue;     /* CriaTestQueuedReply, for the next requests */

  guint           port;
  gboolean        stopping;

  guint           generated_reply;
  guint           generated_thinking;
  double          tokens_per_second;
  guint           pull_interval_ms;
  guint64         pull_bytes_per_tick;

  CriaTestFaults  faults;
  guint           requests_since_faults;
  guint           streams_since_faults;
  guint           cancellations;
};

/* What a chat or generate stream needs, validated by the route. */
typedef struct
{
  gboolean    generate;           /* /api/generate: "response" instead of "message" */
  const char *model;              /* as sent */
  const char *local_name;         /* the installed model it matched */
  gboolean    stream;
  gboolean    think;
  gboolean    unload_after;       /* keep_alive 0 */
  gint64      keep_alive_us;      /* < 0: forever */
  guint       prompt_tokens;
} CriaTestChatJob;

/* cria-test-server.c */
CriaTestQueuedReply *_cria_test_server_pop_reply  (CriaTestServer    *self);
void            _cria_test_queued_reply_free      (CriaTestQueuedReply *reply);

CriaTestModel  *_cria_test_server_find_model      (CriaTestServer    *self,
                                                   const char        *name);
void            _cria_test_server_remove_model    (CriaTestServer    *self,
                                                   CriaTestModel     *model);
void            _cria_test_server_prune_loaded    (CriaTestServer    *self);
CriaTestModel  *_cria_test_server_find_registry   (CriaTestServer    *self,
                                                   const char        *name);
void            _cria_test_server_install         (CriaTestServer    *self,
                                                   const CriaTestModel *from,
                                                   const char        *name);
void            _cria_test_server_set_loaded      (CriaTestServer    *self,
                                                   const char        *local_name,
                                                   gint64             keep_alive_us);

/* cria-test-server-routes.c */
void            _cria_test_server_route           (CriaTestServer    *self,
                                                   SoupServerMessage *msg,
                                                   const char        *path);
void            _cria_test_server_reply_json      (SoupServerMessage *msg,
                                                   guint              status,
                                                   const char        *content_type,
                                                   GString           *body);
void            _cria_test_server_reply_error     (SoupServerMessage *msg,
                                                   guint              status,
                                                   const char        *message);

/* cria-test-server-stream.c */
void            _cria_test_stream_start_chat      (CriaTestServer        *self,
                                                   SoupServerMessage     *msg,
                                                   const CriaTestChatJob *job);
void            _cria_test_stream_start_pull      (CriaTestServer        *self,
                                                   SoupServerMessage     *msg,
                                                   const char            *name,
                                                   gboolean               stream);
void            _cria_test_stream_start_create    (CriaTestServer        *self,
                                                   SoupServerMessage     *msg,
                                                   const char            *name,
                                                   const char            *from,
                                                   gboolean               stream);
void            _cria_test_stream_close_all       (CriaTestServer        *self);

/* cria-test-server-util.c */
CriaTestModel  *_cria_test_model_new              (const char         *name,
                                                   const char * const *capabilities);
CriaTestModel  *_cria_test_model_copy             (const CriaTestModel *model,
                                                   const char          *name);
void            _cria_test_model_free             (CriaTestModel      *model);
gboolean        _cria_test_model_has_capability   (const CriaTestModel *model,
                                                   const char          *capability);
GPtrArray      *_cria_test_model_layers           (const CriaTestModel *model);
char           *_cria_test_name_key               (const char         *name);
char           *_cria_test_name_display           (const char         *name);
gboolean        _cria_test_name_is_valid          (const char         *name);
char           *_cria_test_name_full              (const char         *name);

void            _cria_json_append_string          (GString            *out,
                                                   const char         *str);
void            _cria_json_append_string_len      (GString            *out,
                                                   const char         *str,
                                                   gsize               len);
void            _cria_json_append_created_at      (GString            *out);
void            _cria_json_append_local_time      (GString            *out,
                                                   GDateTime          *time);
void            _cria_json_append_expires_at      (GString            *out,
                                                   gint64              real_us);

GPtrArray      *_cria_test_tokenize               (const char         *text);
void            _cria_test_generated_token        (gboolean            thinking,
                                                   guint               index,
                                                   GString            *out);
guint           _cria_test_count_words            (const char         *text);

gboolean        _cria_test_check_base64           (const char         *data,
                                                   gsize              *bad_index);
gboolean        _cria_test_parse_keep_alive       (JsonNode           *node,
                                                   gint64             *out_us,
                                                   char              **error);
char           *_cria_test_json_type_error        (JsonNode           *node,
                                                   const char         *go_struct,
                                                   const char         *field,
                                                   const char         *go_type);
char           *_cria_test_json_syntax_error      (const char         *body,
                                                   gsize               length);
char           *_cria_test_tool_call_id           (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CriaTestModel, _cria_test_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CriaTestQueuedReply, _cria_test_queued_reply_free)

G_END_DECLS
