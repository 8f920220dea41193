/* db_signin: what signing in without a provider stores — members' sign-in names and password
 * hashes, one-time sign-in links (by hash), and recent failed attempts. */
#include "db/db_signin.h"

#include <errno.h>
#include <stdbool.h>

/* Steps a bound change statement; 0 or -errno. */
/* A foreign key failing is bad input here (no such member). */
static int step_done(Db *db, sqlite3_stmt *st)
{
  return db_step_done(db, st, -EINVAL, -EEXIST);
}

int db_signin_set_login(Db *db, const char *member_id, const char *login_name,
                        const char *password_hash, gint64 now)
{
  sqlite3_stmt *st = db_cached(db,
      "INSERT INTO member_login (member_id, login_name, password_hash, updated_at) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (member_id) DO UPDATE SET "
      "login_name = excluded.login_name, password_hash = excluded.password_hash, "
      "updated_at = excluded.updated_at");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, login_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, password_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, now);
  return step_done(db, st);
}

int db_signin_get_login(Db *db, const char *login_name, char **member_id, char **password_hash)
{
  sqlite3_stmt *st = db_cached(db,
      "SELECT member_id, password_hash FROM member_login WHERE login_name = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, login_name, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = 0;
  if (rc == SQLITE_ROW) {
    *member_id = g_strdup(db_col_text(st, 0));
    *password_hash = g_strdup(db_col_text(st, 1));
  } else {
    ret = rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  }
  sqlite3_reset(st);
  return ret;
}

int db_signin_login_name(Db *db, const char *member_id, char **login_name)
{
  sqlite3_stmt *st = db_cached(db, "SELECT login_name FROM member_login WHERE member_id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member_id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = 0;
  if (rc == SQLITE_ROW)
    *login_name = g_strdup(db_col_text(st, 0));
  else
    ret = rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  sqlite3_reset(st);
  return ret;
}

int db_signin_link_insert(Db *db, const char *token_hash, const char *member_id, gint64 now,
                          gint64 expires_at)
{
  sqlite3_stmt *st = db_cached(db,
      "INSERT INTO signin_link (token_hash, member_id, created_at, expires_at) "
      "VALUES (?1, ?2, ?3, ?4)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, now);
  sqlite3_bind_int64(st, 4, expires_at);
  return step_done(db, st);
}

int db_signin_link_use(Db *db, const char *token_hash, gint64 now, char **member_id)
{
  sqlite3_stmt *st = db_cached(db,
      "UPDATE signin_link SET used_at = ?2 "
      "WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2 RETURNING member_id");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, now);
  int rc = sqlite3_step(st);
  int ret = 0;
  if (rc == SQLITE_ROW) {
    *member_id = g_strdup(db_col_text(st, 0));
    rc = sqlite3_step(st); /* finish the statement so the update takes */
    if (rc != SQLITE_DONE) {
      g_clear_pointer(member_id, g_free);
      ret = db_errno(rc);
    }
  } else {
    ret = rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  }
  sqlite3_reset(st);
  return ret;
}

int db_signin_failure_add(Db *db, const char *scope, const char *subject, gint64 now, gint64 window)
{
  sqlite3_stmt *del = db_cached(db, "DELETE FROM signin_failure WHERE at <= ?1");
  if (!del)
    return -EIO;
  sqlite3_bind_int64(del, 1, now - window);
  int ret = step_done(db, del);
  if (ret < 0)
    return ret;
  sqlite3_stmt *st = db_cached(db, "INSERT INTO signin_failure (scope, subject, at) VALUES (?1, ?2, ?3)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, scope, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, now);
  return step_done(db, st);
}

int db_signin_failures(Db *db, const char *scope, const char *subject, gint64 since, int *count,
                       gint64 *oldest)
{
  sqlite3_stmt *st = db_cached(db,
      "SELECT count(*), coalesce(min(at), 0) FROM signin_failure "
      "WHERE scope = ?1 AND subject = ?2 AND at > ?3");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, scope, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, since);
  int rc = sqlite3_step(st);
  int ret = 0;
  if (rc == SQLITE_ROW) {
    *count = sqlite3_column_int(st, 0);
    *oldest = sqlite3_column_int64(st, 1);
  } else {
    ret = db_errno(rc);
  }
  sqlite3_reset(st);
  return ret;
}

int db_signin_failures_clear(Db *db, const char *scope, const char *subject)
{
  sqlite3_stmt *st = db_cached(db, "DELETE FROM signin_failure WHERE scope = ?1 AND subject = ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, scope, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
  return step_done(db, st);
}
