/* api_session: browser sessions over the API — sign in (a credential exchanged for a session
 * cookie), the current session with its CSRF token, sign out. Handlers for api.c's table. */
#pragma once

#include "http/api_kit.h"

void api_session_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_session_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);
void api_session_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp);

/* Starts a session for M signed in by METHOD: ended sessions purged, the new one stored,
 * editors' and admins' sign-ins audited, all in one transaction. Returns 0 with *ID (the
 * cookie value; caller frees), -EBUSY (the database is busy) or -EIO. */
int api_session_open(ApiContext *ctx, const Member *m, const char *method, char **id);

/* Starts a session for M signed in by METHOD (api_session_open) and answers 201 with it (member, csrf_token,
 * expires_at) and its cookie; sign-ins of editors and admins are audited. The other ways of
 * signing in (password, link) end here too. Answers 500/503 itself on failure. */
void api_session_start(ApiContext *ctx, const Member *m, const char *method, HttpResponse *resp);
