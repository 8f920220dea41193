/* h264: the little of H.264 lectern reads itself — SPS size and profile, for ladders and CODECS strings. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint8_t profile, constraints, level;
  int width, height;   /* after cropping */
} H264Info;

/* Parses an SPS NAL unit (starting with its header byte, type 7).
 * Returns 0, or -EBADMSG when it is short or not an SPS. */
int h264_sps_parse(const uint8_t *nal, size_t len, H264Info *out);

/* Parses an AVCDecoderConfigurationRecord (FLV's AVC sequence header body,
 * after the 5-byte FLV video header) and its first SPS. Returns 0 or -EBADMSG. */
int h264_avcc_parse(const uint8_t *rec, size_t len, H264Info *out);

/* Finds the first SPS in an Annex B byte stream and parses it. Returns 0,
 * -ENOENT when there is none, or -EBADMSG. */
int h264_annexb_find_sps(const uint8_t *buf, size_t len, H264Info *out);

/* "avc1.PPCCLL" into BUF (at least 12 bytes). */
void h264_codecs_string(const H264Info *info, char *buf, size_t size);
