/* Tests for src/http/api_cache.c: keys, generations, the time bound (an injected clock) and
 * the byte budget of the core; and, through the router with a real database, that guests'
 * reads come from memory, that each kind of catalog change makes exactly the answers it
 * affects change, and that nothing stale is served after a commit (ours, another
 * connection's, or a publish time reached). */
#include "api_fixture.h"
#include "core/util.h"
#include "db/db_job.h"
#include "db/db_video.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* ---- the core ----------------------------------------------------------------- */

static void answer(HttpResponse *r, const char *body)
{
  http_response_init(r);
  http_response_text(r, 200, "application/json", body);
  http_response_header(r, "etag:", "\"x\"");
  r->last_modified = 1000;
}

/* The body kept under KEY at generation GEN and time NOW, or NULL (caller frees). */
static char *got(ApiCache *c, const char *key, guint64 gen, gint64 now)
{
  HttpResponse r;
  http_response_init(&r);
  char *body = api_cache_get(c, key, gen, now, &r) ? g_strdup(r.body->str) : NULL;
  if (body) {
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.content_type, "application/json");
    ck_assert_int_eq(r.headers->len, 2);
    ck_assert_int_eq(r.last_modified, 1000);
  }
  http_response_clear(&r);
  return body;
}

static void put(ApiCache *c, const char *key, guint64 gen, gint64 until, const char *body, int want)
{
  HttpResponse r;
  answer(&r, body);
  ck_assert_int_eq(api_cache_put(c, key, gen, until, &r), want);
  http_response_clear(&r);
}

static void assert_got(ApiCache *c, const char *key, guint64 gen, gint64 now, const char *want)
{
  char *b = got(c, key, gen, now);
  if (!want)
    ck_assert_msg(b == NULL, "%s: kept %s", key, b);
  else
    ck_assert_msg(b && !strcmp(b, want), "%s: %s, wanted %s", key, b ? b : "(nothing)", want);
  g_free(b);
}

START_TEST(keys_name_the_same_read_the_same_way)
{
  GHashTable *a = g_hash_table_new(g_str_hash, g_str_equal);
  GHashTable *b = g_hash_table_new(g_str_hash, g_str_equal);
  g_hash_table_insert(a, "q", "劳模");
  g_hash_table_insert(a, "page", "2");
  g_hash_table_insert(b, "page", "2");
  g_hash_table_insert(b, "q", "劳模");
  char *ka = api_cache_key("/api/v1/videos", a), *kb = api_cache_key("/api/v1/videos/", b);
  ck_assert_str_eq(ka, kb);
  ck_assert(g_str_has_prefix(ka, "/api/v1/videos?page=2&q="));
  /* A value cannot pretend to be two pairs. */
  GHashTable *c = g_hash_table_new(g_str_hash, g_str_equal);
  g_hash_table_insert(c, "page", "2&q=劳模");
  char *kc = api_cache_key("/api/v1/videos", c);
  ck_assert_str_ne(ka, kc);
  char *kn = api_cache_key("/api/v1/videos/", NULL);
  ck_assert_str_eq(kn, "/api/v1/videos");
  g_free(ka);
  g_free(kb);
  g_free(kc);
  g_free(kn);
  g_hash_table_unref(a);
  g_hash_table_unref(b);
  g_hash_table_unref(c);
}
END_TEST

START_TEST(a_new_generation_drops_every_answer)
{
  ApiCache *c = NULL;
  ck_assert_int_eq(api_cache_new(0, &c), -EINVAL);
  ck_assert_int_eq(api_cache_new(1 << 20, &c), 0);
  put(c, "/a", 1, 0, "A", 0);
  put(c, "/b", 1, 0, "B", 0);
  assert_got(c, "/a", 1, 50, "A");
  assert_got(c, "/b", 1, 50, "B");
  assert_got(c, "/c", 1, 50, NULL);
  assert_got(c, "/a", 2, 50, NULL);
  assert_got(c, "/b", 2, 50, NULL);
  /* Read before the change, kept after the cache saw it: refused. */
  put(c, "/a", 1, 0, "old A", -ESTALE);
  assert_got(c, "/a", 2, 50, NULL);
  put(c, "/a", 2, 0, "A2", 0);
  assert_got(c, "/a", 2, 50, "A2");
  ApiCacheStats st;
  api_cache_stats(c, &st);
  ck_assert_uint_eq(st.hits, 3);
  ck_assert_uint_eq(st.misses, 4);
  ck_assert_uint_eq(st.flushes, 1);
  ck_assert_uint_eq(st.entries, 1);
  api_cache_free(&c);
  api_cache_free(&c); /* NULL is fine */
}
END_TEST

