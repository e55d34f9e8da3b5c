/* cria-model-details-window.c: what /api/show says about a model
 *
 * Family, parameter size, quantization, context length (from `model_info`),
 * capabilities, size and date up top; then the system prompt, template,
 * parameters, license and Modelfile, each in a selectable text view with a
 * Copy button. The request is made when the window opens and cancelled if
 * it closes first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-model-details-window"

#include "cria-config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cria-error-text.h"
#include "cria-model-details-window.h"
#include "cria-model-details-window-private.h"
#include "cria-model-row.h"

struct _CriaModelDetailsWindow
{
  AdwWindow            parent_instance;

  /* Template Widgets */
  AdwWindowTitle      *window_title;
  AdwToastOverlay     *toast_overlay;
  GtkStack            *stack;
  GtkSpinner          *spinner;
  AdwStatusPage       *error_page;
  AdwPreferencesPage  *page;
  GtkWidget           *family_row;
  GtkLabel            *family_label;
  GtkWidget           *parameters_row;
  GtkLabel            *parameter_size_label;
  GtkWidget           *quantization_row;
  GtkLabel            *quantization_label;
  GtkWidget           *context_row;
  GtkLabel            *context_label;
  GtkWidget           *size_row;
  GtkLabel            *size_label;
  GtkWidget           *capabilities_row;
  GtkBox              *capabilities_box;
  GtkWidget           *modified_row;
  GtkLabel            *modified_label;

  /* Owned References */
  CriaModel           *model;
  CriaModelDetails    *details;
  GCancellable        *cancellable;
  GHashTable          *text_views;     /* section name → GtkTextView */
  GHashTable          *copy_buttons;   /* section name → GtkButton */
};

G_DEFINE_FINAL_TYPE (CriaModelDetailsWindow, cria_model_details_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

typedef struct
{
  const char *name;
  const char *title;
  const char *copy_label;
  gboolean    monospace;
} Section;

static const Section sections[] = {
  { "system", N_("System Prompt"), N_("Copy System Prompt"), FALSE },
  { "parameters", N_("Parameters"), N_("Copy Parameters"), TRUE },
  { "template", N_("Template"), N_("Copy Template"), TRUE },
  { "license", N_("License"), N_("Copy License"), FALSE },
  { "modelfile", N_("Modelfile"), N_("Copy Modelfile"), TRUE },
};

/**
 * cria_model_details_window_format_context_length:
 * @tokens: a context length
 *
 * Returns: (transfer full) (nullable): e.g. “131,072 tokens”, %NULL for 0
 */
char *
cria_model_details_window_format_context_length (gint64 tokens)
{
  g_autofree char *number = NULL;

  if (tokens <= 0)
    return NULL;

  number = g_strdup_printf ("%'" G_GINT64_FORMAT, tokens);

  /* Translators: %s is a number of tokens, e.g. “131,072” */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s token", "%s tokens",
                                       (gulong) MIN (tokens, (gint64) G_MAXLONG)),
                          number);
}

static void
show_toast (CriaModelDetailsWindow *self,
            const char             *title)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, 3);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
copy_clicked_cb (GtkButton              *button,
                 CriaModelDetailsWindow *self)
{
  const char *section = g_object_get_data (G_OBJECT (button), "section");
  GtkTextView *text_view = g_hash_table_lookup (self->text_views, section);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (text_view);
  g_autofree char *text = NULL;
  GtkTextIter begin, end;

  gtk_text_buffer_get_bounds (buffer, &begin, &end);
  text = gtk_text_buffer_get_text (buffer, &begin, &end, FALSE);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  show_toast (self, _("Copied to the clipboard"));
}

/* Longer texts than this scroll in their own box */
#define LONG_TEXT_LINES 16

static guint
count_lines (const char *text)
{
  guint n = 1;

  for (const char *p = strchr (text, '\n'); p != NULL; p = strchr (p + 1, '\n'))
    n++;

  return n;
}

static void
add_section (CriaModelDetailsWindow *self,
             const Section          *section,
             const char             *text)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *button = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *text_view = gtk_text_view_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _(section->title));

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _(section->copy_label));
  gtk_widget_add_css_class (button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _(section->copy_label),
                                  -1);
  g_object_set_data (G_OBJECT (button), "section", (gpointer) section->name);
  g_signal_connect (button, "clicked", G_CALLBACK (copy_clicked_cb), self);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), button);

  gtk_text_view_set_editable (GTK_TEXT_VIEW (text_view), FALSE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (text_view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (text_view), section->monospace);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (text_view), 10);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (text_view), 10);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (text_view), 12);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (text_view)), text, -1);
  gtk_widget_add_css_class (text_view, "model-text");
  gtk_accessible_update_property (GTK_ACCESSIBLE (text_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _(section->title),
                                  -1);

  /* A short text shows whole; a long one (a license) scrolls in its box */
  if (count_lines (text) > LONG_TEXT_LINES)
    {
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                      GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
      gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
    }
  else
    {
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                      GTK_POLICY_NEVER, GTK_POLICY_NEVER);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), text_view);
  gtk_widget_add_css_class (scroller, "card");
  gtk_widget_add_css_class (scroller, "model-text-card");
  gtk_widget_set_overflow (scroller, GTK_OVERFLOW_HIDDEN);

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), scroller);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (group));

  g_hash_table_insert (self->text_views, (gpointer) section->name, text_view);
  g_hash_table_insert (self->copy_buttons, (gpointer) section->name, button);
}

