/* cria-chat-session.c
 *
 * A conversation: a GListModel of CriaChatMessage. Sending appends the
 * user's message and an assistant message that grows as the reply streams;
 * whatever happens to the request, the text already received stays, and the
 * reply is marked complete, incomplete or failed.
 *
 * Each request carries the chat's settings: the system prompt as a
 * leading system message, the options (temperature, num_ctx, seed) and
 * think. Editing a user message or regenerating the last reply drops the
 * messages after it and asks again with the history before it.
 *
 * A session bound to a CriaChatStore saves as it goes: each message the
 * user sends is appended to the chat (created with the first one, which
 * gives it its title), each reply is tracked by the store while it streams,
 * and a change of model, backend or setting is remembered for the chat.
 * When the first reply of a stored chat is complete, the model is asked,
 * in a separate short request, for a better title than the first line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-chat-session"

#include "cria-config.h"

#include "cria-chat-session.h"
#include "cria-chat-session-private.h"
#include "cria-chat-store-private.h"
#include "cria-enums.h"
#include "cria-error.h"

struct _CriaChatSession
{
  GObject          parent_instance;

  GPtrArray       *messages;
  CriaBackend     *backend;
  char            *model;
  char            *system_prompt;
  JsonObject      *options;
  GCancellable    *cancellable;
  GCancellable    *title_cancellable;
  CriaChatStore   *store;
  gint64           chat_id;
  CriaThinkMode    think;
  gboolean         busy;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CriaChatSession, cria_chat_session, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_BACKEND,
  PROP_MODEL,
  PROP_THINK,
  PROP_SYSTEM_PROMPT,
  PROP_OPTIONS,
  PROP_BUSY,
  PROP_N_ITEMS,
  PROP_STORE,
  PROP_CHAT_ID,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

typedef struct
{
  CriaChatSession *session;
  CriaChatMessage *reply;
  CriaBackend     *backend;
} SendData;

static void
send_data_free (gpointer data)
{
  SendData *send = data;

  g_clear_object (&send->session);
  g_clear_object (&send->reply);
  g_clear_object (&send->backend);
  g_free (send);
}

static GType
list_model_get_item_type (GListModel *model)
{
  return CRIA_TYPE_CHAT_MESSAGE;
}

static guint
list_model_get_n_items (GListModel *model)
{
  return CRIA_CHAT_SESSION (model)->messages->len;
}

static gpointer
list_model_get_item (GListModel *model,
                     guint       position)
{
  CriaChatSession *self = CRIA_CHAT_SESSION (model);

  if (position >= self->messages->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->messages, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_model_get_item_type;
  iface->get_n_items = list_model_get_n_items;
  iface->get_item = list_model_get_item;
}

static void
set_busy (CriaChatSession *self,
          gboolean         busy)
{
  if (self->busy != busy)
    {
      self->busy = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
    }
}

static void
append_message (CriaChatSession *self,
                CriaChatMessage *message)
{
  g_ptr_array_add (self->messages, g_object_ref (message));
  g_list_model_items_changed (G_LIST_MODEL (self), self->messages->len - 1, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_ITEMS]);
}

static void
cria_chat_session_dispose (GObject *object)
{
  CriaChatSession *self = (CriaChatSession *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->title_cancellable);
  g_clear_object (&self->title_cancellable);
  g_clear_object (&self->backend);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cria_chat_session_parent_class)->dispose (object);
}

static void
cria_chat_session_finalize (GObject *object)
{
  CriaChatSession *self = (CriaChatSession *)object;

  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->system_prompt, g_free);
  g_clear_pointer (&self->options, json_object_unref);

  G_OBJECT_CLASS (cria_chat_session_parent_class)->finalize (object);
}

static void
cria_chat_session_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CriaChatSession *self = CRIA_CHAT_SESSION (object);

  switch (prop_id)
    {
    case PROP_BACKEND:
      g_value_set_object (value, self->backend);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_THINK:
      g_value_set_enum (value, self->think);
      break;

    case PROP_SYSTEM_PROMPT:
      g_value_set_string (value, self->system_prompt);
      break;

    case PROP_OPTIONS:
      g_value_set_boxed (value, self->options);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->messages->len);
      break;

    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CHAT_ID:
      g_value_set_int64 (value, self->chat_id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_chat_session_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CriaChatSession *self = CRIA_CHAT_SESSION (object);

  switch (prop_id)
    {
    case PROP_BACKEND:
      cria_chat_session_set_backend (self, g_value_get_object (value));
      break;

    case PROP_MODEL:
      cria_chat_session_set_model (self, g_value_get_string (value));
      break;

    case PROP_THINK:
      cria_chat_session_set_think (self, g_value_get_enum (value));
      break;

    case PROP_SYSTEM_PROMPT:
      cria_chat_session_set_system_prompt (self, g_value_get_string (value));
      break;

    case PROP_OPTIONS:
      cria_chat_session_set_options (self, g_value_get_boxed (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_chat_session_class_init (CriaChatSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cria_chat_session_dispose;
  object_class->finalize = cria_chat_session_finalize;
  object_class->get_property = cria_chat_session_get_property;
  object_class->set_property = cria_chat_session_set_property;

  /**
   * CriaChatSession:backend:
   *
   * The server the conversation talks to.
   */
  properties [PROP_BACKEND] =
    g_param_spec_object ("backend", NULL, NULL, CRIA_TYPE_BACKEND,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatSession:model:
   *
   * The model that answers the next message.
   */
  properties [PROP_MODEL] =
    g_param_spec_string ("model", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatSession:think:
   *
   * Whether thinking models are asked to think. Saved with the chat.
   */
  properties [PROP_THINK] =
    g_param_spec_enum ("think", NULL, NULL,
                       CRIA_TYPE_THINK_MODE, CRIA_THINK_MODE_DEFAULT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatSession:system-prompt:
   *
   * The chat's system prompt, sent as the first message of every request,
   * or %NULL for none (the model's own). Saved with the chat.
   */
  properties [PROP_SYSTEM_PROMPT] =
    g_param_spec_string ("system-prompt", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatSession:options:
   *
   * The chat's model options, sent as `options` with every request:
   * `temperature` (a number), `num_ctx` and `seed` (integers); a missing
   * member means the model's default. %NULL when there are none. Saved
   * with the chat.
   */
  properties [PROP_OPTIONS] =
    g_param_spec_boxed ("options", NULL, NULL, JSON_TYPE_OBJECT,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatSession:busy:
   *
   * Whether a reply is being generated.
   */
  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties [PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatSession:store:
   *
   * Where the conversation is saved, or %NULL when it is not.
   */
  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CRIA_TYPE_CHAT_STORE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatSession:chat-id:
   *
   * The stored chat, or 0 while a bound session has sent nothing yet (the
   * chat is created with the first message, so empty chats are not kept).
   */
  properties [PROP_CHAT_ID] =
    g_param_spec_int64 ("chat-id", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cria_chat_session_init (CriaChatSession *self)
{
  self->messages = g_ptr_array_new_with_free_func (g_object_unref);
}

CriaChatSession *
cria_chat_session_new (void)
{
  return g_object_new (CRIA_TYPE_CHAT_SESSION, NULL);
}

/**
 * cria_chat_session_new_for_chat:
 * @store: an open store
 * @chat_id: a chat of @store
 *
 * Opens a stored chat: its messages, in order, its model and its settings
 * (system prompt, options, think). The backend is left unset: the caller knows which backend has the chat's backend URL
 * (cria_chat_info_get_backend_url()). From then on the session saves to
 * the chat.
 *
 * Returns: (transfer full): the session, or %NULL if the chat could not
 *   be read
 */
CriaChatSession *
cria_chat_session_new_for_chat (CriaChatStore  *store,
                                gint64          chat_id,
                                GError        **error)
{
  g_autoptr(CriaChatSession) self = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  CriaChatInfo *info;

  g_return_val_if_fail (CRIA_IS_CHAT_STORE (store), NULL);
  g_return_val_if_fail (chat_id > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(messages = cria_chat_store_load_messages (store, chat_id, error)))
    return NULL;

  self = cria_chat_session_new ();
  for (guint i = 0; i < messages->len; i++)
    g_ptr_array_add (self->messages, g_object_ref (g_ptr_array_index (messages, i)));

  /* Before the store is bound: loading is not a change to save */
  if ((info = cria_chat_store_lookup_chat (store, chat_id)) != NULL)
    {
      cria_chat_session_set_model (self, cria_chat_info_get_model (info));
      cria_chat_session_set_system_prompt (self, cria_chat_info_get_system_prompt (info));
      cria_chat_session_set_options (self, cria_chat_info_get_options (info));
      cria_chat_session_set_think (self, cria_chat_info_get_think (info));
    }

  cria_chat_session_set_store (self, store, chat_id);

  g_debug ("Opened chat %" G_GINT64_FORMAT ": %u messages", chat_id, self->messages->len);

  return g_steal_pointer (&self);
}

/**
 * cria_chat_session_get_store:
 *
 * Returns: (transfer none) (nullable): where the conversation is saved
 */
CriaChatStore *
cria_chat_session_get_store (CriaChatSession *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), NULL);

  return self->store;
}

/**
 * cria_chat_session_get_chat_id:
 *
 * Returns: the stored chat, or 0 when there is none (yet)
 */
gint64
cria_chat_session_get_chat_id (CriaChatSession *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), 0);

  return self->chat_id;
}

/**
 * cria_chat_session_set_store:
 * @store: (nullable): where to save, or %NULL to stop saving
 * @chat_id: the chat to save to, or 0 to create one with the next message
 *
 * Binds the session to a stored chat. Messages already in the session are
 * not written; cria_chat_session_new_for_chat() opens a chat with its
 * messages.
 */
void
cria_chat_session_set_store (CriaChatSession *self,
                             CriaChatStore   *store,
                             gint64           chat_id)
{
  g_return_if_fail (CRIA_IS_CHAT_SESSION (self));
  g_return_if_fail (!store || CRIA_IS_CHAT_STORE (store));
  g_return_if_fail (chat_id >= 0);

  if (store == NULL)
    chat_id = 0;

  if (g_set_object (&self->store, store))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STORE]);

  if (self->chat_id != chat_id)
    {
      self->chat_id = chat_id;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CHAT_ID]);
    }
}

