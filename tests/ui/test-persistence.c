/* test-persistence.c: chats survive a quit and a relaunch, and the
 * sidebar lists them
 *
 * The real application and window against the Ollama simulator, with the
 * chat store in a temporary $XDG_DATA_HOME: send, quit, relaunch and find
 * the chat again; a new chat (Ctrl+N) is the one reopened next time; a
 * damaged chat file is moved aside with a toast, and chatting goes on.
 *
 * The sidebar: chats newest first with their title and model, opening one
 * (also after a relaunch), a reply that keeps streaming in a chat left,
 * rename, pin, delete with and without undo, search and its jump to the
 * message, export then import, and the notification of a reply finished
 * while the window is in the background.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include <gtk/gtk.h>

#include "cria-application.h"
#include "cria-chat-list-private.h"
#include "cria-chat-row-private.h"
#include "cria-composer-private.h"
#include "cria-message-row.h"
#include "cria-message-row-private.h"
#include "cria-settings.h"
#include "cria-test-markdown.h"
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

static void
start_app (Fixture *f)
{
  f->app = cria_ui_test_start_app (&f->window);
}

static void
quit_app (Fixture *f)
{
  cria_ui_test_quit_app (&f->app, &f->window);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->settings = cria_ui_test_reset_settings ();

  f->server = cria_test_server_new ();
  cria_test_server_clear_models (f->server);
  cria_test_server_add_model (f->server, "llama3.2:latest", completion);
  cria_test_server_add_model (f->server, "gemma3:4b", completion);
  f->url = cria_ui_test_start_server (f->server);

  g_setenv ("OLLAMA_HOST", f->url, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cria_ui_test_tear_down (&f->app, &f->window, &f->server, &f->url);
  g_clear_object (&f->settings);
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
  cria_ui_test_wait_for_chat (f->window);
}

/* The scrolled window of the chat page's messages */
static GtkScrolledWindow *
get_scroller (Fixture *f)
{
  return GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (cria_chat_page_get_list_view (f->window->chat_page)),
                                                       GTK_TYPE_SCROLLED_WINDOW));
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

/* From a long chat scrolled to its end to a new, empty one: GTK 4.8's list
 * warns when it has to clamp an empty list's scroll position, which the
 * tests' fatal warnings turn into a failure */
static void
test_new_chat_after_long (Fixture       *f,
                          gconstpointer  data)
{
  GtkAdjustment *vadj;

  start_app (f);
  wait_for_chat (f);

  cria_test_server_set_generated_reply (f->server, 1500);
  send_and_wait (f, "A long one");
  vadj = gtk_scrolled_window_get_vadjustment (get_scroller (f));
  cria_test_wait_until (gtk_adjustment_get_value (vadj) > 0 &&
                        gtk_adjustment_get_value (vadj) >= gtk_adjustment_get_upper (vadj) -
                                                           gtk_adjustment_get_page_size (vadj) - 1);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (get_session (f))), ==, 0);
  cria_test_run_for (300);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadj), ==, 0);
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

/* The sidebar ----------------------------------------------------------- */

static GListModel *
sidebar_model (Fixture *f)
{
  return G_LIST_MODEL (gtk_list_view_get_model (_cria_chat_list_get_list_view (f->window->chat_list)));
}

static CriaChatInfo *
sidebar_info (Fixture *f,
              guint    position)
{
  g_autoptr(CriaChatInfo) info = g_list_model_get_item (sidebar_model (f), position);

  g_assert_nonnull (info);

  return info; /* the store keeps it */
}

/* The row the sidebar shows for the chat at @position, once drawn */
static CriaChatRow *
find_sidebar_row (Fixture *f,
                  guint    position)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  CriaChatInfo *info = sidebar_info (f, position);

  cria_ui_test_collect (GTK_WIDGET (_cria_chat_list_get_list_view (f->window->chat_list)),
                        CRIA_TYPE_CHAT_ROW, rows);

  for (guint i = 0; i < rows->len; i++)
    {
      if (cria_chat_row_get_info (g_ptr_array_index (rows, i)) == info)
        return g_ptr_array_index (rows, i);
    }

  return NULL;
}

static const char *
sidebar_title (Fixture *f,
               guint    position)
{
  CriaChatRow *row;

  cria_test_wait_until (find_sidebar_row (f, position) != NULL);
  row = find_sidebar_row (f, position);

  return gtk_label_get_text (_cria_chat_row_get_title_label (row));
}

static const char *
sidebar_subtitle (Fixture *f,
                  guint    position)
{
  CriaChatRow *row;

  cria_test_wait_until (find_sidebar_row (f, position) != NULL);
  row = find_sidebar_row (f, position);

  return gtk_label_get_text (_cria_chat_row_get_subtitle_label (row));
}

static guint
sidebar_selected (Fixture *f)
{
  return gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (sidebar_model (f)));
}

