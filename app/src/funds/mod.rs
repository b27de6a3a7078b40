//! Funds: the list the hub starts from, creating one, and the Overview's cross-feature panel.

mod create_fund;
mod get_overview_panel;
mod list_funds;

pub use create_fund::*;
pub use get_overview_panel::*;
pub use list_funds::*;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A fund as the fund switcher and the home page show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundListItem {
    pub id: Uuid,
    pub name: String,
    pub size: rust_decimal::Decimal,
    pub vintage: Option<i32>,
    pub events: u64,
}
