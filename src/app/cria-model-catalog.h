/* cria-model-catalog.h: a few popular models, to start with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * CriaCatalogEntry:
 * @name: the name to pull, such as `qwen3:0.6b`
 * @description: one line about it, untranslated: it is marked for
 *   translation, and shown translated
 * @size: roughly how much it downloads, in bytes
 * @capabilities: (nullable): what it can do besides completion, as Ollama
 *   names it (`vision`, `tools`, `thinking`, `embedding`)
 */
typedef struct
{
  const char         *name;
  const char         *description;
  guint64             size;
  const char * const *capabilities;
} CriaCatalogEntry;

const CriaCatalogEntry *cria_model_catalog_get_entries (guint      *n_entries);
const CriaCatalogEntry *cria_model_catalog_lookup      (const char *name);

G_END_DECLS
