/* watch_client: a scripted player for the /ws watch-time protocol — one that plays
 * honestly and ones that cheat — printing what the server acknowledged as JSON.
 *
 *   watch_client --port P --video V [--token T | --cookie C] --scenario S [--seconds N] [--interval S]
 *
 * Scenarios: honest, guest (honest, no token), rate2x, forged, jump, parallel, paused,
 * hidden, replay, fast, load (honest, totals rewritten to --out after every ack so they
 * survive the server being killed), abuse (protocol misuse; one JSON line per case).
 * --ack-log FILE: one line per acknowledgement, "seq credited points", flushed at once (the
 * fault tests compare what the client was told with what the server kept). */
#include "wsc.h"

#include <errno.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  Wsc ws;
  bool open;
  bool watching;
  gint64 seq;
  double position;
} Player;

static struct {
  int port;
  char *video, *token, *scenario, *out, *bind, *ack_log, *cookie;
  FILE *acks_f;
  double seconds, interval, duration;
  /* totals */
  gint64 credited, points, acks, balance, viewers;
  GHashTable *errors;  /* code -> count */
  GString *ended;      /* reasons, comma-separated */
  bool disconnected;
  double resume;
} g = { .seconds = 20, .interval = 2, .balance = -1, .resume = -1, .viewers = -1 };

static double now_s(void)
{
  return (double)g_get_monotonic_time() / 1e6;
}

static void write_totals(double elapsed)
{
  GString *s = g_string_new(NULL);
  g_string_append_printf(s, "{\"scenario\":\"%s\",\"credited\":%" G_GINT64_FORMAT ",\"points\":%" G_GINT64_FORMAT
                         ",\"acks\":%" G_GINT64_FORMAT ",\"balance\":%" G_GINT64_FORMAT
                         ",\"viewers\":%" G_GINT64_FORMAT ",\"elapsed\":%.2f,\"disconnected\":%s,\"resume\":%.1f,\"ended\":\"%s\",\"errors\":{",
                         g.scenario, g.credited, g.points, g.acks, g.balance, g.viewers, elapsed,
                         g.disconnected ? "true" : "false", g.resume, g.ended->str);
  GHashTableIter it;
  gpointer k, v;
  bool first = true;
  g_hash_table_iter_init(&it, g.errors);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    g_string_append_printf(s, "%s\"%s\":%u", first ? "" : ",", (char *)k, GPOINTER_TO_UINT(v));
    first = false;
  }
  g_string_append(s, "}}\n");
  if (g.out) {
    char *tmp = g_strconcat(g.out, ".tmp", NULL);
    if (g_file_set_contents(tmp, s->str, (gssize)s->len, NULL))
      rename(tmp, g.out);
    g_free(tmp);
  } else {
    fputs(s->str, stdout);
  }
  g_string_free(s, TRUE);
}

static double start_time;

/* Reads one server message and adds it to the totals. */
static void handle(Player *p, const char *text)
{
  JsonParser *parser = json_parser_new();
  if (!json_parser_load_from_data(parser, text, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
    fprintf(stderr, "watch_client: server sent non-JSON: %s\n", text);
    exit(3);
  }
  JsonObject *o = json_node_get_object(json_parser_get_root(parser));
  const char *type = json_object_get_string_member(o, "type");
  if (!strcmp(type, "heartbeat.ack")) {
    g.credited += json_object_get_int_member(o, "credited");
    g.points += json_object_get_int_member(o, "points");
    g.acks++;
    if (g.acks_f) {
      fprintf(g.acks_f, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
              json_object_get_int_member(o, "seq"), json_object_get_int_member(o, "credited"),
              json_object_get_int_member(o, "points"));
      fflush(g.acks_f);
    }
    if (!strcmp(g.scenario, "load"))
      write_totals(now_s() - start_time);
  } else if (!strcmp(type, "error")) {
    const char *code = json_object_get_string_member(o, "code");
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(g.errors, code));
    g_hash_table_insert(g.errors, g_strdup(code), GUINT_TO_POINTER(n + 1));
  } else if (!strcmp(type, "points.update")) {
    g.balance = json_object_get_int_member(o, "balance");
  } else if (!strcmp(type, "welcome")) {
    JsonNode *pts = json_object_get_member(o, "points");
    if (pts && JSON_NODE_HOLDS_OBJECT(pts))
      g.balance = json_object_get_int_member(json_node_get_object(pts), "balance");
  } else if (!strcmp(type, "watch.started")) {
    JsonNode *r = json_object_get_member(o, "resume_position");
    if (r && !JSON_NODE_HOLDS_NULL(r))
      g.resume = json_node_get_double(r);
  } else if (!strcmp(type, "live.viewers")) {
    g.viewers = json_object_get_int_member(o, "viewers");
  } else if (!strcmp(type, "watch.ended")) {
    p->watching = false;
    g_string_append_printf(g.ended, "%s%s", g.ended->len ? "," : "", json_object_get_string_member(o, "reason"));
  }
  g_object_unref(parser);
}

