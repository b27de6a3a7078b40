//! CSV import of actuals: all or nothing, every bad row reported.

mod common;

use axum::http::StatusCode;
use common::{spawn_with, TestApp};
use serde_json::Value;

const HEADER: &str = "company,metric,value,effective_date,period,source\n";

async fn fund_with_companies(app: &TestApp) -> (String, Vec<String>) {
    let fund = app.fund(4_000).await;
    let mut ids = Vec::new();
    for name in ["Acme Robotics", "Beta Bio", "Gamma, Inc."] {
        ids.push(app.company(&fund, name).await);
    }
    (fund, ids)
}

/// 5,000 rows: three companies (by name and by id), five metrics, quarterly periods.
fn big_file(ids: &[String]) -> String {
    let metrics = ["REVENUE", "EBITDA", "CASH_BURN", "ARR", "VALUATION"];
    let start = chrono::Utc::now().date_naive() - chrono::Duration::days(3_500);
    let mut s = String::from(HEADER);
    for i in 0..5_000usize {
        let company = match i % 3 {
            0 => "Acme Robotics".to_string(),
            1 => ids[1].clone(),
            _ => "\"Gamma, Inc.\"".to_string(),
        };
        let day = start + chrono::Duration::days((i / 15) as i64 * 10);
        s.push_str(&format!("{company},{},{}.25,{day},{day},import\n", metrics[i % 5], 1_000 + i));
    }
    s
}

async fn import(app: &TestApp, fund: &str, body: String) -> (StatusCode, Value) {
    app.send_raw("POST", &format!("/api/funds/{fund}/actuals/import"), "text/csv", body).await
}

#[tokio::test]
async fn a_5000_row_file_imports_in_one_transaction() {
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let (fund, ids) = fund_with_companies(&app).await;
    let before = app.event_count().await;
    let (s, v) = import(&app, &fund, big_file(&ids)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["imported"], 5_000);
    assert_eq!(app.event_count().await, before + 5_000);
    // One append: every row carries the same recorded time.
    let recorded: i64 = sqlx::query_scalar("SELECT count(DISTINCT recorded_at) FROM fund_events WHERE event_type = 'ACTUAL_RECORDED'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(recorded, 1);
}

#[tokio::test]
async fn the_same_file_with_one_bad_row_writes_nothing_and_names_that_row() {
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let (fund, ids) = fund_with_companies(&app).await;
    let before = app.event_count().await;
    let mut lines: Vec<String> = big_file(&ids).lines().map(str::to_string).collect();
    lines[3_001] = lines[3_001].replace("import", "fax"); // line 3,002 of the file
    let (s, v) = import(&app, &fund, lines.join("\n")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["rows"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!((v["rows"][0]["line"].as_u64(), v["rows"][0]["column"].as_str()), (Some(3_002), Some("source")));
    assert!(v["rows"][0]["reason"].as_str().unwrap().contains("fax"));
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn several_bad_rows_are_all_reported() {
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let (fund, ids) = fund_with_companies(&app).await;
    let today = chrono::Utc::now().date_naive();
    let file = format!(
        "{HEADER}Acme Robotics,REVENUE,100,{today},,\n\
         Nobody Ltd,REVENUE,100,{today},,\n\
         {},REVENUE,12o,{today},,\n\
         Beta Bio,ARR,-5,{today},,\n\
         Beta Bio,ARR,5,2099-01-01,,\n\
         Beta Bio,ARR,5,{today},2026-13-01,\n\
         acme robotics,REVENUE,1,{today},,\n",
        ids[1]
    );
    let before = app.event_count().await;
    let (s, v) = import(&app, &fund, file).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let got: Vec<(u64, String)> =
        v["rows"].as_array().unwrap().iter().map(|r| (r["line"].as_u64().unwrap(), r["column"].as_str().unwrap().to_string())).collect();
    let want: Vec<(u64, String)> =
        [(3, "company"), (4, "value"), (5, "value"), (6, "effective_date"), (7, "period"), (8, "company")].iter().map(|(l, c)| (*l, c.to_string())).collect();
    assert_eq!(got, want, "{v:#}");
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn the_template_is_served_and_wrong_content_types_are_refused() {
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let (fund, _) = fund_with_companies(&app).await;
    let (s, v) = app.get(&format!("/api/funds/{fund}/actuals/template.csv")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.as_str().unwrap().starts_with("company,metric,value,effective_date,period,source"));
    let (s, v) = app.send_raw("POST", &format!("/api/funds/{fund}/actuals/import"), "application/json", "{}".into()).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::BAD_REQUEST, Some("content-type")));
    let (s, v) = import(&app, &fund, "company,metric,amount\n".into()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["rows"].as_array().unwrap().iter().all(|r| r["line"] == 1));
}
