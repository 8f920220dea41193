/* live: lifecycle of every live lesson — publish → pipeline → HLS ladder → recording → ready.
 *
 *   RTMP publish ──▶ LiveStream (one per video; outlives reconnects)
 *                      │ FLV tags, buffered until the stream's shape is known
 *                      │ (AVC header, audio or not, keyframe interval)
 *                      ▼
 *                    pipeline: ingest ▶ [copy rung] + decode ▶ [encoded rungs] ▶ mpegtsmux
 *                      │ segment_writer: a file per segment, message on the bus (main loop)
 *                      ▼
 *                    HlsPlaylist per rung ▶ index.m3u8 (live window), recording.m3u8 (all)
 *
 * Segment alignment: a probe on the parsed source stream (streaming thread)
 * decides every cut — at a source keyframe once a segment's length is reached
 * (copy mode), or at the first frame past each boundary when the presenter's
 * keyframes are too far apart (encode mode). Each rendition then acts on the
 * same list of cut times: a force-key-unit event to its encoder at the first
 * frame at or past a cut (after its leaky queue, so no drop can lose it), and
 * a force-key-unit event to its muxer at that keyframe, which makes the
 * segment writer start a new file. All renditions share segment boundaries
 * and media sequence numbers, and a segment is listed as soon as the next
 * one's keyframe leaves the encoder.
 *
 * Everything but the probes runs on the main loop; the probes only touch
 * the planner (under its mutex) and atomic counters. */
#include "media/live.h"
#include "auth/token.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/util.h"
#include "db/db_video.h"
#include "media/encoder.h"
#include "media/h264.h"
#include "media/hls_playlist.h"
#include "media/ladder.h"
#include "media/pipeline.h"
#include "media/poster.h"
#include "media/segment_writer.h"
#include "rtmp/amf0.h"

#include <errno.h>
#include <gst/app/app.h>
#include <gst/video/video.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUB "live"
#define PREROLL_MAX_BYTES (32u << 20)   /* tags held while the stream's shape is learnt */
#define PREROLL_NO_AUDIO_MS 1500        /* video this long without audio: no audio */
#define CUT_TOLERANCE_NS (100 * GST_MSECOND)
#define INGEST_BATCH_MAX_BYTES (1u << 20) /* a batch this big is handed on at once */

typedef struct LiveStream LiveStream;

typedef struct {
  LiveStream *ls;
  LadderRung r;
  int index;
  GstElement *sink;         /* the segmenter's fakesink: segment messages come from it */
  GstElement *queue;        /* encoded rungs: the leaky queue */
  HlsPlaylist *pl;
  char codecs[48];
  gint have_codecs;          /* atomic */
  guint force_idx;          /* encoder: next entry of ls->cuts to force (queue thread) */
  guint mux_idx;            /* muxer: next entry of ls->cuts to cut at (encoder output thread) */
  gint64 first_rt;          /* atomic: running time of this pipeline's first frame, -1 before */
  gint frames_in_q, frames_out_q, frames_out, late; /* atomics */
  gint64 last_out_rt;       /* atomic (__atomic_*): running time of the last encoded frame */
} Rung;

typedef struct {
  LiveStream *ls;
} Publisher;

typedef enum {
  LS_WAITING,   /* scheduled, or waiting for a publisher to come back */
  LS_LIVE,      /* a publisher is sending */
  LS_FINISHING, /* the recording is being closed (poster) */
} LsState;

struct LiveStream {
  Live *live;
  char *id;
  char *dir;
  LsState state;
  Publisher *pub;
  bool ever_live;
  bool clean_end;          /* the last publisher unpublished deliberately */
  guint grace_timer;
  guint sample_timer;

  /* What the publisher sends, learnt before the pipeline is built. */
  GByteArray *preroll;     /* FLV tags */
  GByteArray *batch;       /* FLV tags of the current read, not yet handed to the pipeline */
  bool have_avc, have_audio, audio_is_aac;
  H264Info src;
  char src_codecs[16];
  char audio_codecs[16];
  uint32_t first_ts, first_kf_ts, second_kf_ts, last_video_ts;
  int keyframes;
  bool have_first_ts;
  gint64 first_wall_ms;    /* wall clock when the first tag of this publish arrived */
  double meta_fps;

  /* The pipeline of the current publish. */
  GstElement *pipeline;
  GstElement *appsrc;
  guint bus_watch;
  bool draining;           /* EOS sent, waiting for it on the bus */
  bool broken;             /* the pipeline could not be built for this publish */
  gint64 wall_base_ms;     /* wall clock at running time 0 */
  bool copy_mode;
  bool discontinuity;      /* the next segments follow a reconnect */
  guint64 start_seq;

  /* The ladder, fixed at the first publish. */
  Ladder ladder;
  Rung rungs[LADDER_MAX_RUNGS];
  bool have_ladder;
  bool master_written;

  /* Planner (streaming thread, under lock). */
  GMutex lock;
  GstClockTime target_ns;
  GstClockTime last_cut;
  GstClockTime frame_ns;
  GArray *cuts;            /* GstClockTime: every cut of this pipeline, the start first */
  GstSegment vsegment;

  /* Metrics. */
  guint64 bytes_in, bytes_in_prev;
  double ingest_bps;
  gint frames_in;          /* atomic */
  gint64 last_src_rt;      /* atomic (__atomic_*) */
  gint64 late_after_ns;    /* encoder output this far behind real time is late */
  gint64 run_base_us;      /* monotonic time at running time 0 */
  gint64 prev_out_rt, prev_sample_mono;
  double encode_speed;
  Poster *poster;
};

struct Live {
  Db *db;
  const Config *cfg;
  guint8 secret[TOKEN_SECRET_LEN];
  char *media_dir;
  Ladder spec;
  GHashTable *streams;     /* id -> LiveStream* */
  bool closing;
};

static void stream_finish(LiveStream *ls);
static bool preroll_ready(LiveStream *ls);

