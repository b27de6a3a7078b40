use app::accounts::authorize::event_metadata_of;
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
        Ok(Caller(event_metadata_of(parts)))
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
