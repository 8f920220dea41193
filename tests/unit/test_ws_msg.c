/* Tests for src/http/ws_msg.c against schemas/ws: every example a schema lists is fed to
 * the C decoder (valid ones decode, invalid ones fail with their error code), the examples
 * themselves agree with their schemas, and every message the server encodes satisfies its
 * schema. */
#include "http/ws_msg.h"
#include "json_schema.h"
#include "testutil.h"

#include <string.h>

static JsonNode *load(const char *rel)
{
  char *path = tu_source_path(rel);
  JsonParser *p = json_parser_new();
  GError *err = NULL;
  ck_assert_msg(json_parser_load_from_file(p, path, &err), "%s: %s", path, err ? err->message : "");
  JsonNode *n = json_node_copy(json_parser_get_root(p));
  g_object_unref(p);
  g_free(path);
  return n;
}

static JsonNode *schema_for(const char *type)
{
  char *rel = g_strdup_printf("schemas/ws/%s.schema.json", type);
  JsonNode *n = load(rel);
  g_free(rel);
  return n;
}

static bool is_client(JsonNode *schema)
{
  return !strcmp(json_object_get_string_member(json_node_get_object(schema), "x-direction"), "client");
}

static const char *const types[] = { "hello", "watch.start", "heartbeat", "watch.stop", "welcome",
  "watch.started", "heartbeat.ack", "watch.ended", "points.update", "live.viewers", "error",
  "chat.join", "chat.send", "chat.like", "chat.joined", "chat.batch", "read.start", "read.beat",
  "read.stop", "read.started", "read.ack", "read.ended", "qa.join", "qa.ask", "qa.vote", "qa.joined", "qa.batch" };

START_TEST(schemas_use_only_checked_keywords)
{
  JsonNode *s = schema_for(types[_i]);
  char *bad = json_schema_unsupported(s);
  ck_assert_msg(bad == NULL, "%s.schema.json uses %s, which the test checker does not know", types[_i], bad);
  json_node_unref(s);
}
END_TEST

/* Valid examples pass the schema and (client messages) decode; invalid ones fail both. */
START_TEST(examples_agree_with_schema_and_decoder)
{
  const char *type = types[_i];
  JsonNode *schema = schema_for(type);
  char *rel = g_strdup_printf("schemas/ws/examples/%s.json", type);
  JsonNode *ex = load(rel);
  JsonObject *eo = json_node_get_object(ex);
  JsonArray *valid = json_object_get_array_member(eo, "valid");
  JsonArray *invalid = json_object_get_array_member(eo, "invalid");
  ck_assert_msg(json_array_get_length(valid) > 0 && json_array_get_length(invalid) > 0,
                "%s needs valid and invalid examples", rel);

  for (guint i = 0; i < json_array_get_length(valid); i++) {
    JsonNode *m = json_array_get_element(valid, i);
    char *why = NULL;
    ck_assert_msg(json_schema_check(schema, m, &why), "%s valid[%u]: %s", rel, i, why);
    if (is_client(schema)) {
      char *text = json_to_string(m, FALSE);
      WsMessage msg;
      const char *code = NULL;
      ck_assert_msg(ws_msg_decode(text, strlen(text), &msg, &code, &why) == 0,
                    "%s valid[%u] refused by the decoder: %s", rel, i, why);
      ck_assert_str_eq(ws_msg_type_name(msg.type), type);
      g_free(text);
    }
  }
  for (guint i = 0; i < json_array_get_length(invalid); i++) {
    JsonObject *c = json_array_get_object_element(invalid, i);
    JsonNode *m = json_object_get_member(c, "message");
    char *why = NULL;
    ck_assert_msg(!json_schema_check(schema, m, &why), "%s invalid[%u] passes the schema", rel, i);
    g_free(why);
    if (is_client(schema)) {
      char *text = json_to_string(m, FALSE);
      WsMessage msg;
      const char *code = NULL;
      ck_assert_msg(ws_msg_decode(text, strlen(text), &msg, &code, &why) < 0,
                    "%s invalid[%u] accepted by the decoder: %s", rel, i, text);
      ck_assert_str_eq(code, json_object_get_string_member(c, "code"));
      ck_assert(why && why[0]);
      g_free(why);
      g_free(text);
    }
  }
  json_node_unref(ex);
  json_node_unref(schema);
  g_free(rel);
}
END_TEST

