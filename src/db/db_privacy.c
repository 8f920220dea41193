/* db_privacy: the one list of where the database keeps each member's personal data, and the
 * export and the erasure (China's PIPL) that walk it. */
#include "db/db_privacy.h"
#include "core/util.h"

#include <errno.h>
#include <string.h>

/* Order is the export's order. Hashes (token, password, session and link ids) are never
 * exported: they are ours, not the member's, and would only help someone guess. */
const DbPrivacyTable db_privacy_tables[] = {
  { "member", "profile", true,
    "SELECT id, display_name, role, real_name_verified, disabled, disqualified, created_at, "
    "updated_at, erased_at FROM member WHERE id = ?1",
    /* The row stays (the ledger and the statistics point at it) under a pseudonym; a token
     * hash no HMAC can equal revokes the credential, disabled keeps every sign-in refused. */
    "UPDATE member SET display_name = ?3, token_hash = 'erased', disabled = 1, updated_at = ?2, "
    "erased_at = ?2 WHERE id = ?1", NULL },
  { "member_login", "sign_in_names", false,
    "SELECT login_name, updated_at FROM member_login WHERE member_id = ?1",
    "DELETE FROM member_login WHERE member_id = ?1", NULL },
  { "session", "browser_sessions", false,
    "SELECT method, created_at, last_seen_at, expires_at FROM session WHERE member_id = ?1 "
    "ORDER BY created_at",
    "DELETE FROM session WHERE member_id = ?1", NULL },
  { "signin_link", "sign_in_links", false,
    "SELECT created_at, expires_at, used_at FROM signin_link WHERE member_id = ?1 ORDER BY created_at",
    "DELETE FROM signin_link WHERE member_id = ?1", NULL },
  { "watch_progress", "watch_history", false,
    "SELECT p.video_id, v.title AS video_title, p.credited AS credited_seconds, p.earned_seconds, "
    "p.live_seconds, p.played_seconds, p.position, p.viewed, p.first_watched_at, p.last_watched_at "
    "FROM watch_progress p LEFT JOIN video v ON v.id = p.video_id WHERE p.member_id = ?1 "
    "ORDER BY p.first_watched_at",
    NULL, "viewing statistics of the anonymised id (views, unique viewers, campaign earners)" },
  { "watch_session", "watch_sessions", false,
    "SELECT id, video_id, started_at, last_seen_at, ended_at, end_reason, played_seconds, "
    "credited_seconds, counted_view FROM watch_session WHERE member_id = ?1 ORDER BY started_at",
    NULL, "views per day and concurrent viewers are counted from sessions" },
  { "points_ledger", "points_ledger", false,
    "SELECT id, amount, reason, video_id, campaign_id, local_day, note, created_at "
    "FROM points_ledger WHERE member_id = ?1 ORDER BY id",
    NULL, "append-only (triggers refuse UPDATE and DELETE): points and totals stay" },
  { "points_balance", "points_balance", true,
    "SELECT balance, entries FROM points_balance WHERE member_id = ?1",
    NULL, "the ledger's sum, which stays" },
  /* The daily quiz (issue 20). Items' times are milliseconds: named *_ms, not *_at. */
  { "quiz_attempt", "quiz_attempts", false,
    "SELECT id, local_day, campaign_id, seconds, started_at, finished_at, correct, points "
    "FROM quiz_attempt WHERE member_id = ?1 ORDER BY id",
    NULL, "statistics of the anonymised id (one attempt a day, the points it earned)" },
  { "quiz_item", "quiz_answers", false,
    "SELECT i.attempt_id, i.position, i.question_id, i.choices, i.correct, i.late, "
    "i.served_at AS served_ms, i.answered_at AS answered_ms FROM quiz_item i "
    "JOIN quiz_attempt a ON a.id = i.attempt_id WHERE a.member_id = ?1 ORDER BY i.attempt_id, i.position",
    NULL, "the questions' correct rates are counted from the answers" },
  /* Live chat (issue 19). A message's text is the member's own words: replaced and never shown
   * or replayed again; the row stays for the live's message counts. */
  { "chat_message", "chat_messages", false,
    "SELECT id, video_id, text, live_time, state, created_at FROM chat_message WHERE member_id = ?1 "
    "ORDER BY id",
    "UPDATE chat_message SET text = ?3, state = 'deleted', deleted_at = coalesce(deleted_at, ?2) "
    "WHERE member_id = ?1", NULL },
  { "chat_liker", "chat_likes", false,
    "SELECT video_id FROM chat_liker WHERE member_id = ?1 ORDER BY video_id",
    NULL, "the count of members who liked a live (no time, no text)" },
  { "chat_sanction", "chat_sanctions", false,
    "SELECT kind, video_id, reason, created_at, expires_at, lifted_at FROM chat_sanction "
    "WHERE member_id = ?1 ORDER BY id",
    "DELETE FROM chat_sanction WHERE member_id = ?1", NULL },
  /* Questions to the presenter (issue 19.2): the question's text is the member's own words,
   * replaced like a chat message's and taken off every list (dismissed, unpinned); the row stays
   * for the live's question counts. Upvotes and the presenter link's account are counts and a
   * marking: upvotes stay with the anonymised id, the link forgets the account. */
  { "qa_question", "questions", false,
    "SELECT id, video_id, text, live_time, state, votes, answer, created_at FROM qa_question "
    "WHERE member_id = ?1 ORDER BY id",
    "UPDATE qa_question SET text = ?3, state = 'dismissed', pinned = 0 WHERE member_id = ?1", NULL },
  { "qa_vote", "question_upvotes", false,
    "SELECT question_id, created_at FROM qa_vote WHERE member_id = ?1 ORDER BY question_id",
    NULL, "the upvote counts of questions (no text)" },
  { "presenter_link", "presenter_of_lives", false,
    "SELECT video_id, created_at FROM presenter_link WHERE member_id = ?1 ORDER BY video_id",
    "UPDATE presenter_link SET member_id = NULL WHERE member_id = ?1", NULL },
  /* Reading articles (issue 20): credited seconds per article, like watch progress. */
  { "article_read", "reading_history", false,
    "SELECT r.article_id, a.title AS article_title, r.credited AS credited_seconds, r.need AS "
    "needed_seconds, r.completed_at, r.points, r.updated_at FROM article_read r "
    "LEFT JOIN article a ON a.id = r.article_id WHERE r.member_id = ?1 ORDER BY r.article_id",
    NULL, "reading earns once per member and article; its points stay in the ledger" },
  /* Single sign-on and the roster (issue 17.1, 17.3). The roster's line is found through the
   * member number the provider gave; it goes before the link to the provider account does. An
   * erased person's line comes back only if the union's next roster file lists them again. */
  { "roster", "roster_line", false,
    "SELECT r.member_number, r.name, r.unit, r.created_at, r.updated_at FROM roster r "
    "JOIN member_identity i ON i.member_number = r.member_number "
    "WHERE i.member_id = ?1 AND i.member_number <> '' ORDER BY r.member_number",
    "DELETE FROM roster WHERE member_number IN (SELECT member_number FROM member_identity "
    "WHERE member_id = ?1 AND member_number <> '')", NULL },
  { "member_identity", "single_sign_on_accounts", false,
    "SELECT issuer, subject, member_number, unit, created_at, last_sign_in_at FROM member_identity "
    "WHERE member_id = ?1 ORDER BY created_at",
    "DELETE FROM member_identity WHERE member_id = ?1", NULL },
  /* The points lottery (issue 18). Entries, picks and prizes are part of draws whose entry
   * lists and records are published and must recompute to the same winners: they stay, under
   * the pseudonymous entry code the public already sees. */
  { "lottery_purchase", "lottery_purchases", false,
    "SELECT id, draw_id, tickets, points, created_at FROM lottery_purchase WHERE member_id = ?1 "
    "ORDER BY id",
    NULL, "each purchase mirrors a ledger entry, which stays" },
  { "lottery_entry", "lottery_entries", false,
    "SELECT draw_id, code, tickets FROM lottery_entry WHERE member_id = ?1 ORDER BY draw_id",
    NULL, "a draw's published entry list (pseudonymous codes) must hash to its commitment" },
  { "lottery_pick", "lottery_picks", false,
    "SELECT draw_id, n, tier_id, code FROM lottery_pick WHERE member_id = ?1 ORDER BY draw_id, n",
    NULL, "the published draw record recomputes to these picks" },
  { "lottery_prize", "lottery_prizes", false,
    "SELECT p.id, p.draw_id, t.name AS tier, p.slot, p.state, p.reason, c.code AS redemption_code, "
    "p.assigned_at, p.claimed_at, p.ended_at FROM lottery_prize p "
    "JOIN lottery_tier t ON t.id = p.tier_id LEFT JOIN lottery_code c ON c.id = p.code_id "
    "WHERE p.member_id = ?1 ORDER BY p.id",
    NULL, "who held which prize is the draw's published result (shown masked)" },
  /* Votes (issue 21): the ballot log is append-only and the published tally's hash is a recount
   * of it. */
  { "vote_ballot", "vote_ballots", false,
    "SELECT b.id, b.contest_id, b.item_kind, b.item_id, b.local_day, b.at, "
    "i.reason AS invalidated_reason FROM vote_ballot b LEFT JOIN vote_invalidation i ON i.ballot_id = b.id "
    "WHERE b.member_id = ?1 ORDER BY b.id",
    NULL, "append-only (triggers refuse UPDATE and DELETE): published results are recounts of it" },
  /* Submissions (issue 21.1-3). What a member sent in is theirs: exported whole; an erasure
   * replaces the text of the ones not accepted (the accepted ones are published works, kept
   * under the pseudonym like the rest) and cancels unfinished uploads. */
  { "submission", "submissions", false,
    "SELECT id, call_id, kind, title, fields AS detail, body, state, reason, file_bytes, preview_url, "
    "video_id, created_at, updated_at FROM submission WHERE member_id = ?1 ORDER BY created_at",
    "UPDATE submission SET title = ?3, fields = '{}', body = CASE WHEN body IS NULL THEN NULL ELSE '' END, "
    "updated_at = ?2 WHERE member_id = ?1 AND state <> 'accepted'", NULL },
  { "submission_upload", "submission_uploads", false,
    "SELECT id, submission_id, length, offset, filename, created_at, finished_at FROM submission_upload "
    "WHERE member_id = ?1 ORDER BY created_at",
    "DELETE FROM submission_upload WHERE member_id = ?1", NULL },
  /* The published works made of their accepted submissions stay published, but credited to the
   * pseudonym: the video's presenter and the article's author were copies of their name. */
  { "video", "credited_videos", false,
    "SELECT v.id, v.title, v.presenter FROM submission s JOIN video v ON v.id = s.result_id "
    "WHERE s.member_id = ?1 AND s.state = 'accepted' AND s.result_kind = 'video' ORDER BY s.created_at",
    "UPDATE video SET presenter = ?3 WHERE id IN (SELECT result_id FROM submission WHERE member_id = ?1 "
    "AND state = 'accepted' AND result_kind = 'video')", NULL },
  { "article", "credited_articles", false,
    "SELECT a.id, a.title, a.author FROM submission s JOIN article a ON a.id = CAST(s.result_id AS INTEGER) "
    "WHERE s.member_id = ?1 AND s.state = 'accepted' AND s.result_kind = 'article' ORDER BY s.created_at",
    "UPDATE article SET author = ?3 WHERE id IN (SELECT CAST(result_id AS INTEGER) FROM submission "
    "WHERE member_id = ?1 AND state = 'accepted' AND result_kind = 'article')", NULL },
  /* Pictures a member uploaded for their texts (issue 21, migration 0020): the rows go; the
   * files nothing else uses are deleted by the caller after the commit
   * (submit_files_of_member, club/submit_files.c). */
  { "member_image", "uploaded_images", false,
    "SELECT '/images/' || name AS url, bytes, created_at FROM member_image WHERE member_id = ?1 "
    "ORDER BY created_at, name",
    "DELETE FROM member_image WHERE member_id = ?1", NULL },
  /* Both the member's own acts and acts on them. Entries are never changed: they are the
   * record of who did what, and the erasure adds one. */
  { "audit_log", "audit_entries", false,
    "SELECT id, at, CASE WHEN member_id = ?1 THEN 'actor' ELSE 'subject' END AS role, "
    "member_id AS actor_id, action, target_type, target_id, detail FROM audit_log "
    "WHERE member_id = ?1 OR (target_type = 'member' AND target_id = ?1) ORDER BY id",
    NULL, "append-only record of changes and sign-ins (triggers refuse UPDATE and DELETE)" },
  { NULL, NULL, false, NULL, NULL, NULL },
};

