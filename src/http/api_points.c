/* api_points: members' points and watch history, campaigns, corrections, member flags and
 * per-video viewing statistics. */
#include "http/api_points.h"
#include "auth/auth.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_audit.h"
#include "db/db_chat_stats.h"
#include "db/db_points.h"
#include "db/db_privacy.h"
#include "db/db_watch.h"
#include "http/api_catalog.h"
#include "http/api_fields.h"
#include "points/points.h"

#include <errno.h>
#include <string.h>

void api_me_points(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 limit = 50, before = 0;
  if (!api_query_int(call, "limit", 1, 100, 50, &limit, resp) ||
      !api_query_int(call, "before", 1, G_MAXINT64, 0, &before, resp))
    return;
  Campaign *k = NULL;
  int rc = db_campaign_active(ctx->db, util_now(), &k);
  JsonNode *node = rc == 0 || rc == -ENOENT ? points_summary_json(ctx->db, k, call->member->id, util_now(), &rc) : NULL;
  JsonNode *history = node ? db_ledger_history_json(ctx->db, call->member->id, (int)limit, before, &rc) : NULL;
  campaign_free(&k);
  if (!history) {
    if (node)
      json_node_unref(node);
    http_response_error(resp, 500, "internal", "could not read the points");
    return;
  }
  JsonObject *o = json_node_get_object(node);
  JsonArray *arr = json_node_get_array(history);
  guint n = json_array_get_length(arr);
  gint64 last = n ? json_object_get_int_member(json_array_get_object_element(arr, n - 1), "id") : 0;
  json_object_set_boolean_member(o, "earns_points",
                                 call->member->real_name_verified && !call->member->disqualified);
  json_object_set_member(o, "history", history);
  if (n == (guint)limit)
    json_object_set_int_member(o, "next_before", last);
  else
    json_object_set_null_member(o, "next_before");
  api_reply_json(resp, 200, node);
}

void api_me_history(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 limit = 50;
  if (!api_query_int(call, "limit", 1, 200, 50, &limit, resp))
    return;
  int rc = 0;
  JsonNode *arr = db_watch_history_json(ctx->db, call->member->id, (int)limit, &rc);
  if (!arr) {
    http_response_error(resp, 500, "internal", "could not read the history");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "videos", arr);
  api_reply_json(resp, 200, api_object_node(o));
}

void api_campaigns_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  int rc = 0;
  JsonNode *arr = db_campaign_list_json(ctx->db, &rc);
  if (!arr) {
    http_response_error(resp, 500, "internal", "could not read the campaigns");
    return;
  }
  Campaign *k = NULL;
  JsonObject *o = json_object_new();
  json_object_set_member(o, "campaigns", arr);
  if (db_campaign_active(ctx->db, util_now(), &k) == 0)
    json_object_set_int_member(o, "active", k->id);
  else
    json_object_set_null_member(o, "active");
  campaign_free(&k);
  api_reply_json(resp, 200, api_object_node(o));
}

/* A cap: an integer 0..1,000,000, or null for none. 1 when present, 0 absent, -1 after 400. */
static int field_cap(JsonObject *o, const char *name, gint64 *out, HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, name);
  if (n && JSON_NODE_HOLDS_NULL(n)) {
    *out = -1;
    return 1;
  }
  return api_field_int(o, name, 0, 1000000, out, resp);
}

/* The rows of "activities": [{activity, rate, daily_cap?, item_cap?, minutes?, questions?,
 * seconds?, on?}] into K's table; a row with "on": false removes that activity. A row not
 * named keeps what K had. False after 400. */
