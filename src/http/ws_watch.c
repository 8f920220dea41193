/* ws_watch: the WebSocket watch-time service at /ws — sessions, heartbeats, group commit,
 * points and viewer counts pushed to players.
 *
 *   player ──hello──▶ welcome            (token: a member; none: a guest)
 *          ──watch.start──▶ watch.started (one session per connection and per member)
 *          ──heartbeat──▶ (queued) ──group commit──▶ heartbeat.ack [+ points.update]
 *          ──watch.stop──▶ heartbeat.ack + watch.ended
 *   server ──live.viewers / watch.ended (superseded, timeout) / error──▶ player
 *
 * Everything runs on the main loop: lws callbacks account a report at once with the
 * server's clock (watch_clock) and queue it; a timer stores the queue in one transaction
 * (points_apply per report) and only then acknowledges. */
#include "http/ws_watch.h"
#include "auth/auth.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/util.h"
#include "db/db_points.h"
#include "db/db_watch.h"
#include "http/ws_msg.h"
#include "points/points.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define RX_BUFFER 1024      /* lws reads a frame in pieces of this size */
#define OUT_QUEUE_MAX 64    /* messages waiting for a slow reader before it is dropped */
#define STRIKES_MAX 50      /* refused messages before the connection is closed */
#define SWEEP_MS 5000       /* how often silent sessions are looked for */
#define BATCH_MAX 2048      /* reports committed at once at most */

typedef struct Conn Conn;
typedef struct Session Session;
typedef struct Video Video;

struct WsWatch {
  Db *db;
  const guint8 *secret;
  const Config *config;
  guint64 next_conn_id;
  GHashTable *conns;          /* conn id -> Conn* */
  GHashTable *member_conns;   /* member id -> GPtrArray of Conn* */
  GHashTable *member_session; /* member id -> Session* (the active one) */
  GHashTable *videos;         /* video id -> Video* (those with sessions or pending writes) */
  GPtrArray *queue;           /* Item* waiting for the next commit */
  guint commit_timer, sweep_timer, viewers_timer;
  /* metrics */
  guint64 heartbeats, commits, commit_failures, awarded, errors;
  double commit_seconds;
  gint64 sessions;
};

struct Video {
  char *id;
  bool live;
  double duration;
  gint64 live_started_at;
  gint64 checked_at;     /* when live/duration were read (lives change) */
  GHashTable *sessions;  /* Session* set */
  int peak;              /* highest concurrent count seen */
  bool peak_dirty, viewers_dirty;
  gint64 viewers_pushed_at;
};

struct Session {
  char id[24];
  Video *video;
  Conn *conn;             /* NULL once its connection is gone */
  char *member_id;        /* NULL for a guest */
  WatchClock clock;
  gint64 started_at;      /* wall clock */
  gint64 last_seen_us;    /* monotonic */
  double played;
  gint64 credited;
  bool counted_view;
  SecondsMap guest;       /* a guest's credited seconds */
  bool ended;
  int pending;            /* queued items pointing here */
};

struct Conn {
  WsWatch *w;
  struct lws *wsi;
  guint64 id;
  bool helloed;
  char *member_id, *member_name;
  bool verified;
  Session *session;
  gint64 last_seq;
  GQueue out;             /* char* messages to send, oldest first */
  GString *rx;            /* a message arriving in pieces */
  double tokens;
  gint64 tokens_at;
  gint64 last_rx_us;      /* the last message (lws_set_timeout per message costs O(connections)) */
  int strikes;
  enum lws_close_status close_status; /* non-zero: close once the queue is sent */
};

typedef struct {
  Session *s;
  guint64 conn_id;
  gint64 seq;             /* 0: nothing to acknowledge */
  WatchSpan span;
  double position;
  gint64 now;
  const char *end_reason;
  WatchOutcome outcome;
} Item;

static void flush(WsWatch *w);
/* Its address marks a socket counted in lectern_connections_open. */
static char counted_mark;
static gboolean commit_tick(gpointer data);

