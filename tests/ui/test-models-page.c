/* test-models-page.c: the models page of the real window, against the
 * Ollama simulator
 *
 * Each test starts the simulator on a free port and a CriaApplication
 * in-process, as test-window.c does, then opens the models page (the
 * `win.show-models` action, Ctrl+M) and works it as the user does: pull by
 * name with live progress, an invalid name, cancel, an unknown model,
 * remove with its confirmation (and a model already gone), the details,
 * running models and Unload, copy and variants, a conversation whose model
 * was removed, and the accessible names of the new controls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "cria-application.h"
#include "cria-chat-page-private.h"
#include "cria-create-model-dialog-private.h"
#include "cria-model-details-window-private.h"
#include "cria-model-row.h"
#include "cria-models-page-private.h"
#include "cria-pull-row-private.h"
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
static const char * const vision[] = { "completion", "vision", NULL };

static void
start_app (Fixture *f)
{
  g_setenv ("OLLAMA_HOST", f->url, TRUE);

  f->app = cria_ui_test_start_app (&f->window);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->settings = cria_ui_test_reset_settings ();

  f->server = cria_test_server_new ();
  cria_test_server_clear_models (f->server);
  cria_test_server_add_model (f->server, "llama3.2:latest", completion);
  cria_test_server_add_model (f->server, "gemma3:4b", vision);
  cria_test_server_set_pull_timing (f->server, 5, 0);
  f->url = cria_ui_test_start_server (f->server);

  start_app (f);
}

static void
close_other_windows (Fixture *f)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (l->data != (gpointer) f->window && gtk_widget_get_visible (l->data))
      gtk_window_destroy (GTK_WINDOW (l->data));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  close_other_windows (f);

  cria_ui_test_tear_down (&f->app, &f->window, &f->server, &f->url);
  g_clear_object (&f->settings);
}

/* Helpers --------------------------------------------------------------- */

static CriaModelsPage *
get_page (Fixture *f)
{
  return _cria_window_ensure_models_page (f->window);
}

static CriaBackend *
get_backend (Fixture *f)
{
  GListModel *registry = G_LIST_MODEL (cria_application_get_registry (f->app));
  g_autoptr(CriaBackend) backend = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (registry), ==, 1);
  backend = g_list_model_get_item (registry, 0);

  return backend; /* the registry keeps it */
}

static void
wait_for_chat (Fixture *f)
{
  cria_ui_test_wait_for_chat (f->window);
}

/* Ctrl+M, as the header button and the shortcut do */
static void
show_models (Fixture *f)
{
  wait_for_chat (f);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-models", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->main_stack), ==, "models");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->title_stack), ==, "models");
  g_assert_true (gtk_toggle_button_get_active (f->window->models_button));
  cria_test_wait_until (gtk_widget_get_mapped (GTK_WIDGET (get_page (f))));
}

static void
hide_models (Fixture *f)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-models", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->main_stack), ==, "chat");
}

static GPtrArray *
collect (GtkWidget *widget,
         GType      type)
{
  GPtrArray *found = g_ptr_array_new ();

  cria_ui_test_collect (widget, type, found);

  return found;
}

static CriaPullRow *
find_pull_row (Fixture    *f,
               const char *model)
{
  g_autoptr(GPtrArray) rows = collect (GTK_WIDGET (_cria_models_page_get_pulls_box (get_page (f))),
                                       CRIA_TYPE_PULL_ROW);

  for (guint i = 0; i < rows->len; i++)
    {
      CriaPullRow *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (cria_pull_get_model (cria_pull_row_get_pull (row)), model) == 0)
        return row;
    }

  return NULL;
}

static guint
count_pull_rows (Fixture *f)
{
  g_autoptr(GPtrArray) rows = collect (GTK_WIDGET (_cria_models_page_get_pulls_box (get_page (f))),
                                       CRIA_TYPE_PULL_ROW);

  return rows->len;
}

static CriaModelRow *
find_model_row (Fixture    *f,
                const char *name)
{
  g_autoptr(GPtrArray) rows = collect (_cria_models_page_get_installed_box (get_page (f)),
                                       CRIA_TYPE_MODEL_ROW);

  for (guint i = 0; i < rows->len; i++)
    {
      CriaModelRow *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (cria_model_get_name (cria_model_row_get_model (row)), name) == 0)
        return row;
    }

  return NULL;
}

static guint
count_model_rows (Fixture *f)
{
  g_autoptr(GPtrArray) rows = collect (_cria_models_page_get_installed_box (get_page (f)),
                                       CRIA_TYPE_MODEL_ROW);

  return rows->len;
}

static AdwActionRow *
find_running_row (Fixture    *f,
                  const char *name)
{
  GtkListBox *box = _cria_models_page_get_running_box (get_page (f));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (ADW_IS_ACTION_ROW (child) &&
        g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), name) == 0)
      return ADW_ACTION_ROW (child);

  return NULL;
}

static GtkWidget *
find_button (GtkWidget *widget)
{
  g_autoptr(GPtrArray) buttons = collect (widget, GTK_TYPE_BUTTON);

  return buttons->len > 0 ? g_ptr_array_index (buttons, 0) : NULL;
}

/* Clicks the button of @dialog for @response, as the user does (a
 * response emitted by hand would leave the dialog open) */
static void
respond (AdwMessageDialog *dialog,
         const char       *label)
{
  g_autoptr(GPtrArray) buttons = collect (GTK_WIDGET (dialog), GTK_TYPE_BUTTON);

  g_assert_nonnull (dialog);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkButton *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_button_get_label (button), label) == 0)
        {
          g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
          gtk_widget_activate (GTK_WIDGET (button));
          cria_test_wait_until (dialog == NULL);
          return;
        }
    }

  g_error ("No button “%s” in the dialog", label);
}

