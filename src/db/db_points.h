/* db_points: campaigns (the points rules) and the append-only points ledger. */
#pragma once

#include "db/db.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

/* The activities a campaign may pay for (campaign_activity.activity, migration 0015). */
typedef enum {
  ACT_WATCH,       /* rate: points per full credited minute; item_cap: per video */
  ACT_LIVE_BONUS,  /* rate: points once per live attended for `minutes` while on air */
  ACT_QUIZ,        /* rate: points per correct answer; `questions` a day, `seconds` each */
  ACT_READ,        /* reserved: articles (issue 20 items 1-2) */
  ACT_VOTE,        /* rate: points per ballot cast (club/vote_points.c) */
  ACT_QUESTION,    /* reserved: a question approved */
  ACT_COUNT
} ActivityKind;

/* "watch", "live_bonus", … (also the ledger's reason for that activity's entries). */
const char *activity_name(ActivityKind a);
/* The kind named NAME, or -1. */
int activity_from_name(const char *name);

/* One row of a campaign's table of activities. */
typedef struct {
  bool on;            /* the campaign has the row; without it the activity earns nothing */
  gint64 rate;
  gint64 daily_cap;   /* -1: none */
  gint64 item_cap;    /* -1: none */
  gint64 minutes;     /* live bonus: minutes attended */
  gint64 questions;   /* quiz: questions a day */
  gint64 seconds;     /* quiz: seconds per question */
} CampaignActivity;

/* A campaign: while it is open, verified members earn points by its table of activities. */
typedef struct {
  gint64 id;
  char *name;
  char *starts_on, *ends_on; /* "YYYY-MM-DD", whole days in time_zone */
  char *time_zone;           /* an IANA zone, default Asia/Shanghai */
  gint64 starts_at, ends_at; /* the same window in Unix seconds: [starts_at, ends_at) */
  gint64 daily_total_cap;    /* most points a member earns a day across activities; -1: none */
  CampaignActivity act[ACT_COUNT];
} Campaign;

/* A campaign's default table (a new campaign): watch 1 a minute, live bonus 0 after 30
 * minutes, no caps; the others off. */
void campaign_defaults(Campaign *c);

/* The campaign open at NOW. Returns 0 with *out, -ENOENT when none is, or -EIO. */
int db_campaign_active(Db *db, gint64 now, Campaign **out);

/* Campaign ID. Returns 0 with *out, -ENOENT, or -EIO. */
int db_campaign_get(Db *db, gint64 id, Campaign **out);

/* Inserts C (when c->id is 0; the new id is set) or updates campaign c->id. Returns 0,
 * -ENOENT (no such id), -EEXIST (its window overlaps another campaign's), -EINVAL (a
 * CHECK failed), or -EIO. */
int db_campaign_save(Db *db, Campaign *c);

/* Inserts or replaces C's activity rows (the ones on) and removes the others. Inside the
 * caller's transaction (db_campaign_save calls it). Returns 0, -EINVAL or -EIO. */
int db_campaign_activities_save(Db *db, const Campaign *c);

/* Every campaign, newest window first, as a JSON array; NULL with *rc on failure. */
JsonNode *db_campaign_list_json(Db *db, int *rc);

JsonNode *campaign_json(const Campaign *c);
void campaign_free(Campaign **c);

/* One ledger entry. CAMPAIGN_ID 0, VIDEO_ID/LOCAL_DAY/CREATED_BY NULL when not relevant. */
typedef struct {
  const char *member_id;
  gint64 amount;
  const char *reason;  /* an activity's name, or "correction" */
  const char *video_id;
  gint64 campaign_id;
  const char *local_day;
  const char *key;     /* idempotency key: the event that earned it */
  const char *note;
  const char *created_by;
  gint64 at;
} LedgerEntry;

/* Appends E. Returns 0, -EEXIST when its key was used before (nothing is added), or -EIO. */
int db_ledger_add(Db *db, const LedgerEntry *e);

/* The sum of MEMBER's entries, narrowed by VIDEO, CAMPAIGN (> 0), DAY and REASON when
 * those are given. Returns 0 with *out, or -EIO. */
int db_ledger_sum(Db *db, const char *member, const char *video, gint64 campaign,
                  const char *day, const char *reason, gint64 *out);

/* MEMBER's entries, newest first: at most LIMIT, with ids below BEFORE (0: from the
 * newest). A JSON array; NULL with *rc on failure. */
JsonNode *db_ledger_history_json(Db *db, const char *member, int limit, gint64 before, int *rc);

/* The history's SQL, from the newest or (BEFORE) from an id: exposed so a test can check
 * that a page is an index range, however far back. */
const char *db_ledger_history_sql(bool before);

/* Who earned what in CAMPAIGN: one entry per member with points from it (watch and live
 * bonus; corrections belong to no campaign), most points first, at most LIMIT from OFFSET:
 * {member_id, display_name, points, watch_points, live_bonus_points, entries, last_at}.
 * *MEMBERS and *POINTS get the totals over every member. NULL with *rc on failure. */
JsonNode *db_campaign_earners_json(Db *db, gint64 campaign, gint64 limit, gint64 offset,
                                   gint64 *members, gint64 *points, int *rc);

/* ---- aggregates (migration 0008) -------------------------------------------------------
 * Kept by a trigger in the statement that appends each ledger entry; the ledger stays the
 * source of truth. */

/* MEMBER's balance (the sum of all their entries) from the aggregate: one row read,
 * however long the history. 0 for a member with no entries. Returns 0 or -EIO. */
int db_points_balance(Db *db, const char *member, gint64 *balance);

/* MEMBER's points on calendar day DAY of CAMPAIGN (the ledger's local_day, in the
 * campaign's zone): every entry's (*POINTS) and the watch entries' (*WATCH, what the daily
 * cap counts; may be NULL). 0 when none. Returns 0 or -EIO. */
int db_points_day(Db *db, const char *member, gint64 campaign, const char *day, gint64 *points,
                  gint64 *watch);

/* MEMBER's points on DAY of CAMPAIGN from the entries with REASON (an activity's name), read
 * from the ledger's (member, campaign, day) index. Returns 0 with *out, or -EIO. */
int db_points_day_reason(Db *db, const char *member, gint64 campaign, const char *day,
                         const char *reason, gint64 *out);

/* Recomputes the aggregates from the whole ledger and compares: a JSON array in *DIFF of
 * every difference, {table: "points_balance"|"points_day", member_id, campaign_id?, day?,
 * field, ledger, aggregate} (at most LIMIT of them; *COUNT has them all), and in *MEMBERS
 * and *DAYS how many aggregate rows the ledger implies. Reads only (a missing or extra row
 * counts as 0 on its side). Returns 0 (look at *COUNT) or -EIO. */
int db_points_check(Db *db, int limit, JsonNode **diff, gint64 *count, gint64 *members,
                    gint64 *days);
