/* Tests for src/chat/qa_service.c without a socket: a real SQLite database, a clock the test
 * moves, and a QaIo that records what the service says. Who may ask and upvote, upvotes
 * once per member and never one's own, the order by votes, pre-moderation (pending questions
 * only to moderators until approved), the chat's rate limit, word filter, mutes and bans on
 * asking, duplicates and the cap, decisions handed in from the API, and the batching. */
#include "auth/auth.h"
#include "chat/qa_service.h"
#include "db/db_chat.h"
#include "db/db_qa.h"
#include "db_fixture.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static Config config;
static QaService *s;
static GPtrArray *said;
static gint64 clock_us;
static char *vod, *live;
static Member *viewer_a, *viewer_b, *unverified, *editor;
static const guint8 key[TOKEN_SECRET_LEN] = { 9 };

enum { GUEST = 1, A = 2, B = 3, UNVERIFIED = 4, EDITOR = 5 };

static gint64 fake_now(void *user)
{
  (void)user;
  return clock_us;
}

static void add_questions(GString *line, const GPtrArray *qs)
{
  for (guint i = 0; qs && i < qs->len; i++) {
    QaQuestion *q = qs->pdata[i];
    g_string_append_printf(line, " \"%s\"/%s/%" G_GINT64_FORMAT "%s", q->text, qa_state_name(q->state), q->votes,
                           q->pinned ? "/pinned" : "");
  }
}

static void io_joined(void *user, guint64 conn, const QaJoined *j)
{
  (void)user;
  GString *line = g_string_new(NULL);
  g_string_append_printf(line, "joined %" G_GUINT64_FORMAT " ask=%s%s voted=%u", conn,
                         j->can_ask ? j->can_ask : "yes", j->moderator ? " moderator" : "", j->voted->len);
  add_questions(line, j->questions);
  g_ptr_array_add(said, g_string_free(line, FALSE));
}

static void io_batch(void *user, const QaBatch *b, const guint64 *conns, guint n)
{
  (void)user;
  GString *line = g_string_new("batch");
  add_questions(line, b->questions);
  for (guint i = 0; b->removed && i < b->removed->len; i++)
    g_string_append_printf(line, " -%" G_GINT64_FORMAT, g_array_index(b->removed, gint64, i));
  if (b->premoderate >= 0)
    g_string_append_printf(line, " premoderate=%d", b->premoderate);
  GArray *ids = g_array_new(FALSE, FALSE, sizeof(guint64));
  g_array_append_vals(ids, conns, n);
  for (guint i = 0; i < ids->len; i++)
    for (guint k = i + 1; k < ids->len; k++)
      if (g_array_index(ids, guint64, k) < g_array_index(ids, guint64, i)) {
        guint64 t = g_array_index(ids, guint64, i);
        g_array_index(ids, guint64, i) = g_array_index(ids, guint64, k);
        g_array_index(ids, guint64, k) = t;
      }
  g_string_append(line, " to");
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf(line, " %" G_GUINT64_FORMAT, g_array_index(ids, guint64, i));
  g_array_unref(ids);
  g_ptr_array_add(said, g_string_free(line, FALSE));
}

static void io_error(void *user, guint64 conn, const char *code, const char *message)
{
  (void)user;
  ck_assert(message && message[0]);
  g_ptr_array_add(said, g_strdup_printf("error %" G_GUINT64_FORMAT " %s", conn, code));
}

static char *heard(void)
{
  g_ptr_array_add(said, NULL);
  char *all = g_strjoinv("; ", (char **)said->pdata);
  g_ptr_array_set_size(said, 0);
  return all;
}

#define HEARD(want)                                                    \
  do {                                                                 \
    char *got_ = heard();                                              \
    ck_assert_msg(strcmp(got_, want) == 0, "heard \"%s\", want \"%s\"", got_, want); \
    g_free(got_);                                                      \
  } while (0)

