/* http_server: libwebsockets on the GLib main loop (through core/evloop) — the lws context,
 * reading requests and writing responses, routing between /api/v1 (api), uploads
 * (http_upload), files (http_files), /metrics and /healthz, limits and draining; and the
 * WebSocket transport /ws (ws.c, with its services). */
#include "http/http_server.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/evloop.h"
#include "http/api.h"
#include "http/api_chat_replay.h"
#include "http/api_oidc.h"
#include "http/api_uploads.h"
#include "http/api_submissions.h"
#include "http/http_conn.h"
#include "http/http_files.h"
#include "http/hls_block.h"
#include "http/http_types.h"
#include "http/http_upload.h"
#include "http/og_page.h"
#include "http/ws.h"
#include "http/ws_services.h"
#include "http/ws_chat.h"
#include "http/ws_qa.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libwebsockets.h>
#include <netinet/in.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#define URI_MAX 2048
#define HEADER_VALUE_MAX 1024
#define QUERY_ARGS_MAX 32
#define WRITE_CHUNK (16 * 1024)
#define INLINE_BODY_MAX (64 * 1024) /* bodies sent with their headers in one write */
#define HTTP_FILE_CHUNK (256 * 1024)
/* sendfile(2) per writable callback: a 2 s segment at a few Mbit/s in one call (nginx's
 * sendfile_max_chunk is the same), small enough that one big download cannot hold the loop
 * (the kernel copies page-cache pages, not us). */
#define SENDFILE_MAX (2 * 1024 * 1024)
/* Bodies over this are corked (cork): a smaller one leaves in one sendfile(2) anyway, and the
 * two setsockopt calls cost it more than they save (a 60 KB poster measured slower). */
#define CORK_FROM (256 * 1024)
#define CONN_SWEEP_MS 1000 /* conn_sweep */

/* No inline script anywhere; media from blob: for Media Source Extensions. */
#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " \
            "media-src 'self' blob:; connect-src 'self' ws: wss:; worker-src 'self' blob:; "       \
            "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

struct HttpServer {
  struct lws_context *ctx;
  struct lws_vhost *vhost;
  EvLoop *ev;
  void *foreign_loops[1];
  struct lws_protocols protocols[3];
  struct lws_protocol_vhost_options pvo_default, pvo_watch;
  Ws *ws;
  struct lws_http_mount mount;
  const Config *config;
  ApiContext api;
  HttpFiles files;
  HlsBlock *block;           /* LL-HLS blocking playlist requests (hls_block.c) */
  HttpConnBook conns;
  guint sweep_timer;     /* conn_sweep */
  guint fresh_idle;      /* take_fresh_off_lws_timers, once a turn after an accept */
  bool draining;
  int in_flight;
  int port;
  GHashTable *later;         /* id -> struct lws*: requests whose answer is being worked out */
  GHashTable *no_query;      /* the query of every request without one (shared, never written) */
  guint64 later_seq;
};

/* One request/response exchange; a keep-alive connection has several in turn. */
typedef struct {
  char method[8];
  char path[URI_MAX];
  GHashTable *query;
  char *authorization, *if_none_match, *if_modified_since, *content_type;
  char *cookie, *csrf_token;
  char *tus_resumable, *upload_length, *upload_offset, *upload_metadata; /* tus (http_tus.h) */
  char peer[64];
  GByteArray *body;
  bool body_expected;
  bool body_too_large;
  bool upload;               /* POST /api/v1/uploads: the body streams to disk (http_upload) */
  HttpUpload up;
  bool head;
  HttpResponse resp;
  bool responding;
  bool close_after;
  bool body_started;         /* a piece of the body has come (pipelined_body checks the first) */
  size_t sent;
  guint64 later_id;          /* waiting for its answer (HttpLater), 0 when not */
  bool later_ready;          /* the answer came: send it when writable */
  int fd;                    /* a file being sent with sendfile(2), or -1 */
  bool corked;               /* TCP_CORK is on for its body (cork) */
  off_t file_off, file_end;  /* what is left of it: [file_off, file_end) */
} Txn;

typedef struct {
  Txn *txn;
} Session;

static HttpServer *server_of(struct lws *wsi)
{
  return lws_context_user(lws_get_context(wsi));
}

static void txn_free(HttpServer *s, Txn **pt)
{
  Txn *t = *pt;
  if (!t)
    return;
  if (t->responding)
    s->in_flight--;
  if (t->later_id)
    g_hash_table_remove(s->later, &t->later_id); /* its answer, when it comes, is dropped */
  if (t->fd >= 0)
    close(t->fd);
  g_hash_table_unref(t->query);
  http_upload_clear(&t->up); /* a body that never completed (or was refused) leaves nothing */
  g_free(t->authorization);
  g_free(t->if_none_match);
  g_free(t->if_modified_since);
  g_free(t->content_type);
  g_free(t->cookie);
  g_free(t->csrf_token);
  g_free(t->tus_resumable);
  g_free(t->upload_length);
  g_free(t->upload_offset);
  g_free(t->upload_metadata);
  if (t->body)
    g_byte_array_unref(t->body);
  http_response_clear(&t->resp);
  g_free(t);
  *pt = NULL;
}

/* ---- writing responses ------------------------------------------------- */

/* WSI waits (for its next request, a reader, an answer) timed by our queue for WAIT
 * (http_conn.c, closed by conn_sweep), taken off lws's timer at once, O(1). lws keeps every
 * timer of every connection in one list sorted by deadline and inserts from its head; the
 * deadline a request sets is nearly always the latest of all, so it walked past every other
 * waiting connection on every request — with 1,000 connections 39 % of the server's time
 * (docs/delivery.md). Off it, lws's list holds only connections in the middle of reading a
 * request, and its inserts stay short. */
static void own_timer(struct lws *wsi, HttpConnWait wait)
{
  lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
  http_conn_wait(lws_get_opaque_user_data(wsi), wait, g_get_monotonic_time());
}

/* Ends T's exchange: the connection is kept for the next request, or closed. */
static int finish(HttpServer *s, struct lws *wsi, Txn *t)
{
  if (t->responding) {
    t->responding = false;
    s->in_flight--;
  }
  if (t->close_after)
    return -1;
  /* The exchange is over: its request and answer are freed now, not when the next request
   * comes. An idle keep-alive connection so holds no answer (thousands of them each kept
   * their last one, a large API list included), and the next exchange, on any connection,
   * gets the memory just freed, still in the cache. Before lws_http_transaction_completed,
   * which may begin a pipelined next request. */
  Session *sess = lws_wsi_user(wsi);
  if (sess->txn != t) { /* never: T is the connection's exchange; a log line, not an abort */
    log_error("http", "finish: not the connection's exchange (closed)");
    return -1;
  }
  txn_free(s, &sess->txn);
  if (lws_http_transaction_completed(wsi))
    return -1;
  /* Waiting for the next request: lws has just put the connection on its keep-alive timer. */
  own_timer(wsi, HTTP_CONN_IDLE);
  /* lws asked for writability to leave its deferring state, which writes nothing: when it
   * holds nothing unsent it is told now, in this turn (evloop_writable_now). */
  if (!lws_partial_buffered(wsi))
    evloop_writable_now(s->ev, lws_get_socket_fd(wsi));
  return 0;
}

/* N in decimal, written backwards into BUF (at least 21 bytes); returns where it starts. No
 * printf: in this process every printf takes glibc's slow path (docs/delivery.md). */
static const char *decimal(size_t n, char buf[32])
{
  char *p = buf + 31;
  *p = '\0';
  do
    *--p = (char)('0' + n % 10);
  while (n /= 10);
  return p;
}

static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p,
                      unsigned char *end)
{
  return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
                                     (const unsigned char *)value, (int)strlen(value), p, end);
}

