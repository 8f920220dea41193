-- 0014_chat: live interaction — chat messages, likes, moderation (mutes and bans, the
-- sensitive-word list, per-live settings). Rules and protocol: docs/chat.md.
--
-- Every interaction carries live_time: seconds since the live went on air (the same clock
-- as watch positions of a live, docs/points.md), so the recording's player can replay it at
-- the moment it was posted. Q&A (questions, votes) will be a table of its own beside
-- chat_message, keyed and timed the same way.

-- One row per message posted (refused ones are not stored). state: 'shown'; 'held' while a
-- moderation delay holds it; 'deleted' by a moderator (kept for the audit and statistics,
-- never shown or replayed).
CREATE TABLE chat_message (
  id          INTEGER PRIMARY KEY,
  video_id    TEXT NOT NULL,
  member_id   TEXT NOT NULL,
  text        TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
  live_time   REAL NOT NULL CHECK (live_time >= 0),
  created_at  INTEGER NOT NULL,
  state       TEXT NOT NULL DEFAULT 'shown' CHECK (state IN ('shown', 'held', 'deleted')),
  deleted_by  TEXT,
  deleted_at  INTEGER
) STRICT;

CREATE INDEX chat_message_by_video ON chat_message(video_id, id);
CREATE INDEX chat_message_by_time ON chat_message(video_id, live_time);
CREATE INDEX chat_message_by_member ON chat_message(member_id, video_id);

-- Likes, aggregated: taps are counted in memory and added here in batches, per live and per
-- 10 s bucket of live time (bucket = floor(live_time / 10)), so a replay can show them
-- rising at the right moment and a million taps cost a few rows.
CREATE TABLE chat_likes (
  video_id    TEXT NOT NULL,
  bucket      INTEGER NOT NULL CHECK (bucket >= 0),
  count       INTEGER NOT NULL CHECK (count >= 0),
  PRIMARY KEY (video_id, bucket)
) STRICT, WITHOUT ROWID;

-- Who tapped at all (one row per member and live): the "interacting members" statistic
-- without storing every tap.
CREATE TABLE chat_liker (
  video_id    TEXT NOT NULL,
  member_id   TEXT NOT NULL,
  PRIMARY KEY (video_id, member_id)
) STRICT, WITHOUT ROWID;

-- A mute (may read, may not post) or ban (may not post nor like; the page says so) of a
-- member, on one live (video_id) or everywhere (video_id ''), until expires_at (NULL:
-- until lifted). Lifting sets lifted_at. By member id, never by address.
CREATE TABLE chat_sanction (
  id          INTEGER PRIMARY KEY,
  member_id   TEXT NOT NULL,
  video_id    TEXT NOT NULL DEFAULT '',
  kind        TEXT NOT NULL CHECK (kind IN ('mute', 'ban')),
  reason      TEXT NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
  created_by  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER,
  lifted_at   INTEGER
) STRICT;

CREATE INDEX chat_sanction_by_member ON chat_sanction(member_id, expires_at);

-- The sensitive-word list editors maintain. normalized is the word folded the way messages
-- are (chat_filter_normalize), and what is matched.
CREATE TABLE chat_word (
  id          INTEGER PRIMARY KEY,
  word        TEXT NOT NULL CHECK (length(word) BETWEEN 1 AND 50),
  normalized  TEXT NOT NULL UNIQUE CHECK (length(normalized) >= 1),
  created_by  TEXT NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;

-- Per-live settings; a live without a row has the defaults.
CREATE TABLE chat_settings (
  video_id        TEXT PRIMARY KEY,
  mode            TEXT NOT NULL DEFAULT 'open' CHECK (mode IN ('open', 'members', 'off')),
  slow_seconds    INTEGER NOT NULL DEFAULT 0 CHECK (slow_seconds BETWEEN 0 AND 3600),
  hold_seconds    INTEGER NOT NULL DEFAULT 0 CHECK (hold_seconds BETWEEN 0 AND 600),
  max_messages    INTEGER NOT NULL DEFAULT 0 CHECK (max_messages >= 0),   -- 0: no cap
  replay          INTEGER NOT NULL DEFAULT 0 CHECK (replay IN (0, 1)),    -- chat on the recording
  updated_by      TEXT,
  updated_at      INTEGER NOT NULL
) STRICT;
