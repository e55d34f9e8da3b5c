/* bench-stream.c: a long streamed reply, in the real window and in the core
 *
 * Starts cria-sim as a separate process (its work is not ours) with
 * `--reply-tokens N --tokens-per-second R`, runs a CriaApplication
 * in-process against it, and sends a message through the chat page of a
 * new window each run (composer text, then the `chat.send` action) until
 * the reply is complete. The baseline is the same stream consumed by a
 * CriaChatSession on the same backend while no window is open, in the same
 * process, run alternately with the window.
 *
 * For each run: the total time, the CPU time (getrusage, user + system) per
 * token overall and per bucket of 1,000 tokens (tokens counted as
 * `notify::content` of the reply), the longest main-loop stall (the largest
 * gap between two runs of a 2 ms G_PRIORITY_HIGH timeout), and in the window
 * the longest time without a painted frame, from the first token to the
 * frame that shows the complete reply (lower-priority starvation of the
 * frame clock shows there, not in the stall).
 *
 * Budgets: no stall over 50 ms at 1,000 tokens/s; CPU per token flat, the
 * last bucket within 1.3× of the first. A benchmark: it prints PASS or MISS
 * and fails only when it could not run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gtk/gtk.h>

#include "cria-application.h"
#include "cria-chat-page.h"
#include "cria-window.h"

#include "bench-utils.h"

#define BUCKET_TOKENS       1000
#define MAX_BUCKETS         20
#define STALL_BUDGET_MS     50.0
#define FLAT_BUDGET_RATIO   1.3
#define SETTLE_MS           500
#define PROMPT              "Tell me a long story, please."

/* end_us: the reply left the streaming state; frames.final_paint_us: in
 * the window, the first frame after that; frames from the first token */
typedef struct
{
  BenchRun base;
  gboolean via_action;        /* sent with chat.send, not send_async */

  guint    n_tokens;          /* notify::content of the reply */
  gsize    n_bytes;

  /* Samples at token 1, then at every BUCKET_TOKENS tokens */
  double   first_token_cpu_ms;
  gint64   first_token_us;
  double   mark_cpu_ms[MAX_BUCKETS + 1];
  gint64   mark_us[MAX_BUCKETS + 1];
  guint    n_marks;

  double   rss_before_mib;
  double   rss_after_mib;
} Run;

typedef struct
{
  CriaApplication *app;
  CriaChatSession *core_session;

  /* The window of the next run, a new one each time */
  CriaWindow      *window;
  CriaChatSession *ui_session;
  GtkWidget       *chat_page;
  BenchFrameMeter  frame_meter;

  /* The run under way */
  Run             *run;
  CriaChatMessage *reply;
  gulong           items_changed_id;
  gboolean         core_send_done;

  BenchStallMeter *stall_meter;
} Bench;

static char *sim_path;
static int   rate;
static int   n_tokens_wanted = 5000;
static int   n_reps = 5;
static char *only;

static const GOptionEntry entries[] = {
  { "sim", 0, 0, G_OPTION_ARG_FILENAME, &sim_path, "cria-sim (default: $CRIA_SIM)", "PATH" },
  { "rate", 'r', 0, G_OPTION_ARG_INT, &rate, "Tokens per second, 0 for full speed (0)", "R" },
  { "tokens", 't', 0, G_OPTION_ARG_INT, &n_tokens_wanted, "Tokens in the reply (5000)", "N" },
  { "reps", 'n', 0, G_OPTION_ARG_INT, &n_reps, "Runs of each consumer (5)", "N" },
  { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Run one consumer only, to profile it",
    "core|window" },
  { NULL }
};

/* Measures -------------------------------------------------------------- */

static double
rss_mib (void)
{
  g_autofree char *statm = NULL;
  char **fields;
  double pages = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    return 0;

  fields = g_strsplit (statm, " ", 3);
  if (fields[0] != NULL && fields[1] != NULL)
    pages = g_ascii_strtod (fields[1], NULL);
  g_strfreev (fields);

  return pages * sysconf (_SC_PAGESIZE) / (1024.0 * 1024.0);
}

/* The reply ------------------------------------------------------------- */

