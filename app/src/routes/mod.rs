//! Pages, one file (or folder) per route.

pub mod account;
pub mod fund;
pub mod home;
pub mod login;
pub mod not_found;
pub mod share;
