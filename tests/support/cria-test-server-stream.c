/* cria-test-server-stream.c: the simulator's NDJSON streams
 *
 * Every streamed response (chat, generate, pull, create) is a
 * CriaTestStream: the handler pauses the SoupServerMessage, and a timer on
 * the monotonic clock produces one line at a time, each appended as its own
 * body chunk (one HTTP chunk per line, like gin's c.Stream). Pacing is
 * computed from the start time, so a late timer catches up instead of
 * drifting; at full speed, lines are produced as fast as the socket drains.
 *
 * The faults of CriaTestFaults (ollama-protocol.md §7) are applied here:
 * framing, the three regimes of stream errors (§2.3), truncation, aborts,
 * stalls and bad lines. A client that closes the connection before the last
 * line is counted as a cancellation (§2.4): it is noticed at once by a
 * watch on the socket, or by the next write failing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-test-server"

#include "cria-config.h"

#include <string.h>

#include "cria-test-server-private.h"

#define HIGH_WATER          (512 * 1024)   /* bytes queued before waiting for the socket */
#define LOW_WATER           (64 * 1024)
#define MAX_LINES_PER_PUMP  4096
#define MAX_COALESCED       (4 * 1024 * 1024)
#define GARBAGE_LINE        "<html><body><h1>502 Bad Gateway</h1></body></html>\n"

typedef enum
{
  KIND_CHAT,
  KIND_GENERATE,
  KIND_PULL,
  KIND_CREATE,
} StreamKind;

typedef enum
{
  CHAT_THINKING,
  CHAT_CONTENT,
  CHAT_TOOL_CHUNK,
  CHAT_FINAL,
} ChatPhase;

typedef enum
{
  PULL_MANIFEST,
  PULL_UNKNOWN,
  PULL_LAYER,
  PULL_TICK,
  PULL_VERIFY,
  PULL_WRITE,
  PULL_SUCCESS,
} PullPhase;

struct _CriaTestStream
{
  /* Borrowed References */
  CriaTestServer    *server;      /* ends every stream before it goes */

  /* Owned References */
  SoupServerMessage *msg;
  GSocket           *socket;
  GSource           *timer;
  GSource           *watch;
  GString           *coalesced;
  GString           *scratch;
  char              *model_json;  /* the model as sent, JSON-escaped */
  char              *local_name;

  gulong             finished_id;
  gulong             disconnected_id;
  gulong             wrote_id;

  StreamKind         kind;
  CriaTestFaults     faults;
  gboolean           stream;      /* FALSE: one JSON object at the end */
  guint              error_after; /* lines before the mid-stream error, 0: none */

  gboolean           started;     /* status and headers chosen */
  gboolean           ended;       /* every byte queued, on purpose */
  gboolean           stalled;
  gboolean           aborting;
  gboolean           draining;
  gboolean           produced_error; /* the producer's last line is {"error"} */
  guint              lines;
  guint64            queued;
  guint64            written;

  /* Pacing: line k is due at t0 + k * interval (chat), or after the
   * delay the producer asked for (pull, create). */
  gint64             t_request;
  gint64             t0;
  gint64             due;
  double             interval;
  gint64             next_delay;

  /* Chat and generate */
  ChatPhase          phase;
  GPtrArray         *thinking_tokens; /* NULL: generated */
  GPtrArray         *content_tokens;  /* NULL: generated */
  guint              n_thinking;
  guint              n_content;
  guint              thinking_index;
  guint              content_index;
  gboolean           tool_chunk_sent;
  char              *tool_call_id;
  gboolean           unload_after;
  gint64             keep_alive_us;
  guint              prompt_tokens;
  GString           *full_content;    /* stream:false */
  GString           *full_thinking;

  /* Pull and create */
  PullPhase          pull_phase;
  CriaTestModel     *pull_model;      /* NULL: unknown to the registry */
  GPtrArray         *layers;          /* CriaTestLayer */
  guint              layer_index;
  gboolean           cached;          /* installed already: every layer on disk */
  GPtrArray         *prepared;        /* create: the lines, the last one final */
  guint              prepared_index;
  CriaTestModel     *create_from;
  char              *create_name;
};

static void stream_pump (CriaTestStream *stream);

/* ------------------------------------------------------------------------ */
/* Life cycle                                                               */

static gboolean
timer_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  g_source_set_ready_time (source, -1);

  return callback (user_data);
}

static GSourceFuncs timer_funcs = {
  .dispatch = timer_dispatch,
};

static void
schedule (CriaTestStream *stream,
          gint64          when)
{
  /* -1: not until scheduled again */
  if (stream->timer != NULL)
    g_source_set_ready_time (stream->timer, when);
}

static void
remove_watch (CriaTestStream *stream)
{
  if (stream->watch != NULL)
    {
      g_source_destroy (stream->watch);
      g_clear_pointer (&stream->watch, g_source_unref);
    }
}

