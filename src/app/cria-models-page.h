/* cria-models-page.h: the models of every backend: install, remove, inspect
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cria-core.h"

G_BEGIN_DECLS

#define CRIA_TYPE_MODELS_PAGE (cria_models_page_get_type ())

G_DECLARE_FINAL_TYPE (CriaModelsPage, cria_models_page, CRIA, MODELS_PAGE, GtkWidget)

GtkWidget           *cria_models_page_new          (void);
CriaBackendRegistry *cria_models_page_get_registry (CriaModelsPage      *self);
void                 cria_models_page_set_registry (CriaModelsPage      *self,
                                                    CriaBackendRegistry *registry);
CriaPull            *cria_models_page_pull         (CriaModelsPage      *self,
                                                    CriaBackend         *backend,
                                                    const char          *name,
                                                    GError             **error);
void                 cria_models_page_refresh_running (CriaModelsPage   *self);

char                *cria_models_page_format_running (gint64     size,
                                                      gint64     size_vram,
                                                      GDateTime *expires_at,
                                                      gboolean   forever,
                                                      GDateTime *now);

G_END_DECLS
