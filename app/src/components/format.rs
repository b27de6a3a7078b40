//! Numbers as fund people read them: $12.4M, 2.31×, 18.2%, 30 Jun 2024. Negative amounts keep a
//! visible minus sign (−$1.2M), never just a colour.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

const MINUS: &str = "−";

/// Compact dollars: $950, $12.4K, $12.4M, $1.25B. Rounded on the exact decimal value, half away
/// from zero as a spreadsheet's ROUND does ($5,550,000 is $5.6M; a float would make it $5.5M).
pub fn money(d: Decimal) -> String {
    let a = d.abs();
    let (scaled, places, unit) = if a >= Decimal::from(1_000_000_000) {
        (a / Decimal::from(1_000_000_000), 2, "B")
    } else if a >= Decimal::from(1_000_000) {
        (a / Decimal::from(1_000_000), 1, "M")
    } else if a >= Decimal::from(1_000) {
        (a / Decimal::from(1_000), 1, "K")
    } else {
        (a, 0, "")
    };
    let rounded = half_away(scaled, places).normalize();
    format!("{}${rounded}{unit}", minus(d, rounded))
}

/// `d` rounded to `places` decimals, half away from zero (a spreadsheet's ROUND).
pub fn half_away(d: Decimal, places: u32) -> Decimal {
    d.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// The visible minus for a negative `d`, unless its figure as shown (`rounded`) is zero.
fn minus(d: Decimal, rounded: Decimal) -> &'static str {
    if d.is_sign_negative() && !rounded.is_zero() {
        MINUS
    } else {
        ""
    }
}

/// Full dollars with thousands separators: $1,234,567.
pub fn money_exact(d: Decimal) -> String {
    let rounded = d.round_dp(0);
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() { MINUS } else { "" };
    let digits = rounded.abs().trunc().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}${grouped}")
}

