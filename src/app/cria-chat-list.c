/* cria-chat-list.c: the sidebar of chats, with their search
 *
 * Lists the store's chats (pinned first, then the most recent) and keeps
 * the window's current chat selected; selecting another one, with the
 * pointer or the keyboard, emits CriaChatList::chat-activated. The search
 * (its entry opens with Ctrl+F) asks the store after a short pause,
 * cancelling the search before, and lists the chats and messages found
 * with the matched words in bold; activating one emits
 * CriaChatList::result-activated.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-chat-list"

#include "cria-config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cria-chat-list.h"
#include "cria-chat-list-private.h"
#include "cria-chat-row.h"

#define SEARCH_LIMIT 50

struct _CriaChatList
{
  GtkWidget           parent_instance;

  /* Template Widgets */
  AdwHeaderBar       *header_bar;
  GtkWidget          *new_chat_button;
  GtkWidget          *search_button;
  GtkSearchBar       *search_bar;
  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  GtkListView        *list_view;
  GtkListBox         *results_box;

  /* Owned References */
  CriaChatStore      *store;
  GtkSingleSelection *selection;
  GCancellable       *search_cancellable;

  gint64              current_chat;
  guint               clock_id;
  guint               n_searches;
  guint               n_results;
  guint               selecting : 1;
};

G_DEFINE_FINAL_TYPE (CriaChatList, cria_chat_list, GTK_TYPE_WIDGET)

enum {
  CHAT_ACTIVATED,
  RESULT_ACTIVATED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static gboolean
searching (CriaChatList *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  return gtk_search_bar_get_search_mode (self->search_bar) && text[0] != '\0';
}

static void
update_page (CriaChatList *self)
{
  const char *page;

  if (searching (self))
    page = self->n_results > 0 ? "results" : "no-results";
  else if (self->store != NULL &&
           g_list_model_get_n_items (cria_chat_store_get_chats (self->store)) > 0)
    page = "chats";
  else
    page = "empty";

  gtk_stack_set_visible_child_name (self->stack, page);
}

/* The chats ------------------------------------------------------------- */

static void
select_current_chat (CriaChatList *self)
{
  GListModel *chats;
  guint position = GTK_INVALID_LIST_POSITION;
  guint n_items;

  if (self->store == NULL)
    return;

  chats = cria_chat_store_get_chats (self->store);
  n_items = g_list_model_get_n_items (chats);

  for (guint i = 0; i < n_items && self->current_chat > 0; i++)
    {
      g_autoptr(CriaChatInfo) info = g_list_model_get_item (chats, i);

      if (cria_chat_info_get_id (info) == self->current_chat)
        {
          position = i;
          break;
        }
    }

  self->selecting = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->selecting = FALSE;
}

static void
selected_cb (CriaChatList       *self,
             GParamSpec         *pspec,
             GtkSingleSelection *selection)
{
  CriaChatInfo *info;

  g_assert (CRIA_IS_CHAT_LIST (self));

  /* Only the user's choice counts: the selection also moves when the
   * list changes, and is put back on the current chat after that */
  if (self->selecting)
    return;

  info = gtk_single_selection_get_selected_item (selection);
  if (info == NULL || cria_chat_info_get_id (info) == self->current_chat)
    return;

  g_debug ("Chat %" G_GINT64_FORMAT " chosen", cria_chat_info_get_id (info));
  g_signal_emit (self, signals [CHAT_ACTIVATED], 0, cria_chat_info_get_id (info));
}

static void
chats_changed_cb (CriaChatList *self,
                  guint         position,
                  guint         removed,
                  guint         added,
                  GListModel   *chats)
{
  g_assert (CRIA_IS_CHAT_LIST (self));

  select_current_chat (self);
  update_page (self);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  gtk_list_item_set_child (item, cria_chat_row_new ());
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  cria_chat_row_set_info (CRIA_CHAT_ROW (gtk_list_item_get_child (item)),
                          gtk_list_item_get_item (item));
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  cria_chat_row_set_info (CRIA_CHAT_ROW (gtk_list_item_get_child (item)), NULL);
}

/* "5 minutes ago" becomes "6 minutes ago" */
static gboolean
clock_cb (gpointer user_data)
{
  CriaChatList *self = CRIA_CHAT_LIST (user_data);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);

