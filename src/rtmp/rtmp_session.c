/* rtmp_session: one RTMP connection's protocol state — handshake, control messages, commands, publish. No I/O.
 *
 * Messages are dispatched from two tables: control and media messages by
 * type, AMF0 commands by name. Replies are built into the output buffer;
 * the server writes them. */
#include "rtmp/rtmp_session.h"
#include "core/log.h"
#include "rtmp/amf0.h"
#include "rtmp/rtmp_chunk.h"
#include "rtmp/rtmp_handshake.h"

#include <errno.h>
#include <string.h>

#define SUB "rtmp"

/* Chunk stream ids for what we send. */
enum { CSID_CONTROL = 2, CSID_COMMAND = 3, CSID_STATUS = 5 };

typedef enum {
  ST_HANDSHAKE,
  ST_WAIT_CONNECT,
  ST_CONNECTED,
  ST_PUBLISHING,
  ST_CLOSED,
} State;

struct RtmpSession {
  RtmpPublishHandler handler;
  char *peer;
  char *app_allowed;
  State state;
  RtmpHandshake hs;
  RtmpChunkReader *reader;
  GByteArray *in;
  GByteArray *out;
  uint32_t out_chunk_size;   /* 128 until our Set Chunk Size is sent */
  uint64_t bytes_in;
  uint64_t acked;
  uint32_t peer_window;      /* the client's Window Acknowledgement Size */
  uint32_t streams;          /* createStream count */
  uint32_t publish_stream;   /* message stream id of the publish */
  void *publisher;
  char *key_hint;            /* first 4 characters of the key, for logs */
  bool video_checked;
};

/* ---- output builders ---------------------------------------------------- */

static void send_message(RtmpSession *s, uint32_t csid, uint8_t type, uint32_t stream_id,
                         const uint8_t *data, size_t len)
{
  RtmpMessage m = {.type = type, .stream_id = stream_id, .timestamp = 0, .csid = csid,
                   .payload = data, .len = len};
  rtmp_chunk_write(s->out, s->out_chunk_size, &m);
}

static void send_u32(RtmpSession *s, uint8_t type, uint32_t v)
{
  uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
  /* Set Chunk Size is sent with the default chunk size: the peer applies it
   * only after reading this message. */
  RtmpMessage m = {.type = type, .csid = CSID_CONTROL, .payload = b, .len = 4};
  rtmp_chunk_write(s->out, RTMP_CHUNK_SIZE_DEFAULT, &m);
}

static void send_peer_bandwidth(RtmpSession *s, uint32_t v)
{
  uint8_t b[5] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v, 2};
  send_message(s, CSID_CONTROL, RTMP_MSG_SET_PEER_BANDWIDTH, 0, b, 5);
}

static void send_user_control(RtmpSession *s, uint16_t event, uint32_t v)
{
  uint8_t b[6] = {(uint8_t)(event >> 8), (uint8_t)event, (uint8_t)(v >> 24), (uint8_t)(v >> 16),
                  (uint8_t)(v >> 8), (uint8_t)v};
  send_message(s, CSID_CONTROL, RTMP_MSG_USER_CONTROL, 0, b, 6);
}

static void send_amf(RtmpSession *s, uint32_t csid, uint32_t stream_id, GByteArray *body)
{
  send_message(s, csid, RTMP_MSG_COMMAND_AMF0, stream_id, body->data, body->len);
  g_byte_array_unref(body);
}

/* _result / _error with a command object (or null) and an info object
 * (or, when CODE is NULL, the number VALUE, or null when VALUE < 0). */
