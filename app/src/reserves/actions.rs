//! What an analyst does with a ranking: apply its recommendation to the fund (one atomic batch of
//! RESERVE_ALLOCATED events, refused with 409 when the fund changed since the run looked at it),
//! and save it as a named scenario.

use chrono::Utc;
use domain::fund::{EventPayload, NewEvent, ReserveAllocated};
use domain::reserves::ReserveReport;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::store::{AppendRequest, EventMetadata, ReserveRun, ReserveScenario, RunStatus, Store, StoreError};

/// What applying a recommendation wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedPlan {
    /// The fund's version after the batch.
    pub version: u64,
    /// Companies whose planned reserve changed, with the new plan (deployed + recommended).
    pub changed: Vec<(String, rust_decimal::Decimal)>,
}

/// Applies run `run_id`'s recommendation for `picked` company ids (`None`: every ranked company).
/// Each changed company gets RESERVE_ALLOCATED with planned = deployed + recommended, effective
/// now, with `expected_version` the version the run looked at; the events record the run.
pub async fn apply_recommendation(
    store: &Store,
    fund_id: Uuid,
    run_id: Uuid,
    picked: Option<Vec<String>>,
    mut metadata: EventMetadata,
) -> Result<AppliedPlan, StoreError> {
    let run = finished_run(store, fund_id, run_id).await?;
    let report: ReserveReport = serde_json::from_value(run.result.clone().unwrap_or_default())?;
    if let Some(ids) = &picked {
        if ids.is_empty() {
            return Err(StoreError::invalid("companies", "choose at least one company"));
        }
        if let Some(unknown) = ids.iter().find(|id| !report.companies.iter().any(|c| &c.id == *id)) {
            return Err(StoreError::invalid("companies", format!("{unknown} is not ranked in this run")));
        }
    }
    let now = Utc::now();
    let mut events = Vec::new();
    let mut changed = Vec::new();
    for c in report.companies.iter().filter(|c| picked.as_ref().is_none_or(|ids| ids.contains(&c.id))) {
        if c.recommended_allocation == c.current_reserve {
            continue;
        }
        let company_id: Uuid = c.id.parse().map_err(|_| StoreError::Corrupt(format!("ranked company id {:?}", c.id)))?;
        let planned = c.deployed + c.recommended_allocation;
        events.push(NewEvent { effective_at: now, payload: EventPayload::ReserveAllocated(ReserveAllocated { company_id, amount: planned }) });
        changed.push((c.name.clone(), planned));
    }
    if events.is_empty() {
        return Err(StoreError::invalid("companies", "the recommendation changes nothing for these companies"));
    }
    metadata.reserve_run = Some(run_id);
    let req = AppendRequest {
        expected_version: Some(run.known_version),
        idempotency_key: None,
        fingerprint: format!("apply {run_id} {picked:?}"),
        events,
        metadata,
    };
    let outcome = store.append(fund_id, req).await?;
    Ok(AppliedPlan { version: outcome.version, changed })
}

/// Saves a finished run as a named scenario. Names: 1–120 characters, no control characters,
/// unique in the fund (case-insensitive); descriptions up to 2,000 characters.
pub async fn save_scenario(store: &Store, fund_id: Uuid, run_id: Uuid, name: &str, description: &str, created_by: &str) -> Result<ReserveScenario, StoreError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::invalid("name", "cannot be blank"));
    }
    if name.chars().count() > 120 || name.chars().any(char::is_control) {
        return Err(StoreError::invalid("name", "must be at most 120 characters, without control characters"));
    }
    let description = description.trim();
    if description.chars().count() > 2_000 || description.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(StoreError::invalid("description", "must be at most 2,000 characters"));
    }
    let run = finished_run(store, fund_id, run_id).await?;
    store.save_reserve_scenario(&run, name, description, created_by).await
}

async fn finished_run(store: &Store, fund_id: Uuid, run_id: Uuid) -> Result<ReserveRun, StoreError> {
    let run = store.reserve_run(fund_id, run_id).await?.ok_or_else(|| StoreError::invalid("run_id", "no such reserve run in this fund"))?;
    if run.status != RunStatus::Succeeded {
        return Err(StoreError::invalid("run_id", format!("the run has not succeeded ({})", run.status.as_str())));
    }
    Ok(run)
}
