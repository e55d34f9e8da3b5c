/* cria-model-details.c
 *
 * What /api/show says about one model. The reply comes from servers of many
 * versions: `model_info` is missing before v0.14.3 and `{}` for cloud stubs,
 * `capabilities` is missing before v0.6.4, and the GGUF values in
 * `model_info` have whatever JSON type the file had. Every member is read
 * through the null-safe accessors of cria-json.h, and a missing one leaves
 * its property at %NULL or 0.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-model-details"

#include "cria-config.h"

#include <string.h>

#include "cria-json.h"
#include "cria-model-details.h"

struct _CriaModelDetails
{
  GObject    parent_instance;

  char      *name;
  char      *family;
  char      *architecture;
  char      *parameter_size;
  char      *quantization_level;
  char     **capabilities;
  char      *system;
  char      *template;
  char      *parameters;
  char      *license;
  char      *modelfile;
  char      *remote_host;
  GDateTime *modified_at;
  gint64     parameter_count;
  gint64     context_length;
  gint64     embedding_length;
};

G_DEFINE_FINAL_TYPE (CriaModelDetails, cria_model_details, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_FAMILY,
  PROP_ARCHITECTURE,
  PROP_PARAMETER_SIZE,
  PROP_PARAMETER_COUNT,
  PROP_QUANTIZATION_LEVEL,
  PROP_CONTEXT_LENGTH,
  PROP_EMBEDDING_LENGTH,
  PROP_CAPABILITIES,
  PROP_SYSTEM,
  PROP_TEMPLATE,
  PROP_PARAMETERS,
  PROP_LICENSE,
  PROP_MODELFILE,
  PROP_MODIFIED_AT,
  PROP_REMOTE_HOST,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
cria_model_details_finalize (GObject *object)
{
  CriaModelDetails *self = (CriaModelDetails *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->family, g_free);
  g_clear_pointer (&self->architecture, g_free);
  g_clear_pointer (&self->parameter_size, g_free);
  g_clear_pointer (&self->quantization_level, g_free);
  g_clear_pointer (&self->capabilities, g_strfreev);
  g_clear_pointer (&self->system, g_free);
  g_clear_pointer (&self->template, g_free);
  g_clear_pointer (&self->parameters, g_free);
  g_clear_pointer (&self->license, g_free);
  g_clear_pointer (&self->modelfile, g_free);
  g_clear_pointer (&self->remote_host, g_free);
  g_clear_pointer (&self->modified_at, g_date_time_unref);

  G_OBJECT_CLASS (cria_model_details_parent_class)->finalize (object);
}

static void
cria_model_details_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CriaModelDetails *self = CRIA_MODEL_DETAILS (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_FAMILY:
      g_value_set_string (value, self->family);
      break;

    case PROP_ARCHITECTURE:
      g_value_set_string (value, self->architecture);
      break;

    case PROP_PARAMETER_SIZE:
      g_value_set_string (value, self->parameter_size);
      break;

    case PROP_PARAMETER_COUNT:
      g_value_set_int64 (value, self->parameter_count);
      break;

    case PROP_QUANTIZATION_LEVEL:
      g_value_set_string (value, self->quantization_level);
      break;

    case PROP_CONTEXT_LENGTH:
      g_value_set_int64 (value, self->context_length);
      break;

    case PROP_EMBEDDING_LENGTH:
      g_value_set_int64 (value, self->embedding_length);
      break;

    case PROP_CAPABILITIES:
      g_value_set_boxed (value, self->capabilities);
      break;

    case PROP_SYSTEM:
      g_value_set_string (value, self->system);
      break;

    case PROP_TEMPLATE:
      g_value_set_string (value, self->template);
      break;

    case PROP_PARAMETERS:
      g_value_set_string (value, self->parameters);
      break;

    case PROP_LICENSE:
      g_value_set_string (value, self->license);
      break;

    case PROP_MODELFILE:
      g_value_set_string (value, self->modelfile);
      break;

    case PROP_MODIFIED_AT:
      g_value_set_boxed (value, self->modified_at);
      break;

    case PROP_REMOTE_HOST:
      g_value_set_string (value, self->remote_host);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_pspec (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static GParamSpec *
count_pspec (const char *name)
{
  return g_param_spec_int64 (name, NULL, NULL, 0, G_MAXINT64, 0,
                             (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
cria_model_details_class_init (CriaModelDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cria_model_details_finalize;
  object_class->get_property = cria_model_details_get_property;

  /**
   * CriaModelDetails:name:
   *
   * The name the details were asked for.
   */
  properties [PROP_NAME] = string_pspec ("name");

  /**
   * CriaModelDetails:family:
   *
   * `details.family` (`llama`, `qwen2`, …), %NULL when empty.
   */
  properties [PROP_FAMILY] = string_pspec ("family");

  /**
   * CriaModelDetails:architecture:
   *
   * `model_info["general.architecture"]`, %NULL when the server sent no
   * `model_info`.
   */
  properties [PROP_ARCHITECTURE] = string_pspec ("architecture");

  /**
   * CriaModelDetails:parameter-size:
   *
   * `details.parameter_size`, as the server words it (`7.6B`).
   */
  properties [PROP_PARAMETER_SIZE] = string_pspec ("parameter-size");

  /**
   * CriaModelDetails:parameter-count:
   *
   * `model_info["general.parameter_count"]`, 0 when unknown.
   */
  properties [PROP_PARAMETER_COUNT] = count_pspec ("parameter-count");

  properties [PROP_QUANTIZATION_LEVEL] = string_pspec ("quantization-level");

  /**
   * CriaModelDetails:context-length:
   *
   * The longest context the model was trained for: `<arch>.context_length`
   * from `model_info`, else `details.context_length`; 0 when unknown.
   */
  properties [PROP_CONTEXT_LENGTH] = count_pspec ("context-length");

  /**
   * CriaModelDetails:embedding-length:
   *
   * `<arch>.embedding_length` from `model_info`, else
   * `details.embedding_length`; 0 when unknown.
   */
  properties [PROP_EMBEDDING_LENGTH] = count_pspec ("embedding-length");

  /**
   * CriaModelDetails:capabilities:
   *
   * What the model can do (`completion`, `tools`, `vision`, …); empty when
   * the server is too old to say.
   */
  properties [PROP_CAPABILITIES] =
    g_param_spec_boxed ("capabilities", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaModelDetails:system:
   *
   * The system prompt built into the model, %NULL when it has none.
   */
  properties [PROP_SYSTEM] = string_pspec ("system");

  /**
   * CriaModelDetails:template:
   *
   * The prompt template, a Go template.
   */
  properties [PROP_TEMPLATE] = string_pspec ("template");

  /**
   * CriaModelDetails:parameters:
   *
   * The default parameters, as text: one `name value` per line.
   */
  properties [PROP_PARAMETERS] = string_pspec ("parameters");

  /**
   * CriaModelDetails:license:
   *
   * The license text; several licenses are separated by a blank line.
   */
  properties [PROP_LICENSE] = string_pspec ("license");

  /**
   * CriaModelDetails:modelfile:
   *
   * The Modelfile the server generates for the model.
   */
  properties [PROP_MODELFILE] = string_pspec ("modelfile");

  properties [PROP_MODIFIED_AT] =
    g_param_spec_boxed ("modified-at", NULL, NULL, G_TYPE_DATE_TIME,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaModelDetails:remote-host:
   *
   * For a cloud model, the server that runs it; else %NULL.
   */
  properties [PROP_REMOTE_HOST] = string_pspec ("remote-host");

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cria_model_details_init (CriaModelDetails *self)
{
}

static char *
dup_nonempty (const char *text)
{
  return text != NULL && text[0] != '\0' ? g_strdup (text) : NULL;
}

/* A count from model_info: GGUF writes integers, but a float or a numeric
 * string are taken too. */
static gint64
get_count (JsonObject *object,
           const char *member)
{
  const char *text;
  gint64 value;

  if (object == NULL || member == NULL)
    return 0;

  value = cria_json_get_int (object, member, -1);
  if (value >= 0)
    return value;

  text = cria_json_get_string (object, member, NULL);
  if (text != NULL &&
      g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &value, NULL))
    return value;

  return 0;
}

/* `license` is a string, or on some servers an array of them. */
static char *
dup_license (JsonObject *show)
{
  g_autoptr(GString) text = NULL;
  const char *single;
  JsonArray *array;
  guint n;

  single = cria_json_get_string (show, "license", NULL);
  if (single != NULL)
    return dup_nonempty (single);

  array = cria_json_get_array (show, "license");
  if (array == NULL)
    return NULL;

  text = g_string_new (NULL);
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *part;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        continue;

      part = json_node_get_string (node);
      if (part[0] == '\0')
        continue;

      if (text->len > 0)
        g_string_append (text, "\n\n");
      g_string_append (text, part);
    }

  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

static gint64
get_arch_count (JsonObject *model_info,
                const char *architecture,
                const char *key,
                JsonObject *details)
{
  gint64 value = 0;

  if (architecture != NULL)
    {
      g_autofree char *member = g_strconcat (architecture, ".", key, NULL);

      value = get_count (model_info, member);
    }

  if (value == 0)
    value = get_count (details, key);

  return value;
}

/**
 * cria_model_details_new_from_show:
 * @name: the name the details were asked for
 * @show: an `/api/show` reply
 *
 * Reads what the UI shows of a model. Never fails: whatever is missing or
 * of an unexpected type is left out.
 *
 * Returns: (transfer full): the details
 */
CriaModelDetails *
cria_model_details_new_from_show (const char *name,
                                  JsonObject *show)
{
  CriaModelDetails *self;
  JsonObject *details;
  JsonObject *model_info;

  g_return_val_if_fail (name != NULL, NULL);

  details = cria_json_get_object (show, "details");
  model_info = cria_json_get_object (show, "model_info");

  self = g_object_new (CRIA_TYPE_MODEL_DETAILS, NULL);
  self->name = g_strdup (name);
  self->family = dup_nonempty (cria_json_get_string (details, "family", NULL));
  self->parameter_size = dup_nonempty (cria_json_get_string (details, "parameter_size", NULL));
  self->quantization_level = dup_nonempty (cria_json_get_string (details, "quantization_level", NULL));
  self->architecture = dup_nonempty (cria_json_get_string (model_info, "general.architecture", NULL));
  self->parameter_count = get_count (model_info, "general.parameter_count");
  self->context_length = get_arch_count (model_info, self->architecture, "context_length", details);
  self->embedding_length = get_arch_count (model_info, self->architecture, "embedding_length", details);
  self->capabilities = cria_json_dup_strv (show, "capabilities");
  self->system = dup_nonempty (cria_json_get_string (show, "system", NULL));
  self->template = dup_nonempty (cria_json_get_string (show, "template", NULL));
  self->parameters = dup_nonempty (cria_json_get_string (show, "parameters", NULL));
  self->license = dup_license (show);
  self->modelfile = dup_nonempty (cria_json_get_string (show, "modelfile", NULL));
  self->remote_host = dup_nonempty (cria_json_get_string (show, "remote_host", NULL));
  self->modified_at = cria_json_dup_date_time (show, "modified_at");

  return self;
}

const char *
cria_model_details_get_name (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), NULL);

  return self->name;
}

