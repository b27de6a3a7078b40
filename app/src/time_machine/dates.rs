//! Dates in URLs, forms and the REST API: one set of rules everywhere.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

/// A moment given as RFC 3339 (`2024-06-30T12:00:00Z`) or a date (`2024-06-30`). A date means the
/// end of that day (UTC) when `end_of_day` — "as of 30 June" includes 30 June — otherwise its start.
pub fn parse_moment(raw: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
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

    #[test]
    fn a_plain_date_means_the_end_of_that_day_for_as_of() {
        let t = parse_moment("2024-06-30", true).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-06-30T23:59:59.999999+00:00");
        assert_eq!(parse_moment("2024-06-30", false).unwrap().to_rfc3339(), "2024-06-30T00:00:00+00:00");
        assert!(parse_moment("30/06/2024", true).is_err());
        assert_eq!(parse_moment("2024-06-30T10:00:00+02:00", true).unwrap().to_rfc3339(), "2024-06-30T08:00:00+00:00");
    }
}
