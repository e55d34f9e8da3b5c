/* cria-chat-session.h: a conversation, as a list of messages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cria-backend.h"
#include "cria-chat-message.h"
#include "cria-chat-store.h"
#include "cria-types.h"

G_BEGIN_DECLS

#define CRIA_TYPE_CHAT_SESSION (cria_chat_session_get_type ())

G_DECLARE_FINAL_TYPE (CriaChatSession, cria_chat_session, CRIA, CHAT_SESSION, GObject)

CriaChatSession *cria_chat_session_new          (void);
CriaChatSession *cria_chat_session_new_for_chat (CriaChatStore        *store,
                                                 gint64                chat_id,
                                                 GError              **error);
CriaChatStore   *cria_chat_session_get_store    (CriaChatSession      *self);
gint64           cria_chat_session_get_chat_id  (CriaChatSession      *self);
void             cria_chat_session_set_store    (CriaChatSession      *self,
                                                 CriaChatStore        *store,
                                                 gint64                chat_id);
CriaBackend     *cria_chat_session_get_backend  (CriaChatSession      *self);
void             cria_chat_session_set_backend  (CriaChatSession      *self,
                                                 CriaBackend          *backend);
const char      *cria_chat_session_get_model    (CriaChatSession      *self);
void             cria_chat_session_set_model    (CriaChatSession      *self,
                                                 const char           *model);
CriaThinkMode    cria_chat_session_get_think    (CriaChatSession      *self);
void             cria_chat_session_set_think    (CriaChatSession      *self,
                                                 CriaThinkMode         think);
const char      *cria_chat_session_get_system_prompt (CriaChatSession *self);
void             cria_chat_session_set_system_prompt (CriaChatSession *self,
                                                      const char      *system_prompt);
JsonObject      *cria_chat_session_get_options  (CriaChatSession      *self);
void             cria_chat_session_set_options  (CriaChatSession      *self,
                                                 JsonObject           *options);
gboolean         cria_chat_session_get_busy     (CriaChatSession      *self);
gboolean         cria_chat_session_can_send     (CriaChatSession      *self);
void             cria_chat_session_send_async   (CriaChatSession      *self,
                                                 const char           *text,
                                                 GPtrArray            *images,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean         cria_chat_session_send_finish  (CriaChatSession      *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
gboolean         cria_chat_session_delete_message (CriaChatSession    *self,
                                                   guint               position,
                                                   GError            **error);
void             cria_chat_session_edit_async   (CriaChatSession      *self,
                                                 guint                 position,
                                                 const char           *text,
                                                 GPtrArray            *images,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean         cria_chat_session_edit_finish  (CriaChatSession      *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);
gboolean         cria_chat_session_can_regenerate (CriaChatSession    *self);
void             cria_chat_session_regenerate_async (CriaChatSession  *self,
                                                     GCancellable     *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer          user_data);
gboolean         cria_chat_session_regenerate_finish (CriaChatSession *self,
                                                      GAsyncResult    *result,
                                                      GError         **error);
void             cria_chat_session_stop         (CriaChatSession      *self);
void             cria_chat_session_clear        (CriaChatSession      *self);

G_END_DECLS
