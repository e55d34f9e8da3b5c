/* bench-pull.c: a 100,000-line pull progress stream, in the window and in
 * the core
 *
 * The simulator runs as a separate process (its work is not ours), pulling
 * qwen3:0.6b at full speed (no wait between lines) in steps sized so that
 * the stream has about --lines progress lines. cria-sim has no option for
 * the pull timing yet: when its --help lists --pull-interval and
 * --pull-bytes-per-tick it is used, else this program starts a copy of
 * itself with --serve, which runs the same simulator library
 * (CriaTestServer) with cria_test_server_set_pull_timing (0, step).
 *
 * Two consumers, run alternately:
 *
 * - core: cria_model_manager_pull() on the backend of a CriaApplication
 *   with no window open: the baseline;
 * - window: a new CriaWindow showing the models page; the model name is
 *   typed into "Download a Model" and Enter pressed, as the user does. A
 *   tick callback keeps the frame clock running (as an animation would), so
 *   a starved frame clock shows as a gap between paints.
 *
 * Between runs the model is removed, so every run downloads it all again.
 * For each run: the time and CPU (getrusage) from the request to the end of
 * the pull, the longest main-loop stall (the largest gap between two runs
 * of a 2 ms G_PRIORITY_HIGH timeout), and in the window the longest gap
 * between painted frames, up to the first frame after the pull ended.
 *
 * Budget: no stall over 50 ms in the window. A benchmark: it prints PASS or
 * MISS and fails only when it could not run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib-unix.h>
#include <gtk/gtk.h>

#include "cria-application.h"
#include "cria-models-page-private.h"
#include "cria-test-server.h"
#include "cria-window.h"
#include "cria-window-private.h"

#define MODEL               "qwen3:0.6b"
#define MODEL_SIZE          G_GINT64_CONSTANT (522653767)   /* the simulator's */
#define STALL_PERIOD_MS     2
#define STALL_BUDGET_MS     50.0
#define SETTLE_MS           500

typedef struct
{
  guint    rep;
  gboolean ui;
  gboolean ok;

  gint64   start_us;
  gint64   end_us;             /* the pull left the running state */
  gint64   final_paint_us;     /* window: the first frame after that */
  double   start_cpu_ms;
  double   end_cpu_ms;
  gint64   n_lines;            /* progress lines of the stream */
  gint64   total_bytes;

  double   max_stall_ms;
  double   max_stall_cpu_ms;      /* within it, the main thread on a CPU */
  double   max_stall_wait_ms;     /* and waiting for one */
  guint    n_stalls_over_frame;
  guint    n_stalls_over_budget;
  guint    n_paints;
  double   max_paint_gap_ms;
} Run;

typedef struct
{
  CriaApplication *app;
  CriaBackend     *backend;

  CriaWindow      *window;
  GdkFrameClock   *frame_clock;
  gulong           after_paint_id;
  guint            keep_painting_id;

  Run             *run;
  CriaPull        *pull;

  gboolean         stall_armed;
  gint64           last_tick_us;
  int              schedstat_fd;    /* /proc/thread-self/schedstat of the main thread */
  double           last_tick_cpu_ms;
  double           last_tick_wait_ms;
  gboolean         paint_armed;
  gint64           last_paint_us;
  gboolean         any_paint;
} Bench;

static char  *sim_path;
static int    n_lines_wanted = 100000;
static int    n_reps = 3;
static char  *only;
static gint64 serve_step;

