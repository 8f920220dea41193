/* Tests for src/http/api_points.c and the reads behind the editor console: who earned what
 * in a campaign, member search and disqualification reasons, audit filters, and the
 * statistics series (views per day, concurrent viewers across a live). */
#include "api_fixture.h"
#include "core/util.h"
#include "db/db_points.h"
#include "db/db_video.h"
#include "db/db_watch.h"

#include <string.h>

/* Sends METHOD PATH?QUERY with BODY as the editor, asserts STATUS, returns the parsed body. */
static JsonNode *as_editor(const char *method, const char *path, const char *query, const char *body,
                           int status)
{
  ApiReq r = { .method = method, .path = path, .query = query, .auth = editor_auth, .body = body };
  int got = api_send(&r);
  ck_assert_msg(got == status, "%s %s?%s %s: %d, wanted %d: %s", method, path, query ? query : "",
                body ? body : "", got, status, r.out);
  JsonNode *n = json_from_string(r.out, NULL);
  api_req_clear(&r);
  return n;
}

static char *member(const char *name, bool verified)
{
  Member *m = NULL;
  char *token = NULL;
  g_assert(auth_member_create(db, secret, name, ROLE_VIEWER, verified, &m, &token) == 0);
  char *id = g_strdup(m->id);
  member_free(&m);
  g_free(token);
  return id;
}

static void exec(const char *sql)
{
  char *err = NULL;
  ck_assert_msg(sqlite3_exec(db->conn, sql, NULL, NULL, &err) == SQLITE_OK, "%s: %s", sql, err);
}

static void ledger(const char *who, gint64 amount, const char *reason, gint64 campaign, const char *key)
{
  LedgerEntry e = { .member_id = who, .amount = amount, .reason = reason, .campaign_id = campaign,
                    .key = key, .at = util_now() };
  ck_assert_int_eq(db_ledger_add(db, &e), 0);
}

static gint64 int_at(JsonNode *n, const char *path)
{
  JsonNode *r = json_path_query(path, n, NULL);
  JsonArray *a = json_node_get_array(r);
  ck_assert_msg(json_array_get_length(a) == 1, "%s not found", path);
  gint64 v = json_array_get_int_element(a, 0);
  json_node_unref(r);
  return v;
}

static const char *str_at(JsonNode *n, const char *member_name, guint i, const char *field)
{
  JsonArray *a = json_object_get_array_member(json_node_get_object(n), member_name);
  return json_object_get_string_member(json_array_get_object_element(a, i), field);
}

