/* cria-test-markdown.h: Markdown-heavy text like a model's answer, for the
 * Markdown tests and benchmark
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

static const char *cria_test_markdown_words[] = {
  "the", "model", "returns", "a", "value", "when", "streaming", "tokens", "into",
  "buffer", "quickly", "and", "then", "renders", "markdown", "blocks", "per", "line",
};

/* Appends one section of block kind @kind (0 to 7: heading, paragraph with
 * inline spans, nested list with a task, ordered list, fenced code, table,
 * quote, rule); its size is drawn from @rand, the same range all along. */
static inline void
cria_test_append_markdown_section (GString *out,
                                   GRand   *rand,
                                   int      kind,
                                   guint    index)
{
  guint n = g_rand_int_range (rand, 3, 9);

  switch (kind)
    {
    case 0:
      g_string_append_printf (out, "## Section %u\n\n", index);
      break;

    case 1:
      for (guint i = 0; i < n * 5; i++)
        {
          const char *word = cria_test_markdown_words[g_rand_int_range (rand, 0, G_N_ELEMENTS (cria_test_markdown_words))];
          int style = g_rand_int_range (rand, 0, 12);

          if (style == 0)
            g_string_append_printf (out, "**%s** ", word);
          else if (style == 1)
            g_string_append_printf (out, "*%s* ", word);
          else if (style == 2)
            g_string_append_printf (out, "`%s()` ", word);
          else if (style == 3)
            g_string_append_printf (out, "[%s](https://example.com/%u) ", word, i);
          else
            g_string_append_printf (out, "%s ", word);
        }
      g_string_append (out, "end.\n\n");
      break;

    case 2:
      for (guint i = 0; i < n; i++)
        {
          g_string_append_printf (out, "- item **%u** with `code` and *%s*\n",
                                  i, cria_test_markdown_words[i % G_N_ELEMENTS (cria_test_markdown_words)]);
          if (i == 1)
            g_string_append (out, "  - nested item\n  - [ ] nested task\n");
        }
      g_string_append (out, "\n");
      break;

    case 3:
      for (guint i = 0; i < n; i++)
        g_string_append_printf (out, "%u. Step %u: run the **%s** command\n\n",
                                i + 1, i + 1, cria_test_markdown_words[i % G_N_ELEMENTS (cria_test_markdown_words)]);
      break;

    case 4:
      g_string_append (out, "```python\n");
      for (guint i = 0; i < n * 3; i++)
        {
          if (i % 5 == 4)
            g_string_append_printf (out, "\ndef f_%u(x):\n", i);
          else
            g_string_append_printf (out, "    x = x * %u  # %s\n", i, cria_test_markdown_words[i % 7]);
        }
      g_string_append (out, "```\n\n");
      break;

    case 5:
      g_string_append (out, "| Name | Value | Notes |\n|:-----|------:|-------|\n");
      for (guint i = 0; i < n; i++)
        g_string_append_printf (out, "| `%s` | %u | *%s* |\n", cria_test_markdown_words[i % 11], i * 7,
                                cria_test_markdown_words[i % 5]);
      g_string_append (out, "\n");
      break;

    case 6:
      g_string_append_printf (out, "> **Note:** %s %s %s.\n> Second line.\n\n",
                              cria_test_markdown_words[n], cria_test_markdown_words[n + 1], cria_test_markdown_words[n + 2]);
      break;

    case 7:
    default:
      g_string_append (out, "---\n\n");
      break;
    }
}

G_END_DECLS
