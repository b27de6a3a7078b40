-- Bumped by every write that changes what a fund's pages show (events, snapshots, alerts, rules),
-- so rendered pages can be cached and revalidated with one indexed read, on any replica.
ALTER TABLE funds ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
