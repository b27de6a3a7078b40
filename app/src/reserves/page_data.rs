//! What the Reserves tab shows (both sides: the server renders it, the islands receive parts).

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use domain::reserves::ReserveReport;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The tab at one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReservesPageData {
    pub at: NaiveDate,
    pub known_at: Option<NaiveDate>,
    /// The newest ranking computed for the date, if any.
    pub ranking: Option<Ranking>,
    /// A run in progress for the date (the page follows it).
    pub pending: Option<RunProgress>,
    /// What the Calculate form offers.
    pub defaults: RunDefaults,
    /// The caller may start and cancel runs (analyst or admin).
    pub can_run: bool,
    /// When the ranking is older than what the date sees now: the events since, newest first.
    pub changes_since: Vec<ChangeLine>,
    /// Every model parameter and constraint in force at the date, with its source.
    pub parameters: Arc<Vec<ParameterRow>>,
    /// The fund's own assumptions in force at the date, as the editor shows them (JSON), and
    /// whether the caller may change them (admins).
    pub assumptions_json: String,
    pub can_edit_assumptions: bool,
    /// Per entry stage, the model's spread of outcomes for a cheque without reserves beside the
    /// published loss rate: why later-stage follow-ons rank where they do.
    pub calibration: Arc<Vec<CalibrationRow>>,
    /// Why there is no ranking, when the default settings cannot produce one.
    pub notice: Option<String>,
    /// The fund's saved scenarios, newest first.
    pub scenarios: Vec<ScenarioSummary>,
    /// The scenario opened with `?scenario=` (its ranking is shown instead of the date's).
    pub opened: Option<ScenarioSummary>,
    /// Two scenarios (or one and the current ranking) side by side (`?compare_scenario=&with=`).
    pub comparison: Option<Comparison>,
    /// The ranking at each past quarter end, as known then (oldest first).
    pub history: Arc<Vec<QuarterRanking>>,
    /// Quarter ends still being calculated.
    pub history_pending: usize,
}

/// The ranking at one quarter end, as known on that day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarterRanking {
    pub quarter_end: NaiveDate,
    pub companies: Vec<QuarterCompany>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarterCompany {
    pub name: String,
    pub follow_on_multiple: f64,
    pub recommended: Decimal,
    pub rank: u32,
}

/// The query of the Reserves tab.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReservesQuery {
    pub at: Option<String>,
    pub known_at: Option<String>,
    pub scenario: Option<String>,
    pub compare: Option<String>,
    /// A scenario id, or `current` (the default).
    pub with: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioSummary {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub as_of: DateTime<Utc>,
    pub fund_version: u64,
    pub iterations: u32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// Per company: each side's follow-on multiple and recommended reserve, and the differences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub left: String,
    pub right: String,
    pub rows: Vec<ComparisonRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    pub company: String,
    pub left_multiple: Option<f64>,
    pub right_multiple: Option<f64>,
    pub left_recommended: Option<Decimal>,
    pub right_recommended: Option<Decimal>,
}

/// A computed ranking and how to reproduce it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    pub run_id: Uuid,
    pub as_of: DateTime<Utc>,
    pub known_at: Option<DateTime<Utc>>,
    /// The fund version the ranking describes, and the one the date sees now.
    pub fund_version: u64,
    pub current_version: u64,
    pub iterations: u32,
    pub increment: Decimal,
    pub seed: String,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    pub requested_by: String,
    pub report: Arc<ReserveReport>,
}

impl Ranking {
    pub fn is_current(&self) -> bool {
        self.fund_version == self.current_version
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunProgress {
    pub run_id: Uuid,
    pub status: String,
    pub progress: f64,
    pub events_url: String,
    pub iterations: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunDefaults {
    pub iterations: u32,
    pub increment: Decimal,
    pub seed: u64,
}

/// One event recorded after the ranking's version that the date sees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeLine {
    pub version: u64,
    pub effective_at: DateTime<Utc>,
    pub label: String,
}

/// What depends only on a fund's assumptions (so is computed once per set of them): the
/// parameter table, the calibration table and the editor's JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct AssumptionTables {
    pub parameters: Arc<Vec<ParameterRow>>,
    pub calibration: Arc<Vec<CalibrationRow>>,
    pub assumptions_json: String,
}

/// One parameter of the model or the constraints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterRow {
    /// e.g. `model.stages.seed.graduation`, `constraints.hurdle`.
    pub key: String,
    pub value: String,
    pub source: String,
    pub overridden: bool,
}

/// What the Calculate form started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartedRun {
    pub run_id: Uuid,
    pub status: String,
    pub events_url: String,
    /// Answered from a stored or cached result: nothing to follow, the page refreshes.
    pub cached: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRow {
    pub stage: domain::reserves::Stage,
    pub below_1x: f64,
    pub from_1x_to_5x: f64,
    pub from_5x_to_10x: f64,
    pub at_least_10x: f64,
    pub mean_multiple: f64,
    pub published_below_1x: Option<f64>,
    pub source: String,
}
