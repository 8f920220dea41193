/* Tests for src/http/api_quiz.c through the router: the member's quiz routes (start, one
 * attempt a day, answers and their refusals, private caching), the editors' bank routes
 * (import refusals, retire, audit), and the public rules. */
#include "api_fixture.h"
#include "core/util.h"

#include <string.h>

static const char *BANK = "{\"questions\": ["
    "{\"key\": \"a\", \"text\": \"一\", \"options\": [\"RIGHT\", \"no\"], \"answer\": 0, \"explanation\": \"EXPL-a\"},"
    "{\"key\": \"b\", \"text\": \"二\", \"options\": [\"no\", \"RIGHT\"], \"answer\": 1, \"explanation\": \"EXPL-b\"}]}";

static JsonNode *parse(const char *s)
{
  JsonNode *n = json_from_string(s, NULL);
  ck_assert_ptr_nonnull(n);
  return n;
}

START_TEST(the_bank_over_the_api)
{
  char *out = NULL;
  ck_assert_int_eq(call("POST", "/api/v1/quiz/questions", editor_auth, BANK, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "\"added\":2"));
  g_free(out);
  ck_assert_int_eq(call("POST", "/api/v1/quiz/questions", editor_auth,
                        "{\"data\": \"question,options,answer\\nx,a|b,Q\\n\", \"format\": \"csv\"}", &out), 400);
  assert_error_shape(out, "invalid_questions");
  ck_assert_ptr_nonnull(strstr(out, "row 2"));
  g_free(out);
  ck_assert_int_eq(call("POST", "/api/v1/quiz/questions", editor_auth, "{\"questions\": [], \"data\": \"x\"}", &out), 400);
  g_free(out);
  ck_assert_int_eq(call("POST", "/api/v1/quiz/questions", viewer_auth, BANK, NULL), 403);
  ck_assert_int_eq(call("GET", "/api/v1/quiz/questions", editor_auth, NULL, &out), 200);
  JsonNode *n = parse(out);
  JsonArray *qs = json_object_get_array_member(json_node_get_object(n), "questions");
  ck_assert_uint_eq(json_array_get_length(qs), 2);
  gint64 id = json_object_get_int_member(json_array_get_object_element(qs, 0), "id");
  json_node_unref(n);
  g_free(out);
  g_autofree char *path = g_strdup_printf("/api/v1/quiz/questions/%" G_GINT64_FORMAT, id);
  ck_assert_int_eq(call("PATCH", path, editor_auth, "{\"status\": \"gone\"}", NULL), 400);
  ck_assert_int_eq(call("PATCH", "/api/v1/quiz/questions/999", editor_auth, "{\"status\": \"retired\"}", NULL), 404);
  ck_assert_int_eq(call("PATCH", path, editor_auth, "{\"status\": \"retired\"}", NULL), 200);
  ck_assert_int_eq(call("GET", "/api/v1/audit", editor_auth, NULL, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "quiz.retire"));
  ck_assert_ptr_nonnull(strstr(out, "quiz.import"));
  g_free(out);
}
END_TEST

START_TEST(a_members_quiz_over_the_api)
{
  ck_assert_int_eq(call("POST", "/api/v1/me/quiz", viewer_auth, NULL, NULL), 404);  /* an empty bank */
  ck_assert_int_eq(call("POST", "/api/v1/quiz/questions", editor_auth, BANK, NULL), 200);
  char *out = NULL;
  ck_assert_int_eq(call("GET", "/api/v1/me/quiz", NULL, NULL, NULL), 401);
  ApiReq r = { .method = "POST", .path = "/api/v1/me/quiz", .auth = viewer_auth };
  ck_assert_int_eq(api_send(&r), 201);
  ck_assert_msg(!strstr(r.out, "EXPL") && !strstr(r.out, "\"answer\""), "%s", r.out);
  const char *cc = g_hash_table_lookup(r.headers, "cache-control:");
  ck_assert_msg(cc && !strstr(cc, "public"), "cache-control %s", cc);
  JsonNode *n = parse(r.out);
  JsonObject *first = json_array_get_object_element(
      json_object_get_array_member(json_object_get_object_member(json_node_get_object(n), "attempt"), "items"), 0);
  JsonArray *opts = json_object_get_array_member(first, "options");
  int right = strcmp(json_array_get_string_element(opts, 0), "RIGHT") == 0 ? 0 : 1;
  json_node_unref(n);
  api_req_clear(&r);
  ck_assert_int_eq(call("POST", "/api/v1/me/quiz", viewer_auth, NULL, &out), 409);
  assert_error_shape(out, "already_done");
  g_free(out);
  ck_assert_int_eq(call("POST", "/api/v1/me/quiz/answers", viewer_auth, "{\"position\": 0}", NULL), 400);
  ck_assert_int_eq(call("POST", "/api/v1/me/quiz/answers", viewer_auth, "{\"position\": 0, \"choices\": [\"a\"]}", NULL), 400);
  ck_assert_int_eq(call("POST", "/api/v1/me/quiz/answers", viewer_auth, "{\"position\": 0, \"choices\": [5]}", NULL), 400);
  ck_assert_int_eq(call("POST", "/api/v1/me/quiz/answers", viewer_auth, "{\"position\": 1, \"choices\": [0]}", NULL), 409);
  g_autofree char *body = g_strdup_printf("{\"position\": 0, \"choices\": [%d]}", right);
  ck_assert_int_eq(call("POST", "/api/v1/me/quiz/answers", viewer_auth, body, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "EXPL"));
  g_free(out);
  ck_assert_int_eq(call("POST", "/api/v1/me/quiz/answers", viewer_auth, body, NULL), 409);
  ck_assert_int_eq(call("POST", "/api/v1/me/quiz/next", viewer_auth, NULL, NULL), 200);
  ck_assert_int_eq(call("GET", "/api/v1/rules", NULL, NULL, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "\"campaign\":null"));
  g_free(out);
}
END_TEST

static Suite *api_quiz_suite(void)
{
  Suite *s = suite_create("api_quiz");
  TCase *tc = tcase_create("api_quiz");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, the_bank_over_the_api);
  tcase_add_test(tc, a_members_quiz_over_the_api);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(api_quiz_suite)