static CriaPullState
pull_row_state (CriaPullRow *row)
{
  return cria_pull_get_state (cria_pull_row_get_pull (row));
}

/* Types @name and presses Enter */
static void
type_and_pull (Fixture    *f,
               const char *name)
{
  AdwEntryRow *entry = _cria_models_page_get_pull_row (get_page (f));

  gtk_widget_grab_focus (GTK_WIDGET (entry));
  gtk_editable_set_text (GTK_EDITABLE (entry), name);
  g_signal_emit_by_name (entry, "entry-activated");
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

static gboolean
session_idle (Fixture *f)
{
  return !cria_chat_session_get_busy (cria_window_get_session (f->window));
}

static GVariant *
model_target (Fixture    *f,
              const char *name)
{
  return g_variant_new ("(ss)", cria_backend_get_id (get_backend (f)), name);
}

/* Tests ----------------------------------------------------------------- */

static void
test_pull (Fixture       *f,
           gconstpointer  data)
{
  CriaPullRow *row;
  GtkProgressBar *bar;
  const char *status;
  g_autofree char *body = NULL;

  show_models (f);
  g_assert_cmpuint (count_pull_rows (f), ==, 0);
  g_assert_null (find_model_row (f, "qwen3:8b"));
  g_assert_nonnull (find_model_row (f, "llama3.2:latest"));

  /* Slow enough to watch it: 80 steps of 64 MiB */
  cria_test_server_set_pull_timing (f->server, 30, 0);
  type_and_pull (f, "qwen3:8b");

  /* The entry is cleared for the next one; the row appears at once */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (_cria_models_page_get_pull_row (get_page (f)))), ==, "");
  row = find_pull_row (f, "qwen3:8b");
  g_assert_nonnull (row);
  bar = _cria_pull_row_get_progress_bar (row);

  /* Progress shows in bytes and as a bar, with the layers */
  cria_test_wait_until (gtk_progress_bar_get_fraction (bar) > 0.1);
  g_assert_cmpint (pull_row_state (row), ==, CRIA_PULL_STATE_RUNNING);
  status = gtk_label_get_text (_cria_pull_row_get_status_label (row));
  g_assert_nonnull (strstr (status, " of "));
  g_assert_nonnull (strstr (status, "GB"));
  g_assert_true (gtk_widget_get_visible (_cria_pull_row_get_cancel_button (row)));
  g_assert_nonnull (gtk_widget_get_first_child (GTK_WIDGET (_cria_pull_row_get_layers_box (row))));

  /* Done: the row says so, and the model is in the lists */
  cria_test_wait_until (pull_row_state (row) == CRIA_PULL_STATE_SUCCEEDED);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (bar), ==, 1.0);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (_cria_pull_row_get_status_label (row)), "Installed"));
  g_assert_false (gtk_widget_get_visible (_cria_pull_row_get_cancel_button (row)));
  g_assert_true (gtk_widget_get_visible (_cria_pull_row_get_dismiss_button (row)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "succeeded"));

  cria_test_wait_until (find_model_row (f, "qwen3:8b") != NULL);
  g_assert_true (cria_test_server_has_model (f->server, "qwen3:8b"));
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/pull"), ==, 1);
  body = cria_test_server_dup_last_body (f->server, "/api/pull");
  g_assert_nonnull (strstr (body, "\"qwen3:8b\""));

  /* Dismissed, it goes */
  gtk_widget_activate (_cria_pull_row_get_dismiss_button (row));
  cria_test_wait_until (find_pull_row (f, "qwen3:8b") == NULL);
}

static void
test_pull_several (Fixture       *f,
                   gconstpointer  data)
{
  show_models (f);

  cria_test_server_set_pull_timing (f->server, 20, 0);
  type_and_pull (f, "qwen3:0.6b");
  type_and_pull (f, "llava:7b");

  /* Both at once */
  g_assert_cmpuint (count_pull_rows (f), ==, 2);
  cria_test_wait_until (cria_test_server_get_active_streams (f->server) == 2 ||
                        cria_test_server_has_model (f->server, "qwen3:0.6b"));

  cria_test_wait_until (find_model_row (f, "qwen3:0.6b") != NULL && find_model_row (f, "llava:7b") != NULL);
  g_assert_cmpint (pull_row_state (find_pull_row (f, "qwen3:0.6b")), ==, CRIA_PULL_STATE_SUCCEEDED);
  g_assert_cmpint (pull_row_state (find_pull_row (f, "llava:7b")), ==, CRIA_PULL_STATE_SUCCEEDED);
}

static void
test_pull_survives_pages (Fixture       *f,
                          gconstpointer  data)
{
  CriaPullRow *row;

  show_models (f);

  cria_test_server_set_pull_timing (f->server, 30, 0);
  type_and_pull (f, "qwen3:8b");
  row = find_pull_row (f, "qwen3:8b");
  cria_test_wait_until (gtk_progress_bar_get_fraction (_cria_pull_row_get_progress_bar (row)) > 0);

  /* Back to the chat and again to the models: the same download, further on */
  hide_models (f);
  cria_test_run_for (300);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-models", NULL));
  g_assert_true (find_pull_row (f, "qwen3:8b") == row);

  cria_test_wait_until (pull_row_state (row) == CRIA_PULL_STATE_SUCCEEDED);
  cria_test_wait_until (find_model_row (f, "qwen3:8b") != NULL);
}

static void
test_pull_invalid (Fixture       *f,
                   gconstpointer  data)
{
  GtkLabel *error_label;

  show_models (f);
  error_label = _cria_models_page_get_pull_error_label (get_page (f));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error_label)));

  type_and_pull (f, "not a model!");

  /* Refused with a sentence; nothing sent, the text kept to be fixed */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (error_label), "“not a model!” is not a model name."));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (_cria_models_page_get_pull_row (get_page (f)))),
                   ==, "not a model!");
  cria_test_run_for (100);
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/pull"), ==, 0);
  g_assert_cmpuint (count_pull_rows (f), ==, 0);

  /* Typing again clears the error */
  gtk_editable_set_text (GTK_EDITABLE (_cria_models_page_get_pull_row (get_page (f))), "qwen3:0.6b");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error_label)));
}