static const GOptionEntry entries[] = {
  { "sim", 0, 0, G_OPTION_ARG_FILENAME, &sim_path,
    "cria-sim, used when it has --pull-interval and --pull-bytes-per-tick (default: $CRIA_SIM)",
    "PATH" },
  { "lines", 'l', 0, G_OPTION_ARG_INT, &n_lines_wanted, "Progress lines in the stream (100000)", "N" },
  { "reps", 'n', 0, G_OPTION_ARG_INT, &n_reps, "Runs of each consumer (3)", "N" },
  { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Run one consumer only, to profile it", "core|window" },
  { "serve", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT64, &serve_step,
    "Be the simulator, pulling in steps of N bytes", "N" },
  { NULL }
};

/* The simulator, when cria-sim cannot pace pulls ------------------------ */

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

static int
serve (void)
{
  static const char * const completion[] = { "completion", NULL };
  g_autoptr(CriaTestServer) server = cria_test_server_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  cria_test_server_clear_models (server);
  cria_test_server_add_model (server, "llama3.2:latest", completion);
  cria_test_server_set_pull_timing (server, 0, (guint64) serve_step);

  if (!cria_test_server_start (server, 0, &error))
    {
      g_printerr ("bench-pull: cannot listen: %s\n", error->message);
      return 1;
    }

  url = cria_test_server_dup_url (server);
  g_print ("Ollama simulator listening on %s\n", url);
  fflush (stdout);

  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  cria_test_server_stop (server);

  return 0;
}

/* The simulator must not outlive a benchmark that crashed */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
sim_can_pace_pulls (void)
{
  g_autofree char *help = NULL;
  const char *argv[] = { sim_path, "--help", NULL };

  if (sim_path == NULL ||
      !g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &help, NULL, NULL, NULL))
    return FALSE;

  return strstr (help, "--pull-interval") != NULL && strstr (help, "--pull-bytes-per-tick") != NULL;
}

/* Starts the simulator on a free port; returns its URL, or NULL */
static char *
start_simulator (const char   *self_path,
                 gint64        step,
                 GSubprocess **out_process,
                 const char  **out_what)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *step_text = g_strdup_printf ("%" G_GINT64_FORMAT, step);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);

  if (sim_can_pace_pulls ())
    {
      *out_what = "cria-sim";
      process = g_subprocess_launcher_spawn (launcher, &error,
                                             sim_path, "--port", "0", "--scenario", "default",
                                             "--pull-interval", "0",
                                             "--pull-bytes-per-tick", step_text,
                                             NULL);
    }
  else
    {
      *out_what = "a copy of bench-pull running the simulator library (cria-sim cannot pace pulls)";
      process = g_subprocess_launcher_spawn (launcher, &error,
                                             self_path, "--serve", step_text,
                                             NULL);
    }

  if (process == NULL)
    {
      g_printerr ("bench-pull: cannot start the simulator: %s\n", error->message);
      return NULL;
    }

  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (input, NULL, NULL, &error);
      const char *url;

      if (line == NULL)
        {
          g_printerr ("bench-pull: the simulator did not start: %s\n",
                      error ? error->message : "it exited");
          g_subprocess_force_exit (process);
          return NULL;
        }

      url = strstr (line, "http://");
      if (strstr (line, "listening on") != NULL && url != NULL)
        {
          *out_process = g_steal_pointer (&process);
          return g_strdup (url);
        }
    }
}

/* Measures -------------------------------------------------------------- */

static double
cpu_time_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);

  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

/* The time the main thread spent on a CPU and waiting for one: what is
 * left of a stall was spent blocked */
static void
read_schedstat (Bench  *bench,
                double *cpu_ms,
                double *wait_ms)
{
  char text[128];
  ssize_t n;
  char *end;

  *cpu_ms = *wait_ms = 0;

  if (bench->schedstat_fd < 0)
    return;

  n = pread (bench->schedstat_fd, text, sizeof text - 1, 0);
  if (n <= 0)
    return;
  text[n] = '\0';

  *cpu_ms = g_ascii_strtoull (text, &end, 10) / 1e6;
  *wait_ms = g_ascii_strtoull (end, NULL, 10) / 1e6;
}

