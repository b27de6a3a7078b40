use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{HubHeader, Tab};
use crate::components::variance::alert_list::AlertList;
use crate::routes::not_found::NotFound;
use crate::time_machine::get_fund_meta;
use crate::variance::list_alerts;

/// `/funds/{id}/alerts?state=&severity=`: the alert inbox.
#[component]
pub fn AlertsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let meta = Resource::new(id, get_fund_meta);
    let alerts = Resource::new(
        move || {
            let q = query.read();
            (id(), q.get("state"), q.get("severity"))
        },
        |(id, state, severity)| list_alerts(id, state, severity),
    );
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match meta.await {
                    Ok(m) if !m.features.variance => view! { <NotFound/> }.into_any(),
                    Ok(m) => {
                        let fund_id = m.id.to_string();
                        view! {
                            <HubHeader meta=m tab=Tab::Variance/>
                            <main class="page">
                                <h2>"Alerts"</h2>
                                <form method="get" class="date-form">
                                    <label>
                                        "Show "
                                        <select name="state">
                                            <option value="">"All"</option>
                                            <option value="unread">"Unread"</option>
                                            <option value="read">"Read"</option>
                                            <option value="resolved">"Resolved"</option>
                                        </select>
                                    </label>
                                    <label>
                                        " Severity "
                                        <select name="severity">
                                            <option value="">"Any"</option>
                                            <option value="urgent">"Urgent"</option>
                                            <option value="critical">"Critical"</option>
                                            <option value="warning">"Warning"</option>
                                            <option value="info">"Info"</option>
                                        </select>
                                    </label>
                                    <button type="submit">"Filter"</button>
                                </form>
                                <Transition fallback=|| view! { <p>"Loading alerts…"</p> }>
                                    {
                                        let fund_id = fund_id.clone();
                                        move || {
                                            let fund_id = fund_id.clone();
                                            Suspend::new(async move {
                                                let (state, severity) = {
                                                    let q = query.read_untracked();
                                                    (q.get("state"), q.get("severity"))
                                                };
                                                match alerts.await {
                                                    Ok(list) => view! {
                                                        <AlertList fund_id=fund_id alerts=list state=state.unwrap_or_default() severity=severity.unwrap_or_default()/>
                                                    }.into_any(),
                                                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                                                }
                                            })
                                        }
                                    }
                                </Transition>
                            </main>
                        }.into_any()
                    }
                    Err(e) => view! { <main class="page"><p class="error" role="alert">{e.to_string()}</p></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}
