//! The fund's side of the deals: cheques within its budget, reserve plans, follow-ons, exits and
//! the cash that moves with them (capital calls before the cheques, distributions after the sales).
use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::calendar::{midnight, office_time, plus_days, quarter_start, shortly_after};
use super::company::{CompanyPlan, Ending, RoundKind};
use super::streams::{self, chance, days_between, uniform};
use super::{dollars, ownership, round_dollars, Ctx, Emitter};
use crate::fund::{
    CapitalCalled, CompanyAdded, CompanyExited, CompanyWrittenOff, DistributionMade, EventPayload, InvestmentMade,
    ReserveAllocated, Stage, ValuationUpdated,
};

/// What the fund holds in one company.
#[derive(Debug, Clone, Default)]
struct Holding {
    entered: bool,
    cheque: Decimal,
    ownership: Decimal,
    invested: Decimal,
    /// The company's follow-on reserve as planned in total (deployed included).
    planned: Decimal,
    deployed: Decimal,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Add,
    Enter,
    Round(usize),
    Distress,
    Exit,
    WriteOff,
}

/// Initial reserve per dollar of first cheque: earlier stages need more rounds of support.
fn reserve_ratio(stage: Stage) -> Decimal {
    match stage {
        Stage::PreSeed => Decimal::new(130, 2),
        Stage::Seed => Decimal::new(110, 2),
        Stage::SeriesA => Decimal::new(90, 2),
        _ => Decimal::new(60, 2),
    }
}

