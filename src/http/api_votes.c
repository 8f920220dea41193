/* api_votes: contests, ballots, results and the signal report over HTTP. The rules live in
 * src/club/vote_*.c; this file reads requests and writes answers. */
#include "http/api_votes.h"
#include "club/vote_ballot.h"
#include "club/vote_contest.h"
#include "club/vote_signal.h"
#include "club/vote_tally.h"
#include "core/util.h"
#include "http/api_fields.h"

#include <errno.h>
#include <string.h>

/* Contest PARAM, or NULL after 404. Drafts exist only for editors. */
static VoteContest *contest_find(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id = 0;
  VoteContest *c = NULL;
  if (!api_path_id(call, 0, &id) ||
      vote_contest_get(ctx->db, id, &c) < 0 ||
      (strcmp(c->state, "draft") == 0 && !(call->member && api_is_editor(call)))) {
    vote_contest_free(&c);
    http_response_error(resp, 404, "not_found", "no such vote: %s", call->params[0]);
    return NULL;
  }
  return c;
}

static JsonNode *items_json(GPtrArray *items)
{
  JsonArray *a = json_array_new();
  for (guint i = 0; i < items->len; i++) {
    const VoteItem *it = items->pdata[i];
    JsonObject *o = json_object_new();
    json_object_set_string_member(o, "kind", it->kind);
    json_object_set_string_member(o, "id", it->id);
    json_object_set_int_member(o, "position", it->position);
    if (it->title)
      json_object_set_string_member(o, "title", it->title);
    else
      json_object_set_null_member(o, "title");
    if (it->poster_url)
      json_object_set_string_member(o, "poster_url", it->poster_url);
    else
      json_object_set_null_member(o, "poster_url");
    json_array_add_object_element(a, o);
  }
  JsonNode *n = json_node_new(JSON_NODE_ARRAY);
  json_node_take_array(n, a);
  return n;
}

/* C with its items, as every contest answer gives it. */
static void reply_contest(ApiContext *ctx, const VoteContest *c, int status, HttpResponse *resp)
{
  GPtrArray *items = NULL;
  if (vote_contest_items(ctx->db, c->id, &items) < 0) {
    http_response_error(resp, 500, "internal", "could not read the vote's items");
    return;
  }
  JsonNode *n = vote_contest_json(c);
  json_object_set_member(json_node_get_object(n), "items", items_json(items));
  g_ptr_array_unref(items);
  api_reply_json(resp, status, n);
}

void api_votes_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  bool all = call->member && api_is_editor(call) && api_query_flag(call, "all");
  GPtrArray *list = NULL;
  if (vote_contest_list(ctx->db, all, &list) < 0) {
    http_response_error(resp, 500, "internal", "could not read the votes");
    return;
  }
  JsonArray *a = json_array_new();
  for (guint i = 0; i < list->len; i++)
    json_array_add_element(a, vote_contest_json(list->pdata[i]));
  g_ptr_array_unref(list);
  JsonObject *o = json_object_new();
  json_object_set_array_member(o, "votes", a);
  api_reply_json(resp, 200, api_object_node(o));
}

/* "items": [{"kind"?: "video", "id"}…] into VoteItem*; NULL after 400. */
static GPtrArray *items_field(JsonNode *n, HttpResponse *resp)
{
  if (!JSON_NODE_HOLDS_ARRAY(n) || json_array_get_length(json_node_get_array(n)) > VOTE_ITEMS_MAX) {
    http_response_error(resp, 400, "invalid_field", "items must be an array of at most %d {kind, id}",
                        VOTE_ITEMS_MAX);
    return NULL;
  }
  JsonArray *a = json_node_get_array(n);
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vote_item_free);
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonNode *e = json_array_get_element(a, i);
    JsonObject *o = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
    const char *kind = o ? json_object_get_string_member_with_default(o, "kind", "video") : NULL;
    const char *id = o ? json_object_get_string_member_with_default(o, "id", NULL) : NULL;
    if (!kind || !id || !api_text_ok(id, 1, 64, false)) {
      http_response_error(resp, 400, "invalid_field", "items[%u] must be {kind, id} with an id", i);
      g_ptr_array_unref(out);
      return NULL;
    }
    g_ptr_array_add(out, vote_item_new(kind, id));
  }
  return out;
}

/* Applies O to C. Drafts take every field; an open contest only its title and description
 * (its rules and items are what members voted under). False after answering. */
