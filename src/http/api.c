/* api: the JSON API under /api/v1 — the route table, each route with the role it needs, and
 * dispatch: match, authorize, call the handler, add the caching headers. Handlers live in
 * api_<area>.c and use api_kit; none of them includes this file's header. */
#include "http/api.h"
#include "http/api_catalog.h"
#include "http/api_chat.h"
#include "http/api_articles.h"
#include "http/api_chat_replay.h"
#include "http/api_columns.h"
#include "http/api_events.h"
#include "http/api_jobs.h"
#include "http/api_lottery.h"
#include "http/api_members.h"
#include "http/api_oidc.h"
#include "http/api_points.h"
#include "http/api_privacy.h"
#include "http/api_qa.h"
#include "http/api_quiz.h"
#include "http/api_roster.h"
#include "http/api_session.h"
#include "http/api_uploads.h"
#include "http/api_votes.h"
#include "http/api_submissions.h"
#include "auth/session.h"
#include "core/util.h"
#include "lectern-build.h"

#include <string.h>

/* The API's own root: what answers here (the one handler the router keeps). */
static void api_index(ApiContext *ctx, const ApiCall *call, HttpResponse *resp)
{
  JsonBuilder *b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "name");
  json_builder_add_string_value(b, "lectern");
  json_builder_set_member_name(b, "version");
  json_builder_add_string_value(b, LECTERN_VERSION);
  json_builder_set_member_name(b, "schema_version");
  json_builder_add_int_value(b, db_schema_version(ctx->db));
  json_builder_end_object(b);
  api_reply_json(resp, 200, json_builder_get_root(b));
  g_object_unref(b);
}

/* Every route here must be in schemas/openapi.yaml and the reverse (tests/unit/test_api.c).
 * POST /api/v1/uploads is streamed by http_upload.c to api_uploads.c, and documented too. */