/* A chat's settings are saved once it is stored; until then, the first
 * message writes them with the chat */
static gboolean
is_stored (CriaChatSession *self)
{
  return self->store != NULL && self->chat_id != 0;
}

static void
warn_not_saved (CriaChatSession *self,
                const char      *what,
                const GError    *error)
{
  g_warning ("Could not save the %s of chat %" G_GINT64_FORMAT ": %s",
             what, self->chat_id, error->message);
}

static void
save_model (CriaChatSession *self)
{
  g_autoptr(GError) error = NULL;
  const char *backend_url = self->backend != NULL ? cria_backend_get_base_url (self->backend) : NULL;

  if (is_stored (self) &&
      !cria_chat_store_set_chat_model (self->store, self->chat_id, backend_url, self->model, &error))
    warn_not_saved (self, "model", error);
}

static void
save_system_prompt (CriaChatSession *self)
{
  g_autoptr(GError) error = NULL;

  if (is_stored (self) &&
      !cria_chat_store_set_chat_system_prompt (self->store, self->chat_id, self->system_prompt, &error))
    warn_not_saved (self, "system prompt", error);
}

static void
save_options (CriaChatSession *self)
{
  g_autoptr(GError) error = NULL;

  if (is_stored (self) &&
      !cria_chat_store_set_chat_options (self->store, self->chat_id, self->options, &error))
    warn_not_saved (self, "options", error);
}

