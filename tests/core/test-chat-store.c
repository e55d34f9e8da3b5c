/* test-chat-store.c: the SQLite chat store
 *
 * Every test runs in its own temporary XDG folders
 * (G_TEST_OPTION_ISOLATE_DIRS), so the default path is safe to use.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cria-core.h"
#include "cria-chat-store-private.h"
#include "cria-test-utils.h"

/* Helpers */

static char *
test_db_path (const char *name)
{
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "store-tests", NULL);

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  return g_build_filename (folder, name, NULL);
}

static CriaChatStore *
open_store (const char *path)
{
  g_autoptr(CriaChatStore) store = cria_chat_store_new (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (cria_chat_store_open (store, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&store);
}

static void
close_and_finalize (CriaChatStore *store)
{
  cria_chat_store_close (store);
  cria_test_finalize_object (store);
}

static sqlite3 *
raw_open (const char *path,
          gboolean    read_only)
{
  sqlite3 *db = NULL;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, flags, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);

  return db;
}

static void
raw_exec (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gint64
raw_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static char *
raw_text (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  return value;
}

static gint64
count_rows (const char *path,
            const char *sql)
{
  sqlite3 *db = raw_open (path, TRUE);
  gint64 n = raw_int (db, sql);

  sqlite3_close (db);
  return n;
}

static char *
dump_schema (sqlite3 *db)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT type, name, tbl_name, sql FROM sqlite_master "
                                       "ORDER BY type, name", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *sql = (const char *) sqlite3_column_text (stmt, 3);
      g_autofree char *folded = g_regex_replace_literal (spaces, sql != NULL ? sql : "", -1, 0,
                                                         " ", 0, NULL);

      g_string_append_printf (out, "%s %s %s: %s\n",
                              sqlite3_column_text (stmt, 0),
                              sqlite3_column_text (stmt, 1),
                              sqlite3_column_text (stmt, 2),
                              folded);
    }
  sqlite3_finalize (stmt);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
load_fixture_db (const char *fixture,
                 const char *name)
{
  g_autofree char *fixture_path = g_build_filename (FIXTURES_DIR, fixture, NULL);
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  char *path = test_db_path (name);
  sqlite3 *db;

  g_file_get_contents (fixture_path, &sql, NULL, &error);
  g_assert_no_error (error);

  db = raw_open (path, FALSE);
  raw_exec (db, sql);
  sqlite3_close (db);

  return path;
}

static CriaChatInfo *
nth_chat (CriaChatStore *store,
          guint          position)
{
  CriaChatInfo *info = g_list_model_get_item (cria_chat_store_get_chats (store), position);

  if (info != NULL)
    g_object_unref (info); /* the store keeps it */
  return info;
}

static char *
list_titles (CriaChatStore *store)
{
  GListModel *chats = cria_chat_store_get_chats (store);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (chats); i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, cria_chat_info_get_title (nth_chat (store, i)));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gint64
create_chat (CriaChatStore *store,
             const char    *title)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = cria_chat_store_create_chat (store, title, "http://localhost:11434", "llama3.2",
                                    NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

static gint64
append_text (CriaChatStore   *store,
             gint64           chat_id,
             CriaMessageRole  role,
             const char      *content)
{
  g_autoptr(CriaChatMessage) message = cria_chat_message_new (role, content);
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = cria_chat_store_append_message (store, chat_id, message, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  return id;
}

static GPtrArray *
load (CriaChatStore *store,
      gint64         chat_id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *messages;

  messages = cria_chat_store_load_messages (store, chat_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (messages);

  return messages;
}

static char *
tool_calls_text (CriaChatMessage *message)
{
  JsonArray *tool_calls = cria_chat_message_get_tool_calls (message);
  g_autoptr(JsonNode) node = NULL;

  if (tool_calls == NULL)
    return NULL;

  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, tool_calls);
  return json_to_string (node, FALSE);
}

static void
assert_messages_equal (CriaChatMessage *a,
                       CriaChatMessage *b)
{
  const CriaChatMetrics *ma = cria_chat_message_get_metrics (a);
  const CriaChatMetrics *mb = cria_chat_message_get_metrics (b);
  const GError *ea = cria_chat_message_get_error (a);
  const GError *eb = cria_chat_message_get_error (b);
  GPtrArray *ia = cria_chat_message_get_images (a);
  GPtrArray *ib = cria_chat_message_get_images (b);
  g_autofree char *ta = tool_calls_text (a);
  g_autofree char *tb = tool_calls_text (b);

  g_assert_cmpint (cria_chat_message_get_role (a), ==, cria_chat_message_get_role (b));
  g_assert_cmpstr (cria_chat_message_get_content (a), ==, cria_chat_message_get_content (b));
  g_assert_cmpstr (cria_chat_message_get_thinking (a), ==, cria_chat_message_get_thinking (b));
  g_assert_cmpint (cria_chat_message_get_state (a), ==, cria_chat_message_get_state (b));
  g_assert_cmpstr (cria_chat_message_get_model (a), ==, cria_chat_message_get_model (b));
  g_assert_cmpint (cria_chat_store_get_message_created_at (a), ==,
                   cria_chat_store_get_message_created_at (b));
  g_assert_cmpstr (ta, ==, tb);

  g_assert_cmpuint (ia != NULL ? ia->len : 0, ==, ib != NULL ? ib->len : 0);
  for (guint i = 0; ia != NULL && i < ia->len; i++)
    g_assert_true (g_bytes_equal (g_ptr_array_index (ia, i), g_ptr_array_index (ib, i)));

  g_assert_true ((ma == NULL) == (mb == NULL));
  if (ma != NULL)
    {
      g_assert_cmpstr (ma->done_reason, ==, mb->done_reason);
      g_assert_cmpint (ma->total_duration, ==, mb->total_duration);
      g_assert_cmpint (ma->load_duration, ==, mb->load_duration);
      g_assert_cmpint (ma->prompt_eval_count, ==, mb->prompt_eval_count);
      g_assert_cmpint (ma->prompt_eval_duration, ==, mb->prompt_eval_duration);
      g_assert_cmpint (ma->eval_count, ==, mb->eval_count);
      g_assert_cmpint (ma->eval_duration, ==, mb->eval_duration);
    }

  g_assert_true ((ea == NULL) == (eb == NULL));
  if (ea != NULL)
    g_assert_error (eb, ea->domain, ea->code);
  if (ea != NULL)
    g_assert_cmpstr (ea->message, ==, eb->message);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* Opening and migrations */

static void
test_default_path (void)
{
  g_autoptr(CriaChatStore) store = cria_chat_store_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), APP_ID, "cria.db", NULL);
  g_autofree char *journal_mode = NULL;
  sqlite3 *db;

  g_assert_cmpstr (cria_chat_store_get_path (store), ==, expected);
  g_assert_false (g_file_test (expected, G_FILE_TEST_EXISTS));
  g_assert_false (cria_chat_store_is_open (store));

  /* Not open yet: a clear error, no crash. */
  g_assert_cmpint (cria_chat_store_create_chat (store, "x", NULL, NULL, NULL, NULL, &error), ==, 0);
  g_assert_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_NOT_OPEN);
  g_clear_error (&error);

  g_assert_true (cria_chat_store_open (store, &error));
  g_assert_no_error (error);
  g_assert_true (cria_chat_store_is_open (store));
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));
  g_assert_null (cria_chat_store_get_recovered_from (store));
  g_assert_cmpuint (g_list_model_get_n_items (cria_chat_store_get_chats (store)), ==, 0);

  db = raw_open (expected, TRUE);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, CRIA_CHAT_STORE_SCHEMA_VERSION);
  journal_mode = raw_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
  sqlite3_close (db);

  close_and_finalize (g_steal_pointer (&store));
}

static void
test_v1_is_the_first_schema (void)
{
  g_autofree char *fixture_path = load_fixture_db ("store-v1.sql", "fixture.db");
  g_autofree char *step_path = test_db_path ("step.db");
  g_autofree char *fixture_schema = NULL;
  g_autofree char *step_schema = NULL;
  sqlite3 *db;

  /* Migration step 1 alone builds exactly the schema of the v1 fixture:
   * the fixture is the real first schema, and step 1 was not edited. */
  db = raw_open (step_path, FALSE);
  raw_exec (db, _cria_chat_store_migrations[0]);
  step_schema = dump_schema (db);
  sqlite3_close (db);

  db = raw_open (fixture_path, TRUE);
  fixture_schema = dump_schema (db);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version"), ==, 1);
  sqlite3_close (db);

  g_assert_cmpstr (fixture_schema, ==, step_schema);
}

