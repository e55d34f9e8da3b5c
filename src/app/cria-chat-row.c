/* cria-chat-row.c: one chat in the sidebar
 *
 * The title (or "New Chat" while it has none), a pin for pinned chats,
 * the model and the last activity in words ("5 minutes ago"), and a menu
 * button whose menu the chats list also opens on a right-click or
 * Shift+F10. The menu's items are window actions that take the chat's id.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-chat-row"

#include "cria-config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cria-chat-row.h"
#include "cria-chat-row-private.h"

struct _CriaChatRow
{
  GtkWidget       parent_instance;

  /* Template Widgets */
  GtkLabel       *title_label;
  GtkImage       *pin_image;
  GtkLabel       *subtitle_label;
  GtkMenuButton  *menu_button;

  /* Owned References */
  CriaChatInfo   *info;
  GSignalGroup   *info_signals;
};

G_DEFINE_FINAL_TYPE (CriaChatRow, cria_chat_row, GTK_TYPE_WIDGET)

/**
 * cria_chat_row_format_time:
 * @time: when, in microseconds since the Unix epoch
 * @now: the time now, in the same unit
 *
 * The time of a chat's last activity in words, as the sidebar shows it:
 * "Just now", "5 minutes ago", "3 hours ago" (today), "Yesterday", the day
 * of the week in the last week, else the date.
 *
 * Returns: (transfer full): the text
 */
char *
cria_chat_row_format_time (gint64 time,
                           gint64 now)
{
  g_autoptr(GDateTime) then_dt = g_date_time_new_from_unix_local (time / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now_dt = g_date_time_new_from_unix_local (now / G_USEC_PER_SEC);
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) then_day = NULL;
  gint64 seconds = (now - time) / G_USEC_PER_SEC;
  GTimeSpan days;

  if (then_dt == NULL || now_dt == NULL)
    return g_strdup ("");

  if (seconds < 60)
    return g_strdup (_("Just now"));

  if (seconds < 60 * 60)
    {
      int minutes = (int) (seconds / 60);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%d minute ago", "%d minutes ago", minutes),
                              minutes);
    }

  today = g_date_time_new_local (g_date_time_get_year (now_dt),
                                 g_date_time_get_month (now_dt),
                                 g_date_time_get_day_of_month (now_dt),
                                 0, 0, 0);
  then_day = g_date_time_new_local (g_date_time_get_year (then_dt),
                                    g_date_time_get_month (then_dt),
                                    g_date_time_get_day_of_month (then_dt),
                                    0, 0, 0);
  /* Calendar days: a day around a change of summer time is not 24 hours */
  days = (g_date_time_difference (today, then_day) + G_TIME_SPAN_HOUR * 12) / G_TIME_SPAN_DAY;

  if (days <= 0)
    {
      int hours = (int) (seconds / (60 * 60));

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%d hour ago", "%d hours ago", hours),
                              hours);
    }

  if (days == 1)
    return g_strdup (_("Yesterday"));

  if (days < 7)
    /* Translators: the day of the week of a chat's last activity, see
     * the formats of g_date_time_format () */
    return g_date_time_format (then_dt, _("%A"));

  if (g_date_time_get_year (then_dt) == g_date_time_get_year (now_dt))
    /* Translators: a date in this year, such as “March 5”; see the
     * formats of g_date_time_format () */
    return g_date_time_format (then_dt, _("%B %-d"));

  /* Translators: a date in another year, such as “March 5, 2024”; see the
   * formats of g_date_time_format () */
  return g_date_time_format (then_dt, _("%B %-d, %Y"));
}

/**
 * cria_chat_row_title_or_placeholder:
 * @info: a chat
 *
 * Returns: (transfer none): the chat's title, or "New Chat" while it has
 *   none
 */
const char *
cria_chat_row_title_or_placeholder (CriaChatInfo *info)
{
  const char *title;

  g_return_val_if_fail (CRIA_IS_CHAT_INFO (info), NULL);

  title = cria_chat_info_get_title (info);

  return title != NULL && title[0] != '\0' ? title : _("New Chat");
}

static char *
dup_short_model_name (const char *model)
{
  if (model == NULL)
    return NULL;

  if (g_str_has_suffix (model, ":latest"))
    return g_strndup (model, strlen (model) - strlen (":latest"));

  return g_strdup (model);
}

static void
append_item (GMenu      *section,
             const char *label,
             const char *action,
             gint64      id)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, g_variant_new_int64 (id));
  g_menu_append_item (section, item);
}

/* The items are window actions that take the chat's id */
static void
update_menu (CriaChatRow *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) edit = g_menu_new ();
  g_autoptr(GMenu) export = g_menu_new ();
  g_autoptr(GMenu) delete = g_menu_new ();
  gint64 id = cria_chat_info_get_id (self->info);
  gboolean pinned = cria_chat_info_get_pinned (self->info);

  append_item (edit, _("_Rename…"), "win.rename-chat", id);
  append_item (edit, pinned ? _("Un_pin") : _("_Pin"), "win.toggle-chat-pinned", id);
  append_item (export, _("Export as _Markdown…"), "win.export-chat-markdown", id);
  append_item (export, _("Export as _JSON…"), "win.export-chat-json", id);
  append_item (delete, _("_Delete"), "win.delete-chat", id);

  g_menu_append_section (menu, NULL, G_MENU_MODEL (edit));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (export));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (delete));

  gtk_menu_button_set_menu_model (self->menu_button, G_MENU_MODEL (menu));
}