static gint64 load64(gint64 *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static void store64(gint64 *p, gint64 v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }

/* ---- small helpers --------------------------------------------------------- */

static gint64 wall_ms(void) { return g_get_real_time() / 1000; }

static char *rung_dir(const Rung *r) { return g_build_filename(r->ls->dir, r->r.name, NULL); }

static void write_file(LiveStream *ls, const char *rel, const char *text)
{
  g_autofree char *path = g_build_filename(ls->dir, rel, NULL);
  char *err = NULL;
  if (hls_write_atomic(path, text, &err) < 0) {
    log_error(SUB, "%s: cannot write %s: %s", ls->id, rel, err);
    g_free(err);
  }
}

/* ---- playlists ------------------------------------------------------------ */

static double stream_fps(const LiveStream *ls)
{
  if (ls->frame_ns > 0)
    return round(1e9 / ls->frame_ns * 1000) / 1000;
  return ls->meta_fps;
}

static void write_master(LiveStream *ls, bool final)
{
  HlsVariant v[LADDER_MAX_RUNGS];
  char uris[LADDER_MAX_RUNGS][48];
  char codecs[LADDER_MAX_RUNGS][64];
  int n = 0;
  for (int i = 0; i < ls->ladder.n; i++) {
    Rung *r = &ls->rungs[i];
    if (!hls_playlist_count(r->pl))
      continue;
    guint64 peak = 0, avg = 0;
    hls_playlist_bitrates(r->pl, &peak, &avg);
    if (!final && !r->r.copy) {
      /* Before the end, one segment says little; never advertise below the target. */
      guint64 nominal = (guint64)r->r.kbps * 1000 + (ls->have_audio ? 128000 : 0);
      peak = MAX(peak, nominal);
    } else if (!final) {
      peak = peak * 6 / 5;
    }
    g_snprintf(uris[n], sizeof uris[n], "%s/index.m3u8", r->r.name);
    if (ls->have_audio && ls->audio_codecs[0])
      g_snprintf(codecs[n], sizeof codecs[n], "%s,%s", r->codecs, ls->audio_codecs);
    else
      g_strlcpy(codecs[n], r->codecs, sizeof codecs[n]);
    v[n] = (HlsVariant){uris[n], peak, avg, codecs[n], r->r.width, r->r.height, stream_fps(ls)};
    RenditionRow row = {r->r.name, r->r.width, r->r.height, (gint64)peak, (gint64)avg,
                        codecs[n], stream_fps(ls), uris[n]};
    db_rendition_put(ls->live->db, ls->id, &row);
    n++;
  }
  if (!n)
    return;
  g_autofree char *text = hls_master_render(v, (size_t)n);
  write_file(ls, "master.m3u8", text);
  ls->master_written = true;
}

static void write_rung_playlists(Rung *r)
{
  g_autofree char *rel_index = g_strdup_printf("%s/index.m3u8", r->r.name);
  g_autofree char *rel_rec = g_strdup_printf("%s/recording.m3u8", r->r.name);
  g_autofree char *live_text = hls_playlist_render(r->pl, HLS_VIEW_LIVE);
  if (!hls_playlist_ended(r->pl)) {
    /* The recording first: a crash after it still has every listed segment. */
    g_autofree char *event = hls_playlist_render(r->pl, HLS_VIEW_EVENT);
    write_file(r->ls, rel_rec, event);
  }
  write_file(r->ls, rel_index, live_text);
}

/* ---- bus ------------------------------------------------------------------ */

static Rung *rung_of(LiveStream *ls, GstObject *src)
{
  for (int i = 0; i < ls->ladder.n; i++)
    if (GST_OBJECT(ls->rungs[i].sink) == src)
      return &ls->rungs[i];
  return NULL;
}

/* A segment file is complete (segment_writer, posted from the streaming thread). */
static void on_segment(LiveStream *ls, Rung *r, const GstStructure *s)
{
  SegmentDone seg;
  if (!segment_writer_read(s, &seg))
    return;
  const char *location = seg.location, *error = seg.error;
  guint64 start = seg.start, end = seg.end, bytes = seg.bytes;
  if (error) {
    log_error(SUB, "%s: %s: segment lost: %s", ls->id, r->r.name, error);
    return;
  }
  if (start == GST_CLOCK_TIME_NONE)
    start = (guint64)MAX(load64(&r->first_rt), 0);
  /* A segment closed by end-of-stream ends where its last frame ends. */
  if (end == GST_CLOCK_TIME_NONE)
    end = (guint64)load64(&r->last_out_rt) + (ls->frame_ns ? ls->frame_ns : 33 * GST_MSECOND);
  GstClockTime dur = end > start ? end - start : 0;
  if (bytes == 0 || dur == 0) {
    log_warn(SUB, "%s: %s: empty segment %s dropped", ls->id, r->r.name, location);
    unlink(location);
    return;
  }
  g_autofree char *base = g_path_get_basename(location);
  gint64 pdt = ls->wall_base_ms + (gint64)(start / GST_MSECOND);
  if (ls->discontinuity && hls_playlist_next_seq(r->pl) == ls->start_seq)
    hls_playlist_mark_discontinuity(r->pl);
  double secs = dur / 1e9;
  if (hls_playlist_add(r->pl, base, secs, pdt, bytes) == -ERANGE)
    log_warn(SUB, "%s: %s: segment %s is %.3f s, over the %d s target (presenter keyframes "
             "too far apart?)", ls->id, r->r.name, base, secs, hls_playlist_target(r->pl));
  write_rung_playlists(r);
  if (!r->have_codecs) {
    g_strlcpy(r->codecs, ls->src_codecs, sizeof r->codecs);
  }
  bool all = true;
  for (int i = 0; i < ls->ladder.n; i++)
    all &= hls_playlist_count(ls->rungs[i].pl) > 0;
  if (all && (!ls->master_written || hls_playlist_count(r->pl) <= 2))
    write_master(ls, false);
}

/* Hands the tags batched so far to the pipeline. */
static void flush_batch(LiveStream *ls)
{
  if (!ls->batch->len || !ls->appsrc)
    return;
  gsize n = ls->batch->len;
  GstBuffer *buf = gst_buffer_new_wrapped(g_byte_array_free(ls->batch, FALSE), n);
  ls->batch = g_byte_array_new();
  gst_app_src_push_buffer(GST_APP_SRC(ls->appsrc), buf);
}

static void pipeline_teardown(LiveStream *ls)
{
  if (!ls->pipeline)
    return;
  g_byte_array_set_size(ls->batch, 0); /* the pipeline is going: nothing would read them */
  if (ls->bus_watch)
    g_source_remove(ls->bus_watch);
  ls->bus_watch = 0;
  gst_element_set_state(ls->pipeline, GST_STATE_NULL);
  gst_object_unref(ls->appsrc);
  gst_object_unref(ls->pipeline);
  ls->pipeline = NULL;
  ls->appsrc = NULL;
  for (int i = 0; i < ls->ladder.n; i++) {
    Rung *r = &ls->rungs[i];
    g_clear_pointer(&r->sink, gst_object_unref);
    g_clear_pointer(&r->queue, gst_object_unref);
  }
  ls->draining = false;
  g_mutex_lock(&ls->lock);
  g_array_set_size(ls->cuts, 0);
  g_mutex_unlock(&ls->lock);
}

static gboolean on_grace_over(gpointer user)
{
  LiveStream *ls = user;
  ls->grace_timer = 0;
  log_info(SUB, "%s: presenter did not come back within %" G_GINT64_FORMAT " s; finishing",
           ls->id, ls->live->cfg->live_reconnect_grace);
  stream_finish(ls);
  return G_SOURCE_REMOVE;
}

static void build_pipeline(LiveStream *ls);

/* The pipeline of a publish has ended (EOS or error). */
static void pipeline_done(LiveStream *ls, const char *why)
{
  log_info(SUB, "%s: pipeline ended (%s)", ls->id, why);
  pipeline_teardown(ls);
  if (ls->pub) {
    /* A reconnect arrived while the old pipeline drained. */
    if (preroll_ready(ls))
      build_pipeline(ls);
    return;
  }
  if (ls->clean_end || ls->live->closing || ls->live->cfg->live_reconnect_grace == 0) {
    stream_finish(ls);
  } else if (!ls->grace_timer) {
    ls->grace_timer = g_timeout_add_seconds((guint)ls->live->cfg->live_reconnect_grace,
                                            on_grace_over, ls);
  }
}

static gboolean on_bus(GstBus *bus, GstMessage *msg, gpointer user)
{
  (void)bus;
  LiveStream *ls = user;
  switch (GST_MESSAGE_TYPE(msg)) {
  case GST_MESSAGE_ELEMENT: {
    const GstStructure *s = gst_message_get_structure(msg);
    Rung *r = rung_of(ls, GST_MESSAGE_SRC(msg));
    if (!r || !s)
      break;
    if (gst_structure_has_name(s, SEGMENT_WRITER_MESSAGE))
      on_segment(ls, r, s);
    break;
  }
  case GST_MESSAGE_EOS:
    ls->bus_watch = 0;
    pipeline_done(ls, "end of stream");
    return G_SOURCE_REMOVE;
  case GST_MESSAGE_ERROR: {
    GError *e = NULL;
    char *dbg = NULL;
    gst_message_parse_error(msg, &e, &dbg);
    log_error(SUB, "%s: pipeline error from %s: %s (%s)", ls->id, GST_OBJECT_NAME(msg->src),
              e->message, dbg ? dbg : "");
    g_error_free(e);
    g_free(dbg);
    ls->bus_watch = 0;
    pipeline_done(ls, "error");
    return G_SOURCE_REMOVE;
  }
  case GST_MESSAGE_WARNING: {
    GError *e = NULL;
    gst_message_parse_warning(msg, &e, NULL);
    log_warn(SUB, "%s: %s: %s", ls->id, GST_OBJECT_NAME(msg->src), e->message);
    g_error_free(e);
    break;
  }
  default:
    break;
  }
  return G_SOURCE_CONTINUE;
}

/* ---- probes (streaming threads) ------------------------------------------ */

/* On the parsed source stream: decides every segment boundary. */
static GstPadProbeReturn on_source_frame(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  LiveStream *ls = user;
  (void)pad;
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(ev) == GST_EVENT_SEGMENT) {
      g_mutex_lock(&ls->lock);
      gst_event_copy_segment(ev, &ls->vsegment);
      g_mutex_unlock(&ls->lock);
    }
    return GST_PAD_PROBE_OK;
  }
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  if (!GST_BUFFER_PTS_IS_VALID(buf))
    return GST_PAD_PROBE_OK;
  g_atomic_int_inc(&ls->frames_in);
  g_mutex_lock(&ls->lock);
  GstClockTime rt = gst_segment_to_running_time(&ls->vsegment, GST_FORMAT_TIME, GST_BUFFER_PTS(buf));
  bool key = !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);
  if (rt != GST_CLOCK_TIME_NONE) {
    store64(&ls->last_src_rt, (gint64)rt);
    if (ls->last_cut == GST_CLOCK_TIME_NONE) {
      ls->last_cut = rt; /* the first segment starts here */
      g_array_append_val(ls->cuts, rt);
    } else if (rt > ls->last_cut && rt - ls->last_cut + CUT_TOLERANCE_NS >= ls->target_ns &&
               (key || !ls->copy_mode)) {
      ls->last_cut = rt;
      g_array_append_val(ls->cuts, rt);
    }
  }
  g_mutex_unlock(&ls->lock);
  return GST_PAD_PROBE_OK;
}


