/* hls_playlist: the HLS playlist model (media and master) and its renderer — pure, no I/O but hls_write_atomic(). */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* A partial segment (LL-HLS, EXT-X-PART). */
typedef struct {
  char *uri;
  double duration;     /* seconds; < 0 until known (a segment's last part: the rest of it) */
  bool independent;    /* INDEPENDENT=YES: begins with a keyframe */
} HlsPart;

typedef struct {
  guint64 seq;
  double duration;     /* seconds */
  char *uri;           /* relative to the playlist */
  gint64 pdt_ms;       /* wall-clock time of the first frame, ms since the epoch; 0 = unknown */
  bool discontinuity;  /* EXT-X-DISCONTINUITY before this segment */
  guint64 bytes;
  GArray *parts;       /* HlsPart, or NULL: listed only near the live edge of an LL-HLS view */
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

/* LL-HLS: the live view gets EXT-X-SERVER-CONTROL (CAN-BLOCK-RELOAD, PART-HOLD-BACK = 3 ×
 * PART_TARGET), EXT-X-PART-INF, the parts of its last segments and of the segment being
 * written, and an EXT-X-PRELOAD-HINT. The event (recording) and ended views stay as they are. */
void hls_playlist_set_parts(HlsPlaylist *pl, double part_target);
double hls_playlist_part_target(const HlsPlaylist *pl);

/* Appends a part to the segment being written (the next hls_playlist_add() takes them):
 * DURATION < 0 for its last part, which is then given what the segment has left. */
void hls_playlist_add_part(HlsPlaylist *pl, const char *uri, double duration, bool independent);
/* Forgets the parts of the segment being written (one could not be written). */
void hls_playlist_drop_pending_parts(HlsPlaylist *pl);
/* Parts of the segment being written, and the URI EXT-X-PRELOAD-HINT names (the next part;
 * NULL: none). */
guint hls_playlist_pending_parts(const HlsPlaylist *pl);
/* The URI of pending part I (< hls_playlist_pending_parts()). */
const char *hls_playlist_pending_part_uri(const HlsPlaylist *pl, guint i);
void hls_playlist_set_hint(HlsPlaylist *pl, const char *uri);
/* Forgets segment I's parts (their files are gone: too far from the live edge to list). */
void hls_playlist_forget_parts(HlsPlaylist *pl, guint i);
/* The last part listed: its segment's sequence number and its index. FALSE when none. */
bool hls_playlist_last_part(const HlsPlaylist *pl, guint64 *msn, guint *part);

/* An EXT-X-RENDITION-REPORT: another rendition of the same live and its last part. */
typedef struct {
  const char *uri;     /* relative to this playlist: "../480p/index.m3u8" */
  guint64 last_msn;
  guint last_part;
} HlsReport;

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
/* The same with rendition reports after the segments (LL-HLS live view only). */
char *hls_playlist_render_reports(const HlsPlaylist *pl, HlsView view, const HlsReport *reports, size_t n);

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
