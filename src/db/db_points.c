/* db_points: campaigns (the points rules) and the append-only points ledger. */
#include "db/db_points.h"
#include "core/util.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define CAMPAIGN_COLS \
  "id, name, starts_on, ends_on, time_zone, starts_at, ends_at, daily_total_cap"

static const char *const activity_names[ACT_COUNT] = {
  [ACT_WATCH] = "watch", [ACT_LIVE_BONUS] = "live_bonus", [ACT_QUIZ] = "quiz",
  [ACT_READ] = "read", [ACT_VOTE] = "vote", [ACT_QUESTION] = "question",
};

const char *activity_name(ActivityKind a)
{
  return a >= 0 && a < ACT_COUNT ? activity_names[a] : "";
}

int activity_from_name(const char *name)
{
  for (int i = 0; name && i < ACT_COUNT; i++)
    if (strcmp(name, activity_names[i]) == 0)
      return i;
  return -1;
}

static void activity_off(CampaignActivity *a)
{
  *a = (CampaignActivity){ .on = false, .rate = 0, .daily_cap = -1, .item_cap = -1, .minutes = 30,
                           .questions = 5, .seconds = 30 };
}

void campaign_defaults(Campaign *c)
{
  c->daily_total_cap = -1;
  for (int i = 0; i < ACT_COUNT; i++)
    activity_off(&c->act[i]);
  c->act[ACT_WATCH].on = true;
  c->act[ACT_WATCH].rate = 1;
  c->act[ACT_LIVE_BONUS].on = true;
}

