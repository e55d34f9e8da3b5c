/* cria-chat-page-private.h: what the tests look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-chat-page.h"

G_BEGIN_DECLS

GtkRevealer *_cria_chat_page_get_missing_revealer        (CriaChatPage *self);
GtkLabel    *_cria_chat_page_get_missing_label           (CriaChatPage *self);
GtkLabel    *_cria_chat_page_get_missing_status          (CriaChatPage *self);
GtkWidget   *_cria_chat_page_get_missing_download_button (CriaChatPage *self);
GtkWidget   *_cria_chat_page_get_missing_choose_button   (CriaChatPage *self);

G_END_DECLS
