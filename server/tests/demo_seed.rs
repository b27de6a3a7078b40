//! The run command's demo seed: imported with its original recorded times, once.

mod common;

use chrono::Utc;
use domain::demo::{generate, DemoSpec};
use domain::fund::{FundEvent, NewEvent};
use domain::time_machine::replay::state_at;

#[tokio::test]
async fn demo_fund_is_seeded_once_with_its_late_records_kept() {
    let app = common::spawn().await;
    let now = Utc::now();
    let fund = app.store.seed_demo_if_empty(now).await.unwrap().expect("seeds an empty database");
    assert!(app.store.seed_demo_if_empty(now).await.unwrap().is_none(), "never seeds twice");

    let generated = generate(&DemoSpec::demo_fund(now));
    assert_eq!(app.event_count().await as usize, generated.len());
    let late_generated = generated.iter().filter(|e| e.recorded_at - e.effective_at > chrono::Duration::days(7)).count();
    let late_stored: i64 = sqlx::query_scalar("SELECT count(*) FROM fund_events WHERE recorded_at > effective_at + interval '7 days'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(late_stored as usize, late_generated, "recorded times survive the import");
    assert!(late_generated > 50 && late_generated < generated.len() / 2);

    // The stored fund, as known now and as known at a past moment, equals a replay of the history.
    let events: Vec<FundEvent> = generated
        .iter()
        .enumerate()
        .map(|(i, e)| FundEvent { version: i as u64 + 1, effective_at: e.effective_at, recorded_at: e.recorded_at, payload: NewEvent { effective_at: e.effective_at, payload: e.payload.clone() }.payload })
        .collect();
    for days_ago in [0, 200, 700, 1500] {
        let as_of = now - chrono::Duration::days(days_ago);
        let got = app.store.state(fund, as_of, None).await.unwrap();
        assert_eq!(got.state.kpis(as_of), state_at(&events, as_of, u64::MAX).kpis(as_of), "{days_ago} days ago");
        let known_at = as_of - chrono::Duration::days(10);
        let known_version = events.iter().filter(|e| e.recorded_at <= known_at).map(|e| e.version).max().unwrap_or(0);
        let past = app.store.state(fund, as_of, Some(known_at)).await.unwrap();
        assert_eq!(past.state.kpis(as_of), state_at(&events, as_of, known_version).kpis(as_of), "{days_ago} days ago, known 10 days earlier");
    }
}

/// The import's snapshots are taken in effective order and marked with the version by which their
/// date was complete: none is ever invalidated, each equals a full replay at its date with that
/// knowledge, and the fund as known now, at dates all through its history, equals a full replay.
#[tokio::test]
async fn imported_history_answers_as_a_full_replay_at_dates_throughout() {
    let app = common::spawn().await;
    let now = Utc::now();
    let fund = app.store.seed_demo_if_empty(now).await.unwrap().expect("seeds an empty database");
    let events = common::stored_events(app.store.pool(), fund).await;
    let snapshots: Vec<(i64, chrono::DateTime<Utc>, Option<i64>)> =
        sqlx::query_as("SELECT version, effective_at, invalidated_by FROM fund_snapshots WHERE fund_id = $1 ORDER BY effective_at")
            .bind(fund)
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert!(snapshots.len() > 10, "the import writes snapshots ({})", snapshots.len());
    for (version, effective_at, invalidated_by) in &snapshots {
        assert_eq!(*invalidated_by, None);
        let complete_by = events.iter().filter(|e| e.effective_at <= *effective_at).map(|e| e.version).max().unwrap();
        assert_eq!(*version as u64, complete_by, "snapshot at {effective_at} is marked with the version that completed its date");
    }
    assert!(snapshots.iter().any(|s| (s.0 as usize) < events.len()), "past knowledge has snapshots too");
    let first = events.iter().map(|e| e.effective_at).min().unwrap();
    let last = events.iter().map(|e| e.effective_at).max().unwrap();
    for i in 0..=40 {
        let as_of = first + (last - first) * i / 40;
        let got = app.store.state(fund, as_of, None).await.unwrap();
        assert!(*got.state == state_at(&events, as_of, u64::MAX), "state at {as_of} differs from a full replay");
    }
}

/// The Overview's open alerts (`open_alerts_by`, one query) are the inbox's unresolved alerts
/// whose actual was effective by the date: the same count, and the worst five by severity, then
/// latest actual. Checked on the demo fund at dates through its history, with the seed's alerts
/// plus one resolved and one read so every state is present.
#[tokio::test]
async fn the_overviews_open_alerts_are_the_inboxs_unresolved_ones_at_the_date() {
    use app::store::AlertFilter;
    use domain::variance::AlertState;
    let app = common::spawn().await;
    let now = Utc::now();
    let fund = app.store.seed_demo_if_empty(now).await.unwrap().expect("seeds an empty database");
    let all = app.store.alerts(fund, &AlertFilter { limit: Some(app::store::MAX_ALERTS_LIMIT), ..Default::default() }).await.unwrap();
    let unresolved: Vec<_> = all.iter().filter(|a| a.state != AlertState::Resolved).collect();
    assert!(unresolved.len() >= 2, "the demo has open alerts ({} of {})", unresolved.len(), all.len());
    app.store.mark_alert_read(fund, unresolved[0].id).await.unwrap();
    let all = app.store.alerts(fund, &AlertFilter { limit: Some(app::store::MAX_ALERTS_LIMIT), ..Default::default() }).await.unwrap();
    assert!(all.len() < app::store::MAX_ALERTS_LIMIT as usize);
    for days_ago in [0, 100, 400, 900] {
        let as_of = now - chrono::Duration::days(days_ago);
        let mut expected: Vec<_> = all.iter().filter(|a| a.state != AlertState::Resolved && a.actual_effective_at <= as_of).collect();
        expected.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.actual_effective_at.cmp(&a.actual_effective_at)).then(b.created_at.cmp(&a.created_at)).then(a.id.cmp(&b.id)));
        let (count, worst) = app.store.open_alerts_by(fund, as_of, 5).await.unwrap();
        assert_eq!(count, expected.len(), "{days_ago} days ago");
        let ids: Vec<_> = worst.iter().map(|a| a.id).collect();
        let expected_ids: Vec<_> = expected.iter().take(5).map(|a| a.id).collect();
        assert_eq!(ids, expected_ids, "{days_ago} days ago");
        assert!(worst.iter().all(|a| a.state != AlertState::Resolved && a.deliveries.is_empty()));
    }

    // The answer is kept per fund revision: an alert resolved by another process (a second store
    // on the same database) leaves this one's next answer at once.
    let (before, worst) = app.store.open_alerts_by(fund, now, 5).await.unwrap();
    let (_, other_process) = common::replica(&app).await;
    other_process.resolve_alert(&app::store::AuditActor::command_line(), fund, worst[0].id, "checked with the founder").await.unwrap();
    let (after, worst_after) = app.store.open_alerts_by(fund, now, 5).await.unwrap();
    assert_eq!(after, before - 1, "the resolved alert is no longer open");
    assert!(worst_after.iter().all(|a| a.id != worst[0].id));
}
