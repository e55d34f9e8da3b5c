/* cria-create-model-dialog.c: copy a model, or make a variant of it
 *
 * The custom-model flow of other clients: a copy of an installed model
 * under a new name (`/api/copy`), or a new model from it with its own
 * system prompt, temperature and context length (`/api/create` with
 * `from`). The name is checked as it is typed; the request runs in the
 * background and the dialog closes when the server is done, emitting
 * ::created.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-create-model-dialog"

#include "cria-config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cria-create-model-dialog.h"
#include "cria-create-model-dialog-private.h"
#include "cria-error-text.h"

struct _CriaCreateModelDialog
{
  AdwWindow            parent_instance;

  /* Template Widgets */
  AdwWindowTitle      *window_title;
  GtkWidget           *cancel_button;
  GtkWidget           *create_button;
  AdwPreferencesGroup *name_group;
  AdwEntryRow         *name_row;
  GtkLabel            *error_label;
  GtkWidget           *system_group;
  GtkTextView         *system_view;
  GtkWidget           *parameters_group;
  GtkSwitch           *temperature_switch;
  GtkSpinButton       *temperature_spin;
  GtkSwitch           *context_switch;
  GtkSpinButton       *context_spin;

  /* Owned References */
  CriaModel           *model;
  GCancellable        *cancellable;
  char                *creating;      /* the name asked for, while the server works */

  CriaCreateModelMode  mode;
};

G_DEFINE_FINAL_TYPE (CriaCreateModelDialog, cria_create_model_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_MODE,
  N_PROPS
};

