/* Tests for src/http/api_session.c through the router: a credential exchanged for a session
 * cookie, the session read back with its CSRF token, CSRF refusals, sign-out, expiry, and
 * bearer requests unaffected. */
#include "api_fixture.h"
#include "auth/session.h"
#include "core/util.h"

/* POSTs {"token": TOKEN} to /api/v1/session; returns the status, *COOKIE ("lectern_session=…",
 * caller frees) and *CSRF (caller frees) on success. */
static int sign_in(const char *token, char **cookie, char **csrf)
{
  g_autofree char *body = g_strdup_printf("{\"token\":\"%s\"}", token);
  ApiReq r = { .method = "POST", .path = "/api/v1/session", .body = body };
  int st = api_send(&r);
  if (st == 201) {
    const char *set = g_hash_table_lookup(r.headers, "set-cookie:");
    ck_assert_ptr_nonnull(set);
    ck_assert_ptr_nonnull(strstr(set, "; HttpOnly; SameSite=Lax"));
    *cookie = g_strndup(set, strcspn(set, ";"));
    JsonNode *n = json_from_string(r.out, NULL);
    *csrf = g_strdup(json_object_get_string_member(json_node_get_object(n), "csrf_token"));
    json_node_unref(n);
  }
  api_req_clear(&r);
  return st;
}

static int with_cookie(const char *method, const char *path, const char *cookie, const char *csrf,
                       const char *body, ApiReq *r)
{
  api_req_clear(r); /* the answer R held before */
  *r = (ApiReq){ .method = method, .path = path, .cookie = cookie, .csrf_token = csrf, .body = body };
  return api_send(r);
}

START_TEST(credential_becomes_a_session_cookie)
{
  g_autofree char *cookie = NULL, *csrf = NULL;
  ck_assert_int_eq(sign_in(viewer_auth + 7, &cookie, &csrf), 201);
  ck_assert(g_str_has_prefix(cookie, "lectern_session="));
  ApiReq r = { 0 };
  ck_assert_int_eq(with_cookie("GET", "/api/v1/me", cookie, NULL, NULL, &r), 200);
  ck_assert_ptr_nonnull(strstr(r.out, "\"role\":\"viewer\""));
  ck_assert_str_eq(g_hash_table_lookup(r.headers, "cache-control:"), "private, no-cache");
  ck_assert_int_eq(with_cookie("GET", "/api/v1/session", cookie, NULL, NULL, &r), 200);
  ck_assert_ptr_nonnull(strstr(r.out, csrf));
  ck_assert_ptr_nonnull(strstr(r.out, "\"method\":\"token\""));
  api_req_clear(&r);
  /* The cookie in a bearer's place, or the credential in clear, is nowhere stored. */
  ck_assert_int_eq(call("GET", "/api/v1/session", viewer_auth, NULL, NULL), 404);
}
END_TEST

