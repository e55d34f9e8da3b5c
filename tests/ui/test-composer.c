/* test-composer.c: Enter sends, Shift+Enter breaks the line; images
 * attached, checked, converted, refused and removed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <gtk/gtk.h>

#include "cria-composer.h"
#include "cria-composer-private.h"
#include "cria-image.h"
#include "cria-model-private.h"
#include "ui-test-images.h"
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

/* Images ---------------------------------------------------------------- */

static gboolean
images_settled (Fixture *f,
                guint    n_images)
{
  return !cria_composer_get_loading (f->composer) &&
         cria_composer_get_n_images (f->composer) == n_images;
}

static void
assert_image (Fixture *f,
              guint    position,
              GBytes  *expected)
{
  g_autoptr(GPtrArray) images = cria_composer_dup_images (f->composer);

  g_assert_cmpuint (position, <, images->len);
  g_assert_true (g_bytes_equal (g_ptr_array_index (images, position), expected));
}

/* The widgets of @type in the strip with the style class @css_class */
static GPtrArray *
collect (Fixture    *f,
         GType       type,
         const char *css_class)
{
  GPtrArray *found = g_ptr_array_new ();

  cria_ui_test_collect (GTK_WIDGET (_cria_composer_get_image_strip (f->composer)), type, found);
  for (guint i = found->len; i > 0; i--)
    {
      if (!gtk_widget_has_css_class (g_ptr_array_index (found, i - 1), css_class))
        g_ptr_array_remove_index (found, i - 1);
    }

  return found;
}

static void
test_images_attach (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) png = cria_ui_test_make_png (40, 30, 1);
  g_autoptr(GBytes) jpeg = cria_ui_test_make_jpeg (40, 30, 2);
  g_autoptr(GPtrArray) pictures = NULL;
  g_autoptr(GPtrArray) buttons = NULL;

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_cria_composer_get_image_strip (f->composer))));
  gtk_test_accessible_assert_property (_cria_composer_get_attach_button (f->composer),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Attach Image");

  cria_composer_add_image_bytes (f->composer, png, "cat.png");
  cria_composer_add_image_bytes (f->composer, jpeg, "dog.jpg");
  g_assert_true (cria_composer_get_loading (f->composer));
  cria_test_wait_until (images_settled (f, 2));

  /* PNG and JPEG go as they are, in the order they came */
  assert_image (f, 0, png);
  assert_image (f, 1, jpeg);
  g_assert_null (_cria_composer_get_notice (f->composer));

  /* Images alone can be sent */
  g_assert_false (cria_composer_get_empty (f->composer));

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_cria_composer_get_image_strip (f->composer))));
  pictures = collect (f, GTK_TYPE_IMAGE, "thumbnail");
  g_assert_cmpuint (pictures->len, ==, 2);
  gtk_test_accessible_assert_property (g_ptr_array_index (pictures, 0),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Image 1: cat.png");
  gtk_test_accessible_assert_property (g_ptr_array_index (pictures, 1),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Image 2: dog.jpg");
  buttons = collect (f, GTK_TYPE_BUTTON, "remove-image");
  g_assert_cmpuint (buttons->len, ==, 2);
  gtk_test_accessible_assert_property (g_ptr_array_index (buttons, 0),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Remove image 1");
  gtk_test_accessible_assert_property (g_ptr_array_index (buttons, 1),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Remove image 2");

  /* Once sent, the page clears them */
  cria_composer_clear_images (f->composer);
  g_assert_cmpuint (cria_composer_get_n_images (f->composer), ==, 0);
  g_assert_true (cria_composer_get_empty (f->composer));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (_cria_composer_get_image_strip (f->composer))));
}

static void
test_images_convert (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) tiff = cria_ui_test_make_tiff (40, 30, 3);
  g_autoptr(GdkTexture) original = cria_ui_test_make_texture (40, 30, 3);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GdkTexture) sent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *original_pixels = g_malloc (40 * 30 * 4);
  g_autofree guint8 *sent_pixels = g_malloc (40 * 30 * 4);

  cria_composer_add_image_bytes (f->composer, tiff, "scan.tiff");
  cria_test_wait_until (images_settled (f, 1));

  /* Ollama reads PNG and JPEG: a TIFF goes as a PNG of the same picture */
  images = cria_composer_dup_images (f->composer);
  g_assert_true (cria_ui_test_is_png (g_ptr_array_index (images, 0)));

  sent = gdk_texture_new_from_bytes (g_ptr_array_index (images, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (sent), ==, 40);
  g_assert_cmpint (gdk_texture_get_height (sent), ==, 30);
  gdk_texture_download (original, original_pixels, 40 * 4);
  gdk_texture_download (sent, sent_pixels, 40 * 4);
  g_assert_cmpmem (original_pixels, 40 * 30 * 4, sent_pixels, 40 * 30 * 4);
}

