/* api_lottery: the points lottery over HTTP (the rules are in src/lottery). */
#include "http/api_lottery.h"
#include "core/util.h"
#include "db/db_lottery.h"
#include "db/db_points.h"
#include "http/api_fields.h"
#include "lottery/lottery_draw.h"
#include "lottery/lottery_service.h"

#include <errno.h>
#include <string.h>

/* Path id I as a positive integer; false after 404 (an id that names nothing). */
static bool param_id(const ApiCall *call, int i, gint64 *out, HttpResponse *resp)
{
  if (api_path_id(call, i, out))
    return true;
  http_response_error(resp, 404, "not_found", "no such lottery item");
  return false;
}

/* The answer for a service's refusal RC, in the API's error shape. */
static void reply_error(HttpResponse *resp, int rc)
{
  switch (rc) {
  case -ENOENT:
    http_response_error(resp, 404, "not_found", "no such lottery item");
    break;
  case -EINVAL:
    http_response_error(resp, 400, "invalid_field", "a field is not valid (see the rules in docs/lottery.md)");
    break;
  case -EPERM:
    http_response_error(resp, 403, "not_eligible",
                        "only real-name verified members who are not disqualified may enter");
    break;
  case -ETIME:
    http_response_error(resp, 409, "closed", "entries are closed: outside the entry window or past the freeze");
    break;
  case -EALREADY:
    http_response_error(resp, 409, "already_done", "this was done already (or the member already holds a prize)");
    break;
  case -EDQUOT:
    http_response_error(resp, 409, "max_tickets", "that is more tickets than a member may hold in a draw");
    break;
  case -ERANGE:
    http_response_error(resp, 409, "insufficient_points", "the points balance is too low for this");
    break;
  case -EAGAIN:
    http_response_error(resp, 409, "not_frozen", "the draw's entries are not frozen yet");
    break;
  case -EFBIG:
    http_response_error(resp, 413, "too_large", "the codes file is too large");
    break;
  case -EBUSY:
    http_response_error(resp, 503, "busy", "the database is busy; try again");
    break;
  case -ENOSPC:
    http_response_error(resp, 507, "storage_full", "the server's disk is full: nothing was saved");
    break;
  default:
    http_response_error(resp, 500, "internal", "the lottery could not do that");
  }
}

static LotteryActor actor_of(const ApiCall *call)
{
  return (LotteryActor){ call->member->id, call->member->display_name };
}

/* ---- public ---- */

void api_lotteries_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  (void)call;
  int rc = 0;
  JsonNode *arr = db_lottery_list_json(ctx->db, &rc);
  if (!arr) {
    reply_error(resp, rc);
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "lotteries", arr);
  api_reply_json(resp, 200, api_object_node(o));
}

void api_lottery_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!param_id(call, 0, &id, resp))
    return;
  gint64 now = util_now();
  int count = 0;
  /* The freeze and the expiry happen when their time comes; a read is when anyone can see
   * that it came, so the commitment is published before anybody could ask for it. */
  lottery_freeze_due(ctx->db, now, NULL);
  lottery_expire_unclaimed(ctx->db, now, &count);
  Lottery *l = NULL;
  int rc = db_lottery_get(ctx->db, id, &l);
  JsonNode *node = rc == 0 ? db_lottery_public_json(ctx->db, l, &rc) : NULL;
  lottery_free(&l);
  if (!node) {
    reply_error(resp, rc);
    return;
  }
  json_object_set_int_member(json_node_get_object(node), "server_time", now);
  api_reply_json(resp, 200, node);
}

static LotteryDrawRow *draw_or_404(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!param_id(call, 0, &id, resp))
    return NULL;
  lottery_freeze_due(ctx->db, util_now(), NULL);
  LotteryDrawRow *d = NULL;
  int rc = db_lottery_draw_get(ctx->db, id, &d);
  if (rc < 0)
    reply_error(resp, rc);
  return d;
}

