//! Given / when / then tests for a fund's reserve-model assumptions (RESERVE_ASSUMPTIONS_SET).

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::fund::*;
use domain::reserves::{ReserveAssumptions, RunParams, FUND_OVERRIDE};
use domain::time_machine::replay::state_at;
use domain::DomainError;
use rust_decimal::Decimal;
use serde_json::json;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn assumptions(value: serde_json::Value) -> ReserveAssumptions {
    serde_json::from_value(value).expect("valid assumptions JSON")
}

fn set(value: serde_json::Value) -> EventPayload {
    EventPayload::ReserveAssumptionsSet(Box::new(assumptions(value)))
}

/// A $100M fund created a year ago.
fn fund() -> Vec<FundEvent> {
    let created = FundCreated { name: "Fund I".into(), size: dec("100000000"), vintage: Some(2025) };
    let mut log = Vec::new();
    given(&mut log, now() - Duration::days(365), EventPayload::FundCreated(created));
    log
}

/// Appends an event after `decide` accepted it, as the store does.
fn given(log: &mut Vec<FundEvent>, at: DateTime<Utc>, payload: EventPayload) {
    when(log, at, payload.clone()).unwrap_or_else(|e| panic!("given event rejected: {e}"));
    log.push(FundEvent { version: log.len() as u64 + 1, effective_at: at, recorded_at: now(), payload });
}

fn when(log: &[FundEvent], at: DateTime<Utc>, payload: EventPayload) -> Result<(), DomainError> {
    decide(&state_at(log, at, u64::MAX), &NewEvent { effective_at: at, payload }, now())
}

fn rejected_field(r: Result<(), DomainError>) -> String {
    r.expect_err("should be rejected").field().to_string()
}

fn in_force(log: &[FundEvent], at: DateTime<Utc>) -> Option<AssumptionsInForce> {
    state_at(log, at, u64::MAX).reserve_assumptions
}

#[test]
fn given_no_assumptions_set_then_none_are_in_force() {
    assert_eq!(in_force(&fund(), now()), None);
}

#[test]
fn when_assumptions_are_set_then_they_are_in_force_with_their_date_and_version() {
    let mut log = fund();
    let at = now() - Duration::days(10);
    given(&mut log, at, set(json!({"model": {"stages": {"seed": {"graduation": 0.5}}}, "reserve_budget": 20000000})));
    let force = in_force(&log, now()).expect("in force");
    assert_eq!(force.effective_at, at);
    assert_eq!(force.version, 2);
    assert_eq!(force.assumptions.model.stages.seed.as_ref().and_then(|s| s.graduation), Some(0.5));
    assert_eq!(force.assumptions.reserve_budget, Some(dec("20000000")));
}

#[test]
fn given_two_sets_then_the_later_replaces_the_earlier_whole_and_the_past_still_sees_the_earlier() {
    let mut log = fund();
    let first = now() - Duration::days(100);
    let second = now() - Duration::days(10);
    given(&mut log, first, set(json!({"constraints": {"hurdle": 1.2}, "reserve_budget": "15000000.50"})));
    given(&mut log, second, set(json!({"model": {"liquidation_preference": true}})));
    let latest = in_force(&log, now()).expect("in force").assumptions;
    assert_eq!(latest, assumptions(json!({"model": {"liquidation_preference": true}})), "no merging with the first set");
    assert_eq!(latest.constraints.hurdle, None);
    assert_eq!(latest.reserve_budget, None);
    let then = in_force(&log, second - Duration::days(1)).expect("first set in force");
    assert_eq!(then.assumptions.constraints.hurdle, Some(1.2));
    assert_eq!(then.assumptions.reserve_budget, Some(dec("15000000.50")));
    assert_eq!(in_force(&log, first - Duration::days(1)), None);
}

