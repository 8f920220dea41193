/* signin_limit: failed sign-in attempts are rate-limited per account and per address. Both
 * are kept only as HMACs under the server secret, and only for the window. */
#pragma once

#include "auth/token.h"
#include "db/db.h"

typedef struct {
  gint64 per_account;   /* failures an account may have in the window */
  gint64 per_address;   /* failures an address may have in the window */
  gint64 window;        /* seconds */
} SigninLimits;

/* May an attempt for ACCOUNT (a sign-in name, or NULL) from ADDRESS (or NULL) be made at NOW?
 * Returns 0, or -EBUSY with *RETRY_AFTER (seconds until the oldest failure that counts leaves
 * the window), or -EIO. */
int signin_limit_check(Db *db, const guint8 key[TOKEN_SECRET_LEN], const SigninLimits *lim,
                       const char *account, const char *address, gint64 now, gint64 *retry_after);

/* Counts a failed attempt against ACCOUNT (or NULL) and ADDRESS (or NULL). Returns 0 or -EIO. */
int signin_limit_fail(Db *db, const guint8 key[TOKEN_SECRET_LEN], const SigninLimits *lim,
                      const char *account, const char *address, gint64 now);

/* Forgets ACCOUNT's failures (after it signed in). Returns 0 or -EIO. */
int signin_limit_clear(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *account);
