//! Accounts and sharing: who is signed in, their API tokens, and signed read-only report links.
//! Server functions here; the checks every server function makes are in `authorize` (server side).

pub mod page_data;

mod change_password;
mod create_api_token;
mod create_share_link;
mod get_session_user;
mod get_shared_report;
mod list_api_tokens;
mod list_audit_entries;
mod list_share_links;
mod members;
mod revoke_api_token;
mod revoke_share_link;

#[cfg(feature = "ssr")]
pub mod authorize;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod principal;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod share_token;

pub use change_password::*;
pub use create_api_token::*;
pub use create_share_link::*;
pub use get_session_user::*;
pub use get_shared_report::*;
pub use list_api_tokens::*;
pub use list_audit_entries::*;
pub use list_share_links::*;
pub use members::*;
pub use revoke_api_token::*;
pub use revoke_share_link::*;
