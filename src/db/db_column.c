/* db_column: themed columns (专题专栏) and their ordered items. */
#include "db/db_column.h"
#include "db/db_video.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

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
  int ret = rc == SQLITE_DONE ? 0 : db_constraint_errno(db, rc, -ENOENT, -EEXIST);
  sqlite3_finalize(st);
  if (ret == 0)
    *id = sqlite3_last_insert_rowid(db->conn);
  return ret;
}

int db_column_find(Db *db, const char *slug, gint64 *id)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT id FROM topic_column WHERE slug = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0)
    *id = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return ret;
}

int db_column_window(Db *db, gint64 id, gint64 *from, gint64 *until, bool *published)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT coalesce(c.publish_from, 0), coalesce(c.publish_until, 0), " DB_COLUMN_PUBLIC
      " FROM topic_column c WHERE c.id = :id");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), util_now());
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0) {
    *from = sqlite3_column_int64(st, 0);
    *until = sqlite3_column_int64(st, 1);
    *published = sqlite3_column_int(st, 2) != 0;
  }
  sqlite3_finalize(st);
  return ret;
}

/* One UPDATE per field, so the column name is never a value. */
static const char *const field_sql[] = {
  [COLUMN_SLUG] = "UPDATE topic_column SET slug = ?2, updated_at = ?3 WHERE id = ?1",
  [COLUMN_TITLE] = "UPDATE topic_column SET title = ?2, updated_at = ?3 WHERE id = ?1",
  [COLUMN_DESCRIPTION] = "UPDATE topic_column SET description = ?2, updated_at = ?3 WHERE id = ?1",
  [COLUMN_COVER] = "UPDATE topic_column SET cover = ?2, updated_at = ?3 WHERE id = ?1",
  [COLUMN_PUBLISH_FROM] = "UPDATE topic_column SET publish_from = ?2, updated_at = ?3 WHERE id = ?1",
  [COLUMN_PUBLISH_UNTIL] = "UPDATE topic_column SET publish_until = ?2, updated_at = ?3 WHERE id = ?1",
  [COLUMN_ARCHIVED] = "UPDATE topic_column SET archived = ?2, updated_at = ?3 WHERE id = ?1",
};

static int set_field(Db *db, gint64 id, ColumnField f, const char *text, gint64 number)
{
  sqlite3_stmt *st = db_prepare(db, field_sql[f]);
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  if (text)
    sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
  else if (f == COLUMN_ARCHIVED || number)
    sqlite3_bind_int64(st, 2, number);
  else
    sqlite3_bind_null(st, 2);
  sqlite3_bind_int64(st, 3, util_now());
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_DONE ? 0 : db_constraint_errno(db, rc, -ENOENT, -EEXIST);
  sqlite3_finalize(st);
  if (ret == 0 && sqlite3_changes(db->conn) == 0)
    ret = -ENOENT;
  return ret;
}

int db_column_set_text(Db *db, gint64 id, ColumnField f, const char *value)
{
  g_return_val_if_fail(f <= COLUMN_COVER && (value || f == COLUMN_COVER), -EINVAL);
  return set_field(db, id, f, value, 0); /* a NULL cover: none */
}

int db_column_set_number(Db *db, gint64 id, ColumnField f, gint64 value)
{
  g_return_val_if_fail(f > COLUMN_COVER && f <= COLUMN_ARCHIVED, -EINVAL);
  return set_field(db, id, f, NULL, value);
}

static void item_clear(gpointer p)
{
  g_free(((ColumnItem *)p)->video_id);
}

int db_column_items(Db *db, gint64 id, GArray **items)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT video_id, featured, added_at FROM topic_column_item WHERE column_id = ?1 "
      "ORDER BY position");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  *items = g_array_new(FALSE, TRUE, sizeof(ColumnItem));
  g_array_set_clear_func(*items, item_clear);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    ColumnItem it = { g_strdup(db_col_text(st, 0)), sqlite3_column_int(st, 1) != 0,
                      sqlite3_column_int64(st, 2) };
    g_array_append_val(*items, it);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    g_clear_pointer(items, g_array_unref);
    return db_errno(rc);
  }
  return 0;
}

/* Bumps updated_at of every video in column ID (before and after a change, so videos that
 * left or joined show their new column list as changed). */
static int touch_videos(Db *db, gint64 id, gint64 now)
{
  sqlite3_stmt *st = db_prepare(db,
      "UPDATE video SET updated_at = ?2 WHERE id IN "
      "(SELECT video_id FROM topic_column_item WHERE column_id = ?1)");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, now);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_column_set_items(Db *db, gint64 id, const ColumnItem *items, size_t n)
{
  if (n > DB_COLUMN_ITEMS_MAX)
    return -E2BIG;
  gint64 now = util_now();
  int ret = db_begin(db);
  if (ret < 0)
    return ret;
  if ((ret = touch_videos(db, id, now)) < 0)
    goto fail;
  sqlite3_stmt *st = db_prepare(db, "DELETE FROM topic_column_item WHERE column_id = ?1");
  int rc = SQLITE_ERROR;
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
  }
  if (rc != SQLITE_DONE) {
    ret = -EIO;
    goto fail;
  }
  st = db_prepare(db, "INSERT INTO topic_column_item (column_id, video_id, position, featured, added_at) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st) {
    ret = -EIO;
    goto fail;
  }
  for (size_t i = 0; i < n && ret == 0; i++) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, items[i].video_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (gint64)i);
    sqlite3_bind_int(st, 4, items[i].featured ? 1 : 0);
    sqlite3_bind_int64(st, 5, items[i].added_at ? items[i].added_at : now);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
      ret = db_constraint_errno(db, rc, -ENOENT, -EEXIST);
      if (ret == -EEXIST)
        ret = -EINVAL; /* the same video twice */
    }
  }
  sqlite3_finalize(st);
  if (ret < 0)
    goto fail;
  if ((ret = touch_videos(db, id, now)) < 0)
    goto fail;
  st = db_prepare(db, "UPDATE topic_column SET updated_at = ?2 WHERE id = ?1");
  rc = SQLITE_ERROR;
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
  }
  if (rc != SQLITE_DONE || sqlite3_changes(db->conn) == 0) {
    ret = rc == SQLITE_DONE ? -ENOENT : -EIO;
    goto fail;
  }
  if ((ret = db_commit(db)) == 0)
    return 0;