static void
save_think (CriaChatSession *self)
{
  g_autoptr(GError) error = NULL;

  if (is_stored (self) &&
      !cria_chat_store_set_chat_think (self->store, self->chat_id, self->think, &error))
    warn_not_saved (self, "thinking setting", error);
}

/**
 * _cria_chat_session_dup_title_for_text:
 * @text: the first message of a chat
 *
 * A title for a new chat: the first line of @text that is not blank,
 * without the spaces around it, cut at a word to at most
 * %CRIA_CHAT_TITLE_MAX_CHARS characters, "…" included.
 *
 * Returns: (transfer full) (nullable): the title, or %NULL for a blank text
 */
char *
_cria_chat_session_dup_title_for_text (const char *text)
{
  g_autofree char *valid = NULL;
  g_auto(GStrv) lines = NULL;
  const char *line = NULL;
  GString *title;
  glong n_chars;

  if (text == NULL)
    return NULL;

  valid = g_utf8_make_valid (text, -1);
  lines = g_strsplit_set (valid, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL && line == NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0')
        line = lines[i];
    }

  if (line == NULL)
    return NULL;

  n_chars = g_utf8_strlen (line, -1);
  if (n_chars <= CRIA_CHAT_TITLE_MAX_CHARS)
    return g_strdup (line);

  /* Room for the ellipsis; back to the last space if there is one in the
   * second half, so no word is cut */
  title = g_string_new_len (line, g_utf8_offset_to_pointer (line, CRIA_CHAT_TITLE_MAX_CHARS - 1) - line);
  for (const char *p = title->str + title->len;
       p > title->str && g_utf8_pointer_to_offset (title->str, p) > CRIA_CHAT_TITLE_MAX_CHARS / 2;
       p = g_utf8_prev_char (p))
    {
      if (g_unichar_isspace (g_utf8_get_char (p)))
        {
          g_string_truncate (title, p - title->str);
          break;
        }
    }

  while (title->len > 0 && g_ascii_isspace (title->str[title->len - 1]))
    g_string_truncate (title, title->len - 1);
  g_string_append (title, "…");

  return g_string_free (title, FALSE);
}

