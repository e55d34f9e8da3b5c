/* cria-chat-session.c
 *
 * A conversation: a GListModel of CriaChatMessage. Sending appends the
 * user's message and an assistant message that grows as the reply streams;
 * whatever happens to the request, the text already received stays, and the
 * reply is marked complete, incomplete or failed.
 *
 * A session bound to a CriaChatStore saves as it goes: each message the
 * user sends is appended to the chat (created with the first one, which
 * gives it its title), each reply is tracked by the store while it streams,
 * and a change of model or backend is remembered for the chat.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-chat-session"

#include "cria-config.h"

#include "cria-chat-session.h"
#include "cria-chat-session-private.h"
#include "cria-enums.h"
#include "cria-error.h"

struct _CriaChatSession
{
  GObject          parent_instance;

  GPtrArray       *messages;
  CriaBackend     *backend;
  char            *model;
  GCancellable    *cancellable;
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
   * Whether thinking models are asked to think.
   */
  properties [PROP_THINK] =
    g_param_spec_enum ("think", NULL, NULL,
                       CRIA_TYPE_THINK_MODE, CRIA_THINK_MODE_DEFAULT,
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
 * Opens a stored chat: its messages, in order, and its model. The backend
 * is left unset: the caller knows which backend has the chat's backend URL
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
    cria_chat_session_set_model (self, cria_chat_info_get_model (info));

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

/* Remembers the chat's model and backend, once it is stored */
static void
save_model (CriaChatSession *self)
{
  g_autoptr(GError) error = NULL;
  const char *backend_url;

  if (self->store == NULL || self->chat_id == 0)
    return;

  backend_url = self->backend != NULL ? cria_backend_get_base_url (self->backend) : NULL;

  if (!cria_chat_store_set_chat_model (self->store, self->chat_id, backend_url, self->model, &error))
    g_warning ("Could not save the model of chat %" G_GINT64_FORMAT ": %s",
               self->chat_id, error->message);
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
                                             NULL, NULL, &error);
      if (chat_id == 0)
        {
          g_warning ("Could not create a chat: %s", error->message);
          return;
        }

      self->chat_id = chat_id;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CHAT_ID]);
    }
  else if (self->messages->len == 1)
    {
      CriaChatInfo *info = cria_chat_store_lookup_chat (self->store, self->chat_id);
      const char *title = info != NULL ? cria_chat_info_get_title (info) : NULL;

      if (info != NULL && (title == NULL || title[0] == '\0'))
        {
          g_autofree char *new_title = _cria_chat_session_dup_title_for_text (cria_chat_message_get_content (message));

          if (new_title != NULL && !cria_chat_store_rename_chat (self->store, self->chat_id, new_title, &error))
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

  if (self->store == NULL || self->chat_id == 0)
    return;

  if (cria_chat_store_track_reply (self->store, self->chat_id, reply, &error) == 0)
    g_warning ("Could not save the reply of chat %" G_GINT64_FORMAT ": %s",
               self->chat_id, error->message);
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
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_THINK]);
    }
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

/**
 * cria_chat_session_send_async:
 * @text: what the user wrote
 * @images: (nullable) (element-type GBytes): images to attach
 *
 * Appends the user's message and a reply that streams in. Completes when
 * the reply is complete, failed or stopped; the reply message says which.
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
  g_autoptr(CriaChatMessage) message = NULL;
  g_autoptr(CriaChatMessage) reply = NULL;
  g_autoptr(CriaChatRequest) request = NULL;
  SendData *send;

  g_return_if_fail (CRIA_IS_CHAT_SESSION (self));
  g_return_if_fail (text != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cria_chat_session_send_async);

  if (self->busy)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "A reply is still being generated");
      return;
    }

  if (self->backend == NULL || self->model == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               "No model is selected");
      return;
    }

  message = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, text);
  for (guint i = 0; images != NULL && i < images->len; i++)
    cria_chat_message_add_image (message, g_ptr_array_index (images, i));
  append_message (self, message);
  save_sent_message (self, message);

  request = cria_chat_request_new (self->model);
  cria_chat_request_set_think (request, self->think);
  for (guint i = 0; i < self->messages->len; i++)
    {
      CriaChatMessage *item = g_ptr_array_index (self->messages, i);

      /* A failed reply has nothing to tell the model. */
      if (cria_chat_message_get_state (item) == CRIA_MESSAGE_STATE_ERROR)
        continue;
      cria_chat_request_add_message (request, item);
    }

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
                          g_steal_pointer (&task));
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
