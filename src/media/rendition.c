/* rendition: one rung of the ladder, shared by lives and imports (see rendition.h).
 *
 * The two probes run in streaming threads and touch only the rendition's cursors, atomics and
 * the policy (whose cut list has its own lock); everything else runs on the main loop. */
#include "media/rendition.h"
#include "media/encoder.h"
#include "media/pipeline.h"
#include "media/segment_writer.h"

#include <errno.h>
#include <gst/video/video.h>
#include <unistd.h>

static gint64 load64(const gint64 *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static void store64(gint64 *p, gint64 v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }

/* ---- cut policies --------------------------------------------------------------- */

void rendition_cut_list_init(RenditionCutList *l)
{
  g_mutex_init(&l->lock);
  l->cuts = g_array_new(FALSE, FALSE, sizeof(GstClockTime));
}

void rendition_cut_list_clear(RenditionCutList *l)
{
  if (!l->cuts)
    return;
  g_array_unref(l->cuts);
  l->cuts = NULL;
  g_mutex_clear(&l->lock);
}

void rendition_cut_list_reset(RenditionCutList *l)
{
  g_mutex_lock(&l->lock);
  g_array_set_size(l->cuts, 0);
  g_mutex_unlock(&l->lock);
}

bool rendition_cut_list_due(void *user, guint64 *idx, GstClockTime rt)
{
  RenditionCutList *l = user;
  bool any = false;
  g_mutex_lock(&l->lock);
  while (*idx < l->cuts->len && g_array_index(l->cuts, GstClockTime, *idx) <= rt) {
    (*idx)++;
    any = true;
  }
  g_mutex_unlock(&l->lock);
  return any;
}

bool rendition_cut_every_due(void *user, guint64 *next, GstClockTime rt)
{
  GstClockTime step = *(const GstClockTime *)user;
  if (rt == GST_CLOCK_TIME_NONE || rt < *next)
    return false;
  while (*next <= rt)
    *next += step;
  return true;
}

/* ---- probes (streaming threads) ------------------------------------------------- */

static GstPadProbeReturn on_queue_in(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  (void)pad;
  (void)info;
  g_atomic_int_inc(&((Rendition *)user)->frames_in_q);
  return GST_PAD_PROBE_OK;
}

/* After the queue, before the scaler and encoder: a keyframe at every cut. */
static GstPadProbeReturn on_queue_out(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  Rendition *r = user;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  g_atomic_int_inc(&r->frames_out_q);
  GstClockTime rt = pipeline_running_time(pad, buf);
  if (rt != GST_CLOCK_TIME_NONE && r->policy->due(r->policy->user, &r->force_at, rt))
    gst_pad_push_event(pad, gst_video_event_new_downstream_force_key_unit(
                                GST_BUFFER_PTS(buf), GST_BUFFER_PTS(buf), rt, TRUE, 0));
  return GST_PAD_PROBE_OK;
}

/* A rendition's video on its way to the muxer: a segment boundary at the first keyframe
 * at or past each cut; codecs string from the first SPS; lateness; progress. */
static GstPadProbeReturn on_encoded(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  Rendition *r = user;
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    /* The encoder announces the keyframes it was asked for; the muxer hears only ours. */
    return segment_writer_is_foreign_key_unit(GST_PAD_PROBE_INFO_EVENT(info)) ? GST_PAD_PROBE_DROP
                                                                                : GST_PAD_PROBE_OK;
  }
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  g_atomic_int_inc(&r->frames_out);
  GstClockTime rt = pipeline_running_time(pad, buf);
  if (rt != GST_CLOCK_TIME_NONE) {
    gint64 unset = -1;
    __atomic_compare_exchange_n(&r->first_rt, &unset, (gint64)rt, FALSE, __ATOMIC_RELAXED,
                                __ATOMIC_RELAXED);
    if (!GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT) &&
        r->policy->due(r->policy->user, &r->cut_at, rt))
      gst_pad_push_event(pad, segment_writer_cut_event(GST_BUFFER_PTS(buf), rt));
    store64(&r->last_rt, (gint64)rt);
    const RenditionClock *c = r->policy->clock;
    if (c) {
      /* Behind real time by more than a segment (plus what was held back
       * while a live's shape was learnt): late. */
      gint64 lag = (g_get_monotonic_time() - c->run_base_us) * 1000 - (gint64)rt;
      if (lag > c->late_after_ns)
        g_atomic_int_inc(&r->late);
    }
  }
  encoder_note_codecs(buf, r->codecs, sizeof r->codecs, &r->have_codecs);
  return GST_PAD_PROBE_OK;
}

/* ---- building ------------------------------------------------------------------- */

static GstElement *add_fragment(GstElement *pipeline, const char *name, char **err)
{
  GstElement *bin = pipeline_load(name, true, err);
  if (bin)
    gst_bin_add(GST_BIN(pipeline), bin);
  return bin;
}

