/* db_chat_replay: the recording, messages and likes a chat replay is made of. */
#include "db/db_chat_replay.h"
#include "db/db_video.h"

#include <errno.h>

void chat_replay_video_clear(ChatReplayVideo *v)
{
  g_clear_pointer(&v->playlist, g_free);
}

int db_chat_replay_video(Db *db, const char *video, gint64 now, ChatReplayVideo *out)
{
  *out = (ChatReplayVideo){ 0 };
  /* The rungs are aligned (one cut policy for the ladder), so any rendition's dates will do;
   * the one with the most bandwidth is the one every ladder has. */
  sqlite3_stmt *st = db_prepare(db,
      "SELECT v.state, " DB_VIDEO_LIVE_STARTED ", coalesce(s.mode, 'open'), "
      "(SELECT r.playlist FROM rendition r WHERE r.video_id = v.id ORDER BY r.bandwidth DESC, r.name LIMIT 1) "
      "FROM video v LEFT JOIN chat_settings s ON s.video_id = v.id WHERE v.id = ?1 "
      "AND v.deleted_at IS NULL AND (v.visibility = 'unlisted' OR "
      "(v.visibility = 'published' AND coalesce(v.publish_at, 0) <= ?2))");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, now);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0) {
    out->ready = g_strcmp0(db_col_text(st, 0), "ready") == 0;
    out->was_live = sqlite3_column_type(st, 1) != SQLITE_NULL;
    out->live_started_at = sqlite3_column_int64(st, 1);
    if (chat_mode_parse(db_col_text(st, 2), &out->mode) < 0)
      out->mode = CHAT_MODE_OPEN;
    if (sqlite3_column_type(st, 3) != SQLITE_NULL)
      out->playlist = g_strdup(db_col_text(st, 3));
  }
  sqlite3_finalize(st);
  return ret;
}

/* Columns 0-5 of both reads: id, live time, member, display name, role, text. */
static void read_said(sqlite3_stmt *st, ChatReplayRow *row)
{
  *row = (ChatReplayRow){
    .id = sqlite3_column_int64(st, 0),
    .live_time = sqlite3_column_double(st, 1),
    .member = (char *)db_col_text(st, 2),
    .name = (char *)db_col_text(st, 3),
    .text = (char *)db_col_text(st, 5),
  };
  if (role_parse(db_col_text(st, 4), &row->role) < 0)
    row->role = ROLE_VIEWER;
}

int db_chat_replay_messages(Db *db, const char *video, void (*fn)(void *user, const ChatReplayRow *row),
                            void *user)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT c.id, c.live_time, c.member_id, coalesce(m.display_name, ''), coalesce(m.role, 'viewer'), c.text "
      "FROM chat_message c LEFT JOIN member m ON m.id = c.member_id "
      "WHERE c.video_id = ?1 AND c.state = 'shown' ORDER BY c.live_time, c.id");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    ChatReplayRow row;
    read_said(st, &row);
    fn(user, &row);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -EIO;
}

int db_chat_replay_questions(Db *db, const char *video,
                             void (*fn)(void *user, const ChatReplayQuestionRow *row), void *user)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT q.id, q.live_time, q.member_id, coalesce(m.display_name, ''), coalesce(m.role, 'viewer'), q.text, "
      "q.votes, q.state = 'answered_live', q.answer "
      "FROM qa_question q LEFT JOIN member m ON m.id = q.member_id "
      "WHERE q.video_id = ?1 AND q.state IN ('open', 'answered_live', 'answered') ORDER BY q.live_time, q.id");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    ChatReplayQuestionRow row = {
      .votes = sqlite3_column_int64(st, 6),
      .answered_live = sqlite3_column_int(st, 7) != 0,
      .answer = sqlite3_column_type(st, 8) == SQLITE_NULL ? NULL : (char *)db_col_text(st, 8),
    };
    read_said(st, &row.said);
    fn(user, &row);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -EIO;
}

int db_chat_replay_likes(Db *db, const char *video, void (*fn)(void *user, gint64 bucket, gint64 count),
                         void *user)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT bucket, count FROM chat_likes WHERE video_id = ?1 AND count > 0 ORDER BY bucket");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    fn(user, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -EIO;
}
