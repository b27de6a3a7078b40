//! `Store::import_history` on real PostgreSQL: what it stores equals the generated history, the
//! fund answers any (as_of, known_at) as a full replay does, and a bad history writes nothing.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use domain::demo::{generate, DemoSpec, GeneratedEvent};
use domain::fund::EventPayload;
use domain::time_machine::replay::state_at;

fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).single().unwrap()
}

/// SplitMix64: reproducible random dates without a dependency.
struct Dates(u64);

impl Dates {
    fn between(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        from + Duration::seconds((z % ((to - from).num_seconds().max(1) as u64)) as i64)
    }
}

#[tokio::test]
async fn an_imported_fund_answers_random_dates_and_knowledge_as_a_full_replay() {
    let app = common::spawn().await;
    let history = generate(&DemoSpec::large_fund(fixed_now(), 6_000));
    let fund = app.store.import_history(&history).await.unwrap();

    let events = common::stored_events(app.store.pool(), fund).await;
    assert_eq!(events.len(), history.len());
    for (stored, given) in events.iter().zip(&history) {
        assert_eq!((stored.effective_at, stored.recorded_at), (given.effective_at, given.recorded_at), "event {}", stored.version);
        assert_eq!(stored.payload, given.payload, "event {}", stored.version);
    }
    let late = events.iter().filter(|e| events.iter().any(|o| o.version < e.version && o.effective_at > e.effective_at)).take(100).count();
    assert_eq!(late, 100, "the history has late records, the case the import must get right");

    let first_effective = events.iter().map(|e| e.effective_at).min().unwrap();
    let last_effective = events.iter().map(|e| e.effective_at).max().unwrap();
    let (first_recorded, last_recorded) = (events[0].recorded_at, events.last().unwrap().recorded_at);
    let mut dates = Dates(7);
    for _ in 0..80 {
        let as_of = dates.between(first_effective, last_effective + Duration::days(30));
        let known_at = dates.between(first_recorded, last_recorded);
        let known_version = events.iter().filter(|e| e.recorded_at <= known_at).map(|e| e.version).max().unwrap_or(0);
        let past = app.store.state(fund, as_of, Some(known_at)).await.unwrap();
        assert_eq!(past.version, known_version);
        assert!(*past.state == state_at(&events, as_of, known_version), "state({as_of}, known at {known_at}) differs from a full replay");
        let now = app.store.state(fund, as_of, None).await.unwrap();
        assert!(*now.state == state_at(&events, as_of, u64::MAX), "state({as_of}) differs from a full replay");
    }
}

#[tokio::test]
async fn an_imported_fund_keeps_taking_appends_and_late_records() {
    let app = common::spawn().await;
    let history = generate(&DemoSpec::large_fund(fixed_now(), 2_000));
    let fund = app.store.import_history(&history).await.unwrap();
    app.store.grant_role(&app::store::AuditActor::command_line(), fund, app.owner.id, domain::access::Role::Admin).await.unwrap();
    let fund_id = fund.to_string();
    // A late capital call through the API, effective a year before the history ends.
    let effective = (fixed_now() - Duration::days(365)).to_rfc3339();
    let (status, body) = app
        .post(&format!("/api/funds/{fund_id}/events"), serde_json::json!({"events": [{"type": "CAPITAL_CALLED", "effective_at": effective, "payload": {"amount": "1000"}}]}))
        .await;
    assert_eq!(status, axum::http::StatusCode::CREATED, "{body}");
    let events = common::stored_events(app.store.pool(), fund).await;
    assert_eq!(events.len(), history.len() + 1);
    for as_of in [fixed_now() - Duration::days(400), fixed_now() - Duration::days(200), fixed_now()] {
        let got = app.store.state(fund, as_of, None).await.unwrap();
        assert!(*got.state == state_at(&events, as_of, u64::MAX), "state({as_of}) after a late append differs from a full replay");
    }
}

#[tokio::test]
async fn a_history_with_an_invalid_event_is_refused_naming_it_and_nothing_is_written() {
    let app = common::spawn().await;
    let mut history: Vec<GeneratedEvent> = generate(&DemoSpec::large_fund(fixed_now(), 2_000));
    // An event dated well after it was recorded: "in the future" when its append was made.
    let bad = history.len() / 2;
    history[bad].effective_at = history[bad].recorded_at + Duration::days(30);
    let err = app.store.import_history(&history).await.unwrap_err().to_string();
    assert_eq!(err, format!("events[{bad}].effective_at: cannot be in the future"));
    assert_eq!(app.count("funds").await, 0);
    assert_eq!(app.count("fund_events").await, 0);
    assert_eq!(app.count("fund_snapshots").await, 0);

    // A late mark dated before its company was added: valid against the fund as it ends, refused
    // against the fund at the mark's date, which is what an append recorded then checks.
    let mut history: Vec<GeneratedEvent> = generate(&DemoSpec::large_fund(fixed_now(), 2_000));
    let mark = history.iter().rposition(|e| matches!(e.payload, EventPayload::ValuationUpdated(_))).unwrap();
    let EventPayload::ValuationUpdated(v) = &history[mark].payload else { unreachable!() };
    let added = history.iter().find(|e| matches!(&e.payload, EventPayload::CompanyAdded(c) if c.company_id == v.company_id)).unwrap().effective_at;
    history[mark].effective_at = added - Duration::days(30);
    let err = app.store.import_history(&history).await.unwrap_err().to_string();
    assert!(err.starts_with(&format!("events[{mark}].payload.company_id: unknown company")), "{err}");
    assert_eq!(app.count("funds").await, 0);

    let mut history: Vec<GeneratedEvent> = generate(&DemoSpec::large_fund(fixed_now(), 2_000));
    history.remove(0);
    let err = app.store.import_history(&history).await.unwrap_err().to_string();
    assert!(err.starts_with("events[0].type:"), "{err}");
    assert_eq!(app.count("funds").await, 0);
}

