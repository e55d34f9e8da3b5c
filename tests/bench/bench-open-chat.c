/* bench-open-chat.c: opening a chat of 10,000 messages, against one of 10
 *
 * Fills two chat stores, through the store's API, in two data folders:
 * one with a chat of 10,000 messages, one with a chat of 10 (the
 * baseline), each with a newer one-message chat that the window reopens at
 * start-up. User questions are short plain text; replies are Markdown of
 * every kind, a fenced code block in many of them.
 *
 * Then, alternating, it runs itself as a child (`--child`) on one folder
 * or the other: the real CriaApplication against a cria-sim, as src/main.c
 * runs it. Once the window is ready (a model selected, the chat page up),
 * the child opens the chat: it loads it from the store
 * (cria_chat_session_new_for_chat (), as the window does) and gives it to
 * the chat page. It measures
 *
 * - load: the store read, the session built;
 * - first frame: from the start of the open to the first frame painted
 *   after it (the frame clock's after-paint), and the CPU time the child
 *   spent in that span;
 * - at end: to the first frame showing the end of the conversation, where
 *   the page puts a chat it opens;
 * - scrolling: a page up every frame (--scroll-pages) for --scroll-frames
 *   frames, then a jump to the top and one back to the end (a scrollbar
 *   dragged), with the longest main-loop stall of each (bench-utils'
 *   stall meter) and the longest time without a painted frame;
 * - memory: the resident size before the open and its peak after, and the
 *   child's peak RSS (wait4 ru_maxrss) as the parent sees it.
 *
 * Each child is a new process, so peaks and caches start from the same
 * place in both series. Ratios are paired (each 10,000-message run over
 * the 10-message run made just before it) and of the medians. Budgets:
 * the first frame within 500 ms (the chat store's own budget for loading
 * 10,000 messages is 250 ms; as much again for the window), and no
 * main-loop stall over 50 ms while scrolling a page a frame (the jumps
 * are given for information). It fails only when something
 * could not run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cria-application.h"
#include "cria-chat-page.h"
#include "cria-test-markdown.h"
#include "cria-window.h"
#include "cria-window-private.h"

#include "bench-utils.h"

#define FIRST_FRAME_BUDGET_MS 500.0
#define STALL_BUDGET_MS       50.0
#define CHILD_TIMEOUT_MS      120000

static int n_messages = 10000;
static int n_baseline = 10;
static int n_reps = 5;
static int n_warmups = 1;
static int n_scroll_frames = 150;
static double scroll_pages = 1.0;
static char *sim_path;
static char *keep_dir;
static gboolean child_mode;
static gint64 child_chat_id;

static const GOptionEntry entries[] = {
  { "sim", 0, 0, G_OPTION_ARG_FILENAME, &sim_path, "cria-sim (default: $CRIA_SIM)", "PATH" },
  { "messages", 'm', 0, G_OPTION_ARG_INT, &n_messages, "Messages in the big chat (10000)", "N" },
  { "baseline", 'b', 0, G_OPTION_ARG_INT, &n_baseline, "Messages in the baseline chat (10)", "N" },
  { "reps", 'r', 0, G_OPTION_ARG_INT, &n_reps, "Measured runs of each (5)", "N" },
  { "warmups", 'w', 0, G_OPTION_ARG_INT, &n_warmups, "Warm-up runs of each (1)", "N" },
  { "scroll-frames", 's', 0, G_OPTION_ARG_INT, &n_scroll_frames,
    "Frames of scrolling a page up (150)", "N" },
  { "scroll-pages", 'p', 0, G_OPTION_ARG_DOUBLE, &scroll_pages,
    "Pages scrolled each frame (1; 0.1 is a quick wheel)", "PAGES" },
  { "data", 'd', 0, G_OPTION_ARG_FILENAME, &keep_dir,
    "Fill the stores in DIR and keep them; a later run with the same DIR reuses them", "DIR" },
  { "child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &child_mode, NULL, NULL },
  { "chat-id", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT64, &child_chat_id, NULL, NULL },
  { NULL }
};

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* A field of /proc/self/status, in MiB */
static double
read_status_mib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, field)) == NULL)
    return 0;

  return g_ascii_strtod (line + strlen (field) + 1, NULL) / 1024.0;
}

