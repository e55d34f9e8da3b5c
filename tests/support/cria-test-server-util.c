/* cria-test-server-util.c: what the simulator writes the way Ollama does
 *
 * Ollama is a Go program: its JSON comes from encoding/json (HTML-safe
 * escapes, U+FFFD for invalid UTF-8, struct order) and its timestamps from
 * time.Time (RFC 3339 with trimmed nanoseconds). See ollama-protocol.md §1.3.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "cria-test-server"

#include "cria-config.h"

#include <string.h>
#include <time.h>

#include "cria-test-server-private.h"

/* ------------------------------------------------------------------------ */
/* Models                                                                   */

typedef struct
{
  const char *name;
  const char *family;
  const char *parameter_size;
  const char *quantization_level;
  gint64      size;
  gint64      context_length;
  gint64      embedding_length;
} KnownModel;

static const KnownModel known_models[] = {
  { "llama3.2:latest", "llama", "3.2B", "Q4_K_M", 2019393189, 131072, 3072 },
  { "llama3.2:1b", "llama", "1.2B", "Q8_0", 1321098329, 131072, 2048 },
  { "qwen3:0.6b", "qwen3", "751.63M", "Q4_K_M", 522653767, 40960, 1024 },
  { "qwen3:8b", "qwen3", "8.2B", "Q4_K_M", 5225387923, 40960, 4096 },
  { "llava:7b", "llama", "7B", "Q4_0", 4733363377, 32768, 4096 },
  { "nomic-embed-text:latest", "nomic-bert", "137M", "F16", 274302450, 2048, 768 },
  { "gemma3:4b", "gemma3", "4.3B", "Q4_K_M", 3338801804, 131072, 2560 },
  { "mistral:7b", "llama", "7.2B", "Q4_K_M", 4372824384, 32768, 4096 },
  { "phi4:14b", "phi3", "14.7B", "Q4_K_M", 9053116391, 16384, 5120 },
  { "deepseek-r1:7b", "qwen2", "7.6B", "Q4_K_M", 4683075271, 131072, 3584 },
  { "gpt-oss:20b", "gptoss", "20.9B", "MXFP4", 13780173734, 131072, 2880 },
};

static const char *default_capabilities[] = { "completion", NULL };

static char *
guess_family (const char *display)
{
  const char *base = strrchr (display, '/');
  g_autofree char *family = NULL;
  gsize len = 0;

  base = base != NULL ? base + 1 : display;
  while (base[len] != '\0' && base[len] != ':' && !g_ascii_isdigit (base[len]) &&
         base[len] != '.' && base[len] != '-' && base[len] != '_')
    len++;

  if (len == 0)
    len = strcspn (base, ":");

  family = g_ascii_strdown (base, len);
  return g_steal_pointer (&family);
}

/* "7b" → 7e9 parameters, "0.6b" → 6e8, "135m" → 1.35e8; 0 if the tag says nothing. */
static double
guess_parameters (const char *display)
{
  const char *tag = strrchr (display, ':');
  char *end = NULL;
  double value;

  if (tag == NULL)
    return 0;

  value = g_ascii_strtod (tag + 1, &end);
  if (end == tag + 1 || value <= 0)
    return 0;
  if (*end == 'b' || *end == 'B')
    return value * 1e9;
  if (*end == 'm' || *end == 'M')
    return value * 1e6;

  return 0;
}

CriaTestModel *
_cria_test_model_new (const char         *name,
                      const char * const *capabilities)
{
  CriaTestModel *model = g_new0 (CriaTestModel, 1);
  g_autofree char *key = _cria_test_name_key (name);
  const KnownModel *known = NULL;

  model->name = _cria_test_name_display (name);
  model->capabilities = g_strdupv ((char **) (capabilities != NULL ? capabilities
                                                                   : default_capabilities));
  model->digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, model->name, -1);
  model->modified_at = g_date_time_new_now_local ();

  for (guint i = 0; i < G_N_ELEMENTS (known_models); i++)
    if (g_str_equal (known_models[i].name, key))
      known = &known_models[i];

  if (known != NULL)
    {
      model->family = g_strdup (known->family);
      model->parameter_size = g_strdup (known->parameter_size);
      model->quantization_level = g_strdup (known->quantization_level);
      model->size = known->size;
      model->context_length = known->context_length;
      model->embedding_length = known->embedding_length;
    }
  else
    {
      double parameters = guess_parameters (model->name);

      if (parameters <= 0)
        parameters = 3.2e9;

      model->family = guess_family (model->name);
      if (parameters >= 1e9)
        model->parameter_size = g_strdup_printf ("%.1fB", parameters / 1e9);
      else
        model->parameter_size = g_strdup_printf ("%.0fM", parameters / 1e6);
      model->quantization_level = g_strdup ("Q4_K_M");
      model->size = (gint64) (parameters * 0.61) + 1024 * 1024;
      model->context_length = 32768;
      model->embedding_length = 4096;
    }

  return model;
}