static bool contest_fields(JsonObject *o, VoteContest *c, bool create, GPtrArray **items,
                           HttpResponse *resp)
{
  static const char *const allowed[] = {"title", "description", "time_zone", "opens_at", "closes_at",
    "votes_per_day", "tally", "tally_interval", "items", NULL};
  static const char *const modes[] = {"live", "delayed", "final", NULL};
  static const char *const text_only[] = {"title", "description", NULL};
  if (!api_only_known(o, allowed, resp))
    return false;
  if (!create && strcmp(c->state, "draft") != 0) {
    GList *names = json_object_get_members(o);
    bool rules = false;
    for (GList *l = names; l; l = l->next)
      rules |= !api_in_list(l->data, text_only);
    g_list_free(names);
    if (strcmp(c->state, "closed") == 0 || rules) {
      http_response_error(resp, 409, strcmp(c->state, "closed") == 0 ? "vote_closed" : "vote_open",
                          "once a vote is open only its title and description change; a closed "
                          "vote changes no more");
      return false;
    }
  }
  const char *title = NULL, *desc = NULL, *tz = NULL, *tally = NULL;
  if (api_field_text(o, "title", 1, 200, false, &title, resp) < 0 ||
      api_field_text(o, "description", 0, 5000, true, &desc, resp) < 0 ||
      api_field_text(o, "time_zone", 1, 64, false, &tz, resp) < 0 ||
      api_field_time(o, "opens_at", &c->opens_at, resp) < 0 ||
      api_field_time(o, "closes_at", &c->closes_at, resp) < 0 ||
      api_field_int(o, "votes_per_day", 1, 1000, &c->votes_per_day, resp) < 0 ||
      api_field_enum(o, "tally", modes, &tally, resp) < 0 ||
      api_field_int(o, "tally_interval", 60, 86400, &c->tally_interval, resp) < 0)
    return false;
  if (create && (!title || !c->opens_at || !c->closes_at)) {
    http_response_error(resp, 400, "invalid_field", "title, opens_at and closes_at are required");
    return false;
  }
#define SET(field, v) do { if (v) { g_free(c->field); c->field = g_strdup(v); } } while (0)
  SET(title, title);
  SET(description, desc);
  SET(time_zone, tz);
  SET(tally, tally);
#undef SET
  const char *why = NULL;
  if (vote_contest_check(c, &why) < 0) {
    http_response_error(resp, 400, "invalid_field", "%s", why);
    return false;
  }
  JsonNode *n = json_object_get_member(o, "items");
  if (n && !(*items = items_field(n, resp)))
    return false;
  return true;
}

/* Saves C (and ITEMS when given) with its audit entry ACTION; answers. */
static void contest_save(ApiContext *ctx, const ApiCall *call, VoteContest *c, GPtrArray *items,
                         JsonNode *detail, const char *action, int status, HttpResponse *resp)
{
  if (!api_begin(ctx, resp))
    return;
  guint bad = 0;
  int rc = vote_contest_save(ctx->db, c, util_now());
  if (rc == 0 && items)
    rc = vote_contest_set_items(ctx->db, c->id, items, &bad);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -EINVAL)
      http_response_error(resp, 400, "invalid_item", "items[%u]: only videos can be voted on today, "
                          "each once", bad);
    else if (rc == -ENOENT && items)
      http_response_error(resp, 400, "unknown_video", "items[%u]: no such video: %s", bad,
                          ((VoteItem *)items->pdata[bad])->id);
    else
      http_response_error(resp, 500, "internal", "could not save the vote");
    return;
  }
  g_autofree char *target = g_strdup_printf("%" G_GINT64_FORMAT, c->id);
  if (api_commit_audited(ctx, call, action, "vote", target, detail, resp) == 0)
    reply_contest(ctx, c, status, resp);
}

void api_votes_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  VoteContest *c = g_new0(VoteContest, 1);
  c->time_zone = g_strdup("Asia/Shanghai");
  c->votes_per_day = 1;
  c->tally = g_strdup("live");
  c->tally_interval = 3600;
  c->state = g_strdup("draft");
  c->created_by = g_strdup(call->member->id);
  GPtrArray *items = NULL;
  if (contest_fields(json_node_get_object(node), c, true, &items, resp))
    contest_save(ctx, call, c, items, node, "vote.create", 201, resp);
  if (items)
    g_ptr_array_unref(items);
  vote_contest_free(&c);
  json_node_unref(node);
}

void api_vote_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  VoteContest *c = contest_find(ctx, call, resp);
  if (c)
    reply_contest(ctx, c, 200, resp);
  vote_contest_free(&c);
}

