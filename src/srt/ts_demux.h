/* ts_demux: MPEG-TS (ISO/IEC 13818-1) as an SRT publisher sends it — PAT, the first
 * program's PMT, and PES reassembly of its H.264 and AAC (ADTS) streams. No I/O. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TS_PACKET 188
#define TS_MAX_PES (8u << 20) /* one access unit; larger ones are dropped (logged) */
#define TS_NO_TS (-1)

typedef enum {
  TS_H264 = 1,  /* stream_type 0x1b */
  TS_AAC,       /* stream_type 0x0f (ADTS) */
} TsKind;

/* One PES payload: an access unit of video, or one or more ADTS frames. PTS and DTS are
 * the stream's 33-bit 90 kHz values as sent (TS_NO_TS when absent; DTS = PTS when only PTS). */
typedef struct {
  TsKind kind;
  int64_t pts, dts;
  const uint8_t *data;
  size_t len;
} TsUnit;

typedef void (*TsUnitFn)(void *user, const TsUnit *u);

/* What the first PMT announced. */
typedef struct {
  bool have_pmt;
  int h264_pid, aac_pid;        /* 0: none */
  uint8_t other_video;          /* stream_type of a video stream we cannot take (HEVC 0x24,
                                   MPEG-2 0x02, ...), 0 when none */
  uint8_t other_audio;          /* same for audio (MP3 0x03/0x04, AC-3 0x81, ...) */
} TsProgram;

typedef struct TsDemux TsDemux;

TsDemux *ts_demux_new(TsUnitFn fn, void *user);
void ts_demux_free(TsDemux **d);

/* Feeds bytes in any cut (SRT carries 7 packets a message; a partial packet waits for the
 * rest). Calls FN for each complete PES of a known stream. Returns 0, or -EBADMSG when no
 * sync byte was found in the last 64 KiB (not MPEG-TS). */
int ts_demux_feed(TsDemux *d, const uint8_t *buf, size_t len);

/* Hands on the PES payloads still being gathered (the stream has ended). */
void ts_demux_flush(TsDemux *d);

const TsProgram *ts_demux_program(const TsDemux *d);

/* Packets whose continuity counter skipped (lost on the way), for the log. */
guint64 ts_demux_discontinuities(const TsDemux *d);
