/* ts_flv: a TS publisher's access units as the FLV tags an RTMP publisher sends, so
 * media/live learns the stream's shape, builds its ladder and records it the same way for
 * both. What changes on the way:
 *  - H.264: Annex B start codes become 4-byte lengths; SPS and PPS leave the frames for an
 *    AVC sequence header (sent again when they change); access unit delimiters are dropped;
 *    a frame with an IDR slice is a keyframe; video before the first keyframe is dropped
 *    (a decoder could not start there).
 *  - AAC: each ADTS frame becomes a raw frame, its header an AudioSpecificConfig; the frames
 *    of one PES get their own times, 1024 samples apart.
 *  - Time: 90 kHz, 33 bits, wrapping every 26.5 h, becomes milliseconds from the first
 *    timestamp of the connection; the composition offset (B-frames) is PTS − DTS.
 *  - The frame rate, from the first two video frames, goes out as onMetaData's framerate. */
#include "srt/ts_flv.h"
#include "rtmp/amf0.h"

#include <errno.h>
#include <string.h>

#define FLV_AUDIO 8
#define FLV_VIDEO 9
#define FLV_SCRIPT 18
#define WRAP (INT64_C(1) << 33)

void ts_flv_init(TsFlv *t, TsFlvTagFn fn, void *user)
{
  memset(t, 0, sizeof *t);
  t->fn = fn;
  t->user = user;
  t->sps = g_byte_array_new();
  t->pps = g_byte_array_new();
  t->scratch = g_byte_array_new();
  t->first_video_dts = TS_NO_TS;
}

void ts_flv_clear(TsFlv *t)
{
  if (t->sps)
    g_byte_array_unref(t->sps);
  if (t->pps)
    g_byte_array_unref(t->pps);
  if (t->scratch)
    g_byte_array_unref(t->scratch);
  memset(t, 0, sizeof *t);
}

/* A 33-bit timestamp as a count that does not wrap: the value nearest the last one seen. */
static int64_t unwrap(TsFlv *t, int64_t raw)
{
  if (!t->have_base) {
    t->have_base = true;
    t->base = t->last = raw;
    return raw;
  }
  int64_t d = (raw - t->last) & (WRAP - 1);
  if (d >= WRAP / 2)
    d -= WRAP;
  t->last += d;
  return t->last;
}

static uint32_t to_ms(const TsFlv *t, int64_t ext)
{
  int64_t ms = (ext - t->base) / 90;
  return ms < 0 ? 0 : (uint32_t)ms;
}

static void put_be(GByteArray *b, uint32_t v, int bytes)
{
  for (int i = bytes - 1; i >= 0; i--) {
    uint8_t c = (uint8_t)(v >> (8 * i));
    g_byte_array_append(b, &c, 1);
  }
}

/* The next NAL unit of Annex B BUF[LEN] at or after *OFF; returns false at the end. */
static bool next_nal(const uint8_t *buf, size_t len, size_t *off, const uint8_t **nal, size_t *nal_len)
{
  size_t i = *off;
  while (i + 3 <= len && !(buf[i] == 0 && buf[i + 1] == 0 && buf[i + 2] == 1))
    i++;
  if (i + 3 > len)
    return false;
  size_t start = i + 3, j = start;
  while (j + 3 <= len && !(buf[j] == 0 && buf[j + 1] == 0 && (buf[j + 2] == 1 || (buf[j + 2] == 0 && j + 3 < len && buf[j + 3] == 1))))
    j++;
  size_t end = j + 3 <= len ? j : len;
  while (end > start && buf[end - 1] == 0)
    end--; /* trailing zero bytes belong to the next start code */
  *nal = buf + start;
  *nal_len = end - start;
  *off = j + 3 <= len ? j : len;
  return true;
}

static void send_avc_header(TsFlv *t, uint32_t ts)
{
  GByteArray *b = t->scratch;
  g_byte_array_set_size(b, 0);
  const uint8_t head[5] = {0x17, 0, 0, 0, 0};
  g_byte_array_append(b, head, 5);
  const uint8_t *s = t->sps->data;
  const uint8_t rec[6] = {1, s[1], s[2], s[3], 0xff, 0xe1};
  g_byte_array_append(b, rec, 6);
  put_be(b, t->sps->len, 2);
  g_byte_array_append(b, t->sps->data, t->sps->len);
  const uint8_t one = 1;
  g_byte_array_append(b, &one, 1);
  put_be(b, t->pps->len, 2);
  g_byte_array_append(b, t->pps->data, t->pps->len);
  t->fn(t->user, FLV_VIDEO, ts, b->data, b->len);
  t->avc_sent = true;
}

static void send_fps(TsFlv *t, int64_t dts)
{
  t->fps_sent = true;
  int64_t d = dts - t->first_video_dts;
  if (d <= 0 || d > 90000)
    return;
  double fps = 90000.0 / (double)d;
  GByteArray *b = g_byte_array_new();
  amf0_put_string(b, "onMetaData");
  amf0_put_ecma_array_begin(b, 1);
  amf0_put_prop_name(b, "framerate");
  amf0_put_number(b, (double)(int64_t)(fps * 1000 + 0.5) / 1000);
  amf0_put_object_end(b);
  t->fn(t->user, FLV_SCRIPT, 0, b->data, b->len);
  g_byte_array_unref(b);
}

