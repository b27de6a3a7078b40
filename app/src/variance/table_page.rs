//! The variance table's order and its keyset pages. A page is built from the variance lines
//! directly: every line gets a cheap sort key (its company's name borrowed, not cloned) and only
//! the lines the page shows become rows, so a page of 50 costs 50 rows, not the fund's 2,000.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::fund::Metric;
use domain::variance::csv_rows::parse_metric;
use domain::variance::{RuleSpec, Severity, VarianceLine};
use uuid::Uuid;

use super::page_data::VarianceRow;
use crate::store::StoreError;

/// Where a row sits in the table: newest period first, then company name, metric, and the
/// latest actual of a period first. Total (ties broken by company id and version), so a cursor
/// names one place. Field order is comparison order.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct TableKey<'a> {
    period: Reverse<NaiveDate>,
    company: Cow<'a, str>,
    company_id: Uuid,
    metric: Metric,
    effective_at: Reverse<DateTime<Utc>>,
    actual_version: Reverse<u64>,
}

impl<'a> TableKey<'a> {
    fn of_line(l: &VarianceLine, names: &'a HashMap<Uuid, String>) -> Self {
        TableKey {
            period: Reverse(l.period),
            company: company_name(l.company_id, names),
            company_id: l.company_id,
            metric: l.metric,
            effective_at: Reverse(l.effective_at),
            actual_version: Reverse(l.actual_version),
        }
    }

    /// A keyset cursor: the key of the last row of a page
    /// (`period~company~METRIC~effective micros~version`).
    fn cursor(&self) -> String {
        format!("{}~{}~{}~{}~{}", self.period.0, self.company_id, self.metric.as_str(), self.effective_at.0.timestamp_micros(), self.actual_version.0)
    }

    /// The key a cursor names; an error naming `after` when it does not parse.
    fn of_cursor(cursor: &str, names: &'a HashMap<Uuid, String>) -> Result<Self, StoreError> {
        let bad = || StoreError::invalid("after", "is not a page cursor of this table (follow the page links)");
        let parts: Vec<&str> = cursor.split('~').collect();
        let [period, company, metric, micros, version] = parts.as_slice() else { return Err(bad()) };
        let company_id: Uuid = company.parse().map_err(|_| bad())?;
        Ok(TableKey {
            period: Reverse(period.parse().map_err(|_| bad())?),
            company: company_name(company_id, names),
            company_id,
            metric: parse_metric(metric).map_err(|_| bad())?,
            effective_at: Reverse(micros.parse::<i64>().ok().and_then(DateTime::from_timestamp_micros).ok_or_else(bad)?),
            actual_version: Reverse(version.parse().map_err(|_| bad())?),
        })
    }
}

/// The name the table shows for a company: its name, or its id when the fund has no such company.
fn company_name(id: Uuid, names: &HashMap<Uuid, String>) -> Cow<'_, str> {
    names.get(&id).map(|n| Cow::Borrowed(n.as_str())).unwrap_or_else(|| Cow::Owned(id.to_string()))
}

/// One page of the table.
pub struct TablePage {
    /// The page's rows, in table order.
    pub rows: Vec<VarianceRow>,
    /// Rows of the table for its filters, on every page.
    pub total: usize,
    /// Rows before this page.
    pub start: usize,
    /// The next page's cursor; none on the last page.
    pub next: Option<String>,
    /// The table's first row (company, metric), whatever the page: the chart's default.
    pub first: Option<(Uuid, Metric)>,
}