/* Headers every response carries. Returns 0 or 1 when the buffer is full. */
static int add_common_headers(HttpServer *s, struct lws *wsi, unsigned char **p, unsigned char *end)
{
  if (add_header(wsi, "content-security-policy:", CSP, p, end) ||
      add_header(wsi, "x-content-type-options:", "nosniff", p, end) ||
      add_header(wsi, "referrer-policy:", "same-origin", p, end) ||
      add_header(wsi, "x-frame-options:", "DENY", p, end))
    return 1;
  const char *origin = s->config->cors_origin;
  if (origin && origin[0]) {
    if (add_header(wsi, "access-control-allow-origin:", origin, p, end) ||
        add_header(wsi, "access-control-allow-headers:", "authorization, content-type, x-csrf-token", p, end) ||
        add_header(wsi, "access-control-allow-methods:",
                   "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS", p, end) ||
        add_header(wsi, "vary:", "origin", p, end))
      return 1;
  }
  return 0;
}

/* One buffer for every response (the main loop's thread alone sends, one response at a time,
 * and lws_write has sent or copied what it was given when it returns): no 4-68 KB allocation
 * per request. The headers take at most its first 4 KB. */
static unsigned char send_buf[LWS_PRE + 4096 + INLINE_BODY_MAX];

/* The status line and the headers every answer of a body of LEN bytes begins with. The length
 * by name (not lws_add_http_common_headers): lws would count it down in lws_write, which an
 * inline body and the sendfile path do not go through. Returns 0 or 1 when the buffer is
 * full. */
static int add_answer_headers(HttpServer *s, struct lws *wsi, int status, const char *content_type, size_t len,
                              unsigned char **p, unsigned char *end)
{
  char clen[32];
  return lws_add_http_header_status(wsi, (unsigned int)status, p, end) ||
         add_header(wsi, "content-type:", content_type ? content_type : "text/plain; charset=utf-8", p, end) ||
         add_header(wsi, "content-length:", decimal(len, clen), p, end) || add_common_headers(s, wsi, p, end);
}

/* Sends the status line and headers of T's response and, when the body is small (playlists,
 * most API answers), the body with them in one write: one system call and no second trip
 * through the loop for a writable callback. A larger body follows in WRITE_CHUNK pieces. */
static int send_response(HttpServer *s, struct lws *wsi, Txn *t)
{
  HttpResponse *r = &t->resp;
  size_t len = r->body ? r->body->len : 0;
  bool inline_body = len > 0 && len <= INLINE_BODY_MAX && !t->head;
  unsigned char *start = send_buf + LWS_PRE, *p = start, *end = send_buf + LWS_PRE + 4096 - 1;

  t->responding = true;
  s->in_flight++;
  metrics_http_response(r->status);
  log_debug("http", "%s %s -> %d", t->method, t->path, r->status);

  if (add_answer_headers(s, wsi, r->status, r->content_type, len, &p, end))
    return -1;
  for (guint i = 0; i + 1 < r->headers->len; i += 2)
    if (add_header(wsi, r->headers->pdata[i], r->headers->pdata[i + 1], &p, end))
      return -1;
  if (t->close_after && add_header(wsi, "connection:", "close", &p, end))
    return -1;
  if (inline_body) {
    if (lws_finalize_http_header(wsi, &p, end))
      return -1;
    memcpy(p, r->body->str, len);
    p += len;
    if (lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_HEADERS) != (int)(p - start))
      return -1;
    t->sent = len;
    return finish(s, wsi, t);
  }
  if (lws_finalize_write_http_header(wsi, start, &p, end))
    return -1;

  if (len == 0 || t->head) {
    t->sent = len;
    return finish(s, wsi, t);
  }
  /* A body in pieces is timed by our sending queue, as a file's is (send_file). */
  own_timer(wsi, HTTP_CONN_SENDING);
  lws_callback_on_writable(wsi);
  return 0;
}

