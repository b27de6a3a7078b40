use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::events::{EventPayload, NewEvent};
use super::state::{CompanyState, FundState};
use crate::error::DomainError;
use crate::reserves::{ReserveAssumptions, ReserveError, RunParams, MAX_STEPS_PER_COMPANY};

/// Largest amount accepted anywhere ($1 quadrillion): beyond any real fund, and far below the
/// point where decimal sums could overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(0xA4C6_8000, 0x0003_8D7E, 0, false, 0);

/// How far ahead of the server clock an effective date may be (time zones, clock skew).
pub const FUTURE_TOLERANCE_HOURS: i64 = 24;

/// Checks an event against the fund as it stands at the event's effective date, before the event
/// exists. Errors name the payload field at fault (`payload.amount`, `effective_at`, …).
pub fn decide(state: &FundState, event: &NewEvent, now: DateTime<Utc>) -> Result<(), DomainError> {
    crate::dates::check_moment(event.effective_at).map_err(|m| DomainError::invalid("effective_at", m))?;
    if event.effective_at > now + Duration::hours(FUTURE_TOLERANCE_HOURS) {
        return Err(DomainError::invalid("effective_at", "cannot be in the future"));
    }
    if let EventPayload::FundCreated(p) = &event.payload {
        if state.exists {
            return Err(DomainError::invalid("type", "the fund already exists"));
        }
        non_blank("payload.name", &p.name, 200)?;
        positive("payload.size", p.size)?;
        if let Some(v) = p.vintage {
            if !(1900..=2200).contains(&v) {
                return Err(DomainError::invalid("payload.vintage", "must be a year between 1900 and 2200"));
            }
        }
        return Ok(());
    }
    if !state.exists {
        // The store always starts a stream with FUND_CREATED, so a missing fund at this date
        // means the date is before the fund began.
        return Err(DomainError::invalid("effective_at", "is before the fund existed"));
    }
    if let Some(created) = state.created_at {
        if event.effective_at < created {
            return Err(DomainError::invalid(
                "effective_at",
                format!("is before the fund existed ({})", created.date_naive()),
            ));
        }
    }
    match &event.payload {
        EventPayload::FundCreated(_) => Ok(()),
        EventPayload::CompanyAdded(p) => {
            if state.companies.contains_key(&p.company_id) {
                return Err(DomainError::invalid("payload.company_id", "a company with this id already exists"));
            }
            non_blank("payload.name", &p.name, 200)?;
            if let Some(sector) = &p.sector {
                non_blank("payload.sector", sector, 100)?;
            }
            Ok(())
        }
        EventPayload::InvestmentMade(p) => {
            active_company(state, p.company_id)?;
            positive("payload.amount", p.amount)?;
            if let Some(o) = p.ownership {
                ownership("payload.ownership", o)?;
            }
            if let Some(v) = p.post_money {
                positive("payload.post_money", v)?;
                if v < p.amount {
                    return Err(DomainError::invalid("payload.post_money", "is smaller than the cheque itself"));
                }
            }
            Ok(())
        }
        EventPayload::ValuationUpdated(p) => {
            active_company(state, p.company_id)?;
            positive("payload.post_money", p.post_money)?;
            if let Some(o) = p.ownership {
                ownership("payload.ownership", o)?;
            }
            Ok(())
        }
        EventPayload::CapitalCalled(p) => {
            positive("payload.amount", p.amount)?;
            let uncalled = state.committed - state.called;
            if p.amount > uncalled {
                return Err(DomainError::invalid(
                    "payload.amount",
                    format!("exceeds the uncalled commitment ({uncalled})"),
                ));
            }
            Ok(())
        }
        EventPayload::DistributionMade(p) => {
            positive("payload.amount", p.amount)?;
            if let Some(id) = p.company_id {
                company(state, id)?;
            }
            let value = state.nav() + state.realized - state.distributed;
            if p.amount > value {
                return Err(DomainError::invalid(
                    "payload.amount",
                    format!("is larger than the fund's value (NAV plus undistributed proceeds: {value})"),
                ));
            }
            Ok(())
        }
        EventPayload::ReserveAllocated(p) => {
            active_company(state, p.company_id)?;
            if p.amount.is_sign_negative() {
                return Err(DomainError::invalid("payload.amount", "cannot be negative"));
            }
            not_huge("payload.amount", p.amount)?;
            if p.amount > state.committed {
                return Err(DomainError::invalid("payload.amount", "exceeds the fund's committed capital"));
            }
            Ok(())
        }
        EventPayload::ForecastCreated(p) => {
            company(state, p.company_id)?;
            crate::dates::check_day(p.period).map_err(|m| DomainError::invalid("payload.period", m))?;
            metric_value(p.metric.allows_negative(), p.value)
        }
        EventPayload::ActualRecorded(p) => {
            company(state, p.company_id)?;
            if let Some(period) = p.period {
                crate::dates::check_day(period).map_err(|m| DomainError::invalid("payload.period", m))?;
            }
            metric_value(p.metric.allows_negative(), p.value)
        }
        EventPayload::CompanyExited(p) => {
            active_company(state, p.company_id)?;
            positive("payload.proceeds", p.proceeds)
        }
        EventPayload::CompanyWrittenOff(p) => active_company(state, p.company_id).map(|_| ()),
        EventPayload::ReserveAssumptionsSet(p) => reserve_assumptions(state, p),
        // What it reverses is checked by `reversal::decide_reversal`, which sees the history.
        EventPayload::EventReversed(p) => non_blank("payload.reason", &p.reason, 500),
    }
}

