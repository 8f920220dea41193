/* api_cache: public API answers kept in memory, LRU within a byte budget; see api_cache.h. */
#include "http/api_cache.h"

#include <errno.h>
#include <string.h>

/* What an entry costs beyond its strings: the struct, its list link, the hash slot and the
 * allocator's headers, roughly. */
#define ENTRY_OVERHEAD 256

typedef struct {
  GList link;          /* in the LRU queue; data points back to the entry */
  char *key;
  gint64 until;
  int status;
  char *content_type;
  GBytes *body;
  GPtrArray *headers;  /* "name:", "value", … */
  gint64 last_modified;
  guint64 size;
} Entry;

struct ApiCache {
  GHashTable *map;     /* key -> Entry (owned by the map) */
  GQueue lru;          /* head: most recently used */
  guint64 generation;
  ApiCacheStats st;
};

static void entry_free(gpointer p)
{
  Entry *e = p;
  g_free(e->key);
  g_free(e->content_type);
  g_bytes_unref(e->body);
  g_ptr_array_unref(e->headers);
  g_free(e);
}

int api_cache_new(guint64 budget, ApiCache **out)
{
  if (budget == 0)
    return -EINVAL;
  ApiCache *c = g_new0(ApiCache, 1);
  c->map = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, entry_free);
  g_queue_init(&c->lru);
  c->st.budget = budget;
  *out = c;
  return 0;
}

void api_cache_free(ApiCache **pc)
{
  ApiCache *c = *pc;
  if (!c)
    return;
  g_hash_table_destroy(c->map);
  g_free(c);
  *pc = NULL;
}

static int pair_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

char *api_cache_key(const char *path, GHashTable *query)
{
  GString *k = g_string_new(path);
  if (k->len > 1 && k->str[k->len - 1] == '/')
    g_string_truncate(k, k->len - 1);
  if (!query || g_hash_table_size(query) == 0)
    return g_string_free(k, FALSE);
  GPtrArray *pairs = g_ptr_array_new_with_free_func(g_free);
  GHashTableIter it;
  gpointer name, value;
  g_hash_table_iter_init(&it, query);
  while (g_hash_table_iter_next(&it, &name, &value)) {
    g_autofree char *n = g_uri_escape_string(name, NULL, FALSE);
    g_autofree char *v = g_uri_escape_string(value ? value : "", NULL, FALSE);
    g_ptr_array_add(pairs, g_strconcat(n, "=", v, NULL));
  }
  g_ptr_array_sort(pairs, pair_cmp);
  for (guint i = 0; i < pairs->len; i++)
    g_string_append_printf(k, "%c%s", i ? '&' : '?', (const char *)pairs->pdata[i]);
  g_ptr_array_unref(pairs);
  return g_string_free(k, FALSE);
}

static void remove_entry(ApiCache *c, Entry *e)
{
  g_queue_unlink(&c->lru, &e->link);
  c->st.bytes -= e->size;
  g_hash_table_remove(c->map, e->key); /* frees e */
  c->st.entries = g_hash_table_size(c->map);
}

/* A newer generation: every answer kept was made before the change. */
static void see_generation(ApiCache *c, guint64 generation)
{
  if (generation <= c->generation)
    return;
  if (g_hash_table_size(c->map) > 0)
    c->st.flushes++;
  g_hash_table_remove_all(c->map);
  g_queue_init(&c->lru);
  c->st.bytes = 0;
  c->st.entries = 0;
  c->generation = generation;
}

bool api_cache_get(ApiCache *c, const char *key, guint64 generation, gint64 now, HttpResponse *resp)
{
  see_generation(c, generation);
  Entry *e = generation == c->generation ? g_hash_table_lookup(c->map, key) : NULL;
  if (e && e->until && now >= e->until) {
    c->st.expirations++;
    remove_entry(c, e);
    e = NULL;
  }
  if (!e) {
    c->st.misses++;
    return false;
  }
  g_queue_unlink(&c->lru, &e->link);
  g_queue_push_head_link(&c->lru, &e->link);
  c->st.hits++;
  gsize len = 0;
  const char *body = g_bytes_get_data(e->body, &len);
  resp->status = e->status;
  g_free(resp->content_type);
  resp->content_type = g_strdup(e->content_type);
  if (resp->body)
    g_string_free(resp->body, TRUE);
  resp->body = g_string_sized_new(len + 1);
  g_string_append_len(resp->body, body, (gssize)len);
  for (guint i = 0; i < e->headers->len; i++)
    g_ptr_array_add(resp->headers, g_strdup(e->headers->pdata[i]));
  resp->last_modified = e->last_modified;
  return true;
}

int api_cache_put(ApiCache *c, const char *key, guint64 generation, gint64 until, const HttpResponse *resp)
{
  see_generation(c, generation);
  if (generation < c->generation)
    return -ESTALE; /* read before a change the cache has already seen */
  guint64 size = ENTRY_OVERHEAD + strlen(key) + 1 + (resp->body ? resp->body->len : 0) +
                 (resp->content_type ? strlen(resp->content_type) + 1 : 0);
  for (guint i = 0; i < resp->headers->len; i++)
    size += strlen(resp->headers->pdata[i]) + 1 + sizeof(gpointer);
  if (size > c->st.budget / 8)
    return -E2BIG;
  Entry *old = g_hash_table_lookup(c->map, key);
  if (old)
    remove_entry(c, old);
  while (c->st.bytes + size > c->st.budget && c->lru.tail) {
    c->st.evictions++;
    remove_entry(c, c->lru.tail->data);
  }
  Entry *e = g_new0(Entry, 1);
  e->link.data = e;
  e->key = g_strdup(key);
  e->until = until;
  e->status = resp->status;
  e->content_type = g_strdup(resp->content_type);
  e->body = resp->body ? g_bytes_new(resp->body->str, resp->body->len) : g_bytes_new(NULL, 0);
  e->headers = g_ptr_array_new_full(resp->headers->len, g_free);
  for (guint i = 0; i < resp->headers->len; i++)
    g_ptr_array_add(e->headers, g_strdup(resp->headers->pdata[i]));
  e->last_modified = resp->last_modified;
  e->size = size;
  g_hash_table_insert(c->map, e->key, e);
  g_queue_push_head_link(&c->lru, &e->link);
  c->st.bytes += size;
  c->st.stores++;
  c->st.entries = g_hash_table_size(c->map);
  return 0;
}

void api_cache_stats(const ApiCache *c, ApiCacheStats *out)
{
  *out = c->st;
}
