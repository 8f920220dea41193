/* api_session: browser sessions over the API — sign in (a credential exchanged for a session
 * cookie), the current session with its CSRF token, sign out. */
#include "http/api_session.h"
#include "http/api_oidc.h"
#include "auth/auth.h"
#include "auth/password.h"
#include "auth/session.h"
#include "auth/signin_limit.h"
#include "auth/signin_link.h"
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

int api_session_open(ApiContext *ctx, const Member *m, const char *method, char **id)
{
  gint64 now = util_now();
  if (db_begin(ctx->db) < 0)
    return -EBUSY;
  /* Ended sessions are removed when met; the ones never met again go here. */
  int ret = db_session_purge(ctx->db, now, ctx->config->session_idle_timeout, NULL);
  if (ret == 0)
    ret = session_create(ctx->db, ctx->secret, m->id, method, ctx->config->session_lifetime, now, id);
  if (ret == 0 && auth_role_at_least(m, ROLE_EDITOR)) {
    /* Who could change the catalogue, and when they came in. */
    JsonObject *d = json_object_new();
    json_object_set_string_member(d, "method", method);
    JsonNode *detail = api_object_node(d);
    ret = db_audit_add(ctx->db, m->id, m->display_name, "member.sign_in", "member", m->id, detail);
    json_node_unref(detail);
  }
  if (ret == 0)
    ret = db_commit(ctx->db);
  if (ret < 0) {
    db_rollback(ctx->db);
    g_clear_pointer(id, g_free);
    return -EIO;
  }
  log_info("auth", "member %s signed in (%s)", m->id, method);
  return 0;
}

void api_session_start(ApiContext *ctx, const Member *m, const char *method, HttpResponse *resp)
{
  g_autofree char *id = NULL;
  gint64 now = util_now();
  int ret = api_session_open(ctx, m, method, &id);
  if (ret == -EBUSY) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
    return;
  }
  if (ret < 0) {
    http_response_error(resp, 500, "internal", "could not start the session");
    return;
  }
  DbSession s = { .method = (char *)method, .created_at = now,
                  .expires_at = now + ctx->config->session_lifetime };
  api_reply_json(resp, 201, session_json(ctx, m, id, &s));
  api_session_cookies(ctx, id, resp);
}

/* A string member NAME of O, or NULL when absent or not a string. */
static const char *string_member(JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member(o, name);
  if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string(n);
}

/* POST /api/v1/session: a browser signs in with one of
 *   {"login": NAME, "password": PASSWORD}   a sign-in name and password (lectern member passwd)
 *   {"link": "lsl1.…"}                      a one-time sign-in link (lectern member link)
 *   {"token": "lct1.…"}                     the credential an admin issued
 * and gets a session in exchange, so the page keeps none of them. Failed attempts are
 * rate-limited per address (every way) and per account (passwords). Only application/json
 * is taken: a form on another site cannot send that without the browser asking us first
 * (and CORS says no), so nobody can be signed in to someone else's account behind their back. */
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
  const char *login = string_member(body, "login"), *password = string_member(body, "password");
  const char *link = string_member(body, "link"), *token = string_member(body, "token");
  enum { BY_NONE, BY_PASSWORD, BY_LINK, BY_TOKEN } by =
      login || password ? BY_PASSWORD : link ? BY_LINK : token ? BY_TOKEN : BY_NONE;
  static const char *const names[] = { "none", "password", "link", "token" };
  const char *method = names[by];
  const Config *cf = ctx->config;
  SigninLimits lim = { cf->signin_failures_per_account, cf->signin_failures_per_address,
                       cf->signin_failure_window };
  const char *account = login && password_login_ok(login) ? login : NULL;
  gint64 now = util_now(), retry = 0;
  Member *m = NULL;
  int ret;

  if (by == BY_NONE || (by == BY_PASSWORD && (!login || !password))) {
    http_response_error(resp, 400, "invalid_field", "send login and password, link, or token");
    goto out;
  }
  ret = signin_limit_check(ctx->db, ctx->secret, &lim, account, req->peer, now, &retry);
  if (ret == -EBUSY) {
    log_warn("auth", "sign-in (%s) refused: too many failed attempts", method);
    g_autofree char *after = g_strdup_printf("%" G_GINT64_FORMAT, retry);
    http_response_error(resp, 429, "too_many_attempts",
                        "too many failed sign-ins; try again in %" G_GINT64_FORMAT " seconds", retry);
    http_response_header(resp, "retry-after:", after);
    goto out;
  }
  if (ret < 0) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
    goto out;
  }
  if (by == BY_PASSWORD)
    ret = password_check(ctx->db, login, password, &m);
  else if (by == BY_LINK)
    ret = signin_link_redeem(ctx->db, ctx->secret, link, now, &m);
  else
    ret = auth_token(ctx->db, ctx->secret, token, &m);
  if (ret == -EIO) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
    goto out;
  }
  if (ret < 0) {
    signin_limit_fail(ctx->db, ctx->secret, &lim, by == BY_PASSWORD ? account : NULL, req->peer, now);
    log_info("auth", "sign-in (%s) refused", method);
    if (by == BY_PASSWORD)
      http_response_error(resp, 401, "bad_password", "the name or the password is not right");
    else if (by == BY_LINK)
      http_response_error(resp, 401, "bad_link", "this sign-in link is not valid: it was used "
                          "already, has expired, or was never issued; ask for a new one");
    else
      http_response_error(resp, 401, "unauthorized", "the credential is not valid");
    goto out;
  }
  if (account)
    signin_limit_clear(ctx->db, ctx->secret, account);
  api_session_start(ctx, m, method, resp);
out:
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
  /* A member who came through the provider is also signed out there when it offers that
   * (RP-initiated logout): the page goes on to logout_url. */
  Member *m = NULL;
  DbSession s = { 0 };
  g_autofree char *logout = NULL;
  if (session_check(ctx->db, ctx->secret, call->session_id, ctx->config->session_idle_timeout,
                    util_now(), &m, &s) == 0)
    logout = api_oidc_logout_url(ctx, s.method);
  member_free(&m);
  db_session_clear(&s);
  if (session_end(ctx->db, ctx->secret, call->session_id) < 0) {
    http_response_error(resp, 500, "internal", "could not end the session");
    return;
  }
  log_info("auth", "member %s signed out", call->member->id);
  JsonObject *o = json_object_new();
  json_object_set_boolean_member(o, "signed_out", true);
  if (logout)
    json_object_set_string_member(o, "logout_url", logout);
  api_reply_json(resp, 200, api_object_node(o));
  api_session_cookies(ctx, NULL, resp);
}