/// Emits the deal and cash events of the portfolio. Returns which companies the fund entered.
pub(crate) fn emit(ctx: &Ctx, plans: &[CompanyPlan], out: &mut Emitter) -> Vec<bool> {
    let mut rng = streams::stream(ctx.seed, streams::FUND_INDEX, streams::FUND);
    let size = ctx.fund_size;
    // Some commitment stays uncalled for fees and expenses, which this history does not model.
    let investable = size * Decimal::new(97, 2);
    // Concentration limit: no company takes more than 12% of the fund.
    let company_cap = (size * Decimal::new(12, 2)).round_dp(0);

    let mut steps: Vec<(NaiveDate, usize, u8, Step)> = Vec::new();
    let mut pending_initial = Decimal::ZERO;
    for plan in plans.iter().filter(|p| p.entry_on <= ctx.last_deal_day) {
        let i = plan.index;
        pending_initial += dollars(plan.cheque);
        steps.push((plan.added_on, i, 0, Step::Add));
        steps.push((plan.entry_on, i, 1, Step::Enter));
        for (k, r) in plan.rounds.iter().enumerate() {
            steps.push((r.on, i, 2, Step::Round(k)));
        }
        match plan.ending {
            Ending::Active => {}
            Ending::Exited { on, .. } => steps.push((on, i, 3, Step::Exit)),
            Ending::WrittenOff { on, distress_from } => {
                steps.push((distress_from, i, 2, Step::Distress));
                steps.push((on, i, 3, Step::WriteOff));
            }
        }
    }
    steps.sort_by_key(|(day, i, order, _)| (*day, *i, *order));

    let mut holdings = vec![Holding::default(); plans.len()];
    let mut invested_total = Decimal::ZERO;
    // Reserves planned but not yet deployed, over the companies still held. Plans never promise
    // more than the fund has left after the first cheques still to come.
    let mut reserved = Decimal::ZERO;
    let mut investments: Vec<(NaiveDate, Decimal)> = Vec::new();

    for (day, i, _, step) in steps {
        let plan = &plans[i];
        let h = &mut holdings[i];
        let effective_at = midnight(day);
        let company_id = plan.id;
        match step {
            Step::Add => {
                out.push(
                    effective_at,
                    office_time(&mut rng, day),
                    EventPayload::CompanyAdded(CompanyAdded {
                        company_id,
                        name: plan.name.clone(),
                        stage: plan.stage,
                        sector: Some(super::names::sector_name(plan.sector).to_string()),
                    }),
                );
            }
            Step::Enter => {
                let wanted = dollars(plan.cheque);
                pending_initial -= wanted;
                let cheque = wanted.min(investable - invested_total).max(Decimal::ZERO);
                if cheque.is_zero() {
                    continue;
                }
                let post = dollars(plan.post).max(cheque);
                let own = ownership((cheque / post).to_f64().unwrap_or(0.0));
                let t = office_time(&mut rng, day);
                out.push(
                    effective_at,
                    t,
                    EventPayload::InvestmentMade(InvestmentMade {
                        company_id,
                        amount: cheque,
                        ownership: Some(own),
                        post_money: Some(post),
                        stage: None,
                        follow_on: false,
                    }),
                );
                invested_total += cheque;
                let free = investable - invested_total - pending_initial - reserved;
                let planned = round_dollars((cheque * reserve_ratio(plan.stage)).to_f64().unwrap_or(0.0), 50_000.0)
                    .min(company_cap - cheque)
                    .min(floor_to(free, 10_000))
                    .max(Decimal::ZERO);
                reserved += planned;
                *h = Holding {
                    entered: true,
                    cheque,
                    ownership: own,
                    invested: cheque,
                    planned,
                    deployed: Decimal::ZERO,
                };
                investments.push((day, cheque));
                if !planned.is_zero() {
                    out.push(
                        effective_at,
                        shortly_after(&mut rng, t),
                        EventPayload::ReserveAllocated(ReserveAllocated { company_id, amount: planned }),
                    );
                }
            }
            Step::Round(k) if h.entered => {
                let r = &plan.rounds[k];
                let post = dollars(r.post);
                let own = h.ownership.to_f64().unwrap_or(0.0);
                let desire = r.appetite * own * r.dilution * r.post;
                let room = (h.planned - h.deployed)
                    .min(company_cap - h.invested)
                    .min(investable - invested_total - pending_initial)
                    .max(Decimal::ZERO)
                    .to_f64()
                    .unwrap_or(0.0);
                let amount = round_dollars((desire.min(room) / 10_000.0).floor() * 10_000.0, 1.0);
                let smallest = Decimal::from(50_000).max((h.cheque * Decimal::new(5, 2)).round_dp(0));
                let stage = r.moved_up.then_some(r.stage);
                let t = office_time(&mut rng, day);
                if amount >= smallest {
                    let amount_f = amount.to_f64().unwrap_or(0.0);
                    let new_own = ownership(own * (1.0 - r.dilution) + amount_f / r.post);
                    out.push(
                        effective_at,
                        t,
                        EventPayload::InvestmentMade(InvestmentMade {
                            company_id,
                            amount,
                            ownership: Some(new_own),
                            post_money: Some(post),
                            stage,
                            follow_on: true,
                        }),
                    );
                    h.ownership = new_own;
                    h.invested += amount;
                    h.deployed += amount;
                    reserved -= amount;
                    invested_total += amount;
                    investments.push((day, amount));
                } else {
                    // A round the fund sat out: it learns the price and its diluted stake.
                    let new_own = ownership(own * (1.0 - r.dilution));
                    out.push(
                        effective_at,
                        t,
                        EventPayload::ValuationUpdated(ValuationUpdated {
                            company_id,
                            post_money: post,
                            ownership: Some(new_own),
                            stage,
                        }),
                    );
                    h.ownership = new_own;
                }
                // Re-plan the reserve for the next round: about the pro-rata of a round twice this
                // size after an up round, half the pro-rata of a same-size round after a down round.
                let next_round = match r.kind {
                    RoundKind::Up => 2.0,
                    RoundKind::Down => 0.5,
                };
                let before = h.planned - h.deployed;
                let free = investable - invested_total - pending_initial - (reserved - before);
                let remaining =
                    round_dollars(h.ownership.to_f64().unwrap_or(0.0) * 0.2 * r.post * next_round, 50_000.0)
                        .min(company_cap - h.invested)
                        .min(floor_to(free, 10_000))
                        .max(Decimal::ZERO);
                reserved += remaining - before;
                let planned = h.deployed + remaining;
                if planned != h.planned {
                    out.push(
                        effective_at,
                        shortly_after(&mut rng, t),
                        EventPayload::ReserveAllocated(ReserveAllocated { company_id, amount: planned }),
                    );
                    h.planned = planned;
                }
            }
            Step::Distress if h.entered && h.planned > h.deployed => {
                out.push(
                    effective_at,
                    office_time(&mut rng, day),
                    EventPayload::ReserveAllocated(ReserveAllocated { company_id, amount: h.deployed }),
                );
                reserved -= h.planned - h.deployed;
                h.planned = h.deployed;
            }
            Step::Exit if h.entered => {
                let Ending::Exited { value, .. } = plan.ending else { continue };
                reserved -= h.planned - h.deployed;
                let proceeds =
                    round_dollars(h.ownership.to_f64().unwrap_or(0.0) * value, 1.0).max(Decimal::from(1_000));
                out.push(
                    effective_at,
                    office_time(&mut rng, day),
                    EventPayload::CompanyExited(CompanyExited { company_id, proceeds }),
                );
                distribute(ctx, &mut rng, out, company_id, day, proceeds);
            }
            Step::WriteOff if h.entered => {
                reserved -= h.planned - h.deployed;
                out.push(
                    effective_at,
                    office_time(&mut rng, day),
                    EventPayload::CompanyWrittenOff(CompanyWrittenOff { company_id }),
                );
            }
            Step::Round(_) | Step::Distress | Step::Exit | Step::WriteOff => {}
        }
    }

    call_capital(ctx, &mut rng, out, &investments);
    holdings.iter().map(|h| h.entered).collect()
}

