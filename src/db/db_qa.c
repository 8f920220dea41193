/* db_qa: questions, upvotes, the Q&A setting and presenter links (migration 0018). */
#include "db/db_qa.h"

#include <errno.h>
#include <string.h>

static const char *state_names[] = { "pending", "open", "answered_live", "answered", "dismissed" };

const char *qa_state_name(QaState s)
{
  return state_names[s];
}

int qa_state_parse(const char *name, QaState *out)
{
  for (int i = 0; i < (int)G_N_ELEMENTS(state_names); i++)
    if (name && strcmp(name, state_names[i]) == 0) {
      *out = (QaState)i;
      return 0;
    }
  return -EINVAL;
}

void qa_question_free(QaQuestion *q)
{
  if (!q)
    return;
  g_free(q->video);
  g_free(q->member);
  g_free(q->name);
  g_free(q->text);
  g_free(q->answer);
  g_free(q);
}

QaQuestion *qa_question_copy(const QaQuestion *q)
{
  QaQuestion *c = g_memdup2(q, sizeof *q);
  c->video = g_strdup(q->video);
  c->member = g_strdup(q->member);
  c->name = g_strdup(q->name);
  c->text = g_strdup(q->text);
  c->answer = g_strdup(q->answer);
  return c;
}

static int step_done(Db *db, sqlite3_stmt *st)
{
  if (!st)
    return -EIO;
  int rc = sqlite3_step(st);
  int ret = 0;
  if (rc != SQLITE_DONE) {
    int ext = sqlite3_extended_errcode(db->conn);
    ret = ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY ? -EEXIST
        : ext == SQLITE_CONSTRAINT_CHECK || ext == SQLITE_CONSTRAINT_NOTNULL ? -EINVAL
        : db_errno(rc);
  }
  sqlite3_finalize(st);
  return ret;
}

