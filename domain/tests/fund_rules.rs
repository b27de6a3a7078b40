//! Given / when / then tests for `decide` and `evolve`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::fund::decide::MAX_AMOUNT;
use domain::fund::*;
use domain::time_machine::replay::state_at;
use domain::DomainError;
use rust_decimal::Decimal;
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

const ACME: Uuid = Uuid::from_u128(7);

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Applies events through `decide` then `evolve`, as the store does, numbering versions.
fn given(events: Vec<(DateTime<Utc>, EventPayload)>) -> Vec<FundEvent> {
    let mut log: Vec<FundEvent> = Vec::new();
    for (i, (effective_at, payload)) in events.into_iter().enumerate() {
        let state = state_at(&log, effective_at, u64::MAX);
        let new = NewEvent { effective_at, payload: payload.clone() };
        decide(&state, &new, now()).unwrap_or_else(|e| panic!("given event {i} rejected: {e}"));
        log.push(FundEvent { version: i as u64 + 1, effective_at, recorded_at: now(), payload });
    }
    log
}

fn fund_with_acme() -> Vec<FundEvent> {
    let start = now() - Duration::days(365);
    given(vec![
        (start, EventPayload::FundCreated(FundCreated { name: "Fund I".into(), size: dec("100000000"), vintage: Some(2025) })),
        (start, EventPayload::CompanyAdded(CompanyAdded { company_id: ACME, name: "Acme".into(), stage: Stage::Seed, sector: None })),
    ])
}

fn when(log: &[FundEvent], effective_at: DateTime<Utc>, payload: EventPayload) -> Result<(), DomainError> {
    decide(&state_at(log, effective_at, u64::MAX), &NewEvent { effective_at, payload }, now())
}

fn field_of(r: Result<(), DomainError>) -> String {
    r.expect_err("should be rejected").field().to_string()
}

fn invest(amount: &str) -> EventPayload {
    EventPayload::InvestmentMade(InvestmentMade {
        company_id: ACME,
        amount: dec(amount),
        ownership: Some(dec("0.1")),
        post_money: Some(dec("10000000")),
        stage: None,
        follow_on: false,
    })
}

#[test]
fn investment_made_now_counts_now_and_not_a_day_ago() {
    let mut log = fund_with_acme();
    log.extend(given_more(&log, now(), invest("1000000")));
    assert_eq!(state_at(&log, now(), u64::MAX).invested, dec("1000000"));
    assert_eq!(state_at(&log, now() - Duration::days(1), u64::MAX).invested, Decimal::ZERO);
}

fn given_more(log: &[FundEvent], at: DateTime<Utc>, payload: EventPayload) -> Vec<FundEvent> {
    when(log, at, payload.clone()).expect("valid");
    vec![FundEvent { version: log.len() as u64 + 1, effective_at: at, recorded_at: now(), payload }]
}

#[test]
fn zero_or_negative_amounts_are_rejected_naming_the_amount() {
    let log = fund_with_acme();
    assert_eq!(field_of(when(&log, now(), invest("0"))), "payload.amount");
    assert_eq!(field_of(when(&log, now(), invest("-5"))), "payload.amount");
    let call = EventPayload::CapitalCalled(CapitalCalled { amount: dec("-1") });
    assert_eq!(field_of(when(&log, now(), call)), "payload.amount");
}

#[test]
fn unknown_company_is_rejected_naming_company_id() {
    let log = fund_with_acme();
    let mut p = invest("100");
    if let EventPayload::InvestmentMade(i) = &mut p {
        i.company_id = Uuid::from_u128(99);
    }
    assert_eq!(field_of(when(&log, now(), p)), "payload.company_id");
}

#[test]
fn ownership_outside_zero_one_is_rejected() {
    let log = fund_with_acme();
    for bad in ["0", "1.01", "-0.2"] {
        let p = EventPayload::InvestmentMade(InvestmentMade {
            company_id: ACME,
            amount: dec("100"),
            ownership: Some(dec(bad)),
            post_money: None,
            stage: None,
            follow_on: false,
        });
        assert_eq!(field_of(when(&log, now(), p)), "payload.ownership", "ownership {bad}");
    }
}

#[test]
fn events_dated_before_the_fund_existed_are_rejected() {
    let log = fund_with_acme();
    assert_eq!(field_of(when(&log, now() - Duration::days(800), invest("100"))), "effective_at");
    let created = log[0].effective_at;
    let r = decide(&state_at(&log, now(), u64::MAX), &NewEvent { effective_at: created - Duration::days(1), payload: invest("100") }, now());
    assert_eq!(field_of(r), "effective_at");
}

#[test]
fn future_effective_dates_are_rejected() {
    let log = fund_with_acme();
    assert_eq!(field_of(when(&log, now() + Duration::days(3), invest("100"))), "effective_at");
}

#[test]
fn distribution_larger_than_the_funds_value_is_rejected() {
    let mut log = fund_with_acme();
    log.extend(given_more(&log, now(), invest("1000000")));
    // NAV = 10% of 10M = 1M, nothing realised yet.
    let ok = EventPayload::DistributionMade(DistributionMade { amount: dec("1000000"), company_id: None });
    assert!(when(&log, now(), ok).is_ok());
    let too_much = EventPayload::DistributionMade(DistributionMade { amount: dec("1000000.01"), company_id: None });
    assert_eq!(field_of(when(&log, now(), too_much)), "payload.amount");
}

