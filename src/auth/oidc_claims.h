/* oidc_claims: what the provider says about a member (ID token and userinfo claims) mapped to
 * lectern's fields by the [oidc] claim_* keys: display name, member number, union unit, and
 * which claim (with which value) means real-name verified. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

/* Claim names; "a.b" reads member b of object claim a. NULL or "" leaves a field unmapped. */
typedef struct {
  const char *name;
  const char *member_number;
  const char *unit;
  const char *verified_claim;
  const char *verified_value;     /* compared with the claim's value as text ("true", "1", …) */
} OidcClaimMap;

typedef struct {
  char *subject;
  char *display_name;             /* never empty: falls back to preferred_username, then 会员 */
  char *member_number;            /* "" when the claim is absent */
  char *unit;                     /* "" when the claim is absent */
  bool verified;                  /* the verified claim holds the verified value */
} OidcIdentity;

/* The claim NAME of CLAIMS as text: strings as they are, integers in decimal, booleans
 * "true"/"false". Returns a new string or NULL (absent, null, object, array, real). */
char *oidc_claims_text(JsonObject *claims, const char *name);

/* Maps CLAIMS by MAP into OUT. Returns 0, or -EINVAL when "sub" is missing or empty (an ID
 * token without it is not one). Over-long values are cut on a character boundary. */
int oidc_claims_map(JsonObject *claims, const OidcClaimMap *map, OidcIdentity *out);

/* Adds to BASE (the ID token's claims) those of USERINFO that BASE lacks; "sub" must be the
 * same in both. Returns 0 or -EACCES (another subject: the answer is not this member's). */
int oidc_claims_merge(JsonObject *base, JsonObject *userinfo);

void oidc_identity_clear(OidcIdentity *id);
