/* cria-model-catalog.c: a few popular models, to start with
 *
 * Ollama has no API to search its library, so the models page offers this
 * short list next to "pull by name". Sizes are those of the default
 * quantization in the Ollama library, rounded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-model-catalog"

#include "cria-config.h"

#include <glib/gi18n.h>

#include "cria-core.h"
#include "cria-model-catalog.h"

#define MB (G_GUINT64_CONSTANT (1000) * 1000)
#define GB (MB * 1000)

static const char * const tools[] = { "tools", NULL };
static const char * const thinking[] = { "tools", "thinking", NULL };
static const char * const vision[] = { "vision", NULL };
static const char * const embedding[] = { "embedding", NULL };

static const CriaCatalogEntry entries[] = {
  { "qwen3:0.6b", N_("Tiny and quick; thinks before it answers"), 523 * MB, thinking },
  { "llama3.2:1b", N_("Meta’s smallest model, fine for quick questions"), 1300 * MB, tools },
  { "llama3.2", N_("Meta’s compact all-rounder for everyday chat"), 2000 * MB, tools },
  { "phi4-mini", N_("Microsoft’s small model, strong at reasoning and math"), 2500 * MB, tools },
  { "gemma3:4b", N_("Google’s small model; understands images too"), 3300 * MB, vision },
  { "mistral:7b", N_("A fast, general-purpose model from Mistral AI"), 4400 * MB, tools },
  { "llava:7b", N_("Describes and answers questions about images"), 4700 * MB, vision },
  { "deepseek-r1:7b", N_("Reasons step by step before answering"), 4700 * MB, thinking },
  { "qwen2.5-coder:7b", N_("Writes, explains and fixes code"), 4700 * MB, tools },
  { "qwen3:8b", N_("A capable all-rounder that can think before answering"), 5200 * MB, thinking },
  { "gpt-oss:20b", N_("OpenAI’s open-weight model; needs 16 GB of memory"), 14 * GB, thinking },
  { "nomic-embed-text", N_("Turns text into embeddings for search; does not chat"), 274 * MB, embedding },
};

/**
 * cria_model_catalog_get_entries:
 * @n_entries: (out): where to store the number of entries
 *
 * Returns: (transfer none) (array length=n_entries): the catalogue, smallest
 *   chat models first
 */
const CriaCatalogEntry *
cria_model_catalog_get_entries (guint *n_entries)
{
  g_return_val_if_fail (n_entries != NULL, NULL);

  *n_entries = G_N_ELEMENTS (entries);

  return entries;
}

/**
 * cria_model_catalog_lookup:
 * @name: a model name
 *
 * Returns: (transfer none) (nullable): the entry of @name, matched as the
 *   server matches names (a missing tag means `latest`)
 */
const CriaCatalogEntry *
cria_model_catalog_lookup (const char *name)
{
  if (name == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    if (cria_model_name_equal (entries[i].name, name))
      return &entries[i];

  return NULL;
}
