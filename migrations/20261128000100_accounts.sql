-- Accounts, per-fund roles, API tokens, server-side sessions, login throttling and share links.

CREATE TABLE users (
    id             UUID PRIMARY KEY,
    -- Stored lower-cased; compared lower-cased.
    email          TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND position('@' in email) > 1),
    -- argon2id PHC string; never logged.
    password_hash  TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Changes whenever the password changes: sessions made with the old one stop working.
    session_epoch  UUID NOT NULL
);

CREATE TABLE fund_members (
    fund_id     UUID NOT NULL REFERENCES funds(id),
    user_id     UUID NOT NULL REFERENCES users(id),
    role        TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    granted_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (fund_id, user_id)
);
CREATE INDEX fund_members_user ON fund_members (user_id);

-- Bearer tokens for the REST API: shown once, stored as SHA-256 (tokens are 256 random bits, so a
-- fast hash is enough). A token acts for its user, capped at `max_role` in every fund.
CREATE TABLE api_tokens (
    id            UUID PRIMARY KEY,
    user_id       UUID NOT NULL REFERENCES users(id),
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash    BYTEA NOT NULL UNIQUE,
    max_role      TEXT NOT NULL CHECK (max_role IN ('viewer', 'analyst', 'admin')),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- tower-sessions records (shared by every server process).
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    data        JSONB NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed logins, counted per account and per address over a sliding window.
CREATE TABLE login_failures (
    id          BIGSERIAL PRIMARY KEY,
    email       TEXT NOT NULL,
    address     TEXT NOT NULL,
    failed_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email ON login_failures (email, failed_at);
CREATE INDEX login_failures_address ON login_failures (address, failed_at);

-- Secrets the server processes share (e.g. the share-link signing key), created on first start.
CREATE TABLE server_secrets (
    name        TEXT PRIMARY KEY,
    secret      BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A read-only view of one hub tab at fixed dates. The link carries id and expiry, signed (HMAC).
CREATE TABLE share_links (
    id           UUID PRIMARY KEY,
    fund_id      UUID NOT NULL REFERENCES funds(id),
    tab          TEXT NOT NULL CHECK (tab IN ('overview', 'time-machine', 'variance', 'reserves')),
    as_of        DATE NOT NULL,
    known_at     TIMESTAMPTZ,
    created_by   UUID NOT NULL REFERENCES users(id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    revoked_by   UUID REFERENCES users(id)
);
CREATE INDEX share_links_fund ON share_links (fund_id, created_at DESC);
