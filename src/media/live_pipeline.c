/* live_pipeline: one publish's GStreamer pipeline (see live_pipeline.h).
 *
 *   appsrc (FLV) ▶ flvdemux ─▶ h264parse ▶ vtee ─┬─ live/rung-copy ─────────────────┐
 *     (live/ingest)          │    ▲ planner      └─ live/decode ▶ rawtee ▶ live/rung-encode ×N
 *                            └─▶ audio (live/audio-copy | decodebin ▶ live/audio-aac) ▶ atee
 *                                                  renditions (media/rendition.c) ◀┘
 *
 * The planner is a probe on the parsed source stream (streaming thread): it decides every
 * cut — at a source keyframe once a segment's length is reached (copy mode), or at the first
 * frame past each boundary when the presenter's keyframes are too far apart (encode mode) —
 * and appends it to the cut list every rendition acts on (its cut policy). */
#include "media/live_pipeline.h"
#include "core/log.h"
#include "media/encoder.h"
#include "media/pipeline.h"

#include <errno.h>
#include <gst/app/app.h>
#include <string.h>

#define SUB "live"

static void store64(gint64 *p, gint64 v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }

void live_pipeline_init(LivePipeline *lp, const char *id, LivePipelineEvents ev)
{
  memset(lp, 0, sizeof *lp);
  lp->id = id;
  lp->ev = ev;
  lp->batch = g_byte_array_new();
  rendition_cut_list_init(&lp->plan);
  lp->policy = (RenditionPolicy){rendition_cut_list_due, &lp->plan, 1 /* the first entry is the start */,
                                 &lp->clock};
}

void live_pipeline_clear(LivePipeline *lp)
{
  live_pipeline_teardown(lp);
  g_clear_pointer(&lp->batch, g_byte_array_unref);
  rendition_cut_list_clear(&lp->plan);
}

bool live_pipeline_running(const LivePipeline *lp) { return lp->pipeline != NULL; }

void live_pipeline_flush(LivePipeline *lp)
{
  if (!lp->batch->len || !lp->appsrc)
    return;
  gsize n = lp->batch->len;
  GstBuffer *buf = gst_buffer_new_wrapped(g_byte_array_free(lp->batch, FALSE), n);
  lp->batch = g_byte_array_new();
  gst_app_src_push_buffer(GST_APP_SRC(lp->appsrc), buf);
}

void live_pipeline_push(LivePipeline *lp, uint8_t type, uint32_t ts, const uint8_t *data, size_t len)
{
  flv_append_tag(lp->batch, type, ts, data, len);
  if (lp->batch->len >= LIVE_INGEST_BATCH_MAX_BYTES)
    live_pipeline_flush(lp);
}

void live_pipeline_end(LivePipeline *lp)
{
  if (!lp->pipeline || lp->draining)
    return;
  lp->draining = true;
  live_pipeline_flush(lp);
  gst_app_src_end_of_stream(GST_APP_SRC(lp->appsrc));
}

void live_pipeline_teardown(LivePipeline *lp)
{
  if (!lp->pipeline)
    return;
  g_byte_array_set_size(lp->batch, 0); /* the pipeline is going: nothing would read them */
  if (lp->bus_watch)
    g_source_remove(lp->bus_watch);
  lp->bus_watch = 0;
  gst_element_set_state(lp->pipeline, GST_STATE_NULL);
  gst_object_unref(lp->appsrc);
  gst_object_unref(lp->pipeline);
  lp->pipeline = NULL;
  lp->appsrc = NULL;
  for (int i = 0; i < lp->n; i++)
    rendition_detach(&lp->rungs[i]);
  lp->draining = false;
  rendition_cut_list_reset(&lp->plan);
}

/* ---- bus (main loop) ------------------------------------------------------------ */

static void ended(LivePipeline *lp, const char *why)
{
  lp->bus_watch = 0;
  live_pipeline_teardown(lp);
  lp->ev.done(lp->ev.user, why);
}

