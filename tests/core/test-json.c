/* test-json.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include "cria-json.h"

static JsonObject *
parse (JsonParser *parser,
       const char *json)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);

  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_wrong_types (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object = parse (parser,
                              "{\"s\":5,\"i\":\"5\",\"n\":null,\"o\":[],\"a\":{},"
                              "\"big\":10706818083,\"d\":1.5,\"b\":true,"
                              "\"strv\":[\"x\",1,null,\"y\"]}");
  g_auto(GStrv) strv = NULL;

  g_assert_cmpstr (cria_json_get_string (object, "s", "fallback"), ==, "fallback");
  g_assert_cmpint (cria_json_get_int (object, "i", -1), ==, -1);
  g_assert_cmpint (cria_json_get_int (object, "n", -2), ==, -2);
  g_assert_cmpint (cria_json_get_int (object, "missing", -3), ==, -3);
  g_assert_null (cria_json_get_object (object, "o"));
  g_assert_null (cria_json_get_array (object, "a"));
  g_assert_null (cria_json_get_object (NULL, "o"));
  /* Durations are int64 nanoseconds. */
  g_assert_cmpint (cria_json_get_int (object, "big", 0), ==, G_GINT64_CONSTANT (10706818083));
  g_assert_cmpint (cria_json_get_int (object, "d", 0), ==, 1);
  g_assert_cmpfloat (cria_json_get_double (object, "big", 0), ==, 10706818083.0);
  g_assert_true (cria_json_get_boolean (object, "b", FALSE));
  g_assert_false (cria_json_get_boolean (object, "s", FALSE));

  strv = cria_json_dup_strv (object, "strv");
  g_assert_cmpuint (g_strv_length (strv), ==, 2);
  g_assert_cmpstr (strv[0], ==, "x");
  g_assert_cmpstr (strv[1], ==, "y");
}

static void
test_timestamps (void)
{
  static const struct {
    const char *text;
    int year;
    int second;
    int microsecond;
  } cases[] = {
    { "2025-07-07T20:22:19.184789Z", 2025, 19, 184789 },
    { "2025-07-07T20:22:19.196Z", 2025, 19, 196000 },
    { "2025-07-07T20:22:19Z", 2025, 19, 0 },
    { "2025-05-10T08:06:48.639712648-07:00", 2025, 48, 639712 },
    { "2318-05-10T08:06:48.1+02:00", 2318, 48, 100000 },
    { "0001-01-01T00:00:00Z", 1, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *json = g_strdup_printf ("{\"t\":\"%s\"}", cases[i].text);
      JsonObject *object = parse (parser, json);
      g_autoptr(GDateTime) dt = cria_json_dup_date_time (object, "t");

      g_assert_nonnull (dt);
      g_assert_cmpint (g_date_time_get_year (dt), ==, cases[i].year);
      g_assert_cmpint (g_date_time_get_second (dt), ==, cases[i].second);
      g_assert_cmpint (g_date_time_get_microsecond (dt), ==, cases[i].microsecond);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cria/json/wrong-types", test_wrong_types);
  g_test_add_func ("/cria/json/timestamps", test_timestamps);

  return g_test_run ();
}
