/* live: lifecycle of every live lesson — publish → pipeline → HLS ladder → recording → ready.
 *
 *   RTMP publish ──▶ LiveStream (one per video; outlives reconnects)
 *                      │ FLV tags, held until the stream's shape is known (media/flv.c:
 *                      │ AVC header, audio or not, keyframe interval)
 *                      ▼
 *                    LivePipeline (media/live_pipeline.c): ingest ▶ cut planner ▶ renditions
 *                      │ media/rendition.c: a file per segment, listed on the main loop
 *                      ▼
 *                    HlsPlaylist per rung ▶ index.m3u8 (live window), recording.m3u8 (all)
 *
 * This file keeps the lifecycle: publish and its refusals, the ladder fixed at the first
 * publish, reconnects within the grace (a new pipeline appending after a DISCONTINUITY), the
 * end (VOD playlists, master, poster, state ready) and recovery after a restart. Figures for
 * /metrics are media/live_metrics.c's. Everything here runs on the main loop. */
#include "media/live.h"
#include "auth/token.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/util.h"
#include "db/db_video.h"
#include "media/flv.h"
#include "media/hls_playlist.h"
#include "media/ladder.h"
#include "media/live_metrics.h"
#include "media/live_pipeline.h"
#include "media/pipeline.h"
#include "media/poster.h"
#include "media/rendition.h"
#include "media/segment_writer.h"

#include <errno.h>
#include <gst/gst.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUB "live"
#define PREROLL_MAX_BYTES (32u << 20)   /* tags held while the stream's shape is learnt */
#define PREROLL_NO_AUDIO_MS 1500        /* video this long without audio: no audio */
#define EOS_FRAME_NS (33 * GST_MSECOND) /* the last frame of a segment closed by end-of-stream */
#define FINISH_RETRY_S 5                /* a finish the disk or database refused is tried again */

typedef struct LiveStream LiveStream;

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

  /* Lifecycle. */
  LsState state;
  Publisher *pub;
  bool ever_live;
  bool clean_end;          /* the last publisher unpublished deliberately */
  bool broken;             /* the pipeline could not be built for this publish */
  bool discontinuity;      /* the segments of this publish follow a reconnect ... */
  guint64 start_seq;       /* ... from this media sequence number on */
  guint grace_timer;
  Poster *poster;

  /* What the publisher sends, learnt before the pipeline is built. */
  FlvInfo flv;
  GByteArray *preroll;     /* FLV tags */

  /* The renditions, fixed at the first publish; their playlists outlive pipelines. */
  Ladder ladder;
  Rendition rungs[LADDER_MAX_RUNGS];
  bool have_ladder;
  bool master_written;

  /* Segments that could not be written (a full disk): logged once when it starts and once
   * when writing works again, not per segment and rung. */
  guint lost_segments;     /* since writing last worked for every rung */
  guint32 losing_rungs;    /* bit i: rung i's last segment was lost */
  int lost_errno;

  /* Finishing, in steps, each tried again while the disk or database refuses it. */
  int finish_step;         /* FINISH_* reached */
  guint finish_timer;
  bool finish_refused;     /* the refusal was logged */
  bool have_poster;

  LivePipeline pipe;       /* the current publish's pipeline */
  LiveMetrics metrics;
  guint sample_timer;
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
static void finish_done(LiveStream *ls, const char *poster);

/* How far a recording's finish has come (LiveStream.finish_step). */
enum { FINISH_NONE, FINISH_PROCESSING, FINISH_PLAYLISTS, FINISH_POSTER };
static bool preroll_ready(LiveStream *ls);
static void build_pipeline(LiveStream *ls);

/* ---- playlists ------------------------------------------------------------ */

/* Playlist writes fail together when the disk is full; while segments are being lost that
 * is said once (on_segment), so these lines are left out meanwhile. Return 0 or -errno. */
static int write_file(LiveStream *ls, const char *rel, const char *text)
{
  g_autofree char *path = g_build_filename(ls->dir, rel, NULL);
  char *err = NULL;
  int rc = hls_write_atomic(path, text, &err);
  if (rc < 0) {
    if (!ls->lost_segments && !ls->finish_refused)
      log_error(SUB, "%s: cannot write %s: %s", ls->id, rel, err);
    g_free(err);
  }
  return rc;
}

