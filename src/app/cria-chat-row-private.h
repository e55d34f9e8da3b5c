/* cria-chat-row-private.h: what the tests look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-chat-row.h"

G_BEGIN_DECLS

GtkLabel *_cria_chat_row_get_title_label    (CriaChatRow *self);
GtkLabel *_cria_chat_row_get_subtitle_label (CriaChatRow *self);
GtkImage *_cria_chat_row_get_pin_image      (CriaChatRow *self);
GtkMenuButton *_cria_chat_row_get_menu_button (CriaChatRow *self);

G_END_DECLS