/* The child ---------------------------------------------------------------- */

typedef enum
{
  PHASE_WAIT_READY,
  PHASE_WAIT_FIRST_FRAME,
  PHASE_WAIT_END,
  PHASE_SCROLL_UP,
  PHASE_JUMP_TOP,
  PHASE_JUMP_END,
  PHASE_DONE,
} Phase;

typedef struct
{
  CriaWindow      *window;
  GdkFrameClock   *frame_clock;
  GtkAdjustment   *vadjustment;
  Phase            phase;
  guint            frames_in_phase;
  guint            tick_id;

  double           start_ms;
  double           load_ms;
  double           first_frame_ms;
  double           start_cpu_ms;
  double           first_frame_cpu_ms;
  guint            first_frame_rows;
  double           end_ms;
  double           rss_before_mib;

  BenchStallMeter *stall_meter;
  BenchStalls      stalls;        /* scrolling a page a frame */
  BenchStalls      jump_stalls;   /* jumping to the top and back */
  BenchFrameMeter  frame_meter;
  BenchFrames      frames;
  guint            n_scroll_frames;
} Child;

/* The rows the list view made: it makes those in view, and a few more */
static guint
count_rows (Child *child)
{
  GtkWidget *list_view = GTK_WIDGET (cria_chat_page_get_list_view (child->window->chat_page));
  guint n_rows = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (list_view);
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    n_rows++;

  return n_rows;
}

static gboolean
shows_end (Child *child)
{
  GtkAdjustment *adj = child->vadjustment;

  return gtk_adjustment_get_upper (adj) > gtk_adjustment_get_page_size (adj) &&
         gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >=
         gtk_adjustment_get_upper (adj) - 1.0;
}

static void
child_finish (Child *child)
{
  child->phase = PHASE_DONE;
  bench_stall_meter_arm (child->stall_meter, NULL);
  bench_frame_meter_finish (&child->frame_meter);

  printf ("result load=%.2f first=%.2f first_cpu=%.2f rows=%u end=%.2f stall=%.2f jump=%.2f "
          "gap=%.2f frames=%u over=%u rss_before=%.2f hwm=%.2f\n",
          child->load_ms, child->first_frame_ms, child->first_frame_cpu_ms,
          child->first_frame_rows, child->end_ms,
          child->stalls.max_ms, child->jump_stalls.max_ms,
          child->frames.max_gap_ms, child->n_scroll_frames, child->stalls.n_over_budget,
          child->rss_before_mib, read_status_mib ("VmHWM:"));
  fflush (stdout);

  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (child->window))));
}

/* Scrolls, a step a frame */
static gboolean
scroll_tick_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  Child *child = user_data;
  GtkAdjustment *adj = child->vadjustment;
  double value = gtk_adjustment_get_value (adj);

  child->frames_in_phase++;

  switch (child->phase)
    {
    case PHASE_SCROLL_UP:
      if (child->frames_in_phase > (guint) n_scroll_frames || value <= 0)
        {
          child->phase = PHASE_JUMP_TOP;
          child->frames_in_phase = 0;
          bench_stall_meter_arm (child->stall_meter, &child->jump_stalls);
          gtk_adjustment_set_value (adj, 0);
        }
      else
        {
          child->n_scroll_frames++;
          gtk_adjustment_set_value (adj, MAX (0, value - scroll_pages * gtk_adjustment_get_page_size (adj)));
        }
      return G_SOURCE_CONTINUE;

    case PHASE_JUMP_TOP:
      if (child->frames_in_phase >= 10)
        {
          child->phase = PHASE_JUMP_END;
          child->frames_in_phase = 0;
          gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
        }
      return G_SOURCE_CONTINUE;

    case PHASE_JUMP_END:
      /* The list's height is an estimate: follow its end as it settles */
      gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
      if (child->frames_in_phase >= 10)
        {
          child->tick_id = 0;
          child_finish (child);
          return G_SOURCE_REMOVE;
        }
      return G_SOURCE_CONTINUE;

    case PHASE_WAIT_READY:
    case PHASE_WAIT_FIRST_FRAME:
    case PHASE_WAIT_END:
    case PHASE_DONE:
    default:
      child->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
}

