/* read_service: reading earns like watching (docs/articles.md "Reading earns"). A member's
 * reading session on an article is credited by the server's clock while the page says the
 * article is visible, up to the article's reading-time estimate; reaching half of it pays the
 * campaign's `read` rate once per member and article. No sockets: a ReadIo callback table
 * (http/ws_read.c puts it on /ws). */
#pragma once

#include "db/db.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

/* An interval between two reports longer than this credits nothing (the page reports every
 * READ_REPORT_SECONDS and at once on every change of visibility). */
#define READ_SILENCE_SECONDS 30
#define READ_REPORT_SECONDS 5

typedef struct ReadService ReadService;

/* Where a member stands with an article. */
typedef struct {
  gint64 article;
  bool earns;            /* a member (guests read, and earn nothing) */
  gint64 read_seconds;   /* the article's estimate */
  gint64 need;           /* seconds to be credited to earn (read_rule_need) */
  gint64 credited;       /* seconds credited so far (≤ read_seconds) */
  bool done;             /* NEED reached: read once, never paid again */
  gint64 points;         /* what reading it paid */
} ReadState;

typedef struct {
  void (*started)(void *user, guint64 conn, const ReadState *st);
  /* Report SEQ stored; EARNED points paid by it (0 mostly). */
  void (*ack)(void *user, guint64 conn, gint64 seq, const ReadState *st, gint64 earned);
  /* CODE from schemas/ws/error.schema.json (never fatal). */
  void (*error)(void *user, guint64 conn, const char *code, const char *message, gint64 seq);
  /* The session on CONN ended: superseded, switched or stopped. */
  void (*ended)(void *user, guint64 conn, gint64 article, const char *reason);
  /* MEMBER earned EARNED points; SUMMARY (consumed) is their points object. Optional. */
  void (*points)(void *user, const char *member, JsonNode *summary, gint64 earned);
  void *user;
} ReadIo;

/* ---- the rules, pure ---- */

/* Seconds to be credited before reading an article of READ_SECONDS earns: half the estimate
 * (rounded up), so a fast honest reader earns and a page that is only opened does not. */
gint64 read_rule_need(gint64 read_seconds);

/* Milliseconds credited for the interval of ELAPSED_MS (server clock) that followed a report
 * saying VISIBLE, to a reading with CREDITED_MS of READ_SECONDS: nothing after a hidden
 * report or over a silence longer than READ_SILENCE_SECONDS; never past the estimate. */
gint64 read_rule_credit_ms(bool visible, gint64 elapsed_ms, gint64 credited_ms, gint64 read_seconds);

/* Points for reading an article of READ_SECONDS at RATE points per started minute of the
 * estimate (at least one), within ITEM_CAP (-1: none). */
gint64 read_rule_points(gint64 rate, gint64 read_seconds, gint64 item_cap);

/* ---- the service ---- */

ReadService *read_service_new(Db *db, const ReadIo *io);
void read_service_free(ReadService **r);

/* Monotonic µs (tests drive it) and wall-clock seconds (the ledger's day and the campaign). */
void read_service_set_clock(ReadService *r, gint64 (*mono_us)(void *user), gint64 (*wall)(void *user),
                            void *user);

/* read.start on CONN of MEMBER (NULL: a guest) for ARTICLE: ends the connection's session
 * (switched) and the member's session elsewhere (superseded: two tabs never read at once),
 * then started() or error(not_found). A start credits nothing. */
void read_service_start(ReadService *r, guint64 conn, const char *member, gint64 article, bool visible);

/* read.beat (STOP false) or read.stop on CONN: credits the interval since the last report by
 * the server's clock, stores it and pays once NEED is reached, then ack() (and ended() for a
 * stop). Refusals: no_session (no session on ARTICLE), stale (SEQ not above the last one),
 * not_saved (the database failed). */
void read_service_report(ReadService *r, guint64 conn, gint64 article, gint64 seq, bool visible, bool stop);

/* Connection CONN is gone: its session ends without a word. */
void read_service_conn_closed(ReadService *r, guint64 conn);
