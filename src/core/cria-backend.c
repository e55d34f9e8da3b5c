/* cria-backend.c
 *
 * One Ollama server as the app sees it: its client, its models and its
 * health. Once started, a backend probes `/api/version` then `/api/tags`;
 * while the server does not answer it probes again with exponential
 * backoff, and recovers by itself as soon as one probe succeeds. While
 * online it checks again now and then, so models pulled elsewhere appear
 * and a server that went away is noticed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-backend"

#include "cria-config.h"

#include "cria-backend.h"
#include "cria-enums.h"
#include "cria-error.h"
#include "cria-model-manager.h"
#include "cria-model-private.h"

#define DEFAULT_PROBE_MIN     1000
#define DEFAULT_PROBE_MAX     30000
#define DEFAULT_ONLINE_CHECK  15000

struct _CriaBackend
{
  GObject            parent_instance;

  CriaClient        *client;
  GListStore        *models;
  CriaModelManager  *model_manager;
  GCancellable      *cancellable;
  GError            *last_error;
  char              *id;
  char              *title;
  char              *base_url;
  char              *version;

  guint              probe_source;
  gint64             next_probe_time;
  guint              probe_min;
  guint              probe_max;
  guint              online_check;
  guint              failures;

  CriaBackendOrigin  origin;
  CriaBackendStatus  status;
  guint              started : 1;
  guint              probing : 1;
  guint              refresh_pending : 1;
};

G_DEFINE_FINAL_TYPE (CriaBackend, cria_backend, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_BASE_URL,
  PROP_ORIGIN,
  PROP_CLIENT,
  PROP_STATUS,
  PROP_REACHABLE,
  PROP_VERSION,
  PROP_LAST_ERROR,
  PROP_MODELS,
  PROP_NEXT_PROBE_DELAY,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void probe (CriaBackend *self);

static void
set_status (CriaBackend       *self,
            CriaBackendStatus  status)
{
  gboolean was_reachable = self->status == CRIA_BACKEND_STATUS_ONLINE;

  if (self->status == status)
    return;

  g_debug ("%s: %s", self->base_url,
           g_enum_get_value (g_type_class_peek (CRIA_TYPE_BACKEND_STATUS), status)->value_nick);

  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATUS]);

  if (was_reachable != (status == CRIA_BACKEND_STATUS_ONLINE))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_REACHABLE]);
}

static void
set_last_error (CriaBackend  *self,
                const GError *error)
{
  if (self->last_error == NULL && error == NULL)
    return;

  g_clear_error (&self->last_error);
  if (error != NULL)
    self->last_error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LAST_ERROR]);
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  CriaBackend *self = user_data;

  self->probe_source = 0;
  self->next_probe_time = 0;
  probe (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_probe (CriaBackend *self,
                guint        delay)
{
  g_clear_handle_id (&self->probe_source, g_source_remove);

  if (!self->started)
    return;

  self->next_probe_time = g_get_monotonic_time () + (gint64) delay * 1000;
  self->probe_source = g_timeout_add_full (G_PRIORITY_DEFAULT, delay, probe_timeout_cb, self, NULL);
  g_source_set_name_by_id (self->probe_source, "[cria] backend probe");
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_NEXT_PROBE_DELAY]);
}

static guint
backoff_delay (CriaBackend *self)
{
  guint64 delay = self->probe_min;

  for (guint i = 1; i < self->failures && delay < self->probe_max; i++)
    delay *= 2;

  return (guint) MIN (delay, (guint64) self->probe_max);
}

static void
go_offline (CriaBackend  *self,
            const GError *error)
{
  self->failures++;
  set_last_error (self, error);
  set_status (self, CRIA_BACKEND_STATUS_OFFLINE);
  schedule_probe (self, backoff_delay (self));
}

/* Keeps model objects that did not change, so selections survive a refresh. */
static void
merge_models (CriaBackend *self,
              GPtrArray   *models)
{
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->models));
  gboolean same = n_old == models->len;

  for (guint i = 0; same && i < n_old; i++)
    {
      g_autoptr(CriaModel) old = g_list_model_get_item (G_LIST_MODEL (self->models), i);

      same = _cria_model_equal (old, g_ptr_array_index (models, i));
    }

  if (same)
    return;

  for (guint i = 0; i < models->len; i++)
    _cria_model_set_backend (g_ptr_array_index (models, i), self);

  g_list_store_splice (self->models, 0, n_old, models->pdata, models->len);
}

