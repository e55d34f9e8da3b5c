/* cria-pull-row.h: one model download, with its progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cria-core.h"

G_BEGIN_DECLS

#define CRIA_TYPE_PULL_ROW (cria_pull_row_get_type ())

G_DECLARE_FINAL_TYPE (CriaPullRow, cria_pull_row, CRIA, PULL_ROW, GtkListBoxRow)

GtkWidget *cria_pull_row_new                  (CriaPull    *pull);
CriaPull  *cria_pull_row_get_pull             (CriaPullRow *self);

char      *cria_pull_row_format_time_left     (gint64       seconds);
char      *cria_pull_row_format_progress      (gint64       completed,
                                               gint64       total,
                                               double       speed,
                                               gint64       seconds_left);
char      *cria_pull_row_describe_status      (const char  *status);
char      *cria_pull_row_describe_error       (const GError *error,
                                               const char   *model);

G_END_DECLS
