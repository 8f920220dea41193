/* api_session: browser sessions over the API — sign in (a credential exchanged for a session
 * cookie), the current session with its CSRF token, sign out. Handlers for api.c's table. */
#pragma once

#include "http/api_kit.h"

void api_session_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_session_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_session_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);

/* Starts a session for M signed in by METHOD and answers 201 with it (member, csrf_token,
 * expires_at) and its cookie; sign-ins of editors and admins are audited. The other ways of
 * signing in (password, link) end here too. Answers 500/503 itself on failure. */
void api_session_start(ApiContext *ctx, const Member *m, const char *method, HttpResponse *resp);
