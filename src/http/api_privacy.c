/* api_privacy: members' data under China's PIPL — a member's own export, and an admin's export
 * and erasure of one member. What is exported and erased is db_privacy's list. */
#include "http/api_privacy.h"
#include "club/submit_files.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_privacy.h"

#include <errno.h>

/* Answers with member ID's export as a JSON file to save. */
static void reply_export(ApiContext *ctx, const char *id, HttpResponse *resp)
{
  JsonNode *node = NULL;
  int rc = db_privacy_export(ctx->db, id, util_now(), &node);
  if (rc == -ENOENT) {
    http_response_error(resp, 404, "not_found", "no such member: %s", id);
    return;
  }
  if (rc < 0) {
    http_response_error(resp, 500, "internal", "could not read the member's data");
    return;
  }
  api_reply_json(resp, 200, node);
  g_autofree char *disposition = g_strdup_printf("attachment; filename=\"lectern-data-%s.json\"", id);
  http_response_header(resp, "content-disposition:", disposition);
}

void api_me_data(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  reply_export(ctx, call->member->id, resp);
}

/* An admin reading someone's personal data is itself recorded (who looked, not what). */
void api_member_data(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *id = call->params[0];
  gint64 erased = 0;
  if (db_privacy_erased_at(ctx->db, id, &erased) == -ENOENT) {
    http_response_error(resp, 404, "not_found", "no such member: %s", id);
    return;
  }
  if (!api_begin(ctx, resp))
    return;
  if (api_commit_audited(ctx, call, "member.export", "member", id, NULL, resp) == 0)
    reply_export(ctx, id, resp);
}

void api_member_erase(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *id = call->params[0];
  /* An admin erasing themselves would end their own access mid-way (and could leave no admin). */
  if (g_strcmp0(id, call->member->id) == 0) {
    http_response_error(resp, 409, "self", "an admin cannot erase their own data; ask another admin");
    return;
  }
  if (!api_begin(ctx, resp))
    return;
  JsonNode *report = NULL;
  /* The member's pictures nothing else uses: listed before their rows go, deleted after the
   * commit (club/submit_files.c). */
  g_auto(GStrv) files = NULL;
  int rc = submit_files_of_member(ctx->db, ctx->config, id, &files);
  if (rc == 0)
    rc = db_privacy_erase(ctx->db, id, util_now(), &report);
  if (rc == -ENOENT) {
    db_rollback(ctx->db);
    http_response_error(resp, 404, "not_found", "no such member: %s", id);
    return;
  }
  if (rc < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, rc == -ENOSPC ? 507 : 500, rc == -ENOSPC ? "storage_full" : "internal",
                        "could not erase the member's data; nothing was changed");
    return;
  }
  JsonObject *o = json_node_get_object(report);
  if (json_object_get_boolean_member(o, "already_erased")) {
    /* Nothing changed, so nothing to record. */
    db_rollback(ctx->db);
    api_reply_json(resp, 200, report);
    return;
  }
  json_object_set_int_member(json_object_get_object_member(o, "changed"), "image_files",
                             files ? g_strv_length(files) : 0);
  if (api_commit_audited(ctx, call, "member.erase", "member", id, report, resp) < 0) {
    json_node_unref(report);
    return;
  }
  submit_files_remove(files, NULL);
  /* Sessions and the credential are refused from the next request; an open /ws is ended now. */
  if (ctx->end_member)
    ctx->end_member(ctx->end_member_user, id);
  /* Their chat messages are no longer shown: no replay in memory may still hold them. */
  chat_replay_cache_forget(ctx->replay, NULL);
  api_reply_json(resp, 200, report);
}