static void
test_pull_cancel (Fixture       *f,
                  gconstpointer  data)
{
  CriaPullRow *row;
  const char *message;

  show_models (f);

  cria_test_server_set_pull_timing (f->server, 50, 0);
  type_and_pull (f, "gpt-oss:20b");
  row = find_pull_row (f, "gpt-oss:20b");
  cria_test_wait_until (gtk_progress_bar_get_fraction (_cria_pull_row_get_progress_bar (row)) > 0);

  gtk_widget_grab_focus (_cria_pull_row_get_cancel_button (row));
  gtk_widget_activate (_cria_pull_row_get_cancel_button (row));

  /* The request is closed; the row says what became of the bytes */
  cria_test_wait_until (pull_row_state (row) == CRIA_PULL_STATE_CANCELLED);
  cria_test_wait_until (cria_test_server_get_cancellations (f->server) == 1);
  cria_test_wait_until (cria_test_server_get_active_streams (f->server) == 0);
  g_assert_cmpstr (gtk_label_get_text (_cria_pull_row_get_status_label (row)), ==, "Cancelled");
  message = gtk_label_get_text (_cria_pull_row_get_message_label (row));
  g_assert_nonnull (strstr (message, "keeps what it downloaded"));
  g_assert_nonnull (strstr (message, "resumes"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_cria_pull_row_get_message_label (row))));
  g_assert_false (cria_test_server_has_model (f->server, "gpt-oss:20b"));

  /* The keyboard stays on the row: Download Again */
  g_assert_true (gtk_widget_get_visible (_cria_pull_row_get_retry_button (row)));
  g_assert_true (gtk_widget_has_focus (_cria_pull_row_get_retry_button (row)));

  /* Again, it completes */
  cria_test_server_set_pull_timing (f->server, 2, 0);
  gtk_widget_activate (_cria_pull_row_get_retry_button (row));
  cria_test_wait_until (find_pull_row (f, "gpt-oss:20b") != NULL &&
                        pull_row_state (find_pull_row (f, "gpt-oss:20b")) == CRIA_PULL_STATE_SUCCEEDED);
  g_assert_cmpuint (count_pull_rows (f), ==, 1);
  cria_test_wait_until (find_model_row (f, "gpt-oss:20b") != NULL);
}

static void
test_pull_unknown (Fixture       *f,
                   gconstpointer  data)
{
  CriaPullRow *row;

  show_models (f);

  type_and_pull (f, "nosuchmodel:1b");
  row = find_pull_row (f, "nosuchmodel:1b");
  g_assert_nonnull (row);

  cria_test_wait_until (pull_row_state (row) == CRIA_PULL_STATE_FAILED);
  g_assert_cmpstr (gtk_label_get_text (_cria_pull_row_get_status_label (row)), ==, "Failed");
  g_assert_cmpstr (gtk_label_get_text (_cria_pull_row_get_message_label (row)), ==,
                   "The model library has no model “nosuchmodel:1b”. Check its name and tag.");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "failed"));
  g_assert_true (gtk_widget_get_visible (_cria_pull_row_get_retry_button (row)));
  g_assert_null (find_model_row (f, "nosuchmodel:1b"));
}

static void
test_catalog (Fixture       *f,
              gconstpointer  data)
{
  show_models (f);

  /* The catalogue pulls to the server too */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (get_page (f)), "model.pull", "s", "qwen3:0.6b"));
  cria_test_wait_until (find_pull_row (f, "qwen3:0.6b") != NULL);
  cria_test_wait_until (find_model_row (f, "qwen3:0.6b") != NULL);
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/pull"), ==, 1);
}

static void
test_filter (Fixture       *f,
             gconstpointer  data)
{
  GtkSearchEntry *entry;

  show_models (f);
  cria_test_wait_until (count_model_rows (f) == 2);
  entry = _cria_models_page_get_search_entry (get_page (f));

  gtk_editable_set_text (GTK_EDITABLE (entry), "GEMMA");
  cria_test_wait_until (count_model_rows (f) == 1);
  g_assert_nonnull (find_model_row (f, "gemma3:4b"));

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  cria_test_wait_until (count_model_rows (f) == 2);
}

static void
test_remove (Fixture       *f,
             gconstpointer  data)
{
  CriaModel *model;
  AdwMessageDialog *dialog;
  g_autofree char *size = NULL;
  const char *body;

  show_models (f);
  cria_test_wait_until (find_model_row (f, "gemma3:4b") != NULL);
  model = cria_model_row_get_model (find_model_row (f, "gemma3:4b"));
  size = g_format_size ((guint64) cria_model_get_size (model));

  /* What the row's menu item does */
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (find_model_row (f, "gemma3:4b")),
                                                     "model.remove", model_target (f, "gemma3:4b")));

  /* A confirmation that names the model and its size */
  dialog = _cria_models_page_get_remove_dialog (get_page (f));
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Remove gemma3:4b?");
  body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (body, "gemma3:4b"));
  g_assert_nonnull (strstr (body, size));

  /* Cancel keeps it */
  respond (dialog, "_Cancel");
  g_assert_null (_cria_models_page_get_remove_dialog (get_page (f)));
  cria_test_run_for (100);
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/delete"), ==, 0);
  g_assert_true (cria_test_server_has_model (f->server, "gemma3:4b"));

  /* Remove removes it */
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (find_model_row (f, "gemma3:4b")),
                                                     "model.remove", model_target (f, "gemma3:4b")));
  dialog = _cria_models_page_get_remove_dialog (get_page (f));
  respond (dialog, "_Remove");

  cria_test_wait_until (find_model_row (f, "gemma3:4b") == NULL);
  g_assert_false (cria_test_server_has_model (f->server, "gemma3:4b"));
  g_assert_cmpstr (_cria_models_page_get_last_toast (get_page (f)), ==, "Removed gemma3:4b");
  g_assert_nonnull (find_model_row (f, "llama3.2:latest"));
}

