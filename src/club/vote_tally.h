/* vote_tally: counting a contest's ballots from the log — counts, ranks, what was invalidated —
 * and the canonical text of a tally whose SHA-256 is published with the final result. */
#pragma once

#include "club/vote_contest.h"
#include "db/db.h"

#include <glib.h>

typedef struct {
  char *kind, *id;
  gint64 position;
  gint64 votes;         /* valid ballots */
  gint64 invalidated;   /* ballots an editor invalidated */
  gint64 rank;          /* 1 for the most votes; equal votes share a rank (1, 2, 2, 4) */
} VoteCount;

typedef struct {
  gint64 contest_id;
  gint64 ballots;       /* every ballot cast (valid + invalidated) */
  gint64 valid;
  gint64 invalidated;
  GPtrArray *items;     /* VoteCount*, by rank, then the contest's order */
} VoteTally;

/* Counts contest ID's ballots cast before BEFORE (0: all of them), every item of the contest
 * included (with 0 votes). Returns 0 with *OUT or -EIO. */
int vote_tally_count(Db *db, gint64 id, gint64 before, VoteTally **out);

/* The canonical text of T (docs/votes.md): ASCII lines, each ended by "\n":
 *   lectern-vote-result 1
 *   contest <id>
 *   ballots <n>
 *   valid <n>
 *   invalidated <n>
 *   item <kind>:<id> votes <n> invalidated <n> rank <r>     (one per item, in T's order)
 * Caller frees. */
char *vote_tally_canonical(const VoteTally *t);

/* Reads TEXT written by vote_tally_canonical back. Returns 0 with *OUT or -EINVAL. */
int vote_tally_parse(const char *text, VoteTally **out);

/* SHA-256 of TEXT's bytes, lowercase hex (caller frees). */
char *vote_tally_sha256(const char *text);

/* T as JSON: {ballots, valid, invalidated, items: [{kind, id, votes, invalidated, rank}]}. */
JsonNode *vote_tally_json(const VoteTally *t);

/* What the public may see of C's tally at NOW: returns true with *AS_OF (the moment counted up
 * to: NOW for a live tally, the last snapshot boundary for a delayed one) while the contest
 * runs, false when its rules hide the tally until the end (final) or it is a draft. A closed
 * contest shows its published result (not this). */
bool vote_tally_public_as_of(const VoteContest *c, gint64 now, gint64 *as_of);

/* Recounts contest C from the log as it stands: *CANONICAL and *SHA256 (caller frees) of every
 * ballot, and *MATCH: whether they equal C's published result (false while C is not closed).
 * Returns 0 or -EIO. */
int vote_tally_recount(Db *db, const VoteContest *c, char **canonical, char **sha256, bool *match);

void vote_tally_free(VoteTally **t);