static bool same(const GByteArray *a, const uint8_t *p, size_t len)
{
  return a->len == len && memcmp(a->data, p, len) == 0;
}

static int video_unit(TsFlv *t, const TsUnit *u)
{
  if (u->dts == TS_NO_TS)
    return -EBADMSG;
  int64_t dts = unwrap(t, u->dts);
  int64_t pts = u->pts == TS_NO_TS ? dts : dts + (((u->pts - u->dts) + WRAP / 2) & (WRAP - 1)) - WRAP / 2;
  uint32_t ms = to_ms(t, dts);
  int32_t cts = (int32_t)((pts - dts) / 90);
  /* The frames first: SPS and PPS are taken out on the way. */
  GByteArray *frame = g_byte_array_sized_new((guint)u->len + 16);
  const uint8_t head[5] = {0x27, 1, (uint8_t)(cts >> 16), (uint8_t)(cts >> 8), (uint8_t)cts};
  g_byte_array_append(frame, head, 5);
  bool key = false, any = false, new_ps = false;
  size_t off = 0;
  const uint8_t *nal;
  size_t nal_len;
  while (next_nal(u->data, u->len, &off, &nal, &nal_len)) {
    if (!nal_len)
      continue;
    int type = nal[0] & 0x1f;
    if (type == 7 && nal_len >= 4) {
      if (!same(t->sps, nal, nal_len)) {
        g_byte_array_set_size(t->sps, 0);
        g_byte_array_append(t->sps, nal, (guint)nal_len);
        new_ps = true;
      }
      continue;
    }
    if (type == 8) {
      if (!same(t->pps, nal, nal_len)) {
        g_byte_array_set_size(t->pps, 0);
        g_byte_array_append(t->pps, nal, (guint)nal_len);
        new_ps = true;
      }
      continue;
    }
    if (type == 9)
      continue; /* access unit delimiter: FLV frames are whole access units already */
    if (type == 5)
      key = true;
    put_be(frame, (uint32_t)nal_len, 4);
    g_byte_array_append(frame, nal, (guint)nal_len);
    any = true;
  }
  if (new_ps && t->sps->len && t->pps->len)
    send_avc_header(t, ms);
  if (!any || !t->avc_sent || (!key && !t->keyframe_seen)) {
    g_byte_array_unref(frame);
    return any || new_ps ? 0 : -EBADMSG;
  }
  t->keyframe_seen = true;
  if (key)
    frame->data[0] = 0x17;
  if (t->first_video_dts == TS_NO_TS)
    t->first_video_dts = dts;
  else if (!t->fps_sent)
    send_fps(t, dts);
  t->fn(t->user, FLV_VIDEO, ms, frame->data, frame->len);
  g_byte_array_unref(frame);
  return 0;
}

static const int aac_rates[13] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                  22050, 16000, 12000, 11025, 8000, 7350};

static int audio_unit(TsFlv *t, const TsUnit *u)
{
  if (u->pts == TS_NO_TS)
    return -EBADMSG;
  int64_t pts = unwrap(t, u->pts);
  size_t off = 0;
  int frames = 0;
  GByteArray *b = t->scratch;
  while (off + 7 <= u->len) {
    const uint8_t *h = u->data + off;
    if (h[0] != 0xff || (h[1] & 0xf6) != 0xf0) {
      t->bad_adts++;
      break;
    }
    bool crc = !(h[1] & 1);
    int object = (h[2] >> 6) + 1;
    int sfi = h[2] >> 2 & 0x0f;
    int ch = (h[2] & 1) << 2 | h[3] >> 6;
    size_t flen = (size_t)(h[3] & 3) << 11 | (size_t)h[4] << 3 | h[5] >> 5;
    size_t hlen = crc ? 9 : 7;
    if (sfi >= 13 || flen < hlen || off + flen > u->len) {
      t->bad_adts++;
      break;
    }
    uint8_t asc[2] = {(uint8_t)(object << 3 | sfi >> 1), (uint8_t)((sfi & 1) << 7 | ch << 3)};
    int64_t at = pts + (int64_t)frames * 1024 * 90000 / aac_rates[sfi];
    uint32_t ms = to_ms(t, at);
    if (!t->aac_sent || memcmp(asc, t->asc, 2) != 0) {
      const uint8_t hdr[4] = {0xaf, 0, asc[0], asc[1]};
      t->fn(t->user, FLV_AUDIO, ms, hdr, 4);
      memcpy(t->asc, asc, 2);
      t->aac_sent = true;
    }
    g_byte_array_set_size(b, 0);
    const uint8_t raw[2] = {0xaf, 1};
    g_byte_array_append(b, raw, 2);
    g_byte_array_append(b, h + hlen, (guint)(flen - hlen));
    t->fn(t->user, FLV_AUDIO, ms, b->data, b->len);
    frames++;
    off += flen;
  }
  return frames ? 0 : -EBADMSG;
}

int ts_flv_unit(TsFlv *t, const TsUnit *u)
{
  return u->kind == TS_H264 ? video_unit(t, u) : audio_unit(t, u);
}
