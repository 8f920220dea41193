/* Tests for src/srt/srt_server.c: a libsrt caller in this process publishing to the listener.
 * The key is refused inside the handshake (the caller's connect fails, publish() is never
 * called); an accepted one reaches publish() once, its TS arrives as FLV tags, and its end is
 * a drop; a passphrase set on the server refuses callers without it before any publish. */
#include "srt/srt_server.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <srt/srt.h>
#include <string.h>

typedef struct {
  int checks, publishes, unpublishes, tags, video_tags;
  char *key;
  bool clean;
} Fake;

static int fake_check(void *user, const char *key, const char **code, char **reason)
{
  Fake *f = user;
  f->checks++;
  if (strcmp(key, "good-key") != 0) {
    *reason = g_strdup("unknown stream key");
    return -EACCES;
  }
  return 0;
}

static void *fake_publish(void *user, const char *app, const char *key, const char *peer,
                          const char **code, char **reason)
{
  Fake *f = user;
  f->publishes++;
  g_free(f->key);
  f->key = g_strdup(key);
  return f;
}

static void fake_media(void *user, void *pub, uint8_t type, uint32_t ts, const uint8_t *data, size_t len)
{
  Fake *f = user;
  ck_assert_ptr_eq(pub, f);
  f->tags++;
  f->video_tags += type == 9;
}

static void fake_unpublish(void *user, void *pub, bool clean)
{
  Fake *f = user;
  f->unpublishes++;
  f->clean = clean;
}

typedef struct {
  int port;
  const char *sid, *pass;
  GBytes *payload;
  gint done;
  int connected;
} Call;

static gpointer caller(gpointer p)
{
  Call *c = p;
  SRTSOCKET s = srt_create_socket();
  srt_setsockflag(s, SRTO_STREAMID, c->sid, (int)strlen(c->sid));
  if (c->pass)
    srt_setsockflag(s, SRTO_PASSPHRASE, c->pass, (int)strlen(c->pass));
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)c->port)};
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  c->connected = srt_connect(s, (struct sockaddr *)&sa, sizeof sa) != SRT_ERROR;
  if (c->connected && c->payload) {
    gsize len;
    const char *d = g_bytes_get_data(c->payload, &len);
    for (gsize off = 0; off < len; off += 1316) {
      srt_sendmsg2(s, d + off, (int)MIN(1316, len - off), NULL);
      g_usleep(200);
    }
    g_usleep(500 * 1000);
  }
  srt_close(s);
  g_atomic_int_set(&c->done, 1);
  return NULL;
}

/* Runs the main loop while CALL connects (the key check is answered there), then until
 * UNTIL() holds or 10 s pass. */
static void run_call(Call *call, Fake *f, int unpublishes)
{
  GThread *t = g_thread_new("caller", caller, call);
  gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
  while ((!g_atomic_int_get(&call->done) || f->unpublishes < unpublishes) && g_get_monotonic_time() < end) {
    if (!g_main_context_iteration(NULL, FALSE))
      g_usleep(1000);
  }
  g_thread_join(t);
}

static GBytes *make_ts_file(void)
{
  char *dir = tu_tmpdir();
  char *path = g_build_filename(dir, "in.ts", NULL);
  const char *argv[] = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=320x240:rate=30:duration=2", "-c:v", "libx264", "-preset", "ultrafast",
                        "-g", "30", "-pix_fmt", "yuv420p", "-f", "mpegts", path, NULL};
  int status = -1;
  gchar *data = NULL;
  gsize len = 0;
  GBytes *b = NULL;
  if (g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL) &&
      g_spawn_check_wait_status(status, NULL) && g_file_get_contents(path, &data, &len, NULL))
    b = g_bytes_new_take(data, len);
  g_free(path);
  tu_rmtree(dir);
  g_free(dir);
  return b;
}

static SrtServer *start(Fake *f, const char *pass)
{
  RtmpPublishHandler h = {fake_publish, fake_media, fake_unpublish, f, NULL, fake_check};
  SrtServerOptions o = {"127.0.0.1", 0, pass, 120, 4, 0};
  SrtServer *srv = NULL;
  char *err = NULL;
  ck_assert_int_eq(srt_server_start(&o, &h, &srv, &err), 0);
  ck_assert_int_gt(srt_server_port(srv), 0);
  return srv;
}

