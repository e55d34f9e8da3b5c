/* cria-composer.c: where the user writes a message
 *
 * A text view that grows up to a few lines, with Send and Stop buttons.
 * Enter activates `chat.send`, Shift+Enter inserts a newline. The actions
 * themselves belong to an ancestor (CriaChatPage): the composer only finds
 * them up the widget tree, so it knows nothing about sessions.
 *
 * Images come from the Attach Image button (a file chooser), from drops of
 * files or images, and from pasting an image. Each is read, checked and
 * converted off the main thread (CriaImage), one after the other so that
 * they keep their order; one that is refused is named in a notice above
 * the text, and the others stay. The page sets the selected model: when
 * it is known not to see images, a hint says so as soon as one is
 * attached.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-composer"

#include "cria-config.h"

#include <glib/gi18n.h>

#include "cria-composer.h"
#include "cria-composer-private.h"
#include "cria-image.h"
#include "cria-image-strip.h"

/* How many lines the text view shows before it scrolls. */
#define MAX_VISIBLE_LINES 6

/* An image waiting to be read and checked: a file, bytes or a texture */
typedef struct
{
  GFile      *file;
  GBytes     *bytes;
  GdkTexture *texture;
  char       *name;     /* as the user knows it, or NULL */
  char       *what;     /* how a notice names it: “cat.png”, “The pasted image” */
} Pending;

static void
pending_free (Pending *pending)
{
  g_clear_object (&pending->file);
  g_clear_pointer (&pending->bytes, g_bytes_unref);
  g_clear_object (&pending->texture);
  g_clear_pointer (&pending->name, g_free);
  g_clear_pointer (&pending->what, g_free);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

struct _CriaComposer
{
  GtkWidget          parent_instance;

  /* Template Widgets */
  GtkWidget         *box;
  GtkScrolledWindow *scroller;
  GtkTextView       *text_view;
  GtkWidget         *placeholder;
  GtkWidget         *send_button;
  GtkWidget         *stop_button;
  GtkWidget         *attach_button;
  GtkRevealer       *notice_revealer;
  GtkLabel          *notice_label;
  GtkLabel          *vision_label;
  CriaImageStrip    *image_strip;

  /* Owned References */
  GListStore        *images;        /* of CriaImage, ready to send */
  GQueue             pending;       /* of Pending, waiting their turn */
  Pending           *current;       /* being read and checked */
  GString           *notice;        /* refusals since the queue was idle */
  CriaModel         *model;
  GtkDropTarget     *drop_target;
  GtkFileChooserNative *file_chooser;
  GCancellable      *cancellable;

  guint              busy : 1;
  guint              empty : 1;
  guint              blank : 1;     /* the text alone */
  guint              loading : 1;
  guint              preedit : 1;
};

G_DEFINE_FINAL_TYPE (CriaComposer, cria_composer, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_EMPTY,
  PROP_LOADING,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static gboolean
text_is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (!g_unichar_isspace (g_utf8_get_char (p)))
        return FALSE;
    }

  return TRUE;
}

static void
update_placeholder (CriaComposer *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);

  gtk_widget_set_visible (self->placeholder,
                          gtk_text_buffer_get_char_count (buffer) == 0 && !self->preedit);
}

/* Nothing to send: no text but white space, and no image */
static void
update_empty (CriaComposer *self)
{
  gboolean empty = self->blank && g_list_model_get_n_items (G_LIST_MODEL (self->images)) == 0;

  if (empty != self->empty)
    {
      self->empty = empty;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EMPTY]);
    }
}

static void
buffer_changed_cb (CriaComposer  *self,
                   GtkTextBuffer *buffer)
{
  g_autofree char *text = NULL;

  g_assert (CRIA_IS_COMPOSER (self));

  if (gtk_text_buffer_get_char_count (buffer) == 0)
    {
      self->blank = TRUE;
    }
  else
    {
      text = cria_composer_dup_text (self);
      self->blank = text_is_blank (text);
    }

  update_placeholder (self);
  update_empty (self);
}

/* Images ---------------------------------------------------------------- */

/* Whether the model is known not to see images: FALSE when it is not
 * known (no model, or a server too old to list capabilities: every model
 * of a newer one can at least complete or embed) */
