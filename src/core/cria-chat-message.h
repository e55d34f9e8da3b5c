/* cria-chat-message.h: one message of a conversation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cria-client.h"
#include "cria-types.h"

G_BEGIN_DECLS

#define CRIA_TYPE_CHAT_MESSAGE (cria_chat_message_get_type ())

G_DECLARE_FINAL_TYPE (CriaChatMessage, cria_chat_message, CRIA, CHAT_MESSAGE, GObject)

CriaChatMessage       *cria_chat_message_new              (CriaMessageRole        role,
                                                           const char            *content);
CriaMessageRole        cria_chat_message_get_role         (CriaChatMessage       *self);
const char            *cria_chat_message_get_role_name    (CriaChatMessage       *self);
const char            *cria_chat_message_get_content      (CriaChatMessage       *self);
gsize                  cria_chat_message_get_content_length (CriaChatMessage     *self);
void                   cria_chat_message_set_content      (CriaChatMessage       *self,
                                                           const char            *content);
void                   cria_chat_message_append_content   (CriaChatMessage       *self,
                                                           const char            *text);
const char            *cria_chat_message_get_thinking     (CriaChatMessage       *self);
gsize                  cria_chat_message_get_thinking_length (CriaChatMessage    *self);
void                   cria_chat_message_append_thinking  (CriaChatMessage       *self,
                                                           const char            *text);
GPtrArray             *cria_chat_message_get_images       (CriaChatMessage       *self);
void                   cria_chat_message_add_image        (CriaChatMessage       *self,
                                                           GBytes                *image);
JsonArray             *cria_chat_message_get_tool_calls   (CriaChatMessage       *self);
void                   cria_chat_message_add_tool_calls   (CriaChatMessage       *self,
                                                           JsonArray             *tool_calls);
CriaMessageState       cria_chat_message_get_state        (CriaChatMessage       *self);
void                   cria_chat_message_set_state        (CriaChatMessage       *self,
                                                           CriaMessageState       state);
const GError          *cria_chat_message_get_error        (CriaChatMessage       *self);
void                   cria_chat_message_set_error        (CriaChatMessage       *self,
                                                           const GError          *error);
const CriaChatMetrics *cria_chat_message_get_metrics      (CriaChatMessage       *self);
void                   cria_chat_message_set_metrics      (CriaChatMessage       *self,
                                                           const CriaChatMetrics *metrics);
const char            *cria_chat_message_get_model        (CriaChatMessage       *self);
void                   cria_chat_message_set_model        (CriaChatMessage       *self,
                                                           const char            *model);

G_END_DECLS
