//! Fundlens's pure core: money, events, the projector (`evolve`), commands (`decide`), variance and the
//! reserve engine. No web, database or async runtime here, so it builds and tests in seconds.

#[cfg(feature = "engine")]
pub mod demo;
pub mod access;
pub mod amount;
mod csv_file;
pub mod dates;
pub mod error;
pub mod fund;
pub mod ledger;
pub mod reserves;
mod stage_name;
pub mod time_machine;
pub mod variance;

pub use error::DomainError;
