/* test-backend.c: backends, their health, and the registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include "cria-core.h"
#include "cria-test-server.h"
#include "cria-test-utils.h"

static CriaBackend *
backend_for (SoupSession    *session,
             CriaTestServer *server)
{
  g_autofree char *url = cria_test_server_dup_url (server);
  g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  g_autoptr(CriaClient) client = cria_client_new (session, uri);
  CriaBackend *backend = cria_backend_new (client, CRIA_BACKEND_ORIGIN_CONFIGURED);

  cria_client_set_max_retries (client, 0);
  cria_backend_set_probe_intervals (backend, 50, 200);

  return backend;
}

static void
test_online (void)
{
  g_autoptr(CriaTestServer) server = cria_test_server_new ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(CriaBackend) backend = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CriaBackend) owner = NULL;
  CriaModel *model;

  cria_test_server_start (server, 0, &error);
  g_assert_no_error (error);
  cria_test_server_set_version (server, "0.12.6");

  backend = backend_for (session, server);
  g_assert_cmpint (cria_backend_get_status (backend), ==, CRIA_BACKEND_STATUS_UNKNOWN);
  cria_backend_start (backend);
  g_assert_cmpint (cria_backend_get_status (backend), ==, CRIA_BACKEND_STATUS_CONNECTING);

  cria_test_wait_until (cria_backend_get_reachable (backend));
  g_assert_cmpstr (cria_backend_get_version (backend), ==, "0.12.6");
  g_assert_cmpuint (g_list_model_get_n_items (cria_backend_get_models (backend)), >, 0);

  /* Names match like the server matches them. */
  model = cria_backend_find_model (backend, "LLAMA3.2");
  g_assert_nonnull (model);
  g_assert_cmpstr (cria_model_get_name (model), ==, "llama3.2:latest");
  owner = cria_model_dup_backend (model);
  g_assert_true (owner == backend);

  cria_backend_stop (backend);
  cria_test_server_stop (server);
}

static void
collect_delay_cb (CriaBackend *backend,
                  GParamSpec  *pspec,
                  GArray      *delays)
{
  guint delay = cria_backend_get_next_probe_delay (backend);

  if (delay > 0 && cria_backend_get_status (backend) == CRIA_BACKEND_STATUS_OFFLINE)
    g_array_append_val (delays, delay);
}

static void
test_recovers (void)
{
  g_autoptr(CriaTestServer) server = cria_test_server_new ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(CriaBackend) backend = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) delays = g_array_new (FALSE, FALSE, sizeof (guint));
  guint port;

  /* Take a free port, then leave it empty: Ollama is not running. */
  cria_test_server_start (server, 0, &error);
  g_assert_no_error (error);
  port = cria_test_server_get_port (server);
  backend = backend_for (session, server);
  cria_test_server_stop (server);

  g_signal_connect (backend, "notify::next-probe-delay", G_CALLBACK (collect_delay_cb), delays);
  cria_backend_start (backend);

  cria_test_wait_until (cria_backend_get_status (backend) == CRIA_BACKEND_STATUS_OFFLINE);
  g_assert_error (cria_backend_get_last_error (backend), CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_UNREACHABLE);
  g_assert_false (cria_backend_get_reachable (backend));

  /* It keeps probing, waiting longer each time, up to the maximum. */
  cria_test_wait_until (delays->len >= 5);
  g_assert_cmpuint (g_array_index (delays, guint, 0), <=, 50);
  g_assert_cmpuint (g_array_index (delays, guint, 1), >, 50);
  g_assert_cmpuint (g_array_index (delays, guint, 2), >, g_array_index (delays, guint, 1));
  g_assert_cmpuint (g_array_index (delays, guint, 4), <=, 200);

  /* Ollama starts: the backend recovers by itself. */
  cria_test_server_start (server, port, &error);
  g_assert_no_error (error);
  cria_test_wait_until (cria_backend_get_reachable (backend));
  g_assert_null (cria_backend_get_last_error (backend));
  g_assert_cmpuint (g_list_model_get_n_items (cria_backend_get_models (backend)), >, 0);

  /* And notices when it goes away again. */
  cria_test_server_stop (server);
  cria_test_wait_until (cria_backend_get_status (backend) == CRIA_BACKEND_STATUS_OFFLINE);

  cria_backend_stop (backend);
}

