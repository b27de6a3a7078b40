//! The fund hub: one route per tab, all sharing the hub header.

pub mod alerts;
pub mod audit;
pub mod hub_header;
pub mod import;
pub mod members;
pub mod overview;
pub mod reserves;
pub mod time_machine;
pub mod variance;

pub use hub_header::{HubHeader, Tab};
