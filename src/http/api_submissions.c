/* api_submissions: calls, submissions, tus uploads and the review queue over HTTP. The state
 * graph is src/club/submit_state.c, the first-bytes check submit_sniff.c, the storage
 * db_submission.c; this file reads requests, stores files and writes answers. */
#include "http/api_submissions.h"
#include "club/submit_files.h"
#include "club/submit_sniff.h"
#include "club/submit_state.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_article.h"
#include "db/db_column.h"
#include "db/db_job.h"
#include "db/db_member_image.h"
#include "db/db_submission.h"
#include "db/db_video.h"
#include "http/api_catalog.h"
#include "http/api_fields.h"
#include "http/http_tus.h"
#include "media/jobs.h"
#include "media/pdf_preview.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CALL_FIELDS_MAX 10
#define FIELD_VALUE_MAX 2000
#define TEXT_BODY_MAX 50000

static const char *const kinds[] = {"video", "text", "pdf", NULL};

/* ---- calls ------------------------------------------------------------- */

static SubmitCall *call_find(ApiContext *ctx, const char *param, HttpResponse *resp)
{
  gint64 id = 0;
  SubmitCall *c = NULL;
  if (!param || !g_ascii_string_to_signed(param, 10, 1, G_MAXINT64, &id, NULL) ||
      db_submission_call_get(ctx->db, id, &c) < 0) {
    http_response_error(resp, 404, "not_found", "no such call: %s", param ? param : "");
    return NULL;
  }
  return c;
}

/* "kinds": a non-empty array of distinct kinds, as JSON text in *OUT. -1 after 400. */
static int kinds_field(JsonObject *o, char **out, HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, "kinds");
  if (!n)
    return 0;
  JsonArray *a = JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
  guint len = a ? json_array_get_length(a) : 0;
  bool seen[3] = {false, false, false};
  for (guint i = 0; a && i < len; i++) {
    JsonNode *e = json_array_get_element(a, i);
    const char *k = JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING
                      ? json_node_get_string(e) : NULL;
    int at = -1;
    for (int j = 0; k && kinds[j]; j++)
      if (strcmp(k, kinds[j]) == 0)
        at = j;
    if (at < 0 || seen[at])
      len = 0;
    else
      seen[at] = true;
  }
  if (len == 0) {
    http_response_error(resp, 400, "invalid_field", "kinds must be a non-empty list of distinct "
                        "\"video\", \"text\", \"pdf\"");
    return -1;
  }
  *out = util_json_text(n, false);
  return 1;
}

/* "fields": [{name, label, required?, max?}…] — what a member fills in beside the file. Names
 * are [a-z0-9_] words, each once. Normalised JSON text in *OUT. -1 after 400. */
static int fields_field(JsonObject *o, char **out, HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, "fields");
  if (!n)
    return 0;
  JsonArray *a = JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
  if (!a || json_array_get_length(a) > CALL_FIELDS_MAX) {
    http_response_error(resp, 400, "invalid_field", "fields must be a list of at most %d "
                        "{name, label, required, max}", CALL_FIELDS_MAX);
    return -1;
  }
  JsonArray *norm = json_array_new();
  GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
  int ret = 1;
  for (guint i = 0; i < json_array_get_length(a) && ret == 1; i++) {
    JsonNode *e = json_array_get_element(a, i);
    JsonObject *f = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
    static const char *const allowed[] = {"name", "label", "required", "max", NULL};
    const char *name = NULL, *label = NULL;
    bool required = false;
    gint64 max = 500;
    if (!f) {
      http_response_error(resp, 400, "invalid_field", "fields[%u] must be an object", i);
      ret = -1;
      break;
    }
    if (!api_only_known(f, allowed, resp) || api_field_text(f, "name", 1, 32, false, &name, resp) < 0 ||
        api_field_text(f, "label", 1, 100, false, &label, resp) < 0 ||
        api_field_bool(f, "required", &required, resp) < 0 ||
        api_field_int(f, "max", 1, FIELD_VALUE_MAX, &max, resp) < 0) {
      ret = -1;
      break;
    }
    bool word = name != NULL;
    for (const char *c = name; word && *c; c++)
      word = g_ascii_islower(*c) || g_ascii_isdigit(*c) || *c == '_';
    if (!word || !label || g_hash_table_contains(names, name)) {
      http_response_error(resp, 400, "invalid_field", "fields[%u] needs a label and a name of a-z, 0-9 "
                          "and _ that no other field has", i);
      ret = -1;
      break;
    }
    g_hash_table_add(names, (gpointer)name);
    JsonObject *x = json_object_new();
    json_object_set_string_member(x, "name", name);
    json_object_set_string_member(x, "label", label);
    json_object_set_boolean_member(x, "required", required);
    json_object_set_int_member(x, "max", max);
    json_array_add_object_element(norm, x);
  }
  g_hash_table_unref(names);
  if (ret == 1) {
    JsonNode *nn = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(nn, norm);
    *out = util_json_text(nn, false);
    json_node_unref(nn);
  } else {
    json_array_unref(norm);
  }
  return ret;
}

