/* db_session: browser sessions, stored by the hash of their id (never the id itself). */
#include "db/db_session.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

int db_session_insert(Db *db, const char *id_hash, const char *member_id, const char *method,
                      gint64 created_at, gint64 expires_at)
{
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO session (id_hash, member_id, method, created_at, last_seen_at, expires_at) "
      "VALUES (?1, ?2, ?3, ?4, ?4, ?5)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, method, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, created_at);
  sqlite3_bind_int64(st, 5, expires_at);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_DONE ? 0 : db_constraint_errno(db, rc, -EINVAL, -EEXIST);
  sqlite3_finalize(st);
  return ret;
}

int db_session_get(Db *db, const char *id_hash, DbSession *out)
{
  sqlite3_stmt *st = db_cached(db,
      "SELECT member_id, method, created_at, last_seen_at, expires_at FROM session "
      "WHERE id_hash = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id_hash, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret;
  if (rc == SQLITE_ROW) {
    out->member_id = g_strdup(db_col_text(st, 0));
    out->method = g_strdup(db_col_text(st, 1));
    out->created_at = sqlite3_column_int64(st, 2);
    out->last_seen_at = sqlite3_column_int64(st, 3);
    out->expires_at = sqlite3_column_int64(st, 4);
    ret = 0;
  } else {
    ret = rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  }
  sqlite3_reset(st);
  return ret;
}

/* Runs ST (bound), counts the changed rows into *N; -ENOENT when NEED_ROW and none changed. */
static int run_change(Db *db, sqlite3_stmt *st, bool need_row, int *n)
{
  int rc = sqlite3_step(st);
  int changes = sqlite3_changes(db->conn);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  if (n)
    *n = changes;
  return need_row && changes == 0 ? -ENOENT : 0;
}

int db_session_touch(Db *db, const char *id_hash, gint64 now)
{
  sqlite3_stmt *st = db_cached(db, "UPDATE session SET last_seen_at = ?2 WHERE id_hash = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, now);
  return run_change(db, st, true, NULL);
}

int db_session_delete(Db *db, const char *id_hash)
{
  sqlite3_stmt *st = db_cached(db, "DELETE FROM session WHERE id_hash = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id_hash, -1, SQLITE_TRANSIENT);
  return run_change(db, st, true, NULL);
}

int db_session_delete_member(Db *db, const char *member_id, int *n)
{
  sqlite3_stmt *st = db_cached(db, "DELETE FROM session WHERE member_id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member_id, -1, SQLITE_TRANSIENT);
  return run_change(db, st, false, n);
}

int db_session_purge(Db *db, gint64 now, gint64 idle, int *n)
{
  sqlite3_stmt *st = db_cached(db,
      "DELETE FROM session WHERE expires_at <= ?1 OR last_seen_at <= ?1 - ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, now);
  sqlite3_bind_int64(st, 2, idle);
  return run_change(db, st, false, n);
}

void db_session_clear(DbSession *s)
{
  g_clear_pointer(&s->member_id, g_free);
  g_clear_pointer(&s->method, g_free);
}
