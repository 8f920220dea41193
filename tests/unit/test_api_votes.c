/* Tests for src/http/api_votes.c through the real dispatcher: an editor sets a vote up, opens
 * it and closes it; members vote (refusals with their codes and statuses); results as the
 * rules allow; invalidations; the rate limit's 429 and Retry-After; the signal report. */
#include "api_fixture.h"
#include "core/util.h"
#include "db/db_video.h"

#include <string.h>

static JsonObject *parse(const char *body, JsonNode **keep)
{
  *keep = json_from_string(body, NULL);
  ck_assert_msg(*keep && JSON_NODE_HOLDS_OBJECT(*keep), "%s", body);
  return json_node_get_object(*keep);
}

static char *video(const char *title)
{
  char *id = NULL;
  ck_assert_int_eq(db_video_create_upload(db, title, NULL, NULL, NULL, &id), 0);
  ck_assert_int_eq(db_video_set_state(db, id, NULL, "ready", "test", NULL), 0);
  ck_assert_int_eq(db_video_set_text(db, id, VIDEO_VISIBILITY, "published"), 0);
  return id;
}

/* A vote on two new videos (ids in V), open now, TALLY mode; returns its path. */
static char *open_vote(const char *tally, char *v[2])
{
  v[0] = video("甲");
  v[1] = video("乙");
  g_autofree char *from = util_iso8601(util_now() - 86400), *until = util_iso8601(util_now() + 86400);
  g_autofree char *body = g_strdup_printf(
      "{\"title\":\"最美微视频\",\"opens_at\":\"%s\",\"closes_at\":\"%s\",\"votes_per_day\":2,"
      "\"tally\":\"%s\",\"items\":[{\"id\":\"%s\"},{\"kind\":\"video\",\"id\":\"%s\"}]}",
      from, until, tally, v[0], v[1]);
  char *out = NULL;
  int st = call("POST", "/api/v1/votes", editor_auth, body, &out);
  ck_assert_msg(st == 201, "%d %s", st, out);
  JsonNode *n = NULL;
  gint64 id = json_object_get_int_member(parse(out, &n), "id");
  ck_assert_str_eq(json_object_get_string_member(json_node_get_object(n), "state"), "draft");
  json_node_unref(n);
  g_free(out);
  char *path = g_strdup_printf("/api/v1/votes/%" G_GINT64_FORMAT, id);
  /* A draft is the editors' alone. */
  ck_assert_int_eq(call("GET", path, NULL, NULL, NULL), 404);
  g_autofree char *open = g_strconcat(path, "/open", NULL);
  ck_assert_int_eq(call("POST", open, editor_auth, "", NULL), 200);
  ck_assert_int_eq(call("GET", path, NULL, NULL, NULL), 200);
  return path;
}

static int vote(const char *path, const char *auth, const char *item, char **out)
{
  g_autofree char *p = g_strconcat(path, "/ballots", NULL);
  g_autofree char *body = g_strdup_printf("{\"item\":\"%s\"}", item);
  return call("POST", p, auth, body, out);
}

START_TEST(vote_and_refusals)
{
  char *v[2];
  g_autofree char *path = open_vote("final", v);
  char *out = NULL;
  ck_assert_int_eq(vote(path, viewer_auth, v[0], &out), 201);
  JsonNode *n = NULL;
  JsonObject *o = parse(out, &n);
  ck_assert_int_eq(json_object_get_int_member(o, "remaining"), 1);
  json_node_unref(n);
  g_free(out);
  ck_assert_int_eq(vote(path, viewer_auth, v[0], &out), 409);
  assert_error_shape(out, "already_voted");
  g_free(out);
  ck_assert_int_eq(vote(path, viewer_auth, "nope", &out), 404);
  assert_error_shape(out, "no_item");
  g_free(out);
  /* Unverified: refused, nothing stored. */
  Member *m = NULL;
  char *token = NULL;
  ck_assert_int_eq(auth_member_create(db, secret, "未认证", ROLE_VIEWER, false, &m, &token), 0);
  g_autofree char *unverified = g_strconcat("Bearer ", token, NULL);
  ck_assert_int_eq(vote(path, unverified, v[1], &out), 403);
  assert_error_shape(out, "not_verified");
  g_free(out);
  g_autofree char *me = g_strconcat(path, "/me", NULL);
  ck_assert_int_eq(call("GET", me, unverified, NULL, &out), 200);
  o = parse(out, &n);
  ck_assert_str_eq(json_object_get_string_member(o, "blocked"), "not_verified");
  ck_assert_int_eq(json_object_get_int_member(o, "used"), 0);
  json_node_unref(n);
  g_free(out);
  ck_assert_int_eq(vote(path, viewer_auth, v[1], &out), 201);
  g_free(out);
  ck_assert_int_eq(call("GET", me, viewer_auth, NULL, &out), 200);
  o = parse(out, &n);
  ck_assert_int_eq(json_object_get_int_member(o, "remaining"), 0);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(o, "today")), 2);
  ck_assert(json_object_get_null_member(o, "blocked"));
  json_node_unref(n);
  g_free(out);
  /* Guests need a credential to vote. */
  ck_assert_int_eq(vote(path, NULL, v[1], NULL), 401);
  member_free(&m);
  g_free(token);
  g_free(v[0]);
  g_free(v[1]);
}
END_TEST

