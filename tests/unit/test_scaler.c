/* Tests for src/media/scaler.c: "lecternscale" negotiates any size and keeps the picture. */
#include "media/pipeline.h"
#include "media/scaler.h"
#include "testutil.h"

#include <gst/app/app.h>
#include <gst/video/video.h>
#include <math.h>

/* One frame of DESC (ending in an appsink named "out"), as a sample. Caller unrefs. */
static GstSample *one_frame(const char *desc)
{
  GError *e = NULL;
  GstElement *p = gst_parse_launch_full(desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &e);
  ck_assert_msg(p != NULL && !e, "%s", e ? e->message : "");
  GstElement *sink = gst_bin_get_by_name(GST_BIN(p), "out");
  ck_assert_int_ne(gst_element_set_state(p, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 30 * GST_SECOND);
  GstBus *bus = gst_element_get_bus(p);
  GstMessage *err = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
  if (err) {
    GError *ge = NULL;
    gst_message_parse_error(err, &ge, NULL);
    ck_abort_msg("pipeline error: %s", ge->message);
  }
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(p);
  ck_assert_ptr_nonnull(s);
  return s;
}

static void frame_size(GstSample *s, int *w, int *h)
{
  GstVideoInfo info;
  ck_assert(gst_video_info_from_caps(&info, gst_sample_get_caps(s)));
  *w = GST_VIDEO_INFO_WIDTH(&info);
  *h = GST_VIDEO_INFO_HEIGHT(&info);
}

/* Mean absolute difference between the luma of HALF and a 2x2 box average of FULL's luma
 * (FULL twice HALF's size): how far a halving scaler strays from the picture. */
static double luma_diff_to_half(GstSample *half, GstSample *full)
{
  GstVideoInfo ih, ifu;
  ck_assert(gst_video_info_from_caps(&ih, gst_sample_get_caps(half)));
  ck_assert(gst_video_info_from_caps(&ifu, gst_sample_get_caps(full)));
  ck_assert_int_eq(GST_VIDEO_INFO_WIDTH(&ifu), 2 * GST_VIDEO_INFO_WIDTH(&ih));
  GstVideoFrame fh, ff;
  ck_assert(gst_video_frame_map(&fh, &ih, gst_sample_get_buffer(half), GST_MAP_READ));
  ck_assert(gst_video_frame_map(&ff, &ifu, gst_sample_get_buffer(full), GST_MAP_READ));
  const guint8 *ph = GST_VIDEO_FRAME_PLANE_DATA(&fh, 0), *pf = GST_VIDEO_FRAME_PLANE_DATA(&ff, 0);
  int sh = GST_VIDEO_FRAME_PLANE_STRIDE(&fh, 0), sf = GST_VIDEO_FRAME_PLANE_STRIDE(&ff, 0);
  int w = GST_VIDEO_INFO_WIDTH(&ih), h = GST_VIDEO_INFO_HEIGHT(&ih);
  double sum = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const guint8 *f = pf + 2 * y * sf + 2 * x;
      sum += fabs(ph[y * sh + x] - (f[0] + f[1] + f[sf] + f[sf + 1]) / 4.0);
    }
  gst_video_frame_unmap(&fh);
  gst_video_frame_unmap(&ff);
  return sum / (w * h);
}

#define SRC "videotestsrc num-buffers=1 pattern=colors ! video/x-raw,format=I420,width=1280,height=720 ! "

START_TEST(scales_to_the_size_asked)
{
  ck_assert(scaler_register());
  GstSample *ours = one_frame(SRC "lecternscale ! video/x-raw,width=640,height=360 ! appsink name=out");
  GstSample *ref = one_frame(SRC "appsink name=out");
  int w, h;
  frame_size(ours, &w, &h);
  ck_assert_int_eq(w, 640);
  ck_assert_int_eq(h, 360);
  /* A smooth picture: bicubic halving stays within a level or two of a box average (and
   * the levels are kept: no range or matrix conversion happens on the way). */
  double d = luma_diff_to_half(ours, ref);
  ck_assert_msg(d < 3.0, "mean luma difference %.2f", d);
  gst_sample_unref(ours);
  gst_sample_unref(ref);

  /* An odd target (480p from 720p is 854 wide). */
  GstSample *odd = one_frame(SRC "lecternscale ! video/x-raw,width=854,height=480 ! appsink name=out");
  frame_size(odd, &w, &h);
  ck_assert_int_eq(w, 854);
  ck_assert_int_eq(h, 480);
  gst_sample_unref(odd);
}
END_TEST

/* Nothing downstream asks for a size: the input's is kept (and the frame passes through). */
START_TEST(keeps_the_size_when_free)
{
  ck_assert(scaler_register());
  GstSample *s = one_frame(SRC "lecternscale ! appsink name=out");
  int w, h;
  frame_size(s, &w, &h);
  ck_assert_int_eq(w, 1280);
  ck_assert_int_eq(h, 720);
  gst_sample_unref(s);
}
END_TEST

/* Formats other than I420 are refused at negotiation (the pipelines put videoconvert first). */
START_TEST(refuses_other_formats)
{
  ck_assert(scaler_register());
  ck_assert(scaler_register()); /* twice is fine */
  GError *e = NULL;
  GstElement *p = gst_parse_launch_full(
      "videotestsrc num-buffers=1 ! video/x-raw,format=RGBA,width=64,height=64 ! lecternscale ! fakesink",
      NULL, GST_PARSE_FLAG_FATAL_ERRORS, &e);
  ck_assert_ptr_null(p);
  ck_assert_ptr_nonnull(e);
  g_error_free(e);
}
END_TEST

static Suite *scaler_suite(void)
{
  gst_init(NULL, NULL);
  Suite *s = suite_create("scaler");
  TCase *tc = tcase_create("scaler");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, scales_to_the_size_asked);
  tcase_add_test(tc, keeps_the_size_when_free);
  tcase_add_test(tc, refuses_other_formats);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(scaler_suite)
