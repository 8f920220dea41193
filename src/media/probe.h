/* probe: what a media file holds (libavformat/libavcodec), and whether lectern takes it. */
#pragma once
#include <glib.h>
#include <stdbool.h>

/* Limits an import must keep; 0 means no limit. */
typedef struct {
  gint64 max_bytes;
  double max_seconds;
  int max_width, max_height;   /* of the picture as shown (after rotation) */
} ProbeLimits;

typedef struct {
  char container[48];   /* libavformat's name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" */
  gint64 bytes;
  double duration;      /* seconds */
  gint64 bit_rate;      /* bit/s, 0 if unknown */
  bool has_video, has_audio;
  char video_codec[32]; /* e.g. "h264", "hevc", "vp9" */
  int width, height;    /* coded size, before rotation */
  double fps;
  int rotation;         /* degrees clockwise to turn the picture upright: 0, 90, 180, 270 */
  char audio_codec[32];
  int channels, sample_rate;
} ProbeInfo;

/* Probes PATH: container, streams, codecs, duration, size, frame rate and rotation; then
 * reads every packet to the end and decodes the first video frames, so a truncated or
 * damaged file is found here rather than halfway through a transcode.
 * Returns 0 with *INFO filled, or a negative errno with *ERR (caller frees) saying why the
 * file is refused, in words an editor can act on:
 *   -EINVAL   not a media file (or a damaged container header)
 *   -ENODATA  no video stream, or no duration
 *   -EBADMSG  truncated or corrupt (packets end early, unreadable data, no decodable frame)
 *   -E2BIG    over LIMITS (size, duration or resolution)
 *   -ENOENT   (and other errno values) the file cannot be opened */
int probe_file(const char *path, const ProbeLimits *limits, ProbeInfo *info, char **err);

/* The picture size as shown, after ROTATION. */
void probe_display_size(const ProbeInfo *info, int *width, int *height);

/* INFO as a JSON object text (for logs and the video's record). Caller frees. */
char *probe_info_json(const ProbeInfo *info);
