/* Fuzz target: the RTMP chunk stream reader (src/rtmp/rtmp_chunk.c), bytes after the
 * handshake arriving in pieces, with Set Chunk Size and Abort applied as the session does.
 * Every message read must stay within its limits. */
#include "fuzz.h"
#include "rtmp/rtmp_chunk.h"

#include <errno.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  RtmpChunkReader *r = rtmp_chunk_reader_new();
  GByteArray *pending = g_byte_array_new();
  FuzzPieces p;
  fuzz_pieces_init(&p, data, size);
  size_t off = 0;
  int rc = 0;
  while (off < size && (rc == 0 || rc == -EAGAIN)) {
    size_t n = fuzz_pieces_next(&p);
    n = MIN(n, size - off);
    g_byte_array_append(pending, data + off, (guint)n);
    off += n;
    for (;;) {
      size_t used = 0;
      RtmpMessage msg;
      rc = rtmp_chunk_read(r, pending->data, pending->len, &used, &msg);
      FUZZ_CHECK(used <= pending->len);
      if (rc == 0) {
        FUZZ_CHECK(used > 0);
        FUZZ_CHECK(msg.len <= RTMP_MAX_MESSAGE_BYTES);
        volatile uint8_t sum = 0;
        for (size_t i = 0; i < msg.len; i++)
          sum += msg.payload[i];
        (void)sum;
        if (msg.type == RTMP_MSG_SET_CHUNK_SIZE && msg.len >= 4)
          (void)rtmp_chunk_reader_set_chunk_size(r, rtmp_be32(msg.payload));
        else if (msg.type == RTMP_MSG_ABORT && msg.len >= 4)
          rtmp_chunk_reader_abort(r, rtmp_be32(msg.payload));
      }
      g_byte_array_remove_range(pending, 0, (guint)used);
      if (rc != 0)
        break;
    }
  }
  FUZZ_CHECK(rc == 0 || rc == -EAGAIN || rc == -EBADMSG || rc == -E2BIG || rc == -EMFILE);
  g_byte_array_unref(pending);
  rtmp_chunk_reader_free(&r);
  return 0;
}
