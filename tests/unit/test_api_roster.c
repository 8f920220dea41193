/* Tests for src/http/api_roster.c: only admins import; the body must be CSV; the report. */
#include "api_fixture.h"

#include <check.h>

static int post(const char *auth, const char *type, const char *body, char **out)
{
  ApiReq r = { .method = "POST", .path = "/api/v1/members/roster", .auth = auth, .body = body,
               .content_type = type };
  int status = api_send(&r);
  if (out)
    *out = g_steal_pointer(&r.out);
  api_req_clear(&r);
  return status;
}

START_TEST(admins_import_csv)
{
  const char *csv = "member_number,name,unit\n1001,张三,一部\n1001,重复,\n";
  char *out = NULL;
  ck_assert_int_eq(post(editor_auth, "text/csv", csv, NULL), 403);
  ck_assert_int_eq(post(NULL, "text/csv", csv, NULL), 401);
  ck_assert_int_eq(post(admin_auth, "application/json", "{}", &out), 415);
  assert_error_shape(out, "unsupported_media_type");
  g_free(out);
  ck_assert_int_eq(post(admin_auth, "text/csv", "name\n", &out), 400);
  assert_error_shape(out, "invalid_roster");
  g_free(out);
  ck_assert_int_eq(post(admin_auth, "text/csv; charset=utf-8", csv, &out), 200);
  ck_assert_str_eq(out, "{\"added\":1,\"updated\":0,\"unchanged\":0,\"refused\":[{\"line\":3,"
                        "\"reason\":\"member_number 1001 is already on line 2\"}]}");
  g_free(out);
  ck_assert_int_eq(post(admin_auth, "text/csv", csv, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "\"unchanged\":1"));
  g_free(out);
  ck_assert_int_eq(call("GET", "/api/v1/audit", admin_auth, NULL, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "roster.import"));
  g_free(out);
}
END_TEST

static Suite *api_roster_suite(void)
{
  Suite *s = suite_create("api_roster");
  TCase *tc = tcase_create("api_roster");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, admins_import_csv);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(api_roster_suite)
