/* Tests for src/db/db_video.c: soft delete (out of every lookup, list, column and the search
 * index; the key dropped, the transcode cancelled; ledger and progress kept), the purge
 * bookkeeping, and replacing a live's stream key; lists: keyset pages with no duplicate or gap
 * while videos are added, capped totals, and the query plan of every list shape (no scan of
 * the video table, no sort of more than a bounded set). */
#include "db/db_column.h"
#include "db/db_job.h"
#include "db/db_points.h"
#include "db/db_search.h"
#include "db/db_video.h"
#include "db/db_watch.h"
#include "core/util.h"
#include "db_fixture.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;

static void setup(void)
{
  db = tu_db_open(&dir);
}

static void teardown(void)
{
  tu_db_close(&db, &dir);
}

static char *published(const char *title)
{
  char *id = NULL;
  ck_assert_int_eq(db_video_create_upload(db, title, "讲者", "teacher", NULL, &id), 0);
  ck_assert_int_eq(db_video_set_state(db, id, NULL, "ready", NULL, NULL), 0);
  ck_assert_int_eq(db_video_set_text(db, id, VIDEO_VISIBILITY, "published"), 0);
  return id;
}

static void exec(Db *d, const char *sql)
{
  char *msg = NULL;
  ck_assert_msg(sqlite3_exec(d->conn, sql, NULL, NULL, &msg) == SQLITE_OK, "%s", msg ? msg : "");
}

/* How many rows SQL (one ?1 text parameter) counts. */
static gint64 count(const char *sql, const char *arg)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  ck_assert_ptr_nonnull(st);
  if (arg)
    sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  gint64 n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

static gint64 list_total(const char *visibility, const char *match)
{
  VideoFilter f = { .visibility = visibility, .match = match, .limit = 50,
                    .sort = match ? VIDEO_SORT_RELEVANCE : VIDEO_SORT_NEWEST };
  VideoListInfo info = { 0 };
  int rc = 0;
  JsonNode *n = db_video_list_json(db, &f, &info, &rc);
  ck_assert_ptr_nonnull(n);
  json_node_unref(n);
  g_free(info.next);
  return info.total;
}

START_TEST(a_deleted_video_is_gone_from_every_lookup)
{
  char *a = published("焊接课"), *b = published("护眼课");
  gint64 col = 0;
  ck_assert_int_eq(db_column_insert(db, "craft", "工匠", "", &col), 0);
  ColumnItem items[] = { { a, true, 0 }, { b, false, 0 } };
  ck_assert_int_eq(db_column_set_items(db, col, items, 2), 0);
  /* Points earned on it and the viewer's progress. */
  LedgerEntry e = { .member_id = "m1", .amount = 3, .reason = "watch", .video_id = a,
                    .key = "watch:m1:a:1", .note = "", .at = util_now() };
  ck_assert_int_eq(db_ledger_add(db, &e), 0);
  WatchProgress p = { 0 };
  p.position = 12;
  ck_assert_int_eq(db_watch_progress_put(db, "m1", a, &p, util_now()), 0);
  int rc = 0;
  JsonNode *h = db_watch_history_json(db, "m1", 10, &rc);
  ck_assert_int_eq(json_array_get_length(json_node_get_array(h)), 1);
  json_node_unref(h);
  g_autofree char *q = db_search_query("焊接");
  ck_assert_int_eq(list_total(NULL, q), 1);

  GPtrArray *left = NULL;
  ck_assert_int_eq(db_video_delete(db, a, "editor-1", &left), 0);
  ck_assert_uint_eq(left->len, 1);
  ck_assert_str_eq(left->pdata[0], "craft");
  g_ptr_array_unref(left);

  ck_assert_ptr_null(db_video_json(db, a, &rc));
  ck_assert_int_eq(rc, -ENOENT);
  ck_assert(!db_video_is_viewable(db, a));
  ck_assert_int_eq(db_video_updated_at(db, a), 0);
  ck_assert_int_eq(list_total(NULL, NULL), 1);
  ck_assert_int_eq(list_total("any", NULL), 1);
  ck_assert_int_eq(list_total("any", q), 0);
  ck_assert_int_eq(count("SELECT count(*) FROM video_search WHERE video_id = ?1", a), 0);
  /* A restart's index check does not bring it back. */
  ck_assert_int_eq(db_search_sync(db), 0);
  ck_assert_int_eq(count("SELECT count(*) FROM video_search WHERE video_id = ?1", a), 0);
  ck_assert_int_eq(count("SELECT count(*) FROM video_search", NULL), 1);
  /* Out of the column, the rest renumbered from 0. */
  GArray *now = NULL;
  ck_assert_int_eq(db_column_items(db, col, &now), 0);
  ck_assert_uint_eq(now->len, 1);
  ck_assert_str_eq(g_array_index(now, ColumnItem, 0).video_id, b);
  g_array_unref(now);
  ck_assert_int_eq(count("SELECT position FROM topic_column_item WHERE video_id = ?1", b), 0);
  /* No watch session can start on it; history leaves it out; points stay. */
  WatchVideo wv;
  ck_assert_int_eq(db_watch_video(db, a, util_now(), &wv), -ENOENT);
  h = db_watch_history_json(db, "m1", 10, &rc);
  ck_assert_int_eq(json_array_get_length(json_node_get_array(h)), 0);
  json_node_unref(h);
  gint64 sum = 0;
  ck_assert_int_eq(db_ledger_sum(db, "m1", NULL, 0, NULL, NULL, &sum), 0);
  ck_assert_int_eq(sum, 3);
  ck_assert_int_eq(count("SELECT count(*) FROM watch_progress WHERE video_id = ?1", a), 1);
  /* The row stays, marked, with who did it. */
  ck_assert_int_eq(count("SELECT count(*) FROM video WHERE id = ?1 AND deleted_at > 0 AND deleted_by = 'editor-1'", a), 1);
  /* Twice is not found; editing it is not found. */
  ck_assert_int_eq(db_video_delete(db, a, NULL, NULL), -ENOENT);
  ck_assert_int_eq(db_video_set_key(db, a, "h"), -ENOENT);
  g_free(a);
  g_free(b);
}
END_TEST