/* Whether a cut lies in (the one *IDX points at, RT]; advances *IDX past them. */
static bool take_cuts(LiveStream *ls, guint *idx, GstClockTime rt)
{
  bool any = false;
  g_mutex_lock(&ls->lock);
  while (*idx < ls->cuts->len && g_array_index(ls->cuts, GstClockTime, *idx) <= rt) {
    (*idx)++;
    any = true;
  }
  g_mutex_unlock(&ls->lock);
  return any;
}

static GstPadProbeReturn on_queue_in(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  (void)pad;
  (void)info;
  g_atomic_int_inc(&((Rung *)user)->frames_in_q);
  return GST_PAD_PROBE_OK;
}

/* After the leaky queue, before the scaler and encoder: a keyframe at every cut. */
static GstPadProbeReturn on_queue_out(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  Rung *r = user;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  g_atomic_int_inc(&r->frames_out_q);
  GstClockTime rt = pipeline_running_time(pad, buf);
  if (rt != GST_CLOCK_TIME_NONE && take_cuts(r->ls, &r->force_idx, rt))
    gst_pad_push_event(pad, gst_video_event_new_downstream_force_key_unit(
                                GST_BUFFER_PTS(buf), GST_BUFFER_PTS(buf), rt, TRUE, 0));
  return GST_PAD_PROBE_OK;
}

/* A rendition's video on its way to the muxer: a segment boundary at the first keyframe
 * at or past each cut; codecs string from the first SPS; lateness; progress. */
static GstPadProbeReturn on_encoded(GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  Rung *r = user;
  LiveStream *ls = r->ls;
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
    if (!GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT) && take_cuts(ls, &r->mux_idx, rt))
      gst_pad_push_event(pad, segment_writer_cut_event(GST_BUFFER_PTS(buf), rt));
    store64(&r->last_out_rt, (gint64)rt);
    /* Behind real time by more than a segment (plus what was held back
     * while the stream's shape was learnt): late. */
    gint64 lag = (g_get_monotonic_time() - ls->run_base_us) * 1000 - (gint64)rt;
    if (lag > ls->late_after_ns)
      g_atomic_int_inc(&r->late);
  }
  encoder_note_codecs(buf, r->codecs, sizeof r->codecs, &r->have_codecs);
  return GST_PAD_PROBE_OK;
}

