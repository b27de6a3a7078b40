//! Whatever snapshots exist, the state from the best usable snapshot plus replay equals a full
//! replay of the qualifying events — for random streams with late events and random as_of/known_at.

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::fund::*;
use domain::time_machine::replay::{state_at, state_from_snapshots, SnapshotMeta};
use proptest::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()
}

fn company(i: u8) -> Uuid {
    Uuid::from_u128(1000 + i as u128)
}

/// One random event about one of four companies (evolve is total, so validity is not required).
fn payload() -> impl Strategy<Value = EventPayload> {
    let c = (0u8..4).prop_map(company);
    let amount = (1i64..5_000).prop_map(|k| Decimal::new(k * 1000, 0));
    let own = (1i64..100).prop_map(|k| Decimal::new(k, 2));
    prop_oneof![
        c.clone().prop_map(|company_id| EventPayload::CompanyAdded(CompanyAdded {
            company_id,
            name: "Co".into(),
            stage: Stage::Seed,
            sector: None
        })),
        (c.clone(), amount.clone(), own.clone(), any::<bool>()).prop_map(|(company_id, amount, o, follow_on)| {
            EventPayload::InvestmentMade(InvestmentMade {
                company_id,
                amount,
                ownership: Some(o),
                post_money: Some(amount * Decimal::from(10)),
                stage: None,
                follow_on,
            })
        }),
        (c.clone(), amount.clone()).prop_map(|(company_id, v)| EventPayload::ValuationUpdated(ValuationUpdated {
            company_id,
            post_money: v * Decimal::from(20),
            ownership: None,
            stage: Some(Stage::SeriesA)
        })),
        amount.clone().prop_map(|amount| EventPayload::CapitalCalled(CapitalCalled { amount })),
        amount.clone().prop_map(|amount| EventPayload::DistributionMade(DistributionMade { amount, company_id: None })),
        (c.clone(), amount.clone()).prop_map(|(company_id, amount)| EventPayload::ReserveAllocated(ReserveAllocated { company_id, amount })),
        (c.clone(), amount.clone()).prop_map(|(company_id, value)| EventPayload::ActualRecorded(ActualRecorded {
            company_id,
            metric: Metric::Revenue,
            period: None,
            value,
            source: ActualSource::Api
        })),
        (c.clone(), amount.clone()).prop_map(|(company_id, proceeds)| EventPayload::CompanyExited(CompanyExited { company_id, proceeds })),
        c.prop_map(|company_id| EventPayload::CompanyWrittenOff(CompanyWrittenOff { company_id })),
        (prop::option::of(amount), prop::option::of(1i64..300)).prop_map(|(reserve_budget, hurdle)| {
            let mut a = domain::reserves::ReserveAssumptions { reserve_budget, ..Default::default() };
            a.constraints.hurdle = hurdle.map(|h| h as f64 / 100.0);
            EventPayload::ReserveAssumptionsSet(Box::new(a))
        }),
    ]
}

/// A stream in recorded order: versions 1.., effective days anywhere in the first 400 days (so
/// many events are recorded late, before existing snapshots), with ties on purpose, and some
/// reversals of earlier events (at the reversed event's effective moment, as the store requires).
fn stream() -> impl Strategy<Value = Vec<FundEvent>> {
    prop::collection::vec((0i64..400, payload(), prop::option::weighted(0.15, 0usize..1000)), 1..60).prop_map(|items| {
        let mut events = vec![FundEvent {
            version: 1,
            effective_at: t0(),
            recorded_at: t0(),
            payload: EventPayload::FundCreated(FundCreated { name: "F".into(), size: Decimal::from(100_000_000), vintage: None }),
        }];
        for (i, (day, payload, reverse)) in items.into_iter().enumerate() {
            let version = i as u64 + 2;
            let reversed = domain::fund::reversed_versions(&events);
            let reversible: Vec<&FundEvent> = events
                .iter()
                .filter(|e| !matches!(e.payload, EventPayload::FundCreated(_) | EventPayload::EventReversed(_)) && !reversed.contains(&e.version))
                .collect();
            let (effective_at, payload) = match reverse.filter(|_| !reversible.is_empty()) {
                Some(k) => {
                    let target = reversible[k % reversible.len()];
                    (target.effective_at, EventPayload::EventReversed(EventReversed { reverses: target.version, reason: "wrong".into() }))
                }
                None => (t0() + Duration::days(day / 3 * 3), payload),
            };
            events.push(FundEvent { version, effective_at, recorded_at: t0() + Duration::days(500) + Duration::minutes(version as i64), payload });
        }
        events
    })
}

/// Takes snapshots the way the store does: after version v, covering the fund as known at v, and
/// invalidated by the first later event whose effective date is not after the snapshot's.
fn snapshots_at(events: &[FundEvent], points: &[usize]) -> Vec<(SnapshotMeta, FundState)> {
    let mut out = Vec::new();
    for &p in points {
        let v = (p % events.len()) as u64 + 1;
        let known: Vec<FundEvent> = events.iter().filter(|e| e.version <= v).cloned().collect();
        let effective_at = known.iter().map(|e| e.effective_at).max().unwrap();
        let mut meta = SnapshotMeta { version: v, effective_at, invalidated_by: None };
        for later in events.iter().filter(|e| e.version > v) {
            if meta.invalidated_by_event(later.effective_at) {
                meta.invalidated_by = Some(later.version);
            }
        }
        out.push((meta, state_at(&known, effective_at, v)));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn snapshot_plus_replay_equals_full_replay(
        events in stream(),
        points in prop::collection::vec(0usize..1000, 0..8),
        queries in prop::collection::vec((0i64..420, 0usize..1000), 1..12),
    ) {
        let snapshots = snapshots_at(&events, &points);
        for (day, k) in queries {
            let as_of = t0() + Duration::days(day);
            let known_version = (k % (events.len() + 1)) as u64;
            let expected = state_at(&events, as_of, known_version);
            let actual = state_from_snapshots(&events, &snapshots, as_of, known_version);
            prop_assert_eq!(actual, expected, "as_of {} known_version {}", as_of, known_version);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Known after its reversal, a fund is as if the reversed event had never been recorded; known
    /// before, as if the reversal had not.
    #[test]
    fn a_reversed_event_counts_only_until_its_reversal_is_known(events in stream(), day in 0i64..420) {
        let as_of = t0() + Duration::days(day);
        let head = events.len() as u64;
        let reversed = domain::fund::reversed_versions(&events);
        let without: Vec<FundEvent> = events
            .iter()
            .filter(|e| !reversed.contains(&e.version) && !matches!(e.payload, EventPayload::EventReversed(_)))
            .cloned()
            .collect();
        let (with, clean) = (state_at(&events, as_of, head), state_at(&without, as_of, head));
        prop_assert_eq!((with.nav(), with.called, with.invested, &with.companies), (clean.nav(), clean.called, clean.invested, &clean.companies));
        for r in events.iter().filter(|e| matches!(e.payload, EventPayload::EventReversed(_))) {
            let before: Vec<FundEvent> = events.iter().filter(|e| e.version < r.version).cloned().collect();
            let known_before = state_at(&events, as_of, r.version - 1);
            prop_assert_eq!(known_before, state_at(&before, as_of, r.version - 1));
        }
    }
}
