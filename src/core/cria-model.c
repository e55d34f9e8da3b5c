/* cria-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-model"

#include "cria-config.h"

#include <string.h>

#include "cria-backend.h"
#include "cria-json.h"
#include "cria-model-private.h"

struct _CriaModel
{
  GObject    parent_instance;

  char      *name;
  char      *digest;
  char      *family;
  char      *parameter_size;
  char      *quantization_level;
  char      *remote_host;
  char     **capabilities;
  GDateTime *modified_at;
  gint64     size;
  gint64     context_length;

  GWeakRef   backend;
};

G_DEFINE_FINAL_TYPE (CriaModel, cria_model, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_DISPLAY_NAME,
  PROP_SIZE,
  PROP_FAMILY,
  PROP_PARAMETER_SIZE,
  PROP_QUANTIZATION_LEVEL,
  PROP_CAPABILITIES,
  PROP_BACKEND,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
cria_model_finalize (GObject *object)
{
  CriaModel *self = (CriaModel *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->digest, g_free);
  g_clear_pointer (&self->family, g_free);
  g_clear_pointer (&self->parameter_size, g_free);
  g_clear_pointer (&self->quantization_level, g_free);
  g_clear_pointer (&self->remote_host, g_free);
  g_clear_pointer (&self->capabilities, g_strfreev);
  g_clear_pointer (&self->modified_at, g_date_time_unref);
  g_weak_ref_clear (&self->backend);

  G_OBJECT_CLASS (cria_model_parent_class)->finalize (object);
}

static void
cria_model_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CriaModel *self = CRIA_MODEL (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_DISPLAY_NAME:
      g_value_take_string (value, cria_model_dup_display_name (self));
      break;

    case PROP_SIZE:
      g_value_set_int64 (value, self->size);
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

    case PROP_CAPABILITIES:
      g_value_set_boxed (value, self->capabilities);
      break;

    case PROP_BACKEND:
      g_value_take_object (value, g_weak_ref_get (&self->backend));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_model_class_init (CriaModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cria_model_finalize;
  object_class->get_property = cria_model_get_property;

  /**
   * CriaModel:name:
   *
   * The name as the server lists it, tag included (`llama3.2:latest`).
   */
  properties [PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaModel:display-name:
   *
   * The name without a `:latest` tag.
   */
  properties [PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties [PROP_SIZE] =
    g_param_spec_int64 ("size", NULL, NULL, 0, G_MAXINT64, 0,
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

  /**
   * CriaModel:capabilities:
   *
   * What the model can do (`completion`, `vision`, `thinking`, …); empty
   * when the server is too old to say.
   */
  properties [PROP_CAPABILITIES] =
    g_param_spec_boxed ("capabilities", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaModel:backend:
   *
   * The backend the model is installed on (a weak reference).
   */
  properties [PROP_BACKEND] =
    g_param_spec_object ("backend", NULL, NULL, CRIA_TYPE_BACKEND,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cria_model_init (CriaModel *self)
{
  g_weak_ref_init (&self->backend, NULL);
}

static char *
dup_nonempty (const char *text)
{
  return text != NULL && text[0] != '\0' ? g_strdup (text) : NULL;
}

/*
 * _cria_model_new_from_json:
 * @object: one entry of /api/tags' `models`
 *
 * Returns: (transfer full) (nullable): the model, or %NULL when the entry
 *   has no name
 */
CriaModel *
_cria_model_new_from_json (JsonObject *object)
{
  CriaModel *self;
  JsonObject *details;
  const char *name;

  /* Servers write both; `name` is the older one. */
  name = cria_json_get_string (object, "model", NULL);
  if (name == NULL || name[0] == '\0')
    name = cria_json_get_string (object, "name", NULL);
  if (name == NULL || name[0] == '\0')
    return NULL;

  details = cria_json_get_object (object, "details");

  self = g_object_new (CRIA_TYPE_MODEL, NULL);
  self->name = g_strdup (name);
  self->digest = dup_nonempty (cria_json_get_string (object, "digest", NULL));
  self->size = MAX (0, cria_json_get_int (object, "size", 0));
  self->modified_at = cria_json_dup_date_time (object, "modified_at");
  self->remote_host = dup_nonempty (cria_json_get_string (object, "remote_host", NULL));
  self->capabilities = cria_json_dup_strv (object, "capabilities");
  self->family = dup_nonempty (cria_json_get_string (details, "family", NULL));
  self->parameter_size = dup_nonempty (cria_json_get_string (details, "parameter_size", NULL));
  self->quantization_level = dup_nonempty (cria_json_get_string (details, "quantization_level", NULL));
  self->context_length = MAX (0, cria_json_get_int (details, "context_length", 0));

  return self;
}

void
_cria_model_set_backend (CriaModel   *self,
                         CriaBackend *backend)
{
  g_return_if_fail (CRIA_IS_MODEL (self));

  g_weak_ref_set (&self->backend, backend);
}

/* Whether two listings of a model say the same thing. */
gboolean
_cria_model_equal (CriaModel *a,
                   CriaModel *b)
{
  return g_strcmp0 (a->name, b->name) == 0 &&
         g_strcmp0 (a->digest, b->digest) == 0 &&
         a->size == b->size &&
         g_strv_equal ((const char * const *) a->capabilities,
                       (const char * const *) b->capabilities);
}

const char *
cria_model_get_name (CriaModel *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL (self), NULL);

  return self->name;
}

/**
 * cria_model_dup_display_name:
 *
 * Returns: (transfer full): the name without the implicit `:latest` tag
 */
char *
cria_model_dup_display_name (CriaModel *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL (self), NULL);

  if (g_str_has_suffix (self->name, ":latest"))
    return g_strndup (self->name, strlen (self->name) - strlen (":latest"));

  return g_strdup (self->name);
}

gint64
cria_model_get_size (CriaModel *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL (self), 0);

  return self->size;
}

const char *
cria_model_get_digest (CriaModel *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL (self), NULL);

  return self->digest;
}

GDateTime *
cria_model_get_modified_at (CriaModel *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL (self), NULL);

  return self->modified_at;
}

