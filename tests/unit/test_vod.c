/* Tests for src/media/vod.c: a clip into the ladder — aligned VOD renditions, master, poster;
 * a broken source fails with a reason. */
#include "media/vod.h"
#include "testutil.h"

#include <gio/gio.h>
#include <gst/gst.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  GMainLoop *loop;
  char *error;
  VodResult result;
  int calls;
} Done;

static void on_done(const char *error, const VodResult *result, void *user)
{
  Done *d = user;
  d->calls++;
  d->error = g_strdup(error);
  if (result)
    d->result = *result;
  g_main_loop_quit(d->loop);
}

static char *make_clip(const char *dir, const char *name, const char *size, int secs)
{
  char *out = g_build_filename(dir, name, NULL);
  char *src = g_strdup_printf("testsrc2=size=%s:rate=30:duration=%d", size, secs);
  char *sine = g_strdup_printf("sine=f=440:duration=%d", secs);
  const char *argv[] = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", src, "-f", "lavfi",
                        "-i", sine, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", out, NULL};
  int status = -1;
  ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL));
  ck_assert(g_spawn_check_wait_status(status, NULL));
  g_free(src);
  g_free(sine);
  return out;
}

static Done transcode(const char *clip, const char *out, Config *cfg)
{
  ProbeLimits lim = {0};
  ProbeInfo info;
  char *err = NULL;
  ck_assert_msg(probe_file(clip, &lim, &info, &err) == 0, "%s", err ? err : "");
  Ladder spec;
  ck_assert_int_eq(ladder_parse(cfg->live_ladder, &spec, &err), 0);
  Done d = {g_main_loop_new(NULL, FALSE), NULL, {0}, 0};
  VodJob *job = vod_start(clip, &info, out, cfg, &spec, on_done, &d, &err);
  ck_assert_msg(job != NULL, "%s", err ? err : "");
  g_main_loop_run(d.loop);
  ck_assert(vod_progress(job) > 0.9 || d.error);
  vod_free(&job);
  g_main_loop_unref(d.loop);
  return d;
}

static int count_lines(const char *path, const char *prefix)
{
  char *text = NULL;
  ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "missing %s", path);
  int n = 0;
  char **lines = g_strsplit(text, "\n", -1);
  for (int i = 0; lines[i]; i++)
    n += g_str_has_prefix(lines[i], prefix);
  g_strfreev(lines);
  g_free(text);
  return n;
}

START_TEST(clip_becomes_the_ladder)
{
  char *dir = tu_tmpdir();
  char *clip = make_clip(dir, "lesson.mp4", "1280x720", 6);
  char *out = g_build_filename(dir, "out", NULL);
  Config cfg;
  config_init_defaults(&cfg);
  cfg.vod_segment_duration = 2;
  Done d = transcode(clip, out, &cfg);
  ck_assert_int_eq(d.calls, 1);
  ck_assert_msg(d.error == NULL, "%s", d.error);
  ck_assert_int_eq(d.result.renditions, 3); /* source 720p (re-encoded), 480p, 360p */
  ck_assert_double_eq_tol(d.result.duration, 6.0, 0.1);
  ck_assert(d.result.poster);
  const char *names[] = {"source", "480p", "360p"};
  for (int i = 0; i < 3; i++) {
    char *pl = g_build_filename(out, names[i], "index.m3u8", NULL);
    ck_assert_int_eq(count_lines(pl, "#EXTINF:2.000,"), 3); /* aligned: 2 s each, everywhere */
    ck_assert_int_eq(count_lines(pl, "#EXT-X-ENDLIST"), 1);
    ck_assert_int_eq(count_lines(pl, "#EXT-X-PLAYLIST-TYPE:VOD"), 1);
    g_free(pl);
  }
  char *master = g_build_filename(out, "master.m3u8", NULL);
  ck_assert_int_eq(count_lines(master, "#EXT-X-STREAM-INF:"), 3);
  char *poster = g_build_filename(out, "poster.jpg", NULL);
  ck_assert(g_file_test(poster, G_FILE_TEST_EXISTS));
  /* Storyboard: a thumbnail every 5 s of 6 s, each listed with its time range. */
  ck_assert_int_eq(d.result.thumbnails, 2);
  char *vtt = g_build_filename(out, "storyboard.vtt", NULL);
  char *cues = NULL;
  ck_assert(g_file_get_contents(vtt, &cues, NULL, NULL));
  ck_assert_msg(g_str_has_prefix(cues, "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nstoryboard/thumb00000.jpg\n\n"
                                       "00:00:05.000 --> 00:00:06.000\nstoryboard/thumb00001.jpg\n"), "%s", cues);
  char *thumb = g_build_filename(out, "storyboard", "thumb00001.jpg", NULL);
  ck_assert(g_file_test(thumb, G_FILE_TEST_EXISTS));
  g_free(thumb);
  g_free(cues);
  g_free(vtt);
  g_free(poster);
  g_free(master);
  g_free(d.error);
  config_clear(&cfg);
  g_free(out);
  g_free(clip);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

/* The first frame of PATH as shown (ffmpeg applies rotation), 8-bit gray. Caller frees. */
static guint8 *gray_frame(const char *path, gsize *len)
{
  GError *e = NULL;
  GSubprocess *p = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &e,
                                    "ffmpeg", "-nostdin", "-v", "error", "-i", path, "-frames:v", "1", "-f",
                                    "rawvideo", "-pix_fmt", "gray", "-", NULL);
  ck_assert_msg(p != NULL, "%s", e ? e->message : "");
  GBytes *out = NULL;
  ck_assert(g_subprocess_communicate(p, NULL, NULL, &out, NULL, &e));
  ck_assert(g_subprocess_get_successful(p));
  g_object_unref(p);
  return g_bytes_unref_to_data(out, len);
}

