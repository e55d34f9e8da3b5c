/* bench-store.c: the chat store on a large history
 *
 * Fills a fresh store, through its API, with 100,000 messages: one chat of
 * 10,000 and 900 chats of 100, of generated text (a Zipf-like vocabulary,
 * some code blocks). Then measures, each against a baseline run on the
 * same file in the same run:
 *
 * - search (FTS5, cria_chat_store_search ()) for words of every
 *   frequency, against the same words searched with `LIKE '%word%'`
 *   (what a store without an index has to do);
 * - loading the 10,000-message chat (cria_chat_store_load_messages ()),
 *   against stepping the same rows without building messages;
 * - opening the store (integrity check included), a streamed-reply write,
 *   and an async search (thread and connection included).
 *
 * A benchmark, not a test: it prints figures, and PASS or MISS against
 * its budgets (search p95 under 50 ms, loading 10,000 messages under
 * 250 ms); it fails only when something could not run. No display needed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cria-core.h"
#include "cria-chat-store-private.h"

#include "bench-utils.h"

#define SEARCH_BUDGET_MS 50.0
#define LOAD_BUDGET_MS   250.0

static int n_messages = 100000;
static int big_chat = 10000;
static int reps = 15;
static char *keep_path;

static const GOptionEntry entries[] = {
  { "messages", 'm', 0, G_OPTION_ARG_INT, &n_messages, "Messages in all (100000)", "N" },
  { "big-chat", 'b', 0, G_OPTION_ARG_INT, &big_chat, "Messages in the big chat (10000)", "N" },
  { "reps", 'r', 0, G_OPTION_ARG_INT, &reps, "Repetitions of each measure (15)", "N" },
  { "keep", 'k', 0, G_OPTION_ARG_FILENAME, &keep_path,
    "Build the database here and keep it (reused when it exists)", "PATH" },
  { NULL }
};

/* Statistics */

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* Generated text */

static const char * const common[] = {
  "the", "a", "to", "of", "and", "in", "is", "it", "you", "that", "for", "on", "with",
  "this", "be", "can", "are", "as", "not", "or", "if", "use", "your", "will", "an",
};

static const char * const syllables[] = {
  "ka", "lo", "mi", "ra", "te", "su", "no", "vi", "de", "po", "an", "el", "or", "un",
  "fi", "ga", "be", "to", "ze", "qu", "ni", "sha", "tor", "len", "mar", "pol", "ric",
};

static GPtrArray *vocabulary;

static void
build_vocabulary (GRand *rand)
{
  vocabulary = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (common); i++)
    g_ptr_array_add (vocabulary, g_strdup (common[i]));

  /* Words the searches look for, at known ranks. */
  g_ptr_array_add (vocabulary, g_strdup ("function"));     /* frequent */
  g_ptr_array_add (vocabulary, g_strdup ("memory"));

  while (vocabulary->len < 20000)
    {
      GString *word = g_string_new (NULL);
      guint n = g_rand_int_range (rand, 2, 5);

      for (guint i = 0; i < n; i++)
        g_string_append (word, syllables[g_rand_int_range (rand, 0, G_N_ELEMENTS (syllables))]);
      g_ptr_array_add (vocabulary, g_string_free (word, FALSE));
    }

  /* Rare words, far down the list. */
  g_ptr_array_index (vocabulary, 5000) = (g_free (g_ptr_array_index (vocabulary, 5000)),
                                          g_strdup ("sourdough"));
  g_ptr_array_index (vocabulary, 19000) = (g_free (g_ptr_array_index (vocabulary, 19000)),
                                           g_strdup ("zeppelin"));
}

/* Zipf-like: rank r with probability ~ 1/r. */
static const char *
pick_word (GRand *rand)
{
  double u = g_rand_double (rand);
  guint rank = (guint) (exp (u * log (vocabulary->len + 1.0))) - 1;

  return g_ptr_array_index (vocabulary, MIN (rank, vocabulary->len - 1));
}

static char *
make_text (GRand *rand)
{
  GString *text = g_string_new (NULL);
  guint n = g_rand_int_range (rand, 8, 120);

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (text, i % 17 == 0 ? '\n' : ' ');
      g_string_append (text, pick_word (rand));
    }

  if (g_rand_int_range (rand, 0, 8) == 0)
    g_string_append_printf (text, "\n\n```c\nint\n%s (void)\n{\n  return %u;\n}\n```\n",
                            pick_word (rand), g_rand_int (rand) % 100);

  return g_string_free (text, FALSE);
}

