/* Tests for src/db/db_search.c: tokens for Chinese and English, safe queries, the index. */
#include "db/db_search.h"
#include "db/db_video.h"
#include "testutil.h"

#include <string.h>

static const struct { const char *text, *tokens; } token_cases[] = {
  { "劳模", "劳模 模" },
  { "劳模精神", "劳模 模精 精神 神" },
  { "健", "健" },
  { "Health talks", "Health talks" },
  { "AI课堂2026", "AI 课堂 堂 2026" },
  { "助力\"双减\"工会在行动", "助力 力 双减 减 工会 会在 在行 行动 动" },
  { "  ,.!? ", "" },
  { "", "" },
  { "café naïve", "café naïve" },
};

START_TEST(tokens_split_cjk_into_pairs)
{
  char *t = db_search_tokens(token_cases[_i].text);
  ck_assert_str_eq(t, token_cases[_i].tokens);
  g_free(t);
}
END_TEST

static const struct { const char *q, *match; } query_cases[] = {
  { "劳模", "\"劳模\"" },
  { "劳模精神", "\"劳模 模精 精神\"" },
  { "健", "\"健\"*" },
  { "health", "\"health\"*" },
  { "双减 health", "\"双减\" \"health\"*" },
  /* FTS5 syntax from the user never reaches the query: quotes, stars, NEAR, columns. */
  { "\"a\" OR b*", "\"a\"* \"OR\"* \"b\"*" },
  { "title:x NEAR(y)", "\"title\"* \"x\"* \"NEAR\"* \"y\"*" },
  { "'); DROP TABLE video;--", "\"DROP\"* \"TABLE\"* \"video\"*" },
};

START_TEST(queries_are_built_from_words_only)
{
  char *m = db_search_query(query_cases[_i].q);
  ck_assert_str_eq(m, query_cases[_i].match);
  g_free(m);
}
END_TEST

START_TEST(queries_with_nothing_searchable_are_null)
{
  ck_assert_ptr_null(db_search_query(""));
  ck_assert_ptr_null(db_search_query("  !!! ，。"));
  ck_assert_ptr_null(db_search_query(NULL));
  char *long_q = g_strnfill(DB_SEARCH_QUERY_MAX + 1, 'a');
  ck_assert_ptr_null(db_search_query(long_q));
  g_free(long_q);
  /* At most DB_SEARCH_TERMS_MAX terms are used. */
  GString *many = g_string_new(NULL);
  for (int i = 0; i < DB_SEARCH_TERMS_MAX + 5; i++)
    g_string_append_printf(many, "w%d ", i);
  char *m = db_search_query(many->str);
  int terms = 0;
  for (const char *p = m; (p = strstr(p, "\"*")); p += 2)
    terms++;
  ck_assert_int_eq(terms, DB_SEARCH_TERMS_MAX);
  g_free(m);
  g_string_free(many, TRUE);
}
END_TEST

static int count_matches(Db *db, const char *q)
{
  char *m = db_search_query(q);
  ck_assert_ptr_nonnull(m);
  sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM video_search WHERE video_search MATCH ?1");
  sqlite3_bind_text(st, 1, m, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  int n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  g_free(m);
  return n;
}

START_TEST(index_follows_videos_and_is_rebuilt)
{
  char *dir = tu_tmpdir(), *path = g_build_filename(dir, "t.db", NULL), *err = NULL, *id = NULL;
  Db *db = NULL;
  ck_assert_int_eq(db_open(path, 0, &db, &err), 0);
  ck_assert_int_eq(db_video_create_upload(db, "劳模精神进课堂", "王师傅", "model-worker", NULL, &id), 0);
  ck_assert_int_eq(count_matches(db, "劳模"), 1);
  ck_assert_int_eq(count_matches(db, "精神"), 1);
  ck_assert_int_eq(count_matches(db, "神"), 1);  /* the last character of a run */
  ck_assert_int_eq(count_matches(db, "王"), 1);
  ck_assert_int_eq(count_matches(db, "健康"), 0);
  ck_assert_int_eq(db_video_set_text(db, id, VIDEO_DESCRIPTION, "Healthy lessons 健康讲座"), 0);
  ck_assert_int_eq(count_matches(db, "健康"), 1);
  ck_assert_int_eq(count_matches(db, "lesson"), 1);  /* porter stemming */
  ck_assert_int_eq(count_matches(db, "劳模 lesson"), 1);
  ck_assert_int_eq(count_matches(db, "劳模 双减"), 0);  /* every term must match */
  ck_assert_int_eq(db_video_set_text(db, id, VIDEO_TAGS, "[\"双减\",\"课后服务\"]"), 0);
  ck_assert_int_eq(count_matches(db, "劳模 双减"), 1);

  /* Emptied by hand (or a database from before the index): the sync that whoever opens the
   * store runs after db_open (cli_open_store) rebuilds it. */
  ck_assert_int_eq(sqlite3_exec(db->conn, "DELETE FROM video_search", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(count_matches(db, "劳模"), 0);
  db_close(&db);
  ck_assert_int_eq(db_open(path, 0, &db, &err), 0);
  ck_assert_int_eq(count_matches(db, "劳模 双减"), 0);
  ck_assert_int_eq(db_search_sync(db), 0);
  ck_assert_int_eq(count_matches(db, "劳模 双减"), 1);
  db_close(&db);
  g_free(id);
  tu_rmtree(dir);
  g_free(dir);
  g_free(path);
}
END_TEST


/* Migration 0008 moves the index into a table with prefix indexes: a database from before
 * keeps what it found, every row under its video's rowid (so no rebuild is needed), and the
 * sync finds it right. */
START_TEST(migration_keeps_the_index_under_the_videos_rowids)
{
  char *dir = tu_tmpdir(), *path = g_build_filename(dir, "t.db", NULL), *err = NULL, *id = NULL;
  Db *db = NULL;
  ck_assert_int_eq(db_open(path, 7, &db, &err), 0);
  ck_assert_int_eq(db_video_create_upload(db, "劳模精神进课堂", "王师傅", "model-worker", NULL, &id), 0);
  /* Before 0008 the index row had its own rowid. */
  ck_assert_int_eq(sqlite3_exec(db->conn, "DELETE FROM video_search; INSERT INTO video_search "
                   "(rowid, video_id, title) SELECT 77, id, '劳模 模精 精神 神 lesson' FROM video",
                   NULL, NULL, NULL), SQLITE_OK);
  db_close(&db);
  ck_assert_int_eq(db_open(path, 0, &db, &err), 0);
  ck_assert_int_eq(count_matches(db, "劳模"), 1);
  ck_assert_int_eq(count_matches(db, "less"), 1);  /* a prefix, read from its prefix index */
  sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM video_search s JOIN video v ON v.rowid = s.rowid "
                                    "AND v.id = s.video_id");
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
  sqlite3_finalize(st);
  db_close(&db);
  g_free(id);
  tu_rmtree(dir);
  g_free(dir);
  g_free(path);
}
END_TEST

static Suite *db_search_suite(void)
{
  Suite *s = suite_create("db_search");
  TCase *tc = tcase_create("db_search");
  tcase_add_loop_test(tc, tokens_split_cjk_into_pairs, 0, G_N_ELEMENTS(token_cases));
  tcase_add_loop_test(tc, queries_are_built_from_words_only, 0, G_N_ELEMENTS(query_cases));
  tcase_add_test(tc, queries_with_nothing_searchable_are_null);
  tcase_add_test(tc, index_follows_videos_and_is_rebuilt);
  tcase_add_test(tc, migration_keeps_the_index_under_the_videos_rowids);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_search_suite)
