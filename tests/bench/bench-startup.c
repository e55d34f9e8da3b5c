/* bench-startup.c: start-up to first frame, and peak memory, against a
 * bare libadwaita window measured in the same run
 *
 * Spawns bench-bare-window and bench-cria-window alternately, after a few
 * warm-ups, and takes for each run the wall time from the spawn to the
 * child's `first-frame` line, and the child's peak RSS (wait4 ru_maxrss).
 * Cria talks to a cria-sim started here, so its first probe is part of its
 * start-up. Two more series give context: Cria until a model is selected
 * (`ready`), and Cria with no server at all (the offline page).
 *
 * A benchmark, not a test: it prints figures and PASS or MISS against the
 * budget (Cria within 1.3× of the bare window), and fails only when a
 * program could not be run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>

#include "bench-utils.h"

#define BUDGET_RATIO      1.3
#define CHILD_TIMEOUT_MS  30000

typedef enum
{
  SERIES_BARE,
  SERIES_CRIA,
  SERIES_CRIA_READY,
  SERIES_CRIA_OFFLINE,
  N_SERIES
} SeriesId;

typedef struct
{
  const char *title;
  GArray     *wall_ms;       /* of double: spawn to the awaited line */
  GArray     *rss_mib;       /* of double: ru_maxrss */
  GArray     *cpu_ms;        /* of double: user + system, to exit */
} Series;

static char *bare_path;
static char *cria_path;
static char *sim_path;
static char *icons_data_dir;
static int   n_runs = 15;
static int   n_warmups = 2;

static const GOptionEntry entries[] = {
  { "bare", 0, 0, G_OPTION_ARG_FILENAME, &bare_path, "bench-bare-window", "PATH" },
  { "cria", 0, 0, G_OPTION_ARG_FILENAME, &cria_path, "bench-cria-window", "PATH" },
  { "sim", 0, 0, G_OPTION_ARG_FILENAME, &sim_path, "cria-sim (default: $CRIA_SIM)", "PATH" },
  { "icons", 0, 0, G_OPTION_ARG_FILENAME, &icons_data_dir,
    "A data folder holding icons/hicolor with the app's icon, as installed", "DIR" },
  { "runs", 'n', 0, G_OPTION_ARG_INT, &n_runs, "Measured runs of each program (15)", "N" },
  { "warmups", 'w', 0, G_OPTION_ARG_INT, &n_warmups, "Warm-up runs of each program (2)", "N" },
  { NULL }
};

/* Statistics ------------------------------------------------------------ */

/* The median of the ratios @a[i] / @b[i]: runs i of two series ran one
 * after the other, so their ratio is less sensitive to the load of the
 * machine drifting than the ratio of the medians */
static double
paired_ratio (GArray *a,
              GArray *b)
{
  g_autoptr(GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < MIN (a->len, b->len); i++)
    {
      double ratio = g_array_index (a, double, i) / g_array_index (b, double, i);

      g_array_append_val (ratios, ratio);
    }

  return bench_median (ratios);
}

static void
print_ratio (const char *what,
             GArray     *a,
             GArray     *b)
{
  g_print ("  %-34s %6.2f×  %6.2f×  %6.2f×\n", what,
           paired_ratio (a, b), bench_median (a) / bench_median (b),
           bench_minimum (a) / bench_minimum (b));
}

/* An address where nothing listens: a port the kernel just gave out */
static char *
dup_closed_url (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  guint port = 9; /* discard: closed on any sane machine */

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);

  if (socket != NULL && g_socket_bind (socket, address, FALSE, NULL))
    {
      bound = g_socket_get_local_address (socket, NULL);
      if (bound != NULL)
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    }

  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

/* One run --------------------------------------------------------------- */