fail:
  db_rollback(db);
  return ret;
}

/* The items of column ID, LIMIT from OFFSET, into the array B is building; returns the
 * number of items there are in all, or -errno. */
static gint64 build_items(Db *db, JsonBuilder *b, gint64 id, bool public_only, int limit,
                          int offset)
{
  gint64 now = util_now();
  sqlite3_stmt *st = db_prepare(db,
      "SELECT count(*) FROM topic_column_item i JOIN video v ON v.id = i.video_id "
      "WHERE i.column_id = :id AND (:all OR " DB_VIDEO_PUBLIC ")");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
  sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":all"), !public_only);
  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), now);
  int rc = sqlite3_step(st);
  gint64 total = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : db_errno(rc);
  sqlite3_finalize(st);
  if (total < 0)
    return total;

  st = db_prepare(db,
      "SELECT i.position, i.featured, i.added_at, " DB_VIDEO_COLS " FROM topic_column_item i "
      "JOIN video v ON v.id = i.video_id WHERE i.column_id = :id AND (:all OR " DB_VIDEO_PUBLIC ") "
      "ORDER BY i.position LIMIT :limit OFFSET :offset");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
  sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":all"), !public_only);
  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), now);
  sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":limit"), limit);
  sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":offset"), offset);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "position");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 0));
    json_builder_set_member_name(b, "featured");
    json_builder_add_boolean_value(b, sqlite3_column_int(st, 1) != 0);
    db_json_time(b, "added_at", st, 2);
    json_builder_set_member_name(b, "video");
    json_builder_begin_object(b);
    db_video_build(b, st, 3);
    json_builder_end_object(b);
    json_builder_end_object(b);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? total : db_errno(rc);
}

JsonNode *db_column_json(Db *db, gint64 id, bool public_only, int item_limit, int item_offset,
                         int *rc)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT c.slug, c.title, c.description, c.cover, c.archived, c.publish_from, "
      "c.publish_until, c.created_at, c.updated_at, " DB_COLUMN_PUBLIC " FROM topic_column c "
      "WHERE c.id = :id");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), util_now());
  int r = sqlite3_step(st);
  if (r != SQLITE_ROW) {
    *rc = r == SQLITE_DONE ? -ENOENT : db_errno(r);
    sqlite3_finalize(st);
    return NULL;
  }
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  db_json_text(b, "slug", st, 0);
  db_json_text(b, "title", st, 1);
  db_json_text(b, "description", st, 2);
  db_json_text(b, "cover_url", st, 3);
  json_builder_set_member_name(b, "archived");
  json_builder_add_boolean_value(b, sqlite3_column_int(st, 4) != 0);
  db_json_time(b, "publish_from", st, 5);
  db_json_time(b, "publish_until", st, 6);
  db_json_time(b, "created_at", st, 7);
  db_json_time(b, "updated_at", st, 8);
  json_builder_set_member_name(b, "published");
  json_builder_add_boolean_value(b, sqlite3_column_int(st, 9) != 0);
  sqlite3_finalize(st);
  json_builder_set_member_name(b, "items");
  json_builder_begin_array(b);
  gint64 total = build_items(db, b, id, public_only, item_limit, item_offset);
  json_builder_end_array(b);
  json_builder_set_member_name(b, "item_count");
  json_builder_add_int_value(b, total > 0 ? total : 0);
  json_builder_end_object(b);
  JsonNode *node = json_builder_get_root(b);
  g_object_unref(b);
  if (total < 0) {
    json_node_unref(node);
    *rc = (int)total;
    return NULL;
  }
  *rc = 0;
  return node;
}

JsonNode *db_column_list_json(Db *db, bool public_only, int items, int *rc)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT c.id FROM topic_column c WHERE (:all OR " DB_COLUMN_PUBLIC ") "
      "ORDER BY c.archived, c.created_at, c.id");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":all"), !public_only);
  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), util_now());
  GArray *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  int r;
  while ((r = sqlite3_step(st)) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(st, 0);
    g_array_append_val(ids, id);
  }
  sqlite3_finalize(st);
  JsonArray *arr = json_array_new();
  *rc = r == SQLITE_DONE ? 0 : db_errno(r);
  for (guint i = 0; i < ids->len && *rc == 0; i++) {
    JsonNode *c = db_column_json(db, g_array_index(ids, gint64, i), public_only, items, 0, rc);
    if (c)
      json_array_add_element(arr, c);
  }
  g_array_unref(ids);
  if (*rc < 0) {
    json_array_unref(arr);
    return NULL;
  }
  JsonNode *node = json_node_new(JSON_NODE_ARRAY);
  json_node_take_array(node, arr);
  return node;
}
