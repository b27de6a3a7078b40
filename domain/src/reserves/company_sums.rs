//! Sums one company's simulated paths leave behind, for every reserve level and for the ranking arms.
use super::path::{proceeds, value_at, Holding, Path, ReserveSchedule};

/// A company as the simulation sees it, amounts in f64 dollars.
#[derive(Debug, Clone)]
pub(crate) struct CompanyPlan {
    pub(crate) key: u64,
    pub(crate) stage: super::stage::Stage,
    pub(crate) post_money: f64,
    /// Multiplies every stage's graduation probability (the fund's variance adjustment).
    pub(crate) graduation_factor: f64,
    pub(crate) holding: Holding,
    /// Reserve levels of the allocation grid, ascending from 0.
    pub(crate) levels: Vec<f64>,
    /// Reserve as planned (arm R) and with the ranking increment on top (arm R + Δ).
    pub(crate) planned: f64,
    pub(crate) planned_plus: f64,
}

/// Paired-arm sums for the follow-on estimate: D = proceeds(R+Δ) − proceeds(R),
/// C = deployed(R+Δ) − deployed(R), per iteration.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PairSums {
    pub(crate) n: f64,
    pub(crate) d: f64,
    pub(crate) c: f64,
    pub(crate) dd: f64,
    pub(crate) cc: f64,
    pub(crate) dc: f64,
    /// Proceeds and deployed capital of arm R (the company as planned).
    pub(crate) planned_proceeds: f64,
    pub(crate) planned_deployed: f64,
    pub(crate) years: f64,
}

impl PairSums {
    #[inline]
    fn add(&mut self, planned: (f64, f64), plus: (f64, f64), years: f64) {
        let d = plus.0 - planned.0;
        let c = plus.1 - planned.1;
        self.n += 1.0;
        self.d += d;
        self.c += c;
        self.dd += d * d;
        self.cc += c * c;
        self.dc += d * c;
        self.planned_proceeds += planned.0;
        self.planned_deployed += planned.1;
        self.years += years;
    }

    fn merge(&mut self, o: &PairSums) {
        self.n += o.n;
        self.d += o.d;
        self.c += o.c;
        self.dd += o.dd;
        self.cc += o.cc;
        self.dc += o.dc;
        self.planned_proceeds += o.planned_proceeds;
        self.planned_deployed += o.planned_deployed;
        self.years += o.years;
    }
}

/// Sums over paths of proceeds and deployed capital at every grid level.
///
/// Values at every level come from one pass per path: each path adds its piecewise-linear pieces
/// (see `ReserveSchedule`) to difference arrays over level indices, so a path costs a few binary
/// searches instead of one evaluation per level. `finish` turns the differences into sums.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LevelSums {
    /// Proceeds that do not depend on the level (paths that raise no further round).
    flat_proceeds: f64,
    /// Differences of the intercept and slope of proceeds in the level.
    intercept: Vec<f64>,
    slope: Vec<f64>,
    /// Differences of the number of paths that deploy the whole level, and of the deployed capital
    /// of paths whose full pro-rata is below the level.
    deploying: Vec<f64>,
    saturated: Vec<f64>,
    /// Per-level proceeds evaluated one by one, when the preference makes them non-linear.
    direct: Vec<f64>,
}

impl LevelSums {
    fn new(n_levels: usize) -> Self {
        LevelSums {
            flat_proceeds: 0.0,
            intercept: vec![0.0; n_levels + 1],
            slope: vec![0.0; n_levels + 1],
            deploying: vec![0.0; n_levels + 1],
            saturated: vec![0.0; n_levels + 1],
            direct: vec![0.0; n_levels],
        }
    }

