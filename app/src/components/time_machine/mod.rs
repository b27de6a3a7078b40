//! View pieces of the Time Machine and Overview tabs.

pub mod company_table;
pub mod correct_form;
pub mod date_form;
pub mod date_slider;
pub mod event_forms;
pub mod diff_table;
pub mod events_list;
pub mod kpi_cards;
pub mod nav_chart;
pub mod snapshots_panel;
