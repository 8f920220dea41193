/* api_fixture: a database, members of each role and a way to call the API without a
 * network, for the tests of src/http/api*.c. Include once per test program. */
#pragma once

#include "auth/auth.h"
#include "http/api.h"
#include "testutil.h"

#include <string.h>

static char *dir;
static Db *db;
static Config config;
static guint8 secret[TOKEN_SECRET_LEN] = { 7 };
static ApiContext ctx;
static char *admin_auth, *editor_auth, *viewer_auth;

static char *make_member(Role role)
{
  Member *m = NULL;
  char *token = NULL;
  g_assert(auth_member_create(db, secret, "测试 member", role, true, &m, &token) == 0);
  member_free(&m);
  char *h = g_strconcat("Bearer ", token, NULL);
  g_free(token);
  return h;
}

static void setup(void)
{
  dir = tu_tmpdir();
  char *p = g_build_filename(dir, "t.db", NULL), *err = NULL;
  tu_db_seed(p);
  g_assert(db_open(p, 0, &db, &err) == 0);
  g_free(p);
  config_init_defaults(&config);
  g_free(config.data_dir);
  config.data_dir = g_strdup(dir);
  ctx = (ApiContext){ .db = db, .secret = secret, .config = &config };
  admin_auth = make_member(ROLE_ADMIN);
  editor_auth = make_member(ROLE_EDITOR);
  viewer_auth = make_member(ROLE_VIEWER);
}

static void teardown(void)
{
  db_close(&db);
  config_clear(&config);
  g_free(admin_auth);
  g_free(editor_auth);
  g_free(viewer_auth);
  tu_rmtree(dir);
  g_free(dir);
}

typedef struct {
  const char *method, *path;
  const char *query;           /* "a=1&b=x" (values not encoded), or NULL */
  const char *auth;
  const char *body;
  size_t body_len;             /* 0: strlen(body) */
  const char *content_type;    /* default application/json when there is a body */
  const char *if_none_match, *if_modified_since;
  const char *cookie, *csrf_token;  /* Cookie and X-CSRF-Token headers, or NULL */
  /* out */
  int status;
  char *out;                   /* response body; free with api_req_clear */
  GHashTable *headers;         /* lower-case "name:" -> value */
} ApiReq;

static void api_req_clear(ApiReq *r)
{
  g_clear_pointer(&r->out, g_free);
  g_clear_pointer(&r->headers, g_hash_table_unref);
}

static int api_send(ApiReq *r)
{
  GHashTable *q = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  if (r->query) {
    char **pairs = g_strsplit(r->query, "&", -1);
    for (int i = 0; pairs[i]; i++) {
      char *eq = strchr(pairs[i], '=');
      if (eq)
        g_hash_table_insert(q, g_strndup(pairs[i], (gsize)(eq - pairs[i])), g_strdup(eq + 1));
    }
    g_strfreev(pairs);
  }
  HttpRequest req = { .method = r->method, .path = r->path, .query = q, .authorization = r->auth,
                      .content_type = r->content_type ? r->content_type : r->body ? "application/json" : NULL,
                      .if_none_match = r->if_none_match, .if_modified_since = r->if_modified_since,
                      .cookie = r->cookie, .csrf_token = r->csrf_token, .peer = "127.0.0.1",
                      .body = r->body, .body_len = r->body_len ? r->body_len : r->body ? strlen(r->body) : 0 };
  HttpResponse resp;
  http_response_init(&resp);
  api_handle(&ctx, &req, &resp);
  api_req_clear(r);
  r->status = resp.status;
  r->out = g_strdup(resp.body ? resp.body->str : "");
  r->headers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i + 1 < resp.headers->len; i += 2)
    g_hash_table_insert(r->headers, g_strdup(resp.headers->pdata[i]), g_strdup(resp.headers->pdata[i + 1]));
  http_response_clear(&resp);
  g_hash_table_unref(q);
  return r->status;
}

/* Runs one request; returns the status and leaves the body in *OUT (when not NULL). */
static int call(const char *method, const char *path, const char *auth, const char *body, char **out)
{
  ApiReq r = { .method = method, .path = path, .auth = auth, .body = body };
  int status = api_send(&r);
  if (out)
    *out = g_steal_pointer(&r.out);
  api_req_clear(&r);
  return status;
}

static void assert_error_shape(const char *body, const char *code)
{
  JsonNode *n = json_from_string(body, NULL);
  ck_assert_msg(n && JSON_NODE_HOLDS_OBJECT(n), "not an object: %s", body);
  JsonObject *e = json_object_get_object_member(json_node_get_object(n), "error");
  ck_assert_ptr_nonnull(e);
  ck_assert_msg(!strcmp(json_object_get_string_member(e, "code"), code), "code %s, wanted %s: %s",
                json_object_get_string_member(e, "code"), code, body);
  ck_assert(strlen(json_object_get_string_member(e, "message")) > 0);
  json_node_unref(n);
}
