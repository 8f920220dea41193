/* Fuzz target: what a player sends on /ws, through the transport's real receive path
 * (src/http/ws.c: limits, decoding in ws_msg.c, hello, routing) into the watch service
 * (ws_watch.c, watch/watch_service.c) on a real database — without a socket. One input is
 * one connection: messages separated by the byte 0x1e (RFC 7464's record separator), each
 * handed over in a buffer of exactly its length, as libwebsockets does. "@TOKEN@" stands for
 * a member's credential, "@VOD@" and "@LIVE@" for a published recording and a live on air.
 * Every message the server answers must be JSON with a type. */
#include "fuzz.h"
#include "auth/auth.h"
#include "db/db_video.h"
#include "http/ws.h"
#include "http/ws_watch.h"

#include <json-glib/json-glib.h>

static Db *db;
static Config config;
static Ws *ws;
static const guint8 key[TOKEN_SECRET_LEN] = { 5 };
static char *pairs[7];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  char *err = NULL;
  char *path = g_build_filename(fuzz_scratch(), "ws.db", NULL);
  if (db_open(path, 0, &db, &err) < 0) {
    fprintf(stderr, "fuzz_ws: %s\n", err);
    abort();
  }
  g_free(path);
  config_init_defaults(&config);
  config.watch_message_rate = 100;       /* the most allowed: the fuzzer talks fast */
  config.watch_commit_interval_ms = 1;   /* commits run whenever the loop turns */
  char *vod = NULL, *live = NULL, *token = NULL;
  Member *m = NULL;
  FUZZ_CHECK(db_video_create_upload(db, "第一课", NULL, NULL, NULL, &vod) == 0);
  FUZZ_CHECK(db_video_set_media(db, vod, 600000, NULL) == 0);
  FUZZ_CHECK(db_video_set_state(db, vod, NULL, "ready", "fuzz", NULL) == 0);
  FUZZ_CHECK(db_video_set_text(db, vod, VIDEO_VISIBILITY, "published") == 0);
  FUZZ_CHECK(db_video_create_live(db, "直播", NULL, NULL, util_now(), "hash", NULL, &live) == 0);
  FUZZ_CHECK(db_video_set_state(db, live, NULL, "live", "fuzz", NULL) == 0);
  FUZZ_CHECK(db_video_set_text(db, live, VIDEO_VISIBILITY, "published") == 0);
  FUZZ_CHECK(auth_member_create(db, key, "学员", ROLE_VIEWER, true, &m, &token) == 0);
  member_free(&m);
  pairs[0] = "@TOKEN@", pairs[1] = token;
  pairs[2] = "@VOD@", pairs[3] = vod;
  pairs[4] = "@LIVE@", pairs[5] = live;
  ws = ws_new(db, key, &config);
  FUZZ_CHECK(ws_watch_register(ws, db, &config) == 0);
  return 0;
}

static void drain(WsConn *c)
{
  char *text;
  while ((text = ws_conn_next_output(c))) {
    JsonNode *n = json_from_string(text, NULL);
    FUZZ_CHECK(n && JSON_NODE_HOLDS_OBJECT(n));
    FUZZ_CHECK(json_object_get_string_member_with_default(json_node_get_object(n), "type", NULL));
    json_node_unref(n);
    g_free(text);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  GString *in = fuzz_subst(data, size, (const char *const *)pairs);
  WsConn *c = ws_conn_open(ws, NULL);
  const char *p = in->str, *end = in->str + in->len;
  while (p <= end && !ws_conn_closing(c)) {
    const char *sep = memchr(p, 0x1e, (size_t)(end - p));
    size_t len = (size_t)((sep ? sep : end) - p);
    char *msg = g_malloc(len ? len : 1); /* no NUL after it, as in lws's buffer */
    memcpy(msg, p, len);
    ws_conn_receive(c, msg, len);
    g_free(msg);
    drain(c);
    p += len + 1;
  }
  ws_conn_close(c);
  /* Commits, viewer counts and sweeps are timers on the main loop. */
  while (g_main_context_iteration(NULL, FALSE))
    ;
  g_string_free(in, TRUE);
  return 0;
}
