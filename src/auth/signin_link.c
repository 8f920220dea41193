/* signin_link: one-time sign-in links an admin creates and sends to a member — a random
 * token, its HMAC at rest, used once, before it expires. */
#include "auth/signin_link.h"
#include "auth/auth.h"
#include "core/util.h"
#include "db/db_signin.h"

#include <errno.h>
#include <string.h>

#define LINK_RANDOM_BYTES 32
#define LINK_CHARS (sizeof SIGNIN_LINK_PREFIX - 1 + 43)

static bool link_ok(const char *token)
{
  if (!token || strlen(token) != LINK_CHARS || !g_str_has_prefix(token, SIGNIN_LINK_PREFIX))
    return false;
  for (const char *p = token + strlen(SIGNIN_LINK_PREFIX); *p; p++)
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
      return false;
  return true;
}

int signin_link_create(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *member_id,
                       gint64 valid, gint64 now, char **token)
{
  g_autofree char *random = util_random_id(LINK_RANDOM_BYTES);
  char *t = g_strconcat(SIGNIN_LINK_PREFIX, random, NULL);
  g_autofree char *hash = token_hash(key, t);
  int ret = db_signin_link_insert(db, hash, member_id, now, now + valid);
  if (ret < 0) {
    g_free(t);
    return ret;
  }
  *token = t;
  return 0;
}

int signin_link_redeem(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *token, gint64 now,
                       Member **out)
{
  if (!link_ok(token))
    return -EACCES;
  g_autofree char *hash = token_hash(key, token);
  g_autofree char *member_id = NULL;
  int ret = db_signin_link_use(db, hash, now, &member_id);
  if (ret == -ENOENT)
    return -EACCES;
  if (ret < 0)
    return ret;
  return auth_member_enabled(db, member_id, out);
}