static void send_result(RtmpSession *s, const char *name, double txn, bool props,
                        const char *level, const char *code, const char *desc, double value)
{
  GByteArray *b = g_byte_array_new();
  amf0_put_string(b, name);
  amf0_put_number(b, txn);
  if (props) {
    amf0_put_object_begin(b);
    amf0_put_prop_name(b, "fmsVer");
    amf0_put_string(b, "FMS/3,0,1,123");
    amf0_put_prop_name(b, "capabilities");
    amf0_put_number(b, 31);
    amf0_put_object_end(b);
  } else {
    amf0_put_null(b);
  }
  if (code) {
    amf0_put_object_begin(b);
    amf0_put_prop_name(b, "level");
    amf0_put_string(b, level);
    amf0_put_prop_name(b, "code");
    amf0_put_string(b, code);
    amf0_put_prop_name(b, "description");
    amf0_put_string(b, desc);
    amf0_put_prop_name(b, "objectEncoding");
    amf0_put_number(b, 0);
    amf0_put_object_end(b);
  } else if (value >= 0) {
    amf0_put_number(b, value);
  } else {
    amf0_put_null(b);
  }
  send_amf(s, CSID_COMMAND, 0, b);
}

static void send_status(RtmpSession *s, uint32_t stream_id, const char *level, const char *code,
                        const char *desc)
{
  GByteArray *b = g_byte_array_new();
  amf0_put_string(b, "onStatus");
  amf0_put_number(b, 0);
  amf0_put_null(b);
  amf0_put_object_begin(b);
  amf0_put_prop_name(b, "level");
  amf0_put_string(b, level);
  amf0_put_prop_name(b, "code");
  amf0_put_string(b, code);
  amf0_put_prop_name(b, "description");
  amf0_put_string(b, desc);
  amf0_put_object_end(b);
  send_amf(s, CSID_STATUS, stream_id, b);
}

/* ---- publish lifecycle ---------------------------------------------------- */

static void end_publish(RtmpSession *s, bool clean)
{
  if (!s->publisher)
    return;
  log_info(SUB, "%s: publish of %s… ended (%s)", s->peer, s->key_hint,
           clean ? "unpublished" : "connection lost");
  void *p = s->publisher;
  s->publisher = NULL;
  s->state = ST_CONNECTED;
  if (s->handler.unpublish)
    s->handler.unpublish(s->handler.user, p, clean);
}

/* ---- commands ------------------------------------------------------------- */

typedef struct {
  const char *name;
  double txn;
  const GPtrArray *args; /* Amf0Value*: [0] name, [1] txn, [2] command object, [3...] */
  uint32_t stream_id;
} Command;

static const Amf0Value *arg(const Command *c, guint i)
{
  return i < c->args->len ? g_ptr_array_index(c->args, i) : NULL;
}

static int cmd_connect(RtmpSession *s, const Command *c)
{
  if (s->state != ST_WAIT_CONNECT) {
    log_warn(SUB, "%s: connect sent twice", s->peer);
    return -EBADMSG;
  }
  const Amf0Value *obj = arg(c, 2);
  const char *app = amf0_string(amf0_get(obj, "app"));
  if (!app || strlen(app) > RTMP_MAX_NAME_LEN) {
    log_warn(SUB, "%s: connect without an app name (or over %d bytes)", s->peer,
             RTMP_MAX_NAME_LEN);
    send_result(s, "_error", c->txn, false, "error", "NetConnection.Connect.Rejected",
                "connect needs an app name", -1);
    return -EBADMSG;
  }
  /* Some encoders append "/" or a query to the app name. */
  size_t n = strcspn(app, "/?");
  if (n != strlen(s->app_allowed) || strncmp(app, s->app_allowed, n) != 0) {
    log_warn(SUB, "%s: connect to unknown application '%.64s' refused", s->peer, app);
    char *d = g_strdup_printf("unknown application; publish to rtmp://host/%s/<stream key>",
                              s->app_allowed);
    send_result(s, "_error", c->txn, false, "error", "NetConnection.Connect.Rejected", d, -1);
    g_free(d);
    return -EACCES;
  }
  send_u32(s, RTMP_MSG_WINDOW_ACK_SIZE, RTMP_WINDOW_ACK_SIZE);
  send_peer_bandwidth(s, RTMP_WINDOW_ACK_SIZE);
  send_u32(s, RTMP_MSG_SET_CHUNK_SIZE, RTMP_OUT_CHUNK_SIZE);
  s->out_chunk_size = RTMP_OUT_CHUNK_SIZE;
  send_result(s, "_result", c->txn, true, "status", "NetConnection.Connect.Success",
              "Connection succeeded.", -1);
  s->state = ST_CONNECTED;
  log_debug(SUB, "%s: connected to app '%s'", s->peer, s->app_allowed);
  return 0;
}

