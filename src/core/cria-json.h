/* cria-json.h: typed, null-safe json-glib accessors
 *
 * The server is an untrusted peer: any member may be missing, null or of
 * another type than documented. These return the fallback then.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

const char *cria_json_get_string  (JsonObject *object,
                                   const char *member,
                                   const char *fallback);
gint64      cria_json_get_int     (JsonObject *object,
                                   const char *member,
                                   gint64      fallback);
double      cria_json_get_double  (JsonObject *object,
                                   const char *member,
                                   double      fallback);
gboolean    cria_json_get_boolean (JsonObject *object,
                                   const char *member,
                                   gboolean    fallback);
JsonObject *cria_json_get_object  (JsonObject *object,
                                   const char *member);
JsonArray  *cria_json_get_array   (JsonObject *object,
                                   const char *member);
char      **cria_json_dup_strv    (JsonObject *object,
                                   const char *member);
GDateTime  *cria_json_dup_date_time (JsonObject *object,
                                     const char *member);

G_END_DECLS
