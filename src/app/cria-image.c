/* cria-image.c: an image ready to go with a message
 *
 * Checks that some bytes are an image, turns them into what Ollama takes
 * (PNG and JPEG as they are; any other format GTK reads becomes PNG), and
 * makes a small square thumbnail, all in a worker thread: decoding a photo takes
 * longer than a frame. GdkTexture is immutable, so made in one thread it
 * is safe to use in another.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-image"

#include "cria-config.h"

#include <string.h>

#include "cria-image.h"

struct _CriaImage
{
  GObject     parent_instance;

  char       *name;
  GBytes     *bytes;
  const char *mime_type;
  GdkTexture *thumbnail;
  int         width;
  int         height;
};

G_DEFINE_FINAL_TYPE (CriaImage, cria_image, G_TYPE_OBJECT)

G_DEFINE_QUARK (cria-image-error-quark, cria_image_error)

typedef struct
{
  GBytes     *bytes;
  GdkTexture *texture;
  char       *name;
} PrepareData;

static void
prepare_data_free (PrepareData *data)
{
  g_clear_pointer (&data->bytes, g_bytes_unref);
  g_clear_object (&data->texture);
  g_clear_pointer (&data->name, g_free);
  g_free (data);
}

static void
cria_image_finalize (GObject *object)
{
  CriaImage *self = CRIA_IMAGE (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_object (&self->thumbnail);

  G_OBJECT_CLASS (cria_image_parent_class)->finalize (object);
}

static void
cria_image_class_init (CriaImageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cria_image_finalize;
}

static void
cria_image_init (CriaImage *self)
{
}

/* Formats --------------------------------------------------------------- */

static const guint8 png_signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

static gboolean
is_png (const guint8 *data,
        gsize         size)
{
  return size >= sizeof png_signature && memcmp (data, png_signature, sizeof png_signature) == 0;
}

static gboolean
is_jpeg (const guint8 *data,
         gsize         size)
{
  return size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;
}

static guint
read_be16 (const guint8 *p)
{
  return ((guint) p[0] << 8) | p[1];
}

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* The size a PNG or a JPEG says it has, from its header, before decoding
 * it: FALSE when the header does not say (another format, or damaged) */
static gboolean
read_declared_size (const guint8 *data,
                    gsize         size,
                    gint64       *width,
                    gint64       *height)
{
  if (is_png (data, size))
    {
      /* The signature, then the IHDR chunk: length, type, width, height */
      if (size < 24 || memcmp (data + 12, "IHDR", 4) != 0)
        return FALSE;

      *width = read_be32 (data + 16);
      *height = read_be32 (data + 20);
      return TRUE;
    }

  if (is_jpeg (data, size))
    {
      gsize i = 2;

      /* Segments up to the start of frame, which holds the size */
      while (i + 4 <= size)
        {
          guint marker;
          guint length;

          if (data[i] != 0xFF)
            return FALSE;

          marker = data[i + 1];
          if (marker == 0xFF)
            {
              i++;
              continue;
            }
          if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8))
            {
              i += 2;
              continue;
            }

          length = read_be16 (data + i + 2);
          if (length < 2)
            return FALSE;

          if (marker >= 0xC0 && marker <= 0xCF &&
              marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
            {
              if (i + 9 > size)
                return FALSE;

              *height = read_be16 (data + i + 5);
              *width = read_be16 (data + i + 7);
              return TRUE;
            }

          i += 2 + length;
        }
    }

  return FALSE;
}

