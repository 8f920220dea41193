/* oidc_state: the sign-ins sent to the provider and not back yet — a random state per sign-in,
 * the PKCE verifier (S256) and the nonce derived from it under the server secret, and the
 * server-side record (its HMAC only) that makes each state usable once and for a short time. */
#pragma once

#include "auth/token.h"
#include "db/db.h"

#include <glib.h>

#define OIDC_STATE_BYTES 32

/* The PKCE code_verifier for STATE: base64url of HMAC-SHA256("oidc-pkce:" STATE) under KEY
 * (43 characters, RFC 7636's minimum). Caller frees. */
char *oidc_state_verifier(const guint8 key[TOKEN_SECRET_LEN], const char *state);

/* The nonce sent for STATE (and expected back in the ID token). Caller frees. */
char *oidc_state_nonce(const guint8 key[TOKEN_SECRET_LEN], const char *state);

/* The S256 code_challenge of VERIFIER: base64url(SHA-256(VERIFIER)). Caller frees. */
char *oidc_state_challenge(const char *verifier);

/* Starts a sign-in at NOW that must come back within TTL seconds and then lead to RETURN_TO.
 * Returns 0 with *STATE (random; caller frees) or -EIO. */
int oidc_state_begin(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *return_to,
                     gint64 now, gint64 ttl, char **state);

/* Takes the sign-in STATE at NOW: it is gone afterwards whatever the outcome. Returns 0 with
 * *RETURN_TO (caller frees), -EACCES when STATE is malformed, unknown, used already or expired,
 * or -EIO. */
int oidc_state_take(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *state, gint64 now,
                    char **return_to);