static Member *member(const char *name, Role role, bool verified)
{
  Member *m = NULL;
  char *t = NULL;
  ck_assert_int_eq(auth_member_create(db, key, name, role, verified, &m, &t), 0);
  g_free(t);
  return m;
}

static void join(guint64 conn, const Member *m)
{
  ChatWho who = { .member = m ? m->id : NULL, .name = m ? m->display_name : NULL,
                  .role = m ? m->role : ROLE_VIEWER, .verified = m && m->real_name_verified };
  qa_service_join(s, conn, &who, live);
}

static void ask(guint64 conn, const char *text)
{
  qa_service_ask(s, conn, live, text);
}

static gint64 question_id(const char *text)
{
  sqlite3_stmt *st = db_prepare(db, "SELECT id FROM qa_question WHERE text = ?1");
  sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  gint64 id = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return id;
}

static gint64 count(const char *sql)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  gint64 n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

/* What the API does for a decision: apply, store, hand to the service. */
static void decide(const char *text, QaAction a, const char *answer)
{
  QaQuestion *q = NULL;
  ck_assert_int_eq(db_qa_question_get(db, question_id(text), &q), 0);
  const char *why = NULL;
  ck_assert_int_eq(qa_apply(q, a, answer, NULL, &why), 0);
  ck_assert_int_eq(db_qa_question_update(db, q, editor->id, clock_us / G_USEC_PER_SEC), 0);
  qa_service_changed(s, q);
  qa_question_free(q);
}

static void setup(void)
{
  db = tu_db_open(&dir);
  ck_assert_int_eq(config_init_defaults(&config), 0);
  tu_db_watchable(db, &vod, &live);
  viewer_a = member("甲", ROLE_VIEWER, true);
  viewer_b = member("乙", ROLE_VIEWER, true);
  unverified = member("丙", ROLE_VIEWER, false);
  editor = member("编辑", ROLE_EDITOR, true);
  said = g_ptr_array_new_with_free_func(g_free);
  clock_us = g_get_real_time();
  QaIo io = { .joined = io_joined, .batch = io_batch, .error = io_error };
  s = qa_service_new(db, &config, &io);
  qa_service_stop_timer(s);
  qa_service_set_clock(s, fake_now, NULL);
  join(GUEST, NULL);
  join(A, viewer_a);
  join(B, viewer_b);
  join(UNVERIFIED, unverified);
  join(EDITOR, editor);
  HEARD("joined 1 ask=sign_in_required voted=0; joined 2 ask=yes voted=0; joined 3 ask=yes voted=0; "
        "joined 4 ask=not_verified voted=0; joined 5 ask=yes moderator voted=0");
}

static void teardown(void)
{
  qa_service_free(&s);
  g_ptr_array_unref(said);
  member_free(&viewer_a);
  member_free(&viewer_b);
  member_free(&unverified);
  member_free(&editor);
  config_clear(&config);
  tu_db_close(&db, &dir);
  g_free(vod);
  g_free(live);
}

/* Guests and unverified members read; verified members ask; one batch per tick. */
START_TEST(asking_and_batching)
{
  ask(GUEST, "guest?");
  ask(UNVERIFIED, "unverified?");
  HEARD("error 1 sign_in_required; error 4 not_verified");
  ask(A, "第一问");
  ask(B, "<b>第二问</b>");
  HEARD("");
  ck_assert_int_eq(count("SELECT count(*) FROM qa_question WHERE state = 'open'"), 2);
  qa_service_tick(s);
  HEARD("batch \"第一问\"/open/0 \"<b>第二问</b>\"/open/0 to 1 2 3 4; "
        "batch \"第一问\"/open/0 \"<b>第二问</b>\"/open/0 to 5");
  qa_service_tick(s);
  HEARD("");
  /* Bad text: empty, too long, control characters; a duplicate. */
  clock_us += 10 * G_USEC_PER_SEC;
  ask(A, "   ");
  char *big = g_strnfill(201, 'x');
  ask(A, big);
  g_free(big);
  clock_us += 10 * G_USEC_PER_SEC;
  ask(A, "a\x01" "b");
  ask(A, "第 一 问！");
  HEARD("error 2 invalid_field; error 2 too_long; error 2 invalid_field; error 2 duplicate");
}
END_TEST