/* A phone clip held sideways comes out upright: 320x240 coded, shown 240x320. */
START_TEST(rotation_is_applied)
{
  char *dir = tu_tmpdir();
  char *plain = make_clip(dir, "plain.mp4", "320x240", 2);
  char *clip = g_build_filename(dir, "sideways.mp4", NULL);
  const char *argv[] = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-i", plain, "-c", "copy",
                        "-metadata:s:v:0", "rotate=90", clip, NULL};
  int status = -1;
  ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL));
  char *out = g_build_filename(dir, "out", NULL);
  Config cfg;
  config_init_defaults(&cfg);
  Done d = transcode(clip, out, &cfg);
  ck_assert_msg(d.error == NULL, "%s", d.error);
  char *master = g_build_filename(out, "master.m3u8", NULL);
  char *text = NULL;
  ck_assert(g_file_get_contents(master, &text, NULL, NULL));
  ck_assert_msg(strstr(text, "RESOLUTION=240x320"), "%s", text);
  /* Turned, not squeezed: the first frame matches ffmpeg's own upright picture. */
  char *seg = g_build_filename(out, "source", "seg000000.ts", NULL);
  gsize n1 = 0, n2 = 0;
  guint8 *ours = gray_frame(seg, &n1), *ref = gray_frame(clip, &n2);
  ck_assert_uint_eq(n1, 240 * 320);
  ck_assert_uint_eq(n2, n1);
  double diff = 0;
  for (gsize i = 0; i < n1; i++)
    diff += abs(ours[i] - ref[i]);
  ck_assert_msg(diff / n1 < 12, "mean difference %.1f", diff / n1);
  g_free(ours);
  g_free(ref);
  g_free(seg);
  g_free(text);
  g_free(master);
  config_clear(&cfg);
  g_free(out);
  g_free(clip);
  g_free(plain);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

/* The file changes between probe and transcode (here: replaced by text): the job fails
 * with a reason instead of hanging. */
START_TEST(broken_source_fails_with_a_reason)
{
  char *dir = tu_tmpdir();
  char *clip = make_clip(dir, "lesson.mp4", "320x240", 2);
  ProbeLimits lim = {0};
  ProbeInfo info;
  char *err = NULL;
  ck_assert_int_eq(probe_file(clip, &lim, &info, &err), 0);
  ck_assert(g_file_set_contents(clip, "not a video any more", -1, NULL));
  Config cfg;
  config_init_defaults(&cfg);
  Ladder spec;
  ck_assert_int_eq(ladder_parse(cfg.live_ladder, &spec, &err), 0);
  Done d = {g_main_loop_new(NULL, FALSE), NULL, {0}, 0};
  char *out = g_build_filename(dir, "out", NULL);
  VodJob *job = vod_start(clip, &info, out, &cfg, &spec, on_done, &d, &err);
  ck_assert_ptr_nonnull(job);
  g_main_loop_run(d.loop);
  ck_assert_int_eq(d.calls, 1);
  ck_assert_ptr_nonnull(d.error);
  vod_free(&job);
  g_main_loop_unref(d.loop);
  g_free(d.error);
  g_free(out);
  config_clear(&cfg);
  g_free(clip);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

static Suite *vod_suite(void)
{
  gst_init(NULL, NULL);
  Suite *s = suite_create("vod");
  TCase *tc = tcase_create("vod");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, clip_becomes_the_ladder);
  tcase_add_test(tc, rotation_is_applied);
  tcase_add_test(tc, broken_source_fails_with_a_reason);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(vod_suite)
