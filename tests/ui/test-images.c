/* test-images.c: images for vision models, through the real window
 *
 * The simulator lists a vision model and one without vision; the
 * application runs in-process against it. Images are attached through
 * the composer (its API, and a drop of files as GTK delivers it), sent
 * with Enter, and looked for in the body the simulator received.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <gtk/gtk.h>
#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "cria-application.h"
#include "cria-composer-private.h"
#include "cria-image.h"
#include "cria-image-strip.h"
#include "cria-message-row-private.h"
#include "cria-settings.h"
#include "cria-test-server.h"
#include "cria-window.h"
#include "cria-window-private.h"
#include "ui-test-images.h"
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

/* The application, with @model selected */
static void
start_app (Fixture    *f,
           const char *model)
{
  g_settings_set_string (f->settings, CRIA_SETTINGS_KEY_LAST_MODEL, model);
  g_settings_set_string (f->settings, CRIA_SETTINGS_KEY_LAST_BACKEND, f->url);
  g_setenv ("OLLAMA_HOST", f->url, TRUE);

  f->app = cria_ui_test_start_app (&f->window);

  cria_ui_test_wait_for_chat (f->window);
  g_assert_cmpstr (cria_chat_session_get_model (cria_window_get_session (f->window)), ==, model);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->settings = cria_ui_test_reset_settings ();

  f->server = cria_test_server_new ();
  cria_test_server_clear_models (f->server);
  cria_test_server_add_model (f->server, "llava:7b", vision);
  cria_test_server_add_model (f->server, "llama3.2:latest", completion);
  cria_test_server_set_reply (f->server, "A cat on a mat.", NULL);
  f->url = cria_ui_test_start_server (f->server);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cria_ui_test_tear_down (&f->app, &f->window, &f->server, &f->url);
  g_settings_reset (f->settings, CRIA_SETTINGS_KEY_LAST_MODEL);
  g_settings_reset (f->settings, CRIA_SETTINGS_KEY_LAST_BACKEND);
  g_clear_object (&f->settings);
}

/* Helpers --------------------------------------------------------------- */

static CriaComposer *
get_composer (Fixture *f)
{
  return cria_chat_page_get_composer (f->window->chat_page);
}

static void
add_images (Fixture    *f,
            GBytes    **images,
            guint       n_images)
{
  guint n_before = cria_composer_get_n_images (get_composer (f));

  for (guint i = 0; i < n_images; i++)
    {
      g_autofree char *name = g_strdup_printf ("image-%u.png", i + 1);

      cria_composer_add_image_bytes (get_composer (f), images[i], name);
    }

  cria_test_wait_until (!cria_composer_get_loading (get_composer (f)));
  g_assert_cmpuint (cria_composer_get_n_images (get_composer (f)), ==, n_before + n_images);
}

/* Types and sends with Enter, as the user does */
static void
type_and_send (Fixture    *f,
               const char *text)
{
  GtkWidget *text_view = cria_composer_get_text_view (get_composer (f));

  gtk_widget_grab_focus (text_view);
  cria_composer_set_text (get_composer (f), text);
  g_assert_true (cria_ui_test_press_key (text_view, GDK_KEY_Return, 0));
}

static gboolean
session_idle (Fixture *f)
{
  return !cria_chat_session_get_busy (cria_window_get_session (f->window));
}

/* The last message of the last /api/chat request */
static JsonObject *
dup_last_sent_message (Fixture *f)
{
  g_autofree char *body = cria_test_server_dup_last_body (f->server, "/api/chat");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *messages;

  g_assert_nonnull (body);
  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);

  messages = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "messages");
  g_assert_cmpuint (json_array_get_length (messages), >, 0);

  return json_object_ref (json_array_get_object_element (messages,
                                                         json_array_get_length (messages) - 1));
}

/* The images of @message in the request, decoded from plain base64
 * (a data: prefix would not decode to the same bytes) */
