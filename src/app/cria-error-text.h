/* cria-error-text.h: errors of the core, in words a user understands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean  cria_error_text_is_cancelled (const GError *error);
char     *cria_error_text_describe     (const GError *error,
                                        const char   *model);

G_END_DECLS