static void
set_field (GtkWidget  *row,
           GtkLabel   *label,
           const char *value)
{
  gboolean has_value = value != NULL && value[0] != '\0';

  gtk_label_set_text (label, has_value ? value : "");
  gtk_widget_set_visible (row, has_value);
}

static const char *
get_section_text (CriaModelDetails *details,
                  const char       *name)
{
  if (g_str_equal (name, "system"))
    return cria_model_details_get_system (details);
  if (g_str_equal (name, "parameters"))
    return cria_model_details_get_parameters (details);
  if (g_str_equal (name, "template"))
    return cria_model_details_get_template (details);
  if (g_str_equal (name, "license"))
    return cria_model_details_get_license (details);
  if (g_str_equal (name, "modelfile"))
    return cria_model_details_get_modelfile (details);

  g_assert_not_reached ();
}

static void
show_details (CriaModelDetailsWindow *self)
{
  CriaModelDetails *details = self->details;
  g_autofree char *context = cria_model_details_window_format_context_length (cria_model_details_get_context_length (details));
  g_autofree char *size = NULL;
  g_autofree char *modified = NULL;
  GDateTime *modified_at = cria_model_details_get_modified_at (details);
  const char *family = cria_model_details_get_family (details);

  if (family == NULL || family[0] == '\0')
    family = cria_model_details_get_architecture (details);

  if (cria_model_get_size (self->model) > 0 && cria_model_get_remote_host (self->model) == NULL)
    size = g_format_size ((guint64) cria_model_get_size (self->model));

  if (modified_at == NULL)
    modified_at = cria_model_get_modified_at (self->model);
  if (modified_at != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (modified_at);

      /* Translators: a date and time, see g_date_time_format() */
      modified = g_date_time_format (local, _("%-d %B %Y, %H:%M"));
    }

  set_field (self->family_row, self->family_label, family);
  set_field (self->parameters_row, self->parameter_size_label,
             cria_model_details_get_parameter_size (details));
  set_field (self->quantization_row, self->quantization_label,
             cria_model_details_get_quantization_level (details));
  set_field (self->context_row, self->context_label, context);
  set_field (self->size_row, self->size_label, size);
  set_field (self->modified_row, self->modified_label, modified);

  cria_model_row_fill_badges (self->capabilities_box, cria_model_details_get_capabilities (details));
  gtk_widget_set_visible (self->capabilities_row,
                          gtk_widget_get_visible (GTK_WIDGET (self->capabilities_box)));

  for (guint i = 0; i < G_N_ELEMENTS (sections); i++)
    {
      const char *text = get_section_text (details, sections[i].name);

      if (text != NULL && text[0] != '\0')
        add_section (self, &sections[i], text);
    }

  gtk_spinner_stop (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "details");
}

static void
show_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(CriaModelDetailsWindow) self = user_data;
  g_autoptr(CriaModelDetails) details = NULL;
  g_autoptr(GError) error = NULL;

  details = cria_model_manager_show_finish (CRIA_MODEL_MANAGER (object), result, &error);

  if (cria_error_text_is_cancelled (error))
    return;

  if (details == NULL)
    {
      g_autofree char *text = cria_error_text_describe (error, cria_model_get_name (self->model));

      gtk_spinner_stop (self->spinner);
      adw_status_page_set_description (self->error_page, text);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  self->details = g_steal_pointer (&details);
  show_details (self);
}

