/* test-markdown.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include "cria-core.h"
#include "cria-test-markdown.h"
#include "cria-markdown-private.h"

static char *
fixture_path (const char *name)
{
  return g_build_filename (FIXTURES_DIR, "markdown", name, NULL);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The *.md fixtures, sorted, without the extension. */
static GPtrArray *
list_fixtures (void)
{
  g_autofree char *dir_path = fixture_path (NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_suffix (name, ".md"))
        g_ptr_array_add (names, g_strndup (name, strlen (name) - 3));
    }

  g_ptr_array_sort (names, compare_names);

  return names;
}

static char *
load (const char *name,
      const char *extension,
      gsize      *length)
{
  g_autofree char *file = g_strconcat (name, extension, NULL);
  g_autofree char *path = fixture_path (file);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);

  return contents;
}

/* What every model must hold, whatever the input. */
static void
assert_model_sane (const CriaMarkdownDocument *doc)
{
  guint n = cria_markdown_document_get_n_blocks (doc);

  for (guint i = 0; i < n; i++)
    {
      const CriaMarkdownBlock *block = cria_markdown_document_get_block (doc, i);
      gboolean text_block = block->kind == CRIA_MARKDOWN_BLOCK_PARAGRAPH ||
                            block->kind == CRIA_MARKDOWN_BLOCK_HEADING ||
                            block->kind == CRIA_MARKDOWN_BLOCK_CODE ||
                            block->kind == CRIA_MARKDOWN_BLOCK_CELL;

      /* Depths describe a tree: a child sits under a container. */
      if (i == 0)
        {
          g_assert_cmpuint (block->depth, ==, 0);
        }
      else
        {
          const CriaMarkdownBlock *before = cria_markdown_document_get_block (doc, i - 1);
          gboolean container = before->text == NULL && before->kind != CRIA_MARKDOWN_BLOCK_RULE;

          g_assert_cmpuint (block->depth, <=, before->depth + (container ? 1 : 0));
        }

      g_assert_true (text_block == (block->text != NULL));
      if (block->text == NULL)
        {
          g_assert_cmpuint (block->n_spans, ==, 0);
          continue;
        }

      g_assert_cmpuint (strlen (block->text), ==, block->text_length);
      g_assert_true (g_utf8_validate (block->text, block->text_length, NULL));

      for (guint j = 0; j < block->n_spans; j++)
        {
          const CriaMarkdownSpan *span = &block->spans[j];

          g_assert_cmpuint (span->start, <=, span->end);
          g_assert_cmpuint (span->end, <=, block->text_length);
          if (j > 0)
            g_assert_cmpuint (block->spans[j - 1].start, <=, span->start);

          if (span->kind == CRIA_MARKDOWN_SPAN_LINK)
            {
              g_assert_nonnull (span->href);
              g_assert_true (g_ascii_strncasecmp (span->href, "http://", 7) == 0 ||
                             g_ascii_strncasecmp (span->href, "https://", 8) == 0 ||
                             g_ascii_strncasecmp (span->href, "mailto:", 7) == 0);
            }
          else
            {
              g_assert_null (span->href);
            }
        }
    }
}

static void
test_fixtures (void)
{
  g_autoptr(GPtrArray) names = list_fixtures ();

  g_assert_cmpuint (names->len, >=, 20);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      gsize length;
      g_autofree char *input = load (name, ".md", &length);
      g_autofree char *expected = load (name, ".expected", NULL);
      g_autoptr(CriaMarkdownDocument) doc = cria_markdown_parse (input, length);
      g_autofree char *dump = cria_markdown_dump (doc);

      g_test_message ("fixture %s", name);
      assert_model_sane (doc);
      g_assert_cmpstr (dump, ==, expected);
    }
}

/* Streaming */

typedef struct
{
  CriaMarkdownStream  *stream;
  GPtrArray           *seen;         /* block addresses after the last call */
  guint                n_final;
  char               **expected;     /* lines of the whole parse's dump */
  guint                n_expected;
  gboolean             finals_agree; /* final blocks always matched the whole parse */
} Feed;