static gboolean
model_is_blind (CriaComposer *self)
{
  const char * const *capabilities;

  if (self->model == NULL)
    return FALSE;

  capabilities = cria_model_get_capabilities (self->model);

  return capabilities != NULL && capabilities[0] != NULL &&
         !cria_model_has_capability (self->model, "vision");
}

static void
update_vision_hint (CriaComposer *self)
{
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  if (self->model == NULL ||
      g_list_model_get_n_items (G_LIST_MODEL (self->images)) == 0 ||
      cria_model_has_capability (self->model, "vision"))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->vision_label), FALSE);
      return;
    }

  name = cria_model_dup_display_name (self->model);

  if (model_is_blind (self))
    {
      /* Translators: %s is the name of a model, such as “llama3.2” */
      text = g_strdup_printf (_("%s can’t see images: it will get only your text."), name);
      gtk_widget_remove_css_class (GTK_WIDGET (self->vision_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->vision_label), "warning");
    }
  else
    {
      /* Translators: %s is the name of a model, such as “llama3.2”. Older
       * servers do not say what their models can do. */
      text = g_strdup_printf (_("The server does not say whether %s can see images."), name);
      gtk_widget_remove_css_class (GTK_WIDGET (self->vision_label), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->vision_label), "dim-label");
    }

  gtk_label_set_text (self->vision_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->vision_label), TRUE);
}

static void
images_changed_cb (CriaComposer *self,
                   guint         position,
                   guint         removed,
                   guint         added,
                   GListModel   *images)
{
  g_assert (CRIA_IS_COMPOSER (self));

  update_empty (self);
  update_vision_hint (self);
}

static void
image_strip_remove_cb (CriaComposer   *self,
                       guint           position,
                       CriaImageStrip *strip)
{
  guint n_items;

  g_assert (CRIA_IS_COMPOSER (self));

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->images));
  if (position >= n_items)
    return;

  g_list_store_remove (self->images, position);

  /* The strip was rebuilt: keep the keyboard in it, else in the text */
  if (n_items > 1)
    gtk_widget_child_focus (GTK_WIDGET (self->image_strip), GTK_DIR_TAB_FORWARD);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
dismiss_notice_cb (CriaComposer *self)
{
  g_assert (CRIA_IS_COMPOSER (self));

  g_string_truncate (self->notice, 0);
  gtk_revealer_set_reveal_child (self->notice_revealer, FALSE);
}

/* Says why an image was not attached: @format has one %s, the image */
G_GNUC_PRINTF (2, 3)
static void
refuse (CriaComposer *self,
        const char   *format,
        ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);

  if (self->notice->len > 0)
    g_string_append_c (self->notice, '\n');
  g_string_append (self->notice, line);

  gtk_label_set_text (self->notice_label, self->notice->str);
  gtk_revealer_set_reveal_child (self->notice_revealer, TRUE);
}

static void
refuse_error (CriaComposer *self,
              const char   *what,
              const GError *error)
{
  g_autofree char *limit = NULL;

  if (g_error_matches (error, CRIA_IMAGE_ERROR, CRIA_IMAGE_ERROR_TOO_LARGE))
    {
      limit = g_format_size (CRIA_IMAGE_MAX_BYTES);
      /* Translators: the first %s is a file name in quotes, or “The pasted
       * image”; the second a size, such as “20.0 MB” */
      refuse (self, _("%s is larger than %s and was not attached."), what, limit);
    }
  else if (g_error_matches (error, CRIA_IMAGE_ERROR, CRIA_IMAGE_ERROR_TOO_MANY_PIXELS))
    {
      /* Translators: %s is a file name in quotes, or “The pasted image” */
      refuse (self, _("%s has too many pixels (more than 8192 × 8192) and was not attached."), what);
    }
  else if (g_error_matches (error, CRIA_IMAGE_ERROR, CRIA_IMAGE_ERROR_NOT_AN_IMAGE))
    {
      /* Translators: %s is a file name in quotes, or “The dropped image” */
      refuse (self, _("%s is not an image Cria can read and was not attached."), what);
    }
  else
    {
      /* Translators: the first %s is a file name in quotes, the second
       * says what went wrong */
      refuse (self, _("%s could not be read: %s"), what, error->message);
    }
}

static void
set_loading (CriaComposer *self,
             gboolean      loading)
{
  loading = !!loading;
  if (loading == self->loading)
    return;

  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LOADING]);
}

