//! Re-taking the automatic snapshots that late events invalidated.
//!
//! A late event marks every snapshot at or after its effective date as stale from its version on,
//! so on a live fund that keeps receiving late records the state at a past date replays further
//! and further back. A background pass (`server`'s snapshot worker, on every replica) writes, for
//! each invalidated automatic snapshot, a new one at the same effective date as known at the
//! fund's head. The old one stays: it still serves questions about past knowledge.
//!
//! Safe with several processes: a pass holds the fund's row lock (`FOR UPDATE SKIP LOCKED`), which
//! appends take too, so no event is added while it works (the new snapshots are exact at the head,
//! and a later late event marks them stale as usual), and a fund another process is re-taking, or
//! that an append holds, is skipped until the next pass.

use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::head::try_lock_head;
use super::{Store, StoreError};

/// Snapshots re-taken per transaction: keeps the fund's row lock (and its appends) short.
const PER_PASS: i64 = 10;

impl Store {
    /// Re-takes up to `PER_PASS` invalidated snapshots of one fund that has some. Returns how many
    /// were handled; 0 when there is nothing to do or every fund with work is busy.
    pub async fn retake_invalidated_snapshots(&self) -> Result<usize, StoreError> {
        let funds: Vec<Uuid> = sqlx::query_scalar(
            "SELECT DISTINCT fund_id FROM fund_snapshots
             WHERE invalidated_by IS NOT NULL AND retaken_at IS NULL AND kind = 'automatic' LIMIT 20",
        )
        .fetch_all(&self.pool)
        .await?;
        for fund_id in funds {
            let handled = self.retake_for_fund(fund_id).await?;
            if handled > 0 {
                return Ok(handled);
            }
        }
        Ok(0)
    }

    async fn retake_for_fund(&self, fund_id: Uuid) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        let Some(head) = try_lock_head(&mut tx, fund_id).await? else {
            return Ok(0); // an append or another process holds the fund
        };
        // Pending dates, earliest first (each new snapshot then shortens the next one's replay),
        // and whether a valid snapshot already stands at that date.
        let rows = sqlx::query(
            "SELECT s.effective_at,
                    EXISTS (SELECT 1 FROM fund_snapshots v
                            WHERE v.fund_id = s.fund_id AND v.effective_at = s.effective_at AND v.invalidated_by IS NULL) AS covered
             FROM fund_snapshots s
             WHERE s.fund_id = $1 AND s.invalidated_by IS NOT NULL AND s.retaken_at IS NULL AND s.kind = 'automatic'
             GROUP BY s.fund_id, s.effective_at ORDER BY s.effective_at LIMIT $2",
        )
        .bind(fund_id)
        .bind(PER_PASS)
        .fetch_all(&mut *tx)
        .await?;
        let mut dates: Vec<DateTime<Utc>> = Vec::with_capacity(rows.len());
        for row in &rows {
            let at: DateTime<Utc> = row.try_get("effective_at")?;
            if !row.try_get::<bool, _>("covered")? {
                let state = self.state_in(&mut tx, fund_id, at, head.version).await?;
                self.insert_snapshot(&mut tx, fund_id, head.version, at, &state, "automatic", None).await?;
            }
            dates.push(at);
        }
        if dates.is_empty() {
            return Ok(0);
        }
        sqlx::query(
            "UPDATE fund_snapshots SET retaken_at = now()
             WHERE fund_id = $1 AND effective_at = ANY($2) AND invalidated_by IS NOT NULL AND retaken_at IS NULL AND kind = 'automatic'",
        )
        .bind(fund_id)
        .bind(&dates)
        .execute(&mut *tx)
        .await?;
        super::funds::bump_revision(&mut tx, fund_id).await?;
        tx.commit().await?;
        Ok(dates.len())
    }
}
