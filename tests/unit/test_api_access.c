/* Tests for src/http/api_access.txt, the API's access matrix: it has one row for every route
 * of the real route table (api_routes, and the streamed POST /api/v1/uploads) and no other;
 * every route and method, called through the real dispatcher (api_handle) as each role,
 * answers as its row says; docs/access.md shows the same table. */
#include "access_table.h"
#include "api_fixture.h"
#include "http/api_uploads.h"

#define TABLE "src/http/api_access.txt"

/* The roles, in the table's column order; each a credential (NULL: none sent). */
enum { ANONYMOUS, UNVERIFIED, VERIFIED, DISQUALIFIED, EDITOR, ADMIN, DISABLED, N_ROLES };
static const char *const role_names[N_ROLES] = {
  "anonymous", "unverified", "verified", "disqualified", "editor", "admin", "disabled",
};
static char *auth[N_ROLES];
static GPtrArray *table;

/* A viewer's credential: verified or not, then FLAG (if not -1) set. */
static char *viewer(bool verified, int flag)
{
  Member *m = NULL;
  char *token = NULL;
  ck_assert_int_eq(auth_member_create(db, secret, "访问 member", ROLE_VIEWER, verified, &m, &token), 0);
  if (flag >= 0)
    ck_assert_int_eq(db_member_set_flag(db, m->id, (MemberFlag)flag, true), 0);
  member_free(&m);
  char *h = g_strconcat("Bearer ", token, NULL);
  g_free(token);
  return h;
}

static void access_setup(void)
{
  setup();
  auth[ANONYMOUS] = NULL;
  auth[UNVERIFIED] = viewer(false, -1);
  auth[VERIFIED] = g_strdup(viewer_auth);
  auth[DISQUALIFIED] = viewer(true, MEMBER_DISQUALIFIED);
  auth[EDITOR] = g_strdup(editor_auth);
  auth[ADMIN] = g_strdup(admin_auth);
  auth[DISABLED] = viewer(true, MEMBER_DISABLED);
  table = access_table_read(TABLE);
  char **header = table->pdata[0];
  ck_assert_msg(g_strv_length(header) == 2 + N_ROLES && !strcmp(header[0], "method") &&
                !strcmp(header[1], "path"), "%s: the header must be: method path <roles>", TABLE);
  for (int r = 0; r < N_ROLES; r++)
    ck_assert_int_eq(access_table_column(table, role_names[r]), 2 + r);
}

static void access_teardown(void)
{
  for (int r = 0; r < N_ROLES; r++)
    g_clear_pointer(&auth[r], g_free);
  g_ptr_array_unref(table);
  teardown();
}

/* "METHOD pattern" for every route the server has. */
static GPtrArray *server_routes(void)
{
  GPtrArray *routes = g_ptr_array_new_with_free_func(g_free);
  for (const ApiRoute *r = api_routes; r->method; r++)
    g_ptr_array_add(routes, g_strdup_printf("%s %s", r->method, r->pattern));
  g_ptr_array_add(routes, g_strdup("POST " API_UPLOAD_PATH)); /* streamed: http_upload.c */
  return routes;
}

/* The table's row for "METHOD pattern", or NULL. */
static char **row_for(const char *key)
{
  for (guint i = 1; i < table->len; i++) {
    char **row = table->pdata[i];
    g_autofree char *k = g_strdup_printf("%s %s", row[0], row[1]);
    if (!strcmp(k, key))
      return row;
  }
  return NULL;
}

START_TEST(every_route_has_one_row_and_every_row_a_route)
{
  GPtrArray *routes = server_routes();
  ck_assert_uint_ge(routes->len, 30);
  GString *bad = g_string_new(NULL);
  for (guint i = 0; i < routes->len; i++)
    if (!row_for(routes->pdata[i]))
      g_string_append_printf(bad, "\n  route %s has no row in " TABLE, (char *)routes->pdata[i]);
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 1; i < table->len; i++) {
    char **row = table->pdata[i];
    char *key = g_strdup_printf("%s %s", row[0], row[1]);
    bool known = false;
    for (guint j = 0; j < routes->len && !known; j++)
      known = !strcmp(routes->pdata[j], key);
    if (!known)
      g_string_append_printf(bad, "\n  row %s names no route of the server", key);
    if (!g_hash_table_add(seen, key))
      g_string_append_printf(bad, "\n  row %s appears twice", key);
    for (int r = 0; r < N_ROLES; r++) {
      const char *want = row[2 + r];
      if (strcmp(want, "ok") && strcmp(want, "401") && strcmp(want, "403"))
        g_string_append_printf(bad, "\n  row %s %s %s: %s is not ok, 401 or 403", row[0], row[1],
                               role_names[r], want);
    }
  }
  ck_assert_msg(bad->len == 0, "%s", bad->str);
  g_hash_table_unref(seen);
  g_string_free(bad, TRUE);
  g_ptr_array_unref(routes);
}
END_TEST

