//! What a reserve run returns: the ranking, the recommended allocation and the fund totals.
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::run_params::RunParams;
use super::stage::Stage;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReserveReport {
    /// Active companies, best follow-on multiple first.
    pub companies: Vec<CompanyReport>,
    /// Inactive companies: not ranked, no reserve recommended.
    pub excluded: Vec<ExcludedCompany>,
    pub fund: FundTotals,
    /// The settings, model and constraints the run used, each parameter with its source (the
    /// allocation's hurdle is `params.constraints.hurdle`).
    pub params: RunParams,
    /// How likely the first-ranked company's next dollar really earns more than the second's;
    /// `None` with fewer than two ranked companies (and in reports stored before it existed).
    #[serde(default)]
    pub top_two: Option<TopTwo>,
}

/// The ranking's top pair and the probability that the order is right, from the simulation's
/// paired samples (see `top_two::probability_first_better` for the formula).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopTwo {
    pub first_id: String,
    pub second_id: String,
    /// P(follow-on multiple of the first > that of the second), rounded to 4 decimals: 0.5 when the
    /// simulation cannot tell them apart, near 1 when the first is clearly better.
    pub probability_first_better: f64,
}

/// One increment of a company's reserve grid on the water-filling picture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Reserve level the increment starts at; it runs to the next point's level (or the cap).
    pub reserve: Decimal,
    /// Extra proceeds per extra dollar deployed by the increment above `reserve`, rounded to 4
    /// decimals.
    pub marginal_multiple: f64,
    /// Whether the allocation gave this increment to the company (by the floor or by merit).
    pub granted: bool,
}

/// One active company. Multiples are rounded to 4 decimals, the score to 3, years to 2; amounts are
/// exact Decimals, except `expected_proceeds`, a simulated mean rounded to the dollar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyReport {
    /// 1 = where the next follow-on dollar is expected to earn most.
    pub rank: u32,
    pub id: String,
    pub name: String,
    pub stage: Stage,
    /// Expected proceeds per follow-on dollar deployed of the next increment on top of the current
    /// reserve (Σ D / Σ C over paired paths).
    pub follow_on_multiple: f64,
    /// 95% confidence interval of the follow-on multiple (delta method).
    pub ci_low: f64,
    pub ci_high: f64,
    /// max(0, 1 − half-width / |multiple|); see `estimate::follow_on`.
    pub confidence_score: f64,
    /// Mean proceeds over mean total invested (cost + deployed reserve), with the current reserve.
    pub expected_moic: f64,
    /// Share of the next increment the company's rounds are expected to call for.
    pub increment_deployment_rate: f64,
    /// Mean proceeds with the current reserve.
    pub expected_proceeds: Decimal,
    /// Mean years to exit or failure.
    pub expected_years_to_outcome: f64,
    /// Reserve still held (planned − deployed).
    pub current_reserve: Decimal,
    /// Follow-on capital already invested.
    pub deployed: Decimal,
    /// The reserve the allocation recommends holding from now on.
    pub recommended_allocation: Decimal,
    /// recommended_allocation − current_reserve.
    pub change: Decimal,
    /// Largest reserve the constraints allow for this company.
    pub reserve_cap: Decimal,
    /// Reserve granted by the initial-cheque floor (zero if none).
    pub floor: Decimal,
    /// The follow-on multiple of each allocation increment at each reserve level: what the next
    /// increment above `reserve` earns per dollar deployed. Water-filling gives increments in
    /// decreasing order of these values across companies until the hurdle. Ascending in reserve, at
    /// most `MAX_STEPS_PER_COMPANY` points; it stops where no simulated round calls for more
    /// reserve (the multiple is undefined there), so it is empty for a company that can deploy
    /// nothing.
    #[serde(default)]
    pub curve: Vec<CurvePoint>,
    /// Why the follow-on figures do not apply, when they do not: the next increment is never
    /// deployed on any simulated path (always so at Series D+, the model's last stage, which raises
    /// no further round), so `follow_on_multiple`, its interval and the confidence are 0 by
    /// convention rather than a 0× return. `None` when they apply.
    #[serde(default)]
    pub follow_on_not_applicable: Option<String>,
    /// The fund's variance adjustment the run applied to this company, with its reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<super::GraduationAdjustment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExcludedCompany {
    pub id: String,
    pub name: String,
    pub reason: String,
    pub current_reserve: Decimal,
    pub recommended_allocation: Decimal,
}

/// Fund-level sums. `recommended_total + unallocated = available_reserves` exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundTotals {
    pub available_reserves: Decimal,
    /// Reserves currently held by all companies, inactive ones included.
    pub current_reserves: Decimal,
    pub recommended_total: Decimal,
    /// Budget no company could use above the hurdle and within its caps.
    pub unallocated: Decimal,
    /// Sum of increases over companies' current reserves.
    pub reserves_added: Decimal,
    /// Sum of decreases (inactive companies release all they hold).
    pub reserves_released: Decimal,
    /// Dollars moved between companies: half the gross change, Σ|recommended − current| / 2.
    pub reallocation: Decimal,
}

/// Rounds a simulated figure for output; non-finite values and −0 become 0 so output is stable.
#[cfg(feature = "engine")]
pub(crate) fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    let r = (x * scale).round() / scale;
    if r.is_finite() && r != 0.0 {
        r
    } else {
        0.0
    }
}

/// A simulated dollar figure as a Decimal rounded to the dollar.
#[cfg(feature = "engine")]
pub(crate) fn dollars(x: f64) -> Decimal {
    use rust_decimal::prelude::FromPrimitive;
    Decimal::from_f64(x.round()).unwrap_or_default().round_dp(0)
}