static void
test_migrate_from_v1 (void)
{
  g_autofree char *path = load_fixture_db ("store-v1.sql", "v1.db");
  g_autoptr(CriaChatStore) store = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  CriaChatInfo *info;
  CriaChatMessage *message;
  const CriaChatMetrics *metrics;
  GPtrArray *images;
  JsonObject *options;
  g_autofree char *tool_calls = NULL;

  store = open_store (path);
  g_assert_null (cria_chat_store_get_recovered_from (store));
  g_assert_cmpint (count_rows (path, "PRAGMA user_version"), ==, CRIA_CHAT_STORE_SCHEMA_VERSION);

  /* Chats, newest activity first, nothing pinned after the migration. */
  g_assert_cmpuint (g_list_model_get_n_items (cria_chat_store_get_chats (store)), ==, 2);
  info = nth_chat (store, 0);
  g_assert_cmpint (cria_chat_info_get_id (info), ==, 2);
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Rust lifetimes");
  g_assert_cmpstr (cria_chat_info_get_model (info), ==, "qwen3:8b");
  g_assert_cmpstr (cria_chat_info_get_backend_url (info), ==, "http://gpu-box.local:11434");
  g_assert_null (cria_chat_info_get_system_prompt (info));
  g_assert_false (cria_chat_info_get_pinned (info));

  info = nth_chat (store, 1);
  g_assert_cmpint (cria_chat_info_get_id (info), ==, 1);
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Sourdough starter");
  g_assert_cmpstr (cria_chat_info_get_system_prompt (info), ==, "You are a baker.");
  g_assert_cmpint (cria_chat_info_get_created_at (info), ==, 1735689600000000);
  g_assert_cmpint (cria_chat_info_get_updated_at (info), ==, 1735690000000000);
  options = cria_chat_info_get_options (info);
  g_assert_cmpfloat (json_object_get_double_member (options, "temperature"), ==, 0.7);
  g_assert_cmpint (json_object_get_int_member (options, "num_ctx"), ==, 4096);
  g_assert_cmpint (json_object_get_int_member (options, "seed"), ==, 42);
  /* v4: think left the options for a column of its own */
  g_assert_false (json_object_has_member (options, "think"));
  g_assert_cmpint (cria_chat_info_get_think (info), ==, CRIA_THINK_MODE_OFF);
  g_assert_cmpint (cria_chat_info_get_think (nth_chat (store, 0)), ==, CRIA_THINK_MODE_DEFAULT);

  /* v4: the titles there were are kept as the user's */
  g_assert_true (cria_chat_store_set_generated_title (store, 1, "Generated", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Sourdough starter");

  /* Messages, with everything they carried. */
  messages = load (store, 1);
  g_assert_cmpuint (messages->len, ==, 4);

  message = g_ptr_array_index (messages, 1);
  g_assert_cmpint (cria_chat_store_get_message_id (message), ==, 2);
  g_assert_cmpint (cria_chat_message_get_role (message), ==, CRIA_MESSAGE_ROLE_ASSISTANT);
  g_assert_cmpstr (cria_chat_message_get_content (message), ==,
                   "Feed it **twice a day** at room temperature.");
  g_assert_cmpstr (cria_chat_message_get_thinking (message), ==, "The user bakes.");
  g_assert_cmpstr (cria_chat_message_get_model (message), ==, "llama3.2");
  g_assert_cmpint (cria_chat_store_get_message_created_at (message), ==, 1735689601000000);
  metrics = cria_chat_message_get_metrics (message);
  g_assert_nonnull (metrics);
  g_assert_cmpstr (metrics->done_reason, ==, "stop");
  g_assert_cmpint (metrics->eval_count, ==, 40);
  g_assert_cmpint (metrics->eval_duration, ==, 1800000000);

  message = g_ptr_array_index (messages, 2);
  images = cria_chat_message_get_images (message);
  g_assert_nonnull (images);
  g_assert_cmpuint (images->len, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (images, 0)), ==, 8);
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (images, 1)), ==, 4);
  g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (images, 1), NULL), 4,
                   "\xFF\xD8\xFF\xE0", 4);

  /* The reply left streaming is kept, as incomplete. */
  message = g_ptr_array_index (messages, 3);
  g_assert_cmpstr (cria_chat_message_get_content (message), ==, "Bubbly and");
  g_assert_cmpint (cria_chat_message_get_state (message), ==, CRIA_MESSAGE_STATE_INCOMPLETE);
  g_clear_pointer (&messages, g_ptr_array_unref);

  messages = load (store, 2);
  g_assert_cmpuint (messages->len, ==, 2);
  message = g_ptr_array_index (messages, 1);
  g_assert_cmpint (cria_chat_message_get_state (message), ==, CRIA_MESSAGE_STATE_ERROR);
  g_assert_error (cria_chat_message_get_error (message),
                  CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL);
  tool_calls = tool_calls_text (message);
  g_assert_cmpstr (tool_calls, ==,
                   "[{\"function\":{\"name\":\"run_cargo\",\"arguments\":{\"cmd\":\"check\"}}}]");

  /* The search index was built from what was there. */
  results = cria_chat_store_search (store, "sourdough", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpint (((CriaChatSearchResult *) g_ptr_array_index (results, 0))->chat_id, ==, 1);
  g_clear_pointer (&results, g_ptr_array_unref);

  results = cria_chat_store_search (store, "borrow checker", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpint (((CriaChatSearchResult *) g_ptr_array_index (results, 0))->message_id, ==, 5);

  /* And new writes work on the migrated file. */
  append_text (store, 1, CRIA_MESSAGE_ROLE_USER, "Thanks!");
  g_assert_cmpint (cria_chat_info_get_id (nth_chat (store, 0)), ==, 1);

  close_and_finalize (g_steal_pointer (&store));
}

static void
test_too_new (void)
{
  g_autofree char *path = test_db_path ("future.db");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(CriaChatStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *folder = g_path_get_dirname (path);
  gsize before_length;
  gsize after_length;
  sqlite3 *db;
  const char *name;

  db = raw_open (path, FALSE);
  raw_exec (db, "PRAGMA journal_mode = WAL");
  raw_exec (db, "CREATE TABLE future (x); INSERT INTO future VALUES ('from a newer Cria')");
  sql = g_strdup_printf ("PRAGMA user_version = %u",
                         (guint) CRIA_CHAT_STORE_SCHEMA_VERSION + 1);
  raw_exec (db, sql);
  sqlite3_close (db);

  g_file_get_contents (path, &before, &before_length, &error);
  g_assert_no_error (error);

  store = cria_chat_store_new (path);
  g_assert_false (cria_chat_store_open (store, &error));
  g_assert_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_TOO_NEW);
  g_assert_false (cria_chat_store_is_open (store));
  g_assert_null (cria_chat_store_get_recovered_from (store));
  g_clear_error (&error);

  /* Not a byte changed, nothing moved aside, nothing left behind. */
  g_file_get_contents (path, &after, &after_length, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (before, before_length, after, after_length);

  dir = g_dir_open (folder, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_cmpstr (name, ==, "future.db");

  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_corrupt_file (void)
{
  g_autofree char *path = test_db_path ("broken.db");
  g_autofree char *kept = NULL;
  g_autoptr(CriaChatStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *moved_to = NULL;
  const char garbage[] = "This is not an SQLite database, whatever its name says. "
                         "It goes on for a while so that it is not mistaken for an empty file.";

  g_file_set_contents (path, garbage, -1, &error);
  g_assert_no_error (error);

  store = cria_chat_store_new (path);
  g_assert_true (cria_chat_store_open (store, &error));
  g_assert_no_error (error);

  /* Moved aside, intact, under a name that says why. */
  moved_to = g_strdup (cria_chat_store_get_recovered_from (store));
  g_assert_nonnull (moved_to);
  g_assert_true (g_str_has_prefix (moved_to, path));
  g_assert_nonnull (strstr (moved_to, ".corrupt-"));
  g_assert_nonnull (cria_chat_store_get_recovery_reason (store));
  g_file_get_contents (moved_to, &kept, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kept, ==, garbage);

  /* And the fresh database works. */
  create_chat (store, "A fresh start");
  close_and_finalize (g_steal_pointer (&store));

  store = open_store (path);
  g_assert_null (cria_chat_store_get_recovered_from (store));
  g_assert_cmpuint (g_list_model_get_n_items (cria_chat_store_get_chats (store)), ==, 1);
  close_and_finalize (g_steal_pointer (&store));
}

static void
test_damaged_page (void)
{
  g_autofree char *path = test_db_path ("damaged.db");
  g_autoptr(CriaChatStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *big = g_strnfill (3000, 'x');
  gsize length;
  sqlite3 *db;

  /* A real database whose pages after the first were overwritten: the
   * header reads fine, the integrity check does not. */
  store = open_store (path);
  for (guint i = 0; i < 3; i++)
    {
      gint64 chat_id = create_chat (store, "Damaged");

      for (guint j = 0; j < 20; j++)
        append_text (store, chat_id, CRIA_MESSAGE_ROLE_USER, big);
    }
  close_and_finalize (g_steal_pointer (&store));

  db = raw_open (path, TRUE);
  g_assert_cmpint (raw_int (db, "PRAGMA page_count"), >, 10);
  sqlite3_close (db);

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  memset (contents + 4096, 0x5a, length - 4096);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);

  store = cria_chat_store_new (path);
  g_assert_true (cria_chat_store_open (store, &error));
  g_assert_no_error (error);
  g_assert_nonnull (cria_chat_store_get_recovered_from (store));
  g_assert_cmpuint (g_list_model_get_n_items (cria_chat_store_get_chats (store)), ==, 0);
  create_chat (store, "Fresh");
  close_and_finalize (g_steal_pointer (&store));
}

static void
test_damage_found_in_background (void)
{
  g_autofree char *path = test_db_path ("later.db");
  g_autofree char *marker = g_strconcat (path, CRIA_CHAT_STORE_CHECK_SUFFIX, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(CriaChatStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char needle[] = "DAMAGEMARKER-0001";
  gsize length;
  gsize page_size;
  gsize found = 0;
  gint64 chat_id;
  gint64 deadline;
  sqlite3 *db;

  store = open_store (path);
  chat_id = create_chat (store, "Damaged later");
  for (guint i = 0; i < 30; i++)
    append_text (store, chat_id, CRIA_MESSAGE_ROLE_USER, "Some text that fills a page or two.");
  append_text (store, chat_id, CRIA_MESSAGE_ROLE_USER, needle);
  close_and_finalize (g_steal_pointer (&store));

  db = raw_open (path, TRUE);
  page_size = raw_int (db, "PRAGMA page_size");
  sqlite3_close (db);

  /* Wreck the page that holds the message: nothing reads it at open. */
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  for (gsize i = page_size; i + sizeof needle - 1 <= length && found == 0; i++)
    {
      if (memcmp (contents + i, needle, sizeof needle - 1) == 0)
        found = i;
    }
  g_assert_cmpuint (found, >=, page_size);
  memset (contents + found / page_size * page_size, 0x5a, page_size);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);

  /* The open is quick and fine; the check in the background finds the
   * damage and leaves a note for the next start… */
  store = open_store (path);
  g_assert_null (cria_chat_store_get_recovered_from (store));
  g_assert_cmpuint (g_list_model_get_n_items (cria_chat_store_get_chats (store)), ==, 1);
  deadline = g_get_monotonic_time () + CRIA_TEST_DEADLINE_SECONDS * G_USEC_PER_SEC;
  while (!g_file_test (marker, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
  close_and_finalize (g_steal_pointer (&store));

  /* …which moves the file aside. */
  store = open_store (path);
  g_assert_nonnull (cria_chat_store_get_recovered_from (store));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (g_list_model_get_n_items (cria_chat_store_get_chats (store)), ==, 0);
  close_and_finalize (g_steal_pointer (&store));
}

/* Chats */

static void
test_chat_crud (void)
{
  g_autofree char *path = test_db_path ("crud.db");
  g_autoptr(CriaChatStore) store = open_store (path);
  g_autoptr(JsonObject) options = json_object_new ();
  g_autoptr(GError) error = NULL;
  CriaChatInfo *info;
  guint title_notifies = 0;
  gint64 id;

  json_object_set_double_member (options, "temperature", 0.2);
  json_object_set_int_member (options, "num_ctx", 8192);
  json_object_set_int_member (options, "seed", 7);

  id = cria_chat_store_create_chat (store, NULL, "http://localhost:11434", "llama3.2",
                                    "Be brief.", options, &error);
  g_assert_no_error (error);
  info = cria_chat_store_lookup_chat (store, id);
  g_assert_nonnull (info);
  g_assert_true (info == nth_chat (store, 0));
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "");
  g_assert_cmpstr (cria_chat_info_get_system_prompt (info), ==, "Be brief.");
  g_assert_true (json_object_equal (cria_chat_info_get_options (info), options));
  g_assert_cmpint (cria_chat_info_get_created_at (info), ==, cria_chat_info_get_updated_at (info));

  g_signal_connect (info, "notify::title", G_CALLBACK (count_notify_cb), &title_notifies);
  g_assert_true (cria_chat_store_rename_chat (store, id, "Short answers", &error));
  g_assert_no_error (error);
  g_assert_true (cria_chat_store_rename_chat (store, id, "Short answers", &error));
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Short answers");
  g_assert_cmpuint (title_notifies, ==, 1);

  g_assert_true (cria_chat_store_set_chat_model (store, id, "http://gpu:11434", "qwen3", &error));
  g_assert_true (cria_chat_store_set_chat_system_prompt (store, id, NULL, &error));
  json_object_set_int_member (options, "num_ctx", 2048);
  g_assert_true (cria_chat_store_set_chat_options (store, id, options, &error));
  g_assert_true (cria_chat_store_set_chat_pinned (store, id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cria_chat_info_get_think (info), ==, CRIA_THINK_MODE_DEFAULT);
  g_assert_true (cria_chat_store_set_chat_think (store, id, CRIA_THINK_MODE_OFF, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cria_chat_info_get_think (info), ==, CRIA_THINK_MODE_OFF);

  /* Unknown ids are an error, not a crash. */
  g_assert_false (cria_chat_store_rename_chat (store, id + 100, "x", &error));
  g_assert_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  close_and_finalize (g_steal_pointer (&store));

  /* All of it was written. */
  store = open_store (path);
  info = cria_chat_store_lookup_chat (store, id);
  g_assert_nonnull (info);
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Short answers");
  g_assert_cmpstr (cria_chat_info_get_backend_url (info), ==, "http://gpu:11434");
  g_assert_cmpstr (cria_chat_info_get_model (info), ==, "qwen3");
  g_assert_null (cria_chat_info_get_system_prompt (info));
  g_assert_cmpint (json_object_get_int_member (cria_chat_info_get_options (info), "num_ctx"),
                   ==, 2048);
  g_assert_cmpint (cria_chat_info_get_think (info), ==, CRIA_THINK_MODE_OFF);
  g_assert_true (cria_chat_info_get_pinned (info));

  /* Back to the server's default */
  g_assert_true (cria_chat_store_set_chat_think (store, id, CRIA_THINK_MODE_ON, &error));
  g_assert_true (cria_chat_store_set_chat_think (store, id, CRIA_THINK_MODE_DEFAULT, &error));
  g_assert_no_error (error);
  close_and_finalize (g_steal_pointer (&store));
  store = open_store (path);
  info = cria_chat_store_lookup_chat (store, id);
  g_assert_cmpint (cria_chat_info_get_think (info), ==, CRIA_THINK_MODE_DEFAULT);
  close_and_finalize (g_steal_pointer (&store));
}

static void
test_generated_title (void)
{
  g_autofree char *path = test_db_path ("titles.db");
  g_autoptr(CriaChatStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  CriaChatInfo *info;
  guint title_notifies = 0;
  gint64 id, other;

  id = create_chat (store, "How do I feed a starter");
  other = create_chat (store, "Another first line");
  info = cria_chat_store_lookup_chat (store, id);
  g_signal_connect (info, "notify::title", G_CALLBACK (count_notify_cb), &title_notifies);

  /* A generated title replaces the first line… */
  g_assert_true (cria_chat_store_set_generated_title (store, id, "Sourdough Starter Care", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Sourdough Starter Care");
  g_assert_cmpuint (title_notifies, ==, 1);

  /* …and another generated one replaces it… */
  g_assert_true (cria_chat_store_set_generated_title (store, id, "Feeding a Starter", &error));
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Feeding a Starter");

  /* …but never the user's, not even after a restart. */
  g_assert_true (cria_chat_store_rename_chat (store, id, "Bread", &error));
  g_assert_true (cria_chat_store_set_generated_title (store, id, "Something Else", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cria_chat_info_get_title (info), ==, "Bread");
  g_assert_cmpuint (title_notifies, ==, 3);

  close_and_finalize (g_steal_pointer (&store));
  store = open_store (path);
  g_assert_true (cria_chat_store_set_generated_title (store, id, "Something Else", &error));
  g_assert_true (cria_chat_store_set_generated_title (store, other, "Other Chat", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cria_chat_info_get_title (cria_chat_store_lookup_chat (store, id)), ==, "Bread");
  g_assert_cmpstr (cria_chat_info_get_title (cria_chat_store_lookup_chat (store, other)), ==,
                   "Other Chat");

  g_assert_false (cria_chat_store_set_generated_title (store, other + 100, "x", &error));
  g_assert_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_NOT_FOUND);

  close_and_finalize (g_steal_pointer (&store));
}

typedef struct
{
  guint n_signals;
  guint removed;
  guint added;
} ItemsChanged;

static void
items_changed_cb (GListModel   *model,
                  guint         position,
                  guint         removed,
                  guint         added,
                  ItemsChanged *changes)
{
  changes->n_signals++;
  changes->removed += removed;
  changes->added += added;
}

static void
test_chat_order (void)
{
  g_autofree char *path = test_db_path ("order.db");
  g_autoptr(CriaChatStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  ItemsChanged changes = { 0, };
  g_autofree char *titles = NULL;
  gint64 a, b, c;

  a = create_chat (store, "A");
  b = create_chat (store, "B");
  c = create_chat (store, "C");

#define ASSERT_TITLES(expected)                   \
  G_STMT_START {                                  \
    g_free (titles);                              \
    titles = list_titles (store);                 \
    g_assert_cmpstr (titles, ==, expected);       \
  } G_STMT_END

  ASSERT_TITLES ("C,B,A");

  g_signal_connect (cria_chat_store_get_chats (store), "items-changed",
                    G_CALLBACK (items_changed_cb), &changes);

  /* Activity moves a chat up. */
  append_text (store, a, CRIA_MESSAGE_ROLE_USER, "Hello");
  ASSERT_TITLES ("A,C,B");
  g_assert_cmpuint (changes.n_signals, >, 0);

  /* Activity in the chat on top emits nothing. */
  changes.n_signals = 0;
  append_text (store, a, CRIA_MESSAGE_ROLE_USER, "Again");
  g_assert_cmpuint (changes.n_signals, ==, 0);

  /* Renaming is not activity. */
  g_assert_true (cria_chat_store_rename_chat (store, b, "B2", &error));
  ASSERT_TITLES ("A,C,B2");

  /* Pinned chats come first, newest activity first among them. */
  g_assert_true (cria_chat_store_set_chat_pinned (store, b, TRUE, &error));
  ASSERT_TITLES ("B2,A,C");
  g_assert_true (cria_chat_store_set_chat_pinned (store, c, TRUE, &error));
  ASSERT_TITLES ("C,B2,A");
  append_text (store, b, CRIA_MESSAGE_ROLE_USER, "Pinned and active");
  ASSERT_TITLES ("B2,C,A");
  g_assert_true (cria_chat_store_set_chat_pinned (store, c, FALSE, &error));
  ASSERT_TITLES ("B2,A,C");

  /* Trash and undo. */
  changes = (ItemsChanged) { 0, };
  g_assert_true (cria_chat_store_trash_chat (store, a, &error));
  ASSERT_TITLES ("B2,C");
  g_assert_cmpuint (changes.removed, ==, 1);
  g_assert_nonnull (cria_chat_store_lookup_chat (store, a));
  g_assert_true (cria_chat_store_restore_chat (store, a, &error));
  ASSERT_TITLES ("B2,A,C");
  g_assert_no_error (error);

  /* The order survives a restart, and a chat left in the trash at quit
   * is gone. */
  g_assert_true (cria_chat_store_trash_chat (store, c, &error));
  close_and_finalize (g_steal_pointer (&store));
  store = open_store (path);
  ASSERT_TITLES ("B2,A");
  g_assert_null (cria_chat_store_lookup_chat (store, c));
  g_assert_cmpint (count_rows (path, "SELECT COUNT (*) FROM chats"), ==, 2);

#undef ASSERT_TITLES

  close_and_finalize (g_steal_pointer (&store));
}

static char *
list_contents (GPtrArray *messages)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < messages->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "," : "",
                            cria_chat_message_get_content (g_ptr_array_index (messages, i)));

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_delete_message (void)
{
  g_autofree char *path = test_db_path ("delete-message.db");
  g_autoptr(CriaChatStore) store = open_store (path);
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CriaChatMessage) unsaved = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, "x");
  g_autofree char *contents = NULL;
  g_autofree char *positions = NULL;
  sqlite3 *db;
  gint64 id, other;

  id = create_chat (store, "Chat");
  other = create_chat (store, "Other");
  append_text (store, id, CRIA_MESSAGE_ROLE_USER, "one");
  append_text (store, id, CRIA_MESSAGE_ROLE_ASSISTANT, "two");
  append_text (store, id, CRIA_MESSAGE_ROLE_USER, "three");
  append_text (store, id, CRIA_MESSAGE_ROLE_ASSISTANT, "four");
  append_text (store, other, CRIA_MESSAGE_ROLE_USER, "elsewhere");

  messages = load (store, id);
  g_assert_true (cria_chat_store_delete_message (store, g_ptr_array_index (messages, 1), &error));
  g_assert_no_error (error);
  g_assert_cmpint (cria_chat_store_get_message_id (g_ptr_array_index (messages, 1)), ==, 0);
  g_clear_pointer (&messages, g_ptr_array_unref);

  /* The rest keeps its order, with positions 0, 1, 2 and no gap */
  messages = load (store, id);
  contents = list_contents (messages);
  g_assert_cmpstr (contents, ==, "one,three,four");
  db = raw_open (path, TRUE);
  positions = raw_text (db, "SELECT group_concat (position, ',') FROM "
                            "(SELECT position FROM messages WHERE chat_id = 1 ORDER BY position)");
  g_assert_cmpstr (positions, ==, "0,1,2");
  g_assert_cmpint (raw_int (db, "SELECT position FROM messages WHERE chat_id = 2"), ==, 0);
  sqlite3_close (db);

  /* The last one, then appending goes on after what is left */
  g_assert_true (cria_chat_store_delete_message (store, g_ptr_array_index (messages, 2), &error));
  append_text (store, id, CRIA_MESSAGE_ROLE_ASSISTANT, "five");
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = load (store, id);
  g_clear_pointer (&contents, g_free);
  contents = list_contents (messages);
  g_assert_cmpstr (contents, ==, "one,three,five");

  /* And the search forgets it */
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = cria_chat_store_search (store, "two", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 0);

  /* A message never saved is an error, not a crash */
  g_assert_false (cria_chat_store_delete_message (store, unsaved, &error));
  g_assert_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_NOT_FOUND);

  close_and_finalize (g_steal_pointer (&store));
}

static void
test_delete_cascades (void)
{
  g_autofree char *path = test_db_path ("cascade.db");
  g_autoptr(CriaChatStore) store = open_store (path);
  g_autoptr(CriaChatMessage) message = NULL;
  g_autoptr(GBytes) image = g_bytes_new_static ("\x89PNG", 4);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  gint64 doomed, kept;

  doomed = create_chat (store, "Doomed");
  kept = create_chat (store, "Kept");
  message = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, "zanzibar picture");
  cria_chat_message_add_image (message, image);
  cria_chat_store_append_message (store, doomed, message, &error);
  g_assert_no_error (error);
  append_text (store, doomed, CRIA_MESSAGE_ROLE_ASSISTANT, "A zanzibar sunset.");
  append_text (store, kept, CRIA_MESSAGE_ROLE_USER, "Nothing about islands.");

  g_assert_cmpint (count_rows (path, "SELECT COUNT (*) FROM images"), ==, 1);

  g_assert_true (cria_chat_store_delete_chat (store, doomed, &error));
  g_assert_no_error (error);
  g_assert_null (cria_chat_store_lookup_chat (store, doomed));
  g_assert_cmpuint (g_list_model_get_n_items (cria_chat_store_get_chats (store)), ==, 1);
  g_assert_cmpint (count_rows (path, "SELECT COUNT (*) FROM messages"), ==, 1);
  g_assert_cmpint (count_rows (path, "SELECT COUNT (*) FROM images"), ==, 0);

  /* Gone from the index too. */
  results = cria_chat_store_search (store, "zanzibar", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = cria_chat_store_search (store, "doomed", 10, &error);
  g_assert_cmpuint (results->len, ==, 0);

  g_assert_false (cria_chat_store_delete_chat (store, doomed, &error));
  g_assert_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_NOT_FOUND);

  close_and_finalize (g_steal_pointer (&store));
}

/* Messages */

static void
test_messages (void)
{
  g_autofree char *path = test_db_path ("messages.db");
  g_autoptr(CriaChatStore) store = open_store (path);
  g_autoptr(CriaChatMessage) reply = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) calls = json_from_string ("[{\"function\":{\"name\":\"f\"}}]", NULL);
  CriaChatMetrics metrics = { .done_reason = (char *) "stop", .eval_count = 3, .eval_duration = 9 };
  gint64 chat_id;
  gint64 id;

  chat_id = create_chat (store, "Messages");
  append_text (store, chat_id, CRIA_MESSAGE_ROLE_SYSTEM, "You are terse.");
  append_text (store, chat_id, CRIA_MESSAGE_ROLE_USER, "Hi");

  reply = cria_chat_message_new (CRIA_MESSAGE_ROLE_ASSISTANT, "Hel");
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_STREAMING);
  id = cria_chat_store_append_message (store, chat_id, reply, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cria_chat_store_get_message_id (reply), ==, id);
  g_assert_cmpint (cria_chat_store_get_message_created_at (reply), >, 0);

  cria_chat_message_append_content (reply, "lo.");
  cria_chat_message_append_thinking (reply, "Greet back.");
  cria_chat_message_add_tool_calls (reply, json_node_get_array (calls));
  cria_chat_message_set_metrics (reply, &metrics);
  cria_chat_message_set_model (reply, "llama3.2");
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_true (cria_chat_store_update_message (store, reply, &error));
  g_assert_no_error (error);

  append_text (store, chat_id, CRIA_MESSAGE_ROLE_USER, "Bye");

  messages = load (store, chat_id);
  g_assert_cmpuint (messages->len, ==, 4);
  g_assert_cmpstr (cria_chat_message_get_content (g_ptr_array_index (messages, 0)), ==,
                   "You are terse.");
  g_assert_cmpint (cria_chat_message_get_role (g_ptr_array_index (messages, 0)), ==,
                   CRIA_MESSAGE_ROLE_SYSTEM);
  assert_messages_equal (g_ptr_array_index (messages, 2), reply);
  g_clear_pointer (&messages, g_ptr_array_unref);

  /* Edit and resend: everything from the edited message on goes. */
  g_assert_true (cria_chat_store_delete_messages_from (store, chat_id, 1, &error));
  g_assert_no_error (error);
  append_text (store, chat_id, CRIA_MESSAGE_ROLE_USER, "Hello there");
  messages = load (store, chat_id);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (cria_chat_message_get_content (g_ptr_array_index (messages, 1)), ==,
                   "Hello there");
  g_assert_cmpint (count_rows (path, "SELECT MAX (position) FROM messages"), ==, 1);

  /* A deleted message cannot be updated. */
  g_assert_false (cria_chat_store_update_message (store, reply, &error));
  g_assert_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Deleting a reply that streams stops tracking it; one before the
   * deleted part stays tracked. */
  {
    g_autoptr(CriaChatMessage) kept = cria_chat_message_new (CRIA_MESSAGE_ROLE_ASSISTANT, NULL);
    g_autoptr(CriaChatMessage) gone = cria_chat_message_new (CRIA_MESSAGE_ROLE_ASSISTANT, NULL);
    guint writes;

    cria_chat_message_set_state (kept, CRIA_MESSAGE_STATE_STREAMING);
    cria_chat_message_set_state (gone, CRIA_MESSAGE_STATE_STREAMING);
    cria_chat_store_track_reply (store, chat_id, kept, &error);
    cria_chat_store_track_reply (store, chat_id, gone, &error);
    g_assert_no_error (error);

    g_assert_true (cria_chat_store_delete_messages_from (store, chat_id, 3, &error));
    writes = _cria_chat_store_get_n_reply_writes (store);
    cria_chat_message_append_content (gone, "lost");
    cria_chat_message_set_state (gone, CRIA_MESSAGE_STATE_COMPLETE);
    g_assert_cmpuint (_cria_chat_store_get_n_reply_writes (store), ==, writes);

    cria_chat_message_append_content (kept, "kept");
    cria_chat_message_set_state (kept, CRIA_MESSAGE_STATE_COMPLETE);
    g_assert_cmpuint (_cria_chat_store_get_n_reply_writes (store), ==, writes + 1);
    g_clear_pointer (&messages, g_ptr_array_unref);
    messages = load (store, chat_id);
    g_assert_cmpuint (messages->len, ==, 3);
    g_assert_cmpstr (cria_chat_message_get_content (g_ptr_array_index (messages, 2)), ==, "kept");
  }

  close_and_finalize (g_steal_pointer (&store));
}

/* Search */

static void
test_fts_query (void)
{
  static const struct {
    const char *input;
    const char *query;
  } cases[] = {
    { "hello", "\"hello\"*" },
    { "  hello   world", "\"hello\" \"world\"*" },
    { "hello world ", "\"hello\" \"world\"" },
    { "say \"this\"", "\"say\" \"\"\"this\"\"\"*" },
    { "a AND b OR NOT c", "\"a\" \"AND\" \"b\" \"OR\" \"NOT\" \"c\"" },
    { "col:umn -x ^y", "\"col:umn\" \"-x\" \"^y\"" },
    { "rust li", "\"rust\" \"li\"" },
    { "* - \" ()", NULL },
    { "", NULL },
    { "café", "\"café\"*" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *query = _cria_chat_store_build_fts_query (cases[i].input);

      g_assert_cmpstr (query, ==, cases[i].query);
    }
}

static const CriaChatSearchResult *
nth_result (GPtrArray *results,
            guint      i)
{
  return g_ptr_array_index (results, i);
}

static void
assert_matches_word (const CriaChatSearchResult *result,
                     guint                       match,
                     const char                 *word)
{
  const CriaChatSearchMatch *m;
  g_autofree char *found = NULL;

  g_assert_cmpuint (result->matches->len, >, match);
  m = &g_array_index (result->matches, CriaChatSearchMatch, match);
  g_assert_cmpuint (m->start + m->length, <=, strlen (result->snippet));
  found = g_strndup (result->snippet + m->start, m->length);
  g_assert_cmpstr (found, ==, word);
}

static void
test_search (void)
{
  g_autofree char *path = test_db_path ("search.db");
  g_autoptr(CriaChatStore) store = open_store (path);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *long_text = NULL;
  const CriaChatSearchResult *result;
  gint64 bread, code, trashed;
  gint64 message_id;

  bread = create_chat (store, "Baking bread");
  code = create_chat (store, "Rust help");
  trashed = create_chat (store, "Old bread notes");

  append_text (store, bread, CRIA_MESSAGE_ROLE_USER, "How long do I knead the dough?");
  message_id = append_text (store, bread, CRIA_MESSAGE_ROLE_ASSISTANT,
                            "Knead the dough for ten minutes,\n\nuntil it is smooth.");
  append_text (store, code, CRIA_MESSAGE_ROLE_USER, "```rust\nfn main() { knead(); }\n```");
  append_text (store, code, CRIA_MESSAGE_ROLE_ASSISTANT, "Crème brûlée is not Rust.");
  append_text (store, trashed, CRIA_MESSAGE_ROLE_USER, "Knead knead knead.");
  g_assert_true (cria_chat_store_trash_chat (store, trashed, &error));

  /* A word in a title. */
  results = cria_chat_store_search (store, "bread", 20, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  result = nth_result (results, 0);
  g_assert_cmpint (result->chat_id, ==, bread);
  g_assert_cmpint (result->message_id, ==, 0);
  g_assert_cmpint (result->position, ==, -1);
  g_assert_cmpstr (result->snippet, ==, "Baking bread");
  assert_matches_word (result, 0, "bread");
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Words in messages, case-insensitively, with the snippet on one line
   * and the offsets pointing at the words. */
  results = cria_chat_store_search (store, "KNEAD smooth", 20, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  result = nth_result (results, 0);
  g_assert_cmpint (result->chat_id, ==, bread);
  g_assert_cmpint (result->message_id, ==, message_id);
  g_assert_cmpint (result->position, ==, 1);
  g_assert_cmpstr (result->snippet, ==, "Knead the dough for ten minutes, until it is smooth.");
  g_assert_cmpuint (result->matches->len, ==, 2);
  assert_matches_word (result, 0, "Knead");
  assert_matches_word (result, 1, "smooth");
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Ranked: the message saying "knead" twice… once each here, and code
   * is searched as text; the trashed chat is not searched. */
  results = cria_chat_store_search (store, "knead", 20, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 3);
  for (guint i = 0; i < results->len; i++)
    g_assert_cmpint (nth_result (results, i)->chat_id, !=, trashed);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* The last word is a prefix: search as you type. */
  results = cria_chat_store_search (store, "ten min", 20, &error);
  g_assert_cmpuint (results->len, ==, 1);
  assert_matches_word (nth_result (results, 0), 1, "minutes");
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Accents fold. */
  results = cria_chat_store_search (store, "creme brulee", 20, &error);
  g_assert_cmpuint (results->len, ==, 1);
  assert_matches_word (nth_result (results, 0), 0, "Crème");
  assert_matches_word (nth_result (results, 0), 1, "brûlée");
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Query syntax is just text. */
  results = cria_chat_store_search (store, "\"dough AND (NOT", 20, &error);
  g_assert_no_error (error);
  g_clear_pointer (&results, g_ptr_array_unref);
  results = cria_chat_store_search (store, "*", 20, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 0);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* The limit holds across titles and messages. */
  results = cria_chat_store_search (store, "knead", 2, &error);
  g_assert_cmpuint (results->len, ==, 2);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Renames and edits are indexed; the restored chat is found again. */
  g_assert_true (cria_chat_store_rename_chat (store, code, "Borrow checker", &error));
  results = cria_chat_store_search (store, "rust", 20, &error);
  g_assert_cmpuint (results->len, ==, 2); /* the two messages, not the old title */
  g_clear_pointer (&results, g_ptr_array_unref);
  g_assert_true (cria_chat_store_restore_chat (store, trashed, &error));
  results = cria_chat_store_search (store, "knead", 20, &error);
  g_assert_cmpuint (results->len, ==, 4);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* A long message gives a cut snippet around the match. */
  long_text = g_strdup_printf ("%s needle %s",
                               "lorem ipsum dolor sit amet consectetur adipiscing elit sed do "
                               "eiusmod tempor incididunt ut labore et dolore magna aliqua",
                               "ut enim ad minim veniam quis nostrud exercitation ullamco laboris "
                               "nisi ut aliquip ex ea commodo consequat");
  append_text (store, code, CRIA_MESSAGE_ROLE_USER, long_text);
  results = cria_chat_store_search (store, "needle", 20, &error);
  g_assert_cmpuint (results->len, ==, 1);
  result = nth_result (results, 0);
  g_assert_cmpuint (strlen (result->snippet), <, strlen (long_text));
  g_assert_true (g_str_has_prefix (result->snippet, "…"));
  assert_matches_word (result, 0, "needle");

  close_and_finalize (g_steal_pointer (&store));
}

static void
test_search_async (void)
{
  g_autofree char *path = test_db_path ("search-async.db");
  g_autoptr(CriaChatStore) store = open_store (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 chat_id = create_chat (store, "Async");

  append_text (store, chat_id, CRIA_MESSAGE_ROLE_USER, "Threads have their own connection.");

  cria_chat_store_search_async (store, "connection", 10, NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  results = cria_chat_store_search_finish (store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  assert_matches_word (nth_result (results, 0), 0, "connection");
  g_clear_pointer (&results, g_ptr_array_unref);
  g_clear_object (&result);

  g_cancellable_cancel (cancellable);
  cria_chat_store_search_async (store, "connection", 10, cancellable,
                                cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  results = cria_chat_store_search_finish (store, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (results);
  g_clear_object (&result); /* the task holds the store */

  close_and_finalize (g_steal_pointer (&store));
}

/* Streamed replies */

typedef struct
{
  CriaChatMessage *reply;
  guint            n_tokens;
  guint            max_tokens;
} Streamer;

static gboolean
stream_token_cb (gpointer user_data)
{
  Streamer *streamer = user_data;

  if (streamer->n_tokens == streamer->max_tokens)
    return G_SOURCE_REMOVE;

  cria_chat_message_append_content (streamer->reply, "tok ");
  if (streamer->n_tokens % 10 == 0)
    cria_chat_message_append_thinking (streamer->reply, "hm ");
  streamer->n_tokens++;

  return G_SOURCE_CONTINUE;
}

static void
test_track_reply (void)
{
  g_autofree char *path = test_db_path ("track.db");
  g_autoptr(CriaChatStore) store = open_store (path);
  g_autoptr(CriaChatMessage) reply = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *saved = NULL;
  CriaChatMetrics metrics = { .done_reason = (char *) "stop", .eval_count = 300 };
  Streamer streamer = { NULL, 0, 300 };
  guint content_notifies = 0;
  guint writes_while_streaming;
  gint64 chat_id, reply_id;
  gint64 before_finish;
  gboolean saw_partial = FALSE;
  sqlite3 *reader;

  chat_id = create_chat (store, "Streaming");
  append_text (store, chat_id, CRIA_MESSAGE_ROLE_USER, "Talk to me.");

  reply = cria_chat_message_new (CRIA_MESSAGE_ROLE_ASSISTANT, NULL);
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_STREAMING);
  g_signal_connect (reply, "notify::content", G_CALLBACK (count_notify_cb), &content_notifies);

  reply_id = cria_chat_store_track_reply (store, chat_id, reply, &error);
  g_assert_no_error (error);
  g_assert_cmpint (reply_id, >, 0);
  g_assert_cmpint (cria_chat_store_track_reply (store, chat_id, reply, &error), ==, reply_id);

  /* The row is there at once, streaming and empty. */
  reader = raw_open (path, TRUE);
  sql = g_strdup_printf ("SELECT state FROM messages WHERE id = %" G_GINT64_FORMAT, reply_id);
  saved = raw_text (reader, sql);
  g_assert_cmpstr (saved, ==, "streaming");
  g_clear_pointer (&saved, g_free);
  g_clear_pointer (&sql, g_free);
  g_assert_cmpuint (_cria_chat_store_get_n_reply_writes (store), ==, 0);

  /* 300 tokens, one every 5 ms: 1.5 s of streaming. While it streams, what
   * another reader sees is a prefix of the reply, written in batches. */
  streamer.reply = reply;
  g_timeout_add (5, stream_token_cb, &streamer);
  sql = g_strdup_printf ("SELECT content FROM messages WHERE id = %" G_GINT64_FORMAT, reply_id);
  while (streamer.n_tokens < streamer.max_tokens)
    {
      g_main_context_iteration (NULL, TRUE);
      g_free (saved);
      saved = raw_text (reader, sql);
      if (saved[0] != '\0' && streamer.n_tokens < streamer.max_tokens)
        {
          g_assert_true (g_str_has_prefix (cria_chat_message_get_content (reply), saved));
          saw_partial = TRUE;
        }
    }
  g_assert_true (saw_partial);
  g_assert_cmpuint (content_notifies, ==, 300);

  /* About one write per interval, not one per token. */
  writes_while_streaming = _cria_chat_store_get_n_reply_writes (store);
  g_test_message ("%u writes for %u tokens", writes_while_streaming, content_notifies);
  g_assert_cmpuint (writes_while_streaming, >=, 1);
  g_assert_cmpuint (writes_while_streaming, <=, 10);

  /* Leaving the streaming state writes the whole reply once more and
   * stops tracking; it counts as activity in the chat. */
  before_finish = cria_chat_info_get_updated_at (cria_chat_store_lookup_chat (store, chat_id));
  cria_chat_message_set_metrics (reply, &metrics);
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_cmpuint (_cria_chat_store_get_n_reply_writes (store), ==, writes_while_streaming + 1);
  g_assert_cmpint (cria_chat_info_get_updated_at (cria_chat_store_lookup_chat (store, chat_id)),
                   >, before_finish);

  g_free (saved);
  saved = raw_text (reader, sql);
  g_assert_cmpstr (saved, ==, cria_chat_message_get_content (reply));
  sqlite3_close (reader);

  cria_chat_message_append_content (reply, "late");
  cria_test_run_for (CRIA_CHAT_STORE_SAVE_INTERVAL_MS + 200);
  g_assert_cmpuint (_cria_chat_store_get_n_reply_writes (store), ==, writes_while_streaming + 1);

  close_and_finalize (g_steal_pointer (&store));

  store = open_store (path);
  messages = load (store, chat_id);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpint (cria_chat_message_get_state (g_ptr_array_index (messages, 1)), ==,
                   CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_cmpuint (strlen (cria_chat_message_get_content (g_ptr_array_index (messages, 1))),
                    ==, 300 * strlen ("tok "));
  g_assert_cmpuint (strlen (cria_chat_message_get_thinking (g_ptr_array_index (messages, 1))),
                    ==, 30 * strlen ("hm "));
  g_assert_cmpint (cria_chat_message_get_metrics (g_ptr_array_index (messages, 1))->eval_count,
                   ==, 300);
  close_and_finalize (g_steal_pointer (&store));
}

static void
test_streaming_becomes_incomplete (void)
{
  g_autofree char *path = test_db_path ("restart.db");
  g_autoptr(CriaChatStore) store = open_store (path);
  g_autoptr(CriaChatMessage) reply = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  gint64 chat_id = create_chat (store, "Interrupted");

  reply = cria_chat_message_new (CRIA_MESSAGE_ROLE_ASSISTANT, "Half a");
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_STREAMING);
  cria_chat_store_track_reply (store, chat_id, reply, &error);
  g_assert_no_error (error);
  cria_chat_message_append_content (reply, " sentence");

  /* Closing writes what there is, still streaming: the app went away. */
  close_and_finalize (g_steal_pointer (&store));
  g_assert_cmpint (count_rows (path, "SELECT COUNT (*) FROM messages WHERE state = 'streaming'"),
                   ==, 1);

  store = open_store (path);
  messages = load (store, chat_id);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_cmpstr (cria_chat_message_get_content (g_ptr_array_index (messages, 0)), ==,
                   "Half a sentence");
  g_assert_cmpint (cria_chat_message_get_state (g_ptr_array_index (messages, 0)), ==,
                   CRIA_MESSAGE_STATE_INCOMPLETE);
  close_and_finalize (g_steal_pointer (&store));
}

/* Crash safety: a real process, killed with SIGKILL mid-stream. */

static gboolean
parse_token_line (const char *line,
                  guint      *token,
                  gint64     *time)
{
  char *end;

  *token = (guint) g_ascii_strtoull (line, &end, 10);
  if (end == line || *end != ' ')
    return FALSE;
  *time = g_ascii_strtoll (end + 1, NULL, 10);
  return TRUE;
}

static void
test_crash_safety (void)
{
  g_autofree char *path = test_db_path ("crash.db");
  g_autoptr(GSubprocess) writer = NULL;
  g_autoptr(CriaChatStore) store = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) token_times = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  CriaChatMessage *reply;
  const char *content;
  gint64 deadline;
  gint64 last_time = 0;
  gint64 saved_time;
  guint last_token = 0;
  guint saved_tokens = 0;
  gsize saved_length = 0;
  sqlite3 *reader = NULL;

  writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             STORE_WRITER, path, NULL);
  g_assert_no_error (error);

  /* Wait until a reader sees part of the reply. */
  deadline = g_get_monotonic_time () + CRIA_TEST_DEADLINE_SECONDS * G_USEC_PER_SEC;
  while (saved_length == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);

      if (reader == NULL && g_file_test (path, G_FILE_TEST_EXISTS))
        reader = raw_open (path, TRUE);
      if (reader != NULL)
        {
          sqlite3_stmt *stmt = NULL;

          if (sqlite3_prepare_v2 (reader,
                                  "SELECT length (content) FROM messages "
                                  "WHERE role = 'assistant' AND state = 'streaming'",
                                  -1, &stmt, NULL) == SQLITE_OK &&
              sqlite3_step (stmt) == SQLITE_ROW)
            saved_length = sqlite3_column_int64 (stmt, 0);
          sqlite3_finalize (stmt);
        }
    }
  sqlite3_close (reader);

  /* A few more batches, then kill it in the middle of whatever it does. */
  g_usleep (1300 * 1000);
  g_subprocess_send_signal (writer, SIGKILL);
  g_subprocess_wait (writer, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (writer));
  g_assert_cmpint (g_subprocess_get_term_sig (writer), ==, SIGKILL);

  g_subprocess_communicate_utf8 (writer, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (output, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "ready "));
  for (guint i = 1; lines[i] != NULL; i++)
    {
      gint64 time;
      guint token;

      /* The last line may be cut by the kill. */
      if (!parse_token_line (lines[i], &token, &time) || lines[i + 1] == NULL)
        continue;
      g_hash_table_insert (token_times, GUINT_TO_POINTER (token), g_memdup2 (&time, sizeof time));
      last_token = token;
      last_time = time;
    }
  g_assert_cmpuint (last_token, >, 100);

  /* The store opens the file normally: the reply is there, incomplete,
   * holding the text up to a recent batch. */
  store = open_store (path);
  g_assert_null (cria_chat_store_get_recovered_from (store));
  g_assert_cmpuint (g_list_model_get_n_items (cria_chat_store_get_chats (store)), ==, 1);
  messages = load (store, cria_chat_info_get_id (nth_chat (store, 0)));
  g_assert_cmpuint (messages->len, ==, 2);
  reply = g_ptr_array_index (messages, 1);
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_INCOMPLETE);

  /* The saved text is exactly "w0 w1 … wN " for some N. */
  content = cria_chat_message_get_content (reply);
  {
    g_autoptr(GString) expected = g_string_new (NULL);

    while (expected->len < strlen (content))
      g_string_append_printf (expected, "w%u ", saved_tokens++);
    g_assert_cmpstr (content, ==, expected->str);
  }
  g_assert_cmpuint (saved_tokens, >, 0);
  g_assert_cmpuint (saved_tokens - 1, <=, last_token + 1);

  /* And it lost less than a second of tokens. */
  if (saved_tokens - 1 < last_token)
    {
      gint64 *time = g_hash_table_lookup (token_times, GUINT_TO_POINTER (saved_tokens - 1));

      g_assert_nonnull (time);
      saved_time = *time;
    }
  else
    saved_time = last_time;

  g_test_message ("Saved %u of %u tokens; lost %" G_GINT64_FORMAT " ms",
                  saved_tokens, last_token + 1, (last_time - saved_time) / 1000);
  g_assert_cmpint (last_time - saved_time, <, G_USEC_PER_SEC);

  close_and_finalize (g_steal_pointer (&store));
}

/* Export and import */

static GBytes *
export_chat (CriaChatStore        *store,
             gint64                chat_id,
             CriaChatExportFormat  format)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  cria_chat_store_export_async (store, chat_id, format, NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  bytes = cria_chat_store_export_finish (store, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);

  return bytes;
}

static gint64
import_chat (CriaChatStore  *store,
             GBytes         *bytes,
             GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cria_chat_store_import_async (store, bytes, NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  return cria_chat_store_import_finish (store, result, error);
}

static gint64
make_rich_chat (CriaChatStore *store)
{
  g_autoptr(JsonObject) options = json_object_new ();
  g_autoptr(CriaChatMessage) question = NULL;
  g_autoptr(CriaChatMessage) answer = NULL;
  g_autoptr(CriaChatMessage) failed = NULL;
  g_autoptr(GBytes) png = g_bytes_new_static ("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(JsonNode) calls = json_from_string ("[{\"function\":{\"name\":\"get_weather\","
                                                "\"arguments\":{\"city\":\"Paris\"}}}]", NULL);
  g_autoptr(GError) client_error = g_error_new_literal (CRIA_CLIENT_ERROR,
                                                        CRIA_CLIENT_ERROR_CONNECTION_LOST,
                                                        "connection reset");
  CriaChatMetrics metrics = {
    .done_reason = (char *) "stop",
    .total_duration = 5000000000, .load_duration = 1000, .prompt_eval_count = 26,
    .prompt_eval_duration = 130000000, .eval_count = 298, .eval_duration = 4700000000,
  };
  g_autoptr(GError) error = NULL;
  gint64 chat_id;

  json_object_set_double_member (options, "temperature", 0.8);
  json_object_set_int_member (options, "num_ctx", 16384);
  json_object_set_boolean_member (options, "think", TRUE);

  chat_id = cria_chat_store_create_chat (store, "Weather in \"Paris\"\nand more",
                                         "http://localhost:11434", "qwen3:8b",
                                         "Answer in French.", options, &error);
  g_assert_no_error (error);
  g_assert_true (cria_chat_store_set_chat_pinned (store, chat_id, TRUE, &error));

  question = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, "What's this, and the weather? ☀️");
  cria_chat_message_add_image (question, png);
  cria_chat_message_add_image (question, empty);
  cria_chat_store_append_message (store, chat_id, question, &error);
  g_assert_no_error (error);

  answer = cria_chat_message_new (CRIA_MESSAGE_ROLE_ASSISTANT,
                                  "A PNG header.\n\n```python\nprint(\"il fait beau\")\n```\n");
  cria_chat_message_append_thinking (answer, "Look at the bytes.");
  cria_chat_message_add_tool_calls (answer, json_node_get_array (calls));
  cria_chat_message_set_model (answer, "qwen3:8b");
  cria_chat_message_set_metrics (answer, &metrics);
  cria_chat_store_append_message (store, chat_id, answer, &error);
  g_assert_no_error (error);

  append_text (store, chat_id, CRIA_MESSAGE_ROLE_TOOL, "{\"temp\": 21}");

  failed = cria_chat_message_new (CRIA_MESSAGE_ROLE_ASSISTANT, "Il fait");
  cria_chat_message_set_state (failed, CRIA_MESSAGE_STATE_INCOMPLETE);
  cria_chat_message_set_error (failed, client_error);
  cria_chat_message_set_model (failed, "qwen3:8b");
  cria_chat_store_append_message (store, chat_id, failed, &error);
  g_assert_no_error (error);

  return chat_id;
}

static void
test_export_import (void)
{
  g_autofree char *path = test_db_path ("export.db");
  g_autoptr(CriaChatStore) store = open_store (path);
  g_autoptr(GBytes) json = NULL;
  g_autoptr(GBytes) json_again = NULL;
  g_autoptr(GBytes) markdown = NULL;
  g_autoptr(GPtrArray) original = NULL;
  g_autoptr(GPtrArray) imported = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  CriaChatInfo *a, *b;
  JsonObject *root;
  const char *text;
  gint64 chat_id, copy_id;

  chat_id = make_rich_chat (store);
  g_assert_true (cria_chat_store_set_chat_think (store, chat_id, CRIA_THINK_MODE_OFF, &error));
  g_assert_no_error (error);

  json = export_chat (store, chat_id, CRIA_CHAT_EXPORT_FORMAT_JSON);
  json_parser_load_from_data (parser, g_bytes_get_data (json, NULL), g_bytes_get_size (json),
                              &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "cria-chat");
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "messages")), ==, 4);
  g_assert_false (json_object_get_boolean_member (root, "think"));

  copy_id = import_chat (store, json, &error);
  g_assert_no_error (error);
  g_assert_cmpint (copy_id, >, chat_id);

  /* The copy is in the list, and equal. */
  a = cria_chat_store_lookup_chat (store, chat_id);
  b = cria_chat_store_lookup_chat (store, copy_id);
  g_assert_nonnull (b);
  g_assert_true (b == nth_chat (store, 0));
  g_assert_cmpstr (cria_chat_info_get_title (a), ==, cria_chat_info_get_title (b));
  g_assert_cmpstr (cria_chat_info_get_model (a), ==, cria_chat_info_get_model (b));
  g_assert_cmpstr (cria_chat_info_get_backend_url (a), ==, cria_chat_info_get_backend_url (b));
  g_assert_cmpstr (cria_chat_info_get_system_prompt (a), ==,
                   cria_chat_info_get_system_prompt (b));
  g_assert_true (json_object_equal (cria_chat_info_get_options (a),
                                    cria_chat_info_get_options (b)));
  g_assert_cmpint (cria_chat_info_get_pinned (a), ==, cria_chat_info_get_pinned (b));
  g_assert_cmpint (cria_chat_info_get_think (b), ==, CRIA_THINK_MODE_OFF);
  g_assert_cmpint (cria_chat_info_get_created_at (a), ==, cria_chat_info_get_created_at (b));

  original = load (store, chat_id);
  imported = load (store, copy_id);
  g_assert_cmpuint (original->len, ==, imported->len);
  for (guint i = 0; i < original->len; i++)
    assert_messages_equal (g_ptr_array_index (original, i), g_ptr_array_index (imported, i));

  /* Exporting the copy gives the same file but for the activity time. */
  json_again = export_chat (store, copy_id, CRIA_CHAT_EXPORT_FORMAT_JSON);
  {
    g_autoptr(JsonParser) again = json_parser_new ();
    JsonObject *root_again;

    json_parser_load_from_data (again, g_bytes_get_data (json_again, NULL),
                                g_bytes_get_size (json_again), &error);
    g_assert_no_error (error);
    root_again = json_node_get_object (json_parser_get_root (again));
    json_object_remove_member (root, "updated_at");
    json_object_remove_member (root_again, "updated_at");
    g_assert_true (json_object_equal (root, root_again));
  }

  /* Markdown: the title as the heading, a heading per message, the text
   * as written. */
  markdown = export_chat (store, chat_id, CRIA_CHAT_EXPORT_FORMAT_MARKDOWN);
  text = g_bytes_get_data (markdown, NULL);
  g_assert_true (g_utf8_validate_len (text, g_bytes_get_size (markdown), NULL));
  {
    g_autofree char *copy = g_strndup (text, g_bytes_get_size (markdown));

    g_assert_true (g_str_has_prefix (copy, "# Weather in \"Paris\" and more\n\n"));
    g_assert_nonnull (strstr (copy, "## User\n\nWhat's this, and the weather? ☀️\n\n"
                                    "*2 images attached*\n\n"));
    g_assert_nonnull (strstr (copy, "## Assistant (qwen3:8b)\n\n<details>\n"
                                    "<summary>Thinking</summary>\n\nLook at the bytes.\n\n"
                                    "</details>\n\nA PNG header.\n\n"
                                    "```python\nprint(\"il fait beau\")\n```\n\n## Tool\n"));
    g_assert_nonnull (strstr (copy, "Il fait\n\n*This reply is incomplete.*\n"));
    g_assert_true (g_str_has_suffix (copy, "incomplete.*\n"));
  }

  close_and_finalize (g_steal_pointer (&store));
}

static void
test_import_invalid (void)
{
  static const char * const bad[] = {
    "",
    "not json at all",
    "\xff\xfe{}",
    "[]",
    "{\"format\": \"something-else\", \"version\": 1, \"messages\": []}",
    "{\"version\": 1, \"messages\": []}",
    "{\"format\": \"cria-chat\", \"version\": 2, \"messages\": []}",
    "{\"format\": \"cria-chat\", \"version\": 0.5, \"messages\": []}",
    "{\"format\": \"cria-chat\", \"version\": 1}",
    "{\"format\": \"cria-chat\", \"version\": 1, \"messages\": {}}",
    "{\"format\": \"cria-chat\", \"version\": 1, \"title\": 3, \"messages\": []}",
    "{\"format\": \"cria-chat\", \"version\": 1, \"messages\": [42]}",
    "{\"format\": \"cria-chat\", \"version\": 1, \"messages\": ["
      "{\"role\": \"user\", \"content\": \"fine\"},"
      "{\"role\": \"wizard\", \"content\": \"not fine\"}]}",
    "{\"format\": \"cria-chat\", \"version\": 1, \"messages\": ["
      "{\"role\": \"user\"}]}",
    "{\"format\": \"cria-chat\", \"version\": 1, \"messages\": ["
      "{\"role\": \"user\", \"content\": \"x\", \"images\": [\"not base64!\"]}]}",
    "{\"format\": \"cria-chat\", \"version\": 1, \"messages\": ["
      "{\"role\": \"user\", \"content\": \"x\", \"state\": \"sleepy\"}]}",
    "{\"format\": \"cria-chat\", \"version\": 1, \"messages\": ["
      "{\"role\": \"user\", \"content\": \"x\", \"created_at\": \"yesterday\"}]}",
    "{\"format\": \"cria-chat\", \"version\": 1, \"messages\": ["
      "{\"role\": \"assistant\", \"content\": \"x\", \"metrics\": {\"eval_count\": \"many\"}}]}",
    "{\"format\": \"cria-chat\", \"version\": 1, \"messages\": ["
      "{\"role\": \"assistant\", \"content\": \"x\", \"error\": {\"code\": 1}}]}",
    "{\"format\": \"cria-chat\", \"version\": 1, \"messages\": [] ",
  };
  static const char good_json[] =
    "{\"format\": \"cria-chat\", \"version\": 1, \"title\": \"T\", "
    "\"messages\": [{\"role\": \"user\", \"content\": \"one\"}, "
    "{\"role\": \"user\", \"content\": \"boom\"}]}";
  g_autofree char *path = test_db_path ("import.db");
  g_autoptr(CriaChatStore) store = open_store (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) good = NULL;
  sqlite3 *db;

  create_chat (store, "Existing");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (bad[i], strlen (bad[i]));

      g_assert_cmpint (import_chat (store, bytes, &error), ==, 0);
      g_assert_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_INVALID_DATA);
      g_test_message ("%u: %s", i, error->message);
      g_clear_error (&error);
    }

  g_assert_cmpuint (g_list_model_get_n_items (cria_chat_store_get_chats (store)), ==, 1);
  g_assert_cmpint (count_rows (path, "SELECT COUNT (*) FROM chats"), ==, 1);
  g_assert_cmpint (count_rows (path, "SELECT COUNT (*) FROM messages"), ==, 0);

  /* A file that is valid but fails while being written leaves nothing
   * either: the whole import is one transaction. */
  db = raw_open (path, FALSE);
  raw_exec (db, "CREATE TRIGGER fail_import BEFORE INSERT ON messages "
                "WHEN new.content = 'boom' BEGIN SELECT RAISE (ABORT, 'disk on fire'); END");
  sqlite3_close (db);

  good = g_bytes_new_static (good_json, strlen (good_json));
  g_assert_cmpint (import_chat (store, good, &error), ==, 0);
  g_assert_error (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (cria_chat_store_get_chats (store)), ==, 1);
  g_assert_cmpint (count_rows (path, "SELECT COUNT (*) FROM chats"), ==, 1);
  g_assert_cmpint (count_rows (path, "SELECT COUNT (*) FROM messages"), ==, 0);

  close_and_finalize (g_steal_pointer (&store));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/cria/chat-store/default-path", test_default_path);
  g_test_add_func ("/cria/chat-store/migrations/v1-is-the-first-schema",
                   test_v1_is_the_first_schema);
  g_test_add_func ("/cria/chat-store/migrations/from-v1", test_migrate_from_v1);
  g_test_add_func ("/cria/chat-store/migrations/too-new", test_too_new);
  g_test_add_func ("/cria/chat-store/recovery/not-a-database", test_corrupt_file);
  g_test_add_func ("/cria/chat-store/recovery/damaged-page", test_damaged_page);
  g_test_add_func ("/cria/chat-store/recovery/damage-found-in-background",
                   test_damage_found_in_background);
  g_test_add_func ("/cria/chat-store/chats/crud", test_chat_crud);
  g_test_add_func ("/cria/chat-store/chats/order", test_chat_order);
  g_test_add_func ("/cria/chat-store/chats/generated-title", test_generated_title);
  g_test_add_func ("/cria/chat-store/chats/delete-cascades", test_delete_cascades);
  g_test_add_func ("/cria/chat-store/messages", test_messages);
  g_test_add_func ("/cria/chat-store/messages/delete-one", test_delete_message);
  g_test_add_func ("/cria/chat-store/search/query", test_fts_query);
  g_test_add_func ("/cria/chat-store/search/titles-and-messages", test_search);
  g_test_add_func ("/cria/chat-store/search/async", test_search_async);
  g_test_add_func ("/cria/chat-store/replies/track", test_track_reply);
  g_test_add_func ("/cria/chat-store/replies/streaming-becomes-incomplete",
                   test_streaming_becomes_incomplete);
  g_test_add_func ("/cria/chat-store/replies/crash-safety", test_crash_safety);
  g_test_add_func ("/cria/chat-store/export-import/round-trip", test_export_import);
  g_test_add_func ("/cria/chat-store/export-import/invalid", test_import_invalid);

  return g_test_run ();
}
