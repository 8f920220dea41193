/* chat_bench: N viewers in one live's chat on /ws; the first CHATTERS of them (members, with
 * --tokens) post a message every INTERVAL seconds and tap LIKES likes a second between them.
 * Each message carries the time it was sent (the monotonic clock, shared by the processes of
 * this machine), so every viewer measures post-to-delivery time. Prints connections held,
 * messages posted and delivered per second (and the share of posted × viewers delivered),
 * p50/p99 post-to-delivery, the server's RSS per connection and its CPU.
 *
 *   chat_bench --port P --video LIVE --server-pid PID --tokens FILE [--connections 20000]
 *              [--chatters 50] [--interval 2] [--likes 500] [--duration 60] [--ramp 2000]
 *              [--workers 4] [--addresses 8]
 *
 * Built on tests/bench/ws_bench.c's workers (processes, one epoll loop each, connections from
 * 127.0.0.1 … 127.0.0.<addresses>). Connections past the tokens' count are guests. */
#include "wsc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUF 65536
/* After the window the workers read on this long (posting nothing): a message posted near
 * its end is delivered after it and still counts — "posted in the window", not "received in
 * it", so every message posted can be found delivered (it was 99.6–99.8 % by window edges). */
#define GRACE_US (5 * G_USEC_PER_SEC)

enum { CONNECTING, UPGRADING, HELLO, JOINING, JOINED, DEAD };

typedef struct {
  int fd;
  int state;
  unsigned char buf[BUF];
  size_t len;
  gint64 seq;
  gint64 next_us;      /* next post (chatters) */
  gint64 next_like_us; /* next likes (chatters) */
  bool chatter;
  const char *token;
} Conn;

static struct {
  int port, connections, workers, addresses, ramp, server_pid, chatters, likes;
  double interval, duration;
  char *video, *tokens_file;
} o = { .connections = 20000, .workers = 4, .addresses = 8, .ramp = 2000, .interval = 2, .duration = 60,
        .chatters = 50, .likes = 500 };

/* What a worker sends back. */
typedef struct {
  int held;
  int failed;
  int states[DEAD + 1]; /* where the connections not held stopped (CONNECTING … DEAD) */
  guint64 delivered;    /* messages received by viewers within the window */
  guint64 posted;       /* messages posted within the window */
  guint64 frames;       /* chat.batch frames received within the window */
  guint64 errors;
  guint32 nlat;
} Report;

static gint64 now_us(void)
{
  return g_get_monotonic_time();
}

static int send_ws(Conn *c, const char *text)
{
  unsigned char frame[1024];
  size_t n = wsc_frame_build(frame, sizeof frame, 1, true, text, strlen(text));
  return n && send(c->fd, frame, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

static void conn_kill(int ep, Conn *c)
{
  if (c->fd >= 0) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
  }
  c->fd = -1;
  c->state = DEAD;
}

static int conn_open(int ep, Conn *c, int index)
{
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0)
    return -1;
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in b = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001u + (uint32_t)(index % o.addresses)) };
  if (bind(c->fd, (struct sockaddr *)&b, sizeof b) < 0) {
    close(c->fd);
    c->fd = -1;
    return -1;
  }
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o.port),
                            .sin_addr.s_addr = htonl(0x7f000001u) };
  if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
    close(c->fd);
    c->fd = -1;
    return -1;
  }
  c->state = CONNECTING;
  struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };
  epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
  return 0;
}

/* Handles one server message: every message in a batch that one of ours posted ("t=<µs> …")
 * is a delivery, timed. */
static gint64 window_start, window_end;

static void on_message(Conn *c, const char *msg, size_t len, GArray *lat, bool in_window, Report *r)
{
  if (c->state == HELLO && g_strstr_len(msg, (gssize)len, "\"welcome\"")) {
    char join[256];
    snprintf(join, sizeof join, "{\"type\":\"chat.join\",\"video\":\"%s\"}", o.video);
    send_ws(c, join);
    c->state = JOINING;
  } else if (c->state == JOINING && g_strstr_len(msg, (gssize)len, "\"chat.joined\"")) {
    c->state = JOINED;
    /* Spread posts evenly over the interval. */
    c->next_us = now_us() + (gint64)(g_random_double() * o.interval * 1e6);
    c->next_like_us = now_us() + (gint64)(g_random_double() * 1e6);
  } else if (g_strstr_len(msg, (gssize)len, "\"chat.batch\"")) {
    gint64 now = now_us();
    if (in_window)
      r->frames++;
    const char *p = msg, *end = msg + len;
    while ((p = g_strstr_len(p, end - p, "\"text\":\"t=")) != NULL) {
      p += 10;
      gint64 sent = g_ascii_strtoll(p, NULL, 10);
      if (sent >= window_start && sent < window_end) {
        guint32 us = (guint32)CLAMP(now - sent, 0, (gint64)UINT32_MAX);
        g_array_append_val(lat, us);
        r->delivered++;
      }
    }
  } else if (g_strstr_len(msg, (gssize)len, "\"error\"")) {
    r->errors++;
  }
}

