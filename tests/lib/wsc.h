/* wsc: a small blocking WebSocket client for tests and benchmarks (RFC 6455, text frames,
 * masked as a client must). Not for production use. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct {
  int fd;
  unsigned char buf[16384];
  size_t len;
} Wsc;

/* Frames as bytes, without I/O (shared with tests/bench/ws_bench.c). */

/* Writes a masked client frame (OPCODE, FIN, LEN bytes of DATA) into OUT of CAP bytes.
 * Returns its length, or 0 when it does not fit. */
size_t wsc_frame_build(unsigned char *out, size_t cap, int opcode, bool fin, const void *data, size_t len);

/* Reads the header of the (unmasked, server) frame at BUF (LEN bytes available). Returns 0
 * with *OPCODE, *FIN, *HEAD (header bytes) and *PAYLOAD (payload bytes), -EAGAIN when the
 * whole frame is not there yet, or -EMSGSIZE for a 64-bit length. */
int wsc_frame_parse(const unsigned char *buf, size_t len, int *opcode, bool *fin, size_t *head, size_t *payload);

/* Connects to HOST:PORT (from BIND_ADDR when not NULL), upgrades PATH and checks the
 * server's Sec-WebSocket-Accept. Returns 0 or -errno (-EPROTO: the upgrade was refused). */
int wsc_connect(Wsc *c, const char *host, int port, const char *path, const char *bind_addr);

/* wsc_connect with the socket's receive buffer set to RCVBUF bytes (0: the system's). */
int wsc_connect_rcvbuf(Wsc *c, const char *host, int port, const char *path, const char *bind_addr,
                       int rcvbuf);

/* wsc_connect_rcvbuf with a Cookie header COOKIE (NULL: none), as a browser's upgrade carries
 * its session cookie. */
int wsc_connect_full(Wsc *c, const char *host, int port, const char *path, const char *bind_addr,
                     int rcvbuf, const char *cookie);

/* Sends one frame: OPCODE (1 text, 2 binary, 0 continuation, 8 close), FIN bit. 0 or -errno. */
int wsc_send_frame(Wsc *c, int opcode, bool fin, const void *data, size_t len);

/* Sends TEXT as one text message. 0 or -errno. */
int wsc_send(Wsc *c, const char *text);

/* Receives the next data message within TIMEOUT_MS (pings are answered, pongs skipped).
 * Returns 0 with *TEXT (caller frees, NUL-terminated), -ETIMEDOUT, or -ECONNRESET when the
 * server closed (its close code in *CLOSE_CODE when not NULL). */
int wsc_recv(Wsc *c, int timeout_ms, char **text, int *close_code);

void wsc_close(Wsc *c);
