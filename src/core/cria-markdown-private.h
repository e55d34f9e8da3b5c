/* cria-markdown-private.h: test seams of the Markdown model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-markdown.h"

G_BEGIN_DECLS

/* An open tail longer than this is cut by force, even where no safe cut
 * point has been found (one huge line, a huge code block). The model is then
 * only approximate until cria_markdown_stream_finish () parses the whole
 * text once. */
#define CRIA_MARKDOWN_STREAM_MAX_TAIL (32 * 1024)

/* One line of cria_markdown_dump (), without the newline. */
char    *_cria_markdown_dump_block              (const CriaMarkdownBlock *block);

/* Bytes of the message handed to md_parse () by this stream since it was
 * created (each parse also reads a fixed lead of at most 259 bytes). */
guint64  _cria_markdown_stream_get_bytes_parsed (CriaMarkdownStream *self);

/* Where the open tail starts in the text received so far. */
gsize    _cria_markdown_stream_get_tail_offset  (CriaMarkdownStream *self);

/* Whether finish () had to parse the whole text again. */
gboolean _cria_markdown_stream_get_reparsed     (CriaMarkdownStream *self);

G_END_DECLS
