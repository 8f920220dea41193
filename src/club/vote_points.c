/* vote_points: a ballot's point, and taking it back when the ballot is invalidated. */
#include "club/vote_points.h"
#include "db/db_points.h"
#include "points/points.h"

#include <errno.h>

int vote_points_pay(Db *db, const char *member, gint64 ballot, gint64 now, gint64 *paid)
{
  *paid = 0;
  Campaign *k = NULL;
  int ret = db_campaign_active(db, now, &k);
  if (ret == -ENOENT)
    return 0;
  if (ret < 0)
    return ret;
  bool may = false;
  gint64 allowed = 0;
  g_autofree char *day = points_local_day(k, now);
  if (k->act[ACT_VOTE].on && k->act[ACT_VOTE].rate > 0)
    ret = points_may_earn(db, member, &may);
  if (ret == 0 && may)
    ret = points_allowed(db, k, ACT_VOTE, member, day, k->act[ACT_VOTE].rate, &allowed);
  if (ret == 0 && may && allowed > 0) {
    g_autofree char *ikey = g_strdup_printf("vote:%" G_GINT64_FORMAT, ballot);
    g_autofree char *note = g_strdup_printf("ballot %" G_GINT64_FORMAT, ballot);
    LedgerEntry e = { .member_id = member, .amount = allowed, .reason = "vote", .campaign_id = k->id,
                      .local_day = day, .key = ikey, .note = note, .at = now };
    ret = db_ledger_add(db, &e);
    if (ret == 0)
      *paid = allowed;
    else if (ret == -EEXIST)
      ret = 0;
  }
  campaign_free(&k);
  return ret;
}

int vote_points_withdraw(Db *db, gint64 ballot, const char *by, gint64 now, gint64 *taken)
{
  *taken = 0;
  g_autofree char *ikey = g_strdup_printf("vote:%" G_GINT64_FORMAT, ballot);
  sqlite3_stmt *st = db_cached(db, "SELECT member_id, amount FROM points_ledger WHERE idempotency_key = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, ikey, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  g_autofree char *member = rc == SQLITE_ROW ? g_strdup(db_col_text(st, 0)) : NULL;
  gint64 amount = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
  sqlite3_reset(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return db_errno(rc);
  if (!member || amount <= 0)
    return 0;
  /* A correction belongs to no campaign and no day: the day's vote cap the ballot used stays
   * used (it was cast), only the balance goes back. */
  g_autofree char *ckey = g_strdup_printf("vote-invalid:%" G_GINT64_FORMAT, ballot);
  g_autofree char *note = g_strdup_printf("ballot %" G_GINT64_FORMAT " invalidated", ballot);
  LedgerEntry e = { .member_id = member, .amount = -amount, .reason = "correction", .key = ckey,
                    .note = note, .created_by = by, .at = now };
  int ret = db_ledger_add(db, &e);
  if (ret == 0)
    *taken = amount;
  return ret == -EEXIST ? 0 : ret;
}