      if (CRIA_IS_CHAT_ROW (row))
        cria_chat_row_update_time (CRIA_CHAT_ROW (row));
    }

  return G_SOURCE_CONTINUE;
}

/* Shift+F10 and the Menu key open the menu of the focused row */
static gboolean
popup_menu_cb (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  CriaChatList *self = CRIA_CHAT_LIST (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  GtkWidget *row;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_view)))
    return FALSE;

  row = gtk_widget_get_ancestor (focus, CRIA_TYPE_CHAT_ROW);
  if (row == NULL)
    row = gtk_widget_get_first_child (focus);

  if (!CRIA_IS_CHAT_ROW (row))
    return FALSE;

  cria_chat_row_popup_menu (CRIA_CHAT_ROW (row));

  return TRUE;
}

/* The search ------------------------------------------------------------ */

/**
 * _cria_chat_list_dup_snippet_markup:
 * @snippet: plain text
 * @matches: (element-type CriaChatSearchMatch): the matched words in
 *   @snippet, in order
 *
 * Returns: (transfer full): @snippet as Pango markup, escaped, with the
 *   matches in bold; matches out of order or out of the text are left out
 */
char *
_cria_chat_list_dup_snippet_markup (const char *snippet,
                                    GArray     *matches)
{
  GString *markup = g_string_new (NULL);
  gsize length = strlen (snippet);
  gsize done = 0;
  g_autofree char *rest = NULL;

  for (guint i = 0; matches != NULL && i < matches->len; i++)
    {
      const CriaChatSearchMatch *match = &g_array_index (matches, CriaChatSearchMatch, i);
      g_autofree char *before = NULL;
      g_autofree char *word = NULL;

      if (match->start < done || match->length == 0 ||
          match->start > length || match->length > length - match->start)
        continue;

      before = g_markup_escape_text (snippet + done, match->start - done);
      word = g_markup_escape_text (snippet + match->start, match->length);
      g_string_append_printf (markup, "%s<b>%s</b>", before, word);
      done = match->start + match->length;
    }

  rest = g_markup_escape_text (snippet + done, length - done);
  g_string_append (markup, rest);

  return g_string_free (markup, FALSE);
}

static GtkWidget *
create_result_row (CriaChatList               *self,
                   const CriaChatSearchResult *result)
{
  CriaChatInfo *info = cria_chat_store_lookup_chat (self->store, result->chat_id);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (info ? cria_chat_row_title_or_placeholder (info) : NULL);
  GtkWidget *snippet = NULL;
  gint64 *chat_id = g_new (gint64, 1);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (box), title);

  /* A title that matched is the title itself; a message shows its words */
  if (result->message_id == 0)
    {
      g_autofree char *markup = _cria_chat_list_dup_snippet_markup (result->snippet, result->matches);

      gtk_label_set_markup (GTK_LABEL (title), markup);
    }
  else
    {
      g_autofree char *markup = _cria_chat_list_dup_snippet_markup (result->snippet, result->matches);

      snippet = gtk_label_new (NULL);
      gtk_label_set_markup (GTK_LABEL (snippet), markup);
      gtk_label_set_xalign (GTK_LABEL (snippet), 0);
      gtk_label_set_wrap (GTK_LABEL (snippet), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (snippet), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_lines (GTK_LABEL (snippet), 3);
      gtk_label_set_ellipsize (GTK_LABEL (snippet), PANGO_ELLIPSIZE_END);
      gtk_widget_add_css_class (snippet, "caption");
      gtk_widget_add_css_class (snippet, "dim-label");
      gtk_widget_add_css_class (title, "caption-heading");
      gtk_box_append (GTK_BOX (box), snippet);
    }

  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  /* Read as the chat, then the words found */
  {
    g_autofree char *name = NULL;
    const char *title_text = info ? cria_chat_row_title_or_placeholder (info) : "";

    if (result->message_id == 0)
      name = g_strdup (title_text);
    else
      /* Translators: a search result read by a screen reader: the chat's
       * title, then the text around the words found */
      name = g_strdup_printf (_("%s: %s"), title_text, result->snippet);
    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  }

  *chat_id = result->chat_id;
  g_object_set_data_full (G_OBJECT (row), "cria-chat-id", chat_id, g_free);
  g_object_set_data (G_OBJECT (row), "cria-position", GINT_TO_POINTER (result->position));

  return row;
}

