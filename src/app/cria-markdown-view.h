/* cria-markdown-view.h: a reply's Markdown, as widgets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CRIA_TYPE_MARKDOWN_VIEW (cria_markdown_view_get_type ())

G_DECLARE_FINAL_TYPE (CriaMarkdownView, cria_markdown_view, CRIA, MARKDOWN_VIEW, GtkWidget)

GtkWidget *cria_markdown_view_new      (void);
void       cria_markdown_view_clear    (CriaMarkdownView *self);
void       cria_markdown_view_set_text (CriaMarkdownView *self,
                                        const char       *text,
                                        gssize            length);
void       cria_markdown_view_append   (CriaMarkdownView *self,
                                        const char       *text,
                                        gssize            length);
void       cria_markdown_view_finish   (CriaMarkdownView *self);
gboolean   cria_markdown_view_is_empty (CriaMarkdownView *self);

G_END_DECLS
