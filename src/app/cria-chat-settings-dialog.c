/* cria-chat-settings-dialog.c: the settings of one chat
 *
 * The title, system prompt and model options of the chat a session holds,
 * applied as they are changed: switches and numbers at once, text after a
 * pause in typing (and when the dialog closes). Every option has a switch;
 * switched off, the model's default applies, and the value is forgotten.
 * Thinking is offered only for models that can think.
 *
 * The session saves its settings to its chat (CriaChatSession); the title
 * is the chat's in the store, and renaming it here makes it the user's, so
 * a generated title never replaces it. A chat not stored yet has no title
 * to rename.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-chat-settings-dialog"

#include "cria-config.h"

#include <glib/gi18n.h>

#include "cria-a11y.h"
#include "cria-chat-settings-dialog.h"
#include "cria-chat-settings-dialog-private.h"

/* How long typing pauses before text is saved */
#define SAVE_DELAY_MS 500

struct _CriaChatSettingsDialog
{
  AdwPreferencesWindow  parent_instance;

  /* Template Widgets */
  AdwPreferencesGroup  *title_group;
  AdwEntryRow          *title_row;
  AdwPreferencesGroup  *options_group;
  GtkTextView          *system_view;
  GtkSwitch            *temperature_switch;
  GtkSpinButton        *temperature_spin;
  GtkSwitch            *context_switch;
  GtkSpinButton        *context_spin;
  GtkSwitch            *seed_switch;
  GtkSpinButton        *seed_spin;
  AdwActionRow         *think_row;
  GtkSwitch            *think_switch;

  /* Owned References */
  CriaChatSession      *session;

  /* Borrowed References */
  CriaChatInfo         *watched_info;   /* weak: its title is followed */

  guint                 title_save_id;
  guint                 system_save_id;
  guint                 can_think : 1;
  guint                 loading : 1;
};

G_DEFINE_FINAL_TYPE (CriaChatSettingsDialog, cria_chat_settings_dialog, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_CAN_THINK,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* Title ----------------------------------------------------------------- */

static CriaChatInfo *
lookup_chat (CriaChatSettingsDialog *self)
{
  CriaChatStore *store = cria_chat_session_get_store (self->session);
  gint64 chat_id = cria_chat_session_get_chat_id (self->session);

  if (store == NULL || chat_id == 0)
    return NULL;

  return cria_chat_store_lookup_chat (store, chat_id);
}

static void
save_title (CriaChatSettingsDialog *self)
{
  g_autofree char *title = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row)));
  g_autoptr(GError) error = NULL;
  CriaChatInfo *info = lookup_chat (self);

  g_clear_handle_id (&self->title_save_id, g_source_remove);

  g_strstrip (title);

  /* An empty title is no title: keep the one there is. An unchanged one
   * stays generated, free to be improved. */
  if (info == NULL || title[0] == '\0' || g_str_equal (title, cria_chat_info_get_title (info)))
    return;

  if (!cria_chat_store_rename_chat (cria_chat_session_get_store (self->session),
                                    cria_chat_info_get_id (info), title, &error))
    g_warning ("Could not rename chat %" G_GINT64_FORMAT ": %s",
               cria_chat_info_get_id (info), error->message);
}

static gboolean
save_title_cb (gpointer user_data)
{
  CriaChatSettingsDialog *self = user_data;

  self->title_save_id = 0;
  save_title (self);

  return G_SOURCE_REMOVE;
}

static void
title_changed_cb (CriaChatSettingsDialog *self)
{
  g_assert (CRIA_IS_CHAT_SETTINGS_DIALOG (self));

  if (self->loading)
    return;

  g_clear_handle_id (&self->title_save_id, g_source_remove);
  self->title_save_id = g_timeout_add (SAVE_DELAY_MS, save_title_cb, self);
}

static void
title_activated_cb (CriaChatSettingsDialog *self)
{
  g_assert (CRIA_IS_CHAT_SETTINGS_DIALOG (self));

  save_title (self);
}

/* The title row shows while the chat is stored: from its first message.
 * It follows the title (a generated one may come) unless the user types. */
