/* test-chat-settings.c: the chat settings dialog
 *
 * The real application against the Ollama simulator, with the chat store
 * in a temporary $XDG_DATA_HOME: settings changed in the dialog reach the
 * next request (system message, options, think), stay with the chat after
 * a relaunch, and a title typed there is the chat's from then on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <gtk/gtk.h>

#include "cria-application.h"
#include "cria-chat-settings-dialog-private.h"
#include "cria-chat-store-private.h"
#include "cria-composer-private.h"
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
static const char * const thinking[] = { "completion", "thinking", NULL };

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
  cria_test_server_add_model (f->server, "qwen3:0.6b", thinking);
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

/* Sends @text from the composer and waits for the reply, and for the
 * requests the app makes on its own (a title) to be over */
static void
send_and_wait (Fixture    *f,
               const char *text,
               guint       n_requests)
{
  CriaComposer *composer = cria_chat_page_get_composer (f->window->chat_page);
  GtkWidget *text_view = cria_composer_get_text_view (composer);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (get_session (f)));

  gtk_widget_grab_focus (text_view);
  cria_composer_set_text (composer, text);
  g_assert_true (cria_ui_test_press_key (text_view, GDK_KEY_Return, 0));
  cria_test_wait_until (g_list_model_get_n_items (G_LIST_MODEL (get_session (f))) == n_items + 2);
  cria_test_wait_until (!cria_chat_session_get_busy (get_session (f)));
  cria_test_wait_until (cria_test_server_get_request_count (f->server, "/api/chat") == n_requests &&
                        cria_test_server_get_active_streams (f->server) == 0);
}

static CriaChatSettingsDialog *
open_dialog (Fixture *f)
{
  CriaChatSettingsDialog *dialog;

  g_assert_null (cria_ui_test_find_window (CRIA_TYPE_CHAT_SETTINGS_DIALOG));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "chat-settings"));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.chat-settings", NULL);
  cria_test_wait_until ((dialog = cria_ui_test_find_window (CRIA_TYPE_CHAT_SETTINGS_DIALOG)) != NULL);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_true (cria_chat_settings_dialog_get_session (dialog) == get_session (f));

  return dialog;
}

static void
close_dialog (CriaChatSettingsDialog *dialog)
{
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_close (GTK_WINDOW (dialog));
  cria_test_wait_until (dialog == NULL);
}

static void
set_option (CriaChatSettingsDialog *dialog,
            CriaChatSetting         setting,
            double                  value)
{
  GtkSpinButton *spin = _cria_chat_settings_dialog_get_spin (dialog, setting);

  gtk_switch_set_active (_cria_chat_settings_dialog_get_switch (dialog, setting), TRUE);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (spin)));
  gtk_spin_button_set_value (spin, value);
}

static void
set_system_prompt (CriaChatSettingsDialog *dialog,
                   const char             *text)
{
  GtkTextView *view = _cria_chat_settings_dialog_get_system_view (dialog);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text, -1);
}

static JsonObject *
last_request (Fixture *f)
{
  g_autofree char *body = cria_test_server_dup_last_body (f->server, "/api/chat");
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  root = json_from_string (body, &error);
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (root));
}

static const char *
first_message (JsonObject *request,
               const char *member)
{
  JsonArray *messages = json_object_get_array_member (request, "messages");

  return json_object_get_string_member (json_array_get_object_element (messages, 0), member);
}

/* Every control can be told apart by a screen reader */
static void
assert_named (GtkWidget  *widget,
              const char *name)
{
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, name);
}

/* Tests ----------------------------------------------------------------- */

