//! Decoding stored rows into domain values.

use chrono::{DateTime, Utc};
use domain::fund::{EventPayload, FundEvent};
use sqlx::postgres::PgRow;
use sqlx::Row;

use super::StoreError;


pub fn event_from_row(row: &PgRow) -> Result<FundEvent, StoreError> {
    let event_type: String = row.try_get("event_type")?;
    let schema_version: i32 = row.try_get("schema_version")?;
    let payload: serde_json::Value = row.try_get("payload")?;
    let version: i64 = row.try_get("version")?;
    let effective_at: DateTime<Utc> = row.try_get("effective_at")?;
    let recorded_at: DateTime<Utc> = row.try_get("recorded_at")?;
    let payload = EventPayload::from_stored(&event_type, schema_version, payload)
        .map_err(|e| StoreError::Corrupt(format!("event {version}: {e}")))?;
    Ok(FundEvent { version: version as u64, effective_at, recorded_at, payload })
}

/// `event_from_row` for the replay queries, which select `payload::text AS payload_text`: the
/// payload is decoded straight from its text (see `EventPayload::from_stored_text`).
pub fn event_from_text_row(row: &PgRow) -> Result<FundEvent, StoreError> {
    let event_type: &str = row.try_get("event_type")?;
    let schema_version: i32 = row.try_get("schema_version")?;
    let payload: &str = row.try_get("payload_text")?;
    let version: i64 = row.try_get("version")?;
    let effective_at: DateTime<Utc> = row.try_get("effective_at")?;
    let recorded_at: DateTime<Utc> = row.try_get("recorded_at")?;
    let payload = EventPayload::from_stored_text(event_type, schema_version, payload)
        .map_err(|e| StoreError::Corrupt(format!("event {version}: {e}")))?;
    Ok(FundEvent { version: version as u64, effective_at, recorded_at, payload })
}
