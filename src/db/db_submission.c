/* db_submission: calls, submissions, uploads and state events — prepared statements only. */
#include "db/db_submission.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

static char *dup_col(sqlite3_stmt *st, int i)
{
  return g_strdup(db_col_text(st, i));
}

/* ---- calls ------------------------------------------------------------- */

#define CALL_COLS "id, title, description, kinds, opens_at, closes_at, real_name_only, fields, " \
  "max_bytes, max_seconds, created_by, created_at, updated_at"

static SubmitCall *call_row(sqlite3_stmt *st)
{
  SubmitCall *c = g_new0(SubmitCall, 1);
  c->id = sqlite3_column_int64(st, 0);
  c->title = dup_col(st, 1);
  c->description = dup_col(st, 2);
  c->kinds = dup_col(st, 3);
  c->opens_at = sqlite3_column_int64(st, 4);
  c->closes_at = sqlite3_column_int64(st, 5);
  c->real_name_only = sqlite3_column_int(st, 6) != 0;
  c->fields = dup_col(st, 7);
  c->max_bytes = sqlite3_column_int64(st, 8);
  c->max_seconds = sqlite3_column_int64(st, 9);
  c->created_by = dup_col(st, 10);
  c->created_at = sqlite3_column_int64(st, 11);
  c->updated_at = sqlite3_column_int64(st, 12);
  return c;
}

int db_submission_call_save(Db *db, SubmitCall *c, gint64 now)
{
  sqlite3_stmt *st = c->id == 0
    ? db_cached(db, "INSERT INTO submission_call (title, description, kinds, opens_at, closes_at, "
                    "real_name_only, fields, max_bytes, max_seconds, created_by, created_at, updated_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)")
    : db_cached(db, "UPDATE submission_call SET title = ?1, description = ?2, kinds = ?3, opens_at = ?4, "
                    "closes_at = ?5, real_name_only = ?6, fields = ?7, max_bytes = ?8, max_seconds = ?9, "
                    "updated_at = ?11 WHERE id = ?12");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, c->title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, c->description ? c->description : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, c->kinds, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, c->opens_at);
  sqlite3_bind_int64(st, 5, c->closes_at);
  sqlite3_bind_int(st, 6, c->real_name_only ? 1 : 0);
  sqlite3_bind_text(st, 7, c->fields ? c->fields : "[]", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 8, c->max_bytes);
  sqlite3_bind_int64(st, 9, c->max_seconds);
  sqlite3_bind_text(st, 10, c->created_by, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 11, now);
  if (c->id)
    sqlite3_bind_int64(st, 12, c->id);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  if (c->id == 0) {
    c->id = sqlite3_last_insert_rowid(db->conn);
    c->created_at = now;
  } else if (sqlite3_changes(db->conn) == 0) {
    return -ENOENT;
  }
  c->updated_at = now;
  return 0;
}

int db_submission_call_get(Db *db, gint64 id, SubmitCall **out)
{
  sqlite3_stmt *st = db_cached(db, "SELECT " CALL_COLS " FROM submission_call WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0)
    *out = call_row(st);
  sqlite3_reset(st);
  return ret;
}

static JsonNode *parse_json(const char *text, JsonNodeType want)
{
  JsonNode *n = text ? json_from_string(text, NULL) : NULL;
  if (!n || JSON_NODE_TYPE(n) != want) {
    if (n)
      json_node_unref(n);
    n = json_node_new(want);
    if (want == JSON_NODE_ARRAY)
      json_node_take_array(n, json_array_new());
    else
      json_node_take_object(n, json_object_new());
  }
  return n;
}

JsonNode *db_submission_call_json(const SubmitCall *c)
{
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "id", c->id);
  json_object_set_string_member(o, "title", c->title);
  json_object_set_string_member(o, "description", c->description);
  json_object_set_member(o, "kinds", parse_json(c->kinds, JSON_NODE_ARRAY));
  g_autofree char *opens = util_iso8601(c->opens_at), *closes = util_iso8601(c->closes_at);
  json_object_set_string_member(o, "opens_at", opens);
  json_object_set_string_member(o, "closes_at", closes);
  json_object_set_boolean_member(o, "real_name_only", c->real_name_only);
  json_object_set_member(o, "fields", parse_json(c->fields, JSON_NODE_ARRAY));
  json_object_set_int_member(o, "max_bytes", c->max_bytes);
  json_object_set_int_member(o, "max_seconds", c->max_seconds);
  JsonNode *n = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(n, o);
  return n;
}

