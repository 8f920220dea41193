/* db_chat_stats: counts of a live's interactions from the chat tables (indexed by video). */
#include "db/db_chat_stats.h"

#include <errno.h>

/* Does the Q&A table (issue 19.2, built beside this) exist with the columns counted here? */
static int has_questions(Db *db, bool *out)
{
  sqlite3_stmt *st = db_cached(db,
      "SELECT count(*) FROM pragma_table_info('chat_question') WHERE name IN ('video_id', 'member_id')");
  if (!st)
    return -EIO;
  int rc = sqlite3_step(st);
  *out = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 2;
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 0 : -EIO;
}

static int count(Db *db, const char *sql, const char *video, gint64 *out)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 0 : -EIO;
}

int db_chat_stats(Db *db, const char *video, ChatStats *out)
{
  *out = (ChatStats){ .questions = -1 };
  bool qa = false;
  if (has_questions(db, &qa) < 0)
    return -EIO;
  /* The Q&A table's name is only known once it exists: the text is fixed, never built from input. */
  const char *members = qa
      ? "SELECT count(*) FROM (SELECT member_id FROM chat_message WHERE video_id = ?1 UNION "
        "SELECT member_id FROM chat_liker WHERE video_id = ?1 UNION "
        "SELECT member_id FROM chat_question WHERE video_id = ?1)"
      : "SELECT count(*) FROM (SELECT member_id FROM chat_message WHERE video_id = ?1 UNION "
        "SELECT member_id FROM chat_liker WHERE video_id = ?1)";
  if (count(db, members, video, &out->members) < 0 ||
      count(db, "SELECT count(*) FROM chat_message WHERE video_id = ?1", video, &out->messages) < 0 ||
      count(db, "SELECT count(*) FROM chat_message WHERE video_id = ?1 AND state = 'deleted'", video,
            &out->deleted) < 0 ||
      count(db, "SELECT coalesce(sum(count), 0) FROM chat_likes WHERE video_id = ?1", video, &out->likes) < 0)
    return -EIO;
  if (qa && count(db, "SELECT count(*) FROM chat_question WHERE video_id = ?1", video, &out->questions) < 0)
    return -EIO;
  return 0;
}

JsonNode *db_chat_stats_json(const ChatStats *s)
{
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "members", s->members);
  json_object_set_int_member(o, "messages", s->messages);
  json_object_set_int_member(o, "deleted_messages", s->deleted);
  json_object_set_int_member(o, "likes", s->likes);
  if (s->questions >= 0)
    json_object_set_int_member(o, "questions", s->questions);
  JsonNode *n = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(n, o);
  return n;
}
