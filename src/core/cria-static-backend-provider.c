/* cria-static-backend-provider.c
 *
 * The endpoints the user configured (or `$OLLAMA_HOST`): a strv property
 * the app binds to its settings. Changing it adds and removes backends;
 * unchanged URLs keep their backend, models and state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-static-backend-provider"

#include "cria-config.h"

#include "cria-ollama-host.h"
#include "cria-static-backend-provider.h"

struct _CriaStaticBackendProvider
{
  CriaBackendProvider parent_instance;

  char **urls;
};

G_DEFINE_FINAL_TYPE (CriaStaticBackendProvider, cria_static_backend_provider, CRIA_TYPE_BACKEND_PROVIDER)

enum {
  PROP_0,
  PROP_URLS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
cria_static_backend_provider_finalize (GObject *object)
{
  CriaStaticBackendProvider *self = (CriaStaticBackendProvider *)object;

  g_clear_pointer (&self->urls, g_strfreev);

  G_OBJECT_CLASS (cria_static_backend_provider_parent_class)->finalize (object);
}

static void
cria_static_backend_provider_get_property (GObject    *object,
                                           guint       prop_id,
                                           GValue     *value,
                                           GParamSpec *pspec)
{
  CriaStaticBackendProvider *self = CRIA_STATIC_BACKEND_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_URLS:
      g_value_set_boxed (value, self->urls);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_static_backend_provider_set_property (GObject      *object,
                                           guint         prop_id,
                                           const GValue *value,
                                           GParamSpec   *pspec)
{
  CriaStaticBackendProvider *self = CRIA_STATIC_BACKEND_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_URLS:
      cria_static_backend_provider_set_urls (self, g_value_get_boxed (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_static_backend_provider_class_init (CriaStaticBackendProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cria_static_backend_provider_finalize;
  object_class->get_property = cria_static_backend_provider_get_property;
  object_class->set_property = cria_static_backend_provider_set_property;

  /**
   * CriaStaticBackendProvider:urls:
   *
   * The endpoints, as users write them (`localhost`, `http://box:11434`,
   * `https://proxy/ollama`): parsed with the `OLLAMA_HOST` rules.
   */
  properties [PROP_URLS] =
    g_param_spec_boxed ("urls", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cria_static_backend_provider_init (CriaStaticBackendProvider *self)
{
  self->urls = g_new0 (char *, 1);
}

CriaStaticBackendProvider *
cria_static_backend_provider_new (SoupSession *session)
{
  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);

  return g_object_new (CRIA_TYPE_STATIC_BACKEND_PROVIDER,
                       "session", session,
                       NULL);
}

const char * const *
cria_static_backend_provider_get_urls (CriaStaticBackendProvider *self)
{
  g_return_val_if_fail (CRIA_IS_STATIC_BACKEND_PROVIDER (self), NULL);

  return (const char * const *) self->urls;
}

static CriaBackend *
find_backend (CriaStaticBackendProvider *self,
              const char                *url)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CriaBackend) backend = g_list_model_get_item (G_LIST_MODEL (self), i);

      if (g_str_equal (cria_backend_get_base_url (backend), url))
        return backend;
    }

  return NULL;
}

void
cria_static_backend_provider_set_urls (CriaStaticBackendProvider *self,
                                       const char * const        *urls)
{
  SoupSession *session;
  g_autoptr(GPtrArray) wanted = NULL;
  g_autoptr(GPtrArray) gone = NULL;
  guint n;

  g_return_if_fail (CRIA_IS_STATIC_BACKEND_PROVIDER (self));

  if (urls == NULL)
    urls = (const char * const *) (char *[]) { NULL };

  if (g_strv_equal ((const char * const *) self->urls, urls))
    return;

  g_strfreev (self->urls);
  self->urls = g_strdupv ((char **) urls);

  session = cria_backend_provider_get_session (CRIA_BACKEND_PROVIDER (self));
  wanted = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; urls[i] != NULL; i++)
    {
      char *url = cria_ollama_host_parse (urls[i]);

      if (url == NULL)
        {
          g_message ("Ignoring configured endpoint %u, which is not an address", i + 1);
          continue;
        }
      if (g_ptr_array_find_with_equal_func (wanted, url, g_str_equal, NULL))
        {
          g_free (url);
          continue;
        }
      g_ptr_array_add (wanted, url);
    }

  /* Remove backends no longer wanted. */
  gone = g_ptr_array_new_with_free_func (g_object_unref);
  n = g_list_model_get_n_items (G_LIST_MODEL (self));
  for (guint i = 0; i < n; i++)
    {
      CriaBackend *backend = g_list_model_get_item (G_LIST_MODEL (self), i);

      if (!g_ptr_array_find_with_equal_func (wanted, cria_backend_get_base_url (backend),
                                             g_str_equal, NULL))
        g_ptr_array_add (gone, backend);
      else
        g_object_unref (backend);
    }
  for (guint i = 0; i < gone->len; i++)
    {
      cria_backend_stop (g_ptr_array_index (gone, i));
      cria_backend_provider_emit_removed (CRIA_BACKEND_PROVIDER (self), g_ptr_array_index (gone, i));
    }

  /* Add the new ones. */
  for (guint i = 0; i < wanted->len; i++)
    {
      const char *url = g_ptr_array_index (wanted, i);
      g_autoptr(GUri) uri = NULL;
      g_autoptr(CriaClient) client = NULL;
      g_autoptr(CriaBackend) backend = NULL;

      if (find_backend (self, url) != NULL)
        continue;

      uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
      if (uri == NULL)
        continue;

      client = cria_client_new (session, uri);
      backend = cria_backend_new (client, CRIA_BACKEND_ORIGIN_CONFIGURED);
      cria_backend_provider_emit_added (CRIA_BACKEND_PROVIDER (self), backend);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_URLS]);
}
