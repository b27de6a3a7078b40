//! Deterministic demo fund generator: a plausible venture fund history (deals, cash, reserve plans,
//! quarterly marks, forecasts and actuals, some of them recorded late) for the demo seed, the
//! store's import and the benchmarks.
//!
//! Every event passes `fund::decide` against the fund as it stood at the event's effective date,
//! knowing what was recorded before it (tests/demo_generator.rs checks this). The same spec gives
//! the same events: all randomness comes from `Pcg64Mcg` streams derived from the seed, one per
//! company and kind of draw, and ids are drawn from them too.

mod calendar;
mod company;
mod names;
mod operations;
mod portfolio;
mod streams;

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::fund::{EventPayload, FundCreated};
use crate::reserves::{ReserveAssumptions, VarianceAdjustmentRule};

/// What to generate. `start` is the fund's first day; the history covers `years` from it and
/// nothing is recorded after [`DemoSpec::end`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoSpec {
    pub seed: u64,
    pub fund_name: String,
    /// Committed capital.
    pub fund_size: Decimal,
    pub companies: usize,
    pub years: u32,
    pub start: DateTime<Utc>,
    /// For large funds: the number of events wanted. The generator then adjusts the number of
    /// companies (starting from `companies`) until the history has this many events, within a
    /// few percent.
    pub target_events: Option<usize>,
    /// Reserve-model assumptions recorded with the fund's creation (RESERVE_ASSUMPTIONS_SET right
    /// after FUND_CREATED), if any.
    pub reserve_assumptions: Option<ReserveAssumptions>,
}

/// The demo fund's seed: any fixed value would do; this one gives a typical fund.
pub const DEMO_SEED: u64 = 20_190_601;

/// Events per company over a ten-year history, measured; the starting guess for `large_fund`.
const LARGE_FUND_EVENTS_PER_COMPANY: f64 = 250.0;

impl DemoSpec {
    /// A $100M fund with 30 companies, six years old at `now` (the history ends on `now`'s date).
    pub fn demo_fund(now: DateTime<Utc>) -> Self {
        DemoSpec {
            seed: DEMO_SEED,
            fund_name: "Fundlens Demo Fund I".to_string(),
            fund_size: Decimal::from(100_000_000),
            companies: 30,
            years: 6,
            start: years_before(now, 6),
            target_events: None,
            // The demo fund shows the variance adjustment at work (docs/reserves-model.md).
            reserve_assumptions: Some(ReserveAssumptions {
                variance_adjustment: Some(VarianceAdjustmentRule::demo_fund()),
                ..ReserveAssumptions::default()
            }),
        }
    }

    /// A ten-year-old fund with about `events` events, for benchmarks and load tests. It has many
    /// more companies (and a fund size to match, about $3.3M per company), not just more metrics.
    pub fn large_fund(now: DateTime<Utc>, events: usize) -> Self {
        let companies = ((events as f64 / LARGE_FUND_EVENTS_PER_COMPANY).round() as usize).max(1);
        let size_millions = ((companies as f64 * 10.0 / 3.0 / 10.0).round() as i64 * 10).max(100);
        DemoSpec {
            seed: DEMO_SEED ^ 0x5CA1_AB1E,
            fund_name: "Fundlens Scale Fund".to_string(),
            fund_size: Decimal::from(size_millions * 1_000_000),
            companies,
            years: 10,
            start: years_before(now, 10),
            target_events: Some(events),
            reserve_assumptions: None,
        }
    }

    /// The end of the history: `years` after `start`. Nothing is recorded later.
    pub fn end(&self) -> DateTime<Utc> {
        self.start.checked_add_months(Months::new(12 * self.years)).unwrap_or(self.start)
    }
}

/// Midnight of `now`'s date, `years` earlier. Adding the years back never passes `now`.
fn years_before(now: DateTime<Utc>, years: u32) -> DateTime<Utc> {
    let today = now.date_naive();
    calendar::midnight(today.checked_sub_months(Months::new(12 * years)).unwrap_or(today))
}

/// One event of the history with the time it was (notionally) recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratedEvent {
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    #[serde(flatten)]
    pub payload: EventPayload,
}

