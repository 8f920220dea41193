/* hls_block: LL-HLS blocking playlist reload (see hls_block.h).
 *
 * The playlists are files the live writes by rename (src/media/live.c); held requests are
 * grouped by playlist, and while any is held a 20 ms timer looks at each such file (a stat;
 * the file is read only when it changed) and answers those it now satisfies. Polling keeps
 * this module apart from the media side (no callback from the live into the HTTP server) and
 * costs one stat per held playlist per tick — not per request: a thousand viewers waiting
 * for the same part share one look; 20 ms is well inside a part (400 ms). */
#include "http/hls_block.h"
#include "core/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  HttpLater later;
  guint64 msn;
  gint64 part;
  gint64 deadline_us;
} Waiter;

typedef struct {
  char *path;             /* the request path, /hls/… */
  bool part;              /* a hinted part file, not a playlist: answered once it exists */
  GArray *waiters;        /* Waiter */
  dev_t dev;
  ino_t ino;
  struct timespec mtime;  /* of the file last read */
} Watched;

struct HlsBlock {
  const HttpFiles *files;
  const Config *config;
  GHashTable *watched;    /* path -> Watched* */
  guint held;
  guint timer;
};

/* ---- the playlist and the request (pure) ----------------------------------------------- */

static bool attr_double(const char *line, const char *name, double *out)
{
  const char *p = strstr(line, name);
  if (!p)
    return false;
  char *end = NULL;
  *out = g_ascii_strtod(p + strlen(name), &end);
  return end != p + strlen(name);
}

int hls_block_parse(const char *text, HlsBlockState *st)
{
  *st = (HlsBlockState){.last_msn = -1};
  if (!g_str_has_prefix(text, "#EXTM3U"))
    return -EBADMSG;
  guint64 seq = 0, segs = 0;
  const char *l = text;
  while (l && *l) {
    const char *nl = strchr(l, '\n');
    size_t len = nl ? (size_t)(nl - l) : strlen(l);
    g_autofree char *line = g_strndup(l, len);
    if (g_str_has_prefix(line, "#EXT-X-TARGETDURATION:"))
      st->target = atoi(line + 22);
    else if (g_str_has_prefix(line, "#EXT-X-MEDIA-SEQUENCE:"))
      seq = g_ascii_strtoull(line + 22, NULL, 10);
    else if (g_str_has_prefix(line, "#EXT-X-SERVER-CONTROL:"))
      st->can_block = strstr(line, "CAN-BLOCK-RELOAD=YES") != NULL;
    else if (g_str_has_prefix(line, "#EXT-X-PART-INF:"))
      attr_double(line, "PART-TARGET=", &st->part_target);
    else if (g_str_has_prefix(line, "#EXT-X-PART:"))
      st->parts++;
    else if (g_str_has_prefix(line, "#EXTINF:")) {
      segs++;
      st->parts = 0;
    } else if (g_str_has_prefix(line, "#EXT-X-ENDLIST"))
      st->ended = true;
    l = nl ? nl + 1 : NULL;
  }
  if (st->target < 1)
    return -EBADMSG;
  st->last_msn = segs ? (gint64)(seq + segs - 1) : (gint64)seq - 1;
  return 0;
}

HlsBlockVerdict hls_block_decide(const HlsBlockState *st, guint64 msn, gint64 part)
{
  if (!st->can_block || st->ended)
    return HLS_BLOCK_READY; /* nothing to wait for: the spec answers at once */
  gint64 edge = st->last_msn + 1; /* the segment being written */
  if ((gint64)msn <= st->last_msn)
    return HLS_BLOCK_READY; /* a whole segment holds every part of it */
  /* Too far ahead: past the last segment plus two, or more parts ahead than the Advance Part
   * Limit (three seconds' worth when parts are under a second). */
  if ((gint64)msn > st->last_msn + 2)
    return HLS_BLOCK_TOO_FAR;
  gint64 apl = st->part_target > 0 && st->part_target < 1 ? (gint64)(3 / st->part_target) : 3;
  gint64 ahead = part < 0 ? 0 : ((gint64)msn == edge ? part - ((gint64)st->parts - 1) : part + 1);
  if (ahead > apl)
    return HLS_BLOCK_TOO_FAR;
  if ((gint64)msn == edge && part >= 0 && part < (gint64)st->parts)
    return HLS_BLOCK_READY;
  return HLS_BLOCK_WAIT;
}

