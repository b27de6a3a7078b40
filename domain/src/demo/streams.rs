//! Random streams of the generator, each derived only from (seed, company, kind of draw).
//!
//! A company's history reads only its own streams, so adding companies (the large fund calibrates
//! its company count) or changing one company's path never shifts another company's draws.
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64Mcg;

/// The company's life: stage, entry, rounds, outcome.
pub(crate) const LIFE: u64 = 1;
/// Quarterly marks, operating metrics and when they are recorded.
pub(crate) const OPS: u64 = 2;
/// The company's name.
pub(crate) const NAME: u64 = 3;
/// Fund-level draws: recording times of deals, call and distribution dates.
pub(crate) const FUND: u64 = 4;

/// Which best performers are sold when a history has too few exits.
pub(crate) const FORCED_EXITS: u64 = 5;

/// The stream index used for fund-level draws (no company has it).
pub(crate) const FUND_INDEX: u64 = u64::MAX;

/// Sebastiano Vigna's splitmix64 finaliser: spreads structured inputs over 64 bits.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(crate) fn stream(seed: u64, index: u64, kind: u64) -> Pcg64Mcg {
    let base = splitmix64(splitmix64(splitmix64(seed) ^ index) ^ kind.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let state = (u128::from(splitmix64(base)) << 64) | u128::from(splitmix64(base ^ 0xA5A5_A5A5_A5A5_A5A5));
    Pcg64Mcg::new(state)
}

/// Uniform in [lo, hi).
#[inline]
pub(crate) fn uniform(rng: &mut Pcg64Mcg, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

#[inline]
pub(crate) fn normal(rng: &mut Pcg64Mcg) -> f64 {
    StandardNormal.sample(rng)
}

/// Lognormal with the given median and log-sigma.
#[inline]
pub(crate) fn lognormal(rng: &mut Pcg64Mcg, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(rng)).exp()
}

#[inline]
pub(crate) fn chance(rng: &mut Pcg64Mcg, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// A whole number of days in [lo, hi].
#[inline]
pub(crate) fn days_between(rng: &mut Pcg64Mcg, lo: u64, hi: u64) -> u64 {
    rng.random_range(lo..=hi)
}

/// An RFC 4122 random-format id whose bits come from the stream (so it is reproducible).
pub(crate) fn uuid(rng: &mut Pcg64Mcg) -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rng.random::<u128>().to_le_bytes()).into_uuid()
}