START_TEST(results_by_the_rules)
{
  char *v[2];
  g_autofree char *path = open_vote("final", v);
  g_autofree char *results = g_strconcat(path, "/results", NULL);
  ck_assert_int_eq(vote(path, viewer_auth, v[1], NULL), 201);
  ck_assert_int_eq(vote(path, editor_auth, v[1], NULL), 201);
  ck_assert_int_eq(vote(path, admin_auth, v[0], NULL), 201);
  char *out = NULL;
  JsonNode *n = NULL;
  /* Final: hidden from the public until the end; editors see the count. */
  ck_assert_int_eq(call("GET", results, NULL, NULL, &out), 200);
  JsonObject *o = parse(out, &n);
  ck_assert_str_eq(json_object_get_string_member(o, "shown"), "hidden");
  ck_assert(json_object_get_null_member(o, "tally"));
  json_node_unref(n);
  g_free(out);
  ck_assert_int_eq(call("GET", results, editor_auth, NULL, &out), 200);
  o = parse(out, &n);
  ck_assert_str_eq(json_object_get_string_member(o, "shown"), "editor");
  ck_assert_int_eq(json_object_get_int_member(json_object_get_object_member(o, "tally"), "valid"), 3);
  json_node_unref(n);
  g_free(out);
  /* Invalidate the admin's ballot, then close. */
  sqlite3_stmt *st = db_prepare(db, "SELECT id FROM vote_ballot WHERE item_id = ?1");
  sqlite3_bind_text(st, 1, v[0], -1, SQLITE_STATIC);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  gint64 ballot = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  g_autofree char *inval = g_strconcat(path, "/invalidations", NULL);
  g_autofree char *body = g_strdup_printf("{\"ballots\":[%" G_GINT64_FORMAT "],\"reason\":\"同一设备\"}", ballot);
  ck_assert_int_eq(call("POST", inval, viewer_auth, body, NULL), 403);
  ck_assert_int_eq(call("POST", inval, editor_auth, "{\"ballots\":[],\"reason\":\"x\"}", NULL), 400);
  ck_assert_int_eq(call("POST", inval, editor_auth, body, &out), 200);
  g_free(out);
  g_autofree char *close = g_strconcat(path, "/close", NULL);
  ck_assert_int_eq(call("POST", close, editor_auth, "", &out), 200);
  g_free(out);
  ck_assert_int_eq(call("POST", inval, editor_auth, body, NULL), 409);
  ck_assert_int_eq(call("GET", results, NULL, NULL, &out), 200);
  o = parse(out, &n);
  ck_assert_str_eq(json_object_get_string_member(o, "shown"), "final");
  JsonObject *t = json_object_get_object_member(o, "tally");
  ck_assert_int_eq(json_object_get_int_member(t, "valid"), 2);
  ck_assert_int_eq(json_object_get_int_member(t, "invalidated"), 1);
  JsonObject *top = json_array_get_object_element(json_object_get_array_member(t, "items"), 0);
  ck_assert_str_eq(json_object_get_string_member(top, "id"), v[1]);
  ck_assert_int_eq(json_object_get_int_member(top, "rank"), 1);
  g_autofree char *sha = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
                                                      json_object_get_string_member(o, "canonical"), -1);
  ck_assert_str_eq(sha, json_object_get_string_member(o, "sha256"));
  json_node_unref(n);
  g_free(out);
  /* Closed: no more votes, no more rule changes. */
  ck_assert_int_eq(vote(path, viewer_auth, v[0], &out), 409);
  assert_error_shape(out, "not_open");
  g_free(out);
  ck_assert_int_eq(call("PATCH", path, editor_auth, "{\"title\":\"新\"}", NULL), 409);
  g_free(v[0]);
  g_free(v[1]);
}
END_TEST

