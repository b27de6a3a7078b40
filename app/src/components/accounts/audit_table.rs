use leptos::prelude::*;

use crate::accounts::page_data::AuditEntry;

/// The fund's audit trail as a table, newest first, with a link to older entries when this page
/// is full.
#[component]
pub fn AuditTable(fund_id: String, entries: Vec<AuditEntry>, full: bool) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="muted">"Nothing recorded yet."</p> }.into_any();
    }
    let older = full.then(|| entries.last().map(|e| format!("/funds/{fund_id}/audit?before={}", e.id))).flatten();
    let rows = entries.into_iter().map(audit_row).collect_view();
    view! {
        <table class="data audit-table">
            <thead>
                <tr><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"From"</th><th scope="col">"What"</th></tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {older.map(|href| view! { <p><a href=href rel="next">"Older entries"</a></p> })}
    }
    .into_any()
}

fn audit_row(e: AuditEntry) -> impl IntoView {
    let who = match (&e.actor, e.via_token) {
        (Some(email), Some(token)) => format!("{email} (API token {})", &token.to_string()[..8]),
        (Some(email), None) => email.clone(),
        (None, _) => "command line".to_string(),
    };
    view! {
        <tr data-action=e.action.clone()>
            <td><time datetime=e.at.to_rfc3339()>{e.at.format("%Y-%m-%d %H:%M:%S").to_string()}</time></td>
            <td>{who}</td>
            <td>{e.address.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{e.summary.clone()}</td>
        </tr>
    }
}
