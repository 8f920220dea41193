/* Tests for src/auth/oidc_jwt.c: ID tokens made here with cjose and checked — the signature
 * against a key set (another key, an unknown kid, "none" and HMAC refused), then iss, aud
 * (with azp), exp and iat (with the skew), and the nonce. Times relative to now. */
#include "auth/oidc_jwt.h"
#include "core/util.h"
#include "testutil.h"

#include <check.h>
#include <cjose/cjose.h>
#include <errno.h>
#include <string.h>

static cjose_jwk_t *key_a, *key_b, *key_h;
static char *jwks;        /* {"keys":[A as "a", H as "h"]} */
static gint64 now;

static cjose_jwk_t *rsa(const char *kid)
{
  cjose_err err;
  cjose_jwk_t *k = cjose_jwk_create_RSA_random(2048, NULL, 0, &err);
  ck_assert_ptr_nonnull(k);
  ck_assert(cjose_jwk_set_kid(k, kid, strlen(kid), &err));
  return k;
}

static void setup(void)
{
  cjose_err err;
  key_a = rsa("a");
  key_b = rsa("a"); /* another key under the same kid */
  key_h = cjose_jwk_create_oct_random(32, &err);
  cjose_jwk_set_kid(key_h, "h", 1, &err);
  char *a = cjose_jwk_to_json(key_a, false, &err), *h = cjose_jwk_to_json(key_h, true, &err);
  jwks = g_strdup_printf("{\"keys\":[%s,%s]}", a, h);
  free(a), free(h);
  now = util_now();
}

static void teardown(void)
{
  cjose_jwk_release(key_a), cjose_jwk_release(key_b), cjose_jwk_release(key_h);
  g_free(jwks);
}

/* A compact JWS of CLAIMS signed by K with ALG and KID. Caller frees. */
static char *sign(cjose_jwk_t *k, const char *alg, const char *kid, const char *claims)
{
  cjose_err err;
  cjose_header_t *h = cjose_header_new(&err);
  cjose_header_set(h, CJOSE_HDR_ALG, alg, &err);
  if (kid)
    cjose_header_set(h, CJOSE_HDR_KID, kid, &err);
  cjose_jws_t *jws = cjose_jws_sign(k, h, (const uint8_t *)claims, strlen(claims), &err);
  ck_assert_msg(jws != NULL, "sign: %s", err.message);
  const char *ser = NULL;
  ck_assert(cjose_jws_export(jws, &ser, &err));
  char *out = g_strdup(ser);
  cjose_jws_release(jws);
  cjose_header_release(h);
  return out;
}

/* Claims relative to NOW with EXP/IAT offsets, AUD (JSON) and NONCE. */
static char *claims(gint64 exp, gint64 iat, const char *aud, const char *extra)
{
  return g_strdup_printf("{\"iss\":\"https://id.example\",\"sub\":\"u1\",\"aud\":%s,\"exp\":%" G_GINT64_FORMAT
                         ",\"iat\":%" G_GINT64_FORMAT ",\"nonce\":\"n-1\"%s}", aud, now + exp, now + iat,
                         extra ? extra : "");
}

static int verify(const char *token)
{
  OidcExpect e = { .issuer = "https://id.example", .client_id = "lectern", .nonce = "n-1",
                   .now = now, .skew = 60, .max_age = 600 };
  JsonObject *c = NULL;
  int ret = oidc_jwt_verify(token, jwks, &e, &c);
  if (ret == 0) {
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(json_object_get_string_member(c, "sub"), "u1");
    json_object_unref(c);
  }
  return ret;
}

static int check(cjose_jwk_t *k, const char *alg, const char *kid, gint64 exp, gint64 iat, const char *aud,
                 const char *extra)
{
  g_autofree char *c = claims(exp, iat, aud, extra);
  g_autofree char *t = sign(k, alg, kid, c);
  return verify(t);
}

