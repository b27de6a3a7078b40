use leptos::prelude::*;

use super::page_data::StartedRun;

/// "Calculate": starts a reserve run for the tab's date with the form's settings (analysts).
/// Without JavaScript the browser comes back to the tab, which follows the run.
#[server(prefix = "/sfn", endpoint = "start_reserve_run")]
pub async fn start_reserve_run(
    fund_id: String,
    at: Option<String>,
    known_at: Option<String>,
    iterations: Option<String>,
    increment: Option<String>,
    seed: Option<String>,
) -> Result<StartedRun, ServerFnError> {
    use super::run_spec::{RawRunSpec, RunSpec};
    use super::service::{request_run, Answered, Requester};
    let store = crate::server::store()?;
    let (id, principal, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let settings = use_context::<super::ReserveSettings>().unwrap_or_default();
    let text = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).map(serde_json::Value::String);
    let raw = RawRunSpec { as_of: at, known_at, iterations: text(iterations), increment: text(increment), seed: text(seed) };
    let spec = RunSpec::parse(&raw, settings.default_iterations, chrono::Utc::now()).map_err(crate::server::to_server_error)?;
    let who = Requester { user: Some(principal.user.id), actor: principal.actor() };
    let answer = request_run(&store, id, &who, &spec).await.map_err(crate::server::to_server_error)?;
    Ok(StartedRun {
        run_id: answer.run.id,
        status: answer.run.status.as_str().to_string(),
        events_url: format!("/api/funds/{id}/reserves/runs/{}/events", answer.run.id),
        cached: matches!(answer.answered, Answered::Memory | Answered::Database),
    })
}
