/* watch_clock: how much of a player's report can be credited, by the server's clock alone. */
#include "points/watch_clock.h"

#include <errno.h>
#include <math.h>

void watch_clock_start(WatchClock *c, gint64 now_us, const WatchReport *r)
{
  c->last_us = now_us;
  c->last_position = r->position;
  c->counting = r->playing && r->visible;
  c->last_seq = r->seq;
  c->carry = 0;
}

int watch_clock_report(WatchClock *c, gint64 now_us, const WatchReport *r, double limit,
                       WatchSpan *span)
{
  *span = (WatchSpan){ 0 };
  if (r->seq <= c->last_seq)
    return -ESTALE;
  if (!isfinite(r->position) || r->position < 0 || r->position > limit + WATCH_POSITION_SLACK) {
    c->last_seq = r->seq;
    c->last_us = now_us;
    c->counting = false;
    c->carry = 0;
    return -ERANGE;
  }
  double elapsed = (double)(now_us - c->last_us) / 1e6;
  if (elapsed > WATCH_SILENCE_SECONDS)
    elapsed = WATCH_SILENCE_SECONDS;
  double position = MIN(r->position, limit);
  double advance = position - c->last_position;

  if (c->counting && advance > 0 && elapsed > 0) {
    double played = MIN(advance, elapsed);
    double start = MAX(c->last_position, position - played);
    double budget = played + c->carry;
    span->played = played;
    /* Every second the interval touches may be credited, but no more of them than the
     * time played (plus the fraction carried): short reports lose nothing, and cheating
     * with many of them gains nothing. */
    span->from = (unsigned)floor(start);
    span->to = (unsigned)ceil(position);
    span->max_new = (unsigned)floor(budget);
    c->carry = budget - floor(budget);
  } else {
    c->carry = 0;
  }
  c->last_us = now_us;
  c->last_position = position;
  c->counting = r->playing && r->visible;
  c->last_seq = r->seq;
  return 0;
}