static void
start_scrolling (Child *child)
{
  GtkWidget *list_view = GTK_WIDGET (cria_chat_page_get_list_view (child->window->chat_page));

  child->phase = PHASE_SCROLL_UP;
  child->frames_in_phase = 0;

  bench_frame_meter_begin (&child->frame_meter, &child->frames);
  bench_frame_meter_arm (&child->frame_meter, g_get_monotonic_time ());
  bench_stall_meter_arm (child->stall_meter, &child->stalls);

  child->tick_id = gtk_widget_add_tick_callback (list_view, scroll_tick_cb, child, NULL);
}

static gboolean
open_chat_cb (gpointer user_data)
{
  Child *child = user_data;
  CriaApplication *app = CRIA_APPLICATION (gtk_window_get_application (GTK_WINDOW (child->window)));
  CriaChatSession *current = cria_window_get_session (child->window);
  g_autoptr(CriaChatSession) session = NULL;
  g_autoptr(GError) error = NULL;

  child->rss_before_mib = read_status_mib ("VmRSS:");
  child->start_ms = now_ms ();
  child->start_cpu_ms = bench_cpu_ms ();

  /* What the window does to reopen a chat */
  session = cria_chat_session_new_for_chat (cria_application_get_store (app), child_chat_id, &error);
  if (session == NULL)
    g_error ("Cannot open chat %" G_GINT64_FORMAT ": %s", child_chat_id, error->message);
  cria_chat_session_set_backend (session, cria_chat_session_get_backend (current));
  cria_chat_session_set_model (session, cria_chat_session_get_model (current));
  child->load_ms = now_ms () - child->start_ms;

  child->phase = PHASE_WAIT_FIRST_FRAME;
  cria_chat_page_set_session (child->window->chat_page, session);

  return G_SOURCE_REMOVE;
}

static void
child_after_paint_cb (GdkFrameClock *frame_clock,
                      Child         *child)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (child->window));

  if (surface == NULL || !gdk_surface_get_mapped (surface))
    return;

  switch (child->phase)
    {
    case PHASE_WAIT_READY:
      /* The chat page is up once a model is selected */
      if (!cria_chat_session_can_send (cria_window_get_session (child->window)) ||
          g_strcmp0 (gtk_stack_get_visible_child_name (child->window->stack), "chat") != 0)
        return;
      child->phase = PHASE_DONE; /* until the open */
      g_idle_add_full (G_PRIORITY_HIGH, open_chat_cb, child, NULL);
      break;

    case PHASE_WAIT_FIRST_FRAME:
      child->first_frame_ms = now_ms () - child->start_ms;
      child->first_frame_cpu_ms = bench_cpu_ms () - child->start_cpu_ms;
      child->first_frame_rows = count_rows (child);
      child->phase = PHASE_WAIT_END;
      G_GNUC_FALLTHROUGH;

    case PHASE_WAIT_END:
      if (!shows_end (child))
        return;
      child->end_ms = now_ms () - child->start_ms;
      start_scrolling (child);
      break;

    case PHASE_SCROLL_UP:
    case PHASE_JUMP_TOP:
    case PHASE_JUMP_END:
    case PHASE_DONE:
    default:
      break;
    }
}

