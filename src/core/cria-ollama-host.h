/* cria-ollama-host.h: where the default Ollama server is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CRIA_OLLAMA_DEFAULT_URL "http://127.0.0.1:11434"

char *cria_ollama_host_parse      (const char *value);
char *cria_ollama_host_dup_default (void);

G_END_DECLS
