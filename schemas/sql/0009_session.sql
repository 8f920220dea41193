-- 0009_session: browser sessions (issue 17). The browser holds a random id in a cookie; only
-- its HMAC-SHA256 under the server secret is stored, so a copy of the database does not sign
-- anyone in. A session ends at expires_at (absolute) or idle_timeout seconds after last_seen_at.
CREATE TABLE session (
  id_hash       TEXT PRIMARY KEY,
  member_id     TEXT NOT NULL REFERENCES member(id) ON DELETE CASCADE,
  method        TEXT NOT NULL CHECK (method IN ('token', 'password', 'link', 'oidc')),
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL CHECK (expires_at > created_at)
) STRICT;

CREATE INDEX session_by_member ON session(member_id);
CREATE INDEX session_by_expiry ON session(expires_at);
