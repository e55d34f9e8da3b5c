/* cria-ollama-host.c
 *
 * `$OLLAMA_HOST` is `[scheme://]host[:port][/path]`. The rules are
 * ollama-python's `_parse_host`: no scheme means http and port 11434; an
 * explicit http or https scheme defaults to port 80 or 443; a path prefix is
 * kept without its slashes (a reverse proxy on a sub-path). Like the Go
 * client's ConnectableHost, a wildcard bind address (0.0.0.0, ::), which is
 * what people set for the server, is turned into loopback.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-ollama-host"

#include "cria-config.h"

#include <stdlib.h>
#include <string.h>

#include "cria-ollama-host.h"

static gboolean
parse_port (const char *text,
            gsize       length,
            guint      *port)
{
  guint64 value = 0;

  if (length == 0 || length > 5)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      value = value * 10 + (text[i] - '0');
    }

  if (value == 0 || value > 65535)
    return FALSE;

  *port = (guint) value;
  return TRUE;
}

/**
 * cria_ollama_host_parse:
 * @value: (nullable): an `OLLAMA_HOST` value
 *
 * Returns: (transfer full) (nullable): the base URL, without a trailing
 *   slash, or %NULL when @value cannot be an address (a bad port, say)
 */
char *
cria_ollama_host_parse (const char *value)
{
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *userinfo = NULL;
  g_autofree char *path = NULL;
  g_autofree char *stripped = NULL;
  const char *hostport;
  const char *sep;
  const char *slash;
  const char *authority_end;
  const char *at;
  const char *colon = NULL;
  guint port = 11434;

  stripped = g_strstrip (g_strdup (value != NULL ? value : ""));
  sep = strstr (stripped, "://");

  if (sep == NULL || sep[3] == '\0')
    {
      scheme = g_strdup ("http");
      hostport = sep == NULL ? stripped : "";
    }
  else
    {
      scheme = g_ascii_strdown (stripped, sep - stripped);
      hostport = sep + 3;
      if (g_str_equal (scheme, "http"))
        port = 80;
      else if (g_str_equal (scheme, "https"))
        port = 443;
      else
        return NULL;
    }

  slash = strchr (hostport, '/');
  authority_end = slash != NULL ? slash : hostport + strlen (hostport);

  at = g_strrstr_len (hostport, authority_end - hostport, "@");
  if (at != NULL)
    {
      userinfo = g_strndup (hostport, at - hostport);
      hostport = at + 1;
    }

  if (hostport[0] == '[')
    {
      const char *close = memchr (hostport, ']', authority_end - hostport);

      if (close == NULL)
        return NULL;
      host = g_strndup (hostport, close + 1 - hostport);
      if (close + 1 < authority_end)
        {
          if (close[1] != ':')
            return NULL;
          colon = close + 1;
        }
    }
  else
    {
      colon = memchr (hostport, ':', authority_end - hostport);
      host = g_strndup (hostport, (colon != NULL ? colon : authority_end) - hostport);
    }

  if (colon != NULL && !parse_port (colon + 1, authority_end - colon - 1, &port))
    return NULL;

  if (host[0] == '\0' || g_str_equal (host, "0.0.0.0"))
    {
      g_free (host);
      host = g_strdup ("127.0.0.1");
    }
  else if (g_str_equal (host, "[::]"))
    {
      g_free (host);
      host = g_strdup ("[::1]");
    }
  else if (strchr (host, ':') != NULL && host[0] != '[')
    {
      /* A bare IPv6 address cannot come through here (its colons read as
       * a port), but keep brackets right if one did. */
      char *bracketed = g_strdup_printf ("[%s]", host);

      g_free (host);
      host = bracketed;
    }

  if (slash != NULL)
    {
      g_autofree char *trimmed = g_strdup (slash);
      char *p = trimmed;
      gsize len;

      while (*p == '/')
        p++;
      len = strlen (p);
      while (len > 0 && p[len - 1] == '/')
        p[--len] = '\0';
      if (len > 0)
        path = g_strdup (p);
    }

  return g_strdup_printf ("%s://%s%s%s:%u%s%s",
                          scheme,
                          userinfo != NULL ? userinfo : "",
                          userinfo != NULL ? "@" : "",
                          host,
                          port,
                          path != NULL ? "/" : "",
                          path != NULL ? path : "");
}

/**
 * cria_ollama_host_dup_default:
 *
 * Returns: (transfer full): the URL of the Ollama server to use when none is
 *   configured: `$OLLAMA_HOST`, else http://127.0.0.1:11434
 */
char *
cria_ollama_host_dup_default (void)
{
  const char *env = g_getenv ("OLLAMA_HOST");
  char *url = NULL;

  if (env != NULL && env[0] != '\0')
    {
      url = cria_ollama_host_parse (env);
      if (url == NULL)
        /* Not the value: it may hold a password. */
        g_message ("Ignoring OLLAMA_HOST, which is not an address");
    }

  return url != NULL ? url : g_strdup (CRIA_OLLAMA_DEFAULT_URL);
}
