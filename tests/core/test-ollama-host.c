/* test-ollama-host.c
 *
 * The cases are ollama-python's `_parse_host` doctests, plus the wildcard
 * bind addresses the Go client turns into loopback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include "cria-core.h"

static const struct {
  const char *input;
  const char *expected;
} cases[] = {
  { NULL, "http://127.0.0.1:11434" },
  { "", "http://127.0.0.1:11434" },
  { "1.2.3.4", "http://1.2.3.4:11434" },
  { ":56789", "http://127.0.0.1:56789" },
  { "1.2.3.4:56789", "http://1.2.3.4:56789" },
  { "http://1.2.3.4", "http://1.2.3.4:80" },
  { "https://1.2.3.4", "https://1.2.3.4:443" },
  { "https://1.2.3.4:56789", "https://1.2.3.4:56789" },
  { "example.com", "http://example.com:11434" },
  { "example.com:56789", "http://example.com:56789" },
  { "http://example.com", "http://example.com:80" },
  { "https://example.com", "https://example.com:443" },
  { "https://example.com:56789", "https://example.com:56789" },
  { "example.com/", "http://example.com:11434" },
  { "example.com:56789/", "http://example.com:56789" },
  { "example.com/path", "http://example.com:11434/path" },
  { "example.com:56789/path", "http://example.com:56789/path" },
  { "https://example.com:56789/path", "https://example.com:56789/path" },
  { "example.com:56789/path/", "http://example.com:56789/path" },
  { "[0001:002:003:0004::1]", "http://[0001:002:003:0004::1]:11434" },
  { "[0001:002:003:0004::1]:56789", "http://[0001:002:003:0004::1]:56789" },
  { "http://[0001:002:003:0004::1]", "http://[0001:002:003:0004::1]:80" },
  { "https://[0001:002:003:0004::1]", "https://[0001:002:003:0004::1]:443" },
  { "https://[0001:002:003:0004::1]:56789", "https://[0001:002:003:0004::1]:56789" },
  { "[0001:002:003:0004::1]/", "http://[0001:002:003:0004::1]:11434" },
  { "[0001:002:003:0004::1]:56789/", "http://[0001:002:003:0004::1]:56789" },
  { "[0001:002:003:0004::1]/path", "http://[0001:002:003:0004::1]:11434/path" },
  { "[0001:002:003:0004::1]:56789/path", "http://[0001:002:003:0004::1]:56789/path" },
  { "https://[0001:002:003:0004::1]:56789/path", "https://[0001:002:003:0004::1]:56789/path" },
  { "[0001:002:003:0004::1]:56789/path/", "http://[0001:002:003:0004::1]:56789/path" },
  /* What people set for the server means loopback for a client. */
  { "0.0.0.0", "http://127.0.0.1:11434" },
  { "0.0.0.0:8080", "http://127.0.0.1:8080" },
  { "[::]:11434", "http://[::1]:11434" },
  /* Basic auth in the URL is kept (ollama-js keeps it too). */
  { "https://user:secret@example.com/ollama/", "https://user:secret@example.com:443/ollama" },
  { "  localhost  ", "http://localhost:11434" },
  { "HTTP://Box:1234", "http://Box:1234" },
};

static const char *invalid[] = {
  "example.com:port",
  "example.com:99999",
  "ftp://example.com",
  "[::1",
};

static void
test_parse (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = cria_ollama_host_parse (cases[i].input);

      g_assert_cmpstr (url, ==, cases[i].expected);
    }
}

static void
test_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *url = cria_ollama_host_parse (invalid[i]);

      g_assert_null (url);
    }
}

static void
test_default (void)
{
  g_autofree char *from_env = NULL;
  g_autofree char *fallback = NULL;
  g_autofree char *bad = NULL;

  g_setenv ("OLLAMA_HOST", "gpu-box:11500", TRUE);
  from_env = cria_ollama_host_dup_default ();
  g_assert_cmpstr (from_env, ==, "http://gpu-box:11500");

  g_unsetenv ("OLLAMA_HOST");
  fallback = cria_ollama_host_dup_default ();
  g_assert_cmpstr (fallback, ==, "http://127.0.0.1:11434");

  g_setenv ("OLLAMA_HOST", "gpu-box:none", TRUE);
  bad = cria_ollama_host_dup_default ();
  g_assert_cmpstr (bad, ==, "http://127.0.0.1:11434");
  g_unsetenv ("OLLAMA_HOST");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cria/ollama-host/parse", test_parse);
  g_test_add_func ("/cria/ollama-host/invalid", test_invalid);
  g_test_add_func ("/cria/ollama-host/default", test_default);

  return g_test_run ();
}