/// "1 event", "3 events": a count with its noun, singular only for exactly one.
pub fn count(n: u64, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// 2.31×, or an em dash when undefined (rounded half away from zero).
pub fn multiple(d: Option<Decimal>) -> String {
    match d {
        Some(d) => {
            let rounded = half_away(d.abs(), 2);
            format!("{}{rounded:.2}×", minus(d, rounded))
        }
        None => "—".into(),
    }
}

/// A fraction as a percentage: 0.182 → 18.2% (rounded half away from zero: 0.0625 → 6.3%).
pub fn percent(d: Option<Decimal>) -> String {
    match d {
        // A fraction beyond ±7.9e26 has no percentage in a Decimal: shown at the bound, not a panic.
        Some(d) => percent_points(d.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(if d.is_sign_negative() { Decimal::MIN } else { Decimal::MAX })),
        None => "—".into(),
    }
}

/// A figure already in percent: −25.4 → "−25.4%" (rounded as [`percent`]).
pub fn percent_points(p: Decimal) -> String {
    let rounded = half_away(p.abs(), 1);
    format!("{}{rounded:.1}%", minus(p, rounded))
}

/// 30 Jun 2024
pub fn date(t: DateTime<Utc>) -> String {
    day(t.date_naive())
}

/// 30 Jun 2024, for a calendar date (`%-d %b %Y`, written out: chrono parses the format string
/// at every call, and a page shows hundreds of dates).
pub fn day(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    use std::fmt::Write;
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    if !(0..=9999).contains(&d.year()) {
        // Signed years (chrono writes "+10000"): not worth a fast path.
        return d.format("%-d %b %Y").to_string();
    }
    let mut out = String::with_capacity(11);
    let _ = write!(out, "{} {} {:04}", d.day(), MONTHS[d.month0() as usize % 12], d.year());
    out
}

/// 2024-06-30 (for URLs and form values)
pub fn iso_date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// `v` with `places` decimals (at most 4), rounded half away from zero, appended to `out`;
/// `trim` drops trailing zeros and a bare point (12.50 → 12.5, 3.0 → 3). What `{v:.places$}`
/// prints, in a tenth of the time: the float formatter's exact mode costs about a microsecond a
/// number, and a chart prints thousands of coordinates.
pub fn push_fixed(out: &mut String, v: f64, places: u32, trim: bool) {
    use std::fmt::Write;
    let places = places.min(4);
    let scale = 10u64.pow(places);
    let scaled = (v.abs() * scale as f64).round();
    if !scaled.is_finite() || scaled >= 1e18 {
        // Beyond the integers an f64 holds exactly: the formatter's own answer.
        let _ = write!(out, "{v:.prec$}", prec = places as usize);
        return;
    }
    let n = scaled as u64;
    if v < 0.0 && n != 0 {
        out.push('-');
    }
    let _ = write!(out, "{}", n / scale);
    let mut frac = n % scale;
    let mut digits = places;
    if trim {
        while digits > 0 && frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
    }
    if digits > 0 {
        let _ = write!(out, ".{frac:0width$}", width = digits as usize);
    }
}

/// An SVG `points` list, "x,y x,y …", each coordinate to a tenth.
pub fn polyline(points: impl IntoIterator<Item = (f64, f64)>) -> String {
    let mut out = String::new();
    for (x, y) in points {
        if !out.is_empty() {
            out.push(' ');
        }
        push_fixed(&mut out, x, 1, false);
        out.push(',');
        push_fixed(&mut out, y, 1, false);
    }
    out
}

/// `v` with `places` decimals, as [`push_fixed`] writes it.
pub fn fixed(v: f64, places: u32) -> String {
    let mut out = String::with_capacity(12);
    push_fixed(&mut out, v, places, false);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn money_is_compact_with_visible_minus() {
        assert_eq!(money(d("12400000")), "$12.4M");
        assert_eq!(money(d("100000000")), "$100M");
        assert_eq!(money(d("1250000000")), "$1.25B");
        assert_eq!(money(d("12400")), "$12.4K");
        assert_eq!(money(d("950")), "$950");
        assert_eq!(money(d("-1200000")), "−$1.2M");
        assert_eq!(money(d("5550000")), "$5.6M", "a tie rounds away from zero, as ROUND does");
        assert_eq!(money(d("1005000000")), "$1.01B");
        assert_eq!(money(d("-0.4")), "$0", "no minus on a figure that rounds to zero");
    }

    #[test]
    fn exact_money_groups_thousands() {
        assert_eq!(money_exact(d("1234567.4")), "$1,234,567");
        assert_eq!(money_exact(d("-1000")), "−$1,000");
        assert_eq!(money_exact(d("0")), "$0");
    }

    #[test]
    fn multiples_and_percentages() {
        assert_eq!(multiple(Some(d("2.3149"))), "2.31×");
        assert_eq!(multiple(None), "—");
        assert_eq!(percent(Some(d("0.182"))), "18.2%");
        assert_eq!(percent(Some(d("-0.05"))), "−5.0%");
        assert_eq!(percent(Some(d("0.0625"))), "6.3%");
        assert_eq!(percent(Some(d("-0.0004"))), "0.0%");
        assert_eq!(percent_points(d("-25.45")), "−25.5%");
        assert_eq!(multiple(Some(d("1.005"))), "1.01×");
        assert!(percent(Some(Decimal::MIN)).starts_with('−'), "no overflow panic at the bounds");
        assert!(!money(Decimal::MAX).is_empty() && !multiple(Some(Decimal::MIN)).is_empty());
    }

    #[test]
    fn dates_read_as_chrono_writes_them() {
        for (y, m, dd) in [(2024, 6, 30), (2020, 1, 1), (1999, 12, 9), (999, 7, 4), (-44, 3, 15), (10000, 2, 29)] {
            let d = chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
            assert_eq!(day(d), d.format("%-d %b %Y").to_string());
            assert_eq!(date(d.and_hms_opt(23, 59, 59).unwrap().and_utc()), d.format("%-d %b %Y").to_string());
        }
    }

    #[test]
    fn fixed_point_matches_the_formatter() {
        for v in [0.0, 0.04, 0.05, 0.96, 1.0, 12.34, 99.99, 760.0, 1234.5678, 123456.789, 3.0e6] {
            for places in 0..=3u32 {
                let expected = format!("{v:.prec$}", prec = places as usize);
                assert_eq!(fixed(v, places), expected, "{v} at {places} places");
                assert_eq!(fixed(-v, places), if expected.trim_matches(['0', '.']).is_empty() { expected.clone() } else { format!("-{expected}") }, "-{v}");
            }
        }
        let mut trimmed = String::new();
        push_fixed(&mut trimmed, 12.50, 2, true);
        trimmed.push(' ');
        push_fixed(&mut trimmed, 3.0, 1, true);
        assert_eq!(trimmed, "12.5 3");
        assert_eq!(fixed(f64::NAN, 1), "NaN");
        assert_eq!(polyline([(64.04, 16.0), (-0.26, 131.25)]), "64.0,16.0 -0.3,131.3");
        assert_eq!(polyline([]), "");
    }

    #[test]
    fn counts_are_singular_only_for_one() {
        assert_eq!(count(0, "event", "events"), "0 events");
        assert_eq!(count(1, "event", "events"), "1 event");
        assert_eq!(count(2, "event", "events"), "2 events");
    }
}
