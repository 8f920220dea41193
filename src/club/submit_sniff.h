/* submit_sniff: is a submitted file what it says it is, judged by its first bytes — before
 * the rest is accepted (the deeper checks, the probe and poppler, run once it is whole). */
#pragma once

#include <glib.h>
#include <stddef.h>

/* The bytes the check wants to see (fewer only when the whole file is shorter). */
#define SUBMIT_SNIFF_BYTES 16

/* Checks the first LEN bytes of a file of TOTAL bytes declared as KIND ("video" or "pdf"):
 * a PDF starts "%PDF-1." or "%PDF-2."; a video is MP4/MOV/3GP (an ISO box: ftyp, moov, mdat,
 * free, wide), WebM/Matroska, AVI, FLV, MPEG-TS or MPEG-PS. Returns 0, -EAGAIN when LEN is
 * below SUBMIT_SNIFF_BYTES and below TOTAL (send more first), -EMEDIUMTYPE when it is
 * something else, -EINVAL for a KIND that has no file. */
int submit_sniff_check(const char *kind, const guint8 *data, size_t len, guint64 total);
