/* Tests for src/chat/chat_service.c without a socket: a real SQLite database, a clock the
 * test moves, and a ChatIo that records what the service says. Who may post, the rate limit
 * and slow mode (moderators exempt), the word filter, duplicates, mutes and bans and their
 * expiry, the automatic mute, the moderation delay, caps, deletion, likes, members-only
 * mode, and the batching: news goes out once per tick and room, not once per message. */
#include "auth/auth.h"
#include "chat/chat_service.h"
#include "db/db_audit.h"
#include "db/db_chat.h"
#include "db_fixture.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

static char *dir;
static Db *db;
static Config config;
static ChatService *s;
static GPtrArray *said; /* one line per thing said */
static gint64 clock_us;
static char *vod, *live;
static Member *viewer_a, *viewer_b, *unverified, *editor;
static const guint8 key[TOKEN_SECRET_LEN] = { 9 };

enum { GUEST = 1, A = 2, B = 3, UNVERIFIED = 4, EDITOR = 5, A2 = 6 }; /* connection ids */

static gint64 fake_now(void *user)
{
  (void)user;
  return clock_us;
}

static void io_joined(void *user, guint64 conn, const ChatJoined *j)
{
  (void)user;
  g_ptr_array_add(said, g_strdup_printf("joined %" G_GUINT64_FORMAT " messages=%u likes=%" G_GINT64_FORMAT
                                        " post=%s%s", conn, j->recent->len, j->likes,
                                        j->can_post ? j->can_post : "yes", j->moderator ? " moderator" : ""));
}