static void
fill_chat (CriaChatStore *store,
           GRand         *rand,
           gint64         chat_id,
           int            count)
{
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < count; i++)
    {
      g_autofree char *text = make_text (rand);
      g_autoptr(CriaChatMessage) message = NULL;

      message = cria_chat_message_new (i % 2 == 0 ? CRIA_MESSAGE_ROLE_USER
                                                  : CRIA_MESSAGE_ROLE_ASSISTANT,
                                       text);
      if (i % 2 == 1)
        {
          CriaChatMetrics metrics = { .done_reason = (char *) "stop", .eval_count = 100,
                                      .eval_duration = 1000000000 };

          cria_chat_message_set_model (message, "llama3.2");
          cria_chat_message_set_metrics (message, &metrics);
        }

      if (cria_chat_store_append_message (store, chat_id, message, &error) == 0)
        g_error ("Could not append: %s", error->message);
    }
}

static gint64
fill (CriaChatStore *store)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20250131);
  g_autoptr(GError) error = NULL;
  int small_chats = (n_messages - big_chat) / 100;
  gint64 big_id;
  double start;

  build_vocabulary (rand);

  start = now_ms ();
  big_id = cria_chat_store_create_chat (store, "The long one", NULL, "llama3.2", NULL, NULL,
                                        &error);
  g_assert_no_error (error);
  fill_chat (store, rand, big_id, big_chat);

  for (int c = 0; c < small_chats; c++)
    {
      g_autofree char *title = g_strdup_printf ("%s %s", pick_word (rand), pick_word (rand));
      gint64 chat_id = cria_chat_store_create_chat (store, title, NULL, "llama3.2", NULL, NULL,
                                                    &error);

      g_assert_no_error (error);
      fill_chat (store, rand, chat_id, 100);
    }

  printf ("Filled %d messages in %d chats through the API: %.1f s (%.0f µs a message)\n",
          big_chat + small_chats * 100, small_chats + 1, (now_ms () - start) / 1000.0,
          (now_ms () - start) * 1000.0 / (big_chat + small_chats * 100));

  return big_id;
}

/* Search */

static const char * const queries[] = {
  "function",           /* frequent */
  "memory",             /* frequent */
  "sourdough",          /* rare */
  "zeppelin",           /* very rare */
  "function memory",    /* two words */
  "mar",                /* a prefix: search as you type */
  "nothingmatchesthis", /* no hit */
};

static double
like_search (sqlite3    *db,
             const char *word)
{
  g_autofree char *pattern = g_strdup_printf ("%%%s%%", word);
  sqlite3_stmt *stmt = NULL;
  double start = now_ms ();
  G_GNUC_UNUSED int rows = 0;

  if (sqlite3_prepare_v2 (db,
                          "SELECT chat_id, id, content FROM messages WHERE content LIKE ?1 "
                          "ORDER BY created_at DESC LIMIT 50", -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s", sqlite3_errmsg (db));
  sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    rows++;
  sqlite3_finalize (stmt);

  return now_ms () - start;
}

static void
bench_search (CriaChatStore *store)
{
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) all_like = g_array_new (FALSE, FALSE, sizeof (double));
  sqlite3 *db = NULL;
  double p95;

  if (sqlite3_open_v2 (cria_chat_store_get_path (store), &db,
                       SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("Could not open the database");

  printf ("\nSearch, %d runs each, limit 50 (ms)\n", reps);
  printf ("%-22s %7s %8s %8s %10s %8s\n", "query", "hits", "median", "p95", "LIKE med", "ratio");

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) like_times = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GError) error = NULL;
      guint hits = 0;

      for (int r = 0; r < reps; r++)
        {
          g_autoptr(GPtrArray) results = NULL;
          double start = now_ms ();
          double elapsed;

          results = cria_chat_store_search (store, queries[q], 50, &error);
          elapsed = now_ms () - start;
          g_assert_no_error (error);
          hits = results->len;
          g_array_append_val (times, elapsed);
          g_array_append_val (all, elapsed);

          /* The baseline looks for the first word, as a substring. */
          if (r < MAX (3, reps / 5))
            {
              g_auto(GStrv) words = g_strsplit (queries[q], " ", 2);

              elapsed = like_search (db, words[0]);
              g_array_append_val (like_times, elapsed);
              g_array_append_val (all_like, elapsed);
            }
        }

      printf ("%-22s %7u %8.2f %8.2f %10.1f %7.0f×\n", queries[q], hits,
              bench_percentile (times, 0.5), bench_percentile (times, 0.95),
              bench_percentile (like_times, 0.5),
              bench_percentile (like_times, 0.5) / MAX (bench_percentile (times, 0.5), 0.001));
    }

  p95 = bench_percentile (all, 0.95);
  printf ("All queries: median %.2f ms, p95 %.2f ms; LIKE median %.1f ms\n",
          bench_percentile (all, 0.5), p95, bench_percentile (all_like, 0.5));
  printf ("%s: search p95 %.2f ms, budget %.0f ms\n",
          p95 <= SEARCH_BUDGET_MS ? "PASS" : "MISS", p95, SEARCH_BUDGET_MS);

  sqlite3_close (db);
}

