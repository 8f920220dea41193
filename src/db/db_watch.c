/* db_watch: watch sessions, members' progress per video, and viewing statistics. */
#include "db/db_watch.h"
#include "db/db_video.h"
#include "core/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void watch_progress_clear(WatchProgress *p)
{
  g_free(p->seconds);
  memset(p, 0, sizeof *p);
}

int db_watch_progress_get(Db *db, const char *member, const char *video, WatchProgress *p)
{
  watch_progress_clear(p);
  sqlite3_stmt *st = db_cached(db,
      "SELECT seconds, credited, earned_seconds, live_seconds, played_seconds, position, viewed "
      "FROM watch_progress WHERE member_id = ?1 AND video_id = ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, video, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  int ret = 0;
  if (rc == SQLITE_ROW) {
    p->exists = true;
    size_t len = (size_t)sqlite3_column_bytes(st, 0);
    if (len > DB_WATCH_SECONDS_MAX_BYTES)
      ret = -EINVAL;
    else if (len > 0) {
      p->seconds = g_memdup2(sqlite3_column_blob(st, 0), len);
      p->seconds_len = len;
    }
    p->credited = sqlite3_column_int64(st, 1);
    p->earned_seconds = sqlite3_column_int64(st, 2);
    p->live_seconds = sqlite3_column_int64(st, 3);
    p->played_seconds = sqlite3_column_double(st, 4);
    p->position = sqlite3_column_double(st, 5);
    p->viewed = sqlite3_column_int(st, 6) != 0;
  } else if (rc != SQLITE_DONE) {
    ret = db_errno(rc);
  }
  sqlite3_reset(st);
  return ret;
}

int db_watch_progress_put(Db *db, const char *member, const char *video, const WatchProgress *p,
                          gint64 now)
{
  sqlite3_stmt *st = db_cached(db,
      "INSERT INTO watch_progress (member_id, video_id, seconds, credited, earned_seconds, "
      "live_seconds, played_seconds, position, viewed, first_watched_at, last_watched_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) ON CONFLICT (member_id, video_id) "
      "DO UPDATE SET seconds = ?3, credited = ?4, earned_seconds = ?5, live_seconds = ?6, "
      "played_seconds = ?7, position = ?8, viewed = ?9, last_watched_at = ?10");
  if (!st)
    return -EIO;
  size_t len = p->seconds_len;
  while (len > 0 && p->seconds[len - 1] == 0)
    len--; /* the map grows in steps; store only what is used */
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, video, -1, SQLITE_STATIC);
  sqlite3_bind_blob(st, 3, len ? (const void *)p->seconds : "", (int)len, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, p->credited);
  sqlite3_bind_int64(st, 5, p->earned_seconds);
  sqlite3_bind_int64(st, 6, p->live_seconds);
  sqlite3_bind_double(st, 7, p->played_seconds);
  sqlite3_bind_double(st, 8, p->position);
  sqlite3_bind_int(st, 9, p->viewed);
  sqlite3_bind_int64(st, 10, now);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_watch_session_put(Db *db, const WatchSessionRow *s)
{
  sqlite3_stmt *st = db_cached(db,
      "INSERT INTO watch_session (id, video_id, member_id, started_at, last_seen_at, ended_at, "
      "end_reason, played_seconds, credited_seconds, counted_view) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (id) DO UPDATE SET "
      "last_seen_at = ?5, ended_at = ?6, end_reason = ?7, played_seconds = ?8, "
      "credited_seconds = ?9, counted_view = ?10");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, s->video_id, -1, SQLITE_STATIC);
  if (s->member_id)
    sqlite3_bind_text(st, 3, s->member_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, s->started_at);
  sqlite3_bind_int64(st, 5, s->last_seen_at);
  if (s->ended_at)
    sqlite3_bind_int64(st, 6, s->ended_at);
  if (s->end_reason)
    sqlite3_bind_text(st, 7, s->end_reason, -1, SQLITE_STATIC);
  sqlite3_bind_double(st, 8, s->played_seconds);
  sqlite3_bind_int64(st, 9, s->credited_seconds);
  sqlite3_bind_int(st, 10, s->counted_view);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_watch_stats_add(Db *db, const char *video, int views, int guest_views, int unique_viewers,
                       double watch_seconds)
{
  sqlite3_stmt *st = db_cached(db,
      "INSERT INTO video_stats (video_id, views, guest_views, unique_viewers, watch_seconds) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (video_id) DO UPDATE SET views = views + ?2, "
      "guest_views = guest_views + ?3, unique_viewers = unique_viewers + ?4, "
      "watch_seconds = watch_seconds + ?5");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, views);
  sqlite3_bind_int(st, 3, guest_views);
  sqlite3_bind_int(st, 4, unique_viewers);
  sqlite3_bind_double(st, 5, watch_seconds);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_watch_stats_peak(Db *db, const char *video, int concurrent, gint64 at)
{
  sqlite3_stmt *st = db_cached(db,
      "INSERT INTO video_stats (video_id, peak_concurrent, peak_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (video_id) DO UPDATE SET peak_concurrent = ?2, peak_at = ?3 "
      "WHERE peak_concurrent < ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, concurrent);
  sqlite3_bind_int64(st, 3, at);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int db_watch_retention_add(Db *db, const char *video, guint bucket)
{
  sqlite3_stmt *st = db_cached(db,
      "INSERT INTO video_retention (video_id, bucket, viewers) VALUES (?1, ?2, 1) "
      "ON CONFLICT (video_id, bucket) DO UPDATE SET viewers = viewers + 1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, bucket);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : db_errno(rc);
}

JsonNode *db_watch_stats_json(Db *db, const char *video, int *rc)
{
  gint64 views = 0, guest_views = 0, unique = 0, peak = 0, peak_at = 0;
  double watch = 0, duration_s = 0;
  sqlite3_stmt *st = db_prepare(db,
      "SELECT s.views, s.guest_views, s.unique_viewers, s.watch_seconds, s.peak_concurrent, "
      "s.peak_at, (SELECT duration_ms FROM video WHERE id = ?1) "
      "FROM (SELECT 1) LEFT JOIN video_stats s ON s.video_id = ?1");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_text(st, 1, video, -1, SQLITE_STATIC);
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    views = sqlite3_column_int64(st, 0);
    guest_views = sqlite3_column_int64(st, 1);
    unique = sqlite3_column_int64(st, 2);
    watch = sqlite3_column_double(st, 3);
    peak = sqlite3_column_int64(st, 4);
    peak_at = sqlite3_column_int64(st, 5);
    duration_s = (double)sqlite3_column_int64(st, 6) / 1000.0;
  }
  sqlite3_finalize(st);
  if (step != SQLITE_ROW && step != SQLITE_DONE) {
    *rc = db_errno(step);
    return NULL;
  }

  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "video_id");
  json_builder_add_string_value(b, video);
  json_builder_set_member_name(b, "views");
  json_builder_add_int_value(b, views);
  json_builder_set_member_name(b, "member_views");
  json_builder_add_int_value(b, views - guest_views);
  json_builder_set_member_name(b, "guest_views");
  json_builder_add_int_value(b, guest_views);
  json_builder_set_member_name(b, "unique_viewers");
  json_builder_add_int_value(b, unique);
  json_builder_set_member_name(b, "watch_seconds");
  json_builder_add_int_value(b, (gint64)llround(watch));
  json_builder_set_member_name(b, "average_watch_seconds");
  json_builder_add_int_value(b, views ? (gint64)llround(watch / (double)views) : 0);
  json_builder_set_member_name(b, "peak_concurrent");
  json_builder_add_int_value(b, peak);
  json_builder_set_member_name(b, "peak_at");
  if (peak_at) {
    g_autofree char *t = util_iso8601(peak_at);
    json_builder_add_string_value(b, t);
  } else {
    json_builder_add_null_value(b);
  }

  /* Retention: viewers per 10 s bucket, every bucket listed (zeros included). */
  GArray *counts = g_array_new(FALSE, TRUE, sizeof(gint64));
  if (duration_s > 0)
    g_array_set_size(counts, (guint)ceil(duration_s / 10.0));
  st = db_prepare(db, "SELECT bucket, viewers FROM video_retention WHERE video_id = ?1 ORDER BY bucket");
  step = SQLITE_ERROR;
  if (st) {
    sqlite3_bind_text(st, 1, video, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
      gint64 bucket = sqlite3_column_int64(st, 0);
      if (bucket < 0 || bucket >= DB_WATCH_SECONDS_MAX_BYTES * 8 / 10)
        continue;
      if ((guint)bucket >= counts->len)
        g_array_set_size(counts, (guint)bucket + 1);
      g_array_index(counts, gint64, bucket) = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
  }
  json_builder_set_member_name(b, "retention");
  json_builder_begin_array(b);
  for (guint i = 0; i < counts->len; i++) {
    gint64 n = g_array_index(counts, gint64, i);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "from");
    json_builder_add_int_value(b, (gint64)i * 10);
    json_builder_set_member_name(b, "viewers");
    json_builder_add_int_value(b, n);
    json_builder_set_member_name(b, "share");
    json_builder_add_double_value(b, views ? round((double)n / (double)views * 1000) / 1000 : 0);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  g_array_unref(counts);
  json_builder_end_object(b);
  return db_json_done(b, step, rc);
}

JsonNode *db_watch_history_json(Db *db, const char *member, int limit, int *rc)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT p.video_id, v.title, v.duration_ms, p.position, p.credited, p.played_seconds, "
      "p.first_watched_at, p.last_watched_at FROM watch_progress p JOIN video v ON v.id = p.video_id "
      "WHERE p.member_id = ?1 AND v.deleted_at IS NULL ORDER BY p.last_watched_at DESC, p.video_id LIMIT ?2");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, limit);
  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    json_builder_begin_object(b);
    db_json_text(b, "video_id", st, 0);
    db_json_text(b, "title", st, 1);
    json_builder_set_member_name(b, "duration");
    if (sqlite3_column_type(st, 2) == SQLITE_NULL)
      json_builder_add_null_value(b);
    else
      json_builder_add_double_value(b, (double)sqlite3_column_int64(st, 2) / 1000.0);
    json_builder_set_member_name(b, "position");
    json_builder_add_double_value(b, round(sqlite3_column_double(st, 3) * 10) / 10);
    json_builder_set_member_name(b, "credited_seconds");
    json_builder_add_int_value(b, sqlite3_column_int64(st, 4));
    json_builder_set_member_name(b, "played_seconds");
    json_builder_add_int_value(b, (gint64)llround(sqlite3_column_double(st, 5)));
    db_json_time(b, "first_watched_at", st, 6);
    db_json_time(b, "last_watched_at", st, 7);
    json_builder_end_object(b);
  }
  sqlite3_finalize(st);
  return db_json_array_done(b, step, rc);
}

