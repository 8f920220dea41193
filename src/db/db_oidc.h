/* db_oidc: what single sign-on stores — provider accounts (issuer, subject) linked to members,
 * and the sign-ins sent to the provider and not back yet (by the HMAC of their state). */
#pragma once

#include "db/db.h"

#include <glib.h>

/* Records a sign-in sent to the provider: STATE_HASH, where to go afterwards, valid until
 * EXPIRES_AT. Returns 0, -EEXIST or -EIO. */
int db_oidc_pending_add(Db *db, const char *state_hash, const char *return_to, gint64 now,
                        gint64 expires_at);

/* Takes the pending sign-in STATE_HASH at NOW: deleted in the same statement that finds it,
 * so it is used once whatever happens at the same time. Returns 0 with *RETURN_TO (caller
 * frees), -ENOENT (unknown, used or expired) or -EIO. Expired rows are removed too. */
int db_oidc_pending_take(Db *db, const char *state_hash, gint64 now, char **return_to);

/* The member linked to provider account (ISSUER, SUBJECT). Returns 0 with *MEMBER_ID (caller
 * frees), -ENOENT or -EIO. */
int db_oidc_identity_get(Db *db, const char *issuer, const char *subject, char **member_id);

/* Links (ISSUER, SUBJECT) to MEMBER_ID, or updates the link's member number, unit and sign-in
 * time when it exists. Returns 0, -EINVAL (no such member) or -EIO. */
int db_oidc_identity_put(Db *db, const char *issuer, const char *subject, const char *member_id,
                         const char *member_number, const char *unit, gint64 now);
