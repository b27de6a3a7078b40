use chrono::{DateTime, Utc};
use domain::fund::FundState;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::head::Head;
use super::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SnapshotInfo {
    pub id: i64,
    pub version: u64,
    pub effective_at: DateTime<Utc>,
    pub invalidated_by: Option<u64>,
    pub kind: String,
    pub description: Option<String>,
    pub event_count: u64,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// A manual snapshot of the fund as known now, with the user's description.
    pub async fn create_snapshot(&self, fund_id: Uuid, description: &str) -> Result<SnapshotInfo, StoreError> {
        let description = description.trim();
        if description.is_empty() || description.chars().count() > 500 {
            return Err(StoreError::invalid("description", "must be 1 to 500 characters"));
        }
        let mut tx = self.pool.begin().await?;
        let head = super::head::lock_head(&mut tx, fund_id).await?;
        let version = head.version;
        let effective_at: DateTime<Utc> = head.max_effective_at.unwrap_or_else(Utc::now);
        let state = self.latest_state(&mut tx, fund_id, &Head { max_effective_at: Some(effective_at), ..head }).await?;
        let id = self.insert_snapshot(&mut tx, fund_id, version, effective_at, &state, "manual", Some(description)).await?;
        super::funds::bump_revision(&mut tx, fund_id).await?;
        tx.commit().await?;
        self.snapshot(fund_id, id).await
    }

    /// The fund's snapshots, newest first; kept per (fund, revision), which every snapshot taken,
    /// invalidated or retaken bumps.
    pub async fn snapshots(&self, fund_id: Uuid) -> Result<std::sync::Arc<Vec<SnapshotInfo>>, StoreError> {
        let key = (fund_id, self.fund_head(fund_id).await?.revision);
        super::kept(&self.caches.snapshot_lists, key, async {
            let rows = sqlx::query(
                "SELECT id, version, effective_at, invalidated_by, kind, description, event_count, created_at
                 FROM fund_snapshots WHERE fund_id = $1 ORDER BY version DESC, id DESC LIMIT 500",
            )
            .bind(fund_id)
            .fetch_all(&self.pool)
            .await?;
            Ok(std::sync::Arc::new(rows.iter().map(info_from_row).collect::<Result<Vec<_>, _>>()?))
        })
        .await
    }

    pub async fn snapshot(&self, fund_id: Uuid, id: i64) -> Result<SnapshotInfo, StoreError> {
        let row = sqlx::query(
            "SELECT id, version, effective_at, invalidated_by, kind, description, event_count, created_at
             FROM fund_snapshots WHERE fund_id = $1 AND id = $2",
        )
        .bind(fund_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::SnapshotNotFound(id))?;
        info_from_row(&row)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) async fn insert_snapshot(
        &self,
        conn: &mut PgConnection,
        fund_id: Uuid,
        version: u64,
        effective_at: DateTime<Utc>,
        state: &FundState,
        kind: &str,
        description: Option<&str>,
    ) -> Result<i64, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO fund_snapshots (fund_id, version, effective_at, kind, description, event_count, state)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(fund_id)
        .bind(version as i64)
        .bind(effective_at)
        .bind(kind)
        .bind(description)
        .bind(state.event_count as i64)
        .bind(serde_json::to_value(state)?)
        .fetch_one(&mut *conn)
        .await?;
        Ok(id)
    }
}

fn info_from_row(row: &sqlx::postgres::PgRow) -> Result<SnapshotInfo, StoreError> {
    Ok(SnapshotInfo {
        id: row.try_get("id")?,
        version: row.try_get::<i64, _>("version")? as u64,
        effective_at: row.try_get("effective_at")?,
        invalidated_by: row.try_get::<Option<i64>, _>("invalidated_by")?.map(|v| v as u64),
        kind: row.try_get("kind")?,
        description: row.try_get("description")?,
        event_count: row.try_get::<i64, _>("event_count")? as u64,
        created_at: row.try_get("created_at")?,
    })
}
