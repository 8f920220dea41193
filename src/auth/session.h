/* session: browser sessions — a random id in a cookie, its HMAC at rest, idle and absolute
 * expiry, and the CSRF token bound to it. Bearer credentials (token.c) stay for the CLI,
 * scripts and the API; a browser signs in once and then holds only the session. */
#pragma once

#include "auth/token.h"
#include "db/db_member.h"
#include "db/db_session.h"

#include <glib.h>
#include <stdbool.h>

#define SESSION_COOKIE "lectern_session"
#define SESSION_ID_BYTES 32        /* 43 base64url characters in the cookie */
#define SESSION_TOUCH_EVERY 60     /* seconds between updates of last_seen_at */

/* Starts a session for MEMBER_ID signed in by METHOD ("token", "password", "link", "oidc")
 * at NOW, ending LIFETIME seconds later at the latest. Returns 0 with *ID (the cookie value:
 * the only time it exists in clear; caller frees), -EINVAL (no such member) or -EIO. */
int session_create(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *member_id,
                   const char *method, gint64 lifetime, gint64 now, char **id);

/* The member whose session ID is, at NOW, neither past its absolute end nor idle for
 * longer than IDLE seconds. Returns 0 with *OUT (caller frees) and, when INFO is not NULL,
 * the session's record (db_session_clear it); -EACCES for an id that is malformed, unknown,
 * expired (the row is removed) or whose member is disabled; or -EIO. last_seen_at moves at
 * most once a SESSION_TOUCH_EVERY (or a quarter of IDLE, if shorter), so reads do not each
 * write. */
int session_check(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *id, gint64 idle,
                  gint64 now, Member **out, DbSession *info);

/* Ends session ID. Returns 0, -ENOENT (no such session) or -EIO. */
int session_end(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *id);

/* The CSRF token of session ID: hex HMAC of "csrf:" ID under KEY (nothing stored; a page
 * learns it from the API and sends it back in X-CSRF-Token). Caller frees. */
char *session_csrf_token(const guint8 key[TOKEN_SECRET_LEN], const char *id);

/* True when SENT (may be NULL) is ID's CSRF token; compared in constant time. */
bool session_csrf_ok(const guint8 key[TOKEN_SECRET_LEN], const char *id, const char *sent);

/* The session id in a Cookie request header (NULL allowed). Returns 0 with *ID (caller
 * frees) or -ENOENT when there is no well-formed SESSION_COOKIE in it. */
int session_cookie_find(const char *cookie_header, char **id);

/* The name of a readable companion cookie ("1" while a session is held), so a page can tell
 * without a request that asking who is signed in is worth it; it grants nothing. */
#define SESSION_HINT_COOKIE "lectern_signed_in"

/* The Set-Cookie value of the companion cookie for MAX_AGE seconds (0: remove it). */
char *session_hint_header(gint64 max_age, bool secure);

/* The Set-Cookie value for ID (MAX_AGE seconds), or with ID NULL one that removes the
 * cookie. HttpOnly, SameSite=Lax, Path=/, and Secure when SECURE. Caller frees. */
char *session_cookie_header(const char *id, gint64 max_age, bool secure);
