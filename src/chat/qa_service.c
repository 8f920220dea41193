/* qa_service: questions to the presenter during a live.
 *
 *   join ─▶ room (one per live: its questions and who upvoted what, read once) ─▶ joined
 *   ask  ─▶ rules (member, verified, live, sanction, rate, length, words, duplicate, cap)
 *           ─▶ error, or stored at once and marked changed
 *   vote ─▶ once per member and question, not one's own ─▶ counted, queued, marked changed
 *   tick (every QA_BATCH_MS) ─▶ one transaction for the queued upvotes ─▶ for each room with
 *           news ONE batch to its viewers (shown questions, removed ids) and one to its
 *           moderators (with pending and dismissed ones)
 *
 * Everything runs on the main loop. */
#include "chat/qa_service.h"
#include "core/log.h"
#include "core/metrics.h"
#include "db/db_chat.h"
#include "db/db_watch.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define ROOM_CHECK_US (5 * G_USEC_PER_SEC) /* how long a room trusts what it read of its video */

typedef struct Room Room;

typedef struct {
  guint64 id;
  char *member, *name;
  Role role;
  bool verified;
  Room *room;
} Conn;

/* A member's standing in one room. */
typedef struct {
  double tokens, vote_tokens;
  gint64 tokens_us, vote_tokens_us;
  bool sanctions_read;
  gint64 muted_until, banned_until;
} Asker;

typedef struct {
  gint64 question;
  char *member;
  gint64 at;
} QueuedVote;

struct Room {
  char *video;
  bool live;
  gint64 live_started_at;
  gint64 checked_us;
  bool premoderate;
  bool settings_changed;
  GHashTable *conns;     /* conn id -> Conn* (owned by the service's conns) */
  GHashTable *questions; /* id -> QaQuestion* (dismissed ones too: never asked again) */
  GHashTable *voted;     /* "id/member" upvotes given */
  GHashTable *changed;   /* ids changed since the last tick */
  GArray *votes;         /* QueuedVote not yet stored */
  GHashTable *askers;    /* member id -> Asker* */
};

struct QaService {
  Db *db;
  const Config *config;
  QaIo io;
  gint64 (*now_us)(void *user);
  void *clock_user;
  GHashTable *rooms; /* video id -> Room* */
  GHashTable *conns; /* conn id -> Conn* */
  ChatFilter *filter;
  guint timer;
  guint64 n_questions, n_votes, n_batches;
};

static gint64 now_us(QaService *s)
{
  return s->now_us ? s->now_us(s->clock_user) : g_get_real_time();
}

static bool is_moderator(Role role)
{
  return role == ROLE_EDITOR || role == ROLE_ADMIN;
}

static void room_free(Room *r)
{
  g_hash_table_unref(r->conns);
  g_hash_table_unref(r->questions);
  g_hash_table_unref(r->voted);
  g_hash_table_unref(r->changed);
  for (guint i = 0; i < r->votes->len; i++)
    g_free(g_array_index(r->votes, QueuedVote, i).member);
  g_array_unref(r->votes);
  g_hash_table_unref(r->askers);
  g_free(r->video);
  g_free(r);
}

static void conn_free(Conn *c)
{
  g_free(c->member);
  g_free(c->name);
  g_free(c);
}

static int room_check(QaService *s, Room *r)
{
  gint64 now = now_us(s);
  if (r->checked_us && now - r->checked_us < ROOM_CHECK_US)
    return 0;
  WatchVideo info;
  int ret = db_watch_video(s->db, r->video, now / G_USEC_PER_SEC, &info);
  if (ret < 0)
    return ret;
  r->live = info.live;
  r->live_started_at = info.live_started_at;
  r->checked_us = now;
  return 0;
}

static char *vote_key(gint64 question, const char *member)
{
  return g_strdup_printf("%" G_GINT64_FORMAT "/%s", question, member);
}

