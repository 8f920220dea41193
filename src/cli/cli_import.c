/* cli_import: `lectern import FILE --title T [--wait]` — bring a recorded lesson in. */
#include "cli/cli.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_job.h"
#include "db/db_video.h"
#include "media/jobs.h"
#include "media/probe.h"

#include <errno.h>
#include <gio/gio.h>
#include <gst/gst.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void show_progress(double p, double eta, bool tty, int *last_tenth)
{
  if (tty) {
    int filled = (int)(p * 30);
    char bar[31];
    memset(bar, '#', (size_t)filled);
    memset(bar + filled, '.', (size_t)(30 - filled));
    bar[30] = '\0';
    if (eta >= 0)
      fprintf(stderr, "\rimport [%s] %3.0f%%  about %.0f s left ", bar, p * 100, eta);
    else
      fprintf(stderr, "\rimport [%s] %3.0f%%                ", bar, p * 100);
  } else if ((int)(p * 10) > *last_tenth) {
    *last_tenth = (int)(p * 10);
    fprintf(stderr, "import: %.0f%%\n", p * 100);
  }
}

typedef struct {
  GMainLoop *loop;
  JobRun *run;
  bool tty;
  int tenth;
  gint64 started;
} Wait;

static void on_run_done(JobRun *run, const char *state, void *user)
{
  (void)run;
  (void)state;
  g_main_loop_quit(((Wait *)user)->loop);
}

static gboolean on_progress(gpointer user)
{
  Wait *w = user;
  double p = job_run_progress(w->run);
  double elapsed = (g_get_monotonic_time() - w->started) / 1e6;
  show_progress(p, p > 0.01 ? elapsed * (1 - p) / p : -1, w->tty, &w->tenth);
  return G_SOURCE_CONTINUE;
}

/* Waits for JOB: runs it here, or follows the server running it. */
static void wait_for(Db *db, const Config *config, const char *job_id)
{
  bool tty = isatty(STDERR_FILENO);
  JobRow row;
  if (db_job_claim(db, job_id, (int)getpid(), &row) == 0) {
    gst_init(NULL, NULL);
    Wait w = {g_main_loop_new(NULL, FALSE), NULL, tty, -1, g_get_monotonic_time()};
    w.run = job_run_start(db, config, &row, on_run_done, &w);
    db_job_row_clear(&row);
    if (w.run) {
      guint t = g_timeout_add(250, on_progress, &w);
      g_main_loop_run(w.loop);
      g_source_remove(t);
      show_progress(1, 0, tty, &w.tenth);
      job_run_free(&w.run);
    }
    g_main_loop_unref(w.loop);
  } else {
    /* A running server claimed it first: follow its progress. */
    int tenth = -1;
    for (;;) {
      JobRow j;
      if (db_job_get(db, job_id, &j) < 0)
        break;
      bool ended = strcmp(j.state, "queued") != 0 && strcmp(j.state, "running") != 0;
      show_progress(j.progress, -1, tty, &tenth);
      db_job_row_clear(&j);
      if (ended)
        break;
      g_usleep(500 * 1000);
    }
  }
  if (tty)
    fputc('\n', stderr);
}

int cli_import(int argc, char **argv)
{
  CliRun run = {0};
  char *title = NULL, *presenter = NULL, *kind = NULL;
  gboolean wait = FALSE;
  GOptionEntry entries[] = {
    {"title", 0, 0, G_OPTION_ARG_STRING, &title, "Lesson title (1-200 characters)", "T"},
    {"presenter", 0, 0, G_OPTION_ARG_STRING, &presenter, "Presenter's name", "P"},
    {"kind", 0, 0, G_OPTION_ARG_STRING, &kind, "model-worker, volunteer, teacher or other", "K"},
    {"wait", 0, 0, G_OPTION_ARG_NONE, &wait, "Transcode now and show progress, then print the video", NULL},
    G_OPTION_ENTRY_NULL};
  GError *gerr = NULL;
  char *vid = NULL, *jid = NULL, *dir = NULL, *why = NULL, *rel = NULL, *dest = NULL;
  int status = 1;

  if (cli_run_parse(&run, "FILE - import a recorded lesson (queued for transcoding)", entries, &argc, &argv) < 0)
    goto out;
  if (argc != 2 || !title) {
    cli_print_error("usage", "import needs one FILE and --title T");
    goto out;
  }
  const char *file = argv[1];
  if (!g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
    cli_print_error("not_found", "%s: no such file", file);
    goto out;
  }
  if (cli_run_open(&run) < 0)
    goto out;
  Db *db = run.db;
  const Config *config = &run.config;
  int rc = db_video_create_upload(db, title, presenter, kind, NULL, &vid);
  if (rc == -EINVAL) {
    cli_print_error("invalid_field", "--title must be 1-200 characters and --kind one of "
                                     "model-worker, volunteer, teacher, other");
    goto out;
  }
  if (rc < 0) {
    cli_print_error("internal", "could not create the video: %s", g_strerror(-rc));
    goto out;
  }

  /* The upload is stored under the data dir; the job works from that copy. */
  rel = jobs_upload_path(vid, file);
  dir = g_build_filename(config->data_dir, "uploads", vid, NULL);
  dest = g_build_filename(config->data_dir, rel, NULL);
  g_mkdir_with_parents(dir, 0755);
  GFile *from = g_file_new_for_path(file), *to = g_file_new_for_path(dest);
  gboolean copied = g_file_copy(from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &gerr);
  g_object_unref(from);
  g_object_unref(to);
  if (!copied) {
    why = g_strdup_printf("cannot store the file: %s", gerr->message);
  } else {
    ProbeLimits lim = {config->vod_max_file_size, (double)config->vod_max_duration, (int)config->vod_max_width,
                       (int)config->vod_max_height};
    ProbeInfo info;
    probe_file(dest, &lim, &info, &why);
  }
  if (why) {
    /* Refused: nothing half-made stays, the video says why. */
    util_rmtree(dir);
    db_video_set_state(db, vid, "processing", "failed", "import refused", why);
    JsonNode *node = db_video_json(db, vid, &rc);
    if (node)
      cli_print_json(node);
    fprintf(stderr, "lectern: %s: refused: %s\n", file, why);
    goto out;
  }
  rc = db_job_create(db, vid, rel, &jid);
  if (rc < 0) {
    util_rmtree(dir);
    db_video_set_state(db, vid, "processing", "failed", "import refused", "could not queue the job");
    cli_print_error("internal", "could not queue the transcode: %s", g_strerror(-rc));
    goto out;
  }
  if (wait)
    wait_for(db, config, jid);
  JsonNode *node = db_video_json(db, vid, &rc);
  if (!node) {
    cli_print_error("internal", "the video is gone");
    goto out;
  }
  JsonObject *o = json_node_get_object(node);
  json_object_set_string_member(o, "job_id", jid);
  bool ok = !wait || g_strcmp0(json_object_get_string_member(o, "state"), "ready") == 0;
  if (!ok)
    fprintf(stderr, "lectern: import failed: %s\n",
                    json_object_get_string_member_with_default(o, "failure_reason", "unknown reason"));
  cli_print_json(node);
  status = ok ? 0 : 1;
out:
  g_clear_error(&gerr);
  cli_run_clear(&run);
  g_free(title);
  g_free(presenter);
  g_free(kind);
  g_free(vid);
  g_free(jid);
  g_free(dir);
  g_free(why);
  g_free(rel);
  g_free(dest);
  return status;
}
