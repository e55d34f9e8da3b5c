/* cria-pull.h: one model download, with live progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cria-types.h"

G_BEGIN_DECLS

#define CRIA_TYPE_PULL_LAYER (cria_pull_layer_get_type ())

G_DECLARE_FINAL_TYPE (CriaPullLayer, cria_pull_layer, CRIA, PULL_LAYER, GObject)

const char    *cria_pull_layer_get_digest    (CriaPullLayer *self);
gint64         cria_pull_layer_get_total     (CriaPullLayer *self);
gint64         cria_pull_layer_get_completed (CriaPullLayer *self);

#define CRIA_TYPE_PULL (cria_pull_get_type ())

G_DECLARE_FINAL_TYPE (CriaPull, cria_pull, CRIA, PULL, GObject)

const char    *cria_pull_get_model         (CriaPull *self);
CriaBackend   *cria_pull_dup_backend       (CriaPull *self);
CriaPullState  cria_pull_get_state         (CriaPull *self);
const char    *cria_pull_get_status        (CriaPull *self);
gint64         cria_pull_get_total         (CriaPull *self);
gint64         cria_pull_get_completed     (CriaPull *self);
double         cria_pull_get_fraction      (CriaPull *self);
double         cria_pull_get_speed         (CriaPull *self);
gint64         cria_pull_get_seconds_left  (CriaPull *self);
const GError  *cria_pull_get_error         (CriaPull *self);
GListModel    *cria_pull_get_layers        (CriaPull *self);
void           cria_pull_cancel            (CriaPull *self);

G_END_DECLS