#[test]
fn given_a_late_set_effective_before_the_latest_then_the_latest_in_business_time_stays_in_force() {
    let mut log = fund();
    given(&mut log, now() - Duration::days(10), set(json!({"constraints": {"hurdle": 1.5}})));
    // Recorded afterwards, but effective earlier: it was in force only until the later one.
    given(&mut log, now() - Duration::days(50), set(json!({"constraints": {"hurdle": 2.0}})));
    assert_eq!(in_force(&log, now()).unwrap().assumptions.constraints.hurdle, Some(1.5));
    assert_eq!(in_force(&log, now() - Duration::days(20)).unwrap().assumptions.constraints.hurdle, Some(2.0));
}

#[test]
fn a_model_override_out_of_range_is_rejected_naming_the_model_field() {
    let log = fund();
    let bad = set(json!({"model": {"stages": {"seed": {"graduation": 1.5}}}}));
    assert_eq!(rejected_field(when(&log, now(), bad)), "payload.model.stages.seed.graduation");
    let too_likely = set(json!({"model": {"stages": {"series_a": {"graduation": 0.7, "exit": 0.4}}}}));
    assert_eq!(rejected_field(when(&log, now(), too_likely)), "payload.model.stages.series_a.exit");
    let last_graduates = set(json!({"model": {"stages": {"series_d_plus": {"graduation": 0.1}}}}));
    assert_eq!(rejected_field(when(&log, now(), last_graduates)), "payload.model.stages.series_d_plus.graduation");
}

#[test]
fn a_constraint_out_of_range_is_rejected_naming_the_constraint() {
    let log = fund();
    for (constraints, field) in [
        (json!({"hurdle": -1.0}), "payload.constraints.hurdle"),
        (json!({"max_fund_share_per_company": 1.5}), "payload.constraints.max_fund_share_per_company"),
        (json!({"max_reserve_share_per_company": 0}), "payload.constraints.max_reserve_share_per_company"),
        (json!({"floor_initial_multiple": "-1"}), "payload.constraints.floor_initial_multiple"),
        (json!({"allocation_increment": 0}), "payload.constraints.allocation_increment"),
    ] {
        let r = when(&log, now(), set(json!({ "constraints": constraints })));
        assert_eq!(rejected_field(r), field, "{constraints}");
    }
}

#[test]
fn an_allocation_increment_too_fine_for_the_largest_reserve_is_rejected() {
    // 15% of $100M over at most 4,096 steps: the increment must be at least $3,663.
    let log = fund();
    let fine = set(json!({"constraints": {"allocation_increment": 3662}}));
    let err = when(&log, now(), fine).expect_err("too fine");
    assert_eq!(err.field(), "payload.constraints.allocation_increment");
    assert!(err.to_string().contains("at least 3663"), "{err}");
    assert!(when(&log, now(), set(json!({"constraints": {"allocation_increment": 3663}}))).is_ok());
}

#[test]
fn a_reserve_budget_that_is_negative_or_above_the_commitment_is_rejected() {
    let log = fund();
    assert_eq!(rejected_field(when(&log, now(), set(json!({"reserve_budget": -1})))), "payload.reserve_budget");
    let err = when(&log, now(), set(json!({"reserve_budget": "100000000.01"}))).expect_err("above commitment");
    assert_eq!(err.field(), "payload.reserve_budget");
    assert!(err.to_string().contains("committed capital (100000000)"), "{err}");
    assert!(when(&log, now(), set(json!({"reserve_budget": 100000000}))).is_ok());
    assert!(when(&log, now(), set(json!({"reserve_budget": 0}))).is_ok());
}

#[test]
fn assumptions_before_the_fund_existed_are_rejected() {
    let log = fund();
    assert_eq!(rejected_field(when(&log, now() - Duration::days(400), set(json!({})))), "effective_at");
}

#[test]
fn validate_names_fields_without_the_payload_prefix() {
    let bad = assumptions(json!({"model": {"stages": {"seed": {"graduation": 1.5}}}}));
    assert_eq!(bad.validate().unwrap_err().field(), Some("model.stages.seed.graduation"));
    let hurdle = assumptions(json!({"constraints": {"hurdle": -0.5}}));
    assert_eq!(hurdle.validate().unwrap_err().field(), Some("constraints.hurdle"));
    let budget = assumptions(json!({"reserve_budget": "-5"}));
    assert_eq!(budget.validate().unwrap_err().field(), Some("reserve_budget"));
    assert_eq!(ReserveAssumptions::default().validate(), Ok(()));
}

