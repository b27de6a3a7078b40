//! The chance that a coming actual breaches a fund's rules, under a company's usual error.
//!
//! The company's % errors are taken as normal with mean *bias* and standard deviation *spread*
//! (its [`ErrorBand`]). Every rule's breach region on that % error is a half-line or two: a rule
//! "below by t %" is `error ≤ −t`, "above" is `error ≥ t`, "outside" is both; an absolute
//! threshold is turned into % of the forecast. An adaptive rule fires only outside the band
//! (bias ± 2 × spread), so its half-lines start no nearer than the band's edges. The union of the
//! rules' regions is then `error ≤ L` or `error ≥ R`, and its chance is Φ((L − bias) / spread) +
//! 1 − Φ((R − bias) / spread).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::predict::ErrorBand;
use super::rules::{Comparison, RuleSpec, ThresholdUnit};
use crate::fund::Metric;

/// The chance (0 to 1) that an actual forecast at `forecast` breaches at least one of `rules` that
/// applies to `metric`, when its % error follows `band`. 0 without an applicable rule; absolute
/// thresholds are skipped for a forecast of 0 (no % error exists).
pub fn breach_chance(band: &ErrorBand, forecast: Decimal, metric: Metric, rules: &[RuleSpec]) -> f64 {
    let bias = band.bias.to_f64().unwrap_or(0.0);
    let spread = band.spread.to_f64().unwrap_or(0.0).max(0.0);
    let mut left: Option<f64> = None; // breach when error ≤ left
    let mut right: Option<f64> = None; // breach when error ≥ right
    for rule in rules.iter().filter(|r| r.applies_to(metric)) {
        let Some(t) = threshold_pct(rule, forecast) else { continue };
        let (mut l, mut r) = match rule.comparison {
            Comparison::Below => (Some(-t), None),
            Comparison::Above => (None, Some(t)),
            Comparison::Outside => (Some(-t), Some(t)),
        };
        if rule.adaptive {
            l = l.map(|l| l.min(bias - 2.0 * spread));
            r = r.map(|r| r.max(bias + 2.0 * spread));
        }
        left = max_of(left, l);
        right = min_of(right, r);
    }
    let below = left.map_or(0.0, |l| probability_at_most(l, bias, spread));
    let above = right.map_or(0.0, |r| 1.0 - probability_below(r, bias, spread));
    match (left, right) {
        (Some(l), Some(r)) if l >= r => 1.0,
        _ => (below + above).clamp(0.0, 1.0),
    }
}

/// The rule's threshold in % of the forecast's magnitude; `None` when it cannot be (absolute with a
/// forecast of 0).
fn threshold_pct(rule: &RuleSpec, forecast: Decimal) -> Option<f64> {
    let t = rule.threshold.to_f64()?;
    match rule.unit {
        ThresholdUnit::Percent => Some(t),
        ThresholdUnit::Absolute => {
            let f = forecast.abs().to_f64().filter(|f| *f > 0.0)?;
            Some(t * 100.0 / f)
        }
    }
}

