/* db_watch: watch sessions, members' progress per video, and viewing statistics. */
#pragma once

#include "db/db.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

/* The largest stored map of credited seconds: one bit a second for 24 hours. */
#define DB_WATCH_SECONDS_MAX_BYTES (24u * 3600u / 8u)

/* A member's progress on one video (table watch_progress). */
typedef struct {
  bool exists;           /* false: never watched (the other fields are zero) */
  guint8 *seconds;       /* credited seconds: the stored bitmap (points/seconds_map.h), owned */
  size_t seconds_len;    /* its length in bytes, at most DB_WATCH_SECONDS_MAX_BYTES */
  gint64 credited;       /* seconds in the map */
  gint64 earned_seconds; /* credited while points could be earned */
  gint64 live_seconds;   /* credited while the video was on air */
  double played_seconds; /* all playing time, repeats included */
  double position;       /* where to resume */
  bool viewed;           /* has had a counted view */
} WatchProgress;

/* Loads MEMBER's progress on VIDEO into *P (cleared first; exists false when none).
 * Returns 0, -EIO, or -EINVAL for a stored map over the maximum (P is then cleared). */
int db_watch_progress_get(Db *db, const char *member, const char *video, WatchProgress *p);

/* Stores P as MEMBER's progress on VIDEO at NOW. Returns 0 or -errno. */
int db_watch_progress_put(Db *db, const char *member, const char *video, const WatchProgress *p,
                          gint64 now);

void watch_progress_clear(WatchProgress *p);

/* One watch session's row (table watch_session); ENDED_AT 0 while it lasts. */
typedef struct {
  const char *id, *video_id, *member_id; /* member NULL: a guest */
  gint64 started_at, last_seen_at, ended_at;
  const char *end_reason;
  double played_seconds;
  gint64 credited_seconds;
  bool counted_view;
} WatchSessionRow;

/* Inserts or replaces the session's row. Returns 0 or -errno. */
int db_watch_session_put(Db *db, const WatchSessionRow *s);

/* Adds to VIDEO's statistics. Returns 0 or -errno. */
int db_watch_stats_add(Db *db, const char *video, int views, int guest_views, int unique_viewers,
                       double watch_seconds);

/* Raises VIDEO's peak concurrent viewers to CONCURRENT (at AT) when higher. */
int db_watch_stats_peak(Db *db, const char *video, int concurrent, gint64 at);

/* Counts one more viewer of VIDEO's 10 s bucket BUCKET. */
int db_watch_retention_add(Db *db, const char *video, guint bucket);

/* Editors' statistics for VIDEO (views, unique viewers, watch time, peak, retention with
 * one entry per 10 s of the video's duration, or as far as anyone watched when it has none
 * yet). NULL with *rc on failure. */
JsonNode *db_watch_stats_json(Db *db, const char *video, int *rc);

/* MEMBER's watch history, most recent first (at most LIMIT), with the video's title,
 * duration, resume position and seconds credited. NULL with *rc on failure. */
JsonNode *db_watch_history_json(Db *db, const char *member, int limit, int *rc);

/* What the watch service needs of a video a player asks for. */
typedef struct {
  bool live;              /* on air now */
  double duration;        /* seconds (0 unknown) */
  gint64 live_started_at; /* when it first went on air (lives), Unix seconds */
} WatchVideo;

/* VIDEO as far as watching goes. Returns 0 with *out, -ENOENT when there is no such video
 * or viewers may not see it (a draft, not yet published), or -EIO. */
int db_watch_video(Db *db, const char *video, gint64 now, WatchVideo *out);

/* Players watching VIDEO now, as far as the database knows: sessions not ended that
 * reported at or after SINCE (Unix seconds). For the home page's live; the watch service's
 * own count (live.viewers) is exact. Returns 0 with *OUT, or -EIO. */
int db_watch_viewers_now(Db *db, const char *video, gint64 since, int *out);
/* VIDEO's counted views per calendar day in zone TZ: every day from the first with a view
 * to the last (zeros included, at most the last DB_WATCH_DAYS_MAX), as a JSON array of
 * {day: "YYYY-MM-DD", views}. NULL with *rc on failure. */
#define DB_WATCH_DAYS_MAX 366
JsonNode *db_watch_views_per_day_json(Db *db, const char *video, GTimeZone *tz, int *rc);

/* Concurrent viewers across VIDEO's live, from its watch sessions: the most at once in each
 * STEP seconds (10 s, longer for lives over an hour: at most DB_WATCH_LIVE_POINTS points)
 * from the first time it went on air to the last time it went off (NOW while on air), as
 * {started_at, ended_at, step, points: [{at, viewers}]}; a JSON null when the video never
 * was on air. NULL with *rc on failure. */
#define DB_WATCH_LIVE_POINTS 360
JsonNode *db_watch_live_viewers_json(Db *db, const char *video, gint64 now, int *rc);
