/* Tests for src/watch/watch_service.c without a socket: a real SQLite database, a clock the
 * test moves, and a WatchIo that records what the service says. Group commit (several reports,
 * one transaction, acknowledged only after it holds; a failed one acknowledges nothing), the
 * supersede and switch rules, the silence sweep, live viewer counts, points pushed. */
#include "auth/auth.h"
#include "core/metrics.h"
#include "core/util.h"
#include "db/db_points.h"
#include "db/db_video.h"
#include "db/db_watch.h"
#include "points/points.h"
#include "watch/watch_service.h"
#include "db_fixture.h"
#include "testutil.h"

#include <errno.h>
#include <sqlite3.h>
#include <string.h>

static char *dir;
static Db *db;
static Config config;
static WatchService *w;
static GPtrArray *said;  /* what the service said, one line each */
static gint64 clock_us;
static bool online = true;
static char *vod, *live, *member_a, *member_b;
static const guint8 key[TOKEN_SECRET_LEN] = { 7 };

static gint64 fake_now(void *user)
{
  (void)user;
  return clock_us;
}

static void io_started(void *user, guint64 conn, const char *session, const char *video, bool is_live,
                       double resume, gint64 credited, int viewers)
{
  (void)user, (void)session, (void)resume, (void)credited;
  const char *name = !strcmp(video, vod) ? "vod" : !strcmp(video, live) ? "live" : video;
  g_ptr_array_add(said, g_strdup_printf("started %" G_GUINT64_FORMAT " %s%s viewers=%d", conn,
                                        is_live ? "live " : "", name, viewers));
}

static void io_ack(void *user, guint64 conn, gint64 seq, const WatchOutcome *o)
{
  (void)user;
  g_ptr_array_add(said, g_strdup_printf("ack %" G_GUINT64_FORMAT " seq=%" G_GINT64_FORMAT " credited=%u",
                                        conn, seq, o->new_seconds));
}

static void io_error(void *user, guint64 conn, const char *code, const char *message, gint64 seq)
{
  (void)user;
  ck_assert(message && message[0]);
  g_ptr_array_add(said, g_strdup_printf("error %" G_GUINT64_FORMAT " %s seq=%" G_GINT64_FORMAT, conn, code, seq));
}

static void io_ended(void *user, guint64 conn, const char *session, const char *reason)
{
  (void)user;
  ck_assert(session && session[0]);
  g_ptr_array_add(said, g_strdup_printf("ended %" G_GUINT64_FORMAT " %s", conn, reason));
}

static void io_points(void *user, const char *member, JsonNode *summary, gint64 earned)
{
  (void)user;
  gint64 balance = json_object_get_int_member(json_node_get_object(summary), "balance");
  g_ptr_array_add(said, g_strdup_printf("points %s earned=%" G_GINT64_FORMAT " balance=%" G_GINT64_FORMAT,
                                        !strcmp(member, member_a) ? "a" : "b", earned, balance));
  json_node_unref(summary);
}

static void io_viewers(void *user, const char *video, int viewers, const guint64 *conns, guint n)
{
  (void)user;
  GString *s = g_string_new(NULL);
  g_string_printf(s, "viewers %s=%d to", !strcmp(video, live) ? "live" : video, viewers);
  for (guint i = 0; i < n; i++)
    g_string_append_printf(s, " %" G_GUINT64_FORMAT, conns[i]);
  g_ptr_array_add(said, g_string_free(s, FALSE));
}

static bool io_online(void *user, const char *member)
{
  (void)user, (void)member;
  return online;
}

/* What was said since the last call, joined by "; " (caller frees). */
static char *heard(void)
{
  g_ptr_array_add(said, NULL);
  char *all = g_strjoinv("; ", (char **)said->pdata);
  g_ptr_array_set_size(said, 0);
  return all;
}

#define HEARD(expect)                     \
  do {                                    \
    char *h_ = heard();                   \
    ck_assert_str_eq(h_, expect);         \
    g_free(h_);                           \
  } while (0)

static char *member(bool verified)
{
  Member *m = NULL;
  char *token = NULL;
  ck_assert_int_eq(auth_member_create(db, key, "学员", ROLE_VIEWER, verified, &m, &token), 0);
  char *id = g_strdup(m->id);
  member_free(&m);
  g_free(token);
  return id;
}

static void exec(const char *sql)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  ck_assert_ptr_nonnull(st);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
}