static void
load (CriaModelDetailsWindow *self)
{
  g_autoptr(CriaBackend) backend = cria_model_dup_backend (self->model);

  adw_window_title_set_title (self->window_title, cria_model_get_name (self->model));
  if (backend != NULL)
    adw_window_title_set_subtitle (self->window_title, cria_backend_get_title (backend));

  if (backend == NULL)
    {
      adw_status_page_set_description (self->error_page, _("The server of this model is gone."));
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  gtk_spinner_start (self->spinner);
  cria_model_manager_show_async (cria_backend_get_model_manager (backend),
                                 cria_model_get_name (self->model),
                                 self->cancellable,
                                 show_cb,
                                 g_object_ref (self));
}

static void
cria_model_details_window_constructed (GObject *object)
{
  CriaModelDetailsWindow *self = CRIA_MODEL_DETAILS_WINDOW (object);

  G_OBJECT_CLASS (cria_model_details_window_parent_class)->constructed (object);

  g_assert (CRIA_IS_MODEL (self->model));

  load (self);
}

static void
cria_model_details_window_dispose (GObject *object)
{
  CriaModelDetailsWindow *self = CRIA_MODEL_DETAILS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIA_TYPE_MODEL_DETAILS_WINDOW);

  g_clear_pointer (&self->text_views, g_hash_table_unref);
  g_clear_pointer (&self->copy_buttons, g_hash_table_unref);
  g_clear_object (&self->details);
  g_clear_object (&self->model);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cria_model_details_window_parent_class)->dispose (object);
}

static void
cria_model_details_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  CriaModelDetailsWindow *self = CRIA_MODEL_DETAILS_WINDOW (object);

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
cria_model_details_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  CriaModelDetailsWindow *self = CRIA_MODEL_DETAILS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      self->model = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_model_details_window_class_init (CriaModelDetailsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = cria_model_details_window_constructed;
  object_class->dispose = cria_model_details_window_dispose;
  object_class->get_property = cria_model_details_window_get_property;
  object_class->set_property = cria_model_details_window_set_property;

  /**
   * CriaModelDetailsWindow:model:
   *
   * The installed model described.
   */
  properties [PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         CRIA_TYPE_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/cria/Cria/ui/cria-model-details-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, page);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, family_row);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, family_label);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, parameters_row);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, parameter_size_label);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, quantization_row);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, quantization_label);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, context_row);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, context_label);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, size_row);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, size_label);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, capabilities_row);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, capabilities_box);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, modified_row);
  gtk_widget_class_bind_template_child (widget_class, CriaModelDetailsWindow, modified_label);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cria_model_details_window_init (CriaModelDetailsWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->text_views = g_hash_table_new (g_str_hash, g_str_equal);
  self->copy_buttons = g_hash_table_new (g_str_hash, g_str_equal);

  gtk_widget_init_template (GTK_WIDGET (self));

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

/**
 * cria_model_details_window_new:
 * @model: an installed model
 *
 * Returns: (transfer none): a new window describing @model; it loads the
 *   details by itself
 */
CriaModelDetailsWindow *
cria_model_details_window_new (CriaModel *model)
{
  g_return_val_if_fail (CRIA_IS_MODEL (model), NULL);

  return g_object_new (CRIA_TYPE_MODEL_DETAILS_WINDOW, "model", model, NULL);
}

/**
 * cria_model_details_window_get_model:
 * @self: a #CriaModelDetailsWindow
 *
 * Returns: (transfer none): the model described
 */
CriaModel *
cria_model_details_window_get_model (CriaModelDetailsWindow *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS_WINDOW (self), NULL);

  return self->model;
}

/**
 * cria_model_details_window_get_details:
 * @self: a #CriaModelDetailsWindow
 *
 * Returns: (transfer none) (nullable): the details, once loaded
 */
CriaModelDetails *
cria_model_details_window_get_details (CriaModelDetailsWindow *self)
{
  g_return_val_if_fail (CRIA_IS_MODEL_DETAILS_WINDOW (self), NULL);

  return self->details;
}

const char *
_cria_model_details_window_get_page (CriaModelDetailsWindow *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}

/* The value shown for @name (family, parameters, quantization, context,
 * size, modified), or %NULL when its row is hidden */
const char *
_cria_model_details_window_get_field (CriaModelDetailsWindow *self,
                                      const char             *name)
{
  struct { const char *name; GtkWidget *row; GtkLabel *label; } fields[] = {
    { "family", self->family_row, self->family_label },
    { "parameters", self->parameters_row, self->parameter_size_label },
    { "quantization", self->quantization_row, self->quantization_label },
    { "context", self->context_row, self->context_label },
    { "size", self->size_row, self->size_label },
    { "modified", self->modified_row, self->modified_label },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_str_equal (fields[i].name, name))
      return gtk_widget_get_visible (fields[i].row) ? gtk_label_get_text (fields[i].label) : NULL;

  g_assert_not_reached ();
}

GtkTextView *
_cria_model_details_window_get_text_view (CriaModelDetailsWindow *self,
                                          const char             *section)
{
  return g_hash_table_lookup (self->text_views, section);
}

GtkWidget *
_cria_model_details_window_get_copy_button (CriaModelDetailsWindow *self,
                                            const char             *section)
{
  return g_hash_table_lookup (self->copy_buttons, section);
}