void api_lottery_draw_entries(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  LotteryDrawRow *d = draw_or_404(ctx, call, resp);
  if (!d)
    return;
  if (!d->entries_sha256) {
    http_response_error(resp, 404, "not_frozen", "the entry list is written at the freeze");
    lottery_draw_row_free(&d);
    return;
  }
  g_autofree char *list = NULL;
  int ret = db_lottery_draw_entry_list(ctx->db, d->id, &list);
  if (ret == 0)
    http_response_text(resp, 200, "text/plain; charset=utf-8", list);
  else
    reply_error(resp, ret == -ENOENT ? -EIO : ret);
  lottery_draw_row_free(&d);
}

void api_lottery_draw_record(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  LotteryDrawRow *d = draw_or_404(ctx, call, resp);
  if (!d)
    return;
  if (!d->record) {
    http_response_error(resp, 404, "not_drawn", "the record exists once the draw has run");
  } else {
    http_response_text(resp, 200, "application/json", d->record);
    char *disp = g_strdup_printf("attachment; filename=\"lottery-draw-%" G_GINT64_FORMAT ".json\"", d->id);
    http_response_header(resp, "content-disposition:", disp);
    g_free(disp);
  }
  lottery_draw_row_free(&d);
}

/* ---- members ---- */

void api_lottery_mine(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!param_id(call, 0, &id, resp))
    return;
  Lottery *l = NULL;
  int rc = db_lottery_get(ctx->db, id, &l);
  JsonNode *node = rc == 0 ? db_lottery_mine_json(ctx->db, l, call->member->id, &rc) : NULL;
  gint64 balance = 0;
  if (node)
    rc = db_points_balance(ctx->db, call->member->id, &balance);
  if (!node || rc < 0) {
    if (node)
      json_node_unref(node);
    lottery_free(&l);
    reply_error(resp, rc);
    return;
  }
  JsonObject *o = json_node_get_object(node);
  char code[LOTTERY_CODE_HEX + 1];
  lottery_entry_code(ctx->secret, TOKEN_SECRET_LEN, l->id, call->member->id, code);
  json_object_set_string_member(o, "code", code);
  json_object_set_int_member(o, "balance", balance);
  json_object_set_boolean_member(o, "eligible", call->member->real_name_verified && !call->member->disqualified);
  lottery_free(&l);
  api_reply_json(resp, 200, node);
}

void api_lottery_buy(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!param_id(call, 0, &id, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  static const char *const allowed[] = { "tickets", "key", NULL };
  gint64 tickets = 0;
  const char *key = NULL;
  int r;
  if (!api_only_known(o, allowed, resp) || (r = api_field_int(o, "tickets", 1, 1000000, &tickets, resp)) < 0 ||
      api_field_text(o, "key", 1, 64, false, &key, resp) < 0) {
    json_node_unref(node);
    return;
  }
  if (r == 0) {
    http_response_error(resp, 400, "invalid_field", "tickets is required");
    json_node_unref(node);
    return;
  }
  LotteryPurchase p;
  int rc = lottery_purchase(ctx->db, ctx->secret, TOKEN_SECRET_LEN, id, call->member->id, tickets, key,
                            util_now(), &p);
  json_node_unref(node);
  if (rc < 0) {
    reply_error(resp, rc);
    return;
  }
  JsonObject *out = json_object_new();
  json_object_set_int_member(out, "draw", p.draw);
  json_object_set_int_member(out, "tickets", p.tickets);
  json_object_set_int_member(out, "points", p.points);
  json_object_set_int_member(out, "draw_tickets", p.draw_tickets);
  json_object_set_int_member(out, "balance", p.balance);
  json_object_set_string_member(out, "code", p.code);
  json_object_set_boolean_member(out, "replay", p.replay);
  api_reply_json(resp, p.replay ? 200 : 201, api_object_node(out));
}

void api_lottery_prize_claim(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!param_id(call, 0, &id, resp))
    return;
  int rc = db_lottery_prize_claim(ctx->db, id, call->member->id, util_now());
  if (rc < 0) {
    reply_error(resp, rc);
    return;
  }
  JsonObject *out = json_object_new();
  json_object_set_int_member(out, "prize", id);
  json_object_set_string_member(out, "state", "claimed");
  api_reply_json(resp, 200, api_object_node(out));
}