static gboolean on_bus(GstBus *bus, GstMessage *msg, gpointer user)
{
  (void)bus;
  LivePipeline *lp = user;
  switch (GST_MESSAGE_TYPE(msg)) {
  case GST_MESSAGE_ELEMENT: {
    const GstStructure *s = gst_message_get_structure(msg);
    for (int i = 0; s && i < lp->n; i++)
      if (rendition_owns(&lp->rungs[i], msg)) {
        lp->ev.segment(lp->ev.user, &lp->rungs[i], s);
        break;
      }
    break;
  }
  case GST_MESSAGE_EOS:
    ended(lp, "end of stream");
    return G_SOURCE_REMOVE;
  case GST_MESSAGE_ERROR: {
    GError *e = NULL;
    char *dbg = NULL;
    gst_message_parse_error(msg, &e, &dbg);
    log_error(SUB, "%s: pipeline error from %s: %s (%s)", lp->id, GST_OBJECT_NAME(msg->src),
              e->message, dbg ? dbg : "");
    g_error_free(e);
    g_free(dbg);
    ended(lp, "error");
    return G_SOURCE_REMOVE;
  }
  case GST_MESSAGE_WARNING: {
    GError *e = NULL;
    gst_message_parse_warning(msg, &e, NULL);
    log_warn(SUB, "%s: %s: %s", lp->id, GST_OBJECT_NAME(msg->src), e->message);
    g_error_free(e);
    break;
  }
  default:
    break;
  }
  return G_SOURCE_CONTINUE;
}

/* ---- streaming threads ---------------------------------------------------------- */

/* On the parsed source stream: decides every segment boundary. */
static GstPadProbeReturn on_source_frame(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  LivePipeline *lp = user;
  (void)pad;
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(ev) == GST_EVENT_SEGMENT) {
      g_mutex_lock(&lp->plan.lock);
      gst_event_copy_segment(ev, &lp->vsegment);
      g_mutex_unlock(&lp->plan.lock);
    }
    return GST_PAD_PROBE_OK;
  }
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  if (!GST_BUFFER_PTS_IS_VALID(buf))
    return GST_PAD_PROBE_OK;
  g_atomic_int_inc(&lp->frames_in);
  g_mutex_lock(&lp->plan.lock);
  GstClockTime rt = gst_segment_to_running_time(&lp->vsegment, GST_FORMAT_TIME, GST_BUFFER_PTS(buf));
  bool key = !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
  if (rt != GST_CLOCK_TIME_NONE) {
    store64(&lp->last_src_rt, (gint64)rt);
    if (lp->last_cut == GST_CLOCK_TIME_NONE) {
      lp->last_cut = rt; /* the first segment starts here */
      g_array_append_val(lp->plan.cuts, rt);
    } else if (rt > lp->last_cut && rt - lp->last_cut + LIVE_CUT_TOLERANCE_NS >= lp->target_ns &&
               (key || !lp->copy_mode)) {
      lp->last_cut = rt;
      g_array_append_val(lp->plan.cuts, rt);
    }
  }
  g_mutex_unlock(&lp->plan.lock);
  return GST_PAD_PROBE_OK;
}