/* FROM's src pad (or a new request pad of template FROM_TMPL) to TO's TO_PAD (static or
 * requested). */
static bool link_request(GstElement *from, const char *from_tmpl, GstElement *to, const char *to_pad)
{
  GstPad *src = from_tmpl ? gst_element_request_pad_simple(from, from_tmpl)
                          : gst_element_get_static_pad(from, "src");
  GstPad *sink = gst_element_get_static_pad(to, to_pad);
  if (!sink)
    sink = gst_element_request_pad_simple(to, to_pad);
  bool ok = src && sink && gst_pad_link(src, sink) == GST_PAD_LINK_OK;
  if (src)
    gst_object_unref(src);
  if (sink)
    gst_object_unref(sink);
  return ok;
}

static void add_probe(GstElement *el, const char *pad, GstPadProbeType type, GstPadProbeCallback cb,
                      Rendition *r)
{
  GstPad *p = gst_element_get_static_pad(el, pad);
  gst_pad_add_probe(p, type, cb, r, NULL);
  gst_object_unref(p);
}

/* The encoder's settings: size, x264, and the probes around the queue. */
static int setup_encoder(Rendition *r, GstElement *vbin, const RenditionBuild *b, char **err)
{
  GstElement *size = pipeline_get(vbin, "size"), *enc = pipeline_get(vbin, "enc");
  r->queue = pipeline_get(vbin, "q");
  if (!size || !enc || !r->queue) {
    g_clear_pointer(&size, gst_object_unref);
    g_clear_pointer(&enc, gst_object_unref);
    *err = g_strdup_printf("%s needs elements named q, size and enc", b->fragment);
    return -EINVAL;
  }
  GstCaps *caps = gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, r->r.width,
                                      "height", G_TYPE_INT, r->r.height,
                                      "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  g_object_set(size, "caps", caps, NULL);
  gst_caps_unref(caps);
  gst_object_unref(size);
  encoder_set_x264(enc, b->cfg, b->threads, r->r.kbps, b->segment_ns, b->fps);
  gst_object_unref(enc);
  add_probe(r->queue, "sink", GST_PAD_PROBE_TYPE_BUFFER, on_queue_in, r);
  add_probe(r->queue, "src", GST_PAD_PROBE_TYPE_BUFFER, on_queue_out, r);
  return 0;
}

int rendition_build(Rendition *r, const RenditionBuild *b, char **err)
{
  GstElement *segbin = add_fragment(b->pipeline, "common/segmenter", err);
  if (!segbin)
    return -EINVAL;
  GstElement *mux = pipeline_get(segbin, "mux");
  r->sink = pipeline_get(segbin, "sink");
  if (!mux || !r->sink) {
    g_clear_pointer(&mux, gst_object_unref);
    *err = g_strdup("common/segmenter needs elements named mux and sink");
    return -EINVAL;
  }
  hls_playlist_drop_pending_parts(r->pl); /* a pipeline torn down mid-segment left them */
  segment_writer_attach(r->sink, b->dir, (guint)hls_playlist_next_seq(r->pl), b->part_ns);
  r->policy = b->policy;
  r->force_at = r->cut_at = b->policy->start;
  store64(&r->first_rt, -1);
  g_atomic_int_set(&r->have_codecs, 0);

  int rc = -EINVAL;
  GstElement *vbin = add_fragment(b->pipeline, b->fragment, err);
  if (!vbin)
    goto out;
  if (!r->r.copy && (rc = setup_encoder(r, vbin, b, err)) < 0)
    goto out;
  rc = -EINVAL;
  if (!link_request(b->video, "src_%u", vbin, "sink")) {
    *err = g_strdup_printf("cannot link rendition %s to its source", r->r.name);
    goto out;
  }
  add_probe(vbin, "src", GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_encoded, r);
  bool linked = gst_element_link_pads(vbin, "src", mux, "sink_%d");
  if (linked && b->audio) {
    GstElement *abr = add_fragment(b->pipeline, "common/audio-branch", err);
    linked = abr && link_request(b->audio, "src_%u", abr, "sink") &&
             gst_element_link_pads(abr, "src", mux, "sink_%d");
  }
  if (!linked) {
    if (!*err)
      *err = g_strdup_printf("cannot link rendition %s to its muxer", r->r.name);
    goto out;
  }
  rc = 0;
out:
  gst_object_unref(mux);
  return rc;
}

void rendition_detach(Rendition *r)
{
  g_clear_pointer(&r->sink, gst_object_unref);
  g_clear_pointer(&r->queue, gst_object_unref);
}

bool rendition_owns(const Rendition *r, const GstMessage *msg)
{
  return r->sink && GST_MESSAGE_SRC(msg) == GST_OBJECT(r->sink);
}

