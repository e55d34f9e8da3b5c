/* cria-model-manager.c
 *
 * Installs, removes and inspects the models of one backend, which owns its
 * manager (cria_backend_get_model_manager()). Pulls live here rather than
 * in a page, so their progress survives switching pages: `pulls` holds the
 * running ones and the finished ones, until a new pull of the same name
 * replaces the finished one or the UI dismisses it. Whatever changes the
 * installed models (a pull that succeeded, remove, copy, create) asks the
 * backend to refresh its model list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-model-manager"

#include "cria-config.h"

#include "cria-backend.h"
#include "cria-error.h"
#include "cria-model-manager.h"
#include "cria-pull-private.h"

struct _CriaModelManager
{
  GObject     parent_instance;

  /* Owned References */
  CriaClient *client;
  GListStore *pulls;
  GListStore *running;

  /* Borrowed References */
  GWeakRef    backend;
};

G_DEFINE_FINAL_TYPE (CriaModelManager, cria_model_manager, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BACKEND,
  PROP_PULLS,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
refresh_models (CriaModelManager *self)
{
  g_autoptr(CriaBackend) backend = g_weak_ref_get (&self->backend);

  if (backend != NULL)
    cria_backend_refresh_models (backend);
}

static void
cria_model_manager_dispose (GObject *object)
{
  CriaModelManager *self = (CriaModelManager *)object;
  guint n;

  /* The backend is going away: so are its downloads. */
  n = self->pulls != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->pulls)) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CriaPull) pull = g_list_model_get_item (G_LIST_MODEL (self->pulls), i);

      cria_pull_cancel (pull);
    }

  g_clear_object (&self->pulls);
  g_clear_object (&self->running);

  G_OBJECT_CLASS (cria_model_manager_parent_class)->dispose (object);
}

static void
cria_model_manager_finalize (GObject *object)
{
  CriaModelManager *self = (CriaModelManager *)object;

  g_clear_object (&self->client);
  g_weak_ref_clear (&self->backend);

  G_OBJECT_CLASS (cria_model_manager_parent_class)->finalize (object);
}

static void
cria_model_manager_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CriaModelManager *self = CRIA_MODEL_MANAGER (object);

  switch (prop_id)
    {
    case PROP_BACKEND:
      g_value_take_object (value, cria_model_manager_dup_backend (self));
      break;

    case PROP_PULLS:
      g_value_set_object (value, self->pulls);
      break;

    case PROP_RUNNING:
      g_value_set_object (value, self->running);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_model_manager_class_init (CriaModelManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cria_model_manager_dispose;
  object_class->finalize = cria_model_manager_finalize;
  object_class->get_property = cria_model_manager_get_property;

  /**
   * CriaModelManager:backend:
   *
   * The backend whose models are managed (a weak reference: the backend
   * owns the manager).
   */
  properties [PROP_BACKEND] =
    g_param_spec_object ("backend", NULL, NULL, CRIA_TYPE_BACKEND,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaModelManager:pulls:
   *
   * A GListModel of CriaPull: the running pulls and the finished ones, in
   * the order they were started.
   */
  properties [PROP_PULLS] =
    g_param_spec_object ("pulls", NULL, NULL, G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaModelManager:running:
   *
   * A GListModel of CriaRunningModel: the models loaded in memory as of the
   * last cria_model_manager_refresh_running_async().
   */
  properties [PROP_RUNNING] =
    g_param_spec_object ("running", NULL, NULL, G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cria_model_manager_init (CriaModelManager *self)
{
  self->pulls = g_list_store_new (CRIA_TYPE_PULL);
  self->running = g_list_store_new (CRIA_TYPE_RUNNING_MODEL);
  g_weak_ref_init (&self->backend, NULL);
}

/**
 * cria_model_manager_new:
 *
 * Use cria_backend_get_model_manager() instead: there is one per backend.
 *
 * Returns: (transfer full): a manager for the models of @backend
 */
CriaModelManager *
cria_model_manager_new (CriaBackend *backend)
{
  CriaModelManager *self;

  g_return_val_if_fail (CRIA_IS_BACKEND (backend), NULL);

  self = g_object_new (CRIA_TYPE_MODEL_MANAGER, NULL);
  self->client = g_object_ref (cria_backend_get_client (backend));
  g_weak_ref_set (&self->backend, backend);

  return self;
}

/**
 * cria_model_manager_dup_backend:
 *
 * Returns: (transfer full) (nullable): the backend, if it still exists
 */
CriaBackend *
cria_model_manager_dup_backend (CriaModelManager *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_MANAGER (self), NULL);

  return g_weak_ref_get (&self->backend);
}

/**
 * cria_model_manager_get_pulls:
 *
 * Returns: (transfer none): a GListModel of CriaPull
 */
GListModel *
cria_model_manager_get_pulls (CriaModelManager *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_MANAGER (self), NULL);

  return G_LIST_MODEL (self->pulls);
}

/**
 * cria_model_manager_get_running:
 *
 * Returns: (transfer none): a GListModel of CriaRunningModel
 */
GListModel *
cria_model_manager_get_running (CriaModelManager *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_MANAGER (self), NULL);

  return G_LIST_MODEL (self->running);
}

/* ------------------------------------------------------------------------ */
/* Pull                                                                     */

static void
pull_state_cb (CriaModelManager *self,
               GParamSpec       *pspec,
               CriaPull         *pull)
{
  if (cria_pull_get_state (pull) == CRIA_PULL_STATE_SUCCEEDED)
    refresh_models (self);
}

/**
 * cria_model_manager_pull:
 * @name: a model name (`qwen3:0.6b`, `namespace/model:tag`, `hf.co/org/repo:tag`)
 *
 * Starts pulling @name, after checking it with cria_model_name_validate();
 * an invalid name sends no request. While a pull of the same model runs,
 * that pull is returned instead of starting another. A finished pull of
 * the same model is replaced in #CriaModelManager:pulls.
 *
 * Returns: (transfer full) (nullable): the pull, or %NULL with @error set
 */
CriaPull *
cria_model_manager_pull (CriaModelManager  *self,
                         const char        *name,
                         GError           **error)
{
  g_autoptr(CriaBackend) backend = NULL;
  g_autoptr(CriaPull) pull = NULL;
  guint n;
  guint position = G_MAXUINT;

  g_return_val_if_fail (CRIA_IS_MODEL_MANAGER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!cria_model_name_validate (name, error))
    return NULL;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->pulls));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CriaPull) other = g_list_model_get_item (G_LIST_MODEL (self->pulls), i);

      if (!cria_model_name_equal (cria_pull_get_model (other), name))
        continue;

      if (cria_pull_get_state (other) == CRIA_PULL_STATE_RUNNING)
        return g_steal_pointer (&other);

      position = i;
      break;
    }

  backend = g_weak_ref_get (&self->backend);
  pull = _cria_pull_new (backend, name);
  g_signal_connect_object (pull, "notify::state",
                           G_CALLBACK (pull_state_cb), self, G_CONNECT_SWAPPED);

  if (position != G_MAXUINT)
    g_list_store_splice (self->pulls, position, 1, (gpointer *) &pull, 1);
  else
    g_list_store_append (self->pulls, pull);

  _cria_pull_start (pull, self->client);

  return g_steal_pointer (&pull);
}

