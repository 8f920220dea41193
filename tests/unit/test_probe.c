/* Tests for src/media/probe.c on fixtures made here with ffmpeg: valid, rotated, audio-only,
 * corrupt, truncated, a text file named .mp4, limits. */
#define _GNU_SOURCE /* memmem */
#include "media/probe.h"
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *dir;

/* Runs ffmpeg with ARGS (NULL-terminated) to make DIR/NAME; returns the path. */
static char *make(const char *name, ...)
{
  char *out = g_build_filename(dir, name, NULL);
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, "ffmpeg");
  g_ptr_array_add(argv, "-nostdin");
  g_ptr_array_add(argv, "-v");
  g_ptr_array_add(argv, "error");
  g_ptr_array_add(argv, "-y");
  va_list ap;
  va_start(ap, name);
  for (const char *a; (a = va_arg(ap, const char *));)
    g_ptr_array_add(argv, (gpointer)a);
  va_end(ap);
  g_ptr_array_add(argv, out);
  g_ptr_array_add(argv, NULL);
  int status = -1;
  GError *e = NULL;
  gboolean ok = g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                             NULL, NULL, &status, &e);
  ck_assert_msg(ok && g_spawn_check_wait_status(status, NULL), "ffmpeg failed for %s: %s", name,
                e ? e->message : "exit status");
  g_ptr_array_free(argv, TRUE);
  return out;
}

#define AV_4S "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=4", "-f", "lavfi", "-i", \
              "sine=f=440:duration=4", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", \
              "-c:a", "aac", "-movflags", "+faststart"

static const ProbeLimits no_limits = {0};

static void setup(void) { dir = tu_tmpdir(); }
static void teardown(void)
{
  tu_rmtree(dir);
  g_clear_pointer(&dir, g_free);
}

START_TEST(valid_file_is_described)
{
  char *f = make("valid.mp4", AV_4S, NULL);
  ProbeInfo info;
  char *err = NULL;
  ck_assert_int_eq(probe_file(f, &no_limits, &info, &err), 0);
  ck_assert_ptr_null(err);
  ck_assert(strstr(info.container, "mp4"));
  ck_assert(info.has_video && info.has_audio);
  ck_assert_str_eq(info.video_codec, "h264");
  ck_assert_str_eq(info.audio_codec, "aac");
  ck_assert_int_eq(info.width, 320);
  ck_assert_int_eq(info.height, 240);
  ck_assert_double_eq_tol(info.fps, 30, 0.01);
  ck_assert_double_eq_tol(info.duration, 4, 0.1);
  ck_assert_int_eq(info.rotation, 0);
  ck_assert_int_eq(info.channels, 1);
  ck_assert_int_eq(info.sample_rate, 44100);
  ck_assert_int_gt(info.bytes, 1000);
  char *json = probe_info_json(&info);
  ck_assert(strstr(json, "\"codec\":\"h264\""));
  ck_assert(strstr(json, "\"rotation\":0"));
  g_free(json);
  g_free(f);
}
END_TEST

/* ffprobe's reading of the display matrix (degrees counter-clockwise), as an int. */
static int ffprobe_ccw(const char *path)
{
  const char *argv[] = {"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "stream_side_data=rotation", "-of", "csv=p=0", path, NULL};
  char *out = NULL;
  int status = -1;
  ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                         &status, NULL));
  int ccw = atoi(out ? out : "0");
  g_free(out);
  return ccw;
}

