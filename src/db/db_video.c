/* db_video: videos (lives and recordings), their renditions and their state history. */
#include "db/db_video.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_column.h"
#include "db/db_search.h"

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
  int ret = db_begin(db);
  bool begun = ret == 0;
  int rc = begun ? sqlite3_step(st) : SQLITE_BUSY;
  int ext = sqlite3_extended_errcode(db->conn);
  sqlite3_finalize(st);
  if (begun && rc == SQLITE_DONE && (ret = db_search_index_video(db, vid)) == 0 &&
      (ret = db_commit(db)) == 0) {
    *id = vid;
    return 0;
  }
  if (begun)
    db_rollback(db);
  g_free(vid);
  if (ret < 0)
    return ret;
  if (ext == SQLITE_CONSTRAINT_CHECK || ext == SQLITE_CONSTRAINT_NOTNULL)
    return -EINVAL;
  return db_errno(rc);
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
      "SELECT id, title, state, coalesce(scheduled_start, 0) FROM video WHERE stream_key_hash = ?1 "
      "AND deleted_at IS NULL");
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
  sqlite3_stmt *st = db_prepare(db, "SELECT id FROM video WHERE state = ?1 AND deleted_at IS NULL "
                                    "ORDER BY created_at");
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

void db_video_build(JsonBuilder *b, sqlite3_stmt *st, int c)
{
  const char *id = db_col_text(st, c + 0);
  db_json_text(b, "id", st, c + 0);
  db_json_text(b, "title", st, c + 1);
  db_json_text(b, "presenter", st, c + 2);
  db_json_text(b, "presenter_kind", st, c + 3);
  db_json_text(b, "category", st, c + 4);
  db_json_text(b, "description", st, c + 5);
  json_builder_set_member_name(b, "tags");
  JsonNode *tags = json_from_string(db_col_text(st, c + 6), NULL);
  if (tags && JSON_NODE_HOLDS_ARRAY(tags))
    json_builder_add_value(b, tags);
  else {
    if (tags)
      json_node_unref(tags);
    json_builder_begin_array(b);
    json_builder_end_array(b);
  }
  db_json_text(b, "source", st, c + 7);
  db_json_text(b, "state", st, c + 8);
  db_json_text(b, "failure_reason", st, c + 9);
  db_json_text(b, "visibility", st, c + 10);
  json_builder_set_member_name(b, "duration");
  if (sqlite3_column_type(st, c + 11) == SQLITE_NULL)
    json_builder_add_null_value(b);
  else
    json_builder_add_double_value(b, sqlite3_column_int64(st, c + 11) / 1000.0);
  db_json_time(b, "scheduled_start", st, c + 12);
  db_json_time(b, "publish_at", st, c + 13);
  json_builder_set_member_name(b, "poster_url");
  const char *poster = db_col_text(st, c + 14);
  if (poster && poster[0] == '/') {
    json_builder_add_string_value(b, poster); /* a replaced poster: /images/… */
  } else if (poster) {
    g_autofree char *u = g_strdup_printf("/hls/%s/%s", id, poster);
    json_builder_add_string_value(b, u);
  } else {
    json_builder_add_null_value(b);
  }
  db_json_time(b, "created_at", st, c + 15);
  db_json_time(b, "updated_at", st, c + 16);
  const char *state = db_col_text(st, c + 8);
  bool playable = state && (!strcmp(state, "live") || !strcmp(state, "ready"));
  json_builder_set_member_name(b, "hls_url");
  g_autofree char *hls = g_strdup_printf("/hls/%s/master.m3u8", id);
  json_builder_add_string_value(b, hls);
  json_builder_set_member_name(b, "playable");
  json_builder_add_boolean_value(b, playable);
}