static bool activity_rows(JsonObject *o, Campaign *k, HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, "activities");
  if (!n)
    return true;
  if (!JSON_NODE_HOLDS_ARRAY(n)) {
    http_response_error(resp, 400, "invalid_field", "activities must be an array of objects");
    return false;
  }
  static const char *const allowed[] = {"activity", "rate", "daily_cap", "item_cap", "minutes",
                                        "questions", "seconds", "on", NULL};
  JsonArray *arr = json_node_get_array(n);
  for (guint i = 0; i < json_array_get_length(arr); i++) {
    JsonNode *e = json_array_get_element(arr, i);
    if (!JSON_NODE_HOLDS_OBJECT(e)) {
      http_response_error(resp, 400, "invalid_field", "activities must be an array of objects");
      return false;
    }
    JsonObject *r = json_node_get_object(e);
    const char *name = NULL;
    if (!api_only_known(r, allowed, resp) || api_field_text(r, "activity", 1, 20, false, &name, resp) < 0)
      return false;
    int a = activity_from_name(name);
    if (a < 0) {
      http_response_error(resp, 400, "invalid_field",
                          "activity must be one of watch, live_bonus, quiz, read, vote, question");
      return false;
    }
    CampaignActivity *row = &k->act[a];
    bool on = true;
    if (api_field_bool(r, "on", &on, resp) < 0 ||
        api_field_int(r, "rate", 0, 100000, &row->rate, resp) < 0 ||
        field_cap(r, "daily_cap", &row->daily_cap, resp) < 0 ||
        field_cap(r, "item_cap", &row->item_cap, resp) < 0 ||
        api_field_int(r, "minutes", 1, 1440, &row->minutes, resp) < 0 ||
        api_field_int(r, "questions", 1, 50, &row->questions, resp) < 0 ||
        api_field_int(r, "seconds", 1, 3600, &row->seconds, resp) < 0)
      return false;
    row->on = on;
  }
  return true;
}

/* Applies the fields of O to K (all of them required when CREATE). The watch and live-bonus
 * fields of before the table of activities (points_per_minute, …) still set those rows.
 * False after 400. */
static bool campaign_fields(JsonObject *o, Campaign *k, bool create, HttpResponse *resp)
{
  static const char *const allowed[] = {"name", "starts_on", "ends_on", "time_zone",
    "points_per_minute", "per_video_cap", "daily_cap", "live_bonus_points", "live_bonus_minutes",
    "daily_total_cap", "activities", NULL};
  if (!api_only_known(o, allowed, resp))
    return false;
  const char *name = NULL, *from = NULL, *until = NULL, *tz = NULL;
  CampaignActivity *w = &k->act[ACT_WATCH], *lb = &k->act[ACT_LIVE_BONUS];
  int r, r1, r2, r3, r4, r5;
  if ((r = api_field_text(o, "name", 1, 200, false, &name, resp)) < 0)
    return false;
  if (r == 0 && create) {
    http_response_error(resp, 400, "invalid_field", "name is required");
    return false;
  }
  if (api_field_text(o, "starts_on", 10, 10, false, &from, resp) < 0 ||
      api_field_text(o, "ends_on", 10, 10, false, &until, resp) < 0 ||
      api_field_text(o, "time_zone", 1, 64, false, &tz, resp) < 0 ||
      (r1 = api_field_int(o, "points_per_minute", 0, 1000, &w->rate, resp)) < 0 ||
      (r2 = field_cap(o, "per_video_cap", &w->item_cap, resp)) < 0 ||
      (r3 = field_cap(o, "daily_cap", &w->daily_cap, resp)) < 0 ||
      (r4 = api_field_int(o, "live_bonus_points", 0, 100000, &lb->rate, resp)) < 0 ||
      (r5 = api_field_int(o, "live_bonus_minutes", 1, 1440, &lb->minutes, resp)) < 0 ||
      field_cap(o, "daily_total_cap", &k->daily_total_cap, resp) < 0 ||
      !activity_rows(o, k, resp))
    return false;
  if (r1 || r2 || r3)
    w->on = true;
  if (r4 || r5)
    lb->on = true;
  if (create && (!from || !until)) {
    http_response_error(resp, 400, "invalid_field", "starts_on and ends_on (YYYY-MM-DD) are required");
    return false;
  }
  if (name) {
    g_free(k->name);
    k->name = g_strdup(name);
  }
  if (from) {
    g_free(k->starts_on);
    k->starts_on = g_strdup(from);
  }
  if (until) {
    g_free(k->ends_on);
    k->ends_on = g_strdup(until);
  }
  if (tz) {
    g_free(k->time_zone);
    k->time_zone = g_strdup(tz);
  }
  if (points_window(k->time_zone, k->starts_on, k->ends_on, &k->starts_at, &k->ends_at) < 0) {
    http_response_error(resp, 400, "invalid_field",
                        "starts_on and ends_on must be dates (YYYY-MM-DD), ends_on not before "
                        "starts_on, and time_zone a known zone such as Asia/Shanghai");
    return false;
  }
  return true;
}