static gint64 metric(const char *name)
{
  char *text = metrics_render();
  char *prefix = g_strdup_printf("\n%s ", name);
  char *at = strstr(text, prefix);
  ck_assert_msg(at, "no %s in /metrics", name);
  gint64 v = g_ascii_strtoll(at + strlen(prefix), NULL, 10);
  g_free(prefix);
  g_free(text);
  return v;
}

static void setup(void)
{
  db = tu_db_open(&dir);
  ck_assert_int_eq(config_init_defaults(&config), 0);
  /* A ten-minute recording and a live on air, both public. */
  tu_db_watchable(db, &vod, &live);
  member_a = member(true);
  member_b = member(true);
  said = g_ptr_array_new_with_free_func(g_free);
  clock_us = 1000 * G_USEC_PER_SEC;
  online = true;
  WatchIo io = { .started = io_started, .ack = io_ack, .error = io_error, .ended = io_ended,
                 .points = io_points, .viewers = io_viewers, .member_online = io_online };
  w = watch_service_new(db, &config, &io);
  watch_service_set_clock(w, fake_now, NULL);
}

static void teardown(void)
{
  watch_service_free(&w);
  ck_assert_ptr_null(w);
  g_ptr_array_unref(said);
  config_clear(&config);
  tu_db_close(&db, &dir);
  g_free(vod);
  g_free(live);
  g_free(member_a);
  g_free(member_b);
}

static WatchReport at(double position, gint64 seq)
{
  return (WatchReport){ .position = position, .playing = true, .visible = true, .seq = seq };
}

static void beat(guint64 conn, const char *video, double position, gint64 seq)
{
  WatchReport r = at(position, seq);
  watch_service_report(w, conn, video, &r, false);
}

static void start(guint64 conn, const char *who, const char *video, double position)
{
  WatchReport r = at(position, 0);
  watch_service_start(w, conn, who, video, &r);
}

/* Several reports from several players are stored in one transaction, and each is
 * acknowledged only then, in order, with what it credited. */
START_TEST(reports_are_committed_together_and_acknowledged_after)
{
  start(1, member_a, vod, 0);
  start(2, member_b, vod, 100);
  start(3, NULL, vod, 0);
  HEARD("started 1 vod viewers=1; started 2 vod viewers=2; started 3 vod viewers=3");
  watch_service_commit(w);
  gint64 commits = metric("lectern_watch_commits_total");
  for (int i = 1; i <= 3; i++) {
    clock_us += 10 * G_USEC_PER_SEC;
    beat(1, vod, 10.0 * i, i);
    beat(2, vod, 100 + 10.0 * i, i);
  }
  beat(3, vod, 10, 1);
  HEARD(""); /* nothing is acknowledged before it is stored */
  ck_assert_int_eq(metric("lectern_watch_commits_total"), commits);
  watch_service_commit(w);
  ck_assert_int_eq(metric("lectern_watch_commits_total"), commits + 1);
  HEARD("ack 1 seq=1 credited=10; ack 2 seq=1 credited=10; ack 1 seq=2 credited=10; ack 2 seq=2 credited=10; "
        "ack 1 seq=3 credited=10; ack 2 seq=3 credited=10; ack 3 seq=1 credited=10");
  ck_assert_int_eq(metric("lectern_heartbeats_total"), 7);
  /* Stored: the member's progress holds the 30 seconds. */
  WatchProgress p = { 0 };
  ck_assert_int_eq(db_watch_progress_get(db, member_a, vod, &p), 0);
  ck_assert(p.exists);
  ck_assert_int_eq(p.credited, 30);
  watch_progress_clear(&p);
  /* An empty queue is no commit. */
  watch_service_commit(w);
  ck_assert_int_eq(metric("lectern_watch_commits_total"), commits + 1);
}
END_TEST

/* A commit that fails acknowledges nothing: every report in it is refused as not_saved, its
 * seconds are not counted, and the next commit that holds is acknowledged again. */
