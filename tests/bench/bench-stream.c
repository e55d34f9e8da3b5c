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

#define _GNU_SOURCE /* RUSAGE_THREAD */

#include "cria-config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtk/gtk.h>

#include "cria-application.h"
#include "cria-chat-page.h"
#include "cria-window.h"

#define BUCKET_TOKENS       1000
#define MAX_BUCKETS         20
#define STALL_PERIOD_MS     2
#define STALL_BUDGET_MS     50.0
#define FLAT_BUDGET_RATIO   1.3
#define SETTLE_MS           500
#define PROMPT              "Tell me a long story, please."

typedef struct
{
  guint    rep;
  gboolean ui;
  gboolean via_action;        /* sent with chat.send, not send_async */
  gboolean ok;

  guint    n_tokens;          /* notify::content of the reply */
  gsize    n_bytes;
  gint64   start_us;
  double   start_cpu_ms;
  gint64   end_us;            /* the reply left the streaming state */
  double   end_cpu_ms;
  gint64   final_paint_us;    /* window: the first frame after that */
  double   final_paint_cpu_ms;

  /* Samples at token 1, then at every BUCKET_TOKENS tokens */
  double   first_token_cpu_ms;
  gint64   first_token_us;
  double   mark_cpu_ms[MAX_BUCKETS + 1];
  gint64   mark_us[MAX_BUCKETS + 1];
  guint    n_marks;

  double   max_stall_ms;
  double   max_stall_cpu_ms;      /* within it, the main thread on a CPU */
  double   max_stall_wait_ms;     /* and waiting for one */
  glong    max_stall_majflt;      /* major page faults: blocked on the disk */
  guint    n_stalls_over_frame;   /* > 16.7 ms */
  guint    n_stalls_over_budget;  /* > 50 ms */
  double   max_paint_gap_ms;
  guint    n_paints;

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
  GdkFrameClock   *frame_clock;
  gulong           after_paint_id;

  /* The run under way */
  Run             *run;
  CriaChatMessage *reply;
  gulong           items_changed_id;
  gboolean         core_send_done;

  /* The stall probe */
  gboolean         stall_armed;
  gint64           last_tick_us;
  int              schedstat_fd;    /* /proc/thread-self/schedstat of the main thread */
  double           last_tick_cpu_ms;
  double           last_tick_wait_ms;
  glong            last_tick_majflt;

  /* The frame probe */
  gboolean         paint_armed;
  gint64           last_paint_us;
  gboolean         any_paint;
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
cpu_time_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);

  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

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

/* The time the main thread spent on a CPU and waiting for one, from
 * /proc/thread-self/schedstat: what is left of a stall was spent blocked */
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
  struct rusage usage;
  double cpu_now, wait_now;

  read_schedstat (bench, &cpu_now, &wait_now);
  getrusage (RUSAGE_THREAD, &usage);

  if (bench->stall_armed && bench->run != NULL && bench->last_tick_us != 0)
    {
      double gap_ms = (now - bench->last_tick_us) / 1000.0;

      if (gap_ms > bench->run->max_stall_ms)
        {
          bench->run->max_stall_ms = gap_ms;
          bench->run->max_stall_cpu_ms = cpu_now - bench->last_tick_cpu_ms;
          bench->run->max_stall_wait_ms = wait_now - bench->last_tick_wait_ms;
          bench->run->max_stall_majflt = usage.ru_majflt - bench->last_tick_majflt;
        }
      if (gap_ms > 1000.0 / 60)
        bench->run->n_stalls_over_frame++;
      if (gap_ms > STALL_BUDGET_MS)
        bench->run->n_stalls_over_budget++;
    }

  bench->last_tick_us = now;
  bench->last_tick_cpu_ms = cpu_now;
  bench->last_tick_wait_ms = wait_now;
  bench->last_tick_majflt = usage.ru_majflt;

  return G_SOURCE_CONTINUE;
}

