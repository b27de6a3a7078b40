use std::sync::Arc;

use rust_decimal::Decimal;

use super::events::{EventPayload, FundEvent};
use super::state::{Actual, AssumptionsInForce, CashFlow, CompanyState, CompanyStatus, Forecast, FundState};

/// Applies one event. Pure and total: it holds no rules (those live in `decide`), and an event that
/// refers to something absent changes nothing but the counters.
pub fn evolve(mut state: FundState, event: &FundEvent) -> FundState {
    apply(&mut state, event);
    state.event_count += 1;
    state.last_version = state.last_version.max(event.version);
    state.last_effective_at = Some(match state.last_effective_at {
        Some(t) if t > event.effective_at => t,
        _ => event.effective_at,
    });
    state
}

fn apply(state: &mut FundState, event: &FundEvent) {
    let at = event.effective_at;
    match &event.payload {
        EventPayload::FundCreated(p) => {
            state.exists = true;
            state.name = p.name.clone();
            state.committed = p.size;
            state.vintage = p.vintage;
            state.created_at = Some(at);
        }
        EventPayload::CompanyAdded(p) => {
            state.companies.entry(p.company_id).or_insert_with(|| {
                Arc::new(CompanyState {
                    id: p.company_id,
                    name: p.name.clone(),
                    sector: p.sector.clone(),
                    stage: p.stage,
                    status: CompanyStatus::Active,
                    invested: Decimal::ZERO,
                    ownership: Decimal::ZERO,
                    valuation: None,
                    reserves_planned: Decimal::ZERO,
                    reserves_deployed: Decimal::ZERO,
                    proceeds: Decimal::ZERO,
                    first_investment_at: None,
                    metrics: Default::default(),
                })
            });
        }
        EventPayload::InvestmentMade(p) => {
            state.invested += p.amount;
            with_company(state, p.company_id, |c| {
                c.invested += p.amount;
                if p.follow_on && c.first_investment_at.is_some() {
                    c.reserves_deployed += p.amount;
                }
                c.first_investment_at.get_or_insert(at);
                if let Some(o) = p.ownership {
                    c.ownership = o;
                }
                if let Some(v) = p.post_money {
                    c.valuation = Some(v);
                }
                if let Some(s) = p.stage {
                    c.stage = s;
                }
            });
        }
        EventPayload::ValuationUpdated(p) => with_company(state, p.company_id, |c| {
            c.valuation = Some(p.post_money);
            if let Some(o) = p.ownership {
                c.ownership = o;
            }
            if let Some(s) = p.stage {
                c.stage = s;
            }
        }),
        EventPayload::CapitalCalled(p) => {
            state.called += p.amount;
            state.cash_flows.push(CashFlow { date: at, amount: -p.amount });
        }
        EventPayload::DistributionMade(p) => {
            state.distributed += p.amount;
            state.cash_flows.push(CashFlow { date: at, amount: p.amount });
        }
        EventPayload::ReserveAllocated(p) => with_company(state, p.company_id, |c| c.reserves_planned = p.amount),
        EventPayload::ForecastCreated(p) => with_company(state, p.company_id, |c| {
            c.metrics.entry(p.metric).or_default().forecast = Some(Forecast {
                metric: p.metric,
                period: p.period,
                value: p.value,
                made_at: at,
                version: event.version,
            });
        }),
        EventPayload::ActualRecorded(p) => with_company(state, p.company_id, |c| {
            c.metrics.entry(p.metric).or_default().actual = Some(Actual {
                metric: p.metric,
                period: p.period.unwrap_or_else(|| at.date_naive()),
                value: p.value,
                source: p.source,
                effective_at: at,
                version: event.version,
            });
        }),
        EventPayload::CompanyExited(p) => {
            state.realized += p.proceeds;
            with_company(state, p.company_id, |c| {
                c.status = CompanyStatus::Exited;
                c.proceeds += p.proceeds;
            });
        }
        EventPayload::CompanyWrittenOff(p) => with_company(state, p.company_id, |c| c.status = CompanyStatus::WrittenOff),
        // Replaces, never merges: events are folded in canonical order, so the last one applied is
        // the latest in business time.
        EventPayload::ReserveAssumptionsSet(p) => {
            state.reserve_assumptions =
                Some(AssumptionsInForce { assumptions: p.as_ref().clone(), effective_at: at, version: event.version });
        }
        // Nothing to apply: a reversal works by leaving out the event it cancels wherever events
        // are folded (`reversal::in_force`), since what that event overwrote cannot be restored here.
        EventPayload::EventReversed(_) => {}
    }
}

/// Copy-on-write access to one company; absent companies are left alone (evolve is total).
fn with_company(state: &mut FundState, id: uuid::Uuid, change: impl FnOnce(&mut CompanyState)) {
    if let Some(company) = state.companies.get_mut(&id) {
        change(Arc::make_mut(company));
    }
}
