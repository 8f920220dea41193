/* vod: transcodes an imported file into the HLS ladder (the layout of a live recording).
 *
 *   vod/decode (filesrc ! decodebin) ─┬─ vod/video ▶ tee ▶ vod/rung-encode ×N ┐
 *                                     │                 └▶ vod/storyboard     │
 *                                     └─ vod/audio ▶ tee ▶ live/audio-branch ×N ┴▶ live/segmenter ×N
 *
 * Cuts are fixed in advance: every [vod] segment_duration seconds of running time. Each
 * rendition asks its x264 for a keyframe at the first frame at or past the next cut (after
 * its queue) and its muxer for a new segment at that keyframe (segment_writer), so every
 * rendition has the same boundaries. The pipeline is not live: it runs as fast as the
 * slowest encoder. Everything but the two probes per rendition runs on the main loop. */
#include "media/vod.h"
#include "core/log.h"
#include "media/encoder.h"
#include "media/hls_playlist.h"
#include "media/pipeline.h"
#include "media/poster.h"
#include "media/segment_writer.h"

#include <errno.h>
#include <gst/video/video.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUB "vod"

typedef struct {
  VodJob *job;
  LadderRung r;
  HlsPlaylist *pl;
  GstElement *sink;           /* the segmenter's fakesink: its messages list segments */
  GstClockTime next_force;    /* queue thread: the next cut to ask the encoder for */
  GstClockTime next_cut;      /* encoder output thread: the next cut to ask the muxer for */
  gint64 first_rt, last_rt;   /* atomic */
  char codecs[48];
  gint have_codecs;           /* atomic */
} VRung;

struct VodJob {
  const Config *cfg;
  char *dir;
  ProbeInfo info;
  Ladder ladder;
  VRung rungs[LADDER_MAX_RUNGS];
  GstClockTime seg_ns;
  GstElement *pipeline;
  GstElement *vin, *ain;      /* where decodebin's video and audio pads go */
  guint bus_watch;
  Poster *poster;
  VodDone done;
  void *user;
  VodResult result;
};