static void
after_paint_cb (GdkFrameClock *frame_clock,
                Bench         *bench)
{
  gint64 now = g_get_monotonic_time ();
  Run *run = bench->run;

  bench->any_paint = TRUE;

  if (run == NULL)
    return;

  if (bench->paint_armed)
    {
      run->max_paint_gap_ms = MAX (run->max_paint_gap_ms, (now - bench->last_paint_us) / 1000.0);
      bench->last_paint_us = now;
      run->n_paints++;
    }

  if (run->end_us != 0 && run->final_paint_us == 0)
    {
      run->final_paint_us = now;
      run->final_paint_cpu_ms = cpu_time_ms ();
      bench->paint_armed = FALSE;
    }
}

/* Iterates the main context until @cond holds or @seconds pass */
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

  /* The stall probe wakes the loop every 2 ms */
  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

static double run_total_ms (const Run *run);

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
      run->first_token_cpu_ms = cpu_time_ms ();

      /* From now until the final frame, the user waits for frames */
      bench->paint_armed = TRUE;
      bench->last_paint_us = run->first_token_us;
    }

  if (run->n_tokens % BUCKET_TOKENS == 0 && run->n_marks < MAX_BUCKETS)
    {
      run->mark_us[run->n_marks] = g_get_monotonic_time ();
      run->mark_cpu_ms[run->n_marks] = cpu_time_ms ();
      run->n_marks++;
    }
}

static void
reply_state_cb (CriaChatMessage *reply,
                GParamSpec      *pspec,
                Bench           *bench)
{
  Run *run = bench->run;

  if (cria_chat_message_get_state (reply) == CRIA_MESSAGE_STATE_STREAMING || run->end_us != 0)
    return;

  run->end_us = g_get_monotonic_time ();
  run->end_cpu_ms = cpu_time_ms ();
  run->ok = cria_chat_message_get_state (reply) == CRIA_MESSAGE_STATE_COMPLETE;
  run->n_bytes = cria_chat_message_get_content_length (reply);

  if (!run->ok)
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
  bench->any_paint = FALSE;

  bench->frame_clock = g_object_ref (gtk_widget_get_frame_clock (GTK_WIDGET (window)));
  bench->after_paint_id = g_signal_connect (bench->frame_clock, "after-paint",
                                            G_CALLBACK (after_paint_cb), bench);

  if (bench->chat_page == NULL ||
      !wait_until (bench->any_paint && cria_chat_session_can_send (bench->ui_session), 30))
    {
      g_printerr ("bench-stream: the window never selected a model\n");
      return FALSE;
    }

  run_for (SETTLE_MS);

  return TRUE;
}

static gboolean
open_window (Bench *bench)
{
  CriaWindow *window = cria_window_new (bench->app);

  gtk_window_present (GTK_WINDOW (window));

  return adopt_window (bench, window);
}

/* A window per run: every run starts from an empty conversation, in a way
 * the user can reach (no action clears a conversation yet), and closing it
 * checks that the window goes away */
static void
close_window (Bench *bench)
{
  if (bench->frame_clock != NULL)
    {
      g_clear_signal_handler (&bench->after_paint_id, bench->frame_clock);
      g_clear_object (&bench->frame_clock);
    }

  bench->ui_session = NULL;
  bench->chat_page = NULL;

  if (bench->window == NULL)
    return;

  gtk_window_destroy (GTK_WINDOW (bench->window));
  if (!wait_until (bench->window == NULL, 10))
    {
      g_printerr ("bench-stream: a closed window was not finalized\n");
      g_object_remove_weak_pointer (G_OBJECT (bench->window), (gpointer *) &bench->window);
      bench->window = NULL;
    }

  run_for (SETTLE_MS);
}

