/* cria-backend-registry.c
 *
 * Every backend of every provider, as one GListModel, and every model of
 * every backend as another. Several servers are active at once: each has
 * its own client and model list. The registry owns the one SoupSession
 * they share, and starts each backend as it arrives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-backend-registry"

#include "cria-config.h"

#include "cria-backend-registry.h"

struct _CriaBackendRegistry
{
  GObject     parent_instance;

  SoupSession *session;
  GPtrArray   *providers;
  GListStore  *backends;
  GListModel  *models;       /* flattened models of every backend */
  guint        idle_timeout;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CriaBackendRegistry, cria_backend_registry, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_SESSION,
  PROP_IDLE_TIMEOUT,
  PROP_MODELS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* A GListModel of GListModels (each backend's models) for flattening.
 * GTK has GtkFlattenListModel, but the core is GTK-free. */
#define CRIA_TYPE_MODELS_OF_BACKENDS (cria_models_of_backends_get_type ())
G_DECLARE_FINAL_TYPE (CriaModelsOfBackends, cria_models_of_backends, CRIA, MODELS_OF_BACKENDS, GObject)

struct _CriaModelsOfBackends
{
  GObject     parent_instance;
  GListModel *backends;
  GPtrArray  *lists;      /* each backend's model list, in order */
};

static void models_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CriaModelsOfBackends, cria_models_of_backends, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, models_iface_init))

static guint
models_offset_of (CriaModelsOfBackends *self,
                  guint                 list_index)
{
  guint offset = 0;

  for (guint i = 0; i < list_index; i++)
    offset += g_list_model_get_n_items (g_ptr_array_index (self->lists, i));

  return offset;
}

static void
models_list_changed_cb (GListModel           *list,
                        guint                 position,
                        guint                 removed,
                        guint                 added,
                        CriaModelsOfBackends *self)
{
  guint index;

  if (!g_ptr_array_find (self->lists, list, &index))
    return;

  g_list_model_items_changed (G_LIST_MODEL (self),
                              models_offset_of (self, index) + position,
                              removed, added);
}

static void
models_backends_changed_cb (GListModel           *backends,
                            guint                 position,
                            guint                 removed,
                            guint                 added,
                            CriaModelsOfBackends *self)
{
  guint offset = models_offset_of (self, position);
  guint n_removed = 0;
  guint n_added = 0;

  for (guint i = 0; i < removed; i++)
    {
      GListModel *list = g_ptr_array_index (self->lists, position);

      n_removed += g_list_model_get_n_items (list);
      g_signal_handlers_disconnect_by_func (list, models_list_changed_cb, self);
      g_ptr_array_remove_index (self->lists, position);
    }

  for (guint i = 0; i < added; i++)
    {
      g_autoptr(CriaBackend) backend = g_list_model_get_item (backends, position + i);
      GListModel *list = cria_backend_get_models (backend);

      n_added += g_list_model_get_n_items (list);
      g_ptr_array_insert (self->lists, position + i, g_object_ref (list));
      g_signal_connect_object (list, "items-changed",
                               G_CALLBACK (models_list_changed_cb), self, 0);
    }

  if (n_removed > 0 || n_added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), offset, n_removed, n_added);
}

static GType
models_get_item_type (GListModel *model)
{
  return CRIA_TYPE_MODEL;
}

static guint
models_get_n_items (GListModel *model)
{
  CriaModelsOfBackends *self = CRIA_MODELS_OF_BACKENDS (model);

  return models_offset_of (self, self->lists->len);
}

static gpointer
models_get_item (GListModel *model,
                 guint       position)
{
  CriaModelsOfBackends *self = CRIA_MODELS_OF_BACKENDS (model);

  for (guint i = 0; i < self->lists->len; i++)
    {
      GListModel *list = g_ptr_array_index (self->lists, i);
      guint n = g_list_model_get_n_items (list);

      if (position < n)
        return g_list_model_get_item (list, position);
      position -= n;
    }

  return NULL;
}

static void
models_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = models_get_item_type;
  iface->get_n_items = models_get_n_items;
  iface->get_item = models_get_item;
}

static void
cria_models_of_backends_dispose (GObject *object)
{
  CriaModelsOfBackends *self = (CriaModelsOfBackends *)object;

  for (guint i = 0; self->lists != NULL && i < self->lists->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->lists, i),
                                          models_list_changed_cb, self);
  g_clear_pointer (&self->lists, g_ptr_array_unref);
  g_clear_object (&self->backends);

  G_OBJECT_CLASS (cria_models_of_backends_parent_class)->dispose (object);
}

