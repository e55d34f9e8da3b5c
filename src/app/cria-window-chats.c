/* cria-window-chats.c: what the window does with its chats
 *
 * The actions of the sidebar and of each chat's menu: rename, pin, delete
 * with an undo toast (the chat is trashed, and deleted for good when the
 * toast goes away; the store drops what is left in the trash at the next
 * start), export to a file and import from one, search (Ctrl+F) and the
 * sidebar toggle (F9). And a notification when a reply is done while the
 * window is in the background, withdrawn when the window is back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-window-chats"

#include "cria-config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cria-chat-row.h"
#include "cria-error-text.h"
#include "cria-window-private.h"

static CriaChatInfo *
lookup_chat (CriaWindow *self,
             gint64      chat_id)
{
  if (self->store == NULL)
    return NULL;

  return cria_chat_store_lookup_chat (self->store, chat_id);
}

/* The session showing or still answering in @chat_id, if any */
static CriaChatSession *
find_session (CriaWindow *self,
              gint64      chat_id)
{
  if (cria_chat_session_get_chat_id (self->session) == chat_id)
    return self->session;

  for (guint i = 0; i < self->background->len; i++)
    {
      CriaChatSession *session = g_ptr_array_index (self->background, i);

      if (cria_chat_session_get_chat_id (session) == chat_id)
        return session;
    }

  return NULL;
}

static void
show_store_error (CriaWindow   *self,
                  const char   *what,
                  const GError *error)
{
  g_debug ("%s: %s", what, error->message);
  cria_window_add_toast (self, what);
}

/* Sidebar and search ---------------------------------------------------- */

/* win.search: the search entry of the sidebar (Ctrl+F) */
static void
search_activate (GSimpleAction *action,
                 GVariant      *param,
                 gpointer       user_data)
{
  CriaWindow *self = CRIA_WINDOW (user_data);

  adw_flap_set_reveal_flap (self->flap, TRUE);
  cria_chat_list_set_search_mode (self->chat_list, TRUE);
}

/* Rename ---------------------------------------------------------------- */

static void
rename_entry_changed_cb (AdwMessageDialog *dialog,
                         GtkEditable      *entry)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "rename", text[0] != '\0');
}

static void
rename_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    CriaWindow       *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  gint64 chat_id = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "cria-chat-id");
  g_autofree char *title = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_str_equal (response, "rename") || self->store == NULL)
    return;

  title = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  if (title[0] == '\0')
    return;

  if (!cria_chat_store_rename_chat (self->store, chat_id, title, &error))
    show_store_error (self, _("The chat could not be renamed"), error);
}

