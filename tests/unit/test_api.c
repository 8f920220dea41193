/* Tests for src/http/api.c: routing, the error shape, 401/403/405, JSON bodies. */
#include "auth/auth.h"
#include "http/api.h"
#include "testutil.h"

#include <string.h>

static char *dir;
static Db *db;
static Config config;
static guint8 secret[TOKEN_SECRET_LEN] = { 7 };
static ApiContext ctx;
static char *admin_auth, *editor_auth, *viewer_auth;

static char *make_member(Role role)
{
  Member *m = NULL;
  char *token = NULL;
  g_assert(auth_member_create(db, secret, "测试 member", role, true, &m, &token) == 0);
  member_free(&m);
  char *h = g_strconcat("Bearer ", token, NULL);
  g_free(token);
  return h;
}

static void setup(void)
{
  dir = tu_tmpdir();
  char *p = g_build_filename(dir, "t.db", NULL), *err = NULL;
  g_assert(db_open(p, 0, &db, &err) == 0);
  g_free(p);
  config_init_defaults(&config);
  ctx = (ApiContext){ .db = db, .secret = secret, .config = &config };
  admin_auth = make_member(ROLE_ADMIN);
  editor_auth = make_member(ROLE_EDITOR);
  viewer_auth = make_member(ROLE_VIEWER);
}

static void teardown(void)
{
  db_close(&db);
  config_clear(&config);
  g_free(admin_auth);
  g_free(editor_auth);
  g_free(viewer_auth);
  tu_rmtree(dir);
  g_free(dir);
}

/* Runs one request; returns the status and leaves the body in *body. */
static int call(const char *method, const char *path, const char *auth, const char *body, char **out)
{
  GHashTable *q = g_hash_table_new(g_str_hash, g_str_equal);
  HttpRequest req = { .method = method, .path = path, .query = q, .authorization = auth,
                      .content_type = body ? "application/json" : NULL,
                      .body = body, .body_len = body ? strlen(body) : 0 };
  HttpResponse resp;
  http_response_init(&resp);
  api_handle(&ctx, &req, &resp);
  int status = resp.status;
  if (out)
    *out = g_strdup(resp.body ? resp.body->str : "");
  http_response_clear(&resp);
  g_hash_table_unref(q);
  return status;
}

static void assert_error_shape(const char *body, const char *code)
{
  JsonNode *n = json_from_string(body, NULL);
  ck_assert_msg(n && JSON_NODE_HOLDS_OBJECT(n), "not an object: %s", body);
  JsonObject *e = json_object_get_object_member(json_node_get_object(n), "error");
  ck_assert_ptr_nonnull(e);
  ck_assert_str_eq(json_object_get_string_member(e, "code"), code);
  ck_assert(strlen(json_object_get_string_member(e, "message")) > 0);
  json_node_unref(n);
}

START_TEST(public_index_needs_no_credential)
{
  char *body = NULL;
  ck_assert_int_eq(call("GET", "/api/v1", NULL, NULL, &body), 200);
  ck_assert_ptr_nonnull(strstr(body, "\"name\":\"lectern\""));
  g_free(body);
}
END_TEST

START_TEST(unknown_path_is_404_json)
{
  char *body = NULL;
  ck_assert_int_eq(call("GET", "/api/v1/nothing-here", NULL, NULL, &body), 404);
  assert_error_shape(body, "not_found");
  g_free(body);
}
END_TEST

START_TEST(wrong_method_is_405)
{
  char *body = NULL;
  ck_assert_int_eq(call("DELETE", "/api/v1/members", editor_auth, NULL, &body), 405);
  assert_error_shape(body, "method_not_allowed");
  g_free(body);
}
END_TEST

