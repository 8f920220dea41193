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
  guint64 answered; /* the hits answered whole by http_playlists_answer (no headers built) */
  guint entries;  /* playlists kept (seen, not yet settled ones are not counted) */
  gsize bytes;     /* the kept texts and answers */
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

/* Makes the whole answer to a plain request (status line, headers and TEXT as the body) for a
 * playlist kept with TEXT, FINISHED as it is; NULL when it cannot. */
typedef GBytes *(*HttpPlaylistsFrame)(GBytes *text, bool finished, void *user);

/* The whole answer for the file whose stat (of its path) is ST, when its text is kept in
 * exactly that state (as http_playlists_peek): made by FRAME the first time it is asked for,
 * then kept beside the text, its bytes counted in the budget, until the file changes. True
 * with *DATA and *LEN — valid until the next call on C — counted as a hit; false when the
 * text is not kept, FRAME made nothing or the answer would not fit the budget (the caller
 * then goes the usual way). */
bool http_playlists_answer(HttpPlaylists *c, const struct stat *st, HttpPlaylistsFrame frame, void *user,
                           const void **data, gsize *len);