START_TEST(key_checked_in_the_handshake)
{
  Fake f = {0};
  SrtServer *srv = start(&f, NULL);
  Call bad = {srt_server_port(srv), "wrong-key", NULL, NULL, 0, 0};
  run_call(&bad, &f, 0);
  ck_assert(!bad.connected);
  ck_assert_int_eq(f.checks, 1);
  ck_assert_int_eq(f.publishes, 0);
  ck_assert_uint_eq(srt_server_refused(srv), 1);
  Call play = {srt_server_port(srv), "#!::r=live/good-key,m=request", NULL, NULL, 0, 0};
  run_call(&play, &f, 0);
  ck_assert(!play.connected);
  ck_assert_int_eq(f.checks, 1); /* refused before the key was looked at */

  GBytes *ts = make_ts_file();
  if (!ts) {
    fprintf(stderr, "# SKIP (publish): ffmpeg with libx264 is not available\n");
    srt_server_free(&srv);
    return;
  }
  Call good = {srt_server_port(srv), "#!::r=live/good-key,m=publish", NULL, ts, 0, 0};
  run_call(&good, &f, 1);
  ck_assert(good.connected);
  ck_assert_int_eq(f.publishes, 1);
  ck_assert_str_eq(f.key, "good-key");
  ck_assert_int_ge(f.video_tags, 50); /* the AVC header and most of 60 frames (the last may wait) */
  ck_assert_int_eq(f.unpublishes, 1);
  ck_assert(!f.clean); /* SRT has no unpublish: every end is a drop */
  ck_assert_int_eq(srt_server_connections(srv), 0);
  srt_server_free(&srv);
  g_bytes_unref(ts);
  g_free(f.key);
}
END_TEST

START_TEST(passphrase_refuses_before_publish)
{
  Fake f = {0};
  SrtServer *srv = start(&f, "correct horse battery");
  Call none = {srt_server_port(srv), "good-key", NULL, NULL, 0, 0};
  run_call(&none, &f, 0);
  Call wrong = {srt_server_port(srv), "good-key", "wrong passphrase!", NULL, 0, 0};
  run_call(&wrong, &f, 0);
  ck_assert(!none.connected);
  ck_assert(!wrong.connected);
  /* let a pending handshake time out, were one left behind */
  for (int i = 0; i < 50; i++) {
    g_main_context_iteration(NULL, FALSE);
    g_usleep(2000);
  }
  ck_assert_int_eq(f.publishes, 0);
  GBytes *ts = make_ts_file();
  if (!ts) {
    fprintf(stderr, "# SKIP (publish): ffmpeg with libx264 is not available\n");
    srt_server_free(&srv);
    return;
  }
  Call right = {srt_server_port(srv), "good-key", "correct horse battery", ts, 0, 0};
  run_call(&right, &f, 1);
  ck_assert(right.connected);
  ck_assert_int_eq(f.publishes, 1);
  ck_assert_int_eq(f.unpublishes, 1);
  ck_assert_int_ge(f.video_tags, 50);
  srt_server_free(&srv);
  g_bytes_unref(ts);
  g_free(f.key);
}
END_TEST

START_TEST(bad_options_are_refused)
{
  Fake f = {0};
  RtmpPublishHandler h = {fake_publish, fake_media, fake_unpublish, &f, NULL, fake_check};
  SrtServer *srv = NULL;
  char *err = NULL;
  SrtServerOptions o = {"not-an-address", 0, NULL, 120, 4, 0};
  ck_assert_int_eq(srt_server_start(&o, &h, &srv, &err), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "not an IP address"));
  g_free(err);
  SrtServerOptions shortpass = {"127.0.0.1", 0, "short", 120, 4, 0};
  ck_assert_int_eq(srt_server_start(&shortpass, &h, &srv, &err), -EINVAL);
  g_free(err);
  ck_assert_ptr_null(srv);
}
END_TEST

START_TEST(streamid_forms)
{
  char *k = NULL;
  ck_assert_int_eq(srt_streamid_key("abc123", &k), 0);
  ck_assert_str_eq(k, "abc123");
  g_free(k);
  ck_assert_int_eq(srt_streamid_key("#!::r=live/abc123,m=publish", &k), 0);
  ck_assert_str_eq(k, "abc123");
  g_free(k);
  ck_assert_int_eq(srt_streamid_key("#!::m=publish,r=abc", &k), 0);
  ck_assert_str_eq(k, "abc");
  g_free(k);
  ck_assert_int_eq(srt_streamid_key("#!::r=abc,m=request", &k), -EPERM);
  ck_assert_int_eq(srt_streamid_key("#!::m=publish", &k), -EINVAL);
  ck_assert_int_eq(srt_streamid_key("", &k), -EINVAL);
  ck_assert_int_eq(srt_streamid_key(NULL, &k), -EINVAL);
  ck_assert_int_eq(srt_streamid_key("live/", &k), -EINVAL);
  ck_assert_int_eq(srt_streamid_key("a key", &k), -EINVAL);
  ck_assert_ptr_null(k);
}
END_TEST

static Suite *srt_server_suite(void)
{
  Suite *s = suite_create("srt_server");
  TCase *tc = tcase_create("srt_server");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, key_checked_in_the_handshake);
  tcase_add_test(tc, passphrase_refuses_before_publish);
  tcase_add_test(tc, bad_options_are_refused);
  tcase_add_test(tc, streamid_forms);
  suite_add_tcase(s, tc);
  return s;
}

TU_MAIN(srt_server_suite)
