//! Pages, one file (or folder) per route.

pub mod fund;
pub mod home;
pub mod not_found;
