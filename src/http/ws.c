/* ws: the /ws transport. It owns the connections and everything about them that is not a
 * service's business; services register the message types they take.
 *
 *   lws frames ─▶ fragment assembly (≤ WS_MSG_MAX) ─▶ rate limit ─▶ ws_msg_decode
 *     ─▶ route table: type ─▶ service ─▶ service.message(conn, message)
 *        ("hello" is the transport's own: credential ─▶ member, services fill the welcome)
 *   service ─▶ ws_send / ws_send_to / ws_send_member / ws_send_group ─▶ one WsFrame (built
 *     once, shared by reference) ─▶ per-connection queues of references (≤ watch.queue_bytes
 *     of batches: past it a slow reader's oldest batches are dropped, and once it has caught
 *     up the services resync it; ≤ OUT_QUEUE_MAX other messages) ─▶ lws_write straight
 *     from the shared frame: at once for a group batch to a connection with nothing waiting,
 *     else in its writable callback, as many as the socket takes whole
 *
 * Everything runs on the main loop; only a large group batch's send()s run on helper threads,
 * while the main loop waits for them (fan_out). */
#include "http/ws.h"
#include "auth/auth.h"
#include "auth/session.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/util.h"
#include "http/http_conn.h"
#include "http/ws_frame.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#define RX_BUFFER 1024      /* lws reads a frame in pieces of this size */
#define OUT_QUEUE_MAX 64    /* messages (not batches: those are dropped) waiting before a reader is closed */
#define STRIKES_MAX 50      /* refused messages before the connection is closed */
#define SWEEP_MS 5000       /* how often idle connections are looked for */
/* The kernel's send buffer of a /ws socket (Linux doubles it): messages are small, and a
 * client that reads nothing should fill it, and then OUT_QUEUE_MAX, soon — not the
 * megabytes the kernel's autotuning would let it pin. */
#define SNDBUF_BYTES (16 * 1024)

typedef struct {
  WsService svc;
  void *user;
} Service;

struct Ws {
  Db *db;
  const guint8 *secret;
  const Config *config;
  guint64 next_conn_id;
  GHashTable *conns;          /* conn id -> WsConn* */
  GHashTable *member_conns;   /* member id -> GPtrArray of WsConn* */
  GPtrArray *services;        /* Service*, in the order registered */
  GHashTable *routes;         /* type name -> Service* (the one route table; hello: NULL value) */
  guint sweep_timer;
  guint64 errors;
  guint64 dropped;            /* batches dropped from slow readers' queues */
  guint64 resyncs;            /* slow readers brought up to date after drops */
  guint64 direct;             /* batches written at once (not queued for a writable callback) */
  guint64 parallel;           /* … of which by the parallel fan-out's threads */
  guint64 groups;             /* group sends so far (marks a connection already in one) */
};

struct WsConn {
  Ws *ws;
  struct lws *wsi;        /* NULL: no socket (tests) */
  guint64 id;
  bool helloed;
  char *member_id, *member_name;
  char *session_id;       /* the browser session the upgrade came with, or NULL */
  bool verified;
  Role role;              /* the member's (ROLE_VIEWER for guests) */
  GQueue out;             /* WsFrame* (references) to send, oldest first */
  size_t out_bytes;       /* their length */
  bool lagged;            /* batches were dropped: resync once the queue is empty */
  GString *rx;            /* a message arriving in pieces */
  double tokens;
  gint64 tokens_at;
  gint64 last_rx_us;      /* the last message (lws_set_timeout per message costs O(connections)) */
  int strikes;
  enum lws_close_status close_status; /* non-zero: close once the queue is sent */
  guint64 group_mark;     /* the group send that last put it among the fan-out's sockets */
};

/* C's socket is dropped at lws's next turn. lws looks at its due timers when its loop wakes
 * for a socket: its event pipe wakes it, or on a quiet server the close would wait for the
 * next packet to any socket. */
