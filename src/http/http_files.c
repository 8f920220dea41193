/* http_files: which file a GET path names and how it is sent — web root, /vendor/, /images/
 * and /hls/, their MIME types, Cache-Control rules and path checks. */
#include "http/http_files.h"
#include "core/log.h"
#include "core/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

void http_files_init(HttpFiles *f, const Config *config)
{
  f->config = config;
  f->web_root = config_web_dir(config);
  f->media_root = config_media_dir(config);
  f->images_root = config_images_dir(config);
  char real[PATH_MAX];
  f->real_media_root = realpath(f->media_root, real) ? g_strdup(real) : NULL;
  f->real_images_root = realpath(f->images_root, real) ? g_strdup(real) : NULL;
  f->web_fd = open(f->web_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  f->media_fd = f->real_media_root ? open(f->real_media_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  f->images_fd = f->real_images_root ? open(f->real_images_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  http_playlists_new(HTTP_FILES_PLAYLISTS_KEPT, HTTP_FILES_PLAYLIST_MAX, HTTP_FILES_PLAYLISTS_BYTES, &f->playlists);
  f->cc_live_playlist = g_strdup_printf("public, max-age=%" G_GINT64_FORMAT, config->hls_live_playlist_max_age);
  f->cc_vod_playlist = g_strdup_printf("public, max-age=%" G_GINT64_FORMAT, config->hls_vod_playlist_max_age);
  f->cc_segment = g_strdup_printf("public, max-age=%" G_GINT64_FORMAT ", immutable", config->hls_segment_max_age);
}

void http_files_clear(HttpFiles *f)
{
  g_clear_pointer(&f->web_root, g_free);
  g_clear_pointer(&f->media_root, g_free);
  g_clear_pointer(&f->images_root, g_free);
  g_clear_pointer(&f->real_media_root, g_free);
  g_clear_pointer(&f->cc_live_playlist, g_free);
  g_clear_pointer(&f->cc_vod_playlist, g_free);
  g_clear_pointer(&f->cc_segment, g_free);
  g_clear_pointer(&f->real_images_root, g_free);
  int *fds[] = { &f->web_fd, &f->media_fd, &f->images_fd };
  for (size_t i = 0; i < G_N_ELEMENTS(fds); i++) {
    if (*fds[i] >= 0)
      close(*fds[i]);
    *fds[i] = -1;
  }
  http_playlists_free(&f->playlists);
}

void http_file_clear(HttpFile *file)
{
  g_clear_pointer(&file->file, g_free);
  if (file->fd >= 0)
    close(file->fd);
  file->fd = -1;
  if (file->body)
    g_string_free(file->body, TRUE);
  file->body = NULL;
  g_clear_pointer(&file->cache_control, g_free);
  g_clear_pointer(&file->web_rel, g_free);
}

const char *http_mime_for(const char *filename)
{
  static const struct { const char *ext, *mime; } table[] = {
    { ".html", "text/html; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },
    { ".js", "text/javascript; charset=utf-8" },
    { ".mjs", "text/javascript; charset=utf-8" },
    { ".json", "application/json; charset=utf-8" },
    { ".map", "application/json; charset=utf-8" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".jpg", "image/jpeg" },
    { ".jpeg", "image/jpeg" },
    { ".webp", "image/webp" },
    { ".ico", "image/x-icon" },
    { ".woff2", "font/woff2" },
    { ".txt", "text/plain; charset=utf-8" },
    { ".m3u8", "application/vnd.apple.mpegurl" },
    { ".ts", "video/mp2t" },
    { ".m4s", "video/iso.segment" },
    { ".mp4", "video/mp4" },
    { ".vtt", "text/vtt; charset=utf-8" },
  };
  const char *dot = strrchr(filename, '.');
  if (!dot || strchr(dot, '/'))
    return NULL;
  for (unsigned i = 0; i < G_N_ELEMENTS(table); i++)
    if (g_ascii_strcasecmp(dot, table[i].ext) == 0)
      return table[i].mime;
  return NULL;
}

/* REL (relative to ROOT) as a file with a MIME type we serve: 0, -EINVAL/-EPERM for a path
 * that would leave ROOT (logged as such), another -errno when there is none. With ROOT_FD,
 * the file is opened below it in one call (OUT's fd and st); anything that call refuses (a
 * symlink, missing files) is decided by resolving the path, as it always was. */
static int find_file(const char *root, const char *real_root, int root_fd, const char *root_name,
                     const char *path, const char *rel, HttpFile *out)
{
  out->mime = http_mime_for(rel);
  int ret = path_check_relative(rel);
  if (ret == 0 && !out->mime)
    ret = -ENOENT;
  else if (ret == 0 && root_fd >= 0 && path_open_beneath(root_fd, rel, &out->fd, &out->st) == 0)
    out->file = g_build_filename(real_root ? real_root : root, rel, NULL);
  else if (ret == 0)
    ret = real_root ? path_resolve_file_in(real_root, rel, &out->file) : path_resolve_file(root, rel, &out->file);
  if (ret == -EINVAL || ret == -EPERM)
    log_warn("http", "refused path outside %s root: %s", root_name, path);
  return ret;
}

static int refused(int ret, HttpFile *out)
{
  g_clear_pointer(&out->file, g_free);
  out->status = ret == -EINVAL || ret == -EPERM ? 400 : 404;
  return out->status;
}

/* OUT's body (a copy of TEXT, which it unrefs) and the live or the VOD max-age by whether
 * the playlist is FINISHED. */
static void playlist_answer(const HttpFiles *f, GBytes *text, bool finished, HttpFile *out)
{
  gsize len = 0;
  const char *data = g_bytes_get_data(text, &len);
  out->body = g_string_new_len(data, (gssize)len);
  g_bytes_unref(text);
  out->cache_control = g_strdup(finished ? f->cc_vod_playlist : f->cc_live_playlist);
}

/* A playlist's text and Cache-Control: from memory while the file is the one read before
 * (http_playlists), with the live or the VOD max-age by whether it is finished. 404 when it
 * cannot be read or is over HTTP_FILES_PLAYLIST_MAX. */
static int read_playlist(const HttpFiles *f, HttpFile *out)
{
  if (out->fd < 0) { /* found by resolving its path (the root's descriptor refused it) */
    out->fd = open(out->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (out->fd < 0 || fstat(out->fd, &out->st) < 0)
      return -ENOENT;
  }
  GBytes *text = NULL;
  bool finished = false;
  int ret = http_playlists_get(f->playlists, out->fd, &out->st, g_get_monotonic_time(), &text, &finished);
  if (ret < 0)
    return ret;
  playlist_answer(f, text, finished, out);
  return 0;
}

/* A playlist kept in memory answered from its path's stat alone, without opening it (two
 * system calls fewer a request: openat2 and close): true when REL below ROOT_FD is a regular
 * file in exactly the state kept. The stat follows symlinks in the directories of REL, which
 * openat2's RESOLVE_BENEATH would refuse when they leave the root; that loses nothing: a hit
 * is a file (device and inode) that was opened below the root before, in this very state, and
 * is answered with what was read from it then — never the bytes of a file not seen from the
 * root. Anything else (a miss, a symlink as the last part) goes the way of an opened file. */
/* The stat of REL below ROOT_FD when it is a regular file by a path that stays inside the
 * root (no file opened): what a kept playlist is looked up by. */
static bool stat_beneath(int root_fd, const char *rel, struct stat *st)
{
  return root_fd >= 0 && path_check_relative(rel) == 0 && fstatat(root_fd, rel, st, AT_SYMLINK_NOFOLLOW) == 0 &&
         S_ISREG(st->st_mode);
}

static bool kept_playlist(const HttpFiles *f, int root_fd, const char *rel, HttpFile *out)
{
  struct stat st;
  GBytes *text = NULL;
  bool finished = false;
  if (!stat_beneath(root_fd, rel, &st) || !http_playlists_peek(f->playlists, &st, &text, &finished))
    return false;
  out->mime = http_mime_for(rel);
  out->st = st;
  playlist_answer(f, text, finished, out);
  return true;
}

typedef struct {
  const HttpFiles *files;
  HttpFilesFrame frame;
  void *user;
} FrameCall;

static GBytes *frame_playlist(GBytes *text, bool finished, void *user)
{
  const FrameCall *fc = user;
  return fc->frame(text, http_mime_for(".m3u8"),
                   finished ? fc->files->cc_vod_playlist : fc->files->cc_live_playlist, fc->user);
}

bool http_files_kept_answer(const HttpFiles *f, const char *path, HttpFilesFrame frame, void *user,
                            const void **data, gsize *len)
{
  /* Found as kept_playlist finds one: a regular file below the media root, in exactly the
   * state kept. */
  struct stat st;
  if (!g_str_has_prefix(path, "/hls/") || !g_str_has_suffix(path, ".m3u8") || !stat_beneath(f->media_fd, path + 5, &st))
    return false;
  FrameCall fc = { f, frame, user };
  return http_playlists_answer(f->playlists, &st, frame_playlist, &fc, data, len);
}

/* /hls/<video>/<file> from the media directory and /images/<file> from the image store:
 * playlists from memory or read whole (read_playlist), everything else sent from disk as
 * immutable. */
static int resolve_media(const HttpFiles *f, const char *root, const char *real_root, int root_fd,
                         const char *root_name, const char *path, const char *rel, HttpFile *out)
{
  bool playlist = g_str_has_suffix(rel, ".m3u8");
  if (playlist && kept_playlist(f, root_fd, rel, out)) {
    out->status = 200;
    return 200;
  }
  int ret = find_file(root, real_root, root_fd, root_name, path, rel, out);
  if (ret < 0)
    return refused(ret, out);

  if (playlist) {
    ret = read_playlist(f, out);
    g_clear_pointer(&out->file, g_free);
    if (out->fd >= 0)
      close(out->fd);
    out->fd = -1;
    if (ret < 0) {
      out->status = 404;
      return 404;
    }
  } else {
    out->cache_control = g_strdup(f->cc_segment);
  }
  out->status = 200;
  return 200;
}

/* npm packages the pages use (pinned in web/package-lock.json), by the URL they are served
 * at; the rest of node_modules/ (test tools) is not served. Only files directly in DIR. */
static const struct {
  const char *prefix, *dir;
} vendor_map[] = {
  {"vendor/hls/", "node_modules/hls.js/dist/"},
  {"vendor/chart/", "node_modules/chart.js/dist/"},
  {"vendor/qrcode/", "node_modules/qrcode-generator/dist/"},
  {"vendor/tus/", "node_modules/tus-js-client/dist/"},
};

/* The package directory under web/ (*DIR) and the file in it (*NAME) that a /vendor/ path
 * names; false when it names none. Caller frees both. The file is then resolved inside the
 * package's directory, not inside web/: node_modules may be a symlink to a shared install
 * (pnpm, a worktree), and what is served must still stay within that package. */
static bool vendor_file(const char *web_root, const char *path, char **dir, char **name)
{
  for (size_t i = 0; i < G_N_ELEMENTS(vendor_map); i++) {
    size_t n = strlen(vendor_map[i].prefix);
    if (strncmp(path, vendor_map[i].prefix, n) == 0 && path[n] && !strchr(path + n, '/')) {
      *dir = g_build_filename(web_root, vendor_map[i].dir, NULL);
      *name = g_strdup(path + n);
      return true;
    }
  }
  return false;
}

/* The web root: a directory's index.html, the /vendor/ table, never node_modules/ or the
 * package files; pages revalidate (no-cache), the rest may be kept five minutes. */
static int resolve_static(const HttpFiles *f, const char *path, HttpFile *out)
{
  char *rel = NULL, *root = NULL;
  const char *p = path + 1;
  if (!p[0] || g_str_has_suffix(p, "/"))
    rel = g_strconcat(p, "index.html", NULL);
  else if (g_str_has_prefix(p, "vendor/"))
    vendor_file(f->web_root, p, &root, &rel);
  else if (g_str_has_prefix(p, "node_modules/") || strcmp(p, "node_modules") == 0 ||
           strcmp(p, "package.json") == 0 || strcmp(p, "package-lock.json") == 0)
    rel = NULL;
  else
    rel = g_strdup(p);
  if (!rel) {
    out->web_rel = g_strdup(p);
    out->status = 404;
    return 404;
  }
  out->web_rel = rel;
  int ret = find_file(root ? root : f->web_root, NULL, root ? -1 : f->web_fd, "web", path, rel, out);
  g_free(root);
  if (ret < 0)
    return refused(ret, out);
  out->cache_control = g_strdup(g_str_has_suffix(rel, ".html") ? "no-cache" : "public, max-age=300");
  out->status = 200;
  return 200;
}

int http_files_resolve(const HttpFiles *f, const char *path, HttpFile *out)
{
  *out = (HttpFile){ .fd = -1 };
  if (g_str_has_prefix(path, "/hls/"))
    return resolve_media(f, f->media_root, f->real_media_root, f->media_fd, "media", path, path + 5, out);
  if (g_str_has_prefix(path, "/images/"))
    return resolve_media(f, f->images_root, f->real_images_root, f->images_fd, "image", path, path + 8, out);
  return resolve_static(f, path, out);
}

static bool parse_pos(const char **p, gint64 *out)
{
  if (!g_ascii_isdigit(**p))
    return false;
  gint64 v = 0;
  while (g_ascii_isdigit(**p)) {
    if (v > (G_MAXINT64 - 9) / 10)
      return false;
    v = v * 10 + (**p - '0');
    (*p)++;
  }
  *out = v;
  return true;
}

int http_files_range(const char *value, gint64 size, gint64 *from, gint64 *to)
{
  const char *p = value;
  while (*p == ' ')
    p++;
  if (g_ascii_strncasecmp(p, "bytes=", 6) != 0)
    return -EINVAL;
  p += 6;
  while (*p == ' ')
    p++;
  gint64 a = -1, b = -1;
  if (*p == '-') {
    p++;
    if (!parse_pos(&p, &b))
      return -EINVAL;
  } else {
    if (!parse_pos(&p, &a) || *p != '-')
      return -EINVAL;
    p++;
    if (g_ascii_isdigit(*p) && !parse_pos(&p, &b))
      return -EINVAL;
  }
  while (*p == ' ')
    p++;
  if (*p)
    return -EINVAL; /* several ranges (a comma) or trailing text: the whole file */
  if (a < 0) {
    /* suffix: the last B bytes */
    if (b == 0 || size == 0)
      return -ERANGE;
    *from = b >= size ? 0 : size - b;
    *to = size;
    return 0;
  }
  if (b >= 0 && b < a)
    return -EINVAL; /* an invalid range is ignored (RFC 9110 §14.2) */
  if (a >= size)
    return -ERANGE;
  *from = a;
  *to = b < 0 || b >= size ? size : b + 1;
  return 0;
}
