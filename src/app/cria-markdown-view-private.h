/* cria-markdown-view-private.h: what the message row and the tests use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-markdown-view.h"

G_BEGIN_DECLS

/* At the next frame, make sure every text view has the height it wants */
void         _cria_markdown_view_queue_check  (CriaMarkdownView *self);
void         _cria_markdown_view_set_culled   (CriaMarkdownView *self,
                                               gboolean          culled);

/* The text shown, block by block, a line break between two */
char        *_cria_markdown_view_dup_text     (CriaMarkdownView *self);
GtkTextView *_cria_markdown_view_get_first_text_view (CriaMarkdownView *self);
const char  *_cria_markdown_view_get_link_at  (GtkTextView      *text_view,
                                               const GtkTextIter *iter);
const char  *_cria_markdown_view_map_language (const char       *language);

G_END_DECLS
