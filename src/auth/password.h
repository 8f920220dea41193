/* password: signing in with a name and password — argon2id hashes (libsodium), the rules a
 * password and a sign-in name must follow, and the check itself. */
#pragma once

#include "db/db_member.h"

#include <stdbool.h>

#define PASSWORD_MIN_CHARS 8
#define PASSWORD_MAX_BYTES 128   /* longer input is refused before it is hashed */
#define PASSWORD_LOGIN_MAX 64

/* An argon2id hash of PASSWORD in libsodium's self-describing form ("$argon2id$v=19$…",
 * salt and parameters included). Returns 0 with *OUT (caller frees), -EINVAL when PASSWORD
 * breaks the rules (UTF-8, PASSWORD_MIN_CHARS characters to PASSWORD_MAX_BYTES bytes), or
 * -ENOMEM. */
int password_hash(const char *password, char **out);

/* True when PASSWORD matches HASH (NULL HASH: false, after the same work as a real check,
 * so an unknown name takes as long as a wrong password). */
bool password_verify(const char *hash, const char *password);

/* Is NAME a sign-in name (1 to PASSWORD_LOGIN_MAX characters of UTF-8, no spaces or controls)? */
bool password_login_ok(const char *name);

/* Gives MEMBER_ID the sign-in NAME and PASSWORD. Returns 0, -EINVAL (a rule broken, or no
 * such member), -EEXIST (another member has NAME) or -EIO. */
int password_set(Db *db, const char *member_id, const char *name, const char *password);

/* The member whose sign-in NAME and PASSWORD these are. Returns 0 with *OUT (caller frees),
 * -EACCES (unknown name, wrong password, disabled member: the same answer for each) or -EIO. */
int password_check(Db *db, const char *name, const char *password, Member **out);
