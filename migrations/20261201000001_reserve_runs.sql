-- Optimal Reserves: durable reserve runs, executed by any server process.
--
-- A run holds everything it needs to be executed again with the same result (the engine input and
-- parameters it was resolved to, with the seed), so a process that dies mid-run costs only time:
-- another claims the run once its heartbeat is older than the configured limit.

CREATE TABLE reserve_runs (
    id               UUID PRIMARY KEY,
    fund_id          UUID NOT NULL REFERENCES funds (id),
    -- Who asked: the user (NULL for runs the server queued itself) and the actor text events use.
    requested_by     UUID,
    requested_by_actor TEXT NOT NULL,
    -- The dates the ranking describes, and the fund as those dates see it.
    as_of            TIMESTAMPTZ NOT NULL,
    known_at         TIMESTAMPTZ,
    -- Highest version known at known_at (the fund's head for "known now").
    known_version    BIGINT NOT NULL,
    -- Highest version among the events the state at (as_of, known_at) applies.
    seen_version     BIGINT NOT NULL,
    iterations       INTEGER NOT NULL CHECK (iterations > 0),
    increment        NUMERIC(28, 8) NOT NULL CHECK (increment > 0),
    -- u64 seed stored as its two's-complement i64.
    seed             BIGINT NOT NULL,
    assumptions      JSONB NOT NULL,
    -- The engine input (portfolio, exclusions) and parameters (model, constraints with sources).
    input            JSONB NOT NULL,
    params           JSONB NOT NULL,
    -- SHA-256 of everything that determines the answer: identical requests share one result.
    cache_key        TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    progress         DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    phase            TEXT NOT NULL DEFAULT 'queued',
    cancel_requested BOOLEAN NOT NULL DEFAULT false,
    -- The process executing it (host:pid:worker) and when it last said it was alive.
    claimed_by       TEXT,
    heartbeat_at     TIMESTAMPTZ,
    attempts         INTEGER NOT NULL DEFAULT 0,
    queued_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ,
    -- Milliseconds the successful execution took (the simulation, not the wait in the queue).
    duration_ms      BIGINT,
    result           JSONB,
    error            TEXT,
    error_field      TEXT,
    CHECK ((status = 'succeeded') = (result IS NOT NULL))
);

-- The queue: oldest first among runs still to do.
CREATE INDEX reserve_runs_queue ON reserve_runs (queued_at) WHERE status IN ('queued', 'running');
-- A fund's recent runs, and the result for a date.
CREATE INDEX reserve_runs_by_fund ON reserve_runs (fund_id, queued_at DESC);
CREATE INDEX reserve_runs_by_date ON reserve_runs (fund_id, as_of, finished_at DESC) WHERE status = 'succeeded';
-- An identical request finds the stored result, or the run already working on it; at most one
-- run per key is in progress at a time, whichever process queues it.
CREATE INDEX reserve_runs_by_key ON reserve_runs (cache_key, status);
CREATE UNIQUE INDEX reserve_runs_one_in_progress ON reserve_runs (cache_key)
    WHERE status IN ('queued', 'running') AND NOT cancel_requested;
-- The run in progress for a date (the Reserves tab follows it).
CREATE INDEX reserve_runs_in_progress ON reserve_runs (fund_id, as_of) WHERE status IN ('queued', 'running');

-- Named scenarios: a run's inputs and result frozen under a name, to open and compare later.
CREATE TABLE reserve_scenarios (
    id          UUID PRIMARY KEY,
    fund_id     UUID NOT NULL REFERENCES funds (id),
    run_id      UUID NOT NULL REFERENCES reserve_runs (id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    description TEXT NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    -- Copies, so the scenario stays what it was whatever happens to the run.
    as_of       TIMESTAMPTZ NOT NULL,
    known_at    TIMESTAMPTZ,
    fund_version BIGINT NOT NULL,
    iterations  INTEGER NOT NULL,
    increment   NUMERIC(28, 8) NOT NULL,
    seed        BIGINT NOT NULL,
    result      JSONB NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX reserve_scenarios_by_fund ON reserve_scenarios (fund_id, created_at DESC);
