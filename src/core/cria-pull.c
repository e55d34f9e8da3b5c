/* cria-pull.c
 *
 * One model download. The server reports progress per layer, a line every
 * 60 ms or so per layer and, through a fast proxy or a local registry, tens
 * of thousands a second. Every line updates the numbers at once, but the
 * property notifications that a view redraws on are batched: at most one
 * batch per CRIA_PULL_NOTIFY_INTERVAL_USEC, sent by the first line after
 * the interval or by a timer when no such line comes. A new `status` (once
 * per phase or layer) and a change of `state` are notified at once, after
 * whatever progress was still pending.
 *
 * The speed counts only bytes that arrived during this pull: a layer's first
 * line tells what was on disk already (a cached layer arrives complete, a
 * resumed one part way), and is not a download.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-pull"

#include "cria-config.h"

#include "cria-backend.h"
#include "cria-enums.h"
#include "cria-pull-private.h"

/* The speed is averaged over this much time, sampled this often. */
#define SPEED_WINDOW_USEC    (5 * G_USEC_PER_SEC)
#define SPEED_MIN_SPAN_USEC  (G_USEC_PER_SEC / 2)
#define SAMPLE_INTERVAL_USEC (G_USEC_PER_SEC / 10)

/* ------------------------------------------------------------------------ */
/* CriaPullLayer                                                            */

struct _CriaPullLayer
{
  GObject  parent_instance;

  char    *digest;
  gint64   total;
  gint64   completed;
  gint64   notified_total;
  gint64   notified_completed;
};

G_DEFINE_FINAL_TYPE (CriaPullLayer, cria_pull_layer, G_TYPE_OBJECT)

enum {
  LAYER_PROP_0,
  LAYER_PROP_DIGEST,
  LAYER_PROP_TOTAL,
  LAYER_PROP_COMPLETED,
  LAYER_N_PROPS
};

static GParamSpec *layer_properties [LAYER_N_PROPS];

static void
cria_pull_layer_finalize (GObject *object)
{
  CriaPullLayer *self = (CriaPullLayer *)object;

  g_clear_pointer (&self->digest, g_free);

  G_OBJECT_CLASS (cria_pull_layer_parent_class)->finalize (object);
}

