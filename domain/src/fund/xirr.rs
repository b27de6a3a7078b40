//! XIRR: the annual rate at which a dated series of cash flows has zero net present value.

use chrono::{DateTime, Utc};

const DAYS_PER_YEAR: f64 = 365.0;

/// Solves Σ amount_i / (1 + r)^(days_i / 365) = 0 for r, with days_i the calendar days (UTC dates)
/// from the first flow: the same equation as `XIRR` in Excel, Google Sheets and pyxirr. Returns `None` when the flows do not change
/// sign (no rate exists) or no root lies in (-99.99%, 1,000,000%).
///
/// Bisection on the log of (1 + r): the NPV is monotone there for a conventional series (outflows
/// then inflows), and bisection cannot diverge the way Newton's method does on extreme inputs.
pub fn xirr(flows: &[(DateTime<Utc>, f64)]) -> Option<f64> {
    let has_negative = flows.iter().any(|(_, a)| *a < 0.0);
    let has_positive = flows.iter().any(|(_, a)| *a > 0.0);
    if !has_negative || !has_positive {
        return None;
    }
    // Whole calendar days (Actual/365), as spreadsheets count them: a flow's time of day does not
    // count, so a NAV dated at the end of the as-of day falls on that day.
    let t0 = flows.iter().map(|(d, _)| d.date_naive()).min()?;
    let years: Vec<(f64, f64)> = flows
        .iter()
        .map(|(d, a)| ((d.date_naive() - t0).num_days() as f64 / DAYS_PER_YEAR, *a))
        .collect();
    // g = ln(1 + r); NPV(g) = Σ a · exp(-g · t).
    let npv = |g: f64| years.iter().map(|(t, a)| a * (-g * t).exp()).sum::<f64>();
    let (mut lo, mut hi) = ((1e-4f64).ln(), (1e4f64).ln());
    let (f_lo, f_hi) = (npv(lo), npv(hi));
    if !f_lo.is_finite() || !f_hi.is_finite() || f_lo.signum() == f_hi.signum() {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        let f_mid = npv(mid);
        if f_mid == 0.0 || (hi - lo) < 1e-12 {
            return Some(mid.exp() - 1.0);
        }
        if f_mid.signum() == f_lo.signum() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((0.5 * (lo + hi)).exp() - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
    }

    #[test]
    fn doubling_in_one_year_is_one_hundred_percent() {
        let r = xirr(&[(day(2021, 1, 1), -100.0), (day(2022, 1, 1), 200.0)]).unwrap();
        assert!((r - 1.0).abs() < 1e-6, "{r}");
    }

    #[test]
    fn matches_the_spreadsheet_example() {
        // The XIRR example from spreadsheet documentation: 37.34%.
        let flows = [
            (day(2008, 1, 1), -10000.0),
            (day(2008, 3, 1), 2750.0),
            (day(2008, 10, 30), 4250.0),
            (day(2009, 2, 15), 3250.0),
            (day(2009, 4, 1), 2750.0),
        ];
        let r = xirr(&flows).unwrap();
        // pyxirr 0.10.8: 0.3733625335095556.
        assert!((r - 0.3733625335095556).abs() < 1e-9, "{r}");
    }

    /// Reference values from pyxirr 0.10.8 (`pyxirr.xirr(dates, amounts)`, Python 3), on the
    /// same dates without times of day.
    #[test]
    fn times_of_day_do_not_count_as_in_a_spreadsheet() {
        let at = |y, m, d, h, min| Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap();
        let fund = [
            (at(2020, 1, 15, 17, 30), -2_500_000.0),
            (at(2020, 7, 3, 9, 0), -4_000_000.0),
            (at(2021, 2, 28, 23, 59), -1_750_000.0),
            (at(2022, 11, 30, 0, 1), 1_200_000.0),
            (at(2024, 2, 29, 12, 0), -900_000.0),
            (Utc.with_ymd_and_hms(2026, 6, 30, 23, 59, 59).unwrap() + chrono::Duration::microseconds(999_999), 13_400_000.0),
        ];
        let r = xirr(&fund).unwrap();
        assert!((r - 0.09127989101808445).abs() < 1e-9, "{r}");
        let losing = [(at(2021, 3, 31, 18, 0), -1_000_000.0), (at(2021, 12, 31, 6, 0), -500_000.0), (at(2023, 6, 30, 23, 0), 1_100_000.0)];
        let r = xirr(&losing).unwrap();
        assert!((r - -0.14443830768765764).abs() < 1e-9, "{r}");
    }

    #[test]
    fn losing_everything_has_no_rate_and_losses_are_negative() {
        assert_eq!(xirr(&[(day(2021, 1, 1), -100.0)]), None);
        let r = xirr(&[(day(2021, 1, 1), -100.0), (day(2023, 1, 1), 50.0)]).unwrap();
        assert!(r < 0.0 && r > -0.5, "{r}");
    }
}