START_TEST(deleting_drops_the_key_and_cancels_the_transcode)
{
  char *live = NULL, *upload = NULL, *job = NULL;
  ck_assert_int_eq(db_video_create_live(db, "直播", NULL, NULL, 0, "hash-1", NULL, &live), 0);
  VideoKeyMatch m;
  ck_assert_int_eq(db_video_find_by_key(db, "hash-1", &m), 0);
  db_video_key_match_clear(&m);
  ck_assert_int_eq(db_video_delete(db, live, NULL, NULL), 0);
  ck_assert_int_eq(db_video_find_by_key(db, "hash-1", &m), -ENOENT);
  ck_assert_int_eq(count("SELECT count(*) FROM video WHERE stream_key_hash IS NOT NULL", NULL), 0);

  ck_assert_int_eq(db_video_create_upload(db, "上传失败", NULL, NULL, NULL, &upload), 0);
  ck_assert_int_eq(db_job_create(db, upload, "uploads/x/source.mp4", &job), 0);
  ck_assert_int_eq(db_video_delete(db, upload, NULL, NULL), 0);
  JobRow row;
  ck_assert_int_eq(db_job_get(db, job, &row), 0);
  ck_assert_str_eq(row.state, "cancelled");
  db_job_row_clear(&row);
  JobRow claimed;
  ck_assert_int_eq(db_job_claim(db, NULL, 1, &claimed), -ENOENT);
  g_free(live);
  g_free(upload);
  g_free(job);
}
END_TEST

START_TEST(a_live_on_air_is_not_deleted)
{
  char *live = NULL;
  ck_assert_int_eq(db_video_create_live(db, "在播", NULL, NULL, 0, "hash-2", NULL, &live), 0);
  ck_assert_int_eq(db_video_set_state(db, live, "scheduled", "live", NULL, NULL), 0);
  ck_assert_int_eq(db_video_delete(db, live, NULL, NULL), -EBUSY);
  int rc = 0;
  JsonNode *n = db_video_json(db, live, &rc);
  ck_assert_ptr_nonnull(n);
  json_node_unref(n);
  ck_assert_int_eq(db_video_set_state(db, live, "live", "ready", NULL, NULL), 0);
  ck_assert_int_eq(db_video_delete(db, live, NULL, NULL), 0);
  g_free(live);
}
END_TEST

