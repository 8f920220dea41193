/* h264: the little of H.264 lectern reads itself — SPS size and profile, for ladders and CODECS strings. */
#include "media/h264.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#define MAX_SPS_BYTES 1024

typedef struct {
  const uint8_t *p;
  size_t len, bit;
  bool overrun;
} Bits;

static unsigned bit1(Bits *b)
{
  if (b->bit >= b->len * 8) {
    b->overrun = true;
    return 0;
  }
  unsigned v = (b->p[b->bit / 8] >> (7 - b->bit % 8)) & 1;
  b->bit++;
  return v;
}

static unsigned bits(Bits *b, int n)
{
  unsigned v = 0;
  while (n--)
    v = v << 1 | bit1(b);
  return v;
}

static unsigned ue(Bits *b)
{
  int zeros = 0;
  while (!bit1(b) && !b->overrun)
    if (++zeros > 31) {
      b->overrun = true;
      return 0;
    }
  return (1u << zeros) - 1 + bits(b, zeros);
}

static int se(Bits *b)
{
  unsigned v = ue(b);
  return v & 1 ? (int)((v + 1) / 2) : -(int)(v / 2);
}

static void skip_scaling_list(Bits *b, int size)
{
  int last = 8, next = 8;
  for (int j = 0; j < size; j++) {
    if (next != 0)
      next = (last + se(b) + 256) % 256;
    last = next == 0 ? last : next;
  }
}

int h264_sps_parse(const uint8_t *nal, size_t len, H264Info *out)
{
  if (len < 4 || (nal[0] & 0x1f) != 7)
    return -EBADMSG;
  /* Remove emulation-prevention bytes (00 00 03). */
  uint8_t rbsp[MAX_SPS_BYTES];
  size_t n = 0;
  for (size_t i = 1; i < len && n < sizeof rbsp; i++) {
    if (i >= 3 && nal[i] == 3 && nal[i - 1] == 0 && nal[i - 2] == 0)
      continue;
    rbsp[n++] = nal[i];
  }
  Bits b = {rbsp, n, 0, false};
  memset(out, 0, sizeof *out);
  out->profile = (uint8_t)bits(&b, 8);
  out->constraints = (uint8_t)bits(&b, 8);
  out->level = (uint8_t)bits(&b, 8);
  ue(&b); /* seq_parameter_set_id */
  unsigned chroma = 1;
  static const uint8_t high[] = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135};
  if (memchr(high, out->profile, sizeof high)) {
    chroma = ue(&b);
    if (chroma == 3)
      bit1(&b); /* separate_colour_plane_flag */
    ue(&b);     /* bit_depth_luma */
    ue(&b);     /* bit_depth_chroma */
    bit1(&b);   /* qpprime_y_zero_transform_bypass */
    if (bit1(&b))
      for (int i = 0; i < (chroma != 3 ? 8 : 12); i++)
        if (bit1(&b))
          skip_scaling_list(&b, i < 6 ? 16 : 64);
  }
  ue(&b); /* log2_max_frame_num_minus4 */
  unsigned poc_type = ue(&b);
  if (poc_type == 0) {
    ue(&b);
  } else if (poc_type == 1) {
    bit1(&b);
    se(&b);
    se(&b);
    unsigned cycle = ue(&b);
    if (cycle > 255)
      return -EBADMSG;
    for (unsigned i = 0; i < cycle; i++)
      se(&b);
  }
  ue(&b);   /* max_num_ref_frames */
  bit1(&b); /* gaps_in_frame_num_allowed */
  unsigned w_mbs = ue(&b) + 1;
  unsigned h_units = ue(&b) + 1;
  unsigned frame_mbs_only = bit1(&b);
  if (!frame_mbs_only)
    bit1(&b); /* mb_adaptive_frame_field */
  bit1(&b);   /* direct_8x8_inference */
  unsigned crop_l = 0, crop_r = 0, crop_t = 0, crop_b = 0;
  if (bit1(&b)) {
    crop_l = ue(&b);
    crop_r = ue(&b);
    crop_t = ue(&b);
    crop_b = ue(&b);
  }
  if (b.overrun || w_mbs > 1024 || h_units > 1024)
    return -EBADMSG;
  unsigned cx = chroma == 0 || chroma == 3 ? 1 : 2;
  unsigned cy = (chroma == 1 ? 2 : 1) * (2 - frame_mbs_only);
  if (chroma == 0)
    cy = 2 - frame_mbs_only;
  /* In 64 bits: the crops are whatever the stream says (up to 2^32 - 2 each), and in int
   * arithmetic a large one overflowed (found by fuzzing, tests/fuzz/regressions/flv/). */
  gint64 w = (gint64)w_mbs * 16 - (gint64)cx * ((gint64)crop_l + crop_r);
  gint64 h = (gint64)h_units * 16 * (2 - frame_mbs_only) - (gint64)cy * ((gint64)crop_t + crop_b);
  if (w <= 0 || h <= 0)
    return -EBADMSG;
  out->width = (int)w;
  out->height = (int)h;
  return 0;
}

int h264_avcc_parse(const uint8_t *rec, size_t len, H264Info *out)
{
  if (len < 8 || rec[0] != 1)
    return -EBADMSG;
  if ((rec[5] & 0x1f) < 1)
    return -EBADMSG;
  size_t sps_len = (size_t)rec[6] << 8 | rec[7];
  if (8 + sps_len > len)
    return -EBADMSG;
  return h264_sps_parse(rec + 8, sps_len, out);
}

int h264_annexb_find_sps(const uint8_t *buf, size_t len, H264Info *out)
{
  for (size_t i = 0; i + 3 < len; i++) {
    if (buf[i] != 0 || buf[i + 1] != 0 || buf[i + 2] != 1)
      continue;
    size_t start = i + 3;
    if ((buf[start] & 0x1f) != 7)
      continue;
    size_t end = start;
    while (end + 2 < len && !(buf[end] == 0 && buf[end + 1] == 0 && buf[end + 2] <= 1))
      end++;
    if (end + 2 >= len)
      end = len;
    return h264_sps_parse(buf + start, end - start, out);
  }
  return -ENOENT;
}

void h264_codecs_string(const H264Info *info, char *buf, size_t size)
{
  snprintf(buf, size, "avc1.%02x%02x%02x", info->profile, info->constraints, info->level);
}
