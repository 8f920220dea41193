/* rtmp_chunk: the RTMP chunk stream — reassembles messages from chunks and cuts messages into chunks.
 *
 * A chunk: basic header (fmt:2 csid:6, +1 or +2 bytes for csid >= 64),
 * message header of 11/7/3/0 bytes for fmt 0/1/2/3, an extended timestamp
 * when the 24-bit field is 0xFFFFFF (repeated on fmt-3 chunks of such a
 * message), then up to chunk-size bytes of payload. */
#include "rtmp/rtmp_chunk.h"

#include <errno.h>
#include <string.h>

typedef struct {
  uint32_t csid;
  bool used;
  /* The last header seen on this chunk stream. */
  uint32_t timestamp, delta, length, stream_id;
  uint8_t type;
  bool extended;        /* the last header carried an extended timestamp */
  /* The message being assembled. */
  uint8_t *buf;
  size_t have, cap;     /* bytes in buf, and its size */
  bool in_message;
} ChunkStream;

struct RtmpChunkReader {
  uint32_t chunk_size;
  ChunkStream streams[RTMP_MAX_CHUNK_STREAMS];
  uint8_t *done;       /* payload of the last message returned */
};

RtmpChunkReader *rtmp_chunk_reader_new(void)
{
  RtmpChunkReader *r = g_new0(RtmpChunkReader, 1);
  r->chunk_size = RTMP_CHUNK_SIZE_DEFAULT;
  return r;
}

void rtmp_chunk_reader_free(RtmpChunkReader **r)
{
  if (!r || !*r)
    return;
  for (int i = 0; i < RTMP_MAX_CHUNK_STREAMS; i++)
    g_free((*r)->streams[i].buf);
  g_free((*r)->done);
  g_clear_pointer(r, g_free);
}

int rtmp_chunk_reader_set_chunk_size(RtmpChunkReader *r, uint32_t size)
{
  if (size == 0 || (size & 0x80000000u))
    return -EINVAL;
  if (size > RTMP_CHUNK_SIZE_MAX)
    return -E2BIG;
  r->chunk_size = size;
  return 0;
}

static ChunkStream *find_stream(RtmpChunkReader *r, uint32_t csid, bool create)
{
  ChunkStream *free_slot = NULL;
  for (int i = 0; i < RTMP_MAX_CHUNK_STREAMS; i++) {
    if (r->streams[i].used && r->streams[i].csid == csid)
      return &r->streams[i];
    if (!r->streams[i].used && !free_slot)
      free_slot = &r->streams[i];
  }
  if (!create || !free_slot)
    return NULL;
  memset(free_slot, 0, sizeof *free_slot);
  free_slot->used = true;
  free_slot->csid = csid;
  return free_slot;
}

void rtmp_chunk_reader_abort(RtmpChunkReader *r, uint32_t csid)
{
  ChunkStream *cs = find_stream(r, csid, false);
  if (cs) {
    g_clear_pointer(&cs->buf, g_free);
    cs->have = cs->cap = 0;
    cs->in_message = false;
  }
}

static uint32_t be24(const uint8_t *p) { return (uint32_t)p[0] << 16 | p[1] << 8 | p[2]; }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0]; }

/* Parses one chunk at BUF. Returns 0 with *used (and *msg when it completed
 * a message, *complete = true), -EAGAIN, or an error. */
