//! Durable reserve runs (`reserve_runs`): queued by a request, claimed by any server process with
//! `FOR UPDATE SKIP LOCKED`, kept alive by a heartbeat, finished with a result, an error or a
//! cancellation. Progress is written here (throttled by the worker) and announced with NOTIFY, so
//! a client connected to any process can follow a run another process executes.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::reserves::ReserveReport;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::Row;
use uuid::Uuid;

use super::{Store, StoreError};

/// NOTIFY channel that wakes reserve workers when a run is queued.
pub const RESERVE_QUEUE_CHANNEL: &str = "reserve_run_queue";
/// NOTIFY channel carrying the id of a run whose progress or status changed.
pub const RESERVE_EVENTS_CHANNEL: &str = "reserve_run_events";

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl RunStatus {
    pub const ALL: [RunStatus; 5] = [RunStatus::Queued, RunStatus::Running, RunStatus::Succeeded, RunStatus::Failed, RunStatus::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<RunStatus> {
        RunStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// No more progress will come.
    pub fn is_final(self) -> bool {
        matches!(self, RunStatus::Succeeded | RunStatus::Failed | RunStatus::Cancelled)
    }
}

/// A run to queue: the resolved request, with everything the engine needs to compute it again.
#[derive(Debug, Clone)]
pub struct NewReserveRun {
    pub fund_id: Uuid,
    pub requested_by: Option<Uuid>,
    pub actor: String,
    pub as_of: DateTime<Utc>,
    pub known_at: Option<DateTime<Utc>>,
    pub known_version: u64,
    pub seen_version: u64,
    pub iterations: u32,
    pub increment: Decimal,
    pub seed: u64,
    pub assumptions: serde_json::Value,
    pub input: serde_json::Value,
    pub params: serde_json::Value,
    pub cache_key: String,
}

/// A run as clients see it (without the engine input, which only the worker reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReserveRun {
    pub id: Uuid,
    pub fund_id: Uuid,
    pub requested_by: String,
    pub as_of: DateTime<Utc>,
    pub known_at: Option<DateTime<Utc>>,
    /// Highest version known at `known_at` when the run was requested.
    pub known_version: u64,
    /// Highest version among the events the ranking is computed from: the fund version it describes.
    pub fund_version: u64,
    pub iterations: u32,
    pub increment: Decimal,
    /// Seeds are u64; JSON carries them as strings so no client rounds them.
    #[serde(with = "seed_as_string")]
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub seed: u64,
    pub assumptions: serde_json::Value,
    pub status: RunStatus,
    pub progress: f64,
    pub phase: String,
    pub cancel_requested: bool,
    pub attempts: u32,
    pub queued_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    /// The `ReserveReport`, once succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_field: Option<String>,
    /// What identical requests share (see `reserves::service`); internal.
    #[serde(skip)]
    pub cache_key: String,
}

mod seed_as_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(seed: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&seed.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

/// A run claimed by one worker: its public row plus the engine input and parameters.
#[derive(Debug, Clone)]
pub struct ClaimedRun {
    pub run: ReserveRun,
    pub input: serde_json::Value,
    pub params: serde_json::Value,
}

/// How a claimed run ended.
#[derive(Debug, Clone)]
pub enum RunOutcome {
    Succeeded { result: serde_json::Value, duration_ms: i64 },
    Failed { error: String, field: Option<String> },
    Cancelled,
}

/// What a heartbeat learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heartbeat {
    /// Someone asked for the run to stop.
    pub cancel_requested: bool,
    /// False when another process took the run over (this one was presumed dead): stop quietly.
    pub still_ours: bool,
}

/// Every column but the engine input and parameters.
const RUN_COLUMNS: &str = "id, fund_id, requested_by_actor, as_of, known_at, known_version, seen_version, iterations,
    increment, seed, assumptions, status, progress, phase, cancel_requested, attempts, queued_at, started_at,
    finished_at, duration_ms, result, error, error_field, cache_key";

/// [`RUN_COLUMNS`] with a NULL result: what pages and listings read, since the report itself comes
/// from [`Store::reserve_report`] (decoded once per process, never stale: a succeeded run's result
/// never changes).
const RUN_META_COLUMNS: &str = "id, fund_id, requested_by_actor, as_of, known_at, known_version, seen_version, iterations,
    increment, seed, assumptions, status, progress, phase, cancel_requested, attempts, queued_at, started_at,
    finished_at, duration_ms, NULL::jsonb AS result, error, error_field, cache_key";

/// Runs listed per fund, newest first, at most.
pub const MAX_RUNS_LISTED: i64 = 100;

impl Store {
    /// Queues a run and wakes the workers (in one transaction, so a worker never sees a
    /// notification before the row). When an identical run is already in progress (another
    /// request queued it a moment ago, maybe on another process), returns that one instead.
    pub async fn queue_reserve_run(&self, new: &NewReserveRun) -> Result<ReserveRun, StoreError> {
        let mut tx = self.pool.begin().await?;
        let sql = format!(
            "INSERT INTO reserve_runs (id, fund_id, requested_by, requested_by_actor, as_of, known_at, known_version,
                 seen_version, iterations, increment, seed, assumptions, input, params, cache_key)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             ON CONFLICT (cache_key) WHERE status IN ('queued', 'running') AND NOT cancel_requested DO NOTHING
             RETURNING {RUN_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(Uuid::new_v4())
            .bind(new.fund_id)
            .bind(new.requested_by)
            .bind(&new.actor)
            .bind(new.as_of)
            .bind(new.known_at)
            .bind(new.known_version as i64)
            .bind(new.seen_version as i64)
            .bind(new.iterations as i32)
            .bind(new.increment)
            .bind(new.seed as i64)
            .bind(&new.assumptions)
            .bind(&new.input)
            .bind(&new.params)
            .bind(&new.cache_key)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            tx.rollback().await?;
            // The identical run in progress, or — if it finished meanwhile — its result.
            if let Some(run) = self.active_reserve_run_by_key(&new.cache_key).await? {
                return Ok(run);
            }
            return self.reserve_result_by_key(&new.cache_key).await?.ok_or_else(|| StoreError::Corrupt("an identical reserve run vanished".into()));
        };
        sqlx::query("SELECT pg_notify($1, '')").bind(RESERVE_QUEUE_CHANNEL).execute(&mut *tx).await?;
        // The Reserves tab shows runs in progress: its cached pages must not outlive this.
        super::funds::bump_revision(&mut tx, new.fund_id).await?;
        tx.commit().await?;
        run_from_row(&row)
    }

    /// The newest run still in progress for `as_of` (and `known_at`), whatever its settings.
    pub async fn reserve_run_in_progress(
        &self,
        fund_id: Uuid,
        as_of: DateTime<Utc>,
        known_at: Option<DateTime<Utc>>,
    ) -> Result<Option<ReserveRun>, StoreError> {
        self.one_run(
            "WHERE fund_id = $1 AND as_of = $2 AND known_at IS NOT DISTINCT FROM $3 AND status IN ('queued', 'running')
             ORDER BY queued_at DESC LIMIT 1",
            |q| q.bind(fund_id).bind(as_of).bind(known_at),
        )
        .await
    }

    /// The newest succeeded run with this cache key (computed by any process).
    pub async fn reserve_result_by_key(&self, cache_key: &str) -> Result<Option<ReserveRun>, StoreError> {
        self.one_run(
            "WHERE cache_key = $1 AND status = 'succeeded' ORDER BY finished_at DESC LIMIT 1",
            |q| q.bind(cache_key.to_string()),
        )
        .await
    }

    /// A queued or running run with this key that nobody asked to stop: an identical request joins it.
    pub async fn active_reserve_run_by_key(&self, cache_key: &str) -> Result<Option<ReserveRun>, StoreError> {
        self.one_run(
            "WHERE cache_key = $1 AND status IN ('queued', 'running') AND NOT cancel_requested ORDER BY queued_at LIMIT 1",
            |q| q.bind(cache_key.to_string()),
        )
        .await
    }

    /// One run of a fund.
    pub async fn reserve_run(&self, fund_id: Uuid, run_id: Uuid) -> Result<Option<ReserveRun>, StoreError> {
        self.one_run("WHERE fund_id = $1 AND id = $2", |q| q.bind(fund_id).bind(run_id)).await
    }

    /// One run by id, whatever its fund (the progress hub, which has checked access already).
    pub async fn reserve_run_by_id(&self, run_id: Uuid) -> Result<Option<ReserveRun>, StoreError> {
        self.one_run("WHERE id = $1", |q| q.bind(run_id)).await
    }

    /// The newest result computed for `as_of` (and `known_at`, `None` meaning "as known then").
    pub async fn latest_reserve_result(
        &self,
        fund_id: Uuid,
        as_of: DateTime<Utc>,
        known_at: Option<DateTime<Utc>>,
    ) -> Result<Option<ReserveRun>, StoreError> {
        self.one_run(
            "WHERE fund_id = $1 AND as_of = $2 AND known_at IS NOT DISTINCT FROM $3 AND status = 'succeeded'
             ORDER BY seen_version DESC, finished_at DESC LIMIT 1",
            |q| q.bind(fund_id).bind(as_of).bind(known_at),
        )
        .await
    }

    /// The newest succeeded run for the date (as [`Self::latest_reserve_result`]) without its
    /// result column, and its report from the per-process report cache.
    pub async fn latest_reserve_ranking(
        &self,
        fund_id: Uuid,
        as_of: DateTime<Utc>,
        known_at: Option<DateTime<Utc>>,
    ) -> Result<Option<(ReserveRun, Arc<ReserveReport>)>, StoreError> {
        // Kept per fund revision: a run's finish or cancellation bumps it in the same statement.
        let key = (fund_id, self.fund_head(fund_id).await?.revision, as_of, known_at);
        let run = super::kept(&self.caches.latest_rankings, key, async { Ok(self.read_latest_reserve_run(fund_id, as_of, known_at).await?.map(Arc::new)) }).await?;
        let Some(run) = run else { return Ok(None) };
        let report = self.reserve_report(run.id).await?;
        Ok(Some(((*run).clone(), report)))
    }

    async fn read_latest_reserve_run(&self, fund_id: Uuid, as_of: DateTime<Utc>, known_at: Option<DateTime<Utc>>) -> Result<Option<ReserveRun>, StoreError> {
        let sql = format!(
            "SELECT {RUN_META_COLUMNS} FROM reserve_runs
             WHERE fund_id = $1 AND as_of = $2 AND known_at IS NOT DISTINCT FROM $3 AND status = 'succeeded'
             ORDER BY seen_version DESC, finished_at DESC LIMIT 1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(fund_id).bind(as_of).bind(known_at).fetch_optional(&self.pool).await?;
        row.as_ref().map(run_from_row).transpose()
    }

    /// The report of succeeded run `run_id`, decoded once per process (a succeeded run's result
    /// never changes, so the cached copy is never stale).
    pub async fn reserve_report(&self, run_id: Uuid) -> Result<Arc<ReserveReport>, StoreError> {
        super::kept(&self.caches.reserve_reports, run_id, async {
            let result: Option<sqlx::types::Json<ReserveReport>> =
                sqlx::query_scalar("SELECT result FROM reserve_runs WHERE id = $1 AND status = 'succeeded' AND result IS NOT NULL")
                    .bind(run_id)
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(Arc::new(result.ok_or_else(|| StoreError::Corrupt(format!("reserve run {run_id} has no result")))?.0))
        })
        .await
    }

    /// A fund's runs, newest first, without their results.
    pub async fn reserve_runs(&self, fund_id: Uuid, limit: i64) -> Result<Vec<ReserveRun>, StoreError> {
        let sql = format!("SELECT {RUN_META_COLUMNS} FROM reserve_runs WHERE fund_id = $1 ORDER BY queued_at DESC, id LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(fund_id).bind(limit.clamp(1, MAX_RUNS_LISTED)).fetch_all(&self.pool).await?;
        rows.iter().map(run_from_row).collect()
    }

    /// Asks a run to stop. A queued run is cancelled at once; a running one is flagged, and its
    /// executing process notices at its next heartbeat. Finished runs are left as they are.
    pub async fn cancel_reserve_run(&self, fund_id: Uuid, run_id: Uuid) -> Result<Option<ReserveRun>, StoreError> {
        let sql = format!(
            "WITH changed AS (
                 UPDATE reserve_runs SET cancel_requested = true,
                        status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
                        phase = CASE WHEN status = 'queued' THEN 'cancelled' ELSE phase END,
                        finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END
                 WHERE fund_id = $1 AND id = $2 AND status IN ('queued', 'running')
                 RETURNING id, fund_id),
             bumped AS (UPDATE funds SET revision = revision + 1 WHERE id IN (SELECT fund_id FROM changed))
             SELECT pg_notify('{RESERVE_EVENTS_CHANNEL}', id::text) FROM changed"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(fund_id).bind(run_id).execute(&self.pool).await?;
        self.reserve_run(fund_id, run_id).await
    }

    /// Claims the oldest run to do: a queued one, or a running one whose executing process has not
    /// sent a heartbeat for `stale_after` (it is presumed dead and the run starts over, with the
    /// same seed, so with the same result). `worker` names the claiming process.
    pub async fn claim_reserve_run(&self, worker: &str, stale_after: std::time::Duration) -> Result<Option<ClaimedRun>, StoreError> {
        let stale_ms = stale_after.as_millis().min(i64::MAX as u128) as i64;
        let sql = format!(
            "UPDATE reserve_runs SET status = 'running', phase = 'starting', claimed_by = $1, heartbeat_at = now(),
                    started_at = now(), attempts = attempts + 1, progress = 0
             WHERE id = (
                 SELECT id FROM reserve_runs
                 WHERE (status = 'queued' OR (status = 'running' AND heartbeat_at < now() - $2 * interval '1 millisecond'))
                 ORDER BY queued_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING {RUN_COLUMNS}, input, params"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(worker).bind(stale_ms).fetch_optional(&self.pool).await?;
        let Some(row) = row else { return Ok(None) };
        let claimed = ClaimedRun { run: run_from_row(&row)?, input: row.try_get("input")?, params: row.try_get("params")? };
        self.notify_run_changed(claimed.run.id).await?;
        Ok(Some(claimed))
    }

    /// Tells the world the run is alive; with `progress`, records it (and announces the change).
    pub async fn reserve_run_heartbeat(&self, run_id: Uuid, worker: &str, progress: Option<(f64, &str)>) -> Result<Heartbeat, StoreError> {
        let (fraction, phase) = match progress {
            Some((f, p)) => (Some(f.clamp(0.0, 1.0)), Some(p.to_string())),
            None => (None, None),
        };
        let sql = format!(
            "WITH beat AS (
                 UPDATE reserve_runs SET heartbeat_at = now(),
                        progress = GREATEST(progress, COALESCE($3, progress)), phase = COALESCE($4, phase)
                 WHERE id = $1 AND claimed_by = $2 AND status = 'running'
                 RETURNING id, cancel_requested),
             announced AS (SELECT pg_notify('{RESERVE_EVENTS_CHANNEL}', id::text) FROM beat WHERE $3::float8 IS NOT NULL)
             SELECT cancel_requested, (SELECT count(*) FROM announced) AS announced FROM beat"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(run_id).bind(worker).bind(fraction).bind(phase).fetch_optional(&self.pool).await?;
        Ok(match row {
            Some(r) => Heartbeat { cancel_requested: r.try_get("cancel_requested")?, still_ours: true },
            None => Heartbeat { cancel_requested: false, still_ours: false },
        })
    }

    /// Records how a claimed run ended. False when the run is no longer this worker's (another
    /// process took it over), in which case nothing is written.
    pub async fn finish_reserve_run(&self, run_id: Uuid, worker: &str, outcome: &RunOutcome) -> Result<bool, StoreError> {
        let (status, result, duration, error, field) = match outcome {
            RunOutcome::Succeeded { result, duration_ms } => ("succeeded", Some(result), Some(*duration_ms), None, None),
            RunOutcome::Failed { error, field } => ("failed", None, None, Some(error.as_str()), field.as_deref()),
            RunOutcome::Cancelled => ("cancelled", None, None, None, None),
        };
        let sql = format!(
            "WITH done AS (
                 UPDATE reserve_runs SET status = $3, phase = $3, result = $4, duration_ms = $5, error = $6, error_field = $7,
                        progress = CASE WHEN $3 = 'succeeded' THEN 1 ELSE progress END, finished_at = now(), heartbeat_at = now()
                 WHERE id = $1 AND claimed_by = $2 AND status = 'running'
                 RETURNING id, fund_id),
             bumped AS (UPDATE funds SET revision = revision + 1 WHERE id IN (SELECT fund_id FROM done))
             SELECT pg_notify('{RESERVE_EVENTS_CHANNEL}', id::text) FROM done"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(run_id)
            .bind(worker)
            .bind(status)
            .bind(result)
            .bind(duration)
            .bind(error)
            .bind(field)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Runs per status, across every fund (for `/metrics`).
    pub async fn reserve_run_counts(&self) -> Result<Vec<(RunStatus, i64)>, StoreError> {
        let rows = sqlx::query("SELECT status, count(*) AS n FROM reserve_runs GROUP BY status").fetch_all(&self.pool).await?;
        let mut counts: Vec<(RunStatus, i64)> = RunStatus::ALL.iter().map(|s| (*s, 0)).collect();
        for r in rows {
            let status: String = r.try_get("status")?;
            if let (Some(s), n) = (RunStatus::parse(&status), r.try_get::<i64, _>("n")?) {
                if let Some(slot) = counts.iter_mut().find(|(k, _)| *k == s) {
                    slot.1 = n;
                }
            }
        }
        Ok(counts)
    }

    /// Events after `after_version` that the state at (`as_of`, `known_version`) applies, newest
    /// first (what changed since a ranking): version, type, effective date, company.
    pub async fn events_since(
        &self,
        fund_id: Uuid,
        after_version: u64,
        as_of: DateTime<Utc>,
        known_version: u64,
        limit: i64,
    ) -> Result<Vec<(u64, String, DateTime<Utc>, Option<Uuid>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, event_type, effective_at, company_id FROM fund_events
             WHERE fund_id = $1 AND version > $2 AND effective_at <= $3 AND version <= $4
             ORDER BY version DESC LIMIT $5",
        )
        .bind(fund_id)
        .bind(after_version as i64)
        .bind(as_of)
        .bind(known_version as i64)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<i64, _>("version")? as u64, r.try_get("event_type")?, r.try_get("effective_at")?, r.try_get("company_id")?)))
            .collect()
    }

    /// Funds with events recorded after their newest reserve run for today (or a later date) and
    /// none in the last `quiet_for`: candidates for a fresh ranking of today.
    pub async fn funds_changed_since_ranking(&self, quiet_for: std::time::Duration) -> Result<Vec<Uuid>, StoreError> {
        let quiet_ms = quiet_for.as_millis().min(i64::MAX as u128) as i64;
        Ok(sqlx::query_scalar(
            "SELECT f.id FROM funds f
             WHERE f.version > 0 AND f.last_recorded_at < now() - $1 * interval '1 millisecond'
               AND f.last_recorded_at > coalesce((SELECT max(queued_at) FROM reserve_runs r WHERE r.fund_id = f.id AND r.as_of >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), '-infinity')",
        )
        .bind(quiet_ms)
        .fetch_all(&self.pool)
        .await?)
    }

    /// For each date in `dates` that has a ranking computed as known on that date
    /// (`known_at = as_of`), its companies: (as_of, name, follow-on multiple, recommended, rank).
    pub async fn rankings_as_known_then(
        &self,
        fund_id: Uuid,
        dates: &[DateTime<Utc>],
    ) -> Result<Vec<(DateTime<Utc>, String, f64, Decimal, i32)>, StoreError> {
        let rows = sqlx::query(
            "SELECT r.as_of, c->>'name' AS name, (c->>'follow_on_multiple')::float8 AS multiple,
                    (c->>'recommended_allocation')::numeric AS recommended, (c->>'rank')::int AS rank
             FROM (SELECT DISTINCT ON (as_of) as_of, result FROM reserve_runs
                   WHERE fund_id = $1 AND status = 'succeeded' AND as_of = ANY($2) AND known_at = as_of
                   ORDER BY as_of, seen_version DESC, finished_at DESC) r,
                  jsonb_array_elements(r.result->'companies') c
             WHERE c->'follow_on_not_applicable' IS NULL OR c->'follow_on_not_applicable' = 'null'::jsonb
             ORDER BY r.as_of, rank",
        )
        .bind(fund_id)
        .bind(dates)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("as_of")?, r.try_get("name")?, r.try_get("multiple")?, r.try_get("recommended")?, r.try_get("rank")?)))
            .collect()
    }

    /// Which of `dates` have a run in progress as known on that date.
    pub async fn dates_in_progress_as_known_then(&self, fund_id: Uuid, dates: &[DateTime<Utc>]) -> Result<Vec<DateTime<Utc>>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT as_of FROM reserve_runs WHERE fund_id = $1 AND as_of = ANY($2) AND known_at = as_of AND status IN ('queued', 'running')",
        )
        .bind(fund_id)
        .bind(dates)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn notify_run_changed(&self, run_id: Uuid) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)").bind(RESERVE_EVENTS_CHANNEL).bind(run_id.to_string()).execute(&self.pool).await?;
        Ok(())
    }

    async fn one_run<'q>(
        &self,
        clause: &str,
        bind: impl FnOnce(
            sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
        ) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    ) -> Result<Option<ReserveRun>, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM reserve_runs {clause}");
        let row = bind(sqlx::query(sqlx::AssertSqlSafe(sql))).fetch_optional(&self.pool).await?;
        row.as_ref().map(run_from_row).transpose()
    }
}

fn run_from_row(row: &PgRow) -> Result<ReserveRun, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(ReserveRun {
        id: row.try_get("id")?,
        fund_id: row.try_get("fund_id")?,
        requested_by: row.try_get("requested_by_actor")?,
        as_of: row.try_get("as_of")?,
        known_at: row.try_get("known_at")?,
        known_version: row.try_get::<i64, _>("known_version")? as u64,
        fund_version: row.try_get::<i64, _>("seen_version")? as u64,
        iterations: row.try_get::<i32, _>("iterations")? as u32,
        increment: row.try_get("increment")?,
        seed: row.try_get::<i64, _>("seed")? as u64,
        assumptions: row.try_get("assumptions")?,
        status: RunStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("reserve run status {status:?}")))?,
        progress: row.try_get("progress")?,
        phase: row.try_get("phase")?,
        cancel_requested: row.try_get("cancel_requested")?,
        attempts: row.try_get::<i32, _>("attempts")? as u32,
        queued_at: row.try_get("queued_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        duration_ms: row.try_get("duration_ms")?,
        result: row.try_get("result")?,
        error: row.try_get("error")?,
        error_field: row.try_get("error_field")?,
        cache_key: row.try_get("cache_key")?,
    })
}
