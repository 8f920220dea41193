/* chat_service: the live-chat service core.
 *
 *   join ─▶ room (one per live) ─▶ joined(history, likes, settings, may post?)
 *   send ─▶ rules (member, verified, mode, sanction, rate, slow, length, words, duplicate,
 *           caps) ─▶ error, or queued in the room
 *   like ─▶ counted in the room
 *   tick (every CHAT_BATCH_MS) ─▶ one transaction: queued messages, likes ─▶ for each room
 *           with news ONE batch to its readers (messages, deletions, like count) and, with a
 *           moderation delay, one to its moderators (the held messages)
 *
 * Everything runs on the main loop. */
#include "chat/chat_service.h"
#include "core/log.h"
#include "core/metrics.h"
#include "db/db_audit.h"
#include "db/db_qa.h"
#include "db/db_watch.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define ROOM_CHECK_US (5 * G_USEC_PER_SEC) /* how long a room trusts what it read of its video */
#define DUP_KEPT 3                          /* a member's recent texts kept for duplicates */

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
  double tokens;
  gint64 tokens_us;
  gint64 last_post_us;
  char *recent[DUP_KEPT];      /* folded texts posted, newest first */
  gint64 recent_us[DUP_KEPT];
  gint64 posted;               /* messages on this live (-1: not read yet) */
  int strikes;                 /* flooding refusals since strikes_us */
  gint64 strikes_us;
  bool sanctions_read;
  gint64 muted_until, banned_until; /* Unix seconds; 0 none, G_MAXINT64 until lifted */
} Poster;

struct Room {
  char *video;
  bool live;
  gint64 live_started_at;
  gint64 checked_us;
  ChatSettings settings;
  bool settings_changed;
  GHashTable *conns;       /* conn id -> Conn* (owned by the service's conns) */
  GQueue recent;           /* ChatMessage* shown, oldest first, at most CHAT_HISTORY */
  GPtrArray *queued;       /* ChatMessage* posted since the last tick, not yet stored */
  GArray *queued_conns;    /* guint64: who posted each (told when storing fails) */
  GPtrArray *held;         /* ChatMessage* stored, waiting out the moderation delay */
  GArray *deleted;         /* gint64 ids deleted since the last tick */
  gint64 likes;            /* in all */
  gint64 likes_queued;     /* not yet stored */
  GHashTable *likers;      /* member ids who liked since the last tick */
  bool likes_changed;
  gint64 messages;         /* taken on this live (for max_messages) */
  GHashTable *posters;     /* member id -> Poster* */
  char *presenter;         /* the presenter link's member (marked presenter), or NULL */
};

struct ChatService {
  Db *db;
  const Config *config;
  ChatIo io;
  gint64 (*now_us)(void *user);
  void *clock_user;
  GHashTable *rooms;  /* video id -> Room* */
  GHashTable *conns;  /* conn id -> Conn* */
  ChatFilter *filter;
  guint timer;
  /* metrics */
  guint64 n_messages, n_likes, n_deleted, n_batches;
  GHashTable *refused; /* code (static) -> count */
};

static gint64 now_us(ChatService *s)
{
  return s->now_us ? s->now_us(s->clock_user) : g_get_real_time();
}

static void refuse(ChatService *s, guint64 conn, const char *code, const char *message)
{
  gpointer n = g_hash_table_lookup(s->refused, code);
  g_hash_table_insert(s->refused, (gpointer)code, GSIZE_TO_POINTER(GPOINTER_TO_SIZE(n) + 1));
  s->io.error(s->io.user, conn, code, message);
}

static void poster_free(Poster *p)
{
  for (int i = 0; i < DUP_KEPT; i++)
    g_free(p->recent[i]);
  g_free(p);
}

static void room_free(Room *r)
{
  g_hash_table_unref(r->conns);
  g_queue_clear_full(&r->recent, (GDestroyNotify)chat_message_free);
  g_ptr_array_foreach(r->queued, (GFunc)(void (*)(void))chat_message_free, NULL);
  g_ptr_array_unref(r->queued);
  g_array_unref(r->queued_conns);
  g_ptr_array_unref(r->held);
  g_array_unref(r->deleted);
  g_hash_table_unref(r->likers);
  g_hash_table_unref(r->posters);
  g_free(r->presenter);
  g_free(r->video);
  g_free(r);
}

