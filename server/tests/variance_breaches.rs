//! One alert per breach, on real PostgreSQL: tiers of one metric raise one alert at the highest
//! severity with one delivery per channel; a worse actual for the same period escalates it (and
//! delivers again); one back within plan resolves it; "mark all read" for a filter; and the
//! migration merges the pairs stored before the rule without losing any.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

const PERIOD: &str = "2026-09-30";

/// A fund with one company, a revenue forecast of 1,000,000 for PERIOD, the default rules
/// (below 20% → warning, below 40% → critical, in-app) and a critical webhook + e-mail rule
/// below 35% (delivery workers off: the outbox rows are what is checked).
async fn setup() -> (TestApp, String, String) {
    let app = common::spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(400).await;
    let company = app.company(&fund, "Acme Robotics").await;
    app.forecast(&fund, &company, "REVENUE", PERIOD, "1000000", &common::days_ago(200)).await;
    let (s, v) = app
        .put(
            &format!("/api/funds/{fund}/notification-settings"),
            json!({"webhook_url": "https://hooks.example.com/fundlens", "webhook_secret": "a-long-enough-secret-for-tests", "email_to": ["partners@fund.example"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .post(
            &format!("/api/funds/{fund}/alert-rules"),
            json!({"metric": "REVENUE", "comparison": "below", "threshold": "35", "unit": "percent",
                   "severity": "critical", "channels": ["webhook", "email"], "cooldown_days": 30}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    (app, fund, company)
}

async fn actual(app: &TestApp, fund: &str, company: &str, value: &str, days_ago: i64) -> Value {
    let (s, v) = app
        .post(
            &format!("/api/funds/{fund}/actuals"),
            json!({"company_id": company, "metric": "REVENUE", "value": value, "effective_date": common::days_ago(days_ago), "period": PERIOD}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn alerts(app: &TestApp, fund: &str) -> Vec<Value> {
    let (s, v) = app.get(&format!("/api/funds/{fund}/alerts")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array().unwrap().clone()
}

/// (channel, round) of every outbox row, in order.
async fn outbox(app: &TestApp) -> Vec<(String, i32)> {
    sqlx::query_as("SELECT channel, round FROM alert_outbox ORDER BY round, channel").fetch_all(app.store.pool()).await.unwrap()
}

#[tokio::test]
async fn a_41_percent_miss_raises_one_critical_alert_with_one_delivery_per_channel() {
    let (app, fund, company) = setup().await;
    let recorded = actual(&app, &fund, &company, "590000", 10).await;
    let raised = recorded["alerts"].as_array().unwrap();
    assert_eq!(raised.len(), 1, "{recorded:#}");
    let a = &raised[0];
    assert_eq!((a["severity"].as_str(), a["variance_pct"].as_str()), (Some("critical"), Some("-41")));
    let mut rules: Vec<&str> = a["rules"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    rules.sort();
    assert_eq!(rules, vec!["REVENUE below forecast by 20%", "REVENUE below forecast by 35%", "REVENUE below forecast by 40%"]);
    assert_eq!(app.count("alerts").await, 1);
    assert_eq!(outbox(&app).await, vec![("email".into(), 0), ("in_app".into(), 0), ("webhook".into(), 0)]);
}

#[tokio::test]
async fn a_worse_actual_escalates_the_open_alert_and_a_recovery_resolves_it() {
    let (app, fund, company) = setup().await;
    // −25%: a warning, in-app only.
    let first = actual(&app, &fund, &company, "750000", 30).await;
    let id = first["alerts"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(first["alerts"][0]["severity"], "warning");
    let (s, _) = app.post(&format!("/api/funds/{fund}/alerts/{id}/read"), json!({})).await;
    assert_eq!(s, StatusCode::OK);

    // −22% the next week: still a warning, nothing new.
    let milder = actual(&app, &fund, &company, "780000", 23).await;
    assert_eq!(milder["alerts"], json!([]), "{milder:#}");

    // −45% within the cooldown: the same alert, now critical, unread again, delivered again.
    let worse = actual(&app, &fund, &company, "550000", 20).await;
    assert_eq!(worse["alerts"].as_array().unwrap().len(), 1, "{worse:#}");
    let escalated = &worse["alerts"][0];
    assert_eq!(escalated["id"], id.as_str());
    assert_eq!((escalated["severity"].as_str(), escalated["state"].as_str()), (Some("critical"), Some("unread")));
    assert_eq!(escalated["variance_pct"], "-45");
    assert_eq!(app.count("alerts").await, 1);
    assert_eq!(
        outbox(&app).await,
        vec![("in_app".into(), 0), ("email".into(), 1), ("in_app".into(), 1), ("webhook".into(), 1)],
        "the escalation is a second round, once per channel"
    );

    // Back within plan (−5%): resolved with the note, nothing delivered.
    let back = actual(&app, &fund, &company, "950000", 5).await;
    assert_eq!(back["alerts"], json!([]));
    let all = alerts(&app, &fund).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["state"], "resolved");
    let note = all[0]["resolution_note"].as_str().unwrap();
    assert!(note.starts_with(&format!("Back within plan on {}", &common::days_ago(5)[..10])), "{note}");
    assert_eq!(outbox(&app).await.len(), 4);
}

async fn actual_in(app: &TestApp, fund: &str, company: &str, period: &str, value: &str, days_ago: i64) -> Value {
    let (s, v) = app
        .post(
            &format!("/api/funds/{fund}/actuals"),
            json!({"company_id": company, "metric": "REVENUE", "value": value, "effective_date": common::days_ago(days_ago), "period": period}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

#[tokio::test]
async fn a_miss_that_goes_on_for_three_periods_is_one_alert_until_a_period_is_back_within_plan() {
    let (app, fund, company) = setup().await;
    for period in ["2026-07-31", "2026-08-31", "2026-10-31"] {
        app.forecast(&fund, &company, "REVENUE", period, "1000000", &common::days_ago(200)).await;
    }
    // July −25%: a warning, in-app only. Read it.
    let july = actual_in(&app, &fund, &company, "2026-07-31", "750000", 90).await;
    let id = july["alerts"][0]["id"].as_str().unwrap().to_string();
    let (s, _) = app.post(&format!("/api/funds/{fund}/alerts/{id}/read"), json!({})).await;
    assert_eq!(s, StatusCode::OK);

    // August −28% and September −30%: still warnings; the alert moves on quietly and stays read.
    let august = actual_in(&app, &fund, &company, "2026-08-31", "720000", 60).await;
    let september = actual_in(&app, &fund, &company, PERIOD, "700000", 30).await;
    assert_eq!((august["alerts"].clone(), september["alerts"].clone()), (json!([]), json!([])));
    let all = alerts(&app, &fund).await;
    assert_eq!(all.len(), 1, "{all:#?}");
    let a = &all[0];
    assert_eq!((a["id"].as_str(), a["state"].as_str(), a["severity"].as_str()), (Some(id.as_str()), Some("read"), Some("warning")));
    assert_eq!((a["period"].as_str(), a["first_period"].as_str(), a["periods_in_breach"].as_u64()), (Some(PERIOD), Some("2026-07-31"), Some(3)));
    assert_eq!(a["variance_pct"], "-30");
    assert_eq!(outbox(&app).await, vec![("in_app".into(), 0)], "no delivery for a breach that only goes on");

    // A revision of August back within plan changes nothing: September is still behind.
    actual_in(&app, &fund, &company, "2026-08-31", "1000000", 20).await;
    assert_eq!(alerts(&app, &fund).await[0]["state"], "read");

    // October within plan: resolved, with the note.
    actual_in(&app, &fund, &company, "2026-10-31", "990000", 2).await;
    let all = alerts(&app, &fund).await;
    assert_eq!((all.len(), all[0]["state"].as_str()), (1, Some("resolved")));
    assert!(all[0]["resolution_note"].as_str().unwrap().starts_with("Back within plan"), "{:#}", all[0]);
}

#[tokio::test]
async fn mark_all_read_marks_only_the_filtered_unread_alerts() {
    let (app, fund, company) = setup().await;
    let other = app.company(&fund, "Beta Bio").await;
    app.forecast(&fund, &other, "REVENUE", PERIOD, "1000000", &common::days_ago(200)).await;
    actual(&app, &fund, &company, "750000", 10).await; // warning
    actual(&app, &fund, &other, "500000", 10).await; // critical

    let (s, v) = app.post(&format!("/api/funds/{fund}/alerts/read?severity=bogus"), json!({})).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::BAD_REQUEST, Some("severity")), "{v}");
    let (s, v) = app.post(&format!("/api/funds/{fund}/alerts/read?severity=warning"), json!({})).await;
    assert_eq!((s, &v), (StatusCode::OK, &json!({"marked": 1})));
    let states: Vec<(String, String)> = alerts(&app, &fund)
        .await
        .iter()
        .map(|a| (a["severity"].as_str().unwrap().to_string(), a["state"].as_str().unwrap().to_string()))
        .collect();
    assert!(states.contains(&("warning".into(), "read".into())) && states.contains(&("critical".into(), "unread".into())), "{states:?}");
    let (_, v) = app.post(&format!("/api/funds/{fund}/alerts/read"), json!({})).await;
    assert_eq!(v, json!({"marked": 1}));
    let (_, v) = app.post(&format!("/api/funds/{fund}/alerts/read"), json!({})).await;
    assert_eq!(v, json!({"marked": 0}));
}

/// The alerts stored before the rule: one actual raised two (warning and critical), whose
/// deliveries and read state differ; another raised one. After the migration: two alerts, the
/// pair merged into its critical one naming both rules, its deliveries all kept.
#[tokio::test]
async fn the_migration_merges_the_pairs_one_actual_raised_without_losing_any() {
    let url = common::fresh_database().await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    app::store::MIGRATOR.run_to(20261202000004, &pool).await.unwrap();

    let fund = Uuid::new_v4();
    let company = Uuid::new_v4();
    let (warn, crit) = (Uuid::new_v4(), Uuid::new_v4());
    let (pair_warning, pair_critical, single) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let mut conn = PgConnection::connect(&url).await.unwrap();
    sqlx::query("INSERT INTO funds (id, name, size) VALUES ($1, 'Old fund', 1000)").bind(fund).execute(&mut conn).await.unwrap();
    for (id, threshold, severity) in [(warn, 20, "warning"), (crit, 40, "critical")] {
        sqlx::query(
            "INSERT INTO alert_rules (id, fund_id, metric, comparison, threshold, unit, severity, channels, cooldown_days)
             VALUES ($1, $2, 'REVENUE', 'below', $3, 'percent', $4, ARRAY['in_app', 'webhook'], 30)",
        )
        .bind(id)
        .bind(fund)
        .bind(threshold)
        .bind(severity)
        .execute(&mut conn)
        .await
        .unwrap();
    }
    for (id, rule, severity, version, state) in [
        (pair_warning, warn, "warning", 10_i64, "unread"),
        (pair_critical, crit, "critical", 10, "read"),
        (single, warn, "warning", 11, "read"),
    ] {
        sqlx::query(
            "INSERT INTO alerts (id, fund_id, rule_id, rule_description, severity, company_id, metric, period, actual_version,
                                 actual_effective_at, actual, forecast, forecast_version, forecast_basis, variance, variance_pct, state)
             VALUES ($1, $2, $3, $4, $5, $6, 'REVENUE', '2026-03-31', $7, now(), 550000, 1000000, 3, 'known', -450000, -45, $8)",
        )
        .bind(id)
        .bind(fund)
        .bind(rule)
        .bind(format!("REVENUE below forecast by {}%", if rule == warn { 20 } else { 40 }))
        .bind(severity)
        .bind(company)
        .bind(version)
        .bind(state)
        .execute(&mut conn)
        .await
        .unwrap();
        for channel in ["in_app", "webhook"] {
            sqlx::query("INSERT INTO alert_outbox (alert_id, fund_id, channel, status) VALUES ($1, $2, $3, 'delivered')")
                .bind(id)
                .bind(fund)
                .bind(channel)
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }

    app::store::MIGRATOR.run(&pool).await.unwrap();

    let rows: Vec<(Uuid, String, String, Vec<Uuid>, Vec<String>)> =
        sqlx::query_as("SELECT id, severity, state, rule_ids, rule_descriptions FROM alerts ORDER BY actual_version").fetch_all(&pool).await.unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0], (pair_critical, "critical".into(), "unread".into(), vec![crit, warn], vec![
        "REVENUE below forecast by 40%".to_string(),
        "REVENUE below forecast by 20%".to_string()
    ]));
    assert_eq!(rows[1], (single, "warning".into(), "read".into(), vec![warn], vec!["REVENUE below forecast by 20%".to_string()]));
    let outbox: Vec<(Uuid, String, i32)> =
        sqlx::query_as("SELECT alert_id, channel, round FROM alert_outbox ORDER BY alert_id = $1 DESC, round, channel").bind(pair_critical).fetch_all(&pool).await.unwrap();
    assert_eq!(outbox.len(), 6, "no delivery lost: {outbox:?}");
    assert_eq!(
        outbox[..4].to_vec(),
        vec![(pair_critical, "in_app".into(), 0), (pair_critical, "webhook".into(), 0), (pair_critical, "in_app".into(), 1), (pair_critical, "webhook".into(), 1)]
    );
    // A second actual for one actual_version cannot be stored any more.
    let again = sqlx::query(
        "INSERT INTO alerts (id, fund_id, rule_description, severity, company_id, metric, period, actual_version,
                             actual_effective_at, actual, forecast, forecast_version, forecast_basis, variance)
         VALUES ($1, $2, 'x', 'info', $3, 'REVENUE', '2026-03-31', 10, now(), 1, 1, 1, 'known', 0)",
    )
    .bind(Uuid::new_v4())
    .bind(fund)
    .bind(company)
    .execute(&pool)
    .await;
    assert!(again.is_err(), "alerts_one_per_actual holds");
}

#[tokio::test]
async fn an_adaptive_rule_stays_quiet_on_a_founders_usual_miss_and_alerts_on_an_unusual_one() {
    let app = common::spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(401).await;
    let company = app.company(&fund, "Chronic Co").await;
    // Only the adaptive rule: the fund's default rules are deleted.
    let (_, rules) = app.get(&format!("/api/funds/{fund}/alert-rules")).await;
    for r in rules.as_array().unwrap() {
        let (s, v) = app.send_raw("DELETE", &format!("/api/funds/{fund}/alert-rules/{}", r["id"].as_str().unwrap()), "application/json", String::new()).await;
        assert!(s.is_success(), "{v}");
    }
    let (s, rule) = app
        .post(
            &format!("/api/funds/{fund}/alert-rules"),
            json!({"metric": "REVENUE", "comparison": "below", "threshold": "20", "unit": "percent",
                   "severity": "warning", "channels": ["in_app"], "cooldown_days": 0, "adaptive": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{rule}");
    assert_eq!((rule["adaptive"].as_bool(), rule["description"].as_str()), (Some(true), Some("REVENUE below forecast by 20%, outside the company's usual error")));
    let periods = ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"];
    for p in periods {
        app.forecast(&fund, &company, "REVENUE", p, "1000000", &common::days_ago(400)).await;
    }
    // Four months 28–32% short: with less than four months of history the rule is a fixed one,
    // so January raises an alert and the next months carry it on.
    for (i, value) in ["720000", "680000", "700000", "700000"].iter().enumerate() {
        actual_in(&app, &fund, &company, periods[i], value, 300 - 30 * i as i64).await;
    }
    let all = alerts(&app, &fund).await;
    assert_eq!((all.len(), all[0]["periods_in_breach"].as_u64()), (1, Some(4)), "{all:#?}");
    // May −31%: this founder's usual miss (bias −30%, spread ≈ 1.6): the breach is over.
    let may = actual_in(&app, &fund, &company, periods[4], "690000", 150).await;
    assert_eq!(may["alerts"], json!([]), "{may:#}");
    let all = alerts(&app, &fund).await;
    assert_eq!(all[0]["state"], "resolved");
    assert!(all[0]["resolution_note"].as_str().unwrap().starts_with("Within the company's usual error on"), "{:#}", all[0]);
    // June −50%: far outside the band, a new alert.
    let june = actual_in(&app, &fund, &company, periods[5], "500000", 120).await;
    assert_eq!(june["alerts"].as_array().unwrap().len(), 1, "{june:#}");
    assert_eq!(june["alerts"][0]["variance_pct"], "-50");
}
