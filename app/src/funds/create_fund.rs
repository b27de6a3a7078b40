use leptos::prelude::*;

use super::FundListItem;

/// Creates a fund; the caller becomes its first admin. Any signed-in user (an API token must be
/// capped at analyst or above, as for `POST /api/funds`). `size` is the committed capital (a
/// plain decimal, e.g. `100000000`); `vintage` a year; `first_close` the date the fund's history
/// starts (YYYY-MM-DD, default today): later events may be dated from then on.
#[server(prefix = "/sfn", endpoint = "create_fund")]
pub async fn create_fund(
    name: String,
    size: String,
    vintage: Option<String>,
    first_close: Option<String>,
) -> Result<FundListItem, ServerFnError> {
    use crate::accounts::principal::Via;
    use domain::access::Role;

    let store = crate::server::store()?;
    let principal = crate::accounts::authorize::require_signed_in()?;
    if let Via::Token { max_role, .. } = principal.via {
        if !max_role.allows(Role::Analyst) {
            crate::server::set_status(axum::http::StatusCode::FORBIDDEN);
            return Err(ServerFnError::new(format!(
                "this API token is capped at {max_role}; creating a fund needs a token capped at analyst or above"
            )));
        }
    }
    let size = domain::amount::parse_strict(size.trim())
        .map_err(|e| crate::server::bad_argument("size", e))?;
    let vintage = match vintage.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(raw) => Some(raw.parse::<i32>().map_err(|_| {
            crate::server::bad_argument("vintage", "must be a year such as 2024")
        })?),
    };
    let effective_at = match first_close.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => chrono::Utc::now(),
        Some(raw) => domain::dates::parse_day(raw)
            .map_err(|e| crate::server::bad_argument("first_close", e))?
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc(),
    };
    let metadata = crate::accounts::authorize::event_metadata();
    let fund = store
        .create_fund(&name, size, vintage, effective_at, metadata, Some(principal.user.id))
        .await
        .map_err(crate::server::to_server_error)?;
    Ok(FundListItem {
        id: fund.id,
        name: fund.name,
        size: fund.size,
        vintage: fund.vintage,
        events: fund.version,
    })
}
