/* Tests for src/media/poster.c: a JPEG from a segment, renamed into place; errors reported. */
#include "media/poster.h"
#include "testutil.h"

#include <gst/gst.h>
#include <string.h>

typedef struct {
  GMainLoop *loop;
  char *error;
  int calls;
} Result;

static void on_done(const char *error, void *user)
{
  Result *r = user;
  r->calls++;
  r->error = g_strdup(error);
  g_main_loop_quit(r->loop);
}

static Result run(const char *segment, const char *out)
{
  Result r = {g_main_loop_new(NULL, FALSE), NULL, 0};
  char *err = NULL;
  Poster *p = poster_start(segment, out, 160, 320, 240, on_done, &r, &err);
  ck_assert_msg(p != NULL, "%s", err ? err : "");
  g_main_loop_run(r.loop);
  poster_free(&p);
  ck_assert_ptr_null(p);
  g_main_loop_unref(r.loop);
  return r;
}

START_TEST(jpeg_from_a_segment)
{
  char *dir = tu_tmpdir();
  char *seg = g_build_filename(dir, "seg.ts", NULL);
  char *desc = g_strdup_printf("videotestsrc num-buffers=30 ! video/x-raw,width=320,height=240 ! x264enc "
                               "! h264parse ! mpegtsmux ! filesink location=%s", seg);
  GError *e = NULL;
  GstElement *p = gst_parse_launch(desc, &e);
  ck_assert_ptr_nonnull(p);
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstBus *bus = gst_element_get_bus(p);
  gst_message_unref(gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(p);

  char *out = g_build_filename(dir, "poster.jpg", NULL);
  Result r = run(seg, out);
  ck_assert_int_eq(r.calls, 1);
  ck_assert_ptr_null(r.error);
  char *data = NULL;
  gsize len = 0;
  ck_assert(g_file_get_contents(out, &data, &len, NULL));
  ck_assert_uint_gt(len, 100);
  ck_assert_uint_eq((guint8)data[0], 0xff);
  ck_assert_uint_eq((guint8)data[1], 0xd8);
  char *tmp = g_build_filename(dir, ".poster.jpg.tmp", NULL);
  ck_assert(!g_file_test(tmp, G_FILE_TEST_EXISTS));
  g_free(tmp);
  g_free(data);

  /* A segment that is not there: the reason comes back, nothing is left behind. */
  char *missing = g_build_filename(dir, "missing.ts", NULL);
  char *out2 = g_build_filename(dir, "poster2.jpg", NULL);
  Result r2 = run(missing, out2);
  ck_assert_int_eq(r2.calls, 1);
  ck_assert_ptr_nonnull(r2.error);
  ck_assert(!g_file_test(out2, G_FILE_TEST_EXISTS));
  g_free(r2.error);
  g_free(missing);
  g_free(out2);
  g_free(out);
  g_free(desc);
  g_free(seg);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

static Suite *poster_suite(void)
{
  gst_init(NULL, NULL);
  Suite *s = suite_create("poster");
  TCase *tc = tcase_create("poster");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, jpeg_from_a_segment);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(poster_suite)
