//! A server per test: its own PostgreSQL database (created from DATABASE_URL, which the test
//! script points at a throwaway cluster) and the real router, called in-process.
#![allow(dead_code)]

use app::store::Store;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use server::config::Config;
use sqlx::{Connection, PgConnection};
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub store: Store,
    pub database_url: String,
    /// An admin-capped API token of `owner`, sent by `call` and the helpers built on it.
    pub token: String,
    pub owner: app::store::accounts::User,
    /// Every REST route with the access it declares.
    pub api_routes: Vec<server::auth::access::RouteSpec>,
    /// The server process's state (its background workers, for tests that stop them).
    pub state: server::state::AppState,
}

/// A password good enough for the tests' accounts.
pub const PASSWORD: &str = "correct horse battery staple";

pub async fn spawn() -> TestApp {
    spawn_with(&[]).await
}

/// `env` overrides configuration variables (e.g. SNAPSHOT_FREQUENCY).
pub async fn spawn_with(env: &[(&str, &str)]) -> TestApp {
    let database_url = fresh_database().await;
    let state = server_state(&database_url, env).await;
    let store = state.store.clone();
    let api_routes = server::api::routes(&state).1;
    let owner = create_user(&store, "owner@test.local").await;
    let (_, token) = store.create_api_token(owner.id, "tests", domain::access::Role::Admin).await.expect("owner token");
    TestApp { router: server::router::router(state.clone()), store, database_url, token, owner, api_routes, state }
}

/// A second server process on the test's database, as in a deployment with two replicas: its
/// own pool, caches and listeners. Returns its router and store.
pub async fn replica(app: &TestApp) -> (Router, Store) {
    let (router, state) = replica_with(app, &[]).await;
    (router, state.store)
}

/// `replica` with its own configuration overrides; returns its state too.
pub async fn replica_with(app: &TestApp, env: &[(&str, &str)]) -> (Router, server::state::AppState) {
    let state = server_state(&app.database_url, env).await;
    (server::router::router(state.clone()), state)
}

/// A server process's state on `database_url`, configured as the tests run it, `env` overriding.
async fn server_state(database_url: &str, env: &[(&str, &str)]) -> server::state::AppState {
    // The background snapshot pass is off unless a test turns it on: tests count snapshots.
    let mut vars: Vec<(String, String)> = vec![
        ("DATABASE_URL".into(), database_url.to_string()),
        ("DATABASE_MAX_CONNECTIONS".into(), "8".into()),
        ("SNAPSHOT_RETAKE_INTERVAL_MS".into(), "0".into()),
        // Tests count reserve runs: the automatic refresh is off unless a test turns it on.
        ("RESERVE_REFRESH_INTERVAL_MS".into(), "0".into()),
        // The tests' webhook receiver listens on 127.0.0.1; tests of the address check turn it off.
        ("WEBHOOK_ALLOW_PRIVATE".into(), "true".into()),
    ];
    vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let config = Config::from_lookup(|k| vars.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v.clone())).expect("test config");
    let options = leptos::config::LeptosOptions::builder().output_name("fundlens").build();
    server::build_state(config, options).await.expect("server state")
}

/// A user with `PASSWORD`.
pub async fn create_user(store: &Store, email: &str) -> app::store::accounts::User {
    let hash = app::accounts::password::hash_password(PASSWORD.to_string()).await.expect("hash");
    store.create_user(email, &hash).await.expect("create user")
}

/// Creates an empty database on the test cluster and returns its URL.
pub async fn fresh_database() -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL must point at a PostgreSQL cluster (scripts/test.sh sets it)");
    let name = format!("test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&base).await.expect("connect to the test cluster");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.expect("create test database");
    match base.rfind('/') {
        Some(i) => format!("{}/{name}", &base[..i]),
        None => panic!("DATABASE_URL has no database part: {base}"),
    }
}

impl TestApp {
    pub async fn call(&self, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call_as(Some(&self.token), method, uri, body).await
    }

    /// `call` with another token, or anonymously (`None`).
    pub async fn call_as(&self, token: Option<&str>, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let body = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let res = self.router.clone().oneshot(req.body(body).unwrap()).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.call("GET", uri, None).await
    }

    pub async fn post(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        self.call("POST", uri, Some(body)).await
    }