/* ---- sending ------------------------------------------------------------- */

static void send_text(Conn *c, char *text)
{
  if (!c || c->close_status) {
    g_free(text);
    return;
  }
  if (g_queue_get_length(&c->out) >= OUT_QUEUE_MAX) {
    log_warn("ws", "connection %" G_GUINT64_FORMAT ": not reading; closing", c->id);
    g_free(text);
    c->close_status = LWS_CLOSE_STATUS_POLICY_VIOLATION;
    lws_callback_on_writable(c->wsi);
    return;
  }
  g_queue_push_tail(&c->out, text);
  lws_callback_on_writable(c->wsi);
}

static void send_error(Conn *c, const char *code, const char *message, bool fatal, gint64 seq)
{
  c->w->errors++;
  log_debug("ws", "connection %" G_GUINT64_FORMAT " (%s): %s: %s", c->id,
            c->member_id ? c->member_id : "guest", code, message);
  send_text(c, ws_msg_error(code, message, fatal, seq));
  if (fatal) {
    c->close_status = !strcmp(code, "too_large") ? LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE
                                                 : LWS_CLOSE_STATUS_POLICY_VIOLATION;
    lws_callback_on_writable(c->wsi);
  }
}

/* ---- videos and sessions -------------------------------------------------- */

static void video_free(Video *v)
{
  g_hash_table_unref(v->sessions);
  g_free(v->id);
  g_free(v);
}

/* The video by id, read from the database when new or when its facts are 5 s old (a live's
 * change; any video may have been unpublished or deleted meanwhile). */
static int video_get(WsWatch *w, const char *id, Video **out)
{
  Video *v = g_hash_table_lookup(w->videos, id);
  gint64 now = util_now();
  if (v && now - v->checked_at < 5) {
    *out = v;
    return 0;
  }
  WatchVideo info;
  int ret = db_watch_video(w->db, id, now, &info);
  if (ret < 0)
    return ret;
  if (!v) {
    v = g_new0(Video, 1);
    v->id = g_strdup(id);
    v->sessions = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(w->videos, v->id, v);
  }
  v->live = info.live;
  v->duration = info.duration;
  v->live_started_at = info.live_started_at;
  v->checked_at = now;
  *out = v;
  return 0;
}

/* How far into the video a position may be: its length, or a live's time on air. */
static double video_limit(Video *v)
{
  if (v->live)
    return (double)(util_now() - v->live_started_at) + 10;
  return v->duration > 0 ? v->duration : SECONDS_MAP_MAX_SECONDS;
}

static void viewers_changed(WsWatch *w, Video *v)
{
  int n = (int)g_hash_table_size(v->sessions);
  v->viewers_dirty = true;
  if (n > v->peak) {
    v->peak = n;
    v->peak_dirty = true;
  }
}

static void queue_item(WsWatch *w, Session *s, gint64 seq, const WatchSpan *span, double position,
                       const char *end_reason)
{
  Item *it = g_new0(Item, 1);
  it->s = s;
  it->conn_id = s->conn ? s->conn->id : 0;
  it->seq = seq;
  if (span)
    it->span = *span;
  it->position = position;
  it->now = util_now();
  it->end_reason = end_reason;
  s->pending++;
  g_ptr_array_add(w->queue, it);
  if (w->queue->len >= BATCH_MAX) {
    flush(w);
  } else if (!w->commit_timer) {
    w->commit_timer = g_timeout_add((guint)w->config->watch_commit_interval_ms, commit_tick, w);
  }
}

static void session_free(Session *s)
{
  seconds_map_clear(&s->guest);
  g_free(s->member_id);
  g_free(s);
}

/* Ends S for REASON: no more credit; its row is closed at the next commit. The player is
 * told when TELL. */