static void campaign_save(ApiContext *ctx, const ApiCall *call, Campaign *k, JsonNode *detail,
                          const char *action, int status, HttpResponse *resp)
{
  if (!api_begin(ctx, resp))
    return;
  int rc = db_campaign_save(ctx->db, k);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -EEXIST)
      http_response_error(resp, 409, "overlap", "the window overlaps another campaign's; "
                          "only one campaign can be open at a time");
    else if (rc == -ENOENT)
      http_response_error(resp, 404, "not_found", "no such campaign");
    else
      http_response_error(resp, 500, "internal", "could not save the campaign");
    return;
  }
  g_autofree char *target = g_strdup_printf("%" G_GINT64_FORMAT, k->id);
  if (api_commit_audited(ctx, call, action, "campaign", target, detail, resp) == 0)
    api_reply_json(resp, status, campaign_json(k));
}

void api_campaigns_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  Campaign k = { .time_zone = g_strdup("Asia/Shanghai") };
  campaign_defaults(&k);
  Campaign *pk = &k;
  if (campaign_fields(json_node_get_object(node), pk, true, resp))
    campaign_save(ctx, call, pk, node, "campaign.create", 201, resp);
  g_free(k.name);
  g_free(k.starts_on);
  g_free(k.ends_on);
  g_free(k.time_zone);
  json_node_unref(node);
}

void api_campaign_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id = 0;
  Campaign *k = NULL;
  if (!g_ascii_string_to_signed(call->params[0], 10, 1, G_MAXINT64, &id, NULL) ||
      db_campaign_get(ctx->db, id, &k) < 0) {
    http_response_error(resp, 404, "not_found", "no such campaign: %s", call->params[0]);
    return;
  }
  JsonNode *node = api_parse_object(call->req, resp);
  if (node && campaign_fields(json_node_get_object(node), k, false, resp))
    campaign_save(ctx, call, k, node, "campaign.update", 200, resp);
  if (node)
    json_node_unref(node);
  campaign_free(&k);
}

void api_campaign_earners(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id = 0, page = 1, per_page = 20, members = 0, points = 0;
  Campaign *k = NULL;
  if (!g_ascii_string_to_signed(call->params[0], 10, 1, G_MAXINT64, &id, NULL) ||
      db_campaign_get(ctx->db, id, &k) < 0) {
    http_response_error(resp, 404, "not_found", "no such campaign: %s", call->params[0]);
    return;
  }
  int rc = 0;
  JsonNode *arr = api_query_page(call, resp, &page, &per_page)
      ? db_campaign_earners_json(ctx->db, id, per_page, (page - 1) * per_page, &members, &points, &rc)
      : NULL;
  if (!arr) {
    if (rc < 0)
      http_response_error(resp, 500, "internal", "could not read the ledger");
    campaign_free(&k);
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "campaign", campaign_json(k));
  json_object_set_int_member(o, "members", members);
  json_object_set_int_member(o, "points", points);
  json_object_set_int_member(o, "page", page);
  json_object_set_int_member(o, "per_page", per_page);
  json_object_set_member(o, "earners", arr);
  campaign_free(&k);
  api_reply_json(resp, 200, api_object_node(o));
}

