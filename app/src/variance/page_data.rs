//! What the Variance tab and the alert inbox receive from the server: plain serialisable data.

use chrono::{DateTime, NaiveDate, Utc};
use domain::fund::{ActualSource, Metric};
use domain::variance::{AccuracyStats, AlertState, Channel, Direction, ForecastBasis, Severity};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One actual against the forecast known at its effective date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VarianceRow {
    pub company_id: Uuid,
    pub company: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub metric: Metric,
    /// Last day of the period.
    pub period: NaiveDate,
    pub forecast: Decimal,
    pub actual: Decimal,
    /// actual − forecast.
    pub variance: Decimal,
    /// Percent of |forecast|; `None` (show "n/a") when the forecast is 0 and the actual is not.
    pub variance_pct: Option<Decimal>,
    /// Highest severity among the fund's rules this row breaches (cooldown aside).
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub severity: Option<Severity>,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub direction: Direction,
    /// `recorded_later`: no forecast was known at the actual's date; the earliest one is used.
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub forecast_basis: ForecastBasis,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub source: ActualSource,
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// The ACTUAL_RECORDED event's version.
    pub actual_version: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyOption {
    pub id: Uuid,
    pub name: String,
}

/// The Variance tab's data for a date, as known at a time, with optional filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarianceView {
    pub at: NaiveDate,
    pub known_at: Option<NaiveDate>,
    pub metric: Option<Metric>,
    pub severity: Option<Severity>,
    /// Events known (the fund's version at `known_at`).
    pub version: u64,
    /// Newest period first, then company and metric.
    pub rows: Vec<VarianceRow>,
    /// For the "record an actual" form.
    pub companies: Vec<CompanyOption>,
    pub unread_alerts: u64,
    /// How well each company's forecasts have matched its actuals, at the same dates.
    pub accuracy: Vec<AccuracyRow>,
    /// Each company and metric's latest period (whatever the metric and severity filters).
    pub heat_map: Vec<HeatMapCell>,
}

/// One cell of the heat map: a company and metric's latest period with an actual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatMapCell {
    pub company_id: Uuid,
    pub company: String,
    pub metric: Metric,
    pub period: NaiveDate,
    pub variance_pct: Option<Decimal>,
    pub direction: Direction,
    /// The highest severity its variance reaches under the fund's rules.
    pub severity: Option<Severity>,
    /// The coming period's prediction, when it is flagged (its chance of an alert is at least
    /// `domain::variance::FLAG_CHANCE`).
    pub flagged: Option<PredictedPeriod>,
}

/// A period whose actual has not arrived, predicted from the company's record
/// (`domain::variance::coming`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictedPeriod {
    pub period: NaiveDate,
    /// The latest forecast known, and the actual expected from the company's bias.
    pub forecast: Decimal,
    pub expected_actual: Decimal,
    /// The expected % error (the bias) and its interval, bias ± 2 sd.
    pub expected_pct: Decimal,
    pub low_pct: Decimal,
    pub high_pct: Decimal,
    /// The chance of an alert, in whole percent.
    pub chance_pct: u8,
    /// The earlier periods it rests on.
    pub periods: usize,
}

/// One company and metric's forecast accuracy (`domain::variance::accuracy`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AccuracyRow {
    pub company_id: Uuid,
    pub company: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub metric: Metric,
    /// Against the forecast known when each actual became effective.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub overall: AccuracyStats,
    /// Forecasts made more than 90 days before the period's end.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub early: AccuracyStats,
    /// Forecasts made within 30 days of the period's end.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub late: AccuracyStats,
}

/// One period of a forecast-versus-actual chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastActualPoint {
    pub period: NaiveDate,
    /// The forecast the actual is compared with; without an actual, the latest forecast known.
    pub forecast: Option<Decimal>,
    pub actual: Option<Decimal>,
    pub variance_pct: Option<Decimal>,
    pub forecast_basis: Option<ForecastBasis>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeliveryRow {
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub channel: Channel,
    /// pending, delivered, dead or skipped.
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AlertRow {
    pub id: Uuid,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub severity: Severity,
    /// The most severe rule breached, as worded when the alert was raised (or escalated).
    pub rule: String,
    /// Every rule the actual breached, most severe first.
    pub rules: Vec<String>,
    pub company_id: Uuid,
    pub company: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub metric: Metric,
    /// The newest period the alert covers; its figures are that period's.
    pub period: NaiveDate,
    /// The period the breach began in, and how many periods it has covered (one alert per breach,
    /// however many periods it lasts).
    pub first_period: NaiveDate,
    pub periods_in_breach: u32,
    pub actual: Decimal,
    pub forecast: Decimal,
    pub variance: Decimal,
    pub variance_pct: Option<Decimal>,
    pub forecast_basis: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub state: AlertState,
    pub resolution_note: Option<String>,
    /// Who resolved it (their e-mail), when known.
    pub resolved_by: Option<String>,
    pub effective_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub deliveries: Vec<DeliveryRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxSummary {
    pub unread: u64,
}

/// What recording an actual produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RecordedActual {
    pub version: u64,
    pub company_id: Uuid,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub metric: Metric,
    pub period: NaiveDate,
    pub value: Decimal,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub source: ActualSource,
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub alerts: Vec<AlertRow>,
}

/// What a CSV import produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportOutcome {
    pub imported: usize,
    pub first_version: u64,
    pub version: u64,
    pub alerts: usize,
}

/// One company and metric's forecast-versus-actual history, for the Variance tab's chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartData {
    pub company_id: Uuid,
    pub company: String,
    pub metric: Metric,
    pub points: Vec<ForecastActualPoint>,
}

/// Everything the Variance tab renders, in one round trip (so the server-rendered page and the
/// hydrated one are built from the same data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariancePageData {
    pub view: VarianceView,
    pub chart: Option<ChartData>,
    /// The company the table and accuracy are narrowed to (a heat-map cell was picked).
    pub for_company: Option<CompanyOption>,
    /// `view.rows` holds one page of the table; this many rows match the filters in all.
    pub total_rows: usize,
    /// Rows before this page.
    pub page_start: usize,
    /// The `after` cursor of the next page, if there is one.
    pub next_page: Option<String>,
}