static gboolean
run_stream (Bench    *bench,
            gboolean  ui,
            Run      *run)
{
  CriaChatSession *session = ui ? bench->ui_session : bench->core_session;
  guint seconds = (rate > 0 ? (guint) (n_tokens_wanted / rate) : 0) + 60;
  gboolean finished;

  run->ui = ui;

  bench->run = run;
  bench->core_send_done = FALSE;
  bench->items_changed_id = g_signal_connect (session, "items-changed",
                                              G_CALLBACK (items_changed_cb), bench);

  run->rss_before_mib = rss_mib ();
  bench->stall_armed = TRUE;
  bench->last_tick_us = 0;

  run->start_us = g_get_monotonic_time ();
  run->start_cpu_ms = cpu_time_ms ();

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

  finished = wait_until (run->end_us != 0, seconds);

  /* In the window, the reply is there for the user once it is painted */
  if (finished && ui)
    wait_until (run->final_paint_us != 0, 5);

  bench->stall_armed = FALSE;
  bench->paint_armed = FALSE;
  run->rss_after_mib = rss_mib ();

  if (!finished)
    {
      g_printerr ("bench-stream: no complete reply after %u s (%u tokens)\n",
                  seconds, run->n_tokens);
      cria_chat_session_stop (session);
    }

  wait_until (!cria_chat_session_get_busy (session), 10);
  if (!ui || !run->via_action)
    wait_until (bench->core_send_done, 10);

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
  run_for (SETTLE_MS);

  g_printerr ("bench-stream: %s run done: %u tokens in %.1f ms; RSS %.1f MiB before, %.1f after\n",
              ui ? "window" : "core", run->n_tokens, run_total_ms (run),
              run->rss_before_mib, run->rss_after_mib);

  return finished && run->ok;
}

/* Output ---------------------------------------------------------------- */

static double
run_total_ms (const Run *run)
{
  return (run->end_us - run->start_us) / 1000.0;
}

