/* Tests for src/media/rendition.c: a rung built into a pipeline and run to end-of-stream on a
 * generated input, with both cut policies (fixed step, as imports; a cut list, as lives):
 * segments on the cuts, playlists, the master entry, a poster; what the probes measure. */
#include "media/rendition.h"
#include "media/pipeline.h"
#include "media/segment_writer.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

typedef struct {
  Rendition r;
  int listed, empty;
} Run;

/* 5 s of 320x240 I420 at 30 fps (and AAC) into R as a 160x120 rung, cut by POLICY. Lists the
 * segments as they come (as lives and imports do on their bus). */
static void run(Run *run, const char *dir, const Config *cfg, const RenditionPolicy *policy, bool audio)
{
  GError *e = NULL;
  GstElement *p = gst_parse_launch(
      "videotestsrc num-buffers=150 ! video/x-raw,format=I420,width=320,height=240,framerate=30/1 ! tee name=vt "
      "audiotestsrc num-buffers=200 ! avenc_aac ! aacparse ! tee name=at", &e);
  ck_assert_msg(p != NULL, "%s", e ? e->message : "");
  GstElement *vt = pipeline_get(p, "vt"), *at = pipeline_get(p, "at");
  Rendition *r = &run->r;
  r->r = (LadderRung){.name = "160p", .width = 160, .height = 120, .kbps = 300};
  r->pl = hls_playlist_new(2, G_MAXUINT);
  char *rdir = g_build_filename(dir, r->r.name, NULL);
  g_mkdir_with_parents(rdir, 0755);
  RenditionBuild b = {p, vt, audio ? at : NULL, "vod/rung-encode", rdir, cfg, 1, GST_SECOND, 30, policy};
  char *err = NULL;
  ck_assert_msg(rendition_build(r, &b, &err) == 0, "%s", err ? err : "");
  if (!audio) {
    /* The audio source has nowhere to go: end it. */
    GstElement *sink = gst_element_factory_make("fakesink", NULL);
    gst_bin_add(GST_BIN(p), sink);
    ck_assert(gst_element_link(at, sink));
  }
  ck_assert_int_ne(gst_element_set_state(p, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  GstBus *bus = gst_element_get_bus(p);
  RenditionSegmentOpts o = {.frame_ns = GST_SECOND / 30};
  for (;;) {
    GstMessage *m = gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
    ck_assert_msg(m != NULL, "no end-of-stream in 60 s");
    GstMessageType t = GST_MESSAGE_TYPE(m);
    if (t == GST_MESSAGE_ERROR) {
      GError *pe = NULL;
      gst_message_parse_error(m, &pe, NULL);
      ck_abort_msg("pipeline error: %s", pe->message);
    }
    if (t == GST_MESSAGE_ELEMENT && rendition_owns(r, m)) {
      char *serr = NULL;
      int rc = rendition_add_segment(r, gst_message_get_structure(m), &o, &serr);
      ck_assert_msg(rc == 0 || rc == -ENODATA, "segment: %d %s", rc, serr ? serr : "");
      run->listed += rc == 0;
      run->empty += rc == -ENODATA;
    }
    gst_message_unref(m);
    if (t == GST_MESSAGE_EOS)
      break;
  }
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  ck_assert_ptr_nonnull(r->sink);
  rendition_detach(r);
  ck_assert_ptr_null(r->sink);
  gst_object_unref(vt);
  gst_object_unref(at);
  gst_object_unref(p);
  g_free(rdir);
}

static void check_durations(const Rendition *r, const double *want, guint n)
{
  ck_assert_uint_eq(hls_playlist_count(r->pl), n);
  for (guint i = 0; i < n; i++) {
    const HlsSegment *s = hls_playlist_segment(r->pl, i);
    ck_assert_msg(s->duration > want[i] - 0.02 && s->duration < want[i] + 0.02, "segment %u: %.3f s, want %.3f",
                  i, s->duration, want[i]);
    ck_assert_uint_eq(s->seq, i);
    ck_assert_uint_gt(s->bytes, 0);
  }
}

static void on_poster(const char *error, void *user)
{
  ck_assert_msg(error == NULL, "%s", error);
  g_main_loop_quit(user);
}

/* Imports' policy: a cut every second; playlists, the master entry and a poster follow. */
START_TEST(fixed_step_cuts)
{
  Config cfg;
  config_init_defaults(&cfg);
  char *dir = tu_tmpdir();
  GstClockTime step = GST_SECOND;
  RenditionPolicy every = {rendition_cut_every_due, &step, GST_SECOND, NULL};
  Run rr = {0};
  run(&rr, dir, &cfg, &every, true);
  Rendition *r = &rr.r;
  const double want[] = {1, 1, 1, 1, 1};
  check_durations(r, want, 5);
  ck_assert_int_eq(rr.listed, 5);
  /* What the probes measured. */
  ck_assert_int_eq(g_atomic_int_get(&r->frames_out), 150);
  ck_assert_int_eq(g_atomic_int_get(&r->frames_in_q), 150);
  ck_assert_int_eq(g_atomic_int_get(&r->frames_out_q), 150);
  ck_assert_int_eq(r->late, 0);
  ck_assert_int_eq(r->first_rt, 0);
  ck_assert_int_eq(rendition_position(r), 149 * GST_SECOND / 30);
  ck_assert(g_atomic_int_get(&r->have_codecs));
  ck_assert(g_str_has_prefix(r->codecs, "avc1.64")); /* x264's High profile */
  ck_assert_int_eq(rendition_dropped(r), 0);

  /* Playlists: while open, the recording and the live view; once ended, the VOD list. */
  char *err = NULL;
  ck_assert_int_eq(rendition_write_playlists(r, dir, &err), 0);
  char *rec = g_build_filename(dir, "160p", "recording.m3u8", NULL);
  ck_assert(g_file_test(rec, G_FILE_TEST_EXISTS));
  g_unlink(rec);
  hls_playlist_end(r->pl);
  ck_assert_int_eq(rendition_write_playlists(r, dir, &err), 0);
  ck_assert(!g_file_test(rec, G_FILE_TEST_EXISTS));
  char *index = g_build_filename(dir, "160p", "index.m3u8", NULL);
  char *text = NULL;
  ck_assert(g_file_get_contents(index, &text, NULL, NULL));
  ck_assert(strstr(text, "#EXT-X-ENDLIST"));
  ck_assert(strstr(text, "seg000004.ts"));
  ck_assert(!strstr(text, "seg000005.ts"));
  for (int i = 0; i < 5; i++) {
    char name[32];
    g_snprintf(name, sizeof name, "seg%06d.ts", i);
    char *seg = g_build_filename(dir, "160p", name, NULL);
    ck_assert_msg(g_file_test(seg, G_FILE_TEST_EXISTS), "%s", name);
    g_free(seg);
  }
  RenditionVariant v;
  rendition_variant(r, "mp4a.40.2", 30, &v);
  ck_assert_str_eq(v.v.uri, "160p/index.m3u8");
  ck_assert(v.v.codecs == v.codecs && g_str_has_prefix(v.codecs, "avc1.64") && g_str_has_suffix(v.codecs, ",mp4a.40.2"));
  ck_assert_uint_gt(v.v.bandwidth, 0);
  ck_assert_uint_ge(v.v.bandwidth, v.v.average);
  ck_assert_int_eq(v.v.width, 160);
  rendition_variant(r, NULL, 0, &v);
  ck_assert_str_eq(v.codecs, r->codecs);

  GMainLoop *loop = g_main_loop_new(NULL, FALSE);
  char *jpg = g_build_filename(dir, "poster.jpg", NULL);
  Poster *poster = rendition_poster(r, dir, jpg, on_poster, loop, &err);
  ck_assert_msg(poster != NULL, "%s", err ? err : "");
  g_main_loop_run(loop);
  poster_free(&poster);
  ck_assert(g_file_test(jpg, G_FILE_TEST_EXISTS));
  g_main_loop_unref(loop);

  hls_playlist_free(&r->pl);
  g_free(jpg);
  g_free(text);
  g_free(index);
  g_free(rec);
  tu_rmtree(dir);
  g_free(dir);
  config_clear(&cfg);
}
END_TEST

/* Lives' policy: the cuts a planner put in a list (here in advance, at uneven times); a
 * frame leaving the encoder long after real time counts as late. */
START_TEST(cut_list_cuts)
{
  Config cfg;
  config_init_defaults(&cfg);
  char *dir = tu_tmpdir();
  RenditionCutList list;
  rendition_cut_list_init(&list);
  const GstClockTime cuts[] = {0, GST_SECOND, 5 * GST_SECOND / 2, 4 * GST_SECOND};
  g_array_append_vals(list.cuts, cuts, G_N_ELEMENTS(cuts));
  /* Real time began 100 s ago: every frame is far behind it. */
  RenditionClock clock = {g_get_monotonic_time() - 100 * G_USEC_PER_SEC, 2 * GST_SECOND};
  RenditionPolicy listed = {rendition_cut_list_due, &list, 1, &clock};
  Run rr = {0};
  run(&rr, dir, &cfg, &listed, false);
  Rendition *r = &rr.r;
  const double want[] = {1, 1.5, 1.5, 1};
  check_durations(r, want, 4);
  ck_assert_uint_eq(r->force_at, 4); /* every cut was taken, by the encoder ... */
  ck_assert_uint_eq(r->cut_at, 4);   /* ... and by the muxer */
  ck_assert_int_eq(g_atomic_int_get(&r->late), 150);

  /* The cursor semantics the probes rely on. */
  guint64 idx = 1;
  ck_assert(!rendition_cut_list_due(&list, &idx, GST_SECOND - 1));
  ck_assert(rendition_cut_list_due(&list, &idx, 3 * GST_SECOND));
  ck_assert_uint_eq(idx, 3);
  rendition_cut_list_reset(&list);
  ck_assert_uint_eq(list.cuts->len, 0);
  GstClockTime step = 2 * GST_SECOND;
  guint64 next = step;
  ck_assert(!rendition_cut_every_due(&step, &next, GST_CLOCK_TIME_NONE));
  ck_assert(!rendition_cut_every_due(&step, &next, step - 1));
  ck_assert(rendition_cut_every_due(&step, &next, 5 * GST_SECOND));
  ck_assert_uint_eq(next, 6 * GST_SECOND);

  hls_playlist_free(&r->pl);
  rendition_cut_list_clear(&list);
  tu_rmtree(dir);
  g_free(dir);
  config_clear(&cfg);
}
END_TEST

/* A writer's message that is not ours, an empty segment, a lost one. */
START_TEST(segment_messages)
{
  Rendition r = {.pl = hls_playlist_new(2, 5)};
  g_strlcpy(r.r.name, "x", sizeof r.r.name);
  r.first_rt = -1;
  char *dir = tu_tmpdir();
  char *f = tu_write(dir, "seg000000.ts", "");
  RenditionSegmentOpts o = {.frame_ns = GST_SECOND / 30, .dated = true, .wall_base_ms = 1000000};
  char *err = NULL;
  GstStructure *other = gst_structure_new_empty("something-else");
  ck_assert_int_eq(rendition_add_segment(&r, other, &o, &err), -ENOMSG);
  GstStructure *empty = gst_structure_new("lectern-segment", "location", G_TYPE_STRING, f, "index", G_TYPE_UINT, 0,
                                          "start", G_TYPE_UINT64, GST_CLOCK_TIME_NONE, "end", G_TYPE_UINT64,
                                          GST_CLOCK_TIME_NONE, "bytes", G_TYPE_UINT64, (guint64)0, NULL);
  ck_assert_int_eq(rendition_add_segment(&r, empty, &o, &err), -ENODATA);
  ck_assert(!g_file_test(f, G_FILE_TEST_EXISTS)); /* removed */
  GstStructure *lost = gst_structure_new("lectern-segment", "location", G_TYPE_STRING, f, "index", G_TYPE_UINT, 0,
                                         "start", G_TYPE_UINT64, (guint64)0, "end", G_TYPE_UINT64, GST_SECOND,
                                         "bytes", G_TYPE_UINT64, (guint64)0, "error", G_TYPE_STRING, "disk full", NULL);
  ck_assert_int_eq(rendition_add_segment(&r, lost, &o, &err), -EIO);
  ck_assert_str_eq(err, "disk full");
  g_free(err);
  /* Listed with its date; after a reconnect, a discontinuity before the first new segment. */
  GstStructure *ok = gst_structure_new("lectern-segment", "location", G_TYPE_STRING, f, "index", G_TYPE_UINT, 0,
                                       "start", G_TYPE_UINT64, 2 * GST_SECOND, "end", G_TYPE_UINT64, 4 * GST_SECOND,
                                       "bytes", G_TYPE_UINT64, (guint64)1000, NULL);
  o.discontinuity = true;
  o.discontinuity_seq = 1;
  ck_assert_int_eq(rendition_add_segment(&r, ok, &o, &err), 0);
  const HlsSegment *s = hls_playlist_segment(r.pl, 0);
  ck_assert_int_eq(s->pdt_ms, 1002000);
  ck_assert(!s->discontinuity);
  ck_assert_int_eq(rendition_add_segment(&r, ok, &o, &err), 0);
  ck_assert(hls_playlist_segment(r.pl, 1)->discontinuity);
  gst_structure_set(ok, "end", G_TYPE_UINT64, 7 * GST_SECOND, NULL);
  ck_assert_int_eq(rendition_add_segment(&r, ok, &o, &err), -ERANGE); /* 5 s over a 2 s target */
  ck_assert(!hls_playlist_segment(r.pl, 2)->discontinuity);
  ck_assert_uint_eq(hls_playlist_count(r.pl), 3);
  gst_structure_free(other);
  gst_structure_free(empty);
  gst_structure_free(lost);
  gst_structure_free(ok);
  hls_playlist_free(&r.pl);
  g_free(f);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

static GstStructure *part_message(const char *location, guint seg, guint part)
{
  return gst_structure_new(SEGMENT_WRITER_PART_MESSAGE, "location", G_TYPE_STRING, location, "segment",
                           G_TYPE_UINT, seg, "part", G_TYPE_UINT, part, "duration", G_TYPE_UINT64,
                           (guint64)(GST_SECOND / 2), "independent", G_TYPE_BOOLEAN, part == 0, "bytes",
                           G_TYPE_UINT64, (guint64)10, NULL);
}

/* Part files never outlive their use: those of a segment that was lost go when the next part
 * shows it (not at the live's end), and at the end every part file goes, also those no
 * playlist names (left by a server killed mid-live). Segments and other files stay. */
START_TEST(part_files_cleaned)
{
  Rendition r = {.pl = hls_playlist_new(2, 5)};
  g_strlcpy(r.r.name, "x", sizeof r.r.name);
  hls_playlist_set_parts(r.pl, 0.5);
  char *media = tu_tmpdir();
  g_autofree char *dir = g_build_filename(media, "x", NULL);
  g_mkdir_with_parents(dir, 0755);
  char *p0 = tu_write(dir, "seg000000-p0.ts", "a"), *p1 = tu_write(dir, "seg000000-p1.ts", "b");
  GstStructure *m0 = part_message(p0, 0, 0), *m1 = part_message(p1, 0, 1);
  char *err = NULL;
  ck_assert_int_eq(rendition_add_part(&r, m0, &err), 0);
  ck_assert_int_eq(rendition_add_part(&r, m1, &err), 0);
  ck_assert_uint_eq(hls_playlist_pending_parts(r.pl), 2);
  /* Segment 0 failed to write: the writer goes on with segment 1's first part. */
  char *q0 = tu_write(dir, "seg000001-p0.ts", "c");
  GstStructure *n0 = part_message(q0, 1, 0);
  ck_assert_int_eq(rendition_add_part(&r, n0, &err), 0);
  ck_assert_uint_eq(hls_playlist_pending_parts(r.pl), 0);
  ck_assert(!g_file_test(p0, G_FILE_TEST_EXISTS));
  ck_assert(!g_file_test(p1, G_FILE_TEST_EXISTS));
  ck_assert(!g_file_test(q0, G_FILE_TEST_EXISTS)); /* out of step: dropped too */

  /* At the end: strays from before a restart go, segments and the rest stay. */
  char *stray = tu_write(dir, "seg000007-p3.ts", "d"), *tmp = tu_write(dir, ".seg000008-p0.ts.tmp", "e");
  char *seg = tu_write(dir, "seg000007.ts", "f"), *pl = tu_write(dir, "recording.m3u8", "g");
  char *odd = tu_write(dir, "seg000007-p3.ts.bak", "h");
  rendition_drop_parts(&r, media);
  ck_assert(!g_file_test(stray, G_FILE_TEST_EXISTS));
  ck_assert(!g_file_test(tmp, G_FILE_TEST_EXISTS));
  ck_assert(g_file_test(seg, G_FILE_TEST_EXISTS));
  ck_assert(g_file_test(pl, G_FILE_TEST_EXISTS));
  ck_assert(g_file_test(odd, G_FILE_TEST_EXISTS));
  gst_structure_free(m0);
  gst_structure_free(m1);
  gst_structure_free(n0);
  g_free(p0), g_free(p1), g_free(q0), g_free(stray), g_free(tmp), g_free(seg), g_free(pl), g_free(odd);
  hls_playlist_free(&r.pl);
  tu_rmtree(media);
  g_free(media);
}
END_TEST

static Suite *rendition_suite(void)
{
  gst_init(NULL, NULL);
  Suite *s = suite_create("rendition");
  TCase *tc = tcase_create("rendition");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, fixed_step_cuts);
  tcase_add_test(tc, cut_list_cuts);
  tcase_add_test(tc, segment_messages);
  tcase_add_test(tc, part_files_cleaned);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(rendition_suite)
