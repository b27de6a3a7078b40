//! What the fund hears from a company every quarter: a plan at the start of the quarter (sometimes
//! revised mid-quarter), the actuals a few weeks after it closes, and the fund's own valuation mark.
use chrono::NaiveDate;
use rand::RngExt;
use rand_pcg::Pcg64Mcg;
use rust_decimal::Decimal;

use super::calendar::{midnight, office_time, plus_days, quarters};
use super::company::{CompanyPlan, Ending, RoundKind};
use super::streams::{self, chance, days_between, lognormal, normal, uniform};
use super::{dollars, round_dollars, Ctx, Emitter};
use crate::fund::{ActualRecorded, ActualSource, EventPayload, ForecastCreated, Metric, Stage, ValuationUpdated};

/// Share of quarterly marks that reach the system weeks late (a valuation committee that met late,
/// a portfolio company slow to send its numbers).
const LATE_MARK_SHARE: f64 = 0.22;
/// Share of company-quarters whose plan is revised mid-quarter.
const REFORECAST_SHARE: f64 = 0.2;
/// Share of company-quarters that clearly miss plan (revenue 20–40% short, so variance alerts fire).
const MISS_SHARE: f64 = 0.12;

/// The company's operating engine, quarter by quarter. Amounts are per quarter except ARR.
struct Engine {
    revenue: f64,
    opex: f64,
    growth: f64,
    gross_margin: f64,
    recurring: f64,
}

/// Plan and outcome of one quarter for REVENUE, EBITDA, CASH_BURN and ARR.
struct QuarterFigures {
    plan: [f64; 4],
    actual: [f64; 4],
}

impl Engine {
    fn new(rng: &mut Pcg64Mcg, stage: Stage, quality: f64) -> Self {
        let (revenue, opex, growth) = match stage {
            Stage::PreSeed => (uniform(rng, 10e3, 60e3), uniform(rng, 250e3, 500e3), 0.22),
            Stage::Seed => (uniform(rng, 60e3, 300e3), uniform(rng, 600e3, 1.4e6), 0.16),
            Stage::SeriesA => (uniform(rng, 400e3, 1.5e6), uniform(rng, 2e6, 4e6), 0.11),
            _ => (uniform(rng, 1.5e6, 5e6), uniform(rng, 3.5e6, 7e6), 0.07),
        };
        Engine {
            revenue,
            opex,
            growth: (growth * uniform(rng, 0.7, 1.3) + 0.03 * quality).max(0.01),
            gross_margin: uniform(rng, 0.55, 0.82),
            recurring: uniform(rng, 0.7, 0.95),
        }
    }

    fn quarter(&mut self, rng: &mut Pcg64Mcg, raised: Option<RoundKind>, distressed: bool) -> QuarterFigures {
        let growth = self.growth
            + match raised {
                Some(RoundKind::Up) => 0.03,
                Some(RoundKind::Down) => -0.04,
                None => 0.0,
            }
            - if distressed { 0.12 } else { 0.0 };
        let hiring = match raised {
            Some(RoundKind::Up) => 1.25,
            Some(RoundKind::Down) => 0.85,
            None => 1.0,
        };
        // Founders plan a little above trend.
        let optimism = uniform(rng, 1.0, 1.08);
        let revenue_plan = self.revenue * (1.0 + growth) * optimism;
        let opex_plan = self.opex * (1.0 + uniform(rng, 0.02, 0.06)) * hiring;
        let miss = if distressed { 0.5 } else { MISS_SHARE };
        let shock = if chance(rng, miss) {
            uniform(rng, 0.6, 0.8)
        } else if chance(rng, 0.08) {
            uniform(rng, 1.1, 1.3)
        } else {
            (0.05 * normal(rng)).exp()
        };
        let revenue = self.revenue * (1.0 + growth) * shock;
        let opex = opex_plan * (0.04 * normal(rng)).exp();
        let run_rate = 4.0 * self.recurring * (1.0 + growth / 2.0);
        let ebitda_plan = revenue_plan * self.gross_margin - opex_plan;
        let ebitda = revenue * self.gross_margin - opex;
        // Burn is operating loss plus capex and working capital; a profitable quarter burns nothing.
        let burn = |ebitda: f64, rng: &mut Pcg64Mcg| (-ebitda).max(0.0) * uniform(rng, 1.0, 1.12);
        let figures = QuarterFigures {
            plan: [revenue_plan, ebitda_plan, burn(ebitda_plan, rng), revenue_plan * run_rate],
            actual: [revenue, ebitda, burn(ebitda, rng), revenue * run_rate * (0.02 * normal(rng)).exp()],
        };
        self.revenue = revenue;
        self.opex = opex;
        self.growth = (self.growth * 0.97).max(0.01);
        figures
    }
}

const METRICS: [Metric; 5] = [Metric::Revenue, Metric::Ebitda, Metric::CashBurn, Metric::Arr, Metric::Valuation];

