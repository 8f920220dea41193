/* db_signin: what signing in without a provider stores — members' sign-in names and password
 * hashes, one-time sign-in links (by hash), and recent failed attempts. */
#pragma once

#include "db/db.h"

#include <glib.h>

/* Sets MEMBER_ID's sign-in name and password hash (replacing both). Returns 0, -EEXIST (the
 * name belongs to another member), -EINVAL (no such member, or a CHECK failed) or -EIO. */
int db_signin_set_login(Db *db, const char *member_id, const char *login_name,
                        const char *password_hash, gint64 now);

/* The member and password hash for LOGIN_NAME (case-insensitive). Returns 0 with both
 * (caller frees), -ENOENT or -EIO. */
int db_signin_get_login(Db *db, const char *login_name, char **member_id, char **password_hash);

/* MEMBER_ID's sign-in name (caller frees). Returns 0, -ENOENT or -EIO. */
int db_signin_login_name(Db *db, const char *member_id, char **login_name);

/* Stores a one-time link by TOKEN_HASH. Returns 0, -EINVAL (no such member) or -EIO. */
int db_signin_link_insert(Db *db, const char *token_hash, const char *member_id, gint64 now,
                          gint64 expires_at);

/* Uses the link TOKEN_HASH at NOW: it must be unused and not expired, and is marked used in
 * the same statement, so it can be used once whatever happens at the same time. Returns 0
 * with *MEMBER_ID (caller frees), -ENOENT (unknown, used or expired) or -EIO. */
int db_signin_link_use(Db *db, const char *token_hash, gint64 now, char **member_id);

/* Records a failed attempt against SUBJECT in SCOPE ("account" or "address") at NOW, and
 * forgets attempts older than NOW - WINDOW. Returns 0 or -EIO. */
int db_signin_failure_add(Db *db, const char *scope, const char *subject, gint64 now, gint64 window);

/* Failed attempts against SUBJECT in SCOPE since SINCE: *COUNT, and the time of the oldest
 * in *OLDEST (0 when none). Returns 0 or -EIO. */
int db_signin_failures(Db *db, const char *scope, const char *subject, gint64 since, int *count,
                       gint64 *oldest);

/* Forgets the failed attempts against SUBJECT in SCOPE. Returns 0 or -EIO. */
int db_signin_failures_clear(Db *db, const char *scope, const char *subject);
