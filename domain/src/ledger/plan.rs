//! Checking a parsed ledger against the fund it goes into, and what the fund would look like.
//!
//! The rows are ordered by effective date (file order within a date), numbered after the fund's
//! last version as an append would number them, and folded into the fund's history in canonical
//! order with `decide` before each new event and `evolve` after it: the same rules and projector
//! as the append that writes them, so the preview is what will be stored. A row that breaks a rule
//! is reported and left out of the fold, so later rows are still checked.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::format::RowType;
use super::parse::LedgerRow;
use crate::error::DomainError;
use crate::fund::{decide, evolve, FundEvent, FundKpis, FundState};
use crate::variance::RowError;

/// A ledger that passed every rule: its rows in the order they are appended, and the preview.
#[derive(Debug, Clone)]
pub struct LedgerPlan {
    pub rows: Vec<LedgerRow>,
    pub preview: LedgerPreview,
}

/// What the fund would look like at the file's last date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerPreview {
    pub rows: usize,
    pub first_date: DateTime<Utc>,
    pub last_date: DateTime<Utc>,
    /// Rows per type, in the template's order; types without rows left out.
    pub by_type: Vec<TypeCount>,
    /// Every company of the fund at `last_date`, by name.
    pub companies: Vec<PreviewCompany>,
    /// The fund's KPIs at `last_date`.
    pub kpis: FundKpis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeCount {
    #[serde(rename = "type")]
    pub row_type: String,
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewCompany {
    pub name: String,
    pub stage: String,
    pub status: String,
    pub invested: Decimal,
    pub ownership: Decimal,
    pub fair_value: Decimal,
    pub reserves_planned: Decimal,
}

/// Checks `rows` against the fund's stored history (`history`, in canonical order, starting with
/// FUND_CREATED) as known at `now`. Every broken rule is reported on its row; no error means the
/// append of `plan.rows`, in that order, passes the same checks.
pub fn plan_ledger(history: &[FundEvent], mut rows: Vec<LedgerRow>, now: DateTime<Utc>) -> Result<LedgerPlan, Vec<RowError>> {
    rows.sort_by_key(|r| (r.event.effective_at, r.line));
    let head = history.iter().map(|e| e.version).max().unwrap_or(0);
    let mut state = FundState::default();
    // As corrected: a reversal and the event it cancels share an effective moment, so leaving the
    // cancelled ones out of the whole history is the fold at every date.
    let mut stored = crate::fund::in_force(history).into_iter().peekable();
    let mut errors = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        // Stored events come first on a tie: their versions are lower.
        while let Some(e) = stored.next_if(|e| e.effective_at <= row.event.effective_at) {
            state = evolve(state, e);
        }
        match decide(&state, &row.event, now) {
            Ok(()) => {
                let event = FundEvent {
                    version: head + 1 + i as u64,
                    effective_at: row.event.effective_at,
                    recorded_at: now,
                    payload: row.event.payload.clone(),
                };
                state = evolve(state, &event);
            }
            Err(e) => errors.push(row_error(row, &e)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Err(vec![RowError { line: 2, column: "row".into(), reason: "the file has no data rows".into() }]);
    };
    let (first_date, last_date) = (first.event.effective_at, last.event.effective_at);
    let preview = LedgerPreview {
        rows: rows.len(),
        first_date,
        last_date,
        by_type: RowType::ALL
            .into_iter()
            .map(|t| TypeCount { row_type: t.name().into(), label: t.label().into(), count: rows.iter().filter(|r| r.row_type == t).count() })
            .filter(|c| c.count > 0)
            .collect(),
        companies: companies_of(&state),
        kpis: state.kpis(last_date),
    };
    Ok(LedgerPlan { rows, preview })
}

fn companies_of(state: &FundState) -> Vec<PreviewCompany> {
    let mut companies: Vec<PreviewCompany> = state
        .companies
        .values()
        .map(|c| PreviewCompany {
            name: c.name.clone(),
            stage: c.stage.label().into(),
            status: c.status.label().into(),
            invested: c.invested,
            ownership: c.ownership,
            fair_value: c.fair_value(),
            reserves_planned: c.reserves_planned,
        })
        .collect();
    companies.sort_by(|a, b| a.name.cmp(&b.name));
    companies
}

/// A rule broken by a row, on the ledger column that holds the field `decide` names.
fn row_error(row: &LedgerRow, e: &DomainError) -> RowError {
    let DomainError::Invalid { field, message } = e;
    let (column, reason) = ledger_column(field, message);
    RowError { line: row.line, column, reason }
}

/// The ledger column of a field `decide` names (`payload.proceeds` is an exit row's `amount`).
pub fn ledger_column(field: &str, message: &str) -> (String, String) {
    let column = match field {
        "effective_at" => "effective_date",
        "type" => "type",
        "payload.company_id" | "payload.name" => "company",
        "payload.amount" | "payload.proceeds" => "amount",
        "payload.post_money" => "post_money",
        "payload.ownership" => "ownership",
        "payload.stage" => "stage",
        "payload.sector" => "sector",
        "payload.metric" => "metric",
        "payload.period" => "period",
        "payload.value" => "value",
        other => {
            // The reserve assumption set's own fields: say which one.
            let inner = other.strip_prefix("payload.").unwrap_or(other);
            return ("assumptions".into(), format!("{inner}: {message}"));
        }
    };
    (column.into(), message.to_string())
}