/* The user's message: into the chat, which the first message creates */
static void
save_sent_message (CriaChatSession *self,
                   CriaChatMessage *message)
{
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;

  if (self->chat_id == 0)
    {
      g_autofree char *title = _cria_chat_session_dup_title_for_text (cria_chat_message_get_content (message));
      const char *backend_url = self->backend != NULL ? cria_backend_get_base_url (self->backend) : NULL;
      gint64 chat_id;

      chat_id = cria_chat_store_create_chat (self->store, title, backend_url, self->model,
                                             self->system_prompt, self->options, &error);
      if (chat_id == 0)
        {
          g_warning ("Could not create a chat: %s", error->message);
          return;
        }

      self->chat_id = chat_id;
      save_think (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CHAT_ID]);
    }
  else if (self->messages->len == 1)
    {
      CriaChatInfo *info = cria_chat_store_lookup_chat (self->store, self->chat_id);
      const char *title = info != NULL ? cria_chat_info_get_title (info) : NULL;

      if (info != NULL && (title == NULL || title[0] == '\0'))
        {
          g_autofree char *new_title = _cria_chat_session_dup_title_for_text (cria_chat_message_get_content (message));

          if (new_title != NULL &&
              !cria_chat_store_set_generated_title (self->store, self->chat_id, new_title, &error))
            {
              g_warning ("Could not name chat %" G_GINT64_FORMAT ": %s", self->chat_id, error->message);
              g_clear_error (&error);
            }
        }
    }

  if (cria_chat_store_append_message (self->store, self->chat_id, message, &error) == 0)
    g_warning ("Could not save a message of chat %" G_GINT64_FORMAT ": %s",
               self->chat_id, error->message);
}

/* The reply: saved while it streams, and once more when it ends */
static void
save_reply (CriaChatSession *self,
            CriaChatMessage *reply)
{
  g_autoptr(GError) error = NULL;

  if (is_stored (self) &&
      cria_chat_store_track_reply (self->store, self->chat_id, reply, &error) == 0)
    warn_not_saved (self, "reply", error);
}

/**
 * cria_chat_session_get_backend:
 *
 * Returns: (transfer none) (nullable): the backend
 */
CriaBackend *
cria_chat_session_get_backend (CriaChatSession *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), NULL);

  return self->backend;
}

void
cria_chat_session_set_backend (CriaChatSession *self,
                               CriaBackend     *backend)
{
  g_return_if_fail (CRIA_IS_CHAT_SESSION (self));
  g_return_if_fail (!backend || CRIA_IS_BACKEND (backend));

  if (g_set_object (&self->backend, backend))
    {
      save_model (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BACKEND]);
    }
}

const char *
cria_chat_session_get_model (CriaChatSession *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), NULL);

  return self->model;
}

void
cria_chat_session_set_model (CriaChatSession *self,
                             const char      *model)
{
  g_return_if_fail (CRIA_IS_CHAT_SESSION (self));

  if (model != NULL && model[0] == '\0')
    model = NULL;

  if (g_strcmp0 (self->model, model) != 0)
    {
      g_free (self->model);
      self->model = g_strdup (model);
      save_model (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MODEL]);
    }
}

CriaThinkMode
cria_chat_session_get_think (CriaChatSession *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), CRIA_THINK_MODE_DEFAULT);

  return self->think;
}

void
cria_chat_session_set_think (CriaChatSession *self,
                             CriaThinkMode    think)
{
  g_return_if_fail (CRIA_IS_CHAT_SESSION (self));

  if (self->think != think)
    {
      self->think = think;
      save_think (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_THINK]);
    }
}

/**
 * cria_chat_session_get_system_prompt:
 *
 * Returns: (nullable): the system prompt, or %NULL for none
 */
const char *
cria_chat_session_get_system_prompt (CriaChatSession *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), NULL);

  return self->system_prompt;
}

/**
 * cria_chat_session_set_system_prompt:
 * @system_prompt: (nullable): the system prompt; %NULL or "" for none
 */
void
cria_chat_session_set_system_prompt (CriaChatSession *self,
                                     const char      *system_prompt)
{
  g_return_if_fail (CRIA_IS_CHAT_SESSION (self));

  if (system_prompt != NULL && system_prompt[0] == '\0')
    system_prompt = NULL;

  if (g_strcmp0 (self->system_prompt, system_prompt) != 0)
    {
      g_free (self->system_prompt);
      self->system_prompt = g_strdup (system_prompt);
      save_system_prompt (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SYSTEM_PROMPT]);
    }
}

/**
 * cria_chat_session_get_options:
 *
 * Returns: (transfer none) (nullable): the options, or %NULL for none; do
 *   not modify them, set new ones with cria_chat_session_set_options()
 */
JsonObject *
cria_chat_session_get_options (CriaChatSession *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), NULL);

  return self->options;
}

/**
 * cria_chat_session_set_options:
 * @options: (nullable): model options, see #CriaChatSession:options;
 *   %NULL or an empty object for none
 *
 * Replaces the options. They are copied.
 */
void
cria_chat_session_set_options (CriaChatSession *self,
                               JsonObject      *options)
{
  JsonObject *copy = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  g_return_if_fail (CRIA_IS_CHAT_SESSION (self));

  if (options != NULL && json_object_get_size (options) == 0)
    options = NULL;

  if (options == NULL ? self->options == NULL
                      : self->options != NULL && json_object_equal (options, self->options))
    return;

  if (options != NULL)
    {
      copy = json_object_new ();
      json_object_iter_init (&iter, options);
      while (json_object_iter_next (&iter, &name, &value))
        json_object_set_member (copy, name, json_node_copy (value));
    }

  g_clear_pointer (&self->options, json_object_unref);
  self->options = copy;
  save_options (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_OPTIONS]);
}

