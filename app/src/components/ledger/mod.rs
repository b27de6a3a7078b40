//! The ledger import pages' pieces.

pub mod format_table;
pub mod preview_panel;
pub mod row_errors;
pub mod upload_form;
