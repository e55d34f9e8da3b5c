/* cria-chat-store.c
 *
 * Chats and their messages in one SQLite file, by default
 * `$XDG_DATA_HOME/<app-id>/cria.db`, in WAL mode with foreign keys on.
 *
 * The schema is the migration table of cria-chat-store-private.h; its
 * version is `PRAGMA user_version`. A file from a newer Cria is left
 * untouched (CRIA_STORE_ERROR_TOO_NEW). A file that is not a database,
 * cannot be read or written, or fails `PRAGMA quick_check` is renamed to
 * `cria.db.corrupt-<UTC time>` (with its -wal) and a fresh database takes
 * its place; #CriaChatStore:recovered-from says so, and the app tells the
 * user. Cria never refuses to start over its own data. The quick check
 * reads the whole file (~2 ms a MiB), so it runs before the open only
 * after a crash; otherwise in a thread after it, and damage found there
 * is dealt with at the next start (the `.needs-check` file).
 *
 * Statements run on the main thread, each change in one short transaction:
 * with WAL and `synchronous=NORMAL` a commit is a write to the -wal file
 * without an fsync, and it survives the process being killed. Bulk work
 * (search from the UI, export, import) runs in a GTask thread on a
 * connection of its own.
 *
 * A streamed reply (cria_chat_store_track_reply()) is inserted at once in
 * state streaming and written again at most every
 * CRIA_CHAT_STORE_SAVE_INTERVAL_MS while it grows, then once more when it
 * leaves the streaming state. At open, rows still marked streaming (the
 * app died mid-reply) become incomplete.
 *
 * Never log chat text: ids, counts and sizes only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-chat-store"

#include "cria-config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cria-chat-store.h"
#include "cria-chat-store-private.h"
#include "cria-error.h"

#define BUSY_TIMEOUT_MS   5000
#define EXPORT_FORMAT     "cria-chat"
#define EXPORT_VERSION    1
#define IMPORT_MAX_BYTES  (512 * 1024 * 1024)

/* A statement from the cache: reset, not finalized, when it goes out of
 * scope. */
typedef sqlite3_stmt CachedStmt;
/* A statement prepared for one use: finalized when it goes out of scope. */
typedef sqlite3_stmt OwnedStmt;

static void
cached_stmt_reset (CachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachedStmt, cached_stmt_reset)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OwnedStmt, sqlite3_finalize)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close)

typedef struct
{
  gint64 id;
  gint64 created_at;
  gint64 position;
} MessageRow;

typedef struct
{
  CriaChatStore   *store;       /* borrowed: the store untracks on dispose */
  CriaChatMessage *reply;
  GMainContext    *context;
  GSource         *timeout;
  gint64           chat_id;
  gulong           notify_id;
  gboolean         dirty;
} Tracked;

struct _CriaChatStore
{
  GObject     parent_instance;

  /* Owned References */
  char       *path;
  sqlite3    *db;
  GHashTable *stmts;            /* static SQL text → sqlite3_stmt */
  GListStore *chats;            /* CriaChatInfo not trashed, in list order */
  GHashTable *infos;            /* gint64 *id → CriaChatInfo, trashed too */
  GPtrArray  *tracked;          /* Tracked */
  char       *recovered_from;
  char       *recovery_reason;

  gint64      last_time;
  guint       n_reply_writes;
};

G_DEFINE_FINAL_TYPE (CriaChatStore, cria_chat_store, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (CriaChatSearchResult, cria_chat_search_result,
                     cria_chat_search_result_copy, cria_chat_search_result_free)

static GQuark message_row_quark (void);
G_DEFINE_QUARK (cria-chat-store-message-row, message_row)

enum {
  PROP_0,
  PROP_PATH,
  PROP_RECOVERED_FROM,
  PROP_RECOVERY_REASON,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void untrack (CriaChatStore *self,
                     Tracked       *tracked,
                     gboolean       write);

/* Helpers */

static const char * const role_names[] = {
  [CRIA_MESSAGE_ROLE_USER] = "user",
  [CRIA_MESSAGE_ROLE_ASSISTANT] = "assistant",
  [CRIA_MESSAGE_ROLE_SYSTEM] = "system",
  [CRIA_MESSAGE_ROLE_TOOL] = "tool",
};

static const char * const state_names[] = {
  [CRIA_MESSAGE_STATE_COMPLETE] = "complete",
  [CRIA_MESSAGE_STATE_STREAMING] = "streaming",
  [CRIA_MESSAGE_STATE_INCOMPLETE] = "incomplete",
  [CRIA_MESSAGE_STATE_ERROR] = "error",
};

static gboolean
name_to_index (const char * const *names,
               guint               n_names,
               const char         *name,
               guint              *index)
{
  if (name == NULL)
    return FALSE;

  for (guint i = 0; i < n_names; i++)
    {
      if (g_str_equal (names[i], name))
        {
          *index = i;
          return TRUE;
        }
    }

  return FALSE;
}

static const char *
role_to_string (CriaMessageRole role)
{
  if ((guint) role >= G_N_ELEMENTS (role_names))
    return "user";
  return role_names[role];
}

static const char *
state_to_string (CriaMessageState state)
{
  if ((guint) state >= G_N_ELEMENTS (state_names))
    return "complete";
  return state_names[state];
}

static gboolean
set_db_error (GError     **error,
              sqlite3     *db,
              const char  *what)
{
  int code = sqlite3_errcode (db) & 0xff;
  int store_code = CRIA_STORE_ERROR_FAILED;

  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
    store_code = CRIA_STORE_ERROR_CORRUPT;

  g_set_error (error, CRIA_STORE_ERROR, store_code,
               "%s: %s (%d)", what, sqlite3_errmsg (db), sqlite3_extended_errcode (db));
  return FALSE;
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          GError     **error)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_db_error (error, db, "Could not run a statement");

  return TRUE;
}

static gboolean
begin (sqlite3  *db,
       GError  **error)
{
  return exec_sql (db, "BEGIN IMMEDIATE", error);
}

static gboolean
commit (sqlite3  *db,
        GError  **error)
{
  return exec_sql (db, "COMMIT", error);
}

static void
rollback (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

static OwnedStmt *
prepare (sqlite3     *db,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, db, "Could not prepare a statement");
      return NULL;
    }

  return stmt;
}

/* Steps a statement that returns no rows. */
static gboolean
step_done (sqlite3       *db,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_db_error (error, db, "Could not write");

  return TRUE;
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

static gboolean
ensure_open (CriaChatStore  *self,
             GError        **error)
{
  if (self->db != NULL)
    return TRUE;

  g_set_error_literal (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_NOT_OPEN,
                       "The chat store is not open");
  return FALSE;
}

/* A statement on the main connection, prepared once. @sql must be a
 * string literal: its address is the cache key. */
static CachedStmt *
get_stmt (CriaChatStore  *self,
          const char     *sql,
          GError        **error)
{
  sqlite3_stmt *stmt;

  stmt = g_hash_table_lookup (self->stmts, sql);
  if (stmt != NULL)
    return stmt;

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, self->db, "Could not prepare a statement");
      return NULL;
    }

  g_hash_table_insert (self->stmts, (gpointer) sql, stmt);
  return stmt;
}

/* Now, strictly increasing within this store, so that the order of
 * changes is the order of their times even within a microsecond. */
static gint64
store_now (CriaChatStore *self)
{
  gint64 now = g_get_real_time ();

  if (now <= self->last_time)
    now = self->last_time + 1;
  self->last_time = now;

  return now;
}

static char *
json_object_to_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return json_to_string (node, FALSE);
}

static JsonObject *
json_object_from_text (const char *text)
{
  g_autoptr(JsonNode) node = NULL;

  /* Most chats have no options: no parser for them. */
  if (text == NULL || g_str_equal (text, "{}"))
    return json_object_new ();

  node = json_from_string (text, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return json_object_new ();

  return json_object_ref (json_node_get_object (node));
}

/* Search results */

CriaChatSearchResult *
cria_chat_search_result_copy (const CriaChatSearchResult *self)
{
  CriaChatSearchResult *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (CriaChatSearchResult, 1);
  copy->chat_id = self->chat_id;
  copy->message_id = self->message_id;
  copy->position = self->position;
  copy->snippet = g_strdup (self->snippet);
  copy->matches = g_array_copy (self->matches);

  return copy;
}

void
cria_chat_search_result_free (CriaChatSearchResult *self)
{
  if (self == NULL)
    return;

  g_free (self->snippet);
  g_clear_pointer (&self->matches, g_array_unref);
  g_free (self);
}

/* Messages and rows */

static const MessageRow *
get_message_row (CriaChatMessage *message)
{
  return g_object_get_qdata (G_OBJECT (message), message_row_quark ());
}

static void
set_message_row (CriaChatMessage *message,
                 gint64           id,
                 gint64           created_at,
                 gint64           position)
{
  MessageRow *row = g_new (MessageRow, 1);

  row->id = id;
  row->created_at = created_at;
  row->position = position;
  g_object_set_qdata_full (G_OBJECT (message), message_row_quark (), row, g_free);
}

/**
 * cria_chat_store_get_message_id:
 *
 * Returns: the row id of a message appended to or loaded from a store, or
 *   0 when it was never saved
 */
gint64
cria_chat_store_get_message_id (CriaChatMessage *message)
{
  const MessageRow *row;

  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (message), 0);

  row = get_message_row (message);
  return row != NULL ? row->id : 0;
}

/**
 * cria_chat_store_get_message_created_at:
 *
 * Returns: when a saved message was created, in microseconds since the
 *   Unix epoch, or 0 when it was never saved
 */
gint64
cria_chat_store_get_message_created_at (CriaChatMessage *message)
{
  const MessageRow *row;

  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (message), 0);

  row = get_message_row (message);
  return row != NULL ? row->created_at : 0;
}

/* The message statements share their parameter numbers:
 *   ?1 id (update), ?2 chat_id, ?3 position, ?4 role, ?5 created_at,
 *   ?6.. the fields bind_message_fields () binds. */
#define INSERT_MESSAGE_SQL                                                   \
  "INSERT INTO messages (chat_id, position, role, created_at, content, "     \
  "thinking, tool_calls, state, model, done_reason, total_duration, "       \
  "load_duration, prompt_eval_count, prompt_eval_duration, eval_count, "    \
  "eval_duration, error_domain, error_code, error_message) "                \
  "VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "   \
  "?16, ?17, ?18, ?19, ?20)"
#define UPDATE_MESSAGE_SQL                                                   \
  "UPDATE messages SET content = ?6, thinking = ?7, tool_calls = ?8, "       \
  "state = ?9, model = ?10, done_reason = ?11, total_duration = ?12, "       \
  "load_duration = ?13, prompt_eval_count = ?14, "                           \
  "prompt_eval_duration = ?15, eval_count = ?16, eval_duration = ?17, "      \
  "error_domain = ?18, error_code = ?19, error_message = ?20 WHERE id = ?1"
#define INSERT_IMAGE_SQL                                                     \
  "INSERT INTO images (message_id, position, data) VALUES (?1, ?2, ?3)"
#define SELECT_MESSAGES_SQL                                                  \
  "SELECT id, role, content, thinking, tool_calls, state, model, "           \
  "created_at, done_reason, total_duration, load_duration, "                 \
  "prompt_eval_count, prompt_eval_duration, eval_count, eval_duration, "     \
  "error_domain, error_code, error_message, position "                       \
  "FROM messages WHERE chat_id = ?1 ORDER BY position"
#define SELECT_IMAGES_SQL                                                    \
  "SELECT i.message_id, i.data FROM messages m "                             \
  "JOIN images i ON i.message_id = m.id "                                    \
  "WHERE m.chat_id = ?1 ORDER BY i.message_id, i.position"

/* Binds ?6 to ?20. @tool_calls_text keeps the serialized tool calls alive
 * until the statement ran. */
static void
bind_message_fields (sqlite3_stmt     *stmt,
                     CriaChatMessage  *message,
                     char            **tool_calls_text)
{
  const CriaChatMetrics *metrics = cria_chat_message_get_metrics (message);
  const GError *error = cria_chat_message_get_error (message);
  JsonArray *tool_calls = cria_chat_message_get_tool_calls (message);

  sqlite3_bind_text (stmt, 6, cria_chat_message_get_content (message),
                     cria_chat_message_get_content_length (message), SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, cria_chat_message_get_thinking (message),
                     cria_chat_message_get_thinking_length (message), SQLITE_STATIC);

  if (tool_calls != NULL && json_array_get_length (tool_calls) > 0)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

      json_node_set_array (node, tool_calls);
      *tool_calls_text = json_to_string (node, FALSE);
    }
  sqlite3_bind_text (stmt, 8, *tool_calls_text, -1, SQLITE_STATIC);

  sqlite3_bind_text (stmt, 9, state_to_string (cria_chat_message_get_state (message)),
                     -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, cria_chat_message_get_model (message), -1, SQLITE_STATIC);

  if (metrics != NULL)
    {
      sqlite3_bind_text (stmt, 11, metrics->done_reason, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 12, metrics->total_duration);
      sqlite3_bind_int64 (stmt, 13, metrics->load_duration);
      sqlite3_bind_int64 (stmt, 14, metrics->prompt_eval_count);
      sqlite3_bind_int64 (stmt, 15, metrics->prompt_eval_duration);
      sqlite3_bind_int64 (stmt, 16, metrics->eval_count);
      sqlite3_bind_int64 (stmt, 17, metrics->eval_duration);
    }
  else
    {
      for (int i = 11; i <= 17; i++)
        sqlite3_bind_null (stmt, i);
    }

  if (error != NULL)
    {
      sqlite3_bind_text (stmt, 18, g_quark_to_string (error->domain), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 19, error->code);
      sqlite3_bind_text (stmt, 20, error->message, -1, SQLITE_STATIC);
    }
  else
    {
      for (int i = 18; i <= 20; i++)
        sqlite3_bind_null (stmt, i);
    }
}