static bool call_fields(JsonObject *o, SubmitCall *c, bool create, HttpResponse *resp)
{
  static const char *const allowed[] = {"title", "description", "kinds", "opens_at", "closes_at",
    "real_name_only", "fields", "max_bytes", "max_seconds", NULL};
  const char *title = NULL, *desc = NULL;
  char *k = NULL, *f = NULL;
  if (!api_only_known(o, allowed, resp) || api_field_text(o, "title", 1, 200, false, &title, resp) < 0 ||
      api_field_text(o, "description", 0, 5000, true, &desc, resp) < 0 ||
      kinds_field(o, &k, resp) < 0 || fields_field(o, &f, resp) < 0 ||
      api_field_time(o, "opens_at", &c->opens_at, resp) < 0 ||
      api_field_time(o, "closes_at", &c->closes_at, resp) < 0 ||
      api_field_bool(o, "real_name_only", &c->real_name_only, resp) < 0 ||
      api_field_int(o, "max_bytes", 1, G_GINT64_CONSTANT(64) << 30, &c->max_bytes, resp) < 0 ||
      api_field_int(o, "max_seconds", 1, 86400, &c->max_seconds, resp) < 0) {
    g_free(k);
    g_free(f);
    return false;
  }
  if (title) {
    g_free(c->title);
    c->title = g_strdup(title);
  }
  if (desc) {
    g_free(c->description);
    c->description = g_strdup(desc);
  }
  if (k) {
    g_free(c->kinds);
    c->kinds = k;
  }
  if (f) {
    g_free(c->fields);
    c->fields = f;
  }
  if (create && (!c->title || !c->kinds || !c->opens_at || !c->closes_at)) {
    http_response_error(resp, 400, "invalid_field", "a call needs title, kinds, opens_at and closes_at");
    return false;
  }
  if (c->closes_at <= c->opens_at) {
    http_response_error(resp, 400, "invalid_field", "closes_at must be after opens_at");
    return false;
  }
  return true;
}

void api_calls_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  bool all = call->member && api_is_editor(call) && api_query_flag(call, "all");
  int rc = 0;
  JsonNode *list = db_submission_call_list_json(ctx->db, all, util_now(), &rc);
  if (!list) {
    http_response_error(resp, 500, "internal", "could not read the calls");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "calls", list);
  api_reply_json(resp, 200, api_object_node(o));
}

static void reply_call(const SubmitCall *c, int status, HttpResponse *resp)
{
  JsonNode *n = db_submission_call_json(c);
  gint64 now = util_now();
  json_object_set_boolean_member(json_node_get_object(n), "open", c->opens_at <= now && now < c->closes_at);
  api_reply_json(resp, status, n);
}

void api_calls_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  g_autoptr(JsonNode) body = api_parse_object(call->req, resp);
  if (!body)
    return;
  g_autofree char *id = NULL;
  SubmitCall *c = g_new0(SubmitCall, 1);
  c->real_name_only = true;
  c->max_bytes = G_GINT64_CONSTANT(500) << 20;
  c->max_seconds = 600;
  c->fields = g_strdup("[]");
  c->created_by = g_strdup(call->member->id);
  if (!call_fields(json_node_get_object(body), c, true, resp) || !api_begin(ctx, resp))
    goto out;
  if (db_submission_call_save(ctx->db, c, util_now()) < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not save the call");
    goto out;
  }
  id = g_strdup_printf("%" G_GINT64_FORMAT, c->id);
  if (api_commit_audited(ctx, call, "call.create", "call", id, body, resp) == 0)
    reply_call(c, 201, resp);
out:
  submit_call_free(&c);
}

void api_call_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  SubmitCall *c = call_find(ctx, call->params[0], resp);
  if (c)
    reply_call(c, 200, resp);
  submit_call_free(&c);
}

void api_call_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  g_autoptr(JsonNode) body = api_parse_object(call->req, resp);
  SubmitCall *c = body ? call_find(ctx, call->params[0], resp) : NULL;
  if (!c || !call_fields(json_node_get_object(body), c, false, resp) || !api_begin(ctx, resp))
    goto out;
  if (db_submission_call_save(ctx->db, c, util_now()) < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not save the call");
    goto out;
  }
  if (api_commit_audited(ctx, call, "call.update", "call", call->params[0], body, resp) == 0)
    reply_call(c, 200, resp);
out:
  submit_call_free(&c);
}

/* ---- submissions -------------------------------------------------------- */

/* May MEMBER submit to C now? False after answering 403/409. */
static bool may_submit(const SubmitCall *c, const Member *m, HttpResponse *resp)
{
  gint64 now = util_now();
  if (now < c->opens_at || now >= c->closes_at) {
    http_response_error(resp, 409, "call_closed", "this call takes submissions only while it is open");
    return false;
  }
  if (m->disqualified) {
    http_response_error(resp, 403, "disqualified", "a disqualified member cannot submit");
    return false;
  }
  if (c->real_name_only && !m->real_name_verified) {
    http_response_error(resp, 403, "not_verified", "this call takes submissions from real-name "
                        "verified members only");
    return false;
  }
  return true;
}

/* The member's "fields" checked against call C's list (every required one given, none
 * unknown, each within its max), as JSON text in *OUT. -1 after 400; 0 when absent and none is
 * required. */
static int member_fields(JsonObject *o, const SubmitCall *c, char **out, HttpResponse *resp)
{
  JsonNode *n = json_object_get_member(o, "fields");
  JsonObject *given = n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
  if (n && !given) {
    http_response_error(resp, 400, "invalid_field", "fields must be an object of the call's field names");
    return -1;
  }
  JsonParser *p = json_parser_new();
  json_parser_load_from_data(p, c->fields, -1, NULL);
  JsonArray *spec = json_node_get_array(json_parser_get_root(p));
  JsonObject *norm = json_object_new();
  int ret = 1;
  guint known = 0;
  for (guint i = 0; i < json_array_get_length(spec) && ret == 1; i++) {
    JsonObject *f = json_array_get_object_element(spec, i);
    const char *name = json_object_get_string_member(f, "name");
    gint64 max = json_object_get_int_member_with_default(f, "max", 500);
    bool required = json_object_get_boolean_member_with_default(f, "required", false);
    const char *v = NULL;
    if (given && json_object_has_member(given, name)) {
      known++;
      if (api_field_text(given, name, 0, max, true, &v, resp) < 0)
        ret = -1;
    }
    if (ret == 1 && required && (!v || !api_text_ok(v, 1, max, true))) {
      http_response_error(resp, 400, "missing_field", "field %s is required by this call", name);
      ret = -1;
    }
    if (ret == 1 && v)
      json_object_set_string_member(norm, name, v);
  }
  if (ret == 1 && given && known != json_object_get_size(given)) {
    http_response_error(resp, 400, "unknown_field", "fields may only name this call's fields");
    ret = -1;
  }
  g_object_unref(p);
  if (ret == 1 && n) {
    JsonNode *nn = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(nn, norm);
    *out = util_json_text(nn, false);
    json_node_unref(nn);
    return 1;
  }
  json_object_unref(norm);
  return ret == 1 ? 0 : -1;
}

