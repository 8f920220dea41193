/* Tests for src/db/db.c: migrations forward, refusals that leave the file untouched. */
#include "db/db.h"
#include "testutil.h"
#include "vfs_full.h"

#include <errno.h>
#include <string.h>

static char *dir;
static void setup(void) { dir = tu_tmpdir(); }
static void teardown(void) { tu_rmtree(dir); g_free(dir); }

static char *db_path(void) { return g_build_filename(dir, "t.db", NULL); }

static int count_rows(Db *db, const char *sql)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  ck_assert_ptr_nonnull(st);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  int n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return n;
}

static char *pragma_text(Db *db, const char *sql)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  char *v = g_strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return v;
}

START_TEST(forward_from_empty)
{
  char *p = db_path(), *err = NULL;
  Db *db = NULL;
  ck_assert_int_eq(db_open(p, 0, &db, &err), 0);
  ck_assert_int_ge(db_schema_latest(), 2);
  ck_assert_int_eq(db_schema_version(db), db_schema_latest());
  const char *tables[] = { "member", "video", "rendition", "topic_column", "topic_column_item" };
  for (unsigned i = 0; i < G_N_ELEMENTS(tables); i++) {
    sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name=?1");
    sqlite3_bind_text(st, 1, tables[i], -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_msg(sqlite3_column_int(st, 0) == 1, "table %s missing", tables[i]);
    sqlite3_finalize(st);
  }
  char *mode = pragma_text(db, "PRAGMA journal_mode");
  ck_assert_str_eq(mode, "wal");
  ck_assert_int_eq(count_rows(db, "PRAGMA foreign_keys"), 1);
  g_free(mode);
  db_close(&db);
  ck_assert_ptr_null(db);
  g_free(p);
}
END_TEST

static void step_once(Db *db, const char *sql)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  ck_assert_ptr_nonnull(st);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
}

static gint64 file_size(const char *path)
{
  GStatBuf sb;
  return g_stat(path, &sb) == 0 ? (gint64)sb.st_size : -1;
}

/* One large burst of writes (8 MiB in one transaction) makes the write-ahead log that large;
 * after the checkpoint, the next write starts the log over and cuts the file back to
 * DB_WAL_LIMIT (without journal_size_limit it stays at 8 MiB for the life of the file). */