/* What a click on the row does */
static void
choose_in_sidebar (Fixture *f,
                   guint    position)
{
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (sidebar_model (f)), position, TRUE);
}

static void
activate_on_chat (Fixture    *f,
                  const char *action,
                  gint64      chat_id)
{
  gtk_widget_activate_action (GTK_WIDGET (f->window), action, "x", chat_id);
}

/* Activates the item of the row's menu labelled @label, as a click on it
 * does: its window action, with its target */
static void
activate_row_menu_item (CriaChatRow *row,
                        const char  *label)
{
  GMenuModel *menu = gtk_menu_button_get_menu_model (_cria_chat_row_get_menu_button (row));

  g_assert_nonnull (menu);

  for (int s = 0; s < g_menu_model_get_n_items (menu); s++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, s, G_MENU_LINK_SECTION);

      for (int i = 0; section != NULL && i < g_menu_model_get_n_items (section); i++)
        {
          g_autofree char *item_label = NULL;
          g_autofree char *action = NULL;
          g_autoptr(GVariant) target = NULL;

          g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_LABEL, "s", &item_label);
          if (g_strcmp0 (item_label, label) != 0)
            continue;

          g_menu_model_get_item_attribute (section, i, G_MENU_ATTRIBUTE_ACTION, "s", &action);
          target = g_menu_model_get_item_attribute_value (section, i, G_MENU_ATTRIBUTE_TARGET, NULL);
          g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (row), action, target));
          return;
        }
    }

  g_error ("No menu item “%s”", label);
}

static const char *
sidebar_page (Fixture *f)
{
  return gtk_stack_get_visible_child_name (_cria_chat_list_get_stack (f->window->chat_list));
}

static void
test_format_time (void)
{
  g_autoptr(GDateTime) now_dt = g_date_time_new_local (2026, 3, 10, 12, 0, 0);
  gint64 now = g_date_time_to_unix (now_dt) * G_USEC_PER_SEC;
  struct {
    int         year, month, day, hour, minute, second;
    const char *expected;
  } cases[] = {
    { 2026, 3, 10, 11, 59, 30, "Just now" },
    { 2026, 3, 10, 12, 0, 0, "Just now" },
    { 2026, 3, 10, 11, 59, 0, "1 minute ago" },
    { 2026, 3, 10, 11, 55, 0, "5 minutes ago" },
    { 2026, 3, 10, 9, 0, 0, "3 hours ago" },
    { 2026, 3, 10, 0, 5, 0, "11 hours ago" },
    { 2026, 3, 9, 23, 30, 0, "Yesterday" },
    { 2026, 3, 9, 6, 0, 0, "Yesterday" },
    { 2026, 3, 6, 18, 0, 0, "Friday" },
    { 2026, 1, 2, 8, 0, 0, "January 2" },
    { 2025, 12, 31, 8, 0, 0, "December 31, 2025" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) then = g_date_time_new_local (cases[i].year, cases[i].month, cases[i].day,
                                                         cases[i].hour, cases[i].minute, cases[i].second);
      g_autofree char *text = cria_chat_row_format_time (g_date_time_to_unix (then) * G_USEC_PER_SEC, now);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_snippet_markup (void)
{
  g_autoptr(GArray) matches = g_array_new (FALSE, FALSE, sizeof (CriaChatSearchMatch));
  CriaChatSearchMatch match;
  char *markup;

  /* Escaped around the matches and in them */
  match.start = 4;
  match.length = 5;
  g_array_append_val (matches, match);
  match.start = 14;
  match.length = 3;
  g_array_append_val (matches, match);
  markup = _cria_chat_list_dup_snippet_markup ("<b> zebra & a <i>…", matches);
  g_assert_cmpstr (markup, ==, "&lt;b&gt; <b>zebra</b> &amp; a <b>&lt;i&gt;</b>…");
  g_free (markup);

  /* A match out of the text is left out */
  match.start = 30;
  match.length = 2;
  g_array_append_val (matches, match);
  markup = _cria_chat_list_dup_snippet_markup ("<b> zebra & a <i>…", matches);
  g_assert_cmpstr (markup, ==, "&lt;b&gt; <b>zebra</b> &amp; a <b>&lt;i&gt;</b>…");
  g_free (markup);
}

static void
test_sidebar (Fixture       *f,
              gconstpointer  data)
{
  gint64 first_id;

  start_app (f);
  wait_for_chat (f);

  /* No chat yet */
  g_assert_cmpstr (sidebar_page (f), ==, "empty");

  gtk_drop_down_set_selected (f->window->model_dropdown, model_position (f, "gemma3:4b"));
  send_and_wait (f, "Apples and pears");
  first_id = cria_chat_session_get_chat_id (get_session (f));
  g_assert_cmpstr (sidebar_page (f), ==, "chats");
  g_assert_cmpuint (g_list_model_get_n_items (sidebar_model (f)), ==, 1);
  g_assert_cmpstr (sidebar_title (f, 0), ==, "Apples and pears");
  g_assert_cmpstr (sidebar_subtitle (f, 0), ==, "gemma3:4b · Just now");
  g_assert_cmpuint (sidebar_selected (f), ==, 0);

  /* A new chat is not listed before its first message, then on top */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL);
  g_assert_cmpuint (sidebar_selected (f), ==, GTK_INVALID_LIST_POSITION);
  g_assert_cmpuint (g_list_model_get_n_items (sidebar_model (f)), ==, 1);

  gtk_drop_down_set_selected (f->window->model_dropdown, model_position (f, "llama3.2:latest"));
  send_and_wait (f, "Bananas");
  g_assert_cmpuint (g_list_model_get_n_items (sidebar_model (f)), ==, 2);
  g_assert_cmpstr (sidebar_title (f, 0), ==, "Bananas");
  g_assert_cmpstr (sidebar_subtitle (f, 0), ==, "llama3.2 · Just now");
  g_assert_cmpstr (sidebar_title (f, 1), ==, "Apples and pears");
  g_assert_cmpuint (sidebar_selected (f), ==, 0);

  /* Choosing the other one opens it, with its model */
  choose_in_sidebar (f, 1);
  g_assert_cmpint (cria_chat_session_get_chat_id (get_session (f)), ==, first_id);
  g_assert_cmpstr (cria_chat_message_get_content (get_message (f, 0)), ==, "Apples and pears");
  cria_test_wait_until (page_shows (f, get_message (f, 1)));
  g_assert_cmpstr (selected_model_name (f), ==, "gemma3:4b");
  g_assert_cmpuint (sidebar_selected (f), ==, 1);

  /* Talking in it makes it the most recent */
  send_and_wait (f, "And plums?");
  g_assert_cmpstr (sidebar_title (f, 0), ==, "Apples and pears");
  g_assert_cmpuint (sidebar_selected (f), ==, 0);

  /* After a relaunch, the chats are listed and open with their messages */
  quit_app (f);
  start_app (f);
  wait_for_chat (f);
  g_assert_cmpuint (g_list_model_get_n_items (sidebar_model (f)), ==, 2);
  g_assert_cmpstr (sidebar_title (f, 0), ==, "Apples and pears");
  g_assert_cmpstr (sidebar_title (f, 1), ==, "Bananas");
  g_assert_cmpuint (sidebar_selected (f), ==, 0);

  choose_in_sidebar (f, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (get_session (f))), ==, 2);
  g_assert_cmpstr (cria_chat_message_get_content (get_message (f, 0)), ==, "Bananas");
  cria_test_wait_until (page_shows (f, get_message (f, 0)) && page_shows (f, get_message (f, 1)));
  g_assert_cmpstr (selected_model_name (f), ==, "llama3.2:latest");
}

