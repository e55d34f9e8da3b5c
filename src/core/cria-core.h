/* cria-core.h: the GTK-free core of Cria
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-backend.h"
#include "cria-backend-provider.h"
#include "cria-backend-registry.h"
#include "cria-chat-info.h"
#include "cria-chat-message.h"
#include "cria-chat-session.h"
#include "cria-chat-store.h"
#include "cria-client.h"
#include "cria-enums.h"
#include "cria-error.h"
#include "cria-markdown.h"
#include "cria-model.h"
#include "cria-model-details.h"
#include "cria-model-manager.h"
#include "cria-ndjson-reader.h"
#include "cria-ollama-host.h"
#include "cria-pull.h"
#include "cria-running-model.h"
#include "cria-static-backend-provider.h"
#include "cria-types.h"
