/* api_qa: moderators' and the presenter's side of the live questions. */
#include "http/api_qa.h"
#include "auth/presenter_link.h"
#include "chat/qa_rules.h"
#include "club/qa_points.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_audit.h"
#include "db/db_qa.h"
#include "db/db_video.h"
#include "db/db_watch.h"
#include "http/api_catalog.h"
#include "http/api_fields.h"
#include "points/watch_clock.h"

#include <errno.h>
#include <string.h>

/* Who decides: an editor (their member id and name) or a live's presenter. */
typedef struct {
  const char *id, *name;
} Actor;

static JsonNode *question_json(const QaQuestion *q)
{
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "id", q->id);
  JsonObject *m = json_object_new();
  json_object_set_string_member(m, "id", q->member);
  json_object_set_string_member(m, "display_name", q->name ? q->name : "");
  json_object_set_object_member(o, "member", m);
  json_object_set_string_member(o, "text", q->text);
  json_object_set_double_member(o, "live_time", q->live_time);
  json_object_set_int_member(o, "created_at", q->created_at);
  json_object_set_string_member(o, "state", qa_state_name(q->state));
  json_object_set_int_member(o, "votes", q->votes);
  json_object_set_boolean_member(o, "pinned", q->pinned);
  if (q->answer)
    json_object_set_string_member(o, "answer", q->answer);
  else
    json_object_set_null_member(o, "answer");
  json_object_set_boolean_member(o, "approved", q->approved);
  return api_object_node(o);
}

/* VIDEO's questions in listing order (dismissed ones with WITH_DISMISSED), or NULL after 500. */
static JsonNode *questions_json(ApiContext *ctx, const char *video, bool with_dismissed, HttpResponse *resp)
{
  GPtrArray *qs = NULL;
  if (db_qa_questions(ctx->db, video, with_dismissed, &qs) < 0) {
    g_ptr_array_unref(qs);
    http_response_error(resp, 500, "internal", "could not read the questions");
    return NULL;
  }
  g_ptr_array_sort(qs, qa_order);
  JsonArray *a = json_array_new();
  for (guint i = 0; i < qs->len; i++)
    json_array_add_element(a, question_json(qs->pdata[i]));
  g_ptr_array_unref(qs);
  JsonNode *n = json_node_new(JSON_NODE_ARRAY);
  json_node_take_array(n, a);
  return n;
}

void api_qa_questions(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *video = call->params[0];
  if (!api_video_exists(ctx, video, resp))
    return;
  JsonNode *n = questions_json(ctx, video, true, resp);
  if (!n)
    return;
  JsonObject *o = json_object_new();
  json_object_set_member(o, "questions", n);
  api_reply_json(resp, 200, api_object_node(o));
}

/* Commits the open transaction with its audit entry by ACTOR, or rolls back after 500/507. */
static int commit_audited(ApiContext *ctx, const Actor *actor, const char *action, const char *video,
                          JsonNode *detail, HttpResponse *resp)
{
  int rc = db_audit_add(ctx->db, actor->id, actor->name, action, "video", video, detail);
  if (rc == 0)
    rc = db_commit(ctx->db);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -ENOSPC)
      http_response_error(resp, 507, "storage_full", "the server's disk is full: the change was not saved");
    else
      http_response_error(resp, 500, "internal", "could not save the change");
    return rc;
  }
  return 0;
}

/* Applies the body's {action, answer?} to question QID of VIDEO for ACTOR: stored, audited
 * (qa.<action> on the video), points paid when newly approved, pushed to the viewers. */
