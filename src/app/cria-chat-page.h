/* cria-chat-page.h: a conversation, with its composer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cria-composer.h"
#include "cria-core.h"

G_BEGIN_DECLS

#define CRIA_TYPE_CHAT_PAGE (cria_chat_page_get_type ())

G_DECLARE_FINAL_TYPE (CriaChatPage, cria_chat_page, CRIA, CHAT_PAGE, GtkWidget)

GtkWidget       *cria_chat_page_new             (void);
CriaChatSession *cria_chat_page_get_session     (CriaChatPage    *self);
void             cria_chat_page_set_session     (CriaChatPage    *self,
                                                 CriaChatSession *session);
void             cria_chat_page_set_cancellable (CriaChatPage    *self,
                                                 GCancellable    *cancellable);
CriaComposer    *cria_chat_page_get_composer    (CriaChatPage    *self);
GtkListView     *cria_chat_page_get_list_view   (CriaChatPage    *self);
void             cria_chat_page_scroll_to_message (CriaChatPage  *self,
                                                   guint          position);

G_END_DECLS
