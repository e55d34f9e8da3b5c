/* cria-backend-provider.c
 *
 * A source of backends: the configured endpoints, or (later) the servers
 * found on the network. Each provider is a GListModel of CriaBackend and
 * also says `added`/`removed`, which the registry merges into one list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-backend-provider"

#include "cria-config.h"

#include "cria-backend-provider.h"

typedef struct
{
  GPtrArray   *backends;
  SoupSession *session;
} CriaBackendProviderPrivate;

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_TYPE_WITH_CODE (CriaBackendProvider, cria_backend_provider, G_TYPE_OBJECT,
                         G_ADD_PRIVATE (CriaBackendProvider)
                         G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

enum {
  ADDED,
  REMOVED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static GType
list_model_get_item_type (GListModel *model)
{
  return CRIA_TYPE_BACKEND;
}

static guint
list_model_get_n_items (GListModel *model)
{
  CriaBackendProvider *self = CRIA_BACKEND_PROVIDER (model);
  CriaBackendProviderPrivate *priv = cria_backend_provider_get_instance_private (self);

  return priv->backends->len;
}

static gpointer
list_model_get_item (GListModel *model,
                     guint       position)
{
  CriaBackendProvider *self = CRIA_BACKEND_PROVIDER (model);
  CriaBackendProviderPrivate *priv = cria_backend_provider_get_instance_private (self);

  if (position >= priv->backends->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (priv->backends, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_model_get_item_type;
  iface->get_n_items = list_model_get_n_items;
  iface->get_item = list_model_get_item;
}

static void
cria_backend_provider_real_added (CriaBackendProvider *self,
                                  CriaBackend         *backend)
{
  CriaBackendProviderPrivate *priv = cria_backend_provider_get_instance_private (self);

  g_ptr_array_add (priv->backends, g_object_ref (backend));
  g_list_model_items_changed (G_LIST_MODEL (self), priv->backends->len - 1, 0, 1);
}

static void
cria_backend_provider_real_removed (CriaBackendProvider *self,
                                    CriaBackend         *backend)
{
  CriaBackendProviderPrivate *priv = cria_backend_provider_get_instance_private (self);
  guint position;

  if (g_ptr_array_find (priv->backends, backend, &position))
    {
      g_ptr_array_remove_index (priv->backends, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
    }
}

static void
cria_backend_provider_dispose (GObject *object)
{
  CriaBackendProvider *self = (CriaBackendProvider *)object;
  CriaBackendProviderPrivate *priv = cria_backend_provider_get_instance_private (self);

  for (guint i = 0; i < priv->backends->len; i++)
    cria_backend_stop (g_ptr_array_index (priv->backends, i));
  g_ptr_array_set_size (priv->backends, 0);
  g_clear_object (&priv->session);

  G_OBJECT_CLASS (cria_backend_provider_parent_class)->dispose (object);
}

static void
cria_backend_provider_finalize (GObject *object)
{
  CriaBackendProvider *self = (CriaBackendProvider *)object;
  CriaBackendProviderPrivate *priv = cria_backend_provider_get_instance_private (self);

  g_clear_pointer (&priv->backends, g_ptr_array_unref);

  G_OBJECT_CLASS (cria_backend_provider_parent_class)->finalize (object);
}

static void
cria_backend_provider_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  CriaBackendProvider *self = CRIA_BACKEND_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, cria_backend_provider_get_session (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_backend_provider_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  CriaBackendProvider *self = CRIA_BACKEND_PROVIDER (object);
  CriaBackendProviderPrivate *priv = cria_backend_provider_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SESSION:
      priv->session = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_backend_provider_class_init (CriaBackendProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cria_backend_provider_dispose;
  object_class->finalize = cria_backend_provider_finalize;
  object_class->get_property = cria_backend_provider_get_property;
  object_class->set_property = cria_backend_provider_set_property;

  klass->added = cria_backend_provider_real_added;
  klass->removed = cria_backend_provider_real_removed;

  /**
   * CriaBackendProvider:session:
   *
   * The session the clients of this provider's backends share.
   */
  properties [PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SOUP_TYPE_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CriaBackendProvider::added:
   *
   * A backend appeared. The default handler adds it to the list.
   */
  signals [ADDED] =
    g_signal_new ("added",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  G_STRUCT_OFFSET (CriaBackendProviderClass, added),
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, CRIA_TYPE_BACKEND);

  /**
   * CriaBackendProvider::removed:
   *
   * A backend went away. The default handler removes it from the list.
   */
  signals [REMOVED] =
    g_signal_new ("removed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  G_STRUCT_OFFSET (CriaBackendProviderClass, removed),
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, CRIA_TYPE_BACKEND);
}

static void
cria_backend_provider_init (CriaBackendProvider *self)
{
  CriaBackendProviderPrivate *priv = cria_backend_provider_get_instance_private (self);

  priv->backends = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * cria_backend_provider_get_session:
 *
 * Returns: (transfer none): the shared session
 */
SoupSession *
cria_backend_provider_get_session (CriaBackendProvider *self)
{
  CriaBackendProviderPrivate *priv = cria_backend_provider_get_instance_private (self);

  g_return_val_if_fail (CRIA_IS_BACKEND_PROVIDER (self), NULL);

  return priv->session;
}

void
cria_backend_provider_emit_added (CriaBackendProvider *self,
                                  CriaBackend         *backend)
{
  g_return_if_fail (CRIA_IS_BACKEND_PROVIDER (self));
  g_return_if_fail (CRIA_IS_BACKEND (backend));

  g_signal_emit (self, signals [ADDED], 0, backend);
}

void
cria_backend_provider_emit_removed (CriaBackendProvider *self,
                                    CriaBackend         *backend)
{
  g_return_if_fail (CRIA_IS_BACKEND_PROVIDER (self));
  g_return_if_fail (CRIA_IS_BACKEND (backend));

  g_signal_emit (self, signals [REMOVED], 0, backend);
}