static void
feed_init (Feed       *feed,
           const char *expected_dump)
{
  memset (feed, 0, sizeof *feed);
  feed->stream = cria_markdown_stream_new ();
  feed->seen = g_ptr_array_new ();
  feed->expected = g_strsplit (expected_dump, "\n", -1);
  feed->n_expected = g_strv_length (feed->expected);
  feed->finals_agree = TRUE;
}

static void
feed_clear (Feed *feed)
{
  cria_markdown_stream_free (feed->stream);
  g_ptr_array_unref (feed->seen);
  g_strfreev (feed->expected);
}

static void
feed_check (Feed     *feed,
            guint     first,
            gboolean  finishing)
{
  const CriaMarkdownDocument *doc = cria_markdown_stream_get_document (feed->stream);
  guint n = cria_markdown_document_get_n_blocks (doc);
  guint n_final = cria_markdown_stream_get_n_final (feed->stream);

  /* Blocks before the first change are the same blocks, at the same
   * addresses; a final block never changes before finish (). */
  g_assert_cmpuint (first, <=, n);
  if (!finishing)
    {
      g_assert_cmpuint (first, >=, feed->n_final);
      g_assert_cmpuint (n_final, >=, feed->n_final);
    }
  for (guint i = 0; i < first && i < feed->seen->len; i++)
    g_assert_true (cria_markdown_document_get_block (doc, i) == feed->seen->pdata[i]);
  if (first == n)
    g_assert_cmpuint (n, <=, feed->seen->len);   /* at most blocks removed at the end */
  g_assert_cmpuint (n_final, <=, n);

  /* New final blocks are what the whole text parses to. */
  for (guint i = feed->n_final; i < n_final; i++)
    {
      g_autofree char *line = _cria_markdown_dump_block (cria_markdown_document_get_block (doc, i));

      if (i >= feed->n_expected || strcmp (line, feed->expected[i]) != 0)
        feed->finals_agree = FALSE;
    }

  feed->n_final = n_final;
  g_ptr_array_set_size (feed->seen, 0);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (feed->seen, (gpointer) cria_markdown_document_get_block (doc, i));
}

static void
feed_append (Feed       *feed,
             const char *text,
             gsize       length)
{
  feed_check (feed, cria_markdown_stream_append (feed->stream, text, length), FALSE);
}

/* Splits about as a model's tokenizer does: a space and a few letters,
 * one or two punctuation characters, a run of newlines. */
static GArray *
split_tokens (const char *text,
              gsize       length)
{
  GArray *ends = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize i = 0;

#define IS_WORD(c) (g_ascii_isalnum (c) || ((guchar) (c) & 0x80))

  while (i < length)
    {
      gsize start = i;

      if (text[i] == ' ' && i + 1 < length && IS_WORD (text[i + 1]))
        i++;

      if (IS_WORD (text[i]))
        {
          while (i < length && i - start < 5 && IS_WORD (text[i]))
            i++;
        }
      else if (text[i] == '\n')
        {
          while (i < length && text[i] == '\n')
            i++;
        }
      else
        {
          while (i < length && i - start < 2 && !IS_WORD (text[i]) && text[i] != '\n')
            i++;
        }

      g_array_append_val (ends, i);
    }

#undef IS_WORD

  return ends;
}

