/* api_events: scheduling a live lesson (POST /api/v1/events): its key and URLs come from
 * media/event.c; the change is audited. Handler for the route table in api.c. */
#include "http/api_events.h"
#include "db/db_audit.h"
#include "db/db_video.h"
#include "media/event.h"

#include <errno.h>
#include <string.h>

/* A string member NAME of O, or NULL when absent; false when present but not a string. */
static bool opt_string(JsonObject *o, const char *name, const char **out)
{
  JsonNode *n = json_object_get_member(o, name);
  *out = NULL;
  if (!n || JSON_NODE_HOLDS_NULL(n))
    return true;
  if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
    return false;
  *out = json_node_get_string(n);
  return true;
}

void api_events_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  EventRequest req = { 0 };
  const char *visibility = NULL;
  static const char *names[] = {"title", "presenter", "kind", "starts", "visibility"};
  const char **slots[] = {&req.title, &req.presenter, &req.kind, &req.starts, &visibility};
  for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
    if (!opt_string(o, names[i], slots[i])) {
      http_response_error(resp, 400, "invalid_field", "%s must be a string", names[i]);
      goto out;
    }
  }
  if (!req.title) {
    http_response_error(resp, 400, "invalid_field", "title is required");
    goto out;
  }
  if (visibility && strcmp(visibility, "draft") && strcmp(visibility, "published") &&
      strcmp(visibility, "unlisted")) {
    http_response_error(resp, 400, "invalid_field", "visibility must be draft, published or unlisted");
    goto out;
  }
  if (!api_begin(ctx, resp)) {
    goto out;
  }
  JsonNode *result = NULL;
  const char *field = NULL, *msg = NULL;
  int rc = event_create(ctx->db, ctx->config, ctx->secret, &req, call->member->id, &result,
                        &field, &msg);
  JsonObject *ro = result ? json_node_get_object(result) : NULL;
  const char *vid = ro ? json_object_get_string_member(ro, "id") : NULL;
  if (rc == 0 && visibility && (rc = db_video_set_text(ctx->db, vid, VIDEO_VISIBILITY, visibility)) == 0)
    json_object_set_string_member(ro, "visibility", visibility);
  if (rc == 0)
    rc = db_audit_add(ctx->db, call->member->id, call->member->display_name, "video.schedule",
                      "video", vid, node);
  if (rc == 0)
    rc = db_commit(ctx->db);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (result)
      json_node_unref(result);
    if (rc == -EINVAL)
      http_response_error(resp, 400, "invalid_field", "%s", msg);
    else
      http_response_error(resp, 500, "internal", "could not schedule the lesson");
    goto out;
  }
  api_reply_json(resp, 201, result);
out:
  json_node_unref(node);
}
