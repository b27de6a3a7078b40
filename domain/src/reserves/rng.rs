//! Random streams for one simulated path, derived only from (seed, company, iteration, kind of draw).
//!
//! Deriving every stream from its coordinates, instead of handing out a shared generator, is what
//! makes a run independent of thread count and scheduling. Each kind of draw has its own stream, so
//! the n-th step-up of a path is the same whatever cheques or outcomes came before it.
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg32;

/// The kinds of draw a path makes; each one reads only its own stream.
#[derive(Debug, Clone, Copy)]
enum DrawKind {
    Outcome = 0,
    StepUp = 1,
    Dilution = 2,
    ExitMultiple = 3,
}

/// Sebastiano Vigna's splitmix64 finaliser: turns structured inputs (small integers, neighbouring
/// iterations) into well-spread 64-bit states.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable key for a company (64-bit FNV-1a of its id): results follow the company, not its
/// position in the input list.
pub(crate) fn company_key(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Salt for the independent arm's seed: the fractional bits of √2, a constant with no structure that
/// could line up with the seeds users pick.
const INDEPENDENT_ARM_SALT: u64 = 0x6A09_E667_F3BC_C909;

/// The seed an independent second arm uses, so its paths share nothing with the first arm's.
pub(crate) fn independent_arm_seed(seed: u64) -> u64 {
    splitmix64(seed ^ INDEPENDENT_ARM_SALT)
}

/// The four streams of one path.
pub(crate) struct PathStreams {
    outcome: Pcg32,
    step_up: Pcg32,
    dilution: Pcg32,
    exit_multiple: Pcg32,
}

impl PathStreams {
    pub(crate) fn new(seed: u64, company: u64, iteration: u64) -> Self {
        let path = splitmix64(splitmix64(splitmix64(seed) ^ company) ^ iteration);
        // PCG streams that share a state are correlated, so each kind gets its own state as well as
        // its own stream (increment).
        let stream = |kind: DrawKind| {
            let k = kind as u64;
            Pcg32::new(
                splitmix64(path ^ (k + 1).wrapping_mul(0xD1B5_4A32_D192_ED03)),
                k,
            )
        };
        PathStreams {
            outcome: stream(DrawKind::Outcome),
            step_up: stream(DrawKind::StepUp),
            dilution: stream(DrawKind::Dilution),
            exit_multiple: stream(DrawKind::ExitMultiple),
        }
    }

    /// Uniform in [0, 1) deciding graduate / exit / fail.
    #[inline]
    pub(crate) fn outcome(&mut self) -> f64 {
        unit(&mut self.outcome)
    }

    /// Standard normal driving the log step-up.
    #[inline]
    pub(crate) fn step_up(&mut self) -> f64 {
        StandardNormal.sample(&mut self.step_up)
    }

    /// Uniform in [0, 1) placing the round's dilution in its range.
    #[inline]
    pub(crate) fn dilution(&mut self) -> f64 {
        unit(&mut self.dilution)
    }

    /// Standard normal driving the log exit multiple.
    #[inline]
    pub(crate) fn exit_multiple(&mut self) -> f64 {
        StandardNormal.sample(&mut self.exit_multiple)
    }
}

/// 53 random bits as a float in [0, 1).
#[inline]
fn unit(rng: &mut Pcg32) -> f64 {
    use rand::Rng;
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}