/* Messages no schema matches: not JSON, not an object, no type, unknown or server types. */
START_TEST(any_message_examples_are_refused_with_their_code)
{
  JsonNode *ex = load("schemas/ws/examples/_any.json");
  JsonArray *invalid = json_object_get_array_member(json_node_get_object(ex), "invalid");
  ck_assert_uint_gt(json_array_get_length(invalid), 0);
  for (guint i = 0; i < json_array_get_length(invalid); i++) {
    JsonObject *c = json_array_get_object_element(invalid, i);
    char *text = json_object_has_member(c, "raw") ? g_strdup(json_object_get_string_member(c, "raw"))
                                                  : json_to_string(json_object_get_member(c, "message"), FALSE);
    WsMessage msg;
    const char *code = NULL;
    char *why = NULL;
    ck_assert_msg(ws_msg_decode(text, strlen(text), &msg, &code, &why) < 0, "accepted: %s", text);
    ck_assert_str_eq(code, json_object_get_string_member(c, "code"));
    g_free(why);
    g_free(text);
  }
  json_node_unref(ex);
}
END_TEST

START_TEST(decoder_reads_the_fields)
{
  const char *text = "{\"type\":\"heartbeat\",\"seq\":7,\"video\":\"abc_D-1\",\"position\":12.25,"
                     "\"playing\":true,\"visible\":false,\"rate\":2}";
  WsMessage m;
  const char *code = NULL;
  char *why = NULL;
  ck_assert_int_eq(ws_msg_decode(text, strlen(text), &m, &code, &why), 0);
  ck_assert_int_eq(m.type, WS_HEARTBEAT);
  ck_assert_int_eq(m.report.seq, 7);
  ck_assert_str_eq(m.video, "abc_D-1");
  ck_assert_double_eq(m.report.position, 12.25);
  ck_assert(m.report.playing && !m.report.visible);
  ck_assert_double_eq(m.rate, 2);

  text = "{\"type\":\"watch.stop\",\"seq\":8,\"video\":\"abc\",\"position\":13}";
  ck_assert_int_eq(ws_msg_decode(text, strlen(text), &m, &code, &why), 0);
  ck_assert(!m.report.playing && !m.report.visible); /* a stop is never playing */

  char big[WS_MSG_MAX + 10];
  memset(big, ' ', sizeof big);
  ck_assert_int_lt(ws_msg_decode(big, sizeof big, &m, &code, &why), 0);
  ck_assert_str_eq(code, "too_large");
  g_free(why);
  ck_assert_int_lt(ws_msg_decode("{\"type\":\"hello\",\"client\":\"\xff\"}", 26, &m, &code, &why), 0);
  ck_assert_str_eq(code, "malformed_json");
  g_free(why);
  /* A string followed by a stray word, with a secret and Chinese text in it:
   * the reason says where, quotes nothing, and is valid UTF-8 (json-glib's own message
   * quoted the string cut inside a character — found by fuzz_ws). */
  text = "{\"type\":\"chat.send\",\"text\":\"老师SECRETTOKEN讲得真好\"LIVE\"}";
  ck_assert_int_lt(ws_msg_decode(text, strlen(text), &m, &code, &why), 0);
  ck_assert_str_eq(code, "malformed_json");
  ck_assert_msg(g_utf8_validate(why, -1, NULL), "not UTF-8: %s", why);
  ck_assert_msg(!strstr(why, "SECRET") && !strstr(why, "老师"), "the input is quoted: %s", why);
  ck_assert_msg(strstr(why, "line 1, column"), "no position: %s", why);
  g_free(why);
  /* Escapes that make bytes that are not UTF-8 (json-glib takes them): refused. */
  const char *bad[] = {"{\"type\":\"chat.send\",\"text\":\"\\ud800\"}",
                       "{\"type\":\"chat.send\",\"text\":\"a\\233a\"}"};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    ck_assert_int_lt(ws_msg_decode(bad[i], strlen(bad[i]), &m, &code, &why), 0);
    ck_assert_str_eq(code, "malformed_json");
    g_free(why);
  }
}
END_TEST

static void assert_valid(const char *type, char *text)
{
  JsonNode *schema = schema_for(type);
  JsonNode *n = json_from_string(text, NULL);
  ck_assert_msg(n, "not JSON: %s", text);
  char *why = NULL;
  ck_assert_msg(json_schema_check(schema, n, &why), "%s does not satisfy %s: %s", text, type, why);
  json_node_unref(n);
  json_node_unref(schema);
  g_free(text);
}

static JsonNode *summary(bool with_today)
{
  return json_from_string(with_today
      ? "{\"balance\":5,\"today\":{\"date\":\"2026-11-22\",\"points\":3,\"cap\":null},\"campaign\":{\"id\":1}}"
      : "{\"balance\":0,\"today\":null,\"campaign\":null}", NULL);
}