static void session_end(WsWatch *w, Session *s, const char *reason, bool tell)
{
  if (s->ended)
    return;
  s->ended = true;
  w->sessions--;
  g_hash_table_remove(s->video->sessions, s);
  viewers_changed(w, s->video);
  if (s->member_id && g_hash_table_lookup(w->member_session, s->member_id) == s)
    g_hash_table_remove(w->member_session, s->member_id);
  if (s->conn) {
    if (tell)
      send_text(s->conn, ws_msg_watch_ended(s->id, reason));
    s->conn->session = NULL;
    s->conn = NULL;
  }
  log_debug("ws", "session %s on %s (%s) ended: %s", s->id, s->video->id,
            s->member_id ? s->member_id : "guest", reason);
  queue_item(w, s, 0, NULL, s->clock.last_position, reason);
}

/* ---- group commit ------------------------------------------------------- */

static Conn *conn_by_id(WsWatch *w, guint64 id)
{
  return id ? g_hash_table_lookup(w->conns, &id) : NULL;
}

static void push_points(WsWatch *w, const Campaign *k, const char *member, gint64 earned)
{
  GPtrArray *conns = g_hash_table_lookup(w->member_conns, member);
  if (!conns)
    return;
  int rc = 0;
  JsonNode *summary = points_summary_json(w->db, k, member, util_now(), &rc);
  if (!summary)
    return;
  for (guint i = 0; i < conns->len; i++) {
    JsonNode *copy = json_node_copy(summary);
    send_text(conns->pdata[i], ws_msg_points_update(copy, earned));
  }
  json_node_unref(summary);
}

static void flush(WsWatch *w)
{
  if (w->commit_timer) {
    g_source_remove(w->commit_timer);
    w->commit_timer = 0;
  }
  if (w->queue->len == 0)
    return;
  GPtrArray *items = w->queue;
  w->queue = g_ptr_array_new();
  gint64 t0 = g_get_monotonic_time();
  Campaign *campaign = NULL;
  int ret = db_campaign_active(w->db, util_now(), &campaign);
  if (ret == -ENOENT)
    ret = 0;
  if (ret == 0)
    ret = db_begin(w->db);
  /* Session counters change only when the commit holds: work on copies. */
  GHashTable *snap = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  for (guint i = 0; ret == 0 && i < items->len; i++) {
    Item *it = items->pdata[i];
    Session *s = it->s;
    WatchCredit *c = g_hash_table_lookup(snap, s);
    if (!c) {
      c = g_new0(WatchCredit, 1);
      c->session_played = s->played;
      c->session_credited = s->credited;
      c->counted_view = s->counted_view;
      g_hash_table_insert(snap, s, c);
    }
    c->session_id = s->id;
    c->video_id = s->video->id;
    c->member_id = s->member_id;
    c->guest_seconds = s->member_id ? NULL : &s->guest;
    c->span = it->span;
    c->position = it->position;
    c->live = s->video->live;
    c->now = it->now;
    c->started_at = s->started_at;
    c->end_reason = it->end_reason;
    ret = points_apply(w->db, campaign, c, &it->outcome);
  }
  /* Peaks of concurrent viewers ride along. */
  GHashTableIter hi;
  gpointer key, value;
  g_hash_table_iter_init(&hi, w->videos);
  while (ret == 0 && g_hash_table_iter_next(&hi, &key, &value)) {
    Video *v = value;
    if (v->peak_dirty && (ret = db_watch_stats_peak(w->db, v->id, v->peak, util_now())) == 0)
      v->peak_dirty = false;
  }
  if (ret == 0)
    ret = db_commit(w->db);
  else
    db_rollback(w->db);

  if (ret == 0) {
    g_hash_table_iter_init(&hi, snap);
    while (g_hash_table_iter_next(&hi, &key, &value)) {
      Session *s = key;
      WatchCredit *c = value;
      s->played = c->session_played;
      s->credited = c->session_credited;
      s->counted_view = c->counted_view;
    }
    w->commits++;
  } else {
    w->commit_failures++;
    log_error("ws", "could not store %u watch reports (%s); they are not acknowledged",
              items->len, g_strerror(-ret));
    /* A guest's seconds were set in memory; the stored truth is the member's map. */
  }
  w->commit_seconds += (double)(g_get_monotonic_time() - t0) / 1e6;

  GHashTable *earned = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < items->len; i++) {
    Item *it = items->pdata[i];
    Conn *c = conn_by_id(w, it->conn_id);
    if (c && it->seq > 0) {
      if (ret == 0)
        send_text(c, ws_msg_ack(it->seq, it->outcome.new_seconds, it->outcome.video_credited,
                                it->outcome.points));
      else
        send_error(c, "not_saved", "the report could not be stored; it was not counted", false, it->seq);
    }
    if (ret == 0 && it->outcome.points > 0 && it->s->member_id) {
      gint64 sum = GPOINTER_TO_SIZE(g_hash_table_lookup(earned, it->s->member_id));
      g_hash_table_insert(earned, it->s->member_id, GSIZE_TO_POINTER(sum + it->outcome.points));
      w->awarded += (guint64)it->outcome.points;
    }
  }
  g_hash_table_iter_init(&hi, earned);
  while (g_hash_table_iter_next(&hi, &key, &value))
    push_points(w, campaign, key, (gint64)GPOINTER_TO_SIZE(value));
  g_hash_table_unref(earned);

  for (guint i = 0; i < items->len; i++) {
    Item *it = items->pdata[i];
    if (--it->s->pending == 0 && it->s->ended)
      session_free(it->s);
    g_free(it);
  }
  g_ptr_array_unref(items);
  g_hash_table_unref(snap);
  campaign_free(&campaign);
}