static void kill_soon(WsConn *c)
{
  lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
  lws_cancel_service(lws_get_context(c->wsi));
}

static void wake(WsConn *c)
{
  if (c->wsi)
    lws_callback_on_writable(c->wsi);
}

/* ---- sending ------------------------------------------------------------- */

/* Past the byte bound (or the message count), a reader's oldest droppable frames go: it is
 * behind, and what it missed is sent again as a whole once it has caught up (resync). */
static void trim(WsConn *c)
{
  size_t bound = (size_t)c->ws->config->watch_queue_bytes;
  for (GList *l = c->out.head; l && (c->out_bytes > bound || c->out.length > OUT_QUEUE_MAX);) {
    GList *next = l->next;
    WsFrame *f = l->data;
    if (ws_frame_droppable(f)) {
      c->out_bytes -= ws_frame_len(f);
      ws_frame_unref(f);
      g_queue_delete_link(&c->out, l);
      c->ws->dropped++;
      c->lagged = true;
    }
    l = next;
  }
}

/* Queues a reference to F for C (F stays the caller's). */
static void enqueue(WsConn *c, WsFrame *f)
{
  if (!c || c->close_status)
    return;
  g_queue_push_tail(&c->out, ws_frame_ref(f));
  c->out_bytes += ws_frame_len(f);
  trim(c);
  if (g_queue_get_length(&c->out) > OUT_QUEUE_MAX) {
    log_warn("ws", "connection %" G_GUINT64_FORMAT ": not reading (%d messages unsent); closing",
             c->id, OUT_QUEUE_MAX);
    c->close_status = LWS_CLOSE_STATUS_POLICY_VIOLATION;
    /* Its socket takes nothing more, so no writable callback would come to close it
     * politely: lws drops it on its next turn. */
    if (c->wsi)
      kill_soon(c);
    return;
  }
  wake(c);
}

/* The oldest frame queued for C (the caller's reference now), or NULL. A reader that had
 * batches dropped and has now caught up is resynced by every service that can. */
static WsFrame *dequeue(WsConn *c)
{
  WsFrame *f = g_queue_pop_head(&c->out);
  if (f)
    c->out_bytes -= ws_frame_len(f);
  if (g_queue_is_empty(&c->out) && c->lagged && !c->close_status) {
    c->lagged = false;
    c->ws->resyncs++;
    for (guint i = 0; i < c->ws->services->len; i++) {
      Service *s = c->ws->services->pdata[i];
      if (s->svc.resync)
        s->svc.resync(s->user, c);
    }
  }
  return f;
}

void ws_send(WsConn *c, char *text)
{
  if (!c || c->close_status) {
    g_free(text);
    return;
  }
  WsFrame *f = ws_frame_new(text, false);
  enqueue(c, f);
  ws_frame_unref(f);
}

WsConn *ws_conn_find(Ws *ws, guint64 id)
{
  return id ? g_hash_table_lookup(ws->conns, &id) : NULL;
}

void ws_send_to(Ws *ws, guint64 id, char *text)
{
  ws_send(ws_conn_find(ws, id), text);
}

void ws_send_member(Ws *ws, const char *member, char *text)
{
  GPtrArray *conns = member ? g_hash_table_lookup(ws->member_conns, member) : NULL;
  WsFrame *f = ws_frame_new(text, false);
  for (guint i = 0; conns && i < conns->len; i++)
    enqueue(conns->pdata[i], f);
  ws_frame_unref(f);
}

/* A batch to a connection with nothing waiting is written at once, not queued for a
 * writable callback: a callback costs lws two epoll changes (ask for POLLOUT, drop it) and
 * a loop turn on top of the send, per viewer and batch — most of a 20,000-viewer fan-out.
 * The socket takes it (a few hundred bytes into an empty 16 KiB send buffer) or lws keeps
 * what it did not take and asks for the callback itself; then lws_partial_buffered() says
 * so and later batches queue behind it as before. Group sends come from the services'
 * timers, never from inside this connection's lws callbacks. */
