-- 0017_articles: articles (Markdown rendered on the server), their places in columns beside
-- videos, their search index, and members' reading credit (issue 20; docs/articles.md).

-- An article. body_md is what the editor wrote; body_html is cmark's safe rendering of it,
-- made when the body is saved (readers never pay for rendering); read_seconds is the
-- reading-time estimate of the body (docs/articles.md "Reading time").
-- Public when status = 'published' and publish_from <= now < publish_until (each optional).
CREATE TABLE article (
  id             INTEGER PRIMARY KEY,
  title          TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  summary        TEXT NOT NULL DEFAULT '' CHECK (length(summary) <= 500),
  body_md        TEXT NOT NULL DEFAULT '' CHECK (length(body_md) <= 100000),
  body_html      TEXT NOT NULL DEFAULT '',
  read_seconds   INTEGER NOT NULL CHECK (read_seconds >= 0),
  cover_url      TEXT,
  status         TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  publish_from   INTEGER,
  publish_until  INTEGER,
  published_at   INTEGER,                      -- first time it was published
  created_by     TEXT,                         -- member id (no foreign key: outlives members)
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  deleted_at     INTEGER                       -- deleted: in no list, search or column
) STRICT;

CREATE INDEX article_by_status ON article(status, publish_from);

-- An article's place in a column, in the same order as the column's videos: POSITION is the
-- number of the column's videos (in their order) that come before it, so the videos keep
-- their own 0..n-1 positions and an article stays where it was put when videos are
-- reordered around it. Articles at the same place are ordered by SEQ.
CREATE TABLE topic_column_article (
  column_id   INTEGER NOT NULL REFERENCES topic_column(id) ON DELETE CASCADE,
  article_id  INTEGER NOT NULL REFERENCES article(id) ON DELETE CASCADE,
  position    INTEGER NOT NULL CHECK (position >= 0),
  seq         INTEGER NOT NULL DEFAULT 0,
  added_at    INTEGER NOT NULL,
  PRIMARY KEY (column_id, article_id)
) STRICT;

CREATE INDEX topic_column_article_by_article ON topic_column_article(article_id);

-- The same tokenising as video_search (db_search_tokens: CJK pairs, words stemmed).
CREATE VIRTUAL TABLE article_search USING fts5(
  article_id UNINDEXED, title, summary, body,
  tokenize = 'porter unicode61 remove_diacritics 2'
);

-- A member's reading of an article: credited seconds (server clock, while visible, at most
-- the article's estimate) and when it was paid. One row per member and article: reading
-- earns once.
CREATE TABLE article_read (
  member_id    TEXT NOT NULL,
  article_id   INTEGER NOT NULL REFERENCES article(id),
  credited     INTEGER NOT NULL DEFAULT 0 CHECK (credited >= 0),
  need         INTEGER NOT NULL,               -- seconds required when it was first read
  completed_at INTEGER,                        -- reached NEED
  points       INTEGER NOT NULL DEFAULT 0,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (member_id, article_id)
) STRICT, WITHOUT ROWID;
