/* Tests for src/http/api_oidc.c: without a provider the routes say so; the callback refuses a
 * state that is not this browser's, unknown or used (one answer, a page, no session); with a
 * provider that is down the answer comes later (HttpLater) as a 502 page; the sign-out's
 * provider logout URL only for members who came through it. */
#include "api_fixture.h"
#include "auth/oidc_state.h"
#include "core/util.h"
#include "http/api_oidc.h"

#include <check.h>
#include <errno.h>
#include <gio/gio.h>

START_TEST(without_a_provider)
{
  char *out = NULL;
  ck_assert_int_eq(call("GET", "/api/v1/oidc", NULL, NULL, &out), 200);
  ck_assert_str_eq(out, "{\"enabled\":false}");
  g_free(out);
  ck_assert_int_eq(call("GET", "/api/v1/oidc/start", NULL, NULL, &out), 404);
  ck_assert_ptr_nonnull(strstr(out, "未配置统一身份认证登录"));
  g_free(out);
  ck_assert_int_eq(call("POST", "/api/v1/oidc/start", NULL, "{}", &out), 405);
  assert_error_shape(out, "method_not_allowed");
  g_free(out);
  ck_assert_int_eq(call("GET", "/api/v1/oidc/callback", NULL, NULL, NULL), 404);
  ck_assert_ptr_null(api_oidc_logout_url(&ctx, "oidc"));
}
END_TEST

/* A provider client for an address nobody answers on. */
static int provider_down(void)
{
  GSocketListener *l = g_socket_listener_new();
  int p = g_socket_listener_add_any_inet_port(l, NULL, NULL);
  g_socket_listener_close(l);
  g_object_unref(l);
  g_free(config.oidc_issuer);
  config.oidc_issuer = g_strdup_printf("http://127.0.0.1:%d", p);
  g_free(config.oidc_client_id);
  config.oidc_client_id = g_strdup("lectern");
  char *err = NULL;
  ck_assert_int_eq(api_oidc_client_new(&ctx, &err), -EINVAL); /* no public_url yet */
  ck_assert_ptr_nonnull(strstr(err, "public_url"));
  g_free(err);
  g_free(config.public_url);
  config.public_url = g_strdup("https://lecture.example/");
  ck_assert_int_eq(api_oidc_client_new(&ctx, &err), 0);
  return p;
}

static GMainLoop *loop;
static HttpResponse later_resp;
static void later_answer(void *server, guint64 id, void *resp)
{
  ck_assert_ptr_eq(server, &later_resp);
  ck_assert_int_eq(id, 42);
  later_resp = *(HttpResponse *)resp;
  g_free(resp);
  g_main_loop_quit(loop);
}

/* GET QUERY on PATH with COOKIE, its answer waited for when it comes later. */
static int get_waiting(const char *path, const char *query_state, const char *code, const char *cookie)
{
  GHashTable *q = g_hash_table_new(g_str_hash, g_str_equal);
  if (query_state)
    g_hash_table_insert(q, "state", (char *)query_state);
  if (code)
    g_hash_table_insert(q, "code", (char *)code);
  HttpLater later = { .answer = later_answer, .server = &later_resp, .id = 42 };
  HttpRequest req = { .method = "GET", .path = path, .query = q, .cookie = cookie, .later = &later };
  HttpResponse resp;
  http_response_init(&resp);
  api_handle(&ctx, &req, &resp);
  if (resp.later) {
    http_response_clear(&resp);
    loop = g_main_loop_new(NULL, FALSE);
    g_main_loop_run(loop);
    g_main_loop_unref(loop);
    resp = later_resp;
  }
  int status = resp.status;
  later_resp = (HttpResponse){ 0 };
  bool session = false;
  for (guint i = 0; i + 1 < resp.headers->len; i += 2)
    if (g_str_has_prefix(resp.headers->pdata[i + 1], "lectern_session="))
      session = true;
  ck_assert_msg(!session || status == 303, "a session cookie with %d", status);
  http_response_clear(&resp);
  g_hash_table_unref(q);
  return status;
}

START_TEST(callback_refusals_and_a_provider_down)
{
  provider_down();
  char *state = NULL, *other = NULL;
  gint64 now = util_now();
  ck_assert_int_eq(oidc_state_begin(db, secret, "/me.html", now, 600, &state), 0);
  ck_assert_int_eq(oidc_state_begin(db, secret, "/", now, 600, &other), 0);
  g_autofree char *cookie = g_strdup_printf("a=b; lectern_oidc=%s", state);
  g_autofree char *other_cookie = g_strdup_printf("lectern_oidc=%s", other);
  /* Another browser's state cookie: refused, and the state is used up. */
  ck_assert_int_eq(get_waiting("/api/v1/oidc/callback", state, "c", other_cookie), 400);
  ck_assert_int_eq(get_waiting("/api/v1/oidc/callback", state, "c", cookie), 400);
  /* No state, an unknown one. */
  ck_assert_int_eq(get_waiting("/api/v1/oidc/callback", NULL, "c", cookie), 400);
  ck_assert_int_eq(get_waiting("/api/v1/oidc/callback", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "c",
                               "lectern_oidc=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 400);
  /* The right state and cookie, no code. */
  ck_assert_int_eq(get_waiting("/api/v1/oidc/callback", other, NULL, other_cookie), 400);
  /* A good state and a code, a provider that is down: 502 later, no session. */
  char *s3 = NULL;
  ck_assert_int_eq(oidc_state_begin(db, secret, "/me.html", now, 600, &s3), 0);
  g_autofree char *c3 = g_strdup_printf("lectern_oidc=%s", s3);
  ck_assert_int_eq(get_waiting("/api/v1/oidc/callback", s3, "code-1", c3), 502);
  ck_assert_int_eq(get_waiting("/api/v1/oidc/start", NULL, NULL, NULL), 502);
  /* Without a way to answer later (the unit fixture's requests) the start cannot wait. */
  ck_assert_int_eq(call("GET", "/api/v1/oidc/start", NULL, NULL, NULL), 503);
  char *out = NULL;
  ck_assert_int_eq(call("GET", "/api/v1/oidc", NULL, NULL, &out), 200);
  ck_assert_str_eq(out, "{\"enabled\":true,\"start\":\"/api/v1/oidc/start\"}");
  g_free(out);
  ck_assert_ptr_null(api_oidc_logout_url(&ctx, "oidc")); /* never discovered */
  ck_assert_ptr_null(api_oidc_logout_url(&ctx, "password"));
  sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM session");
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_int_eq(sqlite3_column_int(st, 0), 0);
  sqlite3_finalize(st);
  oidc_client_free(&ctx.oidc);
  g_free(state), g_free(other), g_free(s3);
}
END_TEST

static Suite *api_oidc_suite(void)
{
  Suite *s = suite_create("api_oidc");
  TCase *tc = tcase_create("api_oidc");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, without_a_provider);
  tcase_add_test(tc, callback_refusals_and_a_provider_down);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(api_oidc_suite)
