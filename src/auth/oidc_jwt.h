/* oidc_jwt: the ID token checked — its signature against the provider's JWKS (cjose, the JOSE
 * library Apache's mod_auth_openidc uses; no JWT code of ours), then iss, aud/azp, exp, iat and
 * nonce. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct {
  const char *issuer;      /* must equal "iss" */
  const char *client_id;   /* must be in "aud" (and be "azp" when aud names others too) */
  const char *nonce;       /* must equal "nonce" */
  gint64 now;
  gint64 skew;             /* seconds of clock difference forgiven on exp and iat */
  gint64 max_age;          /* "iat" may be at most this old */
} OidcExpect;

/* Checks the compact JWS ID_TOKEN against JWKS_JSON ({"keys":[…]}) and E. Returns 0 with
 * *CLAIMS (the payload; json_object_unref it), or:
 *   -ENOKEY   no key of the set has the token's kid (the caller fetches the set again once)
 *   -EBADMSG  not a JWS, a signing algorithm we do not take (none, HMAC), or a bad signature
 *   -EKEYEXPIRED  exp is past (with E->skew)
 *   -ETIME    iat missing, in the future or older than E->max_age
 *   -EACCES   another issuer, or another audience
 *   -EPROTO   the nonce is missing or not ours
 *   -EINVAL   the payload is not a JSON object or lacks exp */
int oidc_jwt_verify(const char *id_token, const char *jwks_json, const OidcExpect *e,
                    JsonObject **claims);

/* A short English reason for one of oidc_jwt_verify's errors, for logs and pages. */
const char *oidc_jwt_strerror(int err);
