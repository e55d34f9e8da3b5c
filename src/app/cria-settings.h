/* cria-settings.h: the keys of the io.github.cria.Cria schema
 *
 * Every key is named through these macros, never with a bare string.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CRIA_SETTINGS_KEY_BACKENDS         "backends"
#define CRIA_SETTINGS_KEY_LAST_MODEL       "last-model"
#define CRIA_SETTINGS_KEY_LAST_BACKEND     "last-backend"
#define CRIA_SETTINGS_KEY_IDLE_TIMEOUT     "idle-timeout"
#define CRIA_SETTINGS_KEY_WINDOW_WIDTH     "window-width"
#define CRIA_SETTINGS_KEY_WINDOW_HEIGHT    "window-height"
#define CRIA_SETTINGS_KEY_WINDOW_MAXIMIZED "window-maximized"

G_END_DECLS
