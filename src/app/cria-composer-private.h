/* cria-composer-private.h: what the tests look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-composer.h"

G_BEGIN_DECLS

GtkWidget *_cria_composer_get_send_button (CriaComposer *self);
GtkWidget *_cria_composer_get_stop_button (CriaComposer *self);

G_END_DECLS