static int write_body(HttpServer *s, struct lws *wsi, Txn *t)
{
  unsigned char buf[LWS_PRE + WRITE_CHUNK];
  HttpResponse *r = &t->resp;
  size_t left = r->body->len - t->sent;
  size_t n = left > WRITE_CHUNK ? WRITE_CHUNK : left;
  bool last = n == left;

  memcpy(buf + LWS_PRE, r->body->str + t->sent, n);
  if (lws_write(wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
    return -1;
  t->sent += n;
  if (!last) {
    http_conn_wait(lws_get_opaque_user_data(wsi), HTTP_CONN_SENDING, g_get_monotonic_time());
    lws_callback_on_writable(wsi);
    return 0;
  }
  return finish(s, wsi, t);
}

static void not_found(HttpResponse *r);

/* TCP_CORK around a file's headers and body (nginx's tcp_nopush): full-sized packets, the
 * headers in the first with the body, and no small last piece sent before the rest. Without
 * it a 1.5 MB segment ran at about half of nginx's requests per second on loopback
 * (docs/delivery.md). */
static void cork(struct lws *wsi, int on)
{
  setsockopt(lws_get_socket_fd(wsi), IPPROTO_TCP, TCP_CORK, &on, sizeof on);
}

/* The next piece of T's file, straight from the page cache to the socket (sendfile(2)): no
 * copy through our memory and no 256 KiB lws chunk per wake-up. Called when the socket is
 * writable; lws has flushed what it buffered (headers) before it calls us. */
static int write_file(HttpServer *s, struct lws *wsi, Txn *t)
{
  if (lws_partial_buffered(wsi)) {
    lws_callback_on_writable(wsi);
    return 0;
  }
  size_t want = (size_t)MIN((off_t)SENDFILE_MAX, t->file_end - t->file_off);
  ssize_t n = sendfile(lws_get_socket_fd(wsi), t->fd, &t->file_off, want);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
    lws_callback_on_writable(wsi);
    return 0;
  }
  if (n <= 0)
    return -1; /* the client went away, or the file shrank: the length we promised is wrong */
  if (t->file_off < t->file_end) {
    /* A reader that takes nothing for [http] send_stall_timeout is closed (conn_sweep): our queue,
     * not lws_set_timeout, which walked every other sending connection on each piece — with
     * 4,000 readers of a segment 42 % of the server's time. */
    http_conn_wait(lws_get_opaque_user_data(wsi), HTTP_CONN_SENDING, g_get_monotonic_time());
    lws_callback_on_writable(wsi);
    return 0;
  }
  close(t->fd);
  t->fd = -1;
  if (t->corked)
    cork(wsi, 0);
  return finish(s, wsi, t); /* to the idle queue, out of the sending one */
}

/* Sends a file from disk with our headers: a byte range when the request asks for one (206,
 * or 416 with the size), the body by sendfile(2) (write_file). HEAD gets the headers alone. */
static int send_file(HttpServer *s, struct lws *wsi, Txn *t, HttpFile *f)
{
  /* Opened below its root's descriptor by http_files (the usual case), or by its path. */
  int fd = f->fd;
  struct stat st = f->st;
  const char *mime = f->mime, *cache_control = f->cache_control;
  f->fd = -1;
  if (fd < 0 && (fd = open(f->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) >= 0 && fstat(fd, &st) < 0) {
    close(fd);
    fd = -1;
  }
  if (fd < 0 || !S_ISREG(st.st_mode)) {
    if (fd >= 0)
      close(fd);
    not_found(&t->resp);
    return send_response(s, wsi, t);
  }
  gint64 size = st.st_size, from = 0, to = size;
  int status = 200;
  char range[256];
  if (lws_hdr_copy(wsi, range, sizeof range, WSI_TOKEN_HTTP_RANGE) > 0) {
    int rc = http_files_range(range, size, &from, &to);
    if (rc == -ERANGE) {
      close(fd);
      char cr[64];
      g_snprintf(cr, sizeof cr, "bytes */%" G_GINT64_FORMAT, size);
      http_response_text(&t->resp, 416, "text/plain; charset=utf-8", "416 Range Not Satisfiable\n");
      http_response_header(&t->resp, "content-range:", cr);
      http_response_header(&t->resp, "accept-ranges:", "bytes");
      return send_response(s, wsi, t);
    }
    if (rc == 0)
      status = 206;
    else
      from = 0, to = size;
  }
  unsigned char buf[LWS_PRE + 2048];
  unsigned char *start = buf + LWS_PRE, *p = start, *end = buf + sizeof buf - 1;
  char cr[96] = "";
  if (status == 206)
    g_snprintf(cr, sizeof cr, "bytes %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
               from, to - 1, size);
  if (add_answer_headers(s, wsi, status, mime, (size_t)(to - from), &p, end) ||
      add_header(wsi, "accept-ranges:", "bytes", &p, end) ||
      (status == 206 && add_header(wsi, "content-range:", cr, &p, end)) ||
      add_header(wsi, "cache-control:", cache_control, &p, end) ||
      (t->close_after && add_header(wsi, "connection:", "close", &p, end))) {
    close(fd);
    return -1;
  }
  bool body = !t->head && to != from;
  t->corked = body && to - from > CORK_FROM;
  if (t->corked)
    cork(wsi, 1);
  if (lws_finalize_write_http_header(wsi, start, &p, end)) {
    close(fd);
    return -1;
  }
  t->responding = true;
  s->in_flight++;
  metrics_http_response(status);
  log_debug("http", "%s %s -> %d", t->method, t->path, status);
  if (!body) {
    close(fd);
    return finish(s, wsi, t);
  }
  t->fd = fd;
  t->file_off = from;
  t->file_end = to;
  /* Timed by our sending queue from here: lws put the request on its own timer ([http]
   * idle_timeout, before it called us), which would cut a download longer than that however
   * steadily it is read, and would keep the connection on lws's timer list meanwhile. */
  own_timer(wsi, HTTP_CONN_SENDING);
  /* The body at once when lws sent the headers whole (it has nothing buffered): a poster
   * or a script then goes out in this callback, without a trip through the loop. */
  return write_file(s, wsi, t);
}

/* An answer worked out off the main loop arrives (HttpLater): sent when the connection is
 * writable, or dropped when the connection has gone meanwhile. */
static void later_answer(void *server, guint64 id, void *data)
{
  HttpServer *s = server;
  HttpResponse *resp = data;
  struct lws *wsi = g_hash_table_lookup(s->later, &id);
  Session *sess = wsi ? lws_wsi_user(wsi) : NULL;
  if (!sess || !sess->txn || sess->txn->later_id != id) {
    http_response_clear(resp);
    g_free(resp);
    return;
  }
  Txn *t = sess->txn;
  g_hash_table_remove(s->later, &id);
  t->later_id = 0;
  http_response_clear(&t->resp);
  t->resp = *resp;
  g_free(resp);
  t->later_ready = true;
  http_conn_request(lws_get_opaque_user_data(wsi)); /* out of the held answers' queue */
  lws_callback_on_writable(wsi);
}

/* ---- routes served here ------------------------------------------------ */

static void handle_healthz(HttpServer *s, HttpResponse *r)
{
  int v = db_schema_version(s->api.db);
  if (v < 0) {
    http_response_text(r, 503, "application/json; charset=utf-8",
                       "{\"status\":\"unavailable\",\"database\":\"error\"}");
  } else {
    char *body = g_strdup_printf("{\"status\":\"%s\",\"database\":\"ok\",\"schema_version\":%d}",
                                 s->draining ? "draining" : "ok", v);
    http_response_text(r, s->draining ? 503 : 200, "application/json; charset=utf-8", body);
    g_free(body);
  }
  http_response_header(r, "cache-control:", "no-store");
}

static void handle_metrics(HttpResponse *r)
{
  char *text = metrics_render();
  http_response_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text);
  http_response_header(r, "cache-control:", "no-store");
  g_free(text);
}

static void not_found(HttpResponse *r)
{
  http_response_text(r, 404, "text/plain; charset=utf-8", "404 Not Found\n");
}

/* An unknown page: web/404.html (the site's header, a way home) with status 404. Other
 * files (scripts, images) and a missing 404.html get the plain answer. */
static int send_not_found(HttpServer *s, struct lws *wsi, Txn *t, const char *rel)
{
  const char *dot = rel ? strrchr(rel, '.') : NULL;
  g_autofree char *file = g_build_filename(s->files.web_root, "404.html", NULL);
  g_autofree char *html = NULL;
  if ((!dot || strchr(dot, '/') || !strcmp(dot, ".html")) && g_file_get_contents(file, &html, NULL, NULL)) {
    http_response_text(&t->resp, 404, "text/html; charset=utf-8", html);
    http_response_header(&t->resp, "cache-control:", "no-cache");
  } else {
    not_found(&t->resp);
  }
  return send_response(s, wsi, t);
}

/* /watch.html?v=ID with the lesson's OpenGraph meta (og_page.c), URLs made absolute with
 * the request's Host. Returns 0 when T's response is ready, else the plain page is sent. */
static int watch_page(HttpServer *s, struct lws *wsi, Txn *t, const char *file)
{
  const char *id = g_hash_table_lookup(t->query, "v");
  char host[256] = "";
  g_autofree char *html = NULL;
  g_autofree char *page = NULL;
  if (!id || !id[0] || !g_file_get_contents(file, &html, NULL, NULL))
    return -ENOENT;
  if (lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST) < 0 || !og_page_host_ok(host))
    host[0] = '\0';
  g_autofree char *origin = host[0] ? g_strconcat("http://", host, NULL) : g_strdup("");
  int ret = og_page_render(s->api.db, html, id, origin, &page);
  if (ret < 0)
    return ret;
  http_response_text(&t->resp, 200, "text/html; charset=utf-8", page);
  http_response_header(&t->resp, "cache-control:", "no-cache");
  return 0;
}

/* The whole answer to a kept playlist (http_files_kept_answer), made the first time it is
 * asked for by the same header code as every other answer, for this (HTTP/1.1) connection. */
typedef struct {
  HttpServer *s;
  struct lws *wsi;
} FrameFor;

static GBytes *frame_playlist(GBytes *text, const char *mime, const char *cache_control, void *user)
{
  const FrameFor *x = user;
  unsigned char head[4096], *p = head, *end = head + sizeof head - 1;
  gsize len = 0;
  const char *body = g_bytes_get_data(text, &len);
  if (len > INLINE_BODY_MAX || add_answer_headers(x->s, x->wsi, 200, mime, len, &p, end) ||
      add_header(x->wsi, "cache-control:", cache_control, &p, end) || lws_finalize_http_header(x->wsi, &p, end))
    return NULL;
  gsize hlen = (gsize)(p - head);
  char *answer = g_malloc(hlen + len);
  memcpy(answer, head, hlen);
  memcpy(answer + hlen, body, len);
  return g_bytes_new_take(answer, hlen + len);
}

/* A GET of a playlist kept in memory answered with its kept whole answer, in one write: no
 * headers built, nothing allocated (at 4,000 connections a playlist's user time was mostly
 * building the same headers again: docs/delivery.md). Only for what that answer is exactly
 * right for: a GET (not HEAD) over HTTP/1.1 on its own connection (not an HTTP/2 stream),
 * kept open after it. Returns 1 when it does not apply (the usual way then), else what
 * finish() returns. The path checks are http_files's, as for any file. */
