//! Issue 12, #14: the audit trail. Every change to who may see a fund (API tokens, share links,
//! roles) and to its alerting (notification settings, alert rules, resolving an alert) is
//! recorded with who made it, when and from which address, in the change's own transaction, and
//! only the fund's admins can read it.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::session::{raw, session_cookie};
use common::{one_at_a_time, spawn_with, TestApp};
use serde_json::{json, Value};

/// The address every request of these tests comes from.
const PEER: &str = "203.0.113.7:50123";
const PERIOD: &str = "2026-09-30";

/// How a request is authenticated.
enum As<'a> {
    Token(&'a str),
    Cookie(&'a str),
}

/// Sends a request from `PEER`; the status and the body (JSON when it parses).
async fn send(app: &TestApp, who: As<'_>, method: &str, uri: &str, body: Option<(&str, String)>) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    req = match who {
        As::Token(t) => req.header("authorization", format!("Bearer {t}")),
        As::Cookie(c) => req.header("cookie", c).header("accept", "application/json"),
    };
    let body = match body {
        Some((content_type, b)) => {
            req = req.header("content-type", content_type);
            Body::from(b)
        }
        None => Body::empty(),
    };
    let mut req = req.body(body).unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo::<std::net::SocketAddr>(PEER.parse().unwrap()));
    let (status, _, text) = raw(app, req).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn rest(app: &TestApp, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    send(app, As::Token(&app.token), method, uri, body.map(|b| ("application/json", b.to_string()))).await
}

/// Calls a server function as a browser session, with a form body.
async fn server_fn(app: &TestApp, cookie: &str, name: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    send(app, As::Cookie(cookie), "POST", &format!("/sfn/{name}"), Some(("application/x-www-form-urlencoded", body))).await
}

