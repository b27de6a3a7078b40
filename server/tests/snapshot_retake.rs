//! The background pass that re-takes snapshots invalidated by late events
//! (`app/src/store/snapshot_retake.rs`), on real PostgreSQL, with one and with two processes.

mod common;

use axum::http::StatusCode;
use domain::fund::FundState;
use domain::time_machine::replay::state_at;
use serde_json::json;
use uuid::Uuid;

/// A capital call effective `days_ago` days ago.
async fn call(app: &common::TestApp, fund: &str, days_ago: i64) {
    let body = json!({"events": [{"type": "CAPITAL_CALLED", "effective_at": common::days_ago(days_ago), "payload": {"amount": "1000"}}]});
    let (status, v) = app.post(&format!("/api/funds/{fund}/events"), body).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
}

/// A fund with a snapshot every 5 events, 40 calls in date order, then one late call that
/// invalidates most snapshots.
async fn fund_with_invalidated_snapshots(app: &common::TestApp) -> Uuid {
    let fund = app.fund(400).await;
    for days_ago in (100..300).rev().step_by(5) {
        call(app, &fund, days_ago).await;
    }
    call(app, &fund, 350).await;
    fund.parse().unwrap()
}

async fn count(app: &common::TestApp, sql: &str, fund: Uuid) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).bind(fund).fetch_one(app.store.pool()).await.unwrap()
}

const INVALIDATED_DATES: &str = "SELECT count(DISTINCT effective_at) FROM fund_snapshots WHERE fund_id = $1 AND kind = 'automatic' AND invalidated_by IS NOT NULL";
const UNCOVERED_DATES: &str = "SELECT count(DISTINCT s.effective_at) FROM fund_snapshots s
    WHERE s.fund_id = $1 AND s.kind = 'automatic' AND s.invalidated_by IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM fund_snapshots v WHERE v.fund_id = s.fund_id AND v.effective_at = s.effective_at AND v.invalidated_by IS NULL)";

#[tokio::test]
async fn invalidated_snapshots_are_retaken_and_every_snapshot_matches_a_full_replay() {
    let app = common::spawn_with(&[("SNAPSHOT_FREQUENCY", "5")]).await;
    let fund = fund_with_invalidated_snapshots(&app).await;
    let invalidated = count(&app, INVALIDATED_DATES, fund).await;
    assert!(invalidated >= 5, "the late call invalidated snapshots ({invalidated})");
    assert_eq!(count(&app, UNCOVERED_DATES, fund).await, invalidated, "none is replaced yet");

    let mut handled = 0;
    loop {
        let n = app.store.retake_invalidated_snapshots().await.unwrap();
        if n == 0 {
            break;
        }
        handled += n;
    }
    assert_eq!(handled as i64, invalidated);
    assert_eq!(count(&app, UNCOVERED_DATES, fund).await, 0, "every invalidated date has a valid snapshot again");

    // A second late call invalidates the re-taken snapshots like any other.
    call(&app, &fund.to_string(), 380).await;
    assert!(count(&app, UNCOVERED_DATES, fund).await > 0);

    let events = common::stored_events(app.store.pool(), fund).await;
    let snapshots: Vec<(i64, chrono::DateTime<chrono::Utc>, serde_json::Value)> =
        sqlx::query_as("SELECT version, effective_at, state FROM fund_snapshots WHERE fund_id = $1")
            .bind(fund)
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    for (version, at, state) in snapshots {
        let state: FundState = serde_json::from_value(state).unwrap();
        assert!(state == state_at(&events, at, version as u64), "snapshot ({version}, {at}) differs from a full replay");
    }
    for days_ago in [390, 345, 300, 250, 180, 120, 90, 0] {
        let as_of = chrono::Utc::now() - chrono::Duration::days(days_ago);
        let got = app.store.state(fund, as_of, None).await.unwrap();
        assert!(*got.state == state_at(&events, as_of, u64::MAX), "state {days_ago} days ago differs from a full replay");
    }
}

#[tokio::test]
async fn two_processes_retaking_at_once_write_each_snapshot_once() {
    let app = common::spawn_with(&[("SNAPSHOT_FREQUENCY", "5")]).await;
    let (_, other) = common::replica(&app).await;
    let funds = [fund_with_invalidated_snapshots(&app).await, fund_with_invalidated_snapshots(&app).await];
    loop {
        let (a, b) = tokio::join!(app.store.retake_invalidated_snapshots(), other.retake_invalidated_snapshots());
        if a.unwrap() == 0 && b.unwrap() == 0 {
            break;
        }
    }
    for fund in funds {
        assert_eq!(count(&app, UNCOVERED_DATES, fund).await, 0);
        let duplicated = count(
            &app,
            "SELECT count(*) FROM (SELECT effective_at FROM fund_snapshots WHERE fund_id = $1 AND kind = 'automatic' AND invalidated_by IS NULL
                                   GROUP BY effective_at HAVING count(*) > 1) d",
            fund,
        )
        .await;
        assert_eq!(duplicated, 0, "a date was re-taken twice");
    }
}
