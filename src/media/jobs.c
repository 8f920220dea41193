/* jobs: runs queued transcodes of imports — one at a time in the CLI, a pool in the server. */
#include "media/jobs.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db_video.h"
#include "media/ladder.h"
#include "media/probe.h"
#include "media/vod.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#define SUB "jobs"

struct JobRun {
  Db *db;
  const Config *cfg;
  char *id, *video_id, *source, *out_dir;
  VodJob *vod;
  guint tick;
  gint64 started_us;
  JobRunDone done;
  void *user;
  bool ended;
  struct ProbeReq *probe;   /* while the probe runs */
  bool cancel_pending;      /* cancelled while probing: finish when it answers */
};

/* The job ends with STATE; the video follows (ready, or failed with REASON). */
static void run_end(JobRun *run, const char *state, const char *reason)
{
  run->ended = true;
  if (run->tick) {
    g_source_remove(run->tick);
    run->tick = 0;
  }
  if (strcmp(state, "done") != 0) {
    util_rmtree(run->out_dir);
    db_video_set_state(run->db, run->video_id, NULL, "failed",
                       strcmp(state, "cancelled") == 0 ? "import cancelled" : "import failed", reason);
    log_warn(SUB, "job %s (video %s) %s: %s", run->id, run->video_id, state, reason);
  } else {
    db_video_set_state(run->db, run->video_id, "processing", "ready", "import transcoded", NULL);
    log_info(SUB, "job %s (video %s) done", run->id, run->video_id);
  }
  db_job_end(run->db, run->id, state, strcmp(state, "done") ? reason : NULL);
  run->done(run, state, run->user);
}

/* The job was cancelled in the database: stop, remove partial files, report. */
static void cancelled(JobRun *run)
{
  if (run->tick) {
    g_source_remove(run->tick);
    run->tick = 0;
  }
  run->ended = true;
  vod_free(&run->vod);
  util_rmtree(run->out_dir);
  log_info(SUB, "job %s (video %s) cancelled", run->id, run->video_id);
  run->done(run, "cancelled", run->user);
}

static gboolean on_tick(gpointer user)
{
  JobRun *run = user;
  JobRow row;
  if (db_job_get(run->db, run->id, &row) == 0 && strcmp(row.state, "cancelled") == 0) {
    /* Cancelled through the API (jobs_cancel): stop and clean up here, or once the probe
     * has answered. */
    db_job_row_clear(&row);
    if (run->probe) {
      run->cancel_pending = true;
      return G_SOURCE_CONTINUE;
    }
    run->tick = 0;
    cancelled(run);
    return G_SOURCE_REMOVE;
  }
  db_job_row_clear(&row);
  double p = vod_progress(run->vod);
  double elapsed = (g_get_monotonic_time() - run->started_us) / 1e6;
  double eta = p > 0.01 ? elapsed * (1 - p) / p : -1;
  db_job_progress(run->db, run->id, p, eta);
  return G_SOURCE_CONTINUE;
}

static void on_vod_done(const char *error, const VodResult *res, void *user)
{
  JobRun *run = user;
  if (error) {
    run_end(run, "failed", error);
    return;
  }
  for (int i = 0; i < res->renditions; i++) {
    const VodRendition *r = &res->r[i];
    g_autofree char *playlist = g_strdup_printf("%s/index.m3u8", r->name);
    RenditionRow row = {r->name, r->width, r->height, (gint64)r->peak, (gint64)r->average, r->codecs,
                        r->fps, playlist};
    db_rendition_put(run->db, run->video_id, &row);
  }
  db_video_set_media(run->db, run->video_id, (gint64)llround(res->duration * 1000),
                     res->poster ? "poster.jpg" : NULL);
  run_end(run, "done", NULL);
}

/* The probe runs in a worker thread (a long file is read to its end; the main loop carries
 * lives). It owns copies of what it needs; RUN is cleared if the run is freed meanwhile. */
typedef struct ProbeReq {
  JobRun *run;
  char *source;
  ProbeLimits limits;
  ProbeInfo info;
  char *error;
} ProbeReq;

static void probe_in_thread(GTask *task, gpointer obj, gpointer data, GCancellable *c)
{
  (void)obj;
  (void)c;
  ProbeReq *req = data;
  probe_file(req->source, &req->limits, &req->info, &req->error);
  g_task_return_boolean(task, TRUE);
}

static void probe_req_free(gpointer p)
{
  ProbeReq *req = p;
  g_free(req->source);
  g_free(req->error);
  g_free(req);
}

/* Main loop: the probe has answered; start the transcode or end the job. */
static void on_probed(GObject *obj, GAsyncResult *res, gpointer data)
{
  (void)obj;
  (void)res;
  ProbeReq *req = data;
  JobRun *run = req->run;
  if (run) {
    run->probe = NULL;
    char *err = req->error ? g_strdup(req->error) : NULL;
    Ladder spec;
    if (run->cancel_pending) {
      cancelled(run);
    } else if (!err && ladder_parse(run->cfg->live_ladder, &spec, &err) == 0 &&
               (run->vod = vod_start(run->source, &req->info, run->out_dir, run->cfg, &spec, on_vod_done,
                                     run, &err))) {
      g_autofree char *json = probe_info_json(&req->info);
      log_info(SUB, "job %s (video %s) transcoding: %s", run->id, run->video_id, json);
    } else {
      run_end(run, "failed", err ? err : "the transcode could not start");
    }
    g_free(err);
  }
  probe_req_free(req); /* (no run: it was freed meanwhile, the server shutting down) */
}

