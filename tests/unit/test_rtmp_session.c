/* Tests for src/rtmp/rtmp_session.c: a scripted encoder publishing, refusals, limits. */
#include "rtmp/amf0.h"
#include "rtmp/rtmp_chunk.h"
#include "rtmp/rtmp_handshake.h"
#include "rtmp/rtmp_session.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

typedef struct {
  int publishes, media, audio, video, data, unpublished, inputs_done;
  void *last_pub;
  bool clean;
  uint32_t last_ts;
  char *last_key;
  size_t meta_len;
  uint8_t meta_first;
} Spy;

static int token;

static void *spy_publish(void *user, const char *app, const char *key, const char *peer,
                         const char **code, char **reason)
{
  Spy *spy = user;
  (void)peer;
  ck_assert_str_eq(app, "live");
  g_free(spy->last_key);
  spy->last_key = g_strdup(key);
  if (strcmp(key, "good-key") != 0) {
    *code = "NetStream.Publish.BadName";
    *reason = g_strdup("unknown or expired stream key");
    return NULL;
  }
  spy->publishes++;
  return &token;
}

static void spy_media(void *user, void *pub, uint8_t type, uint32_t ts, const uint8_t *data,
                      size_t len)
{
  Spy *spy = user;
  ck_assert_ptr_eq(pub, &token);
  spy->media++;
  spy->last_ts = ts;
  if (type == 8)
    spy->audio++;
  if (type == 9)
    spy->video++;
  if (type == 18) {
    spy->data++;
    spy->meta_len = len;
    spy->meta_first = data[0];
  }
}

static void spy_input_done(void *user, void *pub)
{
  Spy *spy = user;
  spy->inputs_done++;
  spy->last_pub = pub;
}

static void spy_unpublish(void *user, void *pub, bool clean)
{
  Spy *spy = user;
  ck_assert_ptr_eq(pub, &token);
  spy->unpublished++;
  spy->clean = clean;
}

typedef struct {
  RtmpSession *s;
  Spy spy;
  RtmpChunkReader *reader; /* reads what the server sends */
  GByteArray *pending;
  GPtrArray *commands;     /* names of AMF0 commands received, with the status code */
  uint32_t chunk_size;     /* ours, towards the server */
} Client;

static void client_init(Client *c, bool digest)
{
  memset(c, 0, sizeof *c);
  RtmpPublishHandler h = {spy_publish, spy_media, spy_unpublish, &c->spy, spy_input_done};
  c->s = rtmp_session_new(&h, "127.0.0.1:5000", "live");
  c->reader = rtmp_chunk_reader_new();
  c->pending = g_byte_array_new();
  c->commands = g_ptr_array_new_with_free_func(g_free);
  c->chunk_size = 128;
  GByteArray *hs = g_byte_array_new();
  rtmp_handshake_client_c0c1(hs, digest);
  ck_assert_int_eq(rtmp_session_feed(c->s, hs->data, hs->len), 0);
  GByteArray *out = rtmp_session_output(c->s);
  ck_assert_uint_eq(out->len, 3073);
  ck_assert_int_eq(rtmp_handshake_client_check(hs->data + 1, out->data, digest), 0);
  /* C2: echo S1. */
  ck_assert_int_eq(rtmp_session_feed(c->s, out->data + 1, 1536), 0);
  g_byte_array_set_size(out, 0);
  g_byte_array_unref(hs);
}

static void client_free(Client *c)
{
  rtmp_session_free(&c->s);
  rtmp_chunk_reader_free(&c->reader);
  g_byte_array_unref(c->pending);
  g_ptr_array_unref(c->commands);
  g_free(c->spy.last_key);
}

