/* http_files: which file a GET path names and how it is sent — the web root (web/), the
 * /vendor/ table of npm packages, /images/ (the image store) and /hls/ (the media
 * directory), with their MIME types, Cache-Control rules and path checks. No sockets: the
 * server sends what this decides. */
#pragma once

#include "core/config.h"
#include "http/http_playlists.h"

#include <glib.h>

#define HTTP_FILES_PLAYLIST_MAX (4 * 1024 * 1024)
/* Playlists kept in memory, and the memory they may take together. */
#define HTTP_FILES_PLAYLISTS_KEPT 512
#define HTTP_FILES_PLAYLISTS_BYTES (64 * 1024 * 1024)

typedef struct {
  const Config *config;
  char *web_root;
  char *media_root;
  char *images_root;
  /* The media and image roots resolved once (realpath), for the per-request check of /hls/
   * and /images/ files; NULL when a root did not exist yet (then resolved per request). */
  char *real_media_root, *real_images_root;
  /* The web, media and image roots open as directories (-1 when absent at start): a file is
   * opened below them in one call (path_open_beneath) instead of resolving its path. */
  int web_fd, media_fd, images_fd;
  HttpPlaylists *playlists; /* playlists kept in memory between requests */
  /* Cache-Control of live and VOD playlists and of segments, written once from the config:
   * not formatted per request (printf is slow in this process: docs/delivery.md). */
  char *cc_live_playlist, *cc_vod_playlist, *cc_segment;
} HttpFiles;

/* What a path is answered with. */
typedef struct {
  int status;           /* 200; 400 for a path that would leave its root; 404 */
  char *file;           /* 200: the file to send from disk, or NULL when BODY holds it */
  int fd;               /* 200 with FILE: the file, already open (take it), or -1 */
  struct stat st;       /* its fstat when FD is open */
  GString *body;        /* 200 for a playlist: its text (kept in memory while unchanged) */
  const char *mime;     /* 200: static string */
  char *cache_control;  /* 200 */
  char *web_rel;        /* from the web root: the name the path resolved to ("watch.html",
                         * "css/x.css"; the path itself when it names none); NULL otherwise */
} HttpFile;

/* The roots of CONFIG (which must outlive F). */
void http_files_init(HttpFiles *f, const Config *config);
void http_files_clear(HttpFiles *f);

/* Resolves request path PATH (decoded, starts with '/') to what answers it. Fills OUT
 * (clear it with http_file_clear) and returns its status. Refusals of a path that would
 * leave its root are logged. */
int http_files_resolve(const HttpFiles *f, const char *path, HttpFile *out);

/* A Range header VALUE for a file of SIZE bytes (RFC 9110 §14.1.2, one range): 0 with the
 * bytes [*FROM, *TO) to send as 206; -ERANGE when unsatisfiable (416, "bytes" past the end,
 * or any range of an empty file); -EINVAL when it is not one byte range we read (several
 * ranges, another unit, malformed): the whole file is sent as 200, as the RFC allows. */
int http_files_range(const char *value, gint64 size, gint64 *from, gint64 *to);

void http_file_clear(HttpFile *file);

/* Makes the whole answer to a plain GET of a playlist: status line, headers (with MIME and
 * CACHE_CONTROL) and TEXT as the body; NULL when it cannot. */
typedef GBytes *(*HttpFilesFrame)(GBytes *text, const char *mime, const char *cache_control, void *user);

/* The whole answer to a plain GET of PATH when PATH is an /hls/ playlist kept in memory in
 * exactly its file's state (found as http_files_resolve finds a kept one: no file opened):
 * true with *DATA and *LEN (valid until the next request), made by FRAME once per kept text
 * and kept with it. False: nothing kept to answer with; the caller resolves PATH the usual
 * way (which reads the playlist, and keeps it). */
bool http_files_kept_answer(const HttpFiles *f, const char *path, HttpFilesFrame frame, void *user,
                            const void **data, gsize *len);

/* The MIME type for a file name by extension, or NULL when not served. */
const char *http_mime_for(const char *filename);