static gint64 col_cap(sqlite3_stmt *st, int i)
{
  return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

static Campaign *campaign_from_row(sqlite3_stmt *st)
{
  Campaign *c = g_new0(Campaign, 1);
  c->id = sqlite3_column_int64(st, 0);
  c->name = g_strdup(db_col_text(st, 1));
  c->starts_on = g_strdup(db_col_text(st, 2));
  c->ends_on = g_strdup(db_col_text(st, 3));
  c->time_zone = g_strdup(db_col_text(st, 4));
  c->starts_at = sqlite3_column_int64(st, 5);
  c->ends_at = sqlite3_column_int64(st, 6);
  c->daily_total_cap = col_cap(st, 7);
  for (int i = 0; i < ACT_COUNT; i++)
    activity_off(&c->act[i]);
  return c;
}

/* Fills C's table of activities from its rows. */
static int campaign_load_activities(Db *db, Campaign *c)
{
  sqlite3_stmt *st = db_cached(db,
      "SELECT activity, rate, daily_cap, item_cap, minutes, questions, seconds "
      "FROM campaign_activity WHERE campaign_id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, c->id);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    int a = activity_from_name(db_col_text(st, 0));
    if (a < 0)
      continue;
    c->act[a] = (CampaignActivity){
      .on = true, .rate = sqlite3_column_int64(st, 1), .daily_cap = col_cap(st, 2),
      .item_cap = col_cap(st, 3), .minutes = sqlite3_column_int64(st, 4),
      .questions = sqlite3_column_int64(st, 5), .seconds = sqlite3_column_int64(st, 6),
    };
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

static int campaign_query(Db *db, const char *sql, gint64 arg, Campaign **out)
{
  sqlite3_stmt *st = db_cached(db, sql);
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, arg);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  Campaign *c = ret == 0 ? campaign_from_row(st) : NULL;
  sqlite3_reset(st);
  if (c && (ret = campaign_load_activities(db, c)) < 0)
    campaign_free(&c);
  if (ret == 0)
    *out = c;
  return ret;
}

int db_campaign_active(Db *db, gint64 now, Campaign **out)
{
  return campaign_query(db, "SELECT " CAMPAIGN_COLS " FROM campaign "
                        "WHERE starts_at <= ?1 AND ends_at > ?1 ORDER BY starts_at DESC LIMIT 1",
                        now, out);
}

int db_campaign_get(Db *db, gint64 id, Campaign **out)
{
  return campaign_query(db, "SELECT " CAMPAIGN_COLS " FROM campaign WHERE id = ?1", id, out);
}

static void bind_cap(sqlite3_stmt *st, int i, gint64 v)
{
  if (v >= 0)
    sqlite3_bind_int64(st, i, v);
  else
    sqlite3_bind_null(st, i);
}

int db_campaign_activities_save(Db *db, const Campaign *c)
{
  for (int i = 0; i < ACT_COUNT; i++) {
    const CampaignActivity *a = &c->act[i];
    sqlite3_stmt *st = db_cached(db, a->on
        ? "INSERT INTO campaign_activity (campaign_id, activity, rate, daily_cap, item_cap, "
          "minutes, questions, seconds) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
          "ON CONFLICT (campaign_id, activity) DO UPDATE SET rate = excluded.rate, "
          "daily_cap = excluded.daily_cap, item_cap = excluded.item_cap, minutes = excluded.minutes, "
          "questions = excluded.questions, seconds = excluded.seconds"
        : "DELETE FROM campaign_activity WHERE campaign_id = ?1 AND activity = ?2");
    if (!st)
      return -EIO;
    sqlite3_bind_int64(st, 1, c->id);
    sqlite3_bind_text(st, 2, activity_names[i], -1, SQLITE_STATIC);
    if (a->on) {
      sqlite3_bind_int64(st, 3, a->rate);
      bind_cap(st, 4, a->daily_cap);
      bind_cap(st, 5, a->item_cap);
      sqlite3_bind_int64(st, 6, a->minutes);
      sqlite3_bind_int64(st, 7, a->questions);
      sqlite3_bind_int64(st, 8, a->seconds);
    }
    int rc = sqlite3_step(st);
    int ext = sqlite3_extended_errcode(db->conn);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
      return ext == SQLITE_CONSTRAINT_CHECK || ext == SQLITE_CONSTRAINT_NOTNULL ? -EINVAL : db_errno(rc);
  }
  return 0;
}

int db_campaign_save(Db *db, Campaign *c)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT 1 FROM campaign WHERE id != ?1 AND starts_at < ?3 AND ends_at > ?2 LIMIT 1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, c->id);
  sqlite3_bind_int64(st, 2, c->starts_at);
  sqlite3_bind_int64(st, 3, c->ends_at);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc == SQLITE_ROW)
    return -EEXIST;
  if (rc != SQLITE_DONE)
    return db_errno(rc);

  st = db_prepare(db, c->id == 0
      ? "INSERT INTO campaign (name, starts_on, ends_on, time_zone, starts_at, ends_at, "
        "daily_total_cap, created_at, updated_at) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
      : "UPDATE campaign SET name = ?2, starts_on = ?3, ends_on = ?4, time_zone = ?5, "
        "starts_at = ?6, ends_at = ?7, daily_total_cap = ?8, updated_at = ?9 WHERE id = ?1");
  if (!st)
    return -EIO;
  if (c->id)
    sqlite3_bind_int64(st, 1, c->id);
  sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, c->starts_on, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, c->ends_on, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, c->time_zone, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, c->starts_at);
  sqlite3_bind_int64(st, 7, c->ends_at);
  bind_cap(st, 8, c->daily_total_cap);
  sqlite3_bind_int64(st, 9, util_now());
  rc = sqlite3_step(st);
  int ext = sqlite3_extended_errcode(db->conn);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return ext == SQLITE_CONSTRAINT_CHECK || ext == SQLITE_CONSTRAINT_NOTNULL ? -EINVAL : db_errno(rc);
  if (c->id == 0)
    c->id = sqlite3_last_insert_rowid(db->conn);
  else if (sqlite3_changes(db->conn) == 0)
    return -ENOENT;
  return db_campaign_activities_save(db, c);
}

static void add_cap(JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name(b, name);
  if (v >= 0)
    json_builder_add_int_value(b, v);
  else
    json_builder_add_null_value(b);
}