static int cmd_simple_result(RtmpSession *s, const Command *c)
{
  /* releaseStream, FCPublish, FCUnpublish, getStreamLength: a plain answer.
   * A zero transaction id asks for none. */
  if (c->txn > 0)
    send_result(s, "_result", c->txn, false, NULL, NULL, NULL, -1);
  if (!strcmp(c->name, "FCPublish")) {
    GByteArray *b = g_byte_array_new();
    amf0_put_string(b, "onFCPublish");
    amf0_put_number(b, 0);
    amf0_put_null(b);
    send_amf(s, CSID_COMMAND, 0, b);
  }
  return 0;
}

static int cmd_create_stream(RtmpSession *s, const Command *c)
{
  if (++s->streams > RTMP_MAX_STREAMS) {
    log_warn(SUB, "%s: more than %d createStream calls", s->peer, RTMP_MAX_STREAMS);
    return -E2BIG;
  }
  send_result(s, "_result", c->txn, false, NULL, NULL, NULL, s->streams);
  return 0;
}

static int cmd_publish(RtmpSession *s, const Command *c)
{
  const char *key = amf0_string(arg(c, 3));
  if (s->state == ST_PUBLISHING) {
    log_warn(SUB, "%s: a second publish on one connection refused", s->peer);
    send_status(s, c->stream_id, "error", "NetStream.Publish.BadName",
                "this connection is already publishing");
    return -EACCES;
  }
  if (!key || !*key || strlen(key) > RTMP_MAX_NAME_LEN) {
    log_warn(SUB, "%s: publish without a stream key (or over %d bytes) refused", s->peer,
             RTMP_MAX_NAME_LEN);
    send_status(s, c->stream_id, "error", "NetStream.Publish.BadName", "missing stream key");
    return -EACCES;
  }
  /* Encoders may append a query ("key?foo=bar"); the key is what precedes it. */
  g_autofree char *k = g_strndup(key, strcspn(key, "?"));
  g_free(s->key_hint);
  s->key_hint = g_strndup(k, 4);
  const char *code = "NetStream.Publish.BadName";
  char *reason = NULL;
  void *p = s->handler.publish ? s->handler.publish(s->handler.user, s->app_allowed, k, s->peer,
                                                    &code, &reason)
                               : NULL;
  if (!p) {
    log_warn(SUB, "%s: publish with key %s… refused: %s", s->peer, s->key_hint,
             reason ? reason : "unknown key");
    send_status(s, c->stream_id, "error", code, reason ? reason : "unknown stream key");
    g_free(reason);
    return -EACCES;
  }
  s->publisher = p;
  s->publish_stream = c->stream_id;
  s->state = ST_PUBLISHING;
  s->video_checked = false;
  send_user_control(s, 0 /* Stream Begin */, c->stream_id);
  send_status(s, c->stream_id, "status", "NetStream.Publish.Start", "Publishing started.");
  return 0;
}

static int cmd_unpublish(RtmpSession *s, const Command *c)
{
  if (!strcmp(c->name, "FCUnpublish"))
    cmd_simple_result(s, c);
  if (s->state == ST_PUBLISHING) {
    send_status(s, s->publish_stream, "status", "NetStream.Unpublish.Success",
                "Stopped publishing.");
    end_publish(s, true);
  }
  return 0;
}

static int cmd_ignore(RtmpSession *s, const Command *c)
{
  (void)s;
  (void)c;
  return 0;
}

typedef int (*CommandFn)(RtmpSession *s, const Command *c);

static const struct {
  const char *name;
  CommandFn fn;
  bool needs_connect;
} commands[] = {
  {"connect", cmd_connect, false},
  {"releaseStream", cmd_simple_result, true},
  {"FCPublish", cmd_simple_result, true},
  {"createStream", cmd_create_stream, true},
  {"publish", cmd_publish, true},
  {"FCUnpublish", cmd_unpublish, true},
  {"deleteStream", cmd_unpublish, true},
  {"closeStream", cmd_unpublish, true},
  {"getStreamLength", cmd_simple_result, true},
  {"_checkbw", cmd_ignore, true},
  {"_result", cmd_ignore, false},
  {"_error", cmd_ignore, false},
  {"onBWDone", cmd_ignore, false},
  {"play", NULL, true},
  {"play2", NULL, true},
};

