/* cria-pull-row.c: one model download, with its progress
 *
 * The overall bar and figures (bytes, speed, time left), the status line of
 * the server in words, and the layers in an expander, one bar each. A pull
 * reports a line every few milliseconds per layer, and many more when the
 * server has the blobs already: every notification only schedules a
 * frame-clock tick, and the tick shows the latest figures, so the row
 * updates at most once per frame whatever the rate of the stream.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-pull-row"

#include "cria-config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cria-error-text.h"
#include "cria-pull-row.h"
#include "cria-pull-row-private.h"

struct _CriaPullRow
{
  GtkListBoxRow   parent_instance;

  /* Template Widgets */
  GtkImage       *state_icon;
  GtkLabel       *title_label;
  GtkLabel       *status_label;
  GtkLabel       *percent_label;
  GtkWidget      *retry_button;
  GtkWidget      *cancel_button;
  GtkWidget      *dismiss_button;
  GtkProgressBar *progress_bar;
  GtkLabel       *message_label;
  GtkExpander    *layers_expander;
  GtkListBox     *layers_box;

  /* Owned References */
  CriaPull       *pull;

  guint           tick_id;
  CriaPullState   shown_state;
};

G_DEFINE_FINAL_TYPE (CriaPullRow, cria_pull_row, GTK_TYPE_LIST_BOX_ROW)

enum {
  PROP_0,
  PROP_PULL,
  N_PROPS
};

enum {
  RETRY,
  DISMISS,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

/* Words ------------------------------------------------------------------ */

/**
 * cria_pull_row_format_time_left:
 * @seconds: an estimate, negative when there is none
 *
 * Returns: (transfer full) (nullable): e.g. “2 minutes left”
 */
char *
cria_pull_row_format_time_left (gint64 seconds)
{
  gulong n;

  if (seconds < 0)
    return NULL;

  if (seconds < 60)
    {
      n = (gulong) MAX (seconds, 1);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%lu second left", "%lu seconds left", n),
                              n);
    }

  if (seconds < 90 * 60)
    {
      n = (gulong) ((seconds + 59) / 60);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%lu minute left", "%lu minutes left", n),
                              n);
    }

  n = (gulong) ((seconds + 1800) / 3600);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "About %lu hour left", "About %lu hours left", n),
                          n);
}

/**
 * cria_pull_row_format_progress:
 * @completed: bytes there
 * @total: bytes in all, 0 when not known yet
 * @speed: bytes per second, 0 when not known
 * @seconds_left: an estimate, negative when there is none
 *
 * Returns: (transfer full): e.g. “1.2 GB of 2.0 GB · 25.3 MB/s · 2 minutes left”
 */
char *
cria_pull_row_format_progress (gint64 completed,
                               gint64 total,
                               double speed,
                               gint64 seconds_left)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *done_text = g_format_size ((guint64) MAX (completed, 0));

  if (total > 0)
    {
      g_autofree char *total_text = g_format_size ((guint64) total);

      /* Translators: bytes downloaded of bytes in all, e.g. “1.2 GB of 2.0 GB” */
      g_ptr_array_add (parts, g_strdup_printf (_("%s of %s"), done_text, total_text));
    }
  else
    {
      g_ptr_array_add (parts, g_steal_pointer (&done_text));
    }

  if (speed >= 1)
    {
      g_autofree char *speed_text = g_format_size ((guint64) speed);
      char *left = cria_pull_row_format_time_left (seconds_left);

      /* Translators: a download speed, e.g. “25.3 MB/s” */
      g_ptr_array_add (parts, g_strdup_printf (_("%s/s"), speed_text));
      if (left != NULL)
        g_ptr_array_add (parts, left);
    }

  g_ptr_array_add (parts, NULL);

  return g_strjoinv (" · ", (char **) parts->pdata);
}

/**
 * cria_pull_row_describe_status:
 * @status: (nullable): a status line of a pull stream
 *
 * The status lines of the server, in words. Lines about a layer
 * (`pulling 1a2b3c4d5e6f`) carry figures instead: %NULL.
 *
 * Returns: (transfer full) (nullable): a sentence
 */