/* VIDEO's room, read from the database when new. -ENOENT: no such video viewers may see. */
static int room_get(QaService *s, const char *video, Room **out)
{
  Room *r = g_hash_table_lookup(s->rooms, video);
  if (r) {
    *out = r;
    return room_check(s, r);
  }
  WatchVideo info;
  int ret = db_watch_video(s->db, video, now_us(s) / G_USEC_PER_SEC, &info);
  if (ret < 0)
    return ret;
  GPtrArray *qs = NULL;
  bool premod = false;
  if (db_qa_settings_get(s->db, video, &premod) < 0 || db_qa_questions(s->db, video, true, &qs) < 0) {
    if (qs)
      g_ptr_array_unref(qs);
    return -EIO;
  }
  sqlite3_stmt *st = db_prepare(s->db, "SELECT v.question_id, v.member_id FROM qa_vote v "
                                       "JOIN qa_question q ON q.id = v.question_id WHERE q.video_id = ?1");
  if (!st) {
    g_ptr_array_unref(qs);
    return -EIO;
  }
  r = g_new0(Room, 1);
  r->video = g_strdup(video);
  r->live = info.live;
  r->live_started_at = info.live_started_at;
  r->checked_us = now_us(s);
  r->premoderate = premod;
  r->conns = g_hash_table_new(g_int64_hash, g_int64_equal);
  r->questions = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, (GDestroyNotify)qa_question_free);
  r->voted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  r->changed = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  r->votes = g_array_new(FALSE, FALSE, sizeof(QueuedVote));
  r->askers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_ptr_array_set_free_func(qs, NULL);
  for (guint i = 0; i < qs->len; i++) {
    QaQuestion *q = qs->pdata[i];
    g_hash_table_insert(r->questions, &q->id, q);
  }
  g_ptr_array_unref(qs);
  sqlite3_bind_text(st, 1, video, -1, SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    g_hash_table_add(r->voted, vote_key(sqlite3_column_int64(st, 0), db_col_text(st, 1)));
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    room_free(r);
    return -EIO;
  }
  g_hash_table_insert(s->rooms, r->video, r);
  *out = r;
  return 0;
}

static Asker *asker_get(Room *r, const char *member)
{
  Asker *a = g_hash_table_lookup(r->askers, member);
  if (!a) {
    a = g_new0(Asker, 1);
    a->tokens = CHAT_BURST;
    a->vote_tokens = QA_VOTE_BURST;
    g_hash_table_insert(r->askers, g_strdup(member), a);
  }
  return a;
}

static void mark(Room *r, gint64 id)
{
  g_hash_table_add(r->changed, g_memdup2(&id, sizeof id));
}

/* Why C may not ask in R now (an error code), or NULL. */
static const char *ask_barrier(const Room *r, const Conn *c)
{
  if (!c->member)
    return "sign_in_required";
  if (!c->verified && !is_moderator(c->role))
    return "not_verified";
  if (!r->live)
    return "not_live";
  return NULL;
}

static const char *barrier_why(const char *code)
{
  if (strcmp(code, "sign_in_required") == 0)
    return "sign in to ask: guests read the questions";
  if (strcmp(code, "not_verified") == 0)
    return "only real-name verified members ask and upvote";
  return "questions are taken while the live is on air";
}

static void leave(Conn *c)
{
  if (!c->room)
    return;
  g_hash_table_remove(c->room->conns, &c->id);
  c->room = NULL;
}

/* The questions C is shown now, in order. */
static GPtrArray *listing(Room *r, bool moderator)
{
  GPtrArray *a = g_ptr_array_new();
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, r->questions);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    QaQuestion *q = v;
    if (qa_visible(q) || (moderator && q->state == QA_PENDING))
      g_ptr_array_add(a, q);
  }
  g_ptr_array_sort(a, qa_order);
  return a;
}

static void send_joined(QaService *s, Room *r, Conn *c);

void qa_service_join(QaService *s, guint64 conn, const ChatWho *who, const char *video)
{
  Room *r = NULL;
  int ret = room_get(s, video, &r);
  if (ret < 0) {
    s->io.error(s->io.user, conn, ret == -ENOENT ? "not_found" : "not_saved",
                ret == -ENOENT ? "no such video" : "the questions cannot be read now");
    return;
  }
  Conn *c = g_hash_table_lookup(s->conns, &conn);
  if (!c) {
    c = g_new0(Conn, 1);
    c->id = conn;
    g_hash_table_insert(s->conns, &c->id, c);
  }
  leave(c);
  g_free(c->member);
  g_free(c->name);
  c->member = g_strdup(who->member);
  c->name = g_strdup(who->name ? who->name : "");
  c->role = who->member ? who->role : ROLE_VIEWER;
  c->verified = who->member && who->verified;
  c->room = r;
  g_hash_table_insert(r->conns, &c->id, c);
  send_joined(s, r, c);
}

