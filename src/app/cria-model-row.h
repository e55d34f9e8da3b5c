/* cria-model-row.h: one installed model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cria-core.h"

G_BEGIN_DECLS

#define CRIA_TYPE_MODEL_ROW (cria_model_row_get_type ())

G_DECLARE_FINAL_TYPE (CriaModelRow, cria_model_row, CRIA, MODEL_ROW, AdwActionRow)

GtkWidget  *cria_model_row_new                (CriaModel   *model);
CriaModel  *cria_model_row_get_model          (CriaModelRow *self);

char       *cria_model_row_format_details     (CriaModel   *model,
                                               GDateTime   *now);
char       *cria_model_row_format_modified    (GDateTime   *modified,
                                               GDateTime   *now);
const char *cria_model_row_capability_title   (const char  *capability);
void        cria_model_row_fill_badges        (GtkBox             *box,
                                               const char * const *capabilities);

G_END_DECLS