JsonNode *db_video_json(Db *db, const char *id, int *rc)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT " DB_VIDEO_COLS ", " DB_VIDEO_LIVE_STARTED
                                    " FROM video v WHERE v.id = ?1 AND v.deleted_at IS NULL");
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
  db_video_build(b, st, 0);
  /* When a live went on air (first time): players measure live positions from it. */
  db_json_time(b, "live_started_at", st, DB_VIDEO_NCOLS);
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
      db_json_text(b, "name", st, 0);
      json_builder_set_member_name(b, "width");
      json_builder_add_int_value(b, sqlite3_column_int(st, 1));
      json_builder_set_member_name(b, "height");
      json_builder_add_int_value(b, sqlite3_column_int(st, 2));
      json_builder_set_member_name(b, "bandwidth");
      json_builder_add_int_value(b, sqlite3_column_int64(st, 3));
      json_builder_set_member_name(b, "average_bandwidth");
      json_builder_add_int_value(b, sqlite3_column_int64(st, 4));
      db_json_text(b, "codecs", st, 5);
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

  json_builder_set_member_name(b, "chapters");
  json_builder_begin_array(b);
  st = db_prepare(db, "SELECT start_ms, title FROM chapter WHERE video_id = ?1 ORDER BY start_ms");
  if (st) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
      json_builder_begin_object(b);
      json_builder_set_member_name(b, "start");
      json_builder_add_double_value(b, sqlite3_column_int64(st, 0) / 1000.0);
      db_json_text(b, "title", st, 1);
      json_builder_end_object(b);
    }
    sqlite3_finalize(st);
  }
  json_builder_end_array(b);

  /* The published columns it is shown in (archived or unpublished ones are editors' business). */
  json_builder_set_member_name(b, "columns");
  json_builder_begin_array(b);
  st = db_prepare(db,
      "SELECT c.slug, c.title FROM topic_column_item i JOIN topic_column c ON c.id = i.column_id "
      "WHERE i.video_id = ?1 AND " DB_COLUMN_PUBLIC " ORDER BY c.created_at, c.id");
  if (st) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), util_now());
    while (sqlite3_step(st) == SQLITE_ROW) {
      json_builder_begin_object(b);
      db_json_text(b, "slug", st, 0);
      db_json_text(b, "title", st, 1);
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

bool db_video_is_viewable(Db *db, const char *id)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT 1 FROM video v WHERE v.id = ?1 AND v.deleted_at IS NULL AND (v.visibility = 'unlisted' OR "
      "(v.visibility = 'published' AND coalesce(v.publish_at, 0) <= :now))");
  if (!st)
    return false;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), util_now());
  bool ok = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return ok;
}

/* ---- lists --------------------------------------------------------------------------
 * The list query is put together from constant parts, one per filter given, so that SQLite
 * sees plain equalities and a plain ORDER BY and walks the index of migration 0008 that
 * has them (a query with "(:x IS NULL OR …)" and CASE in its ORDER BY scanned and sorted
 * every video). Every value is a bound parameter. The sort keys are word for word those
 * of the indexes. tests/unit/test_db_video.c checks the plan of every shape. */
#define KEY_TIME "coalesce(v.publish_at, v.created_at)"
#define KEY_START "coalesce(v.scheduled_start, 9000000000000)"

/* Search ranks at most this many matches: the newest ones (the index's rowid is the
 * video's), so a word in every title costs the same as a rare one. */
#define SEARCH_HITS_MAX 500
/* Totals are counted up to this many; past it they are reported as at least this. */
#define LIST_TOTAL_MAX 1000

/* A search is one pass over its bounded window of hits: every hit is joined to its video
 * (by rowid, the id checked too: after a VACUUM that renumbered rows and before the next
 * start-up's resync, a stale row drops out rather than naming another video), those the
 * filters refuse sort last with no video, and C counts both kinds while it takes the page. */
