/* auth: turns an Authorization header into a member, and checks roles. */
#pragma once

#include "auth/token.h"
#include <json-glib/json-glib.h>
#include "db/db_member.h"

/* Parses "Bearer TOKEN" and loads the member it belongs to.
 * Returns 0 with *out, -ENOENT when HEADER is NULL or empty (no credential),
 * or -EACCES when the credential is malformed, unknown, wrong, or belongs to
 * a disabled member. */
int auth_bearer(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *header, Member **out);

/* The member a bare TOKEN (no "Bearer ") belongs to, as auth_bearer: 0 with *out, or -EACCES. */
int auth_token(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *token, Member **out);

/* True when M's role is NEED or above (admin > editor > viewer). */
bool auth_role_at_least(const Member *m, Role need);

/* The member ID for a sign-in: 0 with *OUT (caller frees), -EACCES when there is no such
 * member or it is disabled (one answer for both), or another -errno. */
int auth_member_enabled(Db *db, const char *id, Member **out);

/* Creates a member with a fresh id and credential. Returns 0 with *out and
 * *token (the only time the plain credential exists; caller frees both),
 * -EINVAL for a bad name (empty, over 100 characters, not UTF-8), or -EIO. */
int auth_member_create(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *display_name,
                       Role role, bool real_name_verified, Member **out, char **token);

/* The member as a JSON object; with TOKEN non-NULL it is included as "token". */
JsonNode *auth_member_json(const Member *m, const char *token);
