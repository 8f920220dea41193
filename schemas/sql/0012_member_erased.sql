-- 0012_member_erased: when an admin erased a member's personal data (issue 17, docs/privacy.md).
-- The row stays, under a pseudonym, so the points ledger and the statistics keep their
-- member; NULL for every member not erased. Set once: erasing again changes nothing.
ALTER TABLE member ADD COLUMN erased_at INTEGER;

-- A member's data export lists their watch sessions; without this it would read them all.
CREATE INDEX watch_session_by_member ON watch_session(member_id) WHERE member_id IS NOT NULL;