static int read_chunk(RtmpChunkReader *r, const uint8_t *buf, size_t len, size_t *used,
                      RtmpMessage *msg, bool *complete)
{
  static const size_t header_len[4] = {11, 7, 3, 0};
  size_t p = 0;
  *complete = false;
  if (len < 1)
    return -EAGAIN;
  int fmt = buf[0] >> 6;
  uint32_t csid = buf[0] & 0x3f;
  p = 1;
  if (csid == 0) {
    if (len < 2)
      return -EAGAIN;
    csid = 64 + buf[1];
    p = 2;
  } else if (csid == 1) {
    if (len < 3)
      return -EAGAIN;
    csid = 64 + buf[1] + (uint32_t)buf[2] * 256;
    p = 3;
  }
  if (len < p + header_len[fmt])
    return -EAGAIN;

  ChunkStream *cs = find_stream(r, csid, false);
  if (!cs) {
    if (fmt != 0)
      return -EBADMSG; /* a compressed header needs an earlier one on this stream */
    cs = find_stream(r, csid, true);
    if (!cs)
      return -EMFILE;
  }
  const uint8_t *h = buf + p;
  bool starts = !cs->in_message;
  uint32_t ts_field = 0;
  bool ext = false;
  if (fmt <= 2) {
    if (!starts)
      return -EBADMSG; /* a new header while a message is still incomplete */
    ts_field = be24(h);
    ext = ts_field == 0xffffff;
  } else {
    ext = cs->extended;
  }
  size_t need = p + header_len[fmt] + (ext ? 4 : 0);
  if (len < need)
    return -EAGAIN;
  uint32_t ts = ext ? rtmp_be32(buf + p + header_len[fmt]) : ts_field;

  /* Work on copies so that -EAGAIN leaves the stream unchanged. */
  uint32_t length = cs->length, stream_id = cs->stream_id, timestamp = cs->timestamp;
  uint32_t delta = cs->delta;
  uint8_t type = cs->type;
  switch (fmt) {
  case 0:
    length = be24(h + 3);
    type = h[6];
    stream_id = le32(h + 7);
    timestamp = ts;
    delta = 0;
    break;
  case 1:
    length = be24(h + 3);
    type = h[6];
    delta = ts;
    timestamp += delta;
    break;
  case 2:
    delta = ts;
    timestamp += delta;
    break;
  case 3:
    if (starts)
      timestamp += delta; /* a new message with the previous header repeated */
    break;
  }
  if (length > RTMP_MAX_MESSAGE_BYTES)
    return -E2BIG;
  size_t have = starts ? 0 : cs->have;
  size_t take = MIN((size_t)r->chunk_size, length - have);
  if (len < need + take)
    return -EAGAIN;

  /* Commit. */
  cs->length = length;
  cs->type = type;
  cs->stream_id = stream_id;
  cs->timestamp = timestamp;
  cs->delta = delta;
  if (fmt <= 2)
    cs->extended = ext;
  if (starts) {
    g_clear_pointer(&cs->buf, g_free);
    cs->cap = 0;
    cs->have = 0;
    cs->in_message = true;
  }
  /* The buffer grows with the bytes that arrive, not with the length a header declares:
   * thirteen bytes must not make the server set aside 8 MiB (per chunk stream). */
  if (cs->have + take > cs->cap || !cs->buf) {
    size_t cap = MAX(cs->cap * 2, MAX(cs->have + take, (size_t)4096));
    cs->cap = MIN(cap, MAX((size_t)length, (size_t)1));
    cs->buf = g_realloc(cs->buf, cs->cap);
  }
  memcpy(cs->buf + cs->have, buf + need, take);
  cs->have += take;
  *used = need + take;
  if (cs->have == cs->length) {
    g_free(r->done);
    r->done = cs->buf;
    cs->buf = NULL;
    cs->cap = 0;
    cs->in_message = false;
    msg->type = cs->type;
    msg->stream_id = cs->stream_id;
    msg->timestamp = cs->timestamp;
    msg->csid = cs->csid;
    msg->payload = r->done;
    msg->len = cs->length;
    *complete = true;
  }
  return 0;
}

int rtmp_chunk_read(RtmpChunkReader *r, const uint8_t *buf, size_t len, size_t *used,
                    RtmpMessage *msg)
{
  *used = 0;
  for (;;) {
    size_t n = 0;
    bool complete = false;
    int rc = read_chunk(r, buf + *used, len - *used, &n, msg, &complete);
    if (rc < 0)
      return rc;
    *used += n;
    if (complete)
      return 0;
  }
}

static void put_basic_header(GByteArray *out, int fmt, uint32_t csid)
{
  uint8_t b[3];
  if (csid < 64) {
    b[0] = (uint8_t)(fmt << 6 | csid);
    g_byte_array_append(out, b, 1);
  } else if (csid < 64 + 256) {
    b[0] = (uint8_t)(fmt << 6);
    b[1] = (uint8_t)(csid - 64);
    g_byte_array_append(out, b, 2);
  } else {
    b[0] = (uint8_t)(fmt << 6 | 1);
    b[1] = (uint8_t)((csid - 64) & 0xff);
    b[2] = (uint8_t)((csid - 64) >> 8);
    g_byte_array_append(out, b, 3);
  }
}

static void put_be24(GByteArray *out, uint32_t v)
{
  uint8_t b[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
  g_byte_array_append(out, b, 3);
}

static void put_be32(GByteArray *out, uint32_t v)
{
  uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
  g_byte_array_append(out, b, 4);
}

void rtmp_chunk_write_fmt(GByteArray *out, uint32_t chunk_size, const RtmpMessage *msg, int fmt,
                          uint32_t delta)
{
  uint32_t csid = msg->csid ? msg->csid : 3;
  uint32_t ts = fmt == 0 ? msg->timestamp : delta;
  bool ext = ts >= 0xffffff;
  put_basic_header(out, fmt, csid);
  if (fmt <= 2)
    put_be24(out, ext ? 0xffffff : ts);
  if (fmt <= 1) {
    put_be24(out, (uint32_t)msg->len);
    g_byte_array_append(out, &msg->type, 1);
  }
  if (fmt == 0) {
    uint8_t sid[4] = {(uint8_t)msg->stream_id, (uint8_t)(msg->stream_id >> 8),
                      (uint8_t)(msg->stream_id >> 16), (uint8_t)(msg->stream_id >> 24)};
    g_byte_array_append(out, sid, 4);
  }
  if (ext)
    put_be32(out, ts);
  size_t off = 0;
  for (;;) {
    size_t take = MIN((size_t)chunk_size, msg->len - off);
    g_byte_array_append(out, msg->payload + off, (guint)take);
    off += take;
    if (off >= msg->len)
      break;
    put_basic_header(out, 3, csid);
    if (ext)
      put_be32(out, ts);
  }
}

void rtmp_chunk_write(GByteArray *out, uint32_t chunk_size, const RtmpMessage *msg)
{
  rtmp_chunk_write_fmt(out, chunk_size, msg, 0, 0);
}