START_TEST(earners_list_who_earned_what_most_first_and_paged)
{
  JsonNode *k = as_editor("POST", "/api/v1/campaigns", NULL,
                          "{\"name\":\"冬季\",\"starts_on\":\"2026-01-01\",\"ends_on\":\"2026-01-31\"}", 201);
  gint64 id = int_at(k, "$.id");
  json_node_unref(k);
  k = as_editor("POST", "/api/v1/campaigns", NULL,
                "{\"name\":\"春季\",\"starts_on\":\"2026-03-01\",\"ends_on\":\"2026-03-31\"}", 201);
  gint64 other = int_at(k, "$.id");
  json_node_unref(k);
  g_autofree char *a = member("甲", true), *b = member("乙", true), *c = member("丙", true);
  ledger(a, 1, "watch", id, "w1");
  ledger(a, 1, "watch", id, "w2");
  ledger(b, 5, "live_bonus", id, "lb");
  ledger(b, 1, "watch", id, "w3");
  ledger(c, 9, "watch", other, "w4");     /* another campaign's */
  ledger(a, 100, "correction", 0, "fix"); /* corrections belong to no campaign */

  g_autofree char *path = g_strdup_printf("/api/v1/campaigns/%" G_GINT64_FORMAT "/earners", id);
  JsonNode *n = as_editor("GET", path, NULL, NULL, 200);
  ck_assert_int_eq(int_at(n, "$.members"), 2);
  ck_assert_int_eq(int_at(n, "$.points"), 8);
  ck_assert_int_eq(int_at(n, "$.campaign.id"), id);
  ck_assert_str_eq(str_at(n, "earners", 0, "member_id"), b);
  ck_assert_str_eq(str_at(n, "earners", 0, "display_name"), "乙");
  ck_assert_int_eq(int_at(n, "$.earners[0].points"), 6);
  ck_assert_int_eq(int_at(n, "$.earners[0].live_bonus_points"), 5);
  ck_assert_int_eq(int_at(n, "$.earners[0].watch_points"), 1);
  ck_assert_int_eq(int_at(n, "$.earners[1].points"), 2);
  ck_assert_int_eq(int_at(n, "$.earners[1].entries"), 2);
  json_node_unref(n);

  n = as_editor("GET", path, "page=2&per_page=1", NULL, 200);
  ck_assert_str_eq(str_at(n, "earners", 0, "member_id"), a);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(n), "earners")), 1);
  json_node_unref(n);
  json_node_unref(as_editor("GET", path, "per_page=0", NULL, 400));
  json_node_unref(as_editor("GET", "/api/v1/campaigns/999/earners", NULL, NULL, 404));
  json_node_unref(as_editor("GET", "/api/v1/campaigns/x/earners", NULL, NULL, 404));
  ck_assert_int_eq(call("GET", path, viewer_auth, NULL, NULL), 403);
}
END_TEST

START_TEST(members_are_searched_and_disqualified_with_a_reason)
{
  g_autofree char *li = member("李小明", false), *wang = member("王 50%_", true);
  JsonNode *n = as_editor("GET", "/api/v1/members", "q=小明", NULL, 200);
  ck_assert_int_eq(int_at(n, "$.total"), 1);
  ck_assert_str_eq(str_at(n, "members", 0, "id"), li);
  json_node_unref(n);
  /* % and _ are matched as themselves, not as wildcards */
  n = as_editor("GET", "/api/v1/members", "q=0%_", NULL, 200);
  ck_assert_int_eq(int_at(n, "$.total"), 1);
  ck_assert_str_eq(str_at(n, "members", 0, "id"), wang);
  json_node_unref(n);
  n = as_editor("GET", "/api/v1/members", "q=%", NULL, 200);
  ck_assert_int_eq(int_at(n, "$.total"), 1);
  json_node_unref(n);
  g_autofree char *prefix = g_strndup(li, 6);
  g_autofree char *by_id = g_strdup_printf("q=%s", prefix);
  n = as_editor("GET", "/api/v1/members", by_id, NULL, 200);
  ck_assert_int_ge(int_at(n, "$.total"), 1);
  json_node_unref(n);
  /* the fixture's three staff members and the two above, two a page */
  n = as_editor("GET", "/api/v1/members", "per_page=2&page=3", NULL, 200);
  ck_assert_int_eq(int_at(n, "$.total"), 5);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(n), "members")), 1);
  json_node_unref(n);

  g_autofree char *path = g_strdup_printf("/api/v1/members/%s", li);
  n = as_editor("PATCH", path, NULL, "{\"real_name_verified\":true}", 200);
  json_node_unref(n);
  char *out = NULL;
  ck_assert_int_eq(call("PATCH", path, editor_auth, "{\"disqualified\":true}", &out), 400);
  assert_error_shape(out, "invalid_field");
  g_free(out);
  n = as_editor("PATCH", path, NULL, "{\"disqualified\":true,\"reason\":\"\"}", 400);
  json_node_unref(n);
  n = as_editor("PATCH", path, NULL, "{\"disqualified\":true,\"reason\":\"刷课：同一设备多账号\"}", 200);
  ck_assert(json_object_get_boolean_member(json_node_get_object(n), "disqualified"));
  ck_assert(json_object_get_boolean_member(json_node_get_object(n), "real_name_verified"));
  ck_assert_str_eq(json_object_get_string_member(json_node_get_object(n), "disqualified_reason"),
                   "刷课：同一设备多账号");
  json_node_unref(n);
  n = as_editor("GET", "/api/v1/members", "q=小明", NULL, 200);
  ck_assert_str_eq(str_at(n, "members", 0, "disqualified_reason"), "刷课：同一设备多账号");
  json_node_unref(n);
  g_autofree char *mine = g_strdup_printf("target_type=member&target_id=%s", li);
  n = as_editor("GET", "/api/v1/audit", mine, NULL, 200);
  JsonNode *r = json_path_query("$.entries[0].detail.reason", n, NULL);
  ck_assert_str_eq(json_array_get_string_element(json_node_get_array(r), 0), "刷课：同一设备多账号");
  json_node_unref(r);
  json_node_unref(n);
  /* given back: no reason shown any more */
  n = as_editor("PATCH", path, NULL, "{\"disqualified\":false,\"reason\":\"申诉成功\"}", 200);
  ck_assert(!json_object_has_member(json_node_get_object(n), "disqualified_reason"));
  json_node_unref(n);
}
END_TEST

