/* cria-create-model-dialog.h: copy a model, or make a variant of it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cria-core.h"

G_BEGIN_DECLS

/**
 * CriaCreateModelMode:
 * @CRIA_CREATE_MODEL_MODE_COPY: the same model under a new name (`/api/copy`)
 * @CRIA_CREATE_MODEL_MODE_VARIANT: a new model from an installed one, with
 *   its own system prompt and parameters (`/api/create` with `from`)
 */
typedef enum
{
  CRIA_CREATE_MODEL_MODE_COPY,
  CRIA_CREATE_MODEL_MODE_VARIANT,
} CriaCreateModelMode;

#define CRIA_TYPE_CREATE_MODEL_DIALOG (cria_create_model_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CriaCreateModelDialog, cria_create_model_dialog, CRIA, CREATE_MODEL_DIALOG, AdwWindow)

CriaCreateModelDialog *cria_create_model_dialog_new          (CriaModel             *model,
                                                              CriaCreateModelMode    mode);
CriaModel             *cria_create_model_dialog_get_model    (CriaCreateModelDialog *self);
CriaCreateModelMode    cria_create_model_dialog_get_mode     (CriaCreateModelDialog *self);
char                  *cria_create_model_dialog_suggest_name (const char            *source,
                                                              const char            *suffix);

G_END_DECLS