static void add_int(JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, v);
}

JsonNode *campaign_json(const Campaign *c)
{
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "id");
  json_builder_add_int_value(b, c->id);
  json_builder_set_member_name(b, "name");
  json_builder_add_string_value(b, c->name);
  json_builder_set_member_name(b, "starts_on");
  json_builder_add_string_value(b, c->starts_on);
  json_builder_set_member_name(b, "ends_on");
  json_builder_add_string_value(b, c->ends_on);
  json_builder_set_member_name(b, "time_zone");
  json_builder_add_string_value(b, c->time_zone);
  g_autofree char *from = util_iso8601(c->starts_at), *until = util_iso8601(c->ends_at);
  json_builder_set_member_name(b, "starts_at");
  json_builder_add_string_value(b, from);
  json_builder_set_member_name(b, "ends_at");
  json_builder_add_string_value(b, until);
  /* The watch and live-bonus rows under the names they had before the table (0015), which
   * pages and scripts read. */
  const CampaignActivity *w = &c->act[ACT_WATCH], *lb = &c->act[ACT_LIVE_BONUS];
  add_int(b, "points_per_minute", w->on ? w->rate : 0);
  add_cap(b, "per_video_cap", w->on ? w->item_cap : -1);
  add_cap(b, "daily_cap", w->on ? w->daily_cap : -1);
  add_int(b, "live_bonus_points", lb->on ? lb->rate : 0);
  add_int(b, "live_bonus_minutes", lb->minutes);
  add_cap(b, "daily_total_cap", c->daily_total_cap);
  json_builder_set_member_name(b, "activities");
  json_builder_begin_array(b);
  for (int i = 0; i < ACT_COUNT; i++) {
    const CampaignActivity *a = &c->act[i];
    if (!a->on)
      continue;
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "activity");
    json_builder_add_string_value(b, activity_names[i]);
    add_int(b, "rate", a->rate);
    add_cap(b, "daily_cap", a->daily_cap);
    if (i == ACT_WATCH || i == ACT_READ)
      add_cap(b, "item_cap", a->item_cap);
    if (i == ACT_LIVE_BONUS)
      add_int(b, "minutes", a->minutes);
    if (i == ACT_QUIZ) {
      add_int(b, "questions", a->questions);
      add_int(b, "seconds", a->seconds);
    }
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
  JsonNode *node = json_builder_get_root(b);
  g_object_unref(b);
  return node;
}

JsonNode *db_campaign_list_json(Db *db, int *rc)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT " CAMPAIGN_COLS " FROM campaign ORDER BY starts_at DESC");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    Campaign *c = campaign_from_row(st);
    if (campaign_load_activities(db, c) < 0) {
      campaign_free(&c);
      step = SQLITE_ERROR;
      break;
    }
    json_builder_add_value(b, campaign_json(c));
    campaign_free(&c);
  }
  sqlite3_finalize(st);
  return db_json_array_done(b, step, rc);
}

void campaign_free(Campaign **pc)
{
  Campaign *c = *pc;
  if (!c)
    return;
  g_free(c->name);
  g_free(c->starts_on);
  g_free(c->ends_on);
  g_free(c->time_zone);
  g_free(c);
  *pc = NULL;
}

/* ---- ledger ---------------------------------------------------------------- */

int db_ledger_add(Db *db, const LedgerEntry *e)
{
  sqlite3_stmt *st = db_cached(db,
      "INSERT INTO points_ledger (member_id, amount, reason, video_id, campaign_id, local_day, "
      "idempotency_key, note, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
      "ON CONFLICT (idempotency_key) DO NOTHING");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, e->member_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, e->amount);
  sqlite3_bind_text(st, 3, e->reason, -1, SQLITE_STATIC);
  if (e->video_id)
    sqlite3_bind_text(st, 4, e->video_id, -1, SQLITE_STATIC);
  if (e->campaign_id > 0)
    sqlite3_bind_int64(st, 5, e->campaign_id);
  if (e->local_day)
    sqlite3_bind_text(st, 6, e->local_day, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 7, e->key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 8, e->note ? e->note : "", -1, SQLITE_STATIC);
  if (e->created_by)
    sqlite3_bind_text(st, 9, e->created_by, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 10, e->at);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  return sqlite3_changes(db->conn) ? 0 : -EEXIST;
}

