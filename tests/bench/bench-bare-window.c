/* bench-bare-window.c: the baseline of bench-startup
 *
 * The least a libadwaita app can show: an AdwApplicationWindow with a
 * header bar and a label. On the first frame painted after the window is
 * mapped it prints `first-frame` and quits. bench-cria-window.c hooks
 * Cria's window in exactly the same way.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <stdio.h>
#include <stdlib.h>

#include <adwaita.h>

#define BENCH_DEADLINE_SECONDS 30

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

  g_application_quit (G_APPLICATION (gtk_window_get_application (GTK_WINDOW (window))));
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

static gboolean
deadline_cb (gpointer user_data)
{
  g_printerr ("bench-bare-window: no frame after %d s\n", BENCH_DEADLINE_SECONDS);
  exit (1);
}

static void
activate_cb (GApplication *app,
             gpointer      user_data)
{
  GtkWidget *window;
  GtkWidget *box;
  GtkWidget *label;

  window = adw_application_window_new (GTK_APPLICATION (app));
  gtk_window_set_title (GTK_WINDOW (window), "Bare");
  /* The size Cria opens at (the schema defaults): as many pixels to paint */
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 720);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  label = gtk_label_new ("Hello");
  gtk_widget_set_vexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), label);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);

  hook_first_frame (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = NULL;

  g_timeout_add_seconds (BENCH_DEADLINE_SECONDS, deadline_cb, NULL);

  /* The same kind of application as Cria: unique on the session bus */
  app = adw_application_new ("io.github.cria.BenchBareWindow", G_APPLICATION_DEFAULT_FLAGS);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
