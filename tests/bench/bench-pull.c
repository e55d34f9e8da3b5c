/* bench-pull.c: a 100,000-line pull progress stream, in the window and in
 * the core
 *
 * The simulator runs as a separate process (its work is not ours), pulling
 * qwen3:0.6b at full speed (no wait between lines) in steps sized so that
 * the stream has about --lines progress lines (cria-sim --pull-interval 0
 * --pull-bytes-per-tick STEP).
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
#include <stdio.h>
#include <string.h>

#include <gtk/gtk.h>

#include "cria-application.h"
#include "cria-models-page-private.h"
#include "cria-window.h"
#include "cria-window-private.h"

#include "bench-utils.h"

#define MODEL               "qwen3:0.6b"
#define MODEL_SIZE          G_GINT64_CONSTANT (522653767)   /* the simulator's */
#define STALL_BUDGET_MS     50.0
#define SETTLE_MS           500

/* end_us: the pull left the running state; frames.final_paint_us: in the
 * window, the first frame after that */
typedef struct
{
  BenchRun base;
  gint64   n_lines;            /* progress lines of the stream */
  gint64   total_bytes;
} Run;

typedef struct
{
  CriaApplication *app;
  CriaBackend     *backend;

  CriaWindow      *window;
  BenchFrameMeter  frame_meter;
  guint            keep_painting_id;
  BenchStallMeter *stall_meter;

  gint64           step;             /* of the pull, in bytes */
  Run             *run;
  CriaPull        *pull;
} Bench;

static char  *sim_path;
static int    n_lines_wanted = 100000;
static int    n_reps = 3;
static char  *only;

