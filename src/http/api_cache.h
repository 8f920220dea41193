/* api_cache: public API answers kept in memory — a byte-budgeted LRU map from a request's
 * key (route and normalised query) to the answer (status, type, body, headers with the
 * ETag), each valid for one catalog generation and, when the clock can change it, until an
 * instant. No I/O and no clock of its own: callers pass the generation and the time. */
#pragma once

#include "http/http_types.h"

#include <stdbool.h>

typedef struct ApiCache ApiCache;

typedef struct {
  guint64 hits;        /* answers served from the cache */
  guint64 misses;      /* lookups that found nothing valid */
  guint64 stores;      /* answers kept */
  guint64 evictions;   /* answers dropped for the byte budget */
  guint64 expirations; /* answers dropped because their instant came */
  guint64 flushes;     /* generation changes that dropped everything */
  guint64 entries;
  guint64 bytes;       /* what the kept answers take, as counted against the budget */
  guint64 budget;
} ApiCacheStats;

/* A cache holding at most BUDGET bytes of answers (keys, bodies and headers, plus a fixed
 * overhead per entry). Returns 0 with *OUT, or -EINVAL for a zero budget. */
int api_cache_new(guint64 budget, ApiCache **out);

/* Frees C and its answers; accepts NULL. */
void api_cache_free(ApiCache **c);

/* The key of a read of PATH (a trailing slash names the same resource) with QUERY (decoded
 * names and values; NULL for none): the path, then name=value pairs sorted by name, each
 * percent-encoded so that no value can imitate another pair. Caller frees. */
char *api_cache_key(const char *path, GHashTable *query);

/* Copies the answer kept under KEY into RESP (which must be freshly initialised) and
 * returns true, when it was made at GENERATION and its instant is after NOW. An answer of
 * another generation is a miss, and a newer GENERATION than the cache has seen drops every
 * answer at once (they were all made before the change). */
bool api_cache_get(ApiCache *c, const char *key, guint64 generation, gint64 now, HttpResponse *resp);

/* Keeps a copy of RESP under KEY, made at GENERATION and valid until UNTIL (a Unix second;
 * 0: until the generation moves). Least recently used answers leave to stay within the
 * budget; an answer larger than an eighth of the budget is not kept. Returns 0, -E2BIG
 * (too large) or -ESTALE (GENERATION is older than one the cache has seen: the answer was
 * read before a change) when it was not kept. */
int api_cache_put(ApiCache *c, const char *key, guint64 generation, gint64 until, const HttpResponse *resp);

void api_cache_stats(const ApiCache *c, ApiCacheStats *out);
