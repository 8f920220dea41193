/* db_chat: chat messages, likes, sanctions, the sensitive-word list and per-live settings. */
#include "db/db_chat.h"

#include <errno.h>
#include <string.h>

static const char *mode_names[] = { "open", "members", "off" };

const char *chat_mode_name(ChatMode m)
{
  return mode_names[m];
}

int chat_mode_parse(const char *name, ChatMode *out)
{
  for (int i = 0; i < (int)G_N_ELEMENTS(mode_names); i++)
    if (name && strcmp(name, mode_names[i]) == 0) {
      *out = (ChatMode)i;
      return 0;
    }
  return -EINVAL;
}

void chat_message_free(ChatMessage *m)
{
  if (!m)
    return;
  g_free(m->video);
  g_free(m->member);
  g_free(m->name);
  g_free(m->text);
  g_free(m);
}

/* Runs a statement that returns no rows; finalizes it. */
static int run(Db *db, sqlite3_stmt *st)
{
  if (!st)
    return -EIO;
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_DONE ? 0 : db_constraint_errno(db, rc, -EEXIST, -EEXIST);
  sqlite3_finalize(st);
  return ret;
}

/* ---- settings ---- */

int db_chat_settings_get(Db *db, const char *video, ChatSettings *out)
{
  *out = (ChatSettings){ .mode = CHAT_MODE_OPEN };
  sqlite3_stmt *st = db_cached(db,
      "SELECT mode, slow_seconds, hold_seconds, max_messages, replay FROM chat_settings WHERE video_id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    chat_mode_parse(db_col_text(st, 0), &out->mode);
    out->slow_seconds = sqlite3_column_int(st, 1);
    out->hold_seconds = sqlite3_column_int(st, 2);
    out->max_messages = sqlite3_column_int(st, 3);
    out->replay = sqlite3_column_int(st, 4) != 0;
  }
  sqlite3_reset(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int db_chat_settings_put(Db *db, const char *video, const ChatSettings *s, const char *member, gint64 now)
{
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO chat_settings (video_id, mode, slow_seconds, hold_seconds, max_messages, replay, "
      "updated_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (video_id) DO UPDATE SET mode = excluded.mode, slow_seconds = excluded.slow_seconds, "
      "hold_seconds = excluded.hold_seconds, max_messages = excluded.max_messages, "
      "replay = excluded.replay, updated_by = excluded.updated_by, updated_at = excluded.updated_at");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, chat_mode_name(s->mode), -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, s->slow_seconds);
  sqlite3_bind_int(st, 4, s->hold_seconds);
  sqlite3_bind_int(st, 5, s->max_messages);
  sqlite3_bind_int(st, 6, s->replay);
  sqlite3_bind_text(st, 7, member, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 8, now);
  return run(db, st);
}

JsonNode *db_chat_settings_json(const ChatSettings *s)
{
  JsonObject *o = json_object_new();
  json_object_set_string_member(o, "mode", chat_mode_name(s->mode));
  json_object_set_int_member(o, "slow_seconds", s->slow_seconds);
  json_object_set_int_member(o, "hold_seconds", s->hold_seconds);
  json_object_set_int_member(o, "max_messages", s->max_messages);
  json_object_set_boolean_member(o, "replay", s->replay);
  JsonNode *n = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(n, o);
  return n;
}

/* ---- messages ---- */

int db_chat_message_insert(Db *db, ChatMessage *m)
{
  sqlite3_stmt *st = db_cached(db,
      "INSERT INTO chat_message (video_id, member_id, text, live_time, created_at, state) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, m->video, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, m->member, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, m->text, -1, SQLITE_STATIC);
  sqlite3_bind_double(st, 4, m->live_time);
  sqlite3_bind_int64(st, 5, m->created_at);
  sqlite3_bind_text(st, 6, m->held ? "held" : "shown", -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_DONE ? 0 : db_constraint_errno(db, rc, -EEXIST, -EEXIST);
  sqlite3_reset(st);
  if (ret == 0)
    m->id = sqlite3_last_insert_rowid(db->conn);
  return ret;
}

int db_chat_message_release(Db *db, gint64 id)
{
  sqlite3_stmt *st = db_prepare(db, "UPDATE chat_message SET state = 'shown' WHERE id = ?1 AND state = 'held'");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  return run(db, st);
}

int db_chat_message_delete(Db *db, const char *video, gint64 id, const char *member, gint64 now)
{
  sqlite3_stmt *st = db_prepare(db,
      "UPDATE chat_message SET state = 'deleted', deleted_by = ?3, deleted_at = ?4 "
      "WHERE id = ?1 AND video_id = ?2 AND state <> 'deleted'");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, video, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, member, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, now);
  int ret = run(db, st);
  if (ret == 0 && sqlite3_changes(db->conn) == 0)
    ret = -ENOENT;
  return ret;
}

int db_chat_recent(Db *db, const char *video, int limit, GPtrArray **out)
{
  *out = g_ptr_array_new_with_free_func((GDestroyNotify)chat_message_free);
  sqlite3_stmt *st = db_cached(db,
      "SELECT c.id, c.member_id, coalesce(m.display_name, ''), coalesce(m.role, 'viewer'), c.text, "
      "c.live_time, c.created_at FROM chat_message c LEFT JOIN member m ON m.id = c.member_id "
      "WHERE c.video_id = ?1 AND c.state = 'shown' ORDER BY c.id DESC LIMIT ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 2, limit);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    ChatMessage *m = g_new0(ChatMessage, 1);
    m->id = sqlite3_column_int64(st, 0);
    m->video = g_strdup(video);
    m->member = g_strdup(db_col_text(st, 1));
    m->name = g_strdup(db_col_text(st, 2));
    role_parse(db_col_text(st, 3), &m->role);
    m->text = g_strdup(db_col_text(st, 4));
    m->live_time = sqlite3_column_double(st, 5);
    m->created_at = sqlite3_column_int64(st, 6);
    g_ptr_array_insert(*out, 0, m);
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : -EIO;
}

int db_chat_counts(Db *db, const char *video, const char *member, gint64 *all, gint64 *mine)
{
  sqlite3_stmt *st = db_cached(db,
      "SELECT count(*), coalesce(sum(member_id = ?2), 0) FROM chat_message WHERE video_id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, member ? member : "", -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *all = sqlite3_column_int64(st, 0);
    *mine = sqlite3_column_int64(st, 1);
  }
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 0 : -EIO;
}

JsonNode *db_chat_messages_json(Db *db, const char *video, double from, double to, int limit, int *rc)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT c.id, c.member_id, coalesce(m.display_name, ''), c.text, c.live_time, c.created_at "
      "FROM chat_message c LEFT JOIN member m ON m.id = c.member_id "
      "WHERE c.video_id = ?1 AND c.state = 'shown' AND c.live_time >= ?2 AND c.live_time < ?3 "
      "ORDER BY c.live_time, c.id LIMIT ?4");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st, 2, from);
  sqlite3_bind_double(st, 3, to);
  sqlite3_bind_int(st, 4, limit);
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 0));
    json_builder_set_member_name(b, "member");
    json_builder_begin_object(b);
    db_json_text(b, "id", st, 1);
    db_json_text(b, "display_name", st, 2);
    json_builder_end_object(b);
    db_json_text(b, "text", st, 3);
    json_builder_set_member_name(b, "live_time");
    json_builder_add_double_value(b, sqlite3_column_double(st, 4));
    db_json_time(b, "created_at", st, 5);
    json_builder_end_object(b);
  }
  sqlite3_finalize(st);
  return db_json_array_done(b, step, rc);
}