enum {
  CREATED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

/**
 * cria_create_model_dialog_suggest_name:
 * @source: the name of the original model, such as `qwen3:8b`
 * @suffix: what to add, such as `custom`
 *
 * Returns: (transfer full): e.g. `qwen3-8b-custom`; the implicit `:latest`
 *   tag is left out
 */
char *
cria_create_model_dialog_suggest_name (const char *source,
                                       const char *suffix)
{
  g_autofree char *base = NULL;
  char *slash;

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (suffix != NULL, NULL);

  if (g_str_has_suffix (source, ":latest"))
    base = g_strndup (source, strlen (source) - strlen (":latest"));
  else
    base = g_strdup (source);

  /* A copy is the user's own: no namespace or registry host */
  slash = strrchr (base, '/');
  if (slash != NULL)
    memmove (base, slash + 1, strlen (slash + 1) + 1);

  g_strdelimit (base, ":", '-');

  return g_strdup_printf ("%s-%s", base, suffix);
}

static CriaBackend *
dup_backend (CriaCreateModelDialog *self)
{
  return cria_model_dup_backend (self->model);
}

static void
show_error (CriaCreateModelDialog *self,
            const char            *text)
{
  gtk_label_set_text (self->error_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);

  if (text != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
}

/* The error of @name, or %NULL when the name can be used */
static char *
check_name (CriaCreateModelDialog *self,
            const char            *name)
{
  g_autoptr(CriaBackend) backend = dup_backend (self);

  if (name[0] == '\0')
    return g_strdup ("");

  if (!cria_model_name_validate (name, NULL))
    return g_strdup (_("Use letters, digits, “-”, “_” and “.”, with an optional “:tag”."));

  if (backend != NULL && cria_backend_find_model (backend, name) != NULL)
    /* Translators: %s is a model name */
    return g_strdup_printf (_("A model named “%s” is installed already."), name);

  return NULL;
}

static void
update_create_button (CriaCreateModelDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *error = check_name (self, name);

  gtk_widget_set_sensitive (self->create_button, error == NULL && self->creating == NULL);
}

static void
name_changed_cb (CriaCreateModelDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *error = check_name (self, name);

  g_assert (CRIA_IS_CREATE_MODEL_DIALOG (self));

  /* An empty entry needs no telling off */
  show_error (self, error != NULL && error[0] != '\0' ? error : NULL);
  update_create_button (self);
}

static void
set_creating (CriaCreateModelDialog *self,
              const char            *name)
{
  g_free (self->creating);
  self->creating = g_strdup (name);

  /* Not insensitive: the entry keeps the keyboard (and its cursor) */
  gtk_editable_set_editable (GTK_EDITABLE (self->name_row), name == NULL);
  gtk_widget_set_sensitive (self->system_group, name == NULL);
  gtk_widget_set_sensitive (self->parameters_group, name == NULL);
  update_create_button (self);
}

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  CriaModelManager *manager = CRIA_MODEL_MANAGER (object);
  g_autoptr(CriaCreateModelDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  gboolean ok;

  if (self->mode == CRIA_CREATE_MODEL_MODE_COPY)
    ok = cria_model_manager_copy_finish (manager, result, &error);
  else
    ok = cria_model_manager_create_finish (manager, result, &error);

  if (cria_error_text_is_cancelled (error))
    return;

  name = g_steal_pointer (&self->creating);
  set_creating (self, NULL);

  if (!ok)
    {
      g_autofree char *text = cria_error_text_describe (error, cria_model_get_name (self->model));

      show_error (self, text);
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return;
    }

  g_debug ("Created %s from %s", name, cria_model_get_name (self->model));

  g_signal_emit (self, signals [CREATED], 0, name);
  gtk_window_close (GTK_WINDOW (self));
}

static char *
dup_system_prompt (CriaCreateModelDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->system_view);
  GtkTextIter begin, end;
  char *text;

  gtk_text_buffer_get_bounds (buffer, &begin, &end);
  text = g_strstrip (gtk_text_buffer_get_text (buffer, &begin, &end, FALSE));

  if (text[0] == '\0')
    g_clear_pointer (&text, g_free);

  return text;
}

static JsonObject *
build_parameters (CriaCreateModelDialog *self)
{
  JsonObject *parameters = NULL;

  if (gtk_switch_get_active (self->temperature_switch))
    {
      parameters = json_object_new ();
      json_object_set_double_member (parameters, "temperature",
                                     gtk_spin_button_get_value (self->temperature_spin));
    }

  if (gtk_switch_get_active (self->context_switch))
    {
      if (parameters == NULL)
        parameters = json_object_new ();
      json_object_set_int_member (parameters, "num_ctx",
                                  gtk_spin_button_get_value_as_int (self->context_spin));
    }

  return parameters;
}

static void
create_clicked_cb (CriaCreateModelDialog *self)
{
  g_autoptr(CriaBackend) backend = dup_backend (self);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *error = NULL;
  CriaModelManager *manager;

  g_assert (CRIA_IS_CREATE_MODEL_DIALOG (self));

  if (self->creating != NULL)
    return;

  error = check_name (self, name);
  if (error != NULL)
    {
      show_error (self, error[0] != '\0' ? error : _("Give the new model a name."));
      return;
    }

  if (backend == NULL)
    {
      show_error (self, _("The server of this model is gone."));
      return;
    }

  manager = cria_backend_get_model_manager (backend);
  show_error (self, NULL);
  set_creating (self, name);

  if (self->mode == CRIA_CREATE_MODEL_MODE_COPY)
    {
      cria_model_manager_copy_async (manager,
                                     cria_model_get_name (self->model),
                                     self->creating,
                                     self->cancellable,
                                     created_cb,
                                     g_object_ref (self));
    }
  else
    {
      g_autofree char *system = dup_system_prompt (self);
      g_autoptr(JsonObject) parameters = build_parameters (self);

      cria_model_manager_create_async (manager,
                                       self->creating,
                                       cria_model_get_name (self->model),
                                       system,
                                       parameters,
                                       self->cancellable,
                                       created_cb,
                                       g_object_ref (self));
    }
}

/* GObject --------------------------------------------------------------- */

static void
cria_create_model_dialog_constructed (GObject *object)
{
  CriaCreateModelDialog *self = CRIA_CREATE_MODEL_DIALOG (object);
  const char *source;
  g_autofree char *title = NULL;
  g_autofree char *name = NULL;
  gboolean copy = self->mode == CRIA_CREATE_MODEL_MODE_COPY;

  G_OBJECT_CLASS (cria_create_model_dialog_parent_class)->constructed (object);

  g_assert (CRIA_IS_MODEL (self->model));
  source = cria_model_get_name (self->model);

  if (copy)
    {
      /* Translators: %s is a model name; the title of a dialog */
      title = g_strdup_printf (_("Copy %s"), source);
      gtk_button_set_label (GTK_BUTTON (self->create_button), _("_Copy"));
      adw_preferences_group_set_description (self->name_group,
                                             _("The copy shares the files of the original: "
                                               "it takes no more disk space."));
      name = cria_create_model_dialog_suggest_name (source, "copy");
      gtk_window_set_default_size (GTK_WINDOW (self), 520, 280);
    }
  else
    {
      /* Translators: %s is a model name; the title of a dialog */
      title = g_strdup_printf (_("New Variant of %s"), source);
      gtk_button_set_label (GTK_BUTTON (self->create_button), _("C_reate"));
      adw_preferences_group_set_description (self->name_group,
                                             _("A model of its own that uses the same files, "
                                               "with the prompt and parameters below."));
      name = cria_create_model_dialog_suggest_name (source, "custom");
      gtk_window_set_default_size (GTK_WINDOW (self), 560, 640);
    }

  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->create_button), GTK_ACCESSIBLE_PROPERTY_LABEL);
  adw_window_title_set_title (self->window_title, title);
  gtk_window_set_title (GTK_WINDOW (self), title);
  gtk_widget_set_visible (self->system_group, !copy);
  gtk_widget_set_visible (self->parameters_group, !copy);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  update_create_button (self);
}

