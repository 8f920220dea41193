/* Tests for src/http/http_conn.c: open connections counted, header timeouts told apart from
 * ordinary closes, and their log lines at most one per 10 s; keep-alive connections and
 * stalled file readers found past their deadline, longest waiting first, and only those. */
#include "core/log.h"
#include "core/metrics.h"
#include "http/http_conn.h"
#include "testutil.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define S G_USEC_PER_SEC

static int fds[2];

static void setup(void)
{
  g_assert(pipe(fds) == 0);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  log_set_fd(fds[1]);
  log_set_level(LOG_INFO);
}

static void teardown(void)
{
  log_set_fd(2);
  close(fds[0]);
  close(fds[1]);
}

/* The log lines written since the last call. */
static char *drain(void)
{
  GString *s = g_string_new(NULL);
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0)
    g_string_append_len(s, buf, n);
  return g_string_free(s, FALSE);
}

static gint64 open_now(void) { return metrics_connections_open(); }

START_TEST(counts_open_connections)
{
  HttpConnBook b;
  http_conn_book_init(&b, 10, 5, 60, 30);
  gint64 before = open_now();
  HttpConn *a = http_conn_open(&b, NULL, 1 * S), *c = http_conn_open(&b, NULL, 1 * S);
  ck_assert_int_eq(open_now(), before + 2);
  http_conn_request(a);
  ck_assert(!http_conn_close(&b, &a, 100 * S)); /* it sent a request: an ordinary close */
  ck_assert_ptr_null(a);
  ck_assert_int_eq(open_now(), before + 1);
  ck_assert(!http_conn_close(&b, &c, 3 * S));   /* gone before the deadline: the client left */
  ck_assert_int_eq(open_now(), before);
  HttpConn *none = NULL;
  ck_assert(!http_conn_close(&b, &none, 3 * S));
  ck_assert_int_eq(open_now(), before);
  http_conn_request(NULL);
  ck_assert_uint_eq(b.header_timeouts, 0);
  g_free(drain());
}
END_TEST

START_TEST(header_timeouts_are_counted_and_logged_sparingly)
{
  HttpConnBook b;
  http_conn_book_init(&b, 10, 5, 60, 30);
  HttpConn *c[5];
  for (int i = 0; i < 5; i++)
    c[i] = http_conn_open(&b, NULL, 0);
  /* lws closes on its own timer: a close within half a second of the deadline is it. */
  ck_assert(http_conn_close(&b, &c[0], 10 * S - S / 4));
  char *log = drain();
  ck_assert_ptr_nonnull(strstr(log, "closed 1 connection(s) that sent no whole request within 10 s"));
  ck_assert_ptr_nonnull(strstr(log, "WARN"));
  g_free(log);
  /* Three more within 10 s: counted, not logged. */
  for (int i = 1; i < 4; i++)
    ck_assert(http_conn_close(&b, &c[i], 12 * S));
  log = drain();
  ck_assert_str_eq(log, "");
  g_free(log);
  ck_assert_uint_eq(b.header_timeouts, 4);
  /* The next one after 10 s writes one line with all of them. */
  ck_assert(http_conn_close(&b, &c[4], 21 * S));
  log = drain();
  ck_assert_ptr_nonnull(strstr(log, "closed 4 connection(s)"));
  ck_assert_ptr_nonnull(strstr(log, "5 in all"));
  g_free(log);
  ck_assert_uint_eq(b.unreported, 0);
}
END_TEST

START_TEST(keepalive_deadlines_in_order)
{
  HttpConnBook b;
  http_conn_book_init(&b, 10, 5, 60, 30);
  int owners[4];
  HttpConn *c[4];
  for (int i = 0; i < 4; i++) {
    c[i] = http_conn_open(&b, &owners[i], 0);
    http_conn_request(c[i]);
  }
  ck_assert_ptr_null(http_conn_expired(&b, 100 * S, NULL)); /* none waits: all in a request */
  http_conn_wait(c[0], HTTP_CONN_IDLE, 1 * S);
  http_conn_wait(c[1], HTTP_CONN_IDLE, 2 * S);
  http_conn_wait(c[2], HTTP_CONN_IDLE, 3 * S);
  ck_assert_ptr_null(http_conn_expired(&b, 6 * S - 1, NULL)); /* c[0]'s deadline is 6 s */
  /* c[1] asks again at 4 s (it leaves the queue) and is answered at 4.5 s (back, last). */
  http_conn_request(c[1]);
  http_conn_wait(c[1], HTTP_CONN_IDLE, 4 * S + S / 2);
  ck_assert_uint_eq(b.queue[HTTP_CONN_IDLE].length, 3);
  HttpConn *e = http_conn_expired(&b, 6 * S, NULL);
  ck_assert_ptr_eq(e, c[0]);
  ck_assert_ptr_eq(e->owner, &owners[0]);
  ck_assert_ptr_null(http_conn_expired(&b, 6 * S, NULL)); /* c[2] waits until 8 s */
  ck_assert_ptr_eq(http_conn_expired(&b, 9 * S, NULL), c[2]);
  ck_assert_ptr_eq(http_conn_expired(&b, 9 * S + S / 2, NULL), c[1]);
  ck_assert_ptr_null(http_conn_expired(&b, 100 * S, NULL));
  ck_assert_uint_eq(b.queue[HTTP_CONN_IDLE].length, 0);
  /* Answered twice without a request between (a pipelined pair): in the queue once. */
  http_conn_wait(c[3], HTTP_CONN_IDLE, 10 * S);
  http_conn_wait(c[3], HTTP_CONN_IDLE, 11 * S);
  ck_assert_uint_eq(b.queue[HTTP_CONN_IDLE].length, 1);
  ck_assert_ptr_null(http_conn_expired(&b, 15 * S + S / 2, NULL));
  /* Closed while waiting: out of the queue. */
  http_conn_wait(c[0], HTTP_CONN_IDLE, 12 * S);
  ck_assert_uint_eq(b.queue[HTTP_CONN_IDLE].length, 2);
  ck_assert(!http_conn_close(&b, &c[3], 13 * S));
  ck_assert_uint_eq(b.queue[HTTP_CONN_IDLE].length, 1);
  ck_assert_ptr_eq(http_conn_expired(&b, 17 * S, NULL), c[0]);
  for (int i = 0; i < 3; i++)
    ck_assert(!http_conn_close(&b, &c[i], 20 * S));
  ck_assert_uint_eq(b.queue[HTTP_CONN_IDLE].length, 0);
  g_free(drain());
}
END_TEST

