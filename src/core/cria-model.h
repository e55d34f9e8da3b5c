/* cria-model.h: one installed model of one backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "cria-types.h"

G_BEGIN_DECLS

#define CRIA_TYPE_MODEL (cria_model_get_type ())

G_DECLARE_FINAL_TYPE (CriaModel, cria_model, CRIA, MODEL, GObject)

const char         *cria_model_get_name               (CriaModel  *self);
char               *cria_model_dup_display_name       (CriaModel  *self);
gint64              cria_model_get_size               (CriaModel  *self);
const char         *cria_model_get_digest             (CriaModel  *self);
GDateTime          *cria_model_get_modified_at        (CriaModel  *self);
const char         *cria_model_get_family             (CriaModel  *self);
const char         *cria_model_get_parameter_size     (CriaModel  *self);
const char         *cria_model_get_quantization_level (CriaModel  *self);
const char * const *cria_model_get_capabilities       (CriaModel  *self);
gboolean            cria_model_has_capability         (CriaModel  *self,
                                                       const char *capability);
gint64              cria_model_get_context_length     (CriaModel  *self);
const char         *cria_model_get_remote_host        (CriaModel  *self);
CriaBackend        *cria_model_dup_backend            (CriaModel  *self);

gboolean            cria_model_name_equal             (const char *a,
                                                       const char *b);
gboolean            cria_model_name_validate          (const char *name,
                                                       GError    **error);

G_END_DECLS
