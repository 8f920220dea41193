/* hls_playlist: the HLS playlist model (media and master) and its renderer — pure, no I/O but hls_write_atomic(). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
  guint64 seq;
  double duration;     /* seconds */
  char *uri;           /* relative to the playlist */
  gint64 pdt_ms;       /* wall-clock time of the first frame, ms since the epoch; 0 = unknown */
  bool discontinuity;  /* EXT-X-DISCONTINUITY before this segment */
  guint64 bytes;
} HlsSegment;

typedef struct HlsPlaylist HlsPlaylist;

typedef enum {
  HLS_VIEW_LIVE,   /* the last `window` segments; the whole list with ENDLIST once ended */
  HLS_VIEW_EVENT,  /* every segment, PLAYLIST-TYPE:EVENT (the recording so far) */
} HlsView;

/* TARGET: EXT-X-TARGETDURATION in seconds; WINDOW: segments in the live view. */
HlsPlaylist *hls_playlist_new(int target, guint window);
void hls_playlist_free(HlsPlaylist **pl);

/* The next segment added starts after a discontinuity (a publisher reconnect). */
void hls_playlist_mark_discontinuity(HlsPlaylist *pl);

/* Appends a segment with the next media sequence number. Returns 0, or
 * -ERANGE when DURATION rounds above the target (the segment is still
 * added; the caller logs it), -EINVAL after hls_playlist_end(). */
int hls_playlist_add(HlsPlaylist *pl, const char *uri, double duration, gint64 pdt_ms,
                     guint64 bytes);

void hls_playlist_end(HlsPlaylist *pl);
bool hls_playlist_ended(const HlsPlaylist *pl);
guint hls_playlist_count(const HlsPlaylist *pl);
const HlsSegment *hls_playlist_segment(const HlsPlaylist *pl, guint i);
guint64 hls_playlist_next_seq(const HlsPlaylist *pl);
int hls_playlist_target(const HlsPlaylist *pl);
double hls_playlist_duration(const HlsPlaylist *pl);
/* Peak and average bit rate over the segments (bits/s); 0 when empty. */
void hls_playlist_bitrates(const HlsPlaylist *pl, guint64 *peak, guint64 *average);

/* Renders VIEW. Caller frees. */
char *hls_playlist_render(const HlsPlaylist *pl, HlsView view);

/* Reads a playlist this module rendered (HLS_VIEW_EVENT or an ended one)
 * back into a model. Returns 0, or -EBADMSG naming the line in *err. */
int hls_playlist_parse(const char *text, guint window, HlsPlaylist **out, char **err);

typedef struct {
  const char *uri;        /* "720p/index.m3u8" */
  guint64 bandwidth;      /* peak, bits/s */
  guint64 average;        /* bits/s; 0 = omitted */
  const char *codecs;     /* "avc1.64001f,mp4a.40.2" */
  int width, height;
  double frame_rate;      /* 0 = omitted */
} HlsVariant;

/* The master playlist over N variants. Caller frees. */
char *hls_master_render(const HlsVariant *v, size_t n);

/* Writes TEXT to PATH through a temporary file and rename(2), so readers see
 * the old or the new file, never a part. Returns 0 or -errno with *err. */
int hls_write_atomic(const char *path, const char *text, char **err);
