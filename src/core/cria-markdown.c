/* cria-markdown.c
 *
 * md4c's md_parse () with the GitHub dialect, raw HTML off, builds a plain
 * block/span model (cria-markdown.h). Model output is untrusted: raw HTML
 * and anything that looks like Pango markup stay literal text, links keep
 * only http, https and mailto targets, and images become their alt text.
 *
 * Streaming (CriaMarkdownStream): the text received so far is split at a
 * cut into a region whose blocks are final and an open tail that is parsed
 * again on every append. A line start C, where the line L that starts there
 * is complete and does not start with white space, becomes the new cut when
 * md4c itself says that nothing before C depends on L:
 *
 *   parse (region + L) == parse (region) ++ parse (L)[k:]
 *
 * where region is the text from the previous cut to C, k is the number of
 * containers (lists of the same kind, block quotes) that L continues, and
 * L adds a block right inside them (or at the top). Then L closed every
 * block of the region except those k containers, and CommonMark never
 * reopens a closed block, so no later line can change the region: its
 * blocks are final, and the tail's blocks go inside the k containers. A
 * line that adds nothing (">" in a quote) is not a cut: a list in the quote
 * stays open across it. Two things do reach back, and are handled apart:
 * a list's tight/loose flag, which the model leaves out (an item's text is
 * always a paragraph), and link reference definitions, which make finish ()
 * parse the whole text once. Every parse reads its text at the offset it has
 * in the message, modulo 256, for an md4c 0.4.8 quirk (parse_blocks ()).
 *
 * So an append costs a parse of the open tail, the last block or top-level
 * list item, plus about two more for each line it completes: never the
 * message. Lines inside a fenced code block and lines that can only go on
 * a paragraph are not tried. A tail past CRIA_MARKDOWN_STREAM_MAX_TAIL (one
 * huge paragraph, table or code block) is cut by force, which is
 * approximate until finish ().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-markdown"

#include "cria-config.h"

#include <string.h>

#include <md4c.h>

#include "cria-markdown.h"
#include "cria-markdown-private.h"

#define CRIA_MARKDOWN_FLAGS (MD_DIALECT_GITHUB | MD_FLAG_NOHTML)

struct _CriaMarkdownDocument
{
  GPtrArray *blocks;   /* CriaMarkdownBlock */
};

/* Entities */

typedef struct
{
  const char *name;
  gunichar    c;
} Entity;

/* The ones model output uses; md4c reports only names it knows, and any
 * other stays as its literal text. */
static const Entity entities[] = {
  { "AElig", 0xC6 }, { "Delta", 0x394 }, { "Omega", 0x3A9 }, { "Pi", 0x3A0 },
  { "Prime", 0x2033 }, { "Sigma", 0x3A3 }, { "aacute", 0xE1 }, { "acute", 0xB4 },
  { "aelig", 0xE6 }, { "agrave", 0xE0 }, { "alpha", 0x3B1 }, { "amp", '&' },
  { "and", 0x2227 }, { "apos", '\'' }, { "asymp", 0x2248 }, { "bdquo", 0x201E },
  { "beta", 0x3B2 }, { "brvbar", 0xA6 }, { "bull", 0x2022 }, { "cap", 0x2229 },
  { "ccedil", 0xE7 }, { "cedil", 0xB8 }, { "cent", 0xA2 }, { "check", 0x2713 },
  { "circ", 0x2C6 }, { "clubs", 0x2663 }, { "copy", 0xA9 }, { "cross", 0x2717 },
  { "cup", 0x222A }, { "curren", 0xA4 }, { "dArr", 0x21D3 }, { "dagger", 0x2020 },
  { "Dagger", 0x2021 }, { "darr", 0x2193 }, { "deg", 0xB0 }, { "delta", 0x3B4 },
  { "diams", 0x2666 }, { "divide", 0xF7 }, { "eacute", 0xE9 }, { "egrave", 0xE8 },
  { "empty", 0x2205 }, { "emsp", 0x2003 }, { "ensp", 0x2002 }, { "epsilon", 0x3B5 },
  { "equiv", 0x2261 }, { "euro", 0x20AC }, { "exist", 0x2203 }, { "forall", 0x2200 },
  { "frac12", 0xBD }, { "frac14", 0xBC }, { "frac34", 0xBE }, { "gamma", 0x3B3 },
  { "ge", 0x2265 }, { "gt", '>' }, { "hArr", 0x21D4 }, { "harr", 0x2194 },
  { "hearts", 0x2665 }, { "hellip", 0x2026 }, { "iexcl", 0xA1 }, { "infin", 0x221E },
  { "iquest", 0xBF }, { "isin", 0x2208 }, { "lArr", 0x21D0 }, { "lambda", 0x3BB },
  { "laquo", 0xAB }, { "larr", 0x2190 }, { "ldquo", 0x201C }, { "le", 0x2264 },
  { "loz", 0x25CA }, { "lsaquo", 0x2039 }, { "lsquo", 0x2018 }, { "lt", '<' },
  { "macr", 0xAF }, { "mdash", 0x2014 }, { "micro", 0xB5 }, { "middot", 0xB7 },
  { "minus", 0x2212 }, { "mu", 0x3BC }, { "nabla", 0x2207 }, { "nbsp", 0xA0 },
  { "ndash", 0x2013 }, { "ne", 0x2260 }, { "not", 0xAC }, { "notin", 0x2209 },
  { "ntilde", 0xF1 }, { "oacute", 0xF3 }, { "omega", 0x3C9 }, { "or", 0x2228 },
  { "ordf", 0xAA }, { "ordm", 0xBA }, { "ouml", 0xF6 }, { "para", 0xB6 },
  { "part", 0x2202 }, { "permil", 0x2030 }, { "phi", 0x3C6 }, { "pi", 0x3C0 },
  { "plusmn", 0xB1 }, { "pound", 0xA3 }, { "prime", 0x2032 }, { "prod", 0x220F },
  { "quot", '"' }, { "rArr", 0x21D2 }, { "radic", 0x221A }, { "raquo", 0xBB },
  { "rarr", 0x2192 }, { "rdquo", 0x201D }, { "reg", 0xAE }, { "rsaquo", 0x203A },
  { "rsquo", 0x2019 }, { "sbquo", 0x201A }, { "sect", 0xA7 }, { "shy", 0xAD },
  { "sigma", 0x3C3 }, { "spades", 0x2660 }, { "star", 0x2606 }, { "sub", 0x2282 },
  { "sum", 0x2211 }, { "sup", 0x2283 }, { "sup1", 0xB9 }, { "sup2", 0xB2 },
  { "sup3", 0xB3 }, { "szlig", 0xDF }, { "tau", 0x3C4 }, { "theta", 0x3B8 },
  { "thinsp", 0x2009 }, { "tilde", 0x2DC }, { "times", 0xD7 }, { "trade", 0x2122 },
  { "uArr", 0x21D1 }, { "uacute", 0xFA }, { "uarr", 0x2191 }, { "uml", 0xA8 },
  { "uuml", 0xFC }, { "yen", 0xA5 }, { "zwj", 0x200D }, { "zwnj", 0x200C },
};

