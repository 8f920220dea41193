-- The points lottery (issue 18): lotteries, their draws, prize tiers and redemption codes,
-- ticket purchases paid from the points ledger, the draw's picks and the prizes.

-- ---- the ledger takes spending ----------------------------------------------------------
-- points_ledger's reason is a CHECK list; SQLite cannot change a CHECK, so the table is
-- rebuilt once (rows, ids, indexes and triggers kept; DROP TABLE removes the append-only
-- triggers before it deletes, so none fires, and the aggregates stay as they are because no
-- row changes) with 'lottery' and every activity of the campaign's table (ARCHITECTURE.md:
-- quiz, read, vote, approved question), so the activities that follow need no rebuild.
CREATE TABLE points_ledger_new (
  id               INTEGER PRIMARY KEY,
  member_id        TEXT NOT NULL,
  amount           INTEGER NOT NULL,
  reason           TEXT NOT NULL CHECK (reason IN ('watch', 'live_bonus', 'correction', 'lottery',
                                                   'quiz', 'read', 'vote', 'question')),
  video_id         TEXT,
  campaign_id      INTEGER,
  local_day        TEXT,
  idempotency_key  TEXT NOT NULL UNIQUE,
  note             TEXT NOT NULL DEFAULT '',
  created_by       TEXT,
  created_at       INTEGER NOT NULL
) STRICT;
INSERT INTO points_ledger_new (id, member_id, amount, reason, video_id, campaign_id, local_day,
                               idempotency_key, note, created_by, created_at)
  SELECT id, member_id, amount, reason, video_id, campaign_id, local_day, idempotency_key, note,
         created_by, created_at FROM points_ledger;
DROP TABLE points_ledger;
ALTER TABLE points_ledger_new RENAME TO points_ledger;

CREATE INDEX points_ledger_by_member ON points_ledger(member_id, id);
CREATE INDEX points_ledger_by_day ON points_ledger(member_id, campaign_id, local_day);
CREATE INDEX points_ledger_by_video ON points_ledger(member_id, video_id, campaign_id);
CREATE TRIGGER points_ledger_no_update BEFORE UPDATE ON points_ledger
BEGIN SELECT RAISE(ABORT, 'points_ledger is append-only'); END;
CREATE TRIGGER points_ledger_no_delete BEFORE DELETE ON points_ledger
BEGIN SELECT RAISE(ABORT, 'points_ledger is append-only'); END;
CREATE TRIGGER points_ledger_aggregate AFTER INSERT ON points_ledger
BEGIN
  INSERT INTO points_balance (member_id, balance, entries) VALUES (NEW.member_id, NEW.amount, 1)
    ON CONFLICT (member_id) DO UPDATE SET balance = balance + excluded.balance, entries = entries + 1;
  INSERT INTO points_day (member_id, campaign_id, local_day, points, watch_points, entries)
    SELECT NEW.member_id, NEW.campaign_id, NEW.local_day, NEW.amount,
           CASE WHEN NEW.reason = 'watch' THEN NEW.amount ELSE 0 END, 1
    WHERE NEW.campaign_id IS NOT NULL AND NEW.local_day IS NOT NULL
    ON CONFLICT (member_id, campaign_id, local_day) DO UPDATE SET
      points = points + excluded.points, watch_points = watch_points + excluded.watch_points,
      entries = entries + 1;
END;
-- Spending can never take a balance below zero, whoever writes: the purchase checks first
-- and answers why; this is the floor under that check.
CREATE TRIGGER points_ledger_no_overspend BEFORE INSERT ON points_ledger
WHEN NEW.amount < 0 AND NEW.reason = 'lottery' AND
     coalesce((SELECT balance FROM points_balance WHERE member_id = NEW.member_id), 0) + NEW.amount < 0
BEGIN SELECT RAISE(ABORT, 'points balance would go below zero'); END;

