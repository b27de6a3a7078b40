//! The REST contract of the event store, against a real PostgreSQL database.

mod common;

use axum::http::StatusCode;
use common::{days_ago, spawn};
use serde_json::json;

#[tokio::test]
async fn investment_made_now_counts_now_and_not_one_day_ago() {
    let app = spawn().await;
    let fund = app.fund(400).await;
    let company = app.company(&fund, "Acme").await;
    let (s, v) = app
        .post(&format!("/api/funds/{fund}/events"), json!({"events": [{"type": "INVESTMENT_MADE", "payload": {"company_id": company, "amount": "1000000"}}]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, now) = app.get(&format!("/api/funds/{fund}/state")).await;
    assert_eq!(now["state"]["total_invested"], "1000000");
    let yesterday = days_ago(1);
    let (_, before) = app.get(&format!("/api/funds/{fund}/state?at={}", urlencode(&yesterday))).await;
    assert_eq!(before["state"]["total_invested"], "0");
}

#[tokio::test]
async fn stale_expected_version_is_a_409_with_the_current_version() {
    let app = spawn().await;
    let fund = app.fund(10).await;
    let body = |v: u64| json!({"expected_version": v, "events": [{"type": "CAPITAL_CALLED", "payload": {"amount": "1000"}}]});
    let (s, v) = app.post(&format!("/api/funds/{fund}/events"), body(1)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["version"], 2);
    let (s, v) = app.post(&format!("/api/funds/{fund}/events"), body(1)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["current_version"], 2);
    assert!(v["error"].as_str().unwrap().contains("expected version 1"));
    assert_eq!(app.event_count().await, 2);
}

#[tokio::test]
async fn retry_with_the_same_idempotency_key_writes_once_and_returns_the_first_answer() {
    let app = spawn().await;
    let fund = app.fund(10).await;
    let body = json!({"idempotency_key": "call-2026-q4", "events": [{"type": "CAPITAL_CALLED", "payload": {"amount": "2500000"}}]});
    let (s1, first) = app.post(&format!("/api/funds/{fund}/events"), body.clone()).await;
    let (s2, second) = app.post(&format!("/api/funds/{fund}/events"), body).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first["version"], second["version"]);
    assert_eq!(first["recorded_at"], second["recorded_at"]);
    assert_eq!(second["replayed"], true);
    assert_eq!(app.event_count().await, 2, "fund created + one call");
    // The same key for a different request is refused, naming the key.
    let other = json!({"idempotency_key": "call-2026-q4", "events": [{"type": "CAPITAL_CALLED", "payload": {"amount": "1"}}]});
    let (s, v) = app.post(&format!("/api/funds/{fund}/events"), other).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["field"], "idempotency_key");
}

