//! The path model's parameters, their documented defaults and sources (docs/reserves-model.md).
use serde::{Deserialize, Serialize};

use super::sourced::Sourced;
use super::stage::Stage;

/// What can happen to a company while it sits at one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageParams {
    /// Probability g_s of raising the next round. Zero at the last stage.
    pub graduation: Sourced<f64>,
    /// Probability e_s of being sold before the next round; the rest (1 − g_s − e_s) fails.
    pub exit: Sourced<f64>,
    /// Median of the lognormal step-up into the next round (next pre-money / last post-money).
    pub step_up_median: Sourced<f64>,
    /// Sigma (log scale) of the step-up; values below 1 are down rounds.
    pub step_up_sigma: Sourced<f64>,
    /// Dilution of the next round (round size / new post-money), drawn uniformly in [min, max].
    pub dilution_min: Sourced<f64>,
    pub dilution_max: Sourced<f64>,
    /// Median of the lognormal exit multiple on the last post-money.
    pub exit_multiple_median: Sourced<f64>,
    /// Sigma (log scale) of the exit multiple.
    pub exit_multiple_sigma: Sourced<f64>,
    /// Median years spent at this stage before its outcome; dates cash flows.
    pub years: Sourced<f64>,
}

/// One `StageParams` per stage, keyed as in the JSON portfolio (`model.stages.seed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageTable {
    pub pre_seed: StageParams,
    pub seed: StageParams,
    pub series_a: StageParams,
    pub series_b: StageParams,
    pub series_c: StageParams,
    pub series_d_plus: StageParams,
}

impl StageTable {
    pub fn get(&self, stage: Stage) -> &StageParams {
        match stage {
            Stage::PreSeed => &self.pre_seed,
            Stage::Seed => &self.seed,
            Stage::SeriesA => &self.series_a,
            Stage::SeriesB => &self.series_b,
            Stage::SeriesC => &self.series_c,
            Stage::SeriesDPlus => &self.series_d_plus,
        }
    }

    pub fn get_mut(&mut self, stage: Stage) -> &mut StageParams {
        match stage {
            Stage::PreSeed => &mut self.pre_seed,
            Stage::Seed => &mut self.seed,
            Stage::SeriesA => &mut self.series_a,
            Stage::SeriesB => &mut self.series_b,
            Stage::SeriesC => &mut self.series_c,
            Stage::SeriesDPlus => &mut self.series_d_plus,
        }
    }
}

/// Everything the path simulation needs to know about the market. `Default` is the documented model;
/// every field can be overridden per fund (see `ModelOverrides`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelParams {
    pub stages: StageTable,
    /// Model the fund's 1× non-participating preference on its cost at exit.
    pub liquidation_preference: Sourced<bool>,
}

const GRADUATION_CARTA: &str = "Carta 2018 cohort funnel (56.4% seed, 36.4% A, 14.8% B, 4.4% C); \
Carta seed→A 32.8% in 2 years (Q1 2021 cohort); A→B 40–50% by year 4";
const GRADUATION_PRE_SEED: &str = "assumption: the model table starts at seed→A, so pre-seed→seed \
takes the seed→A rate";
const GRADUATION_LAST: &str =
    "docs/reserves-model.md: the last stage always ends in exit or failure";
const EXIT_CALIBRATED: &str = "Carta 2018 cohort (5.5% acquired, 61.9% shut down) gives \
0.05/0.08/0.10 for pre-seed/seed/A; calibrated to 0.25/0.29/0.21 so a seed cheque reproduces the \
Correlation Ventures spread and a Series A cheque the ~60% published Series A loss rate (Carta counts \
acqui-hires and asset sales as shut-downs, Correlation as <1× outcomes; with the uncalibrated rates \
82% of seed paths fail outright, above the 65% <1× target). docs/reserves-model.md, Calibration by \
entry stage";
const EXIT_LATER: &str = "Carta 2018 cohort gives 0.12 (B) / 0.20 (C); calibrated to 0.34 / 0.46 \
so that, with the later-stage exit multiples, Series B and C cheques return < 1× about 40% and 33% \
of the time (published by-stage loss rates, docs/reserves-model.md; the uncalibrated defaults gave \
61% and 63%)";
const EXIT_LAST: &str =
    "calibrated: 0.8 (the model document's 0.6 from the Carta 2018 cohort made \
70% of D+ cheques lose money); later-stage deals lose money about a third of the time and very few \
lose everything (published by-stage loss rates, docs/reserves-model.md)";
const STEP_UP_MEDIAN: &str = "Carta seed median post $20M, Series A median pre $45M (2023)";
const STEP_UP_PRE_SEED: &str =
    "assumption: the model table starts at seed→A, so pre-seed→seed takes \
the seed→A step-up";
const STEP_UP_SIGMA: &str = "down rounds 5–23% of rounds (Carta 2022–24): σ 0.55 with the step-up \
medians gives 5% (seed→A) to 20% (C→D+) down rounds; the earlier 0.7 gave 9–25% and, once later \
stages were calibrated, too many ≥10× seed outcomes for the Correlation Ventures spread";
const DILUTION: &str = "Carta median dilution seed and A ≈ 20% (range 15–25%)";
const EXIT_MULTIPLE_MEDIAN: &str =
    "docs/reserves-model.md: M&A before the last stage at median 1.0× \
last post-money";
const EXIT_MULTIPLE_LATER: &str =
    "calibrated to the published by-stage loss rates (Series B ~40%, \
later stage ~33% < 1×; docs/reserves-model.md): later-stage sales and IPOs clear the last \
post-money more often than early M&A, median 1.2× (B), 1.3× (C), 1.35× (D+)";
const EXIT_MULTIPLE_SIGMA: &str = "calibrated to the Correlation Ventures spread (~21K financings \
2004–13): 0.5 (the model document's ≈1.0 leaves too few 5–10× and too many ≥10× outcomes)";
const EXIT_MULTIPLE_SIGMA_LATER: &str = "calibrated to the published by-stage loss rates (docs/\
reserves-model.md): 0.3 — later-stage exits cluster near the last post-money (\"very few lose \
all\"); a wider spread puts more than 40% of B and 33% of C/D+ cheques below 1×";
const YEARS: &str = "Carta median seed→A 2.1 years";
const NOT_APPLICABLE_LAST: &str = "not used: the last stage raises no further round";
const PREFERENCE: &str =
    "docs/reserves-model.md: optional; off so proceeds are ownership × exit value";