char *
cria_pull_row_describe_status (const char *status)
{
  if (status == NULL || status[0] == '\0')
    return g_strdup (_("Starting…"));

  if (g_str_equal (status, "pulling manifest"))
    return g_strdup (_("Pulling the manifest…"));

  if (g_str_has_prefix (status, "pulling "))
    return NULL;

  if (g_str_equal (status, "verifying sha256 digest"))
    return g_strdup (_("Verifying the SHA-256 digest…"));

  if (g_str_equal (status, "writing manifest"))
    return g_strdup (_("Writing the manifest…"));

  if (g_str_has_prefix (status, "removing") && strstr (status, "unused layers") != NULL)
    return g_strdup (_("Removing unused layers…"));

  if (g_str_equal (status, "success"))
    return g_strdup (_("Installed"));

  return g_strdup (status);
}

/**
 * cria_pull_row_describe_error:
 * @error: why a pull failed
 * @model: (nullable): the model pulled
 *
 * Ollama reports a failed pull with its own text in the stream: the usual
 * ones are put in words, others keep the server's text.
 *
 * Returns: (transfer full): a sentence
 */
char *
cria_pull_row_describe_error (const GError *error,
                              const char   *model)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, CRIA_CLIENT_ERROR, CRIA_CLIENT_ERROR_SERVER) &&
      error->message != NULL)
    {
      if (strstr (error->message, "file does not exist") != NULL ||
          strstr (error->message, "manifest unknown") != NULL)
        {
          if (model != NULL)
            /* Translators: %s is a model name such as “qwen3:0.6b” */
            return g_strdup_printf (_("The model library has no model “%s”. Check its name and tag."),
                                    model);
          return g_strdup (_("The model library has no such model. Check its name and tag."));
        }

      if (strstr (error->message, "dial tcp") != NULL ||
          strstr (error->message, "no such host") != NULL ||
          strstr (error->message, "i/o timeout") != NULL ||
          strstr (error->message, "connection reset") != NULL)
        return g_strdup (_("The Ollama server could not reach the model library. "
                           "Check that it is connected to the internet."));

      if (strstr (error->message, "no space left") != NULL)
        return g_strdup (_("The Ollama server ran out of disk space."));
    }

  return cria_error_text_describe (error, model);
}

/* Layers ---------------------------------------------------------------- */

#define LAYER_KEY "cria-pull-layer"

static void
update_layer_row (GtkWidget *row)
{
  CriaPullLayer *layer = g_object_get_data (G_OBJECT (row), LAYER_KEY);
  GtkWidget *box = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
  GtkWidget *digest_label = gtk_widget_get_first_child (box);
  GtkWidget *bar = gtk_widget_get_next_sibling (digest_label);
  GtkWidget *bytes_label = gtk_widget_get_next_sibling (bar);
  gint64 total = cria_pull_layer_get_total (layer);
  gint64 completed = MIN (cria_pull_layer_get_completed (layer), MAX (total, 0));
  g_autofree char *text = NULL;

  if (total > 0)
    {
      g_autofree char *done_text = g_format_size ((guint64) completed);
      g_autofree char *total_text = g_format_size ((guint64) total);

      text = g_strdup_printf (_("%s of %s"), done_text, total_text);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), (double) completed / total);
    }
  else
    {
      text = g_strdup ("");
    }

  gtk_label_set_text (GTK_LABEL (bytes_label), text);
}

static GtkWidget *
create_layer_row_cb (gpointer item,
                     gpointer user_data)
{
  CriaPullLayer *layer = CRIA_PULL_LAYER (item);
  const char *digest = cria_pull_layer_get_digest (layer);
  g_autofree char *short_digest = NULL;
  g_autofree char *name = NULL;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *digest_label;
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *bytes_label = gtk_label_new (NULL);

  if (digest != NULL && g_str_has_prefix (digest, "sha256:"))
    digest += strlen ("sha256:");
  short_digest = g_strndup (digest ? digest : "", 12);

  digest_label = gtk_label_new (short_digest);
  gtk_widget_add_css_class (digest_label, "monospace");
  gtk_widget_add_css_class (digest_label, "caption");
  gtk_widget_add_css_class (digest_label, "dim-label");

  gtk_widget_set_hexpand (bar, TRUE);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  /* Translators: %s is the short digest of a layer of a model, e.g. “dde5aa3fc5ff” */
  name = g_strdup_printf (_("Layer %s"), short_digest);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);

  gtk_label_set_xalign (GTK_LABEL (bytes_label), 1);
  gtk_label_set_width_chars (GTK_LABEL (bytes_label), 18);
  gtk_widget_add_css_class (bytes_label, "caption");
  gtk_widget_add_css_class (bytes_label, "numeric");

  gtk_box_append (GTK_BOX (box), digest_label);
  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), bytes_label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);

  g_object_set_data_full (G_OBJECT (row), LAYER_KEY, g_object_ref (layer), g_object_unref);
  update_layer_row (row);

  return row;
}