static void
test_keep_streaming (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CriaChatSession) streaming = NULL;
  gint64 streaming_id;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GError) error = NULL;
  CriaChatMessage *reply;

  start_app (f);
  wait_for_chat (f);
  send_and_wait (f, "First chat");

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL);
  cria_test_server_set_generated_reply (f->server, 60);
  cria_test_server_set_tokens_per_second (f->server, 40);
  type_and_send (f, "A long story, please");
  cria_test_wait_until (cria_chat_session_get_busy (get_session (f)) &&
                        cria_chat_session_get_chat_id (get_session (f)) > 0);
  streaming = g_object_ref (get_session (f));
  streaming_id = cria_chat_session_get_chat_id (streaming);

  /* Looking at another chat does not stop the reply */
  choose_in_sidebar (f, 1);
  g_assert_true (get_session (f) != streaming);
  g_assert_true (cria_chat_session_get_busy (streaming));
  cria_test_run_for (200);
  g_assert_cmpuint (cria_test_server_get_cancellations (f->server), ==, 0);

  /* Back to it: the same conversation, still streaming */
  choose_in_sidebar (f, 0);
  g_assert_true (get_session (f) == streaming);
  choose_in_sidebar (f, 1);

  /* It ends, and is saved, in the background */
  cria_test_wait_until (!cria_chat_session_get_busy (streaming));
  g_assert_cmpuint (cria_test_server_get_cancellations (f->server), ==, 0);
  stored = cria_chat_store_load_messages (cria_application_get_store (f->app), streaming_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 2);
  reply = g_ptr_array_index (stored, 1);
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_COMPLETE);
  g_assert_cmpuint (cria_chat_message_get_content_length (reply), >, 0);
  g_clear_pointer (&stored, g_ptr_array_unref);

  /* Quitting stops a reply streaming in the background; what arrived stays */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL);
  cria_test_server_set_generated_reply (f->server, 600);
  type_and_send (f, "An even longer story");
  cria_test_wait_until (g_list_model_get_n_items (G_LIST_MODEL (get_session (f))) == 2 &&
                        cria_chat_message_get_content_length (get_message (f, 1)) > 0);
  streaming_id = cria_chat_session_get_chat_id (get_session (f));
  choose_in_sidebar (f, 1);
  g_assert_cmpint (cria_chat_session_get_chat_id (get_session (f)), !=, streaming_id);

  quit_app (f);
  start_app (f);
  stored = cria_chat_store_load_messages (cria_application_get_store (f->app), streaming_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 2);
  reply = g_ptr_array_index (stored, 1);
  g_assert_cmpint (cria_chat_message_get_state (reply), ==, CRIA_MESSAGE_STATE_INCOMPLETE);
  g_assert_cmpuint (cria_chat_message_get_content_length (reply), >, 0);
}