static int send_kept_playlist(HttpServer *s, struct lws *wsi, Txn *t)
{
  char version[16];
  if (t->head || t->close_after || lws_get_network_wsi(wsi) != wsi ||
      lws_hdr_copy(wsi, version, sizeof version, WSI_TOKEN_HTTP) != 8 || strcmp(version, "HTTP/1.1") != 0)
    return 1;
  FrameFor x = { s, wsi };
  const void *answer = NULL;
  gsize len = 0;
  if (!http_files_kept_answer(&s->files, t->path, frame_playlist, &x, &answer, &len) ||
      len > sizeof send_buf - LWS_PRE)
    return 1;
  unsigned char *start = send_buf + LWS_PRE;
  memcpy(start, answer, len);
  t->responding = true;
  s->in_flight++;
  metrics_http_response(200);
  log_debug("http", "%s %s -> %d", t->method, t->path, 200);
  if (lws_write(wsi, start, len, LWS_WRITE_HTTP_HEADERS) != (int)len)
    return -1;
  return finish(s, wsi, t);
}

/* GET of a file: web root, /vendor/, /hls/ or /images/ (http_files decides which file, its
 * type and Cache-Control); playlists from memory, the rest streamed from disk; the watch
 * page with its lesson's meta; an unknown page of the web root as web/404.html. */
static int serve_file(HttpServer *s, struct lws *wsi, Txn *t)
{
  HttpFile f;
  int ret = send_kept_playlist(s, wsi, t);
  if (ret != 1)
    return ret;
  switch (http_files_resolve(&s->files, t->path, &f)) {
  case 200:
    if (f.body) {
      http_response_text(&t->resp, 200, f.mime, NULL);
      /* The playlist read for this request becomes the body as it is (no copy). */
      g_string_free(t->resp.body, TRUE);
      t->resp.body = g_steal_pointer(&f.body);
      http_response_header(&t->resp, "cache-control:", f.cache_control);
      ret = send_response(s, wsi, t);
    } else if (f.web_rel && strcmp(f.web_rel, "watch.html") == 0 && watch_page(s, wsi, t, f.file) == 0) {
      ret = send_response(s, wsi, t);
    } else {
      ret = send_file(s, wsi, t, &f);
    }
    break;
  case 400:
    http_response_text(&t->resp, 400, "text/plain; charset=utf-8", "400 Bad Request: invalid path\n");
    ret = send_response(s, wsi, t);
    break;
  default:
    if (f.web_rel) {
      ret = send_not_found(s, wsi, t, f.web_rel);
    } else {
      not_found(&t->resp);
      ret = send_response(s, wsi, t);
    }
    break;
  }
  http_file_clear(&f);
  return ret;
}

/* The largest body T may have in memory: a resumable upload's PATCH takes [submit]
 * chunk_bytes (a piece of a file, appended whole: docs/submissions.md), a member's picture for a
 * text submission [submit] image_bytes (a phone's photo), the rest of the API [http]
 * max_body_bytes. */
static size_t body_limit(const HttpServer *s, const Txn *t, const char **key)
{
  const char *k = "[http] max_body_bytes";
  gint64 limit = s->config->max_body_bytes;
  if (strcmp(t->method, "PATCH") == 0 && g_str_has_prefix(t->path, API_TUS_PATH "/")) {
    k = "[submit] chunk_bytes";
    limit = s->config->submit_chunk_bytes;
  } else if (strcmp(t->method, "POST") == 0 && strcmp(t->path, API_SUBMISSION_IMAGES_PATH) == 0) {
    k = "[submit] image_bytes";
    limit = s->config->submit_image_bytes;
  }
  if (key)
    *key = k;
  return (size_t)limit;
}

/* T's answer is worked out elsewhere (HttpLater) and comes to later_answer. Meanwhile the
 * connection is timed by our queue for held answers ([http] idle_timeout, as lws's own timer
 * would): lws's list of timers, which every other request's insert walks, would otherwise hold
 * every waiting LL-HLS viewer. */
static int answer_later(HttpServer *s, struct lws *wsi, Txn *t, guint64 id)
{
  t->later_id = id;
  g_hash_table_insert(s->later, g_memdup2(&id, sizeof id), wsi);
  own_timer(wsi, HTTP_CONN_ANSWERING);
  return 0;
}

