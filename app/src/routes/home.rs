use leptos::prelude::*;

use crate::components::format::money;
use crate::funds::list_funds;

/// The funds this user can open.
#[component]
pub fn HomePage() -> impl IntoView {
    let funds = Resource::new(|| (), |_| list_funds());
    view! {
        <main class="page">
            <header class="page-header">
                <h1>"Fundlens"</h1>
                <p class="subtitle">"Your funds, at any date, as known at any time."</p>
            </header>
            <Suspense fallback=|| view! { <p>"Loading funds…"</p> }>
                {move || Suspend::new(async move {
                    match funds.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="empty">"No funds yet. Create one with POST /api/funds."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="fund-list" data-test="fund-list">
                                {list.into_iter().map(|f| view! {
                                    <li>
                                        <a href=format!("/funds/{}/overview", f.id)>{f.name.clone()}</a>
                                        <span class="muted">
                                            {format!(" · {} committed", money(f.size))}
                                            {f.vintage.map(|v| format!(" · vintage {v}"))}
                                            {format!(" · {} events", f.events)}
                                        </span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <p class="error">{format!("Could not load funds: {e}")}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
