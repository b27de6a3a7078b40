//! What the hub's pages receive from the server: plain serialisable data, computed once on the
//! server, so SSR and hydration render the same thing.

use chrono::{DateTime, NaiveDate, Utc};
use domain::time_machine::{SeriesPoint, StateDiff};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::view::StateView;
use crate::features::Features;
use crate::funds::FundListItem;

/// Fund-level facts that do not change with the chosen date: the slider's range and ticks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundMeta {
    pub id: Uuid,
    pub name: String,
    pub size: Decimal,
    pub vintage: Option<i32>,
    pub funds: Vec<FundListItem>,
    pub first_day: NaiveDate,
    /// The server's today: the slider's end (no clocks in render).
    pub today: NaiveDate,
    /// Days (offsets from `first_day`) with at least one event, one per week.
    pub ticks: Vec<i64>,
    pub features: Features,
    /// The caller's role in this fund (what the header offers, e.g. Share).
    pub role: domain::access::Role,
}

/// The fund at the chosen date, with everything the Overview and Time Machine tabs show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatedView {
    pub at: NaiveDate,
    pub known_at: Option<NaiveDate>,
    pub compare: Option<NaiveDate>,
    /// Events known at `known_at` (or now).
    pub version: u64,
    pub state: StateView,
    /// The same date as known now, when `known_at` looks at the past's knowledge.
    pub now_state: Option<StateView>,
    pub events: Vec<EventRow>,
    pub series: Vec<SeriesPoint>,
    pub diff: Option<DiffData>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    pub version: u64,
    pub event_type: String,
    pub company: Option<String>,
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// Recorded more than a week after it took effect.
    pub late: bool,
    /// The main amount of the event, if it has one (cheque, valuation, call, …).
    pub amount: Option<Decimal>,
    pub detail: Option<String>,
    /// The reversal that cancels this event, when it is known at the view's date.
    pub reversed_by: Option<u64>,
    /// The event as a ledger row (column, value), the start of its correction form; `None` for
    /// what cannot be corrected (the fund's creation, a reversal, an event already reversed).
    pub correction: Option<Vec<(String, String)>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffData {
    pub diff: StateDiff,
    pub events: Vec<EventRow>,
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotRow {
    pub id: i64,
    pub kind: String,
    pub description: Option<String>,
    pub version: u64,
    pub effective_day: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub stale: bool,
}
