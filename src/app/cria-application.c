/* cria-application.c: the application
 *
 * Owns the backend registry and the settings, and binds one onto the
 * other: the `backends` key (or $OLLAMA_HOST when it is empty) feeds a
 * static backend provider, `idle-timeout` the registry's stall limit.
 *
 * It also owns the chat store, opened at start-up. A damaged file was moved
 * aside by the store, and the first window says so; a store that cannot be
 * opened at all does not stop Cria: chats are just not saved, and the first
 * window says that.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-application"

#include "cria-config.h"

#include <glib/gi18n.h>

#include "cria-application.h"
#include "cria-settings.h"
#include "cria-window.h"
#include "cria-window-private.h"

struct _CriaApplication
{
  AdwApplication             parent_instance;

  /* Owned References */
  GSettings                 *settings;
  CriaBackendRegistry       *registry;
  CriaStaticBackendProvider *static_provider;
  CriaChatStore             *store;
  char                      *store_problem;   /* for the first window */
};

G_DEFINE_FINAL_TYPE (CriaApplication, cria_application, ADW_TYPE_APPLICATION)

static void
update_backends (CriaApplication *self)
{
  g_auto(GStrv) urls = g_settings_get_strv (self->settings, CRIA_SETTINGS_KEY_BACKENDS);

  if (urls == NULL || urls[0] == NULL)
    {
      g_autofree char *url = cria_ollama_host_dup_default ();
      const char *defaults[] = { url, NULL };

      cria_static_backend_provider_set_urls (self->static_provider, defaults);
    }
  else
    {
      cria_static_backend_provider_set_urls (self->static_provider, (const char * const *) urls);
    }
}

static void
update_idle_timeout (CriaApplication *self)
{
  guint seconds = g_settings_get_uint (self->settings, CRIA_SETTINGS_KEY_IDLE_TIMEOUT);
  guint msec = seconds > G_MAXUINT / 1000 ? G_MAXUINT : seconds * 1000;

  cria_backend_registry_set_idle_timeout (self->registry, msec);
}

static void
settings_changed_cb (CriaApplication *self,
                     const char      *key,
                     GSettings       *settings)
{
  if (g_str_equal (key, CRIA_SETTINGS_KEY_BACKENDS))
    update_backends (self);
  else if (g_str_equal (key, CRIA_SETTINGS_KEY_IDLE_TIMEOUT))
    update_idle_timeout (self);
}

static void
open_store (CriaApplication *self)
{
  g_autoptr(GError) error = NULL;
  const char *recovered_from;

  self->store = cria_chat_store_new (NULL);

  if (!cria_chat_store_open (self->store, &error))
    {
      g_warning ("Could not open the chat store at %s: %s",
                 cria_chat_store_get_path (self->store), error->message);
      /* Translators: %s is the path of a file */
      self->store_problem = g_strdup_printf (_("Chats will not be saved: Cria could not open its chat "
                                               "history at %s"),
                                             cria_chat_store_get_path (self->store));
      g_clear_object (&self->store);
      return;
    }

  if ((recovered_from = cria_chat_store_get_recovered_from (self->store)) != NULL)
    /* Translators: %s is the path of a file */
    self->store_problem = g_strdup_printf (_("The chat history was damaged and could not be read. "
                                             "It was kept at %s, and a new one was started."),
                                           recovered_from);
}

static void
cria_application_quit_action (GSimpleAction *action,
                              GVariant      *param,
                              gpointer       user_data)
{
  CriaApplication *self = CRIA_APPLICATION (user_data);
  g_autoptr(GList) windows = NULL;

  /* Closing each window saves its state and cancels its requests */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (const GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));

  g_application_quit (G_APPLICATION (self));
}

static void
cria_application_about_action (GSimpleAction *action,
                               GVariant      *param,
                               gpointer       user_data)
{
  CriaApplication *self = CRIA_APPLICATION (user_data);
  static const char *developers[] = { "The Cria developers", NULL };
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", window,
                        "modal", TRUE,
                        "application-icon", APP_ID,
                        "application-name", "Cria",
                        "developer-name", _("The Cria developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Chat with the language models of your own Ollama server"),
                        "developers", developers,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);

  gtk_window_present (GTK_WINDOW (about));
}