static double
run_cpu_us_per_token (const Run *run)
{
  return run->n_tokens ? (run->end_cpu_ms - run->start_cpu_ms) * 1000.0 / run->n_tokens : 0;
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
run_flatness (const Run *run)
{
  if (run->n_marks < 2 || run_bucket_us (run, 0) <= 0)
    return 0;

  return run_bucket_us (run, run->n_marks - 1) / run_bucket_us (run, 0);
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
run_first_token_ms (const Run *run)
{
  return (run->first_token_us - run->start_us) / 1000.0;
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
      double total = run_total_ms (run);

      g_print ("%-4u %-6s %6u %9.1f %8.0f %8.1f %9.1f %9.1f %8.1f %7.1f %8u %6u ",
               run->rep, run->ui ? "window" : "core",
               run->n_tokens, total, total > 0 ? run->n_tokens * 1000.0 / total : 0,
               run_first_token_ms (run),
               run->end_cpu_ms - run->start_cpu_ms, run_cpu_us_per_token (run),
               run->max_stall_ms, run->max_stall_cpu_ms,
               run->n_stalls_over_frame, run->n_stalls_over_budget);
      if (run->ui)
        g_print ("%6u %8.1f", run->n_paints, run->max_paint_gap_ms);
      else
        g_print ("%6s %8s", "–", "–");
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

      g_print ("%-4u %-6s", run->rep, run->ui ? "window" : "core");
      for (guint b = 0; b < run->n_marks; b++)
        g_print (" %11.1f", run_bucket_us (run, b));

      /* What the last token cost after it arrived: the final frame */
      tail_cpu = (run->ui ? run->final_paint_cpu_ms : run->end_cpu_ms) -
                 (run->n_marks > 0 ? run->mark_cpu_ms[run->n_marks - 1] : run->start_cpu_ms);
      g_print ("  %9.2f×  %8.1f\n", run_flatness (run), tail_cpu);
    }
}

static const char *
verdict (gboolean pass)
{
  return pass ? "PASS" : "MISS";
}

/* Set-up ---------------------------------------------------------------- */

/* The simulator must not outlive a benchmark that crashed */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts cria-sim on a free port; returns its URL, or NULL */
static char *
start_simulator (GSubprocess **out_process)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tokens = g_strdup_printf ("%d", n_tokens_wanted);
  g_autofree char *tokens_per_second = g_strdup_printf ("%d", rate);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error,
                                         sim_path, "--port", "0",
                                         "--reply-tokens", tokens,
                                         "--tokens-per-second", tokens_per_second,
                                         NULL);
  if (process == NULL)
    {
      g_printerr ("bench-stream: cannot start %s: %s\n", sim_path, error->message);
      return NULL;
    }

  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (input, NULL, NULL, &error);
      const char *url;

      if (line == NULL)
        {
          g_printerr ("bench-stream: cria-sim did not start: %s\n",
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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree Run *runs = NULL;
  Bench bench = { NULL, .schedstat_fd = -1 };
  g_autofree char *model = NULL;
  GtkWindow *window;
  guint n_runs = 0;
  guint stall_source;
  gboolean all_via_action = TRUE;
  double core_cpu, ui_cpu, ui_stall, ui_flat, core_flat, ui_total, core_total;
  const Run *stalled;
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

  url = start_simulator (&sim);
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

  bench.schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  stall_source = g_timeout_add_full (G_PRIORITY_HIGH, STALL_PERIOD_MS, stall_tick_cb, &bench, NULL);

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
          else if (!run_stream (&bench, ui, &runs[n_runs]))
            status = 1;
          if (ui)
            close_window (&bench);
          if (ui && !runs[n_runs].via_action)
            all_via_action = FALSE;
          n_runs++;
        }
    }

  g_source_remove (stall_source);

  if (status != 0)
    {
      g_printerr ("bench-stream: a run failed; no figures\n");
      goto out;
    }

  print_runs (runs, n_runs);

  if (only != NULL)
    goto out;

  core_cpu = median_of (runs, n_runs, FALSE, run_cpu_us_per_token);
  ui_cpu = median_of (runs, n_runs, TRUE, run_cpu_us_per_token);
  core_flat = median_of (runs, n_runs, FALSE, run_flatness);
  ui_flat = median_of (runs, n_runs, TRUE, run_flatness);
  stalled = worst_run (runs, n_runs, TRUE, run_stall);
  ui_stall = stalled->max_stall_ms;

  g_print ("\nMedians (window / core):\n");
  ui_total = median_of (runs, n_runs, TRUE, run_total_ms);
  core_total = median_of (runs, n_runs, FALSE, run_total_ms);
  g_print ("  total time        %9.1f ms / %9.1f ms   %.2f×\n",
           ui_total, core_total, ui_total / core_total);
  g_print ("  CPU per token     %9.1f µs / %9.1f µs   %.2f×\n",
           ui_cpu, core_cpu, ui_cpu / core_cpu);
  g_print ("  last/first bucket %9.2f×    / %9.2f×\n", ui_flat, core_flat);
  g_print ("  longest stall     %9.1f ms / %9.1f ms   (worst run)\n",
           ui_stall, maximum_of (runs, n_runs, FALSE, run_stall));
  g_print ("  longest frame gap %9.1f ms, first token to final frame (worst run)\n",
           maximum_of (runs, n_runs, TRUE, run_paint_gap));
  g_print ("  sent with         %s\n",
           all_via_action ? "the chat.send action of the chat page"
                          : "cria_chat_session_send_async (chat.send failed)");

  g_print ("\nBudgets:\n");
  if (rate > 0)
    g_print ("  %s  no stall over %.0f ms at %d tokens/s: worst %.1f ms, in run %u\n",
             verdict (ui_stall <= STALL_BUDGET_MS), STALL_BUDGET_MS, rate, ui_stall, stalled->rep);
  else
    g_print ("  ----  stall budget applies at 1,000 tokens/s "
             "(here: worst %.1f ms, informational)\n", ui_stall);

  /* Where the time of a stall went: Cria's work, a busy machine, or
   * waiting (on the X server, the disk…) */
  if (ui_stall > STALL_BUDGET_MS)
    g_print ("        in it the main thread ran %.1f ms, waited %.1f ms for a CPU "
             "and was blocked %.1f ms (%ld major page faults)\n",
             stalled->max_stall_cpu_ms, stalled->max_stall_wait_ms,
             MAX (0, ui_stall - stalled->max_stall_cpu_ms - stalled->max_stall_wait_ms),
             stalled->max_stall_majflt);
  g_print ("  %s  CPU per token flat in the window: last/first bucket %.2f× (≤ %.1f×)\n",
           verdict (ui_flat <= FLAT_BUDGET_RATIO), ui_flat, FLAT_BUDGET_RATIO);

out:
  if (bench.schedstat_fd >= 0)
    close (bench.schedstat_fd);
  close_window (&bench);
  g_clear_object (&bench.core_session);
  g_clear_object (&bench.app);
  if (sim != NULL)
    {
      g_subprocess_force_exit (sim);
      g_subprocess_wait (sim, NULL, NULL);
    }

  return status;
}