START_TEST(an_answer_expires_at_its_instant)
{
  ApiCache *c = NULL;
  ck_assert_int_eq(api_cache_new(1 << 20, &c), 0);
  put(c, "/soon", 1, 1000, "S", 0);
  put(c, "/never", 1, 0, "N", 0);
  assert_got(c, "/soon", 1, 998, "S");
  assert_got(c, "/soon", 1, 999, "S");
  assert_got(c, "/soon", 1, 1000, NULL); /* the publish time itself shows the new state */
  assert_got(c, "/soon", 1, 999, NULL);  /* and it is gone, not hidden */
  assert_got(c, "/never", 1, 1000000, "N");
  ApiCacheStats st;
  api_cache_stats(c, &st);
  ck_assert_uint_eq(st.expirations, 1);
  ck_assert_uint_eq(st.entries, 1);
  api_cache_free(&c);
}
END_TEST

START_TEST(the_budget_drops_the_least_recently_used)
{
  ApiCache *c = NULL;
  char body[1000], big[1500];
  memset(body, 'x', sizeof body - 1);
  body[sizeof body - 1] = '\0';
  memset(big, 'y', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  /* An entry here costs about 1.3 KB (body, key, headers, overhead): eight fit in 11,200
   * bytes, a ninth does not; one answer may take at most an eighth, 1,400. */
  ck_assert_int_eq(api_cache_new(11200, &c), 0);
  put(c, "/big", 1, 0, big, -E2BIG);
  char key[16];
  for (int i = 0; i < 8; i++) {
    snprintf(key, sizeof key, "/k%d", i);
    put(c, key, 1, 0, body, 0);
  }
  ApiCacheStats st;
  api_cache_stats(c, &st);
  ck_assert_uint_eq(st.entries, 8);
  ck_assert_uint_eq(st.evictions, 0);
  ck_assert_uint_le(st.bytes, st.budget);
  assert_got(c, "/k0", 1, 1, body); /* k0 is now the most recent; k1 the least */
  put(c, "/k8", 1, 0, body, 0);
  api_cache_stats(c, &st);
  ck_assert_uint_eq(st.evictions, 1);
  ck_assert_uint_eq(st.entries, 8);
  ck_assert_uint_le(st.bytes, st.budget);
  assert_got(c, "/k1", 1, 1, NULL);
  assert_got(c, "/k0", 1, 1, body);
  assert_got(c, "/k2", 1, 1, body);
  assert_got(c, "/k8", 1, 1, body);
  /* Replacing an answer does not count it twice. */
  put(c, "/k8", 1, 0, body, 0);
  api_cache_stats(c, &st);
  ck_assert_uint_eq(st.entries, 8);
  api_cache_free(&c);
}
END_TEST

/* ---- through the router, with the database ----------------------------------------- */

static DbCatalog *catalog;
static ApiCache *cache;
static ApiContext plain; /* the same server without the cache: what a fresh read says */
static int statements;    /* run on the connection since the last reset */

static int count_statement(unsigned type, void *user, void *p, void *x)
{
  (void)type;
  (void)user;
  (void)p;
  (void)x;
  statements++;
  return 0;
}

static void cache_setup(void)
{
  setup();
  plain = ctx;
  ck_assert_int_eq(db_catalog_new(db, &catalog), 0);
  ck_assert_int_eq(api_cache_new(8 << 20, &cache), 0);
  ctx.cache = cache;
  ctx.catalog = catalog;
  sqlite3_trace_v2(db->conn, SQLITE_TRACE_STMT, count_statement, NULL);
}

static void cache_teardown(void)
{
  sqlite3_trace_v2(db->conn, 0, NULL, NULL);
  api_cache_free(&cache);
  db_catalog_free(&catalog);
  teardown();
}

static guint64 hits(void)
{
  ApiCacheStats st;
  api_cache_stats(cache, &st);
  return st.hits;
}

/* A guest's GET through CTX_: the body (caller frees), its ETag in *ETAG when not NULL. */
static char *guest(ApiContext *c, const char *path, const char *query, char **etag)
{
  ApiContext saved = ctx;
  ctx = *c;
  ApiReq r = { .method = "GET", .path = path, .query = query };
  int status = api_send(&r);
  ctx = saved;
  ck_assert_msg(status == 200, "GET %s?%s: %d %s", path, query ? query : "", status, r.out);
  if (etag)
    *etag = g_strdup(g_hash_table_lookup(r.headers, "etag:"));
  char *out = g_steal_pointer(&r.out);
  api_req_clear(&r);
  return out;
}

static char *ready(const char *title, const char *visibility)
{
  char *id = NULL;
  ck_assert_int_eq(db_video_create_upload(db, title, "讲师", "teacher", NULL, &id), 0);
  ck_assert_int_eq(db_video_set_state(db, id, NULL, "ready", "test", NULL), 0);
  ck_assert_int_eq(db_video_set_text(db, id, VIDEO_VISIBILITY, visibility), 0);
  return id;
}

START_TEST(a_guest_read_is_served_from_memory)
{
  char *a = ready("焊接的学问", "published");
  char *e1 = NULL, *e2 = NULL;
  char *first = guest(&ctx, "/api/v1/videos", "q=焊接", &e1);
  statements = 0;
  guint64 h = hits();
  char *second = guest(&ctx, "/api/v1/videos", "q=焊接", &e2);
  ck_assert_uint_eq(hits(), h + 1);
  ck_assert_str_eq(first, second);
  ck_assert_str_eq(e1, e2);
  /* Only the check for other connections' commits reads the database on a hit. */
  ck_assert_int_le(statements, 1);

  /* Conditions apply to kept answers too. */
  ApiReq r = { .method = "GET", .path = "/api/v1/videos", .query = "q=焊接", .if_none_match = e1 };
  ck_assert_int_eq(api_send(&r), 304);
  ck_assert_str_eq(r.out, "");
  ck_assert_str_eq(g_hash_table_lookup(r.headers, "cache-control:"), "public, max-age=10");
  api_req_clear(&r);

  /* A member's read is never kept nor served from the guests' copy. */
  h = hits();
  ApiReq m = { .method = "GET", .path = "/api/v1/videos", .query = "q=焊接", .auth = viewer_auth };
  ck_assert_int_eq(api_send(&m), 200);
  ck_assert_str_eq(g_hash_table_lookup(m.headers, "cache-control:"), "private, no-cache");
  api_req_clear(&m);
  ApiReq me = { .method = "GET", .path = "/api/v1/me", .auth = viewer_auth };
  ck_assert_int_eq(api_send(&me), 200);
  ck_assert_int_eq(api_send(&me), 200);
  api_req_clear(&me);
  ck_assert_uint_eq(hits(), h);
  /* Nor a read with a session cookie (the editor console's: its lists hold drafts). */
  g_autofree char *body = g_strdup_printf("{\"token\":\"%s\"}", editor_auth + 7);
  ApiReq in = { .method = "POST", .path = "/api/v1/session", .body = body };
  ck_assert_int_eq(api_send(&in), 201);
  const char *set = g_hash_table_lookup(in.headers, "set-cookie:");
  ck_assert_ptr_nonnull(set);
  g_autofree char *cookie = g_strndup(set, strcspn(set, ";"));
  api_req_clear(&in);
  ApiReq ed = { .method = "GET", .path = "/api/v1/videos", .query = "q=焊接", .cookie = cookie };
  ck_assert_int_eq(api_send(&ed), 200);
  ck_assert_str_eq(g_hash_table_lookup(ed.headers, "cache-control:"), "private, no-cache");
  api_req_clear(&ed);
  ck_assert_uint_eq(hits(), h);
  ApiCacheStats st;
  api_cache_stats(cache, &st);
  ck_assert_uint_eq(st.stores, 1);

  /* Errors are not kept. */
  char *out = NULL;
  ck_assert_int_eq(call("GET", "/api/v1/videos/nope", NULL, NULL, NULL), 404);
  ck_assert_int_eq(call("GET", "/api/v1/videos/nope", NULL, NULL, &out), 404);
  assert_error_shape(out, "not_found");
  g_free(out);
  api_cache_stats(cache, &st);
  ck_assert_uint_eq(st.stores, 1);
  g_free(first);
  g_free(second);
  g_free(e1);
  g_free(e2);
  g_free(a);
}
END_TEST

/* The public reads the edits below are checked against. */
enum { R_LIST, R_SEARCH_A, R_SEARCH_B, R_VIDEO_A, R_VIDEO_B, R_COLUMNS, R_COLUMN, R_CATEGORIES,
       R_UPCOMING, R_NOW, R_COUNT };
static const char *const read_names[R_COUNT] = {
  "list", "search A", "search B", "video A", "video B", "columns", "column", "categories",
  "upcoming", "now",
};
static char *va, *vb, *vd, *vl, *vp;

static void read_all(char *bodies[R_COUNT], bool via_cache)
{
  ApiContext *c = via_cache ? &ctx : &plain;
  g_autofree char *pa = g_strdup_printf("/api/v1/videos/%s", va);
  g_autofree char *pb = g_strdup_printf("/api/v1/videos/%s", vb);
  const char *paths[R_COUNT][2] = {
    { "/api/v1/videos", NULL }, { "/api/v1/videos", "q=焊接" }, { "/api/v1/videos", "q=lesson" },
    { pa, NULL }, { pb, NULL }, { "/api/v1/columns", NULL }, { "/api/v1/columns/craft", NULL },
    { "/api/v1/categories", NULL }, { "/api/v1/lives/upcoming", NULL }, { "/api/v1/lives/now", NULL },
  };
  for (int i = 0; i < R_COUNT; i++)
    bodies[i] = guest(c, paths[i][0], paths[i][1], NULL);
}

static void free_all(char *bodies[R_COUNT])
{
  for (int i = 0; i < R_COUNT; i++)
    g_clear_pointer(&bodies[i], g_free);
}

/* Reads everything through the cache twice (so the second comes from memory), runs EDIT,
 * then checks that exactly the reads in CHANGED (a bit per R_*) say something new and
 * that every kept answer is what a fresh read says. */
static void check_edit(const char *what, void (*edit)(void), unsigned changed, bool writes_catalog)
{
  char *before[R_COUNT], *after[R_COUNT], *fresh[R_COUNT];
  read_all(before, true);
  free_all(before);
  guint64 h = hits();
  read_all(before, true);
  ck_assert_msg(hits() == h + R_COUNT, "%s: the reads before were not all kept", what);
  /* updated_at is in whole seconds: edit in a new one, so every touched row shows it. */
  gint64 t = util_now();
  while (util_now() == t)
    g_usleep(20000);
  edit();
  h = hits();
  read_all(after, true);
  /* A write elsewhere keeps every answer; a catalog write drops them all. */
  ck_assert_msg(hits() == h + (writes_catalog ? 0 : R_COUNT), "%s: %" G_GUINT64_FORMAT " answers from memory", what,
                hits() - h);
  read_all(fresh, false);
  for (int i = 0; i < R_COUNT; i++) {
    ck_assert_msg(!strcmp(after[i], fresh[i]), "%s: %s is stale:\n%s\nfresh:\n%s", what, read_names[i],
                  after[i], fresh[i]);
    bool moved = strcmp(before[i], after[i]) != 0;
    bool want = (changed >> i) & 1;
    ck_assert_msg(moved == want, "%s: %s %s", what, read_names[i],
                  want ? "did not change" : "changed");
  }
  free_all(before);
  free_all(after);
  free_all(fresh);
}

static void edit_title_a(void)
{
  g_autofree char *p = g_strdup_printf("/api/v1/videos/%s", va);
  ck_assert_int_eq(call("PATCH", p, editor_auth, "{\"title\":\"焊接的学问（修订）\"}", NULL), 200);
}

static void edit_draft(void)
{
  g_autofree char *p = g_strdup_printf("/api/v1/videos/%s", vd);
  ck_assert_int_eq(call("PATCH", p, editor_auth, "{\"description\":\"not yet\"}", NULL), 200);
}

static void publish_draft(void)
{
  g_autofree char *p = g_strdup_printf("/api/v1/videos/%s", vd);
  ck_assert_int_eq(call("PATCH", p, editor_auth, "{\"visibility\":\"published\"}", NULL), 200);
}

static void retitle_column(void)
{
  ck_assert_int_eq(call("PATCH", "/api/v1/columns/craft", editor_auth, "{\"title\":\"工匠\"}", NULL), 200);
}

static void add_b_to_column(void)
{
  g_autofree char *body = g_strdup_printf("{\"video_id\":\"%s\"}", vb);
  ck_assert_int_eq(call("POST", "/api/v1/columns/craft/items", editor_auth, body, NULL), 200);
}

static void add_category(void)
{
  ck_assert_int_eq(call("POST", "/api/v1/categories", editor_auth, "{\"name\":\"工会知识\"}", NULL), 201);
}

static void file_a_in_category(void)
{
  g_autofree char *p = g_strdup_printf("/api/v1/videos/%s", va);
  ck_assert_int_eq(call("PATCH", p, editor_auth, "{\"category\":\"科学普及\"}", NULL), 200);
}

static void go_live(void)
{
  ck_assert_int_eq(db_video_set_state(db, vl, "scheduled", "live", "127.0.0.1", NULL), 0);
}

static void finish_import(void)
{
  /* What the job runner does when a transcode ends: renditions, media, then ready. */
  RenditionRow r = { .name = "360p", .width = 640, .height = 360, .bandwidth = 800000,
                     .average_bandwidth = 700000, .codecs = "avc1.64001e,mp4a.40.2", .frame_rate = 25,
                     .playlist = "360p/index.m3u8" };
  ck_assert_int_eq(db_rendition_put(db, vp, &r), 0);
  ck_assert_int_eq(db_video_set_media(db, vp, 90000, NULL), 0);
  ck_assert_int_eq(db_video_set_state(db, vp, "processing", "ready", "import transcoded", NULL), 0);
}

static void delete_draft(void)
{
  g_autofree char *p = g_strdup_printf("/api/v1/videos/%s", vd);
  ck_assert_int_eq(call("DELETE", p, editor_auth, NULL, NULL), 200);
}

/* Writes that are not the catalog's: a member, a job and its progress. */
static void not_catalog(void)
{
  g_free(make_member(ROLE_VIEWER));
  char *job = NULL;
  JobRow row = { 0 };
  ck_assert_int_eq(db_job_create(db, vp, "upload", &job), 0);
  ck_assert_int_eq(db_job_claim(db, job, 1, &row), 0);
  ck_assert_int_eq(db_job_progress(db, job, 0.5, 10), 0);
  db_job_row_clear(&row);
  g_free(job);
}

START_TEST(each_edit_changes_exactly_the_answers_it_affects)
{
  va = ready("焊接的学问", "published");
  vb = ready("English lesson", "published");
  vd = ready("Draft lesson", "draft");
  ck_assert_int_eq(db_video_create_live(db, "直播：安全生产", NULL, NULL, util_now() + 3600, "h", NULL, &vl), 0);
  ck_assert_int_eq(db_video_set_text(db, vl, VIDEO_VISIBILITY, "published"), 0);
  ck_assert_int_eq(db_video_create_upload(db, "Import lesson", NULL, NULL, NULL, &vp), 0);
  ck_assert_int_eq(db_video_set_text(db, vp, VIDEO_VISIBILITY, "published"), 0);
  ck_assert_int_eq(call("POST", "/api/v1/columns", editor_auth, "{\"slug\":\"craft\",\"title\":\"工匠课堂\"}", NULL), 201);
  g_autofree char *item = g_strdup_printf("{\"video_id\":\"%s\"}", va);
  ck_assert_int_eq(call("POST", "/api/v1/columns/craft/items", editor_auth, item, NULL), 200);

  const unsigned LIST = 1u << R_LIST, SA = 1u << R_SEARCH_A, SB = 1u << R_SEARCH_B, A = 1u << R_VIDEO_A,
                 B = 1u << R_VIDEO_B, COLS = 1u << R_COLUMNS, COL = 1u << R_COLUMN, CATS = 1u << R_CATEGORIES,
                 UP = 1u << R_UPCOMING, NOW = 1u << R_NOW;
  check_edit("nothing of the catalog", not_catalog, 0, false);
  check_edit("a draft's description", edit_draft, 0, true);
  check_edit("A's title", edit_title_a, LIST | SA | A | COLS | COL, true);
  check_edit("the column's title", retitle_column, A | COLS | COL, true);
  /* Every video of a column is touched when its list changes (A too). */
  check_edit("B into the column", add_b_to_column, LIST | SA | SB | A | B | COLS | COL, true);
  check_edit("a new category", add_category, CATS, true);
  check_edit("A filed in a category", file_a_in_category, LIST | SA | A | COLS | COL | CATS, true);
  check_edit("the draft published", publish_draft, LIST | SB, true);
  check_edit("the live on air", go_live, LIST | UP | NOW, true);
  check_edit("an import finished", finish_import, LIST | SB, true);
  check_edit("the once-draft deleted", delete_draft, LIST | SB, true);
  g_clear_pointer(&va, g_free);
  g_clear_pointer(&vb, g_free);
  g_clear_pointer(&vd, g_free);
  g_clear_pointer(&vl, g_free);
  g_clear_pointer(&vp, g_free);
}
END_TEST

START_TEST(another_connections_commit_is_seen)
{
  char *a = ready("焊接的学问", "published");
  char *before = guest(&ctx, "/api/v1/videos", NULL, NULL);
  g_free(guest(&ctx, "/api/v1/videos", NULL, NULL));
  /* A CLI command in another process writes through its own connection. */
  Db *other = NULL;
  char *err = NULL;
  ck_assert_int_eq(db_open(db->path, 0, &other, &err), 0);
  ck_assert_int_eq(db_video_set_text(other, a, VIDEO_TITLE, "改过的标题"), 0);
  db_close(&other);
  char *after = guest(&ctx, "/api/v1/videos", NULL, NULL);
  char *fresh = guest(&plain, "/api/v1/videos", NULL, NULL);
  ck_assert_str_ne(before, after);
  ck_assert_str_eq(after, fresh);
  g_free(before);
  g_free(after);
  g_free(fresh);
  g_free(a);
}
END_TEST

START_TEST(a_publish_time_reached_ends_the_kept_answer)
{
  char *a = ready("Scheduled lesson", "published");
  /* Whole seconds: publish two seconds from now. */
  gint64 at = util_now() + 2;
  ck_assert_int_eq(db_video_set_time(db, a, VIDEO_PUBLISH_AT, at), 0);
  char *before = guest(&ctx, "/api/v1/videos", NULL, NULL);
  ck_assert_ptr_null(strstr(before, "Scheduled lesson"));
  guint64 h = hits();
  g_free(guest(&ctx, "/api/v1/videos", NULL, NULL));
  ck_assert_uint_eq(hits(), h + 1);
  while (util_now() < at)
    g_usleep(50000);
  char *after = guest(&ctx, "/api/v1/videos", NULL, NULL);
  ck_assert_ptr_nonnull(strstr(after, "Scheduled lesson"));
  char *fresh = guest(&plain, "/api/v1/videos", NULL, NULL);
  ck_assert_str_eq(after, fresh);
  g_free(before);
  g_free(after);
  g_free(fresh);
  g_free(a);
}
END_TEST

START_TEST(viewer_counts_are_kept_briefly)
{
  char *l = NULL;
  ck_assert_int_eq(db_video_create_live(db, "直播", NULL, NULL, util_now(), "h", NULL, &l), 0);
  ck_assert_int_eq(db_video_set_text(db, l, VIDEO_VISIBILITY, "published"), 0);
  ck_assert_int_eq(db_video_set_state(db, l, NULL, "live", "test", NULL), 0);
  g_free(guest(&ctx, "/api/v1/lives/now", NULL, NULL));
  guint64 h = hits();
  g_free(guest(&ctx, "/api/v1/lives/now", NULL, NULL));
  ck_assert_uint_eq(hits(), h + 1);
  gint64 until = util_now() + API_VIEWERS_FRESH_SECONDS + 1;
  while (util_now() < until)
    g_usleep(100000);
  h = hits();
  g_free(guest(&ctx, "/api/v1/lives/now", NULL, NULL));
  ck_assert_uint_eq(hits(), h);
  g_free(l);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("api_cache");
  TCase *core = tcase_create("core");
  tcase_add_test(core, keys_name_the_same_read_the_same_way);
  tcase_add_test(core, a_new_generation_drops_every_answer);
  tcase_add_test(core, an_answer_expires_at_its_instant);
  tcase_add_test(core, the_budget_drops_the_least_recently_used);
  suite_add_tcase(s, core);
  TCase *api = tcase_create("api");
  tcase_add_checked_fixture(api, cache_setup, cache_teardown);
  tcase_set_timeout(api, 60);
  tcase_add_test(api, a_guest_read_is_served_from_memory);
  tcase_add_test(api, each_edit_changes_exactly_the_answers_it_affects);
  tcase_add_test(api, another_connections_commit_is_seen);
  tcase_add_test(api, a_publish_time_reached_ends_the_kept_answer);
  tcase_add_test(api, viewer_counts_are_kept_briefly);
  suite_add_tcase(s, api);
  return s;
}

TU_MAIN(suite)
