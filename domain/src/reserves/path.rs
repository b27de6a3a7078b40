//! One simulated company path, and what the fund's holding is worth on it at any reserve level.
use super::model::ModelParams;
use super::rng::PathStreams;
use super::stage::Stage;

/// At most five rounds: pre-seed → seed → A → B → C → D+.
pub(crate) const MAX_ROUNDS: usize = Stage::ALL.len() - 1;

/// The model as the inner loop reads it: plain f64 tables indexed by stage, logs taken once.
#[derive(Debug, Clone)]
pub(crate) struct CompiledModel {
    graduation: [f64; 6],
    /// An outcome draw at or above graduation and below graduation + exit is an exit.
    exit: [f64; 6],
    log_step_up_median: [f64; 6],
    step_up_sigma: [f64; 6],
    dilution_min: [f64; 6],
    dilution_span: [f64; 6],
    log_exit_median: [f64; 6],
    exit_sigma: [f64; 6],
    years: [f64; 6],
    pub(crate) liquidation_preference: bool,
}

impl CompiledModel {
    pub(crate) fn new(model: &ModelParams) -> Self {
        let table = |f: &dyn Fn(Stage) -> f64| Stage::ALL.map(f);
        let p = |s: Stage| model.stages.get(s);
        CompiledModel {
            graduation: table(&|s| p(s).graduation.value),
            exit: table(&|s| p(s).exit.value),
            log_step_up_median: table(&|s| p(s).step_up_median.value.ln()),
            step_up_sigma: table(&|s| p(s).step_up_sigma.value),
            dilution_min: table(&|s| p(s).dilution_min.value),
            dilution_span: table(&|s| p(s).dilution_max.value - p(s).dilution_min.value),
            log_exit_median: table(&|s| p(s).exit_multiple_median.value.ln()),
            exit_sigma: table(&|s| p(s).exit_multiple_sigma.value),
            years: table(&|s| p(s).years.value),
            liquidation_preference: model.liquidation_preference.value,
        }
    }
}

/// A round raised on the path: its post-money and the dilution it caused.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Round {
    pub(crate) post_money: f64,
    pub(crate) dilution: f64,
}

/// The market's side of one path: rounds raised and how it ended. Reserves play no part here, so
/// every reserve level of a company is valued on the same path.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Path {
    pub(crate) rounds: [Round; MAX_ROUNDS],
    pub(crate) n_rounds: usize,
    /// Company value at exit; zero when the company failed.
    pub(crate) exit_value: f64,
    /// Years from now to the exit or failure.
    pub(crate) years: f64,
}

/// Draws one path for a company now at `stage` with the given last post-money. `graduation_factor`
/// multiplies the graduation probability of every stage on the path (the fund's variance
/// adjustment; 1 for the model as it stands): the odds it takes away become failure, exit odds
/// stay. With 1 the draws are bit for bit those of the unadjusted model.
#[inline]
pub(crate) fn draw_path(
    model: &CompiledModel,
    stage: Stage,
    post_money: f64,
    graduation_factor: f64,
    streams: &mut PathStreams,
) -> Path {
    let mut path = Path {
        rounds: [Round::default(); MAX_ROUNDS],
        n_rounds: 0,
        exit_value: 0.0,
        years: 0.0,
    };
    let mut s = stage.index();
    let mut post = post_money;
    loop {
        path.years += model.years[s];
        let u = streams.outcome();
        let graduation = model.graduation[s] * graduation_factor;
        if u < graduation {
            let step_up =
                (model.log_step_up_median[s] + model.step_up_sigma[s] * streams.step_up()).exp();
            let dilution = model.dilution_min[s] + model.dilution_span[s] * streams.dilution();
            post = post * step_up / (1.0 - dilution);
            path.rounds[path.n_rounds] = Round {
                post_money: post,
                dilution,
            };
            path.n_rounds += 1;
            s += 1;
        } else {
            if u < graduation + model.exit[s] {
                let multiple = (model.log_exit_median[s]
                    + model.exit_sigma[s] * streams.exit_multiple())
                .exp();
                path.exit_value = post * multiple;
            }
            return path;
        }
    }
}

/// The fund's position in a company when the path starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Holding {
    pub(crate) ownership: f64,
    pub(crate) cost: f64,
}

/// How a reserve level turns into ownership on one path.
///
/// While reserve lasts the fund takes its full pro-rata, which keeps its ownership at the starting
/// level; the round where the reserve runs out gets the remainder, and later rounds only dilute. So
/// on each path final ownership is piecewise linear in the reserve L: on segment k (cumulative full
/// pro-rata S_{k-1} ≤ L < S_k) it is `a[k] + b[k]·L`, and from S_n on it is the starting ownership.
/// Deployed capital is min(L, S_n).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReserveSchedule {
    pub(crate) n: usize,
    /// Cumulative full pro-rata through round k.
    pub(crate) cumulative: [f64; MAX_ROUNDS],
    pub(crate) a: [f64; MAX_ROUNDS],
    pub(crate) b: [f64; MAX_ROUNDS],
}

impl ReserveSchedule {
    #[inline]
    pub(crate) fn new(path: &Path, ownership: f64) -> Self {
        let n = path.n_rounds;
        let mut s = ReserveSchedule {
            n,
            cumulative: [0.0; MAX_ROUNDS],
            a: [0.0; MAX_ROUNDS],
            b: [0.0; MAX_ROUNDS],
        };
        let mut cumulative = 0.0;
        for (k, round) in path.rounds[..n].iter().enumerate() {
            let before = cumulative;
            cumulative += ownership * round.dilution * round.post_money;
            s.cumulative[k] = cumulative;
            // b and a before the later rounds' dilution is applied below.
            s.b[k] = 1.0 / round.post_money;
            s.a[k] = ownership * (1.0 - round.dilution) - before / round.post_money;
        }
        let mut later_dilution = 1.0;
        for k in (0..n).rev() {
            s.a[k] *= later_dilution;
            s.b[k] *= later_dilution;
            later_dilution *= 1.0 - path.rounds[k].dilution;
        }
        s
    }

    /// Full pro-rata over the whole path: reserve beyond this is never deployed.
    #[inline]
    pub(crate) fn total(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.cumulative[self.n - 1]
        }
    }

    /// Final ownership and deployed capital with reserve `level`.
    #[inline]
    pub(crate) fn at(&self, level: f64, ownership: f64) -> (f64, f64) {
        for k in 0..self.n {
            if level < self.cumulative[k] {
                return (self.a[k] + self.b[k] * level, level);
            }
        }
        (ownership, self.total())
    }
}

/// The fund's proceeds at exit for a final ownership and total cost. With the optional 1×
/// non-participating preference the fund takes the better of converting and its cost back (capped
/// by the exit value).
#[inline]
pub(crate) fn proceeds(exit_value: f64, ownership: f64, cost: f64, preference: bool) -> f64 {
    let converted = ownership * exit_value;
    if preference {
        converted.max(cost.min(exit_value))
    } else {
        converted
    }
}

/// Proceeds and deployed capital on one path with reserve `level`.
#[inline]
pub(crate) fn value_at(
    path: &Path,
    schedule: &ReserveSchedule,
    holding: Holding,
    level: f64,
    preference: bool,
) -> (f64, f64) {
    let (ownership, deployed) = schedule.at(level, holding.ownership);
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
