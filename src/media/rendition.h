/* rendition: one rung of the ladder, shared by lives and imports — built into a pipeline,
 * probed on its way to the muxer, and turned into segments, playlists and a master entry.
 *
 *   from tee ▶ <rung fragment> ─probes─▶ common/segmenter (mpegtsmux ▶ segment_writer)
 *              [queue ▶ scale ▶ x264]     ▲ audio tee ▶ common/audio-branch
 *
 * Only where the cuts fall differs between a live and an import; that is the policy passed
 * in (RenditionPolicy): a shared list of cut times a live's planner appends to as the source
 * arrives (RenditionCutList), or a fixed step decided in advance (rendition_cut_every_due).
 * Each rendition asks its encoder for a keyframe at the first frame at or past a cut (after
 * its queue, so a leaky queue's drop cannot lose the request) and its muxer for a new segment
 * at that keyframe, so every rendition has the same boundaries. */
#pragma once
#include "core/config.h"
#include "media/hls_playlist.h"
#include "media/ladder.h"
#include "media/poster.h"

#include <gst/gst.h>
#include <stdbool.h>

/* Segments whose part files are still on disk (those listed, PART_SEGMENTS in hls_playlist.c,
 * and a few more for players still fetching them). */
#define RENDITION_PART_FILES_KEPT 6

/* Whether a cut lies at or before RT from the cursor *STATE on; advances *STATE past every
 * such cut. Called from streaming threads (a rendition's queue and its encoder's output). */
typedef bool (*RenditionCutFn)(void *user, guint64 *state, GstClockTime rt);

/* Real time against which a live's encoded frames are counted late: a frame at running time
 * RT leaving its encoder when (monotonic now - RUN_BASE_US) is more than LATE_AFTER_NS past
 * RT. Written before the pipeline starts, read by the streaming threads. */
typedef struct {
  gint64 run_base_us;
  gint64 late_after_ns;
} RenditionClock;

typedef struct {
  RenditionCutFn due;
  void *user;
  guint64 start;                /* where both cursors of every rendition start */
  const RenditionClock *clock;  /* lives; NULL: no lateness count (imports) */
} RenditionPolicy;

/* The cut list of a live: the planner appends running times under LOCK (it keeps its own
 * planning state under the same lock, so a frame costs one lock); renditions read it with
 * rendition_cut_list_due and a cursor that is an index into CUTS (start at 1: the first
 * entry is the stream's start, not a cut). */
typedef struct {
  GMutex lock;
  GArray *cuts;                 /* GstClockTime, ascending */
} RenditionCutList;

void rendition_cut_list_init(RenditionCutList *l);
void rendition_cut_list_clear(RenditionCutList *l);
/* Empties the list (a new pipeline's running times start again). */
void rendition_cut_list_reset(RenditionCutList *l);
/* RenditionCutFn over a RenditionCutList (USER). */
bool rendition_cut_list_due(void *user, guint64 *idx, GstClockTime rt);
/* RenditionCutFn for cuts every *(GstClockTime *)USER of running time; the cursor is the next
 * cut's time (start it at the step). */
bool rendition_cut_every_due(void *user, guint64 *next, GstClockTime rt);

typedef struct {
  LadderRung r;
  HlsPlaylist *pl;              /* owned; outlives pipelines (a live's reconnects) */
  /* While a pipeline runs (references; rendition_detach drops them). */
  GstElement *sink;             /* the segmenter's fakesink: segment messages come from it */
  GstElement *queue;            /* encoded rungs: the queue in front of the encoder */
  /* Streaming threads. */
  const RenditionPolicy *policy;
  guint64 force_at;             /* cursor of the keyframe requests (queue thread) */
  guint64 cut_at;               /* cursor of the segment cuts (encoder output thread) */
  gint64 first_rt, last_rt;     /* atomic: running time of the first and last encoded frame */
  gint frames_in_q, frames_out_q, frames_out, late; /* atomics */
  char codecs[48];              /* "avc1.PPCCLL" of the rung's video */
  gint have_codecs;             /* atomic */
} Rendition;

