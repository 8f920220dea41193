/* Tests for src/chat/chat_replay.c: live time to media time through the segments' dates (the
 * delay before the first frame, a reconnect's gap, the end, undated recordings, a clock stepping
 * back), the replay read (deleted and held messages left out, order), windows and their pages,
 * likes per window, and the cache (time to live, forgetting, eviction). */
#include "chat/chat_replay.h"
#include "db/db_chat.h"
#include "db_fixture.h"
#include "testutil.h"

#include <errno.h>
#include <math.h>

/* A fixed instant: the mapping is arithmetic on dates, whatever day it runs. */
#define S 1700000000

/* 3 s from going on air to the first frame; five 2 s segments; a 20 s reconnect gap; five more. */
static ChatReplayMap *two_parts(void)
{
  ChatReplaySegment segs[10];
  for (int i = 0; i < 10; i++)
    segs[i] = (ChatReplaySegment){ (gint64)(S + 3 + 2 * i + (i >= 5 ? 20 : 0)) * 1000, 2.0 };
  ChatReplayMap *m = NULL;
  ck_assert_int_eq(chat_replay_map_new(segs, 10, S, &m), 0);
  return m;
}

#define near(a, b) ck_assert_msg(fabs((a) - (b)) < 1e-6, "%f != %f", (double)(a), (double)(b))

START_TEST(map_dates)
{
  ChatReplayMap *m = two_parts();
  near(chat_replay_map_duration(m), 20);
  near(chat_replay_media_time(m, 0), 0);      /* before the first frame */
  near(chat_replay_media_time(m, 2.9), 0);
  near(chat_replay_media_time(m, 4), 1);      /* 1 s into the first segment */
  near(chat_replay_media_time(m, 12.5), 9.5);
  near(chat_replay_media_time(m, 13), 10);    /* the gap: shown as the presenter comes back */
  near(chat_replay_media_time(m, 25), 10);
  near(chat_replay_media_time(m, 33), 10);
  near(chat_replay_media_time(m, 34.5), 11.5);
  near(chat_replay_media_time(m, 42.9), 19.9);
  near(chat_replay_media_time(m, 500), 20);   /* after the end */
  double prev = -1;
  for (double t = 0; t < 60; t += 0.1) {
    double x = chat_replay_media_time(m, t);
    ck_assert(x >= prev);
    prev = x;
  }
  chat_replay_map_free(&m);
  ck_assert_ptr_null(m);
}
END_TEST

START_TEST(map_undated_and_bad)
{
  ChatReplaySegment segs[3] = { { 0, 4 }, { 0, 4 }, { 0, 2 } };
  ChatReplayMap *m = NULL;
  ck_assert_int_eq(chat_replay_map_new(segs, 0, S, &m), -EINVAL);
  segs[1].duration = -1;
  ck_assert_int_eq(chat_replay_map_new(segs, 3, S, &m), -EINVAL);
  segs[1].duration = 4;
  ck_assert_int_eq(chat_replay_map_new(segs, 3, S, &m), 0);
  near(chat_replay_media_time(m, 7.5), 7.5); /* no dates: media time is live time */
  near(chat_replay_media_time(m, 99), 10);
  chat_replay_map_free(&m);
  /* A clock stepping back a second at the third segment: never backwards. */
  ChatReplaySegment back[3] = { { (S + 1) * 1000LL, 2 }, { (S + 3) * 1000LL, 2 }, { (S + 2) * 1000LL, 2 } };
  ck_assert_int_eq(chat_replay_map_new(back, 3, S, &m), 0);
  ck_assert(chat_replay_media_time(m, 3.5) <= chat_replay_media_time(m, 4.5));
  near(chat_replay_media_time(m, 2.5), 1.5);
  chat_replay_map_free(&m);
}
END_TEST

static char *dir, *vod, *live;
static Db *db;

static void setup(void)
{
  db = tu_db_open(&dir);
  tu_db_watchable(db, &vod, &live);
}

static void teardown(void)
{
  tu_db_close(&db, &dir);
  g_free(vod);
  g_free(live);
}

static gint64 post(const char *text, double t, bool held)
{
  ChatMessage m = { .video = live, .member = "m1", .text = (char *)text, .live_time = t, .created_at = 1,
                    .held = held };
  ck_assert_int_eq(db_chat_message_insert(db, &m), 0);
  return m.id;
}

