/* test-persistence.c: chats survive a quit and a relaunch
 *
 * The real application and window against the Ollama simulator, with the
 * chat store in a temporary $XDG_DATA_HOME: send, quit, relaunch and find
 * the chat again; a new chat (Ctrl+N) is the one reopened next time; a
 * damaged chat file is moved aside with a toast, and chatting goes on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "cria-application.h"
#include "cria-composer-private.h"
#include "cria-message-row.h"
#include "cria-settings.h"
#include "cria-test-server.h"
#include "cria-window.h"
#include "cria-window-private.h"
#include "ui-test-utils.h"

typedef struct
{
  CriaTestServer  *server;
  char            *url;
  CriaApplication *app;
  CriaWindow      *window;
  GSettings       *settings;
} Fixture;

static const char * const completion[] = { "completion", NULL };

static guint n_apps;

static void
start_app (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *app_id = g_strdup_printf ("%s.Persistence%u", APP_ID, ++n_apps);

  f->app = cria_application_new ();
  g_application_set_application_id (G_APPLICATION (f->app), app_id);
  g_application_set_flags (G_APPLICATION (f->app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (f->app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (f->app));

  f->window = CRIA_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_nonnull (f->window);
}

/* What quitting does: the window closes, the backends stop, the store
 * writes what it tracks and closes */
static void
quit_app (Fixture *f)
{
  GListModel *registry;

  if (f->window != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
      gtk_window_destroy (GTK_WINDOW (f->window));
      cria_test_wait_until (f->window == NULL);
    }

  registry = G_LIST_MODEL (cria_application_get_registry (f->app));
  for (guint i = 0; i < g_list_model_get_n_items (registry); i++)
    {
      g_autoptr(CriaBackend) backend = g_list_model_get_item (registry, i);

      cria_backend_stop (backend);
    }

  if (cria_application_get_store (f->app) != NULL)
    cria_chat_store_close (cria_application_get_store (f->app));

  g_clear_object (&f->app);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->settings = g_settings_new (APP_ID);
  g_settings_reset (f->settings, CRIA_SETTINGS_KEY_BACKENDS);
  g_settings_reset (f->settings, CRIA_SETTINGS_KEY_LAST_MODEL);
  g_settings_reset (f->settings, CRIA_SETTINGS_KEY_LAST_BACKEND);

  f->server = cria_test_server_new ();
  cria_test_server_clear_models (f->server);
  cria_test_server_add_model (f->server, "llama3.2:latest", completion);
  cria_test_server_add_model (f->server, "gemma3:4b", completion);
  g_assert_true (cria_test_server_start (f->server, 0, &error));
  g_assert_no_error (error);
  f->url = cria_test_server_dup_url (f->server);

  g_setenv ("OLLAMA_HOST", f->url, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->app != NULL)
    quit_app (f);

  cria_ui_test_forget_chats (NULL);

  cria_test_server_stop (f->server);
  g_clear_object (&f->server);
  g_clear_object (&f->settings);
  g_clear_pointer (&f->url, g_free);
  g_unsetenv ("OLLAMA_HOST");
}

/* Helpers --------------------------------------------------------------- */

static CriaChatSession *
get_session (Fixture *f)
{
  return cria_window_get_session (f->window);
}

static void
wait_for_chat (Fixture *f)
{
  cria_test_wait_until (g_strcmp0 (gtk_stack_get_visible_child_name (f->window->stack), "chat") == 0);
  cria_test_wait_until (cria_chat_session_can_send (get_session (f)));
}

static void
type_and_send (Fixture    *f,
               const char *text)
{
  CriaComposer *composer = cria_chat_page_get_composer (f->window->chat_page);
  GtkWidget *text_view = cria_composer_get_text_view (composer);

  gtk_widget_grab_focus (text_view);
  cria_composer_set_text (composer, text);
  g_assert_true (cria_ui_test_press_key (text_view, GDK_KEY_Return, 0));
}

