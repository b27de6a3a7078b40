//! Bitemporal reads: the fund as of a business date, as known at a recorded time, and what changed
//! between two dates.

pub mod diff;
pub mod replay;
pub mod series;
pub mod validate;

pub use diff::{diff, CompanyChange, KpiChange, StateDiff};
pub use replay::{canonical_cmp, replay, state_at, SnapshotMeta};
pub use series::{sample, SeriesPoint};
