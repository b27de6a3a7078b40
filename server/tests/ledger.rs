//! The fund ledger over HTTP on real PostgreSQL (issue 16): the template into a new fund, bad rows
//! all listed with nothing written, preview equal to what the import stores, the browser's upload
//! → preview page → confirm, export → import into a new fund equal at 20 dates, 10,000 rows in one
//! transaction.

mod common;

use std::time::Instant;

use app::store::AuditActor;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, Duration, Utc};
use domain::access::Role;
use domain::ledger::LEDGER_TEMPLATE;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// A fund of $50M whose first close is 2024-01-01 (before the template's first row).
async fn fund_from_2024(app: &common::TestApp) -> String {
    let (s, v) = app.post("/api/funds", serde_json::json!({"name": "Ledger Fund", "size": "50000000", "effective_at": "2024-01-01T00:00:00Z"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_str().unwrap().to_string()
}

async fn version(app: &common::TestApp, fund: &str) -> u64 {
    app.store.fund_version(fund.parse().unwrap()).await.unwrap()
}

async fn get_text(app: &common::TestApp, uri: &str) -> (StatusCode, String) {
    let req = Request::get(uri).header("authorization", format!("Bearer {}", app.token)).body(Body::empty()).unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    (status, String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned())
}

#[tokio::test]
async fn the_template_is_previewed_then_imported_and_the_preview_is_what_is_stored() {
    let app = common::spawn().await;
    let fund = fund_from_2024(&app).await;
    let (s, template) = get_text(&app, &format!("/api/funds/{fund}/ledger/template.csv")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(template, LEDGER_TEMPLATE);

    // A row that does not read: listed, nothing written. The cells are read first; once every cell
    // reads, the rules are checked against the fund, every broken one listed.
    let unreadable = template.replacen("investment,2024-02-10,Bolt Energy,4000000", "investment,2024-02-10,Bolt Energy,4,000,000", 1);
    let broken = template.replacen("capital_call,2024-09-01,,5000000", "capital_call,2024-09-01,,500000000", 1).replacen(
        "Bolt Energy,4000000,25000000",
        "Bolt Energy,4000000,2500000",
        1,
    );
    for (file, expected) in [(unreadable, vec![(7, "row")]), (broken, vec![(7, "post_money"), (10, "amount")])] {
        let (s, v) = app.send_raw("POST", &format!("/api/funds/{fund}/ledger/import"), "text/csv", file).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let rows: Vec<(u64, String)> =
            v["rows"].as_array().unwrap().iter().map(|r| (r["line"].as_u64().unwrap(), r["column"].as_str().unwrap().to_string())).collect();
        let expected: Vec<(u64, String)> = expected.into_iter().map(|(l, c)| (l, c.to_string())).collect();
        assert_eq!(rows, expected, "{v}");
        assert_eq!(version(&app, &fund).await, 1, "nothing written");
    }

    let (s, preview) = app.send_raw("POST", &format!("/api/funds/{fund}/ledger/preview"), "text/csv", template.clone()).await;
    assert_eq!(s, StatusCode::OK, "{preview}");
    assert_eq!(version(&app, &fund).await, 1, "a preview writes nothing");
    let (s, outcome) = app.send_raw("POST", &format!("/api/funds/{fund}/ledger/import"), "text/csv", template.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{outcome}");
    assert_eq!(outcome["imported"], 13);
    assert_eq!(outcome["preview"], preview);
    assert_eq!(version(&app, &fund).await, 14);

    let (s, state) = app.get(&format!("/api/funds/{fund}/state?at=2025-04-15T00:00:00Z")).await;
    assert_eq!(s, StatusCode::OK, "{state}");
    for (key, value) in preview["kpis"].as_object().unwrap() {
        assert_eq!(&state["state"][key], value, "{key}: the stored fund is the previewed one");
    }

    // Importing the same file again is refused: the companies already exist.
    let (s, v) = app.send_raw("POST", &format!("/api/funds/{fund}/ledger/import"), "text/csv", template).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["rows"][0]["column"], "company", "{v}");
    assert_eq!(version(&app, &fund).await, 14);
}

#[tokio::test]
async fn refused_requests_name_the_field() {
    let app = common::spawn().await;
    let fund = fund_from_2024(&app).await;
    let (s, v) = app.send_raw("POST", &format!("/api/funds/{fund}/ledger/import"), "application/json", "{}".into()).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::BAD_REQUEST, Some("content-type")), "{v}");
    let (s, v) = app.send_raw("POST", &format!("/api/funds/{fund}/ledger/uploads"), "text/csv", "type\n".into()).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::BAD_REQUEST, Some("content-type")), "{v}");
    let (s, v) = app.send_raw("POST", &format!("/api/funds/{fund}/ledger/uploads"), "multipart/form-data; boundary=X", "--X\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--X--\r\n".into()).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::BAD_REQUEST, Some("file")), "{v}");
    let (s, v) = app.send_raw("POST", &format!("/api/funds/{fund}/ledger/uploads"), "multipart/form-data; boundary=X", "--X\r\nbroken".into()).await;
    assert_eq!((s, v["field"].as_str()), (StatusCode::BAD_REQUEST, Some("file")), "{v}");
    let (s, v) = app.send_raw("POST", &format!("/api/funds/{fund}/ledger/preview"), "text/csv", "\u{feff}type,effective_date\n".into()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(app.count("ledger_uploads").await, 0);
}