static int dispatch(HttpServer *s, struct lws *wsi, Txn *t)
{
  if (t->body)
    g_byte_array_append(t->body, (const guint8 *)"", 1); /* NUL-terminate */

  if (s->draining) {
    t->close_after = true;
    http_response_text(&t->resp, 503, "text/plain; charset=utf-8", "503 Service Unavailable: shutting down\n");
    return send_response(s, wsi, t);
  }
  if (t->body_too_large) {
    const char *key = "[vod] max_file_size";
    gint64 limit = t->upload ? s->config->vod_max_file_size : (gint64)body_limit(s, t, &key);
    t->close_after = true;
    log_info("http", "%s %s: refused a request body over %" G_GINT64_FORMAT " bytes (413, %s)",
             t->method, t->upload ? API_UPLOAD_PATH : "(API)", limit,
             key);
    http_response_error(&t->resp, 413, "payload_too_large",
                        "request body is larger than %" G_GINT64_FORMAT " bytes", limit);
    return send_response(s, wsi, t);
  }
  if (t->upload) {
    HttpRequest req = {.method = t->method, .path = t->path, .query = t->query,
                       .authorization = t->authorization, .content_type = t->content_type,
                       .cookie = t->cookie, .csrf_token = t->csrf_token, .peer = t->peer};
    http_upload_finish(&t->up, &s->api, &req, &t->resp);
    return send_response(s, wsi, t);
  }
  if (strcmp(t->method, "OPTIONS") == 0 && g_str_has_prefix(t->path, API_TUS_PATH)) {
    api_tus_options(&s->api, &t->resp); /* the tus server's capabilities */
    return send_response(s, wsi, t);
  }
  if (strcmp(t->method, "OPTIONS") == 0) {
    http_response_text(&t->resp, 204, "text/plain", NULL);
    g_string_truncate(t->resp.body, 0);
    http_response_header(&t->resp, "allow:", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    return send_response(s, wsi, t);
  }

  const char *method = t->head ? "GET" : t->method;
  if (strcmp(t->path, "/api") == 0 || g_str_has_prefix(t->path, "/api/")) {
    HttpLater later = { .answer = later_answer, .server = s, .id = ++s->later_seq };
    HttpRequest req = {
      .method = method,
      .path = t->path,
      .query = t->query,
      .authorization = t->authorization,
      .if_none_match = t->if_none_match,
      .if_modified_since = t->if_modified_since,
      .content_type = t->content_type,
      .cookie = t->cookie,
      .csrf_token = t->csrf_token,
      .tus_resumable = t->tus_resumable,
      .upload_length = t->upload_length,
      .upload_offset = t->upload_offset,
      .upload_metadata = t->upload_metadata,
      .peer = t->peer,
      .body = t->body ? (const char *)t->body->data : NULL,
      .body_len = t->body ? t->body->len - 1 : 0,
      .later = &later,
    };
    api_handle(&s->api, &req, &t->resp);
    if (t->resp.later) {
      return answer_later(s, wsi, t, later.id);
    }
    return send_response(s, wsi, t);
  }

  bool get = strcmp(method, "GET") == 0;
  if (!get) {
    http_response_text(&t->resp, 405, "text/plain; charset=utf-8", "405 Method Not Allowed\n");
    http_response_header(&t->resp, "allow:", "GET, HEAD");
    return send_response(s, wsi, t);
  }
  if (strcmp(t->path, "/healthz") == 0) {
    handle_healthz(s, &t->resp);
    return send_response(s, wsi, t);
  }
  if (strcmp(t->path, "/metrics") == 0) {
    handle_metrics(&t->resp);
    return send_response(s, wsi, t);
  }
  if (g_str_has_prefix(t->path, "/hls/") && g_str_has_suffix(t->path, ".m3u8")) {
    /* LL-HLS: a playlist asked for with _HLS_msn may be held until its part exists. */
    HttpLater later = { .answer = later_answer, .server = s, .id = ++s->later_seq };
    if (hls_block_handle(s->block, t->path, t->query, &later, &t->resp)) {
      if (!t->resp.later)
        return send_response(s, wsi, t);
      return answer_later(s, wsi, t, later.id);
    }
  }
  if (g_str_has_prefix(t->path, "/hls/") && g_str_has_suffix(t->path, ".ts")) {
    /* LL-HLS: the part a playlist hints (EXT-X-PRELOAD-HINT) is held until it is written. */
    HttpLater later = { .answer = later_answer, .server = s, .id = ++s->later_seq };
    if (hls_block_part(s->block, t->path, &later, &t->resp)) {
      if (!t->resp.later)
        return send_response(s, wsi, t);
      return answer_later(s, wsi, t, later.id);
    }
  }
  return serve_file(s, wsi, t);
}

/* ---- reading requests -------------------------------------------------- */

static char *copy_header(struct lws *wsi, enum lws_token_indexes tok)
{
  int len = lws_hdr_total_length(wsi, tok);
  if (len <= 0 || len > HEADER_VALUE_MAX)
    return NULL;
  char *buf = g_malloc((gsize)len + 1);
  if (lws_hdr_copy(wsi, buf, len + 1, tok) < 0) {
    g_free(buf);
    return NULL;
  }
  return buf;
}

/* A header lws does not know by name (NAME lower case, with the colon), or NULL. */
static char *copy_custom_header(struct lws *wsi, const char *name)
{
  int nlen = (int)strlen(name);
  int len = lws_hdr_custom_length(wsi, name, nlen);
  if (len <= 0 || len > HEADER_VALUE_MAX)
    return NULL;
  char *buf = g_malloc((gsize)len + 1);
  if (lws_hdr_custom_copy(wsi, buf, len + 1, name, nlen) < 0) {
    g_free(buf);
    return NULL;
  }
  return buf;
}

static const struct { enum lws_token_indexes tok; const char *name; } methods[] = {
  { WSI_TOKEN_GET_URI, "GET" },
  { WSI_TOKEN_POST_URI, "POST" },
  { WSI_TOKEN_PUT_URI, "PUT" },
  { WSI_TOKEN_PATCH_URI, "PATCH" },
  { WSI_TOKEN_DELETE_URI, "DELETE" },
  { WSI_TOKEN_HEAD_URI, "HEAD" },
  { WSI_TOKEN_OPTIONS_URI, "OPTIONS" },
};

/* Bytes the header block takes in lws's header store: every header lws knows (the request
 * line's URL among them), each with its terminator. Headers lws does not know are stored
 * too but cannot be listed: they count against lws's own, larger cap (http_server_start). */
static size_t header_bytes(struct lws *wsi)
{
  size_t total = 0;
  for (int tok = 0; tok < WSI_TOKEN_COUNT; tok++) {
    int n = lws_hdr_total_length(wsi, (enum lws_token_indexes)tok);
    if (n > 0)
      total += (size_t)n + 1;
  }
  return total;
}

/* True when the first piece of T's body is T's own request line: lws 4.1.6 reads the body of
 * a request that came pipelined behind another (from its buffer of input already received)
 * from the start of that buffer — the request's own headers — and, when the body ends inside
 * it, loops there for ever (the whole server stops). A body shorter than the request line is
 * a prefix of it; one that is only empty lines counts too. Such a request is closed before anything
 * of it is done; a client that pipelines a POST (browsers never do) sends it again on a new
 * connection. A real body that starts with its own method and " /" is not one any client
 * sends. */
static bool pipelined_body(const Txn *t, const void *in, size_t len)
{
  const char *p = in, *end = p + len;
  while (p < end && (*p == '\r' || *p == '\n')) /* empty lines before a request line */
    p++;
  /* lws hands over no more than the announced length: a short body is only the start of the
   * line ("P" for "Content-Length: 1"). */
  char line[16];
  int m = g_snprintf(line, sizeof line, "%s /", t->method);
  size_t n = MIN((size_t)(end - p), (size_t)m);
  return memcmp(p, line, n) == 0 && (n > 0 || p > (const char *)in);
}

/* The request's Content-Length in *LEN: 0, -ENOENT when it has none (or one over
 * HEADER_VALUE_MAX bytes), -EINVAL when it is not a number. */
static int content_length(struct lws *wsi, guint64 *len)
{
  g_autofree char *cl = copy_header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
  if (!cl)
    return -ENOENT;
  return g_ascii_string_to_unsigned(cl, 10, 0, G_MAXUINT64, len, NULL) ? 0 : -EINVAL;
}

/* True when the request says it has a body: a Transfer-Encoding, or a Content-Length that is
 * not 0. */
static bool has_body_headers(struct lws *wsi)
{
  if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
    return true;
  if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
    return false;
  guint64 v = 0;
  return content_length(wsi, &v) < 0 || v > 0; /* a length too long to copy is not 0 either */
}

/* Fills T from the parsed request. Returns 0, or a status to answer with (T's response
 * already holds its JSON error when the status is 4xx). */
static int read_request(HttpServer *s, struct lws *wsi, Txn *t)
{
  size_t hbytes = header_bytes(wsi);
  if (hbytes > (size_t)s->config->max_header_bytes) {
    log_info("http", "refused a request whose headers take %zu bytes (431, [http] max_header_bytes %"
             G_GINT64_FORMAT ")", hbytes, s->config->max_header_bytes);
    http_response_error(&t->resp, 431, "headers_too_large",
                        "the request headers take %zu bytes, over the %" G_GINT64_FORMAT " byte limit",
                        hbytes, s->config->max_header_bytes);
    return 431;
  }
  int len = -1;
  for (unsigned i = 0; i < G_N_ELEMENTS(methods); i++) {
    len = lws_hdr_total_length(wsi, methods[i].tok);
    if (len > 0) {
      g_strlcpy(t->method, methods[i].name, sizeof t->method);
      if (len >= URI_MAX || lws_hdr_copy(wsi, t->path, sizeof t->path, methods[i].tok) < 0) {
        log_info("http", "refused a request path of %d bytes (414, at most %d)", len, URI_MAX - 1);
        http_response_error(&t->resp, 414, "uri_too_long", "the path may have at most %d bytes", URI_MAX - 1);
        return 414;
      }
      break;
    }
  }
  if (!t->method[0]) {
    http_response_error(&t->resp, 405, "method_not_allowed", "the method is not one lectern answers");
    return 405;
  }
  if (t->path[0] != '/') {
    http_response_error(&t->resp, 400, "bad_request", "the path must start with /");
    return 400;
  }
  t->head = strcmp(t->method, "HEAD") == 0;

  char arg[URI_MAX];
  for (int n = 0; n < QUERY_ARGS_MAX; n++) {
    int alen = lws_hdr_copy_fragment(wsi, arg, sizeof arg, WSI_TOKEN_HTTP_URI_ARGS, n);
    if (alen < 0 && lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, n) > 0) {
      /* Dropping it would answer a different question (a search without its words). */
      log_info("http", "refused a query parameter of %d bytes (414, at most %d)",
               lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, n), URI_MAX - 1);
      http_response_error(&t->resp, 414, "uri_too_long", "a query parameter may have at most %d bytes",
                          URI_MAX - 1);
      return 414;
    }
    if (alen < 0)
      break;
    if (t->query == s->no_query) {
      g_hash_table_unref(t->query);
      t->query = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    }
    char *eq = strchr(arg, '=');
    if (eq) {
      *eq = '\0';
      g_hash_table_replace(t->query, g_strdup(arg), g_strdup(eq + 1));
    } else {
      g_hash_table_replace(t->query, g_strdup(arg), g_strdup(""));
    }
  }

  t->authorization = copy_header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
  t->if_none_match = copy_header(wsi, WSI_TOKEN_HTTP_IF_NONE_MATCH);
  t->if_modified_since = copy_header(wsi, WSI_TOKEN_HTTP_IF_MODIFIED_SINCE);
  t->content_type = copy_header(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE);
  t->cookie = copy_header(wsi, WSI_TOKEN_HTTP_COOKIE);
  t->csrf_token = copy_custom_header(wsi, "x-csrf-token:");
  if (g_str_has_prefix(t->path, API_TUS_PATH)) {
    t->tus_resumable = copy_custom_header(wsi, "tus-resumable:");
    t->upload_length = copy_custom_header(wsi, "upload-length:");
    t->upload_offset = copy_custom_header(wsi, "upload-offset:");
    t->upload_metadata = copy_custom_header(wsi, "upload-metadata:");
  }
  HttpConn *conn = lws_get_opaque_user_data(wsi);
  if (conn && conn->peer[0]) {
    g_strlcpy(t->peer, conn->peer, sizeof t->peer);
  } else {
    lws_get_peer_simple(wsi, t->peer, sizeof t->peer);
    if (conn)
      g_strlcpy(conn->peer, t->peer, sizeof conn->peer);
  }
  const char *proxy = s->config->trusted_proxy;
  if (proxy && proxy[0] && strcmp(t->peer, proxy) == 0) {
    /* The proxy appends the address it saw: the last entry is the one it vouches for. */
    g_autofree char *xff = copy_header(wsi, WSI_TOKEN_X_FORWARDED_FOR);
    const char *last = xff ? strrchr(xff, ',') : NULL;
    g_autofree char *client = xff ? g_strstrip(g_strdup(last ? last + 1 : xff)) : NULL;
    if (client && client[0] && strlen(client) < sizeof t->peer)
      g_strlcpy(t->peer, client, sizeof t->peer);
  }

  bool may_have_body = strcmp(t->method, "POST") == 0 || strcmp(t->method, "PUT") == 0 ||
                       strcmp(t->method, "PATCH") == 0;
  if (may_have_body) {
    guint64 clen = 0;
    int cl = content_length(wsi, &clen);
    /* lws 4.1 does not decode chunked request bodies: it would read the chunks as the next
     * request on the connection (a smuggled request, with Content-Length beside it). */
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0) {
      log_info("http", "%s: refused a request body sent with Transfer-Encoding (411)", t->method);
      http_response_error(&t->resp, 411, "length_required",
                          "send the body with Content-Length (Transfer-Encoding is not supported)");
      return 411;
    }
    if (cl == -EINVAL) {
      http_response_error(&t->resp, 400, "bad_request", "Content-Length is not a number");
      return 400;
    }
    if (strcmp(t->method, "POST") == 0 &&
        (strcmp(t->path, API_UPLOAD_PATH) == 0 || strcmp(t->path, API_UPLOAD_PATH "/") == 0)) {
      if (cl < 0) {
        log_info("http", "POST " API_UPLOAD_PATH ": refused an upload without Content-Length (411)");
        http_response_error(&t->resp, 411, "length_required", "send the file with Content-Length");
        return 411;
      }
      /* Returns 0, 413, or -1 with the response (401/403/500) already in T. */
      t->upload = true;
      HttpRequest req = {.method = t->method, .path = t->path, .query = t->query,
                         .authorization = t->authorization, .content_type = t->content_type,
                         .cookie = t->cookie, .csrf_token = t->csrf_token, .peer = t->peer};
      int r = http_upload_start(&t->up, &s->api, &req, true, clen, &t->resp);
      if (r == -EFBIG) {
        t->body_too_large = true;
        return 413;
      }
      if (r < 0)
        return -1;
      t->body_expected = clen > 0;
      return 0;
    }
    if (cl == 0 && clen > body_limit(s, t, NULL)) {
      t->body_too_large = true;
      return 413;
    }
    t->body_expected = cl == 0 && clen > 0;
    /* No length and no chunks means no body (RFC 9112), but lws 4.1.6 then waits for one of
     * any length and would read the next request as it: answered, then closed. */
    if (cl < 0)
      t->close_after = true;
    t->body = g_byte_array_new();
  } else if (has_body_headers(wsi)) {
    /* A body on a method that has none here (GET, HEAD, DELETE, OPTIONS) is not read: the
     * answer closes the connection. Left to lws 4.1.6, the body is skipped in its buffer of
     * pipelined input, and when the request itself came from that buffer it spun there for
     * ever: one packet (a request, then a GET with "Content-Length: 1") froze the server. */
    t->close_after = true;
  }
  return 0;
}

