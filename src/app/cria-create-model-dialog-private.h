/* cria-create-model-dialog-private.h: what the tests look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-create-model-dialog.h"

G_BEGIN_DECLS

AdwEntryRow *_cria_create_model_dialog_get_name_row      (CriaCreateModelDialog *self);
GtkTextView *_cria_create_model_dialog_get_system_view   (CriaCreateModelDialog *self);
GtkSwitch   *_cria_create_model_dialog_get_temperature_switch (CriaCreateModelDialog *self);
GtkSpinButton *_cria_create_model_dialog_get_temperature_spin (CriaCreateModelDialog *self);
GtkWidget   *_cria_create_model_dialog_get_create_button (CriaCreateModelDialog *self);
GtkLabel    *_cria_create_model_dialog_get_error_label   (CriaCreateModelDialog *self);

G_END_DECLS
