/* ui-test-utils.h: what the ui tests share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include "cria-application.h"
#include "cria-config.h"
#include "cria-test-utils.h"
#include "cria-test-server.h"
#include "cria-settings.h"
#include "cria-window.h"
#include "cria-window-private.h"

G_BEGIN_DECLS

/* Without a display the suite cannot run: a TAP skip plan, which meson
 * reports as SKIP (it reports exit status 77 as an error under the TAP
 * protocol; gtk_test_init () would abort instead). CI counts a skip as a
 * failure (build-aux/dev). */
#define CRIA_UI_TEST_INIT_OR_SKIP(argc, argv)                               \
  G_STMT_START {                                                            \
    g_test_init ((argc), (argv), NULL);                                     \
    if (!gtk_init_check ())                                                 \
      {                                                                     \
        g_print ("1..0 # SKIP no display\n");                               \
        return 0;                                                           \
      }                                                                     \
    /* A reply finishing in a window that is not active notifies */        \
    cria_ui_test_start_fake_notifications (&cria_ui_test_notifications);   \
  } G_STMT_END

static inline char *
cria_ui_test_dup_buffer_text (GtkTextView *text_view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  GtkTextIter begin, end;

  gtk_text_buffer_get_bounds (buffer, &begin, &end);

  return gtk_text_buffer_get_text (buffer, &begin, &end, FALSE);
}

static inline gboolean
cria_ui_test_buffer_equals (GtkTextView *text_view,
                            const char  *expected)
{
  g_autofree char *text = cria_ui_test_dup_buffer_text (text_view);

  return g_strcmp0 (text, expected) == 0;
}

/* Key presses as the widget would see them: the key controllers of
 * @widget, those of the capture phase first, until one handles the key.
 * GTK 4.8 has no public way to synthesize a GdkEvent. */
static inline gboolean
cria_ui_test_press_key (GtkWidget       *widget,
                        guint            keyval,
                        GdkModifierType  state)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  guint n_items = g_list_model_get_n_items (controllers);

  for (guint phase = 0; phase < 2; phase++)
    {
      GtkPropagationPhase wanted = phase == 0 ? GTK_PHASE_CAPTURE : GTK_PHASE_BUBBLE;

      for (guint i = 0; i < n_items; i++)
        {
          g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);
          gboolean handled = FALSE;

          if (!GTK_IS_EVENT_CONTROLLER_KEY (controller) ||
              gtk_event_controller_get_propagation_phase (controller) != wanted)
            continue;

          g_signal_emit_by_name (controller, "key-pressed", keyval, 0, state, &handled);
          if (handled)
            return TRUE;
        }
    }

  return FALSE;
}

/* Every descendant of @widget of type @type, depth first. */
static inline void
cria_ui_test_collect (GtkWidget *widget,
                      GType      type,
                      GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    cria_ui_test_collect (child, type, found);
}

/* The shown toplevel window of @type, if there is one */
static inline gpointer
cria_ui_test_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (toplevel, type) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return toplevel;
    }

  return NULL;
}

/* Clicks the button in @widget labelled @label, as the user does */
static inline void
cria_ui_test_click_button (GtkWidget  *widget,
                           const char *label)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

  cria_ui_test_collect (widget, GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      if (g_strcmp0 (gtk_button_get_label (g_ptr_array_index (buttons, i)), label) == 0)
        {
          g_signal_emit_by_name (g_ptr_array_index (buttons, i), "clicked");
          return;
        }
    }

  g_error ("No button labelled %s", label);
}

/* Deletes @path and everything in it */
static inline void
cria_ui_test_remove_tree (const char *path)
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

      cria_ui_test_remove_tree (child);
    }
  g_rmdir (path);
}

/* Points $XDG_DATA_HOME, where the applications the tests start keep their
 * chats, at a temporary folder; call it first in main (), before anything
 * reads the variable. G_TEST_OPTION_ISOLATE_DIRS would also hide the
 * system data folders: icon themes and the proxy settings schema.
 *
 * Returns: (transfer full): the folder, for cria_ui_test_remove_tree () */
static inline char *
cria_ui_test_isolate_data_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *folder = g_dir_make_tmp ("cria-ui-test-XXXXXX", &error);

  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", folder, TRUE);

  return folder;
}

/* The settings as a first start finds them: no server, no model chosen */
static inline GSettings *
cria_ui_test_reset_settings (void)
{
  GSettings *settings = g_settings_new (APP_ID);

  g_settings_reset (settings, CRIA_SETTINGS_KEY_BACKENDS);
  g_settings_reset (settings, CRIA_SETTINGS_KEY_LAST_MODEL);
  g_settings_reset (settings, CRIA_SETTINGS_KEY_LAST_BACKEND);

  return settings;
}

/* Starts @server, with the models the test gave it, on a free port;
 * returns its URL */
static inline char *
cria_ui_test_start_server (CriaTestServer *server)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cria_test_server_start (server, 0, &error));
  g_assert_no_error (error);

  return cria_test_server_dup_url (server);
}

/* Starts a CriaApplication as src/main.c runs it and activates it, so its
 * window is up. GTK keeps a registered application exported on the bus:
 * each one gets an ID of its own (the settings schema stays APP_ID). */
static inline CriaApplication *
cria_ui_test_start_app (CriaWindow **window)
{
  static guint n_apps;
  g_autofree char *app_id = g_strdup_printf ("%s.Test%u", APP_ID, ++n_apps);
  g_autoptr(GError) error = NULL;
  CriaApplication *app = cria_application_new ();

  g_application_set_application_id (G_APPLICATION (app), app_id);
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));

  *window = CRIA_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (*window);

  return app;
}