static void
test_remove_gone (Fixture       *f,
                  gconstpointer  data)
{
  AdwMessageDialog *dialog;

  show_models (f);
  cria_test_wait_until (find_model_row (f, "gemma3:4b") != NULL);

  /* Removed on the server (`ollama rm`) since the list was read */
  cria_test_server_clear_models (f->server);
  cria_test_server_add_model (f->server, "llama3.2:latest", completion);

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (get_page (f)),
                                                     "model.remove", model_target (f, "gemma3:4b")));
  dialog = _cria_models_page_get_remove_dialog (get_page (f));
  respond (dialog, "_Remove");

  /* A 404: said plainly, and the list catches up */
  cria_test_wait_until (g_strcmp0 (_cria_models_page_get_last_toast (get_page (f)),
                                   "gemma3:4b was removed already") == 0);
  cria_test_wait_until (find_model_row (f, "gemma3:4b") == NULL);
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/delete"), ==, 1);
}

static void
test_details (Fixture       *f,
              gconstpointer  data)
{
  CriaModelDetailsWindow *window;
  g_autofree char *modelfile = NULL;
  GtkTextView *text_view;

  show_models (f);
  cria_test_wait_until (find_model_row (f, "llama3.2:latest") != NULL);

  /* Activating the row opens the details */
  g_signal_emit_by_name (find_model_row (f, "llama3.2:latest"), "activated");
  window = CRIA_MODEL_DETAILS_WINDOW (_cria_models_page_get_details_window (get_page (f)));
  g_assert_nonnull (window);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (window)) == GTK_WINDOW (f->window));

  cria_test_wait_until (g_strcmp0 (_cria_model_details_window_get_page (window), "details") == 0);
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/show"), >=, 1);

  g_assert_cmpstr (_cria_model_details_window_get_field (window, "family"), ==, "llama");
  g_assert_cmpstr (_cria_model_details_window_get_field (window, "parameters"), ==, "3.2B");
  g_assert_cmpstr (_cria_model_details_window_get_field (window, "quantization"), ==, "Q4_K_M");
  g_assert_nonnull (_cria_model_details_window_get_field (window, "context"));
  g_assert_true (g_str_has_suffix (_cria_model_details_window_get_field (window, "context"), " tokens"));
  g_assert_nonnull (_cria_model_details_window_get_field (window, "size"));

  /* Long texts: selectable, monospace where they are code, with Copy */
  text_view = _cria_model_details_window_get_text_view (window, "modelfile");
  g_assert_nonnull (text_view);
  g_assert_true (gtk_text_view_get_monospace (text_view));
  g_assert_false (gtk_text_view_get_editable (text_view));
  modelfile = cria_ui_test_dup_buffer_text (text_view);
  g_assert_nonnull (strstr (modelfile, "FROM "));
  g_assert_nonnull (_cria_model_details_window_get_text_view (window, "template"));
  g_assert_nonnull (_cria_model_details_window_get_text_view (window, "parameters"));
  g_assert_nonnull (_cria_model_details_window_get_text_view (window, "license"));
  gtk_test_accessible_assert_property (_cria_model_details_window_get_copy_button (window, "modelfile"),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Copy Modelfile");
  gtk_widget_activate (_cria_model_details_window_get_copy_button (window, "modelfile"));

  /* Escape closes it */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "window.close", NULL));
  cria_test_wait_until (_cria_models_page_get_details_window (get_page (f)) == NULL);
}

static void
test_details_gone (Fixture       *f,
                   gconstpointer  data)
{
  CriaModelDetailsWindow *window;

  show_models (f);
  cria_test_wait_until (find_model_row (f, "gemma3:4b") != NULL);

  cria_test_server_clear_models (f->server);
  cria_test_server_add_model (f->server, "llama3.2:latest", completion);

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (get_page (f)),
                                                     "model.show", model_target (f, "gemma3:4b")));
  window = CRIA_MODEL_DETAILS_WINDOW (_cria_models_page_get_details_window (get_page (f)));
  cria_test_wait_until (g_strcmp0 (_cria_model_details_window_get_page (window), "error") == 0);
  cria_test_wait_until (find_model_row (f, "gemma3:4b") == NULL);
}

static void
test_running_unload (Fixture       *f,
                     gconstpointer  data)
{
  const char *model;
  AdwActionRow *row;
  GtkWidget *button;

  wait_for_chat (f);
  model = cria_chat_session_get_model (cria_window_get_session (f->window));

  /* A chat loads the model */
  cria_test_server_set_reply (f->server, "Hello!", NULL);
  type_and_send (f, "Hello");
  cria_test_wait_until (session_idle (f));
  g_assert_true (cria_test_server_is_model_loaded (f->server, model));

  /* The page asks /api/ps when it shows */
  show_models (f);
  cria_test_wait_until (find_running_row (f, model) != NULL);
  row = find_running_row (f, model);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "in memory"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (row), "unloads in"));

  button = find_button (GTK_WIDGET (row));
  g_assert_nonnull (button);
  gtk_widget_activate (button);

  /* keep_alive 0: unloaded, and gone from the list */
  cria_test_wait_until (!cria_test_server_is_model_loaded (f->server, model));
  cria_test_wait_until (find_running_row (f, model) == NULL);
}