static void
search_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
bench_search_async (CriaChatStore *store)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (int r = 0; r < reps; r++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) results = NULL;
      g_autoptr(GError) error = NULL;
      double start = now_ms ();
      double elapsed;

      cria_chat_store_search_async (store, queries[r % G_N_ELEMENTS (queries)], 50, NULL,
                                    search_done_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      results = cria_chat_store_search_finish (store, result, &error);
      g_assert_no_error (error);
      elapsed = now_ms () - start;
      g_array_append_val (times, elapsed);
    }

  printf ("Async search (thread + own connection), all queries: median %.2f ms, p95 %.2f ms\n",
          bench_percentile (times, 0.5), bench_percentile (times, 0.95));
}

/* Loading a chat */

static double
raw_load (sqlite3 *db,
          gint64   chat_id)
{
  sqlite3_stmt *stmt = NULL;
  double start = now_ms ();
  G_GNUC_UNUSED gsize bytes = 0;

  if (sqlite3_prepare_v2 (db,
                          "SELECT id, role, content, thinking, tool_calls, state, model, "
                          "created_at, done_reason, total_duration, load_duration, "
                          "prompt_eval_count, prompt_eval_duration, eval_count, eval_duration, "
                          "error_domain, error_code, error_message "
                          "FROM messages WHERE chat_id = ?1 ORDER BY position",
                          -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s", sqlite3_errmsg (db));
  sqlite3_bind_int64 (stmt, 1, chat_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    bytes += sqlite3_column_bytes (stmt, 2);
  sqlite3_finalize (stmt);

  return now_ms () - start;
}

static void
bench_load (CriaChatStore *store,
            gint64         chat_id)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) raw_times = g_array_new (FALSE, FALSE, sizeof (double));
  sqlite3 *db = NULL;
  guint n = 0;
  double median;

  if (sqlite3_open_v2 (cria_chat_store_get_path (store), &db,
                       SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("Could not open the database");

  for (int r = 0; r < reps; r++)
    {
      g_autoptr(GPtrArray) messages = NULL;
      g_autoptr(GError) error = NULL;
      double start = now_ms ();
      double elapsed;

      messages = cria_chat_store_load_messages (store, chat_id, &error);
      elapsed = now_ms () - start;
      g_assert_no_error (error);
      n = messages->len;
      g_array_append_val (times, elapsed);

      elapsed = raw_load (db, chat_id);
      g_array_append_val (raw_times, elapsed);
    }
  sqlite3_close (db);

  median = bench_percentile (times, 0.5);
  printf ("\nLoad a chat of %u messages, %d runs (ms): median %.1f, p95 %.1f; "
          "stepping the rows alone: median %.1f (%.1f× of it)\n",
          n, reps, median, bench_percentile (times, 0.95), bench_percentile (raw_times, 0.5),
          median / MAX (bench_percentile (raw_times, 0.5), 0.001));
  printf ("%s: load %.1f ms, budget %.0f ms\n",
          bench_verdict (median <= LOAD_BUDGET_MS), median, LOAD_BUDGET_MS);
}

/* Opening and streamed writes */

static double
timed_open (const char *path)
{
  g_autoptr(CriaChatStore) store = cria_chat_store_new (path);
  g_autoptr(GError) error = NULL;
  double start = now_ms ();
  double elapsed;

  if (!cria_chat_store_open (store, &error))
    g_error ("Could not open: %s", error->message);
  elapsed = now_ms () - start;
  cria_chat_store_close (store);

  return elapsed;
}

static void
bench_open (const char *path)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) checked_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) bare_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *marker = g_strconcat (path, CRIA_CHAT_STORE_CHECK_SUFFIX, NULL);
  GStatBuf st;

  for (int r = 0; r < MIN (reps, 5); r++)
    {
      sqlite3 *db = NULL;
      double elapsed;

      /* A normal start; the full check then runs in a thread: let it end. */
      elapsed = timed_open (path);
      g_array_append_val (times, elapsed);
      g_usleep (G_USEC_PER_SEC);

      /* A start after a crash, or after damage was found: checked first. */
      g_file_set_contents (marker, "", 0, NULL);
      elapsed = timed_open (path);
      g_array_append_val (checked_times, elapsed);

      /* Baseline: a bare open that reads the schema. */
      elapsed = now_ms ();
      sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL);
      sqlite3_exec (db, "SELECT COUNT (*) FROM chats", NULL, NULL, NULL);
      sqlite3_close (db);
      elapsed = now_ms () - elapsed;
      g_array_append_val (bare_times, elapsed);
    }

  g_stat (path, &st);
  printf ("\nOpen the store (%.0f MiB; the chats list loaded), median: %.1f ms; "
          "after a crash (quick_check first): %.1f ms; a bare sqlite3_open + one query: %.2f ms\n",
          st.st_size / (1024.0 * 1024.0), bench_percentile (times, 0.5),
          bench_percentile (checked_times, 0.5), bench_percentile (bare_times, 0.5));
}