typedef struct {
  GstElement *pipeline;
  GstElement *video;            /* a tee: the rung's video comes from one of its src_%u pads */
  GstElement *audio;            /* a tee of AAC for every rendition, or NULL */
  const char *fragment;         /* the rung: e.g. live/rung-copy, live/rung-encode, vod/rung-encode */
  const char *dir;              /* the rendition's directory: seg%06u.ts go there */
  const Config *cfg;
  guint threads;                /* x264 threads */
  GstClockTime segment_ns;
  double fps;                   /* 0: unknown */
  const RenditionPolicy *policy;
  GstClockTime part_ns;         /* LL-HLS parts every PART_NS (lives); 0: none */
} RenditionBuild;

/* Adds R's branch to B->pipeline: the fragment (sized and with x264 set from B unless R is a
 * copy rung), the probes, common/segmenter with segment_writer on B->dir numbering from R's
 * playlist, and common/audio-branch when B->audio is set. R->pl must exist. Returns 0, or
 * -EINVAL with *ERR (a fragment that does not load or link). */
int rendition_build(Rendition *r, const RenditionBuild *b, char **err);

/* Drops the element references a pipeline left (its teardown). */
void rendition_detach(Rendition *r);

/* Whether MSG was posted by R's segmenter. */
bool rendition_owns(const Rendition *r, const GstMessage *msg);

typedef struct {
  GstClockTime frame_ns;        /* how long the last frame lasts, for a segment closed by EOS */
  bool dated;                   /* PROGRAM-DATE-TIME: WALL_BASE_MS + the segment's start */
  gint64 wall_base_ms;
  bool discontinuity;           /* mark a discontinuity before the segment numbered ... */
  guint64 discontinuity_seq;    /* ... this (a reconnect's first) */
} RenditionSegmentOpts;

/* Lists the segment S (a SEGMENT_WRITER_MESSAGE from R's segmenter) in R's playlist. Returns
 * 0; -ERANGE when listed but longer than the target; -ENODATA for an empty segment (its file
 * is removed, nothing listed); -EIO with *ERR when the writer could not write it; -ENOMSG
 * when S is not a segment message. */
int rendition_add_segment(Rendition *r, const GstStructure *s, const RenditionSegmentOpts *o, char **err);

/* Lists the part S (a SEGMENT_WRITER_PART_MESSAGE) in R's playlist and points the preload
 * hint at the next one. Returns 0, -EIO with *ERR when it could not be written (the parts of
 * that segment are dropped: the segment is listed without them), -ENOMSG when S is not a
 * part message. */
int rendition_add_part(Rendition *r, const GstStructure *s, char **err);

/* Removes the part files of every listed segment of R and forgets them (the end of a live:
 * the recording has no parts). */
void rendition_drop_parts(Rendition *r, const char *media_dir);

/* Writes R's playlists under MEDIA_DIR/<name>/: recording.m3u8 (every segment, EVENT) while
 * the playlist has not ended — first, so a crash after it still lists every segment — then
 * index.m3u8 (the live window; the whole VOD list once ended). Returns 0 or the first
 * failure's -errno with *ERR; the second file is attempted either way. */
int rendition_write_playlists(const Rendition *r, const char *media_dir, char **err);
/* The same, with EXT-X-RENDITION-REPORTs for the N renditions in ALL other than R (LL-HLS);
 * RECORDING false leaves recording.m3u8 alone (a part was added: the recording lists only
 * whole segments, and rewriting it several times a second would cost a long live dearly). */
int rendition_write_playlists_with(const Rendition *r, const Rendition *all, int n, bool recording,
                                   const char *media_dir, char **err);

/* R's master playlist entry; the strings are kept in the struct (do not copy it). */
typedef struct {
  HlsVariant v;
  char uri[48];
  char codecs[64];
} RenditionVariant;

/* Fills OUT from R's playlist (measured peak and average) with AUDIO_CODECS appended to R's
 * codecs (NULL or "": video only) and FPS (0: omitted). */
void rendition_variant(const Rendition *r, const char *audio_codecs, double fps, RenditionVariant *out);

/* Starts a poster (OUT, 640 pixels wide) from R's segment about a tenth into its playlist.
 * Returns NULL when R has no segment, or with *ERR when it cannot start. */
Poster *rendition_poster(const Rendition *r, const char *media_dir, const char *out, PosterDone done,
                         void *user, char **err);

/* Running time of the last frame out of R's encoder (0 before any). */
gint64 rendition_position(const Rendition *r);

/* Frames R's (leaky) queue dropped so far; 0 for a copy rung or when no pipeline runs. */
gint64 rendition_dropped(const Rendition *r);