START_TEST(the_wal_file_is_cut_back_after_a_burst)
{
  char *p = db_path(), *err = NULL;
  char *wal = g_strconcat(p, "-wal", NULL);
  Db *db = NULL;
  ck_assert_int_eq(db_open(p, 0, &db, &err), 0);
  ck_assert_int_eq(count_rows(db, "PRAGMA journal_size_limit"), DB_WAL_LIMIT);
  step_once(db, "CREATE TABLE scratch (b BLOB)");
  ck_assert_int_eq(db_begin(db), 0);
  sqlite3_stmt *st = db_prepare(db, "INSERT INTO scratch VALUES (randomblob(4096))");
  for (int i = 0; i < 2048; i++) {
    ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  ck_assert_int_eq(db_commit(db), 0);
  ck_assert_int_gt(file_size(wal), 2 * DB_WAL_LIMIT); /* the burst: 8 MiB and more */
  step_once(db, "DELETE FROM scratch WHERE rowid = 1"); /* the log starts over */
  ck_assert_int_le(file_size(wal), DB_WAL_LIMIT);
  db_close(&db);
  g_free(wal);
  g_free(p);
}
END_TEST

static int cmp_text(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Everything a database holds, as text: its user_version, each schema object's SQL and each
 * table's rows (sorted: no order is promised). */
static char *dump(sqlite3 *conn)
{
  GString *out = g_string_new(NULL);
  sqlite3_stmt *st = NULL;
  ck_assert_int_eq(sqlite3_prepare_v2(conn, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  g_string_append_printf(out, "user_version %d\n", sqlite3_column_int(st, 0));
  sqlite3_finalize(st);
  GPtrArray *tables = g_ptr_array_new_with_free_func(g_free);
  ck_assert_int_eq(sqlite3_prepare_v2(conn, "SELECT type, name, tbl_name, sql FROM sqlite_schema "
                                      "ORDER BY type, name", -1, &st, NULL), SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *type = (const char *)sqlite3_column_text(st, 0);
    const char *name = (const char *)sqlite3_column_text(st, 1);
    g_string_append_printf(out, "%s %s on %s: %s\n", type, name, sqlite3_column_text(st, 2),
                           sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "-");
    if (strcmp(type, "table") == 0)
      g_ptr_array_add(tables, g_strdup(name));
  }
  sqlite3_finalize(st);
  for (guint i = 0; i < tables->len; i++) {
    g_autofree char *sql = g_strdup_printf("SELECT * FROM \"%s\"", (char *)tables->pdata[i]);
    ck_assert_int_eq(sqlite3_prepare_v2(conn, sql, -1, &st, NULL), SQLITE_OK);
    GPtrArray *rows = g_ptr_array_new_with_free_func(g_free);
    while (sqlite3_step(st) == SQLITE_ROW) {
      GString *row = g_string_new(NULL);
      for (int c = 0; c < sqlite3_column_count(st); c++) {
        const char *v = (const char *)sqlite3_column_text(st, c);
        g_string_append_printf(row, "%s|", v ? v : "NULL");
      }
      g_ptr_array_add(rows, g_string_free(row, FALSE));
    }
    sqlite3_finalize(st);
    g_ptr_array_sort(rows, cmp_text);
    g_string_append_printf(out, "rows of %s: %u\n", (char *)tables->pdata[i], rows->len);
    for (guint r = 0; r < rows->len; r++)
      g_string_append_printf(out, "  %s\n", (char *)rows->pdata[r]);
    g_ptr_array_free(rows, TRUE);
  }
  g_ptr_array_free(tables, TRUE);
  return g_string_free(out, FALSE);
}

/* The other unit tests start from a copy of the build's template database (tu_db_seed), not
 * from their own migration: the copy must hold exactly what migrating from empty makes. */
START_TEST(template_equals_fresh_migration)
{
  ck_assert_msg(g_getenv("LECTERN_TEST_DB_TEMPLATE"),
                "LECTERN_TEST_DB_TEMPLATE is not set: run this test through meson test");
  char *fresh_path = db_path(), *err = NULL;
  Db *fresh = NULL;
  ck_assert_int_eq(db_open(fresh_path, 0, &fresh, &err), 0);
  char *copy_path = g_build_filename(dir, "copy.db", NULL);
  tu_db_seed(copy_path);
  /* Opened raw, not with db_open: a stale template must not be migrated into passing. */
  sqlite3 *copy = NULL;
  ck_assert_int_eq(sqlite3_open_v2(copy_path, &copy, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  char *want = dump(fresh->conn), *got = dump(copy);
  ck_assert_int_eq(db_schema_version(fresh), db_schema_latest());
  if (strcmp(got, want) != 0) {
    /* The first line that differs (a whole dump is too long for Check's message). */
    g_auto(GStrv) a = g_strsplit(want, "\n", -1), b = g_strsplit(got, "\n", -1);
    guint i = 0;
    while (a[i] && b[i] && strcmp(a[i], b[i]) == 0)
      i++;
    ck_abort_msg("the template differs from a fresh migration: fresh has '%.300s', template '%.300s'",
                 a[i] ? a[i] : "(end)", b[i] ? b[i] : "(end)");
  }
  g_free(want);
  g_free(got);
  sqlite3_close(copy);
  db_close(&fresh);
  g_free(copy_path);
  g_free(fresh_path);
}
END_TEST

START_TEST(forward_from_previous_version_keeps_data)
{
  char *p = db_path(), *err = NULL;
  Db *db = NULL;
  int latest = db_schema_latest();
  ck_assert_int_eq(db_open(p, latest - 1, &db, &err), 0);
  ck_assert_int_eq(db_schema_version(db), latest - 1);
  ck_assert_int_eq(sqlite3_exec(db->conn,
      "INSERT INTO member (id, display_name, role, token_hash, created_at, updated_at) "
      "VALUES ('m1', '劳模', 'viewer', 'x', 1, 1)", NULL, NULL, NULL), SQLITE_OK);
  db_close(&db);

  ck_assert_int_eq(db_open(p, 0, &db, &err), 0);
  ck_assert_int_eq(db_schema_version(db), latest);
  ck_assert_int_eq(count_rows(db, "SELECT count(*) FROM member WHERE display_name = '劳模'"), 1);
  db_close(&db);
  g_free(p);
}
END_TEST

START_TEST(reopen_is_idempotent)
{
  char *p = db_path(), *err = NULL;
  Db *db = NULL;
  ck_assert_int_eq(db_open(p, 0, &db, &err), 0);
  db_close(&db);
  ck_assert_int_eq(db_open(p, 0, &db, &err), 0);
  ck_assert_int_eq(db_schema_version(db), db_schema_latest());
  db_close(&db);
  g_free(p);
}
END_TEST

static void assert_refused_untouched(const char *p, int expect, const char *must_mention)
{
  char *before = NULL, *after = NULL, *err = NULL;
  gsize blen = 0, alen = 0;
  ck_assert(g_file_get_contents(p, &before, &blen, NULL));
  Db *db = NULL;
  ck_assert_int_eq(db_open(p, 0, &db, &err), expect);
  ck_assert_ptr_null(db);
  ck_assert_msg(err && strstr(err, must_mention), "message: %s", err ? err : "(none)");
  ck_assert(g_file_get_contents(p, &after, &alen, NULL));
  ck_assert_uint_eq(blen, alen);
  ck_assert(memcmp(before, after, blen) == 0);
  g_free(before);
  g_free(after);
  g_free(err);
}

START_TEST(not_a_database_is_refused_untouched)
{
  char *p = tu_write(dir, "t.db", "this is a text file, not a database, but long enough to look like one......\n");
  assert_refused_untouched(p, -ENOTSUP, "not an SQLite database");
  g_free(p);
}
END_TEST

START_TEST(newer_schema_is_refused_untouched)
{
  char *p = db_path(), *err = NULL;
  sqlite3 *raw = NULL;
  ck_assert_int_eq(sqlite3_open(p, &raw), SQLITE_OK);
  ck_assert_int_eq(sqlite3_exec(raw, "CREATE TABLE future (x); PRAGMA user_version = 999;", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(raw);
  assert_refused_untouched(p, -EPROTO, "newer");
  g_free(err);
  g_free(p);
}
END_TEST

START_TEST(every_sql_file_is_compiled_in)
{
  char *sqldir = tu_source_path("schemas/sql");
  GDir *d = g_dir_open(sqldir, 0, NULL);
  ck_assert_ptr_nonnull(d);
  int highest = 0;
  const char *name;
  while ((name = g_dir_read_name(d)))
    if (g_str_has_suffix(name, ".sql")) {
      highest = MAX(highest, atoi(name));
      /* Each file is in the binary (numbers not taken yet are empty steps). */
      g_autofree char *res = g_strdup_printf("/lectern/sql/%s", name);
      ck_assert_msg(g_resources_get_info(res, 0, NULL, NULL, NULL), "%s is not compiled in", name);
    }
  g_dir_close(d);
  ck_assert_int_eq(highest, db_schema_latest());
  g_free(sqldir);
}
END_TEST

START_TEST(constraints_hold)
{
  char *p = db_path(), *err = NULL;
  Db *db = NULL;
  ck_assert_int_eq(db_open(p, 0, &db, &err), 0);
  /* A bad role, a bad slug and an item pointing at nothing are all refused. */
  ck_assert_int_ne(sqlite3_exec(db->conn,
      "INSERT INTO member (id, display_name, role, token_hash, created_at, updated_at) "
      "VALUES ('m', 'x', 'root', 'h', 1, 1)", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_ne(sqlite3_exec(db->conn,
      "INSERT INTO topic_column (slug, title, created_at, updated_at) VALUES ('Bad Slug', 't', 1, 1)",
      NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_ne(sqlite3_exec(db->conn,
      "INSERT INTO topic_column_item (column_id, video_id, position) VALUES (42, 'nope', 0)",
      NULL, NULL, NULL), SQLITE_OK);
  db_close(&db);
  g_free(p);
}
END_TEST

/* A commit the disk refuses is rolled back, not left open: if it were, every later
 * transaction would nest inside it as a savepoint, "commit" and be acknowledged, and never
 * reach the disk (found by tests/integration/test_disk_full.sh: a watcher was acknowledged
 * 37 s of which 2 were stored). */
START_TEST(commit_on_a_full_disk_rolls_back)
{
  vfs_full_install();
  char *p = db_path(), *err = NULL;
  Db *db = NULL;
  ck_assert_int_eq(db_open(p, 0, &db, &err), 0);
  ck_assert_int_eq(sqlite3_exec(db->conn, "CREATE TABLE t (x TEXT)", NULL, NULL, NULL), SQLITE_OK);

  vfs_full_set(true);
  ck_assert_int_eq(db_begin(db), 0);
  ck_assert_int_eq(sqlite3_exec(db->conn, "INSERT INTO t VALUES ('lost')", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(db_commit(db), -ENOSPC);
  /* (no db_rollback: the watch service's group commit did not call it after a failed commit) */
  ck_assert_int_eq(db->depth, 0);
  ck_assert(sqlite3_get_autocommit(db->conn));
  /* A caller that does roll back after the failure harms nothing either. */
  ck_assert_int_eq(db_begin(db), 0);
  ck_assert_int_eq(sqlite3_exec(db->conn, "INSERT INTO t VALUES ('lost too')", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(db_commit(db), -ENOSPC);
  db_rollback(db);
  ck_assert_int_eq(db->depth, 0);
  vfs_full_set(false);

  /* The next transaction is a transaction of its own, and reaches the disk. */
  ck_assert_int_eq(db_begin(db), 0);
  ck_assert_int_eq(sqlite3_exec(db->conn, "INSERT INTO t VALUES ('kept')", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(db_commit(db), 0);
  ck_assert_int_eq(db->depth, 0);
  sqlite3 *other = NULL;
  ck_assert_int_eq(sqlite3_open_v2(p, &other, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  ck_assert_int_eq(sqlite3_prepare_v2(other, "SELECT group_concat(x) FROM t", -1, &st, NULL), SQLITE_OK);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "kept");
  sqlite3_finalize(st);
  sqlite3_close(other);

  /* A savepoint's failure inside a transaction rolls back only its own level. */
  ck_assert_int_eq(db_begin(db), 0);
  ck_assert_int_eq(db_begin(db), 0);
  db_rollback(db);
  ck_assert_int_eq(db->depth, 1);
  ck_assert_int_eq(db_commit(db), 0);
  ck_assert_int_eq(db->depth, 0);
  db_close(&db);
  g_free(p);
}
END_TEST

static Suite *db_suite(void)
{
  Suite *s = suite_create("db");
  TCase *tc = tcase_create("migrations");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, forward_from_empty);
  tcase_add_test(tc, the_wal_file_is_cut_back_after_a_burst);
  tcase_add_test(tc, template_equals_fresh_migration);
  tcase_add_test(tc, forward_from_previous_version_keeps_data);
  tcase_add_test(tc, reopen_is_idempotent);
  tcase_add_test(tc, not_a_database_is_refused_untouched);
  tcase_add_test(tc, newer_schema_is_refused_untouched);
  tcase_add_test(tc, every_sql_file_is_compiled_in);
  tcase_add_test(tc, constraints_hold);
  tcase_add_test(tc, commit_on_a_full_disk_rolls_back);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_suite)
