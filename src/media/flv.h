/* flv: what a presenter's FLV tags say about the stream (codecs, sequence headers, keyframe
 * timing, frame rate), and FLV bytes for the ingest pipeline. No GStreamer, no I/O. */
#pragma once
#include "media/h264.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define FLV_TAG_AUDIO 8
#define FLV_TAG_VIDEO 9
#define FLV_TAG_SCRIPT 18
#define FLV_HEADER_LEN 13          /* the file header and the first PreviousTagSize */
#define FLV_MAX_TAG_BODY 0xffffff  /* 24-bit DataSize */

/* The stream's shape as learnt from its first tags. */
typedef struct {
  bool have_avc;                /* an AVC sequence header was read (SRC, SRC_CODECS) */
  bool have_audio, audio_is_aac;
  H264Info src;
  char src_codecs[16];          /* "avc1.PPCCLL" */
  char audio_codecs[16];        /* "mp4a.40.2" (.5/.29 for HE-AAC) */
  bool have_first_ts;
  uint32_t first_ts;            /* the first tag's timestamp (ms) ... */
  gint64 first_wall_ms;         /* ... and the wall clock when it arrived */
  uint32_t first_kf_ts, second_kf_ts, last_video_ts; /* ms */
  int keyframes;                /* AVC keyframes seen (counting stops mattering at 2) */
  double meta_fps;              /* onMetaData framerate; 0: not given */
} FlvInfo;

/* Forgets what one publish taught (a reconnect learns again); the frame rate and the codecs
 * strings stay until replaced. */
void flv_info_restart(FlvInfo *f);

/* Learns from one tag body (TYPE 8 audio, 9 video, 18 script) with timestamp TS (ms),
 * arrived at wall clock NOW_MS. Returns 0; -EINVAL for a tag too short for its type
 * (nothing learnt from it but its time); -EBADMSG for an AVC sequence header that does not
 * parse (the stream's shape stays unknown). */
int flv_learn(FlvInfo *f, uint8_t type, uint32_t ts, const uint8_t *data, size_t len, gint64 now_ms);

/* The keyframe interval (ms) once two keyframes were seen, else UINT32_MAX. */
uint32_t flv_gop_ms(const FlvInfo *f);

/* Whether enough was seen to build the pipeline: the keyframe interval is known (a second
 * keyframe, or SEGMENT_MS + TOLERANCE_MS of video without one), and so is whether there is
 * audio (some arrived, or NO_AUDIO_MS of video without). Needs the AVC header and a keyframe. */
bool flv_shape_known(const FlvInfo *f, uint32_t segment_ms, uint32_t tolerance_ms, uint32_t no_audio_ms);

/* Appends one tag (header, body, PreviousTagSize) to OUT. */
void flv_append_tag(GByteArray *out, uint8_t type, uint32_t ts, const uint8_t *data, size_t len);

/* The FLV file header (and PreviousTagSize0) announcing video, and audio when AUDIO. */
void flv_header(uint8_t out[FLV_HEADER_LEN], bool audio);

typedef struct {
  uint8_t type;
  uint32_t ts;                  /* ms, with the extended byte */
  const uint8_t *data;          /* points into the buffer read */
  size_t len;
} FlvTag;

/* Reads the tag at *OFF of an FLV file BUF[LEN] (start *OFF at 0: the header is checked and
 * skipped) and advances *OFF past it. Returns 0; -EAGAIN at the end (or a truncated last
 * tag); -EBADMSG when BUF is not FLV or a tag's sizes disagree. */
int flv_read_tag(const uint8_t *buf, size_t len, size_t *off, FlvTag *out);