void qa_service_resync(QaService *s, guint64 conn)
{
  Conn *c = g_hash_table_lookup(s->conns, &conn);
  if (c && c->room)
    send_joined(s, c->room, c);
}

/* The questions as C is to see them now, with its own votes and what it may do. */
static void send_joined(QaService *s, Room *r, Conn *c)
{
  GPtrArray *qs = listing(r, is_moderator(c->role));
  GPtrArray *voted = g_ptr_array_new();
  if (c->member)
    for (guint i = 0; i < qs->len; i++) {
      QaQuestion *q = qs->pdata[i];
      g_autofree char *k = vote_key(q->id, c->member);
      if (g_hash_table_contains(r->voted, k))
        g_ptr_array_add(voted, &q->id);
    }
  QaJoined j = {
    .video = r->video, .live = r->live, .premoderate = r->premoderate, .can_ask = ask_barrier(r, c),
    .moderator = is_moderator(c->role), .questions = qs, .voted = voted,
    .max_length = (int)s->config->chat_max_length,
  };
  s->io.joined(s->io.user, c->id, &j);
  g_ptr_array_unref(qs);
  g_ptr_array_unref(voted);
}

void qa_service_leave(QaService *s, guint64 conn)
{
  Conn *c = g_hash_table_lookup(s->conns, &conn);
  if (!c)
    return;
  leave(c);
  g_hash_table_remove(s->conns, &conn);
}

static Room *room_of(QaService *s, guint64 conn, const char *video, Conn **out)
{
  Conn *c = g_hash_table_lookup(s->conns, &conn);
  if (!c || !c->room || strcmp(c->room->video, video) != 0) {
    s->io.error(s->io.user, conn, "not_joined", "join the live's questions first (qa.join)");
    return NULL;
  }
  *out = c;
  return c->room;
}

/* The member's sanctions, read once per room until they change. 0 or -EIO. */
static int sanctions(QaService *s, Room *r, Asker *a, const char *member, gint64 now_s)
{
  if (a->sanctions_read)
    return 0;
  if (db_chat_sanction_state(s->db, member, r->video, now_s, &a->muted_until, &a->banned_until) < 0)
    return -EIO;
  a->sanctions_read = true;
  return 0;
}

