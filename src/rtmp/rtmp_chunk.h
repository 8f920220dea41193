/* rtmp_chunk: the RTMP chunk stream — reassembles messages from chunks and cuts messages into chunks. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTMP_CHUNK_SIZE_DEFAULT 128
#define RTMP_CHUNK_SIZE_MAX 65536          /* Set Chunk Size above this is refused */
#define RTMP_MAX_MESSAGE_BYTES (8u << 20)  /* one audio/video/command message */
#define RTMP_MAX_CHUNK_STREAMS 32          /* distinct chunk stream ids in use */

/* Message types (RTMP 1.0 §5.4, §7.1). */
enum {
  RTMP_MSG_SET_CHUNK_SIZE = 1,
  RTMP_MSG_ABORT = 2,
  RTMP_MSG_ACK = 3,
  RTMP_MSG_USER_CONTROL = 4,
  RTMP_MSG_WINDOW_ACK_SIZE = 5,
  RTMP_MSG_SET_PEER_BANDWIDTH = 6,
  RTMP_MSG_AUDIO = 8,
  RTMP_MSG_VIDEO = 9,
  RTMP_MSG_DATA_AMF3 = 15,
  RTMP_MSG_COMMAND_AMF3 = 17,
  RTMP_MSG_DATA_AMF0 = 18,
  RTMP_MSG_COMMAND_AMF0 = 20,
  RTMP_MSG_AGGREGATE = 22,
};

/* A big-endian 32-bit field, as control messages and extended timestamps carry them. */
static inline uint32_t rtmp_be32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

typedef struct {
  uint8_t type;
  uint32_t stream_id;
  uint32_t timestamp;     /* ms, absolute (wraps at 2^32) */
  uint32_t csid;
  const uint8_t *payload; /* owned by the reader; valid until the next read */
  size_t len;
} RtmpMessage;

typedef struct RtmpChunkReader RtmpChunkReader;

RtmpChunkReader *rtmp_chunk_reader_new(void);
void rtmp_chunk_reader_free(RtmpChunkReader **r);

/* Applies a peer's Set Chunk Size. Returns 0, -EINVAL for 0 or a value with
 * the top bit set, -E2BIG above RTMP_CHUNK_SIZE_MAX. */
int rtmp_chunk_reader_set_chunk_size(RtmpChunkReader *r, uint32_t size);

/* Drops the partial message on CSID (an Abort message). */
void rtmp_chunk_reader_abort(RtmpChunkReader *r, uint32_t csid);

/* Reads chunks from BUF[0..LEN) until one message is complete. Consumes
 * whole chunks only (*used). Returns 0 with *msg filled, -EAGAIN when the
 * bytes end before a message completes (call again with more), -EBADMSG for
 * a chunk that cannot be right (a continuation with no message before it,
 * a length change in the middle of a message), -E2BIG for a message over
 * RTMP_MAX_MESSAGE_BYTES, -EMFILE past RTMP_MAX_CHUNK_STREAMS. */
int rtmp_chunk_read(RtmpChunkReader *r, const uint8_t *buf, size_t len, size_t *used,
                    RtmpMessage *msg);

/* Appends MSG cut into chunks of CHUNK_SIZE: a type-0 header, then type-3
 * continuations, with an extended timestamp where needed. */
void rtmp_chunk_write(GByteArray *out, uint32_t chunk_size, const RtmpMessage *msg);

/* Like rtmp_chunk_write(), but uses a type-1 (DELTA from the previous
 * message on the same chunk stream), for tests of the reader. */
void rtmp_chunk_write_fmt(GByteArray *out, uint32_t chunk_size, const RtmpMessage *msg,
                          int fmt, uint32_t delta);