static void off_lws_timer(HttpConn *c, void *user)
{
  lws_set_timeout(c->owner, NO_PENDING_TIMEOUT, 0);
}

/* lws puts an accepted connection on its timers after our accept callback has run (the
 * request timer, then the header deadline when it attaches the header table), so a
 * connection is taken off lws's timer list at the next accept or, the last of a loop turn,
 * when the turn is over: our header queue times them ([http] header_timeout from the
 * accept, conn_sweep). Left there, a crowd arriving at once — ten thousand viewers when a
 * live begins — walked each other's deadlines twice per arrival. */
static gboolean take_fresh_off_lws_timers(gpointer data)
{
  HttpServer *s = data;
  s->fresh_idle = 0;
  http_conn_each_new_header_wait(&s->conns, off_lws_timer, NULL);
  return G_SOURCE_REMOVE;
}

static int callback_http(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
  Session *sess = user;
  HttpServer *s = server_of(wsi);

  switch (reason) {
  /* Every accepted socket, whether or not it has sent a request yet (ws.c, the vhost's
   * default protocol, hears of it first and passes it on here). */
  case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
    if (!lws_get_opaque_user_data(wsi)) {
      /* lws accepts a burst of connections in one loop (until the listener has no more):
       * the ones before this one are on lws's timers by now, and off them here. */
      http_conn_each_new_header_wait(&s->conns, off_lws_timer, NULL);
      HttpConn *c = http_conn_open(&s->conns, wsi, g_get_monotonic_time());
      lws_set_opaque_user_data(wsi, c);
      http_conn_wait(c, HTTP_CONN_HEADER, c->opened_us);
      if (!s->fresh_idle)
        s->fresh_idle = g_idle_add_full(G_PRIORITY_DEFAULT, take_fresh_off_lws_timers, s, NULL);
    }
    break;
  case LWS_CALLBACK_WSI_DESTROY: {
    /* Only accepted sockets carry an HttpConn (not the listener). */
    HttpConn *c = lws_get_opaque_user_data(wsi);
    if (c) {
      lws_set_opaque_user_data(wsi, NULL);
      http_conn_close(&s->conns, &c, g_get_monotonic_time());
    }
    break;
  }
  case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    if (sess)
      txn_free(s, &sess->txn);
    break;

  case LWS_CALLBACK_HTTP: {
    http_conn_request(lws_get_opaque_user_data(wsi));
    txn_free(s, &sess->txn);
    Txn *t = sess->txn = g_new0(Txn, 1);
    t->fd = -1;
    http_upload_init(&t->up);
    t->query = g_hash_table_ref(s->no_query); /* its own table at the first parameter */
    http_response_init(&t->resp);
    int status = read_request(s, wsi, t);
    if (status == 413) {
      return dispatch(s, wsi, t);
    }
    if (status) {
      t->close_after = true; /* the response is ready; the body is not read */
      return send_response(s, wsi, t);
    }
    if (t->body_expected)
      return 0; /* wait for LWS_CALLBACK_HTTP_BODY_COMPLETION */
    return dispatch(s, wsi, t);
  }

  case LWS_CALLBACK_HTTP_BODY: {
    Txn *t = sess->txn;
    if (t && !t->body_started) {
      t->body_started = true;
      if (pipelined_body(t, in, len)) {
        log_info("http", "%s: a request with a body pipelined behind another: closed unanswered "
                 "(its body cannot be read on this connection)", t->method);
        return -1;
      }
    }
    if (t && t->upload) {
      http_upload_append(&t->up, in, len);
      t->body_too_large = t->up.too_large;
      return 0;
    }
    if (!t || !t->body)
      return -1;
    if (t->body->len + len > body_limit(s, t, NULL)) {
      t->body_too_large = true;
      g_byte_array_set_size(t->body, 0);
    } else if (!t->body_too_large) {
      g_byte_array_append(t->body, in, (guint)len);
    }
    return 0;
  }

  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    /* lws reports the end of a "Content-Length: 0" body too (browsers send one with a POST
     * that has none); that request was answered at LWS_CALLBACK_HTTP (and may be over:
     * finish() freed it), and answering twice wrote a second response into the first one's
     * body. */
    if (!sess->txn || !sess->txn->body_expected)
      return 0;
    return dispatch(s, wsi, sess->txn);

  case LWS_CALLBACK_HTTP_WRITEABLE:
    if (sess->txn && sess->txn->later_ready && !sess->txn->responding) {
      sess->txn->later_ready = false;
      return send_response(s, wsi, sess->txn);
    }
    if (sess->txn && sess->txn->responding && sess->txn->fd >= 0)
      return write_file(s, wsi, sess->txn);
    if (!sess->txn || !sess->txn->responding || !sess->txn->resp.body)
      break;
    return write_body(s, wsi, sess->txn);

  case LWS_CALLBACK_CLOSED_HTTP:
    if (sess)
      txn_free(s, &sess->txn);
    break;

  default:
    break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* ---- lifecycle --------------------------------------------------------- */

/* Closes the connections that sent no whole request within [http] header_timeout of their
 * accept (take_fresh_off_lws_timers), the keep-alive connections that have waited [http]
 * keepalive_timeout for a next request (finish() took them off lws's timer), the readers of a body that took nothing for
 * [http] send_stall_timeout (write_file, write_body) and the requests whose answer was held
 * for [http] idle_timeout (answer_later): from the heads of http_conn's queues, each one
 * looked at is closed. Once a second, so a connection goes 0-1 s after its deadline. A
 * request that began arriving (headers not yet whole) by then is closed with it, as at lws's
 * own keep-alive deadline; a client opens a new connection for it. */
static gboolean conn_sweep(gpointer data)
{
  HttpServer *s = data;
  HttpConn *c;
  bool closing = false;
  while ((c = http_conn_expired(&s->conns, g_get_monotonic_time(), NULL))) {
    lws_set_timeout(c->owner, PENDING_TIMEOUT_HTTP_KEEPALIVE_IDLE, LWS_TO_KILL_ASYNC);
    closing = true;
  }
  /* lws looks at its due timers when its loop wakes for a socket: wake it (its event pipe),
   * or a quiet server would close them only at its next request. */
  if (closing)
    lws_cancel_service(s->ctx);
  return G_SOURCE_CONTINUE;
}

/* The guest cache's figures on /metrics. */
static void cache_metrics(GString *out, void *user)
{
  HttpServer *s = user;
  ApiCacheStats st;
  api_cache_stats(s->api.cache, &st);
  g_string_append_printf(out,
      "# HELP lectern_api_cache_hits_total Guest API reads answered from memory.\n"
      "# TYPE lectern_api_cache_hits_total counter\n"
      "lectern_api_cache_hits_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_api_cache_misses_total Guest API reads that had to be built (nothing kept, or kept but stale).\n"
      "# TYPE lectern_api_cache_misses_total counter\n"
      "lectern_api_cache_misses_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_api_cache_evictions_total Kept answers dropped to stay within [http] api_cache_size.\n"
      "# TYPE lectern_api_cache_evictions_total counter\n"
      "lectern_api_cache_evictions_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_api_cache_expirations_total Kept answers dropped because a publish time or viewer count made them old.\n"
      "# TYPE lectern_api_cache_expirations_total counter\n"
      "lectern_api_cache_expirations_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_api_cache_flushes_total Catalog changes that dropped every kept answer.\n"
      "# TYPE lectern_api_cache_flushes_total counter\n"
      "lectern_api_cache_flushes_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_api_cache_entries Answers kept now.\n"
      "# TYPE lectern_api_cache_entries gauge\n"
      "lectern_api_cache_entries %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_api_cache_bytes Memory the kept answers take, as counted against the budget.\n"
      "# TYPE lectern_api_cache_bytes gauge\n"
      "lectern_api_cache_bytes %" G_GUINT64_FORMAT "\n",
      st.hits, st.misses, st.evictions, st.expirations, st.flushes, st.entries, st.bytes);
}

static void conn_metrics(GString *out, void *user)
{
  HttpServer *s = user;
  g_string_append_printf(out,
      "# HELP lectern_http_header_timeouts_total Connections closed before they sent a whole "
      "request within [http] header_timeout.\n"
      "# TYPE lectern_http_header_timeouts_total counter\n"
      "lectern_http_header_timeouts_total %" G_GUINT64_FORMAT "\n", s->conns.header_timeouts);
}

/* The kept playlists' figures on /metrics. */
static void playlist_metrics(GString *out, void *user)
{
  HttpServer *s = user;
  HttpPlaylistsStats pl;
  http_playlists_stats(s->files.playlists, &pl);
  g_string_append_printf(out,
      "# HELP lectern_hls_playlist_reads_total Playlist requests by how they were answered: read "
      "from the file, from the text kept in memory, or with the kept whole answer.\n"
      "# TYPE lectern_hls_playlist_reads_total counter\n"
      "lectern_hls_playlist_reads_total{from=\"file\"} %" G_GUINT64_FORMAT "\n"
      "lectern_hls_playlist_reads_total{from=\"memory\"} %" G_GUINT64_FORMAT "\n"
      "lectern_hls_playlist_reads_total{from=\"kept_answer\"} %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_hls_playlists_kept Playlists kept in memory now, and the bytes they take.\n"
      "# TYPE lectern_hls_playlists_kept gauge\n"
      "lectern_hls_playlists_kept %u\n"
      "# TYPE lectern_hls_playlists_kept_bytes gauge\n"
      "lectern_hls_playlists_kept_bytes %" G_GSIZE_FORMAT "\n",
      pl.misses, pl.hits - pl.answered, pl.answered, pl.entries, pl.bytes);
}

/* lws reports a failed bind only as a failed vhost; try it first for errno. */
/* The API's way to end an erased member's /ws connections (api_kit has no /ws of its own). */
static void server_end_member(void *ws, const char *member)
{
  ws_close_member(ws, member);
}

static int probe_bind(const char *host, int port, char **err)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
    *err = g_strdup_printf("http_host '%s' is not an IPv4 address", host);
    return -EINVAL;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int ret = 0;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    ret = -errno;
    *err = g_strdup_printf("cannot listen for HTTP on %s:%d: %s", host, port, g_strerror(errno));
  }
  close(fd);
  return ret;
}

