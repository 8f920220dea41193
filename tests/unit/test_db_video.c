/* Tests for src/db/db_video.c: soft delete (out of every lookup, list, column and the search
 * index; the key dropped, the transcode cancelled; ledger and progress kept), the purge
 * bookkeeping, and replacing a live's stream key. */
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
  VideoFilter f = { .visibility = visibility, .match = match, .limit = 50 };
  gint64 total = -1;
  int rc = 0;
  JsonNode *n = db_video_list_json(db, &f, &total, &rc);
  ck_assert_ptr_nonnull(n);
  json_node_unref(n);
  return total;
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
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_video_suite)
