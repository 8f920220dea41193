/* wsc: a small blocking WebSocket client for tests and benchmarks. */
#include "wsc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const void *data, size_t len)
{
  const unsigned char *p = data;
  while (len > 0) {
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -errno;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Reads more bytes into the buffer; -ETIMEDOUT, -ECONNRESET or 0. */
static int fill(Wsc *c, int timeout_ms)
{
  if (c->len == sizeof c->buf)
    return -ENOBUFS;
  struct pollfd p = { .fd = c->fd, .events = POLLIN };
  int r = poll(&p, 1, timeout_ms);
  if (r == 0)
    return -ETIMEDOUT;
  if (r < 0)
    return -errno;
  ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
  if (n <= 0)
    return -ECONNRESET;
  c->len += (size_t)n;
  return 0;
}

int wsc_connect(Wsc *c, const char *host, int port, const char *path, const char *bind_addr)
{
  return wsc_connect_rcvbuf(c, host, port, path, bind_addr, 0);
}

int wsc_connect_rcvbuf(Wsc *c, const char *host, int port, const char *path, const char *bind_addr,
                       int rcvbuf)
{
  return wsc_connect_full(c, host, port, path, bind_addr, rcvbuf, NULL);
}

int wsc_connect_full(Wsc *c, const char *host, int port, const char *path, const char *bind_addr,
                     int rcvbuf, const char *cookie)
{
  memset(c, 0, sizeof *c);
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (c->fd < 0)
    return -errno;
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  /* Before connect, so the window offered to the server is this small from the start. */
  if (rcvbuf > 0)
    setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (bind_addr) {
    struct sockaddr_in b = { .sin_family = AF_INET };
    inet_pton(AF_INET, bind_addr, &b.sin_addr);
    if (bind(c->fd, (struct sockaddr *)&b, sizeof b) < 0)
      goto fail;
  }
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  inet_pton(AF_INET, host, &sa.sin_addr);
  if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    goto fail;

  unsigned char nonce[16];
  for (int i = 0; i < 16; i++)
    nonce[i] = (unsigned char)g_random_int();
  char *key = g_base64_encode(nonce, 16);
  char req[2048];
  int n = snprintf(req, sizeof req,
                   "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n%s%s%s\r\n", path, host, port, key,
                   cookie ? "Cookie: " : "", cookie ? cookie : "", cookie ? "\r\n" : "");
  if (n < 0 || (size_t)n >= sizeof req) {
    g_free(key);
    errno = EINVAL;
    goto fail;
  }
  int ret = write_all(c->fd, req, (size_t)n);
  if (ret < 0) {
    g_free(key);
    errno = -ret;
    goto fail;
  }
  char *end = NULL;
  while (!(end = g_strstr_len((char *)c->buf, (gssize)c->len, "\r\n\r\n"))) {
    if ((ret = fill(c, 5000)) < 0) {
      g_free(key);
      close(c->fd);
      c->fd = -1;
      return ret;
    }
  }
  size_t head = (size_t)(end + 4 - (char *)c->buf);
  char *headers = g_strndup((char *)c->buf, head);
  char *accept_src = g_strconcat(key, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", NULL);
  guint8 digest[20];
  gsize dlen = sizeof digest;
  GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA1);
  g_checksum_update(sum, (const guchar *)accept_src, -1);
  g_checksum_get_digest(sum, digest, &dlen);
  g_checksum_free(sum);
  char *accept = g_base64_encode(digest, dlen);
  char *lower = g_ascii_strdown(headers, -1);
  bool ok = g_str_has_prefix(headers, "HTTP/1.1 101") && strstr(headers, accept) &&
            strstr(lower, "upgrade: websocket");
  g_free(lower);
  g_free(accept);
  g_free(accept_src);
  g_free(headers);
  g_free(key);
  memmove(c->buf, c->buf + head, c->len - head);
  c->len -= head;
  if (!ok) {
    close(c->fd);
    c->fd = -1;
    return -EPROTO;
  }
  return 0;
fail:
  ret = -errno;
  close(c->fd);
  c->fd = -1;
  return ret;
}

size_t wsc_frame_build(unsigned char *out, size_t cap, int opcode, bool fin, const void *data, size_t len)
{
  size_t h = 0;
  if (cap < len + 14)
    return 0;
  out[h++] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 0x0f));
  if (len < 126) {
    out[h++] = (unsigned char)(0x80 | len);
  } else if (len < 65536) {
    out[h++] = 0x80 | 126;
    out[h++] = (unsigned char)(len >> 8);
    out[h++] = (unsigned char)len;
  } else {
    out[h++] = 0x80 | 127;
    for (int i = 7; i >= 0; i--)
      out[h++] = (unsigned char)((uint64_t)len >> (8 * i));
  }
  guint32 mask = g_random_int();
  memcpy(out + h, &mask, 4);
  const unsigned char *m = out + h;
  h += 4;
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++)
    out[h + i] = p[i] ^ m[i % 4];
  return h + len;
}

