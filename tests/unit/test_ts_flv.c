/* Tests for src/srt/ts_flv.c: a real ffmpeg MPEG-TS, demuxed and turned into FLV tags, teaches
 * media/flv the same shape an RTMP publish of it would (AVC header, size, keyframes, AAC,
 * frame rate); the 33-bit wrap; several ADTS frames in one PES; video before a keyframe. */
#include "media/flv.h"
#include "srt/ts_demux.h"
#include "srt/ts_flv.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static GBytes *make_ts(void)
{
  char *dir = tu_tmpdir();
  char *out = g_build_filename(dir, "in.ts", NULL);
  const char *argv[] = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=320x240:rate=30:duration=3", "-f", "lavfi", "-i", "sine=f=440:duration=3",
                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-f", "mpegts", out, NULL};
  int status = -1;
  gchar *data = NULL;
  gsize len = 0;
  GBytes *b = NULL;
  if (g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL) &&
      g_spawn_check_wait_status(status, NULL) && g_file_get_contents(out, &data, &len, NULL))
    b = g_bytes_new_take(data, len);
  g_free(out);
  tu_rmtree(dir);
  g_free(dir);
  return b;
}

typedef struct {
  FlvInfo info;
  int video, audio, script, avc_headers, keyframes;
  uint32_t last_video_ts;
  uint32_t audio_ts[64];
  bool first_is_header;
} Tags;

static void on_tag(void *user, uint8_t type, uint32_t ts, const uint8_t *data, size_t len)
{
  Tags *t = user;
  ck_assert_int_eq(flv_learn(&t->info, type, ts, data, len, 0), 0);
  if (type == FLV_TAG_VIDEO) {
    if (!t->video && !t->avc_headers)
      t->first_is_header = data[1] == 0;
    if (data[1] == 0) {
      t->avc_headers++;
      return;
    }
    if (data[0] >> 4 == 1)
      t->keyframes++;
    ck_assert_uint_ge(ts, t->last_video_ts);
    t->last_video_ts = ts;
    t->video++;
    /* 4-byte lengths that add up to the tag */
    size_t off = 5;
    while (off + 4 <= len)
      off += 4 + ((size_t)data[off] << 24 | (size_t)data[off + 1] << 16 | (size_t)data[off + 2] << 8 | data[off + 3]);
    ck_assert_uint_eq(off, len);
  } else if (type == FLV_TAG_AUDIO) {
    if (data[1] == 1 && t->audio < 64)
      t->audio_ts[t->audio++] = ts;
  } else {
    t->script++;
  }
}

static void to_flv(void *user, const TsUnit *u)
{
  ts_flv_unit(user, u);
}

START_TEST(a_real_stream_reads_as_its_flv)
{
  GBytes *ts = make_ts();
  if (!ts) {
    fprintf(stderr, "# SKIP: ffmpeg with libx264 is not available\n");
    return;
  }
  Tags t = {0};
  TsFlv tf;
  ts_flv_init(&tf, on_tag, &t);
  TsDemux *d = ts_demux_new(to_flv, &tf);
  gsize len;
  const uint8_t *p = g_bytes_get_data(ts, &len);
  ck_assert_int_eq(ts_demux_feed(d, p, len), 0);
  ts_demux_flush(d);
  ck_assert(t.first_is_header);
  ck_assert_int_eq(t.avc_headers, 1);          /* the same SPS/PPS with every keyframe: sent once */
  ck_assert_int_eq(t.video, 90);
  ck_assert_int_eq(t.keyframes, 3);
  ck_assert(t.info.have_avc);
  ck_assert_int_eq(t.info.src.width, 320);
  ck_assert_int_eq(t.info.src.height, 240);
  ck_assert_uint_eq(flv_gop_ms(&t.info), 1000);
  ck_assert(t.info.have_audio && t.info.audio_is_aac);
  ck_assert_str_eq(t.info.audio_codecs, "mp4a.40.2");
  ck_assert_int_eq(t.script, 1);
  ck_assert(t.info.meta_fps > 29.99 && t.info.meta_fps < 30.01);
  ck_assert_uint_le(t.last_video_ts, 3000);
  ck_assert_uint_ge(t.last_video_ts, 2900);
  ts_demux_free(&d);
  ts_flv_clear(&tf);
  g_bytes_unref(ts);
}
END_TEST

