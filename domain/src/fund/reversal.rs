//! Corrections. Stored events never change: a mistake is cancelled by an `EVENT_REVERSED` that
//! names its version (and, to correct an amount, the right event is recorded beside it).
//!
//! A reversal carries the reversed event's own effective moment, so it takes effect from the
//! moment the mistake did. Every set of events a fold selects — "effective in (a, b], known at
//! version k" — therefore holds a reversal only together with the event it reverses (the reversal
//! has the same effective moment and a higher version). Folding such a set leaves the reversed
//! events out ([`in_force`]); known before the reversal was recorded, the mistake is there as it
//! was believed. `evolve` cannot do this itself: what a mistaken valuation overwrote is gone from
//! the state.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::events::{EventPayload, EventReversed, FundEvent};
use crate::error::DomainError;

/// The versions that reversals among `events` cancel.
pub fn reversed_versions<'a>(events: impl IntoIterator<Item = &'a FundEvent>) -> HashSet<u64> {
    events
        .into_iter()
        .filter_map(|e| match &e.payload {
            EventPayload::EventReversed(r) => Some(r.reverses),
            _ => None,
        })
        .collect()
}

/// `events` without the ones a reversal among them cancels, in the same order: what a fold applies.
pub fn in_force<'a>(events: impl IntoIterator<Item = &'a FundEvent>) -> Vec<&'a FundEvent> {
    let events: Vec<&FundEvent> = events.into_iter().collect();
    let reversed = reversed_versions(events.iter().copied());
    if reversed.is_empty() {
        return events;
    }
    events.into_iter().filter(|e| !reversed.contains(&e.version)).collect()
}