static bool can_write_now(WsConn *c)
{
  return c && c->wsi && !c->close_status && c->out.length == 0 && !lws_partial_buffered(c->wsi);
}

static void write_failed(WsConn *c)
{
  c->close_status = LWS_CLOSE_STATUS_ABNORMAL_CLOSE;
  kill_soon(c);
}

static void write_now(WsConn *c, WsFrame *f)
{
  size_t n = ws_frame_len(f);
  if (lws_write(c->wsi, ws_frame_text(f), n, LWS_WRITE_TEXT) < (int)n)
    write_failed(c);
  c->ws->direct++;
}

/* ---- the parallel fan-out ---------------------------------------------------------
 * At 20,000 viewers a batch is 20,000 send()s, and on loopback each costs the kernel ~10 µs
 * (the receiver's TCP work is done in the sender's call): 0.2 s of one core per batch, the
 * p99 of the whole delivery. So a batch to fanout_parallel_from connections or more is
 * written by fanout_threads threads at once, each send()ing the whole frame (ws_frame_wire)
 * straight to its share of the sockets. lws is not thread-safe, so the threads touch nothing
 * of it: the main loop waits for them (no lws code runs meanwhile, so nothing else writes to
 * those sockets), and only connections lws holds nothing for are sent to. Afterwards, on the
 * main loop: a socket that took the frame whole is done; one that took part of it gets the
 * rest through lws as raw bytes (LWS_WRITE_HTTP: no framing; lws keeps what it cannot send
 * and sends it first); one that took nothing (EAGAIN) gets the frame queued as before; an
 * error closes the connection. */
typedef struct {
  int fd;
  ssize_t sent; /* bytes, or -errno */
} Shot;

typedef struct {
  Shot *shots;
  guint from, to;
  const unsigned char *buf;
  size_t len;
} Shard;

