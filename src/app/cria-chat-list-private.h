/* cria-chat-list-private.h: what the window's tests look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-chat-list.h"

G_BEGIN_DECLS

GtkListView    *_cria_chat_list_get_list_view    (CriaChatList *self);
GtkStack       *_cria_chat_list_get_stack        (CriaChatList *self);
GtkSearchEntry *_cria_chat_list_get_search_entry (CriaChatList *self);
GtkListBox     *_cria_chat_list_get_results_box  (CriaChatList *self);
guint           _cria_chat_list_get_n_searches   (CriaChatList *self);
GtkWidget      *_cria_chat_list_get_new_chat_button (CriaChatList *self);
GtkWidget      *_cria_chat_list_get_search_button   (CriaChatList *self);

char           *_cria_chat_list_dup_snippet_markup (const char *snippet,
                                                    GArray     *matches);

G_END_DECLS
