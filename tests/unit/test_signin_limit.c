/* Tests for src/auth/signin_limit.c: failures counted per account and per address within the
 * window, how long to wait, forgetting after success; nothing stored in clear. */
#include "auth/signin_limit.h"
#include "db_fixture.h"

#include <errno.h>

static char *dir;
static Db *db;
static const guint8 key[TOKEN_SECRET_LEN] = { 6 };
static const SigninLimits lim = { .per_account = 3, .per_address = 5, .window = 100 };

static void setup(void) { db = tu_db_open(&dir); }
static void teardown(void) { tu_db_close(&db, &dir); }

START_TEST(account_locks_after_its_failures_for_the_window)
{
  gint64 now = util_now(), retry = -1;
  for (int i = 0; i < 3; i++) {
    ck_assert_int_eq(signin_limit_check(db, key, &lim, "Zhang", NULL, now + i, &retry), 0);
    ck_assert_int_eq(signin_limit_fail(db, key, &lim, "Zhang", NULL, now + i), 0);
  }
  ck_assert_int_eq(signin_limit_check(db, key, &lim, "zhang", NULL, now + 10, &retry), -EBUSY);
  ck_assert_int_eq(retry, 90); /* the first failure leaves the window at now + 100 */
  ck_assert_int_eq(signin_limit_check(db, key, &lim, "li", NULL, now + 10, &retry), 0);
  ck_assert_int_eq(signin_limit_check(db, key, &lim, "Zhang", NULL, now + 100, &retry), 0);
  /* Success forgets them. */
  ck_assert_int_eq(signin_limit_clear(db, key, "ZHANG"), 0);
  ck_assert_int_eq(signin_limit_check(db, key, &lim, "Zhang", NULL, now + 10, &retry), 0);
}
END_TEST

START_TEST(address_counts_every_account)
{
  gint64 now = util_now(), retry = 0;
  const char *names[] = { "a", "b", "c", "d", "e" };
  for (int i = 0; i < 5; i++)
    ck_assert_int_eq(signin_limit_fail(db, key, &lim, names[i], "192.0.2.7", now), 0);
  ck_assert_int_eq(signin_limit_check(db, key, &lim, "f", "192.0.2.7", now, &retry), -EBUSY);
  ck_assert_int_eq(signin_limit_check(db, key, &lim, "f", "192.0.2.8", now, &retry), 0);
  ck_assert_int_eq(signin_limit_check(db, key, &lim, NULL, NULL, now, &retry), 0);
  /* The address is not stored as it was given. */
  sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM signin_failure WHERE subject LIKE '%192.0.2%' OR subject = 'a'");
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_int_eq(sqlite3_column_int(st, 0), 0);
  sqlite3_finalize(st);
  /* Old failures are forgotten as new ones come. */
  ck_assert_int_eq(signin_limit_fail(db, key, &lim, NULL, "198.51.100.1", now + 200), 0);
  st = db_prepare(db, "SELECT count(*) FROM signin_failure");
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
  sqlite3_finalize(st);
}
END_TEST

static Suite *signin_limit_suite(void)
{
  Suite *s = suite_create("signin_limit");
  TCase *tc = tcase_create("signin_limit");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, account_locks_after_its_failures_for_the_window);
  tcase_add_test(tc, address_counts_every_account);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(signin_limit_suite)
