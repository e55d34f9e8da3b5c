/* cria-model-details-window-private.h: what the tests look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-model-details-window.h"

G_BEGIN_DECLS

const char  *_cria_model_details_window_get_page       (CriaModelDetailsWindow *self);
const char  *_cria_model_details_window_get_field      (CriaModelDetailsWindow *self,
                                                        const char             *name);
GtkTextView *_cria_model_details_window_get_text_view  (CriaModelDetailsWindow *self,
                                                        const char             *section);
GtkWidget   *_cria_model_details_window_get_copy_button (CriaModelDetailsWindow *self,
                                                         const char             *section);

G_END_DECLS