CriaTestModel *
_cria_test_model_copy (const CriaTestModel *model,
                       const char          *name)
{
  CriaTestModel *copy = g_new0 (CriaTestModel, 1);

  copy->name = name != NULL ? _cria_test_name_display (name) : g_strdup (model->name);
  copy->capabilities = g_strdupv (model->capabilities);
  copy->size = model->size;
  copy->digest = g_strdup (model->digest);   /* the same manifest, as after `ollama cp` */
  copy->family = g_strdup (model->family);
  copy->parameter_size = g_strdup (model->parameter_size);
  copy->quantization_level = g_strdup (model->quantization_level);
  copy->context_length = model->context_length;
  copy->embedding_length = model->embedding_length;
  copy->modified_at = g_date_time_new_now_local ();

  return copy;
}

void
_cria_test_model_free (CriaTestModel *model)
{
  if (model == NULL)
    return;

  g_free (model->name);
  g_strfreev (model->capabilities);
  g_free (model->digest);
  g_free (model->family);
  g_free (model->parameter_size);
  g_free (model->quantization_level);
  g_clear_pointer (&model->modified_at, g_date_time_unref);
  g_free (model);
}

gboolean
_cria_test_model_has_capability (const CriaTestModel *model,
                                 const char          *capability)
{
  return g_strv_contains ((const char * const *) model->capabilities, capability);
}

static void
layer_free (gpointer data)
{
  CriaTestLayer *layer = data;

  g_free (layer->digest);
  g_free (layer);
}

/* The weights, then the small blobs: template, license, parameters. */
GPtrArray *
_cria_test_model_layers (const CriaTestModel *model)
{
  static const struct {
    const char *kind;
    guint64     size;
  } blobs[] = {
    { "weights", 0 }, { "template", 1429 }, { "license", 7711 }, { "params", 96 },
  };
  GPtrArray *layers = g_ptr_array_new_with_free_func (layer_free);
  guint64 small = 0;

  for (guint i = 1; i < G_N_ELEMENTS (blobs); i++)
    small += blobs[i].size;

  for (guint i = 0; i < G_N_ELEMENTS (blobs); i++)
    {
      CriaTestLayer *layer = g_new0 (CriaTestLayer, 1);
      g_autofree char *seed = g_strconcat (model->name, "/", blobs[i].kind, NULL);
      g_autofree char *hex = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);

      layer->digest = g_strconcat ("sha256:", hex, NULL);
      layer->size = blobs[i].size > 0 ? blobs[i].size
                                       : (guint64) MAX (model->size - (gint64) small, 1);
      g_ptr_array_add (layers, layer);
    }

  return layers;
}

/* ------------------------------------------------------------------------ */
/* Names (ollama-protocol.md §6.18)                                         */

static const char *
skip_default_prefixes (const char *name)
{
  if (g_ascii_strncasecmp (name, "registry.ollama.ai/", 19) == 0)
    name += 19;
  if (g_ascii_strncasecmp (name, "library/", 8) == 0)
    name += 8;

  return name;
}

static gboolean
has_tag (const char *name)
{
  const char *slash = strrchr (name, '/');

  return strchr (slash != NULL ? slash : name, ':') != NULL;
}

/* The shortest form, tag always included: "llama3.2" → "llama3.2:latest". */
char *
_cria_test_name_display (const char *name)
{
  name = skip_default_prefixes (name);

  if (has_tag (name))
    return g_strdup (name);

  return g_strconcat (name, ":latest", NULL);
}

/* Names match case-insensitively, with the default tag and namespace. */
char *
_cria_test_name_key (const char *name)
{
  g_autofree char *display = _cria_test_name_display (name);

  return g_ascii_strdown (display, -1);
}

/* The form capability errors use: "registry.ollama.ai/library/x:latest". */
char *
_cria_test_name_full (const char *name)
{
  g_autofree char *display = _cria_test_name_display (name);

  if (strchr (display, '/') == NULL)
    return g_strconcat ("registry.ollama.ai/library/", display, NULL);

  return g_strconcat ("registry.ollama.ai/", display, NULL);
}

