/* http_conn: the books kept on every accepted HTTP/WebSocket socket — open connections for
 * /metrics, the ones closed before they sent a whole request within [http]
 * header_timeout (slow or idle clients: slowloris), counted and logged at most every 10 s, and
 * the keep-alive connections waiting for their next request, longest waiting first, so that
 * the ones past [http] keepalive_timeout are found without looking at the others.
 * No lws here: http_server.c keeps an HttpConn per socket as its opaque user data. */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct HttpConnBook HttpConnBook;

typedef struct {
  HttpConnBook *book;
  void *owner;           /* the socket's (http_server.c: its struct lws) */
  gint64 opened_us;      /* monotonic */
  bool requested;        /* a whole request header arrived on it */
  char peer[64];         /* the peer's address, asked of the socket once (every request of a
                          * keep-alive connection has the same); "" until then */
  bool idle;             /* in the book's idle queue (idle_link) */
  GList idle_link;
  gint64 idle_since_us;  /* its last response ended (monotonic) */
} HttpConn;

struct HttpConnBook {
  gint64 header_timeout_us;
  gint64 keepalive_us;
  GQueue idle;              /* HttpConn* waiting for a next request, in the order they began */
  guint64 header_timeouts;  /* in all */
  guint64 unreported;       /* counted since the last log line */
  gint64 reported_us;       /* when the last log line was written; 0: never */
};

#define HTTP_CONN_LOG_EVERY_US (10 * G_USEC_PER_SEC)

void http_conn_book_init(HttpConnBook *b, int header_timeout_s, int keepalive_timeout_s);

/* A socket (OWNER, the caller's) accepted at NOW_US (counted in lectern_connections_open).
 * Free with http_conn_close. */
HttpConn *http_conn_open(HttpConnBook *b, void *owner, gint64 now_us);

/* A whole request header (or a WebSocket upgrade) arrived on C: it is no longer idle. */
void http_conn_request(HttpConn *c);

/* C answered its request at NOW_US and stays open for the next one (keep-alive): it joins the
 * end of the idle queue. O(1), whatever the number of connections. */
void http_conn_idle(HttpConn *c, gint64 now_us);

/* The connection that has waited longest for its next request when that is keepalive_timeout
 * or more at NOW_US: taken out of the queue and returned (the caller closes it); else NULL. */
HttpConn *http_conn_expired(HttpConnBook *b, gint64 now_us);

/* The socket of *C is gone at NOW_US; frees it (out of the idle queue) and clears the pointer
 * (NULL is fine).
 * Returns true when it was held without a whole request for the header timeout: counted,
 * and logged unless a line was written less than 10 s ago (that line's count then
 * includes it). */
bool http_conn_close(HttpConnBook *b, HttpConn **c, gint64 now_us);
