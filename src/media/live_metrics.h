/* live_metrics: the lives' figures for /metrics — streams, ingest bit rate, encode speed,
 * frames in, dropped and late per rendition. */
#pragma once
#include "media/rendition.h"

#include <glib.h>
#include <stdbool.h>

/* One live's counters, sampled every second on the main loop. */
typedef struct {
  guint64 bytes_in;             /* received from the presenter (every publish) */
  guint64 bytes_in_prev;
  double ingest_bps;            /* over the last sample */
  gint64 prev_out_rt, prev_sample_mono;
  double encode_speed;          /* media seconds of the slowest rendition per wall second */
} LiveMetrics;

/* Takes a sample: ingest bit rate since the last one, and the encode speed of the slowest of
 * the N renditions RUNGS while RUNNING (a pipeline is up; 0 otherwise). */
void live_metrics_sample(LiveMetrics *m, const Rendition *rungs, int n, bool running);

/* One live as the renderer sees it. */
typedef struct {
  const char *id;
  bool publishing;              /* a presenter is sending now (else waiting or finishing) */
  const LiveMetrics *m;
  int frames_in;
  const Rendition *rungs;
  int n;
} LiveMetricsRow;

/* Appends the Prometheus text for ROWS[N] to OUT. */
void live_metrics_render(GString *out, const LiveMetricsRow *rows, guint n);