gboolean
cria_chat_session_get_busy (CriaChatSession *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), FALSE);

  return self->busy;
}

/**
 * cria_chat_session_can_send:
 *
 * Returns: whether a message can be sent now: a model is chosen and no
 *   reply is being generated
 */
gboolean
cria_chat_session_can_send (CriaChatSession *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), FALSE);

  return !self->busy && self->backend != NULL && self->model != NULL;
}

static void
chunk_cb (const CriaChatChunk *chunk,
          gpointer             user_data)
{
  CriaChatMessage *reply = user_data;

  cria_chat_message_append_thinking (reply, chunk->thinking);
  cria_chat_message_append_content (reply, chunk->content);
  if (chunk->tool_calls != NULL)
    cria_chat_message_add_tool_calls (reply, chunk->tool_calls);
}

/* Titles ---------------------------------------------------------------- */

/* How many tokens the model may spend on a title, and how much of the
 * first exchange it is shown */
#define TITLE_MAX_TOKENS    48
#define TITLE_EXCERPT_CHARS 1500

/* What is stripped around a title the model wrote: Markdown marks,
 * quotes, and a full stop at the end */
#define TITLE_WRAPPERS "#*_`\"'“”‘’«»„"

/* The request holds neither the session, which cancels it when disposed,
 * nor the store, which may close first. */
typedef struct
{
  GWeakRef  store;
  gint64    chat_id;
  GString  *text;
} TitleData;

static void
title_data_free (TitleData *data)
{
  g_weak_ref_clear (&data->store);
  g_string_free (data->text, TRUE);
  g_free (data);
}

static gboolean
strip_title_line (char **line)
{
  char *start = *line;
  char *end;
  gboolean changed = FALSE;

  while (*start != '\0' &&
         (g_unichar_isspace (g_utf8_get_char (start)) ||
          g_utf8_strchr (TITLE_WRAPPERS, -1, g_utf8_get_char (start)) != NULL))
    {
      start = g_utf8_next_char (start);
      changed = TRUE;
    }

  if (g_ascii_strncasecmp (start, "title:", 6) == 0)
    {
      start += 6;
      changed = TRUE;
    }

  end = start + strlen (start);
  while (end > start)
    {
      char *prev = g_utf8_prev_char (end);
      gunichar c = g_utf8_get_char (prev);

      if (!g_unichar_isspace (c) && c != '.' && g_utf8_strchr (TITLE_WRAPPERS, -1, c) == NULL)
        break;
      end = prev;
      changed = TRUE;
    }
  *end = '\0';

  *line = start;
  return changed;
}

/**
 * _cria_chat_session_dup_title_for_reply:
 * @text: what the model answered when asked for a title
 *
 * The title in a model's answer: without `<think>` blocks, the first line
 * with words, without Markdown marks, quotes, a "Title:" label or a full
 * stop, cut like _cria_chat_session_dup_title_for_text().
 *
 * Returns: (transfer full) (nullable): the title, or %NULL when there is
 *   none
 */
char *
_cria_chat_session_dup_title_for_reply (const char *text)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) visible = NULL;
  g_auto(GStrv) lines = NULL;
  const char *p;
  const char *open;

  if (text == NULL)
    return NULL;

  valid = g_utf8_make_valid (text, -1);
  visible = g_string_new (NULL);

  /* An unclosed block runs to the end: it was all thinking */
  for (p = valid; (open = strstr (p, "<think>")) != NULL; )
    {
      const char *close = strstr (open, "</think>");

      g_string_append_len (visible, p, open - p);
      if (close == NULL)
        {
          p = NULL;
          break;
        }
      p = close + strlen ("</think>");
    }
  if (p != NULL)
    g_string_append (visible, p);

  lines = g_strsplit_set (visible->str, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];

      while (strip_title_line (&line))
        ;

      if (line[0] != '\0')
        return _cria_chat_session_dup_title_for_text (line);
    }

  return NULL;
}

static char *
dup_excerpt (CriaChatMessage *message)
{
  const char *content = cria_chat_message_get_content (message);

  g_autofree char *start = NULL;

  if (g_utf8_strlen (content, -1) <= TITLE_EXCERPT_CHARS)
    return g_strdup (content);

  start = g_utf8_substring (content, 0, TITLE_EXCERPT_CHARS);
  return g_strconcat (start, "…", NULL);
}

static void
title_chunk_cb (const CriaChatChunk *chunk,
                gpointer             user_data)
{
  GString *text = user_data;

  /* Thinking, when a model thinks anyway, is not the title */
  g_string_append (text, chunk->content);
}