    #[inline]
    fn add(
        &mut self,
        levels: &[f64],
        path: &Path,
        schedule: &ReserveSchedule,
        holding: Holding,
        preference: bool,
    ) {
        if schedule.n == 0 {
            if path.exit_value > 0.0 {
                self.flat_proceeds +=
                    proceeds(path.exit_value, holding.ownership, holding.cost, preference);
            }
            return;
        }
        let total = schedule.total();
        let first_saturated = levels.partition_point(|&l| l < total);
        self.deploying[0] += 1.0;
        self.deploying[first_saturated] -= 1.0;
        self.saturated[first_saturated] += total;
        if path.exit_value <= 0.0 {
            return;
        }
        if preference {
            for (i, &level) in levels.iter().enumerate() {
                self.direct[i] += value_at(path, schedule, holding, level, true).0;
            }
            return;
        }
        let exit_value = path.exit_value;
        let mut lo = 0;
        for k in 0..schedule.n {
            let hi = lo + levels[lo..].partition_point(|&l| l < schedule.cumulative[k]);
            if hi > lo {
                let (a, b) = (exit_value * schedule.a[k], exit_value * schedule.b[k]);
                self.intercept[lo] += a;
                self.intercept[hi] -= a;
                self.slope[lo] += b;
                self.slope[hi] -= b;
            }
            lo = hi;
        }
        self.intercept[first_saturated] += exit_value * holding.ownership;
    }

    fn merge(&mut self, o: &LevelSums) {
        self.flat_proceeds += o.flat_proceeds;
        for (x, y) in [
            (&mut self.intercept, &o.intercept),
            (&mut self.slope, &o.slope),
            (&mut self.deploying, &o.deploying),
            (&mut self.saturated, &o.saturated),
            (&mut self.direct, &o.direct),
        ] {
            x.iter_mut().zip(y).for_each(|(a, b)| *a += b);
        }
    }

    /// Sums of proceeds and of deployed capital at each level.
    pub(crate) fn finish(&self, levels: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (mut a, mut b, mut n, mut s) = (0.0, 0.0, 0.0, 0.0);
        let mut proceeds = Vec::with_capacity(levels.len());
        let mut deployed = Vec::with_capacity(levels.len());
        for (i, &level) in levels.iter().enumerate() {
            a += self.intercept[i];
            b += self.slope[i];
            n += self.deploying[i];
            s += self.saturated[i];
            proceeds.push(self.flat_proceeds + a + b * level + self.direct[i]);
            deployed.push(n * level + s);
        }
        (proceeds, deployed)
    }
}

/// (proceeds, deployed) of arm R and of arm R + Δ on one iteration. `schedule` is `path`'s;
/// `plus_path` is arm R + Δ's own path for independent arms, `None` with common random numbers.
#[inline]
pub(crate) fn arms(
    plan: &CompanyPlan,
    path: &Path,
    schedule: &ReserveSchedule,
    plus_path: Option<&Path>,
    preference: bool,
) -> ((f64, f64), (f64, f64)) {
    let holding = plan.holding;
    let planned = value_at(path, schedule, holding, plan.planned, preference);
    let plus = match plus_path {
        None if schedule.n == 0 => planned,
        None => value_at(path, schedule, holding, plan.planned_plus, preference),
        Some(other) => {
            let other_schedule = ReserveSchedule::new(other, holding.ownership);
            value_at(
                other,
                &other_schedule,
                holding,
                plan.planned_plus,
                preference,
            )
        }
    };
    (planned, plus)
}

/// Everything one company's paths contribute; chunks of iterations are summed in a fixed order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompanySums {
    pub(crate) pair: PairSums,
    pub(crate) levels: LevelSums,
}

impl CompanySums {
    pub(crate) fn new(n_levels: usize) -> Self {
        CompanySums {
            pair: PairSums::default(),
            levels: LevelSums::new(n_levels),
        }
    }

    /// Adds one iteration. `plus_path` is the path of arm R + Δ: the same as `path` with common random
    /// numbers, a separately drawn one for independent arms.
    #[inline]
    pub(crate) fn add(
        &mut self,
        plan: &CompanyPlan,
        path: &Path,
        plus_path: Option<&Path>,
        preference: bool,
    ) {
        let schedule = ReserveSchedule::new(path, plan.holding.ownership);
        self.levels
            .add(&plan.levels, path, &schedule, plan.holding, preference);
        let (planned, plus) = arms(plan, path, &schedule, plus_path, preference);
        self.pair.add(planned, plus, path.years);
    }