static void
test_stream_fixtures (void)
{
  g_autoptr(GPtrArray) names = list_fixtures ();
  const gsize steps[] = { 1, 3, 17, 0 /* tokens */ };

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      gsize length;
      g_autofree char *input = load (name, ".md", &length);
      g_autofree char *expected = load (name, ".expected", NULL);

      for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
        {
          Feed feed;
          const CriaMarkdownDocument *doc;
          g_autofree char *dump = NULL;

          g_test_message ("fixture %s, pieces of %" G_GSIZE_FORMAT, name, steps[s]);
          feed_init (&feed, expected);

          if (steps[s] > 0)
            {
              for (gsize offset = 0; offset < length; offset += steps[s])
                feed_append (&feed, input + offset, MIN (steps[s], length - offset));
            }
          else
            {
              g_autoptr(GArray) ends = split_tokens (input, length);
              gsize offset = 0;

              for (guint t = 0; t < ends->len; t++)
                {
                  gsize end = g_array_index (ends, gsize, t);

                  feed_append (&feed, input + offset, end - offset);
                  offset = end;
                }
            }

          assert_model_sane (cria_markdown_stream_get_document (feed.stream));
          feed_check (&feed, cria_markdown_stream_finish (feed.stream), TRUE);
          doc = cria_markdown_stream_get_document (feed.stream);
          g_assert_cmpuint (cria_markdown_stream_get_n_final (feed.stream), ==,
                            cria_markdown_document_get_n_blocks (doc));

          dump = cria_markdown_dump (doc);
          g_assert_cmpstr (dump, ==, expected);

          /* Only link reference definitions and forced cuts (long-lines)
           * make final blocks differ until finish (). */
          if (!feed.finals_agree)
            g_assert_true (_cria_markdown_stream_get_reparsed (feed.stream));
          if (_cria_markdown_stream_get_reparsed (feed.stream))
            g_assert_true (strstr (input, "]:") != NULL || length > CRIA_MARKDOWN_STREAM_MAX_TAIL);

          feed_clear (&feed);
        }
    }
}

/* Documents put together from lines that start and continue every kind of
 * block, in any order: streamed in random pieces, each must end as its
 * whole parse, and final blocks must be final. */
