/* vod: transcodes an imported file into the HLS ladder (the layout of a live recording). */
#pragma once
#include "core/config.h"
#include "media/ladder.h"
#include "media/probe.h"
#include <stdbool.h>

typedef struct VodJob VodJob;

typedef struct {
  char name[16];          /* also the directory: <name>/index.m3u8 */
  int width, height;
  guint64 peak, average;  /* bits/s over the segments */
  char codecs[64];        /* RFC 6381, video and audio */
  double fps;
} VodRendition;

typedef struct {
  double duration;     /* seconds, as the playlists list it */
  bool poster;         /* poster.jpg was made */
  int thumbnails;      /* storyboard/thumb%05d.jpg listed in storyboard.vtt (0: none) */
  int renditions;
  VodRendition r[LADDER_MAX_RUNGS];
} VodResult;

/* Called once on the main loop when the job ends: ERROR is NULL on success (RESULT then
 * filled), otherwise why it failed. Valid during the call. The caller frees the job after. */
typedef void (*VodDone)(const char *error, const VodResult *result, void *user);

/* Starts transcoding SRC (already accepted by probe_file, described by INFO) into OUT_DIR:
 * <rendition>/seg%06u.ts and index.m3u8 (VOD) for every rung of SPEC fitted to the picture
 * as shown (no upscaling; the source size re-encoded in place of a copy rung),
 * master.m3u8, poster.jpg, storyboard.vtt over storyboard/thumb%05d.jpg (a thumbnail every
 * [vod] storyboard_interval seconds, for scrub previews). Segments last [vod] segment_duration seconds, keyframes on
 * their boundaries, the same in every rendition; audio AAC stereo; rotation applied.
 * Runs on the thread-default main context. Returns NULL with *ERR if it cannot start. */
VodJob *vod_start(const char *src, const ProbeInfo *info, const char *out_dir, const Config *cfg,
                  const Ladder *spec, VodDone done, void *user, char **err);

/* Share of the file transcoded so far, 0..1 (the slowest rendition's position). */
double vod_progress(VodJob *job);

/* Stops a running job (DONE is not called) and frees it. Accepts NULL; clears *JOB.
 * Files written so far stay: the caller decides what to remove. */
void vod_free(VodJob **job);