/* win.rename-chat(x): a dialog with the title to edit */
static void
rename_chat_activate (GSimpleAction *action,
                      GVariant      *param,
                      gpointer       user_data)
{
  CriaWindow *self = CRIA_WINDOW (user_data);
  gint64 chat_id = g_variant_get_int64 (param);
  CriaChatInfo *info = lookup_chat (self, chat_id);
  GtkWidget *dialog;
  GtkWidget *entry;

  if (info == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Rename Chat"), NULL);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "rename", _("_Rename"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "rename",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "rename");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), cria_chat_info_get_title (info));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Title"),
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  g_object_set_data_full (G_OBJECT (dialog), "cria-chat-id",
                          g_memdup2 (&chat_id, sizeof chat_id), g_free);
  g_signal_connect_object (entry, "changed",
                           G_CALLBACK (rename_entry_changed_cb),
                           dialog, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (rename_response_cb),
                           self, 0);
  rename_entry_changed_cb (ADW_MESSAGE_DIALOG (dialog), GTK_EDITABLE (entry));

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* Pin ------------------------------------------------------------------- */

/* win.toggle-chat-pinned(x): pinned chats stay at the top */
static void
toggle_chat_pinned_activate (GSimpleAction *action,
                             GVariant      *param,
                             gpointer       user_data)
{
  CriaWindow *self = CRIA_WINDOW (user_data);
  gint64 chat_id = g_variant_get_int64 (param);
  CriaChatInfo *info = lookup_chat (self, chat_id);
  g_autoptr(GError) error = NULL;

  if (info == NULL)
    return;

  if (!cria_chat_store_set_chat_pinned (self->store, chat_id,
                                        !cria_chat_info_get_pinned (info), &error))
    show_store_error (self, _("The chat could not be pinned"), error);
}

/* Delete and undo ------------------------------------------------------- */

typedef struct
{
  GWeakRef  window;
  gint64    chat_id;
  gboolean  was_open;
  gboolean  undone;
} UndoData;

static void
undo_data_free (gpointer data)
{
  UndoData *undo = data;

  g_weak_ref_clear (&undo->window);
  g_free (undo);
}

static void
undo_clicked_cb (AdwToast *toast,
                 UndoData *undo)
{
  g_autoptr(CriaWindow) self = g_weak_ref_get (&undo->window);
  g_autoptr(GError) error = NULL;

  if (self == NULL || self->store == NULL)
    return;

  undo->undone = TRUE;

  if (!cria_chat_store_restore_chat (self->store, undo->chat_id, &error))
    {
      show_store_error (self, _("The chat could not be restored"), error);
      return;
    }

  g_debug ("Chat %" G_GINT64_FORMAT " restored", undo->chat_id);

  /* Back to it, unless the user started something else meanwhile */
  if (undo->was_open &&
      cria_chat_session_get_chat_id (self->session) == 0 &&
      g_list_model_get_n_items (G_LIST_MODEL (self->session)) == 0)
    _cria_window_open_chat (self, undo->chat_id);
}

static void
undo_dismissed_cb (AdwToast *toast,
                   UndoData *undo)
{
  g_autoptr(CriaWindow) self = g_weak_ref_get (&undo->window);
  g_autoptr(GError) error = NULL;

  if (self == NULL || self->store == NULL || undo->undone ||
      !cria_chat_store_is_open (self->store))
    return;

  g_debug ("Chat %" G_GINT64_FORMAT " deleted", undo->chat_id);

  if (!cria_chat_store_delete_chat (self->store, undo->chat_id, &error))
    g_debug ("The chat could not be deleted: %s", error->message);

  if (self->last_undo_toast == toast)
    self->last_undo_toast = NULL;
}

/* win.delete-chat(x): to the trash, with a toast to undo it */
static void
delete_chat_activate (GSimpleAction *action,
                      GVariant      *param,
                      gpointer       user_data)
{
  CriaWindow *self = CRIA_WINDOW (user_data);
  gint64 chat_id = g_variant_get_int64 (param);
  CriaChatInfo *info = lookup_chat (self, chat_id);
  CriaChatSession *session = find_session (self, chat_id);
  g_autofree char *title = NULL;
  g_autofree char *escaped = NULL;
  g_autoptr(GError) error = NULL;
  UndoData *undo;
  AdwToast *toast;

  if (info == NULL)
    return;

  title = g_strdup_printf (_("“%s” deleted"), cria_chat_row_title_or_placeholder (info));

  /* A deleted chat has nothing more to say */
  if (session != NULL)
    cria_chat_session_stop (session);

  if (!cria_chat_store_trash_chat (self->store, chat_id, &error))
    {
      show_store_error (self, _("The chat could not be deleted"), error);
      return;
    }

  undo = g_new0 (UndoData, 1);
  g_weak_ref_init (&undo->window, self);
  undo->chat_id = chat_id;
  undo->was_open = session == self->session;

  if (undo->was_open)
    _cria_window_new_chat (self);

  g_free (self->last_toast);
  self->last_toast = g_strdup (title);

  /* libadwaita 1.2 reads a toast's title as markup */
  escaped = g_markup_escape_text (title, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "cria-undo", undo, undo_data_free);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (undo_clicked_cb), undo);
  g_signal_connect (toast, "dismissed", G_CALLBACK (undo_dismissed_cb), undo);

  self->last_undo_toast = toast;
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Export ---------------------------------------------------------------- */

typedef struct
{
  CriaWindow *window;
  GFile      *file;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->window);
  g_clear_object (&data->file);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ExportData, export_data_free)

