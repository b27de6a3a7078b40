//! Who may call what: every REST route and every server function, called as anonymous, as a
//! member of another fund and as a viewer (for writes) — plus sign-in, lockout, session expiry,
//! token revocation, CSRF and share links.
//!
//! The REST list comes from the router itself (`api::routes`: a route cannot be added without
//! declaring its access); the server-function list from the server-function registry, and a
//! function missing from `SERVER_FNS` below fails the test, so a new one cannot go unchecked.

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use domain::access::Role;
use http_body_util::BodyExt;
use server::auth::access::Access;
use tower::ServiceExt;

const NIL: &str = "00000000-0000-4000-8000-000000000000";

struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn send(app: &common::TestApp, method: Method, uri: &str, headers: &[(&str, String)], body: Option<(&str, String)>) -> Response {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let body = match body {
        Some((content_type, b)) => {
            req = req.header("content-type", content_type);
            Body::from(b)
        }
        None => Body::empty(),
    };
    let res = app.router.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    Response { status, headers, body }
}

fn bearer(token: &str) -> Vec<(&'static str, String)> {
    vec![("authorization", format!("Bearer {token}"))]
}

/// A user with a token capped at `role`, member of `fund` with `role` (when given).
async fn member(app: &common::TestApp, email: &str, fund: Option<&str>, role: Role) -> String {
    let user = common::create_user(&app.store, email).await;
    if let Some(fund) = fund {
        app.store.grant_role(&app::store::AuditActor::command_line(), fund.parse().unwrap(), user.id, role).await.unwrap();
    }
    app.store.create_api_token(user.id, "t", Role::Admin).await.unwrap().1
}

fn concrete(path: &str, fund: &str) -> String {
    path.replace("{id}", fund).replace("{alert_id}", NIL).replace("{rule_id}", NIL).replace("{user_id}", NIL).replace("{run_id}", NIL).replace("{scenario_id}", NIL)
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD)
}

#[tokio::test]
async fn every_rest_route_refuses_anonymous_outsiders_and_viewers_writing() {
    let app = common::spawn().await;
    let fund = app.fund(30).await;
    let other_fund = app.fund(30).await;
    let outsider = member(&app, "outsider@test.local", Some(&other_fund), Role::Admin).await;
    let viewer = member(&app, "viewer@test.local", Some(&fund), Role::Viewer).await;
    let analyst = member(&app, "analyst@test.local", Some(&fund), Role::Analyst).await;
    assert!(app.api_routes.len() >= 25, "the route table lists every route: {}", app.api_routes.len());

    for route in &app.api_routes {
        let uri = concrete(&route.path, &fund);
        let what = format!("{} {}", route.method, route.path);
        let json = Some(("application/json", "{}".to_string()));
        let anonymous = send(&app, route.method.clone(), &uri, &[], json.clone()).await;
        if route.access == Access::Public {
            assert_eq!((route.method.clone(), route.path.as_str()), (Method::GET, "/api/openapi.json"), "only the API's description is public");
            assert_eq!(anonymous.status, StatusCode::OK, "{what} as anonymous: {}", anonymous.body);
            continue;
        }
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{what} as anonymous: {}", anonymous.body);

        let Access::Fund(need) = route.access else { continue };
        let outside = send(&app, route.method.clone(), &uri, &bearer(&outsider), json.clone()).await;
        assert_eq!(outside.status, StatusCode::FORBIDDEN, "{what} as a member of another fund: {}", outside.body);

        let as_viewer = send(&app, route.method.clone(), &uri, &bearer(&viewer), json.clone()).await;
        if is_write(&route.method) {
            assert!(need > Role::Viewer, "{what} writes, so it must need more than the viewer role");
            assert_eq!(as_viewer.status, StatusCode::FORBIDDEN, "{what} as a viewer: {}", as_viewer.body);
        } else if need == Role::Viewer {
            assert!(!matches!(as_viewer.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN), "{what} as a viewer: {}", as_viewer.status);
        }
        if need == Role::Admin {
            let as_analyst = send(&app, route.method.clone(), &uri, &bearer(&analyst), json.clone()).await;
            assert_eq!(as_analyst.status, StatusCode::FORBIDDEN, "{what} as an analyst: {}", as_analyst.body);
        }
    }
}