#[test]
fn apply_writes_the_overrides_as_fund_overrides_and_leaves_the_rest_cited() {
    let a = assumptions(json!({"model": {"stages": {"seed": {"graduation": 0.5}}}, "constraints": {"hurdle": 1.25}}));
    let mut params = RunParams::default();
    a.apply(&mut params);
    assert_eq!(params.model.stages.seed.graduation.value, 0.5);
    assert_eq!(params.model.stages.seed.graduation.source, FUND_OVERRIDE);
    assert_eq!(params.constraints.hurdle.value, 1.25);
    assert_eq!(params.constraints.hurdle.source, FUND_OVERRIDE);
    assert_ne!(params.model.stages.seed.exit.source, FUND_OVERRIDE);
    let once = params.clone();
    a.apply(&mut params);
    assert_eq!(params, once, "applying twice changes nothing");
}

#[test]
fn the_stored_payload_lists_only_what_was_set_and_reads_back() {
    let p = set(json!({
        "model": {"stages": {"seed": {"graduation": 0.5, "years": 2.5}}},
        "constraints": {"max_fund_share_per_company": "0.2", "allocation_increment": 500000},
        "reserve_budget": "25000000.50"
    }));
    assert_eq!(p.event_type(), "RESERVE_ASSUMPTIONS_SET");
    assert!(EVENT_TYPES.contains(&"RESERVE_ASSUMPTIONS_SET"));
    assert_eq!(p.company_id(), None);
    let stored = p.to_stored();
    assert_eq!(
        stored,
        json!({
            "model": {"stages": {"seed": {"graduation": 0.5, "years": 2.5}}},
            "constraints": {"max_fund_share_per_company": "0.2", "allocation_increment": "500000"},
            "reserve_budget": "25000000.50"
        })
    );
    let text = stored.to_string();
    assert_eq!(EventPayload::from_stored_text("RESERVE_ASSUMPTIONS_SET", CURRENT_SCHEMA_VERSION, &text).unwrap(), p);
    assert_eq!(EventPayload::from_stored("RESERVE_ASSUMPTIONS_SET", CURRENT_SCHEMA_VERSION, stored).unwrap(), p);
}

#[test]
fn nulls_read_as_not_set_and_unknown_keys_or_fractional_budgets_are_refused() {
    let with_nulls = assumptions(json!({"constraints": {"hurdle": null, "allocation_increment": null}, "reserve_budget": null}));
    assert_eq!(with_nulls, ReserveAssumptions::default());
    let decode = |payload: serde_json::Value| EventPayload::from_stored("RESERVE_ASSUMPTIONS_SET", CURRENT_SCHEMA_VERSION, payload);
    assert!(decode(json!({"reserve_budgett": 1})).is_err());
    assert!(decode(json!({"model": {"stages": {"seed": {"graduaton": 0.5}}}})).is_err());
    assert!(decode(json!({"reserve_budget": 1500000.5})).is_err(), "a JSON fraction is already rounded to binary");
}

#[test]
fn a_state_with_assumptions_round_trips_and_an_older_snapshot_without_them_still_reads() {
    let mut log = fund();
    given(&mut log, now() - Duration::days(1), set(json!({"constraints": {"hurdle": 1.1}})));
    let state = state_at(&log, now(), u64::MAX);
    let text = serde_json::to_string(&state).unwrap();
    assert_eq!(serde_json::from_str::<FundState>(&text).unwrap(), state);

    let mut old = serde_json::to_value(state_at(&log[..1], now(), u64::MAX)).unwrap();
    assert!(old.get("reserve_assumptions").is_none(), "absent when none are set, as in older snapshots");
    old.as_object_mut().unwrap().remove("reserve_assumptions");
    let read: FundState = serde_json::from_value(old).unwrap();
    assert_eq!(read.reserve_assumptions, None);
}
