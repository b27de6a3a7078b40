use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{HubHeader, Tab};
use crate::accounts::list_audit_entries;
use crate::accounts::page_data::DEFAULT_AUDIT_LIMIT;
use crate::components::accounts::audit_table::AuditTable;
use crate::time_machine::get_fund_meta;

/// `/funds/{id}/audit?before=`: who changed the fund's access and alerting, for its admins.
#[component]
pub fn AuditPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let meta = Resource::new(id, get_fund_meta);
    let entries = Resource::new(move || (id(), query.read().get("before")), |(id, before)| list_audit_entries(id, before, None));
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (meta.await, entries.await) {
                    (Ok(m), entries) => {
                        let fund_id = m.id.to_string();
                        view! {
                            <HubHeader meta=m tab=Tab::Overview/>
                            <main class="page">
                                <h2>"Audit trail"</h2>
                                <p><a href=format!("/funds/{fund_id}/members")>"← Members"</a></p>
                                <p class="muted">
                                    "Who created or revoked API tokens and share links, changed roles, notification settings or alert rules, and resolved alerts, with the address they came from."
                                </p>
                                {match entries {
                                    Ok(list) => {
                                        let full = list.len() as u32 >= DEFAULT_AUDIT_LIMIT;
                                        view! { <AuditTable fund_id=fund_id entries=list full=full/> }.into_any()
                                    }
                                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                                }}
                            </main>
                        }.into_any()
                    }
                    (Err(e), _) => view! { <main class="page"><p class="error" role="alert">{e.to_string()}</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}
