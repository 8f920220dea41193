/* Tests for src/http/api.c: routing, the error shape, 401/403/405, JSON bodies, caching
 * headers, and the route table against schemas/openapi.yaml. */
#include "api_fixture.h"
#include "http/api_uploads.h"

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

/* The message quotes the path; bytes that are not UTF-8 must not make the answer non-JSON
 * (a fuzzing find: tests/fuzz/regressions/api/). */
START_TEST(error_quoting_bytes_not_utf8_is_json)
{
  char *body = NULL;
  ck_assert_int_eq(call("GET", "/api/v1/x\xff\xfe\xc3y", NULL, NULL, &body), 404);
  ck_assert(g_utf8_validate(body, -1, NULL));
  assert_error_shape(body, "not_found");
  ck_assert_ptr_nonnull(strstr(body, "x\xef\xbf\xbd"));
  g_free(body);
}
END_TEST

START_TEST(wrong_method_is_405)
{
  char *body = NULL;
  ck_assert_int_eq(call("DELETE", "/api/v1/members", editor_auth, NULL, &body), 405);
  assert_error_shape(body, "method_not_allowed");
  g_free(body);
  /* The upload is streamed past the router, but its path is no unknown resource. */
  ApiReq r = { .method = "GET", .path = API_UPLOAD_PATH, .auth = editor_auth };
  ck_assert_int_eq(api_send(&r), 405);
  ck_assert_str_eq(g_hash_table_lookup(r.headers, "allow:"), "POST");
  api_req_clear(&r);
  /* A literal path beside a "{id}" one: PATCH /members/roster is not PATCH /members/{id}. */
  ApiReq lit = { .method = "PATCH", .path = "/api/v1/members/roster", .auth = admin_auth, .body = "{}" };
  ck_assert_int_eq(api_send(&lit), 405);
  ck_assert_str_eq(g_hash_table_lookup(lit.headers, "allow:"), "POST");
  api_req_clear(&lit);
}
END_TEST

/* Paths match route patterns segment by segment: "{id}" takes exactly one non-empty segment,
 * and neither a prefix nor an extra segment names a route. Which paths matched is read from
 * 405's Allow (a matched path) against 404 (none). */
