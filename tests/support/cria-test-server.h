/* cria-test-server.h: an Ollama simulator on SoupServer
 *
 * Faithful to ../shared/guide/ollama-protocol.md (§7 checklist). Runs on the
 * thread-default main context of the thread that starts it. Used in-process
 * by the test suites and, through cria-sim, as a standalone program.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CRIA_TYPE_TEST_SERVER (cria_test_server_get_type ())

G_DECLARE_FINAL_TYPE (CriaTestServer, cria_test_server, CRIA, TEST_SERVER, GObject)

/* How a streamed error before the first token is reported
 * (ollama-protocol.md §2.3 regime 2). */
typedef enum
{
  CRIA_TEST_EARLY_ERROR_NONE,
  CRIA_TEST_EARLY_ERROR_STATUS,     /* v0.12.6+: real status, application/json, no newline */
  CRIA_TEST_EARLY_ERROR_LEGACY_200, /* older: 200, application/x-ndjson, {"error"}\n */
} CriaTestEarlyError;

/* Where tool calls go in a chat stream. */
typedef enum
{
  CRIA_TEST_TOOL_CALLS_NONE,
  CRIA_TEST_TOOL_CALLS_IN_CHUNK,    /* a done:false chunk with content "" */
  CRIA_TEST_TOOL_CALLS_IN_FINAL,    /* the done:true chunk */
} CriaTestToolCalls;

/**
 * CriaTestFaults:
 *
 * Switches for the next streamed responses (chat, generate, pull). A value of
 * 0 / NULL / FALSE means "behave like a healthy server". Line counts are
 * 1-based: `after_lines = 3` acts once three lines have been sent.
 */
typedef struct
{
  /* Framing */
  guint    split_lines_bytes;         /* >0: lines in pieces of this many bytes, a chunk each */
  gboolean coalesce_lines;            /* write all lines of the reply in one chunk */
  gboolean split_inside_utf8;         /* cut chunks in the middle of a multi-byte character */

  /* Errors */
  CriaTestEarlyError early_error;     /* fail before the first token */
  guint    early_error_status;        /* status for EARLY_ERROR_STATUS; default 500 */
  guint    error_mid_stream_after;    /* >0: {"error":…}\n after N lines, then clean end */
  guint    truncate_after;            /* >0: clean end after N lines, no done */
  guint    abort_after;               /* >0: close the socket after N lines, no terminating chunk */
  guint    stall_after;               /* >0: stop sending after N lines, keep the connection open */
  guint    garbage_line_at;           /* >0: line N is not JSON */
  guint    invalid_utf8_at;           /* >0: line N carries bytes that are not UTF-8 */
  gsize    huge_line_bytes;           /* >0: the first line is padded to this many bytes */
  guint    http_status;               /* >0: every request gets this status and an {"error"} body */
  gboolean http_status_empty_body;    /* with http_status: an empty body instead */
  guint    fail_first_requests;       /* >0: the first N requests (any route) get 503 "busy…" */

  /* Timing */
  guint    delay_first_byte_ms;
  guint    inter_token_delay_ms;      /* 0: as fast as the socket takes it */

  /* Content */
  gboolean content_in_final;          /* the done:true line carries the last token */
  CriaTestToolCalls tool_calls;
  gboolean drop_metrics;              /* omit every metric (omitempty) */
  gboolean families_null;             /* details.families is null in tags */
  gboolean old_server;                /* no capabilities, tool call index/id omitted */

  /* Intermittent failures (the `flaky` scenario of cria-sim) */
  guint    fail_every_nth_request;    /* >0: every Nth request (any route) gets 503 "busy…" */
  guint    error_mid_stream_every_nth; /* >0: every Nth stream fails mid-stream, after
                                       * error_mid_stream_after lines (3 when that is 0) */
} CriaTestFaults;

CriaTestServer *cria_test_server_new                (void);
gboolean        cria_test_server_start              (CriaTestServer        *self,
                                                     guint                  port,
                                                     GError               **error);
void            cria_test_server_stop               (CriaTestServer        *self);
gboolean        cria_test_server_is_running         (CriaTestServer        *self);
guint           cria_test_server_get_port           (CriaTestServer        *self);
char           *cria_test_server_dup_url            (CriaTestServer        *self);

/* Models: a default set is installed at creation (see the .c file) */
void            cria_test_server_clear_models       (CriaTestServer        *self);
void            cria_test_server_add_model          (CriaTestServer        *self,
                                                     const char            *name,
                                                     const char * const    *capabilities);
void            cria_test_server_set_version        (CriaTestServer        *self,
                                                     const char            *version);
gboolean        cria_test_server_has_model          (CriaTestServer        *self,
                                                     const char            *name);
gboolean        cria_test_server_is_model_loaded    (CriaTestServer        *self,
                                                     const char            *name);

/* The "registry" that /api/pull and /api/create download from. A default set
 * is installed at creation (see the .c file); other names are unknown to it. */
void            cria_test_server_clear_registry     (CriaTestServer        *self);
void            cria_test_server_add_registry_model (CriaTestServer        *self,
                                                     const char            *name,
                                                     const char * const    *capabilities);
/* Pull progress: one line per layer every @interval_ms (default 60, 0 = no
 * wait), each advancing by @bytes_per_tick (0 = default, 64 MiB). */
void            cria_test_server_set_pull_timing    (CriaTestServer        *self,
                                                     guint                  interval_ms,
                                                     guint64                bytes_per_tick);

/* Replies */
void            cria_test_server_set_reply          (CriaTestServer        *self,
                                                     const char            *content,
                                                     const char            *thinking);
void            cria_test_server_queue_reply        (CriaTestServer        *self,
                                                     const char            *content,
                                                     const char            *thinking);
void            cria_test_server_queue_failure      (CriaTestServer        *self,
                                                     guint                  status);
void            cria_test_server_set_generated_reply (CriaTestServer       *self,
                                                      guint                 n_tokens);
/* Thinking of @n_tokens generated tokens for thinking-capable models, in
 * place of the thinking text given to set_reply (0 = back to that text). */
void            cria_test_server_set_generated_thinking (CriaTestServer    *self,
                                                         guint              n_tokens);
void            cria_test_server_set_faults         (CriaTestServer        *self,
                                                     const CriaTestFaults  *faults);
/* Paces every stream at @tokens_per_second (0 = full speed) when the
 * faults set no inter_token_delay_ms; monotonic clock, catches up when late. */
void            cria_test_server_set_tokens_per_second (CriaTestServer     *self,
                                                        double              tokens_per_second);

/* What the server saw */
guint           cria_test_server_get_request_count  (CriaTestServer        *self,
                                                     const char            *path);
guint           cria_test_server_get_cancellations  (CriaTestServer        *self);
guint           cria_test_server_get_active_streams (CriaTestServer        *self);
char           *cria_test_server_dup_last_body      (CriaTestServer        *self,
                                                     const char            *path);
char           *cria_test_server_dup_last_header    (CriaTestServer        *self,
                                                     const char            *path,
                                                     const char            *header);
void            cria_test_server_reset_counters     (CriaTestServer        *self);

G_END_DECLS