START_TEST(audit_is_filtered_by_actor_action_target_and_time)
{
  json_node_unref(as_editor("POST", "/api/v1/categories", NULL, "{\"name\":\"劳模\"}", 201));
  json_node_unref(as_editor("POST", "/api/v1/campaigns", NULL,
                            "{\"name\":\"冬季\",\"starts_on\":\"2026-01-01\",\"ends_on\":\"2026-01-31\"}", 201));
  ApiReq r = { .method = "POST", .path = "/api/v1/categories", .auth = admin_auth, .body = "{\"name\":\"志愿\"}" };
  ck_assert_int_eq(api_send(&r), 201);
  api_req_clear(&r);
  /* an old entry, a day ago */
  gint64 day_ago = util_now() - 86400;
  g_autofree char *old = g_strdup_printf("INSERT INTO audit_log (at, member_id, member_name, action, "
      "target_type, target_id, detail) VALUES (%" G_GINT64_FORMAT ", 'someone', 'x', 'campaign.update', "
      "'campaign', '1', '{}')", day_ago);
  exec(old);

  JsonNode *n = as_editor("GET", "/api/v1/audit", "action=campaign", NULL, 200);
  JsonArray *e = json_object_get_array_member(json_node_get_object(n), "entries");
  ck_assert_int_eq(json_array_get_length(e), 2);
  json_node_unref(n);
  n = as_editor("GET", "/api/v1/audit", "action=campaign.create", NULL, 200);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(n), "entries")), 1);
  json_node_unref(n);
  n = as_editor("GET", "/api/v1/audit", "action=campaign.cr", NULL, 200); /* no partial names */
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(n), "entries")), 0);
  json_node_unref(n);
  n = as_editor("GET", "/api/v1/audit", "member=someone", NULL, 200);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(n), "entries")), 1);
  json_node_unref(n);
  n = as_editor("GET", "/api/v1/audit", "action=category&member=", NULL, 200); /* blank: no filter */
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(n), "entries")), 2);
  json_node_unref(n);

  g_autofree char *hour_ago = util_iso8601(util_now() - 3600);
  g_autofree char *q = g_strdup_printf("since=%s", hour_ago);
  n = as_editor("GET", "/api/v1/audit", q, NULL, 200);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(n), "entries")), 3);
  json_node_unref(n);
  g_free(q);
  q = g_strdup_printf("until=%s", hour_ago);
  n = as_editor("GET", "/api/v1/audit", q, NULL, 200);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(n), "entries")), 1);
  ck_assert_str_eq(str_at(n, "entries", 0, "member_id"), "someone");
  json_node_unref(n);
  json_node_unref(as_editor("GET", "/api/v1/audit", "since=yesterday", NULL, 400));
  json_node_unref(as_editor("GET", "/api/v1/audit", "target_type=planet", NULL, 400));
}
END_TEST