/* Inserts @message and its images at @position; the caller holds a
 * transaction. Returns the new row id, or 0. */
static gint64
insert_message (sqlite3          *db,
                sqlite3_stmt     *insert,
                sqlite3_stmt     *insert_image,
                gint64            chat_id,
                gint64            position,
                gint64            created_at,
                CriaChatMessage  *message,
                GError          **error)
{
  g_autofree char *tool_calls_text = NULL;
  GPtrArray *images = cria_chat_message_get_images (message);
  gint64 id;

  sqlite3_bind_int64 (insert, 2, chat_id);
  sqlite3_bind_int64 (insert, 3, position);
  sqlite3_bind_text (insert, 4, role_to_string (cria_chat_message_get_role (message)),
                     -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 5, created_at);
  bind_message_fields (insert, message, &tool_calls_text);

  if (!step_done (db, insert, error))
    {
      cached_stmt_reset (insert);
      return 0;
    }
  cached_stmt_reset (insert);
  id = sqlite3_last_insert_rowid (db);

  for (guint i = 0; images != NULL && i < images->len; i++)
    {
      GBytes *image = g_ptr_array_index (images, i);
      gsize size;
      gconstpointer data = g_bytes_get_data (image, &size);
      gboolean ok;

      sqlite3_bind_int64 (insert_image, 1, id);
      sqlite3_bind_int64 (insert_image, 2, i);
      /* A zero-length blob, not NULL, for an empty image. */
      if (size == 0)
        sqlite3_bind_zeroblob (insert_image, 3, 0);
      else
        sqlite3_bind_blob64 (insert_image, 3, data, size, SQLITE_STATIC);
      ok = step_done (db, insert_image, error);
      cached_stmt_reset (insert_image);
      if (!ok)
        return 0;
    }

  return id;
}

static CriaChatMessage *
message_from_row (sqlite3_stmt *stmt)
{
  CriaChatMessage *message;
  guint role = CRIA_MESSAGE_ROLE_USER;
  guint state = CRIA_MESSAGE_STATE_COMPLETE;
  const char *thinking;
  const char *tool_calls;

  name_to_index (role_names, G_N_ELEMENTS (role_names), column_text (stmt, 1), &role);
  name_to_index (state_names, G_N_ELEMENTS (state_names), column_text (stmt, 5), &state);

  message = g_object_new (CRIA_TYPE_CHAT_MESSAGE,
                          "role", role,
                          "content", column_text (stmt, 2),
                          "state", state,
                          "model", column_text (stmt, 6),
                          NULL);
  set_message_row (message, sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 7),
                   sqlite3_column_int64 (stmt, 18));

  thinking = column_text (stmt, 3);
  if (thinking != NULL && thinking[0] != '\0')
    cria_chat_message_append_thinking (message, thinking);

  tool_calls = column_text (stmt, 4);
  if (tool_calls != NULL)
    {
      g_autoptr(JsonNode) node = json_from_string (tool_calls, NULL);

      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        cria_chat_message_add_tool_calls (message, json_node_get_array (node));
    }

  if (sqlite3_column_type (stmt, 9) != SQLITE_NULL)
    {
      CriaChatMetrics metrics = {
        .done_reason = (char *) column_text (stmt, 8),
        .total_duration = sqlite3_column_int64 (stmt, 9),
        .load_duration = sqlite3_column_int64 (stmt, 10),
        .prompt_eval_count = sqlite3_column_int64 (stmt, 11),
        .prompt_eval_duration = sqlite3_column_int64 (stmt, 12),
        .eval_count = sqlite3_column_int64 (stmt, 13),
        .eval_duration = sqlite3_column_int64 (stmt, 14),
      };

      cria_chat_message_set_metrics (message, &metrics);
    }

  if (sqlite3_column_type (stmt, 15) != SQLITE_NULL)
    {
      g_autoptr(GError) error = NULL;

      error = g_error_new_literal (g_quark_from_string (column_text (stmt, 15)),
                                   sqlite3_column_int (stmt, 16),
                                   column_text (stmt, 17) != NULL ? column_text (stmt, 17) : "");
      cria_chat_message_set_error (message, error);
    }

  return message;
}

static GPtrArray *
load_messages (sqlite3  *db,
               gint64    chat_id,
               GError  **error)
{
  g_autoptr(OwnedStmt) select = NULL;
  g_autoptr(OwnedStmt) select_images = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  int rc;

  if (!(select = prepare (db, SELECT_MESSAGES_SQL, error)) ||
      !(select_images = prepare (db, SELECT_IMAGES_SQL, error)))
    return NULL;

  messages = g_ptr_array_new_with_free_func (g_object_unref);

  sqlite3_bind_int64 (select, 1, chat_id);
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    g_ptr_array_add (messages, message_from_row (select));
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, db, "Could not read messages");
      return NULL;
    }

  sqlite3_bind_int64 (select_images, 1, chat_id);
  while ((rc = sqlite3_step (select_images)) == SQLITE_ROW)
    {
      gint64 message_id = sqlite3_column_int64 (select_images, 0);
      g_autoptr(GBytes) image = NULL;
      CriaChatMessage *message;

      if (by_id == NULL)
        {
          by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
          for (guint i = 0; i < messages->len; i++)
            {
              CriaChatMessage *item = g_ptr_array_index (messages, i);

              /* The key lives in the row, as long as the message. */
              g_hash_table_insert (by_id, (gpointer) &get_message_row (item)->id, item);
            }
        }

      message = g_hash_table_lookup (by_id, &message_id);
      if (message == NULL)
        continue;

      image = g_bytes_new (sqlite3_column_blob (select_images, 1),
                           sqlite3_column_bytes (select_images, 1));
      cria_chat_message_add_image (message, image);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (error, db, "Could not read images");
      return NULL;
    }

  return g_steal_pointer (&messages);
}

/* Chats */

#define SELECT_CHAT_SQL                                                      \
  "SELECT id, title, backend_url, model, system_prompt, options, pinned, "   \
  "trashed, created_at, updated_at, think, user_title FROM chats"

/* The think column: NULL for the server's default, 1 on, 0 off */
static CriaThinkMode
think_from_column (sqlite3_stmt *stmt,
                   int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return CRIA_THINK_MODE_DEFAULT;

  return sqlite3_column_int (stmt, column) != 0 ? CRIA_THINK_MODE_ON : CRIA_THINK_MODE_OFF;
}

static void
bind_think (sqlite3_stmt  *stmt,
            int            param,
            CriaThinkMode  think)
{
  if (think == CRIA_THINK_MODE_ON || think == CRIA_THINK_MODE_OFF)
    sqlite3_bind_int (stmt, param, think == CRIA_THINK_MODE_ON);
  else
    sqlite3_bind_null (stmt, param);
}

static CriaChatInfo *
chat_info_from_row (sqlite3_stmt *stmt)
{
  CriaChatInfo *info = _cria_chat_info_new (sqlite3_column_int64 (stmt, 0));

  _cria_chat_info_set_title (info, column_text (stmt, 1));
  _cria_chat_info_set_model (info, column_text (stmt, 2), column_text (stmt, 3));
  _cria_chat_info_set_system_prompt (info, column_text (stmt, 4));
  _cria_chat_info_take_options (info, json_object_from_text (column_text (stmt, 5)));
  _cria_chat_info_set_pinned (info, sqlite3_column_int (stmt, 6) != 0);
  _cria_chat_info_set_trashed (info, sqlite3_column_int (stmt, 7) != 0);
  _cria_chat_info_set_times (info, sqlite3_column_int64 (stmt, 8), sqlite3_column_int64 (stmt, 9));
  _cria_chat_info_set_think (info, think_from_column (stmt, 10));
  _cria_chat_info_set_user_title (info, sqlite3_column_int (stmt, 11) != 0);

  return info;
}

static void
add_info (CriaChatStore *self,
          CriaChatInfo  *info)
{
  gint64 *key = g_new (gint64, 1);

  *key = cria_chat_info_get_id (info);
  g_hash_table_insert (self->infos, key, g_object_ref (info));

  if (!_cria_chat_info_get_trashed (info))
    g_list_store_insert_sorted (self->chats, info, _cria_chat_info_compare, NULL);
}

static CriaChatInfo *
lookup_info (CriaChatStore  *self,
             gint64          chat_id,
             GError        **error)
{
  CriaChatInfo *info = g_hash_table_lookup (self->infos, &chat_id);

  if (info == NULL)
    g_set_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_NOT_FOUND,
                 "No chat %" G_GINT64_FORMAT, chat_id);

  return info;
}

static gboolean
list_position (CriaChatStore *self,
               CriaChatInfo  *info,
               guint         *position)
{
  return g_list_store_find (self->chats, info, position);
}

/* Moves @info to its place after a change of its sort keys, emitting
 * nothing when it is already there. */
static void
reposition (CriaChatStore *self,
            CriaChatInfo  *info)
{
  GListModel *model = G_LIST_MODEL (self->chats);
  g_autoptr(CriaChatInfo) before = NULL;
  g_autoptr(CriaChatInfo) after = NULL;
  g_autoptr(CriaChatInfo) hold = NULL;
  guint position;

  if (!list_position (self, info, &position))
    return;

  if (position > 0)
    before = g_list_model_get_item (model, position - 1);
  after = g_list_model_get_item (model, position + 1);

  if ((before == NULL || _cria_chat_info_compare (before, info, NULL) < 0) &&
      (after == NULL || _cria_chat_info_compare (info, after, NULL) < 0))
    return;

  hold = g_object_ref (info);
  g_list_store_remove (self->chats, position);
  g_list_store_insert_sorted (self->chats, info, _cria_chat_info_compare, NULL);
}