/* ---- editors ---- */

/* Applies O's fields to L (title, window and price required when CREATE). False after 400. */
static bool lottery_fields(JsonObject *o, Lottery *l, bool create, HttpResponse *resp)
{
  static const char *const allowed[] = { "title", "rules", "campaign_id", "opens_at", "closes_at",
    "points_per_ticket", "min_balance", "max_tickets", "one_prize_per_member", "reserve_percent",
    "claim_days", NULL };
  if (!api_only_known(o, allowed, resp))
    return false;
  const char *title = NULL, *rules = NULL;
  int rt, ro, rc, rp;
  if ((rt = api_field_text(o, "title", 1, 200, false, &title, resp)) < 0 ||
      api_field_text(o, "rules", 0, 20000, true, &rules, resp) < 0 ||
      api_field_int(o, "campaign_id", 0, G_MAXINT64, &l->campaign_id, resp) < 0 ||
      (ro = api_field_time(o, "opens_at", &l->opens_at, resp)) < 0 ||
      (rc = api_field_time(o, "closes_at", &l->closes_at, resp)) < 0 ||
      (rp = api_field_int(o, "points_per_ticket", 1, 1000000, &l->points_per_ticket, resp)) < 0 ||
      api_field_int(o, "min_balance", 0, G_MAXINT32, &l->min_balance, resp) < 0 ||
      api_field_int(o, "max_tickets", 1, 1000000, &l->max_tickets, resp) < 0 ||
      api_field_bool(o, "one_prize_per_member", &l->one_prize_per_member, resp) < 0 ||
      api_field_int(o, "reserve_percent", 0, 100, &l->reserve_percent, resp) < 0 ||
      api_field_int(o, "claim_days", 1, 3650, &l->claim_days, resp) < 0)
    return false;
  if (create && (!rt || !ro || !rc || !rp)) {
    http_response_error(resp, 400, "invalid_field", "title, opens_at, closes_at and points_per_ticket are required");
    return false;
  }
  if (l->opens_at <= 0 || l->closes_at <= l->opens_at) {
    http_response_error(resp, 400, "invalid_field", "closes_at must be after opens_at");
    return false;
  }
  if (title) {
    g_free(l->title);
    l->title = g_strdup(title);
  }
  if (rules) {
    g_free(l->rules);
    l->rules = g_strdup(rules);
  }
  return true;
}

static void save_lottery(ApiContext *ctx, const ApiCall *call, HttpResponse *resp, Lottery *l,
                         JsonNode *node, bool create)
{
  if (!api_begin(ctx, resp))
    return;
  int rc = db_lottery_save(ctx->db, l, util_now());
  if (rc < 0) {
    db_rollback(ctx->db);
    reply_error(resp, rc);
    return;
  }
  char *target = g_strdup_printf("%" G_GINT64_FORMAT, l->id);
  if (api_commit_audited(ctx, call, create ? "lottery.create" : "lottery.update", "lottery", target, node, resp) == 0)
    api_reply_json(resp, create ? 201 : 200, lottery_json(l));
  g_free(target);
}

void api_lotteries_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  Lottery l = { .max_tickets = 100, .one_prize_per_member = true, .reserve_percent = 10, .claim_days = 30 };
  if (lottery_fields(json_node_get_object(node), &l, true, resp))
    save_lottery(ctx, call, resp, &l, node, true);
  g_free(l.title);
  g_free(l.rules);
  json_node_unref(node);
}

