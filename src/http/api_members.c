/* api_members: who is asking and who is there — the caller's own record (/me), the member
 * list, new members. Handlers for the route table in api.c. */
#include "http/api_members.h"
#include "http/api_fields.h"
#include "http/api_points.h"
#include "auth/auth.h"
#include "core/log.h"

#include <errno.h>

void api_me(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  api_reply_json(resp, 200, auth_member_json(call->member, NULL));
}

/* ?q= narrows to display names containing it or ids starting with it; paged. */
void api_members_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 page = 1, per_page = 20, total = 0;
  if (!api_query_page(call, resp, &page, &per_page))
    return;
  const char *q = g_hash_table_lookup(call->req->query, "q");
  if (q && !api_text_ok(q, 0, 100, false)) {
    http_response_error(resp, 400, "invalid_parameter", "q must be at most 100 characters of text");
    return;
  }
  g_autofree char *needle = g_strstrip(g_strdup(q ? q : ""));
  GPtrArray *members = NULL;
  if (db_member_search(ctx->db, needle, per_page, (page - 1) * per_page, &members, &total) < 0) {
    http_response_error(resp, 500, "internal", "could not read members");
    return;
  }
  JsonArray *arr = json_array_new();
  for (guint i = 0; i < members->len; i++)
    json_array_add_element(arr, api_member_json(ctx, members->pdata[i]));
  g_ptr_array_unref(members);
  JsonObject *obj = json_object_new();
  json_object_set_array_member(obj, "members", arr);
  json_object_set_int_member(obj, "total", total);
  json_object_set_int_member(obj, "page", page);
  json_object_set_int_member(obj, "per_page", per_page);
  JsonNode *node = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(node, obj);
  api_reply_json(resp, 200, node);
}

void api_members_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  const char *name = NULL, *role_text = "viewer";
  gboolean verified = FALSE;
  Role role;

  JsonNode *n = json_object_get_member(o, "display_name");
  if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
    http_response_error(resp, 400, "invalid_field", "display_name must be a string");
    goto out;
  }
  name = json_node_get_string(n);
  n = json_object_get_member(o, "role");
  if (n) {
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING) {
      http_response_error(resp, 400, "invalid_field", "role must be a string");
      goto out;
    }
    role_text = json_node_get_string(n);
  }
  if (role_parse(role_text, &role) < 0) {
    http_response_error(resp, 400, "invalid_field", "role must be viewer, editor or admin");
    goto out;
  }
  n = json_object_get_member(o, "real_name_verified");
  if (n) {
    if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN) {
      http_response_error(resp, 400, "invalid_field", "real_name_verified must be a boolean");
      goto out;
    }
    verified = json_node_get_boolean(n);
  }

  Member *m = NULL;
  char *token = NULL;
  int ret = auth_member_create(ctx->db, ctx->secret, name, role, verified, &m, &token);
  if (ret == -EINVAL) {
    http_response_error(resp, 400, "invalid_field", "display_name must be 1 to 100 characters");
    goto out;
  }
  if (ret < 0) {
    http_response_error(resp, 500, "internal", "could not create the member");
    goto out;
  }
  log_info("api", "member %s (%s) created by %s", m->id, role_name(m->role), call->member->id);
  api_reply_json(resp, 201, auth_member_json(m, token));
  member_free(&m);
  g_free(token);
out:
  json_node_unref(node);
}