JobRun *job_run_start(Db *db, const Config *cfg, const JobRow *row, JobRunDone done, void *user)
{
  JobRun *run = g_new0(JobRun, 1);
  run->db = db;
  run->cfg = cfg;
  run->id = g_strdup(row->id);
  run->video_id = g_strdup(row->video_id);
  run->source = g_build_filename(cfg->data_dir, row->source, NULL);
  g_autofree char *media = config_media_dir(cfg);
  run->out_dir = g_build_filename(media, row->video_id, NULL);
  run->done = done;
  run->user = user;
  run->started_us = g_get_monotonic_time();
  log_info(SUB, "job %s (video %s) started, attempt %d", run->id, run->video_id, row->attempts);

  /* A restarted job begins afresh: nothing of an earlier attempt stays. */
  util_rmtree(run->out_dir);
  g_mkdir_with_parents(run->out_dir, 0755);

  ProbeReq *req = g_new0(ProbeReq, 1);
  req->run = run;
  req->source = g_strdup(run->source);
  req->limits = (ProbeLimits){cfg->vod_max_file_size, (double)cfg->vod_max_duration, (int)cfg->vod_max_width,
                              (int)cfg->vod_max_height};
  run->probe = req;
  GTask *task = g_task_new(NULL, NULL, on_probed, req);
  g_task_set_task_data(task, req, NULL);
  g_task_run_in_thread(task, probe_in_thread);
  g_object_unref(task);
  run->tick = g_timeout_add_seconds(1, on_tick, run);
  return run;
}

double job_run_progress(JobRun *run) { return run->ended ? 1 : vod_progress(run->vod); }
const char *job_run_id(JobRun *run) { return run->id; }

void job_run_free(JobRun **prun)
{
  JobRun *run = *prun;
  if (!run)
    return;
  if (run->tick)
    g_source_remove(run->tick);
  if (run->probe)
    run->probe->run = NULL; /* its answer will find no run */
  vod_free(&run->vod);
  g_free(run->id);
  g_free(run->video_id);
  g_free(run->source);
  g_free(run->out_dir);
  g_free(run);
  *prun = NULL;
}

/* ---- the server's pool ---------------------------------------------------------------- */

struct Jobs {
  Db *db;
  const Config *cfg;
  GPtrArray *running;   /* JobRun* */
  guint poll;
};

static gboolean free_later(gpointer run)
{
  job_run_free((JobRun **)&run);
  return G_SOURCE_REMOVE;
}

static void on_run_done(JobRun *run, const char *state, void *user)
{
  (void)state;
  Jobs *jobs = user;
  g_ptr_array_remove(jobs->running, run);
  g_idle_add(free_later, run); /* not from inside the run's own callback */
}

static gboolean kick(gpointer user)
{
  Jobs *jobs = user;
  while (jobs->running->len < (guint)jobs->cfg->vod_jobs) {
    JobRow row;
    if (db_job_claim(jobs->db, NULL, (int)getpid(), &row) < 0)
      break;
    JobRun *run = job_run_start(jobs->db, jobs->cfg, &row, on_run_done, jobs);
    if (run)
      g_ptr_array_add(jobs->running, run);
    db_job_row_clear(&row);
  }
  return G_SOURCE_CONTINUE;
}

Jobs *jobs_new(Db *db, const Config *cfg)
{
  Jobs *jobs = g_new0(Jobs, 1);
  jobs->db = db;
  jobs->cfg = cfg;
  jobs->running = g_ptr_array_new();
  int n = db_job_requeue_orphans(db);
  if (n > 0)
    log_info(SUB, "%d interrupted job(s) queued again", n);
  kick(jobs);
  jobs->poll = g_timeout_add_seconds(1, kick, jobs);
  return jobs;
}

void jobs_free(Jobs **pjobs)
{
  Jobs *jobs = *pjobs;
  if (!jobs)
    return;
  g_source_remove(jobs->poll);
  /* Running jobs stop here and stay `running` in the database with this process's pid;
   * the next start queues them again (they restart from the beginning). */
  for (guint i = 0; i < jobs->running->len; i++) {
    JobRun *run = jobs->running->pdata[i];
    job_run_free(&run);
  }
  g_ptr_array_unref(jobs->running);
  g_free(jobs);
  *pjobs = NULL;
}

int jobs_cancel(Db *db, const char *id)
{
  JobRow row;
  int ret = db_job_get(db, id, &row);
  if (ret < 0)
    return ret;
  ret = db_job_end(db, id, "cancelled", "cancelled by an editor");
  if (ret == 0)
    db_video_set_state(db, row.video_id, NULL, "failed", "import cancelled", "cancelled by an editor");
  db_job_row_clear(&row);
  return ret;
}

char *jobs_upload_path(const char *video_id, const char *filename)
{
  const char *dot = filename ? strrchr(filename, '.') : NULL;
  bool plain = dot && !strchr(dot, '/') && strlen(dot + 1) >= 1 && strlen(dot + 1) <= 8;
  for (const char *p = plain ? dot + 1 : ""; *p; p++)
    plain &= g_ascii_isalnum(*p) != 0;
  g_autofree char *ext = plain ? g_ascii_strdown(dot + 1, -1) : g_strdup("bin");
  return g_strdup_printf("uploads/%s/source.%s", video_id, ext);
}
