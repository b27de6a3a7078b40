//! What the ledger import and export read: a fund's whole history, and the files uploaded from the
//! browser between their preview and their import.

use chrono::{DateTime, Utc};
use domain::fund::FundEvent;
use sqlx::Row;
use uuid::Uuid;

use super::rows::event_from_text_row;
use super::{Store, StoreError};

/// Largest ledger file kept (10,000 rows of the widest kind fit in well under this).
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;

/// A ledger file uploaded for a fund.
#[derive(Debug, Clone)]
pub struct LedgerUpload {
    pub id: Uuid,
    pub fund_id: Uuid,
    pub file_name: String,
    pub body: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Every stored event of the fund in canonical order (effective date, then version), and the
    /// fund's version they make up.
    pub async fn history(&self, fund_id: Uuid) -> Result<(u64, Vec<FundEvent>), StoreError> {
        let mut tx = self.pool.begin().await?;
        // One snapshot of the table: the version and the events agree.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(&mut *tx).await?;
        let version: Option<i64> = sqlx::query_scalar("SELECT version FROM funds WHERE id = $1").bind(fund_id).fetch_optional(&mut *tx).await?;
        let Some(version) = version else { return Err(StoreError::FundNotFound(fund_id)) };
        let rows = sqlx::query(
            "SELECT version, event_type, schema_version, payload::text AS payload_text, effective_at, recorded_at FROM fund_events
             WHERE fund_id = $1 AND version <= $2 ORDER BY effective_at, version",
        )
        .bind(fund_id)
        .bind(version)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let events = rows.iter().map(event_from_text_row).collect::<Result<Vec<_>, _>>()?;
        Ok((version as u64, events))
    }

    /// Keeps an uploaded file for its preview; drops uploads older than a day on the way.
    pub async fn save_ledger_upload(&self, fund_id: Uuid, user_id: Option<Uuid>, file_name: &str, body: &[u8]) -> Result<Uuid, StoreError> {
        self.fund_version(fund_id).await?;
        sqlx::query("DELETE FROM ledger_uploads WHERE created_at < now() - interval '1 day'").execute(&self.pool).await?;
        let id = Uuid::new_v4();
        sqlx::query("INSERT INTO ledger_uploads (id, fund_id, user_id, file_name, body) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(fund_id)
            .bind(user_id)
            .bind(file_name)
            .bind(body)
            .execute(&self.pool)
            .await?;
        Ok(id)
    }

    /// An upload of this fund less than a day old.
    pub async fn ledger_upload(&self, fund_id: Uuid, id: Uuid) -> Result<LedgerUpload, StoreError> {
        let row = sqlx::query(
            "SELECT file_name, body, created_at FROM ledger_uploads
             WHERE id = $1 AND fund_id = $2 AND created_at >= now() - interval '1 day'",
        )
        .bind(id)
        .bind(fund_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::UploadNotFound(id))?;
        Ok(LedgerUpload { id, fund_id, file_name: row.try_get("file_name")?, body: row.try_get("body")?, created_at: row.try_get("created_at")? })
    }

    /// Forgets an upload once imported.
    pub async fn delete_ledger_upload(&self, fund_id: Uuid, id: Uuid) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM ledger_uploads WHERE id = $1 AND fund_id = $2").bind(id).bind(fund_id).execute(&self.pool).await?;
        Ok(())
    }
}