/* Updating --------------------------------------------------------------- */

static void
set_css_class (GtkWidget  *widget,
               const char *css_class,
               gboolean    set)
{
  if (set)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
}

static void
update_figures (CriaPullRow *self)
{
  CriaPull *pull = self->pull;
  CriaPullState state = cria_pull_get_state (pull);
  gint64 total = cria_pull_get_total (pull);
  gint64 completed = cria_pull_get_completed (pull);
  double fraction = CLAMP (cria_pull_get_fraction (pull), 0, 1);
  g_autofree char *status = NULL;
  g_autofree char *percent = NULL;

  switch (state)
    {
    case CRIA_PULL_STATE_RUNNING:
      status = cria_pull_row_describe_status (cria_pull_get_status (pull));
      if (status == NULL)
        status = cria_pull_row_format_progress (completed, total,
                                                cria_pull_get_speed (pull),
                                                cria_pull_get_seconds_left (pull));
      if (total > 0)
        /* Translators: a percentage; keep the space before % if your language uses one */
        percent = g_strdup_printf (_("%d %%"), (int) (fraction * 100));
      break;

    case CRIA_PULL_STATE_SUCCEEDED:
      fraction = 1;
      if (total > 0)
        {
          g_autofree char *size = g_format_size ((guint64) total);

          /* Translators: %s is a size, e.g. “2.0 GB” */
          status = g_strdup_printf (_("Installed · %s"), size);
        }
      else
        {
          status = g_strdup (_("Installed"));
        }
      break;

    case CRIA_PULL_STATE_FAILED:
      status = g_strdup (_("Failed"));
      break;

    case CRIA_PULL_STATE_CANCELLED:
      status = g_strdup (_("Cancelled"));
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_label_set_text (self->status_label, status);
  gtk_label_set_text (self->percent_label, percent ? percent : "");
  gtk_widget_set_visible (GTK_WIDGET (self->percent_label), percent != NULL);
  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar),
                          state == CRIA_PULL_STATE_RUNNING || fraction > 0);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->layers_box));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_object_get_data (G_OBJECT (row), LAYER_KEY) != NULL)
      update_layer_row (row);

  gtk_widget_set_visible (GTK_WIDGET (self->layers_expander),
                          g_list_model_get_n_items (cria_pull_get_layers (pull)) > 0);
}

