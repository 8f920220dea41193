/* Tests for db_constraint_errno / db_step_done in src/db/db.c: which constraint a failed
 * step broke decides its -errno, and the caller's two choices are honoured. */
#include "db/db.h"
#include "db_fixture.h"

#include <errno.h>

static char *dir;
static Db *db;

static void setup(void)
{
  db = tu_db_open(&dir);
  ck_assert_int_eq(sqlite3_exec(db->conn,
      "CREATE TABLE t_parent (id INTEGER PRIMARY KEY);"
      "CREATE TABLE t_child (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
      " n INTEGER CHECK (n >= 0), parent INTEGER REFERENCES t_parent (id));"
      "CREATE TRIGGER t_child_no_13 BEFORE INSERT ON t_child WHEN NEW.n = 13"
      " BEGIN SELECT RAISE(ABORT, 'no 13'); END;"
      "INSERT INTO t_parent (id) VALUES (1);",
      NULL, NULL, NULL), SQLITE_OK);
}

static void teardown(void) { tu_db_close(&db, &dir); }

/* Inserts one t_child row through db_step_done with the given mapping. */
static int insert(gint64 id, const char *name, gint64 n, gint64 parent, int fk, int other)
{
  sqlite3_stmt *st = db_cached(db, "INSERT INTO t_child (id, name, n, parent) VALUES (?1, ?2, ?3, ?4)");
  ck_assert_ptr_nonnull(st);
  sqlite3_bind_int64(st, 1, id);
  if (name)
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 2);
  sqlite3_bind_int64(st, 3, n);
  sqlite3_bind_int64(st, 4, parent);
  return db_step_done(db, st, fk, other);
}

START_TEST(each_constraint_maps_to_its_errno)
{
  ck_assert_int_eq(insert(1, "a", 0, 1, -ENOENT, -EPERM), 0);
  ck_assert_int_eq(insert(1, "b", 0, 1, -ENOENT, -EPERM), -EEXIST);  /* primary key */
  ck_assert_int_eq(insert(2, "a", 0, 1, -ENOENT, -EPERM), -EEXIST);  /* unique */
  ck_assert_int_eq(insert(2, "b", -1, 1, -ENOENT, -EPERM), -EINVAL); /* check */
  ck_assert_int_eq(insert(2, NULL, 0, 1, -ENOENT, -EPERM), -EINVAL); /* not null */
  ck_assert_int_eq(insert(2, "b", 0, 9, -ENOENT, -EPERM), -ENOENT);  /* foreign key */
  ck_assert_int_eq(insert(2, "b", 0, 9, -EINVAL, -EPERM), -EINVAL);
  ck_assert_int_eq(insert(2, "b", 13, 1, -ENOENT, -EPERM), -EPERM);  /* trigger RAISE */
  ck_assert_int_eq(insert(2, "b", 13, 1, -ENOENT, -EEXIST), -EEXIST);
  /* The statement was reset each time: it runs again, and only the good row stayed. */
  ck_assert_int_eq(insert(2, "b", 0, 1, -ENOENT, -EPERM), 0);
  sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM t_child");
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_int_eq(sqlite3_column_int(st, 0), 2);
  sqlite3_finalize(st);
}
END_TEST

START_TEST(other_failures_are_db_errno)
{
  ck_assert_int_eq(db_constraint_errno(db, SQLITE_BUSY, -ENOENT, -EPERM), -EBUSY);
  ck_assert_int_eq(db_constraint_errno(db, SQLITE_FULL, -ENOENT, -EPERM), -ENOSPC);
  ck_assert_int_eq(db_constraint_errno(db, SQLITE_IOERR_WRITE, -ENOENT, -EPERM), -EIO);
}
END_TEST

static Suite *db_errno_suite(void)
{
  Suite *s = suite_create("db_errno");
  TCase *tc = tcase_create("constraints");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, each_constraint_maps_to_its_errno);
  tcase_add_test(tc, other_failures_are_db_errno);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_errno_suite)