static gpointer shard_send(gpointer data)
{
  Shard *sh = data;
  for (guint i = sh->from; i < sh->to; i++) {
    ssize_t n;
    do
      n = send(sh->shots[i].fd, sh->buf, sh->len, MSG_DONTWAIT | MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    sh->shots[i].sent = n < 0 ? -errno : n;
  }
  return NULL;
}

static void fan_out(Ws *ws, GPtrArray *conns, WsFrame *f)
{
  guint n = conns->len, threads = (guint)MIN((gint64)n, ws->config->watch_fanout_threads);
  size_t len;
  const unsigned char *buf = ws_frame_wire(f, &len);
  Shot *shots = g_new(Shot, n);
  for (guint i = 0; i < n; i++)
    shots[i].fd = lws_get_socket_fd(((WsConn *)conns->pdata[i])->wsi);
  Shard *shards = g_new(Shard, threads);
  GThread **helpers = g_new0(GThread *, threads);
  for (guint t = 0; t < threads; t++) {
    shards[t] = (Shard){ .shots = shots, .from = n * t / threads, .to = n * (t + 1) / threads,
                         .buf = buf, .len = len };
    if (t > 0)
      helpers[t] = g_thread_try_new("ws-fanout", shard_send, &shards[t], NULL);
  }
  shard_send(&shards[0]);
  for (guint t = 1; t < threads; t++) {
    if (helpers[t])
      g_thread_join(helpers[t]);
    else
      shard_send(&shards[t]); /* no thread to be had: this one does it */
  }
  for (guint i = 0; i < n; i++) {
    WsConn *c = conns->pdata[i];
    ssize_t sent = shots[i].sent;
    if (sent == (ssize_t)len) {
      ws->direct++;
      ws->parallel++;
    } else if (sent > 0) {
      size_t rest = len - (size_t)sent;
      if (lws_write(c->wsi, (unsigned char *)buf + sent, rest, LWS_WRITE_HTTP) < (int)rest)
        write_failed(c);
      ws->direct++;
      ws->parallel++;
    } else if (sent == -EAGAIN || sent == -EWOULDBLOCK) {
      enqueue(c, f);
    } else {
      log_debug("ws", "connection %" G_GUINT64_FORMAT ": send failed: %s", c->id, g_strerror((int)-sent));
      write_failed(c);
    }
  }
  g_free(helpers);
  g_free(shards);
  g_free(shots);
}

void ws_send_group(Ws *ws, const guint64 *ids, guint n, char *text)
{
  WsFrame *f = ws_frame_new(text, true);
  bool parallel = n >= (guint)ws->config->watch_fanout_parallel_from && ws->config->watch_fanout_threads > 1;
  GPtrArray *ready = parallel ? g_ptr_array_sized_new(n) : NULL;
  guint64 mark = ++ws->groups;
  for (guint i = 0; i < n; i++) {
    WsConn *c = ws_conn_find(ws, ids[i]);
    /* A connection named twice is sent to by one thread only: the second time it queues. */
    if (!can_write_now(c) || (ready && c->group_mark == mark)) {
      enqueue(c, f);
    } else if (ready) {
      c->group_mark = mark;
      g_ptr_array_add(ready, c);
    } else {
      write_now(c, f);
    }
  }
  if (ready && ready->len)
    fan_out(ws, ready, f);
  if (ready)
    g_ptr_array_unref(ready);
  ws_frame_unref(f);
}

bool ws_member_online(Ws *ws, const char *member)
{
  return member && g_hash_table_contains(ws->member_conns, member);
}

void ws_close_member(Ws *ws, const char *member)
{
  GPtrArray *conns = member ? g_hash_table_lookup(ws->member_conns, member) : NULL;
  /* The close happens once the error is sent, so the list does not change under the loop. */
  for (guint i = 0; conns && i < conns->len; i++)
    ws_send_error(conns->pdata[i], "unauthorized", "this member can no longer sign in", true, 0);
}

void ws_send_error(WsConn *c, const char *code, const char *message, bool fatal, gint64 seq)
{
  c->ws->errors++;
  log_debug("ws", "connection %" G_GUINT64_FORMAT " (%s): %s: %s", c->id,
            c->member_id ? c->member_id : "guest", code, message);
  ws_send(c, ws_msg_error(code, message, fatal, seq));
  if (fatal) {
    c->close_status = !strcmp(code, "too_large") ? LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE
                                                 : LWS_CLOSE_STATUS_POLICY_VIOLATION;
    wake(c);
  }
}

guint64 ws_conn_id(const WsConn *c) { return c->id; }
const char *ws_conn_member(const WsConn *c) { return c->member_id; }
bool ws_conn_verified(const WsConn *c) { return c->verified; }
const char *ws_conn_member_name(const WsConn *c) { return c->member_name; }
Role ws_conn_role(const WsConn *c) { return c->role; }

void *ws_service_user(Ws *ws, const char *name)
{
  for (guint i = 0; i < ws->services->len; i++) {
    Service *s = ws->services->pdata[i];
    if (strcmp(s->svc.name, name) == 0)
      return s->user;
  }
  return NULL;
}
char *ws_conn_next_output(WsConn *c)
{
  WsFrame *f = dequeue(c);
  if (!f)
    return NULL;
  char *text = g_strndup((const char *)ws_frame_text(f), ws_frame_len(f));
  ws_frame_unref(f);
  return text;
}

size_t ws_conn_queued_bytes(const WsConn *c) { return c->out_bytes; }
int ws_conn_closing(const WsConn *c) { return (int)c->close_status; }

/* ---- receiving ------------------------------------------------------------- */

/* The transport's own step: who is on this connection. */
static void on_hello(Ws *ws, WsConn *c, const WsMessage *m)
{
  if (c->helloed) {
    ws_send_error(c, "invalid_message", "hello was already said on this connection", false, 0);
    return;
  }
  Member *member = NULL;
  if (m->token[0]) {
    if (auth_token(ws->db, ws->secret, m->token, &member) < 0) {
      log_warn("ws", "connection %" G_GUINT64_FORMAT ": refused a credential that is not valid", c->id);
      ws_send_error(c, "unauthorized", "the credential is not valid", true, 0);
      return;
    }
  } else if (c->session_id &&
             session_check(ws->db, ws->secret, c->session_id, ws->config->session_idle_timeout,
                           util_now(), &member, NULL) < 0) {
    /* A session that has ended leaves a guest, as a page without one would be. */
    log_info("ws", "connection %" G_GUINT64_FORMAT ": session has ended; a guest", c->id);
    member = NULL;
  }
  if (member) {
    c->member_id = g_strdup(member->id);
    c->member_name = g_strdup(member->display_name);
    c->verified = member->real_name_verified && !member->disqualified;
    c->role = member->role;
    member_free(&member);
    GPtrArray *list = g_hash_table_lookup(ws->member_conns, c->member_id);
    if (!list) {
      list = g_ptr_array_new();
      g_hash_table_insert(ws->member_conns, g_strdup(c->member_id), list);
    }
    g_ptr_array_add(list, c);
  }
  c->helloed = true;
  WsWelcome welcome = { 0 };
  for (guint i = 0; i < ws->services->len; i++) {
    Service *s = ws->services->pdata[i];
    if (s->svc.hello)
      s->svc.hello(s->user, c, &welcome);
  }
  ws_send(c, ws_msg_welcome(c->member_id, c->member_name, c->verified, c->verified, welcome.points));
}

/* Token bucket: watch_message_rate per second, bursts of ten times that. */
static bool rate_ok(Ws *ws, WsConn *c)
{
  gint64 now = g_get_monotonic_time();
  double rate = (double)ws->config->watch_message_rate;
  c->tokens = MIN(rate * 10, c->tokens + rate * (double)(now - c->tokens_at) / 1e6);
  c->tokens_at = now;
  if (c->tokens < 1)
    return false;
  c->tokens -= 1;
  return true;
}

void ws_conn_receive(WsConn *c, const char *text, size_t len)
{
  Ws *ws = c->ws;
  c->last_rx_us = g_get_monotonic_time();
  if (!rate_ok(ws, c)) {
    if (++c->strikes > STRIKES_MAX)
      ws_send_error(c, "rate_limited", "too many messages; closing", true, 0);
    else
      ws_send_error(c, "rate_limited", "too many messages; this one was dropped", false, 0);
    return;
  }
  WsMessage m;
  const char *code = NULL;
  char *why = NULL;
  if (ws_msg_decode(text, len, &m, &code, &why) < 0) {
    bool fatal = strcmp(code, "too_large") == 0 || ++c->strikes > STRIKES_MAX;
    ws_send_error(c, code, why, fatal, 0);
    g_free(why);
    return;
  }
  const char *name = ws_msg_type_name(m.type);
  gpointer route = NULL;
  if (!g_hash_table_lookup_extended(ws->routes, name, NULL, &route)) {
    g_autofree char *msg = g_strdup_printf("unknown message type \"%.40s\"", name);
    ws_send_error(c, "unknown_type", msg, ++c->strikes > STRIKES_MAX, 0);
    return;
  }
  if (!route) {
    on_hello(ws, c, &m);
    return;
  }
  if (!c->helloed) {
    ws_send_error(c, "hello_required", "say hello first (with a token, or without for a guest)", false, 0);
    return;
  }
  Service *s = route;
  s->svc.message(s->user, c, &m);
}

/* ---- connections ------------------------------------------------------------- */

WsConn *ws_conn_open(Ws *ws, struct lws *wsi)
{
  WsConn *c = g_new0(WsConn, 1);
  c->ws = ws;
  c->wsi = wsi;
  c->id = ++ws->next_conn_id;
  c->tokens = (double)ws->config->watch_message_rate * 10;
  c->tokens_at = g_get_monotonic_time();
  g_queue_init(&c->out);
  c->last_rx_us = c->tokens_at;
  g_hash_table_insert(ws->conns, &c->id, c);
  return c;
}

void ws_conn_close(WsConn *c)
{
  Ws *ws = c->ws;
  for (guint i = 0; i < ws->services->len; i++) {
    Service *s = ws->services->pdata[i];
    if (s->svc.closed)
      s->svc.closed(s->user, c);
  }
  if (c->member_id) {
    GPtrArray *list = g_hash_table_lookup(ws->member_conns, c->member_id);
    if (list) {
      g_ptr_array_remove_fast(list, c);
      if (list->len == 0)
        g_hash_table_remove(ws->member_conns, c->member_id);
    }
  }
  g_hash_table_remove(ws->conns, &c->id);
  g_queue_clear_full(&c->out, (GDestroyNotify)ws_frame_unref);
  if (c->rx)
    g_string_free(c->rx, TRUE);
  g_free(c->member_id);
  g_free(c->member_name);
  g_free(c->session_id);
  g_free(c);
}

/* Connections silent for longer than watch_idle_timeout close (once their queue is sent). */
static gboolean sweep_tick(gpointer data)
{
  Ws *ws = data;
  gint64 now = g_get_monotonic_time();
  GHashTableIter hi;
  gpointer key, value;
  g_hash_table_iter_init(&hi, ws->conns);
  while (g_hash_table_iter_next(&hi, &key, &value)) {
    WsConn *c = value;
    if (now - c->last_rx_us <= ws->config->watch_idle_timeout * G_USEC_PER_SEC)
      continue;
    if (!c->close_status) {
      c->close_status = LWS_CLOSE_STATUS_GOINGAWAY;
      wake(c);
    } else if (c->wsi) {
      /* Closing since the last sweep and still here: its socket takes nothing (the
       * client reads nothing), so the close is never written. */
      kill_soon(c);
    }
  }
  return G_SOURCE_CONTINUE;
}

void ws_conn_set_session(WsConn *c, const char *session_id)
{
  g_free(c->session_id);
  c->session_id = g_strdup(session_id);
}

/* ---- lws ---------------------------------------------------------------- */

/* The session cookie of an upgrade, if the page asking is our own. Browsers send cookies
 * with a WebSocket upgrade from any site, so one whose Origin names another host than the
 * one it asked (Host) gets no session: it can still say hello with a token, or as a guest. */
static char *upgrade_session(struct lws *wsi)
{
  char cookie[2048], origin[256], host[256];
  char *id = NULL;
  if (lws_hdr_copy(wsi, cookie, sizeof cookie, WSI_TOKEN_HTTP_COOKIE) <= 0 ||
      session_cookie_find(cookie, &id) < 0)
    return NULL;
  if (lws_hdr_copy(wsi, origin, sizeof origin, WSI_TOKEN_ORIGIN) > 0) {
    const char *o = strstr(origin, "://");
    if (lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST) <= 0 || !o ||
        g_ascii_strcasecmp(o + 3, host) != 0) {
      log_warn("ws", "upgrade from another site (Origin %.100s): its session cookie is ignored", origin);
      g_free(id);
      return NULL;
    }
  }
  return id;
}

