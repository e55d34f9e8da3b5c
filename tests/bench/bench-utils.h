/* bench-utils.h: what the benchmarks share
 *
 * The simulator as a subprocess, CPU time, statistics, and the probes of
 * bench-stream and bench-pull: the main-loop stall meter and the frame-gap
 * meter, and the runs they fill, a consumer (core or window) each.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sys/resource.h>

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BENCH_STALL_PERIOD_MS 2

/* The simulator --------------------------------------------------------- */

/* Starts @sim_path on a free port with the arguments @args (NULL-terminated,
 * or NULL); returns its URL once it listens, or NULL (said on stderr). It
 * dies with the benchmark. */
char           *bench_sim_start          (const char          *sim_path,
                                          const char * const  *args,
                                          GSubprocess        **out_process);
void            bench_sim_stop           (GSubprocess        **process);

/* Child processes --------------------------------------------------------- */

/* Reads @fd until a line starting with @prefix and returns it (without its
 * newline), or NULL on end of file, error or past @deadline (monotonic
 * time). @buffer keeps what was read past the line. */
char           *bench_read_line          (int                  fd,
                                          GString             *buffer,
                                          const char          *prefix,
                                          gint64               deadline);

/* CPU time and statistics ------------------------------------------------ */

/* User + system time */
double          bench_rusage_ms          (const struct rusage *usage);
/* Of this process so far */
double          bench_cpu_ms             (void);

int             bench_compare_doubles    (gconstpointer        a,
                                          gconstpointer        b);
/* Of an array of double, 0 when empty */
double          bench_median             (GArray              *values);
double          bench_percentile         (GArray              *values,
                                          double               p);
double          bench_minimum            (GArray              *values);
double          bench_maximum            (GArray              *values);

const char     *bench_verdict            (gboolean             pass);

/* Iterates the main context until @cond holds or @seconds pass; FALSE on
 * the time-out */
#define bench_wait_until(cond, seconds)                                      \
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

/* Iterates the main context for @msec (the stall meter wakes it every
 * 2 ms) */
void            bench_run_for            (guint                msec);

/* The stall meter -------------------------------------------------------- */

/* The main-loop stalls of a run: gaps between two runs of a 2 ms
 * G_PRIORITY_HIGH timeout */
typedef struct
{
  double max_ms;
  double max_cpu_ms;          /* within the longest, the main thread on a CPU */
  double max_wait_ms;         /* and waiting for one */
  glong  max_majflt;          /* major page faults: blocked on the disk */
  guint  n_over_frame;        /* > 16.7 ms */
  guint  n_over_budget;
} BenchStalls;

typedef struct _BenchStallMeter BenchStallMeter;

/* Called with every gap measured while armed */
typedef void (*BenchStallFunc) (double   gap_ms,
                                gpointer user_data);

BenchStallMeter *bench_stall_meter_new   (double               budget_ms,
                                          BenchStallFunc       func,
                                          gpointer             user_data);
/* Measures into @stalls from now on; NULL stops measuring */
void            bench_stall_meter_arm    (BenchStallMeter     *meter,
                                          BenchStalls         *stalls);
void            bench_stall_meter_free   (BenchStallMeter     *meter);
/* "in it the main thread ran …, waited … and was blocked …", no newline */
void            bench_stalls_print_split (const BenchStalls   *stalls);

/* The frame-gap meter ----------------------------------------------------- */

typedef struct
{
  guint  n_paints;
  double max_gap_ms;          /* the longest time without a painted frame */
  gint64 final_paint_us;      /* the first frame after the end */
  double final_paint_cpu_ms;
} BenchFrames;

typedef struct
{
  GdkFrameClock *frame_clock;
  gulong         after_paint_id;
  gboolean       any_paint;   /* since attached */

  BenchFrames   *frames;
  gboolean       armed;
  gboolean       ended;
  gint64         last_paint_us;
} BenchFrameMeter;

/* Watches the frames of @widget's frame clock */
void            bench_frame_meter_attach (BenchFrameMeter     *meter,
                                          GtkWidget           *widget);
void            bench_frame_meter_detach (BenchFrameMeter     *meter);
/* Records into @frames from here: gaps from bench_frame_meter_arm (),
 * and the first frame after bench_frame_meter_end () ends the span */
void            bench_frame_meter_begin  (BenchFrameMeter     *meter,
                                          BenchFrames         *frames);
void            bench_frame_meter_arm    (BenchFrameMeter     *meter,
                                          gint64               from_us);
void            bench_frame_meter_end    (BenchFrameMeter     *meter);
void            bench_frame_meter_finish (BenchFrameMeter     *meter);

/* Runs of two consumers ---------------------------------------------------- */

/* The first member of a benchmark's run */
typedef struct
{
  guint       rep;
  gboolean    ui;             /* in the window, else in the core */
  gboolean    ok;
  gint64      start_us;
  gint64      end_us;
  double      start_cpu_ms;
  double      end_cpu_ms;
  BenchStalls stalls;
  BenchFrames frames;         /* window only */
} BenchRun;

/* An array of @n_runs runs of @run_size bytes, each starting with a BenchRun */
typedef struct
{
  gconstpointer data;
  gsize         run_size;
  guint         n_runs;
} BenchRuns;

typedef double   (*BenchRunMeasure) (const BenchRun *run);
/* Makes @run (zeroed, rep and ui set); FALSE when it failed */
typedef gboolean (*BenchRunFunc)    (BenchRun *run,
                                     gpointer  user_data);
/* Opens a new window for a window run, and closes it */
typedef gboolean (*BenchOpenFunc)   (gpointer  user_data);
typedef void     (*BenchCloseFunc)  (gpointer  user_data);

/* @n_reps rounds of a core run then a window run in a new window (or
 * only @only, "core" or "window"), into @runs->data, room for 2 × @n_reps;
 * sets @runs->n_runs. FALSE at the first run that failed. */
gboolean        bench_runs_alternate     (BenchRuns           *runs,
                                          int                  n_reps,
                                          const char          *only,
                                          BenchOpenFunc        open_window,
                                          BenchRunFunc         run_func,
                                          BenchCloseFunc       close_window,
                                          gpointer             user_data);

const BenchRun *bench_runs_get           (const BenchRuns     *runs,
                                          guint                i);
/* Of the runs of one consumer */
double          bench_runs_median        (const BenchRuns     *runs,
                                          gboolean             ui,
                                          BenchRunMeasure      measure);
double          bench_runs_maximum       (const BenchRuns     *runs,
                                          gboolean             ui,
                                          BenchRunMeasure      measure);
const BenchRun *bench_runs_worst         (const BenchRuns     *runs,
                                          gboolean             ui,
                                          BenchRunMeasure      measure);

double          bench_run_total_ms       (const BenchRun      *run);
double          bench_run_stall_ms       (const BenchRun      *run);
double          bench_run_frame_gap_ms   (const BenchRun      *run);

/* "  LABEL  window UNIT / core UNIT   ratio×", the medians to @digits */
void            bench_runs_print_median  (const BenchRuns     *runs,
                                          const char          *label,
                                          const char          *unit,
                                          int                  digits,
                                          BenchRunMeasure      measure);
/* The longest stall of either consumer, worst run */
void            bench_runs_print_stall   (const BenchRuns     *runs);
/* The frames and longest gap columns of a run's row */
void            bench_run_print_frames   (const BenchRun      *run);

/* Points $XDG_DATA_HOME (for this process and the ones it starts) at a new
 * temporary folder, so a benchmark never opens or writes the user's chats. */
void            bench_isolate_data_dir   (void);

G_END_DECLS
