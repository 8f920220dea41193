/* vod: transcodes an imported file into the HLS ladder (the layout of a live recording).
 *
 *   vod/decode (filesrc ! decodebin) ─┬─ vod/video ▶ tee ▶ vod/rung-encode ×N ┐
 *                                     │                 └▶ vod/storyboard     │
 *                                     └─ vod/audio ▶ tee ▶ common/audio-branch ×N ┴▶ common/segmenter ×N
 *
 * The renditions are src/media/rendition.c's, as a live's; the cut policy is the import's:
 * cuts fixed in advance, every [vod] segment_duration seconds of running time. The pipeline
 * is not live: it runs as fast as the slowest encoder. Everything but the renditions' probes
 * runs on the main loop. */
#include "media/vod.h"
#include "core/log.h"
#include "media/encoder.h"
#include "media/hls_playlist.h"
#include "media/pipeline.h"
#include "media/poster.h"
#include "media/rendition.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUB "vod"

struct VodJob {
  const Config *cfg;
  char *dir;
  ProbeInfo info;
  Ladder ladder;
  Rendition rungs[LADDER_MAX_RUNGS];
  GstClockTime seg_ns;
  RenditionPolicy cuts;       /* every seg_ns */
  GstElement *pipeline;
  GstElement *vin, *ain;      /* where decodebin's video and audio pads go */
  guint bus_watch;
  Poster *poster;
  VodDone done;
  void *user;
  VodResult result;
};

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
  RenditionVariant v[LADDER_MAX_RUNGS];
  HlsVariant hv[LADDER_MAX_RUNGS];
  int n = 0;
  for (int i = 0; i < job->ladder.n; i++) {
    Rendition *r = &job->rungs[i];
    if (!hls_playlist_count(r->pl)) {
      err = g_strdup_printf("rendition %s has no segment", r->r.name);
      break;
    }
    hls_playlist_end(r->pl);
    if (rendition_write_playlists(r, job->dir, &err) < 0)
      break;
    rendition_variant(r, job->ain ? "mp4a.40.2" : NULL, job->info.fps, &v[n]);
    hv[n] = v[n].v;
    VodRendition *out = &job->result.r[n];
    g_strlcpy(out->name, r->r.name, sizeof out->name);
    out->width = r->r.width;
    out->height = r->r.height;
    out->peak = v[n].v.bandwidth;
    out->average = v[n].v.average;
    g_strlcpy(out->codecs, v[n].codecs, sizeof out->codecs);
    out->fps = job->info.fps;
    n++;
  }
  if (!err) {
    g_autofree char *master = hls_master_render(hv, (size_t)n);
    write_text(job, "master.m3u8", master, &err);
  }
  if (err) {
    job_end(job, err);
    g_free(err);
    return;
  }
  Rendition *r0 = &job->rungs[0];
  job->result.duration = hls_playlist_duration(r0->pl);
  job->result.renditions = n;
  job->result.thumbnails = write_storyboard(job, job->result.duration, &err);
  if (err) {
    job_end(job, err);
    g_free(err);
    return;
  }
  g_autofree char *out = g_build_filename(job->dir, "poster.jpg", NULL);
  job->poster = rendition_poster(r0, job->dir, out, on_poster, job, &err);
  if (!job->poster) {
    log_warn(SUB, "%s: %s", job->dir, err);
    g_free(err);
    job_end(job, NULL);
  }
}

static void on_segment(VodJob *job, Rendition *r, const GstStructure *s, char **err)
{
  double fps = job->info.fps > 0 ? job->info.fps : 30;
  RenditionSegmentOpts o = {.frame_ns = (GstClockTime)(GST_SECOND / fps)};
  char *e = NULL;
  if (rendition_add_segment(r, s, &o, &e) == -EIO) {
    *err = g_strdup_printf("rendition %s: %s", r->r.name, e);
    g_free(e);
  }
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
      if (rendition_owns(&job->rungs[i], msg))
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

static bool build_rung(VodJob *job, Rendition *r, GstElement *vtee, GstElement *atee, guint threads, char **err)
{
  g_autofree char *dir = g_build_filename(job->dir, r->r.name, NULL);
  g_mkdir_with_parents(dir, 0755);
  RenditionBuild b = {job->pipeline, vtee, atee, "vod/rung-encode", dir, job->cfg, threads,
                      job->seg_ns, job->info.fps, &job->cuts};
  return rendition_build(r, &b, err) == 0;
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
  job->cuts = (RenditionPolicy){rendition_cut_every_due, &job->seg_ns, job->seg_ns, NULL};
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
    Rendition *r = &job->rungs[i];
    r->r = job->ladder.rungs[i];
    r->pl = hls_playlist_new((int)cfg->vod_segment_duration, G_MAXUINT);
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
    pos = MIN(pos, rendition_position(&job->rungs[i]));
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
    rendition_detach(&job->rungs[i]);
    hls_playlist_free(&job->rungs[i].pl);
  }
  g_free(job->dir);
  g_free(job);
  *pj = NULL;
}
