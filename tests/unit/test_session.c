/* Tests for src/auth/session.c: ids only as hashes, idle and absolute expiry, disabled
 * members, sign-out, the CSRF token, the cookie. Times are relative to now. */
#include "auth/auth.h"
#include "auth/session.h"
#include "db_fixture.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static const guint8 key[TOKEN_SECRET_LEN] = { 7, 7 };
static const guint8 other_key[TOKEN_SECRET_LEN] = { 8 };
static Member *member;

static void setup(void)
{
  db = tu_db_open(&dir);
  char *token = NULL;
  ck_assert_int_eq(auth_member_create(db, key, "王师傅", ROLE_VIEWER, true, &member, &token), 0);
  g_free(token);
}

static void teardown(void)
{
  member_free(&member);
  tu_db_close(&db, &dir);
}

static int count(const char *sql)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  int n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return n;
}

START_TEST(created_session_signs_in_and_is_stored_only_hashed)
{
  gint64 now = util_now();
  char *id = NULL;
  ck_assert_int_eq(session_create(db, key, member->id, "token", 3600, now, &id), 0);
  ck_assert_int_eq(strlen(id), 43);
  sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM session WHERE id_hash = ?1 OR id_hash LIKE '%' || ?1 || '%'");
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_int_eq(sqlite3_column_int(st, 0), 0); /* the id itself is nowhere */
  sqlite3_finalize(st);
  ck_assert_int_eq(count("SELECT count(*) FROM session"), 1);

  Member *m = NULL;
  DbSession info = { 0 };
  ck_assert_int_eq(session_check(db, key, id, 600, now + 10, &m, &info), 0);
  ck_assert_str_eq(m->id, member->id);
  ck_assert_str_eq(info.method, "token");
  ck_assert_int_eq(info.expires_at, now + 3600);
  member_free(&m);
  db_session_clear(&info);

  /* Another server secret does not know it; neither does a changed id. */
  ck_assert_int_eq(session_check(db, other_key, id, 600, now, &m, NULL), -EACCES);
  char *changed = g_strdup(id);
  changed[5] = changed[5] == 'a' ? 'b' : 'a';
  ck_assert_int_eq(session_check(db, key, changed, 600, now, &m, NULL), -EACCES);
  ck_assert_int_eq(session_check(db, key, "short", 600, now, &m, NULL), -EACCES);
  ck_assert_int_eq(session_check(db, key, NULL, 600, now, &m, NULL), -EACCES);
  ck_assert_ptr_null(m);
  g_free(changed);
  g_free(id);
}
END_TEST

START_TEST(idle_session_ends)
{
  gint64 now = util_now();
  char *id = NULL;
  Member *m = NULL;
  ck_assert_int_eq(session_create(db, key, member->id, "token", 100000, now, &id), 0);
  /* Used within the idle time, it stays (and is touched: the idle time starts again). */
  ck_assert_int_eq(session_check(db, key, id, 600, now + 500, &m, NULL), 0);
  member_free(&m);
  ck_assert_int_eq(session_check(db, key, id, 600, now + 1000, &m, NULL), 0);
  member_free(&m);
  /* Then idle for longer than 600 s. */
  ck_assert_int_eq(session_check(db, key, id, 600, now + 1601, &m, NULL), -EACCES);
  ck_assert_ptr_null(m);
  ck_assert_int_eq(count("SELECT count(*) FROM session"), 0); /* removed */
  g_free(id);
}
END_TEST

START_TEST(session_ends_at_its_lifetime_however_used)
{
  gint64 now = util_now();
  char *id = NULL;
  Member *m = NULL;
  ck_assert_int_eq(session_create(db, key, member->id, "token", 1000, now, &id), 0);
  for (gint64 t = now + 300; t < now + 1000; t += 300) {
    ck_assert_int_eq(session_check(db, key, id, 600, t, &m, NULL), 0);
    member_free(&m);
  }
  ck_assert_int_eq(session_check(db, key, id, 600, now + 1000, &m, NULL), -EACCES);
  g_free(id);
}
END_TEST

