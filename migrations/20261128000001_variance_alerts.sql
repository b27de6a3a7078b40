-- Variance alerts: rules per fund, notification settings, alerts and their delivery outbox.

CREATE TABLE alert_rules (
    id            UUID PRIMARY KEY,
    fund_id       UUID NOT NULL REFERENCES funds (id),
    -- NULL: every metric.
    metric        TEXT CHECK (metric IN ('REVENUE', 'EBITDA', 'CASH_BURN', 'ARR', 'VALUATION')),
    comparison    TEXT NOT NULL CHECK (comparison IN ('below', 'above', 'outside')),
    threshold     NUMERIC(28, 8) NOT NULL CHECK (threshold > 0),
    unit          TEXT NOT NULL CHECK (unit IN ('percent', 'absolute')),
    severity      TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical', 'urgent')),
    channels      TEXT[] NOT NULL CHECK (channels <@ ARRAY['in_app', 'webhook', 'email'] AND cardinality(channels) > 0),
    -- Measured between the actuals' effective dates (see domain::variance::rules).
    cooldown_days INTEGER NOT NULL CHECK (cooldown_days >= 0),
    enabled       BOOLEAN NOT NULL DEFAULT true,
    position      INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX alert_rules_by_fund ON alert_rules (fund_id, position, created_at);

CREATE TABLE notification_settings (
    fund_id        UUID PRIMARY KEY REFERENCES funds (id),
    webhook_url    TEXT,
    webhook_secret TEXT,
    email_to       TEXT[] NOT NULL DEFAULT '{}',
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE alerts (
    id                  UUID PRIMARY KEY,
    fund_id             UUID NOT NULL REFERENCES funds (id),
    -- The rule may be deleted later; its description and severity are kept on the alert.
    rule_id             UUID REFERENCES alert_rules (id) ON DELETE SET NULL,
    rule_description    TEXT NOT NULL,
    severity            TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical', 'urgent')),
    company_id          UUID NOT NULL,
    metric              TEXT NOT NULL,
    period              DATE NOT NULL,
    -- The ACTUAL_RECORDED event (fund_id, version) that raised it.
    actual_version      BIGINT NOT NULL,
    actual_effective_at TIMESTAMPTZ NOT NULL,
    actual              NUMERIC(28, 8) NOT NULL,
    forecast            NUMERIC(28, 8) NOT NULL,
    forecast_version    BIGINT NOT NULL,
    forecast_basis      TEXT NOT NULL CHECK (forecast_basis IN ('known', 'recorded_later')),
    variance            NUMERIC(28, 8) NOT NULL,
    variance_pct        NUMERIC(28, 8),
    state               TEXT NOT NULL DEFAULT 'unread' CHECK (state IN ('unread', 'read', 'resolved')),
    resolution_note     TEXT,
    read_at             TIMESTAMPTZ,
    resolved_at         TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT alerts_one_per_rule_and_actual UNIQUE (fund_id, actual_version, rule_id)
);
CREATE INDEX alerts_inbox ON alerts (fund_id, created_at DESC);
CREATE INDEX alerts_cooldown ON alerts (fund_id, rule_id, company_id, metric, actual_effective_at);

-- One row per alert and channel, written in the transaction that records the actual. Workers
-- claim due rows with FOR UPDATE SKIP LOCKED and mark them in the claim's own transaction.
CREATE TABLE alert_outbox (
    id              BIGSERIAL PRIMARY KEY,
    alert_id        UUID NOT NULL REFERENCES alerts (id),
    fund_id         UUID NOT NULL REFERENCES funds (id),
    channel         TEXT NOT NULL CHECK (channel IN ('in_app', 'webhook', 'email')),
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error      TEXT,
    delivered_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT alert_outbox_one_per_channel UNIQUE (alert_id, channel)
);
CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at) WHERE status = 'pending';

-- Funds that existed before variance tracking get the default rules a new fund gets.
INSERT INTO alert_rules (id, fund_id, metric, comparison, threshold, unit, severity, channels, cooldown_days, position)
SELECT md5(f.id::text || d.position::text)::uuid, f.id, d.metric, d.comparison, d.threshold, 'percent', d.severity, ARRAY['in_app'], 30, d.position
FROM funds f
CROSS JOIN (VALUES
    (0, 'REVENUE', 'below', 20, 'warning'),
    (1, 'REVENUE', 'below', 40, 'critical'),
    (2, 'CASH_BURN', 'above', 25, 'warning')
) AS d(position, metric, comparison, threshold, severity);
