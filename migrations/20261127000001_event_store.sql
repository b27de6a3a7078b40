-- The bitemporal event store behind the Time Machine.

CREATE TABLE funds (
    id               UUID PRIMARY KEY,
    name             TEXT NOT NULL,
    size             NUMERIC(28, 8) NOT NULL CHECK (size > 0),
    vintage          INTEGER,
    -- Highest event version; the row is locked (FOR UPDATE) while appending, which orders appends.
    version          BIGINT NOT NULL DEFAULT 0,
    -- recorded_at of the last event: new events get max(now, this) so recorded time never goes back.
    last_recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Latest effective date among the events: an append before it is "late" and may invalidate snapshots.
    max_effective_at TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE fund_events (
    fund_id        UUID NOT NULL REFERENCES funds (id),
    version        BIGINT NOT NULL CHECK (version > 0),
    event_type     TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    payload        JSONB NOT NULL,
    company_id     UUID,
    effective_at   TIMESTAMPTZ NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    -- Who made it: actor, address, user agent.
    metadata       JSONB NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT fund_events_fund_version UNIQUE (fund_id, version)
);
CREATE INDEX fund_events_by_effective ON fund_events (fund_id, effective_at, version);
CREATE INDEX fund_events_by_recorded ON fund_events (fund_id, recorded_at, version);

-- Events are facts: the database itself refuses to change or remove them.
CREATE FUNCTION fund_events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'fund_events is append-only: % refused; record a correcting event instead', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER fund_events_no_update_delete
    BEFORE UPDATE OR DELETE ON fund_events
    FOR EACH ROW EXECUTE FUNCTION fund_events_are_immutable();
CREATE TRIGGER fund_events_no_truncate
    BEFORE TRUNCATE ON fund_events
    FOR EACH STATEMENT EXECUTE FUNCTION fund_events_are_immutable();

CREATE TABLE fund_snapshots (
    id             BIGSERIAL PRIMARY KEY,
    fund_id        UUID NOT NULL REFERENCES funds (id),
    -- Covers every event with version <= version and effective_at <= effective_at.
    version        BIGINT NOT NULL,
    effective_at   TIMESTAMPTZ NOT NULL,
    -- First later version with effective_at <= this snapshot's: from that knowledge on it is stale.
    invalidated_by BIGINT,
    kind           TEXT NOT NULL CHECK (kind IN ('automatic', 'manual')),
    description    TEXT,
    event_count    BIGINT NOT NULL,
    state          JSONB NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX fund_snapshots_lookup ON fund_snapshots (fund_id, effective_at DESC, version DESC);

-- A retried append with the same key returns the first answer and writes nothing.
CREATE TABLE idempotency_keys (
    fund_id      UUID NOT NULL REFERENCES funds (id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     JSONB NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (fund_id, key)
);