int wsc_frame_parse(const unsigned char *buf, size_t len, int *opcode, bool *fin, size_t *head, size_t *payload)
{
  if (len < 2)
    return -EAGAIN;
  size_t h = 2;
  uint64_t n = buf[1] & 0x7f;
  if (n == 126) {
    if (len < 4)
      return -EAGAIN;
    n = (uint64_t)buf[2] << 8 | buf[3];
    h = 4;
  } else if (n == 127) {
    return -EMSGSIZE; /* nothing the server sends is that large */
  }
  if (len < h + n)
    return -EAGAIN;
  *opcode = buf[0] & 0x0f;
  *fin = buf[0] & 0x80;
  *head = h;
  *payload = (size_t)n;
  return 0;
}

int wsc_send_frame(Wsc *c, int opcode, bool fin, const void *data, size_t len)
{
  unsigned char *frame = g_malloc(len + 14);
  size_t n = wsc_frame_build(frame, len + 14, opcode, fin, data, len);
  int ret = write_all(c->fd, frame, n);
  g_free(frame);
  return ret;
}

int wsc_send(Wsc *c, const char *text)
{
  return wsc_send_frame(c, 1, true, text, strlen(text));
}

static gint64 now_ms(void)
{
  return g_get_monotonic_time() / 1000;
}

int wsc_recv(Wsc *c, int timeout_ms, char **text, int *close_code)
{
  gint64 deadline = now_ms() + timeout_ms;
  GString *msg = NULL;
  for (;;) {
    /* A whole frame in the buffer? */
    int opcode;
    bool fin;
    size_t h, len;
    int parsed = wsc_frame_parse(c->buf, c->len, &opcode, &fin, &h, &len);
    if (parsed == -EMSGSIZE) {
      if (msg)
        g_string_free(msg, TRUE);
      return -EMSGSIZE;
    }
    if (parsed == 0) {
      unsigned char *payload = c->buf + h;
      int ret = 1;
      if (opcode == 8) {
        if (close_code)
          *close_code = len >= 2 ? (payload[0] << 8 | payload[1]) : 1005;
        ret = -ECONNRESET;
      } else if (opcode == 9) {
        wsc_send_frame(c, 10, true, payload, len);
      } else if (opcode == 1 || opcode == 2 || opcode == 0) {
        if (!msg)
          msg = g_string_new(NULL);
        g_string_append_len(msg, (char *)payload, (gssize)len);
        if (fin)
          ret = 0;
      }
      memmove(c->buf, c->buf + h + len, c->len - h - len);
      c->len -= h + len;
      if (ret == 0) {
        *text = g_string_free(msg, FALSE);
        return 0;
      }
      if (ret < 0) {
        if (msg)
          g_string_free(msg, TRUE);
        return ret;
      }
      continue;
    }
    gint64 left = deadline - now_ms();
    int r = fill(c, left > 0 ? (int)left : 0);
    if (r < 0) {
      if (msg)
        g_string_free(msg, TRUE);
      if (r == -ECONNRESET && close_code)
        *close_code = 1006;
      return r;
    }
  }
}

void wsc_close(Wsc *c)
{
  if (c->fd >= 0) {
    wsc_send_frame(c, 8, true, "\x03\xe8", 2);
    close(c->fd);
  }
  c->fd = -1;
}
