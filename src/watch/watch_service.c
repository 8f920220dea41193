/* watch_service: the watch-time service core — sessions, heartbeats, group commit, points
 * and viewer counts, with no sockets.
 *
 *   transport ──start──▶ session (one per connection and per member) ──started──▶
 *             ──report──▶ accounted at once with the server's clock (watch_clock), queued
 *                          ──commit (timer or BATCH_MAX)──▶ stored in one transaction
 *                          (points_apply per report) ──▶ ack / error not_saved [+ points]
 *   sweep: silence ends sessions (timeout); viewers: players of a live hear the count.
 *
 * The transport owns connections; here a connection is only its id, the member on it, its
 * session and the last report's seq. */
#include "watch/watch_service.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/util.h"
#include "db/db_points.h"
#include "db/db_watch.h"
#include "points/points.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define SWEEP_MS 5000       /* how often silent sessions are looked for */
#define BATCH_MAX 2048      /* reports committed at once at most */

typedef struct WatchConn WatchConn;
typedef struct Session Session;
typedef struct Video Video;

struct WatchService {
  Db *db;
  const Config *config;
  WatchIo io;
  gint64 (*now_us)(void *user);
  void *clock_user;
  GHashTable *conns;          /* conn id -> WatchConn* (those that started watching) */
  GHashTable *member_session; /* member id -> Session* (the active one) */
  GHashTable *videos;         /* video id -> Video* (those with sessions or pending writes) */
  GPtrArray *queue;           /* Item* waiting for the next commit */
  guint commit_timer, sweep_timer, viewers_timer;
  /* metrics */
  guint64 heartbeats, commits, commit_failures, awarded;
  double commit_seconds;
  gint64 sessions;
};

struct Video {
  char *id;
  bool live;
  double duration;
  gint64 live_started_at;
  gint64 checked_at;     /* when live/duration were read (lives change, videos get deleted) */
  GHashTable *sessions;  /* Session* set */
  int peak;              /* highest concurrent count seen */
  bool peak_dirty, viewers_dirty;
  gint64 viewers_pushed_at;
};

