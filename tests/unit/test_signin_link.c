/* Tests for src/auth/signin_link.c: one-time links — used once, before they expire, only as
 * hashes at rest. Times relative to now. */
#include "auth/auth.h"
#include "auth/signin_link.h"
#include "db_fixture.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static const guint8 key[TOKEN_SECRET_LEN] = { 4 };
static const guint8 other_key[TOKEN_SECRET_LEN] = { 5 };
static Member *member;

static void setup(void)
{
  db = tu_db_open(&dir);
  char *t = NULL;
  ck_assert_int_eq(auth_member_create(db, key, "王五", ROLE_VIEWER, true, &member, &t), 0);
  g_free(t);
}

static void teardown(void)
{
  member_free(&member);
  tu_db_close(&db, &dir);
}

START_TEST(link_is_used_once)
{
  gint64 now = util_now();
  char *link = NULL;
  Member *m = NULL;
  ck_assert_int_eq(signin_link_create(db, key, member->id, 3600, now, &link), 0);
  ck_assert(g_str_has_prefix(link, "lsl1."));
  ck_assert_int_eq(strlen(link), 5 + 43);
  ck_assert_int_eq(signin_link_redeem(db, other_key, link, now, &m), -EACCES); /* another secret */
  ck_assert_int_eq(signin_link_redeem(db, key, link, now + 10, &m), 0);
  ck_assert_str_eq(m->id, member->id);
  member_free(&m);
  ck_assert_int_eq(signin_link_redeem(db, key, link, now + 11, &m), -EACCES);
  ck_assert_ptr_null(m);
  g_free(link);
}
END_TEST

START_TEST(expired_malformed_and_disabled_are_refused)
{
  gint64 now = util_now();
  char *a = NULL, *b = NULL;
  Member *m = NULL;
  ck_assert_int_eq(signin_link_create(db, key, member->id, 60, now, &a), 0);
  ck_assert_int_eq(signin_link_redeem(db, key, a, now + 60, &m), -EACCES);
  static const char *const bad[] = { "", "lsl1.", "lct1.abc.def", "lsl1.abcdefghijklmnopqrstuvwxyzABCDEFGHIJK'MNOPQ",
                                     "lsl1.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQR" };
  for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++)
    ck_assert_int_eq(signin_link_redeem(db, key, bad[i], now, &m), -EACCES);
  ck_assert_int_eq(signin_link_redeem(db, key, NULL, now, &m), -EACCES);
  ck_assert_int_eq(signin_link_create(db, key, member->id, 60, now, &b), 0);
  ck_assert_int_eq(db_member_set_flag(db, member->id, MEMBER_DISABLED, true), 0);
  ck_assert_int_eq(signin_link_redeem(db, key, b, now, &m), -EACCES);
  ck_assert_int_eq(signin_link_create(db, key, "nobody", 60, now, &b), -EINVAL);
  g_free(a);
  g_free(b);
}
END_TEST

static Suite *signin_link_suite(void)
{
  Suite *s = suite_create("signin_link");
  TCase *tc = tcase_create("signin_link");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, link_is_used_once);
  tcase_add_test(tc, expired_malformed_and_disabled_are_refused);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(signin_link_suite)
