/* db_lottery: the points lottery's tables — prepared statements only. */
#include "db/db_lottery.h"

#include <errno.h>
#include <string.h>

#define LOTTERY_COLS                                                                         \
  "id, campaign_id, title, rules, opens_at, closes_at, points_per_ticket, min_balance, "   \
  "max_tickets, one_prize_per_member, reserve_percent, claim_days"

static int step_done(Db *db, sqlite3_stmt *st, bool cached)
{
  int rc = sqlite3_step(st);
  if (cached)
    sqlite3_reset(st);
  else
    sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  return sqlite3_changes(db->conn) ? 0 : -ENOENT;
}

int db_lottery_get(Db *db, gint64 id, Lottery **out)
{
  sqlite3_stmt *st = db_cached(db, "SELECT " LOTTERY_COLS " FROM lottery WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0) {
    Lottery *l = g_new0(Lottery, 1);
    l->id = sqlite3_column_int64(st, 0);
    l->campaign_id = sqlite3_column_int64(st, 1);
    l->title = g_strdup(db_col_text(st, 2));
    l->rules = g_strdup(db_col_text(st, 3));
    l->opens_at = sqlite3_column_int64(st, 4);
    l->closes_at = sqlite3_column_int64(st, 5);
    l->points_per_ticket = sqlite3_column_int64(st, 6);
    l->min_balance = sqlite3_column_int64(st, 7);
    l->max_tickets = sqlite3_column_int64(st, 8);
    l->one_prize_per_member = sqlite3_column_int(st, 9) != 0;
    l->reserve_percent = sqlite3_column_int64(st, 10);
    l->claim_days = sqlite3_column_int64(st, 11);
    *out = l;
  }
  sqlite3_reset(st);
  return ret;
}

int db_lottery_save(Db *db, Lottery *l, gint64 now)
{
  sqlite3_stmt *st = db_prepare(db, l->id == 0
      ? "INSERT INTO lottery (campaign_id, title, rules, opens_at, closes_at, points_per_ticket, "
        "min_balance, max_tickets, one_prize_per_member, reserve_percent, claim_days, created_at, "
        "updated_at) VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)"
      : "UPDATE lottery SET campaign_id = ?2, title = ?3, rules = ?4, opens_at = ?5, "
        "closes_at = ?6, points_per_ticket = ?7, min_balance = ?8, max_tickets = ?9, "
        "one_prize_per_member = ?10, reserve_percent = ?11, claim_days = ?12, updated_at = ?13 "
        "WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, l->id);
  if (l->campaign_id > 0)
    sqlite3_bind_int64(st, 2, l->campaign_id);
  sqlite3_bind_text(st, 3, l->title, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, l->rules ? l->rules : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, l->opens_at);
  sqlite3_bind_int64(st, 6, l->closes_at);
  sqlite3_bind_int64(st, 7, l->points_per_ticket);
  sqlite3_bind_int64(st, 8, l->min_balance);
  sqlite3_bind_int64(st, 9, l->max_tickets);
  sqlite3_bind_int(st, 10, l->one_prize_per_member);
  sqlite3_bind_int64(st, 11, l->reserve_percent);
  sqlite3_bind_int64(st, 12, l->claim_days);
  sqlite3_bind_int64(st, 13, now);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  if (l->id == 0)
    l->id = sqlite3_last_insert_rowid(db->conn);
  else if (sqlite3_changes(db->conn) == 0)
    return -ENOENT;
  return 0;
}

void lottery_free(Lottery **lp)
{
  Lottery *l = *lp;
  if (!l)
    return;
  g_free(l->title);
  g_free(l->rules);
  g_free(l);
  *lp = NULL;
}

int db_lottery_draw_add(Db *db, gint64 lottery, gint64 freeze_at, gint64 *id)
{
  sqlite3_stmt *st = db_prepare(db, "INSERT INTO lottery_draw (lottery_id, freeze_at) VALUES (?1, ?2)");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, lottery);
  sqlite3_bind_int64(st, 2, freeze_at);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  *id = sqlite3_last_insert_rowid(db->conn);
  return 0;
}

