/* watch_service: the watch-time service core — sessions, accounting, the commit queue (group
 * commit, acknowledged only once stored), supersede, the silence sweep and live viewer counts.
 * No sockets and no message encoding: what it has to say goes out through a WatchIo callback
 * table (http/ws_watch.c puts it on /ws). Rules: docs/points.md. */
#pragma once

#include "core/config.h"
#include "db/db.h"
#include "points/points.h"
#include "points/watch_clock.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

typedef struct WatchService WatchService;

/* What the service tells players. CONN is the transport's connection id; a connection the
 * transport no longer knows is ignored by it. Every callback but member_online is required. */
typedef struct {
  /* watch.start accepted: session SESSION on VIDEO, the resume position (-1: none) and the
   * member's credited seconds on it, VIEWERS watching it now. */
  void (*started)(void *user, guint64 conn, const char *session, const char *video, bool live,
                  double resume, gint64 credited, int viewers);
  /* Report SEQ of CONN is stored (sent only after the commit holds). */
  void (*ack)(void *user, guint64 conn, gint64 seq, const WatchOutcome *outcome);
  /* A request refused or a report not stored: CODE from schemas/ws/error.schema.json (never
   * fatal), SEQ the report's (0: none). */
  void (*error)(void *user, guint64 conn, const char *code, const char *message, gint64 seq);
  /* The session on CONN ended for REASON (switched, superseded, timeout, stopped). */
  void (*ended)(void *user, guint64 conn, const char *session, const char *reason);
  /* MEMBER earned EARNED points; SUMMARY (consumed) is their points object for every one of
   * their connections. */
  void (*points)(void *user, const char *member, JsonNode *summary, gint64 earned);
  /* The live VIDEO has VIEWERS players; tell the N connections CONNS (the group watching it). */
  void (*viewers)(void *user, const char *video, int viewers, const guint64 *conns, guint n);
  /* Optional: whether MEMBER has a connection (no points summary is read for nobody). */
  bool (*member_online)(void *user, const char *member);
  void *user;
} WatchIo;

/* The service on DB (the caller keeps it open until watch_service_free), telling players
 * through IO (copied). Commit, sweep and viewer timers run on the default main context. */
WatchService *watch_service_new(Db *db, const Config *config, const WatchIo *io);

/* Commits what is queued, ends every session and frees W; accepts NULL and clears *W. */
void watch_service_free(WatchService **w);

/* The monotonic clock in µs the service reads (g_get_monotonic_time by default); tests pass
 * their own to drive the 30 s silence and the credit without waiting. */
void watch_service_set_clock(WatchService *w, gint64 (*now_us)(void *user), void *user);

/* watch.start on connection CONN of MEMBER (NULL: a guest) for VIDEO at REPORT's position:
 * ends the connection's session (switched) and the member's other one (superseded), then
 * tells started() or error() (not_found, unavailable, position_out_of_range). */
void watch_service_start(WatchService *w, guint64 conn, const char *member, const char *video,
                         const WatchReport *report);

/* A heartbeat (STOP false) or watch.stop on CONN for VIDEO: accounted now with the server's
 * clock and queued; ack() follows the commit. Refusals: no_session, stale, position_out_of_range. */
void watch_service_report(WatchService *w, guint64 conn, const char *video, const WatchReport *report,
                          bool stop);

/* Connection CONN is gone: its session ends (disconnected) without a word to it. */
void watch_service_conn_closed(WatchService *w, guint64 conn);

/* Stores the queue now in one transaction, then acknowledges (or refuses, not_saved) each
 * report and pushes points. The commit timer calls this; so may tests. */
void watch_service_commit(WatchService *w);

/* Ends sessions silent for longer than WATCH_SILENCE_SECONDS (timeout) and forgets videos
 * nothing refers to. Runs every 5 s. */
void watch_service_sweep(WatchService *w);

/* Tells the players of each live whose count changed how many watch it (at most every
 * watch_viewers_interval seconds, three times that above 5,000). Runs every second. */
void watch_service_push_viewers(WatchService *w);

/* Players watching VIDEO now (0 when none). */
int watch_service_viewers(WatchService *w, const char *video);

/* MEMBER's points object for the welcome message (NULL on failure). */
JsonNode *watch_service_points_summary(WatchService *w, const char *member);