static gboolean
check_size (gint64   width,
            gint64   height,
            GError **error)
{
  if (width * height > CRIA_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, CRIA_IMAGE_ERROR, CRIA_IMAGE_ERROR_TOO_MANY_PIXELS,
                   "The image has %" G_GINT64_FORMAT " × %" G_GINT64_FORMAT " pixels",
                   width, height);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_bytes (GBytes  *bytes,
             GError **error)
{
  gsize size = g_bytes_get_size (bytes);

  if (size > CRIA_IMAGE_MAX_BYTES)
    {
      g_set_error (error, CRIA_IMAGE_ERROR, CRIA_IMAGE_ERROR_TOO_LARGE,
                   "The image has %" G_GSIZE_FORMAT " bytes", size);
      return FALSE;
    }

  return TRUE;
}

/* Thumbnails ------------------------------------------------------------ */

/* The middle square of @texture, scaled down to at most
 * CRIA_IMAGE_THUMBNAIL_PIXELS a side; each pixel the average of those it
 * covers (premultiplied alpha, so averaging is right) */
static GdkTexture *
make_thumbnail (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  int side = MIN (width, height);
  int x_offset = (width - side) / 2;
  int y_offset = (height - side) / 2;
  int out_side = MIN (side, CRIA_IMAGE_THUMBNAIL_PIXELS);
  g_autofree guint8 *pixels = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint8 *out;
  gsize stride;

  if (width == height && side <= CRIA_IMAGE_THUMBNAIL_PIXELS)
    return g_object_ref (texture);

  stride = (gsize) width * 4;
  pixels = g_malloc (stride * height);
  gdk_texture_download (texture, pixels, stride);

  out = g_malloc ((gsize) out_side * out_side * 4);

  for (int y = 0; y < out_side; y++)
    {
      int y0 = y_offset + (int) ((gint64) y * side / out_side);
      int y1 = MAX (y0 + 1, y_offset + (int) ((gint64) (y + 1) * side / out_side));

      for (int x = 0; x < out_side; x++)
        {
          int x0 = x_offset + (int) ((gint64) x * side / out_side);
          int x1 = MAX (x0 + 1, x_offset + (int) ((gint64) (x + 1) * side / out_side));
          guint64 sum[4] = { 0, 0, 0, 0 };
          guint64 count = (guint64) (y1 - y0) * (x1 - x0);
          guint8 *dest = out + ((gsize) y * out_side + x) * 4;

          for (int sy = y0; sy < y1; sy++)
            {
              const guint8 *src = pixels + sy * stride + (gsize) x0 * 4;

              for (int sx = x0; sx < x1; sx++, src += 4)
                {
                  sum[0] += src[0];
                  sum[1] += src[1];
                  sum[2] += src[2];
                  sum[3] += src[3];
                }
            }

          for (int c = 0; c < 4; c++)
            dest[c] = (guint8) ((sum[c] + count / 2) / count);
        }
    }

  bytes = g_bytes_new_take (out, (gsize) out_side * out_side * 4);

  return gdk_memory_texture_new (out_side, out_side, GDK_MEMORY_DEFAULT,
                                 bytes, (gsize) out_side * 4);
}

/* The worker ------------------------------------------------------------ */

static CriaImage *
prepare (PrepareData  *data,
         GError      **error)
{
  g_autoptr(CriaImage) self = g_object_new (CRIA_TYPE_IMAGE, NULL);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *raw;
  gsize size;
  gint64 width;
  gint64 height;

  if (data->texture != NULL)
    {
      /* Already decoded: pasted or dropped */
      texture = g_object_ref (data->texture);
      if (!check_size (gdk_texture_get_width (texture), gdk_texture_get_height (texture), error))
        return NULL;
      bytes = gdk_texture_save_to_png_bytes (texture);
    }
  else
    {
      bytes = g_bytes_ref (data->bytes);
      if (!check_bytes (bytes, error))
        return NULL;

      raw = g_bytes_get_data (bytes, &size);
      if (read_declared_size (raw, size, &width, &height) && !check_size (width, height, error))
        return NULL;

      texture = gdk_texture_new_from_bytes (bytes, NULL);
      if (texture == NULL)
        {
          g_set_error_literal (error, CRIA_IMAGE_ERROR, CRIA_IMAGE_ERROR_NOT_AN_IMAGE,
                               "Not an image");
          return NULL;
        }
      if (!check_size (gdk_texture_get_width (texture), gdk_texture_get_height (texture), error))
        return NULL;

      /* Ollama reads PNG and JPEG; anything else goes as PNG */
      if (!is_png (raw, size) && !is_jpeg (raw, size))
        {
          g_bytes_unref (bytes);
          bytes = gdk_texture_save_to_png_bytes (texture);
        }
    }

  if (!check_bytes (bytes, error))
    return NULL;

  raw = g_bytes_get_data (bytes, &size);
  self->mime_type = is_jpeg (raw, size) ? "image/jpeg" : "image/png";
  self->name = g_strdup (data->name);
  self->bytes = g_steal_pointer (&bytes);
  self->width = gdk_texture_get_width (texture);
  self->height = gdk_texture_get_height (texture);
  self->thumbnail = make_thumbnail (texture);

  g_debug ("Prepared a %d × %d image, %" G_GSIZE_FORMAT " bytes of %s",
           self->width, self->height, size, self->mime_type);

  return g_steal_pointer (&self);
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  CriaImage *image;

  image = prepare (task_data, &error);
  if (image == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, image, g_object_unref);
}

static void
start (PrepareData         *data,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_image_new_async);
  g_task_set_task_data (task, data, (GDestroyNotify) prepare_data_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, prepare_thread);
}

