/* abuse_client: misbehaving clients for tests/integration/test_abuse.sh, each printing one
 * JSON line of what the server did to it.
 *
 *   abuse_client slowloris --port P [--conns N] [--seconds S] [--gap-ms G]
 *       N connections send an HTTP request header one byte at a time, one byte per
 *       connection every G ms, never finishing it; prints when the server closed them.
 *   abuse_client tcp-hold --port P [--conns N] [--bind ADDR] [--seconds S]
 *       N plain TCP connections (from ADDR), held silent; prints how many the server closed
 *       within the first second (refused at accept) and how many it kept.
 *   abuse_client ws-noread --port P [--seconds S] [--every-ms M] [--rcvbuf B]
 *       a /ws client with a B-byte receive buffer that says hello and then sends a message
 *       every M ms that the server answers, reading nothing; prints when it was dropped. */
#include "wsc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct {
  int port, conns, gap_ms, every_ms, rcvbuf;
  double seconds;
  char *bind;
} g = { .conns = 50, .gap_ms = 1000, .every_ms = 20, .rcvbuf = 2048, .seconds = 30 };

static double now_s(void) { return (double)g_get_monotonic_time() / 1e6; }

static int tcp_connect(const char *bind_addr)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  if (bind_addr) {
    struct sockaddr_in b = { .sin_family = AF_INET };
    inet_pton(AF_INET, bind_addr, &b.sin_addr);
    if (bind(fd, (struct sockaddr *)&b, sizeof b) < 0) {
      int e = errno;
      close(fd);
      return -e;
    }
  }
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)g.port) };
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

/* Whether the peer closed FD (EOF or reset); what it sent is read and dropped. */
static bool peer_closed(int fd)
{
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0)
      continue;
    if (n == 0)
      return true;
    return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  }
}

static int slowloris(void)
{
  static const char header[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
                               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  int n = g.conns;
  int *fd = g_new0(int, n);
  size_t *pos = g_new0(size_t, n);
  double *closed_at = g_new0(double, n);
  double t0 = now_s();
  int opened = 0;
  for (int i = 0; i < n; i++) {
    fd[i] = tcp_connect(NULL);
    if (fd[i] >= 0)
      opened++;
  }
  int open_now = opened, sent = 0;
  double end = t0 + g.seconds;
  while (open_now > 0 && now_s() < end) {
    for (int i = 0; i < n; i++) {
      if (fd[i] < 0 || closed_at[i] > 0)
        continue;
      if (peer_closed(fd[i])) {
        closed_at[i] = now_s() - t0;
        open_now--;
        continue;
      }
      char c = header[pos[i] % (sizeof header - 1)];
      if (pos[i] >= sizeof header - 1)
        c = 'a'; /* the header value goes on and on */
      if (send(fd[i], &c, 1, MSG_NOSIGNAL) == 1) {
        pos[i]++;
        sent++;
      } else if (errno != EAGAIN) {
        closed_at[i] = now_s() - t0;
        open_now--;
      }
    }
    usleep((useconds_t)g.gap_ms * 1000);
  }
  double first = 0, last = 0;
  int closed = 0;
  for (int i = 0; i < n; i++) {
    if (closed_at[i] > 0) {
      closed++;
      first = first == 0 || closed_at[i] < first ? closed_at[i] : first;
      last = closed_at[i] > last ? closed_at[i] : last;
    }
    if (fd[i] >= 0)
      close(fd[i]);
  }
  printf("{\"opened\":%d,\"closed\":%d,\"first_close\":%.2f,\"last_close\":%.2f,\"bytes_sent\":%d}\n",
         opened, closed, first, last, sent);
  g_free(fd);
  g_free(pos);
  g_free(closed_at);
  return 0;
}

static int tcp_hold(void)
{
  int n = g.conns;
  int *fd = g_new0(int, n);
  int opened = 0, failed = 0;
  for (int i = 0; i < n; i++) {
    fd[i] = tcp_connect(g.bind);
    if (fd[i] >= 0)
      opened++;
    else
      failed++;
  }
  usleep(1000 * 1000);
  int refused = 0;
  for (int i = 0; i < n; i++)
    if (fd[i] >= 0 && peer_closed(fd[i])) {
      refused++;
      close(fd[i]);
      fd[i] = -1;
    }
  printf("{\"opened\":%d,\"connect_failed\":%d,\"refused\":%d,\"held\":%d}\n", opened, failed, refused,
         opened - refused);
  fflush(stdout);
  /* Held until told to stop (or the time is up), so the test can look meanwhile. */
  double end = now_s() + g.seconds;
  while (now_s() < end)
    usleep(100 * 1000);
  for (int i = 0; i < n; i++)
    if (fd[i] >= 0)
      close(fd[i]);
  g_free(fd);
  return 0;
}

static int ws_noread(void)
{
  Wsc ws;
  int ret = wsc_connect_rcvbuf(&ws, "127.0.0.1", g.port, "/ws", NULL, g.rcvbuf);
  if (ret < 0) {
    printf("{\"connected\":false,\"error\":\"%s\"}\n", g_strerror(-ret));
    return 1;
  }
  double t0 = now_s();
  /* Every hello after the first is answered with an error (the connection stays open). */
  int sent = 0;
  bool dropped = false;
  while (now_s() - t0 < g.seconds) {
    if (wsc_send(&ws, "{\"type\":\"hello\"}") < 0) {
      dropped = true;
      break;
    }
    sent++;
    struct pollfd p = { .fd = ws.fd, .events = 0 };
    if (poll(&p, 1, 0) > 0 && (p.revents & (POLLERR | POLLHUP))) {
      dropped = true;
      break;
    }
    usleep((useconds_t)g.every_ms * 1000);
  }
  printf("{\"connected\":true,\"sent\":%d,\"dropped\":%s,\"after\":%.2f}\n", sent,
         dropped ? "true" : "false", now_s() - t0);
  close(ws.fd);
  return 0;
}

int main(int argc, char **argv)
{
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    fprintf(stderr, "usage: abuse_client slowloris|tcp-hold|ws-noread --port P [options]\n");
    return 2;
  }
  const char *mode = argv[1];
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &g.port, "server port", "P" },
    { "conns", 0, 0, G_OPTION_ARG_INT, &g.conns, "connections", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &g.seconds, "how long at most", "S" },
    { "gap-ms", 0, 0, G_OPTION_ARG_INT, &g.gap_ms, "slowloris: ms between bytes", "G" },
    { "every-ms", 0, 0, G_OPTION_ARG_INT, &g.every_ms, "ws-noread: ms between messages", "M" },
    { "rcvbuf", 0, 0, G_OPTION_ARG_INT, &g.rcvbuf, "ws-noread: receive buffer bytes", "B" },
    { "bind", 0, 0, G_OPTION_ARG_STRING, &g.bind, "tcp-hold: source address", "ADDR" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  GOptionContext *ctx = g_option_context_new("MODE");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *err = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &err) || !g.port) {
    fprintf(stderr, "abuse_client: %s\n", err ? err->message : "--port is required");
    return 2;
  }
  g_option_context_free(ctx);
  if (!strcmp(mode, "slowloris"))
    return slowloris();
  if (!strcmp(mode, "tcp-hold"))
    return tcp_hold();
  if (!strcmp(mode, "ws-noread"))
    return ws_noread();
  fprintf(stderr, "abuse_client: unknown mode %s\n", mode);
  return 2;
}