static gboolean
touch_chat (CriaChatStore  *self,
            CriaChatInfo   *info,
            GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  gint64 now = store_now (self);

  if (!(stmt = get_stmt (self, "UPDATE chats SET updated_at = ?2 WHERE id = ?1", error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, cria_chat_info_get_id (info));
  sqlite3_bind_int64 (stmt, 2, now);
  if (!step_done (self->db, stmt, error))
    return FALSE;

  _cria_chat_info_set_times (info, cria_chat_info_get_created_at (info), now);
  return TRUE;
}

static gboolean
load_chats (CriaChatStore  *self,
            GError        **error)
{
  g_autoptr(OwnedStmt) stmt = NULL;
  g_autoptr(GPtrArray) visible = NULL;
  int rc;

  if (!(stmt = prepare (self->db, SELECT_CHAT_SQL
                        " ORDER BY pinned DESC, updated_at DESC, id DESC", error)))
    return FALSE;

  visible = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CriaChatInfo *info = chat_info_from_row (stmt);
      gint64 *key = g_new (gint64, 1);

      *key = cria_chat_info_get_id (info);
      g_hash_table_insert (self->infos, key, g_object_ref (info));
      self->last_time = MAX (self->last_time, cria_chat_info_get_updated_at (info));

      if (_cria_chat_info_get_trashed (info))
        g_object_unref (info);
      else
        g_ptr_array_add (visible, info);
    }
  if (rc != SQLITE_DONE)
    return set_db_error (error, self->db, "Could not read chats");

  g_list_store_splice (self->chats, 0, 0, visible->pdata, visible->len);
  g_debug ("Loaded %u chats", visible->len);

  return TRUE;
}

/* Opening */

static gboolean
migrate (sqlite3  *db,
         guint     from,
         GError  **error)
{
  for (guint version = from; version < CRIA_CHAT_STORE_SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = NULL;

      g_debug ("Migrating the chat store from version %u to %u", version, version + 1);

      bump = g_strdup_printf ("PRAGMA user_version = %u", version + 1);
      if (!begin (db, error))
        return FALSE;
      if (!exec_sql (db, _cria_chat_store_migrations[version], error) ||
          !exec_sql (db, bump, error) ||
          !commit (db, error))
        {
          rollback (db);
          g_prefix_error (error, "Migration to version %u failed: ", version + 1);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
is_broken_file_error (int code)
{
  switch (code & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return TRUE;

    default:
      return FALSE;
    }
}

/* The schema version from the file header (offset 60, big-endian), read
 * without SQLite so that a database of a newer Cria is not even opened:
 * opening one in WAL mode leaves a -wal file behind. Returns FALSE when
 * the file has no SQLite header. */
static gboolean
peek_user_version (const char *path,
                   guint      *version)
{
  static const char magic[16] = "SQLite format 3";
  guchar header[100];
  gboolean ok = FALSE;
  FILE *file;

  file = g_fopen (path, "rb");
  if (file == NULL)
    return FALSE;

  if (fread (header, 1, sizeof header, file) == sizeof header &&
      memcmp (header, magic, sizeof magic) == 0)
    {
      *version = ((guint) header[60] << 24) | ((guint) header[61] << 16) |
                 ((guint) header[62] << 8) | (guint) header[63];
      ok = TRUE;
    }

  fclose (file);
  return ok;
}

/* Runs `PRAGMA quick_check`: every page read, every b-tree walked, no
 * index compared with its table. Errors with CRIA_STORE_ERROR_CORRUPT
 * mean "move it aside". */
static gboolean
quick_check (sqlite3  *db,
             GError  **error)
{
  g_autoptr(OwnedStmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      int code = sqlite3_errcode (db);

      set_db_error (error, db, "Could not check the database");
      if (error != NULL && *error != NULL && is_broken_file_error (code))
        (*error)->code = CRIA_STORE_ERROR_CORRUPT;
      return FALSE;
    }

  if (g_strcmp0 (column_text (stmt, 0), "ok") != 0)
    {
      g_set_error_literal (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_CORRUPT,
                           "The database failed its integrity check");
      return FALSE;
    }

  return TRUE;
}

/* Opens the file, checks that it is a database Cria can use, and migrates
 * it. Errors with CRIA_STORE_ERROR_CORRUPT mean "move it aside". */
static sqlite3 *
open_checked (const char  *path,
              gboolean     existed,
              gboolean     full_check,
              GError     **error)
{
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(OwnedStmt) stmt = NULL;
  guint version;
  int rc;

  if (existed && peek_user_version (path, &version) &&
      version > CRIA_CHAT_STORE_SCHEMA_VERSION)
    goto too_new;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (db == NULL)
    {
      g_set_error_literal (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_FAILED,
                           "Out of memory opening the chat store");
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);
  /* Until the version is known to be ours, closing must not even
   * checkpoint a -wal into the file. */
  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);

  if (rc == SQLITE_OK && sqlite3_db_readonly (db, "main") == 1)
    {
      g_set_error_literal (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_CORRUPT,
                           "The database file cannot be written");
      return NULL;
    }

  /* Reading the version also reads the schema: a file that is not a
   * database, or whose first page is damaged, fails here. */
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
    }
  if (rc != SQLITE_ROW)
    {
      int code = sqlite3_errcode (db);

      set_db_error (error, db, "Could not read the database");
      if (existed && is_broken_file_error (code) && error != NULL && *error != NULL)
        (*error)->code = CRIA_STORE_ERROR_CORRUPT;
      return NULL;
    }
  version = sqlite3_column_int (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (version > CRIA_CHAT_STORE_SCHEMA_VERSION)
    goto too_new;

  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);

  if (full_check && !quick_check (db, error))
    return NULL;

  /* WAL needs shared memory; where there is none SQLite keeps its
   * rollback journal, which is slower but as safe. */
  if (sqlite3_prepare_v2 (db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW &&
      g_strcmp0 (column_text (stmt, 0), "wal") != 0)
    g_debug ("The chat store is not in WAL mode: %s", column_text (stmt, 0));
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!exec_sql (db, "PRAGMA synchronous = NORMAL", error) ||
      !exec_sql (db, "PRAGMA foreign_keys = ON", error) ||
      !migrate (db, version, error))
    return NULL;

  return g_steal_pointer (&db);

too_new:
  g_set_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_TOO_NEW,
               "The chat store has schema version %u; this Cria knows up to %u",
               version, (guint) CRIA_CHAT_STORE_SCHEMA_VERSION);
  return NULL;
}

/* Opens the database and does what every start does: replies left
 * streaming become incomplete, chats left in the trash go, the chats
 * list loads. Damage met on the way is CRIA_STORE_ERROR_CORRUPT. */
static gboolean
open_database (CriaChatStore  *self,
               gboolean        existed,
               gboolean        full_check,
               GError        **error)
{
  self->db = open_checked (self->path, existed, full_check, error);
  if (self->db == NULL)
    return FALSE;

  /* The app died while these streamed: keep them, as cut short. */
  if (!exec_sql (self->db,
                 "UPDATE messages SET state = 'incomplete' WHERE state = 'streaming'",
                 error))
    goto failed;
  if (sqlite3_changes (self->db) > 0)
    g_debug ("Marked %d interrupted replies incomplete", sqlite3_changes (self->db));

  /* The app quit while their undo was offered. */
  if (!exec_sql (self->db, "DELETE FROM chats WHERE trashed = 1", error))
    goto failed;
  if (sqlite3_changes (self->db) > 0)
    g_debug ("Dropped %d chats left in the trash", sqlite3_changes (self->db));

  if (!load_chats (self, error))
    goto failed;

  return TRUE;

failed:
  cria_chat_store_close (self);
  return FALSE;
}

static sqlite3 *open_worker_db (const char  *path,
                                gboolean     writable,
                                GError     **error);

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(GError) error = NULL;

  /* Read-write, though it only reads: when it closes last, it can
   * checkpoint and remove the -wal, whose presence means "crashed". */
  if ((db = open_worker_db (path, TRUE, &error)) != NULL && quick_check (db, &error))
    g_debug ("The chat store passed its integrity check");
  else if (g_error_matches (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_CORRUPT))
    {
      g_autofree char *marker = g_strconcat (path, CRIA_CHAT_STORE_CHECK_SUFFIX, NULL);

      g_message ("The chat store failed its integrity check, it will be moved aside at the "
                 "next start: %s", error->message);
      g_file_set_contents (marker, "", 0, NULL);
    }
  else
    g_debug ("Could not check the chat store: %s", error->message);

  g_task_return_boolean (task, TRUE);
}

/* Checks the whole file in a thread, on a connection of its own, without
 * holding the store. Damage found marks the file for a full check, and so
 * a move aside, at the next start. */
static void
check_in_background (const char *path)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_set_source_tag (task, check_in_background);
  g_task_set_priority (task, G_PRIORITY_LOW);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, check_thread);
}

static gboolean
move_aside (const char  *path,
            char       **moved_to,
            GError     **error)
{
  static const char * const suffixes[] = { "-wal", "-journal" };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *target = g_strdup_printf ("%s.corrupt-%s", path, stamp);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  int saved_errno;

  for (guint i = 2; g_file_test (target, G_FILE_TEST_EXISTS); i++)
    {
      g_free (target);
      target = g_strdup_printf ("%s.corrupt-%s-%u", path, stamp, i);
    }

  if (g_rename (path, target) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not move the broken chat store aside: %s",
                   g_strerror (saved_errno));
      return FALSE;
    }

  /* A -wal left next to a fresh database would be replayed into it. */
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (target, suffixes[i], NULL);

      if (g_file_test (from, G_FILE_TEST_EXISTS) && g_rename (from, to) != 0)
        g_unlink (from);
    }
  g_unlink (shm);

  *moved_to = g_steal_pointer (&target);
  return TRUE;
}

/**
 * cria_chat_store_open:
 *
 * Opens the database, creating its folder and file when needed, migrating
 * it to the current schema, turning replies left streaming into incomplete
 * ones and dropping chats left in the trash.
 *
 * A file that is not a database, cannot be written or is found damaged is
 * moved aside and replaced by a fresh one (see
 * #CriaChatStore:recovered-from). The full integrity check
 * (`PRAGMA quick_check`, which reads the whole file) runs here only after
 * a crash (a -wal file is left) or when the previous check found damage;
 * otherwise it runs in a thread after the open, and damage it finds is
 * dealt with at the next start.
 *
 * Returns: %TRUE when the store is open. Fails with
 *   %CRIA_STORE_ERROR_TOO_NEW for a database of a newer Cria (left as it
 *   is), or when the folder or the file cannot be created.
 */
gboolean
cria_chat_store_open (CriaChatStore  *self,
                      GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *marker = NULL;
  gboolean existed;
  gboolean full_check;
  int saved_errno;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);

  if (self->db != NULL)
    return TRUE;

  folder = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create %s: %s", folder, g_strerror (saved_errno));
      return FALSE;
    }

  wal = g_strconcat (self->path, "-wal", NULL);
  marker = g_strconcat (self->path, CRIA_CHAT_STORE_CHECK_SUFFIX, NULL);
  existed = g_file_test (self->path, G_FILE_TEST_EXISTS);
  full_check = existed &&
               (g_file_test (wal, G_FILE_TEST_EXISTS) || g_file_test (marker, G_FILE_TEST_EXISTS));

  if (!open_database (self, existed, full_check, &local_error) &&
      g_error_matches (local_error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_CORRUPT))
    {
      g_autofree char *moved_to = NULL;

      if (!move_aside (self->path, &moved_to, error))
        return FALSE;
      g_unlink (marker);

      g_message ("Moved a broken chat store aside to %s: %s", moved_to, local_error->message);

      g_free (self->recovered_from);
      self->recovered_from = g_steal_pointer (&moved_to);
      g_free (self->recovery_reason);
      self->recovery_reason = g_strdup (local_error->message);
      g_clear_error (&local_error);

      existed = full_check = FALSE;
      open_database (self, FALSE, FALSE, &local_error);

      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_RECOVERED_FROM]);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_RECOVERY_REASON]);
    }

  if (self->db == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (full_check)
    g_unlink (marker);
  else if (existed)
    check_in_background (self->path);

  g_debug ("Opened the chat store at %s, schema version %u%s",
           self->path, (guint) CRIA_CHAT_STORE_SCHEMA_VERSION,
           full_check ? ", checked" : "");

  return TRUE;
}

gboolean
cria_chat_store_is_open (CriaChatStore *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);

  return self->db != NULL;
}

/**
 * cria_chat_store_close:
 *
 * Writes the tracked replies one last time, stops tracking them and closes
 * the database. The chats list empties. Closing a closed store does
 * nothing; the store can be opened again.
 */
void
cria_chat_store_close (CriaChatStore *self)
{
  g_return_if_fail (CRIA_IS_CHAT_STORE (self));

  while (self->tracked->len > 0)
    untrack (self, g_ptr_array_index (self->tracked, self->tracked->len - 1), TRUE);

  g_hash_table_remove_all (self->stmts);
  g_list_store_remove_all (self->chats);
  g_hash_table_remove_all (self->infos);

  if (self->db != NULL)
    {
      if (sqlite3_close (self->db) != SQLITE_OK)
        g_critical ("Could not close the chat store: %s", sqlite3_errmsg (self->db));
      self->db = NULL;
    }
}

/**
 * cria_chat_store_get_path:
 *
 * Returns: the database file
 */
const char *
cria_chat_store_get_path (CriaChatStore *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), NULL);

  return self->path;
}

/**
 * cria_chat_store_get_recovered_from:
 *
 * Returns: (nullable): where a broken database was moved at open, or %NULL
 */
const char *
cria_chat_store_get_recovered_from (CriaChatStore *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), NULL);

  return self->recovered_from;
}

/**
 * cria_chat_store_get_recovery_reason:
 *
 * Returns: (nullable): why a database was moved aside (a developer's
 *   message, not for the UI), or %NULL
 */
const char *
cria_chat_store_get_recovery_reason (CriaChatStore *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), NULL);

  return self->recovery_reason;
}

/* Chats API */

/**
 * cria_chat_store_get_chats:
 *
 * The chats, pinned ones first, then by last activity, newest first. Kept
 * up to date by every change made through the store. Trashed chats are
 * not in it.
 *
 * Returns: (transfer none): a #GListModel of #CriaChatInfo
 */
GListModel *
cria_chat_store_get_chats (CriaChatStore *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), NULL);

  return G_LIST_MODEL (self->chats);
}

/**
 * cria_chat_store_lookup_chat:
 *
 * Returns: (transfer none) (nullable): the chat, trashed or not, or %NULL
 */
CriaChatInfo *
cria_chat_store_lookup_chat (CriaChatStore *self,
                             gint64         chat_id)
{
  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), NULL);

  return g_hash_table_lookup (self->infos, &chat_id);
}

/**
 * cria_chat_store_create_chat:
 * @title: (nullable): the title, or %NULL for none yet
 * @backend_url: (nullable): the backend's base URL
 * @model: (nullable): the model
 * @system_prompt: (nullable): the system prompt
 * @options: (nullable): request options (see #CriaChatInfo:options)
 *
 * Returns: the new chat's id, or 0 on error
 */
