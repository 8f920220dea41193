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

static Suite *ws_frame_suite(void)
{
  Suite *s = suite_create("ws_frame");
  TCase *tc = tcase_create("frame");
  tcase_add_test(tc, text_behind_headroom);
  tcase_add_test(tc, shared_until_the_last_reference);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(ws_frame_suite)
