//! Reserve runs from a request to a result: resolve the fund at the requested dates, answer from
//! the cache when the same question was answered before, else queue a durable run.

use std::sync::Arc;

use domain::reserves::{portfolio_from_state, FundPortfolio, ReserveAssumptions, ReserveError, RunParams};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::run_spec::RunSpec;
use crate::store::{NewReserveRun, ReserveRun, Store, StoreError};

/// Who asked for a run.
#[derive(Debug, Clone)]
pub struct Requester {
    pub user: Option<Uuid>,
    /// As events record their author (`alice@fund.com`, or `… (API token …)`).
    pub actor: String,
}

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answered {
    /// This process's in-memory cache.
    Memory,
    /// A result stored by an earlier run (on any process).
    Database,
    /// An identical run is already queued or running: the caller follows it.
    Joined,
    /// A new run was queued.
    Queued,
}

/// The outcome of a request: the run that answers it, and how.
#[derive(Debug, Clone)]
pub struct RunAnswer {
    pub run: Arc<ReserveRun>,
    pub answered: Answered,
}

/// The engine's input and parameters as stored with a run, so any process can execute it again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredInput {
    pub portfolio: domain::reserves::PortfolioInput,
    pub excluded: Vec<domain::reserves::ExcludedCompany>,
    pub assumptions: ReserveAssumptions,
}

impl StoredInput {
    pub fn into_portfolio(self) -> FundPortfolio {
        FundPortfolio { input: self.portfolio, excluded: self.excluded, assumptions: self.assumptions }
    }
}

/// Answers a run request: from the cache, from a stored result, by joining an identical run in
/// progress, or by queuing a new one. Nothing is written when the request is invalid.
pub async fn request_run(store: &Store, fund_id: Uuid, who: &Requester, spec: &RunSpec) -> Result<RunAnswer, StoreError> {
    let resolved = resolve(store, fund_id, spec).await?;
    if let Some(run) = store.reserve_cache().get(&resolved.cache_key) {
        metrics::counter!("reserve_cache_hits_total", "layer" => "memory").increment(1);
        return Ok(RunAnswer { run, answered: Answered::Memory });
    }
    if let Some(run) = store.reserve_result_by_key(&resolved.cache_key).await? {
        metrics::counter!("reserve_cache_hits_total", "layer" => "database").increment(1);
        let run = Arc::new(run);
        store.reserve_cache().insert(resolved.cache_key.clone(), run.clone());
        return Ok(RunAnswer { run, answered: Answered::Database });
    }
    metrics::counter!("reserve_cache_misses_total").increment(1);
    if let Some(run) = store.active_reserve_run_by_key(&resolved.cache_key).await? {
        return Ok(RunAnswer { run: Arc::new(run), answered: Answered::Joined });
    }
    let new = NewReserveRun {
        fund_id,
        requested_by: who.user,
        actor: who.actor.clone(),
        as_of: spec.as_of,
        known_at: spec.known_at,
        known_version: resolved.known_version,
        seen_version: resolved.seen_version,
        iterations: spec.iterations,
        increment: spec.increment,
        seed: spec.seed,
        assumptions: serde_json::to_value(&resolved.input.assumptions)?,
        input: serde_json::to_value(&resolved.input)?,
        params: serde_json::to_value(&resolved.params)?,
        cache_key: resolved.cache_key,
    };
    let run = store.queue_reserve_run(&new).await?;
    Ok(RunAnswer { run: Arc::new(run), answered: Answered::Queued })
}

/// A request resolved against the fund's history.
struct Resolved {
    input: StoredInput,
    params: RunParams,
    known_version: u64,
    seen_version: u64,
    cache_key: String,
}

async fn resolve(store: &Store, fund_id: Uuid, spec: &RunSpec) -> Result<Resolved, StoreError> {
    let at = store.state(fund_id, spec.as_of, spec.known_at).await?;
    if !at.state.exists {
        return Err(StoreError::invalid("as_of", "is before the fund existed"));
    }
    if spec.increment > at.state.committed {
        return Err(StoreError::invalid("increment", format!("must not exceed the fund's committed capital ({})", at.state.committed)));
    }
    let mut portfolio = portfolio_from_state(&at.state);
    if portfolio.assumptions.variance_adjustment.is_some() {
        let facts = store.variance_facts(fund_id, spec.as_of, spec.known_at).await?;
        portfolio.adjust_for_variance(facts.lines(), spec.as_of);
    }
    let mut params = RunParams { iterations: spec.iterations, seed: spec.seed, increment: spec.increment, ..RunParams::default() };
    portfolio.assumptions.apply(&mut params);
    params.validate().map_err(reserve_error)?;
    let input = StoredInput { portfolio: portfolio.input, excluded: portfolio.excluded, assumptions: portfolio.assumptions };
    let seen_version = at.state.last_version;
    let cache_key = cache_key(fund_id, spec, seen_version, &input.assumptions)?;
    Ok(Resolved { input, params, known_version: at.version, seen_version, cache_key })
}

/// Everything that determines a ranking, hashed: the fund, the dates, the fund version those dates
/// see (so an append that changes the answer changes the key), the run settings and the assumptions.
fn cache_key(fund_id: Uuid, spec: &RunSpec, seen_version: u64, assumptions: &ReserveAssumptions) -> Result<String, StoreError> {
    let material = serde_json::json!({
        "fund": fund_id,
        "as_of": spec.as_of,
        "known_at": spec.known_at,
        "seen_version": seen_version,
        "iterations": spec.iterations,
        "increment": spec.increment.normalize().to_string(),
        "seed": spec.seed.to_string(),
        "assumptions": assumptions,
        "engine": ENGINE_REVISION,
    });
    Ok(hex::encode(Sha256::digest(serde_json::to_vec(&material)?)))
}

/// Bumped when the engine's output for the same input changes, so stored results of an older
/// engine are not served as current.
pub const ENGINE_REVISION: u32 = 1;

/// The engine's own error, as a store error naming the field.
pub fn reserve_error(e: ReserveError) -> StoreError {
    match e {
        ReserveError::Invalid { field, message } => StoreError::Invalid { field, message },
        ReserveError::Cancelled => StoreError::invalid("run", "cancelled"),
    }
}