static void on_demux_pad(GstElement *demux, GstPad *pad, gpointer user)
{
  LiveStream *ls = user;
  (void)demux;
  const char *target = g_str_has_prefix(GST_PAD_NAME(pad), "video") ? "vqueue" : "aqueue";
  GstElement *q = gst_bin_get_by_name(GST_BIN(ls->pipeline), target);
  GstPad *sink = gst_element_get_static_pad(q, "sink");
  if (gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
    log_error(SUB, "%s: cannot link %s", ls->id, GST_PAD_NAME(pad));
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

/* ---- building the pipeline -------------------------------------------------- */

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

static GstElement *add_fragment(GstElement *pipeline, const char *name, char **err)
{
  GstElement *bin = pipeline_load(name, true, err);
  if (bin)
    gst_bin_add(GST_BIN(pipeline), bin);
  return bin;
}

/* Builds and starts the pipeline for the current publish; feeds the preroll. */
static void build_pipeline(LiveStream *ls)
{
  Live *live = ls->live;
  const Config *cfg = live->cfg;
  char *err = NULL;
  GstElement *rawtee = NULL, *vtee = NULL, *atee = NULL;
  GstElement *p = pipeline_load("live/ingest", false, &err);
  if (!p)
    goto fail;
  ls->pipeline = gst_object_ref_sink(p);
  ls->appsrc = gst_bin_get_by_name(GST_BIN(p), "src");
  GstElement *demux = gst_bin_get_by_name(GST_BIN(p), "demux");
  g_signal_connect(demux, "pad-added", G_CALLBACK(on_demux_pad), ls);
  gst_object_unref(demux);

  /* Fix the ladder at the first publish; later publishes keep it. */
  ls->target_ns = (GstClockTime)cfg->live_segment_duration * GST_SECOND;
  uint32_t gop_ms = ls->keyframes >= 2 ? ls->second_kf_ts - ls->first_kf_ts : UINT32_MAX;
  bool copy_ok = gop_ms <= cfg->live_segment_duration * 1000 + CUT_TOLERANCE_NS / GST_MSECOND;
  if (!ls->have_ladder) {
    double fps = ls->meta_fps > 0 ? ls->meta_fps : 30;
    int source_kbps = (int)CLAMP(ls->src.width * ls->src.height * fps * 0.1 / 1000, 500, 8000);
    ladder_fit(&live->spec, ls->src.width, ls->src.height, copy_ok, source_kbps, &ls->ladder);
    for (int i = 0; i < ls->ladder.n; i++) {
      Rung *r = &ls->rungs[i];
      r->ls = ls;
      r->r = ls->ladder.rungs[i];
      r->index = i;
      r->pl = hls_playlist_new((int)cfg->live_segment_duration, (guint)cfg->live_window);
      g_autofree char *d = rung_dir(r);
      g_mkdir_with_parents(d, 0755);
    }
    ls->have_ladder = true;
  }
  ls->copy_mode = false;
  for (int i = 0; i < ls->ladder.n; i++)
    ls->copy_mode |= ls->ladder.rungs[i].copy;
  if (ls->copy_mode && !copy_ok) {
    log_warn(SUB, "%s: the presenter's keyframes are %u ms apart, over the %" G_GINT64_FORMAT
             " s segment length; segments follow their keyframes", ls->id, gop_ms,
             cfg->live_segment_duration);
  }
  if (!ls->copy_mode && ls->ladder.n && !copy_ok)
    log_info(SUB, "%s: keyframes every %u ms; the source rendition is re-encoded on a %"
             G_GINT64_FORMAT " s schedule", ls->id, gop_ms, cfg->live_segment_duration);

  /* Audio: copy AAC, transcode the rest. */
  vtee = gst_bin_get_by_name(GST_BIN(p), "vtee");
  atee = gst_bin_get_by_name(GST_BIN(p), "atee");
  if (ls->have_audio) {
    GstElement *aq = gst_bin_get_by_name(GST_BIN(p), "aqueue");
    GstElement *abin = add_fragment(p, ls->audio_is_aac ? "live/audio-copy" : "live/audio-aac", &err);
    if (abin && !ls->audio_is_aac) {
      GstElement *aenc = pipeline_get(abin, "aenc");
      if (aenc) {
        g_object_set(aenc, "bitrate", (gint)(cfg->audio_bitrate * 1000), NULL);
        gst_object_unref(aenc);
      }
    }
    bool ok;
    if (ls->audio_is_aac) {
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
      if (!err)
        err = g_strdup("cannot link the audio branch");
      goto fail_refs;
    }
  }

  /* Cut planner on the parsed source. */
  GstElement *vparse = gst_bin_get_by_name(GST_BIN(p), "vparse");
  GstPad *vsrc = gst_element_get_static_pad(vparse, "src");
  gst_pad_add_probe(vsrc, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                    on_source_frame, ls, NULL);
  gst_object_unref(vsrc);
  gst_object_unref(vparse);
  g_mutex_lock(&ls->lock);
  ls->last_cut = GST_CLOCK_TIME_NONE;
  gst_segment_init(&ls->vsegment, GST_FORMAT_TIME);
  g_mutex_unlock(&ls->lock);

  for (int i = 0; i < ls->ladder.n; i++) {
    Rung *r = &ls->rungs[i];
    GstElement *segbin = add_fragment(p, "live/segmenter", &err);
    if (!segbin)
      goto fail_refs;
    GstElement *mux = pipeline_get(segbin, "mux");
    r->sink = pipeline_get(segbin, "sink");
    if (!mux || !r->sink) {
      g_clear_pointer(&mux, gst_object_unref);
      err = g_strdup("live/segmenter needs elements named mux and sink");
      goto fail_refs;
    }
    g_autofree char *dir = rung_dir(r);
    segment_writer_attach(r->sink, dir, (guint)hls_playlist_next_seq(r->pl));
    r->force_idx = r->mux_idx = 1; /* the first cut is the start */
    store64(&r->first_rt, -1);
    r->have_codecs = false;

    GstElement *vbin;
    if (r->r.copy) {
      vbin = add_fragment(p, "live/rung-copy", &err);
      if (!vbin || !link_request(vtee, "src_%u", vbin, "sink")) {
        err = err ? err : g_strdup("cannot link the copy rendition");
        goto fail_refs;
      }
      g_strlcpy(r->codecs, ls->src_codecs, sizeof r->codecs);
      r->have_codecs = true;
    } else {
      if (!rawtee) {
        GstElement *dbin = add_fragment(p, "live/decode", &err);
        if (!dbin || !link_request(vtee, "src_%u", dbin, "sink")) {
          err = err ? err : g_strdup("cannot link the decoder");
          goto fail_refs;
        }
        GstElement *dec = pipeline_get(dbin, "dec");
        if (dec) {
          g_object_set(dec, "max-threads", (gint)cfg->decode_threads, NULL);
          gst_object_unref(dec);
        }
        rawtee = gst_element_factory_make("tee", "rawtee");
        gst_bin_add(GST_BIN(p), gst_object_ref(rawtee));
        if (!gst_element_link(dbin, rawtee)) {
          err = g_strdup("cannot link the decoder to its tee");
          goto fail_refs;
        }
      }
      vbin = add_fragment(p, "live/rung-encode", &err);
      if (!vbin)
        goto fail_refs;
      GstElement *size = pipeline_get(vbin, "size");
      GstCaps *caps = gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, r->r.width,
                                          "height", G_TYPE_INT, r->r.height,
                                          "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
      g_object_set(size, "caps", caps, NULL);
      gst_caps_unref(caps);
      gst_object_unref(size);
      GstElement *enc = pipeline_get(vbin, "enc");
      encoder_set_x264(enc, cfg, encoder_x264_threads(cfg, &ls->ladder), r->r.kbps, ls->target_ns,
                       ls->meta_fps);
      gst_object_unref(enc);
      r->queue = pipeline_get(vbin, "q");
      GstPad *qs = gst_element_get_static_pad(r->queue, "sink");
      gst_pad_add_probe(qs, GST_PAD_PROBE_TYPE_BUFFER, on_queue_in, r, NULL);
      gst_object_unref(qs);
      qs = gst_element_get_static_pad(r->queue, "src");
      gst_pad_add_probe(qs, GST_PAD_PROBE_TYPE_BUFFER, on_queue_out, r, NULL);
      gst_object_unref(qs);
      if (!link_request(rawtee, "src_%u", vbin, "sink")) {
        err = g_strdup_printf("cannot link rendition %s to the decoder", r->r.name);
        goto fail_refs;
      }
    }
    GstPad *vout = gst_element_get_static_pad(vbin, "src");
    gst_pad_add_probe(vout, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                      on_encoded, r, NULL);
    gst_object_unref(vout);
    bool linked = gst_element_link_pads(vbin, "src", mux, "sink_%d");
    if (linked && ls->have_audio) {
      GstElement *abr = add_fragment(p, "live/audio-branch", &err);
      linked = abr && link_request(atee, "src_%u", abr, "sink") &&
               gst_element_link_pads(abr, "src", mux, "sink_%d");
    }
    gst_object_unref(mux);
    if (!linked) {
      if (!err)
        err = g_strdup_printf("cannot link rendition %s to its muxer", r->r.name);
      goto fail_refs;
    }
  }
  g_clear_pointer(&rawtee, gst_object_unref);
  g_clear_pointer(&vtee, gst_object_unref);
  g_clear_pointer(&atee, gst_object_unref);

  GstBus *bus = gst_pipeline_get_bus(GST_PIPELINE(p));
  ls->bus_watch = gst_bus_add_watch(bus, on_bus, ls);
  gst_object_unref(bus);
  if (gst_element_set_state(p, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    err = g_strdup("the pipeline would not start");
    goto fail;
  }
  ls->wall_base_ms = ls->first_wall_ms - ls->first_ts;
  {
    gint64 held_ms = wall_ms() - ls->first_wall_ms;
    ls->run_base_us = g_get_monotonic_time() - (held_ms + (gint64)ls->first_ts) * 1000;
    ls->late_after_ns = (gint64)ls->target_ns + held_ms * 1000000;
  }
  ls->start_seq = ls->rungs[0].pl ? hls_playlist_next_seq(ls->rungs[0].pl) : 0;
  {
    GString *names = g_string_new(NULL);
    for (int i = 0; i < ls->ladder.n; i++)
      g_string_append_printf(names, "%s%s %dx%d%s", i ? ", " : "", ls->ladder.rungs[i].name,
                             ls->ladder.rungs[i].width, ls->ladder.rungs[i].height,
                             ls->ladder.rungs[i].copy ? " (copy)" : "");
    log_info(SUB, "%s: pipeline started: source %dx%d %s%s; renditions: %s", ls->id, ls->src.width,
             ls->src.height, ls->src_codecs, ls->have_audio ? (ls->audio_is_aac ? " + AAC" : " + audio→AAC") : "",
             names->str);
    g_string_free(names, TRUE);
  }
  /* FLV header, then the tags held so far. */
  uint8_t hdr[13] = {'F', 'L', 'V', 1, (uint8_t)(ls->have_audio ? 5 : 1), 0, 0, 0, 9, 0, 0, 0, 0};
  gst_app_src_push_buffer(GST_APP_SRC(ls->appsrc), gst_buffer_new_memdup(hdr, sizeof hdr));
  gst_app_src_push_buffer(GST_APP_SRC(ls->appsrc),
                          gst_buffer_new_memdup(ls->preroll->data, ls->preroll->len));
  g_byte_array_set_size(ls->preroll, 0);
  return;

fail_refs:
fail:
  g_clear_pointer(&rawtee, gst_object_unref);
  g_clear_pointer(&vtee, gst_object_unref);
  g_clear_pointer(&atee, gst_object_unref);
  log_error(SUB, "%s: cannot build the live pipeline: %s", ls->id, err ? err : "?");
  ls->broken = true;
  g_free(err);
  pipeline_teardown(ls);
  g_byte_array_set_size(ls->preroll, 0);
}

/* ---- finishing -------------------------------------------------------------- */

static void finish_done(LiveStream *ls, const char *poster)
{
  Live *live = ls->live;
  double dur = ls->have_ladder ? hls_playlist_duration(ls->rungs[0].pl) : 0;
  db_video_set_media(live->db, ls->id, (gint64)llround(dur * 1000), poster);
  db_video_set_state(live->db, ls->id, NULL, "ready", poster ? "recording finished"
                                                             : "recording finished (no poster)", NULL);
  ls->state = LS_WAITING;
  g_hash_table_remove(live->streams, ls->id);
}

static void on_poster(const char *error, void *user)
{
  LiveStream *ls = user;
  if (error)
    log_warn(SUB, "%s: poster failed: %s", ls->id, error);
  finish_done(ls, error ? NULL : "poster.jpg");
}

/* A poster from a segment about a tenth into the recording. */
static bool start_poster(LiveStream *ls)
{
  Rung *r = &ls->rungs[0];
  guint n = hls_playlist_count(r->pl);
  if (!n)
    return false;
  const HlsSegment *s = hls_playlist_segment(r->pl, MIN(n - 1, n / 10));
  g_autofree char *dir = rung_dir(r);
  g_autofree char *seg = g_build_filename(dir, s->uri, NULL);
  g_autofree char *out = g_build_filename(ls->dir, "poster.jpg", NULL);
  char *err = NULL;
  ls->poster = poster_start(seg, out, 640, r->r.width, r->r.height, on_poster, ls, &err);
  if (!ls->poster) {
    log_warn(SUB, "%s: %s", ls->id, err);
    g_free(err);
    return false;
  }
  return true;
}

/* The recording is complete: VOD playlists, master, poster, state ready. */
static void stream_finish(LiveStream *ls)
{
  Live *live = ls->live;
  if (ls->grace_timer) {
    g_source_remove(ls->grace_timer);
    ls->grace_timer = 0;
  }
  bool any = ls->have_ladder && hls_playlist_count(ls->rungs[0].pl) > 0;
  if (!any) {
    /* Nothing was recorded: the lesson is still to come, and its key still works. */
    if (ls->ever_live)
      db_video_set_state(live->db, ls->id, "live", "scheduled", "publisher left before a segment was made", NULL);
    g_hash_table_remove(live->streams, ls->id);
    return;
  }
  ls->state = LS_FINISHING;
  db_video_set_state(live->db, ls->id, "live", "processing", "live ended; finishing the recording", NULL);
  for (int i = 0; i < ls->ladder.n; i++) {
    Rung *r = &ls->rungs[i];
    hls_playlist_end(r->pl);
    write_rung_playlists(r);
    g_autofree char *rec = g_build_filename(ls->dir, r->r.name, "recording.m3u8", NULL);
    unlink(rec);
  }
  write_master(ls, true);
  log_info(SUB, "%s: recording complete: %.3f s in %u segments per rendition", ls->id,
           hls_playlist_duration(ls->rungs[0].pl), hls_playlist_count(ls->rungs[0].pl));
  if (!start_poster(ls))
    finish_done(ls, NULL);
}

/* ---- stream objects --------------------------------------------------------- */

static gboolean on_sample(gpointer user)
{
  LiveStream *ls = user;
  gint64 now = g_get_monotonic_time();
  double secs = ls->prev_sample_mono ? (now - ls->prev_sample_mono) / 1e6 : 0;
  if (secs > 0) {
    ls->ingest_bps = (ls->bytes_in - ls->bytes_in_prev) * 8.0 / secs;
    gint64 out = G_MAXINT64;
    bool any = false;
    for (int i = 0; i < ls->ladder.n; i++) {
      out = MIN(out, load64(&ls->rungs[i].last_out_rt));
      any = true;
    }
    if (any && ls->pipeline && ls->prev_out_rt > 0)
      ls->encode_speed = (out - ls->prev_out_rt) / 1e9 / secs;
    else if (!ls->pipeline)
      ls->encode_speed = 0;
    ls->prev_out_rt = any ? out : 0;
  }
  ls->bytes_in_prev = ls->bytes_in;
  ls->prev_sample_mono = now;
  return G_SOURCE_CONTINUE;
}

static void stream_free(gpointer p)
{
  LiveStream *ls = p;
  pipeline_teardown(ls);
  poster_free(&ls->poster);
  if (ls->grace_timer)
    g_source_remove(ls->grace_timer);
  if (ls->sample_timer)
    g_source_remove(ls->sample_timer);
  if (ls->pub)
    ls->pub->ls = NULL;
  for (int i = 0; i < LADDER_MAX_RUNGS; i++)
    hls_playlist_free(&ls->rungs[i].pl);
  g_byte_array_unref(ls->preroll);
  g_byte_array_unref(ls->batch);
  g_array_unref(ls->cuts);
  g_mutex_clear(&ls->lock);
  g_free(ls->dir);
  g_free(ls->id);
  g_free(ls);
}

static LiveStream *stream_new(Live *live, const char *id)
{
  LiveStream *ls = g_new0(LiveStream, 1);
  ls->live = live;
  ls->id = g_strdup(id);
  ls->dir = g_build_filename(live->media_dir, id, NULL);
  ls->preroll = g_byte_array_new();
  ls->batch = g_byte_array_new();
  ls->cuts = g_array_new(FALSE, FALSE, sizeof(GstClockTime));
  g_mutex_init(&ls->lock);
  ls->sample_timer = g_timeout_add_seconds(1, on_sample, ls);
  g_mkdir_with_parents(ls->dir, 0755);
  g_hash_table_insert(live->streams, ls->id, ls);
  return ls;
}

/* ---- RTMP callbacks ----------------------------------------------------------- */

static void *on_publish(void *user, const char *app, const char *key, const char *peer,
                        const char **code, char **reason)
{
  Live *live = user;
  (void)app;
  if (live->closing) {
    *reason = g_strdup("the server is shutting down");
    return NULL;
  }
  g_autofree char *hash = token_hash(live->secret, key);
  VideoKeyMatch m;
  int rc = db_video_find_by_key(live->db, hash, &m);
  if (rc == -ENOENT) {
    *reason = g_strdup("unknown stream key; schedule the lesson and copy its key");
    return NULL;
  }
  if (rc < 0) {
    *code = "NetStream.Publish.Failed";
    *reason = g_strdup("the server could not check the key; try again");
    return NULL;
  }
  void *result = NULL;
  LiveStream *ls = g_hash_table_lookup(live->streams, m.id);
  gint64 now = util_now();
  if (strcmp(m.state, "scheduled") != 0 && strcmp(m.state, "live") != 0) {
    *reason = g_strdup_printf("this stream key has expired: the lesson '%s' is already recorded", m.title);
  } else if (m.scheduled_start && now > m.scheduled_start + live->cfg->live_key_valid_hours * 3600) {
    *reason = g_strdup_printf("this stream key has expired (%" G_GINT64_FORMAT " h after the scheduled start)",
                              live->cfg->live_key_valid_hours);
  } else if (ls && ls->pub) {
    *reason = g_strdup("this lesson is already live from another encoder");
  } else if (ls && ls->state == LS_FINISHING) {
    *reason = g_strdup("this lesson's recording is being finished; its key has expired");
  } else if (!ls && !strcmp(m.state, "live")) {
    *reason = g_strdup("this lesson's live has ended");
  } else {
    if (!ls)
      ls = stream_new(live, m.id);
    Publisher *p = g_new0(Publisher, 1);
    p->ls = ls;
    ls->pub = p;
    ls->clean_end = false;
    if (ls->grace_timer) {
      g_source_remove(ls->grace_timer);
      ls->grace_timer = 0;
    }
    ls->discontinuity = ls->ever_live;
    ls->have_avc = ls->have_audio = false;
    ls->keyframes = 0;
    ls->have_first_ts = false;
    ls->broken = false;
    g_byte_array_set_size(ls->preroll, 0);
    ls->state = LS_LIVE;
    if (!ls->ever_live) {
      db_video_set_state(live->db, ls->id, "scheduled", "live", peer, NULL);
      ls->ever_live = true;
    } else {
      log_info(SUB, "%s: presenter reconnected from %s", ls->id, peer);
    }
    log_info(SUB, "%s: publishing from %s ('%s')", ls->id, peer, m.title);
    result = p;
  }
  db_video_key_match_clear(&m);
  return result;
}

static bool preroll_ready(LiveStream *ls)
{
  if (!ls->have_avc || ls->draining || ls->pipeline || !ls->keyframes)
    return false;
  if (ls->preroll->len > PREROLL_MAX_BYTES)
    return true;
  uint32_t segment_ms = (uint32_t)ls->live->cfg->live_segment_duration * 1000;
  uint32_t seen = ls->last_video_ts - ls->first_kf_ts;
  /* The keyframe interval is known at the second keyframe — or is too long
   * to copy once a segment's length passes without one. */
  bool gop_known = ls->keyframes >= 2 || seen > segment_ms + CUT_TOLERANCE_NS / GST_MSECOND;
  bool audio_known = ls->have_audio || seen >= PREROLL_NO_AUDIO_MS;
  return gop_known && audio_known;
}

static void append_tag(GByteArray *out, uint8_t type, uint32_t ts, const uint8_t *data, size_t len)
{
  uint8_t h[11] = {type, (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len,
                   (uint8_t)(ts >> 16), (uint8_t)(ts >> 8), (uint8_t)ts, (uint8_t)(ts >> 24), 0, 0, 0};
  g_byte_array_append(out, h, 11);
  g_byte_array_append(out, data, (guint)len);
  uint32_t prev = (uint32_t)(11 + len);
  uint8_t t[4] = {(uint8_t)(prev >> 24), (uint8_t)(prev >> 16), (uint8_t)(prev >> 8), (uint8_t)prev};
  g_byte_array_append(out, t, 4);
}

static void learn(LiveStream *ls, uint8_t type, uint32_t ts, const uint8_t *data, size_t len)
{
  if (!ls->have_first_ts) {
    ls->have_first_ts = true;
    ls->first_ts = ts;
    ls->first_wall_ms = wall_ms();
  }
  if (type == 9 && len >= 5 && (data[0] & 0x0f) == 7) {
    if (data[1] == 0) {
      H264Info info;
      if (h264_avcc_parse(data + 5, len - 5, &info) == 0) {
        ls->src = info;
        h264_codecs_string(&info, ls->src_codecs, sizeof ls->src_codecs);
        ls->have_avc = true;
      } else {
        log_warn(SUB, "%s: unreadable AVC sequence header", ls->id);
      }
    } else if (data[1] == 1) {
      ls->last_video_ts = ts;
      if ((data[0] >> 4) == 1) {
        if (ls->keyframes == 0)
          ls->first_kf_ts = ts;
        else if (ls->keyframes == 1)
          ls->second_kf_ts = ts;
        ls->keyframes++;
      }
    }
  } else if (type == 8 && len >= 1) {
    if (!ls->have_audio) {
      ls->have_audio = true;
      ls->audio_is_aac = (data[0] >> 4) == 10;
      g_strlcpy(ls->audio_codecs, "mp4a.40.2", sizeof ls->audio_codecs);
    }
    if (ls->audio_is_aac && len >= 3 && data[1] == 0) {
      int object = data[2] >> 3;
      if (object == 5 || object == 29)
        g_snprintf(ls->audio_codecs, sizeof ls->audio_codecs, "mp4a.40.%d", object);
    }
  } else if (type == 18) {
    /* onMetaData: "onMetaData", then an object or ECMA array; framerate if given. */
    GPtrArray *vals = NULL;
    if (amf0_decode_all(data, len, &vals) == 0) {
      double d = vals->len > 1 ? amf0_number(amf0_get(vals->pdata[1], "framerate"), 0) : 0;
      if (d > 0 && d < 240)
        ls->meta_fps = d;
      g_ptr_array_unref(vals);
    }
  }
}

static void on_media(void *user, void *publisher, uint8_t type, uint32_t ts, const uint8_t *data,
                     size_t len)
{
  (void)user;
  Publisher *p = publisher;
  LiveStream *ls = p->ls;
  if (!ls)
    return;
  ls->bytes_in += len;
  if (ls->broken)
    return;
  if (!ls->pipeline || ls->draining) {
    learn(ls, type, ts, data, len);
    append_tag(ls->preroll, type, ts, data, len);
    if (preroll_ready(ls)) {
      if (ls->src.width <= 0) {
        log_error(SUB, "%s: no usable H.264 sequence header", ls->id);
        g_byte_array_set_size(ls->preroll, 0);
        return;
      }
      if (!ls->have_audio)
        log_info(SUB, "%s: no audio in the first %d ms; recording video only", ls->id, PREROLL_NO_AUDIO_MS);
      build_pipeline(ls);
    }
    return;
  }
  if (type == 8 && !ls->have_audio)
    return; /* audio that started late: the pipeline was built without it */
  /* The tags of one read of the presenter's socket go on together (on_input_done): the RTMP
   * server reads a publisher every [live] ingest_batch_ms, so each read holds that much. */
  append_tag(ls->batch, type, ts, data, len);
  if (ls->batch->len >= INGEST_BATCH_MAX_BYTES)
    flush_batch(ls);
}

static void on_input_done(void *user, void *publisher)
{
  (void)user;
  LiveStream *ls = ((Publisher *)publisher)->ls;
  if (ls && ls->pipeline && !ls->draining)
    flush_batch(ls);
}

static void on_unpublish(void *user, void *publisher, bool clean)
{
  (void)user;
  Publisher *p = publisher;
  LiveStream *ls = p->ls;
  g_free(p);
  if (!ls)
    return;
  ls->pub = NULL;
  ls->clean_end = clean;
  g_byte_array_set_size(ls->preroll, 0);
  if (ls->pipeline) {
    if (!ls->draining) {
      ls->draining = true;
      flush_batch(ls);
      gst_app_src_end_of_stream(GST_APP_SRC(ls->appsrc));
    }
    return; /* pipeline_done() continues */
  }
  if (clean || ls->live->cfg->live_reconnect_grace == 0) {
    stream_finish(ls);
  } else {
    ls->state = LS_WAITING;
    ls->grace_timer = g_timeout_add_seconds((guint)ls->live->cfg->live_reconnect_grace,
                                            on_grace_over, ls);
  }
}

/* ---- metrics ------------------------------------------------------------------ */

static void metrics_provider(GString *out, void *user)
{
  Live *live = user;
  GHashTableIter it;
  gpointer k, v;
  int active = 0, waiting = 0;
  g_hash_table_iter_init(&it, live->streams);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    LiveStream *ls = v;
    if (ls->pub)
      active++;
    else
      waiting++;
  }
  g_string_append_printf(out,
      "# HELP lectern_live_streams Lives with a presenter publishing now.\n"
      "# TYPE lectern_live_streams gauge\nlectern_live_streams %d\n"
      "# HELP lectern_live_streams_waiting Lives waiting for their presenter to reconnect or finishing.\n"
      "# TYPE lectern_live_streams_waiting gauge\nlectern_live_streams_waiting %d\n",
      active, waiting);
  g_string_append(out,
      "# HELP lectern_live_ingest_bits_per_second Bits per second received from the presenter (1 s window).\n"
      "# TYPE lectern_live_ingest_bits_per_second gauge\n");
  g_hash_table_iter_init(&it, live->streams);
  while (g_hash_table_iter_next(&it, &k, &v))
    g_string_append_printf(out, "lectern_live_ingest_bits_per_second{video=\"%s\"} %.0f\n",
                           ((LiveStream *)v)->id, ((LiveStream *)v)->ingest_bps);
  g_string_append(out,
      "# HELP lectern_live_encode_speed Media seconds the slowest rendition produced per wall second "
      "(1.0 keeps up with a live source).\n# TYPE lectern_live_encode_speed gauge\n");
  g_hash_table_iter_init(&it, live->streams);
  while (g_hash_table_iter_next(&it, &k, &v))
    g_string_append_printf(out, "lectern_live_encode_speed{video=\"%s\"} %.3f\n",
                           ((LiveStream *)v)->id, ((LiveStream *)v)->encode_speed);
  g_string_append(out,
      "# HELP lectern_live_frames_in_total Video frames received from the presenter.\n"
      "# TYPE lectern_live_frames_in_total counter\n");
  g_hash_table_iter_init(&it, live->streams);
  while (g_hash_table_iter_next(&it, &k, &v))
    g_string_append_printf(out, "lectern_live_frames_in_total{video=\"%s\"} %d\n",
                           ((LiveStream *)v)->id, g_atomic_int_get(&((LiveStream *)v)->frames_in));
  g_string_append(out,
      "# HELP lectern_live_frames_dropped_total Frames an encoded rendition dropped because it "
      "could not keep up.\n# TYPE lectern_live_frames_dropped_total counter\n");
  g_hash_table_iter_init(&it, live->streams);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    LiveStream *ls = v;
    for (int i = 0; i < ls->ladder.n; i++) {
      Rung *r = &ls->rungs[i];
      gint64 dropped = 0;
      if (r->queue) {
        guint level = 0;
        g_object_get(r->queue, "current-level-buffers", &level, NULL);
        dropped = (gint64)g_atomic_int_get(&r->frames_in_q) - g_atomic_int_get(&r->frames_out_q) - level;
      }
      g_string_append_printf(out, "lectern_live_frames_dropped_total{video=\"%s\",rendition=\"%s\"} %"
                             G_GINT64_FORMAT "\n", ls->id, r->r.name, MAX(dropped, 0));
    }
  }
  g_string_append(out,
      "# HELP lectern_live_frames_late_total Frames that left their encoder more than one segment "
      "behind the source.\n# TYPE lectern_live_frames_late_total counter\n");
  g_hash_table_iter_init(&it, live->streams);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    LiveStream *ls = v;
    for (int i = 0; i < ls->ladder.n; i++)
      g_string_append_printf(out, "lectern_live_frames_late_total{video=\"%s\",rendition=\"%s\"} %d\n",
                             ls->id, ls->rungs[i].r.name, g_atomic_int_get(&ls->rungs[i].late));
  }
}

/* ---- recovery of lives cut short by a restart ---------------------------------- */

static void recover(Live *live)
{
  GPtrArray *ids = NULL;
  if (db_video_ids_in_state(live->db, "live", &ids) < 0)
    return;
  for (guint i = 0; i < ids->len; i++) {
    const char *id = ids->pdata[i];
    LiveStream *ls = stream_new(live, id);
    ls->ever_live = true;
    /* Rebuild the ladder from the recordings on disk. */
    GDir *d = g_dir_open(ls->dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)) && ls->ladder.n < LADDER_MAX_RUNGS) {
      g_autofree char *rec = g_build_filename(ls->dir, name, "recording.m3u8", NULL);
      g_autofree char *text = NULL;
      if (!g_file_get_contents(rec, &text, NULL, NULL))
        continue;
      HlsPlaylist *pl = NULL;
      char *err = NULL;
      if (hls_playlist_parse(text, (guint)live->cfg->live_window, &pl, &err) < 0) {
        log_warn(SUB, "%s: %s: %s", id, rec, err);
        g_free(err);
        continue;
      }
      Rung *r = &ls->rungs[ls->ladder.n];
      r->ls = ls;
      r->pl = pl;
      g_strlcpy(r->r.name, name, sizeof r->r.name);
      for (guint s = 0; s < hls_playlist_count(pl); s++) {
        HlsSegment *seg = (HlsSegment *)hls_playlist_segment(pl, s);
        g_autofree char *f = g_build_filename(ls->dir, name, seg->uri, NULL);
        struct stat st;
        seg->bytes = stat(f, &st) == 0 ? (guint64)st.st_size : 0;
      }
      /* Size and codecs as recorded in the rendition table. */
      g_autofree char *c = NULL;
      if (db_rendition_get(live->db, id, name, &r->r.width, &r->r.height, &c, &ls->meta_fps) == 0 && c) {
        const char *comma = strchr(c, ',');
        g_strlcpy(r->codecs, c, comma ? (size_t)(comma - c + 1) : sizeof r->codecs);
        if (comma) {
          g_strlcpy(ls->audio_codecs, comma + 1, sizeof ls->audio_codecs);
          ls->have_audio = true;
        }
      }
      ls->ladder.rungs[ls->ladder.n] = r->r;
      ls->ladder.n++;
    }
    if (d)
      g_dir_close(d);
    ls->have_ladder = ls->ladder.n > 0;
    log_warn(SUB, "%s: was live when the server stopped; finishing its recording (%d renditions)",
             id, ls->ladder.n);
    stream_finish(ls);
  }
  g_ptr_array_unref(ids);
}

