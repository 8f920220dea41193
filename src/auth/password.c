/* password: signing in with a name and password — argon2id hashes (libsodium), the rules a
 * password and a sign-in name must follow, and the check itself. */
#include "auth/password.h"
#include "auth/auth.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_signin.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

/* OWASP's argon2id floor (19 MiB, two passes): about 30 ms here, paid on the main loop for
 * each attempt (attempts are rate-limited per account and address; docs/identity.md). */
#define PASSWORD_OPSLIMIT 2
#define PASSWORD_MEMLIMIT (19u * 1024 * 1024)

static gsize sodium_ready;

static void ensure_sodium(void)
{
  if (g_once_init_enter(&sodium_ready)) {
    if (sodium_init() < 0)
      g_error("libsodium cannot start");
    g_once_init_leave(&sodium_ready, 1);
  }
}

static bool password_ok(const char *password)
{
  if (!password || strlen(password) > PASSWORD_MAX_BYTES || !g_utf8_validate(password, -1, NULL))
    return false;
  return g_utf8_strlen(password, -1) >= PASSWORD_MIN_CHARS;
}

int password_hash(const char *password, char **out)
{
  ensure_sodium();
  if (!password_ok(password))
    return -EINVAL;
  char buf[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(buf, password, strlen(password), PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return -ENOMEM;
  *out = g_strdup(buf);
  return 0;
}

bool password_verify(const char *hash, const char *password)
{
  static char *dummy;
  ensure_sodium();
  if (!password || strlen(password) > PASSWORD_MAX_BYTES)
    return false;
  if (!hash) {
    /* The same work as a real check, then no. */
    if (!dummy && password_hash("not a password of anyone", &dummy) < 0)
      return false;
    bool same = crypto_pwhash_str_verify(dummy, password, strlen(password)) == 0;
    return same && false;
  }
  return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

bool password_login_ok(const char *name)
{
  if (!name || !g_utf8_validate(name, -1, NULL))
    return false;
  glong n = g_utf8_strlen(name, -1);
  if (n < 1 || n > PASSWORD_LOGIN_MAX)
    return false;
  for (const char *p = name; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (g_unichar_isspace(c) || g_unichar_iscntrl(c))
      return false;
  }
  return true;
}

int password_set(Db *db, const char *member_id, const char *name, const char *password)
{
  g_autofree char *hash = NULL;
  if (!password_login_ok(name))
    return -EINVAL;
  int ret = password_hash(password, &hash);
  if (ret < 0)
    return ret == -ENOMEM ? -EIO : ret;
  return db_signin_set_login(db, member_id, name, hash, util_now());
}

int password_check(Db *db, const char *name, const char *password, Member **out)
{
  g_autofree char *member_id = NULL, *hash = NULL;
  int ret = password_login_ok(name) ? db_signin_get_login(db, name, &member_id, &hash) : -ENOENT;
  if (ret < 0 && ret != -ENOENT)
    return ret;
  if (!password_verify(hash, password))
    return -EACCES;
  return auth_member_enabled(db, member_id, out);
}
