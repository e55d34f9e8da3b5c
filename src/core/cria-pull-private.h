/* cria-pull-private.h: how the model manager drives a CriaPull, and the
 * seam the tests feed progress lines through
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-client.h"
#include "cria-pull.h"

G_BEGIN_DECLS

/* At most one batch of progress notifications per interval. */
#define CRIA_PULL_NOTIFY_INTERVAL_USEC (100 * 1000)

CriaPull *_cria_pull_new         (CriaBackend            *backend,
                                  const char             *model);
void      _cria_pull_start       (CriaPull               *self,
                                  CriaClient             *client);
void      _cria_pull_handle_line (CriaPull               *self,
                                  const CriaProgressLine *line,
                                  gint64                  now);
void      _cria_pull_complete    (CriaPull               *self,
                                  const GError           *error);

G_END_DECLS
