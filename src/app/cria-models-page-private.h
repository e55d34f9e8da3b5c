/* cria-models-page-private.h: what the tests look at
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cria-models-page.h"

G_BEGIN_DECLS

AdwEntryRow      *_cria_models_page_get_pull_row        (CriaModelsPage *self);
GtkWidget        *_cria_models_page_get_pull_button     (CriaModelsPage *self);
GtkLabel         *_cria_models_page_get_pull_error_label (CriaModelsPage *self);
GtkListBox       *_cria_models_page_get_pulls_box       (CriaModelsPage *self);
GtkListBox       *_cria_models_page_get_running_box     (CriaModelsPage *self);
GtkSearchEntry   *_cria_models_page_get_search_entry    (CriaModelsPage *self);
GtkWidget        *_cria_models_page_get_catalog_row     (CriaModelsPage *self);
GtkWidget        *_cria_models_page_get_installed_box   (CriaModelsPage *self);
AdwMessageDialog *_cria_models_page_get_remove_dialog   (CriaModelsPage *self);
GtkWindow        *_cria_models_page_get_details_window  (CriaModelsPage *self);
GtkWindow        *_cria_models_page_get_create_dialog   (CriaModelsPage *self);
const char       *_cria_models_page_get_last_toast      (CriaModelsPage *self);

G_END_DECLS