/// The rules a reversal must meet beyond `decide`'s (which checks its date and reason): it names
/// a stored event (`target`, looked up by the caller), not the fund's creation, not a set of reserve
/// assumptions (an admin's, set again to undo), not another reversal, not one already reversed (`reversed_by`), and it carries that event's effective
/// moment. Whether leaving the event out breaks later history is checked where the history is
/// folded again, as for any back-dated event.
pub fn decide_reversal(
    reversal: &EventReversed,
    effective_at: DateTime<Utc>,
    target: Option<&FundEvent>,
    reversed_by: Option<u64>,
) -> Result<(), DomainError> {
    let version = reversal.reverses;
    let Some(target) = target else {
        return Err(DomainError::invalid("payload.reverses", format!("the fund has no event with version {version}")));
    };
    match target.payload {
        EventPayload::FundCreated(_) => {
            return Err(DomainError::invalid("payload.reverses", "the fund's creation cannot be reversed"));
        }
        // Admins set them (Reserves tab), analysts append events: setting them again is the way back.
        EventPayload::ReserveAssumptionsSet(_) => {
            return Err(DomainError::invalid(
                "payload.reverses",
                "reserve assumptions are not reversed: set the earlier assumptions again on the Reserves tab",
            ));
        }
        EventPayload::EventReversed(_) => {
            return Err(DomainError::invalid(
                "payload.reverses",
                format!("version {version} is itself a reversal; record the original event again instead"),
            ));
        }
        _ => {}
    }
    if let Some(by) = reversed_by {
        return Err(DomainError::invalid("payload.reverses", format!("version {version} is already reversed (by version {by})")));
    }
    if effective_at != target.effective_at {
        return Err(DomainError::invalid(
            "effective_at",
            format!("must be the reversed event's effective moment ({}), or left out", target.effective_at.to_rfc3339()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fund::{CapitalCalled, CompanyAdded, FundCreated, InvestmentMade, Stage, ValuationUpdated};
    use crate::time_machine::replay::state_at;
    use crate::time_machine::validate::first_invalid_event;
    use chrono::{Duration, TimeZone};
    use rust_decimal::Decimal;
    use uuid::Uuid;

    fn day(d: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::days(d)
    }

    fn event(version: u64, effective: i64, recorded: i64, payload: EventPayload) -> FundEvent {
        FundEvent { version, effective_at: day(effective), recorded_at: day(recorded), payload }
    }

    fn reverse(version: u64) -> EventReversed {
        EventReversed { reverses: version, reason: "typo".into() }
    }

    const ACME: Uuid = Uuid::from_u128(1);

    /// A fund, a company, a $2M investment at a $10M post-money, then a mark to $30M on day 20 that
    /// should have been $3M: reversed on day 40 and recorded again.
    fn history() -> Vec<FundEvent> {
        vec![
            event(1, 0, 0, EventPayload::FundCreated(FundCreated { name: "F".into(), size: Decimal::from(100_000_000), vintage: None })),
            event(2, 1, 1, EventPayload::CompanyAdded(CompanyAdded { company_id: ACME, name: "Acme".into(), stage: Stage::Seed, sector: None })),
            event(
                3,
                2,
                2,
                EventPayload::InvestmentMade(InvestmentMade {
                    company_id: ACME,
                    amount: Decimal::from(2_000_000),
                    ownership: Some(Decimal::new(2, 1)),
                    post_money: Some(Decimal::from(10_000_000)),
                    stage: None,
                    follow_on: false,
                }),
            ),
            event(4, 20, 20, EventPayload::ValuationUpdated(ValuationUpdated { company_id: ACME, post_money: Decimal::from(30_000_000), ownership: None, stage: None })),
            event(5, 20, 40, EventPayload::EventReversed(reverse(4))),
            event(6, 20, 40, EventPayload::ValuationUpdated(ValuationUpdated { company_id: ACME, post_money: Decimal::from(3_000_000), ownership: None, stage: None })),
        ]
    }

    #[test]
    fn a_fold_leaves_out_what_is_reversed_and_only_once_the_reversal_is_known() {
        let events = history();
        let nav = |known_version| state_at(&events, day(30), known_version).nav();
        // As believed before day 40: the mistaken $30M mark, 20% of it.
        assert_eq!(nav(4), Decimal::from(6_000_000));
        // Reversed but not yet recorded again: back to the round's $10M.
        assert_eq!(nav(5), Decimal::from(2_000_000));
        // Corrected: the $3M mark, from day 20 on.
        assert_eq!(nav(6), Decimal::from(600_000));
        assert_eq!(state_at(&events, day(19), 6).nav(), Decimal::from(2_000_000));
        assert_eq!(first_invalid_event(&events, day(41)), None);
    }

    #[test]
    fn a_reversal_must_name_a_stored_event_that_is_not_the_fund_or_a_reversal() {
        let events = history();
        let unknown = decide_reversal(&reverse(99), day(20), None, None).unwrap_err();
        assert_eq!((unknown.field(), unknown.to_string().contains("no event with version 99")), ("payload.reverses", true));
        let fund = decide_reversal(&reverse(1), day(0), Some(&events[0]), None).unwrap_err();
        assert!(fund.to_string().contains("creation cannot be reversed"), "{fund}");
        let of_reversal = decide_reversal(&reverse(5), day(20), Some(&events[4]), None).unwrap_err();
        assert!(of_reversal.to_string().contains("itself a reversal"), "{of_reversal}");
        let assumptions = event(7, 3, 3, EventPayload::ReserveAssumptionsSet(Box::default()));
        let admins_only = decide_reversal(&reverse(7), day(3), Some(&assumptions), None).unwrap_err();
        assert!(admins_only.to_string().contains("set the earlier assumptions again"), "{admins_only}");
    }

    #[test]
    fn an_event_is_reversed_once_and_at_its_own_effective_moment() {
        let events = history();
        let twice = decide_reversal(&reverse(4), day(20), Some(&events[3]), Some(5)).unwrap_err();
        assert!(twice.to_string().contains("already reversed (by version 5)"), "{twice}");
        let elsewhere = decide_reversal(&reverse(3), day(25), Some(&events[2]), None).unwrap_err();
        assert_eq!(elsewhere.field(), "effective_at");
        assert_eq!(decide_reversal(&reverse(3), day(2), Some(&events[2]), None), Ok(()));
    }

    #[test]
    fn reversing_a_company_that_later_events_need_breaks_the_history() {
        let mut events = history();
        events.push(event(7, 1, 50, EventPayload::EventReversed(reverse(2))));
        let (version, err) = first_invalid_event(&events, day(51)).expect("the investment loses its company");
        assert_eq!(version, 3);
        assert_eq!(err.field(), "payload.company_id");
    }

    #[test]
    fn a_reversed_capital_call_frees_the_commitment_again() {
        let mut events = history();
        events.push(event(7, 30, 30, EventPayload::CapitalCalled(CapitalCalled { amount: Decimal::from(100_000_000) })));
        events.push(event(8, 30, 31, EventPayload::EventReversed(reverse(7))));
        assert_eq!(state_at(&events, day(31), 8).called, Decimal::ZERO);
        events.push(event(9, 31, 31, EventPayload::CapitalCalled(CapitalCalled { amount: Decimal::from(60_000_000) })));
        assert_eq!(first_invalid_event(&events, day(32)), None);
    }
}
