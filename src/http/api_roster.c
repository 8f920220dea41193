/* api_roster: POST /api/v1/members/roster — the roster CSV as the body (text/csv), the report
 * back: {added, updated, unchanged, refused: [{line, reason}]}. */
#include "http/api_roster.h"
#include "auth/roster.h"
#include "core/log.h"

#include <errno.h>

void api_roster_import(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const HttpRequest *req = call->req;
  if (!req->content_type || !(g_str_has_prefix(req->content_type, "text/csv") ||
                              g_str_has_prefix(req->content_type, "text/plain"))) {
    http_response_error(resp, 415, "unsupported_media_type", "send the roster as text/csv");
    return;
  }
  if (!req->body || req->body_len == 0) {
    http_response_error(resp, 400, "invalid_roster", "the roster is empty");
    return;
  }
  RosterReport r = { 0 };
  g_autofree char *err = NULL;
  int ret = roster_import(ctx->db, ctx->secret, req->body, req->body_len, call->member->id,
                          call->member->display_name, &r, &err);
  if (ret == -EINVAL) {
    http_response_error(resp, 400, "invalid_roster", "%s", err);
    return;
  }
  if (ret < 0) {
    http_response_error(resp, 503, "busy", "the roster could not be stored; try again");
    return;
  }
  log_info("roster", "member %s imported the roster: %d added, %d updated, %d unchanged, %u refused",
           call->member->id, r.added, r.updated, r.unchanged, r.refused->len);
  api_reply_json(resp, 200, roster_report_json(&r));
  roster_report_clear(&r);
}