START_TEST(disabled_member_and_sign_out)
{
  gint64 now = util_now();
  char *a = NULL, *b = NULL;
  Member *m = NULL;
  ck_assert_int_eq(session_create(db, key, member->id, "token", 1000, now, &a), 0);
  ck_assert_int_eq(session_create(db, key, member->id, "token", 1000, now, &b), 0);
  ck_assert_str_ne(a, b);
  ck_assert_int_eq(session_end(db, key, a), 0);
  ck_assert_int_eq(session_check(db, key, a, 600, now, &m, NULL), -EACCES);
  ck_assert_int_eq(session_end(db, key, a), -ENOENT);
  ck_assert_int_eq(session_check(db, key, b, 600, now, &m, NULL), 0); /* the other device stays */
  member_free(&m);
  ck_assert_int_eq(db_member_set_flag(db, member->id, MEMBER_DISABLED, true), 0);
  ck_assert_int_eq(session_check(db, key, b, 600, now, &m, NULL), -EACCES);
  ck_assert_int_eq(session_create(db, key, "nobody", "token", 1000, now, &a), -EINVAL);
  g_free(a);
  g_free(b);
}
END_TEST

START_TEST(csrf_token_is_bound_to_session_and_secret)
{
  const char *id = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";
  char *t = session_csrf_token(key, id);
  ck_assert(session_csrf_ok(key, id, t));
  ck_assert(!session_csrf_ok(key, "bbcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ", t));
  ck_assert(!session_csrf_ok(other_key, id, t));
  ck_assert(!session_csrf_ok(key, id, NULL));
  ck_assert(!session_csrf_ok(key, id, ""));
  t[3] = t[3] == '0' ? '1' : '0';
  ck_assert(!session_csrf_ok(key, id, t));
  g_free(t);
}
END_TEST

START_TEST(cookie_found_and_written)
{
  const char *id = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_Q";
  char *found = NULL;
  g_autofree char *h1 = g_strdup_printf("a=1; lectern_session=%s; b=2", id);
  ck_assert_int_eq(session_cookie_find(h1, &found), 0);
  ck_assert_str_eq(found, id);
  g_clear_pointer(&found, g_free);
  /* Malformed values and other names are passed over. */
  g_autofree char *h2 = g_strdup_printf("lectern_session=bad'value; xlectern_session=%s", id);
  ck_assert_int_eq(session_cookie_find(h2, &found), -ENOENT);
  ck_assert_int_eq(session_cookie_find(NULL, &found), -ENOENT);
  ck_assert_int_eq(session_cookie_find("", &found), -ENOENT);

  g_autofree char *set = session_cookie_header(id, 3600, false);
  ck_assert_str_eq(set, "lectern_session=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_Q; Path=/; "
                        "Max-Age=3600; HttpOnly; SameSite=Lax");
  g_autofree char *secure = session_cookie_header(id, 60, true);
  ck_assert(g_str_has_suffix(secure, "; HttpOnly; SameSite=Lax; Secure"));
  g_autofree char *clear = session_cookie_header(NULL, 3600, false);
  ck_assert_str_eq(clear, "lectern_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
  g_autofree char *hint = session_hint_header(60, true);
  ck_assert_str_eq(hint, "lectern_signed_in=1; Path=/; Max-Age=60; SameSite=Lax; Secure");
  g_autofree char *unhint = session_hint_header(0, false);
  ck_assert_str_eq(unhint, "lectern_signed_in=; Path=/; Max-Age=0; SameSite=Lax");
}
END_TEST

static Suite *session_suite(void)
{
  Suite *s = suite_create("session");
  TCase *tc = tcase_create("session");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, created_session_signs_in_and_is_stored_only_hashed);
  tcase_add_test(tc, idle_session_ends);
  tcase_add_test(tc, session_ends_at_its_lifetime_however_used);
  tcase_add_test(tc, disabled_member_and_sign_out);
  tcase_add_test(tc, csrf_token_is_bound_to_session_and_secret);
  tcase_add_test(tc, cookie_found_and_written);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(session_suite)