static void
update_title_row (CriaChatSettingsDialog *self)
{
  CriaChatInfo *info;

  if (self->session == NULL)
    return;

  info = lookup_chat (self);
  gtk_widget_set_visible (GTK_WIDGET (self->title_group), info != NULL);

  if (info != NULL && info != self->watched_info)
    {
      g_set_weak_pointer (&self->watched_info, info);
      g_signal_connect_object (info, "notify::title",
                               G_CALLBACK (update_title_row), self, G_CONNECT_SWAPPED);
    }

  if (info != NULL && self->title_save_id == 0 &&
      g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->title_row)),
                 cria_chat_info_get_title (info)) != 0)
    {
      self->loading = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->title_row), cria_chat_info_get_title (info));
      self->loading = FALSE;
    }
}

/* System prompt --------------------------------------------------------- */

static void
save_system_prompt (CriaChatSettingsDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->system_view);
  g_autofree char *text = NULL;
  g_autofree char *stripped = NULL;
  GtkTextIter begin, end;

  g_clear_handle_id (&self->system_save_id, g_source_remove);

  gtk_text_buffer_get_bounds (buffer, &begin, &end);
  text = gtk_text_buffer_get_text (buffer, &begin, &end, FALSE);

  /* Only white space is no prompt */
  stripped = g_strstrip (g_strdup (text));
  cria_chat_session_set_system_prompt (self->session, stripped[0] != '\0' ? text : NULL);
}

static gboolean
save_system_prompt_cb (gpointer user_data)
{
  CriaChatSettingsDialog *self = user_data;

  self->system_save_id = 0;
  save_system_prompt (self);

  return G_SOURCE_REMOVE;
}

static void
system_changed_cb (CriaChatSettingsDialog *self)
{
  g_assert (CRIA_IS_CHAT_SETTINGS_DIALOG (self));

  if (self->loading)
    return;

  g_clear_handle_id (&self->system_save_id, g_source_remove);
  self->system_save_id = g_timeout_add (SAVE_DELAY_MS, save_system_prompt_cb, self);
}

/* Options --------------------------------------------------------------- */

static void
save_options (CriaChatSettingsDialog *self)
{
  g_autoptr(JsonObject) options = json_object_new ();

  if (gtk_switch_get_active (self->temperature_switch))
    {
      /* The spin button shows two digits: send what it shows */
      double value = (gint64) (gtk_spin_button_get_value (self->temperature_spin) * 100 + 0.5) / 100.0;

      json_object_set_double_member (options, "temperature", value);
    }

  if (gtk_switch_get_active (self->context_switch))
    json_object_set_int_member (options, "num_ctx",
                                gtk_spin_button_get_value_as_int (self->context_spin));

  if (gtk_switch_get_active (self->seed_switch))
    json_object_set_int_member (options, "seed",
                                gtk_spin_button_get_value_as_int (self->seed_spin));

  cria_chat_session_set_options (self->session, options);
}

static void
option_changed_cb (CriaChatSettingsDialog *self)
{
  g_assert (CRIA_IS_CHAT_SETTINGS_DIALOG (self));

  if (!self->loading)
    save_options (self);
}

static void
think_changed_cb (CriaChatSettingsDialog *self)
{
  g_assert (CRIA_IS_CHAT_SETTINGS_DIALOG (self));

  if (self->loading)
    return;

  cria_chat_session_set_think (self->session,
                               gtk_switch_get_active (self->think_switch) ? CRIA_THINK_MODE_ON
                                                                          : CRIA_THINK_MODE_OFF);
}

/* Shows a stored option: the switch on with the value, or off */
static void
load_option (JsonObject    *options,
             const char    *name,
             GtkSwitch     *toggle,
             GtkSpinButton *spin)
{
  JsonNode *node = options != NULL ? json_object_get_member (options, name) : NULL;
  gboolean set = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
                 (json_node_get_value_type (node) == G_TYPE_DOUBLE ||
                  json_node_get_value_type (node) == G_TYPE_INT64);

  if (set)
    gtk_spin_button_set_value (spin, json_node_get_double (node));
  gtk_switch_set_active (toggle, set);
}