static gboolean commit_tick(gpointer data)
{
  WsWatch *w = data;
  w->commit_timer = 0;
  flush(w);
  return G_SOURCE_REMOVE;
}

/* Sessions silent for longer than WATCH_SILENCE_SECONDS end. */
static gboolean sweep_tick(gpointer data)
{
  WsWatch *w = data;
  gint64 now = g_get_monotonic_time();
  GPtrArray *silent = g_ptr_array_new();
  GHashTableIter hi;
  gpointer key, value;
  g_hash_table_iter_init(&hi, w->conns);
  while (g_hash_table_iter_next(&hi, &key, &value)) {
    Conn *c = value;
    if (c->session && now - c->session->last_seen_us > WATCH_SILENCE_SECONDS * G_USEC_PER_SEC)
      g_ptr_array_add(silent, c->session);
    if (!c->close_status && now - c->last_rx_us > w->config->watch_idle_timeout * G_USEC_PER_SEC) {
      c->close_status = LWS_CLOSE_STATUS_GOINGAWAY; /* idle: closed once the queue is sent */
      lws_callback_on_writable(c->wsi);
    }
  }
  for (guint i = 0; i < silent->len; i++)
    session_end(w, silent->pdata[i], "timeout", true);
  g_ptr_array_unref(silent);

  /* Videos nobody watches and nothing refers to are forgotten. */
  g_hash_table_iter_init(&hi, w->videos);
  while (g_hash_table_iter_next(&hi, &key, &value)) {
    Video *v = value;
    if (g_hash_table_size(v->sessions) == 0 && !v->peak_dirty && !v->viewers_dirty) {
      bool referenced = false;
      for (guint i = 0; i < w->queue->len && !referenced; i++)
        referenced = ((Item *)w->queue->pdata[i])->s->video == v;
      if (!referenced)
        g_hash_table_iter_remove(&hi);
    }
  }
  return G_SOURCE_CONTINUE;
}

