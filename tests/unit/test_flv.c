/* Tests for src/media/flv.c: what FLV tags teach about a stream (AVC and AAC sequence headers,
 * keyframe timing, frame rate), tags written and read back, malformed tags refused. */
#include "media/flv.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

/* A 3 s FLV (320x240 H.264, a keyframe every second, AAC) made by ffmpeg, or NULL without it. */
static char *make_flv(const char *dir)
{
  char *out = g_build_filename(dir, "in.flv", NULL);
  const char *argv[] = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=320x240:rate=30:duration=3", "-f", "lavfi", "-i", "sine=f=440:duration=3",
                        "-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-f", "flv", out, NULL};
  int status = -1;
  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL) ||
      !g_spawn_check_wait_status(status, NULL)) {
    g_free(out);
    return NULL;
  }
  return out;
}

START_TEST(learns_a_real_stream)
{
  char *dir = tu_tmpdir();
  char *path = make_flv(dir);
  if (!path) {
    fprintf(stderr, "ffmpeg is missing: skipped\n");
    tu_rmtree(dir);
    g_free(dir);
    return;
  }
  char *buf = NULL;
  gsize len = 0;
  ck_assert(g_file_get_contents(path, &buf, &len, NULL));
  FlvInfo f = {0};
  size_t off = 0;
  FlvTag t;
  int tags = 0, rc;
  while ((rc = flv_read_tag((const uint8_t *)buf, len, &off, &t)) == 0) {
    ck_assert_int_eq(flv_learn(&f, t.type, t.ts, t.data, t.len, 1000 + tags), 0);
    tags++;
  }
  ck_assert_int_eq(rc, -EAGAIN);
  ck_assert_uint_eq(off, len);
  ck_assert_int_gt(tags, 90 + 100); /* 90 frames, ~140 AAC frames */
  ck_assert(f.have_avc);
  ck_assert_int_eq(f.src.width, 320);
  ck_assert_int_eq(f.src.height, 240);
  ck_assert(g_str_has_prefix(f.src_codecs, "avc1."));
  ck_assert(f.have_audio && f.audio_is_aac);
  ck_assert_str_eq(f.audio_codecs, "mp4a.40.2");
  ck_assert(f.have_first_ts);
  ck_assert_uint_eq(f.first_ts, 0);
  ck_assert_int_eq(f.first_wall_ms, 1000); /* the first tag's arrival, not a later one's */
  ck_assert_int_eq(f.keyframes, 3);
  ck_assert_uint_lt(f.first_kf_ts, 100); /* ffmpeg may start video a frame after audio */
  ck_assert_uint_eq(f.second_kf_ts, f.first_kf_ts + 1000);
  ck_assert_uint_eq(flv_gop_ms(&f), 1000);
  ck_assert_uint_ge(f.last_video_ts, f.first_kf_ts + 2900);
  ck_assert_uint_le(f.last_video_ts, f.first_kf_ts + 3000);
  ck_assert(f.meta_fps > 29.9 && f.meta_fps < 30.1);
  ck_assert(flv_shape_known(&f, 2000, 100, 1500));
  /* A reconnect learns again, keeping the frame rate. */
  flv_info_restart(&f);
  ck_assert(!f.have_avc && !f.have_audio && !f.have_first_ts && f.keyframes == 0);
  ck_assert_uint_eq(flv_gop_ms(&f), UINT32_MAX);
  ck_assert(!flv_shape_known(&f, 2000, 100, 1500));
  ck_assert(f.meta_fps > 29.9);
  g_free(buf);
  g_free(path);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

START_TEST(aac_sequence_headers)
{
  FlvInfo f = {0};
  const uint8_t he[] = {0xaf, 0x00, 0x2b, 0x92}; /* AAC, AudioSpecificConfig object type 5 (HE-AAC) */
  ck_assert_int_eq(flv_learn(&f, FLV_TAG_AUDIO, 0, he, sizeof he, 0), 0);
  ck_assert(f.have_audio && f.audio_is_aac);
  ck_assert_str_eq(f.audio_codecs, "mp4a.40.5");
  FlvInfo g = {0};
  const uint8_t lc[] = {0xaf, 0x00, 0x12, 0x10}; /* object type 2 (LC) */
  ck_assert_int_eq(flv_learn(&g, FLV_TAG_AUDIO, 0, lc, sizeof lc, 0), 0);
  ck_assert_str_eq(g.audio_codecs, "mp4a.40.2");
  FlvInfo m = {0};
  const uint8_t mp3[] = {0x2f, 0xff, 0xfb}; /* MP3: audio, not AAC (transcoded) */
  ck_assert_int_eq(flv_learn(&m, FLV_TAG_AUDIO, 0, mp3, sizeof mp3, 0), 0);
  ck_assert(m.have_audio && !m.audio_is_aac);
}
END_TEST

START_TEST(malformed_tags_are_refused)
{
  FlvInfo f = {0};
  const uint8_t short_avc[] = {0x17, 0x00, 0x00};
  ck_assert_int_eq(flv_learn(&f, FLV_TAG_VIDEO, 40, short_avc, sizeof short_avc, 5), -EINVAL);
  ck_assert(f.have_first_ts && f.first_ts == 40); /* its time still counts */
  const uint8_t bad_header[] = {0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64, 0x00};
  ck_assert_int_eq(flv_learn(&f, FLV_TAG_VIDEO, 40, bad_header, sizeof bad_header, 5), -EBADMSG);
  ck_assert(!f.have_avc);
  ck_assert_int_eq(flv_learn(&f, FLV_TAG_AUDIO, 40, NULL, 0, 5), -EINVAL);
  ck_assert(!f.have_audio);
  const uint8_t not_amf[] = {0x77, 0x01};
  ck_assert_int_eq(flv_learn(&f, FLV_TAG_SCRIPT, 40, not_amf, sizeof not_amf, 5), -EINVAL);
  ck_assert(f.meta_fps == 0);
  /* Without the AVC header the shape is never known, keyframes or not. */
  const uint8_t key[] = {0x17, 0x01, 0, 0, 0, 0, 0, 0, 1};
  flv_learn(&f, FLV_TAG_VIDEO, 0, key, sizeof key, 5);
  flv_learn(&f, FLV_TAG_VIDEO, 5000, key, sizeof key, 5);
  ck_assert_int_eq(f.keyframes, 2);
  ck_assert(!flv_shape_known(&f, 2000, 100, 1500));

  /* Files: not FLV, and a tag whose PreviousTagSize disagrees with its size. */
  size_t off = 0;
  FlvTag t;
  ck_assert_int_eq(flv_read_tag((const uint8_t *)"RIFF....WAVE", 12, &off, &t), -EBADMSG);
  GByteArray *b = g_byte_array_new();
  uint8_t hdr[FLV_HEADER_LEN];
  flv_header(hdr, true);
  g_byte_array_append(b, hdr, sizeof hdr);
  flv_append_tag(b, FLV_TAG_VIDEO, 0x01020304, key, sizeof key);
  off = 0;
  ck_assert_int_eq(flv_read_tag(b->data, b->len, &off, &t), 0);
  ck_assert_uint_eq(t.type, FLV_TAG_VIDEO);
  ck_assert_uint_eq(t.ts, 0x01020304); /* the extended byte is the top one */
  ck_assert_uint_eq(t.len, sizeof key);
  ck_assert_mem_eq(t.data, key, sizeof key);
  ck_assert_int_eq(flv_read_tag(b->data, b->len, &off, &t), -EAGAIN);
  b->data[b->len - 1] ^= 1;
  off = 0;
  ck_assert_int_eq(flv_read_tag(b->data, b->len, &off, &t), -EBADMSG);
  off = 0;
  ck_assert_int_eq(flv_read_tag(b->data, b->len - 2, &off, &t), -EAGAIN); /* truncated */
  g_byte_array_unref(b);
}
END_TEST

START_TEST(shape_known_without_second_keyframe_or_audio)
{
  FlvInfo f = {0};
  f.have_avc = true;
  const uint8_t key[] = {0x17, 0x01, 0, 0, 0, 0, 0, 0, 1};
  const uint8_t delta[] = {0x27, 0x01, 0, 0, 0, 0, 0, 0, 1};
  flv_learn(&f, FLV_TAG_VIDEO, 1000, key, sizeof key, 0);
  flv_learn(&f, FLV_TAG_VIDEO, 2400, delta, sizeof delta, 0);
  ck_assert(!flv_shape_known(&f, 2000, 100, 1500)); /* no audio decision yet, no GOP */
  flv_learn(&f, FLV_TAG_VIDEO, 2500, delta, sizeof delta, 0);
  ck_assert(!flv_shape_known(&f, 2000, 100, 1500)); /* audio: none for 1.5 s; GOP still open */
  flv_learn(&f, FLV_TAG_VIDEO, 3101, delta, sizeof delta, 0);
  ck_assert(flv_shape_known(&f, 2000, 100, 1500)); /* 2.1 s without a keyframe: too long to copy */
  ck_assert_uint_eq(flv_gop_ms(&f), UINT32_MAX);
}
END_TEST

static Suite *flv_suite(void)
{
  Suite *s = suite_create("flv");
  TCase *tc = tcase_create("flv");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, learns_a_real_stream);
  tcase_add_test(tc, aac_sequence_headers);
  tcase_add_test(tc, malformed_tags_are_refused);
  tcase_add_test(tc, shape_known_without_second_keyframe_or_audio);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(flv_suite)