int http_server_start(const Config *config, Db *db, const guint8 *secret, GMainLoop *loop,
                      HttpServer **out, char **err)
{
  int ret = probe_bind(config->http_host, (int)config->http_port, err);
  if (ret < 0)
    return ret;

  HttpServer *s = g_new0(HttpServer, 1);
  s->config = config;
  s->api = (ApiContext){ .db = db, .secret = secret, .config = config };
  s->later = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  s->no_query = g_hash_table_new(g_str_hash, g_str_equal);
  if (config->oidc_issuer[0] && api_oidc_client_new(&s->api, err) < 0) {
    g_hash_table_unref(s->later);
    g_hash_table_unref(s->no_query);
    g_free(s);
    return -EINVAL;
  }
  if (config->api_cache_size > 0 && db_catalog_new(db, &s->api.catalog) == 0 &&
      api_cache_new((guint64)config->api_cache_size << 20, &s->api.cache) == 0)
    metrics_add_provider(cache_metrics, s);
  else
    db_catalog_free(&s->api.catalog);
  http_conn_book_init(&s->conns, (int)config->header_timeout, (int)config->keepalive_timeout,
                      (int)config->send_stall_timeout, (int)config->idle_timeout);
  http_files_init(&s->files, config);
  if ((ret = evloop_new(g_main_loop_get_context(loop), &s->ev)) < 0) {
    *err = g_strdup(ret == -EBUSY ? "an HTTP server is already running in this process" : "cannot create the libev loop");
    http_files_clear(&s->files);
    g_free(s);
    return ret;
  }
  s->foreign_loops[0] = evloop_ev(s->ev);

  s->protocols[0] = (struct lws_protocols){
    .name = "http",
    .callback = callback_http,
    .per_session_data_size = sizeof(Session),
  };
  /* WebSocket upgrades without a subprotocol (browsers' plain `new WebSocket(url)`) go to
   * the /ws transport: it is the vhost's default protocol. It accepts only /ws. */
  s->ws = ws_new(db, secret, config);
  ws_services_register(s->ws, db, config);
  s->api.end_member = server_end_member;
  s->api.end_member_user = s->ws;
  s->api.chat = ws_chat_service(s->ws);
  s->api.qa = ws_qa_service(s->ws);
  api_chat_replay_start(&s->api);
  s->protocols[1] = ws_protocol(s->ws);
  s->pvo_default = (struct lws_protocol_vhost_options){ .name = "default", .value = "1" };
  s->pvo_watch = (struct lws_protocol_vhost_options){ .name = WS_PROTOCOL, .value = "",
                                                      .options = &s->pvo_default };
  s->mount = (struct lws_http_mount){
    .mountpoint = "/",
    .mountpoint_len = 1,
    .origin = "http",
    .origin_protocol = LWSMPRO_CALLBACK,
  };

  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.options = LWS_SERVER_OPTION_LIBEV | LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
                 LWS_SERVER_OPTION_DISABLE_IPV6 | LWS_SERVER_OPTION_VALIDATE_UTF8;
  info.foreign_loops = s->foreign_loops;
  info.user = s;
  /* Descriptors: lws pauses its listener when its own sockets reach fd_limit_per_thread, so
   * that limit stays below the process's, leaving room for the database, media files and
   * RTMP (otherwise accept() fails with EMFILE and the listener spins the loop). lws finds a
   * socket's connection by indexing a table only when the limit equals the process limit it
   * reads at creation (else it searches linearly, O(connections) per event): the soft limit
   * is lowered to fd_limit while the context is made, then restored. */
  unsigned int fd_limit = (unsigned int)config->max_connections + 16;
  struct rlimit rl;
  bool restore_rlimit = false;
  rlim_t reserve = (rlim_t)config->rtmp_max_connections * 4 + 256;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > reserve + 64) {
    if (fd_limit > rl.rlim_cur - reserve) {
      fd_limit = (unsigned int)(rl.rlim_cur - reserve);
      log_warn("http", "at most about %u connections: open files are limited to %llu (ulimit -n)", fd_limit,
               (unsigned long long)rl.rlim_cur);
    }
    struct rlimit lowered = { fd_limit, rl.rlim_max };
    restore_rlimit = setrlimit(RLIMIT_NOFILE, &lowered) == 0;
  }
  info.fd_limit_per_thread = fd_limit;
  /* lws sends a file from disk this many bytes per writable callback (4 KiB by default): a
   * page's scripts (hls.js is 600 KiB) then cost one loop trip, two epoll changes and a
   * write per 4 KiB, which is most of what a crowd arriving for a live costs. */
  info.pt_serv_buf_size = HTTP_FILE_CHUNK;
  /* lws's header store, per connection while its headers arrive: room for twice our limit,
   * so a request somewhat over it is parsed whole and answered 431 (read_request); one that
   * fills the store is closed by lws without an answer (logged through the lws bridge). */
  info.max_http_header_data = (unsigned short)MIN(config->max_header_bytes * 2, 65535);
  info.timeout_secs = (unsigned int)config->idle_timeout;
  info.keepalive_timeout = (int)config->keepalive_timeout;
  info.server_string = "lectern";

  s->ctx = lws_create_context(&info);
  if (restore_rlimit)
    setrlimit(RLIMIT_NOFILE, &rl);
  if (!s->ctx) {
    *err = g_strdup("libwebsockets context creation failed (is libwebsockets-evlib-ev installed?)");
    ret = -EIO;
    goto fail;
  }

  info.port = (int)config->http_port;
  info.iface = config->http_host;
  info.protocols = s->protocols;
  info.mounts = &s->mount;
  info.pvo = &s->pvo_watch;
  info.vhost_name = "lectern";
  /* lws holds a connection's header store from its first byte and closes it when the
   * whole header has not arrived this long after (not renewed per byte: slowloris). */
  info.timeout_secs_ah_idle = (int)config->header_timeout;
  /* No "validity" timer per connection. lws 4.1.6 otherwise gives every /ws connection one
   * (its default policy: ping after 300 s) and keeps all timers in one sorted list, inserting
   * from the head: each new connection's timer, the latest of all, walks the whole list —
   * O(connections) per arrival, a quarter of the server's time while 20,000 viewers join.
   * Idle /ws connections are closed by our own sweep (ws.c, watch_idle_timeout) instead. */
  static const lws_retry_bo_t no_validity = { .secs_since_valid_ping = 0, .secs_since_valid_hangup = 0 };
  info.retry_and_idle_policy = &no_validity;
  s->vhost = lws_create_vhost(s->ctx, &info);
  if (!s->vhost) {
    *err = g_strdup_printf("cannot listen for HTTP on %s:%" G_GINT64_FORMAT, config->http_host,
                           config->http_port);
    ret = -EADDRINUSE;
    goto fail;
  }
  s->port = lws_get_vhost_listen_port(s->vhost);
  s->sweep_timer = g_timeout_add(CONN_SWEEP_MS, conn_sweep, s);
  metrics_add_provider(conn_metrics, s);
  metrics_add_provider(playlist_metrics, s);
  log_info("http", "listening on http://%s:%d/ (web root %s, media root %s)", config->http_host,
           s->port, s->files.web_root, s->files.media_root);
  s->block = hls_block_new(&s->files, config);
  *out = s;
  return 0;
