/* cria-types.h: forward declarations and shared enums of the core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _CriaBackend               CriaBackend;
typedef struct _CriaBackendProvider       CriaBackendProvider;
typedef struct _CriaBackendRegistry       CriaBackendRegistry;
typedef struct _CriaChatMessage           CriaChatMessage;
typedef struct _CriaChatSession           CriaChatSession;
typedef struct _CriaClient                CriaClient;
typedef struct _CriaModel                 CriaModel;
typedef struct _CriaModelDetails          CriaModelDetails;
typedef struct _CriaModelManager          CriaModelManager;
typedef struct _CriaPull                  CriaPull;
typedef struct _CriaPullLayer             CriaPullLayer;
typedef struct _CriaRunningModel          CriaRunningModel;
typedef struct _CriaStaticBackendProvider CriaStaticBackendProvider;

/**
 * CriaMessageRole:
 *
 * The author of a chat message, as Ollama names it on the wire.
 */
typedef enum
{
  CRIA_MESSAGE_ROLE_USER,
  CRIA_MESSAGE_ROLE_ASSISTANT,
  CRIA_MESSAGE_ROLE_SYSTEM,
  CRIA_MESSAGE_ROLE_TOOL,
} CriaMessageRole;

/**
 * CriaMessageState:
 * @CRIA_MESSAGE_STATE_COMPLETE: the message is whole (user messages, finished replies)
 * @CRIA_MESSAGE_STATE_STREAMING: a reply still being generated
 * @CRIA_MESSAGE_STATE_INCOMPLETE: a reply cut short (stopped, or an error after some text)
 * @CRIA_MESSAGE_STATE_ERROR: a reply that failed before any text arrived
 */
typedef enum
{
  CRIA_MESSAGE_STATE_COMPLETE,
  CRIA_MESSAGE_STATE_STREAMING,
  CRIA_MESSAGE_STATE_INCOMPLETE,
  CRIA_MESSAGE_STATE_ERROR,
} CriaMessageState;

/**
 * CriaThinkMode:
 * @CRIA_THINK_MODE_DEFAULT: send no `think` field; the server decides
 * @CRIA_THINK_MODE_ON: `"think": true`
 * @CRIA_THINK_MODE_OFF: `"think": false`
 */
typedef enum
{
  CRIA_THINK_MODE_DEFAULT,
  CRIA_THINK_MODE_ON,
  CRIA_THINK_MODE_OFF,
} CriaThinkMode;

/**
 * CriaBackendStatus:
 * @CRIA_BACKEND_STATUS_UNKNOWN: not probed yet
 * @CRIA_BACKEND_STATUS_CONNECTING: the first probe is under way
 * @CRIA_BACKEND_STATUS_ONLINE: the server answered
 * @CRIA_BACKEND_STATUS_OFFLINE: the server did not answer; probing again with backoff
 */
typedef enum
{
  CRIA_BACKEND_STATUS_UNKNOWN,
  CRIA_BACKEND_STATUS_CONNECTING,
  CRIA_BACKEND_STATUS_ONLINE,
  CRIA_BACKEND_STATUS_OFFLINE,
} CriaBackendStatus;

/**
 * CriaBackendOrigin:
 * @CRIA_BACKEND_ORIGIN_CONFIGURED: from the settings or `$OLLAMA_HOST`
 * @CRIA_BACKEND_ORIGIN_DISCOVERED: found on the network
 */
typedef enum
{
  CRIA_BACKEND_ORIGIN_CONFIGURED,
  CRIA_BACKEND_ORIGIN_DISCOVERED,
} CriaBackendOrigin;

/**
 * CriaPullState:
 * @CRIA_PULL_STATE_RUNNING: downloading
 * @CRIA_PULL_STATE_SUCCEEDED: the model is installed
 * @CRIA_PULL_STATE_FAILED: the server reported an error, or the connection broke
 * @CRIA_PULL_STATE_CANCELLED: the user cancelled; the server keeps what it downloaded
 */
typedef enum
{
  CRIA_PULL_STATE_RUNNING,
  CRIA_PULL_STATE_SUCCEEDED,
  CRIA_PULL_STATE_FAILED,
  CRIA_PULL_STATE_CANCELLED,
} CriaPullState;

G_END_DECLS
