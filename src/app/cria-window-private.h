/* cria-window-private.h: the insides of CriaWindow, for its other files
 * and for the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-chat-list.h"
#include "cria-chat-page.h"
#include "cria-models-page.h"
#include "cria-window.h"

G_BEGIN_DECLS

struct _CriaWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template Widgets */
  AdwHeaderBar         *header_bar;
  GtkStack             *title_stack;
  GtkDropDown          *model_dropdown;
  GtkMenuButton        *primary_menu_button;
  GtkToggleButton      *models_button;
  GtkToggleButton      *sidebar_button;
  AdwToastOverlay      *toast_overlay;
  AdwFlap              *flap;
  CriaChatList         *chat_list;
  GtkStack             *main_stack;
  GtkStack             *stack;
  GtkSpinner           *connecting_spinner;
  AdwStatusPage        *offline_page;
  GtkLabel             *offline_error_label;
  GtkLabel             *offline_retry_label;
  GtkButton            *retry_button;
  GtkButton            *refresh_button;
  GtkButton            *browse_models_button;
  AdwStatusPage        *no_models_page;
  CriaChatPage         *chat_page;
  CriaModelsPage       *models_page;

  /* Owned References */
  CriaBackendRegistry  *registry;
  GSettings            *settings;
  CriaChatSession      *session;
  GCancellable         *cancellable;
  GPtrArray            *backends;         /* of CriaBackend, watched */
  GtkListItemFactory   *list_factory;
  CriaChatStore        *store;            /* NULL when chats are not saved */
  char                 *last_toast;       /* for the tests */
  AdwToast             *last_undo_toast;  /* for the tests */
  GPtrArray            *background;       /* of CriaChatSession: replies of chats left */
  GPtrArray            *notifications;    /* of char *: ids of those sent */
  GBinding             *chat_settings_binding; /* session → win.chat-settings */

  /* Borrowed References */
  GListModel           *models;           /* the registry's, flattened */
  GtkWindow            *shortcuts_window; /* (nullable): made when first shown */

  guint                 countdown_id;
  guint                 toast_idle_id;
  guint                 selecting : 1;
  guint                 models_changing : 1;
  guint                 show_backend_titles : 1;
};

void _cria_window_actions_init   (CriaWindow *self);
void _cria_window_actions_watch_session (CriaWindow *self);
void _cria_window_probe_backends (CriaWindow *self);

CriaModelsPage *_cria_window_ensure_models_page (CriaWindow *self);
void            _cria_window_new_chat           (CriaWindow *self);
void            _cria_window_add_notice         (CriaWindow *self,
                                                 const char *title);
const char     *_cria_window_get_last_toast     (CriaWindow *self);

/* Chats (cria-window-chats.c and cria-window.c) */
void            _cria_window_chats_init         (CriaWindow *self);
void            _cria_window_chats_dispose      (CriaWindow *self);
gboolean        _cria_window_open_chat          (CriaWindow *self,
                                                 gint64      chat_id);
void            _cria_window_reply_finished     (CriaWindow      *self,
                                                 CriaChatSession *session);
void            _cria_window_export_chat        (CriaWindow           *self,
                                                 gint64                chat_id,
                                                 CriaChatExportFormat  format,
                                                 GFile                *file);
void            _cria_window_import_chat        (CriaWindow *self,
                                                 GFile      *file);
AdwToast       *_cria_window_get_undo_toast     (CriaWindow *self);

G_END_DECLS
