//! Sign-in, sessions, API tokens and the checks every request passes: who is calling
//! (`principal`), cross-site request refusal (`csrf`), login for pages (`page_guard`) and the
//! role each REST route needs (`access`).

pub mod access;
pub mod backend;
pub mod csrf;
pub mod login;
pub mod page_guard;
pub mod principal;
pub mod session_store;

use tower_sessions::cookie::time::Duration;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::AuthConfig;
pub use backend::{Backend, SessionAccount};
pub use session_store::PgSessionStore;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "fundlens_session";

/// Sessions in PostgreSQL; HttpOnly, SameSite=Lax, Secure unless configured off; they end after
/// `session_idle_secs` without a request (the absolute limit is checked in `principal`).
pub fn session_layer(store: app::store::Store, config: &AuthConfig) -> SessionManagerLayer<PgSessionStore> {
    SessionManagerLayer::new(PgSessionStore::new(store))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.cookie_secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(Duration::seconds(config.session_idle_secs as i64)))
}