/// Emits the company's quarterly marks, forecasts and actuals from its entry until it leaves the
/// portfolio or the history ends.
pub(crate) fn emit(ctx: &Ctx, plan: &CompanyPlan, out: &mut Emitter) {
    let mut rng = streams::stream(ctx.seed, plan.index as u64, streams::OPS);
    let ending_day = plan.ending.day();
    let alive_on = |day: NaiveDate| ending_day.is_none_or(|end| end > day);
    let distress_from = match plan.ending {
        Ending::WrittenOff { distress_from, .. } => Some(distress_from),
        _ => None,
    };
    let mut engine = Engine::new(&mut rng, plan.stage, plan.quality);
    let mut last_post = plan.post;
    let mut mark_factor = 1.0;
    let mut previous_mark = plan.post;
    let mut distressed_quarters = 0;
    let mut next_round = 0;

    for q in quarters(plan.entry_on, ctx.end_day) {
        if q.start > ctx.last_deal_day || !alive_on(q.start) {
            break;
        }
        let entry_quarter = q.start <= plan.entry_on;
        let mut raised = None;
        while let Some(r) = plan.rounds.get(next_round).filter(|r| r.on <= q.end) {
            last_post = r.post;
            mark_factor = 1.0;
            raised = Some(r.kind);
            next_round += 1;
        }
        let distressed = distress_from.is_some_and(|d| q.end >= d);
        let figures = engine.quarter(&mut rng, raised, distressed);

        // The fund's mark: the last round's price, drifting now and then between rounds (winners
        // marked up, strugglers down), cut hard once the company is in trouble.
        if raised.is_none() && chance(&mut rng, 0.3) {
            let drift = lognormal(&mut rng, (0.01 + 0.03 * plan.quality).exp(), 0.12);
            mark_factor = (mark_factor * drift).clamp(0.5, 2.0);
        }
        let distress_cut = if distressed {
            distressed_quarters += 1;
            if distressed_quarters == 1 {
                0.5
            } else {
                0.25
            }
        } else {
            1.0
        };
        let mark = (last_post * mark_factor * distress_cut / 10_000.0).round().max(1.0) * 10_000.0;
        let valuation_plan = (previous_mark * uniform(&mut rng, 1.0, 1.06) / 10_000.0).round() * 10_000.0;
        previous_mark = mark;
        let plan_values = [figures.plan[0], figures.plan[1], figures.plan[2], figures.plan[3], valuation_plan];
        let actual_values = [figures.actual[0], figures.actual[1], figures.actual[2], figures.actual[3], mark];

        if !entry_quarter {
            let made_on = plus_days(q.start, days_between(&mut rng, 0, 4));
            if made_on <= ctx.last_deal_day && alive_on(made_on) {
                forecast(&mut rng, out, plan, made_on, q.end, &plan_values);
                if chance(&mut rng, REFORECAST_SHARE) {
                    let revised_on = plus_days(q.start, days_between(&mut rng, 35, 70));
                    let learned = uniform(&mut rng, 0.4, 0.9);
                    let revised: Vec<f64> =
                        plan_values.iter().zip(&actual_values).map(|(p, a)| p + learned * (a - p)).collect();
                    if revised_on <= ctx.last_deal_day && alive_on(revised_on) {
                        forecast(&mut rng, out, plan, revised_on, q.end, &revised);
                    }
                }
            }
        }

        if !alive_on(q.end) {
            break;
        }
        let delay = if chance(&mut rng, LATE_MARK_SHARE) {
            days_between(&mut rng, 30, 75)
        } else {
            days_between(&mut rng, 2, 12)
        };
        let marked_on = plus_days(q.end, delay);
        out.push(
            midnight(q.end),
            office_time(&mut rng, marked_on),
            EventPayload::ValuationUpdated(ValuationUpdated {
                company_id: plan.id,
                post_money: dollars(mark),
                ownership: None,
                stage: None,
            }),
        );

        if !entry_quarter {
            let (source, delay) = match rng.random::<f64>() {
                u if u < 0.5 => (ActualSource::Manual, days_between(&mut rng, 18, 45)),
                u if u < 0.8 => (ActualSource::Import, days_between(&mut rng, 10, 30)),
                _ => (ActualSource::Api, days_between(&mut rng, 3, 10)),
            };
            let recorded_at = office_time(&mut rng, plus_days(q.end, delay));
            for (metric, value) in METRICS.iter().zip(actual_values) {
                out.push(
                    midnight(q.end),
                    recorded_at,
                    EventPayload::ActualRecorded(ActualRecorded {
                        company_id: plan.id,
                        metric: *metric,
                        period: Some(q.end),
                        value: metric_value(*metric, value),
                        source,
                    }),
                );
            }
        }
    }
}

fn forecast(
    rng: &mut Pcg64Mcg,
    out: &mut Emitter,
    plan: &CompanyPlan,
    made_on: NaiveDate,
    period: NaiveDate,
    values: &[f64],
) {
    let recorded_at = office_time(rng, made_on);
    for (metric, value) in METRICS.iter().zip(values) {
        out.push(
            midnight(made_on),
            recorded_at,
            EventPayload::ForecastCreated(ForecastCreated {
                company_id: plan.id,
                metric: *metric,
                period,
                value: metric_value(*metric, *value),
            }),
        );
    }
}

/// Whole dollars (valuations to the nearest $10K); only EBITDA may be negative.
fn metric_value(metric: Metric, value: f64) -> Decimal {
    let value = if metric.allows_negative() { value } else { value.max(0.0) };
    match metric {
        Metric::Valuation => round_dollars(value, 10_000.0),
        _ => dollars(value),
    }
}