#define DRAW_COLS                                                                           \
  "id, lottery_id, freeze_at, state, frozen_at, entries_sha256, entries, tickets, record, " \
  "drawn_at, claim_deadline"

static int draw_query(Db *db, sqlite3_stmt *st, LotteryDrawRow **out)
{
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0) {
    LotteryDrawRow *d = g_new0(LotteryDrawRow, 1);
    d->id = sqlite3_column_int64(st, 0);
    d->lottery_id = sqlite3_column_int64(st, 1);
    d->freeze_at = sqlite3_column_int64(st, 2);
    d->state = g_strdup(db_col_text(st, 3));
    d->frozen_at = sqlite3_column_int64(st, 4);
    d->entries_sha256 = g_strdup(db_col_text(st, 5));
    d->entries = sqlite3_column_int64(st, 6);
    d->tickets = sqlite3_column_int64(st, 7);
    d->record = g_strdup(db_col_text(st, 8));
    d->drawn_at = sqlite3_column_int64(st, 9);
    d->claim_deadline = sqlite3_column_int64(st, 10);
    *out = d;
  }
  sqlite3_reset(st);
  return ret;
}

int db_lottery_draw_entry_list(Db *db, gint64 draw, char **out)
{
  *out = NULL;
  sqlite3_stmt *st = db_cached(db, "SELECT entry_list FROM lottery_draw WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, draw);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0 && sqlite3_column_type(st, 0) == SQLITE_NULL)
    ret = -ENOENT;
  if (ret == 0)
    *out = g_strdup(db_col_text(st, 0) ? db_col_text(st, 0) : "");
  sqlite3_reset(st);
  return ret;
}

int db_lottery_draw_get(Db *db, gint64 id, LotteryDrawRow **out)
{
  sqlite3_stmt *st = db_cached(db, "SELECT " DRAW_COLS " FROM lottery_draw WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  return draw_query(db, st, out);
}

int db_lottery_draw_open(Db *db, gint64 lottery, gint64 now, LotteryDrawRow **out)
{
  sqlite3_stmt *st = db_cached(db, "SELECT " DRAW_COLS " FROM lottery_draw WHERE lottery_id = ?1 "
                               "AND state = 'open' AND freeze_at > ?2 ORDER BY freeze_at, id LIMIT 1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, lottery);
  sqlite3_bind_int64(st, 2, now);
  return draw_query(db, st, out);
}

int db_lottery_draw_set_freeze(Db *db, gint64 id, gint64 freeze_at)
{
  sqlite3_stmt *st = db_prepare(db, "UPDATE lottery_draw SET freeze_at = ?2 WHERE id = ?1 AND state = 'open'");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, freeze_at);
  return step_done(db, st, false);
}

int db_lottery_draws_due(Db *db, gint64 now, GArray **ids)
{
  *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  sqlite3_stmt *st = db_cached(db, "SELECT id FROM lottery_draw WHERE state = 'open' AND freeze_at <= ?1 ORDER BY id");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, now);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(st, 0);
    g_array_append_val(*ids, id);
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_lottery_draw_set_frozen(Db *db, gint64 id, const char *entry_list, const char *sha,
                               gint64 entries, gint64 tickets, gint64 at)
{
  sqlite3_stmt *st = db_prepare(db, "UPDATE lottery_draw SET state = 'frozen', entry_list = ?2, "
      "entries_sha256 = ?3, entries = ?4, tickets = ?5, frozen_at = ?6 WHERE id = ?1 AND state = 'open'");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, entry_list, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, sha, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, entries);
  sqlite3_bind_int64(st, 5, tickets);
  sqlite3_bind_int64(st, 6, at);
  return step_done(db, st, false);
}

int db_lottery_draw_set_drawn(Db *db, gint64 id, const char *values_json, const char *record,
                              gint64 at, gint64 claim_deadline)
{
  sqlite3_stmt *st = db_prepare(db, "UPDATE lottery_draw SET state = 'drawn', public_values = ?2, "
      "record = ?3, drawn_at = ?4, claim_deadline = ?5 WHERE id = ?1 AND state = 'frozen'");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, values_json, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, record, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, at);
  sqlite3_bind_int64(st, 5, claim_deadline);
  return step_done(db, st, false);
}