START_TEST(editor_route_401_403_200)
{
  char *body = NULL;
  ck_assert_int_eq(call("GET", "/api/v1/members", NULL, NULL, &body), 401);
  assert_error_shape(body, "unauthorized");
  g_free(body);
  ck_assert_int_eq(call("GET", "/api/v1/members", "Bearer lct1.nobody.AAAAAAAAAAAAAAAAAAAAAAAA", NULL, &body), 401);
  g_free(body);
  ck_assert_int_eq(call("GET", "/api/v1/members", "Basic Zm9vOmJhcg==", NULL, &body), 401);
  g_free(body);
  ck_assert_int_eq(call("GET", "/api/v1/members", viewer_auth, NULL, &body), 403);
  assert_error_shape(body, "forbidden");
  g_free(body);
  ck_assert_int_eq(call("GET", "/api/v1/members", editor_auth, NULL, &body), 200);
  ck_assert_ptr_nonnull(strstr(body, "\"members\""));
  ck_assert_ptr_null(strstr(body, "token")); /* hashes and tokens never leave */
  g_free(body);
  ck_assert_int_eq(call("GET", "/api/v1/members/", admin_auth, NULL, &body), 200);
  g_free(body);
}
END_TEST

START_TEST(tampered_token_is_401)
{
  char *bad = g_strdup(viewer_auth);
  bad[strlen(bad) - 2] = bad[strlen(bad) - 2] == 'A' ? 'B' : 'A';
  ck_assert_int_eq(call("GET", "/api/v1/me", bad, NULL, NULL), 401);
  ck_assert_int_eq(call("GET", "/api/v1/me", viewer_auth, NULL, NULL), 200);
  g_free(bad);
}
END_TEST

START_TEST(admin_creates_member_token_works)
{
  char *body = NULL;
  ck_assert_int_eq(call("POST", "/api/v1/members", editor_auth,
                        "{\"display_name\":\"王师傅\",\"role\":\"viewer\"}", &body), 403);
  g_free(body);
  ck_assert_int_eq(call("POST", "/api/v1/members", admin_auth,
                        "{\"display_name\":\"王师傅\",\"role\":\"viewer\",\"real_name_verified\":true}",
                        &body), 201);
  JsonNode *n = json_from_string(body, NULL);
  const char *token = json_object_get_string_member(json_node_get_object(n), "token");
  char *auth = g_strconcat("Bearer ", token, NULL);
  char *me = NULL;
  ck_assert_int_eq(call("GET", "/api/v1/me", auth, NULL, &me), 200);
  ck_assert_ptr_nonnull(strstr(me, "王师傅"));
  ck_assert_ptr_null(strstr(me, "token"));
  g_free(me);
  g_free(auth);
  json_node_unref(n);
  g_free(body);
}
END_TEST

static const struct { const char *body, *code; } bad_bodies[] = {
  { "{\"display_name\":", "malformed_json" },
  { "[1,2,3]", "malformed_json" },
  { "\"just a string\"", "malformed_json" },
  { "{\"display_name\":42}", "invalid_field" },
  { "{\"display_name\":\"x\",\"role\":\"root\"}", "invalid_field" },
  { "{\"display_name\":\"x\",\"real_name_verified\":\"yes\"}", "invalid_field" },
  { "{\"display_name\":\"\"}", "invalid_field" },
  { "{\"display_name\":\"'); DROP TABLE member;--\",\"role\":7}", "invalid_field" },
};

START_TEST(bad_bodies_get_400_with_reason)
{
  char *body = NULL;
  ck_assert_int_eq(call("POST", "/api/v1/members", admin_auth, bad_bodies[_i].body, &body), 400);
  assert_error_shape(body, bad_bodies[_i].code);
  g_free(body);
  /* The server is unharmed: members still answer. */
  ck_assert_int_eq(call("GET", "/api/v1/members", admin_auth, NULL, NULL), 200);
}
END_TEST

static Suite *api_suite(void)
{
  Suite *s = suite_create("api");
  TCase *tc = tcase_create("api");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, public_index_needs_no_credential);
  tcase_add_test(tc, unknown_path_is_404_json);
  tcase_add_test(tc, wrong_method_is_405);
  tcase_add_test(tc, editor_route_401_403_200);
  tcase_add_test(tc, tampered_token_is_401);
  tcase_add_test(tc, admin_creates_member_token_works);
  tcase_add_loop_test(tc, bad_bodies_get_400_with_reason, 0, G_N_ELEMENTS(bad_bodies));
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(api_suite)