static void
test_applied_and_kept (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JsonObject) request = NULL;
  CriaChatSettingsDialog *dialog;
  JsonObject *options;
  CriaChatInfo *info;

  g_settings_set_string (f->settings, CRIA_SETTINGS_KEY_LAST_MODEL, "llama3.2:latest");
  start_app (f);
  wait_for_chat (f);
  g_assert_cmpstr (cria_chat_session_get_model (get_session (f)), ==, "llama3.2:latest");

  /* Before the first message there is no chat to rename yet */
  dialog = open_dialog (f);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_cria_chat_settings_dialog_get_title_group (dialog))));
  /* llama3.2 cannot think: nothing to switch */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_cria_chat_settings_dialog_get_think_row (dialog))));
  /* Nothing set: every option switched off, the model's defaults */
  for (CriaChatSetting s = CRIA_CHAT_SETTING_TEMPERATURE; s <= CRIA_CHAT_SETTING_SEED; s++)
    {
      g_assert_false (gtk_switch_get_active (_cria_chat_settings_dialog_get_switch (dialog, s)));
      g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (_cria_chat_settings_dialog_get_spin (dialog, s))));
    }
  assert_named (GTK_WIDGET (_cria_chat_settings_dialog_get_system_view (dialog)), "System Prompt");
  assert_named (GTK_WIDGET (_cria_chat_settings_dialog_get_switch (dialog, CRIA_CHAT_SETTING_TEMPERATURE)),
                "Set the Temperature");
  assert_named (GTK_WIDGET (_cria_chat_settings_dialog_get_spin (dialog, CRIA_CHAT_SETTING_TEMPERATURE)),
                "Temperature");
  assert_named (GTK_WIDGET (_cria_chat_settings_dialog_get_switch (dialog, CRIA_CHAT_SETTING_CONTEXT)),
                "Set the Context Length");
  assert_named (GTK_WIDGET (_cria_chat_settings_dialog_get_spin (dialog, CRIA_CHAT_SETTING_CONTEXT)),
                "Context Length");
  assert_named (GTK_WIDGET (_cria_chat_settings_dialog_get_switch (dialog, CRIA_CHAT_SETTING_SEED)),
                "Set the Seed");
  assert_named (GTK_WIDGET (_cria_chat_settings_dialog_get_spin (dialog, CRIA_CHAT_SETTING_SEED)),
                "Seed");
  assert_named (GTK_WIDGET (_cria_chat_settings_dialog_get_think_switch (dialog)), "Thinking");

  /* The system prompt is saved after a pause in typing, the options at once */
  set_system_prompt (dialog, "Answer like a pirate.");
  cria_test_wait_until (g_strcmp0 (cria_chat_session_get_system_prompt (get_session (f)),
                                   "Answer like a pirate.") == 0);
  set_option (dialog, CRIA_CHAT_SETTING_TEMPERATURE, 0.3);
  set_option (dialog, CRIA_CHAT_SETTING_CONTEXT, 2048);
  set_option (dialog, CRIA_CHAT_SETTING_SEED, 7);
  close_dialog (dialog);

  cria_test_server_queue_reply (f->server, "Arr, hello.", NULL);
  cria_test_server_queue_reply (f->server, "Pirate Greetings", NULL);
  send_and_wait (f, "Hello", 2);

  info = cria_chat_store_lookup_chat (cria_application_get_store (f->app),
                                      cria_chat_session_get_chat_id (get_session (f)));
  cria_test_wait_until (g_strcmp0 (cria_chat_info_get_title (info), "Pirate Greetings") == 0);

  /* Now the chat can be renamed: the title typed is the chat's */
  dialog = open_dialog (f);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_cria_chat_settings_dialog_get_title_group (dialog))));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (_cria_chat_settings_dialog_get_title_row (dialog))),
                   ==, "Pirate Greetings");
  gtk_editable_set_text (GTK_EDITABLE (_cria_chat_settings_dialog_get_title_row (dialog)), "Sea Talk");
  cria_test_wait_until (g_strcmp0 (cria_chat_info_get_title (info), "Sea Talk") == 0);
  /* A number typed but not entered counts when the dialog closes */
  gtk_editable_set_text (GTK_EDITABLE (_cria_chat_settings_dialog_get_spin (dialog, CRIA_CHAT_SETTING_SEED)),
                         "11");
  close_dialog (dialog);

  send_and_wait (f, "Where is the treasure?", 3);
  request = last_request (f);
  g_assert_cmpstr (first_message (request, "role"), ==, "system");
  g_assert_cmpstr (first_message (request, "content"), ==, "Answer like a pirate.");
  options = json_object_get_object_member (request, "options");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (options, "temperature"), 0.3, 1e-9);
  g_assert_cmpint (json_object_get_int_member (options, "num_ctx"), ==, 2048);
  g_assert_cmpint (json_object_get_int_member (options, "seed"), ==, 11);
  g_assert_cmpuint (json_object_get_size (options), ==, 3);
  g_assert_false (json_object_has_member (request, "think"));
  g_clear_pointer (&request, json_object_unref);

  /* After a relaunch the chat has them all */
  quit_app (f);
  start_app (f);
  wait_for_chat (f);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (get_session (f))), ==, 4);

  dialog = open_dialog (f);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (_cria_chat_settings_dialog_get_title_row (dialog))),
                   ==, "Sea Talk");
  g_assert_true (cria_ui_test_buffer_equals (_cria_chat_settings_dialog_get_system_view (dialog),
                                             "Answer like a pirate."));
  g_assert_true (gtk_switch_get_active (_cria_chat_settings_dialog_get_switch (dialog, CRIA_CHAT_SETTING_TEMPERATURE)));
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (_cria_chat_settings_dialog_get_spin (dialog, CRIA_CHAT_SETTING_TEMPERATURE)),
                                  0.3, 1e-9);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (_cria_chat_settings_dialog_get_spin (dialog, CRIA_CHAT_SETTING_CONTEXT)),
                   ==, 2048);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (_cria_chat_settings_dialog_get_spin (dialog, CRIA_CHAT_SETTING_SEED)),
                   ==, 11);

  /* Switched off: back to the model's default, sent no more */
  gtk_switch_set_active (_cria_chat_settings_dialog_get_switch (dialog, CRIA_CHAT_SETTING_CONTEXT), FALSE);
  set_system_prompt (dialog, "  \n");
  close_dialog (dialog);

  send_and_wait (f, "And now?", 4);
  request = last_request (f);
  g_assert_cmpstr (first_message (request, "role"), ==, "user");
  options = json_object_get_object_member (request, "options");
  g_assert_false (json_object_has_member (options, "num_ctx"));
  g_assert_cmpint (json_object_get_int_member (options, "seed"), ==, 11);
}

