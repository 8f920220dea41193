/* cli_serve: `lectern serve` — one GMainLoop driving HTTP, with orderly shutdown. */
#include "cli/cli.h"
#include "cli/log_bridge.h"
#include "club/submit_files.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/http_server.h"
#include "http/http_upload.h"
#include "media/event.h"
#include "media/jobs.h"
#include "media/live.h"
#include "media/trash.h"
#include "rtmp/rtmp_server.h"
#include "srt/srt_server.h"
#include "lectern-build.h"

#include <errno.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>

#define DRAIN_TIMEOUT_MS 5000
#define DRAIN_POLL_MS 50

typedef struct {
  GMainLoop *loop;
  HttpServer *http;
  Live *live;
  Jobs *jobs;
  guint trash_id;  /* the sweep that removes deleted videos' files */
  guint uploads_id; /* the sweep that ends idle resumable submission uploads */
  RtmpServer *rtmp;
  SrtServer *srt;
  guint sigint_id, sigterm_id;
  gint64 drain_deadline;
} Serve;

/* Every connection is a descriptor: raise the soft limit toward [http] max_connections (and
 * the hard limit too when allowed), and say so when it stays lower. */
static void raise_fd_limit(gint64 connections)
{
  struct rlimit rl;
  rlim_t want = (rlim_t)connections + 256;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
    return;
  struct rlimit up = { want, MAX(want, rl.rlim_max) };
  if (setrlimit(RLIMIT_NOFILE, &up) < 0) {
    up = (struct rlimit){ MIN(want, rl.rlim_max), rl.rlim_max };
    setrlimit(RLIMIT_NOFILE, &up);
  }
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < want)
    log_warn("serve", "open files are limited to %llu: fewer than [http] max_connections = %" G_GINT64_FORMAT
             " can connect (raise `ulimit -n`)", (unsigned long long)rl.rlim_cur, connections);
}