#define SEARCH_FROM \
  " FROM (SELECT rowid AS hit, video_id, bm25(video_search, 0.0, 10.0, 5.0, 3.0, 1.0) AS rank " \
  "FROM video_search WHERE video_search MATCH :match ORDER BY rowid DESC LIMIT :hits) s " \
  "LEFT JOIN video v ON v.rowid = s.hit AND v.id = s.video_id AND "
/* A column holds at most 1000 videos: its items lead (CROSS JOIN keeps that order), and
 * sorting them is bounded. */
#define COLUMN_FROM \
  " FROM topic_column c CROSS JOIN topic_column_item i ON i.column_id = c.id " \
  "CROSS JOIN video v ON v.id = i.video_id WHERE "
#define COLUMN_EXISTS \
  " AND EXISTS (SELECT 1 FROM topic_column_item i JOIN topic_column c ON c.id = i.column_id " \
  "WHERE i.video_id = v.id AND c.slug = :column)"

static const char *sort_key(VideoSort s)
{
  return s == VIDEO_SORT_UPCOMING ? KEY_START : KEY_TIME;
}

static bool sort_ascending(VideoSort s)
{
  return s == VIDEO_SORT_OLDEST || s == VIDEO_SORT_UPCOMING;
}

/* FROM and the conditions of F (WHERE, or a search's join), without the cursor; COUNT: for
 * the total. */
static void list_from_where(GString *sql, const VideoFilter *f, bool count)
{
  if (f->match)
    g_string_append(sql, SEARCH_FROM);
  else if (f->column_slug)
    g_string_append(sql, COLUMN_FROM);
  else if (count && !f->category && !f->kind && !f->visibility)
    /* The public total (the home page's lists, lives) from an index that covers it. */
    g_string_append(sql, " FROM video v INDEXED BY video_list_public_count WHERE ");
  else if (f->sort == VIDEO_SORT_UPCOMING && !f->state)
    /* sort=upcoming over every state: only this index has that order (SQLite would rather
     * take the one on visibility and sort). */
    g_string_append(sql, " FROM video v INDEXED BY video_list_by_start_any WHERE ");
  else
    g_string_append(sql, " FROM video v WHERE ");
  g_string_append(sql, "v.deleted_at IS NULL");
  if (f->column_slug)
    g_string_append(sql, f->match ? COLUMN_EXISTS : " AND c.slug = :column");
  if (f->category)
    g_string_append(sql, " AND v.category = :category");
  if (f->kind)
    g_string_append(sql, " AND v.presenter_kind = :kind");
  if (f->state)
    g_string_append(sql, " AND v.state = :state");
  if (!f->visibility)
    g_string_append(sql, " AND " DB_VIDEO_PUBLIC);
  else if (strcmp(f->visibility, "any") != 0)
    g_string_append(sql, " AND v.visibility = :visibility");
}

static void bind_named_text(sqlite3_stmt *st, const char *name, const char *value)
{
  int i = sqlite3_bind_parameter_index(st, name);
  if (i && value)
    sqlite3_bind_text(st, i, value, -1, SQLITE_TRANSIENT);
}

static void bind_named_int(sqlite3_stmt *st, const char *name, gint64 value)
{
  int i = sqlite3_bind_parameter_index(st, name);
  if (i)
    sqlite3_bind_int64(st, i, value);
}

static void bind_filter(sqlite3_stmt *st, const VideoFilter *f)
{
  bind_named_text(st, ":match", f->match);
  bind_named_text(st, ":category", f->category);
  bind_named_text(st, ":kind", f->kind);
  bind_named_text(st, ":state", f->state);
  bind_named_text(st, ":column", f->column_slug);
  bind_named_text(st, ":visibility", f->visibility);
  bind_named_int(st, ":now", util_now());
  bind_named_int(st, ":hits", SEARCH_HITS_MAX);
  bind_named_int(st, ":total_max", LIST_TOTAL_MAX + 1);
  bind_named_int(st, ":limit", f->limit + 1);
  bind_named_int(st, ":offset", f->offset);
  bind_named_int(st, ":after_key", f->after.key);
  bind_named_int(st, ":after_row", f->after.row);
}