static void
cria_pull_layer_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CriaPullLayer *self = CRIA_PULL_LAYER (object);

  switch (prop_id)
    {
    case LAYER_PROP_DIGEST:
      g_value_set_string (value, self->digest);
      break;

    case LAYER_PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;

    case LAYER_PROP_COMPLETED:
      g_value_set_int64 (value, self->completed);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_pull_layer_class_init (CriaPullLayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cria_pull_layer_finalize;
  object_class->get_property = cria_pull_layer_get_property;

  /**
   * CriaPullLayer:digest:
   *
   * The layer as the server names it: `sha256:<hex>`, or an aggregate such
   * as `sha256:model` for models made of tensor files.
   */
  layer_properties [LAYER_PROP_DIGEST] =
    g_param_spec_string ("digest", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaPullLayer:total:
   *
   * Its size in bytes, 0 until the server says.
   */
  layer_properties [LAYER_PROP_TOTAL] =
    g_param_spec_int64 ("total", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaPullLayer:completed:
   *
   * Bytes of it on the server's disk, never more than #CriaPullLayer:total.
   */
  layer_properties [LAYER_PROP_COMPLETED] =
    g_param_spec_int64 ("completed", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, LAYER_N_PROPS, layer_properties);
}

static void
cria_pull_layer_init (CriaPullLayer *self)
{
}

static CriaPullLayer *
cria_pull_layer_new (const char *digest)
{
  CriaPullLayer *self = g_object_new (CRIA_TYPE_PULL_LAYER, NULL);

  self->digest = g_strdup (digest);

  return self;
}

/* Sends what changed since the last call. */
static void
cria_pull_layer_flush (CriaPullLayer *self)
{
  if (self->notified_total != self->total)
    {
      self->notified_total = self->total;
      g_object_notify_by_pspec (G_OBJECT (self), layer_properties [LAYER_PROP_TOTAL]);
    }

  if (self->notified_completed != self->completed)
    {
      self->notified_completed = self->completed;
      g_object_notify_by_pspec (G_OBJECT (self), layer_properties [LAYER_PROP_COMPLETED]);
    }
}

const char *
cria_pull_layer_get_digest (CriaPullLayer *self)
{
  g_return_val_if_fail (CRIA_IS_PULL_LAYER (self), NULL);

  return self->digest;
}

gint64
cria_pull_layer_get_total (CriaPullLayer *self)
{
  g_return_val_if_fail (CRIA_IS_PULL_LAYER (self), 0);

  return self->total;
}

gint64
cria_pull_layer_get_completed (CriaPullLayer *self)
{
  g_return_val_if_fail (CRIA_IS_PULL_LAYER (self), 0);

  return self->completed;
}

/* ------------------------------------------------------------------------ */
/* CriaPull                                                                 */

typedef struct
{
  gint64 time;
  gint64 bytes;
} Sample;

struct _CriaPull
{
  GObject        parent_instance;

  /* Owned References */
  GListStore    *layers;
  GHashTable    *layer_by_digest;  /* digest → CriaPullLayer, borrowed from layers */
  GCancellable  *cancellable;
  GError        *error;
  GArray        *samples;          /* Sample, oldest first */
  char          *model;
  char          *status;

  /* Borrowed References */
  GWeakRef       backend;

  gint64         total;
  gint64         completed;
  gint64         downloaded;       /* bytes that arrived during this pull */
  double         speed;
  gint64         seconds_left;
  gint64         last_flush;
  guint          flush_source;
  guint          pending;          /* 1 << PROP_* to notify */
  CriaPullState  state;
  guint          layers_dirty : 1;
};

G_DEFINE_FINAL_TYPE (CriaPull, cria_pull, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_BACKEND,
  PROP_STATE,
  PROP_STATUS,
  PROP_TOTAL,
  PROP_COMPLETED,
  PROP_FRACTION,
  PROP_SPEED,
  PROP_SECONDS_LEFT,
  PROP_ERROR,
  PROP_LAYERS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_STATIC_ASSERT (N_PROPS < 32);

static void
mark (CriaPull *self,
      guint     prop_id)
{
  self->pending |= 1u << prop_id;
}

/* Sends every pending notification now. */
static void
flush (CriaPull *self,
       gint64    now)
{
  guint pending = self->pending;
  guint n;

  g_clear_handle_id (&self->flush_source, g_source_remove);
  self->last_flush = now;
  self->pending = 0;

  if (self->layers_dirty)
    {
      self->layers_dirty = FALSE;
      n = g_list_model_get_n_items (G_LIST_MODEL (self->layers));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(CriaPullLayer) layer = g_list_model_get_item (G_LIST_MODEL (self->layers), i);

          cria_pull_layer_flush (layer);
        }
    }

  for (guint prop_id = PROP_0 + 1; prop_id < N_PROPS; prop_id++)
    {
      if (pending & (1u << prop_id))
        g_object_notify_by_pspec (G_OBJECT (self), properties [prop_id]);
    }
}

static gboolean
flush_timeout_cb (gpointer user_data)
{
  CriaPull *self = user_data;

  self->flush_source = 0;
  flush (self, g_get_monotonic_time ());

  return G_SOURCE_REMOVE;
}

/* Notifies now when the last batch is old enough, else soon. */
static void
schedule_flush (CriaPull *self,
                gint64    now)
{
  gint64 wait;

  if (self->pending == 0 && !self->layers_dirty)
    return;

  wait = self->last_flush + CRIA_PULL_NOTIFY_INTERVAL_USEC - now;
  if (wait <= 0)
    {
      flush (self, now);
      return;
    }

  if (self->flush_source == 0)
    {
      self->flush_source = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                               (guint) MAX (1, wait / 1000),
                                               flush_timeout_cb, self, NULL);
      g_source_set_name_by_id (self->flush_source, "[cria] pull progress");
    }
}

static void
set_seconds_left (CriaPull *self,
                  gint64    seconds_left)
{
  if (self->seconds_left != seconds_left)
    {
      self->seconds_left = seconds_left;
      mark (self, PROP_SECONDS_LEFT);
    }
}

static void
set_speed (CriaPull *self,
           double    speed)
{
  if (self->speed != speed)
    {
      self->speed = speed;
      mark (self, PROP_SPEED);
    }
}

/* Averages what arrived over the last few seconds of samples. */
static void
update_speed (CriaPull *self,
              gint64    now)
{
  const Sample *oldest;
  gint64 span;

  if (self->samples->len == 0 ||
      now - g_array_index (self->samples, Sample, self->samples->len - 1).time >= SAMPLE_INTERVAL_USEC)
    {
      Sample sample = { now, self->downloaded };

      g_array_append_val (self->samples, sample);
    }

  /* Keep one sample at or before the start of the window. */
  while (self->samples->len >= 2 &&
         g_array_index (self->samples, Sample, 1).time <= now - SPEED_WINDOW_USEC)
    g_array_remove_index (self->samples, 0);

  oldest = &g_array_index (self->samples, Sample, 0);
  span = now - oldest->time;
  if (span >= SPEED_MIN_SPAN_USEC)
    set_speed (self, (double) (self->downloaded - oldest->bytes) * G_USEC_PER_SEC / span);

  if (self->speed > 0 && self->total > 0)
    {
      double left = (double) (self->total - self->completed) / self->speed;
      gint64 seconds = (gint64) left;

      /* Rounded up: never "0 seconds left" while bytes remain. */
      set_seconds_left (self, seconds < left ? seconds + 1 : seconds);
    }
  else
    {
      set_seconds_left (self, -1);
    }
}

static void
update_layer (CriaPull               *self,
              const CriaProgressLine *line)
{
  CriaPullLayer *layer;
  gint64 total = MAX (0, line->total);
  gint64 completed = MAX (0, line->completed);
  gint64 old_total = self->total;
  gint64 old_completed = self->completed;

  /* Bytes count towards the total only once the total is known. */
  completed = total > 0 ? MIN (completed, total) : 0;

  layer = g_hash_table_lookup (self->layer_by_digest, line->digest);
  if (layer == NULL)
    {
      g_autoptr(CriaPullLayer) new_layer = cria_pull_layer_new (line->digest);

      /* What its first line says was on disk already (cached, or left by
       * a cancelled pull) did not arrive now: the speed ignores it. */
      new_layer->total = new_layer->notified_total = total;
      new_layer->completed = new_layer->notified_completed = completed;
      self->total += total;
      self->completed += completed;

      g_hash_table_insert (self->layer_by_digest, new_layer->digest, new_layer);
      g_list_store_append (self->layers, new_layer);
    }
  else
    {
      if (completed > layer->completed)
        self->downloaded += completed - layer->completed;

      self->total += total - layer->total;
      self->completed += completed - layer->completed;

      if (layer->total != total || layer->completed != completed)
        {
          layer->total = total;
          layer->completed = completed;
          self->layers_dirty = TRUE;
        }
    }

  if (self->total != old_total)
    mark (self, PROP_TOTAL);
  if (self->completed != old_completed)
    mark (self, PROP_COMPLETED);
  if (self->total != old_total || self->completed != old_completed)
    mark (self, PROP_FRACTION);
}

/*
 * _cria_pull_handle_line:
 * @now: the monotonic time of the line, in microseconds
 *
 * Takes one progress line. Lines after the pull ended are ignored.
 */
void
_cria_pull_handle_line (CriaPull               *self,
                        const CriaProgressLine *line,
                        gint64                  now)
{
  gboolean status_changed = FALSE;

  g_return_if_fail (CRIA_IS_PULL (self));
  g_return_if_fail (line != NULL);

  if (self->state != CRIA_PULL_STATE_RUNNING)
    return;

  if (line->status != NULL && g_strcmp0 (self->status, line->status) != 0)
    {
      g_free (self->status);
      self->status = g_strdup (line->status);
      mark (self, PROP_STATUS);
      status_changed = TRUE;
    }

  if (line->digest != NULL && line->digest[0] != '\0')
    update_layer (self, line);

  update_speed (self, now);

  /* A new status is rare (once per phase or layer): no need to wait. */
  if (status_changed)
    flush (self, now);
  else
    schedule_flush (self, now);
}

/*
 * _cria_pull_complete:
 * @error: (nullable): why the pull ended, %NULL when it succeeded
 *
 * Ends the pull: cancelled for %G_IO_ERROR_CANCELLED, failed for any other
 * error. Pending progress is notified first, then the state.
 */
void
_cria_pull_complete (CriaPull     *self,
                     const GError *error)
{
  CriaPullState state;

  g_return_if_fail (CRIA_IS_PULL (self));

  if (self->state != CRIA_PULL_STATE_RUNNING)
    return;

  if (error == NULL)
    state = CRIA_PULL_STATE_SUCCEEDED;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    state = CRIA_PULL_STATE_CANCELLED;
  else
    state = CRIA_PULL_STATE_FAILED;

  g_debug ("%s: %s", self->model,
           g_enum_get_value (g_type_class_peek (CRIA_TYPE_PULL_STATE), state)->value_nick);

  set_speed (self, 0);
  set_seconds_left (self, state == CRIA_PULL_STATE_SUCCEEDED ? 0 : -1);

  if (state == CRIA_PULL_STATE_FAILED)
    {
      self->error = g_error_copy (error);
      mark (self, PROP_ERROR);
    }

  flush (self, g_get_monotonic_time ());

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATE]);
}