static GPtrArray *
dup_sent_images (JsonObject *message)
{
  GPtrArray *images = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  JsonArray *array;

  if (!json_object_has_member (message, "images"))
    return images;

  array = json_object_get_array_member (message, "images");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *text = json_array_get_string_element (array, i);
      gsize size;
      guchar *data;

      g_assert_false (g_str_has_prefix (text, "data:"));
      data = g_base64_decode (text, &size);
      g_ptr_array_add (images, g_bytes_new_take (data, size));
    }

  return images;
}

/* Clicks the button of @label in @dialog, and waits for it to close */
static void
respond (AdwMessageDialog *dialog,
         const char       *label)
{
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  cria_ui_test_click_button (GTK_WIDGET (dialog), label);
  cria_test_wait_until (dialog == NULL || !gtk_widget_get_visible (GTK_WIDGET (dialog)));
  if (dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
}

static CriaMessageRow *
match_message_row (Fixture         *f,
                   CriaChatMessage *message)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  cria_ui_test_collect (GTK_WIDGET (f->window), CRIA_TYPE_MESSAGE_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      if (cria_message_row_get_message (g_ptr_array_index (rows, i)) == message)
        return g_ptr_array_index (rows, i);
    }

  return NULL;
}

/* The row showing @message, once the list has made it */
static CriaMessageRow *
find_message_row (Fixture         *f,
                  CriaChatMessage *message)
{
  CriaMessageRow *found = NULL;

  cria_test_wait_until ((found = match_message_row (f, message)) != NULL);

  return found;
}

static guint
row_image_count (CriaMessageRow *row)
{
  GListModel *model = cria_image_strip_get_model (_cria_message_row_get_user_images (row));

  return model != NULL ? g_list_model_get_n_items (model) : 0;
}

/* Tests ----------------------------------------------------------------- */

static void
test_send_vision (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) png = cria_ui_test_make_png (64, 48, 1);
  g_autoptr(GBytes) jpeg = cria_ui_test_make_jpeg (64, 48, 2);
  g_autoptr(GBytes) tiff = cria_ui_test_make_tiff (32, 32, 3);
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("cria-images-XXXXXX", &error);
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(GPtrArray) sent = NULL;
  g_autoptr(CriaChatMessage) question = NULL;
  CriaMessageRow *row;
  GSList *files = NULL;

  g_assert_no_error (error);
  start_app (f, "llava:7b");

  /* One through the composer's API, two dropped as files */
  add_images (f, &png, 1);
  files = g_slist_append (files, cria_ui_test_write_file (folder, "dog.jpg", jpeg));
  files = g_slist_append (files, cria_ui_test_write_file (folder, "scan.tiff", tiff));
  g_assert_true (cria_ui_test_drop_files (_cria_composer_get_drop_target (get_composer (f)), files));
  cria_test_wait_until (!cria_composer_get_loading (get_composer (f)) &&
                        cria_composer_get_n_images (get_composer (f)) == 3);

  /* A vision model: nothing to warn about */
  g_assert_null (_cria_composer_get_vision_hint (get_composer (f)));

  type_and_send (f, "What is in these pictures?");
  g_assert_null (cria_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  cria_test_wait_until (cria_test_server_get_request_count (f->server, "/api/chat") == 1);

  /* The strip is emptied once sent */
  g_assert_cmpuint (cria_composer_get_n_images (get_composer (f)), ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_cria_composer_get_image_strip (get_composer (f)))));
  cria_test_wait_until (session_idle (f));

  /* Plain base64 of the exact bytes; the TIFF arrives as PNG */
  message = dup_last_sent_message (f);
  g_assert_cmpstr (json_object_get_string_member (message, "role"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==,
                   "What is in these pictures?");
  sent = dup_sent_images (message);
  g_assert_cmpuint (sent->len, ==, 3);
  g_assert_true (g_bytes_equal (g_ptr_array_index (sent, 0), png));
  g_assert_true (g_bytes_equal (g_ptr_array_index (sent, 1), jpeg));
  g_assert_true (cria_ui_test_is_png (g_ptr_array_index (sent, 2)));

  /* The user's message keeps them */
  question = g_list_model_get_item (G_LIST_MODEL (cria_window_get_session (f->window)), 0);
  g_assert_nonnull (cria_chat_message_get_images (question));
  g_assert_cmpuint (cria_chat_message_get_images (question)->len, ==, 3);

  /* …and shows them, as thumbnails above its text */
  row = find_message_row (f, question);
  cria_test_wait_until (row_image_count (row) == 3);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_cria_message_row_get_user_images (row))));

  g_slist_free_full (files, g_object_unref);
  cria_ui_test_remove_tree (folder);
}

