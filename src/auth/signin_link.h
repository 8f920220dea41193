/* signin_link: one-time sign-in links an admin creates and sends to a member — a random
 * token, its HMAC at rest, used once, before it expires. */
#pragma once

#include "auth/token.h"
#include "db/db_member.h"

#define SIGNIN_LINK_PREFIX "lsl1."

/* A new link token for MEMBER_ID valid VALID seconds from NOW. Returns 0 with *TOKEN
 * ("lsl1.<43 random chars>", the only time it exists in clear; caller frees), -EINVAL (no
 * such member) or -EIO. */
int signin_link_create(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *member_id,
                       gint64 valid, gint64 now, char **token);

/* Uses link TOKEN at NOW. Returns 0 with *OUT (caller frees), -EACCES (malformed, unknown,
 * used, expired, or a disabled member) or -EIO. */
int signin_link_redeem(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *token, gint64 now,
                       Member **out);
