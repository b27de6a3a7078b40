//! Variance tracking: forecast versus actual per company and metric, alerts and their inbox.

pub mod page_data;

mod get_forecast_series;
mod get_variance_page;
mod get_variance_view;
mod list_alerts;
mod mark_alert_read;
mod mark_alerts_read;
mod record_actual;
mod resolve_alert;
mod unread_count;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod table_page;

pub use get_forecast_series::*;
pub use get_variance_page::*;
pub use get_variance_view::*;
pub use list_alerts::*;
pub use mark_alert_read::*;
pub use mark_alerts_read::*;
pub use record_actual::*;
pub use resolve_alert::*;
pub use unread_count::*;