int db_watch_video(Db *db, const char *video, gint64 now, WatchVideo *out)
{
  *out = (WatchVideo){ 0 };
  sqlite3_stmt *st = db_cached(db,
      "SELECT v.state, v.duration_ms, " DB_VIDEO_LIVE_STARTED " FROM video v WHERE v.id = ?1 "
      "AND v.deleted_at IS NULL AND (v.visibility = 'unlisted' OR (v.visibility = 'published' AND coalesce(v.publish_at, 0) <= ?2)) "
      "AND v.state IN ('live', 'ready')");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, now);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : db_errno(rc);
  if (ret == 0) {
    out->live = g_strcmp0(db_col_text(st, 0), "live") == 0;
    out->duration = (double)sqlite3_column_int64(st, 1) / 1000.0;
    out->live_started_at = sqlite3_column_type(st, 2) == SQLITE_NULL ? now : sqlite3_column_int64(st, 2);
  }
  sqlite3_reset(st);
  return ret;
}

int db_watch_viewers_now(Db *db, const char *video, gint64 since, int *out)
{
  *out = 0;
  sqlite3_stmt *st = db_cached(db,
      "SELECT count(*) FROM watch_session WHERE video_id = ?1 AND ended_at IS NULL "
      "AND last_seen_at >= ?2");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, video, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, since);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int(st, 0);
  sqlite3_reset(st);
  return rc == SQLITE_ROW ? 0 : db_errno(rc);
}

