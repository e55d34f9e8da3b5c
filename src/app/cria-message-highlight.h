/* cria-message-highlight.h: show for a moment which message a jump landed on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cria-core.h"

G_BEGIN_DECLS

#define CRIA_MESSAGE_HIGHLIGHT_CLASS "search-hit"
#define CRIA_MESSAGE_HIGHLIGHT_MS    2000

void cria_message_highlight (GtkListView     *list_view,
                             CriaChatMessage *message);

G_END_DECLS
