/* cria-a11y.c: accessibility fixes for widgets libadwaita 1.2 leaves unnamed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-a11y"

#include "cria-config.h"

#include "cria-a11y.h"

/**
 * cria_a11y_name_list_boxes:
 * @widget: a widget holding list boxes of its own, such as an
 *   #AdwPreferencesGroup or an #AdwExpanderRow
 * @name: the accessible name to give them
 *
 * Names the list boxes inside @widget, down to the first list box on each
 * branch: libadwaita 1.2 leaves the lists of its groups and expander rows
 * unnamed, and a screen reader announces such a list by its type.
 */
void
cria_a11y_name_list_boxes (GtkWidget  *widget,
                           const char *name)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (name != NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_BOX (child))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                        -1);
      else
        cria_a11y_name_list_boxes (child, name);
    }
}
