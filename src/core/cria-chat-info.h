/* cria-chat-info.h: what the chats list shows of one stored chat
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "cria-types.h"

G_BEGIN_DECLS

#define CRIA_TYPE_CHAT_INFO (cria_chat_info_get_type ())

G_DECLARE_FINAL_TYPE (CriaChatInfo, cria_chat_info, CRIA, CHAT_INFO, GObject)

gint64      cria_chat_info_get_id            (CriaChatInfo *self);
const char *cria_chat_info_get_title         (CriaChatInfo *self);
const char *cria_chat_info_get_model         (CriaChatInfo *self);
const char *cria_chat_info_get_backend_url   (CriaChatInfo *self);
const char *cria_chat_info_get_system_prompt (CriaChatInfo *self);
JsonObject *cria_chat_info_get_options       (CriaChatInfo *self);
CriaThinkMode cria_chat_info_get_think       (CriaChatInfo *self);
gboolean    cria_chat_info_get_pinned        (CriaChatInfo *self);
gint64      cria_chat_info_get_created_at    (CriaChatInfo *self);
gint64      cria_chat_info_get_updated_at    (CriaChatInfo *self);

G_END_DECLS
