/* seconds_map: which seconds of a video a viewer has been credited — one bit per second. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest video (or live) whose seconds are tracked: 24 hours, 10,800 bytes of map. */
#define SECONDS_MAP_MAX_SECONDS (24u * 3600u)

/* Bit i of bits[i / 8] (least significant first) is second i. LEN is in bytes. */
typedef struct {
  guint8 *bits;
  size_t len;
} SecondsMap;

/* Replaces M's content with a copy of LEN bytes at DATA (a stored map). Returns 0, or
 * -EINVAL when LEN is over the maximum (M is then left empty). */
int seconds_map_load(SecondsMap *m, const void *data, size_t len);

/* Sets the seconds in [FROM, TO) that are not set yet, lowest first, at most MAX_NEW of
 * them; seconds at or past SECONDS_MAP_MAX_SECONDS are ignored. Returns how many were set.
 * When NEW_BUCKETS is not NULL, every BUCKET-second bucket (bucket > 0) that had no set
 * second before and has one now is appended to it (guint). */
unsigned seconds_map_set(SecondsMap *m, unsigned from, unsigned to, unsigned max_new,
                         unsigned bucket, GArray *new_buckets);

/* True when second I is set. */
bool seconds_map_has(const SecondsMap *m, unsigned i);

/* The number of set seconds. */
unsigned seconds_map_count(const SecondsMap *m);

/* Frees the bits; M can be reused. */
void seconds_map_clear(SecondsMap *m);
