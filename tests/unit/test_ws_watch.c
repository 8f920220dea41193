/* Tests for src/http/ws_watch.c: the watch service on the transport, without a socket. What
 * players send is routed to the service, what it says comes back on the right connections,
 * and every message satisfies its schema in schemas/ws/. Timers run on the main loop here. */
#include "auth/auth.h"
#include "core/util.h"
#include "db/db_video.h"
#include "http/ws.h"
#include "http/ws_watch.h"
#include "json_schema.h"
#include "db_fixture.h"
#include "testutil.h"

#include <string.h>

static char *dir;
static Db *db;
static Config config;
static Ws *ws;
static char *vod, *live, *token;
static const guint8 key[TOKEN_SECRET_LEN] = { 3 };

static void setup(void)
{
  db = tu_db_open(&dir);
  ck_assert_int_eq(config_init_defaults(&config), 0);
  tu_db_watchable(db, &vod, &live);
  Member *m = NULL;
  ck_assert_int_eq(auth_member_create(db, key, "学员", ROLE_VIEWER, true, &m, &token), 0);
  member_free(&m);
  ws = ws_new(db, key, &config);
  ck_assert_int_eq(ws_watch_register(ws, db, &config), 0);
}

static void teardown(void)
{
  ws_free(&ws);
  config_clear(&config);
  tu_db_close(&db, &dir);
  g_free(vod);
  g_free(live);
  g_free(token);
}

static void say(WsConn *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void say(WsConn *c, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *text = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  ws_conn_receive(c, text, strlen(text));
  g_free(text);
}

/* The next message for C, checked against its schema, waiting up to WAIT_MS on the main loop
 * (commits and viewer counts come from timers). Returns the message (unref), or NULL. */
static JsonNode *next(WsConn *c, int wait_ms)
{
  gint64 until = g_get_monotonic_time() + wait_ms * 1000;
  char *text;
  while (!(text = ws_conn_next_output(c)) && g_get_monotonic_time() < until)
    g_main_context_iteration(NULL, FALSE), g_usleep(2000);
  if (!text)
    return NULL;
  JsonNode *n = json_from_string(text, NULL);
  ck_assert_msg(n, "not JSON: %s", text);
  const char *type = json_object_get_string_member(json_node_get_object(n), "type");
  char *rel = g_strdup_printf("schemas/ws/%s.schema.json", type);
  char *path = tu_source_path(rel);
  JsonParser *p = json_parser_new();
  ck_assert_msg(json_parser_load_from_file(p, path, NULL), "no schema for %s", type);
  char *why = NULL;
  ck_assert_msg(json_schema_check(json_parser_get_root(p), n, &why), "%s: %s", text, why);
  g_object_unref(p);
  g_free(path);
  g_free(rel);
  g_free(text);
  return n;
}

/* Expects C's next message to be of TYPE (and for an error, of code CODE); returns it. */
static JsonObject *expect(WsConn *c, const char *type, const char *code, int wait_ms)
{
  static JsonNode *last;
  g_clear_pointer(&last, json_node_unref);
  last = next(c, wait_ms);
  ck_assert_msg(last, "no %s within %d ms", type, wait_ms);
  JsonObject *o = json_node_get_object(last);
  ck_assert_str_eq(json_object_get_string_member(o, "type"), type);
  if (code)
    ck_assert_str_eq(json_object_get_string_member(o, "code"), code);
  return o;
}

#define START "{\"type\":\"watch.start\",\"video\":\"%s\",\"position\":0,\"playing\":true,\"visible\":true}"
#define BEAT "{\"type\":\"heartbeat\",\"seq\":%d,\"video\":\"%s\",\"position\":%d,\"playing\":true,\"visible\":true}"

START_TEST(a_player_watches_through_the_transport)
{
  WsConn *a = ws_conn_open(ws, NULL);
  say(a, "{\"type\":\"hello\",\"token\":\"%s\"}", token);
  JsonObject *o = expect(a, "welcome", NULL, 0);
  ck_assert(json_object_get_member(o, "points") && !json_object_get_null_member(o, "points"));
  say(a, START, vod);
  o = expect(a, "watch.started", NULL, 0);
  ck_assert_str_eq(json_object_get_string_member(o, "video"), vod);
  say(a, BEAT, 1, vod, 0);
  ck_assert_ptr_null(ws_conn_next_output(a)); /* acknowledged only after the commit */
  o = expect(a, "heartbeat.ack", NULL, 2000);
  ck_assert_int_eq(json_object_get_int_member(o, "seq"), 1);
  say(a, BEAT, 1, vod, 0);
  expect(a, "error", "stale", 0);

  /* The same member elsewhere supersedes this session; stopping there ends that one. */
  WsConn *b = ws_conn_open(ws, NULL);
  say(b, "{\"type\":\"hello\",\"token\":\"%s\"}", token);
  expect(b, "welcome", NULL, 0);
  say(b, START, vod);
  o = expect(a, "watch.ended", NULL, 0);
  ck_assert_str_eq(json_object_get_string_member(o, "reason"), "superseded");
  expect(b, "watch.started", NULL, 0);
  say(a, BEAT, 2, vod, 0);
  expect(a, "error", "no_session", 0);
  say(b, "{\"type\":\"watch.stop\",\"seq\":1,\"video\":\"%s\",\"position\":0}", vod);
  o = expect(b, "watch.ended", NULL, 0);
  ck_assert_str_eq(json_object_get_string_member(o, "reason"), "stopped");
  expect(b, "heartbeat.ack", NULL, 2000);
}
END_TEST

START_TEST(live_players_hear_the_count)
{
  WsConn *c[3];
  for (int i = 0; i < 3; i++) {
    c[i] = ws_conn_open(ws, NULL);
    say(c[i], "{\"type\":\"hello\"}");
    expect(c[i], "welcome", NULL, 0);
    say(c[i], START, live);
    JsonObject *o = expect(c[i], "watch.started", NULL, 0);
    ck_assert(json_object_get_boolean_member(o, "live"));
    ck_assert_int_eq(json_object_get_int_member(o, "viewers"), i + 1);
  }
  for (int i = 0; i < 3; i++) {
    JsonObject *o = expect(c[i], "live.viewers", NULL, 3000);
    ck_assert_int_eq(json_object_get_int_member(o, "viewers"), 3);
  }
  /* A closed connection ends its session quietly. */
  ws_conn_close(c[2]);
  JsonObject *o = expect(c[0], "live.viewers", NULL, (int)config.watch_viewers_interval * 1000 + 2000);
  ck_assert_int_eq(json_object_get_int_member(o, "viewers"), 2);
}
END_TEST

static Suite *ws_watch_suite(void)
{
  Suite *s = suite_create("ws_watch");
  TCase *tc = tcase_create("glue");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, a_player_watches_through_the_transport);
  tcase_add_test(tc, live_players_hear_the_count);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(ws_watch_suite)