static void load_next (CriaComposer *self);

static void
finish_current (CriaComposer *self)
{
  g_clear_pointer (&self->current, pending_free);
  load_next (self);
}

static void
image_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CriaComposer) self = user_data;
  g_autoptr(CriaImage) image = NULL;
  g_autoptr(GError) error = NULL;

  image = cria_image_new_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (image != NULL)
    g_list_store_append (self->images, image);
  else
    refuse_error (self, self->current->what, error);

  finish_current (self);
}

static void
file_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CriaComposer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_file_load_bytes_finish (G_FILE (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (bytes == NULL)
    {
      refuse_error (self, self->current->what, error);
      finish_current (self);
      return;
    }

  cria_image_new_async (bytes, self->current->name, self->cancellable,
                        image_ready_cb, g_object_ref (self));
}

static void
file_info_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CriaComposer) self = user_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  Pending *pending = self->current;

  info = g_file_query_info_finish (G_FILE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (info == NULL)
    {
      refuse_error (self, pending->what, error);
      finish_current (self);
      return;
    }

  g_free (pending->name);
  pending->name = g_strdup (g_file_info_get_display_name (info));
  g_free (pending->what);
  pending->what = g_strdup_printf ("“%s”", pending->name);

  /* Not worth reading: even as PNG it would stay too large */
  if (g_file_info_get_size (info) > CRIA_IMAGE_MAX_BYTES &&
      g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
    {
      g_autoptr(GError) too_large = g_error_new_literal (CRIA_IMAGE_ERROR,
                                                         CRIA_IMAGE_ERROR_TOO_LARGE,
                                                         "Too large");

      refuse_error (self, pending->what, too_large);
      finish_current (self);
      return;
    }

  g_file_load_bytes_async (pending->file, self->cancellable, file_loaded_cb, g_object_ref (self));
}

/* One image at a time, in the order they came */
static void
load_next (CriaComposer *self)
{
  Pending *pending;

  g_assert (self->current == NULL);

  pending = self->current = g_queue_pop_head (&self->pending);
  set_loading (self, pending != NULL);

  if (pending == NULL)
    return;

  if (pending->file != NULL)
    g_file_query_info_async (pending->file,
                             G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                             G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                             G_FILE_ATTRIBUTE_STANDARD_TYPE,
                             G_FILE_QUERY_INFO_NONE,
                             G_PRIORITY_DEFAULT,
                             self->cancellable,
                             file_info_cb,
                             g_object_ref (self));
  else if (pending->texture != NULL)
    cria_image_new_for_texture_async (pending->texture, pending->name, self->cancellable,
                                      image_ready_cb, g_object_ref (self));
  else
    cria_image_new_async (pending->bytes, pending->name, self->cancellable,
                          image_ready_cb, g_object_ref (self));
}

/* Takes @pending, or refuses it when the message already has its fill */
static void
enqueue (CriaComposer *self,
         Pending      *pending)
{
  g_autoptr(Pending) owned = pending;
  guint n_images;

  /* A new batch: what was said of the last one is old news */
  if (!self->loading)
    dismiss_notice_cb (self);

  n_images = g_list_model_get_n_items (G_LIST_MODEL (self->images)) +
             self->pending.length + (self->current != NULL ? 1 : 0);
  if (n_images >= CRIA_COMPOSER_MAX_IMAGES)
    {
      /* Translators: %u is the most images a message takes (10); %s is a
       * file name in quotes, or “The pasted image” */
      refuse (self,
              g_dngettext (GETTEXT_PACKAGE,
                           "A message takes at most %u image: %s was not attached.",
                           "A message takes at most %u images: %s was not attached.",
                           CRIA_COMPOSER_MAX_IMAGES),
              CRIA_COMPOSER_MAX_IMAGES, owned->what);
      return;
    }

  g_queue_push_tail (&self->pending, g_steal_pointer (&owned));
  if (self->current == NULL)
    load_next (self);
}

static void
add_file (CriaComposer *self,
          GFile        *file)
{
  Pending *pending = g_new0 (Pending, 1);
  g_autofree char *basename = g_file_get_basename (file);

  pending->file = g_object_ref (file);
  pending->what = g_strdup_printf ("“%s”", basename ? basename : "?");

  /* Images are never fetched from the web */
  if (g_file_has_uri_scheme (file, "http") || g_file_has_uri_scheme (file, "https"))
    {
      /* Translators: %s is a file name in quotes */
      refuse (self, _("%s is not on this computer and was not attached."), pending->what);
      pending_free (pending);
      return;
    }

  enqueue (self, pending);
}

static void
add_texture (CriaComposer *self,
             GdkTexture   *texture,
             const char   *what)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->texture = g_object_ref (texture);
  pending->what = g_strdup (what);
  enqueue (self, pending);
}