START_TEST(server_messages_satisfy_their_schemas)
{
  assert_valid("error", ws_msg_error("stale", "seq must be higher", false, 4));
  assert_valid("error", ws_msg_error("too_large", "big", true, 0));
  /* A quote cut inside a character ("%.40s" of a player's type name): still UTF-8. */
  char *cut = ws_msg_error("unknown_type", "unknown message type \"chat.注\xe6\x84\"", false, 0);
  ck_assert_msg(g_utf8_validate(cut, -1, NULL), "not UTF-8: %s", cut);
  assert_valid("error", cut);
  assert_valid("welcome", ws_msg_welcome(NULL, NULL, false, false, NULL));
  assert_valid("welcome", ws_msg_welcome("m1", "学员 <b>", true, true, summary(true)));
  assert_valid("welcome", ws_msg_welcome("m2", "x", false, false, summary(false)));
  assert_valid("watch.started", ws_msg_watch_started("s1", "v1", false, -1, 0, 1));
  assert_valid("watch.started", ws_msg_watch_started("s1", "v1", true, 61.37, 60, 20000));
  assert_valid("heartbeat.ack", ws_msg_ack(3, 10, 70, 1));
  assert_valid("watch.ended", ws_msg_watch_ended("s1", "superseded"));
  assert_valid("watch.ended", ws_msg_watch_ended("s1", "timeout"));
  assert_valid("points.update", ws_msg_points_update(summary(true), 2));
  assert_valid("live.viewers", ws_msg_live_viewers("v1", 42));
  assert_valid("error", ws_msg_error("slow_mode", "one message per 10 s", false, 0));

  ChatMessage m1 = { .id = 1, .video = "v1", .member = "m1", .name = "学员 <b>", .role = ROLE_VIEWER,
                     .text = "<script>alert(1)</script>", .live_time = 12.5 };
  ChatMessage m2 = { .id = 2, .video = "v1", .member = "e1", .name = "编辑", .role = ROLE_EDITOR,
                     .text = "请文明发言", .live_time = 13, .held = true };
  GPtrArray *msgs = g_ptr_array_new();
  g_ptr_array_add(msgs, &m1);
  g_ptr_array_add(msgs, &m2);
  GArray *deleted = g_array_new(FALSE, FALSE, sizeof(gint64));
  gint64 gone = 9;
  g_array_append_val(deleted, gone);
  ChatSettings st = { .mode = CHAT_MODE_MEMBERS, .slow_seconds = 10 };
  ChatJoined j = { .video = "v1", .live = true, .settings = st, .can_post = "sign_in_required",
                   .recent = msgs, .likes = 5, .max_length = 200 };
  assert_valid("chat.joined", ws_msg_chat_joined(&j));
  j.can_post = NULL;
  j.recent = NULL;
  assert_valid("chat.joined", ws_msg_chat_joined(&j));
  ChatBatch b = { .video = "v1", .messages = msgs, .deleted = deleted, .likes = 70 };
  assert_valid("chat.batch", ws_msg_chat_batch(&b));
  ChatBatch sb = { .video = "v1", .likes = -1, .settings = &st };
  assert_valid("chat.batch", ws_msg_chat_batch(&sb));
  /* Text stays text: the encoder escapes nothing into markup and adds none. */
  char *text = ws_msg_chat_batch(&b);
  ck_assert_ptr_nonnull(strstr(text, "\"text\":\"<script>alert(1)</script>\""));
  g_free(text);
  g_ptr_array_unref(msgs);
  g_array_unref(deleted);

  ReadState rs = { .article = 7, .earns = true, .read_seconds = 40, .need = 20, .credited = 20, .done = true,
                   .points = 2 };
  assert_valid("read.started", ws_msg_read_started(&rs));
  assert_valid("read.ack", ws_msg_read_ack(5, &rs, 2));
  ReadState guest = { .article = 9 };
  assert_valid("read.ack", ws_msg_read_ack(1, &guest, 0));
  assert_valid("read.ended", ws_msg_read_ended(7, "superseded"));
}
END_TEST

static Suite *ws_msg_suite(void)
{
  Suite *s = suite_create("ws_msg");
  TCase *tc = tcase_create("ws_msg");
  tcase_add_loop_test(tc, schemas_use_only_checked_keywords, 0, G_N_ELEMENTS(types));
  tcase_add_loop_test(tc, examples_agree_with_schema_and_decoder, 0, G_N_ELEMENTS(types));
  tcase_add_test(tc, any_message_examples_are_refused_with_their_code);
  tcase_add_test(tc, decoder_reads_the_fields);
  tcase_add_test(tc, server_messages_satisfy_their_schemas);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(ws_msg_suite)
