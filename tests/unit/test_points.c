/* Tests for src/points/points.c with a real SQLite database (and so src/db/db_points.c and
 * src/db/db_watch.c): campaign windows and days, minutes into points exactly once, caps,
 * who earns, the live bonus, views, retention, and the ledger staying append-only. */
#include "auth/auth.h"
#include "core/util.h"
#include "db/db_points.h"
#include "db/db_watch.h"
#include "points/points.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static const guint8 key[TOKEN_SECRET_LEN] = { 1 };

static void setup(void)
{
  dir = tu_tmpdir();
  char *path = g_build_filename(dir, "t.db", NULL);
  char *err = NULL;
  tu_db_seed(path);
  ck_assert_int_eq(db_open(path, 0, &db, &err), 0);
  g_free(path);
}

static void teardown(void)
{
  db_close(&db);
  tu_rmtree(dir);
  g_free(dir);
}

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

/* A campaign open now: PPM points a minute, caps (-1 none), live bonus. */
static Campaign *campaign(gint64 ppm, gint64 per_video, gint64 daily, gint64 bonus, gint64 bonus_minutes)
{
  Campaign c = { .name = "冬季", .starts_on = tu_day(-400), .ends_on = tu_day(400), .time_zone = "Asia/Shanghai" };
  campaign_defaults(&c);
  c.act[ACT_WATCH].rate = ppm;
  c.act[ACT_WATCH].item_cap = per_video;
  c.act[ACT_WATCH].daily_cap = daily;
  c.act[ACT_LIVE_BONUS].rate = bonus;
  c.act[ACT_LIVE_BONUS].minutes = bonus_minutes;
  ck_assert_int_eq(points_window(c.time_zone, c.starts_on, c.ends_on, &c.starts_at, &c.ends_at), 0);
  ck_assert_int_eq(db_campaign_save(db, &c), 0);
  Campaign *k = NULL;
  ck_assert_int_eq(db_campaign_active(db, util_now(), &k), 0);
  ck_assert_int_eq(k->id, c.id);
  return k;
}

/* Credits [FROM, TO) of VIDEO to MEMBER (NULL: a guest with map G) in session S. */
static WatchOutcome credit(const Campaign *k, const char *who, const char *video, unsigned from, unsigned to,
                           bool live, WatchCredit *s)
{
  s->session_id = s->session_id ? s->session_id : "sess";
  s->video_id = video;
  s->member_id = who;
  s->span = (WatchSpan){ .played = to - from, .from = from, .to = to, .max_new = to - from };
  s->position = to;
  s->live = live;
  s->now = util_now();
  s->started_at = s->now;
  WatchOutcome out;
  ck_assert_int_eq(db_begin(db), 0);
  ck_assert_int_eq(points_apply(db, k, s, &out), 0);
  ck_assert_int_eq(db_commit(db), 0);
  return out;
}

static gint64 balance(const char *m)
{
  gint64 b = -1;
  ck_assert_int_eq(db_ledger_sum(db, m, NULL, 0, NULL, NULL, &b), 0);
  return b;
}

START_TEST(windows_are_whole_days_in_the_campaign_zone)
{
  gint64 a = 0, b = 0;
  ck_assert_int_eq(points_window("Asia/Shanghai", "2026-11-22", "2026-11-22", &a, &b), 0);
  ck_assert_int_eq(a, 1795276800);          /* 2026-11-21T16:00:00Z */
  ck_assert_int_eq(b - a, 86400);
  Campaign k = { .time_zone = "Asia/Shanghai" };
  char *d1 = points_local_day(&k, a + 86399), *d2 = points_local_day(&k, b);
  ck_assert_str_eq(d1, "2026-11-22");
  ck_assert_str_eq(d2, "2026-11-23");
  g_free(d1);
  g_free(d2);
  ck_assert_int_eq(points_window("Mars/Olympus", "2026-11-22", "2026-11-22", &a, &b), -EINVAL);
  ck_assert_int_eq(points_window("Asia/Shanghai", "2026-11-22", "2026-11-21", &a, &b), -EINVAL);
  ck_assert_int_eq(points_window("Asia/Shanghai", "2026-02-30", "2026-03-01", &a, &b), -EINVAL);
  ck_assert_int_eq(points_window("Asia/Shanghai", "26-1-1", "2026-03-01", &a, &b), -EINVAL);
}
END_TEST

