/* Tests for src/rtmp/rtmp_chunk.c: header types, split and interleaved chunks, extended timestamps, limits. */
#include "rtmp/rtmp_chunk.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static uint8_t *pattern(size_t len, uint8_t seed)
{
  uint8_t *p = g_malloc(len ? len : 1);
  for (size_t i = 0; i < len; i++)
    p[i] = (uint8_t)(i * 7 + seed);
  return p;
}

typedef struct {
  RtmpMessage m;
  uint8_t *copy;
} Got;

/* Reads every message from BYTES feeding STEP bytes at a time. */
static GArray *read_all(RtmpChunkReader *r, const GByteArray *bytes, size_t step, int *err)
{
  GArray *got = g_array_new(FALSE, TRUE, sizeof(Got));
  GByteArray *in = g_byte_array_new();
  size_t fed = 0;
  *err = 0;
  while (fed < bytes->len || in->len) {
    size_t n = MIN(step, bytes->len - fed);
    g_byte_array_append(in, bytes->data + fed, (guint)n);
    fed += n;
    for (;;) {
      RtmpMessage m;
      size_t used = 0;
      int rc = rtmp_chunk_read(r, in->data, in->len, &used, &m);
      g_byte_array_remove_range(in, 0, (guint)used);
      if (rc == -EAGAIN)
        break;
      if (rc < 0) {
        *err = rc;
        g_byte_array_unref(in);
        return got;
      }
      Got g = {.m = m, .copy = g_memdup2(m.payload, m.len ? m.len : 1)};
      g_array_append_val(got, g);
    }
    if (n == 0)
      break;
  }
  g_byte_array_unref(in);
  return got;
}

static void free_got(GArray *got)
{
  for (guint i = 0; i < got->len; i++)
    g_free(g_array_index(got, Got, i).copy);
  g_array_unref(got);
}

START_TEST(round_trip_all_sizes_and_splits)
{
  static const size_t sizes[] = {0, 1, 127, 128, 129, 300, 4096, 70000};
  static const size_t steps[] = {1, 3, 128, 1000, 1 << 20};
  for (size_t si = 0; si < G_N_ELEMENTS(steps); si++) {
    GByteArray *bytes = g_byte_array_new();
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
      uint8_t *p = pattern(sizes[i], (uint8_t)i);
      RtmpMessage m = {.type = RTMP_MSG_VIDEO, .stream_id = 1, .timestamp = 40 * (uint32_t)i,
                       .csid = 6, .payload = p, .len = sizes[i]};
      rtmp_chunk_write(bytes, 128, &m);
      g_free(p);
    }
    RtmpChunkReader *r = rtmp_chunk_reader_new();
    int err;
    GArray *got = read_all(r, bytes, steps[si], &err);
    ck_assert_int_eq(err, 0);
    ck_assert_uint_eq(got->len, G_N_ELEMENTS(sizes));
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
      Got *g = &g_array_index(got, Got, i);
      uint8_t *p = pattern(sizes[i], (uint8_t)i);
      ck_assert_uint_eq(g->m.len, sizes[i]);
      ck_assert_uint_eq(g->m.timestamp, 40 * i);
      ck_assert_uint_eq(g->m.type, RTMP_MSG_VIDEO);
      ck_assert_uint_eq(g->m.stream_id, 1);
      ck_assert(memcmp(g->copy, p, sizes[i]) == 0);
      g_free(p);
    }
    free_got(got);
    rtmp_chunk_reader_free(&r);
    ck_assert_ptr_null(r);
    g_byte_array_unref(bytes);
  }
}
END_TEST