/* A WebSocket upgrade on a connection that answered a request before it (ws.c calls
 * http_conn_request) takes it out of the keep-alive queue: a /ws connection is never closed
 * as an idle HTTP one. */
START_TEST(an_upgrade_leaves_the_keepalive_queue)
{
  HttpConnBook b;
  http_conn_book_init(&b, 10, 5, 60, 30);
  HttpConn *c = http_conn_open(&b, NULL, 0);
  http_conn_request(c);
  http_conn_wait(c, HTTP_CONN_IDLE, 1 * S);
  http_conn_request(c); /* the upgrade */
  ck_assert_ptr_null(http_conn_expired(&b, (gint64)3600 * S, NULL));
  ck_assert(!http_conn_close(&b, &c, (gint64)3600 * S));
  g_free(drain());
}
END_TEST

/* A book with limits header 10 s, keep-alive 5 s, stall 60 s, held answer 30 s, and two
 * connections opened at 0 whose requests have arrived. */
static void two_in_requests(HttpConnBook *b, HttpConn **x, HttpConn **y)
{
  http_conn_book_init(b, 10, 5, 60, 30);
  *x = http_conn_open(b, NULL, 0);
  *y = http_conn_open(b, NULL, 0);
  http_conn_request(*x);
  http_conn_request(*y);
}

/* A file's reader is timed from its last progress (each piece sent moves it to the end);
 * its own limit, apart from the keep-alive one; the end of the file moves it to the
 * keep-alive queue. */
START_TEST(stalled_readers_by_last_progress)
{
  HttpConnBook b;
  HttpConn *r, *q;
  two_in_requests(&b, &r, &q);
  http_conn_wait(r, HTTP_CONN_SENDING, 1 * S);
  http_conn_wait(q, HTTP_CONN_SENDING, 2 * S);
  http_conn_wait(r, HTTP_CONN_SENDING, 30 * S); /* a piece went out */
  HttpConnWait w = HTTP_CONN_BUSY;
  ck_assert_ptr_null(http_conn_expired(&b, 61 * S, &w)); /* 5 s of keep-alive do not apply */
  ck_assert_ptr_eq(http_conn_expired(&b, 62 * S, &w), q);
  ck_assert_int_eq(w, HTTP_CONN_SENDING);
  ck_assert_ptr_null(http_conn_expired(&b, 89 * S, &w));
  /* R's file ends at 80 s: now it waits for a request, 5 s. */
  http_conn_wait(r, HTTP_CONN_IDLE, 80 * S);
  ck_assert_uint_eq(b.queue[HTTP_CONN_SENDING].length, 0);
  ck_assert_uint_eq(b.queue[HTTP_CONN_IDLE].length, 1);
  ck_assert_ptr_eq(http_conn_expired(&b, 85 * S, &w), r);
  ck_assert_int_eq(w, HTTP_CONN_IDLE);
  /* Out of range: in no queue. */
  http_conn_wait(r, HTTP_CONN_WAITS, 90 * S);
  ck_assert_ptr_null(http_conn_expired(&b, (gint64)9000 * S, &w));
  ck_assert(!http_conn_close(&b, &r, 100 * S));
  ck_assert(!http_conn_close(&b, &q, 100 * S));
  g_free(drain());
}
END_TEST

/* Held answers have their own limit; the three queues are looked at together, and a
 * connection moves from one to the next as its exchange goes on. */
