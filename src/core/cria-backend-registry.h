/* cria-backend-registry.h: every backend of every provider, as one list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "cria-backend-provider.h"
#include "cria-types.h"

G_BEGIN_DECLS

#define CRIA_TYPE_BACKEND_REGISTRY (cria_backend_registry_get_type ())

G_DECLARE_FINAL_TYPE (CriaBackendRegistry, cria_backend_registry, CRIA, BACKEND_REGISTRY, GObject)

CriaBackendRegistry *cria_backend_registry_new             (void);
SoupSession         *cria_backend_registry_get_session     (CriaBackendRegistry *self);
void                 cria_backend_registry_add_provider    (CriaBackendRegistry *self,
                                                            CriaBackendProvider *provider);
void                 cria_backend_registry_remove_provider (CriaBackendRegistry *self,
                                                            CriaBackendProvider *provider);
CriaBackend         *cria_backend_registry_find            (CriaBackendRegistry *self,
                                                            const char          *id);
GListModel          *cria_backend_registry_get_models      (CriaBackendRegistry *self);
guint                cria_backend_registry_get_idle_timeout (CriaBackendRegistry *self);
void                 cria_backend_registry_set_idle_timeout (CriaBackendRegistry *self,
                                                             guint               msec);

G_END_DECLS