/* Keeps frames coming while waiting for the window to be ready */
static gboolean
child_keep_drawing_cb (GtkWidget     *widget,
                       GdkFrameClock *frame_clock,
                       gpointer       user_data)
{
  Child *child = user_data;

  return child->phase == PHASE_WAIT_READY ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
child_map_cb (GtkWidget *widget,
              Child     *child)
{
  g_signal_handlers_disconnect_by_func (widget, child_map_cb, child);

  child->frame_clock = gtk_widget_get_frame_clock (widget);
  child->vadjustment = gtk_scrollable_get_vadjustment (
    GTK_SCROLLABLE (cria_chat_page_get_list_view (child->window->chat_page)));
  bench_frame_meter_attach (&child->frame_meter, widget);
  g_signal_connect (child->frame_clock, "after-paint", G_CALLBACK (child_after_paint_cb), child);

  /* Frames keep coming while the child waits */
  gtk_widget_add_tick_callback (widget, child_keep_drawing_cb, child, NULL);
}

static void
child_window_added_cb (GtkApplication *app,
                       GtkWindow      *window,
                       Child          *child)
{
  if (!CRIA_IS_WINDOW (window))
    return;

  g_signal_handlers_disconnect_by_func (app, child_window_added_cb, child);
  child->window = CRIA_WINDOW (window);
  g_signal_connect (window, "map", G_CALLBACK (child_map_cb), child);
}

static gboolean
child_deadline_cb (gpointer user_data)
{
  g_printerr ("bench-open-chat: the child did not finish in time\n");
  exit (1);
}

static int
run_child (const char *argv0)
{
  g_autoptr(CriaApplication) app = NULL;
  char *app_argv[] = { (char *) argv0, NULL };
  Child child = { 0 };
  int status;

  g_timeout_add (CHILD_TIMEOUT_MS, child_deadline_cb, NULL);

  /* What src/main.c does */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  child.stall_meter = bench_stall_meter_new (STALL_BUDGET_MS, NULL, NULL);

  app = cria_application_new ();
  g_signal_connect (app, "window-added", G_CALLBACK (child_window_added_cb), &child);

  status = g_application_run (G_APPLICATION (app), 1, app_argv);

  bench_stall_meter_free (child.stall_meter);

  return child.phase == PHASE_DONE && child.end_ms > 0 ? status : 1;
}

/* The parent ---------------------------------------------------------------- */

typedef struct
{
  const char *title;
  char       *data_dir;
  gint64      chat_id;
  int         n_messages;
  GArray     *load_ms;
  GArray     *first_ms;
  GArray     *first_cpu_ms;
  GArray     *end_ms;
  GArray     *stall_ms;
  GArray     *jump_ms;
  GArray     *gap_ms;
  GArray     *growth_mib;     /* VmHWM after the open minus VmRSS before */
  GArray     *peak_mib;       /* ru_maxrss */
} Series;

static char *
make_user_text (GRand *rand,
                guint  index)
{
  GString *text = g_string_new (NULL);
  guint n = g_rand_int_range (rand, 6, 30);

  for (guint i = 0; i < n; i++)
    {
      const char *word = cria_test_markdown_words[g_rand_int_range (rand, 0, G_N_ELEMENTS (cria_test_markdown_words))];

      if (i > 0)
        g_string_append_c (text, ' ');
      if (g_rand_int_range (rand, 0, 15) == 0)
        g_string_append_printf (text, "`%s`", word);
      else
        g_string_append (text, word);
    }
  g_string_append_printf (text, " (question %u)?", index);

  return g_string_free (text, FALSE);
}

static char *
make_reply_text (GRand *rand,
                 guint  index)
{
  GString *text = g_string_new (NULL);
  guint n_sections = g_rand_int_range (rand, 1, 7);

  /* Short replies are plain; longer ones use every kind of block */
  for (guint i = 0; i < n_sections; i++)
    cria_test_append_markdown_section (text, rand,
                                       n_sections < 3 ? 1 : g_rand_int_range (rand, 0, 8),
                                       index * 8 + i);

  return g_string_free (text, FALSE);
}

static gint64
fill_store (const char *data_dir,
            int         count,
            guint32     seed)
{
  g_autofree char *folder = g_build_filename (data_dir, APP_ID, NULL);
  g_autofree char *path = g_build_filename (folder, "cria.db", NULL);
  g_autoptr(CriaChatStore) store = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GError) error = NULL;
  g_autoptr(CriaChatMessage) hello = NULL;
  gint64 chat_id;
  gint64 start_id;
  double start = now_ms ();

  g_mkdir_with_parents (folder, 0700);
  store = cria_chat_store_new (path);
  if (!cria_chat_store_open (store, &error))
    g_error ("Cannot open %s: %s", path, error->message);

  chat_id = cria_chat_store_create_chat (store, "The long one", NULL, "llama3.2", NULL, NULL, &error);
  g_assert_no_error (error);

  for (int i = 0; i < count; i++)
    {
      g_autofree char *text = i % 2 == 0 ? make_user_text (rand, i / 2) : make_reply_text (rand, i / 2);
      g_autoptr(CriaChatMessage) message = NULL;

      message = cria_chat_message_new (i % 2 == 0 ? CRIA_MESSAGE_ROLE_USER
                                                  : CRIA_MESSAGE_ROLE_ASSISTANT,
                                       text);
      if (i % 2 == 1)
        {
          CriaChatMetrics metrics = { .done_reason = (char *) "stop", .eval_count = 300,
                                      .eval_duration = 3000000000 };

          cria_chat_message_set_model (message, "llama3.2");
          cria_chat_message_set_metrics (message, &metrics);
        }

      if (cria_chat_store_append_message (store, chat_id, message, &error) == 0)
        g_error ("Could not append: %s", error->message);
    }

  /* The newest chat: what the window reopens at start-up */
  start_id = cria_chat_store_create_chat (store, "Hello", NULL, "llama3.2", NULL, NULL, &error);
  g_assert_no_error (error);
  hello = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, "Hello");
  if (cria_chat_store_append_message (store, start_id, hello, &error) == 0)
    g_error ("Could not append: %s", error->message);

  cria_chat_store_close (store);

  printf ("Filled a chat of %d messages in %.1f s\n", count, (now_ms () - start) / 1000.0);

  return chat_id;
}

