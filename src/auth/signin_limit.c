/* signin_limit: failed sign-in attempts are rate-limited per account and per address. */
#include "auth/signin_limit.h"
#include "db/db_signin.h"

#include <errno.h>

/* What is stored for WHO in SCOPE: a keyed hash (sign-in names case-folded, as they match). */
static char *subject(const guint8 key[TOKEN_SECRET_LEN], const char *scope, const char *who)
{
  g_autofree char *folded = g_utf8_casefold(who, -1);
  g_autofree char *tagged = g_strconcat("signin:", scope, ":", folded, NULL);
  return token_hash(key, tagged);
}

static int check_one(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *scope, const char *who,
                     gint64 limit, gint64 window, gint64 now, gint64 *retry_after)
{
  if (!who || !who[0])
    return 0;
  g_autofree char *s = subject(key, scope, who);
  int count = 0;
  gint64 oldest = 0;
  int ret = db_signin_failures(db, scope, s, now - window, &count, &oldest);
  if (ret < 0)
    return ret;
  if (count < limit)
    return 0;
  *retry_after = MAX(*retry_after, MAX(1, oldest + window - now));
  return -EBUSY;
}

int signin_limit_check(Db *db, const guint8 key[TOKEN_SECRET_LEN], const SigninLimits *lim,
                       const char *account, const char *address, gint64 now, gint64 *retry_after)
{
  *retry_after = 0;
  int a = check_one(db, key, "account", account, lim->per_account, lim->window, now, retry_after);
  if (a == -EIO)
    return a;
  int b = check_one(db, key, "address", address, lim->per_address, lim->window, now, retry_after);
  if (b == -EIO)
    return b;
  return a < 0 ? a : b;
}

int signin_limit_fail(Db *db, const guint8 key[TOKEN_SECRET_LEN], const SigninLimits *lim,
                      const char *account, const char *address, gint64 now)
{
  int ret = 0;
  if (account && account[0]) {
    g_autofree char *s = subject(key, "account", account);
    ret = db_signin_failure_add(db, "account", s, now, lim->window);
  }
  if (ret == 0 && address && address[0]) {
    g_autofree char *s = subject(key, "address", address);
    ret = db_signin_failure_add(db, "address", s, now, lim->window);
  }
  return ret;
}

int signin_limit_clear(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *account)
{
  if (!account || !account[0])
    return 0;
  g_autofree char *s = subject(key, "account", account);
  return db_signin_failures_clear(db, "account", s);
}
