//! Who may do what in a fund: roles ordered by what they allow.

mod role;

pub use role::Role;