const ApiRoute api_routes[] = {
  { "GET", "/api/v1", API_PUBLIC, api_index, true },
  { "GET", "/api/v1/me", API_MEMBER, api_me },
  { "POST", "/api/v1/session", API_SIGNIN, api_session_create },
  { "GET", "/api/v1/session", API_MEMBER, api_session_get },
  { "DELETE", "/api/v1/session", API_MEMBER, api_session_delete },
  { "GET", "/api/v1/oidc", API_PUBLIC, api_oidc_info },
  { "GET", "/api/v1/oidc/start", API_SIGNIN, api_oidc_start },
  { "GET", "/api/v1/oidc/callback", API_SIGNIN, api_oidc_callback },
  { "GET", "/api/v1/me/points", API_MEMBER, api_me_points },
  { "GET", "/api/v1/me/history", API_MEMBER, api_me_history },
  { "GET", "/api/v1/me/data", API_MEMBER, api_me_data },
  { "GET", "/api/v1/me/quiz", API_MEMBER, api_me_quiz },
  { "POST", "/api/v1/me/quiz", API_MEMBER, api_me_quiz_start },
  { "POST", "/api/v1/me/quiz/next", API_MEMBER, api_me_quiz_next },
  { "POST", "/api/v1/me/quiz/answers", API_MEMBER, api_me_quiz_answer },
  { "GET", "/api/v1/rules", API_PUBLIC, api_rules },
  { "GET", "/api/v1/quiz/questions", API_EDITOR, api_quiz_questions_list },
  { "POST", "/api/v1/quiz/questions", API_EDITOR, api_quiz_questions_import },
  { "PATCH", "/api/v1/quiz/questions/{id}", API_EDITOR, api_quiz_question_update },
  { "GET", "/api/v1/members", API_EDITOR, api_members_list },
  { "POST", "/api/v1/members", API_ADMIN, api_members_create },
  { "POST", "/api/v1/members/roster", API_ADMIN, api_roster_import },
  { "PATCH", "/api/v1/members/{id}", API_EDITOR, api_member_update },
  { "GET", "/api/v1/members/{id}/data", API_ADMIN, api_member_data },
  { "POST", "/api/v1/members/{id}/erase", API_ADMIN, api_member_erase },
  { "GET", "/api/v1/campaigns", API_EDITOR, api_campaigns_list },
  { "POST", "/api/v1/campaigns", API_EDITOR, api_campaigns_create },
  { "PATCH", "/api/v1/campaigns/{id}", API_EDITOR, api_campaign_update },
  { "GET", "/api/v1/campaigns/{id}/earners", API_EDITOR, api_campaign_earners },
  { "POST", "/api/v1/points/corrections", API_EDITOR, api_points_correction },
  { "POST", "/api/v1/events", API_EDITOR, api_events_create },
  { "GET", "/api/v1/lives/now", API_PUBLIC, api_lives_now, true },
  { "GET", "/api/v1/lives/upcoming", API_PUBLIC, api_lives_upcoming, true },
  { "GET", "/api/v1/videos", API_PUBLIC, api_videos_list, true },
  { "GET", "/api/v1/videos/{id}", API_PUBLIC, api_video_get, true },
  { "PATCH", "/api/v1/videos/{id}", API_EDITOR, api_video_update },
  { "DELETE", "/api/v1/videos/{id}", API_EDITOR, api_video_delete },
  { "POST", "/api/v1/videos/{id}/rekey", API_EDITOR, api_video_rekey },
  { "PUT", "/api/v1/videos/{id}/chapters", API_EDITOR, api_video_chapters },
  { "PUT", "/api/v1/videos/{id}/poster", API_EDITOR, api_video_poster },
  { "GET", "/api/v1/videos/{id}/stats", API_EDITOR, api_video_stats },
  { "GET", "/api/v1/videos/{id}/chat", API_EDITOR, api_chat_settings_get },
  { "PATCH", "/api/v1/videos/{id}/chat", API_EDITOR, api_chat_settings_update },
  { "GET", "/api/v1/videos/{id}/chat/messages", API_EDITOR, api_chat_messages },
  /* The replay: its own cache (chat changes do not move the catalog generation). */
  { "GET", "/api/v1/videos/{id}/chat/replay", API_PUBLIC, api_chat_replay },
  { "DELETE", "/api/v1/videos/{id}/chat/messages/{message}", API_EDITOR, api_chat_message_delete },
  { "GET", "/api/v1/chat/sanctions", API_EDITOR, api_chat_sanctions_list },
  { "POST", "/api/v1/chat/sanctions", API_EDITOR, api_chat_sanctions_create },
  { "DELETE", "/api/v1/chat/sanctions/{id}", API_EDITOR, api_chat_sanction_lift },
  { "GET", "/api/v1/chat/words", API_EDITOR, api_chat_words_list },
  { "POST", "/api/v1/chat/words", API_EDITOR, api_chat_words_add },
  { "DELETE", "/api/v1/chat/words/{id}", API_EDITOR, api_chat_word_delete },
  /* Questions (issue 19): the presenter's routes are public and take the live's presenter
   * link in the body (POST: never cached, never in a URL or a log). */
  { "GET", "/api/v1/videos/{id}/questions", API_EDITOR, api_qa_questions },
  { "POST", "/api/v1/videos/{id}/questions/{question}", API_EDITOR, api_qa_decide },
  { "GET", "/api/v1/videos/{id}/qa", API_EDITOR, api_qa_settings_get },
  { "PATCH", "/api/v1/videos/{id}/qa", API_EDITOR, api_qa_settings_update },
  { "GET", "/api/v1/videos/{id}/presenter-link", API_EDITOR, api_presenter_link_get },
  { "POST", "/api/v1/videos/{id}/presenter-link", API_EDITOR, api_presenter_link_rotate },
  { "POST", "/api/v1/presenter", API_PUBLIC, api_presenter_view },
  { "POST", "/api/v1/presenter/questions/{question}", API_PUBLIC, api_presenter_decide },
  { "GET", "/api/v1/categories", API_PUBLIC, api_categories_list, true },
  { "POST", "/api/v1/categories", API_EDITOR, api_categories_create },
  { "GET", "/api/v1/columns", API_PUBLIC, api_columns_list, true },
  { "POST", "/api/v1/columns", API_EDITOR, api_columns_create },
  { "GET", "/api/v1/columns/{slug}", API_PUBLIC, api_column_get, true },
  { "PATCH", "/api/v1/columns/{slug}", API_EDITOR, api_column_update },
  { "PUT", "/api/v1/columns/{slug}/cover", API_EDITOR, api_column_cover },
  { "DELETE", "/api/v1/columns/{slug}/cover", API_EDITOR, api_column_cover_delete },
  { "PUT", "/api/v1/columns/{slug}/items", API_EDITOR, api_column_items_put },
  { "POST", "/api/v1/columns/{slug}/items", API_EDITOR, api_column_items_add },
  { "PATCH", "/api/v1/columns/{slug}/items/{video_id}", API_EDITOR, api_column_item_update },
  { "DELETE", "/api/v1/columns/{slug}/items/{video_id}", API_EDITOR, api_column_item_delete },
  { "GET", "/api/v1/columns/{slug}/articles", API_PUBLIC, api_column_articles },
  { "PUT", "/api/v1/columns/{slug}/articles/{id}", API_EDITOR, api_column_article_put },
  { "DELETE", "/api/v1/columns/{slug}/articles/{id}", API_EDITOR, api_column_article_delete },
  { "GET", "/api/v1/articles", API_PUBLIC, api_articles_list },
  { "POST", "/api/v1/articles", API_EDITOR, api_articles_create },
  { "POST", "/api/v1/articles/preview", API_EDITOR, api_articles_preview },
  { "POST", "/api/v1/articles/images", API_EDITOR, api_articles_image },
  { "GET", "/api/v1/articles/{id}", API_PUBLIC, api_article_get },
  { "PATCH", "/api/v1/articles/{id}", API_EDITOR, api_article_update },
  { "DELETE", "/api/v1/articles/{id}", API_EDITOR, api_article_delete },
  { "POST", "/api/v1/articles/{id}/publish", API_EDITOR, api_article_publish },
  { "GET", "/api/v1/audit", API_EDITOR, api_audit_list },
  { "GET", "/api/v1/jobs/{id}", API_EDITOR, api_job_get },
  { "POST", "/api/v1/jobs/{id}/cancel", API_EDITOR, api_job_cancel },
  /* Votes (issue 21): never kept in the guest cache — tallies move with every ballot. */
  { "GET", "/api/v1/votes", API_PUBLIC, api_votes_list },
  { "POST", "/api/v1/votes", API_EDITOR, api_votes_create },
  { "GET", "/api/v1/votes/{id}", API_PUBLIC, api_vote_get },
  { "PATCH", "/api/v1/votes/{id}", API_EDITOR, api_vote_update },
  { "POST", "/api/v1/votes/{id}/open", API_EDITOR, api_vote_open },
  { "POST", "/api/v1/votes/{id}/close", API_EDITOR, api_vote_close },
  { "GET", "/api/v1/votes/{id}/results", API_PUBLIC, api_vote_results },
  { "POST", "/api/v1/votes/{id}/ballots", API_MEMBER, api_vote_cast },
  { "GET", "/api/v1/votes/{id}/me", API_MEMBER, api_vote_me },
  { "POST", "/api/v1/votes/{id}/invalidations", API_EDITOR, api_vote_invalidate },
  { "GET", "/api/v1/votes/{id}/report", API_EDITOR, api_vote_report },
  /* Submissions (issue 21.1-3, docs/submissions.md); /tus is the resumable upload (tus 1.0.0):
   * HEAD arrives here as GET, OPTIONS is answered by http_server (api_tus_options). */
  { "GET", "/api/v1/calls", API_PUBLIC, api_calls_list },
  { "POST", "/api/v1/calls", API_EDITOR, api_calls_create },
  { "GET", "/api/v1/calls/{id}", API_PUBLIC, api_call_get },
  { "PATCH", "/api/v1/calls/{id}", API_EDITOR, api_call_update },
  { "GET", "/api/v1/submissions", API_EDITOR, api_submissions_list },
  { "POST", "/api/v1/submissions", API_MEMBER, api_submissions_create },
  { "POST", API_SUBMISSION_IMAGES_PATH, API_MEMBER, api_submission_image },
  /* The articles' renderer for a member's text, so the page's preview shows it as the article
   * will (nothing stored; cmark is quick and the body is bounded). */
  { "POST", "/api/v1/submissions/preview", API_MEMBER, api_articles_preview },
  { "GET", "/api/v1/submissions/{id}", API_MEMBER, api_submission_get },
  { "PATCH", "/api/v1/submissions/{id}", API_MEMBER, api_submission_update },
  { "POST", "/api/v1/submissions/{id}/review", API_EDITOR, api_submission_review },
  { "GET", "/api/v1/me/submissions", API_MEMBER, api_me_submissions },
  { "GET", "/api/v1/documents", API_PUBLIC, api_documents_list },
  { "POST", "/api/v1/tus", API_MEMBER, api_tus_create },
  { "GET", "/api/v1/tus/{id}", API_MEMBER, api_tus_head },
  { "PATCH", "/api/v1/tus/{id}", API_MEMBER, api_tus_patch },
  { "DELETE", "/api/v1/tus/{id}", API_MEMBER, api_tus_delete },
  { "GET", "/api/v1/lotteries", API_PUBLIC, api_lotteries_list },
  { "POST", "/api/v1/lotteries", API_EDITOR, api_lotteries_create },
  { "GET", "/api/v1/lotteries/{id}", API_PUBLIC, api_lottery_get },
  { "PATCH", "/api/v1/lotteries/{id}", API_EDITOR, api_lottery_update },
  { "GET", "/api/v1/lotteries/{id}/mine", API_MEMBER, api_lottery_mine },
  { "POST", "/api/v1/lotteries/{id}/tickets", API_MEMBER, api_lottery_buy },
  { "POST", "/api/v1/lotteries/{id}/draws", API_EDITOR, api_lottery_draw_add },
  { "GET", "/api/v1/lottery-draws/{id}/entries", API_PUBLIC, api_lottery_draw_entries },
  { "GET", "/api/v1/lottery-draws/{id}/record", API_PUBLIC, api_lottery_draw_record },
  { "POST", "/api/v1/lottery-draws/{id}/tiers", API_EDITOR, api_lottery_tier_add },
  { "POST", "/api/v1/lottery-draws/{id}/freeze", API_EDITOR, api_lottery_freeze },
  { "POST", "/api/v1/lottery-draws/{id}/draw", API_EDITOR, api_lottery_run_draw },
  { "GET", "/api/v1/lottery-draws/{id}/prizes", API_EDITOR, api_lottery_prizes },
  { "POST", "/api/v1/lottery-tiers/{id}/codes", API_EDITOR, api_lottery_codes_import },
  { "POST", "/api/v1/lottery-prizes/{id}/claim", API_MEMBER, api_lottery_prize_claim },
  { "POST", "/api/v1/lottery-prizes/{id}/disqualify", API_EDITOR, api_lottery_disqualify },
  { NULL, NULL, 0, NULL },
};