static void
stream_free (CriaTestStream *stream)
{
  if (stream == NULL)
    return;

  g_clear_signal_handler (&stream->finished_id, stream->msg);
  g_clear_signal_handler (&stream->disconnected_id, stream->msg);
  g_clear_signal_handler (&stream->wrote_id, stream->msg);

  if (stream->timer != NULL)
    {
      g_source_destroy (stream->timer);
      g_clear_pointer (&stream->timer, g_source_unref);
    }
  remove_watch (stream);

  g_clear_object (&stream->socket);
  g_clear_object (&stream->msg);
  g_string_free (stream->coalesced, TRUE);
  g_string_free (stream->scratch, TRUE);
  g_free (stream->model_json);
  g_free (stream->local_name);
  g_clear_pointer (&stream->thinking_tokens, g_ptr_array_unref);
  g_clear_pointer (&stream->content_tokens, g_ptr_array_unref);
  g_free (stream->tool_call_id);
  if (stream->full_content != NULL)
    g_string_free (stream->full_content, TRUE);
  if (stream->full_thinking != NULL)
    g_string_free (stream->full_thinking, TRUE);
  g_clear_pointer (&stream->pull_model, _cria_test_model_free);
  g_clear_pointer (&stream->layers, g_ptr_array_unref);
  g_clear_pointer (&stream->prepared, g_ptr_array_unref);
  g_clear_pointer (&stream->create_from, _cria_test_model_free);
  g_free (stream->create_name);
  g_free (stream);
}

static void
stream_remove (CriaTestStream *stream)
{
  g_ptr_array_remove_fast (stream->server->streams, stream);
  stream_free (stream);
}

/* Ends every stream without counting cancellations: the server stops. */
void
_cria_test_stream_close_all (CriaTestServer *self)
{
  g_autoptr(GPtrArray) streams = g_ptr_array_copy (self->streams, NULL, NULL);

  g_ptr_array_set_size (self->streams, 0);
  for (guint i = 0; i < streams->len; i++)
    stream_free (g_ptr_array_index (streams, i));
}

/* The message is done: written out, failed, or its connection closed. */
static void
finished_cb (SoupServerMessage *msg,
             CriaTestStream    *stream)
{
  CriaTestServer *server = stream->server;

  if (!stream->ended && !server->stopping)
    {
      server->cancellations++;
      g_debug ("Stream ended by the client after %u lines", stream->lines);
    }
  else
    {
      g_debug ("Stream done after %u lines, %" G_GUINT64_FORMAT " bytes",
               stream->lines, stream->written);
    }

  stream_remove (stream);
}

/* Makes libsoup drop the connection: no terminating chunk is sent. The
 * byte appended is never transmitted; its failing write ends the message.
 *
 * With @mid_chunk, a chunk header goes out first whose data never comes:
 * the client sees the connection end inside a chunk, a read error. (At a
 * chunk boundary, libsoup's client takes a closed connection for a clean
 * end of the body.) */
static void
kill_connection (CriaTestStream *stream,
                 gboolean        mid_chunk)
{
  SoupMessageBody *body = soup_server_message_get_response_body (stream->msg);

  remove_watch (stream);
  if (stream->socket != NULL)
    {
      if (mid_chunk)
        g_socket_send (stream->socket, "1f4\r\n", 5, NULL, NULL);
      g_socket_shutdown (stream->socket, TRUE, TRUE, NULL);
    }
  soup_message_body_append (body, SOUP_MEMORY_STATIC, "\n", 1);
  soup_server_message_unpause (stream->msg);
}

/* The client closed its end while lines were still to come. */
static void
client_gone (CriaTestStream *stream)
{
  if (stream->ended)
    return;

  stream->server->cancellations++;
  stream->ended = TRUE;
  g_debug ("Client closed the stream after %u lines", stream->lines);

  schedule (stream, -1);
  kill_connection (stream, FALSE);
}

static gboolean
socket_ready_cb (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  CriaTestStream *stream = user_data;
  g_autoptr(GError) error = NULL;
  char byte;
  GInputVector vector = { &byte, 1 };
  int flags = G_SOCKET_MSG_PEEK;
  gssize n;

  n = g_socket_receive_message (socket, NULL, &vector, 1, NULL, NULL, &flags, NULL, &error);

  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&stream->watch, g_source_unref);

  /* Data from the client: not ours to read, leave it to libsoup. */
  if (n > 0)
    return G_SOURCE_REMOVE;

  client_gone (stream);
  return G_SOURCE_REMOVE;
}

static void
wrote_body_data_cb (SoupServerMessage *msg,
                    guint              size,
                    CriaTestStream    *stream)
{
  stream->written += size;

  if (stream->aborting && stream->written >= stream->queued)
    schedule (stream, 0);
  else if (stream->draining && stream->queued - stream->written <= LOW_WATER)
    {
      stream->draining = FALSE;
      schedule (stream, 0);
    }
}

static gboolean
timer_cb (gpointer user_data)
{
  stream_pump (user_data);

  return G_SOURCE_CONTINUE;
}

/* Pauses @msg (no byte goes out before the first line is due) and starts
 * the timer. */
