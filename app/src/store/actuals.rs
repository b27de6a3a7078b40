//! What variance reads: forecast versions and actuals as known at a time, and the fund's companies.

use chrono::{DateTime, Utc};
use domain::variance::{ActualFact, ForecastVersion};
use sqlx::Row;
use uuid::Uuid;

use super::rows::event_from_row;
use super::{Store, StoreError};

/// The forecasts and actuals effective by `as_of` and known at `version`.
#[derive(Debug, Clone, Default)]
pub struct VarianceFacts {
    pub version: u64,
    pub forecasts: Vec<ForecastVersion>,
    pub actuals: Vec<ActualFact>,
}

/// A company as first added to the fund.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyEntry {
    pub id: Uuid,
    pub name: String,
    pub added_at: DateTime<Utc>,
}

impl Store {
    /// `known_at = None` means as known now.
    pub async fn variance_facts(
        &self,
        fund_id: Uuid,
        as_of: DateTime<Utc>,
        known_at: Option<DateTime<Utc>>,
    ) -> Result<VarianceFacts, StoreError> {
        let version = self.known_version(fund_id, known_at).await?;
        let rows = sqlx::query(
            "SELECT version, event_type, schema_version, payload, effective_at, recorded_at FROM fund_events
             WHERE fund_id = $1 AND event_type IN ('FORECAST_CREATED', 'ACTUAL_RECORDED') AND version <= $2 AND effective_at <= $3
               AND NOT EXISTS (SELECT 1 FROM fund_events r WHERE r.fund_id = $1 AND r.event_type = 'EVENT_REVERSED'
                               AND (r.payload->>'reverses')::bigint = fund_events.version AND r.version <= $2)
             ORDER BY effective_at, version",
        )
        .bind(fund_id)
        .bind(version as i64)
        .bind(as_of)
        .fetch_all(&self.pool)
        .await?;
        let mut facts = VarianceFacts { version, ..Default::default() };
        for row in &rows {
            let e = event_from_row(row)?;
            facts.forecasts.extend(ForecastVersion::from_event(&e));
            facts.actuals.extend(ActualFact::from_event(&e));
        }
        // Forecasts for a period may be made (or recorded) after `as_of`: an actual effective by
        // then is still compared with what was known at its own date, so load them all.
        let later = sqlx::query(
            "SELECT version, event_type, schema_version, payload, effective_at, recorded_at FROM fund_events
             WHERE fund_id = $1 AND event_type = 'FORECAST_CREATED' AND version <= $2 AND effective_at > $3
               AND NOT EXISTS (SELECT 1 FROM fund_events r WHERE r.fund_id = $1 AND r.event_type = 'EVENT_REVERSED'
                               AND (r.payload->>'reverses')::bigint = fund_events.version AND r.version <= $2)",
        )
        .bind(fund_id)
        .bind(version as i64)
        .bind(as_of)
        .fetch_all(&self.pool)
        .await?;
        for row in &later {
            facts.forecasts.extend(ForecastVersion::from_event(&event_from_row(row)?));
        }
        Ok(facts)
    }

    /// The fund's companies in the order they were added (an addition since reversed is left out).
    pub async fn companies(&self, fund_id: Uuid) -> Result<Vec<CompanyEntry>, StoreError> {
        self.fund_version(fund_id).await?;
        let rows = sqlx::query(
            "SELECT company_id, payload->>'name' AS name, effective_at FROM fund_events
             WHERE fund_id = $1 AND event_type = 'COMPANY_ADDED'
               AND NOT EXISTS (SELECT 1 FROM fund_events r WHERE r.fund_id = $1 AND r.event_type = 'EVENT_REVERSED'
                               AND (r.payload->>'reverses')::bigint = fund_events.version)
             ORDER BY version",
        )
        .bind(fund_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(CompanyEntry { id: r.try_get("company_id")?, name: r.try_get("name")?, added_at: r.try_get("effective_at")? }))
            .collect()
    }

    /// The highest version recorded by `known_at` (all of them when `None`).
    pub async fn known_version(&self, fund_id: Uuid, known_at: Option<DateTime<Utc>>) -> Result<u64, StoreError> {
        let current = self.fund_version(fund_id).await?;
        let Some(k) = known_at else { return Ok(current) };
        let v: Option<i64> = sqlx::query_scalar(
            "SELECT version FROM fund_events WHERE fund_id = $1 AND recorded_at <= $2 ORDER BY recorded_at DESC, version DESC LIMIT 1",
        )
        .bind(fund_id)
        .bind(k)
        .fetch_optional(&self.pool)
        .await?;
        Ok(v.unwrap_or(0) as u64)
    }
}
