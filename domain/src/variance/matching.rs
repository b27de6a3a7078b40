//! Which forecast an actual is compared with.
//!
//! The forecast *as it was known at the actual's effective date*: among the versions for the
//! actual's (company, metric, period), those whose effective date **and** recorded time are both
//! ≤ the actual's effective date; of these the latest in the stream's canonical order (effective
//! date, then version), which is the one the projector would show at that moment. A re-forecast
//! recorded after the actual's effective date therefore never rewrites that actual's variance.
//!
//! When no version was known then (history back-filled today, say) the earliest-recorded version
//! for the period is used and the row's basis is [`ForecastBasis::RecordedLater`], so readers can
//! tell the comparison is with a forecast nobody had at the time. Timestamps are compared exactly
//! (a date given without a time is the start of that day, UTC, as everywhere in the API).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::facts::{ActualFact, ForecastVersion};
use crate::fund::Metric;

/// How the compared forecast relates to the actual's effective date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecastBasis {
    /// Known (effective and recorded) at the actual's effective date.
    Known,
    /// No version was known then; the earliest-recorded version is used.
    RecordedLater,
}

impl ForecastBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            ForecastBasis::Known => "known",
            ForecastBasis::RecordedLater => "recorded_later",
        }
    }
}

type Key = (Uuid, Metric, NaiveDate);

/// Forecast versions grouped by (company, metric, period), each group in canonical order.
#[derive(Debug, Default, Clone)]
pub struct ForecastIndex {
    groups: HashMap<Key, Vec<ForecastVersion>>,
}

impl ForecastIndex {
    pub fn new(forecasts: impl IntoIterator<Item = ForecastVersion>) -> Self {
        let mut groups: HashMap<Key, Vec<ForecastVersion>> = HashMap::new();
        for f in forecasts {
            groups.entry((f.company_id, f.metric, f.period)).or_default().push(f);
        }
        for versions in groups.values_mut() {
            versions.sort_by_key(|f| (f.effective_at, f.version));
        }
        ForecastIndex { groups }
    }

    /// All versions for one period, in canonical order.
    pub fn versions(&self, company_id: Uuid, metric: Metric, period: NaiveDate) -> &[ForecastVersion] {
        self.groups.get(&(company_id, metric, period)).map_or(&[], |v| v.as_slice())
    }

    /// Every (company, metric, period) with its versions in canonical order; unordered.
    pub fn periods(&self) -> impl Iterator<Item = (Uuid, Metric, NaiveDate, &[ForecastVersion])> {
        self.groups.iter().map(|((c, m, p), v)| (*c, *m, *p, v.as_slice()))
    }

    /// The forecast an actual is compared with (see the module documentation).
    pub fn for_actual(&self, actual: &ActualFact) -> Option<(&ForecastVersion, ForecastBasis)> {
        forecast_known_at(self.versions(actual.company_id, actual.metric, actual.period), actual.effective_at)
    }
}

/// Picks from `versions` (one period's, in canonical order) the forecast known at `at`.
pub fn forecast_known_at(versions: &[ForecastVersion], at: DateTime<Utc>) -> Option<(&ForecastVersion, ForecastBasis)> {
    let known = versions.iter().rev().find(|f| f.effective_at <= at && f.recorded_at <= at);
    match known {
        Some(f) => Some((f, ForecastBasis::Known)),
        None => versions
            .iter()
            .min_by_key(|f| (f.recorded_at, f.version))
            .map(|f| (f, ForecastBasis::RecordedLater)),
    }
}