/* Until the chat page is up with a model to send to */
static inline void
cria_ui_test_wait_for_chat (CriaWindow *window)
{
  cria_test_wait_until (g_strcmp0 (gtk_stack_get_visible_child_name (window->stack), "chat") == 0);
  cria_test_wait_until (cria_chat_session_can_send (cria_window_get_session (window)));
}

/* What quitting does, as far as a test can (GTK keeps a registered
 * application alive): the window closes, the backends stop, the store
 * writes what it tracks and closes. */
static inline void
cria_ui_test_quit_app (CriaApplication **app,
                       CriaWindow      **window)
{
  GListModel *registry;

  if (*window != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (*window), (gpointer *) window);
      gtk_window_destroy (GTK_WINDOW (*window));
      cria_test_wait_until (*window == NULL);
    }

  registry = G_LIST_MODEL (cria_application_get_registry (*app));
  for (guint i = 0; i < g_list_model_get_n_items (registry); i++)
    {
      g_autoptr(CriaBackend) backend = g_list_model_get_item (registry, i);

      cria_backend_stop (backend);
    }

  if (cria_application_get_store (*app) != NULL)
    cria_chat_store_close (cria_application_get_store (*app));

  g_clear_object (app);
}

/* What quitting does to the chat store of @app (the tests cannot shut a
 * registered application down), then forgets every chat: the next test
 * starts with none. */
static inline void
cria_ui_test_forget_chats (CriaApplication *app)
{
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), APP_ID, NULL);

  if (app != NULL && cria_application_get_store (app) != NULL)
    cria_chat_store_close (cria_application_get_store (app));

  cria_ui_test_remove_tree (folder);
}

/* Ends what a window test started: the app if it runs, the chats it
 * saved, the simulator and $OLLAMA_HOST */
static inline void
cria_ui_test_tear_down (CriaApplication **app,
                        CriaWindow      **window,
                        CriaTestServer  **server,
                        char            **url)
{
  if (*app != NULL)
    cria_ui_test_quit_app (app, window);
  cria_ui_test_forget_chats (NULL);

  cria_test_server_stop (*server);
  g_clear_object (server);
  g_clear_pointer (url, g_free);
  g_unsetenv ("OLLAMA_HOST");
}

/* A stand-in for the notification daemon on the session bus of
 * dbus-run-session: GNotification's freedesktop backend talks to it, and
 * the tests read what it was sent. */
typedef struct
{
  GDBusConnection *connection;
  guint            owner_id;
  guint            object_id;
  GPtrArray       *sent;       /* "summary\nbody" */
  guint            n_closed;
} CriaFakeNotifications;

/* Started by CRIA_UI_TEST_INIT_OR_SKIP() */
static CriaFakeNotifications cria_ui_test_notifications;

static inline void
cria_ui_test_notifications_method_cb (GDBusConnection       *connection,
                                      const char            *sender,
                                      const char            *object_path,
                                      const char            *interface_name,
                                      const char            *method_name,
                                      GVariant              *parameters,
                                      GDBusMethodInvocation *invocation,
                                      gpointer               user_data)
{
  CriaFakeNotifications *notifications = user_data;

  if (g_str_equal (method_name, "Notify"))
    {
      const char *summary;
      const char *body;

      g_variant_get (parameters, "(&su&s&s&s@as@a{sv}i)", NULL, NULL, NULL, &summary, &body, NULL, NULL, NULL);
      g_ptr_array_add (notifications->sent, g_strdup_printf ("%s\n%s", summary, body));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notifications->sent->len));
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *capabilities[] = { "body", "actions", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", capabilities));
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(ssss)", "fake", "cria", "1", "1.2"));
    }
  else
    {
      if (g_str_equal (method_name, "CloseNotification"))
        notifications->n_closed++;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
}

/* Owns org.freedesktop.Notifications; leaves @notifications' connection
 * %NULL without a session bus */
static inline void
cria_ui_test_start_fake_notifications (CriaFakeNotifications *notifications)
{
  static const GDBusInterfaceVTable vtable = { cria_ui_test_notifications_method_cb, NULL, NULL, { 0 } };
  static const char xml[] =
    "<node>"
    "  <interface name='org.freedesktop.Notifications'>"
    "    <method name='Notify'>"
    "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
    "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
    "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
    "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
    "      <arg type='u' direction='out'/>"
    "    </method>"
    "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
    "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
    "    <method name='GetServerInformation'>"
    "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
    "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
    "    </method>"
    "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
    "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
    "  </interface>"
    "</node>";
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  notifications->sent = g_ptr_array_new_with_free_func (g_free);
  notifications->connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (notifications->connection == NULL)
    return;

  info = g_dbus_node_info_new_for_xml (xml, &error);
  g_assert_no_error (error);
  notifications->object_id = g_dbus_connection_register_object (notifications->connection,
                                                                "/org/freedesktop/Notifications",
                                                                info->interfaces[0],
                                                                &vtable, notifications, NULL, &error);
  g_assert_no_error (error);
  notifications->owner_id = g_bus_own_name_on_connection (notifications->connection,
                                                          "org.freedesktop.Notifications",
                                                          G_BUS_NAME_OWNER_FLAGS_NONE,
                                                          NULL, NULL, NULL, NULL);
}

G_END_DECLS