/* Time zones are whole quarter hours off UTC, so views counted per UTC quarter hour fold
 * into local days exactly, and the database returns at most 96 rows a day. */
#define QUARTER 900

static void day_parse(const char *text, GDate *out)
{
  unsigned y = 0, m = 0, d = 0;
  g_date_clear(out, 1);
  if (sscanf(text, "%4u-%2u-%2u", &y, &m, &d) == 3 && g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
    g_date_set_dmy(out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
}

JsonNode *db_watch_views_per_day_json(Db *db, const char *video, GTimeZone *tz, int *rc)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT started_at / 900, count(*) FROM watch_session WHERE video_id = ?1 AND counted_view = 1 "
      "GROUP BY 1 ORDER BY 1");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_text(st, 1, video, -1, SQLITE_STATIC);
  /* days in order: "YYYY-MM-DD" -> views; the quarters come sorted, so days do too */
  GPtrArray *days = g_ptr_array_new_with_free_func(g_free);
  GArray *views = g_array_new(FALSE, TRUE, sizeof(gint64));
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    GDateTime *utc = g_date_time_new_from_unix_utc(sqlite3_column_int64(st, 0) * QUARTER);
    GDateTime *local = utc ? g_date_time_to_timezone(utc, tz) : NULL;
    char *day = local ? g_date_time_format(local, "%Y-%m-%d") : NULL;
    if (day && (!days->len || strcmp(days->pdata[days->len - 1], day) != 0)) {
      g_ptr_array_add(days, day);
      g_array_set_size(views, days->len);
    } else {
      g_free(day);
    }
    if (day)
      g_array_index(views, gint64, days->len - 1) += sqlite3_column_int64(st, 1);
    if (local)
      g_date_time_unref(local);
    if (utc)
      g_date_time_unref(utc);
  }
  sqlite3_finalize(st);

  JsonBuilder *b = json_builder_new();
  json_builder_begin_array(b);
  if (days->len) {
    /* Every day from the first to the last, counted on a calendar (not in seconds, which
     * a daylight-saving day would throw off). */
    GDate first, last, d;
    day_parse(days->pdata[0], &first);
    day_parse(days->pdata[days->len - 1], &last);
    d = first;
    gint span = g_date_days_between(&first, &last);
    if (span >= DB_WATCH_DAYS_MAX)
      g_date_add_days(&d, (guint)(span - DB_WATCH_DAYS_MAX + 1));
    guint next = 0;
    for (; g_date_valid(&d) && g_date_compare(&d, &last) <= 0; g_date_add_days(&d, 1)) {
      char day[16];
      g_snprintf(day, sizeof day, "%04d-%02d-%02d", g_date_get_year(&d), g_date_get_month(&d),
                 g_date_get_day(&d));
      while (next < days->len && strcmp(days->pdata[next], day) < 0)
        next++;
      gint64 n = next < days->len && strcmp(days->pdata[next], day) == 0 ? g_array_index(views, gint64, next) : 0;
      json_builder_begin_object(b);
      json_builder_set_member_name(b, "day");
      json_builder_add_string_value(b, day);
      json_builder_set_member_name(b, "views");
      json_builder_add_int_value(b, n);
      json_builder_end_object(b);
    }
  }
  g_ptr_array_unref(days);
  g_array_unref(views);
  return db_json_array_done(b, step, rc);
}

