//! Greedy water-filling of the available reserves over increments (docs/reserves-model.md).
use rust_decimal::Decimal;

/// One active company's reserve grid and the simulated value at each level.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Allowed reserve levels, ascending from 0 in allocation increments; the last is the company's
    /// cap (which may be a partial increment above the one before).
    pub(crate) levels: Vec<Decimal>,
    /// Sums over paths of proceeds and of deployed capital at each level.
    pub(crate) proceeds: Vec<f64>,
    pub(crate) deployed: Vec<f64>,
    /// Reserve the floor asks for (1.5× the initial cheque less what is already deployed); zero when
    /// there is no floor.
    pub(crate) floor: Decimal,
    /// Whether the company's follow-on multiple (the ranking figure) clears the hurdle, which is what
    /// entitles it to its floor.
    pub(crate) clears_hurdle: bool,
}

impl Candidate {
    /// Follow-on multiple of moving from level `from` to level `to`: extra proceeds per extra dollar
    /// deployed. `None` when the extra reserve is (almost) never called, so its multiple is undefined.
    fn multiple(&self, from: usize, to: usize) -> Option<f64> {
        let extra_deployed = self.deployed[to] - self.deployed[from];
        let extra_reserve = decimal_to_f64(self.levels[to] - self.levels[from]);
        if extra_deployed > extra_reserve * 1e-9 {
            Some((self.proceeds[to] - self.proceeds[from]) / extra_deployed)
        } else {
            None
        }
    }
}

impl Candidate {
    /// Follow-on multiple of each increment, from level i to i + 1.
    pub(crate) fn marginals(&self) -> Vec<Option<f64>> {
        (1..self.levels.len())
            .map(|i| self.multiple(i - 1, i))
            .collect()
    }
}

/// The outcome: the chosen level index per candidate and what was left over.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Allocation {
    pub(crate) level: Vec<usize>,
    /// Whether the candidate's floor was granted (in full or as far as the budget allowed).
    pub(crate) floor_granted: Vec<bool>,
    pub(crate) unallocated: Decimal,
}

/// Splits `budget` among the candidates.
///
/// 1. Floors: in rank order, each candidate whose follow-on multiple clears the hurdle is raised to
///    the first grid level covering its floor (capped), as far as the budget allows.
/// 2. Water-filling: repeatedly give the next increment to the candidate whose next increment has the
///    highest follow-on multiple, provided it clears the hurdle and fits the remaining budget; ties
///    go to the better-ranked candidate. Stops when no increment qualifies.
///
/// Greedy is the right rule because a company's marginal multiple falls as its reserve grows (see
/// the `reserves_marginal` tests for where the model bends that and by how much). Every step moves an
/// exact Decimal amount, so allocated + unallocated = budget exactly.
pub(crate) fn allocate(
    candidates: &[Candidate],
    rank_order: &[usize],
    budget: Decimal,
    hurdle: f64,
) -> Allocation {
    let mut level = vec![0usize; candidates.len()];
    let mut floor_granted = vec![false; candidates.len()];
    let mut remaining = budget;

    for &c in rank_order {
        let cand = &candidates[c];
        if !cand.clears_hurdle || cand.floor <= Decimal::ZERO || cand.levels.len() < 2 {
            continue;
        }
        let wanted = cand
            .levels
            .partition_point(|&l| l < cand.floor)
            .min(cand.levels.len() - 1);
        let affordable = cand.levels[..=wanted].partition_point(|&l| l <= remaining) - 1;
        if affordable > 0 {
            level[c] = affordable;
            floor_granted[c] = true;
            remaining -= cand.levels[affordable];
        }
    }

    let marginals: Vec<Vec<Option<f64>>> = candidates.iter().map(Candidate::marginals).collect();
    loop {
        let mut best: Option<(usize, f64)> = None;
        for &c in rank_order {
            let i = level[c];
            let Some(Some(m)) = marginals[c].get(i) else {
                continue;
            };
            let step = candidates[c].levels[i + 1] - candidates[c].levels[i];
            if *m >= hurdle && step <= remaining && best.is_none_or(|(_, b)| *m > b) {
                best = Some((c, *m));
            }
        }
        let Some((c, _)) = best else { break };
        remaining -= candidates[c].levels[level[c] + 1] - candidates[c].levels[level[c]];
        level[c] += 1;
    }
    Allocation {
        level,
        floor_granted,
        unallocated: remaining,
    }
}

pub(crate) fn decimal_to_f64(d: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or(f64::MAX)
}
