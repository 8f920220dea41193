/* Tests for src/auth/auth.c: bearer parsing, disabled members, role order, creation. */
#include "auth/auth.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static guint8 secret[TOKEN_SECRET_LEN] = { 42 };

static void setup(void)
{
  dir = tu_tmpdir();
  char *p = g_build_filename(dir, "t.db", NULL), *err = NULL;
  tu_db_seed(p);
  g_assert(db_open(p, 0, &db, &err) == 0);
  g_free(p);
}

static void teardown(void)
{
  db_close(&db);
  tu_rmtree(dir);
  g_free(dir);
}

START_TEST(bearer_resolves_member_and_hash_is_at_rest)
{
  Member *m = NULL, *who = NULL;
  char *token = NULL, *stored = NULL;
  ck_assert_int_eq(auth_member_create(db, secret, "李老师", ROLE_EDITOR, true, &m, &token), 0);
  char *hdr = g_strconcat("Bearer ", token, NULL);
  ck_assert_int_eq(auth_bearer(db, secret, hdr, &who), 0);
  ck_assert_str_eq(who->id, m->id);
  ck_assert_int_eq(who->role, ROLE_EDITOR);
  ck_assert(who->real_name_verified);

  Member *again = NULL;
  ck_assert_int_eq(db_member_get(db, m->id, &again, &stored), 0);
  member_free(&again);
  ck_assert_ptr_null(strstr(stored, token));
  char *expect = token_hash(secret, token);
  ck_assert_str_eq(stored, expect);

  /* Another server secret does not accept the token. */
  guint8 other[TOKEN_SECRET_LEN] = { 43 };
  Member *none = NULL;
  ck_assert_int_eq(auth_bearer(db, other, hdr, &none), -EACCES);
  ck_assert_ptr_null(none);

  g_free(expect);
  g_free(stored);
  g_free(hdr);
  g_free(token);
  member_free(&m);
  member_free(&who);
}
END_TEST

START_TEST(missing_and_malformed_headers)
{
  Member *who = NULL;
  ck_assert_int_eq(auth_bearer(db, secret, NULL, &who), -ENOENT);
  ck_assert_int_eq(auth_bearer(db, secret, "", &who), -ENOENT);
  ck_assert_int_eq(auth_bearer(db, secret, "Token abc", &who), -EACCES);
  ck_assert_int_eq(auth_bearer(db, secret, "Bearer ", &who), -EACCES);
  ck_assert_int_eq(auth_bearer(db, secret, "Bearer lct1.ghost.AAAAAAAAAAAAAAAAAAAAAAAA", &who), -EACCES);
  ck_assert_ptr_null(who);
}
END_TEST

START_TEST(disabled_member_is_refused)
{
  Member *m = NULL, *who = NULL;
  char *token = NULL;
  ck_assert_int_eq(auth_member_create(db, secret, "x", ROLE_ADMIN, false, &m, &token), 0);
  sqlite3_stmt *st = db_prepare(db, "UPDATE member SET disabled = 1 WHERE id = ?1");
  sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  char *hdr = g_strconcat("Bearer ", token, NULL);
  ck_assert_int_eq(auth_bearer(db, secret, hdr, &who), -EACCES);
  g_free(hdr);
  g_free(token);
  member_free(&m);
}
END_TEST

START_TEST(role_order)
{
  Member v = { .role = ROLE_VIEWER }, e = { .role = ROLE_EDITOR }, a = { .role = ROLE_ADMIN };
  ck_assert(!auth_role_at_least(&v, ROLE_EDITOR));
  ck_assert(auth_role_at_least(&e, ROLE_EDITOR));
  ck_assert(!auth_role_at_least(&e, ROLE_ADMIN));
  ck_assert(auth_role_at_least(&a, ROLE_EDITOR));
  ck_assert(!auth_role_at_least(NULL, ROLE_VIEWER));
}
END_TEST

START_TEST(bad_names_are_refused)
{
  Member *m = NULL;
  char *token = NULL;
  char *longname = g_strnfill(101, 'x');
  ck_assert_int_eq(auth_member_create(db, secret, "", ROLE_VIEWER, false, &m, &token), -EINVAL);
  ck_assert_int_eq(auth_member_create(db, secret, longname, ROLE_VIEWER, false, &m, &token), -EINVAL);
  ck_assert_int_eq(auth_member_create(db, secret, "\xff\xfe", ROLE_VIEWER, false, &m, &token), -EINVAL);
  ck_assert_ptr_null(m);
  g_free(longname);
}
END_TEST

static Suite *auth_suite(void)
{
  Suite *s = suite_create("auth");
  TCase *tc = tcase_create("auth");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, bearer_resolves_member_and_hash_is_at_rest);
  tcase_add_test(tc, missing_and_malformed_headers);
  tcase_add_test(tc, disabled_member_is_refused);
  tcase_add_test(tc, role_order);
  tcase_add_test(tc, bad_names_are_refused);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(auth_suite)