static int callback_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
  const struct lws_protocols *proto = lws_get_protocol(wsi);
  Ws *ws = proto ? proto->user : NULL;
  WsConn **pc = user;
  WsConn *c = pc ? *pc : NULL;

  switch (reason) {
  case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
    char uri[64];
    if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, WS_PATH) != 0) {
      log_info("ws", "refused a WebSocket upgrade outside %s", WS_PATH);
      return 1;
    }
    http_conn_request(lws_get_opaque_user_data(wsi));
    return 0;
  }
  case LWS_CALLBACK_ESTABLISHED: {
    int sndbuf = SNDBUF_BYTES;
    setsockopt(lws_get_socket_fd(wsi), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    if (pc && ws) {
      *pc = ws_conn_open(ws, wsi);
      (*pc)->session_id = upgrade_session(wsi);
    }
    break;
  }

  case LWS_CALLBACK_RECEIVE: {
    if (!c || c->close_status)
      break;
    bool whole = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
    if (lws_frame_is_binary(wsi)) {
      if (whole)
        ws_send_error(c, "invalid_message", "messages are JSON text, not binary", false, 0);
      break;
    }
    if (whole && !c->rx) {
      ws_conn_receive(c, in, len);
      break;
    }
    if (!c->rx)
      c->rx = g_string_sized_new(RX_BUFFER);
    if (c->rx->len + len > WS_MSG_MAX) {
      g_string_free(c->rx, TRUE);
      c->rx = NULL;
      log_warn("ws", "connection %" G_GUINT64_FORMAT ": message over %d bytes; closing", c->id, WS_MSG_MAX);
      ws_send_error(c, "too_large", "a message may have at most 2048 bytes", true, 0);
      break;
    }
    g_string_append_len(c->rx, in, (gssize)len);
    if (whole) {
      GString *msg = c->rx;
      c->rx = NULL;
      ws_conn_receive(c, msg->str, msg->len);
      g_string_free(msg, TRUE);
    }
    break;
  }

  case LWS_CALLBACK_SERVER_WRITEABLE: {
    if (!c)
      break;
    /* What is queued goes in this one callback while the socket takes it whole (a frame it
     * takes in part lws keeps and sends first next time): one callback per frame cost two
     * epoll changes per frame for a viewer whose queue had grown. */
    for (int k = 0; k < OUT_QUEUE_MAX && !lws_partial_buffered(wsi); k++) {
      WsFrame *f = dequeue(c);
      if (!f)
        break;
      /* Straight from the shared frame: lws writes the header into its headroom and keeps
       * no pointer to it (ws_frame.c). */
      size_t n = ws_frame_len(f);
      int wrote = lws_write(wsi, ws_frame_text(f), n, LWS_WRITE_TEXT);
      ws_frame_unref(f);
      if (wrote < (int)n)
        return -1;
    }
    if (!g_queue_is_empty(&c->out)) {
      lws_callback_on_writable(wsi);
    } else if (c->close_status) {
      lws_close_reason(wsi, c->close_status, NULL, 0);
      return -1;
    }
    break;
  }

  case LWS_CALLBACK_CLOSED:
    if (c) {
      ws_conn_close(c);
      *pc = NULL;
    }
    break;

  /* As the vhost's default protocol this callback hears of every accepted socket (HTTP
   * ones too): the http protocol keeps the books on sockets (http_conn), so it is told. */
  case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
  case LWS_CALLBACK_WSI_DESTROY: {
    const struct lws_protocols *http = lws_vhost_name_to_protocol(lws_get_vhost(wsi), "http");
    if (http && http->callback != callback_ws)
      return http->callback(wsi, reason, NULL, in, len);
    break;
  }

  default:
    break;
  }
  return 0;
}

