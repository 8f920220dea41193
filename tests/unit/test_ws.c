/* Tests for src/http/ws.c without a socket: connections opened with no wsi, messages fed as
 * lws would after assembling frames, and what is queued for each connection read back. The
 * route table (a service gets its types, an unrouted type is unknown_type, hello first), the
 * hello step, sending to a member or a group, and the per-connection limits. */
#include "auth/auth.h"
#include "core/metrics.h"
#include "http/ws.h"
#include "http/ws_frame.h"
#include "auth/session.h"
#include "db_fixture.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static Config config;
static Ws *ws;
static GPtrArray *got;   /* what the fake service received */
static char *member_id, *token;
static bool freed;
static const guint8 key[TOKEN_SECRET_LEN] = { 9 };

static void svc_message(void *user, WsConn *c, const WsMessage *m)
{
  ck_assert_str_eq(user, "svc");
  g_ptr_array_add(got, g_strdup_printf("%s from %" G_GUINT64_FORMAT " seq=%" G_GINT64_FORMAT " video=%s%s",
                                       ws_msg_type_name(m->type), ws_conn_id(c), m->report.seq, m->video,
                                       ws_conn_member(c) ? " (member)" : ""));
}

static void svc_hello(void *user, WsConn *c, WsWelcome *welcome)
{
  (void)user;
  if (ws_conn_member(c))
    welcome->points = json_from_string("{\"balance\":42}", NULL);
  g_ptr_array_add(got, g_strdup_printf("hello %" G_GUINT64_FORMAT, ws_conn_id(c)));
}

static void svc_closed(void *user, WsConn *c)
{
  (void)user;
  g_ptr_array_add(got, g_strdup_printf("closed %" G_GUINT64_FORMAT, ws_conn_id(c)));
}

static void svc_resync(void *user, WsConn *c)
{
  (void)user;
  g_ptr_array_add(got, g_strdup_printf("resync %" G_GUINT64_FORMAT, ws_conn_id(c)));
}

static void svc_free(void *user)
{
  ck_assert_str_eq(user, "svc");
  freed = true;
}

static const WsType svc_types[] = { WS_HEARTBEAT, WS_WATCH_STOP };
static const WsService svc = { .name = "test", .types = svc_types, .n_types = 2, .message = svc_message,
                               .hello = svc_hello, .resync = svc_resync, .closed = svc_closed,
                               .free = svc_free };

static void setup(void)
{
  db = tu_db_open(&dir);
  ck_assert_int_eq(config_init_defaults(&config), 0);
  Member *m = NULL;
  ck_assert_int_eq(auth_member_create(db, key, "学员", ROLE_VIEWER, true, &m, &token), 0);
  member_id = g_strdup(m->id);
  member_free(&m);
  got = g_ptr_array_new_with_free_func(g_free);
  freed = false;
  ws = ws_new(db, key, &config);
  ck_assert_int_eq(ws_register(ws, &svc, "svc"), 0);
}

static void teardown(void)
{
  ws_free(&ws);
  ck_assert_ptr_null(ws);
  g_ptr_array_unref(got);
  config_clear(&config);
  tu_db_close(&db, &dir);
  g_free(member_id);
  g_free(token);
}

static void say(WsConn *c, const char *text)
{
  ws_conn_receive(c, text, strlen(text));
}

/* The next message queued for C, as "type" or "error:code" (caller frees); "" when none. */
static char *next(WsConn *c)
{
  char *text = ws_conn_next_output(c);
  if (!text)
    return g_strdup("");
  JsonNode *n = json_from_string(text, NULL);
  ck_assert_msg(n, "not JSON: %s", text);
  JsonObject *o = json_node_get_object(n);
  const char *type = json_object_get_string_member(o, "type");
  char *out = !strcmp(type, "error") ? g_strdup_printf("error:%s", json_object_get_string_member(o, "code"))
                                     : g_strdup(type);
  json_node_unref(n);
  g_free(text);
  return out;
}

#define NEXT(c, expect)               \
  do {                                \
    char *n_ = next(c);               \
    ck_assert_str_eq(n_, expect);     \
    g_free(n_);                       \
  } while (0)

static char *received(void)
{
  g_ptr_array_add(got, NULL);
  char *all = g_strjoinv("; ", (char **)got->pdata);
  g_ptr_array_set_size(got, 0);
  return all;
}

#define RECEIVED(expect)              \
  do {                                \
    char *r_ = received();            \
    ck_assert_str_eq(r_, expect);     \
    g_free(r_);                       \
  } while (0)

#define BEAT "{\"type\":\"heartbeat\",\"seq\":3,\"video\":\"v1\",\"position\":1,\"playing\":true,\"visible\":true}"

