/* test-composer.c: Enter sends, Shift+Enter breaks the line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <gtk/gtk.h>

#include "cria-composer.h"
#include "cria-composer-private.h"
#include "ui-test-utils.h"

typedef struct
{
  GtkWindow    *window;
  CriaComposer *composer;
  GtkTextView  *text_view;
  guint         n_sent;
  guint         n_stopped;
} Fixture;

static void
send_activated_cb (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  Fixture *f = user_data;

  f->n_sent++;
}

static void
stop_activated_cb (GSimpleAction *action,
                   GVariant      *param,
                   gpointer       user_data)
{
  Fixture *f = user_data;

  f->n_stopped++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  const GActionEntry entries[] = {
    { "send", send_activated_cb },
    { "stop", stop_activated_cb },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries), f);

  f->window = GTK_WINDOW (gtk_window_new ());
  f->composer = CRIA_COMPOSER (cria_composer_new ());
  f->text_view = GTK_TEXT_VIEW (cria_composer_get_text_view (f->composer));
  gtk_widget_insert_action_group (GTK_WIDGET (f->window), "chat", G_ACTION_GROUP (group));
  gtk_window_set_child (f->window, GTK_WIDGET (f->composer));
  gtk_window_present (f->window);
  gtk_widget_grab_focus (GTK_WIDGET (f->composer));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (f->composer), (gpointer *) &f->composer);
  gtk_window_destroy (f->window);
  cria_test_wait_until (f->composer == NULL);
}

static void
test_accessible (Fixture       *f,
                 gconstpointer  data)
{
  gtk_test_accessible_assert_property (f->text_view, GTK_ACCESSIBLE_PROPERTY_LABEL, "Message");
  gtk_test_accessible_assert_property (_cria_composer_get_send_button (f->composer),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Send");
  gtk_test_accessible_assert_property (_cria_composer_get_stop_button (f->composer),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Stop");
}

static void
test_focus (Fixture       *f,
            gconstpointer  data)
{
  gtk_widget_grab_focus (_cria_composer_get_send_button (f->composer));
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (f->composer)));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (f->text_view)));
}

static void
test_enter_sends (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *text = NULL;

  cria_composer_set_text (f->composer, "Hello");

  g_assert_true (cria_ui_test_press_key (GTK_WIDGET (f->text_view), GDK_KEY_Return, 0));
  g_assert_cmpuint (f->n_sent, ==, 1);

  g_assert_true (cria_ui_test_press_key (GTK_WIDGET (f->text_view), GDK_KEY_KP_Enter, 0));
  g_assert_cmpuint (f->n_sent, ==, 2);

  /* The composer does not clear itself: the page does, once sent */
  text = cria_composer_dup_text (f->composer);
  g_assert_cmpstr (text, ==, "Hello");
}

static void
test_shift_enter_breaks_line (Fixture       *f,
                              gconstpointer  data)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (f->text_view);
  GtkTextIter end;

  cria_composer_set_text (f->composer, "Hello");
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);

  cria_ui_test_press_key (GTK_WIDGET (f->text_view), GDK_KEY_Return, GDK_SHIFT_MASK);

  g_assert_cmpuint (f->n_sent, ==, 0);
  g_assert_true (cria_ui_test_buffer_equals (f->text_view, "Hello\n"));
}

static void
test_preedit_keeps_enter (Fixture       *f,
                          gconstpointer  data)
{
  cria_composer_set_text (f->composer, "Hello");

  /* An input method composing text owns Enter, to commit */
  g_signal_emit_by_name (f->text_view, "preedit-changed", "ka");
  cria_ui_test_press_key (GTK_WIDGET (f->text_view), GDK_KEY_Return, 0);
  g_assert_cmpuint (f->n_sent, ==, 0);

  g_signal_emit_by_name (f->text_view, "preedit-changed", "");
  g_assert_true (cria_ui_test_press_key (GTK_WIDGET (f->text_view), GDK_KEY_Return, 0));
  g_assert_cmpuint (f->n_sent, ==, 1);
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_assert_true (cria_composer_get_empty (f->composer));

  cria_composer_set_text (f->composer, "  \n\t");
  g_assert_true (cria_composer_get_empty (f->composer));

  cria_composer_set_text (f->composer, " Hi ");
  g_assert_false (cria_composer_get_empty (f->composer));

  cria_composer_set_text (f->composer, NULL);
  g_assert_true (cria_composer_get_empty (f->composer));
}

static void
test_busy (Fixture       *f,
           gconstpointer  data)
{
  GtkWidget *send = _cria_composer_get_send_button (f->composer);
  GtkWidget *stop = _cria_composer_get_stop_button (f->composer);

  g_assert_true (gtk_widget_get_visible (send));
  g_assert_false (gtk_widget_get_visible (stop));

  gtk_widget_grab_focus (send);
  cria_composer_set_busy (f->composer, TRUE);
  g_assert_false (gtk_widget_get_visible (send));
  g_assert_true (gtk_widget_get_visible (stop));
  g_assert_true (gtk_widget_has_focus (stop));

  g_signal_emit_by_name (stop, "clicked");
  g_assert_cmpuint (f->n_stopped, ==, 1);

  /* The text stays editable while a reply streams */
  g_assert_true (gtk_text_view_get_editable (f->text_view));

  cria_composer_set_busy (f->composer, FALSE);
  g_assert_true (gtk_widget_get_visible (send));
  g_assert_false (gtk_widget_get_visible (stop));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (f->text_view)));
}

int
main (int   argc,
      char *argv[])
{
  CRIA_UI_TEST_INIT_OR_SKIP (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/cria/composer/accessible", test_accessible);
  ADD ("/cria/composer/focus", test_focus);
  ADD ("/cria/composer/enter-sends", test_enter_sends);
  ADD ("/cria/composer/shift-enter-breaks-line", test_shift_enter_breaks_line);
  ADD ("/cria/composer/preedit-keeps-enter", test_preedit_keeps_enter);
  ADD ("/cria/composer/empty", test_empty);
  ADD ("/cria/composer/busy", test_busy);

#undef ADD

  return g_test_run ();
}
