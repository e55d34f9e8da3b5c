/* cria-chat-info.c
 *
 * One row of the chats list. Read-only to everyone but the store, which
 * changes a chat in the database first and then here (the setters are in
 * cria-chat-store-private.h), notifying only what changed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-chat-info"

#include "cria-config.h"

#include "cria-chat-info.h"
#include "cria-chat-store-private.h"
#include "cria-enums.h"

struct _CriaChatInfo
{
  GObject     parent_instance;

  char       *title;
  char       *model;
  char       *backend_url;
  char       *system_prompt;
  JsonObject *options;
  gint64      id;
  gint64      created_at;
  gint64      updated_at;
  CriaThinkMode think;
  guint       pinned : 1;
  guint       user_title : 1;
  guint       trashed : 1;
};

G_DEFINE_FINAL_TYPE (CriaChatInfo, cria_chat_info, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_MODEL,
  PROP_BACKEND_URL,
  PROP_SYSTEM_PROMPT,
  PROP_OPTIONS,
  PROP_THINK,
  PROP_PINNED,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
cria_chat_info_finalize (GObject *object)
{
  CriaChatInfo *self = (CriaChatInfo *)object;

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->backend_url, g_free);
  g_clear_pointer (&self->system_prompt, g_free);
  g_clear_pointer (&self->options, json_object_unref);

  G_OBJECT_CLASS (cria_chat_info_parent_class)->finalize (object);
}

static void
cria_chat_info_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CriaChatInfo *self = CRIA_CHAT_INFO (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_BACKEND_URL:
      g_value_set_string (value, self->backend_url);
      break;

    case PROP_SYSTEM_PROMPT:
      g_value_set_string (value, self->system_prompt);
      break;

    case PROP_OPTIONS:
      g_value_set_boxed (value, self->options);
      break;

    case PROP_THINK:
      g_value_set_enum (value, self->think);
      break;

    case PROP_PINNED:
      g_value_set_boolean (value, self->pinned);
      break;

    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;

    case PROP_UPDATED_AT:
      g_value_set_int64 (value, self->updated_at);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_chat_info_class_init (CriaChatInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cria_chat_info_finalize;
  object_class->get_property = cria_chat_info_get_property;

  /**
   * CriaChatInfo:id:
   *
   * The chat's row id in the store, > 0.
   */
  properties [PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatInfo:title:
   *
   * The title; never %NULL, may be empty (the app shows a placeholder).
   */
  properties [PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, "",
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatInfo:model:
   *
   * The model the chat talks to, or %NULL when none was chosen.
   */
  properties [PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatInfo:backend-url:
   *
   * The base URL of the backend the chat talks to, or %NULL.
   */
  properties [PROP_BACKEND_URL] =
    g_param_spec_string ("backend-url", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatInfo:system-prompt:
   *
   * The chat's system prompt, or %NULL for none.
   */
  properties [PROP_SYSTEM_PROMPT] =
    g_param_spec_string ("system-prompt", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatInfo:options:
   *
   * The chat's request options as a JSON object, never %NULL: `temperature`
   * (double), `num_ctx` and `seed` (integers). A missing member means the
   * model's default.
   */
  properties [PROP_OPTIONS] =
    g_param_spec_boxed ("options", NULL, NULL, JSON_TYPE_OBJECT,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatInfo:think:
   *
   * Whether thinking models think in this chat.
   */
  properties [PROP_THINK] =
    g_param_spec_enum ("think", NULL, NULL,
                       CRIA_TYPE_THINK_MODE, CRIA_THINK_MODE_DEFAULT,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatInfo:pinned:
   *
   * Pinned chats sort before all others.
   */
  properties [PROP_PINNED] =
    g_param_spec_boolean ("pinned", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatInfo:created-at:
   *
   * When the chat was created, in microseconds since the Unix epoch.
   */
  properties [PROP_CREATED_AT] =
    g_param_spec_int64 ("created-at", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatInfo:updated-at:
   *
   * The last activity (a message added or finished), in microseconds since
   * the Unix epoch. Renaming or pinning does not count as activity.
   */
  properties [PROP_UPDATED_AT] =
    g_param_spec_int64 ("updated-at", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cria_chat_info_init (CriaChatInfo *self)
{
  self->title = g_strdup ("");
  self->options = json_object_new ();
}

CriaChatInfo *
_cria_chat_info_new (gint64 id)
{
  CriaChatInfo *self = g_object_new (CRIA_TYPE_CHAT_INFO, NULL);

  self->id = id;

  return self;
}

gint64
cria_chat_info_get_id (CriaChatInfo *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_INFO (self), 0);

  return self->id;
}

const char *
cria_chat_info_get_title (CriaChatInfo *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_INFO (self), NULL);

  return self->title;
}

const char *
cria_chat_info_get_model (CriaChatInfo *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_INFO (self), NULL);

  return self->model;
}

const char *
cria_chat_info_get_backend_url (CriaChatInfo *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_INFO (self), NULL);

  return self->backend_url;
}

const char *
cria_chat_info_get_system_prompt (CriaChatInfo *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_INFO (self), NULL);

  return self->system_prompt;
}

/**
 * cria_chat_info_get_options:
 *
 * Returns: (transfer none): the options; do not modify them, change them
 *   with cria_chat_store_set_chat_options()
 */
JsonObject *
cria_chat_info_get_options (CriaChatInfo *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_INFO (self), NULL);

  return self->options;
}

CriaThinkMode
cria_chat_info_get_think (CriaChatInfo *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_INFO (self), CRIA_THINK_MODE_DEFAULT);

  return self->think;
}

gboolean
cria_chat_info_get_pinned (CriaChatInfo *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_INFO (self), FALSE);

  return self->pinned;
}

gint64
cria_chat_info_get_created_at (CriaChatInfo *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_INFO (self), 0);

  return self->created_at;
}

gint64
cria_chat_info_get_updated_at (CriaChatInfo *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_INFO (self), 0);

  return self->updated_at;
}

