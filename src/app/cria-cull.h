/* cria-cull.h: draw only the children of a tall widget that are in view
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void cria_cull_children (GtkWidget *parent,
                         GtkWidget *viewport);

G_END_DECLS