#[test]
fn routes_are_only_added_through_the_access_table() {
    // Outside the API's table, only these routes exist; anything else added with `.route(` must
    // either go through `ApiRoutes::add` (with its access) or be listed here on purpose.
    let public = ["\"/healthz\"", "\"/metrics\"", "\"/login\"", "\"/logout\"", "\"/sfn/{*fn_name}\""];
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for entry in walk(&src) {
        let text = std::fs::read_to_string(&entry).unwrap();
        for (i, line) in text.lines().enumerate() {
            if let Some(at) = line.find(".route(") {
                let rest = &line[at + 7..];
                let path = rest.split(',').next().unwrap_or_default().trim().to_string();
                if entry.ends_with("access.rs") && path == "path" {
                    continue; // ApiRoutes::add itself
                }
                found.push((entry.display().to_string(), i + 1, path));
            }
        }
    }
    for (file, line, path) in &found {
        assert!(public.contains(&path.as_str()), "{file}:{line} adds route {path} outside the access table (auth::access::ApiRoutes)");
    }
    assert_eq!(found.len(), public.len(), "{found:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

/// Who may call each server function, with sample arguments (`{fund}` is replaced).
enum FnAccess {
    /// Anyone; the function itself decides (share links by their signature).
    Public,
    /// Any signed-in user; it returns only their data.
    SignedIn,
    /// A signed-in browser session only (token management).
    Session,
    /// Members of `fund_id` with at least this role.
    Fund(Role),
}

const SERVER_FNS: &[(&str, FnAccess, &str)] = &[
    ("get_session_user", FnAccess::Public, ""),
    ("get_shared_report", FnAccess::Public, "token=nonsense"),
    ("list_funds", FnAccess::SignedIn, ""),
    ("create_fund", FnAccess::SignedIn, "name=x&size=1"),
    ("create_api_token", FnAccess::Session, "name=x&max_role=viewer"),
    ("list_api_tokens", FnAccess::Session, ""),
    ("change_password", FnAccess::Session, "current_password=x&new_password=y&confirm_password=y"),
    ("revoke_api_token", FnAccess::Session, "token_id=00000000-0000-4000-8000-000000000000"),
    ("get_fund_meta", FnAccess::Fund(Role::Viewer), "fund_id={fund}"),
    ("get_dated_view", FnAccess::Fund(Role::Viewer), "fund_id={fund}"),
    ("list_snapshots", FnAccess::Fund(Role::Viewer), "fund_id={fund}"),
    ("create_snapshot", FnAccess::Fund(Role::Analyst), "fund_id={fund}&description=x"),
    ("unread_count", FnAccess::Fund(Role::Viewer), "fund_id={fund}"),
    ("get_variance_view", FnAccess::Fund(Role::Viewer), "fund_id={fund}"),
    ("get_variance_page", FnAccess::Fund(Role::Viewer), "fund_id={fund}"),
    ("get_forecast_series", FnAccess::Fund(Role::Viewer), "fund_id={fund}&company_id=00000000-0000-4000-8000-000000000000&metric=REVENUE"),
    ("list_alerts", FnAccess::Fund(Role::Viewer), "fund_id={fund}"),
    ("record_actual", FnAccess::Fund(Role::Analyst), "fund_id={fund}&company_id=00000000-0000-4000-8000-000000000000&metric=REVENUE&value=1&effective_date=2026-01-01&source=manual"),
    ("mark_alert_read", FnAccess::Fund(Role::Analyst), "fund_id={fund}&alert_id=00000000-0000-4000-8000-000000000000"),
    ("mark_alerts_read", FnAccess::Fund(Role::Analyst), "fund_id={fund}&severity=warning"),
    ("resolve_alert", FnAccess::Fund(Role::Analyst), "fund_id={fund}&alert_id=00000000-0000-4000-8000-000000000000&note=x"),
    ("create_share_link", FnAccess::Fund(Role::Analyst), "fund_id={fund}&tab=overview"),
    ("list_share_links", FnAccess::Fund(Role::Analyst), "fund_id={fund}"),
    ("revoke_share_link", FnAccess::Fund(Role::Analyst), "fund_id={fund}&link_id=00000000-0000-4000-8000-000000000000"),
    ("get_reserves_page", FnAccess::Fund(Role::Viewer), "fund_id={fund}"),
    ("get_overview_panel", FnAccess::Fund(Role::Viewer), "fund_id={fund}"),
    ("start_reserve_run", FnAccess::Fund(Role::Analyst), "fund_id={fund}&iterations=1000"),
    ("cancel_reserve_run", FnAccess::Fund(Role::Analyst), "fund_id={fund}&run_id=00000000-0000-4000-8000-000000000000"),
    ("apply_reserve_recommendation", FnAccess::Fund(Role::Analyst), "fund_id={fund}&run_id=00000000-0000-4000-8000-000000000000&scope=all"),
    ("save_reserve_scenario", FnAccess::Fund(Role::Analyst), "fund_id={fund}&run_id=00000000-0000-4000-8000-000000000000&name=x"),
    ("set_reserve_assumptions", FnAccess::Fund(Role::Admin), "fund_id={fund}&assumptions=%7B%7D"),
    ("list_audit_entries", FnAccess::Fund(Role::Admin), "fund_id={fund}"),
    ("list_members", FnAccess::Fund(Role::Admin), "fund_id={fund}"),
    ("list_fund_companies", FnAccess::Fund(Role::Viewer), "fund_id={fund}"),
    ("correct_event", FnAccess::Fund(Role::Analyst), "fund_id={fund}&version=2&reason=x"),
    ("record_event", FnAccess::Fund(Role::Analyst), "fund_id={fund}&kind=capital_call&effective_date=2020-01-01&amount=1"),
    ("get_ledger_upload", FnAccess::Fund(Role::Analyst), "fund_id={fund}&upload_id=00000000-0000-4000-8000-000000000000"),
    ("confirm_ledger_import", FnAccess::Fund(Role::Analyst), "fund_id={fund}&upload_id=00000000-0000-4000-8000-000000000000"),
    ("set_member_role", FnAccess::Fund(Role::Admin), "fund_id={fund}&email=nobody%40test.local&role=viewer"),
    ("remove_fund_member", FnAccess::Fund(Role::Admin), "fund_id={fund}&user_id=00000000-0000-4000-8000-000000000000"),
    ("delete_reserve_scenario", FnAccess::Fund(Role::Analyst), "fund_id={fund}&scenario_id=00000000-0000-4000-8000-000000000000"),
];

async fn call_fn(app: &common::TestApp, path: &str, args: &str, headers: &[(&str, String)]) -> Response {
    send(app, Method::POST, path, headers, Some(("application/x-www-form-urlencoded", args.to_string()))).await
}

#[tokio::test]
async fn every_server_function_checks_its_caller() {
    let app = common::spawn().await;
    let fund = app.fund(30).await;
    let other_fund = app.fund(30).await;
    let outsider = member(&app, "outsider@test.local", Some(&other_fund), Role::Admin).await;
    let viewer = member(&app, "viewer@test.local", Some(&fund), Role::Viewer).await;

    let registered: Vec<&str> = leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path).collect();
    assert!(registered.len() >= SERVER_FNS.len(), "registered: {registered:?}");
    for path in &registered {
        let name = path.trim_start_matches("/sfn/");
        let Some((_, access, args)) = SERVER_FNS.iter().find(|(n, _, _)| *n == name) else {
            panic!("server function {path} has no entry in SERVER_FNS: add it with the access it checks");
        };
        let args = args.replace("{fund}", &fund);
        let anonymous = call_fn(&app, path, &args, &[]).await;
        match access {
            FnAccess::Public => {
                assert!(!matches!(anonymous.status, StatusCode::UNAUTHORIZED), "{path} is public: {}", anonymous.body);
                continue;
            }
            _ => assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path} as anonymous: {}", anonymous.body),
        }
        match access {
            FnAccess::Session => {
                let with_token = call_fn(&app, path, &args, &bearer(&app.token)).await;
                assert_eq!(with_token.status, StatusCode::FORBIDDEN, "{path} with an API token: {}", with_token.body);
            }
            FnAccess::Fund(need) => {
                let outside = call_fn(&app, path, &args, &bearer(&outsider)).await;
                assert_eq!(outside.status, StatusCode::FORBIDDEN, "{path} as a member of another fund: {}", outside.body);
                let as_viewer = call_fn(&app, path, &args, &bearer(&viewer)).await;
                if *need > Role::Viewer {
                    assert_eq!(as_viewer.status, StatusCode::FORBIDDEN, "{path} (a write) as a viewer: {}", as_viewer.body);
                } else {
                    assert_eq!(as_viewer.status, StatusCode::OK, "{path} as a viewer: {}", as_viewer.body);
                }
            }
            _ => {}
        }
    }
    for (name, _, _) in SERVER_FNS {
        assert!(registered.contains(&format!("/sfn/{name}").as_str()), "{name} is listed but not registered");
    }
}

