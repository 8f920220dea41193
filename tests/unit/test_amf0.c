/* Tests for src/rtmp/amf0.c: known encodings, round trips, malformed and hostile input. */
#include "rtmp/amf0.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

/* connect(1, {app:"live", flashVer:"FMLE/3.0", tcUrl:..., fpad:false, capabilities:15,
 * videoCodecs:...}) as an encoder sends it. */
static GByteArray *connect_command(void)
{
  GByteArray *b = g_byte_array_new();
  amf0_put_string(b, "connect");
  amf0_put_number(b, 1);
  amf0_put_object_begin(b);
  amf0_put_prop_name(b, "app");
  amf0_put_string(b, "live");
  amf0_put_prop_name(b, "flashVer");
  amf0_put_string(b, "FMLE/3.0 (compatible; FMSc/1.0)");
  amf0_put_prop_name(b, "tcUrl");
  amf0_put_string(b, "rtmp://127.0.0.1:1935/live");
  amf0_put_prop_name(b, "fpad");
  amf0_put_boolean(b, false);
  amf0_put_prop_name(b, "capabilities");
  amf0_put_number(b, 15);
  amf0_put_prop_name(b, "nested");
  amf0_put_ecma_array_begin(b, 1);
  amf0_put_prop_name(b, "width");
  amf0_put_number(b, 1280);
  amf0_put_object_end(b);
  amf0_put_object_end(b);
  amf0_put_null(b);
  return b;
}

