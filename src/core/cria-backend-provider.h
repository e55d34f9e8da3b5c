/* cria-backend-provider.h: a source of backends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cria-backend.h"
#include "cria-types.h"

G_BEGIN_DECLS

#define CRIA_TYPE_BACKEND_PROVIDER (cria_backend_provider_get_type ())

G_DECLARE_DERIVABLE_TYPE (CriaBackendProvider, cria_backend_provider, CRIA, BACKEND_PROVIDER, GObject)

struct _CriaBackendProviderClass
{
  GObjectClass parent_class;

  void (*added)   (CriaBackendProvider *self,
                   CriaBackend         *backend);
  void (*removed) (CriaBackendProvider *self,
                   CriaBackend         *backend);

  /*< private >*/
  gpointer _reserved[8];
};

SoupSession *cria_backend_provider_get_session  (CriaBackendProvider *self);
void         cria_backend_provider_emit_added   (CriaBackendProvider *self,
                                                 CriaBackend         *backend);
void         cria_backend_provider_emit_removed (CriaBackendProvider *self,
                                                 CriaBackend         *backend);

G_END_DECLS