fail:
  http_server_free(&s);
  return ret;
}

void http_server_drain(HttpServer *s)
{
  if (s)
    s->draining = true;
}

int http_server_in_flight(HttpServer *s) { return s ? s->in_flight : 0; }
int http_server_port(HttpServer *s) { return s ? s->port : 0; }

void http_server_free(HttpServer **ps)
{
  HttpServer *s = *ps;
  if (!s)
    return;
  metrics_remove_provider(conn_metrics, s);
  metrics_remove_provider(playlist_metrics, s);
  if (s->sweep_timer)
    g_source_remove(s->sweep_timer);
  if (s->fresh_idle)
    g_source_remove(s->fresh_idle);
  /* On libev lws closes everything in one destroy (no asynchronous handle closing). */
  if (s->ctx)
    lws_context_destroy(s->ctx);
  evloop_free(&s->ev);
  ws_free(&s->ws); /* after the context: closing connections end their sessions */
  oidc_client_free(&s->api.oidc); /* waits for calls under way; their answers are dropped */
  hls_block_free(&s->block);
  if (s->later)
    g_hash_table_unref(s->later);
  if (s->no_query) /* after the context: its connections' exchanges hold it */
    g_hash_table_unref(s->no_query);
  if (s->api.cache)
    metrics_remove_provider(cache_metrics, s);
  api_chat_replay_stop(&s->api);
  api_cache_free(&s->api.cache);
  db_catalog_free(&s->api.catalog);
  http_files_clear(&s->files);
  g_free(s);
  *ps = NULL;
}
