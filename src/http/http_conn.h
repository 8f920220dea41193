/* http_conn: the books kept on every accepted HTTP/WebSocket socket — open connections for
 * /metrics, the ones closed before they sent a whole request within [http]
 * header_timeout (slow or idle clients: slowloris), counted and logged at most every 10 s, and
 * two queues of deadlines that lws's own timers kept badly (a list sorted by insertion from its
 * head: O(connections) per request, docs/delivery.md): the keep-alive connections waiting for
 * their next request, those sending a body, by their last progress, and those whose answer is
 * held (LL-HLS blocking requests: thousands at once). Every connection in a
 * queue waits the same time, so a queue is in order of its deadlines: joining is O(1), and
 * the ones past theirs are found at its head without looking at the others.
 * No lws here: http_server.c keeps an HttpConn per socket as its opaque user data. */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct HttpConnBook HttpConnBook;

typedef enum {
  HTTP_CONN_BUSY,     /* in no queue: reading a request, answering it at once, a /ws */
  HTTP_CONN_HEADER,   /* accepted; no whole request yet ([http] header_timeout: slowloris) */
  HTTP_CONN_IDLE,     /* answered; waiting for its next request (keep-alive) */
  HTTP_CONN_SENDING,  /* sending a body: the time is since its last progress */
  HTTP_CONN_ANSWERING, /* its answer is being worked out elsewhere (a held LL-HLS request,
                        * an API call off the main loop) */
  HTTP_CONN_WAITS,
} HttpConnWait;

typedef struct {
  HttpConnBook *book;
  void *owner;           /* the socket's (http_server.c: its struct lws) */
  gint64 opened_us;      /* monotonic */
  bool requested;        /* a whole request header arrived on it */
  char peer[64];         /* the peer's address, asked of the socket once (every request of a
                          * keep-alive connection has the same); "" until then */
  HttpConnWait wait;     /* the queue it is in (wait_link) */
  GList wait_link;
  gint64 wait_since_us;  /* it joined that queue (monotonic) */
  bool marked;           /* passed to http_conn_each_new_header_wait's function already */
} HttpConn;

struct HttpConnBook {
  gint64 limit_us[HTTP_CONN_WAITS]; /* how long each wait may last (HEADER: [http] header_timeout) */
  GQueue queue[HTTP_CONN_WAITS];     /* HttpConn*, in the order they began waiting (BUSY: unused) */
  guint64 header_timeouts;  /* in all */
  guint64 unreported;       /* counted since the last log line */
  gint64 reported_us;       /* when the last log line was written; 0: never */
};

#define HTTP_CONN_LOG_EVERY_US (10 * G_USEC_PER_SEC)

/* KEEPALIVE_S: how long a connection may wait for its next request; STALL_S: how long a
 * body's reader may take nothing; ANSWER_S: how long an answer may be held. */
void http_conn_book_init(HttpConnBook *b, int header_timeout_s, int keepalive_s, int stall_s,
                         int answer_s);

/* A socket (OWNER, the caller's) accepted at NOW_US (counted in lectern_connections_open).
 * Free with http_conn_close. */
HttpConn *http_conn_open(HttpConnBook *b, void *owner, gint64 now_us);

/* A whole request header (or a WebSocket upgrade) arrived on C: it waits in no queue. */
void http_conn_request(HttpConn *c);

/* C begins waiting WAIT at NOW_US (HTTP_CONN_HEADER: just accepted; HTTP_CONN_IDLE: answered,
 * kept open for the next request; HTTP_CONN_SENDING: a piece of its body went out;
 * HTTP_CONN_ANSWERING: its answer is held): it goes to the end of that queue, out of any
 * other. O(1), whatever the number of connections. */
void http_conn_wait(HttpConn *c, HttpConnWait wait, gint64 now_us);

/* Passes FN each connection that joined the HTTP_CONN_HEADER queue since the last call (newest
 * first; each once): O(those), not O(the queue). */
void http_conn_each_new_header_wait(HttpConnBook *b, void (*fn)(HttpConn *c, void *user),
                                    void *user);

/* A connection whose wait has lasted its limit or more at NOW_US, the longest first: taken
 * out of its queue and returned (the caller closes it), with what it waited for in *WAIT
 * (may be NULL); else NULL. */
HttpConn *http_conn_expired(HttpConnBook *b, gint64 now_us, HttpConnWait *wait);

/* The socket of *C is gone at NOW_US; frees it (out of its queue) and clears the pointer
 * (NULL is fine).
 * Returns true when it was held without a whole request for the header timeout: counted,
 * and logged unless a line was written less than 10 s ago (that line's count then
 * includes it). */
bool http_conn_close(HttpConnBook *b, HttpConn **c, gint64 now_us);
