/* watch_clock: how much of a player's report can be credited, by the server's clock alone.
 *
 * A player reports its position about every 10 s. Between two reports the server credits
 * at most min(position advance, server time elapsed), and only when the earlier report
 * said playing and visible: the interval takes the state its first report announced, so
 * a player sends a report whenever it pauses, hides or seeks. The client's clock is never
 * read. Which seconds of the video the credit may cover is the span ending at the new
 * position; the caller keeps only those not credited before (seconds_map). */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Silence longer than this ends a watch session. */
#define WATCH_SILENCE_SECONDS 30
/* A position this far past the end of the video (or the live edge) is refused. */
#define WATCH_POSITION_SLACK 2.0

typedef struct {
  double position;  /* seconds into the video (a live: seconds since it went on air) */
  bool playing;
  bool visible;
  gint64 seq;       /* strictly increasing within a connection */
} WatchReport;

typedef struct {
  gint64 last_us;   /* server monotonic time of the last accepted report */
  double last_position;
  bool counting;    /* the last report said playing and visible */
  gint64 last_seq;
  double carry;     /* fraction of a second earned but not yet credited */
} WatchClock;

typedef struct {
  double played;    /* seconds of real playback the interval held (0 when none) */
  unsigned from;    /* seconds [from, to) of the video the credit may cover */
  unsigned to;
  unsigned max_new; /* and at most this many of them */
} WatchSpan;

/* Starts counting from report R at NOW_US (monotonic microseconds): nothing is credited
 * for what came before. */
void watch_clock_start(WatchClock *c, gint64 now_us, const WatchReport *r);

/* Accounts report R at NOW_US for a video LIMIT seconds long (a live: its current length).
 * Returns 0 with *SPAN; -ESTALE when R's seq is not above the last one (a replay: the clock
 * is unchanged); -ERANGE when the position is negative, not a number, or past LIMIT plus
 * the slack (forged: nothing is credited and counting restarts from the next report). */
int watch_clock_report(WatchClock *c, gint64 now_us, const WatchReport *r, double limit,
                       WatchSpan *span);