static void
append_entity (GString    *out,
               const char *text,
               gsize       length)
{
  gunichar c = 0;

  /* md4c hands over "&…;" exactly; anything else is kept as it is. */
  if (length < 3 || text[0] != '&' || text[length - 1] != ';')
    {
      g_string_append_len (out, text, length);
      return;
    }

  if (text[1] == '#')
    {
      gboolean hex = length > 3 && (text[2] == 'x' || text[2] == 'X');
      gsize i = hex ? 3 : 2;
      guint64 value = 0;

      if (i >= length - 1)
        {
          g_string_append_len (out, text, length);
          return;
        }

      for (; i < length - 1; i++)
        {
          int digit = hex ? g_ascii_xdigit_value (text[i]) : g_ascii_digit_value (text[i]);

          if (digit < 0)
            {
              g_string_append_len (out, text, length);
              return;
            }
          value = value * (hex ? 16 : 10) + digit;
          if (value > 0x10FFFF)
            value = 0x110000;   /* stays out of range, never overflows */
        }

      /* CommonMark: NUL, surrogates and values past Unicode are U+FFFD. */
      if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        c = 0xFFFD;
      else
        c = (gunichar) value;
    }
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
        {
          if (strlen (entities[i].name) == length - 2 &&
              memcmp (entities[i].name, text + 1, length - 2) == 0)
            {
              c = entities[i].c;
              break;
            }
        }

      if (c == 0)
        {
          g_string_append_len (out, text, length);
          return;
        }
    }

  g_string_append_unichar (out, c);
}

static char *
decode_attribute (const MD_ATTRIBUTE *attr)
{
  GString *out;

  if (attr == NULL || attr->text == NULL || attr->size == 0)
    return NULL;

  out = g_string_sized_new (attr->size);

  for (guint i = 0; attr->substr_offsets[i] < attr->size; i++)
    {
      MD_OFFSET offset = attr->substr_offsets[i];
      MD_SIZE size = attr->substr_offsets[i + 1] - offset;

      switch (attr->substr_types[i])
        {
        case MD_TEXT_ENTITY:
          append_entity (out, attr->text + offset, size);
          break;

        case MD_TEXT_NULLCHAR:
          g_string_append_unichar (out, 0xFFFD);
          break;

        case MD_TEXT_NORMAL:
        case MD_TEXT_BR:
        case MD_TEXT_SOFTBR:
        case MD_TEXT_CODE:
        case MD_TEXT_HTML:
        case MD_TEXT_LATEXMATH:
        default:
          g_string_append_len (out, attr->text + offset, size);
          break;
        }
    }

  return g_string_free (out, FALSE);
}

static gboolean
href_is_safe (const char *href)
{
  if (href == NULL)
    return FALSE;

  if (g_ascii_strncasecmp (href, "http://", 7) != 0 &&
      g_ascii_strncasecmp (href, "https://", 8) != 0 &&
      g_ascii_strncasecmp (href, "mailto:", 7) != 0)
    return FALSE;

  /* No white space or control characters for anything that opens it. */
  for (const char *p = href; *p != '\0'; p++)
    {
      if ((guchar) *p <= 0x20 || *p == 0x7F)
        return FALSE;
    }

  return TRUE;
}

/* Blocks */

static gboolean
kind_is_container (CriaMarkdownBlockKind kind)
{
  switch (kind)
    {
    case CRIA_MARKDOWN_BLOCK_QUOTE:
    case CRIA_MARKDOWN_BLOCK_LIST:
    case CRIA_MARKDOWN_BLOCK_ITEM:
    case CRIA_MARKDOWN_BLOCK_TABLE:
    case CRIA_MARKDOWN_BLOCK_ROW:
      return TRUE;

    case CRIA_MARKDOWN_BLOCK_PARAGRAPH:
    case CRIA_MARKDOWN_BLOCK_HEADING:
    case CRIA_MARKDOWN_BLOCK_CODE:
    case CRIA_MARKDOWN_BLOCK_CELL:
    case CRIA_MARKDOWN_BLOCK_RULE:
    default:
      return FALSE;
    }
}

static void
block_free (gpointer data)
{
  CriaMarkdownBlock *block = data;

  if (block == NULL)
    return;

  for (guint i = 0; i < block->n_spans; i++)
    g_free (block->spans[i].href);
  g_free (block->spans);
  g_free (block->text);
  g_free (block->language);
  g_free (block);
}

static gboolean
block_equal (const CriaMarkdownBlock *a,
             const CriaMarkdownBlock *b)
{
  if (a->kind != b->kind ||
      a->depth != b->depth ||
      a->level != b->level ||
      a->ordered != b->ordered ||
      a->start != b->start ||
      a->mark != b->mark ||
      a->task != b->task ||
      a->n_columns != b->n_columns ||
      a->header != b->header ||
      a->align != b->align ||
      a->fenced != b->fenced ||
      g_strcmp0 (a->language, b->language) != 0 ||
      a->text_length != b->text_length ||
      a->n_spans != b->n_spans)
    return FALSE;

  if ((a->text == NULL) != (b->text == NULL) ||
      (a->text != NULL && memcmp (a->text, b->text, a->text_length) != 0))
    return FALSE;

  for (guint i = 0; i < a->n_spans; i++)
    {
      const CriaMarkdownSpan *sa = &a->spans[i];
      const CriaMarkdownSpan *sb = &b->spans[i];

      if (sa->start != sb->start || sa->end != sb->end || sa->kind != sb->kind ||
          g_strcmp0 (sa->href, sb->href) != 0)
        return FALSE;
    }

  return TRUE;
}

static GPtrArray *
blocks_new (void)
{
  return g_ptr_array_new_with_free_func (block_free);
}

/* Moves blocks[from..] to the end of @dest, leaving @blocks with @from. */
static void
blocks_move (GPtrArray *blocks,
             guint      from,
             GPtrArray *dest)
{
  for (guint i = from; i < blocks->len; i++)
    {
      g_ptr_array_add (dest, blocks->pdata[i]);
      blocks->pdata[i] = NULL;
    }

  if (from < blocks->len)
    g_ptr_array_set_size (blocks, from);
}

/* The model builder: md4c callbacks */

typedef struct
{
  GPtrArray *blocks;
  GArray    *md_stack;     /* int per md4c block entered: a model index, or -1 */
  GArray    *span_stack;   /* int per md4c span entered: an index into spans, or -1 */
  GString   *text;         /* text of the open text block */
  GArray    *spans;        /* CriaMarkdownSpan of the open text block */
  guint      depth;        /* depth of a block added now */
  int        text_block;   /* index of the open text block, or -1 */
  gboolean   implicit;     /* that block is a paragraph md4c did not report */
  gboolean   in_head;      /* inside the header rows of a table */
} Builder;

static guint
builder_add (Builder               *b,
             CriaMarkdownBlockKind  kind)
{
  CriaMarkdownBlock *block = g_new0 (CriaMarkdownBlock, 1);

  block->kind = kind;
  block->depth = b->depth;
  g_ptr_array_add (b->blocks, block);

  if (kind_is_container (kind))
    b->depth++;

  return b->blocks->len - 1;
}