-- ---- the audit log takes lotteries --------------------------------------------------------
-- The same move for audit_log's target_type (a CHECK list since 0006), once: the new CHECK
-- takes any lower-case type name, so the next kind of target (quiz questions, votes, …) needs
-- no rebuild of its own.
CREATE TABLE audit_log_new (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  member_id    TEXT NOT NULL,
  member_name  TEXT NOT NULL,
  action       TEXT NOT NULL,
  target_type  TEXT NOT NULL
               CHECK (length(target_type) BETWEEN 1 AND 32 AND target_type NOT GLOB '*[^a-z_]*'),
  target_id    TEXT NOT NULL,
  detail       TEXT NOT NULL DEFAULT '{}'
) STRICT;
INSERT INTO audit_log_new (id, at, member_id, member_name, action, target_type, target_id, detail)
  SELECT id, at, member_id, member_name, action, target_type, target_id, detail FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_by_target ON audit_log(target_type, target_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- ---- lotteries ------------------------------------------------------------------------
CREATE TABLE lottery (
  id                    INTEGER PRIMARY KEY,
  campaign_id           INTEGER REFERENCES campaign(id),
  title                 TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  rules                 TEXT NOT NULL DEFAULT '' CHECK (length(rules) <= 20000),
  opens_at              INTEGER NOT NULL,          -- entry window [opens_at, closes_at)
  closes_at             INTEGER NOT NULL CHECK (closes_at > opens_at),
  points_per_ticket     INTEGER NOT NULL CHECK (points_per_ticket BETWEEN 1 AND 1000000),
  min_balance           INTEGER NOT NULL DEFAULT 0 CHECK (min_balance >= 0),
  max_tickets           INTEGER NOT NULL DEFAULT 100 CHECK (max_tickets BETWEEN 1 AND 1000000), -- per member and draw
  one_prize_per_member  INTEGER NOT NULL DEFAULT 1 CHECK (one_prize_per_member IN (0, 1)),
  reserve_percent       INTEGER NOT NULL DEFAULT 10 CHECK (reserve_percent BETWEEN 0 AND 100),
  claim_days            INTEGER NOT NULL DEFAULT 30 CHECK (claim_days BETWEEN 1 AND 3650),
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL
) STRICT;

-- A draw: its own freeze (entries close), commitment, public values and record.
CREATE TABLE lottery_draw (
  id              INTEGER PRIMARY KEY,
  lottery_id      INTEGER NOT NULL REFERENCES lottery(id),
  freeze_at       INTEGER NOT NULL,
  state           TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'frozen', 'drawn')),
  frozen_at       INTEGER,
  entry_list      TEXT,              -- the canonical entry list, written at the freeze
  entries_sha256  TEXT,              -- its SHA-256: the commitment
  entries         INTEGER,
  tickets         INTEGER,
  public_values   TEXT,              -- JSON array, as entered
  record          TEXT,              -- the canonical draw record
  drawn_at        INTEGER,
  claim_deadline  INTEGER
) STRICT;
CREATE INDEX lottery_draw_by_lottery ON lottery_draw(lottery_id, freeze_at);

-- Prize tiers of a draw, filled in position order.
CREATE TABLE lottery_tier (
  id        INTEGER PRIMARY KEY,
  draw_id   INTEGER NOT NULL REFERENCES lottery_draw(id),
  position  INTEGER NOT NULL,
  name      TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  quantity  INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 100000),
  value     TEXT NOT NULL DEFAULT '' CHECK (length(value) <= 200),
  UNIQUE (draw_id, position)
) STRICT;

-- Redemption codes (the vouchers), imported from CSV, handed out in import order.
CREATE TABLE lottery_code (
  id           INTEGER PRIMARY KEY,
  tier_id      INTEGER NOT NULL REFERENCES lottery_tier(id),
  code         TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 200),
  imported_at  INTEGER NOT NULL,
  UNIQUE (tier_id, code)
) STRICT;

-- A purchase of tickets: its ledger entry has the same key.
CREATE TABLE lottery_purchase (
  id          INTEGER PRIMARY KEY,
  draw_id     INTEGER NOT NULL REFERENCES lottery_draw(id),
  member_id   TEXT NOT NULL REFERENCES member(id),
  tickets     INTEGER NOT NULL CHECK (tickets > 0),
  points      INTEGER NOT NULL CHECK (points > 0),
  key         TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX lottery_purchase_by_member ON lottery_purchase(member_id, draw_id);

-- A member's entry in a draw: their pseudonymous code and tickets so far.
CREATE TABLE lottery_entry (
  draw_id    INTEGER NOT NULL REFERENCES lottery_draw(id),
  member_id  TEXT NOT NULL REFERENCES member(id),
  code       TEXT NOT NULL,
  tickets    INTEGER NOT NULL CHECK (tickets > 0),
  PRIMARY KEY (draw_id, member_id),
  UNIQUE (draw_id, code)
) STRICT, WITHOUT ROWID;

-- Every pick of a draw, as the record has it; tier NULL: a reserve.
CREATE TABLE lottery_pick (
  draw_id    INTEGER NOT NULL REFERENCES lottery_draw(id),
  n          INTEGER NOT NULL,
  tier_id    INTEGER REFERENCES lottery_tier(id),
  member_id  TEXT NOT NULL,
  code       TEXT NOT NULL,
  PRIMARY KEY (draw_id, n)
) STRICT, WITHOUT ROWID;

-- Who holds which prize. A disqualified or expired prize keeps its row; the next reserve
-- gets a new row for the same tier and slot (and redemption code).
CREATE TABLE lottery_prize (
  id           INTEGER PRIMARY KEY,
  draw_id      INTEGER NOT NULL REFERENCES lottery_draw(id),
  tier_id      INTEGER NOT NULL REFERENCES lottery_tier(id),
  slot         INTEGER NOT NULL,           -- 1..quantity within the tier
  pick_n       INTEGER NOT NULL,           -- the pick that gave it
  member_id    TEXT NOT NULL,
  code_id      INTEGER REFERENCES lottery_code(id),
  state        TEXT NOT NULL DEFAULT 'won' CHECK (state IN ('won', 'claimed', 'disqualified', 'expired')),
  reason       TEXT,
  assigned_at  INTEGER NOT NULL,
  claimed_at   INTEGER,
  ended_at     INTEGER,
  UNIQUE (draw_id, pick_n)
) STRICT;
CREATE INDEX lottery_prize_by_member ON lottery_prize(member_id, state);
CREATE INDEX lottery_prize_by_draw ON lottery_prize(draw_id, tier_id, slot);