/* Where the store of a chat of @count messages goes: under --data, kept
 * for the next run, else in the run's own data folder */
static char *
stores_dir (int count)
{
  g_autofree char *name = g_strdup_printf ("messages-%d", count);

  return g_build_filename (keep_dir != NULL ? keep_dir : g_getenv ("XDG_DATA_HOME"), name, NULL);
}

/* The chat of @count messages in @data_dir, filled unless an earlier run
 * with --data left it there: filling 10,000 messages takes half a minute */
static gint64
fill_or_reuse_store (const char *data_dir,
                     int         count,
                     guint32     seed)
{
  g_autofree char *id_path = g_build_filename (data_dir, "chat-id", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *id_text = NULL;
  gint64 chat_id;

  if (keep_dir != NULL && g_file_get_contents (id_path, &contents, NULL, NULL))
    {
      printf ("Reusing the chat of %d messages in %s\n", count, data_dir);
      return g_ascii_strtoll (contents, NULL, 10);
    }

  chat_id = fill_store (data_dir, count, seed);
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, chat_id);
  if (keep_dir != NULL)
    g_file_set_contents (id_path, id_text, -1, NULL);

  return chat_id;
}

static double
field (const char *line,
       const char *name)
{
  g_autofree char *key = g_strdup_printf (" %s=", name);
  const char *p = strstr (line, key);

  return p != NULL ? g_ascii_strtod (p + strlen (key), NULL) : -1;
}

static gboolean
run_once (const char *self_path,
          const char *sim_url,
          Series     *series,
          gboolean    keep)
{
  g_autofree char *chat_id = g_strdup_printf ("%" G_GINT64_FORMAT, series->chat_id);
  g_autofree char *scroll_frames = g_strdup_printf ("%d", n_scroll_frames);
  char pages[G_ASCII_DTOSTR_BUF_SIZE];
  const char *argv[] = { self_path, "--child", "--chat-id", chat_id,
                         "--scroll-frames", scroll_frames,
                         "--scroll-pages", g_ascii_dtostr (pages, sizeof pages, scroll_pages), NULL };
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GString) buffer = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  struct rusage usage;
  GPid pid;
  int out_fd;
  int status;
  double value;

  envp = g_environ_setenv (envp, "XDG_DATA_HOME", series->data_dir, TRUE);
  envp = g_environ_setenv (envp, "OLLAMA_HOST", sim_url, TRUE);

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                                 NULL, NULL, &pid, NULL, &out_fd, NULL, &error))
    {
      g_printerr ("bench-open-chat: cannot run the child: %s\n", error->message);
      return FALSE;
    }

  line = bench_read_line (out_fd, buffer, "result ",
                          g_get_monotonic_time () + (gint64) CHILD_TIMEOUT_MS * 1000);
  close (out_fd);
  if (line == NULL)
    kill (pid, SIGKILL);

  while (wait4 (pid, &status, 0, &usage) < 0)
    {
      if (errno != EINTR)
        {
          g_printerr ("bench-open-chat: wait4: %s\n", g_strerror (errno));
          return FALSE;
        }
    }
  g_spawn_close_pid (pid);

  if (line == NULL || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_printerr ("bench-open-chat: the child %s (status 0x%x)\n",
                  line ? "failed on exit" : "gave no result", status);
      return FALSE;
    }

  if (!keep)
    return TRUE;

