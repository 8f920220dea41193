/* Tests for src/http/api_articles.c through the router: editors write, preview, publish,
 * place and delete articles (with refusals and the audit); the public sees only published
 * articles, never the Markdown source; search and column lists. */
#include "api_fixture.h"

#include <string.h>

static gint64 id_of(const char *out)
{
  JsonNode *n = json_from_string(out, NULL);
  ck_assert_ptr_nonnull(n);
  gint64 id = json_object_get_int_member(json_node_get_object(n), "id");
  json_node_unref(n);
  return id;
}

/* GET PATH?QUERY (values not encoded) as AUTH: the status, the body in *OUT. */
static int get_q(const char *path, const char *query, const char *auth, char **out)
{
  ApiReq r = { .method = "GET", .path = path, .query = query, .auth = auth };
  int status = api_send(&r);
  *out = g_strdup(r.out);
  api_req_clear(&r);
  return status;
}

START_TEST(articles_over_the_api)
{
  char *out = NULL;
  ck_assert_int_eq(call("POST", "/api/v1/articles/preview", editor_auth,
                        "{\"body\": \"**劳模** <script>alert(1)</script> [x](javascript:alert(1))\"}", &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "\\u003cstrong\\u003e劳模"));
  ck_assert_ptr_null(strstr(out, "script\\u003e"));
  ck_assert_ptr_null(strstr(out, "javascript"));
  g_free(out);
  ck_assert_int_eq(call("POST", "/api/v1/articles", viewer_auth, "{\"title\": \"x\"}", NULL), 403);
  ck_assert_int_eq(call("POST", "/api/v1/articles", editor_auth, "{\"summary\": \"no title\"}", NULL), 400);
  ck_assert_int_eq(call("POST", "/api/v1/articles", editor_auth, "{\"title\": \"x\", \"colour\": 1}", &out), 400);
  assert_error_shape(out, "unknown_field");
  g_free(out);
  ck_assert_int_eq(call("POST", "/api/v1/articles", editor_auth, "{\"title\": \"x\", \"cover_url\": \"http://evil/p.png\"}", NULL), 400);
  ck_assert_int_eq(call("POST", "/api/v1/articles", editor_auth,
                        "{\"title\": \"x\", \"publish_from\": \"2030-01-02T00:00:00Z\", \"publish_until\": \"2030-01-01T00:00:00Z\"}", NULL), 400);
  ck_assert_int_eq(call("POST", "/api/v1/articles", editor_auth,
                        "{\"title\": \"劳模精神\", \"summary\": \"焊工\", \"body\": \"welding lessons 劳模故事\"}", &out), 201);
  gint64 id = id_of(out);
  ck_assert_ptr_nonnull(strstr(out, "\"status\":\"draft\""));
  g_free(out);
  g_autofree char *path = g_strdup_printf("/api/v1/articles/%" G_GINT64_FORMAT, id);
  g_autofree char *pub = g_strdup_printf("%s/publish", path);
  ck_assert_int_eq(call("GET", path, NULL, NULL, NULL), 404);
  ck_assert_int_eq(call("GET", path, editor_auth, NULL, NULL), 200);
  ck_assert_int_eq(get_q("/api/v1/articles", "q=劳模", NULL, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "\"total\":0"));
  g_free(out);
  ck_assert_int_eq(get_q("/api/v1/articles", "all=true", viewer_auth, &out), 403);
  g_free(out);
  ck_assert_int_eq(call("POST", pub, editor_auth, NULL, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "\"status\":\"published\""));
  g_free(out);
  ck_assert_int_eq(call("GET", path, NULL, NULL, &out), 200);
  ck_assert_ptr_null(strstr(out, "\"body\""));   /* the Markdown source is the editors' */
  ck_assert_ptr_nonnull(strstr(out, "\"html\""));
  g_free(out);
  ck_assert_int_eq(get_q("/api/v1/articles", "q=劳模", NULL, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "\"total\":1"));
  g_free(out);
  ck_assert_int_eq(get_q("/api/v1/articles", "q=lesson", NULL, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "\"total\":1"));
  g_free(out);
  ck_assert_int_eq(call("PATCH", path, editor_auth, "{\"title\": \"新标题\"}", &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "新标题"));
  g_free(out);
  ck_assert_int_eq(call("PATCH", path, editor_auth, "{\"publish\": true}", NULL), 400);
  ck_assert_int_eq(call("PATCH", "/api/v1/articles/999", editor_auth, "{\"title\": \"y\"}", NULL), 404);
  ck_assert_int_eq(call("PATCH", "/api/v1/articles/abc", editor_auth, "{\"title\": \"y\"}", NULL), 404);

  /* Columns. */
  ck_assert_int_eq(call("POST", "/api/v1/columns", editor_auth, "{\"slug\": \"craft\", \"title\": \"工匠\"}", NULL), 201);
  g_autofree char *place = g_strdup_printf("/api/v1/columns/craft/articles/%" G_GINT64_FORMAT, id);
  ck_assert_int_eq(call("PUT", place, viewer_auth, "{\"position\": 0}", NULL), 403);
  ck_assert_int_eq(call("PUT", place, editor_auth, "{\"position\": -1}", NULL), 400);
  ck_assert_int_eq(call("PUT", "/api/v1/columns/nope/articles/1", editor_auth, "{}", NULL), 404);
  ck_assert_int_eq(call("PUT", place, editor_auth, "{\"position\": 2}", NULL), 200);
  ck_assert_int_eq(call("GET", "/api/v1/columns/craft/articles", NULL, NULL, &out), 200);
  ck_assert_ptr_nonnull(strstr(out, "\"position\":2"));
  g_free(out);
  ck_assert_int_eq(call("DELETE", place, editor_auth, NULL, NULL), 200);
  ck_assert_int_eq(call("DELETE", place, editor_auth, NULL, NULL), 404);

  /* Taking it back, then deleting. */
  ck_assert_int_eq(call("POST", pub, editor_auth, "{\"publish\": false}", NULL), 200);
  ck_assert_int_eq(call("GET", path, NULL, NULL, NULL), 404);
  ck_assert_int_eq(call("DELETE", path, editor_auth, NULL, NULL), 200);
  ck_assert_int_eq(call("GET", path, editor_auth, NULL, NULL), 404);
  ck_assert_int_eq(call("DELETE", path, editor_auth, NULL, NULL), 404);
  ck_assert_int_eq(get_q("/api/v1/audit", "target_type=article", editor_auth, &out), 200);
  for (const char *a = "article.create\0article.publish\0article.update\0article.unpublish\0article.delete\0"; *a; a += strlen(a) + 1)
    ck_assert_msg(strstr(out, a), "%s not audited", a);
  g_free(out);
}
END_TEST

static Suite *api_articles_suite(void)
{
  Suite *s = suite_create("api_articles");
  TCase *tc = tcase_create("api_articles");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, articles_over_the_api);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(api_articles_suite)