const DbPrivacyExempt db_privacy_not_personal[] = {
  { "points_day", "per-day sums of points_ledger, which is exported; kept with the ledger" },
  { NULL, NULL },
};

const DbPrivacyColumn db_privacy_member_columns[] = {
  { "id", false },
  { "display_name", true },
  { "role", false },
  { "real_name_verified", false },
  { "token_hash", true },
  { "disabled", true },
  { "disqualified", false },
  { "created_at", false },
  { "updated_at", true },
  { "erased_at", true },
  { NULL, false },
};

/* Adds the current row of ST to B as an object: column names as keys, *_at as times,
 * "detail" parsed as JSON. */
static void row_object(JsonBuilder *b, sqlite3_stmt *st)
{
  json_builder_begin_object(b);
  for (int i = 0; i < sqlite3_column_count(st); i++) {
    const char *name = sqlite3_column_name(st, i);
    int type = sqlite3_column_type(st, i);
    if (strcmp(name, "at") == 0 || g_str_has_suffix(name, "_at")) {
      db_json_time(b, name, st, i);
      continue;
    }
    json_builder_set_member_name(b, name);
    if (type == SQLITE_NULL) {
      json_builder_add_null_value(b);
    } else if (type == SQLITE_INTEGER) {
      json_builder_add_int_value(b, sqlite3_column_int64(st, i));
    } else if (type == SQLITE_FLOAT) {
      json_builder_add_double_value(b, sqlite3_column_double(st, i));
    } else if (strcmp(name, "detail") == 0) {
      JsonNode *parsed = json_from_string(db_col_text(st, i), NULL);
      if (parsed)
        json_builder_add_value(b, parsed);
      else
        json_builder_add_string_value(b, db_col_text(st, i));
    } else {
      json_builder_add_string_value(b, db_col_text(st, i));
    }
  }
  json_builder_end_object(b);
}

