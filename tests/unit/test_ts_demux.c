/* Tests for src/srt/ts_demux.c: PAT/PMT, PES reassembly of H.264 and AAC from a real
 * ffmpeg MPEG-TS fed in any cut, other codecs announced, garbage refused. */
#include "srt/ts_demux.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

/* 3 s of TS (320x240 30 fps, CODEC video, AAC when AUDIO) made by ffmpeg, or NULL without it. */
static GBytes *make_ts(const char *codec, bool audio)
{
  char *dir = tu_tmpdir();
  char *out = g_build_filename(dir, "in.ts", NULL);
  GPtrArray *argv = g_ptr_array_new();
  const char *head[] = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=320x240:rate=30:duration=3"};
  for (size_t i = 0; i < G_N_ELEMENTS(head); i++)
    g_ptr_array_add(argv, (char *)head[i]);
  if (audio) {
    const char *a[] = {"-f", "lavfi", "-i", "sine=f=440:duration=3", "-c:a", "aac"};
    for (size_t i = 0; i < G_N_ELEMENTS(a); i++)
      g_ptr_array_add(argv, (char *)a[i]);
  }
  const char *tail[] = {"-c:v", codec, "-g", "30", "-pix_fmt", "yuv420p", "-f", "mpegts", out, NULL};
  for (size_t i = 0; i < G_N_ELEMENTS(tail); i++)
    g_ptr_array_add(argv, (char *)tail[i]);
  int status = -1;
  gchar *data = NULL;
  gsize len = 0;
  GBytes *b = NULL;
  if (g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL) &&
      g_spawn_check_wait_status(status, NULL) && g_file_get_contents(out, &data, &len, NULL))
    b = g_bytes_new_take(data, len);
  g_ptr_array_unref(argv);
  g_free(out);
  tu_rmtree(dir);
  g_free(dir);
  return b;
}

typedef struct {
  int video, audio;
  int64_t last_dts;
  bool dts_steady;       /* every video DTS 3000 after the one before */
  bool starts_annexb;    /* every video unit starts with a start code */
  size_t video_bytes;
} Count;

static void count_unit(void *user, const TsUnit *u)
{
  Count *c = user;
  if (u->kind == TS_H264) {
    if (c->video && u->dts - c->last_dts != 3000)
      c->dts_steady = false;
    c->last_dts = u->dts;
    c->video++;
    c->video_bytes += u->len;
    if (!(u->len > 4 && u->data[0] == 0 && u->data[1] == 0 && (u->data[2] == 1 || u->data[3] == 1)))
      c->starts_annexb = false;
  } else {
    ck_assert(u->len > 7 && u->data[0] == 0xff);
    c->audio++;
  }
}

static Count demux_in_cuts(GBytes *ts, size_t cut)
{
  Count c = {.dts_steady = true, .starts_annexb = true};
  TsDemux *d = ts_demux_new(count_unit, &c);
  gsize len;
  const uint8_t *p = g_bytes_get_data(ts, &len);
  for (size_t off = 0; off < len; off += cut)
    ck_assert_int_eq(ts_demux_feed(d, p + off, MIN(cut, len - off)), 0);
  ts_demux_flush(d);
  const TsProgram *pr = ts_demux_program(d);
  ck_assert(pr->have_pmt);
  ck_assert_int_ne(pr->h264_pid, 0);
  ck_assert_int_ne(pr->aac_pid, 0);
  ck_assert_uint_eq(ts_demux_discontinuities(d), 0);
  ts_demux_free(&d);
  return c;
}

START_TEST(h264_and_aac_in_any_cut)
{
  GBytes *ts = make_ts("libx264", true);
  if (!ts) {
    fprintf(stderr, "# SKIP: ffmpeg with libx264 is not available\n");
    return;
  }
  Count whole = demux_in_cuts(ts, 1316); /* SRT's 7 packets a message */
  ck_assert_int_eq(whole.video, 90);     /* every frame of 3 s at 30 fps */
  ck_assert(whole.dts_steady);
  ck_assert(whole.starts_annexb);
  ck_assert_int_ge(whole.audio, 10);
  Count odd = demux_in_cuts(ts, 997);
  Count bytes = demux_in_cuts(ts, 1);
  ck_assert_int_eq(odd.video, whole.video);
  ck_assert_int_eq(bytes.video, whole.video);
  ck_assert_int_eq(odd.audio, whole.audio);
  ck_assert_uint_eq(bytes.video_bytes, whole.video_bytes);
  g_bytes_unref(ts);
}
END_TEST

static void no_unit(void *user, const TsUnit *u)
{
  (void)u;
  (*(int *)user)++;
}

START_TEST(other_codecs_are_announced)
{
  GBytes *ts = make_ts("mpeg2video", false);
  if (!ts) {
    fprintf(stderr, "# SKIP: ffmpeg is not available\n");
    return;
  }
  int n = 0;
  TsDemux *d = ts_demux_new(no_unit, &n);
  gsize len;
  const uint8_t *p = g_bytes_get_data(ts, &len);
  ck_assert_int_eq(ts_demux_feed(d, p, len), 0);
  const TsProgram *pr = ts_demux_program(d);
  ck_assert(pr->have_pmt);
  ck_assert_int_eq(pr->h264_pid, 0);
  ck_assert_int_eq(pr->other_video, 0x02);
  ck_assert_int_eq(n, 0); /* nothing handed on from a stream we cannot take */
  ts_demux_free(&d);
  g_bytes_unref(ts);
}
END_TEST

START_TEST(garbage_is_refused)
{
  int n = 0;
  TsDemux *d = ts_demux_new(no_unit, &n);
  guint8 *junk = g_malloc(100000);
  for (int i = 0; i < 100000; i++)
    junk[i] = (guint8)(i * 7 + 1) == 0x47 ? 0 : (guint8)(i * 7 + 1);
  ck_assert_int_eq(ts_demux_feed(d, junk, 100000), -EBADMSG);
  ck_assert_int_eq(n, 0);
  g_free(junk);
  ts_demux_free(&d);
}
END_TEST

static Suite *ts_demux_suite(void)
{
  Suite *s = suite_create("ts_demux");
  TCase *tc = tcase_create("ts_demux");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, h264_and_aac_in_any_cut);
  tcase_add_test(tc, other_codecs_are_announced);
  tcase_add_test(tc, garbage_is_refused);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(ts_demux_suite)