static CriaTestStream *
stream_new (CriaTestServer    *server,
            SoupServerMessage *msg,
            StreamKind         kind,
            const char        *model,
            gboolean           stream_mode)
{
  CriaTestStream *stream = g_new0 (CriaTestStream, 1);
  GString *escaped = g_string_new (NULL);
  guint n = ++server->streams_since_faults;
  GSocket *socket;

  stream->server = server;
  stream->msg = g_object_ref (msg);
  stream->kind = kind;
  stream->faults = server->faults;
  stream->stream = stream_mode;
  stream->coalesced = g_string_new (NULL);
  stream->scratch = g_string_new (NULL);

  _cria_json_append_string (escaped, model);
  stream->model_json = g_string_free (escaped, FALSE);

  /* With every_nth, only every Nth stream fails, after _after lines (3). */
  stream->error_after = stream->faults.error_mid_stream_after;
  if (stream->faults.error_mid_stream_every_nth > 0)
    {
      if (n % stream->faults.error_mid_stream_every_nth != 0)
        stream->error_after = 0;
      else if (stream->error_after == 0)
        stream->error_after = 3;
    }

  stream->t_request = g_get_monotonic_time ();
  stream->t0 = stream->t_request + (gint64) stream->faults.delay_first_byte_ms * 1000;
  stream->due = stream->t0;

  soup_server_message_pause (msg);
  stream->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (finished_cb), stream);
  stream->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (finished_cb),
                                              stream);
  stream->wrote_id = g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb),
                                       stream);

  stream->timer = g_source_new (&timer_funcs, sizeof (GSource));
  g_source_set_static_name (stream->timer, "[cria-test-server] stream");
  g_source_set_callback (stream->timer, timer_cb, stream, NULL);
  g_source_set_ready_time (stream->timer, stream->t0);
  g_source_attach (stream->timer, server->context);

  socket = soup_server_message_get_socket (msg);
  if (socket != NULL)
    {
      stream->socket = g_object_ref (socket);
      stream->watch = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_static_name (stream->watch, "[cria-test-server] client watch");
      g_source_set_callback (stream->watch, G_SOURCE_FUNC (socket_ready_cb), stream, NULL);
      g_source_attach (stream->watch, server->context);
    }

  g_ptr_array_add (server->streams, stream);

  return stream;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */

static void
append_chunk (CriaTestStream *stream,
              const char     *data,
              gsize           length)
{
  SoupMessageBody *body = soup_server_message_get_response_body (stream->msg);

  soup_message_body_append (body, SOUP_MEMORY_COPY, data, length);
  stream->queued += length;
}

static void
flush_coalesced (CriaTestStream *stream)
{
  if (stream->coalesced->len == 0)
    return;

  append_chunk (stream, stream->coalesced->str, stream->coalesced->len);
  g_string_truncate (stream->coalesced, 0);
}

/* One line, split into chunks as the framing faults ask. */
static void
queue_line (CriaTestStream *stream,
            GString        *line)
{
  const CriaTestFaults *faults = &stream->faults;

  if (faults->coalesce_lines)
    {
      g_string_append_len (stream->coalesced, line->str, line->len);
      if (stream->coalesced->len >= MAX_COALESCED)
        flush_coalesced (stream);
      return;
    }

  if (faults->split_lines_bytes > 0)
    {
      for (gsize offset = 0; offset < line->len; offset += faults->split_lines_bytes)
        append_chunk (stream, line->str + offset,
                      MIN (faults->split_lines_bytes, line->len - offset));
      return;
    }

  if (faults->split_inside_utf8)
    {
      gsize start = 0;

      /* Cut after the first byte of every multi-byte character. */
      for (gsize i = 0; i < line->len; i++)
        if ((guchar) line->str[i] >= 0xC0)
          {
            append_chunk (stream, line->str + start, i + 1 - start);
            start = i + 1;
          }
      if (start < line->len)
        append_chunk (stream, line->str + start, line->len - start);
      return;
    }

  append_chunk (stream, line->str, line->len);
}

/* A clean end: the terminating chunk follows what is queued. */
static void
end_body (CriaTestStream *stream)
{
  flush_coalesced (stream);
  soup_message_body_complete (soup_server_message_get_response_body (stream->msg));
  stream->ended = TRUE;
  remove_watch (stream);
}

/* One plain JSON object instead of a stream (errors, stream:false). */
static void
reply_plain (CriaTestStream *stream,
             guint           status,
             const char     *content_type,
             GString        *body)
{
  _cria_test_server_reply_json (stream->msg, status, content_type, body);
  stream->ended = TRUE;
  remove_watch (stream);
}

static void
reply_plain_error (CriaTestStream *stream,
                   guint           status,
                   const char     *message)
{
  _cria_test_server_reply_error (stream->msg, status, message);
  stream->ended = TRUE;
  remove_watch (stream);
}

static void
append_error_line (GString    *line,
                   const char *message)
{
  g_string_append (line, "{\"error\":");
  _cria_json_append_string (line, message);
  g_string_append (line, "}\n");
}

static const char *
plain_content_type (CriaTestStream *stream)
{
  /* waitForStream sets application/json itself, without a charset. */
  return stream->kind == KIND_PULL || stream->kind == KIND_CREATE ? "application/json"
                                                                  : CRIA_TEST_JSON_TYPE;
}

/* The first byte: Ollama sends the headers along with the first line, so
 * an early failure can still choose its status (§2.3, regime 2). */