/// Signs in through the form; the session cookie, or the error the form was sent back with.
async fn sign_in(app: &common::TestApp, email: &str, password: &str) -> Result<String, String> {
    let body = format!("email={}&password={}&next=%2F", urlencode(email), urlencode(password));
    let res = send(app, Method::POST, "/login", &[], Some(("application/x-www-form-urlencoded", body))).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let location = res.headers.get("location").unwrap().to_str().unwrap().to_string();
    if location.starts_with("/login?") {
        let query = location.trim_start_matches("/login?");
        let error = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "error").map(|(_, v)| v.into_owned()).unwrap_or_default();
        return Err(error);
    }
    let cookie = res.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).find(|c| c.starts_with("fundlens_session=")).expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"), "cookie flags: {cookie}");
    Ok(cookie.split(';').next().unwrap().to_string())
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn sign_in_wrong_password_lockout_and_csrf() {
    let app = common::spawn().await;
    let cookie = sign_in(&app, "Owner@Test.local", common::PASSWORD).await.expect("signs in; the e-mail is case-insensitive");
    let funds = send(&app, Method::GET, "/api/funds", &[("cookie", cookie.clone())], None).await;
    assert_eq!(funds.status, StatusCode::OK, "the session works for the API too");

    // CSRF: a write with the session cookie from another site is refused; from this site it passes.
    let fund = app.fund(30).await;
    let snapshot = |origin: &'static str| {
        let cookie = cookie.clone();
        let uri = format!("/api/funds/{fund}/snapshots");
        let app = &app;
        async move {
            send(app, Method::POST, &uri, &[("cookie", cookie), ("host", "fundlens.test".into()), ("origin", origin.into())], Some(("application/json", r#"{"description":"x"}"#.into()))).await
        }
    };
    let evil = snapshot("https://evil.example").await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN, "{}", evil.body);
    assert!(evil.body.contains("cross-site"), "{}", evil.body);
    let cross_fn = send(&app, Method::POST, "/sfn/create_snapshot", &[("cookie", cookie.clone()), ("sec-fetch-site", "cross-site".into())], Some(("application/x-www-form-urlencoded", format!("fund_id={fund}&description=x")))).await;
    assert_eq!(cross_fn.status, StatusCode::FORBIDDEN, "server functions too: {}", cross_fn.body);
    assert_eq!(snapshot("http://fundlens.test").await.status, StatusCode::CREATED);

    // Wrong password, then lockout after five failures: even the right password is refused.
    assert_eq!(sign_in(&app, "owner@test.local", "wrong password!").await, Err("Wrong e-mail or password.".into()));
    assert_eq!(sign_in(&app, "nobody@test.local", "wrong password!").await, Err("Wrong e-mail or password.".into()), "unknown accounts look the same");
    for _ in 0..4 {
        sign_in(&app, "owner@test.local", "wrong password!").await.unwrap_err();
    }
    let locked = sign_in(&app, "owner@test.local", common::PASSWORD).await.unwrap_err();
    assert!(locked.starts_with("Too many failed sign-ins for this account"), "{locked}");
    let failures: i64 = sqlx::query_scalar("SELECT count(*) FROM login_failures WHERE email = 'owner@test.local'").fetch_one(app.store.pool()).await.unwrap();
    assert_eq!(failures, 5, "counted in PostgreSQL, shared by every server process");
}

#[tokio::test]
async fn sessions_end_after_their_maximum_age_and_at_sign_out() {
    let app = common::spawn_with(&[("SESSION_MAX_AGE_SECS", "2")]).await;
    let cookie = sign_in(&app, "owner@test.local", common::PASSWORD).await.unwrap();
    assert_eq!(send(&app, Method::GET, "/api/funds", &[("cookie", cookie.clone())], None).await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(3_100)).await;
    assert_eq!(send(&app, Method::GET, "/api/funds", &[("cookie", cookie.clone())], None).await.status, StatusCode::UNAUTHORIZED);

    let app = common::spawn().await;
    let cookie = sign_in(&app, "owner@test.local", common::PASSWORD).await.unwrap();
    let page = send(&app, Method::GET, "/", &[("cookie", cookie.clone())], None).await;
    assert_eq!(page.status, StatusCode::OK);
    let out = send(&app, Method::POST, "/logout", &[("cookie", cookie.clone())], None).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let page = send(&app, Method::GET, "/", &[("cookie", cookie)], None).await;
    assert_eq!((page.status, page.headers.get("location").map(|l| l.to_str().unwrap())), (StatusCode::SEE_OTHER, Some("/login?next=%2F")));
}

#[tokio::test]
async fn a_revoked_token_is_refused() {
    let app = common::spawn().await;
    let (info, token) = app.store.create_api_token(app.owner.id, "sync", Role::Viewer).await.unwrap();
    assert_eq!(send(&app, Method::GET, "/api/funds", &bearer(&token), None).await.status, StatusCode::OK);
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM api_tokens WHERE id = $1").bind(info.id).fetch_one(app.store.pool()).await.unwrap();
    assert_ne!(stored, token.as_bytes(), "only a hash is stored");
    app.store.revoke_api_token(&app::store::AuditActor::command_line(), app.owner.id, info.id).await.unwrap();
    let refused = send(&app, Method::GET, "/api/funds", &bearer(&token), None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert!(refused.body.contains("revoked"), "{}", refused.body);
    // A viewer-capped token cannot write even where its user is admin.
    let fund = app.fund(30).await;
    let (_, viewer_token) = app.store.create_api_token(app.owner.id, "read only", Role::Viewer).await.unwrap();
    let write = send(&app, Method::POST, &format!("/api/funds/{fund}/snapshots"), &bearer(&viewer_token), Some(("application/json", r#"{"description":"x"}"#.into()))).await;
    assert_eq!(write.status, StatusCode::FORBIDDEN, "{}", write.body);
}

#[tokio::test]
async fn share_links_show_the_report_and_refuse_tampering_expiry_revocation_and_writes() {
    let app = common::spawn().await;
    let fund = app.fund(400).await;
    let (s, v) = app.post(&format!("/api/funds/{fund}/events"), serde_json::json!({"events": [{"type": "CAPITAL_CALLED", "payload": {"amount": "2500000"}}]})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let cookie = sign_in(&app, "owner@test.local", common::PASSWORD).await.unwrap();
    let created = send(&app, Method::POST, "/sfn/create_share_link", &[("cookie", cookie.clone())], Some(("application/x-www-form-urlencoded", format!("fund_id={fund}&tab=overview&expires_in_days=30")))).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let link: serde_json::Value = serde_json::from_str(&created.body).unwrap();
    let path = link["path"].as_str().unwrap().to_string();

    // Anyone with the link reads the report, rendered on the server, with the numbers.
    let page = send(&app, Method::GET, &path, &[], None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-test=\"shared-report\""), "{}", &page.body[..page.body.len().min(500)]);
    assert!(page.body.contains("data-value=\"2500000\""), "the called amount is on the page");

    // Tampered: any character of the signature, or a later expiry with the old signature.
    let token = path.trim_start_matches("/share/");
    let mut tampered = token.to_string();
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    let (id, rest) = token.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let extended = format!("{id}.{}.{signature}", chrono::Utc::now().timestamp() + 10 * 365 * 86_400);
    for bad in [tampered, extended] {
        let refused = send(&app, Method::GET, &format!("/share/{bad}"), &[], None).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("data-test=\"share-refused\"") && refused.body.contains("not valid"));
    }
    // Expired: correctly signed, but past its expiry.
    let secret = app.store.server_secret(app::accounts::share_token::SECRET_NAME).await.unwrap();
    let expired = app::accounts::share_token::sign(&secret, id.parse().unwrap(), chrono::Utc::now() - chrono::Duration::minutes(1));
    let refused = send(&app, Method::GET, &format!("/share/{expired}"), &[], None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("expired"));

    // The link cannot write: not as a token, not as a session, and its page has no forms.
    assert!(!page.body.contains("<form"), "the shared report is read-only");
    let write = send(&app, Method::POST, &format!("/api/funds/{fund}/events"), &bearer(token), Some(("application/json", r#"{"events":[]}"#.into()))).await;
    assert_eq!(write.status, StatusCode::UNAUTHORIZED);
    let write = send(&app, Method::POST, &path, &[], Some(("application/json", "{}".into()))).await;
    assert!(write.status.is_client_error(), "{}", write.status);

    // Revoked: refused at once.
    let link_id = link["id"].as_str().unwrap();
    let revoked = send(&app, Method::POST, "/sfn/revoke_share_link", &[("cookie", cookie)], Some(("application/x-www-form-urlencoded", format!("fund_id={fund}&link_id={link_id}")))).await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let refused = send(&app, Method::GET, &path, &[], None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("revoked"));
}

#[tokio::test]
async fn an_idle_session_ends() {
    let app = common::spawn_with(&[("SESSION_IDLE_SECS", "1")]).await;
    let cookie = sign_in(&app, "owner@test.local", common::PASSWORD).await.unwrap();
    assert_eq!(send(&app, Method::GET, "/api/funds", &[("cookie", cookie.clone())], None).await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2_200)).await;
    assert_eq!(send(&app, Method::GET, "/api/funds", &[("cookie", cookie)], None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn events_record_who_wrote_them_from_where_and_with_what() {
    let app = common::spawn().await;
    let fund = app.fund(30).await;
    let body = r#"{"events":[{"type":"CAPITAL_CALLED","payload":{"amount":"1000"}}]}"#;
    let mut headers = bearer(&app.token);
    headers.push(("user-agent", "nightly-sync/2.1".into()));
    let res = send(&app, Method::POST, &format!("/api/funds/{fund}/events"), &headers, Some(("application/json", body.into()))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let metadata: serde_json::Value = sqlx::query_scalar("SELECT metadata FROM fund_events WHERE fund_id = $1 ORDER BY version DESC LIMIT 1")
        .bind(fund.parse::<uuid::Uuid>().unwrap())
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(metadata["actor"].as_str().unwrap().starts_with("owner@test.local (API token "), "{metadata}");
    assert_eq!(metadata["user_agent"], "nightly-sync/2.1");
    assert!(metadata["address"].is_string(), "{metadata}");
}

#[tokio::test]
async fn bad_server_function_input_is_a_4xx_naming_the_field_and_writes_nothing() {
    let app = common::spawn().await;
    let fund = app.fund(30).await;
    let token = bearer(&app.token);
    let cases = [
        ("/sfn/create_share_link", format!("fund_id={fund}&tab=nope"), StatusCode::UNPROCESSABLE_ENTITY, "tab:"),
        ("/sfn/create_share_link", format!("fund_id={fund}&tab=overview&expires_in_days=999"), StatusCode::UNPROCESSABLE_ENTITY, "expires_in_days:"),
        ("/sfn/create_share_link", format!("fund_id={fund}&tab=overview&at=soon"), StatusCode::UNPROCESSABLE_ENTITY, "at:"),
        ("/sfn/record_actual", format!("fund_id={fund}&company_id=x&metric=REVENUE&value=1&effective_date=2026-01-01"), StatusCode::UNPROCESSABLE_ENTITY, "company_id:"),
        ("/sfn/create_snapshot", "fund_id=nope&description=x".to_string(), StatusCode::BAD_REQUEST, "fund_id:"),
    ];
    for (path, args, status, field) in cases {
        let res = call_fn(&app, path, &args, &token).await;
        assert_eq!(res.status, status, "{path} {args}: {}", res.body);
        assert!(res.body.contains(field), "{path} {args}: {}", res.body);
    }
    assert_eq!(app.count("share_links").await, 0, "nothing written");
    assert_eq!(app.count("fund_snapshots WHERE description = 'x'").await, 0);
}
