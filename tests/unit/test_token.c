/* Tests for src/auth/token.c: credential shape, hashing under the secret, verification. */
#include "auth/token.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static char *dir;
static void setup(void) { dir = tu_tmpdir(); }
static void teardown(void) { tu_rmtree(dir); g_free(dir); }

static const guint8 key_a[TOKEN_SECRET_LEN] = { 1, 2, 3 };
static const guint8 key_b[TOKEN_SECRET_LEN] = { 9, 9, 9 };

START_TEST(new_token_parses_back_to_member)
{
  char *t = token_new("AbC-_12");
  char *id = NULL;
  ck_assert(g_str_has_prefix(t, "lct1.AbC-_12."));
  ck_assert_int_eq(token_parse(t, &id), 0);
  ck_assert_str_eq(id, "AbC-_12");
  char *t2 = token_new("AbC-_12");
  ck_assert_str_ne(t, t2); /* random part differs */
  g_free(id);
  g_free(t);
  g_free(t2);
}
END_TEST

static const char *const malformed[] = {
  "", "lct1.", "lct1..abcdefghijklmnopqrstu", "lct2.id.abcdefghijklmnopqrstuv",
  "lct1.id.short", "lct1.i d.abcdefghijklmnopqrstuv", "lct1.id.abcdefghijklmno'pqrstuv",
  "Bearer lct1.id.abcdefghijklmnopqrstuv",
};

START_TEST(malformed_tokens_are_refused)
{
  char *id = NULL;
  ck_assert_int_eq(token_parse(malformed[_i], &id), -EINVAL);
  ck_assert_ptr_null(id);
}
END_TEST

START_TEST(overlong_token_is_refused)
{
  char *id = NULL;
  char *big = g_strnfill(TOKEN_MAX_LEN + 10, 'a');
  char *t = g_strconcat("lct1.id.", big, NULL);
  ck_assert_int_eq(token_parse(t, &id), -EINVAL);
  g_free(t);
  g_free(big);
}
END_TEST

START_TEST(hash_depends_on_secret_and_verifies)
{
  char *t = token_new("m1");
  char *ha = token_hash(key_a, t), *ha2 = token_hash(key_a, t), *hb = token_hash(key_b, t);
  ck_assert_str_eq(ha, ha2);
  ck_assert_str_ne(ha, hb);
  ck_assert_uint_eq(strlen(ha), 64);
  ck_assert(strstr(ha, t) == NULL);
  ck_assert(token_verify(key_a, t, ha));
  ck_assert(!token_verify(key_b, t, ha));
  char *altered = g_strdup(t);
  altered[strlen(altered) - 1] ^= 1;
  ck_assert(!token_verify(key_a, altered, ha));
  ck_assert(!token_verify(key_a, t, "short"));
  ck_assert(!token_verify(key_a, NULL, ha));
  g_free(altered);
  g_free(t);
  g_free(ha);
  g_free(ha2);
  g_free(hb);
}
END_TEST

/* token_hmac is plain HMAC-SHA256 of label then text (vectors from Python's hmac module),
 * and token_hash is its hex with no label. */
START_TEST(hmac_is_sha256_of_label_and_text)
{
  guint8 key[TOKEN_SECRET_LEN], mac[TOKEN_HMAC_LEN];
  for (int i = 0; i < TOKEN_SECRET_LEN; i++)
    key[i] = (guint8)i;
  token_hmac(key, "oidc-nonce:", "abc", mac);
  g_autofree char *hex = g_strdup("");
  for (int i = 0; i < TOKEN_HMAC_LEN; i++) {
    char *next = g_strdup_printf("%s%02x", hex, mac[i]);
    g_free(hex);
    hex = next;
  }
  ck_assert_str_eq(hex, "be77da6e051eff9c11ea736e70ed6cb03345b6ee7773c84b39c48c25d82f578c");
  guint8 split[TOKEN_HMAC_LEN];
  token_hmac(key, "oidc-", "nonce:abc", split);
  ck_assert(memcmp(mac, split, sizeof mac) == 0);
  g_autofree char *h = token_hash(key, "lct1.m.x");
  ck_assert_str_eq(h, "afcbb35371e22627b17a884aee60a39b3f47edaeb436cbb8ce1f75b5359bb0ed");
}
END_TEST

START_TEST(secret_is_created_once_private_and_reused)
{
  char *p = g_build_filename(dir, "secret.key", NULL), *err = NULL;
  guint8 k1[TOKEN_SECRET_LEN], k2[TOKEN_SECRET_LEN];
  ck_assert_int_eq(token_secret_load_or_create(p, k1, &err), 0);
  struct stat st;
  ck_assert_int_eq(stat(p, &st), 0);
  ck_assert_int_eq(st.st_mode & 0777, 0600);
  ck_assert_int_eq(st.st_size, TOKEN_SECRET_LEN);
  ck_assert_int_eq(token_secret_load_or_create(p, k2, &err), 0);
  ck_assert(memcmp(k1, k2, sizeof k1) == 0);
  g_free(p);
}
END_TEST

START_TEST(damaged_secret_is_refused_not_replaced)
{
  char *p = tu_write(dir, "secret.key", "too short"), *err = NULL;
  guint8 k[TOKEN_SECRET_LEN];
  ck_assert_int_eq(token_secret_load_or_create(p, k, &err), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "refusing"));
  char *text = NULL;
  ck_assert(g_file_get_contents(p, &text, NULL, NULL));
  ck_assert_str_eq(text, "too short");
  g_free(text);
  g_free(err);
  g_free(p);
}
END_TEST

static Suite *token_suite(void)
{
  Suite *s = suite_create("token");
  TCase *tc = tcase_create("token");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, new_token_parses_back_to_member);
  tcase_add_loop_test(tc, malformed_tokens_are_refused, 0, G_N_ELEMENTS(malformed));
  tcase_add_test(tc, overlong_token_is_refused);
  tcase_add_test(tc, hash_depends_on_secret_and_verifies);
  tcase_add_test(tc, hmac_is_sha256_of_label_and_text);
  tcase_add_test(tc, secret_is_created_once_private_and_reused);
  tcase_add_test(tc, damaged_secret_is_refused_not_replaced);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(token_suite)