static int parse_uint(const char *v, guint64 *out)
{
  if (!v || !*v || strlen(v) > 18)
    return -EINVAL;
  for (const char *p = v; *p; p++)
    if (!g_ascii_isdigit(*p))
      return -EINVAL;
  *out = g_ascii_strtoull(v, NULL, 10);
  return 0;
}

int hls_block_query(GHashTable *query, guint64 *msn, gint64 *part)
{
  const char *m = g_hash_table_lookup(query, "_HLS_msn");
  const char *p = g_hash_table_lookup(query, "_HLS_part");
  *part = -1;
  if (!m && !p)
    return 0;
  if (!m || parse_uint(m, msn) < 0)
    return -EINVAL;
  if (p) {
    guint64 v;
    if (parse_uint(p, &v) < 0)
      return -EINVAL;
    *part = (gint64)v;
  }
  return 1;
}

/* ---- answers ------------------------------------------------------------------------- */

static void answer_error(HttpResponse *r, int status, const char *text)
{
  http_response_text(r, status, "text/plain; charset=utf-8", text);
  http_response_header(r, "cache-control:", "no-store");
}

/* The playlist as http_files serves it; a blocking answer names one state of the live in its
 * query, so an edge may keep it (keyed by the query) for as long as that state is news. */
static void answer_playlist(HttpResponse *r, HttpFile *f, const HlsBlockState *st, bool blocking)
{
  http_response_text(r, 200, f->mime, NULL);
  g_string_free(r->body, TRUE);
  r->body = g_steal_pointer(&f->body);
  if (blocking && !st->ended) {
    g_autofree char *cc = g_strdup_printf("public, max-age=%d", 3 * st->target);
    http_response_header(r, "cache-control:", cc);
  } else {
    http_response_header(r, "cache-control:", f->cache_control);
  }
}

/* Reads PATH's playlist. Returns its HTTP status (200 with F's body and *ST). */
static int read_playlist(HlsBlock *b, const char *path, HttpFile *f, HlsBlockState *st)
{
  int status = http_files_resolve(b->files, path, f);
  if (status != 200 || !f->body)
    return status == 200 ? 404 : status;
  return hls_block_parse(f->body->str, st) == 0 ? 200 : 404;
}

static void watched_free(gpointer p)
{
  Watched *w = p;
  g_array_unref(w->waiters);
  g_free(w->path);
  g_free(w);
}

/* Looks at one watched playlist: answers the waiters it satisfies and those out of time.
 * Returns TRUE when none is left. */
static gboolean check_watched(HlsBlock *b, Watched *w, gint64 now);

/* Answers R with the part file at PATH (a part is small: read whole). Returns its status. */
static int answer_part(HlsBlock *b, const char *path, HttpResponse *r)
{
  HttpFile f;
  int status = http_files_resolve(b->files, path, &f);
  GString *body = NULL;
  if (status == 200 && f.fd >= 0 && f.st.st_size <= HLS_BLOCK_PART_MAX) {
    body = g_string_sized_new((gsize)f.st.st_size);
    char buf[65536];
    ssize_t n;
    while ((n = read(f.fd, buf, sizeof buf)) > 0)
      g_string_append_len(body, buf, n);
    if (n < 0) {
      g_string_free(body, TRUE);
      body = NULL;
    }
  } else if (status == 200 && f.file) {
    gchar *data = NULL;
    gsize len = 0;
    if (g_file_get_contents(f.file, &data, &len, NULL) && len <= HLS_BLOCK_PART_MAX)
      body = g_string_new_len(data, (gssize)len);
    g_free(data);
  }
  if (body) {
    http_response_text(r, 200, f.mime, NULL);
    g_string_free(r->body, TRUE);
    r->body = body;
    http_response_header(r, "cache-control:", f.cache_control);
  } else {
    status = status == 200 ? 404 : status;
    http_response_text(r, 404, "text/plain; charset=utf-8", "404 Not Found\n");
    http_response_header(r, "cache-control:", "no-store");
  }
  http_file_clear(&f);
  return status;
}

/* A hinted part's waiters: answered with the file once it is in place (the writer renames a
 * part into place whole), or 404 when it did not come in time. */
static bool hints(const char *text, const char *name);

