use leptos::prelude::*;

use super::page_data::SessionUser;

/// Who is signed in (nobody: `None`). Public: the top bar asks on every page.
#[server(prefix = "/sfn", endpoint = "get_session_user")]
pub async fn get_session_user() -> Result<Option<SessionUser>, ServerFnError> {
    Ok(super::authorize::current_principal().map(|p| SessionUser { email: p.user.email }))
}