static void
stream_begin (CriaTestStream *stream)
{
  const CriaTestFaults *faults = &stream->faults;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (stream->msg);

  stream->started = TRUE;

  if (faults->early_error == CRIA_TEST_EARLY_ERROR_STATUS ||
      (faults->early_error == CRIA_TEST_EARLY_ERROR_LEGACY_200 && !stream->stream))
    {
      guint status = faults->early_error_status > 0 ? faults->early_error_status : 500;

      if (faults->early_error == CRIA_TEST_EARLY_ERROR_LEGACY_200)
        status = 500;
      reply_plain_error (stream, status, CRIA_TEST_EARLY_ERROR);
      return;
    }

  if (!stream->stream)
    return;

  soup_server_message_set_status (stream->msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, CRIA_TEST_NDJSON_TYPE, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (stream->msg), FALSE);

  if (faults->early_error == CRIA_TEST_EARLY_ERROR_LEGACY_200)
    {
      g_autoptr(GString) line = g_string_new (NULL);

      append_error_line (line, CRIA_TEST_EARLY_ERROR);
      queue_line (stream, line);
      end_body (stream);
    }
}

/* ------------------------------------------------------------------------ */
/* Chat and generate lines                                                  */

static void
chat_token (CriaTestStream *stream,
            gboolean        thinking,
            guint           index,
            GString        *out)
{
  GPtrArray *tokens = thinking ? stream->thinking_tokens : stream->content_tokens;

  if (tokens != NULL)
    g_string_append (out, g_ptr_array_index (tokens, index));
  else
    _cria_test_generated_token (thinking, index, out);
}

static void
append_prefix (CriaTestStream *stream,
               GString        *line)
{
  g_string_append (line, "{\"model\":");
  g_string_append (line, stream->model_json);
  g_string_append (line, ",\"created_at\":");
  _cria_json_append_created_at (line);
}

static void
append_tool_calls (CriaTestStream *stream,
                   GString        *line)
{
  g_string_append (line, ",\"tool_calls\":[{");
  if (!stream->faults.old_server)
    {
      g_string_append (line, "\"id\":");
      _cria_json_append_string (line, stream->tool_call_id);
      g_string_append_c (line, ',');
    }
  g_string_append (line, "\"function\":{");
  if (!stream->faults.old_server)
    g_string_append (line, "\"index\":0,");
  g_string_append (line, "\"name\":\"get_weather\",\"arguments\":{\"city\":\"Tokyo\"}}}]");
}

static void
append_metric (GString    *line,
               const char *name,
               guint64     value)
{
  /* omitempty: a zero is absent, not 0. */
  if (value > 0)
    g_string_append_printf (line, ",\"%s\":%" G_GUINT64_FORMAT, name, value);
}

static void
append_metrics (CriaTestStream *stream,
                GString        *line)
{
  gint64 now = g_get_monotonic_time ();
  guint64 eval_ns, load_ns, prompt_ns, total_ns;

  if (stream->faults.drop_metrics)
    return;

  /* Real durations when paced; at full speed, those of a model doing
   * 80 tokens/s, so that tokens per second stay plausible. */
  if (stream->interval > 0)
    eval_ns = (guint64) MAX (now - stream->t0, 1) * 1000;
  else
    eval_ns = (guint64) stream->n_content * 12500000 + 1000;
  load_ns = (guint64) stream->faults.delay_first_byte_ms * 1000000 + 18402917;
  prompt_ns = (guint64) stream->prompt_tokens * 453125 + 1000;
  total_ns = MAX ((guint64) (now - stream->t_request) * 1000, load_ns + prompt_ns + eval_ns);
  total_ns += 1208333;

  append_metric (line, "total_duration", total_ns);
  append_metric (line, "load_duration", load_ns);
  append_metric (line, "prompt_eval_count", stream->prompt_tokens);
  append_metric (line, "prompt_eval_duration", prompt_ns);
  append_metric (line, "eval_count", stream->n_content);
  append_metric (line, "eval_duration", eval_ns);
}

static void
append_context (CriaTestStream *stream,
                GString        *line)
{
  guint n = MIN (stream->prompt_tokens + stream->n_content, 64);

  g_string_append (line, ",\"context\":[");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (line, "%s%u", i > 0 ? "," : "", 128000 + (i * 7919) % 100000);
  g_string_append_c (line, ']');
}

/* A done:false line. */
static void
append_chunk_line (CriaTestStream *stream,
                   GString        *line,
                   const char     *content,
                   const char     *thinking,
                   gboolean        tool_calls)
{
  append_prefix (stream, line);

  if (stream->kind == KIND_GENERATE)
    {
      g_string_append (line, ",\"response\":");
      _cria_json_append_string (line, content);
      if (thinking != NULL && thinking[0] != '\0')
        {
          g_string_append (line, ",\"thinking\":");
          _cria_json_append_string (line, thinking);
        }
      g_string_append (line, ",\"done\":false");
      if (tool_calls)
        append_tool_calls (stream, line);
      g_string_append_c (line, '}');
      return;
    }

  g_string_append (line, ",\"message\":{\"role\":\"assistant\",\"content\":");
  _cria_json_append_string (line, content);
  if (thinking != NULL && thinking[0] != '\0')
    {
      g_string_append (line, ",\"thinking\":");
      _cria_json_append_string (line, thinking);
    }
  if (tool_calls)
    append_tool_calls (stream, line);
  g_string_append (line, "},\"done\":false}");
}