/* Does the live playlist beside part PATH (read through the same path checks as any request)
 * hint it now (not ended, not moved on)? With *TARGET its target duration. */
static bool still_hinted(HlsBlock *b, const char *path, int *target)
{
  const char *base = strrchr(path, '/');
  g_autofree char *dir = g_strndup(path, (gsize)(base - path));
  g_autofree char *playlist = g_strconcat(dir, "/index.m3u8", NULL);
  HttpFile f;
  HlsBlockState st;
  bool hinted = read_playlist(b, playlist, &f, &st) == 200 && !st.ended && hints(f.body->str, base + 1);
  http_file_clear(&f);
  if (target)
    *target = st.target;
  return hinted;
}

static gboolean check_part(HlsBlock *b, Watched *w, gint64 now)
{
  g_autofree char *file = g_build_filename(b->files->media_root, w->path + 5, NULL);
  bool there = access(file, F_OK) == 0;
  /* A hint can come to nothing (the live ended, or the part was lost): the playlist no longer
   * names it and the file is not there, so the answer is 404 now rather than at the deadline.
   * (The writer renames a part into place before the playlist moves its hint on.) */
  bool void_hint = !there && !still_hinted(b, w->path, NULL) && access(file, F_OK) != 0;
  for (guint i = 0; i < w->waiters->len;) {
    Waiter *wt = &g_array_index(w->waiters, Waiter, i);
    if (!there && !void_hint && wt->deadline_us > now) {
      i++;
      continue;
    }
    HttpResponse r;
    http_response_init(&r);
    answer_part(b, w->path, &r);
    http_later_answer(&wt->later, &r);
    http_response_clear(&r);
    g_array_remove_index_fast(w->waiters, i);
    b->held--;
  }
  return w->waiters->len == 0;
}

static gboolean check_watched(HlsBlock *b, Watched *w, gint64 now)
{
  if (w->part)
    return check_part(b, w, now);
  bool expired = false;
  for (guint i = 0; i < w->waiters->len; i++)
    expired |= g_array_index(w->waiters, Waiter, i).deadline_us <= now;
  g_autofree char *file = g_build_filename(b->files->media_root, w->path + 5, NULL);
  struct stat sb;
  bool changed = stat(file, &sb) == 0 && (sb.st_ino != w->ino || sb.st_dev != w->dev ||
                                          sb.st_mtim.tv_sec != w->mtime.tv_sec ||
                                          sb.st_mtim.tv_nsec != w->mtime.tv_nsec);
  if (!changed && !expired)
    return FALSE;
  HttpFile f;
  HlsBlockState st;
  int status = read_playlist(b, w->path, &f, &st);
  if (changed) {
    w->dev = sb.st_dev;
    w->ino = sb.st_ino;
    w->mtime = sb.st_mtim;
  }
  for (guint i = 0; i < w->waiters->len;) {
    Waiter *wt = &g_array_index(w->waiters, Waiter, i);
    HttpResponse r;
    http_response_init(&r);
    HlsBlockVerdict v = status == 200 ? hls_block_decide(&st, wt->msn, wt->part) : HLS_BLOCK_WAIT;
    if (status == 200 && v != HLS_BLOCK_WAIT) {
      /* Ready (or the live moved so that it can no longer block: answered as it is). */
      GString *copy = g_string_new_len(f.body->str, (gssize)f.body->len);
      GString *keep = f.body;
      f.body = copy;
      answer_playlist(&r, &f, &st, true);
      f.body = keep;
    } else if (wt->deadline_us <= now) {
      answer_error(&r, 503, "503 Service Unavailable: the part did not come in time\n");
    } else {
      i++;
      continue;
    }
    http_later_answer(&wt->later, &r);
    http_response_clear(&r);
    g_array_remove_index_fast(w->waiters, i);
    b->held--;
  }
  http_file_clear(&f);
  return w->waiters->len == 0;
}

static gboolean on_tick(gpointer user)
{
  HlsBlock *b = user;
  gint64 now = g_get_monotonic_time();
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, b->watched);
  while (g_hash_table_iter_next(&it, &key, &value))
    if (check_watched(b, value, now))
      g_hash_table_iter_remove(&it);
  if (g_hash_table_size(b->watched))
    return G_SOURCE_CONTINUE;
  b->timer = 0;
  return G_SOURCE_REMOVE;
}