int db_ledger_sum(Db *db, const char *member, const char *video, gint64 campaign,
                  const char *day, const char *reason, gint64 *out)
{
  sqlite3_stmt *st = db_cached(db,
      "SELECT COALESCE(SUM(amount), 0) FROM points_ledger WHERE member_id = ?1 "
      "AND (?2 IS NULL OR video_id = ?2) AND (?3 IS NULL OR campaign_id = ?3) "
      "AND (?4 IS NULL OR local_day = ?4) AND (?5 IS NULL OR reason = ?5)");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  if (video)
    sqlite3_bind_text(st, 2, video, -1, SQLITE_STATIC);
  if (campaign > 0)
    sqlite3_bind_int64(st, 3, campaign);
  if (day)
    sqlite3_bind_text(st, 4, day, -1, SQLITE_STATIC);
  if (reason)
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 0 : db_errno(rc);
}

const char *db_ledger_history_sql(bool before)
{
  /* Two statements rather than "(?2 = 0 OR l.id < ?2)", which SQLite cannot use as a range:
   * a page far back in a long history would walk every newer entry first. */
  return before
      ? "SELECT l.id, l.amount, l.reason, l.video_id, v.title, l.campaign_id, l.local_day, l.note, "
        "l.created_at FROM points_ledger l LEFT JOIN video v ON v.id = l.video_id "
        "WHERE l.member_id = ?1 AND l.id < ?2 ORDER BY l.id DESC LIMIT ?3"
      : "SELECT l.id, l.amount, l.reason, l.video_id, v.title, l.campaign_id, l.local_day, l.note, "
        "l.created_at FROM points_ledger l LEFT JOIN video v ON v.id = l.video_id "
        "WHERE l.member_id = ?1 AND ?2 = 0 ORDER BY l.id DESC LIMIT ?3";
}

JsonNode *db_ledger_history_json(Db *db, const char *member, int limit, gint64 before, int *rc)
{
  sqlite3_stmt *st = db_prepare(db, db_ledger_history_sql(before > 0));
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, before);
  sqlite3_bind_int(st, 3, limit);
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "id");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 0));
    json_builder_set_member_name(b, "amount");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 1));
    db_json_text(b, "reason", st, 2);
    db_json_text(b, "video_id", st, 3);
    db_json_text(b, "video_title", st, 4);
    json_builder_set_member_name(b, "campaign_id");
    if (sqlite3_column_type(st, 5) == SQLITE_NULL)
      json_builder_add_null_value(b);
    else
      json_builder_add_int_value(b, sqlite3_column_int64(st, 5));
    db_json_text(b, "day", st, 6);
    db_json_text(b, "note", st, 7);
    db_json_time(b, "at", st, 8);
    json_builder_end_object(b);
  }
  sqlite3_finalize(st);
  return db_json_array_done(b, step, rc);
}

