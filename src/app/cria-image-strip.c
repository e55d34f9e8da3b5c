/* cria-image-strip.c: a row of image thumbnails
 *
 * Shows a GListModel of CriaImage as small rounded square thumbnails. In the
 * composer the strip is removable: each thumbnail has a Remove button,
 * which emits CriaImageStrip::remove (the owner of the model removes the
 * image). In a message it is read-only and fed the message's images with
 * cria_image_strip_set_images (), which makes the thumbnails off the main
 * thread. The strip hides itself when it has nothing to show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-image-strip"

#include "cria-config.h"

#include <glib/gi18n.h>

#include "cria-image.h"
#include "cria-image-strip.h"

/* The size of a thumbnail, in logical pixels */
#define THUMBNAIL_SIZE 64

struct _CriaImageStrip
{
  GtkWidget     parent_instance;

  GtkWidget    *scroller;
  GtkWidget    *box;

  GListModel   *model;
  gulong        items_changed_id;

  /* Of cria_image_strip_set_images () */
  GPtrArray    *images;
  GListStore   *store;
  GCancellable *cancellable;
  guint         next_image;

  guint         removable : 1;
};

G_DEFINE_FINAL_TYPE (CriaImageStrip, cria_image_strip, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_REMOVABLE,
  N_PROPS
};

enum {
  REMOVE,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static void
remove_clicked_cb (CriaImageStrip *self,
                   GtkButton      *button)
{
  guint position = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "position"));

  g_assert (CRIA_IS_IMAGE_STRIP (self));

  g_signal_emit (self, signals [REMOVE], 0, position);
}

static GtkWidget *
create_thumbnail (CriaImageStrip *self,
                  CriaImage      *image,
                  guint           position)
{
  const char *name = cria_image_get_name (image);
  g_autofree char *label = NULL;
  GtkWidget *overlay;
  GtkWidget *picture;

  /* Translators: how a screen reader names an attached image; the first
   * %u is its place among the images (1, 2, …), %s its file name */
  label = name != NULL ? g_strdup_printf (_("Image %u: %s"), position + 1, name)
                       : g_strdup_printf (_("Image %u"), position + 1);

  /* The thumbnail is square: a GtkImage shows it at exactly that size */
  picture = gtk_image_new_from_paintable (GDK_PAINTABLE (cria_image_get_thumbnail (image)));
  gtk_image_set_pixel_size (GTK_IMAGE (picture), THUMBNAIL_SIZE);
  gtk_widget_set_overflow (picture, GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_tooltip_text (picture, name);
  gtk_widget_add_css_class (picture, "thumbnail");
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);

  overlay = gtk_overlay_new ();
  gtk_widget_set_valign (overlay, GTK_ALIGN_START);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), picture);

  if (self->removable)
    {
      GtkWidget *button = gtk_button_new_from_icon_name ("window-close-symbolic");
      g_autofree char *remove_label = NULL;

      /* Translators: %u is the place of an image among the attached ones */
      remove_label = g_strdup_printf (_("Remove image %u"), position + 1);

      gtk_widget_set_halign (button, GTK_ALIGN_END);
      gtk_widget_set_valign (button, GTK_ALIGN_START);
      gtk_widget_set_tooltip_text (button, _("Remove"));
      gtk_widget_add_css_class (button, "circular");
      gtk_widget_add_css_class (button, "osd");
      gtk_widget_add_css_class (button, "remove-image");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label,
                                      -1);
      g_object_set_data (G_OBJECT (button), "position", GUINT_TO_POINTER (position));
      g_signal_connect_object (button, "clicked",
                               G_CALLBACK (remove_clicked_cb),
                               self, G_CONNECT_SWAPPED);
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), button);
    }

  return overlay;
}

/* The images are few: every change rebuilds the row */
static void
rebuild (CriaImageStrip *self)
{
  GtkWidget *child;
  guint n_items = self->model ? g_list_model_get_n_items (self->model) : 0;

  while ((child = gtk_widget_get_first_child (self->box)) != NULL)
    gtk_box_remove (GTK_BOX (self->box), child);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CriaImage) image = g_list_model_get_item (self->model, i);

      gtk_box_append (GTK_BOX (self->box), create_thumbnail (self, image, i));
    }

  gtk_widget_set_visible (GTK_WIDGET (self), n_items > 0);
}

static void
items_changed_cb (CriaImageStrip *self,
                  guint           position,
                  guint           removed,
                  guint           added,
                  GListModel     *model)
{
  g_assert (CRIA_IS_IMAGE_STRIP (self));

  rebuild (self);
}

/* Messages -------------------------------------------------------------- */

static void load_next_image (CriaImageStrip *self);

static void
image_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CriaImageStrip) self = user_data;
  g_autoptr(CriaImage) image = NULL;
  g_autoptr(GError) error = NULL;

  image = cria_image_new_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (image != NULL)
    g_list_store_append (self->store, image);
  else
    g_debug ("A message's image cannot be shown: %s", error->message);

  load_next_image (self);
}

