/* points: turns credited watch time into progress, statistics and ledger entries by the
 * open campaign's rules (docs/points.md). */
#pragma once

#include "db/db.h"
#include "db/db_points.h"
#include "points/seconds_map.h"
#include "points/watch_clock.h"

#include <glib.h>
#include <stdbool.h>

/* A view counts once a session has played this long. */
#define POINTS_VIEW_SECONDS 10
/* Retention buckets are this many seconds of the video. */
#define POINTS_BUCKET_SECONDS 10

/* One accounted report of a watch session, to be stored. */
typedef struct {
  const char *session_id;
  const char *video_id;
  const char *member_id;       /* NULL: a guest (earns nothing; no progress is kept) */
  SecondsMap *guest_seconds;   /* a guest's credited seconds, kept by the session */
  WatchSpan span;
  double position;
  bool live;                   /* the video is on air */
  gint64 now;                  /* wall clock, Unix seconds */
  gint64 started_at;           /* the session's start (wall clock) */
  double session_played;       /* in/out: the session's playing time */
  gint64 session_credited;     /* in/out: seconds the session credited */
  bool counted_view;           /* in/out: the session's view is counted */
  const char *end_reason;      /* non-NULL: the session ends with this */
} WatchCredit;

typedef struct {
  unsigned new_seconds;   /* seconds credited by this report */
  gint64 video_credited;  /* the member's credited seconds on the video */
  gint64 points;          /* points this report earned */
} WatchOutcome;

/* Stores credit C inside the caller's transaction: the session row, the member's progress
 * (credited seconds, resume position), views, retention and watch time, and ledger
 * entries under CAMPAIGN (NULL: none is open) when the member is real-name verified and
 * neither disabled nor disqualified. Returns 0 with *OUT, or -errno (roll back). */
int points_apply(Db *db, const Campaign *campaign, WatchCredit *c, WatchOutcome *out);

/* May MEMBER earn points: real-name verified, not disabled, not disqualified? Returns 0
 * with *out, or -errno. */
int points_may_earn(Db *db, const char *member, bool *out);

/* How much of WANT points MEMBER may still earn by ACTIVITY on DAY of campaign K: within the
 * activity's daily cap and the campaign's total daily cap (0 when the campaign has no row for
 * it). Returns 0 with *allowed, or -errno. */
int points_allowed(Db *db, const Campaign *k, ActivityKind activity, const char *member,
                   const char *day, gint64 want, gint64 *allowed);

/* CAMPAIGN's calendar day holding Unix time T, "YYYY-MM-DD". Caller frees. */
char *points_local_day(const Campaign *campaign, gint64 t);

/* The calendar day in zone TZ holding Unix time T, "YYYY-MM-DD"; "1970-01-01" when TZ is NULL
 * or T is out of range. What counts as a campaign's or contest's day; callers pick the zone
 * (and what an unknown one falls back to). Caller frees. */
char *points_zone_day(GTimeZone *tz, gint64 t);

/* The window of whole days STARTS_ON..ENDS_ON ("YYYY-MM-DD") in time zone TZ as Unix
 * seconds [*starts_at, *ends_at). Returns 0, or -EINVAL for a bad date, an unknown zone or
 * an end before the start. */
int points_window(const char *tz, const char *starts_on, const char *ends_on, gint64 *starts_at,
                  gint64 *ends_at);

/* MEMBER's balance and today's earnings under CAMPAIGN (NULL: none open) at NOW, as the
 * members' "points" object: {balance, today: {date, points, cap}, campaign}. NULL with
 * *rc on failure. */
JsonNode *points_summary_json(Db *db, const Campaign *campaign, const char *member, gint64 now,
                              int *rc);