static void
reply_content_cb (CriaChatMessage *reply,
                  GParamSpec      *pspec,
                  Bench           *bench)
{
  Run *run = bench->run;

  run->n_tokens++;

  if (run->n_tokens == 1)
    {
      run->first_token_us = g_get_monotonic_time ();
      run->first_token_cpu_ms = bench_cpu_ms ();

      /* From now until the final frame, the user waits for frames */
      bench_frame_meter_arm (&bench->frame_meter, run->first_token_us);
    }

  if (run->n_tokens % BUCKET_TOKENS == 0 && run->n_marks < MAX_BUCKETS)
    {
      run->mark_us[run->n_marks] = g_get_monotonic_time ();
      run->mark_cpu_ms[run->n_marks] = bench_cpu_ms ();
      run->n_marks++;
    }
}

static void
reply_state_cb (CriaChatMessage *reply,
                GParamSpec      *pspec,
                Bench           *bench)
{
  Run *run = bench->run;

  if (cria_chat_message_get_state (reply) == CRIA_MESSAGE_STATE_STREAMING || run->base.end_us != 0)
    return;

  run->base.end_us = g_get_monotonic_time ();
  run->base.end_cpu_ms = bench_cpu_ms ();
  bench_frame_meter_end (&bench->frame_meter);
  run->base.ok = cria_chat_message_get_state (reply) == CRIA_MESSAGE_STATE_COMPLETE;
  run->n_bytes = cria_chat_message_get_content_length (reply);

  if (!run->base.ok)
    {
      const GError *error = cria_chat_message_get_error (reply);

      g_printerr ("bench-stream: the reply ended in state %d: %s\n",
                  cria_chat_message_get_state (reply), error ? error->message : "no error");
    }
}

static void
items_changed_cb (GListModel *session,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Bench      *bench)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(CriaChatMessage) message = g_list_model_get_item (session, i);

      if (bench->reply != NULL ||
          cria_chat_message_get_role (message) != CRIA_MESSAGE_ROLE_ASSISTANT)
        continue;

      /* Connected before the first token: the reply is appended empty */
      bench->reply = g_object_ref (message);
      g_signal_connect (message, "notify::content", G_CALLBACK (reply_content_cb), bench);
      g_signal_connect (message, "notify::state", G_CALLBACK (reply_state_cb), bench);
    }
}

static void
core_send_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Bench *bench = user_data;
  g_autoptr(GError) error = NULL;

  if (!cria_chat_session_send_finish (CRIA_CHAT_SESSION (object), result, &error))
    g_printerr ("bench-stream: send failed: %s\n", error->message);

  bench->core_send_done = TRUE;
}

/* Sends as the user does: text in the composer, then chat.send */
static gboolean
send_through_ui (Bench *bench)
{
  CriaChatPage *page = CRIA_CHAT_PAGE (bench->chat_page);

  cria_composer_set_text (cria_chat_page_get_composer (page), PROMPT);

  return gtk_widget_activate_action (bench->chat_page, "chat.send", NULL) &&
         cria_chat_session_get_busy (bench->ui_session);
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Takes @window, presented, for the next run: waits until it is painted
 * and has selected a model */
static gboolean
adopt_window (Bench      *bench,
              CriaWindow *window)
{
  bench->window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &bench->window);
  bench->ui_session = cria_window_get_session (window);
  bench->chat_page = find_descendant (GTK_WIDGET (window), CRIA_TYPE_CHAT_PAGE);
  bench_frame_meter_attach (&bench->frame_meter, GTK_WIDGET (window));

  if (bench->chat_page == NULL ||
      !bench_wait_until (bench->frame_meter.any_paint &&
                         cria_chat_session_can_send (bench->ui_session), 30))
    {
      g_printerr ("bench-stream: the window never selected a model\n");
      return FALSE;
    }

  bench_run_for (SETTLE_MS);

  return TRUE;
}

static gboolean
open_window (gpointer user_data)
{
  Bench *bench = user_data;
  CriaWindow *window = cria_window_new (bench->app);

  gtk_window_present (GTK_WINDOW (window));

  return adopt_window (bench, window);
}

/* A window per run: every run starts from an empty conversation, in a way
 * the user can reach (no action clears a conversation yet), and closing it
 * checks that the window goes away */
static void
close_window (gpointer user_data)
{
  Bench *bench = user_data;
  bench_frame_meter_detach (&bench->frame_meter);

  bench->ui_session = NULL;
  bench->chat_page = NULL;

  if (bench->window == NULL)
    return;

  gtk_window_destroy (GTK_WINDOW (bench->window));
  if (!bench_wait_until (bench->window == NULL, 10))
    {
      g_printerr ("bench-stream: a closed window was not finalized\n");
      g_object_remove_weak_pointer (G_OBJECT (bench->window), (gpointer *) &bench->window);
      bench->window = NULL;
    }

  bench_run_for (SETTLE_MS);
}