/**
 * cria_image_new_async:
 * @bytes: the content of an image file, in any format GTK reads
 * @name: (nullable): what to call it, such as its file name
 *
 * Checks and converts @bytes in a worker thread. Fails with a
 * %CRIA_IMAGE_ERROR when they are not an image, or one too large.
 */
void
cria_image_new_async (GBytes              *bytes,
                      const char          *name,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  PrepareData *data;

  g_return_if_fail (bytes != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (PrepareData, 1);
  data->bytes = g_bytes_ref (bytes);
  data->name = g_strdup (name);
  start (data, cancellable, callback, user_data);
}

/**
 * cria_image_new_for_texture_async:
 * @texture: a decoded image, pasted or dropped
 * @name: (nullable): what to call it
 *
 * As cria_image_new_async (), for an image already decoded: it is sent as
 * PNG. The texture must not be a GL texture (those from the clipboard and
 * from drops never are).
 */
void
cria_image_new_for_texture_async (GdkTexture          *texture,
                                  const char          *name,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  PrepareData *data;

  g_return_if_fail (GDK_IS_TEXTURE (texture));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (PrepareData, 1);
  data->texture = g_object_ref (texture);
  data->name = g_strdup (name);
  start (data, cancellable, callback, user_data);
}

/**
 * cria_image_new_finish:
 *
 * Returns: (transfer full): the image, or %NULL with @error set
 */
CriaImage *
cria_image_new_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cria_image_new_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * cria_image_get_name:
 *
 * Returns: (nullable): what the image is called, such as its file name
 */
const char *
cria_image_get_name (CriaImage *self)
{
  g_return_val_if_fail (CRIA_IS_IMAGE (self), NULL);

  return self->name;
}

/**
 * cria_image_get_bytes:
 *
 * Returns: (transfer none): the image as it is sent, PNG or JPEG
 */
GBytes *
cria_image_get_bytes (CriaImage *self)
{
  g_return_val_if_fail (CRIA_IS_IMAGE (self), NULL);

  return self->bytes;
}

/**
 * cria_image_get_mime_type:
 *
 * Returns: "image/png" or "image/jpeg"
 */
const char *
cria_image_get_mime_type (CriaImage *self)
{
  g_return_val_if_fail (CRIA_IS_IMAGE (self), NULL);

  return self->mime_type;
}

int
cria_image_get_width (CriaImage *self)
{
  g_return_val_if_fail (CRIA_IS_IMAGE (self), 0);

  return self->width;
}

int
cria_image_get_height (CriaImage *self)
{
  g_return_val_if_fail (CRIA_IS_IMAGE (self), 0);

  return self->height;
}

/**
 * cria_image_get_thumbnail:
 *
 * Returns: (transfer none): the middle square of the image, at most
 *   %CRIA_IMAGE_THUMBNAIL_PIXELS a side
 */
GdkTexture *
cria_image_get_thumbnail (CriaImage *self)
{
  g_return_val_if_fail (CRIA_IS_IMAGE (self), NULL);

  return self->thumbnail;
}