void api_points_correction(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = {"member", "amount", "note", "key", NULL};
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  const char *member = NULL, *note = NULL, *key = NULL;
  char *ikey = NULL;
  gint64 amount = 0;
  Member *m = NULL;
  if (!api_only_known(o, allowed, resp) ||
      api_field_text(o, "member", 1, 64, false, &member, resp) < 0 ||
      api_field_int(o, "amount", -1000000, 1000000, &amount, resp) < 0 ||
      api_field_text(o, "note", 1, 500, false, &note, resp) < 0 ||
      api_field_text(o, "key", 1, 100, false, &key, resp) < 0)
    goto out;
  if (!member || !note || amount == 0) {
    http_response_error(resp, 400, "invalid_field",
                        "member, a non-zero amount and a note (the reason) are required");
    goto out;
  }
  if (db_member_get(ctx->db, member, &m, NULL) < 0) {
    http_response_error(resp, 404, "not_found", "no such member: %s", member);
    goto out;
  }
  /* Points turn into prizes: nobody corrects their own balance (another editor does, and the
   * audit log names both). */
  if (strcmp(m->id, call->member->id) == 0) {
    http_response_error(resp, 403, "forbidden", "a correction of your own points must be made by another editor");
    goto out;
  }
  if (key) {
    ikey = g_strdup_printf("correction:%s", key);
  } else {
    g_autofree char *random = util_random_id(12);
    ikey = g_strdup_printf("correction:%s", random);
  }
  LedgerEntry e = { .member_id = member, .amount = amount, .reason = "correction", .key = ikey,
                    .note = note, .created_by = call->member->id, .at = util_now() };
  if (!api_begin(ctx, resp))
    goto out;
  int rc = db_ledger_add(ctx->db, &e);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -EEXIST)
      http_response_error(resp, 409, "duplicate", "a correction with key %s was made already", key);
    else
      http_response_error(resp, 500, "internal", "could not record the correction");
    goto out;
  }
  if (api_commit_audited(ctx, call, "points.correct", "member", member, node, resp) == 0) {
    gint64 balance = 0;
    db_points_balance(ctx->db, member, &balance);
    JsonObject *r = json_object_new();
    json_object_set_string_member(r, "member", member);
    json_object_set_int_member(r, "amount", amount);
    json_object_set_string_member(r, "note", note);
    json_object_set_string_member(r, "key", ikey);
    json_object_set_int_member(r, "balance", balance);
    api_reply_json(resp, 201, api_object_node(r));
  }
out:
  g_free(ikey);
  member_free(&m);
  json_node_unref(node);
}

void api_member_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = {"real_name_verified", "disabled", "disqualified", "reason", NULL};
  static const MemberFlag flags[] = {MEMBER_REAL_NAME_VERIFIED, MEMBER_DISABLED, MEMBER_DISQUALIFIED};
  const char *reason = NULL;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  bool values[3];
  int present[3];
  Member *m = NULL;
  if (!api_only_known(o, allowed, resp))
    goto out;
  for (int i = 0; i < 3; i++)
    if ((present[i] = api_field_bool(o, allowed[i], &values[i], resp)) < 0)
      goto out;
  /* Taking away or giving back the right to earn is a decision about a person: it says why
   * (kept in the audit entry, and shown with the member while disqualified). */
  if (api_field_text(o, "reason", 1, 500, false, &reason, resp) < 0)
    goto out;
  if (present[2] == 1 && !reason) {
    http_response_error(resp, 400, "invalid_field", "a reason is required to change disqualified");
    goto out;
  }
  if (db_member_get(ctx->db, call->params[0], &m, NULL) < 0) {
    http_response_error(resp, 404, "not_found", "no such member: %s", call->params[0]);
    goto out;
  }
  if (m->role != ROLE_VIEWER && !auth_role_at_least(call->member, ROLE_ADMIN)) {
    http_response_error(resp, 403, "forbidden", "only an admin may change an editor's or admin's flags");
    goto out;
  }
  /* An erased member stays disabled: enabling the row would give the id a life again. */
  gint64 erased = 0;
  if (db_privacy_erased_at(ctx->db, m->id, &erased) < 0 || erased) {
    http_response_error(resp, 409, "erased", "member %s was erased: its flags no longer change", m->id);
    goto out;
  }
  if (!api_begin(ctx, resp))
    goto out;
  int rc = 0;
  for (int i = 0; i < 3 && rc == 0; i++)
    if (present[i] == 1)
      rc = db_member_set_flag(ctx->db, m->id, flags[i], values[i]);
  if (rc < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not change the member");
    goto out;
  }
  if (api_commit_audited(ctx, call, "member.update", "member", m->id, node, resp) == 0) {
    member_free(&m);
    db_member_get(ctx->db, call->params[0], &m, NULL);
    api_reply_json(resp, 200, api_member_json(ctx, m));
  }
