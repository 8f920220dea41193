/* vote_signal: the signal report for editors — patterns that suggest stuffed votes (many
 * members from one address in a short time, bursts of votes from new members). It flags for
 * review and changes nothing: an editor decides, and invalidates with a reason. */
#pragma once

#include "db/db.h"

#include <json-glib/json-glib.h>

typedef struct {
  gint64 window;        /* seconds: ballots closer than this belong to one group */
  gint64 min_members;   /* a shared address is flagged from this many members in a group */
  gint64 new_age;       /* seconds: a member this young (at the vote) counts as new */
  gint64 min_new;       /* a burst of new members' ballots is flagged from this many */
} VoteSignalRules;

/* Defaults: 10 minutes, 5 members, 3 days, 20 ballots. */
#define VOTE_SIGNAL_RULES_DEFAULT { 600, 5, 259200, 20 }

/* The most ballot and member ids listed per flagged group (the counts are complete). */
#define VOTE_SIGNAL_LIST_MAX 200

/* The report on contest ID under RULES: {rules, shared_addresses: [group], new_member_bursts:
 * [group]}, each group {from, until, ballots, members, invalidated, ballot_ids, member_ids}
 * (shared addresses also {address}: the first 12 hex digits of its keyed hash — enough to tell
 * groups apart, nothing to recover the address from). A group is a run of ballots each within
 * WINDOW seconds of the one before (per address for the first list). Returns 0 with *OUT or -EIO. */
int vote_signal_report(Db *db, gint64 id, const VoteSignalRules *rules, JsonNode **out);
