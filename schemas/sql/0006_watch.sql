-- 0006_watch: watch sessions, what each member has watched, viewing statistics,
-- campaigns (the points rules) and the append-only points ledger. Rules: docs/points.md.

-- A campaign's window is whole calendar days in its time zone; starts_at/ends_at are the
-- same window as Unix seconds (local midnight of starts_on, local midnight after ends_on).
CREATE TABLE campaign (
  id                  INTEGER PRIMARY KEY,
  name                TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  starts_on           TEXT NOT NULL,
  ends_on             TEXT NOT NULL CHECK (ends_on >= starts_on),
  time_zone           TEXT NOT NULL DEFAULT 'Asia/Shanghai',
  starts_at           INTEGER NOT NULL,
  ends_at             INTEGER NOT NULL CHECK (ends_at > starts_at),
  points_per_minute   INTEGER NOT NULL DEFAULT 1 CHECK (points_per_minute BETWEEN 0 AND 1000),
  per_video_cap       INTEGER CHECK (per_video_cap >= 0),       -- NULL: no cap
  daily_cap           INTEGER CHECK (daily_cap >= 0),           -- NULL: no cap
  live_bonus_points   INTEGER NOT NULL DEFAULT 0 CHECK (live_bonus_points BETWEEN 0 AND 100000),
  live_bonus_minutes  INTEGER NOT NULL DEFAULT 30 CHECK (live_bonus_minutes BETWEEN 1 AND 1440),
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL
) STRICT;

CREATE INDEX campaign_by_window ON campaign(starts_at, ends_at);

-- Points. Never updated or deleted: a correction is another entry. The balance is the sum.
-- idempotency_key names the event that earned the entry (e.g. the n-th minute of a video
-- for a member), so the same event can never be paid twice.
CREATE TABLE points_ledger (
  id               INTEGER PRIMARY KEY,
  member_id        TEXT NOT NULL,
  amount           INTEGER NOT NULL,
  reason           TEXT NOT NULL CHECK (reason IN ('watch', 'live_bonus', 'correction')),
  video_id         TEXT,
  campaign_id      INTEGER,
  local_day        TEXT,                    -- the campaign's calendar day it counts toward
  idempotency_key  TEXT NOT NULL UNIQUE,
  note             TEXT NOT NULL DEFAULT '',
  created_by       TEXT,                    -- the editor, for corrections
  created_at       INTEGER NOT NULL
) STRICT;

CREATE INDEX points_ledger_by_member ON points_ledger(member_id, id);
CREATE INDEX points_ledger_by_day ON points_ledger(member_id, campaign_id, local_day);
CREATE INDEX points_ledger_by_video ON points_ledger(member_id, video_id, campaign_id);

CREATE TRIGGER points_ledger_no_update BEFORE UPDATE ON points_ledger
BEGIN SELECT RAISE(ABORT, 'points_ledger is append-only'); END;
CREATE TRIGGER points_ledger_no_delete BEFORE DELETE ON points_ledger
BEGIN SELECT RAISE(ABORT, 'points_ledger is append-only'); END;

-- What a member has watched of a video. seconds is a bitmap: bit i (byte i/8, bit i%8)
-- is set once second i of the video has been credited; credited counts those bits.
-- earned_seconds counts the credited seconds that could earn points (a campaign open,
-- the member real-name verified and not disqualified).
CREATE TABLE watch_progress (
  member_id        TEXT NOT NULL,
  video_id         TEXT NOT NULL,
  seconds          BLOB NOT NULL DEFAULT x'',
  credited         INTEGER NOT NULL DEFAULT 0,
  earned_seconds   INTEGER NOT NULL DEFAULT 0,
  live_seconds     INTEGER NOT NULL DEFAULT 0,  -- credited while the video was on air
  played_seconds   REAL NOT NULL DEFAULT 0,     -- all playing time, repeats included
  position         REAL NOT NULL DEFAULT 0,     -- where to resume
  viewed           INTEGER NOT NULL DEFAULT 0,  -- has had a counted view (10 s)
  first_watched_at INTEGER NOT NULL,
  last_watched_at  INTEGER NOT NULL,
  PRIMARY KEY (member_id, video_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX watch_progress_recent ON watch_progress(member_id, last_watched_at);

-- One row per watch session (a player on a video), members and guests alike.
CREATE TABLE watch_session (
  id               TEXT PRIMARY KEY,
  video_id         TEXT NOT NULL,
  member_id        TEXT,                        -- NULL: a guest
  started_at       INTEGER NOT NULL,
  last_seen_at     INTEGER NOT NULL,
  ended_at         INTEGER,
  end_reason       TEXT,
  played_seconds   REAL NOT NULL DEFAULT 0,
  credited_seconds INTEGER NOT NULL DEFAULT 0,
  counted_view     INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX watch_session_by_video ON watch_session(video_id, started_at);

CREATE TABLE video_stats (
  video_id         TEXT PRIMARY KEY,
  views            INTEGER NOT NULL DEFAULT 0,  -- sessions that played 10 s or more
  guest_views      INTEGER NOT NULL DEFAULT 0,
  unique_viewers   INTEGER NOT NULL DEFAULT 0,  -- members with a counted view
  watch_seconds    REAL NOT NULL DEFAULT 0,
  peak_concurrent  INTEGER NOT NULL DEFAULT 0,
  peak_at          INTEGER
) STRICT;

-- Viewers who played any second of each 10 s bucket of the video.
CREATE TABLE video_retention (
  video_id  TEXT NOT NULL,
  bucket    INTEGER NOT NULL,
  viewers   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (video_id, bucket)
) STRICT, WITHOUT ROWID;

-- The audit log now also records campaign and member changes; SQLite cannot widen a
-- CHECK in place, so the table is rebuilt (dropping a table fires no triggers).
CREATE TABLE audit_log_new (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  member_id    TEXT NOT NULL,
  member_name  TEXT NOT NULL,
  action       TEXT NOT NULL,
  target_type  TEXT NOT NULL
               CHECK (target_type IN ('video', 'column', 'category', 'campaign', 'member')),
  target_id    TEXT NOT NULL,
  detail       TEXT NOT NULL DEFAULT '{}'
) STRICT;
INSERT INTO audit_log_new SELECT * FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_by_target ON audit_log(target_type, target_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