static void
test_images_refused (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) first = cria_ui_test_make_png (20, 20, 1);
  g_autoptr(GBytes) last = cria_ui_test_make_png (20, 20, 2);
  g_autoptr(GBytes) huge = cria_ui_test_pad_bytes (first, CRIA_IMAGE_MAX_BYTES);
  g_autoptr(GBytes) text = g_bytes_new_static ("Just some words", 15);
  g_autoptr(GBytes) bomb = cria_ui_test_make_png_claiming (100000, 100000);
  g_autofree char *limit = g_format_size (CRIA_IMAGE_MAX_BYTES);
  g_autofree char *too_large = NULL;
  const char *notice;

  cria_composer_add_image_bytes (f->composer, first, "first.png");
  cria_composer_add_image_bytes (f->composer, huge, "huge.png");
  cria_composer_add_image_bytes (f->composer, text, "notes.txt");
  cria_composer_add_image_bytes (f->composer, bomb, "bomb.png");
  cria_composer_add_image_bytes (f->composer, last, "last.png");
  cria_test_wait_until (images_settled (f, 2));

  /* Each refusal says which file and why; the others are kept */
  assert_image (f, 0, first);
  assert_image (f, 1, last);
  notice = _cria_composer_get_notice (f->composer);
  g_assert_nonnull (notice);
  too_large = g_strdup_printf ("“huge.png” is larger than %s and was not attached.", limit);
  g_assert_nonnull (strstr (notice, too_large));
  g_assert_true (g_str_has_prefix (limit, "20.0"));
  g_assert_nonnull (strstr (notice, "“notes.txt” is not an image Cria can read"));
  g_assert_nonnull (strstr (notice, "“bomb.png” has too many pixels"));
  g_assert_null (strstr (notice, "first.png"));

  /* A new batch starts with a clean slate */
  cria_composer_add_image_bytes (f->composer, first, "again.png");
  g_assert_null (_cria_composer_get_notice (f->composer));
  cria_test_wait_until (images_settled (f, 3));
}

static void
test_images_limit (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GBytes) png = cria_ui_test_make_png (8, 8, 1);
  g_autofree char *expected = NULL;
  int minimum;

  for (guint i = 0; i <= CRIA_COMPOSER_MAX_IMAGES; i++)
    {
      g_autofree char *name = g_strdup_printf ("image-%u.png", i + 1);

      cria_composer_add_image_bytes (f->composer, png, name);
    }
  cria_test_wait_until (images_settled (f, CRIA_COMPOSER_MAX_IMAGES));

  expected = g_strdup_printf ("A message takes at most %u images: “image-%u.png” was not attached.",
                              CRIA_COMPOSER_MAX_IMAGES, CRIA_COMPOSER_MAX_IMAGES + 1);
  g_assert_cmpstr (_cria_composer_get_notice (f->composer), ==, expected);

  /* A full strip scrolls rather than widen the window */
  gtk_widget_measure (GTK_WIDGET (f->composer), GTK_ORIENTATION_HORIZONTAL, -1,
                      &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <, 360);
}