static gboolean
run_stream (BenchRun *base,
            gpointer  user_data)
{
  Bench *bench = user_data;
  Run *run = (Run *) base;
  gboolean ui = base->ui;
  CriaChatSession *session = ui ? bench->ui_session : bench->core_session;
  guint seconds = (rate > 0 ? (guint) (n_tokens_wanted / rate) : 0) + 60;
  gboolean finished;

  bench->run = run;
  bench->core_send_done = FALSE;
  bench->items_changed_id = g_signal_connect (session, "items-changed",
                                              G_CALLBACK (items_changed_cb), bench);

  run->rss_before_mib = rss_mib ();
  bench_stall_meter_arm (bench->stall_meter, &run->base.stalls);
  bench_frame_meter_begin (&bench->frame_meter, &run->base.frames);

  run->base.start_us = g_get_monotonic_time ();
  run->base.start_cpu_ms = bench_cpu_ms ();

  if (ui)
    {
      run->via_action = send_through_ui (bench);
      if (!run->via_action)
        {
          g_printerr ("bench-stream: chat.send did not send; using cria_chat_session_send_async\n");
          cria_chat_session_send_async (session, PROMPT, NULL, NULL, core_send_cb, bench);
        }
    }
  else
    {
      cria_chat_session_send_async (session, PROMPT, NULL, NULL, core_send_cb, bench);
    }

  finished = bench_wait_until (run->base.end_us != 0, seconds);

  /* In the window, the reply is there for the user once it is painted */
  if (finished && ui)
    bench_wait_until (run->base.frames.final_paint_us != 0, 5);

  bench_stall_meter_arm (bench->stall_meter, NULL);
  bench_frame_meter_finish (&bench->frame_meter);
  run->rss_after_mib = rss_mib ();

  if (!finished)
    {
      g_printerr ("bench-stream: no complete reply after %u s (%u tokens)\n",
                  seconds, run->n_tokens);
      cria_chat_session_stop (session);
    }

  bench_wait_until (!cria_chat_session_get_busy (session), 10);
  if (!ui || !run->via_action)
    bench_wait_until (bench->core_send_done, 10);

  g_signal_handler_disconnect (session, bench->items_changed_id);
  bench->items_changed_id = 0;
  if (bench->reply != NULL)
    {
      g_signal_handlers_disconnect_by_data (bench->reply, bench);
      g_clear_object (&bench->reply);
    }
  bench->run = NULL;

  /* The next run starts from an empty conversation: a new window for the
   * next window run (see close_window ()) */
  if (!ui)
    cria_chat_session_clear (session);
  bench_run_for (SETTLE_MS);

  g_printerr ("bench-stream: %s run done: %u tokens in %.1f ms; RSS %.1f MiB before, %.1f after\n",
              ui ? "window" : "core", run->n_tokens, bench_run_total_ms (&run->base),
              run->rss_before_mib, run->rss_after_mib);

  return finished && run->base.ok;
}

/* Output ---------------------------------------------------------------- */

static double
run_cpu_us_per_token (const BenchRun *base)
{
  const Run *run = (const Run *) base;

  return run->n_tokens ? (base->end_cpu_ms - base->start_cpu_ms) * 1000.0 / run->n_tokens : 0;
}

/* CPU µs per token in bucket @i: tokens 1–1000 (from the first token, so
 * the request and the wait for the first token are left out), then
 * 1001–2000, and so on */
static double
run_bucket_us (const Run *run,
               guint      i)
{
  double from = i == 0 ? run->first_token_cpu_ms : run->mark_cpu_ms[i - 1];
  double tokens = i == 0 ? BUCKET_TOKENS - 1 : BUCKET_TOKENS;

  return (run->mark_cpu_ms[i] - from) * 1000.0 / tokens;
}

static double
run_flatness (const BenchRun *base)
{
  const Run *run = (const Run *) base;

  if (run->n_marks < 2 || run_bucket_us (run, 0) <= 0)
    return 0;

  return run_bucket_us (run, run->n_marks - 1) / run_bucket_us (run, 0);
}

static double
run_first_token_ms (const Run *run)
{
  return (run->first_token_us - run->base.start_us) / 1000.0;
}