static void
test_only_images (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) png = cria_ui_test_make_png (20, 20, 1);
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(GPtrArray) sent = NULL;

  start_app (f, "llava:7b");

  /* No text, no image: nothing to send */
  g_assert_false (gtk_widget_is_sensitive (_cria_composer_get_send_button (get_composer (f))));

  /* An image alone is a message */
  add_images (f, &png, 1);
  g_assert_true (gtk_widget_is_sensitive (_cria_composer_get_send_button (get_composer (f))));

  type_and_send (f, "");
  cria_test_wait_until (cria_test_server_get_request_count (f->server, "/api/chat") == 1);
  cria_test_wait_until (session_idle (f));

  message = dup_last_sent_message (f);
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, "");
  sent = dup_sent_images (message);
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (sent, 0), png));
  g_assert_false (gtk_widget_is_sensitive (_cria_composer_get_send_button (get_composer (f))));
}

static void
test_removed (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) one = cria_ui_test_make_png (10, 10, 1);
  g_autoptr(GBytes) two = cria_ui_test_make_png (10, 10, 2);
  g_autoptr(GBytes) three = cria_ui_test_make_png (10, 10, 3);
  GBytes *images[] = { one, two, three };
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(GPtrArray) sent = NULL;

  start_app (f, "llava:7b");
  add_images (f, images, G_N_ELEMENTS (images));

  /* The Remove button of the second thumbnail */
  cria_ui_test_collect (GTK_WIDGET (_cria_composer_get_image_strip (get_composer (f))),
                        GTK_TYPE_BUTTON, buttons);
  g_assert_cmpuint (buttons->len, ==, 3);
  gtk_test_accessible_assert_property (g_ptr_array_index (buttons, 1),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Remove image 2");
  g_signal_emit_by_name (g_ptr_array_index (buttons, 1), "clicked");

  type_and_send (f, "Two pictures");
  cria_test_wait_until (cria_test_server_get_request_count (f->server, "/api/chat") == 1);
  cria_test_wait_until (session_idle (f));

  message = dup_last_sent_message (f);
  sent = dup_sent_images (message);
  g_assert_cmpuint (sent->len, ==, 2);
  g_assert_true (g_bytes_equal (g_ptr_array_index (sent, 0), one));
  g_assert_true (g_bytes_equal (g_ptr_array_index (sent, 1), three));
}

static void
test_refused_kept (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) small = cria_ui_test_make_png (10, 10, 1);
  g_autoptr(GBytes) huge = cria_ui_test_pad_bytes (small, CRIA_IMAGE_MAX_BYTES);
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(GPtrArray) sent = NULL;

  start_app (f, "llava:7b");

  cria_composer_add_image_bytes (get_composer (f), huge, "huge.png");
  cria_composer_add_image_bytes (get_composer (f), small, "small.png");
  cria_test_wait_until (!cria_composer_get_loading (get_composer (f)));
  g_assert_cmpuint (cria_composer_get_n_images (get_composer (f)), ==, 1);
  g_assert_nonnull (strstr (_cria_composer_get_notice (get_composer (f)), "“huge.png” is larger than"));

  /* The text typed meanwhile is not lost either */
  type_and_send (f, "The small one");
  cria_test_wait_until (cria_test_server_get_request_count (f->server, "/api/chat") == 1);
  cria_test_wait_until (session_idle (f));

  message = dup_last_sent_message (f);
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, "The small one");
  sent = dup_sent_images (message);
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (sent, 0), small));

  /* Sent: the notice of the refused one goes too */
  g_assert_null (_cria_composer_get_notice (get_composer (f)));
}

