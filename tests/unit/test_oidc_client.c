/* Tests for src/auth/oidc_client.c: the provider's endpoints read from a discovery document
 * served here (another issuer's document refused), answers handed back on the main context,
 * a provider that is down, and the authorization and logout URLs. */
#include "auth/oidc_client.h"
#include "testutil.h"

#include <check.h>
#include <errno.h>
#include <gio/gio.h>
#include <string.h>

static char *doc;          /* what the little provider answers, {ISSUER} replaced */
static int port;
static GMainLoop *loop;
static int result;
static char *why_got, *authz_got, *end_got;

/* One HTTP exchange per connection: the discovery document, whatever was asked. */
static gboolean serve(GThreadedSocketService *svc, GSocketConnection *conn, GObject *src, gpointer user)
{
  (void)svc, (void)src, (void)user;
  GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
  char buf[4096];
  gssize n = g_input_stream_read(in, buf, sizeof buf - 1, NULL, NULL);
  (void)n;
  g_autofree char *issuer = g_strdup_printf("http://127.0.0.1:%d", port);
  g_auto(GStrv) parts = g_strsplit(doc, "{ISSUER}", -1);
  g_autofree char *body = g_strjoinv(issuer, parts);
  g_autofree char *resp = g_strdup_printf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                          "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(body), body);
  g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)), resp, strlen(resp), NULL, NULL, NULL);
  return TRUE;
}

static void on_endpoints(int ret, const OidcEndpoints *ep, const char *why, gpointer user)
{
  ck_assert_ptr_eq(user, &result);
  ck_assert(g_main_context_is_owner(g_main_context_default())); /* on the main context */
  result = ret;
  why_got = g_strdup(why);
  if (ep) {
    authz_got = g_strdup(ep->authorization_endpoint);
    end_got = g_strdup(ep->end_session_endpoint);
  }
  g_main_loop_quit(loop);
}

static void on_redeem(int ret, JsonObject *claims, const char *why, gpointer user)
{
  (void)user;
  ck_assert_ptr_null(claims);
  result = ret;
  why_got = g_strdup(why);
  g_main_loop_quit(loop);
}

static int destroyed;
static void on_destroy(gpointer p) { (void)p; destroyed++; }

static OidcClient *client_for(int p)
{
  g_autofree char *issuer = g_strdup_printf("http://127.0.0.1:%d", p);
  OidcSettings s = { .issuer = issuer, .client_id = "lectern", .client_secret = "s",
                     .redirect_uri = "https://lecture.example/api/v1/oidc/callback", .timeout = 5 };
  OidcClient *c = NULL;
  ck_assert_int_eq(oidc_client_new(&s, &c), 0);
  return c;
}

static void reset(void)
{
  result = 1;
  g_clear_pointer(&why_got, g_free);
  g_clear_pointer(&authz_got, g_free);
  g_clear_pointer(&end_got, g_free);
}

START_TEST(discovery)
{
  loop = g_main_loop_new(NULL, FALSE);
  GSocketService *svc = g_threaded_socket_service_new(2);
  g_signal_connect(svc, "run", G_CALLBACK(serve), NULL);
  port = g_socket_listener_add_any_inet_port(G_SOCKET_LISTENER(svc), NULL, NULL);
  g_socket_service_start(svc);
  /* GSocketListener binds every address; the client goes to 127.0.0.1. */

  doc = "{\"issuer\":\"https://someone-else.example\",\"authorization_endpoint\":\"{ISSUER}/auth\","
        "\"token_endpoint\":\"{ISSUER}/token\",\"jwks_uri\":\"{ISSUER}/jwks\"}";
  OidcClient *c = client_for(port);
  reset();
  destroyed = 0;
  oidc_client_endpoints(c, on_endpoints, &result, on_destroy);
  g_main_loop_run(loop);
  ck_assert_int_eq(result, -ECONNREFUSED);
  ck_assert_ptr_nonnull(strstr(why_got, "another issuer"));
  OidcEndpoints ep = { 0 };
  ck_assert_int_eq(oidc_client_cached_endpoints(c, &ep), -ENOENT);
  oidc_client_free(&c);
  ck_assert_int_eq(destroyed, 1);

  doc = "{\"issuer\":\"{ISSUER}\",\"authorization_endpoint\":\"{ISSUER}/auth\","
        "\"token_endpoint\":\"{ISSUER}/token\",\"jwks_uri\":\"{ISSUER}/jwks\","
        "\"end_session_endpoint\":\"{ISSUER}/logout\"}";
  c = client_for(port);
  reset();
  oidc_client_endpoints(c, on_endpoints, &result, NULL);
  g_main_loop_run(loop);
  ck_assert_int_eq(result, 0);
  g_autofree char *want = g_strdup_printf("http://127.0.0.1:%d/auth", port);
  ck_assert_str_eq(authz_got, want);
  ck_assert_int_eq(oidc_client_cached_endpoints(c, &ep), 0);
  g_autofree char *url = oidc_client_authorize_url(c, &ep, "openid profile", "st", "no", "ch");
  g_autofree char *want_url = g_strdup_printf(
      "http://127.0.0.1:%d/auth?response_type=code&client_id=lectern&redirect_uri=https%%3A%%2F%%2Flecture."
      "example%%2Fapi%%2Fv1%%2Foidc%%2Fcallback&scope=openid%%20profile&state=st&nonce=no&code_challenge=ch"
      "&code_challenge_method=S256", port);
  ck_assert_str_eq(url, want_url);
  g_autofree char *out = oidc_client_logout_url(c, &ep, "https://lecture.example/signin.html");
  ck_assert(g_str_has_suffix(out, "/logout?client_id=lectern&post_logout_redirect_uri=https%3A%2F%2Flecture.example%2Fsignin.html"));
  oidc_endpoints_clear(&ep);
  oidc_client_free(&c);

  g_socket_service_stop(svc);
  g_socket_listener_close(G_SOCKET_LISTENER(svc));
  g_object_unref(svc);
  g_main_loop_unref(loop);
  reset();
}
END_TEST

START_TEST(provider_down)
{
  loop = g_main_loop_new(NULL, FALSE);
  /* A port nobody listens on: bound, then closed. */
  GSocketListener *l = g_socket_listener_new();
  int p = g_socket_listener_add_any_inet_port(l, NULL, NULL);
  g_socket_listener_close(l);
  g_object_unref(l);
  OidcClient *c = client_for(p);
  reset();
  oidc_client_redeem(c, "code", "verifier", "nonce", on_redeem, NULL, NULL);
  g_main_loop_run(loop);
  ck_assert_int_eq(result, -ECONNREFUSED);
  ck_assert_ptr_nonnull(why_got);
  oidc_client_free(&c);
  g_main_loop_unref(loop);
  reset();
}
END_TEST

START_TEST(settings_are_required)
{
  OidcClient *c = NULL;
  OidcSettings s = { .issuer = "https://id.example", .client_id = "", .redirect_uri = "https://x/cb" };
  ck_assert_int_eq(oidc_client_new(&s, &c), -EINVAL);
  s.client_id = "lectern";
  s.redirect_uri = NULL;
  ck_assert_int_eq(oidc_client_new(&s, &c), -EINVAL);
  ck_assert_ptr_null(c);
  oidc_client_free(&c); /* NULL is fine */
}
END_TEST

static Suite *oidc_client_suite(void)
{
  Suite *s = suite_create("oidc_client");
  TCase *tc = tcase_create("oidc_client");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, discovery);
  tcase_add_test(tc, provider_down);
  tcase_add_test(tc, settings_are_required);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(oidc_client_suite)