/* ---- dispatch ---------------------------------------------------------- */

/* Where the segment starting at S ends (its '/' or its '\0'). */
static const char *segment_end(const char *s)
{
  const char *slash = strchr(s, '/');
  return slash ? slash : s + strlen(s);
}

/* Matches PATH against PATTERN segment by segment; "{x}" takes one non-empty segment. Walks
 * both strings in place: it runs for every route on every API request, and allocates only
 * the parameters of a match. */
static bool route_match(const char *pattern, const char *path, char **params, int *nparams)
{
  const char *from[API_MAX_PARAMS];
  size_t len[API_MAX_PARAMS];
  int np = 0;
  for (const char *p = pattern, *x = path;; ) {
    const char *pe = segment_end(p), *xe = segment_end(x);
    size_t pl = (size_t)(pe - p), xl = (size_t)(xe - x);
    if (pl > 0 && p[0] == '{') {
      if (xl == 0 || np >= API_MAX_PARAMS)
        return false;
      from[np] = x;
      len[np++] = xl;
    } else if (pl != xl || memcmp(p, x, pl) != 0) {
      return false;
    }
    if (!*pe || !*xe) {
      if (*pe || *xe)
        return false;
      break;
    }
    p = pe + 1;
    x = xe + 1;
  }
  for (int i = 0; i < np; i++)
    params[i] = g_strndup(from[i], len[i]);
  *nparams = np;
  return true;
}