typedef struct {
  gint64 t;
  int delta;
} SessionEdge;

static gint edge_order(gconstpointer a, gconstpointer b)
{
  const SessionEdge *x = a, *y = b;
  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  return x->delta - y->delta; /* leaving before joining: a superseded session is not two */
}

JsonNode *db_watch_live_viewers_json(Db *db, const char *video, gint64 now, int *rc)
{
  sqlite3_stmt *st = db_prepare(db,
      "SELECT (SELECT min(at) FROM video_state_log WHERE video_id = ?1 AND to_state = 'live'), "
      "(SELECT max(at) FROM video_state_log WHERE video_id = ?1 AND from_state = 'live' AND to_state != 'live'), "
      "(SELECT state FROM video WHERE id = ?1)");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_text(st, 1, video, -1, SQLITE_STATIC);
  int step = sqlite3_step(st);
  bool was_live = step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
  gint64 from = was_live ? sqlite3_column_int64(st, 0) : 0;
  gint64 until = sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 1);
  bool on_air = was_live && g_strcmp0(db_col_text(st, 2), "live") == 0;
  sqlite3_finalize(st);
  if (step != SQLITE_ROW) {
    *rc = db_errno(step);
    return NULL;
  }
  if (on_air || until < from)
    until = now;
  if (!was_live || until <= from)
    return json_node_new(JSON_NODE_NULL);

  gint64 span = until - from;
  gint64 bucket = MAX(10, (span + DB_WATCH_LIVE_POINTS * 10 - 1) / (DB_WATCH_LIVE_POINTS * 10) * 10);

  st = db_prepare(db,
      "SELECT started_at, max(coalesce(ended_at, last_seen_at), started_at + 1) FROM watch_session "
      "WHERE video_id = ?1 AND started_at < ?3 AND coalesce(ended_at, last_seen_at) >= ?2");
  if (!st) {
    *rc = -EIO;
    return NULL;
  }
  sqlite3_bind_text(st, 1, video, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, from);
  sqlite3_bind_int64(st, 3, until);
  GArray *edges = g_array_new(FALSE, FALSE, sizeof(SessionEdge));
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    SessionEdge in = { sqlite3_column_int64(st, 0), 1 }, out = { sqlite3_column_int64(st, 1), -1 };
    g_array_append_val(edges, in);
    g_array_append_val(edges, out);
  }
  sqlite3_finalize(st);
  g_array_sort(edges, edge_order);

  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  g_autofree char *a = util_iso8601(from), *z = util_iso8601(until);
  json_builder_set_member_name(b, "started_at");
  json_builder_add_string_value(b, a);
  json_builder_set_member_name(b, "ended_at");
  if (on_air)
    json_builder_add_null_value(b);
  else
    json_builder_add_string_value(b, z);
  json_builder_set_member_name(b, "step");
  json_builder_add_int_value(b, bucket);
  json_builder_set_member_name(b, "points");
  json_builder_begin_array(b);
  /* A sweep over the sessions' edges: each point is the most viewers at once in its step. */
  int current = 0;
  guint j = 0;
  for (gint64 t = from; t < until; t += bucket) {
    while (j < edges->len && g_array_index(edges, SessionEdge, j).t <= t)
      current += g_array_index(edges, SessionEdge, j++).delta;
    int most = current;
    while (j < edges->len && g_array_index(edges, SessionEdge, j).t < t + bucket) {
      current += g_array_index(edges, SessionEdge, j++).delta;
      most = MAX(most, current);
    }
    g_autofree char *at = util_iso8601(t);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "at");
    json_builder_add_string_value(b, at);
    json_builder_set_member_name(b, "viewers");
    json_builder_add_int_value(b, most);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
  g_array_unref(edges);
  return db_json_done(b, step, rc);
}