START_TEST(live_tally_and_edits)
{
  char *v[2];
  g_autofree char *path = open_vote("live", v);
  g_autofree char *results = g_strconcat(path, "/results", NULL);
  ck_assert_int_eq(vote(path, viewer_auth, v[0], NULL), 201);
  char *out = NULL;
  JsonNode *n = NULL;
  ck_assert_int_eq(call("GET", results, NULL, NULL, &out), 200);
  JsonObject *o = parse(out, &n);
  ck_assert_str_eq(json_object_get_string_member(o, "shown"), "live");
  ck_assert_int_eq(json_object_get_int_member(json_object_get_object_member(o, "tally"), "valid"), 1);
  json_node_unref(n);
  g_free(out);
  /* Open: the title may change, the rules may not. */
  ck_assert_int_eq(call("PATCH", path, editor_auth, "{\"title\":\"新标题\"}", NULL), 200);
  ck_assert_int_eq(call("PATCH", path, editor_auth, "{\"votes_per_day\":5}", &out), 409);
  assert_error_shape(out, "vote_open");
  g_free(out);
  ck_assert_int_eq(call("POST", "/api/v1/votes", editor_auth, "{\"title\":\"x\"}", NULL), 400);
  ck_assert_int_eq(call("POST", "/api/v1/votes", editor_auth,
                        "{\"title\":\"x\",\"opens_at\":\"2030-01-02T00:00:00Z\",\"closes_at\":\"2030-01-01T00:00:00Z\"}", NULL), 400);
  ck_assert_int_eq(call("POST", "/api/v1/votes", editor_auth,
                        "{\"title\":\"x\",\"opens_at\":\"2030-01-01T00:00:00Z\",\"closes_at\":\"2030-01-02T00:00:00Z\","
                        "\"items\":[{\"id\":\"nope\"}]}", &out), 400);
  assert_error_shape(out, "unknown_video");
  g_free(out);
  /* The public list holds it, not the drafts. */
  ck_assert_int_eq(call("GET", "/api/v1/votes", NULL, NULL, &out), 200);
  o = parse(out, &n);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(o, "votes")), 1);
  json_node_unref(n);
  g_free(out);
  /* The report answers (nothing flagged). */
  g_autofree char *rep = g_strconcat(path, "/report", NULL);
  ck_assert_int_eq(call("GET", rep, editor_auth, NULL, &out), 200);
  o = parse(out, &n);
  ck_assert_int_eq(json_array_get_length(json_object_get_array_member(o, "shared_addresses")), 0);
  json_node_unref(n);
  g_free(out);
  g_free(v[0]);
  g_free(v[1]);
}
END_TEST

START_TEST(rate_limited)
{
  config.vote_member_rate = 3;
  char *v[2];
  g_autofree char *path = open_vote("live", v);
  char *out = NULL;
  for (int i = 0; i < 3; i++)
    ck_assert_int_ne(vote(path, viewer_auth, v[0], NULL), 429);
  ApiReq r = { .method = "POST", .auth = viewer_auth };
  g_autofree char *p = g_strconcat(path, "/ballots", NULL);
  g_autofree char *body = g_strdup_printf("{\"item\":\"%s\"}", v[1]);
  r.path = p;
  r.body = body;
  ck_assert_int_eq(api_send(&r), 429);
  assert_error_shape(r.out, "rate_limited");
  const char *retry = g_hash_table_lookup(r.headers, "retry-after:");
  ck_assert_ptr_nonnull(retry);
  ck_assert_int_gt(atoi(retry), 0);
  api_req_clear(&r);
  /* Another member is not held back by this one. */
  ck_assert_int_eq(vote(path, editor_auth, v[1], &out), 201);
  g_free(out);
  g_free(v[0]);
  g_free(v[1]);
}
END_TEST

static Suite *api_votes_suite(void)
{
  Suite *s = suite_create("api_votes");
  TCase *tc = tcase_create("api");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, vote_and_refusals);
  tcase_add_test(tc, results_by_the_rules);
  tcase_add_test(tc, live_tally_and_edits);
  tcase_add_test(tc, rate_limited);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(api_votes_suite)
