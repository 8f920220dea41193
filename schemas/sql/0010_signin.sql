-- 0010_signin: signing in without a provider (issue 17) — a sign-in name and password per
-- member (argon2id, libsodium's self-describing string), one-time sign-in links an admin
-- sends (their HMAC only), and recent failed attempts for rate limiting (kept for the
-- window only, the account and the address as HMACs: no address is stored in clear).
CREATE TABLE member_login (
  member_id      TEXT PRIMARY KEY REFERENCES member(id) ON DELETE CASCADE,
  login_name     TEXT NOT NULL UNIQUE COLLATE NOCASE
                 CHECK (length(login_name) BETWEEN 1 AND 64),
  password_hash  TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  updated_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE signin_link (
  token_hash   TEXT PRIMARY KEY,
  member_id    TEXT NOT NULL REFERENCES member(id) ON DELETE CASCADE,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL CHECK (expires_at > created_at),
  used_at      INTEGER
) STRICT;

CREATE INDEX signin_link_by_member ON signin_link(member_id);

CREATE TABLE signin_failure (
  id        INTEGER PRIMARY KEY,
  scope     TEXT NOT NULL CHECK (scope IN ('account', 'address')),
  subject   TEXT NOT NULL,
  at        INTEGER NOT NULL
) STRICT;

CREATE INDEX signin_failure_by_subject ON signin_failure(scope, subject, at);
