//! Every invalid input to the variance endpoints is a 4xx naming the field, and writes nothing.

mod common;

use axum::http::StatusCode;
use common::spawn_with;
use serde_json::{json, Value};

#[tokio::test]
async fn every_invalid_variance_input_is_a_4xx_naming_the_field_and_writes_nothing() {
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(100).await;
    let company = app.company(&fund, "Acme").await;
    let counts = || async {
        (app.event_count().await, app.count("alert_rules").await, app.count("alerts").await, app.count("notification_settings").await)
    };
    let before = counts().await;
    assert_eq!(before.1, 3, "a new fund gets the three default rules");

    let today = chrono::Utc::now().date_naive().to_string();
    let actual = |patch: Value| {
        let mut body = json!({"company_id": company, "metric": "REVENUE", "value": "100", "effective_date": today, "source": "api"});
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        body
    };
    let actuals = format!("/api/funds/{fund}/actuals");
    let cases: Vec<(&str, String, Option<Value>, &str)> = vec![
        ("POST", actuals.clone(), Some(actual(json!({"company_id": null}))), "company_id"),
        ("POST", actuals.clone(), Some(actual(json!({"company_id": "acme"}))), "company_id"),
        ("POST", actuals.clone(), Some(actual(json!({"company_id": "00000000-0000-4000-8000-000000000000"}))), "company_id"),
        ("POST", actuals.clone(), Some(actual(json!({"metric": "PROFIT"}))), "metric"),
        ("POST", actuals.clone(), Some(actual(json!({"value": "ten"}))), "value"),
        ("POST", actuals.clone(), Some(actual(json!({"value": true}))), "value"),
        ("POST", actuals.clone(), Some(actual(json!({"value": "-1"}))), "value"),
        ("POST", actuals.clone(), Some(actual(json!({"value": "1e40"}))), "value"),
        ("POST", actuals.clone(), Some(actual(json!({"effective_date": "31/03/2026"}))), "effective_date"),
        ("POST", actuals.clone(), Some(actual(json!({"effective_date": "2099-01-01"}))), "effective_date"),
        ("POST", actuals.clone(), Some(actual(json!({"effective_date": "1990-01-01"}))), "effective_date"),
        ("POST", actuals.clone(), Some(actual(json!({"period": "Q3"}))), "period"),
        ("POST", actuals.clone(), Some(actual(json!({"source": "fax"}))), "source"),
        ("POST", actuals.clone(), Some(actual(json!({"colour": "red"}))), "colour"),
        ("POST", "/api/funds/nope/actuals".into(), Some(actual(json!({}))), "fund_id"),
        ("POST", "/api/funds/not-a-fund/actuals".into(), Some(actual(json!({}))), "fund_id"),
    ];
    let rule = |patch: Value| {
        let mut body = json!({"metric": "REVENUE", "comparison": "below", "threshold": "15", "unit": "percent", "severity": "warning", "channels": ["in_app"]});
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let rules = format!("/api/funds/{fund}/alert-rules");
    let a_rule = format!("{rules}/00000000-0000-4000-8000-000000000000");
    let mut cases = cases;
    cases.extend(vec![
        ("POST", rules.clone(), Some(rule(json!({"threshold": "0"}))), "threshold"),
        ("POST", rules.clone(), Some(rule(json!({"threshold": "abc"}))), "threshold"),
        ("POST", rules.clone(), Some(rule(json!({"threshold": "2000000"}))), "threshold"),
        ("POST", rules.clone(), Some(rule(json!({"comparison": "sideways"}))), "comparison"),
        ("POST", rules.clone(), Some(rule(json!({"unit": "bps"}))), "unit"),
        ("POST", rules.clone(), Some(rule(json!({"severity": "hot"}))), "severity"),
        ("POST", rules.clone(), Some(rule(json!({"metric": "PROFIT"}))), "metric"),
        ("POST", rules.clone(), Some(rule(json!({"channels": []}))), "channels"),
        ("POST", rules.clone(), Some(rule(json!({"channels": ["in_app", "in_app"]}))), "channels"),
        ("POST", rules.clone(), Some(rule(json!({"channels": ["sms"]}))), "channels[0]"),
        ("POST", rules.clone(), Some(rule(json!({"cooldown_days": -1}))), "cooldown_days"),
        ("POST", rules.clone(), Some(rule(json!({"cooldown_days": 99999}))), "cooldown_days"),
        ("PUT", a_rule.clone(), Some(rule(json!({}))), "rule_id"),
        ("PUT", format!("{rules}/x"), Some(rule(json!({}))), "rule_id"),
        ("DELETE", a_rule.clone(), None, "rule_id"),
    ]);
    let settings = format!("/api/funds/{fund}/notification-settings");
    cases.extend(vec![
        ("PUT", settings.clone(), Some(json!({"webhook_url": "ftp://hooks.example/x", "webhook_secret": "0123456789abcdef"})), "webhook_url"),
        ("PUT", settings.clone(), Some(json!({"webhook_url": "https://hooks.example/x"})), "webhook_secret"),
        ("PUT", settings.clone(), Some(json!({"webhook_url": "https://hooks.example/x", "webhook_secret": "short"})), "webhook_secret"),
        ("PUT", settings.clone(), Some(json!({"email_to": ["ok@fund.example", "not an address"]})), "email_to[1]"),
        ("PUT", settings.clone(), Some(json!({"email_to": "ok@fund.example"})), "email_to"),
    ]);
    let alerts = format!("/api/funds/{fund}/alerts");
    cases.extend(vec![
        ("GET", format!("{alerts}?state=open"), None, "state"),
        ("GET", format!("{alerts}?severity=hot"), None, "severity"),
        ("GET", format!("{alerts}?colour=red"), None, "colour"),
        ("POST", format!("{alerts}/00000000-0000-4000-8000-000000000000/read"), Some(json!({})), "alert_id"),
        ("POST", format!("{alerts}/x/read"), Some(json!({})), "alert_id"),
        ("POST", format!("{alerts}/00000000-0000-4000-8000-000000000000/resolve"), Some(json!({"note": "done"})), "alert_id"),
        ("POST", format!("{alerts}/00000000-0000-4000-8000-000000000000/resolve"), Some(json!({"note": 5})), "note"),
        ("GET", format!("/api/funds/{fund}/variance?at=yesterday"), None, "at"),
        ("GET", format!("/api/funds/{fund}/variance?known_at=13-13-2026"), None, "known_at"),
        ("GET", format!("/api/funds/{fund}/variance.csv?metric=PROFIT"), None, "metric"),
        ("GET", format!("/api/funds/{fund}/variance.csv?severity=hot"), None, "severity"),
    ]);

    for (method, uri, body, field) in &cases {
        let (s, v) = app.call(method, uri, body.clone()).await;
        assert!(s.is_client_error(), "{method} {uri} {body:?} → {s} {v}");
        assert_eq!(v["field"].as_str(), Some(*field), "{method} {uri} {body:?} → {s} {v}");
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    assert_eq!(counts().await, before, "nothing written");

    // Non-JSON bodies name the content type.
    let (s, v) = app.send_raw("POST", &actuals, "text/plain", "x".into()).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::BAD_REQUEST, Some("content-type")));
}