static void
print_runs (const Run *runs,
            guint      n_runs)
{
  g_print ("%-4s %-6s %6s %9s %8s %8s %9s %9s %8s %7s %8s %6s %6s %8s %7s\n",
           "run", "who", "tokens", "total ms", "tok/s", "1st ms", "CPU ms", "CPU µs/t",
           "stall ms", "its CPU", ">16.7ms", ">50ms", "frames", "gap ms", "RSS +MiB");

  for (guint i = 0; i < n_runs; i++)
    {
      const Run *run = &runs[i];
      const BenchStalls *stalls = &run->base.stalls;
      double total = bench_run_total_ms (&run->base);

      g_print ("%-4u %-6s %6u %9.1f %8.0f %8.1f %9.1f %9.1f %8.1f %7.1f %8u %6u ",
               run->base.rep, run->base.ui ? "window" : "core",
               run->n_tokens, total, total > 0 ? run->n_tokens * 1000.0 / total : 0,
               run_first_token_ms (run),
               run->base.end_cpu_ms - run->base.start_cpu_ms, run_cpu_us_per_token (&run->base),
               stalls->max_ms, stalls->max_cpu_ms,
               stalls->n_over_frame, stalls->n_over_budget);
      bench_run_print_frames (&run->base);
      g_print (" %+7.1f\n", run->rss_after_mib - run->rss_before_mib);
    }

  g_print ("\nCPU µs per token, by 1,000 tokens (from the first token):\n");
  g_print ("%-4s %-6s", "run", "who");
  for (guint b = 0; b < runs[0].n_marks; b++)
    g_print (" %5u–%-5u", b * BUCKET_TOKENS + 1, (b + 1) * BUCKET_TOKENS);
  g_print ("  last/first  then to the end (ms CPU)\n");

  for (guint i = 0; i < n_runs; i++)
    {
      const Run *run = &runs[i];
      double tail_cpu;

      g_print ("%-4u %-6s", run->base.rep, run->base.ui ? "window" : "core");
      for (guint b = 0; b < run->n_marks; b++)
        g_print (" %11.1f", run_bucket_us (run, b));

      /* What the last token cost after it arrived: the final frame */
      tail_cpu = (run->base.ui ? run->base.frames.final_paint_cpu_ms : run->base.end_cpu_ms) -
                 (run->n_marks > 0 ? run->mark_cpu_ms[run->n_marks - 1] : run->base.start_cpu_ms);
      g_print ("  %9.2f×  %8.1f\n", run_flatness (&run->base), tail_cpu);
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
  g_autofree char *tokens = NULL;
  g_autofree char *tokens_per_second = NULL;
  g_autofree Run *runs = NULL;
  Bench bench = { NULL };
  BenchRuns all;
  g_autofree char *model = NULL;
  GtkWindow *window;
  gboolean all_via_action = TRUE;
  double ui_stall, ui_flat;
  const BenchRun *stalled;
  char rate_text[32];
  int status = 0;

  setlocale (LC_ALL, "");

  context = g_option_context_new ("- a long streamed reply, in the window and in the core");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-stream: %s\n", error->message);
      return 2;
    }

  bench_isolate_data_dir ();

  if (sim_path == NULL)
    sim_path = g_strdup (g_getenv ("CRIA_SIM"));
  if (sim_path == NULL || rate < 0 || n_tokens_wanted < BUCKET_TOKENS || n_reps < 1 ||
      (only != NULL && g_strcmp0 (only, "core") != 0 && g_strcmp0 (only, "window") != 0))
    {
      g_printerr ("bench-stream: --sim (or $CRIA_SIM) is needed, at least %d tokens, "
                  "and --only core or window\n", BUCKET_TOKENS);
      return 2;
    }

  if (!gtk_init_check ())
    {
      g_print ("bench-stream: no display; run under xvfb-run (build-aux/dev bench)\n");
      return 77;
    }

  tokens = g_strdup_printf ("%d", n_tokens_wanted);
  tokens_per_second = g_strdup_printf ("%d", rate);
  url = bench_sim_start (sim_path,
                         (const char * const []) { "--reply-tokens", tokens,
                                                   "--tokens-per-second", tokens_per_second, NULL },
                         &sim);
  if (url == NULL)
    return 1;

  /* The app, as the ui tests run it */
  g_setenv ("OLLAMA_HOST", url, TRUE);
  bench.app = cria_application_new ();
  g_application_set_flags (G_APPLICATION (bench.app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (bench.app), NULL, &error))
    {
      g_printerr ("bench-stream: cannot register the application: %s\n", error->message);
      status = 1;
      goto out;
    }
  g_application_activate (G_APPLICATION (bench.app));

  window = gtk_application_get_active_window (GTK_APPLICATION (bench.app));
  if (!adopt_window (&bench, CRIA_WINDOW (window)))
    {
      status = 1;
      goto out;
    }

  /* The baseline: the same server, backend and model, and no window at
   * all while it runs */
  bench.core_session = cria_chat_session_new ();
  cria_chat_session_set_backend (bench.core_session,
                                 cria_chat_session_get_backend (bench.ui_session));
  cria_chat_session_set_model (bench.core_session,
                               cria_chat_session_get_model (bench.ui_session));
  model = g_strdup (cria_chat_session_get_model (bench.ui_session));
  close_window (&bench);

  bench.stall_meter = bench_stall_meter_new (STALL_BUDGET_MS, NULL, NULL);

  if (rate > 0)
    g_snprintf (rate_text, sizeof rate_text, "%d tokens/s", rate);
  else
    g_strlcpy (rate_text, "full speed", sizeof rate_text);

  g_print ("Streaming a %d-token reply from cria-sim at %s (model %s), %d run%s of each, "
           "alternating\n", n_tokens_wanted, rate_text,
           model, n_reps, n_reps == 1 ? "" : "s");
  g_print ("core: a CriaChatSession, no window open; window: the chat page of a new "
           "CriaWindow (GSK_RENDERER=%s)\n\n",
           g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default");

  runs = g_new0 (Run, 2 * n_reps);
  all = (BenchRuns) { runs, sizeof *runs, 0 };
  if (!bench_runs_alternate (&all, n_reps, only, open_window, run_stream, close_window, &bench))
    status = 1;
  for (guint i = 0; i < all.n_runs; i++)
    if (runs[i].base.ui && !runs[i].via_action)
      all_via_action = FALSE;

  g_clear_pointer (&bench.stall_meter, bench_stall_meter_free);

  if (status != 0)
    {
      g_printerr ("bench-stream: a run failed; no figures\n");
      goto out;
    }

  print_runs (runs, all.n_runs);

  if (only != NULL)
    goto out;

  ui_flat = bench_runs_median (&all, TRUE, run_flatness);
  stalled = bench_runs_worst (&all, TRUE, bench_run_stall_ms);
  ui_stall = stalled->stalls.max_ms;

  g_print ("\nMedians (window / core):\n");
  bench_runs_print_median (&all, "total time", "ms", 1, bench_run_total_ms);
  bench_runs_print_median (&all, "CPU per token", "µs", 1, run_cpu_us_per_token);
  g_print ("  last/first bucket %9.2f×    / %9.2f×\n",
           ui_flat, bench_runs_median (&all, FALSE, run_flatness));
  bench_runs_print_stall (&all);
  g_print ("  longest frame gap %9.1f ms, first token to final frame (worst run)\n",
           bench_runs_maximum (&all, TRUE, bench_run_frame_gap_ms));
  g_print ("  sent with         %s\n",
           all_via_action ? "the chat.send action of the chat page"
                          : "cria_chat_session_send_async (chat.send failed)");

  g_print ("\nBudgets:\n");
  if (rate > 0)
    g_print ("  %s  no stall over %.0f ms at %d tokens/s: worst %.1f ms, in run %u\n",
             bench_verdict (ui_stall <= STALL_BUDGET_MS), STALL_BUDGET_MS, rate, ui_stall,
             stalled->rep);
  else
    g_print ("  ----  stall budget applies at 1,000 tokens/s "
             "(here: worst %.1f ms, informational)\n", ui_stall);

  /* Where the time of a stall went */
  if (ui_stall > STALL_BUDGET_MS)
    {
      bench_stalls_print_split (&stalled->stalls);
      g_print (" (%ld major page faults)\n", stalled->stalls.max_majflt);
    }
  g_print ("  %s  CPU per token flat in the window: last/first bucket %.2f× (≤ %.1f×)\n",
           bench_verdict (ui_flat <= FLAT_BUDGET_RATIO), ui_flat, FLAT_BUDGET_RATIO);

out:
  g_clear_pointer (&bench.stall_meter, bench_stall_meter_free);
  close_window (&bench);
  g_clear_object (&bench.core_session);
  g_clear_object (&bench.app);
  bench_sim_stop (&sim);

  return status;
}
