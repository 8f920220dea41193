/* http_playlists: HLS playlists kept in memory between requests, keyed by the file they were
 * read from (device and inode) and checked against its size, mtime and ctime on every
 * request. A playlist is replaced by rename (a new inode) or rewritten (a new mtime), so a
 * changed playlist never matches what is kept: nothing stale is served. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/stat.h>

/* A playlist is kept only once its size and times have been seen unchanged for this long (on
 * the monotonic clock): a write in the same timestamp tick (the kernel's file times move in
 * steps of up to a jiffy, 10 ms) could leave size and times as they were. Until then it is
 * read from disk on each request. */
#define HTTP_PLAYLISTS_SETTLE_US (50 * 1000)

typedef struct HttpPlaylists HttpPlaylists;

typedef struct {
  guint64 hits, misses;
  guint64 peeked;  /* the hits answered by http_playlists_peek (no file opened) */
  guint entries;  /* playlists kept (seen, not yet settled ones are not counted) */
  gsize bytes;
} HttpPlaylistsStats;

/* Reads playlists of at most MAX_BYTES; keeps at most MAX_ENTRIES of them, BUDGET bytes in all. */
int http_playlists_new(guint max_entries, gsize max_bytes, gsize budget, HttpPlaylists **out);
void http_playlists_free(HttpPlaylists **c);

/* The text of the playlist open as FD, whose fstat is ST, at monotonic time NOW_US (like
 * g_get_monotonic_time): from memory when the file is the one kept before, else read from FD
 * (from its start) and kept once settled. *TEXT (unref it) and *FINISHED (it has
 * #EXT-X-ENDLIST). -EFBIG over MAX_BYTES, another -errno when FD cannot be read. */
int http_playlists_get(HttpPlaylists *c, int fd, const struct stat *st, gint64 now_us, GBytes **text,
                       bool *finished);

/* The kept text of the file whose stat (of its path, not of an open descriptor) is ST, when it
 * is exactly the file state kept (device, inode, size, mtime, ctime) and settled: true with
 * *TEXT (unref it) and *FINISHED, counted as a hit. False changes nothing: the caller opens
 * the file and asks http_playlists_get. */
bool http_playlists_peek(HttpPlaylists *c, const struct stat *st, GBytes **text, bool *finished);

void http_playlists_stats(const HttpPlaylists *c, HttpPlaylistsStats *out);