static void on_demux_pad(GstElement *demux, GstPad *pad, gpointer user)
{
  LivePipeline *lp = user;
  (void)demux;
  const char *target = g_str_has_prefix(GST_PAD_NAME(pad), "video") ? "vqueue" : "aqueue";
  GstElement *q = gst_bin_get_by_name(GST_BIN(lp->pipeline), target);
  GstPad *sink = gst_element_get_static_pad(q, "sink");
  if (gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
    log_error(SUB, "%s: cannot link %s", lp->id, GST_PAD_NAME(pad));
  gst_object_unref(sink);
  gst_object_unref(q);
}

static void on_decoded_audio_pad(GstElement *dec, GstPad *pad, gpointer user)
{
  GstElement *abin = user;
  (void)dec;
  GstPad *sink = gst_element_get_static_pad(abin, "sink");
  if (!gst_pad_is_linked(sink) && gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
    log_error(SUB, "cannot link decoded audio to the AAC encoder");
  gst_object_unref(sink);
}

/* ---- building (main loop) ------------------------------------------------------- */

static GstElement *add_fragment(GstElement *pipeline, const char *name, char **err)
{
  GstElement *bin = pipeline_load(name, true, err);
  if (bin)
    gst_bin_add(GST_BIN(pipeline), bin);
  return bin;
}

/* Audio: copy AAC, transcode the rest, into ATEE. */
static int build_audio(LivePipeline *lp, const Config *cfg, const FlvInfo *flv, GstElement *atee, char **err)
{
  GstElement *p = lp->pipeline;
  GstElement *aq = gst_bin_get_by_name(GST_BIN(p), "aqueue");
  GstElement *abin = add_fragment(p, flv->audio_is_aac ? "live/audio-copy" : "live/audio-aac", err);
  if (abin && !flv->audio_is_aac) {
    GstElement *aenc = pipeline_get(abin, "aenc");
    if (aenc) {
      g_object_set(aenc, "bitrate", (gint)(cfg->audio_bitrate * 1000), NULL);
      gst_object_unref(aenc);
    }
  }
  bool ok;
  if (flv->audio_is_aac) {
    ok = abin && gst_element_link(aq, abin) && gst_element_link(abin, atee);
  } else {
    /* decodebin is plumbing: it picks the decoder for whatever flvdemux exposes. */
    GstElement *dec = gst_element_factory_make("decodebin", NULL);
    ok = abin && dec && gst_bin_add(GST_BIN(p), dec) && gst_element_link(aq, dec) &&
         gst_element_link(abin, atee);
    if (ok)
      g_signal_connect(dec, "pad-added", G_CALLBACK(on_decoded_audio_pad), abin);
  }
  gst_object_unref(aq);
  if (!ok) {
    if (!*err)
      *err = g_strdup("cannot link the audio branch");
    return -EINVAL;
  }
  return 0;
}

/* The decoder every encoded rendition reads from (once), ending in a tee. */
static GstElement *build_decoder(LivePipeline *lp, const Config *cfg, GstElement *vtee, char **err)
{
  GstElement *dbin = add_fragment(lp->pipeline, "live/decode", err);
  GstPad *src = dbin ? gst_element_request_pad_simple(vtee, "src_%u") : NULL;
  GstPad *sink = dbin ? gst_element_get_static_pad(dbin, "sink") : NULL;
  bool linked = src && sink && gst_pad_link(src, sink) == GST_PAD_LINK_OK;
  g_clear_pointer(&src, gst_object_unref);
  g_clear_pointer(&sink, gst_object_unref);
  if (!linked) {
    if (!*err)
      *err = g_strdup("cannot link the decoder");
    return NULL;
  }
  GstElement *dec = pipeline_get(dbin, "dec");
  if (dec) {
    g_object_set(dec, "max-threads", (gint)cfg->decode_threads, NULL);
    gst_object_unref(dec);
  }
  GstElement *rawtee = gst_element_factory_make("tee", "rawtee");
  gst_bin_add(GST_BIN(lp->pipeline), gst_object_ref(rawtee));
  if (!gst_element_link(dbin, rawtee)) {
    *err = g_strdup("cannot link the decoder to its tee");
    gst_object_unref(rawtee);
    return NULL;
  }
  return rawtee;
}

static gint64 wall_ms(void) { return g_get_real_time() / 1000; }

int live_pipeline_start(LivePipeline *lp, const Config *cfg, const FlvInfo *flv, const Ladder *ladder,
                        Rendition *rungs, const char *dir, const GByteArray *preroll, char **err)
{
  GstElement *rawtee = NULL, *vtee = NULL, *atee = NULL;
  lp->rungs = rungs;
  lp->n = ladder->n;
  GstElement *p = pipeline_load("live/ingest", false, err);
  if (!p)
    goto fail;
  lp->pipeline = gst_object_ref_sink(p);
  lp->appsrc = gst_bin_get_by_name(GST_BIN(p), "src");
  GstElement *demux = gst_bin_get_by_name(GST_BIN(p), "demux");
  g_signal_connect(demux, "pad-added", G_CALLBACK(on_demux_pad), lp);
  gst_object_unref(demux);

  lp->target_ns = (GstClockTime)cfg->live_segment_duration * GST_SECOND;
  uint32_t gop_ms = flv_gop_ms(flv);
  bool copy_ok = gop_ms <= cfg->live_segment_duration * 1000 + LIVE_CUT_TOLERANCE_NS / GST_MSECOND;
  lp->copy_mode = false;
  for (int i = 0; i < ladder->n; i++)
    lp->copy_mode |= ladder->rungs[i].copy;
  if (lp->copy_mode && !copy_ok) {
    log_warn(SUB, "%s: the presenter's keyframes are %u ms apart, over the %" G_GINT64_FORMAT
             " s segment length; segments follow their keyframes", lp->id, gop_ms,
             cfg->live_segment_duration);
  }
  if (!lp->copy_mode && ladder->n && !copy_ok)
    log_info(SUB, "%s: keyframes every %u ms; the source rendition is re-encoded on a %"
             G_GINT64_FORMAT " s schedule", lp->id, gop_ms, cfg->live_segment_duration);

  vtee = gst_bin_get_by_name(GST_BIN(p), "vtee");
  atee = gst_bin_get_by_name(GST_BIN(p), "atee");
  if (flv->have_audio && build_audio(lp, cfg, flv, atee, err) < 0)
    goto fail;

  /* Cut planner on the parsed source. */
  GstElement *vparse = gst_bin_get_by_name(GST_BIN(p), "vparse");
  GstPad *vsrc = gst_element_get_static_pad(vparse, "src");
  gst_pad_add_probe(vsrc, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                    on_source_frame, lp, NULL);
  gst_object_unref(vsrc);
  gst_object_unref(vparse);
  g_mutex_lock(&lp->plan.lock);
  lp->last_cut = GST_CLOCK_TIME_NONE;
  gst_segment_init(&lp->vsegment, GST_FORMAT_TIME);
  g_mutex_unlock(&lp->plan.lock);

  guint threads = encoder_x264_threads(cfg, ladder);
  for (int i = 0; i < ladder->n; i++) {
    Rendition *r = &rungs[i];
    if (!r->r.copy && !rawtee && !(rawtee = build_decoder(lp, cfg, vtee, err)))
      goto fail;
    g_autofree char *rdir = g_build_filename(dir, r->r.name, NULL);
    RenditionBuild b = {p, r->r.copy ? vtee : rawtee, flv->have_audio ? atee : NULL,
                        r->r.copy ? "live/rung-copy" : "live/rung-encode", rdir, cfg, threads,
                        lp->target_ns, flv->meta_fps, &lp->policy,
                        (GstClockTime)cfg->live_part_ms * GST_MSECOND};
    if (rendition_build(r, &b, err) < 0)
      goto fail;
    if (r->r.copy) {
      g_strlcpy(r->codecs, flv->src_codecs, sizeof r->codecs);
      r->have_codecs = true;
    }
  }
  g_clear_pointer(&rawtee, gst_object_unref);
  g_clear_pointer(&vtee, gst_object_unref);
  g_clear_pointer(&atee, gst_object_unref);

  GstBus *bus = gst_pipeline_get_bus(GST_PIPELINE(p));
  lp->bus_watch = gst_bus_add_watch(bus, on_bus, lp);
  gst_object_unref(bus);
  if (gst_element_set_state(p, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    *err = g_strdup("the pipeline would not start");
    goto fail;
  }
  lp->wall_base_ms = flv->first_wall_ms - flv->first_ts;
  {
    gint64 held_ms = wall_ms() - flv->first_wall_ms;
    lp->clock.run_base_us = g_get_monotonic_time() - (held_ms + (gint64)flv->first_ts) * 1000;
    lp->clock.late_after_ns = (gint64)lp->target_ns + held_ms * 1000000;
  }
  {
    GString *names = g_string_new(NULL);
    for (int i = 0; i < ladder->n; i++)
      g_string_append_printf(names, "%s%s %dx%d%s", i ? ", " : "", ladder->rungs[i].name,
                             ladder->rungs[i].width, ladder->rungs[i].height,
                             ladder->rungs[i].copy ? " (copy)" : "");
    log_info(SUB, "%s: pipeline started: source %dx%d %s%s; renditions: %s", lp->id, flv->src.width,
             flv->src.height, flv->src_codecs,
             flv->have_audio ? (flv->audio_is_aac ? " + AAC" : " + audio→AAC") : "", names->str);
    g_string_free(names, TRUE);
  }
  /* FLV header, then the tags held so far. */
  uint8_t hdr[FLV_HEADER_LEN];
  flv_header(hdr, flv->have_audio);
  gst_app_src_push_buffer(GST_APP_SRC(lp->appsrc), gst_buffer_new_memdup(hdr, sizeof hdr));
  gst_app_src_push_buffer(GST_APP_SRC(lp->appsrc), gst_buffer_new_memdup(preroll->data, preroll->len));
  return 0;

fail:
  g_clear_pointer(&rawtee, gst_object_unref);
  g_clear_pointer(&vtee, gst_object_unref);
  g_clear_pointer(&atee, gst_object_unref);
  if (!*err)
    *err = g_strdup("cannot build the live pipeline");
  live_pipeline_teardown(lp);
  return -EINVAL;
}
