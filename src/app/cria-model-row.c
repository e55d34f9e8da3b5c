/* cria-model-row.c: one installed model
 *
 * Name and tag as the title; parameter size, quantization, family, size on
 * disk and modification date as the subtitle; capabilities as badges. The
 * buttons and the menu use the `model.*` actions of the models page, with
 * the backend id and the model name as target.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-model-row"

#include "cria-config.h"

#include <glib/gi18n.h>

#include "cria-model-row.h"

struct _CriaModelRow
{
  AdwActionRow    parent_instance;

  /* Template Widgets */
  GtkBox         *badges_box;
  GtkWidget      *details_button;
  GtkMenuButton  *menu_button;

  /* Owned References */
  CriaModel      *model;
  GVariant       *target;   /* (backend id, model name) of the model.* actions */
};

G_DEFINE_FINAL_TYPE (CriaModelRow, cria_model_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* Words ------------------------------------------------------------------ */

/**
 * cria_model_row_capability_title:
 * @capability: a capability as Ollama names it
 *
 * Returns: (nullable): its name for people, %NULL for `completion`, which
 *   every chat model has
 */
const char *
cria_model_row_capability_title (const char *capability)
{
  if (capability == NULL || g_str_equal (capability, "completion"))
    return NULL;

  if (g_str_equal (capability, "vision"))
    return _("Vision");
  if (g_str_equal (capability, "tools"))
    return _("Tools");
  if (g_str_equal (capability, "thinking"))
    return _("Thinking");
  if (g_str_equal (capability, "embedding"))
    return _("Embedding");
  if (g_str_equal (capability, "audio"))
    return _("Audio");
  if (g_str_equal (capability, "insert"))
    return _("Fill-in");

  return capability;
}

/**
 * cria_model_row_fill_badges:
 * @box: a box
 * @capabilities: (nullable): capabilities as Ollama names them
 *
 * Replaces the children of @box with one badge per capability worth
 * showing.
 */
void
cria_model_row_fill_badges (GtkBox             *box,
                            const char * const *capabilities)
{
  GtkWidget *child;

  g_return_if_fail (GTK_IS_BOX (box));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);

  for (guint i = 0; capabilities != NULL && capabilities[i] != NULL; i++)
    {
      const char *title = cria_model_row_capability_title (capabilities[i]);
      GtkWidget *badge;

      if (title == NULL)
        continue;

      badge = gtk_label_new (title);
      gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (badge, "badge");
      gtk_widget_add_css_class (badge, capabilities[i]);
      gtk_box_append (box, badge);
    }

  gtk_widget_set_visible (GTK_WIDGET (box), gtk_widget_get_first_child (GTK_WIDGET (box)) != NULL);
}

/**
 * cria_model_row_format_modified:
 * @modified: (nullable): when a model was last changed
 * @now: the current time
 *
 * Returns: (transfer full) (nullable): e.g. “Modified yesterday”
 */
char *
cria_model_row_format_modified (GDateTime *modified,
                                GDateTime *now)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) local_now = NULL;
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) today = NULL;
  g_autofree char *date = NULL;
  gint64 days;

  g_return_val_if_fail (now != NULL, NULL);

  if (modified == NULL)
    return NULL;

  local = g_date_time_to_local (modified);
  local_now = g_date_time_to_local (now);
  day = g_date_time_new_local (g_date_time_get_year (local),
                               g_date_time_get_month (local),
                               g_date_time_get_day_of_month (local), 0, 0, 0);
  today = g_date_time_new_local (g_date_time_get_year (local_now),
                                 g_date_time_get_month (local_now),
                                 g_date_time_get_day_of_month (local_now), 0, 0, 0);
  /* Whole days between the two dates; a clock change makes an hour of
   * difference at most */
  days = (g_date_time_difference (today, day) + G_TIME_SPAN_HOUR * 2) / G_TIME_SPAN_DAY;

  if (days <= 0)
    return g_strdup (_("Modified today"));

  if (days == 1)
    return g_strdup (_("Modified yesterday"));

  if (days < 7)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Modified %u day ago", "Modified %u days ago",
                                         (gulong) days),
                            (guint) days);

  if (g_date_time_get_year (local) == g_date_time_get_year (local_now))
    /* Translators: a date in this year, see g_date_time_format(), e.g. “12 March” */
    date = g_date_time_format (local, _("%-d %B"));
  else
    /* Translators: a date, see g_date_time_format(), e.g. “12 March 2024” */
    date = g_date_time_format (local, _("%-d %B %Y"));

  /* Translators: %s is a date, e.g. “12 March 2024” */
  return g_strdup_printf (_("Modified %s"), date);
}

/**
 * cria_model_row_format_details:
 * @model: an installed model
 * @now: the current time, for the modification date
 *
 * Returns: (transfer full): e.g. “3.2B · Q4_K_M · llama · 2.0 GB · Modified yesterday”
 */
