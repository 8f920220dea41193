/* vote_points: points for voting (issue 21.4) by the open campaign's `vote` activity — paid once
 * per ballot, in the ballot's transaction, under the idempotency key "vote:<ballot>"; a ballot
 * invalidated later is taken back by a `correction` entry (the ledger is append-only) keyed
 * "vote-invalid:<ballot>". Refused votes store no ballot and pay nothing. Rules: docs/votes.md. */
#pragma once

#include "db/db.h"

#include <glib.h>

/* Pays MEMBER for BALLOT cast at NOW, inside the caller's transaction: the campaign open at
 * NOW, its `vote` rate within the activity's daily cap and the campaign's total cap, when
 * MEMBER may earn. *PAID what was paid (0: no campaign, no `vote` row, not allowed, a cap
 * reached, or paid already). Returns 0 or -errno (roll back). */
int vote_points_pay(Db *db, const char *member, gint64 ballot, gint64 now, gint64 *paid);

/* Takes back what BALLOT was paid, inside the caller's transaction: a correction entry of the
 * opposite amount by editor BY at NOW, once (a second call adds nothing). *TAKEN what was taken
 * back (0: the ballot earned nothing). Returns 0 or -errno (roll back). */
int vote_points_withdraw(Db *db, gint64 ballot, const char *by, gint64 now, gint64 *taken);