static void
test_images_drop_files (Fixture       *f,
                        gconstpointer  data)
{
  GtkDropTarget *target = _cria_composer_get_drop_target (f->composer);
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_dir_make_tmp ("cria-composer-XXXXXX", &error);
  g_autoptr(GBytes) png = cria_ui_test_make_png (30, 20, 1);
  g_autoptr(GBytes) jpeg = cria_ui_test_make_jpeg (30, 20, 2);
  g_autoptr(GBytes) big = cria_ui_test_pad_bytes (png, CRIA_IMAGE_MAX_BYTES);
  g_autoptr(GBytes) gif_as_tiff = cria_ui_test_make_tiff (30, 20, 3);
  g_autoptr(GPtrArray) images = NULL;
  GSList *files = NULL;

  g_assert_no_error (error);

  /* What the composer takes from a drag: files and images */
  g_assert_true (gdk_content_formats_contain_gtype (gtk_drop_target_get_formats (target),
                                                    GDK_TYPE_FILE_LIST));
  g_assert_true (gdk_content_formats_contain_gtype (gtk_drop_target_get_formats (target),
                                                    GDK_TYPE_TEXTURE));

  files = g_slist_append (files, cria_ui_test_write_file (folder, "cat.png", png));
  files = g_slist_append (files, cria_ui_test_write_file (folder, "big.png", big));
  files = g_slist_append (files, cria_ui_test_write_file (folder, "dog.jpg", jpeg));
  files = g_slist_append (files, cria_ui_test_write_file (folder, "scan.tif", gif_as_tiff));
  files = g_slist_append (files, g_file_new_for_path ("/nonexistent/gone.png"));

  g_assert_true (cria_ui_test_drop_files (target, files));
  cria_test_wait_until (images_settled (f, 3));

  assert_image (f, 0, png);
  assert_image (f, 1, jpeg);
  images = cria_composer_dup_images (f->composer);
  g_assert_true (cria_ui_test_is_png (g_ptr_array_index (images, 2)));

  g_assert_nonnull (strstr (_cria_composer_get_notice (f->composer),
                            "“big.png” is larger than 20.0"));
  g_assert_nonnull (strstr (_cria_composer_get_notice (f->composer),
                            "“gone.png” could not be read"));

  g_slist_free_full (files, g_object_unref);
  cria_ui_test_remove_tree (folder);
}

static void
test_images_drop_texture (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GdkTexture) texture = cria_ui_test_make_texture (16, 16, 4);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autoptr(GPtrArray) images = NULL;
  gboolean handled = FALSE;

  g_value_init (&value, GDK_TYPE_TEXTURE);
  g_value_set_object (&value, texture);
  g_signal_emit_by_name (_cria_composer_get_drop_target (f->composer), "drop",
                         &value, 10.0, 10.0, &handled);
  g_assert_true (handled);
  cria_test_wait_until (images_settled (f, 1));

  images = cria_composer_dup_images (f->composer);
  g_assert_true (cria_ui_test_is_png (g_ptr_array_index (images, 0)));
}

static void
test_images_paste (Fixture       *f,
                   gconstpointer  data)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (f->text_view));
  g_autoptr(GdkTexture) texture = cria_ui_test_make_texture (16, 16, 5);

  /* Ctrl+V with an image on the clipboard attaches it */
  gdk_clipboard_set_texture (clipboard, texture);
  g_signal_emit_by_name (f->text_view, "paste-clipboard");
  cria_test_wait_until (images_settled (f, 1));
  g_assert_true (cria_ui_test_buffer_equals (f->text_view, ""));

  /* Text still pastes as text */
  gdk_clipboard_set_text (clipboard, "Pasted words");
  g_signal_emit_by_name (f->text_view, "paste-clipboard");
  cria_test_wait_until (cria_ui_test_buffer_equals (f->text_view, "Pasted words"));
  g_assert_cmpuint (cria_composer_get_n_images (f->composer), ==, 1);
}

