/* api_oidc: the OpenID Connect sign-in's two browser steps and its pages. */
#include "http/api_oidc.h"
#include "http/api_session.h"
#include "auth/auth.h"
#include "auth/oidc_claims.h"
#include "auth/oidc_state.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_oidc.h"
#include "db/db_roster.h"

#include <errno.h>
#include <string.h>

#define RETURN_TO_MAX 512

int api_oidc_client_new(ApiContext *ctx, char **err)
{
  const Config *cf = ctx->config;
  if (!cf->oidc_client_id[0] || !cf->public_url[0]) {
    *err = g_strdup("[oidc] issuer needs [oidc] client_id and [http] public_url (the redirect URI "
                    "is <public_url>" OIDC_CALLBACK_PATH ")");
    return -EINVAL;
  }
  g_autofree char *base = g_strdup(cf->public_url);
  if (g_str_has_suffix(base, "/"))
    base[strlen(base) - 1] = '\0';
  g_autofree char *redirect = g_strconcat(base, OIDC_CALLBACK_PATH, NULL);
  OidcSettings s = { .issuer = cf->oidc_issuer, .client_id = cf->oidc_client_id,
                     .client_secret = cf->oidc_client_secret, .redirect_uri = redirect,
                     .userinfo = strcmp(cf->oidc_userinfo, "yes") == 0,
                     .timeout = cf->oidc_http_timeout, .skew = cf->oidc_clock_skew };
  if (oidc_client_new(&s, &ctx->oidc) < 0) {
    *err = g_strdup("[oidc] is incomplete");
    return -EINVAL;
  }
  return 0;
}

/* ---- pages ---------------------------------------------------------------- */

/* A sign-in that did not work: a page in Chinese, then English, and a way back. Nothing in it
 * comes from the request. */
static void fail_page(HttpResponse *resp, int status, const char *zh, const char *en)
{
  g_autofree char *zh_e = g_markup_escape_text(zh, -1);
  g_autofree char *en_e = g_markup_escape_text(en, -1);
  g_autofree char *html = g_strdup_printf(
      "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>登录未完成 · Sign-in not completed</title>\n"
      "<link rel=\"stylesheet\" href=\"/css/lectern.css\">\n"
      "<link rel=\"stylesheet\" href=\"/css/viewer.css\">\n</head>\n"
      "<body data-page=\"oidc-error\">\n<main>\n"
      "<h1>登录未完成</h1>\n<p id=\"oidc-error-zh\">%s</p>\n"
      "<h2 lang=\"en\">Sign-in not completed</h2>\n<p id=\"oidc-error-en\" lang=\"en\">%s</p>\n"
      "<p><a id=\"oidc-retry\" href=\"/signin.html\">返回登录页 · Back to sign-in</a></p>\n"
      "</main>\n</body>\n</html>\n", zh_e, en_e);
  http_response_text(resp, status, "text/html; charset=utf-8", html);
  http_response_header(resp, "cache-control:", "no-store");
}

static char *state_cookie(const ApiContext *ctx, const char *state, gint64 max_age)
{
  /* Path: only the callback needs it back; SameSite=Lax: the provider's redirect back is a
   * top-level GET, which Lax cookies go with. */
  return g_strdup_printf(OIDC_STATE_COOKIE "=%s; Path=/api/v1/oidc; Max-Age=%" G_GINT64_FORMAT
                         "; HttpOnly; SameSite=Lax%s", state ? state : "", max_age,
                         api_cookie_secure(ctx) ? "; Secure" : "");
}

/* The value of cookie NAME in the Cookie header COOKIES, or NULL. Caller frees. */
static char *cookie_value(const char *cookies, const char *name)
{
  if (!cookies)
    return NULL;
  g_auto(GStrv) parts = g_strsplit(cookies, ";", 64);
  size_t n = strlen(name);
  for (int i = 0; parts[i]; i++) {
    const char *p = parts[i];
    while (*p == ' ')
      p++;
    if (strncmp(p, name, n) == 0 && p[n] == '=')
      return g_strdup(p + n + 1);
  }
  return NULL;
}

