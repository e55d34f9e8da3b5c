/* cria-error-text.c: errors of the core, in words a user understands
 *
 * The core's GError messages are written for developers. What the user
 * reads is written here, translatable, one sentence per kind of failure.
 * Only the server's own text (an `{"error": …}` body) is passed through,
 * because it is the most precise thing we know.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-error-text"

#include "cria-config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "cria-error.h"
#include "cria-error-text.h"

/**
 * cria_error_text_is_cancelled:
 * @error: (nullable): an error
 *
 * Whether @error only says that the user (or the window closing) cancelled
 * the operation. Such errors are never reported as failures.
 */
gboolean
cria_error_text_is_cancelled (const GError *error)
{
  return error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The server's text can be long and span lines (llama-server output):
 * keep the first line, trimmed. */
static char *
dup_server_text (const GError *error)
{
  g_autofree char *text = g_strstrip (g_strdup (error->message ? error->message : ""));
  char *newline = strchr (text, '\n');

  if (newline != NULL)
    *newline = '\0';

  return g_strstrip (g_steal_pointer (&text));
}

static char *
describe_client_error (const GError *error,
                       const char   *model)
{
  g_autofree char *server_text = NULL;

  switch ((CriaClientError) error->code)
    {
    case CRIA_CLIENT_ERROR_MODEL_NOT_FOUND:
      if (model != NULL && model[0] != '\0')
        /* Translators: %s is a model name such as “llama3.2” */
        return g_strdup_printf (_("The model “%s” is not installed on this server."), model);
      return g_strdup (_("This model is not installed on this server."));

    case CRIA_CLIENT_ERROR_TRUNCATED:
      return g_strdup (_("Ollama stopped answering in the middle of the reply."));

    case CRIA_CLIENT_ERROR_CONNECTION_LOST:
      return g_strdup (_("The connection to Ollama was lost."));

    case CRIA_CLIENT_ERROR_UNREACHABLE:
      return g_strdup (_("No server answered at this address."));

    case CRIA_CLIENT_ERROR_TIMED_OUT:
      return g_strdup (_("Ollama took too long to answer."));

    case CRIA_CLIENT_ERROR_PROTOCOL:
      return g_strdup (_("The server answered with something Cria could not read."));

    case CRIA_CLIENT_ERROR_UNAUTHORIZED:
      return g_strdup (_("The server refused access. It may require an API key."));

    case CRIA_CLIENT_ERROR_BUSY:
      return g_strdup (_("Ollama is busy with other requests. Try again in a moment."));

    case CRIA_CLIENT_ERROR_SERVER:
      server_text = dup_server_text (error);
      if (server_text[0] == '\0')
        return g_strdup (_("Ollama reported an error."));
      /* Translators: %s is the error message of the Ollama server, in English */
      return g_strdup_printf (_("Ollama reported an error: %s"), server_text);

    case CRIA_CLIENT_ERROR_BAD_REQUEST:
      server_text = dup_server_text (error);
      if (server_text[0] == '\0')
        return g_strdup (_("Ollama could not handle the request."));
      /* Translators: %s is the error message of the Ollama server, in English */
      return g_strdup_printf (_("Ollama could not handle the request: %s"), server_text);

    case CRIA_CLIENT_ERROR_HTTP:
      server_text = dup_server_text (error);
      if (server_text[0] == '\0')
        return g_strdup (_("The server answered with an error."));
      /* Translators: %s is the HTTP status or the error text of the server */
      return g_strdup_printf (_("The server answered with an error: %s"), server_text);

    default:
      return NULL;
    }
}

/* GIOErrorEnum is large: an if chain, not a switch (-Wswitch-enum). */
static char *
describe_io_error (const GError *error)
{
  int code = error->code;

  if (code == G_IO_ERROR_CANCELLED)
    return g_strdup (_("Stopped."));

  if (code == G_IO_ERROR_CONNECTION_REFUSED)
    return g_strdup (_("No server answered at this address."));

  if (code == G_IO_ERROR_TIMED_OUT)
    return g_strdup (_("Ollama took too long to answer."));

  if (code == G_IO_ERROR_HOST_NOT_FOUND)
    return g_strdup (_("The server’s address could not be found."));

  if (code == G_IO_ERROR_HOST_UNREACHABLE || code == G_IO_ERROR_NETWORK_UNREACHABLE)
    return g_strdup (_("The network is unreachable."));

  /* G_IO_ERROR_CONNECTION_CLOSED is G_IO_ERROR_BROKEN_PIPE */
  if (code == G_IO_ERROR_CONNECTION_CLOSED || code == G_IO_ERROR_PARTIAL_INPUT)
    return g_strdup (_("The connection to Ollama was lost."));

  if (code == G_IO_ERROR_INVALID_DATA)
    return g_strdup (_("The server answered with something Cria could not read."));

  if (code == G_IO_ERROR_PERMISSION_DENIED)
    return g_strdup (_("Cria is not allowed to connect to this server."));

  return NULL;
}

/**
 * cria_error_text_describe:
 * @error: (nullable): an error of the core or of GIO
 * @model: (nullable): the model the failed request was for
 *
 * Turns @error into one translated sentence for the user.
 *
 * Returns: (transfer full) (nullable): the sentence, %NULL when @error is %NULL
 */
char *
cria_error_text_describe (const GError *error,
                          const char   *model)
{
  char *text = NULL;

  if (error == NULL)
    return NULL;

  if (error->domain == CRIA_CLIENT_ERROR)
    text = describe_client_error (error, model);
  else if (error->domain == G_IO_ERROR)
    text = describe_io_error (error);
  else if (error->domain == G_RESOLVER_ERROR)
    text = g_strdup (_("The server’s address could not be found."));
  else if (error->domain == G_TLS_ERROR)
    text = g_strdup (_("A secure connection to the server could not be made."));

  if (text == NULL)
    {
      g_autofree char *detail = dup_server_text (error);

      if (detail[0] == '\0')
        text = g_strdup (_("Something went wrong."));
      else
        /* Translators: %s is a technical error message */
        text = g_strdup_printf (_("Something went wrong: %s"), detail);
    }

  return text;
}
