/* oidc_client: the provider's HTTP endpoints, called from worker threads. */
#include "auth/oidc_client.h"
#include "auth/oidc_claims.h"
#include "auth/oidc_jwt.h"
#include "core/log.h"

#include <curl/curl.h>
#include <errno.h>
#include <string.h>

#define RESPONSE_MAX (1024 * 1024)  /* a discovery document, key set or token answer */
#define DISCOVERY_TTL (G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC)
#define ID_TOKEN_MAX_AGE 600         /* seconds an ID token's iat may lie in the past */
#define WORKERS 2

/* What the workers share, behind LOCK; it outlives the client while results are queued. */
typedef struct {
  GMutex lock;
  gint alive;                       /* 0 once the client is freed: results are dropped */
  char *issuer, *client_id, *client_secret, *redirect_uri;
  bool userinfo;
  long timeout, skew;
  /* the discovery document's endpoints */
  char *authorization_endpoint, *token_endpoint, *jwks_uri, *userinfo_endpoint, *end_session_endpoint;
  gint64 discovered_at;             /* monotonic microseconds; 0: not yet */
  char *jwks;                       /* the key set's JSON as last fetched */
} Shared;

struct OidcClient {
  Shared *sh;
  GThreadPool *pool;
  GMainContext *main;
};

typedef enum { JOB_ENDPOINTS, JOB_REDEEM } JobKind;

typedef struct {
  JobKind kind;
  Shared *sh;
  GMainContext *main;
  char *code, *verifier, *nonce;
  gpointer done;
  gpointer user;
  GDestroyNotify destroy;
  int ret;
  char *why;
  JsonObject *claims;
  OidcEndpoints ep;
} Job;

static void shared_clear(Shared *sh)
{
  g_mutex_clear(&sh->lock);
  g_free(sh->issuer);
  g_free(sh->client_id);
  g_free(sh->client_secret);
  g_free(sh->redirect_uri);
  g_free(sh->authorization_endpoint);
  g_free(sh->token_endpoint);
  g_free(sh->jwks_uri);
  g_free(sh->userinfo_endpoint);
  g_free(sh->end_session_endpoint);
  g_free(sh->jwks);
}

static void shared_unref(Shared *sh)
{
  g_atomic_rc_box_release_full(sh, (GDestroyNotify)shared_clear);
}

void oidc_endpoints_clear(OidcEndpoints *ep)
{
  g_clear_pointer(&ep->authorization_endpoint, g_free);
  g_clear_pointer(&ep->end_session_endpoint, g_free);
}

static void job_free(Job *j)
{
  if (j->destroy)
    j->destroy(j->user);
  g_free(j->code);
  g_free(j->verifier);
  g_free(j->nonce);
  g_free(j->why);
  if (j->claims)
    json_object_unref(j->claims);
  oidc_endpoints_clear(&j->ep);
  g_main_context_unref(j->main);
  shared_unref(j->sh);
  g_free(j);
}

/* ---- HTTP (worker threads) ---------------------------------------------- */

static size_t on_data(char *data, size_t size, size_t n, void *user)
{
  GString *b = user;
  if (b->len + size * n > RESPONSE_MAX)
    return 0; /* curl stops with CURLE_WRITE_ERROR */
  g_string_append_len(b, data, (gssize)(size * n));
  return size * n;
}

/* One request to URL: a GET, or a form POST of FORM; with BASIC_USER/PASS as HTTP Basic
 * credentials or BEARER. Returns 0 with *STATUS and *BODY (caller frees), or -ECONNREFUSED
 * (no answer: refused, timed out, too large). */