static void
test_stream_random (void)
{
  static const char *lines[] = {
    "", "", "", "text", "more *text* `x`", "- a", "- b", "* c", "+ d", "1. one", "2) two",
    "3. three", "10. ten", "-", "1.", "  - nested", "   1. deep", "  continued", "    code",
    "\tTab", "```", "```py", "~~~", "````", "   ```", "  ```", "- ```", "> quote", ">",
    "> - q item", "> > nested", "  > quote in item", "---", "===", "***", "# head",
    "| a | b |", "|---|---|", "| x | y |", "a | b", "--|--", "- [ ] task", "<div>",
    "text  ", "[ref]: https://example.com", "see [ref]", "**bold", "end**",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (guint n = 0; n < 400; n++)
    {
      g_autoptr(GString) doc_text = g_string_new (NULL);
      g_autoptr(CriaMarkdownDocument) whole = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *dump = NULL;
      guint n_lines = g_rand_int_range (rand, 2, 40);
      Feed feed;

      for (guint i = 0; i < n_lines; i++)
        {
          g_string_append (doc_text, lines[g_rand_int_range (rand, 0, G_N_ELEMENTS (lines))]);
          g_string_append_c (doc_text, '\n');
        }

      whole = cria_markdown_parse (doc_text->str, doc_text->len);
      expected = cria_markdown_dump (whole);
      feed_init (&feed, expected);

      for (gsize offset = 0; offset < doc_text->len;)
        {
          gsize step = g_rand_int_range (rand, 1, 20);

          step = MIN (step, doc_text->len - offset);

          feed_append (&feed, doc_text->str + offset, step);
          offset += step;
        }
      feed_check (&feed, cria_markdown_stream_finish (feed.stream), TRUE);

      dump = cria_markdown_dump (cria_markdown_stream_get_document (feed.stream));
      if (g_strcmp0 (dump, expected) != 0 || (!feed.finals_agree && strstr (doc_text->str, "]:") == NULL))
        g_test_message ("Document %u:\n%s", n, doc_text->str);
      g_assert_cmpstr (dump, ==, expected);
      if (strstr (doc_text->str, "]:") == NULL)
        g_assert_true (feed.finals_agree);

      feed_clear (&feed);
    }
}

static void
test_stream_utf8_split (void)
{
  const char *input = "# Ça va 🦙\n\n- ü **ö** `€`\n- 日本語\n\n| 表 | 🦙 |\n|---|---|\n| é | ß |\n";
  g_autoptr(CriaMarkdownDocument) whole = cria_markdown_parse (input, -1);
  g_autofree char *expected = cria_markdown_dump (whole);
  g_autoptr(CriaMarkdownStream) stream = cria_markdown_stream_new ();
  g_autofree char *dump = NULL;

  /* A byte at a time splits every sequence: none turns into U+FFFD. */
  for (gsize i = 0; input[i] != '\0'; i++)
    {
      g_autofree char *partial = NULL;

      cria_markdown_stream_append (stream, input + i, 1);
      partial = cria_markdown_dump (cria_markdown_stream_get_document (stream));
      g_assert_null (strstr (partial, "\xEF\xBF\xBD"));
    }

  cria_markdown_stream_finish (stream);
  dump = cria_markdown_dump (cria_markdown_stream_get_document (stream));
  g_assert_cmpstr (dump, ==, expected);
}

static void
test_stream_utf8_truncated (void)
{
  g_autoptr(CriaMarkdownStream) stream = cria_markdown_stream_new ();
  g_autofree char *dump = NULL;

  /* A message that ends inside a sequence: the bytes become U+FFFD. */
  cria_markdown_stream_append (stream, "end \xF0\x9F", -1);
  cria_markdown_stream_finish (stream);
  dump = cria_markdown_dump (cria_markdown_stream_get_document (stream));
  g_assert_cmpstr (dump, ==, "paragraph: end \xEF\xBF\xBD\xEF\xBF\xBD\n");
}

static void
test_hard_break_spaces (void)
{
  /* The fixtures keep no trailing white space (.editorconfig). */
  g_autoptr(CriaMarkdownDocument) doc = cria_markdown_parse ("two spaces  \nbreak\n", -1);
  g_autofree char *dump = cria_markdown_dump (doc);

  g_assert_cmpstr (dump, ==, "paragraph: two spaces\\nbreak\n");
}

static void
test_model_fields (void)
{
  g_autoptr(CriaMarkdownDocument) doc =
    cria_markdown_parse ("3. [x] *a* [b](https://e.com)\n\n```c++ x\ny\n```\n", -1);
  const CriaMarkdownBlock *block;

  g_assert_cmpuint (cria_markdown_document_get_n_blocks (doc), ==, 4);

  block = cria_markdown_document_get_block (doc, 0);
  g_assert_cmpint (block->kind, ==, CRIA_MARKDOWN_BLOCK_LIST);
  g_assert_true (block->ordered);
  g_assert_cmpuint (block->start, ==, 3);

  block = cria_markdown_document_get_block (doc, 1);
  g_assert_cmpint (block->kind, ==, CRIA_MARKDOWN_BLOCK_ITEM);
  g_assert_cmpint (block->task, ==, CRIA_MARKDOWN_TASK_CHECKED);
  g_assert_cmpuint (block->depth, ==, 1);

  block = cria_markdown_document_get_block (doc, 2);
  g_assert_cmpint (block->kind, ==, CRIA_MARKDOWN_BLOCK_PARAGRAPH);
  g_assert_cmpuint (block->depth, ==, 2);
  g_assert_cmpstr (block->text, ==, "a b");
  g_assert_cmpuint (block->n_spans, ==, 2);
  g_assert_cmpint (block->spans[0].kind, ==, CRIA_MARKDOWN_SPAN_EMPHASIS);
  g_assert_cmpuint (block->spans[0].start, ==, 0);
  g_assert_cmpuint (block->spans[0].end, ==, 1);
  g_assert_cmpint (block->spans[1].kind, ==, CRIA_MARKDOWN_SPAN_LINK);
  g_assert_cmpuint (block->spans[1].start, ==, 2);
  g_assert_cmpuint (block->spans[1].end, ==, 3);
  g_assert_cmpstr (block->spans[1].href, ==, "https://e.com");

  block = cria_markdown_document_get_block (doc, 3);
  g_assert_cmpint (block->kind, ==, CRIA_MARKDOWN_BLOCK_CODE);
  g_assert_true (block->fenced);
  g_assert_cmpstr (block->language, ==, "c++");
  g_assert_cmpstr (block->text, ==, "y");
}

/* Markdown-heavy text like a model's answer: every kind of block, with the
 * size of each drawn from the same range all along. */
static char *
make_corpus (guint32  seed,
             guint    n_tokens,
             gsize   *largest_section)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  GString *out = g_string_new (NULL);
  guint n_sections = 0;

  *largest_section = 0;

  /* About 4.5 bytes a token: stop a little past the goal, then cut. */
  while (out->len < n_tokens * 5 + 1024)
    {
      gsize before = out->len;
      int kind = g_rand_int_range (rand, 0, 8);

      cria_test_append_markdown_section (out, rand, kind, n_sections);
      n_sections++;
      *largest_section = MAX (*largest_section, out->len - before);
    }

  return g_string_free (out, FALSE);
}

