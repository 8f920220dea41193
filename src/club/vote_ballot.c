/* vote_ballot: casting votes under the contest's rules and the abuse limits; invalidations. */
#include "club/vote_ballot.h"
#include "club/vote_points.h"

#include <errno.h>
#include <string.h>

const char *vote_refusal_code(VoteRefusal r)
{
  static const char *const codes[] = {"ok", "not_open", "not_verified", "disqualified", "no_item",
                                      "already_voted", "daily_limit", "rate_limited"};
  return (guint)r < G_N_ELEMENTS(codes) ? codes[r] : "refused";
}

/* What the limits store for WHO in SCOPE: a keyed hash, never the address itself. */
static char *subject(const guint8 key[TOKEN_SECRET_LEN], const char *scope, const char *who)
{
  g_autofree char *tagged = g_strconcat("vote:", scope, ":", who, NULL);
  return token_hash(key, tagged);
}

/* Requests of SUBJECT in SCOPE since SINCE: how many, and the oldest's time. */
static int attempts(Db *db, const char *scope, const char *subj, gint64 since, gint64 *count,
                    gint64 *oldest)
{
  sqlite3_stmt *st = db_cached(db, "SELECT count(*), min(at) FROM vote_attempt "
                               "WHERE scope = ?1 AND subject = ?2 AND at > ?3");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, subj, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, since);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *count = sqlite3_column_int64(st, 0);
    *oldest = sqlite3_column_int64(st, 1);
  }
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 0 : db_errno(rc);
}

/* Runs SQL with ?1, ?2 (when not NULL) and ?3 bound. */
static int exec1(Db *db, const char *sql, const char *t1, const char *t2, gint64 i3)
{
  sqlite3_stmt *st = db_cached(db, sql);
  if (!st)
    return -EIO;
  if (t1)
    sqlite3_bind_text(st, 1, t1, -1, SQLITE_STATIC);
  if (t2)
    sqlite3_bind_text(st, 2, t2, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, i3);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

/* The rate limits: refuses when MEMBER's or ADDRESS's requests in the window reached their
 * limit, else counts this request against both. Old rows and old address hashes go. */
static int rate(Db *db, const guint8 key[TOKEN_SECRET_LEN], const VoteLimits *lim, const VoteCast *v,
                const char *addr_hash, VoteRefusal *why, gint64 *retry_after)
{
  g_autofree char *mem = subject(key, "member", v->member->id);
  const char *scopes[2] = {"member", "address"};
  const char *subj[2] = {mem, addr_hash};
  gint64 limit[2] = {lim->member_rate, lim->address_rate};
  gint64 since = v->now - lim->rate_window;
  for (int i = 0; i < 2; i++) {
    gint64 count = 0, oldest = 0;
    if (!subj[i])
      continue;
    int ret = attempts(db, scopes[i], subj[i], since, &count, &oldest);
    if (ret < 0)
      return ret;
    if (count >= limit[i]) {
      *why = VOTE_RATE_LIMITED;
      *retry_after = MAX(*retry_after, MAX(1, oldest + lim->rate_window - v->now));
    }
  }
  if (*why != VOTE_OK)
    return 0;
  int ret = 0;
  for (int i = 0; ret == 0 && i < 2; i++)
    if (subj[i])
      ret = exec1(db, "INSERT INTO vote_attempt (scope, subject, at) VALUES (?1, ?2, ?3)",
                  scopes[i], subj[i], v->now);
  if (ret == 0)
    ret = exec1(db, "DELETE FROM vote_attempt WHERE at <= ?3", NULL, NULL, since);
  /* Addresses are kept only as long as the signal report looks back. */
  if (ret == 0)
    ret = exec1(db, "DELETE FROM vote_address WHERE at < ?3", NULL, NULL,
                v->now - lim->address_keep);
  return ret;
}

/* The checks after the limits: the contest, the member, the item, today's ballots. */
static int check(Db *db, const VoteCast *v, const char *day, VoteRefusal *why)
{
  if (!vote_contest_accepting(v->contest, v->now)) {
    *why = VOTE_NOT_OPEN;
    return 0;
  }
  if (!v->member->real_name_verified) {
    *why = VOTE_NOT_VERIFIED;
    return 0;
  }
  if (v->member->disqualified) {
    *why = VOTE_DISQUALIFIED;
    return 0;
  }
  sqlite3_stmt *st = db_cached(db, "SELECT 1 FROM vote_item WHERE contest_id = ?1 AND item_kind = ?2 "
                               "AND item_id = ?3");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, v->contest->id);
  sqlite3_bind_text(st, 2, v->kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, v->item, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc == SQLITE_DONE) {
    *why = VOTE_NO_ITEM;
    return 0;
  }
  if (rc != SQLITE_ROW)
    return db_errno(rc);
  st = db_cached(db, "SELECT count(*), count(*) FILTER (WHERE item_kind = ?4 AND item_id = ?5) "
                 "FROM vote_ballot WHERE contest_id = ?1 AND member_id = ?2 AND local_day = ?3");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, v->contest->id);
  sqlite3_bind_text(st, 2, v->member->id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, v->kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, v->item, -1, SQLITE_STATIC);
  rc = sqlite3_step(st);
  gint64 used = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  gint64 same = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
  sqlite3_reset(st);
  if (rc != SQLITE_ROW)
    return db_errno(rc);
  if (same)
    *why = VOTE_ALREADY;
  else if (used >= v->contest->votes_per_day)
    *why = VOTE_DAILY_LIMIT;
  return 0;
}

