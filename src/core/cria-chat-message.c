/* cria-chat-message.c
 *
 * Content and thinking grow in place while a reply streams: a GString
 * appended to, with one `notify::content` per append, so a view can append
 * only what is new (cria_chat_message_get_content_length() tells it how
 * much it has already).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-chat-message"

#include "cria-config.h"

#include "cria-chat-message.h"
#include "cria-enums.h"

struct _CriaChatMessage
{
  GObject           parent_instance;

  GString          *content;
  GString          *thinking;
  GPtrArray        *images;
  JsonArray        *tool_calls;
  GError           *error;
  CriaChatMetrics  *metrics;
  char             *model;
  CriaMessageRole   role;
  CriaMessageState  state;
};

G_DEFINE_FINAL_TYPE (CriaChatMessage, cria_chat_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ROLE,
  PROP_CONTENT,
  PROP_THINKING,
  PROP_STATE,
  PROP_ERROR,
  PROP_METRICS,
  PROP_MODEL,
  PROP_TOOL_CALLS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
cria_chat_message_finalize (GObject *object)
{
  CriaChatMessage *self = (CriaChatMessage *)object;

  g_string_free (self->content, TRUE);
  g_string_free (self->thinking, TRUE);
  g_clear_pointer (&self->images, g_ptr_array_unref);
  g_clear_pointer (&self->tool_calls, json_array_unref);
  g_clear_error (&self->error);
  g_clear_pointer (&self->metrics, cria_chat_metrics_free);
  g_clear_pointer (&self->model, g_free);

  G_OBJECT_CLASS (cria_chat_message_parent_class)->finalize (object);
}

static void
cria_chat_message_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CriaChatMessage *self = CRIA_CHAT_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;

    case PROP_CONTENT:
      g_value_set_string (value, self->content->str);
      break;

    case PROP_THINKING:
      g_value_set_string (value, self->thinking->str);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;

    case PROP_METRICS:
      g_value_set_boxed (value, self->metrics);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_TOOL_CALLS:
      g_value_set_boxed (value, self->tool_calls);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_chat_message_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CriaChatMessage *self = CRIA_CHAT_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ROLE:
      self->role = g_value_get_enum (value);
      break;

    case PROP_CONTENT:
      cria_chat_message_set_content (self, g_value_get_string (value));
      break;

    case PROP_STATE:
      cria_chat_message_set_state (self, g_value_get_enum (value));
      break;

    case PROP_MODEL:
      cria_chat_message_set_model (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_chat_message_class_init (CriaChatMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cria_chat_message_finalize;
  object_class->get_property = cria_chat_message_get_property;
  object_class->set_property = cria_chat_message_set_property;

  properties [PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL,
                       CRIA_TYPE_MESSAGE_ROLE, CRIA_MESSAGE_ROLE_USER,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatMessage:content:
   *
   * The text. Notified on every append while a reply streams.
   */
  properties [PROP_CONTENT] =
    g_param_spec_string ("content", NULL, NULL, "",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatMessage:thinking:
   *
   * What a thinking model reasoned before answering.
   */
  properties [PROP_THINKING] =
    g_param_spec_string ("thinking", NULL, NULL, "",
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties [PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       CRIA_TYPE_MESSAGE_STATE, CRIA_MESSAGE_STATE_COMPLETE,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatMessage:error:
   *
   * Why a reply is incomplete or failed, when it is.
   */
  properties [PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatMessage:metrics:
   *
   * What the server reported about a finished reply.
   */
  properties [PROP_METRICS] =
    g_param_spec_boxed ("metrics", NULL, NULL, CRIA_TYPE_CHAT_METRICS,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatMessage:model:
   *
   * The model that wrote a reply.
   */
  properties [PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties [PROP_TOOL_CALLS] =
    g_param_spec_boxed ("tool-calls", NULL, NULL, JSON_TYPE_ARRAY,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cria_chat_message_init (CriaChatMessage *self)
{
  self->content = g_string_new (NULL);
  self->thinking = g_string_new (NULL);
}

CriaChatMessage *
cria_chat_message_new (CriaMessageRole  role,
                       const char      *content)
{
  return g_object_new (CRIA_TYPE_CHAT_MESSAGE,
                       "role", role,
                       "content", content,
                       NULL);
}

CriaMessageRole
cria_chat_message_get_role (CriaChatMessage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (self), 0);

  return self->role;
}

/**
 * cria_chat_message_get_role_name:
 *
 * Returns: the role as Ollama spells it on the wire
 */
const char *
cria_chat_message_get_role_name (CriaChatMessage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (self), NULL);

  switch (self->role)
    {
    case CRIA_MESSAGE_ROLE_USER:
      return "user";

    case CRIA_MESSAGE_ROLE_ASSISTANT:
      return "assistant";

    case CRIA_MESSAGE_ROLE_SYSTEM:
      return "system";

    case CRIA_MESSAGE_ROLE_TOOL:
      return "tool";

    default:
      g_return_val_if_reached ("user");
    }
}

const char *
cria_chat_message_get_content (CriaChatMessage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (self), NULL);

  return self->content->str;
}

gsize
cria_chat_message_get_content_length (CriaChatMessage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (self), 0);

  return self->content->len;
}

void
cria_chat_message_set_content (CriaChatMessage *self,
                               const char      *content)
{
  g_return_if_fail (CRIA_IS_CHAT_MESSAGE (self));

  if (content == NULL)
    content = "";

  if (g_str_equal (self->content->str, content))
    return;

  g_string_assign (self->content, content);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CONTENT]);
}

void
cria_chat_message_append_content (CriaChatMessage *self,
                                  const char      *text)
{
  g_return_if_fail (CRIA_IS_CHAT_MESSAGE (self));

  if (text == NULL || text[0] == '\0')
    return;

  g_string_append (self->content, text);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CONTENT]);
}

