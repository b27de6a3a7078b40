//! Fundlens's pure core: money, events, the projector (`evolve`), commands (`decide`), variance and the
//! reserve engine. No web, database or async runtime here, so it builds and tests in seconds.

pub mod reserves;
