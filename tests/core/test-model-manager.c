/* test-model-manager.c: model details, running models, pulls and the model
 * manager, from fixtures and against the simulator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include "cria-core.h"
#include "cria-pull-private.h"
#include "cria-test-server.h"
#include "cria-test-utils.h"

#define MIB (1024 * 1024)

static JsonObject *
load_fixture (const char *name)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *path = g_build_filename (FIXTURES_DIR, name, NULL);
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* ------------------------------------------------------------------------ */
/* Names                                                                    */

static void
test_name_validate (void)
{
  static const struct {
    const char *name;
    gboolean    valid;
  } cases[] = {
    { "qwen3:0.6b", TRUE },
    { "library/llama3.2:latest", TRUE },
    { "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M", TRUE },
    { "localhost:5000/ns/model:tag", TRUE },
    { "registry.ollama.ai/library/llama3.2", TRUE },
    { "https://hf.co/org/repo:Q8_0", TRUE },
    { "llama3.2", TRUE },
    { "gpt-oss:120b-cloud", TRUE },
    { "", FALSE },
    { "a b", FALSE },
    { ":tag", FALSE },
    { "x:", FALSE },
    { "../x", FALSE },
    { "/x", FALSE },
    { "ns/", FALSE },
    { "a/b/c/d", FALSE },
    { "ns.dot/model", FALSE },
    { "-model", FALSE },
    { "model:-tag", FALSE },
    { "mod?el", FALSE },
    { "modèle", FALSE },
    { "localhost:5000/model", FALSE },
  };
  g_autofree char *tag81 = g_strnfill (81, 't');
  g_autofree char *tag80 = g_strnfill (80, 't');
  g_autofree char *long_tag = g_strconcat ("model:", tag81, NULL);
  g_autofree char *max_tag = g_strconcat ("model:", tag80, NULL);
  g_autofree char *host = g_strnfill (340, 'h');
  g_autofree char *long_name = g_strconcat (host, "/ns/model:tag", NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean valid = cria_model_name_validate (cases[i].name, &error);

      if (valid != cases[i].valid)
        g_error ("“%s” should be %s", cases[i].name, cases[i].valid ? "valid" : "invalid");

      if (cases[i].valid)
        g_assert_no_error (error);
      else
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }

  g_assert_false (cria_model_name_validate (NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* A tag is at most 80 characters... */
  g_assert_false (cria_model_name_validate (long_tag, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (cria_model_name_validate (max_tag, NULL));

  /* ...and the whole name at most 350. */
  g_assert_false (cria_model_name_validate (long_name, NULL));
}

/* ------------------------------------------------------------------------ */
/* Details                                                                  */

static void
test_details_full (void)
{
  g_autoptr(JsonObject) show = load_fixture ("show-full.json");
  g_autoptr(CriaModelDetails) details = cria_model_details_new_from_show ("llama3.2", show);
  const char * const *capabilities;
  g_autofree char *family = NULL;
  gint64 context_length = 0;

  g_assert_cmpstr (cria_model_details_get_name (details), ==, "llama3.2");
  g_assert_cmpstr (cria_model_details_get_family (details), ==, "llama");
  g_assert_cmpstr (cria_model_details_get_architecture (details), ==, "llama");
  g_assert_cmpstr (cria_model_details_get_parameter_size (details), ==, "3.2B");
  g_assert_cmpint (cria_model_details_get_parameter_count (details), ==, 3212749888);
  g_assert_cmpstr (cria_model_details_get_quantization_level (details), ==, "Q4_K_M");
  g_assert_cmpint (cria_model_details_get_context_length (details), ==, 131072);
  g_assert_cmpint (cria_model_details_get_embedding_length (details), ==, 3072);

  capabilities = cria_model_details_get_capabilities (details);
  g_assert_cmpuint (g_strv_length ((char **) capabilities), ==, 2);
  g_assert_true (g_strv_contains (capabilities, "completion"));
  g_assert_true (g_strv_contains (capabilities, "tools"));

  g_assert_cmpstr (cria_model_details_get_system (details), ==, "You are a helpful assistant.");
  g_assert_true (g_str_has_prefix (cria_model_details_get_template (details), "<|start_header_id|>"));
  g_assert_nonnull (strstr (cria_model_details_get_parameters (details), "temperature"));
  g_assert_true (g_str_has_prefix (cria_model_details_get_license (details), "LLAMA 3.2"));
  g_assert_nonnull (strstr (cria_model_details_get_modelfile (details), "FROM /usr/share"));
  g_assert_null (cria_model_details_get_remote_host (details));
  g_assert_nonnull (cria_model_details_get_modified_at (details));
  g_assert_cmpint (g_date_time_get_year (cria_model_details_get_modified_at (details)), ==, 2025);

  /* The same through properties, for bindings. */
  g_object_get (details, "family", &family, "context-length", &context_length, NULL);
  g_assert_cmpstr (family, ==, "llama");
  g_assert_cmpint (context_length, ==, 131072);
}

static void
test_details_old_server (void)
{
  g_autoptr(JsonObject) show = load_fixture ("show-old.json");
  g_autoptr(CriaModelDetails) details = cria_model_details_new_from_show ("mistral:7b", show);

  /* No model_info: the architecture is unknown, the rest from details. */
  g_assert_cmpstr (cria_model_details_get_family (details), ==, "llama");
  g_assert_null (cria_model_details_get_architecture (details));
  g_assert_cmpstr (cria_model_details_get_parameter_size (details), ==, "7B");
  g_assert_cmpint (cria_model_details_get_parameter_count (details), ==, 0);
  g_assert_cmpstr (cria_model_details_get_quantization_level (details), ==, "Q4_0");
  g_assert_cmpint (cria_model_details_get_context_length (details), ==, 8192);
  g_assert_cmpint (cria_model_details_get_embedding_length (details), ==, 0);

  /* No capabilities: empty, not NULL. */
  g_assert_nonnull (cria_model_details_get_capabilities (details));
  g_assert_cmpuint (g_strv_length ((char **) cria_model_details_get_capabilities (details)), ==, 0);

  /* A license array is joined; what is not a string is skipped. */
  g_assert_cmpstr (cria_model_details_get_license (details), ==,
                   "MIT License\n\nCopyright (c) Example\n\nApache License 2.0");
  g_assert_null (cria_model_details_get_system (details));
  g_assert_null (cria_model_details_get_parameters (details));
  g_assert_cmpstr (cria_model_details_get_template (details), ==, "[INST] {{ .Prompt }} [/INST]");
  g_assert_null (cria_model_details_get_modified_at (details));
}

static void
test_details_cloud (void)
{
  g_autoptr(JsonObject) show = load_fixture ("show-cloud.json");
  g_autoptr(CriaModelDetails) details = cria_model_details_new_from_show ("gpt-oss:120b-cloud", show);

  g_assert_cmpstr (cria_model_details_get_family (details), ==, "gptoss");
  g_assert_null (cria_model_details_get_architecture (details));
  g_assert_null (cria_model_details_get_parameter_size (details));
  g_assert_null (cria_model_details_get_quantization_level (details));
  g_assert_cmpint (cria_model_details_get_context_length (details), ==, 0);
  g_assert_cmpint (cria_model_details_get_parameter_count (details), ==, 0);
  g_assert_null (cria_model_details_get_license (details));
  g_assert_cmpstr (cria_model_details_get_remote_host (details), ==, "https://ollama.com:443");
  g_assert_true (g_strv_contains (cria_model_details_get_capabilities (details), "thinking"));
}

static void
test_details_odd_types (void)
{
  static const char * const replies[] = {
    "{}",
    "{\"details\":[],\"model_info\":null,\"capabilities\":\"tools\",\"license\":{},"
    "\"system\":42,\"modified_at\":\"yesterday\"}",
    "{\"details\":{\"family\":7,\"context_length\":-5},"
    "\"model_info\":{\"general.architecture\":[\"llama\"],\"general.parameter_count\":\"many\"}}",
    "{\"model_info\":{\"general.architecture\":\"qwen3\",\"qwen3.context_length\":40960.0,"
    "\"qwen3.embedding_length\":\"1024\",\"general.parameter_count\":true}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    {
      g_autoptr(JsonObject) show = parse_object (replies[i]);
      g_autoptr(CriaModelDetails) details = cria_model_details_new_from_show ("odd", show);

      g_assert_cmpint (cria_model_details_get_parameter_count (details), ==, 0);
      g_assert_null (cria_model_details_get_system (details));
      g_assert_null (cria_model_details_get_modified_at (details));
      g_assert_cmpuint (g_strv_length ((char **) cria_model_details_get_capabilities (details)), ==, 0);

      if (i == 3)
        {
          g_assert_cmpstr (cria_model_details_get_architecture (details), ==, "qwen3");
          g_assert_cmpint (cria_model_details_get_context_length (details), ==, 40960);
          g_assert_cmpint (cria_model_details_get_embedding_length (details), ==, 1024);
        }
      else
        {
          g_assert_null (cria_model_details_get_architecture (details));
          g_assert_null (cria_model_details_get_family (details));
          g_assert_cmpint (cria_model_details_get_context_length (details), ==, 0);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Running models                                                           */

static void
test_running_parse (void)
{
  g_autoptr(JsonObject) ps = load_fixture ("ps.json");
  JsonArray *models = json_object_get_array_member (ps, "models");
  g_autoptr(CriaRunningModel) gemma = NULL;
  g_autoptr(CriaRunningModel) llama = NULL;
  GDateTime *expires_at;
  gboolean forever = FALSE;

  gemma = cria_running_model_new_from_json (json_array_get_object_element (models, 0));
  g_assert_cmpstr (cria_running_model_get_name (gemma), ==, "gemma3:4b");
  g_assert_cmpint (cria_running_model_get_size (gemma), ==, 6591830464);
  g_assert_cmpint (cria_running_model_get_size_vram (gemma), ==, 5333539264);
  g_assert_cmpint (cria_running_model_get_context_length (gemma), ==, 8192);
  g_assert_cmpstr (cria_running_model_get_family (gemma), ==, "gemma3");
  g_assert_cmpstr (cria_running_model_get_parameter_size (gemma), ==, "4.3B");
  g_assert_cmpstr (cria_running_model_get_quantization_level (gemma), ==, "Q4_K_M");
  g_assert_true (cria_running_model_get_forever (gemma));
  g_object_get (gemma, "forever", &forever, NULL);
  g_assert_true (forever);

  /* On the CPU, with a deadline, from a server without context_length. */
  llama = cria_running_model_new_from_json (json_array_get_object_element (models, 1));
  g_assert_cmpstr (cria_running_model_get_name (llama), ==, "llama3.2:latest");
  g_assert_cmpint (cria_running_model_get_size_vram (llama), ==, 0);
  g_assert_cmpint (cria_running_model_get_context_length (llama), ==, 0);
  g_assert_false (cria_running_model_get_forever (llama));
  expires_at = cria_running_model_get_expires_at (llama);
  g_assert_nonnull (expires_at);
  g_assert_cmpint (g_date_time_get_year (expires_at), ==, 2025);

  /* An entry without a name is not a model. */
  g_assert_null (cria_running_model_new_from_json (json_array_get_object_element (models, 2)));
}

/* ------------------------------------------------------------------------ */
/* Pull progress, fed line by line with a made-up clock                     */

typedef struct
{
  GPtrArray *notified;    /* property names, in order */
} NotifyLog;

static void
log_notify_cb (GObject    *object,
               GParamSpec *pspec,
               NotifyLog  *log)
{
  g_ptr_array_add (log->notified, g_strdup (pspec->name));
}

static guint
count_notified (NotifyLog  *log,
                const char *name)
{
  guint n = 0;

  for (guint i = 0; i < log->notified->len; i++)
    n += g_str_equal (g_ptr_array_index (log->notified, i), name);

  return n;
}

static void
feed (CriaPull   *pull,
      gint64      now,
      const char *status,
      const char *digest,
      gint64      total,
      gint64      completed)
{
  CriaProgressLine line = { status, digest, total, completed };

  _cria_pull_handle_line (pull, &line, now);
}

static void
test_pull_aggregate (void)
{
  g_autoptr(CriaPull) pull = _cria_pull_new (NULL, "llama3.2");
  NotifyLog log = { g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(CriaPullLayer) weights = NULL;
  g_autoptr(CriaPullLayer) cached = NULL;
  GListModel *layers = cria_pull_get_layers (pull);
  const gint64 t = 10 * G_USEC_PER_SEC;
  const gint64 ms = 1000;
  guint n_completed;

  g_signal_connect (pull, "notify", G_CALLBACK (log_notify_cb), &log);

  g_assert_cmpint (cria_pull_get_state (pull), ==, CRIA_PULL_STATE_RUNNING);
  g_assert_cmpfloat (cria_pull_get_fraction (pull), ==, -1.0);
  g_assert_cmpint (cria_pull_get_seconds_left (pull), ==, -1);
  g_assert_null (cria_pull_get_status (pull));

  /* A status line is notified at once; no size is known yet. */
  feed (pull, t, "pulling manifest", NULL, 0, 0);
  g_assert_cmpstr (cria_pull_get_status (pull), ==, "pulling manifest");
  g_assert_cmpuint (count_notified (&log, "status"), ==, 1);
  g_assert_cmpfloat (cria_pull_get_fraction (pull), ==, -1.0);
  g_assert_cmpuint (g_list_model_get_n_items (layers), ==, 0);

  /* The first layer: `completed` left out while 0. */
  feed (pull, t + 10 * ms, "pulling dde5aa3fc5ff", "sha256:dde5", 1000, 0);
  g_assert_cmpuint (g_list_model_get_n_items (layers), ==, 1);
  weights = g_list_model_get_item (layers, 0);
  g_assert_cmpstr (cria_pull_layer_get_digest (weights), ==, "sha256:dde5");
  g_assert_cmpint (cria_pull_layer_get_total (weights), ==, 1000);
  g_assert_cmpint (cria_pull_get_total (pull), ==, 1000);
  g_assert_cmpfloat (cria_pull_get_fraction (pull), ==, 0.0);
  g_assert_cmpuint (count_notified (&log, "total"), ==, 1);

  /* Lines within the interval update the numbers but notify nothing... */
  n_completed = count_notified (&log, "completed");
  for (guint i = 1; i <= 50; i++)
    feed (pull, t + 10 * ms + i, "pulling dde5aa3fc5ff", "sha256:dde5", 1000, i * 2);
  g_assert_cmpint (cria_pull_get_completed (pull), ==, 100);
  g_assert_cmpint (cria_pull_layer_get_completed (weights), ==, 100);
  g_assert_cmpuint (count_notified (&log, "completed"), ==, n_completed);

  /* ...until the first line after it: one notification for all of them. */
  feed (pull, t + 120 * ms, "pulling dde5aa3fc5ff", "sha256:dde5", 1000, 300);
  g_assert_cmpuint (count_notified (&log, "completed"), ==, n_completed + 1);
  g_assert_cmpuint (count_notified (&log, "fraction"), >=, 1);
  g_assert_cmpfloat_with_epsilon (cria_pull_get_fraction (pull), 0.3, 1e-9);

  /* A cached layer: one line, complete; it adds to both sums. */
  feed (pull, t + 130 * ms, "pulling 966de95ca8a6", "sha256:966d", 200, 200);
  g_assert_cmpuint (g_list_model_get_n_items (layers), ==, 2);
  cached = g_list_model_get_item (layers, 1);
  g_assert_cmpint (cria_pull_layer_get_completed (cached), ==, 200);
  g_assert_cmpint (cria_pull_get_total (pull), ==, 1200);
  g_assert_cmpint (cria_pull_get_completed (pull), ==, 500);

  /* More than the total is clamped. */
  feed (pull, t + 300 * ms, "pulling dde5aa3fc5ff", "sha256:dde5", 1000, 5000);
  g_assert_cmpint (cria_pull_layer_get_completed (weights), ==, 1000);
  g_assert_cmpint (cria_pull_get_completed (pull), ==, 1200);
  g_assert_cmpfloat (cria_pull_get_fraction (pull), ==, 1.0);

  feed (pull, t + 310 * ms, "verifying sha256 digest", NULL, 0, 0);
  feed (pull, t + 320 * ms, "writing manifest", NULL, 0, 0);
  feed (pull, t + 321 * ms, "success", NULL, 0, 0);
  g_assert_cmpuint (count_notified (&log, "status"), ==, 7);

  /* The state comes last, after every pending notification. */
  g_ptr_array_set_size (log.notified, 0);
  feed (pull, t + 322 * ms, "success", "sha256:966d", 200, 200);
  _cria_pull_complete (pull, NULL);
  g_assert_cmpint (cria_pull_get_state (pull), ==, CRIA_PULL_STATE_SUCCEEDED);
  g_assert_null (cria_pull_get_error (pull));
  g_assert_cmpint (cria_pull_get_seconds_left (pull), ==, 0);
  g_assert_cmpfloat (cria_pull_get_speed (pull), ==, 0.0);
  g_assert_cmpuint (log.notified->len, >=, 1);
  g_assert_cmpstr (g_ptr_array_index (log.notified, log.notified->len - 1), ==, "state");
  g_assert_cmpuint (count_notified (&log, "state"), ==, 1);

  /* Nothing moves once it ended. */
  feed (pull, t + 400 * ms, "pulling more", "sha256:beef", 100, 0);
  g_assert_cmpuint (g_list_model_get_n_items (layers), ==, 2);
  _cria_pull_complete (pull, NULL);
  g_assert_cmpuint (count_notified (&log, "state"), ==, 1);

  g_ptr_array_unref (log.notified);
}

static void
test_pull_speed (void)
{
  g_autoptr(CriaPull) pull = _cria_pull_new (NULL, "qwen3:8b");
  g_autoptr(CriaPull) failed = _cria_pull_new (NULL, "qwen3:8b");
  g_autoptr(GError) error = NULL;
  const gint64 t = 100 * G_USEC_PER_SEC;

  /* A resumed layer: its first line says 1 MiB was there already. That
   * did not arrive now, so it does not count. */
  feed (pull, t, "pulling 1a2b3c4d5e6f", "sha256:1a2b", 10 * MIB, 1 * MIB);
  g_assert_cmpfloat (cria_pull_get_speed (pull), ==, 0.0);
  g_assert_cmpint (cria_pull_get_seconds_left (pull), ==, -1);

  feed (pull, t + G_USEC_PER_SEC, "pulling 1a2b3c4d5e6f", "sha256:1a2b", 10 * MIB, 2 * MIB);
  g_assert_cmpfloat_with_epsilon (cria_pull_get_speed (pull), 1.0 * MIB, 1.0);
  feed (pull, t + 2 * G_USEC_PER_SEC, "pulling 1a2b3c4d5e6f", "sha256:1a2b", 10 * MIB, 3 * MIB);
  g_assert_cmpfloat_with_epsilon (cria_pull_get_speed (pull), 1.0 * MIB, 1.0);
  g_assert_cmpint (cria_pull_get_seconds_left (pull), ==, 7);

  /* A cached layer arriving in one line is not a download either. */
  feed (pull, t + 3 * G_USEC_PER_SEC, "pulling 966de95ca8a6", "sha256:966d", 100 * MIB, 100 * MIB);
  g_assert_cmpfloat_with_epsilon (cria_pull_get_speed (pull), 2.0 * MIB / 3, 1.0);

  /* Old samples leave the window: the speed follows the recent rate. */
  for (guint i = 4; i <= 12; i++)
    feed (pull, t + i * G_USEC_PER_SEC, "pulling 1a2b3c4d5e6f", "sha256:1a2b",
          10 * MIB, (3 * MIB) + (i - 3) * (MIB / 4));
  g_assert_cmpfloat_with_epsilon (cria_pull_get_speed (pull), MIB / 4.0, 1.0);
  g_assert_cmpint (cria_pull_get_seconds_left (pull), ==, 19);

  /* Models made of tensor files report one aggregate "layer". */
  feed (failed, t, "pulling model", "sha256:model", 4 * MIB, 0);
  feed (failed, t + G_USEC_PER_SEC, "pulling model", "sha256:model", 4 * MIB, 2 * MIB);
  g_assert_cmpuint (g_list_model_get_n_items (cria_pull_get_layers (failed)), ==, 1);
  g_assert_cmpfloat (cria_pull_get_fraction (failed), ==, 0.5);

  error = g_error_new_literal (CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_CONNECTION_LOST, "gone");
  _cria_pull_complete (failed, error);
  g_assert_cmpint (cria_pull_get_state (failed), ==, CRIA_PULL_STATE_FAILED);
  g_assert_error (cria_pull_get_error (failed), CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_CONNECTION_LOST);
  g_assert_cmpint (cria_pull_get_seconds_left (failed), ==, -1);
  g_assert_cmpfloat (cria_pull_get_speed (failed), ==, 0.0);
}

/* ------------------------------------------------------------------------ */
/* Against the simulator                                                    */

typedef struct
{
  CriaTestServer   *server;
  SoupSession      *session;
  CriaBackend      *backend;
  CriaModelManager *manager;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CriaClient) client = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *url = NULL;

  fixture->server = cria_test_server_new ();
  cria_test_server_start (fixture->server, 0, &error);
  g_assert_no_error (error);
  cria_test_server_set_pull_timing (fixture->server, 5, 0);

  url = cria_test_server_dup_url (fixture->server);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &error);
  g_assert_no_error (error);

  /* Pulls hold their connection for as long as they run. */
  fixture->session = soup_session_new_with_options ("timeout", 0,
                                                    "max-conns-per-host", 8,
                                                    NULL);
  client = cria_client_new (fixture->session, uri);
  cria_client_set_retry_delay (client, 10);

  /* The periodic check stays far away: only a refresh updates the list. */
  fixture->backend = cria_backend_new (client, CRIA_BACKEND_ORIGIN_CONFIGURED);
  cria_backend_set_probe_intervals (fixture->backend, 50, 60000);
  cria_backend_start (fixture->backend);
  cria_test_wait_until (cria_backend_get_reachable (fixture->backend));

  fixture->manager = cria_backend_get_model_manager (fixture->backend);
  g_assert_true (fixture->manager == cria_backend_get_model_manager (fixture->backend));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  fixture->manager = NULL;
  cria_backend_stop (fixture->backend);
  g_clear_object (&fixture->backend);
  soup_session_abort (fixture->session);
  g_clear_object (&fixture->session);
  cria_test_server_stop (fixture->server);
  g_clear_object (&fixture->server);
}

static gboolean
has_model (Fixture    *fixture,
           const char *name)
{
  return cria_backend_find_model (fixture->backend, name) != NULL;
}

typedef struct
{
  GPtrArray *statuses;             /* distinct statuses, in order */
  gint64     first_layer_completed;
  guint      n_layers;
} Watch;

static void
watch_status_cb (CriaPull   *pull,
                 GParamSpec *pspec,
                 Watch      *watch)
{
  const char *status = cria_pull_get_status (pull);

  if (watch->statuses->len == 0 ||
      g_strcmp0 (g_ptr_array_index (watch->statuses, watch->statuses->len - 1), status) != 0)
    g_ptr_array_add (watch->statuses, g_strdup (status));
}

static void
watch_layers_cb (GListModel *layers,
                 guint       position,
                 guint       removed,
                 guint       added,
                 Watch      *watch)
{
  for (guint i = 0; i < added; i++)
    {
      g_autoptr(CriaPullLayer) layer = g_list_model_get_item (layers, position + i);

      if (watch->n_layers++ == 0)
        watch->first_layer_completed = cria_pull_layer_get_completed (layer);
    }
}

static void
watch_init (Watch    *watch,
            CriaPull *pull)
{
  watch->statuses = g_ptr_array_new_with_free_func (g_free);
  watch->first_layer_completed = -1;
  watch->n_layers = 0;
  g_signal_connect (pull, "notify::status", G_CALLBACK (watch_status_cb), watch);
  g_signal_connect (cria_pull_get_layers (pull), "items-changed", G_CALLBACK (watch_layers_cb), watch);
}

static void
watch_clear (Watch    *watch,
             CriaPull *pull)
{
  g_signal_handlers_disconnect_by_data (pull, watch);
  g_signal_handlers_disconnect_by_data (cria_pull_get_layers (pull), watch);
  g_clear_pointer (&watch->statuses, g_ptr_array_unref);
}

static gboolean
saw_status (Watch      *watch,
            const char *status)
{
  for (guint i = 0; i < watch->statuses->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (watch->statuses, i), status))
        return TRUE;
    }

  return FALSE;
}

static void
test_pull_progress (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(CriaPull) pull = NULL;
  g_autoptr(CriaBackend) owner = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *layers;
  CriaModel *model;
  gint64 sum = 0;
  Watch watch;

  g_assert_false (has_model (fixture, "mistral:7b"));

  pull = cria_model_manager_pull (fixture->manager, "mistral:7b", &error);
  g_assert_no_error (error);
  g_assert_nonnull (pull);
  g_assert_cmpstr (cria_pull_get_model (pull), ==, "mistral:7b");
  owner = cria_pull_dup_backend (pull);
  g_assert_true (owner == fixture->backend);
  g_assert_cmpint (cria_pull_get_state (pull), ==, CRIA_PULL_STATE_RUNNING);
  g_assert_cmpuint (g_list_model_get_n_items (cria_model_manager_get_pulls (fixture->manager)), ==, 1);

  watch_init (&watch, pull);
  cria_test_wait_until (cria_pull_get_state (pull) != CRIA_PULL_STATE_RUNNING);

  g_assert_cmpint (cria_pull_get_state (pull), ==, CRIA_PULL_STATE_SUCCEEDED);
  g_assert_null (cria_pull_get_error (pull));

  g_assert_cmpstr (g_ptr_array_index (watch.statuses, 0), ==, "pulling manifest");
  g_assert_true (saw_status (&watch, "verifying sha256 digest"));
  g_assert_true (saw_status (&watch, "writing manifest"));
  g_assert_cmpstr (cria_pull_get_status (pull), ==, "success");

  /* Every layer appeared with its digest, and was seen being pulled. */
  layers = cria_pull_get_layers (pull);
  g_assert_cmpuint (g_list_model_get_n_items (layers), >, 1);
  g_assert_cmpuint (watch.n_layers, ==, g_list_model_get_n_items (layers));
  for (guint i = 0; i < g_list_model_get_n_items (layers); i++)
    {
      g_autoptr(CriaPullLayer) layer = g_list_model_get_item (layers, i);
      const char *digest = cria_pull_layer_get_digest (layer);
      g_autofree char *status = NULL;

      g_assert_true (g_str_has_prefix (digest, "sha256:"));
      g_assert_cmpuint (strlen (digest), ==, strlen ("sha256:") + 64);
      status = g_strdup_printf ("pulling %.12s", digest + strlen ("sha256:"));
      g_assert_true (saw_status (&watch, status));

      g_assert_cmpint (cria_pull_layer_get_total (layer), >, 0);
      g_assert_cmpint (cria_pull_layer_get_completed (layer), ==, cria_pull_layer_get_total (layer));
      sum += cria_pull_layer_get_total (layer);
    }

  /* The weights came in many lines: completed grew. */
  g_assert_cmpuint (watch.statuses->len, >=, 3 + g_list_model_get_n_items (layers));
  g_assert_cmpint (cria_pull_get_total (pull), ==, sum);
  g_assert_cmpint (cria_pull_get_completed (pull), ==, sum);
  g_assert_cmpfloat (cria_pull_get_fraction (pull), ==, 1.0);
  g_assert_cmpint (cria_pull_get_seconds_left (pull), ==, 0);

  /* The model list refreshed by itself, and the sizes agree. */
  cria_test_wait_until (has_model (fixture, "mistral:7b"));
  model = cria_backend_find_model (fixture->backend, "mistral:7b");
  g_assert_cmpint (cria_model_get_size (model), ==, cria_pull_get_total (pull));

  /* The finished pull stays listed, so its page can still show it. */
  g_assert_cmpuint (g_list_model_get_n_items (cria_model_manager_get_pulls (fixture->manager)), ==, 1);

  watch_clear (&watch, pull);
}

static void
test_pull_cached (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(CriaPull) pull = NULL;
  GListModel *layers;

  /* Installed already: every layer arrives complete, in one line. */
  pull = cria_model_manager_pull (fixture->manager, "qwen3:0.6b", NULL);
  g_assert_nonnull (pull);
  cria_test_wait_until (cria_pull_get_state (pull) != CRIA_PULL_STATE_RUNNING);
  g_assert_cmpint (cria_pull_get_state (pull), ==, CRIA_PULL_STATE_SUCCEEDED);

  layers = cria_pull_get_layers (pull);
  g_assert_cmpuint (g_list_model_get_n_items (layers), >, 0);
  g_assert_cmpfloat (cria_pull_get_fraction (pull), ==, 1.0);
  g_assert_cmpfloat (cria_pull_get_speed (pull), ==, 0.0);
}

static void
test_pull_unknown (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(CriaPull) pull = NULL;
  g_autoptr(GError) error = NULL;
  const GError *pull_error;
  Watch watch;

  pull = cria_model_manager_pull (fixture->manager, "no-such-model:1b", &error);
  g_assert_no_error (error);
  watch_init (&watch, pull);

  cria_test_wait_until (cria_pull_get_state (pull) != CRIA_PULL_STATE_RUNNING);

  /* 200, "pulling manifest", then an error line. */
  g_assert_cmpint (cria_pull_get_state (pull), ==, CRIA_PULL_STATE_FAILED);
  pull_error = cria_pull_get_error (pull);
  g_assert_error (pull_error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_SERVER);
  g_assert_nonnull (strstr (pull_error->message, "pull model manifest: file does not exist"));
  g_assert_true (saw_status (&watch, "pulling manifest"));
  g_assert_cmpfloat (cria_pull_get_fraction (pull), ==, -1.0);
  g_assert_cmpuint (g_list_model_get_n_items (cria_pull_get_layers (pull)), ==, 0);

  /* The server is fine: the backend stays online. */
  g_assert_true (cria_backend_get_reachable (fixture->backend));

  watch_clear (&watch, pull);
}

static void
test_pull_cancel_resume (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(CriaPull) pull = NULL;
  g_autoptr(CriaPull) again = NULL;
  g_autoptr(CriaPull) listed = NULL;
  GListModel *pulls = cria_model_manager_get_pulls (fixture->manager);
  gint64 partial;
  Watch watch;

  /* Slow enough to be caught half way. */
  cria_test_server_set_pull_timing (fixture->server, 5, MIB);

  pull = cria_model_manager_pull (fixture->manager, "llama3.2:1b", NULL);
  g_assert_nonnull (pull);
  cria_test_wait_until (cria_pull_get_completed (pull) > 2 * MIB);

  cria_pull_cancel (pull);
  partial = cria_pull_get_completed (pull);
  g_assert_cmpint (cria_pull_get_state (pull), ==, CRIA_PULL_STATE_CANCELLED);
  g_assert_null (cria_pull_get_error (pull));
  g_assert_cmpint (cria_pull_get_seconds_left (pull), ==, -1);

  /* The connection closed: the server saw the client go. */
  cria_test_wait_until (cria_test_server_get_cancellations (fixture->server) == 1);
  cria_test_wait_until (cria_test_server_get_active_streams (fixture->server) == 0);
  g_assert_false (has_model (fixture, "llama3.2:1b"));

  /* Pulling again resumes where the server stopped. */
  cria_test_server_set_pull_timing (fixture->server, 5, 0);
  again = cria_model_manager_pull (fixture->manager, "llama3.2:1b", NULL);
  g_assert_nonnull (again);
  g_assert_true (again != pull);
  watch_init (&watch, again);

  /* It took the cancelled pull's place. */
  g_assert_cmpuint (g_list_model_get_n_items (pulls), ==, 1);
  listed = g_list_model_get_item (pulls, 0);
  g_assert_true (listed == again);

  cria_test_wait_until (cria_pull_get_state (again) != CRIA_PULL_STATE_RUNNING);
  g_assert_cmpint (cria_pull_get_state (again), ==, CRIA_PULL_STATE_SUCCEEDED);
  g_assert_cmpint (watch.first_layer_completed, >=, partial);
  g_assert_cmpint (watch.first_layer_completed, >, 0);
  g_assert_cmpuint (cria_test_server_get_cancellations (fixture->server), ==, 1);

  cria_test_wait_until (has_model (fixture, "llama3.2:1b"));

  watch_clear (&watch, again);
}

static void
test_pull_concurrent (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(CriaPull) mistral = NULL;
  g_autoptr(CriaPull) gemma = NULL;

  mistral = cria_model_manager_pull (fixture->manager, "mistral:7b", NULL);
  gemma = cria_model_manager_pull (fixture->manager, "gemma3:4b", NULL);
  g_assert_nonnull (mistral);
  g_assert_nonnull (gemma);
  g_assert_true (mistral != gemma);
  g_assert_cmpuint (g_list_model_get_n_items (cria_model_manager_get_pulls (fixture->manager)), ==, 2);

  /* Both stream at the same time. */
  cria_test_wait_until (cria_test_server_get_active_streams (fixture->server) == 2 ||
                        cria_pull_get_state (mistral) != CRIA_PULL_STATE_RUNNING ||
                        cria_pull_get_state (gemma) != CRIA_PULL_STATE_RUNNING);

  cria_test_wait_until (cria_pull_get_state (mistral) != CRIA_PULL_STATE_RUNNING &&
                        cria_pull_get_state (gemma) != CRIA_PULL_STATE_RUNNING);
  g_assert_cmpint (cria_pull_get_state (mistral), ==, CRIA_PULL_STATE_SUCCEEDED);
  g_assert_cmpint (cria_pull_get_state (gemma), ==, CRIA_PULL_STATE_SUCCEEDED);

  cria_test_wait_until (has_model (fixture, "mistral:7b") && has_model (fixture, "gemma3:4b"));
}

static void
test_pull_same_name (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(CriaPull) pull = NULL;
  g_autoptr(CriaPull) same = NULL;
  g_autoptr(CriaPull) same_case = NULL;

  cria_test_server_set_pull_timing (fixture->server, 5, MIB);

  pull = cria_model_manager_pull (fixture->manager, "phi4:14b", NULL);
  same = cria_model_manager_pull (fixture->manager, "phi4:14b", NULL);
  same_case = cria_model_manager_pull (fixture->manager, "PHI4:14b", NULL);
  g_assert_true (pull == same);
  g_assert_true (pull == same_case);
  g_assert_cmpuint (g_list_model_get_n_items (cria_model_manager_get_pulls (fixture->manager)), ==, 1);

  cria_test_wait_until (cria_test_server_get_request_count (fixture->server, "/api/pull") == 1 &&
                        cria_pull_get_completed (pull) > 0);
  cria_test_run_for (20);
  g_assert_cmpuint (cria_test_server_get_request_count (fixture->server, "/api/pull"), ==, 1);

  /* Dismissing a running pull cancels it. */
  cria_model_manager_dismiss_pull (fixture->manager, pull);
  g_assert_cmpint (cria_pull_get_state (pull), ==, CRIA_PULL_STATE_CANCELLED);
  g_assert_cmpuint (g_list_model_get_n_items (cria_model_manager_get_pulls (fixture->manager)), ==, 0);
  cria_test_wait_until (cria_test_server_get_cancellations (fixture->server) == 1);
}

static void
test_pull_invalid_name (Fixture       *fixture,
                        gconstpointer  data)
{
  static const char * const names[] = { "", "a b", ":tag", "x:", "../x" };
  g_autofree char *tag = g_strnfill (81, 't');
  g_autofree char *long_tag = g_strconcat ("model:", tag, NULL);

  for (guint i = 0; i <= G_N_ELEMENTS (names); i++)
    {
      const char *name = i < G_N_ELEMENTS (names) ? names[i] : long_tag;
      g_autoptr(GError) error = NULL;
      g_autoptr(CriaPull) pull = cria_model_manager_pull (fixture->manager, name, &error);

      g_assert_null (pull);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }

  /* No request was sent. */
  cria_test_run_for (20);
  g_assert_cmpuint (cria_test_server_get_request_count (fixture->server, "/api/pull"), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (cria_model_manager_get_pulls (fixture->manager)), ==, 0);
}

static void
test_remove (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (has_model (fixture, "llava:7b"));

  cria_model_manager_remove_async (fixture->manager, "llava:7b", NULL,
                                   cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  g_assert_true (cria_model_manager_remove_finish (fixture->manager, result, &error));
  g_assert_no_error (error);
  g_assert_false (cria_test_server_has_model (fixture->server, "llava:7b"));

  cria_test_wait_until (!has_model (fixture, "llava:7b"));
}

static void
test_remove_not_found (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cria_test_server_reset_counters (fixture->server);

  cria_model_manager_remove_async (fixture->manager, "no-such-model:latest", NULL,
                                   cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  g_assert_false (cria_model_manager_remove_finish (fixture->manager, result, &error));
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND);

  /* Gone already, maybe elsewhere: the list is refreshed all the same. */
  cria_test_wait_until (cria_test_server_get_request_count (fixture->server, "/api/tags") >= 1);
  g_assert_true (cria_backend_get_reachable (fixture->backend));
}

static void
test_show (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) missing = NULL;
  g_autoptr(CriaModelDetails) details = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *capabilities;

  cria_model_manager_show_async (fixture->manager, "llama3.2", NULL,
                                 cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  details = cria_model_manager_show_finish (fixture->manager, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (details);

  g_assert_cmpstr (cria_model_details_get_name (details), ==, "llama3.2");
  g_assert_cmpstr (cria_model_details_get_family (details), ==, "llama");
  g_assert_cmpstr (cria_model_details_get_architecture (details), ==, "llama");
  g_assert_cmpstr (cria_model_details_get_parameter_size (details), ==, "3.2B");
  g_assert_cmpstr (cria_model_details_get_quantization_level (details), ==, "Q4_K_M");
  g_assert_cmpint (cria_model_details_get_parameter_count (details), >, 0);
  g_assert_cmpint (cria_model_details_get_context_length (details), ==, 131072);
  g_assert_cmpint (cria_model_details_get_embedding_length (details), ==, 3072);
  capabilities = cria_model_details_get_capabilities (details);
  g_assert_true (g_strv_contains (capabilities, "completion"));
  g_assert_true (g_strv_contains (capabilities, "tools"));
  g_assert_nonnull (strstr (cria_model_details_get_license (details), "Simulated license"));
  g_assert_nonnull (strstr (cria_model_details_get_modelfile (details), "FROM "));
  g_assert_nonnull (strstr (cria_model_details_get_parameters (details), "temperature"));
  g_assert_nonnull (cria_model_details_get_template (details));
  g_assert_null (cria_model_details_get_system (details));
  g_assert_nonnull (cria_model_details_get_modified_at (details));

  /* A model that is not installed */
  cria_model_manager_show_async (fixture->manager, "no-such-model", NULL,
                                 cria_test_store_result_cb, &missing);
  cria_test_wait_until (missing != NULL);
  g_assert_null (cria_model_manager_show_finish (fixture->manager, missing, &error));
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND);
}

static void
chat_chunk_cb (const CriaChatChunk *chunk,
               gpointer             user_data)
{
}

static void
test_running_unload (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(CriaChatRequest) request = cria_chat_request_new ("llama3.2");
  g_autoptr(CriaChatMessage) message = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, "Hello");
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GAsyncResult) chat = NULL;
  g_autoptr(GAsyncResult) ps = NULL;
  g_autoptr(GAsyncResult) unload = NULL;
  g_autoptr(CriaRunningModel) model = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *running = cria_model_manager_get_running (fixture->manager);

  g_assert_cmpuint (g_list_model_get_n_items (running), ==, 0);

  /* A chat loads the model. */
  cria_chat_request_add_message (request, message);
  cria_client_chat_async (cria_backend_get_client (fixture->backend), request,
                          chat_chunk_cb, NULL, NULL, NULL,
                          cria_test_store_result_cb, &chat);
  cria_test_wait_until (chat != NULL);
  metrics = cria_client_chat_finish (cria_backend_get_client (fixture->backend), chat, &error);
  g_assert_no_error (error);

  cria_model_manager_refresh_running_async (fixture->manager, NULL, cria_test_store_result_cb, &ps);
  cria_test_wait_until (ps != NULL);
  g_assert_true (cria_model_manager_refresh_running_finish (fixture->manager, ps, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (g_list_model_get_n_items (running), ==, 1);
  model = g_list_model_get_item (running, 0);
  g_assert_cmpstr (cria_running_model_get_name (model), ==, "llama3.2:latest");
  g_assert_cmpint (cria_running_model_get_size (model), >, 0);
  g_assert_cmpint (cria_running_model_get_size_vram (model), >, 0);
  g_assert_cmpint (cria_running_model_get_context_length (model), ==, 4096);
  g_assert_nonnull (cria_running_model_get_expires_at (model));
  g_assert_false (cria_running_model_get_forever (model));
  g_assert_cmpstr (cria_running_model_get_family (model), ==, "llama");

  /* Unload: the list is up to date when it completes. */
  cria_model_manager_unload_async (fixture->manager, "llama3.2:latest", NULL,
                                   cria_test_store_result_cb, &unload);
  cria_test_wait_until (unload != NULL);
  g_assert_true (cria_model_manager_unload_finish (fixture->manager, unload, &error));
  g_assert_no_error (error);
  g_assert_false (cria_test_server_is_model_loaded (fixture->server, "llama3.2:latest"));
  g_assert_cmpuint (g_list_model_get_n_items (running), ==, 0);
}

static void
test_copy (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) invalid = NULL;
  g_autoptr(GAsyncResult) missing = NULL;
  g_autoptr(GError) error = NULL;

  cria_model_manager_copy_async (fixture->manager, "llama3.2:latest", "llama3.2-backup", NULL,
                                 cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  g_assert_true (cria_model_manager_copy_finish (fixture->manager, result, &error));
  g_assert_no_error (error);
  cria_test_wait_until (has_model (fixture, "llama3.2-backup:latest"));
  g_assert_true (has_model (fixture, "llama3.2:latest"));

  /* An invalid new name sends nothing. */
  cria_model_manager_copy_async (fixture->manager, "llama3.2:latest", "bad name", NULL,
                                 cria_test_store_result_cb, &invalid);
  cria_test_wait_until (invalid != NULL);
  g_assert_false (cria_model_manager_copy_finish (fixture->manager, invalid, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (cria_test_server_get_request_count (fixture->server, "/api/copy"), ==, 1);

  cria_model_manager_copy_async (fixture->manager, "no-such-model", "copy-of-nothing", NULL,
                                 cria_test_store_result_cb, &missing);
  cria_test_wait_until (missing != NULL);
  g_assert_false (cria_model_manager_copy_finish (fixture->manager, missing, &error));
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND);
}

static void
test_create (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(JsonObject) parameters = json_object_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autofree char *sent = NULL;

  json_object_set_double_member (parameters, "temperature", 0.3);

  cria_model_manager_create_async (fixture->manager, "llama3.2-pirate", "llama3.2",
                                   "You are a pirate.", parameters, NULL,
                                   cria_test_store_result_cb, &result);
  cria_test_wait_until (result != NULL);
  g_assert_true (cria_model_manager_create_finish (fixture->manager, result, &error));
  g_assert_no_error (error);
  cria_test_wait_until (has_model (fixture, "llama3.2-pirate"));

  /* What the server was asked */
  sent = cria_test_server_dup_last_body (fixture->server, "/api/create");
  body = parse_object (sent);
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "llama3.2-pirate");
  g_assert_cmpstr (json_object_get_string_member (body, "from"), ==, "llama3.2");
  g_assert_cmpstr (json_object_get_string_member (body, "system"), ==, "You are a pirate.");
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (body, "parameters"),
                                                    "temperature"), ==, 0.3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cria/model/name/validate", test_name_validate);
  g_test_add_func ("/cria/model-details/full", test_details_full);
  g_test_add_func ("/cria/model-details/old-server", test_details_old_server);
  g_test_add_func ("/cria/model-details/cloud", test_details_cloud);
  g_test_add_func ("/cria/model-details/odd-types", test_details_odd_types);
  g_test_add_func ("/cria/running-model/parse", test_running_parse);
  g_test_add_func ("/cria/pull/aggregate", test_pull_aggregate);
  g_test_add_func ("/cria/pull/speed", test_pull_speed);

#define ADD(path, func) \
  g_test_add ("/cria/model-manager/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("pull/progress", test_pull_progress);
  ADD ("pull/cached", test_pull_cached);
  ADD ("pull/unknown", test_pull_unknown);
  ADD ("pull/cancel-resume", test_pull_cancel_resume);
  ADD ("pull/concurrent", test_pull_concurrent);
  ADD ("pull/same-name", test_pull_same_name);
  ADD ("pull/invalid-name", test_pull_invalid_name);
  ADD ("remove/success", test_remove);
  ADD ("remove/not-found", test_remove_not_found);
  ADD ("show", test_show);
  ADD ("running-unload", test_running_unload);
  ADD ("copy", test_copy);
  ADD ("create", test_create);

#undef ADD

  return g_test_run ();
}
