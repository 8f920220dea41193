/* Tests for src/http/api_fields.c: api_path_id, the id read from a path segment. */
#include "http/api_fields.h"
#include "testutil.h"

static bool path_id(const char *segment, gint64 *out)
{
  ApiCall call = { .params = { "video", segment } };
  return api_path_id(&call, 1, out);
}

START_TEST(path_id_takes_positive_decimal_ids)
{
  gint64 id = 0;
  ck_assert(path_id("1", &id));
  ck_assert_int_eq(id, 1);
  ck_assert(path_id("42", &id));
  ck_assert_int_eq(id, 42);
  ck_assert(path_id("9223372036854775807", &id));
  ck_assert_int_eq(id, G_MAXINT64);
}
END_TEST

START_TEST(path_id_refuses_what_names_nothing)
{
  static const char *const bad[] = { "", "0", "-1", "+5", " 5", "5 ", "5x", "0x10", "1.0",
                                     "9223372036854775808", "99999999999999999999", NULL };
  for (int i = 0; bad[i]; i++) {
    gint64 id = 7;
    ck_assert_msg(!path_id(bad[i], &id), "took \"%s\"", bad[i]);
    ck_assert_int_eq(id, 7);
  }
  gint64 id = 7;
  ck_assert(!path_id(NULL, &id));
  ApiCall call = { .params = { "3" } };
  ck_assert(!api_path_id(&call, API_MAX_PARAMS, &id));
  ck_assert(!api_path_id(&call, -1, &id));
  ck_assert(api_path_id(&call, 0, &id));
  ck_assert_int_eq(id, 3);
}
END_TEST

static Suite *api_fields_suite(void)
{
  Suite *s = suite_create("api_fields");
  TCase *tc = tcase_create("path_id");
  tcase_add_test(tc, path_id_takes_positive_decimal_ids);
  tcase_add_test(tc, path_id_refuses_what_names_nothing);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(api_fields_suite)