/* A phone recording held sideways: the display matrix says turn a quarter. */
START_TEST(rotation_is_read)
{
  char *plain = make("plain.mp4", AV_4S, NULL);
  char *f = make("rotated.mp4", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", NULL);
  ProbeInfo info;
  char *err = NULL;
  ck_assert_int_eq(probe_file(f, &no_limits, &info, &err), 0);
  int ccw = ffprobe_ccw(f);
  ck_assert_int_ne(ccw % 360, 0);
  ck_assert_int_eq(info.rotation, ((360 - ccw) % 360 + 360) % 360); /* ours is clockwise */
  int w, h;
  probe_display_size(&info, &w, &h);
  ck_assert_int_eq(w, 240);
  ck_assert_int_eq(h, 320);
  ck_assert_int_eq(probe_file(plain, &no_limits, &info, &err), 0);
  ck_assert_int_eq(info.rotation, 0);
  g_free(plain);
  g_free(f);
}
END_TEST

static void assert_refused(const char *path, const ProbeLimits *lim, int code, const char *words)
{
  ProbeInfo info;
  char *err = NULL;
  int r = probe_file(path, lim, &info, &err);
  ck_assert_msg(r == code, "%s: got %d (%s), want %d", path, r, err ? err : "", code);
  ck_assert_ptr_nonnull(err);
  ck_assert_msg(strstr(err, words), "%s: reason \"%s\" lacks \"%s\"", path, err, words);
  g_free(err);
}

START_TEST(audio_only_is_refused)
{
  char *f = make("talk.m4a", "-f", "lavfi", "-i", "sine=f=440:duration=3", "-c:a", "aac", NULL);
  assert_refused(f, &no_limits, -ENODATA, "no video stream (audio only)");
  g_free(f);
}
END_TEST

START_TEST(text_file_is_refused)
{
  char *f = tu_write(dir, "notes.mp4", "These are my lesson notes, not a video.\n");
  assert_refused(f, &no_limits, -EINVAL, "not a media file");
  g_free(f);
  char *empty = tu_write(dir, "empty.mp4", "");
  assert_refused(empty, &no_limits, -EINVAL, "empty");
  g_free(empty);
  char *missing = g_build_filename(dir, "missing.mp4", NULL);
  assert_refused(missing, &no_limits, -ENOENT, "cannot read");
  g_free(missing);
}
END_TEST

/* Cut at 40 %: the header still promises 4 s. */
START_TEST(truncated_file_is_refused)
{
  char *f = make("full.mp4", AV_4S, NULL);
  char *data = NULL;
  gsize len = 0;
  ck_assert(g_file_get_contents(f, &data, &len, NULL));
  char *cut = g_build_filename(dir, "cut.mp4", NULL);
  ck_assert(g_file_set_contents(cut, data, (gssize)(len * 2 / 5), NULL));
  assert_refused(cut, &no_limits, -EBADMSG, "truncated");
  g_free(data);
  /* Index at the end (no faststart): cut short, the index is gone; still "truncated", not
   * "not a media file". */
  char *late = make("late.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=4", "-c:v",
                    "libx264", "-preset", "ultrafast", NULL);
  ck_assert(g_file_get_contents(late, &data, &len, NULL));
  ck_assert(g_file_set_contents(cut, data, (gssize)(len * 2 / 5), NULL));
  assert_refused(cut, &no_limits, -EBADMSG, "truncated or corrupt: a mov,mp4");
  g_free(late);
  g_free(data);
  g_free(cut);
  g_free(f);
}
END_TEST

/* Header intact, every byte of media data replaced: nothing decodes. */
START_TEST(corrupt_file_is_refused)
{
  char *f = make("full.mp4", AV_4S, NULL);
  char *data = NULL;
  gsize len = 0;
  ck_assert(g_file_get_contents(f, &data, &len, NULL));
  char *mdat = memmem(data, len, "mdat", 4);
  ck_assert_ptr_nonnull(mdat);
  GRand *rand = g_rand_new_with_seed(7);
  for (char *p = mdat + 4; p < data + len; p++)
    *p = (char)g_rand_int(rand);
  g_rand_free(rand);
  char *bad = g_build_filename(dir, "bad.mp4", NULL);
  ck_assert(g_file_set_contents(bad, data, (gssize)len, NULL));
  assert_refused(bad, &no_limits, -EBADMSG, "corrupt");
  g_free(data);
  g_free(bad);
  g_free(f);
}
END_TEST

START_TEST(limits_are_kept)
{
  char *f = make("valid.mp4", AV_4S, NULL);
  ProbeLimits small = {.max_width = 200, .max_height = 1000};
  assert_refused(f, &small, -E2BIG, "over the 200x1000 limit");
  ProbeLimits short_ = {.max_seconds = 2};
  assert_refused(f, &short_, -E2BIG, "over the 2 s limit");
  ProbeLimits tiny = {.max_bytes = 100};
  assert_refused(f, &tiny, -E2BIG, "byte limit");
  ProbeLimits roomy = {.max_bytes = 100 << 20, .max_seconds = 60, .max_width = 320, .max_height = 240};
  ProbeInfo info;
  char *err = NULL;
  ck_assert_int_eq(probe_file(f, &roomy, &info, &err), 0);
  g_free(f);
}
END_TEST

/* Replaces every FROM (LEN bytes) in PATH with TO; returns how many. */
static int patch(const char *path, const void *from, const void *to, size_t len)
{
  gchar *data = NULL;
  gsize n = 0;
  ck_assert(g_file_get_contents(path, &data, &n, NULL));
  int count = 0;
  for (gsize i = 0; i + len <= n; i++)
    if (memcmp(data + i, from, len) == 0) {
      memcpy(data + i, to, len);
      count++;
    }
  ck_assert(g_file_set_contents(path, data, (gssize)n, NULL));
  g_free(data);
  return count;
}

/* A container that claims a picture over the limit is refused on its word, before decoding. */
START_TEST(claimed_size_is_checked_before_decoding)
{
  char *f = make("claim.mp4", "-f", "lavfi", "-i", "color=black:s=64x64:r=5:d=2", "-c:v", "libx264",
                 "-preset", "ultrafast", "-pix_fmt", "yuv420p", NULL);
  /* The avc1 sample entry's width and height (64x64 -> 16384x16384); the stream stays 64x64. */
  static const unsigned char from[] = {'a', 'v', 'c', '1'};
  gchar *data = NULL;
  gsize n = 0;
  ck_assert(g_file_get_contents(f, &data, &n, NULL));
  int patched = 0;
  for (gsize i = 0; i + 32 <= n; i++)
    if (memcmp(data + i, from, 4) == 0 && !memcmp(data + i + 28, "\x00\x40\x00\x40", 4)) {
      memcpy(data + i + 28, "\x40\x00\x40\x00", 4);
      patched++;
    }
  ck_assert(g_file_set_contents(f, data, (gssize)n, NULL));
  g_free(data);
  ck_assert_int_eq(patched, 1);
  ProbeLimits lim = {.max_width = 4096, .max_height = 4096};
  assert_refused(f, &lim, -E2BIG, "the picture is 16384x16384, over the 4096x4096 limit");
  g_free(f);
}
END_TEST

/* A picture bigger than its container says (a decompression bomb, here a mild one) is refused
 * by the decoder when it reads the picture's header: the limit is the decoders' max_pixels. */
START_TEST(decoded_size_is_limited_before_allocating)
{
  char *f = make("bomb.avi", "-f", "lavfi", "-i", "color=black:s=400x400:r=2:d=1,format=gray", "-c:v",
                 "png", "-f", "avi", NULL);
  /* The AVI's sizes (avih, strf: 32-bit; strh's frame: 16-bit) say 64x64. */
  ck_assert_int_ge(patch(f, "\x90\x01\x00\x00\x90\x01\x00\x00", "\x40\x00\x00\x00\x40\x00\x00\x00", 8), 2);
  patch(f, "\x90\x01\x90\x01strf", "\x40\x00\x40\x00strf", 8);
  ProbeLimits lim = {.max_width = 200, .max_height = 200};
  assert_refused(f, &lim, -E2BIG, "the video's pictures cannot be decoded: they are larger than the 200x200 limit");
  ProbeLimits roomy = {.max_width = 400, .max_height = 400};
  ProbeInfo info;
  char *err = NULL;
  ck_assert_int_eq(probe_file(f, &roomy, &info, &err), 0);
  ck_assert_int_eq(info.width, 400);
  g_free(f);
}
END_TEST

static Suite *probe_suite(void)
{
  Suite *s = suite_create("probe");
  TCase *tc = tcase_create("probe");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, valid_file_is_described);
  tcase_add_test(tc, rotation_is_read);
  tcase_add_test(tc, audio_only_is_refused);
  tcase_add_test(tc, text_file_is_refused);
  tcase_add_test(tc, truncated_file_is_refused);
  tcase_add_test(tc, corrupt_file_is_refused);
  tcase_add_test(tc, limits_are_kept);
  tcase_add_test(tc, claimed_size_is_checked_before_decoding);
  tcase_add_test(tc, decoded_size_is_limited_before_allocating);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(probe_suite)