/* Drops, pastes and the file chooser ----------------------------------- */

static gboolean
drop_cb (CriaComposer  *self,
         const GValue  *value,
         double         x,
         double         y,
         GtkDropTarget *target)
{
  g_assert (CRIA_IS_COMPOSER (self));

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      for (const GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
        add_file (self, l->data);
      return TRUE;
    }

  if (G_VALUE_HOLDS (value, GDK_TYPE_TEXTURE))
    {
      add_texture (self, g_value_get_object (value), _("The dropped image"));
      return TRUE;
    }

  return FALSE;
}

static void
paste_texture_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CriaComposer) self = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (texture == NULL)
    {
      refuse_error (self, _("The pasted image"), error);
      return;
    }

  add_texture (self, texture, _("The pasted image"));
}

/* Ctrl+V: an image on the clipboard is attached; text is pasted as text
 * by the text view, even when an image comes with it */
static void
paste_clipboard_cb (CriaComposer *self,
                    GtkTextView  *text_view)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (text_view));
  g_autoptr(GdkContentFormats) formats = NULL;

  g_assert (CRIA_IS_COMPOSER (self));

  formats = gdk_content_formats_union_deserialize_gtypes (
    gdk_content_formats_ref (gdk_clipboard_get_formats (clipboard)));

  if (!gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE) ||
      gdk_content_formats_contain_gtype (formats, G_TYPE_STRING))
    return;

  g_signal_stop_emission_by_name (text_view, "paste-clipboard");
  gdk_clipboard_read_texture_async (clipboard, self->cancellable,
                                    paste_texture_cb, g_object_ref (self));
}

static void
file_chooser_response_cb (CriaComposer         *self,
                          int                   response,
                          GtkFileChooserNative *native)
{
  g_assert (CRIA_IS_COMPOSER (self));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (native));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          add_file (self, file);
        }
    }

  g_clear_object (&self->file_chooser);

  /* Back to writing: the focus would stay on the Attach Image button,
   * which a space typed next would press again */
  gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
attach_image_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  CriaComposer *self = CRIA_COMPOSER (widget);
  g_autoptr(GtkFileFilter) filter = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->file_chooser == NULL)
    {
      self->file_chooser = gtk_file_chooser_native_new (_("Attach Images"),
                                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                                        _("_Attach"),
                                                        _("_Cancel"));
      gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->file_chooser), TRUE);
      gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->file_chooser), TRUE);

      filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, _("Images"));
      gtk_file_filter_add_mime_type (filter, "image/png");
      gtk_file_filter_add_mime_type (filter, "image/jpeg");
      gtk_file_filter_add_pixbuf_formats (filter);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->file_chooser), filter);

      g_signal_connect_object (self->file_chooser, "response",
                               G_CALLBACK (file_chooser_response_cb),
                               self, G_CONNECT_SWAPPED);
    }

  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->file_chooser));
}

static void
preedit_changed_cb (CriaComposer *self,
                    const char   *preedit,
                    GtkTextView  *text_view)
{
  g_assert (CRIA_IS_COMPOSER (self));

  self->preedit = preedit != NULL && preedit[0] != '\0';
  update_placeholder (self);
}

/* Runs in the capture phase, before the text view's own handler. While an
 * input method composes text (a preedit is shown), Enter belongs to it. */
