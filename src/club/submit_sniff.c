/* submit_sniff: container magic numbers of the kinds a call takes as files. */
#include "club/submit_sniff.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static bool is_pdf(const guint8 *d, size_t n)
{
  return n >= 7 && memcmp(d, "%PDF-", 5) == 0 && (d[5] == '1' || d[5] == '2') && d[6] == '.';
}

static bool is_video(const guint8 *d, size_t n)
{
  static const char *const boxes[] = {"ftyp", "moov", "mdat", "free", "wide", "skip", NULL};
  if (n >= 8)
    for (int i = 0; boxes[i]; i++)
      if (memcmp(d + 4, boxes[i], 4) == 0)
        return true;
  if (n >= 4 && memcmp(d, "\x1a\x45\xdf\xa3", 4) == 0)
    return true; /* EBML: WebM, Matroska */
  if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "AVI ", 4) == 0)
    return true;
  if (n >= 4 && memcmp(d, "FLV\x01", 4) == 0)
    return true;
  if (n >= 4 && memcmp(d, "\x00\x00\x01\xba", 4) == 0)
    return true; /* MPEG program stream */
  /* MPEG-TS: a sync byte every 188 bytes; with only the first packet's, its header's
   * reserved bits must look right too (PID 0, the PAT, comes first from real muxers). */
  if (n >= 1 && d[0] == 0x47 && (n < 189 || d[188] == 0x47) && (n < 4 || (d[1] & 0x80) == 0))
    return n >= 189 || (n >= 4 && d[1] == 0x40 && d[2] == 0x00);
  return false;
}

int submit_sniff_check(const char *kind, const guint8 *data, size_t len, guint64 total)
{
  bool pdf = kind && strcmp(kind, "pdf") == 0, video = kind && strcmp(kind, "video") == 0;
  if (!pdf && !video)
    return -EINVAL;
  if (len < SUBMIT_SNIFF_BYTES && len < total)
    return -EAGAIN;
  return (pdf ? is_pdf(data, len) : is_video(data, len)) ? 0 : -EMEDIUMTYPE;
}