static void
cria_application_shortcuts_action (GSimpleAction *action,
                                   GVariant      *param,
                                   gpointer       user_data)
{
  CriaApplication *self = CRIA_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

/* app.show-models: what clicking a download notification does */
static void
cria_application_show_models_action (GSimpleAction *action,
                                     GVariant      *param,
                                     gpointer       user_data)
{
  CriaApplication *self = CRIA_APPLICATION (user_data);
  GtkWindow *window;

  g_application_activate (G_APPLICATION (self));

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    return;

  g_action_group_change_action_state (G_ACTION_GROUP (window), "show-models",
                                      g_variant_new_boolean (TRUE));
  gtk_window_present (window);
}

/* app.open-chat(x): what clicking a reply's notification does */
static void
cria_application_open_chat_action (GSimpleAction *action,
                                   GVariant      *param,
                                   gpointer       user_data)
{
  CriaApplication *self = CRIA_APPLICATION (user_data);
  gint64 chat_id = g_variant_get_int64 (param);
  GtkWindow *window;

  g_application_activate (G_APPLICATION (self));
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    return;

  if (chat_id > 0)
    _cria_window_open_chat (CRIA_WINDOW (window), chat_id);
  gtk_window_present (window);
}

static const GActionEntry app_actions[] = {
  { "quit", cria_application_quit_action },
  { "about", cria_application_about_action },
  { "shortcuts", cria_application_shortcuts_action },
  { "show-models", cria_application_show_models_action },
  { "open-chat", cria_application_open_chat_action, "x" },
};

static void
cria_application_startup (GApplication *application)
{
  CriaApplication *self = CRIA_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (cria_application_parent_class)->startup (application);

  gtk_window_set_default_icon_name (APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions,
                                   G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay", shortcuts_accels);

  self->settings = g_settings_new (APP_ID);
  self->registry = cria_backend_registry_new ();
  self->static_provider =
    cria_static_backend_provider_new (cria_backend_registry_get_session (self->registry));

  g_signal_connect_object (self->settings, "changed",
                           G_CALLBACK (settings_changed_cb),
                           self, G_CONNECT_SWAPPED);

  update_idle_timeout (self);
  update_backends (self);
  cria_backend_registry_add_provider (self->registry,
                                      CRIA_BACKEND_PROVIDER (self->static_provider));

  open_store (self);
}

static void
cria_application_activate (GApplication *application)
{
  CriaApplication *self = CRIA_APPLICATION (application);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    {
      window = GTK_WINDOW (cria_window_new (self));

      if (self->store_problem != NULL)
        {
          _cria_window_add_notice (CRIA_WINDOW (window), self->store_problem);
          g_clear_pointer (&self->store_problem, g_free);
        }
    }

  gtk_window_present (window);
}

static void
cria_application_shutdown (GApplication *application)
{
  CriaApplication *self = CRIA_APPLICATION (application);

  if (self->registry != NULL && self->static_provider != NULL)
    cria_backend_registry_remove_provider (self->registry,
                                           CRIA_BACKEND_PROVIDER (self->static_provider));

  /* The windows are gone: the replies they tracked are written one last
   * time */
  if (self->store != NULL)
    cria_chat_store_close (self->store);

  G_APPLICATION_CLASS (cria_application_parent_class)->shutdown (application);
}

static void
cria_application_dispose (GObject *object)
{
  CriaApplication *self = CRIA_APPLICATION (object);

  g_clear_object (&self->static_provider);
  g_clear_object (&self->registry);
  g_clear_object (&self->store);
  g_clear_pointer (&self->store_problem, g_free);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cria_application_parent_class)->dispose (object);
}

static void
cria_application_class_init (CriaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = cria_application_dispose;

  application_class->startup = cria_application_startup;
  application_class->activate = cria_application_activate;
  application_class->shutdown = cria_application_shutdown;
}

static void
cria_application_init (CriaApplication *self)
{
}

/**
 * cria_application_new:
 *
 * Returns: (transfer full): the application, with the resources of
 *   /io/github/cria/Cria in every build (Devel builds keep the path)
 */
CriaApplication *
cria_application_new (void)
{
  return g_object_new (CRIA_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_BASE_PATH,
                       NULL);
}

/**
 * cria_application_get_registry:
 * @self: a #CriaApplication
 *
 * Returns: (transfer none) (nullable): every backend Cria knows, or %NULL
 *   before the application started up
 */
CriaBackendRegistry *
cria_application_get_registry (CriaApplication *self)
{
  g_return_val_if_fail (CRIA_IS_APPLICATION (self), NULL);

  return self->registry;
}

/**
 * cria_application_get_settings:
 * @self: a #CriaApplication
 *
 * Returns: (transfer none) (nullable): the settings, or %NULL before the
 *   application started up
 */
GSettings *
cria_application_get_settings (CriaApplication *self)
{
  g_return_val_if_fail (CRIA_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * cria_application_get_store:
 * @self: a #CriaApplication
 *
 * Returns: (transfer none) (nullable): where chats are saved, or %NULL
 *   before the application started up or when the store could not be
 *   opened
 */
CriaChatStore *
cria_application_get_store (CriaApplication *self)
{
  g_return_val_if_fail (CRIA_IS_APPLICATION (self), NULL);

  return self->store;
}
