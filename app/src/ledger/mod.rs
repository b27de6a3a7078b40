//! The fund ledger in the browser and the API: export a fund's history as one spreadsheet, upload
//! one, see what the fund would look like, then import it (domain::ledger holds the format).

pub mod page_data;

mod confirm_ledger_import;
mod get_ledger_upload;
#[cfg(feature = "ssr")]
pub mod service;

pub use confirm_ledger_import::*;
pub use get_ledger_upload::*;
