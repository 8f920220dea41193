/* flv: what a presenter's FLV tags say about the stream, and FLV bytes for the ingest pipeline.
 *
 * A tag body as the RTMP layer hands it over (FLV video/audio tag data, E.4.3.1 / E.4.2.1):
 *   video: [frame type:4 | codec id:4] [AVCPacketType] [composition time:3] [payload]
 *          codec 7 = AVC; packet type 0 = sequence header (AVCDecoderConfigurationRecord),
 *          1 = NAL units; frame type 1 = keyframe
 *   audio: [format:4 | rate:2 | size:1 | type:1] [AACPacketType] [payload]
 *          format 10 = AAC; packet type 0 = AudioSpecificConfig (object type in the top 5 bits)
 *   script: AMF0 "onMetaData" then an object or ECMA array (framerate). */
#include "media/flv.h"
#include "rtmp/amf0.h"

#include <errno.h>
#include <string.h>

void flv_info_restart(FlvInfo *f)
{
  f->have_avc = f->have_audio = false;
  f->keyframes = 0;
  f->have_first_ts = false;
}

static int learn_video(FlvInfo *f, uint32_t ts, const uint8_t *data, size_t len)
{
  if (len < 1)
    return -EINVAL;
  if ((data[0] & 0x0f) != 7)
    return 0; /* not AVC: the RTMP layer refuses the publish on its own */
  if (len < 5)
    return -EINVAL;
  if (data[1] == 0) {
    H264Info info;
    if (h264_avcc_parse(data + 5, len - 5, &info) < 0)
      return -EBADMSG;
    f->src = info;
    h264_codecs_string(&info, f->src_codecs, sizeof f->src_codecs);
    f->have_avc = true;
  } else if (data[1] == 1) {
    f->last_video_ts = ts;
    if ((data[0] >> 4) == 1) {
      if (f->keyframes == 0)
        f->first_kf_ts = ts;
      else if (f->keyframes == 1)
        f->second_kf_ts = ts;
      f->keyframes++;
    }
  }
  return 0;
}

static int learn_audio(FlvInfo *f, const uint8_t *data, size_t len)
{
  if (len < 1)
    return -EINVAL;
  if (!f->have_audio) {
    f->have_audio = true;
    f->audio_is_aac = (data[0] >> 4) == 10;
    g_strlcpy(f->audio_codecs, "mp4a.40.2", sizeof f->audio_codecs);
  }
  if (f->audio_is_aac && len >= 3 && data[1] == 0) {
    int object = data[2] >> 3;
    if (object == 5 || object == 29)
      g_snprintf(f->audio_codecs, sizeof f->audio_codecs, "mp4a.40.%d", object);
  }
  return 0;
}

int flv_learn(FlvInfo *f, uint8_t type, uint32_t ts, const uint8_t *data, size_t len, gint64 now_ms)
{
  if (!f->have_first_ts) {
    f->have_first_ts = true;
    f->first_ts = ts;
    f->first_wall_ms = now_ms;
  }
  if (type == FLV_TAG_VIDEO)
    return learn_video(f, ts, data, len);
  if (type == FLV_TAG_AUDIO)
    return learn_audio(f, data, len);
  if (type == FLV_TAG_SCRIPT) {
    /* onMetaData: "onMetaData", then an object or ECMA array; framerate if given. */
    GPtrArray *vals = NULL;
    if (amf0_decode_all(data, len, &vals) < 0)
      return -EINVAL;
    double d = vals->len > 1 ? amf0_number(amf0_get(vals->pdata[1], "framerate"), 0) : 0;
    if (d > 0 && d < 240)
      f->meta_fps = d;
    g_ptr_array_unref(vals);
  }
  return 0;
}

uint32_t flv_gop_ms(const FlvInfo *f)
{
  return f->keyframes >= 2 ? f->second_kf_ts - f->first_kf_ts : UINT32_MAX;
}

bool flv_shape_known(const FlvInfo *f, uint32_t segment_ms, uint32_t tolerance_ms, uint32_t no_audio_ms)
{
  if (!f->have_avc || !f->keyframes)
    return false;
  uint32_t seen = f->last_video_ts - f->first_kf_ts;
  bool gop_known = f->keyframes >= 2 || seen > segment_ms + tolerance_ms;
  bool audio_known = f->have_audio || seen >= no_audio_ms;
  return gop_known && audio_known;
}

void flv_append_tag(GByteArray *out, uint8_t type, uint32_t ts, const uint8_t *data, size_t len)
{
  uint8_t h[11] = {type, (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len,
                   (uint8_t)(ts >> 16), (uint8_t)(ts >> 8), (uint8_t)ts, (uint8_t)(ts >> 24), 0, 0, 0};
  g_byte_array_append(out, h, 11);
  g_byte_array_append(out, data, (guint)len);
  uint32_t prev = (uint32_t)(11 + len);
  uint8_t t[4] = {(uint8_t)(prev >> 24), (uint8_t)(prev >> 16), (uint8_t)(prev >> 8), (uint8_t)prev};
  g_byte_array_append(out, t, 4);
}

void flv_header(uint8_t out[FLV_HEADER_LEN], bool audio)
{
  const uint8_t h[FLV_HEADER_LEN] = {'F', 'L', 'V', 1, (uint8_t)(audio ? 5 : 1), 0, 0, 0, 9, 0, 0, 0, 0};
  memcpy(out, h, sizeof h);
}

int flv_read_tag(const uint8_t *buf, size_t len, size_t *off, FlvTag *out)
{
  if (*off == 0) {
    if (len < 9 || memcmp(buf, "FLV", 3) != 0)
      return -EBADMSG;
    uint32_t hlen = (uint32_t)buf[5] << 24 | (uint32_t)buf[6] << 16 | (uint32_t)buf[7] << 8 | buf[8];
    if (hlen < 9 || hlen > len)
      return -EBADMSG;
    *off = hlen + 4; /* PreviousTagSize0 */
  }
  if (*off + 11 > len)
    return -EAGAIN;
  const uint8_t *h = buf + *off;
  size_t body = (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
  if (*off + 11 + body + 4 > len)
    return -EAGAIN;
  const uint8_t *t = h + 11 + body;
  uint32_t prev = (uint32_t)t[0] << 24 | (uint32_t)t[1] << 16 | (uint32_t)t[2] << 8 | t[3];
  if (prev != 11 + body)
    return -EBADMSG;
  out->type = h[0] & 0x1f;
  out->ts = (uint32_t)h[7] << 24 | (uint32_t)h[4] << 16 | (uint32_t)h[5] << 8 | h[6];
  out->data = h + 11;
  out->len = body;
  *off += 11 + body + 4;
  return 0;
}
