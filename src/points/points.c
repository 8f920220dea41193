/* points: turns credited watch time into progress, statistics and ledger entries. */
#include "points/points.h"
#include "core/log.h"
#include "db/db_watch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static GTimeZone *zone(const char *tz)
{
  return g_time_zone_new_identifier(tz && tz[0] ? tz : "Asia/Shanghai");
}

char *points_zone_day(GTimeZone *tz, gint64 t)
{
  GDateTime *dt = tz ? g_date_time_new_from_unix_utc(t) : NULL;
  GDateTime *local = dt ? g_date_time_to_timezone(dt, tz) : NULL;
  char *day = local ? g_date_time_format(local, "%Y-%m-%d") : g_strdup("1970-01-01");
  if (local)
    g_date_time_unref(local);
  if (dt)
    g_date_time_unref(dt);
  return day;
}

char *points_local_day(const Campaign *campaign, gint64 t)
{
  GTimeZone *tz = zone(campaign->time_zone);
  char *day = points_zone_day(tz, t);
  if (tz)
    g_time_zone_unref(tz);
  return day;
}

static int parse_day(const char *s, int *y, int *m, int *d)
{
  char tail;
  if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", y, m, d, &tail) != 3 ||
      !g_date_valid_dmy((GDateDay)*d, (GDateMonth)*m, (GDateYear)*y) || *y < 2000 || *y > 9999)
    return -EINVAL;
  return 0;
}

int points_window(const char *tz_name, const char *starts_on, const char *ends_on,
                  gint64 *starts_at, gint64 *ends_at)
{
  int y1, m1, d1, y2, m2, d2;
  if (parse_day(starts_on, &y1, &m1, &d1) < 0 || parse_day(ends_on, &y2, &m2, &d2) < 0 ||
      strcmp(ends_on, starts_on) < 0)
    return -EINVAL;
  GTimeZone *tz = zone(tz_name);
  if (!tz)
    return -EINVAL;
  GDateTime *a = g_date_time_new(tz, y1, m1, d1, 0, 0, 0);
  GDateTime *b0 = g_date_time_new(tz, y2, m2, d2, 0, 0, 0);
  GDateTime *b = b0 ? g_date_time_add_days(b0, 1) : NULL;
  int ret = a && b ? 0 : -EINVAL;
  if (ret == 0) {
    *starts_at = g_date_time_to_unix(a);
    *ends_at = g_date_time_to_unix(b);
  }
  if (a)
    g_date_time_unref(a);
  if (b0)
    g_date_time_unref(b0);
  if (b)
    g_date_time_unref(b);
  g_time_zone_unref(tz);
  return ret;
}