#define APPEND(array, expr) (value = (expr), g_array_append_val (series->array, value))
  APPEND (load_ms, field (line, "load"));
  APPEND (first_ms, field (line, "first"));
  APPEND (first_cpu_ms, field (line, "first_cpu"));
  APPEND (end_ms, field (line, "end"));
  APPEND (stall_ms, field (line, "stall"));
  APPEND (jump_ms, field (line, "jump"));
  APPEND (gap_ms, field (line, "gap"));
  APPEND (growth_mib, field (line, "hwm") - field (line, "rss_before"));
  APPEND (peak_mib, usage.ru_maxrss / 1024.0);
#undef APPEND

  printf ("  %-22s load %7.1f  first frame %7.1f (CPU %7.1f)  at end %7.1f  stall %6.1f  jump %6.1f"
          "  gap %6.1f ms"
          "  growth %6.1f  peak %6.1f MiB  (%.0f rows at first, %.0f scroll frames, %.0f stalls over budget)\n",
          series->title,
          g_array_index (series->load_ms, double, series->load_ms->len - 1),
          g_array_index (series->first_ms, double, series->first_ms->len - 1),
          g_array_index (series->first_cpu_ms, double, series->first_cpu_ms->len - 1),
          g_array_index (series->end_ms, double, series->end_ms->len - 1),
          g_array_index (series->stall_ms, double, series->stall_ms->len - 1),
          g_array_index (series->jump_ms, double, series->jump_ms->len - 1),
          g_array_index (series->gap_ms, double, series->gap_ms->len - 1),
          g_array_index (series->growth_mib, double, series->growth_mib->len - 1),
          g_array_index (series->peak_mib, double, series->peak_mib->len - 1),
          field (line, "rows"), field (line, "frames"), field (line, "over"));

  return TRUE;
}

static double
paired_ratio (GArray *a,
              GArray *b)
{
  g_autoptr(GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < MIN (a->len, b->len); i++)
    {
      double ratio = g_array_index (a, double, i) / MAX (g_array_index (b, double, i), 0.001);

      g_array_append_val (ratios, ratio);
    }

  return bench_median (ratios);
}

static void
print_row (const char *what,
           GArray     *big,
           GArray     *small)
{
  printf ("  %-26s %8.1f %8.1f %8.1f   %8.1f %8.1f   %6.2f×  %6.2f×\n",
          what,
          bench_median (big), bench_minimum (big), bench_maximum (big),
          bench_median (small), bench_maximum (small),
          paired_ratio (big, small), bench_median (big) / MAX (bench_median (small), 0.001));
}