static JsonNode *submission_node(ApiContext *ctx, const char *id, int *rc)
{
  db_submission_sync_videos(ctx->db, util_now());
  Submission *s = NULL;
  if ((*rc = db_submission_get(ctx->db, id, &s)) < 0)
    return NULL;
  SubmitFilter f = {.member_id = s->member_id, .call_id = s->call_id, .kind = s->kind, .limit = 1000};
  JsonNode *list = db_submission_list_json(ctx->db, &f, rc);
  JsonNode *found = NULL;
  JsonArray *a = list ? json_node_get_array(list) : NULL;
  for (guint i = 0; a && i < json_array_get_length(a); i++) {
    JsonObject *o = json_array_get_object_element(a, i);
    if (strcmp(json_object_get_string_member(o, "id"), id) == 0)
      found = json_node_copy(json_array_get_element(a, i));
  }
  if (list)
    json_node_unref(list);
  submission_free(&s);
  if (found) {
    JsonNode *ev = db_submission_events_json(ctx->db, id, rc);
    if (ev)
      json_object_set_member(json_node_get_object(found), "events", ev);
  }
  *rc = found ? 0 : -EIO;
  return found;
}

static void reply_submission(ApiContext *ctx, const char *id, int status, HttpResponse *resp)
{
  int rc = 0;
  JsonNode *n = submission_node(ctx, id, &rc);
  if (!n) {
    http_response_error(resp, 500, "internal", "could not read the submission");
    return;
  }
  api_reply_json(resp, status, n);
}

void api_submissions_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = {"call_id", "kind", "title", "fields", "body", NULL};
  g_autoptr(JsonNode) body = api_parse_object(call->req, resp);
  if (!body)
    return;
  JsonObject *o = json_node_get_object(body);
  gint64 call_id = 0;
  const char *kind = NULL, *title = NULL, *text = NULL;
  g_autofree char *fields = NULL;
  SubmitCall *c = NULL;
  if (!api_only_known(o, allowed, resp) || api_field_int(o, "call_id", 1, G_MAXINT64, &call_id, resp) < 0 ||
      api_field_enum(o, "kind", kinds, &kind, resp) < 0 ||
      api_field_text(o, "title", 1, 200, false, &title, resp) < 0 ||
      api_field_text(o, "body", 1, TEXT_BODY_MAX, true, &text, resp) < 0)
    return;
  if (!call_id || !kind || !title) {
    http_response_error(resp, 400, "invalid_field", "a submission needs call_id, kind and title");
    return;
  }
  g_autofree char *cid = g_strdup_printf("%" G_GINT64_FORMAT, call_id);
  if (!(c = call_find(ctx, cid, resp)))
    return;
  if (!may_submit(c, call->member, resp) || member_fields(o, c, &fields, resp) < 0)
    goto out;
  if (!db_submission_call_takes(c, kind)) {
    http_response_error(resp, 400, "kind_not_accepted", "this call does not take %s submissions", kind);
    goto out;
  }
  bool is_text = strcmp(kind, "text") == 0;
  if (is_text != (text != NULL)) {
    http_response_error(resp, 400, "invalid_field", is_text ? "a text submission needs its Markdown in body"
                        : "only a text submission has a body; send the file with the tus upload");
    goto out;
  }
  if (!api_begin(ctx, resp))
    goto out;
  Submission s = {.call_id = call_id, .member_id = call->member->id, .kind = (char *)kind,
                  .title = (char *)title, .fields = fields, .body = (char *)text,
                  .state = SUBMIT_RECEIVED};
  gint64 now = util_now();
  int rc = db_submission_create(ctx->db, &s, now);
  /* A text has nothing to process: it goes to the editors at once. */
  if (rc == 0 && is_text)
    rc = db_submission_move(ctx->db, s.id, SUBMIT_RECEIVED, SUBMIT_IN_REVIEW, call->member->id, NULL, now);
  if (rc == 0)
    rc = db_commit(ctx->db);
  if (rc < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not save the submission");
  } else {
    reply_submission(ctx, s.id, 201, resp);
  }
  g_free(s.id);
out:
  submit_call_free(&c);
}

/* The picture is checked first (cheap, and what every caller must get right), then who sends
 * it, then the day's count; only then is it stored. Pictures are content-addressed, so one sent
 * twice is one file and one row (and counts once). */
void api_submission_image(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  const Member *m = call->member;
  gint64 limit = ctx->config->submit_image_bytes, now = util_now(), n = 0;
  if (!api_image_check(call, limit, resp))
    return;
  if (!m->real_name_verified || m->disqualified) {
    http_response_error(resp, 403, m->disqualified ? "disqualified" : "not_verified",
                        "pictures for submissions are taken from real-name verified members only");
    return;
  }
  if (db_member_image_count_since(ctx->db, m->id, now - 86400, &n) < 0) {
    http_response_error(resp, 500, "internal", "could not count your pictures");
    return;
  }
  if (n >= ctx->config->submit_images_per_day) {
    http_response_header(resp, "retry-after:", "3600");
    http_response_error(resp, 429, "too_many_images", "at most %" G_GINT64_FORMAT " pictures a day; "
                        "try again later", ctx->config->submit_images_per_day);
    return;
  }
  g_autofree char *url = api_store_image(ctx, call, limit, resp);
  if (!url)
    return;
  if (db_member_image_add(ctx->db, m->id, url + strlen("/images/"), (gint64)call->req->body_len, now, NULL) < 0) {
    http_response_error(resp, 500, "internal", "could not record the picture");
    return;
  }
  JsonObject *r = json_object_new();
  json_object_set_string_member(r, "url", url);
  api_reply_json(resp, 201, api_object_node(r));
}

