/* db_chat_stats: counts of a live's interactions from the chat tables (indexed by video). */
#include "db/db_chat_stats.h"

#include <errno.h>

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
  *out = (ChatStats){ 0 };
  /* An interacting member posted, liked, asked or upvoted a question (qa_*, migration 0018). */
  if (count(db, "SELECT count(*) FROM (SELECT member_id FROM chat_message WHERE video_id = ?1 UNION "
                "SELECT member_id FROM chat_liker WHERE video_id = ?1 UNION "
                "SELECT member_id FROM qa_question WHERE video_id = ?1 UNION "
                "SELECT v.member_id FROM qa_vote v JOIN qa_question q ON q.id = v.question_id "
                "WHERE q.video_id = ?1)", video, &out->members) < 0 ||
      count(db, "SELECT count(*) FROM chat_message WHERE video_id = ?1", video, &out->messages) < 0 ||
      count(db, "SELECT count(*) FROM chat_message WHERE video_id = ?1 AND state = 'deleted'", video,
            &out->deleted) < 0 ||
      count(db, "SELECT coalesce(sum(count), 0) FROM chat_likes WHERE video_id = ?1", video, &out->likes) < 0 ||
      count(db, "SELECT count(*) FROM qa_question WHERE video_id = ?1", video, &out->questions) < 0)
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
  json_object_set_int_member(o, "questions", s->questions);
  JsonNode *n = json_node_new(JSON_NODE_OBJECT);
  json_node_take_object(n, o);
  return n;
}