/* Players of a live hear how many watch it. */
static gboolean viewers_tick(gpointer data)
{
  WsWatch *w = data;
  gint64 now = g_get_monotonic_time();
  GHashTableIter hi;
  gpointer key, value;
  g_hash_table_iter_init(&hi, w->videos);
  while (g_hash_table_iter_next(&hi, &key, &value)) {
    Video *v = value;
    int n = (int)g_hash_table_size(v->sessions);
    gint64 every = w->config->watch_viewers_interval * G_USEC_PER_SEC * (n > 5000 ? 3 : 1);
    if (!v->live)
      v->viewers_dirty = false;
    if (!v->viewers_dirty || now - v->viewers_pushed_at < every)
      continue;
    v->viewers_dirty = false;
    v->viewers_pushed_at = now;
    GHashTableIter si;
    gpointer sk;
    g_hash_table_iter_init(&si, v->sessions);
    while (g_hash_table_iter_next(&si, &sk, NULL)) {
      Session *s = sk;
      if (s->conn)
        send_text(s->conn, ws_msg_live_viewers(v->id, n));
    }
  }
  return G_SOURCE_CONTINUE;
}

/* ---- messages ------------------------------------------------------------- */

static void on_hello(WsWatch *w, Conn *c, const WsMessage *m)
{
  if (c->helloed) {
    send_error(c, "invalid_message", "hello was already said on this connection", false, 0);
    return;
  }
  JsonNode *points = NULL;
  if (m->token[0]) {
    Member *member = NULL;
    if (auth_token(w->db, w->secret, m->token, &member) < 0) {
      log_warn("ws", "connection %" G_GUINT64_FORMAT ": refused a credential that is not valid", c->id);
      send_error(c, "unauthorized", "the credential is not valid", true, 0);
      return;
    }
    c->member_id = g_strdup(member->id);
    c->member_name = g_strdup(member->display_name);
    c->verified = member->real_name_verified && !member->disqualified;
    member_free(&member);
    GPtrArray *list = g_hash_table_lookup(w->member_conns, c->member_id);
    if (!list) {
      list = g_ptr_array_new();
      g_hash_table_insert(w->member_conns, g_strdup(c->member_id), list);
    }
    g_ptr_array_add(list, c);
    Campaign *k = NULL;
    db_campaign_active(w->db, util_now(), &k);
    int rc = 0;
    points = points_summary_json(w->db, k, c->member_id, util_now(), &rc);
    campaign_free(&k);
  }
  c->helloed = true;
  send_text(c, ws_msg_welcome(c->member_id, c->member_name, c->verified, c->verified, points));
}

static void on_start(WsWatch *w, Conn *c, const WsMessage *m)
{
  Video *v = NULL;
  int ret = video_get(w, m->video, &v);
  if (ret < 0) {
    send_error(c, ret == -ENOENT ? "not_found" : "unavailable",
               ret == -ENOENT ? "no such video to watch (it may be a draft or not on air yet)"
                              : "the video cannot be looked up now", false, 0);
    return;
  }
  if (c->session)
    session_end(w, c->session, "switched", true);
  if (c->member_id) {
    Session *old = g_hash_table_lookup(w->member_session, c->member_id);
    if (old) {
      log_info("ws", "member %s started watching elsewhere; session %s superseded", c->member_id, old->id);
      session_end(w, old, "superseded", true);
    }
  }
  double limit = video_limit(v);
  if (m->report.position > limit + WATCH_POSITION_SLACK) {
    send_error(c, "position_out_of_range", "the position is past the end of the video", false, 0);
    return;
  }

  Session *s = g_new0(Session, 1);
  g_autofree char *sid = util_random_id(12);
  g_strlcpy(s->id, sid, sizeof s->id);
  s->video = v;
  s->conn = c;
  s->member_id = g_strdup(c->member_id);
  s->started_at = util_now();
  s->last_seen_us = g_get_monotonic_time();
  WatchReport start = m->report;
  start.seq = c->last_seq;
  watch_clock_start(&s->clock, s->last_seen_us, &start);
  c->session = s;
  w->sessions++;
  g_hash_table_add(v->sessions, s);
  if (s->member_id)
    g_hash_table_insert(w->member_session, s->member_id, s);
  viewers_changed(w, v);

  double resume = -1;
  gint64 credited = 0;
  if (s->member_id) {
    WatchProgress p = { 0 };
    if (db_watch_progress_get(w->db, s->member_id, v->id, &p) == 0 && p.exists) {
      resume = p.position;
      credited = p.credited;
    }
    watch_progress_clear(&p);
  }
  queue_item(w, s, 0, NULL, m->report.position, NULL);
  send_text(c, ws_msg_watch_started(s->id, v->id, v->live, resume, credited,
                                    (int)g_hash_table_size(v->sessions)));
}

