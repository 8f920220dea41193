/* db_category: the categories videos are filed under (思想引领, 科学普及, …). */
#include "db/db_category.h"
#include "db/db_video.h"
#include "core/util.h"

#include <errno.h>

int db_category_insert(Db *db, const char *name, gint64 position)
{
  sqlite3_stmt *st = db_prepare(db, "INSERT INTO category (name, position, created_at) VALUES (?1, ?2, ?3)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, position);
  sqlite3_bind_int64(st, 3, util_now());
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_DONE ? 0 : db_constraint_errno(db, rc, -EEXIST, -EEXIST);
  sqlite3_finalize(st);
  return ret;
}

bool db_category_exists(Db *db, const char *name)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT 1 FROM category WHERE name = ?1");
  if (!st)
    return false;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
  bool found = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return found;
}

JsonNode *db_category_list_json(Db *db, int *rc)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT k.name, k.position, (SELECT count(*) FROM video v WHERE v.category = k.name AND "
      DB_VIDEO_PUBLIC ") FROM category k ORDER BY k.position, k.name");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), util_now());
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  int r;
  while ((r = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "name");
    json_builder_add_string_value(b, db_col_text(st, 0));
    json_builder_set_member_name(b, "position");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 1));
    json_builder_set_member_name(b, "video_count");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 2));
    json_builder_end_object(b);
  }
  sqlite3_finalize(st);
  return db_json_array_done(b, r, rc);
}