typedef struct
{
  gsize   length;
  guint   n_tokens;
  guint64 total;           /* bytes handed to md_parse () */
  guint64 max_per_append;
  gsize   max_tail;
} StreamStats;

static void
stream_corpus (guint        n_tokens,
               StreamStats *stats,
               gsize       *largest_section)
{
  gsize length;
  g_autofree char *text = make_corpus (42, n_tokens, largest_section);
  g_autoptr(GArray) ends = split_tokens (text, strlen (text));
  g_autoptr(CriaMarkdownStream) stream = cria_markdown_stream_new ();
  gsize offset = 0;

  g_assert_cmpuint (ends->len, >=, n_tokens);
  length = g_array_index (ends, gsize, n_tokens - 1);

  memset (stats, 0, sizeof *stats);
  stats->length = length;
  stats->n_tokens = n_tokens;

  for (guint t = 0; t < n_tokens; t++)
    {
      gsize end = g_array_index (ends, gsize, t);
      guint64 before = _cria_markdown_stream_get_bytes_parsed (stream);
      guint64 parsed;
      gsize tail_before = offset - _cria_markdown_stream_get_tail_offset (stream);

      cria_markdown_stream_append (stream, text + offset, end - offset);
      parsed = _cria_markdown_stream_get_bytes_parsed (stream) - before;

      /* What one append parses is a few times the open tail, the last
       * block or so, whatever came before it. */
      g_assert_cmpuint (parsed, <=, 4 * (tail_before + end - offset) + 64);

      offset = end;
      stats->max_per_append = MAX (stats->max_per_append, parsed);
      stats->max_tail = MAX (stats->max_tail,
                             offset - _cria_markdown_stream_get_tail_offset (stream));
    }

  cria_markdown_stream_finish (stream);
  g_assert_false (_cria_markdown_stream_get_reparsed (stream));
  stats->total = _cria_markdown_stream_get_bytes_parsed (stream);

  /* And the stream ends with what a whole parse gives. */
  {
    g_autoptr(CriaMarkdownDocument) whole = cria_markdown_parse (text, length);
    g_autofree char *expected = cria_markdown_dump (whole);
    g_autofree char *dump = cria_markdown_dump (cria_markdown_stream_get_document (stream));

    g_assert_cmpstr (dump, ==, expected);
  }
}

static void
test_stream_bounded (void)
{
  StreamStats short_run;
  StreamStats long_run;
  gsize largest_short;
  gsize largest_long;

  stream_corpus (5000, &short_run, &largest_short);
  stream_corpus (20000, &long_run, &largest_long);

  g_test_message ("5000 tokens: %" G_GSIZE_FORMAT " bytes, %.1f bytes parsed per byte, "
                  "at most %" G_GUINT64_FORMAT " per append, tail at most %" G_GSIZE_FORMAT,
                  short_run.length, (double) short_run.total / short_run.length,
                  short_run.max_per_append, short_run.max_tail);
  g_test_message ("20000 tokens: %" G_GSIZE_FORMAT " bytes, %.1f bytes parsed per byte, "
                  "at most %" G_GUINT64_FORMAT " per append, tail at most %" G_GSIZE_FORMAT,
                  long_run.length, (double) long_run.total / long_run.length,
                  long_run.max_per_append, long_run.max_tail);

  /* The tail is about one block, never the message. */
  g_assert_cmpuint (short_run.max_tail, <=, 2 * largest_short + 256);
  g_assert_cmpuint (long_run.max_tail, <=, 2 * largest_long + 256);
  g_assert_cmpuint (short_run.max_per_append, <, short_run.length / 4);

  /* Four times the tokens, the same cost per token: parsing the whole
   * message each time would make this four times as large. */
  g_assert_cmpfloat ((double) long_run.total / long_run.length, <,
                     1.5 * (double) short_run.total / short_run.length);
  g_assert_cmpuint (long_run.max_per_append, <=, 2 * short_run.max_per_append);
}