/// Builds one stage's defaults; `step_up` is `None` at the last stage, which raises no round. The
/// exit multiple is (median, sigma), each with its source.
fn stage_defaults(
    graduation: Sourced<f64>,
    exit: Sourced<f64>,
    step_up: Option<(f64, &'static str)>,
    exit_multiple: (Sourced<f64>, Sourced<f64>),
) -> StageParams {
    let (step_up_median, step_up_source, sigma_source, dilution_source) = match step_up {
        Some((median, source)) => (median, source, STEP_UP_SIGMA, DILUTION),
        None => (
            1.0,
            NOT_APPLICABLE_LAST,
            NOT_APPLICABLE_LAST,
            NOT_APPLICABLE_LAST,
        ),
    };
    StageParams {
        graduation,
        exit,
        step_up_median: Sourced::cited(step_up_median, step_up_source),
        step_up_sigma: Sourced::cited(0.55, sigma_source),
        dilution_min: Sourced::cited(0.15, dilution_source),
        dilution_max: Sourced::cited(0.25, dilution_source),
        exit_multiple_median: exit_multiple.0,
        exit_multiple_sigma: exit_multiple.1,
        years: Sourced::cited(2.1, YEARS),
    }
}

impl Default for ModelParams {
    fn default() -> Self {
        let graduation = |g| Sourced::cited(g, GRADUATION_CARTA);
        let exit = |e| Sourced::cited(e, EXIT_CALIBRATED);
        let exit_later = |e| Sourced::cited(e, EXIT_LATER);
        let mna = || {
            (
                Sourced::cited(1.0, EXIT_MULTIPLE_MEDIAN),
                Sourced::cited(0.5, EXIT_MULTIPLE_SIGMA),
            )
        };
        let later = |median| {
            (
                Sourced::cited(median, EXIT_MULTIPLE_LATER),
                Sourced::cited(0.3, EXIT_MULTIPLE_SIGMA_LATER),
            )
        };
        ModelParams {
            stages: StageTable {
                pre_seed: stage_defaults(
                    Sourced::cited(0.40, GRADUATION_PRE_SEED),
                    exit(0.25),
                    Some((2.5, STEP_UP_PRE_SEED)),
                    mna(),
                ),
                seed: stage_defaults(
                    graduation(0.40),
                    exit(0.29),
                    Some((2.5, STEP_UP_MEDIAN)),
                    mna(),
                ),
                series_a: stage_defaults(
                    graduation(0.45),
                    exit(0.21),
                    Some((2.2, STEP_UP_MEDIAN)),
                    mna(),
                ),
                series_b: stage_defaults(
                    graduation(0.45),
                    exit_later(0.34),
                    Some((1.9, STEP_UP_MEDIAN)),
                    later(1.2),
                ),
                series_c: stage_defaults(
                    graduation(0.40),
                    exit_later(0.46),
                    Some((1.6, STEP_UP_MEDIAN)),
                    later(1.3),
                ),
                series_d_plus: stage_defaults(
                    Sourced::cited(0.0, GRADUATION_LAST),
                    Sourced::cited(0.8, EXIT_LAST),
                    None,
                    later(1.35),
                ),
            },
            liquidation_preference: Sourced::cited(false, PREFERENCE),
        }
    }
}