static char *ready_video(gint64 duration_ms)
{
  char *id = NULL;
  g_assert(db_video_create_upload(db, "统计课", "", "other", NULL, &id) == 0);
  g_assert(db_video_set_state(db, id, NULL, "ready", NULL, NULL) == 0);
  g_assert(db_video_set_media(db, id, duration_ms, NULL) == 0);
  return id;
}

static void session(const char *video, int n, gint64 start, gint64 end, bool counted)
{
  g_autofree char *sid = g_strdup_printf("s%d", n);
  WatchSessionRow row = { .id = sid, .video_id = video, .started_at = start, .last_seen_at = end,
                          .ended_at = end, .end_reason = "stopped", .counted_view = counted };
  ck_assert_int_eq(db_watch_session_put(db, &row), 0);
}

START_TEST(stats_have_views_per_day_and_concurrent_viewers_across_a_live)
{
  g_autofree char *v = ready_video(60000);
  /* Days in Asia/Shanghai (UTC+8) around a base an exact number of days before now, at
   * 12:00 there (04:00 UTC), so no test depends on today's date. */
  gint64 base = (util_now() / 86400 - 10) * 86400 + 4 * 3600;
  session(v, 1, base, base + 60, true);
  session(v, 2, base + 100, base + 160, true);
  session(v, 3, base + 200, base + 205, false);               /* under 10 s: no view */
  session(v, 4, base + 2 * 86400, base + 2 * 86400 + 60, true);
  session(v, 5, base + 2 * 86400 + 17 * 3600, base + 2 * 86400 + 17 * 3600 + 60, true); /* 05:00 next day there */
  g_autofree char *path = g_strdup_printf("/api/v1/videos/%s/stats", v);
  JsonNode *n = as_editor("GET", path, NULL, NULL, 200);
  JsonArray *days = json_object_get_array_member(json_node_get_object(n), "views_per_day");
  ck_assert_int_eq(json_array_get_length(days), 4);
  gint64 expect[] = {2, 0, 1, 1};
  for (guint i = 0; i < 4; i++)
    ck_assert_int_eq(json_object_get_int_member(json_array_get_object_element(days, i), "views"), expect[i]);
  g_autofree char *first = NULL;
  {
    GDateTime *t = g_date_time_new_from_unix_utc(base);
    GTimeZone *tz = g_time_zone_new_identifier("Asia/Shanghai");
    GDateTime *l = g_date_time_to_timezone(t, tz);
    first = g_date_time_format(l, "%Y-%m-%d");
    g_date_time_unref(l);
    g_date_time_unref(t);
    g_time_zone_unref(tz);
  }
  ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(days, 0), "day"), first);
  ck_assert(JSON_NODE_HOLDS_NULL(json_object_get_member(json_node_get_object(n), "live_viewers")));
  json_node_unref(n);
  /* In UTC the last two views fall on one calendar day: three days, not four. */
  n = as_editor("GET", path, "time_zone=UTC", NULL, 200);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(n), "views_per_day")), 3);
  json_node_unref(n);
  json_node_unref(as_editor("GET", path, "time_zone=Mars/Olympus", NULL, 400));

  /* A live that was on air for 60 s an hour ago: viewers joined and left. */
  g_autofree char *l = ready_video(60000);
  gint64 on = util_now() - 3600;
  g_autofree char *log = g_strdup_printf(
      "INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES "
      "('%s', %" G_GINT64_FORMAT ", 'scheduled', 'live'), ('%s', %" G_GINT64_FORMAT ", 'live', 'processing')",
      l, on, l, on + 60);
  exec(log);
  session(l, 10, on + 1, on + 59, true);   /* the whole live */
  session(l, 11, on + 12, on + 25, true);  /* the second step, into the third */
  session(l, 12, on + 14, on + 18, false); /* also in the second */
  session(l, 13, on + 45, on + 50, false); /* the fifth */
  session(l, 14, on + 120, on + 180, true); /* the recording, after the live */
  g_autofree char *lpath = g_strdup_printf("/api/v1/videos/%s/stats", l);
  n = as_editor("GET", lpath, NULL, NULL, 200);
  ck_assert_int_eq(int_at(n, "$.live_viewers.step"), 10);
  JsonArray *pts = json_object_get_array_member(json_object_get_object_member(json_node_get_object(n), "live_viewers"), "points");
  ck_assert_int_eq(json_array_get_length(pts), 6);
  gint64 want[] = {1, 3, 2, 1, 2, 1};
  for (guint i = 0; i < 6; i++)
    ck_assert_msg(json_object_get_int_member(json_array_get_object_element(pts, i), "viewers") == want[i],
                  "point %u: %" G_GINT64_FORMAT ", wanted %" G_GINT64_FORMAT, i,
                  json_object_get_int_member(json_array_get_object_element(pts, i), "viewers"), want[i]);
  g_autofree char *on_iso = util_iso8601(on);
  ck_assert_str_eq(json_object_get_string_member(json_object_get_object_member(json_node_get_object(n), "live_viewers"), "started_at"), on_iso);
  json_node_unref(n);
}
END_TEST