static void
test_rename (Fixture       *f,
             gconstpointer  data)
{
  AdwMessageDialog *dialog;
  GtkEditable *entry;
  gint64 chat_id;

  start_app (f);
  wait_for_chat (f);
  send_and_wait (f, "Old title");
  chat_id = cria_chat_session_get_chat_id (get_session (f));

  activate_row_menu_item (find_sidebar_row (f, 0), "_Rename…");
  cria_test_wait_until (cria_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG) != NULL);
  dialog = cria_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
  entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "Old title");

  /* A blank title cannot be chosen */
  gtk_editable_set_text (entry, "   ");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "rename"));

  gtk_editable_set_text (entry, "  A <better> title ");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "rename"));
  adw_message_dialog_response (dialog, "rename");
  gtk_window_destroy (GTK_WINDOW (dialog));

  g_assert_cmpstr (cria_chat_info_get_title (cria_chat_store_lookup_chat (cria_application_get_store (f->app), chat_id)),
                   ==, "A <better> title");
  g_assert_cmpstr (sidebar_title (f, 0), ==, "A <better> title");

  /* Cancel changes nothing */
  activate_on_chat (f, "win.rename-chat", chat_id);
  cria_test_wait_until (cria_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG) != NULL);
  dialog = cria_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "Nope");
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpstr (sidebar_title (f, 0), ==, "A <better> title");

  quit_app (f);
  start_app (f);
  g_assert_cmpstr (sidebar_title (f, 0), ==, "A <better> title");
}

static void
test_pin (Fixture       *f,
          gconstpointer  data)
{
  gint64 first_id;
  CriaChatRow *row;

  start_app (f);
  wait_for_chat (f);
  /* (and the title the simulated model gives a chat: its first words) */
  send_and_wait (f, "Pin me");
  cria_test_wait_until (cria_test_server_get_request_count (f->server, "/api/chat") == 2);
  first_id = cria_chat_session_get_chat_id (get_session (f));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL);
  send_and_wait (f, "Newer");
  cria_test_wait_until (cria_test_server_get_request_count (f->server, "/api/chat") == 4);
  g_assert_cmpstr (sidebar_title (f, 0), ==, "Newer");

  /* Pinned from its menu: on top, with a pin, even under newer chats */
  activate_row_menu_item (find_sidebar_row (f, 1), "_Pin");
  g_assert_cmpint (cria_chat_info_get_id (sidebar_info (f, 0)), ==, first_id);
  g_assert_true (cria_chat_info_get_pinned (sidebar_info (f, 0)));
  g_assert_cmpstr (sidebar_title (f, 0), ==, "Pin me");
  row = find_sidebar_row (f, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_cria_chat_row_get_pin_image (row))));

  send_and_wait (f, "Still newer");
  g_assert_cmpstr (sidebar_title (f, 0), ==, "Pin me");
  /* The current chat stays selected where it went */
  g_assert_cmpuint (sidebar_selected (f), ==, 1);

  /* Unpinned: back by its time */
  activate_row_menu_item (find_sidebar_row (f, 0), "Un_pin");
  g_assert_cmpstr (sidebar_title (f, 0), ==, "Newer");
  g_assert_cmpstr (sidebar_title (f, 1), ==, "Pin me");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_cria_chat_row_get_pin_image (find_sidebar_row (f, 1)))));
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  CriaChatStore *store;
  gint64 first_id;
  gint64 second_id;
  AdwToast *toast;

  start_app (f);
  wait_for_chat (f);
  store = cria_application_get_store (f->app);
  send_and_wait (f, "Keep me");
  first_id = cria_chat_session_get_chat_id (get_session (f));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL);
  send_and_wait (f, "Delete me");
  second_id = cria_chat_session_get_chat_id (get_session (f));

  /* Deleting the open chat: it leaves the list, a new chat takes its place */
  activate_on_chat (f, "win.delete-chat", second_id);
  g_assert_cmpuint (g_list_model_get_n_items (sidebar_model (f)), ==, 1);
  g_assert_cmpstr (sidebar_title (f, 0), ==, "Keep me");
  g_assert_cmpint (cria_chat_session_get_chat_id (get_session (f)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (get_session (f))), ==, 0);
  g_assert_cmpstr (_cria_window_get_last_toast (f->window), ==, "“Delete me” deleted");

  /* Undo: it is back, and open again */
  toast = _cria_window_get_undo_toast (f->window);
  g_assert_nonnull (toast);
  g_assert_cmpstr (adw_toast_get_button_label (toast), ==, "_Undo");
  g_signal_emit_by_name (toast, "button-clicked");
  adw_toast_dismiss (toast);
  g_assert_cmpuint (g_list_model_get_n_items (sidebar_model (f)), ==, 2);
  g_assert_cmpstr (sidebar_title (f, 0), ==, "Delete me");
  g_assert_cmpint (cria_chat_session_get_chat_id (get_session (f)), ==, second_id);
  g_assert_nonnull (cria_chat_store_lookup_chat (store, second_id));

  /* Without undo (from the row's menu): gone for good once the toast goes */
  activate_row_menu_item (find_sidebar_row (f, 1), "_Delete");
  g_assert_cmpuint (g_list_model_get_n_items (sidebar_model (f)), ==, 1);
  g_assert_cmpint (cria_chat_session_get_chat_id (get_session (f)), ==, second_id);
  g_assert_nonnull (cria_chat_store_lookup_chat (store, first_id));
  toast = _cria_window_get_undo_toast (f->window);
  adw_toast_dismiss (toast);
  g_assert_null (cria_chat_store_lookup_chat (store, first_id));

  /* Quitting while the toast still offers to undo: the chat is gone at
   * the next start (deleted when the toast goes with the window, or
   * dropped from the trash by the store) */
  activate_on_chat (f, "win.delete-chat", second_id);
  g_assert_cmpstr (sidebar_page (f), ==, "empty");
  quit_app (f);
  start_app (f);
  g_assert_cmpuint (n_stored_chats (f), ==, 0);
  g_assert_null (cria_chat_store_lookup_chat (cria_application_get_store (f->app), second_id));
  g_assert_cmpstr (sidebar_page (f), ==, "empty");
}