START_TEST(sign_in_refusals)
{
  g_autofree char *c = NULL, *x = NULL;
  ck_assert_int_eq(sign_in("lct1.nobody.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &c, &x), 401);
  ApiReq r = { .method = "POST", .path = "/api/v1/session", .body = "{\"token\":1}" };
  ck_assert_int_eq(api_send(&r), 400);
  api_req_clear(&r);
  /* Not JSON by its type: a cross-site form could send that. */
  g_autofree char *body = g_strdup_printf("{\"token\":\"%s\"}", viewer_auth + 7);
  r = (ApiReq){ .method = "POST", .path = "/api/v1/session", .body = body, .content_type = "text/plain" };
  ck_assert_int_eq(api_send(&r), 415);
  api_req_clear(&r);
}
END_TEST

START_TEST(cookie_writes_need_the_csrf_token)
{
  g_autofree char *cookie = NULL, *csrf = NULL, *ecookie = NULL, *ecsrf = NULL;
  ck_assert_int_eq(sign_in(editor_auth + 7, &ecookie, &ecsrf), 201);
  ck_assert_int_eq(sign_in(viewer_auth + 7, &cookie, &csrf), 201);
  const char *cat = "{\"name\":\"会话测试\"}";
  ApiReq r = { 0 };
  ck_assert_int_eq(with_cookie("POST", "/api/v1/categories", ecookie, NULL, cat, &r), 403);
  assert_error_shape(r.out, "csrf");
  /* Another session's token is no good either. */
  ck_assert_int_eq(with_cookie("POST", "/api/v1/categories", ecookie, csrf, cat, &r), 403);
  ck_assert_int_eq(with_cookie("POST", "/api/v1/categories", ecookie, ecsrf, cat, &r), 201);
  /* Reads need none; bearer writes need none. */
  ck_assert_int_eq(with_cookie("GET", "/api/v1/members", ecookie, NULL, NULL, &r), 200);
  api_req_clear(&r);
  ck_assert_int_eq(call("POST", "/api/v1/categories", editor_auth, "{\"name\":\"令牌测试\"}", NULL), 201);
  /* Roles hold with the cookie as with the credential. */
  ck_assert_int_eq(with_cookie("POST", "/api/v1/categories", cookie, csrf, cat, &r), 403);
  api_req_clear(&r);
}
END_TEST

START_TEST(sign_out_ends_the_session)
{
  g_autofree char *cookie = NULL, *csrf = NULL;
  ck_assert_int_eq(sign_in(viewer_auth + 7, &cookie, &csrf), 201);
  ApiReq r = { 0 };
  ck_assert_int_eq(with_cookie("DELETE", "/api/v1/session", cookie, NULL, NULL, &r), 403);
  ck_assert_int_eq(with_cookie("DELETE", "/api/v1/session", cookie, csrf, NULL, &r), 200);
  ck_assert(g_str_has_prefix(g_hash_table_lookup(r.headers, "set-cookie:"), "lectern_session=; "));
  ck_assert_int_eq(with_cookie("GET", "/api/v1/me", cookie, NULL, NULL, &r), 401);
  assert_error_shape(r.out, "session_expired");
  /* On a public route the dead cookie leaves a guest, and is cleared. */
  ck_assert_int_eq(with_cookie("GET", "/api/v1/videos", cookie, NULL, NULL, &r), 200);
  ck_assert(g_str_has_prefix(g_hash_table_lookup(r.headers, "set-cookie:"), "lectern_session=; "));
  ck_assert_ptr_nonnull(strstr(g_hash_table_lookup(r.headers, "cache-control:"), "public"));
  api_req_clear(&r);
  /* The credential itself still works for scripts. */
  ck_assert_int_eq(call("GET", "/api/v1/me", viewer_auth, NULL, NULL), 200);
}
END_TEST

START_TEST(idle_session_expires)
{
  g_autofree char *cookie = NULL, *csrf = NULL;
  ck_assert_int_eq(sign_in(viewer_auth + 7, &cookie, &csrf), 201);
  /* Age the session as if unused for longer than the idle time. */
  sqlite3_stmt *st = db_prepare(db, "UPDATE session SET last_seen_at = ?1");
  sqlite3_bind_int64(st, 1, util_now() - config.session_idle_timeout - 1);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  ApiReq r = { 0 };
  ck_assert_int_eq(with_cookie("GET", "/api/v1/me", cookie, NULL, NULL, &r), 401);
  api_req_clear(&r);
}
END_TEST

START_TEST(editor_sign_in_is_audited_viewer_not)
{
  g_autofree char *c1 = NULL, *x1 = NULL, *c2 = NULL, *x2 = NULL;
  ck_assert_int_eq(sign_in(editor_auth + 7, &c1, &x1), 201);
  ck_assert_int_eq(sign_in(viewer_auth + 7, &c2, &x2), 201);
  char *body = NULL;
  ck_assert_int_eq(call("GET", "/api/v1/audit", editor_auth, NULL, &body), 200);
  JsonNode *n = json_from_string(body, NULL);
  JsonArray *entries = json_object_get_array_member(json_node_get_object(n), "entries");
  int sign_ins = 0;
  for (guint i = 0; i < json_array_get_length(entries); i++)
    if (!g_strcmp0(json_object_get_string_member(json_array_get_object_element(entries, i), "action"), "member.sign_in"))
      sign_ins++;
  ck_assert_int_eq(sign_ins, 1);
  json_node_unref(n);
  g_free(body);
}
END_TEST

START_TEST(secure_cookie_behind_https)
{
  g_free(config.public_url);
  config.public_url = g_strdup("https://lecture.example.org");
  g_autofree char *body = g_strdup_printf("{\"token\":\"%s\"}", viewer_auth + 7);
  ApiReq r = { .method = "POST", .path = "/api/v1/session", .body = body };
  ck_assert_int_eq(api_send(&r), 201);
  ck_assert(g_str_has_suffix(g_hash_table_lookup(r.headers, "set-cookie:"), "; Secure"));
  api_req_clear(&r);
}
END_TEST

static Suite *api_session_suite(void)
{
  Suite *s = suite_create("api_session");
  TCase *tc = tcase_create("api_session");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, credential_becomes_a_session_cookie);
  tcase_add_test(tc, sign_in_refusals);
  tcase_add_test(tc, cookie_writes_need_the_csrf_token);
  tcase_add_test(tc, sign_out_ends_the_session);
  tcase_add_test(tc, idle_session_expires);
  tcase_add_test(tc, editor_sign_in_is_audited_viewer_not);
  tcase_add_test(tc, secure_cookie_behind_https);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(api_session_suite)