static void
send_and_wait (Fixture    *f,
               const char *text)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (get_session (f)));

  type_and_send (f, text);
  cria_test_wait_until (g_list_model_get_n_items (G_LIST_MODEL (get_session (f))) == n_items + 2);
  cria_test_wait_until (!cria_chat_session_get_busy (get_session (f)));
}

static CriaChatMessage *
get_message (Fixture *f,
             guint    position)
{
  g_autoptr(CriaChatMessage) message = g_list_model_get_item (G_LIST_MODEL (get_session (f)), position);

  g_assert_nonnull (message);

  return message; /* the session keeps it */
}

static gboolean
page_shows (Fixture         *f,
            CriaChatMessage *message)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  cria_ui_test_collect (GTK_WIDGET (f->window->chat_page), CRIA_TYPE_MESSAGE_ROW, rows);

  for (guint i = 0; i < rows->len; i++)
    {
      if (cria_message_row_get_message (g_ptr_array_index (rows, i)) == message)
        return TRUE;
    }

  return FALSE;
}

static guint
n_stored_chats (Fixture *f)
{
  return g_list_model_get_n_items (cria_chat_store_get_chats (cria_application_get_store (f->app)));
}

static const char *
selected_model_name (Fixture *f)
{
  CriaModel *model = gtk_drop_down_get_selected_item (f->window->model_dropdown);

  return model ? cria_model_get_name (model) : NULL;
}

static guint
model_position (Fixture    *f,
                const char *name)
{
  GListModel *models = gtk_drop_down_get_model (f->window->model_dropdown);

  for (guint i = 0; i < g_list_model_get_n_items (models); i++)
    {
      g_autoptr(CriaModel) model = g_list_model_get_item (models, i);

      if (g_strcmp0 (cria_model_get_name (model), name) == 0)
        return i;
    }

  g_assert_not_reached ();
}

/* Tests ----------------------------------------------------------------- */

static void
test_relaunch (Fixture       *f,
               gconstpointer  data)
{
  const char *reply_text = "Hello! I will remember this.";
  CriaChatMessage *question;
  CriaChatMessage *reply;

  start_app (f);
  wait_for_chat (f);
  g_assert_null (_cria_window_get_last_toast (f->window));

  /* A chat is stored with its first message, not before */
  g_assert_cmpuint (n_stored_chats (f), ==, 0);

  gtk_drop_down_set_selected (f->window->model_dropdown, model_position (f, "gemma3:4b"));
  cria_test_server_set_reply (f->server, reply_text, NULL);
  send_and_wait (f, "Remember me");
  g_assert_cmpint (cria_chat_message_get_state (get_message (f, 1)), ==, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_cmpuint (n_stored_chats (f), ==, 1);

  quit_app (f);

  /* The model to start with is another one: the chat keeps its own */
  g_settings_set_string (f->settings, CRIA_SETTINGS_KEY_LAST_MODEL, "llama3.2:latest");

  start_app (f);
  wait_for_chat (f);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (get_session (f))), ==, 2);
  question = get_message (f, 0);
  reply = get_message (f, 1);
  g_assert_cmpint (cria_chat_message_get_role (question), ==, CRIA_MESSAGE_ROLE_USER);
  g_assert_cmpstr (cria_chat_message_get_content (question), ==, "Remember me");
  g_assert_cmpint (cria_chat_message_get_role (reply), ==, CRIA_MESSAGE_ROLE_ASSISTANT);
  g_assert_cmpstr (cria_chat_message_get_content (reply), ==, reply_text);
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_COMPLETE);
  cria_test_wait_until (page_shows (f, question) && page_shows (f, reply));

  g_assert_cmpstr (selected_model_name (f), ==, "gemma3:4b");
  g_assert_cmpstr (cria_chat_session_get_model (get_session (f)), ==, "gemma3:4b");

  /* The conversation goes on in the same chat */
  send_and_wait (f, "Still there?");
  g_assert_cmpuint (n_stored_chats (f), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (get_session (f))), ==, 4);
}