START_TEST(purge_bookkeeping)
{
  char *a = published("一"), *b = published("二");
  GArray *due = NULL;
  ck_assert_int_eq(db_video_deleted_unpurged(db, &due), 0);
  ck_assert_uint_eq(due->len, 0);
  g_array_unref(due);
  ck_assert_int_eq(db_video_delete(db, a, NULL, NULL), 0);
  ck_assert_int_eq(db_video_mark_purged(db, b, util_now()), -ENOENT); /* not deleted */
  ck_assert_int_eq(db_video_deleted_unpurged(db, &due), 0);
  ck_assert_uint_eq(due->len, 1);
  ck_assert_str_eq(g_array_index(due, VideoDeleted, 0).id, a);
  ck_assert_int_ge(g_array_index(due, VideoDeleted, 0).deleted_at, util_now() - 5);
  g_array_unref(due);
  ck_assert_int_eq(db_video_mark_purged(db, a, util_now()), 0);
  ck_assert_int_eq(db_video_deleted_unpurged(db, &due), 0);
  ck_assert_uint_eq(due->len, 0);
  g_array_unref(due);
  g_free(a);
  g_free(b);
}
END_TEST

START_TEST(a_new_key_only_for_a_live_not_on_air)
{
  char *live = NULL, *upload = NULL;
  ck_assert_int_eq(db_video_create_live(db, "预约", NULL, NULL, 0, "old", NULL, &live), 0);
  ck_assert_int_eq(db_video_create_live(db, "另一个", NULL, NULL, 0, "other", NULL, &upload), 0);
  ck_assert_int_eq(db_video_set_key(db, live, "other"), -EEXIST);
  ck_assert_int_eq(db_video_set_key(db, live, "new"), 0);
  VideoKeyMatch m;
  ck_assert_int_eq(db_video_find_by_key(db, "old", &m), -ENOENT);
  ck_assert_int_eq(db_video_find_by_key(db, "new", &m), 0);
  ck_assert_str_eq(m.id, live);
  db_video_key_match_clear(&m);
  ck_assert_int_eq(db_video_set_state(db, live, "scheduled", "live", NULL, NULL), 0);
  ck_assert_int_eq(db_video_set_key(db, live, "newer"), -EBUSY);
  ck_assert_int_eq(db_video_set_state(db, live, "live", "processing", NULL, NULL), 0);
  ck_assert_int_eq(db_video_set_key(db, live, "newer"), -EINVAL);
  ck_assert_int_eq(db_video_find_by_key(db, "new", &m), 0); /* unchanged by the refusals */
  db_video_key_match_clear(&m);
  g_free(upload);
  ck_assert_int_eq(db_video_create_upload(db, "录播", NULL, NULL, NULL, &upload), 0);
  ck_assert_int_eq(db_video_set_key(db, upload, "k"), -EINVAL);
  ck_assert_int_eq(db_video_set_key(db, "nope", "k"), -ENOENT);
  g_free(live);
  g_free(upload);
}
END_TEST


/* ---- lists -------------------------------------------------------------------------- */

/* One page of F: the ids appended to IDS; returns the next cursor (caller frees) or NULL. */
static char *page_ids(VideoFilter *f, GPtrArray *ids, VideoListInfo *info)
{
  int rc = 0;
  JsonNode *n = db_video_list_json(db, f, info, &rc);
  ck_assert_msg(n != NULL, "list failed: %d", rc);
  JsonArray *a = json_node_get_array(n);
  for (guint i = 0; i < json_array_get_length(a); i++)
    g_ptr_array_add(ids, g_strdup(json_object_get_string_member(json_array_get_object_element(a, i), "id")));
  json_node_unref(n);
  return info->next;
}

/* Pages through F by cursor, publishing NEW_PER_PAGE videos between pages; returns the ids
 * seen (in order) and the videos added in *ADDED. */
static GPtrArray *walk(VideoFilter *f, int new_per_page, GPtrArray *added)
{
  GPtrArray *seen = g_ptr_array_new_with_free_func(g_free);
  char *next = NULL;
  int pages = 0;
  do {
    VideoListInfo info = { 0 };
    f->after = (VideoCursor){ 0 };
    if (next)
      ck_assert_int_eq(db_video_cursor_parse(next, f->sort, f->match != NULL, &f->after), 0);
    g_free(next);
    next = page_ids(f, seen, &info);
    for (int i = 0; i < new_per_page; i++)
      g_ptr_array_add(added, published("插入的课"));
    ck_assert_int_lt(++pages, 100);
  } while (next);
  return seen;
}

