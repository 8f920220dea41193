/* db_roster: the union's member list, one row per member number. */
#include "db/db_roster.h"

#include <errno.h>

void roster_entry_clear(RosterEntry *e)
{
  g_clear_pointer(&e->member_number, g_free);
  g_clear_pointer(&e->name, g_free);
  g_clear_pointer(&e->unit, g_free);
  g_clear_pointer(&e->contact_hash, g_free);
}

int db_roster_get(Db *db, const char *member_number, RosterEntry *out)
{
  sqlite3_stmt *st = db_cached(db, "SELECT member_number, name, unit, contact_hash FROM roster "
                                   "WHERE member_number = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member_number, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = 0;
  if (rc == SQLITE_ROW) {
    out->member_number = g_strdup(db_col_text(st, 0));
    out->name = g_strdup(db_col_text(st, 1));
    out->unit = g_strdup(db_col_text(st, 2));
    out->contact_hash = g_strdup(db_col_text(st, 3));
  } else {
    ret = rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  }
  sqlite3_reset(st);
  return ret;
}

int db_roster_put(Db *db, const RosterEntry *e, gint64 now)
{
  sqlite3_stmt *st = db_cached(db,
      "INSERT INTO roster (member_number, name, unit, contact_hash, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (member_number) DO UPDATE SET "
      "name = excluded.name, unit = excluded.unit, contact_hash = excluded.contact_hash, "
      "updated_at = excluded.updated_at");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, e->member_number, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, e->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, e->unit ? e->unit : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, e->contact_hash ? e->contact_hash : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 5, now);
  int rc = sqlite3_step(st);
  int ext = sqlite3_extended_errcode(db->conn);
  sqlite3_reset(st);
  if (rc == SQLITE_DONE)
    return 0;
  if (ext == SQLITE_CONSTRAINT_CHECK || ext == SQLITE_CONSTRAINT_NOTNULL)
    return -EINVAL;
  return db_errno(rc);
}

int db_roster_count(Db *db, gint64 *count)
{
  sqlite3_stmt *st = db_cached(db, "SELECT count(*) FROM roster");
  if (!st)
    return -EIO;
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : db_errno(rc);
  if (ret == 0)
    *count = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return ret;
}