START_TEST(overlapping_campaigns_are_refused)
{
  Campaign *k = campaign(1, -1, -1, 0, 30);
  Campaign other = *k;
  other.id = 0;
  ck_assert_int_eq(db_campaign_save(db, &other), -EEXIST);
  other.starts_at = k->ends_at;
  other.ends_at = k->ends_at + 86400;
  other.starts_on = "2100-01-01";
  other.ends_on = "2100-01-01";
  ck_assert_int_eq(db_campaign_save(db, &other), 0);
  campaign_free(&k);
}
END_TEST

START_TEST(each_minute_is_paid_once)
{
  Campaign *k = campaign(2, -1, -1, 0, 30);
  char *m = member(true);
  WatchCredit s = { 0 };
  WatchOutcome o = credit(k, m, "vid1", 0, 59, false, &s);
  ck_assert_uint_eq(o.new_seconds, 59);
  ck_assert_int_eq(o.points, 0);
  o = credit(k, m, "vid1", 59, 61, false, &s);
  ck_assert_int_eq(o.points, 2);
  o = credit(k, m, "vid1", 0, 61, false, &s);           /* rewatched: nothing new */
  ck_assert_uint_eq(o.new_seconds, 0);
  ck_assert_int_eq(o.points, 0);
  o = credit(k, m, "vid1", 61, 200, false, &s);         /* minutes 2 and 3 */
  ck_assert_int_eq(o.points, 4);
  ck_assert_int_eq(o.video_credited, 200);
  ck_assert_int_eq(balance(m), 6);

  /* The key of minute 1 cannot be paid again, whoever tries. */
  char *ikey = g_strdup_printf("watch:%s:vid1:1", m);
  LedgerEntry e = { .member_id = m, .amount = 2, .reason = "watch", .key = ikey, .at = 1 };
  ck_assert_int_eq(db_ledger_add(db, &e), -EEXIST);
  ck_assert_int_eq(balance(m), 6);

  /* Append-only: no update, no delete. */
  ck_assert_int_ne(sqlite3_exec(db->conn, "UPDATE points_ledger SET amount = 100", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_ne(sqlite3_exec(db->conn, "DELETE FROM points_ledger", NULL, NULL, NULL), SQLITE_OK);
  ck_assert_int_eq(balance(m), 6);
  g_free(ikey);
  g_free(m);
  campaign_free(&k);
}
END_TEST

START_TEST(caps_per_video_and_per_day)
{
  Campaign *k = campaign(2, 3, 5, 0, 30);
  char *m = member(true);
  WatchCredit s = { 0 };
  ck_assert_int_eq(credit(k, m, "a", 0, 180, false, &s).points, 3);   /* 2 + 1 (video cap 3) + 0 */
  WatchCredit s2 = { .session_id = "s2" };
  ck_assert_int_eq(credit(k, m, "b", 0, 120, false, &s2).points, 2);  /* daily cap 5 reached */
  ck_assert_int_eq(credit(k, m, "c", 0, 600, false, &s2).points, 0);
  ck_assert_int_eq(balance(m), 5);
  g_free(m);
  campaign_free(&k);
}
END_TEST

START_TEST(only_verified_members_in_a_campaign_earn)
{
  Campaign *k = campaign(1, -1, -1, 0, 30);
  char *unverified = member(false), *disq = member(true), *ok = member(true);
  ck_assert_int_eq(db_member_set_flag(db, disq, MEMBER_DISQUALIFIED, true), 0);
  WatchCredit s = { 0 };
  ck_assert_int_eq(credit(k, unverified, "v", 0, 120, false, &s).points, 0);
  ck_assert_int_eq(credit(k, disq, "v", 0, 120, false, &s).points, 0);
  ck_assert_int_eq(credit(NULL, ok, "v", 0, 120, false, &s).points, 0);     /* no campaign open */
  SecondsMap guest = { 0 };
  WatchCredit g = { .guest_seconds = &guest };
  WatchOutcome o = credit(k, NULL, "v", 0, 120, false, &g);
  ck_assert_uint_eq(o.new_seconds, 120);
  ck_assert_int_eq(o.points, 0);
  ck_assert_int_eq(balance(unverified) + balance(disq) + balance(ok), 0);

  /* Their watching is still recorded: progress and resume position. */
  WatchProgress p = { 0 };
  ck_assert_int_eq(db_watch_progress_get(db, unverified, "v", &p), 0);
  ck_assert(p.exists);
  ck_assert_int_eq(p.credited, 120);
  ck_assert_double_eq(p.position, 120);
  ck_assert_int_eq(p.earned_seconds, 0);
  watch_progress_clear(&p);
  seconds_map_clear(&guest);
  g_free(unverified);
  g_free(disq);
  g_free(ok);
  campaign_free(&k);
}
END_TEST

START_TEST(live_attendance_bonus_is_paid_once)
{
  Campaign *k = campaign(1, -1, -1, 5, 2);
  char *m = member(true);
  WatchCredit s = { 0 };
  ck_assert_int_eq(credit(k, m, "live1", 0, 60, true, &s).points, 1);
  ck_assert_int_eq(credit(k, m, "live1", 60, 120, true, &s).points, 1 + 5);  /* 2 minutes live */
  ck_assert_int_eq(credit(k, m, "live1", 120, 240, true, &s).points, 2);
  ck_assert_int_eq(balance(m), 9);
  g_free(m);
  campaign_free(&k);
}
END_TEST

START_TEST(views_unique_viewers_watch_time_and_retention)
{
  char *m = member(true);
  ck_assert_int_eq(sqlite3_exec(db->conn, "INSERT INTO video (id, title, source, state, duration_ms, "
                                "created_at, updated_at) VALUES ('v', 'forty seconds', 'upload', 'ready', "
                                "40000, 0, 0)", NULL, NULL, NULL), SQLITE_OK);
  WatchCredit s = { .session_id = "a" };
  credit(NULL, m, "v", 0, 5, false, &s);
  ck_assert(!s.counted_view);
  credit(NULL, m, "v", 5, 25, false, &s);                  /* 25 s: a view */
  ck_assert(s.counted_view);
  WatchCredit again = { .session_id = "b" };                /* the same member, a second view */
  credit(NULL, m, "v", 0, 12, false, &again);
  SecondsMap guest = { 0 };
  WatchCredit g = { .session_id = "c", .guest_seconds = &guest };
  credit(NULL, NULL, "v", 0, 11, false, &g);

  int rc = 0;
  JsonNode *n = db_watch_stats_json(db, "v", &rc);
  ck_assert_ptr_nonnull(n);
  JsonObject *o = json_node_get_object(n);
  ck_assert_int_eq(json_object_get_int_member(o, "views"), 3);
  ck_assert_int_eq(json_object_get_int_member(o, "guest_views"), 1);
  ck_assert_int_eq(json_object_get_int_member(o, "unique_viewers"), 1);
  ck_assert_int_eq(json_object_get_int_member(o, "watch_seconds"), 25 + 12 + 11);
  JsonArray *ret = json_object_get_array_member(o, "retention");
  ck_assert_uint_eq(json_array_get_length(ret), 4);
  /* Bucket 0: the member and the guest; 10-19: both; 20-29: the member only; 30-39: none. */
  ck_assert_int_eq(json_object_get_int_member(json_array_get_object_element(ret, 0), "viewers"), 2);
  ck_assert_int_eq(json_object_get_int_member(json_array_get_object_element(ret, 1), "viewers"), 2);
  ck_assert_int_eq(json_object_get_int_member(json_array_get_object_element(ret, 2), "viewers"), 1);
  ck_assert_int_eq(json_object_get_int_member(json_array_get_object_element(ret, 3), "viewers"), 0);
  json_node_unref(n);

  /* Peak concurrency only rises. */
  ck_assert_int_eq(db_watch_stats_peak(db, "v", 7, 100), 0);
  ck_assert_int_eq(db_watch_stats_peak(db, "v", 3, 200), 0);
  n = db_watch_stats_json(db, "v", &rc);
  ck_assert_int_eq(json_object_get_int_member(json_node_get_object(n), "peak_concurrent"), 7);
  json_node_unref(n);
  seconds_map_clear(&guest);
  g_free(m);
}
END_TEST

/* Every row of the ledger, in order, as text: what must not change. */
static char *ledger_dump(Db *d)
{
  sqlite3_stmt *st = db_prepare(d, "SELECT group_concat(id || '|' || member_id || '|' || amount || '|' || "
                                   "reason || '|' || coalesce(video_id, '') || '|' || coalesce(campaign_id, '') || '|' || "
                                   "coalesce(local_day, '') || '|' || idempotency_key || '|' || note || '|' || "
                                   "coalesce(created_by, '') || '|' || created_at, ';') FROM (SELECT * FROM points_ledger ORDER BY id)");
  ck_assert_ptr_nonnull(st);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  char *text = g_strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return text;
}

/* A database from before the table of activities (0015): its campaign becomes rows with the
 * same rules, not one ledger entry changes, and watching keeps paying what the old columns
 * paid — 2 a minute, 3 a video, 5 a day for watching; the live bonus on top of the caps. */
START_TEST(migration_keeps_the_ledger_and_the_watch_rules)
{
  db_close(&db);
  char *path = g_build_filename(dir, "v10.db", NULL);
  char *err = NULL;
  ck_assert_int_eq(db_open(path, 10, &db, &err), 0);
  char *m = member(true);
  Campaign zone = { .time_zone = "Asia/Shanghai" };
  g_autofree char *today = points_local_day(&zone, util_now());
  g_autofree char *sql = g_strdup_printf(
      "INSERT INTO campaign (id, name, starts_on, ends_on, time_zone, starts_at, ends_at, points_per_minute, "
      "per_video_cap, daily_cap, live_bonus_points, live_bonus_minutes, created_at, updated_at) VALUES "
      "(7, '冬季', '%3$s', '%4$s', 'Asia/Shanghai', %5$" G_GINT64_FORMAT ", %6$" G_GINT64_FORMAT ", 2, 3, 5, 5, 2, 0, 0);"
      "INSERT INTO points_ledger (member_id, amount, reason, video_id, campaign_id, local_day, idempotency_key, note, created_by, created_at) VALUES "
      "('%1$s', 2, 'watch', 'old', 7, '%2$s', 'watch:%1$s:old:1', '', NULL, 100),"
      "('%1$s', 1, 'watch', 'old', 7, '%2$s', 'watch:%1$s:old:2', '', NULL, 160),"
      "('%1$s', -1, 'correction', NULL, NULL, NULL, 'correction:x', 'typo', 'ed', 200);", m, today,
      tu_day(-400), tu_day(400), util_now() - 400 * 86400, util_now() + 401 * 86400);
  ck_assert_int_eq(sqlite3_exec(db->conn, sql, NULL, NULL, NULL), SQLITE_OK);
  char *before = ledger_dump(db);
  db_close(&db);

  ck_assert_int_eq(db_open(path, 0, &db, &err), 0);
  char *after = ledger_dump(db);
  ck_assert_str_eq(after, before);
  Campaign *k = NULL;
  ck_assert_int_eq(db_campaign_get(db, 7, &k), 0);
  ck_assert(k->act[ACT_WATCH].on && k->act[ACT_LIVE_BONUS].on && !k->act[ACT_QUIZ].on);
  ck_assert_int_eq(k->act[ACT_WATCH].rate, 2);
  ck_assert_int_eq(k->act[ACT_WATCH].item_cap, 3);
  ck_assert_int_eq(k->act[ACT_WATCH].daily_cap, 5);
  ck_assert_int_eq(k->act[ACT_LIVE_BONUS].rate, 5);
  ck_assert_int_eq(k->act[ACT_LIVE_BONUS].minutes, 2);
  ck_assert_int_eq(k->act[ACT_LIVE_BONUS].daily_cap, -1);
  ck_assert_int_eq(k->daily_total_cap, -1);
  gint64 b = 0;
  ck_assert_int_eq(db_points_balance(db, m, &b), 0);
  ck_assert_int_eq(b, 2);                                               /* 2 + 1 - 1, counted once */

  WatchCredit s = { 0 };
  ck_assert_int_eq(credit(k, m, "a", 0, 180, false, &s).points, 2);   /* 2 more reach the daily 5 */
  WatchCredit s2 = { .session_id = "s2" };
  ck_assert_int_eq(credit(k, m, "live", 0, 120, true, &s2).points, 5); /* no watch points; the bonus */
  ck_assert_int_eq(balance(m), 9);
  /* The old entries are still there, word for word, before the new ones. */
  char *now = ledger_dump(db);
  ck_assert(g_str_has_prefix(now, before));
  g_free(now);
  g_free(before);
  g_free(after);
  g_free(path);
  g_free(m);
  campaign_free(&k);
}
END_TEST

/* The total daily cap holds across activities: watch points and the live bonus share it. */
START_TEST(total_daily_cap_across_activities)
{
  Campaign *k = campaign(1, -1, -1, 5, 1);
  k->daily_total_cap = 4;
  ck_assert_int_eq(db_campaign_save(db, k), 0);
  char *m = member(true);
  WatchCredit s = { 0 };
  ck_assert_int_eq(credit(k, m, "live1", 0, 60, true, &s).points, 1 + 3);  /* bonus cut to 3 */
  ck_assert_int_eq(credit(k, m, "live1", 60, 240, true, &s).points, 0);
  ck_assert_int_eq(balance(m), 4);
  gint64 allowed = -1;
  g_autofree char *day = points_local_day(k, util_now());
  ck_assert_int_eq(points_allowed(db, k, ACT_QUIZ, m, day, 10, &allowed), 0);
  ck_assert_int_eq(allowed, 0);                                              /* no quiz row */
  g_free(m);
  campaign_free(&k);
}
END_TEST

/* points_zone_day: the same instant is a different day in Shanghai and in UTC; no zone, no day. */
START_TEST(zone_day_is_the_calendar_day_in_the_zone)
{
  GTimeZone *sh = g_time_zone_new_identifier("Asia/Shanghai"), *utc = g_time_zone_new_utc();
  ck_assert_ptr_nonnull(sh);
  GDateTime *at = g_date_time_new(utc, 2030, 3, 4, 17, 30, 0); /* 01:30 on the 5th in Shanghai */
  gint64 t = g_date_time_to_unix(at);
  g_autofree char *a = points_zone_day(sh, t), *b = points_zone_day(utc, t);
  g_autofree char *c = points_zone_day(sh, t - 3600), *none = points_zone_day(NULL, t);
  ck_assert_str_eq(a, "2030-03-05");
  ck_assert_str_eq(b, "2030-03-04");
  ck_assert_str_eq(c, "2030-03-05");
  ck_assert_str_eq(none, "1970-01-01");
  g_autofree char *before = points_zone_day(sh, t - 5401); /* 23:59:59 on the 4th there */
  ck_assert_str_eq(before, "2030-03-04");
  g_date_time_unref(at);
  g_time_zone_unref(sh);
  g_time_zone_unref(utc);
}
END_TEST

static Suite *points_suite(void)
{
  Suite *s = suite_create("points");
  TCase *tc = tcase_create("points");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, windows_are_whole_days_in_the_campaign_zone);
  tcase_add_test(tc, zone_day_is_the_calendar_day_in_the_zone);
  tcase_add_test(tc, overlapping_campaigns_are_refused);
  tcase_add_test(tc, each_minute_is_paid_once);
  tcase_add_test(tc, caps_per_video_and_per_day);
  tcase_add_test(tc, only_verified_members_in_a_campaign_earn);
  tcase_add_test(tc, live_attendance_bonus_is_paid_once);
  tcase_add_test(tc, views_unique_viewers_watch_time_and_retention);
  tcase_add_test(tc, migration_keeps_the_ledger_and_the_watch_rules);
  tcase_add_test(tc, total_daily_cap_across_activities);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(points_suite)