gboolean
_cria_test_name_is_valid (const char *name)
{
  const char *slash;
  const char *colon;

  if (name == NULL || name[0] == '\0' || strlen (name) > 350)
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("_.-:/", *p) == NULL)
      return FALSE;

  slash = strrchr (name, '/');
  slash = slash != NULL ? slash + 1 : name;
  colon = strchr (slash, ':');

  /* The model part starts with a letter or digit, and there is one tag. */
  if (!g_ascii_isalnum (slash[0]))
    return FALSE;
  if (colon != NULL && (colon[1] == '\0' || strchr (colon + 1, ':') != NULL))
    return FALSE;

  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* JSON output like Go's encoding/json                                      */

void
_cria_json_append_string_len (GString    *out,
                              const char *str,
                              gsize       len)
{
  static const char hex[] = "0123456789abcdef";
  const char *p = str;
  const char *end = str + len;
  const char *run = str;

  g_string_append_c (out, '"');

  while (p < end)
    {
      guchar c = (guchar) *p;

      if (c >= 0x80)
        {
          gunichar ch = g_utf8_get_char_validated (p, end - p);

          if (ch == (gunichar) -1 || ch == (gunichar) -2)
            {
              g_string_append_len (out, run, p - run);
              g_string_append (out, "\\ufffd");
              p++;
              run = p;
            }
          else if (ch == 0x2028 || ch == 0x2029)
            {
              g_string_append_len (out, run, p - run);
              g_string_append (out, ch == 0x2028 ? "\\u2028" : "\\u2029");
              p += 3;
              run = p;
            }
          else
            {
              p = g_utf8_next_char (p);
            }
          continue;
        }

      if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&')
        {
          p++;
          continue;
        }

      g_string_append_len (out, run, p - run);
      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        case '\b':
          g_string_append (out, "\\b");
          break;
        case '\f':
          g_string_append (out, "\\f");
          break;
        default:
          g_string_append (out, "\\u00");
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xf]);
          break;
        }
      p++;
      run = p;
    }

  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}

void
_cria_json_append_string (GString    *out,
                          const char *str)
{
  _cria_json_append_string_len (out, str != NULL ? str : "", str != NULL ? strlen (str) : 0);
}

/* Go's RFC3339Nano: nanoseconds with the trailing zeros trimmed. */
static void
append_fraction (GString *out,
                 guint    nanoseconds)
{
  char digits[11];
  int len;

  if (nanoseconds == 0)
    return;

  len = g_snprintf (digits, sizeof digits, ".%09u", nanoseconds);
  while (len > 1 && digits[len - 1] == '0')
    len--;
  g_string_append_len (out, digits, len);
}

static void
append_offset (GString  *out,
               GTimeSpan offset)
{
  gint64 minutes = offset / G_TIME_SPAN_MINUTE;

  if (minutes == 0)
    {
      g_string_append_c (out, 'Z');
      return;
    }

  g_string_append_printf (out, "%c%02d:%02d",
                          minutes < 0 ? '-' : '+',
                          (int) (ABS (minutes) / 60), (int) (ABS (minutes) % 60));
}

/* created_at: time.Now().UTC(), so always "Z". */
void
_cria_json_append_created_at (GString *out)
{
  gint64 now = g_get_real_time ();
  time_t seconds = (time_t) (now / G_USEC_PER_SEC);
  struct tm tm;
  char buffer[32];
  guint nanoseconds;

  gmtime_r (&seconds, &tm);
  strftime (buffer, sizeof buffer, "\"%Y-%m-%dT%H:%M:%S", &tm);
  g_string_append (out, buffer);

  /* Go has nanoseconds; make up the last three digits. */
  nanoseconds = (guint) (now % G_USEC_PER_SEC) * 1000 + (guint) g_random_int_range (0, 1000);
  append_fraction (out, nanoseconds);
  g_string_append (out, "Z\"");
}

/* modified_at / expires_at: the server's local zone. */
void
_cria_json_append_local_time (GString   *out,
                              GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);
  g_autofree char *text = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S");

  g_string_append_c (out, '"');
  g_string_append (out, text);
  append_fraction (out, (guint) g_date_time_get_microsecond (local) * 1000);
  append_offset (out, g_date_time_get_utc_offset (local));
  g_string_append_c (out, '"');
}

