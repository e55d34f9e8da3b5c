/* cria-chat-list.h: the sidebar of chats, with their search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cria-core.h"

G_BEGIN_DECLS

#define CRIA_TYPE_CHAT_LIST (cria_chat_list_get_type ())

G_DECLARE_FINAL_TYPE (CriaChatList, cria_chat_list, CRIA, CHAT_LIST, GtkWidget)

GtkWidget    *cria_chat_list_new              (void);
void          cria_chat_list_set_store        (CriaChatList  *self,
                                               CriaChatStore *store);
void          cria_chat_list_set_current_chat (CriaChatList  *self,
                                               gint64         chat_id);
gboolean      cria_chat_list_get_search_mode  (CriaChatList  *self);
void          cria_chat_list_set_search_mode  (CriaChatList  *self,
                                               gboolean       search_mode);
AdwHeaderBar *cria_chat_list_get_header_bar   (CriaChatList  *self);

G_END_DECLS
