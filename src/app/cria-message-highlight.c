/* cria-message-highlight.c: show for a moment which message a jump landed on
 *
 * The CriaMessageRow showing one message of a GtkListView gets the
 * `search-hit` style class for a couple of seconds (ui/style.css fades it).
 * GtkListView recycles its rows, so the highlight follows the message, not
 * a row widget: rows bound to the message while it lasts get the class, and
 * rows unbound from it lose it. The time counts from when a row first shows
 * the message, so a slow scroll there does not eat it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-message-highlight"

#include "cria-config.h"

#include "cria-message-highlight.h"
#include "cria-message-row.h"

#define HIGHLIGHT_KEY "cria-message-highlight"

typedef struct
{
  GtkListView        *list_view;   /* unowned: holds this as data */
  GtkListItemFactory *factory;
  CriaChatMessage    *message;
  gulong              bind_id;
  gulong              unbind_id;
  guint               timeout_id;
  guint               shown : 1;
} Highlight;

static void highlight_start_timeout (Highlight *highlight);

/* Gives @row the class; the first time, the time starts over. */
static void
highlight_row (Highlight *highlight,
               GtkWidget *row)
{
  gtk_widget_add_css_class (row, CRIA_MESSAGE_HIGHLIGHT_CLASS);

  if (!highlight->shown)
    {
      highlight->shown = TRUE;
      highlight_start_timeout (highlight);
    }
}

/* Sets the class on every row of @list_view whose message is
 * @highlight->message, and takes it from every other. */
static void
highlight_update_rows (Highlight *highlight)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (highlight->list_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);

      if (!CRIA_IS_MESSAGE_ROW (row))
        continue;

      if (highlight->message != NULL &&
          cria_message_row_get_message (CRIA_MESSAGE_ROW (row)) == highlight->message)
        highlight_row (highlight, row);
      else
        gtk_widget_remove_css_class (row, CRIA_MESSAGE_HIGHLIGHT_CLASS);
    }
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         Highlight                *highlight)
{
  GtkWidget *row = gtk_list_item_get_child (item);

  if (row != NULL && gtk_list_item_get_item (item) == (gpointer) highlight->message)
    highlight_row (highlight, row);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           Highlight                *highlight)
{
  GtkWidget *row = gtk_list_item_get_child (item);

  if (row != NULL)
    gtk_widget_remove_css_class (row, CRIA_MESSAGE_HIGHLIGHT_CLASS);
}

/* Stops the timer and watching the rows. */
static void
highlight_unwatch (Highlight *highlight)
{
  g_clear_handle_id (&highlight->timeout_id, g_source_remove);
  if (highlight->factory != NULL)
    {
      g_clear_signal_handler (&highlight->bind_id, highlight->factory);
      g_clear_signal_handler (&highlight->unbind_id, highlight->factory);
      g_clear_object (&highlight->factory);
    }
  g_clear_object (&highlight->message);
  highlight->shown = FALSE;
}

/* Ends the highlight: no row keeps the class. */
static void
highlight_stop (Highlight *highlight)
{
  highlight_unwatch (highlight);
  highlight_update_rows (highlight);
}

static void
highlight_free (Highlight *highlight)
{
  highlight_unwatch (highlight);
  g_free (highlight);
}

static gboolean
highlight_timeout_cb (gpointer user_data)
{
  Highlight *highlight = user_data;

  highlight->timeout_id = 0;
  highlight_stop (highlight);

  return G_SOURCE_REMOVE;
}

static void
highlight_start_timeout (Highlight *highlight)
{
  g_clear_handle_id (&highlight->timeout_id, g_source_remove);
  highlight->timeout_id = g_timeout_add (CRIA_MESSAGE_HIGHLIGHT_MS, highlight_timeout_cb, highlight);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, highlight->timeout_id),
                            "[cria] message highlight");
}

/**
 * cria_message_highlight:
 * @list_view: a list of CriaMessageRows made by a #GtkSignalListItemFactory
 * @message: the message to show
 *
 * Gives the row of @message the `search-hit` style class for
 * %CRIA_MESSAGE_HIGHLIGHT_MS from when a row first shows it (or from now,
 * if none does in that time), including a row bound to it later, as the
 * list scrolls there. A new highlight replaces the one running.
 */
void
cria_message_highlight (GtkListView     *list_view,
                        CriaChatMessage *message)
{
  GtkListItemFactory *factory;
  Highlight *highlight;

  g_return_if_fail (GTK_IS_LIST_VIEW (list_view));
  g_return_if_fail (CRIA_IS_CHAT_MESSAGE (message));

  highlight = g_object_get_data (G_OBJECT (list_view), HIGHLIGHT_KEY);
  if (highlight == NULL)
    {
      highlight = g_new0 (Highlight, 1);
      highlight->list_view = list_view;
      g_object_set_data_full (G_OBJECT (list_view), HIGHLIGHT_KEY, highlight,
                              (GDestroyNotify) highlight_free);
    }
  else
    highlight_stop (highlight);

  factory = gtk_list_view_get_factory (list_view);
  g_return_if_fail (GTK_IS_SIGNAL_LIST_ITEM_FACTORY (factory));

  highlight->message = g_object_ref (message);
  highlight->factory = g_object_ref (factory);
  highlight->bind_id = g_signal_connect_after (factory, "bind", G_CALLBACK (bind_cb), highlight);
  highlight->unbind_id = g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), highlight);
  highlight_start_timeout (highlight);

  highlight_update_rows (highlight);
}