static gint64 load64(gint64 *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static void store64(gint64 *p, gint64 v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }

/* Advances *NEXT past RT by whole segments; true if RT reached it. */
static bool cut_due(GstClockTime *next, GstClockTime rt, GstClockTime seg_ns)
{
  if (rt == GST_CLOCK_TIME_NONE || rt < *next)
    return false;
  while (*next <= rt)
    *next += seg_ns;
  return true;
}

/* ---- probes (streaming threads) ------------------------------------------------------- */

static GstPadProbeReturn on_queue_out(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  VRung *r = user;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  GstClockTime rt = pipeline_running_time(pad, buf);
  if (cut_due(&r->next_force, rt, r->job->seg_ns))
    gst_pad_push_event(pad, gst_video_event_new_downstream_force_key_unit(GST_BUFFER_PTS(buf),
                                                                          GST_BUFFER_PTS(buf), rt, TRUE, 0));
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn on_encoded(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  VRung *r = user;
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)
    return segment_writer_is_foreign_key_unit(GST_PAD_PROBE_INFO_EVENT(info)) ? GST_PAD_PROBE_DROP
                                                                                : GST_PAD_PROBE_OK;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  GstClockTime rt = pipeline_running_time(pad, buf);
  bool key = !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
  if (rt != GST_CLOCK_TIME_NONE) {
    gint64 unset = -1;
    __atomic_compare_exchange_n(&r->first_rt, &unset, (gint64)rt, FALSE, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    if (key && cut_due(&r->next_cut, rt, r->job->seg_ns))
      gst_pad_push_event(pad, segment_writer_cut_event(GST_BUFFER_PTS(buf), rt));
    store64(&r->last_rt, (gint64)rt);
  }
  encoder_note_codecs(buf, r->codecs, sizeof r->codecs, &r->have_codecs);
  return GST_PAD_PROBE_OK;
}

/* decodebin's pads: video and audio to their fragments; anything else stays unlinked. */
static void on_decoded_pad(GstElement *dec, GstPad *pad, gpointer user)
{
  (void)dec;
  VodJob *job = user;
  GstCaps *caps = gst_pad_get_current_caps(pad);
  const char *name = caps ? gst_structure_get_name(gst_caps_get_structure(caps, 0)) : "";
  GstElement *to = g_str_has_prefix(name, "video/") ? job->vin : g_str_has_prefix(name, "audio/") ? job->ain : NULL;
  if (to) {
    GstPad *sink = gst_element_get_static_pad(to, "sink");
    if (!gst_pad_is_linked(sink) && gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
      log_warn(SUB, "cannot link the decoded %s", name);
    gst_object_unref(sink);
  }
  if (caps)
    gst_caps_unref(caps);
}

/* Every pad is out: a branch still unlinked (its decoder is missing) ends at once, so the
 * muxers do not wait for it. */
static void on_no_more_pads(GstElement *dec, gpointer user)
{
  (void)dec;
  VodJob *job = user;
  GstElement *ends[] = {job->vin, job->ain};
  for (size_t i = 0; i < G_N_ELEMENTS(ends); i++) {
    if (!ends[i])
      continue;
    GstPad *sink = gst_element_get_static_pad(ends[i], "sink");
    if (!gst_pad_is_linked(sink)) {
      log_warn(SUB, "%s: no decoded %s stream; it is left out", job->dir, i ? "audio" : "video");
      gst_pad_send_event(sink, gst_event_new_eos());
    }
    gst_object_unref(sink);
  }
}

/* ---- main loop ---------------------------------------------------------------------------- */

static void job_end(VodJob *job, const char *error)
{
  if (job->bus_watch) {
    g_source_remove(job->bus_watch);
    job->bus_watch = 0;
  }
  if (job->pipeline)
    gst_element_set_state(job->pipeline, GST_STATE_NULL);
  job->done(error, error ? NULL : &job->result, job->user);
}

static void on_poster(const char *error, void *user)
{
  VodJob *job = user;
  if (error)
    log_warn(SUB, "%s: poster failed: %s", job->dir, error);
  job->result.poster = !error;
  job_end(job, NULL);
}

static void write_text(VodJob *job, const char *rel, const char *text, char **err)
{
  g_autofree char *path = g_build_filename(job->dir, rel, NULL);
  if (!*err)
    hls_write_atomic(path, text, err);
}

static void vtt_time(GString *out, double t)
{
  gint64 ms = (gint64)llround(t * 1000);
  g_string_append_printf(out, "%02" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT ".%03" G_GINT64_FORMAT,
                         ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

/* storyboard.vtt: one cue per thumbnail the storyboard branch wrote, up to DURATION. */
static int write_storyboard(VodJob *job, double duration, char **err)
{
  double step = (double)job->cfg->vod_storyboard_interval;
  GString *vtt = g_string_new("WEBVTT\n");
  int n = 0;
  for (;; n++) {
    g_autofree char *rel = g_strdup_printf("storyboard/thumb%05d.jpg", n);
    g_autofree char *path = g_build_filename(job->dir, rel, NULL);
    if (n * step >= duration || !g_file_test(path, G_FILE_TEST_EXISTS))
      break;
    g_string_append_c(vtt, '\n');
    vtt_time(vtt, n * step);
    g_string_append(vtt, " --> ");
    vtt_time(vtt, MIN((n + 1) * step, duration));
    g_string_append_printf(vtt, "\n%s\n", rel);
  }
  if (n > 0)
    write_text(job, "storyboard.vtt", vtt->str, err);
  g_string_free(vtt, TRUE);
  return n;
}

/* End of stream: VOD playlists, master, storyboard index, poster. */
static void finish(VodJob *job)
{
  char *err = NULL;
  HlsVariant v[LADDER_MAX_RUNGS];
  char uris[LADDER_MAX_RUNGS][48], codecs[LADDER_MAX_RUNGS][64];
  int n = 0;
  for (int i = 0; i < job->ladder.n; i++) {
    VRung *r = &job->rungs[i];
    if (!hls_playlist_count(r->pl)) {
      err = g_strdup_printf("rendition %s has no segment", r->r.name);
      break;
    }
    hls_playlist_end(r->pl);
    g_autofree char *text = hls_playlist_render(r->pl, HLS_VIEW_LIVE);
    g_snprintf(uris[n], sizeof uris[n], "%s/index.m3u8", r->r.name);
    write_text(job, uris[n], text, &err);
    guint64 peak = 0, avg = 0;
    hls_playlist_bitrates(r->pl, &peak, &avg);
    g_snprintf(codecs[n], sizeof codecs[n], "%s%s", r->codecs, job->ain ? ",mp4a.40.2" : "");
    v[n] = (HlsVariant){uris[n], peak, avg, codecs[n], r->r.width, r->r.height, job->info.fps};
    VodRendition *out = &job->result.r[n];
    g_strlcpy(out->name, r->r.name, sizeof out->name);
    out->width = r->r.width;
    out->height = r->r.height;
    out->peak = peak;
    out->average = avg;
    g_strlcpy(out->codecs, codecs[n], sizeof out->codecs);
    out->fps = job->info.fps;
    n++;
  }
  if (!err) {
    g_autofree char *master = hls_master_render(v, (size_t)n);
    write_text(job, "master.m3u8", master, &err);
  }
  if (err) {
    job_end(job, err);
    g_free(err);
    return;
  }
  VRung *r0 = &job->rungs[0];
  job->result.duration = hls_playlist_duration(r0->pl);
  job->result.renditions = n;
  job->result.thumbnails = write_storyboard(job, job->result.duration, &err);
  if (err) {
    job_end(job, err);
    g_free(err);
    return;
  }
  guint count = hls_playlist_count(r0->pl);
  const HlsSegment *s = hls_playlist_segment(r0->pl, MIN(count - 1, count / 10));
  g_autofree char *seg = g_build_filename(job->dir, r0->r.name, s->uri, NULL);
  g_autofree char *out = g_build_filename(job->dir, "poster.jpg", NULL);
  job->poster = poster_start(seg, out, 640, r0->r.width, r0->r.height, on_poster, job, &err);
  if (!job->poster) {
    log_warn(SUB, "%s: %s", job->dir, err);
    g_free(err);
    job_end(job, NULL);
  }
}

static void on_segment(VodJob *job, VRung *r, const GstStructure *s, char **err)
{
  SegmentDone seg;
  if (!segment_writer_read(s, &seg))
    return;
  const char *location = seg.location, *error = seg.error;
  guint64 start = seg.start, end = seg.end, bytes = seg.bytes;
  if (error) {
    *err = g_strdup_printf("rendition %s: %s", r->r.name, error);
    return;
  }
  if (start == GST_CLOCK_TIME_NONE)
    start = (guint64)MAX(load64(&r->first_rt), 0);
  if (end == GST_CLOCK_TIME_NONE) {
    double fps = job->info.fps > 0 ? job->info.fps : 30;
    end = (guint64)load64(&r->last_rt) + (guint64)(GST_SECOND / fps);
  }
  if (end <= start || bytes == 0) {
    unlink(location);
    return;
  }
  g_autofree char *base = g_path_get_basename(location);
  hls_playlist_add(r->pl, base, (end - start) / 1e9, 0, bytes);
}

static gboolean on_bus(GstBus *bus, GstMessage *msg, gpointer user)
{
  (void)bus;
  VodJob *job = user;
  char *err = NULL;
  switch (GST_MESSAGE_TYPE(msg)) {
  case GST_MESSAGE_ELEMENT: {
    const GstStructure *s = gst_message_get_structure(msg);
    for (int i = 0; s && i < job->ladder.n; i++)
      if (GST_MESSAGE_SRC(msg) == GST_OBJECT(job->rungs[i].sink) && gst_structure_has_name(s, SEGMENT_WRITER_MESSAGE))
        on_segment(job, &job->rungs[i], s, &err);
    break;
  }
  case GST_MESSAGE_EOS:
    job->bus_watch = 0;
    gst_element_set_state(job->pipeline, GST_STATE_NULL);
    finish(job);
    return G_SOURCE_REMOVE;
  case GST_MESSAGE_ERROR: {
    GError *e = NULL;
    gst_message_parse_error(msg, &e, NULL);
    err = g_strdup_printf("%s: %s", GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), e->message);
    g_error_free(e);
    break;
  }
  default:
    break;
  }
  if (err) {
    job->bus_watch = 0;
    job_end(job, err);
    g_free(err);
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

/* ---- building ----------------------------------------------------------------------------- */

static GstElement *add_fragment(VodJob *job, const char *name, char **err)
{
  GstElement *bin = pipeline_load(name, true, err);
  if (bin)
    gst_bin_add(GST_BIN(job->pipeline), bin);
  return bin;
}

static GstElement *add_tee(VodJob *job, GstElement *after)
{
  GstElement *tee = gst_element_factory_make("tee", NULL);
  gst_bin_add(GST_BIN(job->pipeline), tee);
  return gst_element_link(after, tee) ? tee : NULL;
}

static bool build_rung(VodJob *job, VRung *r, GstElement *vtee, GstElement *atee, guint threads, char **err)
{
  GstElement *vbin = add_fragment(job, "vod/rung-encode", err);
  GstElement *segbin = vbin ? add_fragment(job, "live/segmenter", err) : NULL;
  if (!segbin)
    return false;
  GstElement *size = pipeline_get(vbin, "size"), *enc = pipeline_get(vbin, "enc"), *q = pipeline_get(vbin, "q");
  GstElement *mux = pipeline_get(segbin, "mux");
  r->sink = pipeline_get(segbin, "sink");
  GstCaps *caps = gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, r->r.width, "height", G_TYPE_INT,
                                      r->r.height, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  g_object_set(size, "caps", caps, NULL);
  gst_caps_unref(caps);
  encoder_set_x264(enc, job->cfg, threads, r->r.kbps, job->seg_ns, job->info.fps);
  GstPad *qsrc = gst_element_get_static_pad(q, "src");
  gst_pad_add_probe(qsrc, GST_PAD_PROBE_TYPE_BUFFER, on_queue_out, r, NULL);
  gst_object_unref(qsrc);
  GstPad *vout = gst_element_get_static_pad(vbin, "src");
  gst_pad_add_probe(vout, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_encoded, r, NULL);
  gst_object_unref(vout);
  g_autofree char *dir = g_build_filename(job->dir, r->r.name, NULL);
  g_mkdir_with_parents(dir, 0755);
  segment_writer_attach(r->sink, dir, 0);
  bool ok = gst_element_link_pads(vtee, "src_%u", vbin, "sink") &&
            gst_element_link_pads(vbin, "src", mux, "sink_%d");
  if (ok && atee) {
    GstElement *abr = add_fragment(job, "live/audio-branch", err);
    ok = abr && gst_element_link_pads(atee, "src_%u", abr, "sink") &&
         gst_element_link_pads(abr, "src", mux, "sink_%d");
  }
  gst_object_unref(size);
  gst_object_unref(enc);
  gst_object_unref(q);
  gst_object_unref(mux);
  if (!ok && !*err)
    *err = g_strdup_printf("cannot link rendition %s", r->r.name);
  return ok;
}

/* Thumbnails 160 pixels wide (height from the picture, even) every storyboard_interval. */
static bool build_storyboard(VodJob *job, GstElement *vtee, int w, int h, char **err)
{
  GstElement *sb = add_fragment(job, "vod/storyboard", err);
  if (!sb)
    return false;
  GstElement *rate = pipeline_get(sb, "rate"), *size = pipeline_get(sb, "size"), *sink = pipeline_get(sb, "sink");
  GstCaps *caps = gst_caps_new_simple("video/x-raw", "framerate", GST_TYPE_FRACTION, 1,
                                      (int)job->cfg->vod_storyboard_interval, NULL);
  g_object_set(rate, "caps", caps, NULL);
  gst_caps_unref(caps);
  int tw = 160, th = MAX(2, (h * tw / MAX(w, 1)) & ~1);
  caps = gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, tw, "height", G_TYPE_INT, th,
                             "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  g_object_set(size, "caps", caps, NULL);
  gst_caps_unref(caps);
  g_autofree char *dir = g_build_filename(job->dir, "storyboard", NULL);
  g_autofree char *location = g_build_filename(dir, "thumb%05d.jpg", NULL);
  g_mkdir_with_parents(dir, 0755);
  g_object_set(sink, "location", location, NULL);
  gst_object_unref(rate);
  gst_object_unref(size);
  gst_object_unref(sink);
  if (!gst_element_link_pads(vtee, "src_%u", sb, "sink")) {
    *err = g_strdup("cannot link the storyboard");
    return false;
  }
  return true;
}

VodJob *vod_start(const char *src, const ProbeInfo *info, const char *out_dir, const Config *cfg,
                  const Ladder *spec, VodDone done, void *user, char **err)
{
  *err = NULL;
  VodJob *job = g_new0(VodJob, 1);
  job->cfg = cfg;
  job->dir = g_strdup(out_dir);
  job->info = *info;
  job->done = done;
  job->user = user;
  job->seg_ns = (GstClockTime)cfg->vod_segment_duration * GST_SECOND;
  int w, h;
  probe_display_size(info, &w, &h);
  double fps = info->fps > 0 ? info->fps : 30;
  int source_kbps = (int)CLAMP(w * h * fps * 0.1 / 1000, 500, 8000);
  ladder_fit(spec, w, h, false, source_kbps, &job->ladder);
  guint threads = encoder_x264_threads(cfg, &job->ladder);

  GstElement *p = pipeline_load("vod/decode", false, err);
  if (!p)
    goto fail;
  job->pipeline = gst_object_ref_sink(p);
  GstElement *fsrc = pipeline_get(p, "src"), *dec = pipeline_get(p, "dec");
  g_object_set(fsrc, "location", src, NULL);
  g_signal_connect(dec, "pad-added", G_CALLBACK(on_decoded_pad), job);
  g_signal_connect(dec, "no-more-pads", G_CALLBACK(on_no_more_pads), job);
  gst_object_unref(fsrc);
  gst_object_unref(dec);

  job->vin = add_fragment(job, "vod/video", err);
  GstElement *vtee = job->vin ? add_tee(job, job->vin) : NULL, *atee = NULL;
  if (!vtee)
    goto fail;
  if (info->has_audio) {
    job->ain = add_fragment(job, "vod/audio", err);
    if (!job->ain || !(atee = add_tee(job, job->ain)))
      goto fail;
    GstElement *aenc = pipeline_get(job->ain, "aenc");
    g_object_set(aenc, "bitrate", (gint)(cfg->audio_bitrate * 1000), NULL);
    gst_object_unref(aenc);
  }
  for (int i = 0; i < job->ladder.n; i++) {
    VRung *r = &job->rungs[i];
    r->job = job;
    r->r = job->ladder.rungs[i];
    r->pl = hls_playlist_new((int)cfg->vod_segment_duration, G_MAXUINT);
    r->next_force = r->next_cut = job->seg_ns;
    r->first_rt = -1;
    if (!build_rung(job, r, vtee, atee, threads, err))
      goto fail;
  }
  if (!build_storyboard(job, vtee, w, h, err))
    goto fail;
  GstBus *bus = gst_pipeline_get_bus(GST_PIPELINE(p));
  job->bus_watch = gst_bus_add_watch(bus, on_bus, job);
  gst_object_unref(bus);
  if (gst_element_set_state(p, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *err = g_strdup("the transcode pipeline would not start");
    goto fail;
  }
  return job;

fail:
  if (!*err)
    *err = g_strdup("cannot build the transcode pipeline");
  vod_free(&job);
  return NULL;
}

double vod_progress(VodJob *job)
{
  if (!job || job->info.duration <= 0)
    return 0;
  gint64 pos = G_MAXINT64;
  for (int i = 0; i < job->ladder.n; i++)
    pos = MIN(pos, load64(&job->rungs[i].last_rt));
  return CLAMP(pos / 1e9 / job->info.duration, 0, 1);
}

void vod_free(VodJob **pj)
{
  VodJob *job = *pj;
  if (!job)
    return;
  if (job->bus_watch)
    g_source_remove(job->bus_watch);
  poster_free(&job->poster);
  if (job->pipeline) {
    gst_element_set_state(job->pipeline, GST_STATE_NULL);
    gst_object_unref(job->pipeline);
  }
  for (int i = 0; i < LADDER_MAX_RUNGS; i++) {
    g_clear_pointer(&job->rungs[i].sink, gst_object_unref);
    hls_playlist_free(&job->rungs[i].pl);
  }
  g_free(job->dir);
  g_free(job);
  *pj = NULL;
}
