/* vote_ballot: casting a vote — who may, how often, once per item and day — and editors'
 * invalidations. Every check and the insert run in one transaction, so the daily limit and the
 * one-per-item rule hold when the same member votes twice at once. */
#pragma once

#include "auth/token.h"
#include "club/vote_contest.h"
#include "db/db.h"
#include "db/db_member.h"

typedef struct {
  gint64 member_rate;   /* voting requests a member may make per window */
  gint64 address_rate;  /* voting requests one client address may make per window */
  gint64 rate_window;   /* seconds */
  gint64 address_keep;  /* seconds a ballot's address hash is kept for the signal report */
} VoteLimits;

typedef enum {
  VOTE_OK = 0,
  VOTE_NOT_OPEN,        /* the contest does not take votes now */
  VOTE_NOT_VERIFIED,    /* the member is not real-name verified */
  VOTE_DISQUALIFIED,
  VOTE_NO_ITEM,         /* not an item of this contest */
  VOTE_ALREADY,         /* this member voted for this item today */
  VOTE_DAILY_LIMIT,     /* this member has used today's votes */
  VOTE_RATE_LIMITED,    /* too many requests from this member or address */
} VoteRefusal;

/* A stable code for R ("ok", "not_open", "not_verified", "disqualified", "no_item",
 * "already_voted", "daily_limit", "rate_limited"). */
const char *vote_refusal_code(VoteRefusal r);

typedef struct {
  const VoteContest *contest;
  const Member *member;
  const char *kind, *item;
  const char *address;  /* the client's address (hashed before it is stored), or NULL */
  gint64 now;
} VoteCast;

/* Casts V in a transaction of its own (BEGIN IMMEDIATE … COMMIT), paying the open campaign's
 * `vote` activity for a ballot cast (vote_points.h). Returns 0 with *WHY (VOTE_OK
 * and *BALLOT, or the refusal; *RETRY_AFTER seconds for VOTE_RATE_LIMITED), or -errno when the
 * database failed (nothing stored). A request that passes the rate limits is counted against
 * them even when refused otherwise. KEY hashes addresses and members for the limits. */
int vote_ballot_cast(Db *db, const guint8 key[TOKEN_SECRET_LEN], const VoteLimits *lim,
                     const VoteCast *v, VoteRefusal *why, gint64 *ballot, gint64 *retry_after);

/* MEMBER's ballots in contest C on the day of NOW: how many (*USED, invalidated ones included:
 * they were cast) and for which items ("kind:id" strings in *ITEMS, caller unrefs). 0 or -EIO. */
int vote_ballot_today(Db *db, const VoteContest *c, const char *member, gint64 now,
                      gint64 *used, GPtrArray **items);

/* Marks ballots IDS (N of them) of contest C invalid with REASON by editor BY at NOW, inside the
 * caller's transaction, taking back what each newly invalid ballot earned (a correction).
 * Ballots already invalid stay as they were. Returns 0 with *MARKED (how
 * many were marked now), -EALREADY (C is closed: its result is published), -ENOENT with *BAD
 * (an id that is not a ballot of C), or -EIO. */
int vote_ballot_invalidate(Db *db, const VoteContest *c, const gint64 *ids, guint n,
                           const char *reason, const char *by, gint64 now, gint64 *marked, gint64 *bad);
