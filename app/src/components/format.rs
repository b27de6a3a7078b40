//! Numbers as fund people read them: $12.4M, 2.31×, 18.2%, 30 Jun 2024. Negative amounts keep a
//! visible minus sign (−$1.2M), never just a colour.

use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

const MINUS: char = '−';

/// Compact dollars: $950, $12.4K, $12.4M, $1.25B.
pub fn money(d: Decimal) -> String {
    let v = d.to_f64().unwrap_or(0.0);
    let sign = if v < 0.0 { MINUS.to_string() } else { String::new() };
    let a = v.abs();
    let body = if a >= 1e9 {
        format!("${}B", trim(a / 1e9, 2))
    } else if a >= 1e6 {
        format!("${}M", trim(a / 1e6, 1))
    } else if a >= 1e3 {
        format!("${}K", trim(a / 1e3, 1))
    } else {
        format!("${}", trim(a, 0))
    };
    format!("{sign}{body}")
}

/// Full dollars with thousands separators: $1,234,567.
pub fn money_exact(d: Decimal) -> String {
    let rounded = d.round_dp(0);
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() { MINUS.to_string() } else { String::new() };
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

/// 2.31×, or an em dash when undefined.
pub fn multiple(d: Option<Decimal>) -> String {
    match d {
        Some(d) => format!("{}{:.2}×", if d.is_sign_negative() { MINUS.to_string() } else { String::new() }, d.abs().to_f64().unwrap_or(0.0)),
        None => "—".into(),
    }
}

/// A fraction as a percentage: 0.182 → 18.2%.
pub fn percent(d: Option<Decimal>) -> String {
    match d {
        Some(d) => {
            let v = d.to_f64().unwrap_or(0.0) * 100.0;
            format!("{}{:.1}%", if v < 0.0 { MINUS.to_string() } else { String::new() }, v.abs())
        }
        None => "—".into(),
    }
}

/// 30 Jun 2024
pub fn date(t: DateTime<Utc>) -> String {
    t.format("%-d %b %Y").to_string()
}

/// 30 Jun 2024, for a calendar date
pub fn day(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// 2024-06-30 (for URLs and form values)
pub fn iso_date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

fn trim(v: f64, places: usize) -> String {
    let s = format!("{v:.places$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
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
    }

    #[test]
    fn counts_are_singular_only_for_one() {
        assert_eq!(count(0, "event", "events"), "0 events");
        assert_eq!(count(1, "event", "events"), "1 event");
        assert_eq!(count(2, "event", "events"), "2 events");
    }
}
