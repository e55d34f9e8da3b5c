/* cria-model-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "cria-model.h"

G_BEGIN_DECLS

CriaModel *_cria_model_new_from_json (JsonObject  *object);
void       _cria_model_set_backend   (CriaModel   *self,
                                      CriaBackend *backend);
gboolean   _cria_model_equal         (CriaModel   *a,
                                      CriaModel   *b);

G_END_DECLS