int vote_ballot_cast(Db *db, const guint8 key[TOKEN_SECRET_LEN], const VoteLimits *lim,
                     const VoteCast *v, VoteRefusal *why, gint64 *ballot, gint64 *retry_after)
{
  *why = VOTE_OK;
  *ballot = 0;
  *retry_after = 0;
  g_autofree char *addr = v->address && v->address[0] ? subject(key, "address", v->address) : NULL;
  g_autofree char *day = vote_contest_day(v->contest, v->now);
  int ret = db_begin(db);
  if (ret < 0)
    return ret;
  ret = rate(db, key, lim, v, addr, why, retry_after);
  if (ret == 0 && *why == VOTE_OK)
    ret = check(db, v, day, why);
  if (ret == 0 && *why == VOTE_OK) {
    sqlite3_stmt *st = db_cached(db, "INSERT INTO vote_ballot (contest_id, member_id, item_kind, "
                                 "item_id, local_day, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!st) {
      ret = -EIO;
    } else {
      sqlite3_bind_int64(st, 1, v->contest->id);
      sqlite3_bind_text(st, 2, v->member->id, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 3, v->kind, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 4, v->item, -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 5, day, -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 6, v->now);
      int rc = sqlite3_step(st);
      sqlite3_reset(st);
      /* The unique key is the last word: should a second request ever pass the count above
       * (another process writing the same file), the insert itself refuses it. */
      if (rc == SQLITE_CONSTRAINT_UNIQUE)  /* extended result codes are on (db_open) */
        *why = VOTE_ALREADY;
      else if (rc != SQLITE_DONE)
        ret = db_errno(rc);
      else
        *ballot = sqlite3_last_insert_rowid(db->conn);
    }
  }
  /* The campaign's `vote` activity pays in the same transaction: a ballot and its point are
   * stored together or not at all. */
  gint64 paid = 0;
  if (ret == 0 && *ballot)
    ret = vote_points_pay(db, v->member->id, *ballot, v->now, &paid);
  if (ret == 0 && *ballot && addr) {
    sqlite3_stmt *st = db_cached(db, "INSERT INTO vote_address (ballot_id, address_hash, at) "
                                 "VALUES (?1, ?2, ?3)");
    if (!st) {
      ret = -EIO;
    } else {
      sqlite3_bind_int64(st, 1, *ballot);
      sqlite3_bind_text(st, 2, addr, -1, SQLITE_STATIC);
      sqlite3_bind_int64(st, 3, v->now);
      int rc = sqlite3_step(st);
      sqlite3_reset(st);
      if (rc != SQLITE_DONE)
        ret = db_errno(rc);
    }
  }
  if (ret == 0)
    ret = db_commit(db);
  else
    db_rollback(db);
  if (ret < 0) {
    *why = VOTE_OK;
    *ballot = 0;
  }
  return ret;
}

int vote_ballot_today(Db *db, const VoteContest *c, const char *member, gint64 now,
                      gint64 *used, GPtrArray **items)
{
  g_autofree char *day = vote_contest_day(c, now);
  sqlite3_stmt *st = db_cached(db, "SELECT item_kind, item_id FROM vote_ballot "
                               "WHERE contest_id = ?1 AND member_id = ?2 AND local_day = ?3 ORDER BY id");
  if (!st)
    return -EIO;
  sqlite3_bind_int64(st, 1, c->id);
  sqlite3_bind_text(st, 2, member, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, day, -1, SQLITE_STATIC);
  GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    g_ptr_array_add(a, g_strconcat(db_col_text(st, 0), ":", db_col_text(st, 1), NULL));
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(a);
    return db_errno(rc);
  }
  *used = a->len;
  *items = a;
  return 0;
}

int vote_ballot_invalidate(Db *db, const VoteContest *c, const gint64 *ids, guint n,
                           const char *reason, const char *by, gint64 now, gint64 *marked, gint64 *bad)
{
  *marked = 0;
  if (strcmp(c->state, "closed") == 0)
    return -EALREADY;
  sqlite3_stmt *own = db_prepare(db, "SELECT 1 FROM vote_ballot WHERE id = ?1 AND contest_id = ?2");
  sqlite3_stmt *ins = db_prepare(db, "INSERT INTO vote_invalidation (ballot_id, reason, by_member, at) "
                                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (ballot_id) DO NOTHING");
  int ret = own && ins ? 0 : -EIO;
  for (guint i = 0; ret == 0 && i < n; i++) {
    sqlite3_reset(own);
    sqlite3_bind_int64(own, 1, ids[i]);
    sqlite3_bind_int64(own, 2, c->id);
    int rc = sqlite3_step(own);
    if (rc == SQLITE_DONE) {
      *bad = ids[i];
      ret = -ENOENT;
      break;
    }
    if (rc != SQLITE_ROW) {
      ret = db_errno(rc);
      break;
    }
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, ids[i]);
    sqlite3_bind_text(ins, 2, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 4, now);
    rc = sqlite3_step(ins);
    if (rc != SQLITE_DONE) {
      ret = db_errno(rc);
    } else if (sqlite3_changes(db->conn)) {
      /* Newly invalid: what it earned is taken back (a ballot marked before was already). */
      gint64 taken = 0;
      (*marked)++;
      ret = vote_points_withdraw(db, ids[i], by, now, &taken);
    }
  }
  sqlite3_finalize(own);
  sqlite3_finalize(ins);
  return ret;
}