START_TEST(paths_match_whole_segments)
{
  static const struct { const char *path; int status; const char *allow; } cases[] = {
    { "/api/v1/lotteries/abc", 405, "GET, PATCH" },
    { "/api/v1/lotteries/abc/", 405, "GET, PATCH" },
    { "/api/v1/lotteries/abc/mine", 405, "GET" },
    { "/api/v1/lotteries//mine", 404, NULL },
    { "/api/v1/lotteries/abc/mine/more", 404, NULL },
    { "/api/v1/lotteries/abc/min", 404, NULL },
    { "/api/v1/lotteriesabc", 404, NULL },
    { "/api/v1/lotterie/abc", 404, NULL },
    { "/api/v1/lotteries", 405, "GET, POST" },
    { "/api/v1/lotteries/", 405, "GET, POST" },
    { "/api/v1//lotteries", 404, NULL },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    ApiReq r = { .method = "DELETE", .path = cases[i].path, .auth = editor_auth };
    ck_assert_msg(api_send(&r) == cases[i].status, "%s", cases[i].path);
    if (cases[i].allow)
      ck_assert_str_eq(g_hash_table_lookup(r.headers, "allow:"), cases[i].allow);
    api_req_clear(&r);
  }
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


/* "METHOD path" for every operation under paths: in openapi.yaml (two-space paths,
 * four-space methods: the layout the file keeps). */
static GHashTable *openapi_operations(void)
{
  char *path = tu_source_path("schemas/openapi.yaml"), *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
  GHashTable *ops = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  char **lines = g_strsplit(text, "\n", -1);
  bool in_paths = false;
  char *current = NULL;
  static const char *const methods[] = {"get", "post", "put", "patch", "delete"};
  for (int i = 0; lines[i]; i++) {
    const char *l = lines[i];
    if (l[0] && l[0] != ' ' && l[0] != '#') {
      in_paths = g_str_has_prefix(l, "paths:");
      continue;
    }
    if (!in_paths)
      continue;
    if (g_str_has_prefix(l, "  /") && l[2] == '/' && g_str_has_suffix(l, ":")) {
      g_free(current);
      current = g_strndup(l + 2, strlen(l) - 3);
      continue;
    }
    for (unsigned m = 0; m < G_N_ELEMENTS(methods) && current; m++) {
      char *want = g_strdup_printf("    %s:", methods[m]);
      if (g_str_has_prefix(l, want)) {
        char *up = g_ascii_strup(methods[m], -1);
        g_hash_table_add(ops, g_strdup_printf("%s %s", up, current));
        g_free(up);
      }
      g_free(want);
    }
  }
  g_free(current);
  g_strfreev(lines);
  g_free(text);
  g_free(path);
  return ops;
}

START_TEST(openapi_documents_every_route_and_no_other)
{
  GHashTable *ops = openapi_operations();
  GHashTable *routes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (const ApiRoute *r = api_routes; r->method; r++)
    g_hash_table_add(routes, g_strdup_printf("%s %s", r->method, r->pattern));
  g_hash_table_add(routes, g_strdup("POST " API_UPLOAD_PATH)); /* streamed: http_upload.c, api_uploads.c */
  ck_assert_uint_ge(g_hash_table_size(routes), 20);

  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init(&it, routes);
  while (g_hash_table_iter_next(&it, &key, NULL))
    ck_assert_msg(g_hash_table_contains(ops, key), "route %s is not in schemas/openapi.yaml",
                  (char *)key);
  g_hash_table_iter_init(&it, ops);
  while (g_hash_table_iter_next(&it, &key, NULL))
    ck_assert_msg(g_hash_table_contains(routes, key), "schemas/openapi.yaml has %s, the server does not",
                  (char *)key);
  g_hash_table_unref(ops);
  g_hash_table_unref(routes);
}
END_TEST

START_TEST(reads_carry_etag_and_revalidate)
{
  ck_assert_int_eq(call("POST", "/api/v1/columns", editor_auth, "{\"slug\":\"first\",\"title\":\"一\"}", NULL), 201);
  ApiReq r = { .method = "GET", .path = "/api/v1/columns" };
  ck_assert_int_eq(api_send(&r), 200);
  char *etag = g_strdup(g_hash_table_lookup(r.headers, "etag:"));
  char *lm = g_strdup(g_hash_table_lookup(r.headers, "last-modified:"));
  ck_assert_ptr_nonnull(etag);
  ck_assert_ptr_nonnull(lm);
  ck_assert_str_eq(g_hash_table_lookup(r.headers, "cache-control:"), "public, max-age=10");

  /* The same ETag: 304 and no body. */
  ApiReq c = { .method = "GET", .path = "/api/v1/columns", .if_none_match = etag };
  ck_assert_int_eq(api_send(&c), 304);
  ck_assert_str_eq(c.out, "");
  ck_assert_str_eq(g_hash_table_lookup(c.headers, "etag:"), etag);
  /* A stale ETag (or one of another resource): the full answer. */
  c.if_none_match = "\"0000\", W/\"1111\"";
  ck_assert_int_eq(api_send(&c), 200);
  /* If-Modified-Since a day ahead: not modified (the catalog changed in a past second). */
  g_usleep(1100 * 1000);
  char *later = http_date_format(g_get_real_time() / G_USEC_PER_SEC + 86400);
  ApiReq d = { .method = "GET", .path = "/api/v1/columns", .if_modified_since = later };
  ck_assert_int_eq(api_send(&d), 304);
  d.if_modified_since = "Thu, 01 Jan 1970 00:00:00 GMT";
  ck_assert_int_eq(api_send(&d), 200);

  /* A change makes a new ETag. */
  ck_assert_int_eq(call("POST", "/api/v1/columns", editor_auth, "{\"slug\":\"new\",\"title\":\"新\"}", NULL), 201);
  c.if_none_match = etag;
  ck_assert_int_eq(api_send(&c), 200);
  ck_assert_str_ne(g_hash_table_lookup(c.headers, "etag:"), etag);

  /* Signed-in answers are private; errors and writes are not stored. */
  ApiReq p = { .method = "GET", .path = "/api/v1/columns", .auth = viewer_auth };
  ck_assert_int_eq(api_send(&p), 200);
  ck_assert_str_eq(g_hash_table_lookup(p.headers, "cache-control:"), "private, no-cache");
  ApiReq e = { .method = "GET", .path = "/api/v1/videos/nope" };
  ck_assert_int_eq(api_send(&e), 404);
  ck_assert_str_eq(g_hash_table_lookup(e.headers, "cache-control:"), "no-store");
  g_free(later);
  g_free(etag);
  g_free(lm);
  api_req_clear(&r);
  api_req_clear(&c);
  api_req_clear(&d);
  api_req_clear(&p);
  api_req_clear(&e);
}
END_TEST

START_TEST(markup_is_escaped_in_json)
{
  char *body = NULL;
  ck_assert_int_eq(call("POST", "/api/v1/members", admin_auth,
                        "{\"display_name\":\"<b>&\\u003cscript>\"}", &body), 201);
  ck_assert_ptr_null(strchr(body, '<'));
  ck_assert_ptr_null(strchr(body, '>'));
  ck_assert_ptr_null(strchr(body, '&'));
  JsonNode *n = json_from_string(body, NULL);
  ck_assert_str_eq(json_object_get_string_member(json_node_get_object(n), "display_name"), "<b>&<script>");
  json_node_unref(n);
  g_free(body);
}
END_TEST

START_TEST(http_dates_round_trip)
{
  char *s = http_date_format(1795330800);
  ck_assert_str_eq(s, "Sun, 22 Nov 2026 07:00:00 GMT");
  ck_assert_int_eq(http_date_parse(s), 1795330800);
  ck_assert_int_eq(http_date_parse("yesterday"), -1);
  ck_assert_int_eq(http_date_parse("Sun, 22 Foo 2026 07:00:00 GMT"), -1);
  g_free(s);
}
END_TEST

static Suite *api_suite(void)
{
  Suite *s = suite_create("api");
  TCase *tc = tcase_create("api");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, public_index_needs_no_credential);
  tcase_add_test(tc, unknown_path_is_404_json);
  tcase_add_test(tc, error_quoting_bytes_not_utf8_is_json);
  tcase_add_test(tc, wrong_method_is_405);
  tcase_add_test(tc, paths_match_whole_segments);
  tcase_add_test(tc, editor_route_401_403_200);
  tcase_add_test(tc, tampered_token_is_401);
  tcase_add_test(tc, admin_creates_member_token_works);
  tcase_add_loop_test(tc, bad_bodies_get_400_with_reason, 0, G_N_ELEMENTS(bad_bodies));
  tcase_add_test(tc, openapi_documents_every_route_and_no_other);
  tcase_add_test(tc, reads_carry_etag_and_revalidate);
  tcase_add_test(tc, markup_is_escaped_in_json);
  tcase_add_test(tc, http_dates_round_trip);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(api_suite)