/// The fund's history, sorted by `recorded_at` (events recorded at the same instant keep the order
/// in which they were generated), starting with FUND_CREATED.
pub fn generate(spec: &DemoSpec) -> Vec<GeneratedEvent> {
    let Some(target) = spec.target_events else {
        return build(spec, spec.companies);
    };
    // The count grows almost linearly with the number of companies (each company has its own random
    // streams, so adding one leaves the others alone): a few proportional corrections converge.
    let mut companies = spec.companies.max(1);
    let mut best = build(spec, companies);
    for _ in 0..4 {
        let miss = best.len().abs_diff(target) as f64 / target.max(1) as f64;
        if miss <= 0.015 {
            break;
        }
        let next = ((companies as f64) * target as f64 / best.len().max(1) as f64).round().max(1.0) as usize;
        if next == companies {
            break;
        }
        companies = next;
        let candidate = build(spec, companies);
        if candidate.len().abs_diff(target) < best.len().abs_diff(target) {
            best = candidate;
        }
    }
    best
}

/// Settings derived from the spec, shared by the parts of the generator.
pub(crate) struct Ctx {
    pub seed: u64,
    pub fund_size: Decimal,
    pub start_day: NaiveDate,
    pub end_day: NaiveDate,
    /// No company is met before this day (the fund's first weeks are for setting up).
    pub first_deal_day: NaiveDate,
    /// New investments end here (about three years in); follow-ons continue.
    pub invest_until: NaiveDate,
    /// Deals, plans and cash movements stop here, so that they are recorded before the end.
    pub last_deal_day: NaiveDate,
    /// Average first cheque: about 45% of the fund goes into first cheques.
    pub base_cheque: f64,
}

fn build(spec: &DemoSpec, companies: usize) -> Vec<GeneratedEvent> {
    use rust_decimal::prelude::ToPrimitive;

    let end = spec.end();
    let start_day = spec.start.date_naive();
    let end_day = end.date_naive();
    let invest_months = (spec.years * 6).clamp(12, 36);
    let ctx = Ctx {
        seed: spec.seed,
        fund_size: spec.fund_size,
        start_day,
        end_day,
        first_deal_day: calendar::plus_days(start_day, 45),
        invest_until: calendar::plus_months(start_day, invest_months),
        last_deal_day: calendar::minus_days(end_day, 2),
        base_cheque: spec.fund_size.to_f64().unwrap_or(0.0) * 0.45 / companies.max(1) as f64,
    };

    let mut plans: Vec<company::CompanyPlan> = (0..companies).map(|i| company::simulate(&ctx, i, None)).collect();
    company::ensure_exits(&ctx, &mut plans);
    let mut taken = HashSet::new();
    for plan in &mut plans {
        let mut rng = streams::stream(ctx.seed, plan.index as u64, streams::NAME);
        plan.name = names::unique_name(&mut rng, plan.sector, &mut taken);
    }

    let mut out = Emitter { end, events: Vec::with_capacity(companies * 260 + 64) };
    out.push(
        spec.start,
        spec.start,
        EventPayload::FundCreated(FundCreated {
            name: spec.fund_name.clone(),
            size: spec.fund_size,
            vintage: Some(spec.start.year()),
        }),
    );
    if let Some(assumptions) = &spec.reserve_assumptions {
        out.push(spec.start, spec.start, EventPayload::ReserveAssumptionsSet(Box::new(assumptions.clone())));
    }
    let entered = portfolio::emit(&ctx, &plans, &mut out);
    for plan in plans.iter().filter(|p| entered[p.index]) {
        operations::emit(&ctx, plan, &mut out);
    }
    let mut events = out.events;
    // Stable: same-instant events keep their generation order.
    events.sort_by_key(|e| e.recorded_at);
    events
}

/// Collects events, dropping those that would be recorded after the end of the history (a late
/// mark or an actual not yet in).
pub(crate) struct Emitter {
    end: DateTime<Utc>,
    events: Vec<GeneratedEvent>,
}

impl Emitter {
    pub(crate) fn push(&mut self, effective_at: DateTime<Utc>, recorded_at: DateTime<Utc>, payload: EventPayload) {
        debug_assert!(effective_at <= recorded_at, "{payload:?} recorded before it happened");
        if recorded_at <= self.end && effective_at <= recorded_at {
            self.events.push(GeneratedEvent { effective_at, recorded_at, payload });
        }
    }
}

/// Whole dollars from a simulated amount.
pub(crate) fn dollars(x: f64) -> Decimal {
    // Clamped far inside decide's limit; the simulation never comes near it.
    Decimal::from(x.round().clamp(-1e14, 1e14) as i64)
}

/// Dollars rounded to a multiple of `unit`.
pub(crate) fn round_dollars(x: f64, unit: f64) -> Decimal {
    dollars((x / unit).round() * unit)
}

/// An ownership fraction to four decimals, kept inside (0, 1].
pub(crate) fn ownership(x: f64) -> Decimal {
    Decimal::new((x * 10_000.0).round().clamp(1.0, 10_000.0) as i64, 4)
}