static void
set_string (CriaChatInfo  *self,
            char         **field,
            const char    *value,
            guint          prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties [prop]);
}

void
_cria_chat_info_set_title (CriaChatInfo *self,
                           const char   *title)
{
  set_string (self, &self->title, title != NULL ? title : "", PROP_TITLE);
}

void
_cria_chat_info_set_model (CriaChatInfo *self,
                           const char   *backend_url,
                           const char   *model)
{
  set_string (self, &self->backend_url, backend_url, PROP_BACKEND_URL);
  set_string (self, &self->model, model, PROP_MODEL);
}

void
_cria_chat_info_set_system_prompt (CriaChatInfo *self,
                                   const char   *system_prompt)
{
  set_string (self, &self->system_prompt, system_prompt, PROP_SYSTEM_PROMPT);
}

/* Takes @options (a new object owned by the info from now on). */
void
_cria_chat_info_take_options (CriaChatInfo *self,
                              JsonObject   *options)
{
  g_assert (options != NULL);

  if (json_object_equal (self->options, options))
    {
      json_object_unref (options);
      return;
    }

  g_clear_pointer (&self->options, json_object_unref);
  self->options = options;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_OPTIONS]);
}

void
_cria_chat_info_set_think (CriaChatInfo  *self,
                           CriaThinkMode  think)
{
  if (self->think == think)
    return;

  self->think = think;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_THINK]);
}

/* Whether the user gave the title, which a generated one never replaces */
gboolean
_cria_chat_info_get_user_title (CriaChatInfo *self)
{
  return self->user_title;
}

void
_cria_chat_info_set_user_title (CriaChatInfo *self,
                                gboolean      user_title)
{
  self->user_title = !!user_title;
}

void
_cria_chat_info_set_pinned (CriaChatInfo *self,
                            gboolean      pinned)
{
  pinned = !!pinned;
  if (self->pinned == pinned)
    return;

  self->pinned = pinned;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PINNED]);
}

void
_cria_chat_info_set_times (CriaChatInfo *self,
                           gint64        created_at,
                           gint64        updated_at)
{
  if (self->created_at != created_at)
    {
      self->created_at = created_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CREATED_AT]);
    }

  if (self->updated_at != updated_at)
    {
      self->updated_at = updated_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_UPDATED_AT]);
    }
}

gboolean
_cria_chat_info_get_trashed (CriaChatInfo *self)
{
  return self->trashed;
}

void
_cria_chat_info_set_trashed (CriaChatInfo *self,
                             gboolean      trashed)
{
  self->trashed = !!trashed;
}

/* The list order: pinned first, then the most recent activity first, then
 * the newest chat first (ids only grow). */
int
_cria_chat_info_compare (gconstpointer a,
                         gconstpointer b,
                         gpointer      user_data)
{
  const CriaChatInfo *info_a = a;
  const CriaChatInfo *info_b = b;

  if (info_a->pinned != info_b->pinned)
    return info_a->pinned ? -1 : 1;

  if (info_a->updated_at != info_b->updated_at)
    return info_a->updated_at > info_b->updated_at ? -1 : 1;

  if (info_a->id != info_b->id)
    return info_a->id > info_b->id ? -1 : 1;

  return 0;
}