static void conn_free(Conn *c)
{
  g_free(c->member);
  g_free(c->name);
  g_free(c);
}

static bool is_moderator(Role role)
{
  return role == ROLE_EDITOR || role == ROLE_ADMIN;
}

/* Re-reads VIDEO's facts (on air? since when?) when they are ROOM_CHECK_US old. */
static int room_check(ChatService *s, Room *r)
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

/* Who R's presenter is (the presenter link's member), and the history marked accordingly. */
static void presenter_load(ChatService *s, Room *r)
{
  g_autofree char *hash = NULL;
  gint64 at = 0;
  g_clear_pointer(&r->presenter, g_free);
  if (db_presenter_link_get(s->db, r->video, &hash, &r->presenter, &at) < 0)
    r->presenter = NULL;
  for (GList *l = r->recent.head; l; l = l->next) {
    ChatMessage *m = l->data;
    m->presenter = r->presenter && strcmp(m->member, r->presenter) == 0;
  }
}

/* VIDEO's room, read from the database when new. -ENOENT: no such video viewers may see. */
static int room_get(ChatService *s, const char *video, Room **out)
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
  r = g_new0(Room, 1);
  r->video = g_strdup(video);
  r->live = info.live;
  r->live_started_at = info.live_started_at;
  r->checked_us = now_us(s);
  r->conns = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_queue_init(&r->recent);
  r->queued = g_ptr_array_new();
  r->queued_conns = g_array_new(FALSE, FALSE, sizeof(guint64));
  r->held = g_ptr_array_new_with_free_func((GDestroyNotify)chat_message_free);
  r->deleted = g_array_new(FALSE, FALSE, sizeof(gint64));
  r->likers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  r->posters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)poster_free);
  GPtrArray *recent = NULL;
  gint64 mine = 0;
  if (db_chat_settings_get(s->db, video, &r->settings) < 0 ||
      db_chat_recent(s->db, video, CHAT_HISTORY, &recent) < 0 ||
      db_chat_likes_total(s->db, video, &r->likes) < 0 ||
      db_chat_counts(s->db, video, NULL, &r->messages, &mine) < 0) {
    if (recent)
      g_ptr_array_unref(recent);
    room_free(r);
    return -EIO;
  }
  /* The history moves into the queue: the array lets go of its messages without freeing. */
  g_ptr_array_set_free_func(recent, NULL);
  for (guint i = 0; i < recent->len; i++)
    g_queue_push_tail(&r->recent, recent->pdata[i]);
  g_ptr_array_unref(recent);
  presenter_load(s, r);
  g_hash_table_insert(s->rooms, r->video, r);
  *out = r;
  return 0;
}

static Poster *poster_get(Room *r, const char *member)
{
  Poster *p = g_hash_table_lookup(r->posters, member);
  if (!p) {
    p = g_new0(Poster, 1);
    p->tokens = CHAT_BURST;
    p->posted = -1;
    g_hash_table_insert(r->posters, g_strdup(member), p);
  }
  return p;
}

/* Whether a guest (or anyone) reads the room in its current mode. */
static bool reads(const Room *r, const Conn *c)
{
  if (r->settings.mode == CHAT_MODE_OFF)
    return is_moderator(c->role);
  if (r->settings.mode == CHAT_MODE_MEMBERS)
    return c->member != NULL;
  return true;
}

/* Why C may not post in R now (an error code), or NULL. Sanctions are looked at per post.
 * Moderators (editors, admins: staff) post without real-name verification. */
static const char *post_barrier(const Room *r, const Conn *c)
{
  if (!c->member)
    return "sign_in_required";
  if (!c->verified && !is_moderator(c->role))
    return "not_verified";
  if (r->settings.mode == CHAT_MODE_OFF)
    return "chat_off";
  if (!r->live)
    return "not_live";
  return NULL;
}

static void leave(ChatService *s, Conn *c)
{
  if (!c->room)
    return;
  g_hash_table_remove(c->room->conns, &c->id);
  c->room = NULL;
}

static void send_joined(ChatService *s, Room *r, Conn *c);