/* Submission PARAM if the caller may see it (its author, or an editor), else NULL after 404. */
static Submission *submission_find(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  Submission *s = NULL;
  if (db_submission_get(ctx->db, call->params[0], &s) < 0 ||
      (strcmp(s->member_id, call->member->id) != 0 && !api_is_editor(call))) {
    submission_free(&s);
    http_response_error(resp, 404, "not_found", "no such submission: %s", call->params[0]);
  }
  return s;
}

static void reply_list(ApiContext *ctx, const SubmitFilter *f, HttpResponse *resp)
{
  db_submission_sync_videos(ctx->db, util_now());
  int rc = 0;
  JsonNode *list = db_submission_list_json(ctx->db, f, &rc);
  if (!list) {
    http_response_error(resp, 500, "internal", "could not read the submissions");
    return;
  }
  JsonObject *o = json_object_new();
  json_object_set_member(o, "submissions", list);
  api_reply_json(resp, 200, api_object_node(o));
}

void api_submissions_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  SubmitFilter f = {.limit = 200};
  GHashTable *q = call->req->query;
  const char *kind = g_hash_table_lookup(q, "kind"), *state = g_hash_table_lookup(q, "state");
  if (!api_query_int(call, "call", 0, G_MAXINT64, 0, &f.call_id, resp))
    return;
  if (kind && *kind && !api_in_list(kind, kinds)) {
    http_response_error(resp, 400, "invalid_parameter", "kind must be video, text or pdf");
    return;
  }
  if (state && *state && !submit_state_known(state)) {
    http_response_error(resp, 400, "invalid_parameter", "no such state: %s", state);
    return;
  }
  f.kind = kind && *kind ? kind : NULL;
  f.state = state && *state ? state : NULL;
  reply_list(ctx, &f, resp);
}

void api_me_submissions(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  SubmitFilter f = {.member_id = call->member->id, .limit = 200};
  reply_list(ctx, &f, resp);
}

void api_submission_get(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  Submission *s = submission_find(ctx, call, resp);
  if (s)
    reply_submission(ctx, s->id, 200, resp);
  submission_free(&s);
}

/* The author changes the title, fields or (text) body while the editors have not taken it
 * — after "changes requested" a text goes back to review with it. */
void api_submission_update(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = {"title", "fields", "body", NULL};
  g_autoptr(JsonNode) body = api_parse_object(call->req, resp);
  Submission *s = body ? submission_find(ctx, call, resp) : NULL;
  SubmitCall *c = NULL;
  g_autofree char *fields = NULL, *cids = NULL;
  const char *title = NULL, *text = NULL;
  if (!s)
    return;
  JsonObject *o = json_node_get_object(body);
  if (strcmp(s->member_id, call->member->id) != 0) {
    http_response_error(resp, 403, "forbidden", "only its author changes a submission");
    goto out;
  }
  bool changeable = strcmp(s->state, SUBMIT_RECEIVED) == 0 || strcmp(s->state, SUBMIT_CHANGES) == 0 ||
              strcmp(s->state, SUBMIT_FAILED) == 0;
  if (!changeable) {
    http_response_error(resp, 409, "illegal_transition", "a submission %s cannot be changed", s->state);
    goto out;
  }
  cids = g_strdup_printf("%" G_GINT64_FORMAT, s->call_id);
  if (!api_only_known(o, allowed, resp) || !(c = call_find(ctx, cids, resp)) ||
      api_field_text(o, "title", 1, 200, false, &title, resp) < 0 ||
      api_field_text(o, "body", 1, TEXT_BODY_MAX, true, &text, resp) < 0 ||
      (json_object_has_member(o, "fields") && member_fields(o, c, &fields, resp) < 0))
    goto out;
  if (text && strcmp(s->kind, "text") != 0) {
    http_response_error(resp, 400, "invalid_field", "only a text submission has a body");
    goto out;
  }
  if (!may_submit(c, call->member, resp) || !api_begin(ctx, resp))
    goto out;
  gint64 now = util_now();
  int rc = db_submission_set_text(ctx->db, s->id, title, fields, text, now);
  if (rc == 0 && strcmp(s->kind, "text") == 0 && strcmp(s->state, SUBMIT_CHANGES) == 0)
    rc = db_submission_move(ctx->db, s->id, SUBMIT_CHANGES, SUBMIT_IN_REVIEW, call->member->id, NULL, now);
  if (rc == 0)
    rc = db_commit(ctx->db);
  if (rc < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, 500, "internal", "could not save the submission");
  } else {
    reply_submission(ctx, s->id, 200, resp);
  }
out:
  submission_free(&s);
  submit_call_free(&c);
}

/* Appends video VIDEO_ID to the end of column SLUG (in the open transaction). 0, -ENOENT (no
 * such column), -EIO. */
static int column_append(ApiContext *ctx, const char *slug, const char *video_id)
{
  gint64 col = 0;
  GArray *items = NULL;
  int rc = db_column_find(ctx->db, slug, &col);
  if (rc < 0)
    return rc;
  if ((rc = db_column_items(ctx->db, col, &items)) < 0)
    return rc;
  bool there = false;
  for (guint i = 0; i < items->len; i++)
    there |= strcmp(g_array_index(items, ColumnItem, i).video_id, video_id) == 0;
  if (!there) {
    ColumnItem it = {.video_id = g_strdup(video_id)};
    g_array_append_val(items, it);
    rc = db_column_set_items(ctx->db, col, (const ColumnItem *)items->data, items->len);
  }
  g_array_unref(items);
  return rc == -ENOENT ? -EIO : rc;
}

/* Accepting text S: a published article (db_article_create, the one way to make one) with its
 * title and Markdown, created by its author, placed at the end of column SLUG when given. */
