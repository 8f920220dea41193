/* jobs: runs queued transcodes of imports — one at a time in the CLI, a pool in the server. */
#pragma once
#include "core/config.h"
#include "db/db.h"
#include "db/db_job.h"
#include <stdbool.h>

typedef struct JobRun JobRun;

/* Called on the main loop when the run ends; STATE is done, failed or cancelled. */
typedef void (*JobRunDone)(JobRun *run, const char *state, void *user);

/* Runs the claimed job ROW (state running): probes the stored upload against the [vod]
 * limits, clears what an earlier attempt left in the video's media directory, transcodes,
 * stores renditions, duration and poster, and moves the video to `ready` (or `failed` with
 * the reason, its partial files removed). The probe runs in a worker thread. Progress and
 * ETA go to the job row every second. DONE is called once, however the run ends. */
JobRun *job_run_start(Db *db, const Config *cfg, const JobRow *row, JobRunDone done, void *user);

/* Share done, 0..1. */
double job_run_progress(JobRun *run);
const char *job_run_id(JobRun *run);

/* Frees a run that has ended (after DONE). Accepts NULL; clears *RUN. */
void job_run_free(JobRun **run);

typedef struct Jobs Jobs;

/* The server's runner: queues again the jobs of a process that is gone, then runs up to
 * [vod] jobs at once, looking for new ones every second (the CLI queues them too). */
Jobs *jobs_new(Db *db, const Config *cfg);
void jobs_free(Jobs **jobs);

/* Cancels job ID if it is queued or running (the process running it, server or CLI, stops
 * within a second and removes its partial files); its video becomes `failed`. Returns 0,
 * -ENOENT (no such job, or it has ended), -EIO. */
int jobs_cancel(Db *db, const char *id);

/* Where an upload of VIDEO_ID is stored, relative to the data dir:
 * uploads/<video>/source.<ext>, the extension FILENAME's when it is short and plain, else
 * "bin". Caller frees. */
char *jobs_upload_path(const char *video_id, const char *filename);
