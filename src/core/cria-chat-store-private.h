/* cria-chat-store-private.h: the schema, and seams for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "cria-chat-info.h"
#include "cria-chat-store.h"

G_BEGIN_DECLS

/* The schema, as an ordered list of migrations. Step i takes a database
 * from `PRAGMA user_version` i to i + 1; each runs in its own transaction
 * together with the version bump. Never edit a step once released: add one.
 * Every released version has a fixture, tests/fixtures/store-v<N>.sql,
 * which the tests migrate to the current version.
 *
 * Times are microseconds since the Unix epoch (g_get_real_time ()). Roles
 * and states are stored as the text Ollama and CriaMessageState use
 * ("user", "assistant", "system", "tool"; "complete", "streaming",
 * "incomplete", "error"), so the file reads without the C enums. */
static const char * const _cria_chat_store_migrations[] = {
  /* v1: chats, messages, images */
  "CREATE TABLE chats (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  title TEXT NOT NULL DEFAULT '',\n"
  "  backend_url TEXT,\n"
  "  model TEXT,\n"
  "  system_prompt TEXT,\n"
  "  options TEXT NOT NULL DEFAULT '{}',\n"
  "  created_at INTEGER NOT NULL,\n"
  "  updated_at INTEGER NOT NULL\n"
  ");\n"
  "CREATE TABLE messages (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  chat_id INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,\n"
  "  position INTEGER NOT NULL,\n"
  "  role TEXT NOT NULL,\n"
  "  content TEXT NOT NULL DEFAULT '',\n"
  "  thinking TEXT NOT NULL DEFAULT '',\n"
  "  tool_calls TEXT,\n"
  "  state TEXT NOT NULL DEFAULT 'complete',\n"
  "  model TEXT,\n"
  "  created_at INTEGER NOT NULL,\n"
  "  done_reason TEXT,\n"
  "  total_duration INTEGER,\n"
  "  load_duration INTEGER,\n"
  "  prompt_eval_count INTEGER,\n"
  "  prompt_eval_duration INTEGER,\n"
  "  eval_count INTEGER,\n"
  "  eval_duration INTEGER,\n"
  "  error_domain TEXT,\n"
  "  error_code INTEGER,\n"
  "  error_message TEXT,\n"
  "  UNIQUE (chat_id, position)\n"
  ");\n"
  "CREATE INDEX messages_streaming ON messages (id) WHERE state = 'streaming';\n"
  "CREATE TABLE images (\n"
  "  id INTEGER PRIMARY KEY,\n"
  "  message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,\n"
  "  position INTEGER NOT NULL,\n"
  "  data BLOB NOT NULL,\n"
  "  UNIQUE (message_id, position)\n"
  ");\n",

  /* v2: pinned chats, and deleted chats kept until the undo is over */
  "ALTER TABLE chats ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;\n"
  "ALTER TABLE chats ADD COLUMN trashed INTEGER NOT NULL DEFAULT 0;\n"
  "CREATE INDEX chats_order ON chats (pinned DESC, updated_at DESC);\n",

  /* v3: full-text search over titles and message text. External-content
   * FTS5 tables kept in sync by triggers, then filled from what exists.
   * The 3-character prefix index makes the first letters typed fast. */
  "CREATE VIRTUAL TABLE chats_fts USING fts5 (\n"
  "  title, content = 'chats', content_rowid = 'id',\n"
  "  tokenize = 'unicode61 remove_diacritics 2', prefix = '3'\n"
  ");\n"
  "CREATE VIRTUAL TABLE messages_fts USING fts5 (\n"
  "  content, content = 'messages', content_rowid = 'id',\n"
  "  tokenize = 'unicode61 remove_diacritics 2', prefix = '3'\n"
  ");\n"
  "CREATE TRIGGER chats_fts_insert AFTER INSERT ON chats BEGIN\n"
  "  INSERT INTO chats_fts (rowid, title) VALUES (new.id, new.title);\n"
  "END;\n"
  "CREATE TRIGGER chats_fts_delete AFTER DELETE ON chats BEGIN\n"
  "  INSERT INTO chats_fts (chats_fts, rowid, title) VALUES ('delete', old.id, old.title);\n"
  "END;\n"
  "CREATE TRIGGER chats_fts_update AFTER UPDATE OF title ON chats BEGIN\n"
  "  INSERT INTO chats_fts (chats_fts, rowid, title) VALUES ('delete', old.id, old.title);\n"
  "  INSERT INTO chats_fts (rowid, title) VALUES (new.id, new.title);\n"
  "END;\n"
  "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN\n"
  "  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);\n"
  "END;\n"
  "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN\n"
  "  INSERT INTO messages_fts (messages_fts, rowid, content)\n"
  "    VALUES ('delete', old.id, old.content);\n"
  "END;\n"
  "CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN\n"
  "  INSERT INTO messages_fts (messages_fts, rowid, content)\n"
  "    VALUES ('delete', old.id, old.content);\n"
  "  INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);\n"
  "END;\n"
  "INSERT INTO chats_fts (chats_fts) VALUES ('rebuild');\n"
  "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');\n",

  /* v4: thinking per chat, NULL for the server's default, 1 on, 0 off.
   * The first schema kept it in the options, but it is not an option on
   * the wire: it moves out of them. And whose title a chat has: one the
   * user gave (1) is never replaced by a generated one. Who wrote the
   * titles already there is unknown; they are kept as the user's. */
  "ALTER TABLE chats ADD COLUMN think INTEGER;\n"
  "ALTER TABLE chats ADD COLUMN user_title INTEGER NOT NULL DEFAULT 0;\n"
  "UPDATE chats SET user_title = 1;\n"
  "UPDATE chats SET think = json_extract (options, '$.think'),\n"
  "                 options = json_remove (options, '$.think')\n"
  "  WHERE json_valid (options) AND json_type (options, '$.think') IN ('true', 'false');\n",
};