gint64
cria_chat_store_create_chat (CriaChatStore  *self,
                             const char     *title,
                             const char     *backend_url,
                             const char     *model,
                             const char     *system_prompt,
                             JsonObject     *options,
                             GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  g_autoptr(CriaChatInfo) info = NULL;
  g_autofree char *options_text = NULL;
  gint64 now;
  gint64 id;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), 0);

  if (!ensure_open (self, error))
    return 0;

  if (!(stmt = get_stmt (self,
                         "INSERT INTO chats (title, backend_url, model, system_prompt, "
                         "options, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                         error)))
    return 0;

  options_text = options != NULL ? json_object_to_text (options) : g_strdup ("{}");
  now = store_now (self);

  sqlite3_bind_text (stmt, 1, title != NULL ? title : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, backend_url, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, model, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, system_prompt, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, options_text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, now);
  if (!step_done (self->db, stmt, error))
    return 0;

  id = sqlite3_last_insert_rowid (self->db);

  info = _cria_chat_info_new (id);
  _cria_chat_info_set_title (info, title);
  _cria_chat_info_set_model (info, backend_url, model);
  _cria_chat_info_set_system_prompt (info, system_prompt);
  _cria_chat_info_take_options (info, json_object_from_text (options_text));
  _cria_chat_info_set_times (info, now, now);
  add_info (self, info);

  g_debug ("Created chat %" G_GINT64_FORMAT, id);

  return id;
}

/**
 * cria_chat_store_rename_chat:
 * @title: (nullable): the title the user gave
 *
 * Renames a chat. The title is the user's from then on: a generated title
 * (cria_chat_store_set_generated_title()) never replaces it.
 */
gboolean
cria_chat_store_rename_chat (CriaChatStore  *self,
                             gint64          chat_id,
                             const char     *title,
                             GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  CriaChatInfo *info;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);

  if (!ensure_open (self, error) ||
      !(info = lookup_info (self, chat_id, error)) ||
      !(stmt = get_stmt (self, "UPDATE chats SET title = ?2, user_title = 1 WHERE id = ?1",
                         error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, chat_id);
  sqlite3_bind_text (stmt, 2, title != NULL ? title : "", -1, SQLITE_STATIC);
  if (!step_done (self->db, stmt, error))
    return FALSE;

  _cria_chat_info_set_user_title (info, TRUE);
  _cria_chat_info_set_title (info, title);
  return TRUE;
}

/**
 * cria_chat_store_set_generated_title:
 * @title: a title Cria made: from the first message, or asked of the model
 *
 * Gives a chat a title, unless the user renamed it
 * (cria_chat_store_rename_chat()): the user's title stays.
 *
 * Returns: %FALSE on error; %TRUE when the title was set or the user's
 *   title kept
 */
gboolean
cria_chat_store_set_generated_title (CriaChatStore  *self,
                                     gint64          chat_id,
                                     const char     *title,
                                     GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  CriaChatInfo *info;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);
  g_return_val_if_fail (title != NULL, FALSE);

  if (!ensure_open (self, error) ||
      !(info = lookup_info (self, chat_id, error)))
    return FALSE;

  if (_cria_chat_info_get_user_title (info))
    {
      g_debug ("Chat %" G_GINT64_FORMAT " keeps the user's title", chat_id);
      return TRUE;
    }

  /* The condition again in SQL: the row is the truth. */
  if (!(stmt = get_stmt (self, "UPDATE chats SET title = ?2 WHERE id = ?1 AND user_title = 0",
                         error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, chat_id);
  sqlite3_bind_text (stmt, 2, title, -1, SQLITE_STATIC);
  if (!step_done (self->db, stmt, error))
    return FALSE;

  if (sqlite3_changes (self->db) > 0)
    _cria_chat_info_set_title (info, title);
  return TRUE;
}

gboolean
cria_chat_store_set_chat_pinned (CriaChatStore  *self,
                                 gint64          chat_id,
                                 gboolean        pinned,
                                 GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  CriaChatInfo *info;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);

  if (!ensure_open (self, error) ||
      !(info = lookup_info (self, chat_id, error)) ||
      !(stmt = get_stmt (self, "UPDATE chats SET pinned = ?2 WHERE id = ?1", error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, chat_id);
  sqlite3_bind_int (stmt, 2, !!pinned);
  if (!step_done (self->db, stmt, error))
    return FALSE;

  _cria_chat_info_set_pinned (info, pinned);
  reposition (self, info);
  return TRUE;
}

/**
 * cria_chat_store_set_chat_model:
 * @backend_url: (nullable): the backend's base URL
 * @model: (nullable): the model
 *
 * Remembers which backend and model the chat talks to.
 */
gboolean
cria_chat_store_set_chat_model (CriaChatStore  *self,
                                gint64          chat_id,
                                const char     *backend_url,
                                const char     *model,
                                GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  CriaChatInfo *info;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);

  if (!ensure_open (self, error) ||
      !(info = lookup_info (self, chat_id, error)) ||
      !(stmt = get_stmt (self, "UPDATE chats SET backend_url = ?2, model = ?3 WHERE id = ?1",
                         error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, chat_id);
  sqlite3_bind_text (stmt, 2, backend_url, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, model, -1, SQLITE_STATIC);
  if (!step_done (self->db, stmt, error))
    return FALSE;

  _cria_chat_info_set_model (info, backend_url, model);
  return TRUE;
}

gboolean
cria_chat_store_set_chat_system_prompt (CriaChatStore  *self,
                                        gint64          chat_id,
                                        const char     *system_prompt,
                                        GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  CriaChatInfo *info;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);

  if (!ensure_open (self, error) ||
      !(info = lookup_info (self, chat_id, error)) ||
      !(stmt = get_stmt (self, "UPDATE chats SET system_prompt = ?2 WHERE id = ?1", error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, chat_id);
  sqlite3_bind_text (stmt, 2, system_prompt, -1, SQLITE_STATIC);
  if (!step_done (self->db, stmt, error))
    return FALSE;

  _cria_chat_info_set_system_prompt (info, system_prompt);
  return TRUE;
}

/**
 * cria_chat_store_set_chat_options:
 * @options: (nullable): the options, see #CriaChatInfo:options; %NULL
 *   for none
 *
 * Replaces the chat's request options. The object is copied.
 */
gboolean
cria_chat_store_set_chat_options (CriaChatStore  *self,
                                  gint64          chat_id,
                                  JsonObject     *options,
                                  GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  g_autofree char *options_text = NULL;
  CriaChatInfo *info;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);

  if (!ensure_open (self, error) ||
      !(info = lookup_info (self, chat_id, error)) ||
      !(stmt = get_stmt (self, "UPDATE chats SET options = ?2 WHERE id = ?1", error)))
    return FALSE;

  options_text = options != NULL ? json_object_to_text (options) : g_strdup ("{}");
  sqlite3_bind_int64 (stmt, 1, chat_id);
  sqlite3_bind_text (stmt, 2, options_text, -1, SQLITE_STATIC);
  if (!step_done (self->db, stmt, error))
    return FALSE;

  _cria_chat_info_take_options (info, json_object_from_text (options_text));
  return TRUE;
}

/**
 * cria_chat_store_set_chat_think:
 * @think: whether thinking models think in the chat
 */
gboolean
cria_chat_store_set_chat_think (CriaChatStore  *self,
                                gint64          chat_id,
                                CriaThinkMode   think,
                                GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  CriaChatInfo *info;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);

  if (!ensure_open (self, error) ||
      !(info = lookup_info (self, chat_id, error)) ||
      !(stmt = get_stmt (self, "UPDATE chats SET think = ?2 WHERE id = ?1", error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, chat_id);
  bind_think (stmt, 2, think);
  if (!step_done (self->db, stmt, error))
    return FALSE;

  _cria_chat_info_set_think (info, think);
  return TRUE;
}

static gboolean
set_trashed (CriaChatStore  *self,
             gint64          chat_id,
             gboolean        trashed,
             GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  CriaChatInfo *info;
  guint position;

  if (!ensure_open (self, error) ||
      !(info = lookup_info (self, chat_id, error)))
    return FALSE;

  if (_cria_chat_info_get_trashed (info) == !!trashed)
    return TRUE;

  if (!(stmt = get_stmt (self, "UPDATE chats SET trashed = ?2 WHERE id = ?1", error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, chat_id);
  sqlite3_bind_int (stmt, 2, !!trashed);
  if (!step_done (self->db, stmt, error))
    return FALSE;

  _cria_chat_info_set_trashed (info, trashed);
  if (trashed && list_position (self, info, &position))
    g_list_store_remove (self->chats, position);
  else if (!trashed)
    g_list_store_insert_sorted (self->chats, info, _cria_chat_info_compare, NULL);

  return TRUE;
}

/**
 * cria_chat_store_trash_chat:
 *
 * Hides a chat: it leaves the chats list and search, and stays in the
 * database until cria_chat_store_delete_chat() or the next open deletes
 * it, or cria_chat_store_restore_chat() brings it back (the undo of the
 * "Chat deleted" toast).
 */
gboolean
cria_chat_store_trash_chat (CriaChatStore  *self,
                            gint64          chat_id,
                            GError        **error)
{
  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);

  return set_trashed (self, chat_id, TRUE, error);
}

gboolean
cria_chat_store_restore_chat (CriaChatStore  *self,
                              gint64          chat_id,
                              GError        **error)
{
  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);

  return set_trashed (self, chat_id, FALSE, error);
}

/**
 * cria_chat_store_delete_chat:
 *
 * Deletes a chat, trashed or not, with its messages and images, and stops
 * tracking its replies.
 */
gboolean
cria_chat_store_delete_chat (CriaChatStore  *self,
                             gint64          chat_id,
                             GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  CriaChatInfo *info;
  guint position;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);

  if (!ensure_open (self, error) ||
      !(info = lookup_info (self, chat_id, error)) ||
      !(stmt = get_stmt (self, "DELETE FROM chats WHERE id = ?1", error)))
    return FALSE;

  for (guint i = self->tracked->len; i > 0; i--)
    {
      Tracked *tracked = g_ptr_array_index (self->tracked, i - 1);

      if (tracked->chat_id == chat_id)
        untrack (self, tracked, FALSE);
    }

  sqlite3_bind_int64 (stmt, 1, chat_id);
  if (!step_done (self->db, stmt, error))
    return FALSE;

  if (list_position (self, info, &position))
    g_list_store_remove (self->chats, position);
  g_hash_table_remove (self->infos, &chat_id);

  g_debug ("Deleted chat %" G_GINT64_FORMAT, chat_id);

  return TRUE;
}

/* Messages API */

/**
 * cria_chat_store_append_message:
 *
 * Saves @message, with its images, after the chat's last message, and
 * counts as activity in the chat. The message remembers its id
 * (cria_chat_store_get_message_id()).
 *
 * Returns: the message's id, or 0 on error
 */
gint64
cria_chat_store_append_message (CriaChatStore    *self,
                                gint64            chat_id,
                                CriaChatMessage  *message,
                                GError          **error)
{
  g_autoptr(CachedStmt) next_position = NULL;
  CachedStmt *insert;
  CachedStmt *insert_image;
  CriaChatInfo *info;
  gint64 position;
  gint64 created_at;
  gint64 id;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), 0);
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (message), 0);
  g_return_val_if_fail (cria_chat_store_get_message_id (message) == 0, 0);

  if (!ensure_open (self, error) ||
      !(info = lookup_info (self, chat_id, error)) ||
      !(next_position = get_stmt (self,
                                  "SELECT COALESCE (MAX (position) + 1, 0) FROM messages "
                                  "WHERE chat_id = ?1",
                                  error)) ||
      !(insert = get_stmt (self, INSERT_MESSAGE_SQL, error)) ||
      !(insert_image = get_stmt (self, INSERT_IMAGE_SQL, error)))
    return 0;

  if (!begin (self->db, error))
    return 0;

  sqlite3_bind_int64 (next_position, 1, chat_id);
  if (sqlite3_step (next_position) != SQLITE_ROW)
    {
      set_db_error (error, self->db, "Could not read messages");
      rollback (self->db);
      return 0;
    }
  position = sqlite3_column_int64 (next_position, 0);
  cached_stmt_reset (next_position);

  created_at = store_now (self);
  id = insert_message (self->db, insert, insert_image, chat_id, position, created_at,
                       message, error);
  if (id == 0 || !touch_chat (self, info, error) || !commit (self->db, error))
    {
      rollback (self->db);
      /* The in-memory time may be ahead now; harmless. */
      return 0;
    }

  set_message_row (message, id, created_at, position);
  reposition (self, info);

  return id;
}

static gboolean
write_message (CriaChatStore    *self,
               gint64            id,
               CriaChatMessage  *message,
               GError          **error)
{
  g_autoptr(CachedStmt) stmt = NULL;
  g_autofree char *tool_calls_text = NULL;

  if (!(stmt = get_stmt (self, UPDATE_MESSAGE_SQL, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  bind_message_fields (stmt, message, &tool_calls_text);

  return step_done (self->db, stmt, error);
}

/**
 * cria_chat_store_update_message:
 *
 * Writes again what can change in a saved message: content, thinking,
 * tool calls, state, model, metrics and error. Images are written once, by
 * cria_chat_store_append_message().
 */
gboolean
cria_chat_store_update_message (CriaChatStore    *self,
                                CriaChatMessage  *message,
                                GError          **error)
{
  gint64 id;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (message), FALSE);

  if (!ensure_open (self, error))
    return FALSE;

  id = cria_chat_store_get_message_id (message);
  if (id == 0)
    {
      g_set_error_literal (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_NOT_FOUND,
                           "The message was never saved");
      return FALSE;
    }

  if (!write_message (self, id, message, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_NOT_FOUND,
                   "No message %" G_GINT64_FORMAT, id);
      return FALSE;
    }

  return TRUE;
}

/**
 * cria_chat_store_delete_messages_from:
 * @position: the first message to delete, 0 for the first message
 *
 * Deletes the message at @position and all later ones: editing a message
 * and sending it again replaces what followed it.
 */
gboolean
cria_chat_store_delete_messages_from (CriaChatStore  *self,
                                      gint64          chat_id,
                                      guint           position,
                                      GError        **error)
{
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);

  if (!ensure_open (self, error) ||
      !lookup_info (self, chat_id, error) ||
      !(stmt = get_stmt (self, "DELETE FROM messages WHERE chat_id = ?1 AND position >= ?2",
                         error)))
    return FALSE;

  /* Replies being deleted are not written again. */
  for (guint i = self->tracked->len; i > 0; i--)
    {
      Tracked *tracked = g_ptr_array_index (self->tracked, i - 1);

      if (tracked->chat_id == chat_id &&
          get_message_row (tracked->reply)->position >= position)
        untrack (self, tracked, FALSE);
    }

  sqlite3_bind_int64 (stmt, 1, chat_id);
  sqlite3_bind_int64 (stmt, 2, position);

  return step_done (self->db, stmt, error);
}

/**
 * cria_chat_store_delete_message:
 * @message: a message appended to or loaded from the store
 *
 * Deletes one message, with its images. The later messages of its chat
 * move up one position, so positions stay 0, 1, 2… without a gap.
 */
gboolean
cria_chat_store_delete_message (CriaChatStore    *self,
                                CriaChatMessage  *message,
                                GError          **error)
{
  g_autoptr(CachedStmt) select = NULL;
  g_autoptr(CachedStmt) delete = NULL;
  g_autoptr(CachedStmt) shift = NULL;
  g_autoptr(CachedStmt) unshift = NULL;
  gint64 id;
  gint64 chat_id;
  gint64 position;
  int rc;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), FALSE);
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (message), FALSE);

  if (!ensure_open (self, error))
    return FALSE;

  id = cria_chat_store_get_message_id (message);
  if (id == 0)
    {
      g_set_error_literal (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_NOT_FOUND,
                           "The message was never saved");
      return FALSE;
    }

  /* The positions are UNIQUE per chat and checked row by row: the later
   * messages go to negative positions first, then back one lower. */
  if (!(select = get_stmt (self, "SELECT chat_id, position FROM messages WHERE id = ?1", error)) ||
      !(delete = get_stmt (self, "DELETE FROM messages WHERE id = ?1", error)) ||
      !(shift = get_stmt (self,
                          "UPDATE messages SET position = -position "
                          "WHERE chat_id = ?1 AND position > ?2",
                          error)) ||
      !(unshift = get_stmt (self,
                            "UPDATE messages SET position = -position - 1 "
                            "WHERE chat_id = ?1 AND position < 0",
                            error)))
    return FALSE;

  if (!begin (self->db, error))
    return FALSE;

  sqlite3_bind_int64 (select, 1, id);
  rc = sqlite3_step (select);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_NOT_FOUND,
                     "No message %" G_GINT64_FORMAT, id);
      else
        set_db_error (error, self->db, "Could not read a message");
      rollback (self->db);
      return FALSE;
    }
  chat_id = sqlite3_column_int64 (select, 0);
  position = sqlite3_column_int64 (select, 1);
  cached_stmt_reset (select);

  sqlite3_bind_int64 (delete, 1, id);
  sqlite3_bind_int64 (shift, 1, chat_id);
  sqlite3_bind_int64 (shift, 2, position);
  sqlite3_bind_int64 (unshift, 1, chat_id);
  if (!step_done (self->db, delete, error) ||
      !step_done (self->db, shift, error) ||
      !step_done (self->db, unshift, error))
    {
      rollback (self->db);
      return FALSE;
    }
  /* Reset before the commit: a statement still running holds the read */
  cached_stmt_reset (delete);
  cached_stmt_reset (shift);
  cached_stmt_reset (unshift);
  if (!commit (self->db, error))
    {
      rollback (self->db);
      return FALSE;
    }

  for (guint i = self->tracked->len; i > 0; i--)
    {
      Tracked *tracked = g_ptr_array_index (self->tracked, i - 1);
      MessageRow *row = (MessageRow *) get_message_row (tracked->reply);

      if (tracked->reply == message)
        untrack (self, tracked, FALSE);
      else if (tracked->chat_id == chat_id && row->position > position)
        row->position--;
    }
  g_object_set_qdata (G_OBJECT (message), message_row_quark (), NULL);

  g_debug ("Deleted message %" G_GINT64_FORMAT " of chat %" G_GINT64_FORMAT, id, chat_id);

  return TRUE;
}

