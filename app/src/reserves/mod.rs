//! Optimal Reserves: reserve runs requested through the API and the Reserves tab.
//!
//! A request is resolved into a [`run_spec::RunSpec`] (dates, iterations, increment, seed), then
//! into the engine's input for the fund as those dates see it; an identical request is answered
//! from the in-process cache or from a stored result, otherwise a durable run is queued and a
//! background worker (any server process) executes it.

#[cfg(feature = "ssr")]
pub mod actions;
mod apply_reserve_recommendation;
mod cancel_reserve_run;
#[cfg(feature = "ssr")]
pub mod csv_export;
mod get_reserves_page;
#[cfg(feature = "ssr")]
pub mod page;
pub mod page_data;
#[cfg(feature = "ssr")]
pub mod run_spec;
#[cfg(feature = "ssr")]
pub mod service;
mod save_reserve_scenario;
mod set_reserve_assumptions;
mod start_reserve_run;

pub use apply_reserve_recommendation::*;
pub use cancel_reserve_run::*;
pub use save_reserve_scenario::*;
pub use set_reserve_assumptions::*;
pub use get_reserves_page::*;
pub use start_reserve_run::*;

/// Server settings the reserve server functions read from the Leptos context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReserveSettings {
    /// MONTE_CARLO_ITERATIONS: a run's iterations when the request gives none.
    pub default_iterations: u32,
}

impl Default for ReserveSettings {
    fn default() -> Self {
        ReserveSettings { default_iterations: 10_000 }
    }
}
