/* bench-cria-window.c: Cria's start-up, for bench-startup
 *
 * Runs the real CriaApplication exactly as src/main.c does. A
 * `window-added` handler hooks the window's first frame as
 * bench-bare-window.c does, prints `first-frame` and quits. With
 * BENCH_UNTIL=ready it goes on until a model is selected (the first probe
 * answered and the chat page is up), prints `ready` on the first frame
 * after that, and quits then. Nothing in the app is changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "cria-application.h"
#include "cria-window.h"

#define BENCH_DEADLINE_SECONDS 30

static gboolean until_ready;

static void
quit (GtkWidget *window)
{
  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (window))));
}

static void
ready_after_paint_cb (GdkFrameClock *frame_clock,
                      GtkWidget     *window)
{
  CriaChatSession *session = cria_window_get_session (CRIA_WINDOW (window));

  /* The window shows the chat page in the same turn as it selects a model,
   * so the first frame painted once it can send shows the page. */
  if (!cria_chat_session_can_send (session))
    return;

  g_signal_handlers_disconnect_by_func (frame_clock, ready_after_paint_cb, window);

  fputs ("ready\n", stdout);
  fflush (stdout);

  quit (window);
}

static void
after_paint_cb (GdkFrameClock *frame_clock,
                GtkWidget     *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  /* Only a frame of a mapped surface has been drawn for the user */
  if (surface == NULL || !gdk_surface_get_mapped (surface))
    return;

  g_signal_handlers_disconnect_by_func (frame_clock, after_paint_cb, window);

  fputs ("first-frame\n", stdout);
  fflush (stdout);

  if (!until_ready)
    {
      quit (window);
      return;
    }

  g_signal_connect_object (frame_clock, "after-paint",
                           G_CALLBACK (ready_after_paint_cb), window, 0);
  ready_after_paint_cb (frame_clock, window);
}

static void
map_cb (GtkWidget *window,
        gpointer   user_data)
{
  g_signal_handlers_disconnect_by_func (window, map_cb, user_data);
  g_signal_connect_object (gtk_widget_get_frame_clock (window), "after-paint",
                           G_CALLBACK (after_paint_cb), window, 0);
}

static void
hook_first_frame (GtkWindow *window)
{
  g_signal_connect (window, "map", G_CALLBACK (map_cb), NULL);
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 gpointer        user_data)
{
  if (CRIA_IS_WINDOW (window))
    {
      g_signal_handlers_disconnect_by_func (app, window_added_cb, user_data);
      hook_first_frame (window);
    }
}

static gboolean
deadline_cb (gpointer user_data)
{
  g_printerr ("bench-cria-window: not %s after %d s\n",
              until_ready ? "ready" : "painted", BENCH_DEADLINE_SECONDS);
  exit (1);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CriaApplication) app = NULL;

  until_ready = g_strcmp0 (g_getenv ("BENCH_UNTIL"), "ready") == 0;
  g_timeout_add_seconds (BENCH_DEADLINE_SECONDS, deadline_cb, NULL);

  /* From here on, what src/main.c does */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = cria_application_new ();
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), NULL);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
