/* Tests for src/http/api_privacy.c: a member's own export, an admin's export (audited) and
 * erasure (audited once, idempotent, the credential refused afterwards). */
#include "api_fixture.h"
#include "db/db_privacy.h"

#include <string.h>

static gint64 audit_count(const char *action)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM audit_log WHERE action = ?1");
  sqlite3_bind_text(st, 1, action, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  gint64 n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

/* The member id inside a "Bearer lct1.<id>.<secret>" header. */
static char *id_of(const char *auth)
{
  char **parts = g_strsplit(auth + strlen("Bearer "), ".", 3);
  char *id = g_strdup(parts[1]);
  g_strfreev(parts);
  return id;
}

START_TEST(own_export_is_a_file_of_ones_own_data)
{
  ApiReq r = { .method = "GET", .path = "/api/v1/me/data", .auth = viewer_auth };
  ck_assert_int_eq(api_send(&r), 200);
  g_autofree char *id = id_of(viewer_auth);
  JsonNode *n = json_from_string(r.out, NULL);
  JsonObject *o = json_node_get_object(n);
  ck_assert_str_eq(json_object_get_string_member(o, "member_id"), id);
  ck_assert_str_eq(json_object_get_string_member(json_object_get_object_member(o, "profile"), "role"), "viewer");
  ck_assert_ptr_nonnull(strstr(g_hash_table_lookup(r.headers, "content-disposition:"), "attachment"));
  ck_assert_ptr_null(strstr(r.out, "token_hash"));
  json_node_unref(n);
  api_req_clear(&r);
  ck_assert_int_eq(call("GET", "/api/v1/me/data", NULL, NULL, NULL), 401);
  ck_assert_int_eq(audit_count("member.export"), 0); /* one's own data: nothing to record */
}
END_TEST

static GString *ended;
static void record_end(void *user, const char *member)
{
  g_string_append_printf(user, "%s;", member);
}

START_TEST(admin_exports_and_erases)
{
  ended = g_string_new("");
  ctx.end_member = record_end;
  ctx.end_member_user = ended;
  g_autofree char *viewer = id_of(viewer_auth), *admin = id_of(admin_auth);
  g_autofree char *data = g_strdup_printf("/api/v1/members/%s/data", viewer);
  g_autofree char *erase = g_strdup_printf("/api/v1/members/%s/erase", viewer);
  char *out = NULL;
  ck_assert_int_eq(call("GET", data, editor_auth, NULL, NULL), 403);
  ck_assert_int_eq(call("POST", erase, editor_auth, NULL, NULL), 403);
  ck_assert_int_eq(call("GET", "/api/v1/members/nobody/data", admin_auth, NULL, NULL), 404);
  ck_assert_int_eq(call("POST", "/api/v1/members/nobody/erase", admin_auth, NULL, NULL), 404);
  ck_assert_int_eq(audit_count("member.export"), 0);
  ck_assert_int_eq(call("GET", data, admin_auth, NULL, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, viewer));
  g_free(out);
  ck_assert_int_eq(audit_count("member.export"), 1);

  g_autofree char *self = g_strdup_printf("/api/v1/members/%s/erase", admin);
  ck_assert_int_eq(call("POST", self, admin_auth, NULL, &out), 409);
  assert_error_shape(out, "self");
  g_free(out);

  ck_assert_int_eq(call("POST", erase, admin_auth, NULL, &out), 200);
  JsonNode *n = json_from_string(out, NULL);
  ck_assert(!json_object_get_boolean_member(json_node_get_object(n), "already_erased"));
  json_node_unref(n);
  g_free(out);
  ck_assert_int_eq(audit_count("member.erase"), 1);
  g_autofree char *want = g_strdup_printf("%s;", viewer);
  ck_assert_str_eq(ended->str, want); /* the member's /ws connections are ended */
  /* The credential is gone: the erased member is refused everywhere. */
  ck_assert_int_eq(call("GET", "/api/v1/me", viewer_auth, NULL, NULL), 401);
  ck_assert_int_eq(call("GET", "/api/v1/me/data", viewer_auth, NULL, NULL), 401);
  /* Again: the same answer, nothing recorded twice. */
  ck_assert_int_eq(call("POST", erase, admin_auth, NULL, &out), 200);
  n = json_from_string(out, NULL);
  ck_assert(json_object_get_boolean_member(json_node_get_object(n), "already_erased"));
  json_node_unref(n);
  g_free(out);
  ck_assert_int_eq(audit_count("member.erase"), 1);
  /* Nobody can give the id a life again; the list shows it erased. */
  g_autofree char *patch = g_strdup_printf("/api/v1/members/%s", viewer);
  ck_assert_int_eq(call("PATCH", patch, admin_auth, "{\"disabled\":false}", &out), 409);
  assert_error_shape(out, "erased");
  g_free(out);
  ck_assert_int_eq(call("GET", "/api/v1/members", admin_auth, NULL, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, DB_PRIVACY_PSEUDONYM));
  g_free(out);
  ck_assert_str_eq(ended->str, want); /* not again for the second erase */
  g_string_free(ended, TRUE);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("api_privacy");
  TCase *tc = tcase_create("api_privacy");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, own_export_is_a_file_of_ones_own_data);
  tcase_add_test(tc, admin_exports_and_erases);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(suite)
