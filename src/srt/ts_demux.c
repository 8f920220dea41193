/* ts_demux: MPEG-TS as an SRT publisher sends it — PAT, the first program's PMT, and PES
 * reassembly of its H.264 and AAC (ADTS) streams. No I/O.
 *
 * Only what an encoder (OBS, ffmpeg, vMix, hardware encoders) puts in a live TS is read:
 * sections are taken from the packet that starts them (PAT and PMT of a live stream fit in
 * one), the CRC is not checked (SRT delivers packets intact or not at all), and a video PES
 * with no length ends where the next one starts. */
#include "srt/ts_demux.h"
#include "core/log.h"

#include <errno.h>
#include <string.h>

#define SUB "srt"
#define SYNC 0x47
#define MAX_UNSYNCED (64 * 1024)

typedef struct {
  int pid;
  TsKind kind;
  GByteArray *buf;
  bool started;        /* a PES is being gathered */
  bool overflow;       /* the current one grew past TS_MAX_PES: dropped */
  size_t expect;       /* its payload length when the header gave one, else 0 */
  int64_t pts, dts;
} Pes;

struct TsDemux {
  TsUnitFn fn;
  void *user;
  uint8_t part[TS_PACKET];
  size_t part_len;
  size_t unsynced;     /* bytes skipped looking for a sync byte since the last packet */
  int pmt_pid;         /* 0: no PAT yet */
  TsProgram prog;
  Pes pes[2];          /* [0] H.264, [1] AAC */
  int cc[8192];        /* last continuity counter per PID, -1 before the first */
  guint64 discontinuities;
};

TsDemux *ts_demux_new(TsUnitFn fn, void *user)
{
  TsDemux *d = g_new0(TsDemux, 1);
  d->fn = fn;
  d->user = user;
  for (int i = 0; i < 2; i++) {
    d->pes[i].buf = g_byte_array_new();
    d->pes[i].kind = i == 0 ? TS_H264 : TS_AAC;
  }
  for (int i = 0; i < 8192; i++)
    d->cc[i] = -1;
  return d;
}

void ts_demux_free(TsDemux **dp)
{
  if (!dp || !*dp)
    return;
  for (int i = 0; i < 2; i++)
    g_byte_array_unref((*dp)->pes[i].buf);
  g_clear_pointer(dp, g_free);
}

const TsProgram *ts_demux_program(const TsDemux *d) { return &d->prog; }
guint64 ts_demux_discontinuities(const TsDemux *d) { return d->discontinuities; }

static int64_t read_ts(const uint8_t *p)
{
  return ((int64_t)(p[0] >> 1 & 7) << 30) | ((int64_t)p[1] << 22) | ((int64_t)(p[2] >> 1) << 15) |
         ((int64_t)p[3] << 7) | (p[4] >> 1);
}

static void pes_emit(TsDemux *d, Pes *p)
{
  if (p->started && !p->overflow && p->buf->len) {
    TsUnit u = {p->kind, p->pts, p->dts, p->buf->data, p->buf->len};
    d->fn(d->user, &u);
  }
  p->started = false;
  p->overflow = false;
  g_byte_array_set_size(p->buf, 0);
}

static void pes_append(Pes *p, const uint8_t *data, size_t len)
{
  if (!p->started || p->overflow)
    return;
  if (p->buf->len + len > TS_MAX_PES) {
    log_warn(SUB, "a PES of over %u bytes on PID %d dropped", TS_MAX_PES, p->pid);
    p->overflow = true;
    return;
  }
  g_byte_array_append(p->buf, data, (guint)len);
}

/* A payload that starts a PES: its header, then the start of its data. */
static void pes_start(TsDemux *d, Pes *p, const uint8_t *data, size_t len)
{
  pes_emit(d, p);
  if (len < 9 || data[0] != 0 || data[1] != 0 || data[2] != 1)
    return; /* not a PES start: wait for the next one */
  size_t pes_len = (size_t)data[4] << 8 | data[5];
  size_t hdr = 9 + (size_t)data[8];
  if (hdr > len)
    return;
  uint8_t flags = data[7] >> 6;
  p->pts = p->dts = TS_NO_TS;
  if ((flags & 2) && hdr >= 14)
    p->pts = p->dts = read_ts(data + 9);
  if (flags == 3 && hdr >= 19)
    p->dts = read_ts(data + 14);
  p->expect = pes_len > hdr - 6 ? pes_len - (hdr - 6) : 0;
  p->started = true;
  pes_append(p, data + hdr, len - hdr);
}

static void on_pat(TsDemux *d, const uint8_t *s, size_t len)
{
  if (len < 12 || s[0] != 0x00)
    return;
  size_t sec_len = ((size_t)(s[1] & 0x0f) << 8) | s[2];
  size_t end = MIN(len, 3 + sec_len) ;
  if (end < 12)
    return;
  end -= 4; /* CRC */
  for (size_t i = 8; i + 4 <= end; i += 4) {
    int program = s[i] << 8 | s[i + 1];
    if (program != 0) {
      d->pmt_pid = (s[i + 2] & 0x1f) << 8 | s[i + 3];
      return;
    }
  }
}