/* ---- metrics and lifecycle --------------------------------------------------- */

static void metrics(GString *out, void *user)
{
  Ws *ws = user;
  g_string_append_printf(out,
      "# HELP lectern_ws_connections WebSocket connections open at /ws.\n"
      "# TYPE lectern_ws_connections gauge\nlectern_ws_connections %u\n"
      "# HELP lectern_ws_errors_total Error messages sent to players.\n"
      "# TYPE lectern_ws_errors_total counter\nlectern_ws_errors_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_ws_dropped_total Batches dropped from the queues of readers too slow for them.\n"
      "# TYPE lectern_ws_dropped_total counter\nlectern_ws_dropped_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_ws_resyncs_total Slow readers brought up to date after batches were dropped.\n"
      "# TYPE lectern_ws_resyncs_total counter\nlectern_ws_resyncs_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_ws_direct_total Batches written at once rather than queued for a writable callback.\n"
      "# TYPE lectern_ws_direct_total counter\nlectern_ws_direct_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_ws_parallel_total Of those, batches written by the parallel fan-out's threads.\n"
      "# TYPE lectern_ws_parallel_total counter\nlectern_ws_parallel_total %" G_GUINT64_FORMAT "\n",
      g_hash_table_size(ws->conns), ws->errors, ws->dropped, ws->resyncs, ws->direct, ws->parallel);
}