static int http_call(Shared *sh, const char *url, const char *form, const char *basic_user,
                     const char *basic_pass, const char *bearer, long *status, GString **body)
{
  CURL *h = curl_easy_init();
  if (!h)
    return -ENOMEM;
  GString *b = g_string_new(NULL);
  struct curl_slist *hdrs = curl_slist_append(NULL, "Accept: application/json");
  g_autofree char *auth = bearer ? g_strconcat("Authorization: Bearer ", bearer, NULL) : NULL;
  if (auth)
    hdrs = curl_slist_append(hdrs, auth);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, sh->timeout);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, sh->timeout);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "lectern-oidc");
  if (form)
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
  if (basic_user) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, basic_user);
    curl_easy_setopt(h, CURLOPT_PASSWORD, basic_pass);
  }
  CURLcode rc = curl_easy_perform(h);
  int ret = 0;
  if (rc == CURLE_OK) {
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    *body = b;
  } else {
    log_warn("oidc", "provider call failed: %s", curl_easy_strerror(rc));
    g_string_free(b, TRUE);
    ret = -ECONNREFUSED;
  }
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(h);
  return ret;
}

/* GET URL as a JSON object. Returns 0 with *OUT (unref it) or -ECONNREFUSED. */
static int get_json(Shared *sh, const char *url, const char *bearer, JsonObject **out, char **raw)
{
  long status = 0;
  GString *body = NULL;
  int ret = http_call(sh, url, NULL, NULL, NULL, bearer, &status, &body);
  if (ret < 0)
    return ret;
  JsonParser *p = json_parser_new();
  if (status == 200 && json_parser_load_from_data(p, body->str, (gssize)body->len, NULL) &&
      JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
    *out = json_object_ref(json_node_get_object(json_parser_get_root(p)));
    if (raw)
      *raw = g_strndup(body->str, body->len);
  } else {
    log_warn("oidc", "provider answered %ld without a JSON object", status);
    ret = -ECONNREFUSED;
  }
  g_object_unref(p);
  g_string_free(body, TRUE);
  return ret;
}

static bool url_ok(const char *u)
{
  return u && (g_str_has_prefix(u, "https://") || g_str_has_prefix(u, "http://"));
}

/* The discovery document, fetched unless fresh. Returns 0 or -ECONNREFUSED with *WHY. */
static int discover(Shared *sh, const char **why)
{
  g_mutex_lock(&sh->lock);
  bool fresh = sh->discovered_at && g_get_monotonic_time() - sh->discovered_at < DISCOVERY_TTL;
  g_mutex_unlock(&sh->lock);
  if (fresh)
    return 0;
  g_autofree char *url = g_strconcat(sh->issuer, g_str_has_suffix(sh->issuer, "/") ? "" : "/",
                                     ".well-known/openid-configuration", NULL);
  JsonObject *d = NULL;
  if (get_json(sh, url, NULL, &d, NULL) < 0) {
    *why = "the provider's discovery document could not be read";
    return -ECONNREFUSED;
  }
  g_autofree char *iss = oidc_claims_text(d, "issuer");
  char *authz = oidc_claims_text(d, "authorization_endpoint");
  char *token = oidc_claims_text(d, "token_endpoint");
  char *jwks = oidc_claims_text(d, "jwks_uri");
  char *info = oidc_claims_text(d, "userinfo_endpoint");
  char *end = oidc_claims_text(d, "end_session_endpoint");
  json_object_unref(d);
  /* The document must be about the issuer we trust (OIDC Discovery 4.3). */
  if (g_strcmp0(iss, sh->issuer) != 0 || !url_ok(authz) || !url_ok(token) || !url_ok(jwks) ||
      (sh->userinfo && !url_ok(info))) {
    g_free(authz), g_free(token), g_free(jwks), g_free(info), g_free(end);
    *why = "the provider's discovery document names another issuer or lacks an endpoint";
    return -ECONNREFUSED;
  }
  g_mutex_lock(&sh->lock);
  g_free(sh->authorization_endpoint), sh->authorization_endpoint = authz;
  g_free(sh->token_endpoint), sh->token_endpoint = token;
  g_free(sh->jwks_uri), sh->jwks_uri = jwks;
  g_free(sh->userinfo_endpoint), sh->userinfo_endpoint = info;
  g_free(sh->end_session_endpoint), sh->end_session_endpoint = url_ok(end) ? end : (g_free(end), NULL);
  sh->discovered_at = g_get_monotonic_time();
  g_mutex_unlock(&sh->lock);
  return 0;
}

