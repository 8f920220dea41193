/* Tests for src/watch/read_service.c with a real database and the test's own clocks: the
 * rules (credit by the server's clock while visible, at most the estimate, half of it earns),
 * an honest reader paid once, and the cheats refused — too fast, hidden, two tabs, replayed
 * reports, a second reading — and the read row's caps. */
#include "auth/auth.h"
#include "db/db_article.h"
#include "db/db_points.h"
#include "points/points.h"
#include "watch/read_service.h"
#include "core/util.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static const guint8 key[TOKEN_SECRET_LEN] = { 3 };
static ReadService *svc;
static gint64 mono_us, wall_s;

/* What the service said, in order: "started c=1 credited=0", "ack c=1 seq=2 credited=5
 * earned=0", "error c=1 stale", "ended c=1 superseded", "points m=… 2". */
static GPtrArray *said;

static void io_started(void *u, guint64 conn, const ReadState *st)
{
  (void)u;
  g_ptr_array_add(said, g_strdup_printf("started c=%" G_GUINT64_FORMAT " credited=%" G_GINT64_FORMAT
                                        " need=%" G_GINT64_FORMAT " done=%d", conn, st->credited, st->need, st->done));
}
static void io_ack(void *u, guint64 conn, gint64 seq, const ReadState *st, gint64 earned)
{
  (void)u;
  g_ptr_array_add(said, g_strdup_printf("ack c=%" G_GUINT64_FORMAT " seq=%" G_GINT64_FORMAT " credited=%"
                                        G_GINT64_FORMAT " earned=%" G_GINT64_FORMAT, conn, seq, st->credited, earned));
}
static void io_error(void *u, guint64 conn, const char *code, const char *message, gint64 seq)
{
  (void)u, (void)message, (void)seq;
  g_ptr_array_add(said, g_strdup_printf("error c=%" G_GUINT64_FORMAT " %s", conn, code));
}
static void io_ended(void *u, guint64 conn, gint64 article, const char *reason)
{
  (void)u, (void)article;
  g_ptr_array_add(said, g_strdup_printf("ended c=%" G_GUINT64_FORMAT " %s", conn, reason));
}
static void io_points(void *u, const char *member, JsonNode *summary, gint64 earned)
{
  (void)u, (void)member;
  json_node_unref(summary);
  g_ptr_array_add(said, g_strdup_printf("points %" G_GINT64_FORMAT, earned));
}
static gint64 clock_mono(void *u) { (void)u; return mono_us; }
static gint64 clock_wall(void *u) { (void)u; return wall_s; }

static void advance(double seconds)
{
  mono_us += (gint64)(seconds * G_USEC_PER_SEC);
  /* 23:59:00 in Shanghai of today's date there (the campaign is open around the real now). */
  static gint64 base;
  if (!base)
    base = (util_now() + 8 * 3600) / 86400 * 86400 - 8 * 3600 + 86340;
  wall_s = base + mono_us / G_USEC_PER_SEC;
}

static const char *last(void)
{
  return said->len ? said->pdata[said->len - 1] : "";
}

static char *member(bool verified)
{
  Member *m = NULL;
  char *token = NULL;
  ck_assert_int_eq(auth_member_create(db, key, "读者", ROLE_VIEWER, verified, &m, &token), 0);
  char *id = g_strdup(m->id);
  member_free(&m);
  g_free(token);
  return id;
}

/* A published article of N CJK characters (N * 60 / 400 seconds, at least 10). */
static gint64 article(int n)
{
  GString *s = g_string_new(NULL);
  for (int i = 0; i < n; i++)
    g_string_append(s, "读");
  ArticleInput in = { .title = "文章", .body_md = s->str, .publish = true };
  gint64 id = 0;
  ck_assert_int_eq(db_article_create(db, &in, wall_s - 10, &id), 0);
  g_string_free(s, TRUE);
  return id;
}

/* An open campaign with a read row: RATE a minute of the estimate, CAP a day, ITEM per article. */
static void campaign(gint64 rate, gint64 cap, gint64 item, gint64 total)
{
  Campaign c = { .name = "读书月", .starts_on = tu_day(-400), .ends_on = tu_day(400), .time_zone = "Asia/Shanghai" };
  campaign_defaults(&c);
  c.daily_total_cap = total;
  c.act[ACT_READ] = (CampaignActivity){ .on = true, .rate = rate, .daily_cap = cap, .item_cap = item,
                                        .minutes = 30, .questions = 5, .seconds = 30 };
  ck_assert_int_eq(points_window(c.time_zone, c.starts_on, c.ends_on, &c.starts_at, &c.ends_at), 0);
  ck_assert_int_eq(db_campaign_save(db, &c), 0);
}

static gint64 balance(const char *m)
{
  gint64 b = -1;
  ck_assert_int_eq(db_points_balance(db, m, &b), 0);
  return b;
}

