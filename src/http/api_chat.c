/* api_chat: the moderators' API of the live chat. Each change: stored and audited in one
 * transaction (api_commit_audited), then told to the chat in memory so every screen sees it
 * at the next batch. */
#include "http/api_chat.h"
#include "chat/chat_filter.h"
#include "core/util.h"
#include "db/db_chat.h"
#include "http/api_fields.h"

#include <errno.h>
#include <string.h>

/* A positive whole number path segment, or 0 after answering 404. */
static gint64 path_id(const char *s, const char *what, HttpResponse *resp)
{
  char *end = NULL;
  gint64 v = s && g_ascii_isdigit(*s) ? g_ascii_strtoll(s, &end, 10) : 0;
  if (v <= 0 || !end || *end) {
    http_response_error(resp, 404, "not_found", "no such %s", what);
    return 0;
  }
  return v;
}

/* Answers 404 unless VIDEO exists; false then. */
static bool video_known(ApiContext *ctx, const char *video, HttpResponse *resp)
{
  int rc = db_chat_video_exists(ctx->db, video);
  if (rc == -ENOENT)
    http_response_error(resp, 404, "not_found", "no such video");
  else if (rc < 0)
    http_response_error(resp, 500, "internal", "could not read the video");
  return rc == 0;
}

void api_chat_messages(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *video = call->params[0];
  gint64 from = 0, to = 0, limit = 0;
  if (!video_known(ctx, video, resp) ||
      !api_query_int(call, "from", 0, 86400 * 7, 0, &from, resp) ||
      !api_query_int(call, "to", 0, 86400 * 7, 86400 * 7, &to, resp) ||
      !api_query_int(call, "limit", 1, 1000, 200, &limit, resp))
    return;
  int rc = 0;
  JsonNode *list = db_chat_messages_json(ctx->db, video, (double)from, (double)to, (int)limit, &rc);
  if (!list) {
    http_response_error(resp, 500, "internal", "could not read the chat");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_string_member(o, "video", video);
  json_object_set_member(o, "messages", list);
  api_reply_json(resp, 200, api_object_node(o));
}

void api_chat_message_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const char *video = call->params[0];
  gint64 id = path_id(call->params[1], "message", resp);
  if (!id || !api_begin(ctx, resp))
    return;
  int rc = db_chat_message_delete(ctx->db, video, id, call->member->id, util_now());
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -ENOENT)
      http_response_error(resp, 404, "not_found", "no such message in this live's chat");
    else
      http_response_error(resp, 500, "internal", "could not delete the message");
    return;
  }
  JsonObject *d = json_object_new();
  json_object_set_int_member(d, "message", id);
  JsonNode *detail = api_object_node(d);
  if (api_commit_audited(ctx, call, "chat.delete", "video", video, detail, resp) == 0) {
    if (ctx->chat)
      chat_service_deleted(ctx->chat, video, id);
    chat_replay_cache_forget(ctx->replay, video);
    JsonObject *r = json_object_new();
    json_object_set_int_member(r, "id", id);
    json_object_set_boolean_member(r, "deleted", true);
    api_reply_json(resp, 200, api_object_node(r));
  }
  json_node_unref(detail);
}

void api_chat_settings_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  ChatSettings st;
  if (!video_known(ctx, call->params[0], resp))
    return;
  if (db_chat_settings_get(ctx->db, call->params[0], &st) < 0) {
    http_response_error(resp, 500, "internal", "could not read the chat settings");
    return;
  }
  api_reply_json(resp, 200, db_chat_settings_json(&st));
}