/* A long chat whose first exchange mentions zebras, and a short one */
static gint64
store_long_chat (Fixture *f)
{
  g_autoptr(CriaChatStore) store = cria_chat_store_new (NULL);
  g_autoptr(GError) error = NULL;
  gint64 chat_id;
  gint64 other_id;

  g_assert_true (cria_chat_store_open (store, &error));
  g_assert_no_error (error);

  chat_id = cria_chat_store_create_chat (store, "Animals", f->url, "llama3.2:latest", NULL, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *text = NULL;
      g_autoptr(CriaChatMessage) message = NULL;

      if (i == 3)
        text = g_strdup ("Striped horses are called zebras, and they live in Africa.");
      else
        text = g_strdup_printf ("Message number %u about animals in general, with enough words "
                                "to take a few lines of the window when it is shown.", i);

      message = cria_chat_message_new (i % 2 ? CRIA_MESSAGE_ROLE_ASSISTANT : CRIA_MESSAGE_ROLE_USER, text);
      if (i % 2)
        {
          cria_chat_message_set_model (message, "llama3.2:latest");
          cria_chat_message_set_state (message, CRIA_MESSAGE_STATE_COMPLETE);
        }
      cria_chat_store_append_message (store, chat_id, message, &error);
      g_assert_no_error (error);
    }

  other_id = cria_chat_store_create_chat (store, "Cooking", f->url, "llama3.2:latest", NULL, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(CriaChatMessage) message = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, "How long to boil an egg?");

    cria_chat_store_append_message (store, other_id, message, &error);
    g_assert_no_error (error);
  }

  cria_chat_store_close (store);

  return chat_id;
}

/* The row showing the message at @position, if one does */
static GtkWidget *
find_message_row (Fixture *f,
                  guint    position)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  CriaChatMessage *message = get_message (f, position);
  GtkWidget *list_view = GTK_WIDGET (cria_chat_page_get_list_view (f->window->chat_page));

  cria_ui_test_collect (list_view, CRIA_TYPE_MESSAGE_ROW, rows);

  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);

      if (cria_message_row_get_message (CRIA_MESSAGE_ROW (row)) == message)
        return row;
    }

  return NULL;
}

/* Whether the message row at @position is within the visible part of the
 * chat page */
static gboolean
message_in_view (Fixture *f,
                 guint    position)
{
  GtkWidget *row = find_message_row (f, position);
  GtkWidget *scroller = GTK_WIDGET (get_scroller (f));
  graphene_rect_t bounds;

  if (row == NULL || !gtk_widget_get_mapped (row) || !gtk_widget_compute_bounds (row, scroller, &bounds))
    return FALSE;

  return bounds.origin.y + bounds.size.height > 0 &&
         bounds.origin.y < gtk_widget_get_height (scroller);
}

