-- 0002_columns: themed columns (专题专栏) and their ordered items.
-- The table is topic_column, not "column": COLUMN is an SQL keyword.

CREATE TABLE topic_column (
  id            INTEGER PRIMARY KEY,
  slug          TEXT NOT NULL UNIQUE
                CHECK (length(slug) BETWEEN 1 AND 64 AND slug NOT GLOB '*[^a-z0-9-]*'),
  title         TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  description   TEXT NOT NULL DEFAULT '',
  cover         TEXT,
  archived      INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
  publish_from  INTEGER,
  publish_until INTEGER,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE topic_column_item (
  column_id  INTEGER NOT NULL REFERENCES topic_column(id) ON DELETE CASCADE,
  video_id   TEXT NOT NULL REFERENCES video(id) ON DELETE CASCADE,
  position   INTEGER NOT NULL CHECK (position >= 0),
  featured   INTEGER NOT NULL DEFAULT 0 CHECK (featured IN (0, 1)),
  PRIMARY KEY (column_id, video_id),
  UNIQUE (column_id, position)
) STRICT;

CREATE INDEX topic_column_item_by_video ON topic_column_item(video_id);