static int on_command(RtmpSession *s, const RtmpMessage *m)
{
  if (m->len > RTMP_MAX_COMMAND_BYTES) {
    log_warn(SUB, "%s: command of %zu bytes over the %d-byte limit", s->peer, m->len,
             RTMP_MAX_COMMAND_BYTES);
    return -E2BIG;
  }
  GPtrArray *args = NULL;
  int rc = amf0_decode_all(m->payload, m->len, &args);
  if (rc < 0) {
    log_warn(SUB, "%s: malformed AMF0 command (%s)", s->peer, g_strerror(-rc));
    return rc == -E2BIG ? -E2BIG : -EBADMSG;
  }
  Command c = {.args = args, .stream_id = m->stream_id};
  c.name = amf0_string(arg(&c, 0));
  c.txn = amf0_number(arg(&c, 1), 0);
  if (!c.name) {
    log_warn(SUB, "%s: command without a name", s->peer);
    rc = -EBADMSG;
    goto out;
  }
  rc = 0;
  for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
    if (strcmp(commands[i].name, c.name) != 0)
      continue;
    if (commands[i].needs_connect && s->state == ST_WAIT_CONNECT) {
      log_warn(SUB, "%s: '%s' before connect", s->peer, c.name);
      rc = -EBADMSG;
    } else if (!commands[i].fn) {
      log_warn(SUB, "%s: '%s' refused: lectern accepts publishers only", s->peer, c.name);
      send_status(s, m->stream_id, "error", "NetStream.Play.Failed",
                  "lectern serves viewers over HLS, not RTMP");
      rc = -EACCES;
    } else {
      rc = commands[i].fn(s, &c);
    }
    goto out;
  }
  log_debug(SUB, "%s: command '%.64s' ignored", s->peer, c.name);
out:
  g_ptr_array_unref(args);
  return rc;
}

/* ---- media ---------------------------------------------------------------- */

static const char *video_codec_name(uint8_t first)
{
  static const char *names[16] = {NULL, "JPEG", "Sorenson H.263", "Screen video", "VP6",
                                  "VP6 alpha", "Screen video 2", "H.264", NULL, NULL, NULL,
                                  NULL, "HEVC", NULL, NULL, NULL};
  if (first & 0x80)
    return "an enhanced-RTMP codec (HEVC, AV1 or VP9)";
  const char *n = names[first & 0x0f];
  return n ? n : "an unknown codec";
}

static int on_media(RtmpSession *s, uint8_t type, uint32_t ts, const uint8_t *data, size_t len)
{
  if (s->state != ST_PUBLISHING) {
    log_debug(SUB, "%s: media before publish dropped", s->peer);
    return 0;
  }
  if (type == RTMP_MSG_VIDEO && len > 0 && !s->video_checked) {
    s->video_checked = true;
    if ((data[0] & 0x80) || (data[0] & 0x0f) != 7) {
      char *d = g_strdup_printf("lectern accepts H.264 video only; this stream sends %s. "
                                "Set the encoder to x264 or another H.264 encoder.",
                                video_codec_name(data[0]));
      log_warn(SUB, "%s: publish with key %s… refused: %s", s->peer, s->key_hint, d);
      send_status(s, s->publish_stream, "error", "NetStream.Publish.Rejected", d);
      g_free(d);
      end_publish(s, false);
      return -ENOTSUP;
    }
  }
  if (s->handler.media)
    s->handler.media(s->handler.user, s->publisher, type, ts, data, len);
  return 0;
}