static gboolean
run_once (const char         *program,
          const char * const *extra_env,
          const char         *wanted,
          double             *wall_ms,
          double             *rss_mib,
          double             *cpu_ms)
{
  const char *argv[] = { program, NULL };
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GString) buffer = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  struct rusage usage;
  gboolean seen;
  gint64 start;
  GPid pid;
  int out_fd;
  int status;

  for (guint i = 0; extra_env[i] != NULL; i += 2)
    envp = g_environ_setenv (envp, extra_env[i], extra_env[i + 1], TRUE);

  start = g_get_monotonic_time ();

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, envp,
                                 G_SPAWN_DO_NOT_REAP_CHILD,
                                 NULL, NULL, &pid, NULL, &out_fd, NULL, &error))
    {
      g_printerr ("bench-startup: cannot run %s: %s\n", program, error->message);
      return FALSE;
    }

  line = bench_read_line (out_fd, buffer, wanted, start + CHILD_TIMEOUT_MS * 1000);
  seen = g_strcmp0 (line, wanted) == 0;
  *wall_ms = (g_get_monotonic_time () - start) / 1000.0;
  close (out_fd);

  if (!seen)
    kill (pid, SIGKILL);

  while (wait4 (pid, &status, 0, &usage) < 0)
    {
      if (errno != EINTR)
        {
          g_printerr ("bench-startup: wait4: %s\n", g_strerror (errno));
          return FALSE;
        }
    }
  g_spawn_close_pid (pid);

  if (!seen || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_printerr ("bench-startup: %s %s (status 0x%x)\n",
                  program, seen ? "failed on exit" : "never printed the line", status);
      return FALSE;
    }

  *rss_mib = usage.ru_maxrss / 1024.0;
  *cpu_ms = bench_rusage_ms (&usage);

  return TRUE;
}

/* Output ---------------------------------------------------------------- */

