/* cria-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-json"

#include "cria-config.h"

#include "cria-json.h"

static JsonNode *
get_value_node (JsonObject *object,
                const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  return node;
}

const char *
cria_json_get_string (JsonObject *object,
                      const char *member,
                      const char *fallback)
{
  JsonNode *node = get_value_node (object, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return fallback;

  return json_node_get_string (node);
}

gint64
cria_json_get_int (JsonObject *object,
                   const char *member,
                   gint64      fallback)
{
  JsonNode *node = get_value_node (object, member);
  GType type;

  if (node == NULL)
    return fallback;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return json_node_get_int (node);
  if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (d >= (double) G_MININT64 && d <= (double) G_MAXINT64)
        return (gint64) d;
    }

  return fallback;
}

double
cria_json_get_double (JsonObject *object,
                      const char *member,
                      double      fallback)
{
  JsonNode *node = get_value_node (object, member);
  GType type;

  if (node == NULL)
    return fallback;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  if (type == G_TYPE_INT64)
    return (double) json_node_get_int (node);

  return fallback;
}

gboolean
cria_json_get_boolean (JsonObject *object,
                       const char *member,
                       gboolean    fallback)
{
  JsonNode *node = get_value_node (object, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;

  return json_node_get_boolean (node);
}

JsonObject *
cria_json_get_object (JsonObject *object,
                      const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return json_node_get_object (node);
}

JsonArray *
cria_json_get_array (JsonObject *object,
                     const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  return json_node_get_array (node);
}

char **
cria_json_dup_strv (JsonObject *object,
                    const char *member)
{
  JsonArray *array = cria_json_get_array (object, member);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n;

  n = array != NULL ? json_array_get_length (array) : 0;
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) &&
          json_node_get_value_type (node) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (node));
    }

  return g_strv_builder_end (builder);
}

GDateTime *
cria_json_dup_date_time (JsonObject *object,
                         const char *member)
{
  const char *text = cria_json_get_string (object, member, NULL);

  if (text == NULL || text[0] == '\0')
    return NULL;

  return g_date_time_new_from_iso8601 (text, NULL);
}