static int accept_text(ApiContext *ctx, const Submission *s, const char *slug, gint64 now, HttpResponse *resp)
{
  gint64 col = 0, article = 0;
  GArray *items = NULL;
  int rc = 0;
  if (slug && (rc = db_column_find(ctx->db, slug, &col)) == -ENOENT) {
    http_response_error(resp, 400, "unknown_column", "no such column: %s", slug);
    return -EINVAL;
  }
  /* Credited to its author by name, as an accepted video's presenter is. */
  Member *author = NULL;
  if (rc == 0)
    rc = db_member_get(ctx->db, s->member_id, &author, NULL);
  ArticleInput in = {.title = s->title, .summary = "", .body_md = s->body ? s->body : "", .publish = true,
                     .created_by = s->member_id, .author = author ? author->display_name : ""};
  if (rc == 0)
    rc = db_article_create(ctx->db, &in, now, &article);
  member_free(&author);
  if (rc == -EINVAL) {
    http_response_error(resp, 400, "invalid_field", "the text cannot become an article (too long, or not UTF-8)");
    return -EINVAL;
  }
  /* After the column's videos: an article's position counts the videos before it. */
  if (rc == 0 && col && (rc = db_column_items(ctx->db, col, &items)) == 0)
    rc = db_article_place(ctx->db, col, article, (gint64)items->len, now);
  if (items)
    g_array_unref(items);
  if (rc == 0) {
    g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, article);
    rc = db_submission_set_result(ctx->db, s->id, "article", id, now);
  }
  return rc == -ENOENT ? -EIO : rc;
}

/* What accepting S makes: its video published under its title and credited to its author (in
 * column SLUG when given); a text a published article (in column SLUG when given); a PDF kept
 * as a public document. In the open transaction. */
static int accept_result(ApiContext *ctx, const Submission *s, const char *slug, HttpResponse *resp)
{
  gint64 now = util_now();
  if (strcmp(s->kind, "text") == 0)
    return accept_text(ctx, s, slug, now, resp);
  if (strcmp(s->kind, "video") != 0) {
    if (slug) {
      http_response_error(resp, 400, "invalid_field", "a PDF does not go into a column");
      return -EINVAL;
    }
    return db_submission_set_result(ctx->db, s->id, "document", s->id, now);
  }
  Member *author = NULL;
  int rc = db_member_get(ctx->db, s->member_id, &author, NULL);
  if (rc == 0)
    rc = db_video_set_text(ctx->db, s->video_id, VIDEO_TITLE, s->title);
  if (rc == 0)
    rc = db_video_set_text(ctx->db, s->video_id, VIDEO_PRESENTER, author->display_name);
  if (rc == 0)
    rc = db_video_set_text(ctx->db, s->video_id, VIDEO_VISIBILITY, "published");
  if (rc == 0 && slug && (rc = column_append(ctx, slug, s->video_id)) == -ENOENT) {
    http_response_error(resp, 400, "unknown_column", "no such column: %s", slug);
    rc = -EINVAL;
  }
  if (rc == 0)
    rc = db_submission_set_result(ctx->db, s->id, "video", s->video_id, now);
  member_free(&author);
  return rc;
}

void api_submission_review(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  static const char *const allowed[] = {"action", "reason", "column", NULL};
  static const char *const actions[] = {"accept", "reject", "request_changes", NULL};
  g_autoptr(JsonNode) body = api_parse_object(call->req, resp);
  if (!body)
    return;
  db_submission_sync_videos(ctx->db, util_now());
  g_autoptr(JsonNode) detail = NULL;
  g_autofree char *act = NULL;
  Submission *s = submission_find(ctx, call, resp);
  if (!s)
    return;
  JsonObject *o = json_node_get_object(body);
  const char *action = NULL, *reason = NULL, *slug = NULL;
  if (!api_only_known(o, allowed, resp) || api_field_enum(o, "action", actions, &action, resp) < 0 ||
      api_field_text(o, "reason", 1, 1000, true, &reason, resp) < 0 ||
      api_field_text(o, "column", 1, 64, false, &slug, resp) < 0)
    goto out;
  const char *to = submit_state_for_action(action);
  if (!to) {
    http_response_error(resp, 400, "invalid_field", "action must be accept, reject or request_changes");
    goto out;
  }
  if (strcmp(to, SUBMIT_ACCEPTED) != 0 && !reason) {
    http_response_error(resp, 400, "missing_field", "say why (reason): the member reads it");
    goto out;
  }
  int rc = submit_state_check(s->state, to, SUBMIT_BY_EDITOR);
  if (rc < 0) {
    http_response_error(resp, 409, "illegal_transition", "a submission %s cannot be %s", s->state,
                        strcmp(to, SUBMIT_CHANGES) == 0 ? "sent back for changes" : to);
    goto out;
  }
  if (!api_begin(ctx, resp))
    goto out;
  rc = db_submission_move(ctx->db, s->id, s->state, to, call->member->id, reason, util_now());
  if (rc == 0 && strcmp(to, SUBMIT_ACCEPTED) == 0 && (rc = accept_result(ctx, s, slug, resp)) == -EINVAL) {
    db_rollback(ctx->db);
    goto out;
  }
  if (rc < 0) {
    db_rollback(ctx->db);
    if (rc == -ESTALE)
      http_response_error(resp, 409, "illegal_transition", "the submission changed meanwhile; reload it");
    else
      http_response_error(resp, 500, "internal", "could not save the review");
    goto out;
  }
  JsonObject *d = json_object_new();
  json_object_set_string_member(d, "from", s->state);
  json_object_set_string_member(d, "to", to);
  if (reason)
    json_object_set_string_member(d, "reason", reason);
  if (slug)
    json_object_set_string_member(d, "column", slug);
  detail = api_object_node(d);
  act = g_strdup_printf("submission.%s", action);
  if (api_commit_audited(ctx, call, act, "submission", s->id, detail, resp) == 0)
    reply_submission(ctx, s->id, 200, resp);
out:
  submission_free(&s);
}