char *
cria_model_row_format_details (CriaModel *model,
                               GDateTime *now)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  const char *values[] = {
    cria_model_get_parameter_size (model),
    cria_model_get_quantization_level (model),
    cria_model_get_family (model),
  };
  char *modified;

  g_return_val_if_fail (CRIA_IS_MODEL (model), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    if (values[i] != NULL && values[i][0] != '\0')
      g_ptr_array_add (parts, g_strdup (values[i]));

  if (cria_model_get_remote_host (model) != NULL)
    /* Translators: %s is the host of a cloud model, e.g. “ollama.com” */
    g_ptr_array_add (parts, g_strdup_printf (_("Runs on %s"), cria_model_get_remote_host (model)));
  else if (cria_model_get_size (model) > 0)
    g_ptr_array_add (parts, g_format_size ((guint64) cria_model_get_size (model)));

  modified = cria_model_row_format_modified (cria_model_get_modified_at (model), now);
  if (modified != NULL)
    g_ptr_array_add (parts, modified);

  g_ptr_array_add (parts, NULL);

  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* Row -------------------------------------------------------------------- */

static void
activated_cb (CriaModelRow *self)
{
  g_assert (CRIA_IS_MODEL_ROW (self));

  if (self->target != NULL)
    gtk_widget_activate_action_variant (GTK_WIDGET (self), "model.show", self->target);
}

static GMenuModel *
build_menu (GVariant *target)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) section = g_menu_new ();
  g_autoptr(GMenu) remove_section = g_menu_new ();
  g_autoptr(GMenuItem) item = NULL;

  item = g_menu_item_new (_("_Copy…"), NULL);
  g_menu_item_set_action_and_target_value (item, "model.copy", target);
  g_menu_append_item (section, item);
  g_clear_object (&item);

  item = g_menu_item_new (_("Create _Variant…"), NULL);
  g_menu_item_set_action_and_target_value (item, "model.create", target);
  g_menu_append_item (section, item);
  g_clear_object (&item);

  item = g_menu_item_new (_("_Remove…"), NULL);
  g_menu_item_set_action_and_target_value (item, "model.remove", target);
  g_menu_append_item (remove_section, item);

  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (remove_section));

  return G_MENU_MODEL (menu);
}

static void
cria_model_row_set_model (CriaModelRow *self,
                          CriaModel    *model)
{
  g_autoptr(CriaBackend) backend = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GMenuModel) menu = NULL;
  g_autofree char *details = NULL;
  g_autofree char *more_label = NULL;
  g_autofree char *details_label = NULL;
  GVariant *target;
  const char *name;

  g_assert (self->model == NULL);

  if (model == NULL)
    return;

  self->model = g_object_ref (model);
  name = cria_model_get_name (model);
  backend = cria_model_dup_backend (model);
  now = g_date_time_new_now_local ();

  details = cria_model_row_format_details (model, now);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), details);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, details,
                                  -1);
  cria_model_row_fill_badges (self->badges_box, cria_model_get_capabilities (model));

  target = g_variant_ref_sink (g_variant_new ("(ss)", backend ? cria_backend_get_id (backend) : "", name));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->details_button), target);
  menu = build_menu (target);
  gtk_menu_button_set_menu_model (self->menu_button, menu);
  self->target = target;

  /* The same buttons on every row: the name tells them apart */
  /* Translators: %s is a model name; the name of a button */
  details_label = g_strdup_printf (_("Details of %s"), name);
  /* Translators: %s is a model name; the name of a menu button */
  more_label = g_strdup_printf (_("More Actions for %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->details_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, details_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, more_label, -1);
}

static void
cria_model_row_dispose (GObject *object)
{
  CriaModelRow *self = CRIA_MODEL_ROW (object);

  g_clear_object (&self->model);
  g_clear_pointer (&self->target, g_variant_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIA_TYPE_MODEL_ROW);

  G_OBJECT_CLASS (cria_model_row_parent_class)->dispose (object);
}

static void
cria_model_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CriaModelRow *self = CRIA_MODEL_ROW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_model_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CriaModelRow *self = CRIA_MODEL_ROW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      cria_model_row_set_model (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_model_row_class_init (CriaModelRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cria_model_row_dispose;
  object_class->get_property = cria_model_row_get_property;
  object_class->set_property = cria_model_row_set_property;

  /**
   * CriaModelRow:model:
   *
   * The model shown.
   */
  properties [PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         CRIA_TYPE_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cria/Cria/ui/cria-model-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CriaModelRow, badges_box);
  gtk_widget_class_bind_template_child (widget_class, CriaModelRow, details_button);
  gtk_widget_class_bind_template_child (widget_class, CriaModelRow, menu_button);
  gtk_widget_class_bind_template_callback (widget_class, activated_cb);
}

static void
cria_model_row_init (CriaModelRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * cria_model_row_new:
 * @model: an installed model
 *
 * Returns: (transfer floating): a row showing @model
 */
GtkWidget *
cria_model_row_new (CriaModel *model)
{
  g_return_val_if_fail (CRIA_IS_MODEL (model), NULL);

  return g_object_new (CRIA_TYPE_MODEL_ROW, "model", model, NULL);
}

/**
 * cria_model_row_get_model:
 * @self: a #CriaModelRow
 *
 * Returns: (transfer none): the model shown
 */
CriaModel *
cria_model_row_get_model (CriaModelRow *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_ROW (self), NULL);

  return self->model;
}