/* Each type goes to the service that registered it and to no other; a type the protocol
 * knows but no service took is unknown_type; nothing but hello before hello. */
START_TEST(types_route_to_their_service)
{
  WsConn *c = ws_conn_open(ws, NULL);
  say(c, BEAT);
  NEXT(c, "error:hello_required");
  RECEIVED("");
  say(c, "{\"type\":\"hello\"}");
  NEXT(c, "welcome");
  RECEIVED("hello 1");
  say(c, BEAT);
  say(c, "{\"type\":\"watch.stop\",\"seq\":4,\"video\":\"v1\",\"position\":2}");
  RECEIVED("heartbeat from 1 seq=3 video=v1; watch.stop from 1 seq=4 video=v1");
  NEXT(c, "");
  say(c, "{\"type\":\"watch.start\",\"video\":\"v1\",\"position\":0,\"playing\":true,\"visible\":true}");
  NEXT(c, "error:unknown_type");
  say(c, "{\"type\":\"quiz.answer\"}");
  NEXT(c, "error:unknown_type");
  say(c, "{\"type\":\"hello\"}");
  NEXT(c, "error:invalid_message");
  say(c, "{\"type\":\"heartbeat\",\"seq\":0}");
  NEXT(c, "error:invalid_field");
  say(c, "{oops");
  NEXT(c, "error:malformed_json");
  RECEIVED("");
  ck_assert_int_eq(ws_conn_closing(c), 0);
}
END_TEST

/* A type has one service: a second claim is refused whole, hello is the transport's. */
START_TEST(a_type_has_one_service)
{
  static const WsType both[] = { WS_WATCH_START, WS_HEARTBEAT };
  WsService other = { .name = "other", .types = both, .n_types = 2, .message = svc_message };
  ck_assert_int_eq(ws_register(ws, &other, "svc"), -EEXIST);
  static const WsType hello[] = { WS_HELLO };
  other.types = hello;
  other.n_types = 1;
  ck_assert_int_eq(ws_register(ws, &other, "svc"), -EEXIST);
  /* The refused claim took nothing: watch.start is still unrouted. */
  WsConn *c = ws_conn_open(ws, NULL);
  say(c, "{\"type\":\"hello\"}");
  NEXT(c, "welcome");
  say(c, "{\"type\":\"watch.start\",\"video\":\"v1\",\"position\":0,\"playing\":true,\"visible\":true}");
  NEXT(c, "error:unknown_type");
  static const WsType start[] = { WS_WATCH_START };
  other.types = start;
  ck_assert_int_eq(ws_register(ws, &other, "svc"), 0);
  say(c, "{\"type\":\"watch.start\",\"video\":\"v2\",\"position\":0,\"playing\":true,\"visible\":true}");
  NEXT(c, "");
  RECEIVED("hello 1; watch.start from 1 seq=0 video=v2");
}
END_TEST

/* hello with a member's credential: the welcome names them and carries what the service
 * added; sending to the member reaches each of their connections; a bad credential closes. */
