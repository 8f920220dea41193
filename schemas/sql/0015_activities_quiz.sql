-- 0015_activities_quiz: one table of earning activities per campaign, and the daily quiz
-- (issue 20; docs/points.md "Activities", docs/quiz.md).

-- ---- activities -----------------------------------------------------------------------
-- One row per activity a campaign pays for, with its rate and daily cap; the campaign keeps
-- a total daily cap across them. An activity without a row earns nothing in that campaign.
--   watch       rate: points per full credited minute; item_cap: per video
--   live_bonus  rate: points once per live; minutes: attended this long while on air
--   quiz        rate: points per correct answer; questions a day; seconds per question
--   read, vote, question: reserved for articles, votes and approved questions (issue 20)
CREATE TABLE campaign_activity (
  campaign_id  INTEGER NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
  activity     TEXT NOT NULL CHECK (activity IN ('watch', 'live_bonus', 'quiz', 'read', 'vote', 'question')),
  rate         INTEGER NOT NULL CHECK (rate BETWEEN 0 AND 100000),
  daily_cap    INTEGER CHECK (daily_cap >= 0),          -- NULL: no cap
  item_cap     INTEGER CHECK (item_cap >= 0),           -- NULL: no cap (per video, per article)
  minutes      INTEGER NOT NULL DEFAULT 30 CHECK (minutes BETWEEN 1 AND 1440),
  questions    INTEGER NOT NULL DEFAULT 5 CHECK (questions BETWEEN 1 AND 50),
  seconds      INTEGER NOT NULL DEFAULT 30 CHECK (seconds BETWEEN 1 AND 3600),
  PRIMARY KEY (campaign_id, activity)
) STRICT, WITHOUT ROWID;

-- Existing campaigns: the same rules as rows. Watching paid points_per_minute a minute within
-- per_video_cap and daily_cap; the live bonus was paid on top of the caps (no cap of its
-- own); no total cap. Nothing in the ledger is touched.
INSERT INTO campaign_activity (campaign_id, activity, rate, daily_cap, item_cap)
  SELECT id, 'watch', points_per_minute, daily_cap, per_video_cap FROM campaign;
INSERT INTO campaign_activity (campaign_id, activity, rate, minutes)
  SELECT id, 'live_bonus', live_bonus_points, live_bonus_minutes FROM campaign;

ALTER TABLE campaign ADD COLUMN daily_total_cap INTEGER CHECK (daily_total_cap >= 0);
ALTER TABLE campaign DROP COLUMN points_per_minute;
ALTER TABLE campaign DROP COLUMN per_video_cap;
ALTER TABLE campaign DROP COLUMN daily_cap;
ALTER TABLE campaign DROP COLUMN live_bonus_points;
ALTER TABLE campaign DROP COLUMN live_bonus_minutes;

-- The ledger's reasons (quiz, read, vote, question) and the audit log's target types
-- (quiz_question) were widened by 0013: nothing to rebuild here.

-- ---- the quiz: a bank of versioned questions --------------------------------------------
-- A question is its identity (key: what an import names it by), its state and its current
-- version; the wording, options and answer live in versions, never changed once written: a
-- changed question is a new version, and attempts point at the version they served.
CREATE TABLE quiz_question (
  id               INTEGER PRIMARY KEY,
  key              TEXT NOT NULL UNIQUE CHECK (length(key) BETWEEN 1 AND 200),
  status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
  current_version  INTEGER,                      -- quiz_version.id
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE quiz_version (
  id           INTEGER PRIMARY KEY,
  question_id  INTEGER NOT NULL REFERENCES quiz_question(id),
  version      INTEGER NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('single', 'multiple', 'truefalse')),
  category     TEXT NOT NULL DEFAULT '',
  text         TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
  options      TEXT NOT NULL,                    -- JSON array of strings
  answer       TEXT NOT NULL,                    -- JSON array of option indexes (0-based)
  explanation  TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL,
  UNIQUE (question_id, version)
) STRICT;

CREATE TRIGGER quiz_version_no_update BEFORE UPDATE ON quiz_version
BEGIN SELECT RAISE(ABORT, 'quiz_version is append-only'); END;

CREATE INDEX quiz_question_active ON quiz_question(status, id);

-- One attempt per member and day (the campaign's zone, else Asia/Shanghai): the UNIQUE is
-- what refuses a second one, however many requests race.
CREATE TABLE quiz_attempt (
  id           INTEGER PRIMARY KEY,
  member_id    TEXT NOT NULL,
  local_day    TEXT NOT NULL,
  campaign_id  INTEGER,                           -- open when it started; NULL: earns nothing
  seconds      INTEGER NOT NULL,                  -- time limit per question
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  correct      INTEGER NOT NULL DEFAULT 0,
  points       INTEGER NOT NULL DEFAULT 0,
  UNIQUE (member_id, local_day)
) STRICT;

-- The questions of an attempt, in order. option_order is the shuffle the member saw (a JSON
-- array: shown position -> the version's option index); choices are the version's indexes.
-- Times are milliseconds of the server's clock.
CREATE TABLE quiz_item (
  attempt_id    INTEGER NOT NULL REFERENCES quiz_attempt(id),
  position      INTEGER NOT NULL,
  question_id   INTEGER NOT NULL,
  version_id    INTEGER NOT NULL REFERENCES quiz_version(id),
  option_order  TEXT NOT NULL,
  served_at     INTEGER,                          -- ms; NULL: not shown yet
  answered_at   INTEGER,                          -- ms; NULL: not locked yet
  choices       TEXT,
  correct       INTEGER NOT NULL DEFAULT 0,
  late          INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (attempt_id, position)
) STRICT, WITHOUT ROWID;

CREATE INDEX quiz_item_by_question ON quiz_item(question_id, answered_at);