static void decide(ApiContext *ctx, const Actor *actor, const char *video, const char *qid, JsonObject *o,
                   HttpResponse *resp)
{
  gint64 id = 0;
  if (!g_ascii_string_to_signed(qid, 10, 1, G_MAXINT64, &id, NULL)) {
    http_response_error(resp, 404, "not_found", "no such question: %s", qid);
    return;
  }
  const char *action_name = json_object_has_member(o, "action") &&
      JSON_NODE_HOLDS_VALUE(json_object_get_member(o, "action")) &&
      json_node_get_value_type(json_object_get_member(o, "action")) == G_TYPE_STRING
      ? json_object_get_string_member(o, "action") : NULL;
  QaAction action;
  if (qa_action_parse(action_name, &action) < 0) {
    http_response_error(resp, 400, "invalid_field",
                        "action must be approve, answer_live, answer, pin, unpin or dismiss");
    return;
  }
  const char *answer = NULL;
  if (json_object_has_member(o, "answer")) {
    JsonNode *an = json_object_get_member(o, "answer");
    if (!JSON_NODE_HOLDS_VALUE(an) || json_node_get_value_type(an) != G_TYPE_STRING) {
      http_response_error(resp, 400, "invalid_field", "answer must be text");
      return;
    }
    answer = json_node_get_string(an);
  }
  QaQuestion *q = NULL;
  int rc = db_qa_question_get(ctx->db, id, &q);
  if (rc == -ENOENT || (rc == 0 && strcmp(q->video, video) != 0)) {
    qa_question_free(q);
    http_response_error(resp, 404, "not_found", "no such question on this live: %s", qid);
    return;
  }
  if (rc < 0) {
    http_response_error(resp, 500, "internal", "could not read the question");
    return;
  }
  bool newly = false;
  const char *why = NULL;
  if (qa_apply(q, action, answer, &newly, &why) < 0) {
    http_response_error(resp, action == QA_ANSWER && why && strstr(why, "answer") ? 400 : 409,
                        action == QA_ANSWER && why && strstr(why, "answer") ? "invalid_field" : "invalid_state",
                        "%s", why);
    qa_question_free(q);
    return;
  }
  if (!api_begin(ctx, resp)) {
    qa_question_free(q);
    return;
  }
  gint64 now = util_now(), points = 0;
  GArray *unpinned = g_array_new(FALSE, FALSE, sizeof(gint64));
  rc = db_qa_question_update(ctx->db, q, actor->id, now);
  /* One question is answered live at a time: it alone is pinned. */
  if (rc == 0 && action == QA_ANSWER_LIVE)
    rc = db_qa_unpin_others(ctx->db, video, q->id, unpinned);
  if (rc == 0 && newly)
    rc = qa_points_award(ctx->db, q->id, q->member, video, now, &points);
  if (rc < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not store the decision");
    goto out;
  }
  JsonObject *d = json_object_new();
  json_object_set_int_member(d, "question", q->id);
  json_object_set_string_member(d, "state", qa_state_name(q->state));
  if (points > 0)
    json_object_set_int_member(d, "points", points);
  JsonNode *detail = api_object_node(d);
  char *audit_action = g_strdup_printf("qa.%s", qa_action_name(action));
  rc = commit_audited(ctx, actor, audit_action, video, detail, resp);
  g_free(audit_action);
  json_node_unref(detail);
  if (rc < 0)
    goto out;
  if (ctx->qa) {
    qa_service_changed(ctx->qa, q);
    for (guint i = 0; i < unpinned->len; i++) {
      QaQuestion *u = NULL;
      if (db_qa_question_get(ctx->db, g_array_index(unpinned, gint64, i), &u) == 0)
        qa_service_changed(ctx->qa, u);
      qa_question_free(u);
    }
  }
  JsonNode *n = question_json(q);
  json_object_set_int_member(json_node_get_object(n), "points", points);
  api_reply_json(resp, 200, n);
out:
  g_array_unref(unpinned);
  qa_question_free(q);
}

