/* api_fields: reading API requests — typed, bounded body fields and query parameters, each
 * refusal answered 400 with the field's name and what it must be. */
#include "http/api_fields.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

#define PER_PAGE_DEFAULT 20
#define PER_PAGE_MAX 100
#define TAGS_MAX 20
#define TAG_CHARS_MAX 32

bool api_in_list(const char *s, const char *const *list)
{
  for (; *list; list++)
    if (!strcmp(s, *list))
      return true;
  return false;
}

bool api_text_ok(const char *s, glong min, glong max, bool multiline)
{
  if (!s || !g_utf8_validate(s, -1, NULL))
    return false;
  glong n = g_utf8_strlen(s, -1);
  if (n < min || n > max)
    return false;
  bool blank = true;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p < 0x20 || *p == 0x7f) {
      if (!multiline || (*p != '\n' && *p != '\t' && *p != '\r'))
        return false;
    } else if (*p != ' ') {
      blank = false;
    }
  }
  return min == 0 || !blank;
}

/* Refuses members of O not in ALLOWED (a typo should not pass silently). */
bool api_only_known(JsonObject *o, const char *const *allowed, HttpResponse *resp)
{
  GList *names = json_object_get_members(o);
  bool ok = true;
  for (GList *l = names; l && ok; l = l->next) {
    if (!api_in_list(l->data, allowed)) {
      http_response_error(resp, 400, "unknown_field", "unknown field: %s", (const char *)l->data);
      ok = false;
    }
  }
  g_list_free(names);
  return ok;
}

/* Field NAME of O as text of MIN..MAX characters. Returns 1 with *OUT when present, 0 when
 * absent, -1 after answering 400. */
int api_field_text(JsonObject *o, const char *name, glong min, glong max, bool multiline,
                      const char **out, HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n)
    return 0;
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
    http_response_error(resp, 400, "invalid_field", "%s must be a string", name);
    return -1;
  }
  const char *s = json_node_get_string(n);
  if (!api_text_ok(s, min, max, multiline)) {
    http_response_error(resp, 400, "invalid_field",
                        "%s must be %ld to %ld characters%s", name, min, max,
                        multiline ? " without control characters" :
                                    " on one line, without control characters");
    return -1;
  }
  *out = s;
  return 1;
}

/* Field NAME as one of LIST. Returns 1, 0 or -1 as api_field_text(). */
int api_field_enum(JsonObject *o, const char *name, const char *const *list, const char **out,
                      HttpResponse *resp)
{
  int r = api_field_text(o, name, 1, 64, false, out, resp);
  if (r == 1 && !api_in_list(*out, list)) {
    g_autofree char *all = g_strjoinv(", ", (char **)list);
    http_response_error(resp, 400, "invalid_field", "%s must be one of %s", name, all);
    return -1;
  }
  return r;
}

/* Field NAME as an ISO 8601 time with a zone, or null (*OUT = 0). Returns 1, 0 or -1. */
int api_field_time(JsonObject *o, const char *name, gint64 *out, HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n)
    return 0;
  if (JSON_NODE_HOLDS_NULL(n)) {
    *out = 0;
    return 1;
  }
  GDateTime *dt = NULL;
  if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING &&
      strlen(json_node_get_string(n)) <= 64)
    dt = g_date_time_new_from_iso8601(json_node_get_string(n), NULL);
  if (!dt || g_date_time_to_unix(dt) <= 0) {
    if (dt)
      g_date_time_unref(dt);
    http_response_error(resp, 400, "invalid_field",
                        "%s must be an ISO 8601 time with a zone (e.g. 2026-11-22T19:00:00+08:00) or null",
                        name);
    return -1;
  }
  *out = g_date_time_to_unix(dt);
  g_date_time_unref(dt);
  return 1;
}

int api_field_bool(JsonObject *o, const char *name, bool *out, HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n)
    return 0;
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
    http_response_error(resp, 400, "invalid_field", "%s must be true or false", name);
    return -1;
  }
  *out = json_node_get_boolean(n);
  return 1;
}

/* Field NAME as an integer in MIN..MAX. Returns 1, 0 or -1. */
int api_field_int(JsonObject *o, const char *name, gint64 min, gint64 max, gint64 *out,
                     HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n)
    return 0;
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64 ||
      json_node_get_int(n) < min || json_node_get_int(n) > max) {
    http_response_error(resp, 400, "invalid_field", "%s must be an integer from %" G_GINT64_FORMAT
                        " to %" G_GINT64_FORMAT, name, min, max);
    return -1;
  }
  *out = json_node_get_int(n);
  return 1;
}