static gboolean
key_pressed_cb (CriaComposer          *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  g_assert (CRIA_IS_COMPOSER (self));

  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return GDK_EVENT_PROPAGATE;

  /* Shift+Enter (and any other modifier): the text view inserts a newline */
  if ((state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return GDK_EVENT_PROPAGATE;

  if (self->preedit)
    return GDK_EVENT_PROPAGATE;

  gtk_widget_activate_action (GTK_WIDGET (self), "chat.send", NULL);

  /* Even when sending is not possible now (busy, empty), Enter never
   * inserts a newline: the user asked to send, not to break the line. */
  return GDK_EVENT_STOP;
}

static void
update_max_height (CriaComposer *self)
{
  PangoContext *context;
  PangoFontMetrics *metrics;
  int line_height;
  int margins;

  context = gtk_widget_get_pango_context (GTK_WIDGET (self->text_view));
  metrics = pango_context_get_metrics (context, NULL, NULL);
  line_height = pango_font_metrics_get_height (metrics);
  if (line_height <= 0)
    line_height = pango_font_metrics_get_ascent (metrics) + pango_font_metrics_get_descent (metrics);
  pango_font_metrics_unref (metrics);

  margins = gtk_text_view_get_top_margin (self->text_view) +
            gtk_text_view_get_bottom_margin (self->text_view);

  gtk_scrolled_window_set_max_content_height (self->scroller,
                                              PANGO_PIXELS_CEIL (line_height * MAX_VISIBLE_LINES) + margins);
}

static void
text_view_realize_cb (CriaComposer *self,
                      GtkWidget    *text_view)
{
  update_max_height (self);
}

static void
cria_composer_system_setting_changed (GtkWidget        *widget,
                                      GtkSystemSetting  setting)
{
  CriaComposer *self = CRIA_COMPOSER (widget);

  GTK_WIDGET_CLASS (cria_composer_parent_class)->system_setting_changed (widget, setting);

  if (setting == GTK_SYSTEM_SETTING_FONT_NAME || setting == GTK_SYSTEM_SETTING_DPI)
    update_max_height (self);
}

static gboolean
cria_composer_grab_focus (GtkWidget *widget)
{
  CriaComposer *self = CRIA_COMPOSER (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
}

static void
cria_composer_dispose (GObject *object)
{
  CriaComposer *self = CRIA_COMPOSER (object);

  g_cancellable_cancel (self->cancellable);
  g_queue_clear_full (&self->pending, (GDestroyNotify) pending_free);
  g_clear_pointer (&self->current, pending_free);

  if (self->file_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->file_chooser));
  g_clear_object (&self->file_chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIA_TYPE_COMPOSER);

  g_clear_object (&self->images);
  g_clear_object (&self->model);
  g_clear_object (&self->cancellable);
  if (self->notice != NULL)
    g_string_free (g_steal_pointer (&self->notice), TRUE);

  G_OBJECT_CLASS (cria_composer_parent_class)->dispose (object);
}

static void
cria_composer_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CriaComposer *self = CRIA_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_EMPTY:
      g_value_set_boolean (value, self->empty);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_composer_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CriaComposer *self = CRIA_COMPOSER (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      cria_composer_set_busy (self, g_value_get_boolean (value));
      break;

    case PROP_MODEL:
      cria_composer_set_model (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cria_composer_class_init (CriaComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cria_composer_dispose;
  object_class->get_property = cria_composer_get_property;
  object_class->set_property = cria_composer_set_property;

  widget_class->grab_focus = cria_composer_grab_focus;
  widget_class->system_setting_changed = cria_composer_system_setting_changed;

  /**
   * CriaComposer:busy:
   *
   * Whether a reply is being generated: Stop is shown instead of Send.
   */
  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaComposer:empty:
   *
   * Whether there is nothing to send: the text is empty or only white
   * space, and no image is attached. Images alone can be sent.
   */
  properties [PROP_EMPTY] =
    g_param_spec_boolean ("empty", NULL, NULL,
                          TRUE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaComposer:loading:
   *
   * Whether images are still being read and checked: sending now would
   * leave them out.
   */
  properties [PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * CriaComposer:model:
   *
   * The model the message goes to, for what it can see; %NULL when not
   * known.
   */
  properties [PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         CRIA_TYPE_MODEL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cria/Cria/ui/cria-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, box);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, scroller);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, text_view);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, placeholder);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, send_button);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, stop_button);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, attach_button);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, notice_revealer);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, notice_label);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, vision_label);
  gtk_widget_class_bind_template_child (widget_class, CriaComposer, image_strip);
  gtk_widget_class_bind_template_callback (widget_class, preedit_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, text_view_realize_cb);
  gtk_widget_class_bind_template_callback (widget_class, dismiss_notice_cb);
  gtk_widget_class_bind_template_callback (widget_class, image_strip_remove_cb);

  gtk_widget_class_install_action (widget_class, "composer.attach-image", NULL, attach_image_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "composer");
}

