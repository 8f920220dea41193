-- 0007_video_delete: soft delete of videos. A deleted video keeps its row (the audit log,
-- the points ledger and watch history refer to it) but is gone from every list, search and
-- lookup; its media files are removed after [storage] deleted_grace (media_purged_at).

ALTER TABLE video ADD COLUMN deleted_at INTEGER;
ALTER TABLE video ADD COLUMN deleted_by TEXT;
ALTER TABLE video ADD COLUMN media_purged_at INTEGER;

-- The purge looks only at deleted videos whose files are still there.
CREATE INDEX video_to_purge ON video(deleted_at) WHERE deleted_at IS NOT NULL AND media_purged_at IS NULL;