START_TEST(hello_names_the_member)
{
  WsConn *a = ws_conn_open(ws, NULL), *b = ws_conn_open(ws, NULL), *g = ws_conn_open(ws, NULL);
  char *hello = g_strdup_printf("{\"type\":\"hello\",\"token\":\"%s\"}", token);
  say(a, hello);
  say(b, hello);
  say(g, "{\"type\":\"hello\"}");
  g_free(hello);
  char *text = ws_conn_next_output(a);
  JsonNode *n = json_from_string(text, NULL);
  JsonObject *o = json_node_get_object(n);
  ck_assert_str_eq(json_object_get_string_member(json_object_get_object_member(o, "member"), "id"), member_id);
  ck_assert_int_eq(json_object_get_int_member(json_object_get_object_member(o, "points"), "balance"), 42);
  ck_assert(json_object_get_boolean_member(o, "earns_points"));
  json_node_unref(n);
  g_free(text);
  NEXT(b, "welcome");
  NEXT(g, "welcome");
  ck_assert_str_eq(ws_conn_member(a), member_id);
  ck_assert(ws_conn_verified(a));
  ck_assert_ptr_null(ws_conn_member(g));
  ck_assert(ws_member_online(ws, member_id));
  say(a, BEAT);
  RECEIVED("hello 1; hello 2; hello 3; heartbeat from 1 seq=3 video=v1 (member)");

  ws_send_member(ws, member_id, g_strdup("{\"type\":\"points.update\"}"));
  NEXT(a, "points.update");
  NEXT(b, "points.update");
  NEXT(g, "");
  guint64 group[] = { ws_conn_id(a), ws_conn_id(g), 999 };
  ws_send_group(ws, group, 3, g_strdup("{\"type\":\"live.viewers\"}"));
  NEXT(a, "live.viewers");
  NEXT(b, "");
  NEXT(g, "live.viewers");

  /* An erased member's connections are ended (the guest's is not). */
  ws_close_member(ws, member_id);
  ws_close_member(ws, "nobody");
  NEXT(a, "error:unauthorized");
  NEXT(b, "error:unauthorized");
  ck_assert_int_eq(ws_conn_closing(a), LWS_CLOSE_STATUS_POLICY_VIOLATION);
  ck_assert_int_eq(ws_conn_closing(b), LWS_CLOSE_STATUS_POLICY_VIOLATION);
  ck_assert_int_eq(ws_conn_closing(g), 0);

  ws_conn_close(a);
  ck_assert_ptr_null(ws_conn_find(ws, 1));
  ck_assert(ws_member_online(ws, member_id));
  ws_conn_close(b);
  ck_assert(!ws_member_online(ws, member_id));
  ws_send_to(ws, 1, g_strdup("{}")); /* gone: dropped */
  RECEIVED("closed 1; closed 2");

  WsConn *x = ws_conn_open(ws, NULL);
  say(x, "{\"type\":\"hello\",\"token\":\"not-a-token\"}");
  NEXT(x, "error:unauthorized");
  ck_assert_int_eq(ws_conn_closing(x), LWS_CLOSE_STATUS_POLICY_VIOLATION);
  /* ws_free closes what is open: the service hears it, then is freed. */
  ws_free(&ws);
  ck_assert(freed);
  RECEIVED("closed 3; closed 4");
}
END_TEST

/* hello without a token on a connection whose upgrade carried a session cookie signs in as
 * the session's member; an ended or unknown session leaves a guest (not an error). */
