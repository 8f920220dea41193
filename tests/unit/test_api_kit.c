/* Tests for src/http/api_kit.c on its own (no router): JSON answers and their escaping, the
 * body as an object and its refusals, role checks, the audited commit, ETags and 304s. */
#include "http/api_kit.h"
#include "auth/auth.h"
#include "core/util.h"
#include "db/db_audit.h"
#include "testutil.h"
#include "vfs_full.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static Config config;
static guint8 secret[TOKEN_SECRET_LEN] = { 9 };
static ApiContext ctx;

static void setup(void)
{
  dir = tu_tmpdir();
  vfs_full_install(); /* writes go through unless a test says the disk is full */
  char *p = g_build_filename(dir, "t.db", NULL), *err = NULL;
  tu_db_seed(p);
  ck_assert_int_eq(db_open(p, 0, &db, &err), 0);
  g_free(p);
  config_init_defaults(&config);
  config.api_max_age = 17;
  ctx = (ApiContext){ .db = db, .secret = secret, .config = &config };
}

static void teardown(void)
{
  db_close(&db);
  config_clear(&config);
  tu_rmtree(dir);
  g_free(dir);
}

/* "Bearer <token>" of a new member with ROLE (caller frees); *ID gets the member's id. */
static char *bearer(Role role, char **id)
{
  Member *m = NULL;
  char *token = NULL;
  ck_assert_int_eq(auth_member_create(db, secret, "测试", role, true, &m, &token), 0);
  if (id)
    *id = g_strdup(m->id);
  member_free(&m);
  char *h = g_strconcat("Bearer ", token, NULL);
  g_free(token);
  return h;
}

static const char *header(const HttpResponse *r, const char *name)
{
  for (guint i = 0; i + 1 < r->headers->len; i += 2)
    if (!strcmp(r->headers->pdata[i], name))
      return r->headers->pdata[i + 1];
  return NULL;
}

/* The error code of an {"error":{"code","message"}} body (caller frees), or NULL. */
static char *error_code(const HttpResponse *r)
{
  JsonNode *n = json_from_string(r->body->str, NULL);
  char *code = NULL;
  if (n && JSON_NODE_HOLDS_OBJECT(n)) {
    JsonObject *e = json_object_get_object_member(json_node_get_object(n), "error");
    if (e && strlen(json_object_get_string_member(e, "message")) > 0)
      code = g_strdup(json_object_get_string_member(e, "code"));
  }
  if (n)
    json_node_unref(n);
  return code;
}

static void assert_error(const HttpResponse *r, int status, const char *code)
{
  ck_assert_int_eq(r->status, status);
  ck_assert_str_eq(r->content_type, "application/json; charset=utf-8");
  char *got = error_code(r);
  ck_assert_msg(got && !strcmp(got, code), "code %s, wanted %s: %s", got, code, r->body->str);
  g_free(got);
}

START_TEST(reply_json_escapes_markup_and_keeps_the_value)
{
  HttpResponse r;
  http_response_init(&r);
  JsonObject *o = json_object_new();
  json_object_set_string_member(o, "title", "<b>A & B</b>");
  api_reply_json(&r, 201, api_object_node(o));
  ck_assert_int_eq(r.status, 201);
  ck_assert_str_eq(r.content_type, "application/json; charset=utf-8");
  ck_assert_ptr_null(strchr(r.body->str, '<'));
  ck_assert_ptr_null(strchr(r.body->str, '>'));
  ck_assert_ptr_null(strchr(r.body->str, '&'));
  ck_assert_ptr_nonnull(strstr(r.body->str, "\\u003cb\\u003eA \\u0026 B"));
  JsonNode *back = json_from_string(r.body->str, NULL);
  ck_assert_str_eq(json_object_get_string_member(json_node_get_object(back), "title"), "<b>A & B</b>");
  json_node_unref(back);
  http_response_clear(&r);
}
END_TEST

/* Each way a body can fail to be a JSON object, with its status and code. */
static const struct {
  const char *body;
  size_t len;
  const char *content_type;
  int status;
  const char *code;
} bad_bodies[] = {
  { NULL, 0, NULL, 400, "bad_request" },
  { "", 0, "application/json", 400, "bad_request" },
  { "{}", 2, "text/plain", 415, "unsupported_media_type" },
  { "{\"a\":\"\xff\"}", 9, "application/json", 400, "malformed_json" },
  { "{\"a\":", 5, "application/json", 400, "malformed_json" },
  { "{\"a\":\"x\\233\"}", 13, "application/json", 400, "malformed_json" }, /* escape: not UTF-8 */
  { "[1,2]", 5, NULL, 400, "malformed_json" },
  { "\"text\"", 6, "application/json; charset=utf-8", 400, "malformed_json" },
};