/* How many message rows have the search-hit class */
static guint
count_highlighted_rows (Fixture *f)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  GtkWidget *list_view = GTK_WIDGET (cria_chat_page_get_list_view (f->window->chat_page));
  guint n = 0;

  cria_ui_test_collect (list_view, CRIA_TYPE_MESSAGE_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    n += gtk_widget_has_css_class (g_ptr_array_index (rows, i), "search-hit");

  return n;
}

/* The reply at @position shows its text, in view */
static gboolean
reply_shown_in_view (Fixture *f,
                     guint    position)
{
  GtkWidget *row = find_message_row (f, position);
  g_autofree char *text = NULL;

  if (row == NULL || !message_in_view (f, position))
    return FALSE;

  text = _cria_message_row_dup_content_text (CRIA_MESSAGE_ROW (row));

  return *text != '\0';
}

/* A long chat of Markdown replies, code blocks and tables among them,
 * opened: it shows its end at once, and its start when scrolled to */
static void
test_open_long_chat (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CriaChatStore) store = cria_chat_store_new (NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(GError) error = NULL;
  GtkAdjustment *vadj;
  gint64 chat_id;
  guint n = 600;

  g_assert_true (cria_chat_store_open (store, &error));
  chat_id = cria_chat_store_create_chat (store, "Long", f->url, "llama3.2:latest", NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(CriaChatMessage) message = NULL;

      if (i % 2 == 0)
        g_string_append_printf (text, "Question %u?", i / 2);
      else
        for (guint k = 0; k < 3; k++)
          cria_test_append_markdown_section (text, rand, g_rand_int_range (rand, 0, 8), i * 3 + k);

      message = cria_chat_message_new (i % 2 ? CRIA_MESSAGE_ROLE_ASSISTANT : CRIA_MESSAGE_ROLE_USER, text->str);
      if (i % 2)
        {
          cria_chat_message_set_model (message, "llama3.2:latest");
          cria_chat_message_set_state (message, CRIA_MESSAGE_STATE_COMPLETE);
        }
      cria_chat_store_append_message (store, chat_id, message, &error);
      g_assert_no_error (error);
    }
  cria_chat_store_close (store);

  start_app (f);
  wait_for_chat (f);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "open-chat", g_variant_new_int64 (chat_id));
  g_assert_cmpint (cria_chat_session_get_chat_id (get_session (f)), ==, chat_id);

  /* At its end, the last reply shown (and, with fatal warnings, never a
   * layout the frame clock gave up on) */
  cria_test_wait_until (reply_shown_in_view (f, n - 1));

  /* Flung up a page a frame, rows show their text as they come (under
   * a budget per frame: a frame or two late at worst) */
  vadj = gtk_scrolled_window_get_vadjustment (get_scroller (f));
  for (guint i = 0; i < 60; i++)
    {
      gint64 frame = gdk_frame_clock_get_frame_counter (gtk_widget_get_frame_clock (GTK_WIDGET (f->window)));

      gtk_adjustment_set_value (vadj, gtk_adjustment_get_value (vadj) - gtk_adjustment_get_page_size (vadj));
      cria_test_wait_until (gdk_frame_clock_get_frame_counter (gtk_widget_get_frame_clock (GTK_WIDGET (f->window))) > frame);
    }

  /* At its start, once scrolled there, however the list's height was
   * estimated */
  cria_test_wait_until ((gtk_adjustment_set_value (vadj, 0), reply_shown_in_view (f, 1)));

  /* And back at the end */
  cria_test_wait_until ((gtk_adjustment_set_value (vadj, gtk_adjustment_get_upper (vadj)),
                         reply_shown_in_view (f, n - 1)));
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  gint64 chat_id = store_long_chat (f);
  GtkSearchEntry *entry;
  GtkListBox *results;
  GtkListBoxRow *row;
  guint n_searches;

  start_app (f);
  wait_for_chat (f);
  entry = _cria_chat_list_get_search_entry (f->window->chat_list);
  results = _cria_chat_list_get_results_box (f->window->chat_list);

  /* The newest chat opens, at its end */
  g_assert_cmpint (cria_chat_session_get_chat_id (get_session (f)), !=, chat_id);

  /* Ctrl+F: the entry, with the focus */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.search", NULL);
  g_assert_true (cria_chat_list_get_search_mode (f->window->chat_list));
  cria_test_wait_until (gtk_widget_has_focus (GTK_WIDGET (entry)) ||
                        gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)), GTK_WIDGET (entry)));

  /* Words found in a message */
  n_searches = _cria_chat_list_get_n_searches (f->window->chat_list);
  gtk_editable_set_text (GTK_EDITABLE (entry), "zebras");
  cria_test_wait_until (_cria_chat_list_get_n_searches (f->window->chat_list) > n_searches);
  g_assert_cmpstr (sidebar_page (f), ==, "results");
  row = gtk_list_box_get_row_at_index (results, 0);
  g_assert_nonnull (row);
  g_assert_null (gtk_list_box_get_row_at_index (results, 1));
  {
    GtkWidget *box = gtk_list_box_row_get_child (row);
    GtkLabel *title = GTK_LABEL (gtk_widget_get_first_child (box));
    GtkLabel *snippet = GTK_LABEL (gtk_widget_get_next_sibling (GTK_WIDGET (title)));

    g_assert_cmpstr (gtk_label_get_text (title), ==, "Animals");
    g_assert_nonnull (strstr (gtk_label_get_label (snippet), "<b>zebras</b>"));
  }

  /* Enter opens the chat at the message */
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpint (cria_chat_session_get_chat_id (get_session (f)), ==, chat_id);
  cria_test_wait_until (message_in_view (f, 3));
  /* …and shows which one it is, on that row alone… */
  g_assert_true (gtk_widget_has_css_class (find_message_row (f, 3), "search-hit"));
  g_assert_cmpuint (count_highlighted_rows (f), ==, 1);
  cria_test_run_for (300);
  g_assert_true (message_in_view (f, 3));
  g_assert_false (message_in_view (f, 39));
  /* (rows recycled while scrolling did not take it along) */
  g_assert_cmpuint (count_highlighted_rows (f), ==,
                    gtk_widget_has_css_class (find_message_row (f, 3), "search-hit"));

  /* …for a moment */
  cria_test_wait_until (count_highlighted_rows (f) == 0);

  /* Nothing found */
  n_searches = _cria_chat_list_get_n_searches (f->window->chat_list);
  gtk_editable_set_text (GTK_EDITABLE (entry), "xylophone");
  cria_test_wait_until (_cria_chat_list_get_n_searches (f->window->chat_list) > n_searches);
  g_assert_cmpstr (sidebar_page (f), ==, "no-results");

  /* Titles too */
  n_searches = _cria_chat_list_get_n_searches (f->window->chat_list);
  gtk_editable_set_text (GTK_EDITABLE (entry), "cooking");
  cria_test_wait_until (_cria_chat_list_get_n_searches (f->window->chat_list) > n_searches);
  row = gtk_list_box_get_row_at_index (results, 0);
  g_assert_nonnull (row);
  g_signal_emit_by_name (row, "activate");
  g_assert_cmpint (cria_chat_session_get_chat_id (get_session (f)), !=, chat_id);
  g_assert_cmpstr (cria_chat_message_get_content (get_message (f, 0)), ==, "How long to boil an egg?");

  /* Escape: the chats again */
  g_signal_emit_by_name (entry, "stop-search");
  g_assert_false (cria_chat_list_get_search_mode (f->window->chat_list));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  g_assert_cmpstr (sidebar_page (f), ==, "chats");
}

