/* Tests for src/core/util.c: encodings, ids, constant-time compare, time format. */
#include "core/util.h"
#include "testutil.h"

#include <string.h>

START_TEST(base64url_has_no_padding_or_unsafe_chars)
{
  const guint8 data[] = { 0xfb, 0xff, 0xfe };
  char *s = util_base64url(data, sizeof data);
  ck_assert_str_eq(s, "-__-");
  g_free(s);
  const guint8 one[] = { 'a' };
  s = util_base64url(one, 1);
  ck_assert_str_eq(s, "YQ");
  g_free(s);
}
END_TEST

START_TEST(random_ids_are_url_safe_and_distinct)
{
  char *a = util_random_id(9), *b = util_random_id(9);
  ck_assert_uint_eq(strlen(a), 12);
  ck_assert_str_ne(a, b);
  for (const char *p = a; *p; p++)
    ck_assert(g_ascii_isalnum(*p) || *p == '-' || *p == '_');
  g_free(a);
  g_free(b);
  /* Never a leading '-' or '_' (an id must not read as a command-line option); with one
   * in 32 ids starting so if unguarded, 2000 ids would show it. */
  for (int i = 0; i < 2000; i++) {
    char *id = util_random_id(8);
    ck_assert_msg(g_ascii_isalnum(id[0]), "id %s", id);
    g_free(id);
  }
}
END_TEST

START_TEST(hex_and_compare)
{
  const guint8 d[] = { 0x00, 0xab, 0x7f };
  char *h = util_hex(d, 3);
  ck_assert_str_eq(h, "00ab7f");
  g_free(h);
  ck_assert(util_const_eq("abc", "abc", 3));
  ck_assert(!util_const_eq("abc", "abd", 3));
  ck_assert(util_const_eq("x", "y", 0));
}
END_TEST

START_TEST(iso8601_is_utc)
{
  char *s = util_iso8601(0);
  ck_assert_str_eq(s, "1970-01-01T00:00:00Z");
  g_free(s);
  s = util_iso8601(1795000000);
  ck_assert_str_eq(s, "2026-11-18T11:06:40Z");
  g_free(s);
}
END_TEST

static Suite *util_suite(void)
{
  Suite *s = suite_create("util");
  TCase *tc = tcase_create("util");
  tcase_add_test(tc, base64url_has_no_padding_or_unsafe_chars);
  tcase_add_test(tc, random_ids_are_url_safe_and_distinct);
  tcase_add_test(tc, hex_and_compare);
  tcase_add_test(tc, iso8601_is_utc);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(util_suite)