void api_chat_settings_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = { "mode", "slow_seconds", "hold_seconds", "max_messages", "replay", NULL };
  static const char *const modes[] = { "open", "members", "off", NULL };
  const char *video = call->params[0];
  if (!video_known(ctx, video, resp))
    return;
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  ChatSettings st;
  const char *mode = NULL;
  gint64 slow = -1, hold = -1, cap = -1;
  bool replay = false;
  int has_replay = 0;
  if (!api_only_known(o, allowed, resp) || api_field_enum(o, "mode", modes, &mode, resp) < 0 ||
      api_field_int(o, "slow_seconds", 0, 3600, &slow, resp) < 0 ||
      api_field_int(o, "hold_seconds", 0, 600, &hold, resp) < 0 ||
      api_field_int(o, "max_messages", 0, 10000000, &cap, resp) < 0 ||
      (has_replay = api_field_bool(o, "replay", &replay, resp)) < 0)
    goto out;
  if (db_chat_settings_get(ctx->db, video, &st) < 0) {
    http_response_error(resp, 500, "internal", "could not read the chat settings");
    goto out;
  }
  if (mode)
    chat_mode_parse(mode, &st.mode);
  if (json_object_has_member(o, "slow_seconds"))
    st.slow_seconds = (int)slow;
  if (json_object_has_member(o, "hold_seconds"))
    st.hold_seconds = (int)hold;
  if (json_object_has_member(o, "max_messages"))
    st.max_messages = (int)cap;
  if (has_replay)
    st.replay = replay;
  if (!api_begin(ctx, resp))
    goto out;
  if (db_chat_settings_put(ctx->db, video, &st, call->member->id, util_now()) < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not store the chat settings");
    goto out;
  }
  if (api_commit_audited(ctx, call, "chat.settings", "video", video, node, resp) == 0) {
    if (ctx->chat)
      chat_service_settings_changed(ctx->chat, video);
    api_reply_json(resp, 200, db_chat_settings_json(&st));
  }
out:
  json_node_unref(node);
}

void api_chat_sanctions_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  (void)call;
  int rc = 0;
  JsonNode *list = db_chat_sanctions_json(ctx->db, util_now(), &rc);
  if (!list) {
    http_response_error(resp, 500, "internal", "could not read the sanctions");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "sanctions", list);
  api_reply_json(resp, 200, api_object_node(o));
}

void api_chat_sanctions_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = { "member", "kind", "minutes", "video", "reason", NULL };
  static const char *const kinds[] = { "mute", "ban", NULL };
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  const char *member = NULL, *kind = NULL, *video = NULL, *reason = NULL;
  gint64 minutes = 0, id = 0;
  Member *m = NULL;
  if (!api_only_known(o, allowed, resp) || api_field_text(o, "member", 1, 64, false, &member, resp) < 0 ||
      api_field_enum(o, "kind", kinds, &kind, resp) < 0 ||
      api_field_int(o, "minutes", 1, 525600, &minutes, resp) < 0 ||
      api_field_text(o, "video", 1, 32, false, &video, resp) < 0 ||
      api_field_text(o, "reason", 1, 200, false, &reason, resp) < 0)
    goto out;
  if (!member || !kind) {
    http_response_error(resp, 400, "invalid_field", "member and kind (mute or ban) are required");
    goto out;
  }
  if (db_member_get(ctx->db, member, &m, NULL) < 0) {
    http_response_error(resp, 404, "not_found", "no such member: %s", member);
    goto out;
  }
  if (m->role != ROLE_VIEWER) {
    http_response_error(resp, 403, "forbidden", "editors and admins are not muted or banned in the chat");
    goto out;
  }
  if (video && !video_known(ctx, video, resp))
    goto out;
  gint64 now = util_now();
  if (!api_begin(ctx, resp))
    goto out;
  if (db_chat_sanction_add(ctx->db, member, video, kind, reason, call->member->id, now,
                           minutes ? now + minutes * 60 : 0, &id) < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not store the sanction");
    goto out;
  }
  json_object_set_int_member(o, "id", id);
  if (api_commit_audited(ctx, call, strcmp(kind, "ban") == 0 ? "chat.ban" : "chat.mute", "member", member,
                         node, resp) == 0) {
    if (ctx->chat)
      chat_service_sanctions_changed(ctx->chat, member);
    if (ctx->qa) /* the same sanctions stop asking and upvoting */
      qa_service_sanctions_changed(ctx->qa, member);
    JsonObject *r = json_object_new();
    json_object_set_int_member(r, "id", id);
    json_object_set_string_member(r, "member", member);
    json_object_set_string_member(r, "kind", kind);
    if (video)
      json_object_set_string_member(r, "video", video);
    else
      json_object_set_null_member(r, "video");
    if (minutes) {
      g_autofree char *t = util_iso8601(now + minutes * 60);
      json_object_set_string_member(r, "expires_at", t);
    } else {
      json_object_set_null_member(r, "expires_at");
    }
    api_reply_json(resp, 201, api_object_node(r));
  }
