/* cria-chat-row.h: one chat in the sidebar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cria-core.h"

G_BEGIN_DECLS

#define CRIA_TYPE_CHAT_ROW (cria_chat_row_get_type ())

G_DECLARE_FINAL_TYPE (CriaChatRow, cria_chat_row, CRIA, CHAT_ROW, GtkWidget)

GtkWidget    *cria_chat_row_new          (void);
CriaChatInfo *cria_chat_row_get_info     (CriaChatRow  *self);
void          cria_chat_row_set_info     (CriaChatRow  *self,
                                          CriaChatInfo *info);
void          cria_chat_row_update_time  (CriaChatRow  *self);
void          cria_chat_row_popup_menu   (CriaChatRow  *self);

char         *cria_chat_row_format_time  (gint64        time,
                                          gint64        now);
const char   *cria_chat_row_title_or_placeholder (CriaChatInfo *info);

G_END_DECLS
