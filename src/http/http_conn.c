/* http_conn: the books kept on every accepted HTTP/WebSocket socket (open count, header
 * timeouts, the keep-alive, sending and held-answer deadlines). */
#include "http/http_conn.h"
#include "core/log.h"
#include "core/metrics.h"

/* lws fires its header timeout on a timer of its own; a close this close to the deadline is it. */
#define DEADLINE_SLACK_US (G_USEC_PER_SEC / 2)

void http_conn_book_init(HttpConnBook *b, int header_timeout_s, int keepalive_s, int stall_s,
                         int answer_s)
{
  *b = (HttpConnBook){ 0 };
  b->limit_us[HTTP_CONN_HEADER] = (gint64)header_timeout_s * G_USEC_PER_SEC;
  b->limit_us[HTTP_CONN_IDLE] = (gint64)keepalive_s * G_USEC_PER_SEC;
  b->limit_us[HTTP_CONN_SENDING] = (gint64)stall_s * G_USEC_PER_SEC;
  b->limit_us[HTTP_CONN_ANSWERING] = (gint64)answer_s * G_USEC_PER_SEC;
  for (int w = 0; w < HTTP_CONN_WAITS; w++)
    g_queue_init(&b->queue[w]);
}

HttpConn *http_conn_open(HttpConnBook *b, void *owner, gint64 now_us)
{
  HttpConn *c = g_new0(HttpConn, 1);
  c->book = b;
  c->owner = owner;
  c->opened_us = now_us;
  c->wait_link.data = c;
  metrics_connection_opened();
  return c;
}

static void stop_waiting(HttpConn *c)
{
  if (c->wait != HTTP_CONN_BUSY) {
    g_queue_unlink(&c->book->queue[c->wait], &c->wait_link);
    c->wait = HTTP_CONN_BUSY;
  }
}

void http_conn_request(HttpConn *c)
{
  if (!c)
    return;
  c->requested = true;
  stop_waiting(c);
}

void http_conn_wait(HttpConn *c, HttpConnWait wait, gint64 now_us)
{
  if (!c)
    return;
  stop_waiting(c);
  if (wait <= HTTP_CONN_BUSY || wait >= HTTP_CONN_WAITS)
    return;
  c->wait = wait;
  c->wait_since_us = now_us;
  g_queue_push_tail_link(&c->book->queue[wait], &c->wait_link);
}

void http_conn_each_new_header_wait(HttpConnBook *b, void (*fn)(HttpConn *c, void *user),
                                    void *user)
{
  for (GList *l = b->queue[HTTP_CONN_HEADER].tail; l; l = l->prev) {
    HttpConn *c = l->data;
    if (c->marked)
      break; /* the ones before it were passed on by an earlier call */
    c->marked = true;
    fn(c, user);
  }
}

HttpConn *http_conn_expired(HttpConnBook *b, gint64 now_us, HttpConnWait *wait)
{
  for (int w = HTTP_CONN_BUSY + 1; w < HTTP_CONN_WAITS; w++) {
    GList *head = b->queue[w].head;
    HttpConn *c = head ? head->data : NULL;
    if (c && now_us - c->wait_since_us >= b->limit_us[w]) {
      stop_waiting(c);
      if (wait)
        *wait = (HttpConnWait)w;
      return c;
    }
  }
  return NULL;
}

bool http_conn_close(HttpConnBook *b, HttpConn **pc, gint64 now_us)
{
  HttpConn *c = *pc;
  if (!c)
    return false;
  metrics_connection_closed();
  stop_waiting(c);
  bool timed_out = !c->requested &&
                   now_us - c->opened_us >= b->limit_us[HTTP_CONN_HEADER] - DEADLINE_SLACK_US;
  g_free(c);
  *pc = NULL;
  if (!timed_out)
    return false;
  b->header_timeouts++;
  b->unreported++;
  /* Thousands of slow clients make thousands of closes: one line per 10 s says how many. */
  if (!b->reported_us || now_us - b->reported_us >= HTTP_CONN_LOG_EVERY_US) {
    log_warn("http", "closed %" G_GUINT64_FORMAT " connection(s) that sent no whole request within "
             "%" G_GINT64_FORMAT " s ([http] header_timeout; %" G_GUINT64_FORMAT " in all)",
             b->unreported, b->limit_us[HTTP_CONN_HEADER] / G_USEC_PER_SEC, b->header_timeouts);
    b->unreported = 0;
    b->reported_us = now_us;
  }
  return true;
}
