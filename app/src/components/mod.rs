//! Reusable view pieces and formatting.

pub mod accounts;
pub mod format;
pub mod fragment;
pub mod html;
pub mod ledger;
pub mod live_page;
pub mod overview_panel;
pub mod reserves;
pub mod theme_toggle;
pub mod time_machine;
pub mod variance;