/* Reads the server's output; records "name" or "onStatus:code" per command. */
static void client_drain(Client *c)
{
  GByteArray *out = rtmp_session_output(c->s);
  g_byte_array_append(c->pending, out->data, out->len);
  g_byte_array_set_size(out, 0);
  for (;;) {
    RtmpMessage m;
    size_t used = 0;
    int rc = rtmp_chunk_read(c->reader, c->pending->data, c->pending->len, &used, &m);
    g_byte_array_remove_range(c->pending, 0, (guint)used);
    if (rc == -EAGAIN)
      break;
    ck_assert_int_eq(rc, 0);
    if (m.type == RTMP_MSG_SET_CHUNK_SIZE) {
      uint32_t v = (uint32_t)m.payload[0] << 24 | m.payload[1] << 16 | m.payload[2] << 8 | m.payload[3];
      ck_assert_int_eq(rtmp_chunk_reader_set_chunk_size(c->reader, v), 0);
    }
    if (m.type == RTMP_MSG_ACK)
      g_ptr_array_add(c->commands, g_strdup("ack"));
    if (m.type != RTMP_MSG_COMMAND_AMF0)
      continue;
    GPtrArray *args = NULL;
    ck_assert_int_eq(amf0_decode_all(m.payload, m.len, &args), 0);
    const char *name = amf0_string(g_ptr_array_index(args, 0));
    if (!strcmp(name, "onStatus") || !strcmp(name, "_error")) {
      const Amf0Value *info = args->len > 3 ? g_ptr_array_index(args, 3) : NULL;
      g_ptr_array_add(c->commands,
                      g_strdup_printf("%s:%s", name, amf0_string(amf0_get(info, "code"))));
    } else {
      g_ptr_array_add(c->commands, g_strdup(name));
    }
    g_ptr_array_unref(args);
  }
}

static bool client_saw(Client *c, const char *what)
{
  for (guint i = 0; i < c->commands->len; i++)
    if (!strcmp(g_ptr_array_index(c->commands, i), what))
      return true;
  return false;
}

static int client_send(Client *c, uint8_t type, uint32_t stream_id, uint32_t ts, uint32_t csid,
                       const uint8_t *data, size_t len)
{
  GByteArray *b = g_byte_array_new();
  RtmpMessage m = {.type = type, .stream_id = stream_id, .timestamp = ts, .csid = csid,
                   .payload = data, .len = len};
  rtmp_chunk_write(b, c->chunk_size, &m);
  int rc = rtmp_session_feed(c->s, b->data, b->len);
  g_byte_array_unref(b);
  client_drain(c);
  return rc;
}

static int client_command(Client *c, uint32_t stream_id, const char *name, double txn,
                          const char *str_arg)
{
  GByteArray *b = g_byte_array_new();
  amf0_put_string(b, name);
  amf0_put_number(b, txn);
  if (!strcmp(name, "connect")) {
    amf0_put_object_begin(b);
    amf0_put_prop_name(b, "app");
    amf0_put_string(b, str_arg);
    amf0_put_prop_name(b, "type");
    amf0_put_string(b, "nonprivate");
    amf0_put_object_end(b);
  } else {
    amf0_put_null(b);
    if (str_arg)
      amf0_put_string(b, str_arg);
    if (!strcmp(name, "publish"))
      amf0_put_string(b, "live");
  }
  int rc = client_send(c, RTMP_MSG_COMMAND_AMF0, stream_id, 0, 3, b->data, b->len);
  g_byte_array_unref(b);
  return rc;
}

static int set_chunk_size(Client *c, uint32_t size)
{
  uint8_t v[4] = {(uint8_t)(size >> 24), (uint8_t)(size >> 16), (uint8_t)(size >> 8), (uint8_t)size};
  int rc = client_send(c, RTMP_MSG_SET_CHUNK_SIZE, 0, 0, 2, v, 4);
  if (rc == 0)
    c->chunk_size = size;
  return rc;
}

static void publish_ffmpeg_style(Client *c, const char *key)
{
  ck_assert_int_eq(set_chunk_size(c, 4096), 0);
  ck_assert_int_eq(client_command(c, 0, "connect", 1, "live"), 0);
  ck_assert(client_saw(c, "_result"));
  ck_assert_int_eq(client_command(c, 0, "releaseStream", 2, key), 0);
  ck_assert_int_eq(client_command(c, 0, "FCPublish", 3, key), 0);
  ck_assert_int_eq(client_command(c, 0, "createStream", 4, NULL), 0);
}