/* ---- public ------------------------------------------------------------------- */

int live_new(Db *db, const Config *config, const guint8 *secret, Live **out, char **err)
{
  Live *live = g_new0(Live, 1);
  live->db = db;
  live->cfg = config;
  memcpy(live->secret, secret, TOKEN_SECRET_LEN);
  if (ladder_parse(config->live_ladder, &live->spec, err) < 0) {
    g_free(live);
    return -EINVAL;
  }
  static const char *files[] = {"live/ingest", "live/audio-copy", "live/audio-aac", "live/decode",
                                "live/rung-encode", "live/rung-copy", "live/audio-branch",
                                "live/segmenter", "live/poster"};
  for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
    GstElement *p = pipeline_load(files[i], !strcmp(files[i], "live/ingest") ? false : true, err);
    if (!p) {
      g_free(live);
      return -EINVAL;
    }
    gst_object_unref(gst_object_ref_sink(p));
  }
  live->media_dir = config_media_dir(config);
  live->streams = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, stream_free);
  metrics_add_provider(metrics_provider, live);
  recover(live);
  *out = live;
  return 0;
}

RtmpPublishHandler live_rtmp_handler(Live *live)
{
  RtmpPublishHandler h = {on_publish, on_media, on_unpublish, live, on_input_done};
  return h;
}

