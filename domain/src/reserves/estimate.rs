//! The follow-on multiple, its confidence interval and confidence score, from paired sums.
use super::company_sums::PairSums;

/// Two-sided 95% normal quantile.
const Z_95: f64 = 1.959_963_984_540_054;

/// What the next increment is expected to return, and how sure the simulation is about it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FollowOnEstimate {
    pub(crate) multiple: f64,
    pub(crate) ci_low: f64,
    pub(crate) ci_high: f64,
    pub(crate) confidence: f64,
    /// Share of the increment deployed on average (E[C] / Δ): reserve the company's rounds never
    /// call for earns nothing.
    pub(crate) deployment_rate: f64,
}

/// Ratio estimator r = ΣD / ΣC with a delta-method interval.
///
/// Var(r) ≈ Var(D − r·C) / (n · C̄²), so the interval is r ± 1.96 · sqrt(s² / n) / C̄ with
/// s² = Σ(D_j − r·C_j)² / (n − 1). Pairing the arms on common random numbers keeps D_j and C_j
/// small and correlated, which is what makes s² small.
///
/// Confidence score = max(0, 1 − h / |r|), h the interval's half-width: 1 when the interval is a
/// point, 0.9 when it is ±10% of the estimate, 0 once it is as wide as the estimate itself (the sign
/// of the return is then in doubt). Zero when r is zero.
///
/// When no path ever deploys the increment (ΣC = 0) the multiple is reported as 0 with a zero-width
/// interval and confidence 0: that money would sit idle.
pub(crate) fn follow_on(pair: &PairSums, increment: f64) -> FollowOnEstimate {
    let n = pair.n;
    let mean_c = pair.c / n;
    if n < 2.0 || mean_c <= increment * 1e-12 {
        return FollowOnEstimate {
            multiple: 0.0,
            ci_low: 0.0,
            ci_high: 0.0,
            confidence: 0.0,
            deployment_rate: 0.0,
        };
    }
    let r = pair.d / pair.c;
    let residual_squares = (pair.dd - 2.0 * r * pair.dc + r * r * pair.cc).max(0.0);
    let variance = residual_squares / (n - 1.0);
    let half_width = Z_95 * (variance / n).sqrt() / mean_c;
    let confidence = if r != 0.0 {
        (1.0 - half_width / r.abs()).max(0.0)
    } else {
        0.0
    };
    FollowOnEstimate {
        multiple: r,
        ci_low: r - half_width,
        ci_high: r + half_width,
        confidence,
        deployment_rate: mean_c / increment,
    }
}
