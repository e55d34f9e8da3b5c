/* cria-error.h: error domains of the core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CRIA_CLIENT_ERROR (cria_client_error_quark ())

/**
 * CriaClientError:
 * @CRIA_CLIENT_ERROR_HTTP: a non-success HTTP status with no more specific code
 * @CRIA_CLIENT_ERROR_PROTOCOL: the peer sent something that is not the Ollama
 *   protocol: invalid JSON, invalid UTF-8, a line over the size limit
 * @CRIA_CLIENT_ERROR_TRUNCATED: a stream ended cleanly without its final line
 * @CRIA_CLIENT_ERROR_MODEL_NOT_FOUND: the model is not installed (HTTP 404)
 * @CRIA_CLIENT_ERROR_UNREACHABLE: no connection could be made
 * @CRIA_CLIENT_ERROR_UNAUTHORIZED: HTTP 401 or 403
 * @CRIA_CLIENT_ERROR_BUSY: HTTP 503, the server's queue is full
 * @CRIA_CLIENT_ERROR_SERVER: the server reported an error (an `{"error"}`
 *   line inside a stream, or a 5xx status with an `{"error"}` body)
 * @CRIA_CLIENT_ERROR_BAD_REQUEST: HTTP 400
 * @CRIA_CLIENT_ERROR_TIMED_OUT: the server stopped sending for longer than
 *   the idle timeout, or the connection could not be made in time
 * @CRIA_CLIENT_ERROR_CONNECTION_LOST: the connection broke in the middle of a
 *   response (reset, closed without the terminating chunk)
 */
typedef enum
{
  CRIA_CLIENT_ERROR_HTTP,
  CRIA_CLIENT_ERROR_PROTOCOL,
  CRIA_CLIENT_ERROR_TRUNCATED,
  CRIA_CLIENT_ERROR_MODEL_NOT_FOUND,
  CRIA_CLIENT_ERROR_UNREACHABLE,
  CRIA_CLIENT_ERROR_UNAUTHORIZED,
  CRIA_CLIENT_ERROR_BUSY,
  CRIA_CLIENT_ERROR_SERVER,
  CRIA_CLIENT_ERROR_BAD_REQUEST,
  CRIA_CLIENT_ERROR_TIMED_OUT,
  CRIA_CLIENT_ERROR_CONNECTION_LOST,
} CriaClientError;

GQuark cria_client_error_quark (void);

#define CRIA_STORE_ERROR (cria_store_error_quark ())

/**
 * CriaStoreError:
 * @CRIA_STORE_ERROR_FAILED: SQLite reported an error (disk full, I/O error,
 *   a constraint); the message carries SQLite's text, never chat text
 * @CRIA_STORE_ERROR_TOO_NEW: the database was written by a newer Cria; it
 *   is left untouched
 * @CRIA_STORE_ERROR_CORRUPT: the file is not a database or failed its
 *   integrity check
 * @CRIA_STORE_ERROR_NOT_FOUND: no chat or message with that id
 * @CRIA_STORE_ERROR_INVALID_DATA: an import is not a Cria chat export, or a
 *   field of it is missing or of the wrong type
 * @CRIA_STORE_ERROR_NOT_OPEN: the store was not opened, or was closed
 */
typedef enum
{
  CRIA_STORE_ERROR_FAILED,
  CRIA_STORE_ERROR_TOO_NEW,
  CRIA_STORE_ERROR_CORRUPT,
  CRIA_STORE_ERROR_NOT_FOUND,
  CRIA_STORE_ERROR_INVALID_DATA,
  CRIA_STORE_ERROR_NOT_OPEN,
} CriaStoreError;

GQuark cria_store_error_quark (void);

G_END_DECLS