int live_active(const Live *live)
{
  GHashTableIter it;
  gpointer k, v;
  int n = 0;
  g_hash_table_iter_init(&it, live->streams);
  while (g_hash_table_iter_next(&it, &k, &v))
    n += ((LiveStream *)v)->pub != NULL;
  return n;
}

void live_free(Live **lp, int timeout_ms)
{
  if (!lp || !*lp)
    return;
  Live *live = *lp;
  live->closing = true;
  /* Every live ends as a drop whose grace is over: pipelines drain, recordings finish. */
  GList *all = g_hash_table_get_values(live->streams);
  for (GList *l = all; l; l = l->next) {
    LiveStream *ls = l->data;
    if (ls->pub) {
      Publisher *p = ls->pub;
      p->ls = NULL;
      ls->pub = NULL;
      ls->clean_end = true;
      if (ls->pipeline && !ls->draining) {
        ls->draining = true;
        gst_app_src_end_of_stream(GST_APP_SRC(ls->appsrc));
      } else if (!ls->pipeline) {
        stream_finish(ls);
      }
    } else if (ls->grace_timer) {
      stream_finish(ls);
    }
  }
  g_list_free(all);
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  while (g_hash_table_size(live->streams) && g_get_monotonic_time() < deadline)
    if (!g_main_context_iteration(NULL, FALSE))
      g_usleep(10000);
  metrics_remove_provider(metrics_provider, live);
  g_hash_table_unref(live->streams);
  g_free(live->media_dir);
  g_clear_pointer(lp, g_free);
}
