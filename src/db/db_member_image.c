/* db_member_image: the member_image table (migration 0020). */
#include "db/db_member_image.h"

#include <errno.h>

int db_member_image_add(Db *db, const char *member, const char *name, gint64 bytes, gint64 now,
                        bool *added)
{
  if (!member || !*member || !name || !*name || bytes <= 0)
    return -EINVAL;
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO member_image (member_id, name, bytes, created_at) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (member_id, name) DO NOTHING");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, bytes);
  sqlite3_bind_int64(st, 4, now);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  if (added)
    *added = sqlite3_changes(db->conn) > 0;
  return 0;
}

int db_member_image_count_since(Db *db, const char *member, gint64 since, gint64 *n)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT count(*) FROM member_image WHERE member_id = ?1 AND created_at >= ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, since);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 0 : db_errno(rc);
}

int db_member_image_unused(Db *db, const char *member, char ***out)
{
  /* "Used" is any mention, published or not, deleted or not: a picture an editor copied into a
   * draft must not vanish under it. instr() rather than LIKE: names hold no wildcard, but the
   * Markdown may, and instr has none to escape. */
  sqlite3_stmt *st = db_prepare(db,
      "SELECT m.name FROM member_image m WHERE m.member_id = ?1 "
      "AND NOT EXISTS (SELECT 1 FROM member_image o WHERE o.name = m.name AND o.member_id <> ?1) "
      "AND NOT EXISTS (SELECT 1 FROM article a WHERE instr(a.body_md, '/images/' || m.name) > 0 "
      "                OR a.cover_url = '/images/' || m.name) "
      "AND NOT EXISTS (SELECT 1 FROM video v WHERE v.poster = '/images/' || m.name) "
      "AND NOT EXISTS (SELECT 1 FROM topic_column c WHERE c.cover = '/images/' || m.name) "
      "AND NOT EXISTS (SELECT 1 FROM submission s WHERE s.preview_url = '/images/' || m.name "
      "                OR (s.member_id <> ?1 AND instr(s.body, '/images/' || m.name) > 0)) "
      "ORDER BY m.name");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_TRANSIENT);
  return db_strv(st, NULL, out);
}
