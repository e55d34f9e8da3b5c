/* cria-ndjson-reader.h: bytes in, complete NDJSON lines out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The Go client's limit (api/client.go maxBufferSize): generous enough for a
 * final `context` array or a verbose /api/show, small enough to bound memory. */
#define CRIA_NDJSON_DEFAULT_MAX_LINE (8 * 1024 * 1024)

typedef struct _CriaNdjsonReader CriaNdjsonReader;

CriaNdjsonReader *cria_ndjson_reader_new       (gsize              max_line_length);
void              cria_ndjson_reader_free      (CriaNdjsonReader  *self);
void              cria_ndjson_reader_push      (CriaNdjsonReader  *self,
                                                const guint8      *data,
                                                gsize              length);
gboolean          cria_ndjson_reader_next_line (CriaNdjsonReader  *self,
                                                gboolean           at_eof,
                                                const char       **line,
                                                gsize             *length,
                                                GError           **error);
gsize             cria_ndjson_reader_get_pending (CriaNdjsonReader *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CriaNdjsonReader, cria_ndjson_reader_free)

G_END_DECLS