#[tokio::test]
async fn rules_can_be_listed_created_replaced_and_deleted() {
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(100).await;
    let rules = format!("/api/funds/{fund}/alert-rules");
    let (_, list) = app.get(&rules).await;
    let descriptions: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["description"].as_str().unwrap()).collect();
    assert_eq!(descriptions, vec!["REVENUE below forecast by 20%", "REVENUE below forecast by 40%", "CASH_BURN above forecast by 25%"]);
    assert_eq!(list[1]["severity"], "critical");
    let (_, other_process) = common::replica(&app).await;
    assert_eq!(other_process.alert_rules(fund.parse().unwrap()).await.unwrap().len(), 3);
    let body = json!({"comparison": "outside", "threshold": 250000, "unit": "absolute", "severity": "info", "channels": ["email", "in_app"], "cooldown_days": 1});
    let (s, created) = app.post(&rules, body).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["description"], "Any metric outside forecast ±250000");
    let id = created["id"].as_str().unwrap();
    let (s, updated) = app
        .put(&format!("{rules}/{id}"), json!({"metric": "EBITDA", "comparison": "below", "threshold": "30", "unit": "percent", "severity": "urgent", "channels": ["webhook"], "enabled": false}))
        .await;
    assert_eq!(s, StatusCode::OK, "{updated}");
    assert_eq!((updated["enabled"].as_bool(), updated["cooldown_days"].as_u64()), (Some(false), Some(30)));
    // The list is kept per fund revision, which every change bumps: this process and another on
    // the same database both list the rule as it is now.
    let (_, list) = app.get(&rules).await;
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert_eq!(list.as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()["severity"], "urgent");
    let seen = other_process.alert_rules(fund.parse().unwrap()).await.unwrap();
    assert_eq!(seen.iter().find(|r| r.id.to_string() == id).map(|r| r.spec.enabled), Some(false));
    let (s, _) = app.call("DELETE", &format!("{rules}/{id}"), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = app.get(&rules).await;
    assert_eq!(list.as_array().unwrap().len(), 3);
    let (s, v) = app.get(&format!("/api/funds/{fund}/notification-settings")).await;
    assert_eq!((s, v), (StatusCode::OK, json!({"webhook_url": null, "webhook_secret_set": false, "email_to": []})));
}
