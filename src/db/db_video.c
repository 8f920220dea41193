/* db_video: videos (lives and recordings), their renditions and their state history. */
#include "db/db_video.h"
#include "core/log.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

/* One new video row; SOURCE and STATE are literals of ours, the rest bound. */
static int insert_video(Db *db, const char *source, const char *state, const char *title,
                        const char *presenter, const char *kind, gint64 scheduled_start,
                        const char *key_hash, const char *created_by, char **id)
{
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO video (id, title, presenter, presenter_kind, source, state, stream_key_hash, "
      "scheduled_start, created_by, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?9, ?10, ?5, ?6, ?7, ?8, ?8)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 9, source, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 10, state, -1, SQLITE_STATIC);
  if (key_hash)
    sqlite3_bind_text(st, 5, key_hash, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(st, 5);
  char *vid = util_random_id(8);
  sqlite3_bind_text(st, 1, vid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, presenter ? presenter : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, kind ? kind : "other", -1, SQLITE_TRANSIENT);
  if (scheduled_start)
    sqlite3_bind_int64(st, 6, scheduled_start);
  else
    sqlite3_bind_null(st, 6);
  if (created_by)
    sqlite3_bind_text(st, 7, created_by, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(st, 7);
  sqlite3_bind_int64(st, 8, util_now());
  int rc = sqlite3_step(st);
  int ext = sqlite3_extended_errcode(db->conn);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    g_free(vid);
    if (ext == SQLITE_CONSTRAINT_CHECK || ext == SQLITE_CONSTRAINT_NOTNULL)
      return -EINVAL;
    return db_errno(rc);
  }
  *id = vid;
  return 0;
}

int db_video_create_live(Db *db, const char *title, const char *presenter, const char *kind,
                         gint64 scheduled_start, const char *key_hash, const char *created_by,
                         char **id)
{
  return insert_video(db, "live", "scheduled", title, presenter, kind, scheduled_start, key_hash,
                      created_by, id);
}

int db_video_create_upload(Db *db, const char *title, const char *presenter, const char *kind,
                           const char *created_by, char **id)
{
  return insert_video(db, "upload", "processing", title, presenter, kind, 0, NULL, created_by, id);
}

int db_video_find_by_key(Db *db, const char *key_hash, VideoKeyMatch *out)
{
  memset(out, 0, sizeof *out);
  sqlite3_stmt *st = db_prepare(db,
      "SELECT id, title, state, coalesce(scheduled_start, 0) FROM video WHERE stream_key_hash = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, key_hash, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = -ENOENT;
  if (rc == SQLITE_ROW) {
    out->id = g_strdup(db_col_text(st, 0));
    out->title = g_strdup(db_col_text(st, 1));
    out->state = g_strdup(db_col_text(st, 2));
    out->scheduled_start = sqlite3_column_int64(st, 3);
    ret = 0;
  } else if (rc != SQLITE_DONE) {
    ret = db_errno(rc);
  }
  sqlite3_finalize(st);
  return ret;
}

void db_video_key_match_clear(VideoKeyMatch *m)
{
  g_clear_pointer(&m->id, g_free);
  g_clear_pointer(&m->title, g_free);
  g_clear_pointer(&m->state, g_free);
}

int db_video_set_state(Db *db, const char *id, const char *from, const char *to,
                       const char *detail, const char *reason)
{
  int ret = db_begin(db);
  if (ret < 0)
    return ret;
  char *old = NULL;
  sqlite3_stmt *st = db_prepare(db, "SELECT state FROM video WHERE id = ?1");
  if (!st) {
    ret = -EIO;
    goto fail;
  }
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st) == SQLITE_ROW)
    old = g_strdup(db_col_text(st, 0));
  sqlite3_finalize(st);
  if (!old || (from && strcmp(old, from) != 0)) {
    ret = -ENOENT;
    goto fail;
  }
  st = db_prepare(db, "UPDATE video SET state = ?2, failure_reason = ?3, updated_at = ?4 WHERE id = ?1");
  if (!st) {
    ret = -EIO;
    goto fail;
  }
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
  if (reason)
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(st, 3);
  sqlite3_bind_int64(st, 4, util_now());
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    ret = db_errno(rc);
    goto fail;
  }
  st = db_prepare(db, "INSERT INTO video_state_log (video_id, at, from_state, to_state, detail) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st) {
    ret = -EIO;
    goto fail;
  }
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, util_now());
  sqlite3_bind_text(st, 3, old, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, to, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 5, detail ? detail : "", -1, SQLITE_TRANSIENT);
  rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    ret = db_errno(rc);
    goto fail;
  }
  ret = db_commit(db);
  if (ret == 0)
    log_info("video", "%s: %s -> %s%s%s", id, old, to, detail && *detail ? ": " : "",
             detail ? detail : "");
  g_free(old);
  return ret;
