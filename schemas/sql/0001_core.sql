-- 0001_core: members, videos (lives and recordings) and their HLS renditions.
-- Times are Unix seconds (UTC). Secrets are stored only as HMAC-SHA256 hex.

CREATE TABLE member (
  id                 TEXT PRIMARY KEY,
  display_name       TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  role               TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
  real_name_verified INTEGER NOT NULL DEFAULT 0 CHECK (real_name_verified IN (0, 1)),
  token_hash         TEXT NOT NULL,
  disabled           INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  disqualified       INTEGER NOT NULL DEFAULT 0 CHECK (disqualified IN (0, 1)),
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
) STRICT;

CREATE TABLE video (
  id               TEXT PRIMARY KEY,
  title            TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  presenter        TEXT NOT NULL DEFAULT '',
  presenter_kind   TEXT NOT NULL DEFAULT 'other'
                   CHECK (presenter_kind IN ('model-worker', 'volunteer', 'teacher', 'other')),
  category         TEXT NOT NULL DEFAULT '',
  description      TEXT NOT NULL DEFAULT '',
  tags             TEXT NOT NULL DEFAULT '[]',          -- JSON array of strings
  source           TEXT NOT NULL CHECK (source IN ('live', 'upload')),
  state            TEXT NOT NULL
                   CHECK (state IN ('scheduled', 'live', 'processing', 'ready', 'failed')),
  failure_reason   TEXT,
  visibility       TEXT NOT NULL DEFAULT 'draft'
                   CHECK (visibility IN ('draft', 'published', 'unlisted')),
  duration_ms      INTEGER,
  stream_key_hash  TEXT UNIQUE,
  scheduled_start  INTEGER,
  publish_at       INTEGER,
  poster           TEXT,
  created_by       TEXT REFERENCES member(id) ON DELETE SET NULL,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
) STRICT;

CREATE INDEX video_by_state ON video(state, scheduled_start);

CREATE TABLE rendition (
  video_id          TEXT NOT NULL REFERENCES video(id) ON DELETE CASCADE,
  name              TEXT NOT NULL,
  width             INTEGER NOT NULL,
  height            INTEGER NOT NULL,
  bandwidth         INTEGER NOT NULL,
  average_bandwidth INTEGER,
  codecs            TEXT NOT NULL,
  frame_rate        REAL,
  playlist          TEXT NOT NULL,
  PRIMARY KEY (video_id, name)
) STRICT;
