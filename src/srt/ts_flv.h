/* ts_flv: a TS publisher's access units as the FLV tags an RTMP publisher sends — AVC and
 * AAC sequence headers, length-prefixed NAL units, raw AAC frames, millisecond timestamps —
 * so media/live takes SRT and RTMP publishers alike. No I/O. */
#pragma once

#include "srt/ts_demux.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Receives one FLV tag body: TYPE 8 (audio), 9 (video), 18 (script), TS in ms. */
typedef void (*TsFlvTagFn)(void *user, uint8_t type, uint32_t ts, const uint8_t *data, size_t len);

typedef struct {
  TsFlvTagFn fn;
  void *user;
  bool have_base;
  int64_t base;               /* the first timestamp (90 kHz, unwrapped) is 0 ms */
  int64_t last;               /* the last timestamp seen, unwrapped (for the 33-bit wrap) */
  GByteArray *sps, *pps;      /* the parameter sets of the AVC header sent last */
  bool avc_sent;
  bool keyframe_seen;         /* video before the first keyframe is not passed on */
  uint8_t asc[2];             /* the AudioSpecificConfig sent last */
  bool aac_sent;
  int64_t first_video_dts;    /* for the frame rate (an onMetaData tag); TS_NO_TS before */
  bool fps_sent;
  GByteArray *scratch;
  guint64 bad_adts;           /* ADTS frames that did not parse */
} TsFlv;

void ts_flv_init(TsFlv *t, TsFlvTagFn fn, void *user);
void ts_flv_clear(TsFlv *t);

/* Turns one TS unit into tags. Returns 0; -EBADMSG when the unit did not parse (nothing
 * passed on: a video unit without any NAL unit, audio without an ADTS frame). */
int ts_flv_unit(TsFlv *t, const TsUnit *u);
