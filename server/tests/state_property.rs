//! Property: whatever snapshots the store holds (automatic every 3 events here, manual ones too,
//! some invalidated by late events), `state(fund, as_of, known_at)` equals a full replay of the
//! qualifying events — on real PostgreSQL. And whatever late events are accepted, every event of
//! the resulting history is still valid at its effective date.

mod common;

use app::store::{AppendRequest, EventMetadata, Store};
use chrono::{DateTime, Duration, Utc};
use domain::fund::*;
use domain::time_machine::replay::state_at;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use rust_decimal::Decimal;
use uuid::Uuid;

/// One appended event: days after the fund's start, and what it is.
#[derive(Debug, Clone)]
enum Op {
    Call(i64),
    Invest(u8, i64, i64),
    Mark(u8, i64),
    Reserve(u8, i64),
    Actual(u8, i64),
    WriteOff(u8),
    Exit(u8, i64),
    /// Reverses the k-th (mod count) stored event that can be reversed, at its own moment.
    Reverse(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let c = 0u8..3;
    prop_oneof![
        (1i64..500).prop_map(Op::Call),
        (c.clone(), 1i64..300, 1i64..30).prop_map(|(c, a, o)| Op::Invest(c, a, o)),
        (c.clone(), 1i64..900).prop_map(|(c, v)| Op::Mark(c, v)),
        (c.clone(), 0i64..900).prop_map(|(c, v)| Op::Reserve(c, v)),
        (c.clone(), 0i64..900).prop_map(|(c, v)| Op::Actual(c, v)),
        c.clone().prop_map(Op::WriteOff),
        (c, 1i64..900).prop_map(|(c, v)| Op::Exit(c, v)),
        (0usize..1000).prop_map(Op::Reverse),
    ]
}

fn company(i: u8) -> Uuid {
    Uuid::from_u128(0xC0 + i as u128)
}

fn payload(op: &Op) -> EventPayload {
    let k = |x: i64| Decimal::from(x * 1000);
    match *op {
        Op::Call(a) => EventPayload::CapitalCalled(CapitalCalled { amount: k(a) }),
        Op::Invest(c, a, o) => EventPayload::InvestmentMade(InvestmentMade {
            company_id: company(c),
            amount: k(a),
            ownership: Some(Decimal::new(o, 2)),
            post_money: Some(k(a) * Decimal::from(20)),
            stage: None,
            follow_on: a % 2 == 0,
        }),
        Op::Mark(c, v) => EventPayload::ValuationUpdated(ValuationUpdated { company_id: company(c), post_money: k(v * 10), ownership: None, stage: None }),
        Op::Reserve(c, v) => EventPayload::ReserveAllocated(ReserveAllocated { company_id: company(c), amount: k(v) }),
        Op::Actual(c, v) => EventPayload::ActualRecorded(ActualRecorded {
            company_id: company(c),
            metric: Metric::Arr,
            period: None,
            value: k(v),
            source: ActualSource::Api,
        }),
        Op::WriteOff(c) => EventPayload::CompanyWrittenOff(CompanyWrittenOff { company_id: company(c) }),
        Op::Exit(c, v) => EventPayload::CompanyExited(CompanyExited { company_id: company(c), proceeds: k(v) }),
        Op::Reverse(_) => unreachable!("built from the stored events by `event`"),
    }
}

/// Batches of (effective day, op); many are late (before events already stored).
fn batches() -> impl Strategy<Value = Vec<Vec<(i64, Op)>>> {
    prop::collection::vec(prop::collection::vec((1i64..200, op()), 1..5), 1..14)
}

fn req(events: Vec<NewEvent>) -> AppendRequest {
    AppendRequest { expected_version: None, idempotency_key: None, fingerprint: String::new(), events, undated: Vec::new(), metadata: EventMetadata::default() }
}

async fn run_case(store: &Store, batches: Vec<Vec<(i64, Op)>>, queries: Vec<(i64, usize)>, manual_every: usize) -> Result<(), TestCaseError> {
    let start = Utc::now() - Duration::days(400);
    let fund = store.create_fund("Prop Fund", Decimal::from(1_000_000_000), None, start, EventMetadata::default(), None).await.unwrap();
    let companies: Vec<NewEvent> = (0..3)
        .map(|i| NewEvent {
            effective_at: start,
            payload: EventPayload::CompanyAdded(CompanyAdded { company_id: company(i), name: format!("C{i}"), stage: Stage::Seed, sector: None }),
        })
        .collect();
    store.append(fund.id, req(companies)).await.unwrap();
    for (n, batch) in batches.into_iter().enumerate() {
        let stored = common::stored_events(store.pool(), fund.id).await;
        let reversed = reversed_versions(&stored);
        let reversible: Vec<&FundEvent> = stored
            .iter()
            .filter(|e| !matches!(e.payload, EventPayload::FundCreated(_) | EventPayload::EventReversed(_)) && !reversed.contains(&e.version))
            .collect();
        let events = batch
            .iter()
            .map(|(day, op)| match op {
                Op::Reverse(k) => {
                    let target = reversible[k % reversible.len()];
                    NewEvent { effective_at: target.effective_at, payload: EventPayload::EventReversed(EventReversed { reverses: target.version, reason: "wrong".into() }) }
                }
                _ => NewEvent { effective_at: start + Duration::days(*day), payload: payload(op) },
            })
            .collect();
        // Some random batches break a rule (e.g. a write-off then an investment), or would make a
        // later stored event invalid; those are refused whole. After every accepted one, the
        // whole history replays valid.
        if store.append(fund.id, req(events)).await.is_ok() {
            let stored = common::stored_events(store.pool(), fund.id).await;
            let invalid = domain::time_machine::validate::first_invalid_event(&stored, Utc::now());
            prop_assert!(invalid.is_none(), "after batch {}: {:?}", n, invalid);
        }
        if manual_every > 0 && n % manual_every == 0 {
            store.create_snapshot(fund.id, "manual").await.unwrap();
        }
    }
    let events = common::stored_events(store.pool(), fund.id).await;
    for (day, k) in queries {
        let as_of: DateTime<Utc> = start + Duration::days(day);
        let known = &events[k % events.len()];
        let known_version = events.iter().filter(|e| e.recorded_at <= known.recorded_at).map(|e| e.version).max().unwrap();
        let expected = state_at(&events, as_of, known_version);
        let got = store.state(fund.id, as_of, Some(known.recorded_at)).await.unwrap();
        prop_assert_eq!(got.version, known_version);
        prop_assert_eq!(got.state.as_ref(), &expected, "as_of day {} known_version {}", day, known_version);
        // And as known now.
        let now = store.state(fund.id, as_of, None).await.unwrap();
        prop_assert_eq!(now.state.as_ref(), &state_at(&events, as_of, u64::MAX));
    }
    Ok(())
}

#[test]
fn state_with_snapshots_equals_full_replay_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(common::spawn_with(&[("SNAPSHOT_FREQUENCY", "3")]));
    let snapshot_count = std::sync::atomic::AtomicI64::new(0);
    let mut runner = TestRunner::new(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() });
    runner
        .run(
            &(batches(), prop::collection::vec((0i64..260, 0usize..1000), 1..10), 0usize..4),
            |(b, q, manual)| rt.block_on(run_case(&app.store, b, q, manual)),
        )
        .unwrap();
    let invalidated: i64 = rt
        .block_on(sqlx::query_scalar("SELECT count(*) FROM fund_snapshots WHERE invalidated_by IS NOT NULL").fetch_one(app.store.pool()))
        .unwrap();
    let total: i64 = rt.block_on(sqlx::query_scalar("SELECT count(*) FROM fund_snapshots").fetch_one(app.store.pool())).unwrap();
    snapshot_count.store(total, std::sync::atomic::Ordering::Relaxed);
    // The property is only meaningful if snapshots were used and late events invalidated some.
    assert!(total > 100 && invalidated > 10, "snapshots {total}, invalidated {invalidated}");
    println!("snapshots taken {total}, invalidated by late events {invalidated}");
}