void api_vote_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  VoteContest *c = contest_find(ctx, call, resp);
  JsonNode *node = c ? api_parse_object(call->req, resp) : NULL;
  GPtrArray *items = NULL;
  if (node && contest_fields(json_node_get_object(node), c, false, &items, resp))
    contest_save(ctx, call, c, items, node, "vote.update", 200, resp);
  if (items)
    g_ptr_array_unref(items);
  if (node)
    json_node_unref(node);
  vote_contest_free(&c);
}

void api_vote_open(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  VoteContest *c = contest_find(ctx, call, resp);
  if (!c || !api_begin(ctx, resp))
    goto out;
  int rc = vote_contest_open(ctx->db, c, util_now());
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -EALREADY)
      http_response_error(resp, 409, "not_draft", "only a draft can be opened (this vote is %s)", c->state);
    else if (rc == -ENODATA)
      http_response_error(resp, 409, "no_items", "a vote needs items before it opens");
    else if (rc == -ERANGE)
      http_response_error(resp, 409, "window_over", "closes_at has passed; move it before opening");
    else
      http_response_error(resp, 500, "internal", "could not open the vote");
    goto out;
  }
  char target[24];
  g_snprintf(target, sizeof target, "%" G_GINT64_FORMAT, c->id);
  if (api_commit_audited(ctx, call, "vote.open", "vote", target, NULL, resp) == 0)
    reply_contest(ctx, c, 200, resp);
out:
  vote_contest_free(&c);
}

/* The final result as published: the canonical text, its SHA-256 and the tally read back. */
static void add_published(JsonObject *o, const VoteContest *c)
{
  VoteTally *t = NULL;
  if (c->result && vote_tally_parse(c->result, &t) == 0) {
    json_object_set_member(o, "tally", vote_tally_json(t));
    vote_tally_free(&t);
  } else {
    json_object_set_null_member(o, "tally");
  }
  json_object_set_string_member(o, "canonical", c->result ? c->result : "");
  json_object_set_string_member(o, "sha256", c->result_sha256 ? c->result_sha256 : "");
}

void api_vote_close(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  VoteContest *c = contest_find(ctx, call, resp);
  if (!c || !api_begin(ctx, resp))
    goto out;
  int rc = vote_contest_close(ctx->db, c, util_now());
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -EALREADY)
      http_response_error(resp, 409, "not_open", "only an open vote can be closed (this vote is %s)", c->state);
    else
      http_response_error(resp, 500, "internal", "could not close the vote");
    goto out;
  }
  char target[24];
  g_snprintf(target, sizeof target, "%" G_GINT64_FORMAT, c->id);
  JsonObject *d = json_object_new();
  json_object_set_string_member(d, "sha256", c->result_sha256);
  JsonNode *detail = api_object_node(d);
  if (api_commit_audited(ctx, call, "vote.close", "vote", target, detail, resp) == 0) {
    JsonObject *o = json_object_new();
    json_object_set_member(o, "vote", vote_contest_json(c));
    add_published(o, c);
    api_reply_json(resp, 200, api_object_node(o));
  }
  json_node_unref(detail);
out:
  vote_contest_free(&c);
}

void api_vote_results(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  VoteContest *c = contest_find(ctx, call, resp);
  if (!c)
    return;
  gint64 now = util_now(), as_of = 0;
  JsonObject *o = json_object_new();
  json_object_set_member(o, "vote", vote_contest_json(c));
  bool editor = call->member && api_is_editor(call);
  if (strcmp(c->state, "closed") == 0) {
    json_object_set_string_member(o, "shown", "final");
    add_published(o, c);
  } else if (editor || vote_tally_public_as_of(c, now, &as_of)) {
    /* Editors watch the live count; the public gets what the rules allow. A live count takes
     * every ballot so far; a delayed one those before the snapshot's boundary. */
    bool live = editor || strcmp(c->tally, "live") == 0;
    VoteTally *t = NULL;
    if (vote_tally_count(ctx->db, c->id, live ? 0 : as_of, &t) < 0) {
      json_object_unref(o);
      vote_contest_free(&c);
      http_response_error(resp, 500, "internal", "could not count the votes");
      return;
    }
    json_object_set_string_member(o, "shown", editor ? "editor" : c->tally);
    g_autofree char *at = util_iso8601(live ? now : as_of);
    json_object_set_string_member(o, "as_of", at);
    json_object_set_member(o, "tally", vote_tally_json(t));
    vote_tally_free(&t);
  } else {
    json_object_set_string_member(o, "shown", "hidden");
    json_object_set_null_member(o, "tally");
  }
  vote_contest_free(&c);
  api_reply_json(resp, 200, api_object_node(o));
}

