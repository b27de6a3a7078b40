//! Variance compares each actual with the forecast as known at its effective date.

mod common;

use axum::http::StatusCode;
use common::spawn_with;
use serde_json::json;

#[tokio::test]
async fn a_reforecast_recorded_after_an_actual_does_not_change_that_actuals_variance() {
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(400).await;
    let company = app.company(&fund, "Acme Robotics").await;
    app.forecast(&fund, &company, "ARR", "2026-09-30", "2000000", &common::days_ago(200)).await;
    let (s, v) = app
        .post(
            &format!("/api/funds/{fund}/actuals"),
            json!({"company_id": company, "metric": "ARR", "value": 1500000, "effective_date": chrono::Utc::now().to_rfc3339(),
                   "period": "2026-09-30", "source": "api"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let url = format!("/api/funds/{fund}/variance?at={}", chrono::Utc::now().date_naive() + chrono::Duration::days(1));
    let (_, before) = app.get(&url).await;
    let row = before["rows"][0].clone();
    assert_eq!((row["forecast"].as_str(), row["variance"].as_str(), row["variance_pct"].as_str()), (Some("2000000"), Some("-500000"), Some("-25")));
    assert_eq!(row["forecast_basis"], "known");

    // Re-forecast the same period lower, effective in the past but recorded after the actual.
    app.forecast(&fund, &company, "ARR", "2026-09-30", "1500000", &common::days_ago(100)).await;
    let (_, after) = app.get(&url).await;
    assert_eq!(after["rows"][0], row, "the earlier actual keeps its variance");
    assert_eq!(after["rows"].as_array().unwrap().len(), 1);

    // A new actual for the period, recorded after the re-forecast, is compared with it.
    let (s, v) = app
        .post(
            &format!("/api/funds/{fund}/actuals"),
            json!({"company_id": company, "metric": "ARR", "value": "1500000", "effective_date": chrono::Utc::now().to_rfc3339(), "period": "2026-09-30"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, both) = app.get(&url).await;
    let pcts: Vec<&str> = both["rows"].as_array().unwrap().iter().map(|r| r["variance_pct"].as_str().unwrap()).collect();
    assert_eq!(pcts, vec!["0", "-25"], "newest first: on target against the re-forecast, the first still −25%");

    // The CSV export shows the same rows.
    let (s, csv) = app.get(&format!("/api/funds/{fund}/variance.csv?metric=ARR")).await;
    assert_eq!(s, StatusCode::OK);
    let csv = csv.as_str().unwrap();
    assert!(csv.starts_with("company_id,company,metric,period,forecast,actual,variance,variance_pct"), "{csv}");
    assert_eq!(csv.lines().count(), 3);
}

#[tokio::test]
async fn an_actual_with_only_a_later_recorded_forecast_is_marked_recorded_later() {
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(400).await;
    let company = app.company(&fund, "Beta Bio").await;
    // Back-filled history: the actual took effect 30 days ago; the forecast is only recorded now.
    let (s, v) = app
        .post(
            &format!("/api/funds/{fund}/actuals"),
            json!({"company_id": company, "metric": "CASH_BURN", "value": "0", "effective_date": common::days_ago(30), "period": "2026-06-30"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    app.forecast(&fund, &company, "CASH_BURN", "2026-06-30", "0", &common::days_ago(90)).await;
    let (_, v) = app.get(&format!("/api/funds/{fund}/variance")).await;
    let row = &v["rows"][0];
    assert_eq!(row["forecast_basis"], "recorded_later");
    assert_eq!(row["variance_pct"], "0", "0 against 0 is on target");
}
