/* cria-message-row.h: one message of the conversation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cria-core.h"

G_BEGIN_DECLS

#define CRIA_TYPE_MESSAGE_ROW (cria_message_row_get_type ())

G_DECLARE_FINAL_TYPE (CriaMessageRow, cria_message_row, CRIA, MESSAGE_ROW, GtkWidget)

GtkWidget       *cria_message_row_new         (void);
CriaChatMessage *cria_message_row_get_message (CriaMessageRow  *self);
void             cria_message_row_set_message (CriaMessageRow  *self,
                                               CriaChatMessage *message);
void             cria_message_row_set_session (CriaMessageRow  *self,
                                               CriaChatSession *session);
void             cria_message_row_set_defer_text (CriaMessageRow *self,
                                                  gboolean        defer_text);

char            *cria_message_row_format_metrics (const CriaChatMetrics *metrics);

G_END_DECLS
