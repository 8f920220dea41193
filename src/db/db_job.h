/* db_job: the queue of background jobs (transcodes of imports); it survives restarts. */
#pragma once
#include "db/db.h"
#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct {
  char *id, *video_id, *source, *state, *error;
  double progress;
  int attempts;
} JobRow;

void db_job_row_clear(JobRow *j);

/* Queues a transcode of SOURCE (relative to the data dir) for VIDEO_ID. Returns 0 with *id
 * (caller frees), or -errno. */
int db_job_create(Db *db, const char *video_id, const char *source, char **id);

/* Takes a queued job for this process (PID): the oldest one, or ID when not NULL. Returns 0
 * with *out (state now `running`, attempts counted), -ENOENT when there is none, -EIO. */
int db_job_claim(Db *db, const char *id, int pid, JobRow *out);

/* Job ID. Returns 0 with *out, -ENOENT, -EIO. */
int db_job_get(Db *db, const char *id, JobRow *out);

/* Progress of a running job: share done 0..1 and seconds left (< 0: unknown). */
int db_job_progress(Db *db, const char *id, double progress, double eta_seconds);

/* Ends a job: STATE is done, failed or cancelled; ERROR says why (failed/cancelled). Only a
 * queued or running job ends. Returns 0, -ENOENT (no such job, or already ended), -EIO. */
int db_job_end(Db *db, const char *id, const char *state, const char *error);

/* Jobs left `running` by a process that is gone (PID no longer alive) are queued again.
 * Returns how many, or -EIO. */
int db_job_requeue_orphans(Db *db);

/* Job ID as the API shows it (id, video_id, state, progress, eta_seconds, error, attempts,
 * created_at, updated_at), or NULL with *rc = -ENOENT or -EIO. Caller unrefs. */
JsonNode *db_job_json(Db *db, const char *id, int *rc);