static const GOptionEntry entries[] = {
  { "sim", 0, 0, G_OPTION_ARG_FILENAME, &sim_path, "cria-sim (default: $CRIA_SIM)", "PATH" },
  { "lines", 'l', 0, G_OPTION_ARG_INT, &n_lines_wanted, "Progress lines in the stream (100000)", "N" },
  { "reps", 'n', 0, G_OPTION_ARG_INT, &n_reps, "Runs of each consumer (3)", "N" },
  { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Run one consumer only, to profile it", "core|window" },
  { NULL }
};

/* Measures -------------------------------------------------------------- */

/* With BENCH_PULL_VERBOSE, says when each long stall came */
static void
stall_cb (double   gap_ms,
          gpointer user_data)
{
  Bench *bench = user_data;

  if (gap_ms > 30 && bench->run != NULL && g_getenv ("BENCH_PULL_VERBOSE") != NULL)
    g_printerr ("bench-pull: %.1f ms stall at %.1f ms, %.0f %%\n", gap_ms,
                (g_get_monotonic_time () - bench->run->base.start_us) / 1000.0,
                bench->pull ? cria_pull_get_fraction (bench->pull) * 100 : -1.0);
}

/* A frame every refresh, as while a spinner turns */
static gboolean
keep_painting_cb (GtkWidget     *widget,
                  GdkFrameClock *frame_clock,
                  gpointer       user_data)
{
  return G_SOURCE_CONTINUE;
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
open_window (gpointer user_data)
{
  Bench *bench = user_data;
  bench->window = cria_window_new (bench->app);
  g_object_add_weak_pointer (G_OBJECT (bench->window), (gpointer *) &bench->window);
  gtk_window_present (GTK_WINDOW (bench->window));

  bench_frame_meter_attach (&bench->frame_meter, GTK_WIDGET (bench->window));

  if (!bench_wait_until (bench->frame_meter.any_paint &&
                   cria_backend_get_status (bench->backend) == CRIA_BACKEND_STATUS_ONLINE, 30))
    {
      g_printerr ("bench-pull: the window never showed a backend online\n");
      return FALSE;
    }

  /* Ctrl+M: the models page */
  if (!gtk_widget_activate_action (GTK_WIDGET (bench->window), "win.show-models", NULL) ||
      !bench_wait_until (gtk_widget_get_mapped (
                           GTK_WIDGET (_cria_window_ensure_models_page (bench->window))), 10))
    {
      g_printerr ("bench-pull: the models page did not show\n");
      return FALSE;
    }

  bench_run_for (SETTLE_MS);

  return TRUE;
}

static void
close_window (gpointer user_data)
{
  Bench *bench = user_data;
  if (bench->keep_painting_id != 0 && bench->window != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (bench->window), bench->keep_painting_id);
  bench->keep_painting_id = 0;

  bench_frame_meter_detach (&bench->frame_meter);

  if (bench->window == NULL)
    return;

  gtk_window_destroy (GTK_WINDOW (bench->window));
  if (!bench_wait_until (bench->window == NULL, 10))
    {
      g_printerr ("bench-pull: a closed window was not finalized\n");
      g_object_remove_weak_pointer (G_OBJECT (bench->window), (gpointer *) &bench->window);
      bench->window = NULL;
    }

  bench_run_for (SETTLE_MS);
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
  bench_wait_until (done, 30);
  bench_wait_until (cria_backend_find_model (bench->backend, MODEL) == NULL, 30);
}

static gboolean
run_pull (BenchRun *base,
          gpointer  user_data)
{
  Bench *bench = user_data;
  Run *run = (Run *) base;
  gboolean ui = base->ui;
  g_autoptr(GError) error = NULL;
  CriaModelManager *manager = cria_backend_get_model_manager (bench->backend);
  gboolean finished;

  remove_model (bench);
  bench_run_for (SETTLE_MS);

  bench->run = run;
  bench_stall_meter_arm (bench->stall_meter, &run->base.stalls);

  if (ui)
    bench->keep_painting_id = gtk_widget_add_tick_callback (GTK_WIDGET (bench->window),
                                                            keep_painting_cb, NULL, NULL);

  run->base.start_us = g_get_monotonic_time ();
  run->base.start_cpu_ms = bench_cpu_ms ();

  if (ui)
    {
      bench_frame_meter_begin (&bench->frame_meter, &run->base.frames);
      bench_frame_meter_arm (&bench->frame_meter, run->base.start_us);
      bench->pull = pull_through_ui (bench);
    }
  else
    {
      bench->pull = cria_model_manager_pull (manager, MODEL, &error);
    }

  if (bench->pull == NULL)
    {
      g_printerr ("bench-pull: the pull did not start: %s\n", error ? error->message : "no pull");
      bench_stall_meter_arm (bench->stall_meter, NULL);
      bench_frame_meter_finish (&bench->frame_meter);
      bench->run = NULL;
      return FALSE;
    }

  finished = bench_wait_until (cria_pull_get_state (bench->pull) != CRIA_PULL_STATE_RUNNING, 600);
  run->base.end_us = g_get_monotonic_time ();
  run->base.end_cpu_ms = bench_cpu_ms ();
  bench_frame_meter_end (&bench->frame_meter);

  if (finished && ui)
    bench_wait_until (run->base.frames.final_paint_us != 0, 5);

  bench_stall_meter_arm (bench->stall_meter, NULL);
  bench_frame_meter_finish (&bench->frame_meter);

  if (ui && bench->keep_painting_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (bench->window), bench->keep_painting_id);
      bench->keep_painting_id = 0;
    }

  run->base.ok = finished && cria_pull_get_state (bench->pull) == CRIA_PULL_STATE_SUCCEEDED;
  run->n_lines = count_lines (bench->pull, bench->step);
  run->total_bytes = cria_pull_get_total (bench->pull);

  if (!run->base.ok)
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
              ui ? "window" : "core", run->n_lines, bench_run_total_ms (&run->base),
              run->base.stalls.max_ms);

  return run->base.ok;
}

/* Output ---------------------------------------------------------------- */

static double
run_cpu_us_per_line (const BenchRun *base)
{
  const Run *run = (const Run *) base;

  return run->n_lines > 0 ? (base->end_cpu_ms - base->start_cpu_ms) * 1000.0 / run->n_lines : 0;
}