static void
builder_open_text (Builder *b,
                   guint    index)
{
  g_assert (b->text_block < 0);

  b->text_block = index;
  b->implicit = FALSE;
  g_string_truncate (b->text, 0);
  g_array_set_size (b->spans, 0);
  g_array_set_size (b->span_stack, 0);
}

static void
builder_close_text (Builder  *b,
                    gboolean  strip_newline)
{
  CriaMarkdownBlock *block;

  if (b->text_block < 0)
    return;

  if (strip_newline && b->text->len > 0 && b->text->str[b->text->len - 1] == '\n')
    g_string_truncate (b->text, b->text->len - 1);

  block = g_ptr_array_index (b->blocks, b->text_block);
  block->text = g_strndup (b->text->str, b->text->len);
  block->text_length = b->text->len;

  if (b->spans->len > 0)
    {
      for (guint i = 0; i < b->spans->len; i++)
        {
          CriaMarkdownSpan *span = &g_array_index (b->spans, CriaMarkdownSpan, i);

          /* Spans md4c left open end with the text. */
          if (span->end < span->start || span->end > b->text->len)
            span->end = b->text->len;
          span->start = MIN (span->start, span->end);
        }

      block->n_spans = b->spans->len;
      block->spans = g_memdup2 (b->spans->data, b->spans->len * sizeof (CriaMarkdownSpan));
      g_array_set_size (b->spans, 0);
    }

  b->text_block = -1;
  b->implicit = FALSE;
}

/* A tight list item holds its text without a paragraph: the model always
 * has one, so an item reads the same whether the list is tight or loose. */
static void
builder_ensure_text (Builder *b)
{
  if (b->text_block >= 0)
    return;

  builder_open_text (b, builder_add (b, CRIA_MARKDOWN_BLOCK_PARAGRAPH));
  b->implicit = TRUE;
}

static void
builder_close_implicit (Builder *b)
{
  if (b->text_block >= 0 && b->implicit)
    builder_close_text (b, FALSE);
}

static int
enter_block_cb (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Builder *b = user_data;
  CriaMarkdownBlock *block;
  int index = -1;

  builder_close_implicit (b);

  /* A block inside a text block: md4c does not do that. */
  if (b->text_block >= 0)
    return -1;

  switch (type)
    {
    case MD_BLOCK_DOC:
    case MD_BLOCK_TBODY:
      b->in_head = FALSE;
      break;

    case MD_BLOCK_THEAD:
      b->in_head = TRUE;
      break;

    case MD_BLOCK_QUOTE:
      index = builder_add (b, CRIA_MARKDOWN_BLOCK_QUOTE);
      break;

    case MD_BLOCK_UL:
      {
        MD_BLOCK_UL_DETAIL *ul = detail;

        index = builder_add (b, CRIA_MARKDOWN_BLOCK_LIST);
        block = g_ptr_array_index (b->blocks, index);
        block->mark = ul->mark;
      }
      break;

    case MD_BLOCK_OL:
      {
        MD_BLOCK_OL_DETAIL *ol = detail;

        index = builder_add (b, CRIA_MARKDOWN_BLOCK_LIST);
        block = g_ptr_array_index (b->blocks, index);
        block->ordered = TRUE;
        block->start = ol->start;
        block->mark = ol->mark_delimiter;
      }
      break;

    case MD_BLOCK_LI:
      {
        MD_BLOCK_LI_DETAIL *li = detail;

        index = builder_add (b, CRIA_MARKDOWN_BLOCK_ITEM);
        block = g_ptr_array_index (b->blocks, index);
        if (li->is_task)
          block->task = li->task_mark == ' ' ? CRIA_MARKDOWN_TASK_UNCHECKED
                                             : CRIA_MARKDOWN_TASK_CHECKED;
      }
      break;

    case MD_BLOCK_HR:
      index = builder_add (b, CRIA_MARKDOWN_BLOCK_RULE);
      break;

    case MD_BLOCK_H:
      {
        MD_BLOCK_H_DETAIL *h = detail;

        index = builder_add (b, CRIA_MARKDOWN_BLOCK_HEADING);
        block = g_ptr_array_index (b->blocks, index);
        block->level = CLAMP (h->level, 1, 6);
        builder_open_text (b, index);
      }
      break;

    case MD_BLOCK_CODE:
      {
        MD_BLOCK_CODE_DETAIL *code = detail;

        index = builder_add (b, CRIA_MARKDOWN_BLOCK_CODE);
        block = g_ptr_array_index (b->blocks, index);
        block->fenced = code->fence_char != 0;
        block->language = decode_attribute (&code->lang);
        builder_open_text (b, index);
      }
      break;

    case MD_BLOCK_HTML:   /* Not with MD_FLAG_NOHTML; plain text if ever. */
    case MD_BLOCK_P:
      index = builder_add (b, CRIA_MARKDOWN_BLOCK_PARAGRAPH);
      builder_open_text (b, index);
      break;

    case MD_BLOCK_TABLE:
      {
        MD_BLOCK_TABLE_DETAIL *table = detail;

        index = builder_add (b, CRIA_MARKDOWN_BLOCK_TABLE);
        block = g_ptr_array_index (b->blocks, index);
        block->n_columns = table->col_count;
      }
      break;

    case MD_BLOCK_TR:
      index = builder_add (b, CRIA_MARKDOWN_BLOCK_ROW);
      block = g_ptr_array_index (b->blocks, index);
      block->header = b->in_head;
      break;

    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      {
        MD_BLOCK_TD_DETAIL *td = detail;

        index = builder_add (b, CRIA_MARKDOWN_BLOCK_CELL);
        block = g_ptr_array_index (b->blocks, index);
        block->header = type == MD_BLOCK_TH;
        switch (td->align)
          {
          case MD_ALIGN_LEFT:
            block->align = CRIA_MARKDOWN_ALIGN_LEFT;
            break;
          case MD_ALIGN_CENTER:
            block->align = CRIA_MARKDOWN_ALIGN_CENTER;
            break;
          case MD_ALIGN_RIGHT:
            block->align = CRIA_MARKDOWN_ALIGN_RIGHT;
            break;
          case MD_ALIGN_DEFAULT:
          default:
            block->align = CRIA_MARKDOWN_ALIGN_DEFAULT;
            break;
          }
        builder_open_text (b, index);
      }
      break;

    default:
      break;
    }

  g_array_append_val (b->md_stack, index);

  return 0;
}

static int
leave_block_cb (MD_BLOCKTYPE  type,
                void         *detail,
                void         *user_data)
{
  Builder *b = user_data;
  CriaMarkdownBlock *block;
  int index;

  builder_close_implicit (b);

  if (b->md_stack->len == 0)
    return -1;

  index = g_array_index (b->md_stack, int, b->md_stack->len - 1);
  g_array_set_size (b->md_stack, b->md_stack->len - 1);

  if (type == MD_BLOCK_THEAD)
    b->in_head = FALSE;

  if (index < 0)
    return 0;

  block = g_ptr_array_index (b->blocks, index);
  if (kind_is_container (block->kind))
    {
      if (b->text_block >= 0 || b->depth == 0)
        return -1;
      b->depth--;
    }
  else if (b->text_block == index)
    {
      builder_close_text (b, type == MD_BLOCK_CODE || type == MD_BLOCK_HTML);
    }

  return 0;
}

