//! Each company's reserve cap and the grid of reserve levels the allocation moves along.
use rust_decimal::Decimal;

use super::constraints::{Constraints, MAX_STEPS_PER_COMPANY};
use super::error::ReserveError;
use super::input::{CompanyInput, FundInput};

/// Largest reserve the constraints allow: cost + reserve within the fund-share cap, and the reserve
/// within the reserves-share cap.
pub(crate) fn reserve_cap(
    company: &CompanyInput,
    fund: &FundInput,
    constraints: &Constraints,
) -> Decimal {
    let by_fund = constraints.max_fund_share_per_company.value * fund.size - company.invested;
    let by_reserves = constraints.max_reserve_share_per_company.value * fund.available_reserves;
    by_fund.min(by_reserves).max(Decimal::ZERO)
}

/// Levels 0, inc, 2·inc, … up to the cap (the last step may be partial).
pub(crate) fn reserve_levels(
    cap: Decimal,
    increment: Decimal,
    company_index: usize,
) -> Result<Vec<Decimal>, ReserveError> {
    let steps = (cap / increment).ceil();
    if steps > Decimal::from(MAX_STEPS_PER_COMPANY) {
        return Err(ReserveError::invalid(
            "constraints.allocation_increment",
            format!(
                "too small: companies[{company_index}] would need {steps} steps to reach its cap of {cap} \
                 (at most {MAX_STEPS_PER_COMPANY})"
            ),
        ));
    }
    let mut levels = vec![Decimal::ZERO];
    let mut level = Decimal::ZERO;
    while level < cap {
        level = (level + increment).min(cap);
        levels.push(level);
    }
    Ok(levels)
}
