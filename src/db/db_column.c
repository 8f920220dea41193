/* db_column: themed columns (专题专栏) and their ordered items. */
#include "db/db_column.h"
#include "core/util.h"

#include <errno.h>

int db_column_insert(Db *db, const char *slug, const char *title, const char *description,
                     gint64 *id)
{
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO topic_column (slug, title, description, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?4)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, description ? description : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, util_now());
  int rc = sqlite3_step(st);
  int ext = sqlite3_extended_errcode(db->conn);
  sqlite3_finalize(st);
  if (rc == SQLITE_DONE) {
    *id = sqlite3_last_insert_rowid(db->conn);
    return 0;
  }
  if (ext == SQLITE_CONSTRAINT_CHECK || ext == SQLITE_CONSTRAINT_NOTNULL)
    return -EINVAL;
  return db_errno(rc);
}
