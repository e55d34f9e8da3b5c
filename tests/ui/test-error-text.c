/* test-error-text.c: errors of the core, in words a user understands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <gio/gio.h>

#include "cria-error.h"
#include "cria-error-text.h"
#include "cria-message-row.h"

typedef struct
{
  GQuark      domain;
  int         code;
  const char *message;
  const char *model;
  const char *expected;
} DescribeCase;

static void
test_describe (void)
{
  const DescribeCase cases[] = {
    { 0, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND, "model 'x' not found", "llama3.2",
      "The model “llama3.2” is not installed on this server." },
    { 0, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND, "model 'x' not found", NULL,
      "This model is not installed on this server." },
    { 0, CRIA_CLIENT_ERROR_TRUNCATED, "stream ended without done", NULL,
      "Ollama stopped answering in the middle of the reply." },
    { 0, CRIA_CLIENT_ERROR_CONNECTION_LOST, "connection reset", NULL,
      "The connection to Ollama was lost." },
    { 0, CRIA_CLIENT_ERROR_SERVER, "an error was encountered while running the model", NULL,
      "Ollama reported an error: an error was encountered while running the model" },
    { 0, CRIA_CLIENT_ERROR_SERVER, "  first line\nsecond line", NULL,
      "Ollama reported an error: first line" },
    { 0, CRIA_CLIENT_ERROR_SERVER, "", NULL,
      "Ollama reported an error." },
    { 0, CRIA_CLIENT_ERROR_PROTOCOL, "invalid JSON at line 3", NULL,
      "The server answered with something Cria could not read." },
    { 0, CRIA_CLIENT_ERROR_UNREACHABLE, "Could not connect: Connection refused", NULL,
      "No server answered at this address." },
    { 0, CRIA_CLIENT_ERROR_BUSY, "server busy", NULL,
      "Ollama is busy with other requests. Try again in a moment." },
    { 0, CRIA_CLIENT_ERROR_TIMED_OUT, "idle", NULL,
      "Ollama took too long to answer." },
    { 0, CRIA_CLIENT_ERROR_UNAUTHORIZED, "unauthorized", NULL,
      "The server refused access. It may require an API key." },
    { 0, CRIA_CLIENT_ERROR_BAD_REQUEST, "\"x\" does not support thinking", NULL,
      "Ollama could not handle the request: \"x\" does not support thinking" },
    { 0, CRIA_CLIENT_ERROR_HTTP, "HTTP 502 Bad Gateway", NULL,
      "The server answered with an error: HTTP 502 Bad Gateway" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (CRIA_CLIENT_ERROR, cases[i].code, cases[i].message);
      g_autofree char *text = cria_error_text_describe (error, cases[i].model);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_describe_io (void)
{
  const DescribeCase cases[] = {
    { 0, G_IO_ERROR_CONNECTION_REFUSED, "Connection refused", NULL,
      "No server answered at this address." },
    { 0, G_IO_ERROR_TIMED_OUT, "Timed out", NULL,
      "Ollama took too long to answer." },
    { 0, G_IO_ERROR_HOST_NOT_FOUND, "Unknown host", NULL,
      "The server’s address could not be found." },
    { 0, G_IO_ERROR_CONNECTION_CLOSED, "Connection closed", NULL,
      "The connection to Ollama was lost." },
    { 0, G_IO_ERROR_PARTIAL_INPUT, "Unexpected end", NULL,
      "The connection to Ollama was lost." },
    { 0, G_IO_ERROR_FAILED, "Something odd", NULL,
      "Something went wrong: Something odd" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, cases[i].code, cases[i].message);
      g_autofree char *text = cria_error_text_describe (error, NULL);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_cancelled (void)
{
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
  g_autoptr(GError) other = g_error_new_literal (CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_TRUNCATED, "x");

  g_assert_true (cria_error_text_is_cancelled (cancelled));
  g_assert_false (cria_error_text_is_cancelled (other));
  g_assert_false (cria_error_text_is_cancelled (NULL));
  g_assert_null (cria_error_text_describe (NULL, NULL));
}

static void
test_other_domain (void)
{
  g_autoptr(GError) error = g_error_new_literal (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "nope");
  g_autoptr(GError) empty = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_FAILED, "");
  g_autofree char *text = cria_error_text_describe (error, NULL);
  g_autofree char *empty_text = cria_error_text_describe (empty, NULL);

  g_assert_cmpstr (text, ==, "The server’s address could not be found.");
  g_assert_cmpstr (empty_text, ==, "Something went wrong.");
}

static void
test_metrics (void)
{
  CriaChatMetrics metrics = { 0 };
  g_autofree char *none = NULL;
  g_autofree char *one = NULL;
  g_autofree char *many = NULL;
  g_autofree char *no_rate = NULL;

  none = cria_message_row_format_metrics (&metrics);
  g_assert_null (none);
  g_assert_null (cria_message_row_format_metrics (NULL));

  metrics.eval_count = 1;
  metrics.eval_duration = G_GINT64_CONSTANT (500000000);   /* 0.5 s */
  one = cria_message_row_format_metrics (&metrics);
  g_assert_cmpstr (one, ==, "1 token · 2.0 tokens/s");

  metrics.eval_count = 42;
  metrics.eval_duration = G_GINT64_CONSTANT (1120000000);  /* 1.12 s */
  many = cria_message_row_format_metrics (&metrics);
  g_assert_cmpstr (many, ==, "42 tokens · 37.5 tokens/s");

  metrics.eval_duration = 0;
  no_rate = cria_message_row_format_metrics (&metrics);
  g_assert_cmpstr (no_rate, ==, "42 tokens");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cria/error-text/describe", test_describe);
  g_test_add_func ("/cria/error-text/describe-io", test_describe_io);
  g_test_add_func ("/cria/error-text/cancelled", test_cancelled);
  g_test_add_func ("/cria/error-text/other-domain", test_other_domain);
  g_test_add_func ("/cria/error-text/metrics", test_metrics);

  return g_test_run ();
}
