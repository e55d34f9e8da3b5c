/* cria-composer-private.h: what the tests look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-composer.h"
#include "cria-image-strip.h"

G_BEGIN_DECLS

GtkWidget      *_cria_composer_get_send_button    (CriaComposer *self);
GtkWidget      *_cria_composer_get_stop_button    (CriaComposer *self);
GtkWidget      *_cria_composer_get_attach_button  (CriaComposer *self);
CriaImageStrip *_cria_composer_get_image_strip    (CriaComposer *self);
GtkDropTarget  *_cria_composer_get_drop_target    (CriaComposer *self);
GtkNativeDialog *_cria_composer_get_file_chooser  (CriaComposer *self);
/* NULL when no notice is shown */
const char     *_cria_composer_get_notice         (CriaComposer *self);
/* NULL when no hint is shown */
const char     *_cria_composer_get_vision_hint    (CriaComposer *self);

G_END_DECLS