static void
clear_results (CriaChatList *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->results_box))) != NULL)
    gtk_list_box_remove (self->results_box, child);

  self->n_results = 0;
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CriaChatList) self = user_data;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  results = cria_chat_store_search_finish (CRIA_CHAT_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  clear_results (self);
  self->n_searches++;

  if (results == NULL)
    g_debug ("Search failed: %s", error->message);

  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      gtk_list_box_append (self->results_box,
                           create_result_row (self, g_ptr_array_index (results, i)));
      self->n_results++;
    }

  g_debug ("Search found %u results", self->n_results);

  update_page (self);
}

static void
search_changed_cb (CriaChatList   *self,
                   GtkSearchEntry *entry)
{
  g_autofree char *text = NULL;

  g_assert (CRIA_IS_CHAT_LIST (self));

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));

  if (text[0] == '\0' || self->store == NULL)
    {
      clear_results (self);
      update_page (self);
      return;
    }

  self->search_cancellable = g_cancellable_new ();
  cria_chat_store_search_async (self->store, text, SEARCH_LIMIT,
                                self->search_cancellable,
                                search_cb, g_object_ref (self));
}

static void
result_activated_cb (CriaChatList  *self,
                     GtkListBoxRow *row,
                     GtkListBox    *box)
{
  gint64 *chat_id = g_object_get_data (G_OBJECT (row), "cria-chat-id");
  int position = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "cria-position"));

  g_assert (CRIA_IS_CHAT_LIST (self));

  g_signal_emit (self, signals [RESULT_ACTIVATED], 0, *chat_id, position);
}

/* Enter in the entry: the best result */
static void
search_activate_cb (CriaChatList   *self,
                    GtkSearchEntry *entry)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->results_box, 0);

  if (row != NULL && searching (self))
    g_signal_emit_by_name (row, "activate");
}

