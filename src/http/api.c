/* api: the JSON API under /api/v1 — a table of routes, each with the role it needs. */
#include "http/api.h"
#include "http/api_catalog.h"
#include "http/api_columns.h"
#include "http/api_fields.h"
#include "http/api_points.h"
#include "core/util.h"
#include "db/db_audit.h"
#include "db/db_job.h"
#include "db/db_video.h"
#include "media/jobs.h"
#include "media/event.h"
#include "auth/auth.h"
#include "core/log.h"
#include "lectern-build.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void api_reply_json(HttpResponse *resp, int status, JsonNode *node)
{
  char *text = json_to_string(node, FALSE);
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
    http_response_error(resp, 400, "malformed_json", "body is not valid JSON: %s",
                        err ? err->message : "empty");
    g_clear_error(&err);
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT(node)) {
    json_node_unref(node);
    http_response_error(resp, 400, "malformed_json", "body must be a JSON object");
    return NULL;
  }
  return node;
}

/* ---- handlers ---------------------------------------------------------- */

static void api_index(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "name");
  json_builder_add_string_value(b, "lectern");
  json_builder_set_member_name(b, "version");
  json_builder_add_string_value(b, LECTERN_VERSION);
  json_builder_set_member_name(b, "schema_version");
  json_builder_add_int_value(b, db_schema_version(ctx->db));
  json_builder_end_object(b);
  api_reply_json(resp, 200, json_builder_get_root(b));
  g_object_unref(b);
}

static void api_me(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  api_reply_json(resp, 200, auth_member_json(call->member, NULL));
}

/* ?q= narrows to display names containing it or ids starting with it; paged. */
static void api_members_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
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

static void api_members_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
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


/* ---- lives and videos ---------------------------------------------------- */

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

static void api_events_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
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

/* ---- jobs ------------------------------------------------------------------ */

static void api_job_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  int rc = 0;
  JsonNode *node = db_job_json(ctx->db, call->params[0], &rc);
  if (!node) {
    http_response_error(resp, rc == -ENOENT ? 404 : 500, rc == -ENOENT ? "not_found" : "internal",
                        "no such job: %s", call->params[0]);
    return;
  }
  api_reply_json(resp, 200, node);
}

static void api_job_cancel(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  int rc = jobs_cancel(ctx->db, call->params[0]);
  if (rc == -ENOENT) {
    http_response_error(resp, 409, "not_cancellable", "job %s does not exist or has ended", call->params[0]);
    return;
  }
  if (rc < 0) {
    http_response_error(resp, 500, "internal", "could not cancel job %s", call->params[0]);
    return;
  }
  api_job_get(ctx, call, resp);
}

/* Every route here must be in schemas/openapi.yaml and the reverse (tests/unit/test_api.c).
 * POST /api/v1/uploads is served by http_server.c (streamed), and documented too. */
const ApiRoute api_routes[] = {
  { "GET", "/api/v1", API_PUBLIC, api_index },
  { "GET", "/api/v1/me", API_MEMBER, api_me },
  { "GET", "/api/v1/me/points", API_MEMBER, api_me_points },
  { "GET", "/api/v1/me/history", API_MEMBER, api_me_history },
  { "GET", "/api/v1/members", API_EDITOR, api_members_list },
  { "POST", "/api/v1/members", API_ADMIN, api_members_create },
  { "PATCH", "/api/v1/members/{id}", API_EDITOR, api_member_update },
  { "GET", "/api/v1/campaigns", API_EDITOR, api_campaigns_list },
  { "POST", "/api/v1/campaigns", API_EDITOR, api_campaigns_create },
  { "PATCH", "/api/v1/campaigns/{id}", API_EDITOR, api_campaign_update },
  { "GET", "/api/v1/campaigns/{id}/earners", API_EDITOR, api_campaign_earners },
  { "POST", "/api/v1/points/corrections", API_EDITOR, api_points_correction },
  { "POST", "/api/v1/events", API_EDITOR, api_events_create },
  { "GET", "/api/v1/lives/now", API_PUBLIC, api_lives_now },
  { "GET", "/api/v1/lives/upcoming", API_PUBLIC, api_lives_upcoming },
  { "GET", "/api/v1/videos", API_PUBLIC, api_videos_list },
  { "GET", "/api/v1/videos/{id}", API_PUBLIC, api_video_get },
  { "PATCH", "/api/v1/videos/{id}", API_EDITOR, api_video_update },
  { "DELETE", "/api/v1/videos/{id}", API_EDITOR, api_video_delete },
  { "POST", "/api/v1/videos/{id}/rekey", API_EDITOR, api_video_rekey },
  { "PUT", "/api/v1/videos/{id}/chapters", API_EDITOR, api_video_chapters },
  { "PUT", "/api/v1/videos/{id}/poster", API_EDITOR, api_video_poster },
  { "GET", "/api/v1/videos/{id}/stats", API_EDITOR, api_video_stats },
  { "GET", "/api/v1/categories", API_PUBLIC, api_categories_list },
  { "POST", "/api/v1/categories", API_EDITOR, api_categories_create },
  { "GET", "/api/v1/columns", API_PUBLIC, api_columns_list },
  { "POST", "/api/v1/columns", API_EDITOR, api_columns_create },
  { "GET", "/api/v1/columns/{slug}", API_PUBLIC, api_column_get },
  { "PATCH", "/api/v1/columns/{slug}", API_EDITOR, api_column_update },
  { "PUT", "/api/v1/columns/{slug}/cover", API_EDITOR, api_column_cover },
  { "DELETE", "/api/v1/columns/{slug}/cover", API_EDITOR, api_column_cover_delete },
  { "PUT", "/api/v1/columns/{slug}/items", API_EDITOR, api_column_items_put },
  { "POST", "/api/v1/columns/{slug}/items", API_EDITOR, api_column_items_add },
  { "PATCH", "/api/v1/columns/{slug}/items/{video_id}", API_EDITOR, api_column_item_update },
  { "DELETE", "/api/v1/columns/{slug}/items/{video_id}", API_EDITOR, api_column_item_delete },
  { "GET", "/api/v1/audit", API_EDITOR, api_audit_list },
  { "GET", "/api/v1/jobs/{id}", API_EDITOR, api_job_get },
  { "POST", "/api/v1/jobs/{id}/cancel", API_EDITOR, api_job_cancel },
  { NULL, NULL, 0, NULL },
};

