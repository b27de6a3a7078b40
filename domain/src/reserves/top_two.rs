//! How likely the first-ranked company's next dollar earns more than the second's
//! (docs/reserves-model.md, "Top two").
use std::sync::atomic::{AtomicBool, Ordering};

#[cfg(feature = "parallel")]
use rayon::prelude::*;

use super::company_sums::{arms, CompanyPlan};
use super::error::ReserveError;
use super::path::{draw_path, CompiledModel, ReserveSchedule};
use super::rng::{independent_arm_seed, PathStreams};
use super::run_params::ArmPairing;

/// Iterations per unit of work; fixed, so sums combine in the same order on any thread count.
const CHUNK: u32 = 2_000;

/// Sums over iterations of x = (D₁, C₁, D₂, C₂) and of x xᵀ, the per-iteration follow-on gains
/// and extra deployment of the two companies on shared paths.
#[derive(Debug, Clone, Copy, Default)]
struct PairedSums {
    n: f64,
    sum: [f64; 4],
    products: [[f64; 4]; 4],
}

impl PairedSums {
    fn add(&mut self, x: [f64; 4]) {
        self.n += 1.0;
        for i in 0..4 {
            self.sum[i] += x[i];
            for j in 0..4 {
                self.products[i][j] += x[i] * x[j];
            }
        }
    }

    fn merge(&mut self, o: &PairedSums) {
        self.n += o.n;
        for i in 0..4 {
            self.sum[i] += o.sum[i];
            for j in 0..4 {
                self.products[i][j] += o.products[i][j];
            }
        }
    }
}

/// P(first's follow-on multiple > second's).
///
/// The second company is simulated again on the *first* company's random streams (common random
/// numbers across the pair, on top of the arms' own pairing), so on each iteration both face the
/// same draws of outcome, step-up, dilution and exit multiple. The first company's samples are
/// exactly those its reported multiple came from. With rᵢ = ΣDᵢ / ΣCᵢ, the delta method linearises
/// the difference of the two ratio estimators as
///   r₁ − r₂ ≈ μ₁ − μ₂ + (1/n) Σⱼ uⱼ,   uⱼ = (D₁ⱼ − r₁C₁ⱼ)/C̄₁ − (D₂ⱼ − r₂C₂ⱼ)/C̄₂,
/// so se² = Σuⱼ² / ((n − 1) n) (Σuⱼ = 0 by construction, and Σuⱼ² is a quadratic form in the sums of
/// products, so no sample is stored) and
///   P = Φ((r₁ − r₂) / se).
/// The pairing is what makes the figure mean something: two companies with identical inputs get
/// identical samples and exactly 0.5, while with independent streams Φ((m₁ − m₂)/√(se₁² + se₂²))
/// of two equally good companies is uniform on [0.5, 1] — the ranking already picked the larger of
/// two noisy estimates — and would claim 75% on average for a coin toss. It can fall below 0.5 when
/// the shared paths reverse the ranking's order: the two are then too close to call.
///
/// A company whose increment is never deployed counts as r = 0 with no noise (its report says the
/// multiple does not apply); with zero noise on both sides P is 1, 0 or 0.5 by the sign of r₁ − r₂.
#[allow(clippy::too_many_arguments)]
pub(crate) fn probability_first_better(
    first: &CompanyPlan,
    second: &CompanyPlan,
    model: &CompiledModel,
    seed: u64,
    iterations: u32,
    pairing: ArmPairing,
    increment: f64,
    cancel: &AtomicBool,
) -> Result<f64, ReserveError> {
    let plus_seed = match pairing {
        ArmPairing::Common => None,
        ArmPairing::Independent => Some(independent_arm_seed(seed)),
    };
    let starts: Vec<u32> = (0..iterations).step_by(CHUNK as usize).collect();
    let work = |&start: &u32| -> Result<PairedSums, ReserveError> {
        if cancel.load(Ordering::Relaxed) {
            return Err(ReserveError::Cancelled);
        }
        let mut sums = PairedSums::default();
        for iteration in start..(start + CHUNK).min(iterations) {
            let j = u64::from(iteration);
            let gain = |plan: &CompanyPlan| {
                let path = draw_path(
                    model,
                    plan.stage,
                    plan.post_money,
                    plan.graduation_factor,
                    &mut PathStreams::new(seed, first.key, j),
                );
                let plus_path = plus_seed.map(|s| {
                    draw_path(
                        model,
                        plan.stage,
                        plan.post_money,
                        plan.graduation_factor,
                        &mut PathStreams::new(s, first.key, j),
                    )
                });
                let schedule = ReserveSchedule::new(&path, plan.holding.ownership);
                let (planned, plus) = arms(
                    plan,
                    &path,
                    &schedule,
                    plus_path.as_ref(),
                    model.liquidation_preference,
                );
                (plus.0 - planned.0, plus.1 - planned.1)
            };
            let (d1, c1) = gain(first);
            let (d2, c2) = gain(second);
            sums.add([d1, c1, d2, c2]);
        }
        Ok(sums)
    };
    #[cfg(feature = "parallel")]
    let chunks: Vec<PairedSums> = starts.par_iter().map(work).collect::<Result<_, _>>()?;
    #[cfg(not(feature = "parallel"))]
    let chunks: Vec<PairedSums> = starts.iter().map(work).collect::<Result<_, _>>()?;
    let mut total = PairedSums::default();
    for chunk in &chunks {
        total.merge(chunk);
    }
    Ok(probability(&total, increment))
}

/// The normal approximation of the module's formula, from the sums.
fn probability(s: &PairedSums, increment: f64) -> f64 {
    let n = s.n;
    if n < 2.0 {
        return 0.5;
    }
    // Weights of (D₁, C₁, D₂, C₂) in uⱼ, and each company's ratio; a company that never deploys
    // the increment has r = 0 and no weight (as in `estimate::follow_on`).
    let mut w = [0.0; 4];
    let mut r = [0.0; 2];
    for (k, sign) in [(0usize, 1.0), (1, -1.0)] {
        let (d, c) = (s.sum[2 * k], s.sum[2 * k + 1]);
        let mean_c = c / n;
        if mean_c > increment * 1e-12 {
            r[k] = d / c;
            w[2 * k] = sign / mean_c;
            w[2 * k + 1] = -sign * r[k] / mean_c;
        }
    }
    let mut residual_squares = 0.0;
    for i in 0..4 {
        for j in 0..4 {
            residual_squares += w[i] * w[j] * s.products[i][j];
        }
    }
    let se = (residual_squares.max(0.0) / (n - 1.0) / n).sqrt();
    let diff = r[0] - r[1];
    // Below this the residuals are floating-point noise of identical samples, not sampling error.
    let scale = r[0].abs().max(r[1].abs()).max(1.0);
    if se <= scale * 1e-12 {
        return match diff {
            d if d > scale * 1e-12 => 1.0,
            d if d < -scale * 1e-12 => 0.0,
            _ => 0.5,
        };
    }
    standard_normal_cdf(diff / se)
}

/// Φ(x) from erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, far inside the 4
/// decimals the report keeps).
fn standard_normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-z * z).exp();
    if x >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

#[cfg(test)]
mod tests {
    use super::standard_normal_cdf;

    #[test]
    fn standard_normal_cdf_matches_tabulated_values() {
        for (x, want) in [
            (0.0, 0.5),
            (1.0, 0.841_344_746),
            (-1.0, 0.158_655_254),
            (1.959_963_985, 0.975),
            (3.0, 0.998_650_102),
        ] {
            assert!((standard_normal_cdf(x) - want).abs() < 2e-7, "Φ({x})");
        }
    }
}