const char *
cria_chat_message_get_thinking (CriaChatMessage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (self), NULL);

  return self->thinking->str;
}

gsize
cria_chat_message_get_thinking_length (CriaChatMessage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (self), 0);

  return self->thinking->len;
}

void
cria_chat_message_append_thinking (CriaChatMessage *self,
                                   const char      *text)
{
  g_return_if_fail (CRIA_IS_CHAT_MESSAGE (self));

  if (text == NULL || text[0] == '\0')
    return;

  g_string_append (self->thinking, text);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_THINKING]);
}

/**
 * cria_chat_message_get_images:
 *
 * Returns: (transfer none) (nullable) (element-type GBytes): attached images
 */
GPtrArray *
cria_chat_message_get_images (CriaChatMessage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (self), NULL);

  return self->images;
}

void
cria_chat_message_add_image (CriaChatMessage *self,
                             GBytes          *image)
{
  g_return_if_fail (CRIA_IS_CHAT_MESSAGE (self));
  g_return_if_fail (image != NULL);

  if (self->images == NULL)
    self->images = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_ptr_array_add (self->images, g_bytes_ref (image));
}

/**
 * cria_chat_message_get_tool_calls:
 *
 * Returns: (transfer none) (nullable): the tool calls of a reply, as sent
 */
JsonArray *
cria_chat_message_get_tool_calls (CriaChatMessage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (self), NULL);

  return self->tool_calls;
}

/**
 * cria_chat_message_add_tool_calls:
 *
 * Appends complete calls: each line carries whole calls, and parallel calls
 * can come over several lines.
 */
void
cria_chat_message_add_tool_calls (CriaChatMessage *self,
                                  JsonArray       *tool_calls)
{
  guint n;

  g_return_if_fail (CRIA_IS_CHAT_MESSAGE (self));

  n = tool_calls != NULL ? json_array_get_length (tool_calls) : 0;
  if (n == 0)
    return;

  if (self->tool_calls == NULL)
    self->tool_calls = json_array_sized_new (n);

  for (guint i = 0; i < n; i++)
    json_array_add_element (self->tool_calls,
                            json_node_copy (json_array_get_element (tool_calls, i)));

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TOOL_CALLS]);
}

CriaMessageState
cria_chat_message_get_state (CriaChatMessage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (self), 0);

  return self->state;
}

void
cria_chat_message_set_state (CriaChatMessage  *self,
                             CriaMessageState  state)
{
  g_return_if_fail (CRIA_IS_CHAT_MESSAGE (self));

  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATE]);
    }
}

/**
 * cria_chat_message_get_error:
 *
 * Returns: (transfer none) (nullable): why the reply is incomplete or failed
 */
const GError *
cria_chat_message_get_error (CriaChatMessage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (self), NULL);

  return self->error;
}

void
cria_chat_message_set_error (CriaChatMessage *self,
                             const GError    *error)
{
  g_return_if_fail (CRIA_IS_CHAT_MESSAGE (self));

  if (self->error == error)
    return;

  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ERROR]);
}

/**
 * cria_chat_message_get_metrics:
 *
 * Returns: (transfer none) (nullable): the metrics of a finished reply
 */
const CriaChatMetrics *
cria_chat_message_get_metrics (CriaChatMessage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (self), NULL);

  return self->metrics;
}

void
cria_chat_message_set_metrics (CriaChatMessage       *self,
                               const CriaChatMetrics *metrics)
{
  g_return_if_fail (CRIA_IS_CHAT_MESSAGE (self));

  g_clear_pointer (&self->metrics, cria_chat_metrics_free);
  if (metrics != NULL)
    self->metrics = cria_chat_metrics_copy (metrics);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_METRICS]);
}

const char *
cria_chat_message_get_model (CriaChatMessage *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_MESSAGE (self), NULL);

  return self->model;
}

void
cria_chat_message_set_model (CriaChatMessage *self,
                             const char      *model)
{
  g_return_if_fail (CRIA_IS_CHAT_MESSAGE (self));

  if (g_strcmp0 (self->model, model) != 0)
    {
      g_free (self->model);
      self->model = g_strdup (model);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MODEL]);
    }
}