/**
 * cria_chat_store_load_messages:
 *
 * Loads a chat's messages in order, each with its id. One pass over the
 * messages and one over their images.
 *
 * Returns: (transfer container) (element-type CriaChatMessage): the
 *   messages, or %NULL on error
 */
GPtrArray *
cria_chat_store_load_messages (CriaChatStore  *self,
                               gint64          chat_id,
                               GError        **error)
{
  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), NULL);

  if (!ensure_open (self, error) || !lookup_info (self, chat_id, error))
    return NULL;

  return load_messages (self->db, chat_id, error);
}

/* Streamed replies */

static void
tracked_free (Tracked *tracked)
{
  if (tracked->timeout != NULL)
    {
      g_source_destroy (tracked->timeout);
      g_clear_pointer (&tracked->timeout, g_source_unref);
    }
  g_clear_signal_handler (&tracked->notify_id, tracked->reply);
  g_clear_object (&tracked->reply);
  g_clear_pointer (&tracked->context, g_main_context_unref);
  g_free (tracked);
}

static void
tracked_write (Tracked *tracked)
{
  CriaChatStore *self = tracked->store;
  g_autoptr(GError) error = NULL;

  tracked->dirty = FALSE;
  self->n_reply_writes++;

  if (!write_message (self, cria_chat_store_get_message_id (tracked->reply),
                      tracked->reply, &error))
    g_warning ("Could not save reply %" G_GINT64_FORMAT ": %s",
               cria_chat_store_get_message_id (tracked->reply), error->message);
}

/* Stops tracking, writing the reply first when @write. Frees @tracked. */
static void
untrack (CriaChatStore *self,
         Tracked       *tracked,
         gboolean       write)
{
  if (write && self->db != NULL)
    tracked_write (tracked);

  g_debug ("Stopped tracking reply %" G_GINT64_FORMAT " after %" G_GSIZE_FORMAT " bytes",
           cria_chat_store_get_message_id (tracked->reply),
           cria_chat_message_get_content_length (tracked->reply));

  g_ptr_array_remove_fast (self->tracked, tracked);
}

static gboolean
tracked_timeout_cb (gpointer user_data)
{
  Tracked *tracked = user_data;

  g_clear_pointer (&tracked->timeout, g_source_unref);
  if (tracked->dirty)
    tracked_write (tracked);

  return G_SOURCE_REMOVE;
}

static void
tracked_notify_cb (CriaChatMessage *reply,
                   GParamSpec      *pspec,
                   Tracked         *tracked)
{
  CriaChatStore *self = tracked->store;

  if (cria_chat_message_get_state (reply) != CRIA_MESSAGE_STATE_STREAMING)
    {
      CriaChatInfo *info = g_hash_table_lookup (self->infos, &tracked->chat_id);
      g_autoptr(GError) error = NULL;

      untrack (self, tracked, TRUE);
      if (info != NULL)
        {
          if (touch_chat (self, info, &error))
            reposition (self, info);
          else
            g_warning ("Could not update chat: %s", error->message);
        }
      return;
    }

  tracked->dirty = TRUE;
  if (tracked->timeout != NULL)
    return;

  /* A throttle, not a debounce: a reply streaming without a pause is
   * still written every interval. */
  tracked->timeout = g_timeout_source_new (CRIA_CHAT_STORE_SAVE_INTERVAL_MS);
  g_source_set_callback (tracked->timeout, tracked_timeout_cb, tracked, NULL);
  g_source_set_static_name (tracked->timeout, "[cria] save streamed reply");
  g_source_attach (tracked->timeout, tracked->context);
}

/**
 * cria_chat_store_track_reply:
 * @reply: a reply in state %CRIA_MESSAGE_STATE_STREAMING
 *
 * Saves a reply while it streams: appends it now (unless it was saved
 * already), then writes its text at most every
 * CRIA_CHAT_STORE_SAVE_INTERVAL_MS while it grows, on a timer of the
 * thread-default main context, and once more when it leaves the streaming
 * state, when tracking ends. A crash loses at most one interval of text,
 * and the next open marks the reply incomplete.
 *
 * A reply that is not streaming is saved and not tracked.
 *
 * Returns: the reply's id, or 0 on error
 */
gint64
cria_chat_store_track_reply (CriaChatStore    *self,
                             gint64            chat_id,
                             CriaChatMessage  *reply,
                             GError          **error)
{
  Tracked *tracked;
  gint64 id;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), 0);
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (reply), 0);

  id = cria_chat_store_get_message_id (reply);
  if (id == 0)
    id = cria_chat_store_append_message (self, chat_id, reply, error);
  else if (!cria_chat_store_update_message (self, reply, error))
    return 0;
  if (id == 0)
    return 0;

  if (cria_chat_message_get_state (reply) != CRIA_MESSAGE_STATE_STREAMING)
    return id;

  for (guint i = 0; i < self->tracked->len; i++)
    {
      tracked = g_ptr_array_index (self->tracked, i);
      if (tracked->reply == reply)
        return id;
    }

  tracked = g_new0 (Tracked, 1);
  tracked->store = self;
  tracked->reply = g_object_ref (reply);
  tracked->chat_id = chat_id;
  tracked->context = g_main_context_ref_thread_default ();
  tracked->notify_id = g_signal_connect (reply, "notify",
                                         G_CALLBACK (tracked_notify_cb), tracked);
  g_ptr_array_add (self->tracked, tracked);

  g_debug ("Tracking reply %" G_GINT64_FORMAT " of chat %" G_GINT64_FORMAT, id, chat_id);

  return id;
}

guint
_cria_chat_store_get_n_reply_writes (CriaChatStore *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), 0);

  return self->n_reply_writes;
}

/* Search */

static guint
count_word_characters (const char *word)
{
  guint n = 0;

  for (const char *p = word; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (g_unichar_isalnum (g_utf8_get_char (p)))
        n++;
    }

  return n;
}

char *
_cria_chat_store_build_fts_query (const char *text)
{
  g_auto(GStrv) words = NULL;
  g_autoptr(GString) query = NULL;
  guint last_length = 0;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;

  words = g_strsplit_set (text, " \t\r\n", -1);
  query = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      guint length = count_word_characters (words[i]);

      if (length == 0)
        continue;

      if (query->len > 0)
        g_string_append_c (query, ' ');

      last_length = length;
      g_string_append_c (query, '"');
      for (const char *p = words[i]; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (query, '"');
          g_string_append_c (query, *p);
        }
      g_string_append_c (query, '"');
    }

  if (query->len == 0)
    return NULL;

  /* Search as you type: the last word may be unfinished, unless a space
   * followed it. Shorter than the prefix index it would match too much to
   * be useful, or fast. */
  if (last_length >= 3 && !g_ascii_isspace (text[strlen (text) - 1]))
    g_string_append_c (query, '*');

  return g_string_free (g_steal_pointer (&query), FALSE);
}

#define MARK_START '\001'
#define MARK_END   '\002'

/* Turns FTS5 marked text into plain text with match offsets, folding
 * runs of white space into one space so the snippet fits on one line. */
static void
parse_marked_text (const char  *marked,
                   char       **text,
                   GArray     **matches)
{
  GString *out = g_string_sized_new (strlen (marked));
  GArray *found = g_array_new (FALSE, FALSE, sizeof (CriaChatSearchMatch));
  gsize start = 0;
  gboolean inside = FALSE;

  for (const char *p = marked; *p != '\0'; p++)
    {
      char c = *p;

      if (c == MARK_START)
        {
          start = out->len;
          inside = TRUE;
          continue;
        }

      if (c == MARK_END)
        {
          if (inside && out->len > start)
            {
              CriaChatSearchMatch match = { start, out->len - start };

              g_array_append_val (found, match);
            }
          inside = FALSE;
          continue;
        }

      if (c == '\n' || c == '\r' || c == '\t')
        c = ' ';
      if (c == ' ' && (out->len == 0 || out->str[out->len - 1] == ' '))
        continue;

      g_string_append_c (out, c);
    }

  if (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);

  *text = g_string_free (out, FALSE);
  *matches = found;
}

static int
progress_cb (void *user_data)
{
  return g_cancellable_is_cancelled (user_data) ? 1 : 0;
}

typedef struct
{
  gint64 rowid;
  double score;
} Candidate;

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *x = a;
  const Candidate *y = b;

  /* bm25 () is lower for better matches; then the newer first. */
  if (x->score != y->score)
    return x->score < y->score ? -1 : 1;
  return (x->rowid < y->rowid) - (x->rowid > y->rowid);
}

static gboolean
search_failed (sqlite3  *db,
               int       rc,
               GError  **error)
{
  if ((rc & 0xff) == SQLITE_INTERRUPT)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The search was cancelled");
  else
    set_db_error (error, db, "Could not search");

  return FALSE;
}