/**
 * cria_model_manager_dismiss_pull:
 *
 * Drops @pull from #CriaModelManager:pulls, cancelling it if it still runs.
 */
void
cria_model_manager_dismiss_pull (CriaModelManager *self,
                                 CriaPull         *pull)
{
  guint position;

  g_return_if_fail (CRIA_IS_MODEL_MANAGER (self));
  g_return_if_fail (CRIA_IS_PULL (pull));

  cria_pull_cancel (pull);

  if (g_list_store_find (self->pulls, pull, &position))
    g_list_store_remove (self->pulls, position);
}

/* ------------------------------------------------------------------------ */
/* Remove                                                                   */

static void
delete_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CriaModelManager *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!cria_client_delete_finish (CRIA_CLIENT (object), result, &error))
    {
      /* Removed elsewhere: the list is out of date either way. */
      if (g_error_matches (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND))
        refresh_models (self);

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  refresh_models (self);
  g_task_return_boolean (task, TRUE);
}

/**
 * cria_model_manager_remove_async:
 *
 * Removes @name from the server, then refreshes the backend's model list.
 * A model that is not installed is %CRIA_CLIENT_ERROR_MODEL_NOT_FOUND, and
 * refreshes the list too.
 */
void
cria_model_manager_remove_async (CriaModelManager    *self,
                                 const char          *name,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CRIA_IS_MODEL_MANAGER (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_model_manager_remove_async);

  cria_client_delete_async (self->client, name, cancellable, delete_cb, g_steal_pointer (&task));
}

gboolean
cria_model_manager_remove_finish (CriaModelManager  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (CRIA_IS_MODEL_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cria_model_manager_remove_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Show                                                                     */

static void
show_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CriaModelManager *self = g_task_get_source_object (task);
  const char *name = g_task_get_task_data (task);
  g_autoptr(JsonObject) show = NULL;
  g_autoptr(GError) error = NULL;

  show = cria_client_show_finish (CRIA_CLIENT (object), result, &error);
  if (show == NULL)
    {
      if (g_error_matches (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_MODEL_NOT_FOUND))
        refresh_models (self);

      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, cria_model_details_new_from_show (name, show), g_object_unref);
}

/**
 * cria_model_manager_show_async:
 *
 * Asks the server what it knows of @name (`/api/show`).
 */
void
cria_model_manager_show_async (CriaModelManager    *self,
                               const char          *name,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CRIA_IS_MODEL_MANAGER (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_model_manager_show_async);
  g_task_set_task_data (task, g_strdup (name), g_free);

  cria_client_show_async (self->client, name, cancellable, show_cb, g_steal_pointer (&task));
}

/**
 * cria_model_manager_show_finish:
 *
 * Returns: (transfer full): the details, or %NULL with @error set
 *   (%CRIA_CLIENT_ERROR_MODEL_NOT_FOUND when the model is not installed)
 */
CriaModelDetails *
cria_model_manager_show_finish (CriaModelManager  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (CRIA_IS_MODEL_MANAGER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cria_model_manager_show_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Running models                                                           */

static void
replace_running (CriaModelManager *self,
                 GPtrArray        *running)
{
  g_list_store_splice (self->running, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->running)),
                       running->pdata, running->len);
}

static void
list_running_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CriaModelManager *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) running = NULL;
  g_autoptr(GError) error = NULL;

  running = cria_client_list_running_finish (CRIA_CLIENT (object), result, &error);
  if (running == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->running != NULL)
    replace_running (self, running);

  g_task_return_boolean (task, TRUE);
}

