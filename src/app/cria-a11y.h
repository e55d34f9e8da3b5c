/* cria-a11y.h: accessibility fixes for widgets libadwaita 1.2 leaves unnamed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void cria_a11y_name_list_boxes (GtkWidget  *widget,
                                const char *name);

G_END_DECLS