static int
enter_span_cb (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Builder *b = user_data;
  CriaMarkdownSpan span = { 0, };
  int index = -1;

  builder_ensure_text (b);
  span.start = span.end = b->text->len;

  switch (type)
    {
    case MD_SPAN_EM:
      span.kind = CRIA_MARKDOWN_SPAN_EMPHASIS;
      index = b->spans->len;
      break;

    case MD_SPAN_STRONG:
      span.kind = CRIA_MARKDOWN_SPAN_STRONG;
      index = b->spans->len;
      break;

    case MD_SPAN_CODE:
      span.kind = CRIA_MARKDOWN_SPAN_CODE;
      index = b->spans->len;
      break;

    case MD_SPAN_DEL:
      span.kind = CRIA_MARKDOWN_SPAN_STRIKETHROUGH;
      index = b->spans->len;
      break;

    case MD_SPAN_IMG:
      /* The alt text, never the image: nothing remote is loaded. */
      span.kind = CRIA_MARKDOWN_SPAN_IMAGE_ALT;
      index = b->spans->len;
      break;

    case MD_SPAN_A:
      {
        MD_SPAN_A_DETAIL *a = detail;
        g_autofree char *href = decode_attribute (&a->href);

        /* Any other target (javascript:, file:, data:, relative) leaves
         * the link text as plain text. */
        if (href_is_safe (href))
          {
            span.kind = CRIA_MARKDOWN_SPAN_LINK;
            span.href = g_steal_pointer (&href);
            index = b->spans->len;
          }
      }
      break;

    case MD_SPAN_LATEXMATH:
    case MD_SPAN_LATEXMATH_DISPLAY:
    case MD_SPAN_WIKILINK:
    case MD_SPAN_U:
    default:
      break;
    }

  if (index >= 0)
    g_array_append_val (b->spans, span);
  g_array_append_val (b->span_stack, index);

  return 0;
}

static int
leave_span_cb (MD_SPANTYPE  type,
               void        *detail,
               void        *user_data)
{
  Builder *b = user_data;
  int index;

  if (b->span_stack->len == 0 || b->text_block < 0)
    return -1;

  index = g_array_index (b->span_stack, int, b->span_stack->len - 1);
  g_array_set_size (b->span_stack, b->span_stack->len - 1);

  if (index >= 0)
    g_array_index (b->spans, CriaMarkdownSpan, index).end = b->text->len;

  return 0;
}

static int
text_cb (MD_TEXTTYPE     type,
         const MD_CHAR  *text,
         MD_SIZE         size,
         void           *user_data)
{
  Builder *b = user_data;

  builder_ensure_text (b);

  switch (type)
    {
    case MD_TEXT_NULLCHAR:
      g_string_append_unichar (b->text, 0xFFFD);
      break;

    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
      /* A soft break stays a line break, as in GitHub comments: model
       * output uses single newlines for verse, addresses and the like. */
      g_string_append_c (b->text, '\n');
      break;

    case MD_TEXT_ENTITY:
      append_entity (b->text, text, size);
      break;

    case MD_TEXT_NORMAL:
    case MD_TEXT_CODE:
    case MD_TEXT_HTML:        /* Not with MD_FLAG_NOHTML; literal if ever. */
    case MD_TEXT_LATEXMATH:
    default:
      g_string_append_len (b->text, text, size);
      break;
    }

  return 0;
}

static void
debug_log_cb (const char *msg,
              void       *user_data)
{
  g_debug ("md4c: %s", msg);
}

static const MD_PARSER parser = {
  0,    /* abi_version */
  CRIA_MARKDOWN_FLAGS,
  enter_block_cb,
  leave_block_cb,
  enter_span_cb,
  leave_span_cb,
  text_cb,
  debug_log_cb,
  NULL,
};

/* Parses @text (valid UTF-8), which starts at byte @offset of a message,
 * into a new array of blocks. md4c 0.4.8 gets its input in @input as
 *
 *   "x\n" + a blank line + text + NUL
 *
 * for three of its quirks:
 *  - it reads the byte after the end in places (an unclosed link at the
 *    end; mity/md4c#167 and #168, fixed in 0.5) and goes wrong unless that
 *    is NUL;
 *  - after a blank line in a list item it takes the last bytes of its block
 *    buffer for a block header even when they are the offsets of a line, so
 *    a list item with blank lines in it can parse differently at another
 *    offset modulo 256, or as the first block of the input ("+ a\nb\n\n\n   c":
 *    c leaves the item or not).
 * The paragraph "x" is a block before the text, and the blank line pads the
 * text to the offset it has in the whole message (+ 3), modulo 256: a tail
 * parses exactly as the same lines do in the whole message. The paragraph
 * is dropped from the result; nothing after a blank line joins it. */
static GPtrArray *
parse_blocks (const char *text,
              gsize       length,
              gsize       offset,
              GString    *input)
{
  Builder b = { 0, };
  CriaMarkdownBlock *first;
  int ret;

  g_string_truncate (input, 0);
  g_string_append (input, "x\n");
  for (gsize i = 0; i < offset % 256; i++)
    g_string_append_c (input, ' ');
  g_string_append_c (input, '\n');
  g_string_append_len (input, text, MIN (length, G_MAXUINT - input->len - 1));

  b.blocks = blocks_new ();
  b.md_stack = g_array_new (FALSE, FALSE, sizeof (int));
  b.span_stack = g_array_new (FALSE, FALSE, sizeof (int));
  b.spans = g_array_new (FALSE, TRUE, sizeof (CriaMarkdownSpan));
  b.text = g_string_new (NULL);
  b.text_block = -1;

  ret = md_parse (input->str, (MD_SIZE) input->len, &parser, &b);

  builder_close_text (&b, FALSE);

  first = b.blocks->len > 0 ? g_ptr_array_index (b.blocks, 0) : NULL;
  if (ret == 0 && first != NULL && first->kind == CRIA_MARKDOWN_BLOCK_PARAGRAPH &&
      first->depth == 0 && g_strcmp0 (first->text, "x") == 0)
    {
      g_ptr_array_remove_index (b.blocks, 0);
    }
  else
    {
      CriaMarkdownBlock *block = g_new0 (CriaMarkdownBlock, 1);

      /* md4c ran out of memory or gave events out of order: show the text
       * as it is rather than a half-built model. */
      g_debug ("md_parse () failed (%d) on %" G_GSIZE_FORMAT " bytes", ret, length);

      for (guint i = 0; i < b.spans->len; i++)
        g_free (g_array_index (b.spans, CriaMarkdownSpan, i).href);
      g_ptr_array_set_size (b.blocks, 0);

      block->kind = CRIA_MARKDOWN_BLOCK_PARAGRAPH;
      block->text = g_strndup (text, length);
      block->text_length = length;
      g_ptr_array_add (b.blocks, block);
    }

  g_array_unref (b.md_stack);
  g_array_unref (b.span_stack);
  g_array_unref (b.spans);
  g_string_free (b.text, TRUE);

  return b.blocks;
}

/* UTF-8 */

/* Appends @data to @out with every invalid byte replaced by U+FFFD, as
 * g_utf8_make_valid () does. With @hold, a sequence cut short by the end
 * of @data is not replaced: its length is returned, and the caller passes
 * those bytes again in front of the next piece. */
