/* bench-markdown.c: CPU per token of the streamed Markdown model
 *
 * Streams N tokens of Markdown-heavy text (headings, paragraphs with spans,
 * tight and loose lists, code blocks, tables, quotes, rules: one answer of
 * 1,000 tokens, repeated, so every bucket holds the same blocks) into a
 * CriaMarkdownStream, one append per token, and measures the CPU time
 * (CLOCK_PROCESS_CPUTIME_ID) of each append, per bucket of 1,000 tokens.
 * The baseline, in the same run, is what a view without the stream would
 * do: cria_markdown_parse () of the whole message at every token.
 *
 * Budget: CPU per token flat, the last bucket within 1.3× of the first.
 * A benchmark: it prints PASS or MISS and fails only when it could not run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cria-core.h"
#include "cria-test-markdown.h"
#include "cria-markdown-private.h"

#define BUCKET_TOKENS     1000
#define FLAT_BUDGET_RATIO 1.3

static double
cpu_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);

  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A space and a few letters, one or two punctuation characters, a run of
 * newlines: about what a model's tokenizer does. */
static GArray *
split_tokens (const char *text,
              gsize       length)
{
  GArray *ends = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize i = 0;

  while (i < length)
    {
      gsize start = i;

      if (text[i] == ' ' && i + 1 < length && g_ascii_isalnum (text[i + 1]))
        i++;

      if (g_ascii_isalnum (text[i]))
        {
          while (i < length && i - start < 5 && g_ascii_isalnum (text[i]))
            i++;
        }
      else if (text[i] == '\n')
        {
          while (i < length && text[i] == '\n')
            i++;
        }
      else
        {
          while (i < length && i - start < 2 && !g_ascii_isalnum (text[i]) && text[i] != '\n')
            i++;
        }

      g_array_append_val (ends, i);
    }

  return ends;
}

/* One answer of BUCKET_TOKENS tokens, repeated to @n_tokens. */
static char *
make_corpus (guint n_tokens)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(GString) unit = g_string_new (NULL);
  GString *out = g_string_new (NULL);
  guint unit_tokens = 0;
  guint index = 0;

  for (;;)
    {
      g_autoptr(GArray) ends = NULL;

      cria_test_append_markdown_section (unit, rand, index % 8, index);
      index++;
      ends = split_tokens (unit->str, unit->len);
      if (ends->len > BUCKET_TOKENS)
        {
          /* Exactly a bucket's worth, so every bucket holds the same. */
          g_string_truncate (unit, g_array_index (ends, gsize, BUCKET_TOKENS - 1));
          unit_tokens = BUCKET_TOKENS;
          break;
        }
    }

  for (guint tokens = 0; tokens < n_tokens + unit_tokens; tokens += unit_tokens)
    g_string_append_len (out, unit->str, unit->len);

  return g_string_free (out, FALSE);
}

typedef struct
{
  double *stream;     /* CPU seconds per bucket, summed over the runs */
  double *baseline;
  guint   n_buckets;
} Figures;

static void
run_once (const char *text,
          GArray     *ends,
          guint       n_tokens,
          Figures    *figures)
{
  g_autoptr(CriaMarkdownStream) stream = cria_markdown_stream_new ();
  gsize offset = 0;

  for (guint t = 0; t < n_tokens; t++)
    {
      gsize end = g_array_index (ends, gsize, t);
      double start = cpu_now ();

      cria_markdown_stream_append (stream, text + offset, end - offset);
      figures->stream[t / BUCKET_TOKENS] += cpu_now () - start;
      offset = end;
    }

  cria_markdown_stream_finish (stream);
}

static void
run_baseline (const char *text,
              GArray     *ends,
              guint       n_tokens,
              Figures    *figures)
{
  for (guint t = 0; t < n_tokens; t++)
    {
      gsize end = g_array_index (ends, gsize, t);
      double start = cpu_now ();
      g_autoptr(CriaMarkdownDocument) doc = cria_markdown_parse (text, end);

      figures->baseline[t / BUCKET_TOKENS] += cpu_now () - start;
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GArray) ends = NULL;
  int n_tokens = 5000;
  int reps = 5;
  Figures figures = { 0, };
  double first;
  double last;
  gboolean pass;
  const GOptionEntry entries[] = {
    { "tokens", 0, 0, G_OPTION_ARG_INT, &n_tokens, "Tokens to stream", "N" },
    { "reps", 0, 0, G_OPTION_ARG_INT, &reps, "Runs of each", "N" },
    { NULL }
  };

  context = g_option_context_new ("- CPU per token of the streamed Markdown model");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (n_tokens < BUCKET_TOKENS || reps < 1)
    {
      g_printerr ("Need at least %d tokens and one run\n", BUCKET_TOKENS);
      return 1;
    }

  text = make_corpus (n_tokens);
  ends = split_tokens (text, strlen (text));
  g_assert (ends->len >= (guint) n_tokens);

  figures.n_buckets = (n_tokens + BUCKET_TOKENS - 1) / BUCKET_TOKENS;
  figures.stream = g_new0 (double, figures.n_buckets);
  figures.baseline = g_new0 (double, figures.n_buckets);

  /* A warm-up, then the runs, alternating. */
  {
    Figures warm = { g_new0 (double, figures.n_buckets), g_new0 (double, figures.n_buckets), 0 };

    run_once (text, ends, n_tokens, &warm);
    g_free (warm.stream);
    g_free (warm.baseline);
  }
  for (int r = 0; r < reps; r++)
    {
      run_once (text, ends, n_tokens, &figures);
      run_baseline (text, ends, n_tokens, &figures);
    }

  printf ("Markdown stream: %d tokens (%" G_GSIZE_FORMAT " bytes), %d runs, "
          "CPU µs per token per bucket of %d\n",
          n_tokens, g_array_index (ends, gsize, n_tokens - 1), reps, BUCKET_TOKENS);
  printf ("%-8s %12s %12s\n", "tokens", "stream", "whole parse");
  for (guint b = 0; b < figures.n_buckets; b++)
    {
      guint in_bucket = MIN (BUCKET_TOKENS, n_tokens - b * BUCKET_TOKENS);

      printf ("%5u-   %12.2f %12.2f\n", b * BUCKET_TOKENS,
              figures.stream[b] * 1e6 / (reps * in_bucket),
              figures.baseline[b] * 1e6 / (reps * in_bucket));
    }

  first = figures.stream[0] / MIN (BUCKET_TOKENS, n_tokens);
  last = figures.stream[figures.n_buckets - 1] /
         MIN (BUCKET_TOKENS, n_tokens - (figures.n_buckets - 1) * BUCKET_TOKENS);
  pass = last <= FLAT_BUDGET_RATIO * first;

  printf ("stream last/first bucket: %.2f× (budget %.1f×), whole parse: %.2f×\n",
          last / first, FLAT_BUDGET_RATIO,
          figures.baseline[figures.n_buckets - 1] / figures.baseline[0]);
  printf ("%s: CPU per token flat\n", pass ? "PASS" : "MISS");

  g_free (figures.stream);
  g_free (figures.baseline);

  return 0;
}
