//! Writing a fund's history as a ledger: every event but FUND_CREATED, as corrected (no reversed
//! event, no reversal), in canonical order, one row each, in the format `parse` reads, with every cell safe to open in a spreadsheet.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use uuid::Uuid;

use super::format::{RowType, LEDGER_COLUMNS};
use crate::fund::{EventPayload, FundEvent};
use crate::variance::spreadsheet_safe;

/// The ledger of `history` (canonical order). Companies are written by name; a name that an earlier
/// company already has gets " (2)", " (3)"… so that every row still names one company.
pub fn ledger_csv(history: &[FundEvent]) -> String {
    let names = unique_names(history);
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(LEDGER_COLUMNS);
    let reversed = crate::fund::reversed_versions(history);
    for event in history.iter().filter(|e| !reversed.contains(&e.version)) {
        let company = event.payload.company_id().map(|id| names.get(&id).cloned().unwrap_or_else(|| id.to_string()));
        let Some(cells) = ledger_cells(event, company) else { continue };
        let record: Vec<String> =
            LEDGER_COLUMNS.iter().map(|c| cells.get(c).map(|v| spreadsheet_safe(v).into_owned()).unwrap_or_default()).collect();
        let _ = writer.write_record(&record);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The ledger row of one event, by column (`company`: the name to write); `None` for the events a
/// ledger leaves out (the fund's creation, reversals). Also what a correction form starts from.
pub fn ledger_cells(event: &FundEvent, company: Option<String>) -> Option<HashMap<&'static str, String>> {
    let row_type = RowType::of(&event.payload)?;
    let mut cells: HashMap<&'static str, String> = HashMap::new();
    cells.insert("type", row_type.name().into());
    cells.insert("effective_date", date_cell(event.effective_at));
    if let Some(name) = company {
        cells.insert("company", name);
    }
    fill(&mut cells, &event.payload);
    Some(cells)
}

/// A day when the event is at midnight UTC (as dates typed in a form are), else the exact moment.
fn date_cell(t: DateTime<Utc>) -> String {
    if t.time().num_seconds_from_midnight() == 0 && t.time().nanosecond() == 0 {
        t.format("%Y-%m-%d").to_string()
    } else {
        t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }
}

fn unique_names(history: &[FundEvent]) -> HashMap<Uuid, String> {
    let mut names = HashMap::new();
    let mut taken: HashMap<String, usize> = HashMap::new();
    for event in history {
        if let EventPayload::CompanyAdded(p) = &event.payload {
            let n = taken.entry(p.name.clone()).or_insert(0);
            *n += 1;
            let name = if *n == 1 { p.name.clone() } else { format!("{} ({n})", p.name) };
            names.insert(p.company_id, name);
        }
    }
    names
}

/// The payload's own columns.
fn fill(cells: &mut HashMap<&'static str, String>, payload: &EventPayload) {
    let mut put = |column: &'static str, value: Option<String>| {
        if let Some(v) = value {
            cells.insert(column, v);
        }
    };
    match payload {
        EventPayload::FundCreated(_) | EventPayload::EventReversed(_) => {}
        EventPayload::CompanyAdded(p) => {
            put("stage", Some(p.stage.label().into()));
            put("sector", p.sector.clone());
        }
        EventPayload::InvestmentMade(p) => {
            put("amount", Some(p.amount.to_string()));
            put("post_money", p.post_money.map(|v| v.to_string()));
            put("ownership", p.ownership.map(|v| v.to_string()));
            put("stage", p.stage.map(|s| s.label().into()));
            put("follow_on", p.follow_on.then(|| "yes".into()));
        }
        EventPayload::ValuationUpdated(p) => {
            put("post_money", Some(p.post_money.to_string()));
            put("ownership", p.ownership.map(|v| v.to_string()));
            put("stage", p.stage.map(|s| s.label().into()));
        }
        EventPayload::CapitalCalled(p) => put("amount", Some(p.amount.to_string())),
        EventPayload::DistributionMade(p) => put("amount", Some(p.amount.to_string())),
        EventPayload::ReserveAllocated(p) => put("amount", Some(p.amount.to_string())),
        EventPayload::CompanyExited(p) => put("amount", Some(p.proceeds.to_string())),
        EventPayload::CompanyWrittenOff(_) => {}
        EventPayload::ForecastCreated(p) => {
            put("metric", Some(p.metric.as_str().into()));
            put("period", Some(p.period.format("%Y-%m-%d").to_string()));
            put("value", Some(p.value.to_string()));
        }
        EventPayload::ActualRecorded(p) => {
            put("metric", Some(p.metric.as_str().into()));
            put("period", p.period.map(|d| d.format("%Y-%m-%d").to_string()));
            put("value", Some(p.value.to_string()));
            put("source", Some(p.source.as_str().into()));
        }
        EventPayload::ReserveAssumptionsSet(p) => put("assumptions", serde_json::to_string(p.as_ref()).ok()),
    }
}