/// Passes sale proceeds to the LPs a few weeks after the sale; larger sales keep an escrow that is
/// released a year or so later.
fn distribute(
    ctx: &Ctx,
    rng: &mut rand_pcg::Pcg64Mcg,
    out: &mut Emitter,
    company_id: uuid::Uuid,
    sold_on: NaiveDate,
    proceeds: Decimal,
) {
    let first_day = plus_days(sold_on, days_between(rng, 14, 45));
    let escrow_day = plus_days(sold_on, days_between(rng, 365, 540));
    let big = proceeds > ctx.fund_size * Decimal::new(1, 2);
    let first = if big && chance(rng, 0.5) {
        round_dollars(proceeds.to_f64().unwrap_or(0.0) * uniform(rng, 0.85, 0.9), 1.0)
    } else {
        proceeds
    };
    let mut pay = |day: NaiveDate, amount: Decimal, rng: &mut rand_pcg::Pcg64Mcg| {
        if amount > Decimal::ZERO && day <= ctx.last_deal_day {
            out.push(
                midnight(day),
                office_time(rng, day),
                EventPayload::DistributionMade(DistributionMade { amount, company_id: Some(company_id) }),
            );
        }
    };
    pay(first_day, first, rng);
    pay(escrow_day, proceeds - first, rng);
}

/// Calls capital at the start of each quarter in which the fund invests, enough for that quarter's
/// cheques plus a small buffer, in round units of half a percent of commitments. Deals close after
/// the first week of a quarter (`calendar::deal_day`), so the cash is always in before it goes out.
fn call_capital(ctx: &Ctx, rng: &mut rand_pcg::Pcg64Mcg, out: &mut Emitter, investments: &[(NaiveDate, Decimal)]) {
    let mut by_quarter: BTreeMap<NaiveDate, Decimal> = BTreeMap::new();
    for (day, amount) in investments {
        *by_quarter.entry(quarter_start(*day)).or_default() += *amount;
    }
    let size = ctx.fund_size;
    let unit = ((size * Decimal::new(5, 3)) / Decimal::from(1_000)).round() * Decimal::from(1_000);
    let unit = unit.max(Decimal::from(1_000));
    let buffer = unit * Decimal::TWO;
    let mut called = Decimal::ZERO;
    let mut invested = Decimal::ZERO;
    for (quarter, amount) in by_quarter {
        let need = amount - (called - invested);
        invested += amount;
        if need <= Decimal::ZERO {
            continue;
        }
        let call = (((need + buffer) / unit).ceil() * unit).min(size - called);
        if call <= Decimal::ZERO {
            continue;
        }
        let day = plus_days(quarter.max(ctx.start_day), days_between(rng, 1, 4));
        out.push(midnight(day), office_time(rng, day), EventPayload::CapitalCalled(CapitalCalled { amount: call }));
        called += call;
    }
}

fn floor_to(amount: Decimal, unit: i64) -> Decimal {
    let unit = Decimal::from(unit);
    (amount / unit).floor() * unit
}
