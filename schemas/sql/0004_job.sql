-- 0004_job: background work on videos (transcoding imports), a queue that survives restarts.

CREATE TABLE job (
  id           TEXT PRIMARY KEY,
  video_id     TEXT NOT NULL REFERENCES video(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL CHECK (kind IN ('transcode')),
  state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  source       TEXT NOT NULL,                 -- the stored upload, relative to the data dir
  progress     REAL NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
  eta_seconds  REAL,
  error        TEXT,
  attempts     INTEGER NOT NULL DEFAULT 0,
  runner_pid   INTEGER,                       -- the process running it (state 'running')
  created_at   INTEGER NOT NULL,
  started_at   INTEGER,
  updated_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX job_queue ON job(state, created_at);
