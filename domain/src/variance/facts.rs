//! The two kinds of fact variance works on, taken from the fund's event log.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::fund::{ActualSource, EventPayload, FundEvent, Metric};

/// One FORECAST_CREATED event: a version of the forecast for (company, metric, period).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastVersion {
    pub company_id: Uuid,
    pub metric: Metric,
    /// Last day of the forecast period.
    pub period: NaiveDate,
    pub value: Decimal,
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// The event's version in the fund's stream.
    pub version: u64,
}

/// One ACTUAL_RECORDED event, with its period resolved (payload period, else its effective day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActualFact {
    pub company_id: Uuid,
    pub metric: Metric,
    pub period: NaiveDate,
    pub value: Decimal,
    pub source: ActualSource,
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub version: u64,
}

impl ActualFact {
    pub fn from_event(e: &FundEvent) -> Option<ActualFact> {
        match &e.payload {
            EventPayload::ActualRecorded(p) => Some(ActualFact {
                company_id: p.company_id,
                metric: p.metric,
                period: p.period.unwrap_or_else(|| e.effective_at.date_naive()),
                value: p.value,
                source: p.source,
                effective_at: e.effective_at,
                recorded_at: e.recorded_at,
                version: e.version,
            }),
            _ => None,
        }
    }
}

impl ForecastVersion {
    pub fn from_event(e: &FundEvent) -> Option<ForecastVersion> {
        match &e.payload {
            EventPayload::ForecastCreated(p) => Some(ForecastVersion {
                company_id: p.company_id,
                metric: p.metric,
                period: p.period,
                value: p.value,
                effective_at: e.effective_at,
                recorded_at: e.recorded_at,
                version: e.version,
            }),
            _ => None,
        }
    }
}

/// Splits a slice of events into forecast versions and actuals; other events are ignored.
pub fn facts_from_events(events: &[FundEvent]) -> (Vec<ForecastVersion>, Vec<ActualFact>) {
    let forecasts = events.iter().filter_map(ForecastVersion::from_event).collect();
    let actuals = events.iter().filter_map(ActualFact::from_event).collect();
    (forecasts, actuals)
}
