/* live_pipeline: one publish's GStreamer pipeline — ingest, the renditions, the cut planner,
 * the FLV bytes handed over in batches — and its bus, reported back through callbacks. */
#pragma once
#include "core/config.h"
#include "media/flv.h"
#include "media/ladder.h"
#include "media/rendition.h"

#include <gst/gst.h>
#include <stdbool.h>

#define LIVE_CUT_TOLERANCE_NS (100 * GST_MSECOND)
/* PART-TARGET against the part step ([live] part_duration): a part is cut at the first frame
 * at or past its boundary, so it may be a frame longer than the step. */
#define LIVE_PART_TARGET_FACTOR 1.1
#define LIVE_INGEST_BATCH_MAX_BYTES (1u << 20) /* a batch this big is handed on at once */

/* What the pipeline reports on the main loop. */
typedef struct {
  /* A message from rendition R's segmenter (a segment is complete). */
  void (*segment)(void *user, Rendition *r, const GstStructure *s);
  /* The pipeline ended (end of stream or error; WHY says which) and was torn down. */
  void (*done)(void *user, const char *why);
  void *user;
} LivePipelineEvents;

typedef struct {
  const char *id;               /* the video, for log lines */
  LivePipelineEvents ev;
  GstElement *pipeline, *appsrc;
  guint bus_watch;
  bool draining;                /* EOS sent, waiting for it on the bus */
  GByteArray *batch;            /* FLV tags of the current read, not yet handed on */
  bool copy_mode;               /* the source is copied: cuts at its keyframes */
  gint64 wall_base_ms;          /* wall clock at running time 0 */
  Rendition *rungs;             /* the stream's renditions (outlive the pipeline) */
  int n;

  /* Planner (streaming thread, under plan.lock): decides every cut on the parsed source. */
  RenditionCutList plan;
  GstClockTime target_ns, last_cut;
  GstSegment vsegment;
  RenditionPolicy policy;       /* the renditions act on PLAN */
  RenditionClock clock;
  gint frames_in;               /* atomic: source video frames */
  gint64 last_src_rt;           /* atomic (__atomic_*) */
} LivePipeline;

void live_pipeline_init(LivePipeline *lp, const char *id, LivePipelineEvents ev);
/* Tears down a running pipeline and frees what init made. */
void live_pipeline_clear(LivePipeline *lp);

/* Builds and starts the pipeline for a publish whose shape is FLV, over the N renditions of
 * LADDER in RUNGS (their playlists exist; segments go to DIR/<name>/), and feeds it the FLV
 * header and the PREROLL tags. Returns 0, or -EINVAL with *ERR (torn down again). */
int live_pipeline_start(LivePipeline *lp, const Config *cfg, const FlvInfo *flv, const Ladder *ladder,
                        Rendition *rungs, const char *dir, const GByteArray *preroll, char **err);

bool live_pipeline_running(const LivePipeline *lp);

/* Adds one tag to the current batch (handed on at LIVE_INGEST_BATCH_MAX_BYTES). */
void live_pipeline_push(LivePipeline *lp, uint8_t type, uint32_t ts, const uint8_t *data, size_t len);
/* Hands the tags batched so far to the pipeline (the end of one read of the socket). */
void live_pipeline_flush(LivePipeline *lp);
/* The publisher is gone: what was batched goes on, then end-of-stream; ev.done follows. */
void live_pipeline_end(LivePipeline *lp);
/* Stops the pipeline at once (nothing is reported). */
void live_pipeline_teardown(LivePipeline *lp);
