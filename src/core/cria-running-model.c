/* cria-running-model.c
 *
 * One entry of /api/ps: a model loaded in memory. A model kept loaded for
 * good (`keep_alive` negative) has an `expires_at` far in the future, year
 * 2318 on current servers; such a date reads as "forever".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-running-model"

#include "cria-config.h"

#include "cria-json.h"
#include "cria-running-model.h"

/* Anything later is Go's "now + max duration", not a real deadline. */
#define FOREVER_AFTER_YEAR 2200

struct _CriaRunningModel
{
  GObject    parent_instance;

  char      *name;
  char      *family;
  char      *parameter_size;
  char      *quantization_level;
  GDateTime *expires_at;
  gint64     size;
  gint64     size_vram;
  gint64     context_length;
  guint      forever : 1;
};

G_DEFINE_FINAL_TYPE (CriaRunningModel, cria_running_model, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_SIZE,
  PROP_SIZE_VRAM,
  PROP_EXPIRES_AT,
  PROP_FOREVER,
  PROP_CONTEXT_LENGTH,
  PROP_FAMILY,
  PROP_PARAMETER_SIZE,
  PROP_QUANTIZATION_LEVEL,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
cria_running_model_finalize (GObject *object)
{
  CriaRunningModel *self = (CriaRunningModel *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->family, g_free);
  g_clear_pointer (&self->parameter_size, g_free);
  g_clear_pointer (&self->quantization_level, g_free);
  g_clear_pointer (&self->expires_at, g_date_time_unref);

  G_OBJECT_CLASS (cria_running_model_parent_class)->finalize (object);
}

static void
cria_running_model_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CriaRunningModel *self = CRIA_RUNNING_MODEL (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_SIZE:
      g_value_set_int64 (value, self->size);
      break;

    case PROP_SIZE_VRAM:
      g_value_set_int64 (value, self->size_vram);
      break;

    case PROP_EXPIRES_AT:
      g_value_set_boxed (value, self->expires_at);
      break;

    case PROP_FOREVER:
      g_value_set_boolean (value, self->forever);
      break;

    case PROP_CONTEXT_LENGTH:
      g_value_set_int64 (value, self->context_length);
      break;

    case PROP_FAMILY:
      g_value_set_string (value, self->family);
      break;

    case PROP_PARAMETER_SIZE:
      g_value_set_string (value, self->parameter_size);
      break;

    case PROP_QUANTIZATION_LEVEL:
      g_value_set_string (value, self->quantization_level);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_running_model_class_init (CriaRunningModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cria_running_model_finalize;
  object_class->get_property = cria_running_model_get_property;

  /**
   * CriaRunningModel:name:
   *
   * The name as the server lists it, tag included.
   */
  properties [PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaRunningModel:size:
   *
   * Bytes of memory the loaded model takes, VRAM included.
   */
  properties [PROP_SIZE] =
    g_param_spec_int64 ("size", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaRunningModel:size-vram:
   *
   * Bytes of it on the GPU; 0 when the model runs on the CPU.
   */
  properties [PROP_SIZE_VRAM] =
    g_param_spec_int64 ("size-vram", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaRunningModel:expires-at:
   *
   * When the server unloads the model unless it is used again; %NULL when
   * not sent.
   */
  properties [PROP_EXPIRES_AT] =
    g_param_spec_boxed ("expires-at", NULL, NULL, G_TYPE_DATE_TIME,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaRunningModel:forever:
   *
   * Whether the model stays loaded until unloaded by hand.
   */
  properties [PROP_FOREVER] =
    g_param_spec_boolean ("forever", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaRunningModel:context-length:
   *
   * The context it was loaded with; 0 on servers before v0.9.7.
   */
  properties [PROP_CONTEXT_LENGTH] =
    g_param_spec_int64 ("context-length", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties [PROP_FAMILY] =
    g_param_spec_string ("family", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties [PROP_PARAMETER_SIZE] =
    g_param_spec_string ("parameter-size", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties [PROP_QUANTIZATION_LEVEL] =
    g_param_spec_string ("quantization-level", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cria_running_model_init (CriaRunningModel *self)
{
}

static char *
dup_nonempty (const char *text)
{
  return text != NULL && text[0] != '\0' ? g_strdup (text) : NULL;
}

/**
 * cria_running_model_new_from_json:
 * @object: one entry of /api/ps' `models`
 *
 * Returns: (transfer full) (nullable): the running model, or %NULL when the
 *   entry has no name
 */
CriaRunningModel *
cria_running_model_new_from_json (JsonObject *object)
{
  CriaRunningModel *self;
  JsonObject *details;
  const char *name;

  g_return_val_if_fail (object != NULL, NULL);

  name = cria_json_get_string (object, "model", NULL);
  if (name == NULL || name[0] == '\0')
    name = cria_json_get_string (object, "name", NULL);
  if (name == NULL || name[0] == '\0')
    return NULL;

  details = cria_json_get_object (object, "details");

  self = g_object_new (CRIA_TYPE_RUNNING_MODEL, NULL);
  self->name = g_strdup (name);
  self->size = MAX (0, cria_json_get_int (object, "size", 0));
  self->size_vram = MAX (0, cria_json_get_int (object, "size_vram", 0));
  self->context_length = MAX (0, cria_json_get_int (object, "context_length", 0));
  self->expires_at = cria_json_dup_date_time (object, "expires_at");
  self->forever = self->expires_at != NULL &&
                  g_date_time_get_year (self->expires_at) > FOREVER_AFTER_YEAR;
  self->family = dup_nonempty (cria_json_get_string (details, "family", NULL));
  self->parameter_size = dup_nonempty (cria_json_get_string (details, "parameter_size", NULL));
  self->quantization_level = dup_nonempty (cria_json_get_string (details, "quantization_level", NULL));

  return self;
}

const char *
cria_running_model_get_name (CriaRunningModel *self)
{
  g_return_val_if_fail (CRIA_IS_RUNNING_MODEL (self), NULL);

  return self->name;
}

gint64
cria_running_model_get_size (CriaRunningModel *self)
{
  g_return_val_if_fail (CRIA_IS_RUNNING_MODEL (self), 0);

  return self->size;
}

gint64
cria_running_model_get_size_vram (CriaRunningModel *self)
{
  g_return_val_if_fail (CRIA_IS_RUNNING_MODEL (self), 0);

  return self->size_vram;
}

/**
 * cria_running_model_get_expires_at:
 *
 * Returns: (transfer none) (nullable): when the model unloads; see also
 *   cria_running_model_get_forever()
 */
GDateTime *
cria_running_model_get_expires_at (CriaRunningModel *self)
{
  g_return_val_if_fail (CRIA_IS_RUNNING_MODEL (self), NULL);

  return self->expires_at;
}

gint64
cria_running_model_get_context_length (CriaRunningModel *self)
{
  g_return_val_if_fail (CRIA_IS_RUNNING_MODEL (self), 0);

  return self->context_length;
}

const char *
cria_running_model_get_family (CriaRunningModel *self)
{
  g_return_val_if_fail (CRIA_IS_RUNNING_MODEL (self), NULL);

  return self->family;
}

const char *
cria_running_model_get_parameter_size (CriaRunningModel *self)
{
  g_return_val_if_fail (CRIA_IS_RUNNING_MODEL (self), NULL);

  return self->parameter_size;
}

const char *
cria_running_model_get_quantization_level (CriaRunningModel *self)
{
  g_return_val_if_fail (CRIA_IS_RUNNING_MODEL (self), NULL);

  return self->quantization_level;
}

gboolean
cria_running_model_get_forever (CriaRunningModel *self)
{
  g_return_val_if_fail (CRIA_IS_RUNNING_MODEL (self), FALSE);

  return self->forever;
}