static void on_readable(int ep, Conn *c, GArray *lat, bool in_window, Report *r)
{
  for (;;) {
    ssize_t n = recv(c->fd, c->buf + c->len, BUF - c->len, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      conn_kill(ep, c);
      return;
    }
    if (n < 0)
      break;
    c->len += (size_t)n;
    if (c->state == UPGRADING) {
      char *end = g_strstr_len((char *)c->buf, (gssize)c->len, "\r\n\r\n");
      if (!end)
        continue;
      if (strncmp((char *)c->buf, "HTTP/1.1 101", 12) != 0) {
        conn_kill(ep, c);
        return;
      }
      size_t head = (size_t)(end + 4 - (char *)c->buf);
      memmove(c->buf, c->buf + head, c->len - head);
      c->len -= head;
      char hello[400];
      if (c->token)
        snprintf(hello, sizeof hello, "{\"type\":\"hello\",\"token\":\"%s\"}", c->token);
      else
        snprintf(hello, sizeof hello, "{\"type\":\"hello\"}");
      send_ws(c, hello);
      c->state = HELLO;
    }
    /* Whole frames (the server does not mask). */
    size_t off = 0, head, len;
    int opcode;
    bool fin;
    int parsed;
    while ((parsed = wsc_frame_parse(c->buf + off, c->len - off, &opcode, &fin, &head, &len)) == 0) {
      if (opcode == 8) {
        conn_kill(ep, c);
        return;
      }
      if (opcode == 9) {
        /* A client must answer a PING (RFC 6455 5.5.2): lws pings a connection after 300 s
         * without a PONG and hangs up at 310 s — what dropped every soak watcher at minute 5. */
        unsigned char pong[200];
        size_t pn = wsc_frame_build(pong, sizeof pong, 10, true, c->buf + off + head, MIN(len, (size_t)125));
        if (!pn || send(c->fd, pong, pn, MSG_NOSIGNAL) != (ssize_t)pn) {
          conn_kill(ep, c);
          return;
        }
        off += head + len;
        continue;
      }
      if (opcode == 10) {
        off += head + len;
        continue;
      }
      on_message(c, (char *)c->buf + off + head, len, lat, in_window, r);
      off += head + len;
    }
    if (parsed == -EMSGSIZE) {
      conn_kill(ep, c);
      return;
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
  }
}

static void worker(int index, int count, char **tokens, int ntokens, int out_fd)
{
  Conn *conns = g_new0(Conn, (gsize)count);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  GArray *lat = g_array_sized_new(FALSE, FALSE, sizeof(guint32), 1 << 16);
  Report r = { 0 };
  int opened = 0;
  gint64 t0 = now_us();
  double per_worker_rate = (double)o.ramp / o.workers;
  struct epoll_event evs[256];
  for (int i = 0; i < count; i++)
    conns[i].fd = -1;

  while (now_us() < window_end + GRACE_US) {
    /* Ramp up. */
    int due = (int)MIN((double)count, (double)(now_us() - t0) / 1e6 * per_worker_rate + 1);
    while (opened < due) {
      int global = index + opened * o.workers;
      conns[opened].token = global < ntokens ? tokens[global] : NULL;
      conns[opened].chatter = global < o.chatters && conns[opened].token;
      if (conn_open(ep, &conns[opened], global) < 0)
        r.failed++;
      opened++;
    }
    int n = epoll_wait(ep, evs, G_N_ELEMENTS(evs), 5);
    gint64 now = now_us();
    bool in_window = now >= window_start && now < window_end;
    for (int i = 0; i < n; i++) {
      Conn *c = evs[i].data.ptr;
      if (c->state == DEAD)
        continue;
      if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
        conn_kill(ep, c);
        continue;
      }
      if (c->state == CONNECTING && (evs[i].events & EPOLLOUT)) {
        char req[256];
        int len = snprintf(req, sizeof req, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n");
        if (send(c->fd, req, (size_t)len, MSG_NOSIGNAL) != len) {
          conn_kill(ep, c);
          continue;
        }
        c->state = UPGRADING;
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        continue;
      }
      if (evs[i].events & EPOLLIN)
        on_readable(ep, c, lat, in_window, &r);
    }
    /* Chatters' posts and likes due. The chatters are the first connections each worker
     * opens (global index < chatters), so only that prefix is walked: walking all of them
     * after every epoll_wait was most of this client's CPU at 20,000 viewers. */
    int chat_end = MIN(opened, (o.chatters - index + o.workers - 1) / o.workers);
    for (int i = 0; i < chat_end; i++) {
      Conn *c = &conns[i];
      if (c->state != JOINED || !c->chatter)
        continue;
      if (now >= window_end)
        break; /* the grace after the window: reading only */
      if (now >= c->next_us) {
        char post[256];
        snprintf(post, sizeof post, "{\"type\":\"chat.send\",\"video\":\"%s\",\"text\":\"t=%" G_GINT64_FORMAT
                 " 第%" G_GINT64_FORMAT "条\"}", o.video, now, ++c->seq);
        c->next_us += (gint64)(o.interval * 1e6);
        if (in_window)
          r.posted++;
        if (send_ws(c, post) < 0)
          conn_kill(ep, c);
      }
      if (o.likes > 0 && c->state == JOINED && now >= c->next_like_us) {
        /* LIKES a second among CHATTERS, sent once a second each (as the page does). */
        int each = MAX(1, MIN(50, o.likes / MAX(1, o.chatters)));
        char like[160];
        snprintf(like, sizeof like, "{\"type\":\"chat.like\",\"video\":\"%s\",\"count\":%d}", o.video, each);
        c->next_like_us += 1000000;
        if (send_ws(c, like) < 0)
          conn_kill(ep, c);
      }
    }
  }
  for (int i = 0; i < opened; i++) {
    if (conns[i].state == JOINED)
      r.held++;
    r.states[conns[i].state]++;
  }
  r.nlat = lat->len;
  if (write(out_fd, &r, sizeof r) != sizeof r ||
      write(out_fd, lat->data, lat->len * sizeof(guint32)) != (ssize_t)(lat->len * sizeof(guint32)))
    _exit(1);
  _exit(0);
}

static bool proc_stat(int pid, double *cpu_s, double *rss_kb)
{
  char path[64], *text = NULL;
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return false;
  char *p = strrchr(text, ')');
  unsigned long ut = 0, st = 0;
  long rss = 0;
  /* fields after the name: state(3) ... utime(14) stime(15) ... rss(24) */
  int field = 2;
  for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
    field++;
    if (field == 14)
      ut = strtoul(tok, NULL, 10);
    else if (field == 15)
      st = strtoul(tok, NULL, 10);
    else if (field == 24)
      rss = strtol(tok, NULL, 10);
  }
  g_free(text);
  long hz = sysconf(_SC_CLK_TCK);
  *cpu_s = (double)(ut + st) / (double)hz;
  *rss_kb = (double)rss * (double)sysconf(_SC_PAGESIZE) / 1024.0;
  return true;
}