/* Field "tags": an array of at most TAGS_MAX distinct one-line strings of 1..TAG_CHARS_MAX
 * characters. Returns 1 with the array as JSON text in *OUT (caller frees), 0 or -1. */
int api_field_tags(JsonObject *o, char **out, HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, "tags");
  if (!n)
    return 0;
  if (!JSON_NODE_HOLDS_ARRAY(n) || json_array_get_length(json_node_get_array(n)) > TAGS_MAX) {
    http_response_error(resp, 400, "invalid_field", "tags must be an array of at most %d strings", TAGS_MAX);
    return -1;
  }
  JsonArray *a = json_node_get_array(n);
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonNode *e = json_array_get_element(a, i);
    const char *t = JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING
                        ? json_node_get_string(e) : NULL;
    if (!t || !api_text_ok(t, 1, TAG_CHARS_MAX, false)) {
      http_response_error(resp, 400, "invalid_field", "each tag must be a string of 1 to %d characters",
                          TAG_CHARS_MAX);
      return -1;
    }
    for (guint j = 0; j < i; j++)
      if (!strcmp(t, json_array_get_string_element(a, j))) {
        http_response_error(resp, 400, "invalid_field", "tag repeated: %s", t);
        return -1;
      }
  }
  *out = util_json_text(n, false);
  return 1;
}

/* Query parameter NAME as an integer in MIN..MAX (DEF when absent). False after 400. */
bool api_query_int(const ApiCall *call, const char *name, gint64 min, gint64 max, gint64 def,
                      gint64 *out, HttpResponse *resp)
{
  const char *v = g_hash_table_lookup(call->req->query, name);
  *out = def;
  if (!v)
    return true;
  char *end = NULL;
  errno = 0;
  gint64 x = g_ascii_strtoll(v, &end, 10);
  if (!*v || *end || errno || x < min || x > max) {
    http_response_error(resp, 400, "invalid_parameter", "%s must be an integer from %" G_GINT64_FORMAT
                        " to %" G_GINT64_FORMAT, name, min, max);
    return false;
  }
  *out = x;
  return true;
}

/* page and per_page: LIMIT and OFFSET for the page asked for. False after 400. */
bool api_query_page(const ApiCall *call, HttpResponse *resp, gint64 *page, gint64 *per_page)
{
  return api_query_int(call, "page", 1, 100000, 1, page, resp) &&
         api_query_int(call, "per_page", 1, PER_PAGE_MAX, PER_PAGE_DEFAULT, per_page, resp);
}

bool api_query_flag(const ApiCall *call, const char *name)
{
  const char *v = g_hash_table_lookup(call->req->query, name);
  return v && (!strcmp(v, "true") || !strcmp(v, "1"));
}

/* Digits at *P (at least MIN, at most MAX of them) as a number; advances *P. -1 when fewer
 * or more. */
static gint64 take_digits(const char **p, int min, int max)
{
  gint64 v = 0;
  int n = 0;
  while (g_ascii_isdigit(**p)) {
    if (++n > max)
      return -1;
    v = v * 10 + (**p - '0');
    (*p)++;
  }
  return n >= min ? v : -1;
}

int api_parse_clock(const char *text, double *out)
{
  if (!text || !*text)
    return -EINVAL;
  const char *p = text;
  gint64 parts[3];
  int n = 0;
  /* The first part is any whole number; each part after a colon is exactly two digits. */
  for (;;) {
    gint64 v = n == 0 ? take_digits(&p, 1, 9) : take_digits(&p, 2, 2);
    if (v < 0 || (n > 0 && v >= 60))
      return -EINVAL;
    parts[n++] = v;
    if (*p != ':')
      break;
    if (n == 3)
      return -EINVAL;
    p++;
  }
  double fraction = 0;
  if (*p == '.') {
    p++;
    const char *start = p;
    gint64 f = take_digits(&p, 1, 3);
    if (f < 0)
      return -EINVAL;
    int digits = (int)(p - start);
    fraction = (double)f / (digits == 1 ? 10 : digits == 2 ? 100 : 1000);
  }
  if (*p)
    return -EINVAL;
  double s = 0;
  for (int i = 0; i < n; i++)
    s = s * 60 + (double)parts[i];
  *out = s + fraction;
  return 0;
}

bool api_path_id(const ApiCall *call, int i, gint64 *out)
{
  const char *s = i >= 0 && i < API_MAX_PARAMS ? call->params[i] : NULL;
  guint64 v = 0;
  /* The unsigned reader refuses a sign and spaces as well as overflow. */
  if (!s || !g_ascii_string_to_unsigned(s, 10, 1, G_MAXINT64, &v, NULL))
    return false;
  *out = (gint64)v;
  return true;
}