char *db_video_list_sql(const VideoFilter *f, bool count)
{
  GString *sql = g_string_new(NULL);
  bool asc = sort_ascending(f->sort);
  if (f->match) {
    /* One statement gives the page and the totals: the whole window, hits with a video first.
     * Only rowids are sorted; the page's rows are read after. */
    g_string_append(sql, "SELECT v.rowid");
    list_from_where(sql, f, false);
    if (f->sort == VIDEO_SORT_RELEVANCE)
      g_string_append(sql, " ORDER BY v.rowid IS NULL, s.rank, v.rowid DESC");
    else
      g_string_append_printf(sql, " ORDER BY v.rowid IS NULL, %s %s, v.rowid %s", sort_key(f->sort),
                             asc ? "ASC" : "DESC", asc ? "ASC" : "DESC");
    return g_string_free(sql, FALSE);
  }
  if (count) {
    g_string_append(sql, "SELECT count(*) FROM (SELECT 1");
    list_from_where(sql, f, true);
    g_string_append(sql, " LIMIT :total_max)");
    return g_string_free(sql, FALSE);
  }
  g_string_append_printf(sql, "SELECT " DB_VIDEO_COLS ", %s, v.rowid", sort_key(f->sort));
  list_from_where(sql, f, false);
  if (f->after.set) {
    /* The plain comparison bounds the index range; the row value breaks the tie. */
    g_string_append_printf(sql, " AND %s %s :after_key AND (%s, v.rowid) %s (:after_key, :after_row)",
                           sort_key(f->sort), asc ? ">=" : "<=", sort_key(f->sort), asc ? ">" : "<");
  }
  g_string_append_printf(sql, " ORDER BY %s %s, v.rowid %s LIMIT :limit OFFSET :offset",
                         sort_key(f->sort), asc ? "ASC" : "DESC", asc ? "ASC" : "DESC");
  return g_string_free(sql, FALSE);
}

static const char cursor_letter[] = {
  [VIDEO_SORT_NEWEST] = 'n', [VIDEO_SORT_OLDEST] = 'o', [VIDEO_SORT_UPCOMING] = 'u',
  [VIDEO_SORT_RELEVANCE] = 'r',
};

