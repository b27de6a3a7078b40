//! Dates in URLs, forms and the REST API: one set of rules everywhere (`domain::dates`, which
//! also refuses dates outside 1900-01-01..=2200-12-31).

use chrono::{DateTime, NaiveDate, Utc};

/// A moment given as RFC 3339 (`2024-06-30T12:00:00Z`) or a date (`2024-06-30`). A date means the
/// end of that day (UTC) when `end_of_day` — "as of 30 June" includes 30 June — otherwise its start.
pub fn parse_moment(raw: &str, end_of_day: bool) -> Result<DateTime<Utc>, String> {
    domain::dates::parse_moment(raw, end_of_day)
}

/// The last microsecond of a day.
pub fn end_of(d: NaiveDate) -> DateTime<Utc> {
    domain::dates::end_of(d)
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

    #[test]
    fn dates_beyond_the_supported_range_are_refused() {
        assert!(parse_moment("+262142-12-31", true).is_err());
        assert!(parse_moment("-262143-01-01", true).is_err());
    }
}
