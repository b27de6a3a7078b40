//! Reading a ledger file: every cell of every row checked, every problem reported (line, column,
//! reason), before anything is checked against the fund (`plan`).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::format::{RowType, LEDGER_COLUMNS, MAX_LEDGER_ROWS};
use crate::csv_file::{row_error as error, CsvFile};
use crate::fund::decide::FUTURE_TOLERANCE_HOURS;
use crate::fund::{
    ActualRecorded, CapitalCalled, CompanyAdded, CompanyExited, CompanyWrittenOff, DistributionMade, EventPayload, ForecastCreated,
    InvestmentMade, NewEvent, ReserveAllocated, Stage, ValuationUpdated,
};
use crate::reserves::ReserveAssumptions;
use crate::variance::csv_rows::{parse_metric, parse_source};
use crate::variance::{CompanyDirectory, RowError};

/// One valid row: the event it records.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    /// 1-based as an editor shows it (the header is line 1).
    pub line: u64,
    pub row_type: RowType,
    pub event: NewEvent,
}

/// Parses and checks every row of `bytes`. Companies are named: a `company` row adds one (its id
/// from `new_id`), any other row names a company added by the file or already in `existing`.
/// Dates later than `now` (plus the usual tolerance) are refused.
pub fn parse_ledger_csv(
    bytes: &[u8],
    existing: &CompanyDirectory,
    now: DateTime<Utc>,
    new_id: &mut dyn FnMut() -> Uuid,
) -> Result<Vec<LedgerRow>, Vec<RowError>> {
    let mut file = CsvFile::open(bytes, &LEDGER_COLUMNS, &["type", "effective_date"], "expected some of")?;
    let mut errors = Vec::new();
    let mut records = Vec::new();
    let mut record = csv::ByteRecord::new();
    while let Some(next) = file.next_record(&mut record) {
        let line = match next {
            Ok(line) => line,
            Err(e) => {
                errors.push(e);
                break;
            }
        };
        if record.iter().all(|c| c.is_empty()) {
            continue; // a blank line, as spreadsheets leave at the end
        }
        if records.len() >= MAX_LEDGER_ROWS {
            errors.push(error(line, "row", format!("a file may hold at most {MAX_LEDGER_ROWS} rows")));
            break;
        }
        if let Some(e) = file.width_error(line, &record) {
            errors.push(e);
            continue;
        }
        match cells_of(line, &record, &file.columns) {
            Ok(cells) => records.push((line, cells)),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if records.is_empty() && errors.is_empty() {
        errors.push(error(2, "row", "the file has no data rows".into()));
    }

    let added = companies_added(&records, existing, new_id, &mut errors);
    let companies = Companies { existing, added: &added };
    let mut rows = Vec::with_capacity(records.len());
    for (line, cells) in &records {
        let mut row = RowReader { line: *line, cells, errors: Vec::new() };
        if let Some(parsed) = row.parse(&companies, now) {
            if row.errors.is_empty() {
                rows.push(parsed);
            }
        }
        errors.append(&mut row.errors);
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// The row's non-empty cells by column, as text.
fn cells_of(line: u64, record: &csv::ByteRecord, columns: &HashMap<&'static str, usize>) -> Result<HashMap<&'static str, String>, Vec<RowError>> {
    let mut cells = HashMap::new();
    let mut errors = Vec::new();
    for (column, i) in columns {
        match std::str::from_utf8(&record[*i]) {
            Ok(s) if s.trim().is_empty() => {}
            Ok(s) => {
                cells.insert(*column, s.trim().to_string());
            }
            Err(_) => errors.push(error(line, column, "is not valid UTF-8".into())),
        }
    }
    if errors.is_empty() {
        Ok(cells)
    } else {
        Err(errors)
    }
}

/// Text as the export wrote it: a leading `'` that `spreadsheet_safe` put before `=`, `+`, `-`, `@`,
/// a tab or a carriage return is not part of the name.
fn unescaped(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

/// The companies the file adds, by name, each with a new id. A name already in the fund or added
/// twice is an error on the later row.
fn companies_added(
    records: &[(u64, HashMap<&'static str, String>)],
    existing: &CompanyDirectory,
    new_id: &mut dyn FnMut() -> Uuid,
    errors: &mut Vec<RowError>,
) -> HashMap<String, Uuid> {
    let mut added: HashMap<String, Uuid> = HashMap::new();
    for (line, cells) in records {
        let is_company = cells.get("type").is_some_and(|t| RowType::parse(t) == Ok(RowType::Company));
        let Some(name) = cells.get("company").filter(|_| is_company).map(|n| unescaped(n)) else { continue };
        if name.parse::<Uuid>().is_ok() {
            errors.push(error(*line, "company", "a new company is named, not given an id".into()));
        } else if existing.contains_name(name) {
            errors.push(error(*line, "company", format!("the fund already has a company named {name:?}: names identify companies in a ledger")));
        } else if added.contains_key(name) {
            errors.push(error(*line, "company", format!("{name:?} is added twice in this file: names identify companies in a ledger")));
        } else {
            added.insert(name.to_string(), new_id());
        }
    }
    added
}

/// The companies a row may name: those the file adds, then those the fund has.
struct Companies<'a> {
    existing: &'a CompanyDirectory,
    added: &'a HashMap<String, Uuid>,
}

impl Companies<'_> {
    fn resolve(&self, raw: &str) -> Result<Uuid, String> {
        let name = unescaped(raw);
        match self.added.get(name) {
            Some(id) => Ok(*id),
            None => self.existing.resolve(name).map_err(|e| {
                if raw.parse::<Uuid>().is_ok() {
                    e
                } else {
                    format!("no company named {name:?} in this fund or added by a company row of this file (names must match exactly)")
                }
            }),
        }
    }
}

/// One row's cells, and the problems found in them.
struct RowReader<'a> {
    line: u64,
    cells: &'a HashMap<&'static str, String>,
    errors: Vec<RowError>,
}

impl<'a> RowReader<'a> {
    fn fail(&mut self, column: &str, reason: impl Into<String>) {
        self.errors.push(error(self.line, column, reason.into()));
    }

    fn cell(&self, column: &str) -> Option<&'a str> {
        self.cells.get(column).map(String::as_str)
    }

    fn parse(&mut self, companies: &Companies<'_>, now: DateTime<Utc>) -> Option<LedgerRow> {
        let row_type = match self.cell("type") {
            None => {
                self.fail("type", "is required");
                None
            }
            Some(t) => RowType::parse(t).map_err(|e| self.fail("type", e)).ok(),
        };
        let effective_at = match self.cell("effective_date") {
            None => {
                self.fail("effective_date", "is required");
                None
            }
            Some(s) => match crate::dates::parse_moment(s, false) {
                Ok(t) if t > now + Duration::hours(FUTURE_TOLERANCE_HOURS) => {
                    self.fail("effective_date", "cannot be in the future");
                    None
                }
                Ok(t) => Some(t),
                Err(e) => {
                    self.fail("effective_date", e);
                    None
                }
            },
        };
        let row_type = row_type?;
        let (required, optional) = row_type.columns();
        for column in LEDGER_COLUMNS.iter().skip(2) {
            let filled = self.cells.contains_key(column);
            if required.contains(column) && !filled {
                self.fail(column, format!("is required in a {} row", row_type.name()));
            } else if filled && !required.contains(column) && !optional.contains(column) {
                self.fail(column, format!("is not used by a {} row: leave it empty", row_type.name()));
            }
        }
        // Checked even when other cells are wrong, so the row's every problem is reported at once
        // (a missing required cell just ends the payload, its error already noted).
        let payload = self.payload(row_type, companies)?;
        Some(LedgerRow { line: self.line, row_type, event: NewEvent { effective_at: effective_at?, payload } })
    }

    /// The event payload; every column it reads has been checked present when required.
    fn payload(&mut self, row_type: RowType, companies: &Companies<'_>) -> Option<EventPayload> {
        let company = self.company(companies, row_type);
        let payload = match row_type {
            RowType::Company => EventPayload::CompanyAdded(CompanyAdded {
                company_id: company?,
                name: unescaped(self.cell("company")?).to_string(),
                stage: self.stage()?,
                sector: self.cell("sector").map(|s| unescaped(s).to_string()),
            }),
            RowType::Investment => {
                let (amount, post_money, ownership, stage, follow_on) =
                    (self.amount("amount"), self.optional_amount("post_money"), self.optional_amount("ownership"), self.optional_stage(), self.follow_on());
                EventPayload::InvestmentMade(InvestmentMade {
                    company_id: company?,
                    amount: amount?,
                    ownership: ownership?,
                    post_money: post_money?,
                    stage: stage?,
                    follow_on: follow_on?,
                })
            }
            RowType::Valuation => {
                let (post_money, ownership, stage) = (self.amount("post_money"), self.optional_amount("ownership"), self.optional_stage());
                EventPayload::ValuationUpdated(ValuationUpdated { company_id: company?, post_money: post_money?, ownership: ownership?, stage: stage? })
            }
            RowType::CapitalCall => EventPayload::CapitalCalled(CapitalCalled { amount: self.amount("amount")? }),
            RowType::Distribution => {
                let amount = self.amount("amount");
                let company_id = match self.cell("company") {
                    Some(_) => Some(company?),
                    None => None,
                };
                EventPayload::DistributionMade(DistributionMade { amount: amount?, company_id })
            }
            RowType::Exit => {
                let proceeds = self.amount("amount");
                EventPayload::CompanyExited(CompanyExited { company_id: company?, proceeds: proceeds? })
            }
            RowType::WriteOff => EventPayload::CompanyWrittenOff(CompanyWrittenOff { company_id: company? }),
            RowType::ReservePlan => {
                let amount = self.amount("amount");
                EventPayload::ReserveAllocated(ReserveAllocated { company_id: company?, amount: amount? })
            }
            RowType::Forecast => {
                let (metric, period, value) = (self.metric(), self.day("period"), self.amount("value"));
                EventPayload::ForecastCreated(ForecastCreated { company_id: company?, metric: metric?, period: period?, value: value? })
            }
            RowType::Actual => {
                let (metric, value) = (self.metric(), self.amount("value"));
                let period = match self.cell("period") {
                    Some(_) => Some(self.day("period")?),
                    None => None,
                };
                let source = match self.cell("source") {
                    Some(s) => Some(parse_source(s).map_err(|e| self.fail("source", e)).ok()?),
                    None => None,
                };
                EventPayload::ActualRecorded(ActualRecorded {
                    company_id: company?,
                    metric: metric?,
                    period,
                    value: value?,
                    source: source.unwrap_or(crate::fund::ActualSource::Import),
                })
            }
            RowType::ReserveAssumptions => {
                let json = self.cell("assumptions")?;
                match serde_json::from_str::<ReserveAssumptions>(json) {
                    Ok(a) => EventPayload::ReserveAssumptionsSet(Box::new(a)),
                    Err(e) => {
                        self.fail("assumptions", format!("is not a reserve assumption set (JSON, as GET /api/funds/{{id}}/reserves/assumptions answers): {e}"));
                        return None;
                    }
                }
            }
        };
        Some(payload)
    }

    /// The row's company, when its type names one (for a `company` row, the id the file gave it).
    fn company(&mut self, companies: &Companies<'_>, row_type: RowType) -> Option<Uuid> {
        let raw = self.cell("company")?;
        if row_type == RowType::Company {
            // Absent when its name was refused: that error is noted already (companies_added).
            return companies.added.get(unescaped(raw)).copied();
        }
        companies.resolve(raw).map_err(|e| self.fail("company", e)).ok()
    }

    fn amount(&mut self, column: &str) -> Option<Decimal> {
        let raw = self.cell(column)?.to_string();
        match crate::amount::parse_strict(&raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(column, format!("{e} (no currency sign or thousands separators)"));
                None
            }
        }
    }

    /// `Some(None)` when the cell is empty, `None` when it is filled but wrong.
    fn optional_amount(&mut self, column: &str) -> Option<Option<Decimal>> {
        match self.cell(column) {
            None => Some(None),
            Some(_) => self.amount(column).map(Some),
        }
    }

    fn stage(&mut self) -> Option<Stage> {
        let raw = self.cell("stage")?.to_string();
        match Stage::parse(&raw) {
            Some(s) => Some(s),
            None => {
                self.fail("stage", format!("{raw:?} is not a stage; expected pre-seed, seed, series A, B, C or D+"));
                None
            }
        }
    }

    fn optional_stage(&mut self) -> Option<Option<Stage>> {
        match self.cell("stage") {
            None => Some(None),
            Some(_) => self.stage().map(Some),
        }
    }

    fn follow_on(&mut self) -> Option<bool> {
        match self.cell("follow_on").map(str::to_ascii_lowercase).as_deref() {
            None | Some("no" | "false" | "0" | "n") => Some(false),
            Some("yes" | "true" | "1" | "y") => Some(true),
            Some(other) => {
                let other = other.to_string();
                self.fail("follow_on", format!("{other:?} is not yes or no"));
                None
            }
        }
    }

    fn metric(&mut self) -> Option<crate::fund::Metric> {
        let raw = self.cell("metric")?.to_string();
        parse_metric(&raw).map_err(|e| self.fail("metric", e)).ok()
    }

    fn day(&mut self, column: &str) -> Option<chrono::NaiveDate> {
        let raw = self.cell(column)?.to_string();
        crate::dates::parse_day(&raw).map_err(|e| self.fail(column, format!("{e}: the last day of the period"))).ok()
    }
}