/* A guest's read answered from memory: true when RESP is ready. Otherwise *KEY, *GEN and
 * *NOW say where and how the answer may be kept (*KEY NULL: it may not). */
static bool guest_cached(ApiContext *ctx, const HttpRequest *req, HttpResponse *resp, char **key,
                         guint64 *gen, gint64 *now)
{
  *key = NULL;
  /* A request with a credential (a bearer token or a session cookie) gets its own answer
   * (private), even on public routes: an editor's list holds drafts. */
  if (!ctx->cache || req->authorization || strcmp(req->method, "GET") != 0)
    return false;
  g_autofree char *sid = NULL;
  if (session_cookie_find(req->cookie, &sid) == 0)
    return false;
  *key = api_cache_key(req->path, req->query);
  *gen = db_catalog_generation(ctx->catalog);
  *now = util_now();
  if (!api_cache_get(ctx->cache, *key, *gen, *now, resp))
    return false;
  api_conditional(req, resp);
  return true;
}

/* Keeps a guest's fresh answer (headers set, conditions not yet applied) for the next. */
static void guest_keep(ApiContext *ctx, const ApiRoute *route, const char *key, guint64 gen, gint64 now,
                       const HttpResponse *resp)
{
  gint64 until = 0;
  /* What was read inside a transaction could still be rolled back. */
  if (!key || !route->guest_cache || resp->status != 200 || db_catalog_in_transaction(ctx->catalog) ||
      db_catalog_next_change(ctx->catalog, now, &until) < 0)
    return;
  if (resp->fresh_until && (!until || resp->fresh_until < until))
    until = resp->fresh_until;
  api_cache_put(ctx->cache, key, gen, until, resp);
}