/**
 * cria_model_manager_refresh_running_async:
 *
 * Asks the server which models are loaded (`/api/ps`) and replaces
 * #CriaModelManager:running with the answer.
 */
void
cria_model_manager_refresh_running_async (CriaModelManager    *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CRIA_IS_MODEL_MANAGER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_model_manager_refresh_running_async);

  cria_client_list_running_async (self->client, cancellable, list_running_cb, g_steal_pointer (&task));
}

gboolean
cria_model_manager_refresh_running_finish (CriaModelManager  *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_return_val_if_fail (CRIA_IS_MODEL_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cria_model_manager_refresh_running_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Unload                                                                   */

static void
unload_list_running_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CriaModelManager *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) running = NULL;
  g_autoptr(GError) error = NULL;

  running = cria_client_list_running_finish (CRIA_CLIENT (object), result, &error);

  /* The unload itself worked: a failed refresh is not its failure. */
  if (running == NULL)
    g_debug ("Could not refresh the running models: %s", error->message);
  else if (self->running != NULL)
    replace_running (self, running);

  g_task_return_boolean (task, TRUE);
}

static void
unload_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  if (!cria_client_unload_finish (CRIA_CLIENT (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  cancellable = g_task_get_cancellable (task);
  cria_client_list_running_async (CRIA_CLIENT (object), cancellable,
                                  unload_list_running_cb, g_steal_pointer (&task));
}

/**
 * cria_model_manager_unload_async:
 *
 * Frees the memory @name holds on the server (a request with `keep_alive`
 * 0), then refreshes #CriaModelManager:running before completing.
 */
void
cria_model_manager_unload_async (CriaModelManager    *self,
                                 const char          *name,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CRIA_IS_MODEL_MANAGER (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_model_manager_unload_async);

  cria_client_unload_async (self->client, name, cancellable, unload_cb, g_steal_pointer (&task));
}

gboolean
cria_model_manager_unload_finish (CriaModelManager  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (CRIA_IS_MODEL_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cria_model_manager_unload_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Copy and create                                                          */

static void
copy_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CriaModelManager *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!cria_client_copy_finish (CRIA_CLIENT (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  refresh_models (self);
  g_task_return_boolean (task, TRUE);
}

/**
 * cria_model_manager_copy_async:
 * @destination: the new name, checked with cria_model_name_validate()
 *
 * Copies @source under a new name (`/api/copy`), then refreshes the
 * backend's model list. A missing source is
 * %CRIA_CLIENT_ERROR_MODEL_NOT_FOUND.
 */
void
cria_model_manager_copy_async (CriaModelManager    *self,
                               const char          *source,
                               const char          *destination,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (CRIA_IS_MODEL_MANAGER (self));
  g_return_if_fail (source != NULL);
  g_return_if_fail (destination != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_model_manager_copy_async);

  if (!cria_model_name_validate (destination, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  cria_client_copy_async (self->client, source, destination, cancellable,
                          copy_cb, g_steal_pointer (&task));
}

gboolean
cria_model_manager_copy_finish (CriaModelManager  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (CRIA_IS_MODEL_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cria_model_manager_copy_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
create_progress_cb (const CriaProgressLine *line,
                    gpointer                user_data)
{
  g_debug ("create: %s", line->status);
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CriaModelManager *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!cria_client_create_finish (CRIA_CLIENT (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  refresh_models (self);
  g_task_return_boolean (task, TRUE);
}

/**
 * cria_model_manager_create_async:
 * @name: the new model's name, checked with cria_model_name_validate()
 * @from: the installed model it is made from
 * @system: (nullable): its system prompt
 * @parameters: (nullable): its parameters (`temperature`, `num_ctx`, …)
 *
 * Creates a variant of an installed model (`/api/create` with `from`),
 * then refreshes the backend's model list.
 */
void
cria_model_manager_create_async (CriaModelManager    *self,
                                 const char          *name,
                                 const char          *from,
                                 const char          *system,
                                 JsonObject          *parameters,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (CRIA_IS_MODEL_MANAGER (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (from != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_model_manager_create_async);

  if (!cria_model_name_validate (name, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  cria_client_create_async (self->client, name, from, system, parameters,
                            create_progress_cb, NULL, NULL,
                            cancellable, create_cb, g_steal_pointer (&task));
}

gboolean
cria_model_manager_create_finish (CriaModelManager  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (CRIA_IS_MODEL_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cria_model_manager_create_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
