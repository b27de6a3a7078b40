//! `GET /api/funds/{id}/forecast-accuracy` on the demo fund (issue 15): the figures the domain
//! computes from the stored events, at the Time Machine dates, and parameters refused by name.

mod common;

use app::store::AuditActor;
use axum::http::StatusCode;
use chrono::Utc;
use domain::access::Role;
use domain::variance::{facts_from_events, forecast_accuracy, ForecastIndex};

#[tokio::test]
async fn the_demo_funds_accuracy_is_the_domains_and_follows_the_dates() {
    let app = common::spawn().await;
    let now = Utc::now();
    let fund = app.store.seed_demo_if_empty(now).await.unwrap().unwrap();
    app.store.grant_role(&AuditActor { user_id: None, token_id: None, address: None }, fund, app.owner.id, Role::Viewer).await.unwrap();

    let (s, v) = app.get(&format!("/api/funds/{fund}/forecast-accuracy")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let rows = v["rows"].as_array().unwrap();
    assert!(rows.len() >= 20, "the demo fund has forecasts and actuals for most companies: {}", rows.len());

    let events = common::stored_events(app.store.pool(), fund).await;
    let (forecasts, actuals) = facts_from_events(&events);
    let expected = forecast_accuracy(&ForecastIndex::new(forecasts), &actuals);
    assert_eq!(rows.len(), expected.len());
    for e in &expected {
        let row = rows
            .iter()
            .find(|r| r["company_id"] == e.company_id.to_string() && r["metric"] == e.metric.as_str())
            .unwrap_or_else(|| panic!("{} {}", e.company_id, e.metric.as_str()));
        assert_eq!(row["overall"], serde_json::to_value(&e.overall).unwrap());
        assert_eq!(row["early"], serde_json::to_value(&e.early).unwrap());
        assert_eq!(row["late"], serde_json::to_value(&e.late).unwrap());
    }
    // The demo fund has plans made both early and late.
    assert!(expected.iter().any(|e| e.early.periods > 0) && expected.iter().any(|e| e.late.periods > 0));

    // Two years ago, fewer periods had actuals; one metric only when asked.
    let two_years_ago = (now - chrono::Duration::days(730)).format("%Y-%m-%d").to_string();
    let (_, then) = app.get(&format!("/api/funds/{fund}/forecast-accuracy?at={two_years_ago}")).await;
    let periods = |v: &serde_json::Value| v["rows"].as_array().unwrap().iter().map(|r| r["overall"]["periods"].as_u64().unwrap()).sum::<u64>();
    assert!(periods(&then) < periods(&v), "{} < {}", periods(&then), periods(&v));
    let (_, revenue) = app.get(&format!("/api/funds/{fund}/forecast-accuracy?metric=revenue")).await;
    assert!(revenue["rows"].as_array().unwrap().iter().all(|r| r["metric"] == "REVENUE"));

    for (query, field) in [("at=yesterday", "at"), ("known_at=2024-13-01", "known_at"), ("metric=GMV", "metric"), ("severity=warning", "severity")] {
        let (s, v) = app.get(&format!("/api/funds/{fund}/forecast-accuracy?{query}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{query}: {v}");
        assert_eq!(v["field"], field, "{query}: {v}");
    }
}