void lottery_draw_row_free(LotteryDrawRow **dp)
{
  LotteryDrawRow *d = *dp;
  if (!d)
    return;
  g_free(d->state);
  g_free(d->entries_sha256);
  g_free(d->record);
  g_free(d);
  *dp = NULL;
}

int db_lottery_tier_save(Db *db, gint64 draw, gint64 id, gint64 position, const char *name,
                         gint64 quantity, const char *value, gint64 *out_id)
{
  sqlite3_stmt *st = db_prepare(db, id == 0
      ? "INSERT INTO lottery_tier (draw_id, position, name, quantity, value) VALUES (?1, ?3, ?4, ?5, ?6)"
      : "UPDATE lottery_tier SET position = ?3, name = ?4, quantity = ?5, value = ?6 "
        "WHERE id = ?2 AND draw_id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, draw);
  sqlite3_bind_int64(st, 2, id);
  sqlite3_bind_int64(st, 3, position);
  sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, quantity);
  sqlite3_bind_text(st, 6, value ? value : "", -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  if (id == 0)
    id = sqlite3_last_insert_rowid(db->conn);
  else if (sqlite3_changes(db->conn) == 0)
    return -ENOENT;
  if (out_id)
    *out_id = id;
  return 0;
}

int db_lottery_tier_draw(Db *db, gint64 id, gint64 *draw)
{
  sqlite3_stmt *st = db_cached(db, "SELECT draw_id FROM lottery_tier WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0)
    *draw = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return ret;
}

int db_lottery_tiers(Db *db, gint64 draw, GArray **ids, GArray **quantities, GPtrArray **names,
                     GPtrArray **values)
{
  *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  *quantities = g_array_new(FALSE, FALSE, sizeof(gint64));
  *names = g_ptr_array_new_with_free_func(g_free);
  *values = g_ptr_array_new_with_free_func(g_free);
  sqlite3_stmt *st = db_cached(db, "SELECT id, quantity, name, value FROM lottery_tier "
                               "WHERE draw_id = ?1 ORDER BY position, id");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, draw);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(st, 0), q = sqlite3_column_int64(st, 1);
    g_array_append_val(*ids, id);
    g_array_append_val(*quantities, q);
    g_ptr_array_add(*names, g_strdup(db_col_text(st, 2)));
    g_ptr_array_add(*values, g_strdup(db_col_text(st, 3)));
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_lottery_code_add(Db *db, gint64 tier, const char *code, gint64 at)
{
  sqlite3_stmt *st = db_cached(db, "INSERT INTO lottery_code (tier_id, code, imported_at) VALUES (?1, ?2, ?3)");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, tier);
  sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, at);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_lottery_code_free_next(Db *db, gint64 tier, gint64 *id)
{
  *id = 0;
  sqlite3_stmt *st = db_cached(db, "SELECT c.id FROM lottery_code c WHERE c.tier_id = ?1 AND NOT EXISTS "
      "(SELECT 1 FROM lottery_prize p WHERE p.code_id = c.id) ORDER BY c.id LIMIT 1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, tier);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *id = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_lottery_purchase_find(Db *db, const char *key, const char *member, gint64 *draw,
                             gint64 *tickets, gint64 *points)
{
  sqlite3_stmt *st = db_cached(db, "SELECT draw_id, tickets, points FROM lottery_purchase "
                               "WHERE key = ?1 AND member_id = ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0) {
    *draw = sqlite3_column_int64(st, 0);
    *tickets = sqlite3_column_int64(st, 1);
    *points = sqlite3_column_int64(st, 2);
  }
  sqlite3_reset(st);
  return ret;
}

int db_lottery_purchase_add(Db *db, gint64 draw, const char *member, const char *code,
                            gint64 tickets, gint64 points, const char *key, gint64 at)
{
  sqlite3_stmt *st = db_cached(db, "INSERT INTO lottery_purchase (draw_id, member_id, tickets, "
                               "points, key, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, draw);
  sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, tickets);
  sqlite3_bind_int64(st, 4, points);
  sqlite3_bind_text(st, 5, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, at);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  st = db_cached(db, "INSERT INTO lottery_entry (draw_id, member_id, code, tickets) VALUES (?1, ?2, ?3, ?4) "
                 "ON CONFLICT (draw_id, member_id) DO UPDATE SET tickets = tickets + excluded.tickets");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, draw);
  sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, tickets);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

static int one_int(Db *db, sqlite3_stmt *st, gint64 *out)
{
  int rc = sqlite3_step(st);
  *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  (void)db;
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_lottery_entry_tickets(Db *db, gint64 draw, const char *member, gint64 *tickets)
{
  sqlite3_stmt *st = db_cached(db, "SELECT tickets FROM lottery_entry WHERE draw_id = ?1 AND member_id = ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, draw);
  sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
  return one_int(db, st, tickets);
}

int db_lottery_member_has_prize(Db *db, gint64 lottery, const char *member)
{
  sqlite3_stmt *st = db_cached(db, "SELECT count(*) FROM lottery_prize p JOIN lottery_draw d ON d.id = p.draw_id "
      "WHERE d.lottery_id = ?1 AND p.member_id = ?2 AND p.state IN ('won', 'claimed')");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, lottery);
  sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
  gint64 n = 0;
  int ret = one_int(db, st, &n);
  return ret < 0 ? ret : n > 0;
}

int db_lottery_entries_live(Db *db, gint64 draw, gint64 lottery, bool one_prize, GPtrArray **codes,
                            GPtrArray **members, GArray **tickets)
{
  *codes = g_ptr_array_new_with_free_func(g_free);
  *members = g_ptr_array_new_with_free_func(g_free);
  *tickets = g_array_new(FALSE, FALSE, sizeof(gint64));
  sqlite3_stmt *st = db_cached(db, "SELECT e.code, e.member_id, e.tickets FROM lottery_entry e "
      "JOIN member m ON m.id = e.member_id WHERE e.draw_id = ?1 AND m.disqualified = 0 AND m.disabled = 0 "
      "AND (?3 = 0 OR NOT EXISTS (SELECT 1 FROM lottery_prize p JOIN lottery_draw d ON d.id = p.draw_id "
      "WHERE d.lottery_id = ?2 AND p.member_id = e.member_id AND p.state IN ('won', 'claimed')))");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, draw);
  sqlite3_bind_int64(st, 2, lottery);
  sqlite3_bind_int(st, 3, one_prize);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    gint64 t = sqlite3_column_int64(st, 2);
    g_ptr_array_add(*codes, g_strdup(db_col_text(st, 0)));
    g_ptr_array_add(*members, g_strdup(db_col_text(st, 1)));
    g_array_append_val(*tickets, t);
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_lottery_entry_member(Db *db, gint64 draw, const char *code, char **member)
{
  sqlite3_stmt *st = db_cached(db, "SELECT member_id FROM lottery_entry WHERE draw_id = ?1 AND code = ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, draw);
  sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0)
    *member = g_strdup(db_col_text(st, 0));
  sqlite3_reset(st);
  return ret;
}

int db_lottery_pick_add(Db *db, gint64 draw, gint64 n, gint64 tier, const char *member,
                        const char *code)
{
  sqlite3_stmt *st = db_cached(db, "INSERT INTO lottery_pick (draw_id, n, tier_id, member_id, code) "
                               "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, draw);
  sqlite3_bind_int64(st, 2, n);
  if (tier > 0)
    sqlite3_bind_int64(st, 3, tier);
  sqlite3_bind_text(st, 4, member, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, code, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_lottery_prize_add(Db *db, gint64 draw, gint64 tier, gint64 slot, gint64 pick_n,
                         const char *member, gint64 code_id, gint64 at, gint64 *id)
{
  sqlite3_stmt *st = db_cached(db, "INSERT INTO lottery_prize (draw_id, tier_id, slot, pick_n, member_id, "
                               "code_id, assigned_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, draw);
  sqlite3_bind_int64(st, 2, tier);
  sqlite3_bind_int64(st, 3, slot);
  sqlite3_bind_int64(st, 4, pick_n);
  sqlite3_bind_text(st, 5, member, -1, SQLITE_STATIC);
  if (code_id > 0)
    sqlite3_bind_int64(st, 6, code_id);
  sqlite3_bind_int64(st, 7, at);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return db_errno(rc);
  if (id)
    *id = sqlite3_last_insert_rowid(db->conn);
  return 0;
}

int db_lottery_prize_get(Db *db, gint64 id, LotteryPrizeRow **out)
{
  sqlite3_stmt *st = db_cached(db, "SELECT id, draw_id, tier_id, slot, pick_n, coalesce(code_id, 0), "
                               "member_id, state FROM lottery_prize WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0) {
    LotteryPrizeRow *p = g_new0(LotteryPrizeRow, 1);
    p->id = sqlite3_column_int64(st, 0);
    p->draw_id = sqlite3_column_int64(st, 1);
    p->tier_id = sqlite3_column_int64(st, 2);
    p->slot = sqlite3_column_int64(st, 3);
    p->pick_n = sqlite3_column_int64(st, 4);
    p->code_id = sqlite3_column_int64(st, 5);
    p->member_id = g_strdup(db_col_text(st, 6));
    p->state = g_strdup(db_col_text(st, 7));
    *out = p;
  }
  sqlite3_reset(st);
  return ret;
}

void lottery_prize_row_free(LotteryPrizeRow **pp)
{
  LotteryPrizeRow *p = *pp;
  if (!p)
    return;
  g_free(p->member_id);
  g_free(p->state);
  g_free(p);
  *pp = NULL;
}

int db_lottery_prize_end(Db *db, gint64 id, const char *state, const char *reason, gint64 at)
{
  sqlite3_stmt *st = db_prepare(db, "UPDATE lottery_prize SET state = ?2, reason = ?3, ended_at = ?4 "
                                "WHERE id = ?1 AND state IN ('won', 'claimed')");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, at);
  return step_done(db, st, false);
}

int db_lottery_prize_claim(Db *db, gint64 id, const char *member, gint64 at)
{
  sqlite3_stmt *st = db_prepare(db, "UPDATE lottery_prize SET state = 'claimed', claimed_at = ?3 "
      "WHERE id = ?1 AND member_id = ?2 AND state = 'won' AND EXISTS (SELECT 1 FROM lottery_draw d "
      "WHERE d.id = lottery_prize.draw_id AND d.claim_deadline > ?3)");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, at);
  return step_done(db, st, false);
}

int db_lottery_prizes_unclaimed(Db *db, gint64 now, GArray **ids)
{
  *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  sqlite3_stmt *st = db_cached(db, "SELECT p.id FROM lottery_prize p JOIN lottery_draw d ON d.id = p.draw_id "
      "WHERE p.state = 'won' AND d.state = 'drawn' AND d.claim_deadline <= ?1 ORDER BY p.id");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, now);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(st, 0);
    g_array_append_val(*ids, id);
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_lottery_next_reserve(Db *db, gint64 draw, gint64 lottery, bool one_prize, gint64 *n,
                            char **member)
{
  /* "After every pick used so far": the reserve list is used strictly in its published
   * order, so a reserve skipped once (ineligible then) is not taken back later. */
  sqlite3_stmt *st = db_cached(db,
      "SELECT k.n, k.member_id FROM lottery_pick k JOIN member m ON m.id = k.member_id "
      "WHERE k.draw_id = ?1 AND k.tier_id IS NULL "
      "AND k.n > (SELECT coalesce(max(pick_n), 0) FROM lottery_prize WHERE draw_id = ?1) "
      "AND m.disqualified = 0 AND m.disabled = 0 "
      "AND NOT EXISTS (SELECT 1 FROM lottery_prize p WHERE p.draw_id = ?1 AND p.member_id = k.member_id "
      "  AND p.state IN ('disqualified', 'expired')) "
      "AND (?3 = 0 OR NOT EXISTS (SELECT 1 FROM lottery_prize p JOIN lottery_draw d ON d.id = p.draw_id "
      "  WHERE d.lottery_id = ?2 AND p.member_id = k.member_id AND p.state IN ('won', 'claimed'))) "
      "ORDER BY k.n LIMIT 1");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, draw);
  sqlite3_bind_int64(st, 2, lottery);
  sqlite3_bind_int(st, 3, one_prize);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0) {
    *n = sqlite3_column_int64(st, 0);
    *member = g_strdup(db_col_text(st, 1));
  }
  sqlite3_reset(st);
  return ret;
}

/* ---- JSON reads ---- */

static void add_time(JsonBuilder *b, const char *name, gint64 t)
{
  json_builder_set_member_name(b, name);
  if (t <= 0) {
    json_builder_add_null_value(b);
    return;
  }
  GDateTime *dt = g_date_time_new_from_unix_utc(t);
  char *s = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
  json_builder_add_string_value(b, s);
  g_free(s);
  g_date_time_unref(dt);
}

static void add_int(JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, v);
}

static void add_str(JsonBuilder *b, const char *name, const char *v)
{
  json_builder_set_member_name(b, name);
  if (v)
    json_builder_add_string_value(b, v);
  else
    json_builder_add_null_value(b);
}

static void lottery_members(JsonBuilder *b, const Lottery *l)
{
  add_int(b, "id", l->id);
  json_builder_set_member_name(b, "campaign_id");
  if (l->campaign_id > 0)
    json_builder_add_int_value(b, l->campaign_id);
  else
    json_builder_add_null_value(b);
  add_str(b, "title", l->title);
  add_str(b, "rules", l->rules);
  add_time(b, "opens_at", l->opens_at);
  add_time(b, "closes_at", l->closes_at);
  add_int(b, "points_per_ticket", l->points_per_ticket);
  add_int(b, "min_balance", l->min_balance);
  add_int(b, "max_tickets", l->max_tickets);
  json_builder_set_member_name(b, "one_prize_per_member");
  json_builder_add_boolean_value(b, l->one_prize_per_member);
  add_int(b, "reserve_percent", l->reserve_percent);
  add_int(b, "claim_days", l->claim_days);
}

JsonNode *lottery_json(const Lottery *l)
{
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  lottery_members(b, l);
  json_builder_end_object(b);
  JsonNode *n = json_builder_get_root(b);
  g_object_unref(b);
  return n;
}

JsonNode *db_lottery_list_json(Db *db, int *rc)
{
  sqlite3_stmt *st = db_cached(db, "SELECT id, title, opens_at, closes_at, campaign_id FROM lottery "
                               "ORDER BY opens_at DESC, id DESC LIMIT 200");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    add_int(b, "id", sqlite3_column_int64(st, 0));
    db_json_text(b, "title", st, 1);
    db_json_time(b, "opens_at", st, 2);
    db_json_time(b, "closes_at", st, 3);
    json_builder_set_member_name(b, "campaign_id");
    if (sqlite3_column_type(st, 4) == SQLITE_NULL)
      json_builder_add_null_value(b);
    else
      json_builder_add_int_value(b, sqlite3_column_int64(st, 4));
    json_builder_end_object(b);
  }
  sqlite3_reset(st);
  return db_json_array_done(b, step, rc);
}

