/* api_quiz: the daily quiz and the rules over HTTP. Member routes answer only that member
 * (private, never kept for guests); every change is one transaction. */
#include "http/api_quiz.h"
#include "http/api_fields.h"
#include "club/quiz_attempt.h"
#include "club/quiz_bank.h"
#include "core/util.h"
#include "db/db_points.h"

#include <errno.h>
#include <string.h>

/* The server's clock in milliseconds: the quiz's time limits are counted on it. */
static gint64 now_ms(void)
{
  return g_get_real_time() / 1000;
}

/* The campaign open now (NULL: none), or false after 500. */
static bool open_campaign(ApiContext *ctx, Campaign **k, HttpResponse *resp)
{
  *k = NULL;
  int rc = db_campaign_active(ctx->db, util_now(), k);
  if (rc < 0 && rc != -ENOENT) {
    http_response_error(resp, 500, "internal", "could not read the campaign");
    return false;
  }
  return true;
}

/* Today's quiz of the caller as sent to them, with whether it earns points. */
static JsonNode *today_node(ApiContext *ctx, const ApiCall *call, const Campaign *k, int *rc)
{
  JsonNode *n = quiz_attempt_today_json(ctx->db, k, call->member->id, now_ms(), rc);
  if (n)
    json_object_set_boolean_member(json_node_get_object(n), "earns_points",
                                   call->member->real_name_verified && !call->member->disqualified &&
                                   k && k->act[ACT_QUIZ].on && k->act[ACT_QUIZ].rate > 0);
  return n;
}

static void reply_today(ApiContext *ctx, const ApiCall *call, const Campaign *k, int status,
                        HttpResponse *resp)
{
  int rc = 0;
  JsonNode *n = today_node(ctx, call, k, &rc);
  if (!n) {
    http_response_error(resp, 500, "internal", "could not read the quiz");
    return;
  }
  api_reply_json(resp, status, n);
}

void api_me_quiz(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  Campaign *k = NULL;
  if (!open_campaign(ctx, &k, resp))
    return;
  /* Reading may finish an attempt of an earlier day (and pay it): a write. */
  if (api_begin(ctx, resp)) {
    int rc = 0;
    JsonNode *n = today_node(ctx, call, k, &rc);
    if (!n)
      db_rollback(ctx->db);
    if (!n || db_commit(ctx->db) < 0) {
      if (n)
        json_node_unref(n);
      http_response_error(resp, 500, "internal", "could not read the quiz");
    } else {
      api_reply_json(resp, 200, n);
    }
  }
  campaign_free(&k);
}

/* Runs CHANGE in a transaction, then answers today's quiz; errors as the change says. */
static void change_then_reply(ApiContext *ctx, const ApiCall *call, const Campaign *k, int rc,
                              int status, HttpResponse *resp)
{
  if (rc < 0) {
    db_rollback(ctx->db);
    switch (rc) {
    case -EEXIST:
      http_response_error(resp, 409, "already_done", "done already: one attempt a day, one answer a question");
      break;
    case -ENOENT:
      http_response_error(resp, 404, "not_found", "no quiz today (start one with POST /api/v1/me/quiz), "
                          "no such question, or no question in the bank");
      break;
    case -EALREADY:
      http_response_error(resp, 409, "finished", "every question of today's quiz is answered");
      break;
    case -ESRCH:
      http_response_error(resp, 409, "not_shown", "that question is not shown yet");
      break;
    case -EINVAL:
      http_response_error(resp, 400, "invalid_field", "choices must be positions of the options shown");
      break;
    default:
      http_response_error(resp, 500, "internal", "could not save the quiz");
    }
    return;
  }
  if (db_commit(ctx->db) < 0) {
    http_response_error(resp, 500, "internal", "could not save the quiz");
    return;
  }
  reply_today(ctx, call, k, status, resp);
}

void api_me_quiz_start(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  Campaign *k = NULL;
  if (!open_campaign(ctx, &k, resp))
    return;
  if (api_begin(ctx, resp)) {
    GRand *rng = g_rand_new();  /* seeded from /dev/urandom */
    int rc = quiz_attempt_start(ctx->db, k, call->member->id, now_ms(), rng);
    g_rand_free(rng);
    change_then_reply(ctx, call, k, rc, 201, resp);
  }
  campaign_free(&k);
}

void api_me_quiz_next(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  Campaign *k = NULL;
  if (!open_campaign(ctx, &k, resp))
    return;
  if (api_begin(ctx, resp))
    change_then_reply(ctx, call, k, quiz_attempt_next(ctx->db, k, call->member->id, now_ms()), 200, resp);
  campaign_free(&k);
}

