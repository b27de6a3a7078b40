use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::fund::FundState;
use domain::time_machine::replay;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::head::{read_head, Head};
use super::rows::event_from_text_row;
use super::{Store, StoreError};

/// The fund as of a business date, as known at a recorded time.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StateAt {
    pub as_of: DateTime<Utc>,
    /// `None` means "as we know it now".
    pub known_at: Option<DateTime<Utc>>,
    /// The highest event version that was known at `known_at`.
    pub version: u64,
    pub state: Arc<FundState>,
}

/// What a state read by [`Store::state`] is kept under (`Store::states`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct StateKey {
    fund_id: Uuid,
    /// `None` at the head (every date after the last effective one sees the same state).
    as_of: Option<DateTime<Utc>>,
    known_version: u64,
    /// When `known_version` is the head: its recorded time.
    head_recorded_at: Option<DateTime<Utc>>,
}

impl Store {
    /// `state(fund, as_of, known_at)`: from the best usable snapshot plus replay of what follows
    /// it, which equals a full replay of the qualifying events (see `SnapshotMeta::usable_for`).
    pub async fn state(
        &self,
        fund_id: Uuid,
        as_of: DateTime<Utc>,
        known_at: Option<DateTime<Utc>>,
    ) -> Result<StateAt, StoreError> {
        let mut conn = self.pool.acquire().await?;
        // A page request read the head already (`Store::with_head`); anything else reads it now.
        let head = match self.head_of(fund_id) {
            Some(h) => Head { version: h.version, last_recorded_at: h.last_recorded_at, max_effective_at: h.max_effective_at },
            None => read_head(&mut conn, fund_id).await?,
        };
        let current = head.version;
        let known_version = match known_at {
            Some(k) if k < head.last_recorded_at => known_version_at(&mut conn, fund_id, k).await?,
            _ => current,
        };
        let at_head = known_version == current && head.max_effective_at.is_none_or(|m| as_of >= m);
        // The state depends only on the fund, the date and the events known (append-only, so a
        // version names a fixed set); at the head, the date past the last effective one does not
        // matter, and the head's recorded time tells this process's uncommitted append apart.
        let key = StateKey {
            fund_id,
            as_of: (!at_head).then_some(as_of),
            known_version,
            head_recorded_at: (known_version == current).then_some(head.last_recorded_at),
        };
        let state = super::kept(&self.caches.states, key, async {
            Ok(Arc::new(if at_head {
                self.latest_state(&mut conn, fund_id, &head).await?
            } else {
                self.state_in(&mut conn, fund_id, as_of, known_version).await?
            }))
        })
        .await?;
        Ok(StateAt { as_of, known_at, version: known_version, state })
    }

    /// The whole fund as known at its head, from the cache when still current.
    pub(super) async fn latest_state(&self, conn: &mut PgConnection, fund_id: Uuid, head: &Head) -> Result<FundState, StoreError> {
        if let Some(l) = self.caches.latest.get(&fund_id) {
            if l.version == head.version && l.last_recorded_at == head.last_recorded_at {
                return Ok(l.state.clone());
            }
        }
        let Some(as_of) = head.max_effective_at else { return Ok(FundState::default()) };
        let state = self.state_in(conn, fund_id, as_of, head.version).await?;
        self.remember_latest(fund_id, head.version, head.last_recorded_at, Some(state.clone()));
        Ok(state)
    }

    /// Snapshot + replay on a given connection (inside a transaction it sees that transaction's rows).
    pub(super) async fn state_in(
        &self,
        conn: &mut PgConnection,
        fund_id: Uuid,
        as_of: DateTime<Utc>,
        known_version: u64,
    ) -> Result<FundState, StoreError> {
        let snapshot = sqlx::query(
            "SELECT id, effective_at FROM fund_snapshots
             WHERE fund_id = $1 AND effective_at <= $2 AND version <= $3
               AND (invalidated_by IS NULL OR invalidated_by > $3)
             ORDER BY effective_at DESC, version DESC LIMIT 1",
        )
        .bind(fund_id)
        .bind(as_of)
        .bind(known_version as i64)
        .fetch_optional(&mut *conn)
        .await?;
        let (base, after): (FundState, Option<DateTime<Utc>>) = match snapshot {
            Some(row) => {
                let id: i64 = row.try_get("id")?;
                (self.snapshot_state(conn, id).await?.as_ref().clone(), Some(row.try_get("effective_at")?))
            }
            None => (FundState::default(), None),
        };
        let rows = events_after(conn, fund_id, known_version, as_of, after).await?;
        let events = rows.iter().map(event_from_text_row).collect::<Result<Vec<_>, _>>()?;
        Ok(replay::replay(base, &events))
    }

    /// A snapshot's state, decoded once per process (snapshots never change; only their
    /// `invalidated_by` does, and that is read from the database on every lookup).
    async fn snapshot_state(&self, conn: &mut PgConnection, id: i64) -> Result<Arc<FundState>, StoreError> {
        super::kept(&self.caches.snapshots, id, async {
            // Decoded straight from the JSON text: going through a `serde_json::Value` took twice as long.
            let json: sqlx::types::Json<FundState> = sqlx::query_scalar("SELECT state FROM fund_snapshots WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
            Ok(Arc::new(json.0))
        })
        .await
    }
}

/// Stored events effective in (after, as_of], known at `known_version`, in canonical order, with
/// their payloads as JSON text.
///
/// Two statements rather than one with `($4 IS NULL OR effective_at > $4)`: PostgreSQL caches a
/// generic plan for a prepared statement after a few runs, and a generic plan cannot use an
/// optional parameter as the index's lower bound, so it read the fund's events from its first one
/// on every query (the long tail of `state` on a large fund).
async fn events_after(
    conn: &mut PgConnection,
    fund_id: Uuid,
    known_version: u64,
    as_of: DateTime<Utc>,
    after: Option<DateTime<Utc>>,
) -> Result<Vec<sqlx::postgres::PgRow>, StoreError> {
    let query = match after {
        Some(after) => sqlx::query(
            "SELECT version, event_type, schema_version, payload::text AS payload_text, effective_at, recorded_at FROM fund_events
             WHERE fund_id = $1 AND effective_at > $4 AND effective_at <= $3 AND version <= $2
             ORDER BY effective_at, version",
        )
        .bind(fund_id)
        .bind(known_version as i64)
        .bind(as_of)
        .bind(after),
        None => sqlx::query(
            "SELECT version, event_type, schema_version, payload::text AS payload_text, effective_at, recorded_at FROM fund_events
             WHERE fund_id = $1 AND effective_at <= $3 AND version <= $2
             ORDER BY effective_at, version",
        )
        .bind(fund_id)
        .bind(known_version as i64)
        .bind(as_of),
    };
    Ok(query.fetch_all(&mut *conn).await?)
}

/// The highest version recorded at or before `known_at` (recorded time never decreases with version).
async fn known_version_at(conn: &mut PgConnection, fund_id: Uuid, known_at: DateTime<Utc>) -> Result<u64, StoreError> {
    let v: Option<i64> = sqlx::query_scalar(
        "SELECT version FROM fund_events WHERE fund_id = $1 AND recorded_at <= $2
         ORDER BY recorded_at DESC, version DESC LIMIT 1",
    )
    .bind(fund_id)
    .bind(known_at)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(v.unwrap_or(0) as u64)
}
