/* Tests for src/media/segment_writer.c: files cut at force-key-unit events, renamed into place. */
#include "media/pipeline.h"
#include "media/segment_writer.h"
#include "testutil.h"

#include <gst/video/video.h>
#include <string.h>
#include <sys/stat.h>

/* 3 s of 30 fps H.264 with a keyframe every 15 frames (0.5 s). */
#define H264_3S "videotestsrc num-buffers=90 ! video/x-raw,width=320,height=240,framerate=30/1 " \
                "! x264enc tune=zerolatency key-int-max=15 ! h264parse " \
                "! capsfilter caps=video/x-h264,stream-format=byte-stream,alignment=au"

typedef struct {
  GstClockTime cuts[4];
  int n, next;
} Cuts;

/* Before the muxer: asks for a key unit at the first keyframe at or past each cut. The
 * encoder's own key-unit announcements are dropped, as src/media/live.c does. */
static GstPadProbeReturn ask_cuts(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  Cuts *c = user;
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)
    return segment_writer_is_foreign_key_unit(GST_PAD_PROBE_INFO_EVENT(info)) ? GST_PAD_PROBE_DROP
                                                                                : GST_PAD_PROBE_OK;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  GstClockTime pts = GST_BUFFER_PTS(buf);
  /* x264enc shifts its timestamps (and segment) by 1000 h: compare running times. */
  GstEvent *sev = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
  const GstSegment *seg;
  gst_event_parse_segment(sev, &seg);
  GstClockTime rt = gst_segment_to_running_time(seg, GST_FORMAT_TIME, pts);
  gst_event_unref(sev);
  if (c->next < c->n && rt >= c->cuts[c->next] && !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT)) {
    c->next++;
    gst_pad_push_event(pad, segment_writer_cut_event(pts, rt));
  }
  return GST_PAD_PROBE_OK;
}

typedef struct {
  char *location, *error;
  guint index;
  guint64 start, end, bytes;
} Seg;

