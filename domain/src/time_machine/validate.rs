//! The whole-history invariant: replayed in canonical order, every event is valid (by `decide`)
//! against the fund just before it. The store keeps it on every append, back-dated ones included
//! (a late event that would make a later one invalid is refused); this checks a history whole,
//! reversals included (each must meet `decide_reversal`, and the events it cancels are left out).

use chrono::{DateTime, Utc};

use super::replay::canonical_cmp;
use crate::error::DomainError;
use crate::fund::{decide, decide_reversal, evolve, in_force, EventPayload, FundEvent, FundState, NewEvent};

/// The first event of `events` (canonical order) that `decide` refuses against the history
/// before it, with the reason; `None` when the whole history is valid. `now`: the clock for the
/// "not in the future" rule.
pub fn first_invalid_event(events: &[FundEvent], now: DateTime<Utc>) -> Option<(u64, DomainError)> {
    let by_version: std::collections::HashMap<u64, &FundEvent> = events.iter().map(|e| (e.version, e)).collect();
    let mut reversed_by: std::collections::HashMap<u64, u64> = std::collections::HashMap::new();
    let mut in_version_order: Vec<&FundEvent> = events.iter().collect();
    in_version_order.sort_by_key(|e| e.version);
    for e in in_version_order {
        if let EventPayload::EventReversed(r) = &e.payload {
            let target = by_version.get(&r.reverses).copied().filter(|t| t.version < e.version);
            if let Err(err) = decide_reversal(r, e.effective_at, target, reversed_by.get(&r.reverses).copied()) {
                return Some((e.version, err));
            }
            reversed_by.insert(r.reverses, e.version);
        }
    }
    let mut ordered: Vec<&FundEvent> = in_force(events);
    ordered.sort_by(|a, b| canonical_cmp(a, b));
    let mut state = FundState::default();
    for e in ordered {
        let candidate = NewEvent { effective_at: e.effective_at, payload: e.payload.clone() };
        if let Err(err) = decide(&state, &candidate, now.max(e.recorded_at)) {
            return Some((e.version, err));
        }
        state = evolve(state, e);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fund::{CapitalCalled, EventPayload, FundCreated};
    use chrono::TimeZone;
    use rust_decimal::Decimal;

    fn event(version: u64, day: u32, payload: EventPayload) -> FundEvent {
        let at = Utc.with_ymd_and_hms(2024, 1, day, 0, 0, 0).unwrap();
        FundEvent { version, effective_at: at, recorded_at: Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap() + chrono::Duration::seconds(version as i64), payload }
    }

    #[test]
    fn a_back_dated_call_that_overdraws_the_commitment_makes_the_later_call_invalid() {
        let created = event(1, 1, EventPayload::FundCreated(FundCreated { name: "F".into(), size: Decimal::from(1_000), vintage: None }));
        let later = event(2, 20, EventPayload::CapitalCalled(CapitalCalled { amount: Decimal::from(600) }));
        let now = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
        assert_eq!(first_invalid_event(&[created.clone(), later.clone()], now), None);
        // Recorded after the 20th's call but effective before it: the 20th's call no longer fits.
        let earlier = event(3, 10, EventPayload::CapitalCalled(CapitalCalled { amount: Decimal::from(600) }));
        let (version, err) = first_invalid_event(&[created, later, earlier], now).expect("invalid");
        assert_eq!(version, 2);
        assert_eq!(err.field(), "payload.amount");
    }
}