JsonNode *db_campaign_earners_json(Db *db, gint64 campaign, gint64 limit, gint64 offset,
                                   gint64 *members, gint64 *points, int *rc)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT count(DISTINCT member_id), coalesce(sum(amount), 0) FROM points_ledger "
      "WHERE campaign_id = ?1");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_int64(st, 1, campaign);
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    *members = sqlite3_column_int64(st, 0);
    *points = sqlite3_column_int64(st, 1);
  }
  sqlite3_finalize(st);
  if (step != SQLITE_ROW) {
    *rc = db_errno(step);
    return NULL;
  }
  st = db_prepare(db,
      "SELECT l.member_id, m.display_name, sum(l.amount) AS points, "
      "sum(CASE WHEN l.reason = 'watch' THEN l.amount ELSE 0 END), "
      "sum(CASE WHEN l.reason = 'live_bonus' THEN l.amount ELSE 0 END), count(*), max(l.created_at) "
      "FROM points_ledger l LEFT JOIN member m ON m.id = l.member_id WHERE l.campaign_id = ?1 "
      "GROUP BY l.member_id ORDER BY points DESC, l.member_id LIMIT ?2 OFFSET ?3");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_int64(st, 1, campaign);
  sqlite3_bind_int64(st, 2, limit);
  sqlite3_bind_int64(st, 3, offset);
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  static const char *const sums[] = {"points", "watch_points", "live_bonus_points", "entries"};
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    db_json_text(b, "member_id", st, 0);
    db_json_text(b, "display_name", st, 1);
    for (int i = 0; i < 4; i++) {
      json_builder_set_member_name(b, sums[i]);
      json_builder_add_int_value(b, sqlite3_column_int64(st, 2 + i));
    }
    db_json_time(b, "last_at", st, 6);
    json_builder_end_object(b);
  }
  sqlite3_finalize(st);
  return db_json_array_done(b, step, rc);
}

/* ---- aggregates ---------------------------------------------------------------------- */

int db_points_balance(Db *db, const char *member, gint64 *balance)
{
  sqlite3_stmt *st = db_cached(db, "SELECT balance FROM points_balance WHERE member_id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  *balance = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_points_day(Db *db, const char *member, gint64 campaign, const char *day, gint64 *points,
                  gint64 *watch)
{
  sqlite3_stmt *st = db_cached(db, "SELECT points, watch_points FROM points_day "
                                   "WHERE member_id = ?1 AND campaign_id = ?2 AND local_day = ?3");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, campaign);
  sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  *points = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  if (watch)
    *watch = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
  sqlite3_reset(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_points_day_reason(Db *db, const char *member, gint64 campaign, const char *day,
                         const char *reason, gint64 *out)
{
  /* The (member, campaign, day) index holds a day's entries of one member: a short range. */
  sqlite3_stmt *st = db_cached(db, "SELECT coalesce(sum(amount), 0) FROM points_ledger "
                                   "WHERE member_id = ?1 AND campaign_id = ?2 AND local_day = ?3 "
                                   "AND reason = ?4");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, campaign);
  sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 0 : db_errno(rc);
}

/* Each check: rows (member, campaign, day, field, from the ledger, from the aggregate) that
 * differ, both sides as full outer joins built from two LEFT JOINs (a row missing on one
 * side counts as 0 there). */
#define CHECK_BALANCE \
  "WITH l AS (SELECT member_id, sum(amount) AS balance, count(*) AS entries FROM points_ledger " \
  "GROUP BY member_id), " \
  "j AS (SELECT l.member_id, l.balance AS lb, l.entries AS le, a.balance AS ab, a.entries AS ae " \
  "FROM l LEFT JOIN points_balance a ON a.member_id = l.member_id " \
  "UNION ALL SELECT a.member_id, NULL, NULL, a.balance, a.entries FROM points_balance a " \
  "WHERE NOT EXISTS (SELECT 1 FROM l WHERE l.member_id = a.member_id)) " \
  "SELECT member_id, NULL, NULL, 'balance', coalesce(lb, 0), coalesce(ab, 0) FROM j " \
  "WHERE coalesce(lb, 0) != coalesce(ab, 0) " \
  "UNION ALL SELECT member_id, NULL, NULL, 'entries', coalesce(le, 0), coalesce(ae, 0) FROM j " \
  "WHERE coalesce(le, 0) != coalesce(ae, 0)"
#define CHECK_DAY \
  "WITH l AS (SELECT member_id, campaign_id, local_day, sum(amount) AS points, " \
  "sum(CASE WHEN reason = 'watch' THEN amount ELSE 0 END) AS watch, count(*) AS entries " \
  "FROM points_ledger WHERE campaign_id IS NOT NULL AND local_day IS NOT NULL " \
  "GROUP BY member_id, campaign_id, local_day), " \
  "j AS (SELECT l.member_id, l.campaign_id, l.local_day, l.points AS lp, l.watch AS lw, " \
  "l.entries AS le, a.points AS ap, a.watch_points AS aw, a.entries AS ae FROM l " \
  "LEFT JOIN points_day a ON a.member_id = l.member_id AND a.campaign_id = l.campaign_id " \
  "AND a.local_day = l.local_day " \
  "UNION ALL SELECT a.member_id, a.campaign_id, a.local_day, NULL, NULL, NULL, a.points, " \
  "a.watch_points, a.entries FROM points_day a WHERE NOT EXISTS (SELECT 1 FROM l " \
  "WHERE l.member_id = a.member_id AND l.campaign_id = a.campaign_id AND l.local_day = a.local_day)) " \
  "SELECT member_id, campaign_id, local_day, 'points', coalesce(lp, 0), coalesce(ap, 0) FROM j " \
  "WHERE coalesce(lp, 0) != coalesce(ap, 0) " \
  "UNION ALL SELECT member_id, campaign_id, local_day, 'watch_points', coalesce(lw, 0), " \
  "coalesce(aw, 0) FROM j WHERE coalesce(lw, 0) != coalesce(aw, 0) " \
  "UNION ALL SELECT member_id, campaign_id, local_day, 'entries', coalesce(le, 0), " \
  "coalesce(ae, 0) FROM j WHERE coalesce(le, 0) != coalesce(ae, 0)"

static int check_one(Db *db, const char *sql, const char *table, int limit, JsonBuilder *b,
                      gint64 *count)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st)
    return -EIO;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if ((*count)++ >= limit)
      continue;
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "table");
    json_builder_add_string_value(b, table);
    db_json_text(b, "member_id", st, 0);
    if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
      json_builder_set_member_name(b, "campaign_id");
      json_builder_add_int_value(b, sqlite3_column_int64(st, 1));
      db_json_text(b, "day", st, 2);
    }
    db_json_text(b, "field", st, 3);
    json_builder_set_member_name(b, "ledger");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 4));
    json_builder_set_member_name(b, "aggregate");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 5));
    json_builder_end_object(b);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

