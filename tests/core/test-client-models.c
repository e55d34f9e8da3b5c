/* test-client-models.c: the model calls of CriaClient against the simulator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include "cria-core.h"
#include "cria-test-server.h"
#include "cria-test-utils.h"

typedef struct
{
  CriaTestServer *server;
  SoupSession    *session;
  CriaClient     *client;
} Fixture;

typedef struct
{
  GPtrArray  *statuses;
  GHashTable *layers;        /* digest → last completed */
  gint64      max_total;
  guint       lines;
} Progress;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *url = NULL;

  fixture->server = cria_test_server_new ();
  cria_test_server_start (fixture->server, 0, &error);
  g_assert_no_error (error);
  cria_test_server_set_pull_timing (fixture->server, 2, 0);

  url = cria_test_server_dup_url (fixture->server);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  fixture->session = soup_session_new_with_options ("timeout", 0, NULL);
  fixture->client = cria_client_new (fixture->session, uri);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->client);
  soup_session_abort (fixture->session);
  g_clear_object (&fixture->session);
  cria_test_server_stop (fixture->server);
  g_clear_object (&fixture->server);
}

static void
progress_cb (const CriaProgressLine *line,
             gpointer                user_data)
{
  Progress *progress = user_data;

  progress->lines++;
  if (progress->statuses->len == 0 ||
      !g_str_equal (g_ptr_array_index (progress->statuses, progress->statuses->len - 1), line->status))
    g_ptr_array_add (progress->statuses, g_strdup (line->status));

  if (line->digest != NULL)
    {
      g_assert_cmpint (line->completed, <=, line->total);
      g_hash_table_insert (progress->layers, g_strdup (line->digest),
                           g_memdup2 (&line->completed, sizeof line->completed));
      progress->max_total = MAX (progress->max_total, line->total);
    }
}

static gboolean
has_status (Progress   *progress,
            const char *status)
{
  for (guint i = 0; i < progress->statuses->len; i++)
    if (g_str_equal (g_ptr_array_index (progress->statuses, i), status))
      return TRUE;

  return FALSE;
}

static gboolean
run_pull (Fixture       *fixture,
          const char    *model,
          Progress      *progress,
          GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  progress->statuses = g_ptr_array_new_with_free_func (g_free);
  progress->layers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  cria_client_pull_async (fixture->client, model, progress_cb, progress, NULL,
                          NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);

  return cria_client_pull_finish (fixture->client, result, error);
}

static void
progress_clear (Progress *progress)
{
  g_clear_pointer (&progress->statuses, g_ptr_array_unref);
  g_clear_pointer (&progress->layers, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Progress, progress_clear)

static void
test_pull (Fixture       *fixture,
           gconstpointer  data)
{
  g_auto(Progress) progress = { 0 };
  g_autoptr(GError) error = NULL;

  cria_test_server_add_registry_model (fixture->server, "tinyllama:1.1b", NULL);
  g_assert_true (run_pull (fixture, "tinyllama:1.1b", &progress, &error));
  g_assert_no_error (error);

  g_assert_true (has_status (&progress, "pulling manifest"));
  g_assert_true (has_status (&progress, "verifying sha256 digest"));
  g_assert_true (has_status (&progress, "writing manifest"));
  g_assert_cmpstr (g_ptr_array_index (progress.statuses, progress.statuses->len - 1), ==, "success");
  /* Several layers, each reported as it grows. */
  g_assert_cmpuint (g_hash_table_size (progress.layers), >, 1);
  g_assert_cmpuint (progress.lines, >, g_hash_table_size (progress.layers) + 4);
  g_assert_true (cria_test_server_has_model (fixture->server, "tinyllama:1.1b"));
}

static void
test_pull_unknown (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(Progress) progress = { 0 };
  g_autoptr(GError) error = NULL;

  /* 200, then a status line, then the error line. */
  g_assert_false (run_pull (fixture, "no-such-model:1b", &progress, &error));
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_SERVER);
  g_assert_cmpstr (error->message, ==, "pull model manifest: file does not exist");
  g_assert_true (has_status (&progress, "pulling manifest"));
}

static void
test_pull_cancel (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Progress) progress = { 0 };

  cria_test_server_set_pull_timing (fixture->server, 30, 0);
  cria_test_server_add_registry_model (fixture->server, "tinyllama:1.1b", NULL);
  progress.statuses = g_ptr_array_new_with_free_func (g_free);
  progress.layers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  cria_client_pull_async (fixture->client, "tinyllama:1.1b", progress_cb, &progress, NULL,
                          cancellable, cria_test_store_result_cb, &result);
  cria_test_wait_until (g_hash_table_size (progress.layers) > 0);
  g_cancellable_cancel (cancellable);
  cria_test_wait_until (result != NULL);

  g_assert_false (cria_client_pull_finish (fixture->client, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  cria_test_wait_until (cria_test_server_get_cancellations (fixture->server) == 1);
  g_assert_false (cria_test_server_has_model (fixture->server, "tinyllama:1.1b"));
}

static void
test_delete (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) missing = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (cria_test_server_has_model (fixture->server, "llama3.2"));
  cria_client_delete_async (fixture->client, "llama3.2", NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  g_assert_true (cria_client_delete_finish (fixture->client, result, &error));
  g_assert_no_error (error);
  g_assert_false (cria_test_server_has_model (fixture->server, "llama3.2"));

  cria_client_delete_async (fixture->client, "llama3.2", NULL, cria_test_store_result_cb, &missing);
  cria_test_wait_until (missing != NULL);
  g_assert_false (cria_client_delete_finish (fixture->client, missing, &error));
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND);
}

