/* api_oidc: single sign-on through the union's OpenID Connect provider — the browser is sent
 * to the provider (/api/v1/oidc/start) and comes back with a code (/api/v1/oidc/callback);
 * the code is redeemed off the main loop (oidc_client) and the member signed in with the same
 * session as every other way (api_session_open). Handlers for api.c's table. */
#pragma once

#include "http/api_kit.h"

#define OIDC_STATE_COOKIE "lectern_oidc"
#define OIDC_CALLBACK_PATH "/api/v1/oidc/callback"

/* Makes CTX's provider client from [oidc]. Returns 0, or -EINVAL with *ERR (caller frees) when
 * the section is incomplete (issuer without client_id or [http] public_url). */
int api_oidc_client_new(ApiContext *ctx, char **err);

void api_oidc_info(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_oidc_start(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_oidc_callback(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);

/* The provider's logout URL for a member signed in through it (session METHOD "oidc"), or NULL
 * when there is no provider, the provider offers none, or METHOD is another. Caller frees. */
char *api_oidc_logout_url(ApiContext *ctx, const char *method);