static bool has_id(GPtrArray *a, const char *id)
{
  for (guint i = 0; i < a->len; i++)
    if (!strcmp(a->pdata[i], id))
      return true;
  return false;
}

/* Every video there was at the start is seen exactly once, whatever is published between
 * the pages (videos made in the same second tie on the sort key: the rowid breaks it). */
START_TEST(keyset_pages_have_no_duplicates_or_gaps)
{
  GPtrArray *before = g_ptr_array_new_with_free_func(g_free);
  for (int i = 0; i < 23; i++)
    g_ptr_array_add(before, published(i % 2 ? "焊接 lesson" : "护眼 lesson"));
  static const VideoSort sorts[] = { VIDEO_SORT_NEWEST, VIDEO_SORT_OLDEST, VIDEO_SORT_UPCOMING };
  for (guint s = 0; s < G_N_ELEMENTS(sorts); s++) {
    GPtrArray *added = g_ptr_array_new_with_free_func(g_free);
    VideoFilter f = { .sort = sorts[s], .limit = 5 };
    GPtrArray *seen = walk(&f, 2, added);
    GHashTable *distinct = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < seen->len; i++)
      ck_assert_msg(g_hash_table_add(distinct, seen->pdata[i]), "sort %d: %s twice", sorts[s],
                    (char *)seen->pdata[i]);
    for (guint i = 0; i < before->len; i++)
      ck_assert_msg(has_id(seen, before->pdata[i]), "sort %d: %s missed", sorts[s], (char *)before->pdata[i]);
    /* Newest first: what was added after the first page is before the cursor, never in it. */
    if (sorts[s] == VIDEO_SORT_NEWEST)
      ck_assert_int_eq(seen->len, before->len);
    g_hash_table_unref(distinct);
    g_ptr_array_unref(seen);
    for (guint i = 0; i < added->len; i++)
      g_ptr_array_add(before, g_strdup(added->pdata[i]));
    g_ptr_array_unref(added);
  }
  /* Offsets, by contrast, repeat a video once one is added in front: the reason for keys. */
  VideoFilter f = { .sort = VIDEO_SORT_NEWEST, .limit = 5 };
  VideoListInfo info = { 0 };
  GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
  g_free(page_ids(&f, ids, &info));
  char *fresh = published("新课");
  f.offset = 5;
  g_free(page_ids(&f, ids, &info));
  ck_assert_str_eq(ids->pdata[4], ids->pdata[5]);
  g_free(fresh);
  g_ptr_array_unref(ids);
  g_ptr_array_unref(before);
}
END_TEST

/* Search pages (relevance) by a place in the ranked list; totals are capped. */
START_TEST(search_pages_and_totals)
{
  for (int i = 0; i < 12; i++)
    g_free(published(i < 4 ? "劳模精神 lesson" : "lesson"));
  VideoFilter f = { .match = "lesson*", .sort = VIDEO_SORT_RELEVANCE, .limit = 5 };
  GPtrArray *added = g_ptr_array_new_with_free_func(g_free);
  GPtrArray *seen = walk(&f, 0, added);
  ck_assert_int_eq(seen->len, 12);
  GHashTable *distinct = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < seen->len; i++)
    ck_assert(g_hash_table_add(distinct, seen->pdata[i]));
  g_hash_table_unref(distinct);
  g_ptr_array_unref(seen);
  VideoCursor c = { 0 };
  ck_assert_int_eq(db_video_cursor_parse("n12.3", VIDEO_SORT_RELEVANCE, true, &c), -EINVAL);
  ck_assert_int_eq(db_video_cursor_parse("r5.0", VIDEO_SORT_RELEVANCE, true, &c), 0);
  ck_assert_int_eq(c.key, 5);
  ck_assert_int_eq(db_video_cursor_parse("r1001.0", VIDEO_SORT_RELEVANCE, true, &c), -EINVAL);
  ck_assert_int_eq(db_video_cursor_parse("n12", VIDEO_SORT_NEWEST, false, &c), -EINVAL);
  ck_assert_int_eq(db_video_cursor_parse("n12.x", VIDEO_SORT_NEWEST, false, &c), -EINVAL);
  ck_assert_int_eq(db_video_cursor_parse("n12.3", VIDEO_SORT_NEWEST, false, &c), 0);
  ck_assert_int_eq(db_video_cursor_parse("n12.3", VIDEO_SORT_NEWEST, true, &c), -EINVAL);
  /* A search in another order pages by place too. */
  f = (VideoFilter){ .match = "lesson*", .sort = VIDEO_SORT_OLDEST, .limit = 5 };
  seen = walk(&f, 0, added);
  ck_assert_int_eq(seen->len, 12);
  g_ptr_array_unref(seen);
  g_ptr_array_unref(added);
  ck_assert_int_eq(list_total(NULL, "劳模*"), 4);
}
END_TEST

