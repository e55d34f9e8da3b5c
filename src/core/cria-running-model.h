/* cria-running-model.h: a model loaded in memory, from /api/ps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "cria-types.h"

G_BEGIN_DECLS

#define CRIA_TYPE_RUNNING_MODEL (cria_running_model_get_type ())

G_DECLARE_FINAL_TYPE (CriaRunningModel, cria_running_model, CRIA, RUNNING_MODEL, GObject)

CriaRunningModel *cria_running_model_new_from_json          (JsonObject       *object);
const char       *cria_running_model_get_name               (CriaRunningModel *self);
gint64            cria_running_model_get_size               (CriaRunningModel *self);
gint64            cria_running_model_get_size_vram          (CriaRunningModel *self);
GDateTime        *cria_running_model_get_expires_at         (CriaRunningModel *self);
gint64            cria_running_model_get_context_length     (CriaRunningModel *self);
const char       *cria_running_model_get_family             (CriaRunningModel *self);
const char       *cria_running_model_get_parameter_size     (CriaRunningModel *self);
const char       *cria_running_model_get_quantization_level (CriaRunningModel *self);
gboolean          cria_running_model_get_forever            (CriaRunningModel *self);

G_END_DECLS