static void on_report(WsWatch *w, Conn *c, const WsMessage *m)
{
  Session *s = c->session;
  gint64 seq = m->report.seq;
  if (!s || strcmp(s->video->id, m->video) != 0) {
    send_error(c, "no_session", "start watching this video first (watch.start)", false, seq);
    return;
  }
  WatchSpan span;
  gint64 now = g_get_monotonic_time();
  int ret = watch_clock_report(&s->clock, now, &m->report, video_limit(s->video), &span);
  if (ret == -ESTALE) {
    send_error(c, "stale", "seq must be higher than the last report's", false, seq);
    return;
  }
  c->last_seq = seq;
  s->last_seen_us = now;
  if (ret == -ERANGE) {
    log_info("ws", "session %s (%s): position %.1f is outside the video; not credited", s->id,
             s->member_id ? s->member_id : "guest", m->report.position);
    send_error(c, "position_out_of_range", "the position is outside the video; not counted", false, seq);
    return;
  }
  w->heartbeats++;
  queue_item(w, s, seq, &span, MIN(m->report.position, video_limit(s->video)), NULL);
  if (m->type == WS_WATCH_STOP)
    session_end(w, s, "stopped", true);
}

/* Token bucket: watch_message_rate per second, bursts of ten times that. */
static bool rate_ok(WsWatch *w, Conn *c)
{
  gint64 now = g_get_monotonic_time();
  double rate = (double)w->config->watch_message_rate;
  c->tokens = MIN(rate * 10, c->tokens + rate * (double)(now - c->tokens_at) / 1e6);
  c->tokens_at = now;
  if (c->tokens < 1)
    return false;
  c->tokens -= 1;
  return true;
}

static void on_message(WsWatch *w, Conn *c, const char *text, size_t len)
{
  c->last_rx_us = g_get_monotonic_time();
  if (!rate_ok(w, c)) {
    if (++c->strikes > STRIKES_MAX)
      send_error(c, "rate_limited", "too many messages; closing", true, 0);
    else
      send_error(c, "rate_limited", "too many messages; this one was dropped", false, 0);
    return;
  }
  WsMessage m;
  const char *code = NULL;
  char *why = NULL;
  if (ws_msg_decode(text, len, &m, &code, &why) < 0) {
    bool fatal = strcmp(code, "too_large") == 0 || ++c->strikes > STRIKES_MAX;
    send_error(c, code, why, fatal, 0);
    g_free(why);
    return;
  }
  if (m.type == WS_HELLO) {
    on_hello(w, c, &m);
    return;
  }
  if (!c->helloed) {
    send_error(c, "hello_required", "say hello first (with a token, or without for a guest)", false, 0);
    return;
  }
  if (m.type == WS_WATCH_START)
    on_start(w, c, &m);
  else
    on_report(w, c, &m);
}

/* ---- lws ---------------------------------------------------------------- */

static void conn_closed(WsWatch *w, Conn *c)
{
  if (!c->w)
    return;
  if (c->session)
    session_end(w, c->session, "disconnected", false);
  if (c->member_id) {
    GPtrArray *list = g_hash_table_lookup(w->member_conns, c->member_id);
    if (list) {
      g_ptr_array_remove_fast(list, c);
      if (list->len == 0)
        g_hash_table_remove(w->member_conns, c->member_id);
    }
  }
  g_hash_table_remove(w->conns, &c->id);
  char *text;
  while ((text = g_queue_pop_head(&c->out)))
    g_free(text);
  if (c->rx)
    g_string_free(c->rx, TRUE);
  g_free(c->member_id);
  g_free(c->member_name);
  memset(c, 0, sizeof *c);
}