static void
export_written_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ExportData) data = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Translators: %s is why, such as “Permission denied” */
      text = g_strdup_printf (_("The chat could not be exported: %s"), error->message);
      cria_window_add_toast (data->window, text);
      return;
    }

  cria_window_add_toast (data->window, _("Chat exported"));
}

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ExportData) data = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;
  GFile *file;

  bytes = cria_chat_store_export_finish (CRIA_CHAT_STORE (object), result, &error);
  if (bytes == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_store_error (data->window, _("The chat could not be exported"), error);
      return;
    }

  g_debug ("Writing an export of %" G_GSIZE_FORMAT " bytes", g_bytes_get_size (bytes));

  file = data->file;
  cancellable = data->window->cancellable;
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable,
                                       export_written_cb,
                                       g_steal_pointer (&data));
}

/**
 * _cria_window_export_chat:
 * @file: where to write the export
 *
 * Exports the chat and writes it to @file; a toast says how it went.
 */
void
_cria_window_export_chat (CriaWindow           *self,
                          gint64                chat_id,
                          CriaChatExportFormat  format,
                          GFile                *file)
{
  ExportData *data;

  g_return_if_fail (CRIA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->store == NULL)
    return;

  data = g_new0 (ExportData, 1);
  data->window = g_object_ref (self);
  data->file = g_object_ref (file);

  cria_chat_store_export_async (self->store, chat_id, format, self->cancellable,
                                exported_cb, data);
}

/* A file name from the title, without what file systems refuse */
static char *
dup_file_name (CriaChatInfo *info,
               const char   *extension)
{
  g_autofree char *title = g_strdup (cria_chat_row_title_or_placeholder (info));

  g_strdelimit (title, "/\\:*?\"<>|", '-');
  g_strstrip (title);
  if (title[0] == '.' || title[0] == '\0')
    {
      g_free (title);
      title = g_strdup (_("Chat"));
    }

  return g_strconcat (title, extension, NULL);
}

static void
export_response_cb (GtkNativeDialog *chooser,
                    int              response,
                    CriaWindow      *self)
{
  gint64 chat_id = *(gint64 *) g_object_get_data (G_OBJECT (chooser), "cria-chat-id");
  CriaChatExportFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "cria-format"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        _cria_window_export_chat (self, chat_id, format, file);
    }

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
export_chat (CriaWindow           *self,
             gint64                chat_id,
             CriaChatExportFormat  format)
{
  CriaChatInfo *info = lookup_chat (self, chat_id);
  gboolean markdown = format == CRIA_CHAT_EXPORT_FORMAT_MARKDOWN;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;

  if (info == NULL)
    return;

  name = dup_file_name (info, markdown ? ".md" : ".json");

  chooser = gtk_file_chooser_native_new (markdown ? _("Export as Markdown") : _("Export as JSON"),
                                         GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"),
                                         _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);

  if (markdown)
    {
      gtk_file_filter_set_name (filter, _("Markdown"));
      gtk_file_filter_add_mime_type (filter, "text/markdown");
      gtk_file_filter_add_pattern (filter, "*.md");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("JSON"));
      gtk_file_filter_add_mime_type (filter, "application/json");
      gtk_file_filter_add_pattern (filter, "*.json");
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);

  g_object_set_data_full (G_OBJECT (chooser), "cria-chat-id",
                          g_memdup2 (&chat_id, sizeof chat_id), g_free);
  g_object_set_data (G_OBJECT (chooser), "cria-format", GINT_TO_POINTER (format));
  g_signal_connect_object (chooser, "response",
                           G_CALLBACK (export_response_cb),
                           self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* win.export-chat-markdown(x) */
static void
export_chat_markdown_activate (GSimpleAction *action,
                               GVariant      *param,
                               gpointer       user_data)
{
  export_chat (CRIA_WINDOW (user_data), g_variant_get_int64 (param),
               CRIA_CHAT_EXPORT_FORMAT_MARKDOWN);
}

/* win.export-chat-json(x) */
static void
export_chat_json_activate (GSimpleAction *action,
                           GVariant      *param,
                           gpointer       user_data)
{
  export_chat (CRIA_WINDOW (user_data), g_variant_get_int64 (param),
               CRIA_CHAT_EXPORT_FORMAT_JSON);
}

/* Import ---------------------------------------------------------------- */

static void
imported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CriaWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 chat_id;

  chat_id = cria_chat_store_import_finish (CRIA_CHAT_STORE (object), result, &error);
  if (chat_id <= 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      if (g_error_matches (error, CRIA_STORE_ERROR, CRIA_STORE_ERROR_INVALID_DATA))
        show_store_error (self, _("This file is not a chat exported from Cria"), error);
      else
        show_store_error (self, _("The chat could not be imported"), error);
      return;
    }

  g_debug ("Imported chat %" G_GINT64_FORMAT, chat_id);
  _cria_window_open_chat (self, chat_id);
}