/* Holds request LATER for PATH (a playlist, or with PART_FILE a hinted part) until it can be
 * answered or three TARGET durations have passed; R says the answer comes later. */
static void hold(HlsBlock *b, const char *path, bool part_file, const HttpLater *later, guint64 msn,
                 gint64 part, int target, HttpResponse *r)
{
  Watched *w = g_hash_table_lookup(b->watched, path);
  if (!w) {
    w = g_new0(Watched, 1);
    w->path = g_strdup(path);
    w->part = part_file;
    w->waiters = g_array_new(FALSE, FALSE, sizeof(Waiter));
    g_hash_table_insert(b->watched, w->path, w);
  }
  Waiter wt = {*later, msn, part, g_get_monotonic_time() + (gint64)target * 3 * G_USEC_PER_SEC};
  g_array_append_val(w->waiters, wt);
  b->held++;
  r->later = true;
  if (!b->timer)
    b->timer = g_timeout_add(HLS_BLOCK_POLL_MS, on_tick, b);
}

bool hls_block_handle(HlsBlock *b, const char *path, GHashTable *query, const HttpLater *later,
                      HttpResponse *r)
{
  guint64 msn = 0;
  gint64 part = -1;
  int q = hls_block_query(query, &msn, &part);
  if (q == 0)
    return false;
  if (q < 0) {
    answer_error(r, 400, "400 Bad Request: _HLS_msn must be a number, and _HLS_part needs _HLS_msn\n");
    return true;
  }
  HttpFile f;
  HlsBlockState st;
  int status = read_playlist(b, path, &f, &st);
  if (status != 200) {
    http_file_clear(&f);
    if (status == 400)
      answer_error(r, 400, "400 Bad Request: invalid path\n");
    else
      http_response_text(r, 404, "text/plain; charset=utf-8", "404 Not Found\n");
    return true;
  }
  HlsBlockVerdict v = hls_block_decide(&st, msn, part);
  if (v == HLS_BLOCK_READY) {
    answer_playlist(r, &f, &st, st.can_block);
  } else if (v == HLS_BLOCK_TOO_FAR) {
    answer_error(r, 400, "400 Bad Request: _HLS_msn/_HLS_part is too far ahead of the live\n");
  } else if (!later || b->held >= (guint)b->config->hls_block_max) {
    answer_error(r, 503, "503 Service Unavailable: too many blocking playlist requests\n");
  } else {
    hold(b, path, false, later, msn, part, st.target, r);
  }
  http_file_clear(&f);
  return true;
}

/* Does playlist TEXT hint NAME as its next part? */
static bool hints(const char *text, const char *name)
{
  g_autofree char *tag = g_strdup_printf("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"%s\"\n", name);
  return strstr(text, tag) != NULL;
}

bool hls_block_part(HlsBlock *b, const char *path, const HttpLater *later, HttpResponse *r)
{
  const char *base = strrchr(path, '/');
  unsigned seg, part;
  int end = 0;
  if (!g_str_has_prefix(path, "/hls/") || !base || strlen(base + 1) > 32 ||
      sscanf(base + 1, "seg%6u-p%u.ts%n", &seg, &part, &end) != 2 || base[1 + end] != '\0')
    return false;
  int target = 0;
  if (!still_hinted(b, path, &target))
    return false; /* not the hinted part: served (or 404) as any file */
  g_autofree char *file = g_build_filename(b->files->media_root, path + 5, NULL);
  if (access(file, F_OK) == 0)
    return false; /* already in place */
  if (!later || b->held >= (guint)b->config->hls_block_max) {
    answer_error(r, 503, "503 Service Unavailable: too many blocking requests\n");
    return true;
  }
  hold(b, path, true, later, seg, part, target, r);
  return true;
}

HlsBlock *hls_block_new(const HttpFiles *files, const Config *config)
{
  HlsBlock *b = g_new0(HlsBlock, 1);
  b->files = files;
  b->config = config;
  b->watched = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, watched_free);
  return b;
}

guint hls_block_held(const HlsBlock *b) { return b->held; }

void hls_block_free(HlsBlock **b)
{
  if (!b || !*b)
    return;
  if ((*b)->timer)
    g_source_remove((*b)->timer);
  /* Held requests go with their connections (the server closes them all). */
  g_hash_table_unref((*b)->watched);
  g_clear_pointer(b, g_free);
}
