/* cria-message-row-private.h: what the tests look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-markdown-view.h"
#include "cria-image-strip.h"
#include "cria-message-row.h"

G_BEGIN_DECLS

/* Past this many bytes, the next line break ends a segment of the
 * thinking section.
 * Each segment costs a text view; 1 KB made creating them cost more than
 * they saved at full speed. */
#define CRIA_MESSAGE_ROW_SEGMENT_SIZE 2048

CriaMarkdownView *_cria_message_row_get_content_view (CriaMessageRow *self);
char        *_cria_message_row_dup_content_text      (CriaMessageRow *self);
GtkTextView *_cria_message_row_get_thinking_view     (CriaMessageRow *self);
GtkBox      *_cria_message_row_get_thinking_box      (CriaMessageRow *self);
char        *_cria_message_row_dup_thinking_text     (CriaMessageRow *self);
GtkExpander *_cria_message_row_get_thinking_expander (CriaMessageRow *self);
GtkLabel    *_cria_message_row_get_status_label      (CriaMessageRow *self);
CriaImageStrip *_cria_message_row_get_user_images (CriaMessageRow *self);
GtkLabel    *_cria_message_row_get_user_label        (CriaMessageRow *self);
GtkBox      *_cria_message_row_get_tool_calls_box    (CriaMessageRow *self);
GtkTextView *_cria_message_row_get_editor_view       (CriaMessageRow *self);
GtkWidget   *_cria_message_row_get_user_editor       (CriaMessageRow *self);
GtkWidget   *_cria_message_row_get_regenerate_button (CriaMessageRow *self);

G_END_DECLS