/* One at a time, in order */
static void
load_next_image (CriaImageStrip *self)
{
  GBytes *bytes;

  if (self->images == NULL || self->next_image >= self->images->len)
    return;

  bytes = g_ptr_array_index (self->images, self->next_image++);
  cria_image_new_async (bytes, NULL, self->cancellable, image_loaded_cb, g_object_ref (self));
}

/* GObject --------------------------------------------------------------- */

static void
cria_image_strip_dispose (GObject *object)
{
  CriaImageStrip *self = CRIA_IMAGE_STRIP (object);

  g_cancellable_cancel (self->cancellable);
  cria_image_strip_set_model (self, NULL);

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  self->box = NULL;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->images, g_ptr_array_unref);

  G_OBJECT_CLASS (cria_image_strip_parent_class)->dispose (object);
}

static void
cria_image_strip_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CriaImageStrip *self = CRIA_IMAGE_STRIP (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    case PROP_REMOVABLE:
      g_value_set_boolean (value, self->removable);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_image_strip_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CriaImageStrip *self = CRIA_IMAGE_STRIP (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      cria_image_strip_set_model (self, g_value_get_object (value));
      break;

    case PROP_REMOVABLE:
      cria_image_strip_set_removable (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_image_strip_class_init (CriaImageStripClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cria_image_strip_dispose;
  object_class->get_property = cria_image_strip_get_property;
  object_class->set_property = cria_image_strip_set_property;

  /**
   * CriaImageStrip:model:
   *
   * The images shown, a #GListModel of #CriaImage.
   */
  properties [PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaImageStrip:removable:
   *
   * Whether each thumbnail has a Remove button.
   */
  properties [PROP_REMOVABLE] =
    g_param_spec_boolean ("removable", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CriaImageStrip::remove:
   * @position: the place of the image in the model
   *
   * The user asked to remove an image (removable strips only).
   */
  signals [REMOVE] =
    g_signal_new ("remove",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "imagestrip");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
cria_image_strip_init (CriaImageStrip *self)
{
  /* Ten thumbnails are wider than a narrow window: they scroll */
  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (self->scroller), TRUE);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (self->scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->box);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
cria_image_strip_new (void)
{
  return g_object_new (CRIA_TYPE_IMAGE_STRIP, NULL);
}

/**
 * cria_image_strip_get_model:
 *
 * Returns: (transfer none) (nullable): the images shown
 */
GListModel *
cria_image_strip_get_model (CriaImageStrip *self)
{
  g_return_val_if_fail (CRIA_IS_IMAGE_STRIP (self), NULL);

  return self->model;
}

/**
 * cria_image_strip_set_model:
 * @model: (nullable): a #GListModel of #CriaImage
 *
 * Shows the images of @model, following its changes.
 */
void
cria_image_strip_set_model (CriaImageStrip *self,
                            GListModel     *model)
{
  g_return_if_fail (CRIA_IS_IMAGE_STRIP (self));
  g_return_if_fail (!model || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;

  if (self->model != NULL)
    {
      g_clear_signal_handler (&self->items_changed_id, self->model);
      g_clear_object (&self->model);
    }

  if (model != NULL)
    {
      self->model = g_object_ref (model);
      self->items_changed_id = g_signal_connect_object (model, "items-changed",
                                                        G_CALLBACK (items_changed_cb),
                                                        self, G_CONNECT_SWAPPED);
    }

  rebuild (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MODEL]);
}

/**
 * cria_image_strip_set_images:
 * @images: (nullable) (element-type GBytes): a message's images
 *
 * Shows @images, as cria_chat_message_get_images () gives them. Their
 * thumbnails are made off the main thread and appear as they are ready;
 * one that cannot be decoded is left out. Setting the same array again
 * does nothing, so a list row can call this on every bind.
 */
void
cria_image_strip_set_images (CriaImageStrip *self,
                             GPtrArray      *images)
{
  g_return_if_fail (CRIA_IS_IMAGE_STRIP (self));

  if (images != NULL && images->len == 0)
    images = NULL;

  if (self->images == images)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->images, g_ptr_array_unref);
  self->next_image = 0;

  if (self->store == NULL)
    self->store = g_list_store_new (CRIA_TYPE_IMAGE);
  else
    g_list_store_remove_all (self->store);

  cria_image_strip_set_model (self, G_LIST_MODEL (self->store));

  if (images == NULL)
    return;

  self->images = g_ptr_array_ref (images);
  self->cancellable = g_cancellable_new ();
  load_next_image (self);
}

gboolean
cria_image_strip_get_removable (CriaImageStrip *self)
{
  g_return_val_if_fail (CRIA_IS_IMAGE_STRIP (self), FALSE);

  return self->removable;
}

void
cria_image_strip_set_removable (CriaImageStrip *self,
                                gboolean        removable)
{
  g_return_if_fail (CRIA_IS_IMAGE_STRIP (self));

  removable = !!removable;
  if (removable == self->removable)
    return;

  self->removable = removable;
  rebuild (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_REMOVABLE]);
}
