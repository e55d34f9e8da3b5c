/* cria-window-actions.c: the win.* actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-window-actions"

#include "cria-config.h"

#include "cria-chat-settings-dialog.h"
#include "cria-window-private.h"

static void
cria_window_actions_refresh (GSimpleAction *action,
                             GVariant      *param,
                             gpointer       user_data)
{
  _cria_window_probe_backends (CRIA_WINDOW (user_data));
}

/* win.new-chat: a fresh conversation (Ctrl+N); it is stored with its
 * first message */
static void
cria_window_actions_new_chat (GSimpleAction *action,
                              GVariant      *param,
                              gpointer       user_data)
{
  _cria_window_new_chat (CRIA_WINDOW (user_data));
}

/* win.chat-settings: the current chat's title, system prompt and
 * options; thinking only for a model that can think */
static void
cria_window_actions_chat_settings (GSimpleAction *action,
                                   GVariant      *param,
                                   gpointer       user_data)
{
  CriaWindow *self = CRIA_WINDOW (user_data);
  CriaBackend *backend = cria_chat_session_get_backend (self->session);
  const char *name = cria_chat_session_get_model (self->session);
  CriaModel *model = backend != NULL ? cria_backend_find_model (backend, name) : NULL;
  CriaChatSettingsDialog *dialog;

  dialog = cria_chat_settings_dialog_new (GTK_WINDOW (self), self->session,
                                          model != NULL && cria_model_has_capability (model, "thinking"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static const GActionEntry window_actions[] = {
  { "refresh", cria_window_actions_refresh },
  { "new-chat", cria_window_actions_new_chat },
  { "chat-settings", cria_window_actions_chat_settings },
};

static gboolean
has_model (GBinding     *binding,
           const GValue *from_value,
           GValue       *to_value,
           gpointer      user_data)
{
  g_value_set_boolean (to_value, g_value_get_string (from_value) != NULL);
  return TRUE;
}

/* win.chat-settings is enabled while the current chat has a model; called
 * whenever the window shows another session, and with none at dispose */
void
_cria_window_actions_watch_session (CriaWindow *self)
{
  GAction *action;

  g_return_if_fail (CRIA_IS_WINDOW (self));

  /* The window's reference keeps the binding valid to unbind, even when
   * the session went first */
  if (self->chat_settings_binding != NULL)
    {
      g_binding_unbind (self->chat_settings_binding);
      g_clear_object (&self->chat_settings_binding);
    }

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "chat-settings");
  if (action == NULL || self->session == NULL)
    return;

  self->chat_settings_binding =
    g_object_ref (g_object_bind_property_full (self->session, "model", action, "enabled",
                                               G_BINDING_SYNC_CREATE, has_model, NULL,
                                               NULL, NULL));
}

void
_cria_window_actions_init (CriaWindow *self)
{
  g_return_if_fail (CRIA_IS_WINDOW (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   window_actions,
                                   G_N_ELEMENTS (window_actions),
                                   self);
  _cria_window_actions_watch_session (self);
}
