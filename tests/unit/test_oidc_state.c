/* Tests for src/auth/oidc_state.c: state, nonce and PKCE — a state is used once and expires,
 * nothing secret is stored, and the S256 challenge is RFC 7636's. Times relative to now. */
#include "auth/oidc_state.h"
#include "db_fixture.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static const guint8 key[TOKEN_SECRET_LEN] = { 1 };
static const guint8 other_key[TOKEN_SECRET_LEN] = { 2 };

static void setup(void) { db = tu_db_open(&dir); }
static void teardown(void) { tu_db_close(&db, &dir); }

START_TEST(challenge_is_rfc7636_s256)
{
  /* base64url(SHA-256) of the verifier, as Python's hashlib and base64 compute it. */
  char *c = oidc_state_challenge("dBjftJeZ4CVP-mJ92K1uAUyQfAE4UqrGv8u3rbDObjk");
  ck_assert_str_eq(c, "jQWssxVIPMhtPSmzcDkQo-ugiZ_pX6O6fnVqBG9S5TA");
  g_free(c);
}
END_TEST

START_TEST(verifier_and_nonce_are_derived_under_the_key)
{
  const char *state = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE";
  char *v = oidc_state_verifier(key, state), *v2 = oidc_state_verifier(key, state);
  char *w = oidc_state_verifier(other_key, state);
  char *n = oidc_state_nonce(key, state);
  ck_assert_int_eq(strlen(v), 43); /* RFC 7636's minimum length */
  ck_assert_uint_eq(strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
  ck_assert_str_eq(v, v2);
  ck_assert_str_ne(v, w);
  ck_assert_str_ne(v, n);
  g_free(v), g_free(v2), g_free(w), g_free(n);
}
END_TEST

START_TEST(state_is_used_once_and_expires)
{
  gint64 now = util_now();
  char *s1 = NULL, *s2 = NULL, *back = NULL;
  ck_assert_int_eq(oidc_state_begin(db, key, "/me.html", now, 600, &s1), 0);
  ck_assert_int_eq(oidc_state_begin(db, key, "/", now, 600, &s2), 0);
  ck_assert_str_ne(s1, s2);
  ck_assert_int_eq(strlen(s1), 43);
  ck_assert_int_eq(oidc_state_take(db, other_key, s1, now, &back), -EACCES); /* another secret */
  ck_assert_int_eq(oidc_state_take(db, key, s1, now + 599, &back), 0);
  ck_assert_str_eq(back, "/me.html");
  g_clear_pointer(&back, g_free);
  ck_assert_int_eq(oidc_state_take(db, key, s1, now + 1, &back), -EACCES); /* used */
  ck_assert_int_eq(oidc_state_take(db, key, s2, now + 600, &back), -EACCES); /* expired */
  ck_assert_int_eq(oidc_state_take(db, key, s2, now, &back), -EACCES);       /* and gone */
  static const char *const bad[] = { "", "short", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'", NULL };
  for (int i = 0; i < 5; i++)
    ck_assert_int_eq(oidc_state_take(db, key, bad[i], now, &back), -EACCES);
  ck_assert_ptr_null(back);
  /* Only the state's HMAC is stored. */
  char *s3 = NULL;
  ck_assert_int_eq(oidc_state_begin(db, key, "/x", now, 600, &s3), 0);
  sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM oidc_pending WHERE state_hash = ?1 OR return_to = ?1");
  sqlite3_bind_text(st, 1, s3, -1, SQLITE_STATIC);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  ck_assert_int_eq(sqlite3_column_int(st, 0), 0);
  sqlite3_finalize(st);
  g_free(s1), g_free(s2), g_free(s3);
}
END_TEST

static Suite *oidc_state_suite(void)
{
  Suite *s = suite_create("oidc_state");
  TCase *tc = tcase_create("oidc_state");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, challenge_is_rfc7636_s256);
  tcase_add_test(tc, verifier_and_nonce_are_derived_under_the_key);
  tcase_add_test(tc, state_is_used_once_and_expires);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(oidc_state_suite)