static gboolean
stall_tick_cb (gpointer user_data)
{
  Bench *bench = user_data;
  gint64 now = g_get_monotonic_time ();
  double cpu_now, wait_now;

  read_schedstat (bench, &cpu_now, &wait_now);

  if (bench->stall_armed && bench->run != NULL && bench->last_tick_us != 0)
    {
      double gap_ms = (now - bench->last_tick_us) / 1000.0;

      if (gap_ms > bench->run->max_stall_ms)
        {
          bench->run->max_stall_ms = gap_ms;
          bench->run->max_stall_cpu_ms = cpu_now - bench->last_tick_cpu_ms;
          bench->run->max_stall_wait_ms = wait_now - bench->last_tick_wait_ms;
        }
      if (gap_ms > 30 && g_getenv ("BENCH_PULL_VERBOSE") != NULL)
        g_printerr ("bench-pull: %.1f ms stall at %.1f ms, %.0f %%\n", gap_ms,
                    (now - bench->run->start_us) / 1000.0,
                    bench->pull ? cria_pull_get_fraction (bench->pull) * 100 : -1.0);
      if (gap_ms > 1000.0 / 60)
        bench->run->n_stalls_over_frame++;
      if (gap_ms > STALL_BUDGET_MS)
        bench->run->n_stalls_over_budget++;
    }

  bench->last_tick_us = now;
  bench->last_tick_cpu_ms = cpu_now;
  bench->last_tick_wait_ms = wait_now;

  return G_SOURCE_CONTINUE;
}

static void
after_paint_cb (GdkFrameClock *frame_clock,
                Bench         *bench)
{
  gint64 now = g_get_monotonic_time ();
  Run *run = bench->run;

  bench->any_paint = TRUE;

  if (run == NULL || !bench->paint_armed)
    return;

  run->max_paint_gap_ms = MAX (run->max_paint_gap_ms, (now - bench->last_paint_us) / 1000.0);
  bench->last_paint_us = now;
  run->n_paints++;

  if (run->end_us != 0 && run->final_paint_us == 0)
    {
      run->final_paint_us = now;
      bench->paint_armed = FALSE;
    }
}

/* A frame every refresh, as while a spinner turns */
static gboolean
keep_painting_cb (GtkWidget     *widget,
                  GdkFrameClock *frame_clock,
                  gpointer       user_data)
{
  return G_SOURCE_CONTINUE;
}

#define wait_until(cond, seconds)                                            \
  ({                                                                         \
    gint64 _deadline = g_get_monotonic_time () + (gint64) (seconds) * G_USEC_PER_SEC; \
    gboolean _ok = TRUE;                                                     \
    while (!(cond))                                                          \
      {                                                                      \
        if (g_get_monotonic_time () > _deadline)                             \
          {                                                                  \
            _ok = FALSE;                                                     \
            break;                                                           \
          }                                                                  \
        g_main_context_iteration (NULL, TRUE);                               \
      }                                                                      \
    _ok;                                                                     \
  })