static void
bench_reply_write (CriaChatStore *store,
                   gint64         chat_id)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(CriaChatMessage) reply = cria_chat_message_new (CRIA_MESSAGE_ROLE_ASSISTANT, NULL);
  g_autoptr(GError) error = NULL;

  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_STREAMING);
  cria_chat_store_append_message (store, chat_id, reply, &error);
  g_assert_no_error (error);

  /* A reply growing to ~20 kB, written the way the tracker writes it. */
  for (int i = 0; i < 40; i++)
    {
      double start;
      double elapsed;

      for (int t = 0; t < 100; t++)
        cria_chat_message_append_content (reply, "token ");

      start = now_ms ();
      if (!cria_chat_store_update_message (store, reply, &error))
        g_error ("%s", error->message);
      elapsed = now_ms () - start;
      g_array_append_val (times, elapsed);
    }

  printf ("Write a streamed reply (up to %zu bytes, FTS kept in sync): median %.2f ms, "
          "max %.2f ms\n",
          cria_chat_message_get_content_length (reply), bench_percentile (times, 0.5),
          bench_percentile (times, 1.0));

  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_COMPLETE);
  cria_chat_store_update_message (store, reply, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- chat store benchmark");
  g_autoptr(CriaChatStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *path = NULL;
  gint64 big_id = 0;
  gboolean reuse;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (n_messages < big_chat || big_chat < 1 || reps < 1)
    {
      g_printerr ("Need --messages >= --big-chat >= 1 and --reps >= 1\n");
      return 2;
    }

  if (keep_path != NULL)
    path = g_strdup (keep_path);
  else
    {
      folder = g_dir_make_tmp ("bench-store-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (folder, "cria.db", NULL);
    }
  reuse = g_file_test (path, G_FILE_TEST_EXISTS);

  printf ("SQLite %s; %s\n", sqlite3_libversion (), path);

  store = cria_chat_store_new (path);
  if (!cria_chat_store_open (store, &error))
    {
      g_printerr ("Could not open the store: %s\n", error->message);
      return 1;
    }

  if (reuse)
    {
      GListModel *chats = cria_chat_store_get_chats (store);

      for (guint i = 0; i < g_list_model_get_n_items (chats); i++)
        {
          g_autoptr(CriaChatInfo) info = g_list_model_get_item (chats, i);

          if (g_str_equal (cria_chat_info_get_title (info), "The long one"))
            big_id = cria_chat_info_get_id (info);
        }
      printf ("Reusing the database\n");
    }
  else
    big_id = fill (store);

  if (big_id == 0)
    {
      g_printerr ("No big chat in the database\n");
      return 1;
    }

  bench_search (store);
  bench_search_async (store);
  bench_load (store, big_id);
  bench_reply_write (store, big_id);

  cria_chat_store_close (store);
  bench_open (path);

  g_clear_object (&store);
  g_clear_pointer (&vocabulary, g_ptr_array_unref);

  if (folder != NULL)
    {
      const char *suffixes[] = { "", "-wal", "-shm" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

          g_unlink (file);
        }
      g_rmdir (folder);
    }

  return 0;
}