void qa_service_ask(QaService *s, guint64 conn, const char *video, const char *text)
{
  Conn *c = NULL;
  Room *r = room_of(s, conn, video, &c);
  if (!r)
    return;
  if (room_check(s, r) < 0) {
    s->io.error(s->io.user, conn, "not_saved", "the questions cannot be read now");
    return;
  }
  const char *barrier = ask_barrier(r, c);
  if (barrier) {
    s->io.error(s->io.user, conn, barrier, barrier_why(barrier));
    return;
  }
  gint64 now = now_us(s), now_s = now / G_USEC_PER_SEC;
  bool mod = is_moderator(c->role);
  Asker *a = asker_get(r, c->member);
  if (sanctions(s, r, a, c->member, now_s) < 0) {
    s->io.error(s->io.user, conn, "not_saved", "the questions cannot be read now");
    return;
  }
  if (a->banned_until > now_s) {
    s->io.error(s->io.user, conn, "banned", "you are banned from the chat");
    return;
  }
  if (a->muted_until > now_s) {
    s->io.error(s->io.user, conn, "muted", "you are muted in the chat for now");
    return;
  }
  if (!mod) {
    /* The chat's rate: every attempt costs a token (the filter is no free oracle). */
    a->tokens = MIN(CHAT_BURST, a->tokens + CHAT_RATE * (double)(now - a->tokens_us) / 1e6);
    a->tokens_us = now;
    if (a->tokens < 1) {
      s->io.error(s->io.user, conn, "rate_limited", "too many questions: about one a second");
      return;
    }
    a->tokens -= 1;
  }
  g_autofree char *trimmed = g_strstrip(g_strdup(text));
  glong chars = g_utf8_strlen(trimmed, -1);
  if (chars == 0) {
    s->io.error(s->io.user, conn, "invalid_field", "a question needs some text");
    return;
  }
  if (chars > s->config->chat_max_length) {
    g_autofree char *why = g_strdup_printf("a question may have at most %" G_GINT64_FORMAT " characters",
                                           s->config->chat_max_length);
    s->io.error(s->io.user, conn, "too_long", why);
    return;
  }
  for (const char *p = trimmed; *p; p = g_utf8_next_char(p)) {
    gunichar u = g_utf8_get_char(p);
    if (g_unichar_type(u) == G_UNICODE_CONTROL && u != '\n') {
      s->io.error(s->io.user, conn, "invalid_field", "a question may not hold control characters");
      return;
    }
  }
  g_autofree char *folded = NULL;
  chat_filter_normalize(trimmed, &folded);
  if (chat_filter_match(s->filter, folded, NULL)) {
    s->io.error(s->io.user, conn, "filtered", "the question holds a word that is not allowed here");
    return;
  }
  /* Duplicates and the cap: against the member's questions on this live. */
  int mine = 0;
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, r->questions);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    QaQuestion *q = v;
    if (strcmp(q->member, c->member) != 0)
      continue;
    mine++;
    g_autofree char *f = NULL;
    chat_filter_normalize(q->text, &f);
    if (f && folded && strcmp(f, folded) == 0) {
      s->io.error(s->io.user, conn, "duplicate", "you asked that already");
      return;
    }
  }
  if (!mod && mine >= QA_MEMBER_CAP) {
    s->io.error(s->io.user, conn, "cap_reached", "you have asked as many questions as one member may on this live");
    return;
  }

  QaQuestion *q = g_new0(QaQuestion, 1);
  q->video = g_strdup(r->video);
  q->member = g_strdup(c->member);
  q->name = g_strdup(c->name);
  q->text = g_steal_pointer(&trimmed);
  q->live_time = round(MAX(0.0, (double)now / 1e6 - (double)r->live_started_at) * 10) / 10;
  q->created_at = now_s;
  q->state = r->premoderate && !mod ? QA_PENDING : QA_OPEN;
  if (db_qa_question_insert(s->db, q) < 0) {
    qa_question_free(q);
    s->io.error(s->io.user, conn, "not_saved", "the question could not be stored; try again");
    return;
  }
  g_hash_table_insert(r->questions, &q->id, q);
  mark(r, q->id);
  s->n_questions++;
}

void qa_service_vote(QaService *s, guint64 conn, const char *video, gint64 question)
{
  Conn *c = NULL;
  Room *r = room_of(s, conn, video, &c);
  if (!r)
    return;
  if (!c->member || (!c->verified && !is_moderator(c->role))) {
    const char *code = c->member ? "not_verified" : "sign_in_required";
    s->io.error(s->io.user, conn, code, barrier_why(code));
    return;
  }
  QaQuestion *q = g_hash_table_lookup(r->questions, &question);
  if (!q || !qa_visible(q)) {
    s->io.error(s->io.user, conn, "not_found", "no such question on this live");
    return;
  }
  if (strcmp(q->member, c->member) == 0) {
    s->io.error(s->io.user, conn, "own_question", "members upvote others' questions, not their own");
    return;
  }
  gint64 now = now_us(s), now_s = now / G_USEC_PER_SEC;
  Asker *a = asker_get(r, c->member);
  if (sanctions(s, r, a, c->member, now_s) < 0) {
    s->io.error(s->io.user, conn, "not_saved", "the questions cannot be read now");
    return;
  }
  if (a->banned_until > now_s) {
    s->io.error(s->io.user, conn, "banned", "you are banned from the chat");
    return;
  }
  a->vote_tokens = MIN(QA_VOTE_BURST, a->vote_tokens + QA_VOTE_RATE * (double)(now - a->vote_tokens_us) / 1e6);
  a->vote_tokens_us = now;
  if (a->vote_tokens < 1) {
    s->io.error(s->io.user, conn, "rate_limited", "too many upvotes at once");
    return;
  }
  a->vote_tokens -= 1;
  char *k = vote_key(q->id, c->member);
  if (!g_hash_table_add(r->voted, k)) {
    s->io.error(s->io.user, conn, "already_voted", "you upvoted this question already");
    return;
  }
  QueuedVote qv = { .question = q->id, .member = g_strdup(c->member), .at = now_s };
  g_array_append_val(r->votes, qv);
  q->votes++;
  mark(r, q->id);
  s->n_votes++;
}

