/* bench-utils.c: what the benchmarks share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE /* RUSAGE_THREAD */

#include "cria-config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtk/gtk.h>

#include "bench-utils.h"

/* The simulator --------------------------------------------------------- */

/* The simulator must not outlive a benchmark that crashed */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

char *
bench_sim_start (const char          *sim_path,
                 const char * const  *args,
                 GSubprocess        **out_process)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) sim_path);
  g_ptr_array_add (argv, (gpointer) "--port");
  g_ptr_array_add (argv, (gpointer) "0");
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  if (process == NULL)
    {
      g_printerr ("%s: cannot start %s: %s\n", g_get_prgname (), sim_path, error->message);
      return NULL;
    }

  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (input, NULL, NULL, &error);
      const char *url;

      if (line == NULL)
        {
          g_printerr ("%s: cria-sim did not start: %s\n", g_get_prgname (),
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

void
bench_sim_stop (GSubprocess **process)
{
  if (*process == NULL)
    return;

  g_subprocess_force_exit (*process);
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

/* Child processes --------------------------------------------------------- */

char *
bench_read_line (int         fd,
                 GString    *buffer,
                 const char *prefix,
                 gint64      deadline)
{
  for (;;)
    {
      char *newline;
      struct pollfd pfd = { fd, POLLIN, 0 };
      gint64 left;
      char chunk[256];
      ssize_t n;

      while ((newline = memchr (buffer->str, '\n', buffer->len)) != NULL)
        {
          char *line = g_strndup (buffer->str, newline - buffer->str);

          g_string_erase (buffer, 0, newline - buffer->str + 1);
          if (g_str_has_prefix (line, prefix))
            return line;
          g_free (line);
        }

      left = (deadline - g_get_monotonic_time ()) / 1000;
      if (left <= 0)
        return NULL;

      if (poll (&pfd, 1, (int) left) < 0)
        {
          if (errno == EINTR)
            continue;
          return NULL;
        }

      if (pfd.revents == 0)
        continue;

      n = read (fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return NULL;

      g_string_append_len (buffer, chunk, n);
    }
}

/* CPU time and statistics ------------------------------------------------ */

double
bench_rusage_ms (const struct rusage *usage)
{
  return (usage->ru_utime.tv_sec + usage->ru_stime.tv_sec) * 1000.0 +
         (usage->ru_utime.tv_usec + usage->ru_stime.tv_usec) / 1000.0;
}

double
bench_cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);

  return bench_rusage_ms (&usage);
}

int
bench_compare_doubles (gconstpointer a,
                       gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

double
bench_median (GArray *values)
{
  g_autoptr(GArray) sorted = NULL;
  guint n = values->len;

  if (n == 0)
    return 0;

  sorted = g_array_copy (values);
  g_array_sort (sorted, bench_compare_doubles);

  if (n % 2 == 1)
    return g_array_index (sorted, double, n / 2);

  return (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
}

/* The value at rank @p (0 to 1), rounded to the nearest */
double
bench_percentile (GArray *values,
                  double  p)
{
  g_autoptr(GArray) sorted = NULL;
  guint index;

  if (values->len == 0)
    return 0;

  sorted = g_array_copy (values);
  g_array_sort (sorted, bench_compare_doubles);
  index = (guint) (p * (sorted->len - 1) + 0.5);

  return g_array_index (sorted, double, MIN (index, sorted->len - 1));
}

double
bench_minimum (GArray *values)
{
  double min = values->len > 0 ? g_array_index (values, double, 0) : 0;

  for (guint i = 1; i < values->len; i++)
    min = MIN (min, g_array_index (values, double, i));

  return min;
}

double
bench_maximum (GArray *values)
{
  double max = values->len > 0 ? g_array_index (values, double, 0) : 0;

  for (guint i = 1; i < values->len; i++)
    max = MAX (max, g_array_index (values, double, i));

  return max;
}

const char *
bench_verdict (gboolean pass)
{
  return pass ? "PASS" : "MISS";
}

void
bench_run_for (guint msec)
{
  gint64 end = g_get_monotonic_time () + (gint64) msec * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

/* The stall meter -------------------------------------------------------- */

struct _BenchStallMeter
{
  double          budget_ms;
  BenchStallFunc  func;
  gpointer        user_data;
  guint           source_id;

  BenchStalls    *stalls;
  gint64          last_tick_us;
  int             schedstat_fd;    /* /proc/thread-self/schedstat of the main thread */
  double          last_tick_cpu_ms;
  double          last_tick_wait_ms;
  glong           last_tick_majflt;
};

/* The time the main thread spent on a CPU and waiting for one, from
 * /proc/thread-self/schedstat: what is left of a stall was spent blocked */
static void
read_schedstat (BenchStallMeter *meter,
                double          *cpu_ms,
                double          *wait_ms)
{
  char text[128];
  ssize_t n;
  char *end;

  *cpu_ms = *wait_ms = 0;

  if (meter->schedstat_fd < 0)
    return;

  n = pread (meter->schedstat_fd, text, sizeof text - 1, 0);
  if (n <= 0)
    return;
  text[n] = '\0';

  *cpu_ms = g_ascii_strtoull (text, &end, 10) / 1e6;
  *wait_ms = g_ascii_strtoull (end, NULL, 10) / 1e6;
}

static gboolean
stall_tick_cb (gpointer user_data)
{
  BenchStallMeter *meter = user_data;
  BenchStalls *stalls = meter->stalls;
  gint64 now = g_get_monotonic_time ();
  struct rusage usage;
  double cpu_now, wait_now;

  read_schedstat (meter, &cpu_now, &wait_now);
  getrusage (RUSAGE_THREAD, &usage);

  if (stalls != NULL && meter->last_tick_us != 0)
    {
      double gap_ms = (now - meter->last_tick_us) / 1000.0;

      if (gap_ms > stalls->max_ms)
        {
          stalls->max_ms = gap_ms;
          stalls->max_cpu_ms = cpu_now - meter->last_tick_cpu_ms;
          stalls->max_wait_ms = wait_now - meter->last_tick_wait_ms;
          stalls->max_majflt = usage.ru_majflt - meter->last_tick_majflt;
        }
      if (gap_ms > 1000.0 / 60)
        stalls->n_over_frame++;
      if (gap_ms > meter->budget_ms)
        stalls->n_over_budget++;
      if (meter->func != NULL)
        meter->func (gap_ms, meter->user_data);
    }

  meter->last_tick_us = now;
  meter->last_tick_cpu_ms = cpu_now;
  meter->last_tick_wait_ms = wait_now;
  meter->last_tick_majflt = usage.ru_majflt;

  return G_SOURCE_CONTINUE;
}

BenchStallMeter *
bench_stall_meter_new (double         budget_ms,
                       BenchStallFunc func,
                       gpointer       user_data)
{
  BenchStallMeter *meter = g_new0 (BenchStallMeter, 1);

  meter->budget_ms = budget_ms;
  meter->func = func;
  meter->user_data = user_data;
  meter->schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  meter->source_id = g_timeout_add_full (G_PRIORITY_HIGH, BENCH_STALL_PERIOD_MS,
                                         stall_tick_cb, meter, NULL);

  return meter;
}

void
bench_stall_meter_arm (BenchStallMeter *meter,
                       BenchStalls     *stalls)
{
  meter->stalls = stalls;
  meter->last_tick_us = 0;
}

void
bench_stall_meter_free (BenchStallMeter *meter)
{
  if (meter == NULL)
    return;

  g_source_remove (meter->source_id);
  if (meter->schedstat_fd >= 0)
    close (meter->schedstat_fd);
  g_free (meter);
}

/* Where the time of a stall went: Cria's work, a busy machine, or waiting
 * (on the X server, the disk…) */
void
bench_stalls_print_split (const BenchStalls *stalls)
{
  g_print ("        in it the main thread ran %.1f ms, waited %.1f ms for a CPU "
           "and was blocked %.1f ms",
           stalls->max_cpu_ms, stalls->max_wait_ms,
           MAX (0, stalls->max_ms - stalls->max_cpu_ms - stalls->max_wait_ms));
}

/* The frame-gap meter ----------------------------------------------------- */

static void
after_paint_cb (GdkFrameClock   *frame_clock,
                BenchFrameMeter *meter)
{
  gint64 now = g_get_monotonic_time ();
  BenchFrames *frames = meter->frames;

  meter->any_paint = TRUE;

  if (frames == NULL)
    return;

  if (meter->armed)
    {
      frames->max_gap_ms = MAX (frames->max_gap_ms, (now - meter->last_paint_us) / 1000.0);
      meter->last_paint_us = now;
      frames->n_paints++;
    }

  if (meter->ended && frames->final_paint_us == 0)
    {
      frames->final_paint_us = now;
      frames->final_paint_cpu_ms = bench_cpu_ms ();
      meter->armed = FALSE;
    }
}

void
bench_frame_meter_attach (BenchFrameMeter *meter,
                          GtkWidget       *widget)
{
  meter->any_paint = FALSE;
  meter->frame_clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  meter->after_paint_id = g_signal_connect (meter->frame_clock, "after-paint",
                                            G_CALLBACK (after_paint_cb), meter);
}

void
bench_frame_meter_detach (BenchFrameMeter *meter)
{
  if (meter->frame_clock == NULL)
    return;

  g_clear_signal_handler (&meter->after_paint_id, meter->frame_clock);
  g_clear_object (&meter->frame_clock);
}

void
bench_frame_meter_begin (BenchFrameMeter *meter,
                         BenchFrames     *frames)
{
  meter->frames = frames;
  meter->armed = FALSE;
  meter->ended = FALSE;
}

void
bench_frame_meter_arm (BenchFrameMeter *meter,
                       gint64           from_us)
{
  meter->armed = TRUE;
  meter->last_paint_us = from_us;
}

void
bench_frame_meter_end (BenchFrameMeter *meter)
{
  meter->ended = TRUE;
}

void
bench_frame_meter_finish (BenchFrameMeter *meter)
{
  bench_frame_meter_begin (meter, NULL);
}

/* Runs of two consumers ---------------------------------------------------- */

const BenchRun *
bench_runs_get (const BenchRuns *runs,
                guint            i)
{
  return (const BenchRun *) ((const char *) runs->data + i * runs->run_size);
}

gboolean
bench_runs_alternate (BenchRuns      *runs,
                      int             n_reps,
                      const char     *only,
                      BenchOpenFunc   open_window,
                      BenchRunFunc    run_func,
                      BenchCloseFunc  close_window,
                      gpointer        user_data)
{
  runs->n_runs = 0;

  for (int rep = 0; rep < n_reps; rep++)
    {
      for (guint ui = 0; ui < 2; ui++)
        {
          BenchRun *run = (BenchRun *) bench_runs_get (runs, runs->n_runs);
          gboolean ok;

          if (only != NULL && g_strcmp0 (only, ui ? "window" : "core") != 0)
            continue;

          memset (run, 0, runs->run_size);
          run->rep = rep + 1;
          run->ui = ui;
          runs->n_runs++;
          ok = (!ui || open_window (user_data)) && run_func (run, user_data);
          if (ui)
            close_window (user_data);
          if (!ok)
            return FALSE;
        }
    }

  return TRUE;
}

double
bench_runs_median (const BenchRuns *runs,
                   gboolean         ui,
                   BenchRunMeasure  measure)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < runs->n_runs; i++)
    {
      const BenchRun *run = bench_runs_get (runs, i);

      if (run->ui == ui)
        {
          double value = measure (run);

          g_array_append_val (values, value);
        }
    }

  return bench_median (values);
}

double
bench_runs_maximum (const BenchRuns *runs,
                    gboolean         ui,
                    BenchRunMeasure  measure)
{
  const BenchRun *worst = bench_runs_worst (runs, ui, measure);

  return worst != NULL ? MAX (0, measure (worst)) : 0;
}

const BenchRun *
bench_runs_worst (const BenchRuns *runs,
                  gboolean         ui,
                  BenchRunMeasure  measure)
{
  const BenchRun *worst = NULL;

  for (guint i = 0; i < runs->n_runs; i++)
    {
      const BenchRun *run = bench_runs_get (runs, i);

      if (run->ui == ui && (worst == NULL || measure (run) > measure (worst)))
        worst = run;
    }

  return worst;
}

double
bench_run_total_ms (const BenchRun *run)
{
  return (run->end_us - run->start_us) / 1000.0;
}

double
bench_run_stall_ms (const BenchRun *run)
{
  return run->stalls.max_ms;
}

double
bench_run_frame_gap_ms (const BenchRun *run)
{
  return run->frames.max_gap_ms;
}

void
bench_runs_print_median (const BenchRuns *runs,
                         const char      *label,
                         const char      *unit,
                         int              digits,
                         BenchRunMeasure  measure)
{
  double ui = bench_runs_median (runs, TRUE, measure);
  double core = bench_runs_median (runs, FALSE, measure);

  g_print ("  %-17s %9.*f %s / %9.*f %s   %.2f×\n",
           label, digits, ui, unit, digits, core, unit, ui / core);
}

void
bench_runs_print_stall (const BenchRuns *runs)
{
  g_print ("  longest stall     %9.1f ms / %9.1f ms   (worst run)\n",
           bench_runs_maximum (runs, TRUE, bench_run_stall_ms),
           bench_runs_maximum (runs, FALSE, bench_run_stall_ms));
}

void
bench_run_print_frames (const BenchRun *run)
{
  if (run->ui)
    g_print ("%6u %8.1f", run->frames.n_paints, run->frames.max_gap_ms);
  else
    g_print ("%6s %8s", "–", "–");
}

void
bench_isolate_data_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cria-bench-XXXXXX", &error);

  if (dir == NULL)
    g_error ("Cannot make a data folder for the benchmark: %s", error->message);

  g_setenv ("XDG_DATA_HOME", dir, TRUE);
}