char *db_video_cursor_format(VideoSort sort, const VideoCursor *c)
{
  return g_strdup_printf("%c%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT, cursor_letter[sort], c->key, c->row);
}

int db_video_cursor_parse(const char *text, VideoSort sort, bool search, VideoCursor *out)
{
  if (!text || text[0] != cursor_letter[sort] || strlen(text) > 48)
    return -EINVAL;
  g_auto(GStrv) parts = g_strsplit(text + 1, ".", 3);
  gint64 key = 0, row = 0;
  if (g_strv_length(parts) != 2 ||
      !g_ascii_string_to_signed(parts[0], 10, G_MININT64, G_MAXINT64, &key, NULL) ||
      !g_ascii_string_to_signed(parts[1], 10, 0, G_MAXINT64, &row, NULL) ||
      (search && (key < 0 || key > SEARCH_HITS_MAX || row != 0)))
    return -EINVAL;
  *out = (VideoCursor){ .set = true, .key = key, .row = row };
  return 0;
}

/* Adds the video of ST's row to B (the list's JSON array). */
static void add_row(JsonBuilder *b, sqlite3_stmt *st)
{
  json_builder_begin_object(b);
  db_video_build(b, st, 0);
  json_builder_end_object(b);
}

/* A search: the page at the offset (the cursor's place in the ranked window), and the
 * totals from the same pass. */
static int search_page(Db *db, const VideoFilter *f, JsonBuilder *b, VideoListInfo *info)
{
  g_autofree char *sql = db_video_list_sql(f, false);
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st)
    return -EIO;
  bind_filter(st, f);
  gint64 from = f->after.set ? f->after.key : f->offset, hits = 0, shown = 0;
  GArray *page = g_array_new(FALSE, FALSE, sizeof(gint64));
  int r;
  while ((r = sqlite3_step(st)) == SQLITE_ROW) {
    hits++;
    if (sqlite3_column_type(st, 0) == SQLITE_NULL)
      continue; /* a hit the filters refuse */
    if (info->total >= from && shown < f->limit) {
      gint64 row = sqlite3_column_int64(st, 0);
      g_array_append_val(page, row);
      shown++;
    }
    info->total++;
  }
  sqlite3_finalize(st);
  int ret = r == SQLITE_DONE ? 0 : db_errno(r);
  st = ret == 0 ? db_cached(db, "SELECT " DB_VIDEO_COLS " FROM video v WHERE v.rowid = ?1") : NULL;
  if (ret == 0 && !st)
    ret = -EIO;
  for (guint i = 0; ret == 0 && i < page->len; i++) {
    sqlite3_bind_int64(st, 1, g_array_index(page, gint64, i));
    if ((r = sqlite3_step(st)) == SQLITE_ROW)
      add_row(b, st);
    else
      ret = r == SQLITE_DONE ? -EIO : db_errno(r);
    sqlite3_reset(st);
  }
  g_array_unref(page);
  if (ret < 0)
    return ret;
  if (info->total > from + shown) {
    VideoCursor next = { .set = true, .key = from + shown };
    info->next = db_video_cursor_format(f->sort, &next);
  }
  info->total_is_estimate = hits >= SEARCH_HITS_MAX;
  return 0;
}

/* Counts F's matches up to LIST_TOTAL_MAX, and whether there are more. */
static int list_total(Db *db, const VideoFilter *f, VideoListInfo *info)
{
  g_autofree char *sql = db_video_list_sql(f, true);
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st)
    return -EIO;
  bind_filter(st, f);
  int r = sqlite3_step(st);
  gint64 n = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (r != SQLITE_ROW)
    return db_errno(r);
  info->total = MIN(n, LIST_TOTAL_MAX);
  info->total_is_estimate = n > LIST_TOTAL_MAX;
  return 0;
}

/* A list: the page after the cursor (or at the offset), one row more to know of a next. */
static int list_page(Db *db, const VideoFilter *f, JsonBuilder *b, VideoListInfo *info)
{
  int ret = list_total(db, f, info);
  if (ret < 0)
    return ret;
  g_autofree char *sql = db_video_list_sql(f, false);
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st)
    return -EIO;
  bind_filter(st, f);
  int r, n = 0;
  VideoCursor last = { 0 };
  while ((r = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == f->limit) {
      info->next = db_video_cursor_format(f->sort, &last);
      r = SQLITE_DONE;
      break;
    }
    add_row(b, st);
    n++;
    last = (VideoCursor){ .set = true, .key = sqlite3_column_int64(st, DB_VIDEO_NCOLS),
                          .row = sqlite3_column_int64(st, DB_VIDEO_NCOLS + 1) };
  }
  sqlite3_finalize(st);
  return r == SQLITE_DONE ? 0 : db_errno(r);
}

JsonNode *db_video_list_json(Db *db, const VideoFilter *f, VideoListInfo *info, int *rc)
{
  *info = (VideoListInfo){ 0 };
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  int ret = f->match ? search_page(db, f, b, info) : list_page(db, f, b, info);
  json_builder_end_array(b);
  JsonNode *arr = ret == 0 ? json_builder_get_root(b) : NULL;
  g_object_unref(b);
  *rc = ret;
  if (!arr)
    g_clear_pointer(&info->next, g_free);
  return arr;
}

