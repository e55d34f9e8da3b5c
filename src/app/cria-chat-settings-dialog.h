/* cria-chat-settings-dialog.h: the settings of one chat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cria-core.h"

G_BEGIN_DECLS

#define CRIA_TYPE_CHAT_SETTINGS_DIALOG (cria_chat_settings_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CriaChatSettingsDialog, cria_chat_settings_dialog, CRIA, CHAT_SETTINGS_DIALOG, AdwPreferencesWindow)

CriaChatSettingsDialog *cria_chat_settings_dialog_new         (GtkWindow              *parent,
                                                               CriaChatSession        *session,
                                                               gboolean                can_think);
CriaChatSession        *cria_chat_settings_dialog_get_session (CriaChatSettingsDialog *self);

G_END_DECLS
