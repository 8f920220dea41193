/* Tests for src/rtmp/rtmp_handshake.c: plain and digest handshakes, split input, bad version. */
#include "rtmp/rtmp_handshake.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

/* Runs the server over C0+C1 (fed in pieces of STEP bytes) and C2; returns S0S1S2. */
static GByteArray *run(GByteArray *c0c1, size_t step, RtmpHandshake *hs, int *final_rc)
{
  GByteArray *out = g_byte_array_new();
  GByteArray *in = g_byte_array_new();
  rtmp_handshake_init(hs);
  size_t fed = 0;
  int rc = -EAGAIN;
  while (fed < c0c1->len) {
    size_t n = MIN(step, c0c1->len - fed);
    g_byte_array_append(in, c0c1->data + fed, (guint)n);
    fed += n;
    size_t used = 0;
    rc = rtmp_handshake_server_feed(hs, in->data, in->len, &used, out);
    g_byte_array_remove_range(in, 0, (guint)used);
    if (fed < c0c1->len)
      ck_assert_int_eq(rc, -EAGAIN);
  }
  ck_assert_int_eq(rc, -EAGAIN); /* C2 still missing */
  ck_assert_int_eq(in->len, 0);
  /* C2 (the echo of S1) plus two bytes of the chunk stream that must not be consumed. */
  g_byte_array_append(in, out->data + 1, RTMP_HANDSHAKE_SIZE);
  uint8_t extra[2] = {0x03, 0x00};
  g_byte_array_append(in, extra, 2);
  size_t used = 0;
  *final_rc = rtmp_handshake_server_feed(hs, in->data, in->len, &used, out);
  ck_assert_uint_eq(used, RTMP_HANDSHAKE_SIZE);
  g_byte_array_unref(in);
  return out;
}

START_TEST(plain_handshake_echoes_c1)
{
  GByteArray *c = g_byte_array_new();
  rtmp_handshake_client_c0c1(c, false);
  RtmpHandshake hs;
  int rc;
  GByteArray *s = run(c, 100, &hs, &rc);
  ck_assert_int_eq(rc, 0);
  ck_assert_int_eq(hs.state, RTMP_HS_DONE);
  ck_assert(!hs.digest);
  ck_assert_uint_eq(s->len, 1 + 2 * RTMP_HANDSHAKE_SIZE);
  ck_assert_int_eq(rtmp_handshake_client_check(c->data + 1, s->data, false), 0);
  g_byte_array_unref(c);
  g_byte_array_unref(s);
}
END_TEST

START_TEST(digest_handshake_signs_s1_and_s2)
{
  for (int round = 0; round < 20; round++) {
    GByteArray *c = g_byte_array_new();
    rtmp_handshake_client_c0c1(c, true);
    RtmpHandshake hs;
    int rc;
    GByteArray *s = run(c, round % 2 ? 1537 : 7, &hs, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert(hs.digest);
    ck_assert_int_eq(rtmp_handshake_client_check(c->data + 1, s->data, true), 0);
    /* A flipped byte in S2's signed part must fail the check. */
    s->data[1 + RTMP_HANDSHAKE_SIZE + 10] ^= 1;
    ck_assert_int_eq(rtmp_handshake_client_check(c->data + 1, s->data, true), -EBADMSG);
    g_byte_array_unref(c);
    g_byte_array_unref(s);
  }
}
END_TEST

START_TEST(digest_in_second_scheme_is_found)
{
  /* A C1 whose digest sits at the key-first (772) offset, as some encoders send. */
  GByteArray *c = g_byte_array_new();
  rtmp_handshake_client_c0c1(c, false);
  uint8_t *c1 = c->data + 1;
  c1[4] = 9; /* non-zero version: digest expected */
  size_t off = rtmp_handshake_digest_offset(c1, 772);
  GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, (const guchar *)"Genuine Adobe Flash Player 001", 30);
  g_hmac_update(h, c1, off);
  g_hmac_update(h, c1 + off + 32, RTMP_HANDSHAKE_SIZE - off - 32);
  gsize n = 32;
  g_hmac_get_digest(h, c1 + off, &n);
  g_hmac_unref(h);
  RtmpHandshake hs;
  int rc;
  GByteArray *s = run(c, 4096, &hs, &rc);
  ck_assert_int_eq(rc, 0);
  ck_assert(hs.digest);
  g_byte_array_unref(c);
  g_byte_array_unref(s);
}
END_TEST

START_TEST(version_with_bad_digest_falls_back_to_plain)
{
  GByteArray *c = g_byte_array_new();
  rtmp_handshake_client_c0c1(c, false);
  c->data[1 + 5] = 1; /* claims a version, carries no digest */
  RtmpHandshake hs;
  int rc;
  GByteArray *s = run(c, 4096, &hs, &rc);
  ck_assert_int_eq(rc, 0);
  ck_assert(!hs.digest);
  ck_assert_int_eq(rtmp_handshake_client_check(c->data + 1, s->data, false), 0);
  g_byte_array_unref(c);
  g_byte_array_unref(s);
}
END_TEST

START_TEST(wrong_version_is_refused_at_once)
{
  RtmpHandshake hs;
  rtmp_handshake_init(&hs);
  GByteArray *out = g_byte_array_new();
  const uint8_t http[] = "GET / HTTP/1.1\r\n";
  size_t used = 0;
  ck_assert_int_eq(rtmp_handshake_server_feed(&hs, http, sizeof http - 1, &used, out), -EPROTO);
  ck_assert_int_eq(out->len, 0);
  const uint8_t six = 6; /* RTMPE */
  ck_assert_int_eq(rtmp_handshake_server_feed(&hs, &six, 1, &used, out), -EPROTO);
  g_byte_array_unref(out);
}
END_TEST

static Suite *handshake_suite(void)
{
  Suite *s = suite_create("rtmp_handshake");
  TCase *tc = tcase_create("rtmp_handshake");
  tcase_add_test(tc, plain_handshake_echoes_c1);
  tcase_add_test(tc, digest_handshake_signs_s1_and_s2);
  tcase_add_test(tc, digest_in_second_scheme_is_found);
  tcase_add_test(tc, version_with_bad_digest_falls_back_to_plain);
  tcase_add_test(tc, wrong_version_is_refused_at_once);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(handshake_suite)