fail:
  db_rollback(db);
  g_free(old);
  return ret;
}

int db_video_set_media(Db *db, const char *id, gint64 duration_ms, const char *poster)
{
  sqlite3_stmt *st = db_prepare(db,
      "UPDATE video SET duration_ms = ?2, poster = ?3, updated_at = ?4 WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, duration_ms);
  if (poster)
    sqlite3_bind_text(st, 3, poster, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(st, 3);
  sqlite3_bind_int64(st, 4, util_now());
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_rendition_put(Db *db, const char *video_id, const RenditionRow *r)
{
  sqlite3_stmt *st = db_prepare(db,
      "INSERT OR REPLACE INTO rendition (video_id, name, width, height, bandwidth, "
      "average_bandwidth, codecs, frame_rate, playlist) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, r->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 3, r->width);
  sqlite3_bind_int(st, 4, r->height);
  sqlite3_bind_int64(st, 5, r->bandwidth);
  sqlite3_bind_int64(st, 6, r->average_bandwidth);
  sqlite3_bind_text(st, 7, r->codecs, -1, SQLITE_TRANSIENT);
  if (r->frame_rate > 0)
    sqlite3_bind_double(st, 8, r->frame_rate);
  else
    sqlite3_bind_null(st, 8);
  sqlite3_bind_text(st, 9, r->playlist, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_rendition_get(Db *db, const char *video_id, const char *name, int *width, int *height,
                     char **codecs, double *frame_rate)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT width, height, codecs, coalesce(frame_rate, 0) FROM rendition "
      "WHERE video_id = ?1 AND name = ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0) {
    *width = sqlite3_column_int(st, 0);
    *height = sqlite3_column_int(st, 1);
    *codecs = g_strdup(db_col_text(st, 2));
    *frame_rate = sqlite3_column_double(st, 3);
  }
  sqlite3_finalize(st);
  return ret;
}

int db_video_ids_in_state(Db *db, const char *state, GPtrArray **ids)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT id FROM video WHERE state = ?1 ORDER BY created_at");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, state, -1, SQLITE_TRANSIENT);
  *ids = g_ptr_array_new_with_free_func(g_free);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    g_ptr_array_add(*ids, g_strdup(db_col_text(st, 0)));
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    g_clear_pointer(ids, g_ptr_array_unref);
    return db_errno(rc);
  }
  return 0;
}

char *db_video_visibility(Db *db, const char *id)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT visibility FROM video WHERE id = ?1");
  if (!st)
    return NULL;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  char *v = sqlite3_step(st) == SQLITE_ROW ? g_strdup(db_col_text(st, 0)) : NULL;
  sqlite3_finalize(st);
  return v;
}

static void add_time(JsonBuilder *b, const char *name, sqlite3_stmt *st, int col)
{
  json_builder_set_member_name(b, name);
  if (sqlite3_column_type(st, col) == SQLITE_NULL) {
    json_builder_add_null_value(b);
  } else {
    g_autofree char *t = util_iso8601(sqlite3_column_int64(st, col));
    json_builder_add_string_value(b, t);
  }
}

static void add_text(JsonBuilder *b, const char *name, sqlite3_stmt *st, int col)
{
  json_builder_set_member_name(b, name);
  const char *t = db_col_text(st, col);
  if (t)
    json_builder_add_string_value(b, t);
  else
    json_builder_add_null_value(b);
}

JsonNode *db_video_json(Db *db, const char *id, int *rc)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT id, title, presenter, presenter_kind, category, description, tags, source, state, "
      "failure_reason, visibility, duration_ms, scheduled_start, publish_at, poster, created_at, "
      "updated_at FROM video WHERE id = ?1");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  int r = sqlite3_step(st);
  if (r != SQLITE_ROW) {
    *rc = r == SQLITE_DONE ? -ENOENT : db_errno(r);
    sqlite3_finalize(st);
    return NULL;
  }
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  add_text(b, "id", st, 0);
  add_text(b, "title", st, 1);
  add_text(b, "presenter", st, 2);
  add_text(b, "presenter_kind", st, 3);
  add_text(b, "category", st, 4);
  add_text(b, "description", st, 5);
  json_builder_set_member_name(b, "tags");
  JsonNode *tags = json_from_string(db_col_text(st, 6), NULL);
  if (tags && JSON_NODE_HOLDS_ARRAY(tags))
    json_builder_add_value(b, tags);
  else {
    if (tags)
      json_node_unref(tags);
    json_builder_begin_array(b);
    json_builder_end_array(b);
  }
  add_text(b, "source", st, 7);
  add_text(b, "state", st, 8);
  add_text(b, "failure_reason", st, 9);
  add_text(b, "visibility", st, 10);
  json_builder_set_member_name(b, "duration");
  if (sqlite3_column_type(st, 11) == SQLITE_NULL)
    json_builder_add_null_value(b);
  else
    json_builder_add_double_value(b, sqlite3_column_int64(st, 11) / 1000.0);
  add_time(b, "scheduled_start", st, 12);
  add_time(b, "publish_at", st, 13);
  json_builder_set_member_name(b, "poster_url");
  const char *poster = db_col_text(st, 14);
  if (poster) {
    g_autofree char *u = g_strdup_printf("/hls/%s/%s", id, poster);
    json_builder_add_string_value(b, u);
  } else {
    json_builder_add_null_value(b);
  }
  add_time(b, "created_at", st, 15);
  add_time(b, "updated_at", st, 16);
  const char *state = db_col_text(st, 8);
  bool playable = state && (!strcmp(state, "live") || !strcmp(state, "ready"));
  json_builder_set_member_name(b, "hls_url");
  g_autofree char *hls = g_strdup_printf("/hls/%s/master.m3u8", id);
  json_builder_add_string_value(b, hls);
  json_builder_set_member_name(b, "playable");
  json_builder_add_boolean_value(b, playable);
  sqlite3_finalize(st);

  json_builder_set_member_name(b, "renditions");
  json_builder_begin_array(b);
  st = db_prepare(db,
      "SELECT name, width, height, bandwidth, average_bandwidth, codecs, frame_rate, playlist "
      "FROM rendition WHERE video_id = ?1 ORDER BY height DESC");
  if (st) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
      json_builder_begin_object(b);
      add_text(b, "name", st, 0);
      json_builder_set_member_name(b, "width");
      json_builder_add_int_value(b, sqlite3_column_int(st, 1));
      json_builder_set_member_name(b, "height");
      json_builder_add_int_value(b, sqlite3_column_int(st, 2));
      json_builder_set_member_name(b, "bandwidth");
      json_builder_add_int_value(b, sqlite3_column_int64(st, 3));
      json_builder_set_member_name(b, "average_bandwidth");
      json_builder_add_int_value(b, sqlite3_column_int64(st, 4));
      add_text(b, "codecs", st, 5);
      json_builder_set_member_name(b, "frame_rate");
      json_builder_add_double_value(b, sqlite3_column_double(st, 6));
      json_builder_set_member_name(b, "playlist_url");
      g_autofree char *u = g_strdup_printf("/hls/%s/%s", id, db_col_text(st, 7));
      json_builder_add_string_value(b, u);
      json_builder_end_object(b);
    }
    sqlite3_finalize(st);
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
  JsonNode *node = json_builder_get_root(b);
  g_object_unref(b);
  *rc = 0;
  return node;
}
