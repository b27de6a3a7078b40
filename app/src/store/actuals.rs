//! What variance reads: forecast versions and actuals as known at a time, and the fund's companies.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::variance::{compare_with, period_errors, ActualFact, ForecastIndex, ForecastVersion, PeriodErrors, VarianceLine};
use sqlx::Row;
use uuid::Uuid;

use super::rows::event_from_row;
use super::{Store, StoreError};

/// The forecasts known at `version`, and the actuals effective by a date with their variance
/// lines: views into the version's facts (shared, never copied).
#[derive(Debug, Clone)]
pub struct VarianceFacts {
    pub version: u64,
    all: Arc<VersionFacts>,
    /// How many of `all`'s actuals, and of its lines, are effective by the date.
    actuals_by: usize,
    lines_by: usize,
}

impl VarianceFacts {
    /// Every forecast version known (for a period, made or recorded after the date too: an actual
    /// is compared with what was known at its own date).
    pub fn forecasts(&self) -> &[ForecastVersion] {
        &self.all.forecasts
    }

    /// The forecasts, indexed.
    pub fn index(&self) -> &ForecastIndex {
        &self.all.index
    }

    /// The actuals effective by the date, by (effective time, version).
    pub fn actuals(&self) -> &[ActualFact] {
        &self.all.actuals[..self.actuals_by]
    }

    /// Those actuals, each with its % errors for forecast accuracy (`domain::variance::period_errors`).
    pub fn actuals_with_errors(&self) -> impl Iterator<Item = (&ActualFact, PeriodErrors)> {
        self.actuals().iter().zip(self.all.errors.iter().copied())
    }

    /// Those actuals against their forecasts (`domain::variance::compare_with`), in the same
    /// order; an actual without any forecast has no line.
    pub fn lines(&self) -> &[VarianceLine] {
        &self.all.lines[..self.lines_by]
    }
}

/// Every forecast and actual known at one fund version, and the actuals' variance lines (see
/// `Store::version_facts`): a line depends only on its actual and the version's forecasts.
#[derive(Debug, Default)]
pub struct VersionFacts {
    forecasts: Vec<ForecastVersion>,
    index: ForecastIndex,
    /// By (effective time, version).
    actuals: Vec<ActualFact>,
    /// One per actual, in the same order.
    errors: Vec<PeriodErrors>,
    lines: Vec<VarianceLine>,
}

impl VersionFacts {
    /// How many facts: the cache's weight.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        2 * self.forecasts.len() + 2 * self.actuals.len()
    }
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
        let all = self.version_facts(fund_id, version).await?;
        // Both lists are by effective time: the date cuts a prefix of each.
        let actuals_by = all.actuals.partition_point(|a| a.effective_at <= as_of);
        let lines_by = all.lines.partition_point(|l| l.effective_at <= as_of);
        Ok(VarianceFacts { version, all, actuals_by, lines_by })
    }

    /// Every forecast and actual of the fund's first `version` events that no event up to
    /// `version` reverses, actuals by (effective time, version). Immutable for a version, so
    /// kept per process (`Caches::version_facts`); decoding them is most of a Variance page.
    async fn version_facts(&self, fund_id: Uuid, version: u64) -> Result<Arc<VersionFacts>, StoreError> {
        super::kept(&self.caches.version_facts, (fund_id, version), async {
            let rows = sqlx::query(
                "SELECT version, event_type, schema_version, payload, effective_at, recorded_at FROM fund_events
                 WHERE fund_id = $1 AND event_type IN ('FORECAST_CREATED', 'ACTUAL_RECORDED') AND version <= $2
                   AND NOT EXISTS (SELECT 1 FROM fund_events r WHERE r.fund_id = $1 AND r.event_type = 'EVENT_REVERSED'
                                   AND (r.payload->>'reverses')::bigint = fund_events.version AND r.version <= $2)
                 ORDER BY effective_at, version",
            )
            .bind(fund_id)
            .bind(version as i64)
            .fetch_all(&self.pool)
            .await?;
            let mut forecasts = Vec::new();
            let mut actuals = Vec::new();
            for row in &rows {
                let e = event_from_row(row)?;
                forecasts.extend(ForecastVersion::from_event(&e));
                actuals.extend(ActualFact::from_event(&e));
            }
            let index = ForecastIndex::new(forecasts.iter().cloned());
            let lines = compare_with(&index, &actuals);
            let errors = actuals.iter().map(|a| period_errors(&index, a)).collect();
            Ok(Arc::new(VersionFacts { forecasts, index, actuals, errors, lines }))
        })
        .await
    }

    /// The fund's companies in the order they were added (an addition since reversed is left
    /// out), as of the fund's head; kept per (fund, head version) in `Caches::companies`.
    pub async fn companies(&self, fund_id: Uuid) -> Result<Arc<Vec<CompanyEntry>>, StoreError> {
        let version = self.fund_version(fund_id).await?;
        super::kept(&self.caches.companies, (fund_id, version), async {
            let rows = sqlx::query(
                "SELECT company_id, payload->>'name' AS name, effective_at FROM fund_events
                 WHERE fund_id = $1 AND event_type = 'COMPANY_ADDED' AND version <= $2
                   AND NOT EXISTS (SELECT 1 FROM fund_events r WHERE r.fund_id = $1 AND r.event_type = 'EVENT_REVERSED'
                                   AND (r.payload->>'reverses')::bigint = fund_events.version AND r.version <= $2)
                 ORDER BY version",
            )
            .bind(fund_id)
            .bind(version as i64)
            .fetch_all(&self.pool)
            .await?;
            Ok(Arc::new(
                rows.iter()
                    .map(|r| Ok(CompanyEntry { id: r.try_get("company_id")?, name: r.try_get("name")?, added_at: r.try_get("effective_at")? }))
                    .collect::<Result<Vec<_>, StoreError>>()?,
            ))
        })
        .await
    }

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