out:
  member_free(&m);
  json_node_unref(node);
}

JsonNode *api_member_json(ApiContext *ctx, const Member *m)
{
  JsonNode *node = auth_member_json(m, NULL);
  gint64 erased = 0;
  if (db_privacy_erased_at(ctx->db, m->id, &erased) == 0 && erased) {
    g_autofree char *at = util_iso8601(erased);
    json_object_set_string_member(json_node_get_object(node), "erased_at", at);
  } else {
    json_object_set_null_member(json_node_get_object(node), "erased_at");
  }
  if (m->disqualified) {
    g_autofree char *reason = NULL;
    db_audit_member_reason(ctx->db, m->id, &reason);
    JsonObject *o = json_node_get_object(node);
    if (reason)
      json_object_set_string_member(o, "disqualified_reason", reason);
    else
      json_object_set_null_member(o, "disqualified_reason");
  }
  return node;
}

/* ?time_zone= names the zone whose calendar days views are counted in (Asia/Shanghai, the
 * campaigns' default, when absent). */
void api_video_stats(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  if (!api_video_exists(ctx, call->params[0], resp))
    return;
  const char *zone = g_hash_table_lookup(call->req->query, "time_zone");
  if (!zone || !*zone)
    zone = "Asia/Shanghai";
  GTimeZone *tz = strlen(zone) <= 64 ? g_time_zone_new_identifier(zone) : NULL;
  if (!tz) {
    http_response_error(resp, 400, "invalid_parameter", "time_zone must be a known zone such as Asia/Shanghai");
    return;
  }
  int rc = 0;
  JsonNode *node = db_watch_stats_json(ctx->db, call->params[0], &rc);
  JsonNode *days = node ? db_watch_views_per_day_json(ctx->db, call->params[0], tz, &rc) : NULL;
  JsonNode *live = days ? db_watch_live_viewers_json(ctx->db, call->params[0], util_now(), &rc) : NULL;
  if (!live) {
    g_time_zone_unref(tz);
    if (node)
      json_node_unref(node);
    if (days)
      json_node_unref(days);
    http_response_error(resp, 500, "internal", "could not read the statistics");
    return;
  }
  ChatStats chat;
  if (db_chat_stats(ctx->db, call->params[0], &chat) < 0) {
    g_time_zone_unref(tz);
    json_node_unref(node);
    json_node_unref(days);
    json_node_unref(live);
    http_response_error(resp, 500, "internal", "could not read the statistics");
    return;
  }
  JsonObject *o = json_node_get_object(node);
  json_object_set_string_member(o, "time_zone", g_time_zone_get_identifier(tz));
  /* The live's chat, likes and questions (issue 19.5); zeros for an upload. */
  json_object_set_member(o, "interactions", db_chat_stats_json(&chat));
  g_time_zone_unref(tz);
  json_object_set_member(o, "views_per_day", days);
  json_object_set_member(o, "live_viewers", live);
  api_reply_json(resp, 200, node);
}