static VoteLimits limits(const ApiContext *ctx)
{
  const Config *cf = ctx->config;
  return (VoteLimits){ cf->vote_member_rate, cf->vote_address_rate, cf->vote_rate_window,
                       cf->vote_address_keep };
}

void api_vote_cast(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = {"kind", "item", NULL};
  static const char *const kinds[] = {"video", "article", "submission", NULL};
  VoteContest *c = contest_find(ctx, call, resp);
  JsonNode *node = c ? api_parse_object(call->req, resp) : NULL;
  if (!node)
    goto out;
  JsonObject *o = json_node_get_object(node);
  const char *kind = "video", *item = NULL;
  if (!api_only_known(o, allowed, resp) || api_field_enum(o, "kind", kinds, &kind, resp) < 0 ||
      api_field_text(o, "item", 1, 64, false, &item, resp) < 0)
    goto out;
  if (!item) {
    http_response_error(resp, 400, "invalid_field", "item (the id of what you vote for) is required");
    goto out;
  }
  VoteLimits lim = limits(ctx);
  gint64 now = util_now(), ballot = 0, retry = 0;
  VoteCast v = { .contest = c, .member = call->member, .kind = kind, .item = item,
                 .address = call->req->peer, .now = now };
  VoteRefusal why = VOTE_OK;
  int rc = vote_ballot_cast(ctx->db, ctx->secret, &lim, &v, &why, &ballot, &retry);
  if (rc < 0) {
    if (rc == -ENOSPC)
      http_response_error(resp, 507, "storage_full", "the server's disk is full: the vote was not saved");
    else if (rc == -EBUSY)
      http_response_error(resp, 503, "busy", "the server is busy; try again");
    else
      http_response_error(resp, 500, "internal", "could not record the vote");
    goto out;
  }
  const char *code = vote_refusal_code(why);
  switch (why) {
  case VOTE_OK:
    break;
  case VOTE_RATE_LIMITED: {
    g_autofree char *s = g_strdup_printf("%" G_GINT64_FORMAT, retry);
    http_response_header(resp, "retry-after:", s);
    http_response_error(resp, 429, code, "too many voting requests; try again in %s s", s);
    goto out;
  }
  case VOTE_NOT_VERIFIED:
    http_response_error(resp, 403, code, "only real-name verified members may vote");
    goto out;
  case VOTE_DISQUALIFIED:
    http_response_error(resp, 403, code, "a disqualified member may not vote");
    goto out;
  case VOTE_NO_ITEM:
    http_response_error(resp, 404, code, "%s %s is not in this vote", kind, item);
    goto out;
  case VOTE_NOT_OPEN:
    http_response_error(resp, 409, code, "this vote does not take votes now");
    goto out;
  case VOTE_ALREADY:
    http_response_error(resp, 409, code, "you voted for this today already");
    goto out;
  case VOTE_DAILY_LIMIT:
    http_response_error(resp, 409, code, "you have used today's %" G_GINT64_FORMAT " vote(s)",
                        c->votes_per_day);
    goto out;
  }
  gint64 used = 0;
  GPtrArray *today = NULL;
  if (vote_ballot_today(ctx->db, c, call->member->id, now, &used, &today) < 0) {
    http_response_error(resp, 500, "internal", "the vote was recorded, but reading the day failed");
    goto out;
  }
  g_ptr_array_unref(today);
  char *day = vote_contest_day(c, now);
  JsonObject *r = json_object_new();
  json_object_set_int_member(r, "ballot", ballot);
  json_object_set_string_member(r, "kind", kind);
  json_object_set_string_member(r, "item", item);
  json_object_set_string_member(r, "day", day);
  g_free(day);
  json_object_set_int_member(r, "used", used);
  json_object_set_int_member(r, "remaining", MAX(0, c->votes_per_day - used));
  api_reply_json(resp, 201, api_object_node(r));
out:
  if (node)
    json_node_unref(node);
  vote_contest_free(&c);
}