START_TEST(encoder_publishes_and_unpublishes)
{
  Client c;
  client_init(&c, true);
  publish_ffmpeg_style(&c, "good-key");
  ck_assert_int_eq(client_command(&c, 1, "publish", 5, "good-key"), 0);
  ck_assert(client_saw(&c, "onStatus:NetStream.Publish.Start"));
  ck_assert(rtmp_session_publishing(c.s));
  ck_assert_int_eq(c.spy.publishes, 1);

  /* @setDataFrame onMetaData arrives without its first value. */
  GByteArray *meta = g_byte_array_new();
  amf0_put_string(meta, "@setDataFrame");
  amf0_put_string(meta, "onMetaData");
  amf0_put_ecma_array_begin(meta, 1);
  amf0_put_prop_name(meta, "width");
  amf0_put_number(meta, 1280);
  amf0_put_object_end(meta);
  ck_assert_int_eq(client_send(&c, RTMP_MSG_DATA_AMF0, 1, 0, 4, meta->data, meta->len), 0);
  ck_assert_int_eq(c.spy.data, 1);
  ck_assert_uint_eq(c.spy.meta_first, AMF0_STRING);
  ck_assert_uint_eq(c.spy.meta_len, meta->len - 16);
  g_byte_array_unref(meta);

  /* AVC sequence header, a frame 10 KB large, AAC audio. */
  uint8_t *frame = g_malloc0(10000);
  frame[0] = 0x17;
  ck_assert_int_eq(client_send(&c, RTMP_MSG_VIDEO, 1, 0, 6, frame, 5), 0);
  ck_assert_int_eq(client_send(&c, RTMP_MSG_VIDEO, 1, 33, 6, frame, 10000), 0);
  uint8_t aac[8] = {0xaf, 1};
  ck_assert_int_eq(client_send(&c, RTMP_MSG_AUDIO, 1, 40, 4, aac, 8), 0);
  ck_assert_int_eq(c.spy.video, 2);
  ck_assert_int_eq(c.spy.audio, 1);
  ck_assert_uint_eq(c.spy.last_ts, 40);
  g_free(frame);

  ck_assert_int_eq(client_command(&c, 0, "FCUnpublish", 6, "good-key"), 0);
  ck_assert_int_eq(c.spy.unpublished, 1);
  ck_assert(c.spy.clean);
  ck_assert(client_saw(&c, "onStatus:NetStream.Unpublish.Success"));
  ck_assert_int_eq(client_command(&c, 0, "deleteStream", 7, NULL), 0);
  ck_assert_int_eq(c.spy.unpublished, 1); /* not twice */
  client_free(&c);
}
END_TEST

/* The end of a read is passed on to the handler only while publishing, with the publisher. */
START_TEST(input_done_reaches_the_publisher_only)
{
  Client c;
  client_init(&c, false);
  publish_ffmpeg_style(&c, "good-key");
  rtmp_session_input_done(c.s);
  ck_assert_int_eq(c.spy.inputs_done, 0);
  ck_assert_int_eq(client_command(&c, 1, "publish", 5, "good-key"), 0);
  rtmp_session_input_done(c.s);
  ck_assert_int_eq(c.spy.inputs_done, 1);
  ck_assert_ptr_eq(c.spy.last_pub, &token);
  ck_assert_int_eq(client_command(&c, 0, "FCUnpublish", 6, "good-key"), 0);
  rtmp_session_input_done(c.s);
  ck_assert_int_eq(c.spy.inputs_done, 1);
  client_free(&c);
}
END_TEST

START_TEST(dropped_connection_is_an_unclean_unpublish)
{
  Client c;
  client_init(&c, false);
  publish_ffmpeg_style(&c, "good-key");
  ck_assert_int_eq(client_command(&c, 1, "publish", 5, "good-key"), 0);
  rtmp_session_free(&c.s);
  ck_assert_int_eq(c.spy.unpublished, 1);
  ck_assert(!c.spy.clean);
  client_free(&c);
}
END_TEST

START_TEST(bad_key_gets_badname)
{
  Client c;
  client_init(&c, true);
  publish_ffmpeg_style(&c, "nope");
  ck_assert_int_eq(client_command(&c, 1, "publish", 5, "nope?token=1"), -EACCES);
  ck_assert_str_eq(c.spy.last_key, "nope"); /* query cut off */
  ck_assert(client_saw(&c, "onStatus:NetStream.Publish.BadName"));
  ck_assert_int_eq(c.spy.publishes, 0);
  /* Closed: nothing more is taken. */
  uint8_t x = 0;
  ck_assert_int_eq(rtmp_session_feed(c.s, &x, 1), -ECONNRESET);
  client_free(&c);
}
END_TEST

START_TEST(non_h264_video_is_refused)
{
  Client c;
  client_init(&c, true);
  publish_ffmpeg_style(&c, "good-key");
  ck_assert_int_eq(client_command(&c, 1, "publish", 5, "good-key"), 0);
  uint8_t hevc_enhanced[8] = {0x90, 'h', 'v', 'c', '1'};
  ck_assert_int_eq(client_send(&c, RTMP_MSG_VIDEO, 1, 0, 6, hevc_enhanced, 8), -ENOTSUP);
  ck_assert(client_saw(&c, "onStatus:NetStream.Publish.Rejected"));
  ck_assert_int_eq(c.spy.video, 0);
  ck_assert_int_eq(c.spy.unpublished, 1);
  client_free(&c);

  client_init(&c, false);
  publish_ffmpeg_style(&c, "good-key");
  ck_assert_int_eq(client_command(&c, 1, "publish", 5, "good-key"), 0);
  uint8_t vp6[4] = {0x14, 0, 0, 0};
  ck_assert_int_eq(client_send(&c, RTMP_MSG_VIDEO, 1, 0, 6, vp6, 4), -ENOTSUP);
  client_free(&c);
}
END_TEST