/* The done:true line, or with stream:false the whole reply. */
static void
append_final_line (CriaTestStream *stream,
                   GString        *line,
                   const char     *content,
                   const char     *thinking)
{
  gboolean tool_calls = stream->faults.tool_calls == CRIA_TEST_TOOL_CALLS_IN_FINAL ||
                        (!stream->stream && stream->faults.tool_calls != CRIA_TEST_TOOL_CALLS_NONE);

  append_prefix (stream, line);

  if (stream->kind == KIND_GENERATE)
    {
      g_string_append (line, ",\"response\":");
      _cria_json_append_string (line, content);
      if (thinking != NULL && thinking[0] != '\0')
        {
          g_string_append (line, ",\"thinking\":");
          _cria_json_append_string (line, thinking);
        }
      g_string_append (line, ",\"done\":true,\"done_reason\":\"stop\"");
      append_context (stream, line);
      append_metrics (stream, line);
      if (tool_calls)
        append_tool_calls (stream, line);
      g_string_append_c (line, '}');
      return;
    }

  g_string_append (line, ",\"message\":{\"role\":\"assistant\",\"content\":");
  _cria_json_append_string (line, content);
  if (thinking != NULL && thinking[0] != '\0')
    {
      g_string_append (line, ",\"thinking\":");
      _cria_json_append_string (line, thinking);
    }
  if (tool_calls)
    append_tool_calls (stream, line);
  g_string_append (line, "},\"done\":true,\"done_reason\":\"stop\"");
  append_metrics (stream, line);
  g_string_append_c (line, '}');
}

/* Writes the next chat line into @line (nothing with stream:false until
 * the end). Returns TRUE for the last one. */
static gboolean
chat_next (CriaTestStream *stream,
           GString        *line)
{
  GString *token = stream->scratch;
  guint n_chunks = stream->n_content;

  if (stream->faults.content_in_final && stream->stream && n_chunks > 0)
    n_chunks--;

  g_string_truncate (token, 0);

  if (stream->phase == CHAT_THINKING && stream->thinking_index >= stream->n_thinking)
    stream->phase = CHAT_CONTENT;
  if (stream->phase == CHAT_CONTENT && stream->content_index >= n_chunks)
    stream->phase = CHAT_TOOL_CHUNK;
  if (stream->phase == CHAT_TOOL_CHUNK &&
      (stream->tool_chunk_sent || stream->faults.tool_calls != CRIA_TEST_TOOL_CALLS_IN_CHUNK ||
       !stream->stream))
    stream->phase = CHAT_FINAL;

  switch (stream->phase)
    {
    case CHAT_THINKING:
      chat_token (stream, TRUE, stream->thinking_index++, token);
      if (stream->stream)
        append_chunk_line (stream, line, "", token->str, FALSE);
      else
        g_string_append (stream->full_thinking, token->str);
      return FALSE;

    case CHAT_CONTENT:
      chat_token (stream, FALSE, stream->content_index++, token);
      if (stream->stream)
        append_chunk_line (stream, line, token->str, NULL, FALSE);
      else
        g_string_append (stream->full_content, token->str);
      return FALSE;

    case CHAT_TOOL_CHUNK:
      stream->tool_chunk_sent = TRUE;
      append_chunk_line (stream, line, "", NULL, TRUE);
      return FALSE;

    case CHAT_FINAL:
    default:
      if (!stream->stream)
        {
          append_final_line (stream, line, stream->full_content->str, stream->full_thinking->str);
        }
      else
        {
          if (stream->content_index < stream->n_content)
            chat_token (stream, FALSE, stream->content_index++, token);
          append_final_line (stream, line, token->str, NULL);
        }

      _cria_test_server_set_loaded (stream->server, stream->local_name,
                                    stream->unload_after ? 0 : stream->keep_alive_us);
      return TRUE;
    }
}

/* ------------------------------------------------------------------------ */
/* Pull and create lines                                                    */

static void
append_status_line (GString       *line,
                    const char    *status,
                    const char    *digest,
                    guint64        total,
                    guint64        completed)
{
  g_string_append (line, "{\"status\":");
  _cria_json_append_string (line, status);
  if (digest != NULL)
    {
      g_string_append (line, ",\"digest\":");
      _cria_json_append_string (line, digest);
    }
  /* omitempty: completed is absent until bytes arrived. */
  if (total > 0)
    g_string_append_printf (line, ",\"total\":%" G_GUINT64_FORMAT, total);
  if (completed > 0)
    g_string_append_printf (line, ",\"completed\":%" G_GUINT64_FORMAT, MIN (completed, total));
  g_string_append_c (line, '}');
}

static guint64 *
layer_progress (CriaTestStream *stream,
                CriaTestLayer  *layer)
{
  GHashTable *layers = stream->server->layers;
  guint64 *progress = g_hash_table_lookup (layers, layer->digest);

  if (progress == NULL)
    {
      progress = g_new0 (guint64, 1);
      g_hash_table_insert (layers, g_strdup (layer->digest), progress);
    }

  return progress;
}