/* One UPDATE per field, so the column name is never a value. */
static const char *const field_sql[] = {
  [VIDEO_TITLE] = "UPDATE video SET title = ?2, updated_at = ?3 WHERE id = ?1",
  [VIDEO_PRESENTER] = "UPDATE video SET presenter = ?2, updated_at = ?3 WHERE id = ?1",
  [VIDEO_KIND] = "UPDATE video SET presenter_kind = ?2, updated_at = ?3 WHERE id = ?1",
  [VIDEO_CATEGORY] = "UPDATE video SET category = ?2, updated_at = ?3 WHERE id = ?1",
  [VIDEO_DESCRIPTION] = "UPDATE video SET description = ?2, updated_at = ?3 WHERE id = ?1",
  [VIDEO_TAGS] = "UPDATE video SET tags = ?2, updated_at = ?3 WHERE id = ?1",
  [VIDEO_VISIBILITY] = "UPDATE video SET visibility = ?2, updated_at = ?3 WHERE id = ?1",
  [VIDEO_POSTER] = "UPDATE video SET poster = ?2, updated_at = ?3 WHERE id = ?1",
  [VIDEO_PUBLISH_AT] = "UPDATE video SET publish_at = ?2, updated_at = ?3 WHERE id = ?1",
  [VIDEO_SCHEDULED_START] = "UPDATE video SET scheduled_start = ?2, updated_at = ?3 WHERE id = ?1",
};

static int set_field(Db *db, const char *id, VideoField f, const char *text, gint64 t)
{
  int ret = db_begin(db);
  if (ret < 0)
    return ret;
  sqlite3_stmt *st = db_prepare(db, field_sql[f]);
  if (!st) {
    db_rollback(db);
    return -EIO;
  }
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  if (f >= VIDEO_PUBLISH_AT) {
    if (t)
      sqlite3_bind_int64(st, 2, t);
    else
      sqlite3_bind_null(st, 2);
  } else {
    sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
  }
  sqlite3_bind_int64(st, 3, util_now());
  int rc = sqlite3_step(st);
  int ext = sqlite3_extended_errcode(db->conn);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    ret = ext == SQLITE_CONSTRAINT_CHECK || ext == SQLITE_CONSTRAINT_NOTNULL ? -EINVAL : db_errno(rc);
  else if (sqlite3_changes(db->conn) == 0)
    ret = -ENOENT;
  else if (f <= VIDEO_TAGS)
    ret = db_search_index_video(db, id);
  if (ret == 0)
    ret = db_commit(db);
  if (ret < 0)
    db_rollback(db);
  return ret;
}

int db_video_set_text(Db *db, const char *id, VideoField f, const char *value)
{
  g_return_val_if_fail(f < VIDEO_PUBLISH_AT && value, -EINVAL);
  return set_field(db, id, f, value, 0);
}

int db_video_set_time(Db *db, const char *id, VideoField f, gint64 t)
{
  g_return_val_if_fail(f >= VIDEO_PUBLISH_AT && f < G_N_ELEMENTS(field_sql), -EINVAL);
  return set_field(db, id, f, NULL, t);
}

int db_video_set_chapters(Db *db, const char *id, const ChapterRow *rows, size_t n)
{
  int ret = db_begin(db);
  if (ret < 0)
    return ret;
  sqlite3_stmt *st = db_prepare(db, "UPDATE video SET updated_at = ?2 WHERE id = ?1");
  int rc = SQLITE_ERROR;
  if (st) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, util_now());
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
  }
  if (rc != SQLITE_DONE || sqlite3_changes(db->conn) == 0) {
    db_rollback(db);
    return rc == SQLITE_DONE ? -ENOENT : -EIO;
  }
  st = db_prepare(db, "DELETE FROM chapter WHERE video_id = ?1");
  rc = SQLITE_ERROR;
  if (st) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
  }
  st = rc == SQLITE_DONE ? db_prepare(db, "INSERT INTO chapter (video_id, start_ms, title) VALUES (?1, ?2, ?3)") : NULL;
  if (!st) {
    db_rollback(db);
    return -EIO;
  }
  for (size_t i = 0; i < n && ret == 0; i++) {
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, rows[i].start_ms);
    sqlite3_bind_text(st, 3, rows[i].title, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
      int ext = sqlite3_extended_errcode(db->conn);
      ret = (ext == SQLITE_CONSTRAINT_CHECK || ext == SQLITE_CONSTRAINT_PRIMARYKEY ||
             ext == SQLITE_CONSTRAINT_NOTNULL) ? -EINVAL : db_errno(rc);
    }
  }
  sqlite3_finalize(st);
  if (ret == 0)
    ret = db_commit(db);
  if (ret < 0)
    db_rollback(db);
  return ret;
}

