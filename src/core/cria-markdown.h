/* cria-markdown.h: Markdown (md4c) → a plain block/span model, no GTK
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The model is a flat array of blocks in document order (pre-order). A
 * block's parent is the nearest block before it whose depth is one less:
 * top-level blocks have depth 0, the children of a list, quote, item, table
 * or row have their container's depth + 1. Nothing in the model is a tree,
 * so no code walking it recurses, however deep the input nests.
 *
 * Containers (quote, list, item, table, row) have no text. Text blocks
 * (paragraph, heading, code, cell) have one UTF-8 string and a flat array of
 * spans over it. Text from the model is always literal: nothing in it is
 * markup for anyone (raw HTML and Pango-like text come through as text). */
typedef enum
{
  CRIA_MARKDOWN_BLOCK_PARAGRAPH,
  CRIA_MARKDOWN_BLOCK_HEADING,
  CRIA_MARKDOWN_BLOCK_CODE,
  CRIA_MARKDOWN_BLOCK_QUOTE,
  CRIA_MARKDOWN_BLOCK_LIST,
  CRIA_MARKDOWN_BLOCK_ITEM,
  CRIA_MARKDOWN_BLOCK_TABLE,
  CRIA_MARKDOWN_BLOCK_ROW,
  CRIA_MARKDOWN_BLOCK_CELL,
  CRIA_MARKDOWN_BLOCK_RULE,
} CriaMarkdownBlockKind;

typedef enum
{
  CRIA_MARKDOWN_SPAN_EMPHASIS,
  CRIA_MARKDOWN_SPAN_STRONG,
  CRIA_MARKDOWN_SPAN_CODE,
  CRIA_MARKDOWN_SPAN_LINK,
  CRIA_MARKDOWN_SPAN_STRIKETHROUGH,
  CRIA_MARKDOWN_SPAN_IMAGE_ALT,
} CriaMarkdownSpanKind;

typedef enum
{
  CRIA_MARKDOWN_TASK_NONE,
  CRIA_MARKDOWN_TASK_UNCHECKED,
  CRIA_MARKDOWN_TASK_CHECKED,
} CriaMarkdownTask;

typedef enum
{
  CRIA_MARKDOWN_ALIGN_DEFAULT,
  CRIA_MARKDOWN_ALIGN_LEFT,
  CRIA_MARKDOWN_ALIGN_CENTER,
  CRIA_MARKDOWN_ALIGN_RIGHT,
} CriaMarkdownAlign;

/* Spans nest properly and are sorted by start, an outer span before the spans
 * inside it. start == end is possible (a link with no text). */
typedef struct
{
  guint                start;   /* byte offset into the block's text */
  guint                end;     /* byte offset, exclusive */
  CriaMarkdownSpanKind kind;
  char                *href;    /* LINK only: an http, https or mailto URL */
} CriaMarkdownSpan;

typedef struct
{
  CriaMarkdownBlockKind kind;
  guint                 depth;

  guint                 level;      /* HEADING: 1–6 */
  gboolean              ordered;    /* LIST */
  guint                 start;      /* LIST, ordered: the first number */
  char                  mark;       /* LIST: '-', '+' or '*'; ordered: '.' or ')' */
  CriaMarkdownTask      task;       /* ITEM */
  guint                 n_columns;  /* TABLE */
  gboolean              header;     /* ROW, CELL */
  CriaMarkdownAlign     align;      /* CELL */
  gboolean              fenced;     /* CODE: fenced rather than indented */
  char                 *language;   /* CODE: first word of the info string, or NULL */

  /* Text blocks only (PARAGRAPH, HEADING, CODE, CELL); NULL otherwise. Code
   * text has no final newline. A line break, hard or soft, is "\n". */
  char                 *text;
  gsize                 text_length;
  CriaMarkdownSpan     *spans;
  guint                 n_spans;
} CriaMarkdownBlock;

typedef struct _CriaMarkdownDocument CriaMarkdownDocument;

/* A reply as it streams: append () each piece (on a timer, not per token,
 * in a view), then drop what was shown from the returned index on and show
 * the blocks from there to the end. The first get_n_final () blocks never
 * change again (lists and quotes among them can still get children, which
 * come after them); the rest, the open tail, is parsed again on each append
 * at a cost bounded by its size, never the message's. finish () ends the
 * reply: all blocks are then final, and the model is exactly what
 * cria_markdown_parse () gives for the whole text. */
typedef struct _CriaMarkdownStream   CriaMarkdownStream;

CriaMarkdownDocument    *cria_markdown_parse                 (const char                 *text,
                                                              gssize                      length);
void                     cria_markdown_document_free         (CriaMarkdownDocument       *self);
guint                    cria_markdown_document_get_n_blocks (const CriaMarkdownDocument *self);
const CriaMarkdownBlock *cria_markdown_document_get_block    (const CriaMarkdownDocument *self,
                                                              guint                       index);
char                    *cria_markdown_dump                  (const CriaMarkdownDocument *self);

const char              *cria_markdown_block_kind_to_string  (CriaMarkdownBlockKind       kind);
const char              *cria_markdown_span_kind_to_string   (CriaMarkdownSpanKind        kind);

CriaMarkdownStream      *cria_markdown_stream_new            (void);
void                     cria_markdown_stream_free           (CriaMarkdownStream         *self);
guint                    cria_markdown_stream_append         (CriaMarkdownStream         *self,
                                                              const char                 *text,
                                                              gssize                      length);
guint                    cria_markdown_stream_finish         (CriaMarkdownStream         *self);
const CriaMarkdownDocument *
                         cria_markdown_stream_get_document   (CriaMarkdownStream         *self);
guint                    cria_markdown_stream_get_n_final    (CriaMarkdownStream         *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CriaMarkdownDocument, cria_markdown_document_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CriaMarkdownStream, cria_markdown_stream_free)

G_END_DECLS
