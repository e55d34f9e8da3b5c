/* cria-model-manager.h: install, remove and inspect the models of a backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cria-model-details.h"
#include "cria-pull.h"
#include "cria-running-model.h"
#include "cria-types.h"

G_BEGIN_DECLS

#define CRIA_TYPE_MODEL_MANAGER (cria_model_manager_get_type ())

G_DECLARE_FINAL_TYPE (CriaModelManager, cria_model_manager, CRIA, MODEL_MANAGER, GObject)

CriaModelManager *cria_model_manager_new                  (CriaBackend          *backend);
CriaBackend      *cria_model_manager_dup_backend          (CriaModelManager     *self);
GListModel       *cria_model_manager_get_pulls            (CriaModelManager     *self);
GListModel       *cria_model_manager_get_running          (CriaModelManager     *self);
CriaPull         *cria_model_manager_pull                 (CriaModelManager     *self,
                                                           const char           *name,
                                                           GError              **error);
void              cria_model_manager_dismiss_pull         (CriaModelManager     *self,
                                                           CriaPull             *pull);
void              cria_model_manager_remove_async         (CriaModelManager     *self,
                                                           const char           *name,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean          cria_model_manager_remove_finish        (CriaModelManager     *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
void              cria_model_manager_show_async           (CriaModelManager     *self,
                                                           const char           *name,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
CriaModelDetails *cria_model_manager_show_finish          (CriaModelManager     *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
void              cria_model_manager_refresh_running_async (CriaModelManager    *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean          cria_model_manager_refresh_running_finish (CriaModelManager   *self,
                                                             GAsyncResult       *result,
                                                             GError            **error);
void              cria_model_manager_unload_async         (CriaModelManager     *self,
                                                           const char           *name,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean          cria_model_manager_unload_finish        (CriaModelManager     *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
void              cria_model_manager_copy_async           (CriaModelManager     *self,
                                                           const char           *source,
                                                           const char           *destination,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean          cria_model_manager_copy_finish          (CriaModelManager     *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);
void              cria_model_manager_create_async         (CriaModelManager     *self,
                                                           const char           *name,
                                                           const char           *from,
                                                           const char           *system,
                                                           JsonObject           *parameters,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean          cria_model_manager_create_finish        (CriaModelManager     *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

G_END_DECLS