static int cmp_u32(const void *a, const void *b)
{
  guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &o.port, "server port", "P" },
    { "video", 0, 0, G_OPTION_ARG_STRING, &o.video, "video to watch", "ID" },
    { "server-pid", 0, 0, G_OPTION_ARG_INT, &o.server_pid, "the server's pid (RSS, CPU)", "PID" },
    { "connections", 0, 0, G_OPTION_ARG_INT, &o.connections, "viewers (20000)", "N" },
    { "chatters", 0, 0, G_OPTION_ARG_INT, &o.chatters, "viewers who post (50; the first tokens)", "N" },
    { "interval", 0, 0, G_OPTION_ARG_DOUBLE, &o.interval, "seconds between a chatter's posts (2)", "S" },
    { "likes", 0, 0, G_OPTION_ARG_INT, &o.likes, "likes a second among the chatters (500)", "N" },
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &o.duration, "measured seconds after everyone is in (60)", "S" },
    { "ramp", 0, 0, G_OPTION_ARG_INT, &o.ramp, "new connections per second (2000)", "N" },
    { "workers", 0, 0, G_OPTION_ARG_INT, &o.workers, "client processes (4)", "N" },
    { "addresses", 0, 0, G_OPTION_ARG_INT, &o.addresses, "source addresses 127.0.0.1.. (8)", "N" },
    { "tokens", 0, 0, G_OPTION_ARG_STRING, &o.tokens_file, "member tokens, one per line", "FILE" },
    G_OPTION_ENTRY_NULL
  };
  GOptionContext *ctx = g_option_context_new("- many viewers in one live chat");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *err = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || !o.port || !o.video || !o.server_pid) {
    fprintf(stderr, "chat_bench: %s\n", err ? err->message : "--port, --video and --server-pid are required");
    return 2;
  }
  struct rlimit rl = { (rlim_t)(o.connections / o.workers + 1024), (rlim_t)(o.connections / o.workers + 1024) };
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  char **tokens = NULL;
  int ntokens = 0;
  if (o.tokens_file) {
    char *text = NULL;
    if (!g_file_get_contents(o.tokens_file, &text, NULL, NULL)) {
      fprintf(stderr, "chat_bench: cannot read %s\n", o.tokens_file);
      return 2;
    }
    tokens = g_strsplit(g_strstrip(text), "\n", -1);
    ntokens = (int)g_strv_length(tokens);
    g_free(text);
  }

  double cpu0, rss0, cpu1, rss1;
  if (!proc_stat(o.server_pid, &cpu0, &rss0)) {
    fprintf(stderr, "chat_bench: no process %d\n", o.server_pid);
    return 2;
  }
  gint64 ramp_us = (gint64)((double)o.connections / o.ramp * 1e6);
  gint64 t0 = now_us();
  window_start = t0 + ramp_us + (gint64)((o.interval + 5) * 1e6);
  window_end = window_start + (gint64)(o.duration * 1e6);
  printf("chat_bench: %d viewers, %d chatters posting every %.1f s, %d likes/s, ramp %d/s, measuring %.0f s after %.0f s\n",
         o.connections, o.chatters, o.interval, o.likes, o.ramp, o.duration, (double)(window_start - t0) / 1e6);
  fflush(stdout);

  int pipes[64][2];
  pid_t pids[64];
  o.workers = CLAMP(o.workers, 1, 64);
  for (int w = 0; w < o.workers; w++) {
    if (pipe(pipes[w]) < 0)
      return 1;
    int count = o.connections / o.workers + (w < o.connections % o.workers);
    pids[w] = fork();
    if (pids[w] == 0) {
      close(pipes[w][0]);
      worker(w, count, tokens, ntokens, pipes[w][1]);
    }
    close(pipes[w][1]);
  }
  /* The server's CPU and RSS over the measured window. */
  while (now_us() < window_start)
    g_usleep(100000);
  proc_stat(o.server_pid, &cpu0, &rss1);
  double rss_peak = rss1;
  while (now_us() < window_end) {
    g_usleep(500000);
    double c, r;
    if (proc_stat(o.server_pid, &c, &r))
      rss_peak = MAX(rss_peak, r);
  }
  proc_stat(o.server_pid, &cpu1, &rss1);

  Report total = { 0 };
  GArray *lat = g_array_new(FALSE, FALSE, sizeof(guint32));
  for (int w = 0; w < o.workers; w++) {
    Report r;
    FILE *f = fdopen(pipes[w][0], "r");
    if (fread(&r, sizeof r, 1, f) == 1) {
      guint32 *l = g_new(guint32, r.nlat + 1);
      if (fread(l, sizeof(guint32), r.nlat, f) == r.nlat)
        g_array_append_vals(lat, l, r.nlat);
      g_free(l);
      total.held += r.held;
      total.failed += r.failed;
      for (int k = 0; k <= DEAD; k++)
        total.states[k] += r.states[k];
      total.delivered += r.delivered;
      total.posted += r.posted;
      total.frames += r.frames;
      total.errors += r.errors;
    }
    fclose(f);
    waitpid(pids[w], NULL, 0);
  }
  qsort(lat->data, lat->len, sizeof(guint32), cmp_u32);
  double p50 = lat->len ? g_array_index(lat, guint32, lat->len / 2) / 1000.0 : NAN;
  double p99 = lat->len ? g_array_index(lat, guint32, (guint)(lat->len * 0.99)) / 1000.0 : NAN;
  double pmax = lat->len ? g_array_index(lat, guint32, lat->len - 1) / 1000.0 : NAN;
  double per_conn = total.held ? (rss_peak - rss0) / total.held : NAN;
  printf("connections held:        %d of %d (%d failed to open; at the end: %d connecting, %d upgrading, "
         "%d waiting for welcome, %d for chat.joined, %d closed)\n", total.held, o.connections, total.failed,
         total.states[CONNECTING], total.states[UPGRADING], total.states[HELLO], total.states[JOINING],
         total.states[DEAD]);
  double expected = (double)total.posted * total.held;
  printf("messages posted:         %.1f per second (%" G_GUINT64_FORMAT " in %.0f s)\n", total.posted / o.duration,
         total.posted, o.duration);
  printf("messages delivered:      %.0f per second, %.1f%% of posted × viewers (%" G_GUINT64_FORMAT " frames; %"
         G_GUINT64_FORMAT " errors)\n", total.delivered / o.duration, expected > 0 ? total.delivered / expected * 100 : NAN,
         total.frames, total.errors);
  printf("post to delivery:        p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", p50, p99, pmax);
  printf("server RSS:              %.1f MiB idle, %.1f MiB peak: %.1f KiB per connection\n",
         rss0 / 1024, rss_peak / 1024, per_conn);
  printf("server CPU:              %.1f%% of one core over the window\n", (cpu1 - cpu0) / o.duration * 100);
  printf("targets: p99 < 500 ms with every message delivered to every viewer: %s\n",
         p99 < 500 && expected > 0 && total.delivered >= expected * 0.999 ? "met" : "NOT met");
  return 0;
}
