-- 0020_member_image: pictures members upload for their text submissions, and the author an
-- article is credited to (issue 21, docs/submissions.md).

-- Who uploaded which image of the image store (<data_dir>/images/<name>): members' uploads are
-- personal data (exported; on erasure the rows go, and the files no published work uses).
-- One row per member and image: the same picture sent twice counts once against the daily limit.
CREATE TABLE member_image (
  member_id   TEXT NOT NULL,
  name        TEXT NOT NULL,            -- "<hash>.<ext>", served as /images/<name>
  bytes       INTEGER NOT NULL CHECK (bytes > 0),
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (member_id, name)
) STRICT, WITHOUT ROWID;
CREATE INDEX member_image_name ON member_image(name);
CREATE INDEX member_image_recent ON member_image(member_id, created_at);

-- The name an article is credited to (display text, like a video's presenter): an accepted
-- text's author, or what an editor writes. '' : none shown.
ALTER TABLE article ADD COLUMN author TEXT NOT NULL DEFAULT '' CHECK (length(author) <= 100);
