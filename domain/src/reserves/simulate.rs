//! Runs the paths of every company, in parallel chunks whose sums are combined in a fixed order.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

#[cfg(feature = "parallel")]
use rayon::prelude::*;

use super::company_sums::{CompanyPlan, CompanySums};
use super::error::ReserveError;
use super::path::{draw_path, CompiledModel};
use super::rng::{independent_arm_seed, PathStreams};
use super::run_params::ArmPairing;

/// Iterations per unit of work. Fixed, not derived from the thread count, so the order in which
/// floating-point sums are combined — and hence every output byte — is the same on any machine.
const CHUNK: u32 = 500;

/// One unit of work: a company and a range of its iterations.
struct Chunk {
    company: usize,
    start: u32,
    end: u32,
}

/// What to simulate: `iterations` paths for each company plan.
pub(crate) struct Simulation<'a> {
    pub(crate) plans: &'a [CompanyPlan],
    pub(crate) model: &'a CompiledModel,
    pub(crate) seed: u64,
    pub(crate) iterations: u32,
    pub(crate) pairing: ArmPairing,
}

impl Simulation<'_> {
    /// Runs every company's paths. `progress` receives the fraction of chunks done, scaled by
    /// `progress_share` so the caller can keep the rest for its own steps; it is called under a lock,
    /// so values arrive in increasing order. Raising `cancel` stops the run between chunks.
    pub(crate) fn run(
        &self,
        progress: &(dyn Fn(f64) + Send + Sync),
        progress_share: f64,
        cancel: &AtomicBool,
    ) -> Result<Vec<CompanySums>, ReserveError> {
        let Simulation {
            plans,
            model,
            seed,
            iterations,
            pairing,
        } = *self;
        let chunks: Vec<Chunk> = (0..plans.len())
            .flat_map(|company| {
                (0..iterations)
                    .step_by(CHUNK as usize)
                    .map(move |start| Chunk {
                        company,
                        start,
                        end: (start + CHUNK).min(iterations),
                    })
            })
            .collect();
        let total = chunks.len() as f64;
        let done = Mutex::new(0usize);
        let plus_seed = match pairing {
            ArmPairing::Common => None,
            ArmPairing::Independent => Some(independent_arm_seed(seed)),
        };
        let work = |chunk: &Chunk| -> Result<CompanySums, ReserveError> {
            if cancel.load(Ordering::Relaxed) {
                return Err(ReserveError::Cancelled);
            }
            let sums = simulate_chunk(
                &plans[chunk.company],
                model,
                seed,
                plus_seed,
                chunk.start,
                chunk.end,
            );
            let mut done = done.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            *done += 1;
            progress(*done as f64 / total * progress_share);
            Ok(sums)
        };
        #[cfg(feature = "parallel")]
        let chunk_sums: Vec<CompanySums> = chunks.par_iter().map(work).collect::<Result<_, _>>()?;
        #[cfg(not(feature = "parallel"))]
        let chunk_sums: Vec<CompanySums> = chunks.iter().map(work).collect::<Result<_, _>>()?;

        let mut per_company: Vec<CompanySums> = plans
            .iter()
            .map(|p| CompanySums::new(p.levels.len()))
            .collect();
        for (chunk, sums) in chunks.iter().zip(&chunk_sums) {
            per_company[chunk.company].merge(sums);
        }
        Ok(per_company)
    }
}

fn simulate_chunk(
    plan: &CompanyPlan,
    model: &CompiledModel,
    seed: u64,
    plus_seed: Option<u64>,
    start: u32,
    end: u32,
) -> CompanySums {
    let mut sums = CompanySums::new(plan.levels.len());
    let preference = model.liquidation_preference;
    for iteration in start..end {
        let mut streams = PathStreams::new(seed, plan.key, u64::from(iteration));
        let path = draw_path(model, plan.stage, plan.post_money, plan.graduation_factor, &mut streams);
        match plus_seed {
            None => sums.add(plan, &path, None, preference),
            Some(plus_seed) => {
                let mut plus_streams = PathStreams::new(plus_seed, plan.key, u64::from(iteration));
                let plus_path = draw_path(model, plan.stage, plan.post_money, plan.graduation_factor, &mut plus_streams);
                sums.add(plan, &path, Some(&plus_path), preference);
            }
        }
    }
    sums
}
