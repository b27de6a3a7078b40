//! Variance moves the reserve model (docs/reserves-model.md, "Variance adjustment"): an opt-in,
//! bounded rule per fund. A company whose revenue has come in more than `revenue_below_pct` below
//! plan in each of its latest `periods` periods raises its further rounds less often: the
//! graduation probability of its current stage and of every later one on its paths is multiplied
//! by `graduation_factor` (the difference becomes failure; exit odds, step-ups and dilution stay as
//! the model says). Adjusting the current stage alone would not move the ranking: the follow-on
//! multiple is per dollar deployed, and a path that fails before the next round deploys nothing,
//! so the next dollar's return comes from the rounds after it. Nothing else changes, and a fund
//! without the rule gets exactly the model's odds.
use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::ReserveError;
use super::input::PortfolioInput;
use crate::fund::Metric;
use crate::variance::VarianceLine;

/// The smallest graduation factor a fund may set: the adjustment can at most halve the odds of each
/// round, so a bad stretch of plan misses never rules a company out on its own.
pub const MIN_GRADUATION_FACTOR: f64 = 0.5;
/// Most consecutive periods the rule may ask for.
pub const MAX_ADJUSTMENT_PERIODS: u32 = 8;
/// The latest miss must be for a period that ended within this many days of the run's date: an
/// old bad stretch the company has not reported since does not count as its recent record.
pub const RECENT_DAYS: i64 = 366;

/// The rule as a fund sets it (`variance_adjustment` in the reserve assumptions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VarianceAdjustmentRule {
    /// A period counts when revenue came in more than this many percent below its forecast.
    #[serde(default = "default_below_pct")]
    pub revenue_below_pct: Decimal,
    /// How many of the company's latest periods with a revenue actual must all count.
    #[serde(default = "default_periods")]
    pub periods: u32,
    /// What the graduation probability of each of the company's stages is multiplied by, in
    /// [[`MIN_GRADUATION_FACTOR`], 1].
    #[serde(default = "default_factor")]
    pub graduation_factor: f64,
}

fn default_below_pct() -> Decimal {
    Decimal::from(30)
}
fn default_periods() -> u32 {
    2
}
fn default_factor() -> f64 {
    0.8
}

impl Default for VarianceAdjustmentRule {
    /// Revenue more than 30% below plan two periods running: the odds of each further round × 0.8.
    fn default() -> Self {
        VarianceAdjustmentRule {
            revenue_below_pct: default_below_pct(),
            periods: default_periods(),
            graduation_factor: default_factor(),
        }
    }
}

impl VarianceAdjustmentRule {
    /// The demo fund's setting: revenue more than 20% below plan two periods running. Its
    /// generated founders miss by 30% twice running too rarely for the default to show anything
    /// (`domain/tests/reserves_variance_adjustment.rs` measures both).
    pub fn demo_fund() -> Self {
        VarianceAdjustmentRule { revenue_below_pct: Decimal::from(20), ..VarianceAdjustmentRule::default() }
    }

    /// Errors name the field as in the assumptions JSON (`variance_adjustment.periods`).
    pub fn validate(&self) -> Result<(), ReserveError> {
        let field = |name: &str| format!("variance_adjustment.{name}");
        if self.revenue_below_pct <= Decimal::ZERO || self.revenue_below_pct >= Decimal::ONE_HUNDRED {
            return Err(ReserveError::invalid(
                field("revenue_below_pct"),
                "must be above 0 and below 100 (percent below the forecast)",
            ));
        }
        if !(1..=MAX_ADJUSTMENT_PERIODS).contains(&self.periods) {
            return Err(ReserveError::invalid(
                field("periods"),
                format!("must be between 1 and {MAX_ADJUSTMENT_PERIODS}"),
            ));
        }
        check_factor(&field("graduation_factor"), self.graduation_factor)
    }

    /// The companies the rule adjusts at `as_of`, by id, from the fund's variance lines as known
    /// then (every actual against its forecast; a period's latest actual counts).
    pub fn adjustments(
        &self,
        lines: &[VarianceLine],
        as_of: DateTime<Utc>,
    ) -> BTreeMap<Uuid, GraduationAdjustment> {
        let mut latest: BTreeMap<(Uuid, NaiveDate), &VarianceLine> = BTreeMap::new();
        for line in lines.iter().filter(|l| l.metric == Metric::Revenue && l.effective_at <= as_of) {
            let slot = latest.entry((line.company_id, line.period)).or_insert(line);
            if (line.effective_at, line.actual_version) > (slot.effective_at, slot.actual_version) {
                *slot = line;
            }
        }
        let mut by_company: BTreeMap<Uuid, Vec<&VarianceLine>> = BTreeMap::new();
        for ((company, _), line) in latest {
            by_company.entry(company).or_default().push(line);
        }
        let recent_from = as_of.date_naive() - Duration::days(RECENT_DAYS);
        let limit = -self.revenue_below_pct;
        by_company
            .into_iter()
            .filter_map(|(company, periods)| {
                // Oldest period first: the last `self.periods` are the latest.
                let window = periods.get(periods.len().checked_sub(self.periods as usize)?..)?;
                let newest = window.last()?;
                let all_below = window
                    .iter()
                    .all(|l| l.variance_pct.is_some_and(|pct| pct < limit));
                (all_below && newest.period >= recent_from).then(|| {
                    let misses: Vec<String> = window
                        .iter()
                        .map(|l| {
                            let pct = l.variance_pct.unwrap_or_default().round_dp(1).normalize();
                            format!("{} {pct}%", l.period.format("%-d %b %Y"))
                        })
                        .collect();
                    let adjustment = GraduationAdjustment {
                        factor: self.graduation_factor,
                        reason: format!(
                            "revenue more than {}% below plan in its latest {} period{} ({}): \
                             odds of each further round × {}",
                            self.revenue_below_pct.normalize(),
                            self.periods,
                            if self.periods == 1 { "" } else { "s" },
                            misses.join(", "),
                            self.graduation_factor,
                        ),
                    };
                    (company, adjustment)
                })
            })
            .collect()
    }
}

/// How the model treats one company differently, and why (shown with the ranking).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraduationAdjustment {
    /// Multiplies the graduation probability of each of the company's stages, in
    /// [[`MIN_GRADUATION_FACTOR`], 1].
    pub factor: f64,
    pub reason: String,
}

pub(crate) fn check_factor(field: &str, factor: f64) -> Result<(), ReserveError> {
    if (MIN_GRADUATION_FACTOR..=1.0).contains(&factor) {
        Ok(())
    } else {
        Err(ReserveError::invalid(
            field,
            format!("must be between {MIN_GRADUATION_FACTOR} and 1"),
        ))
    }
}

/// Writes `adjustments` onto the portfolio's companies (by id); companies not named keep none.
pub fn apply_adjustments(
    input: &mut PortfolioInput,
    adjustments: &BTreeMap<Uuid, GraduationAdjustment>,
) {
    for company in &mut input.companies {
        company.adjustment = company
            .id
            .parse::<Uuid>()
            .ok()
            .and_then(|id| adjustments.get(&id).cloned());
    }
}