/* An access unit: AUD, SPS, PPS, then an IDR slice (KEY) or a non-IDR one. */
static GByteArray *access_unit(bool key)
{
  static const uint8_t aud[] = {0, 0, 0, 1, 0x09, 0xf0};
  /* SPS of a 320x240 baseline stream (from x264) */
  static const uint8_t sps[] = {0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x0d, 0xd9, 0x01, 0x41, 0xfb, 0x01, 0x10, 0x00,
                                0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x42, 0xa4, 0x80};
  static const uint8_t pps[] = {0, 0, 1, 0x68, 0xcb, 0x83, 0xcb, 0x20};
  static const uint8_t idr[] = {0, 0, 1, 0x65, 0x88, 0x84, 0x00, 0x33};
  static const uint8_t non[] = {0, 0, 1, 0x41, 0x9a, 0x21, 0x6c};
  GByteArray *b = g_byte_array_new();
  g_byte_array_append(b, aud, sizeof aud);
  g_byte_array_append(b, sps, sizeof sps);
  g_byte_array_append(b, pps, sizeof pps);
  if (key)
    g_byte_array_append(b, idr, sizeof idr);
  else
    g_byte_array_append(b, non, sizeof non);
  return b;
}

START_TEST(time_wraps_and_waits_for_a_keyframe)
{
  Tags t = {0};
  TsFlv tf;
  ts_flv_init(&tf, on_tag, &t);
  int64_t wrap = INT64_C(1) << 33;
  GByteArray *delta = access_unit(false), *key = access_unit(true);
  TsUnit u = {TS_H264, wrap - 6000, wrap - 6000, delta->data, delta->len};
  ck_assert_int_eq(ts_flv_unit(&tf, &u), 0);
  ck_assert_int_eq(t.video, 0); /* no keyframe yet: nothing a decoder could start from */
  ck_assert_int_eq(t.avc_headers, 1);
  u = (TsUnit){TS_H264, wrap - 3000, wrap - 3000, key->data, key->len};
  ts_flv_unit(&tf, &u);
  ck_assert_int_eq(t.video, 1);
  ck_assert_uint_eq(t.last_video_ts, 33);
  /* past the 33-bit wrap: time goes on */
  u = (TsUnit){TS_H264, 3000 + 6000, 3000, delta->data, delta->len};
  ts_flv_unit(&tf, &u);
  ck_assert_int_eq(t.video, 2);
  ck_assert_uint_eq(t.last_video_ts, 100);
  ck_assert_int_eq(t.avc_headers, 1);
  TsUnit bad = {TS_H264, 9000, 9000, (const uint8_t *)"\x01\x02\x03", 3};
  ck_assert_int_eq(ts_flv_unit(&tf, &bad), -EBADMSG);
  g_byte_array_unref(delta);
  g_byte_array_unref(key);
  ts_flv_clear(&tf);
}
END_TEST

START_TEST(several_adts_frames_in_one_pes)
{
  Tags t = {0};
  TsFlv tf;
  ts_flv_init(&tf, on_tag, &t);
  /* Two ADTS frames (AAC-LC, 48 kHz, stereo, no CRC), 10 bytes each. */
  uint8_t pes[20];
  for (int i = 0; i < 2; i++) {
    uint8_t *h = pes + 10 * i;
    size_t flen = 10;
    h[0] = 0xff;
    h[1] = 0xf1;
    h[2] = (uint8_t)(1 << 6 | 3 << 2 | 0); /* profile LC (1 = object 2), rate index 3 */
    h[3] = (uint8_t)(2 << 6 | (flen >> 11 & 3));
    h[4] = (uint8_t)(flen >> 3);
    h[5] = (uint8_t)((flen & 7) << 5 | 0x1f);
    h[6] = 0xfc;
    h[7] = h[8] = h[9] = 0x21;
  }
  TsUnit u = {TS_AAC, 90000, 90000, pes, sizeof pes};
  ck_assert_int_eq(ts_flv_unit(&tf, &u), 0);
  ck_assert_int_eq(t.audio, 2);
  ck_assert_uint_eq(t.audio_ts[0], 0);
  ck_assert_uint_eq(t.audio_ts[1], 21); /* 1024 samples at 48 kHz */
  ck_assert(t.info.have_audio && t.info.audio_is_aac);
  TsUnit bad = {TS_AAC, 90000, 90000, pes + 1, 15};
  ck_assert_int_eq(ts_flv_unit(&tf, &bad), -EBADMSG);
  ts_flv_clear(&tf);
}
END_TEST

static Suite *ts_flv_suite(void)
{
  Suite *s = suite_create("ts_flv");
  TCase *tc = tcase_create("ts_flv");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, a_real_stream_reads_as_its_flv);
  tcase_add_test(tc, time_wraps_and_waits_for_a_keyframe);
  tcase_add_test(tc, several_adts_frames_in_one_pes);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(ts_flv_suite)
