-- 0018_qa: questions to the presenter (Q&A) during a live, their upvotes, the per-live Q&A
-- setting (pre-moderation) and the presenter link. Rules and protocol: docs/chat.md.
--
-- A question carries live_time like a chat message (seconds since the live went on air),
-- so the recording can replay it.

-- state: 'pending' (pre-moderation: held until a moderator or the presenter approves it),
-- 'open', 'answered_live' (answered on air: marked, and pinned while it is the one being
-- answered), 'answered' (answered in text: answer), 'dismissed' (kept for the audit, never
-- shown again). approved: a person (moderator or presenter) accepted it — approved from
-- pending, or answered; what the question points are paid for (once: ledger key
-- "question:<id>"). votes is the count of qa_vote rows, kept here for ordering.
CREATE TABLE qa_question (
  id          INTEGER PRIMARY KEY,
  video_id    TEXT NOT NULL,
  member_id   TEXT NOT NULL,
  text        TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
  live_time   REAL NOT NULL CHECK (live_time >= 0),
  created_at  INTEGER NOT NULL,
  state       TEXT NOT NULL DEFAULT 'open'
              CHECK (state IN ('pending', 'open', 'answered_live', 'answered', 'dismissed')),
  votes       INTEGER NOT NULL DEFAULT 0 CHECK (votes >= 0),
  pinned      INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
  answer      TEXT CHECK (answer IS NULL OR length(answer) BETWEEN 1 AND 1000),
  approved    INTEGER NOT NULL DEFAULT 0 CHECK (approved IN (0, 1)),
  decided_by  TEXT,
  decided_at  INTEGER
) STRICT;

CREATE INDEX qa_question_by_video ON qa_question(video_id, id);
CREATE INDEX qa_question_by_member ON qa_question(member_id, video_id);

-- One upvote per member and question.
CREATE TABLE qa_vote (
  question_id INTEGER NOT NULL REFERENCES qa_question(id),
  member_id   TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (question_id, member_id)
) STRICT, WITHOUT ROWID;

-- Per-live Q&A setting; a live without a row takes questions without pre-moderation.
CREATE TABLE qa_settings (
  video_id     TEXT PRIMARY KEY,
  premoderate  INTEGER NOT NULL DEFAULT 0 CHECK (premoderate IN (0, 1)),
  updated_by   TEXT,
  updated_at   INTEGER NOT NULL
) STRICT;

-- The presenter link of a live: a secret "lcp1.<video id>.<random>" that opens the presenter
-- view of that live only, stored as its HMAC (token_hash) like members' credentials. One per
-- live; rotating replaces it (the old link stops working). member_id (optional): the
-- presenter's own member account, whose chat messages and questions on this live are marked
-- as the presenter's.
CREATE TABLE presenter_link (
  video_id    TEXT PRIMARY KEY,
  token_hash  TEXT NOT NULL UNIQUE,
  member_id   TEXT,
  created_by  TEXT NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;
