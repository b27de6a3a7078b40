//! Alerts end to end: an actual that breaches rules → alerts (same transaction) → deliveries to a
//! local webhook receiver (HMAC verified) and a local SMTP sink, with retries, dead letters,
//! cooldown and recovery after a crashed worker.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::receivers::{SmtpSink, WebhookReceiver, SECRET};
use common::{delivery, spawn_with, TestApp};
use serde_json::{json, Value};

const PERIOD: &str = "2026-09-30";

/// A fund with one company, a revenue forecast of 1,000,000 for PERIOD known before any actual,
/// and notification settings pointing at `hook`.
async fn setup(env: &[(&str, &str)], hook: &WebhookReceiver) -> (TestApp, String, String) {
    let app = spawn_with(env).await;
    let fund = app.fund(400).await;
    let company = app.company(&fund, "Acme Robotics").await;
    app.forecast(&fund, &company, "REVENUE", PERIOD, "1000000", &common::days_ago(200)).await;
    let (s, v) = app
        .put(
            &format!("/api/funds/{fund}/notification-settings"),
            json!({"webhook_url": hook.url, "webhook_secret": SECRET, "email_to": ["partners@fund.example", "ops@fund.example"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["webhook_secret_set"], true);
    assert!(v.get("webhook_secret").is_none(), "the secret is never sent back");
    (app, fund, company)
}

fn fast(smtp: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ALERT_RETRY_BASE_MS", "40".into()),
        ("ALERT_MAX_ATTEMPTS", "3".into()),
        ("ALERT_POLL_INTERVAL_MS", "200".into()),
        ("SMTP_URL", smtp.to_string()),
    ]
}

fn env<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn rule(app: &TestApp, fund: &str, body: Value) -> String {
    let (s, v) = app.post(&format!("/api/funds/{fund}/alert-rules"), body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn actual(app: &TestApp, fund: &str, company: &str, value: &str, effective: chrono::DateTime<chrono::Utc>) -> Value {
    actual_for(app, fund, company, value, effective, PERIOD).await
}

async fn actual_for(app: &TestApp, fund: &str, company: &str, value: &str, effective: chrono::DateTime<chrono::Utc>, period: &str) -> Value {
    let (s, v) = app
        .post(
            &format!("/api/funds/{fund}/actuals"),
            json!({"company_id": company, "metric": "REVENUE", "value": value, "effective_date": effective.to_rfc3339(), "period": period}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

fn status_of(alerts: &[Value], rule: &str, channel: &str) -> Option<String> {
    alerts.iter().find(|a| a["rule"] == rule).and_then(|a| delivery(a, channel)).map(|d| d["status"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn a_breach_raises_one_alert_at_its_highest_severity_with_one_delivery_per_channel() {
    let hook = WebhookReceiver::start(&[], 200).await;
    let smtp = SmtpSink::start().await;
    let vars = fast(&smtp.url);
    let (app, fund, company) = setup(&env(&vars), &hook).await;
    rule(&app, &fund, json!({"metric": "REVENUE", "comparison": "below", "threshold": "10", "unit": "percent",
        "severity": "urgent", "channels": ["in_app", "webhook", "email"], "cooldown_days": 30})).await;

    // −30%: breaches the default "below 20%" (warning) and the new "below 10%" (urgent), not
    // "below 40%": one alert, urgent, naming both rules.
    let recorded = actual(&app, &fund, &company, "700000", chrono::Utc::now()).await;
    let raised = recorded["alerts"].as_array().unwrap();
    assert_eq!(raised.len(), 1, "{recorded:#}");
    let urgent = &raised[0];
    assert_eq!(urgent["severity"], "urgent");
    assert_eq!(urgent["rules"], json!(["REVENUE below forecast by 10%", "REVENUE below forecast by 20%"]));
    assert_eq!((urgent["variance"].as_str(), urgent["variance_pct"].as_str()), (Some("-300000"), Some("-30")));
    assert_eq!(urgent["forecast_basis"], "known");
    assert_eq!(urgent["company"], "Acme Robotics");
    assert_eq!(urgent["deliveries"].as_array().unwrap().len(), 3, "in-app, webhook, e-mail: each once");

    let alerts = app
        .wait_for_alerts(&fund, 10, |a| {
            status_of(a, "REVENUE below forecast by 10%", "webhook").as_deref() == Some("delivered")
                && status_of(a, "REVENUE below forecast by 10%", "email").as_deref() == Some("delivered")
        })
        .await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(delivery(&alerts[0], "in_app").unwrap()["status"], "delivered");
    assert_eq!(alerts[0]["state"], "unread");

    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = hook.received();
    assert_eq!(got.len(), 1, "exactly one webhook request");
    assert!(got[0].signature_valid, "HMAC signature verifies with the fund's secret");
    assert!(got[0].body["text"].as_str().unwrap().contains("Acme Robotics"));
    assert!(got[0].body["blocks"].is_array());
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "exactly one e-mail");
    assert_eq!(mails[0].to, vec!["partners@fund.example", "ops@fund.example"]);
    assert!(mails[0].data.contains("URGENT"));
    assert_eq!(app.count("alerts").await, 1);
    assert_eq!(app.count("alert_outbox").await, 3);

    // Read, resolve, unread count.
    let id = urgent["id"].as_str().unwrap();
    let (s, v) = app.post(&format!("/api/funds/{fund}/alerts/{id}/read"), json!({})).await;
    assert_eq!((s, v["state"].as_str()), (StatusCode::OK, Some("read")));
    let (s, v) = app.post(&format!("/api/funds/{fund}/alerts/{id}/resolve"), json!({"note": "Q3 deal slipped to Q4"})).await;
    assert_eq!((s, v["state"].as_str(), v["resolution_note"].as_str()), (StatusCode::OK, Some("resolved"), Some("Q3 deal slipped to Q4")));
    let (_, unread) = app.get(&format!("/api/funds/{fund}/alerts?state=unread")).await;
    assert_eq!(unread.as_array().unwrap().len(), 0);
    let (_, urgent_only) = app.get(&format!("/api/funds/{fund}/alerts?severity=urgent")).await;
    assert_eq!(urgent_only.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_receiver_failing_twice_then_answering_200_gets_three_attempts_and_ends_delivered() {
    let hook = WebhookReceiver::start(&[500, 500], 200).await;
    let smtp = SmtpSink::start().await;
    let vars = fast(&smtp.url);
    let (app, fund, company) = setup(&env(&vars), &hook).await;
    rule(&app, &fund, json!({"metric": "REVENUE", "comparison": "below", "threshold": "10", "unit": "percent",
        "severity": "critical", "channels": ["webhook"]})).await;
    actual(&app, &fund, &company, "850000", chrono::Utc::now()).await;
    let alerts = app.wait_for_alerts(&fund, 10, |a| status_of(a, "REVENUE below forecast by 10%", "webhook").as_deref() == Some("delivered")).await;
    let d = delivery(alerts.iter().find(|a| a["severity"] == "critical").unwrap(), "webhook").unwrap().clone();
    assert_eq!(d["attempts"], 3);
    let got = hook.received();
    assert_eq!(got.iter().map(|r| r.status).collect::<Vec<_>>(), vec![500, 500, 200]);
    assert!(got.iter().all(|r| r.signature_valid && r.delivery == got[0].delivery), "one delivery id across retries");
    assert!(got[1].at - got[0].at >= Duration::from_millis(35) && got[2].at - got[1].at >= Duration::from_millis(75), "exponential backoff");
}

#[tokio::test]
async fn a_receiver_that_always_fails_ends_dead_and_is_counted() {
    let hook = WebhookReceiver::start(&[], 503).await;
    let smtp = SmtpSink::start().await;
    let vars = fast(&smtp.url);
    let (app, fund, company) = setup(&env(&vars), &hook).await;
    rule(&app, &fund, json!({"metric": null, "comparison": "outside", "threshold": "5", "unit": "percent",
        "severity": "info", "channels": ["webhook"]})).await;
    actual(&app, &fund, &company, "1200000", chrono::Utc::now()).await;
    let alerts = app.wait_for_alerts(&fund, 10, |a| status_of(a, "Any metric outside forecast ±5%", "webhook").as_deref() == Some("dead")).await;
    let d = delivery(&alerts[0], "webhook").unwrap();
    assert_eq!(d["attempts"], 3);
    assert!(d["last_error"].as_str().unwrap().contains("503"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hook.received().len(), 3, "no attempt after the last");
    let (_, metrics) = app.get("/metrics").await;
    let text = metrics.as_str().unwrap();
    assert!(text.contains("alert_deliveries_dead_total{channel=\"webhook\"}"), "{text}");
    assert!(text.contains("alert_deliveries_failed_total{channel=\"webhook\"}"));
}

#[tokio::test]
async fn the_cooldown_suppresses_a_new_alert_within_its_window_of_effective_dates() {
    let hook = WebhookReceiver::start(&[], 200).await;
    let smtp = SmtpSink::start().await;
    let vars = fast(&smtp.url);
    let (app, fund, company) = setup(&env(&vars), &hook).await;
    let now = chrono::Utc::now();
    // A miss, back within plan, a miss again within the default rules' 30-day cooldown of the
    // first (in effective dates), and one more outside it. A miss that goes on from one period to
    // the next is one alert anyway (domain::variance::breaches); the cooldown keeps a breach
    // that ends and comes straight back from raising a second alert.
    for period in ["2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30"] {
        app.forecast(&fund, &company, "REVENUE", period, "1000000", &common::days_ago(200)).await;
    }
    let first = actual_for(&app, &fund, &company, "700000", now - chrono::Duration::days(60), "2026-06-30").await;
    assert_eq!(first["alerts"].as_array().unwrap().len(), 1, "{first:#}");
    let back = actual_for(&app, &fund, &company, "1000000", now - chrono::Duration::days(55), "2026-07-31").await;
    assert_eq!(back["alerts"].as_array().unwrap().len(), 0, "{back:#}");
    let repeat = actual_for(&app, &fund, &company, "690000", now - chrono::Duration::days(50), "2026-08-31").await;
    assert_eq!(repeat["alerts"].as_array().unwrap().len(), 0, "suppressed by the cooldown");
    let later = actual_for(&app, &fund, &company, "680000", now - chrono::Duration::days(15), "2026-09-30").await;
    assert_eq!(later["alerts"].as_array().unwrap().len(), 1, "outside the window");
    assert_eq!(app.count("alerts").await, 2);
}

#[tokio::test]
async fn actuals_posted_as_generic_events_raise_alerts_in_the_same_transaction() {
    let hook = WebhookReceiver::start(&[], 200).await;
    let (app, fund, company) = setup(&[("ALERT_WORKER", "false")], &hook).await;
    let (s, v) = app
        .post(
            &format!("/api/funds/{fund}/events"),
            json!({"events": [{"type": "ACTUAL_RECORDED", "payload": {"company_id": company, "metric": "REVENUE", "period": PERIOD, "value": "500000"}}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["alerts"].as_array().unwrap().len(), 1, "one alert, critical, for the warning and critical defaults: {v}");
    // A batch that fails validation writes neither the actual nor any alert.
    let (s, _) = app
        .post(
            &format!("/api/funds/{fund}/events"),
            json!({"events": [
                {"type": "ACTUAL_RECORDED", "payload": {"company_id": company, "metric": "REVENUE", "period": PERIOD, "value": "1"}},
                {"type": "CAPITAL_CALLED", "payload": {"amount": "-1"}}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("alerts").await, 1);
}

#[tokio::test]
async fn after_a_crashed_worker_a_new_worker_delivers_exactly_once() {
    let hook = WebhookReceiver::start(&[], 200).await;
    let (app, fund, company) = setup(&[("ALERT_WORKER", "false")], &hook).await;
    rule(&app, &fund, json!({"metric": "REVENUE", "comparison": "below", "threshold": "10", "unit": "percent",
        "severity": "critical", "channels": ["webhook"]})).await;
    actual(&app, &fund, &company, "800000", chrono::Utc::now()).await;
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM alert_outbox WHERE status = 'pending'").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(pending, 1, "alert and outbox row committed with the actual");

    let config = server::alerts::DeliveryConfig {
        retry_base: Duration::from_millis(40),
        poll_interval: Duration::from_millis(100),
        // The receiver listens on loopback.
        allow_private: true,
        ..Default::default()
    };
    // A worker that dies at once, and one that has claimed the row and dies before delivering.
    let doomed = server::alerts::AlertWorker::spawn(app.store.clone(), config.clone()).unwrap();
    doomed.abort().await;
    let claim = app.store.claim_delivery().await.unwrap().expect("the pending row");
    // Two fresh workers start while the dead one still holds its claim: they must skip it.
    let a = server::alerts::AlertWorker::spawn(app.store.clone(), config.clone()).unwrap();
    let b = server::alerts::AlertWorker::spawn(app.store.clone(), config).unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let early = hook.received().len();
    drop(claim); // the crash: its transaction rolls back, the row is pending again
    app.wait_for_alerts(&fund, 10, |a| status_of(a, "REVENUE below forecast by 10%", "webhook").as_deref() == Some("delivered")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    a.shutdown().await;
    b.shutdown().await;
    assert_eq!(early, 0, "no worker delivers a row another one holds");
    assert_eq!(hook.received().len(), 1, "delivered exactly once");
    let attempts: i32 = sqlx::query_scalar("SELECT attempts FROM alert_outbox WHERE channel = 'webhook'").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(attempts, 1);
}