/* Upvotes: once per member and question, never one's own, guests and unverified refused;
 * the listing sorts by votes; a newcomer is told what they upvoted. Stored at the tick. */
START_TEST(upvotes_once_and_order)
{
  ask(A, "甲问");
  ask(B, "乙问");
  qa_service_tick(s);
  g_free(heard());
  gint64 qa = question_id("甲问"), qb = question_id("乙问");
  qa_service_vote(s, A, live, qa);
  qa_service_vote(s, GUEST, live, qb);
  qa_service_vote(s, UNVERIFIED, live, qb);
  qa_service_vote(s, A, live, qb);
  qa_service_vote(s, A, live, qb);
  qa_service_vote(s, EDITOR, live, qb);
  qa_service_vote(s, A, live, 999);
  HEARD("error 2 own_question; error 1 sign_in_required; error 4 not_verified; error 2 already_voted; "
        "error 2 not_found");
  ck_assert_int_eq(count("SELECT count(*) FROM qa_vote"), 0);
  qa_service_tick(s);
  HEARD("batch \"乙问\"/open/2 to 1 2 3 4; batch \"乙问\"/open/2 to 5");
  ck_assert_int_eq(count("SELECT votes FROM qa_question WHERE text = '乙问'"), 2);
  ck_assert_int_eq(count("SELECT count(*) FROM qa_vote"), 2);
  /* Most votes first, for a newcomer too; the room read again from the database knows the
   * votes (A upvoted 乙问 already). */
  qa_service_leave(s, GUEST);
  qa_service_leave(s, A);
  qa_service_leave(s, B);
  qa_service_leave(s, UNVERIFIED);
  qa_service_leave(s, EDITOR);
  qa_service_tick(s); /* the empty room lets go */
  join(A, viewer_a);
  HEARD("joined 2 ask=yes voted=1 \"乙问\"/open/2 \"甲问\"/open/0");
  qa_service_vote(s, A, live, qb);
  HEARD("error 2 already_voted");
}
END_TEST

/* A connection that fell behind (its batches dropped by the transport) gets its joined
 * message again as of now: the questions with their votes, its own votes; none in no room. */
START_TEST(resync_after_falling_behind)
{
  ask(A, "甲问");
  qa_service_tick(s);
  g_free(heard());
  qa_service_vote(s, B, live, question_id("甲问"));
  qa_service_tick(s);
  g_free(heard());
  qa_service_resync(s, B);
  HEARD("joined 3 ask=yes voted=1 \"甲问\"/open/1");
  qa_service_leave(s, GUEST);
  qa_service_resync(s, GUEST);
  qa_service_resync(s, 77);
  HEARD("");
}
END_TEST

/* Pre-moderation: a question waits (only moderators see it) until approved; a dismissed
 * question leaves every screen; answered live pins it, answered ones sink below open ones. */
