//! Sign-in status, sharing and API tokens.

pub mod audit_table;
pub mod members_panel;
pub mod password_panel;
pub mod share_panel;
pub mod token_panel;
pub mod user_menu;