static int on_data(RtmpSession *s, const RtmpMessage *m)
{
  if (m->len > RTMP_MAX_COMMAND_BYTES) {
    log_warn(SUB, "%s: data message of %zu bytes over the %d-byte limit", s->peer, m->len,
             RTMP_MAX_COMMAND_BYTES);
    return -E2BIG;
  }
  Amf0Value *first = NULL;
  size_t used = 0;
  if (amf0_decode(m->payload, m->len, &used, &first) < 0) {
    log_warn(SUB, "%s: malformed AMF0 data message", s->peer);
    return -EBADMSG;
  }
  const char *name = amf0_string(first);
  size_t skip = 0;
  if (name && !strcmp(name, "@setDataFrame"))
    skip = used; /* the FLV script tag starts at "onMetaData" */
  else if (!name || strcmp(name, "onMetaData") != 0)
    skip = SIZE_MAX;
  amf0_free(&first);
  if (skip == SIZE_MAX)
    return 0; /* onTextData, onCuePoint, ...: not kept */
  return on_media(s, 18, m->timestamp, m->payload + skip, m->len - skip);
}

static int on_aggregate(RtmpSession *s, const RtmpMessage *m)
{
  /* FLV tags back to back: type(1) size(3) ts(3+1) stream(3) data prev(4). */
  size_t p = 0;
  bool first = true;
  uint32_t base = 0;
  while (p + 11 <= m->len) {
    const uint8_t *t = m->payload + p;
    size_t size = (size_t)t[1] << 16 | t[2] << 8 | t[3];
    uint32_t ts = (uint32_t)t[7] << 24 | (uint32_t)t[4] << 16 | t[5] << 8 | t[6];
    if (p + 11 + size + 4 > m->len) {
      log_warn(SUB, "%s: truncated aggregate message", s->peer);
      return -EBADMSG;
    }
    if (first)
      base = ts;
    first = false;
    uint8_t type = t[0] & 0x1f;
    if (type == RTMP_MSG_AUDIO || type == RTMP_MSG_VIDEO) {
      int rc = on_media(s, type, m->timestamp + (ts - base), t + 11, size);
      if (rc < 0)
        return rc;
    }
    p += 11 + size + 4;
  }
  return 0;
}

static int on_message(RtmpSession *s, const RtmpMessage *m)
{
  switch (m->type) {
  case RTMP_MSG_SET_CHUNK_SIZE: {
    if (m->len < 4)
      return -EBADMSG;
    uint32_t v = rtmp_be32(m->payload);
    int rc = rtmp_chunk_reader_set_chunk_size(s->reader, v);
    if (rc == -E2BIG)
      log_warn(SUB, "%s: Set Chunk Size %u over the %d-byte limit", s->peer, v,
               RTMP_CHUNK_SIZE_MAX);
    else if (rc < 0)
      log_warn(SUB, "%s: invalid Set Chunk Size %u", s->peer, v);
    return rc < 0 ? (rc == -E2BIG ? -E2BIG : -EBADMSG) : 0;
  }
  case RTMP_MSG_ABORT:
    if (m->len >= 4)
      rtmp_chunk_reader_abort(s->reader, rtmp_be32(m->payload));
    return 0;
  case RTMP_MSG_ACK:
  case RTMP_MSG_SET_PEER_BANDWIDTH:
    return 0;
  case RTMP_MSG_WINDOW_ACK_SIZE:
    if (m->len < 4)
      return -EBADMSG;
    s->peer_window = rtmp_be32(m->payload);
    return 0;
  case RTMP_MSG_USER_CONTROL:
    if (m->len >= 6 && m->payload[0] == 0 && m->payload[1] == 6) /* ping request */
      send_user_control(s, 7, rtmp_be32(m->payload + 2));
    return 0;
  case RTMP_MSG_AUDIO:
  case RTMP_MSG_VIDEO:
    return on_media(s, m->type, m->timestamp, m->payload, m->len);
  case RTMP_MSG_DATA_AMF0:
    return on_data(s, m);
  case RTMP_MSG_COMMAND_AMF0:
    return on_command(s, m);
  case RTMP_MSG_COMMAND_AMF3:
    /* An AMF3 command starts with one format byte, then AMF0 values. */
    if (m->len < 1)
      return -EBADMSG;
    {
      RtmpMessage inner = *m;
      inner.payload++;
      inner.len--;
      return on_command(s, &inner);
    }
  case RTMP_MSG_AGGREGATE:
    return on_aggregate(s, m);
  default:
    log_debug(SUB, "%s: message type %u ignored", s->peer, m->type);
    return 0;
  }
}