gint64 db_video_updated_at(Db *db, const char *id)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT updated_at FROM video WHERE id = ?1 AND deleted_at IS NULL");
  if (!st)
    return 0;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  gint64 t = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return t;
}

gint64 db_catalog_changed_at(Db *db)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT max(coalesce((SELECT max(updated_at) FROM video), 0),"
      " coalesce((SELECT max(updated_at) FROM topic_column), 0),"
      " coalesce((SELECT max(created_at) FROM category), 0),"
      " coalesce((SELECT max(publish_at) FROM video WHERE publish_at <= :now), 0),"
      " coalesce((SELECT max(publish_from) FROM topic_column WHERE publish_from <= :now), 0),"
      " coalesce((SELECT max(publish_until) FROM topic_column WHERE publish_until <= :now), 0))");
  if (!st)
    return 0;
  sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), util_now());
  gint64 t = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return t;
}

/* ---- deleting and rekeying ------------------------------------------------------- */

/* Runs ST (bound by the caller) to its end and finalizes it: 0, or -errno. */
static int step_done(sqlite3_stmt *st)
{
  if (!st)
    return -EIO;
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

/* The state and source of video ID (not deleted) into *STATE and *SOURCE (caller frees).
 * Returns 0, -ENOENT, -EIO. */
static int video_state(Db *db, const char *id, char **state, char **source)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT state, source FROM video WHERE id = ?1 AND deleted_at IS NULL");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0) {
    *state = g_strdup(db_col_text(st, 0));
    *source = g_strdup(db_col_text(st, 1));
  }
  sqlite3_finalize(st);
  return ret;
}

/* Takes video ID out of every column it is in, each column's list rewritten (so positions
 * stay 0..n-1 and the columns' updated_at moves); the slugs go to SLUGS. */
static int leave_columns(Db *db, const char *id, GPtrArray *slugs)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT c.id, c.slug FROM topic_column_item i JOIN topic_column c ON c.id = i.column_id "
      "WHERE i.video_id = ?1 ORDER BY c.id");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  GArray *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    gint64 cid = sqlite3_column_int64(st, 0);
    g_array_append_val(ids, cid);
    g_ptr_array_add(slugs, g_strdup(db_col_text(st, 1)));
  }
  sqlite3_finalize(st);
  int ret = rc == SQLITE_DONE ? 0 : db_errno(rc);
  for (guint i = 0; i < ids->len && ret == 0; i++) {
    gint64 cid = g_array_index(ids, gint64, i);
    GArray *items = NULL;
    if ((ret = db_column_items(db, cid, &items)) < 0)
      break;
    for (guint j = items->len; j-- > 0;)
      if (!strcmp(g_array_index(items, ColumnItem, j).video_id, id))
        g_array_remove_index(items, j);
    ret = db_column_set_items(db, cid, (const ColumnItem *)(void *)items->data, items->len);
    g_array_unref(items);
  }
  g_array_unref(ids);
  return ret;
}

