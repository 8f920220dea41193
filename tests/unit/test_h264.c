/* Tests for src/media/h264.c: SPS sizes (with cropping), profiles, avcC and Annex B framing. */
#include "media/h264.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

/* SPS units written by x264 (through ffmpeg) for these sizes and profiles. */
static const uint8_t sps_720p_high[] = {0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x83, 0x19, 0x60};
static const uint8_t sps_1080p_high[] = {0x67, 0x64, 0x00, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0xc0, 0x44, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xc8, 0x3c, 0x60, 0xc6, 0x58};
static const uint8_t sps_240p_baseline[] = {0x67, 0x42, 0xc0, 0x0d, 0xd9, 0x01, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42, 0xa4, 0x80};
static const uint8_t sps_480p_main[] = {0x67, 0x4d, 0x40, 0x1e, 0xec, 0xa0, 0x6c, 0x1e, 0xf3, 0x78, 0x08, 0x80, 0x00, 0x00, 0x03, 0x00, 0x80, 0x00, 0x00, 0x19, 0x07, 0x8b, 0x16, 0xcb};

START_TEST(sps_sizes_and_profiles)
{
  struct { const uint8_t *sps; size_t len; int w, h; const char *codecs; } cases[] = {
    {sps_720p_high, sizeof sps_720p_high, 1280, 720, "avc1.64001f"},
    {sps_1080p_high, sizeof sps_1080p_high, 1920, 1080, "avc1.640028"},
    {sps_240p_baseline, sizeof sps_240p_baseline, 320, 240, "avc1.42c00d"},
    {sps_480p_main, sizeof sps_480p_main, 854, 480, "avc1.4d401e"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    H264Info info;
    ck_assert_int_eq(h264_sps_parse(cases[i].sps, cases[i].len, &info), 0);
    ck_assert_int_eq(info.width, cases[i].w);
    ck_assert_int_eq(info.height, cases[i].h);
    char c[16];
    h264_codecs_string(&info, c, sizeof c);
    ck_assert_str_eq(c, cases[i].codecs);
  }
}
END_TEST

START_TEST(avcc_and_annexb)
{
  GByteArray *rec = g_byte_array_new();
  const uint8_t head[] = {1, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0, sizeof sps_720p_high};
  g_byte_array_append(rec, head, sizeof head);
  g_byte_array_append(rec, sps_720p_high, sizeof sps_720p_high);
  H264Info info;
  ck_assert_int_eq(h264_avcc_parse(rec->data, rec->len, &info), 0);
  ck_assert_int_eq(info.width, 1280);
  ck_assert_int_eq(h264_avcc_parse(rec->data, rec->len - 5, &info), -EBADMSG); /* truncated */
  rec->data[0] = 2;
  ck_assert_int_eq(h264_avcc_parse(rec->data, rec->len, &info), -EBADMSG);     /* version */
  g_byte_array_unref(rec);

  GByteArray *ab = g_byte_array_new();
  const uint8_t aud[] = {0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1};
  const uint8_t pps[] = {0, 0, 0, 1, 0x68, 0xeb, 0xe3, 0xcb};
  g_byte_array_append(ab, aud, sizeof aud);
  g_byte_array_append(ab, sps_1080p_high, sizeof sps_1080p_high);
  g_byte_array_append(ab, pps, sizeof pps);
  ck_assert_int_eq(h264_annexb_find_sps(ab->data, ab->len, &info), 0);
  ck_assert_int_eq(info.height, 1080);
  ck_assert_int_eq(h264_annexb_find_sps(pps, sizeof pps, &info), -ENOENT);
  g_byte_array_unref(ab);
}
END_TEST

START_TEST(hostile_sps_is_refused_not_crashed)
{
  H264Info info;
  const uint8_t pps[] = {0x68, 1, 2, 3, 4};
  ck_assert_int_eq(h264_sps_parse(pps, sizeof pps, &info), -EBADMSG);
  for (size_t n = 0; n < 6; n++) /* cut inside the size fields */
    ck_assert_int_eq(h264_sps_parse(sps_720p_high, n, &info), -EBADMSG);
  GRand *r = g_rand_new_with_seed(7);
  uint8_t buf[64];
  for (int round = 0; round < 20000; round++) {
    size_t len = g_rand_int_range(r, 1, sizeof buf);
    for (size_t i = 0; i < len; i++)
      buf[i] = (uint8_t)g_rand_int(r);
    buf[0] = 0x67;
    int rc = h264_sps_parse(buf, len, &info);
    ck_assert(rc == 0 || rc == -EBADMSG);
    if (rc == 0)
      ck_assert(info.width > 0 && info.height > 0 && info.width <= 16384 && info.height <= 32768);
  }
  g_rand_free(r);
}
END_TEST

static Suite *h264_suite(void)
{
  Suite *s = suite_create("h264");
  TCase *tc = tcase_create("h264");
  tcase_add_test(tc, sps_sizes_and_profiles);
  tcase_add_test(tc, avcc_and_annexb);
  tcase_add_test(tc, hostile_sps_is_refused_not_crashed);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(h264_suite)