/* Totals stop counting at 1000 and say so. */
START_TEST(totals_are_capped)
{
  char *one = published("one");
  exec(db, "INSERT INTO video (id, title, source, state, visibility, created_at, updated_at) "
           "WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 1005) "
           "SELECT 'bulk' || value, 'bulk', 'upload', 'ready', 'published', 1, 1 FROM n");
  VideoFilter f = { .sort = VIDEO_SORT_NEWEST, .limit = 3 };
  VideoListInfo info = { 0 };
  int rc = 0;
  JsonNode *n = db_video_list_json(db, &f, &info, &rc);
  ck_assert_int_eq(info.total, 1000);
  ck_assert(info.total_is_estimate);
  ck_assert_ptr_nonnull(info.next);
  g_free(info.next);
  json_node_unref(n);
  f.category = "思想引领";
  n = db_video_list_json(db, &f, &info, &rc);
  ck_assert_int_eq(info.total, 0);
  ck_assert(!info.total_is_estimate);
  ck_assert_ptr_null(info.next);
  json_node_unref(n);
  g_free(one);
}
END_TEST

/* The plan of SQL: its lines joined by "; ". */
static char *plan(const char *sql)
{
  g_autofree char *explain = g_strconcat("EXPLAIN QUERY PLAN ", sql, NULL);
  sqlite3_stmt *st = db_prepare(db, explain);
  ck_assert_msg(st != NULL, "cannot prepare %s", sql);
  GString *s = g_string_new(NULL);
  while (sqlite3_step(st) == SQLITE_ROW)
    g_string_append_printf(s, "%s; ", (const char *)sqlite3_column_text(st, 3));
  sqlite3_finalize(st);
  return g_string_free(s, FALSE);
}

/* Fails when PLAN reads the video table (or a column's items) whole, or sorts a set that
 * is not bounded (BOUNDED: a search's 1000 ranked hits, a column's 1000 items). */
static void assert_plan(const char *what, const char *p, bool bounded)
{
  g_auto(GStrv) lines = g_strsplit(p, "; ", -1);
  for (char **l = lines; *l && **l; l++) {
    bool scan_v = g_str_has_prefix(*l, "SCAN v") && !g_str_has_prefix(*l, "SCAN video_search");
    ck_assert_msg(!scan_v || g_str_has_prefix(*l, "SCAN v USING INDEX video_list_") ||
                  g_str_has_prefix(*l, "SCAN v USING COVERING INDEX video_list_"),
                  "%s: scans the videos: %s", what, p);
    ck_assert_msg(!scan_v || !strstr(p, "TEMP B-TREE"), "%s: walks an index and sorts: %s", what, p);
    ck_assert_msg(!g_str_has_prefix(*l, "SCAN i") && !g_str_has_prefix(*l, "SCAN c") &&
                  !g_str_has_prefix(*l, "SCAN topic_column"), "%s: scans the columns: %s", what, p);
    ck_assert_msg(!g_str_has_prefix(*l, "SCAN video_search") || strstr(*l, ":M"),
                  "%s: reads the search index without a match: %s", what, p);
  }
  ck_assert_msg(bounded || !strstr(p, "TEMP B-TREE FOR ORDER BY"), "%s: sorts every match: %s", what, p);
}

