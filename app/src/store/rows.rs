//! Decoding stored rows into domain values, and the columns of new event rows.

use chrono::{DateTime, Utc};
use domain::error::DomainError;
use domain::fund::{EventPayload, FundEvent};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{Postgres, Row};
use uuid::Uuid;

use super::StoreError;


pub fn event_from_row(row: &PgRow) -> Result<FundEvent, StoreError> {
    let payload: serde_json::Value = row.try_get("payload")?;
    event_with_payload(row, |event_type, schema_version| EventPayload::from_stored(event_type, schema_version, payload))
}

/// `event_from_row` for the replay queries, which select `payload::text AS payload_text`: the
/// payload is decoded straight from its text (see `EventPayload::from_stored_text`).
pub fn event_from_text_row(row: &PgRow) -> Result<FundEvent, StoreError> {
    let payload: &str = row.try_get("payload_text")?;
    event_with_payload(row, |event_type, schema_version| EventPayload::from_stored_text(event_type, schema_version, payload))
}

/// The row's event, its payload decoded by `decode(event_type, schema_version)`.
fn event_with_payload(row: &PgRow, decode: impl FnOnce(&str, i32) -> Result<EventPayload, DomainError>) -> Result<FundEvent, StoreError> {
    let event_type: &str = row.try_get("event_type")?;
    let schema_version: i32 = row.try_get("schema_version")?;
    let version: i64 = row.try_get("version")?;
    let effective_at: DateTime<Utc> = row.try_get("effective_at")?;
    let recorded_at: DateTime<Utc> = row.try_get("recorded_at")?;
    let payload = decode(event_type, schema_version).map_err(|e| StoreError::Corrupt(format!("event {version}: {e}")))?;
    Ok(FundEvent { version: version as u64, effective_at, recorded_at, payload })
}

/// New `fund_events` rows as one array per column, for the `UNNEST` inserts of appends and imports
/// (appends record a whole batch at one instant, so `recorded_at` is not among them).
pub struct EventColumns {
    pub versions: Vec<i64>,
    pub event_types: Vec<&'static str>,
    pub payloads: Vec<serde_json::Value>,
    pub company_ids: Vec<Option<Uuid>>,
    pub effective_at: Vec<DateTime<Utc>>,
}

impl EventColumns {
    /// Binds the columns, in the order above (version, type, payload, company, effective date),
    /// as `query`'s next five parameters.
    pub fn bind_to<'q>(self, query: Query<'q, Postgres, PgArguments>) -> Query<'q, Postgres, PgArguments> {
        query.bind(self.versions).bind(self.event_types).bind(self.payloads).bind(self.company_ids).bind(self.effective_at)
    }

    pub fn of(events: &[FundEvent]) -> Self {
        EventColumns {
            versions: events.iter().map(|e| e.version as i64).collect(),
            event_types: events.iter().map(|e| e.payload.event_type()).collect(),
            payloads: events.iter().map(|e| e.payload.to_stored()).collect(),
            company_ids: events.iter().map(|e| e.payload.company_id()).collect(),
            effective_at: events.iter().map(|e| e.effective_at).collect(),
        }
    }
}
