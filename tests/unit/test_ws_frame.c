/* Tests for src/http/ws_frame.c: a frame holds its text once behind lws's headroom, is
 * shared by reference, and is freed when the last reference goes (the count of frames
 * alive returns to where it was). Run under ASan too: the headroom is written like lws does. */
#include "http/ws_frame.h"
#include "testutil.h"

#include <libwebsockets.h>
#include <string.h>

START_TEST(text_behind_headroom)
{
  guint64 before = ws_frame_alive();
  WsFrame *f = ws_frame_new(g_strdup("{\"type\":\"chat.batch\"}"), true);
  ck_assert_uint_eq(ws_frame_alive(), before + 1);
  ck_assert_uint_eq(ws_frame_len(f), 21);
  ck_assert(ws_frame_droppable(f));
  ck_assert_str_eq((const char *)ws_frame_text(f), "{\"type\":\"chat.batch\"}");
  /* lws_write puts up to 10 header bytes (and, on h2, a frame header) in the LWS_PRE bytes
   * before the text: they are the frame's own and the text stays as it was. */
  memset(ws_frame_text(f) - LWS_PRE, 0x81, LWS_PRE);
  ck_assert_str_eq((const char *)ws_frame_text(f), "{\"type\":\"chat.batch\"}");
  ws_frame_unref(f);
  ck_assert_uint_eq(ws_frame_alive(), before);

  WsFrame *empty = ws_frame_new(NULL, false);
  ck_assert_uint_eq(ws_frame_len(empty), 0);
  ck_assert(!ws_frame_droppable(empty));
  ck_assert_str_eq((const char *)ws_frame_text(empty), "");
  ws_frame_unref(empty);
  ws_frame_unref(NULL);
  ck_assert_uint_eq(ws_frame_alive(), before);
}
END_TEST

/* Every reference is one holder; the frame lives until the last one lets go. */
START_TEST(shared_until_the_last_reference)
{
  guint64 before = ws_frame_alive();
  WsFrame *f = ws_frame_new(g_strdup("batch"), true);
  WsFrame *holders[1000];
  for (int i = 0; i < 1000; i++)
    holders[i] = ws_frame_ref(f);
  ws_frame_unref(f);
  for (int i = 0; i < 1000; i++) {
    ck_assert_ptr_eq(holders[i], holders[0]);
    ck_assert_uint_eq(ws_frame_alive(), before + 1);
    ck_assert_str_eq((const char *)ws_frame_text(holders[i]), "batch");
    ws_frame_unref(holders[i]);
  }
  ck_assert_uint_eq(ws_frame_alive(), before);
}
END_TEST

/* The frame on the wire (RFC 6455 5.2): FIN + text, unmasked, the length in 7 bits, in 16
 * after 126, in 64 after 127 — each form at its bounds — then the text, unchanged. */
START_TEST(wire_frame_header)
{
  const size_t sizes[] = { 0, 5, 125, 126, 65535, 65536, 70000 };
  for (guint k = 0; k < G_N_ELEMENTS(sizes); k++) {
    size_t n = sizes[k];
    char *text = g_malloc(n + 1);
    memset(text, 'a' + (int)k, n);
    text[n] = '\0';
    WsFrame *f = ws_frame_new(text, true);
    size_t len = 0;
    const unsigned char *w = ws_frame_wire(f, &len);
    size_t head = n < 126 ? 2 : n < 65536 ? 4 : 10;
    ck_assert_uint_eq(len, head + n);
    ck_assert_uint_eq(w[0], 0x81);
    ck_assert_ptr_eq(w + head, ws_frame_text(f));
    guint64 got;
    if (head == 2) {
      got = w[1];
    } else if (head == 4) {
      ck_assert_uint_eq(w[1], 126);
      got = (guint64)w[2] << 8 | w[3];
    } else {
      ck_assert_uint_eq(w[1], 127);
      got = 0;
      for (int i = 0; i < 8; i++)
        got = got << 8 | w[2 + i];
    }
    ck_assert_uint_eq(got, n);
    for (size_t i = 0; i < n; i++)
      ck_assert_int_eq(w[head + i], 'a' + (int)k);
    ws_frame_unref(f);
  }
}
END_TEST

static Suite *ws_frame_suite(void)
{
  Suite *s = suite_create("ws_frame");
  TCase *tc = tcase_create("frame");
  tcase_add_test(tc, text_behind_headroom);
  tcase_add_test(tc, shared_until_the_last_reference);
  tcase_add_test(tc, wire_frame_header);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(ws_frame_suite)
