/* Tests for src/db/db_oidc.c: pending sign-ins taken once and only before they expire
 * (abandoned ones cleared), and provider accounts linked to members. */
#include "auth/auth.h"
#include "db/db_oidc.h"
#include "db_fixture.h"

#include <errno.h>

static char *dir;
static Db *db;
static const guint8 key[TOKEN_SECRET_LEN] = { 3 };

static void setup(void) { db = tu_db_open(&dir); }
static void teardown(void) { tu_db_close(&db, &dir); }

static int pending_rows(void)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM oidc_pending");
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  int n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return n;
}

START_TEST(pending_is_taken_once)
{
  gint64 now = util_now();
  char *back = NULL;
  ck_assert_int_eq(db_oidc_pending_add(db, "h1", "/a", now, now + 60), 0);
  ck_assert_int_eq(db_oidc_pending_add(db, "h1", "/b", now, now + 60), -EEXIST);
  ck_assert_int_eq(db_oidc_pending_add(db, "h2", "/b", now, now), -EINVAL); /* expires at once */
  ck_assert_int_eq(db_oidc_pending_add(db, "h3", "/c", now, now + 10), 0);
  ck_assert_int_eq(db_oidc_pending_take(db, "h1", now + 59, &back), 0);
  ck_assert_str_eq(back, "/a");
  g_clear_pointer(&back, g_free);
  ck_assert_int_eq(db_oidc_pending_take(db, "h1", now, &back), -ENOENT);
  ck_assert_int_eq(db_oidc_pending_take(db, "h3", now + 10, &back), -ENOENT); /* expired: and removed */
  ck_assert_ptr_null(back);
  ck_assert_int_eq(db_oidc_pending_add(db, "h4", "/d", now, now + 10), 0);
  ck_assert_int_eq(db_oidc_pending_add(db, "h5", "/e", now + 20, now + 30), 0); /* clears h4 */
  ck_assert_int_eq(pending_rows(), 1);
}
END_TEST

START_TEST(identities_link_accounts_to_members)
{
  Member *m = NULL;
  char *t = NULL, *id = NULL;
  ck_assert_int_eq(auth_member_create(db, key, "张三", ROLE_VIEWER, false, &m, &t), 0);
  gint64 now = util_now();
  ck_assert_int_eq(db_oidc_identity_get(db, "https://id", "sub-1", &id), -ENOENT);
  ck_assert_int_eq(db_oidc_identity_put(db, "https://id", "sub-1", m->id, "1001", "一部", now), 0);
  ck_assert_int_eq(db_oidc_identity_put(db, "https://id", "sub-1", m->id, "1002", "二部", now + 1), 0);
  ck_assert_int_eq(db_oidc_identity_put(db, "https://id", "sub-2", "nobody", "", "", now), -EINVAL);
  ck_assert_int_eq(db_oidc_identity_get(db, "https://id", "sub-1", &id), 0);
  ck_assert_str_eq(id, m->id);
  g_free(id);
  ck_assert_int_eq(db_oidc_identity_get(db, "https://other", "sub-1", &id), -ENOENT); /* per issuer */
  sqlite3_stmt *st = db_prepare(db, "SELECT member_number, unit FROM member_identity");
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "1002");
  ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), "二部");
  sqlite3_finalize(st);
  member_free(&m);
  g_free(t);
}
END_TEST

static Suite *db_oidc_suite(void)
{
  Suite *s = suite_create("db_oidc");
  TCase *tc = tcase_create("db_oidc");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, pending_is_taken_once);
  tcase_add_test(tc, identities_link_accounts_to_members);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(db_oidc_suite)
