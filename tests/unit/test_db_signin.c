/* Tests for src/db/db_signin.c: sign-in names, links used once, failures in a window. */
#include "db/db_member.h"
#include "db/db_signin.h"
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

START_TEST(logins_are_unique_ignoring_case)
{
  char *id = NULL, *hash = NULL, *name = NULL;
  ck_assert_int_eq(db_signin_set_login(db, "m1", "Jia", "$argon2id$1", 1), 0);
  ck_assert_int_eq(db_signin_set_login(db, "m2", "JIA", "$argon2id$2", 1), -EEXIST);
  ck_assert_int_eq(db_signin_set_login(db, "m2", "yi", "plain", 1), -EINVAL); /* not argon2id */
  ck_assert_int_eq(db_signin_set_login(db, "m9", "bing", "$argon2id$3", 1), -EINVAL);
  ck_assert_int_eq(db_signin_get_login(db, "jIA", &id, &hash), 0);
  ck_assert_str_eq(id, "m1");
  ck_assert_str_eq(hash, "$argon2id$1");
  g_clear_pointer(&id, g_free);
  g_clear_pointer(&hash, g_free);
  ck_assert_int_eq(db_signin_set_login(db, "m1", "jia2", "$argon2id$4", 2), 0); /* replaced */
  ck_assert_int_eq(db_signin_get_login(db, "Jia", &id, &hash), -ENOENT);
  ck_assert_int_eq(db_signin_login_name(db, "m1", &name), 0);
  ck_assert_str_eq(name, "jia2");
  g_free(name);
  ck_assert_int_eq(db_signin_login_name(db, "m2", &name), -ENOENT);
}
END_TEST

START_TEST(links_and_failures)
{
  gint64 now = util_now();
  char *id = NULL;
  ck_assert_int_eq(db_signin_link_insert(db, "L1", "m1", now, now + 60), 0);
  ck_assert_int_eq(db_signin_link_insert(db, "L2", "nobody", now, now + 60), -EINVAL);
  ck_assert_int_eq(db_signin_link_use(db, "L1", now + 60, &id), -ENOENT); /* expired */
  ck_assert_int_eq(db_signin_link_use(db, "L1", now + 1, &id), 0);
  ck_assert_str_eq(id, "m1");
  g_free(id);
  ck_assert_int_eq(db_signin_link_use(db, "L1", now + 2, &id), -ENOENT); /* used */

  int n = -1;
  gint64 oldest = -1;
  ck_assert_int_eq(db_signin_failure_add(db, "account", "s", now - 50, 100), 0);
  ck_assert_int_eq(db_signin_failure_add(db, "account", "s", now, 100), 0);
  ck_assert_int_eq(db_signin_failure_add(db, "address", "s", now, 100), 0);
  ck_assert_int_eq(db_signin_failures(db, "account", "s", now - 100, &n, &oldest), 0);
  ck_assert_int_eq(n, 2);
  ck_assert_int_eq(oldest, now - 50);
  ck_assert_int_eq(db_signin_failures(db, "account", "s", now - 10, &n, &oldest), 0);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(db_signin_failures_clear(db, "account", "s"), 0);
  ck_assert_int_eq(db_signin_failures(db, "account", "s", 0, &n, &oldest), 0);
  ck_assert_int_eq(n, 0);
  ck_assert_int_eq(oldest, 0);
  ck_assert_int_eq(db_signin_failures(db, "address", "s", 0, &n, &oldest), 0);
  ck_assert_int_eq(n, 1);
  ck_assert_int_eq(db_signin_failure_add(db, "everywhere", "s", now, 100), -EINVAL);
}
END_TEST

static Suite *db_signin_suite(void)
{
  Suite *s = suite_create("db_signin");
  TCase *tc = tcase_create("db_signin");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, logins_are_unique_ignoring_case);
  tcase_add_test(tc, links_and_failures);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_signin_suite)