const char *
cria_model_get_family (CriaModel *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL (self), NULL);

  return self->family;
}

const char *
cria_model_get_parameter_size (CriaModel *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL (self), NULL);

  return self->parameter_size;
}

const char *
cria_model_get_quantization_level (CriaModel *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL (self), NULL);

  return self->quantization_level;
}

const char * const *
cria_model_get_capabilities (CriaModel *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL (self), NULL);

  return (const char * const *) self->capabilities;
}

gboolean
cria_model_has_capability (CriaModel  *self,
                           const char *capability)
{
  g_return_val_if_fail (CRIA_IS_MODEL (self), FALSE);
  g_return_val_if_fail (capability != NULL, FALSE);

  return self->capabilities != NULL &&
         g_strv_contains ((const char * const *) self->capabilities, capability);
}

gint64
cria_model_get_context_length (CriaModel *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL (self), 0);

  return self->context_length;
}

const char *
cria_model_get_remote_host (CriaModel *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL (self), NULL);

  return self->remote_host;
}

/**
 * cria_model_dup_backend:
 *
 * Returns: (transfer full) (nullable): the backend, if it still exists
 */
CriaBackend *
cria_model_dup_backend (CriaModel *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL (self), NULL);

  return g_weak_ref_get (&self->backend);
}

/* A tag is the part after a colon in the last path component; a name
 * without one means `latest`. Matching ignores case, like the server's. */
static char *
normalize_name (const char *name)
{
  const char *last = strrchr (name, '/');
  g_autofree char *tagged = NULL;

  if (strchr (last != NULL ? last : name, ':') == NULL)
    tagged = g_strconcat (name, ":latest", NULL);

  return g_ascii_strdown (tagged != NULL ? tagged : name, -1);
}

/**
 * cria_model_name_equal:
 *
 * Whether two model names refer to the same model, the way the server
 * matches them: case-insensitively, with a missing tag meaning `latest`.
 */
gboolean
cria_model_name_equal (const char *a,
                       const char *b)
{
  g_autofree char *na = NULL;
  g_autofree char *nb = NULL;

  if (a == NULL || b == NULL)
    return a == b;

  na = normalize_name (a);
  nb = normalize_name (b);

  return g_str_equal (na, nb);
}