void api_vote_me(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  VoteContest *c = contest_find(ctx, call, resp);
  if (!c)
    return;
  gint64 now = util_now(), used = 0;
  GPtrArray *items = NULL;
  if (vote_ballot_today(ctx->db, c, call->member->id, now, &used, &items) < 0) {
    vote_contest_free(&c);
    http_response_error(resp, 500, "internal", "could not read your votes");
    return;
  }
  g_autofree char *day = vote_contest_day(c, now);
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "vote", c->id);
  json_object_set_string_member(o, "day", day);
  json_object_set_int_member(o, "votes_per_day", c->votes_per_day);
  json_object_set_int_member(o, "used", used);
  json_object_set_int_member(o, "remaining", MAX(0, c->votes_per_day - used));
  /* Why this member cannot vote, if so — the page says it before a button is pressed. */
  const char *blocked = !vote_contest_accepting(c, now) ? "not_open"
                        : !call->member->real_name_verified ? "not_verified"
                        : call->member->disqualified ? "disqualified" : NULL;
  if (blocked)
    json_object_set_string_member(o, "blocked", blocked);
  else
    json_object_set_null_member(o, "blocked");
  JsonArray *a = json_array_new();
  for (guint i = 0; i < items->len; i++) {
    const char *ki = items->pdata[i], *colon = strchr(ki, ':');
    g_autofree char *kind = colon ? g_strndup(ki, colon - ki) : g_strdup(ki);
    JsonObject *x = json_object_new();
    json_object_set_string_member(x, "kind", kind);
    json_object_set_string_member(x, "id", colon ? colon + 1 : "");
    json_array_add_object_element(a, x);
  }
  g_ptr_array_unref(items);
  json_object_set_array_member(o, "today", a);
  vote_contest_free(&c);
  api_reply_json(resp, 200, api_object_node(o));
}

void api_vote_invalidate(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = {"ballots", "reason", NULL};
  VoteContest *c = contest_find(ctx, call, resp);
  JsonNode *node = c ? api_parse_object(call->req, resp) : NULL;
  GArray *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  if (!node)
    goto out;
  JsonObject *o = json_node_get_object(node);
  const char *reason = NULL;
  if (!api_only_known(o, allowed, resp) || api_field_text(o, "reason", 1, 500, false, &reason, resp) < 0)
    goto out;
  JsonNode *bn = json_object_get_member(o, "ballots");
  JsonArray *ba = bn && JSON_NODE_HOLDS_ARRAY(bn) ? json_node_get_array(bn) : NULL;
  guint n = ba ? json_array_get_length(ba) : 0;
  for (guint i = 0; i < n; i++) {
    JsonNode *e = json_array_get_element(ba, i);
    if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_INT64 ||
        json_node_get_int(e) < 1) {
      n = 0;
      break;
    }
    gint64 id = json_node_get_int(e);
    g_array_append_val(ids, id);
  }
  if (!reason || n == 0 || n > 1000) {
    http_response_error(resp, 400, "invalid_field",
                        "ballots (1..1000 ballot ids) and a reason are required");
    goto out;
  }
  if (!api_begin(ctx, resp))
    goto out;
  gint64 marked = 0, bad = 0;
  int rc = vote_ballot_invalidate(ctx->db, c, (gint64 *)ids->data, ids->len, reason, call->member->id,
                                  util_now(), &marked, &bad);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -EALREADY)
      http_response_error(resp, 409, "vote_closed", "the result of a closed vote is published; "
                          "its ballots are no longer judged");
    else if (rc == -ENOENT)
      http_response_error(resp, 404, "unknown_ballot", "ballot %" G_GINT64_FORMAT " is not in this vote", bad);
    else
      http_response_error(resp, 500, "internal", "could not record the invalidation");
    goto out;
  }
  char target[24];
  g_snprintf(target, sizeof target, "%" G_GINT64_FORMAT, c->id);
  if (api_commit_audited(ctx, call, "vote.invalidate", "vote", target, node, resp) == 0) {
    JsonObject *r = json_object_new();
    json_object_set_int_member(r, "marked", marked);
    json_object_set_int_member(r, "already", (gint64)ids->len - marked);
    json_object_set_string_member(r, "reason", reason);
    api_reply_json(resp, 200, api_object_node(r));
  }
out:
  g_array_unref(ids);
  if (node)
    json_node_unref(node);
  vote_contest_free(&c);
}

void api_vote_report(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  VoteContest *c = contest_find(ctx, call, resp);
  if (!c)
    return;
  VoteSignalRules r = VOTE_SIGNAL_RULES_DEFAULT;
  JsonNode *report = NULL;
  if (api_query_int(call, "window", 1, 86400, r.window, &r.window, resp) &&
      api_query_int(call, "min_members", 2, 100000, r.min_members, &r.min_members, resp) &&
      api_query_int(call, "new_age", 0, 31536000, r.new_age, &r.new_age, resp) &&
      api_query_int(call, "min_new", 1, 1000000, r.min_new, &r.min_new, resp)) {
    if (vote_signal_report(ctx->db, c->id, &r, &report) < 0) {
      http_response_error(resp, 500, "internal", "could not read the ballots");
    } else {
      json_object_set_member(json_node_get_object(report), "vote", vote_contest_json(c));
      api_reply_json(resp, 200, report);
    }
  }
  vote_contest_free(&c);
}