/* Runs H264_3S ! common/segmenter with a writer on DIR cutting at CUTS; returns the messages. */
static GArray *run(const char *dir, guint first, Cuts *cuts)
{
  char *err = NULL;
  GstElement *p = gst_pipeline_new(NULL);
  GError *e = NULL;
  GstElement *src = gst_parse_bin_from_description(H264_3S, TRUE, &e);
  ck_assert_msg(src != NULL, "%s", e ? e->message : "");
  GstElement *seg = pipeline_load("common/segmenter", true, &err);
  ck_assert_msg(seg != NULL, "%s", err ? err : "");
  gst_bin_add_many(GST_BIN(p), src, seg, NULL);
  GstElement *mux = pipeline_get(seg, "mux"), *sink = pipeline_get(seg, "sink");
  ck_assert(gst_element_link_pads(src, "src", mux, "sink_%d"));
  GstPad *sp = gst_element_get_static_pad(src, "src");
  gst_pad_add_probe(sp, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, ask_cuts, cuts, NULL);
  gst_object_unref(sp);
  ck_assert_ptr_nonnull(segment_writer_attach(sink, dir, first, 0));

  GArray *out = g_array_new(FALSE, TRUE, sizeof(Seg));
  ck_assert_int_ne(gst_element_set_state(p, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  GstBus *bus = gst_element_get_bus(p);
  for (;;) {
    GstMessage *m = gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
    ck_assert_ptr_nonnull(m);
    GstMessageType t = GST_MESSAGE_TYPE(m);
    ck_assert_int_ne(t, GST_MESSAGE_ERROR);
    const GstStructure *s = gst_message_get_structure(m);
    if (t == GST_MESSAGE_ELEMENT && gst_structure_has_name(s, SEGMENT_WRITER_MESSAGE)) {
      ck_assert_ptr_eq(GST_MESSAGE_SRC(m), GST_OBJECT(sink));
      Seg x = {0};
      x.location = g_strdup(gst_structure_get_string(s, "location"));
      x.error = g_strdup(gst_structure_get_string(s, "error"));
      ck_assert(gst_structure_get_uint(s, "index", &x.index));
      ck_assert(gst_structure_get_uint64(s, "start", &x.start));
      ck_assert(gst_structure_get_uint64(s, "end", &x.end));
      ck_assert(gst_structure_get_uint64(s, "bytes", &x.bytes));
      g_array_append_val(out, x);
    }
    gst_message_unref(m);
    if (t == GST_MESSAGE_EOS)
      break;
  }
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  gst_object_unref(mux);
  gst_object_unref(sink);
  gst_object_unref(p);
  return out;
}

static void free_segs(GArray *a)
{
  for (guint i = 0; i < a->len; i++) {
    g_free(g_array_index(a, Seg, i).location);
    g_free(g_array_index(a, Seg, i).error);
  }
  g_array_unref(a);
}

static int files_in(const char *dir, const char *prefix)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  int n = 0;
  const char *name;
  while (d && (name = g_dir_read_name(d)))
    n += g_str_has_prefix(name, prefix);
  if (d)
    g_dir_close(d);
  return n;
}

START_TEST(cuts_at_each_key_unit_event)
{
  char *dir = tu_tmpdir();
  Cuts cuts = {{GST_SECOND, 2 * GST_SECOND}, 2, 0};
  GArray *segs = run(dir, 7, &cuts);
  ck_assert_uint_eq(segs->len, 3);
  GstClockTime starts[] = {GST_CLOCK_TIME_NONE, GST_SECOND, 2 * GST_SECOND};
  GstClockTime ends[] = {GST_SECOND, 2 * GST_SECOND, GST_CLOCK_TIME_NONE};
  guint64 total = 0;
  for (guint i = 0; i < segs->len; i++) {
    Seg *x = &g_array_index(segs, Seg, i);
    ck_assert_ptr_null(x->error);
    ck_assert_uint_eq(x->index, 7 + i);
    char *want = g_strdup_printf("%s/seg%06u.ts", dir, 7 + i);
    ck_assert_str_eq(x->location, want);
    g_free(want);
    ck_assert_uint_eq(x->start, starts[i]);
    ck_assert_uint_eq(x->end, ends[i]);
    /* The file is whole TS packets and starts with a PAT, so a player can join at it. */
    char *data = NULL;
    gsize len = 0;
    ck_assert(g_file_get_contents(x->location, &data, &len, NULL));
    ck_assert_uint_eq(len, x->bytes);
    ck_assert_uint_gt(len, 188);
    ck_assert_uint_eq(len % 188, 0);
    ck_assert_uint_eq((guint8)data[0], 0x47);
    ck_assert_uint_eq(((guint8)data[1] & 0x1f) << 8 | (guint8)data[2], 0); /* PID 0: PAT */
    total += len;
    g_free(data);
  }
  ck_assert_uint_gt(total, 1000);
  ck_assert_int_eq(files_in(dir, "seg"), 3);
  ck_assert_int_eq(files_in(dir, ".seg"), 0); /* no temporary left behind */
  free_segs(segs);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

START_TEST(no_event_means_one_file)
{
  char *dir = tu_tmpdir();
  Cuts none = {{0}, 0, 0};
  GArray *segs = run(dir, 0, &none);
  ck_assert_uint_eq(segs->len, 1);
  Seg *x = &g_array_index(segs, Seg, 0);
  ck_assert_ptr_null(x->error);
  ck_assert_uint_eq(x->start, GST_CLOCK_TIME_NONE);
  ck_assert_uint_eq(x->end, GST_CLOCK_TIME_NONE);
  ck_assert(g_str_has_suffix(x->location, "/seg000000.ts"));
  free_segs(segs);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

/* A directory that cannot be written: every segment reports why, the stream still ends. */
START_TEST(unwritable_directory_reports_each_segment)
{
  char *dir = tu_tmpdir();
  char *gone = g_build_filename(dir, "missing", NULL);
  Cuts cuts = {{GST_SECOND}, 1, 0};
  GArray *segs = run(gone, 0, &cuts);
  ck_assert_uint_eq(segs->len, 2);
  for (guint i = 0; i < segs->len; i++) {
    Seg *x = &g_array_index(segs, Seg, i);
    ck_assert_ptr_nonnull(x->error);
    ck_assert_msg(strstr(x->error, "No such file"), "%s", x->error);
    ck_assert(!g_file_test(x->location, G_FILE_TEST_EXISTS));
  }
  free_segs(segs);
  g_free(gone);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

static Suite *segment_writer_suite(void)
{
  gst_init(NULL, NULL);
  Suite *s = suite_create("segment_writer");
  TCase *tc = tcase_create("segment_writer");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, cuts_at_each_key_unit_event);
  tcase_add_test(tc, no_event_means_one_file);
  tcase_add_test(tc, unwritable_directory_reports_each_segment);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(segment_writer_suite)
