/* db_job: the queue of background jobs (transcodes of imports); it survives restarts. */
#include "db/db_job.h"
#include "core/util.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

static char *dup_col(sqlite3_stmt *st, int i) { return g_strdup(db_col_text(st, i)); }

void db_job_row_clear(JobRow *j)
{
  g_clear_pointer(&j->id, g_free);
  g_clear_pointer(&j->video_id, g_free);
  g_clear_pointer(&j->source, g_free);
  g_clear_pointer(&j->state, g_free);
  g_clear_pointer(&j->error, g_free);
}

/* Runs a prepared statement that returns no rows; -ENOENT if it changed none. */
static int step_change(Db *db, sqlite3_stmt *st)
{
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  return sqlite3_changes(db->conn) > 0 ? 0 : -ENOENT;
}

int db_job_create(Db *db, const char *video_id, const char *source, char **id)
{
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO job (id, video_id, kind, state, source, created_at, updated_at) "
      "VALUES (?1, ?2, 'transcode', 'queued', ?3, ?4, ?4)");
  if (!st)
    return -EIO;
  char *jid = util_random_id(8);
  sqlite3_bind_text(st, 1, jid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, video_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 4, util_now());
  int ret = step_change(db, st);
  if (ret < 0) {
    g_free(jid);
    return ret == -ENOENT ? -EIO : ret;
  }
  *id = jid;
  return 0;
}

int db_job_claim(Db *db, const char *id, int pid, JobRow *out)
{
  memset(out, 0, sizeof *out);
  sqlite3_stmt *st = db_prepare(db,
      "UPDATE job SET state = 'running', runner_pid = ?2, attempts = attempts + 1, started_at = ?3, "
      "updated_at = ?3, progress = 0, eta_seconds = NULL "
      "WHERE id = (SELECT id FROM job WHERE state = 'queued' AND (?1 IS NULL OR id = ?1) "
      "            ORDER BY created_at, rowid LIMIT 1) "
      "RETURNING id, video_id, source, state, attempts");
  if (!st)
    return -EIO;
  if (id)
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(st, 1);
  sqlite3_bind_int(st, 2, pid);
  sqlite3_bind_int64(st, 3, util_now());
  int rc = sqlite3_step(st);
  int ret = -ENOENT;
  if (rc == SQLITE_ROW) {
    out->id = dup_col(st, 0);
    out->video_id = dup_col(st, 1);
    out->source = dup_col(st, 2);
    out->state = dup_col(st, 3);
    out->attempts = sqlite3_column_int(st, 4);
    ret = 0;
    rc = sqlite3_step(st);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    db_job_row_clear(out);
    return db_errno(rc);
  }
  return ret;
}

int db_job_get(Db *db, const char *id, JobRow *out)
{
  memset(out, 0, sizeof *out);
  sqlite3_stmt *st = db_prepare(db, "SELECT id, video_id, source, state, error, progress, attempts "
                                    "FROM job WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (rc == SQLITE_ROW) {
    out->id = dup_col(st, 0);
    out->video_id = dup_col(st, 1);
    out->source = dup_col(st, 2);
    out->state = dup_col(st, 3);
    out->error = dup_col(st, 4);
    out->progress = sqlite3_column_double(st, 5);
    out->attempts = sqlite3_column_int(st, 6);
  }
  sqlite3_finalize(st);
  return ret;
}

int db_job_progress(Db *db, const char *id, double progress, double eta_seconds)
{
  sqlite3_stmt *st = db_prepare(db,
      "UPDATE job SET progress = ?2, eta_seconds = ?3, updated_at = ?4 WHERE id = ?1 AND state = 'running'");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(st, 2, CLAMP(progress, 0, 1));
  if (eta_seconds >= 0)
    sqlite3_bind_double(st, 3, eta_seconds);
  else
    sqlite3_bind_null(st, 3);
  sqlite3_bind_int64(st, 4, util_now());
  return step_change(db, st);
}

int db_job_end(Db *db, const char *id, const char *state, const char *error)
{
  if (strcmp(state, "done") && strcmp(state, "failed") && strcmp(state, "cancelled"))
    return -EINVAL;
  sqlite3_stmt *st = db_prepare(db,
      "UPDATE job SET state = ?2, error = ?3, runner_pid = NULL, eta_seconds = NULL, updated_at = ?4, "
      "progress = CASE WHEN ?2 = 'done' THEN 1 ELSE progress END "
      "WHERE id = ?1 AND state IN ('queued', 'running')");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, state, -1, SQLITE_TRANSIENT);
  if (error)
    sqlite3_bind_text(st, 3, error, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(st, 3);
  sqlite3_bind_int64(st, 4, util_now());
  return step_change(db, st);
}

int db_job_requeue_orphans(Db *db)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT id, coalesce(runner_pid, 0) FROM job WHERE state = 'running'");
  if (!st)
    return -EIO;
  GPtrArray *orphans = g_ptr_array_new_with_free_func(g_free);
  while (sqlite3_step(st) == SQLITE_ROW) {
    int pid = sqlite3_column_int(st, 1);
    if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH))
      g_ptr_array_add(orphans, dup_col(st, 0));
  }
  sqlite3_finalize(st);
  int n = 0;
  for (guint i = 0; i < orphans->len; i++) {
    st = db_prepare(db, "UPDATE job SET state = 'queued', runner_pid = NULL, updated_at = ?2 "
                        "WHERE id = ?1 AND state = 'running'");
    if (!st)
      break;
    sqlite3_bind_text(st, 1, orphans->pdata[i], -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, util_now());
    n += step_change(db, st) == 0;
  }
  g_ptr_array_unref(orphans);
  return n;
}

JsonNode *db_job_json(Db *db, const char *id, int *rc)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT id, video_id, state, progress, eta_seconds, error, attempts, created_at, updated_at "
      "FROM job WHERE id = ?1");
  *rc = -EIO;
  if (!st)
    return NULL;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  int step = sqlite3_step(st);
  if (step != SQLITE_ROW) {
    sqlite3_finalize(st);
    *rc = step == SQLITE_DONE ? -ENOENT : db_errno(step);
    return NULL;
  }
  g_autoptr(JsonBuilder) b = json_builder_new();
  json_builder_begin_object(b);
  const char *names[] = {"id", "video_id", "state"};
  for (int i = 0; i < 3; i++)
    db_json_text(b, names[i], st, i);
  json_builder_set_member_name(b, "progress");
  json_builder_add_double_value(b, sqlite3_column_double(st, 3));
  json_builder_set_member_name(b, "eta_seconds");
  if (sqlite3_column_type(st, 4) == SQLITE_NULL)
    json_builder_add_null_value(b);
  else
    json_builder_add_double_value(b, sqlite3_column_double(st, 4));
  db_json_text(b, "error", st, 5);
  json_builder_set_member_name(b, "attempts");
  json_builder_add_int_value(b, sqlite3_column_int(st, 6));
  db_json_time(b, "created_at", st, 7);
  db_json_time(b, "updated_at", st, 8);
  json_builder_end_object(b);
  sqlite3_finalize(st);
  *rc = 0;
  return json_builder_get_root(b);
}