static int write_rung_playlists_of(LiveStream *ls, Rendition *r, bool recording)
{
  char *err = NULL;
  int rc = rendition_write_playlists_with(r, ls->rungs, ls->ladder.n, recording, ls->dir, &err);
  if (rc < 0) {
    if (!ls->lost_segments && !ls->finish_refused)
      log_error(SUB, "%s: cannot write %s", ls->id, err);
    g_free(err);
  }
  return rc;
}

static int write_rung_playlists(LiveStream *ls, Rendition *r)
{
  return write_rung_playlists_of(ls, r, true);
}

/* A rung's variant as the master lists it (FINAL: the recording's), stored in the rendition
 * table too: a restart rebuilds the ladder's sizes and codecs from those rows. */
static void rung_variant(LiveStream *ls, Rendition *r, bool final, RenditionVariant *v)
{
  double fps = ls->flv.meta_fps;
  rendition_variant(r, ls->flv.have_audio ? ls->flv.audio_codecs : NULL, fps, v);
  guint64 peak = v->v.bandwidth, avg = v->v.average;
  if (!final && !r->r.copy) {
    /* Before the end, one segment says little; never advertise below the target. */
    guint64 nominal = (guint64)r->r.kbps * 1000 + (ls->flv.have_audio ? 128000 : 0);
    peak = MAX(peak, nominal);
  } else if (!final) {
    peak = peak * 6 / 5;
  }
  v->v.bandwidth = peak;
  RenditionRow row = {r->r.name, r->r.width, r->r.height, (gint64)peak, (gint64)avg, v->codecs, fps, v->uri};
  db_rendition_put(ls->live->db, ls->id, &row);
}

/* Writes the master playlist (FINAL: the recording's). Returns 0 (also when no rendition
 * has a segment yet) or -errno. */
static int write_master(LiveStream *ls, bool final)
{
  RenditionVariant v[LADDER_MAX_RUNGS];
  HlsVariant hv[LADDER_MAX_RUNGS];
  int n = 0;
  for (int i = 0; i < ls->ladder.n; i++) {
    Rendition *r = &ls->rungs[i];
    if (!hls_playlist_count(r->pl))
      continue;
    rung_variant(ls, r, final, &v[n]);
    hv[n] = v[n].v;
    n++;
  }
  if (!n)
    return 0;
  g_autofree char *text = hls_master_render(hv, (size_t)n);
  int rc = write_file(ls, "master.m3u8", text);
  if (rc == 0)
    ls->master_written = true;
  return rc;
}

/* A segment file is complete (LivePipelineEvents.segment). */
static void on_segment(void *user, Rendition *r, const GstStructure *s)
{
  LiveStream *ls = user;
  char *perr = NULL;
  int prc = rendition_add_part(r, s, &perr);
  if (prc != -ENOMSG) {
    /* A part (LL-HLS): the live view is rewritten at once, the recording waits for the segment. */
    if (prc == -EIO && !ls->lost_segments)
      log_warn(SUB, "%s: %s: a part could not be written (%s); that segment is listed without parts",
               ls->id, r->r.name, perr);
    g_free(perr);
    if (prc == 0)
      write_rung_playlists_of(ls, r, false);
    return;
  }
  RenditionSegmentOpts o = {EOS_FRAME_NS, true, ls->pipe.wall_base_ms, ls->discontinuity, ls->start_seq};
  char *err = NULL;
  int rc = rendition_add_segment(r, s, &o, &err);
  if (rc == -ENOMSG)
    return;
  if (rc == -EIO) {
    /* The stream goes on; the players keep the window they have, and the first segment
     * written again follows a discontinuity (its timestamps jump over the gap). */
    SegmentDone seg;
    segment_writer_read(s, &seg);
    if (!ls->lost_segments) {
      /* Said once for the whole loss: a smaller rung's segment that still fits on a nearly
       * full disk does not end it, only every rung writing again does. */
      ls->lost_errno = seg.errnum;
      if (seg.errnum == ENOSPC || seg.errnum == EDQUOT)
        log_error(SUB, "%s: the disk is full (%s): segments are lost until space returns; the live "
                  "goes on and its recording will have a gap", ls->id, err);
      else
        log_error(SUB, "%s: segments cannot be written (%s): they are lost until writing works again; "
                  "the live goes on and its recording will have a gap", ls->id, err);
    }
    ls->lost_segments++;
    ls->losing_rungs |= 1u << (r - ls->rungs);
    hls_playlist_mark_discontinuity(r->pl);
    g_free(err);
    return;
  }
  ls->losing_rungs &= ~(1u << (r - ls->rungs));
  if (ls->lost_segments && !ls->losing_rungs) {
    log_warn(SUB, "%s: segments are written again, after %u lost (%s)", ls->id, ls->lost_segments,
             g_strerror(ls->lost_errno));
    ls->lost_segments = 0;
  }
  if (rc == -ENODATA) {
    log_warn(SUB, "%s: %s: empty segment dropped", ls->id, r->r.name);
    return;
  }
  if (rc == -ERANGE) {
    const HlsSegment *seg = hls_playlist_segment(r->pl, hls_playlist_count(r->pl) - 1);
    log_warn(SUB, "%s: %s: segment %s is %.3f s, over the %d s target (presenter keyframes "
             "too far apart?)", ls->id, r->r.name, seg->uri, seg->duration, hls_playlist_target(r->pl));
  }
  write_rung_playlists(ls, r);
  if (!r->have_codecs)
    g_strlcpy(r->codecs, ls->flv.src_codecs, sizeof r->codecs);
  bool all = true;
  for (int i = 0; i < ls->ladder.n; i++)
    all &= hls_playlist_count(ls->rungs[i].pl) > 0;
  if (all && (!ls->master_written || hls_playlist_count(r->pl) <= 2)) {
    write_master(ls, false);
  } else if (hls_playlist_count(r->pl) == 1) {
    /* The master waits for every rung; this rung's size is stored now, so a server killed
     * before the others had a segment still finishes the recording with its RESOLUTION. */
    RenditionVariant v;
    rung_variant(ls, r, false, &v);
  }
}