/* The tiers of DRAW with stock; with WINNERS, the holders masked ("王*·…1a2b"). */
static int tiers_json(Db *db, JsonBuilder *b, gint64 draw, bool winners)
{
  sqlite3_stmt *st = db_cached(db, "SELECT t.id, t.position, t.name, t.quantity, t.value, "
      "(SELECT count(*) FROM lottery_code c WHERE c.tier_id = t.id) FROM lottery_tier t "
      "WHERE t.draw_id = ?1 ORDER BY t.position, t.id");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, draw);
  json_builder_set_member_name(b, "tiers");
  json_builder_begin_array(b);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(st, 0);
    json_builder_begin_object(b);
    add_int(b, "id", id);
    add_int(b, "position", sqlite3_column_int64(st, 1));
    db_json_text(b, "name", st, 2);
    add_int(b, "quantity", sqlite3_column_int64(st, 3));
    db_json_text(b, "value", st, 4);
    add_int(b, "codes", sqlite3_column_int64(st, 5));
    json_builder_end_object(b);
  }
  sqlite3_reset(st);
  json_builder_end_array(b);
  int ret = rc == SQLITE_DONE ? 0 : db_errno(rc);
  if (ret == 0 && winners) {
    st = db_cached(db, "SELECT t.name, p.slot, substr(m.display_name, 1, 1) || '*·…' || substr(k.code, -4), "
        "p.state, p.pick_n FROM lottery_prize p JOIN lottery_tier t ON t.id = p.tier_id "
        "JOIN member m ON m.id = p.member_id JOIN lottery_pick k ON k.draw_id = p.draw_id AND k.n = p.pick_n "
        "WHERE p.draw_id = ?1 AND p.state IN ('won', 'claimed') ORDER BY t.position, p.slot");
    if (!st)
      return -EIO;
    sqlite3_bind_int64(st, 1, draw);
    json_builder_set_member_name(b, "winners");
    json_builder_begin_array(b);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      json_builder_begin_object(b);
      db_json_text(b, "tier", st, 0);
      add_int(b, "slot", sqlite3_column_int64(st, 1));
      db_json_text(b, "winner", st, 2);
      db_json_text(b, "state", st, 3);
      add_int(b, "pick", sqlite3_column_int64(st, 4));
      json_builder_end_object(b);
    }
    sqlite3_reset(st);
    json_builder_end_array(b);
    ret = rc == SQLITE_DONE ? 0 : db_errno(rc);
  }
  return ret;
}

