/* Fuzz target: the server side of the RTMP handshake (src/rtmp/rtmp_handshake.c), C0+C1+C2
 * from a client arriving in pieces. When the server answers, the answer must satisfy the
 * client's own check of it (a Flash-era client verifies our digest). */
#include "fuzz.h"
#include "rtmp/rtmp_handshake.h"

#include <errno.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  RtmpHandshake hs;
  rtmp_handshake_init(&hs);
  GByteArray *out = g_byte_array_new();
  GByteArray *pending = g_byte_array_new();
  FuzzPieces p;
  fuzz_pieces_init(&p, data, size);
  size_t off = 0;
  int rc = -EAGAIN;
  while (off < size && rc == -EAGAIN) {
    size_t n = fuzz_pieces_next(&p);
    n = MIN(n, size - off);
    g_byte_array_append(pending, data + off, (guint)n);
    off += n;
    size_t used = 0;
    rc = rtmp_handshake_server_feed(&hs, pending->data, pending->len, &used, out);
    FUZZ_CHECK(used <= pending->len);
    g_byte_array_remove_range(pending, 0, (guint)used);
  }
  FUZZ_CHECK(rc == 0 || rc == -EAGAIN || rc == -EPROTO);
  if (out->len > 0) {
    /* S0+S1+S2, answering the C1 that followed C0 in the input. */
    FUZZ_CHECK(out->len == 1 + 2 * RTMP_HANDSHAKE_SIZE && size >= 1 + RTMP_HANDSHAKE_SIZE);
    FUZZ_CHECK(rtmp_handshake_client_check(data + 1, out->data, hs.digest) == 0);
  }
  g_byte_array_unref(pending);
  g_byte_array_unref(out);
  return 0;
}