static void
cria_composer_init (CriaComposer *self)
{
  GtkEventController *controller;
  GType drop_types[] = { GDK_TYPE_TEXTURE, GDK_TYPE_FILE_LIST };

  self->empty = TRUE;
  self->blank = TRUE;
  self->notice = g_string_new (NULL);
  self->cancellable = g_cancellable_new ();
  self->images = g_list_store_new (CRIA_TYPE_IMAGE);
  g_queue_init (&self->pending);

  g_type_ensure (CRIA_TYPE_IMAGE_STRIP);
  gtk_widget_init_template (GTK_WIDGET (self));

  cria_image_strip_set_model (self->image_strip, G_LIST_MODEL (self->images));
  g_signal_connect_object (self->images, "items-changed",
                           G_CALLBACK (images_changed_cb),
                           self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->text_view, "paste-clipboard",
                           G_CALLBACK (paste_clipboard_cb),
                           self, G_CONNECT_SWAPPED);

  /* Before the text view, which would take a file's path as text */
  self->drop_target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (self->drop_target, drop_types, G_N_ELEMENTS (drop_types));
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (self->drop_target),
                                              GTK_PHASE_CAPTURE);
  g_signal_connect_object (self->drop_target, "drop",
                           G_CALLBACK (drop_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->drop_target));

  g_signal_connect_object (gtk_text_view_get_buffer (self->text_view),
                           "changed",
                           G_CALLBACK (buffer_changed_cb),
                           self,
                           G_CONNECT_SWAPPED);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_object (controller,
                           "key-pressed",
                           G_CALLBACK (key_pressed_cb),
                           self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->text_view), controller);
}

GtkWidget *
cria_composer_new (void)
{
  return g_object_new (CRIA_TYPE_COMPOSER, NULL);
}

/**
 * cria_composer_dup_text:
 * @self: a #CriaComposer
 *
 * Returns: (transfer full): the text as typed, never %NULL
 */
char *
cria_composer_dup_text (CriaComposer *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter begin, end;

  g_return_val_if_fail (CRIA_IS_COMPOSER (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &begin, &end);

  return gtk_text_buffer_get_text (buffer, &begin, &end, FALSE);
}

void
cria_composer_set_text (CriaComposer *self,
                        const char   *text)
{
  g_return_if_fail (CRIA_IS_COMPOSER (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view),
                            text ? text : "", -1);
}

gboolean
cria_composer_get_empty (CriaComposer *self)
{
  g_return_val_if_fail (CRIA_IS_COMPOSER (self), TRUE);

  return self->empty;
}

gboolean
cria_composer_get_busy (CriaComposer *self)
{
  g_return_val_if_fail (CRIA_IS_COMPOSER (self), FALSE);

  return self->busy;
}

void
cria_composer_set_busy (CriaComposer *self,
                        gboolean      busy)
{
  gboolean had_focus;

  g_return_if_fail (CRIA_IS_COMPOSER (self));

  busy = !!busy;

  if (busy == self->busy)
    return;

  /* Swapping the buttons must not drop the keyboard focus on the floor */
  had_focus = gtk_widget_has_focus (self->send_button) || gtk_widget_has_focus (self->stop_button);

  self->busy = busy;
  gtk_widget_set_visible (self->send_button, !busy);
  gtk_widget_set_visible (self->stop_button, busy);

  if (had_focus)
    gtk_widget_grab_focus (busy ? self->stop_button : GTK_WIDGET (self->text_view));

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

/**
 * cria_composer_get_text_view:
 * @self: a #CriaComposer
 *
 * Returns: (transfer none): the text view the user types in
 */
GtkWidget *
cria_composer_get_text_view (CriaComposer *self)
{
  g_return_val_if_fail (CRIA_IS_COMPOSER (self), NULL);

  return GTK_WIDGET (self->text_view);
}

/**
 * cria_composer_add_image_bytes:
 * @bytes: an image, in any format GTK reads
 * @name: (nullable): what to call it, such as its file name
 *
 * Attaches an image, as dropping its file would: it is checked and
 * converted off the main thread, then shown, or refused with a notice.
 */
void
cria_composer_add_image_bytes (CriaComposer *self,
                               GBytes       *bytes,
                               const char   *name)
{
  Pending *pending;

  g_return_if_fail (CRIA_IS_COMPOSER (self));
  g_return_if_fail (bytes != NULL);

  pending = g_new0 (Pending, 1);
  pending->bytes = g_bytes_ref (bytes);
  pending->name = g_strdup (name);
  pending->what = name != NULL ? g_strdup_printf ("“%s”", name) : g_strdup (_("The image"));
  enqueue (self, pending);
}

guint
cria_composer_get_n_images (CriaComposer *self)
{
  g_return_val_if_fail (CRIA_IS_COMPOSER (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->images));
}

/**
 * cria_composer_dup_images:
 *
 * Returns: (transfer container) (element-type GBytes): the attached
 *   images as they are to be sent, PNG or JPEG
 */
GPtrArray *
cria_composer_dup_images (CriaComposer *self)
{
  GPtrArray *images;
  guint n_items;

  g_return_val_if_fail (CRIA_IS_COMPOSER (self), NULL);

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->images));
  images = g_ptr_array_new_full (n_items, (GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CriaImage) image = g_list_model_get_item (G_LIST_MODEL (self->images), i);

      g_ptr_array_add (images, g_bytes_ref (cria_image_get_bytes (image)));
    }

  return images;
}

