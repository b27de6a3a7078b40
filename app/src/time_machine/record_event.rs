use leptos::prelude::*;

/// Records one event from the Time Machine's forms (analysts and admins). The fields are the
/// ledger's columns (`kind` is its `type`: company, investment, valuation, capital_call,
/// distribution, exit, write_off, reserve_plan, forecast, actual), so a form row is read and checked
/// exactly as a ledger row is, then appended: an error names the field at fault.
#[server(prefix = "/sfn", endpoint = "record_event")]
#[allow(clippy::too_many_arguments)]
pub async fn record_event(
    fund_id: String,
    kind: String,
    effective_date: String,
    company: Option<String>,
    amount: Option<String>,
    post_money: Option<String>,
    ownership: Option<String>,
    stage: Option<String>,
    sector: Option<String>,
    follow_on: Option<String>,
    metric: Option<String>,
    period: Option<String>,
    value: Option<String>,
    source: Option<String>,
) -> Result<u64, ServerFnError> {
    let store = crate::server::store()?;
    let (id, _, _) = crate::accounts::authorize::require_fund_role(&store, &fund_id, domain::access::Role::Analyst).await?;
    if kind.trim() == "reserve_assumptions" {
        return Err(crate::server::bad_argument("kind", "reserve assumptions are set on the Reserves tab"));
    }
    let cells = [
        Some(kind),
        Some(effective_date),
        company,
        amount,
        post_money,
        ownership,
        stage,
        sector,
        follow_on,
        metric,
        period,
        value,
        source,
        None,
    ];
    let Some(bytes) = super::super::ledger::service::form_as_ledger(cells.into_iter().collect()) else {
        return Err(crate::server::bad_argument("kind", "the form could not be read"));
    };
    let metadata = crate::accounts::authorize::event_metadata();
    match super::super::ledger::service::import_ledger(&store, id, bytes, metadata, chrono::Utc::now()).await {
        Ok(outcome) => Ok(outcome.version),
        Err(crate::store::StoreError::InvalidRows(rows)) => Err(form_error(rows.iter().map(|r| (r.column.as_str(), r.reason.as_str())))),
        Err(e) => Err(crate::server::to_server_error(e)),
    }
}

/// A 422 naming each field at fault as the event forms call it (the ledger's `type` is the
/// form's `kind`): "amount: must be positive; company: unknown company …".
#[cfg(feature = "ssr")]
pub(super) fn form_error<'a>(errors: impl IntoIterator<Item = (&'a str, &'a str)>) -> ServerFnError {
    crate::server::set_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    let message = errors
        .into_iter()
        .map(|(field, reason)| format!("{}: {reason}", if field == "type" { "kind" } else { field }))
        .collect::<Vec<_>>()
        .join("; ");
    ServerFnError::new(message)
}
