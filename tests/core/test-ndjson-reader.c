/* test-ndjson-reader.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <string.h>

#include "cria-core.h"

/* Feeds @input in pieces of @step bytes and joins every line with '|'. */
static char *
split_and_join (const char *input,
                gsize       length,
                gsize       step)
{
  g_autoptr(CriaNdjsonReader) reader = cria_ndjson_reader_new (0);
  GString *out = g_string_new (NULL);
  const char *line;
  gsize line_length;

  for (gsize offset = 0; offset < length; offset += step)
    {
      g_autoptr(GError) error = NULL;

      cria_ndjson_reader_push (reader, (const guint8 *) input + offset, MIN (step, length - offset));
      while (cria_ndjson_reader_next_line (reader, FALSE, &line, &line_length, &error))
        {
          g_assert_cmpuint (strlen (line), ==, line_length);
          g_string_append_printf (out, "%s|", line);
        }
      g_assert_no_error (error);
    }

  {
    g_autoptr(GError) error = NULL;

    while (cria_ndjson_reader_next_line (reader, TRUE, &line, &line_length, &error))
      g_string_append_printf (out, "%s|", line);
    g_assert_no_error (error);
  }

  return g_string_free (out, FALSE);
}

static void
test_split_anywhere (void)
{
  const char *input = "{\"a\":1}\n{\"b\":\"ь🦙\"}\n{\"c\":3}\n";

  /* Every piece size, from one byte (which splits every UTF-8 sequence) up. */
  for (gsize step = 1; step <= strlen (input); step++)
    {
      g_autofree char *joined = split_and_join (input, strlen (input), step);

      g_assert_cmpstr (joined, ==, "{\"a\":1}|{\"b\":\"ь🦙\"}|{\"c\":3}|");
    }
}

static void
test_last_line_without_newline (void)
{
  /* A plain JSON reply to a streaming request has no trailing newline. */
  g_autofree char *joined = split_and_join ("{\"done\":true}", 13, 4);

  g_assert_cmpstr (joined, ==, "{\"done\":true}|");
}

static void
test_empty_lines_and_crlf (void)
{
  const char *input = "\n\r\n{\"a\":1}\r\n  \n{\"b\":2}\n\n";
  g_autofree char *joined = split_and_join (input, strlen (input), 3);

  g_assert_cmpstr (joined, ==, "{\"a\":1}|{\"b\":2}|");
}

static void
test_invalid_utf8 (void)
{
  g_autoptr(CriaNdjsonReader) reader = cria_ndjson_reader_new (0);
  g_autoptr(GError) error = NULL;
  const char *line;
  const char input[] = "{\"a\":\"\xff\xfe\"}\n{\"b\":1}\n";

  cria_ndjson_reader_push (reader, (const guint8 *) input, sizeof input - 1);
  g_assert_false (cria_ndjson_reader_next_line (reader, FALSE, &line, NULL, &error));
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL);
}

static void
test_line_limit (void)
{
  g_autoptr(CriaNdjsonReader) reader = cria_ndjson_reader_new (1024);
  g_autoptr(GError) error = NULL;
  g_autofree char *big = g_malloc (600);
  const char *line = NULL;
  gboolean got;

  memset (big, 'x', 600);

  /* Two pushes that together pass the limit, with no newline: an error as
   * soon as the limit is passed, not a buffer that grows without end. */
  cria_ndjson_reader_push (reader, (const guint8 *) big, 600);
  g_assert_false (cria_ndjson_reader_next_line (reader, FALSE, &line, NULL, &error));
  g_assert_no_error (error);
  cria_ndjson_reader_push (reader, (const guint8 *) big, 600);
  got = cria_ndjson_reader_next_line (reader, FALSE, &line, NULL, &error);
  g_assert_false (got);
  g_assert_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL);
  g_assert_cmpuint (cria_ndjson_reader_get_pending (reader), ==, 0);
}

static void
test_line_at_limit (void)
{
  g_autoptr(CriaNdjsonReader) reader = cria_ndjson_reader_new (1024);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = g_malloc (1025);
  const char *line = NULL;
  gsize length = 0;

  memset (data, 'y', 1024);
  data[1024] = '\n';
  cria_ndjson_reader_push (reader, (const guint8 *) data, 1025);
  g_assert_true (cria_ndjson_reader_next_line (reader, FALSE, &line, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, 1024);
}

static void
test_buffer_stays_small (void)
{
  g_autoptr(CriaNdjsonReader) reader = cria_ndjson_reader_new (0);
  const char *chunk = "{\"message\":{\"content\":\"token\"},\"done\":false}\n{\"mess";
  const char *rest = "age\":{\"content\":\"x\"},\"done\":false}\n";
  guint lines = 0;

  /* Many lines through one reader: what is pending never accumulates. */
  for (guint i = 0; i < 10000; i++)
    {
      const char *line;
      g_autoptr(GError) error = NULL;

      cria_ndjson_reader_push (reader, (const guint8 *) chunk, strlen (chunk));
      cria_ndjson_reader_push (reader, (const guint8 *) rest, strlen (rest));
      while (cria_ndjson_reader_next_line (reader, FALSE, &line, NULL, &error))
        lines++;
      g_assert_no_error (error);
      g_assert_cmpuint (cria_ndjson_reader_get_pending (reader), ==, 0);
    }

  g_assert_cmpuint (lines, ==, 20000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cria/ndjson-reader/split-anywhere", test_split_anywhere);
  g_test_add_func ("/cria/ndjson-reader/last-line-without-newline", test_last_line_without_newline);
  g_test_add_func ("/cria/ndjson-reader/empty-lines-and-crlf", test_empty_lines_and_crlf);
  g_test_add_func ("/cria/ndjson-reader/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/cria/ndjson-reader/line-limit", test_line_limit);
  g_test_add_func ("/cria/ndjson-reader/line-at-limit", test_line_at_limit);
  g_test_add_func ("/cria/ndjson-reader/buffer-stays-small", test_buffer_stays_small);

  return g_test_run ();
}
