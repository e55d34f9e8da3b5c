/* cria-model-details-window.h: what /api/show says about a model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cria-core.h"

G_BEGIN_DECLS

#define CRIA_TYPE_MODEL_DETAILS_WINDOW (cria_model_details_window_get_type ())

G_DECLARE_FINAL_TYPE (CriaModelDetailsWindow, cria_model_details_window, CRIA, MODEL_DETAILS_WINDOW, AdwWindow)

CriaModelDetailsWindow *cria_model_details_window_new         (CriaModel              *model);
CriaModel              *cria_model_details_window_get_model   (CriaModelDetailsWindow *self);
CriaModelDetails       *cria_model_details_window_get_details (CriaModelDetailsWindow *self);

char                   *cria_model_details_window_format_context_length (gint64 tokens);

G_END_DECLS
