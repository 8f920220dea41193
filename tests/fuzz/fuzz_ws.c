/* Fuzz target: what a player sends on /ws, through the transport's real receive path
 * (src/http/ws.c: limits, decoding in ws_msg.c, hello, routing) into every service the server
 * registers (ws_services.c: watch time — ws_watch.c, watch/watch_service.c; live chat —
 * ws_chat.c, chat/chat_service.c) on a real database — without a socket. One input is one
 * connection: messages separated by the byte 0x1e (RFC 7464's record separator), each handed
 * over in a buffer of exactly its length, as libwebsockets does. "@TOKEN@" stands for a
 * verified member's credential, "@EDITOR@" for an editor's (a chat moderator), "@VOD@" and
 * "@LIVE@" for a published recording and a live on air. Every message the server answers must
 * be JSON with a type (json_check.h: a walk that allocates nothing; json-glib per answer was 28 % of
 * the target's time, and the two are compared at start-up). The database is in memory and each input is undone after it (fuzz_db.h).
 * Time: the chat's clock moves half a second per message (its rate limit: one a second,
 * bursts of three) and an hour between inputs; its batch goes out after every message, as
 * if 150 ms had passed; the watch service commits at the end of each input. */
#include "fuzz.h"
#include "fuzz_db.h"
#include "json_check.h"
#include "auth/auth.h"
#include "db/db_video.h"
#include "http/ws.h"
#include "http/ws_chat.h"
#include "http/ws_services.h"

#include <json-glib/json-glib.h>

static Db *db;
static Config config;
static Ws *ws;
static const guint8 key[TOKEN_SECRET_LEN] = { 5 };
static char *pairs[9];
static ChatService *chat;
static gint64 clock_us = (gint64)1800000000 * G_USEC_PER_SEC;

static gint64 chat_clock(void *user)
{
  return clock_us;
}

static char *member(Role role)
{
  Member *m = NULL;
  char *token = NULL;
  FUZZ_CHECK(auth_member_create(db, key, "学员", role, true, &m, &token) == 0);
  member_free(&m);
  return token;
}

static void drain(WsConn *c)
{
  char *text;
  while ((text = ws_conn_next_output(c))) {
    if (!json_check_typed_object(text, strlen(text))) {
      fprintf(stderr, "fuzz_ws: the server sent: %s\n", text);
      FUZZ_CHECK(!"an answer that is JSON with a type");
    }
    g_free(text);
  }
}

/* The answer check against known answers, and json-glib (what the check replaced) reads each
 * one it accepts the same way. It is stricter than json-glib where RFC 8259 is (json-glib
 * takes "\q"; a browser's JSON.parse does not). */
static void json_check_self_test(void)
{
  static const struct {
    const char *text;
    bool ok;
  } cases[] = {
    { "{\"type\":\"error\",\"code\":\"bad\"}", true },
    { " { \"a\" : [1, -0.5e+3, true, null, {}], \"type\" : \"x\\u00e9\\n\" } ", true },
    { "{\"type\":\"chat.msg\",\"text\":\"学员\"}", true },
    { "{\"type\":1}", false }, { "{\"kind\":\"a\"}", false }, { "[{\"type\":\"a\"}]", false },
    { "{\"type\":\"a\",}", false }, { "{\"type\":\"a\"", false }, { "{\"type\":\"a\"} x", false },
    { "{\"type\":\"a\\q\"}", false }, { "{\"type\":\"a\",\"n\":01}", false },
    { "{\"type\":\"a\",\"n\":1.}", false }, { "{\"type\":\"\x01\"}", false },
    { "{\"type\":\"\xff\"}", false }, { "{\"type\":\"a\",\"type\":2}", false },
    { "{\"type\":\"a\",\"n\":nul}", false }, { "{\"type\":\"a\",\"n\":[1 2]}", false },
    { "", false },
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    const char *t = cases[i].text;
    bool ok = json_check_typed_object(t, strlen(t));
    if (ok != cases[i].ok)
      fprintf(stderr, "fuzz_ws: json_check is wrong on: %s\n", t);
    FUZZ_CHECK(ok == cases[i].ok);
    if (!ok)
      continue;
    JsonNode *n = json_from_string(t, NULL);
    FUZZ_CHECK(n && JSON_NODE_HOLDS_OBJECT(n) &&
               json_object_get_string_member_with_default(json_node_get_object(n), "type", NULL));
    json_node_unref(n);
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  json_check_self_test();
  fuzz_db_open(&db);
  config_init_defaults(&config);
  config.watch_message_rate = 100;       /* the most allowed: the fuzzer talks fast */
  config.watch_commit_interval_ms = 0;   /* commits run at the loop's next turn: no waiting */
  char *vod = NULL, *live = NULL;
  FUZZ_CHECK(db_video_create_upload(db, "第一课", NULL, NULL, NULL, &vod) == 0);
  FUZZ_CHECK(db_video_set_media(db, vod, 600000, NULL) == 0);
  FUZZ_CHECK(db_video_set_state(db, vod, NULL, "ready", "fuzz", NULL) == 0);
  FUZZ_CHECK(db_video_set_text(db, vod, VIDEO_VISIBILITY, "published") == 0);
  FUZZ_CHECK(db_video_create_live(db, "直播", NULL, NULL, util_now(), "hash", NULL, &live) == 0);
  FUZZ_CHECK(db_video_set_state(db, live, NULL, "live", "fuzz", NULL) == 0);
  FUZZ_CHECK(db_video_set_text(db, live, VIDEO_VISIBILITY, "published") == 0);
  pairs[0] = "@TOKEN@", pairs[1] = member(ROLE_VIEWER);
  pairs[2] = "@EDITOR@", pairs[3] = member(ROLE_EDITOR);
  pairs[4] = "@VOD@", pairs[5] = vod;
  pairs[6] = "@LIVE@", pairs[7] = live;
  ws = ws_new(db, key, &config);
  FUZZ_CHECK(ws_services_register(ws, db, &config) == 0);
  chat = ws_chat_service(ws);
  FUZZ_CHECK(chat);
  chat_service_stop_timer(chat);
  chat_service_set_clock(chat, chat_clock, NULL);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  GString *in = fuzz_subst(data, size, (const char *const *)pairs);
  fuzz_db_begin(db);
  WsConn *c = ws_conn_open(ws, NULL);
  const char *p = in->str, *end = in->str + in->len;
  while (p <= end && !ws_conn_closing(c)) {
    const char *sep = memchr(p, 0x1e, (size_t)(end - p));
    size_t len = (size_t)((sep ? sep : end) - p);
    char *msg = g_malloc(len ? len : 1); /* no NUL after it, as in lws's buffer */
    memcpy(msg, p, len);
    ws_conn_receive(c, msg, len);
    g_free(msg);
    clock_us += G_USEC_PER_SEC / 2;
    chat_service_tick(chat);
    drain(c);
    p += len + 1;
  }
  ws_conn_close(c);
  chat_service_tick(chat);
  /* Watch-time commits (interval 0), viewer counts and sweeps are timers on the main loop. */
  while (g_main_context_iteration(NULL, FALSE))
    ;
  clock_us += (gint64)3600 * G_USEC_PER_SEC;
  fuzz_db_undo(db);
  g_string_free(in, TRUE);
  return 0;
}