struct Session {
  char id[24];
  Video *video;
  WatchConn *conn;        /* NULL once its connection is gone */
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

struct WatchConn {
  guint64 id;
  char *member_id;
  Session *session;
  gint64 last_seq;
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

static gboolean commit_tick(gpointer data);

static gint64 mono_now(WatchService *w)
{
  return w->now_us ? w->now_us(w->clock_user) : g_get_monotonic_time();
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
static int video_get(WatchService *w, const char *id, Video **out)
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

static void viewers_changed(Video *v)
{
  int n = (int)g_hash_table_size(v->sessions);
  v->viewers_dirty = true;
  if (n > v->peak) {
    v->peak = n;
    v->peak_dirty = true;
  }
}

static void queue_item(WatchService *w, Session *s, gint64 seq, const WatchSpan *span, double position,
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
    watch_service_commit(w);
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
static void session_end(WatchService *w, Session *s, const char *reason, bool tell)
{
  if (s->ended)
    return;
  s->ended = true;
  w->sessions--;
  g_hash_table_remove(s->video->sessions, s);
  viewers_changed(s->video);
  if (s->member_id && g_hash_table_lookup(w->member_session, s->member_id) == s)
    g_hash_table_remove(w->member_session, s->member_id);
  if (s->conn) {
    if (tell)
      w->io.ended(w->io.user, s->conn->id, s->id, reason);
    s->conn->session = NULL;
    s->conn = NULL;
  }
  log_debug("watch", "session %s on %s (%s) ended: %s", s->id, s->video->id,
            s->member_id ? s->member_id : "guest", reason);
  queue_item(w, s, 0, NULL, s->clock.last_position, reason);
}

/* ---- group commit ------------------------------------------------------- */

static void push_points(WatchService *w, const Campaign *k, const char *member, gint64 earned)
{
  if (w->io.member_online && !w->io.member_online(w->io.user, member))
    return;
  int rc = 0;
  JsonNode *summary = points_summary_json(w->db, k, member, util_now(), &rc);
  if (summary)
    w->io.points(w->io.user, member, summary, earned);
}

void watch_service_commit(WatchService *w)
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
    log_error("watch", "could not store %u watch reports (%s); they are not acknowledged",
              items->len, g_strerror(-ret));
    /* A guest's seconds were set in memory; the stored truth is the member's map. */
  }
  w->commit_seconds += (double)(g_get_monotonic_time() - t0) / 1e6;

  GHashTable *earned = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < items->len; i++) {
    Item *it = items->pdata[i];
    /* Only a connection still open hears of its report. */
    if (it->seq > 0 && it->conn_id && g_hash_table_contains(w->conns, &it->conn_id)) {
      if (ret == 0)
        w->io.ack(w->io.user, it->conn_id, it->seq, &it->outcome);
      else
        w->io.error(w->io.user, it->conn_id, "not_saved", "the report could not be stored; it was not counted",
                    it->seq);
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
  WatchService *w = data;
  w->commit_timer = 0;
  watch_service_commit(w);
  return G_SOURCE_REMOVE;
}

void watch_service_sweep(WatchService *w)
{
  gint64 now = mono_now(w);
  GPtrArray *silent = g_ptr_array_new();
  GHashTableIter hi;
  gpointer key, value;
  g_hash_table_iter_init(&hi, w->conns);
  while (g_hash_table_iter_next(&hi, &key, &value)) {
    WatchConn *c = value;
    if (c->session && now - c->session->last_seen_us > WATCH_SILENCE_SECONDS * G_USEC_PER_SEC)
      g_ptr_array_add(silent, c->session);
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
}

static gboolean sweep_tick(gpointer data)
{
  watch_service_sweep(data);
  return G_SOURCE_CONTINUE;
}

void watch_service_push_viewers(WatchService *w)
{
  gint64 now = mono_now(w);
  GArray *conns = g_array_new(FALSE, FALSE, sizeof(guint64));
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
    g_array_set_size(conns, 0);
    GHashTableIter si;
    gpointer sk;
    g_hash_table_iter_init(&si, v->sessions);
    while (g_hash_table_iter_next(&si, &sk, NULL)) {
      Session *s = sk;
      if (s->conn)
        g_array_append_val(conns, s->conn->id);
    }
    if (conns->len)
      w->io.viewers(w->io.user, v->id, n, (const guint64 *)(void *)conns->data, conns->len);
  }
  g_array_unref(conns);
}

static gboolean viewers_tick(gpointer data)
{
  watch_service_push_viewers(data);
  return G_SOURCE_CONTINUE;
}

int watch_service_viewers(WatchService *w, const char *video)
{
  Video *v = g_hash_table_lookup(w->videos, video);
  return v ? (int)g_hash_table_size(v->sessions) : 0;
}

/* ---- requests ------------------------------------------------------------- */

static WatchConn *conn_get(WatchService *w, guint64 id, const char *member)
{
  WatchConn *c = g_hash_table_lookup(w->conns, &id);
  if (!c) {
    c = g_new0(WatchConn, 1);
    c->id = id;
    c->member_id = g_strdup(member);
    g_hash_table_insert(w->conns, &c->id, c);
  }
  return c;
}

void watch_service_start(WatchService *w, guint64 conn, const char *member, const char *video,
                         const WatchReport *report)
{
  Video *v = NULL;
  int ret = video_get(w, video, &v);
  if (ret < 0) {
    w->io.error(w->io.user, conn, ret == -ENOENT ? "not_found" : "unavailable",
                ret == -ENOENT ? "no such video to watch (it may be a draft or not on air yet)"
                               : "the video cannot be looked up now", 0);
    return;
  }
  WatchConn *c = conn_get(w, conn, member);
  if (c->session)
    session_end(w, c->session, "switched", true);
  if (c->member_id) {
    Session *old = g_hash_table_lookup(w->member_session, c->member_id);
    if (old) {
      log_info("watch", "member %s started watching elsewhere; session %s superseded", c->member_id, old->id);
      session_end(w, old, "superseded", true);
    }
  }
  double limit = video_limit(v);
  if (report->position > limit + WATCH_POSITION_SLACK) {
    w->io.error(w->io.user, conn, "position_out_of_range", "the position is past the end of the video", 0);
    return;
  }

  Session *s = g_new0(Session, 1);
  g_autofree char *sid = util_random_id(12);
  g_strlcpy(s->id, sid, sizeof s->id);
  s->video = v;
  s->conn = c;
  s->member_id = g_strdup(c->member_id);
  s->started_at = util_now();
  s->last_seen_us = mono_now(w);
  WatchReport start = *report;
  start.seq = c->last_seq;
  watch_clock_start(&s->clock, s->last_seen_us, &start);
  c->session = s;
  w->sessions++;
  g_hash_table_add(v->sessions, s);
  if (s->member_id)
    g_hash_table_insert(w->member_session, s->member_id, s);
  viewers_changed(v);

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
  queue_item(w, s, 0, NULL, report->position, NULL);
  w->io.started(w->io.user, conn, s->id, v->id, v->live, resume, credited, (int)g_hash_table_size(v->sessions));
}

void watch_service_report(WatchService *w, guint64 conn, const char *video, const WatchReport *report,
                          bool stop)
{
  WatchConn *c = g_hash_table_lookup(w->conns, &conn);
  Session *s = c ? c->session : NULL;
  gint64 seq = report->seq;
  if (!s || strcmp(s->video->id, video) != 0) {
    w->io.error(w->io.user, conn, "no_session", "start watching this video first (watch.start)", seq);
    return;
  }
  WatchSpan span;
  gint64 now = mono_now(w);
  int ret = watch_clock_report(&s->clock, now, report, video_limit(s->video), &span);
  if (ret == -ESTALE) {
    w->io.error(w->io.user, conn, "stale", "seq must be higher than the last report's", seq);
    return;
  }
  c->last_seq = seq;
  s->last_seen_us = now;
  if (ret == -ERANGE) {
    log_info("watch", "session %s (%s): position %.1f is outside the video; not credited", s->id,
             s->member_id ? s->member_id : "guest", report->position);
    w->io.error(w->io.user, conn, "position_out_of_range", "the position is outside the video; not counted", seq);
    return;
  }
  w->heartbeats++;
  queue_item(w, s, seq, &span, MIN(report->position, video_limit(s->video)), NULL);
  if (stop)
    session_end(w, s, "stopped", true);
}

void watch_service_conn_closed(WatchService *w, guint64 conn)
{
  WatchConn *c = g_hash_table_lookup(w->conns, &conn);
  if (!c)
    return;
  if (c->session)
    session_end(w, c->session, "disconnected", false);
  g_hash_table_remove(w->conns, &conn);
}

JsonNode *watch_service_points_summary(WatchService *w, const char *member)
{
  Campaign *k = NULL;
  db_campaign_active(w->db, util_now(), &k);
  int rc = 0;
  JsonNode *points = points_summary_json(w->db, k, member, util_now(), &rc);
  campaign_free(&k);
  return points;
}

/* ---- metrics and lifecycle --------------------------------------------------- */

static void metrics(GString *out, void *user)
{
  WatchService *w = user;
  g_string_append_printf(out,
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
      "# HELP lectern_live_viewers Players watching each live now.\n"
      "# TYPE lectern_live_viewers gauge\n",
      w->sessions, w->heartbeats, w->commits, w->commit_failures, w->commit_seconds, w->awarded);
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

static void watch_conn_free(WatchConn *c)
{
  g_free(c->member_id);
  g_free(c);
}

WatchService *watch_service_new(Db *db, const Config *config, const WatchIo *io)
{
  WatchService *w = g_new0(WatchService, 1);
  w->db = db;
  w->config = config;
  w->io = *io;
  w->conns = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, (GDestroyNotify)watch_conn_free);
  w->member_session = g_hash_table_new(g_str_hash, g_str_equal);
  w->videos = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)video_free);
  w->queue = g_ptr_array_new();
  w->sweep_timer = g_timeout_add(SWEEP_MS, sweep_tick, w);
  w->viewers_timer = g_timeout_add(1000, viewers_tick, w);
  metrics_add_provider(metrics, w);
  return w;
}

void watch_service_set_clock(WatchService *w, gint64 (*now_us)(void *user), void *user)
{
  w->now_us = now_us;
  w->clock_user = user;
}

void watch_service_free(WatchService **pw)
{
  WatchService *w = *pw;
  if (!w)
    return;
  metrics_remove_provider(metrics, w);
  /* Connections the transport did not report closed end their sessions now. */
  GList *ids = g_hash_table_get_keys(w->conns);
  for (GList *l = ids; l; l = l->next)
    watch_service_conn_closed(w, *(guint64 *)l->data);
  g_list_free(ids);
  watch_service_commit(w);
  g_source_remove(w->sweep_timer);
  g_source_remove(w->viewers_timer);
  g_ptr_array_unref(w->queue);
  g_hash_table_unref(w->conns);
  g_hash_table_unref(w->member_session);
  g_hash_table_unref(w->videos);
  g_free(w);
  *pw = NULL;
}