static bool is_video_type(uint8_t t)
{
  return t == 0x01 || t == 0x02 || t == 0x10 || t == 0x24 || t == 0x33 || t == 0xea;
}

static bool is_audio_type(uint8_t t)
{
  return t == 0x03 || t == 0x04 || t == 0x11 || t == 0x81 || t == 0x87;
}

static void on_pmt(TsDemux *d, const uint8_t *s, size_t len)
{
  if (len < 16 || s[0] != 0x02)
    return;
  size_t sec_len = ((size_t)(s[1] & 0x0f) << 8) | s[2];
  size_t end = MIN(len, 3 + sec_len);
  if (end < 16)
    return;
  end -= 4;
  size_t info_len = ((size_t)(s[10] & 0x0f) << 8) | s[11];
  TsProgram pr = {.have_pmt = true};
  for (size_t i = 12 + info_len; i + 5 <= end;) {
    uint8_t type = s[i];
    int pid = (s[i + 1] & 0x1f) << 8 | s[i + 2];
    size_t es_len = ((size_t)(s[i + 3] & 0x0f) << 8) | s[i + 4];
    if (type == 0x1b && !pr.h264_pid)
      pr.h264_pid = pid;
    else if (type == 0x0f && !pr.aac_pid)
      pr.aac_pid = pid;
    else if (is_video_type(type) && !pr.other_video)
      pr.other_video = type;
    else if (is_audio_type(type) && !pr.other_audio)
      pr.other_audio = type;
    i += 5 + es_len;
  }
  if (d->pes[0].pid != pr.h264_pid)
    pes_emit(d, &d->pes[0]);
  if (d->pes[1].pid != pr.aac_pid)
    pes_emit(d, &d->pes[1]);
  d->pes[0].pid = pr.h264_pid;
  d->pes[1].pid = pr.aac_pid;
  d->prog = pr;
}

static void on_packet(TsDemux *d, const uint8_t *p)
{
  if (p[1] & 0x80)
    return; /* transport error indicator */
  bool start = p[1] & 0x40;
  int pid = (p[1] & 0x1f) << 8 | p[2];
  int afc = p[3] >> 4 & 3;
  int cc = p[3] & 0x0f;
  size_t off = 4;
  if (afc == 2 || afc == 3)
    off += 1 + (size_t)p[4];
  if (!(afc & 1) || off >= TS_PACKET)
    return;
  if (d->cc[pid] >= 0 && cc != ((d->cc[pid] + 1) & 0x0f) && cc != d->cc[pid])
    d->discontinuities++;
  bool repeat = d->cc[pid] == cc; /* a duplicate packet carries nothing new */
  d->cc[pid] = cc;
  if (repeat)
    return;
  const uint8_t *pl = p + off;
  size_t len = TS_PACKET - off;
  if (pid == 0 || (d->pmt_pid && pid == d->pmt_pid)) {
    if (!start || len < 1 || (size_t)pl[0] + 1 >= len)
      return;
    const uint8_t *sec = pl + 1 + pl[0];
    size_t sec_len = len - 1 - pl[0];
    if (pid == 0)
      on_pat(d, sec, sec_len);
    else
      on_pmt(d, sec, sec_len);
    return;
  }
  for (int i = 0; i < 2; i++) {
    Pes *e = &d->pes[i];
    if (!e->pid || pid != e->pid)
      continue;
    if (start)
      pes_start(d, e, pl, len);
    else
      pes_append(e, pl, len);
    if (e->started && e->expect && e->buf->len >= e->expect) {
      g_byte_array_set_size(e->buf, (guint)e->expect);
      pes_emit(d, e);
    }
  }
}

int ts_demux_feed(TsDemux *d, const uint8_t *buf, size_t len)
{
  size_t i = 0;
  if (d->part_len) {
    size_t take = MIN(len, TS_PACKET - d->part_len);
    memcpy(d->part + d->part_len, buf, take);
    d->part_len += take;
    i = take;
    if (d->part_len < TS_PACKET)
      return 0;
    d->part_len = 0;
    on_packet(d, d->part);
  }
  while (i < len) {
    if (buf[i] != SYNC) {
      i++;
      if (++d->unsynced > MAX_UNSYNCED)
        return -EBADMSG;
      continue;
    }
    if (len - i < TS_PACKET) {
      memcpy(d->part, buf + i, len - i);
      d->part_len = len - i;
      break;
    }
    d->unsynced = 0;
    on_packet(d, buf + i);
    i += TS_PACKET;
  }
  return 0;
}

void ts_demux_flush(TsDemux *d)
{
  for (int i = 0; i < 2; i++)
    pes_emit(d, &d->pes[i]);
}