static void
import_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CriaWindow) self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_file_load_bytes_finish (G_FILE (object), result, NULL, &error);
  if (bytes == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Translators: %s is why, such as “No such file or directory” */
      text = g_strdup_printf (_("The file could not be read: %s"), error->message);
      cria_window_add_toast (self, text);
      return;
    }

  if (self->store == NULL)
    return;

  cria_chat_store_import_async (self->store, bytes, self->cancellable,
                                imported_cb, g_object_ref (self));
}

/**
 * _cria_window_import_chat:
 * @file: a `cria-chat` JSON export
 *
 * Adds the chat in @file to the store and opens it; a toast says what
 * went wrong.
 */
void
_cria_window_import_chat (CriaWindow *self,
                          GFile      *file)
{
  g_return_if_fail (CRIA_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  g_file_load_bytes_async (file, self->cancellable, import_loaded_cb, g_object_ref (self));
}

static void
import_response_cb (GtkNativeDialog *chooser,
                    int              response,
                    CriaWindow      *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        _cria_window_import_chat (self, file);
    }

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

/* win.import-chat: a chat exported as JSON */
static void
import_chat_activate (GSimpleAction *action,
                      GVariant      *param,
                      gpointer       user_data)
{
  CriaWindow *self = CRIA_WINDOW (user_data);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Import Chat"),
                                         GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Import"),
                                         _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  gtk_file_filter_set_name (filter, _("Chats Exported as JSON"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);

  g_signal_connect_object (chooser, "response",
                           G_CALLBACK (import_response_cb),
                           self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Notifications --------------------------------------------------------- */

/**
 * _cria_window_reply_finished:
 * @session: a conversation of the window that is not busy any more
 *
 * Says that the reply is there, when the user is elsewhere: a
 * notification with the chat's title, never with the reply, that opens
 * the chat when clicked. A reply the user stopped needs none.
 */
void
_cria_window_reply_finished (CriaWindow      *self,
                             CriaChatSession *session)
{
  GListModel *messages = G_LIST_MODEL (session);
  guint n_items = g_list_model_get_n_items (messages);
  g_autoptr(CriaChatMessage) reply = NULL;
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;
  g_autofree char *model = NULL;
  g_autofree char *id = NULL;
  GApplication *application;
  CriaChatInfo *info;
  gint64 chat_id;
  const GError *error;
  gboolean failed;

  g_return_if_fail (CRIA_IS_WINDOW (self));

  if (gtk_window_is_active (GTK_WINDOW (self)) || n_items == 0)
    return;

  application = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  if (application == NULL)
    return;

  reply = g_list_model_get_item (messages, n_items - 1);
  if (cria_chat_message_get_role (reply) != CRIA_MESSAGE_ROLE_ASSISTANT)
    return;

  error = cria_chat_message_get_error (reply);
  if (error != NULL && cria_error_text_is_cancelled (error))
    return;

  failed = cria_chat_message_get_state (reply) != CRIA_MESSAGE_STATE_COMPLETE;
  model = g_strdup (cria_chat_message_get_model (reply) ? cria_chat_message_get_model (reply)
                                                        : cria_chat_session_get_model (session));
  if (model != NULL && g_str_has_suffix (model, ":latest"))
    model[strlen (model) - strlen (":latest")] = '\0';

  chat_id = cria_chat_session_get_chat_id (session);
  info = lookup_chat (self, chat_id);

  notification = g_notification_new (info ? cria_chat_row_title_or_placeholder (info) : _("New Chat"));
  if (failed)
    /* Translators: %s is a model, such as “llama3.2” */
    body = g_strdup_printf (_("Reply from %s failed"), model ? model : "");
  else
    /* Translators: %s is a model, such as “llama3.2” */
    body = g_strdup_printf (_("Reply from %s is ready"), model ? model : "");
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target_value (notification, "app.open-chat",
                                                      g_variant_new_int64 (chat_id));

  id = g_strdup_printf ("reply-%" G_GINT64_FORMAT, chat_id);
  g_debug ("Notifying that the reply in chat %" G_GINT64_FORMAT " is done", chat_id);
  g_application_send_notification (application, id, notification);

  if (!g_ptr_array_find_with_equal_func (self->notifications, id, g_str_equal, NULL))
    g_ptr_array_add (self->notifications, g_steal_pointer (&id));
}

/* Back in the window: the notifications have done their job */
static void
is_active_cb (CriaWindow *self,
              GParamSpec *pspec,
              gpointer    user_data)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (!gtk_window_is_active (GTK_WINDOW (self)) || application == NULL)
    return;

  for (guint i = 0; i < self->notifications->len; i++)
    g_application_withdraw_notification (G_APPLICATION (application),
                                         g_ptr_array_index (self->notifications, i));

  g_ptr_array_set_size (self->notifications, 0);
}

/* Set-up ---------------------------------------------------------------- */

static const GActionEntry chat_actions[] = {
  { "search", search_activate },
  { "rename-chat", rename_chat_activate, "x" },
  { "toggle-chat-pinned", toggle_chat_pinned_activate, "x" },
  { "delete-chat", delete_chat_activate, "x" },
  { "export-chat-markdown", export_chat_markdown_activate, "x" },
  { "export-chat-json", export_chat_json_activate, "x" },
  { "import-chat", import_chat_activate },
};

/**
 * _cria_window_chats_init:
 *
 * Adds the actions on chats, once the window knows its store.
 */
void
_cria_window_chats_init (CriaWindow *self)
{
  g_autoptr(GPropertyAction) toggle_sidebar = NULL;

  g_return_if_fail (CRIA_IS_WINDOW (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   chat_actions,
                                   G_N_ELEMENTS (chat_actions),
                                   self);

  /* win.toggle-sidebar: the chats beside the conversation, or over it on
   * a narrow window (F9) */
  toggle_sidebar = g_property_action_new ("toggle-sidebar", self->flap, "reveal-flap");
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (toggle_sidebar));

  g_signal_connect (self, "notify::is-active", G_CALLBACK (is_active_cb), NULL);

  /* Without a store there are no chats to act on */
  for (guint i = 0; i < G_N_ELEMENTS (chat_actions) && self->store == NULL; i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), chat_actions[i].name);

      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), FALSE);
    }
}

void
_cria_window_chats_dispose (CriaWindow *self)
{
  /* A toast still offering to undo leaves its chat in the trash: the
   * store drops it at the next start */
  self->last_undo_toast = NULL;

  if (self->background != NULL)
    g_ptr_array_set_size (self->background, 0);
}

AdwToast *
_cria_window_get_undo_toast (CriaWindow *self)
{
  g_return_val_if_fail (CRIA_IS_WINDOW (self), NULL);

  return self->last_undo_toast;
}