START_TEST(premoderation_and_decisions)
{
  ck_assert_int_eq(db_qa_settings_put(db, live, true, editor->id, 1), 0);
  qa_service_settings_changed(s, live);
  qa_service_tick(s);
  HEARD("batch premoderate=1 to 1 2 3 4; batch premoderate=1 to 5");
  ask(A, "待审");
  ask(EDITOR, "编辑问"); /* moderators' questions are not held */
  qa_service_tick(s);
  HEARD("batch \"编辑问\"/open/0 to 1 2 3 4; batch \"待审\"/pending/0 \"编辑问\"/open/0 to 5");
  qa_service_vote(s, B, live, question_id("待审"));
  HEARD("error 3 not_found");
  decide("待审", QA_APPROVE, NULL);
  qa_service_tick(s);
  HEARD("batch \"待审\"/open/0 to 1 2 3 4; batch \"待审\"/open/0 to 5");
  decide("待审", QA_ANSWER_LIVE, NULL);
  qa_service_tick(s);
  HEARD("batch \"待审\"/answered_live/0/pinned to 1 2 3 4; batch \"待审\"/answered_live/0/pinned to 5");
  decide("编辑问", QA_DISMISS, NULL);
  qa_service_tick(s);
  gint64 id = question_id("编辑问");
  g_autofree char *want = g_strdup_printf("batch -%" G_GINT64_FORMAT " to 1 2 3 4; batch \"编辑问\"/dismissed/0 -%"
                                          G_GINT64_FORMAT " to 5", id, id);
  HEARD(want);
  join(B, viewer_b);
  HEARD("joined 3 ask=yes voted=0 \"待审\"/answered_live/0/pinned");
}
END_TEST

/* The chat's rate limit, word list, mutes and bans apply to asking; bans to upvoting. */
START_TEST(chat_rules_apply)
{
  ask(A, "一");
  ask(A, "二");
  ask(A, "三");
  ask(A, "四");
  HEARD("error 2 rate_limited");
  gint64 id = 0;
  ck_assert_int_eq(db_chat_word_add(db, "加微信", "加微信", editor->id, 1, &id), 0);
  qa_service_words_changed(s);
  clock_us += 10 * G_USEC_PER_SEC;
  ask(B, "加 微，信 好吗");
  HEARD("error 3 filtered");
  gint64 now_s = clock_us / G_USEC_PER_SEC;
  ck_assert_int_eq(db_chat_sanction_add(db, viewer_b->id, "", "ban", "", editor->id, now_s, now_s + 60, &id), 0);
  qa_service_sanctions_changed(s, viewer_b->id);
  ask(B, "被封了");
  qa_service_vote(s, B, live, question_id("一"));
  HEARD("error 3 banned; error 3 banned");
  clock_us += 61 * G_USEC_PER_SEC; /* the ban expires */
  ask(B, "又能问了");
  HEARD("");
  ck_assert_int_eq(count("SELECT count(*) FROM qa_question WHERE member_id <> ''"), 4);
}
END_TEST

/* A member asks at most QA_MEMBER_CAP questions on one live. */
START_TEST(member_cap)
{
  for (int i = 0; i < QA_MEMBER_CAP; i++) {
    clock_us += 2 * G_USEC_PER_SEC;
    g_autofree char *t = g_strdup_printf("问题 %d", i);
    ask(A, t);
  }
  HEARD("");
  clock_us += 2 * G_USEC_PER_SEC;
  ask(A, "再一个");
  HEARD("error 2 cap_reached");
}
END_TEST

/* Not on air: no questions (the recording keeps them, read-only). */
START_TEST(not_live)
{
  qa_service_join(s, A, &(ChatWho){ .member = viewer_a->id, .name = "甲", .role = ROLE_VIEWER, .verified = true },
                  vod);
  HEARD("joined 2 ask=not_live voted=0");
  qa_service_ask(s, A, vod, "录像里问");
  qa_service_ask(s, B, vod, "没加入");
  HEARD("error 2 not_live; error 3 not_joined");
}
END_TEST

static Suite *suite(void)
{
  Suite *su = suite_create("qa_service");
  TCase *tc = tcase_create("qa_service");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, asking_and_batching);
  tcase_add_test(tc, upvotes_once_and_order);
  tcase_add_test(tc, resync_after_falling_behind);
  tcase_add_test(tc, premoderation_and_decisions);
  tcase_add_test(tc, chat_rules_apply);
  tcase_add_test(tc, member_cap);
  tcase_add_test(tc, not_live);
  suite_add_tcase(su, tc);
  return su;
}

TU_MAIN(suite)
