/* cria-cull.c: draw only the children of a tall widget that are in view
 *
 * A reply's blocks and a thinking section's segments are the children of
 * a box as tall as all of them, in a list view that scrolls. The Cairo
 * renderer draws every node of the window when the view scrolls, so the
 * children out of view are unmapped (gtk_widget_set_child_visible ()):
 * they keep their size and place but are not drawn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include "cria-cull.h"

/* Past the visible part of the viewport, by this much, children are not
 * drawn */
#define CULL_MARGIN 100

/**
 * cria_cull_children:
 * @parent: a mapped widget whose children are laid out top to bottom
 * @viewport: (nullable): the scrollable @parent shows in; %NULL shows all
 *
 * Maps the children of @parent within the visible part of @viewport, and
 * those holding the keyboard focus, and unmaps the others. Call it after
 * the window's layout, when children have their final places.
 */
void
cria_cull_children (GtkWidget *parent,
                    GtkWidget *viewport)
{
  graphene_rect_t bounds;
  GtkAllocation allocation;
  double top = -G_MAXDOUBLE;
  double bottom = G_MAXDOUBLE;
  gboolean changed = FALSE;

  g_return_if_fail (GTK_IS_WIDGET (parent));
  g_return_if_fail (!viewport || GTK_IS_WIDGET (viewport));

  if (!gtk_widget_get_mapped (parent))
    return;

  /* The visible part, in @parent's coordinates */
  if (viewport != NULL && gtk_widget_compute_bounds (parent, viewport, &bounds))
    {
      top = -bounds.origin.y - CULL_MARGIN;
      bottom = top + gtk_widget_get_height (viewport) + 2 * CULL_MARGIN;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (parent);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      gboolean shown;

      gtk_widget_get_allocation (child, &allocation);
      shown = (allocation.y < bottom && allocation.y + allocation.height > top) ||
              gtk_widget_is_focus (child) ||
              gtk_widget_get_focus_child (child) != NULL;

      if (gtk_widget_get_child_visible (child) != shown)
        {
          gtk_widget_set_child_visible (child, shown);
          changed = TRUE;
        }
    }

  /* Mapping a child does not queue its parent for drawing, and GTK keeps
   * the parent's render node of the last frame, without it */
  if (changed)
    gtk_widget_queue_draw (parent);
}