/* A question at live time T in STATE (stored as the Q&A service leaves it). */
static gint64 ask(const char *text, double t, const char *state, const char *answer)
{
  sqlite3_stmt *st = db_prepare(db, "INSERT INTO qa_question (video_id, member_id, text, live_time, created_at, "
                                    "state, votes, answer) VALUES (?1, 'm1', ?2, ?3, 1, ?4, 3, ?5) RETURNING id");
  sqlite3_bind_text(st, 1, live, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
  sqlite3_bind_double(st, 3, t);
  sqlite3_bind_text(st, 4, state, -1, SQLITE_STATIC);
  if (answer)
    sqlite3_bind_text(st, 5, answer, -1, SQLITE_STATIC);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  gint64 id = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return id;
}

/* Questions replay at their media time: open and answered ones (live or in text, with the
 * answer); pending ones never approved and dismissed ones never. */
START_TEST(questions_replayed)
{
  gint64 open = ask("问一", 4, "open", NULL), live_ans = ask("问二", 34.5, "answered_live", NULL);
  gint64 text_ans = ask("问三", 12.5, "answered", "书面回答");
  ask("待审", 5, "pending", NULL);
  ask("驳回", 6, "dismissed", NULL);
  ChatReplayMap *m = two_parts();
  ChatReplay *r = NULL;
  ck_assert_int_eq(chat_replay_load(db, live, m, &r), 0);
  chat_replay_map_free(&m);
  const ChatReplayQuestion *q = NULL;
  guint n = 0;
  chat_replay_questions_window(r, 0, 60, &q, &n);
  ck_assert_uint_eq(n, 3);
  ck_assert_int_eq(q[0].said.id, open);
  near(q[0].said.media_time, 1);
  ck_assert_str_eq(q[0].said.text, "问一");
  ck_assert_int_eq(q[0].votes, 3);
  ck_assert(!q[0].answered_live);
  ck_assert_ptr_null(q[0].answer);
  ck_assert_int_eq(q[1].said.id, text_ans);
  near(q[1].said.media_time, 9.5);
  ck_assert_str_eq(q[1].answer, "书面回答");
  ck_assert_int_eq(q[2].said.id, live_ans);
  ck_assert(q[2].answered_live);
  chat_replay_questions_window(r, 2, 9, &q, &n);
  ck_assert_uint_eq(n, 0);
  chat_replay_questions_window(r, 9, 10, &q, &n);
  ck_assert_uint_eq(n, 1);
  ck_assert_int_eq(q[0].said.id, text_ans);
  chat_replay_free(r);
}
END_TEST

START_TEST(load_and_windows)
{
  /* Posted out of order in time; one deleted, one held and never released, one released. */
  gint64 a = post("a", 4, false), b = post("b", 12.5, false), c = post("c", 20, false);
  gint64 gone = post("gone", 5, false), held = post("held", 6, true), later = post("later", 7, true);
  gint64 d = post("d", 34.5, false), e = post("e", 4, false);
  ck_assert_int_eq(db_chat_message_delete(db, live, gone, "e1", 9), 0);
  ck_assert_int_eq(db_chat_message_release(db, later), 0);
  ck_assert_int_eq(db_chat_likes_add(db, live, 0, 5), 0);  /* live 0-10 s: media 0 */
  ck_assert_int_eq(db_chat_likes_add(db, live, 2, 7), 0);  /* live 20 s: the gap, media 10 */
  ck_assert_int_eq(db_chat_likes_add(db, live, 3, 1), 0);  /* live 30 s: media 10 */
  ChatReplayMap *m = two_parts();
  ChatReplay *r = NULL;
  ck_assert_int_eq(chat_replay_load(db, live, m, &r), 0);
  chat_replay_map_free(&m);

  /* a, e (both 1 s; by id), later (4 s), b (9.5 s), c (10 s: the gap), d (11.5 s). */
  gint64 want[] = { a, e, later, b, c, d };
  double at[] = { 1, 1, 4, 9.5, 10, 11.5 };
  ck_assert_uint_eq(chat_replay_count(r), 6);
  for (guint i = 0; i < 6; i++) {
    ck_assert_int_eq(chat_replay_message(r, i)->id, want[i]);
    near(chat_replay_message(r, i)->media_time, at[i]);
    ck_assert_int_ne(chat_replay_message(r, i)->id, gone);
    ck_assert_int_ne(chat_replay_message(r, i)->id, held);
  }
  ck_assert_str_eq(chat_replay_message(r, 0)->text, "a");
  ck_assert_ptr_null(chat_replay_message(r, 6));
  ck_assert_int_eq(chat_replay_likes_total(r), 13);

  /* The window [0, 10): a, e, later, b — in pages of 3, then 1. */
  guint first, n;
  bool more;
  ck_assert_int_eq(chat_replay_window(r, 0, 10, 0, 3, &first, &n, &more), 0);
  ck_assert_uint_eq(first, 0);
  ck_assert_uint_eq(n, 3);
  ck_assert(more);
  ck_assert_int_eq(chat_replay_window(r, 0, 10, chat_replay_message(r, first + n - 1)->id, 3, &first, &n, &more), 0);
  ck_assert_uint_eq(first, 3);
  ck_assert_uint_eq(n, 1);
  ck_assert_int_eq(chat_replay_message(r, first)->id, b);
  ck_assert(!more);
  /* Seeking forwards, backwards; an empty window; an AFTER not in the window. */
  ck_assert_int_eq(chat_replay_window(r, 10, 20, 0, 100, &first, &n, &more), 0);
  ck_assert_uint_eq(n, 2);
  ck_assert_int_eq(chat_replay_message(r, first)->id, c);
  ck_assert_int_eq(chat_replay_window(r, 2, 5, 0, 100, &first, &n, &more), 0);
  ck_assert_uint_eq(n, 1);
  ck_assert_int_eq(chat_replay_message(r, first)->id, later);
  ck_assert_int_eq(chat_replay_window(r, 15, 20, 0, 100, &first, &n, &more), 0);
  ck_assert_uint_eq(n, 0);
  ck_assert(!more);
  ck_assert_int_eq(chat_replay_window(r, 10, 20, a, 100, &first, &n, &more), -ENOENT);

  const ChatReplayLikes *l;
  chat_replay_likes_window(r, 0, 10, &l, &n);
  ck_assert_uint_eq(n, 1);
  ck_assert_int_eq(l[0].count, 5);
  chat_replay_likes_window(r, 10, 20, &l, &n);
  ck_assert_uint_eq(n, 2);
  near(l[0].media_time, 10);
  ck_assert_int_eq(l[0].count + l[1].count, 8);
  chat_replay_likes_window(r, 12, 20, &l, &n);
  ck_assert_uint_eq(n, 0);
  ck_assert_int_eq(chat_replay_likes_before(r, 0), 0);
  ck_assert_int_eq(chat_replay_likes_before(r, 10), 5);
  ck_assert_int_eq(chat_replay_likes_before(r, 10.5), 13);
  ck_assert_int_eq(chat_replay_likes_before(r, 1e9), chat_replay_likes_total(r));
  chat_replay_free(r);
}
END_TEST

START_TEST(cache)
{
  ChatReplayMap *m = two_parts();
  ChatReplayCache *c = chat_replay_cache_new(2, 60);
  ChatReplay *r[3];
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(chat_replay_load(db, live, m, &r[i]), 0);
  chat_replay_map_free(&m);
  ck_assert_ptr_null(chat_replay_cache_get(c, "x", 100));
  chat_replay_cache_put(c, "x", r[0], 100);
  chat_replay_cache_put(c, "y", r[1], 110);
  ck_assert_ptr_eq(chat_replay_cache_get(c, "x", 159), r[0]);
  ck_assert_ptr_null(chat_replay_cache_get(c, "x", 160)); /* its time to live is over */
  chat_replay_cache_forget(c, "x");                        /* already gone: no harm */
  chat_replay_cache_put(c, "z", r[2], 120);                /* full (y, z): fine */
  ck_assert_ptr_eq(chat_replay_cache_get(c, "y", 121), r[1]);
  ck_assert_ptr_eq(chat_replay_cache_get(c, "z", 121), r[2]);
  chat_replay_cache_forget(c, "y");
  ck_assert_ptr_null(chat_replay_cache_get(c, "y", 121));
  chat_replay_cache_forget(c, NULL);
  ck_assert_ptr_null(chat_replay_cache_get(c, "z", 121));
  chat_replay_cache_count_read(c, 4);
  ChatReplayStats st;
  chat_replay_cache_stats(c, &st);
  ck_assert_uint_eq(st.reads, 1);
  ck_assert_uint_eq(st.items, 4);
  ck_assert_uint_eq(st.videos, 0);
  ck_assert_uint_eq(st.hits, 3);
  chat_replay_cache_free(&c);
  ck_assert_ptr_null(c);
}
END_TEST

START_TEST(cache_evicts_oldest)
{
  ChatReplayMap *m = two_parts();
  ChatReplayCache *c = chat_replay_cache_new(2, 600);
  ChatReplay *r[3];
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(chat_replay_load(db, live, m, &r[i]), 0);
  chat_replay_map_free(&m);
  chat_replay_cache_put(c, "a", r[0], 100);
  chat_replay_cache_put(c, "b", r[1], 90);
  chat_replay_cache_put(c, "c", r[2], 110);  /* b was kept longest ago: it goes */
  ck_assert_ptr_null(chat_replay_cache_get(c, "b", 111));
  ck_assert_ptr_eq(chat_replay_cache_get(c, "a", 111), r[0]);
  ck_assert_ptr_eq(chat_replay_cache_get(c, "c", 111), r[2]);
  chat_replay_cache_free(&c);
}
END_TEST

static Suite *suite(void)
{
  Suite *s = suite_create("chat_replay");
  TCase *pure = tcase_create("map");
  tcase_add_test(pure, map_dates);
  tcase_add_test(pure, map_undated_and_bad);
  suite_add_tcase(s, pure);
  TCase *tc = tcase_create("replay");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, load_and_windows);
  tcase_add_test(tc, questions_replayed);
  tcase_add_test(tc, cache);
  tcase_add_test(tc, cache_evicts_oldest);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(suite)
