use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::fund::{evolve, reversed_versions, FundEvent, FundState};

/// The fund's headline amounts at one date, for charts over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    pub date: DateTime<Utc>,
    pub nav: Decimal,
    pub invested: Decimal,
    pub distributed: Decimal,
    pub called: Decimal,
}

/// Samples the fund at each date (ascending) in one pass over `events`, which must be in
/// canonical order (effective date, then version). Reversed events are left out from the start:
/// a reversal shares its event's effective moment, so no date sees one without the other.
pub fn sample(events: &[FundEvent], dates: &[DateTime<Utc>]) -> Vec<SeriesPoint> {
    let reversed = reversed_versions(events);
    let mut state = FundState::default();
    let mut next = 0;
    let mut out = Vec::with_capacity(dates.len());
    for &date in dates {
        while next < events.len() && events[next].effective_at <= date {
            if !reversed.contains(&events[next].version) {
                state = evolve(state, &events[next]);
            }
            next += 1;
        }
        out.push(SeriesPoint {
            date,
            nav: state.nav(),
            invested: state.invested,
            distributed: state.distributed,
            called: state.called,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fund::{CapitalCalled, EventPayload, FundCreated};
    use crate::time_machine::replay::state_at;
    use chrono::{Duration, TimeZone};

    #[test]
    fn each_sample_equals_the_state_at_that_date() {
        let t0 = Utc.with_ymd_and_hms(2022, 1, 1, 0, 0, 0).unwrap();
        let mut events = vec![FundEvent {
            version: 1,
            effective_at: t0,
            recorded_at: t0,
            payload: EventPayload::FundCreated(FundCreated { name: "F".into(), size: Decimal::from(1000), vintage: None }),
        }];
        for i in 0..10 {
            events.push(FundEvent {
                version: i + 2,
                effective_at: t0 + Duration::days(10 * i as i64),
                recorded_at: t0,
                payload: EventPayload::CapitalCalled(CapitalCalled { amount: Decimal::from(i + 1) }),
            });
        }
        let dates: Vec<_> = (0..12).map(|d| t0 + Duration::days(d * 9)).collect();
        for p in sample(&events, &dates) {
            assert_eq!(p.called, state_at(&events, p.date, u64::MAX).called);
        }
    }
}
