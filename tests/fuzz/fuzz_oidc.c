/* Fuzz target: the OpenID Connect ID token checks — src/auth/oidc_jwt.c (the compact JWS read
 * and verified by cjose against a key set, then iss, aud/azp, exp, iat, nonce) and
 * src/auth/oidc_claims.c (the claims mapped to a member's fields, userinfo merged). The
 * fuzzer cannot forge a signature, so an input is one of:
 *
 *   a claims payload (its first character that is not a space is "{"): the target signs it
 *   as it is with its fixed ES256 key, as a provider would, and verifies it against the
 *   key's public set; an optional line "--" is followed by a userinfo answer to merge;
 *
 *   anything else: a compact ID token on the first line, checked against the target's key
 *   set, or against the key set (JSON) that follows it on the next lines.
 *
 * Every answer must be one of oidc_jwt_verify's documented ones; a token the published key
 * signed is never refused for its signature; what maps fits the members table. */
#include "fuzz.h"
#include "auth/oidc_claims.h"
#include "auth/oidc_jwt.h"

#include <cjose/cjose.h>
#include <errno.h>

/* A P-256 key made once for this target (tests/fuzz/make-seeds signs its token seeds with it). */
static const char key_json[] =
  "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"fuzz-1\",\"use\":\"sig\","
  "\"x\":\"Whb1TljltJOFS7fbBJLSquuqwpq7ZARz98uUvuRPIXE\","
  "\"y\":\"xArd5IbLXVF--WszzhufvLwyvWNxB3AOnkFlXx9rVFY\","
  "\"d\":\"o8i07uIgKdQMwUD1ZUvSqiw4wq9WlcXFSykDiqZKRvI\"}";

static cjose_jwk_t *key;
static cjose_header_t *header;
static char *jwks;
static const OidcExpect expect = { .issuer = "https://id.example.org", .client_id = "lectern",
                                   .nonce = "n-0S6_WzA2Mj", .now = 1800000000, .skew = 60,
                                   .max_age = 600 };
static const OidcClaimMap map = { .name = "name", .member_number = "employee.number",
                                  .unit = "org", .verified_claim = "realname",
                                  .verified_value = "true" };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  cjose_err err;
  key = cjose_jwk_import(key_json, strlen(key_json), &err);
  FUZZ_CHECK(key);
  char *pub = cjose_jwk_to_json(key, false, &err);
  FUZZ_CHECK(pub);
  jwks = g_strdup_printf("{\"keys\":[%s]}", pub);
  free(pub);
  header = cjose_header_new(&err);
  FUZZ_CHECK(header && cjose_header_set(header, CJOSE_HDR_ALG, CJOSE_HDR_ALG_ES256, &err) &&
             cjose_header_set(header, CJOSE_HDR_KID, "fuzz-1", &err));
  return 0;
}

static JsonObject *parse_object(const char *text)
{
  JsonParser *p = json_parser_new();
  JsonObject *o = NULL;
  if (json_parser_load_from_data(p, text, -1, NULL) && JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
    o = json_object_ref(json_node_get_object(json_parser_get_root(p)));
  g_object_unref(p);
  return o;
}

static void check_identity(JsonObject *claims)
{
  OidcIdentity id = { 0 };
  int rc = oidc_claims_map(claims, &map, &id);
  FUZZ_CHECK(rc == 0 || rc == -EINVAL);
  if (rc == 0) {
    FUZZ_CHECK(id.subject && id.subject[0] && g_utf8_validate(id.subject, -1, NULL));
    FUZZ_CHECK(id.display_name && id.display_name[0] && g_utf8_validate(id.display_name, -1, NULL));
    FUZZ_CHECK(g_utf8_strlen(id.display_name, -1) <= 100);
    FUZZ_CHECK(id.member_number && g_utf8_validate(id.member_number, -1, NULL) &&
               g_utf8_strlen(id.member_number, -1) <= 64);
    FUZZ_CHECK(id.unit && g_utf8_validate(id.unit, -1, NULL) && g_utf8_strlen(id.unit, -1) <= 200);
  }
  oidc_identity_clear(&id);
}

static void check_answer(int rc, JsonObject *claims, const char *userinfo)
{
  FUZZ_CHECK(rc == 0 || rc == -ENOKEY || rc == -EBADMSG || rc == -EKEYEXPIRED || rc == -ETIME ||
             rc == -EACCES || rc == -EPROTO || rc == -EINVAL);
  FUZZ_CHECK(oidc_jwt_strerror(rc)[0]);
  FUZZ_CHECK((rc == 0) == (claims != NULL));
  if (!claims)
    return;
  check_identity(claims);
  JsonObject *info = userinfo ? parse_object(userinfo) : NULL;
  if (info) {
    int m = oidc_claims_merge(claims, info);
    FUZZ_CHECK(m == 0 || m == -EACCES);
    if (m == 0)
      check_identity(claims);
    json_object_unref(info);
  }
  json_object_unref(claims);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = g_strndup((const char *)data, size);  /* tokens and answers are text */
  const char *s = text;
  while (g_ascii_isspace(*s))
    s++;
  JsonObject *claims = NULL;
  if (*s == '{') {
    char *userinfo = strstr(text, "\n--\n");
    if (userinfo) {
      *userinfo = '\0';
      userinfo += 4;
    }
    cjose_err err;
    cjose_jws_t *jws = cjose_jws_sign(key, header, (const uint8_t *)text, strlen(text), &err);
    const char *compact = NULL;
    if (jws && cjose_jws_export(jws, &compact, &err)) {
      int rc = oidc_jwt_verify(compact, jwks, &expect, &claims);
      /* Signed with the published key: never refused for the signature or the key. */
      FUZZ_CHECK(rc != -EBADMSG || strlen(compact) > 64 * 1024);
      FUZZ_CHECK(rc != -ENOKEY);
      check_answer(rc, claims, userinfo);
    }
    cjose_jws_release(jws);
  } else {
    char *nl = strchr(text, '\n');
    const char *set = jwks;
    if (nl) {
      *nl = '\0';
      if (nl[1])
        set = nl + 1;
    }
    int rc = oidc_jwt_verify(text, set, &expect, &claims);
    check_answer(rc, claims, NULL);
  }
  g_free(text);
  return 0;
}