/// The set must give a usable model and constraints (checked by the engine's own rules, so a set that
/// passes here cannot fail a run on its parameters), a budget the fund could hold, and an allocation
/// increment coarse enough for the largest reserve the fund-share cap allows.
fn reserve_assumptions(state: &FundState, p: &ReserveAssumptions) -> Result<(), DomainError> {
    p.validate().map_err(|e| match e {
        ReserveError::Invalid { field, message } => DomainError::invalid(format!("payload.{field}"), message),
        // Validation runs nothing, so it cannot be cancelled.
        ReserveError::Cancelled => DomainError::invalid("payload", e.to_string()),
    })?;
    // `validate` has refused a negative budget.
    if let Some(budget) = p.reserve_budget.filter(|b| *b > state.committed) {
        return Err(DomainError::invalid(
            "payload.reserve_budget",
            format!("{budget} exceeds the fund's committed capital ({})", state.committed),
        ));
    }
    let mut params = RunParams::default();
    p.apply(&mut params);
    let constraints = &params.constraints;
    let largest_cap = constraints.max_fund_share_per_company.value * state.committed;
    let smallest_increment = (largest_cap / Decimal::from(MAX_STEPS_PER_COMPANY)).ceil();
    if constraints.allocation_increment.value < smallest_increment {
        return Err(DomainError::invalid(
            "payload.constraints.allocation_increment",
            format!(
                "must be at least {smallest_increment}: a company's reserve may reach {largest_cap}, and the allocation \
                 walks at most {MAX_STEPS_PER_COMPANY} steps per company"
            ),
        ));
    }
    Ok(())
}

fn company(state: &FundState, id: Uuid) -> Result<&CompanyState, DomainError> {
    state
        .company(&id)
        .ok_or_else(|| DomainError::invalid("payload.company_id", format!("unknown company {id}")))
}

fn active_company(state: &FundState, id: Uuid) -> Result<&CompanyState, DomainError> {
    let c = company(state, id)?;
    if !c.is_active() {
        return Err(DomainError::invalid(
            "payload.company_id",
            format!("{} is no longer active ({})", c.name, c.status.label()),
        ));
    }
    Ok(c)
}

fn positive(field: &str, amount: Decimal) -> Result<(), DomainError> {
    if amount <= Decimal::ZERO {
        return Err(DomainError::invalid(field, "must be greater than zero"));
    }
    not_huge(field, amount)
}

fn not_huge(field: &str, amount: Decimal) -> Result<(), DomainError> {
    if amount.abs() > MAX_AMOUNT {
        return Err(DomainError::invalid(field, format!("must not exceed {MAX_AMOUNT}")));
    }
    Ok(())
}

fn ownership(field: &str, o: Decimal) -> Result<(), DomainError> {
    if o <= Decimal::ZERO || o > Decimal::ONE {
        return Err(DomainError::invalid(field, "must be a fraction in (0, 1]"));
    }
    Ok(())
}

fn metric_value(allows_negative: bool, value: Decimal) -> Result<(), DomainError> {
    if !allows_negative && value.is_sign_negative() {
        return Err(DomainError::invalid("payload.value", "cannot be negative for this metric"));
    }
    not_huge("payload.value", value)
}

fn non_blank(field: &str, s: &str, max: usize) -> Result<(), DomainError> {
    if s.trim().is_empty() {
        return Err(DomainError::invalid(field, "cannot be blank"));
    }
    if s.chars().count() > max {
        return Err(DomainError::invalid(field, format!("is longer than {max} characters")));
    }
    if s.chars().any(char::is_control) {
        return Err(DomainError::invalid(field, "cannot contain control characters (NUL, tabs, line breaks…)"));
    }
    Ok(())
}