static char *
read_file (GFile *file)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_load_contents (file, NULL, &contents, NULL, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

static void
test_export_import (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("cria-export-XXXXXX", &error);
  g_autofree char *json_path = g_build_filename (folder, "chat.json", NULL);
  g_autofree char *md_path = g_build_filename (folder, "chat.md", NULL);
  g_autofree char *bad_path = g_build_filename (folder, "bad.json", NULL);
  g_autoptr(GFile) json_file = g_file_new_for_path (json_path);
  g_autoptr(GFile) md_file = g_file_new_for_path (md_path);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad_path);
  g_autofree char *markdown = NULL;
  gint64 chat_id;

  g_assert_no_error (error);

  start_app (f);
  wait_for_chat (f);
  cria_test_server_set_reply (f->server, "Paris is the capital of France.", NULL);
  send_and_wait (f, "What is the capital of France?");
  chat_id = cria_chat_session_get_chat_id (get_session (f));

  /* Markdown, for people */
  _cria_window_export_chat (f->window, chat_id, CRIA_CHAT_EXPORT_FORMAT_MARKDOWN, md_file);
  cria_test_wait_until (g_strcmp0 (_cria_window_get_last_toast (f->window), "Chat exported") == 0);
  markdown = read_file (md_file);
  g_assert_nonnull (strstr (markdown, "What is the capital of France?"));
  g_assert_nonnull (strstr (markdown, "Paris is the capital of France."));

  /* JSON, which comes back as a new chat, opened */
  g_clear_pointer (&f->window->last_toast, g_free);
  _cria_window_export_chat (f->window, chat_id, CRIA_CHAT_EXPORT_FORMAT_JSON, json_file);
  cria_test_wait_until (g_strcmp0 (_cria_window_get_last_toast (f->window), "Chat exported") == 0);

  _cria_window_import_chat (f->window, json_file);
  cria_test_wait_until (n_stored_chats (f) == 2);
  cria_test_wait_until (cria_chat_session_get_chat_id (get_session (f)) != chat_id);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (get_session (f))), ==, 2);
  g_assert_cmpstr (cria_chat_message_get_content (get_message (f, 0)), ==, "What is the capital of France?");
  g_assert_cmpstr (cria_chat_message_get_content (get_message (f, 1)), ==, "Paris is the capital of France.");
  g_assert_cmpstr (sidebar_title (f, sidebar_selected (f)), ==, "What is the capital of France?");

  /* A file that is no export says so */
  g_file_set_contents (bad_path, "{\"hello\": 1}", -1, &error);
  g_assert_no_error (error);
  _cria_window_import_chat (f->window, bad_file);
  cria_test_wait_until (g_strcmp0 (_cria_window_get_last_toast (f->window),
                                   "This file is not a chat exported from Cria") == 0);
  g_assert_cmpuint (n_stored_chats (f), ==, 2);

  cria_ui_test_remove_tree (folder);
}

