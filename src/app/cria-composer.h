/* cria-composer.h: where the user writes a message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CRIA_TYPE_COMPOSER (cria_composer_get_type ())

G_DECLARE_FINAL_TYPE (CriaComposer, cria_composer, CRIA, COMPOSER, GtkWidget)

GtkWidget *cria_composer_new           (void);
char      *cria_composer_dup_text      (CriaComposer *self);
void       cria_composer_set_text      (CriaComposer *self,
                                        const char   *text);
gboolean   cria_composer_get_empty     (CriaComposer *self);
gboolean   cria_composer_get_busy      (CriaComposer *self);
void       cria_composer_set_busy      (CriaComposer *self,
                                        gboolean      busy);
GtkWidget *cria_composer_get_text_view (CriaComposer *self);

G_END_DECLS