START_TEST(parse_object_refuses_what_is_not_an_object)
{
  HttpRequest req = { .method = "POST", .path = "/api/v1/x", .body = bad_bodies[_i].body,
                      .body_len = bad_bodies[_i].len, .content_type = bad_bodies[_i].content_type };
  HttpResponse r;
  http_response_init(&r);
  ck_assert_ptr_null(api_parse_object(&req, &r));
  assert_error(&r, bad_bodies[_i].status, bad_bodies[_i].code);
  http_response_clear(&r);
}
END_TEST

START_TEST(parse_object_returns_the_object)
{
  const char *body = "{\"title\":\"课\",\"n\":3}";
  HttpRequest req = { .method = "POST", .path = "/api/v1/x", .body = body, .body_len = strlen(body),
                      .content_type = "application/json; charset=utf-8" };
  HttpResponse r;
  http_response_init(&r);
  JsonNode *n = api_parse_object(&req, &r);
  ck_assert_ptr_nonnull(n);
  ck_assert_int_eq(json_object_get_int_member(json_node_get_object(n), "n"), 3);
  ck_assert_ptr_null(r.body); /* nothing answered */
  json_node_unref(n);
  http_response_clear(&r);
}
END_TEST

START_TEST(authorize_by_access_level)
{
  char *admin_id = NULL;
  char *admin = bearer(ROLE_ADMIN, &admin_id), *editor = bearer(ROLE_EDITOR, NULL),
       *viewer = bearer(ROLE_VIEWER, NULL);
  Member *m = (Member *)&m; /* must be overwritten */
  HttpResponse r;

  http_response_init(&r);
  ck_assert_int_eq(api_authorize(&ctx, NULL, API_PUBLIC, &m, &r), 0);
  ck_assert_ptr_null(m);
  ck_assert_ptr_null(r.body);
  http_response_clear(&r);

  http_response_init(&r);
  ck_assert_int_eq(api_authorize(&ctx, NULL, API_MEMBER, &m, &r), -EACCES);
  ck_assert_ptr_null(m);
  assert_error(&r, 401, "unauthorized");
  ck_assert_str_eq(header(&r, "www-authenticate:"), "Bearer");
  http_response_clear(&r);

  /* A wrong credential is refused even where none is needed. */
  http_response_init(&r);
  ck_assert_int_eq(api_authorize(&ctx, "Bearer not-a-token", API_PUBLIC, &m, &r), -EACCES);
  assert_error(&r, 401, "unauthorized");
  ck_assert_str_eq(header(&r, "www-authenticate:"), "Bearer error=\"invalid_token\"");
  http_response_clear(&r);

  http_response_init(&r);
  ck_assert_int_eq(api_authorize(&ctx, viewer, API_EDITOR, &m, &r), -EPERM);
  ck_assert_ptr_null(m);
  assert_error(&r, 403, "forbidden");
  ck_assert_ptr_nonnull(strstr(r.body->str, "editor role"));
  http_response_clear(&r);

  http_response_init(&r);
  ck_assert_int_eq(api_authorize(&ctx, editor, API_ADMIN, &m, &r), -EPERM);
  ck_assert_ptr_nonnull(strstr(r.body->str, "admin role"));
  http_response_clear(&r);

  http_response_init(&r);
  ck_assert_int_eq(api_authorize(&ctx, viewer, API_MEMBER, &m, &r), 0);
  ck_assert_ptr_nonnull(m);
  ck_assert_int_eq(m->role, ROLE_VIEWER);
  ApiCall call = { .member = m };
  ck_assert(!api_is_editor(&call));
  member_free(&m);
  http_response_clear(&r);

  http_response_init(&r);
  ck_assert_int_eq(api_authorize(&ctx, admin, API_ADMIN, &m, &r), 0);
  ck_assert_str_eq(m->id, admin_id);
  call.member = m;
  ck_assert(api_is_editor(&call));
  member_free(&m);
  ck_assert_ptr_null(r.body);
  http_response_clear(&r);

  g_free(admin);
  g_free(editor);
  g_free(viewer);
  g_free(admin_id);
}
END_TEST

