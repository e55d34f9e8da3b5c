/* cria-static-backend-provider.h: the configured endpoints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-backend-provider.h"

G_BEGIN_DECLS

#define CRIA_TYPE_STATIC_BACKEND_PROVIDER (cria_static_backend_provider_get_type ())

G_DECLARE_FINAL_TYPE (CriaStaticBackendProvider, cria_static_backend_provider, CRIA, STATIC_BACKEND_PROVIDER, CriaBackendProvider)

CriaStaticBackendProvider *cria_static_backend_provider_new      (SoupSession                *session);
const char * const        *cria_static_backend_provider_get_urls (CriaStaticBackendProvider  *self);
void                       cria_static_backend_provider_set_urls (CriaStaticBackendProvider  *self,
                                                                  const char * const         *urls);

G_END_DECLS