static void
append_layer_line (CriaTestStream *stream,
                   GString        *line,
                   CriaTestLayer  *layer,
                   guint64         completed)
{
  g_autofree char *status = g_strdup_printf ("pulling %.12s", layer->digest + strlen ("sha256:"));

  append_status_line (line, status, layer->digest, layer->size, completed);
}

static gint64
pull_tick_us (CriaTestStream *stream)
{
  return (gint64) stream->server->pull_interval_ms * 1000;
}

static gboolean
pull_next (CriaTestStream *stream,
           GString        *line)
{
  CriaTestServer *server = stream->server;
  CriaTestLayer *layer;
  guint64 *progress;

  stream->next_delay = 0;

  switch (stream->pull_phase)
    {
    case PULL_MANIFEST:
      append_status_line (line, "pulling manifest", NULL, 0, 0);
      stream->pull_phase = stream->pull_model != NULL ? PULL_LAYER : PULL_UNKNOWN;
      stream->next_delay = pull_tick_us (stream);
      return FALSE;

    case PULL_UNKNOWN:
      g_string_append (line, "{\"error\":");
      _cria_json_append_string (line, CRIA_TEST_PULL_UNKNOWN_ERROR);
      g_string_append_c (line, '}');
      stream->produced_error = TRUE;
      return TRUE;

    case PULL_LAYER:
      /* The first line of a layer: what is on disk already. */
      layer = g_ptr_array_index (stream->layers, stream->layer_index);
      progress = layer_progress (stream, layer);
      if (stream->cached)
        *progress = layer->size;
      append_layer_line (stream, line, layer, *progress);
      if (*progress >= layer->size)
        {
          stream->layer_index++;
          if (stream->layer_index >= stream->layers->len)
            stream->pull_phase = PULL_VERIFY;
        }
      else
        {
          stream->pull_phase = PULL_TICK;
          stream->next_delay = pull_tick_us (stream);
        }
      return FALSE;

    case PULL_TICK:
      layer = g_ptr_array_index (stream->layers, stream->layer_index);
      progress = layer_progress (stream, layer);
      *progress = MIN (*progress + server->pull_bytes_per_tick, layer->size);
      append_layer_line (stream, line, layer, *progress);
      if (*progress >= layer->size)
        {
          stream->layer_index++;
          stream->pull_phase = stream->layer_index >= stream->layers->len ? PULL_VERIFY
                                                                          : PULL_LAYER;
        }
      else
        {
          stream->next_delay = pull_tick_us (stream);
        }
      return FALSE;

    case PULL_VERIFY:
      append_status_line (line, "verifying sha256 digest", NULL, 0, 0);
      stream->pull_phase = PULL_WRITE;
      stream->next_delay = pull_tick_us (stream);
      return FALSE;

    case PULL_WRITE:
      append_status_line (line, "writing manifest", NULL, 0, 0);
      stream->pull_phase = PULL_SUCCESS;
      return FALSE;

    case PULL_SUCCESS:
    default:
      _cria_test_server_install (server, stream->pull_model, NULL);
      append_status_line (line, "success", NULL, 0, 0);
      return TRUE;
    }
}

static gboolean
create_next (CriaTestStream *stream,
             GString        *line)
{
  const char *prepared = g_ptr_array_index (stream->prepared, stream->prepared_index++);
  gboolean last = stream->prepared_index >= stream->prepared->len;

  g_string_append (line, prepared);
  stream->next_delay = pull_tick_us (stream);

  if (last && g_str_has_prefix (prepared, "{\"error\""))
    {
      stream->produced_error = TRUE;
    }
  else if (last)
    {
      if (stream->pull_model != NULL)
        _cria_test_server_install (stream->server, stream->pull_model, NULL);
      _cria_test_server_install (stream->server, stream->create_from, stream->create_name);
    }

  return last;
}

/* ------------------------------------------------------------------------ */
/* The pump                                                                 */

static gboolean
produce (CriaTestStream *stream,
         GString        *line)
{
  switch (stream->kind)
    {
    case KIND_CHAT:
    case KIND_GENERATE:
      return chat_next (stream, line);
    case KIND_PULL:
      return pull_next (stream, line);
    case KIND_CREATE:
    default:
      return create_next (stream, line);
    }
}

/* Line faults: the line still ends in "\n". */
static void
corrupt_line (CriaTestStream *stream,
              GString        *line,
              guint           number)
{
  const CriaTestFaults *faults = &stream->faults;

  if (faults->garbage_line_at == number)
    {
      g_string_assign (line, GARBAGE_LINE);
      return;
    }

  if (faults->invalid_utf8_at == number)
    {
      static const char *markers[] = { "\"content\":\"", "\"thinking\":\"", "\"response\":\"",
                                       "\"status\":\"" };
      gssize at = 1;

      for (guint i = 0; i < G_N_ELEMENTS (markers); i++)
        {
          const char *found = strstr (line->str, markers[i]);

          if (found != NULL)
            {
              at = found - line->str + strlen (markers[i]);
              break;
            }
        }
      g_string_insert_len (line, at, "\xff\xfe", 2);
    }

  /* An unknown string member makes the first line as long as asked. */
  if (faults->huge_line_bytes > 0 && number == 1)
    {
      static const char member[] = ",\"padding\":\"\"";
      gsize fixed = line->len + strlen (member);

      if (faults->huge_line_bytes > fixed && line->len >= 2)
        {
          gsize padding = faults->huge_line_bytes - fixed;
          gsize length = strlen (member) + padding;
          g_autofree char *insert = g_malloc (length);

          memcpy (insert, member, strlen (member) - 1);
          memset (insert + strlen (member) - 1, 'x', padding);
          insert[length - 1] = '"';
          g_string_insert_len (line, line->len - 2, insert, length);
        }
    }
}

