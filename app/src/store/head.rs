//! The head of a fund's stream: its version and the two times appends order themselves by.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::StoreError;

/// The `funds` row's stream columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Head {
    pub version: u64,
    /// recorded_at of the last event (new events get max(now, this)).
    pub last_recorded_at: DateTime<Utc>,
    /// Latest effective date among the events; `None` before the first.
    pub max_effective_at: Option<DateTime<Utc>>,
}

/// The head, locked until the end of the caller's transaction: this orders appends to one fund.
pub(super) async fn lock_head(conn: &mut PgConnection, fund_id: Uuid) -> Result<Head, StoreError> {
    select_head(conn, fund_id, "FOR UPDATE").await?.ok_or(StoreError::FundNotFound(fund_id))
}

/// The head, locked as `lock_head` does, or `None` at once when another transaction holds it.
pub(super) async fn try_lock_head(conn: &mut PgConnection, fund_id: Uuid) -> Result<Option<Head>, StoreError> {
    select_head(conn, fund_id, "FOR UPDATE SKIP LOCKED").await
}

/// The head as last committed (no lock).
pub(super) async fn read_head(conn: &mut PgConnection, fund_id: Uuid) -> Result<Head, StoreError> {
    select_head(conn, fund_id, "").await?.ok_or(StoreError::FundNotFound(fund_id))
}

/// The head row with `locking` (a row-locking clause, or nothing); `None` when no row was read.
async fn select_head(conn: &mut PgConnection, fund_id: Uuid, locking: &'static str) -> Result<Option<Head>, StoreError> {
    let sql = format!("SELECT version, last_recorded_at, max_effective_at FROM funds WHERE id = $1 {locking}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(fund_id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(head_from_row).transpose()
}

fn head_from_row(row: &PgRow) -> Result<Head, StoreError> {
    Ok(Head {
        version: row.try_get::<i64, _>("version")? as u64,
        last_recorded_at: row.try_get("last_recorded_at")?,
        max_effective_at: row.try_get("max_effective_at")?,
    })
}
