/* cria-backend.h: one Ollama server, its client, its models and its health
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cria-client.h"
#include "cria-model.h"
#include "cria-types.h"

G_BEGIN_DECLS

#define CRIA_TYPE_BACKEND (cria_backend_get_type ())

G_DECLARE_FINAL_TYPE (CriaBackend, cria_backend, CRIA, BACKEND, GObject)

CriaBackend       *cria_backend_new                 (CriaClient        *client,
                                                     CriaBackendOrigin  origin);
const char        *cria_backend_get_id              (CriaBackend       *self);
const char        *cria_backend_get_title           (CriaBackend       *self);
void               cria_backend_set_title           (CriaBackend       *self,
                                                     const char        *title);
const char        *cria_backend_get_base_url        (CriaBackend       *self);
CriaBackendOrigin  cria_backend_get_origin          (CriaBackend       *self);
CriaClient        *cria_backend_get_client          (CriaBackend       *self);
CriaBackendStatus  cria_backend_get_status          (CriaBackend       *self);
gboolean           cria_backend_get_reachable       (CriaBackend       *self);
const char        *cria_backend_get_version         (CriaBackend       *self);
const GError      *cria_backend_get_last_error      (CriaBackend       *self);
GListModel        *cria_backend_get_models          (CriaBackend       *self);
CriaModel         *cria_backend_find_model          (CriaBackend       *self,
                                                     const char        *name);
CriaModelManager  *cria_backend_get_model_manager   (CriaBackend       *self);
void               cria_backend_refresh_models      (CriaBackend       *self);
guint              cria_backend_get_probe_min_interval (CriaBackend    *self);
guint              cria_backend_get_probe_max_interval (CriaBackend    *self);
void               cria_backend_set_probe_intervals (CriaBackend       *self,
                                                     guint              min_msec,
                                                     guint              max_msec);
guint              cria_backend_get_next_probe_delay (CriaBackend      *self);
void               cria_backend_start               (CriaBackend       *self);
void               cria_backend_stop                (CriaBackend       *self);
void               cria_backend_probe_now           (CriaBackend       *self);
void               cria_backend_report_error        (CriaBackend       *self,
                                                     const GError      *error);

G_END_DECLS