static int callback_watch(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                          size_t len)
{
  const struct lws_protocols *proto = lws_get_protocol(wsi);
  WsWatch *w = proto ? proto->user : NULL;
  Conn *c = user;

  switch (reason) {
  case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION: {
    char uri[64];
    if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, WS_WATCH_PATH) != 0) {
      log_info("ws", "refused a WebSocket upgrade outside %s", WS_WATCH_PATH);
      return 1;
    }
    return 0;
  }
  case LWS_CALLBACK_ESTABLISHED:
    memset(c, 0, sizeof *c);
    c->w = w;
    c->wsi = wsi;
    c->id = ++w->next_conn_id;
    c->tokens = (double)w->config->watch_message_rate * 10;
    c->tokens_at = g_get_monotonic_time();
    g_queue_init(&c->out);
    c->last_rx_us = c->tokens_at;
    g_hash_table_insert(w->conns, &c->id, c);
    break;

  case LWS_CALLBACK_RECEIVE: {
    if (!c || !c->w || c->close_status)
      break;
    bool whole = lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0;
    if (lws_frame_is_binary(wsi)) {
      if (whole)
        send_error(c, "invalid_message", "messages are JSON text, not binary", false, 0);
      break;
    }
    if (whole && !c->rx) {
      on_message(w, c, in, len);
      break;
    }
    if (!c->rx)
      c->rx = g_string_sized_new(RX_BUFFER);
    if (c->rx->len + len > WS_MSG_MAX) {
      g_string_free(c->rx, TRUE);
      c->rx = NULL;
      log_warn("ws", "connection %" G_GUINT64_FORMAT ": message over %d bytes; closing", c->id, WS_MSG_MAX);
      send_error(c, "too_large", "a message may have at most 2048 bytes", true, 0);
      break;
    }
    g_string_append_len(c->rx, in, (gssize)len);
    if (whole) {
      GString *msg = c->rx;
      c->rx = NULL;
      on_message(w, c, msg->str, msg->len);
      g_string_free(msg, TRUE);
    }
    break;
  }

  case LWS_CALLBACK_SERVER_WRITEABLE: {
    if (!c || !c->w)
      break;
    char *text = g_queue_pop_head(&c->out);
    if (text) {
      size_t n = strlen(text);
      unsigned char *buf = g_malloc(LWS_PRE + n);
      memcpy(buf + LWS_PRE, text, n);
      int wrote = lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT);
      g_free(buf);
      g_free(text);
      if (wrote < (int)n)
        return -1;
    }
    if (!g_queue_is_empty(&c->out)) {
      lws_callback_on_writable(wsi);
    } else if (c->close_status) {
      lws_close_reason(wsi, c->close_status, NULL, 0);
      return -1;
    }
    break;
  }

  case LWS_CALLBACK_CLOSED:
    if (c && w)
      conn_closed(w, c);
    break;

  /* As the vhost's default protocol this callback hears of every accepted socket (HTTP
   * ones too); it counts them as http_server.c does, and the last callback bound to the
   * socket uncounts it. */
  case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
    lws_set_opaque_user_data(wsi, &counted_mark);
    metrics_connection_opened();
    break;

  case LWS_CALLBACK_WSI_DESTROY:
    if (lws_get_opaque_user_data(wsi))
      metrics_connection_closed();
    lws_set_opaque_user_data(wsi, NULL);
    break;

  default:
    break;
  }
  return 0;
}

/* ---- metrics and lifecycle --------------------------------------------------- */

