/* session: browser sessions — a random id in a cookie, its HMAC at rest, idle and absolute
 * expiry, and the CSRF token bound to it. */
#include "auth/session.h"
#include "auth/auth.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

#define SESSION_ID_CHARS 43

/* The id as issued: exactly SESSION_ID_CHARS of base64url, so nothing else reaches SQL. */
static bool id_ok(const char *id)
{
  if (!id || strlen(id) != SESSION_ID_CHARS)
    return false;
  for (const char *p = id; *p; p++)
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
      return false;
  return true;
}

/* Sessions are hashed apart from credentials, so one can never stand for the other. */
static char *id_hash(const guint8 key[TOKEN_SECRET_LEN], const char *id)
{
  g_autofree char *tagged = g_strconcat("session:", id, NULL);
  return token_hash(key, tagged);
}

int session_create(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *member_id,
                   const char *method, gint64 lifetime, gint64 now, char **id)
{
  for (int attempt = 0; attempt < 3; attempt++) {
    char *fresh = util_random_id(SESSION_ID_BYTES);
    g_autofree char *hash = id_hash(key, fresh);
    int ret = db_session_insert(db, hash, member_id, method, now, now + lifetime);
    if (ret == 0) {
      *id = fresh;
      return 0;
    }
    g_free(fresh);
    if (ret != -EEXIST)
      return ret;
  }
  return -EIO;
}

int session_check(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *id, gint64 idle,
                  gint64 now, Member **out, DbSession *info)
{
  if (!id_ok(id))
    return -EACCES;
  g_autofree char *hash = id_hash(key, id);
  DbSession s = { 0 };
  Member *m = NULL;
  int ret = db_session_get(db, hash, &s);
  if (ret == -ENOENT)
    return -EACCES;
  if (ret < 0)
    return ret;
  if (now >= s.expires_at || now - s.last_seen_at > idle) {
    db_session_delete(db, hash);
    log_info("auth", "session of member %s expired (%s)", s.member_id,
             now >= s.expires_at ? "lifetime" : "idle");
    ret = -EACCES;
    goto out;
  }
  ret = auth_member_enabled(db, s.member_id, &m);
  if (ret < 0)
    goto out;
  /* A quarter of the idle time at most, so a short idle time is still measured well. */
  if (now - s.last_seen_at >= MIN(SESSION_TOUCH_EVERY, idle / 4) && db_session_touch(db, hash, now) == 0)
    s.last_seen_at = now;
  *out = m;
  m = NULL;
  if (info) {
    *info = s;
    memset(&s, 0, sizeof s);
  }
out:
  member_free(&m);
  db_session_clear(&s);
  return ret;
}

int session_end(Db *db, const guint8 key[TOKEN_SECRET_LEN], const char *id)
{
  if (!id_ok(id))
    return -ENOENT;
  g_autofree char *hash = id_hash(key, id);
  return db_session_delete(db, hash);
}

char *session_csrf_token(const guint8 key[TOKEN_SECRET_LEN], const char *id)
{
  g_autofree char *tagged = g_strconcat("csrf:", id, NULL);
  return token_hash(key, tagged);
}

bool session_csrf_ok(const guint8 key[TOKEN_SECRET_LEN], const char *id, const char *sent)
{
  if (!sent || !id)
    return false;
  g_autofree char *want = session_csrf_token(key, id);
  size_t n = strlen(want);
  return strlen(sent) == n && util_const_eq(want, sent, n);
}

int session_cookie_find(const char *cookie_header, char **id)
{
  if (!cookie_header)
    return -ENOENT;
  g_auto(GStrv) parts = g_strsplit(cookie_header, ";", 64);
  for (int i = 0; parts[i]; i++) {
    char *p = g_strstrip(parts[i]);
    if (g_str_has_prefix(p, SESSION_COOKIE "=") && id_ok(p + strlen(SESSION_COOKIE "="))) {
      *id = g_strdup(p + strlen(SESSION_COOKIE "="));
      return 0;
    }
  }
  return -ENOENT;
}

char *session_cookie_header(const char *id, gint64 max_age, bool secure)
{
  return g_strdup_printf(SESSION_COOKIE "=%s; Path=/; Max-Age=%" G_GINT64_FORMAT
                         "; HttpOnly; SameSite=Lax%s",
                         id ? id : "", id ? max_age : 0, secure ? "; Secure" : "");
}

char *session_hint_header(gint64 max_age, bool secure)
{
  return g_strdup_printf(SESSION_HINT_COOKIE "=%s; Path=/; Max-Age=%" G_GINT64_FORMAT
                         "; SameSite=Lax%s",
                         max_age > 0 ? "1" : "", max_age > 0 ? max_age : 0, secure ? "; Secure" : "");
}