int db_video_delete(Db *db, const char *id, const char *by, GPtrArray **columns)
{
  char *state = NULL, *source = NULL;
  GPtrArray *slugs = g_ptr_array_new_with_free_func(g_free);
  int ret = db_begin(db);
  if (ret < 0)
    goto out;
  if ((ret = video_state(db, id, &state, &source)) < 0)
    goto fail;
  if (!strcmp(state, "live")) {
    ret = -EBUSY; /* the pipeline is writing its files and viewers are watching */
    goto fail;
  }
  if ((ret = leave_columns(db, id, slugs)) < 0)
    goto fail;
  gint64 now = util_now();
  /* A running transcode sees `cancelled` within a second, stops and removes its files. */
  sqlite3_stmt *st = db_prepare(db,
      "UPDATE job SET state = 'cancelled', error = 'the video was deleted', updated_at = ?2 "
      "WHERE video_id = ?1 AND state IN ('queued', 'running')");
  if (st) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
  }
  if ((ret = step_done(st)) < 0)
    goto fail;
  st = db_prepare(db,
      "UPDATE video SET deleted_at = ?2, deleted_by = ?3, stream_key_hash = NULL, updated_at = ?2 "
      "WHERE id = ?1 AND deleted_at IS NULL");
  if (st) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    if (by)
      sqlite3_bind_text(st, 3, by, -1, SQLITE_TRANSIENT);
    else
      sqlite3_bind_null(st, 3);
  }
  if ((ret = step_done(st)) < 0 || (ret = db_search_index_video(db, id)) < 0 ||
      (ret = db_commit(db)) < 0)
    goto fail;
  log_info("video", "%s deleted (was %s)%s%s", id, state, by ? " by " : "", by ? by : "");
  if (columns)
    *columns = g_ptr_array_ref(slugs);
  goto out;
fail:
  db_rollback(db);
out:
  g_ptr_array_unref(slugs);
  g_free(state);
  g_free(source);
  return ret;
}

static void deleted_clear(gpointer p)
{
  g_free(((VideoDeleted *)p)->id);
}

int db_video_deleted_unpurged(Db *db, GArray **out)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT id, deleted_at FROM video WHERE deleted_at IS NOT NULL AND media_purged_at IS NULL "
      "ORDER BY deleted_at, id");
  if (!st)
    return -EIO;
  *out = g_array_new(FALSE, TRUE, sizeof(VideoDeleted));
  g_array_set_clear_func(*out, deleted_clear);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    VideoDeleted d = { g_strdup(db_col_text(st, 0)), sqlite3_column_int64(st, 1) };
    g_array_append_val(*out, d);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    g_clear_pointer(out, g_array_unref);
    return db_errno(rc);
  }
  return 0;
}

int db_video_mark_purged(Db *db, const char *id, gint64 at)
{
  sqlite3_stmt *st = db_prepare(db,
      "UPDATE video SET media_purged_at = ?2 WHERE id = ?1 AND deleted_at IS NOT NULL");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, at);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  return sqlite3_changes(db->conn) ? 0 : -ENOENT;
}

int db_video_set_key(Db *db, const char *id, const char *key_hash)
{
  char *state = NULL, *source = NULL;
  int ret = db_begin(db);
  if (ret < 0)
    return ret;
  if ((ret = video_state(db, id, &state, &source)) < 0)
    goto fail;
  if (strcmp(source, "live") != 0 || (strcmp(state, "scheduled") != 0 && strcmp(state, "live") != 0)) {
    ret = -EINVAL;
    goto fail;
  }
  if (!strcmp(state, "live")) {
    ret = -EBUSY;
    goto fail;
  }
  sqlite3_stmt *st = db_prepare(db, "UPDATE video SET stream_key_hash = ?2, updated_at = ?3 WHERE id = ?1");
  if (st) {
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, key_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, util_now());
  }
  if ((ret = step_done(st)) < 0 || (ret = db_commit(db)) < 0)
    goto fail;
  g_free(state);
  g_free(source);
  return 0;
fail:
  db_rollback(db);
  g_free(state);
  g_free(source);
  return ret;
}
