//! Optimal Reserves: reserve runs requested through the API and the Reserves tab (server side).
//!
//! A request is resolved into a [`run_spec::RunSpec`] (dates, iterations, increment, seed), then
//! into the engine's input for the fund as those dates see it; an identical request is answered
//! from the in-process cache or from a stored result, otherwise a durable run is queued and a
//! background worker (any server process) executes it.

#[cfg(feature = "ssr")]
pub mod run_spec;
#[cfg(feature = "ssr")]
pub mod service;