static void
tags_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CriaBackend) self = user_data;
  g_autoptr(GPtrArray) models = NULL;
  g_autoptr(GError) error = NULL;

  models = cria_client_list_models_finish (CRIA_CLIENT (object), result, &error);
  self->probing = FALSE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (models == NULL)
    {
      self->refresh_pending = FALSE;
      go_offline (self, error);
      return;
    }

  merge_models (self, models);
  self->failures = 0;
  set_last_error (self, NULL);
  set_status (self, CRIA_BACKEND_STATUS_ONLINE);
  schedule_probe (self, self->online_check);

  /* The list may predate a change made while it was on its way. */
  if (self->refresh_pending)
    {
      self->refresh_pending = FALSE;
      cria_backend_probe_now (self);
    }
}

static void
version_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CriaBackend) self = user_data;
  g_autofree char *version = NULL;
  g_autoptr(GError) error = NULL;

  version = cria_client_version_finish (CRIA_CLIENT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->probing = FALSE;
      return;
    }

  if (version == NULL)
    {
      self->probing = FALSE;
      self->refresh_pending = FALSE;
      go_offline (self, error);
      return;
    }

  if (g_strcmp0 (self->version, version) != 0)
    {
      g_free (self->version);
      self->version = g_steal_pointer (&version);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_VERSION]);
    }

  cria_client_list_models_async (self->client, self->cancellable, tags_cb, g_object_ref (self));
}

static void
probe (CriaBackend *self)
{
  if (self->probing || !self->started)
    return;

  self->probing = TRUE;

  if (self->status == CRIA_BACKEND_STATUS_UNKNOWN)
    set_status (self, CRIA_BACKEND_STATUS_CONNECTING);

  cria_client_version_async (self->client, self->cancellable, version_cb, g_object_ref (self));
}

static void
cria_backend_dispose (GObject *object)
{
  CriaBackend *self = (CriaBackend *)object;

  cria_backend_stop (self);
  g_clear_object (&self->model_manager);

  G_OBJECT_CLASS (cria_backend_parent_class)->dispose (object);
}

static void
cria_backend_finalize (GObject *object)
{
  CriaBackend *self = (CriaBackend *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->models);
  g_clear_error (&self->last_error);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->version, g_free);

  G_OBJECT_CLASS (cria_backend_parent_class)->finalize (object);
}