/* ---- public --------------------------------------------------------------- */

RtmpSession *rtmp_session_new(const RtmpPublishHandler *handler, const char *peer, const char *app)
{
  RtmpSession *s = g_new0(RtmpSession, 1);
  if (handler)
    s->handler = *handler;
  s->peer = g_strdup(peer);
  s->app_allowed = g_strdup(app);
  s->state = ST_HANDSHAKE;
  s->out_chunk_size = RTMP_CHUNK_SIZE_DEFAULT;
  rtmp_handshake_init(&s->hs);
  s->reader = rtmp_chunk_reader_new();
  s->in = g_byte_array_new();
  s->out = g_byte_array_new();
  s->key_hint = g_strdup("");
  return s;
}

void rtmp_session_free(RtmpSession **sp)
{
  if (!sp || !*sp)
    return;
  RtmpSession *s = *sp;
  end_publish(s, false);
  rtmp_chunk_reader_free(&s->reader);
  g_byte_array_unref(s->in);
  g_byte_array_unref(s->out);
  g_free(s->peer);
  g_free(s->app_allowed);
  g_free(s->key_hint);
  g_clear_pointer(sp, g_free);
}

static int process(RtmpSession *s)
{
  size_t off = 0;
  int rc = 0;
  if (s->state == ST_HANDSHAKE) {
    size_t used = 0;
    rc = rtmp_handshake_server_feed(&s->hs, s->in->data, s->in->len, &used, s->out);
    off += used;
    if (rc == -EPROTO) {
      log_warn(SUB, "%s: not an RTMP client (C0 version %u)", s->peer, s->in->data[0]);
      return rc;
    }
    if (rc == 0) {
      s->state = ST_WAIT_CONNECT;
      log_debug(SUB, "%s: handshake done (%s)", s->peer, s->hs.digest ? "digest" : "plain");
    }
  }
  while (rc == 0 && s->state != ST_HANDSHAKE && s->state != ST_CLOSED) {
    RtmpMessage m;
    size_t used = 0;
    rc = rtmp_chunk_read(s->reader, s->in->data + off, s->in->len - off, &used, &m);
    off += used;
    if (rc == -EAGAIN)
      break;
    if (rc == -E2BIG)
      log_warn(SUB, "%s: message over the %u-byte limit", s->peer, RTMP_MAX_MESSAGE_BYTES);
    else if (rc == -EMFILE)
      log_warn(SUB, "%s: more than %d chunk streams in use", s->peer, RTMP_MAX_CHUNK_STREAMS);
    else if (rc < 0)
      log_warn(SUB, "%s: malformed chunk stream", s->peer);
    if (rc < 0)
      break;
    rc = on_message(s, &m);
  }
  g_byte_array_remove_range(s->in, 0, (guint)off);
  return rc == -EAGAIN ? 0 : rc;
}

int rtmp_session_feed(RtmpSession *s, const uint8_t *data, size_t len)
{
  if (s->state == ST_CLOSED)
    return -ECONNRESET;
  g_byte_array_append(s->in, data, (guint)len);
  s->bytes_in += len;
  int rc = process(s);
  if (rc < 0) {
    end_publish(s, false);
    s->state = ST_CLOSED;
    return rc;
  }
  /* Acknowledge once a window's worth has arrived since the last one. */
  if (s->peer_window && s->bytes_in - s->acked >= s->peer_window) {
    s->acked = s->bytes_in;
    send_u32(s, RTMP_MSG_ACK, (uint32_t)s->bytes_in);
  }
  return 0;
}

GByteArray *rtmp_session_output(RtmpSession *s) { return s->out; }
uint64_t rtmp_session_bytes_in(const RtmpSession *s) { return s->bytes_in; }
bool rtmp_session_publishing(const RtmpSession *s) { return s->state == ST_PUBLISHING; }
const char *rtmp_session_peer(const RtmpSession *s) { return s->peer; }

void rtmp_session_input_done(RtmpSession *s)
{
  if (s->state == ST_PUBLISHING && s->publisher && s->handler.input_done)
    s->handler.input_done(s->handler.user, s->publisher);
}
