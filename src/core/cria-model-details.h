/* cria-model-details.h: what /api/show says about a model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "cria-types.h"

G_BEGIN_DECLS

#define CRIA_TYPE_MODEL_DETAILS (cria_model_details_get_type ())

G_DECLARE_FINAL_TYPE (CriaModelDetails, cria_model_details, CRIA, MODEL_DETAILS, GObject)

CriaModelDetails   *cria_model_details_new_from_show        (const char       *name,
                                                             JsonObject       *show);
const char         *cria_model_details_get_name             (CriaModelDetails *self);
const char         *cria_model_details_get_family           (CriaModelDetails *self);
const char         *cria_model_details_get_architecture     (CriaModelDetails *self);
const char         *cria_model_details_get_parameter_size   (CriaModelDetails *self);
gint64              cria_model_details_get_parameter_count  (CriaModelDetails *self);
const char         *cria_model_details_get_quantization_level (CriaModelDetails *self);
gint64              cria_model_details_get_context_length   (CriaModelDetails *self);
gint64              cria_model_details_get_embedding_length (CriaModelDetails *self);
const char * const *cria_model_details_get_capabilities     (CriaModelDetails *self);
const char         *cria_model_details_get_system           (CriaModelDetails *self);
const char         *cria_model_details_get_template         (CriaModelDetails *self);
const char         *cria_model_details_get_parameters       (CriaModelDetails *self);
const char         *cria_model_details_get_license          (CriaModelDetails *self);
const char         *cria_model_details_get_modelfile        (CriaModelDetails *self);
GDateTime          *cria_model_details_get_modified_at      (CriaModelDetails *self);
const char         *cria_model_details_get_remote_host      (CriaModelDetails *self);

G_END_DECLS
