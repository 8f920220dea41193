-- 0008_read_path: reads that cost the same at 30 or 30,000 lessons and with 10 or 200,000
-- ledger entries (issue 24; docs/read-path.md).

-- ---- lists without a scan -------------------------------------------------------------
-- Each list is an index walk in the order it is shown, so a page reads only its own rows
-- (and a keyset cursor starts where the last page ended): indexes keyed by the sort key
-- (newest/oldest: coalesce(publish_at, created_at); upcoming: coalesce(scheduled_start, a
-- far future)) with the filter in front — visibility (public lists ask for 'published'),
-- state (lives now and upcoming), category, kind. They hold only videos not deleted, which
-- every list leaves out. The rowid, last in every index, breaks ties: (key, rowid) is the
-- cursor. The expressions must stay word for word those of src/db/db_video.c.
CREATE INDEX video_list_by_time ON video(coalesce(publish_at, created_at)) WHERE deleted_at IS NULL;
CREATE INDEX video_list_by_visibility ON video(visibility, coalesce(publish_at, created_at))
  WHERE deleted_at IS NULL;
CREATE INDEX video_list_by_state ON video(state, coalesce(publish_at, created_at))
  WHERE deleted_at IS NULL;
CREATE INDEX video_list_by_category ON video(category, coalesce(publish_at, created_at))
  WHERE deleted_at IS NULL;
CREATE INDEX video_list_by_kind ON video(presenter_kind, coalesce(publish_at, created_at))
  WHERE deleted_at IS NULL;
CREATE INDEX video_list_by_start ON video(state, coalesce(scheduled_start, 9000000000000))
  WHERE deleted_at IS NULL;
CREATE INDEX video_list_by_start_any ON video(coalesce(scheduled_start, 9000000000000))
  WHERE deleted_at IS NULL;
-- Public totals (counted up to 1000) from this index alone, never the table: every column
-- the public condition reads is in it. Its terms are DB_VIDEO_PUBLIC's.
CREATE INDEX video_list_public_count ON video(state, publish_at, visibility, deleted_at)
  WHERE visibility = 'published' AND deleted_at IS NULL AND state IN ('scheduled', 'live', 'ready');

-- ---- points aggregates ----------------------------------------------------------------
-- The ledger stays the source of truth (append-only). These hold, per member, the sum of
-- every entry, and per member, campaign and calendar day (the campaign's zone: the
-- ledger's local_day), that day's points and watch points — kept by the trigger below in
-- the statement (so the transaction) that appends each entry, whoever appends it.
-- `lectern points check` recomputes both from the ledger and reports any difference.
CREATE TABLE points_balance (
  member_id  TEXT PRIMARY KEY,
  balance    INTEGER NOT NULL,
  entries    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE points_day (
  member_id     TEXT NOT NULL,
  campaign_id   INTEGER NOT NULL,
  local_day     TEXT NOT NULL,
  points        INTEGER NOT NULL,   -- every entry of the day (watch and live bonus)
  watch_points  INTEGER NOT NULL,   -- what the daily cap counts
  entries       INTEGER NOT NULL,
  PRIMARY KEY (member_id, campaign_id, local_day)
) STRICT, WITHOUT ROWID;

-- Existing databases: the aggregates computed from the ledger as it is.
INSERT INTO points_balance (member_id, balance, entries)
  SELECT member_id, sum(amount), count(*) FROM points_ledger GROUP BY member_id;
INSERT INTO points_day (member_id, campaign_id, local_day, points, watch_points, entries)
  SELECT member_id, campaign_id, local_day, sum(amount),
         sum(CASE WHEN reason = 'watch' THEN amount ELSE 0 END), count(*)
  FROM points_ledger WHERE campaign_id IS NOT NULL AND local_day IS NOT NULL
  GROUP BY member_id, campaign_id, local_day;

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

-- ---- search with prefix indexes ------------------------------------------------------------
-- Every word of a query is a prefix query ("less" finds "lesson"); without a prefix index
-- FTS5 merges the postings of every matching term on each query, which costs as much as the
-- word is common. Prefix indexes of 1 to 8 characters make it a read of one list (pairs of
-- Chinese characters and short words are all covered). The rows move over as they are, under
-- their video's rowid (a search ranks its newest hits by rowid: src/db/db_video.c).
CREATE VIRTUAL TABLE video_search_new USING fts5(
  video_id UNINDEXED, title, presenter, tags, description,
  tokenize = 'porter unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6 7 8'
);
INSERT INTO video_search_new (rowid, video_id, title, presenter, tags, description)
  SELECT v.rowid, s.video_id, s.title, s.presenter, s.tags, s.description
  FROM video_search s JOIN video v ON v.id = s.video_id AND v.deleted_at IS NULL;
DROP TABLE video_search;
ALTER TABLE video_search_new RENAME TO video_search;