void api_handle(ApiContext *ctx, const HttpRequest *req, HttpResponse *resp)
{
  g_autofree char *key = NULL;
  guint64 gen = 0;
  gint64 now = 0;
  if (guest_cached(ctx, req, resp, &key, &gen, &now))
    return;

  char *params[API_MAX_PARAMS] = { 0 };
  int nparams = 0;
  const ApiRoute *route = NULL;
  bool path_known = false;
  GString *allow = g_string_new(NULL);

  /* A trailing slash names the same resource. */
  char *path = g_strdup(req->path);
  size_t len = strlen(path);
  if (len > 1 && path[len - 1] == '/')
    path[len - 1] = '\0';

  /* Literal segments win over "{x}": where both match (POST /members/roster beside
   * PATCH /members/{id}), only the most literal patterns name the path, so another method on
   * it is 405 rather than reaching a route meant for other paths. */
  int best = -1;
  for (const ApiRoute *r = api_routes; r->method; r++) {
    char *tmp[API_MAX_PARAMS] = { 0 };
    int ntmp = 0;
    if (!route_match(r->pattern, path, tmp, &ntmp))
      continue;
    int literal = -ntmp;
    for (const char *c = r->pattern; *c; c++)
      literal += *c == '/';
    if (literal < best) {
      for (int i = 0; i < ntmp; i++)
        g_free(tmp[i]);
      continue;
    }
    if (literal > best) {
      best = literal;
      g_string_truncate(allow, 0);
      if (route)
        for (int i = 0; i < nparams; i++)
          g_clear_pointer(&params[i], g_free);
      route = NULL;
      nparams = 0;
    }
    path_known = true;
    g_string_append_printf(allow, "%s%s", allow->len ? ", " : "", r->method);
    if (!route && strcmp(r->method, req->method) == 0) {
      route = r;
      memcpy(params, tmp, sizeof params);
      nparams = ntmp;
    } else {
      for (int i = 0; i < ntmp; i++)
        g_free(tmp[i]);
    }
  }

  /* The upload's POST never reaches the router (http_server streams it); its path is known. */
  if (!path_known && strcmp(path, API_UPLOAD_PATH) == 0) {
    path_known = true;
    g_string_append(allow, "POST");
  }

  Member *member = NULL;
  char *session_id = NULL;
  if (!route) {
    if (path_known) {
      http_response_error(resp, 405, "method_not_allowed", "%s is not allowed on %s",
                          req->method, path);
      http_response_header(resp, "allow:", allow->str);
    } else {
      http_response_error(resp, 404, "not_found", "no such API resource: %s", path);
    }
    goto out;
  }

  if (api_authorize_request(ctx, req, route->access, &member, &session_id, resp) < 0)
    goto out;

  ApiCall call = { .req = req, .member = member, .session_id = session_id };
  for (int i = 0; i < nparams; i++)
    call.params[i] = params[i];
  route->handler(ctx, &call, resp);
  if (resp->later)
    goto out; /* answered later (http_later_answer), with its own headers */
  api_read_headers(ctx, req, member != NULL, resp);
  if (!member)
    guest_keep(ctx, route, key, gen, now, resp);
  api_conditional(req, resp);

out:
  for (int i = 0; i < nparams; i++)
    g_free(params[i]);
  member_free(&member);
  g_free(session_id);
  g_string_free(allow, TRUE);
  g_free(path);
}