static void
cria_backend_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CriaBackend *self = CRIA_BACKEND (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, cria_backend_get_title (self));
      break;

    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;

    case PROP_ORIGIN:
      g_value_set_enum (value, self->origin);
      break;

    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_REACHABLE:
      g_value_set_boolean (value, cria_backend_get_reachable (self));
      break;

    case PROP_VERSION:
      g_value_set_string (value, self->version);
      break;

    case PROP_LAST_ERROR:
      g_value_set_boxed (value, self->last_error);
      break;

    case PROP_MODELS:
      g_value_set_object (value, self->models);
      break;

    case PROP_NEXT_PROBE_DELAY:
      g_value_set_uint (value, cria_backend_get_next_probe_delay (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_backend_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CriaBackend *self = CRIA_BACKEND (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      cria_backend_set_title (self, g_value_get_string (value));
      break;

    case PROP_ORIGIN:
      self->origin = g_value_get_enum (value);
      break;

    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_backend_constructed (GObject *object)
{
  CriaBackend *self = (CriaBackend *)object;

  G_OBJECT_CLASS (cria_backend_parent_class)->constructed (object);

  g_assert (CRIA_IS_CLIENT (self->client));

  self->base_url = cria_client_dup_base_url (self->client);
  self->id = g_strdup (self->base_url);
}

static void
cria_backend_class_init (CriaBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = cria_backend_constructed;
  object_class->dispose = cria_backend_dispose;
  object_class->finalize = cria_backend_finalize;
  object_class->get_property = cria_backend_get_property;
  object_class->set_property = cria_backend_set_property;

  /**
   * CriaBackend:id:
   *
   * What identifies the backend in settings: its base URL.
   */
  properties [PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaBackend:title:
   *
   * A name for people: set by the provider, else the host and port.
   */
  properties [PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties [PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties [PROP_ORIGIN] =
    g_param_spec_enum ("origin", NULL, NULL,
                       CRIA_TYPE_BACKEND_ORIGIN, CRIA_BACKEND_ORIGIN_CONFIGURED,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties [PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, CRIA_TYPE_CLIENT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaBackend:status:
   *
   * Whether the server answers.
   */
  properties [PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       CRIA_TYPE_BACKEND_STATUS, CRIA_BACKEND_STATUS_UNKNOWN,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties [PROP_REACHABLE] =
    g_param_spec_boolean ("reachable", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaBackend:version:
   *
   * The server's version, once it answered.
   */
  properties [PROP_VERSION] =
    g_param_spec_string ("version", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaBackend:last-error:
   *
   * Why the last probe failed, while offline.
   */
  properties [PROP_LAST_ERROR] =
    g_param_spec_boxed ("last-error", NULL, NULL, G_TYPE_ERROR,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaBackend:models:
   *
   * The installed models, a GListModel of CriaModel.
   */
  properties [PROP_MODELS] =
    g_param_spec_object ("models", NULL, NULL, G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaBackend:next-probe-delay:
   *
   * Milliseconds until the next probe, when one is scheduled. Notified when
   * a probe is scheduled, not as time passes.
   */
  properties [PROP_NEXT_PROBE_DELAY] =
    g_param_spec_uint ("next-probe-delay", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cria_backend_init (CriaBackend *self)
{
  self->models = g_list_store_new (CRIA_TYPE_MODEL);
  self->probe_min = DEFAULT_PROBE_MIN;
  self->probe_max = DEFAULT_PROBE_MAX;
  self->online_check = DEFAULT_ONLINE_CHECK;
}

CriaBackend *
cria_backend_new (CriaClient        *client,
                  CriaBackendOrigin  origin)
{
  g_return_val_if_fail (CRIA_IS_CLIENT (client), NULL);

  return g_object_new (CRIA_TYPE_BACKEND,
                       "client", client,
                       "origin", origin,
                       NULL);
}

const char *
cria_backend_get_id (CriaBackend *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND (self), NULL);

  return self->id;
}

const char *
cria_backend_get_title (CriaBackend *self)
{
  GUri *uri;

  g_return_val_if_fail (CRIA_IS_BACKEND (self), NULL);

  if (self->title != NULL)
    return self->title;

  uri = cria_client_get_base_uri (self->client);
  if (g_uri_get_port (uri) > 0)
    self->title = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  else
    self->title = g_strdup (g_uri_get_host (uri));

  return self->title;
}

void
cria_backend_set_title (CriaBackend *self,
                        const char  *title)
{
  g_return_if_fail (CRIA_IS_BACKEND (self));

  if (g_strcmp0 (self->title, title) != 0)
    {
      g_free (self->title);
      self->title = g_strdup (title);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TITLE]);
    }
}

const char *
cria_backend_get_base_url (CriaBackend *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND (self), NULL);

  return self->base_url;
}

CriaBackendOrigin
cria_backend_get_origin (CriaBackend *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND (self), 0);

  return self->origin;
}

/**
 * cria_backend_get_client:
 *
 * Returns: (transfer none): the client
 */
CriaClient *
cria_backend_get_client (CriaBackend *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND (self), NULL);

  return self->client;
}

CriaBackendStatus
cria_backend_get_status (CriaBackend *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND (self), 0);

  return self->status;
}

gboolean
cria_backend_get_reachable (CriaBackend *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND (self), FALSE);

  return self->status == CRIA_BACKEND_STATUS_ONLINE;
}

const char *
cria_backend_get_version (CriaBackend *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND (self), NULL);

  return self->version;
}

/**
 * cria_backend_get_last_error:
 *
 * Returns: (transfer none) (nullable): why the server is offline
 */
const GError *
cria_backend_get_last_error (CriaBackend *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND (self), NULL);

  return self->last_error;
}

/**
 * cria_backend_get_models:
 *
 * Returns: (transfer none): the installed models, a GListModel of CriaModel
 */
GListModel *
cria_backend_get_models (CriaBackend *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND (self), NULL);

  return G_LIST_MODEL (self->models);
}

/**
 * cria_backend_find_model:
 *
 * Returns: (transfer none) (nullable): the installed model matching @name,
 *   the way the server matches names (a missing tag means `latest`)
 */
CriaModel *
cria_backend_find_model (CriaBackend *self,
                         const char  *name)
{
  guint n;

  g_return_val_if_fail (CRIA_IS_BACKEND (self), NULL);

  if (name == NULL)
    return NULL;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->models));
  for (guint i = 0; i < n; i++)
    {
      CriaModel *model = g_list_model_get_item (G_LIST_MODEL (self->models), i);

      g_object_unref (model); /* the store keeps it */
      if (cria_model_name_equal (cria_model_get_name (model), name))
        return model;
    }

  return NULL;
}

/**
 * cria_backend_get_model_manager:
 *
 * Returns: (transfer none): the manager of the backend's models: pulls,
 *   removal, details, running models
 */
CriaModelManager *
cria_backend_get_model_manager (CriaBackend *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND (self), NULL);

  if (self->model_manager == NULL)
    self->model_manager = cria_model_manager_new (self);

  return self->model_manager;
}

/**
 * cria_backend_refresh_models:
 *
 * Lists the models again now, after something changed them. When a probe
 * is already on its way, another follows it, since its answer may predate
 * the change.
 */
void
cria_backend_refresh_models (CriaBackend *self)
{
  g_return_if_fail (CRIA_IS_BACKEND (self));

  if (!self->started)
    return;

  if (self->probing)
    {
      self->refresh_pending = TRUE;
      return;
    }

  cria_backend_probe_now (self);
}

guint
cria_backend_get_probe_min_interval (CriaBackend *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND (self), 0);

  return self->probe_min;
}