    pub(crate) fn merge(&mut self, o: &CompanySums) {
        self.pair.merge(&o.pair);
        self.levels.merge(&o.levels);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reserves::model::ModelParams;
    use crate::reserves::path::{draw_path, CompiledModel};
    use crate::reserves::rng::PathStreams;
    use crate::reserves::stage::Stage;

    /// The model document's rule applied round by round: take pro-rata (ownership × round size) up to
    /// what is left of the reserve, then update ownership from the cheque and the dilution.
    fn round_by_round(path: &Path, holding: Holding, reserve: f64, preference: bool) -> (f64, f64) {
        let (mut ownership, mut left, mut deployed) = (holding.ownership, reserve, 0.0);
        for r in &path.rounds[..path.n_rounds] {
            let cheque = (ownership * r.dilution * r.post_money).min(left);
            left -= cheque;
            deployed += cheque;
            ownership = ownership * (1.0 - r.dilution) + cheque / r.post_money;
        }
        let p = if path.exit_value > 0.0 {
            proceeds(
                path.exit_value,
                ownership,
                holding.cost + deployed,
                preference,
            )
        } else {
            0.0
        };
        (p, deployed)
    }

    fn paths(stage: Stage, n: u64) -> Vec<Path> {
        let model = CompiledModel::new(&ModelParams::default());
        (0..n)
            .map(|i| draw_path(&model, stage, 12e6, 1.0, &mut PathStreams::new(9, 1, i)))
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn given_any_reserve_when_valued_by_schedule_then_it_matches_round_by_round_pro_rata() {
        let holding = Holding {
            ownership: 0.12,
            cost: 1.5e6,
        };
        for preference in [false, true] {
            for path in paths(Stage::PreSeed, 2_000) {
                let schedule = ReserveSchedule::new(&path, holding.ownership);
                for reserve in [0.0, 1e5, 4e5, 1e6, 2.5e6, 7e6, 3e7] {
                    let (p, d) = value_at(&path, &schedule, holding, reserve, preference);
                    let (p0, d0) = round_by_round(&path, holding, reserve, preference);
                    assert!(
                        close(p, p0) && close(d, d0),
                        "reserve {reserve}: ({p}, {d}) vs ({p0}, {d0})"
                    );
                }
            }
        }
    }

    #[test]
    fn given_a_grid_when_summed_in_one_pass_then_each_level_matches_valuing_every_path_directly() {
        let holding = Holding {
            ownership: 0.1,
            cost: 1e6,
        };
        let levels: Vec<f64> = (0..=24)
            .map(|i| f64::from(i) * 250_000.0)
            .chain([6_100_000.0])
            .collect();
        for preference in [false, true] {
            let mut sums = LevelSums::new(levels.len());
            let mut direct = vec![(0.0, 0.0); levels.len()];
            for path in paths(Stage::Seed, 5_000) {
                let schedule = ReserveSchedule::new(&path, holding.ownership);
                sums.add(&levels, &path, &schedule, holding, preference);
                for (i, &level) in levels.iter().enumerate() {
                    let (p, d) = round_by_round(&path, holding, level, preference);
                    direct[i].0 += p;
                    direct[i].1 += d;
                }
            }
            let (proceeds, deployed) = sums.finish(&levels);
            for i in 0..levels.len() {
                assert!(
                    close(proceeds[i], direct[i].0),
                    "level {}: proceeds {} vs {}",
                    levels[i],
                    proceeds[i],
                    direct[i].0
                );
                assert!(
                    close(deployed[i], direct[i].1),
                    "level {}: deployed {} vs {}",
                    levels[i],
                    deployed[i],
                    direct[i].1
                );
            }
        }
    }
}