static void
update_state (CriaPullRow *self)
{
  CriaPull *pull = self->pull;
  CriaPullState state = cria_pull_get_state (pull);
  const GError *error = cria_pull_get_error (pull);
  g_autofree char *message = NULL;
  const char *icon_name = "folder-download-symbolic";
  gboolean had_focus;

  switch (state)
    {
    case CRIA_PULL_STATE_RUNNING:
      break;

    case CRIA_PULL_STATE_SUCCEEDED:
      icon_name = "emblem-ok-symbolic";
      break;

    case CRIA_PULL_STATE_FAILED:
      icon_name = "dialog-error-symbolic";
      if (error != NULL)
        message = cria_pull_row_describe_error (error, cria_pull_get_model (pull));
      else
        message = g_strdup (_("The download failed."));
      break;

    case CRIA_PULL_STATE_CANCELLED:
      icon_name = "media-playback-stop-symbolic";
      message = g_strdup (_("Ollama keeps what it downloaded: downloading this model again "
                            "resumes where it stopped."));
      break;

    default:
      g_assert_not_reached ();
    }

  self->shown_state = state;

  gtk_image_set_from_icon_name (self->state_icon, icon_name);
  set_css_class (GTK_WIDGET (self), "running", state == CRIA_PULL_STATE_RUNNING);
  set_css_class (GTK_WIDGET (self), "succeeded", state == CRIA_PULL_STATE_SUCCEEDED);
  set_css_class (GTK_WIDGET (self), "failed", state == CRIA_PULL_STATE_FAILED);
  set_css_class (GTK_WIDGET (self), "cancelled", state == CRIA_PULL_STATE_CANCELLED);

  gtk_label_set_text (self->message_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);

  /* The keyboard stays on the row: Cancel gives way to Download Again */
  had_focus = gtk_widget_has_focus (self->cancel_button);
  gtk_widget_set_visible (self->cancel_button, state == CRIA_PULL_STATE_RUNNING);
  gtk_widget_set_visible (self->retry_button,
                          state == CRIA_PULL_STATE_FAILED || state == CRIA_PULL_STATE_CANCELLED);
  gtk_widget_set_visible (self->dismiss_button, state != CRIA_PULL_STATE_RUNNING);
  if (had_focus)
    gtk_widget_grab_focus (gtk_widget_get_visible (self->retry_button) ? self->retry_button
                                                                        : self->dismiss_button);
}

static void
cancel_update (CriaPullRow *self)
{
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

static gboolean
update_tick_cb (GtkWidget     *widget,
                GdkFrameClock *frame_clock,
                gpointer       user_data)
{
  CriaPullRow *self = CRIA_PULL_ROW (widget);

  self->tick_id = 0;

  if (self->pull != NULL)
    update_figures (self);

  return G_SOURCE_REMOVE;
}

static void
queue_update (CriaPullRow *self)
{
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), update_tick_cb, NULL, NULL);
}

static void
pull_notify_cb (CriaPullRow *self,
                GParamSpec  *pspec,
                CriaPull    *pull)
{
  g_assert (CRIA_IS_PULL_ROW (self));

  /* The end of a pull is shown at once, not on the next frame */
  if (cria_pull_get_state (pull) != self->shown_state ||
      g_str_equal (g_param_spec_get_name (pspec), "error"))
    {
      cancel_update (self);
      update_state (self);
      update_figures (self);
      return;
    }

  queue_update (self);
}

static void
layers_changed_cb (CriaPullRow *self,
                   guint        position,
                   guint        removed,
                   guint        added,
                   GListModel  *layers)
{
  g_assert (CRIA_IS_PULL_ROW (self));

  queue_update (self);
}

/* Buttons --------------------------------------------------------------- */

static void
cancel_clicked_cb (CriaPullRow *self,
                   GtkButton   *button)
{
  g_assert (CRIA_IS_PULL_ROW (self));

  if (self->pull != NULL && cria_pull_get_state (self->pull) == CRIA_PULL_STATE_RUNNING)
    {
      g_debug ("Cancelling the pull of %s", cria_pull_get_model (self->pull));
      cria_pull_cancel (self->pull);
    }
}

static void
retry_clicked_cb (CriaPullRow *self,
                  GtkButton   *button)
{
  g_assert (CRIA_IS_PULL_ROW (self));

  g_signal_emit (self, signals [RETRY], 0);
}

static void
dismiss_clicked_cb (CriaPullRow *self,
                    GtkButton   *button)
{
  g_assert (CRIA_IS_PULL_ROW (self));

  g_signal_emit (self, signals [DISMISS], 0);
}

/* GObject --------------------------------------------------------------- */