/// The `size` rows of `lines` (at `severity` when given, severities from `rules`) after the
/// cursor `after`, from the top without one. Keyset, like the timeline: a page starts after the
/// row the cursor names, even if rows were added above it meanwhile. A cursor that does not parse
/// is an error naming `after`.
pub fn table_page<'a>(
    lines: impl Iterator<Item = &'a VarianceLine>,
    rules: &[RuleSpec],
    severity: Option<Severity>,
    names: &HashMap<Uuid, String>,
    after: Option<&str>,
    size: usize,
) -> Result<TablePage, StoreError> {
    let cursor = match after.map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) => Some(TableKey::of_cursor(c, names)?),
        None => None,
    };
    // A line's severity is needed for every line only when the table is filtered by it (and is
    // then the filter's); otherwise only the page's lines compute theirs.
    let mut keyed: Vec<(TableKey<'_>, &VarianceLine)> =
        lines.filter(|l| severity.is_none_or(|wanted| l.severity(rules) == Some(wanted))).map(|l| (TableKey::of_line(l, names), l)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let start = cursor.map_or(0, |key| keyed.partition_point(|(k, _)| *k <= key));
    let end = start.saturating_add(size).min(keyed.len());
    let next = (end < keyed.len() && end > start).then(|| keyed[end - 1].0.cursor());
    let rows = keyed[start..end].iter().map(|(_, l)| variance_row(l, severity.or_else(|| l.severity(rules)), names)).collect();
    Ok(TablePage { rows, total: keyed.len(), start, next, first: keyed.first().map(|(_, l)| (l.company_id, l.metric)) })
}

/// A line of the table with its company's name and severity.
fn variance_row(l: &VarianceLine, severity: Option<Severity>, names: &HashMap<Uuid, String>) -> VarianceRow {
    VarianceRow {
        company: company_name(l.company_id, names).into_owned(),
        company_id: l.company_id,
        metric: l.metric,
        period: l.period,
        forecast: l.forecast,
        actual: l.actual,
        variance: l.variance,
        variance_pct: l.variance_pct,
        severity,
        direction: l.direction,
        forecast_basis: l.forecast_basis,
        source: l.source,
        effective_at: l.effective_at,
        recorded_at: l.recorded_at,
        actual_version: l.actual_version,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use domain::fund::ActualSource;
    use domain::variance::{Direction, ForecastBasis};
    use rust_decimal::Decimal;

    use super::*;

    /// `n` lines over three companies (one the fund no longer names), two metrics and a few
    /// periods, some periods with two actuals, in no particular order.
    fn lines(n: u64) -> (Vec<VarianceLine>, HashMap<Uuid, String>) {
        let companies = [Uuid::from_u128(3), Uuid::from_u128(1), Uuid::from_u128(2)];
        let names = HashMap::from([(companies[0], "Beta".to_string()), (companies[1], "Alpha".to_string())]);
        let lines = (0..n)
            .map(|i| VarianceLine {
                company_id: companies[(i * 7 % 3) as usize],
                metric: if i % 2 == 0 { Metric::Revenue } else { Metric::Arr },
                period: NaiveDate::from_ymd_opt(2024, 1 + (i * 5 % 12) as u32, 1).unwrap(),
                actual: Decimal::from(i),
                forecast: Decimal::from(100),
                forecast_version: 1,
                forecast_basis: ForecastBasis::Known,
                variance: Decimal::from(i) - Decimal::from(100),
                variance_pct: None,
                direction: Direction::Below,
                source: ActualSource::Manual,
                effective_at: Utc.timestamp_opt(1_700_000_000 + (i % 4) as i64 * 86_400, 0).unwrap(),
                recorded_at: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
                actual_version: 10 + i,
            })
            .collect();
        (lines, names)
    }

    #[test]
    fn pages_followed_by_their_cursors_are_the_whole_table_in_order() {
        // Given 103 lines, when the table is read 10 rows a page following each page's cursor,
        let (lines, names) = lines(103);
        // The table's order, written out: newest period, company name, company id, metric, then
        // the latest actual first.
        let mut expected: Vec<VarianceRow> = lines.iter().map(|l| variance_row(l, None, &names)).collect();
        expected.sort_by(|a, b| {
            (b.period, &a.company, a.company_id, a.metric, b.effective_at, b.actual_version).cmp(&(a.period, &b.company, b.company_id, b.metric, a.effective_at, a.actual_version))
        });
        let (mut seen, mut after, mut pages) = (Vec::new(), None::<String>, 0);
        loop {
            let page = table_page(lines.iter(), &[], None, &names, after.as_deref(), 10).unwrap();
            // then every page knows the table's size, where it starts and the table's first row,
            assert_eq!((page.total, page.start), (103, seen.len()));
            assert_eq!(page.first, Some((expected[0].company_id, expected[0].metric)));
            seen.extend(page.rows);
            pages += 1;
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        // and together they are every row once, in the table's order.
        assert_eq!(pages, 11);
        assert_eq!(seen, expected);
        assert_eq!(seen.iter().filter(|r| r.company == Uuid::from_u128(2).to_string()).count(), 34, "an unnamed company shows its id");
    }

    #[test]
    fn a_cursor_that_does_not_parse_is_an_error_naming_after() {
        let (lines, names) = lines(5);
        for cursor in ["x", "2024-01-01~not-a-uuid~REVENUE~0~1", "2024-01-01~00000000-0000-0000-0000-000000000001~NOPE~0~1"] {
            let err = table_page(lines.iter(), &[], None, &names, Some(cursor), 10).err().expect("an error");
            assert!(err.to_string().contains("after"), "{cursor}: {err}");
        }
        // A blank cursor is the first page.
        assert_eq!(table_page(lines.iter(), &[], None, &names, Some("  "), 2).unwrap().start, 0);
    }

    #[test]
    fn a_severity_filter_keeps_only_rows_at_that_severity() {
        // No rules: no row reaches any severity, so the filtered table is empty.
        let (lines, names) = lines(20);
        let page = table_page(lines.iter(), &[], Some(Severity::Warning), &names, None, 10).unwrap();
        assert_eq!((page.total, page.rows.len(), page.first, page.next), (0, 0, None, None));
    }
}
