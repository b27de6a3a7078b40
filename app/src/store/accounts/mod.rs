//! Accounts: users, fund members, API tokens, sessions, failed logins, share links and the
//! secrets the server processes share. Every accounts query lives in this folder.

mod access_cache;
mod api_tokens;
mod login_failures;
mod members;
mod secrets;
mod sessions;
mod share_links;
mod users;

pub(crate) use access_cache::{notify_access_changed, AccessCache};
pub use access_cache::ACCESS_CHANNEL;
pub use api_tokens::{ApiTokenInfo, TokenOwner};
pub use login_failures::{LoginBlock, LoginThrottle};
pub use members::Member;
pub use sessions::SessionRecord;
pub use share_links::ShareLink;
pub use users::User;
