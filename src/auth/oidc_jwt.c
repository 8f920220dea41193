/* oidc_jwt: ID token signature (cjose) and claims checks. */
#include "auth/oidc_jwt.h"
#include "core/util.h"
#include "auth/oidc_claims.h"

#include <cjose/cjose.h>
#include <errno.h>
#include <string.h>

#define ID_TOKEN_MAX (64 * 1024)

/* Only public-key signatures: "none" proves nothing, and an HMAC key would be our own client
 * secret, which a provider's key set must not be able to stand in for. */
static const char *const algs_taken[] = { "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                                          "ES256", "ES384", "ES512", NULL };

static bool alg_taken(const char *alg)
{
  for (int i = 0; alg && algs_taken[i]; i++)
    if (strcmp(alg, algs_taken[i]) == 0)
      return true;
  return false;
}

/* base64url without padding (RFC 7515 §2), as JWS parts and JWK members are: checked before
 * libcjose decodes it, since libcjose 0.6.2 *asserts* (aborts the process) on a value whose
 * length leaves one character over (`shift != 1` in its base64.c) — which a '=' in the
 * middle makes (found by fuzz_oidc, in a token and in a key set). */
static bool b64url_ok(const char *t, size_t len)
{
  if (len == 0 || len % 4 == 1)
    return false;
  for (size_t i = 0; i < len; i++)
    if (!g_ascii_isalnum(t[i]) && t[i] != '-' && t[i] != '_')
      return false;
  return true;
}

/* The members of a JWK that libcjose decodes from base64url (RSA, EC, oct). A key with one
 * of them malformed is skipped, as one libcjose refuses is. */
static bool jwk_fields_ok(JsonObject *ko)
{
  static const char *const b64[] = { "n", "e", "d", "p", "q", "dp", "dq", "qi", "k", "x", "y" };
  for (guint i = 0; i < G_N_ELEMENTS(b64); i++) {
    JsonNode *m = json_object_get_member(ko, b64[i]);
    if (!m)
      continue;
    const char *v = JSON_NODE_HOLDS_VALUE(m) && json_node_get_value_type(m) == G_TYPE_STRING
                        ? json_node_get_string(m) : NULL;
    if (!v || !b64url_ok(v, strlen(v)))
      return false;
  }
  return true;
}

/* Tries the keys of JWKS on JWS: 0 when one with KID (any key when KID is NULL) verifies it,
 * -ENOKEY when none has KID, -EBADMSG when those that do fail. */
static int verify_with_set(cjose_jws_t *jws, const char *kid, const char *jwks_json)
{
  JsonParser *p = json_parser_new();
  int ret = -ENOKEY;
  if (!json_parser_load_from_data(p, jwks_json, -1, NULL) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
    g_object_unref(p);
    return -ENOKEY;
  }
  JsonObject *root = json_node_get_object(json_parser_get_root(p));
  JsonNode *keys = json_object_get_member(root, "keys");
  JsonArray *arr = keys && JSON_NODE_HOLDS_ARRAY(keys) ? json_node_get_array(keys) : NULL;
  for (guint i = 0; arr && i < json_array_get_length(arr) && ret != 0; i++) {
    JsonNode *k = json_array_get_element(arr, i);
    if (!JSON_NODE_HOLDS_OBJECT(k))
      continue;
    JsonObject *ko = json_node_get_object(k);
    g_autofree char *use = oidc_claims_text(ko, "use");
    g_autofree char *k_kid = oidc_claims_text(ko, "kid");
    if ((use && strcmp(use, "sig") != 0) || (kid && g_strcmp0(kid, k_kid) != 0) || !jwk_fields_ok(ko))
      continue;
    g_autofree char *text = util_json_text(k, false);
    cjose_err err;
    cjose_jwk_t *jwk = cjose_jwk_import(text, strlen(text), &err);
    if (!jwk)
      continue;
    if (cjose_jwk_get_kty(jwk, &err) == CJOSE_JWK_KTY_OCT)
      ret = -EBADMSG;
    else
      ret = cjose_jws_verify(jws, jwk, &err) ? 0 : -EBADMSG;
    cjose_jwk_release(jwk);
  }
  g_object_unref(p);
  return ret;
}

static bool aud_ok(JsonObject *c, const char *client_id)
{
  JsonNode *aud = json_object_get_member(c, "aud");
  if (!aud)
    return false;
  if (JSON_NODE_HOLDS_VALUE(aud))
    return g_strcmp0(json_node_get_string(aud), client_id) == 0;
  if (!JSON_NODE_HOLDS_ARRAY(aud))
    return false;
  JsonArray *a = json_node_get_array(aud);
  bool found = false;
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonNode *n = json_array_get_element(a, i);
    if (JSON_NODE_HOLDS_VALUE(n) && g_strcmp0(json_node_get_string(n), client_id) == 0)
      found = true;
  }
  if (found && json_array_get_length(a) > 1) {
    /* Several audiences: the token must say it was issued to us (OIDC Core 3.1.3.7). */
    g_autofree char *azp = oidc_claims_text(c, "azp");
    return g_strcmp0(azp, client_id) == 0;
  }
  return found;
}