/* A copy of field F of SH, taken under the lock. */
static char *locked_dup(Shared *sh, char **f)
{
  g_mutex_lock(&sh->lock);
  char *v = g_strdup(*f);
  g_mutex_unlock(&sh->lock);
  return v;
}

static int fetch_jwks(Shared *sh)
{
  g_autofree char *uri = locked_dup(sh, &sh->jwks_uri);
  JsonObject *o = NULL;
  char *raw = NULL;
  int ret = get_json(sh, uri, NULL, &o, &raw);
  if (ret < 0)
    return ret;
  json_object_unref(o);
  g_mutex_lock(&sh->lock);
  g_free(sh->jwks);
  sh->jwks = raw;
  g_mutex_unlock(&sh->lock);
  log_info("oidc", "fetched the provider's key set");
  return 0;
}

static int redeem(Job *j)
{
  Shared *sh = j->sh;
  const char *why = NULL;
  int ret = discover(sh, &why);
  if (ret < 0) {
    j->why = g_strdup(why);
    return ret;
  }
  g_autofree char *token_ep = locked_dup(sh, &sh->token_endpoint);
  g_autofree char *e_code = g_uri_escape_string(j->code, NULL, FALSE);
  g_autofree char *e_redirect = g_uri_escape_string(sh->redirect_uri, NULL, FALSE);
  g_autofree char *e_client = g_uri_escape_string(sh->client_id, NULL, FALSE);
  g_autofree char *form = g_strdup_printf("grant_type=authorization_code&code=%s&redirect_uri=%s"
                                          "&code_verifier=%s&client_id=%s", e_code, e_redirect,
                                          j->verifier, e_client);
  long status = 0;
  GString *body = NULL;
  bool secret = sh->client_secret && sh->client_secret[0];
  /* client_secret_basic: the id and secret form-encoded, then as Basic credentials (RFC 6749 2.3.1). */
  g_autofree char *e_secret = secret ? g_uri_escape_string(sh->client_secret, NULL, FALSE) : NULL;
  ret = http_call(sh, token_ep, form, secret ? e_client : NULL, e_secret, NULL, &status, &body);
  if (ret < 0) {
    j->why = g_strdup("the provider's token endpoint did not answer");
    return -ECONNREFUSED;
  }
  JsonParser *p = json_parser_new();
  JsonObject *tok = NULL;
  if (json_parser_load_from_data(p, body->str, (gssize)body->len, NULL) &&
      JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
    tok = json_node_get_object(json_parser_get_root(p));
  g_string_free(body, TRUE);
  g_autofree char *error = oidc_claims_text(tok, "error");
  g_autofree char *id_token = oidc_claims_text(tok, "id_token");
  g_autofree char *access = oidc_claims_text(tok, "access_token");
  g_object_unref(p);
  if (status >= 400 && status < 500) {
    /* invalid_grant: the code was used already, has expired, or is not ours. */
    j->why = g_strdup_printf("the provider refused the code (%s)",
                             error && strspn(error, "abcdefghijklmnopqrstuvwxyz_") == strlen(error)
                                 ? error : "error");
    return -EACCES;
  }
  if (status != 200 || !id_token) {
    j->why = g_strdup_printf("the provider's token endpoint answered %ld without an ID token", status);
    return -ECONNREFUSED;
  }

  OidcExpect e = { .issuer = sh->issuer, .client_id = sh->client_id, .nonce = j->nonce,
                   .now = g_get_real_time() / G_USEC_PER_SEC, .skew = sh->skew,
                   .max_age = ID_TOKEN_MAX_AGE };
  g_autofree char *jwks = locked_dup(sh, &sh->jwks);
  bool fetched = false;
  if (!jwks) {
    if (fetch_jwks(sh) < 0) {
      j->why = g_strdup("the provider's key set could not be read");
      return -ECONNREFUSED;
    }
    fetched = true;
    g_free(jwks);
    jwks = locked_dup(sh, &sh->jwks);
  }
  ret = oidc_jwt_verify(id_token, jwks, &e, &j->claims);
  if (ret == -ENOKEY && !fetched) {
    /* The provider may have rotated its keys: one more look, then no more. */
    if (fetch_jwks(sh) < 0) {
      j->why = g_strdup("the provider's key set could not be read");
      return -ECONNREFUSED;
    }
    g_free(jwks);
    jwks = locked_dup(sh, &sh->jwks);
    ret = oidc_jwt_verify(id_token, jwks, &e, &j->claims);
  }
  if (ret < 0) {
    j->why = g_strdup(oidc_jwt_strerror(ret));
    return ret;
  }
  if (sh->userinfo) {
    g_autofree char *info_ep = locked_dup(sh, &sh->userinfo_endpoint);
    JsonObject *info = NULL;
    if (!access || get_json(sh, info_ep, access, &info, NULL) < 0) {
      j->why = g_strdup("the provider's userinfo endpoint did not answer");
      return -ECONNREFUSED;
    }
    ret = oidc_claims_merge(j->claims, info);
    json_object_unref(info);
    if (ret < 0) {
      j->why = g_strdup("the userinfo answer is about another subject");
      return ret;
    }
  }
  return 0;
}

static int endpoints(Job *j)
{
  const char *why = NULL;
  int ret = discover(j->sh, &why);
  if (ret < 0) {
    j->why = g_strdup(why);
    return ret;
  }
  j->ep.authorization_endpoint = locked_dup(j->sh, &j->sh->authorization_endpoint);
  j->ep.end_session_endpoint = locked_dup(j->sh, &j->sh->end_session_endpoint);
  return 0;
}

/* ---- handing results back to the main context --------------------------- */

static gboolean deliver(gpointer data)
{
  Job *j = data;
  if (!g_atomic_int_get(&j->sh->alive))
    return G_SOURCE_REMOVE;
  if (j->kind == JOB_ENDPOINTS)
    ((OidcEndpointsDone)j->done)(j->ret, j->ret == 0 ? &j->ep : NULL, j->why, j->user);
  else
    ((OidcRedeemDone)j->done)(j->ret, j->ret == 0 ? j->claims : NULL, j->why, j->user);
  return G_SOURCE_REMOVE;
}

static void run(gpointer data, gpointer pool_data)
{
  (void)pool_data;
  Job *j = data;
  j->ret = j->kind == JOB_ENDPOINTS ? endpoints(j) : redeem(j);
  if (j->ret < 0 && !j->why)
    j->why = g_strdup("the sign-in could not be completed");
  GSource *src = g_idle_source_new();
  g_source_set_callback(src, deliver, j, (GDestroyNotify)job_free);
  g_source_attach(src, j->main);
  g_source_unref(src);
}

static void submit(OidcClient *c, Job *j)
{
  j->sh = g_atomic_rc_box_acquire(c->sh);
  j->main = g_main_context_ref(c->main);
  g_thread_pool_push(c->pool, j, NULL);
}

/* ---- the client --------------------------------------------------------- */

int oidc_client_new(const OidcSettings *s, OidcClient **out)
{
  if (!s->issuer || !s->issuer[0] || !s->client_id || !s->client_id[0] || !s->redirect_uri ||
      !s->redirect_uri[0])
    return -EINVAL;
  static gsize curl_ready = 0;
  if (g_once_init_enter(&curl_ready))
    g_once_init_leave(&curl_ready, curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 1 : 2);
  OidcClient *c = g_new0(OidcClient, 1);
  Shared *sh = c->sh = g_atomic_rc_box_new0(Shared);
  g_mutex_init(&sh->lock);
  sh->alive = 1;
  sh->issuer = g_strdup(s->issuer);
  sh->client_id = g_strdup(s->client_id);
  sh->client_secret = g_strdup(s->client_secret ? s->client_secret : "");
  sh->redirect_uri = g_strdup(s->redirect_uri);
  sh->userinfo = s->userinfo;
  sh->timeout = s->timeout > 0 ? (long)s->timeout : 10;
  sh->skew = (long)s->skew;
  c->main = g_main_context_ref_thread_default();
  c->pool = g_thread_pool_new(run, NULL, WORKERS, FALSE, NULL);
  *out = c;
  return 0;
}

void oidc_client_free(OidcClient **pc)
{
  OidcClient *c = *pc;
  if (!c)
    return;
  g_atomic_int_set(&c->sh->alive, 0);
  g_thread_pool_free(c->pool, FALSE, TRUE);
  g_main_context_unref(c->main);
  shared_unref(c->sh);
  g_free(c);
  *pc = NULL;
}

void oidc_client_endpoints(OidcClient *c, OidcEndpointsDone done, gpointer user,
                           GDestroyNotify destroy)
{
  Job *j = g_new0(Job, 1);
  j->kind = JOB_ENDPOINTS;
  j->done = (gpointer)done;
  j->user = user;
  j->destroy = destroy;
  submit(c, j);
}

void oidc_client_redeem(OidcClient *c, const char *code, const char *verifier, const char *nonce,
                        OidcRedeemDone done, gpointer user, GDestroyNotify destroy)
{
  Job *j = g_new0(Job, 1);
  j->kind = JOB_REDEEM;
  j->code = g_strdup(code);
  j->verifier = g_strdup(verifier);
  j->nonce = g_strdup(nonce);
  j->done = (gpointer)done;
  j->user = user;
  j->destroy = destroy;
  submit(c, j);
}

int oidc_client_cached_endpoints(OidcClient *c, OidcEndpoints *ep)
{
  Shared *sh = c->sh;
  g_mutex_lock(&sh->lock);
  int ret = sh->discovered_at ? 0 : -ENOENT;
  if (ret == 0) {
    ep->authorization_endpoint = g_strdup(sh->authorization_endpoint);
    ep->end_session_endpoint = g_strdup(sh->end_session_endpoint);
  }
  g_mutex_unlock(&sh->lock);
  return ret;
}

static void add_param(GString *u, const char *name, const char *value)
{
  g_autofree char *e = g_uri_escape_string(value, NULL, FALSE);
  g_string_append_printf(u, "%c%s=%s", strchr(u->str, '?') ? '&' : '?', name, e);
}

char *oidc_client_authorize_url(const OidcClient *c, const OidcEndpoints *ep, const char *scopes,
                                const char *state, const char *nonce, const char *challenge)
{
  GString *u = g_string_new(ep->authorization_endpoint);
  add_param(u, "response_type", "code");
  add_param(u, "client_id", c->sh->client_id);
  add_param(u, "redirect_uri", c->sh->redirect_uri);
  add_param(u, "scope", scopes);
  add_param(u, "state", state);
  add_param(u, "nonce", nonce);
  add_param(u, "code_challenge", challenge);
  add_param(u, "code_challenge_method", "S256");
  return g_string_free(u, FALSE);
}

char *oidc_client_logout_url(const OidcClient *c, const OidcEndpoints *ep, const char *post_logout)
{
  if (!ep->end_session_endpoint)
    return NULL;
  GString *u = g_string_new(ep->end_session_endpoint);
  add_param(u, "client_id", c->sh->client_id);
  add_param(u, "post_logout_redirect_uri", post_logout);
  return g_string_free(u, FALSE);
}
