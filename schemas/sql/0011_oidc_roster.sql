-- 0011_oidc_roster: the union's single sign-on and member roster (issue 17 items 1 and 3).
-- roster: the union's member list as imported (member number, name, unit; a phone or ID
--   number only as an HMAC under the server secret, never in clear).
-- member_identity: which provider account (issuer, subject) is which member, with the member
--   number and unit its claims gave at the last sign-in.
-- oidc_pending: sign-ins sent to the provider and not back yet, by the HMAC of their state;
--   the PKCE verifier and nonce are derived from the state under the server secret, so
--   nothing here lets anyone finish a sign-in. A row is used once and expires.
CREATE TABLE roster (
  member_number  TEXT PRIMARY KEY CHECK (length(member_number) BETWEEN 1 AND 64),
  name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  unit           TEXT NOT NULL DEFAULT '' CHECK (length(unit) <= 200),
  contact_hash   TEXT NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE member_identity (
  issuer         TEXT NOT NULL,
  subject        TEXT NOT NULL,
  member_id      TEXT NOT NULL REFERENCES member(id) ON DELETE CASCADE,
  member_number  TEXT NOT NULL DEFAULT '',
  unit           TEXT NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL,
  last_sign_in_at INTEGER NOT NULL,
  PRIMARY KEY (issuer, subject)
) STRICT;

CREATE INDEX member_identity_by_member ON member_identity(member_id);

CREATE TABLE oidc_pending (
  state_hash     TEXT PRIMARY KEY,
  return_to      TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL CHECK (expires_at > created_at)
) STRICT;
