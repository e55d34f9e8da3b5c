/* cria-client-private.h: parse seams of CriaClient, for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-client.h"

G_BEGIN_DECLS

char      *_cria_client_parse_version    (const char       *data,
                                          gsize             length,
                                          GError          **error);
GPtrArray *_cria_client_parse_tags       (const char       *data,
                                          gsize             length,
                                          GError          **error);
gboolean   _cria_client_parse_chat_line  (JsonParser       *parser,
                                          const char       *line,
                                          gsize             length,
                                          CriaChatChunk    *chunk,
                                          CriaChatMetrics  *metrics,
                                          GError          **error);
gboolean   _cria_client_parse_progress_line (JsonParser     *parser,
                                             const char     *line,
                                             gsize           length,
                                             CriaProgressLine *progress,
                                             GError        **error);
GPtrArray *_cria_client_parse_running    (const char       *data,
                                          gsize             length,
                                          GError          **error);
GError    *_cria_client_error_from_response (guint          status,
                                             const char    *reason,
                                             const char    *content_type,
                                             const char    *body,
                                             gsize          length);

G_END_DECLS