bool db_submission_call_takes(const SubmitCall *c, const char *kind)
{
  g_autoptr(JsonNode) n = parse_json(c->kinds, JSON_NODE_ARRAY);
  JsonArray *a = json_node_get_array(n);
  for (guint i = 0; kind && i < json_array_get_length(a); i++) {
    const char *k = json_node_get_string(json_array_get_element(a, i));
    if (k && strcmp(k, kind) == 0)
      return true;
  }
  return false;
}

JsonNode *db_submission_call_list_json(Db *db, bool all, gint64 now, int *rc)
{
  sqlite3_stmt *st = db_cached(db, "SELECT " CALL_COLS " FROM submission_call "
                                   "WHERE ?1 OR (opens_at <= ?2 AND ?2 < closes_at) ORDER BY id DESC");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_int(st, 1, all ? 1 : 0);
  sqlite3_bind_int64(st, 2, now);
  JsonArray *a = json_array_new();
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    SubmitCall *c = call_row(st);
    JsonNode *n = db_submission_call_json(c);
    json_object_set_boolean_member(json_node_get_object(n), "open", c->opens_at <= now && now < c->closes_at);
    json_array_add_element(a, n);
    submit_call_free(&c);
  }
  sqlite3_reset(st);
  if (step != SQLITE_DONE) {
    json_array_unref(a);
    *rc = db_errno(step);
    return NULL;
  }
  *rc = 0;
  JsonNode *n = json_node_new(JSON_NODE_ARRAY);
  json_node_take_array(n, a);
  return n;
}

void submit_call_free(SubmitCall **c)
{
  if (!c || !*c)
    return;
  g_free((*c)->title);
  g_free((*c)->description);
  g_free((*c)->kinds);
  g_free((*c)->fields);
  g_free((*c)->created_by);
  g_clear_pointer(c, g_free);
}

/* ---- submissions -------------------------------------------------------- */

