-- 0016_vote: members' votes (网络投票) on a set of items, stuffing-resistant (issue 21.4–5,
-- docs/votes.md). A contest's ballots are an append-only log; invalidations are a second
-- append-only log beside it; client addresses are kept only as keyed hashes, and only as
-- long as the signal report needs them.

CREATE TABLE vote_contest (
  id             INTEGER PRIMARY KEY,
  title          TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description    TEXT NOT NULL DEFAULT '',
  time_zone      TEXT NOT NULL DEFAULT 'Asia/Shanghai',  -- what "a day" is for the limits
  opens_at       INTEGER NOT NULL,                       -- Unix seconds; voting in [opens_at, closes_at)
  closes_at      INTEGER NOT NULL CHECK (closes_at > opens_at),
  votes_per_day  INTEGER NOT NULL CHECK (votes_per_day BETWEEN 1 AND 1000),
  tally          TEXT NOT NULL CHECK (tally IN ('live', 'delayed', 'final')),
  tally_interval INTEGER NOT NULL DEFAULT 3600 CHECK (tally_interval BETWEEN 60 AND 86400),
  state          TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'open', 'closed')),
  result         TEXT,     -- the canonical text of the final tally (docs/votes.md), set at close
  result_sha256  TEXT,     -- SHA-256 of result, hex
  closed_at      INTEGER,
  created_by     TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
) STRICT;

-- What a contest is about: an item is a kind and an id, so accepted submissions and articles
-- can join later without a new table (today the server takes videos).
CREATE TABLE vote_item (
  contest_id  INTEGER NOT NULL REFERENCES vote_contest(id),
  item_kind   TEXT NOT NULL CHECK (item_kind IN ('video', 'article', 'submission')),
  item_id     TEXT NOT NULL,
  position    INTEGER NOT NULL,
  PRIMARY KEY (contest_id, item_kind, item_id)
) STRICT, WITHOUT ROWID;

-- One row per vote cast. local_day is the calendar day in the contest's zone; the unique key
-- makes a second vote for the same item on the same day impossible, whatever the timing.
CREATE TABLE vote_ballot (
  id          INTEGER PRIMARY KEY,
  contest_id  INTEGER NOT NULL,
  member_id   TEXT NOT NULL,
  item_kind   TEXT NOT NULL,
  item_id     TEXT NOT NULL,
  local_day   TEXT NOT NULL,
  at          INTEGER NOT NULL,
  UNIQUE (contest_id, member_id, item_kind, item_id, local_day),
  FOREIGN KEY (contest_id, item_kind, item_id) REFERENCES vote_item(contest_id, item_kind, item_id)
) STRICT;
CREATE INDEX vote_ballot_member_day ON vote_ballot(contest_id, member_id, local_day);
CREATE INDEX vote_ballot_at ON vote_ballot(contest_id, at);

CREATE TRIGGER vote_ballot_no_update BEFORE UPDATE ON vote_ballot
BEGIN SELECT RAISE(ABORT, 'vote_ballot is append-only'); END;
CREATE TRIGGER vote_ballot_no_delete BEFORE DELETE ON vote_ballot
BEGIN SELECT RAISE(ABORT, 'vote_ballot is append-only'); END;

-- An editor's judgement that a ballot does not count: the ballot stays, this marks it.
CREATE TABLE vote_invalidation (
  ballot_id  INTEGER PRIMARY KEY REFERENCES vote_ballot(id),
  reason     TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  by_member  TEXT NOT NULL,
  at         INTEGER NOT NULL
) STRICT;
CREATE TRIGGER vote_invalidation_no_update BEFORE UPDATE ON vote_invalidation
BEGIN SELECT RAISE(ABORT, 'vote_invalidation is append-only'); END;
CREATE TRIGGER vote_invalidation_no_delete BEFORE DELETE ON vote_invalidation
BEGIN SELECT RAISE(ABORT, 'vote_invalidation is append-only'); END;

-- The client address a ballot came from, as HMAC-SHA256 under the server secret; removed
-- after [vote] address_keep seconds (the signal report looks no further back).
CREATE TABLE vote_address (
  ballot_id     INTEGER PRIMARY KEY REFERENCES vote_ballot(id),
  address_hash  TEXT NOT NULL,
  at            INTEGER NOT NULL
) STRICT;
CREATE INDEX vote_address_at ON vote_address(at);

-- Voting requests per member and per address (hashed like above) for the rate limits; rows
-- older than the window are removed as new ones come.
CREATE TABLE vote_attempt (
  scope    TEXT NOT NULL CHECK (scope IN ('member', 'address')),
  subject  TEXT NOT NULL,
  at       INTEGER NOT NULL
) STRICT;
CREATE INDEX vote_attempt_subject ON vote_attempt(scope, subject, at);
CREATE INDEX vote_attempt_at ON vote_attempt(at);

-- Votes are audited under target type 'vote', which 0013's audit log takes as it is.
