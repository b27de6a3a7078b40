use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use uuid::Uuid;

use crate::reserves::ReserveAssumptions;
use crate::stage_name::{self, StageVisitor};

/// Financing stage of a portfolio company. Serialised as its snake_case key (`series_d_plus`, as stored
/// in events); read from any form people write (see [`Stage::parse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    PreSeed,
    Seed,
    SeriesA,
    SeriesB,
    SeriesC,
    SeriesDPlus,
}

impl Stage {
    pub const ALL: [Stage; 6] =
        [Stage::PreSeed, Stage::Seed, Stage::SeriesA, Stage::SeriesB, Stage::SeriesC, Stage::SeriesDPlus];

    /// Reads a stage as people write it: `C`, `series c`, `Series-C`, `series_c`, `SeriesC`, `D+`,
    /// `series_d_plus`, `pre-seed`, `Pre Seed`, … (case, spaces, `-`, `_` and "series" are ignored).
    pub fn parse(text: &str) -> Option<Stage> {
        stage_name::position(text).map(|i| Stage::ALL[i])
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::PreSeed => "Pre-seed",
            Stage::Seed => "Seed",
            Stage::SeriesA => "Series A",
            Stage::SeriesB => "Series B",
            Stage::SeriesC => "Series C",
            Stage::SeriesDPlus => "Series D+",
        }
    }

    pub fn next(self) -> Option<Stage> {
        let i = Stage::ALL.iter().position(|s| *s == self)?;
        Stage::ALL.get(i + 1).copied()
    }
}

/// Stored events hold the snake_case keys; forms, imports and the API may send `Series C` or `D+`.
impl<'de> Deserialize<'de> for Stage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StageVisitor(Stage::ALL))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompanyStatus {
    Active,
    Exited,
    WrittenOff,
}

impl CompanyStatus {
    pub fn label(self) -> &'static str {
        match self {
            CompanyStatus::Active => "active",
            CompanyStatus::Exited => "exited",
            CompanyStatus::WrittenOff => "written off",
        }
    }
}

/// Operating metrics that are forecast and tracked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Metric {
    Revenue,
    Ebitda,
    CashBurn,
    Arr,
    Valuation,
}

impl Metric {
    pub const ALL: [Metric; 5] = [Metric::Revenue, Metric::Ebitda, Metric::CashBurn, Metric::Arr, Metric::Valuation];

    /// EBITDA may be negative; the others are sizes and cannot be.
    pub fn allows_negative(self) -> bool {
        matches!(self, Metric::Ebitda)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Revenue => "REVENUE",
            Metric::Ebitda => "EBITDA",
            Metric::CashBurn => "CASH_BURN",
            Metric::Arr => "ARR",
            Metric::Valuation => "VALUATION",
        }
    }
}

/// Where an actual came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActualSource {
    #[default]
    Manual,
    Import,
    Api,
}

impl ActualSource {
    /// As stored and written in CSV files: `manual`, `import`, `api`.
    pub fn as_str(self) -> &'static str {
        match self {
            ActualSource::Manual => "manual",
            ActualSource::Import => "import",
            ActualSource::Api => "api",
        }
    }
}

/// One forecast version. Re-forecasting records a new one; none is ever replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub metric: Metric,
    pub period: NaiveDate,
    pub value: Decimal,
    /// When the forecast was made (the event's effective date).
    pub made_at: DateTime<Utc>,
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actual {
    pub metric: Metric,
    pub period: NaiveDate,
    pub value: Decimal,
    pub source: ActualSource,
    pub effective_at: DateTime<Utc>,
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyState {
    pub id: Uuid,
    pub name: String,
    pub sector: Option<String>,
    pub stage: Stage,
    pub status: CompanyStatus,
    pub invested: Decimal,
    /// Fully diluted ownership, a fraction in (0, 1]; zero before the first cheque.
    pub ownership: Decimal,
    /// Last post-money valuation, if one is known.
    pub valuation: Option<Decimal>,
    pub reserves_planned: Decimal,
    pub reserves_deployed: Decimal,
    pub proceeds: Decimal,
    pub first_investment_at: Option<DateTime<Utc>>,
    /// The latest forecast and actual per metric. Full histories stay in the event log (variance
    /// reads them there), so a state and its snapshots stay small however long the fund runs.
    pub metrics: BTreeMap<Metric, MetricLatest>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricLatest {
    pub forecast: Option<Forecast>,
    pub actual: Option<Actual>,
}

impl CompanyState {
    /// The fund's share of the company's value: ownership × last post-money while active (at cost
    /// until a valuation is known), zero once exited or written off (exit value is in proceeds).
    pub fn fair_value(&self) -> Decimal {
        match self.status {
            CompanyStatus::Active => match self.valuation {
                Some(v) if !self.ownership.is_zero() => (self.ownership * v).round_dp(2),
                _ => self.invested,
            },
            CompanyStatus::Exited | CompanyStatus::WrittenOff => Decimal::ZERO,
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == CompanyStatus::Active
    }
}

/// A cash flow between the fund and its LPs, signed from the LPs' side (calls negative).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CashFlow {
    pub date: DateTime<Utc>,
    pub amount: Decimal,
}

/// The fund as the events applied so far describe it.
///
/// Companies are behind `Arc` so a state can be cloned from a cached snapshot in microseconds and
/// replay only copies the companies it touches (`Arc::make_mut`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FundState {
    /// False until FUND_CREATED has been applied.
    pub exists: bool,
    pub name: String,
    /// Committed capital.
    pub committed: Decimal,
    pub vintage: Option<i32>,
    pub created_at: Option<DateTime<Utc>>,
    pub called: Decimal,
    pub invested: Decimal,
    pub distributed: Decimal,
    /// Exit proceeds received.
    pub realized: Decimal,
    pub companies: BTreeMap<Uuid, Arc<CompanyState>>,
    pub cash_flows: Vec<CashFlow>,
    /// Number of events applied and the highest version among them.
    pub event_count: u64,
    pub last_version: u64,
    pub last_effective_at: Option<DateTime<Utc>>,
    /// The reserve-model assumptions in force (the latest RESERVE_ASSUMPTIONS_SET), if any were set.
    /// Defaulted so snapshots written before the field existed still read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserve_assumptions: Option<AssumptionsInForce>,
}

/// A fund's reserve assumptions and the event that set them, so a run can say which set it used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssumptionsInForce {
    pub assumptions: ReserveAssumptions,
    /// Effective date and version of the RESERVE_ASSUMPTIONS_SET event.
    pub effective_at: DateTime<Utc>,
    pub version: u64,
}

impl FundState {
    /// Net asset value: the sum of the companies' fair values.
    pub fn nav(&self) -> Decimal {
        self.companies.values().map(|c| c.fair_value()).sum()
    }

    pub fn company(&self, id: &Uuid) -> Option<&CompanyState> {
        self.companies.get(id).map(|c| c.as_ref())
    }
}
