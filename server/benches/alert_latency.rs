//! Alert latency: an actual posted over HTTP → its webhook received, through the real server
//! (router, store, outbox, delivery worker with LISTEN/NOTIFY) on real PostgreSQL
//! (docs/benchmarks.md, "Variance"):
//!
//!   DATABASE_URL=postgres://postgres@127.0.0.1:<port>/fundlens cargo bench -p server --bench alert_latency
//!
//! Starts the server on 127.0.0.1:0 (default delivery configuration: 4 workers, 5 s poll
//! fallback) and a webhook receiver on 127.0.0.1:0, creates a fund with one company, one
//! forecast and a rule (cooldown 0, webhook only) that every actual breaches, then posts
//! BENCH_ACTUALS actuals (default 500), one every BENCH_INTERVAL_MS (default 10), from
//! BENCH_CLIENTS concurrent clients (default 4). Latency = webhook receipt − start of the POST
//! that recorded the actual; prints p50/p95/p99/max. Without `--bench` it does nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

type Receipts = Arc<Mutex<HashMap<String, Instant>>>;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("alert_latency: run with `cargo bench -p server --bench alert_latency` (needs DATABASE_URL)");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    let n = env_number("BENCH_ACTUALS", 500);
    let interval = Duration::from_millis(env_number("BENCH_INTERVAL_MS", 10) as u64);
    let clients = env_number("BENCH_CLIENTS", 4).max(1);
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL must point at a PostgreSQL cluster");
    let (database_url, name) = fresh_database(&base).await;

    let receipts: Receipts = Arc::default();
    let hook = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(receipts.clone());
    let hook_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", hook_listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(hook_listener, hook).await.unwrap() });

    // The receiver is on loopback, which webhooks may reach only with WEBHOOK_ALLOW_PRIVATE.
    let vars = [("DATABASE_URL", database_url.as_str()), ("DATABASE_MAX_CONNECTIONS", "16"), ("WEBHOOK_ALLOW_PRIVATE", "true")];
    let config = server::config::Config::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())).unwrap();
    let options = leptos::config::LeptosOptions::builder().output_name("fundlens").build();
    let state = server::build_state(config, options).await.expect("server state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = format!("http://{}/api", listener.local_addr().unwrap());
    let router = server::router::router(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let http = reqwest::Client::new();
    let fund = post(&http, &format!("{api}/funds"), json!({"name": "Latency Fund", "size": "100000000", "effective_at": "2024-01-01"})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let company = post(&http, &format!("{api}/funds/{fund}/events"), json!({"events": [{"type": "COMPANY_ADDED", "effective_at": "2024-01-01", "payload": {"name": "Acme", "stage": "seed"}}]})).await["events"][0]["company_id"]
        .as_str()
        .unwrap()
        .to_string();
    post(&http, &format!("{api}/funds/{fund}/events"), json!({"events": [{"type": "FORECAST_CREATED", "effective_at": "2024-06-01", "payload": {"company_id": company, "metric": "ARR", "period": "2026-06-30", "value": "1000000"}}]})).await;
    put(&http, &format!("{api}/funds/{fund}/notification-settings"), json!({"webhook_url": hook_url, "webhook_secret": "bench-secret-0123456789"})).await;
    post(&http, &format!("{api}/funds/{fund}/alert-rules"), json!({"metric": "ARR", "comparison": "below", "threshold": "1", "unit": "percent", "severity": "warning", "channels": ["webhook"], "cooldown_days": 0})).await;

    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, api, fund, company, sent) = (http.clone(), api.clone(), fund.clone(), company.clone(), sent.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = c;
            while i < n {
                let due = started + interval * i as u32;
                tokio::time::sleep_until(due.into()).await;
                let at = Instant::now();
                let body = json!({"company_id": company, "metric": "ARR", "value": (500_000 + i).to_string(), "effective_date": chrono::Utc::now().to_rfc3339(), "period": "2026-06-30"});
                let v = post(&http, &format!("{api}/funds/{fund}/actuals"), body).await;
                let id = v["alerts"][0]["id"].as_str().expect("every actual raises one alert").to_string();
                sent.lock().unwrap().insert(id, at);
                i += clients;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while receipts.lock().unwrap().len() < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent = sent.lock().unwrap().clone();
    let receipts = receipts.lock().unwrap().clone();
    let mut latencies: Vec<Duration> = sent.iter().filter_map(|(id, at)| receipts.get(id).map(|r| r.saturating_duration_since(*at))).collect();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1];
    println!("alert_latency: {n} actuals, one every {interval:?} from {clients} clients; {} webhooks received", latencies.len());
    println!(
        "  actual recorded -> webhook received: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(pct(0.99)),
        ms(*latencies.last().unwrap())
    );
    state.shutdown().await;
    drop_database(&base, &name).await;
}

async fn receive(State(receipts): State<Receipts>, headers: HeaderMap, _body: Bytes) -> &'static str {
    if let Some(id) = headers.get("x-fundlens-alert").and_then(|v| v.to_str().ok()) {
        receipts.lock().unwrap().entry(id.to_string()).or_insert_with(Instant::now);
    }
    "ok"
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

async fn post(http: &reqwest::Client, url: &str, body: Value) -> Value {
    send(http.post(url), body).await
}

async fn put(http: &reqwest::Client, url: &str, body: Value) -> Value {
    send(http.put(url), body).await
}

async fn send(req: reqwest::RequestBuilder, body: Value) -> Value {
    let res = req.header("content-type", "application/json").body(body.to_string()).send().await.expect("request");
    let status = res.status();
    let bytes = res.bytes().await.expect("body");
    let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {v}");
    v
}

fn env_number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a whole number")),
        Err(_) => default,
    }
}

async fn fresh_database(base: &str) -> (String, String) {
    let name = format!("bench_{}", Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(base).await.expect("connect to the cluster");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.expect("create bench database");
    let i = base.rfind('/').expect("DATABASE_URL has a database part");
    (format!("{}/{name}", &base[..i]), name)
}

async fn drop_database(base: &str, name: &str) {
    let mut admin = PgConnection::connect(base).await.expect("connect to the cluster");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)"))).execute(&mut admin).await.expect("drop bench database");
}
