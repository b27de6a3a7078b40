use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{HubHeader, Tab};
use crate::accounts::list_members;
use crate::components::accounts::members_panel::MembersPanel;
use crate::time_machine::get_fund_meta;

/// `/funds/{id}/members`: who may see the fund and with which role, for its admins; with a link
/// to the audit trail of access changes.
#[component]
pub fn MembersPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let meta = Resource::new(id, get_fund_meta);
    let members = Resource::new(id, list_members);
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (meta.await, members.await) {
                    (Ok(m), members) => {
                        let fund_id = m.id.to_string();
                        view! {
                            <HubHeader meta=m tab=Tab::Overview/>
                            <main class="page">
                                <h2>"Members"</h2>
                                <p class="muted">
                                    "Viewers read; analysts also record figures, share reports and run the reserve model; admins also manage members, alert rules, notification settings and model assumptions. Every change is in the "
                                    <a href=format!("/funds/{fund_id}/audit")>"audit trail"</a>"."
                                </p>
                                {match members {
                                    Ok(list) => view! { <MembersPanel fund_id=fund_id members=list/> }.into_any(),
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