void chat_service_join(ChatService *s, guint64 conn, const ChatWho *who, const char *video)
{
  Room *r = NULL;
  int ret = room_get(s, video, &r);
  if (ret < 0) {
    refuse(s, conn, ret == -ENOENT ? "not_found" : "not_saved",
           ret == -ENOENT ? "no such video" : "the chat cannot be read now");
    return;
  }
  Conn *c = g_hash_table_lookup(s->conns, &conn);
  if (!c) {
    c = g_new0(Conn, 1);
    c->id = conn;
    g_hash_table_insert(s->conns, &c->id, c);
  }
  leave(s, c);
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

void chat_service_resync(ChatService *s, guint64 conn)
{
  Conn *c = g_hash_table_lookup(s->conns, &conn);
  if (c && c->room)
    send_joined(s, c->room, c);
}

/* The room as C is to see it now: its recent messages, likes, settings, what C may do. */
static void send_joined(ChatService *s, Room *r, Conn *c)
{
  GPtrArray *recent = g_ptr_array_new();
  if (reads(r, c))
    for (GList *l = r->recent.head; l; l = l->next)
      g_ptr_array_add(recent, l->data);
  ChatJoined j = {
    .video = r->video, .live = r->live, .settings = r->settings, .can_post = post_barrier(r, c),
    .moderator = is_moderator(c->role), .recent = recent, .likes = r->likes,
    .max_length = (int)s->config->chat_max_length,
  };
  s->io.joined(s->io.user, c->id, &j);
  g_ptr_array_unref(recent);
}

void chat_service_leave(ChatService *s, guint64 conn)
{
  Conn *c = g_hash_table_lookup(s->conns, &conn);
  if (!c)
    return;
  leave(s, c);
  g_hash_table_remove(s->conns, &conn);
}

/* The room CONN is in, if it is VIDEO's; else refuses (not_joined). */
static Room *room_of(ChatService *s, guint64 conn, const char *video, Conn **out)
{
  Conn *c = g_hash_table_lookup(s->conns, &conn);
  if (!c || !c->room || strcmp(c->room->video, video) != 0) {
    refuse(s, conn, "not_joined", "join the live's chat first (chat.join)");
    return NULL;
  }
  *out = c;
  return c->room;
}

/* A refusal for flooding counts toward the automatic mute. */
static void strike(ChatService *s, Room *r, Conn *c, Poster *p, gint64 now)
{
  if (now - p->strikes_us > CHAT_AUTO_MUTE_WINDOW * G_USEC_PER_SEC) {
    p->strikes = 0;
    p->strikes_us = now;
  }
  if (++p->strikes < CHAT_AUTO_MUTE_STRIKES)
    return;
  p->strikes = 0;
  gint64 now_s = now / G_USEC_PER_SEC;
  gint64 until = now_s + CHAT_AUTO_MUTE_SECONDS;
  gint64 id = 0;
  JsonNode *detail = json_node_new(JSON_NODE_OBJECT);
  JsonObject *o = json_object_new();
  json_object_set_string_member(o, "kind", "mute");
  json_object_set_string_member(o, "video", r->video);
  json_object_set_int_member(o, "seconds", CHAT_AUTO_MUTE_SECONDS);
  json_node_take_object(detail, o);
  int ret = db_begin(s->db);
  if (ret == 0) {
    ret = db_chat_sanction_add(s->db, c->member, r->video, "mute", "flooding (automatic)", "lectern",
                               now_s, until, &id);
    if (ret == 0)
      ret = db_audit_add(s->db, "lectern", "lectern", "chat.auto_mute", "member", c->member, detail);
    if (ret == 0)
      ret = db_commit(s->db);
    else
      db_rollback(s->db);
  }
  json_node_unref(detail);
  if (ret < 0) {
    log_warn("chat", "could not store an automatic mute on %s: %s", r->video, g_strerror(-ret));
    return;
  }
  p->muted_until = MAX(p->muted_until, until);
  log_info("chat", "a member was muted automatically on %s for flooding", r->video);
}

void chat_service_send(ChatService *s, guint64 conn, const char *video, const char *text)
{
  Conn *c = NULL;
  Room *r = room_of(s, conn, video, &c);
  if (!r)
    return;
  if (room_check(s, r) < 0) {
    refuse(s, conn, "not_saved", "the chat cannot be read now");
    return;
  }
  const char *barrier = post_barrier(r, c);
  if (barrier) {
    static const struct { const char *code, *why; } whys[] = {
      { "sign_in_required", "sign in to post: guests read the chat" },
      { "not_verified", "only real-name verified members post" },
      { "chat_off", "the chat of this live is off" },
      { "not_live", "the chat is open while the live is on air" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(whys); i++)
      if (strcmp(whys[i].code, barrier) == 0)
        refuse(s, conn, barrier, whys[i].why);
    return;
  }
  gint64 now = now_us(s);
  gint64 now_s = now / G_USEC_PER_SEC;
  bool mod = is_moderator(c->role);
  Poster *p = poster_get(r, c->member);

  if (!p->sanctions_read) {
    if (db_chat_sanction_state(s->db, c->member, r->video, now_s, &p->muted_until, &p->banned_until) < 0) {
      refuse(s, conn, "not_saved", "the chat cannot be read now");
      return;
    }
    p->sanctions_read = true;
  }
  if (p->banned_until > now_s) {
    refuse(s, conn, "banned", "you are banned from the chat");
    return;
  }
  if (p->muted_until > now_s) {
    refuse(s, conn, "muted", "you are muted in the chat for now");
    return;
  }
  if (!mod) {
    p->tokens = MIN(CHAT_BURST, p->tokens + CHAT_RATE * (double)(now - p->tokens_us) / 1e6);
    p->tokens_us = now;
    if (p->tokens < 1) {
      refuse(s, conn, "rate_limited", "too many messages: about one a second");
      strike(s, r, c, p, now);
      return;
    }
    /* Every attempt costs a token, refused or not: the filter is not a free oracle. */
    p->tokens -= 1;
    if (r->settings.slow_seconds > 0 && p->last_post_us &&
        now - p->last_post_us < (gint64)r->settings.slow_seconds * G_USEC_PER_SEC) {
      g_autofree char *why = g_strdup_printf("slow mode: one message per %d s", r->settings.slow_seconds);
      refuse(s, conn, "slow_mode", why);
      return;
    }
  }
  /* The text: trimmed, not empty, not too long (in characters), no control characters. */
  g_autofree char *trimmed = g_strstrip(g_strdup(text));
  glong chars = g_utf8_strlen(trimmed, -1);
  if (chars == 0) {
    refuse(s, conn, "invalid_field", "a message needs some text");
    return;
  }
  if (chars > s->config->chat_max_length) {
    g_autofree char *why = g_strdup_printf("a message may have at most %" G_GINT64_FORMAT " characters",
                                           s->config->chat_max_length);
    refuse(s, conn, "too_long", why);
    return;
  }
  for (const char *q = trimmed; *q; q = g_utf8_next_char(q)) {
    gunichar u = g_utf8_get_char(q);
    if (g_unichar_type(u) == G_UNICODE_CONTROL && u != '\n') {
      refuse(s, conn, "invalid_field", "a message may not hold control characters");
      return;
    }
  }
  g_autofree char *folded = NULL;
  chat_filter_normalize(trimmed, &folded);
  if (chat_filter_match(s->filter, folded, NULL)) {
    refuse(s, conn, "filtered", "the message holds a word that is not allowed here");
    return;
  }
  if (!mod) {
    for (int i = 0; i < DUP_KEPT; i++)
      if (p->recent[i] && now - p->recent_us[i] < CHAT_DUPLICATE_SECONDS * G_USEC_PER_SEC &&
          strcmp(p->recent[i], folded) == 0) {
        refuse(s, conn, "duplicate", "you said that already");
        strike(s, r, c, p, now);
        return;
      }
  }
  if (p->posted < 0) {
    gint64 all = 0;
    if (db_chat_counts(s->db, r->video, c->member, &all, &p->posted) < 0) {
      refuse(s, conn, "not_saved", "the chat cannot be read now");
      return;
    }
  }
  if (r->settings.max_messages > 0 && r->messages >= r->settings.max_messages) {
    refuse(s, conn, "cap_reached", "this live's chat has taken all the messages it takes");
    return;
  }
  if (!mod && p->posted >= CHAT_MEMBER_CAP) {
    refuse(s, conn, "cap_reached", "you have posted as many messages as one member may on this live");
    return;
  }

  p->last_post_us = now;
  p->posted++;
  g_free(p->recent[DUP_KEPT - 1]);
  memmove(&p->recent[1], &p->recent[0], (DUP_KEPT - 1) * sizeof p->recent[0]);
  memmove(&p->recent_us[1], &p->recent_us[0], (DUP_KEPT - 1) * sizeof p->recent_us[0]);
  p->recent[0] = g_steal_pointer(&folded);
  p->recent_us[0] = now;
  r->messages++;

  ChatMessage *m = g_new0(ChatMessage, 1);
  m->video = g_strdup(r->video);
  m->member = g_strdup(c->member);
  m->name = g_strdup(c->name);
  m->role = c->role;
  m->text = g_steal_pointer(&trimmed);
  m->live_time = MAX(0.0, (double)now / 1e6 - (double)r->live_started_at);
  m->live_time = round(m->live_time * 10) / 10;
  m->created_at = now_s;
  m->held = r->settings.hold_seconds > 0 && !mod;
  m->presenter = r->presenter && strcmp(c->member, r->presenter) == 0;
  m->release_us = now + (gint64)r->settings.hold_seconds * G_USEC_PER_SEC;
  g_ptr_array_add(r->queued, m);
  g_array_append_val(r->queued_conns, conn);
}

void chat_service_like(ChatService *s, guint64 conn, const char *video, int count)
{
  Conn *c = NULL;
  Room *r = room_of(s, conn, video, &c);
  if (!r)
    return;
  if (!c->member) {
    refuse(s, conn, "sign_in_required", "sign in to like");
    return;
  }
  if (r->settings.mode == CHAT_MODE_OFF || !r->live) {
    refuse(s, conn, r->live ? "chat_off" : "not_live", "likes are taken while the live is on air");
    return;
  }
  Poster *p = poster_get(r, c->member);
  gint64 now_s = now_us(s) / G_USEC_PER_SEC;
  if (!p->sanctions_read) {
    if (db_chat_sanction_state(s->db, c->member, r->video, now_s, &p->muted_until, &p->banned_until) < 0) {
      refuse(s, conn, "not_saved", "the chat cannot be read now");
      return;
    }
    p->sanctions_read = true;
  }
  if (p->banned_until > now_s) {
    refuse(s, conn, "banned", "you are banned from the chat");
    return;
  }
  count = CLAMP(count, 1, CHAT_LIKES_MAX);
  r->likes += count;
  r->likes_queued += count;
  r->likes_changed = true;
  s->n_likes += (guint64)count;
  if (!g_hash_table_contains(r->likers, c->member))
    g_hash_table_add(r->likers, g_strdup(c->member));
}

/* ---- the tick -------------------------------------------------------------- */

/* Stores every room's queued messages and likes in one transaction. On failure the
 * messages' authors are told (not_saved) and the messages dropped; likes stay queued. */
static void store(ChatService *s)
{
  bool any = false;
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, s->rooms);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    Room *r = v;
    if (r->queued->len || r->likes_queued)
      any = true;
  }
  if (!any)
    return;
  int ret = db_begin(s->db);
  g_hash_table_iter_init(&it, s->rooms);
  while (ret == 0 && g_hash_table_iter_next(&it, NULL, &v)) {
    Room *r = v;
    for (guint i = 0; ret == 0 && i < r->queued->len; i++)
      ret = db_chat_message_insert(s->db, r->queued->pdata[i]);
    if (ret == 0 && r->likes_queued) {
      gint64 bucket = (gint64)(MAX(0.0, (double)now_us(s) / 1e6 - (double)r->live_started_at) / 10);
      ret = db_chat_likes_add(s->db, r->video, bucket, r->likes_queued);
      GHashTableIter li;
      gpointer member;
      g_hash_table_iter_init(&li, r->likers);
      while (ret == 0 && g_hash_table_iter_next(&li, &member, NULL))
        ret = db_chat_liker_add(s->db, r->video, member);
    }
  }
  if (ret == 0)
    ret = db_commit(s->db);
  else
    db_rollback(s->db);
  if (ret < 0)
    log_warn("chat", "storing chat failed: %s", g_strerror(-ret));
  g_hash_table_iter_init(&it, s->rooms);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    Room *r = v;
    if (ret == 0) {
      r->likes_queued = 0;
      g_hash_table_remove_all(r->likers);
      s->n_messages += r->queued->len;
      continue;
    }
    for (guint i = 0; i < r->queued->len; i++) {
      refuse(s, g_array_index(r->queued_conns, guint64, i), "not_saved", "the message could not be stored");
      chat_message_free(r->queued->pdata[i]);
      r->messages--;
    }
    g_ptr_array_set_size(r->queued, 0);
    g_array_set_size(r->queued_conns, 0);
  }
}