/* PATTERN with each {…} segment replaced by an id no resource has: a handler that runs
 * answers 400 or 404 and changes nothing. */
static char *concrete_path(const char *pattern)
{
  char **segs = g_strsplit(pattern, "/", -1);
  for (int i = 0; segs[i]; i++)
    if (segs[i][0] == '{') {
      g_free(segs[i]);
      segs[i] = g_strdup("accessnone");
    }
  char *path = g_strjoinv("/", segs);
  g_strfreev(segs);
  return path;
}

/* The status of METHOD PATTERN as AUTHORIZATION, its body in *BODY: through api_handle, or
 * for the upload through the check http_upload.c makes before it reads a byte of the body. */
static int answer(const char *method, const char *pattern, const char *authorization, char **body)
{
  char *path = concrete_path(pattern);
  int status;
  if (!strcmp(method, "POST") && !strcmp(pattern, API_UPLOAD_PATH)) {
    HttpResponse resp;
    http_response_init(&resp);
    HttpRequest req = { .method = method, .path = pattern, .authorization = authorization };
    status = api_upload_allowed(&ctx, &req, &resp) == 0 ? 202 /* the body is read now */
                                                         : resp.status;
    *body = g_strdup(resp.body ? resp.body->str : "");
    http_response_clear(&resp);
  } else {
    status = call(method, path, authorization, NULL, body);
  }
  g_free(path);
  return status;
}

/* The error code in BODY, or "". */
static char *error_code(const char *body)
{
  char *code = g_strdup("");
  JsonNode *n = body && body[0] ? json_from_string(body, NULL) : NULL;
  if (n && JSON_NODE_HOLDS_OBJECT(n) && json_object_has_member(json_node_get_object(n), "error")) {
    g_free(code);
    code = g_strdup(json_object_get_string_member(
        json_object_get_object_member(json_node_get_object(n), "error"), "code"));
  }
  if (n)
    json_node_unref(n);
  return code;
}

START_TEST(every_route_answers_every_role_as_its_row_says)
{
  GPtrArray *routes = server_routes();
  GString *bad = g_string_new(NULL);
  int calls = 0;
  for (guint i = 0; i < routes->len; i++) {
    char **row = row_for(routes->pdata[i]);
    if (!row) {
      g_string_append_printf(bad, "\n  %s: no row, so no answer is checked", (char *)routes->pdata[i]);
      continue;
    }
    for (int r = 0; r < N_ROLES; r++) {
      char *body = NULL;
      int status = answer(row[0], row[1], auth[r], &body);
      char *code = error_code(body);
      const char *want = row[2 + r];
      bool ok;
      if (!strcmp(want, "ok")) {
        ok = status != 401 && status != 403 && status != 405; /* not refused; the route matched */
      } else {
        ok = status == atoi(want) && !strcmp(code, status == 401 ? "unauthorized" : "forbidden");
        if (ok)
          assert_error_shape(body, code); /* a refusal says why, in the API's error shape */
      }
      if (!ok)
        g_string_append_printf(bad, "\n  %s %s as %s: %d %s, the table says %s", row[0], row[1],
                               role_names[r], status, code, want);
      g_free(code);
      g_free(body);
      calls++;
    }
  }
  ck_assert_int_ge(calls, 30 * N_ROLES);
  ck_assert_msg(bad->len == 0, "answers that differ from " TABLE ":%s", bad->str);
  g_string_free(bad, TRUE);
  g_ptr_array_unref(routes);
}
END_TEST

START_TEST(docs_show_the_table)
{
  GPtrArray *doc = access_table_from_doc(TABLE);
  access_table_assert_same(table, doc, TABLE);
  g_ptr_array_unref(doc);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("api_access");
  TCase *tc = tcase_create("matrix");
  tcase_add_checked_fixture(tc, access_setup, access_teardown);
  tcase_add_test(tc, every_route_has_one_row_and_every_row_a_route);
  tcase_add_test(tc, every_route_answers_every_role_as_its_row_says);
  tcase_add_test(tc, docs_show_the_table);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(suite)
