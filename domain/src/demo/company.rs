//! One portfolio company's life as the generator imagines it: when the fund meets it, its rounds,
//! and how it ends. Fund-side decisions (cheque sizes of follow-ons, budget) come later, in
//! `portfolio`; operating figures in `operations`.
use chrono::NaiveDate;
use rand::RngExt;

use super::calendar::{deal_day, minus_days, plus_days};
use super::streams::{self, chance, days_between, lognormal, uniform};
use super::{names, Ctx};
use crate::fund::Stage;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoundKind {
    Up,
    Down,
}

/// A financing round after the fund's entry.
#[derive(Debug, Clone)]
pub(crate) struct Round {
    pub on: NaiveDate,
    pub kind: RoundKind,
    /// The company's stage after the round.
    pub stage: Stage,
    pub moved_up: bool,
    pub post: f64,
    /// New shares as a fraction of the post-money.
    pub dilution: f64,
    /// How much of its pro-rata the fund would like to take (0 = pass, above 1 = super pro-rata).
    pub appetite: f64,
}

#[derive(Debug, Clone)]
pub(crate) enum Ending {
    /// Still in the portfolio at the end of the history.
    Active,
    /// Sold; `value` is the price for the whole company.
    Exited { on: NaiveDate, value: f64 },
    /// Failed to raise; from `distress_from` the fund stops reserving for it and marks it down.
    WrittenOff { on: NaiveDate, distress_from: NaiveDate },
}