static void
run_for (guint msec)
{
  gint64 end = g_get_monotonic_time () + (gint64) msec * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

/* Lines of the stream the simulator sends for @pull in steps of @step:
 * `pulling manifest`; per layer, a line with what is there and one per
 * step; then `verifying sha256 digest`, `writing manifest`, `success` */
static gint64
count_lines (CriaPull *pull,
             gint64    step)
{
  GListModel *layers = cria_pull_get_layers (pull);
  guint n_layers = g_list_model_get_n_items (layers);
  gint64 n = 4;

  for (guint i = 0; i < n_layers; i++)
    {
      g_autoptr(CriaPullLayer) layer = g_list_model_get_item (layers, i);

      n += 1 + (cria_pull_layer_get_total (layer) + step - 1) / step;
    }

  return n;
}

/* The window ------------------------------------------------------------- */

static gboolean
open_window (Bench *bench)
{
  bench->window = cria_window_new (bench->app);
  g_object_add_weak_pointer (G_OBJECT (bench->window), (gpointer *) &bench->window);
  gtk_window_present (GTK_WINDOW (bench->window));

  bench->any_paint = FALSE;
  bench->frame_clock = g_object_ref (gtk_widget_get_frame_clock (GTK_WIDGET (bench->window)));
  bench->after_paint_id = g_signal_connect (bench->frame_clock, "after-paint",
                                            G_CALLBACK (after_paint_cb), bench);

  if (!wait_until (bench->any_paint &&
                   cria_backend_get_status (bench->backend) == CRIA_BACKEND_STATUS_ONLINE, 30))
    {
      g_printerr ("bench-pull: the window never showed a backend online\n");
      return FALSE;
    }

  /* Ctrl+M: the models page */
  if (!gtk_widget_activate_action (GTK_WIDGET (bench->window), "win.show-models", NULL) ||
      !wait_until (gtk_widget_get_mapped (GTK_WIDGET (_cria_window_ensure_models_page (bench->window))), 10))
    {
      g_printerr ("bench-pull: the models page did not show\n");
      return FALSE;
    }

  run_for (SETTLE_MS);

  return TRUE;
}

static void
close_window (Bench *bench)
{
  if (bench->keep_painting_id != 0 && bench->window != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (bench->window), bench->keep_painting_id);
  bench->keep_painting_id = 0;

  if (bench->frame_clock != NULL)
    {
      g_clear_signal_handler (&bench->after_paint_id, bench->frame_clock);
      g_clear_object (&bench->frame_clock);
    }

  if (bench->window == NULL)
    return;

  gtk_window_destroy (GTK_WINDOW (bench->window));
  if (!wait_until (bench->window == NULL, 10))
    {
      g_printerr ("bench-pull: a closed window was not finalized\n");
      g_object_remove_weak_pointer (G_OBJECT (bench->window), (gpointer *) &bench->window);
      bench->window = NULL;
    }

  run_for (SETTLE_MS);
}

/* Types the name and presses Enter in "Download a Model" */
static CriaPull *
pull_through_ui (Bench *bench)
{
  CriaModelsPage *page = _cria_window_ensure_models_page (bench->window);
  AdwEntryRow *entry = _cria_models_page_get_pull_row (page);
  GListModel *pulls = cria_model_manager_get_pulls (cria_backend_get_model_manager (bench->backend));
  guint n_items;

  gtk_editable_set_text (GTK_EDITABLE (entry), MODEL);
  g_signal_emit_by_name (entry, "entry-activated");

  n_items = g_list_model_get_n_items (pulls);
  if (n_items == 0)
    return NULL;

  return g_list_model_get_item (pulls, n_items - 1);
}

/* Runs ------------------------------------------------------------------ */

static void
remove_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  if (!cria_model_manager_remove_finish (CRIA_MODEL_MANAGER (object), result, &error) &&
      !g_error_matches (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND))
    g_printerr ("bench-pull: could not remove %s: %s\n", MODEL, error->message);

  *done = TRUE;
}

/* Every run downloads the whole model */
static void
remove_model (Bench *bench)
{
  CriaModelManager *manager = cria_backend_get_model_manager (bench->backend);
  gboolean done = FALSE;

  cria_model_manager_remove_async (manager, MODEL, NULL, remove_cb, &done);
  wait_until (done, 30);
  wait_until (cria_backend_find_model (bench->backend, MODEL) == NULL, 30);
}

