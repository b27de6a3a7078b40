-- Who changed access or alerting, when and from where (issue 12, #14). Rows are only ever
-- inserted, in the same transaction as the change they record.
CREATE TABLE audit_log (
    id              BIGSERIAL PRIMARY KEY,
    -- The fund the change belongs to; NULL for a user's own API tokens, which belong to no fund.
    fund_id         UUID REFERENCES funds (id),
    -- Whose API token it is, for token entries (fund_id NULL): the fund's admins see the token
    -- entries of its members.
    account_id      UUID REFERENCES users (id),
    -- NULL when the change came from the command line (admin CLI, seeding).
    actor_user_id   UUID REFERENCES users (id),
    actor_token_id  UUID,
    address         TEXT,
    -- e.g. 'share_link.create', 'member.role', 'alert.resolve' (store::audit::AuditAction).
    action          TEXT NOT NULL,
    -- The id of what changed (a link, token, rule, alert or user).
    subject         TEXT NOT NULL,
    -- What happened, in words, as the admins' audit page shows it.
    summary         TEXT NOT NULL,
    detail          JSONB NOT NULL DEFAULT '{}',
    at              TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_fund ON audit_log (fund_id, id DESC) WHERE fund_id IS NOT NULL;
CREATE INDEX audit_log_account ON audit_log (account_id, id DESC) WHERE fund_id IS NULL;

-- Who resolved an alert.
ALTER TABLE alerts ADD COLUMN resolved_by UUID REFERENCES users (id);