static gsize
append_valid_utf8 (GString    *out,
                   const char *data,
                   gsize       length,
                   gboolean    hold)
{
  while (length > 0)
    {
      const char *end;
      gsize valid;

      if (g_utf8_validate (data, length, &end))
        {
          g_string_append_len (out, data, length);
          return 0;
        }

      valid = end - data;
      g_string_append_len (out, data, valid);
      data += valid;
      length -= valid;

      if (hold && length < 4)
        {
          guchar lead = (guchar) data[0];
          gsize needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
          gboolean prefix = lead >= 0xC2 && lead <= 0xF4 && length < needed;

          for (gsize i = 1; prefix && i < length; i++)
            prefix = ((guchar) data[i] & 0xC0) == 0x80;

          if (prefix)
            return length;
        }

      g_string_append (out, "\xEF\xBF\xBD");
      data++;
      length--;
    }

  return 0;
}

/* Document */

CriaMarkdownDocument *
cria_markdown_parse (const char *text,
                     gssize      length)
{
  CriaMarkdownDocument *self;
  GString *valid;
  GString *input;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (length < 0)
    length = strlen (text);

  self = g_new0 (CriaMarkdownDocument, 1);

  valid = g_string_sized_new (length);
  input = g_string_sized_new (length + 8);
  append_valid_utf8 (valid, text, length, FALSE);
  self->blocks = parse_blocks (valid->str, valid->len, 0, input);
  g_string_free (valid, TRUE);
  g_string_free (input, TRUE);

  return self;
}

void
cria_markdown_document_free (CriaMarkdownDocument *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->blocks);
  g_free (self);
}

guint
cria_markdown_document_get_n_blocks (const CriaMarkdownDocument *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->blocks->len;
}

/**
 * cria_markdown_document_get_block:
 *
 * Returns: (transfer none): the block, valid while the document is; for the
 *   document of a stream, until a later append () or finish () replaces it
 *   (blocks before the index those return stay where they are).
 */
const CriaMarkdownBlock *
cria_markdown_document_get_block (const CriaMarkdownDocument *self,
                                  guint                       index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->blocks->len, NULL);

  return g_ptr_array_index (self->blocks, index);
}

const char *
cria_markdown_block_kind_to_string (CriaMarkdownBlockKind kind)
{
  switch (kind)
    {
    case CRIA_MARKDOWN_BLOCK_PARAGRAPH: return "paragraph";
    case CRIA_MARKDOWN_BLOCK_HEADING: return "heading";
    case CRIA_MARKDOWN_BLOCK_CODE: return "code";
    case CRIA_MARKDOWN_BLOCK_QUOTE: return "quote";
    case CRIA_MARKDOWN_BLOCK_LIST: return "list";
    case CRIA_MARKDOWN_BLOCK_ITEM: return "item";
    case CRIA_MARKDOWN_BLOCK_TABLE: return "table";
    case CRIA_MARKDOWN_BLOCK_ROW: return "row";
    case CRIA_MARKDOWN_BLOCK_CELL: return "cell";
    case CRIA_MARKDOWN_BLOCK_RULE: return "rule";
    default: return "unknown";
    }
}

const char *
cria_markdown_span_kind_to_string (CriaMarkdownSpanKind kind)
{
  switch (kind)
    {
    case CRIA_MARKDOWN_SPAN_EMPHASIS: return "em";
    case CRIA_MARKDOWN_SPAN_STRONG: return "strong";
    case CRIA_MARKDOWN_SPAN_CODE: return "code";
    case CRIA_MARKDOWN_SPAN_LINK: return "link";
    case CRIA_MARKDOWN_SPAN_STRIKETHROUGH: return "strike";
    case CRIA_MARKDOWN_SPAN_IMAGE_ALT: return "image-alt";
    default: return "unknown";
    }
}

/* Dump */

static void
dump_escaped (GString    *out,
              const char *text,
              gsize       length,
              gboolean    in_href)
{
  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) text[i];

      switch (c)
        {
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '{': g_string_append (out, "\\{"); break;
        case '}': g_string_append (out, "\\}"); break;
        default:
          if (c == '>' && in_href)
            g_string_append (out, "\\>");
          else if (c < 0x20 || c == 0x7F)
            g_string_append_printf (out, "\\x%02X", c);
          else
            g_string_append_c (out, c);
          break;
        }
    }
}
static void
dump_open_span (GString                *out,
                const CriaMarkdownSpan *span)
{
  g_string_append_printf (out, "{%s", cria_markdown_span_kind_to_string (span->kind));
  if (span->href != NULL)
    {
      g_string_append (out, " <");
      dump_escaped (out, span->href, strlen (span->href), TRUE);
      g_string_append_c (out, '>');
    }
  g_string_append_c (out, ':');
}

/* The text with spans as {kind:…} and {link <href>:…}. */
static void
dump_text (GString                 *out,
           const CriaMarkdownBlock *block)
{
  g_autoptr(GArray) open = g_array_new (FALSE, FALSE, sizeof (guint));
  gsize pos = 0;
  guint next = 0;

  for (;;)
    {
      gsize stop = block->text_length;

      /* Close what ends here, innermost first. */
      while (open->len > 0)
        {
          guint top = g_array_index (open, guint, open->len - 1);

          if (block->spans[top].end > pos)
            break;
          g_string_append_c (out, '}');
          g_array_set_size (open, open->len - 1);
        }

      if (next < block->n_spans && block->spans[next].start <= pos)
        {
          dump_open_span (out, &block->spans[next]);
          g_array_append_val (open, next);
          next++;
          continue;
        }

      if (pos >= block->text_length)
        break;

      if (next < block->n_spans)
        stop = MIN (stop, block->spans[next].start);
      for (guint i = 0; i < open->len; i++)
        stop = MIN (stop, block->spans[g_array_index (open, guint, i)].end);

      dump_escaped (out, block->text + pos, stop - pos, FALSE);
      pos = stop;
    }

  for (guint i = 0; i < open->len; i++)
    g_string_append_c (out, '}');
}