Ws *ws_new(Db *db, const guint8 *secret, const Config *config)
{
  Ws *ws = g_new0(Ws, 1);
  ws->db = db;
  ws->secret = secret;
  ws->config = config;
  ws->conns = g_hash_table_new(g_int64_hash, g_int64_equal);
  ws->member_conns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  ws->services = g_ptr_array_new_with_free_func(g_free);
  ws->routes = g_hash_table_new(g_str_hash, g_str_equal);
  g_hash_table_insert(ws->routes, (gpointer)ws_msg_type_name(WS_HELLO), NULL);
  ws->sweep_timer = g_timeout_add(SWEEP_MS, sweep_tick, ws);
  metrics_add_provider(metrics, ws);
  return ws;
}

int ws_register(Ws *ws, const WsService *service, void *user)
{
  for (size_t i = 0; i < service->n_types; i++)
    if (g_hash_table_contains(ws->routes, ws_msg_type_name(service->types[i]))) {
      log_error("ws", "service %s: message type %s already has a service", service->name,
                ws_msg_type_name(service->types[i]));
      return -EEXIST;
    }
  Service *s = g_new0(Service, 1);
  s->svc = *service;
  s->user = user;
  g_ptr_array_add(ws->services, s);
  for (size_t i = 0; i < service->n_types; i++)
    g_hash_table_insert(ws->routes, (gpointer)ws_msg_type_name(service->types[i]), s);
  return 0;
}