START_TEST(a_failed_commit_acknowledges_nothing)
{
  start(1, member_a, vod, 0);
  watch_service_commit(w);
  exec("CREATE TRIGGER no_progress BEFORE UPDATE ON watch_progress BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  exec("CREATE TRIGGER no_progress_ins BEFORE INSERT ON watch_progress BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  HEARD("started 1 vod viewers=1");
  clock_us += 10 * G_USEC_PER_SEC;
  beat(1, vod, 10, 1);
  clock_us += 10 * G_USEC_PER_SEC;
  beat(1, vod, 20, 2);
  gint64 failures = metric("lectern_watch_commit_failures_total");
  watch_service_commit(w);
  HEARD("error 1 not_saved seq=1; error 1 not_saved seq=2");
  ck_assert_int_eq(metric("lectern_watch_commit_failures_total"), failures + 1);
  WatchProgress p = { 0 };
  ck_assert_int_eq(db_watch_progress_get(db, member_a, vod, &p), 0);
  ck_assert_int_eq(p.exists ? p.credited : 0, 0);
  watch_progress_clear(&p);

  exec("DROP TRIGGER no_progress");
  exec("DROP TRIGGER no_progress_ins");
  clock_us += 10 * G_USEC_PER_SEC;
  beat(1, vod, 30, 3);
  watch_service_commit(w);
  HEARD("ack 1 seq=3 credited=10");
}
END_TEST

/* One session per member: starting elsewhere ends the first (superseded); one per
 * connection: starting another video ends the first (switched). */
START_TEST(a_second_session_supersedes_the_first)
{
  start(1, member_a, vod, 0);
  start(2, member_a, vod, 0);
  HEARD("started 1 vod viewers=1; ended 1 superseded; started 2 vod viewers=1");
  ck_assert_int_eq(watch_service_viewers(w, vod), 1);
  /* The first connection has no session any more. */
  clock_us += 10 * G_USEC_PER_SEC;
  beat(1, vod, 10, 1);
  HEARD("error 1 no_session seq=1");
  /* Another member does not supersede anyone. */
  start(3, member_b, vod, 0);
  HEARD("started 3 vod viewers=2");
  start(3, member_b, live, 0);
  HEARD("ended 3 switched; started 3 live live viewers=1");
  ck_assert_int_eq(watch_service_viewers(w, vod), 1);
  watch_service_commit(w);
  HEARD("");
}
END_TEST

/* Silence for more than 30 s (server clock) ends a session; a report before that keeps it. */
START_TEST(silence_ends_a_session)
{
  start(1, member_a, vod, 0);
  start(2, NULL, vod, 0);
  HEARD("started 1 vod viewers=1; started 2 vod viewers=2");
  clock_us += 20 * G_USEC_PER_SEC;
  beat(2, vod, 20, 1);
  clock_us += (WATCH_SILENCE_SECONDS - 20) * G_USEC_PER_SEC;
  watch_service_sweep(w);
  HEARD(""); /* exactly 30 s of silence is not yet more than 30 */
  clock_us += 1 * G_USEC_PER_SEC;
  watch_service_sweep(w);
  HEARD("ended 1 timeout");
  ck_assert_int_eq(watch_service_viewers(w, vod), 1);
  beat(1, vod, 31, 1);
  HEARD("error 1 no_session seq=1");
  clock_us += 30 * G_USEC_PER_SEC;
  watch_service_sweep(w);
  HEARD("ended 2 timeout");
  ck_assert_int_eq(watch_service_viewers(w, vod), 0);
  watch_service_commit(w);
  HEARD("ack 2 seq=1 credited=20");
}
END_TEST

/* Players of a live hear how many watch it when the count changes, at most every
 * watch_viewers_interval seconds; players of a recording do not. */
START_TEST(live_viewers_are_counted_and_pushed)
{
  start(1, member_a, live, 0);
  start(2, member_b, live, 0);
  start(3, NULL, live, 0);
  start(4, NULL, vod, 0);
  HEARD("started 1 live live viewers=1; started 2 live live viewers=2; started 3 live live viewers=3; "
        "started 4 vod viewers=1");
  ck_assert_int_eq(watch_service_viewers(w, live), 3);
  watch_service_push_viewers(w);
  char *h = heard();
  ck_assert_msg(g_str_has_prefix(h, "viewers live=3 to "), "%s", h);
  for (int i = 1; i <= 3; i++) {
    char *one = g_strdup_printf(" %d", i);
    ck_assert_msg(strstr(h, one), "%s misses connection %d", h, i);
    g_free(one);
  }
  g_free(h);
  /* Nothing changed: nothing is said. */
  clock_us += config.watch_viewers_interval * G_USEC_PER_SEC;
  watch_service_push_viewers(w);
  HEARD("");
  /* A player leaves: the others hear it, but not sooner than the interval. */
  watch_service_conn_closed(w, 2);
  ck_assert_int_eq(watch_service_viewers(w, live), 2);
  watch_service_push_viewers(w);
  h = heard();
  ck_assert_msg(g_str_has_prefix(h, "viewers live=2 to "), "%s", h);
  ck_assert_msg(!strstr(h, " 2"), "%s", h);
  g_free(h);
  watch_service_conn_closed(w, 3);
  clock_us += 1;
  watch_service_push_viewers(w);
  HEARD("");
  clock_us += config.watch_viewers_interval * G_USEC_PER_SEC;
  watch_service_push_viewers(w);
  HEARD("viewers live=1 to 1");
  /* The live's count is exported. */
  char *text = metrics_render();
  char *line = g_strdup_printf("lectern_live_viewers{video=\"%s\"} 1\n", live);
  ck_assert_msg(strstr(text, line), "%s", text);
  g_free(line);
  g_free(text);
}
END_TEST

/* A report whose connection closed before the commit is stored but acknowledged to nobody;
 * refusals need no commit. */
START_TEST(closed_connections_hear_nothing_and_refusals_are_at_once)
{
  start(1, member_a, vod, 0);
  start(2, NULL, "nope", 0);
  start(2, NULL, vod, 700);
  HEARD("started 1 vod viewers=1; error 2 not_found seq=0; error 2 position_out_of_range seq=0");
  clock_us += 10 * G_USEC_PER_SEC;
  beat(1, vod, 10, 5);
  beat(1, vod, 10, 5);
  beat(1, vod, 10, 4);
  HEARD("error 1 stale seq=5; error 1 stale seq=4");
  watch_service_conn_closed(w, 1);
  ck_assert_int_eq(watch_service_viewers(w, vod), 0);
  watch_service_commit(w);
  HEARD("");
  WatchProgress p = { 0 };
  ck_assert_int_eq(db_watch_progress_get(db, member_a, vod, &p), 0);
  ck_assert_int_eq(p.credited, 10);
  watch_progress_clear(&p);
}
END_TEST

/* Points earned in a commit are pushed once per member, summed, after it, and only to a
 * member who has a connection. */
START_TEST(points_are_pushed_after_the_commit)
{
  Campaign c = { .name = "冬季", .starts_on = tu_day(-400), .ends_on = tu_day(400), .time_zone = "Asia/Shanghai" };
  campaign_defaults(&c);
  ck_assert_int_eq(points_window(c.time_zone, c.starts_on, c.ends_on, &c.starts_at, &c.ends_at), 0);
  ck_assert_int_eq(db_campaign_save(db, &c), 0);
  start(1, member_a, vod, 0);
  start(2, member_b, vod, 0);
  for (int i = 1; i <= 12; i++) {
    clock_us += 10 * G_USEC_PER_SEC;
    beat(1, vod, 10.0 * i, i);
    if (i <= 3)
      beat(2, vod, 10.0 * i, i);
  }
  HEARD("started 1 vod viewers=1; started 2 vod viewers=2");
  watch_service_commit(w);
  char *h = heard();
  ck_assert_msg(g_str_has_suffix(h, "ack 1 seq=12 credited=10; points a earned=2 balance=2"), "%s", h);
  ck_assert_msg(!strstr(h, "points b"), "%s", h);
  g_free(h);
  online = false;
  for (int i = 13; i <= 18; i++) {
    clock_us += 10 * G_USEC_PER_SEC;
    beat(1, vod, 10.0 * i, i);
  }
  watch_service_commit(w);
  h = heard();
  ck_assert_msg(!strstr(h, "points"), "%s", h);
  g_free(h);
}
END_TEST

static Suite *watch_service_suite(void)
{
  Suite *s = suite_create("watch_service");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, reports_are_committed_together_and_acknowledged_after);
  tcase_add_test(tc, a_failed_commit_acknowledges_nothing);
  tcase_add_test(tc, a_second_session_supersedes_the_first);
  tcase_add_test(tc, silence_ends_a_session);
  tcase_add_test(tc, live_viewers_are_counted_and_pushed);
  tcase_add_test(tc, closed_connections_hear_nothing_and_refusals_are_at_once);
  tcase_add_test(tc, points_are_pushed_after_the_commit);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(watch_service_suite)