static void
dump_block (GString                 *out,
            const CriaMarkdownBlock *block)
{
  for (guint i = 0; i < block->depth; i++)
    g_string_append (out, "  ");

  g_string_append (out, cria_markdown_block_kind_to_string (block->kind));

  switch (block->kind)
    {
    case CRIA_MARKDOWN_BLOCK_HEADING:
      g_string_append_printf (out, " level=%u", block->level);
      break;

    case CRIA_MARKDOWN_BLOCK_CODE:
      g_string_append (out, block->fenced ? " fenced" : " indented");
      if (block->language != NULL)
        {
          g_string_append (out, " lang=");
          dump_escaped (out, block->language, strlen (block->language), FALSE);
        }
      break;

    case CRIA_MARKDOWN_BLOCK_LIST:
      if (block->ordered)
        g_string_append_printf (out, " ordered start=%u", block->start);
      else
        g_string_append (out, " bullet");
      g_string_append_printf (out, " mark=%c", block->mark != 0 ? block->mark : '?');
      break;

    case CRIA_MARKDOWN_BLOCK_ITEM:
      if (block->task == CRIA_MARKDOWN_TASK_UNCHECKED)
        g_string_append (out, " task=unchecked");
      else if (block->task == CRIA_MARKDOWN_TASK_CHECKED)
        g_string_append (out, " task=checked");
      break;

    case CRIA_MARKDOWN_BLOCK_TABLE:
      g_string_append_printf (out, " columns=%u", block->n_columns);
      break;

    case CRIA_MARKDOWN_BLOCK_ROW:
      if (block->header)
        g_string_append (out, " header");
      break;

    case CRIA_MARKDOWN_BLOCK_CELL:
      if (block->header)
        g_string_append (out, " header");
      if (block->align == CRIA_MARKDOWN_ALIGN_LEFT)
        g_string_append (out, " align=left");
      else if (block->align == CRIA_MARKDOWN_ALIGN_CENTER)
        g_string_append (out, " align=center");
      else if (block->align == CRIA_MARKDOWN_ALIGN_RIGHT)
        g_string_append (out, " align=right");
      break;

    case CRIA_MARKDOWN_BLOCK_PARAGRAPH:
    case CRIA_MARKDOWN_BLOCK_QUOTE:
    case CRIA_MARKDOWN_BLOCK_RULE:
    default:
      break;
    }

  if (block->text != NULL)
    {
      g_string_append_c (out, ':');
      if (block->text_length > 0 || block->n_spans > 0)
        {
          g_string_append_c (out, ' ');
          dump_text (out, block);
        }
    }

  g_string_append_c (out, '\n');
}

char *
_cria_markdown_dump_block (const CriaMarkdownBlock *block)
{
  GString *out = g_string_new (NULL);

  dump_block (out, block);
  g_string_truncate (out, out->len - 1);

  return g_string_free (out, FALSE);
}

/**
 * cria_markdown_dump:
 *
 * A stable text form of the model for tests: one block per line, indented
 * two spaces per depth, as `kind attr=value…: text`. In the text, spans are
 * `{kind:…}` (`{link <href>:…}`), and `\`, `{`, `}` (and `>` in an href),
 * newlines and control characters are escaped.
 *
 * Returns: (transfer full): the dump
 */
char *
cria_markdown_dump (const CriaMarkdownDocument *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < self->blocks->len; i++)
    dump_block (out, g_ptr_array_index (self->blocks, i));

  return g_string_free (out, FALSE);
}

/* Stream */

/* Offsets in source count from its first byte, a newline that is not part
 * of the text: the byte before a line start is always a newline. */
struct _CriaMarkdownStream
{
  GString              *source;       /* "\n" and the valid UTF-8 received so far */
  char                  held[4];      /* a UTF-8 sequence the last piece cut short */
  gsize                 n_held;

  CriaMarkdownDocument *document;     /* final blocks, then the open tail's */
  guint                 n_final;

  gsize                 cut;          /* where the open tail starts in source */
  guint                 merge;        /* leading containers of the tail that continue final ones */
  GString              *prefix;       /* parsed before the tail after a forced cut in a fence */
  GString              *scratch;      /* prefix + tail */
  GString              *input;        /* what md_parse () reads */

  gsize                 scanned;      /* start of the first line not yet scanned */
  gsize                 searched;     /* no newline from scanned up to here */
  gboolean              open_line;    /* the last line scanned may go on in the next */
  char                  fence_char;   /* the scanner is inside a fence of that character */
  gsize                 fence_length;
  gsize                 fence_line;   /* its opening line, in source */
  gsize                 fence_line_end;

  guint                 n_cuts;
  guint                 inexact : 1;    /* a cut was forced */
  guint                 maybe_refs : 1; /* a line may define a link reference */
  guint                 finished : 1;
  guint                 reparsed : 1;

  guint64               bytes_parsed;
};

CriaMarkdownStream *
cria_markdown_stream_new (void)
{
  CriaMarkdownStream *self = g_new0 (CriaMarkdownStream, 1);

  self->source = g_string_new ("\n");
  self->prefix = g_string_new (NULL);
  self->scratch = g_string_new (NULL);
  self->input = g_string_new (NULL);
  self->cut = self->scanned = self->searched = 1;
  self->document = g_new0 (CriaMarkdownDocument, 1);
  self->document->blocks = blocks_new ();

  return self;
}

void
cria_markdown_stream_free (CriaMarkdownStream *self)
{
  if (self == NULL)
    return;

  g_string_free (self->source, TRUE);
  g_string_free (self->prefix, TRUE);
  g_string_free (self->scratch, TRUE);
  g_string_free (self->input, TRUE);
  cria_markdown_document_free (self->document);
  g_free (self);
}

/* @start: where @text starts in source */
static GPtrArray *
stream_parse (CriaMarkdownStream *self,
              const char         *text,
              gsize               length,
              gsize               start)
{
  self->bytes_parsed += length;

  return parse_blocks (text, length, start - 1, self->input);
}

/* The tail from the cut to @end, after the prefix, as one string. */
static const char *
stream_tail_text (CriaMarkdownStream *self,
                  gsize               end,
                  gsize              *length)
{
  if (self->prefix->len == 0)
    {
      *length = end - self->cut;
      return self->source->str + self->cut;
    }

  g_string_truncate (self->scratch, 0);
  g_string_append_len (self->scratch, self->prefix->str, self->prefix->len);
  g_string_append_len (self->scratch, self->source->str + self->cut, end - self->cut);
  *length = self->scratch->len;

  return self->scratch->str;
}

/* Whether blocks[0..merge) are the chain of containers a tail continues. */
static gboolean
has_leading_chain (GPtrArray *blocks,
                   guint      merge)
{
  if (blocks->len < merge)
    return FALSE;

  for (guint i = 0; i < merge; i++)
    {
      const CriaMarkdownBlock *block = g_ptr_array_index (blocks, i);

      if (block->depth != i || !kind_is_container (block->kind))
        return FALSE;
    }

  return TRUE;
}

/* Appends @parsed (a parse of text starting at the cut) to the document,
 * leaving out the containers it shares with the final blocks. */
static void
stream_take (CriaMarkdownStream *self,
             GPtrArray          *parsed)
{
  guint merge = self->merge;

  if (!has_leading_chain (parsed, merge))
    {
      /* Cannot happen: the line at the cut began those containers. */
      g_debug ("Tail does not continue %u containers", merge);
      merge = 0;
      self->inexact = TRUE;
    }

  blocks_move (parsed, merge, self->document->blocks);
  g_ptr_array_unref (parsed);
}

static gboolean
mergeable (const CriaMarkdownBlock *a,
           const CriaMarkdownBlock *b)
{
  if (a->kind != b->kind)
    return FALSE;

  if (a->kind == CRIA_MARKDOWN_BLOCK_QUOTE)
    return TRUE;

  return a->kind == CRIA_MARKDOWN_BLOCK_LIST && a->ordered == b->ordered && a->mark == b->mark;
}

/* Whether parse (region + line) == region ++ line[k:] for the k leading
 * containers of @line that continue the last open ones of @region. */
