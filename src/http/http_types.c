/* http_types: one HTTP request and its response, independent of libwebsockets. */
#include "http/http_types.h"

#include <json-glib/json-glib.h>

void http_response_init(HttpResponse *r)
{
  r->status = 200;
  r->content_type = NULL;
  r->body = NULL;
  r->headers = g_ptr_array_new_with_free_func(g_free);
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
  char *message = g_strdup_vprintf(fmt, ap);
  va_end(ap);

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
  char *text = json_to_string(root, FALSE);
  http_response_text(r, status, "application/json; charset=utf-8", text);
  g_free(text);
  json_node_unref(root);
  g_object_unref(b);
  g_free(message);
}