static void
title_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  TitleData *data = user_data;
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(CriaChatStore) store = g_weak_ref_get (&data->store);
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;

  metrics = cria_client_chat_finish (CRIA_CLIENT (object), result, &error);
  if (metrics == NULL)
    g_debug ("No title for chat %" G_GINT64_FORMAT ": %s", data->chat_id, error->message);
  else if ((title = _cria_chat_session_dup_title_for_reply (data->text->str)) == NULL)
    g_debug ("No title for chat %" G_GINT64_FORMAT " in an answer of %" G_GSIZE_FORMAT " bytes",
             data->chat_id, data->text->len);
  else if (store == NULL)
    g_debug ("No store for the title of chat %" G_GINT64_FORMAT, data->chat_id);
  else if (!cria_chat_store_set_generated_title (store, data->chat_id, title, &error))
    g_debug ("Could not save the title of chat %" G_GINT64_FORMAT ": %s",
             data->chat_id, error->message);
  else
    g_debug ("Titled chat %" G_GINT64_FORMAT, data->chat_id);

  title_data_free (data);
}

/* After the first reply of a stored chat, asks the same model for a title
 * of a few words, in a short request of its own: no thinking, a few
 * tokens, the chat's context length (another one would reload the model).
 * It never makes the session busy, and a failure only leaves the first
 * line as the title. */
static void
generate_title (CriaChatSession *self,
                CriaBackend     *backend,
                CriaChatMessage *reply)
{
  g_autoptr(CriaChatRequest) request = NULL;
  g_autoptr(CriaChatMessage) prompt = NULL;
  g_autofree char *question = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *text = NULL;
  const char *model = cria_chat_message_get_model (reply);
  CriaChatInfo *info;
  JsonNode *num_ctx;
  TitleData *data;

  if (!is_stored (self) || self->messages->len != 2 ||
      g_ptr_array_index (self->messages, 1) != reply)
    return;

  info = cria_chat_store_lookup_chat (self->store, self->chat_id);
  if (info == NULL || _cria_chat_info_get_user_title (info))
    return;

  if (model == NULL)
    model = self->model;
  if (model == NULL)
    return;

  question = dup_excerpt (g_ptr_array_index (self->messages, 0));
  answer = dup_excerpt (reply);
  text = g_strdup_printf ("Write a title of three to six words for the conversation below, "
                          "in the language of the conversation. Answer with the title "
                          "alone: no quotes, no Markdown, no full stop.\n\n"
                          "User:\n%s\n\nAssistant:\n%s",
                          question, answer);
  prompt = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, text);

  request = cria_chat_request_new (model);
  cria_chat_request_set_think (request, CRIA_THINK_MODE_OFF);
  cria_chat_request_set_option_int (request, "num_predict", TITLE_MAX_TOKENS);
  if (self->options != NULL &&
      (num_ctx = json_object_get_member (self->options, "num_ctx")) != NULL &&
      json_node_get_value_type (num_ctx) == G_TYPE_INT64)
    cria_chat_request_set_option_int (request, "num_ctx", json_node_get_int (num_ctx));
  cria_chat_request_add_message (request, prompt);

  data = g_new0 (TitleData, 1);
  g_weak_ref_init (&data->store, self->store);
  data->chat_id = self->chat_id;
  data->text = g_string_new (NULL);

  g_cancellable_cancel (self->title_cancellable);
  g_clear_object (&self->title_cancellable);
  self->title_cancellable = g_cancellable_new ();

  g_debug ("Asking for a title of chat %" G_GINT64_FORMAT, self->chat_id);

  cria_client_chat_async (cria_backend_get_client (backend),
                          request,
                          title_chunk_cb, data->text, NULL,
                          self->title_cancellable,
                          title_cb,
                          data);
}

/* Replies --------------------------------------------------------------- */