void api_lottery_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!param_id(call, 0, &id, resp))
    return;
  Lottery *l = NULL;
  int rc = db_lottery_get(ctx->db, id, &l);
  if (rc < 0) {
    reply_error(resp, rc);
    return;
  }
  JsonNode *node = api_parse_object(call->req, resp);
  if (node && lottery_fields(json_node_get_object(node), l, false, resp))
    save_lottery(ctx, call, resp, l, node, false);
  if (node)
    json_node_unref(node);
  lottery_free(&l);
}

static void reply_draw(ApiContext *ctx, gint64 id, int status, HttpResponse *resp)
{
  LotteryDrawRow *d = NULL;
  int rc = db_lottery_draw_get(ctx->db, id, &d);
  if (rc < 0) {
    reply_error(resp, rc);
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "id", d->id);
  json_object_set_int_member(o, "lottery", d->lottery_id);
  json_object_set_string_member(o, "state", d->state);
  json_object_set_int_member(o, "freeze_at", d->freeze_at);
  if (d->entries_sha256) {
    json_object_set_string_member(o, "entries_sha256", d->entries_sha256);
    json_object_set_int_member(o, "entries", d->entries);
    json_object_set_int_member(o, "tickets", d->tickets);
  } else {
    json_object_set_null_member(o, "entries_sha256");
  }
  lottery_draw_row_free(&d);
  api_reply_json(resp, status, api_object_node(o));
}

void api_lottery_draw_add(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id;
  if (!param_id(call, 0, &id, resp))
    return;
  Lottery *l = NULL;
  int rc = db_lottery_get(ctx->db, id, &l);
  if (rc < 0) {
    reply_error(resp, rc);
    return;
  }
  lottery_free(&l);
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  static const char *const allowed[] = { "freeze_at", NULL };
  gint64 freeze_at = 0;
  if (api_only_known(json_node_get_object(node), allowed, resp) &&
      api_field_time(json_node_get_object(node), "freeze_at", &freeze_at, resp) >= 0) {
    if (freeze_at <= 0) {
      http_response_error(resp, 400, "invalid_field", "freeze_at is required");
    } else if (api_begin(ctx, resp)) {
      gint64 draw = 0;
      rc = db_lottery_draw_add(ctx->db, id, freeze_at, &draw);
      char *target = g_strdup_printf("%" G_GINT64_FORMAT, id);
      if (rc < 0) {
        db_rollback(ctx->db);
        reply_error(resp, rc);
      } else if (api_commit_audited(ctx, call, "lottery.draw_add", "lottery", target, node, resp) == 0) {
        reply_draw(ctx, draw, 201, resp);
      }
      g_free(target);
    }
  }
  json_node_unref(node);
}

/* The draw a tier or draw route names must still be open to changes of its prizes. */
static bool draw_not_drawn(ApiContext *ctx, gint64 draw, HttpResponse *resp)
{
  LotteryDrawRow *d = NULL;
  int rc = db_lottery_draw_get(ctx->db, draw, &d);
  if (rc < 0) {
    reply_error(resp, rc);
    return false;
  }
  bool ok = strcmp(d->state, "drawn") != 0;
  lottery_draw_row_free(&d);
  if (!ok)
    http_response_error(resp, 409, "already_done", "the draw has run: its prizes are fixed");
  return ok;
}

