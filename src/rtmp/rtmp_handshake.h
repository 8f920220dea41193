/* rtmp_handshake: the C0/C1/C2 ↔ S0/S1/S2 exchange, plain and digest (Flash-era) variants. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTMP_HANDSHAKE_SIZE 1536
#define RTMP_VERSION 3

typedef enum {
  RTMP_HS_WAIT_C0C1,
  RTMP_HS_WAIT_C2,
  RTMP_HS_DONE,
} RtmpHandshakeState;

typedef struct {
  RtmpHandshakeState state;
  bool digest;           /* the client sent a valid digest; S1/S2 answer in kind */
  uint8_t s1[RTMP_HANDSHAKE_SIZE];
} RtmpHandshake;

void rtmp_handshake_init(RtmpHandshake *hs);

/* Feeds the server side with bytes from the client. Consumes what it uses
 * (*used) and appends S0+S1+S2 to OUT once C0+C1 are in. Returns 0 when
 * the handshake is complete (bytes after C2 are chunk-stream data and are not
 * consumed), -EAGAIN when it needs more bytes, -EPROTO for a C0 version other
 * than 3. C2 is read but not checked: encoders differ in what they echo. */
int rtmp_handshake_server_feed(RtmpHandshake *hs, const uint8_t *buf, size_t len, size_t *used,
                               GByteArray *out);

/* Client side, for tests and benchmarks: C0+C1 into OUT (1537 bytes), with
 * a Flash Player digest when DIGEST. */
void rtmp_handshake_client_c0c1(GByteArray *out, bool digest);

/* Checks a server's S0+S1+S2 (3073 bytes) answer to C1 (1536 bytes, without
 * C0). For a digest C1 the S1 digest and the S2 signature must verify; for a
 * plain C1, S2 must echo C1. Returns 0, -EPROTO or -EBADMSG. */
int rtmp_handshake_client_check(const uint8_t *c1, const uint8_t *s0s1s2, bool digest);

/* The offset of the 32-byte digest in a 1536-byte block for scheme BASE
 * (8: digest first, 772: key first). Exposed for tests. */
size_t rtmp_handshake_digest_offset(const uint8_t *block, size_t base);
