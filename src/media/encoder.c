/* encoder: x264 settings shared by live and imported renditions. */
#include "media/encoder.h"
#include "media/h264.h"

#include <math.h>
#include <string.h>

guint encoder_x264_threads(const Config *cfg, const Ladder *ladder)
{
  if (cfg->x264_threads > 0)
    return (guint)cfg->x264_threads;
  int encoders = 0;
  for (int i = 0; i < ladder->n; i++)
    encoders += !ladder->rungs[i].copy;
  return (guint)MAX(1, (int)g_get_num_processors() / MAX(encoders, 1));
}

void encoder_set_x264(GstElement *enc, const Config *cfg, guint threads, int kbps,
                      GstClockTime segment_ns, double fps)
{
  int gop = (int)ceil((fps > 0 ? fps : 30) * segment_ns / 1e9);
  gst_util_set_object_arg(G_OBJECT(enc), "speed-preset", cfg->x264_preset);
  if (strcmp(cfg->x264_tune, "none") != 0)
    gst_util_set_object_arg(G_OBJECT(enc), "tune", cfg->x264_tune);
  /* key-int-max only bounds the interval should a keyframe request be lost. */
  g_object_set(enc, "bitrate", (guint)kbps, "threads", threads, "key-int-max", (guint)(gop * 2), NULL);
}

void encoder_note_codecs(GstBuffer *buf, char *out, size_t len, gint *have)
{
  if (g_atomic_int_get(have) || GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT))
    return;
  GstMapInfo map;
  if (!gst_buffer_map(buf, &map, GST_MAP_READ))
    return;
  H264Info info;
  if (h264_annexb_find_sps(map.data, map.size, &info) == 0) {
    h264_codecs_string(&info, out, len);
    g_atomic_int_set(have, 1);
  }
  gst_buffer_unmap(buf, &map);
}