START_TEST(commit_audited_records_the_change_with_it)
{
  char *id = NULL;
  char *auth = bearer(ROLE_EDITOR, &id);
  Member *m = NULL;
  HttpResponse r;
  http_response_init(&r);
  ck_assert_int_eq(api_authorize(&ctx, auth, API_EDITOR, &m, &r), 0);
  ApiCall call = { .member = m };

  ck_assert(api_begin(&ctx, &r));
  JsonNode *detail = json_from_string("{\"name\":\"科学普及\"}", NULL);
  ck_assert_int_eq(api_commit_audited(&ctx, &call, "category.create", "category", "7", detail, &r), 0);
  ck_assert_ptr_null(r.body);
  json_node_unref(detail); /* not consumed */

  int rc = 0;
  AuditFilter filter = { .target_type = "category", .target_id = "7", .limit = 10 };
  JsonNode *list = db_audit_list_json(db, &filter, &rc);
  JsonArray *a = json_node_get_array(list);
  ck_assert_uint_eq(json_array_get_length(a), 1);
  JsonObject *e = json_array_get_object_element(a, 0);
  ck_assert_str_eq(json_object_get_string_member(e, "action"), "category.create");
  ck_assert_str_eq(json_object_get_string_member(e, "member_id"), id);
  json_node_unref(list);

  /* Without an open transaction the commit fails: rolled back and answered 500. */
  ck_assert_int_lt(api_commit_audited(&ctx, &call, "category.create", "category", "8", NULL, &r), 0);
  assert_error(&r, 500, "internal");

  /* A full disk: 507 storage_full (the editor may try again), nothing saved, no transaction
   * left open. */
  http_response_clear(&r);
  http_response_init(&r);
  ck_assert(api_begin(&ctx, &r));
  vfs_full_set(true);
  ck_assert_int_eq(api_commit_audited(&ctx, &call, "category.create", "category", "9", NULL, &r), -ENOSPC);
  vfs_full_set(false);
  assert_error(&r, 507, "storage_full");
  ck_assert_int_eq(db->depth, 0);
  filter.target_id = "9";
  list = db_audit_list_json(db, &filter, &rc);
  ck_assert_uint_eq(json_array_get_length(json_node_get_array(list)), 0);
  json_node_unref(list);

  member_free(&m);
  http_response_clear(&r);
  g_free(auth);
  g_free(id);
}
END_TEST

START_TEST(etag_lists_compare_weakly)
{
  ck_assert(api_etag_listed("\"abc\"", "\"abc\""));
  ck_assert(api_etag_listed("W/\"abc\"", "\"abc\""));
  ck_assert(api_etag_listed("\"x\", W/\"abc\" ,\"y\"", "\"abc\""));
  ck_assert(api_etag_listed("*", "\"abc\""));
  ck_assert(!api_etag_listed("\"abcd\", \"ab\"", "\"abc\""));
  ck_assert(!api_etag_listed("", "\"abc\""));
}
END_TEST

/* A 200 GET answer with BODY (and LAST_MODIFIED) after api_cache_headers for REQ. */
static void cached(HttpRequest *req, bool signed_in, const char *body, gint64 last_modified,
                   HttpResponse *r)
{
  http_response_init(r);
  http_response_text(r, 200, "application/json; charset=utf-8", body);
  r->last_modified = last_modified;
  api_cache_headers(&ctx, req, signed_in, r);
}

