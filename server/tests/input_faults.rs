//! Issue 13: inputs that used to answer 500, or were accepted when they should not be, now get a
//! 4xx naming the field and write nothing. Also: SIGTERM shuts the server down gracefully.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::session::raw;
use common::{spawn, TestApp};
use serde_json::{json, Value};

/// Posts `body` as is, with `content_type`, using the owner's token.
async fn post_raw(app: &TestApp, uri: &str, content_type: &str, body: &str) -> (StatusCode, Value) {
    let req = Request::post(uri)
        .header("authorization", format!("Bearer {}", app.token))
        .header("content-type", content_type)
        .body(Body::from(body.to_string()))
        .unwrap();
    let (s, _, text) = raw(app, req).await;
    (s, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

#[tokio::test]
async fn bodies_that_are_not_exactly_one_json_document_are_refused() {
    let app = spawn().await;
    let fund = app.fund(30).await;
    let uri = format!("/api/funds/{fund}/events");
    let call = r#"{"events":[{"type":"CAPITAL_CALLED","payload":{"amount":"1"}}]}"#;
    let before = app.event_count().await;
    for (content_type, body) in [
        ("application/json", format!("{call} xyz")),
        ("application/json", format!("{call}{call}")),
        ("application/jsonx", call.to_string()),
        ("application/json-patch+json", call.to_string()),
    ] {
        let (s, v) = post_raw(&app, &uri, content_type, &body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{content_type} {body}: {v}");
    }
    assert_eq!(app.event_count().await, before, "nothing appended");
    let (s, v) = post_raw(&app, &uri, "application/json; charset=utf-8", call).await;
    assert_eq!(s, StatusCode::CREATED, "parameters after the media type are fine: {v}");
}

#[tokio::test]
async fn amounts_are_plain_decimals_with_at_most_eight_places() {
    let app = spawn().await;
    let fund = app.fund(30).await;
    let uri = format!("/api/funds/{fund}/events");
    let before = app.event_count().await;
    for amount in ["1_000", "+1", "1E5", "0.000000001", " 1"] {
        let (s, v) = app.post(&uri, json!({"events": [{"type": "CAPITAL_CALLED", "payload": {"amount": amount}}]})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{amount}: {v}");
        assert_eq!(v["field"], "events[0].payload.amount", "{amount}: {v}");
    }
    let (s, v) = app.post(&uri, json!({"events": [{"type": "CAPITAL_CALLED", "payload": {"amount": 0.5}}]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a JSON number with a fraction: {v}");
    assert_eq!(app.event_count().await, before);
    // A fund size the database would round to zero.
    let (s, v) = app.post("/api/funds", json!({"name": "Tiny", "size": "0.000000001"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["field"], "size", "{v}");
    let (s, v) = app.post(&uri, json!({"events": [{"type": "CAPITAL_CALLED", "payload": {"amount": "1250.50"}}]})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = app.post(&uri, json!({"events": [{"type": "CAPITAL_CALLED", "payload": {"amount": 1000}}]})).await;
    assert_eq!(s, StatusCode::CREATED, "JSON integers stay accepted: {v}");
}

#[tokio::test]
async fn nul_characters_and_bad_cursors_get_a_4xx_naming_the_field() {
    let app = spawn().await;
    let fund = app.fund(30).await;
    let uri = format!("/api/funds/{fund}/events");
    let before = app.event_count().await;
    let cases = [
        (json!({"events": [{"type": "COMPANY_ADDED", "payload": {"name": "Acme\u{0}", "stage": "seed"}}]}), "events[0].payload.name"),
        (json!({"events": [{"type": "COMPANY_ADDED", "payload": {"name": "Acme", "stage": "seed", "sector": "\u{0}"}}]}), "events[0].payload.sector"),
        (json!({"idempotency_key": "k\u{0}", "events": [{"type": "CAPITAL_CALLED", "payload": {"amount": "1"}}]}), "idempotency_key"),
    ];
    for (body, field) in cases {
        let (s, v) = app.post(&uri, body.clone()).await;
        assert!(s == StatusCode::BAD_REQUEST || s == StatusCode::UNPROCESSABLE_ENTITY, "{body}: {s} {v}");
        assert_eq!(v["field"], field, "{body}: {v}");
    }
    assert_eq!(app.event_count().await, before);
    // A 200-character key is fine however many bytes it takes.
    let key: String = "é".repeat(200);
    let (s, v) = app.post(&uri, json!({"idempotency_key": key, "events": [{"type": "CAPITAL_CALLED", "payload": {"amount": "1"}}]})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    for cursor in ["-8000000000000000000_1", "8000000000000000000_1", "0_-5", "1_x"] {
        let (s, v) = app.get(&format!("/api/funds/{fund}/timeline?cursor={cursor}")).await;
        assert!(s.is_client_error(), "{cursor}: {s} {v}");
        assert_eq!(v["field"], "cursor", "{cursor}: {v}");
    }
}

#[tokio::test]
async fn errors_do_not_echo_huge_inputs_and_413_is_json() {
    let app = spawn().await;
    let fund = app.fund(30).await;
    let name = "x".repeat(1_000_000);
    let body = format!(r#"{{"events":[{{"type":"CAPITAL_CALLED","payload":{{"amount":"1"}},"{name}":1}}]}}"#);
    let (s, v) = post_raw(&app, &format!("/api/funds/{fund}/events"), "application/json", &body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v.to_string().len() < 2_000, "the error is short: {} bytes", v.to_string().len());

    let big = format!(r#"{{"name":"{}","size":"1"}}"#, "y".repeat(3 * 1024 * 1024));
    let (s, v) = post_raw(&app, "/api/funds", "application/json", &big).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(v["error"].as_str().is_some_and(|e| e.contains("too large")), "JSON error shape: {v}");
}

/// The server binary on a fresh database and a free port; returns it, the port and its log path.
async fn start_binary(env: &[(&str, &str)]) -> (std::process::Child, u16, std::path::PathBuf) {
    let url = common::fresh_database().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let log = std::env::temp_dir().join(format!("fundlens-binary-{port}.log"));
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .env("DATABASE_URL", &url)
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info")
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::create(log.with_extension("err")).unwrap());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("start the server binary");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the server exited early ({status}): {}", std::fs::read_to_string(log.with_extension("err")).unwrap_or_default());
        }
        assert!(std::time::Instant::now() < deadline, "the server never listened");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    (child, port, log)
}

fn log_text(log: &std::path::Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default() + &std::fs::read_to_string(log.with_extension("err")).unwrap_or_default()
}

#[tokio::test]
async fn a_client_sending_headers_slowly_is_dropped_while_others_are_served() {
    use std::io::{Read, Write};
    let (mut child, port, _log) = start_binary(&[("HEADER_READ_TIMEOUT_MS", "800")]).await;
    let slow = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_millis(100))).unwrap();
        let started = std::time::Instant::now();
        let request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        for byte in request.iter().cycle() {
            if s.write_all(&[*byte]).is_err() {
                return started.elapsed();
            }
            let mut buf = [0u8; 64];
            match s.read(&mut buf) {
                Ok(0) => return started.elapsed(),
                Ok(_) => return started.elapsed(),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => return started.elapsed(),
            }
            std::thread::sleep(std::time::Duration::from_millis(150));
            assert!(started.elapsed() < std::time::Duration::from_secs(15), "the slow client was never dropped");
        }
        unreachable!()
    });
    // Meanwhile an ordinary request is answered at once.
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let dropped_after = slow.join().unwrap();
    assert!(dropped_after < std::time::Duration::from_secs(5), "dropped after {dropped_after:?}");
    child.kill().unwrap();
    let _ = child.wait();
}

#[tokio::test]
async fn sigterm_shuts_the_server_down_gracefully() {
    let (mut child, _port, log) = start_binary(&[]).await;
    let sent = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "SIGTERM did not stop the server");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let output = log_text(&log);
    assert!(status.success(), "exit {status} (killed by the signal, not shut down): {output}");
    assert!(output.contains("SIGTERM: shutting down") && output.contains("background work stopped"), "{output}");
}

#[tokio::test]
async fn a_lost_database_connection_is_503_with_retry_after_not_500() {
    use axum::response::IntoResponse;
    let app = spawn().await;
    // A query in flight when PostgreSQL ends its connection (as a shutdown does: SQLSTATE 57P01).
    let pool = app.store.pool().clone();
    let in_flight = tokio::spawn(async move { sqlx::query("SELECT pg_sleep(30)").execute(&pool).await });
    let mut killed = 0;
    for _ in 0..100 {
        killed = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND pid <> pg_backend_pid()) t")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        if killed > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(killed > 0, "the sleeping query was never seen");
    let err = app::store::StoreError::Database(in_flight.await.unwrap().expect_err("the query was cut off"));
    assert!(err.is_unavailable(), "{err}");
    let response = server::api::error::ApiError::from(err).into_response();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers().get("retry-after").unwrap(), "2");
}

#[tokio::test]
async fn the_health_check_answers_503_within_a_second_and_a_half_when_no_connection_is_free() {
    let app = common::spawn_with(&[("DATABASE_MAX_CONNECTIONS", "4"), ("ALERT_WORKER", "false"), ("RESERVE_WORKER", "false"), ("SNAPSHOT_RETAKE_INTERVAL_MS", "0")]).await;
    // Take every connection the pool can give (the listeners hold some for good).
    let mut held = Vec::new();
    while let Ok(Ok(c)) = tokio::time::timeout(std::time::Duration::from_millis(300), app.store.pool().acquire()).await {
        held.push(c);
    }
    let started = std::time::Instant::now();
    let (s, v) = app.call_as(None, "GET", "/healthz", None).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert!(started.elapsed() < std::time::Duration::from_millis(1_500), "took {:?}", started.elapsed());
    drop(held);
    let (s, v) = app.call_as(None, "GET", "/healthz", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}
