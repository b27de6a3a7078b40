//! The write of an append as one statement: the new events, the fund's new head and the automatic
//! snapshots taken along the way. One round trip whatever the batch size, and — outside a
//! transaction — the whole append in one implicit transaction (see `append_optimistic`).

use chrono::{DateTime, Utc};
use domain::fund::{FundEvent, FundState, CURRENT_SCHEMA_VERSION};
use sqlx::types::Json;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::append::EventMetadata;
use super::rows::EventColumns;
use super::StoreError;

/// What the fund's head must still be for an append validated without its row lock to apply.
pub(super) struct ExpectedHead {
    pub version: u64,
    pub last_recorded_at: DateTime<Utc>,
    /// The earliest new effective date: no stored event may be later (a chronological append).
    pub min_new_effective_at: DateTime<Utc>,
    /// Companies with actuals in the batch: if one has a forecast and the fund has enabled rules,
    /// the append may raise alerts, which only the locked path does.
    pub actual_companies: Vec<Uuid>,
}

/// Where an append writes its head, events and snapshots. `UNNEST` over `head` writes nothing
/// when the head's guard (the `{guard}` below) does not hold.
const WRITE_SQL: &str = "
WITH head AS (
    UPDATE funds SET version = $2, last_recorded_at = $3, revision = revision + 1,
        max_effective_at = GREATEST(COALESCE(max_effective_at, $4), $4)
    WHERE id = $1 {guard}
    RETURNING id
), new_events AS (
    INSERT INTO fund_events
        (fund_id, version, event_type, schema_version, payload, company_id, effective_at, recorded_at, metadata)
    SELECT head.id, n.v, n.t, $5, n.p, n.c, n.e, $3, $6
    FROM head, UNNEST($7::bigint[], $8::text[], $9::jsonb[], $10::uuid[], $11::timestamptz[]) AS n(v, t, p, c, e)
), new_snapshots AS (
    INSERT INTO fund_snapshots (fund_id, version, effective_at, kind, event_count, state)
    SELECT head.id, s.v, s.e, 'automatic', s.c, s.s
    FROM head, UNNEST($12::bigint[], $13::timestamptz[], $14::bigint[], $15::jsonb[]) AS s(v, e, c, s)
)
SELECT count(*) FROM head";

const EXPECTED_HEAD_GUARD: &str = "AND version = $16 AND last_recorded_at = $17 AND last_recorded_at <= $3
      AND (max_effective_at IS NULL OR max_effective_at <= $18)
      AND NOT (EXISTS (SELECT 1 FROM alert_rules r WHERE r.fund_id = $1 AND r.enabled)
               AND EXISTS (SELECT 1 FROM fund_events f
                           WHERE f.fund_id = $1 AND f.event_type = 'FORECAST_CREATED' AND f.company_id = ANY($19)))";

static LOCKED_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| WRITE_SQL.replace("{guard}", ""));
static EXPECTED_SQL: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| WRITE_SQL.replace("{guard}", EXPECTED_HEAD_GUARD));

/// Writes `events` (numbered, all with the same recorded time) and `snapshots` (index into
/// `events` of the event each one ends at, and the state there). With `expected`, writes only if
/// the head still matches and returns whether it did; without, the caller holds the row lock.
pub(super) async fn write_append(
    conn: &mut PgConnection,
    fund_id: Uuid,
    events: &[FundEvent],
    metadata: &EventMetadata,
    snapshots: &[(usize, FundState)],
    expected: Option<&ExpectedHead>,
) -> Result<bool, StoreError> {
    let first = events.first().expect("non-empty batch");
    let last = events.last().expect("non-empty batch");
    let max_effective = events.iter().map(|e| e.effective_at).max().expect("non-empty batch");
    let sql: &str = if expected.is_some() { &EXPECTED_SQL } else { &LOCKED_SQL };
    let columns = EventColumns::of(events);
    let head = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(fund_id)
        .bind(last.version as i64)
        .bind(first.recorded_at)
        .bind(max_effective)
        .bind(CURRENT_SCHEMA_VERSION)
        .bind(Json(metadata));
    let mut query = columns
        .bind_to(head)
        .bind(snapshots.iter().map(|(i, _)| events[*i].version as i64).collect::<Vec<_>>())
        .bind(snapshots.iter().map(|(i, _)| events[*i].effective_at).collect::<Vec<_>>())
        .bind(snapshots.iter().map(|(_, s)| s.event_count as i64).collect::<Vec<_>>())
        .bind(snapshots.iter().map(|(_, s)| Json(s)).collect::<Vec<_>>());
    if let Some(e) = expected {
        query = query
            .bind(e.version as i64)
            .bind(e.last_recorded_at)
            .bind(e.min_new_effective_at)
            .bind(&e.actual_companies);
    }
    let row = query
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.constraint() == Some("fund_events_fund_version") => {
                StoreError::Conflict { expected: first.version - 1, current: first.version }
            }
            _ => StoreError::Database(e),
        })?;
    Ok(row.try_get::<i64, _>(0)? == 1)
}
