/* api_session: browser sessions over the API — sign in (a credential exchanged for a session
 * cookie), the current session with its CSRF token, sign out. */
#include "http/api_session.h"
#include "auth/auth.h"
#include "auth/session.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_audit.h"

#include <errno.h>
#include <string.h>

/* {member, method, csrf_token, created_at, expires_at, idle_timeout} */
static JsonNode *session_json(ApiContext *ctx, const Member *m, const char *id,
                              const DbSession *s)
{
  JsonObject *o = json_object_new();
  json_object_set_member(o, "member", auth_member_json(m, NULL));
  json_object_set_string_member(o, "method", s->method);
  g_autofree char *csrf = session_csrf_token(ctx->secret, id);
  json_object_set_string_member(o, "csrf_token", csrf);
  g_autofree char *created = util_iso8601(s->created_at);
  json_object_set_string_member(o, "created_at", created);
  g_autofree char *expires = util_iso8601(s->expires_at);
  json_object_set_string_member(o, "expires_at", expires);
  json_object_set_int_member(o, "idle_timeout", ctx->config->session_idle_timeout);
  return api_object_node(o);
}

void api_session_start(ApiContext *ctx, const Member *m, const char *method, HttpResponse *resp)
{
  g_autofree char *id = NULL;
  gint64 now = util_now();
  if (!api_begin(ctx, resp))
    return;
  int ret = session_create(ctx->db, ctx->secret, m->id, method, ctx->config->session_lifetime,
                           now, &id);
  if (ret == 0 && auth_role_at_least(m, ROLE_EDITOR)) {
    /* Who could change the catalogue, and when they came in. */
    JsonObject *d = json_object_new();
    json_object_set_string_member(d, "method", method);
    JsonNode *detail = api_object_node(d);
    ret = db_audit_add(ctx->db, m->id, m->display_name, "sign_in", "member", m->id, detail);
    json_node_unref(detail);
  }
  if (ret == 0)
    ret = db_commit(ctx->db);
  if (ret < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not start the session");
    return;
  }
  log_info("auth", "member %s signed in (%s)", m->id, method);
  DbSession s = { .method = (char *)method, .created_at = now,
                  .expires_at = now + ctx->config->session_lifetime };
  api_reply_json(resp, 201, session_json(ctx, m, id, &s));
  api_session_cookies(ctx, id, resp);
}

/* POST /api/v1/session {"token": "lct1.…"}: the credential an admin issued, exchanged for a
 * session so the page never keeps it. Only application/json is taken: a form on another
 * site cannot send that without the browser asking us first (and CORS says no), so nobody
 * can be signed in to someone else's account behind their back. */
void api_session_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const HttpRequest *req = call->req;
  if (!req->content_type || !g_str_has_prefix(req->content_type, "application/json")) {
    http_response_error(resp, 415, "unsupported_media_type", "send the body as application/json");
    return;
  }
  JsonNode *node = api_parse_object(req, resp);
  if (!node)
    return;
  JsonObject *body = json_node_get_object(node);
  JsonNode *tok = json_object_get_member(body, "token");
  Member *m = NULL;
  if (!tok || !JSON_NODE_HOLDS_VALUE(tok) || json_node_get_value_type(tok) != G_TYPE_STRING) {
    http_response_error(resp, 400, "invalid_field", "token: a member credential is required");
  } else if (auth_token(ctx->db, ctx->secret, json_node_get_string(tok), &m) < 0) {
    log_info("auth", "sign-in with a credential that is not valid");
    http_response_error(resp, 401, "unauthorized", "the credential is not valid");
  } else {
    api_session_start(ctx, m, "token", resp);
  }
  member_free(&m);
  json_node_unref(node);
}

/* GET /api/v1/session: the page's way to learn who is signed in and the CSRF token. */
void api_session_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  if (!call->session_id) {
    http_response_error(resp, 404, "no_session", "signed in with a bearer credential, not a session");
    return;
  }
  Member *m = NULL;
  DbSession s = { 0 };
  int ret = session_check(ctx->db, ctx->secret, call->session_id,
                          ctx->config->session_idle_timeout, util_now(), &m, &s);
  if (ret < 0) {
    http_response_error(resp, 401, "session_expired", "your session has ended; sign in again");
    return;
  }
  api_reply_json(resp, 200, session_json(ctx, m, call->session_id, &s));
  member_free(&m);
  db_session_clear(&s);
}

/* DELETE /api/v1/session: sign out here (the cookie goes too). */
void api_session_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  if (!call->session_id) {
    http_response_error(resp, 404, "no_session", "signed in with a bearer credential, not a session");
    return;
  }
  if (session_end(ctx->db, ctx->secret, call->session_id) < 0) {
    http_response_error(resp, 500, "internal", "could not end the session");
    return;
  }
  log_info("auth", "member %s signed out", call->member->id);
  api_reply_json(resp, 200, json_from_string("{\"signed_out\":true}", NULL));
  api_session_cookies(ctx, NULL, resp);
}