static void
cria_pull_dispose (GObject *object)
{
  CriaPull *self = (CriaPull *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->flush_source, g_source_remove);

  G_OBJECT_CLASS (cria_pull_parent_class)->dispose (object);
}

static void
cria_pull_finalize (GObject *object)
{
  CriaPull *self = (CriaPull *)object;

  g_clear_pointer (&self->layer_by_digest, g_hash_table_unref);
  g_clear_object (&self->layers);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  g_clear_pointer (&self->samples, g_array_unref);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->status, g_free);
  g_weak_ref_clear (&self->backend);

  G_OBJECT_CLASS (cria_pull_parent_class)->finalize (object);
}

static void
cria_pull_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CriaPull *self = CRIA_PULL (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_BACKEND:
      g_value_take_object (value, cria_pull_dup_backend (self));
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;

    case PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;

    case PROP_COMPLETED:
      g_value_set_int64 (value, self->completed);
      break;

    case PROP_FRACTION:
      g_value_set_double (value, cria_pull_get_fraction (self));
      break;

    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;

    case PROP_SECONDS_LEFT:
      g_value_set_int64 (value, self->seconds_left);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    case PROP_LAYERS:
      g_value_set_object (value, self->layers);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_pull_class_init (CriaPullClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cria_pull_dispose;
  object_class->finalize = cria_pull_finalize;
  object_class->get_property = cria_pull_get_property;

  /**
   * CriaPull:model:
   *
   * The name being pulled, as given.
   */
  properties [PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaPull:backend:
   *
   * The server the model is pulled to (a weak reference).
   */
  properties [PROP_BACKEND] =
    g_param_spec_object ("backend", NULL, NULL, CRIA_TYPE_BACKEND,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaPull:state:
   *
   * Running, then succeeded, failed or cancelled. Notified at once.
   */
  properties [PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       CRIA_TYPE_PULL_STATE, CRIA_PULL_STATE_RUNNING,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaPull:status:
   *
   * The server's last status line: `pulling manifest`, `pulling <digest>`,
   * `verifying sha256 digest`, `writing manifest`, `success`. Only
   * `success` and the `pulling ` prefix are stable across versions. A new
   * status is notified at once, with the progress pending until then.
   */
  properties [PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaPull:total:
   *
   * Bytes of all the layers announced so far. Like the other progress
   * properties, notified at most every 100 ms.
   */
  properties [PROP_TOTAL] =
    g_param_spec_int64 ("total", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaPull:completed:
   *
   * Bytes of them on the server's disk, cached ones included.
   */
  properties [PROP_COMPLETED] =
    g_param_spec_int64 ("completed", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaPull:fraction:
   *
   * #CriaPull:completed over #CriaPull:total, or -1 while no size is known.
   */
  properties [PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, -1.0, 1.0, -1.0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaPull:speed:
   *
   * Bytes per second over the last few seconds; 0 while unknown.
   */
  properties [PROP_SPEED] =
    g_param_spec_double ("speed", NULL, NULL, 0.0, G_MAXDOUBLE, 0.0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaPull:seconds-left:
   *
   * The time left at the current speed for the layers announced so far, or
   * -1 while unknown.
   */
  properties [PROP_SECONDS_LEFT] =
    g_param_spec_int64 ("seconds-left", NULL, NULL, -1, G_MAXINT64, -1,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaPull:error:
   *
   * Why the pull failed: %CRIA_CLIENT_ERROR_SERVER with the server's words
   * for an error line (an unknown model), or a transport error.
   */
  properties [PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaPull:layers:
   *
   * A GListModel of CriaPullLayer, in the order the server announced them.
   */
  properties [PROP_LAYERS] =
    g_param_spec_object ("layers", NULL, NULL, G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cria_pull_init (CriaPull *self)
{
  self->layers = g_list_store_new (CRIA_TYPE_PULL_LAYER);
  self->layer_by_digest = g_hash_table_new (g_str_hash, g_str_equal);
  self->samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  self->cancellable = g_cancellable_new ();
  self->seconds_left = -1;
  self->state = CRIA_PULL_STATE_RUNNING;
  g_weak_ref_init (&self->backend, NULL);
}

/*
 * _cria_pull_new:
 * @backend: (nullable): the server to pull to
 *
 * Returns: (transfer full): a running pull that has not sent its request
 */
CriaPull *
_cria_pull_new (CriaBackend *backend,
                const char  *model)
{
  CriaPull *self;

  g_return_val_if_fail (!backend || CRIA_IS_BACKEND (backend), NULL);
  g_return_val_if_fail (model != NULL, NULL);

  self = g_object_new (CRIA_TYPE_PULL, NULL);
  self->model = g_strdup (model);
  g_weak_ref_set (&self->backend, backend);

  return self;
}

static void
progress_cb (const CriaProgressLine *line,
             gpointer                user_data)
{
  CriaPull *self = user_data;

  _cria_pull_handle_line (self, line, g_get_monotonic_time ());
}

static void
pull_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CriaPull) self = user_data;
  g_autoptr(CriaBackend) backend = NULL;
  g_autoptr(GError) error = NULL;

  if (cria_client_pull_finish (CRIA_CLIENT (object), result, &error))
    {
      _cria_pull_complete (self, NULL);
      return;
    }

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      (backend = cria_pull_dup_backend (self)) != NULL)
    cria_backend_report_error (backend, error);

  _cria_pull_complete (self, error);
}

/*
 * _cria_pull_start:
 *
 * Sends the request. The pull stays alive until it ends.
 */
void
_cria_pull_start (CriaPull   *self,
                  CriaClient *client)
{
  g_return_if_fail (CRIA_IS_PULL (self));
  g_return_if_fail (CRIA_IS_CLIENT (client));
  g_return_if_fail (self->state == CRIA_PULL_STATE_RUNNING);

  g_debug ("Pulling %s", self->model);

  cria_client_pull_async (client, self->model,
                          progress_cb, g_object_ref (self), g_object_unref,
                          self->cancellable, pull_cb, g_object_ref (self));
}

const char *
cria_pull_get_model (CriaPull *self)
{
  g_return_val_if_fail (CRIA_IS_PULL (self), NULL);

  return self->model;
}

/**
 * cria_pull_dup_backend:
 *
 * Returns: (transfer full) (nullable): the backend, if it still exists
 */
CriaBackend *
cria_pull_dup_backend (CriaPull *self)
{
  g_return_val_if_fail (CRIA_IS_PULL (self), NULL);

  return g_weak_ref_get (&self->backend);
}

CriaPullState
cria_pull_get_state (CriaPull *self)
{
  g_return_val_if_fail (CRIA_IS_PULL (self), CRIA_PULL_STATE_RUNNING);

  return self->state;
}

/**
 * cria_pull_get_status:
 *
 * Returns: (nullable): the last status line, %NULL before the first
 */
const char *
cria_pull_get_status (CriaPull *self)
{
  g_return_val_if_fail (CRIA_IS_PULL (self), NULL);

  return self->status;
}

gint64
cria_pull_get_total (CriaPull *self)
{
  g_return_val_if_fail (CRIA_IS_PULL (self), 0);

  return self->total;
}

gint64
cria_pull_get_completed (CriaPull *self)
{
  g_return_val_if_fail (CRIA_IS_PULL (self), 0);

  return self->completed;
}

/**
 * cria_pull_get_fraction:
 *
 * Returns: how much is there, from 0 to 1, or -1 while no size is known
 */
double
cria_pull_get_fraction (CriaPull *self)
{
  g_return_val_if_fail (CRIA_IS_PULL (self), -1.0);

  if (self->total <= 0)
    return -1.0;

  return CLAMP ((double) self->completed / (double) self->total, 0.0, 1.0);
}

/**
 * cria_pull_get_speed:
 *
 * Returns: bytes per second, averaged over the last few seconds; 0 while
 *   unknown and once the pull ended
 */
double
cria_pull_get_speed (CriaPull *self)
{
  g_return_val_if_fail (CRIA_IS_PULL (self), 0.0);

  return self->speed;
}

/**
 * cria_pull_get_seconds_left:
 *
 * Returns: the seconds left at the current speed, or -1 while unknown
 */
gint64
cria_pull_get_seconds_left (CriaPull *self)
{
  g_return_val_if_fail (CRIA_IS_PULL (self), -1);

  return self->seconds_left;
}

/**
 * cria_pull_get_error:
 *
 * Returns: (transfer none) (nullable): why the pull failed
 */
const GError *
cria_pull_get_error (CriaPull *self)
{
  g_return_val_if_fail (CRIA_IS_PULL (self), NULL);

  return self->error;
}

/**
 * cria_pull_get_layers:
 *
 * Returns: (transfer none): a GListModel of CriaPullLayer
 */
GListModel *
cria_pull_get_layers (CriaPull *self)
{
  g_return_val_if_fail (CRIA_IS_PULL (self), NULL);

  return G_LIST_MODEL (self->layers);
}

/**
 * cria_pull_cancel:
 *
 * Stops the download: the pull is cancelled at once and its connection
 * closed. The server keeps what it downloaded, so pulling the same model
 * again resumes. Does nothing once the pull ended.
 */
void
cria_pull_cancel (CriaPull *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CRIA_IS_PULL (self));

  if (self->state != CRIA_PULL_STATE_RUNNING)
    return;

  g_cancellable_cancel (self->cancellable);
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The pull was cancelled");
  _cria_pull_complete (self, error);
}