    /// Creates a fund effective `days_ago` days ago and returns its id.
    pub async fn fund(&self, days_ago: i64) -> String {
        let effective = (chrono::Utc::now() - chrono::Duration::days(days_ago)).to_rfc3339();
        let (s, v) = self.post("/api/funds", serde_json::json!({"name": "Test Fund I", "size": "100000000", "effective_at": effective})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap().to_string()
    }

    /// Adds a company, effective when the fund began, and returns its id.
    pub async fn company(&self, fund: &str, name: &str) -> String {
        let (_, f) = self.get(&format!("/api/funds/{fund}")).await;
        let start = f["first_effective_at"].clone();
        let (s, v) = self
            .post(
                &format!("/api/funds/{fund}/events"),
                serde_json::json!({"events": [{"type": "COMPANY_ADDED", "effective_at": start, "payload": {"name": name, "stage": "seed"}}]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["events"][0]["company_id"].as_str().unwrap().to_string()
    }

    pub async fn event_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM fund_events").fetch_one(self.store.pool()).await.unwrap()
    }
}

/// The fund's stored events in version order, decoded as the store decodes them.
pub async fn stored_events(pool: &sqlx::PgPool, fund: uuid::Uuid) -> Vec<domain::fund::FundEvent> {
    use sqlx::Row;
    let rows = sqlx::query("SELECT version, event_type, schema_version, payload, effective_at, recorded_at FROM fund_events WHERE fund_id = $1 ORDER BY version")
        .bind(fund)
        .fetch_all(pool)
        .await
        .unwrap();
    rows.iter()
        .map(|r| domain::fund::FundEvent {
            version: r.get::<i64, _>("version") as u64,
            effective_at: r.get("effective_at"),
            recorded_at: r.get("recorded_at"),
            payload: domain::fund::EventPayload::from_stored(r.get("event_type"), r.get("schema_version"), r.get("payload")).unwrap(),
        })
        .collect()
}

pub fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339()
}

/// Makes the tests of a file that render pages run one at a time. Run in parallel (each on its
/// own tokio runtime), a page request sometimes never answered while another test's runtime shut
/// down on the other thread; the server itself runs one runtime. See docs/security.md.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub mod receivers;
pub mod session;

impl TestApp {
    pub async fn put(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        self.call("PUT", uri, Some(body)).await
    }

    /// A request with a raw body and content type (CSV uploads); the answer as JSON or text.
    pub async fn send_raw(&self, method: &str, uri: &str, content_type: &str, body: String) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", content_type)
            .header("authorization", format!("Bearer {}", self.token))
            .body(Body::from(body))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    /// A server function called as a form post with `token` (as a script would), its status and body.
    pub async fn call_server_fn(&self, name: &str, token: &str, form: &str) -> (StatusCode, String) {
        let req = Request::post(format!("/sfn/{name}"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(Body::from(form.to_string()))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        (status, String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned())
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}"))).fetch_one(self.store.pool()).await.unwrap()
    }

    /// Records a forecast through the generic events API and returns the new version.
    pub async fn forecast(&self, fund: &str, company: &str, metric: &str, period: &str, value: &str, effective_at: &str) -> u64 {
        let (s, v) = self
            .post(
                &format!("/api/funds/{fund}/events"),
                serde_json::json!({"events": [{"type": "FORECAST_CREATED", "effective_at": effective_at,
                    "payload": {"company_id": company, "metric": metric, "period": period, "value": value}}]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["version"].as_u64().unwrap()
    }

    /// Polls the fund's alerts until `done` holds (or fails after `secs`).
    pub async fn wait_for_alerts(&self, fund: &str, secs: u64, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let (s, v) = self.get(&format!("/api/funds/{fund}/alerts")).await;
            assert_eq!(s, StatusCode::OK, "{v}");
            let alerts = v.as_array().unwrap().clone();
            if done(&alerts) {
                return alerts;
            }
            assert!(std::time::Instant::now() < deadline, "alerts never reached the expected state: {alerts:#?}");
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }
}

/// The status of `channel`'s delivery of an alert.
pub fn delivery<'a>(alert: &'a Value, channel: &str) -> Option<&'a Value> {
    alert["deliveries"].as_array()?.iter().find(|d| d["channel"] == channel)
}
