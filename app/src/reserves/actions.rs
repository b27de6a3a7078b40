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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AppliedPlan {
    /// The fund's version after the batch.
    pub version: u64,
    /// Companies whose planned reserve changed, with the new plan (deployed + recommended).
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Vec<String>>))]
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
        undated: Vec::new(),
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

/// Records RESERVE_ASSUMPTIONS_SET from the fund's assumptions as JSON (`{model?, constraints?,
/// reserve_budget?}`), replacing the whole set from `effective_at` on. Errors name the field as
/// written in the JSON (`model.stages.seed.graduation`); nothing is written on an error.
pub async fn set_assumptions(
    store: &Store,
    fund_id: Uuid,
    assumptions: domain::reserves::ReserveAssumptions,
    effective_at: chrono::DateTime<Utc>,
    metadata: EventMetadata,
) -> Result<u64, StoreError> {
    assumptions.validate().map_err(super::service::reserve_error)?;
    let req = AppendRequest {
        expected_version: None,
        idempotency_key: None,
        fingerprint: serde_json::to_string(&assumptions)?,
        events: vec![NewEvent { effective_at, payload: EventPayload::ReserveAssumptionsSet(Box::new(assumptions)) }],
        undated: Vec::new(),
        metadata,
    };
    match store.append(fund_id, req).await {
        Ok(outcome) => Ok(outcome.version),
        // The only event of the batch: name the field as the caller wrote it.
        Err(StoreError::Invalid { field, message }) => {
            Err(StoreError::Invalid { field: field.trim_start_matches("events[0].").trim_start_matches("payload.").to_string(), message })
        }
        Err(e) => Err(e),
    }
}

/// Parses assumptions JSON as a form sends it, naming the field at fault (`model.stages.seed.exit`).
pub fn parse_assumptions(json: &str) -> Result<domain::reserves::ReserveAssumptions, StoreError> {
    let trimmed = json.trim();
    let text = if trimmed.is_empty() { "{}" } else { trimmed };
    if text.len() > 64 * 1024 {
        return Err(StoreError::invalid("assumptions", "is longer than 64 KB"));
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        StoreError::invalid(if path == "." || path.is_empty() { "assumptions".to_string() } else { path }, message)
    })
}