impl Ending {
    pub(crate) fn day(&self) -> Option<NaiveDate> {
        match self {
            Ending::Active => None,
            Ending::Exited { on, .. } | Ending::WrittenOff { on, .. } => Some(*on),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct CompanyPlan {
    pub index: usize,
    pub id: uuid::Uuid,
    pub name: String,
    pub sector: usize,
    pub stage: Stage,
    /// Latent quality in standard deviations: better companies raise faster, step up more, fail less.
    pub quality: f64,
    pub added_on: NaiveDate,
    pub entry_on: NaiveDate,
    pub cheque: f64,
    pub post: f64,
    pub rounds: Vec<Round>,
    pub ending: Ending,
}

/// Per-stage behaviour, loosely following docs/reserves-model.md (Carta funnels and step-ups), a
/// little kinder on failures so that a six-year-old fund still holds most of its companies.
struct StageParams {
    /// Initial cheque relative to the fund's average cheque, and the ownership range bought.
    cheque: f64,
    ownership: (f64, f64),
    /// Months until the next round.
    months: (f64, f64),
    graduate: f64,
    exit: f64,
    /// Median step-up of the next round's post-money.
    step_up: f64,
    /// Median exit price on the last post-money.
    exit_multiple: f64,
}

fn params(stage: Stage) -> StageParams {
    let p = |cheque, ownership, months, graduate, exit, step_up, exit_multiple| StageParams {
        cheque,
        ownership,
        months,
        graduate,
        exit,
        step_up,
        exit_multiple,
    };
    match stage {
        Stage::PreSeed => p(0.45, (0.10, 0.20), (18.0, 30.0), 0.76, 0.03, 2.4, 0.5),
        Stage::Seed => p(0.8, (0.08, 0.18), (18.0, 30.0), 0.76, 0.06, 2.3, 0.7),
        Stage::SeriesA => p(1.4, (0.06, 0.14), (20.0, 32.0), 0.74, 0.10, 2.1, 1.0),
        Stage::SeriesB => p(2.2, (0.052, 0.10), (20.0, 34.0), 0.68, 0.15, 1.8, 1.2),
        Stage::SeriesC => p(2.2, (0.04, 0.08), (20.0, 36.0), 0.60, 0.22, 1.6, 1.5),
        Stage::SeriesDPlus => p(2.2, (0.03, 0.06), (20.0, 36.0), 0.40, 0.45, 1.4, 1.8),
    }
}

fn entry_stage(u: f64) -> Stage {
    match u {
        u if u < 0.2 => Stage::PreSeed,
        u if u < 0.6 => Stage::Seed,
        u if u < 0.9 => Stage::SeriesA,
        _ => Stage::SeriesB,
    }
}

pub(crate) fn round_to(x: f64, unit: f64) -> f64 {
    (x / unit).round() * unit
}

/// The company's life. With `forced_exit` the same life is cut short by a sale on that day (the
/// draws before it are the same, so only the ending changes).
pub(crate) fn simulate(ctx: &Ctx, index: usize, forced_exit: Option<NaiveDate>) -> CompanyPlan {
    let mut rng = streams::stream(ctx.seed, index as u64, streams::LIFE);
    let id = streams::uuid(&mut rng);
    let stage = entry_stage(rng.random::<f64>());
    let sector = names::pick_sector(&mut rng);
    let quality = streams::normal(&mut rng).clamp(-2.5, 2.5);
    let window = (ctx.invest_until - ctx.first_deal_day).num_days().max(0) as u64;
    let entry_on = deal_day(plus_days(ctx.first_deal_day, days_between(&mut rng, 0, window)));
    let added_on = minus_days(entry_on, days_between(&mut rng, 14, 60)).max(plus_days(ctx.start_day, 1));
    let p = params(stage);
    let cheque = round_to(ctx.base_cheque * p.cheque * uniform(&mut rng, 0.75, 1.25), 25_000.0).max(25_000.0);
    let ownership = uniform(&mut rng, p.ownership.0, p.ownership.1);
    // Rounded up, so the stake bought stays inside the stage's range.
    let post = ((cheque / ownership / 100_000.0).ceil() * 100_000.0).max(cheque);

    let mut rounds = Vec::new();
    let mut now_stage = stage;
    let mut last_post = post;
    let mut last_on = entry_on;
    let ending = loop {
        let p = params(now_stage);
        let months = uniform(&mut rng, p.months.0, p.months.1) * (1.0 - 0.08 * quality).clamp(0.8, 1.2);
        let next = deal_day(plus_days(last_on, (months * 30.44) as u64));
        if let Some(day) = forced_exit {
            if day <= next {
                let multiple = lognormal(&mut rng, 1.6 * (0.2 * quality).exp(), 0.3).max(1.1);
                break Ending::Exited { on: day, value: round_to(last_post * multiple, 100_000.0) };
            }
        }
        if next > ctx.last_deal_day {
            break Ending::Active;
        }
        let mut graduate = (p.graduate * (0.3 * quality).exp()).min(0.9);
        let mut exit = p.exit * (0.2 * quality).exp();
        if graduate + exit > 0.95 {
            let scale = 0.95 / (graduate + exit);
            graduate *= scale;
            exit *= scale;
        }
        let u = rng.random::<f64>();
        if u < exit {
            let multiple = lognormal(&mut rng, p.exit_multiple * (0.3 * quality).exp(), 0.4);
            let value = round_to(last_post * multiple, 100_000.0).max(100_000.0);
            break Ending::Exited { on: next, value };
        }
        if u >= exit + graduate {
            let distress_from = minus_days(next, days_between(&mut rng, 90, 240)).max(plus_days(last_on, 60));
            break Ending::WrittenOff { on: next, distress_from };
        }
        let step = lognormal(&mut rng, p.step_up * (0.2 * quality).exp(), 0.35);
        let dilution = uniform(&mut rng, 0.15, 0.25);
        let up_next = now_stage.next();
        let (kind, moved_up, new_post, appetite) = if step >= 0.95 {
            let appetite = if step > p.step_up { uniform(&mut rng, 1.0, 1.5) } else { uniform(&mut rng, 0.5, 1.0) };
            (RoundKind::Up, up_next.is_some(), last_post * step, appetite)
        } else {
            let moved_up = chance(&mut rng, 0.4) && up_next.is_some();
            let appetite = if chance(&mut rng, 0.5) { uniform(&mut rng, 0.3, 1.0) } else { 0.0 };
            (RoundKind::Down, moved_up, last_post * step.max(0.35), appetite)
        };
        if moved_up {
            now_stage = up_next.unwrap_or(now_stage);
        }
        last_post = round_to(new_post, 100_000.0).max(100_000.0);
        last_on = next;
        rounds.push(Round { on: next, kind, stage: now_stage, moved_up, post: last_post, dilution, appetite });
    };

    CompanyPlan {
        index,
        id,
        name: String::new(),
        sector,
        stage,
        quality,
        added_on,
        entry_on,
        cheque,
        post,
        rounds,
        ending,
    }
}

/// A six-year-old fund has sold a few companies. If this history's draws produced fewer than one
/// sale per twelve companies, the best performers still held are sold in the last two years
/// (their earlier history unchanged).
pub(crate) fn ensure_exits(ctx: &Ctx, plans: &mut [CompanyPlan]) {
    let wanted = (plans.len() / 12).max(1);
    let horizon = minus_days(ctx.last_deal_day, 60);
    let mut exits = plans
        .iter()
        .filter(|p| p.entry_on <= ctx.last_deal_day)
        .filter(|p| matches!(p.ending, Ending::Exited { on, .. } if on <= horizon))
        .count();
    if exits >= wanted {
        return;
    }
    let growth = |p: &CompanyPlan| p.rounds.last().map_or(1.0, |r| r.post) / p.post;
    let mut candidates: Vec<usize> = plans
        .iter()
        .filter(|p| matches!(p.ending, Ending::Active) && p.entry_on <= ctx.last_deal_day)
        .filter(|p| p.rounds.iter().any(|r| r.kind == RoundKind::Up))
        .map(|p| p.index)
        .collect();
    candidates.sort_by(|a, b| growth(&plans[*b]).total_cmp(&growth(&plans[*a])).then(a.cmp(b)));
    let mut rng = streams::stream(ctx.seed, streams::FUND_INDEX, streams::FORCED_EXITS);
    for index in candidates {
        if exits >= wanted {
            break;
        }
        let plan = &plans[index];
        let last = plan.rounds.last().map_or(plan.entry_on, |r| r.on);
        let lo = plus_days(last, 120).max(minus_days(ctx.last_deal_day, 730));
        let hi = minus_days(ctx.last_deal_day, 90);
        if lo > hi {
            continue;
        }
        let day = deal_day(plus_days(lo, days_between(&mut rng, 0, (hi - lo).num_days() as u64)));
        plans[index] = simulate(ctx, index, Some(day));
        exits += 1;
    }
}
