//! The OpenAPI document and the router cannot drift apart: every route of `api::routes` is in
//! the document with the method it is routed for, the document lists nothing that is not routed,
//! every path parameter is declared, and `/api/openapi.json` serves it to anyone.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use server::api::openapi::{operations, ApiDoc};
use tower::ServiceExt;
use utoipa::OpenApi;

#[tokio::test]
async fn every_route_of_the_router_is_documented_and_nothing_else() {
    let app = common::spawn().await;
    let mut routed: Vec<(Method, String)> = app
        .api_routes
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    let mut documented = operations(&ApiDoc::openapi());
    routed.sort_by(|a, b| (a.1.as_str(), a.0.as_str()).cmp(&(b.1.as_str(), b.0.as_str())));
    documented.sort_by(|a, b| (a.1.as_str(), a.0.as_str()).cmp(&(b.1.as_str(), b.0.as_str())));
    let missing: Vec<_> = routed.iter().filter(|r| !documented.contains(r)).collect();
    let stale: Vec<_> = documented.iter().filter(|d| !routed.contains(d)).collect();
    assert!(missing.is_empty(), "routes missing from the OpenAPI document (add #[utoipa::path] and list them in ApiDoc): {missing:?}");
    assert!(
        stale.is_empty(),
        "the OpenAPI document lists routes the router does not serve: {stale:?}"
    );
    assert!(
        routed.len() >= 40,
        "every feature's routes are in the table: {}",
        routed.len()
    );
}

#[tokio::test]
async fn the_document_is_served_to_anyone_as_openapi_3_1_with_every_parameter_declared() {
    let app = common::spawn().await;
    let res = app
        .router
        .clone()
        .oneshot(
            Request::get("/api/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/json");
    let doc: serde_json::Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(
        paths
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum::<usize>(),
        app.api_routes.len(),
        "served document: one operation per route"
    );
    for (path, item) in paths {
        let segments: Vec<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for (method, op) in item.as_object().unwrap() {
            let declared: Vec<&str> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "path")
                        .map(|p| p["name"].as_str().unwrap())
                        .collect()
                })
                .unwrap_or_default();
            for s in &segments {
                assert!(
                    declared.contains(s),
                    "{method} {path}: path parameter {s} is not declared"
                );
            }
            assert_eq!(
                declared.len(),
                segments.len(),
                "{method} {path}: declares path parameters it does not have"
            );
            if path == "/api/openapi.json" {
                continue;
            }
            for status in ["400", "401", "403", "404", "422", "503"] {
                assert!(
                    op["responses"].get(status).is_some(),
                    "{method} {path}: error answer {status} is not documented"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_feature_that_is_off_is_not_in_the_served_document() {
    let app = common::spawn_with(&[("FF_OPTIMAL_RESERVES", "false")]).await;
    let res = app
        .router
        .clone()
        .oneshot(
            Request::get("/api/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(
        paths.keys().all(|p| !p.contains("/reserves")),
        "{:?}",
        paths.keys().collect::<Vec<_>>()
    );
    assert!(paths.contains_key("/api/funds/{id}/events"));
}
