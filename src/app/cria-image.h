/* cria-image.h: an image ready to go with a message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The largest image a message takes, in bytes as sent (PNG or JPEG).
 * A full-resolution phone photo or a 4K screenshot fits; the vision
 * models scale every image down to about a megapixel anyway, and a
 * message's images travel again, in base64, with every later request of
 * the conversation. SI megabytes, so that the message says “20 MB”. */
#define CRIA_IMAGE_MAX_BYTES (20 * 1000 * 1000)

/* The most pixels an image may have: a small file can unpack to a huge
 * picture (8192 × 8192 is 256 MiB in memory). */
#define CRIA_IMAGE_MAX_PIXELS ((gint64) 8192 * 8192)

/* Thumbnails are squares of this many pixels at most: 64 logical pixels
 * at a scale of 2. */
#define CRIA_IMAGE_THUMBNAIL_PIXELS 128

#define CRIA_IMAGE_ERROR (cria_image_error_quark ())

typedef enum
{
  CRIA_IMAGE_ERROR_NOT_AN_IMAGE,    /* not in a format GTK reads, or damaged */
  CRIA_IMAGE_ERROR_TOO_LARGE,       /* over CRIA_IMAGE_MAX_BYTES as sent */
  CRIA_IMAGE_ERROR_TOO_MANY_PIXELS, /* over CRIA_IMAGE_MAX_PIXELS */
} CriaImageError;

GQuark      cria_image_error_quark           (void);

#define CRIA_TYPE_IMAGE (cria_image_get_type ())

G_DECLARE_FINAL_TYPE (CriaImage, cria_image, CRIA, IMAGE, GObject)

void        cria_image_new_async             (GBytes               *bytes,
                                              const char           *name,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
void        cria_image_new_for_texture_async (GdkTexture           *texture,
                                              const char           *name,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
CriaImage  *cria_image_new_finish            (GAsyncResult         *result,
                                              GError              **error);
const char *cria_image_get_name              (CriaImage            *self);
GBytes     *cria_image_get_bytes             (CriaImage            *self);
const char *cria_image_get_mime_type         (CriaImage            *self);
int         cria_image_get_width             (CriaImage            *self);
int         cria_image_get_height            (CriaImage            *self);
GdkTexture *cria_image_get_thumbnail         (CriaImage            *self);

G_END_DECLS