static gboolean
run_pull (Bench    *bench,
          gboolean  ui,
          gint64    step,
          Run      *run)
{
  g_autoptr(GError) error = NULL;
  CriaModelManager *manager = cria_backend_get_model_manager (bench->backend);
  gboolean finished;

  remove_model (bench);
  run_for (SETTLE_MS);

  run->ui = ui;
  bench->run = run;
  bench->stall_armed = TRUE;
  bench->last_tick_us = 0;

  if (ui)
    {
      bench->keep_painting_id = gtk_widget_add_tick_callback (GTK_WIDGET (bench->window),
                                                              keep_painting_cb, NULL, NULL);
      bench->paint_armed = TRUE;
    }

  run->start_us = g_get_monotonic_time ();
  run->start_cpu_ms = cpu_time_ms ();
  bench->last_paint_us = run->start_us;

  if (ui)
    bench->pull = pull_through_ui (bench);
  else
    bench->pull = cria_model_manager_pull (manager, MODEL, &error);

  if (bench->pull == NULL)
    {
      g_printerr ("bench-pull: the pull did not start: %s\n", error ? error->message : "no pull");
      bench->run = NULL;
      return FALSE;
    }

  finished = wait_until (cria_pull_get_state (bench->pull) != CRIA_PULL_STATE_RUNNING, 600);
  run->end_us = g_get_monotonic_time ();
  run->end_cpu_ms = cpu_time_ms ();

  if (finished && ui)
    wait_until (run->final_paint_us != 0, 5);

  bench->stall_armed = FALSE;
  bench->paint_armed = FALSE;

  if (ui && bench->keep_painting_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (bench->window), bench->keep_painting_id);
      bench->keep_painting_id = 0;
    }

  run->ok = finished && cria_pull_get_state (bench->pull) == CRIA_PULL_STATE_SUCCEEDED;
  run->n_lines = count_lines (bench->pull, step);
  run->total_bytes = cria_pull_get_total (bench->pull);

  if (!run->ok)
    {
      const GError *pull_error = cria_pull_get_error (bench->pull);

      g_printerr ("bench-pull: the pull ended in state %d: %s\n",
                  cria_pull_get_state (bench->pull), pull_error ? pull_error->message : "no error");
      cria_pull_cancel (bench->pull);
    }

  cria_model_manager_dismiss_pull (manager, bench->pull);
  g_clear_object (&bench->pull);
  bench->run = NULL;

  g_printerr ("bench-pull: %s run done: %" G_GINT64_FORMAT " lines in %.1f ms, longest stall %.1f ms\n",
              ui ? "window" : "core", run->n_lines, (run->end_us - run->start_us) / 1000.0,
              run->max_stall_ms);

  return run->ok;
}

/* Output ---------------------------------------------------------------- */

static double
run_total_ms (const Run *run)
{
  return (run->end_us - run->start_us) / 1000.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

typedef double (*RunMeasure) (const Run *run);

static double
median_of (const Run  *runs,
           guint       n_runs,
           gboolean    ui,
           RunMeasure  measure)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  guint n;

  for (guint i = 0; i < n_runs; i++)
    {
      if (runs[i].ui == ui)
        {
          double value = measure (&runs[i]);

          g_array_append_val (values, value);
        }
    }

  n = values->len;
  if (n == 0)
    return 0;

  g_array_sort (values, compare_doubles);
  if (n % 2 == 1)
    return g_array_index (values, double, n / 2);

  return (g_array_index (values, double, n / 2 - 1) + g_array_index (values, double, n / 2)) / 2;
}

static double
maximum_of (const Run  *runs,
            guint       n_runs,
            gboolean    ui,
            RunMeasure  measure)
{
  double max = 0;

  for (guint i = 0; i < n_runs; i++)
    if (runs[i].ui == ui)
      max = MAX (max, measure (&runs[i]));

  return max;
}

static const Run *
worst_run (const Run  *runs,
           guint       n_runs,
           gboolean    ui,
           RunMeasure  measure)
{
  const Run *worst = NULL;

  for (guint i = 0; i < n_runs; i++)
    if (runs[i].ui == ui && (worst == NULL || measure (&runs[i]) > measure (worst)))
      worst = &runs[i];

  return worst;
}

static double
run_stall (const Run *run)
{
  return run->max_stall_ms;
}

static double
run_paint_gap (const Run *run)
{
  return run->max_paint_gap_ms;
}

static double
run_cpu_us_per_line (const Run *run)
{
  return run->n_lines > 0 ? (run->end_cpu_ms - run->start_cpu_ms) * 1000.0 / run->n_lines : 0;
}

static double
run_lines_per_second (const Run *run)
{
  double total = run_total_ms (run);

  return total > 0 ? run->n_lines * 1000.0 / total : 0;
}