static gboolean
splice_matches (GPtrArray *region,
                GPtrArray *line,
                GPtrArray *whole,
                guint     *merge)
{
  gssize k = (gssize) region->len + (gssize) line->len - (gssize) whole->len;
  gssize chain = -1;

  /* The line adds a block right under the containers it continues (or at
   * the top): that closes whatever the region had open deeper down. A line
   * that adds nothing (">" in a quote) leaves a list in the quote open. */
  if (k < 0 || k >= (gssize) line->len || !has_leading_chain (line, k) ||
      ((CriaMarkdownBlock *) g_ptr_array_index (line, k))->depth != (guint) k)
    return FALSE;

  /* The region's trailing chain: its last block at depth i, each after the
   * one at depth i - 1. */
  for (gssize i = 0; i < k; i++)
    {
      gssize found = -1;

      for (gssize j = (gssize) region->len - 1; j > chain; j--)
        {
          if (((CriaMarkdownBlock *) g_ptr_array_index (region, j))->depth == (guint) i)
            {
              found = j;
              break;
            }
        }

      if (found < 0 ||
          !mergeable (g_ptr_array_index (region, found),
                      g_ptr_array_index (line, i)))
        return FALSE;
      chain = found;
    }

  for (guint i = 0; i < region->len; i++)
    {
      if (!block_equal (g_ptr_array_index (region, i),
                        g_ptr_array_index (whole, i)))
        return FALSE;
    }

  for (guint i = k; i < line->len; i++)
    {
      if (!block_equal (g_ptr_array_index (line, i),
                        g_ptr_array_index (whole, region->len + i - k)))
        return FALSE;
    }

  *merge = k;

  return TRUE;
}

/* Tries the line [line_start, line_end) as the start of a new tail. */
static void
stream_try_cut (CriaMarkdownStream *self,
                gsize               line_start,
                gsize               line_end)
{
  const char *text;
  gsize region_length;
  gsize length;
  GPtrArray *region;
  GPtrArray *line;
  GPtrArray *whole;
  guint merge = 0;

  text = stream_tail_text (self, line_end, &length);
  region_length = length - (line_end - line_start);

  region = stream_parse (self, text, region_length, self->cut);
  line = stream_parse (self, self->source->str + line_start, line_end - line_start, line_start);
  whole = stream_parse (self, text, length, self->cut);

  if (splice_matches (region, line, whole, &merge))
    {
      g_debug ("Final up to byte %" G_GSIZE_FORMAT ", tail continues %u containers",
               line_start, merge);
      stream_take (self, g_steal_pointer (&region));
      self->n_final = self->document->blocks->len;
      self->cut = line_start;
      self->merge = merge;
      g_string_truncate (self->prefix, 0);
      self->n_cuts++;
    }

  g_clear_pointer (&region, g_ptr_array_unref);
  g_ptr_array_unref (line);
  g_ptr_array_unref (whole);
}

static gsize
line_indent (const char *line,
             gsize       length,
             gsize      *column)
{
  gsize i = 0;

  *column = 0;
  for (; i < length; i++)
    {
      if (line[i] == ' ')
        *column += 1;
      else if (line[i] == '\t')
        *column += 4 - (*column % 4);
      else
        break;
    }

  return i;
}

/* A fence line: 0–3 columns of indent, then 3 or more ` or ~. Returns the
 * character and sets @run and @rest (what follows the run). */
static char
fence_run (const char  *line,
           gsize        length,
           gsize       *run,
           const char **rest,
           gsize       *rest_length)
{
  gsize column;
  gsize i = line_indent (line, length, &column);
  gsize j;
  char c;

  if (column > 3 || i >= length || (line[i] != '`' && line[i] != '~'))
    return 0;

  c = line[i];
  for (j = i; j < length && line[j] == c; j++)
    ;

  if (j - i < 3)
    return 0;

  *run = j - i;
  *rest = line + j;
  *rest_length = length - j;

  return c;
}

/* Whether a line can start a block, or end the one before it, by its first
 * characters. One that cannot, after a line of text, is more of the same
 * paragraph: not worth a check. */
static gboolean
line_may_start_block (const char *line,
                      gsize       length)
{
  char c = line[0];

  if (strchr ("#>=`~|:<", c) != NULL || g_ascii_isdigit (c))
    return TRUE;

  if (c == '-' || c == '+' || c == '*' || c == '_')
    {
      /* A list item, or a rule or setext underline made of c alone. */
      if (length == 1 || line[1] == ' ' || line[1] == '\t')
        return TRUE;
      for (gsize i = 1; i < length; i++)
        {
          if (line[i] != c && line[i] != ' ' && line[i] != '\t')
            return FALSE;
        }
      return TRUE;
    }

  return FALSE;
}

static gboolean
line_may_define_reference (const char *line,
                           gsize       length)
{
  gsize i = 0;

  /* Past quote marks and a list marker, "[label]:" may define a reference. */
  while (i < length && (line[i] == ' ' || line[i] == '\t' || line[i] == '>'))
    i++;
  if (i + 1 < length && (line[i] == '-' || line[i] == '*' || line[i] == '+') && line[i + 1] == ' ')
    i += 2;
  else
    {
      gsize d = i;

      while (d < length && g_ascii_isdigit (line[d]))
        d++;
      if (d > i && d + 1 < length && (line[d] == '.' || line[d] == ')') && line[d + 1] == ' ')
        i = d + 2;
    }
  while (i < length && (line[i] == ' ' || line[i] == '\t'))
    i++;

  return i < length && line[i] == '[' &&
         g_strstr_len (line + i, length - i, "]:") != NULL;
}

/* Looks at each line completed since the last append. */
static void
stream_scan_lines (CriaMarkdownStream *self)
{
  for (;;)
    {
      const char *line = self->source->str + self->scanned;
      gsize from = MAX (self->searched, self->scanned);
      const char *newline = memchr (self->source->str + from, '\n', self->source->len - from);
      gsize start = self->scanned;
      gsize end;
      gsize length;
      gsize run = 0;
      const char *rest = NULL;
      gsize rest_length = 0;
      char fence;

      if (newline == NULL)
        {
          self->searched = self->source->len;
          break;
        }

      end = newline - self->source->str + 1;
      length = newline - line;
      if (length > 0 && line[length - 1] == '\r')
        length--;
      self->scanned = end;

      fence = fence_run (line, length, &run, &rest, &rest_length);

      /* Even inside what looks like a fence: the guess can be wrong. */
      if (line_may_define_reference (line, length))
        self->maybe_refs = TRUE;

      if (self->fence_char != 0)
        {
          gboolean closes = fence == self->fence_char && run >= self->fence_length;

          for (gsize i = 0; closes && i < rest_length; i++)
            closes = rest[i] == ' ' || rest[i] == '\t';
          if (closes)
            self->fence_char = 0;
          self->open_line = FALSE;
          continue;
        }

      /* A check parses the region about twice: once per line, that costs
       * about what parsing the tail for each token does. */
      if (start > self->cut && length > 0 && line[0] != ' ' && line[0] != '\t' &&
          (!self->open_line || line_may_start_block (line, length)) &&
          self->prefix->len + (start - self->cut) <= CRIA_MARKDOWN_STREAM_MAX_TAIL)
        stream_try_cut (self, start, end);

      /* Text that a next line of text may continue (not a heading, not a
       * table row). */
      self->open_line = length > 0 && line[0] != '#' &&
                        memchr (line, '|', length) == NULL &&
                        strspn (line, " \t") < length;

      if (fence == '`' && memchr (rest, '`', rest_length) != NULL)
        fence = 0;  /* Backticks in the info string: not a fence. */
      if (fence != 0)
        {
          self->fence_char = fence;
          self->fence_length = run;
          self->fence_line = start;
          self->fence_line_end = end;
        }
    }
}