static void
print_series (const Series *series)
{
  g_print ("%-34s %8.1f %8.1f %8.1f   %7.1f %7.1f %7.1f   %7.1f\n",
           series->title,
           bench_median (series->wall_ms), bench_minimum (series->wall_ms),
           bench_maximum (series->wall_ms),
           bench_median (series->rss_mib), bench_minimum (series->rss_mib),
           bench_maximum (series->rss_mib),
           bench_median (series->cpu_ms));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sim_url = NULL;
  g_autofree char *closed_url = NULL;
  Series series[N_SERIES] = {
    [SERIES_BARE] = { "bare libadwaita window" },
    [SERIES_CRIA] = { "Cria, simulator running" },
    [SERIES_CRIA_READY] = { "Cria until ready (model selected)" },
    [SERIES_CRIA_OFFLINE] = { "Cria, no server (offline page)" },
  };
  double time_ratio;
  double rss_ratio;
  int status = 0;

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- start-up to first frame, Cria against a bare window");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-startup: %s\n", error->message);
      return 2;
    }

  bench_isolate_data_dir ();

  if (sim_path == NULL)
    sim_path = g_strdup (g_getenv ("CRIA_SIM"));

  if (bare_path == NULL || cria_path == NULL || sim_path == NULL || n_runs < 1 || n_warmups < 0)
    {
      g_printerr ("bench-startup: --bare, --cria and --sim (or $CRIA_SIM) are needed\n");
      return 2;
    }

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("bench-startup: no display; run under xvfb-run (build-aux/dev bench)\n");
      return 77;
    }

  /* The app's icon where an installed app has it: a window looks it up
   * when it is shown, and an icon not found costs a search through every
   * folder of the theme (20 ms here) that no installed Cria pays */
  if (icons_data_dir != NULL)
    {
      g_autoptr(GStrvBuilder) dirs = g_strv_builder_new ();
      g_auto(GStrv) joined = NULL;
      g_autofree char *value = NULL;

      g_strv_builder_add (dirs, icons_data_dir);
      g_strv_builder_addv (dirs, (const char **) g_get_system_data_dirs ());
      joined = g_strv_builder_end (dirs);
      value = g_strjoinv (":", joined);
      g_setenv ("XDG_DATA_DIRS", value, TRUE);
    }

  sim_url = bench_sim_start (sim_path, NULL, &sim);
  if (sim_url == NULL)
    return 1;
  closed_url = dup_closed_url ();

  for (guint s = 0; s < N_SERIES; s++)
    {
      series[s].wall_ms = g_array_new (FALSE, FALSE, sizeof (double));
      series[s].rss_mib = g_array_new (FALSE, FALSE, sizeof (double));
      series[s].cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
    }

  g_print ("Start-up to first frame: %d runs of each, alternating, after %d warm-up%s each\n",
           n_runs, n_warmups, n_warmups == 1 ? "" : "s");
  g_print ("Simulator: %s; offline address: %s; GSK_RENDERER=%s\n\n",
           sim_url, closed_url,
           g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "(default)");

  for (int round = 0; round < n_warmups + n_runs && status == 0; round++)
    {
      for (guint s = 0; s < N_SERIES; s++)
        {
          const char *bare_env[] = { NULL };
          const char *cria_env[] = { "OLLAMA_HOST", sim_url, NULL };
          const char *ready_env[] = { "OLLAMA_HOST", sim_url, "BENCH_UNTIL", "ready", NULL };
          const char *offline_env[] = { "OLLAMA_HOST", closed_url, NULL };
          const char *program = s == SERIES_BARE ? bare_path : cria_path;
          const char * const *env = s == SERIES_BARE ? bare_env :
                                    s == SERIES_CRIA ? cria_env :
                                    s == SERIES_CRIA_READY ? ready_env : offline_env;
          double wall_ms, rss_mib, cpu_ms;

          if (!run_once (program, env, s == SERIES_CRIA_READY ? "ready" : "first-frame",
                         &wall_ms, &rss_mib, &cpu_ms))
            {
              status = 1;
              break;
            }

          if (round < n_warmups)
            continue;

          g_array_append_val (series[s].wall_ms, wall_ms);
          g_array_append_val (series[s].rss_mib, rss_mib);
          g_array_append_val (series[s].cpu_ms, cpu_ms);
        }
    }

  bench_sim_stop (&sim);

  if (status != 0)
    {
      g_printerr ("bench-startup: a program failed; no figures\n");
      goto out;
    }

  g_print ("%-34s %8s %8s %8s   %7s %7s %7s   %7s\n",
           "", "time ms", "", "", "RSS MiB", "", "", "CPU ms");
  g_print ("%-34s %8s %8s %8s   %7s %7s %7s   %7s\n",
           "", "median", "min", "max", "median", "min", "max", "median");
  for (guint s = 0; s < N_SERIES; s++)
    print_series (&series[s]);

  time_ratio = paired_ratio (series[SERIES_CRIA].wall_ms, series[SERIES_BARE].wall_ms);
  rss_ratio = paired_ratio (series[SERIES_CRIA].rss_mib, series[SERIES_BARE].rss_mib);

  g_print ("\n%-36s %7s  %7s  %7s\n", "Ratios Cria/bare window", "paired", "medians", "lowest");
  print_ratio ("first frame, simulator running", series[SERIES_CRIA].wall_ms,
               series[SERIES_BARE].wall_ms);
  print_ratio ("first frame, no server", series[SERIES_CRIA_OFFLINE].wall_ms,
               series[SERIES_BARE].wall_ms);
  print_ratio ("ready / bare first frame", series[SERIES_CRIA_READY].wall_ms,
               series[SERIES_BARE].wall_ms);
  print_ratio ("peak RSS", series[SERIES_CRIA].rss_mib, series[SERIES_BARE].rss_mib);
  print_ratio ("CPU time to exit", series[SERIES_CRIA].cpu_ms, series[SERIES_BARE].cpu_ms);
  g_print ("(paired: the median of the ratios of runs made one after the other)\n");

  g_print ("\nBudget (within %.1f× of the bare window, paired ratios):\n", BUDGET_RATIO);
  g_print ("  %s  start-up to first frame  %.2f×\n",
           bench_verdict (time_ratio <= BUDGET_RATIO), time_ratio);
  g_print ("  %s  peak memory              %.2f×\n",
           bench_verdict (rss_ratio <= BUDGET_RATIO), rss_ratio);

out:
  for (guint s = 0; s < N_SERIES; s++)
    {
      g_clear_pointer (&series[s].wall_ms, g_array_unref);
      g_clear_pointer (&series[s].rss_mib, g_array_unref);
      g_clear_pointer (&series[s].cpu_ms, g_array_unref);
    }

  return status;
}
