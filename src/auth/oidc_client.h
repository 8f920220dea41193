/* oidc_client: lectern as an OpenID Connect relying party talking to the provider — discovery,
 * the code exchange (with the PKCE verifier), the key set (fetched again once for an unknown
 * kid) and userinfo. The HTTP calls (libcurl) run on worker threads of a GThreadPool, never on
 * the main loop; each result is handed back to the main context that made the client. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

typedef struct {
  const char *issuer;
  const char *client_id;
  const char *client_secret;  /* "" for a public client (PKCE only) */
  const char *redirect_uri;
  bool userinfo;              /* read the userinfo endpoint after the code exchange */
  gint64 timeout;             /* seconds per HTTP call */
  gint64 skew;                /* clock difference forgiven on exp/iat */
} OidcSettings;

/* What the provider's discovery document says (only what we use). */
typedef struct {
  char *authorization_endpoint;
  char *end_session_endpoint;  /* NULL when the provider offers no RP-initiated logout */
} OidcEndpoints;

typedef struct OidcClient OidcClient;

/* A finished call, on the main context. RET is 0 or -errno; WHY a short English reason when
 * RET < 0 (no personal data: it goes to logs and pages). */
typedef void (*OidcEndpointsDone)(int ret, const OidcEndpoints *ep, const char *why, gpointer user);
typedef void (*OidcRedeemDone)(int ret, JsonObject *claims, const char *why, gpointer user);

/* Copies S. Returns 0 with *OUT or -EINVAL (issuer, client_id or redirect_uri missing). */
int oidc_client_new(const OidcSettings *s, OidcClient **out);

/* Stops the workers (waiting for calls under way); results not delivered yet are dropped,
 * each with its DESTROY. */
void oidc_client_free(OidcClient **c);

/* The provider's endpoints (discovery, cached for an hour). DONE runs once, later, on the
 * main context; DESTROY(USER) after it (or when dropped). */
void oidc_client_endpoints(OidcClient *c, OidcEndpointsDone done, gpointer user,
                           GDestroyNotify destroy);

/* Exchanges CODE (with VERIFIER) for tokens, checks the ID token (its nonce must be NONCE)
 * and, when configured, merges the userinfo claims. DONE gets the claims (unref them after;
 * NULL on failure). RET: -ECONNREFUSED provider unreachable or failing, -EACCES the provider
 * refused the code (used, expired, not ours), or oidc_jwt_verify's errors. */
void oidc_client_redeem(OidcClient *c, const char *code, const char *verifier, const char *nonce,
                        OidcRedeemDone done, gpointer user, GDestroyNotify destroy);

/* The endpoints as last discovered, without waiting. Returns 0 with *EP (oidc_endpoints_clear
 * it) or -ENOENT when discovery has not happened yet. */
int oidc_client_cached_endpoints(OidcClient *c, OidcEndpoints *ep);

/* The authorization request URL for STATE, NONCE and CHALLENGE (S256) with SCOPES. Caller frees. */
char *oidc_client_authorize_url(const OidcClient *c, const OidcEndpoints *ep, const char *scopes,
                                const char *state, const char *nonce, const char *challenge);

/* The RP-initiated logout URL leading back to POST_LOGOUT, or NULL when the provider offers
 * none. Caller frees. */
char *oidc_client_logout_url(const OidcClient *c, const OidcEndpoints *ep, const char *post_logout);

void oidc_endpoints_clear(OidcEndpoints *ep);
