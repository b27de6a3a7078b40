//! Corrections (issue 16): an EVENT_REVERSED cancels a stored event from that event's own moment;
//! known before it was recorded, the mistake stands as it was believed. Every rule `decide_reversal`
//! and the append check, over the REST API and the Time Machine's `correct_event`.

mod common;

use axum::http::StatusCode;
use common::{days_ago, spawn, TestApp};
use serde_json::{json, Value};

fn enc(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

/// An amount in an answer (a decimal string) as a number.
fn num(v: &Value) -> f64 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not an amount: {v}"))
}

async fn append(app: &TestApp, fund: &str, events: Value) -> (StatusCode, Value) {
    app.post(&format!("/api/funds/{fund}/events"), json!({ "events": events })).await
}

async fn reverse(app: &TestApp, fund: &str, version: u64, reason: &str) -> (StatusCode, Value) {
    append(app, fund, json!([{"type": "EVENT_REVERSED", "payload": {"reverses": version, "reason": reason}}])).await
}

async fn state(app: &TestApp, fund: &str, at: &str, known_at: Option<&str>) -> Value {
    let known = known_at.map(|k| format!("&known_at={}", enc(k))).unwrap_or_default();
    let (s, v) = app.get(&format!("/api/funds/{fund}/state?at={}{known}", enc(at))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["state"].clone()
}

/// A fund from 400 days ago with Acme, a $2M cheque at a $10M post-money 300 days ago (version 3)
/// and a $30M mark 200 days ago that should have read $3M (version 4).
async fn fund_with_a_mistake(app: &TestApp) -> (String, String) {
    let fund = app.fund(400).await;
    let acme = app.company(&fund, "Acme").await;
    let (s, v) = append(
        app,
        &fund,
        json!([
            {"type": "INVESTMENT_MADE", "effective_at": days_ago(300), "payload": {"company_id": acme, "amount": "2000000", "ownership": "0.2", "post_money": "10000000"}},
            {"type": "VALUATION_UPDATED", "effective_at": days_ago(200), "payload": {"company_id": acme, "post_money": "30000000"}},
        ]),
    )
    .await;
    assert_eq!((s, v["version"].as_u64()), (StatusCode::CREATED, Some(4)), "{v}");
    (fund, acme)
}

#[tokio::test]
async fn a_reversed_mark_is_gone_from_its_date_on_and_still_there_as_known_before() {
    let app = spawn().await;
    let (fund, acme) = fund_with_a_mistake(&app).await;
    let believed = days_ago(0);
    assert_eq!(num(&state(&app, &fund, &days_ago(100), None).await["nav"]), 6000000.0);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    // The reversal and the right mark in one append: both or neither.
    let (s, v) = append(
        &app,
        &fund,
        json!([
            {"type": "EVENT_REVERSED", "payload": {"reverses": 4, "reason": "an extra zero"}},
            {"type": "VALUATION_UPDATED", "effective_at": days_ago(200), "payload": {"company_id": acme, "post_money": "3000000"}},
        ]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(num(&state(&app, &fund, &days_ago(100), None).await["nav"]), 600000.0);
    assert_eq!(num(&state(&app, &fund, &days_ago(250), None).await["nav"]), 2000000.0, "before the mark, the round's price");
    // As known before the correction, the mistake as it was believed.
    assert_eq!(num(&state(&app, &fund, &days_ago(100), Some(&believed)).await["nav"]), 6000000.0);

    // The reversal took the mistaken event's moment; the timeline says what reversed what.
    let stored = common::stored_events(app.store.pool(), fund.parse().unwrap()).await;
    assert_eq!(stored[4].effective_at, stored[3].effective_at);
    let (_, page) = app.get(&format!("/api/funds/{fund}/timeline?types=VALUATION_UPDATED")).await;
    let marks = page["events"].as_array().unwrap();
    assert_eq!(marks.len(), 2);
    assert_eq!(marks[0]["reversed_by"], 5);
    assert!(marks[1].get("reversed_by").is_none());
    // The whole history replays valid, as folded by the domain.
    assert_eq!(domain::time_machine::validate::first_invalid_event(&stored, chrono::Utc::now()), None);
}

#[tokio::test]
async fn every_reversal_rule_is_refused_naming_the_field_and_nothing_is_written() {
    let app = spawn().await;
    let (fund, _) = fund_with_a_mistake(&app).await;
    let refused = |v: &Value, field: &str, words: &str| {
        assert_eq!(v["field"], field, "{v}");
        assert!(v["error"].as_str().unwrap_or_default().contains(words), "{v}");
    };
    let (s, v) = reverse(&app, &fund, 99, "x").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    refused(&v, "events[0].payload.reverses", "no event with version 99");
    let (_, v) = reverse(&app, &fund, 1, "x").await;
    refused(&v, "events[0].payload.reverses", "creation cannot be reversed");
    let (_, v) = reverse(&app, &fund, 4, "  ").await;
    refused(&v, "events[0].payload.reason", "cannot be blank");
    let (_, v) = append(&app, &fund, json!([{"type": "EVENT_REVERSED", "effective_at": days_ago(1), "payload": {"reverses": 4, "reason": "x"}}])).await;
    refused(&v, "events[0].effective_at", "reversed event's effective moment");
    // Reversing the company its investment needs breaks later history.
    let (s, v) = reverse(&app, &fund, 2, "wrong company").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["error"].as_str().unwrap().contains("would make a later event invalid: version 3 (INVESTMENT_MADE"), "{v}");
    // Twice in one batch, then a second time, then a reversal of the reversal.
    let (_, v) = append(
        &app,
        &fund,
        json!([
            {"type": "EVENT_REVERSED", "payload": {"reverses": 4, "reason": "x"}},
            {"type": "EVENT_REVERSED", "payload": {"reverses": 4, "reason": "y"}},
        ]),
    )
    .await;
    refused(&v, "events[1].payload.reverses", "already reversed (by version 5)");
    assert_eq!(app.event_count().await, 4, "no refused request wrote anything");
    let (s, v) = reverse(&app, &fund, 4, "an extra zero").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, v) = reverse(&app, &fund, 4, "again").await;
    refused(&v, "events[0].payload.reverses", "already reversed (by version 5)");
    let (_, v) = reverse(&app, &fund, 5, "undo").await;
    refused(&v, "events[0].payload.reverses", "itself a reversal");
    assert_eq!(app.event_count().await, 5);
}

/// Found by `state_property`: a later back-dated batch folded a company an earlier append had
/// reversed back in, and accepted events for a company the fund no longer has.
#[tokio::test]
async fn a_company_reversed_earlier_stays_gone_for_later_back_dated_batches() {
    let app = spawn().await;
    let fund = app.fund(400).await;
    let acme = app.company(&fund, "Acme").await;
    let beta = app.company(&fund, "Beta").await;
    let (s, v) = reverse(&app, &fund, 2, "added twice").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Back-dated, with a reversal in the batch: the fold starts before Acme's moment.
    let (s, v) = append(
        &app,
        &fund,
        json!([
            {"type": "EVENT_REVERSED", "payload": {"reverses": 3, "reason": "not ours"}},
            {"type": "COMPANY_WRITTEN_OFF", "effective_at": days_ago(10), "payload": {"company_id": acme}},
        ]),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["field"], "events[1].payload.company_id", "{v}");
    assert!(v["error"].as_str().unwrap_or_default().contains("unknown company"), "{v}");
    assert_eq!(app.event_count().await, 4, "nothing written (beta {beta})");
}

#[tokio::test]
async fn a_reversed_capital_call_frees_the_commitment_for_the_right_one() {
    let app = spawn().await;
    let fund = app.fund(100).await;
    let (s, v) = append(&app, &fund, json!([{"type": "CAPITAL_CALLED", "effective_at": days_ago(50), "payload": {"amount": "90000000"}}])).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // $40M more does not fit while the mistaken $90M call stands …
    let right = json!({"type": "CAPITAL_CALLED", "effective_at": days_ago(50), "payload": {"amount": "40000000"}});
    let (s, _) = append(&app, &fund, json!([right.clone()])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // … and does in the append that reverses it.
    let (s, v) = append(&app, &fund, json!([{"type": "EVENT_REVERSED", "payload": {"reverses": 2, "reason": "typed 90 for 40"}}, right])).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(state(&app, &fund, &days_ago(0), None).await["called"], "40000000");
}

#[tokio::test]
async fn a_reversed_actual_leaves_variance_and_resolves_its_alerts() {
    let app = spawn().await;
    let fund = app.fund(200).await;
    let acme = app.company(&fund, "Acme").await;
    app.forecast(&fund, &acme, "REVENUE", "2026-06-30", "1000000", &days_ago(150)).await;
    let (s, v) = append(
        &app,
        &fund,
        json!([{"type": "ACTUAL_RECORDED", "effective_at": days_ago(100), "payload": {"company_id": acme, "metric": "REVENUE", "period": "2026-06-30", "value": "100000"}}]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let actual = v["version"].as_u64().unwrap();
    let alerts = app.wait_for_alerts(&fund, 5, |a| !a.is_empty()).await;
    assert!(alerts.iter().all(|a| a["state"] != "resolved"));
    let (_, before) = app.get(&format!("/api/funds/{fund}/variance")).await;
    assert!(before.to_string().contains("100000"), "{before}");

    let (s, v) = reverse(&app, &fund, actual, "the wrong quarter's figure").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let alerts = app.wait_for_alerts(&fund, 5, |a| a.iter().all(|x| x["state"] == "resolved")).await;
    assert!(alerts[0]["resolution_note"].as_str().unwrap().contains("reversed by version"), "{alerts:?}");
    let (_, after) = app.get(&format!("/api/funds/{fund}/variance")).await;
    assert!(!after.to_string().contains("\"100000\""), "the reversed actual is not compared: {after}");
}

#[tokio::test]
async fn the_ledger_export_holds_the_history_as_corrected() {
    let app = spawn().await;
    let (fund, _) = fund_with_a_mistake(&app).await;
    let (s, v) = reverse(&app, &fund, 4, "an extra zero").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, csv) = app.call("GET", &format!("/api/funds/{fund}/ledger.csv"), None).await;
    let csv = csv.as_str().unwrap_or_default().to_string();
    assert!(csv.contains("investment") && !csv.contains("30000000") && !csv.contains("valuation"), "{csv}");
}

#[tokio::test]
async fn correct_event_reverses_and_records_instead_in_one_append_naming_form_fields() {
    let app = spawn().await;
    let (fund, _) = fund_with_a_mistake(&app).await;
    let form = |rest: &str| format!("fund_id={fund}&version=4&{rest}");
    let (s, body) = app.call_server_fn("correct_event", &app.token, &form("reason=")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("reason: cannot be blank"), "{body}");
    let (s, body) = app.call_server_fn("correct_event", &app.token, &format!("fund_id={fund}&version=two&reason=x")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("version:"), "{body}");
    let day = (chrono::Utc::now() - chrono::Duration::days(200)).format("%Y-%m-%d");
    let (s, body) = app
        .call_server_fn("correct_event", &app.token, &form(&format!("reason=typo&replace=yes&kind=valuation&effective_date={day}&company=Acme&post_money=-5")))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("post_money"), "{body}");
    assert_eq!(app.event_count().await, 4, "a bad corrected event writes no reversal either");
    let (s, body) = app
        .call_server_fn("correct_event", &app.token, &form(&format!("reason=typo&replace=yes&kind=valuation&effective_date={day}&company=Acme&post_money=3000000")))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(app.event_count().await, 6);
    assert_eq!(num(&state(&app, &fund, &days_ago(0), None).await["nav"]), 600000.0);
}