START_TEST(held_answers_then_sending_then_idle)
{
  HttpConnBook b;
  HttpConn *h, *i;
  two_in_requests(&b, &h, &i);
  http_conn_wait(h, HTTP_CONN_ANSWERING, 1 * S);
  http_conn_wait(i, HTTP_CONN_IDLE, 20 * S);
  HttpConnWait w = HTTP_CONN_BUSY;
  ck_assert_ptr_null(http_conn_expired(&b, 24 * S, &w));
  ck_assert_ptr_eq(http_conn_expired(&b, 25 * S, &w), i); /* keep-alive: 5 s */
  ck_assert_int_eq(w, HTTP_CONN_IDLE);
  ck_assert_ptr_null(http_conn_expired(&b, 30 * S, &w)); /* held since 1 s: until 31 s */
  ck_assert_ptr_eq(http_conn_expired(&b, 31 * S, &w), h);
  ck_assert_int_eq(w, HTTP_CONN_ANSWERING);
  /* An answer that comes in time: out of the held queue (http_conn_request), then sending. */
  http_conn_wait(h, HTTP_CONN_ANSWERING, 40 * S);
  http_conn_request(h);
  ck_assert_uint_eq(b.queue[HTTP_CONN_ANSWERING].length, 0);
  http_conn_wait(h, HTTP_CONN_SENDING, 41 * S);
  ck_assert_ptr_null(http_conn_expired(&b, 100 * S, &w));
  ck_assert_ptr_eq(http_conn_expired(&b, 101 * S, &w), h);
  ck_assert_int_eq(w, HTTP_CONN_SENDING);
  ck_assert(!http_conn_close(&b, &h, 200 * S));
  ck_assert(!http_conn_close(&b, &i, 200 * S));
  g_free(drain());
}
END_TEST

static void collect(HttpConn *c, void *user)
{
  g_ptr_array_add(user, c);
}

/* Accepted connections wait for their first request [http] header_timeout (10 s here); the
 * server is told each new one once (to take it off lws's timer), newest first. */
START_TEST(new_connections_wait_for_a_header)
{
  HttpConnBook b;
  http_conn_book_init(&b, 10, 5, 60, 30);
  HttpConn *c[4];
  for (int i = 0; i < 3; i++) {
    c[i] = http_conn_open(&b, NULL, i * S);
    http_conn_wait(c[i], HTTP_CONN_HEADER, i * S);
  }
  GPtrArray *seen = g_ptr_array_new();
  http_conn_each_new_header_wait(&b, collect, seen);
  ck_assert_uint_eq(seen->len, 3);
  ck_assert_ptr_eq(seen->pdata[0], c[2]);
  ck_assert_ptr_eq(seen->pdata[2], c[0]);
  g_ptr_array_set_size(seen, 0);
  http_conn_each_new_header_wait(&b, collect, seen); /* nothing new */
  ck_assert_uint_eq(seen->len, 0);
  c[3] = http_conn_open(&b, NULL, 3 * S);
  http_conn_wait(c[3], HTTP_CONN_HEADER, 3 * S);
  http_conn_each_new_header_wait(&b, collect, seen);
  ck_assert_uint_eq(seen->len, 1);
  ck_assert_ptr_eq(seen->pdata[0], c[3]);
  g_ptr_array_unref(seen);
  /* c[1] sends its request: out of the queue. c[0] is due at 10 s, c[2] at 12 s. */
  http_conn_request(c[1]);
  HttpConnWait w = HTTP_CONN_BUSY;
  ck_assert_ptr_null(http_conn_expired(&b, 10 * S - 1, &w));
  ck_assert_ptr_eq(http_conn_expired(&b, 10 * S, &w), c[0]);
  ck_assert_int_eq(w, HTTP_CONN_HEADER);
  ck_assert_ptr_null(http_conn_expired(&b, 11 * S, &w));
  ck_assert_ptr_eq(http_conn_expired(&b, 12 * S, &w), c[2]);
  /* Closed at its deadline without a request: a header timeout, as lws's was. */
  ck_assert(http_conn_close(&b, &c[0], 10 * S));
  ck_assert(!http_conn_close(&b, &c[1], 12 * S));
  ck_assert(http_conn_close(&b, &c[2], 12 * S));
  ck_assert(!http_conn_close(&b, &c[3], 4 * S)); /* gone before its deadline */
  ck_assert_uint_eq(b.queue[HTTP_CONN_HEADER].length, 0);
  g_free(drain());
}
END_TEST

static Suite *http_conn_suite(void)
{
  Suite *s = suite_create("http_conn");
  TCase *tc = tcase_create("http_conn");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, counts_open_connections);
  tcase_add_test(tc, header_timeouts_are_counted_and_logged_sparingly);
  tcase_add_test(tc, keepalive_deadlines_in_order);
  tcase_add_test(tc, an_upgrade_leaves_the_keepalive_queue);
  tcase_add_test(tc, stalled_readers_by_last_progress);
  tcase_add_test(tc, held_answers_then_sending_then_idle);
  tcase_add_test(tc, new_connections_wait_for_a_header);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(http_conn_suite)
