/* test-image-strip.c: a message's images as thumbnails, read-only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <gtk/gtk.h>

#include "cria-image-strip.h"
#include "ui-test-images.h"
#include "ui-test-utils.h"

typedef struct
{
  GtkWindow      *window;
  CriaImageStrip *strip;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->window = GTK_WINDOW (gtk_window_new ());
  f->strip = CRIA_IMAGE_STRIP (cria_image_strip_new ());
  gtk_window_set_child (f->window, GTK_WIDGET (f->strip));
  gtk_window_present (f->window);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (f->strip), (gpointer *) &f->strip);
  gtk_window_destroy (f->window);
  cria_test_wait_until (f->strip == NULL);
}

static GPtrArray *
collect (Fixture    *f,
         GType       type,
         const char *css_class)
{
  GPtrArray *found = g_ptr_array_new ();

  cria_ui_test_collect (GTK_WIDGET (f->strip), type, found);
  for (guint i = found->len; i > 0; i--)
    {
      if (!gtk_widget_has_css_class (g_ptr_array_index (found, i - 1), css_class))
        g_ptr_array_remove_index (found, i - 1);
    }

  return found;
}

static guint
n_thumbnails (Fixture *f)
{
  GListModel *model = cria_image_strip_get_model (f->strip);

  return model != NULL ? g_list_model_get_n_items (model) : 0;
}

static void
test_message_images (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) images = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) thumbnails = NULL;
  g_autoptr(GPtrArray) buttons = NULL;
  GtkWidget *first;

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->strip)));
  g_assert_false (cria_image_strip_get_removable (f->strip));

  g_ptr_array_add (images, cria_ui_test_make_png (300, 200, 1));
  g_ptr_array_add (images, g_bytes_new_static ("damaged", 7));
  g_ptr_array_add (images, cria_ui_test_make_jpeg (20, 40, 2));

  /* Thumbnails come off the main thread; one that cannot be decoded is
   * left out */
  cria_image_strip_set_images (f->strip, images);
  cria_test_wait_until (n_thumbnails (f) == 2);
  cria_test_run_for (50);
  g_assert_cmpuint (n_thumbnails (f), ==, 2);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->strip)));

  thumbnails = collect (f, GTK_TYPE_IMAGE, "thumbnail");
  g_assert_cmpuint (thumbnails->len, ==, 2);
  gtk_test_accessible_assert_property (g_ptr_array_index (thumbnails, 0),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Image 1");
  gtk_test_accessible_assert_property (g_ptr_array_index (thumbnails, 1),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL, "Image 2");

  /* Read-only: nothing to remove */
  buttons = collect (f, GTK_TYPE_BUTTON, "remove-image");
  g_assert_cmpuint (buttons->len, ==, 0);

  /* A list row binds again and again: the same images are not redone */
  first = g_ptr_array_index (thumbnails, 0);
  cria_image_strip_set_images (f->strip, images);
  g_assert_cmpuint (n_thumbnails (f), ==, 2);
  g_assert_true (gtk_widget_is_ancestor (first, GTK_WIDGET (f->strip)));

  /* Unbound */
  cria_image_strip_set_images (f->strip, NULL);
  g_assert_cmpuint (n_thumbnails (f), ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->strip)));
}

static void
test_rebind_while_loading (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) second = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < 5; i++)
    g_ptr_array_add (first, cria_ui_test_make_png (400, 400, i));
  g_ptr_array_add (second, cria_ui_test_make_png (10, 10, 9));

  /* A row recycled for another message before its thumbnails came: only
   * the new message's images show */
  cria_image_strip_set_images (f->strip, first);
  cria_image_strip_set_images (f->strip, second);
  cria_test_wait_until (n_thumbnails (f) == 1);
  cria_test_run_for (200);
  g_assert_cmpuint (n_thumbnails (f), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  CRIA_UI_TEST_INIT_OR_SKIP (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/cria/image-strip/message-images", test_message_images);
  ADD ("/cria/image-strip/rebind-while-loading", test_rebind_while_loading);

#undef ADD

  return g_test_run ();
}