static int compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

char **ws_route_types(const Ws *ws)
{
  GPtrArray *names = g_ptr_array_new();
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init(&it, ws->routes);
  while (g_hash_table_iter_next(&it, &key, NULL))
    g_ptr_array_add(names, g_strdup(key));
  g_ptr_array_sort(names, compare_names);
  g_ptr_array_add(names, NULL);
  return (char **)g_ptr_array_free(names, FALSE);
}

struct lws_protocols ws_protocol(Ws *ws)
{
  return (struct lws_protocols){
    .name = WS_PROTOCOL,
    .callback = callback_ws,
    .per_session_data_size = sizeof(WsConn *),
    .rx_buffer_size = RX_BUFFER,
    .user = ws,
    /* Without it lws sends at most rx_buffer_size (1 KiB) per send() and copies the rest of
     * a frame into the connection's buflist for later turns: a batch would cost every viewer
     * a copy and extra wakeups. One send() may take what the socket's buffer holds. */
    .tx_packet_size = 2 * SNDBUF_BYTES,
  };
}

void ws_free(Ws **pws)
{
  Ws *ws = *pws;
  if (!ws)
    return;
  metrics_remove_provider(metrics, ws);
  /* Connections still open (the context normally closed them) close now. */
  GList *conns = g_hash_table_get_values(ws->conns);
  for (GList *l = conns; l; l = l->next)
    ws_conn_close(l->data);
  g_list_free(conns);
  for (guint i = 0; i < ws->services->len; i++) {
    Service *s = ws->services->pdata[i];
    if (s->svc.free)
      s->svc.free(s->user);
  }
  g_source_remove(ws->sweep_timer);
  g_ptr_array_unref(ws->services);
  g_hash_table_unref(ws->routes);
  g_hash_table_unref(ws->conns);
  g_hash_table_unref(ws->member_conns);
  g_free(ws);
  *pws = NULL;
}