static void metrics(GString *out, void *user)
{
  WsWatch *w = user;
  g_string_append_printf(out,
      "# HELP lectern_ws_connections WebSocket connections open at /ws.\n"
      "# TYPE lectern_ws_connections gauge\nlectern_ws_connections %u\n"
      "# HELP lectern_watch_sessions Players watching now (members and guests).\n"
      "# TYPE lectern_watch_sessions gauge\nlectern_watch_sessions %" G_GINT64_FORMAT "\n"
      "# HELP lectern_heartbeats_total Watch reports accounted.\n"
      "# TYPE lectern_heartbeats_total counter\nlectern_heartbeats_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_watch_commits_total Group commits of watch reports.\n"
      "# TYPE lectern_watch_commits_total counter\nlectern_watch_commits_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_watch_commit_failures_total Group commits that failed (not acknowledged).\n"
      "# TYPE lectern_watch_commit_failures_total counter\nlectern_watch_commit_failures_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_watch_commit_seconds_total Time spent storing watch reports.\n"
      "# TYPE lectern_watch_commit_seconds_total counter\nlectern_watch_commit_seconds_total %.6f\n"
      "# HELP lectern_points_awarded_total Points written to the ledger for watching.\n"
      "# TYPE lectern_points_awarded_total counter\nlectern_points_awarded_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_ws_errors_total Error messages sent to players.\n"
      "# TYPE lectern_ws_errors_total counter\nlectern_ws_errors_total %" G_GUINT64_FORMAT "\n"
      "# HELP lectern_live_viewers Players watching each live now.\n"
      "# TYPE lectern_live_viewers gauge\n",
      g_hash_table_size(w->conns), w->sessions, w->heartbeats, w->commits, w->commit_failures,
      w->commit_seconds, w->awarded, w->errors);
  GHashTableIter hi;
  gpointer key, value;
  g_hash_table_iter_init(&hi, w->videos);
  while (g_hash_table_iter_next(&hi, &key, &value)) {
    Video *v = value;
    if (v->live)
      g_string_append_printf(out, "lectern_live_viewers{video=\"%s\"} %u\n", v->id,
                             g_hash_table_size(v->sessions));
  }
}

WsWatch *ws_watch_new(Db *db, const guint8 *secret, const Config *config)
{
  WsWatch *w = g_new0(WsWatch, 1);
  w->db = db;
  w->secret = secret;
  w->config = config;
  w->conns = g_hash_table_new(g_int64_hash, g_int64_equal);
  w->member_conns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  w->member_session = g_hash_table_new(g_str_hash, g_str_equal);
  w->videos = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)video_free);
  w->queue = g_ptr_array_new();
  w->sweep_timer = g_timeout_add(SWEEP_MS, sweep_tick, w);
  w->viewers_timer = g_timeout_add(1000, viewers_tick, w);
  metrics_add_provider(metrics, w);
  return w;
}

struct lws_protocols ws_watch_protocol(WsWatch *w)
{
  return (struct lws_protocols){
    .name = WS_WATCH_PROTOCOL,
    .callback = callback_watch,
    .per_session_data_size = sizeof(Conn),
    .rx_buffer_size = RX_BUFFER,
    .user = w,
  };
}

void ws_watch_free(WsWatch **pw)
{
  WsWatch *w = *pw;
  if (!w)
    return;
  metrics_remove_provider(metrics, w);
  /* Connections still open (the context normally closed them) end their sessions now. */
  GList *conns = g_hash_table_get_values(w->conns);
  for (GList *l = conns; l; l = l->next)
    conn_closed(w, l->data);
  g_list_free(conns);
  flush(w);
  g_source_remove(w->sweep_timer);
  g_source_remove(w->viewers_timer);
  g_ptr_array_unref(w->queue);
  g_hash_table_unref(w->conns);
  g_hash_table_unref(w->member_conns);
  g_hash_table_unref(w->member_session);
  g_hash_table_unref(w->videos);
  g_free(w);
  *pw = NULL;
}
