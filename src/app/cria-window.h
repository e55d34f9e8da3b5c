/* cria-window.h: the main window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cria-application.h"
#include "cria-core.h"

G_BEGIN_DECLS

#define CRIA_TYPE_WINDOW (cria_window_get_type ())

G_DECLARE_FINAL_TYPE (CriaWindow, cria_window, CRIA, WINDOW, AdwApplicationWindow)

CriaWindow          *cria_window_new          (CriaApplication *application);
CriaBackendRegistry *cria_window_get_registry (CriaWindow      *self);
CriaChatSession     *cria_window_get_session  (CriaWindow      *self);
void                 cria_window_add_toast    (CriaWindow      *self,
                                               const char      *title);

G_END_DECLS