/* Accepted PDFs: public, with their author's display name. */
void api_documents_list(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  (void)call;
  SubmitFilter f = {.state = SUBMIT_ACCEPTED, .limit = 200};
  int rc = 0;
  JsonNode *list = db_submission_list_json(ctx->db, &f, &rc);
  if (!list) {
    http_response_error(resp, 500, "internal", "could not read the documents");
    return;
  }
  JsonArray *out = json_array_new();
  JsonArray *a = json_node_get_array(list);
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonObject *s = json_array_get_object_element(a, i);
    if (strcmp(json_object_get_string_member(s, "kind"), "pdf") != 0)
      continue; /* a video becomes a video, a text an article */
    JsonObject *d = json_object_new();
    static const char *const keep[] = {"id", "kind", "title", "author", "call_title", "preview_url",
      "body", "updated_at", NULL};
    for (int k = 0; keep[k]; k++)
      json_object_set_member(d, keep[k], json_node_copy(json_object_get_member(s, keep[k])));
    json_array_add_object_element(out, d);
  }
  json_node_unref(list);
  JsonObject *o = json_object_new();
  json_object_set_array_member(o, "documents", out);
  api_reply_json(resp, 200, api_object_node(o));
}

/* ---- tus 1.0.0 ----------------------------------------------------------- */

static void tus_headers(HttpResponse *resp)
{
  http_response_header(resp, "tus-resumable:", HTTP_TUS_VERSION);
}

void api_tus_options(ApiContext *ctx, HttpResponse *resp)
{
  http_response_text(resp, 204, "text/plain", NULL);
  g_string_truncate(resp->body, 0);
  g_autofree char *max = g_strdup_printf("%" G_GINT64_FORMAT, ctx->config->vod_max_file_size);
  tus_headers(resp);
  http_response_header(resp, "tus-version:", HTTP_TUS_VERSION);
  http_response_header(resp, "tus-extension:", HTTP_TUS_EXTENSIONS);
  http_response_header(resp, "tus-max-size:", max);
  http_response_header(resp, "allow:", "OPTIONS, POST, HEAD, PATCH, DELETE");
}

/* Every tus request but OPTIONS names the protocol's version; another is 412. */
static bool tus_version_ok(const ApiCall *call, HttpResponse *resp)
{
  tus_headers(resp);
  if (call->req->tus_resumable && strcmp(call->req->tus_resumable, HTTP_TUS_VERSION) == 0)
    return true;
  http_response_error(resp, 412, "tus_version", "send Tus-Resumable: " HTTP_TUS_VERSION);
  http_response_header(resp, "tus-version:", HTTP_TUS_VERSION);
  return false;
}

static char *tus_file(ApiContext *ctx, const char *id)
{
  return submit_files_tus_path(ctx->config, id);
}

/* Upload PARAM when the caller owns it (its member, and the same browser session when a session
 * made it), else NULL after 404 — someone else's upload does not exist for them. */
static SubmitUpload *upload_find(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  SubmitUpload *u = NULL;
  if (db_submission_upload_get(ctx->db, call->params[0], &u) < 0 ||
      strcmp(u->member_id, call->member->id) != 0 ||
      (u->session_id && (!call->session_id || strcmp(u->session_id, call->session_id) != 0))) {
    submit_upload_free(&u);
    http_response_error(resp, 404, "not_found", "no such upload");
  }
  return u;
}

/* Removes upload ID and its bytes (in the open transaction). */
static void upload_drop(ApiContext *ctx, const char *id)
{
  g_autofree char *path = tus_file(ctx, id);
  db_submission_upload_delete(ctx->db, id);
  unlink(path);
}