const char *
cria_model_details_get_family (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), NULL);

  return self->family;
}

const char *
cria_model_details_get_architecture (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), NULL);

  return self->architecture;
}

const char *
cria_model_details_get_parameter_size (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), NULL);

  return self->parameter_size;
}

gint64
cria_model_details_get_parameter_count (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), 0);

  return self->parameter_count;
}

const char *
cria_model_details_get_quantization_level (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), NULL);

  return self->quantization_level;
}

gint64
cria_model_details_get_context_length (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), 0);

  return self->context_length;
}

gint64
cria_model_details_get_embedding_length (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), 0);

  return self->embedding_length;
}

/**
 * cria_model_details_get_capabilities:
 *
 * Returns: (transfer none): the capabilities, empty when unknown
 */
const char * const *
cria_model_details_get_capabilities (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), NULL);

  return (const char * const *) self->capabilities;
}

const char *
cria_model_details_get_system (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), NULL);

  return self->system;
}

const char *
cria_model_details_get_template (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), NULL);

  return self->template;
}

const char *
cria_model_details_get_parameters (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), NULL);

  return self->parameters;
}

const char *
cria_model_details_get_license (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), NULL);

  return self->license;
}

const char *
cria_model_details_get_modelfile (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), NULL);

  return self->modelfile;
}

/**
 * cria_model_details_get_modified_at:
 *
 * Returns: (transfer none) (nullable): when the model was last changed
 */
GDateTime *
cria_model_details_get_modified_at (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), NULL);

  return self->modified_at;
}

const char *
cria_model_details_get_remote_host (CriaModelDetails *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS (self), NULL);

  return self->remote_host;
}