static void
cria_pull_row_set_pull (CriaPullRow *self,
                        CriaPull    *pull)
{
  GListModel *layers;

  g_assert (self->pull == NULL);

  if (pull == NULL)
    return;

  self->pull = g_object_ref (pull);

  gtk_label_set_text (self->title_label, cria_pull_get_model (pull));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, cria_pull_get_model (pull),
                                  -1);

  layers = cria_pull_get_layers (pull);
  gtk_list_box_bind_model (self->layers_box, layers, create_layer_row_cb, NULL, NULL);

  g_signal_connect_object (pull, "notify", G_CALLBACK (pull_notify_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (layers, "items-changed", G_CALLBACK (layers_changed_cb),
                           self, G_CONNECT_SWAPPED);

  update_state (self);
  update_figures (self);
}

static void
cria_pull_row_dispose (GObject *object)
{
  CriaPullRow *self = CRIA_PULL_ROW (object);

  cancel_update (self);

  if (self->layers_box != NULL)
    gtk_list_box_bind_model (self->layers_box, NULL, NULL, NULL, NULL);

  if (self->pull != NULL)
    g_signal_handlers_disconnect_by_data (cria_pull_get_layers (self->pull), self);
  g_clear_object (&self->pull);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIA_TYPE_PULL_ROW);

  G_OBJECT_CLASS (cria_pull_row_parent_class)->dispose (object);
}

static void
cria_pull_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CriaPullRow *self = CRIA_PULL_ROW (object);

  switch (prop_id)
    {
    case PROP_PULL:
      g_value_set_object (value, self->pull);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_pull_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CriaPullRow *self = CRIA_PULL_ROW (object);

  switch (prop_id)
    {
    case PROP_PULL:
      cria_pull_row_set_pull (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_pull_row_class_init (CriaPullRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cria_pull_row_dispose;
  object_class->get_property = cria_pull_row_get_property;
  object_class->set_property = cria_pull_row_set_property;

  /**
   * CriaPullRow:pull:
   *
   * The download shown.
   */
  properties [PROP_PULL] =
    g_param_spec_object ("pull", NULL, NULL,
                         CRIA_TYPE_PULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CriaPullRow::retry:
   *
   * The user asked to download the model again, after a failure or a
   * cancellation.
   */
  signals [RETRY] =
    g_signal_new ("retry",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * CriaPullRow::dismiss:
   *
   * The user is done with a finished download.
   */
  signals [DISMISS] =
    g_signal_new ("dismiss",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cria/Cria/ui/cria-pull-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CriaPullRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, CriaPullRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, CriaPullRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, CriaPullRow, percent_label);
  gtk_widget_class_bind_template_child (widget_class, CriaPullRow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, CriaPullRow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CriaPullRow, dismiss_button);
  gtk_widget_class_bind_template_child (widget_class, CriaPullRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CriaPullRow, message_label);
  gtk_widget_class_bind_template_child (widget_class, CriaPullRow, layers_expander);
  gtk_widget_class_bind_template_child (widget_class, CriaPullRow, layers_box);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, dismiss_clicked_cb);

  gtk_widget_class_set_css_name (widget_class, "pullrow");
}

static void
cria_pull_row_init (CriaPullRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * cria_pull_row_new:
 * @pull: a download
 *
 * Returns: (transfer floating): a row showing @pull
 */
GtkWidget *
cria_pull_row_new (CriaPull *pull)
{
  g_return_val_if_fail (CRIA_IS_PULL (pull), NULL);

  return g_object_new (CRIA_TYPE_PULL_ROW, "pull", pull, NULL);
}

/**
 * cria_pull_row_get_pull:
 * @self: a #CriaPullRow
 *
 * Returns: (transfer none): the download shown
 */
CriaPull *
cria_pull_row_get_pull (CriaPullRow *self)
{
  g_return_val_if_fail (CRIA_IS_PULL_ROW (self), NULL);

  return self->pull;
}

GtkLabel *
_cria_pull_row_get_status_label (CriaPullRow *self)
{
  return self->status_label;
}

GtkLabel *
_cria_pull_row_get_message_label (CriaPullRow *self)
{
  return self->message_label;
}

GtkProgressBar *
_cria_pull_row_get_progress_bar (CriaPullRow *self)
{
  return self->progress_bar;
}

GtkWidget *
_cria_pull_row_get_cancel_button (CriaPullRow *self)
{
  return self->cancel_button;
}

GtkWidget *
_cria_pull_row_get_retry_button (CriaPullRow *self)
{
  return self->retry_button;
}

GtkWidget *
_cria_pull_row_get_dismiss_button (CriaPullRow *self)
{
  return self->dismiss_button;
}

GtkListBox *
_cria_pull_row_get_layers_box (CriaPullRow *self)
{
  return self->layers_box;
}
