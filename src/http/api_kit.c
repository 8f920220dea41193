/* api_kit: what every API handler uses — JSON answers, the body as an object, transactions
 * with their audit entry, role checks, and the caching rules of reads. */
#include "http/api_kit.h"
#include "auth/auth.h"
#include "auth/session.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_audit.h"

#include <errno.h>
#include <string.h>

void api_reply_json(HttpResponse *resp, int status, JsonNode *node)
{
  char *text = util_json_text(node, false);
  /* Text fields are stored as editors typed them, markup included. Outside strings JSON
   * never holds <, > or &, so escaping them everywhere keeps the value and means a
   * response pasted into HTML, or sniffed as it, cannot start a tag. */
  GString *out = g_string_sized_new(strlen(text) + 16);
  for (const char *p = text; *p; p++) {
    if (*p == '<')
      g_string_append(out, "\\u003c");
    else if (*p == '>')
      g_string_append(out, "\\u003e");
    else if (*p == '&')
      g_string_append(out, "\\u0026");
    else
      g_string_append_c(out, *p);
  }
  http_response_text(resp, status, "application/json; charset=utf-8", out->str);
  g_string_free(out, TRUE);
  g_free(text);
  json_node_unref(node);
}

bool api_begin(ApiContext *ctx, HttpResponse *resp)
{
  if (db_begin(ctx->db) == 0)
    return true;
  http_response_error(resp, 503, "busy", "the database is busy; try again");
  return false;
}

JsonNode *api_parse_object(const HttpRequest *req, HttpResponse *resp)
{
  if (!req->body || req->body_len == 0) {
    http_response_error(resp, 400, "bad_request", "a JSON object body is required");
    return NULL;
  }
  if (req->content_type && !g_str_has_prefix(req->content_type, "application/json")) {
    http_response_error(resp, 415, "unsupported_media_type",
                        "send the body as application/json");
    return NULL;
  }
  if (!g_utf8_validate(req->body, (gssize)req->body_len, NULL)) {
    http_response_error(resp, 400, "malformed_json", "body is not valid UTF-8");
    return NULL;
  }
  GError *err = NULL;
  JsonNode *node = json_from_string(req->body, &err);
  if (!node) {
    g_autofree char *where = util_json_error(err);
    http_response_error(resp, 400, "malformed_json", "body is not valid JSON: %s", where);
    g_clear_error(&err);
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT(node)) {
    json_node_unref(node);
    http_response_error(resp, 400, "malformed_json", "body must be a JSON object");
    return NULL;
  }
  if (memchr(req->body, '\\', req->body_len) && !util_json_utf8(node)) { /* only escapes can */
    json_node_unref(node);
    http_response_error(resp, 400, "malformed_json",
                        "body is not valid JSON: an escape makes a character that is not UTF-8");
    return NULL;
  }
  return node;
}

JsonNode *api_object_node(JsonObject *o)
{
  JsonNode *n = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(n, o);
  return n;
}

bool api_is_editor(const ApiCall *call)
{
  return call->member && auth_role_at_least(call->member, ROLE_EDITOR);
}

int api_commit_audited(ApiContext *ctx, const ApiCall *call, const char *action, const char *type,
                       const char *target, JsonNode *detail, HttpResponse *resp)
{
  int rc = db_audit_add(ctx->db, call->member->id, call->member->display_name, action, type,
                        target, detail);
  if (rc == 0)
    rc = db_commit(ctx->db);
  if (rc == -ENOSPC) {
    /* Said apart from other failures: the editor can try again once space is freed. */
    db_rollback(ctx->db);
    log_error("api", "%s %s %s by %s not saved: the disk is full", action, type, target, call->member->id);
    http_response_error(resp, 507, "storage_full", "the server's disk is full: the change was not saved; "
                        "try again later");
    return rc;
  }
  if (rc < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not save the change");
    return rc;
  }
  log_info("api", "%s %s %s by %s", action, type, target, call->member->id);
  return 0;
}

/* 403 unless M's role is enough for ACCESS. */
static int role_enough(const Member *m, ApiAccess access, HttpResponse *resp)
{
  if ((access == API_EDITOR && !auth_role_at_least(m, ROLE_EDITOR)) ||
      (access == API_ADMIN && !auth_role_at_least(m, ROLE_ADMIN))) {
    http_response_error(resp, 403, "forbidden", "this needs the %s role",
                        access == API_ADMIN ? "admin" : "editor");
    return -EPERM;
  }
  return 0;
}

int api_authorize(ApiContext *ctx, const char *authorization, ApiAccess access, Member **member,
                  HttpResponse *resp)
{
  Member *m = NULL;
  int ret = auth_bearer(ctx->db, ctx->secret, authorization, &m);
  *member = NULL;
  if (ret == -EACCES) {
    /* A credential that was sent but is wrong is refused even on public routes. */
    http_response_error(resp, 401, "unauthorized", "the credential is not valid");
    http_response_header(resp, "www-authenticate:", "Bearer error=\"invalid_token\"");
    return -EACCES;
  }
  if (access != API_PUBLIC && !m) {
    http_response_error(resp, 401, "unauthorized", "sign in: send Authorization: Bearer <token>");
    http_response_header(resp, "www-authenticate:", "Bearer");
    return -EACCES;
  }
  if (m && role_enough(m, access, resp) < 0) {
    member_free(&m);
    return -EPERM;
  }
  *member = m;
  return 0;
}

