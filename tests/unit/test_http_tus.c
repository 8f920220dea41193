/* Tests for src/http/http_tus.c: Upload-Length/Offset numbers, Upload-Metadata pairs and their
 * limits, and the PATCH rules (offset match, content type, length). */
#include "testutil.h"
#include "http/http_tus.h"

#include <errno.h>
#include <string.h>

START_TEST(numbers)
{
  guint64 v = 9;
  ck_assert_int_eq(http_tus_parse_uint("0", &v), 0);
  ck_assert_uint_eq(v, 0);
  ck_assert_int_eq(http_tus_parse_uint("1048576", &v), 0);
  ck_assert_uint_eq(v, 1048576);
  ck_assert_int_eq(http_tus_parse_uint("999999999999999999", &v), 0);
  const char *bad[] = {"", "-1", "+1", " 1", "1 ", "1e6", "0x10", "1.0", "9999999999999999999", NULL};
  for (int i = 0; bad[i]; i++)
    ck_assert_msg(http_tus_parse_uint(bad[i], &v) == -EINVAL, "%s", bad[i]);
  ck_assert_int_eq(http_tus_parse_uint(NULL, &v), -EINVAL);
}
END_TEST

START_TEST(metadata)
{
  GHashTable *t = NULL;
  /* filename "视频.mp4", submission "abc", is_confidential with no value */
  ck_assert_int_eq(http_tus_parse_metadata("filename 6KeG6aKRLm1wNA==,submission YWJj,is_confidential", &t), 0);
  ck_assert_str_eq(g_hash_table_lookup(t, "filename"), "视频.mp4");
  ck_assert_str_eq(g_hash_table_lookup(t, "submission"), "abc");
  ck_assert_str_eq(g_hash_table_lookup(t, "is_confidential"), "");
  g_hash_table_unref(t);
  ck_assert_int_eq(http_tus_parse_metadata(NULL, &t), 0);
  ck_assert_int_eq(g_hash_table_size(t), 0);
  g_hash_table_unref(t);
  ck_assert_int_eq(http_tus_parse_metadata("a YWJj, b YWJj", &t), 0); /* a space after the comma */
  g_hash_table_unref(t);
  const char *bad[] = {"a YWJj,a YWJj", "a YWJ", "a Y*Jj", "a YWJj,", ",a YWJj", "a YWJj,,b YWJj", "a AA==AA==",
                       "a AAA=", /* a NUL byte */ "a /w==", /* not UTF-8 */ "k\x01 YWJj", NULL};
  for (int i = 0; bad[i]; i++) {
    t = NULL;
    ck_assert_msg(http_tus_parse_metadata(bad[i], &t) == -EINVAL, "%s", bad[i]);
    ck_assert_ptr_null(t);
  }
  GString *many = g_string_new(NULL);
  for (int i = 0; i < HTTP_TUS_METADATA_PAIRS + 1; i++)
    g_string_append_printf(many, "%sk%d YWJj", i ? "," : "", i);
  ck_assert_int_eq(http_tus_parse_metadata(many->str, &t), -E2BIG);
  g_string_free(many, TRUE);
  char big[HTTP_TUS_METADATA_VALUE_MAX + 3];
  memset(big, 'a', sizeof big);
  g_autofree char *enc = g_base64_encode((const guchar *)big, sizeof big);
  g_autofree char *hdr = g_strdup_printf("k %s", enc);
  ck_assert_int_eq(http_tus_parse_metadata(hdr, &t), -E2BIG);
}
END_TEST

START_TEST(patches)
{
  const char *ct = "application/offset+octet-stream";
  ck_assert_int_eq(http_tus_patch_status("0", ct, 0, 100, 50), 0);
  ck_assert_int_eq(http_tus_patch_status("50", ct, 50, 100, 50), 0);
  ck_assert_int_eq(http_tus_patch_status("100", ct, 100, 100, 0), 0);  /* done: nothing more */
  ck_assert_int_eq(http_tus_patch_status("0", ct, 50, 100, 50), 409);  /* a piece sent twice */
  ck_assert_int_eq(http_tus_patch_status("60", ct, 50, 100, 10), 409); /* a gap */
  ck_assert_int_eq(http_tus_patch_status("50", ct, 50, 100, 51), 413);
  ck_assert_int_eq(http_tus_patch_status("50", "application/octet-stream", 50, 100, 10), 415);
  ck_assert_int_eq(http_tus_patch_status("50", NULL, 50, 100, 10), 415);
  ck_assert_int_eq(http_tus_patch_status(NULL, ct, 50, 100, 10), 400);
  ck_assert_int_eq(http_tus_patch_status("-50", ct, 50, 100, 10), 400);
}
END_TEST

static Suite *http_tus_suite(void)
{
  Suite *s = suite_create("http_tus");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, numbers);
  tcase_add_test(tc, metadata);
  tcase_add_test(tc, patches);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(http_tus_suite)
