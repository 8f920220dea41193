-- 0005_catalog: what editors curate — categories, chapters, column items' times,
-- the audit log of every editorial change, and the search index over videos.

-- Categories are names shown to viewers; videos refer to them by name ('' = none).
CREATE TABLE category (
  name        TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 32),
  position    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
) STRICT;

INSERT INTO category (name, position, created_at) VALUES
  ('思想引领', 1, 0), ('科学普及', 2, 0), ('体育艺术', 3, 0), ('文化历史', 4, 0);

-- Chapters of a video: a title at a start time; at most one chapter per start.
CREATE TABLE chapter (
  video_id  TEXT NOT NULL REFERENCES video(id) ON DELETE CASCADE,
  start_ms  INTEGER NOT NULL CHECK (start_ms >= 0),
  title     TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  PRIMARY KEY (video_id, start_ms)
) STRICT;

-- When a video joined a column (newest additions first in the editor's view).
ALTER TABLE topic_column_item ADD COLUMN added_at INTEGER NOT NULL DEFAULT 0;

-- Public reads carry Last-Modified: the newest change in the catalog, found by index.
CREATE INDEX video_by_updated ON video(updated_at);
CREATE INDEX video_by_publish ON video(publish_at);
CREATE INDEX topic_column_by_updated ON topic_column(updated_at);

-- Who changed what, when. Append-only: rows are never updated or deleted.
-- member_id has no foreign key so the record outlives the member.
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  member_id    TEXT NOT NULL,
  member_name  TEXT NOT NULL,
  action       TEXT NOT NULL,              -- e.g. 'column.create', 'video.update'
  target_type  TEXT NOT NULL CHECK (target_type IN ('video', 'column', 'category')),
  target_id    TEXT NOT NULL,
  detail       TEXT NOT NULL DEFAULT '{}'  -- JSON: the request's fields as applied
) STRICT;

CREATE INDEX audit_log_by_target ON audit_log(target_type, target_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Full-text search over videos. The text is pre-split by src/db/db_search.c: Chinese,
-- Japanese and Korean runs become overlapping two-character tokens (so two-character
-- queries like 劳模 match, which the trigram tokenizer cannot do), other words stay words.
CREATE VIRTUAL TABLE video_search USING fts5(
  video_id UNINDEXED, title, presenter, tags, description,
  tokenize = 'porter unicode61 remove_diacritics 2'
);