guint
cria_backend_get_probe_max_interval (CriaBackend *self)
{
  g_return_val_if_fail (CRIA_IS_BACKEND (self), 0);

  return self->probe_max;
}

/**
 * cria_backend_set_probe_intervals:
 * @min_msec: the wait after the first failed probe
 * @max_msec: the longest wait, which the doubling stops at; also the
 *   interval of the check while online, when shorter than the default
 */
void
cria_backend_set_probe_intervals (CriaBackend *self,
                                  guint        min_msec,
                                  guint        max_msec)
{
  g_return_if_fail (CRIA_IS_BACKEND (self));
  g_return_if_fail (min_msec > 0);

  self->probe_min = min_msec;
  self->probe_max = MAX (min_msec, max_msec);
  self->online_check = MIN (DEFAULT_ONLINE_CHECK, self->probe_max);

  if (self->probe_source != 0 && self->status == CRIA_BACKEND_STATUS_OFFLINE)
    schedule_probe (self, backoff_delay (self));
}

/**
 * cria_backend_get_next_probe_delay:
 *
 * Returns: milliseconds until the next probe, or 0 when none is scheduled
 */
guint
cria_backend_get_next_probe_delay (CriaBackend *self)
{
  gint64 remaining;

  g_return_val_if_fail (CRIA_IS_BACKEND (self), 0);

  if (self->probe_source == 0)
    return 0;

  remaining = (self->next_probe_time - g_get_monotonic_time ()) / 1000;

  return (guint) CLAMP (remaining, 0, G_MAXUINT);
}

/**
 * cria_backend_start:
 *
 * Starts watching the server: a probe now, then as the status requires.
 */
void
cria_backend_start (CriaBackend *self)
{
  g_return_if_fail (CRIA_IS_BACKEND (self));

  if (self->started)
    return;

  self->started = TRUE;
  self->cancellable = g_cancellable_new ();
  probe (self);
}

/**
 * cria_backend_stop:
 *
 * Stops watching the server, and cancels a probe under way.
 */
void
cria_backend_stop (CriaBackend *self)
{
  g_return_if_fail (CRIA_IS_BACKEND (self));

  self->started = FALSE;
  self->probing = FALSE;
  self->refresh_pending = FALSE;
  g_clear_handle_id (&self->probe_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

/**
 * cria_backend_probe_now:
 *
 * Probes at once instead of waiting for the next scheduled probe.
 */
void
cria_backend_probe_now (CriaBackend *self)
{
  g_return_if_fail (CRIA_IS_BACKEND (self));

  if (!self->started)
    return;

  g_clear_handle_id (&self->probe_source, g_source_remove);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_NEXT_PROBE_DELAY]);
  probe (self);
}

/**
 * cria_backend_report_error:
 *
 * Tells the backend that a request failed; when the failure means the
 * server is gone, the backend goes offline and probes for its return.
 */
void
cria_backend_report_error (CriaBackend  *self,
                           const GError *error)
{
  g_return_if_fail (CRIA_IS_BACKEND (self));
  g_return_if_fail (error != NULL);

  if (!g_error_matches (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_UNREACHABLE) &&
      !g_error_matches (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_CONNECTION_LOST))
    return;

  if (!self->started || self->probing)
    return;

  /* One failed request is a hint, not proof: probe now and let that decide. */
  cria_backend_probe_now (self);
}
