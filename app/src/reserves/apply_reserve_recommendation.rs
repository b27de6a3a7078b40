use std::collections::BTreeMap;

use leptos::prelude::*;

/// "Apply": writes the ranking's recommendation as the fund's new reserve plan (analysts), for
/// the companies ticked (`pick[c<rank>]=<company id>`), or for all with `scope=all`. A fund
/// changed since the run looked at it answers 409: recalculate first.
#[server(prefix = "/sfn", endpoint = "apply_reserve_recommendation")]
pub async fn apply_reserve_recommendation(
    fund_id: String,
    run_id: String,
    scope: Option<String>,
    pick: Option<BTreeMap<String, String>>,
) -> Result<String, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    let run_id = crate::server::parse_uuid("run_id", &run_id)?;
    let picked = match scope.as_deref() {
        Some("all") => None,
        _ => Some(pick.unwrap_or_default().into_values().collect()),
    };
    let metadata = crate::accounts::authorize::event_metadata();
    match super::actions::apply_recommendation(&store, id, run_id, picked, metadata).await {
        Ok(plan) => Ok(format!("Applied: new reserve plan for {} (fund version {}).", plan.changed.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", "), plan.version)),
        Err(crate::store::StoreError::Conflict { .. }) => {
            crate::server::set_status(axum::http::StatusCode::CONFLICT);
            Err(ServerFnError::new("The fund changed since this ranking: recalculate, then apply."))
        }
        Err(e) => Err(crate::server::to_server_error(e)),
    }
}