static void
test_no_vision (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) png = cria_ui_test_make_png (20, 20, 1);
  g_autoptr(JsonObject) message = NULL;
  AdwMessageDialog *dialog;
  const char *hint;

  start_app (f, "llama3.2:latest");

  /* Warned at once */
  add_images (f, &png, 1);
  hint = _cria_composer_get_vision_hint (get_composer (f));
  g_assert_nonnull (hint);
  g_assert_nonnull (strstr (hint, "can’t see images"));

  /* And asked before sending: Cancel sends nothing and keeps it all */
  type_and_send (f, "Describe this");
  dialog = cria_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Send Without Images?");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "send"));
  respond (dialog, "_Cancel");

  cria_test_run_for (100);
  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/chat"), ==, 0);
  g_assert_cmpuint (cria_composer_get_n_images (get_composer (f)), ==, 1);
  g_assert_true (cria_ui_test_buffer_equals (GTK_TEXT_VIEW (cria_composer_get_text_view (get_composer (f))),
                                             "Describe this"));

  /* Send Anyway: the text alone */
  type_and_send (f, "Describe this");
  dialog = cria_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  respond (dialog, "_Send Anyway");
  cria_test_wait_until (cria_test_server_get_request_count (f->server, "/api/chat") == 1);
  cria_test_wait_until (session_idle (f));

  message = dup_last_sent_message (f);
  g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, "Describe this");
  g_assert_false (json_object_has_member (message, "images"));
  g_assert_cmpuint (cria_composer_get_n_images (get_composer (f)), ==, 0);
  g_assert_null (_cria_composer_get_vision_hint (get_composer (f)));
}

static void
test_no_vision_no_text (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GBytes) png = cria_ui_test_make_png (20, 20, 1);
  AdwMessageDialog *dialog;

  start_app (f, "llama3.2:latest");
  add_images (f, &png, 1);

  /* Only images, to a model that cannot see them: nothing to send anyway */
  type_and_send (f, "");
  dialog = cria_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "send"));
  respond (dialog, "_Cancel");

  g_assert_cmpuint (cria_test_server_get_request_count (f->server, "/api/chat"), ==, 0);
  g_assert_cmpuint (cria_composer_get_n_images (get_composer (f)), ==, 1);
}

static void
test_unknown_capabilities (Fixture       *f,
                           gconstpointer  data)
{
  CriaTestFaults faults = { .old_server = TRUE };
  g_autoptr(GBytes) png = cria_ui_test_make_png (20, 20, 1);
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(GPtrArray) sent = NULL;

  /* A server too old to list capabilities: a hint, never a block */
  cria_test_server_set_faults (f->server, &faults);
  start_app (f, "llama3.2:latest");
  add_images (f, &png, 1);
  g_assert_nonnull (_cria_composer_get_vision_hint (get_composer (f)));

  type_and_send (f, "Maybe you can see it");
  g_assert_null (cria_ui_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  cria_test_wait_until (cria_test_server_get_request_count (f->server, "/api/chat") == 1);
  cria_test_wait_until (session_idle (f));

  message = dup_last_sent_message (f);
  sent = dup_sent_images (message);
  g_assert_cmpuint (sent->len, ==, 1);
  g_assert_true (g_bytes_equal (g_ptr_array_index (sent, 0), png));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_dir = cria_ui_test_isolate_data_dir ();
  int status;

  CRIA_UI_TEST_INIT_OR_SKIP (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/cria/images/send-vision", test_send_vision);
  ADD ("/cria/images/only-images", test_only_images);
  ADD ("/cria/images/removed", test_removed);
  ADD ("/cria/images/refused-kept", test_refused_kept);
  ADD ("/cria/images/no-vision", test_no_vision);
  ADD ("/cria/images/no-vision-no-text", test_no_vision_no_text);
  ADD ("/cria/images/unknown-capabilities", test_unknown_capabilities);

#undef ADD

  status = g_test_run ();
  cria_ui_test_remove_tree (data_dir);

  return status;
}