START_TEST(compressed_headers_carry_deltas)
{
  GByteArray *b = g_byte_array_new();
  uint8_t d[10] = {0};
  RtmpMessage m = {.type = RTMP_MSG_AUDIO, .stream_id = 1, .timestamp = 1000, .csid = 4,
                   .payload = d, .len = 10};
  rtmp_chunk_write_fmt(b, 128, &m, 0, 0);        /* 1000 */
  m.len = 5;
  rtmp_chunk_write_fmt(b, 128, &m, 1, 23);       /* 1023, new length */
  rtmp_chunk_write_fmt(b, 128, &m, 2, 21);       /* 1044 */
  rtmp_chunk_write_fmt(b, 128, &m, 3, 0);        /* 1065: fmt 3 repeats the last delta */
  RtmpChunkReader *r = rtmp_chunk_reader_new();
  int err;
  GArray *got = read_all(r, b, 2, &err);
  ck_assert_int_eq(err, 0);
  ck_assert_uint_eq(got->len, 4);
  const uint32_t expect[] = {1000, 1023, 1044, 1065};
  for (int i = 0; i < 4; i++) {
    ck_assert_uint_eq(g_array_index(got, Got, i).m.timestamp, expect[i]);
    ck_assert_uint_eq(g_array_index(got, Got, i).m.len, i == 0 ? 10 : 5);
    ck_assert_uint_eq(g_array_index(got, Got, i).m.stream_id, 1);
  }
  free_got(got);
  rtmp_chunk_reader_free(&r);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(interleaved_chunk_streams)
{
  /* Audio on csid 4 and video on csid 6, their chunks alternating. */
  GByteArray *va = g_byte_array_new(), *aa = g_byte_array_new();
  uint8_t *vp = pattern(300, 1), *ap = pattern(200, 2);
  RtmpMessage v = {.type = RTMP_MSG_VIDEO, .stream_id = 1, .timestamp = 33, .csid = 6,
                   .payload = vp, .len = 300};
  RtmpMessage a = {.type = RTMP_MSG_AUDIO, .stream_id = 1, .timestamp = 21, .csid = 4,
                   .payload = ap, .len = 200};
  rtmp_chunk_write(va, 128, &v); /* 12+128, 1+128, 1+44 */
  rtmp_chunk_write(aa, 128, &a); /* 12+128, 1+72 */
  GByteArray *b = g_byte_array_new();
  g_byte_array_append(b, va->data, 140);
  g_byte_array_append(b, aa->data, 140);
  g_byte_array_append(b, va->data + 140, 129);
  g_byte_array_append(b, aa->data + 140, 73);
  g_byte_array_append(b, va->data + 269, va->len - 269);
  RtmpChunkReader *r = rtmp_chunk_reader_new();
  int err;
  GArray *got = read_all(r, b, 5, &err);
  ck_assert_int_eq(err, 0);
  ck_assert_uint_eq(got->len, 2);
  Got *g0 = &g_array_index(got, Got, 0), *g1 = &g_array_index(got, Got, 1);
  ck_assert_uint_eq(g0->m.type, RTMP_MSG_AUDIO);
  ck_assert_uint_eq(g0->m.timestamp, 21);
  ck_assert(memcmp(g0->copy, ap, 200) == 0);
  ck_assert_uint_eq(g1->m.type, RTMP_MSG_VIDEO);
  ck_assert(memcmp(g1->copy, vp, 300) == 0);
  free_got(got);
  rtmp_chunk_reader_free(&r);
  g_free(vp);
  g_free(ap);
  g_byte_array_unref(va);
  g_byte_array_unref(aa);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(extended_timestamps_on_every_chunk)
{
  GByteArray *b = g_byte_array_new();
  uint8_t *p = pattern(400, 3);
  RtmpMessage m = {.type = RTMP_MSG_VIDEO, .stream_id = 1, .timestamp = 0x01000000u + 5,
                   .csid = 6, .payload = p, .len = 400};
  rtmp_chunk_write(b, 128, &m);
  /* Header 12 bytes: field 0xFFFFFF; then 4 ext bytes; continuations repeat them. */
  ck_assert_uint_eq(b->data[1], 0xff);
  ck_assert_uint_eq(b->len, 12 + 4 + 400 + 3 * (1 + 4));
  m.timestamp = 0xfffffff0u; /* near the 32-bit wrap */
  rtmp_chunk_write(b, 128, &m);
  RtmpChunkReader *r = rtmp_chunk_reader_new();
  int err;
  GArray *got = read_all(r, b, 7, &err);
  ck_assert_int_eq(err, 0);
  ck_assert_uint_eq(got->len, 2);
  ck_assert_uint_eq(g_array_index(got, Got, 0).m.timestamp, 0x01000005u);
  ck_assert_uint_eq(g_array_index(got, Got, 1).m.timestamp, 0xfffffff0u);
  ck_assert(memcmp(g_array_index(got, Got, 1).copy, p, 400) == 0);
  free_got(got);
  rtmp_chunk_reader_free(&r);
  g_free(p);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(chunk_size_change_mid_stream)
{
  GByteArray *b = g_byte_array_new();
  uint8_t *p = pattern(10000, 4);
  RtmpMessage m = {.type = RTMP_MSG_VIDEO, .stream_id = 1, .timestamp = 0, .csid = 6,
                   .payload = p, .len = 10000};
  rtmp_chunk_write(b, 128, &m);
  size_t first = b->len;
  m.timestamp = 40;
  rtmp_chunk_write(b, 4096, &m);
  RtmpChunkReader *r = rtmp_chunk_reader_new();
  RtmpMessage got;
  size_t used = 0;
  ck_assert_int_eq(rtmp_chunk_read(r, b->data, b->len, &used, &got), 0);
  ck_assert_uint_eq(used, first);
  ck_assert_int_eq(rtmp_chunk_reader_set_chunk_size(r, 4096), 0);
  size_t used2 = 0;
  ck_assert_int_eq(rtmp_chunk_read(r, b->data + used, b->len - used, &used2, &got), 0);
  ck_assert_uint_eq(used + used2, b->len);
  ck_assert_uint_eq(got.timestamp, 40);
  ck_assert(memcmp(got.payload, p, 10000) == 0);
  /* Up to 64 KiB is accepted; more, zero and the top bit are not. */
  ck_assert_int_eq(rtmp_chunk_reader_set_chunk_size(r, 65536), 0);
  ck_assert_int_eq(rtmp_chunk_reader_set_chunk_size(r, 65537), -E2BIG);
  ck_assert_int_eq(rtmp_chunk_reader_set_chunk_size(r, 0), -EINVAL);
  ck_assert_int_eq(rtmp_chunk_reader_set_chunk_size(r, 0x80000080u), -EINVAL);
  rtmp_chunk_reader_free(&r);
  g_free(p);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(large_chunk_stream_ids)
{
  GByteArray *b = g_byte_array_new();
  uint8_t d[3] = {1, 2, 3};
  const uint32_t ids[] = {2, 63, 64, 319, 320, 65599};
  for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
    RtmpMessage m = {.type = RTMP_MSG_AUDIO, .stream_id = 1, .timestamp = (uint32_t)i,
                     .csid = ids[i], .payload = d, .len = 3};
    rtmp_chunk_write(b, 128, &m);
  }
  RtmpChunkReader *r = rtmp_chunk_reader_new();
  int err;
  GArray *got = read_all(r, b, 1, &err);
  ck_assert_int_eq(err, 0);
  ck_assert_uint_eq(got->len, G_N_ELEMENTS(ids));
  for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
    ck_assert_uint_eq(g_array_index(got, Got, i).m.csid, ids[i]);
  free_got(got);
  rtmp_chunk_reader_free(&r);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(limits_and_malformed_chunks)
{
  RtmpChunkReader *r = rtmp_chunk_reader_new();
  RtmpMessage m;
  size_t used;
  /* A type-3 chunk on a chunk stream never seen. */
  const uint8_t orphan[] = {0xc5, 1, 2, 3};
  ck_assert_int_eq(rtmp_chunk_read(r, orphan, sizeof orphan, &used, &m), -EBADMSG);
  /* A message length over the limit. */
  const uint8_t huge[] = {0x06, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0};
  ck_assert_int_eq(rtmp_chunk_read(r, huge, sizeof huge, &used, &m), -E2BIG);
  rtmp_chunk_reader_free(&r);

  /* A new full header while a message is half read. */
  r = rtmp_chunk_reader_new();
  GByteArray *b = g_byte_array_new();
  uint8_t *p = pattern(300, 5);
  RtmpMessage big = {.type = 9, .stream_id = 1, .csid = 6, .payload = p, .len = 300};
  rtmp_chunk_write(b, 128, &big);
  g_byte_array_set_size(b, 140);
  rtmp_chunk_write(b, 128, &big);
  int err;
  GArray *got = read_all(r, b, 1000, &err);
  ck_assert_int_eq(err, -EBADMSG);
  free_got(got);
  rtmp_chunk_reader_free(&r);
  g_byte_array_unref(b);
  g_free(p);

  /* Too many chunk streams. */
  r = rtmp_chunk_reader_new();
  b = g_byte_array_new();
  uint8_t d = 0;
  for (uint32_t id = 3; id < 3 + RTMP_MAX_CHUNK_STREAMS + 1; id++) {
    RtmpMessage one = {.type = 8, .stream_id = 1, .csid = id, .payload = &d, .len = 1};
    rtmp_chunk_write(b, 128, &one);
  }
  got = read_all(r, b, 1 << 20, &err);
  ck_assert_int_eq(err, -EMFILE);
  ck_assert_uint_eq(got->len, RTMP_MAX_CHUNK_STREAMS);
  free_got(got);
  rtmp_chunk_reader_free(&r);
  g_byte_array_unref(b);
}
END_TEST

START_TEST(random_bytes_never_crash)
{
  GRand *rnd = g_rand_new_with_seed(42);
  uint8_t buf[2048];
  for (int round = 0; round < 5000; round++) {
    RtmpChunkReader *r = rtmp_chunk_reader_new();
    size_t len = g_rand_int_range(rnd, 1, sizeof buf);
    for (size_t i = 0; i < len; i++)
      buf[i] = (uint8_t)g_rand_int(rnd);
    size_t off = 0;
    for (;;) {
      RtmpMessage m;
      size_t used = 0;
      int rc = rtmp_chunk_read(r, buf + off, len - off, &used, &m);
      ck_assert(rc == 0 || rc == -EAGAIN || rc == -EBADMSG || rc == -E2BIG || rc == -EMFILE);
      off += used;
      ck_assert_uint_le(off, len);
      if (rc != 0)
        break;
    }
    rtmp_chunk_reader_free(&r);
  }
  g_rand_free(rnd);
}
END_TEST

static Suite *chunk_suite(void)
{
  Suite *s = suite_create("rtmp_chunk");
  TCase *tc = tcase_create("rtmp_chunk");
  tcase_add_test(tc, round_trip_all_sizes_and_splits);
  tcase_add_test(tc, compressed_headers_carry_deltas);
  tcase_add_test(tc, interleaved_chunk_streams);
  tcase_add_test(tc, extended_timestamps_on_every_chunk);
  tcase_add_test(tc, chunk_size_change_mid_stream);
  tcase_add_test(tc, large_chunk_stream_ids);
  tcase_add_test(tc, limits_and_malformed_chunks);
  tcase_add_test(tc, random_bytes_never_crash);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(chunk_suite)
