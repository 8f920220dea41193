/* Tests for src/points/watch_clock.c: a table of honest and cheating players, each a list of
 * reports at server times, and the most seconds the server may credit for it. */
#include "points/seconds_map.h"
#include "points/watch_clock.h"
#include "testutil.h"

#include <errno.h>

typedef struct {
  double t;        /* server time of the report, seconds */
  double position;
  bool playing, visible;
  gint64 seq;      /* 0: the next one */
} Step;

#define END { -1, 0, false, false, 0 }

static const struct {
  const char *name;
  Step steps[16];
  unsigned min, max;   /* credited seconds, inclusive */
  int refused;         /* reports answered -ESTALE or -ERANGE */
} cases[] = {
  { "honest: 60 s in 10 s heartbeats",
    { {0, 0, 1, 1}, {10, 10, 1, 1}, {20, 20, 1, 1}, {30, 30, 1, 1}, {40, 40, 1, 1}, {50, 50, 1, 1},
      {60, 60, 1, 1}, END }, 60, 60, 0 },
  { "honest with jitter: heartbeats late and early",
    { {0, 0, 1, 1}, {10.3, 10.2, 1, 1}, {19.9, 19.8, 1, 1}, {30.1, 30.0, 1, 1}, END }, 29, 30, 0 },
  { "2x playback rate: credit is server time",
    { {0, 0, 1, 1}, {10, 20, 1, 1}, {20, 40, 1, 1}, {30, 60, 1, 1}, END }, 29, 30, 0 },
  { "forged positions far ahead",
    { {0, 0, 1, 1}, {10, 500, 1, 1}, {20, 1000, 1, 1}, END }, 19, 20, 0 },
  { "position past the end is refused and restarts counting",
    { {0, 0, 1, 1}, {10, 10, 1, 1}, {20, 5000, 1, 1}, {30, 30, 1, 1}, {40, 40, 1, 1}, END }, 19, 20, 1 },
  { "paused: the position does not move, nothing is credited",
    { {0, 0, 0, 1}, {10, 10, 0, 1}, {20, 20, 0, 1}, END }, 0, 0, 0 },
  { "hidden tab: nothing is credited",
    { {0, 0, 1, 0}, {10, 10, 1, 0}, {20, 20, 1, 0}, END }, 0, 0, 0 },
  { "pause mid-way: the interval after a paused report is not credited",
    { {0, 0, 1, 1}, {10, 10, 0, 1}, {20, 20, 1, 1}, {30, 30, 1, 1}, END }, 20, 20, 0 },
  { "replayed heartbeat (same seq) is refused",
    { {0, 0, 1, 1, 1}, {10, 10, 1, 1, 2}, {10.5, 10, 1, 1, 2}, {11, 10, 1, 1, 2}, {20, 20, 1, 1, 3}, END }, 20, 20, 2 },
  { "honest with frequent short reports (every 0.5 s) loses nothing",
    { {0, 0, 1, 1}, {0.5, 0.5, 1, 1}, {1, 1, 1, 1}, {1.5, 1.5, 1, 1}, {2, 2, 1, 1}, {2.5, 2.5, 1, 1},
      {3, 3, 1, 1}, {3.5, 3.5, 1, 1}, {4, 4, 1, 1}, {4.5, 4.5, 1, 1}, {5, 5, 1, 1}, END }, 5, 5, 0 },
  { "many tiny reports that jump ahead earn no more than the time",
    { {0, 0, 1, 1}, {0.2, 2, 1, 1}, {0.4, 4, 1, 1}, {0.6, 6, 1, 1}, {0.8, 8, 1, 1}, {1.0, 10, 1, 1},
      {1.2, 12, 1, 1}, {1.4, 14, 1, 1}, {1.6, 16, 1, 1}, {1.8, 18, 1, 1}, {2.0, 20, 1, 1}, END }, 1, 2, 0 },
  { "heartbeats faster than real time",
    { {0, 0, 1, 1}, {1, 10, 1, 1}, {2, 20, 1, 1}, {3, 30, 1, 1}, {4, 40, 1, 1}, END }, 3, 4, 0 },
  { "rewatching seconds already credited earns nothing new",
    { {0, 0, 1, 1}, {10, 10, 1, 1}, {11, 0, 1, 1}, {21, 10, 1, 1}, END }, 10, 10, 0 },
  { "jump back and forth",
    { {0, 0, 1, 1}, {10, 10, 1, 1}, {11, 50, 1, 1}, {21, 60, 1, 1}, {22, 5, 1, 1}, {32, 15, 1, 1}, END }, 26, 27, 0 },
  { "silence longer than 30 s credits at most 30 s",
    { {0, 0, 1, 1}, {100, 100, 1, 1}, END }, 30, 30, 0 },
  { "negative time travel: position backwards",
    { {0, 50, 1, 1}, {10, 40, 1, 1}, {20, 30, 1, 1}, END }, 0, 0, 0 },
};