static void
chat_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *send = g_task_get_task_data (task);
  CriaChatSession *self = send->session;
  g_autoptr(CriaChatMetrics) metrics = NULL;
  g_autoptr(GError) error = NULL;

  metrics = cria_client_chat_finish (CRIA_CLIENT (object), result, &error);

  g_clear_object (&self->cancellable);

  if (metrics != NULL)
    {
      g_debug ("Reply complete: %" G_GINT64_FORMAT " tokens", metrics->eval_count);
      cria_chat_message_set_metrics (send->reply, metrics);
      cria_chat_message_set_state (send->reply, CRIA_MESSAGE_STATE_COMPLETE);
      set_busy (self, FALSE);
      generate_title (self, send->backend, send->reply);
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_debug ("Reply failed after %" G_GSIZE_FORMAT " bytes: %s",
           cria_chat_message_get_content_length (send->reply), error->message);

  /* Keep what arrived: a cut reply is incomplete, not gone. */
  cria_chat_message_set_error (send->reply, error);
  if (cria_chat_message_get_content_length (send->reply) > 0 ||
      cria_chat_message_get_thinking_length (send->reply) > 0 ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    cria_chat_message_set_state (send->reply, CRIA_MESSAGE_STATE_INCOMPLETE);
  else
    cria_chat_message_set_state (send->reply, CRIA_MESSAGE_STATE_ERROR);

  if (send->backend != NULL)
    cria_backend_report_error (send->backend, error);

  set_busy (self, FALSE);
  g_task_return_error (task, g_steal_pointer (&error));
}

/* The request for the next reply: the system prompt, the history, the
 * chat's options and think */
static CriaChatRequest *
build_request (CriaChatSession *self)
{
  CriaChatRequest *request = cria_chat_request_new (self->model);

  cria_chat_request_set_think (request, self->think);
  cria_chat_request_set_options (request, self->options);

  if (self->system_prompt != NULL)
    {
      g_autoptr(CriaChatMessage) system = NULL;

      system = cria_chat_message_new (CRIA_MESSAGE_ROLE_SYSTEM, self->system_prompt);
      cria_chat_request_add_message (request, system);
    }

  for (guint i = 0; i < self->messages->len; i++)
    {
      CriaChatMessage *item = g_ptr_array_index (self->messages, i);

      /* A failed reply has nothing to tell the model. */
      if (cria_chat_message_get_state (item) == CRIA_MESSAGE_STATE_ERROR)
        continue;
      cria_chat_request_add_message (request, item);
    }

  return request;
}

/* Fails @task unless a reply can be asked for now. */
static gboolean
check_ready (CriaChatSession *self,
             GTask           *task)
{
  if (self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "A reply is still being generated");
      return FALSE;
    }

  if (self->backend == NULL || self->model == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               "No model is selected");
      return FALSE;
    }

  return TRUE;
}

/* Appends a reply to the history as it is and streams it in; @task
 * completes when it is complete, failed or stopped. */
static void
start_reply (CriaChatSession *self,
             GTask           *task)
{
  g_autoptr(CriaChatMessage) reply = NULL;
  g_autoptr(CriaChatRequest) request = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);
  SendData *send;

  request = build_request (self);

  reply = cria_chat_message_new (CRIA_MESSAGE_ROLE_ASSISTANT, NULL);
  cria_chat_message_set_model (reply, self->model);
  cria_chat_message_set_state (reply, CRIA_MESSAGE_STATE_STREAMING);
  append_message (self, reply);
  save_reply (self, reply);

  send = g_new0 (SendData, 1);
  send->session = g_object_ref (self);
  send->reply = g_object_ref (reply);
  send->backend = g_object_ref (self->backend);
  g_task_set_task_data (task, send, send_data_free);

  self->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled",
                             G_CALLBACK (g_cancellable_cancel), self->cancellable,
                             G_CONNECT_SWAPPED);

  set_busy (self, TRUE);

  cria_client_chat_async (cria_backend_get_client (self->backend),
                          request,
                          chunk_cb, g_object_ref (reply), g_object_unref,
                          self->cancellable,
                          chat_cb,
                          g_object_ref (task));
}

/* Appends the user's message, saved, and asks for the reply. */
static void
send_message (CriaChatSession *self,
              const char      *text,
              GPtrArray       *images,
              GTask           *task)
{
  g_autoptr(CriaChatMessage) message = NULL;

  message = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, text);
  for (guint i = 0; images != NULL && i < images->len; i++)
    cria_chat_message_add_image (message, g_ptr_array_index (images, i));
  append_message (self, message);
  save_sent_message (self, message);

  start_reply (self, task);
}

/* Removes the messages from @position to the end, from the chat first:
 * when the store fails, nothing changes. */
static gboolean
remove_messages_from (CriaChatSession  *self,
                      guint             position,
                      GError          **error)
{
  guint n_removed = self->messages->len - position;

  g_assert (position <= self->messages->len);

  if (n_removed == 0)
    return TRUE;

  if (self->store != NULL && self->chat_id != 0 &&
      !cria_chat_store_delete_messages_from (self->store, self->chat_id, position, error))
    return FALSE;

  g_ptr_array_remove_range (self->messages, position, n_removed);
  g_list_model_items_changed (G_LIST_MODEL (self), position, n_removed, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_ITEMS]);

  return TRUE;
}

/**
 * cria_chat_session_send_async:
 * @text: what the user wrote
 * @images: (nullable) (element-type GBytes): images to attach
 *
 * Appends the user's message and a reply that streams in. Completes when
 * the reply is complete, failed or stopped; the reply message says which.
 * Fails with %G_IO_ERROR_PENDING while a reply is being generated.
 */
void
cria_chat_session_send_async (CriaChatSession     *self,
                              const char          *text,
                              GPtrArray           *images,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CRIA_IS_CHAT_SESSION (self));
  g_return_if_fail (text != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_chat_session_send_async);

  if (!check_ready (self, task))
    return;

  send_message (self, text, images, task);
}