int db_qa_settings_get(Db *db, const char *video, bool *premoderate)
{
  *premoderate = false;
  sqlite3_stmt *st = db_prepare(db, "SELECT premoderate FROM qa_settings WHERE video_id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *premoderate = sqlite3_column_int(st, 0) != 0;
  sqlite3_finalize(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int db_qa_settings_put(Db *db, const char *video, bool premoderate, const char *member, gint64 now)
{
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO qa_settings (video_id, premoderate, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (video_id) DO UPDATE SET premoderate = ?2, updated_by = ?3, updated_at = ?4");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 2, premoderate);
  sqlite3_bind_text(st, 3, member, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, now);
  return step_done(db, st);
}

int db_qa_question_insert(Db *db, QaQuestion *q)
{
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO qa_question (video_id, member_id, text, live_time, created_at, state) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, q->video, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, q->member, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, q->text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st, 4, q->live_time);
  sqlite3_bind_int64(st, 5, q->created_at);
  sqlite3_bind_text(st, 6, qa_state_name(q->state), -1, SQLITE_STATIC);
  int ret = step_done(db, st);
  if (ret == 0)
    q->id = sqlite3_last_insert_rowid(db->conn);
  return ret;
}

#define QUESTION_COLUMNS \
  "q.id, q.video_id, q.member_id, coalesce(m.display_name, ''), q.text, q.live_time, q.created_at, " \
  "q.state, q.votes, q.pinned, q.answer, q.approved FROM qa_question q " \
  "LEFT JOIN member m ON m.id = q.member_id "

static QaQuestion *question_row(sqlite3_stmt *st)
{
  QaQuestion *q = g_new0(QaQuestion, 1);
  q->id = sqlite3_column_int64(st, 0);
  q->video = g_strdup(db_col_text(st, 1));
  q->member = g_strdup(db_col_text(st, 2));
  q->name = g_strdup(db_col_text(st, 3));
  q->text = g_strdup(db_col_text(st, 4));
  q->live_time = sqlite3_column_double(st, 5);
  q->created_at = sqlite3_column_int64(st, 6);
  qa_state_parse(db_col_text(st, 7), &q->state);
  q->votes = sqlite3_column_int64(st, 8);
  q->pinned = sqlite3_column_int(st, 9) != 0;
  q->answer = sqlite3_column_type(st, 10) == SQLITE_NULL ? NULL : g_strdup(db_col_text(st, 10));
  q->approved = sqlite3_column_int(st, 11) != 0;
  return q;
}

int db_qa_question_get(Db *db, gint64 id, QaQuestion **out)
{
  *out = NULL;
  sqlite3_stmt *st = db_prepare(db, "SELECT " QUESTION_COLUMNS "WHERE q.id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *out = question_row(st);
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

int db_qa_question_update(Db *db, const QaQuestion *q, const char *by, gint64 now)
{
  sqlite3_stmt *st = db_prepare(db,
      "UPDATE qa_question SET state = ?2, pinned = ?3, answer = ?4, approved = ?5, decided_by = ?6, "
      "decided_at = ?7 WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, q->id);
  sqlite3_bind_text(st, 2, qa_state_name(q->state), -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, q->pinned);
  if (q->answer)
    sqlite3_bind_text(st, 4, q->answer, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(st, 4);
  sqlite3_bind_int(st, 5, q->approved);
  sqlite3_bind_text(st, 6, by, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 7, now);
  int ret = step_done(db, st);
  if (ret == 0 && sqlite3_changes(db->conn) == 0)
    ret = -ENOENT;
  return ret;
}

int db_qa_unpin_others(Db *db, const char *video, gint64 keep, GArray *unpinned)
{
  sqlite3_stmt *st = db_prepare(db,
      "UPDATE qa_question SET pinned = 0 WHERE video_id = ?1 AND pinned = 1 AND id <> ?2 RETURNING id");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, keep);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(st, 0);
    g_array_append_val(unpinned, id);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -EIO;
}

int db_qa_questions(Db *db, const char *video, bool with_dismissed, GPtrArray **out)
{
  *out = g_ptr_array_new_with_free_func((GDestroyNotify)qa_question_free);
  sqlite3_stmt *st = db_prepare(db, "SELECT " QUESTION_COLUMNS
                                    "WHERE q.video_id = ?1 AND (?2 OR q.state <> 'dismissed') ORDER BY q.id");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(st, 2, with_dismissed);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    g_ptr_array_add(*out, question_row(st));
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -EIO;
}

int db_qa_vote_add(Db *db, gint64 question, const char *member, gint64 now, bool *added)
{
  *added = false;
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO qa_vote (question_id, member_id, created_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT DO NOTHING");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, question);
  sqlite3_bind_text(st, 2, member, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, now);
  int ret = step_done(db, st);
  if (ret < 0 || sqlite3_changes(db->conn) == 0)
    return ret;
  st = db_prepare(db, "UPDATE qa_question SET votes = votes + 1 WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, question);
  ret = step_done(db, st);
  *added = ret == 0;
  return ret;
}

int db_presenter_link_put(Db *db, const char *video, const char *hash, const char *member,
                          const char *by, gint64 now)
{
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO presenter_link (video_id, token_hash, created_by, created_at, member_id) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (video_id) DO UPDATE SET token_hash = ?2, "
      "created_by = ?3, created_at = ?4, member_id = ?5");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, by, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, now);
  if (member)
    sqlite3_bind_text(st, 5, member, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(st, 5);
  return step_done(db, st);
}

int db_presenter_link_get(Db *db, const char *video, char **hash, char **member, gint64 *created_at)
{
  *hash = NULL;
  if (member)
    *member = NULL;
  sqlite3_stmt *st = db_cached(db,
      "SELECT token_hash, created_at, member_id FROM presenter_link WHERE video_id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *hash = g_strdup(db_col_text(st, 0));
    *created_at = sqlite3_column_int64(st, 1);
    if (member && sqlite3_column_type(st, 2) != SQLITE_NULL)
      *member = g_strdup(db_col_text(st, 2));
  }
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}