static void
cria_create_model_dialog_dispose (GObject *object)
{
  CriaCreateModelDialog *self = CRIA_CREATE_MODEL_DIALOG (object);

  /* A create already sent runs to its end on the server */
  g_cancellable_cancel (self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIA_TYPE_CREATE_MODEL_DIALOG);

  g_clear_object (&self->model);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->creating, g_free);

  G_OBJECT_CLASS (cria_create_model_dialog_parent_class)->dispose (object);
}

static void
cria_create_model_dialog_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  CriaCreateModelDialog *self = CRIA_CREATE_MODEL_DIALOG (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    case PROP_MODE:
      g_value_set_uint (value, self->mode);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_create_model_dialog_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  CriaCreateModelDialog *self = CRIA_CREATE_MODEL_DIALOG (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      self->model = g_value_dup_object (value);
      break;

    case PROP_MODE:
      self->mode = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_create_model_dialog_class_init (CriaCreateModelDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = cria_create_model_dialog_constructed;
  object_class->dispose = cria_create_model_dialog_dispose;
  object_class->get_property = cria_create_model_dialog_get_property;
  object_class->set_property = cria_create_model_dialog_set_property;

  /**
   * CriaCreateModelDialog:model:
   *
   * The installed model to start from.
   */
  properties [PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         CRIA_TYPE_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaCreateModelDialog:mode:
   *
   * A #CriaCreateModelMode: a copy, or a variant.
   */
  properties [PROP_MODE] =
    g_param_spec_uint ("mode", NULL, NULL,
                       CRIA_CREATE_MODEL_MODE_COPY, CRIA_CREATE_MODEL_MODE_VARIANT,
                       CRIA_CREATE_MODEL_MODE_COPY,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CriaCreateModelDialog::created:
   * @name: the name of the new model
   *
   * The server made the copy or the variant.
   */
  signals [CREATED] =
    g_signal_new ("created",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cria/Cria/ui/cria-create-model-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CriaCreateModelDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, CriaCreateModelDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CriaCreateModelDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, CriaCreateModelDialog, name_group);
  gtk_widget_class_bind_template_child (widget_class, CriaCreateModelDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, CriaCreateModelDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, CriaCreateModelDialog, system_group);
  gtk_widget_class_bind_template_child (widget_class, CriaCreateModelDialog, system_view);
  gtk_widget_class_bind_template_child (widget_class, CriaCreateModelDialog, parameters_group);
  gtk_widget_class_bind_template_child (widget_class, CriaCreateModelDialog, temperature_switch);
  gtk_widget_class_bind_template_child (widget_class, CriaCreateModelDialog, temperature_spin);
  gtk_widget_class_bind_template_child (widget_class, CriaCreateModelDialog, context_switch);
  gtk_widget_class_bind_template_child (widget_class, CriaCreateModelDialog, context_spin);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, create_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cria_create_model_dialog_init (CriaCreateModelDialog *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  /* GTK 4.8 names a button with a mnemonic label "_Cancel Cancel";
   * without the label property the name comes from the visible label. */
  gtk_accessible_reset_property (GTK_ACCESSIBLE (self->cancel_button), GTK_ACCESSIBLE_PROPERTY_LABEL);

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

/**
 * cria_create_model_dialog_new:
 * @model: the installed model to start from
 * @mode: a copy, or a variant
 *
 * Returns: (transfer none): a new dialog
 */
CriaCreateModelDialog *
cria_create_model_dialog_new (CriaModel           *model,
                              CriaCreateModelMode  mode)
{
  g_return_val_if_fail (CRIA_IS_MODEL (model), NULL);

  return g_object_new (CRIA_TYPE_CREATE_MODEL_DIALOG,
                       "model", model,
                       "mode", (guint) mode,
                       NULL);
}

CriaModel *
cria_create_model_dialog_get_model (CriaCreateModelDialog *self)
{
  g_return_val_if_fail (CRIA_IS_CREATE_MODEL_DIALOG (self), NULL);

  return self->model;
}

CriaCreateModelMode
cria_create_model_dialog_get_mode (CriaCreateModelDialog *self)
{
  g_return_val_if_fail (CRIA_IS_CREATE_MODEL_DIALOG (self), CRIA_CREATE_MODEL_MODE_COPY);

  return self->mode;
}

AdwEntryRow *
_cria_create_model_dialog_get_name_row (CriaCreateModelDialog *self)
{
  return self->name_row;
}

GtkTextView *
_cria_create_model_dialog_get_system_view (CriaCreateModelDialog *self)
{
  return self->system_view;
}

GtkSwitch *
_cria_create_model_dialog_get_temperature_switch (CriaCreateModelDialog *self)
{
  return self->temperature_switch;
}

GtkSpinButton *
_cria_create_model_dialog_get_temperature_spin (CriaCreateModelDialog *self)
{
  return self->temperature_spin;
}

GtkWidget *
_cria_create_model_dialog_get_create_button (CriaCreateModelDialog *self)
{
  return self->create_button;
}

GtkLabel *
_cria_create_model_dialog_get_error_label (CriaCreateModelDialog *self)
{
  return self->error_label;
}
