/* cria-window-actions.c: the win.* actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-window-actions"

#include "cria-config.h"

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

static const GActionEntry window_actions[] = {
  { "refresh", cria_window_actions_refresh },
  { "new-chat", cria_window_actions_new_chat },
};

void
_cria_window_actions_init (CriaWindow *self)
{
  g_return_if_fail (CRIA_IS_WINDOW (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   window_actions,
                                   G_N_ELEMENTS (window_actions),
                                   self);
}
