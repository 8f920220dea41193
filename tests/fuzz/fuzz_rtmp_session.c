/* Fuzz target: an RTMP session's command handling (src/rtmp/rtmp_session.c, no I/O): after a
 * real handshake, the fuzzed bytes are the chunk stream a publisher sends — connect,
 * createStream, publish, metadata, media, control messages — in pieces, as from a socket.
 * Keys starting with "x" are refused, so both answers are reached. */
#include "fuzz.h"
#include "rtmp/rtmp_handshake.h"
#include "rtmp/rtmp_session.h"

#include <errno.h>

static int publisher;
static int publishes, unpublishes;

static void *on_publish(void *user, const char *app, const char *key, const char *peer,
                        const char **code, char **reason)
{
  FUZZ_CHECK(app && key && peer);
  if (key[0] == 'x') {
    *code = "NetStream.Publish.BadName";
    *reason = g_strdup("unknown or expired stream key");
    return NULL;
  }
  publishes++;
  return &publisher;
}

static void on_media(void *user, void *pub, uint8_t type, uint32_t ts, const uint8_t *data,
                     size_t len)
{
  FUZZ_CHECK(pub == &publisher);
  volatile uint8_t sum = type;
  for (size_t i = 0; i < len; i++)
    sum += data[i];
  (void)sum;
}

static void on_unpublish(void *user, void *pub, bool clean)
{
  FUZZ_CHECK(pub == &publisher);
  unpublishes++;
}

static void on_input_done(void *user, void *pub)
{
}

static const RtmpPublishHandler handler = {
  .publish = on_publish, .media = on_media, .unpublish = on_unpublish,
  .input_done = on_input_done,
};

static GByteArray *hello; /* C0+C1+C2 */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_quiet();
  hello = g_byte_array_new();
  rtmp_handshake_client_c0c1(hello, true);
  static uint8_t c2[RTMP_HANDSHAKE_SIZE];
  g_byte_array_append(hello, c2, sizeof c2);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  publishes = unpublishes = 0;
  RtmpSession *s = rtmp_session_new(&handler, "127.0.0.1:1935", "live");
  FUZZ_CHECK(rtmp_session_feed(s, hello->data, hello->len) == 0);
  g_byte_array_set_size(rtmp_session_output(s), 0);
  FuzzPieces p;
  fuzz_pieces_init(&p, data, size);
  size_t off = 0;
  int rc = 0;
  while (off < size && rc == 0) {
    size_t n = fuzz_pieces_next(&p);
    n = MIN(n, size - off);
    rc = rtmp_session_feed(s, data + off, n);
    off += n;
    rtmp_session_input_done(s);
    g_byte_array_set_size(rtmp_session_output(s), 0); /* sent */
  }
  FUZZ_CHECK(rc == 0 || rc == -EPROTO || rc == -EBADMSG || rc == -E2BIG || rc == -EMFILE ||
             rc == -EACCES || rc == -ENOTSUP || rc == -ECONNRESET);
  FUZZ_CHECK(rtmp_session_bytes_in(s) == hello->len + off);
  FUZZ_CHECK(publishes <= 1); /* a second publish on one connection is refused */
  rtmp_session_free(&s);
  /* Every publish the handler granted ends exactly once, by unpublish or by the free. */
  FUZZ_CHECK(unpublishes == publishes);
  return 0;
}
