/* cria-application.h: the application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cria-core.h"

G_BEGIN_DECLS

#define CRIA_TYPE_APPLICATION (cria_application_get_type ())

G_DECLARE_FINAL_TYPE (CriaApplication, cria_application, CRIA, APPLICATION, AdwApplication)

CriaApplication     *cria_application_new          (void);
CriaBackendRegistry *cria_application_get_registry (CriaApplication *self);
GSettings           *cria_application_get_settings (CriaApplication *self);
CriaChatStore       *cria_application_get_store    (CriaApplication *self);

G_END_DECLS