static void
test_copy (Fixture       *f,
           gconstpointer  data)
{
  CriaCreateModelDialog *dialog;
  AdwEntryRow *name_row;

  show_models (f);
  cria_test_wait_until (find_model_row (f, "llama3.2:latest") != NULL);

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (find_model_row (f, "llama3.2:latest")),
                                                     "model.copy", model_target (f, "llama3.2:latest")));
  dialog = CRIA_CREATE_MODEL_DIALOG (_cria_models_page_get_create_dialog (get_page (f)));
  g_assert_nonnull (dialog);
  name_row = _cria_create_model_dialog_get_name_row (dialog);

  /* A name is suggested; a taken or invalid one is refused */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name_row)), ==, "llama3.2-copy");
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (_cria_create_model_dialog_get_system_view (dialog))));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "gemma3:4b");
  g_assert_false (gtk_widget_get_sensitive (_cria_create_model_dialog_get_create_button (dialog)));
  g_assert_cmpstr (gtk_label_get_text (_cria_create_model_dialog_get_error_label (dialog)), ==,
                   "A model named “gemma3:4b” is installed already.");
  gtk_editable_set_text (GTK_EDITABLE (name_row), "bad name");
  g_assert_false (gtk_widget_get_sensitive (_cria_create_model_dialog_get_create_button (dialog)));

  gtk_editable_set_text (GTK_EDITABLE (name_row), "my-llama");
  g_assert_true (gtk_widget_get_sensitive (_cria_create_model_dialog_get_create_button (dialog)));
  gtk_widget_activate (_cria_create_model_dialog_get_create_button (dialog));

  cria_test_wait_until (_cria_models_page_get_create_dialog (get_page (f)) == NULL);
  g_assert_true (cria_test_server_has_model (f->server, "my-llama"));
  cria_test_wait_until (find_model_row (f, "my-llama:latest") != NULL);
  g_assert_cmpstr (_cria_models_page_get_last_toast (get_page (f)), ==, "Created my-llama");
}

static void
test_create_variant (Fixture       *f,
                     gconstpointer  data)
{
  CriaCreateModelDialog *dialog;
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *request;
  JsonObject *parameters;

  show_models (f);
  cria_test_wait_until (find_model_row (f, "llama3.2:latest") != NULL);

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (get_page (f)),
                                                     "model.create", model_target (f, "llama3.2:latest")));
  dialog = CRIA_CREATE_MODEL_DIALOG (_cria_models_page_get_create_dialog (get_page (f)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (_cria_create_model_dialog_get_name_row (dialog))),
                   ==, "llama3.2-custom");

  gtk_editable_set_text (GTK_EDITABLE (_cria_create_model_dialog_get_name_row (dialog)), "pirate");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (_cria_create_model_dialog_get_system_view (dialog)),
                            "Talk like a pirate.", -1);
  gtk_switch_set_active (_cria_create_model_dialog_get_temperature_switch (dialog), TRUE);
  gtk_spin_button_set_value (_cria_create_model_dialog_get_temperature_spin (dialog), 1.2);
  gtk_widget_activate (_cria_create_model_dialog_get_create_button (dialog));

  cria_test_wait_until (_cria_models_page_get_create_dialog (get_page (f)) == NULL);
  cria_test_wait_until (find_model_row (f, "pirate:latest") != NULL);
  g_assert_true (cria_test_server_has_model (f->server, "pirate"));

  /* From the installed model, with its own prompt and parameters */
  body = cria_test_server_dup_last_body (f->server, "/api/create");
  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);
  request = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (request, "model"), ==, "pirate");
  g_assert_cmpstr (json_object_get_string_member (request, "from"), ==, "llama3.2:latest");
  g_assert_cmpstr (json_object_get_string_member (request, "system"), ==, "Talk like a pirate.");
  parameters = json_object_get_object_member (request, "parameters");
  g_assert_nonnull (parameters);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (parameters, "temperature"), 1.2, 1e-6);
  g_assert_false (json_object_has_member (parameters, "num_ctx"));
}

static void
test_chat_not_installed (Fixture       *f,
                         gconstpointer  data)
{
  CriaChatSession *session = cria_window_get_session (f->window);
  CriaChatPage *chat_page = f->window->chat_page;
  g_autofree char *model = NULL;
  AdwMessageDialog *dialog;
  const char *text;

  wait_for_chat (f);
  g_assert_false (gtk_revealer_get_reveal_child (_cria_chat_page_get_missing_revealer (chat_page)));

  /* A conversation with the model… */
  model = g_strdup (cria_chat_session_get_model (session));
  cria_test_server_set_reply (f->server, "Hello!", NULL);
  type_and_send (f, "Hello");
  cria_test_wait_until (session_idle (f));

  /* …which is then removed */
  show_models (f);
  cria_test_wait_until (find_model_row (f, model) != NULL);
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (get_page (f)),
                                                     "model.remove", model_target (f, model)));
  dialog = _cria_models_page_get_remove_dialog (get_page (f));
  respond (dialog, "_Remove");
  cria_test_wait_until (find_model_row (f, model) == NULL);
  hide_models (f);

  /* The chat keeps its model and says it is not installed */
  cria_test_wait_until (gtk_revealer_get_child_revealed (_cria_chat_page_get_missing_revealer (chat_page)));
  g_assert_cmpstr (cria_chat_session_get_model (session), ==, model);
  g_assert_cmpuint (gtk_drop_down_get_selected (f->window->model_dropdown), ==, GTK_INVALID_LIST_POSITION);
  text = gtk_label_get_text (_cria_chat_page_get_missing_label (chat_page));
  g_assert_true (g_str_has_prefix (text, model));
  g_assert_nonnull (strstr (text, "is not installed"));
  g_assert_true (gtk_widget_is_sensitive (_cria_chat_page_get_missing_choose_button (chat_page)));

  /* Download brings it back, with its progress, and the chat goes on with it */
  cria_test_server_set_pull_timing (f->server, 20, 0);
  gtk_widget_activate (_cria_chat_page_get_missing_download_button (chat_page));
  cria_test_wait_until (gtk_widget_get_visible (GTK_WIDGET (_cria_chat_page_get_missing_status (chat_page))));
  g_assert_false (gtk_widget_get_sensitive (_cria_chat_page_get_missing_download_button (chat_page)));
  cria_test_wait_until (!gtk_revealer_get_reveal_child (_cria_chat_page_get_missing_revealer (chat_page)));
  g_assert_true (cria_test_server_has_model (f->server, model));
  cria_test_wait_until (gtk_drop_down_get_selected (f->window->model_dropdown) != GTK_INVALID_LIST_POSITION);
  g_assert_cmpstr (cria_model_get_name (gtk_drop_down_get_selected_item (f->window->model_dropdown)), ==, model);

  /* The download is on the models page too */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-models", NULL));
  g_assert_nonnull (find_pull_row (f, model));
}