#[test]
fn capital_call_beyond_commitment_is_rejected() {
    let log = fund_with_acme();
    let p = EventPayload::CapitalCalled(CapitalCalled { amount: dec("100000000.01") });
    assert_eq!(field_of(when(&log, now(), p)), "payload.amount");
}

#[test]
fn written_off_company_takes_no_more_investment() {
    let mut log = fund_with_acme();
    log.extend(given_more(&log, now() - Duration::days(2), EventPayload::CompanyWrittenOff(CompanyWrittenOff { company_id: ACME })));
    assert_eq!(field_of(when(&log, now(), invest("100"))), "payload.company_id");
    // …but before the write-off it could.
    assert!(when(&log, now() - Duration::days(3), invest("100")).is_ok());
}

#[test]
fn kpis_follow_calls_valuations_and_distributions() {
    let mut log = fund_with_acme();
    let t = now() - Duration::days(300);
    for (at, p) in [
        (t, EventPayload::CapitalCalled(CapitalCalled { amount: dec("2000000") })),
        (t, invest("1000000")),
        (t + Duration::days(100), EventPayload::ValuationUpdated(ValuationUpdated { company_id: ACME, post_money: dec("30000000"), ownership: None, stage: None })),
        (t + Duration::days(200), EventPayload::DistributionMade(DistributionMade { amount: dec("500000"), company_id: None })),
    ] {
        log.extend(given_more(&log, at, p));
    }
    let k = state_at(&log, now(), u64::MAX).kpis(now());
    assert_eq!(k.nav, dec("3000000"));
    assert_eq!(k.dpi, Some(dec("0.25")));
    assert_eq!(k.rvpi, Some(dec("1.5")));
    assert_eq!(k.tvpi, Some(dec("1.75")));
    assert!(k.net_irr.unwrap() > Decimal::ZERO);
}

#[test]
fn late_valuation_changes_the_past_only_for_later_knowledge() {
    let mut log = fund_with_acme();
    let t = now() - Duration::days(200);
    log.extend(given_more(&log, t, invest("1000000")));
    let known_before = log.len() as u64;
    // Recorded now, effective 100 days ago.
    log.extend(given_more(&log, now() - Duration::days(100), EventPayload::ValuationUpdated(ValuationUpdated {
        company_id: ACME,
        post_money: dec("50000000"),
        ownership: None,
        stage: None,
    })));
    let at = now() - Duration::days(50);
    assert_eq!(state_at(&log, at, known_before).nav(), dec("1000000"));
    assert_eq!(state_at(&log, at, u64::MAX).nav(), dec("5000000"));
}

#[test]
fn exit_moves_value_from_nav_to_realized() {
    let mut log = fund_with_acme();
    log.extend(given_more(&log, now() - Duration::days(10), invest("1000000")));
    log.extend(given_more(&log, now(), EventPayload::CompanyExited(CompanyExited { company_id: ACME, proceeds: dec("4000000") })));
    let s = state_at(&log, now(), u64::MAX);
    assert_eq!(s.nav(), Decimal::ZERO);
    assert_eq!(s.realized, dec("4000000"));
    assert_eq!(s.company(&ACME).unwrap().status, CompanyStatus::Exited);
}

#[test]
fn stored_payload_round_trips_through_its_json_form() {
    let p = invest("1234.5");
    let back = EventPayload::from_stored(p.event_type(), CURRENT_SCHEMA_VERSION, p.to_stored()).unwrap();
    assert_eq!(back, p);
    assert!(EventPayload::from_stored("INVESTMENT_MADE", 99, p.to_stored()).is_err());
}

#[test]
fn stored_payload_text_decodes_as_its_json_value_does_for_every_generated_event() {
    let history = domain::demo::generate(&domain::demo::DemoSpec::demo_fund(now()));
    let mut types = std::collections::BTreeSet::new();
    for e in &history {
        let text = e.payload.to_stored().to_string();
        let back = EventPayload::from_stored_text(e.payload.event_type(), CURRENT_SCHEMA_VERSION, &text).unwrap();
        assert_eq!(back, e.payload);
        types.insert(e.payload.event_type());
    }
    assert!(types.len() >= 8, "the demo history covers most event types: {types:?}");
    let p = invest("1234.5");
    assert!(EventPayload::from_stored_text("INVESTMENT_MADE", 99, &p.to_stored().to_string()).is_err());
    let err = EventPayload::from_stored_text("INVESTMENT_MADE", CURRENT_SCHEMA_VERSION, r#"{"amount": "1"}"#).unwrap_err();
    assert!(matches!(err, domain::DomainError::Invalid { ref field, .. } if field == "payload"), "{err:?}");
    assert!(EventPayload::from_stored_text("NO_SUCH_EVENT", CURRENT_SCHEMA_VERSION, "{}").is_err());
}

#[test]
fn absurdly_large_amounts_are_rejected_before_they_can_overflow() {
    let log = fund_with_acme();
    assert_eq!(field_of(when(&log, now(), invest("1000000000000001"))), "payload.amount");
    assert_eq!(MAX_AMOUNT.to_string(), "1000000000000000");
}