/* ---- segments and playlists (main loop) ------------------------------------------ */

static void forget_old_parts(Rendition *r, const char *seg_location);

/* Removes the files of the segment-being-written's parts and forgets them. */
static void unlink_pending_parts(Rendition *r, const char *dir)
{
  for (guint i = 0; i < hls_playlist_pending_parts(r->pl); i++) {
    g_autofree char *path = g_build_filename(dir, hls_playlist_pending_part_uri(r->pl, i), NULL);
    unlink(path);
  }
  hls_playlist_drop_pending_parts(r->pl);
}

int rendition_add_segment(Rendition *r, const GstStructure *s, const RenditionSegmentOpts *o, char **err)
{
  SegmentDone seg;
  if (!segment_writer_read(s, &seg))
    return -ENOMSG;
  if (seg.error) {
    *err = g_strdup(seg.error);
    return -EIO;
  }
  GstClockTime start = seg.start, end = seg.end;
  if (start == GST_CLOCK_TIME_NONE)
    start = (GstClockTime)MAX(load64(&r->first_rt), 0);
  /* A segment closed by end-of-stream ends where its last frame ends. */
  if (end == GST_CLOCK_TIME_NONE)
    end = (GstClockTime)load64(&r->last_rt) + o->frame_ns;
  if (end <= start || seg.bytes == 0) {
    unlink(seg.location);
    return -ENODATA;
  }
  g_autofree char *base = g_path_get_basename(seg.location);
  if (hls_playlist_part_target(r->pl) > 0)
    forget_old_parts(r, seg.location);
  gint64 pdt = o->dated ? o->wall_base_ms + (gint64)(start / GST_MSECOND) : 0;
  if (o->discontinuity && hls_playlist_next_seq(r->pl) == o->discontinuity_seq)
    hls_playlist_mark_discontinuity(r->pl);
  int rc = hls_playlist_add(r->pl, base, (end - start) / 1e9, pdt, seg.bytes) == -ERANGE ? -ERANGE : 0;
  if (hls_playlist_part_target(r->pl) > 0) {
    char hint[64];
    g_snprintf(hint, sizeof hint, SEGMENT_WRITER_PART_NAME, (guint)hls_playlist_next_seq(r->pl), 0u);
    hls_playlist_set_hint(r->pl, hint);
  }
  return rc;
}

int rendition_add_part(Rendition *r, const GstStructure *s, char **err)
{
  PartDone p;
  if (!segment_writer_read_part(s, &p))
    return -ENOMSG;
  if (p.error || p.segment != hls_playlist_next_seq(r->pl) ||
      p.part != hls_playlist_pending_parts(r->pl)) {
    /* A part lost (or out of step, e.g. after its segment failed): the segment is listed
     * without parts, and the files of the parts written before go at once. */
    if (p.error)
      *err = g_strdup_printf("%s: %s", p.location, p.error);
    g_autofree char *dir = g_path_get_dirname(p.location);
    unlink_pending_parts(r, dir);
    hls_playlist_set_hint(r->pl, NULL);
    if (!p.error)
      unlink(p.location);
    return p.error ? -EIO : 0;
  }
  g_autofree char *base = g_path_get_basename(p.location);
  double dur = p.duration == GST_CLOCK_TIME_NONE ? -1 : p.duration / 1e9;
  hls_playlist_add_part(r->pl, base, dur, p.independent);
  char hint[64];
  if (p.duration == GST_CLOCK_TIME_NONE)
    g_snprintf(hint, sizeof hint, SEGMENT_WRITER_PART_NAME, p.segment + 1, 0u);
  else
    g_snprintf(hint, sizeof hint, SEGMENT_WRITER_PART_NAME, p.segment, p.part + 1);
  hls_playlist_set_hint(r->pl, hint);
  return 0;
}

static void unlink_parts(Rendition *r, const char *dir, guint i)
{
  const HlsSegment *s = hls_playlist_segment(r->pl, i);
  for (guint k = 0; s && s->parts && k < s->parts->len; k++) {
    g_autofree char *path = g_build_filename(dir, g_array_index(s->parts, HlsPart, k).uri, NULL);
    unlink(path);
  }
  hls_playlist_forget_parts(r->pl, i);
}

/* Parts are listed for the last few segments; their files are kept a little longer (a
 * player may still be fetching them), then removed: the segment has the same bytes. */
static void forget_old_parts(Rendition *r, const char *seg_location)
{
  guint n = hls_playlist_count(r->pl);
  if (n < RENDITION_PART_FILES_KEPT)
    return;
  g_autofree char *dir = g_path_get_dirname(seg_location);
  unlink_parts(r, dir, n - RENDITION_PART_FILES_KEPT);
}