static void
test_stream_forced_cut (void)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GString) code = g_string_new ("Intro\n\n```c\n");
  GString *inputs[2];

  /* One huge paragraph, and one huge code block: no safe cut inside, so
   * the tail is cut at the cap, and finish () parses everything again. */
  while (line->len < 4 * CRIA_MARKDOWN_STREAM_MAX_TAIL)
    g_string_append (line, "word *em* ");
  g_string_append (line, "\n");
  while (code->len < 4 * CRIA_MARKDOWN_STREAM_MAX_TAIL)
    g_string_append (code, "int x = 1;\n\nreturn x;\n");
  g_string_append (code, "```\n\nAfter.\n");
  inputs[0] = line;
  inputs[1] = code;

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(CriaMarkdownStream) stream = cria_markdown_stream_new ();
      g_autoptr(CriaMarkdownDocument) whole = cria_markdown_parse (inputs[i]->str, inputs[i]->len);
      g_autofree char *expected = cria_markdown_dump (whole);
      g_autofree char *dump = NULL;
      guint64 max_per_append = 0;
      const CriaMarkdownDocument *doc;
      guint first;

      for (gsize offset = 0; offset < inputs[i]->len; offset += 256)
        {
          guint64 before = _cria_markdown_stream_get_bytes_parsed (stream);

          cria_markdown_stream_append (stream, inputs[i]->str + offset,
                                       MIN (256, inputs[i]->len - offset));
          max_per_append = MAX (max_per_append,
                                _cria_markdown_stream_get_bytes_parsed (stream) - before);
          g_assert_cmpuint (inputs[i]->len - _cria_markdown_stream_get_tail_offset (stream), <=,
                            inputs[i]->len);
        }

      g_assert_cmpuint (max_per_append, <=, 4 * (CRIA_MARKDOWN_STREAM_MAX_TAIL + 512));

      /* While it streams, the code after the cut is still code. */
      if (i == 1)
        {
          guint n;

          doc = cria_markdown_stream_get_document (stream);
          n = cria_markdown_document_get_n_blocks (doc);

          for (guint b = 1; b + 2 < n; b++)
            g_assert_cmpint (cria_markdown_document_get_block (doc, b)->kind, ==,
                             CRIA_MARKDOWN_BLOCK_CODE);
        }

      /* Everything was parsed again: blocks from the first forced cut on
       * change. */
      first = cria_markdown_stream_finish (stream);
      doc = cria_markdown_stream_get_document (stream);
      g_assert_cmpuint (first, <, cria_markdown_document_get_n_blocks (doc));
      g_assert_true (_cria_markdown_stream_get_reparsed (stream));
      dump = cria_markdown_dump (doc);
      g_assert_cmpstr (dump, ==, expected);
    }
}