#define CRIA_CHAT_STORE_SCHEMA_VERSION G_N_ELEMENTS (_cria_chat_store_migrations)

/* Next to the database, this file asks the next open for a full
 * integrity check: the check in the background found damage. */
#define CRIA_CHAT_STORE_CHECK_SUFFIX ".needs-check"

/* How long a streamed reply waits before its text is written again. */
#define CRIA_CHAT_STORE_SAVE_INTERVAL_MS 500

/* The number of writes made for tracked replies since the store opened. */
guint          _cria_chat_store_get_n_reply_writes   (CriaChatStore *self);

/* Turns FTS5-unsafe user input into a query: each word quoted, the last
 * one a prefix. Returns NULL when there is nothing to search for. */
char          *_cria_chat_store_build_fts_query      (const char    *text);

/* CriaChatInfo, written only by the store. */
CriaChatInfo  *_cria_chat_info_new                   (gint64         id);
void           _cria_chat_info_set_title             (CriaChatInfo  *self,
                                                      const char    *title);
void           _cria_chat_info_set_model             (CriaChatInfo  *self,
                                                      const char    *backend_url,
                                                      const char    *model);
void           _cria_chat_info_set_system_prompt     (CriaChatInfo  *self,
                                                      const char    *system_prompt);
void           _cria_chat_info_take_options          (CriaChatInfo  *self,
                                                      JsonObject    *options);
void           _cria_chat_info_set_think             (CriaChatInfo  *self,
                                                      CriaThinkMode  think);
gboolean       _cria_chat_info_get_user_title        (CriaChatInfo  *self);
void           _cria_chat_info_set_user_title        (CriaChatInfo  *self,
                                                      gboolean       user_title);
void           _cria_chat_info_set_pinned            (CriaChatInfo  *self,
                                                      gboolean       pinned);
void           _cria_chat_info_set_times             (CriaChatInfo  *self,
                                                      gint64         created_at,
                                                      gint64         updated_at);
gboolean       _cria_chat_info_get_trashed           (CriaChatInfo  *self);
void           _cria_chat_info_set_trashed           (CriaChatInfo  *self,
                                                      gboolean       trashed);
int            _cria_chat_info_compare               (gconstpointer  a,
                                                      gconstpointer  b,
                                                      gpointer       user_data);

G_END_DECLS