void
_cria_json_append_expires_at (GString *out,
                              gint64   real_us)
{
  g_autoptr(GDateTime) time = NULL;

  if (real_us == G_MAXINT64)
    {
      /* keep_alive forever is MaxInt64 nanoseconds: about the year 2318. */
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      time = g_date_time_add (now, G_MAXINT64 / 1000);
    }
  else
    {
      g_autoptr(GDateTime) seconds = g_date_time_new_from_unix_local (real_us / G_USEC_PER_SEC);

      time = g_date_time_add (seconds, real_us % G_USEC_PER_SEC);
    }

  _cria_json_append_local_time (out, time);
}

/* ------------------------------------------------------------------------ */
/* Tokens                                                                   */

/* Splits before every run of white space, which stays with the next word:
 * "alpha beta gamma" → "alpha", " beta", " gamma". */
GPtrArray *
_cria_test_tokenize (const char *text)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);
  const char *p = text != NULL ? text : "";

  while (*p != '\0')
    {
      const char *start = p;

      while (*p != '\0' && g_ascii_isspace (*p))
        p++;
      while (*p != '\0' && !g_ascii_isspace (*p))
        p++;

      g_ptr_array_add (tokens, g_strndup (start, p - start));
    }

  return tokens;
}

guint
_cria_test_count_words (const char *text)
{
  g_autoptr(GPtrArray) tokens = _cria_test_tokenize (text);

  return tokens->len;
}

static const char reply_corpus[] =
  "Sure! Here is a short overview of **llamas** and their cousins.\n\n"
  "## Where they live\n\n"
  "Llamas 🦙 come from the Andes, where the air is thin and the nights are cold. "
  "A young llama is called a *cria*, and it can stand within an hour of birth. "
  "Herders in Perú and Bolivia have kept them for thousands of years — for wool, "
  "for transport, and as company on long walks.\n\n"
  "- **Wool:** soft, warm and light\n"
  "- **Height:** about 1.7–1.8 m at the head\n"
  "- **Diet:** grass, hay & the occasional café snack (not recommended)\n\n"
  "```python\n"
  "def greet(name):\n"
  "    return f\"Привет, {name}!\" if name else \"<nobody>\"\n"
  "```\n\n"
  "In Russian the soft sign ь changes the sound before it; in French you write "
  "«naïve» and «été». Sums such as 17 × 23 = 391 show up too, along with "
  "`inline code` and a [link](https://ollama.com).\n\n"
  "> Llamas hum when they are curious, and spit only when they must.\n\n";

static const char thinking_corpus[] =
  "Okay, the user wants to know about llamas. Let me think about what matters "
  "most: where they live, what they eat, and how big they get. I should keep it "
  "short, maybe with a list. Also mention the word cria, which means a baby "
  "llama. Should I add a code example? It might be fun, so yes. Let me "
  "double-check the sum: 17 × 23 is 17 × 20 + 17 × 3 = 340 + 51 = 391. Good. ";

static GPtrArray *
corpus_tokens (gboolean thinking)
{
  static GPtrArray *reply_tokens;
  static GPtrArray *thinking_tokens;
  GPtrArray **tokens = thinking ? &thinking_tokens : &reply_tokens;

  if (g_once_init_enter (tokens))
    g_once_init_leave (tokens, _cria_test_tokenize (thinking ? thinking_corpus : reply_corpus));

  return *tokens;
}

/* Token @index of an endless, deterministic text: words, Markdown, and
 * multi-byte characters ("é", "ь", "🦙"). */
void
_cria_test_generated_token (gboolean  thinking,
                            guint     index,
                            GString  *out)
{
  GPtrArray *tokens = corpus_tokens (thinking);

  g_string_append (out, g_ptr_array_index (tokens, index % tokens->len));
}

char *
_cria_test_tool_call_id (void)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  char id[14] = "call_";

  for (guint i = 5; i < 13; i++)
    id[i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)];
  id[13] = '\0';

  return g_strdup (id);
}

/* ------------------------------------------------------------------------ */
/* Request checks, with the Go error messages                               */

/* Go's base64.StdEncoding: the offset of the first illegal byte. */
gboolean
_cria_test_check_base64 (const char *data,
                         gsize      *bad_index)
{
  gsize n = 0;
  gsize i;

  for (i = 0; data[i] != '\0'; i++)
    {
      char c = data[i];

      if (c == '\r' || c == '\n')
        continue;

      if (c == '=')
        {
          gsize pad = 0;

          while (data[i] == '=' || data[i] == '\r' || data[i] == '\n')
            {
              if (data[i] == '=')
                pad++;
              i++;
            }
          if (data[i] != '\0')
            {
              *bad_index = i;
              return FALSE;
            }
          if (pad > 2 || (n + pad) % 4 != 0)
            {
              *bad_index = i - 1;
              return FALSE;
            }
          return TRUE;
        }

      if (!g_ascii_isalnum (c) && c != '+' && c != '/')
        {
          *bad_index = i;
          return FALSE;
        }
      n++;
    }

  if (n % 4 != 0)
    {
      *bad_index = i;
      return FALSE;
    }

  return TRUE;
}