async fn trail(app: &TestApp, fund: &str) -> Vec<Value> {
    let (s, v) = rest(app, "GET", &format!("/api/funds/{fund}/audit"), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array().unwrap().clone()
}

/// A fund with two companies whose revenue came in far below forecast for PERIOD, so the default
/// rules have raised two alerts; returns the fund and the alert ids.
async fn fund_with_alerts(app: &TestApp) -> (String, Vec<String>) {
    let fund = app.fund(400).await;
    for name in ["Acme Robotics", "Borealis Bio"] {
        let company = app.company(&fund, name).await;
        app.forecast(&fund, &company, "REVENUE", PERIOD, "1000000", &common::days_ago(200)).await;
        let actual = json!({"company_id": company, "metric": "REVENUE", "value": "400000", "effective_date": chrono::Utc::now().to_rfc3339(), "period": PERIOD});
        let (s, v) = app.post(&format!("/api/funds/{fund}/actuals"), actual).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let alerts = app.wait_for_alerts(&fund, 15, |a| a.len() >= 2).await;
    (fund, alerts.iter().map(|a| a["id"].as_str().unwrap().to_string()).collect())
}

/// The id of the newest entry of the fund's trail.
async fn newest_entry(app: &TestApp, fund: &str) -> i64 {
    trail(app, fund).await.first().map(|e| e["id"].as_i64().unwrap()).unwrap_or(0)
}

#[tokio::test]
async fn every_audited_change_is_recorded_with_who_when_and_where() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false"), ("WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let (fund, alerts) = fund_with_alerts(&app).await;
    let analyst = common::create_user(&app.store, "analyst@test.local").await;
    let cookie = session_cookie(&app, "owner@test.local", common::PASSWORD).await.expect("signed in");
    let started = newest_entry(&app, &fund).await;

    // From the browser session: a token, a share link, resolving an alert.
    let (s, v) = server_fn(&app, &cookie, "create_api_token", &[("name", "ci bot"), ("max_role", "viewer"), ("expires_in_days", "30")]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let token_id = v["info"]["id"].as_str().unwrap().to_string();
    let (s, v) = server_fn(&app, &cookie, "revoke_api_token", &[("token_id", &token_id)]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = server_fn(&app, &cookie, "create_share_link", &[("fund_id", &fund), ("tab", "reserves"), ("at", "2026-06-30")]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let link_id = v["id"].as_str().unwrap().to_string();
    let (s, v) = server_fn(&app, &cookie, "revoke_share_link", &[("fund_id", &fund), ("link_id", &link_id)]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = server_fn(&app, &cookie, "resolve_alert", &[("fund_id", &fund), ("alert_id", &alerts[0]), ("note", "board call booked")]).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Through the API with the owner's token: roles, settings, rules.
    let members = format!("/api/funds/{fund}/members");
    assert_eq!(rest(&app, "PUT", &members, Some(json!({"email": "analyst@test.local", "role": "viewer"}))).await.0, StatusCode::OK);
    assert_eq!(rest(&app, "PUT", &members, Some(json!({"email": "analyst@test.local", "role": "analyst"}))).await.0, StatusCode::OK);
    let (s, v) = rest(&app, "DELETE", &format!("{members}/{}", analyst.id), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    let settings = json!({"webhook_url": "http://127.0.0.1:9/services/T0/B0/very-secret-path", "webhook_secret": "0123456789abcdef-secret", "email_to": ["ops@fund.example"]});
    let (s, v) = rest(&app, "PUT", &format!("/api/funds/{fund}/notification-settings"), Some(settings)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let rule = json!({"metric": "ARR", "comparison": "below", "threshold": "15", "unit": "percent", "severity": "warning", "channels": ["in_app"]});
    let (s, v) = rest(&app, "POST", &format!("/api/funds/{fund}/alert-rules"), Some(rule.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let rule_uri = format!("/api/funds/{fund}/alert-rules/{}", v["id"].as_str().unwrap());
    let mut disabled = rule.clone();
    disabled["enabled"] = json!(false);
    let (s, v) = rest(&app, "PUT", &rule_uri, Some(disabled)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(rest(&app, "DELETE", &rule_uri, None).await.0, StatusCode::NO_CONTENT);
    let (s, v) = rest(&app, "POST", &format!("/api/funds/{fund}/alerts/{}/resolve", alerts[1]), Some(json!({"note": ""}))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resolved_by"], "owner@test.local", "an alert says who resolved it: {v}");

    let entries = trail(&app, &fund).await;
    let recent: Vec<&Value> = entries.iter().filter(|e| e["id"].as_i64().unwrap() > started).collect();
    let actions: Vec<&str> = recent.iter().rev().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "api_token.create",
            "api_token.revoke",
            "share_link.create",
            "share_link.revoke",
            "alert.resolve",
            "member.role",
            "member.role",
            "member.remove",
            "notification_settings.update",
            "alert_rule.create",
            "alert_rule.update",
            "alert_rule.delete",
            "alert.resolve",
        ],
        "{entries:#?}"
    );
    for e in &recent {
        assert_eq!(e["actor"], "owner@test.local", "{e}");
        assert_eq!(e["address"], "203.0.113.7", "{e}");
    }
    let by_session = &recent[recent.len() - 1];
    assert!(by_session["via_token"].is_null(), "server functions ran in a session: {by_session}");
    assert!(recent[0]["via_token"].is_string(), "the API calls used a token: {}", recent[0]);
    let summaries: Vec<&str> = recent.iter().rev().map(|e| e["summary"].as_str().unwrap()).collect();
    assert!(summaries[0].contains("\"ci bot\"") && summaries[0].contains("capped at viewer"), "{summaries:?}");
    assert!(summaries[2].contains("reserves tab at 2026-06-30"), "{summaries:?}");
    assert!(summaries[4].contains("board call booked"), "{summaries:?}");
    assert_eq!(summaries[5], "added analyst@test.local as viewer");
    assert_eq!(summaries[6], "changed analyst@test.local from viewer to analyst");
    assert!(summaries[8].contains("webhook set to 127.0.0.1:9") && summaries[8].contains("ops@fund.example"), "{summaries:?}");
    assert!(summaries[10].contains("(now disabled)"), "{summaries:?}");
    let all = serde_json::to_string(&entries).unwrap();
    assert!(!all.contains("very-secret-path") && !all.contains("0123456789abcdef-secret"), "the webhook's credentials stay out of the trail");

    // The fund's creation and the test token (made on the command line) are there too.
    assert!(entries.iter().any(|e| e["action"] == "member.role" && e["summary"].as_str().unwrap().starts_with("created the fund")), "{entries:#?}");
    assert!(entries.iter().any(|e| e["action"] == "api_token.create" && e["actor"].is_null()), "{entries:#?}");
}

#[tokio::test]
async fn a_refused_change_leaves_no_entry_and_pages_go_back_in_time() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(30).await;
    let before = trail(&app, &fund).await.len();
    let nil = "00000000-0000-4000-8000-000000000000";
    assert_eq!(rest(&app, "DELETE", &format!("/api/funds/{fund}/alert-rules/{nil}"), None).await.0, StatusCode::NOT_FOUND);
    let (s, v) = rest(&app, "PUT", &format!("/api/funds/{fund}/members"), Some(json!({"email": "nobody@test.local", "role": "viewer"}))).await;
    assert!(s.is_client_error(), "{s} {v}");
    let bad = json!({"webhook_url": "ftp://nope", "webhook_secret": "0123456789abcdef", "email_to": []});
    let (s, v) = rest(&app, "PUT", &format!("/api/funds/{fund}/notification-settings"), Some(bad)).await;
    assert!(s.is_client_error(), "{s} {v}");
    assert_eq!(trail(&app, &fund).await.len(), before, "nothing recorded for changes that did not happen");

    // Paging: `before` names an entry id; bad paging parameters are refused by name.
    for n in 0..3 {
        let email = format!("member{n}@test.local");
        common::create_user(&app.store, &email).await;
        assert_eq!(rest(&app, "PUT", &format!("/api/funds/{fund}/members"), Some(json!({"email": email, "role": "viewer"}))).await.0, StatusCode::OK);
    }
    let (s, page) = rest(&app, "GET", &format!("/api/funds/{fund}/audit?limit=2"), None).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let page = page.as_array().unwrap();
    assert_eq!(page.len(), 2);
    let last = page[1]["id"].as_i64().unwrap();
    let (_, older) = rest(&app, "GET", &format!("/api/funds/{fund}/audit?before={last}&limit=2"), None).await;
    assert!(older.as_array().unwrap().iter().all(|e| e["id"].as_i64().unwrap() < last), "{older}");
    for (query, field) in [("limit=0", "limit"), ("limit=501", "limit"), ("limit=x", "limit"), ("before=-1", "before"), ("before=abc", "before")] {
        let (s, v) = rest(&app, "GET", &format!("/api/funds/{fund}/audit?{query}"), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{query}: {v}");
        assert_eq!(v["field"], field, "{query}: {v}");
    }
}

#[tokio::test]
async fn only_the_funds_admins_read_its_trail() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(30).await;
    let analyst = common::create_user(&app.store, "analyst@test.local").await;
    app.store.grant_role(&app::store::AuditActor::command_line(), fund.parse().unwrap(), analyst.id, domain::access::Role::Analyst).await.unwrap();
    let (_, analyst_token) = app.store.create_api_token(analyst.id, "t", domain::access::Role::Analyst).await.unwrap();
    // Another fund's admin sees nothing of this fund, nor this fund's members' tokens.
    let other = app.fund(30).await;

    let (s, v) = send(&app, As::Token(&analyst_token), "GET", &format!("/api/funds/{fund}/audit"), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let analyst_cookie = session_cookie(&app, "analyst@test.local", common::PASSWORD).await.expect("signed in");
    let (s, v) = server_fn(&app, &analyst_cookie, "list_audit_entries", &[("fund_id", &fund)]).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, page) = send(&app, As::Cookie(&analyst_cookie), "GET", &format!("/funds/{fund}/audit"), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{page}");

    let owner_cookie = session_cookie(&app, "owner@test.local", common::PASSWORD).await.expect("signed in");
    let (s, page) = send(&app, As::Cookie(&owner_cookie), "GET", &format!("/funds/{fund}/audit"), None).await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(page.contains("Audit trail") && page.contains("added analyst@test.local as analyst"), "{page}");
    assert!(page.contains("created API token \"t\""), "a member's tokens are on the fund's trail");
    let (s, overview) = send(&app, As::Cookie(&owner_cookie), "GET", &format!("/funds/{fund}/overview"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(overview.as_str().unwrap().contains(&format!("href=\"/funds/{fund}/members\"")), "admins find members and the trail from the hub header");
    let (s, members) = send(&app, As::Cookie(&owner_cookie), "GET", &format!("/funds/{fund}/members"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(members.as_str().unwrap().contains(&format!("href=\"/funds/{fund}/audit\"")), "the members page links the trail");
    let (_, overview) = send(&app, As::Cookie(&analyst_cookie), "GET", &format!("/funds/{fund}/overview"), None).await;
    assert!(!overview.as_str().unwrap().contains("/members\""), "analysts are not offered it");
    let (s, _) = send(&app, As::Cookie(&analyst_cookie), "GET", &format!("/funds/{fund}/members"), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let entries = trail(&app, &other).await;
    assert!(entries.iter().all(|e| !e["summary"].as_str().unwrap().contains("analyst@test.local")), "{entries:#?}");
    assert!(entries.iter().all(|e| e["summary"] != "created API token \"t\" (capped at analyst, never expiring)"), "{entries:#?}");
}

/// Issue 16 (members): admins manage members with server functions (the members page's forms);
/// the fund always keeps an admin, and every change is on the trail.
#[tokio::test]
async fn admins_manage_members_from_the_browser_and_the_fund_keeps_an_admin() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(30).await;
    let ana = common::create_user(&app.store, "ana@test.local").await;
    let cookie = session_cookie(&app, "owner@test.local", common::PASSWORD).await.expect("signed in");

    let (s, v) = server_fn(&app, &cookie, "set_member_role", &[("fund_id", &fund), ("email", "ana@test.local"), ("role", "analyst")]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = server_fn(&app, &cookie, "set_member_role", &[("fund_id", &fund), ("email", "nobody@test.local"), ("role", "viewer")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("no account for nobody@test.local"), "{v}");
    let (s, v) = server_fn(&app, &cookie, "set_member_role", &[("fund_id", &fund), ("email", "ana@test.local"), ("role", "owner")]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = server_fn(&app, &cookie, "list_members", &[("fund_id", &fund)]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let roles: Vec<(String, String, bool)> = v.as_array().unwrap().iter().map(|m| (m["email"].as_str().unwrap().into(), m["role"].as_str().unwrap().into(), m["you"].as_bool().unwrap())).collect();
    assert_eq!(roles, [("ana@test.local".into(), "analyst".into(), false), ("owner@test.local".into(), "admin".into(), true)]);

    // The only admin cannot step down or be removed; once Ana is admin too, the owner can step down.
    let (s, v) = server_fn(&app, &cookie, "set_member_role", &[("fund_id", &fund), ("email", "owner@test.local"), ("role", "viewer")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("only admin"), "{v}");
    let (s, v) = server_fn(&app, &cookie, "remove_fund_member", &[("fund_id", &fund), ("user_id", &app.owner.id.to_string())]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "you cannot remove yourself: {v}");
    let (s, _) = server_fn(&app, &cookie, "set_member_role", &[("fund_id", &fund), ("email", "ana@test.local"), ("role", "admin")]).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = server_fn(&app, &cookie, "set_member_role", &[("fund_id", &fund), ("email", "owner@test.local"), ("role", "analyst")]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // Ana is now the only admin: she cannot be removed through the API either.
    let (s, v) = rest(&app, "DELETE", &format!("/api/funds/{fund}/members/{}", ana.id), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the owner is an analyst now: {v}");
    let ana_cookie = session_cookie(&app, "ana@test.local", common::PASSWORD).await.expect("signed in");
    let (s, v) = server_fn(&app, &ana_cookie, "remove_fund_member", &[("fund_id", &fund), ("user_id", &app.owner.id.to_string())]).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    let (s, v) = send(&app, As::Cookie(&ana_cookie), "GET", &format!("/api/funds/{fund}/audit"), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let summaries: Vec<&str> = v.as_array().unwrap().iter().map(|e| e["summary"].as_str().unwrap()).collect();
    assert_eq!(
        &summaries[..4],
        [
            "removed owner@test.local (analyst) from the fund",
            "changed owner@test.local from admin to analyst",
            "changed ana@test.local from analyst to admin",
            "added ana@test.local as analyst",
        ]
    );
}