START_TEST(credit_never_exceeds_the_honest_rules)
{
  WatchClock c = { 0 };
  SecondsMap m = { 0 };
  unsigned credited = 0;
  int refused = 0;
  gint64 seq = 0;
  double accepted_t = 0;
  const Step *st = cases[_i].steps;
  for (int i = 0; st[i].t >= 0; i++) {
    WatchReport r = { .position = st[i].position, .playing = st[i].playing, .visible = st[i].visible,
                      .seq = st[i].seq ? st[i].seq : ++seq };
    if (st[i].seq)
      seq = st[i].seq;
    gint64 us = (gint64)(st[i].t * 1e6);
    if (i == 0) {
      watch_clock_start(&c, us, &r);
      accepted_t = st[i].t;
      continue;
    }
    WatchSpan span;
    int ret = watch_clock_report(&c, us, &r, 3600, &span);
    if (ret == -ESTALE || ret == -ERANGE) {
      refused++;
      continue;
    }
    ck_assert_int_eq(ret, 0);
    ck_assert_msg(span.played <= st[i].t - accepted_t + 1e-9, "%s: played more than the time elapsed",
                  cases[_i].name);
    accepted_t = st[i].t;
    credited += seconds_map_set(&m, span.from, span.to, span.max_new, 0, NULL);
  }
  ck_assert_msg(credited >= cases[_i].min && credited <= cases[_i].max, "%s: credited %u, expected %u..%u",
                cases[_i].name, credited, cases[_i].min, cases[_i].max);
  ck_assert_msg(refused == cases[_i].refused, "%s: %d refused, expected %d", cases[_i].name, refused, cases[_i].refused);
  seconds_map_clear(&m);
}
END_TEST

START_TEST(limit_and_bad_numbers_are_refused)
{
  WatchClock c = { 0 };
  WatchReport r = { .position = 0, .playing = true, .visible = true, .seq = 1 };
  watch_clock_start(&c, 0, &r);
  WatchSpan span;
  r = (WatchReport){ .position = 101 + WATCH_POSITION_SLACK, .playing = true, .visible = true, .seq = 2 };
  ck_assert_int_eq(watch_clock_report(&c, 10 * G_USEC_PER_SEC, &r, 100, &span), -ERANGE);
  r = (WatchReport){ .position = -1, .playing = true, .visible = true, .seq = 3 };
  ck_assert_int_eq(watch_clock_report(&c, 20 * G_USEC_PER_SEC, &r, 100, &span), -ERANGE);
  /* Within the slack: clamped to the end, credited. */
  r = (WatchReport){ .position = 10, .playing = true, .visible = true, .seq = 4 };
  ck_assert_int_eq(watch_clock_report(&c, 30 * G_USEC_PER_SEC, &r, 100, &span), 0);
  r = (WatchReport){ .position = 101, .playing = true, .visible = true, .seq = 5 };
  ck_assert_int_eq(watch_clock_report(&c, 40 * G_USEC_PER_SEC, &r, 100, &span), 0);
  ck_assert_uint_eq(span.to, 100);
  ck_assert_uint_le(span.max_new, 10);
}
END_TEST

static Suite *watch_clock_suite(void)
{
  Suite *s = suite_create("watch_clock");
  TCase *tc = tcase_create("watch_clock");
  tcase_add_loop_test(tc, credit_never_exceeds_the_honest_rules, 0, G_N_ELEMENTS(cases));
  tcase_add_test(tc, limit_and_bad_numbers_are_refused);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(watch_clock_suite)