/* ---- streamed uploads ------------------------------------------------------ */

/* The editor behind AUTHORIZATION, or NULL with 401/403 in RESP. Caller frees. */
static Member *upload_editor(ApiContext *ctx, const char *authorization, HttpResponse *resp)
{
  Member *member = NULL;
  int ret = auth_bearer(ctx->db, ctx->secret, authorization, &member);
  if (ret == -EACCES || !member) {
    http_response_error(resp, 401, "unauthorized", "uploads need an editor's credential: "
                        "send Authorization: Bearer <token>");
    http_response_header(resp, "www-authenticate:", "Bearer");
  } else if (!auth_role_at_least(member, ROLE_EDITOR)) {
    http_response_error(resp, 403, "forbidden", "this needs the editor role");
    member_free(&member);
  }
  return member;
}

int api_upload_allowed(ApiContext *ctx, const char *authorization, HttpResponse *resp)
{
  Member *member = upload_editor(ctx, authorization, resp);
  int allowed = member ? 0 : -1;
  member_free(&member);
  return allowed;
}

void api_upload_complete(ApiContext *ctx, const HttpRequest *req, const char *tmp_path, HttpResponse *resp)
{
  Member *member = NULL;
  char *vid = NULL, *jid = NULL, *rel = NULL, *dest = NULL, *dir = NULL;
  if (!(member = upload_editor(ctx, req->authorization, resp)))
    goto out;
  const char *title = g_hash_table_lookup(req->query, "title");
  if (!title || !*title) {
    http_response_error(resp, 400, "invalid_field", "title is required (?title=…)");
    goto out;
  }
  int rc = db_video_create_upload(ctx->db, title, g_hash_table_lookup(req->query, "presenter"),
                                  g_hash_table_lookup(req->query, "kind"), member->id, &vid);
  if (rc == -EINVAL) {
    http_response_error(resp, 400, "invalid_field", "title must be 1-200 characters and kind one of "
                        "model-worker, volunteer, teacher, other");
    goto out;
  }
  if (rc < 0) {
    http_response_error(resp, 500, "internal", "could not create the video");
    goto out;
  }
  rel = jobs_upload_path(vid, g_hash_table_lookup(req->query, "filename"));
  dest = g_build_filename(ctx->config->data_dir, rel, NULL);
  dir = g_path_get_dirname(dest);
  if (g_mkdir_with_parents(dir, 0755) != 0 || rename(tmp_path, dest) != 0 ||
      db_job_create(ctx->db, vid, rel, &jid) < 0) {
    util_rmtree(dir);
    db_video_set_state(ctx->db, vid, "processing", "failed", "upload not stored", "the upload could not be stored");
    http_response_error(resp, 500, "internal", "could not store the upload");
    goto out;
  }
  JsonNode *node = db_video_json(ctx->db, vid, &rc);
  if (!node) {
    http_response_error(resp, 500, "internal", "the video is gone");
    goto out;
  }
  json_object_set_string_member(json_node_get_object(node), "job_id", jid);
  api_reply_json(resp, 202, node);
out:
  unlink(tmp_path); /* moved already, unless something failed */
  member_free(&member);
  g_free(vid);
  g_free(jid);
  g_free(rel);
  g_free(dest);
  g_free(dir);
}

