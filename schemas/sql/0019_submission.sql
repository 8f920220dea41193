-- 0019_submission: calls for submissions (网上申报), members' submissions with their files
-- uploaded resumably (tus), and the review's transitions (issue 21.1–3, docs/submissions.md).

CREATE TABLE submission_call (
  id             INTEGER PRIMARY KEY,
  title          TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description    TEXT NOT NULL DEFAULT '',
  kinds          TEXT NOT NULL,            -- JSON array of 'video', 'text', 'pdf'
  opens_at       INTEGER NOT NULL,         -- Unix seconds; submitting in [opens_at, closes_at)
  closes_at      INTEGER NOT NULL CHECK (closes_at > opens_at),
  real_name_only INTEGER NOT NULL DEFAULT 1 CHECK (real_name_only IN (0, 1)),
  fields         TEXT NOT NULL DEFAULT '[]', -- JSON array of {name, label, required, max}
  max_bytes      INTEGER NOT NULL CHECK (max_bytes > 0),
  max_seconds    INTEGER NOT NULL CHECK (max_seconds > 0),
  created_by     TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE submission (
  id           TEXT PRIMARY KEY,
  call_id      INTEGER NOT NULL REFERENCES submission_call(id),
  member_id    TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('video', 'text', 'pdf')),
  title        TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  fields       TEXT NOT NULL DEFAULT '{}',  -- JSON object: the call's field name -> text
  body         TEXT,                        -- Markdown of a text submission
  state        TEXT NOT NULL CHECK (state IN ('received', 'processing', 'in_review', 'accepted',
                                              'rejected', 'changes_requested', 'failed')),
  reason       TEXT,      -- why rejected / what to change / why processing failed
  file_path    TEXT,      -- relative to the data dir: the stored PDF
  file_bytes   INTEGER,
  preview_url  TEXT,      -- /images/<sha256>.png: a PDF's first page
  video_id     TEXT,      -- the draft video a video submission became
  result_kind  TEXT,      -- what acceptance made: 'video', 'document', 'text'
  result_id    TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX submission_member ON submission(member_id, created_at);
CREATE INDEX submission_queue ON submission(state, call_id, kind, created_at);

-- A resumable upload (tus 1.0.0) of a submission's file: its bytes are in
-- uploads/tus/<id> until the last one arrives.
CREATE TABLE submission_upload (
  id             TEXT PRIMARY KEY,
  submission_id  TEXT NOT NULL REFERENCES submission(id),
  member_id      TEXT NOT NULL,
  session_id     TEXT,       -- the browser session that made it (NULL: a bearer credential)
  length         INTEGER NOT NULL CHECK (length > 0),
  offset         INTEGER NOT NULL DEFAULT 0 CHECK (offset BETWEEN 0 AND length),
  filename       TEXT,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  finished_at    INTEGER
) STRICT;
CREATE INDEX submission_upload_member ON submission_upload(member_id, finished_at);

-- Every change of a submission's state: append-only.
CREATE TABLE submission_event (
  id             INTEGER PRIMARY KEY,
  submission_id  TEXT NOT NULL REFERENCES submission(id),
  from_state     TEXT,
  to_state       TEXT NOT NULL,
  by_member      TEXT,        -- NULL: the server (a file received, processed)
  reason         TEXT,
  at             INTEGER NOT NULL
) STRICT;
CREATE INDEX submission_event_sub ON submission_event(submission_id, id);
CREATE TRIGGER submission_event_no_update BEFORE UPDATE ON submission_event
BEGIN SELECT RAISE(ABORT, 'submission_event is append-only'); END;
CREATE TRIGGER submission_event_no_delete BEFORE DELETE ON submission_event
BEGIN SELECT RAISE(ABORT, 'submission_event is append-only'); END;