static void draw_members(JsonBuilder *b, const LotteryDrawRow *d)
{
  add_int(b, "id", d->id);
  add_time(b, "freeze_at", d->freeze_at);
  add_str(b, "state", d->state);
  add_time(b, "frozen_at", d->frozen_at);
  add_str(b, "entries_sha256", d->entries_sha256);
  json_builder_set_member_name(b, "entries");
  if (d->frozen_at > 0)
    json_builder_add_int_value(b, d->entries);
  else
    json_builder_add_null_value(b);
  json_builder_set_member_name(b, "tickets");
  if (d->frozen_at > 0)
    json_builder_add_int_value(b, d->tickets);
  else
    json_builder_add_null_value(b);
  add_time(b, "drawn_at", d->drawn_at);
  add_time(b, "claim_deadline", d->claim_deadline);
}

static int draw_ids(Db *db, gint64 lottery, GArray **ids)
{
  *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  sqlite3_stmt *st = db_cached(db, "SELECT id FROM lottery_draw WHERE lottery_id = ?1 ORDER BY freeze_at, id");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, lottery);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(st, 0);
    g_array_append_val(*ids, id);
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

static JsonNode *finish(JsonBuilder *b, int ret, int *rc)
{
  JsonNode *n = NULL;
  if (ret == 0)
    n = json_builder_get_root(b);
  g_object_unref(b);
  *rc = ret;
  return n;
}