/* Name rules of Ollama's types/model/name.go: ParseNameBare() splits
 * `[host/][namespace/]model[:tag]` from the right, and isValidPart() checks
 * each piece. */
#define NAME_MAX_LENGTH 350
#define PART_MAX_LENGTH 80

typedef enum
{
  NAME_PART_HOST,
  NAME_PART_NAMESPACE,
  NAME_PART_MODEL,
  NAME_PART_TAG,
} NamePart;

static const char * const name_part_names[] = { "host", "namespace", "model", "tag" };

static gboolean
name_part_validate (NamePart     kind,
                    const char  *part,
                    gsize        length,
                    const char  *name,
                    GError     **error)
{
  gsize max_length = kind == NAME_PART_HOST ? NAME_MAX_LENGTH : PART_MAX_LENGTH;
  const char *what = name_part_names[kind];

  if (length == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The %s of model name “%s” is empty", what, name);
      return FALSE;
    }

  if (length > max_length)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The %s of model name “%s” is longer than %" G_GSIZE_FORMAT " characters",
                   what, name, max_length);
      return FALSE;
    }

  if (!g_ascii_isalnum (part[0]) && part[0] != '_')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The %s of model name “%s” must start with a letter, a digit or “_”",
                   what, name);
      return FALSE;
    }

  for (gsize i = 1; i < length; i++)
    {
      char c = part[i];

      if (g_ascii_isalnum (c) || c == '_' || c == '-' ||
          (c == '.' && kind != NAME_PART_NAMESPACE) ||
          (c == ':' && kind == NAME_PART_HOST))
        continue;

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The %s of model name “%s” contains “%c”, which is not allowed there",
                   what, name, g_ascii_isprint (c) ? c : '?');
      return FALSE;
    }

  return TRUE;
}

/**
 * cria_model_name_validate:
 * @name: what the user typed: `qwen3:0.6b`, `namespace/model:tag`,
 *   `hf.co/org/repo:Q4_K_M`, `localhost:5000/ns/model:tag`
 *
 * Checks @name the way the server parses it: an optional host (which may
 * carry a port), an optional namespace, the model and an optional tag, each
 * made of letters, digits, `_`, `-` and `.` (no `.` in a namespace) and
 * starting with a letter, a digit or `_`; parts at most 80 characters, the
 * name at most 350.
 *
 * Returns: %TRUE when valid; else %FALSE with %G_IO_ERROR_INVALID_ARGUMENT
 *   and a message for developers
 */
gboolean
cria_model_name_validate (const char  *name,
                          GError     **error)
{
  const char *end;
  const char *colon;
  const char *slash;
  const char *model;
  const char *name_space;
  const char *host;
  const char *scheme_end;
  gsize length;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (name == NULL || name[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "The model name is empty");
      return FALSE;
    }

  length = strlen (name);
  if (length > NAME_MAX_LENGTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The model name is longer than %d characters", NAME_MAX_LENGTH);
      return FALSE;
    }

  end = name + length;

  /* A colon after the last slash starts the tag: a host's port comes
   * before a slash. */
  colon = strrchr (name, ':');
  slash = strrchr (name, '/');
  if (colon != NULL && (slash == NULL || colon > slash))
    {
      if (!name_part_validate (NAME_PART_TAG, colon + 1, end - (colon + 1), name, error))
        return FALSE;
      end = colon;
    }

  /* The model, after the last slash */
  model = slash != NULL ? slash + 1 : name;
  if (!name_part_validate (NAME_PART_MODEL, model, end - model, name, error))
    return FALSE;

  if (slash == NULL)
    return TRUE;

  /* The namespace, after the slash before */
  end = slash;
  slash = g_strrstr_len (name, end - name, "/");
  name_space = slash != NULL ? slash + 1 : name;
  if (!name_part_validate (NAME_PART_NAMESPACE, name_space, end - name_space, name, error))
    return FALSE;

  if (slash == NULL)
    return TRUE;

  /* The host: all the rest, with any scheme dropped */
  scheme_end = g_strstr_len (name, slash - name, "://");
  host = scheme_end != NULL ? scheme_end + strlen ("://") : name;

  return name_part_validate (NAME_PART_HOST, host, slash - host, name, error);
}