/* ---- likes ---- */

int db_chat_likes_add(Db *db, const char *video, gint64 bucket, gint64 n)
{
  sqlite3_stmt *st = db_cached(db,
      "INSERT INTO chat_likes (video_id, bucket, count) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (video_id, bucket) DO UPDATE SET count = count + excluded.count");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, bucket);
  sqlite3_bind_int64(st, 3, n);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_constraint_errno(db, rc, -EEXIST, -EEXIST);
}

int db_chat_liker_add(Db *db, const char *video, const char *member)
{
  sqlite3_stmt *st = db_cached(db, "INSERT OR IGNORE INTO chat_liker (video_id, member_id) VALUES (?1, ?2)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_constraint_errno(db, rc, -EEXIST, -EEXIST);
}

int db_chat_likes_total(Db *db, const char *video, gint64 *out)
{
  *out = 0;
  sqlite3_stmt *st = db_cached(db, "SELECT coalesce(sum(count), 0) FROM chat_likes WHERE video_id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 0 : -EIO;
}

/* ---- sanctions ---- */

int db_chat_sanction_add(Db *db, const char *member, const char *video, const char *kind,
                         const char *reason, const char *by, gint64 now, gint64 expires, gint64 *id)
{
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO chat_sanction (member_id, video_id, kind, reason, created_by, created_at, expires_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, video ? video : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, reason ? reason : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 5, by, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 6, now);
  if (expires > 0)
    sqlite3_bind_int64(st, 7, expires);
  else
    sqlite3_bind_null(st, 7);
  int ret = run(db, st);
  if (ret == 0)
    *id = sqlite3_last_insert_rowid(db->conn);
  return ret;
}

int db_chat_sanction_lift(Db *db, gint64 id, gint64 now, char **member)
{
  *member = NULL;
  sqlite3_stmt *st = db_prepare(db,
      "UPDATE chat_sanction SET lifted_at = ?2 WHERE id = ?1 AND lifted_at IS NULL RETURNING member_id");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, now);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0)
    *member = g_strdup(db_col_text(st, 0));
  sqlite3_finalize(st);
  return ret;
}