static void
cria_models_of_backends_class_init (CriaModelsOfBackendsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cria_models_of_backends_dispose;
}

static void
cria_models_of_backends_init (CriaModelsOfBackends *self)
{
  self->lists = g_ptr_array_new_with_free_func (g_object_unref);
}

static GListModel *
cria_models_of_backends_new (GListModel *backends)
{
  CriaModelsOfBackends *self = g_object_new (CRIA_TYPE_MODELS_OF_BACKENDS, NULL);

  self->backends = g_object_ref (backends);
  g_signal_connect_object (backends, "items-changed",
                           G_CALLBACK (models_backends_changed_cb), self, 0);
  models_backends_changed_cb (backends, 0, 0, g_list_model_get_n_items (backends), self);

  return G_LIST_MODEL (self);
}

/* ------------------------------------------------------------------------ */

static GType
list_model_get_item_type (GListModel *model)
{
  return CRIA_TYPE_BACKEND;
}

static guint
list_model_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (CRIA_BACKEND_REGISTRY (model)->backends));
}

static gpointer
list_model_get_item (GListModel *model,
                     guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (CRIA_BACKEND_REGISTRY (model)->backends), position);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_model_get_item_type;
  iface->get_n_items = list_model_get_n_items;
  iface->get_item = list_model_get_item;
}

static void
backends_changed_cb (CriaBackendRegistry *self,
                     guint                position,
                     guint                removed,
                     guint                added,
                     GListModel          *store)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
provider_added_cb (CriaBackendRegistry *self,
                   CriaBackend         *backend,
                   CriaBackendProvider *provider)
{
  g_debug ("Backend added: %s", cria_backend_get_base_url (backend));

  cria_client_set_idle_timeout (cria_backend_get_client (backend), self->idle_timeout);
  g_list_store_append (self->backends, backend);
  cria_backend_start (backend);
}

static void
provider_removed_cb (CriaBackendRegistry *self,
                     CriaBackend         *backend,
                     CriaBackendProvider *provider)
{
  guint position;

  g_debug ("Backend removed: %s", cria_backend_get_base_url (backend));

  cria_backend_stop (backend);
  if (g_list_store_find (self->backends, backend, &position))
    g_list_store_remove (self->backends, position);
}

static void
cria_backend_registry_dispose (GObject *object)
{
  CriaBackendRegistry *self = (CriaBackendRegistry *)object;
  guint n;

  while (self->providers->len > 0)
    cria_backend_registry_remove_provider (self, g_ptr_array_index (self->providers, 0));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->backends));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CriaBackend) backend = g_list_model_get_item (G_LIST_MODEL (self->backends), i);

      cria_backend_stop (backend);
    }

  g_clear_object (&self->models);
  g_list_store_remove_all (self->backends);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (cria_backend_registry_parent_class)->dispose (object);
}

static void
cria_backend_registry_finalize (GObject *object)
{
  CriaBackendRegistry *self = (CriaBackendRegistry *)object;

  g_clear_pointer (&self->providers, g_ptr_array_unref);
  g_clear_object (&self->backends);

  G_OBJECT_CLASS (cria_backend_registry_parent_class)->finalize (object);
}