static void
test_new_chat (Fixture       *f,
               gconstpointer  data)
{
  CriaChatSession *first;
  gint64 first_id;

  start_app (f);
  wait_for_chat (f);

  send_and_wait (f, "First chat");
  first = get_session (f);
  first_id = cria_chat_session_get_chat_id (first);
  g_assert_cmpint (first_id, >, 0);

  /* Ctrl+N empties the view; nothing is stored until a message is sent */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL);
  g_assert_true (get_session (f) != first);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (get_session (f))), ==, 0);
  g_assert_cmpint (cria_chat_session_get_chat_id (get_session (f)), ==, 0);
  g_assert_true (cria_chat_page_get_session (f->window->chat_page) == get_session (f));
  g_assert_true (cria_chat_session_can_send (get_session (f)));
  g_assert_cmpuint (n_stored_chats (f), ==, 1);

  /* Again on an empty chat: nothing changes */
  first = get_session (f);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL);
  g_assert_true (get_session (f) == first);

  send_and_wait (f, "Second chat");
  g_assert_cmpuint (n_stored_chats (f), ==, 2);
  g_assert_cmpint (cria_chat_session_get_chat_id (get_session (f)), !=, first_id);

  quit_app (f);
  start_app (f);
  wait_for_chat (f);

  /* The newest chat is the one reopened */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (get_session (f))), ==, 2);
  g_assert_cmpstr (cria_chat_message_get_content (get_message (f, 0)), ==, "Second chat");
  g_assert_cmpint (cria_chat_message_get_state (get_message (f, 1)), ==, CRIA_MESSAGE_STATE_COMPLETE);
}

static void
test_corrupt_file (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), APP_ID, NULL);
  g_autofree char *path = g_build_filename (folder, "cria.db", NULL);
  g_autoptr(GError) error = NULL;
  const char *recovered_from;
  const char *toast;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_file_set_contents (path, "This is not a database, it is garbage. 0123456789abcdef", -1, &error);
  g_assert_no_error (error);

  /* Cria starts all the same, and says what happened */
  start_app (f);
  g_assert_nonnull (cria_application_get_store (f->app));
  recovered_from = cria_chat_store_get_recovered_from (cria_application_get_store (f->app));
  g_assert_nonnull (recovered_from);
  g_assert_true (g_file_test (recovered_from, G_FILE_TEST_EXISTS));

  toast = _cria_window_get_last_toast (f->window);
  g_assert_nonnull (toast);
  g_assert_nonnull (strstr (toast, "damaged"));
  g_assert_nonnull (strstr (toast, recovered_from));
  g_assert_nonnull (strstr (toast, "new one was started"));

  /* and chats are saved in the new file */
  wait_for_chat (f);
  send_and_wait (f, "Hello after the damage");
  g_assert_cmpint (cria_chat_message_get_state (get_message (f, 1)), ==, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_cmpuint (n_stored_chats (f), ==, 1);

  quit_app (f);
  start_app (f);
  wait_for_chat (f);
  g_assert_null (_cria_window_get_last_toast (f->window));
  g_assert_cmpstr (cria_chat_message_get_content (get_message (f, 0)), ==, "Hello after the damage");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_dir = cria_ui_test_isolate_data_dir ();
  int ret;

  CRIA_UI_TEST_INIT_OR_SKIP (&argc, &argv);

  g_test_add ("/cria/persistence/relaunch", Fixture, NULL, fixture_setup, test_relaunch, fixture_teardown);
  g_test_add ("/cria/persistence/new-chat", Fixture, NULL, fixture_setup, test_new_chat, fixture_teardown);
  g_test_add ("/cria/persistence/corrupt-file", Fixture, NULL, fixture_setup, test_corrupt_file, fixture_teardown);

  ret = g_test_run ();
  cria_ui_test_remove_tree (data_dir);

  return ret;
}