/* The tail is too long and no safe cut was found: cut at the last line
 * start (or white space in one huge line) all the same. */
static void
stream_force_cut (CriaMarkdownStream *self)
{
  gsize end = self->source->len;
  gsize at = 0;

  if (self->scanned > self->cut)
    {
      at = self->scanned;
    }
  else
    {
      for (gsize i = end; i > self->cut + 1; i--)
        {
          if (self->source->str[i - 1] == ' ')
            {
              at = i;
              break;
            }
        }
      if (at == 0)
        {
          at = end;
          while (at > self->cut && ((guchar) self->source->str[at] & 0xC0) == 0x80)
            at--;
        }
    }

  if (at <= self->cut)
    return;

  g_debug ("Forcing a cut after %" G_GSIZE_FORMAT " bytes", at - self->cut);

  {
    const char *text;
    gsize length;

    text = stream_tail_text (self, at, &length);
    stream_take (self, stream_parse (self, text, length, self->cut));
  }

  self->n_final = self->document->blocks->len;
  self->cut = at;
  self->merge = 0;
  self->inexact = TRUE;
  self->n_cuts++;

  /* Inside a fence, the rest is still code. */
  g_string_truncate (self->prefix, 0);
  if (self->fence_char != 0)
    g_string_append_len (self->prefix, self->source->str + self->fence_line,
                         self->fence_line_end - self->fence_line);
}

/* Blocks from @from on were @previous before: keep the ones that did not
 * change (and their addresses), and return the first that did. */
static guint
stream_settle (CriaMarkdownStream *self,
               GPtrArray          *previous,
               guint               from)
{
  GPtrArray *blocks = self->document->blocks;
  guint i = 0;

  while (from + i < blocks->len && i < previous->len)
    {
      CriaMarkdownBlock *now = g_ptr_array_index (blocks, from + i);
      CriaMarkdownBlock *before = g_ptr_array_index (previous, i);

      if (!block_equal (now, before))
        break;

      block_free (now);
      blocks->pdata[from + i] = before;
      previous->pdata[i] = NULL;
      i++;
    }

  g_ptr_array_unref (previous);

  return from + i;
}

static void
stream_parse_tail (CriaMarkdownStream *self)
{
  const char *text;
  gsize length;

  text = stream_tail_text (self, self->source->len, &length);
  if (length > 0)
    stream_take (self, stream_parse (self, text, length, self->cut));
}

/**
 * cria_markdown_stream_append:
 * @text: more of the message; it may end inside a UTF-8 sequence
 * @length: its length, or -1 if nul-terminated
 *
 * Adds @text and updates the document: the final blocks gain whatever no
 * later text can change, and the open tail is parsed again.
 *
 * Returns: the index of the first block that was added, removed or
 *   replaced: blocks before it are as they were, at the same addresses, and
 *   a view drops what it showed from there on and shows the blocks from
 *   there to the end. It is never less than the number of final blocks
 *   before the call; it is the number of blocks when nothing changed (or
 *   blocks were only removed from the end).
 */
guint
cria_markdown_stream_append (CriaMarkdownStream *self,
                             const char         *text,
                             gssize              length)
{
  GPtrArray *previous;
  guint from;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (text != NULL || length == 0, self->document->blocks->len);
  g_return_val_if_fail (!self->finished, self->document->blocks->len);

  if (length < 0)
    length = strlen (text);

  if (length == 0)
    return self->document->blocks->len;

  if (self->n_held > 0)
    {
      /* A sequence the last piece cut short goes first. */
      g_autofree char *joined = g_malloc (self->n_held + length);
      gsize total = self->n_held + length;

      memcpy (joined, self->held, self->n_held);
      memcpy (joined + self->n_held, text, length);
      self->n_held = append_valid_utf8 (self->source, joined, total, TRUE);
      memcpy (self->held, joined + total - self->n_held, self->n_held);
    }
  else
    {
      self->n_held = append_valid_utf8 (self->source, text, length, TRUE);
      memcpy (self->held, text + length - self->n_held, self->n_held);
    }

  from = self->n_final;
  previous = blocks_new ();
  blocks_move (self->document->blocks, from, previous);

  stream_scan_lines (self);
  if (self->prefix->len + (self->source->len - self->cut) > CRIA_MARKDOWN_STREAM_MAX_TAIL)
    stream_force_cut (self);
  stream_parse_tail (self);

  return stream_settle (self, previous, from);
}

/**
 * cria_markdown_stream_finish:
 *
 * Ends the message: every block becomes final. If the streamed model could
 * be off (a link reference definition, whose labels work across the whole
 * message; a forced cut), the whole text is parsed once more, and blocks
 * that were final can be replaced.
 *
 * Returns: the index of the first block that was added, removed or
 *   replaced, as for append (); it can be less than the number of final
 *   blocks before the call.
 */
guint
cria_markdown_stream_finish (CriaMarkdownStream *self)
{
  GPtrArray *previous;
  guint from;

  g_return_val_if_fail (self != NULL, 0);

  if (self->finished)
    return self->document->blocks->len;

  if (self->n_held > 0)
    {
      append_valid_utf8 (self->source, self->held, self->n_held, FALSE);
      self->n_held = 0;
    }

  if (self->inexact || (self->maybe_refs && self->n_cuts > 0))
    {
      g_debug ("Parsing all %" G_GSIZE_FORMAT " bytes again", self->source->len - 1);

      from = 0;
      previous = blocks_new ();
      blocks_move (self->document->blocks, 0, previous);
      self->cut = 1;
      self->merge = 0;
      g_string_truncate (self->prefix, 0);
      self->reparsed = TRUE;
    }
  else
    {
      from = self->n_final;
      previous = blocks_new ();
      blocks_move (self->document->blocks, from, previous);
    }

  stream_parse_tail (self);

  self->n_final = self->document->blocks->len;
  self->finished = TRUE;

  return stream_settle (self, previous, from);
}

/**
 * cria_markdown_stream_get_document:
 *
 * Returns: (transfer none): the model of the text so far
 */
const CriaMarkdownDocument *
cria_markdown_stream_get_document (CriaMarkdownStream *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->document;
}

/**
 * cria_markdown_stream_get_n_final:
 *
 * Returns: how many blocks, from the first, no later append () changes.
 *   Later blocks can still be added after them as children of final lists
 *   and quotes. Only a finish () that parses everything again (see there)
 *   replaces final blocks.
 */
guint
cria_markdown_stream_get_n_final (CriaMarkdownStream *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_final;
}

guint64
_cria_markdown_stream_get_bytes_parsed (CriaMarkdownStream *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->bytes_parsed;
}

gsize
_cria_markdown_stream_get_tail_offset (CriaMarkdownStream *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->cut - 1;
}

gboolean
_cria_markdown_stream_get_reparsed (CriaMarkdownStream *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->reparsed;
}
