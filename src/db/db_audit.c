/* db_audit: the append-only record of editorial changes — who changed what, when. */
#include "db/db_audit.h"
#include "db/db_privacy.h"
#include "core/util.h"

#include <errno.h>

int db_audit_add(Db *db, const char *member_id, const char *member_name, const char *action,
                 const char *target_type, const char *target_id, JsonNode *detail)
{
  sqlite3_stmt *st = db_prepare(db,
      "INSERT INTO audit_log (at, member_id, member_name, action, target_type, target_id, detail) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st)
    return -EIO;
  g_autofree char *text = detail ? util_json_text(detail, false) : g_strdup("{}");
  sqlite3_bind_int64(st, 1, util_now());
  sqlite3_bind_text(st, 2, member_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, member_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, action, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 5, target_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 6, target_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 7, text, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

JsonNode *db_audit_list_json(Db *db, const AuditFilter *f, int *rc)
{
  sqlite3_stmt *st = db_prepare(db,
      /* An erased member's name stays in the entries (append-only) but is no longer shown. */
      "SELECT a.id, a.at, a.member_id, "
      "CASE WHEN m.erased_at IS NULL THEN a.member_name ELSE '" DB_PRIVACY_PSEUDONYM "' END, "
      "a.action, a.target_type, a.target_id, a.detail "
      "FROM audit_log a LEFT JOIN member m ON m.id = a.member_id "
      "WHERE (?1 IS NULL OR a.target_type = ?1) AND (?2 IS NULL OR a.target_id = ?2) "
      "AND (?3 <= 0 OR a.id < ?3) AND (?5 IS NULL OR a.member_id = ?5) "
      "AND (?6 IS NULL OR a.action = ?6 OR (instr(?6, '.') = 0 AND substr(a.action, 1, length(?6) + 1) = ?6 || '.')) "
      "AND (?7 <= 0 OR a.at >= ?7) AND (?8 <= 0 OR a.at < ?8) ORDER BY a.id DESC LIMIT ?4");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  const char *texts[] = {[1] = f->target_type, [2] = f->target_id, [5] = f->member_id, [6] = f->action};
  for (int i = 1; i <= 6; i++)
    if (texts[i])
      sqlite3_bind_text(st, i, texts[i], -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 3, f->before_id);
  sqlite3_bind_int(st, 4, f->limit);
  sqlite3_bind_int64(st, 7, f->since);
  sqlite3_bind_int64(st, 8, f->until);
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  static const char *names[] = {"member_id", "member_name", "action", "target_type", "target_id"};
  int r;
  while ((r = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 0));
    json_builder_set_member_name(b, "at");
    g_autofree char *at = util_iso8601(sqlite3_column_int64(st, 1));
    json_builder_add_string_value(b, at);
    for (int i = 0; i < 5; i++) {
      json_builder_set_member_name(b, names[i]);
      json_builder_add_string_value(b, db_col_text(st, 2 + i));
    }
    json_builder_set_member_name(b, "detail");
    JsonNode *d = json_from_string(db_col_text(st, 7), NULL);
    if (d)
      json_builder_add_value(b, d);
    else
      json_builder_add_null_value(b);
    json_builder_end_object(b);
  }
  sqlite3_finalize(st);
  return db_json_array_done(b, r, rc);
}

int db_audit_member_reason(Db *db, const char *member_id, char **reason)
{
  /* The audit log is where a disqualification's reason is kept (the member row holds
   * only the flag): the detail of the latest change that turned it on. */
  sqlite3_stmt *st = db_prepare(db,
      "SELECT json_extract(detail, '$.reason') FROM audit_log WHERE target_type = 'member' "
      "AND target_id = ?1 AND json_valid(detail) AND json_extract(detail, '$.disqualified') = 1 "
      "ORDER BY id DESC LIMIT 1");
  *reason = NULL;
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member_id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
    *reason = g_strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_errno(rc);
}
