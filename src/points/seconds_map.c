/* seconds_map: which seconds of a video a viewer has been credited — one bit per second. */
#include "points/seconds_map.h"
#include "db/db_watch.h"

#include <errno.h>
#include <string.h>

/* The database stores these maps and refuses larger ones. */
G_STATIC_ASSERT(SECONDS_MAP_MAX_SECONDS / 8 == DB_WATCH_SECONDS_MAX_BYTES);

int seconds_map_load(SecondsMap *m, const void *data, size_t len)
{
  seconds_map_clear(m);
  if (len > SECONDS_MAP_MAX_SECONDS / 8)
    return -EINVAL;
  if (len) {
    m->bits = g_memdup2(data, len);
    m->len = len;
  }
  return 0;
}

bool seconds_map_has(const SecondsMap *m, unsigned i)
{
  return i / 8 < m->len && (m->bits[i / 8] >> (i % 8) & 1);
}

static bool bucket_empty(const SecondsMap *m, unsigned b, unsigned bucket)
{
  for (unsigned i = b * bucket; i < (b + 1) * bucket; i++)
    if (seconds_map_has(m, i))
      return false;
  return true;
}

unsigned seconds_map_set(SecondsMap *m, unsigned from, unsigned to, unsigned max_new,
                         unsigned bucket, GArray *new_buckets)
{
  if (to > SECONDS_MAP_MAX_SECONDS)
    to = SECONDS_MAP_MAX_SECONDS;
  unsigned set = 0;
  guint checked = G_MAXUINT;
  for (unsigned i = from; i < to && set < max_new; i++) {
    if (seconds_map_has(m, i))
      continue;
    if (new_buckets && bucket > 0 && i / bucket != checked) {
      checked = i / bucket;
      if (bucket_empty(m, checked, bucket))
        g_array_append_val(new_buckets, checked);
    }
    if (i / 8 >= m->len) {
      size_t len = i / 8 + 1;
      /* Grow in steps so a live's map is not reallocated every second. */
      size_t cap = MAX(len, MIN(m->len * 2, (size_t)SECONDS_MAP_MAX_SECONDS / 8));
      m->bits = g_realloc(m->bits, cap);
      memset(m->bits + m->len, 0, cap - m->len);
      m->len = cap;
    }
    m->bits[i / 8] |= (guint8)(1u << (i % 8));
    set++;
  }
  return set;
}

unsigned seconds_map_count(const SecondsMap *m)
{
  unsigned n = 0;
  for (size_t i = 0; i < m->len; i++)
    n += (unsigned)__builtin_popcount(m->bits[i]);
  return n;
}

void seconds_map_clear(SecondsMap *m)
{
  g_free(m->bits);
  m->bits = NULL;
  m->len = 0;
}