fn max_of(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn min_of(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// P(X ≤ x) for X normal(mean, sd); a point mass at the mean when sd is 0.
fn probability_at_most(x: f64, mean: f64, sd: f64) -> f64 {
    if sd == 0.0 {
        return if mean <= x { 1.0 } else { 0.0 };
    }
    normal_cdf((x - mean) / sd)
}

/// P(X < x); the same as [`probability_at_most`] but for the point mass.
fn probability_below(x: f64, mean: f64, sd: f64) -> f64 {
    if sd == 0.0 {
        return if mean < x { 1.0 } else { 0.0 };
    }
    normal_cdf((x - mean) / sd)
}

/// The standard normal distribution function, Φ(z) = (1 + erf(z / √2)) / 2.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * (1.0 + erf(z / std::f64::consts::SQRT_2))
}

/// The error function, by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7: ample for a
/// chance shown in whole percent).
fn erf(x: f64) -> f64 {
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t * (0.254_829_592 + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    sign * (1.0 - poly * (-x * x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::variance::rules::revenue_rule;

    fn rule(comparison: Comparison, threshold: i64, unit: ThresholdUnit, adaptive: bool) -> RuleSpec {
        RuleSpec { adaptive, ..revenue_rule(comparison, threshold, unit) }
    }

    fn band(bias: i64, spread: i64) -> ErrorBand {
        ErrorBand { bias: Decimal::from(bias), spread: Decimal::from(spread), periods: 4 }
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-6, "{a} is not {b}");
    }

    #[test]
    fn the_normal_distribution_function_matches_its_tables() {
        // Φ(0) = 0.5, Φ(1) = 0.8413447, Φ(−1.96) = 0.0249979, Φ(2) = 0.9772499 (standard tables).
        close(normal_cdf(0.0), 0.5);
        close(normal_cdf(1.0), 0.841_344_7);
        close(normal_cdf(-1.96), 0.024_997_9);
        close(normal_cdf(2.0), 0.977_249_9);
    }

    #[test]
    fn given_a_founder_who_misses_by_25_on_average_when_the_rule_is_below_20_then_the_chance_is_the_normal_tail() {
        // bias −25, spread 10: P(error ≤ −20) = Φ((−20 + 25) / 10) = Φ(0.5) = 0.6914625.
        let chance = breach_chance(&band(-25, 10), Decimal::from(1000), Metric::Revenue, &[rule(Comparison::Below, 20, ThresholdUnit::Percent, false)]);
        close(chance, 0.691_462_5);
    }

    #[test]
    fn given_tiers_of_one_rule_when_combined_then_the_widest_region_counts_once() {
        // below 20 and below 40: the union is error ≤ −20; the 40% tier adds nothing.
        let tiers = [rule(Comparison::Below, 20, ThresholdUnit::Percent, false), rule(Comparison::Below, 40, ThresholdUnit::Percent, false)];
        close(breach_chance(&band(-25, 10), Decimal::from(1000), Metric::Revenue, &tiers), 0.691_462_5);
    }

    #[test]
    fn given_an_outside_rule_when_the_bias_is_zero_then_both_tails_count() {
        // |error| ≥ 20 with spread 10: 2 × (1 − Φ(2)) = 0.0455003.
        close(breach_chance(&band(0, 10), Decimal::from(1000), Metric::Revenue, &[rule(Comparison::Outside, 20, ThresholdUnit::Percent, false)]), 0.045_500_3);
    }

    #[test]
    fn given_an_absolute_threshold_when_the_forecast_is_known_then_it_is_read_in_percent_of_it() {
        // 200 below a forecast of 1,000 is 20% below: the same as the percent rule.
        let chance = breach_chance(&band(-25, 10), Decimal::from(1000), Metric::Revenue, &[rule(Comparison::Below, 200, ThresholdUnit::Absolute, false)]);
        close(chance, 0.691_462_5);
        assert_eq!(breach_chance(&band(-25, 10), Decimal::ZERO, Metric::Revenue, &[rule(Comparison::Below, 200, ThresholdUnit::Absolute, false)]), 0.0);
    }

    #[test]
    fn given_an_adaptive_rule_when_the_threshold_is_inside_the_band_then_only_the_band_edge_counts() {
        // bias −25, spread 10: the band ends at −45; P(error ≤ −45) = Φ(−2) = 0.0227501.
        let chance = breach_chance(&band(-25, 10), Decimal::from(1000), Metric::Revenue, &[rule(Comparison::Below, 20, ThresholdUnit::Percent, true)]);
        close(chance, 0.022_750_1);
    }

    #[test]
    fn given_no_rule_for_the_metric_or_no_spread_when_asked_then_the_chance_is_certain_or_nil() {
        let arr_only = RuleSpec { metric: Some(Metric::Arr), ..rule(Comparison::Below, 20, ThresholdUnit::Percent, false) };
        assert_eq!(breach_chance(&band(-25, 10), Decimal::from(1000), Metric::Revenue, &[arr_only]), 0.0);
        let below = [rule(Comparison::Below, 20, ThresholdUnit::Percent, false)];
        assert_eq!(breach_chance(&band(-25, 0), Decimal::from(1000), Metric::Revenue, &below), 1.0);
        assert_eq!(breach_chance(&band(-10, 0), Decimal::from(1000), Metric::Revenue, &below), 0.0);
    }
}