int points_may_earn(Db *db, const char *member, bool *out)
{
  sqlite3_stmt *st = db_cached(db,
      "SELECT real_name_verified = 1 AND disabled = 0 AND disqualified = 0 FROM member WHERE id = ?1");
  if (!st)
    return -EIO;
  sqlite3_bind_text(st, 1, member, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  *out = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
  sqlite3_reset(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_errno(rc);
}

int points_allowed(Db *db, const Campaign *k, ActivityKind activity, const char *member,
                   const char *day, gint64 want, gint64 *allowed)
{
  const CampaignActivity *a = &k->act[activity];
  gint64 amount = a->on ? want : 0, used = 0, all = 0;
  int ret;
  if (a->daily_cap >= 0 && amount > 0) {
    /* Watch points are kept in the day's aggregate (a minute is paid often); the others are
     * rare and summed from the ledger's day index. */
    ret = activity == ACT_WATCH ? db_points_day(db, member, k->id, day, &all, &used)
                                : db_points_day_reason(db, member, k->id, day, activity_name(activity), &used);
    if (ret < 0)
      return ret;
    amount = MIN(amount, a->daily_cap - used);
  }
  if (k->daily_total_cap >= 0 && amount > 0) {
    if ((ret = db_points_day(db, member, k->id, day, &all, NULL)) < 0)
      return ret;
    amount = MIN(amount, k->daily_total_cap - all);
  }
  *allowed = MAX(amount, 0);
  return 0;
}

/* Pays minute N of MEMBER's earned time on VIDEO, within the per-video, daily and total caps. */
static int pay_minute(Db *db, const Campaign *k, const char *member, const char *video,
                      gint64 n, const char *day, gint64 now, gint64 *paid)
{
  const CampaignActivity *w = &k->act[ACT_WATCH];
  gint64 amount = w->rate, used = 0;
  int ret;
  if (w->item_cap >= 0) {
    if ((ret = db_ledger_sum(db, member, video, k->id, NULL, "watch", &used)) < 0)
      return ret;
    amount = MIN(amount, w->item_cap - used);
  }
  if (amount > 0 && (ret = points_allowed(db, k, ACT_WATCH, member, day, amount, &amount)) < 0)
    return ret;
  if (amount <= 0)
    return 0;
  g_autofree char *key = g_strdup_printf("watch:%s:%s:%" G_GINT64_FORMAT, member, video, n);
  LedgerEntry e = { .member_id = member, .amount = amount, .reason = "watch", .video_id = video,
                    .campaign_id = k->id, .local_day = day, .key = key, .at = now };
  ret = db_ledger_add(db, &e);
  if (ret == 0)
    *paid += amount;
  return ret == -EEXIST ? 0 : ret;
}

static int pay_live_bonus(Db *db, const Campaign *k, const char *member, const char *video,
                          const char *day, gint64 now, gint64 *paid)
{
  const CampaignActivity *lb = &k->act[ACT_LIVE_BONUS];
  g_autofree char *key = g_strdup_printf("live-bonus:%" G_GINT64_FORMAT ":%s:%s", k->id, member, video);
  g_autofree char *note = g_strdup_printf("attended the live for %" G_GINT64_FORMAT " minutes",
                                          lb->minutes);
  gint64 amount = 0;
  int ret = points_allowed(db, k, ACT_LIVE_BONUS, member, day, lb->rate, &amount);
  if (ret < 0 || amount <= 0)
    return ret;
  LedgerEntry e = { .member_id = member, .amount = amount, .reason = "live_bonus",
                    .video_id = video, .campaign_id = k->id, .local_day = day, .key = key,
                    .note = note, .at = now };
  ret = db_ledger_add(db, &e);
  if (ret == 0)
    *paid += amount;
  return ret == -EEXIST ? 0 : ret;
}

/* The member part: progress, unique viewers, points. */
static int apply_member(Db *db, const Campaign *k, WatchCredit *c, GArray *buckets, int *unique,
                        WatchOutcome *out)
{
  WatchProgress p = { 0 };
  int ret = db_watch_progress_get(db, c->member_id, c->video_id, &p);
  if (ret < 0)
    goto out;
  /* The stored bitmap is a seconds map; the map may grow and takes the bytes over. */
  SecondsMap map = { .bits = p.seconds, .len = p.seconds_len };
  unsigned n = seconds_map_set(&map, c->span.from, c->span.to, c->span.max_new,
                               POINTS_BUCKET_SECONDS, buckets);
  p.seconds = map.bits;
  p.seconds_len = map.len;
  p.credited += n;
  p.played_seconds += c->span.played;
  p.position = c->position;
  if (c->live)
    p.live_seconds += n;
  if (c->counted_view && !p.viewed) {
    p.viewed = true;
    *unique = 1;
  }
  out->new_seconds = n;
  out->video_credited = p.credited;

  bool may_earn = false;
  if (k && n > 0 && (ret = points_may_earn(db, c->member_id, &may_earn)) < 0)
    goto out;
  if (may_earn) {
    gint64 before = p.earned_seconds / 60;
    p.earned_seconds += n;
    const CampaignActivity *lb = &k->act[ACT_LIVE_BONUS];
    bool bonus = c->live && lb->on && lb->rate > 0 && p.live_seconds >= lb->minutes * 60;
    /* The calendar day is worked out only for a report that pays (about one a minute). */
    g_autofree char *day = p.earned_seconds / 60 > before || bonus ? points_local_day(k, c->now) : NULL;
    for (gint64 m = before + 1; m <= p.earned_seconds / 60 && ret == 0; m++)
      ret = pay_minute(db, k, c->member_id, c->video_id, m, day, c->now, &out->points);
    if (ret == 0 && bonus)
      ret = pay_live_bonus(db, k, c->member_id, c->video_id, day, c->now, &out->points);
    if (ret < 0)
      goto out;
  }
  ret = db_watch_progress_put(db, c->member_id, c->video_id, &p, c->now);
out:
  watch_progress_clear(&p);
  return ret;
}

int points_apply(Db *db, const Campaign *campaign, WatchCredit *c, WatchOutcome *out)
{
  *out = (WatchOutcome){ 0 };
  GArray *buckets = g_array_new(FALSE, FALSE, sizeof(guint));
  int views = 0, guest_views = 0, unique = 0, ret = 0;

  c->session_played += c->span.played;
  if (!c->counted_view && c->session_played >= POINTS_VIEW_SECONDS) {
    c->counted_view = true;
    views = 1;
    guest_views = c->member_id ? 0 : 1;
  }
  if (c->member_id) {
    ret = apply_member(db, campaign, c, buckets, &unique, out);
  } else if (c->guest_seconds) {
    out->new_seconds = seconds_map_set(c->guest_seconds, c->span.from, c->span.to,
                                       c->span.max_new, POINTS_BUCKET_SECONDS, buckets);
    out->video_credited = seconds_map_count(c->guest_seconds);
  }
  c->session_credited += out->new_seconds;
  for (guint i = 0; ret == 0 && i < buckets->len; i++)
    ret = db_watch_retention_add(db, c->video_id, g_array_index(buckets, guint, i));
  if (ret == 0 && (views || c->span.played > 0))
    ret = db_watch_stats_add(db, c->video_id, views, guest_views, unique, c->span.played);
  if (ret == 0) {
    WatchSessionRow row = {
      .id = c->session_id, .video_id = c->video_id, .member_id = c->member_id,
      .started_at = c->started_at, .last_seen_at = c->now, .ended_at = c->end_reason ? c->now : 0,
      .end_reason = c->end_reason, .played_seconds = c->session_played,
      .credited_seconds = c->session_credited, .counted_view = c->counted_view,
    };
    ret = db_watch_session_put(db, &row);
  }
  g_array_unref(buckets);
  return ret;
}

JsonNode *points_summary_json(Db *db, const Campaign *k, const char *member, gint64 now, int *rc)
{
  gint64 balance = 0, today = 0;
  g_autofree char *day = k ? points_local_day(k, now) : NULL;
  /* From the aggregates (migration 0008): one row each, however long the history. */
  if ((*rc = db_points_balance(db, member, &balance)) < 0 ||
      (k && (*rc = db_points_day(db, member, k->id, day, &today, NULL)) < 0))
    return NULL;
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "balance");
  json_builder_add_int_value(b, balance);
  json_builder_set_member_name(b, "today");
  if (k) {
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "date");
    json_builder_add_string_value(b, day);
    json_builder_set_member_name(b, "points");
    json_builder_add_int_value(b, today);
    /* "cap" is the watch cap, as before the table of activities (pages read it). */
    json_builder_set_member_name(b, "cap");
    if (k->act[ACT_WATCH].on && k->act[ACT_WATCH].daily_cap >= 0)
      json_builder_add_int_value(b, k->act[ACT_WATCH].daily_cap);
    else
      json_builder_add_null_value(b);
    json_builder_set_member_name(b, "total_cap");
    if (k->daily_total_cap >= 0)
      json_builder_add_int_value(b, k->daily_total_cap);
    else
      json_builder_add_null_value(b);
    /* Today's progress per activity of the campaign's table. */
    json_builder_set_member_name(b, "activities");
    json_builder_begin_array(b);
    for (int i = 0; i < ACT_COUNT; i++) {
      const CampaignActivity *a = &k->act[i];
      gint64 got = 0;
      if (!a->on)
        continue;
      if ((*rc = db_points_day_reason(db, member, k->id, day, activity_name(i), &got)) < 0) {
        g_object_unref(b);
        return NULL;
      }
      json_builder_begin_object(b);
      json_builder_set_member_name(b, "activity");
      json_builder_add_string_value(b, activity_name(i));
      json_builder_set_member_name(b, "rate");
      json_builder_add_int_value(b, a->rate);
      json_builder_set_member_name(b, "points");
      json_builder_add_int_value(b, got);
      json_builder_set_member_name(b, "cap");
      if (a->daily_cap >= 0)
        json_builder_add_int_value(b, a->daily_cap);
      else
        json_builder_add_null_value(b);
      json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
  } else {
    json_builder_add_null_value(b);
  }
  json_builder_set_member_name(b, "campaign");
  if (k)
    json_builder_add_value(b, campaign_json(k));
  else
    json_builder_add_null_value(b);
  json_builder_end_object(b);
  JsonNode *node = json_builder_get_root(b);
  g_object_unref(b);
  *rc = 0;
  return node;
}