fn multipart(file_name: &str, body: &str) -> (String, String) {
    let boundary = "----fundlens-test-boundary";
    (
        format!("multipart/form-data; boundary={boundary}"),
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n{body}\r\n--{boundary}--\r\n"),
    )
}

#[tokio::test]
async fn an_upload_leads_to_its_preview_page_and_confirming_imports_it_once() {
    let _serial = common::one_at_a_time();
    let app = common::spawn().await;
    let fund = fund_from_2024(&app).await;
    let bad = LEDGER_TEMPLATE.replacen("Seed,Robotics", "Series Q,Robotics", 1);
    let (content_type, body) = multipart("C:\\Users\\cfo\\ledger v1.csv", &bad);
    let (s, v) = app.send_raw("POST", &format!("/api/funds/{fund}/ledger/uploads"), &content_type, body).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{v}");
    let page = v["preview_page"].as_str().unwrap().to_string();
    let upload_id = v["upload_id"].as_str().unwrap().to_string();
    assert_eq!(page, format!("/funds/{fund}/import/{upload_id}"));

    let (s, html) = get_text(&app, &page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("ledger v1.csv"), "the file's name without its path");
    assert!(html.contains(r#"data-test="row-errors""#) && html.contains(r#"data-line="3""#) && html.contains("Series Q"), "{html}");
    assert!(!html.contains(r#"data-test="confirm-import""#));
    let (s, body) = app.call_server_fn("confirm_ledger_import", &app.token, &format!("fund_id={fund}&upload_id={upload_id}")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(version(&app, &fund).await, 1);

    let (content_type, body) = multipart("ledger.csv", LEDGER_TEMPLATE);
    let (_, v) = app.send_raw("POST", &format!("/api/funds/{fund}/ledger/uploads"), &content_type, body).await;
    let upload_id = v["upload_id"].as_str().unwrap().to_string();
    let (s, html) = get_text(&app, v["preview_page"].as_str().unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(r#"data-test="ledger-preview""#) && html.contains(r#"data-test="confirm-import""#), "{html}");
    assert!(html.contains("Acme Robotics") && html.contains("Bolt Energy"));
    assert_eq!(version(&app, &fund).await, 1, "the page writes nothing");

    let (s, body) = app.call_server_fn("confirm_ledger_import", &app.token, &format!("fund_id={fund}&upload_id={upload_id}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(version(&app, &fund).await, 14);
    let (s, _) = app.call_server_fn("confirm_ledger_import", &app.token, &format!("fund_id={fund}&upload_id={upload_id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "an upload is imported once");
    assert_eq!(version(&app, &fund).await, 14);

    // Another fund's upload is not found through this fund.
    let other = fund_from_2024(&app).await;
    let (content_type, body) = multipart("ledger.csv", LEDGER_TEMPLATE);
    let (_, v) = app.send_raw("POST", &format!("/api/funds/{other}/ledger/uploads"), &content_type, body).await;
    let (s, _) = app.call_server_fn("get_ledger_upload", &app.token, &format!("fund_id={fund}&upload_id={}", v["upload_id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn export_then_import_into_a_new_fund_gives_the_same_kpis_at_20_dates() {
    let app = common::spawn().await;
    let now = Utc::now();
    let demo = app.store.seed_demo_if_empty(now).await.unwrap().unwrap();
    let actor = AuditActor { user_id: None, token_id: None, address: None };
    app.store.grant_role(&actor, demo, app.owner.id, Role::Admin).await.unwrap();
    let (s, ledger) = get_text(&app, &format!("/api/funds/{demo}/ledger.csv")).await;
    assert_eq!(s, StatusCode::OK);

    let (_, source) = app.get(&format!("/api/funds/{demo}")).await;
    let first_close = source["first_effective_at"].clone();
    let size: rust_decimal::Decimal = source["size"].as_str().unwrap().parse().unwrap();
    let (s, v) = app.post("/api/funds", serde_json::json!({"name": "Demo copy", "size": size.normalize().to_string(), "effective_at": first_close})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let copy = v["id"].as_str().unwrap().to_string();
    let started = Instant::now();
    let (s, outcome) = app.send_raw("POST", &format!("/api/funds/{copy}/ledger/import"), "text/csv", ledger.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{outcome}");
    eprintln!("imported {} rows of the demo fund in {:?}", outcome["imported"], started.elapsed());

    let start: DateTime<Utc> = serde_json::from_value(first_close).unwrap();
    let span = (now - start).num_seconds() as u64;
    let mut x: u64 = 20_261_202;
    for _ in 0..20 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let at = (start + Duration::seconds(((x >> 33) % span) as i64)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (_, a) = app.get(&format!("/api/funds/{demo}/state?at={at}")).await;
        let (_, b) = app.get(&format!("/api/funds/{copy}/state?at={at}")).await;
        assert!(a["state"]["nav"].is_string(), "{a}");
        assert_eq!(comparable(&a["state"]), comparable(&b["state"]), "the fund at {at}");
    }
    let (_, again) = get_text(&app, &format!("/api/funds/{copy}/ledger.csv")).await;
    assert_eq!(again, ledger, "the copy exports the same ledger");
}

/// A state as the API answers it, without what differs between two funds with the same history:
/// their names and the companies' ids.
fn comparable(state: &Value) -> Value {
    let mut s = state.clone();
    s.as_object_mut().unwrap().remove("name");
    for c in s["companies"].as_array_mut().unwrap() {
        c.as_object_mut().unwrap().remove("id");
    }
    s
}

#[tokio::test]
async fn ten_thousand_rows_import_in_one_transaction() {
    let app = common::spawn().await;
    let (s, v) = app.post("/api/funds", serde_json::json!({"name": "Big ledger", "size": "1000000000", "effective_at": "2020-01-01T00:00:00Z"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let fund = v["id"].as_str().unwrap().to_string();
    let mut csv = String::from("type,effective_date,company,amount,post_money,ownership,stage,metric,period,value\n");
    let companies = 100;
    for c in 0..companies {
        csv.push_str(&format!("company,2020-01-02,Company {c},,,,Seed,,,\n"));
    }
    csv.push_str("capital_call,2020-01-03,,500000000,,,,,,\n");
    let mut rows = companies + 1;
    for c in 0..companies {
        csv.push_str(&format!("investment,2020-01-04,Company {c},1000000,5000000,0.2,,,,\n"));
        rows += 1;
    }
    let base = chrono::NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
    let mut month = 0;
    while rows < 10_000 {
        let day = base + chrono::Months::new(month / 2);
        for c in 0..companies {
            if rows >= 10_000 {
                break;
            }
            let metric = if month % 2 == 0 { "REVENUE" } else { "ARR" };
            csv.push_str(&format!("actual,{day},Company {c},,,,,{metric},{day},{}\n", 10_000 + c * 100 + month as usize));
            rows += 1;
        }
        month += 1;
    }
    assert_eq!(csv.lines().count(), 10_001);
    let started = Instant::now();
    let (s, outcome) = app.send_raw("POST", &format!("/api/funds/{fund}/ledger/import"), "text/csv", csv.clone()).await;
    let took = started.elapsed();
    assert_eq!(s, StatusCode::CREATED, "{outcome}");
    assert_eq!(outcome["imported"], 10_000);
    eprintln!("10,000 ledger rows imported in {took:?}");
    assert_eq!(version(&app, &fund).await, 10_001);

    // One bad row among 10,000: refused whole.
    let (s, _) = app.post("/api/funds", serde_json::json!({"name": "Big ledger 2", "size": "1000000000", "effective_at": "2020-01-01T00:00:00Z"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, funds) = app.get("/api/funds").await;
    let second = funds.as_array().unwrap().iter().find(|f| f["name"] == "Big ledger 2").unwrap()["id"].as_str().unwrap().to_string();
    let broken = csv.replacen("Company 7,,,,,REVENUE", "Company 7,,,,,GMV", 1);
    let (s, v) = app.send_raw("POST", &format!("/api/funds/{second}/ledger/import"), "text/csv", broken).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["rows"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(version(&app, &second).await, 1);
}

#[tokio::test]
async fn the_event_forms_record_one_event_and_name_the_field_at_fault() {
    let app = common::spawn().await;
    let fund = fund_from_2024(&app).await;
    let (s, _) = app.send_raw("POST", &format!("/api/funds/{fund}/ledger/import"), "text/csv", LEDGER_TEMPLATE.to_string()).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, companies) = app.call_server_fn("list_fund_companies", &app.token, &format!("fund_id={fund}")).await;
    let companies: Value = serde_json::from_str(&companies).unwrap();
    let acme = companies.as_array().unwrap().iter().find(|c| c["name"] == "Acme Robotics").unwrap()["id"].as_str().unwrap().to_string();

    let refused = [
        (format!("fund_id={fund}&kind=capital_call&effective_date=2025-06-30&amount=99000000"), "amount: exceeds the uncalled commitment"),
        (format!("fund_id={fund}&kind=valuation&effective_date=2025-06-30&company={acme}&post_money=1%2C000"), "post_money:"),
        (format!("fund_id={fund}&kind=valuation&effective_date=2025-06-30&company={acme}&post_money=100&amount=5"), "amount: is not used"),
        (format!("fund_id={fund}&kind=merger&effective_date=2025-06-30"), "kind:"),
        (format!("fund_id={fund}&kind=capital_call&effective_date=2099-01-01&amount=1"), "effective_date: cannot be in the future"),
        (format!("fund_id={fund}&kind=valuation&effective_date=2025-06-30&company={}&post_money=100", uuid::Uuid::nil()), "company:"),
        (format!("fund_id={fund}&kind=reserve_assumptions&effective_date=2025-06-30"), "kind:"),
    ];
    for (form, expected) in refused {
        let (s, body) = app.call_server_fn("record_event", &app.token, &form).await;
        assert!(s.is_client_error(), "{form}: {s} {body}");
        assert!(body.contains(expected), "{form}: {body}");
    }
    assert_eq!(version(&app, &fund).await, 14, "nothing written");

    let (s, body) = app.call_server_fn("record_event", &app.token, &format!("fund_id={fund}&kind=valuation&effective_date=2025-06-30&company={acme}&post_money=60000000&ownership=&stage=")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body, "15");
    let (_, state) = app.get(&format!("/api/funds/{fund}/state?at=2025-06-30")).await;
    assert_eq!(state["state"]["nav"], "13200000.00", "{state}");
    let (s, body) = app.call_server_fn("record_event", &app.token, &format!("fund_id={fund}&kind=company&effective_date=2025-07-01&company=New%2C+Inc.&stage=seed&sector=")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (_, companies) = app.call_server_fn("list_fund_companies", &app.token, &format!("fund_id={fund}")).await;
    assert!(companies.contains("New, Inc."), "a comma stays in the name: {companies}");
}