/* ---- dispatch ---------------------------------------------------------- */

/* Matches PATH against PATTERN segment by segment; "{x}" takes one segment. */
static bool route_match(const char *pattern, const char *path, char **params, int *nparams)
{
  char **ps = g_strsplit(pattern, "/", -1);
  char **xs = g_strsplit(path, "/", -1);
  bool ok = g_strv_length(ps) == g_strv_length(xs);
  int np = 0;
  for (int i = 0; ok && ps[i]; i++) {
    if (ps[i][0] == '{') {
      if (!xs[i][0] || np >= API_MAX_PARAMS)
        ok = false;
      else
        params[np++] = g_strdup(xs[i]);
    } else if (strcmp(ps[i], xs[i]) != 0) {
      ok = false;
    }
  }
  if (!ok)
    for (int i = 0; i < np; i++)
      g_clear_pointer(&params[i], g_free);
  *nparams = ok ? np : 0;
  g_strfreev(ps);
  g_strfreev(xs);
  return ok;
}

/* Does the If-None-Match list LIST name ETAG (weak comparison)? */
static bool etag_listed(const char *list, const char *etag)
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

/* Reads are cacheable and revalidatable: a strong ETag from the body, Last-Modified when
 * the handler knows it, 304 for a matching conditional request. Public answers to guests
 * may sit in shared caches for api_max_age seconds; answers to a signed-in member are
 * private. Everything else (writes, errors) is no-store. */
static void cache_headers(ApiContext *ctx, const HttpRequest *req, bool signed_in, HttpResponse *resp)
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
  http_response_header(resp, "vary:", "Authorization");
  if (resp->last_modified > 0) {
    g_autofree char *lm = http_date_format(resp->last_modified);
    http_response_header(resp, "last-modified:", lm);
  }
  bool not_modified = false;
  if (req->if_none_match) {
    not_modified = etag_listed(req->if_none_match, etag);
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

void api_handle(ApiContext *ctx, const HttpRequest *req, HttpResponse *resp)
{
  char *params[API_MAX_PARAMS] = { 0 };
  int nparams = 0;
  const ApiRoute *route = NULL;
  bool path_known = false;
  GString *allow = g_string_new(NULL);

  /* A trailing slash names the same resource. */
  char *path = g_strdup(req->path);
  size_t len = strlen(path);
  if (len > 1 && path[len - 1] == '/')
    path[len - 1] = '\0';

  for (const ApiRoute *r = api_routes; r->method; r++) {
    char *tmp[API_MAX_PARAMS] = { 0 };
    int ntmp = 0;
    if (!route_match(r->pattern, path, tmp, &ntmp))
      continue;
    path_known = true;
    g_string_append_printf(allow, "%s%s", allow->len ? ", " : "", r->method);
    if (!route && strcmp(r->method, req->method) == 0) {
      route = r;
      memcpy(params, tmp, sizeof params);
      nparams = ntmp;
    } else {
      for (int i = 0; i < ntmp; i++)
        g_free(tmp[i]);
    }
  }

  Member *member = NULL;
  if (!route) {
    if (path_known) {
      http_response_error(resp, 405, "method_not_allowed", "%s is not allowed on %s",
                          req->method, path);
      http_response_header(resp, "allow:", allow->str);
    } else {
      http_response_error(resp, 404, "not_found", "no such API resource: %s", path);
    }
    goto out;
  }

  int ret = auth_bearer(ctx->db, ctx->secret, req->authorization, &member);
  if (ret == -EACCES) {
    /* A credential that was sent but is wrong is refused even on public routes. */
    http_response_error(resp, 401, "unauthorized", "the credential is not valid");
    http_response_header(resp, "www-authenticate:", "Bearer error=\"invalid_token\"");
    goto out;
  }
  if (route->access != API_PUBLIC && !member) {
    http_response_error(resp, 401, "unauthorized", "sign in: send Authorization: Bearer <token>");
    http_response_header(resp, "www-authenticate:", "Bearer");
    goto out;
  }
  if ((route->access == API_EDITOR && !auth_role_at_least(member, ROLE_EDITOR)) ||
      (route->access == API_ADMIN && !auth_role_at_least(member, ROLE_ADMIN))) {
    http_response_error(resp, 403, "forbidden", "this needs the %s role",
                        route->access == API_ADMIN ? "admin" : "editor");
    goto out;
  }

  ApiCall call = { .req = req, .member = member };
  for (int i = 0; i < nparams; i++)
    call.params[i] = params[i];
  route->handler(ctx, &call, resp);
  cache_headers(ctx, req, member != NULL, resp);

out:
  for (int i = 0; i < nparams; i++)
    g_free(params[i]);
  member_free(&member);
  g_string_free(allow, TRUE);
  g_free(path);
}