START_TEST(reads_get_etag_and_cache_control)
{
  HttpRequest req = { .method = "GET", .path = "/api/v1/videos" };
  HttpResponse r, r2;
  cached(&req, false, "{\"a\":1}", 0, &r);
  ck_assert_int_eq(r.status, 200);
  ck_assert_str_eq(header(&r, "cache-control:"), "public, max-age=17");
  ck_assert_str_eq(header(&r, "vary:"), "Authorization, Cookie");
  ck_assert_ptr_null(header(&r, "last-modified:"));
  const char *etag = header(&r, "etag:");
  ck_assert_int_eq(strlen(etag), 34);
  ck_assert(etag[0] == '"' && etag[33] == '"');

  /* The tag follows the body: the same body, the same tag; another body, another. */
  cached(&req, true, "{\"a\":1}", 0, &r2);
  ck_assert_str_eq(header(&r2, "etag:"), etag);
  ck_assert_str_eq(header(&r2, "cache-control:"), "private, no-cache");
  http_response_clear(&r2);
  cached(&req, false, "{\"a\":2}", 0, &r2);
  ck_assert_str_ne(header(&r2, "etag:"), etag);
  http_response_clear(&r2);

  /* If-None-Match naming it: 304 with no body, the headers kept. */
  req.if_none_match = etag;
  cached(&req, false, "{\"a\":1}", 0, &r2);
  ck_assert_int_eq(r2.status, 304);
  ck_assert_uint_eq(r2.body->len, 0);
  ck_assert_str_eq(header(&r2, "etag:"), etag);
  http_response_clear(&r2);
  req.if_none_match = "\"0123\"";
  cached(&req, false, "{\"a\":1}", 0, &r2);
  ck_assert_int_eq(r2.status, 200);
  ck_assert_str_eq(r2.body->str, "{\"a\":1}");
  http_response_clear(&r2);
  http_response_clear(&r);
}
END_TEST

START_TEST(if_modified_since_trusts_only_past_seconds)
{
  gint64 now = util_now();
  g_autofree char *then = http_date_format(now - 100);
  g_autofree char *earlier = http_date_format(now - 200);
  HttpRequest req = { .method = "GET", .path = "/api/v1/videos", .if_modified_since = then };
  HttpResponse r;

  cached(&req, false, "{}", now - 100, &r);
  ck_assert_int_eq(r.status, 304);
  ck_assert_str_eq(header(&r, "last-modified:"), then);
  http_response_clear(&r);

  req.if_modified_since = earlier; /* changed since */
  cached(&req, false, "{}", now - 100, &r);
  ck_assert_int_eq(r.status, 200);
  http_response_clear(&r);

  /* Changed at or after the current second: another change may still follow within it,
   * so even a matching date is not trusted. */
  g_autofree char *later = http_date_format(now + 5);
  req.if_modified_since = later;
  cached(&req, false, "{}", now + 5, &r);
  ck_assert_int_eq(r.status, 200);
  http_response_clear(&r);

  /* If-None-Match wins over If-Modified-Since. */
  req.if_modified_since = then;
  req.if_none_match = "\"0123\"";
  cached(&req, false, "{}", now - 100, &r);
  ck_assert_int_eq(r.status, 200);
  http_response_clear(&r);
}
END_TEST

START_TEST(writes_and_errors_are_not_stored)
{
  HttpRequest get = { .method = "GET", .path = "/api/v1/videos/x" };
  HttpRequest post = { .method = "POST", .path = "/api/v1/videos" };
  HttpResponse r;

  http_response_init(&r);
  http_response_text(&r, 201, "application/json; charset=utf-8", "{}");
  api_cache_headers(&ctx, &post, true, &r);
  ck_assert_str_eq(header(&r, "cache-control:"), "no-store");
  ck_assert_ptr_null(header(&r, "etag:"));
  http_response_clear(&r);

  http_response_init(&r);
  http_response_error(&r, 404, "not_found", "no such video");
  api_cache_headers(&ctx, &get, false, &r);
  ck_assert_str_eq(header(&r, "cache-control:"), "no-store");
  ck_assert_ptr_null(header(&r, "etag:"));
  http_response_clear(&r);
}
END_TEST

static Suite *api_kit_suite(void)
{
  Suite *s = suite_create("api_kit");
  TCase *tc = tcase_create("api_kit");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, reply_json_escapes_markup_and_keeps_the_value);
  tcase_add_loop_test(tc, parse_object_refuses_what_is_not_an_object, 0, G_N_ELEMENTS(bad_bodies));
  tcase_add_test(tc, parse_object_returns_the_object);
  tcase_add_test(tc, authorize_by_access_level);
  tcase_add_test(tc, commit_audited_records_the_change_with_it);
  tcase_add_test(tc, etag_lists_compare_weakly);
  tcase_add_test(tc, reads_get_etag_and_cache_control);
  tcase_add_test(tc, if_modified_since_trusts_only_past_seconds);
  tcase_add_test(tc, writes_and_errors_are_not_stored);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(api_kit_suite)