START_TEST(wrong_app_and_commands_out_of_order)
{
  Client c;
  client_init(&c, false);
  ck_assert_int_eq(client_command(&c, 0, "connect", 1, "admin"), -EACCES);
  ck_assert(client_saw(&c, "_error:NetConnection.Connect.Rejected"));
  client_free(&c);

  client_init(&c, false);
  ck_assert_int_eq(client_command(&c, 1, "publish", 1, "good-key"), -EBADMSG);
  ck_assert_int_eq(c.spy.publishes, 0);
  client_free(&c);

  client_init(&c, false);
  ck_assert_int_eq(client_command(&c, 0, "connect", 1, "live/"), 0);
  ck_assert_int_eq(client_command(&c, 0, "createStream", 2, NULL), 0);
  ck_assert_int_eq(client_command(&c, 1, "play", 3, "good-key"), -EACCES);
  ck_assert(client_saw(&c, "onStatus:NetStream.Play.Failed"));
  client_free(&c);
}
END_TEST

START_TEST(limits_close_the_connection)
{
  Client c;
  client_init(&c, false);
  ck_assert_int_eq(set_chunk_size(&c, 65537), -E2BIG);
  client_free(&c);

  client_init(&c, false);
  ck_assert_int_eq(client_command(&c, 0, "connect", 1, "live"), 0);
  for (int i = 0; i < RTMP_MAX_STREAMS; i++)
    ck_assert_int_eq(client_command(&c, 0, "createStream", 2 + i, NULL), 0);
  ck_assert_int_eq(client_command(&c, 0, "createStream", 99, NULL), -E2BIG);
  client_free(&c);

  /* A command message over the command limit. */
  client_init(&c, false);
  ck_assert_int_eq(set_chunk_size(&c, 65536), 0);
  uint8_t *big = g_malloc0(RTMP_MAX_COMMAND_BYTES + 1);
  big[0] = AMF0_STRING;
  ck_assert_int_eq(client_send(&c, RTMP_MSG_COMMAND_AMF0, 0, 0, 3, big, RTMP_MAX_COMMAND_BYTES + 1),
                   -E2BIG);
  g_free(big);
  client_free(&c);

  /* Garbage AMF. */
  client_init(&c, false);
  uint8_t junk[5] = {0x11, 0x22, 0x33, 0x44, 0x55};
  ck_assert_int_eq(client_send(&c, RTMP_MSG_COMMAND_AMF0, 0, 0, 3, junk, 5), -EBADMSG);
  client_free(&c);
}
END_TEST

START_TEST(acknowledges_after_a_window)
{
  Client c;
  client_init(&c, false);
  uint8_t w[4] = {0, 0, 0x10, 0}; /* 4096 bytes */
  ck_assert_int_eq(client_send(&c, RTMP_MSG_WINDOW_ACK_SIZE, 0, 0, 2, w, 4), 0);
  ck_assert(!client_saw(&c, "ack"));
  uint8_t pad[5000] = {0};
  ck_assert_int_eq(client_send(&c, 0x30 /* unknown type */, 0, 0, 2, pad, sizeof pad), 0);
  ck_assert(client_saw(&c, "ack"));
  client_free(&c);
}
END_TEST

static Suite *session_suite(void)
{
  Suite *s = suite_create("rtmp_session");
  TCase *tc = tcase_create("rtmp_session");
  tcase_add_test(tc, encoder_publishes_and_unpublishes);
  tcase_add_test(tc, input_done_reaches_the_publisher_only);
  tcase_add_test(tc, dropped_connection_is_an_unclean_unpublish);
  tcase_add_test(tc, bad_key_gets_badname);
  tcase_add_test(tc, non_h264_video_is_refused);
  tcase_add_test(tc, wrong_app_and_commands_out_of_order);
  tcase_add_test(tc, limits_close_the_connection);
  tcase_add_test(tc, acknowledges_after_a_window);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(session_suite)
