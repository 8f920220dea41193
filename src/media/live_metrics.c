/* live_metrics: the lives' figures for /metrics (docs/live.md lists them). */
#include "media/live_metrics.h"

void live_metrics_sample(LiveMetrics *m, const Rendition *rungs, int n, bool running)
{
  gint64 now = g_get_monotonic_time();
  double secs = m->prev_sample_mono ? (now - m->prev_sample_mono) / 1e6 : 0;
  if (secs > 0) {
    m->ingest_bps = (m->bytes_in - m->bytes_in_prev) * 8.0 / secs;
    gint64 out = G_MAXINT64;
    bool any = false;
    for (int i = 0; i < n; i++) {
      out = MIN(out, rendition_position(&rungs[i]));
      any = true;
    }
    if (any && running && m->prev_out_rt > 0)
      m->encode_speed = (out - m->prev_out_rt) / 1e9 / secs;
    else if (!running)
      m->encode_speed = 0;
    m->prev_out_rt = any ? out : 0;
  }
  m->bytes_in_prev = m->bytes_in;
  m->prev_sample_mono = now;
}

void live_metrics_render(GString *out, const LiveMetricsRow *rows, guint n)
{
  int active = 0, waiting = 0;
  for (guint i = 0; i < n; i++) {
    if (rows[i].publishing)
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
  for (guint i = 0; i < n; i++)
    g_string_append_printf(out, "lectern_live_ingest_bits_per_second{video=\"%s\"} %.0f\n", rows[i].id,
                           rows[i].m->ingest_bps);
  g_string_append(out,
      "# HELP lectern_live_encode_speed Media seconds the slowest rendition produced per wall second "
      "(1.0 keeps up with a live source).\n# TYPE lectern_live_encode_speed gauge\n");
  for (guint i = 0; i < n; i++)
    g_string_append_printf(out, "lectern_live_encode_speed{video=\"%s\"} %.3f\n", rows[i].id,
                           rows[i].m->encode_speed);
  g_string_append(out,
      "# HELP lectern_live_frames_in_total Video frames received from the presenter.\n"
      "# TYPE lectern_live_frames_in_total counter\n");
  for (guint i = 0; i < n; i++)
    g_string_append_printf(out, "lectern_live_frames_in_total{video=\"%s\"} %d\n", rows[i].id, rows[i].frames_in);
  g_string_append(out,
      "# HELP lectern_live_frames_dropped_total Frames an encoded rendition dropped because it "
      "could not keep up.\n# TYPE lectern_live_frames_dropped_total counter\n");
  for (guint i = 0; i < n; i++)
    for (int j = 0; j < rows[i].n; j++)
      g_string_append_printf(out, "lectern_live_frames_dropped_total{video=\"%s\",rendition=\"%s\"} %"
                             G_GINT64_FORMAT "\n", rows[i].id, rows[i].rungs[j].r.name,
                             rendition_dropped(&rows[i].rungs[j]));
  g_string_append(out,
      "# HELP lectern_live_frames_late_total Frames that left their encoder more than one segment "
      "behind the source.\n# TYPE lectern_live_frames_late_total counter\n");
  for (guint i = 0; i < n; i++)
    for (int j = 0; j < rows[i].n; j++)
      g_string_append_printf(out, "lectern_live_frames_late_total{video=\"%s\",rendition=\"%s\"} %d\n",
                             rows[i].id, rows[i].rungs[j].r.name, g_atomic_int_get(&rows[i].rungs[j].late));
}