void rendition_drop_parts(Rendition *r, const char *media_dir)
{
  g_autofree char *dir = g_build_filename(media_dir, r->r.name, NULL);
  for (guint i = 0; i < hls_playlist_count(r->pl); i++)
    unlink_parts(r, dir, i);
  unlink_pending_parts(r, dir);
  hls_playlist_set_hint(r->pl, NULL);
  /* Parts no playlist knows of any more (a server killed mid-live: the recording it restarts
   * from lists segments only) are found by their name. */
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    const char *p = name[0] == '.' ? name + 1 : name;  /* ".seg…-p….ts.tmp": cut off mid-write */
    char *end = NULL;
    guint64 seg = g_ascii_strtoull(p + MIN(strlen(p), 3), &end, 10), part = 0;
    if (g_str_has_prefix(p, "seg") && end && g_str_has_prefix(end, "-p"))
      part = g_ascii_strtoull(end + 2, &end, 10);
    else
      continue;
    char want[64];
    g_snprintf(want, sizeof want, SEGMENT_WRITER_PART_NAME "%s", (guint)seg, (guint)part, p == name ? "" : ".tmp");
    if (!strcmp(p, want)) {
      g_autofree char *path = g_build_filename(dir, name, NULL);
      unlink(path);
    }
  }
  if (d)
    g_dir_close(d);
}

static int write_file(const char *media_dir, const char *name, const char *file, const char *text, char **err)
{
  g_autofree char *path = g_build_filename(media_dir, name, file, NULL);
  char *e = NULL;
  int rc = hls_write_atomic(path, text, &e);
  if (rc < 0) {
    if (!*err)
      *err = g_strdup_printf("%s/%s: %s", name, file, e);
    g_free(e);
  }
  return rc;
}

int rendition_write_playlists(const Rendition *r, const char *media_dir, char **err)
{
  return rendition_write_playlists_with(r, NULL, 0, true, media_dir, err);
}

int rendition_write_playlists_with(const Rendition *r, const Rendition *all, int n, bool recording,
                                   const char *media_dir, char **err)
{
  int rc = 0;
  HlsReport rep[LADDER_MAX_RUNGS];
  char uris[LADDER_MAX_RUNGS][48];
  size_t nrep = 0;
  for (int i = 0; i < n && i < LADDER_MAX_RUNGS; i++) {
    if (&all[i] == r || !hls_playlist_last_part(all[i].pl, &rep[nrep].last_msn, &rep[nrep].last_part))
      continue;
    g_snprintf(uris[nrep], sizeof uris[nrep], "../%s/index.m3u8", all[i].r.name);
    rep[nrep].uri = uris[nrep];
    nrep++;
  }
  g_autofree char *live_text = hls_playlist_render_reports(r->pl, HLS_VIEW_LIVE, rep, nrep);
  if (recording && !hls_playlist_ended(r->pl)) {
    g_autofree char *event = hls_playlist_render(r->pl, HLS_VIEW_EVENT);
    rc = write_file(media_dir, r->r.name, "recording.m3u8", event, err);
  }
  int rc2 = write_file(media_dir, r->r.name, "index.m3u8", live_text, err);
  return rc < 0 ? rc : rc2;
}

void rendition_variant(const Rendition *r, const char *audio_codecs, double fps, RenditionVariant *out)
{
  guint64 peak = 0, avg = 0;
  hls_playlist_bitrates(r->pl, &peak, &avg);
  g_snprintf(out->uri, sizeof out->uri, "%s/index.m3u8", r->r.name);
  if (audio_codecs && *audio_codecs)
    g_snprintf(out->codecs, sizeof out->codecs, "%s,%s", r->codecs, audio_codecs);
  else
    g_strlcpy(out->codecs, r->codecs, sizeof out->codecs);
  out->v = (HlsVariant){out->uri, peak, avg, out->codecs, r->r.width, r->r.height, fps};
}

Poster *rendition_poster(const Rendition *r, const char *media_dir, const char *out, PosterDone done,
                         void *user, char **err)
{
  guint n = hls_playlist_count(r->pl);
  if (!n)
    return NULL;
  const HlsSegment *s = hls_playlist_segment(r->pl, MIN(n - 1, n / 10));
  g_autofree char *seg = g_build_filename(media_dir, r->r.name, s->uri, NULL);
  return poster_start(seg, out, 640, r->r.width, r->r.height, done, user, err);
}

gint64 rendition_position(const Rendition *r) { return load64(&r->last_rt); }

gint64 rendition_dropped(const Rendition *r)
{
  if (!r->queue)
    return 0;
  guint level = 0;
  g_object_get(r->queue, "current-level-buffers", &level, NULL);
  gint64 dropped = (gint64)g_atomic_int_get(&r->frames_in_q) - g_atomic_int_get(&r->frames_out_q) - level;
  return MAX(dropped, 0);
}