static gboolean
search_titles (sqlite3     *db,
               const char  *query,
               guint        limit,
               GPtrArray   *results,
               GError     **error)
{
  g_autoptr(OwnedStmt) stmt = NULL;
  int rc;

  /* There are few chats: rank all the matches. */
  if (!(stmt = prepare (db,
                        "SELECT c.id, highlight (chats_fts, 0, char (1), char (2)) "
                        "FROM chats_fts JOIN chats c ON c.id = chats_fts.rowid "
                        "WHERE chats_fts MATCH ?1 AND c.trashed = 0 ORDER BY rank LIMIT ?2",
                        error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, query, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, limit);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CriaChatSearchResult *result = g_new0 (CriaChatSearchResult, 1);

      result->chat_id = sqlite3_column_int64 (stmt, 0);
      result->position = -1;
      parse_marked_text (column_text (stmt, 1) != NULL ? column_text (stmt, 1) : "",
                         &result->snippet, &result->matches);
      g_ptr_array_add (results, result);
    }

  return rc == SQLITE_DONE || search_failed (db, rc, error);
}

/* Ranking every match of a common word costs a few µs a match; over a
 * long history that is tens of milliseconds. So the matches are ranked
 * within the newest SEARCH_RANK_WINDOW of them: a rare word is ranked
 * over the whole history, a common one over recent chats. */
#define SEARCH_RANK_WINDOW 4096

typedef struct
{
  gint64  rowid;
  gint64  chat_id;
  gint    position;
} Picked;

static gboolean
search_messages (sqlite3     *db,
                 const char  *query,
                 guint        limit,
                 GPtrArray   *results,
                 GError     **error)
{
  g_autoptr(OwnedStmt) candidates_stmt = NULL;
  g_autoptr(OwnedStmt) row_stmt = NULL;
  g_autoptr(OwnedStmt) snippet_stmt = NULL;
  g_autoptr(GArray) candidates = NULL;
  g_autoptr(GArray) picked = NULL;
  g_autoptr(GHashTable) snippets = NULL;
  g_autoptr(GString) sql = NULL;
  gint64 oldest = G_MAXINT64;
  int rc;

  if (!(candidates_stmt = prepare (db,
                                   "SELECT rowid, bm25 (messages_fts) FROM messages_fts "
                                   "WHERE messages_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
                                   error)) ||
      !(row_stmt = prepare (db,
                            "SELECT m.chat_id, m.position, c.trashed FROM messages m "
                            "JOIN chats c ON c.id = m.chat_id WHERE m.id = ?1",
                            error)))
    return FALSE;

  /* The newest matches, with their scores; no text read yet. */
  candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  sqlite3_bind_text (candidates_stmt, 1, query, -1, SQLITE_STATIC);
  sqlite3_bind_int (candidates_stmt, 2, SEARCH_RANK_WINDOW);
  while ((rc = sqlite3_step (candidates_stmt)) == SQLITE_ROW)
    {
      Candidate candidate = {
        sqlite3_column_int64 (candidates_stmt, 0),
        sqlite3_column_double (candidates_stmt, 1),
      };

      g_array_append_val (candidates, candidate);
    }
  if (rc != SQLITE_DONE)
    return search_failed (db, rc, error);

  g_array_sort (candidates, compare_candidates);

  /* The best ones, skipping trashed chats. */
  picked = g_array_new (FALSE, FALSE, sizeof (Picked));
  for (guint i = 0; i < candidates->len && picked->len < limit; i++)
    {
      const Candidate *candidate = &g_array_index (candidates, Candidate, i);
      Picked pick;

      sqlite3_reset (row_stmt);
      sqlite3_bind_int64 (row_stmt, 1, candidate->rowid);
      rc = sqlite3_step (row_stmt);
      if (rc == SQLITE_DONE)
        continue;
      if (rc != SQLITE_ROW)
        return search_failed (db, rc, error);
      if (sqlite3_column_int (row_stmt, 2) != 0)
        continue;

      pick.rowid = candidate->rowid;
      pick.chat_id = sqlite3_column_int64 (row_stmt, 0);
      pick.position = sqlite3_column_int (row_stmt, 1);
      g_array_append_val (picked, pick);
      oldest = MIN (oldest, pick.rowid);
    }

  if (picked->len == 0)
    return TRUE;

  /* Their snippets, in one more pass over the window: looking each one up
   * by rowid would expand a prefix query again for every row. */
  sql = g_string_new ("SELECT rowid, CASE WHEN rowid IN (");
  for (guint i = 0; i < picked->len; i++)
    g_string_append_printf (sql, "%s?%u", i > 0 ? ", " : "", i + 3);
  g_string_append (sql,
                   ") THEN snippet (messages_fts, 0, char (1), char (2), '…', 16) END "
                   "FROM messages_fts WHERE messages_fts MATCH ?1 AND rowid >= ?2");

  if (!(snippet_stmt = prepare (db, sql->str, error)))
    return FALSE;

  sqlite3_bind_text (snippet_stmt, 1, query, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (snippet_stmt, 2, oldest);
  for (guint i = 0; i < picked->len; i++)
    sqlite3_bind_int64 (snippet_stmt, i + 3, g_array_index (picked, Picked, i).rowid);

  snippets = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  while ((rc = sqlite3_step (snippet_stmt)) == SQLITE_ROW)
    {
      gint64 *key;

      if (sqlite3_column_type (snippet_stmt, 1) == SQLITE_NULL)
        continue;

      key = g_new (gint64, 1);
      *key = sqlite3_column_int64 (snippet_stmt, 0);
      g_hash_table_insert (snippets, key, g_strdup (column_text (snippet_stmt, 1)));
    }
  if (rc != SQLITE_DONE)
    return search_failed (db, rc, error);

  for (guint i = 0; i < picked->len; i++)
    {
      const Picked *pick = &g_array_index (picked, Picked, i);
      CriaChatSearchResult *result = g_new0 (CriaChatSearchResult, 1);
      const char *marked = g_hash_table_lookup (snippets, &pick->rowid);

      result->chat_id = pick->chat_id;
      result->message_id = pick->rowid;
      result->position = pick->position;
      parse_marked_text (marked != NULL ? marked : "", &result->snippet, &result->matches);
      g_ptr_array_add (results, result);
    }

  return TRUE;
}

static GPtrArray *
search_db (sqlite3       *db,
           const char    *text,
           guint          limit,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *query = NULL;
  gboolean ok;

  results = g_ptr_array_new_with_free_func ((GDestroyNotify) cria_chat_search_result_free);

  query = _cria_chat_store_build_fts_query (text);
  if (query == NULL || limit == 0)
    return g_steal_pointer (&results);

  if (cancellable != NULL)
    sqlite3_progress_handler (db, 1000, progress_cb, cancellable);

  ok = search_titles (db, query, limit, results, error) &&
       (results->len >= limit ||
        search_messages (db, query, limit - results->len, results, error));

  if (cancellable != NULL)
    sqlite3_progress_handler (db, 0, NULL, NULL);

  if (!ok)
    return NULL;

  return g_steal_pointer (&results);
}

/**
 * cria_chat_store_search:
 * @text: what the user typed: words, all of which must match, without
 *   case or accents; the last one also as a prefix when it has three
 *   letters or more and no space follows it. No query syntax: quotes,
 *   `AND`, `*` and the like are text.
 * @limit: the most results to return
 *
 * Searches chat titles and message text on the main thread. The UI should
 * prefer cria_chat_store_search_async().
 *
 * Returns: (transfer container) (element-type CriaChatSearchResult): the
 *   results, title matches first, then messages best first; %NULL on error
 */
GPtrArray *
cria_chat_store_search (CriaChatStore  *self,
                        const char     *text,
                        guint           limit,
                        GError        **error)
{
  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  if (!ensure_open (self, error))
    return NULL;

  return search_db (self->db, text, limit, NULL, error);
}

/* A connection for a worker thread. */
static sqlite3 *
open_worker_db (const char  *path,
                gboolean     writable,
                GError     **error)
{
  g_autoptr(sqlite3) db = NULL;
  int flags = writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;

  if (sqlite3_open_v2 (path, &db, flags, NULL) != SQLITE_OK)
    {
      if (db != NULL)
        set_db_error (error, db, "Could not open the chat store");
      else
        g_set_error_literal (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_FAILED,
                             "Could not open the chat store");
      return NULL;
    }

  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);

  if (writable &&
      (!exec_sql (db, "PRAGMA foreign_keys = ON", error) ||
       !exec_sql (db, "PRAGMA synchronous = NORMAL", error)))
    return NULL;

  return g_steal_pointer (&db);
}

typedef struct
{
  char   *path;
  char   *text;
  guint   limit;
  gint64  chat_id;
  GBytes *bytes;
  CriaChatExportFormat format;
} WorkData;

static void
work_data_free (WorkData *data)
{
  g_free (data->path);
  g_free (data->text);
  g_clear_pointer (&data->bytes, g_bytes_unref);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WorkData, work_data_free)

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  WorkData *data = task_data;
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *results;

  if (!(db = open_worker_db (data->path, FALSE, &error)) ||
      !(results = search_db (db, data->text, data->limit, cancellable, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * cria_chat_store_search_async:
 *
 * Like cria_chat_store_search(), in a thread with a connection of its own.
 * Cancelling interrupts the query.
 */
void
cria_chat_store_search_async (CriaChatStore       *self,
                              const char          *text,
                              guint                limit,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  WorkData *data;

  g_return_if_fail (CRIA_IS_CHAT_STORE (self));
  g_return_if_fail (text != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_chat_store_search_async);

  if (!ensure_open (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_new0 (WorkData, 1);
  data->path = g_strdup (self->path);
  data->text = g_strdup (text);
  data->limit = limit;
  g_task_set_task_data (task, data, (GDestroyNotify) work_data_free);

  g_task_run_in_thread (task, search_thread);
}

/**
 * cria_chat_store_search_finish:
 *
 * Returns: (transfer container) (element-type CriaChatSearchResult): the
 *   results, or %NULL on error
 */
GPtrArray *
cria_chat_store_search_finish (CriaChatStore  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Export */

static char *
format_time (gint64 usec)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) precise = NULL;

  if (time == NULL)
    return NULL;

  precise = g_date_time_add (time, usec % G_USEC_PER_SEC);
  return g_date_time_format_iso8601 (precise);
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_time_member (JsonBuilder *builder,
                 const char  *name,
                 gint64       usec)
{
  g_autofree char *text = format_time (usec);

  add_string_member (builder, name, text);
}

static void
add_message_json (JsonBuilder     *builder,
                  CriaChatMessage *message)
{
  const CriaChatMetrics *metrics = cria_chat_message_get_metrics (message);
  const GError *error = cria_chat_message_get_error (message);
  GPtrArray *images = cria_chat_message_get_images (message);
  JsonArray *tool_calls = cria_chat_message_get_tool_calls (message);

  json_builder_begin_object (builder);

  add_string_member (builder, "role", role_to_string (cria_chat_message_get_role (message)));
  add_string_member (builder, "content", cria_chat_message_get_content (message));
  if (cria_chat_message_get_thinking_length (message) > 0)
    add_string_member (builder, "thinking", cria_chat_message_get_thinking (message));

  if (images != NULL && images->len > 0)
    {
      json_builder_set_member_name (builder, "images");
      json_builder_begin_array (builder);
      for (guint i = 0; i < images->len; i++)
        {
          gsize size;
          gconstpointer bytes = g_bytes_get_data (g_ptr_array_index (images, i), &size);
          g_autofree char *encoded = g_base64_encode (bytes, size);

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

  add_string_member (builder, "state", state_to_string (cria_chat_message_get_state (message)));
  add_string_member (builder, "model", cria_chat_message_get_model (message));
  add_time_member (builder, "created_at", cria_chat_store_get_message_created_at (message));

  if (metrics != NULL)
    {
      json_builder_set_member_name (builder, "metrics");
      json_builder_begin_object (builder);
      add_string_member (builder, "done_reason", metrics->done_reason);
#define ADD_INT(field)                                   \
      json_builder_set_member_name (builder, #field);    \
      json_builder_add_int_value (builder, metrics->field);
      ADD_INT (total_duration);
      ADD_INT (load_duration);
      ADD_INT (prompt_eval_count);
      ADD_INT (prompt_eval_duration);
      ADD_INT (eval_count);
      ADD_INT (eval_duration);
#undef ADD_INT
      json_builder_end_object (builder);
    }

  if (error != NULL)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
      add_string_member (builder, "domain", g_quark_to_string (error->domain));
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, error->code);
      add_string_member (builder, "message", error->message);
      json_builder_end_object (builder);
    }

  json_builder_end_object (builder);
}

typedef struct
{
  char       *title;
  char       *backend_url;
  char       *model;
  char       *system_prompt;
  JsonObject *options;
  gboolean    pinned;
  gint64      created_at;
  gint64      updated_at;
} ChatRow;

static void
chat_row_clear (ChatRow *row)
{
  g_clear_pointer (&row->title, g_free);
  g_clear_pointer (&row->backend_url, g_free);
  g_clear_pointer (&row->model, g_free);
  g_clear_pointer (&row->system_prompt, g_free);
  g_clear_pointer (&row->options, json_object_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChatRow, chat_row_clear)

static gboolean
read_chat_row (sqlite3  *db,
               gint64    chat_id,
               ChatRow  *row,
               GError  **error)
{
  g_autoptr(OwnedStmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (db, SELECT_CHAT_SQL " WHERE id = ?1", error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, chat_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_NOT_FOUND,
                   "No chat %" G_GINT64_FORMAT, chat_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return set_db_error (error, db, "Could not read the chat");

  row->title = g_strdup (column_text (stmt, 1));
  row->backend_url = g_strdup (column_text (stmt, 2));
  row->model = g_strdup (column_text (stmt, 3));
  row->system_prompt = g_strdup (column_text (stmt, 4));
  row->options = json_object_from_text (column_text (stmt, 5));
  row->pinned = sqlite3_column_int (stmt, 6) != 0;
  row->created_at = sqlite3_column_int64 (stmt, 8);
  row->updated_at = sqlite3_column_int64 (stmt, 9);

  return TRUE;
}

static GBytes *
export_json (ChatRow   *chat,
             GPtrArray *messages)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonNode *options;
  gsize length;
  char *text;

  json_builder_begin_object (builder);

  add_string_member (builder, "format", EXPORT_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, EXPORT_VERSION);
  add_string_member (builder, "generator", PACKAGE_NAME " " PACKAGE_VERSION);

  add_string_member (builder, "title", chat->title);
  add_string_member (builder, "backend_url", chat->backend_url);
  add_string_member (builder, "model", chat->model);
  add_string_member (builder, "system_prompt", chat->system_prompt);

  options = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (options, chat->options);
  json_builder_set_member_name (builder, "options");
  json_builder_add_value (builder, options);

  json_builder_set_member_name (builder, "pinned");
  json_builder_add_boolean_value (builder, chat->pinned);
  add_time_member (builder, "created_at", chat->created_at);
  add_time_member (builder, "updated_at", chat->updated_at);

  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < messages->len; i++)
    add_message_json (builder, g_ptr_array_index (messages, i));
  json_builder_end_array (builder);

  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, &length);

  return g_bytes_new_take (text, length);
}

static const char *
role_heading (CriaMessageRole role)
{
  switch (role)
    {
    case CRIA_MESSAGE_ROLE_USER:
      return "User";

    case CRIA_MESSAGE_ROLE_ASSISTANT:
      return "Assistant";

    case CRIA_MESSAGE_ROLE_SYSTEM:
      return "System";

    case CRIA_MESSAGE_ROLE_TOOL:
      return "Tool";

    default:
      return "Message";
    }
}

/* One line: a title must not break the heading it is in. */
static void
append_one_line (GString    *out,
                 const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    g_string_append_c (out, (*p == '\n' || *p == '\r') ? ' ' : *p);
}

static GBytes *
export_markdown (ChatRow   *chat,
                 GPtrArray *messages)
{
  GString *out = g_string_new ("# ");
  gsize length;

  if (chat->title != NULL && chat->title[0] != '\0')
    append_one_line (out, chat->title);
  else
    g_string_append (out, "Untitled chat");
  g_string_append (out, "\n\n");

  if (chat->model != NULL)
    g_string_append_printf (out, "Model: `%s`\n\n", chat->model);

  if (chat->system_prompt != NULL && chat->system_prompt[0] != '\0')
    g_string_append_printf (out, "## System prompt\n\n%s\n\n", chat->system_prompt);

  for (guint i = 0; i < messages->len; i++)
    {
      CriaChatMessage *message = g_ptr_array_index (messages, i);
      CriaMessageRole role = cria_chat_message_get_role (message);
      CriaMessageState state = cria_chat_message_get_state (message);
      GPtrArray *images = cria_chat_message_get_images (message);
      const char *content = cria_chat_message_get_content (message);

      g_string_append_printf (out, "## %s", role_heading (role));
      if (role == CRIA_MESSAGE_ROLE_ASSISTANT && cria_chat_message_get_model (message) != NULL)
        g_string_append_printf (out, " (%s)", cria_chat_message_get_model (message));
      g_string_append (out, "\n\n");

      if (cria_chat_message_get_thinking_length (message) > 0)
        g_string_append_printf (out,
                                "<details>\n<summary>Thinking</summary>\n\n%s\n\n</details>\n\n",
                                cria_chat_message_get_thinking (message));

      if (content[0] != '\0')
        {
          g_string_append (out, content);
          /* Close what the text left open, so the next heading is one. */
          if (!g_str_has_suffix (content, "\n"))
            g_string_append_c (out, '\n');
          g_string_append_c (out, '\n');
        }

      if (images != NULL && images->len > 0)
        g_string_append_printf (out, "*%u image%s attached*\n\n",
                                images->len, images->len == 1 ? "" : "s");

      if (state == CRIA_MESSAGE_STATE_INCOMPLETE || state == CRIA_MESSAGE_STATE_STREAMING)
        g_string_append (out, "*This reply is incomplete.*\n\n");
      else if (state == CRIA_MESSAGE_STATE_ERROR)
        g_string_append (out, "*This reply failed.*\n\n");
    }

  /* One trailing newline. */
  while (out->len > 1 && out->str[out->len - 1] == '\n' && out->str[out->len - 2] == '\n')
    g_string_truncate (out, out->len - 1);

  length = out->len;
  return g_bytes_new_take (g_string_free (out, FALSE), length);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  WorkData *data = task_data;
  g_auto(ChatRow) chat = { 0 };
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  GBytes *bytes = NULL;

  if (!(db = open_worker_db (data->path, FALSE, &error)) ||
      !exec_sql (db, "BEGIN", &error) ||
      !read_chat_row (db, data->chat_id, &chat, &error) ||
      !(messages = load_messages (db, data->chat_id, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  rollback (db);

  if (g_task_return_error_if_cancelled (task))
    return;

  switch (data->format)
    {
    case CRIA_CHAT_EXPORT_FORMAT_MARKDOWN:
      bytes = export_markdown (&chat, messages);
      break;

    case CRIA_CHAT_EXPORT_FORMAT_JSON:
      bytes = export_json (&chat, messages);
      break;

    default:
      g_assert_not_reached ();
    }

  g_debug ("Exported chat %" G_GINT64_FORMAT ": %u messages, %" G_GSIZE_FORMAT " bytes",
           data->chat_id, messages->len, g_bytes_get_size (bytes));

  g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

/**
 * cria_chat_store_export_async:
 *
 * Exports a chat, in a thread. JSON exports are the `cria-chat` format:
 *
 * |[
 * {
 *   "format": "cria-chat", "version": 1, "generator": "cria 0.1.0",
 *   "title": "…", "backend_url": "http://…" | null, "model": "…" | null,
 *   "system_prompt": "…" | null, "options": { … }, "pinned": false,
 *   "created_at": "2025-01-31T12:00:00.123456Z", "updated_at": "…",
 *   "messages": [
 *     { "role": "user" | "assistant" | "system" | "tool",
 *       "content": "…", "thinking": "…" (optional),
 *       "images": ["<base64>", …] (optional), "tool_calls": [ … ] (optional),
 *       "state": "complete" | "streaming" | "incomplete" | "error",
 *       "model": "…" | null, "created_at": "<ISO 8601>",
 *       "metrics": { "done_reason", "total_duration", "load_duration",
 *                    "prompt_eval_count", "prompt_eval_duration",
 *                    "eval_count", "eval_duration" } (optional),
 *       "error": { "domain", "code", "message" } (optional) }
 *   ]
 * }
 * ]|
 *
 * Durations are nanoseconds, as Ollama reports them.
 */
void
cria_chat_store_export_async (CriaChatStore        *self,
                              gint64                chat_id,
                              CriaChatExportFormat  format,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  WorkData *data;
  Tracked *tracked;

  g_return_if_fail (CRIA_IS_CHAT_STORE (self));
  g_return_if_fail (format == CRIA_CHAT_EXPORT_FORMAT_MARKDOWN ||
                    format == CRIA_CHAT_EXPORT_FORMAT_JSON);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_chat_store_export_async);

  if (!ensure_open (self, &error) || !lookup_info (self, chat_id, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The export should hold what the user sees. */
  for (guint i = 0; i < self->tracked->len; i++)
    {
      tracked = g_ptr_array_index (self->tracked, i);
      if (tracked->chat_id == chat_id && tracked->dirty)
        tracked_write (tracked);
    }

  data = g_new0 (WorkData, 1);
  data->path = g_strdup (self->path);
  data->chat_id = chat_id;
  data->format = format;
  g_task_set_task_data (task, data, (GDestroyNotify) work_data_free);

  g_task_run_in_thread (task, export_thread);
}

/**
 * cria_chat_store_export_finish:
 *
 * Returns: (transfer full): the UTF-8 text of the export, or %NULL on error
 */
GBytes *
cria_chat_store_export_finish (CriaChatStore  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Import: the file is untrusted. Everything is checked before anything is
 * written, and everything is written in one transaction. */

static gboolean
invalid (GError     **error,
         const char  *where,
         const char  *what)
{
  g_set_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_INVALID_DATA,
               "Not a valid Cria chat export: %s %s", where, what);
  return FALSE;
}

/* A member of @object that must be of @type (JSON_NODE_VALUE members
 * further of @value_type) when present; *@node is NULL when absent or
 * null and @nullable. */
static gboolean
get_member (JsonObject    *object,
            const char    *name,
            JsonNodeType   type,
            GType          value_type,
            gboolean       required,
            const char    *where,
            JsonNode     **node,
            GError       **error)
{
  g_autofree char *path = g_strdup_printf ("%s.%s", where, name);
  JsonNode *member = json_object_get_member (object, name);

  *node = NULL;

  if (member == NULL || JSON_NODE_HOLDS_NULL (member))
    {
      if (required)
        return invalid (error, path, "is missing");
      return TRUE;
    }

  if (json_node_get_node_type (member) != type)
    return invalid (error, path, "has the wrong type");

  if (type == JSON_NODE_VALUE && value_type != G_TYPE_INVALID)
    {
      GType actual = json_node_get_value_type (member);

      /* 1.0 where an integer is expected is fine, 1.5 is not. */
      if (value_type == G_TYPE_INT64 && actual == G_TYPE_DOUBLE)
        {
          double d = json_node_get_double (member);

          if (!(d >= (double) G_MININT64 && d <= (double) G_MAXINT64) ||
              d != (double) (gint64) d)
            return invalid (error, path, "is not an integer");
        }
      else if (actual != value_type)
        return invalid (error, path, "has the wrong type");
    }

  *node = member;
  return TRUE;
}

static gboolean
get_string (JsonObject  *object,
            const char  *name,
            gboolean     required,
            const char  *where,
            const char **value,
            GError     **error)
{
  JsonNode *node;

  if (!get_member (object, name, JSON_NODE_VALUE, G_TYPE_STRING, required, where, &node, error))
    return FALSE;

  *value = node != NULL ? json_node_get_string (node) : NULL;
  return TRUE;
}

static gboolean
get_int (JsonObject  *object,
         const char  *name,
         gboolean     required,
         const char  *where,
         gint64      *value,
         GError     **error)
{
  JsonNode *node;

  if (!get_member (object, name, JSON_NODE_VALUE, G_TYPE_INT64, required, where, &node, error))
    return FALSE;

  if (node == NULL)
    *value = 0;
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    *value = (gint64) json_node_get_double (node);
  else
    *value = json_node_get_int (node);

  return TRUE;
}

static gboolean
get_time (JsonObject  *object,
          const char  *name,
          const char  *where,
          gint64       fallback,
          gint64      *value,
          GError     **error)
{
  g_autoptr(GDateTime) time = NULL;
  const char *text;

  if (!get_string (object, name, FALSE, where, &text, error))
    return FALSE;

  if (text == NULL)
    {
      *value = fallback;
      return TRUE;
    }

  time = g_date_time_new_from_iso8601 (text, NULL);
  if (time == NULL)
    {
      g_autofree char *path = g_strdup_printf ("%s.%s", where, name);

      return invalid (error, path, "is not an ISO 8601 time");
    }

  *value = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

static gboolean
is_base64 (const char *text)
{
  gsize length = strlen (text);
  gsize padding = 0;

  if (length % 4 != 0)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == '=')
        {
          if (i < length - 2)
            return FALSE;
          padding++;
        }
      else if (padding > 0 ||
               !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return FALSE;
    }

  return TRUE;
}

typedef struct
{
  CriaChatMessage *message;
  gint64           created_at;
} ImportedMessage;

static void
imported_message_clear (ImportedMessage *imported)
{
  g_clear_object (&imported->message);
}

static gboolean
parse_message (JsonNode         *node,
               guint             index,
               gint64            fallback_time,
               ImportedMessage  *imported,
               GError          **error)
{
  g_autofree char *where = g_strdup_printf ("messages[%u]", index);
  g_autoptr(CriaChatMessage) message = NULL;
  JsonObject *object;
  JsonNode *member;
  const char *role_text;
  const char *content;
  const char *thinking;
  const char *state_text;
  const char *model;
  guint role = CRIA_MESSAGE_ROLE_USER;
  guint state = CRIA_MESSAGE_STATE_COMPLETE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, where, "is not an object");
  object = json_node_get_object (node);

  if (!get_string (object, "role", TRUE, where, &role_text, error) ||
      !get_string (object, "content", TRUE, where, &content, error) ||
      !get_string (object, "thinking", FALSE, where, &thinking, error) ||
      !get_string (object, "state", FALSE, where, &state_text, error) ||
      !get_string (object, "model", FALSE, where, &model, error) ||
      !get_time (object, "created_at", where, fallback_time, &imported->created_at, error))
    return FALSE;

  if (!name_to_index (role_names, G_N_ELEMENTS (role_names), role_text, &role))
    {
      g_autofree char *path = g_strconcat (where, ".role", NULL);

      return invalid (error, path, "is not user, assistant, system or tool");
    }

  if (state_text != NULL &&
      !name_to_index (state_names, G_N_ELEMENTS (state_names), state_text, &state))
    {
      g_autofree char *path = g_strconcat (where, ".state", NULL);

      return invalid (error, path, "is not a known state");
    }
  /* Nothing streams into an imported chat. */
  if (state == CRIA_MESSAGE_STATE_STREAMING)
    state = CRIA_MESSAGE_STATE_INCOMPLETE;

  message = g_object_new (CRIA_TYPE_CHAT_MESSAGE,
                          "role", role,
                          "content", content,
                          "state", state,
                          "model", model,
                          NULL);
  if (thinking != NULL)
    cria_chat_message_append_thinking (message, thinking);

  if (!get_member (object, "images", JSON_NODE_ARRAY, G_TYPE_INVALID, FALSE, where, &member, error))
    return FALSE;
  if (member != NULL)
    {
      JsonArray *images = json_node_get_array (member);

      for (guint i = 0; i < json_array_get_length (images); i++)
        {
          JsonNode *image = json_array_get_element (images, i);
          g_autoptr(GBytes) bytes = NULL;
          const char *text;
          gsize size;
          guchar *data;

          if (!JSON_NODE_HOLDS_VALUE (image) ||
              json_node_get_value_type (image) != G_TYPE_STRING ||
              !is_base64 ((text = json_node_get_string (image))))
            {
              g_autofree char *path = g_strdup_printf ("%s.images[%u]", where, i);

              return invalid (error, path, "is not base64 text");
            }

          data = g_base64_decode (text, &size);
          bytes = g_bytes_new_take (data, size);
          cria_chat_message_add_image (message, bytes);
        }
    }

  if (!get_member (object, "tool_calls", JSON_NODE_ARRAY, G_TYPE_INVALID, FALSE, where, &member,
                   error))
    return FALSE;
  if (member != NULL)
    cria_chat_message_add_tool_calls (message, json_node_get_array (member));

  if (!get_member (object, "metrics", JSON_NODE_OBJECT, G_TYPE_INVALID, FALSE, where, &member,
                   error))
    return FALSE;
  if (member != NULL)
    {
      g_autofree char *metrics_where = g_strconcat (where, ".metrics", NULL);
      JsonObject *metrics_object = json_node_get_object (member);
      CriaChatMetrics metrics = { NULL, };
      const char *done_reason;

      if (!get_string (metrics_object, "done_reason", FALSE, metrics_where, &done_reason, error) ||
          !get_int (metrics_object, "total_duration", FALSE, metrics_where,
                    &metrics.total_duration, error) ||
          !get_int (metrics_object, "load_duration", FALSE, metrics_where,
                    &metrics.load_duration, error) ||
          !get_int (metrics_object, "prompt_eval_count", FALSE, metrics_where,
                    &metrics.prompt_eval_count, error) ||
          !get_int (metrics_object, "prompt_eval_duration", FALSE, metrics_where,
                    &metrics.prompt_eval_duration, error) ||
          !get_int (metrics_object, "eval_count", FALSE, metrics_where,
                    &metrics.eval_count, error) ||
          !get_int (metrics_object, "eval_duration", FALSE, metrics_where,
                    &metrics.eval_duration, error))
        return FALSE;

      metrics.done_reason = (char *) done_reason;
      cria_chat_message_set_metrics (message, &metrics);
    }

  if (!get_member (object, "error", JSON_NODE_OBJECT, G_TYPE_INVALID, FALSE, where, &member,
                   error))
    return FALSE;
  if (member != NULL)
    {
      g_autofree char *error_where = g_strconcat (where, ".error", NULL);
      JsonObject *error_object = json_node_get_object (member);
      g_autoptr(GError) saved = NULL;
      const char *domain;
      const char *text;
      gint64 code;

      if (!get_string (error_object, "domain", TRUE, error_where, &domain, error) ||
          !get_int (error_object, "code", TRUE, error_where, &code, error) ||
          !get_string (error_object, "message", FALSE, error_where, &text, error))
        return FALSE;

      saved = g_error_new_literal (g_quark_from_string (domain), (int) code,
                                   text != NULL ? text : "");
      cria_chat_message_set_error (message, saved);
    }

  imported->message = g_steal_pointer (&message);
  return TRUE;
}

typedef struct
{
  const char *title;
  const char *backend_url;
  const char *model;
  const char *system_prompt;
  JsonObject *options;
  gboolean    pinned;
  gint64      created_at;
  GArray     *messages;         /* ImportedMessage */
} ImportedChat;

static gboolean
parse_import (JsonNode      *root,
              gint64         now,
              ImportedChat  *chat,
              GError       **error)
{
  JsonObject *object;
  JsonNode *member;
  JsonArray *messages;
  const char *format;
  gint64 version;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, "the top level", "is not an object");
  object = json_node_get_object (root);

  if (!get_string (object, "format", TRUE, "$", &format, error))
    return FALSE;
  if (!g_str_equal (format, EXPORT_FORMAT))
    return invalid (error, "$.format", "is not \"" EXPORT_FORMAT "\"");

  if (!get_int (object, "version", TRUE, "$", &version, error))
    return FALSE;
  if (version > EXPORT_VERSION)
    {
      g_set_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_INVALID_DATA,
                   "The chat export has version %" G_GINT64_FORMAT
                   "; this Cria reads up to version %d",
                   version, EXPORT_VERSION);
      return FALSE;
    }
  if (version < 1)
    return invalid (error, "$.version", "is not a version");

  if (!get_string (object, "title", FALSE, "$", &chat->title, error) ||
      !get_string (object, "backend_url", FALSE, "$", &chat->backend_url, error) ||
      !get_string (object, "model", FALSE, "$", &chat->model, error) ||
      !get_string (object, "system_prompt", FALSE, "$", &chat->system_prompt, error) ||
      !get_time (object, "created_at", "$", now, &chat->created_at, error))
    return FALSE;

  if (!get_member (object, "pinned", JSON_NODE_VALUE, G_TYPE_BOOLEAN, FALSE, "$", &member, error))
    return FALSE;
  chat->pinned = member != NULL && json_node_get_boolean (member);

  if (!get_member (object, "options", JSON_NODE_OBJECT, G_TYPE_INVALID, FALSE, "$", &member,
                   error))
    return FALSE;
  chat->options = member != NULL ? json_node_get_object (member) : NULL;

  if (!get_member (object, "messages", JSON_NODE_ARRAY, G_TYPE_INVALID, TRUE, "$", &member, error))
    return FALSE;
  messages = json_node_get_array (member);

  chat->messages = g_array_sized_new (FALSE, TRUE, sizeof (ImportedMessage),
                                      json_array_get_length (messages));
  g_array_set_clear_func (chat->messages, (GDestroyNotify) imported_message_clear);

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      ImportedMessage imported = { NULL, 0 };

      if (!parse_message (json_array_get_element (messages, i), i, chat->created_at,
                          &imported, error))
        return FALSE;
      g_array_append_val (chat->messages, imported);
    }

  return TRUE;
}

static gint64
write_import (sqlite3       *db,
              ImportedChat  *chat,
              gint64         now,
              GError       **error)
{
  g_autoptr(OwnedStmt) insert_chat = NULL;
  g_autoptr(OwnedStmt) insert = NULL;
  g_autoptr(OwnedStmt) insert_image = NULL;
  g_autofree char *options_text = NULL;
  gint64 chat_id;

  if (!(insert_chat = prepare (db,
                               "INSERT INTO chats (title, backend_url, model, system_prompt, "
                               "options, pinned, created_at, updated_at) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                               error)) ||
      !(insert = prepare (db, INSERT_MESSAGE_SQL, error)) ||
      !(insert_image = prepare (db, INSERT_IMAGE_SQL, error)))
    return 0;

  options_text = chat->options != NULL ? json_object_to_text (chat->options) : g_strdup ("{}");

  sqlite3_bind_text (insert_chat, 1, chat->title != NULL ? chat->title : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (insert_chat, 2, chat->backend_url, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert_chat, 3, chat->model, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert_chat, 4, chat->system_prompt, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert_chat, 5, options_text, -1, SQLITE_STATIC);
  sqlite3_bind_int (insert_chat, 6, chat->pinned);
  sqlite3_bind_int64 (insert_chat, 7, chat->created_at);
  /* An imported chat is new activity: it lands on top of the list. */
  sqlite3_bind_int64 (insert_chat, 8, now);

  if (!begin (db, error))
    return 0;

  if (!step_done (db, insert_chat, error))
    goto failed;
  chat_id = sqlite3_last_insert_rowid (db);

  for (guint i = 0; i < chat->messages->len; i++)
    {
      ImportedMessage *imported = &g_array_index (chat->messages, ImportedMessage, i);

      if (insert_message (db, insert, insert_image, chat_id, i, imported->created_at,
                          imported->message, error) == 0)
        goto failed;
    }

  if (!commit (db, error))
    goto failed;

  return chat_id;

failed:
  rollback (db);
  return 0;
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  WorkData *data = task_data;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(sqlite3) db = NULL;
  g_autoptr(GError) error = NULL;
  ImportedChat chat = { NULL, };
  gsize size;
  const char *text = g_bytes_get_data (data->bytes, &size);
  gint64 chat_id = 0;
  gint64 now = g_get_real_time ();

  if (size > IMPORT_MAX_BYTES)
    g_set_error (&error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_INVALID_DATA,
                 "The chat export is too large: %" G_GSIZE_FORMAT " bytes", size);
  else if (size == 0 || !g_utf8_validate_len (text, size, NULL))
    g_set_error_literal (&error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_INVALID_DATA,
                         "The chat export is not UTF-8 text");
  else if (!json_parser_load_from_data (parser, text, size, &error))
    g_prefix_error (&error, "The chat export is not JSON: ");

  if (error != NULL && error->domain != CRIA_STORE_ERROR)
    {
      /* One domain for "this file is no good", whatever the parser said. */
      GError *wrapped = g_error_new_literal (CRIA_STORE_ERROR, CRIA_STORE_ERROR_INVALID_DATA,
                                             error->message);

      g_clear_error (&error);
      error = wrapped;
    }

  if (error == NULL &&
      parse_import (json_parser_get_root (parser), now, &chat, &error) &&
      !g_cancellable_set_error_if_cancelled (cancellable, &error) &&
      (db = open_worker_db (data->path, TRUE, &error)) != NULL)
    chat_id = write_import (db, &chat, now, &error);

  g_clear_pointer (&chat.messages, g_array_unref);

  if (chat_id == 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("Imported chat %" G_GINT64_FORMAT " from %" G_GSIZE_FORMAT " bytes", chat_id, size);

  g_task_return_int (task, chat_id);
}

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CriaChatStore *self = CRIA_CHAT_STORE (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(OwnedStmt) stmt = NULL;
  g_autoptr(CriaChatInfo) info = NULL;
  gint64 chat_id;

  chat_id = g_task_propagate_int (G_TASK (result), &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The store may have been closed meanwhile: the chat is in the file
   * and shows up at the next open. */
  if (self->db != NULL)
    {
      if (!(stmt = prepare (self->db, SELECT_CHAT_SQL " WHERE id = ?1", &error)))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      sqlite3_bind_int64 (stmt, 1, chat_id);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          set_db_error (&error, self->db, "Could not read the imported chat");
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      info = chat_info_from_row (stmt);
      self->last_time = MAX (self->last_time, cria_chat_info_get_updated_at (info));
      add_info (self, info);
    }

  g_task_return_int (task, chat_id);
}

/**
 * cria_chat_store_import_async:
 * @json: a chat export in the `cria-chat` format (see
 *   cria_chat_store_export_async())
 *
 * Imports a chat into a new chat, in a thread. The file is checked whole
 * before anything is written, and written in one transaction: a bad file
 * fails with %CRIA_STORE_ERROR_INVALID_DATA and leaves nothing behind.
 * Replies left streaming become incomplete. Once written, the import
 * completes even if @cancellable is cancelled.
 */
void
cria_chat_store_import_async (CriaChatStore       *self,
                              GBytes              *json,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  g_autoptr(GError) error = NULL;
  WorkData *data;

  g_return_if_fail (CRIA_IS_CHAT_STORE (self));
  g_return_if_fail (json != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_chat_store_import_async);
  g_task_set_check_cancellable (task, FALSE);

  if (!ensure_open (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_new0 (WorkData, 1);
  data->path = g_strdup (self->path);
  data->bytes = g_bytes_ref (json);

  worker = g_task_new (self, cancellable, import_done_cb, g_steal_pointer (&task));
  g_task_set_source_tag (worker, cria_chat_store_import_async);
  g_task_set_check_cancellable (worker, FALSE);
  g_task_set_task_data (worker, data, (GDestroyNotify) work_data_free);
  g_task_run_in_thread (worker, import_thread);
}

/**
 * cria_chat_store_import_finish:
 *
 * Returns: the new chat's id, or 0 on error
 */
gint64
cria_chat_store_import_finish (CriaChatStore  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  gssize id;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  /* g_task_propagate_int () gives -1 on error. */
  id = g_task_propagate_int (G_TASK (result), error);
  return id > 0 ? id : 0;
}

/* GObject */

static void
cria_chat_store_dispose (GObject *object)
{
  CriaChatStore *self = (CriaChatStore *)object;

  cria_chat_store_close (self);

  G_OBJECT_CLASS (cria_chat_store_parent_class)->dispose (object);
}

static void
cria_chat_store_finalize (GObject *object)
{
  CriaChatStore *self = (CriaChatStore *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->stmts, g_hash_table_unref);
  g_clear_object (&self->chats);
  g_clear_pointer (&self->infos, g_hash_table_unref);
  g_clear_pointer (&self->tracked, g_ptr_array_unref);
  g_clear_pointer (&self->recovered_from, g_free);
  g_clear_pointer (&self->recovery_reason, g_free);

  G_OBJECT_CLASS (cria_chat_store_parent_class)->finalize (object);
}

static void
cria_chat_store_constructed (GObject *object)
{
  CriaChatStore *self = (CriaChatStore *)object;

  G_OBJECT_CLASS (cria_chat_store_parent_class)->constructed (object);

  if (self->path == NULL)
    self->path = g_build_filename (g_get_user_data_dir (), APP_ID, "cria.db", NULL);
}

static void
cria_chat_store_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CriaChatStore *self = CRIA_CHAT_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_RECOVERED_FROM:
      g_value_set_string (value, self->recovered_from);
      break;

    case PROP_RECOVERY_REASON:
      g_value_set_string (value, self->recovery_reason);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_chat_store_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CriaChatStore *self = CRIA_CHAT_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_chat_store_class_init (CriaChatStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cria_chat_store_dispose;
  object_class->finalize = cria_chat_store_finalize;
  object_class->constructed = cria_chat_store_constructed;
  object_class->get_property = cria_chat_store_get_property;
  object_class->set_property = cria_chat_store_set_property;

  /**
   * CriaChatStore:path:
   *
   * The database file. %NULL at construction means
   * `g_get_user_data_dir()/<app-id>/cria.db`.
   */
  properties [PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatStore:recovered-from:
   *
   * Where the last open moved a broken database to before starting a
   * fresh one, or %NULL. The app tells the user, once.
   */
  properties [PROP_RECOVERED_FROM] =
    g_param_spec_string ("recovered-from", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatStore:recovery-reason:
   *
   * Why the database was moved aside, for the log; %NULL when it was not.
   */
  properties [PROP_RECOVERY_REASON] =
    g_param_spec_string ("recovery-reason", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cria_chat_store_init (CriaChatStore *self)
{
  self->stmts = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) sqlite3_finalize);
  self->chats = g_list_store_new (CRIA_TYPE_CHAT_INFO);
  self->infos = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->tracked = g_ptr_array_new_with_free_func ((GDestroyNotify) tracked_free);
}

/**
 * cria_chat_store_new:
 * @path: (nullable): the database file, or %NULL for the default,
 *   `g_get_user_data_dir()/<app-id>/cria.db`
 *
 * Creates a store. Nothing is read until cria_chat_store_open().
 */
CriaChatStore *
cria_chat_store_new (const char *path)
{
  return g_object_new (CRIA_TYPE_CHAT_STORE,
                       "path", path,
                       NULL);
}