/* Go's time.ParseDuration, in microseconds. */
static gboolean
parse_go_duration (const char  *text,
                   gint64      *out_us,
                   char       **error)
{
  static const struct {
    const char *unit;
    double      ns;
  } units[] = {
    { "ns", 1 }, { "us", 1e3 }, { "µs", 1e3 }, { "μs", 1e3 }, { "ms", 1e6 },
    { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
  };
  const char *p = text;
  gboolean negative = FALSE;
  double total = 0;

  if (*p == '-' || *p == '+')
    negative = *p++ == '-';

  if (g_str_equal (p, "0"))
    {
      *out_us = 0;
      return TRUE;
    }

  if (*p == '\0')
    goto invalid;

  while (*p != '\0')
    {
      const char *start = p;
      const char *unit_start;
      g_autofree char *number = NULL;
      g_autofree char *unit = NULL;
      double value;
      gboolean known = FALSE;

      while (g_ascii_isdigit (*p) || *p == '.')
        p++;
      if (p == start || (p == start + 1 && *start == '.'))
        goto invalid;

      number = g_strndup (start, p - start);
      value = g_ascii_strtod (number, NULL);

      unit_start = p;
      while (*p != '\0' && !g_ascii_isdigit (*p) && *p != '.')
        p++;
      if (p == unit_start)
        {
          *error = g_strdup_printf ("time: missing unit in duration \"%s\"", text);
          return FALSE;
        }

      unit = g_strndup (unit_start, p - unit_start);
      for (guint i = 0; i < G_N_ELEMENTS (units); i++)
        if (g_str_equal (units[i].unit, unit))
          {
            total += value * units[i].ns;
            known = TRUE;
          }
      if (!known)
        {
          *error = g_strdup_printf ("time: unknown unit \"%s\" in duration \"%s\"", unit, text);
          return FALSE;
        }
    }

  *out_us = negative ? -1 : (gint64) (total / 1e3);
  return TRUE;

invalid:
  *error = g_strdup_printf ("time: invalid duration \"%s\"", text);
  return FALSE;
}

/* keep_alive: a number of seconds, or a duration string; negative means
 * forever (-1 out). */
gboolean
_cria_test_parse_keep_alive (JsonNode  *node,
                             gint64    *out_us,
                             char     **error)
{
  GType type = json_node_get_value_type (node);

  if (type == G_TYPE_STRING)
    return parse_go_duration (json_node_get_string (node), out_us, error);

  if (type == G_TYPE_INT64 || type == G_TYPE_DOUBLE)
    {
      double seconds = json_node_get_double (node);

      *out_us = seconds < 0 ? -1 : (gint64) (seconds * G_USEC_PER_SEC);
      return TRUE;
    }

  *error = _cria_test_json_type_error (node, "ChatRequest", "keep_alive", "api.Duration");
  return FALSE;
}

static const char *
json_type_name (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return "object";
    case JSON_NODE_ARRAY:
      return "array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return "string";
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return "bool";

  return "number";
}

char *
_cria_test_json_type_error (JsonNode   *node,
                            const char *go_struct,
                            const char *field,
                            const char *go_type)
{
  return g_strdup_printf ("json: cannot unmarshal %s into Go struct field %s.%s of type %s",
                          json_type_name (node), go_struct, field, go_type);
}

/* What Go's decoder says about a body that is not JSON. */
char *
_cria_test_json_syntax_error (const char *body,
                              gsize       length)
{
  gsize i = 0;

  while (i < length && g_ascii_isspace (body[i]))
    i++;

  if (i == length)
    return g_strdup ("unexpected EOF");

  if (strchr ("{[\"-0123456789tfn", body[i]) == NULL)
    {
      if ((guchar) body[i] >= 0x20 && (guchar) body[i] < 0x7f)
        return g_strdup_printf ("invalid character '%c' looking for beginning of value", body[i]);
      return g_strdup_printf ("invalid character '\\x%02x' looking for beginning of value",
                              (guchar) body[i]);
    }

  return g_strdup ("unexpected EOF");
}