/* ---- the pipeline of a publish ---------------------------------------------- */

static gboolean on_grace_over(gpointer user)
{
  LiveStream *ls = user;
  ls->grace_timer = 0;
  log_info(SUB, "%s: presenter did not come back within %" G_GINT64_FORMAT " s; finishing",
           ls->id, ls->live->cfg->live_reconnect_grace);
  stream_finish(ls);
  return G_SOURCE_REMOVE;
}

/* The pipeline of a publish has ended (EOS or error) and is torn down (LivePipelineEvents.done). */
static void pipeline_done(void *user, const char *why)
{
  LiveStream *ls = user;
  log_info(SUB, "%s: pipeline ended (%s)", ls->id, why);
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

/* Fixes the ladder at the first publish (later publishes keep it): rungs fitted to the
 * source, the source copied when its keyframes are close enough. */
static void fix_ladder(LiveStream *ls)
{
  const Config *cfg = ls->live->cfg;
  if (ls->have_ladder)
    return;
  bool copy_ok = flv_gop_ms(&ls->flv) <= cfg->live_segment_duration * 1000 + LIVE_CUT_TOLERANCE_NS / GST_MSECOND;
  double fps = ls->flv.meta_fps > 0 ? ls->flv.meta_fps : 30;
  int source_kbps = (int)CLAMP(ls->flv.src.width * ls->flv.src.height * fps * 0.1 / 1000, 500, 8000);
  ladder_fit(&ls->live->spec, ls->flv.src.width, ls->flv.src.height, copy_ok, source_kbps, &ls->ladder);
  for (int i = 0; i < ls->ladder.n; i++) {
    Rendition *r = &ls->rungs[i];
    r->r = ls->ladder.rungs[i];
    r->pl = hls_playlist_new((int)cfg->live_segment_duration, (guint)cfg->live_window);
    if (cfg->live_part_ms)
      hls_playlist_set_parts(r->pl, cfg->live_part_ms * LIVE_PART_TARGET_FACTOR / 1000.0);
    g_autofree char *d = g_build_filename(ls->dir, r->r.name, NULL);
    g_mkdir_with_parents(d, 0755);
  }
  ls->have_ladder = true;
}

/* Builds and starts the pipeline for the current publish; feeds the preroll. */
static void build_pipeline(LiveStream *ls)
{
  fix_ladder(ls);
  char *err = NULL;
  if (live_pipeline_start(&ls->pipe, ls->live->cfg, &ls->flv, &ls->ladder, ls->rungs, ls->dir,
                          ls->preroll, &err) < 0) {
    log_error(SUB, "%s: cannot build the live pipeline: %s", ls->id, err ? err : "?");
    ls->broken = true;
    g_free(err);
  } else {
    ls->start_seq = ls->ladder.n ? hls_playlist_next_seq(ls->rungs[0].pl) : 0;
  }
  g_byte_array_set_size(ls->preroll, 0);
}

/* ---- finishing -------------------------------------------------------------- */

static gboolean on_finish_retry(gpointer user)
{
  LiveStream *ls = user;
  ls->finish_timer = 0;
  if (ls->finish_step == FINISH_POSTER)
    finish_done(ls, NULL);
  else
    stream_finish(ls);
  return G_SOURCE_REMOVE;
}

/* A step of the finish was refused (WHAT failed, RC): said once, tried again in a while. The
 * recordings' playlists (recording.m3u8) stay until the VOD playlists have replaced them, so
 * a restart meanwhile still finds every segment. */
static void finish_refused(LiveStream *ls, const char *what, int rc)
{
  Live *live = ls->live;
  if (live->closing) {
    /* Shutting down: the next start finishes what is still `live` (recover()). */
    if (ls->finish_step == FINISH_PROCESSING)
      db_video_set_state(live->db, ls->id, "processing", "live", "finish interrupted by shutdown", NULL);
    log_error(SUB, "%s: cannot finish the recording: %s (%s); the next start finishes it", ls->id, what,
              g_strerror(-rc));
    g_hash_table_remove(live->streams, ls->id); /* frees LS */
    return;
  }
  if (!ls->finish_refused)
    log_error(SUB, "%s: cannot finish the recording: %s (%s); trying again every %d s", ls->id, what,
              g_strerror(-rc), FINISH_RETRY_S);
  ls->finish_refused = true;
  ls->finish_timer = g_timeout_add_seconds(FINISH_RETRY_S, on_finish_retry, ls);
}

static void finish_done(LiveStream *ls, const char *poster)
{
  Live *live = ls->live;
  ls->finish_step = FINISH_POSTER;
  if (poster)
    ls->have_poster = true;
  double dur = ls->have_ladder ? hls_playlist_duration(ls->rungs[0].pl) : 0;
  int rc = db_video_set_media(live->db, ls->id, (gint64)llround(dur * 1000), ls->have_poster ? "poster.jpg" : NULL);
  if (rc == 0)
    rc = db_video_set_state(live->db, ls->id, NULL, "ready",
                            ls->have_poster ? "recording finished" : "recording finished (no poster)", NULL);
  if (rc < 0 && rc != -ENOENT) {
    finish_refused(ls, "the database refused the change", rc);
    return;
  }
  if (ls->finish_refused)
    log_info(SUB, "%s: the recording is finished after all", ls->id);
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

/* The recording is complete: VOD playlists, master, poster, state ready — each step tried
 * again while the disk or the database refuses it. */
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
  if (ls->finish_step < FINISH_PROCESSING) {
    int rc = db_video_set_state(live->db, ls->id, "live", "processing", "live ended; finishing the recording", NULL);
    if (rc < 0 && rc != -ENOENT) {
      finish_refused(ls, "the database refused the change", rc);
      return;
    }
    ls->finish_step = FINISH_PROCESSING;
  }
  if (ls->finish_step < FINISH_PLAYLISTS) {
    int rc = 0;
    for (int i = 0; i < ls->ladder.n; i++) {
      Rendition *r = &ls->rungs[i];
      rendition_drop_parts(r, ls->dir); /* the recording has none */
      hls_playlist_end(r->pl);
      int w = write_rung_playlists(ls, r);
      g_autofree char *rec = g_build_filename(ls->dir, r->r.name, "recording.m3u8", NULL);
      if (w == 0)
        unlink(rec); /* index.m3u8 is the whole recording now */
      else if (rc == 0)
        rc = w;
    }
    if (rc == 0)
      rc = write_master(ls, true);
    if (rc < 0) {
      finish_refused(ls, "its playlists cannot be written", rc);
      return;
    }
    ls->finish_step = FINISH_PLAYLISTS;
    log_info(SUB, "%s: recording complete: %.3f s in %u segments per rendition", ls->id,
             hls_playlist_duration(ls->rungs[0].pl), hls_playlist_count(ls->rungs[0].pl));
  }
  /* A poster from a segment about a tenth into the recording. */
  g_autofree char *out = g_build_filename(ls->dir, "poster.jpg", NULL);
  char *err = NULL;
  ls->poster = rendition_poster(&ls->rungs[0], ls->dir, out, on_poster, ls, &err);
  if (!ls->poster) {
    if (err)
      log_warn(SUB, "%s: %s", ls->id, err);
    g_free(err);
    finish_done(ls, NULL);
  }
}

/* ---- stream objects --------------------------------------------------------- */

static gboolean on_sample(gpointer user)
{
  LiveStream *ls = user;
  live_metrics_sample(&ls->metrics, ls->rungs, ls->ladder.n, live_pipeline_running(&ls->pipe));
  return G_SOURCE_CONTINUE;
}

static void stream_free(gpointer p)
{
  LiveStream *ls = p;
  live_pipeline_clear(&ls->pipe);
  poster_free(&ls->poster);
  if (ls->grace_timer)
    g_source_remove(ls->grace_timer);
  if (ls->finish_timer)
    g_source_remove(ls->finish_timer);
  if (ls->sample_timer)
    g_source_remove(ls->sample_timer);
  if (ls->pub)
    ls->pub->ls = NULL;
  for (int i = 0; i < LADDER_MAX_RUNGS; i++)
    hls_playlist_free(&ls->rungs[i].pl);
  g_byte_array_unref(ls->preroll);
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
  live_pipeline_init(&ls->pipe, ls->id, (LivePipelineEvents){on_segment, pipeline_done, ls});
  ls->sample_timer = g_timeout_add_seconds(1, on_sample, ls);
  g_mkdir_with_parents(ls->dir, 0755);
  g_hash_table_insert(live->streams, ls->id, ls);
  return ls;
}

/* ---- RTMP callbacks ----------------------------------------------------------- */

/* The refusals of a publish with KEY, in the order the presenter should hear them. Returns
 * 0 with *M (caller clears) and *LSP (the stream, NULL when none yet), or -EACCES with *code
 * (when not BadName) and *reason. */
static int publish_check(Live *live, const char *key, VideoKeyMatch *m, LiveStream **lsp,
                         const char **code, char **reason)
{
  *lsp = NULL;
  if (live->closing) {
    *reason = g_strdup("the server is shutting down");
    return -EACCES;
  }
  g_autofree char *hash = token_hash(live->secret, key);
  int rc = db_video_find_by_key(live->db, hash, m);
  if (rc == -ENOENT) {
    *reason = g_strdup("unknown stream key; schedule the lesson and copy its key");
    return -EACCES;
  }
  if (rc < 0) {
    *code = "NetStream.Publish.Failed";
    *reason = g_strdup("the server could not check the key; try again");
    return -EACCES;
  }
  LiveStream *ls = g_hash_table_lookup(live->streams, m->id);
  gint64 now = util_now();
  if (strcmp(m->state, "scheduled") != 0 && strcmp(m->state, "live") != 0) {
    *reason = g_strdup_printf("this stream key has expired: the lesson '%s' is already recorded", m->title);
  } else if (m->scheduled_start && now > m->scheduled_start + live->cfg->live_key_valid_hours * 3600) {
    *reason = g_strdup_printf("this stream key has expired (%" G_GINT64_FORMAT " h after the scheduled start)",
                              live->cfg->live_key_valid_hours);
  } else if (ls && ls->pub) {
    *reason = g_strdup("this lesson is already live from another encoder");
  } else if (ls && ls->state == LS_FINISHING) {
    *reason = g_strdup("this lesson's recording is being finished; its key has expired");
  } else if (!ls && !strcmp(m->state, "live")) {
    *reason = g_strdup("this lesson's live has ended");
  } else {
    *lsp = ls;
    return 0;
  }
  db_video_key_match_clear(m);
  return -EACCES;
}

/* RtmpPublishHandler.check: publish_check alone (SRT asks it inside its handshake). */
static int on_check(void *user, const char *key, const char **code, char **reason)
{
  VideoKeyMatch m;
  LiveStream *ls;
  int rc = publish_check(user, key, &m, &ls, code, reason);
  if (rc == 0)
    db_video_key_match_clear(&m);
  return rc;
}

static void *on_publish(void *user, const char *app, const char *key, const char *peer,
                        const char **code, char **reason)
{
  Live *live = user;
  (void)app;
  VideoKeyMatch m;
  LiveStream *ls;
  if (publish_check(live, key, &m, &ls, code, reason) < 0)
    return NULL;
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
  flv_info_restart(&ls->flv);
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
  db_video_key_match_clear(&m);
  return p;
}

static bool preroll_ready(LiveStream *ls)
{
  if (!ls->flv.have_avc || ls->pipe.draining || ls->pipe.pipeline || !ls->flv.keyframes)
    return false;
  if (ls->preroll->len > PREROLL_MAX_BYTES)
    return true;
  return flv_shape_known(&ls->flv, (uint32_t)ls->live->cfg->live_segment_duration * 1000,
                         LIVE_CUT_TOLERANCE_NS / GST_MSECOND, PREROLL_NO_AUDIO_MS);
}

static void on_media(void *user, void *publisher, uint8_t type, uint32_t ts, const uint8_t *data,
                     size_t len)
{
  (void)user;
  Publisher *p = publisher;
  LiveStream *ls = p->ls;
  if (!ls)
    return;
  ls->metrics.bytes_in += len;
  if (ls->broken)
    return;
  if (!ls->pipe.pipeline || ls->pipe.draining) {
    if (flv_learn(&ls->flv, type, ts, data, len, g_get_real_time() / 1000) == -EBADMSG)
      log_warn(SUB, "%s: unreadable AVC sequence header", ls->id);
    flv_append_tag(ls->preroll, type, ts, data, len);
    if (preroll_ready(ls)) {
      if (ls->flv.src.width <= 0) {
        log_error(SUB, "%s: no usable H.264 sequence header", ls->id);
        g_byte_array_set_size(ls->preroll, 0);
        return;
      }
      if (!ls->flv.have_audio)
        log_info(SUB, "%s: no audio in the first %d ms; recording video only", ls->id, PREROLL_NO_AUDIO_MS);
      build_pipeline(ls);
    }
    return;
  }
  if (type == FLV_TAG_AUDIO && !ls->flv.have_audio)
    return; /* audio that started late: the pipeline was built without it */
  /* The tags of one read of the presenter's socket go on together (on_input_done): the RTMP
   * server reads a publisher every [live] ingest_batch_ms, so each read holds that much. */
  live_pipeline_push(&ls->pipe, type, ts, data, len);
}

static void on_input_done(void *user, void *publisher)
{
  (void)user;
  LiveStream *ls = ((Publisher *)publisher)->ls;
  if (ls && ls->pipe.pipeline && !ls->pipe.draining)
    live_pipeline_flush(&ls->pipe);
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
  if (ls->pipe.pipeline) {
    live_pipeline_end(&ls->pipe);
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
  GArray *rows = g_array_new(FALSE, FALSE, sizeof(LiveMetricsRow));
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, live->streams);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    LiveStream *ls = v;
    LiveMetricsRow row = {ls->id, ls->pub != NULL, &ls->metrics, g_atomic_int_get(&ls->pipe.frames_in),
                          ls->rungs, ls->ladder.n};
    g_array_append_val(rows, row);
  }
  live_metrics_render(out, (const LiveMetricsRow *)(void *)rows->data, rows->len);
  g_array_unref(rows);
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
      if (!g_file_get_contents(rec, &text, NULL, NULL)) {
        /* A finish cut short (a full disk, then a stop) may have made this rung's VOD
         * playlist already and removed its recording.m3u8: the ended index.m3u8 is it. */
        g_free(rec);
        rec = g_build_filename(ls->dir, name, "index.m3u8", NULL);
        if (!g_file_get_contents(rec, &text, NULL, NULL) || !strstr(text, "#EXT-X-ENDLIST"))
          continue;
      }
      HlsPlaylist *pl = NULL;
      char *err = NULL;
      if (hls_playlist_parse(text, (guint)live->cfg->live_window, &pl, &err) < 0) {
        log_warn(SUB, "%s: %s: %s", id, rec, err);
        g_free(err);
        continue;
      }
      Rendition *r = &ls->rungs[ls->ladder.n];
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
      if (db_rendition_get(live->db, id, name, &r->r.width, &r->r.height, &c, &ls->flv.meta_fps) == 0 && c) {
        const char *comma = strchr(c, ',');
        g_strlcpy(r->codecs, c, comma ? (size_t)(comma - c + 1) : sizeof r->codecs);
        if (comma) {
          g_strlcpy(ls->flv.audio_codecs, comma + 1, sizeof ls->flv.audio_codecs);
          ls->flv.have_audio = true;
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
                                "live/rung-encode", "live/rung-copy", "common/audio-branch",
                                "common/segmenter", "common/poster"};
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
  RtmpPublishHandler h = {on_publish, on_media, on_unpublish, live, on_input_done, on_check};
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
      if (ls->pipe.pipeline) {
        live_pipeline_end(&ls->pipe);
      } else {
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