static void
cria_backend_registry_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  CriaBackendRegistry *self = CRIA_BACKEND_REGISTRY (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout);
      break;

    case PROP_MODELS:
      g_value_set_object (value, self->models);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_backend_registry_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  CriaBackendRegistry *self = CRIA_BACKEND_REGISTRY (object);

  switch (prop_id)
    {
    case PROP_IDLE_TIMEOUT:
      cria_backend_registry_set_idle_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_backend_registry_class_init (CriaBackendRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cria_backend_registry_dispose;
  object_class->finalize = cria_backend_registry_finalize;
  object_class->get_property = cria_backend_registry_get_property;
  object_class->set_property = cria_backend_registry_set_property;

  /**
   * CriaBackendRegistry:session:
   *
   * The one session every client shares. Its own timeout is off: a slow
   * model is not an error, and the clients time requests themselves.
   */
  properties [PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SOUP_TYPE_SESSION,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaBackendRegistry:idle-timeout:
   *
   * Milliseconds a reply may stay silent, for every backend's client.
   */
  properties [PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL, 0, G_MAXUINT, 300000,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaBackendRegistry:models:
   *
   * Every model of every backend, backend by backend.
   */
  properties [PROP_MODELS] =
    g_param_spec_object ("models", NULL, NULL, G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cria_backend_registry_init (CriaBackendRegistry *self)
{
  g_autofree char *user_agent = g_strdup_printf ("cria/%s", PACKAGE_VERSION);

  /* A pull holds a connection for minutes: allow enough per server that
   * two pulls do not queue probes and chats behind them. */
  self->session = g_object_new (SOUP_TYPE_SESSION,
                                "timeout", 0,
                                "idle-timeout", 60,
                                "max-conns-per-host", 8,
                                "user-agent", user_agent,
                                NULL);
  self->providers = g_ptr_array_new_with_free_func (g_object_unref);
  self->backends = g_list_store_new (CRIA_TYPE_BACKEND);
  self->idle_timeout = 300000;
  self->models = cria_models_of_backends_new (G_LIST_MODEL (self->backends));

  g_signal_connect_object (self->backends, "items-changed",
                           G_CALLBACK (backends_changed_cb), self, G_CONNECT_SWAPPED);
}

CriaBackendRegistry *
cria_backend_registry_new (void)
{
  return g_object_new (CRIA_TYPE_BACKEND_REGISTRY, NULL);
}

/**
 * cria_backend_registry_get_session:
 *
 * Returns: (transfer none): the shared session, for new providers
 */
SoupSession *
cria_backend_registry_get_session (CriaBackendRegistry *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND_REGISTRY (self), NULL);

  return self->session;
}

/**
 * cria_backend_registry_add_provider:
 *
 * Adds the backends of @provider, now and as they come, and starts them.
 */
void
cria_backend_registry_add_provider (CriaBackendRegistry *self,
                                    CriaBackendProvider *provider)
{
  guint n;

  g_return_if_fail (CRIA_IS_BACKEND_REGISTRY (self));
  g_return_if_fail (CRIA_IS_BACKEND_PROVIDER (provider));

  if (g_ptr_array_find (self->providers, provider, NULL))
    return;

  g_ptr_array_add (self->providers, g_object_ref (provider));

  /* After the default handler, so the provider's own list is up to date. */
  g_signal_connect_object (provider, "added",
                           G_CALLBACK (provider_added_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (provider, "removed",
                           G_CALLBACK (provider_removed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  n = g_list_model_get_n_items (G_LIST_MODEL (provider));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CriaBackend) backend = g_list_model_get_item (G_LIST_MODEL (provider), i);

      provider_added_cb (self, backend, provider);
    }
}

void
cria_backend_registry_remove_provider (CriaBackendRegistry *self,
                                       CriaBackendProvider *provider)
{
  g_autoptr(CriaBackendProvider) hold = NULL;
  guint n;

  g_return_if_fail (CRIA_IS_BACKEND_REGISTRY (self));
  g_return_if_fail (CRIA_IS_BACKEND_PROVIDER (provider));

  if (!g_ptr_array_find (self->providers, provider, NULL))
    return;

  hold = g_object_ref (provider);
  g_signal_handlers_disconnect_by_data (provider, self);

  n = g_list_model_get_n_items (G_LIST_MODEL (provider));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CriaBackend) backend = g_list_model_get_item (G_LIST_MODEL (provider), i);

      provider_removed_cb (self, backend, provider);
    }

  g_ptr_array_remove (self->providers, provider);
}

/**
 * cria_backend_registry_find:
 * @id: a backend id (its base URL)
 *
 * Returns: (transfer none) (nullable): the backend
 */
CriaBackend *
cria_backend_registry_find (CriaBackendRegistry *self,
                            const char          *id)
{
  guint n;

  g_return_val_if_fail (CRIA_IS_BACKEND_REGISTRY (self), NULL);

  if (id == NULL)
    return NULL;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->backends));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CriaBackend) backend = g_list_model_get_item (G_LIST_MODEL (self->backends), i);

      if (g_str_equal (cria_backend_get_id (backend), id))
        return backend;
    }

  return NULL;
}

/**
 * cria_backend_registry_get_models:
 *
 * Returns: (transfer none): every model of every backend (CriaModel)
 */
GListModel *
cria_backend_registry_get_models (CriaBackendRegistry *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND_REGISTRY (self), NULL);

  return self->models;
}

guint
cria_backend_registry_get_idle_timeout (CriaBackendRegistry *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND_REGISTRY (self), 0);

  return self->idle_timeout;
}

void
cria_backend_registry_set_idle_timeout (CriaBackendRegistry *self,
                                        guint                msec)
{
  guint n;

  g_return_if_fail (CRIA_IS_BACKEND_REGISTRY (self));

  if (self->idle_timeout == msec)
    return;

  self->idle_timeout = msec;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->backends));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CriaBackend) backend = g_list_model_get_item (G_LIST_MODEL (self->backends), i);

      cria_client_set_idle_timeout (cria_backend_get_client (backend), msec);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_IDLE_TIMEOUT]);
}
