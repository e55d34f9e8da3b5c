/* cria-pull-row-private.h: what the tests look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-pull-row.h"

G_BEGIN_DECLS

GtkLabel       *_cria_pull_row_get_status_label  (CriaPullRow *self);
GtkLabel       *_cria_pull_row_get_message_label (CriaPullRow *self);
GtkProgressBar *_cria_pull_row_get_progress_bar  (CriaPullRow *self);
GtkWidget      *_cria_pull_row_get_cancel_button (CriaPullRow *self);
GtkWidget      *_cria_pull_row_get_retry_button  (CriaPullRow *self);
GtkWidget      *_cria_pull_row_get_dismiss_button (CriaPullRow *self);
GtkListBox     *_cria_pull_row_get_layers_box    (CriaPullRow *self);

G_END_DECLS