/* Handles what arrives on P for up to MS milliseconds. */
static void pump(Player *p, int ms)
{
  double until = now_s() + ms / 1000.0;
  while (p->open) {
    double left = until - now_s();
    if (left <= 0)
      return;
    char *text = NULL;
    int ret = wsc_recv(&p->ws, (int)(left * 1000) + 1, &text, NULL);
    if (ret == -ETIMEDOUT)
      return;
    if (ret < 0) {
      p->open = false;
      g.disconnected = true;
      return;
    }
    handle(p, text);
    g_free(text);
  }
}

static void sendf(Player *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void sendf(Player *p, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *text = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  if (p->open && wsc_send(&p->ws, text) < 0) {
    p->open = false;
    g.disconnected = true;
  }
  g_free(text);
}

static bool player_open(Player *p)
{
  memset(p, 0, sizeof *p);
  int ret = wsc_connect_full(&p->ws, "127.0.0.1", g.port, "/ws", g.bind, 0, g.cookie);
  if (ret < 0) {
    fprintf(stderr, "watch_client: cannot connect: %s\n", g_strerror(-ret));
    return false;
  }
  p->open = true;
  if (g.token)
    sendf(p, "{\"type\":\"hello\",\"token\":\"%s\",\"client\":\"watch_client\"}", g.token);
  else
    sendf(p, "{\"type\":\"hello\"}");
  pump(p, 200);
  return true;
}

static void start(Player *p, bool playing, bool visible)
{
  sendf(p, "{\"type\":\"watch.start\",\"video\":\"%s\",\"position\":%.3f,\"playing\":%s,\"visible\":%s}",
        g.video, p->position, playing ? "true" : "false", visible ? "true" : "false");
  p->watching = true;
}

static void beat(Player *p, bool playing, bool visible)
{
  sendf(p, "{\"type\":\"heartbeat\",\"seq\":%" G_GINT64_FORMAT ",\"video\":\"%s\",\"position\":%.3f,"
        "\"playing\":%s,\"visible\":%s,\"rate\":1}", ++p->seq, g.video, p->position,
        playing ? "true" : "false", visible ? "true" : "false");
}

/* ---- protocol misuse ------------------------------------------------------- */

/* Sends FRAME (opcode, fin, data) on a fresh greeted connection and reports the first
 * answer and whether the server then closed the connection. */
static void abuse_case(const char *name, int opcode, const char *data, size_t len, bool hello)
{
  Player p;
  memset(&p, 0, sizeof p);
  if (wsc_connect(&p.ws, "127.0.0.1", g.port, "/ws", NULL) < 0) {
    printf("{\"case\":\"%s\",\"connect\":false}\n", name);
    return;
  }
  if (hello) {
    wsc_send(&p.ws, "{\"type\":\"hello\"}");
    char *t = NULL;
    wsc_recv(&p.ws, 2000, &t, NULL);
    g_free(t);
  }
  if (opcode >= 0)
    wsc_send_frame(&p.ws, opcode, true, data, len);
  char *text = NULL;
  char code[64] = "";
  int close_code = 0;
  int ret = wsc_recv(&p.ws, 3000, &text, &close_code);
  if (ret == 0) {
    JsonParser *parser = json_parser_new();
    if (json_parser_load_from_data(parser, text, -1, NULL) && JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
      JsonObject *o = json_node_get_object(json_parser_get_root(parser));
      if (json_object_has_member(o, "code"))
        g_strlcpy(code, json_object_get_string_member(o, "code"), sizeof code);
      else
        g_strlcpy(code, json_object_get_string_member(o, "type"), sizeof code);
    }
    g_object_unref(parser);
    g_free(text);
  }
  /* Closed? Wait for the server's close frame before sending anything (a send into a
   * closing socket would turn it into a reset). Still open: a valid message is answered. */
  text = NULL;
  int r = ret == 0 ? wsc_recv(&p.ws, 1000, &text, &close_code) : ret;
  g_free(text);
  bool open = r == -ETIMEDOUT;
  if (open) {
    open = wsc_send(&p.ws, "{\"type\":\"watch.start\",\"video\":\"nosuchvideo\",\"position\":0,"
                           "\"playing\":true,\"visible\":true}") == 0;
    text = NULL;
    open = open && wsc_recv(&p.ws, 3000, &text, &close_code) == 0;
    g_free(text);
  }
  printf("{\"case\":\"%s\",\"code\":\"%s\",\"open\":%s,\"close_code\":%d}\n", name, code,
         open ? "true" : "false", open ? 0 : close_code);
  fflush(stdout);
  wsc_close(&p.ws);
}

static void abuse(void)
{
  char big[4096];
  memset(big, ' ', sizeof big);
  memcpy(big, "{\"type\":\"hello\",\"client\":\"", 26);
  big[sizeof big - 2] = '"';
  big[sizeof big - 1] = '}';
  abuse_case("malformed_json", 1, "{\"type\":", 8, true);
  abuse_case("not_object", 1, "[1,2]", 5, true);
  abuse_case("unknown_type", 1, "{\"type\":\"teleport\"}", 19, true);
  const char *wrong = "{\"type\":\"heartbeat\",\"seq\":\"1\",\"video\":\"v\",\"position\":1,\"playing\":true,\"visible\":true}";
  abuse_case("wrong_field_type", 1, wrong, strlen(wrong), true);
  const char *extra = "{\"type\":\"hello\",\"admin\":true}";
  abuse_case("unknown_field", 1, extra, strlen(extra), false);
  const char *before = "{\"type\":\"watch.start\",\"video\":\"v\",\"position\":0,\"playing\":true,\"visible\":true}";
  abuse_case("no_hello", 1, before, strlen(before), false);
  abuse_case("binary", 2, "\x01\x02", 2, true);
  abuse_case("oversize", 1, big, sizeof big, true);
  const char *bad_token = "{\"type\":\"hello\",\"token\":\"lct1.nobody.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}";
  abuse_case("bad_token", 1, bad_token, strlen(bad_token), false);
  const char *beat_first = "{\"type\":\"heartbeat\",\"seq\":1,\"video\":\"abc\",\"position\":1,\"playing\":true,\"visible\":true}";
  abuse_case("heartbeat_without_session", 1, beat_first, strlen(beat_first), true);
  const char *neg = "{\"type\":\"watch.start\",\"video\":\"abc\",\"position\":-5,\"playing\":true,\"visible\":true}";
  abuse_case("negative_position", 1, neg, strlen(neg), true);

  /* A message in many fragments that together pass the limit. */
  Player p;
  memset(&p, 0, sizeof p);
  if (wsc_connect(&p.ws, "127.0.0.1", g.port, "/ws", NULL) == 0) {
    wsc_send_frame(&p.ws, 1, false, big, 1000);
    wsc_send_frame(&p.ws, 0, false, big, 1000);
    wsc_send_frame(&p.ws, 0, true, big, 1000);
    char *text = NULL;
    int close_code = 0;
    char code[64] = "";
    if (wsc_recv(&p.ws, 3000, &text, &close_code) == 0 && strstr(text, "too_large"))
      g_strlcpy(code, "too_large", sizeof code);
    g_free(text);
    text = NULL;
    int r = wsc_recv(&p.ws, 3000, &text, &close_code);
    g_free(text);
    printf("{\"case\":\"fragmented_oversize\",\"code\":\"%s\",\"open\":%s,\"close_code\":%d}\n", code,
           r == 0 || r == -ETIMEDOUT ? "true" : "false", close_code);
    wsc_close(&p.ws);
  }
  /* A flood: more messages than the rate allows. */
  memset(&p, 0, sizeof p);
  if (wsc_connect(&p.ws, "127.0.0.1", g.port, "/ws", NULL) == 0) {
    for (int i = 0; i < 40; i++)
      wsc_send(&p.ws, "{\"type\":\"hello\"}");
    int limited = 0;
    char *text = NULL;
    while (wsc_recv(&p.ws, 1000, &text, NULL) == 0) {
      if (strstr(text, "rate_limited"))
        limited++;
      g_free(text);
    }
    printf("{\"case\":\"flood\",\"rate_limited\":%d}\n", limited);
    wsc_close(&p.ws);
  }
  /* An upgrade on another path is refused. */
  Wsc other;
  int r = wsc_connect(&other, "127.0.0.1", g.port, "/api/v1", NULL);
  printf("{\"case\":\"other_path\",\"upgraded\":%s}\n", r == 0 ? "true" : "false");
  if (r == 0)
    wsc_close(&other);
}

/* ---- playing ------------------------------------------------------------------ */

static void play(void)
{
  Player a, b;
  if (!player_open(&a))
    exit(2);
  bool parallel = !strcmp(g.scenario, "parallel");
  if (parallel && !player_open(&b))
    exit(2);
  bool playing = strcmp(g.scenario, "paused") != 0;
  bool visible = strcmp(g.scenario, "hidden") != 0;
  double interval = g.interval;
  if (!strcmp(g.scenario, "fast"))
    interval = g.interval / 10;
  start(&a, playing, visible);
  pump(&a, 100);
  if (parallel) {
    start(&b, true, true);
    pump(&b, 100);
  }
  start_time = now_s();
  double last = start_time, next = start_time + interval;
  int k = 0;
  while (a.open && now_s() - start_time < g.seconds) {
    pump(&a, parallel ? 50 : (int)((next - now_s()) * 1000));
    if (parallel)
      pump(&b, 50);
    if (now_s() < next)
      continue;
    double t = now_s(), elapsed = t - last;
    last = t;
    next += interval;
    k++;
    Player *ps[2] = { &a, parallel ? &b : NULL };
    for (int i = 0; i < 2 && ps[i]; i++) {
      Player *p = ps[i];
      if (!strcmp(g.scenario, "rate2x"))
        p->position += 2 * elapsed;
      else if (!strcmp(g.scenario, "forged"))
        p->position = k % 5 == 0 ? 5000 : MIN(g.duration, 20.0 * k);
      else if (!strcmp(g.scenario, "jump"))
        p->position = p->position + elapsed + 30 > g.duration - 5 ? 0 : p->position + elapsed + 30;
      else if (!strcmp(g.scenario, "fast"))
        p->position += g.interval;
      else
        p->position += elapsed;
      if (g.duration > 0 && p->position > g.duration && strcmp(g.scenario, "forged") != 0)
        p->position = g.duration;
      if (parallel && !p->watching) {
        start(p, true, true); /* taken back from the other player */
        continue;
      }
      beat(p, playing, visible);
      if (!strcmp(g.scenario, "replay")) {
        /* The same report again, twice: same seq. */
        p->seq--;
        beat(p, playing, visible);
        p->seq--;
        beat(p, playing, visible);
      }
    }
  }
  if (a.open) {
    sendf(&a, "{\"type\":\"watch.stop\",\"seq\":%" G_GINT64_FORMAT ",\"video\":\"%s\",\"position\":%.3f}",
          ++a.seq, g.video, a.position);
    pump(&a, 1500);
  }
  if (parallel)
    pump(&b, 500);
  write_totals(now_s() - start_time);
  if (a.open)
    wsc_close(&a.ws);
  if (parallel && b.open)
    wsc_close(&b.ws);
}

int main(int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &g.port, "server port", "P" },
    { "video", 0, 0, G_OPTION_ARG_STRING, &g.video, "video id", "ID" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &g.token, "member token (none: a guest)", "T" },
    { "cookie", 0, 0, G_OPTION_ARG_STRING, &g.cookie, "Cookie header of the upgrade (a browser session)", "C" },
    { "scenario", 0, 0, G_OPTION_ARG_STRING, &g.scenario, "what to do", "S" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &g.seconds, "how long to play", "N" },
    { "interval", 0, 0, G_OPTION_ARG_DOUBLE, &g.interval, "seconds between heartbeats", "S" },
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &g.duration, "the video's length", "S" },
    { "out", 0, 0, G_OPTION_ARG_STRING, &g.out, "write totals here (default stdout)", "FILE" },
    { "bind", 0, 0, G_OPTION_ARG_STRING, &g.bind, "local address to connect from", "ADDR" },
    { "ack-log", 0, 0, G_OPTION_ARG_STRING, &g.ack_log, "append every acknowledgement here", "FILE" },
    G_OPTION_ENTRY_NULL
  };
  GOptionContext *ctx = g_option_context_new("- a scripted /ws player");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *err = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || !g.port || !g.scenario) {
    fprintf(stderr, "watch_client: %s\n", err ? err->message : "--port and --scenario are required");
    return 2;
  }
  g_option_context_free(ctx);
  g.errors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  if (g.ack_log && !(g.acks_f = fopen(g.ack_log, "a"))) {
    fprintf(stderr, "watch_client: cannot open %s\n", g.ack_log);
    return 2;
  }
  g.ended = g_string_new(NULL);
  if (!strcmp(g.scenario, "abuse")) {
    abuse();
    return 0;
  }
  if (!g.video) {
    fprintf(stderr, "watch_client: --video is required\n");
    return 2;
  }
  if (!strcmp(g.scenario, "guest")) {
    g_free(g.token);
    g.token = NULL;
  }
  play();
  return 0;
}
