use app::accounts::authorize::ClientAddress;
use app::accounts::principal::Principal;
use app::store::EventMetadata;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::error::ApiError;

/// Who is calling, recorded with every event they write: the user (and token), their address and
/// user agent.
pub struct Caller(pub EventMetadata);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let user_agent = parts.headers.get("user-agent").and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect::<String>());
        let address = parts.extensions.get::<ClientAddress>().map(|a| a.0.clone());
        let actor = parts.extensions.get::<Principal>().map(Principal::actor);
        Ok(Caller(EventMetadata { actor, address, user_agent }))
    }
}

/// The signed-in caller (session or API token); 401 without one. Route access is checked before
/// handlers run (`auth::access`); this gives handlers the identity.
pub struct SignedIn(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Principal>().cloned().map(SignedIn).ok_or_else(|| ApiError::Unauthorized { message: "sign in (or send an API token) to continue".into() })
    }
}
