/* ui-test-images.h: images made by the tests, no binary fixtures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <string.h>

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A @width × @height texture, a gradient over @seed: two seeds give two
 * different pictures */
static inline GdkTexture *
cria_ui_test_make_texture (int   width,
                           int   height,
                           guint seed)
{
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels = g_malloc ((gsize) width * height * 4);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + ((gsize) y * width + x) * 4;

        p[0] = (guint8) (x * 255 / MAX (1, width - 1));
        p[1] = (guint8) (y * 255 / MAX (1, height - 1));
        p[2] = (guint8) (seed * 40);
        p[3] = 255;
      }

  bytes = g_bytes_new_take (pixels, (gsize) width * height * 4);

  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, bytes, (gsize) width * 4);
}

static inline GBytes *
cria_ui_test_make_png (int   width,
                       int   height,
                       guint seed)
{
  g_autoptr(GdkTexture) texture = cria_ui_test_make_texture (width, height, seed);

  return gdk_texture_save_to_png_bytes (texture);
}

/* TIFF: a format GTK reads that Ollama does not */
static inline GBytes *
cria_ui_test_make_tiff (int   width,
                        int   height,
                        guint seed)
{
  g_autoptr(GdkTexture) texture = cria_ui_test_make_texture (width, height, seed);

  return gdk_texture_save_to_tiff_bytes (texture);
}

static inline GBytes *
cria_ui_test_make_jpeg (int   width,
                        int   height,
                        guint seed)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GError) error = NULL;
  char *buffer = NULL;
  gsize size = 0;

  gdk_pixbuf_fill (pixbuf, 0x3366ff00 + seed);
  gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "jpeg", &error, NULL);
  g_assert_no_error (error);

  return g_bytes_new_take (buffer, size);
}

/* @bytes with @n_extra bytes of nothing after them: still an image to a
 * decoder, but a file of that size */
static inline GBytes *
cria_ui_test_pad_bytes (GBytes *bytes,
                        gsize   n_extra)
{
  gsize size = g_bytes_get_size (bytes);
  guint8 *data = g_malloc0 (size + n_extra);

  memcpy (data, g_bytes_get_data (bytes, NULL), size);

  return g_bytes_new_take (data, size + n_extra);
}

/* A PNG whose header claims @width × @height: what a decompression bomb
 * looks like before it is decoded */
static inline GBytes *
cria_ui_test_make_png_claiming (guint32 width,
                                guint32 height)
{
  g_autoptr(GBytes) png = cria_ui_test_make_png (8, 8, 0);
  gsize size = g_bytes_get_size (png);
  guint8 *data = g_memdup2 (g_bytes_get_data (png, NULL), size);

  data[16] = width >> 24; data[17] = width >> 16; data[18] = width >> 8; data[19] = width;
  data[20] = height >> 24; data[21] = height >> 16; data[22] = height >> 8; data[23] = height;

  return g_bytes_new_take (data, size);
}

static inline gboolean
cria_ui_test_is_png (GBytes *bytes)
{
  static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  return size >= sizeof signature && memcmp (data, signature, sizeof signature) == 0;
}

/* Writes @bytes to a new file called @name in @folder */
static inline GFile *
cria_ui_test_write_file (const char *folder,
                         const char *name,
                         GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);

  return g_file_new_for_path (path);
}

/* What a drop of @files on @target does, as GTK would deliver it: the
 * drop signal with a GDK_TYPE_FILE_LIST value. GTK 4.8 has no way to
 * synthesize a drag from another application. */
static inline gboolean
cria_ui_test_drop_files (GtkDropTarget *target,
                         GSList        *files)
{
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean handled = FALSE;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, files);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &handled);

  return handled;
}

G_END_DECLS
