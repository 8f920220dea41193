/* http_types: one HTTP request and its response, independent of libwebsockets. */
#include "http/http_types.h"
#include "core/util.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

void http_response_init(HttpResponse *r)
{
  r->status = 200;
  r->content_type = NULL;
  r->body = NULL;
  r->headers = g_ptr_array_new_with_free_func(g_free);
  r->last_modified = 0;
  r->fresh_until = 0;
  r->later = false;
}

void http_later_answer(const HttpLater *l, HttpResponse *resp)
{
  HttpResponse *moved = g_new(HttpResponse, 1);
  *moved = *resp;
  moved->later = false;
  http_response_init(resp);
  l->answer(l->server, l->id, moved); /* takes MOVED */
}

void http_response_clear(HttpResponse *r)
{
  g_clear_pointer(&r->content_type, g_free);
  if (r->body)
    g_string_free(r->body, TRUE);
  r->body = NULL;
  g_clear_pointer(&r->headers, g_ptr_array_unref);
}

void http_response_header(HttpResponse *r, const char *name, const char *value)
{
  g_ptr_array_add(r->headers, g_strdup(name));
  g_ptr_array_add(r->headers, g_strdup(value));
}

void http_response_text(HttpResponse *r, int status, const char *content_type, const char *body)
{
  r->status = status;
  g_free(r->content_type);
  r->content_type = g_strdup(content_type);
  if (r->body)
    g_string_free(r->body, TRUE);
  r->body = g_string_new(body);
}

void http_response_error(HttpResponse *r, int status, const char *code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *raw = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  /* Messages quote what the client sent (a path, a value), which may be any bytes; JSON
   * text must be UTF-8, so invalid sequences become U+FFFD (found by fuzzing: the 404 for a
   * path with a byte 0xFF was not JSON). */
  char *message = g_utf8_make_valid(raw, -1);
  g_free(raw);

  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "error");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "code");
  json_builder_add_string_value(b, code);
  json_builder_set_member_name(b, "message");
  json_builder_add_string_value(b, message);
  json_builder_end_object(b);
  json_builder_end_object(b);
  JsonNode *root = json_builder_get_root(b);
  char *text = util_json_text(root, false);
  http_response_text(r, status, "application/json; charset=utf-8", text);
  g_free(text);
  json_node_unref(root);
  g_object_unref(b);
  g_free(message);
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

char *http_date_format(gint64 t)
{
  GDateTime *dt = g_date_time_new_from_unix_utc(t);
  if (!dt)
    return g_strdup("Thu, 01 Jan 1970 00:00:00 GMT");
  static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  char *s = g_strdup_printf("%s, %02d %s %04d %02d:%02d:%02d GMT",
                            days[g_date_time_get_day_of_week(dt) - 1],
                            g_date_time_get_day_of_month(dt), months[g_date_time_get_month(dt) - 1],
                            g_date_time_get_year(dt), g_date_time_get_hour(dt),
                            g_date_time_get_minute(dt), g_date_time_get_second(dt));
  g_date_time_unref(dt);
  return s;
}

gint64 http_date_parse(const char *s)
{
  char wday[4], mon[4];
  int day, year, h, m, sec;
  if (!s || sscanf(s, "%3s, %d %3s %d %d:%d:%d GMT", wday, &day, mon, &year, &h, &m, &sec) != 7)
    return -1;
  for (int i = 0; i < 12; i++) {
    if (strcmp(mon, months[i]) != 0)
      continue;
    GDateTime *dt = g_date_time_new_utc(year, i + 1, day, h, m, sec);
    if (!dt)
      return -1;
    gint64 t = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return t;
  }
  return -1;
}