out:
  member_free(&m);
  json_node_unref(node);
}

void api_chat_sanction_lift(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id = path_id(call->params[0], "sanction", resp);
  if (!id || !api_begin(ctx, resp))
    return;
  char *member = NULL;
  int rc = db_chat_sanction_lift(ctx->db, id, util_now(), &member);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -ENOENT)
      http_response_error(resp, 404, "not_found", "no such sanction in force");
    else
      http_response_error(resp, 500, "internal", "could not lift the sanction");
    return;
  }
  JsonObject *d = json_object_new();
  json_object_set_int_member(d, "sanction", id);
  JsonNode *detail = api_object_node(d);
  if (api_commit_audited(ctx, call, "chat.lift", "member", member, detail, resp) == 0) {
    if (ctx->chat)
      chat_service_sanctions_changed(ctx->chat, member);
    if (ctx->qa) /* the same sanctions stop asking and upvoting */
      qa_service_sanctions_changed(ctx->qa, member);
    JsonObject *r = json_object_new();
    json_object_set_int_member(r, "id", id);
    json_object_set_boolean_member(r, "lifted", true);
    api_reply_json(resp, 200, api_object_node(r));
  }
  json_node_unref(detail);
  g_free(member);
}

void api_chat_words_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  (void)call;
  int rc = 0;
  JsonNode *list = db_chat_words_json(ctx->db, &rc);
  if (!list) {
    http_response_error(resp, 500, "internal", "could not read the word list");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "words", list);
  api_reply_json(resp, 200, api_object_node(o));
}

/* Word-list changes are audited on target video "" (every live), the same way a sanction
 * on every live names no video: the audit log's target types are fixed by migration 0006. */
void api_chat_words_add(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = { "word", NULL };
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  const char *word = NULL;
  char *folded = NULL;
  gint64 id = 0;
  if (!api_only_known(o, allowed, resp) || api_field_text(o, "word", 1, 50, false, &word, resp) < 0)
    goto out;
  if (!word || chat_filter_normalize(word, &folded) < 0 || !*folded) {
    http_response_error(resp, 400, "invalid_field", "word: letters or characters to match (not only spaces or punctuation)");
    goto out;
  }
  if (!api_begin(ctx, resp))
    goto out;
  int rc = db_chat_word_add(ctx->db, word, folded, call->member->id, util_now(), &id);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -EEXIST)
      http_response_error(resp, 409, "duplicate", "that word is listed already");
    else
      http_response_error(resp, 500, "internal", "could not store the word");
    goto out;
  }
  if (api_commit_audited(ctx, call, "chat.word_add", "video", "", node, resp) == 0) {
    if (ctx->chat)
      chat_service_words_changed(ctx->chat);
    if (ctx->qa) /* the same list filters questions */
      qa_service_words_changed(ctx->qa);
    JsonObject *r = json_object_new();
    json_object_set_int_member(r, "id", id);
    json_object_set_string_member(r, "word", word);
    json_object_set_string_member(r, "normalized", folded);
    api_reply_json(resp, 201, api_object_node(r));
  }
out:
  g_free(folded);
  json_node_unref(node);
}

void api_chat_word_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id = path_id(call->params[0], "word", resp);
  if (!id || !api_begin(ctx, resp))
    return;
  char *word = NULL;
  int rc = db_chat_word_delete(ctx->db, id, &word);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -ENOENT)
      http_response_error(resp, 404, "not_found", "no such word");
    else
      http_response_error(resp, 500, "internal", "could not remove the word");
    return;
  }
  JsonObject *d = json_object_new();
  json_object_set_int_member(d, "id", id);
  json_object_set_string_member(d, "word", word);
  JsonNode *detail = api_object_node(d);
  if (api_commit_audited(ctx, call, "chat.word_remove", "video", "", detail, resp) == 0) {
    if (ctx->chat)
      chat_service_words_changed(ctx->chat);
    if (ctx->qa) /* the same list filters questions */
      qa_service_words_changed(ctx->qa);
    JsonObject *r = json_object_new();
    json_object_set_int_member(r, "id", id);
    json_object_set_boolean_member(r, "removed", true);
    api_reply_json(resp, 200, api_object_node(r));
  }
  json_node_unref(detail);
  g_free(word);
}