/* Adds T's rows about ID to B under T->key. Returns 0 or -errno. */
static int export_table(Db *db, const DbPrivacyTable *t, const char *id, JsonBuilder *b)
{
  sqlite3_stmt *st = db_prepare(db, t->export_sql);
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  json_builder_set_member_name(b, t->key);
  int rc;
  if (t->single) {
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
      row_object(b, st);
    else
      json_builder_add_null_value(b);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
      rc = SQLITE_DONE;
  } else {
    json_builder_begin_array(b);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
      row_object(b, st);
    json_builder_end_array(b);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_privacy_erased_at(Db *db, const char *id, gint64 *at)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT coalesce(erased_at, 0) FROM member WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0)
    *at = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return ret;
}

int db_privacy_export(Db *db, const char *id, gint64 now, JsonNode **out)
{
  gint64 erased = 0;
  /* One read transaction, so the parts agree with each other. */
  int ret = db_begin(db);
  if (ret < 0)
    return ret;
  if ((ret = db_privacy_erased_at(db, id, &erased)) < 0) {
    db_rollback(db);
    return ret;
  }
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "member_id");
  json_builder_add_string_value(b, id);
  json_builder_set_member_name(b, "exported_at");
  g_autofree char *at = util_iso8601(now);
  json_builder_add_string_value(b, at);
  json_builder_set_member_name(b, "schema_version");
  json_builder_add_int_value(b, db_schema_version(db));
  for (const DbPrivacyTable *t = db_privacy_tables; t->table && ret == 0; t++)
    ret = export_table(db, t, id, b);
  json_builder_end_object(b);
  db_rollback(db); /* nothing was written */
  if (ret == 0)
    *out = json_builder_get_root(b);
  g_object_unref(b);
  return ret;
}