static gboolean drain_tick(gpointer data)
{
  Serve *sv = data;
  if (http_server_in_flight(sv->http) == 0 || g_get_monotonic_time() >= sv->drain_deadline) {
    g_main_loop_quit(sv->loop);
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean on_signal(gpointer data)
{
  Serve *sv = data;
  log_info("serve", "shutting down: finishing requests in flight (signal again to exit at once)");
  /* The next signal gets the default action: immediate exit. */
  g_source_remove(sv->sigint_id);
  g_source_remove(sv->sigterm_id);
  sv->sigint_id = sv->sigterm_id = 0;
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);

  /* Presenters are dropped now; their lives finish as recordings before exit. */
  rtmp_server_free(&sv->rtmp);
  srt_server_free(&sv->srt);
  http_server_drain(sv->http);
  sv->drain_deadline = g_get_monotonic_time() + DRAIN_TIMEOUT_MS * 1000;
  g_timeout_add(DRAIN_POLL_MS, drain_tick, sv);
  return G_SOURCE_REMOVE;
}

int cli_serve(int argc, char **argv)
{
  CliCommon common = { 0 };
  gint http_port = 0, rtmp_port = 0, srt_port = 0;
  GOptionEntry entries[] = {
    { "http-port", 0, 0, G_OPTION_ARG_INT, &http_port, "HTTP port (overrides [server] http_port)", "PORT" },
    { "rtmp-port", 0, 0, G_OPTION_ARG_INT, &rtmp_port, "RTMP port (overrides [server] rtmp_port)", "PORT" },
    { "srt-port", 0, 0, G_OPTION_ARG_INT, &srt_port, "SRT port (overrides [srt] port)", "PORT" },
    G_OPTION_ENTRY_NULL
  };
  GOptionContext *ctx = g_option_context_new("- run the server");
  g_option_context_add_main_entries(ctx, entries, NULL);
  cli_common_add(ctx, &common);
  Config config = { 0 };
  Db *db = NULL;
  guint8 secret[TOKEN_SECRET_LEN];
  GError *gerr = NULL;
  Serve sv = { 0 };
  char *err = NULL, *rtmp_base = NULL, *srt_base = NULL;
  int status = 1;

  if (!g_option_context_parse(ctx, &argc, &argv, &gerr)) {
    fprintf(stderr, "lectern serve: %s\n", gerr->message);
    goto out;
  }
  if (cli_load_config(&common, &config) < 0)
    goto out;
  if (http_port) {
    char *v = g_strdup_printf("%d", http_port);
    int r = config_set(&config, "--http-port", "server", "http_port", v, &err);
    g_free(v);
    if (r < 0)
      goto bad_flag;
  }
  if (rtmp_port) {
    char *v = g_strdup_printf("%d", rtmp_port);
    int r = config_set(&config, "--rtmp-port", "server", "rtmp_port", v, &err);
    g_free(v);
    if (r < 0)
      goto bad_flag;
  }

  if (srt_port) {
    char *v = g_strdup_printf("%d", srt_port);
    int r = config_set(&config, "--srt-port", "srt", "port", v, &err);
    g_free(v);
    if (r < 0)
      goto bad_flag;
  }

  gst_init(NULL, NULL);
  log_bridge_install();
  metrics_init();
  signal(SIGPIPE, SIG_IGN);
  raise_fd_limit(config.max_connections);

  if (cli_open_store(&config, &db, secret) < 0)
    goto out;

  sv.loop = g_main_loop_new(NULL, FALSE);
  int ret = http_server_start(&config, db, secret, sv.loop, &sv.http, &err);
  if (ret < 0) {
    fprintf(stderr, "lectern: %s\n", err);
    goto out;
  }
  ret = live_new(db, &config, secret, &sv.live, &err);
  if (ret < 0) {
    fprintf(stderr, "lectern: %s\n", err);
    goto out;
  }
  sv.jobs = jobs_new(db, &config);
  http_upload_sweep(config.data_dir);
  sv.trash_id = trash_watch(db, &config);
  sv.uploads_id = submit_files_watch(db, &config);
  RtmpServerOptions ropt = {
    .host = config.rtmp_host,
    .port = (int)config.rtmp_port,
    .app = config.rtmp_app,
    .max_connections = (int)config.rtmp_max_connections,
    .max_connections_per_address = (int)config.rtmp_max_connections_per_address,
    .handshake_timeout = (int)config.rtmp_handshake_timeout,
    .idle_timeout = (int)config.rtmp_idle_timeout,
    .read_batch_ms = (int)config.ingest_batch_ms,
  };
  RtmpPublishHandler handler = live_rtmp_handler(sv.live);
  ret = rtmp_server_start(&ropt, &handler, &sv.rtmp, &err);
  if (ret < 0) {
    fprintf(stderr, "lectern: %s\n", err);
    goto out;
  }
  if (config.srt_port > 0) {
    SrtServerOptions sopt = {
      .host = config.srt_host,
      .port = (int)config.srt_port,
      .passphrase = config.srt_passphrase,
      .latency_ms = (int)config.srt_latency,
      .max_connections = (int)config.srt_max_connections,
      .read_batch_ms = (int)config.ingest_batch_ms,
    };
    ret = srt_server_start(&sopt, &handler, &sv.srt, &err);
    if (ret < 0) {
      fprintf(stderr, "lectern: %s\n", err);
      goto out;
    }
  }
  sv.sigint_id = g_unix_signal_add(SIGINT, on_signal, &sv);
  sv.sigterm_id = g_unix_signal_add(SIGTERM, on_signal, &sv);

  int port = http_server_port(sv.http);
  rtmp_base = event_rtmp_base(&config);
  printf("lectern %s is serving (data in %s)\n"
         "  web:      http://%s:%d/\n"
         "  api:      http://%s:%d/api/v1\n"
         "  health:   http://%s:%d/healthz\n"
         "  metrics:  http://%s:%d/metrics\n"
         "  rtmp:     %s/<stream key>\n",
         LECTERN_VERSION, config.data_dir, config.http_host, port, config.http_host, port,
         config.http_host, port, config.http_host, port, rtmp_base);
  srt_base = event_srt_url(&config, NULL);
  if (srt_base)
    printf("  srt:      %s?streamid=<stream key>\n", srt_base);
  fflush(stdout);
  log_info("serve", "ready (pid %d)", (int)getpid());

  g_main_loop_run(sv.loop);

  log_info("serve", "stopped accepting; closing connections and the database");
  status = 0;
  goto out;

bad_flag:
  fprintf(stderr, "lectern: %s\n", err);
out:
  if (sv.sigint_id)
    g_source_remove(sv.sigint_id);
  if (sv.sigterm_id)
    g_source_remove(sv.sigterm_id);
  if (sv.trash_id)
    g_source_remove(sv.trash_id);
  if (sv.uploads_id)
    g_source_remove(sv.uploads_id);
  rtmp_server_free(&sv.rtmp);
  srt_server_free(&sv.srt);
  live_free(&sv.live, 15000);
  jobs_free(&sv.jobs);
  http_server_free(&sv.http);
  if (sv.loop)
    g_main_loop_unref(sv.loop);
  db_close(&db);
  if (status == 0)
    log_info("serve", "bye");
  g_free(err);
  g_free(rtmp_base);
  g_free(srt_base);
  g_clear_error(&gerr);
  config_clear(&config);
  cli_common_clear(&common);
  g_option_context_free(ctx);
  return status;
}