int db_chat_sanction_state(Db *db, const char *member, const char *video, gint64 now,
                           gint64 *muted_until, gint64 *banned_until)
{
  *muted_until = *banned_until = 0;
  sqlite3_stmt *st = db_cached(db,
      "SELECT kind, max(coalesce(expires_at, 9223372036854775807)) FROM chat_sanction "
      "WHERE member_id = ?1 AND video_id IN ('', ?2) AND lifted_at IS NULL "
      "AND (expires_at IS NULL OR expires_at > ?3) GROUP BY kind");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, video, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, now);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (strcmp(db_col_text(st, 0), "ban") == 0)
      *banned_until = sqlite3_column_int64(st, 1);
    else
      *muted_until = sqlite3_column_int64(st, 1);
  }
  sqlite3_reset(st);
  if (*banned_until > *muted_until)
    *muted_until = *banned_until;
  return rc == SQLITE_DONE ? 0 : -EIO;
}

JsonNode *db_chat_sanctions_json(Db *db, gint64 now, int *rc)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT s.id, s.member_id, coalesce(m.display_name, ''), s.video_id, s.kind, s.reason, "
      "s.created_by, s.created_at, s.expires_at FROM chat_sanction s "
      "LEFT JOIN member m ON m.id = s.member_id "
      "WHERE s.lifted_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > ?1) ORDER BY s.id DESC");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_int64(st, 1, now);
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 0));
    json_builder_set_member_name(b, "member");
    json_builder_begin_object(b);
    db_json_text(b, "id", st, 1);
    db_json_text(b, "display_name", st, 2);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "video");
    if (*db_col_text(st, 3))
      json_builder_add_string_value(b, db_col_text(st, 3));
    else
      json_builder_add_null_value(b);
    db_json_text(b, "kind", st, 4);
    db_json_text(b, "reason", st, 5);
    db_json_text(b, "created_by", st, 6);
    db_json_time(b, "created_at", st, 7);
    db_json_time(b, "expires_at", st, 8);
    json_builder_end_object(b);
  }
  sqlite3_finalize(st);
  return db_json_array_done(b, step, rc);
}

/* ---- the sensitive-word list ---- */

int db_chat_word_add(Db *db, const char *word, const char *normalized, const char *by, gint64 now,
                     gint64 *id)
{
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO chat_word (word, normalized, created_by, created_at) VALUES (?1, ?2, ?3, ?4)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, word, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, normalized, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, by, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, now);
  int ret = run(db, st);
  if (ret == 0)
    *id = sqlite3_last_insert_rowid(db->conn);
  return ret;
}

int db_chat_word_delete(Db *db, gint64 id, char **word)
{
  *word = NULL;
  sqlite3_stmt *st = db_prepare(db, "DELETE FROM chat_word WHERE id = ?1 RETURNING word");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0)
    *word = g_strdup(db_col_text(st, 0));
  sqlite3_finalize(st);
  return ret;
}

int db_chat_words(Db *db, GPtrArray **out)
{
  *out = g_ptr_array_new_with_free_func(g_free);
  sqlite3_stmt *st = db_prepare(db, "SELECT word FROM chat_word ORDER BY id");
  if (!st)
    return -EIO;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    g_ptr_array_add(*out, g_strdup(db_col_text(st, 0)));
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -EIO;
}

JsonNode *db_chat_words_json(Db *db, int *rc)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT id, word, created_at FROM chat_word ORDER BY id");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 0));
    db_json_text(b, "word", st, 1);
    db_json_time(b, "created_at", st, 2);
    json_builder_end_object(b);
  }
  sqlite3_finalize(st);
  return db_json_array_done(b, step, rc);
}

int db_chat_video_exists(Db *db, const char *video)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT 1 FROM video WHERE id = ?1 AND deleted_at IS NULL");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}