START_TEST(the_live_series_has_at_most_360_points)
{
  g_autofree char *l = ready_video(60000);
  gint64 on = util_now() - 20 * 3600;
  g_autofree char *log = g_strdup_printf(
      "INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES "
      "('%s', %" G_GINT64_FORMAT ", 'scheduled', 'live'), ('%s', %" G_GINT64_FORMAT ", 'live', 'processing')",
      l, on, l, on + 10 * 3600);
  exec(log);
  int rc = 0;
  JsonNode *n = db_watch_live_viewers_json(db, l, util_now(), &rc);
  ck_assert_ptr_nonnull(n);
  ck_assert_int_eq(int_at(n, "$.step"), 100);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(json_node_get_object(n), "points")), 360);
  json_node_unref(n);
}
END_TEST

/* Nobody corrects their own points (they turn into prizes); another editor may. */
START_TEST(nobody_corrects_their_own_points)
{
  Member *ed = NULL;
  ck_assert_int_eq(auth_bearer(db, secret, editor_auth, &ed), 0);
  g_autofree char *self = g_strdup_printf("{\"member\":\"%s\",\"amount\":500,\"note\":\"自己加分\"}", ed->id);
  ApiReq r = { .method = "POST", .path = "/api/v1/points/corrections", .auth = editor_auth, .body = self };
  ck_assert_int_eq(api_send(&r), 403);
  assert_error_shape(r.out, "forbidden");
  r.auth = admin_auth;
  ck_assert_int_eq(api_send(&r), 201);
  api_req_clear(&r);
  gint64 balance = -1;
  ck_assert_int_eq(db_ledger_sum(db, ed->id, NULL, 0, NULL, NULL, &balance), 0);
  ck_assert_int_eq(balance, 500); /* the admin's correction only */
  member_free(&ed);
}
END_TEST

static Suite *api_points_suite(void)
{
  Suite *s = suite_create("api_points");
  TCase *tc = tcase_create("console");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, earners_list_who_earned_what_most_first_and_paged);
  tcase_add_test(tc, members_are_searched_and_disqualified_with_a_reason);
  tcase_add_test(tc, audit_is_filtered_by_actor_action_target_and_time);
  tcase_add_test(tc, stats_have_views_per_day_and_concurrent_viewers_across_a_live);
  tcase_add_test(tc, the_live_series_has_at_most_360_points);
  tcase_add_test(tc, nobody_corrects_their_own_points);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(api_points_suite)
