/* vote_contest: a members' vote (网络投票) — its rules, window, items and life (draft → open →
 * closed). Service core: no sockets, no HTTP; the API and the CLI call it. */
#pragma once

#include "db/db.h"

#include <glib.h>
#include <stdbool.h>

/* The most items a contest holds. */
#define VOTE_ITEMS_MAX 200

typedef struct {
  gint64 id;            /* 0 until saved */
  char *title;
  char *description;
  char *time_zone;      /* IANA zone of "a day" for the daily limits */
  gint64 opens_at, closes_at;   /* voting in [opens_at, closes_at) while open */
  gint64 votes_per_day; /* votes a member may cast per day (one per item) */
  char *tally;          /* "live", "delayed" or "final": what the public sees before the end */
  gint64 tally_interval;/* seconds between the public snapshots of a "delayed" tally */
  char *state;          /* "draft", "open", "closed" */
  char *result;         /* the canonical final tally, once closed (vote_tally.h) */
  char *result_sha256;
  gint64 closed_at;
  char *created_by;
  gint64 created_at, updated_at;
} VoteContest;

typedef struct {
  char *kind;           /* "video", "article" (a published one, by number) or "submission" (accepted) */
  char *id;
  gint64 position;      /* 0..n-1 */
  char *title;          /* the video's, when read from the database (or NULL) */
  char *poster_url;     /* /hls/<id>/<poster> or /images/…, or NULL */
} VoteItem;

/* Checks C's fields: a title, a known zone, closes_at after opens_at, votes_per_day 1..1000,
 * a tally mode, an interval of 60..86400 s. Returns 0 or -EINVAL with *WHY (static text). */
int vote_contest_check(const VoteContest *c, const char **why);

/* Inserts C (id 0: sets c->id, state draft) or updates its rules. Returns 0, -ENOENT, or -EIO. */
int vote_contest_save(Db *db, VoteContest *c, gint64 now);

/* Contest ID. Returns 0 with *OUT (caller frees), -ENOENT or -EIO. */
int vote_contest_get(Db *db, gint64 id, VoteContest **out);

/* Every contest, newest first (ALL false: drafts left out), as VoteContest*. 0 or -EIO. */
int vote_contest_list(Db *db, bool all, GPtrArray **out);

/* The items of contest ID in order, as VoteItem* with their titles and posters. 0 or -EIO. */
int vote_contest_items(Db *db, gint64 id, GPtrArray **out);

/* Replaces the items of draft contest ID with ITEMS (positions renumbered in order). Each
 * must be a video not deleted, none twice. Returns 0, -EINVAL (*BAD: the index of a kind
 * that is not taken, or an item twice), -ENOENT (*BAD: an item that does not exist), -EIO. */
int vote_contest_set_items(Db *db, gint64 id, GPtrArray *items, guint *bad);

/* Opens draft contest C: -EALREADY when it is not a draft, -ENODATA without items, -ERANGE
 * when its window has already ended at NOW; else 0 (c->state updated) or -EIO. */
int vote_contest_open(Db *db, VoteContest *c, gint64 now);

/* Closes open contest C at NOW: voting ends, the final tally is counted from the log and
 * published with its SHA-256 (c->result, c->result_sha256). -EALREADY when not open. */
int vote_contest_close(Db *db, VoteContest *c, gint64 now);

/* Does C take votes at NOW (open and inside its window)? */
bool vote_contest_accepting(const VoteContest *c, gint64 now);

/* The calendar day (YYYY-MM-DD) of T in C's zone (caller frees). */
char *vote_contest_day(const VoteContest *c, gint64 t);

/* C as JSON: id, title, description, time_zone, opens_at, closes_at (ISO 8601),
 * votes_per_day, tally, tally_interval, state, closed_at. */
JsonNode *vote_contest_json(const VoteContest *c);

void vote_contest_free(VoteContest **c);
VoteItem *vote_item_new(const char *kind, const char *id);
void vote_item_free(VoteItem *it);