static double
run_lines_per_second (const Run *run)
{
  double total = bench_run_total_ms (&run->base);

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
      const BenchStalls *stalls = &run->base.stalls;

      g_print ("%-4u %-6s %7" G_GINT64_FORMAT " %9.1f %10.0f %9.1f %9.2f %8.1f %7.1f %7.1f %8u %6u ",
               run->base.rep, run->base.ui ? "window" : "core", run->n_lines,
               bench_run_total_ms (&run->base), run_lines_per_second (run),
               run->base.end_cpu_ms - run->base.start_cpu_ms, run_cpu_us_per_line (&run->base),
               stalls->max_ms, stalls->max_cpu_ms, stalls->max_wait_ms,
               stalls->n_over_frame, stalls->n_over_budget);
      bench_run_print_frames (&run->base);
      g_print ("\n");
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *step_text = NULL;
  g_autofree Run *runs = NULL;
  Bench bench = { NULL };
  BenchRuns all;
  GListModel *registry;
  double ui_stall, core_stall;
  const BenchRun *stalled;
  int status = 0;

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- a 100,000-line pull progress stream, in the window and in the core");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-pull: %s\n", error->message);
      return 2;
    }

  bench_isolate_data_dir ();

  if (sim_path == NULL)
    sim_path = g_strdup (g_getenv ("CRIA_SIM"));
  if (sim_path == NULL || n_lines_wanted < 100 || n_reps < 1 ||
      (only != NULL && g_strcmp0 (only, "core") != 0 && g_strcmp0 (only, "window") != 0))
    {
      g_printerr ("bench-pull: --sim (or $CRIA_SIM) is needed, at least 100 lines and 1 run, "
                  "and --only core or window\n");
      return 2;
    }

  if (!gtk_init_check ())
    {
      g_print ("bench-pull: no display; run under xvfb-run (build-aux/dev bench)\n");
      return 77;
    }

  /* Steps that cut the model into about as many lines as wanted (the
   * small layers add a few) */
  bench.step = MAX (1, (MODEL_SIZE + n_lines_wanted - 1) / n_lines_wanted);
  step_text = g_strdup_printf ("%" G_GINT64_FORMAT, bench.step);

  url = bench_sim_start (sim_path,
                         (const char * const []) { "--pull-interval", "0",
                                                   "--pull-bytes-per-tick", step_text, NULL },
                         &sim);
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
  if (!bench_wait_until (cria_backend_get_status (bench.backend) == CRIA_BACKEND_STATUS_ONLINE, 30))
    {
      g_printerr ("bench-pull: the simulator never answered\n");
      status = 1;
      goto out;
    }
  close_window (&bench);

  bench.stall_meter = bench_stall_meter_new (STALL_BUDGET_MS, stall_cb, &bench);

  g_print ("Pulling %s from cria-sim at full speed, in steps of %" G_GINT64_FORMAT " bytes "
           "(about %d progress lines), %d run%s of each, alternating\n",
           MODEL, bench.step, n_lines_wanted, n_reps, n_reps == 1 ? "" : "s");
  g_print ("core: cria_model_manager_pull (), no window open; window: typed into the models page "
           "of a new CriaWindow, frames kept running (GSK_RENDERER=%s)\n\n",
           g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default");

  runs = g_new0 (Run, 2 * n_reps);
  all = (BenchRuns) { runs, sizeof *runs, 0 };
  if (!bench_runs_alternate (&all, n_reps, only, open_window, run_pull, close_window, &bench))
    status = 1;

  g_clear_pointer (&bench.stall_meter, bench_stall_meter_free);

  if (status != 0)
    {
      g_printerr ("bench-pull: a run failed; no figures\n");
      goto out;
    }

  print_runs (runs, all.n_runs);

  if (only != NULL)
    goto out;

  stalled = bench_runs_worst (&all, TRUE, bench_run_stall_ms);
  ui_stall = bench_runs_maximum (&all, TRUE, bench_run_stall_ms);
  core_stall = bench_runs_maximum (&all, FALSE, bench_run_stall_ms);

  g_print ("\nMedians (window / core):\n");
  bench_runs_print_median (&all, "total time", "ms", 1, bench_run_total_ms);
  bench_runs_print_median (&all, "CPU per line", "µs", 2, run_cpu_us_per_line);
  bench_runs_print_stall (&all);
  g_print ("  longest frame gap %9.1f ms, request to the frame after the end (worst run)\n",
           bench_runs_maximum (&all, TRUE, bench_run_frame_gap_ms));

  g_print ("\nBudget:\n");
  g_print ("  %s  no main-loop stall over %.0f ms in the window during a %d-line pull: worst %.1f ms "
           "(core alone: %.1f ms)\n",
           bench_verdict (ui_stall <= STALL_BUDGET_MS), STALL_BUDGET_MS, n_lines_wanted,
           ui_stall, core_stall);

  /* Where the time of the worst stall went */
  if (stalled != NULL)
    {
      bench_stalls_print_split (&stalled->stalls);
      g_print (" (run %u)\n", stalled->rep);
    }

out:
  g_clear_pointer (&bench.stall_meter, bench_stall_meter_free);
  close_window (&bench);
  g_clear_object (&bench.backend);
  if (bench.app != NULL)
    g_application_release (G_APPLICATION (bench.app));
  g_clear_object (&bench.app);
  bench_sim_stop (&sim);

  return status;
}
