//! View pieces of the Variance tab and the alert inbox.

pub mod accuracy_table;
pub mod alert_list;
pub mod filters_form;
pub mod forecast_chart;
pub mod heat_map;
pub mod labels;
pub mod record_actual_form;
pub mod unread_badge;
pub mod variance_table;