START_TEST(every_list_shape_is_served_by_an_index)
{
  /* Enough rows that the planner's choice matters. */
  exec(db, "INSERT INTO video (id, title, source, state, visibility, category, created_at, updated_at) "
           "WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 3000) "
           "SELECT 'bulk' || value, 'bulk', 'upload', 'ready', 'published', '科学普及', value, value FROM n");
  static const struct {
    const char *what, *match, *category, *kind, *column, *state, *visibility;
    VideoSort sort;
    bool after, bounded;
  } shapes[] = {
    { "videos, first page", .sort = VIDEO_SORT_NEWEST },
    { "videos, next page", .sort = VIDEO_SORT_NEWEST, .after = true },
    { "videos, oldest, next page", .sort = VIDEO_SORT_OLDEST, .after = true },
    { "upcoming sort", .sort = VIDEO_SORT_UPCOMING },
    { "upcoming sort, next page", .sort = VIDEO_SORT_UPCOMING, .after = true },
    { "lives/upcoming", .state = "scheduled", .sort = VIDEO_SORT_UPCOMING },
    { "lives/upcoming, next page", .state = "scheduled", .sort = VIDEO_SORT_UPCOMING, .after = true },
    { "lives/now", .state = "live", .sort = VIDEO_SORT_UPCOMING },
    { "ready, newest (home)", .state = "ready", .sort = VIDEO_SORT_NEWEST },
    { "by category", .category = "科学普及", .sort = VIDEO_SORT_NEWEST, .after = true },
    { "by kind", .kind = "teacher", .sort = VIDEO_SORT_OLDEST, .after = true },
    { "category and kind", .category = "科学普及", .kind = "teacher", .sort = VIDEO_SORT_NEWEST },
    { "editors, every video", .visibility = "any", .sort = VIDEO_SORT_NEWEST },
    { "editors, every video, next page", .visibility = "any", .sort = VIDEO_SORT_NEWEST, .after = true },
    { "editors, drafts", .visibility = "draft", .sort = VIDEO_SORT_NEWEST, .after = true },
    { "editors, lives", .visibility = "any", .state = "live", .sort = VIDEO_SORT_NEWEST },
    { "editors, upcoming", .visibility = "any", .state = "scheduled", .sort = VIDEO_SORT_UPCOMING },
    { "a column", .column = "craft", .sort = VIDEO_SORT_NEWEST, .bounded = true },
    { "search", .match = "lesson*", .sort = VIDEO_SORT_RELEVANCE, .bounded = true },
    { "search, newest", .match = "lesson*", .sort = VIDEO_SORT_NEWEST, .bounded = true },
    { "search in a column", .match = "lesson*", .column = "craft", .sort = VIDEO_SORT_RELEVANCE, .bounded = true },
    { "search, editors", .match = "lesson*", .visibility = "any", .sort = VIDEO_SORT_RELEVANCE, .bounded = true },
  };
  for (guint i = 0; i < G_N_ELEMENTS(shapes); i++) {
    VideoFilter f = { .match = shapes[i].match, .category = shapes[i].category, .kind = shapes[i].kind,
                      .column_slug = shapes[i].column, .state = shapes[i].state,
                      .visibility = shapes[i].visibility, .sort = shapes[i].sort, .limit = 20,
                      .after = { .set = shapes[i].after, .key = 5, .row = 5 } };
    for (int count = 0; count < 2; count++) {
      g_autofree char *sql = db_video_list_sql(&f, count);
      g_autofree char *p = plan(sql);
      g_autofree char *what = g_strdup_printf("%s%s", shapes[i].what, count ? " (total)" : "");
      assert_plan(what, p, shapes[i].bounded);
      /* A next page starts in the index where the last one ended: a range on the sort key. */
      if (shapes[i].after && !count && !shapes[i].bounded)
        ck_assert_msg(strstr(p, "<expr>>?") || strstr(p, "<expr><?"), "%s: the cursor is no range: %s", what, p);
    }
  }
}
END_TEST

static Suite *db_video_suite(void)
{
  Suite *s = suite_create("db_video");
  TCase *tc = tcase_create("db_video");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, a_deleted_video_is_gone_from_every_lookup);
  tcase_add_test(tc, deleting_drops_the_key_and_cancels_the_transcode);
  tcase_add_test(tc, a_live_on_air_is_not_deleted);
  tcase_add_test(tc, purge_bookkeeping);
  tcase_add_test(tc, a_new_key_only_for_a_live_not_on_air);
  tcase_add_test(tc, keyset_pages_have_no_duplicates_or_gaps);
  tcase_add_test(tc, search_pages_and_totals);
  tcase_add_test(tc, totals_are_capped);
  tcase_add_test(tc, every_list_shape_is_served_by_an_index);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_video_suite)