#[tokio::test]
async fn a_batch_is_atomic_one_bad_event_writes_nothing() {
    let app = spawn().await;
    let fund = app.fund(10).await;
    let before = app.event_count().await;
    let (s, v) = app
        .post(
            &format!("/api/funds/{fund}/events"),
            json!({"events": [
                {"type": "CAPITAL_CALLED", "payload": {"amount": "1000"}},
                {"type": "CAPITAL_CALLED", "payload": {"amount": "2000"}},
                {"type": "CAPITAL_CALLED", "payload": {"amount": "-5"}}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["field"], "events[2].payload.amount");
    assert_eq!(app.event_count().await, before);
    let (s, v) = app
        .post(
            &format!("/api/funds/{fund}/events"),
            json!({"events": [
                {"type": "CAPITAL_CALLED", "payload": {"amount": "1000"}},
                {"type": "CAPITAL_CALLED", "payload": {"amount": "2000"}}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((v["first_version"].as_u64(), v["version"].as_u64()), (Some(2), Some(3)));
}

#[tokio::test]
async fn later_events_in_a_batch_see_the_earlier_ones() {
    let app = spawn().await;
    let fund = app.fund(10).await;
    let id = "6f1d1f1e-0000-4000-8000-000000000001";
    let (s, v) = app
        .post(
            &format!("/api/funds/{fund}/events"),
            json!({"events": [
                {"type": "COMPANY_ADDED", "payload": {"company_id": id, "name": "Beta", "stage": "series_a"}},
                {"type": "INVESTMENT_MADE", "payload": {"company_id": id, "amount": "500000", "ownership": "0.05", "post_money": "10000000"}}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

#[tokio::test]
async fn every_invalid_payload_is_a_4xx_naming_the_field_and_writes_nothing() {
    let app = spawn().await;
    let fund = app.fund(100).await;
    let company = app.company(&fund, "Acme").await;
    let url = format!("/api/funds/{fund}/events");
    let ev = |t: &str, p: serde_json::Value| json!({"events": [{"type": t, "payload": p}]});
    let cases: Vec<(serde_json::Value, &str)> = vec![
        (ev("INVESTMENT_MADE", json!({"company_id": company, "amount": "0"})), "events[0].payload.amount"),
        (ev("INVESTMENT_MADE", json!({"company_id": company, "amount": "-10"})), "events[0].payload.amount"),
        (ev("INVESTMENT_MADE", json!({"company_id": company, "amount": "ten"})), "events[0].payload.amount"),
        (ev("INVESTMENT_MADE", json!({"company_id": company})), "events[0].payload.amount"),
        (ev("INVESTMENT_MADE", json!({"company_id": "not-a-uuid", "amount": "10"})), "events[0].payload.company_id"),
        (ev("INVESTMENT_MADE", json!({"company_id": "00000000-0000-4000-8000-000000000000", "amount": "10"})), "events[0].payload.company_id"),
        (ev("INVESTMENT_MADE", json!({"company_id": company, "amount": "10", "ownership": "1.5"})), "events[0].payload.ownership"),
        (ev("INVESTMENT_MADE", json!({"company_id": company, "amount": "10", "ownership": "0"})), "events[0].payload.ownership"),
        (ev("INVESTMENT_MADE", json!({"company_id": company, "amount": "10", "colour": "red"})), "events[0].payload.colour"),
        (ev("DISTRIBUTION_MADE", json!({"amount": "1"})), "events[0].payload.amount"),
        (ev("CAPITAL_CALLED", json!({"amount": "100000000.01"})), "events[0].payload.amount"),
        (ev("VALUATION_UPDATED", json!({"company_id": company, "post_money": "0"})), "events[0].payload.post_money"),
        (ev("ACTUAL_RECORDED", json!({"company_id": company, "metric": "REVENUE", "value": "-1"})), "events[0].payload.value"),
        (ev("ACTUAL_RECORDED", json!({"company_id": company, "metric": "PROFIT", "value": "1"})), "events[0].payload.metric"),
        (ev("COMPANY_ADDED", json!({"name": "", "stage": "seed"})), "events[0].payload.name"),
        (ev("COMPANY_ADDED", json!({"name": "X", "stage": "series_z"})), "events[0].payload.stage"),
        (ev("NOT_A_TYPE", json!({})), "events[0].type"),
        (ev("FUND_CREATED", json!({"name": "x", "size": "1"})), "events[0].type"),
        (json!({"events": [{"type": "CAPITAL_CALLED", "effective_at": "yesterday", "payload": {"amount": "1"}}]}), "events[0].effective_at"),
        (json!({"events": [{"type": "CAPITAL_CALLED", "effective_at": days_ago(1000), "payload": {"amount": "1"}}]}), "events[0].effective_at"),
        (json!({"events": [{"type": "CAPITAL_CALLED", "effective_at": "2999-01-01", "payload": {"amount": "1"}}]}), "events[0].effective_at"),
        (json!({"events": []}), "events"),
        (json!({}), "events"),
        (json!({"events": [], "surprise": 1}), ""),
        (json!({"expected_version": -1, "events": []}), "expected_version"),
    ];
    let before = app.event_count().await;
    for (body, field) in cases {
        let (s, v) = app.post(&url, body.clone()).await;
        assert!(s.is_client_error(), "{body} gave {s}: {v}");
        if !field.is_empty() {
            assert_eq!(v["field"], field, "{body} → {v}");
        }
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    }
    assert_eq!(app.event_count().await, before, "nothing written");
    // Malformed JSON, wrong content type, unknown fund, bad fund id.
    let (s, v) = app.call("POST", &url, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = app.post("/api/funds/00000000-0000-4000-8000-000000000000/events", json!({"events": [{"type": "CAPITAL_CALLED", "payload": {"amount": "1"}}]})).await;
    // A fund the caller is not a member of — including one that does not exist, so ids cannot be
    // probed — is refused the same way.
    assert_eq!((s, v["error"].as_str()), (StatusCode::FORBIDDEN, Some("you are not a member of this fund")));
    let (s, v) = app.get("/api/funds/nope/state").await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::BAD_REQUEST, Some("fund_id")));
    let (s, v) = app.get(&format!("/api/funds/{fund}/state?at=soon")).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::BAD_REQUEST, Some("at")));
    let (s, v) = app.get(&format!("/api/funds/{fund}/state?when=2024-01-01")).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::BAD_REQUEST, Some("when")));
}

#[tokio::test]
async fn invalid_fund_creation_names_the_field() {
    let app = spawn().await;
    for (body, field) in [
        (json!({"name": "", "size": "100"}), "name"),
        (json!({"name": "F", "size": "0"}), "size"),
        (json!({"name": "F", "size": "abc"}), "size"),
        (json!({"name": "F"}), "size"),
        (json!({"name": "F", "size": "10", "vintage": 1066}), "vintage"),
        (json!({"name": "F", "size": "10", "effective_at": "2999-01-01"}), "effective_at"),
    ] {
        let (s, v) = app.post("/api/funds", body.clone()).await;
        assert!(s.is_client_error(), "{body}: {s}");
        assert_eq!(v["field"], field, "{body} → {v}");
    }
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM funds").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn the_database_refuses_update_delete_and_truncate_of_events() {
    let app = spawn().await;
    let _fund = app.fund(10).await;
    let pool = app.store.pool();
    for sql in ["UPDATE fund_events SET payload = '{}'", "DELETE FROM fund_events", "TRUNCATE fund_events"] {
        let err = sqlx::query(sql).execute(pool).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(app.event_count().await, 1);
}

#[tokio::test]
async fn timeline_pages_with_a_cursor_and_filters_by_type() {
    let app = spawn().await;
    let fund = app.fund(100).await;
    let events: Vec<_> = (0..5).map(|i| json!({"type": "CAPITAL_CALLED", "effective_at": days_ago(50 - i), "payload": {"amount": "1000"}})).collect();
    app.post(&format!("/api/funds/{fund}/events"), json!({"events": events})).await;
    let (s, p1) = app.get(&format!("/api/funds/{fund}/timeline?types=CAPITAL_CALLED&limit=3")).await;
    assert_eq!(s, StatusCode::OK, "{p1}");
    assert_eq!(p1["events"].as_array().unwrap().len(), 3);
    let cursor = p1["next_cursor"].as_str().unwrap();
    let (_, p2) = app.get(&format!("/api/funds/{fund}/timeline?types=CAPITAL_CALLED&limit=3&cursor={cursor}")).await;
    assert_eq!(p2["events"].as_array().unwrap().len(), 2);
    assert!(p2["next_cursor"].is_null());
    let (s, v) = app.get(&format!("/api/funds/{fund}/timeline?types=NOPE")).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("types")));
    let (s, v) = app.get(&format!("/api/funds/{fund}/timeline?limit=0")).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("limit")));
    let (s, v) = app.get(&format!("/api/funds/{fund}/timeline?cursor=zzz")).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor")));
}

#[tokio::test]
async fn diff_lists_kpi_and_company_changes_and_the_events_behind_them() {
    let app = spawn().await;
    let fund = app.fund(200).await;
    let company = app.company(&fund, "Acme").await;
    let (s, v) = app
        .post(
            &format!("/api/funds/{fund}/events"),
            json!({"events": [
                {"type": "CAPITAL_CALLED", "effective_at": days_ago(100), "payload": {"amount": "2000000"}},
                {"type": "INVESTMENT_MADE", "effective_at": days_ago(90), "payload": {"company_id": company, "amount": "1000000", "ownership": "0.1", "post_money": "10000000"}},
                {"type": "VALUATION_UPDATED", "effective_at": days_ago(30), "payload": {"company_id": company, "post_money": "25000000"}}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, d) = app.get(&format!("/api/funds/{fund}/diff?from={}&to={}", &days_ago(60)[..10], &days_ago(1)[..10])).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let nav = d["kpis"].as_array().unwrap().iter().find(|k| k["kpi"] == "nav").expect("nav changed");
    assert_eq!(dec(&nav["from"]), dec(&json!("1000000")));
    assert_eq!(dec(&nav["to"]), dec(&json!("2500000")));
    assert_eq!(d["companies"][0]["name"], "Acme");
    assert_eq!(d["events"].as_array().unwrap().len(), 1);
    assert_eq!(d["events"][0]["type"], "VALUATION_UPDATED");
    let (s, v) = app.get(&format!("/api/funds/{fund}/diff?from=2025-02-01&to=2025-01-01")).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")));
}

#[tokio::test]
async fn manual_snapshots_are_listed_with_their_description() {
    let app = spawn().await;
    let fund = app.fund(10).await;
    let (s, snap) = app.post(&format!("/api/funds/{fund}/snapshots"), json!({"description": "Before Q3 marks"})).await;
    assert_eq!(s, StatusCode::CREATED, "{snap}");
    let (_, list) = app.get(&format!("/api/funds/{fund}/snapshots")).await;
    assert_eq!(list[0]["description"], "Before Q3 marks");
    assert_eq!(list[0]["kind"], "manual");
    let (s, v) = app.post(&format!("/api/funds/{fund}/snapshots"), json!({"description": "  "})).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("description")));
}

#[tokio::test]
async fn health_and_metrics_answer() {
    let app = spawn().await;
    let (s, v) = app.get("/healthz").await;
    assert_eq!((s, v["database"].as_str()), (StatusCode::OK, Some("ok")));
    app.get("/api/funds").await;
    let (s, text) = app.get("/metrics").await;
    assert_eq!(s, StatusCode::OK);
    assert!(text.as_str().unwrap().contains("http_requests_total"), "{text}");
}

#[tokio::test]
async fn a_disabled_feature_answers_404() {
    let app = common::spawn_with(&[("FF_TIME_MACHINE", "false")]).await;
    let fund = app.fund(10).await;
    let (s, _) = app.get(&format!("/api/funds/{fund}/state")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

fn dec(v: &serde_json::Value) -> rust_decimal::Decimal {
    v.as_str().expect("decimal string").parse().expect("decimal")
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

/// Issue 13: a back-dated event is accepted only if every later event stays valid.
#[tokio::test]
async fn a_back_dated_event_that_would_invalidate_a_later_one_is_refused_naming_both() {
    let app = spawn().await;
    let effective = (chrono::Utc::now() - chrono::Duration::days(1200)).to_rfc3339();
    let (s, v) = app.post("/api/funds", json!({"name": "Small Fund", "size": "1000", "effective_at": effective})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let fund = v["id"].as_str().unwrap().to_string();
    let events = format!("/api/funds/{fund}/events");
    let call = |amount: &str, at: &str| json!({"events": [{"type": "CAPITAL_CALLED", "effective_at": at, "payload": {"amount": amount}}]});
    let (s, v) = app.post(&events, call("600", "2024-06-01")).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let later_version = v["version"].as_u64().unwrap();

    let (s, v) = app.post(&events, call("600", "2024-03-01")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["field"], "events[0].payload.amount", "{v}");
    assert_eq!(v["conflicts_with"], json!({"version": later_version, "type": "CAPITAL_CALLED"}), "{v}");
    assert!(v["error"].as_str().unwrap().contains("uncalled commitment"), "{v}");
    let (_, state) = app.get(&format!("/api/funds/{fund}/state")).await;
    assert_eq!(state["state"]["called"], "600", "nothing written: {state}");

    // A back-dated call that leaves room for the later one is fine.
    let (s, v) = app.post(&events, call("400", "2024-03-01")).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // A write-off dated before a stored mark of the same company: the mark would be of a
    // written-off company, so the write-off is refused with its date named.
    let company = app.company(&fund, "Acme").await;
    let mark = json!({"events": [{"type": "VALUATION_UPDATED", "effective_at": "2024-09-01", "payload": {"company_id": company, "post_money": "5000"}}]});
    let (s, v) = app.post(&events, mark).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mark_version = v["version"].as_u64().unwrap();
    let write_off = json!({"events": [{"type": "COMPANY_WRITTEN_OFF", "effective_at": "2024-08-01", "payload": {"company_id": company}}]});
    let (s, v) = app.post(&events, write_off).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["field"], "events[0].effective_at", "{v}");
    assert_eq!(v["conflicts_with"], json!({"version": mark_version, "type": "VALUATION_UPDATED"}), "{v}");
}

/// Issue 13: events sent without an effective time take the append's time under the fund's lock,
/// so concurrent appends are never back-dated behind each other.
#[tokio::test]
async fn concurrent_undated_appends_are_effective_in_version_order() {
    let app = std::sync::Arc::new(spawn().await);
    let fund = app.fund(30).await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (app, fund) = (app.clone(), fund.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..5 {
                let (s, v) = app.post(&format!("/api/funds/{fund}/events"), json!({"events": [{"type": "CAPITAL_CALLED", "payload": {"amount": "1"}}]})).await;
                assert_eq!(s, StatusCode::CREATED, "{v}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut events = common::stored_events(app.store.pool(), fund.parse().unwrap()).await;
    events.sort_by_key(|e| e.version);
    assert_eq!(events.len(), 81);
    for w in events.windows(2) {
        assert!(w[0].effective_at <= w[1].effective_at, "v{} effective {} after v{} effective {}", w[0].version, w[0].effective_at, w[1].version, w[1].effective_at);
    }
}