START_TEST(hello_takes_the_browser_session)
{
  char *sid = NULL;
  ck_assert_int_eq(session_create(db, key, member_id, "token", 3600, util_now(), &sid), 0);
  WsConn *a = ws_conn_open(ws, NULL), *dead = ws_conn_open(ws, NULL);
  ws_conn_set_session(a, sid);
  ws_conn_set_session(dead, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ");
  say(a, "{\"type\":\"hello\"}");
  say(dead, "{\"type\":\"hello\"}");
  NEXT(a, "welcome");
  NEXT(dead, "welcome");
  ck_assert_str_eq(ws_conn_member(a), member_id);
  ck_assert(ws_conn_verified(a));
  ck_assert_ptr_null(ws_conn_member(dead));
  ck_assert_int_eq(ws_conn_closing(dead), 0);
  /* Signed out: a new connection with the same cookie is a guest. */
  ck_assert_int_eq(session_end(db, key, sid), 0);
  WsConn *later = ws_conn_open(ws, NULL);
  ws_conn_set_session(later, sid);
  say(later, "{\"type\":\"hello\"}");
  NEXT(later, "welcome");
  ck_assert_ptr_null(ws_conn_member(later));
  g_free(sid);
}
END_TEST

/* Limits per connection: message size, rate, unread output. */
START_TEST(limits_close_one_connection)
{
  WsConn *big = ws_conn_open(ws, NULL), *fast = ws_conn_open(ws, NULL), *slow = ws_conn_open(ws, NULL);
  char text[WS_MSG_MAX + 2];
  memset(text, ' ', sizeof text);
  ws_conn_receive(big, text, sizeof text);
  NEXT(big, "error:too_large");
  ck_assert_int_eq(ws_conn_closing(big), LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE);

  say(fast, "{\"type\":\"hello\"}");
  NEXT(fast, "welcome");
  g_free(received());
  /* A burst of ten seconds' worth passes (hello took one), the rest is dropped. */
  guint burst = (guint)config.watch_message_rate * 10;
  for (guint i = 0; i < burst + 5; i++)
    say(fast, BEAT);
  ck_assert_msg(got->len == burst - 1 || got->len == burst, "%u of a burst of %u passed", got->len, burst);
  NEXT(fast, "error:rate_limited");
  ck_assert_int_eq(ws_conn_closing(fast), 0); /* dropped, not yet closed */

  for (int i = 0; i < 64; i++)
    ws_send(slow, g_strdup("{\"type\":\"live.viewers\"}"));
  ck_assert_int_eq(ws_conn_closing(slow), 0);
  ws_send(slow, g_strdup("{\"type\":\"live.viewers\"}"));
  ck_assert_int_eq(ws_conn_closing(slow), LWS_CLOSE_STATUS_POLICY_VIOLATION);
  /* The transport counts its connections and the errors it sent. */
  char *m = metrics_render();
  ck_assert_msg(strstr(m, "\nlectern_ws_connections 3\n"), "%s", m);
  ck_assert_msg(strstr(m, "\nlectern_ws_errors_total "), "%s", m);
  g_free(m);
}
END_TEST

/* The "n" of a batch {"type":"live.viewers","n":N,…}. */
static gint64 batch_n(const char *text)
{
  JsonNode *node = json_from_string(text, NULL);
  ck_assert_msg(node, "not JSON: %s", text);
  gint64 n = json_object_get_int_member(json_node_get_object(node), "n");
  json_node_unref(node);
  return n;
}

/* A group send is one frame shared by every queue. A reader that does not keep up has its
 * oldest batches dropped at watch.queue_bytes, keeps its other messages, is not closed, and
 * once caught up is resynced by the services; the readers that keep up get every batch; when
 * everything is read or closed no frame is left. */
START_TEST(slow_reader_is_bounded)
{
  guint64 alive = ws_frame_alive();
  WsConn *a = ws_conn_open(ws, NULL), *b = ws_conn_open(ws, NULL), *slow = ws_conn_open(ws, NULL),
         *gone = ws_conn_open(ws, NULL);
  guint64 group[] = { ws_conn_id(a), ws_conn_id(b), ws_conn_id(slow), ws_conn_id(gone) };
  char pad[1001];
  memset(pad, 'x', 1000);
  pad[1000] = '\0';
  const int batches = 200; /* about 200 KB of batches: six times the default bound */
  for (int i = 0; i < batches; i++) {
    ws_send_group(ws, group, 4, g_strdup_printf("{\"type\":\"live.viewers\",\"n\":%d,\"pad\":\"%s\"}", i, pad));
    if (i == 0)
      ck_assert_uint_eq(ws_frame_alive(), alive + 1); /* one frame for four queues */
    if (i == 10)
      ws_send(slow, g_strdup("{\"type\":\"error\",\"code\":\"kept\"}"));
    ck_assert_uint_le(ws_conn_queued_bytes(slow), (size_t)config.watch_queue_bytes);
    ck_assert_uint_le(ws_conn_queued_bytes(gone), (size_t)config.watch_queue_bytes);
    for (WsConn *c = a; c; c = c == a ? b : NULL) {
      char *text = ws_conn_next_output(c);
      ck_assert_ptr_nonnull(text);
      ck_assert_int_eq(batch_n(text), i);
      g_free(text);
      ck_assert_ptr_null(ws_conn_next_output(c));
    }
  }
  ck_assert_int_eq(ws_conn_closing(slow), 0);
  RECEIVED(""); /* nobody resynced yet: the slow one is still behind */
  /* The slow reader reads on: the message that was no batch, then the newest batches in
   * order with nothing missing between them, then (caught up) the services resync it. */
  NEXT(slow, "error:kept");
  gint64 first = -1, last = -1;
  for (char *text; (text = ws_conn_next_output(slow)); g_free(text)) {
    gint64 n = batch_n(text);
    if (first < 0)
      first = n;
    else
      ck_assert_int_eq(n, last + 1);
    last = n;
    if (n < batches - 1)
      RECEIVED("");
  }
  ck_assert_int_eq(last, batches - 1);
  ck_assert_int_gt(first, 150); /* about 32 KiB of 1 KB batches were kept */
  char *want = g_strdup_printf("resync %" G_GUINT64_FORMAT, ws_conn_id(slow));
  RECEIVED(want);
  g_free(want);
  /* Dropped batches are counted. */
  char *m = metrics_render();
  char *dropped = g_strdup_printf("\nlectern_ws_dropped_total %" G_GINT64_FORMAT "\n", 2 * first);
  ck_assert_msg(strstr(m, dropped), "want %s in %s", dropped, m);
  ck_assert_msg(strstr(m, "\nlectern_ws_resyncs_total 1\n"), "%s", m);
  g_free(dropped);
  g_free(m);
  /* The frames the unread queue holds go with it. */
  ck_assert_uint_gt(ws_frame_alive(), alive);
  ws_conn_close(gone);
  ck_assert_uint_eq(ws_frame_alive(), alive);
}
END_TEST

static Suite *ws_suite(void)
{
  Suite *s = suite_create("ws");
  TCase *tc = tcase_create("transport");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, types_route_to_their_service);
  tcase_add_test(tc, a_type_has_one_service);
  tcase_add_test(tc, hello_names_the_member);
  tcase_add_test(tc, hello_takes_the_browser_session);
  tcase_add_test(tc, limits_close_one_connection);
  tcase_add_test(tc, slow_reader_is_bounded);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(ws_suite)