static bool int_claim(JsonObject *c, const char *name, gint64 *out)
{
  JsonNode *n = json_object_get_member(c, name);
  if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
    return false;
  *out = json_node_get_int(n);
  return true;
}

static int check_claims(JsonObject *c, const OidcExpect *e)
{
  gint64 exp = 0, iat = 0;
  g_autofree char *iss = oidc_claims_text(c, "iss");
  g_autofree char *nonce = oidc_claims_text(c, "nonce");
  if (g_strcmp0(iss, e->issuer) != 0 || !aud_ok(c, e->client_id))
    return -EACCES;
  if (!int_claim(c, "exp", &exp))
    return -EINVAL;
  if (exp + e->skew <= e->now)
    return -EKEYEXPIRED;
  if (!int_claim(c, "iat", &iat) || iat > e->now + e->skew || iat < e->now - e->max_age - e->skew)
    return -ETIME;
  if (!nonce || !e->nonce || strcmp(nonce, e->nonce) != 0)
    return -EPROTO;
  return 0;
}

/* A JWS in compact form (RFC 7515 §7.1): three base64url parts joined by dots, checked
 * before libcjose sees the token (b64url_ok). */
static bool compact_jws_ok(const char *t, size_t len)
{
  const char *end = t + len;
  for (int part = 0; part < 3; part++) {
    const char *dot = memchr(t, '.', (size_t)(end - t));
    const char *stop = part < 2 ? dot : end;
    if (!stop || (part == 2 && dot) || !b64url_ok(t, (size_t)(stop - t)))
      return false;
    t = stop + 1;
  }
  return true;
}

int oidc_jwt_verify(const char *id_token, const char *jwks_json, const OidcExpect *e,
                    JsonObject **claims)
{
  size_t len = id_token ? strlen(id_token) : 0;
  if (len == 0 || len > ID_TOKEN_MAX || !jwks_json || !compact_jws_ok(id_token, len))
    return -EBADMSG;
  cjose_err err;
  cjose_jws_t *jws = cjose_jws_import(id_token, len, &err);
  if (!jws)
    return -EBADMSG;
  cjose_header_t *hdr = cjose_jws_get_protected(jws);
  const char *alg = hdr ? cjose_header_get(hdr, CJOSE_HDR_ALG, &err) : NULL;
  const char *kid = hdr ? cjose_header_get(hdr, CJOSE_HDR_KID, &err) : NULL;
  int ret = alg_taken(alg) ? verify_with_set(jws, kid, jwks_json) : -EBADMSG;
  uint8_t *plain = NULL;
  size_t plain_len = 0;
  if (ret == 0 && !cjose_jws_get_plaintext(jws, &plain, &plain_len, &err))
    ret = -EBADMSG;
  JsonParser *p = NULL;
  if (ret == 0) {
    p = json_parser_new();
    if (!json_parser_load_from_data(p, (const char *)plain, (gssize)plain_len, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
      ret = -EINVAL;
  }
  if (ret == 0) {
    JsonObject *c = json_node_get_object(json_parser_get_root(p));
    ret = check_claims(c, e);
    if (ret == 0)
      *claims = json_object_ref(c);
  }
  if (p)
    g_object_unref(p);
  cjose_jws_release(jws);
  return ret;
}

const char *oidc_jwt_strerror(int err)
{
  switch (err) {
  case 0: return "ok";
  case -ENOKEY: return "the ID token names a key the provider does not publish";
  case -EBADMSG: return "the ID token's signature is not valid";
  case -EKEYEXPIRED: return "the ID token has expired";
  case -ETIME: return "the ID token's issue time is not acceptable";
  case -EACCES: return "the ID token was issued by another provider or for another client";
  case -EPROTO: return "the ID token's nonce is not the one sent";
  default: return "the ID token is malformed";
  }
}
