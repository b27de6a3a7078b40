//! Fundlens's web application: Leptos pages and server functions, plus (server side only) the
//! PostgreSQL store and services they call.

#[cfg(feature = "ssr")]
pub mod store;
