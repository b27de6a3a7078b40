//! "New fund" in the browser (issue 16): the home page's form posts to the `create_fund` server
//! function; the creator becomes the fund's admin; bad input is a 4xx naming the field and
//! creates nothing.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::access::Role;
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn fund_count(app: &common::TestApp) -> usize {
    app.store.funds_for_user(app.owner.id).await.unwrap().len()
}

#[tokio::test]
async fn a_signed_in_user_creates_a_fund_and_becomes_its_admin() {
    let app = common::spawn().await;
    let (status, body) = app.call_server_fn("create_fund", &app.token, "name=Acme+Ventures+II&size=50000000&vintage=2024&first_close=2024-01-15").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(created["name"], "Acme Ventures II");
    assert_eq!(created["size"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap(), rust_decimal::Decimal::from(50_000_000));
    assert_eq!(created["vintage"], 2024);
    let id: uuid::Uuid = created["id"].as_str().unwrap().parse().unwrap();

    let funds = app.store.funds_for_user(app.owner.id).await.unwrap();
    let fund = funds.iter().find(|f| f.id == id).expect("the creator sees the fund");
    assert_eq!(fund.first_effective_at.unwrap().to_rfc3339(), "2024-01-15T00:00:00+00:00", "the history starts at the first close");
    let members = app.store.members(id).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!((members[0].user_id, members[0].role), (app.owner.id, Role::Admin));

    // Without a first close the history starts now; vintage is optional.
    let (status, body) = app.call_server_fn("create_fund", &app.token, "name=Seed+Fund&size=1000000.50&vintage=&first_close=").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(fund_count(&app).await, 2);

    // The home page offers the form and lists the funds in a live region.
    let req = Request::get("/").header("authorization", format!("Bearer {}", app.token)).body(Body::empty()).unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    let page = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    assert!(page.contains(r#"data-test="new-fund""#), "{page}");
    assert!(page.contains(r#"data-live="funds""#));
    assert!(page.contains("Acme Ventures II") && page.contains("Seed Fund"));
}

#[tokio::test]
async fn bad_fund_input_names_the_field_and_creates_nothing() {
    let app = common::spawn().await;
    let cases = [
        ("name=&size=1000", StatusCode::UNPROCESSABLE_ENTITY, "name"),
        ("name=%20%20&size=1000", StatusCode::UNPROCESSABLE_ENTITY, "name"),
        (&format!("name={}&size=1000", "x".repeat(201)), StatusCode::UNPROCESSABLE_ENTITY, "name"),
        ("name=A%00B&size=1000", StatusCode::UNPROCESSABLE_ENTITY, "name"),
        ("name=A&size=", StatusCode::BAD_REQUEST, "size"),
        ("name=A&size=1_000", StatusCode::BAD_REQUEST, "size"),
        ("name=A&size=1E5", StatusCode::BAD_REQUEST, "size"),
        ("name=A&size=100%2C000", StatusCode::BAD_REQUEST, "size"),
        ("name=A&size=0", StatusCode::UNPROCESSABLE_ENTITY, "size"),
        ("name=A&size=-5", StatusCode::UNPROCESSABLE_ENTITY, "size"),
        ("name=A&size=1000&vintage=twenty", StatusCode::BAD_REQUEST, "vintage"),
        ("name=A&size=1000&vintage=99999999999", StatusCode::BAD_REQUEST, "vintage"),
        ("name=A&size=1000&vintage=1800", StatusCode::UNPROCESSABLE_ENTITY, "vintage"),
        ("name=A&size=1000&first_close=2024-13-01", StatusCode::BAD_REQUEST, "first_close"),
        ("name=A&size=1000&first_close=1850-01-01", StatusCode::BAD_REQUEST, "first_close"),
    ];
    for (form, status, field) in cases {
        let (got, body) = app.call_server_fn("create_fund", &app.token, form).await;
        assert_eq!(got, status, "{form}: {body}");
        assert!(body.contains(field), "{form}: the error names {field}: {body}");
    }
    assert_eq!(fund_count(&app).await, 0, "nothing was created");
}

#[tokio::test]
async fn a_read_only_token_cannot_create_a_fund() {
    let app = common::spawn().await;
    let (_, viewer_token) = app.store.create_api_token(app.owner.id, "read only", Role::Viewer).await.unwrap();
    let (status, body) = app.call_server_fn("create_fund", &viewer_token, "name=A&size=1000").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("capped at viewer"), "{body}");
    assert_eq!(fund_count(&app).await, 0);
}