void api_me_quiz_answer(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  /* The clock is read before anything else: the time of the answer is its arrival. */
  gint64 at = now_ms();
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  static const char *const allowed[] = { "position", "choices", NULL };
  gint64 position = -1, choices[QUIZ_MAX_OPTIONS];
  guint n = 0;
  Campaign *k = NULL;
  int has = 0;
  if (!api_only_known(o, allowed, resp) || (has = api_field_int(o, "position", 0, 49, &position, resp)) < 0)
    goto out;
  if (!has) {
    http_response_error(resp, 400, "invalid_field", "position is required");
    goto out;
  }
  JsonNode *c = json_object_get_member(o, "choices");
  if (!c || !JSON_NODE_HOLDS_ARRAY(c) || json_array_get_length(json_node_get_array(c)) > QUIZ_MAX_OPTIONS) {
    http_response_error(resp, 400, "invalid_field", "choices must be an array of option positions (may be empty)");
    goto out;
  }
  JsonArray *arr = json_node_get_array(c);
  for (guint i = 0; i < json_array_get_length(arr); i++) {
    JsonNode *e = json_array_get_element(arr, i);
    if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_INT64) {
      http_response_error(resp, 400, "invalid_field", "choices must be integers");
      goto out;
    }
    choices[n++] = json_node_get_int(e);
  }
  if (!open_campaign(ctx, &k, resp))
    goto out;
  if (api_begin(ctx, resp))
    change_then_reply(ctx, call, k,
                      quiz_attempt_answer(ctx->db, k, call->member->id, position, choices, n, at), 200, resp);
out:
  campaign_free(&k);
  json_node_unref(node);
}

void api_quiz_questions_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  (void)call;
  int rc = 0;
  JsonNode *arr = quiz_bank_list_json(ctx->db, &rc);
  if (!arr) {
    http_response_error(resp, 500, "internal", "could not read the questions");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "questions", arr);
  api_reply_json(resp, 200, api_object_node(o));
}

void api_quiz_questions_import(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  JsonObject *o = json_node_get_object(node);
  static const char *const allowed[] = { "format", "data", "questions", NULL };
  static const char *const formats[] = { "csv", "json", NULL };
  const char *format = NULL, *data = NULL;
  GPtrArray *qs = NULL;
  char *why = NULL;
  if (!api_only_known(o, allowed, resp) || api_field_enum(o, "format", formats, &format, resp) < 0 ||
      api_field_text(o, "data", 1, 4 * 1024 * 1024, true, &data, resp) < 0)
    goto out;
  JsonNode *list = json_object_get_member(o, "questions");
  int rc;
  if (list && !data) {
    g_autofree char *text = util_json_text(list, false);
    rc = quiz_bank_parse(text, strlen(text), "json", &qs, &why);
  } else if (data && !list) {
    rc = quiz_bank_parse(data, strlen(data), format, &qs, &why);
  } else {
    http_response_error(resp, 400, "invalid_field", "send either questions (an array) or data (CSV or JSON text)");
    goto out;
  }
  if (rc < 0) {
    http_response_error(resp, 400, "invalid_questions", "%s", why);
    goto out;
  }
  if (!api_begin(ctx, resp))
    goto out;
  QuizImportStats st;
  if ((rc = quiz_bank_import(ctx->db, qs, util_now(), &st)) < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not store the questions");
    goto out;
  }
  JsonObject *r = json_object_new();
  json_object_set_int_member(r, "questions", qs->len);
  json_object_set_int_member(r, "added", st.added);
  json_object_set_int_member(r, "changed", st.changed);
  json_object_set_int_member(r, "unchanged", st.unchanged);
  JsonNode *detail = api_object_node(json_object_ref(r));
  if (api_commit_audited(ctx, call, "quiz.import", "quiz_question", "import", detail, resp) == 0)
    api_reply_json(resp, 200, api_object_node(json_object_ref(r)));
  json_node_unref(detail);
  json_object_unref(r);
out:
  if (qs)
    g_ptr_array_unref(qs);
  g_free(why);
  json_node_unref(node);
}

void api_quiz_question_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  gint64 id = 0;
  if (!api_path_id(call, 0, &id)) {
    http_response_error(resp, 404, "not_found", "no such question");
    return;
  }
  JsonNode *node = api_parse_object(call->req, resp);
  if (!node)
    return;
  static const char *const allowed[] = { "status", NULL };
  static const char *const statuses[] = { "active", "retired", NULL };
  const char *status = NULL;
  JsonObject *o = json_node_get_object(node);
  if (!api_only_known(o, allowed, resp) || api_field_enum(o, "status", statuses, &status, resp) < 0)
    goto out;
  if (!status) {
    http_response_error(resp, 400, "invalid_field", "status (active or retired) is required");
    goto out;
  }
  if (!api_begin(ctx, resp))
    goto out;
  int rc = quiz_bank_set_retired(ctx->db, id, strcmp(status, "retired") == 0, util_now());
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -ENOENT)
      http_response_error(resp, 404, "not_found", "no such question");
    else
      http_response_error(resp, 500, "internal", "could not change the question");
    goto out;
  }
  if (api_commit_audited(ctx, call, strcmp(status, "retired") == 0 ? "quiz.retire" : "quiz.restore",
                         "quiz_question", call->params[0], node, resp) == 0) {
    JsonObject *r = json_object_new();
    json_object_set_int_member(r, "id", id);
    json_object_set_string_member(r, "status", status);
    api_reply_json(resp, 200, api_object_node(r));
  }
out:
  json_node_unref(node);
}

void api_rules(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  (void)call;
  Campaign *k = NULL;
  if (!open_campaign(ctx, &k, resp))
    return;
  JsonObject *o = json_object_new();
  if (k)
    json_object_set_member(o, "campaign", campaign_json(k));
  else
    json_object_set_null_member(o, "campaign");
  json_object_set_int_member(o, "quiz_default_questions", QUIZ_DEFAULT_QUESTIONS);
  json_object_set_int_member(o, "quiz_default_seconds", QUIZ_DEFAULT_SECONDS);
  campaign_free(&k);
  api_reply_json(resp, 200, api_object_node(o));
}