static void
series_init (Series     *series,
             const char *title,
             int         count)
{
  series->title = title;
  series->n_messages = count;
  series->load_ms = g_array_new (FALSE, FALSE, sizeof (double));
  series->first_ms = g_array_new (FALSE, FALSE, sizeof (double));
  series->first_cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  series->end_ms = g_array_new (FALSE, FALSE, sizeof (double));
  series->stall_ms = g_array_new (FALSE, FALSE, sizeof (double));
  series->jump_ms = g_array_new (FALSE, FALSE, sizeof (double));
  series->gap_ms = g_array_new (FALSE, FALSE, sizeof (double));
  series->growth_mib = g_array_new (FALSE, FALSE, sizeof (double));
  series->peak_mib = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
series_clear (Series *series)
{
  g_clear_pointer (&series->data_dir, g_free);
  g_clear_pointer (&series->load_ms, g_array_unref);
  g_clear_pointer (&series->first_ms, g_array_unref);
  g_clear_pointer (&series->first_cpu_ms, g_array_unref);
  g_clear_pointer (&series->end_ms, g_array_unref);
  g_clear_pointer (&series->stall_ms, g_array_unref);
  g_clear_pointer (&series->jump_ms, g_array_unref);
  g_clear_pointer (&series->gap_ms, g_array_unref);
  g_clear_pointer (&series->growth_mib, g_array_unref);
  g_clear_pointer (&series->peak_mib, g_array_unref);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_unlink (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GSubprocess) sim = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sim_url = NULL;
  g_autofree char *self_path = NULL;
  Series big = { 0 };
  Series small = { 0 };
  double first_frame;
  double stall;
  int status = 0;

  context = g_option_context_new ("- opening a chat of 10,000 messages, against one of 10");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-open-chat: %s\n", error->message);
      return 2;
    }

  if (child_mode)
    return run_child (argv[0]);

  setlocale (LC_ALL, "");

  if (sim_path == NULL)
    sim_path = g_strdup (g_getenv ("CRIA_SIM"));
  if (sim_path == NULL || n_reps < 1 || n_warmups < 0 || n_messages < 1 || n_baseline < 1)
    {
      g_printerr ("bench-open-chat: --sim (or $CRIA_SIM) is needed\n");
      return 2;
    }

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("bench-open-chat: no display; run under xvfb-run (build-aux/dev bench)\n");
      return 77;
    }

  bench_isolate_data_dir ();
  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (self_path == NULL)
    self_path = g_strdup (argv[0]);

  series_init (&big, NULL, n_messages);
  series_init (&small, NULL, n_baseline);
  big.title = g_strdup_printf ("%d messages", n_messages);
  small.title = g_strdup_printf ("%d messages", n_baseline);
  big.data_dir = stores_dir (n_messages);
  small.data_dir = stores_dir (n_baseline);
  big.chat_id = fill_or_reuse_store (big.data_dir, n_messages, 20261121);
  small.chat_id = fill_or_reuse_store (small.data_dir, n_baseline, 20261121);

  sim_url = bench_sim_start (sim_path, NULL, &sim);
  if (sim_url == NULL)
    return 1;

  printf ("\nOpening a chat: %d runs of each, alternating, after %d warm-up%s each; "
          "GSK_RENDERER=%s\n",
          n_reps, n_warmups, n_warmups == 1 ? "" : "s",
          g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "(default)");

  for (int round = 0; round < n_warmups + n_reps && status == 0; round++)
    {
      gboolean keep = round >= n_warmups;

      if (!run_once (self_path, sim_url, &small, keep) ||
          !run_once (self_path, sim_url, &big, keep))
        status = 1;
    }

  bench_sim_stop (&sim);

  if (status != 0)
    {
      g_printerr ("bench-open-chat: a run failed; no figures\n");
      goto out;
    }

  printf ("\n  %-26s %8s %8s %8s   %8s %8s   %7s  %7s\n",
          "", big.title, "", "", small.title, "", "ratio", "");
  printf ("  %-26s %8s %8s %8s   %8s %8s   %7s  %7s\n",
          "", "median", "min", "max", "median", "max", "paired", "medians");
  print_row ("load from the store, ms", big.load_ms, small.load_ms);
  print_row ("open to first frame, ms", big.first_ms, small.first_ms);
  print_row ("  of which CPU, ms", big.first_cpu_ms, small.first_cpu_ms);
  print_row ("open to the end shown, ms", big.end_ms, small.end_ms);
  print_row ("scrolling: longest stall, ms", big.stall_ms, small.stall_ms);
  print_row ("jumping: longest stall, ms", big.jump_ms, small.jump_ms);
  print_row ("either: longest frame gap, ms", big.gap_ms, small.gap_ms);
  print_row ("memory grown by opening, MiB", big.growth_mib, small.growth_mib);
  print_row ("peak RSS of the process, MiB", big.peak_mib, small.peak_mib);
  printf ("  (paired: the median of the ratios of runs made one after the other)\n");

  first_frame = bench_median (big.first_ms);
  stall = bench_maximum (big.stall_ms);
  printf ("\nBudgets, %d messages:\n", n_messages);
  printf ("  %s  open to first frame under %.0f ms (median)  %.1f ms\n",
          bench_verdict (first_frame <= FIRST_FRAME_BUDGET_MS), FIRST_FRAME_BUDGET_MS, first_frame);
  printf ("  %s  no stall over %.0f ms scrolling %g page a frame (worst run)  %.1f ms\n",
          bench_verdict (stall <= STALL_BUDGET_MS), STALL_BUDGET_MS, scroll_pages, stall);
  printf ("  (jumping to the top and back, worst run: %.1f ms; for information)\n",
          bench_maximum (big.jump_ms));

out:
  remove_tree (g_getenv ("XDG_DATA_HOME"));
  g_free ((char *) big.title);
  g_free ((char *) small.title);
  series_clear (&big);
  series_clear (&small);

  return status;
}