static void
stop_search_cb (CriaChatList   *self,
                GtkSearchEntry *entry)
{
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

static void
search_mode_cb (CriaChatList *self,
                GParamSpec   *pspec,
                GtkSearchBar *search_bar)
{
  if (!gtk_search_bar_get_search_mode (search_bar))
    {
      g_cancellable_cancel (self->search_cancellable);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      clear_results (self);
    }

  update_page (self);
}

/* GObject --------------------------------------------------------------- */

static void
cria_chat_list_dispose (GObject *object)
{
  CriaChatList *self = CRIA_CHAT_LIST (object);
  GtkWidget *child;

  g_cancellable_cancel (self->search_cancellable);
  g_clear_handle_id (&self->clock_id, g_source_remove);

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (cria_chat_store_get_chats (self->store), self);

  if (self->list_view != NULL)
    gtk_list_view_set_model (self->list_view, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIA_TYPE_CHAT_LIST);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  g_clear_object (&self->search_cancellable);

  G_OBJECT_CLASS (cria_chat_list_parent_class)->dispose (object);
}

static void
cria_chat_list_class_init (CriaChatListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cria_chat_list_dispose;

  /**
   * CriaChatList::chat-activated:
   * @self: the list
   * @chat_id: the chat the user chose
   */
  signals [CHAT_ACTIVATED] =
    g_signal_new ("chat-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * CriaChatList::result-activated:
   * @self: the list
   * @chat_id: the chat of the result
   * @position: the message's position in the chat, or -1 for the title
   */
  signals [RESULT_ACTIVATED] =
    g_signal_new ("result-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cria/Cria/ui/cria-chat-list.ui");
  gtk_widget_class_bind_template_child (widget_class, CriaChatList, header_bar);
  gtk_widget_class_bind_template_child (widget_class, CriaChatList, new_chat_button);
  gtk_widget_class_bind_template_child (widget_class, CriaChatList, search_button);
  gtk_widget_class_bind_template_child (widget_class, CriaChatList, search_bar);
  gtk_widget_class_bind_template_child (widget_class, CriaChatList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CriaChatList, stack);
  gtk_widget_class_bind_template_child (widget_class, CriaChatList, list_view);
  gtk_widget_class_bind_template_child (widget_class, CriaChatList, results_box);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, popup_menu_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Menu, 0, popup_menu_cb, NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chatlist");

  g_type_ensure (CRIA_TYPE_CHAT_ROW);
}

static void
cria_chat_list_init (CriaChatList *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "notify::selected",
                           G_CALLBACK (selected_cb),
                           self, G_CONNECT_SWAPPED);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  g_signal_connect_object (self->search_entry, "search-changed",
                           G_CALLBACK (search_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "activate",
                           G_CALLBACK (search_activate_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "stop-search",
                           G_CALLBACK (stop_search_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_bar, "notify::search-mode-enabled",
                           G_CALLBACK (search_mode_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->results_box, "row-activated",
                           G_CALLBACK (result_activated_cb),
                           self, G_CONNECT_SWAPPED);

  self->clock_id = g_timeout_add_seconds (60, clock_cb, self);

  update_page (self);
}

GtkWidget *
cria_chat_list_new (void)
{
  return g_object_new (CRIA_TYPE_CHAT_LIST, NULL);
}

/**
 * cria_chat_list_set_store:
 * @self: a #CriaChatList
 * @store: (nullable): the chats to list
 */
void
cria_chat_list_set_store (CriaChatList  *self,
                          CriaChatStore *store)
{
  g_return_if_fail (CRIA_IS_CHAT_LIST (self));
  g_return_if_fail (!store || CRIA_IS_CHAT_STORE (store));

  if (self->store == store)
    return;

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (cria_chat_store_get_chats (self->store), self);

  g_set_object (&self->store, store);

  self->selecting = TRUE;
  gtk_single_selection_set_model (self->selection,
                                  store ? cria_chat_store_get_chats (store) : NULL);
  self->selecting = FALSE;

  /* After the selection's own handler: it moves the selection first */
  if (store != NULL)
    g_signal_connect_object (cria_chat_store_get_chats (store), "items-changed",
                             G_CALLBACK (chats_changed_cb),
                             self, G_CONNECT_SWAPPED);

  gtk_widget_set_sensitive (GTK_WIDGET (self->search_bar), store != NULL);

  select_current_chat (self);
  update_page (self);
}

/**
 * cria_chat_list_set_current_chat:
 * @self: a #CriaChatList
 * @chat_id: the chat the window shows, or 0 for one not stored yet
 *
 * Selects the chat's row.
 */
void
cria_chat_list_set_current_chat (CriaChatList *self,
                                 gint64        chat_id)
{
  g_return_if_fail (CRIA_IS_CHAT_LIST (self));

  self->current_chat = chat_id;
  select_current_chat (self);
}

gboolean
cria_chat_list_get_search_mode (CriaChatList *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_LIST (self), FALSE);

  return gtk_search_bar_get_search_mode (self->search_bar);
}

/**
 * cria_chat_list_set_search_mode:
 * @self: a #CriaChatList
 * @search_mode: whether to show the search entry
 *
 * Shows the search entry and gives it the focus, or hides it and lists
 * the chats again.
 */
void
cria_chat_list_set_search_mode (CriaChatList *self,
                                gboolean      search_mode)
{
  g_return_if_fail (CRIA_IS_CHAT_LIST (self));

  gtk_search_bar_set_search_mode (self->search_bar, search_mode);

  if (search_mode)
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/**
 * cria_chat_list_get_header_bar:
 * @self: a #CriaChatList
 *
 * Returns: (transfer none): the sidebar's header bar
 */
AdwHeaderBar *
cria_chat_list_get_header_bar (CriaChatList *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_LIST (self), NULL);

  return self->header_bar;
}

GtkListView *
_cria_chat_list_get_list_view (CriaChatList *self)
{
  return self->list_view;
}

GtkStack *
_cria_chat_list_get_stack (CriaChatList *self)
{
  return self->stack;
}

GtkSearchEntry *
_cria_chat_list_get_search_entry (CriaChatList *self)
{
  return self->search_entry;
}

GtkListBox *
_cria_chat_list_get_results_box (CriaChatList *self)
{
  return self->results_box;
}

/* How many searches finished, for the tests */
guint
_cria_chat_list_get_n_searches (CriaChatList *self)
{
  return self->n_searches;
}

GtkWidget *
_cria_chat_list_get_new_chat_button (CriaChatList *self)
{
  return self->new_chat_button;
}

GtkWidget *
_cria_chat_list_get_search_button (CriaChatList *self)
{
  return self->search_button;
}
