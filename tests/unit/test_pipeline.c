/* Tests for src/media/pipeline.c and every file in pipelines/: each parses and runs to end-of-stream. */
#include "media/pipeline.h"
#include "media/segment_writer.h"
#include "testutil.h"

#include <gst/app/app.h>
#include <string.h>

/* Runs P to EOS (or error, or 60 s). Returns true on EOS. */
static bool run_to_eos(GstElement *p)
{
  ck_assert_int_ne(gst_element_set_state(p, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  GstBus *bus = gst_element_get_bus(p);
  GstMessage *m = gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  bool eos = m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS;
  if (m && !eos) {
    GError *e = NULL;
    gst_message_parse_error(m, &e, NULL);
    fprintf(stderr, "pipeline error: %s\n", e->message);
    g_error_free(e);
  }
  if (m)
    gst_message_unref(m);
  gst_object_unref(bus);
  gst_element_set_state(p, GST_STATE_NULL);
  return eos;
}

/* HEAD ! <fragment NAME> ! TAIL, as one pipeline. Returns it (owned). */
static GstElement *wrap(const char *head, const char *name, const char *tail, GstElement **frag_out)
{
  GError *e = NULL;
  GstElement *p = gst_pipeline_new(NULL);
  GstElement *h = gst_parse_bin_from_description(head, TRUE, &e);
  ck_assert_msg(h != NULL, "%s", e ? e->message : "");
  char *err = NULL;
  GstElement *frag = pipeline_load(name, true, &err);
  ck_assert_msg(frag != NULL, "%s", err ? err : "");
  GstElement *t = gst_parse_bin_from_description(tail, TRUE, &e);
  ck_assert(t != NULL);
  gst_bin_add_many(GST_BIN(p), h, frag, t, NULL);
  ck_assert(gst_element_link_many(h, frag, t, NULL));
  if (frag_out)
    *frag_out = frag;
  return p;
}

#define H264_320 "videotestsrc num-buffers=60 ! video/x-raw,width=320,height=240,framerate=30/1 " \
                 "! x264enc tune=zerolatency key-int-max=30 ! h264parse " \
                 "! capsfilter caps=video/x-h264,stream-format=byte-stream,alignment=au"

START_TEST(fragments_run_to_eos)
{
  struct { const char *name, *head, *tail; } cases[] = {
    {"live/audio-copy", "audiotestsrc num-buffers=40 ! avenc_aac ! aacparse", "fakesink"},
    {"live/audio-aac", "audiotestsrc num-buffers=40 ! capsfilter caps=audio/x-raw,rate=48000,channels=1", "fakesink"},
    {"common/audio-branch", "audiotestsrc num-buffers=40 ! avenc_aac ! aacparse", "fakesink"},
    {"live/decode", H264_320, "fakesink"},
    {"live/rung-copy", H264_320, "fakesink"},
    {"live/rung-encode", "videotestsrc num-buffers=60 ! capsfilter caps=video/x-raw,width=320,height=240", "fakesink name=out"},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    GstElement *frag = NULL;
    GstElement *p = wrap(cases[i].head, cases[i].name, cases[i].tail, &frag);
    if (!strcmp(cases[i].name, "live/rung-encode")) {
      GstElement *size = pipeline_get(frag, "size");
      GstCaps *caps = gst_caps_from_string("video/x-raw,width=160,height=120");
      g_object_set(size, "caps", caps, NULL);
      gst_caps_unref(caps);
      gst_object_unref(size);
      GstElement *enc = pipeline_get(frag, "enc");
      ck_assert_ptr_nonnull(enc);
      gst_object_unref(enc);
    }
    ck_assert_msg(run_to_eos(p), "%s did not reach end-of-stream", cases[i].name);
    gst_object_unref(p);
  }
}
END_TEST

/* The segmenter muxes to MPEG-TS (segment_writer writes the file); the poster pipeline
 * makes a JPEG from it. */
START_TEST(segmenter_and_poster_run_to_eos)
{
  char *dir = tu_tmpdir();
  char *err = NULL;
  GstElement *seg = pipeline_load("common/segmenter", true, &err);
  ck_assert_msg(seg != NULL, "%s", err ? err : "");
  GstElement *mux = pipeline_get(seg, "mux"), *fsink = pipeline_get(seg, "sink");
  ck_assert(mux && fsink);
  ck_assert_ptr_nonnull(segment_writer_attach(fsink, dir, 0, 0));
  GstElement *p = gst_pipeline_new(NULL);
  GError *e = NULL;
  GstElement *src = gst_parse_bin_from_description(H264_320, TRUE, &e);
  gst_bin_add_many(GST_BIN(p), src, seg, NULL);
  ck_assert(gst_element_link_pads(src, "src", mux, "sink_%d"));
  gst_object_unref(mux);
  gst_object_unref(fsink);
  ck_assert(run_to_eos(p));
  gst_object_unref(p);
  char *first = g_build_filename(dir, "seg000000.ts", NULL);
  ck_assert(g_file_test(first, G_FILE_TEST_EXISTS));

  GstElement *poster = pipeline_load("common/poster", false, &err);
  ck_assert_msg(poster != NULL, "%s", err ? err : "");
  char *jpg = g_build_filename(dir, "poster.jpg", NULL);
  GstElement *fs = pipeline_get(poster, "src"), *sink = pipeline_get(poster, "sink"),
             *size = pipeline_get(poster, "size");
  g_object_set(fs, "location", first, NULL);
  g_object_set(sink, "location", jpg, NULL);
  GstCaps *caps = gst_caps_from_string("video/x-raw,width=160,height=120");
  g_object_set(size, "caps", caps, NULL);
  gst_caps_unref(caps);
  gst_object_unref(fs);
  gst_object_unref(sink);
  gst_object_unref(size);
  ck_assert(run_to_eos(poster));
  gst_object_unref(poster);
  char *data = NULL;
  gsize len = 0;
  ck_assert(g_file_get_contents(jpg, &data, &len, NULL));
  ck_assert_uint_gt(len, 100);
  ck_assert_uint_eq((guint8)data[0], 0xff); /* JPEG SOI */
  ck_assert_uint_eq((guint8)data[1], 0xd8);
  g_free(data);
  g_free(jpg);
  g_free(first);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

static void on_demux_pad(GstElement *demux, GstPad *pad, gpointer user)
{
  (void)demux;
  GstElement *p = user;
  GstElement *q = pipeline_get(p, g_str_has_prefix(GST_PAD_NAME(pad), "video") ? "vqueue" : "aqueue");
  GstPad *sink = gst_element_get_static_pad(q, "sink");
  ck_assert_int_eq(gst_pad_link(pad, sink), GST_PAD_LINK_OK);
  gst_object_unref(sink);
  gst_object_unref(q);
}

/* The ingest pipeline takes FLV bytes (made here by flvmux) to its tees. */
START_TEST(ingest_runs_to_eos)
{
  GError *e = NULL;
  GstElement *maker = gst_parse_launch(
      "videotestsrc num-buffers=60 ! video/x-raw,width=320,height=240,framerate=30/1 "
      "! x264enc tune=zerolatency key-int-max=30 ! h264parse ! flvmux name=m streamable=true ! appsink name=out sync=false "
      "audiotestsrc num-buffers=40 ! avenc_aac ! aacparse ! m.", &e);
  ck_assert_msg(maker != NULL, "%s", e ? e->message : "");
  GstElement *out = gst_bin_get_by_name(GST_BIN(maker), "out");
  gst_element_set_state(maker, GST_STATE_PLAYING);
  GByteArray *flv = g_byte_array_new();
  GstSample *s;
  while ((s = gst_app_sink_pull_sample(GST_APP_SINK(out)))) {
    GstMapInfo map;
    GstBuffer *b = gst_sample_get_buffer(s);
    gst_buffer_map(b, &map, GST_MAP_READ);
    g_byte_array_append(flv, map.data, (guint)map.size);
    gst_buffer_unmap(b, &map);
    gst_sample_unref(s);
  }
  gst_element_set_state(maker, GST_STATE_NULL);
  gst_object_unref(out);
  gst_object_unref(maker);
  ck_assert_uint_gt(flv->len, 1000);

  char *err = NULL;
  GstElement *p = pipeline_load("live/ingest", false, &err);
  ck_assert_msg(p != NULL, "%s", err ? err : "");
  gst_object_ref_sink(p);
  GstElement *vtee = pipeline_get(p, "vtee"), *atee = pipeline_get(p, "atee"),
             *aq = pipeline_get(p, "aqueue"), *demux = pipeline_get(p, "demux"),
             *vq = pipeline_get(p, "vqueue"), *src = pipeline_get(p, "src");
  GstElement *vsink = gst_element_factory_make("fakesink", NULL);
  GstElement *asink = gst_element_factory_make("fakesink", NULL);
  GstElement *abin = pipeline_load("live/audio-copy", true, &err);
  gst_bin_add_many(GST_BIN(p), vsink, asink, abin, NULL);
  ck_assert(gst_element_link(vtee, vsink));
  ck_assert(gst_element_link_many(aq, abin, atee, asink, NULL));
  /* flvdemux pads appear with the data: link them as src/media/live.c does. */
  g_signal_connect(demux, "pad-added", G_CALLBACK(on_demux_pad), p);
  gst_app_src_push_buffer(GST_APP_SRC(src), gst_buffer_new_memdup(flv->data, flv->len));
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  ck_assert(run_to_eos(p));
  gst_object_unref(vtee);
  gst_object_unref(atee);
  gst_object_unref(aq);
  gst_object_unref(vq);
  gst_object_unref(demux);
  gst_object_unref(src);
  gst_object_unref(p);
  g_byte_array_unref(flv);
}
END_TEST

/* A new file in pipelines/ must get a test: here, or (vod/) in test_vod, which runs every
 * vod file, and every common/ file to end-of-stream. */
START_TEST(every_pipeline_file_is_tested)
{
  static const char *tested[] = {"live/ingest", "live/audio-copy", "live/audio-aac", "common/audio-branch",
                                 "live/decode", "live/rung-copy", "live/rung-encode", "common/segmenter",
                                 "common/poster", "vod/decode", "vod/video", "vod/audio", "vod/rung-encode",
                                 "vod/storyboard"};
  const char *areas[] = {"common", "live", "vod"};
  int files = 0;
  for (size_t a = 0; a < G_N_ELEMENTS(areas); a++) {
    char *dir = g_build_filename(pipeline_dir(), areas[a], NULL);
    GDir *d = g_dir_open(dir, 0, NULL);
    ck_assert_ptr_nonnull(d);
    const char *name;
    while ((name = g_dir_read_name(d))) {
      if (!g_str_has_suffix(name, ".pipeline"))
        continue;
      files++;
      bool found = false;
      for (size_t i = 0; i < G_N_ELEMENTS(tested); i++) {
        char *f = g_strdup_printf("%s.pipeline", tested[i]);
        char *have = g_strdup_printf("%s/%s", areas[a], name);
        found |= !strcmp(f, have);
        g_free(f);
        g_free(have);
      }
      ck_assert_msg(found, "pipelines/%s/%s has no test", areas[a], name);
    }
    g_dir_close(d);
    g_free(dir);
  }
  ck_assert_int_eq(files, G_N_ELEMENTS(tested));
}
END_TEST

START_TEST(missing_and_broken_files_are_errors)
{
  char *err = NULL;
  ck_assert_ptr_null(pipeline_load("live/no-such-thing", true, &err));
  ck_assert(strstr(err, "no-such-thing"));
  g_free(err);
  char *dir = tu_tmpdir();
  char *sub = g_build_filename(dir, "t", NULL);
  g_mkdir(sub, 0755);
  char *f = tu_write(sub, "broken.pipeline", "# a comment\nfakesrc ! no-such-element-xyz\n");
  g_setenv("LECTERN_PIPELINES_DIR", dir, TRUE);
  err = NULL;
  ck_assert_ptr_null(pipeline_load("t/broken", false, &err));
  ck_assert(strstr(err, "t/broken"));
  g_free(err);
  char *text = pipeline_read("t/broken", &err);
  ck_assert_str_eq(text, "fakesrc ! no-such-element-xyz ");
  g_free(text);
  g_unsetenv("LECTERN_PIPELINES_DIR");
  g_free(f);
  g_free(sub);
  tu_rmtree(dir);
  g_free(dir);
}
END_TEST

static Suite *pipeline_suite(void)
{
  gst_init(NULL, NULL);
  Suite *s = suite_create("pipeline");
  TCase *tc = tcase_create("pipeline");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, fragments_run_to_eos);
  tcase_add_test(tc, segmenter_and_poster_run_to_eos);
  tcase_add_test(tc, ingest_runs_to_eos);
  tcase_add_test(tc, every_pipeline_file_is_tested);
  tcase_add_test(tc, missing_and_broken_files_are_errors);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(pipeline_suite)