static void setup(void)
{
  dir = tu_tmpdir();
  char *path = g_build_filename(dir, "t.db", NULL);
  char *err = NULL;
  ck_assert_int_eq(db_open(path, 0, &db, &err), 0);
  g_free(path);
  said = g_ptr_array_new_with_free_func(g_free);
  ReadIo io = { .started = io_started, .ack = io_ack, .error = io_error, .ended = io_ended,
                .points = io_points };
  svc = read_service_new(db, &io);
  mono_us = 1000 * G_USEC_PER_SEC;
  advance(0);
  read_service_set_clock(svc, clock_mono, clock_wall, NULL);
}

static void teardown(void)
{
  read_service_free(&svc);
  g_ptr_array_unref(said);
  db_close(&db);
  tu_rmtree(dir);
  g_free(dir);
}

START_TEST(rules_credit_by_the_server_clock_within_the_estimate)
{
  ck_assert_int_eq(read_rule_need(40), 20);
  ck_assert_int_eq(read_rule_need(11), 6);
  ck_assert_int_eq(read_rule_need(0), 0);
  ck_assert_int_eq(read_rule_credit_ms(true, 5000, 0, 40), 5000);
  ck_assert_int_eq(read_rule_credit_ms(false, 5000, 0, 40), 0);               /* hidden */
  ck_assert_int_eq(read_rule_credit_ms(true, 31000, 0, 40), 0);               /* silence */
  ck_assert_int_eq(read_rule_credit_ms(true, 30000, 0, 40), 30000);
  ck_assert_int_eq(read_rule_credit_ms(true, 10000, 38000, 40), 2000);        /* the estimate bounds it */
  ck_assert_int_eq(read_rule_credit_ms(true, -5, 0, 40), 0);
  ck_assert_int_eq(read_rule_points(2, 40, -1), 2);   /* a started minute */
  ck_assert_int_eq(read_rule_points(2, 130, -1), 6);  /* three */
  ck_assert_int_eq(read_rule_points(2, 130, 5), 5);   /* the item cap */
}
END_TEST

START_TEST(an_honest_reader_earns_once)
{
  campaign(2, -1, -1, -1);
  char *m = member(true);
  gint64 a = article(266); /* 40 s: needs 20 */
  read_service_start(svc, 1, m, a, true);
  ck_assert_str_eq(last(), "started c=1 credited=0 need=20 done=0");
  for (int seq = 1; seq <= 3; seq++) {
    advance(5);
    read_service_report(svc, 1, a, seq, true, false);
  }
  ck_assert_str_eq(last(), "ack c=1 seq=3 credited=15 earned=0");
  ck_assert_int_eq(balance(m), 0);
  advance(5);
  read_service_report(svc, 1, a, 4, true, false);
  ck_assert_str_eq(said->pdata[said->len - 2], "points 2");
  ck_assert_str_eq(last(), "ack c=1 seq=4 credited=20 earned=2");
  ck_assert_int_eq(balance(m), 2);
  gint64 sum = 0;
  ck_assert_int_eq(db_ledger_sum(db, m, NULL, 0, NULL, "read", &sum), 0);
  ck_assert_int_eq(sum, 2);
  /* Reading on to the end and stopping pays nothing more; credit stops at the estimate. */
  for (int seq = 5; seq <= 12; seq++) {
    advance(5);
    read_service_report(svc, 1, a, seq, true, seq == 12);
  }
  ck_assert_str_eq(said->pdata[said->len - 2], "ack c=1 seq=12 credited=40 earned=0");
  ck_assert_str_eq(last(), "ended c=1 stopped");
  /* A second time, on another connection: it is read; nothing is paid again. */
  read_service_start(svc, 2, m, a, true);
  ck_assert_str_eq(last(), "started c=2 credited=40 need=20 done=1");
  for (int seq = 1; seq <= 10; seq++) {
    advance(5);
    read_service_report(svc, 2, a, seq, true, false);
  }
  ck_assert_str_eq(last(), "ack c=2 seq=10 credited=40 earned=0");
  ck_assert_int_eq(balance(m), 2);
  ArticleRead rd;
  ck_assert_int_eq(db_article_read_get(db, m, a, &rd), 0);
  ck_assert(rd.completed);
  ck_assert_int_eq(rd.points, 2);
  g_free(m);
}
END_TEST

START_TEST(too_fast_reports_earn_only_real_time)
{
  campaign(2, -1, -1, -1);
  char *m = member(true);
  gint64 a = article(266);
  read_service_start(svc, 1, m, a, true);
  for (int seq = 1; seq <= 50; seq++) {
    advance(0.1);
    read_service_report(svc, 1, a, seq, true, false);
  }
  ck_assert_str_eq(last(), "ack c=1 seq=50 credited=5 earned=0");
  ck_assert_int_eq(balance(m), 0);
  g_free(m);
}
END_TEST