/* {"error"} after what was sent, then a clean end (§2.3, regime 3). */
static void
fail_mid_stream (CriaTestStream *stream)
{
  g_autoptr(GString) line = NULL;

  if (!stream->stream)
    {
      reply_plain_error (stream, SOUP_STATUS_INTERNAL_SERVER_ERROR, CRIA_TEST_MID_STREAM_ERROR);
      return;
    }

  line = g_string_new (NULL);
  append_error_line (line, CRIA_TEST_MID_STREAM_ERROR);
  queue_line (stream, line);
  end_body (stream);
}

static void
start_abort (CriaTestStream *stream)
{
  flush_coalesced (stream);
  stream->aborting = TRUE;
  stream->ended = TRUE;
  remove_watch (stream);
}

/* Produces the line that is due, with the faults that apply to it. */
static void
stream_next (CriaTestStream *stream)
{
  const CriaTestFaults *faults = &stream->faults;
  g_autoptr(GString) line = NULL;
  gboolean last;

  if (stream->error_after > 0 && stream->lines == stream->error_after)
    {
      fail_mid_stream (stream);
      return;
    }

  if (faults->truncate_after > 0 && stream->lines == faults->truncate_after)
    {
      if (stream->stream)
        end_body (stream);
      else
        start_abort (stream);
      return;
    }

  if (faults->abort_after > 0 && stream->lines == faults->abort_after)
    {
      start_abort (stream);
      return;
    }

  if (faults->stall_after > 0 && stream->lines == faults->stall_after)
    {
      flush_coalesced (stream);
      stream->stalled = TRUE;
      return;
    }

  line = g_string_sized_new (256);
  last = produce (stream, line);
  stream->lines++;

  if (stream->kind == KIND_CHAT || stream->kind == KIND_GENERATE)
    stream->due = stream->t0 + (gint64) (stream->lines * stream->interval);
  else
    stream->due += stream->next_delay;

  if (!stream->stream)
    {
      if (last && stream->produced_error)
        {
          JsonNode *node = json_from_string (line->str, NULL);
          const char *message = json_object_get_string_member (json_node_get_object (node),
                                                                "error");

          reply_plain_error (stream, SOUP_STATUS_INTERNAL_SERVER_ERROR, message);
          json_node_unref (node);
        }
      else if (last)
        {
          reply_plain (stream, SOUP_STATUS_OK, plain_content_type (stream),
                       g_string_new_len (line->str, line->len));
        }
      return;
    }

  g_string_append_c (line, '\n');
  corrupt_line (stream, line, stream->lines);
  queue_line (stream, line);

  if (last)
    end_body (stream);
}

static void
stream_pump (CriaTestStream *stream)
{
  gint64 now = g_get_monotonic_time ();
  guint64 queued_before = stream->queued;
  gboolean was_started = stream->started;
  guint n = 0;

  if (stream->aborting)
    {
      /* Everything before the cut is on the wire: close without the
       * terminating chunk. */
      if (stream->written >= stream->queued)
        {
          stream->aborting = FALSE;
          kill_connection (stream, stream->stream && stream->started);
        }
      return;
    }

  if (!stream->started)
    stream_begin (stream);

  while (!stream->ended && !stream->stalled)
    {
      if (stream->queued - stream->written > HIGH_WATER)
        {
          stream->draining = TRUE;
          break;
        }

      if (stream->due > now)
        {
          schedule (stream, stream->due);
          break;
        }

      if (n++ == MAX_LINES_PER_PUMP)
        {
          schedule (stream, 0);
          break;
        }

      stream_next (stream);
    }

  if (stream->aborting && stream->written >= stream->queued)
    schedule (stream, 0);

  /* With stream:false nothing goes out before the one object is set. */
  if (stream->ended ||
      (stream->stream && (!was_started || stream->queued != queued_before)))
    soup_server_message_unpause (stream->msg);
}

/* ------------------------------------------------------------------------ */
/* Starting streams                                                         */

static double
token_interval (CriaTestServer       *server,
                const CriaTestFaults *faults)
{
  if (faults->inter_token_delay_ms > 0)
    return faults->inter_token_delay_ms * 1000.0;
  if (server->tokens_per_second > 0)
    return G_USEC_PER_SEC / server->tokens_per_second;

  return 0;
}