static void
test_hostile (void)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (inputs, g_strnfill (10000, '>'));
  g_ptr_array_add (inputs, g_strnfill (10000, '['));
  g_ptr_array_add (inputs, g_strnfill (10000, '*'));
  g_ptr_array_add (inputs, g_strnfill (10000, '`'));
  g_ptr_array_add (inputs, g_strnfill (10000, '<'));
  g_ptr_array_add (inputs, g_strnfill (10000, '|'));
  g_ptr_array_add (inputs, g_strnfill (10000, '\n'));
  g_ptr_array_add (inputs, g_strnfill (10000, '&'));
  {
    GString *s = g_string_new (NULL);

    for (guint i = 0; i < 200; i++)
      g_string_append_printf (s, "%*s- level %u\n", i * 2, "", i);
    g_ptr_array_add (inputs, g_string_free (s, FALSE));
  }
  {
    GString *s = g_string_new (NULL);

    for (guint i = 0; i < 2000; i++)
      g_string_append (s, "[a](javascript:x) ![b](file:///c) <script>d</script> "
                          "&#0; &#xFFFFFFFF; ");
    g_ptr_array_add (inputs, g_string_free (s, FALSE));
  }
  {
    GString *s = g_string_new (NULL);

    for (guint i = 0; i < 2000; i++)
      g_string_append (s, "*a **b ~~c `d [e](http://f \"g\n");
    g_ptr_array_add (inputs, g_string_free (s, FALSE));
  }
  {
    GString *s = g_string_new (NULL);

    for (guint i = 0; i < 1000; i++)
      g_string_append (s, "| a | b |\n|---|---|\n```\n~~~\n> - 1. [ ] \n\n");
    g_ptr_array_add (inputs, g_string_free (s, FALSE));
  }
  {
    GString *s = g_string_new (NULL);

    /* Bytes of every value, in a loop that covers the invalid ones. */
    for (guint i = 0; i < 20000; i++)
      g_string_append_c (s, (char) (((i * 7919) % 255) + 1));
    g_ptr_array_add (inputs, g_string_free (s, FALSE));
  }

  for (guint i = 0; i < inputs->len; i++)
    {
      const char *input = inputs->pdata[i];
      gsize length = strlen (input);
      g_autoptr(CriaMarkdownDocument) doc = cria_markdown_parse (input, length);
      g_autoptr(CriaMarkdownStream) stream = cria_markdown_stream_new ();
      g_autofree char *expected = cria_markdown_dump (doc);
      g_autofree char *dump = NULL;

      assert_model_sane (doc);

      for (gsize offset = 0; offset < length; offset += 97)
        cria_markdown_stream_append (stream, input + offset, MIN (97, length - offset));
      cria_markdown_stream_finish (stream);

      assert_model_sane (cria_markdown_stream_get_document (stream));
      dump = cria_markdown_dump (cria_markdown_stream_get_document (stream));
      g_assert_cmpstr (dump, ==, expected);
    }
}

static void
test_large_document (void)
{
  gsize length;
  g_autofree char *answer = load ("chat-answer", ".md", &length);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(CriaMarkdownDocument) one = cria_markdown_parse (answer, length);
  g_autoptr(CriaMarkdownDocument) doc = NULL;
  g_autoptr(CriaMarkdownStream) stream = cria_markdown_stream_new ();
  g_autofree char *expected = NULL;
  g_autofree char *dump = NULL;
  guint copies = 0;

  while (text->len < 1024 * 1024)
    {
      g_string_append_len (text, answer, length);
      g_string_append (text, "\n");
      copies++;
    }

  doc = cria_markdown_parse (text->str, text->len);
  assert_model_sane (doc);
  g_assert_cmpuint (cria_markdown_document_get_n_blocks (doc), ==,
                    copies * cria_markdown_document_get_n_blocks (one));

  for (gsize offset = 0; offset < text->len; offset += 4096)
    cria_markdown_stream_append (stream, text->str + offset, MIN (4096, text->len - offset));
  cria_markdown_stream_finish (stream);

  expected = cria_markdown_dump (doc);
  dump = cria_markdown_dump (cria_markdown_stream_get_document (stream));
  g_assert_cmpstr (dump, ==, expected);
  g_assert_cmpuint (_cria_markdown_stream_get_bytes_parsed (stream), <, 8 * text->len);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cria/markdown/fixtures", test_fixtures);
  g_test_add_func ("/cria/markdown/model-fields", test_model_fields);
  g_test_add_func ("/cria/markdown/hard-break-spaces", test_hard_break_spaces);
  g_test_add_func ("/cria/markdown/hostile", test_hostile);
  g_test_add_func ("/cria/markdown/large-document", test_large_document);
  g_test_add_func ("/cria/markdown/stream/fixtures", test_stream_fixtures);
  g_test_add_func ("/cria/markdown/stream/random", test_stream_random);
  g_test_add_func ("/cria/markdown/stream/utf8-split", test_stream_utf8_split);
  g_test_add_func ("/cria/markdown/stream/utf8-truncated", test_stream_utf8_truncated);
  g_test_add_func ("/cria/markdown/stream/bounded", test_stream_bounded);
  g_test_add_func ("/cria/markdown/stream/forced-cut", test_stream_forced_cut);

  return g_test_run ();
}
