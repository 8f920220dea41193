/* Tests for src/auth/password.c: argon2id hashes, the rules, set and check. */
#include "auth/auth.h"
#include "auth/password.h"
#include "db_fixture.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static const guint8 key[TOKEN_SECRET_LEN] = { 3 };
static Member *member, *other;

static void setup(void)
{
  db = tu_db_open(&dir);
  char *t = NULL;
  ck_assert_int_eq(auth_member_create(db, key, "张三", ROLE_VIEWER, true, &member, &t), 0);
  g_free(t);
  ck_assert_int_eq(auth_member_create(db, key, "李四", ROLE_VIEWER, true, &other, &t), 0);
  g_free(t);
}

static void teardown(void)
{
  member_free(&member);
  member_free(&other);
  tu_db_close(&db, &dir);
}

START_TEST(hash_is_argon2id_salted_and_verifies)
{
  char *a = NULL, *b = NULL;
  ck_assert_int_eq(password_hash("工会会员 password", &a), 0);
  ck_assert_int_eq(password_hash("工会会员 password", &b), 0);
  ck_assert(g_str_has_prefix(a, "$argon2id$v=19$m=19456,t=2,p=1$"));
  ck_assert_str_ne(a, b); /* salted */
  ck_assert(password_verify(a, "工会会员 password"));
  ck_assert(!password_verify(a, "工会会员 passworD"));
  ck_assert(!password_verify(a, ""));
  ck_assert(!password_verify(NULL, "工会会员 password"));
  g_free(a);
  g_free(b);
}
END_TEST

START_TEST(rules_for_passwords_and_names)
{
  char *h = NULL;
  ck_assert_int_eq(password_hash("1234567", &h), -EINVAL);      /* 7 characters */
  ck_assert_int_eq(password_hash("八个汉字八个汉字", &h), 0);     /* 8 characters */
  g_clear_pointer(&h, g_free);
  char *huge = g_strnfill(PASSWORD_MAX_BYTES + 1, 'x');
  ck_assert_int_eq(password_hash(huge, &h), -EINVAL);
  ck_assert(!password_verify("$argon2id$x", huge));
  g_free(huge);
  ck_assert_int_eq(password_hash("bad \xff utf-8 text", &h), -EINVAL);
  ck_assert_int_eq(password_hash(NULL, &h), -EINVAL);
  ck_assert(password_login_ok("zhang.san"));
  ck_assert(password_login_ok("工号10086"));
  ck_assert(!password_login_ok(""));
  ck_assert(!password_login_ok("zhang san"));
  ck_assert(!password_login_ok("tab\there"));
  ck_assert(!password_login_ok(NULL));
  char *long_name = g_strnfill(PASSWORD_LOGIN_MAX + 1, 'a');
  ck_assert(!password_login_ok(long_name));
  g_free(long_name);
}
END_TEST

START_TEST(set_and_check)
{
  Member *m = NULL;
  ck_assert_int_eq(password_set(db, member->id, "Zhang.San", "correct horse"), 0);
  ck_assert_int_eq(password_check(db, "zhang.san", "correct horse", &m), 0);
  ck_assert_str_eq(m->id, member->id);
  member_free(&m);
  ck_assert_int_eq(password_check(db, "Zhang.San", "wrong horse", &m), -EACCES);
  ck_assert_int_eq(password_check(db, "nobody", "correct horse", &m), -EACCES);
  ck_assert_int_eq(password_check(db, "bad name", "correct horse", &m), -EACCES);
  ck_assert_ptr_null(m);
  /* Names are one member's each, whatever the case; a member may change theirs. */
  ck_assert_int_eq(password_set(db, other->id, "ZHANG.SAN", "another one"), -EEXIST);
  ck_assert_int_eq(password_set(db, member->id, "zs", "new password"), 0);
  ck_assert_int_eq(password_check(db, "Zhang.San", "correct horse", &m), -EACCES);
  ck_assert_int_eq(password_check(db, "zs", "new password", &m), 0);
  member_free(&m);
  ck_assert_int_eq(password_set(db, "nobody", "x1", "a password"), -EINVAL);
  ck_assert_int_eq(password_set(db, member->id, "with space", "a password"), -EINVAL);
  ck_assert_int_eq(password_set(db, member->id, "ok", "short"), -EINVAL);
  /* A disabled member cannot sign in. */
  ck_assert_int_eq(db_member_set_flag(db, member->id, MEMBER_DISABLED, true), 0);
  ck_assert_int_eq(password_check(db, "zs", "new password", &m), -EACCES);
}
END_TEST

static Suite *password_suite(void)
{
  Suite *s = suite_create("password");
  TCase *tc = tcase_create("password");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, hash_is_argon2id_salted_and_verifies);
  tcase_add_test(tc, rules_for_passwords_and_names);
  tcase_add_test(tc, set_and_check);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(password_suite)