/* The ids of R's connections that PICK accepts. */
static GArray *audience(Room *r, bool (*pick)(const Room *, const Conn *))
{
  GArray *ids = g_array_sized_new(FALSE, FALSE, sizeof(guint64), g_hash_table_size(r->conns));
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, r->conns);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    Conn *c = v;
    if (!pick || pick(r, c))
      g_array_append_val(ids, c->id);
  }
  return ids;
}

static bool pick_moderator(const Room *r, const Conn *c)
{
  (void)r;
  return is_moderator(c->role);
}

static void send_batch(ChatService *s, Room *r, const ChatBatch *b, bool (*pick)(const Room *, const Conn *))
{
  GArray *ids = audience(r, pick);
  if (ids->len) {
    s->io.batch(s->io.user, b, (const guint64 *)(void *)ids->data, ids->len);
    s->n_batches++;
  }
  g_array_unref(ids);
}

static void room_tick(ChatService *s, Room *r, gint64 now)
{
  GPtrArray *shown = g_ptr_array_new();        /* borrowed; moved into recent below */
  GPtrArray *held_new = g_ptr_array_new();     /* borrowed from r->held */
  for (guint i = 0; i < r->queued->len; i++) {
    ChatMessage *m = r->queued->pdata[i];
    if (m->held) {
      g_ptr_array_add(r->held, m);
      g_ptr_array_add(held_new, m);
    } else {
      g_ptr_array_add(shown, m);
    }
  }
  g_ptr_array_set_size(r->queued, 0);
  g_array_set_size(r->queued_conns, 0);
  /* Held messages whose delay is over are shown (stored as shown first). */
  for (guint i = 0; i < r->held->len;) {
    ChatMessage *m = r->held->pdata[i];
    if (m->release_us > now || g_ptr_array_find(held_new, m, NULL)) {
      i++;
      continue;
    }
    if (db_chat_message_release(s->db, m->id) < 0) {
      i++;
      continue;
    }
    m->held = false;
    g_ptr_array_add(shown, g_ptr_array_steal_index(r->held, i));
  }

  if (r->settings_changed) {
    ChatBatch sb = { .video = r->video, .likes = -1, .settings = &r->settings };
    send_batch(s, r, &sb, NULL);
    r->settings_changed = false;
  }
  if (shown->len || r->deleted->len || r->likes_changed) {
    ChatBatch b = { .video = r->video, .messages = shown, .deleted = r->deleted,
                    .likes = r->likes_changed ? r->likes : -1 };
    send_batch(s, r, &b, reads);
  }
  if (held_new->len) {
    ChatBatch hb = { .video = r->video, .messages = held_new, .likes = -1 };
    send_batch(s, r, &hb, pick_moderator);
  }
  r->likes_changed = false;
  g_array_set_size(r->deleted, 0);
  for (guint i = 0; i < shown->len; i++)
    g_queue_push_tail(&r->recent, shown->pdata[i]);
  while (r->recent.length > CHAT_HISTORY)
    chat_message_free(g_queue_pop_head(&r->recent));
  g_ptr_array_unref(shown);
  g_ptr_array_unref(held_new);
}

