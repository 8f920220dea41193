/* lottery_service: the points lottery's rules over the database — buying tickets from the
 * ledger, the freeze and its commitment, the atomic draw, and what happens after it
 * (claims, disqualification and expiry promoting the next reserve). No sockets. */
#pragma once

#include "db/db.h"
#include "db/db_lottery.h"

#include <glib.h>
#include <stdbool.h>

#define LOTTERY_SECONDS_PER_DAY 86400
#define LOTTERY_MAX_CODES_CSV (4 * 1024 * 1024) /* bytes of one codes import */

/* Who acts, for the audit log. */
typedef struct {
  const char *id;
  const char *name;
} LotteryActor;

typedef struct {
  gint64 draw;
  gint64 tickets;       /* this purchase */
  gint64 points;        /* what it cost */
  gint64 draw_tickets;  /* the member's tickets in the draw after it */
  gint64 balance;       /* the member's balance after it */
  char code[17];        /* the member's entry code */
  bool replay;          /* the same KEY was bought before: nothing new was spent */
} LotteryPurchase;

/* MEMBER buys TICKETS for lottery LOTTERY's next draw at NOW, paid with a ledger entry in the
 * same transaction. KEY (1-64 of [A-Za-z0-9_-], or NULL for a fresh one) makes a retry of the
 * same purchase answer what the first did. Returns 0 with *out, or -ENOENT (no such lottery),
 * -ETIME (outside the entry window, or no draw open for entries), -EPERM (not real-name
 * verified, disqualified or disabled), -EALREADY (already holds a prize and one prize per
 * member), -EDQUOT (over the most tickets per draw), -ERANGE (balance under the minimum or
 * under the price), -EINVAL (bad TICKETS or KEY), -EBUSY/-EIO. */
int lottery_purchase(Db *db, const guint8 *secret, gsize secret_len, gint64 lottery,
                     const char *member, gint64 tickets, const char *key, gint64 now,
                     LotteryPurchase *out);

/* Freezes draw DRAW at NOW: writes the canonical entry list and its SHA-256. With FORCE a
 * draw whose freeze time is later is frozen now (its freeze time moves to NOW). Returns 0,
 * -ENOENT, -EALREADY (not open), -EAGAIN (its freeze time is later and not FORCE), -EIO. */
int lottery_freeze(Db *db, gint64 draw, gint64 now, bool force, const LotteryActor *actor);

/* Freezes every open draw whose freeze time has passed at NOW; *count (may be NULL) gets how
 * many. Called before reads and draws, so the commitment exists as soon as anyone looks. */
int lottery_freeze_due(Db *db, gint64 now, int *count);

/* Runs the draw of frozen draw DRAW with public VALUES (N of them), all in one transaction:
 * the picks, the prizes with their redemption codes, the record, the audit entry — a crash
 * leaves no draw or a complete one. Returns 0 with *record (may be NULL; caller frees), or
 * -ENOENT, -EAGAIN (not frozen yet), -EALREADY (drawn), -EINVAL (bad values or no tiers), -EIO. */
int lottery_draw(Db *db, gint64 draw, char *const *values, size_t n, const LotteryActor *actor,
                 gint64 now, char **record);

/* Takes prize PRIZE away with REASON (audited) and gives it to the next reserve of the draw
 * in published order. *next gets the new prize's id, 0 when no reserve was left. Returns 0,
 * -ENOENT, -EALREADY (the prize was already taken away), -EINVAL (no reason), -EIO. */
int lottery_disqualify(Db *db, gint64 prize, const char *reason, const LotteryActor *actor,
                       gint64 now, gint64 *next);

/* The same for every prize unclaimed after its draw's claim deadline at NOW; *count gets how
 * many were passed on. */
int lottery_expire_unclaimed(Db *db, gint64 now, int *count);

/* Imports redemption codes for TIER from CSV (the first field of each line; a first line
 * "code" is a header; quotes and blanks trimmed). *added and *skipped (already there or
 * empty). Returns 0, -ENOENT (no tier), -EALREADY (its draw is drawn), -EINVAL, -EFBIG, -EIO. */
int lottery_codes_import(Db *db, gint64 tier, const char *csv, gsize len, gint64 now,
                         const LotteryActor *actor, gint64 *added, gint64 *skipped);