START_TEST(number_has_known_bytes)
{
  GByteArray *b = g_byte_array_new();
  amf0_put_number(b, 1.0);
  const uint8_t expect[] = { 0x00, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0 };
  ck_assert_uint_eq(b->len, sizeof expect);
  ck_assert(memcmp(b->data, expect, sizeof expect) == 0);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(string_has_known_bytes)
{
  GByteArray *b = g_byte_array_new();
  amf0_put_string(b, "live");
  const uint8_t expect[] = { 0x02, 0x00, 0x04, 'l', 'i', 'v', 'e' };
  ck_assert_uint_eq(b->len, sizeof expect);
  ck_assert(memcmp(b->data, expect, sizeof expect) == 0);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(connect_round_trips)
{
  GByteArray *b = connect_command();
  GPtrArray *vals = NULL;
  ck_assert_int_eq(amf0_decode_all(b->data, b->len, &vals), 0);
  ck_assert_uint_eq(vals->len, 4);
  ck_assert_str_eq(amf0_string(vals->pdata[0]), "connect");
  ck_assert(amf0_number(vals->pdata[1], -1) == 1.0);
  const Amf0Value *obj = vals->pdata[2];
  ck_assert_str_eq(amf0_string(amf0_get(obj, "app")), "live");
  ck_assert_str_eq(amf0_string(amf0_get(obj, "tcUrl")), "rtmp://127.0.0.1:1935/live");
  ck_assert(amf0_number(amf0_get(obj, "capabilities"), 0) == 15);
  ck_assert(amf0_get(obj, "fpad")->boolean == false);
  ck_assert(amf0_number(amf0_get(amf0_get(obj, "nested"), "width"), 0) == 1280);
  ck_assert_ptr_null(amf0_get(obj, "missing"));
  ck_assert_int_eq(((Amf0Value *)vals->pdata[3])->type, AMF0_NULL);

  GByteArray *again = g_byte_array_new();
  for (guint i = 0; i < vals->len; i++)
    amf0_put_value(again, vals->pdata[i]);
  ck_assert_uint_eq(again->len, b->len);
  ck_assert(memcmp(again->data, b->data, b->len) == 0);
  g_byte_array_unref(again);
  g_ptr_array_unref(vals);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(every_truncation_is_an_error_not_a_crash)
{
  GByteArray *b = connect_command();
  /* Cut just before the trailing null so every prefix ends mid-value. */
  size_t whole = b->len - 1;
  for (size_t cut = 1; cut < whole; cut++) {
    GPtrArray *vals = NULL;
    int ret = amf0_decode_all(b->data, cut, &vals);
    /* A cut that falls between top-level values is a valid shorter list. */
    if (ret == 0) {
      g_ptr_array_unref(vals);
      continue;
    }
    ck_assert_msg(ret == -EBADMSG, "cut at %zu gave %d", cut, ret);
    ck_assert_ptr_null(vals);
  }
  g_byte_array_unref(b);
}
END_TEST

START_TEST(long_strings_switch_type_and_round_trip)
{
  char *big = g_strnfill(70000, 'x');
  GByteArray *b = g_byte_array_new();
  amf0_put_string(b, big);
  ck_assert_int_eq(b->data[0], AMF0_LONG_STRING);
  Amf0Value *v = NULL;
  size_t used = 0;
  ck_assert_int_eq(amf0_decode(b->data, b->len, &used, &v), 0);
  ck_assert_uint_eq(used, b->len);
  ck_assert_uint_eq(v->len, 70000);
  amf0_free(&v);
  ck_assert_ptr_null(v);
  g_byte_array_unref(b);
  g_free(big);
}
END_TEST

START_TEST(limits_have_their_own_error)
{
  /* Nesting deeper than AMF0_MAX_DEPTH. */
  GByteArray *b = g_byte_array_new();
  for (int i = 0; i < AMF0_MAX_DEPTH + 2; i++) {
    amf0_put_object_begin(b);
    amf0_put_prop_name(b, "a");
  }
  amf0_put_null(b);
  for (int i = 0; i < AMF0_MAX_DEPTH + 2; i++)
    amf0_put_object_end(b);
  Amf0Value *v = NULL;
  size_t used;
  ck_assert_int_eq(amf0_decode(b->data, b->len, &used, &v), -E2BIG);
  g_byte_array_set_size(b, 0);

  /* A strict array claiming a million elements. */
  const uint8_t huge_array[] = { AMF0_STRICT_ARRAY, 0x00, 0x0f, 0x42, 0x40 };
  ck_assert_int_eq(amf0_decode(huge_array, sizeof huge_array, &used, &v), -E2BIG);
  /* A long string claiming 2 GiB. */
  const uint8_t huge_string[] = { AMF0_LONG_STRING, 0x80, 0x00, 0x00, 0x00, 'x' };
  ck_assert_int_eq(amf0_decode(huge_string, sizeof huge_string, &used, &v), -E2BIG);

  /* An object with more than AMF0_MAX_ITEMS properties. */
  amf0_put_object_begin(b);
  for (int i = 0; i <= AMF0_MAX_ITEMS; i++) {
    amf0_put_prop_name(b, "k");
    amf0_put_null(b);
  }
  amf0_put_object_end(b);
  ck_assert_int_eq(amf0_decode(b->data, b->len, &used, &v), -E2BIG);
  ck_assert_ptr_null(v);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(unsupported_and_stray_markers)
{
  Amf0Value *v = NULL;
  size_t used;
  const uint8_t amf3_switch[] = { 0x11, 0x00 };
  ck_assert_int_eq(amf0_decode(amf3_switch, sizeof amf3_switch, &used, &v), -ENOTSUP);
  const uint8_t reference[] = { 0x07, 0x00, 0x01 };
  ck_assert_int_eq(amf0_decode(reference, sizeof reference, &used, &v), -ENOTSUP);
  const uint8_t stray_end[] = { AMF0_OBJECT_END };
  ck_assert_int_eq(amf0_decode(stray_end, sizeof stray_end, &used, &v), -EBADMSG);
  ck_assert_int_eq(amf0_decode(stray_end, 0, &used, &v), -EBADMSG);
  ck_assert_ptr_null(v);
}
END_TEST

START_TEST(ecma_array_count_is_only_a_hint)
{
  GByteArray *b = g_byte_array_new();
  amf0_put_ecma_array_begin(b, 99); /* wrong on purpose, as some encoders send */
  amf0_put_prop_name(b, "duration");
  amf0_put_number(b, 20);
  amf0_put_prop_name(b, "videocodecid");
  amf0_put_number(b, 7);
  amf0_put_object_end(b);
  Amf0Value *v = NULL;
  size_t used;
  ck_assert_int_eq(amf0_decode(b->data, b->len, &used, &v), 0);
  ck_assert_uint_eq(v->items->len, 2);
  ck_assert(amf0_number(amf0_get(v, "videocodecid"), 0) == 7);
  amf0_free(&v);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(random_bytes_never_crash)
{
  GRand *rand = g_rand_new_with_seed(1935);
  uint8_t buf[256];
  for (int round = 0; round < 20000; round++) {
    size_t len = (size_t)g_rand_int_range(rand, 0, sizeof buf);
    for (size_t i = 0; i < len; i++)
      buf[i] = (uint8_t)g_rand_int_range(rand, 0, 16); /* mostly valid markers */
    GPtrArray *vals = NULL;
    int ret = amf0_decode_all(buf, len, &vals);
    ck_assert(ret == 0 || ret == -EBADMSG || ret == -E2BIG || ret == -ENOTSUP);
    if (vals)
      g_ptr_array_unref(vals);
  }
  g_rand_free(rand);
}
END_TEST

static Suite *amf0_suite(void)
{
  Suite *s = suite_create("amf0");
  TCase *tc = tcase_create("amf0");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, number_has_known_bytes);
  tcase_add_test(tc, string_has_known_bytes);
  tcase_add_test(tc, connect_round_trips);
  tcase_add_test(tc, every_truncation_is_an_error_not_a_crash);
  tcase_add_test(tc, long_strings_switch_type_and_round_trip);
  tcase_add_test(tc, limits_have_their_own_error);
  tcase_add_test(tc, unsupported_and_stray_markers);
  tcase_add_test(tc, ecma_array_count_is_only_a_hint);
  tcase_add_test(tc, random_bytes_never_crash);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(amf0_suite)
