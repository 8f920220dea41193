/* crowd_client: the audience arriving for a live — VIEWERS viewers spread evenly over OVER
 * seconds, each opening one keep-alive HTTP connection for its requests in turn (the pages,
 * their scripts, the API reads, the playlists), then the /ws connection a player holds: the
 * upgrade, a guest hello, the welcome; it keeps /ws open HOLD seconds. Prints, per kind of
 * request, how many were answered 200, how many failed, p50/p99/max in ms; and the totals.
 *
 *   crowd_client --port P --req KIND:PATH [--req …] [--viewers 20000] [--over 60]
 *                [--hold 40] [--workers 4] [--addresses 8]
 *
 * Workers are processes (each with its own descriptor limit), one epoll loop each; viewer i
 * belongs to worker i % workers and connects from 127.0.0.(1 + i % addresses) so source
 * ports do not run out. A request's time runs from sending it (from connect() for the
 * first of a connection) to its last byte; the /ws time from connect() to the welcome.
 * Concurrent /ws connections are about VIEWERS / OVER × HOLD: keep that below the
 * server's descriptor limit. */
#define _GNU_SOURCE /* memmem */
#include "wsc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define KINDS_MAX 16
#define REQS_MAX 32
#define HEAD_MAX 16384
#define GRACE_S 30 /* how long the last viewer may take beyond its hold */

typedef struct {
  char kind[16];
  char path[512];
} Req;

static struct {
  int port, viewers, workers, addresses;
  double over, hold;
  Req reqs[REQS_MAX];
  int nreqs;
  char kinds[KINDS_MAX][16]; /* distinct kinds in order; the last is "ws" */
  int nkinds;
} o = { .viewers = 20000, .over = 60, .hold = 40, .workers = 4, .addresses = 8 };

enum { IDLE, HTTP_CONNECTING, HTTP_WAITING, WS_CONNECTING, WS_UPGRADING, WS_HELLO, WS_HOLDING, DONE };

typedef struct {
  int fd;
  int state;
  int index;         /* viewer number */
  int step;          /* request being made */
  gint64 t0;         /* when the current request (or /ws) started */
  gint64 hold_until;
  unsigned char buf[HEAD_MAX];
  size_t len;
  gint64 body_left;  /* body bytes still to come for the current response (-1: headers) */
  int status;
} Viewer;

typedef struct {
  GArray *lat[KINDS_MAX]; /* guint32 microseconds of answered requests */
  guint32 failed[KINDS_MAX];
  guint32 ws_now, *ws_per_second; /* /ws held, sampled each second */
  int seconds;
} Stats;

static int kind_of(const char *k)
{
  for (int i = 0; i < o.nkinds; i++)
    if (!strcmp(o.kinds[i], k))
      return i;
  g_strlcpy(o.kinds[o.nkinds], k, sizeof o.kinds[0]);
  return o.nkinds++;
}

static gint64 now_us(void)
{
  return g_get_monotonic_time();
}

static int open_conn(int ep, Viewer *v)
{
  v->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (v->fd < 0)
    return -1;
  int one = 1;
  setsockopt(v->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in b = { .sin_family = AF_INET,
                           .sin_addr.s_addr = htonl(0x7f000001u + (uint32_t)(v->index % o.addresses)) };
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o.port),
                            .sin_addr.s_addr = htonl(0x7f000001u) };
  if (bind(v->fd, (struct sockaddr *)&b, sizeof b) < 0 ||
      (connect(v->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS)) {
    close(v->fd);
    v->fd = -1;
    return -1;
  }
  struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = v };
  epoll_ctl(ep, EPOLL_CTL_ADD, v->fd, &ev);
  v->len = 0;
  return 0;
}

static void close_conn(int ep, Viewer *v)
{
  if (v->fd >= 0) {
    epoll_ctl(ep, EPOLL_CTL_DEL, v->fd, NULL);
    close(v->fd);
  }
  v->fd = -1;
}