static GtkWidget *
selector_popover (Fixture *f)
{
  g_autoptr(GPtrArray) popovers = collect (GTK_WIDGET (f->window->model_dropdown), GTK_TYPE_POPOVER);

  return popovers->len > 0 ? g_ptr_array_index (popovers, 0) : NULL;
}

static void
test_chat_choose_another (Fixture       *f,
                          gconstpointer  data)
{
  CriaChatSession *session = cria_window_get_session (f->window);
  CriaChatPage *chat_page = f->window->chat_page;
  g_autofree char *model = NULL;
  AdwMessageDialog *dialog;
  guint position = GTK_INVALID_LIST_POSITION;
  GListModel *models;

  wait_for_chat (f);
  model = g_strdup (cria_chat_session_get_model (session));
  type_and_send (f, "Hello");
  cria_test_wait_until (session_idle (f));

  show_models (f);
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (get_page (f)),
                                                     "model.remove", model_target (f, model)));
  dialog = _cria_models_page_get_remove_dialog (get_page (f));
  respond (dialog, "_Remove");
  hide_models (f);
  cria_test_wait_until (gtk_revealer_get_child_revealed (_cria_chat_page_get_missing_revealer (chat_page)));

  /* “Choose Another Model” opens the selector… */
  gtk_widget_activate (_cria_chat_page_get_missing_choose_button (chat_page));
  cria_test_wait_until (selector_popover (f) != NULL && gtk_widget_get_visible (selector_popover (f)));
  gtk_popover_popdown (GTK_POPOVER (selector_popover (f)));

  /* …and another model from it: the chat goes on with it */
  models = gtk_drop_down_get_model (f->window->model_dropdown);
  for (guint i = 0; i < g_list_model_get_n_items (models); i++)
    {
      g_autoptr(CriaModel) item = g_list_model_get_item (models, i);

      if (!cria_model_name_equal (cria_model_get_name (item), model))
        position = i;
    }
  g_assert_cmpuint (position, !=, GTK_INVALID_LIST_POSITION);
  gtk_drop_down_set_selected (f->window->model_dropdown, position);

  g_assert_cmpstr (cria_chat_session_get_model (session), !=, model);
  cria_test_wait_until (!gtk_revealer_get_reveal_child (_cria_chat_page_get_missing_revealer (chat_page)));
}

static void
test_no_models (Fixture       *f,
                gconstpointer  data)
{
  /* Nothing installed: the status page leads to the models page */
  cria_test_server_clear_models (f->server);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.refresh", NULL);
  cria_test_wait_until (g_strcmp0 (gtk_stack_get_visible_child_name (f->window->stack), "no-models") == 0);

  gtk_widget_activate (GTK_WIDGET (f->window->browse_models_button));
  cria_test_wait_until (g_strcmp0 (gtk_stack_get_visible_child_name (f->window->main_stack), "models") == 0);

  type_and_pull (f, "qwen3:0.6b");
  cria_test_wait_until (find_model_row (f, "qwen3:0.6b") != NULL);

  /* Back to the chat, which has a model now */
  hide_models (f);
  wait_for_chat (f);
  g_assert_cmpstr (cria_chat_session_get_model (cria_window_get_session (f->window)), ==, "qwen3:0.6b");
}

static void
test_offline_backend (Fixture       *f,
                      gconstpointer  data)
{
  CriaBackend *backend;

  wait_for_chat (f);
  backend = get_backend (f);
  cria_backend_set_probe_intervals (backend, 100, 400);

  /* The chat is offline; the models page still opens and says why */
  cria_test_server_stop (f->server);
  cria_backend_probe_now (backend);
  cria_test_wait_until (g_strcmp0 (gtk_stack_get_visible_child_name (f->window->stack), "offline") == 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-models", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->main_stack), ==, "models");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->title_stack), ==, "models");

  type_and_pull (f, "qwen3:0.6b");
  cria_test_wait_until (find_pull_row (f, "qwen3:0.6b") != NULL &&
                        pull_row_state (find_pull_row (f, "qwen3:0.6b")) == CRIA_PULL_STATE_FAILED);
  g_assert_cmpstr (gtk_label_get_text (_cria_pull_row_get_message_label (find_pull_row (f, "qwen3:0.6b"))),
                   ==, "No server answered at this address.");

  /* Ctrl+M again: back to the chat's own page */
  hide_models (f);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->title_stack), ==, "title");
}