static void
load (CriaChatSettingsDialog *self)
{
  JsonObject *options = cria_chat_session_get_options (self->session);
  const char *system_prompt = cria_chat_session_get_system_prompt (self->session);

  self->loading = TRUE;

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->system_view),
                            system_prompt != NULL ? system_prompt : "", -1);
  load_option (options, "temperature", self->temperature_switch, self->temperature_spin);
  load_option (options, "num_ctx", self->context_switch, self->context_spin);
  load_option (options, "seed", self->seed_switch, self->seed_spin);

  /* Thinking models think unless told not to */
  gtk_widget_set_visible (GTK_WIDGET (self->think_row), self->can_think);
  gtk_switch_set_active (self->think_switch,
                         cria_chat_session_get_think (self->session) != CRIA_THINK_MODE_OFF);

  self->loading = FALSE;

  update_title_row (self);
}

/**
 * _cria_chat_settings_dialog_flush:
 *
 * Saves at once what waits for a pause in typing, and numbers typed but
 * not entered yet.
 */
void
_cria_chat_settings_dialog_flush (CriaChatSettingsDialog *self)
{
  g_return_if_fail (CRIA_IS_CHAT_SETTINGS_DIALOG (self));

  if (self->session == NULL)
    return;

  /* Each update emits value-changed when the text changed the value */
  gtk_spin_button_update (self->temperature_spin);
  gtk_spin_button_update (self->context_spin);
  gtk_spin_button_update (self->seed_spin);

  if (self->title_save_id != 0)
    save_title (self);
  if (self->system_save_id != 0)
    save_system_prompt (self);
}

static gboolean
cria_chat_settings_dialog_close_request (GtkWindow *window)
{
  _cria_chat_settings_dialog_flush (CRIA_CHAT_SETTINGS_DIALOG (window));

  return GTK_WINDOW_CLASS (cria_chat_settings_dialog_parent_class)->close_request (window);
}

static void
cria_chat_settings_dialog_constructed (GObject *object)
{
  CriaChatSettingsDialog *self = (CriaChatSettingsDialog *)object;

  G_OBJECT_CLASS (cria_chat_settings_dialog_parent_class)->constructed (object);

  g_assert (CRIA_IS_CHAT_SESSION (self->session));

  /* The chat is created with its first message, maybe while this is open */
  g_signal_connect_object (self->session, "notify::chat-id",
                           G_CALLBACK (update_title_row), self, G_CONNECT_SWAPPED);

  load (self);
}

static void
cria_chat_settings_dialog_dispose (GObject *object)
{
  CriaChatSettingsDialog *self = (CriaChatSettingsDialog *)object;

  _cria_chat_settings_dialog_flush (self);
  g_clear_handle_id (&self->title_save_id, g_source_remove);
  g_clear_handle_id (&self->system_save_id, g_source_remove);
  g_clear_object (&self->session);
  g_clear_weak_pointer (&self->watched_info);

  G_OBJECT_CLASS (cria_chat_settings_dialog_parent_class)->dispose (object);
}