gboolean
cria_chat_session_send_finish (CriaChatSession  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * cria_chat_session_edit_async:
 * @position: the position of a user message
 * @text: the message's new text
 * @images: (nullable) (element-type GBytes): images to attach
 *
 * Sends a user message again, changed: the message at @position and every
 * later one are removed, from the chat too, then @text is sent as with
 * cria_chat_session_send_async(). Fails with %G_IO_ERROR_PENDING while a
 * reply is being generated, and with %G_IO_ERROR_INVALID_ARGUMENT when
 * @position is not a user message.
 */
void
cria_chat_session_edit_async (CriaChatSession     *self,
                              guint                position,
                              const char          *text,
                              GPtrArray           *images,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (CRIA_IS_CHAT_SESSION (self));
  g_return_if_fail (text != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_chat_session_edit_async);

  if (!check_ready (self, task))
    return;

  if (position >= self->messages->len ||
      cria_chat_message_get_role (g_ptr_array_index (self->messages, position)) != CRIA_MESSAGE_ROLE_USER)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Message %u is not a message of the user", position);
      return;
    }

  if (!remove_messages_from (self, position, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_debug ("Sending message %u again, edited", position);

  send_message (self, text, images, task);
}

gboolean
cria_chat_session_edit_finish (CriaChatSession  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * cria_chat_session_can_regenerate:
 *
 * Returns: whether the last reply can be asked for again now: the last
 *   message is a reply, none is being generated, and a model is chosen
 */
gboolean
cria_chat_session_can_regenerate (CriaChatSession *self)
{
  CriaChatMessage *last;

  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), FALSE);

  if (!cria_chat_session_can_send (self) || self->messages->len == 0)
    return FALSE;

  last = g_ptr_array_index (self->messages, self->messages->len - 1);
  return cria_chat_message_get_role (last) == CRIA_MESSAGE_ROLE_ASSISTANT;
}

/**
 * cria_chat_session_regenerate_async:
 *
 * Asks for the last reply again: it is removed, from the chat too, and a
 * new one streams in from the same history. Completes as
 * cria_chat_session_send_async() does. Fails with %G_IO_ERROR_PENDING
 * while a reply is being generated, and with %G_IO_ERROR_INVALID_ARGUMENT
 * when the last message is not a reply.
 */
void
cria_chat_session_regenerate_async (CriaChatSession     *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  guint last;

  g_return_if_fail (CRIA_IS_CHAT_SESSION (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_chat_session_regenerate_async);

  if (!check_ready (self, task))
    return;

  last = self->messages->len - 1;
  if (self->messages->len == 0 ||
      cria_chat_message_get_role (g_ptr_array_index (self->messages, last)) != CRIA_MESSAGE_ROLE_ASSISTANT)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "The last message is not a reply");
      return;
    }

  if (!remove_messages_from (self, last, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_debug ("Asking for reply %u again", last);

  start_reply (self, task);
}

gboolean
cria_chat_session_regenerate_finish (CriaChatSession  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * cria_chat_session_delete_message:
 * @position: the message's position
 *
 * Removes one message, from the chat too. Fails with
 * %G_IO_ERROR_PENDING while a reply is being generated.
 */
gboolean
cria_chat_session_delete_message (CriaChatSession  *self,
                                  guint             position,
                                  GError          **error)
{
  CriaChatMessage *message;

  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->busy)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                           "A reply is still being generated");
      return FALSE;
    }

  if (position >= self->messages->len)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "There is no message %u", position);
      return FALSE;
    }

  message = g_ptr_array_index (self->messages, position);
  if (self->store != NULL && self->chat_id != 0 &&
      cria_chat_store_get_message_id (message) != 0 &&
      !cria_chat_store_delete_message (self->store, message, error))
    return FALSE;

  g_ptr_array_remove_index (self->messages, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_ITEMS]);

  return TRUE;
}

/**
 * cria_chat_session_stop:
 *
 * Stops the reply being generated: the request is closed, which tells
 * Ollama to stop. What arrived stays, marked incomplete.
 */
void
cria_chat_session_stop (CriaChatSession *self)
{
  g_return_if_fail (CRIA_IS_CHAT_SESSION (self));

  if (self->cancellable != NULL)
    {
      g_debug ("Stopping the reply");
      g_cancellable_cancel (self->cancellable);
    }
}

/**
 * cria_chat_session_clear:
 *
 * Stops any reply and removes every message.
 */
void
cria_chat_session_clear (CriaChatSession *self)
{
  guint n;

  g_return_if_fail (CRIA_IS_CHAT_SESSION (self));

  cria_chat_session_stop (self);

  n = self->messages->len;
  if (n == 0)
    return;

  g_ptr_array_set_size (self->messages, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_ITEMS]);
}
