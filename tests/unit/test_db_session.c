/* Tests for src/db/db_session.c: sessions stored by hash, touched, ended, purged. */
#include "db/db_member.h"
#include "db/db_session.h"
#include "db_fixture.h"

#include <errno.h>

static char *dir;
static Db *db;

static void setup(void)
{
  db = tu_db_open(&dir);
  ck_assert_int_eq(db_member_insert(db, "m1", "甲", ROLE_VIEWER, false, "h1"), 0);
  ck_assert_int_eq(db_member_insert(db, "m2", "乙", ROLE_VIEWER, false, "h2"), 0);
}

static void teardown(void) { tu_db_close(&db, &dir); }

START_TEST(insert_get_touch_delete)
{
  gint64 now = util_now();
  ck_assert_int_eq(db_session_insert(db, "hashA", "m1", "token", now, now + 100), 0);
  ck_assert_int_eq(db_session_insert(db, "hashA", "m2", "token", now, now + 100), -EEXIST);
  ck_assert_int_eq(db_session_insert(db, "hashB", "nobody", "token", now, now + 100), -EINVAL);
  ck_assert_int_eq(db_session_insert(db, "hashB", "m1", "carrier-pigeon", now, now + 100), -EINVAL);
  ck_assert_int_eq(db_session_insert(db, "hashB", "m1", "token", now, now), -EINVAL);

  DbSession s = { 0 };
  ck_assert_int_eq(db_session_get(db, "hashA", &s), 0);
  ck_assert_str_eq(s.member_id, "m1");
  ck_assert_str_eq(s.method, "token");
  ck_assert_int_eq(s.created_at, now);
  ck_assert_int_eq(s.last_seen_at, now);
  ck_assert_int_eq(s.expires_at, now + 100);
  db_session_clear(&s);

  ck_assert_int_eq(db_session_touch(db, "hashA", now + 50), 0);
  ck_assert_int_eq(db_session_get(db, "hashA", &s), 0);
  ck_assert_int_eq(s.last_seen_at, now + 50);
  db_session_clear(&s);
  ck_assert_int_eq(db_session_touch(db, "nope", now), -ENOENT);

  ck_assert_int_eq(db_session_delete(db, "hashA"), 0);
  ck_assert_int_eq(db_session_get(db, "hashA", &s), -ENOENT);
  ck_assert_int_eq(db_session_delete(db, "hashA"), -ENOENT);
}
END_TEST

START_TEST(purge_and_member_wide_end)
{
  gint64 now = util_now();
  ck_assert_int_eq(db_session_insert(db, "old", "m1", "token", now - 1000, now - 10), 0);  /* past its end */
  ck_assert_int_eq(db_session_insert(db, "idle", "m1", "token", now - 500, now + 1000), 0); /* idle 500 s */
  ck_assert_int_eq(db_session_insert(db, "live", "m1", "token", now - 10, now + 1000), 0);
  ck_assert_int_eq(db_session_insert(db, "other", "m2", "password", now, now + 1000), 0);
  int n = -1;
  ck_assert_int_eq(db_session_purge(db, now, 300, &n), 0);
  ck_assert_int_eq(n, 2);
  DbSession s = { 0 };
  ck_assert_int_eq(db_session_get(db, "old", &s), -ENOENT);
  ck_assert_int_eq(db_session_get(db, "idle", &s), -ENOENT);
  ck_assert_int_eq(db_session_get(db, "live", &s), 0);
  db_session_clear(&s);

  ck_assert_int_eq(db_session_delete_member(db, "m1", &n), 0);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(db_session_get(db, "live", &s), -ENOENT);
  ck_assert_int_eq(db_session_get(db, "other", &s), 0); /* another member's stays */
  db_session_clear(&s);
}
END_TEST

static Suite *db_session_suite(void)
{
  Suite *s = suite_create("db_session");
  TCase *tc = tcase_create("db_session");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, insert_get_touch_delete);
  tcase_add_test(tc, purge_and_member_wide_end);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_session_suite)