/* RETURN_TO when it is a path on this site, else "/". */
static const char *local_path(const char *return_to)
{
  if (!return_to || return_to[0] != '/' || return_to[1] == '/' || strchr(return_to, '\\') ||
      strlen(return_to) > RETURN_TO_MAX)
    return "/";
  for (const char *p = return_to; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      return "/";
  return return_to;
}

/* ---- GET /api/v1/oidc ------------------------------------------------------- */

void api_oidc_info(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  (void)call;
  JsonObject *o = json_object_new();
  json_object_set_boolean_member(o, "enabled", ctx->oidc != NULL);
  if (ctx->oidc)
    json_object_set_string_member(o, "start", "/api/v1/oidc/start");
  api_reply_json(resp, 200, api_object_node(o));
}

/* ---- GET /api/v1/oidc/start ------------------------------------------------ */

typedef struct {
  ApiContext *ctx;
  HttpLater later;
  char *return_to;
} StartCall;

static void start_call_free(gpointer p)
{
  StartCall *c = p;
  g_free(c->return_to);
  g_free(c);
}

static void start_done(int ret, const OidcEndpoints *ep, const char *why, gpointer user)
{
  StartCall *c = user;
  ApiContext *ctx = c->ctx;
  HttpResponse resp;
  http_response_init(&resp);
  g_autofree char *state = NULL;
  if (ret < 0) {
    log_warn("oidc", "sign-in not started: %s", why);
    fail_page(&resp, 502, "暂时无法连接统一身份认证平台，请稍后再试。",
              "The union's sign-on service cannot be reached just now; please try again later.");
  } else if (oidc_state_begin(ctx->db, ctx->secret, c->return_to, util_now(),
                              ctx->config->oidc_login_timeout, &state) < 0) {
    fail_page(&resp, 503, "服务器繁忙，请稍后再试。", "The server is busy; please try again.");
  } else {
    g_autofree char *verifier = oidc_state_verifier(ctx->secret, state);
    g_autofree char *nonce = oidc_state_nonce(ctx->secret, state);
    g_autofree char *challenge = oidc_state_challenge(verifier);
    g_autofree char *url = oidc_client_authorize_url(ctx->oidc, ep, ctx->config->oidc_scopes,
                                                     state, nonce, challenge);
    g_autofree char *cookie = state_cookie(ctx, state, ctx->config->oidc_login_timeout);
    http_response_text(&resp, 303, "text/plain; charset=utf-8", "");
    http_response_header(&resp, "location:", url);
    http_response_header(&resp, "set-cookie:", cookie);
    http_response_header(&resp, "cache-control:", "no-store");
    log_info("oidc", "sign-in sent to the provider");
  }
  http_later_answer(&c->later, &resp);
  http_response_clear(&resp);
}

/* Sends the browser to the provider with a fresh state, nonce and PKCE challenge; the state
 * also goes into a short cookie, so only the browser that started can finish (login CSRF). */
void api_oidc_start(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  if (!ctx->oidc) {
    fail_page(resp, 404, "本站未配置统一身份认证登录。", "Single sign-on is not configured here.");
    return;
  }
  if (!call->req->later) {
    http_response_error(resp, 503, "unavailable", "this request cannot wait for the provider");
    return;
  }
  StartCall *c = g_new0(StartCall, 1);
  c->ctx = ctx;
  c->later = *call->req->later;
  c->return_to = g_strdup(local_path(g_hash_table_lookup(call->req->query, "return_to")));
  resp->later = true;
  oidc_client_endpoints(ctx->oidc, start_done, c, start_call_free);
}

/* ---- GET /api/v1/oidc/callback ---------------------------------------------- */

typedef struct {
  ApiContext *ctx;
  HttpLater later;
  char *return_to;
} CallbackCall;

static void callback_call_free(gpointer p)
{
  CallbackCall *c = p;
  g_free(c->return_to);
  g_free(c);
}

/* The member for the provider account in ID (created on first sign-in), real-name verified
 * when the provider says so or the member number is on the roster. Returns 0 with *OUT,
 * -EACCES (the member is disabled) or -EIO. */
static int member_for(ApiContext *ctx, const OidcIdentity *id, Member **out)
{
  const char *issuer = ctx->config->oidc_issuer;
  g_autofree char *member_id = NULL;
  Member *m = NULL;
  int ret = db_begin(ctx->db);
  if (ret < 0)
    return -EIO;
  ret = db_oidc_identity_get(ctx->db, issuer, id->subject, &member_id);
  if (ret == 0) {
    ret = auth_member_enabled(ctx->db, member_id, &m);
  } else if (ret == -ENOENT) {
    g_autofree char *token = NULL; /* never shown: this member signs in through the provider */
    ret = auth_member_create(ctx->db, ctx->secret, id->display_name, ROLE_VIEWER, false, &m, &token);
    if (ret == 0)
      log_info("oidc", "member %s created for a new provider account", m->id);
  }
  bool on_roster = false;
  if (ret == 0 && id->member_number[0]) {
    RosterEntry e = { 0 };
    int r = db_roster_get(ctx->db, id->member_number, &e);
    on_roster = r == 0;
    roster_entry_clear(&e);
    if (r < 0 && r != -ENOENT)
      ret = -EIO;
  }
  if (ret == 0 && (id->verified || on_roster) && !m->real_name_verified) {
    ret = db_member_set_flag(ctx->db, m->id, MEMBER_REAL_NAME_VERIFIED, true);
    if (ret == 0) {
      m->real_name_verified = true;
      log_info("oidc", "member %s real-name verified (%s)", m->id, on_roster ? "roster" : "claim");
    }
  }
  if (ret == 0)
    ret = db_oidc_identity_put(ctx->db, issuer, id->subject, m->id, id->member_number, id->unit,
                               util_now());
  if (ret == 0)
    ret = db_commit(ctx->db);
  if (ret < 0) {
    db_rollback(ctx->db);
    member_free(&m);
    return ret == -EACCES ? -EACCES : -EIO;
  }
  *out = m;
  return 0;
}

static void callback_done(int ret, JsonObject *claims, const char *why, gpointer user)
{
  CallbackCall *c = user;
  ApiContext *ctx = c->ctx;
  const Config *cf = ctx->config;
  HttpResponse resp;
  http_response_init(&resp);
  OidcIdentity id = { 0 };
  Member *m = NULL;
  g_autofree char *sid = NULL;
  OidcClaimMap map = { cf->oidc_claim_name, cf->oidc_claim_member_number, cf->oidc_claim_unit,
                       cf->oidc_verified_claim, cf->oidc_verified_value };
  if (ret == -ECONNREFUSED) {
    log_warn("oidc", "sign-in failed: %s", why);
    fail_page(&resp, 502, "统一身份认证平台暂时没有响应，请稍后再试。",
              "The union's sign-on service did not answer; please try again later.");
  } else if (ret == -EACCES && g_str_has_prefix(why, "the provider refused")) {
    log_warn("oidc", "sign-in refused: %s", why);
    fail_page(&resp, 400, "这个登录请求已失效（可能已用过或已过期），请重新登录。",
              "This sign-in has expired or was used already; please sign in again.");
  } else if (ret < 0) {
    log_warn("oidc", "sign-in refused: %s", why);
    fail_page(&resp, 401, "身份认证平台返回的登录凭据无法验证，未能登录。请重新登录，如仍失败请联系管理员。",
              "The sign-on service's answer could not be verified, so you were not signed in. "
              "Please sign in again; if it keeps failing, tell the administrators.");
  } else if (oidc_claims_map(claims, &map, &id) < 0) {
    log_warn("oidc", "sign-in refused: the ID token has no subject");
    fail_page(&resp, 401, "身份认证平台返回的信息不完整，未能登录。",
              "The sign-on service's answer is incomplete, so you were not signed in.");
  } else if ((ret = member_for(ctx, &id, &m)) == -EACCES) {
    log_info("oidc", "sign-in refused: the member is disabled");
    fail_page(&resp, 403, "此账号已停用，请联系管理员。", "This account is disabled; ask the administrators.");
  } else if (ret < 0 || (ret = api_session_open(ctx, m, "oidc", &sid)) < 0) {
    fail_page(&resp, 503, "服务器繁忙，请稍后再试。", "The server is busy; please try again.");
  } else {
    http_response_text(&resp, 303, "text/plain; charset=utf-8", "");
    http_response_header(&resp, "location:", c->return_to);
    http_response_header(&resp, "cache-control:", "no-store");
    api_session_cookies(ctx, sid, &resp);
  }
  g_autofree char *clear = state_cookie(ctx, NULL, 0);
  http_response_header(&resp, "set-cookie:", clear);
  oidc_identity_clear(&id);
  member_free(&m);
  http_later_answer(&c->later, &resp);
  http_response_clear(&resp);
}

/* The provider sends the browser back with ?code&state (or ?error&state). The state must be
 * the one in this browser's cookie and one we issued, not used and not expired; it is used up
 * here whatever follows. The code is then redeemed off the main loop. */
void api_oidc_callback(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const HttpRequest *req = call->req;
  const char *state = g_hash_table_lookup(req->query, "state");
  const char *code = g_hash_table_lookup(req->query, "code");
  const char *error = g_hash_table_lookup(req->query, "error");
  g_autofree char *cookie = cookie_value(req->cookie, OIDC_STATE_COOKIE);
  g_autofree char *return_to = NULL;
  g_autofree char *clear = state_cookie(ctx, NULL, 0);
  if (!ctx->oidc) {
    fail_page(resp, 404, "本站未配置统一身份认证登录。", "Single sign-on is not configured here.");
    return;
  }
  http_response_header(resp, "set-cookie:", clear);
  /* The state is used up even when the browser's cookie does not match: a state that was
   * shown to someone else must not work afterwards either. */
  int taken = state ? oidc_state_take(ctx->db, ctx->secret, state, util_now(), &return_to) : -EACCES;
  if (taken == -EIO) {
    fail_page(resp, 503, "服务器繁忙，请稍后再试。", "The server is busy; please try again.");
    return;
  }
  if (taken < 0 || !cookie || !state || strcmp(cookie, state) != 0) {
    log_warn("oidc", "sign-in refused: the state is unknown, used, expired or not this browser's");
    fail_page(resp, 400, "登录请求无效或已过期（也可能已经用过），请重新登录。",
              "This sign-in request is not valid, has expired or was used already; please sign in again.");
    return;
  }
  if (error) {
    /* The provider's error code is a token of letters and '_' (RFC 6749 4.1.2.1); nothing else is logged. */
    bool plain = strspn(error, "abcdefghijklmnopqrstuvwxyz_") == strlen(error) && strlen(error) < 64;
    log_warn("oidc", "the provider answered with an error (%s)", plain ? error : "unreadable");
    if (plain && strcmp(error, "access_denied") == 0)
      fail_page(resp, 403, "你在统一身份认证平台取消了登录，或没有授权本站。",
                "You cancelled the sign-in at the union's sign-on service, or did not allow this site.");
    else
      fail_page(resp, 502, "统一身份认证平台报告了错误，未能登录，请稍后再试。",
                "The union's sign-on service reported an error, so you were not signed in; please try again later.");
    return;
  }
  if (!code || !code[0] || strlen(code) > 2048) {
    log_warn("oidc", "sign-in refused: no code");
    fail_page(resp, 400, "登录请求不完整，请重新登录。", "The sign-in request is incomplete; please sign in again.");
    return;
  }
  if (!req->later) {
    http_response_error(resp, 503, "unavailable", "this request cannot wait for the provider");
    return;
  }
  CallbackCall *c = g_new0(CallbackCall, 1);
  c->ctx = ctx;
  c->later = *req->later;
  c->return_to = g_strdup(local_path(return_to));
  g_autofree char *verifier = oidc_state_verifier(ctx->secret, state);
  g_autofree char *nonce = oidc_state_nonce(ctx->secret, state);
  http_response_clear(resp);
  http_response_init(resp);
  resp->later = true;
  oidc_client_redeem(ctx->oidc, code, verifier, nonce, callback_done, c, callback_call_free);
}

char *api_oidc_logout_url(ApiContext *ctx, const char *method)
{
  OidcEndpoints ep = { 0 };
  if (!ctx->oidc || g_strcmp0(method, "oidc") != 0 || oidc_client_cached_endpoints(ctx->oidc, &ep) < 0)
    return NULL;
  g_autofree char *base = g_strdup(ctx->config->public_url);
  if (g_str_has_suffix(base, "/"))
    base[strlen(base) - 1] = '\0';
  g_autofree char *back = g_strconcat(base, "/signin.html", NULL);
  char *url = oidc_client_logout_url(ctx->oidc, &ep, back);
  oidc_endpoints_clear(&ep);
  return url;
}
