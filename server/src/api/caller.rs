use std::net::SocketAddr;

use app::store::EventMetadata;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// Who is calling, recorded with every event they write.
pub struct Caller(pub EventMetadata);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect::<String>());
        let address = header("x-forwarded-for")
            .and_then(|v| v.split(',').next().map(|s| s.trim().to_string()))
            .or_else(|| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()));
        Ok(Caller(EventMetadata { actor: Some("api".into()), address, user_agent: header("user-agent") }))
    }
}
