//! The dates Fundlens accepts, 1900-01-01 to 2200-12-31, and their parsers. A fund's history fits
//! well inside; chrono's own range (±262,143 years) does not survive date arithmetic at its ends
//! (a day added to its last date panics), so every date from outside is checked here first.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

/// The first supported day.
pub fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date")
}

/// The last supported day.
pub fn latest() -> NaiveDate {
    NaiveDate::from_ymd_opt(2200, 12, 31).expect("a valid date")
}

/// `d` when it lies in the supported range, otherwise a message for the field's error.
pub fn check_day(d: NaiveDate) -> Result<NaiveDate, String> {
    if (earliest()..=latest()).contains(&d) {
        Ok(d)
    } else {
        Err(format!("{d} is outside the supported dates ({} to {})", earliest(), latest()))
    }
}

/// `t` when its (UTC) day lies in the supported range.
pub fn check_moment(t: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    check_day(t.date_naive()).map(|_| t)
}

/// A day written `YYYY-MM-DD`, within the supported range.
pub fn parse_day(raw: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => check_day(d),
        Err(_) => Err(format!("{raw:?} is not a date (YYYY-MM-DD)")),
    }
}

/// A moment given as RFC 3339 (`2024-06-30T12:00:00Z`) or a date (`2024-06-30`), within the
/// supported range. A date means the end of that day (UTC) when `end_of_day`, otherwise its start.
pub fn parse_moment(raw: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return check_moment(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let d = check_day(d)?;
        return Ok(if end_of_day { end_of(d) } else { d.and_time(NaiveTime::MIN).and_utc() });
    }
    Err(format!("{raw:?} is not a date (YYYY-MM-DD) or an RFC 3339 timestamp"))
}

/// The last microsecond of a day.
pub fn end_of(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN).and_utc() + Duration::days(1) - Duration::microseconds(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn dates_outside_1900_to_2200_are_refused_with_a_reason() {
        for raw in ["+262142-12-31", "-262143-01-01", "1899-12-31", "2201-01-01", "+262142-12-31T00:00:00Z", "9999-12-31T23:59:59Z"] {
            let e = parse_moment(raw, true).unwrap_err();
            assert!(e.contains("supported") || e.contains("not a date"), "{raw}: {e}");
        }
        assert!(parse_moment("+262142-12-31", true).unwrap_err().contains("outside the supported dates"));
        assert_eq!(parse_moment("1900-01-01", false).unwrap().to_rfc3339(), "1900-01-01T00:00:00+00:00");
        assert_eq!(parse_moment("2200-12-31", true).unwrap().to_rfc3339(), "2200-12-31T23:59:59.999999+00:00");
        assert!(parse_day("+262142-12-31").unwrap_err().contains("outside the supported dates"));
        assert!(parse_day("31/12/2024").unwrap_err().contains("not a date"));
        assert_eq!(parse_day(" 2024-02-29 ").unwrap().to_string(), "2024-02-29");
    }

    proptest! {
        #[test]
        fn no_string_makes_a_date_parser_panic(raw in any::<String>()) {
            let _ = parse_moment(&raw, true);
            let _ = parse_moment(&raw, false);
            let _ = parse_day(&raw);
            let _ = crate::variance::csv_rows::parse_day_or_moment(&raw);
        }

        #[test]
        fn date_like_strings_parse_in_range_or_fail(y in -300_000i64..300_000, m in 0u32..14, d in 0u32..33, t in any::<bool>()) {
            let raw = if t { format!("{y:+}-{m:02}-{d:02}T00:00:00Z") } else { format!("{y}-{m:02}-{d:02}") };
            for end in [true, false] {
                if let Ok(v) = parse_moment(&raw, end) {
                    prop_assert!(check_moment(v).is_ok());
                    let _ = end_of(v.date_naive());
                }
            }
        }
    }
}
