/* db_oidc: provider accounts linked to members, and pending sign-ins (hashed state). */
#include "db/db_oidc.h"

#include <errno.h>

/* A foreign key failing is bad input here (no such member). */
static int step_done(Db *db, sqlite3_stmt *st)
{
  return db_step_done(db, st, -EINVAL, -EEXIST);
}

int db_oidc_pending_add(Db *db, const char *state_hash, const char *return_to, gint64 now,
                        gint64 expires_at)
{
  /* Abandoned sign-ins (the member never came back) go when the next one starts. */
  sqlite3_stmt *st = db_cached(db, "DELETE FROM oidc_pending WHERE expires_at <= ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, now);
  int ret = step_done(db, st);
  if (ret < 0)
    return ret;
  st = db_cached(db, "INSERT INTO oidc_pending (state_hash, return_to, created_at, expires_at) "
                     "VALUES (?1, ?2, ?3, ?4)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, state_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, return_to, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, now);
  sqlite3_bind_int64(st, 4, expires_at);
  return step_done(db, st);
}

int db_oidc_pending_take(Db *db, const char *state_hash, gint64 now, char **return_to)
{
  sqlite3_stmt *st = db_cached(db, "DELETE FROM oidc_pending WHERE state_hash = ?1 "
                                   "RETURNING return_to, expires_at");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, state_hash, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = 0;
  if (rc == SQLITE_ROW) {
    if (sqlite3_column_int64(st, 1) > now)
      *return_to = g_strdup(db_col_text(st, 0));
    else
      ret = -ENOENT;
    rc = sqlite3_step(st); /* finish the statement so the delete is done */
  } else {
    ret = rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  }
  sqlite3_reset(st);
  if (ret == 0 && rc != SQLITE_DONE) {
    g_clear_pointer(return_to, g_free);
    ret = db_errno(rc);
  }
  return ret;
}

int db_oidc_identity_get(Db *db, const char *issuer, const char *subject, char **member_id)
{
  sqlite3_stmt *st = db_cached(db, "SELECT member_id FROM member_identity "
                                   "WHERE issuer = ?1 AND subject = ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, issuer, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = 0;
  if (rc == SQLITE_ROW)
    *member_id = g_strdup(db_col_text(st, 0));
  else
    ret = rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  sqlite3_reset(st);
  return ret;
}

int db_oidc_identity_put(Db *db, const char *issuer, const char *subject, const char *member_id,
                         const char *member_number, const char *unit, gint64 now)
{
  sqlite3_stmt *st = db_cached(db,
      "INSERT INTO member_identity (issuer, subject, member_id, member_number, unit, created_at, "
      "last_sign_in_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (issuer, subject) DO "
      "UPDATE SET member_number = excluded.member_number, unit = excluded.unit, "
      "last_sign_in_at = excluded.last_sign_in_at");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, issuer, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, member_number ? member_number : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 5, unit ? unit : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 6, now);
  return step_done(db, st);
}