void api_tus_create(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  if (!tus_version_ok(call, resp))
    return;
  const HttpRequest *req = call->req;
  guint64 length = 0;
  GHashTable *meta = NULL;
  Submission *s = NULL;
  SubmitCall *c = NULL;
  g_autofree char *cid = NULL, *old = NULL, *path = NULL, *dir = NULL, *location = NULL;
  if (http_tus_parse_uint(req->upload_length, &length) < 0 || length == 0) {
    http_response_error(resp, 400, "invalid_header", "Upload-Length must be the file's size in bytes "
                        "(Upload-Defer-Length is not supported)");
    return;
  }
  int rc = http_tus_parse_metadata(req->upload_metadata, &meta);
  if (rc < 0) {
    http_response_error(resp, 400, "invalid_header", "Upload-Metadata must be key base64 pairs%s",
                        rc == -E2BIG ? " (at most 16, each value at most 1024 bytes)" : "");
    return;
  }
  const char *sid = g_hash_table_lookup(meta, "submission");
  const char *filename = g_hash_table_lookup(meta, "filename");
  if (!sid || db_submission_get(ctx->db, sid, &s) < 0 || strcmp(s->member_id, call->member->id) != 0) {
    http_response_error(resp, 400, "invalid_header", "Upload-Metadata must name one of your submissions "
                        "(submission <base64 id>)");
    goto out;
  }
  cid = g_strdup_printf("%" G_GINT64_FORMAT, s->call_id);
  if (!(c = call_find(ctx, cid, resp)) || !may_submit(c, call->member, resp))
    goto out;
  if (strcmp(s->kind, "text") == 0) {
    http_response_error(resp, 400, "invalid_field", "a text submission has no file");
    goto out;
  }
  bool again = strcmp(s->state, SUBMIT_CHANGES) == 0 || strcmp(s->state, SUBMIT_FAILED) == 0;
  if (!again && strcmp(s->state, SUBMIT_RECEIVED) != 0) {
    http_response_error(resp, 409, "illegal_transition", "a submission %s takes no new file", s->state);
    goto out;
  }
  if (length > (guint64)c->max_bytes || length > (guint64)ctx->config->vod_max_file_size) {
    http_response_error(resp, 413, "payload_too_large", "the file has %" G_GUINT64_FORMAT " bytes; this "
                        "call takes at most %" G_GINT64_FORMAT, length, c->max_bytes);
    goto out;
  }
  if (!api_begin(ctx, resp))
    goto out;
  if (db_submission_upload_open_for(ctx->db, s->id, &old) == 0)
    upload_drop(ctx, old); /* a new upload of the same submission replaces an unfinished one */
  gint64 unfinished = 0;
  if (db_submission_upload_open_count(ctx->db, call->member->id, &unfinished) < 0 ||
      unfinished >= ctx->config->submit_open_uploads) {
    db_rollback(ctx->db);
    http_response_error(resp, 429, "too_many_uploads", "finish or cancel an upload before starting "
                        "another (at most %" G_GINT64_FORMAT " at once)", ctx->config->submit_open_uploads);
    goto out;
  }
  gint64 now = util_now();
  SubmitUpload u = {.submission_id = s->id, .member_id = call->member->id,
                    .session_id = (char *)call->session_id, .length = (gint64)length,
                    .filename = filename && api_text_ok(filename, 1, 200, false) ? (char *)filename : NULL};
  rc = db_submission_upload_create(ctx->db, &u, now);
  if (rc == 0 && again)
    rc = db_submission_move(ctx->db, s->id, s->state, SUBMIT_RECEIVED, call->member->id, NULL, now);
  path = u.id ? tus_file(ctx, u.id) : NULL;
  dir = path ? g_path_get_dirname(path) : NULL;
  int fd = -1;
  if (rc == 0 && (g_mkdir_with_parents(dir, 0750) != 0 ||
                  (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0))
    rc = -EIO;
  if (fd >= 0)
    close(fd);
  if (rc == 0)
    rc = db_commit(ctx->db);
  if (rc < 0) {
    db_rollback(ctx->db);
    if (path)
      unlink(path);
    http_response_error(resp, 500, "storage", "the upload cannot be stored now");
    g_free(u.id);
    goto out;
  }
  location = g_strdup_printf(API_TUS_PATH "/%s", u.id);
  http_response_text(resp, 201, "text/plain", NULL);
  g_string_truncate(resp->body, 0);
  http_response_header(resp, "location:", location);
  http_response_header(resp, "upload-offset:", "0");
  log_info("submit", "upload %s of submission %s: %" G_GUINT64_FORMAT " bytes", u.id, s->id, length);
  g_free(u.id);
out:
  if (meta)
    g_hash_table_unref(meta);
  submission_free(&s);
  submit_call_free(&c);
}

void api_tus_head(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  if (!tus_version_ok(call, resp))
    return;
  SubmitUpload *u = upload_find(ctx, call, resp);
  if (!u)
    return;
  g_autofree char *off = g_strdup_printf("%" G_GINT64_FORMAT, u->offset);
  g_autofree char *len = g_strdup_printf("%" G_GINT64_FORMAT, u->length);
  JsonObject *o = json_object_new();
  json_object_set_int_member(o, "offset", u->offset);
  json_object_set_int_member(o, "length", u->length);
  api_reply_json(resp, 200, api_object_node(o));
  http_response_header(resp, "upload-offset:", off);
  http_response_header(resp, "upload-length:", len);
  submit_upload_free(&u);
}

typedef struct {
  Db *db;
  char *submission;
} PdfJob;

static void pdf_done(int status, const char *url, const char *why, void *user)
{
  PdfJob *j = user;
  gint64 now = util_now();
  if (db_begin(j->db) == 0) {
    int rc = status == 0 ? db_submission_set_preview(j->db, j->submission, url, now) : 0;
    if (rc == 0)
      rc = db_submission_move(j->db, j->submission, SUBMIT_PROCESSING, status == 0 ? SUBMIT_IN_REVIEW : SUBMIT_FAILED,
                              NULL, status == 0 ? NULL : why, now);
    if (rc == 0 && db_commit(j->db) == 0)
      log_info("submit", "submission %s: PDF %s", j->submission, status == 0 ? "checked" : why);
    else
      db_rollback(j->db);
  }
  g_free(j->submission);
  g_free(j);
}

/* The last byte of upload U of submission S has arrived: a video becomes a draft video with
 * its transcode job (the editors' upload path), a PDF is stored and checked by poppler. In the
 * open transaction; the PDF's check starts once it commits (*PDF_PATH set). */
static int upload_finished(ApiContext *ctx, const SubmitUpload *u, const Submission *s, char **pdf_path)
{
  g_autofree char *src = tus_file(ctx, u->id);
  gint64 now = util_now();
  int rc;
  if (strcmp(s->kind, "video") == 0) {
    Member *author = NULL;
    g_autofree char *vid = NULL, *jid = NULL, *rel = NULL, *dest = NULL, *dir = NULL;
    rc = db_member_get(ctx->db, s->member_id, &author, NULL);
    if (rc == 0)
      rc = db_video_create_upload(ctx->db, s->title, author->display_name, "other", s->member_id, &vid);
    member_free(&author);
    if (rc < 0)
      return rc;
    rel = jobs_upload_path(vid, u->filename);
    dest = g_build_filename(ctx->config->data_dir, rel, NULL);
    dir = g_path_get_dirname(dest);
    if (g_mkdir_with_parents(dir, 0755) != 0 || rename(src, dest) != 0)
      return -EIO;
    rc = db_job_create(ctx->db, vid, rel, &jid);
    if (rc == 0)
      rc = db_submission_set_file(ctx->db, s->id, rel, u->length, vid, now);
  } else {
    g_autofree char *rel = g_strdup_printf("submissions/%s.pdf", s->id);
    g_autofree char *dest = g_build_filename(ctx->config->data_dir, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(dest);
    if (g_mkdir_with_parents(dir, 0750) != 0 || rename(src, dest) != 0)
      return -EIO;
    rc = db_submission_set_file(ctx->db, s->id, rel, u->length, NULL, now);
    *pdf_path = g_steal_pointer(&dest);
  }
  if (rc == 0)
    rc = db_submission_move(ctx->db, s->id, SUBMIT_RECEIVED, SUBMIT_PROCESSING, NULL, NULL, now);
  return rc;
}

/* Writes LEN bytes of DATA at OFFSET of the upload's file and makes them durable. 0 or -errno. */
static int write_at(const char *path, gint64 offset, const char *data, size_t len)
{
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  int ret = 0;
  while (len > 0 && ret == 0) {
    ssize_t n = pwrite(fd, data, len, offset);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      ret = n < 0 ? -errno : -EIO;
      break;
    }
    data += n;
    len -= (size_t)n;
    offset += n;
  }
  if (ret == 0 && fdatasync(fd) != 0)
    ret = -errno;
  close(fd);
  return ret;
}

void api_tus_patch(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  if (!tus_version_ok(call, resp))
    return;
  const HttpRequest *req = call->req;
  SubmitUpload *u = upload_find(ctx, call, resp);
  Submission *s = NULL;
  g_autofree char *pdf = NULL, *path = NULL, *off = NULL;
  if (!u)
    return;
  int st = http_tus_patch_status(req->upload_offset, req->content_type, (guint64)u->offset,
                                 (guint64)u->length, req->body_len);
  if (st) {
    static const char *const codes[] = {"invalid_header", "unsupported_media_type", "offset_mismatch",
      "payload_too_large"};
    int i = st == 400 ? 0 : st == 415 ? 1 : st == 409 ? 2 : 3;
    off = g_strdup_printf("%" G_GINT64_FORMAT, u->offset);
    http_response_error(resp, st, codes[i], st == 409 ? "the upload holds %s bytes: continue from there"
                        : st == 415 ? "send the piece as application/offset+octet-stream (%s bytes held)"
                        : st == 400 ? "Upload-Offset must be a number (%s bytes held)"
                        : "the piece would pass the upload's length (%s bytes held)", off);
    http_response_header(resp, "upload-offset:", off);
    goto out;
  }
  if (db_submission_get(ctx->db, u->submission_id, &s) < 0) {
    http_response_error(resp, 404, "not_found", "the upload's submission is gone");
    goto out;
  }
  path = tus_file(ctx, u->id);
  if (u->offset < SUBMIT_SNIFF_BYTES && req->body_len > 0) {
    /* What the file says it is, judged on its first bytes before any more is taken. A file
     * that lies is refused and its upload ended: a new one must be started. */
    guint8 head[SUBMIT_SNIFF_BYTES];
    size_t have = 0;
    if (u->offset > 0) {
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      ssize_t n = fd >= 0 ? pread(fd, head, (size_t)u->offset, 0) : -1;
      if (fd >= 0)
        close(fd);
      have = n > 0 ? (size_t)n : 0;
    }
    size_t take = MIN(sizeof head - have, req->body_len);
    memcpy(head + have, req->body, take);
    int rc = submit_sniff_check(s->kind, head, have + take, (guint64)u->length);
    if (rc == -EMEDIUMTYPE) {
      if (api_begin(ctx, resp)) {
        upload_drop(ctx, u->id);
        db_commit(ctx->db);
      }
      log_info("submit", "upload %s refused: not a %s file", u->id, s->kind);
      http_response_error(resp, 415, "file_type_mismatch", "this file is not a %s (its first bytes say "
                          "otherwise); the upload is cancelled", strcmp(s->kind, "pdf") == 0 ? "PDF" : "video");
      goto out;
    }
    if (rc == -EAGAIN) {
      http_response_error(resp, 400, "piece_too_small", "send at least the first %d bytes in one piece",
                          SUBMIT_SNIFF_BYTES);
      goto out;
    }
  }
  int rc = write_at(path, u->offset, req->body, req->body_len);
  if (rc < 0) {
    log_error("submit", "upload %s: cannot write: %s", u->id, g_strerror(-rc));
    http_response_error(resp, 500, "storage", "the piece could not be stored");
    goto out;
  }
  gint64 to = u->offset + (gint64)req->body_len;
  if (!api_begin(ctx, resp))
    goto out;
  rc = db_submission_upload_advance(ctx->db, u->id, u->offset, to, util_now());
  if (rc == 0 && to == u->length)
    rc = upload_finished(ctx, u, s, &pdf);
  if (rc == 0)
    rc = db_commit(ctx->db);
  if (rc < 0) {
    db_rollback(ctx->db);
    http_response_error(resp, rc == -ESTALE ? 409 : 500, rc == -ESTALE ? "offset_mismatch" : "storage",
                        "the piece could not be taken; ask for the offset (HEAD) and continue");
    goto out;
  }
  if (pdf) {
    PdfJob *j = g_new0(PdfJob, 1);
    j->db = ctx->db;
    j->submission = g_strdup(s->id);
    g_autofree char *images = config_images_dir(ctx->config);
    if (pdf_preview_start(pdf, images, pdf_done, j) < 0)
      pdf_done(-EIO, NULL, "the PDF checker could not run", j);
  }
  off = g_strdup_printf("%" G_GINT64_FORMAT, to);
  http_response_text(resp, 204, "text/plain", NULL);
  g_string_truncate(resp->body, 0);
  http_response_header(resp, "upload-offset:", off);
out:
  submit_upload_free(&u);
  submission_free(&s);
}

void api_tus_delete(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  if (!tus_version_ok(call, resp))
    return;
  SubmitUpload *u = upload_find(ctx, call, resp);
  if (!u)
    return;
  if (u->finished_at) {
    http_response_error(resp, 409, "upload_finished", "a finished upload is the submission's file now");
  } else if (api_begin(ctx, resp)) {
    upload_drop(ctx, u->id);
    if (db_commit(ctx->db) < 0) {
      db_rollback(ctx->db);
      http_response_error(resp, 500, "internal", "could not cancel the upload");
    } else {
      http_response_text(resp, 204, "text/plain", NULL);
      g_string_truncate(resp->body, 0);
    }
  }
  submit_upload_free(&u);
}
