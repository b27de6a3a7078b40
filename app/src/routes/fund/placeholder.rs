use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::{HubHeader, Tab};
use crate::routes::not_found::NotFound;
use crate::time_machine::get_fund_meta;

/// A tab whose feature is not built yet says so plainly.
#[component]
pub fn PlaceholderTab(tab: Tab, #[prop(into)] message: String) -> impl IntoView {
    let params = use_params_map();
    let meta = Resource::new(move || params.read().get("id").unwrap_or_default(), get_fund_meta);
    view! {
        <Suspense fallback=|| view! { <p class="page">"Loading…"</p> }>
            {move || {
                let message = message.clone();
                Suspend::new(async move {
                    match meta.await {
                        Ok(m) if !tab.enabled(&m.features) => view! { <NotFound/> }.into_any(),
                        Ok(m) => view! {
                            <HubHeader meta=m tab=tab/>
                            <main class="page">
                                <section class="panel placeholder" data-test="not-built">
                                    <h2>{format!("{} is not built yet", tab.label())}</h2>
                                    <p>{message}</p>
                                </section>
                            </main>
                        }.into_any(),
                        Err(e) => view! { <main class="page"><p class="error" role="alert">{e.to_string()}</p></main> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn ReservesTab() -> impl IntoView {
    view! {
        <PlaceholderTab
            tab=Tab::Reserves
            message="The follow-on reserve optimiser is on the way. Planned and deployed reserves per company are shown on the Time Machine tab."
        />
    }
}