bool api_cookie_secure(const ApiContext *ctx)
{
  const char *url = ctx->config->public_url;
  return url && g_ascii_strncasecmp(url, "https://", 8) == 0;
}

void api_session_cookies(const ApiContext *ctx, const char *id, HttpResponse *resp)
{
  bool secure = api_cookie_secure(ctx);
  gint64 age = id ? ctx->config->session_lifetime : 0;
  g_autofree char *hint = session_hint_header(age, secure);
  g_autofree char *cookie = session_cookie_header(id, age, secure);
  http_response_header(resp, "set-cookie:", hint);
  http_response_header(resp, "set-cookie:", cookie);
}

int api_authorize_request(ApiContext *ctx, const HttpRequest *req, ApiAccess access,
                          Member **member, char **session_id, HttpResponse *resp)
{
  g_autofree char *sid = NULL;
  *member = NULL;
  if (session_id)
    *session_id = NULL;
  if (access == API_SIGNIN)
    return 0;
  /* A bearer credential wins: scripts and the CLI never depend on cookies. */
  if ((req->authorization && req->authorization[0]) || session_cookie_find(req->cookie, &sid) < 0)
    return api_authorize(ctx, req->authorization, access, member, resp);

  Member *m = NULL;
  int ret = session_check(ctx->db, ctx->secret, sid, ctx->config->session_idle_timeout,
                          util_now(), &m, NULL);
  if (ret == -EACCES) {
    api_session_cookies(ctx, NULL, resp);
    if (access == API_PUBLIC)
      return 0;
    http_response_error(resp, 401, "session_expired", "your session has ended; sign in again");
    return -EACCES;
  }
  if (ret < 0) {
    http_response_error(resp, 503, "busy", "the database is busy; try again");
    return ret;
  }
  bool safe = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD") ||
              !strcmp(req->method, "OPTIONS");
  if (!safe && !session_csrf_ok(ctx->secret, sid, req->csrf_token)) {
    /* Another site can make the browser send the cookie, but cannot read the token. */
    log_warn("api", "%s %s with the session of %s refused: no valid X-CSRF-Token", req->method,
             req->path, m->id);
    http_response_error(resp, 403, "csrf", "a change made with the session cookie needs "
                        "the session's token in the X-CSRF-Token header");
    member_free(&m);
    return -EPERM;
  }
  if (role_enough(m, access, resp) < 0) {
    member_free(&m);
    return -EPERM;
  }
  *member = m;
  if (session_id)
    *session_id = g_steal_pointer(&sid);
  return 0;
}

bool api_etag_listed(const char *list, const char *etag)
{
  bool found = false;
  char **tags = g_strsplit(list, ",", -1);
  for (int i = 0; tags[i] && !found; i++) {
    char *t = g_strstrip(tags[i]);
    if (g_str_has_prefix(t, "W/"))
      t += 2;
    found = !strcmp(t, "*") || !strcmp(t, etag);
  }
  g_strfreev(tags);
  return found;
}

/* Reads are cacheable and revalidatable; see api_kit.h. */
void api_read_headers(const ApiContext *ctx, const HttpRequest *req, bool signed_in, HttpResponse *resp)
{
  if (strcmp(req->method, "GET") != 0 || resp->status != 200 || !resp->body) {
    http_response_header(resp, "cache-control:", "no-store");
    return;
  }
  g_autofree char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)resp->body->str,
                                                     resp->body->len);
  g_autofree char *etag = g_strdup_printf("\"%.32s\"", sum);
  g_autofree char *cc = signed_in ? g_strdup("private, no-cache")
                                  : g_strdup_printf("public, max-age=%" G_GINT64_FORMAT,
                                                    ctx->config->api_max_age);
  http_response_header(resp, "etag:", etag);
  http_response_header(resp, "cache-control:", cc);
  http_response_header(resp, "vary:", "Authorization, Cookie");
  if (resp->last_modified > 0) {
    g_autofree char *lm = http_date_format(resp->last_modified);
    http_response_header(resp, "last-modified:", lm);
  }
}

void api_conditional(const HttpRequest *req, HttpResponse *resp)
{
  if (strcmp(req->method, "GET") != 0 || resp->status != 200 || !resp->body)
    return;
  const char *etag = NULL;
  for (guint i = 0; i + 1 < resp->headers->len; i += 2)
    if (strcmp(resp->headers->pdata[i], "etag:") == 0)
      etag = resp->headers->pdata[i + 1];
  if (!etag)
    return;
  bool not_modified = false;
  if (req->if_none_match) {
    not_modified = api_etag_listed(req->if_none_match, etag);
  } else if (req->if_modified_since && resp->last_modified > 0) {
    /* A change within the current second could follow: only trust whole past seconds. */
    gint64 since = http_date_parse(req->if_modified_since);
    not_modified = since >= resp->last_modified && resp->last_modified < util_now();
  }
  if (not_modified) {
    resp->status = 304;
    g_string_truncate(resp->body, 0);
  }
}

void api_cache_headers(const ApiContext *ctx, const HttpRequest *req, bool signed_in,
                       HttpResponse *resp)
{
  api_read_headers(ctx, req, signed_in, resp);
  api_conditional(req, resp);
}
