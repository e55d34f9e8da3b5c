/* cria-ndjson-reader.c
 *
 * Ollama streams one JSON object per line, but nothing promises that a read
 * holds exactly one line: proxies, TLS and the cloud passthrough cut lines
 * (and UTF-8 sequences) anywhere, or put several in one read. The reader
 * buffers bytes, splits on 0x0A only, and checks UTF-8 per complete line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-ndjson-reader"

#include "cria-config.h"

#include <string.h>

#include "cria-error.h"
#include "cria-ndjson-reader.h"

struct _CriaNdjsonReader
{
  GByteArray *buffer;
  gsize       start;    /* first byte not yet returned */
  gsize       scanned;  /* bytes from start known to hold no newline */
  gsize       max_line_length;
};

CriaNdjsonReader *
cria_ndjson_reader_new (gsize max_line_length)
{
  CriaNdjsonReader *self = g_new0 (CriaNdjsonReader, 1);

  self->buffer = g_byte_array_sized_new (4096);
  self->max_line_length = max_line_length > 0 ? max_line_length : CRIA_NDJSON_DEFAULT_MAX_LINE;

  return self;
}

void
cria_ndjson_reader_free (CriaNdjsonReader *self)
{
  if (self == NULL)
    return;

  g_byte_array_unref (self->buffer);
  g_free (self);
}

static void
compact (CriaNdjsonReader *self)
{
  if (self->start == 0)
    return;

  if (self->start >= self->buffer->len)
    {
      g_byte_array_set_size (self->buffer, 0);
    }
  else
    {
      memmove (self->buffer->data,
               self->buffer->data + self->start,
               self->buffer->len - self->start);
      g_byte_array_set_size (self->buffer, self->buffer->len - self->start);
    }

  self->start = 0;
}

void
cria_ndjson_reader_push (CriaNdjsonReader *self,
                         const guint8     *data,
                         gsize             length)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || length == 0);

  /* Move the unread tail to the front once the consumed head dominates, so
   * the buffer never grows with the length of the stream. */
  if (self->start > 0 && self->start >= self->buffer->len / 2)
    compact (self);

  g_byte_array_append (self->buffer, data, length);
}

gsize
cria_ndjson_reader_get_pending (CriaNdjsonReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->buffer->len - self->start;
}

static gboolean
take_line (CriaNdjsonReader  *self,
           gsize              line_length,
           gboolean           has_newline,
           const char       **line,
           gsize             *length,
           GError           **error)
{
  gsize offset = self->start;
  char *text;
  const char *end = NULL;

  self->start += line_length + (has_newline ? 1 : 0);
  self->scanned = 0;

  if (!has_newline)
    {
      /* Reserve a byte past the data for the terminator. Appending may move
       * the data, so the line is located by offset. */
      g_byte_array_append (self->buffer, (const guint8 *) "", 1);
      g_byte_array_set_size (self->buffer, self->buffer->len - 1);
      self->start = self->buffer->len;
    }

  text = (char *) self->buffer->data + offset;

  /* Tolerate CRLF from proxies. */
  if (line_length > 0 && text[line_length - 1] == '\r')
    line_length--;

  if (line_length > self->max_line_length)
    {
      g_set_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL,
                   "A line of %" G_GSIZE_FORMAT " bytes exceeds the limit of %" G_GSIZE_FORMAT,
                   line_length, self->max_line_length);
      return FALSE;
    }

  if (!g_utf8_validate (text, line_length, &end))
    {
      g_set_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL,
                   "Invalid UTF-8 at byte %" G_GSIZE_FORMAT " of a line",
                   (gsize) (end - text));
      return FALSE;
    }

  /* Overwrites the newline (or CR), or the reserved byte at EOF. */
  text[line_length] = '\0';

  *line = text;
  if (length != NULL)
    *length = line_length;

  return TRUE;
}

/**
 * cria_ndjson_reader_next_line:
 * @at_eof: whether the stream has ended, so a last line without a newline counts
 * @line: (out) (transfer none): the line, nul-terminated, valid until the next call
 * @length: (out) (optional): its length in bytes
 *
 * Returns: %TRUE with a non-empty line; %FALSE when more bytes are needed (or
 *   at the end) with @error unset, or %FALSE with @error set when a line is
 *   not UTF-8 or is longer than the limit.
 */
gboolean
cria_ndjson_reader_next_line (CriaNdjsonReader  *self,
                              gboolean           at_eof,
                              const char       **line,
                              gsize             *length,
                              GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (line != NULL, FALSE);

  *line = NULL;
  if (length != NULL)
    *length = 0;

  for (;;)
    {
      const guint8 *head = self->buffer->data + self->start;
      gsize available = self->buffer->len - self->start;
      const guint8 *newline;

      if (available == 0)
        return FALSE;

      newline = memchr (head + self->scanned, '\n', available - self->scanned);

      if (newline == NULL)
        {
          self->scanned = available;

          if (available > self->max_line_length + 1)
            {
              g_set_error (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_PROTOCOL,
                           "A line exceeds the limit of %" G_GSIZE_FORMAT " bytes",
                           self->max_line_length);
              /* Drop what we have: the caller ends the stream anyway. */
              self->start = self->buffer->len;
              self->scanned = 0;
              return FALSE;
            }

          if (!at_eof)
            return FALSE;

          if (!take_line (self, available, FALSE, line, length, error))
            return FALSE;
        }
      else
        {
          gsize line_length = newline - head;

          if (!take_line (self, line_length, TRUE, line, length, error))
            return FALSE;
        }

      /* Skip empty lines (and lines of only whitespace): proxies add them. */
      {
        const char *p = *line;

        while (*p == ' ' || *p == '\t' || *p == '\r')
          p++;
        if (*p != '\0')
          return TRUE;
      }
    }
}
