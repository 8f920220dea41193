/* http_playlists: playlists kept in memory, checked against their file on every request. */
#include "http/http_playlists.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  dev_t dev;
  ino_t ino;
} Key;

typedef struct {
  Key key;
  off_t size;
  struct timespec mtime, ctime;
  gint64 seen_us;  /* monotonic time these size and times were first seen */
  GBytes *text;    /* NULL: seen, not kept yet (not settled) */
  GBytes *answer;  /* the whole answer made from TEXT (http_playlists_answer), or NULL */
  bool finished;
} Entry;

struct HttpPlaylists {
  GHashTable *entries; /* Key* (inside the entry) -> Entry* */
  guint max_entries;
  gsize max_bytes, budget;
  gsize bytes; /* the kept texts' sizes */
  guint kept;  /* entries with a text */
  HttpPlaylistsStats stats;
};

static guint key_hash(gconstpointer p)
{
  const Key *k = p;
  return (guint)(k->ino ^ (k->ino >> 32) ^ (k->dev * 2654435761u));
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
  const Key *x = a, *y = b;
  return x->dev == y->dev && x->ino == y->ino;
}

static void entry_free(gpointer p)
{
  Entry *e = p;
  if (e->text)
    g_bytes_unref(e->text);
  if (e->answer)
    g_bytes_unref(e->answer);
  g_free(e);
}

static void entry_drop(HttpPlaylists *c, Entry *e)
{
  if (e->text) {
    c->bytes -= g_bytes_get_size(e->text);
    c->kept--;
  }
  if (e->answer)
    c->bytes -= g_bytes_get_size(e->answer);
  g_hash_table_remove(c->entries, &e->key);
}

/* Drops entries (any) until there is room for one more of LEN bytes; the ones still asked for
 * come back on their next request. */
static void make_room(HttpPlaylists *c, gsize len)
{
  while (g_hash_table_size(c->entries) > 0 &&
         (g_hash_table_size(c->entries) >= c->max_entries || c->bytes + len > c->budget)) {
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, c->entries);
    g_hash_table_iter_next(&it, NULL, &v);
    entry_drop(c, v);
  }
}

int http_playlists_new(guint max_entries, gsize max_bytes, gsize budget, HttpPlaylists **out)
{
  HttpPlaylists *c = g_new0(HttpPlaylists, 1);
  c->entries = g_hash_table_new_full(key_hash, key_equal, NULL, entry_free);
  c->max_entries = max_entries;
  c->max_bytes = max_bytes;
  c->budget = budget;
  *out = c;
  return 0;
}

void http_playlists_free(HttpPlaylists **pc)
{
  HttpPlaylists *c = *pc;
  if (!c)
    return;
  g_hash_table_unref(c->entries);
  g_free(c);
  *pc = NULL;
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
  return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* The whole of FD (SIZE bytes by its fstat) from its start; a file that grew or shrank
 * meanwhile is read as it is now. */
static int read_all(int fd, off_t size, gsize max, GBytes **out)
{
  if (size < 0 || (guint64)size > max)
    return -EFBIG;
  gsize cap = (gsize)size + 1, len = 0;
  char *buf = g_malloc(cap);
  for (;;) {
    if (len == cap) {
      if (cap > max) {
        g_free(buf);
        return -EFBIG;
      }
      cap *= 2;
      buf = g_realloc(buf, cap);
    }
    ssize_t n = pread(fd, buf + len, cap - len, (off_t)len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int ret = -errno;
      g_free(buf);
      return ret;
    }
    if (n == 0)
      break;
    len += (gsize)n;
  }
  if (len > max) {
    g_free(buf);
    return -EFBIG;
  }
  *out = g_bytes_new_take(buf, len);
  return 0;
}

/* The entry for ST's file and whether it is of that very state (size and times). */
static Entry *lookup(HttpPlaylists *c, const struct stat *st, bool *same)
{
  Key key = { st->st_dev, st->st_ino };
  Entry *e = g_hash_table_lookup(c->entries, &key);
  *same = e && e->size == st->st_size && same_time(&e->mtime, &st->st_mtim) &&
          same_time(&e->ctime, &st->st_ctim);
  return e;
}

bool http_playlists_peek(HttpPlaylists *c, const struct stat *st, GBytes **text, bool *finished)
{
  bool same = false;
  Entry *e = lookup(c, st, &same);
  if (!same || !e->text)
    return false;
  c->stats.hits++;
  c->stats.peeked++;
  *text = g_bytes_ref(e->text);
  *finished = e->finished;
  return true;
}

bool http_playlists_answer(HttpPlaylists *c, const struct stat *st, HttpPlaylistsFrame frame, void *user,
                           const void **data, gsize *len)
{
  bool same = false;
  Entry *e = lookup(c, st, &same);
  if (!same || !e->text)
    return false;
  if (!e->answer) {
    GBytes *a = frame(e->text, e->finished, user);
    if (!a)
      return false;
    if (c->bytes + g_bytes_get_size(a) > c->budget) {
      g_bytes_unref(a);
      return false;
    }
    e->answer = a;
    c->bytes += g_bytes_get_size(a);
  }
  c->stats.hits++;
  c->stats.answered++;
  *data = g_bytes_get_data(e->answer, len);
  return true;
}

int http_playlists_get(HttpPlaylists *c, int fd, const struct stat *st, gint64 now_us, GBytes **text,
                       bool *finished)
{
  Key key = { st->st_dev, st->st_ino };
  bool same = false;
  Entry *e = lookup(c, st, &same);
  if (same && e->text) {
    c->stats.hits++;
    *text = g_bytes_ref(e->text);
    *finished = e->finished;
    return 0;
  }
  c->stats.misses++;
  if (e && !same) {
    entry_drop(c, e);
    e = NULL;
  }
  GBytes *b = NULL;
  int ret = read_all(fd, st->st_size, c->max_bytes, &b);
  if (ret < 0)
    return ret;
  gsize len = 0;
  const char *data = g_bytes_get_data(b, &len);
  bool fin = len > 0 && g_strstr_len(data, (gssize)len, "#EXT-X-ENDLIST") != NULL;
  *text = b;
  *finished = fin;
  if ((off_t)len != st->st_size || c->max_entries == 0 || len > c->budget)
    return 0; /* changed while read, or never kept */

  /* Kept only once these size and times have been seen unchanged for the settle time (see
   * HTTP_PLAYLISTS_SETTLE_US): what is read now has every write of the file's last timestamp
   * tick. Measured on our own monotonic clock, not against the file's times, so a wall clock
   * that disagrees with the file system's (set back, faked, another host's) changes nothing. */
  if (!e) {
    make_room(c, 0);
    e = g_new0(Entry, 1);
    e->key = key;
    e->size = st->st_size;
    e->mtime = st->st_mtim;
    e->ctime = st->st_ctim;
    e->seen_us = now_us;
    g_hash_table_insert(c->entries, &e->key, e);
    return 0;
  }
  if (now_us - e->seen_us < HTTP_PLAYLISTS_SETTLE_US)
    return 0;
  g_hash_table_steal(c->entries, &e->key);
  make_room(c, len);
  g_hash_table_insert(c->entries, &e->key, e);
  e->text = g_bytes_ref(b);
  e->finished = fin;
  c->bytes += len;
  c->kept++;
  return 0;
}

void http_playlists_stats(const HttpPlaylists *c, HttpPlaylistsStats *out)
{
  *out = c->stats;
  out->entries = c->kept;
  out->bytes = c->bytes;
}