static void
test_notification (Fixture       *f,
                   gconstpointer  data)
{
  GtkWidget *other;

  show_models (f);

  if (cria_ui_test_notifications.connection == NULL)
    {
      g_test_skip ("No session bus");
      return;
    }

  /* The user is in another window… */
  other = gtk_window_new ();
  gtk_window_present (GTK_WINDOW (other));
  cria_test_run_for (300);
  if (gtk_window_is_active (GTK_WINDOW (f->window)))
    {
      gtk_window_destroy (GTK_WINDOW (other));
      g_test_skip ("The display gives no window focus");
      return;
    }

  /* …when a download ends: a notification says so */
  g_ptr_array_set_size (cria_ui_test_notifications.sent, 0);
  type_and_pull (f, "qwen3:0.6b");
  cria_test_wait_until (cria_ui_test_notifications.sent->len == 1);
  g_assert_cmpstr (g_ptr_array_index (cria_ui_test_notifications.sent, 0), ==,
                   "Download Complete\nqwen3:0.6b is ready to chat with.");

  type_and_pull (f, "nosuchmodel:1b");
  cria_test_wait_until (cria_ui_test_notifications.sent->len == 2);
  g_assert_cmpstr (g_ptr_array_index (cria_ui_test_notifications.sent, 1), ==,
                   "Download Failed\nThe model library has no model “nosuchmodel:1b”. Check its name and tag.");

  gtk_window_destroy (GTK_WINDOW (other));
}

/* Clicking a download notification opens the Models page */
static void
test_notification_action (Fixture       *f,
                          gconstpointer  data)
{
  wait_for_chat (f);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->main_stack), ==, "chat");

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "show-models", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (f->window->main_stack), ==, "models");
  g_assert_true (gtk_toggle_button_get_active (f->window->models_button));
}

/* A button with a text label is named by its label: GTK 4.8 would add a
 * label property to it ("_Download Download"), so it has none */
static void
assert_named_by_label (GtkWidget  *button,
                       const char *label)
{
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, label);
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL));
}

/* An entry row is named by its title (libadwaita labels it with it); a
 * label property of its own would be said as well */
static void
assert_named_by_title (AdwPreferencesRow *row,
                       const char        *title)
{
  g_assert_cmpstr (adw_preferences_row_get_title (row), ==, title);
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL));
}