static int add_event(Db *db, const char *id, const char *from, const char *to, const char *by,
                     const char *reason, gint64 now)
{
  sqlite3_stmt *st = db_cached(db, "INSERT INTO submission_event (submission_id, from_state, to_state, "
                                   "by_member, reason, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, by, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 5, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 6, now);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_submission_create(Db *db, Submission *s, gint64 now)
{
  s->id = util_random_id(9);
  sqlite3_stmt *st = db_cached(db, "INSERT INTO submission (id, call_id, member_id, kind, title, fields, body, "
                                   "state, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, s->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, s->call_id);
  sqlite3_bind_text(st, 3, s->member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, s->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 5, s->title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 6, s->fields ? s->fields : "{}", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 7, s->body, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 8, s->state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 9, now);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  s->created_at = s->updated_at = now;
  return add_event(db, s->id, NULL, s->state, s->member_id, NULL, now);
}

int db_submission_get(Db *db, const char *id, Submission **out)
{
  sqlite3_stmt *st = db_cached(db, "SELECT id, call_id, member_id, kind, title, fields, body, state, reason, "
                                   "file_path, file_bytes, preview_url, video_id, result_kind, result_id, "
                                   "created_at, updated_at FROM submission WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0) {
    Submission *s = g_new0(Submission, 1);
    s->id = dup_col(st, 0);
    s->call_id = sqlite3_column_int64(st, 1);
    s->member_id = dup_col(st, 2);
    s->kind = dup_col(st, 3);
    s->title = dup_col(st, 4);
    s->fields = dup_col(st, 5);
    s->body = dup_col(st, 6);
    s->state = dup_col(st, 7);
    s->reason = dup_col(st, 8);
    s->file_path = dup_col(st, 9);
    s->file_bytes = sqlite3_column_int64(st, 10);
    s->preview_url = dup_col(st, 11);
    s->video_id = dup_col(st, 12);
    s->result_kind = dup_col(st, 13);
    s->result_id = dup_col(st, 14);
    s->created_at = sqlite3_column_int64(st, 15);
    s->updated_at = sqlite3_column_int64(st, 16);
    *out = s;
  }
  sqlite3_reset(st);
  return ret;
}

void submission_free(Submission **s)
{
  if (!s || !*s)
    return;
  Submission *x = *s;
  g_free(x->id);
  g_free(x->member_id);
  g_free(x->kind);
  g_free(x->title);
  g_free(x->fields);
  g_free(x->body);
  g_free(x->state);
  g_free(x->reason);
  g_free(x->file_path);
  g_free(x->preview_url);
  g_free(x->video_id);
  g_free(x->result_kind);
  g_free(x->result_id);
  g_clear_pointer(s, g_free);
}

int db_submission_move(Db *db, const char *id, const char *from, const char *to, const char *by,
                       const char *reason, gint64 now)
{
  sqlite3_stmt *st = db_cached(db, "UPDATE submission SET state = ?3, reason = ?4, updated_at = ?5 "
                                   "WHERE id = ?1 AND state = ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 5, now);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  if (sqlite3_changes(db->conn) == 0)
    return -ESTALE;
  return add_event(db, id, from, to, by, reason, now);
}

static int changed(Db *db, sqlite3_stmt *st)
{
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  return sqlite3_changes(db->conn) ? 0 : -ENOENT;
}

int db_submission_set_text(Db *db, const char *id, const char *title, const char *fields,
                           const char *body, gint64 now)
{
  sqlite3_stmt *st = db_cached(db, "UPDATE submission SET title = coalesce(?2, title), "
                                   "fields = coalesce(?3, fields), body = coalesce(?4, body), updated_at = ?5 "
                                   "WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, fields, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, body, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 5, now);
  return changed(db, st);
}

int db_submission_set_file(Db *db, const char *id, const char *path, gint64 bytes,
                           const char *video_id, gint64 now)
{
  sqlite3_stmt *st = db_cached(db, "UPDATE submission SET file_path = ?2, file_bytes = ?3, video_id = ?4, "
                                   "preview_url = NULL, updated_at = ?5 WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, bytes);
  sqlite3_bind_text(st, 4, video_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 5, now);
  return changed(db, st);
}

int db_submission_set_preview(Db *db, const char *id, const char *preview_url, gint64 now)
{
  sqlite3_stmt *st = db_cached(db, "UPDATE submission SET preview_url = ?2, updated_at = ?3 WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, preview_url, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, now);
  return changed(db, st);
}

int db_submission_set_result(Db *db, const char *id, const char *kind, const char *result_id,
                             gint64 now)
{
  sqlite3_stmt *st = db_cached(db, "UPDATE submission SET result_kind = ?2, result_id = ?3, updated_at = ?4 "
                                   "WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, result_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, now);
  return changed(db, st);
}

JsonNode *db_submission_list_json(Db *db, const SubmitFilter *f, int *rc)
{
  sqlite3_stmt *st = db_cached(db,
      "SELECT s.id, s.call_id, c.title, s.member_id, m.display_name, s.kind, s.title, s.fields, s.body, "
      "s.state, s.reason, s.file_bytes, s.preview_url, s.video_id, v.state, s.result_kind, s.result_id, "
      "s.created_at, s.updated_at, "
      "(SELECT u.id FROM submission_upload u WHERE u.submission_id = s.id AND u.finished_at IS NULL "
      " ORDER BY u.created_at DESC LIMIT 1) "
      "FROM submission s JOIN submission_call c ON c.id = s.call_id "
      "LEFT JOIN member m ON m.id = s.member_id LEFT JOIN video v ON v.id = s.video_id "
      "WHERE (?1 IS NULL OR s.member_id = ?1) AND (?2 = 0 OR s.call_id = ?2) "
      "AND (?3 IS NULL OR s.kind = ?3) AND (?4 IS NULL OR s.state = ?4) "
      "ORDER BY s.created_at DESC, s.id LIMIT ?5");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_text(st, 1, f->member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, f->call_id);
  sqlite3_bind_text(st, 3, f->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, f->state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 5, f->limit > 0 ? f->limit : 200);
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    db_json_text(b, "id", st, 0);
    json_builder_set_member_name(b, "call_id");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 1));
    db_json_text(b, "call_title", st, 2);
    db_json_text(b, "member_id", st, 3);
    db_json_text(b, "author", st, 4);
    db_json_text(b, "kind", st, 5);
    db_json_text(b, "title", st, 6);
    json_builder_set_member_name(b, "fields");
    json_builder_add_value(b, parse_json(db_col_text(st, 7), JSON_NODE_OBJECT));
    db_json_text(b, "body", st, 8);
    db_json_text(b, "state", st, 9);
    db_json_text(b, "reason", st, 10);
    json_builder_set_member_name(b, "file_bytes");
    if (sqlite3_column_type(st, 11) == SQLITE_NULL)
      json_builder_add_null_value(b);
    else
      json_builder_add_int_value(b, sqlite3_column_int64(st, 11));
    db_json_text(b, "preview_url", st, 12);
    db_json_text(b, "video_id", st, 13);
    db_json_text(b, "video_state", st, 14);
    db_json_text(b, "result_kind", st, 15);
    db_json_text(b, "result_id", st, 16);
    db_json_time(b, "created_at", st, 17);
    db_json_time(b, "updated_at", st, 18);
    db_json_text(b, "upload_id", st, 19);
    json_builder_end_object(b);
  }
  sqlite3_reset(st);
  return db_json_array_done(b, step, rc);
}

JsonNode *db_submission_events_json(Db *db, const char *id, int *rc)
{
  sqlite3_stmt *st = db_cached(db, "SELECT from_state, to_state, by_member, reason, at FROM submission_event "
                                   "WHERE submission_id = ?1 ORDER BY id");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    db_json_text(b, "from", st, 0);
    db_json_text(b, "to", st, 1);
    db_json_text(b, "by", st, 2);
    db_json_text(b, "reason", st, 3);
    db_json_time(b, "at", st, 4);
    json_builder_end_object(b);
  }
  sqlite3_reset(st);
  return db_json_array_done(b, step, rc);
}

int db_submission_sync_videos(Db *db, gint64 now)
{
  /* Each submission moved by one statement pair: its event first (naming the reason), then
   * the row; both see the same rows because they run inside one transaction. */
  static const char *const events =
      "INSERT INTO submission_event (submission_id, from_state, to_state, by_member, reason, at) "
      "SELECT s.id, 'processing', CASE WHEN v.state = 'failed' OR v.duration_ms > c.max_seconds * 1000 "
      "THEN 'failed' ELSE 'in_review' END, NULL, "
      "CASE WHEN v.state = 'failed' THEN coalesce(v.failure_reason, 'the video could not be processed') "
      "WHEN v.duration_ms > c.max_seconds * 1000 THEN 'the video is longer than the call allows (' "
      "|| c.max_seconds || ' s)' END, ?1 "
      "FROM submission s JOIN video v ON v.id = s.video_id JOIN submission_call c ON c.id = s.call_id "
      "WHERE s.state = 'processing' AND s.kind = 'video' AND v.state IN ('ready', 'failed')";
  static const char *const rows =
      "UPDATE submission SET state = e.to_state, reason = e.reason, updated_at = ?1 "
      "FROM submission_event e WHERE e.submission_id = submission.id AND e.at = ?1 "
      "AND e.from_state = 'processing' AND submission.state = 'processing' "
      "AND e.id = (SELECT max(id) FROM submission_event x WHERE x.submission_id = submission.id)";
  sqlite3_stmt *probe = db_cached(db, "SELECT count(*) FROM submission s JOIN video v ON v.id = s.video_id "
                                      "WHERE s.state = 'processing' AND s.kind = 'video' "
                                      "AND v.state IN ('ready', 'failed')");
  if (!probe)
    return -EIO;
  int rc = sqlite3_step(probe);
  gint64 n = rc == SQLITE_ROW ? sqlite3_column_int64(probe, 0) : -1;
  sqlite3_reset(probe);
  if (n < 0)
    return db_errno(rc);
  if (n == 0)
    return 0;
  int ret = db_begin(db);
  if (ret < 0)
    return ret;
  sqlite3_stmt *a = db_cached(db, events);
  if (!a) {
    db_rollback(db);
    return -EIO;
  }
  sqlite3_bind_int64(a, 1, now);
  rc = sqlite3_step(a);
  sqlite3_reset(a);
  sqlite3_stmt *b = rc == SQLITE_DONE ? db_cached(db, rows) : NULL;
  if (b) {
    sqlite3_bind_int64(b, 1, now);
    rc = sqlite3_step(b);
    sqlite3_reset(b);
  }
  if (!b || rc != SQLITE_DONE) {
    db_rollback(db);
    return b ? db_errno(rc) : -EIO;
  }
  ret = db_commit(db);
  return ret < 0 ? ret : (int)n;
}

/* ---- uploads ------------------------------------------------------------ */

int db_submission_upload_create(Db *db, SubmitUpload *u, gint64 now)
{
  u->id = util_random_id(16);
  sqlite3_stmt *st = db_cached(db, "INSERT INTO submission_upload (id, submission_id, member_id, session_id, "
                                   "length, offset, filename, created_at, updated_at) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?7)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, u->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, u->submission_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, u->member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, u->session_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 5, u->length);
  sqlite3_bind_text(st, 6, u->filename, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 7, now);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  u->offset = 0;
  u->created_at = now;
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_submission_upload_get(Db *db, const char *id, SubmitUpload **out)
{
  sqlite3_stmt *st = db_cached(db, "SELECT id, submission_id, member_id, session_id, filename, length, offset, "
                                   "created_at, coalesce(finished_at, 0) FROM submission_upload WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0) {
    SubmitUpload *u = g_new0(SubmitUpload, 1);
    u->id = dup_col(st, 0);
    u->submission_id = dup_col(st, 1);
    u->member_id = dup_col(st, 2);
    u->session_id = dup_col(st, 3);
    u->filename = dup_col(st, 4);
    u->length = sqlite3_column_int64(st, 5);
    u->offset = sqlite3_column_int64(st, 6);
    u->created_at = sqlite3_column_int64(st, 7);
    u->finished_at = sqlite3_column_int64(st, 8);
    *out = u;
  }
  sqlite3_reset(st);
  return ret;
}

int db_submission_upload_advance(Db *db, const char *id, gint64 from, gint64 to, gint64 now)
{
  sqlite3_stmt *st = db_cached(db, "UPDATE submission_upload SET offset = ?3, updated_at = ?4, "
                                   "finished_at = CASE WHEN ?3 = length THEN ?4 END "
                                   "WHERE id = ?1 AND offset = ?2 AND finished_at IS NULL");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, from);
  sqlite3_bind_int64(st, 3, to);
  sqlite3_bind_int64(st, 4, now);
  int rc = changed(db, st);
  return rc == -ENOENT ? -ESTALE : rc;
}

int db_submission_upload_delete(Db *db, const char *id)
{
  sqlite3_stmt *st = db_cached(db, "DELETE FROM submission_upload WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  return changed(db, st);
}

int db_submission_upload_open_count(Db *db, const char *member_id, gint64 *n)
{
  sqlite3_stmt *st = db_cached(db, "SELECT count(*) FROM submission_upload WHERE member_id = ?1 "
                                   "AND finished_at IS NULL");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member_id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *n = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 0 : db_errno(rc);
}

int db_submission_upload_open_for(Db *db, const char *submission_id, char **upload_id)
{
  sqlite3_stmt *st = db_cached(db, "SELECT id FROM submission_upload WHERE submission_id = ?1 "
                                   "AND finished_at IS NULL ORDER BY created_at DESC LIMIT 1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, submission_id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0)
    *upload_id = dup_col(st, 0);
  sqlite3_reset(st);
  return ret;
}

void submit_upload_free(SubmitUpload **u)
{
  if (!u || !*u)
    return;
  g_free((*u)->id);
  g_free((*u)->submission_id);
  g_free((*u)->member_id);
  g_free((*u)->session_id);
  g_free((*u)->filename);
  g_clear_pointer(u, g_free);
}

int db_submission_upload_unfinished(Db *db, const char *member_id, gint64 idle_before, char ***ids)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT id FROM submission_upload WHERE finished_at IS NULL "
                                    "AND (?1 IS NULL OR member_id = ?1) AND (?2 = 0 OR updated_at < ?2) "
                                    "ORDER BY created_at, id");
  if (!st)
    return -EIO;
  if (member_id)
    sqlite3_bind_text(st, 1, member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, idle_before);
  return db_strv(st, NULL, ids);
}
