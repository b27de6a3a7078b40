//! The Time Machine: the fund at any past date, as known at any time.

pub mod view;