JsonNode *db_lottery_public_json(Db *db, const Lottery *l, int *rc)
{
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  lottery_members(b, l);
  json_builder_set_member_name(b, "draws");
  json_builder_begin_array(b);
  GArray *ids = NULL;
  int ret = draw_ids(db, l->id, &ids);
  for (guint i = 0; ret == 0 && i < ids->len; i++) {
    LotteryDrawRow *d = NULL;
    ret = db_lottery_draw_get(db, g_array_index(ids, gint64, i), &d);
    if (ret < 0)
      break;
    json_builder_begin_object(b);
    draw_members(b, d);
    ret = tiers_json(db, b, d->id, strcmp(d->state, "drawn") == 0);
    json_builder_end_object(b);
    lottery_draw_row_free(&d);
  }
  g_array_unref(ids);
  json_builder_end_array(b);
  json_builder_end_object(b);
  return finish(b, ret, rc);
}

JsonNode *db_lottery_mine_json(Db *db, const Lottery *l, const char *member, int *rc)
{
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  add_int(b, "lottery", l->id);
  json_builder_set_member_name(b, "entries");
  json_builder_begin_array(b);
  sqlite3_stmt *st = db_cached(db, "SELECT e.draw_id, e.code, e.tickets FROM lottery_entry e "
      "JOIN lottery_draw d ON d.id = e.draw_id WHERE d.lottery_id = ?1 AND e.member_id = ?2 ORDER BY d.freeze_at, d.id");
  int ret = st ? 0 : -EIO, step = SQLITE_DONE;
  if (st) {
    sqlite3_bind_int64(st, 1, l->id);
    sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
      json_builder_begin_object(b);
      add_int(b, "draw", sqlite3_column_int64(st, 0));
      db_json_text(b, "code", st, 1);
      add_int(b, "tickets", sqlite3_column_int64(st, 2));
      json_builder_end_object(b);
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE)
      ret = db_errno(step);
  }
  json_builder_end_array(b);
  json_builder_set_member_name(b, "prizes");
  json_builder_begin_array(b);
  st = ret == 0 ? db_cached(db, "SELECT p.id, p.draw_id, t.name, t.value, p.state, c.code, d.claim_deadline, "
      "p.claimed_at, p.reason FROM lottery_prize p JOIN lottery_tier t ON t.id = p.tier_id "
      "JOIN lottery_draw d ON d.id = p.draw_id LEFT JOIN lottery_code c ON c.id = p.code_id "
      "WHERE d.lottery_id = ?1 AND p.member_id = ?2 ORDER BY p.id") : NULL;
  if (ret == 0 && !st)
    ret = -EIO;
  if (st) {
    sqlite3_bind_int64(st, 1, l->id);
    sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
      const char *state = db_col_text(st, 4);
      bool holds = strcmp(state, "won") == 0 || strcmp(state, "claimed") == 0;
      json_builder_begin_object(b);
      add_int(b, "id", sqlite3_column_int64(st, 0));
      add_int(b, "draw", sqlite3_column_int64(st, 1));
      db_json_text(b, "tier", st, 2);
      db_json_text(b, "value", st, 3);
      add_str(b, "state", state);
      /* A prize taken away no longer shows its code: it went to the next reserve. */
      add_str(b, "code", holds ? db_col_text(st, 5) : NULL);
      db_json_time(b, "claim_deadline", st, 6);
      db_json_time(b, "claimed_at", st, 7);
      db_json_text(b, "reason", st, 8);
      json_builder_end_object(b);
    }
    sqlite3_reset(st);
    if (step != SQLITE_DONE)
      ret = db_errno(step);
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
  return finish(b, ret, rc);
}