static void
cria_chat_settings_dialog_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  CriaChatSettingsDialog *self = CRIA_CHAT_SETTINGS_DIALOG (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_CAN_THINK:
      g_value_set_boolean (value, self->can_think);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_chat_settings_dialog_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  CriaChatSettingsDialog *self = CRIA_CHAT_SETTINGS_DIALOG (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;

    case PROP_CAN_THINK:
      self->can_think = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_chat_settings_dialog_class_init (CriaChatSettingsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = cria_chat_settings_dialog_constructed;
  object_class->dispose = cria_chat_settings_dialog_dispose;
  object_class->get_property = cria_chat_settings_dialog_get_property;
  object_class->set_property = cria_chat_settings_dialog_set_property;

  window_class->close_request = cria_chat_settings_dialog_close_request;

  /**
   * CriaChatSettingsDialog:session:
   *
   * The conversation whose settings are shown and changed.
   */
  properties [PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, CRIA_TYPE_CHAT_SESSION,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaChatSettingsDialog:can-think:
   *
   * Whether the chat's model can think, which offers the thinking switch.
   */
  properties [PROP_CAN_THINK] =
    g_param_spec_boolean ("can-think", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cria/Cria/ui/cria-chat-settings-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CriaChatSettingsDialog, title_group);
  gtk_widget_class_bind_template_child (widget_class, CriaChatSettingsDialog, title_row);
  gtk_widget_class_bind_template_child (widget_class, CriaChatSettingsDialog, options_group);
  gtk_widget_class_bind_template_child (widget_class, CriaChatSettingsDialog, system_view);
  gtk_widget_class_bind_template_child (widget_class, CriaChatSettingsDialog, temperature_switch);
  gtk_widget_class_bind_template_child (widget_class, CriaChatSettingsDialog, temperature_spin);
  gtk_widget_class_bind_template_child (widget_class, CriaChatSettingsDialog, context_switch);
  gtk_widget_class_bind_template_child (widget_class, CriaChatSettingsDialog, context_spin);
  gtk_widget_class_bind_template_child (widget_class, CriaChatSettingsDialog, seed_switch);
  gtk_widget_class_bind_template_child (widget_class, CriaChatSettingsDialog, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, CriaChatSettingsDialog, think_row);
  gtk_widget_class_bind_template_child (widget_class, CriaChatSettingsDialog, think_switch);
  gtk_widget_class_bind_template_callback (widget_class, title_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, title_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, option_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, think_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cria_chat_settings_dialog_init (CriaChatSettingsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  cria_a11y_name_list_boxes (GTK_WIDGET (self->title_group), _("Title"));
  cria_a11y_name_list_boxes (GTK_WIDGET (self->options_group), _("Model Options"));

  g_signal_connect_object (gtk_text_view_get_buffer (self->system_view), "changed",
                           G_CALLBACK (system_changed_cb), self, G_CONNECT_SWAPPED);
}

/**
 * cria_chat_settings_dialog_new:
 * @parent: (nullable): the window the dialog belongs to
 * @session: the conversation whose settings to show and change
 * @can_think: whether the chat's model can think (the `thinking`
 *   capability, cria_model_has_capability()): only then is thinking
 *   offered
 *
 * A modal window of the chat's settings, changed as they are edited; the
 * title can be changed once the chat is stored (it has a message).
 *
 * Returns: (transfer none): the dialog, owned by GTK like every window;
 *   present it
 */
CriaChatSettingsDialog *
cria_chat_settings_dialog_new (GtkWindow       *parent,
                               CriaChatSession *session,
                               gboolean         can_think)
{
  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CRIA_IS_CHAT_SESSION (session), NULL);

  return g_object_new (CRIA_TYPE_CHAT_SETTINGS_DIALOG,
                       "transient-for", parent,
                       "session", session,
                       "can-think", can_think,
                       NULL);
}

/**
 * cria_chat_settings_dialog_get_session:
 *
 * Returns: (transfer none): the conversation
 */
CriaChatSession *
cria_chat_settings_dialog_get_session (CriaChatSettingsDialog *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_SETTINGS_DIALOG (self), NULL);

  return self->session;
}

AdwPreferencesGroup *
_cria_chat_settings_dialog_get_title_group (CriaChatSettingsDialog *self)
{
  return self->title_group;
}

AdwEntryRow *
_cria_chat_settings_dialog_get_title_row (CriaChatSettingsDialog *self)
{
  return self->title_row;
}

GtkTextView *
_cria_chat_settings_dialog_get_system_view (CriaChatSettingsDialog *self)
{
  return self->system_view;
}

GtkSwitch *
_cria_chat_settings_dialog_get_switch (CriaChatSettingsDialog *self,
                                       CriaChatSetting         setting)
{
  switch (setting)
    {
    case CRIA_CHAT_SETTING_TEMPERATURE:
      return self->temperature_switch;
    case CRIA_CHAT_SETTING_CONTEXT:
      return self->context_switch;
    case CRIA_CHAT_SETTING_SEED:
      return self->seed_switch;
    default:
      g_return_val_if_reached (NULL);
    }
}

GtkSpinButton *
_cria_chat_settings_dialog_get_spin (CriaChatSettingsDialog *self,
                                     CriaChatSetting         setting)
{
  switch (setting)
    {
    case CRIA_CHAT_SETTING_TEMPERATURE:
      return self->temperature_spin;
    case CRIA_CHAT_SETTING_CONTEXT:
      return self->context_spin;
    case CRIA_CHAT_SETTING_SEED:
      return self->seed_spin;
    default:
      g_return_val_if_reached (NULL);
    }
}

AdwActionRow *
_cria_chat_settings_dialog_get_think_row (CriaChatSettingsDialog *self)
{
  return self->think_row;
}

GtkSwitch *
_cria_chat_settings_dialog_get_think_switch (CriaChatSettingsDialog *self)
{
  return self->think_switch;
}