static void
test_notification (Fixture       *f,
                   gconstpointer  data)
{
  GtkWidget *other;
  gint64 chat_id;

  g_assert_nonnull (cria_ui_test_notifications.connection);

  start_app (f);
  wait_for_chat (f);
  gtk_drop_down_set_selected (f->window->model_dropdown, model_position (f, "gemma3:4b"));
  /* The reply, then the title the model gives the chat */
  cria_test_server_queue_reply (f->server, "Done.", NULL);
  cria_test_server_queue_reply (f->server, "Waiting for a reply", NULL);
  send_and_wait (f, "Tell me when you are done");
  chat_id = cria_chat_session_get_chat_id (get_session (f));
  cria_test_wait_until (g_strcmp0 (sidebar_title (f, 0), "Waiting for a reply") == 0);

  /* While the window is active, a reply is just there */
  cria_test_wait_until (gtk_window_is_active (GTK_WINDOW (f->window)));
  g_assert_cmpuint (cria_ui_test_notifications.sent->len, ==, 0);

  /* The user is in another window… */
  other = gtk_window_new ();
  gtk_window_present (GTK_WINDOW (other));
  cria_test_wait_until (!gtk_window_is_active (GTK_WINDOW (f->window)));

  /* …when a reply ends: a notification with the chat's title */
  send_and_wait (f, "Again");
  cria_test_wait_until (cria_ui_test_notifications.sent->len == 1);
  g_assert_cmpstr (g_ptr_array_index (cria_ui_test_notifications.sent, 0), ==,
                   "Waiting for a reply\nReply from gemma3:4b is ready");
  /* (the app reads the daemon's answer, the id to withdraw it by) */
  cria_test_run_for (200);

  /* Clicking it opens the chat, from anywhere */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-chat", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (f->app), "open-chat", g_variant_new_int64 (chat_id));
  g_assert_cmpint (cria_chat_session_get_chat_id (get_session (f)), ==, chat_id);

  /* Back in the window, it is withdrawn */
  gtk_window_destroy (GTK_WINDOW (other));
  gtk_window_present (GTK_WINDOW (f->window));
  cria_test_wait_until (gtk_window_is_active (GTK_WINDOW (f->window)));
  cria_test_wait_until (cria_ui_test_notifications.n_closed == 1);
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
  g_test_add ("/cria/persistence/new-chat-after-long", Fixture, NULL, fixture_setup, test_new_chat_after_long, fixture_teardown);
  g_test_add ("/cria/persistence/open-long-chat", Fixture, NULL, fixture_setup, test_open_long_chat, fixture_teardown);
  g_test_add ("/cria/persistence/corrupt-file", Fixture, NULL, fixture_setup, test_corrupt_file, fixture_teardown);
  g_test_add_func ("/cria/chats/format-time", test_format_time);
  g_test_add_func ("/cria/chats/snippet-markup", test_snippet_markup);
  g_test_add ("/cria/chats/sidebar", Fixture, NULL, fixture_setup, test_sidebar, fixture_teardown);
  g_test_add ("/cria/chats/keep-streaming", Fixture, NULL, fixture_setup, test_keep_streaming, fixture_teardown);
  g_test_add ("/cria/chats/rename", Fixture, NULL, fixture_setup, test_rename, fixture_teardown);
  g_test_add ("/cria/chats/pin", Fixture, NULL, fixture_setup, test_pin, fixture_teardown);
  g_test_add ("/cria/chats/delete", Fixture, NULL, fixture_setup, test_delete, fixture_teardown);
  g_test_add ("/cria/chats/search", Fixture, NULL, fixture_setup, test_search, fixture_teardown);
  g_test_add ("/cria/chats/export-import", Fixture, NULL, fixture_setup, test_export_import, fixture_teardown);
  g_test_add ("/cria/chats/notification", Fixture, NULL, fixture_setup, test_notification, fixture_teardown);

  ret = g_test_run ();
  cria_ui_test_remove_tree (data_dir);

  return ret;
}