static void
test_thinking (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(JsonObject) request = NULL;
  CriaChatSettingsDialog *dialog;
  GtkSwitch *think_switch;

  g_settings_set_string (f->settings, CRIA_SETTINGS_KEY_LAST_MODEL, "qwen3:0.6b");
  start_app (f);
  wait_for_chat (f);
  g_assert_cmpstr (cria_chat_session_get_model (get_session (f)), ==, "qwen3:0.6b");

  /* A thinking model thinks unless told not to */
  dialog = open_dialog (f);
  think_switch = _cria_chat_settings_dialog_get_think_switch (dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_cria_chat_settings_dialog_get_think_row (dialog))));
  g_assert_true (gtk_switch_get_active (think_switch));
  gtk_switch_set_active (think_switch, FALSE);
  g_assert_cmpint (cria_chat_session_get_think (get_session (f)), ==, CRIA_THINK_MODE_OFF);
  close_dialog (dialog);

  cria_test_server_set_reply (f->server, "Fast answer", "Hmm.");
  cria_test_server_queue_reply (f->server, "Fast answer", "Hmm.");
  cria_test_server_queue_failure (f->server, 500); /* no title */
  send_and_wait (f, "Quick, 2+2?", 2);
  {
    g_autoptr(CriaChatMessage) reply = g_list_model_get_item (G_LIST_MODEL (get_session (f)), 1);

    g_assert_cmpstr (cria_chat_message_get_content (reply), ==, "Fast answer");
    g_assert_cmpstr (cria_chat_message_get_thinking (reply), ==, "");
  }
  request = last_request (f);
  g_assert_false (json_object_get_boolean_member (request, "think"));
  g_clear_pointer (&request, json_object_unref);
  cria_test_server_reset_counters (f->server);

  /* On again, explicitly, and kept with the chat */
  quit_app (f);
  start_app (f);
  wait_for_chat (f);
  dialog = open_dialog (f);
  think_switch = _cria_chat_settings_dialog_get_think_switch (dialog);
  g_assert_false (gtk_switch_get_active (think_switch));
  gtk_switch_set_active (think_switch, TRUE);
  close_dialog (dialog);

  send_and_wait (f, "And 3+3?", 1);
  request = last_request (f);
  g_assert_true (json_object_get_boolean_member (request, "think"));
}

static void
test_title_follows (Fixture       *f,
                    gconstpointer  data)
{
  CriaChatSettingsDialog *dialog;
  AdwEntryRow *title_row;
  GtkWidget *title_group;

  start_app (f);
  wait_for_chat (f);

  /* Open while the first message creates the chat: the title appears,
   * then the one the model gave */
  dialog = open_dialog (f);
  title_row = _cria_chat_settings_dialog_get_title_row (dialog);
  title_group = GTK_WIDGET (_cria_chat_settings_dialog_get_title_group (dialog));
  g_assert_false (gtk_widget_get_visible (title_group));

  cria_test_server_queue_reply (f->server, "Sure.", NULL);
  cria_test_server_queue_reply (f->server, "Weekend Plans", NULL);
  send_and_wait (f, "What should I do this weekend?", 2);
  g_assert_true (gtk_widget_get_visible (title_group));
  cria_test_wait_until (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (title_row)), "Weekend Plans") == 0);

  /* Unchanged, the title stays generated: closing renames nothing */
  close_dialog (dialog);
  g_assert_false (_cria_chat_info_get_user_title (
    cria_chat_store_lookup_chat (cria_application_get_store (f->app),
                                 cria_chat_session_get_chat_id (get_session (f)))));
}

static void
test_disabled_without_model (Fixture       *f,
                             gconstpointer  data)
{
  cria_test_server_clear_models (f->server);

  start_app (f);
  cria_test_wait_until (g_strcmp0 (gtk_stack_get_visible_child_name (f->window->stack), "no-models") == 0);
  g_assert_null (cria_chat_session_get_model (get_session (f)));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "chat-settings"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_dir = cria_ui_test_isolate_data_dir ();
  int ret;

  CRIA_UI_TEST_INIT_OR_SKIP (&argc, &argv);

  g_test_add ("/cria/chat-settings/applied-and-kept", Fixture, NULL, fixture_setup,
              test_applied_and_kept, fixture_teardown);
  g_test_add ("/cria/chat-settings/thinking", Fixture, NULL, fixture_setup,
              test_thinking, fixture_teardown);
  g_test_add ("/cria/chat-settings/title-follows", Fixture, NULL, fixture_setup,
              test_title_follows, fixture_teardown);
  g_test_add ("/cria/chat-settings/disabled-without-model", Fixture, NULL, fixture_setup,
              test_disabled_without_model, fixture_teardown);

  ret = g_test_run ();
  cria_ui_test_remove_tree (data_dir);

  return ret;
}