void api_qa_decide(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *video = call->params[0];
  if (!api_video_exists(ctx, video, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  static const char *const allowed[] = { "action", "answer", NULL };
  if (api_only_known(json_node_get_object(node), allowed, resp)) {
    Actor a = { call->member->id, call->member->display_name };
    decide(ctx, &a, video, call->params[1], json_node_get_object(node), resp);
  }
  json_node_unref(node);
}

static void settings_reply(ApiContext *ctx, const char *video, HttpResponse *resp)
{
  bool premod = false;
  if (db_qa_settings_get(ctx->db, video, &premod) < 0) {
    http_response_error(resp, 500, "internal", "could not read the Q&A settings");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_boolean_member(o, "premoderate", premod);
  api_reply_json(resp, 200, api_object_node(o));
}

void api_qa_settings_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  if (api_video_exists(ctx, call->params[0], resp))
    settings_reply(ctx, call->params[0], resp);
}

void api_qa_settings_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *video = call->params[0];
  if (!api_video_exists(ctx, video, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  static const char *const allowed[] = { "premoderate", NULL };
  JsonObject *o = json_node_get_object(node);
  bool premod = false;
  int f = 0;
  if (!api_only_known(o, allowed, resp) || (f = api_field_bool(o, "premoderate", &premod, resp)) < 0)
    goto out;
  if (f == 0) {
    http_response_error(resp, 400, "invalid_field", "premoderate (true or false) is required");
    goto out;
  }
  if (!api_begin(ctx, resp))
    goto out;
  if (db_qa_settings_put(ctx->db, video, premod, call->member->id, util_now()) < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not store the Q&A settings");
    goto out;
  }
  if (api_commit_audited(ctx, call, "qa.settings", "video", video, node, resp) == 0) {
    if (ctx->qa)
      qa_service_settings_changed(ctx->qa, video);
    settings_reply(ctx, video, resp);
  }
out:
  json_node_unref(node);
}

/* ---- the presenter link ---- */

/* VIDEO's source ("live" or "upload") in *SOURCE (caller frees), or false after 404/500. */
static bool video_source(ApiContext *ctx, const char *video, char **source, char **title, char **state,
                         HttpResponse *resp)
{
  int rc = 0;
  JsonNode *n = db_video_json(ctx->db, video, &rc);
  if (!n) {
    if (rc == -ENOENT)
      http_response_error(resp, 404, "not_found", "no such video: %s", video);
    else
      http_response_error(resp, 500, "internal", "could not read video %s", video);
    return false;
  }
  JsonObject *o = json_node_get_object(n);
  *source = g_strdup(json_object_get_string_member_with_default(o, "source", ""));
  if (title)
    *title = g_strdup(json_object_get_string_member_with_default(o, "title", ""));
  if (state)
    *state = g_strdup(json_object_get_string_member_with_default(o, "state", ""));
  json_node_unref(n);
  return true;
}

void api_presenter_link_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *video = call->params[0];
  if (!api_video_exists(ctx, video, resp))
    return;
  g_autofree char *hash = NULL, *member = NULL;
  gint64 at = 0;
  int rc = db_presenter_link_get(ctx->db, video, &hash, &member, &at);
  if (rc < 0 && rc != -ENOENT) {
    http_response_error(resp, 500, "internal", "could not read the presenter link");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_boolean_member(o, "exists", rc == 0);
  if (rc == 0)
    json_object_set_int_member(o, "created_at", at);
  else
    json_object_set_null_member(o, "created_at");
  if (member)
    json_object_set_string_member(o, "member", member);
  else
    json_object_set_null_member(o, "member");
  api_reply_json(resp, 200, api_object_node(o));
}

void api_presenter_link_rotate(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *video = call->params[0];
  g_autofree char *source = NULL;
  if (!video_source(ctx, video, &source, NULL, NULL, resp))
    return;
  if (strcmp(source, "live") != 0) {
    http_response_error(resp, 409, "not_live", "only a live has a presenter link; %s is an upload", video);
    return;
  }
  /* An empty body is fine: {member} optionally names the presenter's own account. */
  const char *member = NULL;
  JsonNode *node = NULL;
  g_autofree char *key = NULL, *hash = NULL;
  if (call->req->body_len > 0) {
    node = api_parse_object(call->req, resp);
    if (!node)
      return;
    static const char *const allowed[] = { "member", NULL };
    JsonObject *o = json_node_get_object(node);
    if (!api_only_known(o, allowed, resp) || api_field_text(o, "member", 1, 64, false, &member, resp) < 0)
      goto out;
    Member *m = NULL;
    if (member && db_member_get(ctx->db, member, &m, NULL) < 0) {
      http_response_error(resp, 400, "invalid_field", "member: no such member");
      goto out;
    }
    member_free(&m);
  }
  if (!api_begin(ctx, resp))
    goto out;
  key = presenter_link_new(video);
  hash = token_hash(ctx->secret, key);
  gint64 now = util_now();
  if (db_presenter_link_put(ctx->db, video, hash, member, call->member->id, now) < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not store the presenter link");
    goto out;
  }
  /* The audit says that the link changed, never the link. */
  JsonObject *d = json_object_new();
  if (member)
    json_object_set_string_member(d, "member", member);
  JsonNode *detail = api_object_node(d);
  int rc = api_commit_audited(ctx, call, "video.presenter_link", "video", video, detail, resp);
  json_node_unref(detail);
  if (rc == 0) {
    if (ctx->chat)
      chat_service_presenter_changed(ctx->chat, video);
    JsonObject *o = json_object_new();
    json_object_set_string_member(o, "key", key);
    g_autofree char *path = g_strdup_printf("/presenter.html#key=%s", key);
    json_object_set_string_member(o, "path", path);
    json_object_set_int_member(o, "created_at", now);
    if (member)
      json_object_set_string_member(o, "member", member);
    else
      json_object_set_null_member(o, "member");
    api_reply_json(resp, 200, api_object_node(o));
  }
out:
  if (node)
    json_node_unref(node);
}

/* The live the body's {key} opens, checked against that live's stored link; NULL after
 * 401 presenter_link_invalid (not a link, another live's, or rotated away). */
static char *presenter_video(ApiContext *ctx, JsonObject *o, HttpResponse *resp)
{
  JsonNode *kn = json_object_get_member(o, "key");
  const char *key = kn && JSON_NODE_HOLDS_VALUE(kn) && json_node_get_value_type(kn) == G_TYPE_STRING
      ? json_node_get_string(kn) : NULL;
  char *video = NULL;
  g_autofree char *hash = NULL;
  gint64 at = 0;
  if (presenter_link_parse(key, &video) < 0 || db_presenter_link_get(ctx->db, video, &hash, NULL, &at) < 0 ||
      !token_verify(ctx->secret, key, hash)) {
    g_free(video);
    http_response_error(resp, 401, "presenter_link_invalid",
                        "this presenter link is not valid (it may have been replaced): ask the editors for the current one");
    return NULL;
  }
  return video;
}

void api_presenter_view(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  static const char *const allowed[] = { "key", NULL };
  g_autofree char *video = NULL, *source = NULL, *title = NULL, *state = NULL;
  if (!api_only_known(json_node_get_object(node), allowed, resp) ||
      !(video = presenter_video(ctx, json_node_get_object(node), resp)) ||
      !video_source(ctx, video, &source, &title, &state, resp))
    goto out;
  gint64 now = util_now();
  WatchVideo wv = { 0 };
  int audience = 0;
  bool premod = false;
  if (db_watch_video(ctx->db, video, now, &wv) < 0)
    wv.live = false; /* not yet published: not on air either */
  if (db_watch_viewers_now(ctx->db, video, now - WATCH_SILENCE_SECONDS, &audience) < 0 ||
      db_qa_settings_get(ctx->db, video, &premod) < 0) {
    http_response_error(resp, 500, "internal", "could not read the live");
    goto out;
  }
  JsonNode *qs = questions_json(ctx, video, false, resp);
  if (!qs)
    goto out;
  JsonObject *o = json_object_new();
  json_object_set_string_member(o, "video", video);
  json_object_set_string_member(o, "title", title);
  json_object_set_string_member(o, "state", state);
  json_object_set_boolean_member(o, "live", wv.live);
  if (wv.live && wv.live_started_at > 0)
    json_object_set_int_member(o, "live_seconds", MAX(0, now - wv.live_started_at));
  else
    json_object_set_null_member(o, "live_seconds");
  json_object_set_int_member(o, "audience", audience);
  json_object_set_boolean_member(o, "premoderate", premod);
  json_object_set_member(o, "questions", qs);
  api_reply_json(resp, 200, api_object_node(o));
out:
  json_node_unref(node);
}

void api_presenter_decide(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  static const char *const allowed[] = { "key", "action", "answer", NULL };
  g_autofree char *video = NULL;
  if (api_only_known(json_node_get_object(node), allowed, resp) &&
      (video = presenter_video(ctx, json_node_get_object(node), resp))) {
    /* The audit's actor: the live's presenter (no member account). */
    Actor a = { "presenter", "presenter" };
    decide(ctx, &a, video, call->params[0], json_node_get_object(node), resp);
  }
  json_node_unref(node);
}