void chat_service_tick(ChatService *s)
{
  store(s);
  gint64 now = now_us(s);
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, s->rooms);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    Room *r = v;
    room_tick(s, r, now);
    /* A room nobody is in and with nothing waiting is forgotten (read again on the next join). */
    if (g_hash_table_size(r->conns) == 0 && r->held->len == 0 && r->likes_queued == 0)
      g_hash_table_iter_remove(&it);
  }
}

static gboolean tick(gpointer data)
{
  chat_service_tick(data);
  return G_SOURCE_CONTINUE;
}

/* ---- moderators ------------------------------------------------------------ */

void chat_service_deleted(ChatService *s, const char *video, gint64 id)
{
  s->n_deleted++;
  Room *r = g_hash_table_lookup(s->rooms, video);
  if (!r)
    return;
  for (GList *l = r->recent.head; l; l = l->next)
    if (((ChatMessage *)l->data)->id == id) {
      chat_message_free(l->data);
      g_queue_delete_link(&r->recent, l);
      break;
    }
  for (guint i = 0; i < r->held->len; i++)
    if (((ChatMessage *)r->held->pdata[i])->id == id) {
      g_ptr_array_remove_index(r->held, i);
      break;
    }
  g_array_append_val(r->deleted, id);
}

void chat_service_sanctions_changed(ChatService *s, const char *member)
{
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, s->rooms);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    Poster *p = g_hash_table_lookup(((Room *)v)->posters, member);
    if (p)
      p->sanctions_read = false;
  }
}

