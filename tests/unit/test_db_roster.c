/* Tests for src/db/db_roster.c: roster rows put, replaced, read and counted; the CHECKs. */
#include "db/db_roster.h"
#include "db_fixture.h"

#include <errno.h>

static char *dir;
static Db *db;

static void setup(void) { db = tu_db_open(&dir); }
static void teardown(void) { tu_db_close(&db, &dir); }

START_TEST(rows_are_put_and_replaced)
{
  gint64 now = util_now(), n = -1;
  RosterEntry a = { "1001", "张三", "一部", "" }, a2 = { "1001", "张三", "二部", "abcd" };
  RosterEntry bad = { "1002", "", "", "" }, out = { 0 };
  ck_assert_int_eq(db_roster_count(db, &n), 0);
  ck_assert_int_eq(n, 0);
  ck_assert_int_eq(db_roster_put(db, &a, now), 0);
  ck_assert_int_eq(db_roster_put(db, &a2, now), 0);
  ck_assert_int_eq(db_roster_put(db, &bad, now), -EINVAL);
  ck_assert_int_eq(db_roster_count(db, &n), 0);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(db_roster_get(db, "1001", &out), 0);
  ck_assert_str_eq(out.unit, "二部");
  ck_assert_str_eq(out.contact_hash, "abcd");
  roster_entry_clear(&out);
  ck_assert_ptr_null(out.name);
  ck_assert_int_eq(db_roster_get(db, "1002", &out), -ENOENT);
}
END_TEST

static Suite *db_roster_suite(void)
{
  Suite *s = suite_create("db_roster");
  TCase *tc = tcase_create("db_roster");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, rows_are_put_and_replaced);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_roster_suite)