/* Stores every room's queued upvotes in one transaction. */
static void store(QaService *s)
{
  GHashTableIter it;
  gpointer v;
  bool any = false;
  g_hash_table_iter_init(&it, s->rooms);
  while (g_hash_table_iter_next(&it, NULL, &v))
    any = any || ((Room *)v)->votes->len > 0;
  if (!any)
    return;
  int ret = db_begin(s->db);
  g_hash_table_iter_init(&it, s->rooms);
  while (ret == 0 && g_hash_table_iter_next(&it, NULL, &v)) {
    Room *r = v;
    for (guint i = 0; ret == 0 && i < r->votes->len; i++) {
      QueuedVote *qv = &g_array_index(r->votes, QueuedVote, i);
      bool added = false;
      ret = db_qa_vote_add(s->db, qv->question, qv->member, qv->at, &added);
    }
  }
  if (ret == 0)
    ret = db_commit(s->db);
  else
    db_rollback(s->db);
  if (ret < 0)
    log_warn("qa", "could not store upvotes: %s", g_strerror(-ret));
  g_hash_table_iter_init(&it, s->rooms);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    Room *r = v;
    for (guint i = 0; i < r->votes->len; i++)
      g_free(g_array_index(r->votes, QueuedVote, i).member);
    g_array_set_size(r->votes, 0);
  }
}

static void send_room(QaService *s, Room *r)
{
  if (g_hash_table_size(r->changed) == 0 && !r->settings_changed)
    return;
  GPtrArray *all = g_ptr_array_new(), *shown = g_ptr_array_new();
  GArray *removed = g_array_new(FALSE, FALSE, sizeof(gint64));
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init(&it, r->changed);
  while (g_hash_table_iter_next(&it, &k, NULL)) {
    QaQuestion *q = g_hash_table_lookup(r->questions, k);
    if (!q)
      continue;
    g_ptr_array_add(all, q);
    if (qa_visible(q))
      g_ptr_array_add(shown, q);
    else if (q->state == QA_DISMISSED)
      g_array_append_val(removed, q->id);
  }
  g_ptr_array_sort(all, qa_order);
  g_ptr_array_sort(shown, qa_order);
  GArray *viewers = g_array_new(FALSE, FALSE, sizeof(guint64));
  GArray *mods = g_array_new(FALSE, FALSE, sizeof(guint64));
  g_hash_table_iter_init(&it, r->conns);
  gpointer cv;
  while (g_hash_table_iter_next(&it, NULL, &cv)) {
    Conn *c = cv;
    g_array_append_val(is_moderator(c->role) ? mods : viewers, c->id);
  }
  int premod = r->settings_changed ? r->premoderate : -1;
  QaBatch vb = { .video = r->video, .questions = shown, .removed = removed, .premoderate = premod };
  if (viewers->len && (shown->len || removed->len || premod >= 0)) {
    s->io.batch(s->io.user, &vb, (const guint64 *)(void *)viewers->data, viewers->len);
    s->n_batches++;
  }
  QaBatch mb = { .video = r->video, .questions = all, .removed = removed, .premoderate = premod };
  if (mods->len) {
    s->io.batch(s->io.user, &mb, (const guint64 *)(void *)mods->data, mods->len);
    s->n_batches++;
  }
  g_array_unref(viewers);
  g_array_unref(mods);
  g_ptr_array_unref(all);
  g_ptr_array_unref(shown);
  g_array_unref(removed);
  g_hash_table_remove_all(r->changed);
  r->settings_changed = false;
}