void chat_service_settings_changed(ChatService *s, const char *video)
{
  Room *r = g_hash_table_lookup(s->rooms, video);
  if (!r)
    return;
  ChatSettings st;
  if (db_chat_settings_get(s->db, video, &st) < 0)
    return;
  r->settings = st;
  r->settings_changed = true;
}

static void words_load(ChatService *s)
{
  GPtrArray *words = NULL;
  if (db_chat_words(s->db, &words) < 0) {
    log_warn("chat", "could not read the sensitive-word list; keeping the one in memory");
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

void chat_service_words_changed(ChatService *s)
{
  words_load(s);
}

void chat_service_presenter_changed(ChatService *s, const char *video)
{
  Room *r = g_hash_table_lookup(s->rooms, video);
  if (r)
    presenter_load(s, r);
}

guint chat_service_room_size(ChatService *s, const char *video)
{
  Room *r = g_hash_table_lookup(s->rooms, video);
  return r ? g_hash_table_size(r->conns) : 0;
}

/* ---- lifecycle and metrics --------------------------------------------------- */

static void metrics(GString *out, void *user)
{
  ChatService *s = user;
  g_string_append_printf(out,
      "# HELP lectern_chat_messages_total Chat messages posted and stored.\n"
      "# TYPE lectern_chat_messages_total counter\nlectern_chat_messages_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_chat_likes_total Likes taken.\n"
      "# TYPE lectern_chat_likes_total counter\nlectern_chat_likes_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_chat_deleted_total Chat messages deleted by moderators.\n"
      "# TYPE lectern_chat_deleted_total counter\nlectern_chat_deleted_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_chat_batches_total Chat frames fanned out (one per room, audience and tick).\n"
      "# TYPE lectern_chat_batches_total counter\nlectern_chat_batches_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_chat_rooms Live chats with someone in them.\n"
      "# TYPE lectern_chat_rooms gauge\nlectern_chat_rooms %u\n"
      "# HELP lectern_chat_refused_total Chat requests refused, by reason.\n"
      "# TYPE lectern_chat_refused_total counter\n",
      s->n_messages, s->n_likes, s->n_deleted, s->n_batches, g_hash_table_size(s->rooms));
  static const char *codes[] = { "sign_in_required", "not_verified", "chat_off", "not_live", "banned",
                                 "muted", "rate_limited", "slow_mode", "too_long", "invalid_field",
                                 "filtered", "duplicate", "cap_reached", "not_joined", "not_found",
                                 "not_saved" };
  for (size_t i = 0; i < G_N_ELEMENTS(codes); i++)
    g_string_append_printf(out, "lectern_chat_refused_total{reason=\"%s\"} %" G_GSIZE_FORMAT "\n", codes[i],
                           GPOINTER_TO_SIZE(g_hash_table_lookup(s->refused, codes[i])));
}

ChatService *chat_service_new(Db *db, const Config *config, const ChatIo *io)
{
  ChatService *s = g_new0(ChatService, 1);
  s->db = db;
  s->config = config;
  s->io = *io;
  s->rooms = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)room_free);
  s->conns = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, (GDestroyNotify)conn_free);
  s->refused = g_hash_table_new(g_str_hash, g_str_equal);
  s->filter = chat_filter_new();
  words_load(s);
  s->timer = g_timeout_add(CHAT_BATCH_MS, tick, s);
  metrics_add_provider(metrics, s);
  return s;
}

void chat_service_stop_timer(ChatService *s)
{
  if (s->timer)
    g_source_remove(s->timer);
  s->timer = 0;
}

void chat_service_set_clock(ChatService *s, gint64 (*now)(void *user), void *user)
{
  s->now_us = now;
  s->clock_user = user;
}

void chat_service_free(ChatService **ps)
{
  ChatService *s = *ps;
  if (!s)
    return;
  metrics_remove_provider(metrics, s);
  chat_service_stop_timer(s);
  store(s);
  /* Queued messages not stored (the store failed) were freed by store(). */
  g_hash_table_unref(s->conns);
  g_hash_table_unref(s->rooms);
  g_hash_table_unref(s->refused);
  chat_filter_free(&s->filter);
  g_free(s);
  *ps = NULL;
}
