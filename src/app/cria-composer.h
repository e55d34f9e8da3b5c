/* cria-composer.h: where the user writes a message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cria-core.h"

G_BEGIN_DECLS

#define CRIA_TYPE_COMPOSER (cria_composer_get_type ())

G_DECLARE_FINAL_TYPE (CriaComposer, cria_composer, CRIA, COMPOSER, GtkWidget)

/* The most images one message takes */
#define CRIA_COMPOSER_MAX_IMAGES 10

GtkWidget *cria_composer_new                (void);
char      *cria_composer_dup_text           (CriaComposer *self);
void       cria_composer_set_text           (CriaComposer *self,
                                             const char   *text);
gboolean   cria_composer_get_empty          (CriaComposer *self);
gboolean   cria_composer_get_busy           (CriaComposer *self);
void       cria_composer_set_busy           (CriaComposer *self,
                                             gboolean      busy);
GtkWidget *cria_composer_get_text_view      (CriaComposer *self);
void       cria_composer_add_image_bytes    (CriaComposer *self,
                                             GBytes       *bytes,
                                             const char   *name);
guint      cria_composer_get_n_images       (CriaComposer *self);
GPtrArray *cria_composer_dup_images         (CriaComposer *self);
void       cria_composer_clear_images       (CriaComposer *self);
gboolean   cria_composer_get_loading        (CriaComposer *self);
CriaModel *cria_composer_get_model          (CriaComposer *self);
void       cria_composer_set_model          (CriaComposer *self,
                                             CriaModel    *model);
gboolean   cria_composer_get_images_ignored (CriaComposer *self);

G_END_DECLS
