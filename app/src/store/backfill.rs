//! Snapshots for an imported history, in effective-date order.
//!
//! Appends take their automatic snapshots at the fund's latest effective date. A history full of
//! late events (actuals recorded weeks after the period they cover) invalidates almost all of
//! them, so "the fund as we know it now, at a past date" had to replay from the beginning. Once a
//! history is imported, every event is known, so snapshots at the final version every
//! SNAPSHOT_FREQUENCY events in effective order stay valid until the next late event, and bound
//! that replay. The snapshots the appends wrote stay: they serve questions about past knowledge.

use chrono::{DateTime, Utc};
use domain::fund::{evolve, FundState};
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::rows::event_from_row;
use super::{Store, StoreError};

impl Store {
    /// Writes the snapshots described above for the fund's events as of `version` (its head).
    pub(super) async fn backfill_snapshots(&self, conn: &mut PgConnection, fund_id: Uuid, version: u64) -> Result<usize, StoreError> {
        let rows = sqlx::query(
            "SELECT version, event_type, schema_version, payload, effective_at, recorded_at FROM fund_events
             WHERE fund_id = $1 AND version <= $2 ORDER BY effective_at, version",
        )
        .bind(fund_id)
        .bind(version as i64)
        .fetch_all(&mut *conn)
        .await?;
        let mut snapshots: Vec<(DateTime<Utc>, FundState)> = Vec::new();
        let mut state = FundState::default();
        let mut since_last = 0;
        let mut next = rows.iter().map(event_from_row).peekable();
        while let Some(event) = next.next() {
            let event = event?;
            state = evolve(state, &event);
            since_last += 1;
            // A snapshot holds every event at its effective date: only at the end of a run.
            let run_ends = match next.peek() {
                Some(Ok(n)) => n.effective_at != event.effective_at,
                _ => true,
            };
            if since_last >= self.snapshot_every && run_ends && next.peek().is_some() {
                since_last = 0;
                snapshots.push((event.effective_at, state.clone()));
            }
        }
        for chunk in snapshots.chunks(20) {
            sqlx::query(
                "INSERT INTO fund_snapshots (fund_id, version, effective_at, kind, event_count, state)
                 SELECT $1, $2, s.e, 'automatic', s.c, s.s FROM UNNEST($3::timestamptz[], $4::bigint[], $5::jsonb[]) AS s(e, c, s)",
            )
            .bind(fund_id)
            .bind(version as i64)
            .bind(chunk.iter().map(|(at, _)| *at).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(_, s)| s.event_count as i64).collect::<Vec<_>>())
            .bind(chunk.iter().map(|(_, s)| Json(s)).collect::<Vec<_>>())
            .execute(&mut *conn)
            .await?;
        }
        Ok(snapshots.len())
    }
}