/**
 * cria_composer_clear_images:
 *
 * Removes the attached images, and the notice of those refused: the
 * message was sent.
 */
void
cria_composer_clear_images (CriaComposer *self)
{
  g_return_if_fail (CRIA_IS_COMPOSER (self));

  g_list_store_remove_all (self->images);
  dismiss_notice_cb (self);
}

gboolean
cria_composer_get_loading (CriaComposer *self)
{
  g_return_val_if_fail (CRIA_IS_COMPOSER (self), FALSE);

  return self->loading;
}

/**
 * cria_composer_get_model:
 *
 * Returns: (transfer none) (nullable): the model the message goes to
 */
CriaModel *
cria_composer_get_model (CriaComposer *self)
{
  g_return_val_if_fail (CRIA_IS_COMPOSER (self), NULL);

  return self->model;
}

/**
 * cria_composer_set_model:
 * @model: (nullable): the model the message goes to
 *
 * Says whether the images attached will be seen: with a model known not
 * to see images, a hint says so as soon as one is attached.
 */
void
cria_composer_set_model (CriaComposer *self,
                         CriaModel    *model)
{
  g_return_if_fail (CRIA_IS_COMPOSER (self));
  g_return_if_fail (!model || CRIA_IS_MODEL (model));

  if (g_set_object (&self->model, model))
    {
      update_vision_hint (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MODEL]);
    }
}

/**
 * cria_composer_get_images_ignored:
 *
 * Returns: whether images are attached that the model is known not to
 *   see: the user should confirm before sending only the text
 */
gboolean
cria_composer_get_images_ignored (CriaComposer *self)
{
  g_return_val_if_fail (CRIA_IS_COMPOSER (self), FALSE);

  return g_list_model_get_n_items (G_LIST_MODEL (self->images)) > 0 && model_is_blind (self);
}

GtkWidget *
_cria_composer_get_send_button (CriaComposer *self)
{
  return self->send_button;
}

GtkWidget *
_cria_composer_get_stop_button (CriaComposer *self)
{
  return self->stop_button;
}

GtkWidget *
_cria_composer_get_attach_button (CriaComposer *self)
{
  return self->attach_button;
}

CriaImageStrip *
_cria_composer_get_image_strip (CriaComposer *self)
{
  return self->image_strip;
}

GtkDropTarget *
_cria_composer_get_drop_target (CriaComposer *self)
{
  return self->drop_target;
}

/* NULL unless the Attach Image file chooser is open */
GtkNativeDialog *
_cria_composer_get_file_chooser (CriaComposer *self)
{
  return self->file_chooser ? GTK_NATIVE_DIALOG (self->file_chooser) : NULL;
}

const char *
_cria_composer_get_notice (CriaComposer *self)
{
  if (!gtk_revealer_get_reveal_child (self->notice_revealer))
    return NULL;

  return gtk_label_get_text (self->notice_label);
}

const char *
_cria_composer_get_vision_hint (CriaComposer *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->vision_label)))
    return NULL;

  return gtk_label_get_text (self->vision_label);
}