static void only_in(int ep, Viewer *v)
{
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = v };
  epoll_ctl(ep, EPOLL_CTL_MOD, v->fd, &ev);
}

static int send_all(int fd, const char *s, size_t n)
{
  return send(fd, s, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

static void record(Stats *st, int kind, gint64 t0)
{
  guint32 us = (guint32)MIN(now_us() - t0, (gint64)UINT32_MAX);
  g_array_append_val(st->lat[kind], us);
}

/* The viewer's current step failed: count it, and the steps it will not make. */
static void fail(int ep, Viewer *v, Stats *st)
{
  int ws = o.nkinds - 1;
  if (v->state == HTTP_CONNECTING || v->state == HTTP_WAITING) {
    for (int i = v->step; i < o.nreqs; i++)
      st->failed[kind_of(o.reqs[i].kind)]++;
    st->failed[ws]++;
  } else if (v->state == WS_CONNECTING || v->state == WS_UPGRADING || v->state == WS_HELLO) {
    st->failed[ws]++;
  } else if (v->state == WS_HOLDING) {
    st->ws_now--;
  }
  close_conn(ep, v);
  v->state = DONE;
}

static int send_request(Viewer *v)
{
  char req[1024];
  int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: crowd_client\r\n"
                   "Accept-Encoding: identity\r\n\r\n", o.reqs[v->step].path);
  v->len = 0;
  v->body_left = -1;
  return send_all(v->fd, req, (size_t)n);
}

static void start_ws(int ep, Viewer *v, Stats *st)
{
  v->state = WS_CONNECTING;
  v->t0 = now_us();
  if (open_conn(ep, v) < 0)
    fail(ep, v, st);
}

/* Parses the response headers in V's buffer: 0 with status and body length, -EAGAIN, -EPROTO. */
static int parse_head(Viewer *v, size_t *head_len)
{
  unsigned char *end = memmem(v->buf, v->len, "\r\n\r\n", 4);
  if (!end)
    return v->len >= HEAD_MAX ? -EPROTO : -EAGAIN;
  *head_len = (size_t)(end - v->buf) + 4;
  *end = '\0';
  if (sscanf((char *)v->buf, "HTTP/1.1 %d", &v->status) != 1)
    return -EPROTO;
  v->body_left = 0;
  bool have_length = false;
  for (char *line = strstr((char *)v->buf, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
    if (!strncasecmp(line + 2, "content-length:", 15)) {
      v->body_left = g_ascii_strtoll(line + 17, NULL, 10);
      have_length = true;
    } else if (!strncasecmp(line + 2, "transfer-encoding:", 18)) {
      return -EPROTO; /* the server sends lengths; chunked answers are not expected here */
    }
  }
  if (!have_length && v->status != 304 && v->status != 204)
    return -EPROTO;
  return 0;
}

static void http_readable(int ep, Viewer *v, Stats *st)
{
  for (;;) {
    unsigned char tmp[65536];
    unsigned char *into = v->body_left < 0 ? v->buf + v->len : tmp;
    size_t room = v->body_left < 0 ? HEAD_MAX - v->len : sizeof tmp;
    ssize_t n = recv(v->fd, into, room, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      return;
    if (n <= 0) {
      fail(ep, v, st);
      return;
    }
    size_t extra = 0;
    if (v->body_left < 0) {
      v->len += (size_t)n;
      size_t head = 0;
      int r = parse_head(v, &head);
      if (r == -EAGAIN)
        continue;
      if (r < 0) {
        fail(ep, v, st);
        return;
      }
      extra = v->len - head;
    } else {
      extra = (size_t)n;
    }
    v->body_left -= (gint64)extra;
    if (v->body_left > 0)
      continue;
    /* One answer complete (keep-alive: nothing else comes until the next request). */
    if (v->status != 200) {
      fail(ep, v, st);
      return;
    }
    record(st, kind_of(o.reqs[v->step].kind), v->t0);
    v->step++;
    if (v->step == o.nreqs) {
      close_conn(ep, v);
      start_ws(ep, v, st);
      return;
    }
    v->t0 = now_us();
    if (send_request(v) < 0) {
      fail(ep, v, st);
      return;
    }
  }
}

static void ws_readable(int ep, Viewer *v, Stats *st)
{
  for (;;) {
    ssize_t n = recv(v->fd, v->buf + v->len, HEAD_MAX - v->len, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      return;
    if (n <= 0) {
      fail(ep, v, st);
      return;
    }
    v->len += (size_t)n;
    if (v->state == WS_UPGRADING) {
      unsigned char *end = memmem(v->buf, v->len, "\r\n\r\n", 4);
      if (!end)
        continue;
      if (strncmp((char *)v->buf, "HTTP/1.1 101", 12) != 0) {
        fail(ep, v, st);
        return;
      }
      size_t head = (size_t)(end - v->buf) + 4;
      memmove(v->buf, v->buf + head, v->len - head);
      v->len -= head;
      unsigned char frame[64];
      const char *hello = "{\"type\":\"hello\"}";
      size_t fl = wsc_frame_build(frame, sizeof frame, 1, true, hello, strlen(hello));
      if (send_all(v->fd, (const char *)frame, fl) < 0) {
        fail(ep, v, st);
        return;
      }
      v->state = WS_HELLO;
    }
    /* Frames: wait for the welcome, skip the rest while holding. */
    for (;;) {
      int op;
      bool fin;
      size_t head, payload;
      if (wsc_frame_parse(v->buf, v->len, &op, &fin, &head, &payload) < 0)
        break;
      if (op == 8) {
        fail(ep, v, st);
        return;
      }
      if (v->state == WS_HELLO && g_strstr_len((char *)v->buf + head, (gssize)payload, "\"welcome\"")) {
        record(st, o.nkinds - 1, v->t0);
        v->state = WS_HOLDING;
        st->ws_now++;
      }
      memmove(v->buf, v->buf + head + payload, v->len - head - payload);
      v->len -= head + payload;
    }
    if (v->len >= HEAD_MAX) {
      fail(ep, v, st);
      return;
    }
  }
}

static void on_event(int ep, Viewer *v, uint32_t events, Stats *st)
{
  if (v->fd < 0)
    return;
  if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
    fail(ep, v, st);
    return;
  }
  if (v->state == HTTP_CONNECTING && (events & EPOLLOUT)) {
    only_in(ep, v);
    v->state = HTTP_WAITING;
    if (send_request(v) < 0) {
      fail(ep, v, st);
      return;
    }
  } else if (v->state == WS_CONNECTING && (events & EPOLLOUT)) {
    only_in(ep, v);
    v->state = WS_UPGRADING;
    v->len = 0;
    const char *up = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (send_all(v->fd, up, strlen(up)) < 0) {
      fail(ep, v, st);
      return;
    }
  }
  if (events & EPOLLIN) {
    if (v->state == HTTP_WAITING)
      http_readable(ep, v, st);
    else if (v->state >= WS_UPGRADING && v->state <= WS_HOLDING)
      ws_readable(ep, v, st);
  }
}

/* Runs worker W's viewers; writes its figures to FD. */
static void worker(int w, int fd, gint64 start)
{
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int mine = 0;
  for (int i = w; i < o.viewers; i += o.workers)
    mine++;
  Viewer *vs = g_new0(Viewer, mine);
  for (int k = 0; k < mine; k++) {
    vs[k].index = w + k * o.workers;
    vs[k].fd = -1;
  }
  Stats st = { 0 };
  for (int k = 0; k < o.nkinds; k++)
    st.lat[k] = g_array_new(FALSE, FALSE, sizeof(guint32));
  st.seconds = (int)(o.over + o.hold + GRACE_S) + 2;
  st.ws_per_second = g_new0(guint32, st.seconds);
  gint64 spacing = (gint64)(o.over * 1e6 / o.viewers);
  gint64 end = start + (gint64)((o.over + o.hold + GRACE_S) * 1e6);
  int next = 0, done_first = 0; /* next viewer to arrive; first still holding (arrival order) */
  struct epoll_event evs[256];
  for (;;) {
    gint64 now = now_us();
    while (next < mine && start + (gint64)vs[next].index * spacing <= now) {
      Viewer *v = &vs[next++];
      v->state = HTTP_CONNECTING;
      v->step = 0;
      v->t0 = now_us();
      v->hold_until = v->t0 + (gint64)(o.hold * 1e6);
      if (open_conn(ep, v) < 0)
        fail(ep, v, &st);
    }
    /* Viewers arrive in order and hold equally long: release from the front. */
    while (done_first < next && (vs[done_first].state == DONE || vs[done_first].state == IDLE ||
                                 (vs[done_first].state == WS_HOLDING && vs[done_first].hold_until <= now))) {
      Viewer *v = &vs[done_first];
      if (v->state == WS_HOLDING) {
        st.ws_now--;
        close_conn(ep, v);
        v->state = DONE;
      }
      done_first++;
    }
    int sec = (int)((now - start) / 1000000);
    if (sec >= 0 && sec < st.seconds && st.ws_now > st.ws_per_second[sec])
      st.ws_per_second[sec] = st.ws_now;
    if ((done_first == mine && next == mine) || now >= end)
      break;
    gint64 wait_us = next < mine ? start + (gint64)vs[next].index * spacing - now : 100000;
    int timeout = (int)CLAMP(wait_us / 1000, 0, 100);
    int n = epoll_wait(ep, evs, G_N_ELEMENTS(evs), timeout);
    for (int k = 0; k < n; k++)
      on_event(ep, evs[k].data.ptr, evs[k].events, &st);
  }
  /* Whoever is still on the way did not get through in time. */
  for (int k = 0; k < mine; k++) {
    if (vs[k].state == IDLE)
      vs[k].state = HTTP_CONNECTING; /* never arrived: every step it had to make failed */
    if (vs[k].state != DONE && vs[k].state != WS_HOLDING)
      fail(ep, &vs[k], &st);
  }
  FILE *f = fdopen(fd, "w");
  for (int k = 0; k < o.nkinds; k++) {
    fprintf(f, "K %d %u %u\n", k, st.failed[k], st.lat[k]->len);
    for (guint i = 0; i < st.lat[k]->len; i++)
      fprintf(f, "%u\n", g_array_index(st.lat[k], guint32, i));
  }
  for (int s = 0; s < st.seconds; s++)
    fprintf(f, "S %d %u\n", s, st.ws_per_second[s]);
  fclose(f);
  _exit(0);
}

static int cmp_u32(const void *a, const void *b)
{
  guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;
  return x < y ? -1 : x > y;
}

static double pct(GArray *a, double p)
{
  if (a->len == 0)
    return 0;
  guint i = (guint)(p * (a->len - 1) + 0.5);
  return g_array_index(a, guint32, i) / 1000.0;
}

int main(int argc, char **argv)
{
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *val = argv[i + 1];
    if (!strcmp(k, "--port"))
      o.port = atoi(val);
    else if (!strcmp(k, "--viewers"))
      o.viewers = atoi(val);
    else if (!strcmp(k, "--over"))
      o.over = atof(val);
    else if (!strcmp(k, "--hold"))
      o.hold = atof(val);
    else if (!strcmp(k, "--workers"))
      o.workers = atoi(val);
    else if (!strcmp(k, "--addresses"))
      o.addresses = atoi(val);
    else if (!strcmp(k, "--req") && o.nreqs < REQS_MAX && strchr(val, ':')) {
      Req *r = &o.reqs[o.nreqs++];
      g_strlcpy(r->kind, val, MIN(sizeof r->kind, (size_t)(strchr(val, ':') - val) + 1));
      g_strlcpy(r->path, strchr(val, ':') + 1, sizeof r->path);
    } else {
      fprintf(stderr, "crowd_client: unknown or incomplete option %s\n", k);
      return 2;
    }
  }
  if (!o.port || o.nreqs == 0 || o.viewers <= 0 || o.workers <= 0 || o.addresses <= 0 || o.over <= 0) {
    fprintf(stderr, "usage: crowd_client --port P --req KIND:PATH… [--viewers N] [--over S] [--hold S] "
                    "[--workers W] [--addresses A]\n");
    return 2;
  }
  for (int i = 0; i < o.nreqs; i++)
    if (kind_of(o.reqs[i].kind) >= KINDS_MAX - 1) {
      fprintf(stderr, "crowd_client: at most %d kinds of request\n", KINDS_MAX - 1);
      return 2;
    }
  kind_of("ws");
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }

  gint64 start = now_us() + 200000;
  int *fds = g_new(int, o.workers);
  pid_t *pids = g_new(pid_t, o.workers);
  for (int w = 0; w < o.workers; w++) {
    int p[2];
    if (pipe(p) < 0)
      return 1;
    pids[w] = fork();
    if (pids[w] == 0) {
      close(p[0]);
      worker(w, p[1], start);
    }
    close(p[1]);
    fds[w] = p[0];
  }
  GArray *lat[KINDS_MAX];
  guint64 failed[KINDS_MAX] = { 0 };
  for (int k = 0; k < o.nkinds; k++)
    lat[k] = g_array_new(FALSE, FALSE, sizeof(guint32));
  int nsec = (int)(o.over + o.hold + GRACE_S) + 2;
  guint64 *ws_sec = g_new0(guint64, nsec);
  for (int w = 0; w < o.workers; w++) {
    FILE *f = fdopen(fds[w], "r");
    char line[128];
    int kind = -1;
    while (fgets(line, sizeof line, f)) {
      int k, s;
      unsigned a, b;
      if (sscanf(line, "K %d %u %u", &k, &a, &b) == 3) {
        kind = k;
        failed[k] += a;
      } else if (sscanf(line, "S %d %u", &s, &a) == 2) {
        if (s >= 0 && s < nsec)
          ws_sec[s] += a;
      } else if (kind >= 0) {
        guint32 us = (guint32)strtoul(line, NULL, 10);
        g_array_append_val(lat[kind], us);
      }
    }
    fclose(f);
    waitpid(pids[w], NULL, 0);
  }
  double wall = (now_us() - start) / 1e6;
  printf("%-8s %9s %7s %9s %9s %9s\n", "kind", "answered", "failed", "p50 ms", "p99 ms", "max ms");
  guint64 total = 0, total_failed = 0;
  for (int k = 0; k < o.nkinds; k++) {
    g_array_sort(lat[k], cmp_u32);
    printf("%-8s %9u %7" G_GUINT64_FORMAT " %9.1f %9.1f %9.1f\n", o.kinds[k], lat[k]->len, failed[k],
           pct(lat[k], 0.5), pct(lat[k], 0.99), pct(lat[k], 1.0));
    total += lat[k]->len;
    total_failed += failed[k];
  }
  guint64 peak = 0;
  for (int s = 0; s < nsec; s++)
    peak = MAX(peak, ws_sec[s]);
  printf("total: %d viewers over %.0f s, %" G_GUINT64_FORMAT " requests and /ws hellos answered, %" G_GUINT64_FORMAT
         " failed (%.1f s wall); /ws held at once: up to %" G_GUINT64_FORMAT " (each %.0f s)\n",
         o.viewers, o.over, total, total_failed, wall, peak, o.hold);
  printf("all served: %s\n", total_failed == 0 ? "yes" : "no");
  return total_failed == 0 ? 0 : 1;
}
