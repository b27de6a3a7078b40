//! Dates of the generated history: calendar quarters, deal days and recording times.
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, TimeDelta, Utc};
use rand::RngExt;
use rand_pcg::Pcg64Mcg;

/// Effective dates are whole business days, at midnight UTC.
pub(crate) fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

pub(crate) fn plus_days(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).unwrap_or(day)
}

pub(crate) fn minus_days(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(days)).unwrap_or(day)
}

pub(crate) fn plus_months(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_add_months(Months::new(months)).unwrap_or(day)
}

pub(crate) fn quarter_start(day: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(day.year(), (day.month0() / 3) * 3 + 1, 1).unwrap_or(day)
}

pub(crate) fn quarter_end(day: NaiveDate) -> NaiveDate {
    minus_days(plus_months(quarter_start(day), 3), 1)
}

/// A calendar quarter: the reporting period of forecasts, actuals and marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quarter {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The calendar quarters that overlap [from, to], in order.
pub(crate) fn quarters(from: NaiveDate, to: NaiveDate) -> Vec<Quarter> {
    let mut out = Vec::new();
    let mut start = quarter_start(from);
    while start <= to {
        out.push(Quarter { start, end: quarter_end(start) });
        start = plus_months(start, 3);
    }
    out
}

/// Moves a day into the part of its quarter where deals close: not in the first week (the quarter's
/// capital call goes out then, so cash is in before any cheque) nor in the last three days (marks
/// and actuals are struck at the quarter end).
pub(crate) fn deal_day(day: NaiveDate) -> NaiveDate {
    let earliest = plus_days(quarter_start(day), 7);
    let latest = minus_days(quarter_end(day), 3);
    day.clamp(earliest, latest)
}

/// A moment during office hours (09:00–18:59 UTC) on `day`: when people record things.
pub(crate) fn office_time(rng: &mut Pcg64Mcg, day: NaiveDate) -> DateTime<Utc> {
    midnight(day) + TimeDelta::seconds(rng.random_range(9 * 3600..19 * 3600))
}

/// A few minutes after `t`: the next step of the same piece of work.
pub(crate) fn shortly_after(rng: &mut Pcg64Mcg, t: DateTime<Utc>) -> DateTime<Utc> {
    t + TimeDelta::seconds(rng.random_range(5 * 60..90 * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn quarters_cover_the_range_with_calendar_bounds() {
        let qs = quarters(d(2019, 6, 15), d(2020, 1, 2));
        let bounds: Vec<_> = qs.iter().map(|q| (q.start, q.end)).collect();
        assert_eq!(
            bounds,
            vec![
                (d(2019, 4, 1), d(2019, 6, 30)),
                (d(2019, 7, 1), d(2019, 9, 30)),
                (d(2019, 10, 1), d(2019, 12, 31)),
                (d(2020, 1, 1), d(2020, 3, 31)),
            ]
        );
    }

    #[test]
    fn deal_days_avoid_the_quarter_edges() {
        assert_eq!(deal_day(d(2021, 1, 3)), d(2021, 1, 8));
        assert_eq!(deal_day(d(2021, 3, 30)), d(2021, 3, 28));
        assert_eq!(deal_day(d(2021, 2, 14)), d(2021, 2, 14));
    }
}