/**
 * cria_chat_row_update_time:
 * @self: a #CriaChatRow
 *
 * Writes the time of the last activity anew, as time goes by.
 */
void
cria_chat_row_update_time (CriaChatRow *self)
{
  g_autofree char *model = NULL;
  g_autofree char *when = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (CRIA_IS_CHAT_ROW (self));

  if (self->info == NULL)
    return;

  model = dup_short_model_name (cria_chat_info_get_model (self->info));
  when = cria_chat_row_format_time (cria_chat_info_get_updated_at (self->info),
                                    g_get_real_time ());

  if (model != NULL && model[0] != '\0')
    /* Translators: a chat's model and its last activity, such as
     * “llama3.2 · 5 minutes ago” */
    text = g_strdup_printf (_("%s · %s"), model, when);
  else
    text = g_steal_pointer (&when);

  gtk_label_set_text (self->subtitle_label, text);
}

static void
update (CriaChatRow *self)
{
  if (self->info == NULL)
    return;

  gtk_label_set_text (self->title_label, cria_chat_row_title_or_placeholder (self->info));
  gtk_widget_set_visible (GTK_WIDGET (self->pin_image), cria_chat_info_get_pinned (self->info));
  cria_chat_row_update_time (self);
  update_menu (self);
}

static void
info_notify_cb (CriaChatRow  *self,
                GParamSpec   *pspec,
                CriaChatInfo *info)
{
  g_assert (CRIA_IS_CHAT_ROW (self));

  update (self);
}

static void
secondary_click_cb (CriaChatRow     *self,
                    int              n_press,
                    double           x,
                    double           y,
                    GtkGestureClick *gesture)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  cria_chat_row_popup_menu (self);
}

static void
cria_chat_row_dispose (GObject *object)
{
  CriaChatRow *self = CRIA_CHAT_ROW (object);
  GtkWidget *child;

  if (self->info_signals != NULL)
    g_signal_group_set_target (self->info_signals, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIA_TYPE_CHAT_ROW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->info_signals);
  g_clear_object (&self->info);

  G_OBJECT_CLASS (cria_chat_row_parent_class)->dispose (object);
}

static void
cria_chat_row_class_init (CriaChatRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cria_chat_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/cria/Cria/ui/cria-chat-row.ui");
  gtk_widget_class_bind_template_child (widget_class, CriaChatRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, CriaChatRow, pin_image);
  gtk_widget_class_bind_template_child (widget_class, CriaChatRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, CriaChatRow, menu_button);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chatrow");
}

static void
cria_chat_row_init (CriaChatRow *self)
{
  GtkGesture *gesture;

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))), 6);

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect_object (gesture, "pressed", G_CALLBACK (secondary_click_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  self->info_signals = g_signal_group_new (CRIA_TYPE_CHAT_INFO);
  g_signal_group_connect_object (self->info_signals, "notify",
                                 G_CALLBACK (info_notify_cb),
                                 self, G_CONNECT_SWAPPED);
}

GtkWidget *
cria_chat_row_new (void)
{
  return g_object_new (CRIA_TYPE_CHAT_ROW, NULL);
}

/**
 * cria_chat_row_get_info:
 * @self: a #CriaChatRow
 *
 * Returns: (transfer none) (nullable): the chat shown
 */
CriaChatInfo *
cria_chat_row_get_info (CriaChatRow *self)
{
  g_return_val_if_fail (CRIA_IS_CHAT_ROW (self), NULL);

  return self->info;
}

void
cria_chat_row_set_info (CriaChatRow  *self,
                        CriaChatInfo *info)
{
  g_return_if_fail (CRIA_IS_CHAT_ROW (self));
  g_return_if_fail (!info || CRIA_IS_CHAT_INFO (info));

  if (!g_set_object (&self->info, info))
    return;

  g_signal_group_set_target (self->info_signals, info);
  update (self);
}

/**
 * cria_chat_row_popup_menu:
 * @self: a #CriaChatRow
 *
 * Opens the row's menu, as its menu button does.
 */
void
cria_chat_row_popup_menu (CriaChatRow *self)
{
  g_return_if_fail (CRIA_IS_CHAT_ROW (self));

  gtk_menu_button_popup (self->menu_button);
}

GtkLabel *
_cria_chat_row_get_title_label (CriaChatRow *self)
{
  return self->title_label;
}

GtkLabel *
_cria_chat_row_get_subtitle_label (CriaChatRow *self)
{
  return self->subtitle_label;
}

GtkImage *
_cria_chat_row_get_pin_image (CriaChatRow *self)
{
  return self->pin_image;
}

GtkMenuButton *
_cria_chat_row_get_menu_button (CriaChatRow *self)
{
  return self->menu_button;
}