static void
print_runs (const Run *runs,
            guint      n_runs)
{
  g_print ("%-4s %-6s %7s %9s %10s %9s %9s %8s %7s %7s %8s %6s %6s %8s\n",
           "run", "who", "lines", "total ms", "lines/s", "CPU ms", "CPU µs/l",
           "stall ms", "its CPU", "its wait", ">16.7ms", ">50ms", "frames", "gap ms");

  for (guint i = 0; i < n_runs; i++)
    {
      const Run *run = &runs[i];

      g_print ("%-4u %-6s %7" G_GINT64_FORMAT " %9.1f %10.0f %9.1f %9.2f %8.1f %7.1f %7.1f %8u %6u ",
               run->rep, run->ui ? "window" : "core", run->n_lines,
               run_total_ms (run), run_lines_per_second (run),
               run->end_cpu_ms - run->start_cpu_ms, run_cpu_us_per_line (run),
               run->max_stall_ms, run->max_stall_cpu_ms, run->max_stall_wait_ms,
               run->n_stalls_over_frame, run->n_stalls_over_budget);
      if (run->ui)
        g_print ("%6u %8.1f\n", run->n_paints, run->max_paint_gap_ms);
      else
        g_print ("%6s %8s\n", "–", "–");
    }
}

static const char *
verdict (gboolean pass)
{
  return pass ? "PASS" : "MISS";
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *self_path = NULL;
  g_autofree Run *runs = NULL;
  Bench bench = { NULL, .schedstat_fd = -1 };
  const char *sim_what = NULL;
  GListModel *registry;
  guint n_runs = 0;
  guint stall_source;
  gint64 step;
  double ui_stall, core_stall, ui_gap;
  const Run *stalled;
  int status = 0;

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- a 100,000-line pull progress stream, in the window and in the core");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-pull: %s\n", error->message);
      return 2;
    }

  if (serve_step > 0)
    return serve ();

  if (sim_path == NULL)
    sim_path = g_strdup (g_getenv ("CRIA_SIM"));
  if (n_lines_wanted < 100 || n_reps < 1 ||
      (only != NULL && g_strcmp0 (only, "core") != 0 && g_strcmp0 (only, "window") != 0))
    {
      g_printerr ("bench-pull: at least 100 lines and 1 run, and --only core or window\n");
      return 2;
    }

  if (!gtk_init_check ())
    {
      g_print ("bench-pull: no display; run under xvfb-run (build-aux/dev bench)\n");
      return 77;
    }

  /* Steps that cut the model into about as many lines as wanted (the
   * small layers add a few) */
  step = MAX (1, (MODEL_SIZE + n_lines_wanted - 1) / n_lines_wanted);

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  url = start_simulator (self_path ? self_path : argv[0], step, &sim, &sim_what);
  if (url == NULL)
    return 1;

  /* The app, as the ui tests run it; held, so it lives without a window */
  g_setenv ("OLLAMA_HOST", url, TRUE);
  bench.app = cria_application_new ();
  g_application_set_flags (G_APPLICATION (bench.app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (bench.app), NULL, &error))
    {
      g_printerr ("bench-pull: cannot register the application: %s\n", error->message);
      status = 1;
      goto out;
    }
  g_application_hold (G_APPLICATION (bench.app));
  g_application_activate (G_APPLICATION (bench.app));

  registry = G_LIST_MODEL (cria_application_get_registry (bench.app));
  if (g_list_model_get_n_items (registry) != 1)
    {
      g_printerr ("bench-pull: expected one backend\n");
      status = 1;
      goto out;
    }
  bench.backend = g_list_model_get_item (registry, 0);

  /* The first window is only for getting online */
  bench.window = CRIA_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (bench.app)));
  g_object_add_weak_pointer (G_OBJECT (bench.window), (gpointer *) &bench.window);
  if (!wait_until (cria_backend_get_status (bench.backend) == CRIA_BACKEND_STATUS_ONLINE, 30))
    {
      g_printerr ("bench-pull: the simulator never answered\n");
      status = 1;
      goto out;
    }
  close_window (&bench);

  bench.schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  stall_source = g_timeout_add_full (G_PRIORITY_HIGH, STALL_PERIOD_MS, stall_tick_cb, &bench, NULL);

  g_print ("Pulling %s from %s at full speed, in steps of %" G_GINT64_FORMAT " bytes "
           "(about %d progress lines), %d run%s of each, alternating\n",
           MODEL, sim_what, step, n_lines_wanted, n_reps, n_reps == 1 ? "" : "s");
  g_print ("core: cria_model_manager_pull (), no window open; window: typed into the models page "
           "of a new CriaWindow, frames kept running (GSK_RENDERER=%s)\n\n",
           g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default");

  runs = g_new0 (Run, 2 * n_reps);
  for (int rep = 0; rep < n_reps && status == 0; rep++)
    {
      for (guint ui = 0; ui < 2 && status == 0; ui++)
        {
          if (only != NULL && g_strcmp0 (only, ui ? "window" : "core") != 0)
            continue;

          memset (&runs[n_runs], 0, sizeof runs[n_runs]);
          runs[n_runs].rep = rep + 1;
          if (ui && !open_window (&bench))
            status = 1;
          else if (!run_pull (&bench, ui, step, &runs[n_runs]))
            status = 1;
          if (ui)
            close_window (&bench);
          n_runs++;
        }
    }

  g_source_remove (stall_source);

  if (status != 0)
    {
      g_printerr ("bench-pull: a run failed; no figures\n");
      goto out;
    }

  print_runs (runs, n_runs);

  if (only != NULL)
    goto out;

  stalled = worst_run (runs, n_runs, TRUE, run_stall);
  ui_stall = maximum_of (runs, n_runs, TRUE, run_stall);
  core_stall = maximum_of (runs, n_runs, FALSE, run_stall);
  ui_gap = maximum_of (runs, n_runs, TRUE, run_paint_gap);

  g_print ("\nMedians (window / core):\n");
  g_print ("  total time        %9.1f ms / %9.1f ms   %.2f×\n",
           median_of (runs, n_runs, TRUE, run_total_ms), median_of (runs, n_runs, FALSE, run_total_ms),
           median_of (runs, n_runs, TRUE, run_total_ms) / median_of (runs, n_runs, FALSE, run_total_ms));
  g_print ("  CPU per line      %9.2f µs / %9.2f µs   %.2f×\n",
           median_of (runs, n_runs, TRUE, run_cpu_us_per_line),
           median_of (runs, n_runs, FALSE, run_cpu_us_per_line),
           median_of (runs, n_runs, TRUE, run_cpu_us_per_line) /
           median_of (runs, n_runs, FALSE, run_cpu_us_per_line));
  g_print ("  longest stall     %9.1f ms / %9.1f ms   (worst run)\n", ui_stall, core_stall);
  g_print ("  longest frame gap %9.1f ms, request to the frame after the end (worst run)\n", ui_gap);

  g_print ("\nBudget:\n");
  g_print ("  %s  no main-loop stall over %.0f ms in the window during a %d-line pull: worst %.1f ms "
           "(core alone: %.1f ms)\n",
           verdict (ui_stall <= STALL_BUDGET_MS), STALL_BUDGET_MS, n_lines_wanted, ui_stall, core_stall);

  /* Where the time of the worst stall went: Cria's work, a busy machine,
   * or waiting (on the X server…) */
  if (stalled != NULL)
    g_print ("        in it the main thread ran %.1f ms, waited %.1f ms for a CPU and was "
             "blocked %.1f ms (run %u)\n",
             stalled->max_stall_cpu_ms, stalled->max_stall_wait_ms,
             MAX (0, stalled->max_stall_ms - stalled->max_stall_cpu_ms - stalled->max_stall_wait_ms),
             stalled->rep);

out:
  if (bench.schedstat_fd >= 0)
    close (bench.schedstat_fd);
  close_window (&bench);
  g_clear_object (&bench.backend);
  if (bench.app != NULL)
    g_application_release (G_APPLICATION (bench.app));
  g_clear_object (&bench.app);
  if (sim != NULL)
    {
      g_subprocess_force_exit (sim);
      g_subprocess_wait (sim, NULL, NULL);
    }

  return status;
}
