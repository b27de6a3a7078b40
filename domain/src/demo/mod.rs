//! Deterministic demo fund generator.
