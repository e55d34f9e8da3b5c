/* cria-chat-settings-dialog-private.h: what the tests look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-chat-settings-dialog.h"

G_BEGIN_DECLS

typedef enum
{
  CRIA_CHAT_SETTING_TEMPERATURE,
  CRIA_CHAT_SETTING_CONTEXT,
  CRIA_CHAT_SETTING_SEED,
} CriaChatSetting;

AdwPreferencesGroup *_cria_chat_settings_dialog_get_title_group (CriaChatSettingsDialog *self);
AdwEntryRow   *_cria_chat_settings_dialog_get_title_row   (CriaChatSettingsDialog *self);
GtkTextView   *_cria_chat_settings_dialog_get_system_view (CriaChatSettingsDialog *self);
GtkSwitch     *_cria_chat_settings_dialog_get_switch      (CriaChatSettingsDialog *self,
                                                           CriaChatSetting         setting);
GtkSpinButton *_cria_chat_settings_dialog_get_spin        (CriaChatSettingsDialog *self,
                                                           CriaChatSetting         setting);
AdwActionRow  *_cria_chat_settings_dialog_get_think_row   (CriaChatSettingsDialog *self);
GtkSwitch     *_cria_chat_settings_dialog_get_think_switch (CriaChatSettingsDialog *self);
void           _cria_chat_settings_dialog_flush           (CriaChatSettingsDialog *self);

G_END_DECLS
