/* ladder: the rendition ladder — parsed from config, fitted to a source (no upscaling). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#define LADDER_MAX_RUNGS 8

typedef struct {
  char name[16];   /* "source", "720p", ... — also the directory name */
  bool copy;       /* pass the presenter's H.264 through */
  int width, height;
  int kbps;        /* encoded rungs: x264 bitrate; copy: 0 (measured) */
} LadderRung;

typedef struct {
  LadderRung rungs[LADDER_MAX_RUNGS];
  int n;
} Ladder;

/* Parses "copy,1280x720@2800,854x480@1200". Returns 0, or -EINVAL with
 * *err saying which item is wrong. At most one copy rung; sizes even,
 * 64..7680 wide, 64..4320 high; 100..50000 kbit/s. */
int ladder_parse(const char *spec, Ladder *out, char **err);

/* The ladder for a SRC_W x SRC_H source: a copy rung stays when COPY_OK
 * (the presenter's keyframes fit the segment length), otherwise it becomes
 * an encode at the source size with SOURCE_KBPS; encoded rungs taller than
 * the source are dropped (as tall: dropped when there is a source rung), and the others keep the source's aspect
 * ratio at their height. Never empty: a ladder with no rung left gets one
 * rung at source size. */
void ladder_fit(const Ladder *spec, int src_w, int src_h, bool copy_ok, int source_kbps,
                Ladder *out);