int db_privacy_erase(Db *db, const char *id, gint64 now, JsonNode **report)
{
  int ret = db_begin(db);
  if (ret < 0)
    return ret;
  gint64 erased = 0;
  JsonObject *changed = json_object_new();
  /* Looked at inside the transaction, so two erasures at once cannot both run. */
  if ((ret = db_privacy_erased_at(db, id, &erased)) < 0 || erased)
    goto done;
  for (const DbPrivacyTable *t = db_privacy_tables; t->table && ret == 0; t++) {
    if (!t->erase_sql)
      continue;
    sqlite3_stmt *st = db_prepare(db, t->erase_sql);
    if (!st) {
      ret = -EIO;
      break;
    }
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, DB_PRIVACY_PSEUDONYM, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
      json_object_set_int_member(changed, t->table, sqlite3_changes(db->conn));
    else
      ret = db_errno(rc);
    sqlite3_finalize(st);
  }
done:
  if (ret == 0 && !erased)
    ret = db_commit(db);
  else
    db_rollback(db);
  if (ret == 0 && report) {
    JsonObject *o = json_object_new();
    json_object_set_string_member(o, "member", id);
    json_object_set_boolean_member(o, "already_erased", erased != 0);
    g_autofree char *at = util_iso8601(erased ? erased : now);
    json_object_set_string_member(o, "erased_at", at);
    json_object_set_object_member(o, "changed", json_object_ref(changed));
    *report = json_node_init_object(json_node_alloc(), o);
    json_object_unref(o);
  }
  json_object_unref(changed);
  return ret;
}

/* TABLE is in neither list (db_strv's filter for db_privacy_uncovered). */
static gboolean unlisted(const char *table)
{
  for (const DbPrivacyTable *t = db_privacy_tables; t->table; t++)
    if (strcmp(t->table, table) == 0)
      return FALSE;
  for (const DbPrivacyExempt *e = db_privacy_not_personal; e->table; e++)
    if (strcmp(e->table, table) == 0)
      return FALSE;
  return TRUE;
}

int db_privacy_uncovered(Db *db, char ***out)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT DISTINCT s.name FROM sqlite_schema s, pragma_table_info(s.name) c "
      "WHERE s.type = 'table' AND (c.name = 'member_id' OR c.name LIKE '%\\_member\\_id' ESCAPE '\\') "
      "ORDER BY s.name");
  if (!st)
    return -EIO;
  return db_strv(st, unlisted, out);
}
