/* cria-sim.c: the Ollama simulator as a program
 *
 *   cria-sim [--port N] [--scenario NAME] [--tokens-per-second N]
 *            [--reply-tokens N] [--pull-interval MS]
 *            [--pull-bytes-per-tick N] [--list-scenarios]
 *
 * For `build-aux/dev sim`, trying Cria without Ollama, and the benchmarks.
 * Prints "Ollama simulator listening on http://127.0.0.1:PORT" once it
 * listens, and runs until SIGINT or SIGTERM.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-sim"

#include "cria-config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib-unix.h>

#include "cria-test-server.h"

typedef struct
{
  const char *name;
  const char *description;
  void      (*apply) (CriaTestServer *server,
                      gboolean        paced);
  /* Pull progress: a line every pull_interval_ms (0: the default),
   * advancing by pull_bytes_per_tick (0: the default) */
  guint       pull_interval_ms;
  guint64     pull_bytes_per_tick;
} Scenario;

#define DEFAULT_PULL_INTERVAL_MS 60

static void
apply_default (CriaTestServer *server,
               gboolean        paced)
{
  static const char *thinking[] = { "completion", "tools", "thinking", NULL };

  cria_test_server_add_model (server, "deepseek-r1:7b", thinking);
}

static void
apply_thinking (CriaTestServer *server,
                gboolean        paced)
{
  static const char *thinking[] = { "completion", "tools", "thinking", NULL };

  cria_test_server_clear_models (server);
  cria_test_server_add_model (server, "qwen3:8b", thinking);
  cria_test_server_add_model (server, "deepseek-r1:7b", thinking);
  cria_test_server_add_model (server, "llama3.2:latest", NULL);
  cria_test_server_set_generated_thinking (server, 120);
}

static void
apply_slow (CriaTestServer *server,
            gboolean        paced)
{
  CriaTestFaults faults = {
    .delay_first_byte_ms = 2500,
    .inter_token_delay_ms = paced ? 0 : 150,
  };

  cria_test_server_set_faults (server, &faults);
}

static void
apply_flaky (CriaTestServer *server,
             gboolean        paced)
{
  CriaTestFaults faults = {
    .fail_every_nth_request = 2,
    .error_mid_stream_every_nth = 3,
    .error_mid_stream_after = 0,
  };

  cria_test_server_set_faults (server, &faults);
}

static void
apply_old_server (CriaTestServer *server,
                  gboolean        paced)
{
  CriaTestFaults faults = {
    .old_server = TRUE,
    .families_null = TRUE,
    .early_error = CRIA_TEST_EARLY_ERROR_NONE,
  };

  cria_test_server_set_version (server, "0.6.0");
  cria_test_server_set_faults (server, &faults);
}

static void
apply_empty (CriaTestServer *server,
             gboolean        paced)
{
  cria_test_server_clear_models (server);
}

static const Scenario scenarios[] = {
  { "default", "a few models, a thinking model among them; healthy replies", apply_default },
  { "thinking", "thinking models that think at length before answering", apply_thinking },
  { "slow", "a slow model load (2.5 s to the first byte), slow tokens and pulls", apply_slow,
    250, 16 * 1024 * 1024 },
  { "flaky", "every other request busy (503), every third stream fails midway", apply_flaky },
  { "old-server", "version 0.6.0: no capabilities, no tool call ids, families null",
    apply_old_server },
  { "empty", "no model installed; pull works", apply_empty },
};

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CriaTestServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *scenario_name = NULL;
  g_autofree char *url = NULL;
  const Scenario *scenario = NULL;
  gboolean list_scenarios = FALSE;
  double tokens_per_second = 0;
  int port = 11434;
  int reply_tokens = 80;
  int pull_interval = -1;
  gint64 pull_bytes_per_tick = 0;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port to listen on (0: any free port)", "N" },
    { "scenario", 's', 0, G_OPTION_ARG_STRING, &scenario_name, "Scenario (see --list-scenarios)",
      "NAME" },
    { "tokens-per-second", 't', 0, G_OPTION_ARG_DOUBLE, &tokens_per_second,
      "Pace replies at N tokens per second (0: full speed)", "N" },
    { "reply-tokens", 'r', 0, G_OPTION_ARG_INT, &reply_tokens,
      "Chat replies are N generated tokens long", "N" },
    { "pull-interval", 0, 0, G_OPTION_ARG_INT, &pull_interval,
      "A pull progress line every MS per layer (0: no wait; default: the scenario's)", "MS" },
    { "pull-bytes-per-tick", 0, 0, G_OPTION_ARG_INT64, &pull_bytes_per_tick,
      "Each pull progress line advances by N bytes (default: the scenario's)", "N" },
    { "list-scenarios", 0, 0, G_OPTION_ARG_NONE, &list_scenarios, "List the scenarios", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("— an Ollama simulator");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
                                    "Speaks Ollama's native HTTP API on 127.0.0.1, with "
                                    "simulated models,\nreplies and faults. Stop it with Ctrl+C.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }

  if (list_scenarios)
    {
      for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
        g_print ("%-12s %s\n", scenarios[i].name, scenarios[i].description);
      return EXIT_SUCCESS;
    }

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    if (g_strcmp0 (scenarios[i].name, scenario_name != NULL ? scenario_name : "default") == 0)
      scenario = &scenarios[i];

  if (scenario == NULL)
    {
      g_printerr ("Unknown scenario “%s”; see --list-scenarios\n", scenario_name);
      return EXIT_FAILURE;
    }

  if (port < 0 || port > G_MAXUINT16 || reply_tokens < 0 || tokens_per_second < 0 ||
      pull_interval < -1 || pull_bytes_per_tick < 0)
    {
      g_printerr ("Invalid option value; see --help\n");
      return EXIT_FAILURE;
    }

  server = cria_test_server_new ();
  if (reply_tokens > 0)
    cria_test_server_set_generated_reply (server, (guint) reply_tokens);
  cria_test_server_set_tokens_per_second (server, tokens_per_second);
  scenario->apply (server, tokens_per_second > 0);
  cria_test_server_set_pull_timing (server,
                                    pull_interval >= 0 ? (guint) pull_interval :
                                    scenario->pull_interval_ms > 0 ? scenario->pull_interval_ms :
                                    DEFAULT_PULL_INTERVAL_MS,
                                    pull_bytes_per_tick > 0 ? (guint64) pull_bytes_per_tick :
                                    scenario->pull_bytes_per_tick);

  if (!cria_test_server_start (server, (guint) port, &error))
    {
      g_printerr ("Cannot listen on 127.0.0.1:%d: %s\n", port, error->message);
      return EXIT_FAILURE;
    }

  url = cria_test_server_dup_url (server);
  g_print ("Ollama simulator listening on %s\n", url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  cria_test_server_stop (server);

  return EXIT_SUCCESS;
}