/* One number SQL computes. */
static int count_of(Db *db, const char *sql, gint64 *out)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  if (!st)
    return -EIO;
  int rc = sqlite3_step(st);
  *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 0 : db_errno(rc);
}

int db_points_check(Db *db, int limit, JsonNode **diff, gint64 *count, gint64 *members,
                    gint64 *days)
{
  *count = 0;
  /* One read transaction (deferred: writers go on while it reads): the ledger and the
   * aggregates as of the same moment. Inside a caller's transaction, that one. */
  bool own = db->depth == 0;
  if (own && sqlite3_exec(db->conn, "BEGIN DEFERRED", NULL, NULL, NULL) != SQLITE_OK)
    return -EIO;
  int ret;
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  if ((ret = check_one(db, CHECK_BALANCE, "points_balance", limit, b, count)) == 0 &&
      (ret = check_one(db, CHECK_DAY, "points_day", limit, b, count)) == 0 &&
      (ret = count_of(db, "SELECT count(DISTINCT member_id) FROM points_ledger", members)) == 0)
    ret = count_of(db, "SELECT count(*) FROM (SELECT 1 FROM points_ledger WHERE campaign_id "
                       "IS NOT NULL AND local_day IS NOT NULL GROUP BY member_id, campaign_id, local_day)",
                   days);
  if (own)
    sqlite3_exec(db->conn, "COMMIT", NULL, NULL, NULL);
  json_builder_end_array(b);
  *diff = ret == 0 ? json_builder_get_root(b) : NULL;
  g_object_unref(b);
  return ret;
}