void
_cria_test_stream_start_chat (CriaTestServer        *self,
                              SoupServerMessage     *msg,
                              const CriaTestChatJob *job)
{
  g_autoptr(CriaTestQueuedReply) queued = _cria_test_server_pop_reply (self);
  CriaTestStream *stream;

  stream = stream_new (self, msg, job->generate ? KIND_GENERATE : KIND_CHAT, job->model,
                       job->stream);
  stream->local_name = g_strdup (job->local_name);
  stream->interval = token_interval (self, &stream->faults);
  stream->unload_after = job->unload_after;
  stream->keep_alive_us = job->keep_alive_us;
  stream->prompt_tokens = job->prompt_tokens;
  stream->tool_call_id = _cria_test_tool_call_id ();
  stream->full_content = g_string_new (NULL);
  stream->full_thinking = g_string_new (NULL);

  if (queued != NULL && queued->status > 0)
    {
      stream->faults.early_error = CRIA_TEST_EARLY_ERROR_STATUS;
      stream->faults.early_error_status = queued->status;
    }

  if (queued != NULL)
    {
      stream->content_tokens = _cria_test_tokenize (queued->content != NULL ? queued->content : "");
      stream->n_content = stream->content_tokens->len;
    }
  else if (self->generated_reply > 0)
    {
      stream->n_content = self->generated_reply;
    }
  else
    {
      stream->content_tokens = _cria_test_tokenize (self->reply_content);
      stream->n_content = stream->content_tokens->len;
    }

  if (job->think && queued != NULL)
    {
      stream->thinking_tokens = _cria_test_tokenize (queued->thinking != NULL ? queued->thinking : "");
      stream->n_thinking = stream->thinking_tokens->len;
    }
  else if (job->think && self->generated_thinking > 0)
    {
      stream->n_thinking = self->generated_thinking;
    }
  else if (job->think)
    {
      stream->thinking_tokens = _cria_test_tokenize (self->reply_thinking);
      stream->n_thinking = stream->thinking_tokens->len;
    }

  /* The model loads before the first token; it stays loaded if the client
   * goes away. */
  _cria_test_server_set_loaded (self, job->local_name, job->keep_alive_us != 0 ? job->keep_alive_us
                                                                            : G_USEC_PER_SEC);
}

void
_cria_test_stream_start_pull (CriaTestServer    *self,
                              SoupServerMessage *msg,
                              const char        *name,
                              gboolean           stream_mode)
{
  CriaTestStream *stream = stream_new (self, msg, KIND_PULL, name, stream_mode);
  CriaTestModel *model = _cria_test_server_find_registry (self, name);

  if (model == NULL)
    return;

  stream->pull_model = _cria_test_model_copy (model, NULL);
  stream->layers = _cria_test_model_layers (model);
  stream->cached = _cria_test_server_find_model (self, model->name) != NULL;
}

static char *
status_line (const char *status)
{
  GString *line = g_string_new (NULL);

  append_status_line (line, status, NULL, 0, 0);
  return g_string_free (line, FALSE);
}

void
_cria_test_stream_start_create (CriaTestServer    *self,
                                SoupServerMessage *msg,
                                const char        *name,
                                const char        *from,
                                gboolean           stream_mode)
{
  CriaTestStream *stream = stream_new (self, msg, KIND_CREATE, name, stream_mode);
  CriaTestModel *local = _cria_test_server_find_model (self, from);
  CriaTestModel *remote = local == NULL ? _cria_test_server_find_registry (self, from) : NULL;
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) layers = NULL;

  stream->prepared = lines;
  stream->create_name = g_strdup (name);

  if (local == NULL && remote == NULL)
    {
      GString *error = g_string_new ("{\"error\":");

      g_ptr_array_add (lines, status_line ("pulling manifest"));
      _cria_json_append_string (error, CRIA_TEST_PULL_UNKNOWN_ERROR);
      g_string_append_c (error, '}');
      g_ptr_array_add (lines, g_string_free (error, FALSE));
      return;
    }

  layers = _cria_test_model_layers (local != NULL ? local : remote);

  /* A base that is not installed is pulled first, inside the stream. */
  if (remote != NULL)
    {
      stream->pull_model = _cria_test_model_copy (remote, NULL);
      g_ptr_array_add (lines, status_line ("pulling manifest"));
      for (guint i = 0; i < layers->len; i++)
        {
          CriaTestLayer *layer = g_ptr_array_index (layers, i);
          g_autofree char *status = g_strdup_printf ("pulling %.12s", layer->digest + 7);
          GString *line = g_string_new (NULL);

          append_status_line (line, status, layer->digest, layer->size, layer->size);
          g_ptr_array_add (lines, g_string_free (line, FALSE));
        }
      g_ptr_array_add (lines, status_line ("verifying sha256 digest"));
      g_ptr_array_add (lines, status_line ("writing manifest"));
    }

  stream->create_from = _cria_test_model_copy (local != NULL ? local : remote, NULL);
  for (guint i = 0; i < layers->len; i++)
    {
      CriaTestLayer *layer = g_ptr_array_index (layers, i);
      g_autofree char *status = g_strconcat ("using existing layer ", layer->digest, NULL);

      g_ptr_array_add (lines, status_line (status));
    }
  g_ptr_array_add (lines, status_line ("writing manifest"));
  g_ptr_array_add (lines, status_line ("success"));
}
