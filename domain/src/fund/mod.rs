//! The fund aggregate: its events, its state, the projector (`evolve`) and the rules (`decide`).

pub mod decide;
pub mod events;
pub mod evolve;
pub mod kpis;
pub mod reversal;
pub mod state;
pub mod xirr;

pub use decide::decide;
pub use events::*;
pub use evolve::evolve;
pub use kpis::FundKpis;
pub use reversal::{decide_reversal, in_force, reversed_versions};
pub use state::*;
