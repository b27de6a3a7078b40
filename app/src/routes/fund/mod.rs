//! The fund hub: one route per tab, all sharing the hub header.

pub mod hub_header;
pub mod overview;
pub mod placeholder;
pub mod time_machine;

pub use hub_header::{HubHeader, Tab};