static void io_batch(void *user, const ChatBatch *b, const guint64 *conns, guint n)
{
  (void)user;
  GString *line = g_string_new("batch");
  for (guint i = 0; b->messages && i < b->messages->len; i++) {
    ChatMessage *m = b->messages->pdata[i];
    g_string_append_printf(line, " \"%s\"%s", m->text, m->held ? "(held)" : "");
  }
  for (guint i = 0; b->deleted && i < b->deleted->len; i++)
    g_string_append_printf(line, " -%" G_GINT64_FORMAT, g_array_index(b->deleted, gint64, i));
  if (b->likes >= 0)
    g_string_append_printf(line, " likes=%" G_GINT64_FORMAT, b->likes);
  if (b->settings)
    g_string_append_printf(line, " settings slow=%d", b->settings->slow_seconds);
  /* Connections sorted, so the line does not depend on hash order. */
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

/* What was said since the last call, "; "-joined, then forgotten. */
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

static void join(guint64 conn, const Member *m, const char *video)
{
  ChatWho who = { .member = m ? m->id : NULL, .name = m ? m->display_name : NULL,
                  .role = m ? m->role : ROLE_VIEWER, .verified = m && m->real_name_verified };
  chat_service_join(s, conn, &who, video);
}

static void send(guint64 conn, const char *text)
{
  chat_service_send(s, conn, live, text);
}

static void advance(double seconds)
{
  clock_us += (gint64)(seconds * G_USEC_PER_SEC);
}

static gint64 count(const char *sql)
{
  sqlite3_stmt *st = db_prepare(db, sql);
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  gint64 n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

static void settings(ChatSettings st)
{
  ck_assert_int_eq(db_chat_settings_put(db, live, &st, editor->id, clock_us / G_USEC_PER_SEC), 0);
  chat_service_settings_changed(s, live);
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
  ChatIo io = { .joined = io_joined, .batch = io_batch, .error = io_error };
  s = chat_service_new(db, &config, &io);
  chat_service_stop_timer(s);
  chat_service_set_clock(s, fake_now, NULL);
  join(GUEST, NULL, live);
  join(A, viewer_a, live);
  join(B, viewer_b, live);
  join(UNVERIFIED, unverified, live);
  join(EDITOR, editor, live);
  HEARD("joined 1 messages=0 likes=0 post=sign_in_required; joined 2 messages=0 likes=0 post=yes; "
        "joined 3 messages=0 likes=0 post=yes; joined 4 messages=0 likes=0 post=not_verified; "
        "joined 5 messages=0 likes=0 post=yes moderator");
}

static void teardown(void)
{
  chat_service_free(&s);
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

/* Guests read, unverified members read, verified members post; news goes out in one batch
 * per tick to every reader, and a message posted between ticks is not sent before the tick. */
START_TEST(posting_and_batching)
{
  send(GUEST, "guest here");
  send(UNVERIFIED, "not verified");
  HEARD("error 1 sign_in_required; error 4 not_verified");
  send(A, "第一条");
  send(B, "<b>第二条</b>");
  send(EDITOR, "欢迎大家");
  HEARD("");                       /* nothing before the tick */
  ck_assert_int_eq(count("SELECT count(*) FROM chat_message"), 0);
  chat_service_tick(s);
  HEARD("batch \"第一条\" \"<b>第二条</b>\" \"欢迎大家\" to 1 2 3 4 5");
  ck_assert_int_eq(count("SELECT count(*) FROM chat_message WHERE state = 'shown'"), 3);
  chat_service_tick(s);
  HEARD("");                       /* nothing new, nothing sent */
  /* A newcomer sees the history; one who left hears nothing more. */
  join(A2, viewer_a, live);
  HEARD("joined 6 messages=3 likes=0 post=yes");
  chat_service_leave(s, GUEST);
  advance(2);
  send(A2, "again");
  chat_service_tick(s);
  HEARD("batch \"again\" to 2 3 4 5 6");
  /* No points for chatting (issue 19, item 6). */
  ck_assert_int_eq(count("SELECT count(*) FROM points_ledger"), 0);
}
END_TEST

/* About one message a second with a burst of three; moderators are not limited. */
START_TEST(rate_limit)
{
  send(A, "1");
  send(A, "2");
  send(A, "3");
  send(A, "4");
  HEARD("error 2 rate_limited");
  advance(1);
  send(A, "5");
  send(A, "6");
  HEARD("error 2 rate_limited");
  for (int i = 0; i < 10; i++) {
    char t[8];
    g_snprintf(t, sizeof t, "m%d", i);
    send(EDITOR, t);
  }
  HEARD("");
  chat_service_tick(s);
  ck_assert_int_eq(count("SELECT count(*) FROM chat_message"), 14);
}
END_TEST

START_TEST(slow_mode)
{
  settings((ChatSettings){ .slow_seconds = 10 });
  chat_service_tick(s);
  HEARD("batch settings slow=10 to 1 2 3 4 5");
  send(A, "one");
  advance(5);
  send(A, "two");
  send(EDITOR, "mods are exempt");
  send(EDITOR, "twice");
  HEARD("error 2 slow_mode");
  advance(5);
  send(A, "three");
  chat_service_tick(s);
  HEARD("batch \"one\" \"mods are exempt\" \"twice\" \"three\" to 1 2 3 4 5");
}
END_TEST

/* The word list editors keep, matched on folded text. */
START_TEST(word_filter)
{
  gint64 id = 0;
  ck_assert_int_eq(db_chat_word_add(db, "广告", "广告", editor->id, 0, &id), 0);
  send(A, "广 告 in spaces");   /* the list is read when it changes */
  chat_service_words_changed(s);
  advance(1);
  send(A, "这是广，告");
  advance(1);
  send(B, "ＡＤ 广\u200b告");
  HEARD("error 2 filtered; error 3 filtered");
  chat_service_tick(s);
  HEARD("batch \"广 告 in spaces\" to 1 2 3 4 5");
}
END_TEST

START_TEST(duplicates)
{
  send(A, "Hello everyone");
  advance(2);
  send(A, "hello   EVERYONE!!");   /* the same once folded */
  send(B, "Hello everyone");       /* another member may say it */
  HEARD("error 2 duplicate");
  advance(CHAT_DUPLICATE_SECONDS);
  send(A, "Hello everyone");
  chat_service_tick(s);
  HEARD("batch \"Hello everyone\" \"Hello everyone\" \"Hello everyone\" to 1 2 3 4 5");
}
END_TEST

/* A mute for a minute ends after a minute; a ban until lifted holds until lifted. */
START_TEST(mute_and_ban_expire)
{
  gint64 now = clock_us / G_USEC_PER_SEC, id = 0, ban = 0;
  ck_assert_int_eq(db_chat_sanction_add(db, viewer_a->id, live, "mute", "test", editor->id, now, now + 60, &id), 0);
  ck_assert_int_eq(db_chat_sanction_add(db, viewer_b->id, NULL, "ban", "test", editor->id, now, 0, &ban), 0);
  chat_service_sanctions_changed(s, viewer_a->id);
  chat_service_sanctions_changed(s, viewer_b->id);
  send(A, "muted?");
  send(B, "banned?");
  chat_service_like(s, A, live, 1);  /* a mute stops posting, not liking */
  chat_service_like(s, B, live, 1);
  HEARD("error 2 muted; error 3 banned; error 3 banned");
  advance(59);
  send(A, "still muted?");
  HEARD("error 2 muted");
  advance(2);
  send(A, "free again");
  advance(3600 * 24);
  send(B, "still banned");
  HEARD("error 3 banned");
  char *who = NULL;
  ck_assert_int_eq(db_chat_sanction_lift(db, ban, clock_us / G_USEC_PER_SEC, &who), 0);
  ck_assert_str_eq(who, viewer_b->id);
  g_free(who);
  chat_service_sanctions_changed(s, viewer_b->id);
  send(B, "lifted");
  chat_service_tick(s);
  HEARD("batch \"free again\" \"lifted\" likes=1 to 1 2 3 4 5");
}
END_TEST

/* A spammer is rate-limited, then muted automatically (and that is audited). */
START_TEST(flooding_mutes)
{
  for (int i = 0; i < CHAT_BURST + CHAT_AUTO_MUTE_STRIKES; i++) {
    char t[8];
    g_snprintf(t, sizeof t, "s%d", i);
    send(A, t);
  }
  g_ptr_array_set_size(said, 0);
  advance(5);
  send(A, "after the flood");
  HEARD("error 2 muted");
  ck_assert_int_eq(count("SELECT count(*) FROM chat_sanction WHERE kind = 'mute' AND created_by = 'lectern'"), 1);
  ck_assert_int_eq(count("SELECT count(*) FROM audit_log WHERE action = 'chat.auto_mute'"), 1);
  advance(CHAT_AUTO_MUTE_SECONDS + 1);
  send(A, "later");
  HEARD("");
}
END_TEST

/* With a moderation delay, moderators see a message at once (held); the rest after the delay,
 * unless it was deleted meanwhile. */
START_TEST(moderation_delay_and_delete)
{
  settings((ChatSettings){ .hold_seconds = 5 });
  chat_service_tick(s);
  g_ptr_array_set_size(said, 0);
  send(A, "held one");
  send(B, "held two");
  chat_service_tick(s);
  HEARD("batch \"held one\"(held) \"held two\"(held) to 5");
  ck_assert_int_eq(count("SELECT count(*) FROM chat_message WHERE state = 'held'"), 2);
  gint64 two = count("SELECT id FROM chat_message WHERE text = 'held two'");
  ck_assert_int_eq(db_chat_message_delete(db, live, two, editor->id, 0), 0);
  chat_service_deleted(s, live, two);
  advance(5);
  chat_service_tick(s);
  char *want = g_strdup_printf("batch \"held one\" -%" G_GINT64_FORMAT " to 1 2 3 4 5", two);
  HEARD(want);
  g_free(want);
  ck_assert_int_eq(count("SELECT count(*) FROM chat_message WHERE state = 'shown'"), 1);
  /* A shown message deleted leaves the history too. */
  gint64 one = count("SELECT id FROM chat_message WHERE text = 'held one'");
  chat_service_deleted(s, live, one);
  chat_service_tick(s);
  want = g_strdup_printf("batch -%" G_GINT64_FORMAT " to 1 2 3 4 5", one);
  HEARD(want);
  g_free(want);
  join(A2, viewer_a, live);
  HEARD("joined 6 messages=0 likes=0 post=yes");
}
END_TEST

START_TEST(caps_and_modes)
{
  settings((ChatSettings){ .max_messages = 2 });
  send(A, "one");
  advance(1);
  send(B, "two");
  advance(1);
  send(A, "three");
  HEARD("error 2 cap_reached");
  chat_service_tick(s);
  g_ptr_array_set_size(said, 0);
  /* Members only: guests neither read nor are sent news. */
  settings((ChatSettings){ .mode = CHAT_MODE_MEMBERS });
  join(GUEST, NULL, live);
  HEARD("joined 1 messages=0 likes=0 post=sign_in_required");
  send(B, "members only");
  chat_service_tick(s);
  HEARD("batch settings slow=0 to 1 2 3 4 5; batch \"members only\" to 2 3 4 5");
  /* Off: nobody posts. */
  settings((ChatSettings){ .mode = CHAT_MODE_OFF });
  advance(1);
  send(A, "off?");
  HEARD("error 2 chat_off");
  /* A recording: no live chat. */
  join(A2, viewer_a, vod);
  chat_service_send(s, A2, vod, "on a recording");
  chat_service_send(s, A2, live, "not my room");
  HEARD("joined 6 messages=0 likes=0 post=not_live; error 6 not_live; error 6 not_joined");
  /* Too long (in characters, not bytes). */
  settings((ChatSettings){ 0 });
  GString *cjk = g_string_new(NULL);
  for (int i = 0; i < config.chat_max_length; i++)
    g_string_append(cjk, "字");
  send(B, cjk->str);
  advance(1);
  g_string_append(cjk, "字");
  send(B, cjk->str);
  HEARD("error 3 too_long");
  send(B, "   ");
  HEARD("error 3 invalid_field");
  g_string_free(cjk, TRUE);
}
END_TEST

/* Likes are added up and pushed as a count once per tick; stored per 10 s bucket. */
START_TEST(likes)
{
  chat_service_like(s, A, live, 3);
  chat_service_like(s, B, live, 50);
  chat_service_like(s, A, live, 1);
  chat_service_like(s, GUEST, live, 1);
  HEARD("error 1 sign_in_required");
  chat_service_tick(s);
  HEARD("batch likes=54 to 1 2 3 4 5");
  ck_assert_int_eq(count("SELECT sum(count) FROM chat_likes"), 54);
  ck_assert_int_eq(count("SELECT count(*) FROM chat_liker"), 2);
  advance(20);
  chat_service_like(s, A, live, 6);
  chat_service_tick(s);
  HEARD("batch likes=60 to 1 2 3 4 5");
  ck_assert_int_eq(count("SELECT count(*) FROM chat_likes"), 2); /* two buckets */
  join(A2, viewer_a, live);
  HEARD("joined 6 messages=0 likes=60 post=yes");
}
END_TEST

/* A connection that fell behind (the transport dropped its batches) gets its joined message
 * again as of now — the messages and likes it missed — and one in no room gets nothing. */
START_TEST(resync_after_falling_behind)
{
  send(A, "一");
  chat_service_like(s, B, live, 4);
  chat_service_tick(s);
  HEARD("batch \"一\" likes=4 to 1 2 3 4 5");
  advance(2);
  send(A, "二");
  chat_service_tick(s);
  HEARD("batch \"二\" to 1 2 3 4 5");
  chat_service_resync(s, B);
  HEARD("joined 3 messages=2 likes=4 post=yes");
  chat_service_resync(s, 77);
  chat_service_leave(s, GUEST);
  chat_service_resync(s, GUEST);
  HEARD("");
}
END_TEST

/* Messages carry their time on air: seconds since the live went on air. */
START_TEST(live_time)
{
  advance(30);
  send(A, "thirty seconds in");
  chat_service_tick(s);
  sqlite3_stmt *st = db_prepare(db, "SELECT live_time FROM chat_message");
  ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
  double t = sqlite3_column_double(st, 0);
  sqlite3_finalize(st);
  ck_assert_msg(t >= 29 && t <= 32, "live_time %.1f", t);
}
END_TEST

static Suite *suite(void)
{
  Suite *su = suite_create("chat_service");
  TCase *tc = tcase_create("chat_service");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, posting_and_batching);
  tcase_add_test(tc, rate_limit);
  tcase_add_test(tc, slow_mode);
  tcase_add_test(tc, word_filter);
  tcase_add_test(tc, duplicates);
  tcase_add_test(tc, mute_and_ban_expire);
  tcase_add_test(tc, flooding_mutes);
  tcase_add_test(tc, moderation_delay_and_delete);
  tcase_add_test(tc, caps_and_modes);
  tcase_add_test(tc, likes);
  tcase_add_test(tc, resync_after_falling_behind);
  tcase_add_test(tc, live_time);
  suite_add_tcase(su, tc);
  return su;
}

TU_MAIN(suite)
