/* Tests for src/http/ws_chat.c: the chat service on the transport, without a socket.
 * chat.join / chat.send / chat.like reach the service; chat.joined and chat.batch come back on
 * the right connections, one batch per connection and tick whatever the number of messages,
 * and every message satisfies its schema. The batch timer runs on the main loop here. */
#include "auth/auth.h"
#include "http/ws.h"
#include "http/ws_chat.h"
#include "json_schema.h"
#include "db_fixture.h"
#include "testutil.h"

#include <string.h>

static char *dir;
static Db *db;
static Config config;
static Ws *ws;
static char *vod, *live, *token_a, *token_b;
static const guint8 key[TOKEN_SECRET_LEN] = { 4 };

static void setup(void)
{
  db = tu_db_open(&dir);
  ck_assert_int_eq(config_init_defaults(&config), 0);
  tu_db_watchable(db, &vod, &live);
  Member *m = NULL;
  ck_assert_int_eq(auth_member_create(db, key, "学员甲", ROLE_VIEWER, true, &m, &token_a), 0);
  member_free(&m);
  ck_assert_int_eq(auth_member_create(db, key, "学员乙", ROLE_VIEWER, true, &m, &token_b), 0);
  member_free(&m);
  ws = ws_new(db, key, &config);
  ck_assert_int_eq(ws_chat_register(ws, db, &config), 0);
  ck_assert_ptr_nonnull(ws_chat_service(ws));
}

static void teardown(void)
{
  ws_free(&ws);
  config_clear(&config);
  tu_db_close(&db, &dir);
  g_free(vod);
  g_free(live);
  g_free(token_a);
  g_free(token_b);
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

/* C's next message, checked against its schema, waiting up to WAIT_MS on the main loop. */
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

static const char *type_of(JsonNode *n)
{
  return json_object_get_string_member(json_node_get_object(n), "type");
}

static WsConn *open_as(const char *token)
{
  WsConn *c = ws_conn_open(ws, NULL);
  if (token)
    say(c, "{\"type\":\"hello\",\"token\":\"%s\"}", token);
  else
    say(c, "{\"type\":\"hello\"}");
  JsonNode *n = next(c, 0);
  ck_assert_str_eq(type_of(n), "welcome");
  json_node_unref(n);
  say(c, "{\"type\":\"chat.join\",\"video\":\"%s\"}", live);
  n = next(c, 0);
  ck_assert_str_eq(type_of(n), "chat.joined");
  json_node_unref(n);
  return c;
}

START_TEST(messages_go_out_in_one_batch)
{
  WsConn *guest = open_as(NULL), *a = open_as(token_a), *b = open_as(token_b);
  say(guest, "{\"type\":\"chat.send\",\"video\":\"%s\",\"text\":\"hi\"}", live);
  JsonNode *n = next(guest, 0);
  ck_assert_str_eq(type_of(n), "error");
  ck_assert_str_eq(json_object_get_string_member(json_node_get_object(n), "code"), "sign_in_required");
  json_node_unref(n);
  say(a, "{\"type\":\"chat.send\",\"video\":\"%s\",\"text\":\"<img src=x onerror=alert(1)>\"}", live);
  say(b, "{\"type\":\"chat.send\",\"video\":\"%s\",\"text\":\"第二条\"}", live);
  say(a, "{\"type\":\"chat.like\",\"video\":\"%s\",\"count\":5}", live);
  /* Nothing until the tick; then exactly one frame each, with everything. */
  ck_assert_ptr_null(ws_conn_next_output(guest));
  WsConn *all[] = { guest, a, b };
  for (int i = 0; i < 3; i++) {
    n = next(all[i], 1000);
    ck_assert_msg(n, "no batch for connection %d", i);
    ck_assert_str_eq(type_of(n), "chat.batch");
    JsonObject *o = json_node_get_object(n);
    JsonArray *msgs = json_object_get_array_member(o, "messages");
    ck_assert_uint_eq(json_array_get_length(msgs), 2);
    ck_assert_str_eq(json_object_get_string_member(json_array_get_object_element(msgs, 0), "text"),
                     "<img src=x onerror=alert(1)>");
    ck_assert_int_eq(json_object_get_int_member(o, "likes"), 5);
    json_node_unref(n);
    ck_assert_ptr_null(ws_conn_next_output(all[i]));
  }
  /* Refusals are errors on the sender only; malformed chat messages too. */
  say(a, "{\"type\":\"chat.send\",\"video\":\"%s\",\"text\":\"\"}", live);
  n = next(a, 0);
  ck_assert_str_eq(json_object_get_string_member(json_node_get_object(n), "code"), "invalid_field");
  json_node_unref(n);
  say(a, "{\"type\":\"chat.like\",\"video\":\"%s\",\"count\":1000}", live);
  n = next(a, 0);
  ck_assert_str_eq(json_object_get_string_member(json_node_get_object(n), "code"), "invalid_field");
  json_node_unref(n);
  ck_assert_ptr_null(ws_conn_next_output(b));
  /* A closed connection leaves its room. */
  ck_assert_uint_eq(chat_service_room_size(ws_chat_service(ws), live), 3);
  ws_conn_close(guest);
  ck_assert_uint_eq(chat_service_room_size(ws_chat_service(ws), live), 2);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("ws_chat");
  TCase *tc = tcase_create("ws_chat");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, messages_go_out_in_one_batch);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(suite)