JsonNode *db_lottery_prizes_json(Db *db, gint64 draw, int *rc)
{
  sqlite3_stmt *st = db_cached(db, "SELECT p.id, t.name, p.slot, p.pick_n, p.member_id, m.display_name, "
      "k.code, c.code, p.state, p.reason, p.assigned_at, p.claimed_at, p.ended_at FROM lottery_prize p "
      "JOIN lottery_tier t ON t.id = p.tier_id JOIN member m ON m.id = p.member_id "
      "JOIN lottery_pick k ON k.draw_id = p.draw_id AND k.n = p.pick_n "
      "LEFT JOIN lottery_code c ON c.id = p.code_id WHERE p.draw_id = ?1 ORDER BY t.position, p.slot, p.id");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_int64(st, 1, draw);
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    add_int(b, "id", sqlite3_column_int64(st, 0));
    db_json_text(b, "tier", st, 1);
    add_int(b, "slot", sqlite3_column_int64(st, 2));
    add_int(b, "pick", sqlite3_column_int64(st, 3));
    db_json_text(b, "member_id", st, 4);
    db_json_text(b, "display_name", st, 5);
    db_json_text(b, "entry_code", st, 6);
    db_json_text(b, "code", st, 7);
    db_json_text(b, "state", st, 8);
    db_json_text(b, "reason", st, 9);
    db_json_time(b, "assigned_at", st, 10);
    db_json_time(b, "claimed_at", st, 11);
    db_json_time(b, "ended_at", st, 12);
    json_builder_end_object(b);
  }
  sqlite3_reset(st);
  return db_json_array_done(b, step, rc);
}
