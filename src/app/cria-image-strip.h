/* cria-image-strip.h: a row of image thumbnails
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CRIA_TYPE_IMAGE_STRIP (cria_image_strip_get_type ())

G_DECLARE_FINAL_TYPE (CriaImageStrip, cria_image_strip, CRIA, IMAGE_STRIP, GtkWidget)

GtkWidget  *cria_image_strip_new           (void);
GListModel *cria_image_strip_get_model     (CriaImageStrip *self);
void        cria_image_strip_set_model     (CriaImageStrip *self,
                                            GListModel     *model);
void        cria_image_strip_set_images    (CriaImageStrip *self,
                                            GPtrArray      *images);
gboolean    cria_image_strip_get_removable (CriaImageStrip *self);
void        cria_image_strip_set_removable (CriaImageStrip *self,
                                            gboolean        removable);

G_END_DECLS