static void
test_copy (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) missing = NULL;
  g_autoptr(GError) error = NULL;

  cria_client_copy_async (fixture->client, "llama3.2", "my-llama:backup", NULL,
                          cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  g_assert_true (cria_client_copy_finish (fixture->client, result, &error));
  g_assert_no_error (error);
  g_assert_true (cria_test_server_has_model (fixture->server, "my-llama:backup"));

  cria_client_copy_async (fixture->client, "nope:1b", "other:1b", NULL,
                          cria_test_store_result_cb, &missing);
  cria_test_wait_until (missing != NULL);
  g_assert_false (cria_client_copy_finish (fixture->client, missing, &error));
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND);
}

static void
create_progress_cb (const CriaProgressLine *line,
                    gpointer                user_data)
{
  (*(guint *) user_data)++;
}

static void
test_create (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) parameters = json_object_new ();
  g_autofree char *body = NULL;
  guint lines = 0;

  json_object_set_double_member (parameters, "temperature", 0.2);
  cria_client_create_async (fixture->client, "pirate:latest", "llama3.2", "Talk like a pirate.",
                            parameters, create_progress_cb, &lines, NULL,
                            NULL, cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  g_assert_true (cria_client_create_finish (fixture->client, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lines, >, 1);
  g_assert_true (cria_test_server_has_model (fixture->server, "pirate:latest"));

  body = cria_test_server_dup_last_body (fixture->server, "/api/create");
  g_assert_nonnull (strstr (body, "\"from\":\"llama3.2\""));
  g_assert_nonnull (strstr (body, "Talk like a pirate."));
  g_assert_nonnull (strstr (body, "\"temperature\""));
}

static void
ignore_chunk_cb (const CriaChatChunk *chunk,
                 gpointer             user_data)
{
}

static void
test_running_and_unload (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GAsyncResult) chat_result = NULL;
  g_autoptr(GAsyncResult) ps_result = NULL;
  g_autoptr(GAsyncResult) unload_result = NULL;
  g_autoptr(GAsyncResult) empty_result = NULL;
  g_autoptr(CriaChatRequest) request = cria_chat_request_new ("qwen3:0.6b");
  g_autoptr(CriaChatMessage) message = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, "hi");
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GPtrArray) running = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GError) error = NULL;
  CriaRunningModel *model;

  /* A chat loads the model. */
  cria_chat_request_add_message (request, message);
  cria_client_chat_async (fixture->client, request, ignore_chunk_cb, NULL, NULL,
                          NULL, cria_test_store_result_cb, &chat_result);
  cria_test_wait_until (chat_result != NULL);
  metrics = cria_client_chat_finish (fixture->client, chat_result, &error);
  g_assert_no_error (error);

  cria_client_list_running_async (fixture->client, NULL, cria_test_store_result_cb, &ps_result);
  cria_test_wait_until (ps_result != NULL);
  running = cria_client_list_running_finish (fixture->client, ps_result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (running->len, ==, 1);
  model = g_ptr_array_index (running, 0);
  g_assert_cmpstr (cria_running_model_get_name (model), ==, "qwen3:0.6b");
  g_assert_cmpint (cria_running_model_get_size (model), >, 0);
  g_assert_nonnull (cria_running_model_get_expires_at (model));

  cria_client_unload_async (fixture->client, "qwen3:0.6b", NULL, cria_test_store_result_cb, &unload_result);
  cria_test_wait_until (unload_result != NULL);
  g_assert_true (cria_client_unload_finish (fixture->client, unload_result, &error));
  g_assert_no_error (error);
  g_assert_false (cria_test_server_is_model_loaded (fixture->server, "qwen3:0.6b"));

  {
    g_autofree char *body = cria_test_server_dup_last_body (fixture->server, "/api/chat");

    g_assert_nonnull (strstr (body, "\"keep_alive\":0"));
  }

  cria_client_list_running_async (fixture->client, NULL, cria_test_store_result_cb, &empty_result);
  cria_test_wait_until (empty_result != NULL);
  none = cria_client_list_running_finish (fixture->client, empty_result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

#define ADD(path, func) \
  g_test_add ("/cria/client/models/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("pull", test_pull);
  ADD ("pull-unknown", test_pull_unknown);
  ADD ("pull-cancel", test_pull_cancel);
  ADD ("delete", test_delete);
  ADD ("copy", test_copy);
  ADD ("create", test_create);
  ADD ("running-and-unload", test_running_and_unload);

  return g_test_run ();
}