void api_lottery_tier_add(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 draw;
  if (!param_id(call, 0, &draw, resp) || !draw_not_drawn(ctx, draw, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  static const char *const allowed[] = { "position", "name", "quantity", "value", NULL };
  const char *name = NULL, *value = NULL;
  gint64 position = 0, quantity = 0;
  int rp, rn, rq;
  if (api_only_known(o, allowed, resp) && (rp = api_field_int(o, "position", 1, 1000, &position, resp)) >= 0 &&
      (rn = api_field_text(o, "name", 1, 200, false, &name, resp)) >= 0 &&
      (rq = api_field_int(o, "quantity", 1, 100000, &quantity, resp)) >= 0 &&
      api_field_text(o, "value", 0, 200, false, &value, resp) >= 0) {
    if (!rp || !rn || !rq) {
      http_response_error(resp, 400, "invalid_field", "position, name and quantity are required");
    } else if (api_begin(ctx, resp)) {
      gint64 tier = 0;
      int rc = db_lottery_tier_save(ctx->db, draw, 0, position, name, quantity, value, &tier);
      char *target = g_strdup_printf("%" G_GINT64_FORMAT, draw);
      if (rc < 0) {
        db_rollback(ctx->db);
        if (rc == -EEXIST)
          http_response_error(resp, 409, "position_taken", "the draw has a tier at that position");
        else
          reply_error(resp, rc);
      } else if (api_commit_audited(ctx, call, "lottery.tier_add", "lottery", target, node, resp) == 0) {
        JsonObject *out = json_object_new();
        json_object_set_int_member(out, "id", tier);
        json_object_set_int_member(out, "draw", draw);
        json_object_set_int_member(out, "position", position);
        json_object_set_string_member(out, "name", name);
        json_object_set_int_member(out, "quantity", quantity);
        json_object_set_string_member(out, "value", value ? value : "");
        api_reply_json(resp, 201, api_object_node(out));
      }
      g_free(target);
    }
  }
  json_node_unref(node);
}

void api_lottery_codes_import(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 tier;
  if (!param_id(call, 0, &tier, resp))
    return;
  gint64 draw = 0;
  int rc = db_lottery_tier_draw(ctx->db, tier, &draw);
  if (rc < 0) {
    reply_error(resp, rc);
    return;
  }
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  static const char *const allowed[] = { "csv", NULL };
  const char *csv = NULL;
  int r;
  if (api_only_known(o, allowed, resp) &&
      (r = api_field_text(o, "csv", 1, LOTTERY_MAX_CODES_CSV, true, &csv, resp)) >= 0) {
    LotteryActor a = actor_of(call);
    gint64 added = 0, skipped = 0;
    if (r == 0)
      rc = -EINVAL;
    else
      rc = lottery_codes_import(ctx->db, tier, csv, strlen(csv), util_now(), &a, &added, &skipped);
    if (rc < 0) {
      reply_error(resp, rc);
    } else {
      JsonObject *out = json_object_new();
      json_object_set_int_member(out, "tier", tier);
      json_object_set_int_member(out, "added", added);
      json_object_set_int_member(out, "skipped", skipped);
      api_reply_json(resp, 200, api_object_node(out));
    }
  }
  json_node_unref(node);
}

void api_lottery_freeze(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 draw;
  if (!param_id(call, 0, &draw, resp))
    return;
  LotteryActor a = actor_of(call);
  int rc = lottery_freeze(ctx->db, draw, util_now(), true, &a);
  if (rc < 0)
    reply_error(resp, rc);
  else
    reply_draw(ctx, draw, 200, resp);
}

void api_lottery_run_draw(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 draw;
  if (!param_id(call, 0, &draw, resp))
    return;
  LotteryDrawRow *d = NULL;
  int rc = db_lottery_draw_get(ctx->db, draw, &d);
  lottery_draw_row_free(&d);
  if (rc < 0) {
    reply_error(resp, rc);
    return;
  }
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  static const char *const allowed[] = { "public_values", NULL };
  JsonNode *vn = json_object_get_member(o, "public_values");
  if (!api_only_known(o, allowed, resp)) {
    json_node_unref(node);
    return;
  }
  JsonArray *arr = vn && JSON_NODE_HOLDS_ARRAY(vn) ? json_node_get_array(vn) : NULL;
  guint n = arr ? json_array_get_length(arr) : 0;
  GPtrArray *values = g_ptr_array_new_with_free_func(g_free);
  bool ok = n >= 1 && n <= LOTTERY_MAX_VALUES;
  for (guint i = 0; ok && i < n; i++) {
    JsonNode *e = json_array_get_element(arr, i);
    char *norm = NULL;
    ok = JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING &&
         lottery_value_normalise(json_node_get_string(e), &norm) == 0;
    if (ok)
      g_ptr_array_add(values, norm);
  }
  if (!ok) {
    http_response_error(resp, 400, "invalid_field",
                        "public_values must be 1 to %d strings of 1 to %d bytes, without control "
                        "characters or '/'", LOTTERY_MAX_VALUES, LOTTERY_MAX_VALUE_LEN);
  } else {
    LotteryActor a = actor_of(call);
    rc = lottery_draw(ctx->db, draw, (char *const *)values->pdata, values->len, &a, util_now(), NULL);
    if (rc < 0) {
      if (rc == -EINVAL)
        http_response_error(resp, 400, "invalid_field", "the draw needs at least one prize tier");
      else
        reply_error(resp, rc);
    } else {
      int r2 = 0;
      JsonNode *prizes = db_lottery_prizes_json(ctx->db, draw, &r2);
      LotteryDrawRow *row = NULL;
      if (prizes && db_lottery_draw_get(ctx->db, draw, &row) == 0) {
        JsonObject *out = json_object_new();
        json_object_set_int_member(out, "id", draw);
        json_object_set_string_member(out, "state", row->state);
        json_object_set_string_member(out, "entries_sha256", row->entries_sha256);
        json_object_set_member(out, "prizes", prizes);
        api_reply_json(resp, 200, api_object_node(out));
      } else {
        if (prizes)
          json_node_unref(prizes);
        reply_error(resp, -EIO);
      }
      lottery_draw_row_free(&row);
    }
  }
  g_ptr_array_unref(values);
  json_node_unref(node);
}

void api_lottery_prizes(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 draw;
  if (!param_id(call, 0, &draw, resp))
    return;
  LotteryDrawRow *d = NULL;
  int rc = db_lottery_draw_get(ctx->db, draw, &d);
  lottery_draw_row_free(&d);
  JsonNode *prizes = rc == 0 ? db_lottery_prizes_json(ctx->db, draw, &rc) : NULL;
  if (!prizes) {
    reply_error(resp, rc);
    return;
  }
  JsonObject *out = json_object_new();
  json_object_set_int_member(out, "draw", draw);
  json_object_set_member(out, "prizes", prizes);
  api_reply_json(resp, 200, api_object_node(out));
}

void api_lottery_disqualify(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 prize;
  if (!param_id(call, 0, &prize, resp))
    return;
  LotteryPrizeRow *p = NULL;
  int rc = db_lottery_prize_get(ctx->db, prize, &p);
  lottery_prize_row_free(&p);
  if (rc < 0) {
    reply_error(resp, rc);
    return;
  }
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  static const char *const allowed[] = { "reason", NULL };
  const char *reason = NULL;
  int r;
  if (api_only_known(o, allowed, resp) && (r = api_field_text(o, "reason", 1, 500, false, &reason, resp)) >= 0) {
    if (r == 0) {
      http_response_error(resp, 400, "invalid_field", "reason is required");
    } else {
      LotteryActor a = actor_of(call);
      gint64 next = 0;
      rc = lottery_disqualify(ctx->db, prize, reason, &a, util_now(), &next);
      if (rc < 0) {
        reply_error(resp, rc);
      } else {
        JsonObject *out = json_object_new();
        json_object_set_int_member(out, "prize", prize);
        json_object_set_string_member(out, "state", "disqualified");
        if (next)
          json_object_set_int_member(out, "next_prize", next);
        else
          json_object_set_null_member(out, "next_prize");
        api_reply_json(resp, 200, api_object_node(out));
      }
    }
  }
  json_node_unref(node);
}