void qa_service_tick(QaService *s)
{
  store(s);
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, s->rooms);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    Room *r = v;
    send_room(s, r);
    /* A room nobody is in any more lets go of its memory (read again at the next join). */
    if (g_hash_table_size(r->conns) == 0 && r->votes->len == 0)
      g_hash_table_iter_remove(&it);
  }
}

static gboolean tick(gpointer user)
{
  qa_service_tick(user);
  return G_SOURCE_CONTINUE;
}

void qa_service_changed(QaService *s, const QaQuestion *q)
{
  Room *r = g_hash_table_lookup(s->rooms, q->video);
  if (!r)
    return;
  QaQuestion *old = g_hash_table_lookup(r->questions, &q->id);
  QaQuestion *c = qa_question_copy(q);
  /* Upvotes counted here but not yet stored are not in Q's count. */
  if (old && old->votes > c->votes)
    c->votes = old->votes;
  g_hash_table_replace(r->questions, &c->id, c);
  mark(r, c->id);
}

void qa_service_settings_changed(QaService *s, const char *video)
{
  Room *r = g_hash_table_lookup(s->rooms, video);
  bool premod = false;
  if (!r || db_qa_settings_get(s->db, video, &premod) < 0)
    return;
  r->premoderate = premod;
  r->settings_changed = true;
}

void qa_service_sanctions_changed(QaService *s, const char *member)
{
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, s->rooms);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    Asker *a = g_hash_table_lookup(((Room *)v)->askers, member);
    if (a)
      a->sanctions_read = false;
  }
}

void qa_service_words_changed(QaService *s)
{
  GPtrArray *words = NULL;
  if (db_chat_words(s->db, &words) < 0) {
    log_warn("qa", "could not read the sensitive-word list; keeping the one in memory");
    g_ptr_array_unref(words);
    return;
  }
  ChatFilter *f = chat_filter_new();
  for (guint i = 0; i < words->len; i++)
    chat_filter_add(f, words->pdata[i]);
  g_ptr_array_unref(words);
  chat_filter_free(&s->filter);
  s->filter = f;
}

guint qa_service_room_size(QaService *s, const char *video)
{
  Room *r = g_hash_table_lookup(s->rooms, video);
  return r ? g_hash_table_size(r->conns) : 0;
}

static void metrics(GString *out, void *user)
{
  QaService *s = user;
  g_string_append_printf(out,
      "# HELP lectern_qa_questions_total Questions asked and stored.\n"
      "# TYPE lectern_qa_questions_total counter\nlectern_qa_questions_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_qa_votes_total Question upvotes taken.\n"
      "# TYPE lectern_qa_votes_total counter\nlectern_qa_votes_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_qa_batches_total Q&A frames fanned out (one per room, audience and tick).\n"
      "# TYPE lectern_qa_batches_total counter\nlectern_qa_batches_total %" G_GUINT64_FORMAT "\n",
      s->n_questions, s->n_votes, s->n_batches);
}

QaService *qa_service_new(Db *db, const Config *config, const QaIo *io)
{
  QaService *s = g_new0(QaService, 1);
  s->db = db;
  s->config = config;
  s->io = *io;
  s->rooms = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)room_free);
  s->conns = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, (GDestroyNotify)conn_free);
  s->filter = chat_filter_new();
  qa_service_words_changed(s);
  s->timer = g_timeout_add(QA_BATCH_MS, tick, s);
  metrics_add_provider(metrics, s);
  return s;
}

void qa_service_stop_timer(QaService *s)
{
  if (s->timer)
    g_source_remove(s->timer);
  s->timer = 0;
}

void qa_service_set_clock(QaService *s, gint64 (*now)(void *user), void *user)
{
  s->now_us = now;
  s->clock_user = user;
}

void qa_service_free(QaService **ps)
{
  QaService *s = *ps;
  if (!s)
    return;
  metrics_remove_provider(metrics, s);
  qa_service_stop_timer(s);
  store(s);
  g_hash_table_unref(s->conns);
  g_hash_table_unref(s->rooms);
  chat_filter_free(&s->filter);
  g_free(s);
  *ps = NULL;
}