static void
test_accessible (Fixture       *f,
                 gconstpointer  data)
{
  CriaModelsPage *page;
  CriaPullRow *row;
  CriaModelRow *model_row;
  g_autoptr(GPtrArray) buttons = NULL;
  CriaCreateModelDialog *dialog;

  show_models (f);
  page = get_page (f);

  gtk_test_accessible_assert_property (f->window->models_button,
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Models");
  assert_named_by_title (ADW_PREFERENCES_ROW (_cria_models_page_get_pull_row (page)), "Model Name");
  gtk_test_accessible_assert_property (_cria_models_page_get_pull_button (page),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Download");
  gtk_test_accessible_assert_property (_cria_models_page_get_search_entry (page),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Filter Installed Models");
  gtk_test_accessible_assert_property (_cria_models_page_get_catalog_row (page),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Popular Models");
  gtk_test_accessible_assert_property (_cria_models_page_get_pulls_box (page),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Downloads");
  gtk_test_accessible_assert_property (_cria_models_page_get_running_box (page),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Running Models");

  /* Every catalogue button names its model */
  buttons = collect (_cria_models_page_get_catalog_row (page), GTK_TYPE_BUTTON);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)) != NULL)
        {
          GVariant *target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (button));
          g_autofree char *label = g_strdup_printf ("Download %s", g_variant_get_string (target, NULL));

          gtk_test_accessible_assert_property (button, GTK_ACCESSIBLE_PROPERTY_LABEL, label);
        }
    }

  /* A model row */
  cria_test_wait_until (find_model_row (f, "gemma3:4b") != NULL);
  model_row = find_model_row (f, "gemma3:4b");
  gtk_test_accessible_assert_property (model_row, GTK_ACCESSIBLE_PROPERTY_LABEL, "gemma3:4b");
  g_clear_pointer (&buttons, g_ptr_array_unref);
  buttons = collect (GTK_WIDGET (model_row), GTK_TYPE_BUTTON);
  gtk_test_accessible_assert_property (g_ptr_array_index (buttons, 0),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Details of gemma3:4b");
  {
    g_autoptr(GPtrArray) menu_buttons = collect (GTK_WIDGET (model_row), GTK_TYPE_MENU_BUTTON);

    g_assert_cmpuint (menu_buttons->len, ==, 1);
    gtk_test_accessible_assert_property (g_ptr_array_index (menu_buttons, 0),
                                         GTK_ACCESSIBLE_PROPERTY_LABEL, "More Actions for gemma3:4b");
  }

  /* A pull row */
  cria_test_server_set_pull_timing (f->server, 50, 0);
  type_and_pull (f, "qwen3:8b");
  row = find_pull_row (f, "qwen3:8b");
  gtk_test_accessible_assert_property (row, GTK_ACCESSIBLE_PROPERTY_LABEL, "qwen3:8b");
  gtk_test_accessible_assert_property (_cria_pull_row_get_cancel_button (row),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Cancel Download");
  gtk_test_accessible_assert_property (_cria_pull_row_get_retry_button (row),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Download Again");
  gtk_test_accessible_assert_property (_cria_pull_row_get_dismiss_button (row),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Dismiss");
  gtk_test_accessible_assert_property (_cria_pull_row_get_progress_bar (row),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Download Progress");
  gtk_test_accessible_assert_property (_cria_pull_row_get_layers_box (row),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Layers");
  gtk_widget_activate (_cria_pull_row_get_cancel_button (row));
  cria_test_wait_until (pull_row_state (row) == CRIA_PULL_STATE_CANCELLED);

  /* The copy dialog */
  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (page), "model.create",
                                                     model_target (f, "gemma3:4b")));
  dialog = CRIA_CREATE_MODEL_DIALOG (_cria_models_page_get_create_dialog (page));
  assert_named_by_title (ADW_PREFERENCES_ROW (_cria_create_model_dialog_get_name_row (dialog)), "New Name");
  gtk_test_accessible_assert_property (_cria_create_model_dialog_get_system_view (dialog),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "System Prompt");
  gtk_test_accessible_assert_property (_cria_create_model_dialog_get_temperature_switch (dialog),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Set the Temperature");
  gtk_test_accessible_assert_property (_cria_create_model_dialog_get_temperature_spin (dialog),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Temperature");
  assert_named_by_label (_cria_create_model_dialog_get_create_button (dialog), "C_reate");
  gtk_window_close (GTK_WINDOW (dialog));

  /* The chat's not-installed state */
  assert_named_by_label (_cria_chat_page_get_missing_download_button (f->window->chat_page), "_Download");
  assert_named_by_label (_cria_chat_page_get_missing_choose_button (f->window->chat_page),
                         "Choose _Another Model");
}

static void
test_running_accessible (Fixture       *f,
                         gconstpointer  data)
{
  const char *model;
  AdwActionRow *row;
  g_autofree char *label = NULL;

  wait_for_chat (f);
  model = cria_chat_session_get_model (cria_window_get_session (f->window));
  type_and_send (f, "Hello");
  cria_test_wait_until (session_idle (f));

  show_models (f);
  cria_test_wait_until (find_running_row (f, model) != NULL);
  row = find_running_row (f, model);
  label = g_strdup_printf ("Unload %s", model);
  gtk_test_accessible_assert_property (find_button (GTK_WIDGET (row)), GTK_ACCESSIBLE_PROPERTY_LABEL, label);
}

/* Pure logic ------------------------------------------------------------ */

static void
test_format (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_local (2025, 6, 15, 12, 0, 0);
  g_autoptr(GDateTime) expires = g_date_time_add_minutes (now, 4);
  struct { gint64 seconds; const char *text; } lefts[] = {
    { -1, NULL },
    { 0, "1 second left" },
    { 1, "1 second left" },
    { 59, "59 seconds left" },
    { 60, "1 minute left" },
    { 61, "2 minutes left" },
    { 89 * 60, "89 minutes left" },
    { 2 * 3600, "About 2 hours left" },
  };
  struct { int days; const char *text; } modified[] = {
    { 0, "Modified today" },
    { 1, "Modified yesterday" },
    { 3, "Modified 3 days ago" },
    { 30, "Modified 16 May" },
    { 400, "Modified 11 May 2024" },
  };
  char *text;

  for (guint i = 0; i < G_N_ELEMENTS (lefts); i++)
    {
      text = cria_pull_row_format_time_left (lefts[i].seconds);
      g_assert_cmpstr (text, ==, lefts[i].text);
      g_free (text);
    }

  for (guint i = 0; i < G_N_ELEMENTS (modified); i++)
    {
      g_autoptr(GDateTime) when = g_date_time_add_days (now, -modified[i].days);

      text = cria_model_row_format_modified (when, now);
      g_assert_cmpstr (text, ==, modified[i].text);
      g_free (text);
    }

  text = cria_pull_row_format_progress (1200 * 1000 * 1000, 2000 * 1000 * 1000, 25.3e6, 32);
  g_assert_cmpstr (text, ==, "1.2\u00a0GB of 2.0\u00a0GB · 25.3\u00a0MB/s · 32 seconds left");
  g_free (text);

  text = cria_pull_row_format_progress (0, 0, 0, -1);
  g_assert_cmpstr (text, ==, "0 bytes");
  g_free (text);

  text = cria_pull_row_describe_status ("verifying sha256 digest");
  g_assert_cmpstr (text, ==, "Verifying the SHA-256 digest…");
  g_free (text);
  g_assert_null (cria_pull_row_describe_status ("pulling dde5aa3fc5ff"));

  text = cria_models_page_format_running (2000 * 1000 * 1000, 1000 * 1000 * 1000, expires, FALSE, now);
  g_assert_cmpstr (text, ==, "2.0\u00a0GB in memory · 50 % on the GPU · unloads in 4 minutes");
  g_free (text);

  text = cria_models_page_format_running (2000 * 1000 * 1000, 0, NULL, TRUE, now);
  g_assert_cmpstr (text, ==, "2.0\u00a0GB in memory · on the CPU · stays loaded");
  g_free (text);

  text = cria_create_model_dialog_suggest_name ("hf.co/org/repo:Q4_K_M", "copy");
  g_assert_cmpstr (text, ==, "repo-Q4_K_M-copy");
  g_free (text);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_dir = cria_ui_test_isolate_data_dir ();
  int ret;

  CRIA_UI_TEST_INIT_OR_SKIP (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/cria/models/format", test_format);
  ADD ("/cria/models/pull", test_pull);
  ADD ("/cria/models/notification-action", test_notification_action);
  ADD ("/cria/models/pull-several", test_pull_several);
  ADD ("/cria/models/pull-survives-pages", test_pull_survives_pages);
  ADD ("/cria/models/pull-invalid", test_pull_invalid);
  ADD ("/cria/models/pull-cancel", test_pull_cancel);
  ADD ("/cria/models/pull-unknown", test_pull_unknown);
  ADD ("/cria/models/catalog", test_catalog);
  ADD ("/cria/models/filter", test_filter);
  ADD ("/cria/models/remove", test_remove);
  ADD ("/cria/models/remove-gone", test_remove_gone);
  ADD ("/cria/models/details", test_details);
  ADD ("/cria/models/details-gone", test_details_gone);
  ADD ("/cria/models/running-unload", test_running_unload);
  ADD ("/cria/models/copy", test_copy);
  ADD ("/cria/models/create-variant", test_create_variant);
  ADD ("/cria/models/chat-not-installed", test_chat_not_installed);
  ADD ("/cria/models/chat-choose-another", test_chat_choose_another);
  ADD ("/cria/models/no-models", test_no_models);
  ADD ("/cria/models/offline-backend", test_offline_backend);
  ADD ("/cria/models/notification", test_notification);
  ADD ("/cria/models/accessible", test_accessible);
  ADD ("/cria/models/running-accessible", test_running_accessible);

#undef ADD

  ret = g_test_run ();
  cria_ui_test_remove_tree (data_dir);

  return ret;
}
