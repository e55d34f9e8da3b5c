/* cria-chat-session-private.h: test seams of CriaChatSession
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-chat-session.h"

G_BEGIN_DECLS

#define CRIA_CHAT_TITLE_MAX_CHARS 60

char *_cria_chat_session_dup_title_for_text  (const char *text);
char *_cria_chat_session_dup_title_for_reply (const char *text);

G_END_DECLS