static void
test_images_remove (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) one = cria_ui_test_make_png (10, 10, 1);
  g_autoptr(GBytes) two = cria_ui_test_make_png (10, 10, 2);
  g_autoptr(GBytes) three = cria_ui_test_make_png (10, 10, 3);
  g_autoptr(GPtrArray) buttons = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) pictures = NULL;

  cria_composer_add_image_bytes (f->composer, one, "one.png");
  cria_composer_add_image_bytes (f->composer, two, "two.png");
  cria_composer_add_image_bytes (f->composer, three, "three.png");
  cria_test_wait_until (images_settled (f, 3));

  buttons = collect (f, GTK_TYPE_BUTTON, "remove-image");
  g_signal_emit_by_name (g_ptr_array_index (buttons, 1), "clicked");

  g_assert_cmpuint (cria_composer_get_n_images (f->composer), ==, 2);
  assert_image (f, 0, one);
  assert_image (f, 1, three);

  /* The names follow the places */
  after = collect (f, GTK_TYPE_BUTTON, "remove-image");
  g_assert_cmpuint (after->len, ==, 2);
  gtk_test_accessible_assert_property (g_ptr_array_index (after, 1),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Remove image 2");
  pictures = collect (f, GTK_TYPE_IMAGE, "thumbnail");
  gtk_test_accessible_assert_property (g_ptr_array_index (pictures, 1),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Image 2: three.png");
}

static void
test_images_file_chooser (Fixture       *f,
                          gconstpointer  data)
{
  GtkWidget *attach = _cria_composer_get_attach_button (f->composer);
  GtkNativeDialog *chooser;

  /* The button opens a chooser of several images */
  gtk_widget_grab_focus (attach);
  g_signal_emit_by_name (attach, "clicked");
  chooser = _cria_composer_get_file_chooser (f->composer);
  g_assert_nonnull (chooser);
  g_assert_true (gtk_native_dialog_get_visible (chooser));
  g_assert_true (gtk_file_chooser_get_select_multiple (GTK_FILE_CHOOSER (chooser)));
  g_assert_cmpstr (gtk_file_filter_get_name (gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (chooser))),
                   ==, "Images");

  /* Closed: back to writing, not on the button a space would press */
  gtk_native_dialog_hide (chooser);
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_CANCEL);
  g_assert_null (_cria_composer_get_file_chooser (f->composer));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (f->text_view)));
  g_assert_cmpuint (cria_composer_get_n_images (f->composer), ==, 0);
}

static CriaModel *
make_model (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);

  return _cria_model_new_from_json (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_images_vision_hint (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CriaModel) blind = make_model ("{\"name\":\"llama3.2:latest\",\"capabilities\":[\"completion\"]}");
  g_autoptr(CriaModel) seeing = make_model ("{\"name\":\"llava:7b\",\"capabilities\":[\"completion\",\"vision\"]}");
  g_autoptr(CriaModel) unknown = make_model ("{\"name\":\"llava:7b\"}");
  g_autoptr(GBytes) png = cria_ui_test_make_png (10, 10, 1);
  g_autofree char *blind_name = cria_model_dup_display_name (blind);
  g_autofree char *expected = g_strdup_printf ("%s can’t see images: it will get only your text.",
                                               blind_name);

  /* Nothing to say before an image is attached */
  cria_composer_set_model (f->composer, blind);
  g_assert_null (_cria_composer_get_vision_hint (f->composer));
  g_assert_false (cria_composer_get_images_ignored (f->composer));

  cria_composer_add_image_bytes (f->composer, png, "cat.png");
  cria_test_wait_until (images_settled (f, 1));
  g_assert_cmpstr (_cria_composer_get_vision_hint (f->composer), ==, expected);
  g_assert_true (cria_composer_get_images_ignored (f->composer));

  cria_composer_set_model (f->composer, seeing);
  g_assert_null (_cria_composer_get_vision_hint (f->composer));
  g_assert_false (cria_composer_get_images_ignored (f->composer));

  /* A server that does not list capabilities: a hint, nothing blocked */
  cria_composer_set_model (f->composer, unknown);
  g_assert_nonnull (_cria_composer_get_vision_hint (f->composer));
  g_assert_false (cria_composer_get_images_ignored (f->composer));

  cria_composer_set_model (f->composer, blind);
  cria_composer_clear_images (f->composer);
  g_assert_null (_cria_composer_get_vision_hint (f->composer));
  g_assert_false (cria_composer_get_images_ignored (f->composer));
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
  ADD ("/cria/composer/images/attach", test_images_attach);
  ADD ("/cria/composer/images/convert", test_images_convert);
  ADD ("/cria/composer/images/refused", test_images_refused);
  ADD ("/cria/composer/images/limit", test_images_limit);
  ADD ("/cria/composer/images/drop-files", test_images_drop_files);
  ADD ("/cria/composer/images/drop-texture", test_images_drop_texture);
  ADD ("/cria/composer/images/paste", test_images_paste);
  ADD ("/cria/composer/images/remove", test_images_remove);
  ADD ("/cria/composer/images/vision-hint", test_images_vision_hint);
  ADD ("/cria/composer/images/file-chooser", test_images_file_chooser);

#undef ADD

  return g_test_run ();
}
