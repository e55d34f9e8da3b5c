/* cria-chat-store.h: chats and their messages, kept in SQLite
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cria-chat-info.h"
#include "cria-chat-message.h"
#include "cria-types.h"

G_BEGIN_DECLS

#define CRIA_TYPE_CHAT_STORE (cria_chat_store_get_type ())

G_DECLARE_FINAL_TYPE (CriaChatStore, cria_chat_store, CRIA, CHAT_STORE, GObject)

/**
 * CriaChatExportFormat:
 * @CRIA_CHAT_EXPORT_FORMAT_MARKDOWN: Markdown for people: the title as the
 *   top heading, one heading per message, the text as written
 * @CRIA_CHAT_EXPORT_FORMAT_JSON: the `cria-chat` JSON format, version 1,
 *   which cria_chat_store_import_async() reads back
 */
typedef enum
{
  CRIA_CHAT_EXPORT_FORMAT_MARKDOWN,
  CRIA_CHAT_EXPORT_FORMAT_JSON,
} CriaChatExportFormat;

/**
 * CriaChatSearchMatch:
 * @start: byte offset of the match in the snippet
 * @length: length of the match in bytes
 */
typedef struct
{
  guint start;
  guint length;
} CriaChatSearchMatch;

/**
 * CriaChatSearchResult:
 * @chat_id: the chat
 * @message_id: the message, or 0 when the chat's title matched
 * @position: the message's position in its chat, or -1 for a title
 * @snippet: plain UTF-8 text around the matches (the whole title, or up to
 *   about 16 words of the message, with "…" where it was cut)
 * @matches: (element-type CriaChatSearchMatch): the matched words in
 *   @snippet, in order
 *
 * One hit of cria_chat_store_search(). Title hits come first, then
 * messages, best first: FTS5's bm25 among the newest 4,096 messages that
 * match (a rare word is ranked over the whole history, a common one over
 * recent chats, which keeps a search fast on a long history).
 */
typedef struct
{
  gint64  chat_id;
  gint64  message_id;
  gint    position;
  char   *snippet;
  GArray *matches;
} CriaChatSearchResult;

#define CRIA_TYPE_CHAT_SEARCH_RESULT (cria_chat_search_result_get_type ())

GType                 cria_chat_search_result_get_type (void) G_GNUC_CONST;
CriaChatSearchResult *cria_chat_search_result_copy     (const CriaChatSearchResult *self);
void                  cria_chat_search_result_free     (CriaChatSearchResult       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CriaChatSearchResult, cria_chat_search_result_free)

CriaChatStore *cria_chat_store_new                  (const char            *path);
const char    *cria_chat_store_get_path             (CriaChatStore         *self);
gboolean       cria_chat_store_open                 (CriaChatStore         *self,
                                                     GError               **error);
gboolean       cria_chat_store_is_open              (CriaChatStore         *self);
void           cria_chat_store_close                (CriaChatStore         *self);
const char    *cria_chat_store_get_recovered_from   (CriaChatStore         *self);
const char    *cria_chat_store_get_recovery_reason  (CriaChatStore         *self);

/* Chats */
GListModel    *cria_chat_store_get_chats            (CriaChatStore         *self);
CriaChatInfo  *cria_chat_store_lookup_chat          (CriaChatStore         *self,
                                                     gint64                 chat_id);
gint64         cria_chat_store_create_chat          (CriaChatStore         *self,
                                                     const char            *title,
                                                     const char            *backend_url,
                                                     const char            *model,
                                                     const char            *system_prompt,
                                                     JsonObject            *options,
                                                     GError               **error);
gboolean       cria_chat_store_rename_chat          (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     const char            *title,
                                                     GError               **error);
gboolean       cria_chat_store_set_generated_title  (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     const char            *title,
                                                     GError               **error);
gboolean       cria_chat_store_set_chat_pinned      (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     gboolean               pinned,
                                                     GError               **error);
gboolean       cria_chat_store_set_chat_model       (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     const char            *backend_url,
                                                     const char            *model,
                                                     GError               **error);
gboolean       cria_chat_store_set_chat_system_prompt (CriaChatStore       *self,
                                                     gint64                 chat_id,
                                                     const char            *system_prompt,
                                                     GError               **error);
gboolean       cria_chat_store_set_chat_options     (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     JsonObject            *options,
                                                     GError               **error);
gboolean       cria_chat_store_set_chat_think       (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     CriaThinkMode          think,
                                                     GError               **error);
gboolean       cria_chat_store_trash_chat           (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     GError               **error);
gboolean       cria_chat_store_restore_chat         (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     GError               **error);
gboolean       cria_chat_store_delete_chat          (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     GError               **error);

/* Messages */
gint64         cria_chat_store_append_message       (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     CriaChatMessage       *message,
                                                     GError               **error);
gboolean       cria_chat_store_update_message       (CriaChatStore         *self,
                                                     CriaChatMessage       *message,
                                                     GError               **error);
gboolean       cria_chat_store_delete_messages_from (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     guint                  position,
                                                     GError               **error);
gboolean       cria_chat_store_delete_message       (CriaChatStore         *self,
                                                     CriaChatMessage       *message,
                                                     GError               **error);
GPtrArray     *cria_chat_store_load_messages        (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     GError               **error);
gint64         cria_chat_store_track_reply          (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     CriaChatMessage       *reply,
                                                     GError               **error);
gint64         cria_chat_store_get_message_id       (CriaChatMessage       *message);
gint64         cria_chat_store_get_message_created_at (CriaChatMessage     *message);

/* Search */
GPtrArray     *cria_chat_store_search               (CriaChatStore         *self,
                                                     const char            *text,
                                                     guint                  limit,
                                                     GError               **error);
void           cria_chat_store_search_async         (CriaChatStore         *self,
                                                     const char            *text,
                                                     guint                  limit,
                                                     GCancellable          *cancellable,
                                                     GAsyncReadyCallback    callback,
                                                     gpointer               user_data);
GPtrArray     *cria_chat_store_search_finish        (CriaChatStore         *self,
                                                     GAsyncResult          *result,
                                                     GError               **error);

/* Export and import */
void           cria_chat_store_export_async         (CriaChatStore         *self,
                                                     gint64                 chat_id,
                                                     CriaChatExportFormat   format,
                                                     GCancellable          *cancellable,
                                                     GAsyncReadyCallback    callback,
                                                     gpointer               user_data);
GBytes        *cria_chat_store_export_finish        (CriaChatStore         *self,
                                                     GAsyncResult          *result,
                                                     GError               **error);
void           cria_chat_store_import_async         (CriaChatStore         *self,
                                                     GBytes                *json,
                                                     GCancellable          *cancellable,
                                                     GAsyncReadyCallback    callback,
                                                     gpointer               user_data);
gint64         cria_chat_store_import_finish        (CriaChatStore         *self,
                                                     GAsyncResult          *result,
                                                     GError               **error);

G_END_DECLS
