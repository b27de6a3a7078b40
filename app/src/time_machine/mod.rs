//! The Time Machine: the fund at any past date, as known at any time.

pub mod dates;
pub mod page_data;
pub mod view;

mod correct_event;
mod create_snapshot;
mod get_dated_view;
mod get_fund_meta;
mod list_fund_companies;
mod list_snapshots;
mod record_event;
#[cfg(feature = "ssr")]
pub mod service;

pub use correct_event::*;
pub use create_snapshot::*;
pub use get_dated_view::*;
pub use get_fund_meta::*;
pub use list_fund_companies::*;
pub use list_snapshots::*;
pub use record_event::*;