START_TEST(signatures)
{
  ck_assert_int_eq(check(key_a, "RS256", "a", 300, 0, "\"lectern\"", NULL), 0);
  ck_assert_int_eq(check(key_a, "RS256", NULL, 300, 0, "\"lectern\"", NULL), 0); /* no kid: any key */
  ck_assert_int_eq(check(key_b, "RS256", "a", 300, 0, "\"lectern\"", NULL), -EBADMSG);
  ck_assert_int_eq(check(key_b, "RS256", "b", 300, 0, "\"lectern\"", NULL), -ENOKEY);
  ck_assert_int_eq(check(key_h, "HS256", "h", 300, 0, "\"lectern\"", NULL), -EBADMSG);
  /* "none": header and payload with an empty signature. */
  g_autofree char *c = claims(300, 0, "\"lectern\"", NULL);
  g_autofree char *head = util_base64url((const guint8 *)"{\"alg\":\"none\"}", 13);
  g_autofree char *body = util_base64url((const guint8 *)c, strlen(c));
  g_autofree char *none = g_strconcat(head, ".", body, ".", NULL);
  ck_assert_int_eq(verify(none), -EBADMSG);
  /* A good token with one byte of its payload changed. */
  g_autofree char *t = sign(key_a, "RS256", "a", c);
  char *dot = strchr(t, '.') + 5;
  *dot = *dot == 'A' ? 'B' : 'A';
  ck_assert_int_eq(verify(t), -EBADMSG);
  ck_assert_int_eq(verify("not.a.jws"), -EBADMSG);
  ck_assert_int_eq(verify(""), -EBADMSG);
  /* Not a compact JWS: refused before libcjose sees it, which aborts the process on a part
   * whose length leaves one base64 character over (a '=' inside a part makes one). Each of
   * these is the good token with one thing wrong. */
  g_autofree char *good = sign(key_a, "RS256", "a", c);
  ck_assert_int_eq(verify(good), 0);
  char *p1 = strchr(good, '.'), *p2 = strchr(p1 + 1, '.');
  g_autofree char *pad = g_strdup(good);
  pad[(p1 - good) + 1 + 9] = '=';                   /* padding inside the payload, after 9 characters */
  ck_assert_int_eq(verify(pad), -EBADMSG);
  g_autofree char *odd = g_strdup_printf("%.*sA%s", (int)(p2 - good), good, p2); /* one character more */
  g_autofree char *odd2 = g_strdup_printf("%.*sAA%s", (int)(p2 - good), good, p2);
  g_autofree char *odd3 = g_strdup_printf("%.*sAAA%s", (int)(p2 - good), good, p2);
  ck_assert_int_eq(verify(odd), -EBADMSG);          /* whichever of these leaves one over */
  ck_assert_int_eq(verify(odd2), -EBADMSG);
  ck_assert_int_eq(verify(odd3), -EBADMSG);
  g_autofree char *bin = g_strdup(good);
  bin[(p1 - good) + 3] = (char)0x8e;                /* not base64url */
  ck_assert_int_eq(verify(bin), -EBADMSG);
  g_autofree char *four = g_strconcat(good, ".", p2 + 1, NULL); /* four parts */
  ck_assert_int_eq(verify(four), -EBADMSG);
  g_autofree char *empty_sig = g_strndup(good, (gsize)(p2 - good) + 1);
  ck_assert_int_eq(verify(empty_sig), -EBADMSG);
  /* The same in the key set: keys with a member libcjose would abort on ("x=": one base64
   * character, then padding), or with a member that is not a string, are skipped; the good
   * key after them still verifies. */
  OidcExpect e = { .issuer = "https://id.example", .client_id = "lectern", .nonce = "n-1",
                   .now = now, .skew = 60, .max_age = 600 };
  JsonObject *got = NULL;
  const char *keys = strstr(jwks, "[") + 1;
  g_autofree char *bad_set = g_strdup_printf("{\"keys\":[{\"kty\":\"oct\",\"k\":\"x=\"},"
                                             "{\"kty\":\"RSA\",\"kid\":\"a\",\"n\":\"AAAAA\",\"e\":\"AQAB\"},"
                                             "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":7,\"y\":\"AA\"},%s", keys);
  g_autofree char *no_kid = sign(key_a, "RS256", NULL, c); /* every key is tried */
  ck_assert_int_eq(oidc_jwt_verify(no_kid, bad_set, &e, &got), 0);
  json_object_unref(got);
  g_autofree char *only_bad = g_strdup("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"Q=AA\",\"e\":\"AQAB\"}]}");
  ck_assert_int_eq(oidc_jwt_verify(no_kid, only_bad, &e, &got), -ENOKEY);
}
END_TEST

START_TEST(claims_are_checked)
{
  ck_assert_int_eq(check(key_a, "RS256", "a", -61, -120, "\"lectern\"", NULL), -EKEYEXPIRED);
  ck_assert_int_eq(check(key_a, "RS256", "a", -30, -120, "\"lectern\"", NULL), 0);   /* within the skew */
  ck_assert_int_eq(check(key_a, "RS256", "a", 300, 120, "\"lectern\"", NULL), -ETIME); /* issued in the future */
  ck_assert_int_eq(check(key_a, "RS256", "a", 3000, -700, "\"lectern\"", NULL), -ETIME); /* too old */
  ck_assert_int_eq(check(key_a, "RS256", "a", 300, 0, "\"other\"", NULL), -EACCES);
  ck_assert_int_eq(check(key_a, "RS256", "a", 300, 0, "[\"other\",\"x\"]", NULL), -EACCES);
  ck_assert_int_eq(check(key_a, "RS256", "a", 300, 0, "[\"lectern\"]", NULL), 0);
  ck_assert_int_eq(check(key_a, "RS256", "a", 300, 0, "[\"lectern\",\"x\"]", NULL), -EACCES); /* no azp */
  ck_assert_int_eq(check(key_a, "RS256", "a", 300, 0, "[\"lectern\",\"x\"]", ",\"azp\":\"lectern\""), 0);
  g_autofree char *c = g_strdup_printf("{\"iss\":\"https://evil.example\",\"sub\":\"u1\",\"aud\":\"lectern\","
                                       "\"exp\":%" G_GINT64_FORMAT ",\"iat\":%" G_GINT64_FORMAT ",\"nonce\":\"n-1\"}",
                                       now + 300, now);
  g_autofree char *t = sign(key_a, "RS256", "a", c);
  ck_assert_int_eq(verify(t), -EACCES);
  g_autofree char *c2 = g_strdup_printf("{\"iss\":\"https://id.example\",\"sub\":\"u1\",\"aud\":\"lectern\","
                                        "\"exp\":%" G_GINT64_FORMAT ",\"iat\":%" G_GINT64_FORMAT ",\"nonce\":\"n-2\"}",
                                        now + 300, now);
  g_autofree char *t2 = sign(key_a, "RS256", "a", c2);
  ck_assert_int_eq(verify(t2), -EPROTO);
  g_autofree char *t3 = sign(key_a, "RS256", "a", "[1,2]");
  ck_assert_int_eq(verify(t3), -EINVAL);
  ck_assert_str_eq(oidc_jwt_strerror(-EKEYEXPIRED), "the ID token has expired");
}
END_TEST

static Suite *oidc_jwt_suite(void)
{
  Suite *s = suite_create("oidc_jwt");
  TCase *tc = tcase_create("oidc_jwt");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, signatures);
  tcase_add_test(tc, claims_are_checked);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(oidc_jwt_suite)