START_TEST(a_hidden_page_earns_nothing)
{
  campaign(2, -1, -1, -1);
  char *m = member(true);
  gint64 a = article(266);
  read_service_start(svc, 1, m, a, false);
  for (int seq = 1; seq <= 20; seq++) {
    advance(5);
    read_service_report(svc, 1, a, seq, false, false);
  }
  ck_assert_str_eq(last(), "ack c=1 seq=20 credited=0 earned=0");
  /* Shown for 5 s, then hidden: only the visible interval counts. */
  advance(5);
  read_service_report(svc, 1, a, 21, true, false);
  advance(5);
  read_service_report(svc, 1, a, 22, false, false);
  advance(25);
  read_service_report(svc, 1, a, 23, true, false);
  ck_assert_str_eq(last(), "ack c=1 seq=23 credited=5 earned=0");
  /* A silence longer than 30 s counts nothing, even when the last report said visible. */
  advance(31);
  read_service_report(svc, 1, a, 24, true, false);
  ck_assert_str_eq(last(), "ack c=1 seq=24 credited=5 earned=0");
  ck_assert_int_eq(balance(m), 0);
  g_free(m);
}
END_TEST

START_TEST(two_tabs_and_replays_are_refused)
{
  campaign(2, -1, -1, -1);
  char *m = member(true);
  gint64 a = article(266), b = article(266);
  read_service_start(svc, 1, m, a, true);
  advance(5);
  read_service_report(svc, 1, a, 1, true, false);
  ck_assert_str_eq(last(), "ack c=1 seq=1 credited=5 earned=0");
  /* Replayed and old reports. */
  read_service_report(svc, 1, a, 1, true, false);
  ck_assert_str_eq(last(), "error c=1 stale");
  /* A second tab on another article supersedes the first; the first's reports are refused. */
  advance(5);
  read_service_start(svc, 2, m, b, true);
  ck_assert_str_eq(said->pdata[said->len - 2], "ended c=1 superseded");
  read_service_report(svc, 1, a, 2, true, false);
  ck_assert_str_eq(last(), "error c=1 no_session");
  /* Two tabs alternating starts every few seconds: a start credits nothing. */
  for (int i = 0; i < 20; i++) {
    advance(4);
    read_service_start(svc, 1 + (guint64)(i % 2), m, a, true);
  }
  ArticleRead rd;
  ck_assert_int_eq(db_article_read_get(db, m, a, &rd), 0);
  ck_assert_int_eq(rd.credited, 5);
  ck_assert(!rd.completed);
  /* A report for another article than the session's. */
  read_service_report(svc, 2, b, 99, true, false);
  ck_assert_str_eq(last(), "error c=2 no_session");
  ck_assert_int_eq(balance(m), 0);
  g_free(m);
}
END_TEST

START_TEST(caps_and_who_may_earn)
{
  campaign(2, 5, 4, -1); /* 2 a minute of the estimate, 4 an article, 5 a day */
  char *m = member(true);
  gint64 a = article(866), b = article(866); /* 130 s: 3 minutes, 6 -> 4 by the item cap */
  read_service_start(svc, 1, m, a, true);
  for (int seq = 1; seq <= 13; seq++) {
    advance(5);
    read_service_report(svc, 1, a, seq, true, false);
  }
  ck_assert_int_eq(balance(m), 4);
  read_service_start(svc, 1, m, b, true);
  for (int seq = 14; seq <= 26; seq++) {
    advance(5);
    read_service_report(svc, 1, b, seq, true, false);
  }
  ck_assert_int_eq(balance(m), 5); /* the daily cap left 1 */
  /* Not verified: reads, earns nothing. A guest keeps nothing. */
  char *u = member(false);
  read_service_start(svc, 3, u, a, true);
  for (int seq = 1; seq <= 14; seq++) {
    advance(5);
    read_service_report(svc, 3, a, seq, true, false);
  }
  ck_assert_int_eq(balance(u), 0);
  read_service_start(svc, 4, NULL, a, true);
  advance(5);
  read_service_report(svc, 4, a, 1, true, false);
  ck_assert_str_eq(last(), "ack c=4 seq=1 credited=0 earned=0");
  /* A draft cannot be read for credit. */
  ArticleInput in = { .title = "草稿", .body_md = "还没发布的文章。" };
  gint64 d = 0;
  ck_assert_int_eq(db_article_create(db, &in, wall_s, &d), 0);
  read_service_start(svc, 5, m, d, true);
  ck_assert_str_eq(last(), "error c=5 not_found");
  g_free(m);
  g_free(u);
}
END_TEST

static Suite *read_service_suite(void)
{
  Suite *s = suite_create("read_service");
  TCase *tc = tcase_create("read_service");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, rules_credit_by_the_server_clock_within_the_estimate);
  tcase_add_test(tc, an_honest_reader_earns_once);
  tcase_add_test(tc, too_fast_reports_earn_only_real_time);
  tcase_add_test(tc, a_hidden_page_earns_nothing);
  tcase_add_test(tc, two_tabs_and_replays_are_refused);
  tcase_add_test(tc, caps_and_who_may_earn);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(read_service_suite)