static void
test_models_refresh (void)
{
  g_autoptr(CriaTestServer) server = cria_test_server_new ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(CriaBackend) backend = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CriaModel) first = NULL;
  g_autoptr(CriaModel) still_first = NULL;
  GListModel *models;
  guint n;

  cria_test_server_start (server, 0, &error);
  g_assert_no_error (error);
  backend = backend_for (session, server);
  cria_backend_start (backend);
  cria_test_wait_until (cria_backend_get_reachable (backend));

  models = cria_backend_get_models (backend);
  n = g_list_model_get_n_items (models);
  first = g_list_model_get_item (models, 0);

  /* A model pulled elsewhere shows up on the next check. */
  cria_test_server_add_model (server, "mistral:7b", NULL);
  cria_test_wait_until (g_list_model_get_n_items (models) == n + 1);
  g_assert_nonnull (cria_backend_find_model (backend, "mistral:7b"));

  /* A check that finds nothing new leaves the list alone. */
  g_clear_object (&first);
  first = g_list_model_get_item (models, 0);
  cria_test_server_reset_counters (server);
  cria_test_wait_until (cria_test_server_get_request_count (server, "/api/tags") >= 2);
  still_first = g_list_model_get_item (models, 0);
  g_assert_true (first == still_first);

  cria_backend_stop (backend);
  cria_test_server_stop (server);
}

static void
test_registry (void)
{
  g_autoptr(CriaTestServer) a = cria_test_server_new ();
  g_autoptr(CriaTestServer) b = cria_test_server_new ();
  g_autoptr(CriaBackendRegistry) registry = cria_backend_registry_new ();
  g_autoptr(CriaStaticBackendProvider) provider = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url_a = NULL;
  g_autofree char *url_b = NULL;
  GListModel *models;
  CriaBackend *backend_a;
  CriaBackend *backend_b;
  guint n_a, n_b;

  cria_test_server_start (a, 0, &error);
  g_assert_no_error (error);
  cria_test_server_start (b, 0, &error);
  g_assert_no_error (error);
  cria_test_server_clear_models (b);
  cria_test_server_add_model (b, "phi4:14b", NULL);

  url_a = cria_test_server_dup_url (a);
  url_b = cria_test_server_dup_url (b);

  provider = cria_static_backend_provider_new (cria_backend_registry_get_session (registry));
  cria_static_backend_provider_set_urls (provider, (const char *[]) { url_a, url_b, url_a, NULL });
  cria_backend_registry_set_idle_timeout (registry, 1234);
  cria_backend_registry_add_provider (registry, CRIA_BACKEND_PROVIDER (provider));

  /* Duplicates collapse; both servers are active at once. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 2);
  backend_a = cria_backend_registry_find (registry, url_a);
  backend_b = cria_backend_registry_find (registry, url_b);
  g_assert_nonnull (backend_a);
  g_assert_nonnull (backend_b);
  g_assert_cmpuint (cria_client_get_idle_timeout (cria_backend_get_client (backend_a)), ==, 1234);

  cria_test_wait_until (cria_backend_get_reachable (backend_a) && cria_backend_get_reachable (backend_b));

  models = cria_backend_registry_get_models (registry);
  n_a = g_list_model_get_n_items (cria_backend_get_models (backend_a));
  n_b = g_list_model_get_n_items (cria_backend_get_models (backend_b));
  g_assert_cmpuint (n_b, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (models), ==, n_a + n_b);

  /* Every model knows its server. */
  {
    g_autoptr(CriaModel) last = g_list_model_get_item (models, n_a + n_b - 1);
    g_autoptr(CriaBackend) owner = cria_model_dup_backend (last);

    g_assert_cmpstr (cria_model_get_name (last), ==, "phi4:14b");
    g_assert_true (owner == backend_b);
  }

  /* Removing an endpoint removes its backend and its models. */
  cria_static_backend_provider_set_urls (provider, (const char *[]) { url_b, NULL });
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (models), ==, 1);
  g_assert_null (cria_backend_registry_find (registry, url_a));

  cria_backend_registry_remove_provider (registry, CRIA_BACKEND_PROVIDER (provider));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (models), ==, 0);

  cria_test_server_stop (a);
  cria_test_server_stop (b);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cria/backend/online", test_online);
  g_test_add_func ("/cria/backend/recovers", test_recovers);
  g_test_add_func ("/cria/backend/models-refresh", test_models_refresh);
  g_test_add_func ("/cria/backend/registry", test_registry);

  return g_test_run ();
}
